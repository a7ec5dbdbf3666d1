//! Elastic Container Registry.

use super::{object, Attrs, Secondary, Service};
use serde_json::json;
use stackwright_aws::kinds;

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    (kind == kinds::ECR_REPOSITORY).then_some(("aws_ecr_repository", false))
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    match (kind, attr) {
        (kinds::ECR_REPOSITORY, "name") => Some("name"),
        (kinds::ECR_REPOSITORY, "uri") => Some("repository_url"),
        (kinds::ECR_REPOSITORY, "arn") => Some("arn"),
        _ => None,
    }
}

fn lower(name: &str, a: &mut Attrs, out: &mut Secondary) -> bool {
    if a.resource.kind != kinds::ECR_REPOSITORY {
        return false;
    }
    // Terraform requires a name; ECR's are lowercase.
    let required = a.lowering.required_name(a.resource).to_lowercase();
    a.insert("name", required.into());
    a.insert("image_tag_mutability", "IMMUTABLE".into());
    a.insert(
        "image_scanning_configuration",
        json!({ "scan_on_push": true }),
    );
    a.insert(
        "encryption_configuration",
        json!({ "encryption_type": "AES256" }),
    );
    a.checkov_skip(
        "CKV_AWS_136",
        "AES-256 (SSE-S3) encrypts every image; opt in to a customer managed key with an override",
    );
    a.tags();
    if let Some(days) = a
        .resource
        .get("untagged_expiration_days")
        .and_then(|v| v.as_int())
    {
        out.blocks.push((
            "aws_ecr_lifecycle_policy",
            format!("{name}_lifecycle"),
            object(json!({
                "repository": format!("${{aws_ecr_repository.{name}.name}}"),
                "policy": crate::expr::escape(&stackwright_aws::ecr::lifecycle_policy(days)),
            })),
        ));
    }
    true
}
