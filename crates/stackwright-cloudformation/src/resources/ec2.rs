//! EC2 networking and compute.

use super::{Attribute, Lowering, Props, Secondary, Service};
use serde_json::{json, Map, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::Value;

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    Some(match (kind, attr) {
        (kinds::SECURITY_GROUP, "id") => Attribute::GetAtt("GroupId"),
        (kinds::LAUNCH_TEMPLATE, "id") => Attribute::Ref,
        (kinds::LAUNCH_TEMPLATE, "latest_version") => Attribute::GetAtt("LatestVersionNumber"),
        (kinds::LAUNCH_TEMPLATE, "default_version") => Attribute::GetAtt("DefaultVersionNumber"),
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
        kinds::LAUNCH_TEMPLATE => {
            machine(p);
            if let Some(Value::Map(profile)) = resource.get("instance_profile") {
                let mut out = Map::new();
                for (key, value) in profile {
                    let name = if key == "arn" { "Arn" } else { "Name" };
                    out.insert(name.into(), p.value(value));
                }
                p.insert("IamInstanceProfile", Json::Object(out));
            }
            // The instance's settings, lowered like an instance's, are the template's data.
            let mut data = std::mem::take(&mut p.out);
            let tags = p.tag_list();
            if !tags.is_empty() {
                // What the template launches carries the tags too: an auto scaling group's tags reach
                // its instances but not their volumes, and an instance launched directly gets none.
                data.insert(
                    "TagSpecifications".into(),
                    json!(launched_tag_specifications(&tags)),
                );
            }
            p.insert("LaunchTemplateData", Json::Object(data));
            if !tags.is_empty() {
                p.insert(
                    "TagSpecifications",
                    json!([{ "ResourceType": "launch-template", "Tags": tags }]),
                );
            }
            "AWS::EC2::LaunchTemplate"
        }
        _ => return None,
    })
}

/// The settings of a launch template's data (an instance's, in the same CloudFormation names).
fn machine(p: &mut Props) {
    let resource = p.resource;
    p.copy("image_id", "ImageId");
    p.copy("instance_type", "InstanceType");
    p.copy("subnet_id", "SubnetId");
    p.copy("security_group_ids", "SecurityGroupIds");
    if let Some(Value::Map(root)) = resource.get("root_volume") {
        let field = |k: &str| root.iter().find(|(key, _)| key == k).map(|(_, v)| v);
        let mut ebs = Map::new();
        for (from, to) in [
            ("volume_type", "VolumeType"),
            ("size_gib", "VolumeSize"),
            ("encrypted", "Encrypted"),
        ] {
            if let Some(v) = field(from) {
                ebs.insert(to.into(), p.value(v));
            }
        }
        let device = field("device_name")
            .map(|v| p.value(v))
            .unwrap_or(Json::Null);
        p.insert(
            "BlockDeviceMappings",
            json!([{ "DeviceName": device, "Ebs": ebs }]),
        );
    }
    if resource.get("require_imdsv2").and_then(Value::as_bool) == Some(true) {
        p.insert(
            "MetadataOptions",
            json!({ "HttpEndpoint": "enabled", "HttpTokens": "required" }),
        );
    }
    if let Some(user_data) = resource.get("user_data") {
        let text = p.value(user_data);
        p.insert("UserData", json!({ "Fn::Base64": text }));
    }
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

/// The resource types a launch template tags at launch, each with the template's tags: instances and
/// their EBS volumes, which no other tag reaches.
const LAUNCHED_RESOURCE_TYPES: [&str; 2] = ["instance", "volume"];

fn launched_tag_specifications(tags: &[Json]) -> Vec<Json> {
    LAUNCHED_RESOURCE_TYPES
        .iter()
        .map(|t| json!({ "ResourceType": t, "Tags": tags }))
        .collect()
}
