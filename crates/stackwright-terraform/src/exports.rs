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
