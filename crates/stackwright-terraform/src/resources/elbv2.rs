//! Elastic Load Balancing v2: listeners.

use super::{acm, Attrs, Secondary, Service};
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
        kinds::LISTENER => ("aws_lb_listener", false),
        _ => return None,
    })
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    block_type(kind)?;
    Some(match (kind, attr) {
        (_, "arn") => "arn",
        _ => return None,
    })
}

fn lower(_: &str, a: &mut Attrs, out: &mut Secondary) -> bool {
    let resource = a.resource;
    match resource.kind {
        kinds::LISTENER => {
            a.copy("load_balancer_arn", "load_balancer_arn");
            a.copy("protocol", "protocol");
            a.copy("port", "port");
            a.copy("certificate_arn", "certificate_arn");
            a.copy("ssl_policy", "ssl_policy");
            if let Some(action) = resource.get("default_action") {
                let action = lower_action(a, action);
                a.insert("default_action", json!([action]));
            }
            if let Some(Value::Str(arn)) = resource.get("certificate_arn") {
                // The listener cannot use a certificate that is still pending validation.
                out.depends_on
                    .extend(acm::validation_address(a.lowering, arn));
            }
            a.tags();
        }
        _ => return false,
    }
    true
}

/// The fields of a neutral map that are set, renamed.
fn sub_block(a: &mut Attrs, map: &Value, fields: &[(&str, &str)]) -> Map<String, Json> {
    fields
        .iter()
        .filter_map(|(from, to)| Some(((*to).to_owned(), a.value(map.get(from)?))))
        .collect()
}

/// Lowers a neutral action; a forward to one unweighted group keeps the short `target_group_arn` form.
fn lower_action(a: &mut Attrs, action: &Value) -> Json {
    let kind = action.get("type").map(|v| a.value(v)).unwrap_or(Json::Null);
    let mut out = Map::new();
    out.insert("type".into(), kind.clone());
    match kind.as_str() {
        Some("forward") => {
            let groups = action
                .get("target_groups")
                .and_then(Value::as_list)
                .unwrap_or_default();
            match groups {
                [group] if group.get("weight").is_none() => {
                    let arn = group.get("arn").map(|v| a.value(v));
                    out.insert("target_group_arn".into(), json!(arn));
                }
                _ => {
                    let groups: Vec<Json> = groups
                        .iter()
                        .map(|group| {
                            Json::Object(sub_block(
                                a,
                                group,
                                &[("arn", "arn"), ("weight", "weight")],
                            ))
                        })
                        .collect();
                    let mut forward = json!({ "target_group": groups });
                    if let Some(duration) = action.get("stickiness_seconds") {
                        forward["stickiness"] =
                            json!({ "enabled": true, "duration": a.value(duration) });
                    }
                    out.insert("forward".into(), forward);
                }
            }
        }
        Some("redirect") => {
            let fields = [
                ("protocol", "protocol"),
                ("port", "port"),
                ("status_code", "status_code"),
            ];
            out.insert(
                "redirect".into(),
                Json::Object(sub_block(a, action, &fields)),
            );
        }
        _ => {
            let fields = [
                ("content_type", "content_type"),
                ("message_body", "message_body"),
                ("status_code", "status_code"),
            ];
            out.insert(
                "fixed_response".into(),
                Json::Object(sub_block(a, action, &fields)),
            );
        }
    }
    Json::Object(out)
}
