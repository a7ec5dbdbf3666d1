//! Elastic Container Registry.

use super::{Attribute, Lowering, Props, Secondary, Service};
use serde_json::json;
use stackwright_aws::kinds;

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    match (kind, attr) {
        (kinds::ECR_REPOSITORY, "name") => Some(Attribute::Ref),
        (kinds::ECR_REPOSITORY, "uri") => Some(Attribute::GetAtt("RepositoryUri")),
        (kinds::ECR_REPOSITORY, "arn") => Some(Attribute::GetAtt("Arn")),
        _ => None,
    }
}

fn lower(_: &Lowering, _: &str, p: &mut Props, _: &mut Secondary) -> Option<&'static str> {
    if p.resource.kind != kinds::ECR_REPOSITORY {
        return None;
    }
    p.insert("ImageScanningConfiguration", json!({ "ScanOnPush": true }));
    p.insert("ImageTagMutability", "IMMUTABLE".into());
    p.insert(
        "EncryptionConfiguration",
        json!({ "EncryptionType": "AES256" }),
    );
    if let Some(days) = p
        .resource
        .get("untagged_expiration_days")
        .and_then(|v| v.as_int())
    {
        p.insert(
            "LifecyclePolicy",
            json!({ "LifecyclePolicyText": stackwright_aws::ecr::lifecycle_policy(days) }),
        );
    }
    p.checkov_skip(
        "CKV_AWS_136",
        "AES-256 (SSE-S3) encrypts every image; opt in to a customer managed key with an override",
    );
    Some("AWS::ECR::Repository")
}
