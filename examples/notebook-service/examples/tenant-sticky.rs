//! The Notebook Service sharding teams over replica groups (tenant stickiness).
use stackwright::Run;

fn main() -> std::process::ExitCode {
    notebook_service::tenant_sticky_app().run()
}
