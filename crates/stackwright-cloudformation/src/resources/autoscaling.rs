//! EC2 Auto Scaling.

use super::{Attribute, Lowering, Props, Secondary, Service};
use serde_json::{json, Map, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::Value;

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    Some(match (kind, attr) {
        (kinds::AUTO_SCALING_GROUP, "name") => Attribute::Ref,
        (kinds::AUTO_SCALING_GROUP, "arn") => Attribute::GetAtt("AutoScalingGroupARN"),
        _ => return None,
    })
}

fn lower(_: &Lowering, _: &str, p: &mut Props, out: &mut Secondary) -> Option<&'static str> {
    let resource = p.resource;
    match resource.kind {
        kinds::AUTO_SCALING_GROUP => {}
        _ => return None,
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
    p.copy("default_instance_warmup", "DefaultInstanceWarmup");
    if let Some(Value::List(hooks)) = resource.get("lifecycle_hooks") {
        let hooks: Vec<Json> = hooks
            .iter()
            .map(|hook| {
                let mut field = |key| hook.get(key).map(|v| p.value(v));
                json!({
                    "LifecycleHookName": field("name"),
                    "LifecycleTransition": field("transition"),
                    "HeartbeatTimeout": field("heartbeat_timeout"),
                    "DefaultResult": field("default_result"),
                })
            })
            .collect();
        p.insert("LifecycleHookSpecificationList", Json::Array(hooks));
    }
    if let Some(policy) = resource.get("update_policy") {
        out.attributes
            .push(("UpdatePolicy".to_owned(), update_policy(policy)));
    }
    Some("AWS::AutoScaling::AutoScalingGroup")
}

/// `UpdatePolicy`: `AutoScalingRollingUpdate` or `AutoScalingReplacingUpdate`.
fn update_policy(policy: &Value) -> Json {
    let int = |key| policy.get(key).and_then(Value::as_int);
    let kind = policy
        .get("type")
        .and_then(Value::as_expr)
        .and_then(|e| e.as_literal());
    if kind == Some("replacing") {
        return json!({ "AutoScalingReplacingUpdate": { "WillReplace": true } });
    }
    let mut rolling = Map::new();
    rolling.insert("MaxBatchSize".into(), json!(int("max_batch_size")));
    rolling.insert(
        "MinInstancesInService".into(),
        json!(int("min_instances_in_service")),
    );
    if let Some(pause) = int("pause_seconds") {
        rolling.insert("PauseTime".into(), json!(format!("PT{pause}S")));
    }
    if policy.get("wait_on_signals").and_then(Value::as_bool) == Some(true) {
        rolling.insert("WaitOnResourceSignals".into(), json!(true));
    }
    json!({ "AutoScalingRollingUpdate": rolling })
}
