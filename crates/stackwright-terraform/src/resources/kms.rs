//! Key Management Service.

use super::{iam, Attrs, Secondary, Service};
use stackwright_aws::kinds;

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        kinds::KMS_KEY => ("aws_kms_key", false),
        _ => return None,
    })
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    Some(match (kind, attr) {
        (kinds::KMS_KEY, "arn") => "arn",
        (kinds::KMS_KEY, "key_id") => "key_id",
        _ => return None,
    })
}

/// checkov reads a key policy as if it were an identity policy; in a key policy `"*"` means this key, and
/// the account-root statement is AWS's default that hands access decisions to IAM policies.
const KEY_POLICY_SKIPS: &[(&str, &str)] = &[
    (
        "CKV_AWS_109",
        "key policy: `*` is this key; the account root statement delegates to IAM",
    ),
    (
        "CKV_AWS_111",
        "key policy: `*` is this key; the account root statement delegates to IAM",
    ),
    (
        "CKV_AWS_356",
        "key policy: `*` is this key, the only resource a key policy can name",
    ),
];

fn lower(name: &str, a: &mut Attrs, out: &mut Secondary) -> bool {
    match a.resource.kind {
        kinds::KMS_KEY => {
            a.copy("description", "description");
            a.copy("enable_key_rotation", "enable_key_rotation");
            a.copy("rotation_period_days", "rotation_period_in_days");
            a.copy("pending_window_days", "deletion_window_in_days");
            if let Some(policy) = iam::document(a, out, name, "key_policy", KEY_POLICY_SKIPS) {
                a.insert("policy", policy);
            }
            a.tags();
        }
        _ => return false,
    }
    true
}
