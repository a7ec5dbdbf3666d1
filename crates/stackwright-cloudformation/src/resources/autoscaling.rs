//! EC2 Auto Scaling.

use super::{Attribute, Lowering, Props, Secondary, Service};
use serde_json::{json, Value as Json};
use stackwright_aws::kinds;

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    Some(match (kind, attr) {
        (kinds::AUTO_SCALING_GROUP, "name") => Attribute::Ref,
        (kinds::AUTO_SCALING_GROUP, "arn") => Attribute::GetAtt("AutoScalingGroupARN"),
        _ => return None,
    })
}

fn lower(_: &Lowering, _: &str, p: &mut Props, _: &mut Secondary) -> Option<&'static str> {
    let resource = p.resource;
    if resource.kind != kinds::AUTO_SCALING_GROUP {
        return None;
    }
    // Sizes are strings in CloudFormation's schema.
    for (from, to) in [
        ("min_size", "MinSize"),
        ("max_size", "MaxSize"),
        ("desired_capacity", "DesiredCapacity"),
    ] {
        if let Some(size) = resource.get(from).and_then(|v| v.as_int()) {
            p.insert(to, Json::String(size.to_string()));
        }
    }
    let template = resource.get("launch_template_id").map(|v| p.value(v));
    let version = resource.get("launch_template_version").map(|v| p.value(v));
    p.insert(
        "LaunchTemplate",
        json!({ "LaunchTemplateId": template, "Version": version }),
    );
    p.copy("subnets", "VPCZoneIdentifier");
    p.copy("target_group_arns", "TargetGroupARNs");
    p.copy("health_check_type", "HealthCheckType");
    p.copy("health_check_grace_period", "HealthCheckGracePeriod");
    Some("AWS::AutoScaling::AutoScalingGroup")
}
