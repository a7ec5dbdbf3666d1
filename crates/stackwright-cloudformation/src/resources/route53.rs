//! Route 53 DNS: hosted zones and records.

use super::{Attribute, Lowering, Props, Secondary, Service};
use serde_json::{json, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::{Expr, Value};

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    Some(match (kind, attr) {
        (kinds::HOSTED_ZONE, "id") => Attribute::Ref,
        (kinds::RECORD, "name") => Attribute::Ref,
        _ => return None,
    })
}

fn lower(l: &Lowering, _: &str, p: &mut Props, _: &mut Secondary) -> Option<&'static str> {
    let resource = p.resource;
    Some(match resource.kind {
        kinds::HOSTED_ZONE => {
            p.copy("name", "Name");
            if let Some(comment) = resource.get("comment") {
                let comment = p.value(comment);
                p.insert("HostedZoneConfig", json!({ "Comment": comment }));
            }
            if let Some(vpcs) = resource.get("vpcs").and_then(Value::as_list) {
                // A private zone's VPCs are in the environment's region.
                let vpcs = vpcs
                    .iter()
                    .map(|vpc| json!({ "VPCId": p.value(vpc), "VPCRegion": l.env.region }))
                    .collect();
                p.insert("VPCs", Json::Array(vpcs));
            }
            "AWS::Route53::HostedZone"
        }
        kinds::RECORD => {
            p.copy("hosted_zone_id", "HostedZoneId");
            p.copy("name", "Name");
            p.copy("type", "Type");
            if let Some(alias) = resource.get("alias") {
                let target = |p: &mut Props, key: &str| alias.get(key).map(|v| p.value(v));
                let alias = json!({
                    "DNSName": target(p, "dns_name"),
                    "HostedZoneId": target(p, "hosted_zone_id"),
                    "EvaluateTargetHealth": target(p, "evaluate_target_health"),
                });
                p.insert("AliasTarget", alias);
            }
            if let Some(ttl) = resource.get("ttl").and_then(Value::as_int) {
                // A string in CloudFormation's schema.
                p.insert("TTL", Json::String(ttl.to_string()));
            }
            let txt = resource.get("type").and_then(Value::as_expr) == Some(&Expr::from("TXT"));
            if let Some(values) = resource.get("values").and_then(Value::as_list) {
                let values = values
                    .iter()
                    .map(|value| match value.as_expr() {
                        // Route 53 takes TXT data as quoted character strings.
                        Some(text) if txt => p.expr(&quoted(text)),
                        _ => p.value(value),
                    })
                    .collect();
                p.insert("ResourceRecords", Json::Array(values));
            }
            "AWS::Route53::RecordSet"
        }
        _ => return None,
    })
}

/// `text` as one DNS character string: in double quotes, with `"` and `\` escaped in literal parts.
fn quoted(text: &Expr) -> Expr {
    let escape = |part: &Expr| match part {
        Expr::Literal(s) => Expr::from(s.replace('\\', "\\\\").replace('"', "\\\"")),
        other => other.clone(),
    };
    let parts = match text {
        Expr::Concat(parts) => parts.iter().map(escape).collect(),
        single => vec![escape(single)],
    };
    Expr::concat(
        std::iter::once(Expr::from("\""))
            .chain(parts)
            .chain(std::iter::once(Expr::from("\""))),
    )
}
