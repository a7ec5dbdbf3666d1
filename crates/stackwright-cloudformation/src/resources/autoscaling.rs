//! EC2 Auto Scaling.

use super::{Attribute, Lowering, Props, Secondary, Service};
use serde_json::{json, Map, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::{Expr, Value};

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    Some(match (kind, attr) {
        (kinds::AUTO_SCALING_GROUP, "name") => Attribute::Ref,
        (kinds::AUTO_SCALING_GROUP, "arn") => Attribute::GetAtt("AutoScalingGroupARN"),
        (kinds::SCALING_POLICY, "arn") => Attribute::GetAtt("Arn"),
        _ => return None,
    })
}

fn lower(_: &Lowering, _: &str, p: &mut Props, out: &mut Secondary) -> Option<&'static str> {
    let resource = p.resource;
    match resource.kind {
        kinds::AUTO_SCALING_GROUP => {}
        kinds::SCALING_POLICY => return Some(scaling_policy(p)),
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
        out.attributes.push(("UpdatePolicy", update_policy(policy)));
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

fn scaling_policy(p: &mut Props) -> &'static str {
    let resource = p.resource;
    p.copy("group_name", "AutoScalingGroupName");
    p.copy("policy_type", "PolicyType");
    p.copy("adjustment_type", "AdjustmentType");
    p.copy("estimated_instance_warmup", "EstimatedInstanceWarmup");
    if let Some(metric) = resource.get("predefined_metric") {
        let mut spec = Map::new();
        if let Some(kind) = metric.get("type") {
            spec.insert("PredefinedMetricType".into(), p.value(kind));
        }
        if let Some(label) = metric.get("resource_label") {
            spec.insert("ResourceLabel".into(), p.value(label));
        }
        let target = resource
            .get("target_value")
            .and_then(Value::as_expr)
            .and_then(Expr::as_literal)
            .unwrap_or_default();
        let mut config = Map::new();
        config.insert("PredefinedMetricSpecification".into(), Json::Object(spec));
        config.insert("TargetValue".into(), super::number(target));
        if let Some(flag) = resource.get("disable_scale_in").and_then(Value::as_bool) {
            config.insert("DisableScaleIn".into(), Json::Bool(flag));
        }
        p.insert("TargetTrackingConfiguration", Json::Object(config));
    }
    if let Some(Value::List(steps)) = resource.get("steps") {
        let steps: Vec<Json> = steps
            .iter()
            .map(|step| {
                let mut out = Map::new();
                for (from, to) in [
                    ("lower_bound", "MetricIntervalLowerBound"),
                    ("upper_bound", "MetricIntervalUpperBound"),
                    ("adjustment", "ScalingAdjustment"),
                ] {
                    if let Some(v) = step.get(from) {
                        out.insert(to.into(), p.value(v));
                    }
                }
                Json::Object(out)
            })
            .collect();
        p.insert("StepAdjustments", Json::Array(steps));
    }
    "AWS::AutoScaling::ScalingPolicy"
}
