//! EC2 networking and compute.

use super::{Attrs, Secondary, Service};
use crate::expr;
use crate::names::{rule_name, unique_in};
use serde_json::{json, Map, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::Value;

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        kinds::SECURITY_GROUP => ("aws_security_group", false),
        kinds::LAUNCH_TEMPLATE => ("aws_launch_template", false),
        _ => return None,
    })
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    block_type(kind)?;
    Some(match (kind, attr) {
        (_, "id") => "id",
        (kinds::LAUNCH_TEMPLATE, "latest_version") => "latest_version",
        (kinds::LAUNCH_TEMPLATE, "default_version") => "default_version",
        _ => return None,
    })
}

/// Lowers an EC2 kind into `a`, and any resources it splits into into `out`.
fn lower(name: &str, a: &mut Attrs, out: &mut Secondary) -> bool {
    let resource = a.resource;
    match resource.kind {
        kinds::SECURITY_GROUP => {
            a.copy("description", "description");
            if let Some(name) = resource.physical_name() {
                a.insert("name", Json::String(crate::expr::escape(name)));
            }
            a.copy("vpc_id", "vpc_id");
            a.tags();
            // Rules are separate resources (the provider's recommended form): inline rule blocks in
            // JSON must spell out every attribute, and separate rules can change without replacing
            // the group. A group without egress rules has none: the provider removes EC2's default.
            let group_id = Json::String(format!("${{aws_security_group.{name}.id}}"));
            for (direction, rule_type, peer_key) in [
                (
                    "ingress",
                    "aws_vpc_security_group_ingress_rule",
                    "referenced_security_group_id",
                ),
                (
                    "egress",
                    "aws_vpc_security_group_egress_rule",
                    "referenced_security_group_id",
                ),
            ] {
                let rules = resource
                    .get(direction)
                    .and_then(Value::as_list)
                    .unwrap_or_default();
                let mut taken = Vec::new();
                for rule in rules {
                    let mut body = Map::new();
                    body.insert("security_group_id".into(), group_id.clone());
                    let protocol = rule
                        .get("protocol")
                        .map(|v| a.value(v))
                        .unwrap_or(Json::Null);
                    let all_traffic = protocol == "-1";
                    body.insert("ip_protocol".into(), protocol);
                    if !all_traffic {
                        for port in ["from_port", "to_port"] {
                            if let Some(v) = rule.get(port) {
                                body.insert(port.into(), a.value(v));
                            }
                        }
                    }
                    for (from, to) in [
                        ("cidr_ipv4", "cidr_ipv4"),
                        ("security_group_id", peer_key),
                        ("description", "description"),
                    ] {
                        if let Some(v) = rule.get(from) {
                            body.insert(to.into(), a.value(v));
                        }
                    }
                    let rule = unique_in(&mut taken, rule_name(name, direction, &body));
                    out.blocks.push((rule_type, rule, body));
                }
            }
        }
        kinds::LAUNCH_TEMPLATE => {
            a.copy("image_id", "image_id");
            a.copy("instance_type", "instance_type");
            a.copy("security_group_ids", "vpc_security_group_ids");
            if let Some(user_data) = resource.get("user_data") {
                // Unlike an instance's, a template's `user_data` must be base64 already.
                let template = a.value(user_data);
                let template = template.as_str().unwrap_or_default();
                a.insert(
                    "user_data",
                    Json::String(expr::call("base64encode", template)),
                );
            }
            if let Some(Value::Map(profile)) = resource.get("instance_profile") {
                let profile: Map<String, Json> = profile
                    .iter()
                    .map(|(k, v)| (k.clone(), a.value(v)))
                    .collect();
                a.insert("iam_instance_profile", Json::Object(profile));
            }
            if let Some(mut ebs) = root_volume(a) {
                // Strings in this block's schema.
                for (_, value) in ebs.iter_mut() {
                    if let Json::Bool(flag) = value {
                        *value = Json::String(flag.to_string());
                    }
                }
                let device = resource
                    .get("root_volume")
                    .and_then(|root| root.get("device_name"))
                    .map(|v| a.value(v))
                    .unwrap_or(Json::Null);
                a.insert(
                    "block_device_mappings",
                    json!([{ "device_name": device, "ebs": ebs }]),
                );
            }
            metadata_options(a);
            // `default_tags` reaches the template but not what it launches: instances and their volumes
            // get the merged tags (an auto scaling group's tags do not reach volumes either).
            let tags: Map<String, Json> = a.merged_tags().into_iter().collect();
            if !tags.is_empty() {
                let specifications: Vec<Json> = ["instance", "volume"]
                    .iter()
                    .map(|t| json!({ "resource_type": t, "tags": tags }))
                    .collect();
                a.insert("tag_specifications", Json::Array(specifications));
            }
            a.tags();
        }
        _ => return false,
    }
    true
}

/// The EBS settings of a machine's root volume, as `aws_instance.root_block_device` and
/// `aws_launch_template`'s `ebs` block both name them.
fn root_volume(a: &mut Attrs) -> Option<Map<String, Json>> {
    let Some(Value::Map(root)) = a.resource.get("root_volume") else {
        return None;
    };
    let mut block = Map::new();
    for (from, to) in [
        ("volume_type", "volume_type"),
        ("size_gib", "volume_size"),
        ("encrypted", "encrypted"),
    ] {
        if let Some((_, v)) = root.iter().find(|(k, _)| k == from) {
            block.insert(to.into(), a.value(v));
        }
    }
    Some(block)
}

/// `metadata_options` requiring IMDSv2 session tokens, unless the builder opted out.
fn metadata_options(a: &mut Attrs) {
    if a.resource.get("require_imdsv2").and_then(Value::as_bool) == Some(true) {
        a.insert(
            "metadata_options",
            json!({ "http_endpoint": "enabled", "http_tokens": "required" }),
        );
    }
}
