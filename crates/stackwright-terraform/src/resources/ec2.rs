//! EC2 networking and compute.

use super::{Attrs, Secondary, Service};
use crate::names::{rule_name, unique_in};
use serde_json::{Map, Value as Json};
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
        _ => return None,
    })
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    block_type(kind)?;
    Some(match (kind, attr) {
        (_, "id") => "id",
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
        _ => return false,
    }
    true
}
