//! CloudWatch Logs, and VPC flow logs (an EC2 type) delivered to it.

use super::{Attrs, Secondary, Service};
use stackwright_aws::kinds;

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        kinds::LOGS_LOG_GROUP => ("aws_cloudwatch_log_group", false),
        kinds::EC2_FLOW_LOG => ("aws_flow_log", false),
        _ => return None,
    })
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    match (kind, attr) {
        (kinds::LOGS_LOG_GROUP, "name") => Some("name"),
        (kinds::EC2_FLOW_LOG, "id") => Some("id"),
        _ => None,
    }
}

fn lower(_: &str, a: &mut Attrs, _: &mut Secondary) -> bool {
    if a.resource.kind == kinds::EC2_FLOW_LOG {
        a.copy("vpc_id", "vpc_id");
        a.copy("traffic_type", "traffic_type");
        a.insert("log_destination_type", "cloud-watch-logs".into());
        a.copy("log_destination", "log_destination");
        a.copy("deliver_logs_role_arn", "iam_role_arn");
        a.copy("max_aggregation_interval", "max_aggregation_interval");
        a.tags();
        return true;
    }
    if a.resource.kind != kinds::LOGS_LOG_GROUP {
        return false;
    }
    a.physical_name("name");
    a.copy("retention_days", "retention_in_days");
    if a.resource.get("retention_days").is_none() {
        let forever = "events are kept forever on purpose (`.retain_forever()`)";
        a.checkov_skip("CKV_AWS_66", forever);
        a.checkov_skip("CKV_AWS_338", forever);
    }
    a.copy("kms_key_id", "kms_key_id");
    if a.resource.get("kms_key_id").is_none() {
        a.checkov_skip(
            "CKV_AWS_158",
            "CloudWatch Logs encrypts at rest with a service key; opt in to a customer managed key \
             with `.encryption_key(&key)`",
        );
    }
    a.tags();
    true
}
