//! EC2 Auto Scaling.

use super::{Attrs, Secondary, Service};
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
        kinds::AUTO_SCALING_GROUP => ("aws_autoscaling_group", false),
        _ => return None,
    })
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    match (kind, attr) {
        (kinds::AUTO_SCALING_GROUP, "name") => Some("name"),
        (kinds::AUTO_SCALING_GROUP, "arn") => Some("arn"),
        _ => None,
    }
}

fn lower(_: &str, a: &mut Attrs, _: &mut Secondary) -> bool {
    let resource = a.resource;
    match resource.kind {
        kinds::AUTO_SCALING_GROUP => {}
        _ => return false,
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
    a.copy("default_instance_warmup", "default_instance_warmup");
    if let Some(Value::List(hooks)) = resource.get("lifecycle_hooks") {
        let hooks: Vec<Json> = hooks
            .iter()
            .map(|hook| {
                let mut field = |key| hook.get(key).map(|v| a.value(v));
                json!({
                    "name": field("name"),
                    "lifecycle_transition": field("transition"),
                    "heartbeat_timeout": field("heartbeat_timeout"),
                    "default_result": field("default_result"),
                })
            })
            .collect();
        a.insert("initial_lifecycle_hook", Json::Array(hooks));
    }
    if let Some(policy) = resource.get("update_policy") {
        a.insert("instance_refresh", instance_refresh(policy));
    }
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

/// The update policy as an `instance_refresh` block, which the provider starts when the launch template
/// or its version changes. A replacing update launches every replacement before terminating (min 100 %,
/// max 200 % healthy); a rolling one keeps `min_healthy_percentage` and waits the pause per instance.
fn instance_refresh(policy: &Value) -> Json {
    let int = |key| policy.get(key).and_then(Value::as_int);
    let kind = policy
        .get("type")
        .and_then(Value::as_expr)
        .and_then(|e| e.as_literal());
    let mut preferences = Map::new();
    if kind == Some("replacing") {
        preferences.insert("min_healthy_percentage".into(), json!(100));
        preferences.insert("max_healthy_percentage".into(), json!(200));
    } else {
        preferences.insert(
            "min_healthy_percentage".into(),
            json!(int("min_healthy_percentage")),
        );
        if let Some(pause) = int("pause_seconds") {
            // A string of seconds in the provider's schema.
            preferences.insert("instance_warmup".into(), json!(pause.to_string()));
        }
    }
    json!({ "strategy": "Rolling", "preferences": preferences })
}
