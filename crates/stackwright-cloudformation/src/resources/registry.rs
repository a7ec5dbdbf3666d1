//! Resources of registry types (generated builders): the type and properties as the registry names them,
//! lowered like a raw resource's, plus the type's region availability carried in the node's data.

use super::Props;
use stackwright_core::Diagnostic;

pub(super) fn lower(p: &mut Props) -> Option<String> {
    let resource = p.resource;
    let type_name = super::raw::lower(p)?;
    let region = &p.lowering.env.region;
    if let Some(message) =
        stackwright_lowering::availability::unavailable(resource, &type_name, region)
    {
        p.problems.push(
            Diagnostic::new(message)
                .for_resource(&resource.id)
                .at(resource.location),
        );
    }
    Some(type_name)
}
