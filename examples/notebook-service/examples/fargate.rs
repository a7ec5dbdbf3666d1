//! The Notebook Service on Fargate: the flagship's replication and update, each replica a task.
use stackwright::Run;

fn main() -> std::process::ExitCode {
    notebook_service::fargate_app().run()
}
