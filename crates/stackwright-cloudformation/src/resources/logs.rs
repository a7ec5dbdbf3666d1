//! CloudWatch Logs, and VPC flow logs (an EC2 type) delivered to it.

use super::{Attribute, Lowering, Props, Secondary, Service};
use stackwright_aws::kinds;

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    match (kind, attr) {
        (kinds::LOGS_LOG_GROUP, "name") | (kinds::EC2_FLOW_LOG, "id") => Some(Attribute::Ref),
        _ => None,
    }
}

fn lower(_: &Lowering, _: &str, p: &mut Props, _: &mut Secondary) -> Option<&'static str> {
    if p.resource.kind == kinds::EC2_FLOW_LOG {
        p.copy("vpc_id", "ResourceId");
        p.insert("ResourceType", "VPC".into());
        p.copy("traffic_type", "TrafficType");
        p.insert("LogDestinationType", "cloud-watch-logs".into());
        p.copy("log_destination", "LogDestination");
        p.copy("deliver_logs_role_arn", "DeliverLogsPermissionArn");
        p.copy("max_aggregation_interval", "MaxAggregationInterval");
        return Some("AWS::EC2::FlowLog");
    }
    if p.resource.kind != kinds::LOGS_LOG_GROUP {
        return None;
    }
    p.physical_name("LogGroupName");
    p.copy("retention_days", "RetentionInDays");
    if p.resource.get("retention_days").is_none() {
        p.checkov_skip(
            "CKV_AWS_66",
            "events are kept forever on purpose (`.retain_forever()`)",
        );
    }
    p.copy("kms_key_id", "KmsKeyId");
    if p.resource.get("kms_key_id").is_none() {
        p.checkov_skip(
            "CKV_AWS_158",
            "CloudWatch Logs encrypts at rest with a service key; opt in to a customer managed key \
             with `.encryption_key(&key)`",
        );
    }
    Some("AWS::Logs::LogGroup")
}
