use stackwright::Run;

fn main() -> std::process::ExitCode {
    web_app::app().run()
}
