//! Lookups of network resources by tags: `aws_vpc`, `aws_subnet` and `aws_security_group` data sources
//! filtered by `tags` (each must match exactly one, or planning fails).

use super::{Attrs, Secondary, Service};
use stackwright_aws::kinds;

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        kinds::VPC_LOOKUP => ("aws_vpc", true),
        kinds::SUBNET_LOOKUP => ("aws_subnet", true),
        kinds::SECURITY_GROUP_LOOKUP => ("aws_security_group", true),
        _ => return None,
    })
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    (block_type(kind).is_some() && attr == "id").then_some("id")
}

fn lower(_name: &str, a: &mut Attrs, _out: &mut Secondary) -> bool {
    if block_type(a.resource.kind).is_none() {
        return false;
    }
    a.copy("tags", "tags");
    true
}
