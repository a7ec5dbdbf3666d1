//! Each lowered resource against the pinned registry schema of its type, and the type against the
//! environment's region, so that mistakes surface at synth time with the user's source line.

use serde_json::{Map, Value as Json};
use stackwright_core::{Diagnostic, Resource};
use stackwright_schema::cloudformation::resource_type;

/// Checks one template resource entry (`Type`, `Properties`, ...) declared by `resource`. Types outside
/// the vendored data (raw resources of other types) are checked by the outside checkers only.
pub(crate) fn check(
    entry: &Json,
    region: &str,
    resource: &Resource,
    problems: &mut Vec<Diagnostic>,
) {
    let Some(type_name) = entry.get("Type").and_then(Json::as_str) else {
        return;
    };
    let Some(schema) = resource_type(type_name) else {
        return;
    };
    let mut report = |message: String| {
        problems.push(
            Diagnostic::new(message)
                .for_resource(&resource.id)
                .at(resource.location),
        );
    };
    // An unknown region is reported once, by the environment's own check.
    if stackwright_core::regions::is_known(region) && !schema.available_in(region) {
        report(format!(
            "resource type `{type_name}` is not available in region `{region}`: choose another region or type"
        ));
    }
    let empty = Json::Object(Map::new());
    let properties = entry.get("Properties").unwrap_or(&empty);
    for problem in
        stackwright_validate::cloudformation::validate_properties(schema.schema(), properties)
    {
        report(format!(
            "`{type_name}` `{}`: {}",
            problem.path, problem.message
        ));
    }
}
