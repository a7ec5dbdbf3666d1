//! Elastic Load Balancing v2: target groups, listeners and listener rules.

use super::{Attribute, Lowering, Props, Secondary, Service};
use serde_json::{json, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::Value;

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    Some(match (kind, attr) {
        (kinds::TARGET_GROUP | kinds::LISTENER | kinds::LISTENER_RULE, "arn") => Attribute::Ref,
        (kinds::TARGET_GROUP, "full_name") => Attribute::GetAtt("TargetGroupFullName"),
        (kinds::TARGET_GROUP, "name") => Attribute::GetAtt("TargetGroupName"),
        _ => return None,
    })
}

fn lower(_: &Lowering, _: &str, p: &mut Props, _: &mut Secondary) -> Option<&'static str> {
    let resource = p.resource;
    Some(match resource.kind {
        kinds::TARGET_GROUP => {
            p.physical_name("Name");
            p.copy("protocol", "Protocol");
            p.copy("port", "Port");
            p.copy("vpc_id", "VpcId");
            p.copy("target_type", "TargetType");
            if let Some(check) = resource.get("health_check") {
                for (from, to) in [
                    ("enabled", "HealthCheckEnabled"),
                    ("protocol", "HealthCheckProtocol"),
                    ("path", "HealthCheckPath"),
                    ("port", "HealthCheckPort"),
                    ("interval_seconds", "HealthCheckIntervalSeconds"),
                    ("timeout_seconds", "HealthCheckTimeoutSeconds"),
                    ("healthy_threshold", "HealthyThresholdCount"),
                    ("unhealthy_threshold", "UnhealthyThresholdCount"),
                ] {
                    if let Some(v) = check.get(from) {
                        let lowered = p.value(v);
                        p.insert(to, lowered);
                    }
                }
                if let Some(codes) = check.get("success_codes") {
                    let codes = p.value(codes);
                    p.insert("Matcher", json!({ "HttpCode": codes }));
                }
            }
            let mut attributes = Attributes::default();
            attributes.number(
                p,
                "deregistration_delay_seconds",
                "deregistration_delay.timeout_seconds",
            );
            if let Some(stickiness) = resource.get("stickiness") {
                attributes.push("stickiness.enabled", Json::from("true"));
                let kind = stickiness.get("type").map(|v| p.value(v));
                let kind = kind.as_ref().and_then(Json::as_str).unwrap_or_default();
                attributes.push("stickiness.type", Json::from(kind));
                if let Some(Value::Int(duration)) = stickiness.get("duration_seconds") {
                    let key = format!("stickiness.{kind}.duration_seconds");
                    attributes.push(&key, Json::from(duration.to_string()));
                }
                if let Some(name) = stickiness.get("cookie_name") {
                    attributes.push("stickiness.app_cookie.cookie_name", p.value(name));
                }
            }
            attributes.insert(p, "TargetGroupAttributes");
            "AWS::ElasticLoadBalancingV2::TargetGroup"
        }
        kinds::LISTENER => {
            p.copy("load_balancer_arn", "LoadBalancerArn");
            p.copy("protocol", "Protocol");
            p.copy("port", "Port");
            if let Some(arn) = resource.get("certificate_arn") {
                let arn = p.value(arn);
                p.insert("Certificates", json!([{ "CertificateArn": arn }]));
            }
            p.copy("ssl_policy", "SslPolicy");
            if let Some(action) = resource.get("default_action") {
                let action = lower_action(p, action);
                p.insert("DefaultActions", json!([action]));
            }
            "AWS::ElasticLoadBalancingV2::Listener"
        }
        kinds::LISTENER_RULE => {
            p.copy("listener_arn", "ListenerArn");
            p.copy("priority", "Priority");
            let conditions = resource
                .get("conditions")
                .and_then(Value::as_list)
                .unwrap_or_default();
            let conditions = conditions
                .iter()
                .map(|condition| {
                    let field = condition.get("field").map(|v| p.value(v));
                    let values = condition.get("values").map(|v| p.value(v));
                    match field.as_ref().and_then(Json::as_str) {
                        Some("http-header") => {
                            let name = condition.get("header").map(|v| p.value(v));
                            json!({ "Field": field, "HttpHeaderConfig": {
                                "HttpHeaderName": name, "Values": values } })
                        }
                        Some("query-string") => {
                            let pairs = condition.get("pairs").and_then(Value::as_list);
                            let pairs: Vec<Json> = pairs
                                .unwrap_or_default()
                                .iter()
                                .map(|pair| {
                                    let mut out = serde_json::Map::new();
                                    for (from, to) in [("key", "Key"), ("value", "Value")] {
                                        if let Some(v) = pair.get(from) {
                                            out.insert(to.into(), p.value(v));
                                        }
                                    }
                                    Json::Object(out)
                                })
                                .collect();
                            json!({ "Field": field, "QueryStringConfig": { "Values": pairs } })
                        }
                        Some("host-header") => {
                            json!({ "Field": field, "HostHeaderConfig": { "Values": values } })
                        }
                        _ => json!({ "Field": field, "PathPatternConfig": { "Values": values } }),
                    }
                })
                .collect();
            p.insert("Conditions", Json::Array(conditions));
            if let Some(action) = resource.get("action") {
                let action = lower_action(p, action);
                p.insert("Actions", json!([action]));
            }
            "AWS::ElasticLoadBalancingV2::ListenerRule"
        }
        _ => return None,
    })
}

/// Lowers a neutral action; a forward to one unweighted group keeps the short `TargetGroupArn` form.
fn lower_action(p: &mut Props, action: &Value) -> Json {
    let field = |p: &mut Props, key: &str| action.get(key).map(|v| p.value(v));
    match action
        .get("type")
        .and_then(Value::as_expr)
        .and_then(|e| e.as_literal())
    {
        Some("forward") => {
            let groups = action
                .get("target_groups")
                .and_then(Value::as_list)
                .unwrap_or_default();
            match groups {
                [group] if group.get("weight").is_none() => {
                    let arn = group.get("arn").map(|v| p.value(v));
                    json!({ "Type": "forward", "TargetGroupArn": arn })
                }
                _ => {
                    let groups: Vec<Json> = groups
                        .iter()
                        .map(|group| {
                            let arn = group.get("arn").map(|v| p.value(v));
                            let weight = group.get("weight").map(|v| p.value(v));
                            json!({ "TargetGroupArn": arn, "Weight": weight })
                        })
                        .collect();
                    let mut config = json!({ "TargetGroups": groups });
                    if let Some(duration) = action.get("stickiness_seconds") {
                        config["TargetGroupStickinessConfig"] =
                            json!({ "Enabled": true, "DurationSeconds": p.value(duration) });
                    }
                    json!({ "Type": "forward", "ForwardConfig": config })
                }
            }
        }
        Some("redirect") => json!({
            "Type": "redirect",
            "RedirectConfig": {
                "Protocol": field(p, "protocol"),
                "Port": field(p, "port"),
                "StatusCode": field(p, "status_code"),
            },
        }),
        _ => json!({
            "Type": "fixed-response",
            "FixedResponseConfig": {
                "StatusCode": field(p, "status_code"),
                "ContentType": field(p, "content_type"),
                "MessageBody": field(p, "message_body"),
            },
        }),
    }
}

/// `TargetGroupAttributes`: `{"Key", "Value"}` pairs whose values are strings.
#[derive(Default)]
struct Attributes(Vec<Json>);

impl Attributes {
    fn push(&mut self, key: &str, value: Json) {
        self.0.push(json!({ "Key": key, "Value": value }));
    }

    /// A number property as its decimal text, when set.
    fn number(&mut self, p: &Props, from: &str, key: &str) {
        if let Some(number) = p.resource.get(from).and_then(Value::as_int) {
            self.push(key, Json::from(number.to_string()));
        }
    }

    fn insert(self, p: &mut Props, property: &str) {
        if !self.0.is_empty() {
            p.insert(property, Json::Array(self.0));
        }
    }
}
