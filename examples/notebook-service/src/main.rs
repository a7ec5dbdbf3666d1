use stackwright::Run;

fn main() -> std::process::ExitCode {
    notebook_service::app().run()
}
