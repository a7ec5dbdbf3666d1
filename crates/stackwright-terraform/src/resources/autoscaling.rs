//! EC2 Auto Scaling.

use super::{Attrs, Secondary, Service};
use serde_json::{json, Value as Json};
use stackwright_aws::kinds;

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    (kind == kinds::AUTO_SCALING_GROUP).then_some(("aws_autoscaling_group", false))
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    block_type(kind)?;
    match attr {
        "name" => Some("name"),
        "arn" => Some("arn"),
        _ => None,
    }
}

fn lower(_: &str, a: &mut Attrs, _: &mut Secondary) -> bool {
    let resource = a.resource;
    if resource.kind != kinds::AUTO_SCALING_GROUP {
        return false;
    }
    a.copy("min_size", "min_size");
    a.copy("max_size", "max_size");
    a.copy("desired_capacity", "desired_capacity");
    let template = resource.get("launch_template_id").map(|v| a.value(v));
    let version = resource.get("launch_template_version").map(|v| a.value(v));
    a.insert(
        "launch_template",
        json!({ "id": template, "version": version }),
    );
    a.copy("subnets", "vpc_zone_identifier");
    a.copy("target_group_arns", "target_group_arns");
    a.copy("health_check_type", "health_check_type");
    a.copy("health_check_grace_period", "health_check_grace_period");
    // The provider's `default_tags` do not reach auto scaling groups: every tag is a `tag` block,
    // propagated to the instances the group launches.
    let tags: Vec<Json> = a
        .merged_tags()
        .into_iter()
        .map(|(key, value)| json!({ "key": key, "value": value, "propagate_at_launch": true }))
        .collect();
    if !tags.is_empty() {
        a.insert("tag", Json::Array(tags));
    }
    true
}
