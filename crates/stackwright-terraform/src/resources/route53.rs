//! Route 53 DNS: hosted zones.

use super::{Attrs, Secondary, Service};
use serde_json::{json, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::{RemovalPolicy, Value};

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        kinds::HOSTED_ZONE => ("aws_route53_zone", false),
        _ => return None,
    })
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    Some(match (kind, attr) {
        (kinds::HOSTED_ZONE, "id") => "zone_id",
        _ => return None,
    })
}

fn lower(_: &str, a: &mut Attrs, _: &mut Secondary) -> bool {
    let resource = a.resource;
    match resource.kind {
        kinds::HOSTED_ZONE => {
            a.copy("name", "name");
            a.copy("comment", "comment");
            if resource.removal_policy == RemovalPolicy::Destroy {
                // `terraform destroy` deletes records Terraform does not manage too (AWS refuses to delete
                // a zone that holds any besides its NS and SOA records).
                a.insert("force_destroy", Json::Bool(true));
            }
            if let Some(vpcs) = resource.get("vpcs").and_then(Value::as_list) {
                let vpcs: Vec<Json> = vpcs
                    .iter()
                    .map(|vpc| json!({ "vpc_id": a.value(vpc) }))
                    .collect();
                a.insert("vpc", Json::Array(vpcs));
            }
            a.tags();
        }
        _ => return false,
    }
    true
}
