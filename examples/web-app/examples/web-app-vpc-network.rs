use stackwright::Run;

fn main() -> std::process::ExitCode {
    web_app::vpc_network_app().run()
}
