//! Each lowered block against the pinned provider schema of its type, so that a misspelled or mistyped
//! attribute surfaces at synth time with the user's source line rather than at `terraform validate`.

use serde_json::{Map, Value as Json};
use stackwright_core::{Diagnostic, Resource};
use stackwright_schema::terraform;

/// Checks one `resource` or `data` block body declared by `resource`. Types outside the vendored data
/// (raw resources of other types) are checked by the outside checkers only.
pub(crate) fn check(
    type_name: &str,
    data: bool,
    body: &Map<String, Json>,
    resource: &Resource,
    problems: &mut Vec<Diagnostic>,
) {
    let schema = if data {
        terraform::data_source(type_name)
    } else {
        terraform::resource_type(type_name)
    };
    let Some(schema) = schema else {
        return;
    };
    for problem in stackwright_validate::terraform::validate_block(schema.block(), body) {
        let at = if problem.path.is_empty() {
            String::new()
        } else {
            format!(" `{}`", problem.path)
        };
        problems.push(
            Diagnostic::new(format!("`{type_name}`{at}: {}", problem.message))
                .for_resource(&resource.id)
                .at(resource.location),
        );
    }
}
