//! DynamoDB tables.

use super::{Attribute, Lowering, Props, Secondary, Service};
use serde_json::{json, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::Value;

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    if kind != kinds::DYNAMODB_TABLE {
        return None;
    }
    Some(match attr {
        "name" => Attribute::Ref,
        "arn" => Attribute::GetAtt("Arn"),
        _ => return None,
    })
}

fn lower(_: &Lowering, _: &str, p: &mut Props, _: &mut Secondary) -> Option<&'static str> {
    let resource = p.resource;
    if resource.kind != kinds::DYNAMODB_TABLE {
        return None;
    }
    p.physical_name("TableName");
    let mut schema = Vec::new();
    let mut definitions = Vec::new();
    for (key, key_type) in [("partition_key", "HASH"), ("sort_key", "RANGE")] {
        if let Some(key) = resource.get(key) {
            let name = key.get("name").map(|v| p.value(v)).unwrap_or(Json::Null);
            let attribute_type = key.get("type").map(|v| p.value(v)).unwrap_or(Json::Null);
            schema.push(json!({ "AttributeName": name, "KeyType": key_type }));
            definitions.push(json!({ "AttributeName": name, "AttributeType": attribute_type }));
        }
    }
    p.insert("KeySchema", Json::Array(schema));
    p.insert("AttributeDefinitions", Json::Array(definitions));
    p.copy("billing_mode", "BillingMode");
    if let (Some(read), Some(write)) = (
        resource.get("read_capacity"),
        resource.get("write_capacity"),
    ) {
        let (read, write) = (p.value(read), p.value(write));
        p.insert(
            "ProvisionedThroughput",
            json!({ "ReadCapacityUnits": read, "WriteCapacityUnits": write }),
        );
    }
    match resource.get("kms_key_arn") {
        Some(key) => {
            let key = p.value(key);
            p.insert(
                "SSESpecification",
                json!({ "SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": key }),
            );
        }
        None => {
            p.insert("SSESpecification", json!({ "SSEEnabled": true }));
            p.checkov_skip(
                "CKV_AWS_119",
                "encrypted with the AWS managed key aws/dynamodb; opt in to a customer managed key \
                 with `.encryption_key(&key)`",
            );
        }
    }
    if let Some(enabled) = resource
        .get("point_in_time_recovery")
        .and_then(Value::as_bool)
    {
        p.insert(
            "PointInTimeRecoverySpecification",
            json!({ "PointInTimeRecoveryEnabled": enabled }),
        );
    }
    p.copy("deletion_protection", "DeletionProtectionEnabled");
    if let Some(attribute) = resource.get("ttl_attribute") {
        let attribute = p.value(attribute);
        p.insert(
            "TimeToLiveSpecification",
            json!({ "AttributeName": attribute, "Enabled": true }),
        );
    }
    Some("AWS::DynamoDB::Table")
}
