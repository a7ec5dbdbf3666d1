//! Key Management Service.

use super::{Attribute, Lowering, Props, Secondary, Service};
use stackwright_aws::kinds;

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    Some(match (kind, attr) {
        (kinds::KMS_KEY, "arn") => Attribute::GetAtt("Arn"),
        (kinds::KMS_KEY, "key_id") => Attribute::Ref,
        _ => return None,
    })
}

fn lower(_: &Lowering, _: &str, p: &mut Props, _: &mut Secondary) -> Option<&'static str> {
    Some(match p.resource.kind {
        kinds::KMS_KEY => {
            p.copy("description", "Description");
            p.copy("enable_key_rotation", "EnableKeyRotation");
            p.copy("rotation_period_days", "RotationPeriodInDays");
            p.copy("pending_window_days", "PendingWindowInDays");
            p.copy("key_policy", "KeyPolicy");
            "AWS::KMS::Key"
        }
        _ => return None,
    })
}
