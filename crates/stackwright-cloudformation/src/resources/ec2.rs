//! EC2 networking and compute.

use super::{Attribute, Lowering, Props, Secondary, Service};
use serde_json::{json, Map, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::Value;

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    Some(match (kind, attr) {
        (kinds::SECURITY_GROUP, "id") => Attribute::GetAtt("GroupId"),
        _ => return None,
    })
}

/// Lowers an EC2 kind into `p` (and secondary resources into `out`); returns its CloudFormation type.
fn lower(_: &Lowering, _: &str, p: &mut Props, _: &mut Secondary) -> Option<&'static str> {
    let resource = p.resource;
    Some(match resource.kind {
        kinds::SECURITY_GROUP => {
            p.copy("description", "GroupDescription");
            if let Some(name) = resource.physical_name() {
                p.insert("GroupName", name.into());
            }
            p.copy("vpc_id", "VpcId");
            let ingress = security_group_rules(p, "ingress", "SourceSecurityGroupId");
            if !ingress.is_empty() {
                p.insert("SecurityGroupIngress", Json::Array(ingress));
            }
            let mut egress = security_group_rules(p, "egress", "DestinationSecurityGroupId");
            if egress.is_empty() {
                // Without an egress rule CloudFormation keeps EC2's allow-all default; this rule matches
                // no traffic, so a group without egress rules is closed, as in Terraform.
                egress.push(json!({
                    "CidrIp": "255.255.255.255/32",
                    "Description": "Disallow all traffic",
                    "FromPort": 252,
                    "IpProtocol": "icmp",
                    "ToPort": 86,
                }));
            }
            p.insert("SecurityGroupEgress", Json::Array(egress));
            "AWS::EC2::SecurityGroup"
        }
        _ => return None,
    })
}

/// Lowers the neutral rules of a security group direction; `group_key` names the peer-group property.
fn security_group_rules(p: &mut Props, direction: &str, group_key: &str) -> Vec<Json> {
    let Some(rules) = p.resource.get(direction).and_then(Value::as_list) else {
        return Vec::new();
    };
    rules
        .iter()
        .map(|rule| {
            let mut out = Map::new();
            let protocol = rule
                .get("protocol")
                .map(|v| p.value(v))
                .unwrap_or(Json::Null);
            let all_traffic = protocol == "-1";
            out.insert("IpProtocol".into(), protocol);
            if !all_traffic {
                for (from, to) in [("from_port", "FromPort"), ("to_port", "ToPort")] {
                    if let Some(v) = rule.get(from) {
                        out.insert(to.into(), p.value(v));
                    }
                }
            }
            for (from, to) in [
                ("cidr_ipv4", "CidrIp"),
                ("security_group_id", group_key),
                ("description", "Description"),
            ] {
                if let Some(v) = rule.get(from) {
                    out.insert(to.into(), p.value(v));
                }
            }
            Json::Object(out)
        })
        .collect()
}
