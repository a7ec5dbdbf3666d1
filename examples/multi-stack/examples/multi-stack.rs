use stackwright::Run;

fn main() -> std::process::ExitCode {
    multi_stack::app().run()
}
