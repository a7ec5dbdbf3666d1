//! Route 53 DNS: hosted zones and records.

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
        kinds::RECORD => ("aws_route53_record", false),
        _ => return None,
    })
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    Some(match (kind, attr) {
        (kinds::HOSTED_ZONE, "id") => "zone_id",
        (kinds::RECORD, "name") => "fqdn",
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
        kinds::RECORD => {
            a.copy("hosted_zone_id", "zone_id");
            a.copy("name", "name");
            a.copy("type", "type");
            a.copy("ttl", "ttl");
            // TXT values stay unquoted: the provider adds the quotes Route 53 wants.
            a.copy("values", "records");
            if let Some(alias) = resource.get("alias") {
                let mut field = |key: &str| alias.get(key).map(|v| a.value(v));
                let block = json!({
                    "name": field("dns_name"),
                    "zone_id": field("hosted_zone_id"),
                    "evaluate_target_health": field("evaluate_target_health"),
                });
                a.insert("alias", block);
            }
        }
        _ => return false,
    }
    true
}
