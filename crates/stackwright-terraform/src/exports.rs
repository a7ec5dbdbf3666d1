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

/// The remote state of another environment's module: that environment's backend (local: its module's
/// state file, `../../<env>/<stack>/terraform.tfstate` from this module; S3: its bucket, key and region,
/// with `assume_role` when a role reads it, which the S3 backend takes from Terraform 1.6 on).
pub(crate) fn remote_environment_state(
    backend: &Backend,
    key: &str,
    env: &str,
    stack: &str,
    role_arn: Option<&str>,
) -> Map<String, Json> {
    let mut body = match backend {
        Backend::Local => {
            let mut body = Map::new();
            body.insert("backend".into(), "local".into());
            body.insert(
                "config".into(),
                json!({ "path": format!("../../{env}/{stack}/terraform.tfstate") }),
            );
            body
        }
        s3 => remote_state(s3, key, stack),
    };
    if let (Some(role), Some(Json::Object(config))) = (role_arn, body.get_mut("config")) {
        if matches!(backend, Backend::S3 { .. }) {
            config.insert("assume_role".into(), json!({ "role_arn": role }));
        }
    }
    body
}

/// Where the producer's state is, as `terraform_remote_state` takes it. Local state is the producer
/// module's `terraform.tfstate`, relative to the consumer's module directory (a sibling in the tree:
/// `terraform/<env>/<stack>/`), which is where `terraform -chdir=<module>` runs; S3 state is the
/// producer's bucket, key and region, as its `backend "s3"` block has them.
pub(crate) fn remote_state(backend: &Backend, key: &str, producer: &str) -> Map<String, Json> {
    let (backend, config) = match backend {
        Backend::Local => (
            "local",
            json!({ "path": format!("../{producer}/terraform.tfstate") }),
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
