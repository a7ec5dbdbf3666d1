//! Simple Storage Service: the provider splits a bucket into `aws_s3_bucket` and one resource per
//! concern (versioning, encryption, public access block, ownership controls, policy), each named
//! `<bucket>_<concern>`.

use super::{object, policy, Attrs, Secondary, Service};
use serde_json::{json, Map, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::{RemovalPolicy, Value};

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    (kind == kinds::S3_BUCKET).then_some(("aws_s3_bucket", false))
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    if kind != kinds::S3_BUCKET {
        return None;
    }
    Some(match attr {
        "name" => "id",
        "arn" => "arn",
        "domain_name" => "bucket_domain_name",
        "regional_domain_name" => "bucket_regional_domain_name",
        _ => return None,
    })
}

fn lower(name: &str, a: &mut Attrs, out: &mut Secondary) -> bool {
    let resource = a.resource;
    if resource.kind != kinds::S3_BUCKET {
        return false;
    }
    a.physical_name("bucket");
    if resource.removal_policy == RemovalPolicy::Destroy {
        // `terraform destroy` deletes the objects too; without it the provider fails on a non-empty bucket.
        a.insert("force_destroy", Json::Bool(true));
    }
    a.tags();
    let bucket = Json::String(format!("${{aws_s3_bucket.{name}.id}}"));
    let part = |out: &mut Secondary, suffix: &str, type_name: &'static str, body: Json| {
        let mut with_bucket = Map::new();
        with_bucket.insert("bucket".into(), bucket.clone());
        with_bucket.append(&mut object(body));
        out.blocks
            .push((type_name, format!("{name}_{suffix}"), with_bucket));
    };

    let versioned = resource.get("versioned").and_then(Value::as_bool) == Some(true);
    let encryption_key = resource.get("encryption").and_then(|e| e.get("kms_key_id"));
    if versioned {
        part(
            out,
            "versioning",
            "aws_s3_bucket_versioning",
            json!({ "versioning_configuration": { "status": "Enabled" } }),
        );
    }
    if let Some(encryption) = resource.get("encryption") {
        let mut by_default = Map::new();
        for (from, to) in [
            ("algorithm", "sse_algorithm"),
            ("kms_key_id", "kms_master_key_id"),
        ] {
            if let Some(v) = encryption.get(from) {
                by_default.insert(to.into(), a.value(v));
            }
        }
        let mut rule = Map::new();
        rule.insert(
            "apply_server_side_encryption_by_default".into(),
            Json::Object(by_default),
        );
        if let Some(v) = encryption.get("bucket_key") {
            rule.insert("bucket_key_enabled".into(), a.value(v));
        }
        part(
            out,
            "encryption",
            "aws_s3_bucket_server_side_encryption_configuration",
            json!({ "rule": [rule] }),
        );
    }
    let block = resource
        .get("block_public_access")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    part(
        out,
        "public_access_block",
        "aws_s3_bucket_public_access_block",
        json!({
            "block_public_acls": block,
            "block_public_policy": block,
            "ignore_public_acls": block,
            "restrict_public_buckets": block,
        }),
    );
    if let Some(ownership) = resource.get("object_ownership") {
        let ownership = a.value(ownership);
        part(
            out,
            "ownership_controls",
            "aws_s3_bucket_ownership_controls",
            json!({ "rule": { "object_ownership": ownership } }),
        );
    }
    let mut rules = Vec::new();
    if let Some(days) = resource.get("abort_incomplete_multipart_upload_days") {
        let days = a.value(days);
        rules.push(json!({
            "id": "AbortIncompleteMultipartUploads",
            "status": "Enabled",
            "filter": {},
            "abort_incomplete_multipart_upload": { "days_after_initiation": days },
        }));
    }
    if let Some(days) = resource.get("noncurrent_version_expiration_days") {
        let days = a.value(days);
        rules.push(json!({
            "id": "ExpireNoncurrentVersions",
            "status": "Enabled",
            "filter": {},
            "noncurrent_version_expiration": { "noncurrent_days": days },
        }));
    }
    if !rules.is_empty() {
        let mut body = json!({ "rule": rules });
        if versioned {
            // The provider's advice: rules about versions apply once versioning is configured.
            body["depends_on"] = json!([format!("aws_s3_bucket_versioning.{name}_versioning")]);
        }
        part(
            out,
            "lifecycle",
            "aws_s3_bucket_lifecycle_configuration",
            body,
        );
    }
    match resource.get("access_logs") {
        Some(logs) => {
            let mut logging = Map::new();
            for (from, to) in [("bucket", "target_bucket"), ("prefix", "target_prefix")] {
                if let Some(v) = logs.get(from) {
                    logging.insert(to.into(), a.value(v));
                }
            }
            part(out, "logging", "aws_s3_bucket_logging", Json::Object(logging));
        }
        None if resource.get("receives_access_logs").is_some() => a.checkov_skip(
            "CKV_AWS_18",
            "this bucket receives server access logs; logging it into itself would loop",
        ),
        None => a.checkov_skip(
            "CKV_AWS_18",
            "access logs need a separate log bucket: opt in with `.server_access_logs(&bucket, prefix)`",
        ),
    }
    if resource.get("eventbridge").and_then(Value::as_bool) == Some(true) {
        part(
            out,
            "notification",
            "aws_s3_bucket_notification",
            json!({ "eventbridge": true }),
        );
    } else {
        a.checkov_skip(
            "CKV2_AWS_62",
            "event notifications need a consumer: opt in with `.eventbridge_notifications()`",
        );
    }
    if encryption_key.is_none() {
        a.checkov_skip(
            "CKV_AWS_145",
            "SSE-S3 encrypts every object; opt in to a customer managed key with `.encryption_key(&key)`",
        );
    }
    // Replicating to a second region needs a bucket there, a role and a decision about cost and data
    // residency; it is not a default a builder can make.
    a.checkov_skip(
        "CKV_AWS_144",
        "cross-region replication needs a bucket in another region: not a default",
    );
    if let Some(document) = policy::document(a, out, name, "policy", &[]) {
        // A policy applied before the public access block is settled can be rejected (or, with the
        // block lifted, briefly be public): wait for it.
        let block = format!("aws_s3_bucket_public_access_block.{name}_public_access_block");
        part(
            out,
            "policy",
            "aws_s3_bucket_policy",
            json!({ "policy": document, "depends_on": [block] }),
        );
    }
    true
}
