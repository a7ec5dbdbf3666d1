//! Simple Storage Service: a bucket carries its encryption, versioning, public access block and
//! ownership controls as properties; its policy is an `AWS::S3::BucketPolicy` beside it.

use super::{Attribute, Lowering, Props, Secondary, Service};
use serde_json::{json, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::Value;

pub(super) const SERVICE: Service = Service { lower, attribute };

/// Suffix of the bucket policy's logical id.
pub(super) const POLICY_SUFFIX: &str = "Policy";

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    if kind != kinds::S3_BUCKET {
        return None;
    }
    Some(match attr {
        "name" => Attribute::Ref,
        "arn" => Attribute::GetAtt("Arn"),
        "domain_name" => Attribute::GetAtt("DomainName"),
        "regional_domain_name" => Attribute::GetAtt("RegionalDomainName"),
        _ => return None,
    })
}

fn lower(_: &Lowering, id: &str, p: &mut Props, out: &mut Secondary) -> Option<&'static str> {
    let resource = p.resource;
    if resource.kind != kinds::S3_BUCKET {
        return None;
    }
    p.physical_name("BucketName");
    if resource.get("versioned").and_then(Value::as_bool) == Some(true) {
        p.insert("VersioningConfiguration", json!({ "Status": "Enabled" }));
    }
    if let Some(encryption) = resource.get("encryption") {
        let mut by_default = serde_json::Map::new();
        for (from, to) in [
            ("algorithm", "SSEAlgorithm"),
            ("kms_key_id", "KMSMasterKeyID"),
        ] {
            if let Some(v) = encryption.get(from) {
                by_default.insert(to.into(), p.value(v));
            }
        }
        let mut rule = serde_json::Map::new();
        rule.insert(
            "ServerSideEncryptionByDefault".into(),
            Json::Object(by_default),
        );
        if let Some(v) = encryption.get("bucket_key") {
            rule.insert("BucketKeyEnabled".into(), p.value(v));
        }
        p.insert(
            "BucketEncryption",
            json!({ "ServerSideEncryptionConfiguration": [rule] }),
        );
    }
    let block = resource
        .get("block_public_access")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    p.insert(
        "PublicAccessBlockConfiguration",
        json!({
            "BlockPublicAcls": block,
            "BlockPublicPolicy": block,
            "IgnorePublicAcls": block,
            "RestrictPublicBuckets": block,
        }),
    );
    if let Some(ownership) = resource.get("object_ownership") {
        let ownership = p.value(ownership);
        p.insert(
            "OwnershipControls",
            json!({ "Rules": [{ "ObjectOwnership": ownership }] }),
        );
    }
    let mut rules = Vec::new();
    if let Some(days) = resource.get("abort_incomplete_multipart_upload_days") {
        let days = p.value(days);
        rules.push(json!({
            "Id": "AbortIncompleteMultipartUploads",
            "Status": "Enabled",
            "AbortIncompleteMultipartUpload": { "DaysAfterInitiation": days },
        }));
    }
    if let Some(days) = resource.get("noncurrent_version_expiration_days") {
        let days = p.value(days);
        rules.push(json!({
            "Id": "ExpireNoncurrentVersions",
            "Status": "Enabled",
            "NoncurrentVersionExpiration": { "NoncurrentDays": days },
        }));
    }
    if !rules.is_empty() {
        p.insert("LifecycleConfiguration", json!({ "Rules": rules }));
    }
    match resource.get("access_logs") {
        Some(logs) => {
            let mut logging = serde_json::Map::new();
            for (from, to) in [("bucket", "DestinationBucketName"), ("prefix", "LogFilePrefix")] {
                if let Some(v) = logs.get(from) {
                    logging.insert(to.into(), p.value(v));
                }
            }
            p.insert("LoggingConfiguration", Json::Object(logging));
        }
        None if resource.get("receives_access_logs").is_some() => p.checkov_skip(
            "CKV_AWS_18",
            "this bucket receives server access logs; logging it into itself would loop",
        ),
        None => p.checkov_skip(
            "CKV_AWS_18",
            "access logs need a separate log bucket: opt in with `.server_access_logs(&bucket, prefix)`",
        ),
    }
    if resource.get("eventbridge").and_then(Value::as_bool) == Some(true) {
        p.insert(
            "NotificationConfiguration",
            json!({ "EventBridgeConfiguration": { "EventBridgeEnabled": true } }),
        );
    }
    if let Some(policy) = resource.get("policy") {
        let document = p.value(policy);
        out.resources.push((
            format!("{id}{POLICY_SUFFIX}"),
            json!({
                "Type": "AWS::S3::BucketPolicy",
                "Properties": { "Bucket": { "Ref": id }, "PolicyDocument": document },
            }),
        ));
    }
    Some("AWS::S3::Bucket")
}
