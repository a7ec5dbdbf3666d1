use stackwright::Run;

fn main() -> std::process::ExitCode {
    serverless::app().run()
}
