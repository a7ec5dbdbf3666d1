//! SNS topics and subscriptions.

use super::{Attribute, Lowering, Props, Secondary, Service};
use stackwright_aws::kinds;

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    Some(match (kind, attr) {
        (kinds::SNS_TOPIC, "arn") => Attribute::Ref,
        (kinds::SNS_TOPIC, "name") => Attribute::GetAtt("TopicName"),
        (kinds::SNS_SUBSCRIPTION, "arn") => Attribute::Ref,
        _ => return None,
    })
}

fn lower(_: &Lowering, _: &str, p: &mut Props, _: &mut Secondary) -> Option<&'static str> {
    Some(match p.resource.kind {
        kinds::SNS_TOPIC => {
            p.copy("display_name", "DisplayName");
            p.copy("kms_master_key_id", "KmsMasterKeyId");
            "AWS::SNS::Topic"
        }
        kinds::SNS_SUBSCRIPTION => {
            p.copy("topic_arn", "TopicArn");
            p.copy("protocol", "Protocol");
            p.copy("endpoint", "Endpoint");
            "AWS::SNS::Subscription"
        }
        _ => return None,
    })
}
