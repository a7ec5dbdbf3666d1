//! Elastic Load Balancing v2: listeners.

use super::{Attribute, Lowering, Props, Secondary, Service};
use serde_json::{json, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::Value;

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    Some(match (kind, attr) {
        (kinds::LISTENER, "arn") => Attribute::Ref,
        _ => return None,
    })
}

fn lower(_: &Lowering, _: &str, p: &mut Props, _: &mut Secondary) -> Option<&'static str> {
    let resource = p.resource;
    Some(match resource.kind {
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
