//! SNS topics and subscriptions.

use super::{Attrs, Secondary, Service};
use stackwright_aws::kinds;

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        kinds::SNS_TOPIC => ("aws_sns_topic", false),
        kinds::SNS_SUBSCRIPTION => ("aws_sns_topic_subscription", false),
        _ => return None,
    })
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    match (kind, attr) {
        (kinds::SNS_TOPIC, "name") => Some("name"),
        (kinds::SNS_TOPIC | kinds::SNS_SUBSCRIPTION, "arn") => Some("arn"),
        _ => None,
    }
}

fn lower(_: &str, a: &mut Attrs, _: &mut Secondary) -> bool {
    match a.resource.kind {
        kinds::SNS_TOPIC => {
            a.copy("display_name", "display_name");
            a.copy("kms_master_key_id", "kms_master_key_id");
            a.tags();
        }
        kinds::SNS_SUBSCRIPTION => {
            a.copy("topic_arn", "topic_arn");
            a.copy("protocol", "protocol");
            a.copy("endpoint", "endpoint");
        }
        _ => return false,
    }
    true
}
