use stackwright::Run;

fn main() -> std::process::ExitCode {
    terraform_native::app().run()
}
