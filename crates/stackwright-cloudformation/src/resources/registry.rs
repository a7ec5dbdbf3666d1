//! Resources of registry types (generated builders): the type and properties as the registry names them,
//! lowered like a raw resource's, plus the type's region availability carried in the node's data.

use super::Props;
use stackwright_aws::registry::props;
use stackwright_core::{Diagnostic, Value};

pub(super) fn lower(p: &mut Props) -> Option<String> {
    let resource = p.resource;
    let region = &p.lowering.env.region;
    let unavailable = resource
        .get(props::UNAVAILABLE_IN)
        .and_then(Value::as_list)
        .unwrap_or_default()
        .iter()
        .any(|r| r.as_expr().and_then(|e| e.as_literal()) == Some(region.as_str()));
    let type_name = super::raw::lower(p)?;
    if unavailable {
        p.problems.push(
            Diagnostic::new(format!(
                "resource type `{type_name}` is not available in region `{region}`: choose another region or type"
            ))
            .for_resource(&resource.id)
            .at(resource.location),
        );
    }
    Some(type_name)
}
