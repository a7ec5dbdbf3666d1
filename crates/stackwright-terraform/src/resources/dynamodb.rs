//! DynamoDB tables.

use super::{Attrs, Secondary, Service};
use crate::expr;
use serde_json::{json, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::Value;

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    (kind == kinds::DYNAMODB_TABLE).then_some(("aws_dynamodb_table", false))
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    if kind != kinds::DYNAMODB_TABLE {
        return None;
    }
    Some(match attr {
        "name" => "name",
        "arn" => "arn",
        _ => return None,
    })
}

fn lower(_: &str, a: &mut Attrs, _: &mut Secondary) -> bool {
    let resource = a.resource;
    if resource.kind != kinds::DYNAMODB_TABLE {
        return false;
    }
    // The provider requires a name, which CloudFormation would generate.
    let name = a.lowering.checked_required_name(resource, a.problems);
    a.insert("name", Json::String(expr::escape(&name)));
    a.copy("billing_mode", "billing_mode");
    let mut attributes = Vec::new();
    for (key, to) in [("partition_key", "hash_key"), ("sort_key", "range_key")] {
        if let Some(key) = resource.get(key) {
            let name = key.get("name").map(|v| a.value(v)).unwrap_or(Json::Null);
            let attribute_type = key.get("type").map(|v| a.value(v)).unwrap_or(Json::Null);
            a.insert(to, name.clone());
            attributes.push(json!({ "name": name, "type": attribute_type }));
        }
    }
    a.insert("attribute", Json::Array(attributes));
    a.copy("read_capacity", "read_capacity");
    a.copy("write_capacity", "write_capacity");
    let mut encryption = json!({ "enabled": true });
    match resource.get("kms_key_arn") {
        Some(key) => encryption["kms_key_arn"] = a.value(key),
        None => a.checkov_skip(
            "CKV_AWS_119",
            "encrypted with the AWS managed key aws/dynamodb; opt in to a customer managed key \
             with `.encryption_key(&key)`",
        ),
    }
    a.insert("server_side_encryption", encryption);
    if let Some(enabled) = resource
        .get("point_in_time_recovery")
        .and_then(Value::as_bool)
    {
        a.insert("point_in_time_recovery", json!({ "enabled": enabled }));
    }
    a.copy("deletion_protection", "deletion_protection_enabled");
    if let Some(attribute) = resource.get("ttl_attribute") {
        let attribute = a.value(attribute);
        a.insert(
            "ttl",
            json!({ "attribute_name": attribute, "enabled": true }),
        );
    }
    a.tags();
    true
}
