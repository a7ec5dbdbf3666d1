//! Cross-stack references of one environment: the `output`s a producer module publishes and the
//! `terraform_remote_state` data sources its consumers read them with, configured from the producer's
//! backend.

use crate::names::snake_case;
use crate::settings::Backend;
use serde_json::{json, Map, Value as Json};

/// The name of the output publishing `attr` of resource `resource_id`: `export_<name>_<attr>`, e.g.
/// `export_vpc_id`.
pub(crate) fn output_name(resource_id: &str, attr: &str) -> String {
    format!("export_{}_{attr}", snake_case(resource_id))
}

/// The name of the `terraform_remote_state` data source reading stack `stack`'s state: the stack's
/// name in snake case (`shared-network` -> `shared_network`).
pub(crate) fn remote_state_name(stack: &str) -> String {
    snake_case(stack)
}

/// The name of the `terraform_remote_state` reading stack `stack` of another environment `env`:
/// `<env>_<stack>` in snake case (`global`, `edge` -> `global_edge`).
pub(crate) fn remote_environment_name(env: &str, stack: &str) -> String {
    snake_case(&format!("{env}-{stack}"))
}

/// The remote state of another environment's module: that environment's backend (see [`remote_state`]),
/// with `assume_role` when a role reads its S3 state, which the S3 backend takes from Terraform 1.6 on.
pub(crate) fn remote_environment_state(
    backend: &Backend,
    key: &str,
    app: &str,
    env: &str,
    stack: &str,
    role_arn: Option<&str>,
) -> Map<String, Json> {
    let mut body = remote_state(backend, key, app, env, stack);
    if let (Some(role), Some(Json::Object(config))) = (role_arn, body.get_mut("config")) {
        if matches!(backend, Backend::S3 { .. }) {
            config.insert("assume_role".into(), json!({ "role_arn": role }));
        }
    }
    body
}

/// Where stack `stack` of environment `env` keeps its state, as `terraform_remote_state` takes it: its
/// own backend block's location. Local state is the producer's `terraform-state/...` file, relative to
/// the module directory, which is where `terraform -chdir=<module>` runs; every module sits at the same
/// depth (`terraform/<env>/<stack>/`), so the producer's own relative path is right from the consumer
/// too. S3 state is the producer's bucket, key and region.
pub(crate) fn remote_state(
    backend: &Backend,
    key: &str,
    app: &str,
    env: &str,
    stack: &str,
) -> Map<String, Json> {
    let (backend, config) = match backend {
        Backend::Local => (
            "local",
            json!({ "path": crate::settings::local_state_path(app, env, stack) }),
        ),
        Backend::S3 { bucket, region, .. } => (
            "s3",
            json!({ "bucket": bucket, "key": key, "region": region }),
        ),
    };
    let mut body = Map::new();
    body.insert("backend".into(), backend.into());
    body.insert("config".into(), config);
    body
}
