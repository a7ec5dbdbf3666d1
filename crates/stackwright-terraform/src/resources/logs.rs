//! VPC flow logs (an EC2 type) delivered to CloudWatch Logs.

use super::{Attrs, Secondary, Service};
use stackwright_aws::kinds;

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        kinds::EC2_FLOW_LOG => ("aws_flow_log", false),
        _ => return None,
    })
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    match (kind, attr) {
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
    false
}
