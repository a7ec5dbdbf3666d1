//! VPC flow logs (an EC2 type) delivered to CloudWatch Logs.

use super::{Attribute, Lowering, Props, Secondary, Service};
use stackwright_aws::kinds;

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    match (kind, attr) {
        (kinds::EC2_FLOW_LOG, "id") => Some(Attribute::Ref),
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
    None
}
