//! Route 53 DNS: hosted zones.

use super::{Attribute, Lowering, Props, Secondary, Service};
use serde_json::{json, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::Value;

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    Some(match (kind, attr) {
        (kinds::HOSTED_ZONE, "id") => Attribute::Ref,
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
        _ => return None,
    })
}
