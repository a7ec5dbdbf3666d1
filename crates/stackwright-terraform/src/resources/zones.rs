//! The region's availability zones: one `aws_availability_zones` data source per module, read by index.

use super::{Attrs, Secondary, Service};
use stackwright_aws::kinds;

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

/// `names[<i>]` for attribute `zone_<i>`.
const NAMES: [&str; 8] = [
    "names[0]", "names[1]", "names[2]", "names[3]", "names[4]", "names[5]", "names[6]", "names[7]",
];

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    (kind == kinds::AVAILABILITY_ZONES).then_some(("aws_availability_zones", true))
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    if kind != kinds::AVAILABILITY_ZONES {
        return None;
    }
    stackwright_aws::ec2::zone_index(attr)
        .ok()
        .map(|i| NAMES[i])
}

/// Only the zones the account can use, as CloudFormation's `Fn::GetAZs` returns.
fn lower(_name: &str, a: &mut Attrs, _out: &mut Secondary) -> bool {
    if a.resource.kind != kinds::AVAILABILITY_ZONES {
        return false;
    }
    a.insert("state", "available".into());
    a.checkov_skip(
        "CKV_AWS_394",
        "zones are chosen by index, as CloudFormation's Fn::GetAZs does: a zone AWS adds gets the next \
         letter, sorts last and moves no index in use; pinning names would bring back per-region zone lists",
    );
    true
}
