//! The Notebook Service as a `network` and a `service` stack per environment, linked by typed handles:
//! `cargo run -p notebook-service --example two-stack -- synth --out out-two-stack`.
use stackwright::Run;

fn main() -> std::process::ExitCode {
    notebook_service::two_stack_app().run()
}
