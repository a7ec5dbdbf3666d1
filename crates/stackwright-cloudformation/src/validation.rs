//! Each lowered resource against the pinned registry schema of its type, and the type against the
//! environment's region, so that mistakes surface at synth time with the user's source line.

use serde_json::{Map, Value as Json};
use stackwright_core::{Diagnostic, Resource};
use stackwright_schema::cloudformation::resource_type;
use stackwright_schema::names;
use stackwright_validate::cloudformation::closest;

/// Checks one template resource entry (`Type`, `Properties`, ...) declared by `resource`. Types outside
/// the vendored data (raw resources of other types) are checked by the outside checkers only.
pub(crate) fn check(
    entry: &Json,
    region: &str,
    resource: &Resource,
    problems: &mut Vec<Diagnostic>,
) {
    let mut report = |message: String| {
        problems.push(
            Diagnostic::new(message)
                .for_resource(&resource.id)
                .at(resource.location),
        );
    };
    let Some(type_name) = entry.get("Type").and_then(Json::as_str) else {
        return report("the template resource has no `Type` string".into());
    };
    if let Some(attributes) = entry.as_object() {
        crate::attributes::check(attributes, &mut |path, message| {
            report(format!("`{type_name}` `{path}`: {message}"))
        });
    }
    instance_types(type_name, entry, region, &mut report);
    let Some(schema) = resource_type(type_name) else {
        // Outside the vendored schemas: at least a type the registry has (custom resources and modules
        // are the user's own).
        let own = type_name.starts_with("Custom::") || type_name.ends_with("::MODULE");
        if !own && !names::contains(names::cloudformation_types(), type_name) {
            let hint = closest(type_name, names::cloudformation_types())
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            report(format!(
                "unknown resource type `{type_name}`: not in the CloudFormation registry{hint}"
            ));
        }
        return;
    };
    // An unknown region is reported once, by the environment's own check.
    if stackwright_core::regions::is_known(region) && !schema.available_in(region) {
        report(format!(
            "resource type `{type_name}` is not available in region `{region}`: choose another region or type"
        ));
    }
    let empty = Json::Object(Map::new());
    let properties = entry.get("Properties").unwrap_or(&empty);
    // A name its naming rule rejected was reported once already, in the user's terms.
    let rejected_name = schema
        .custom_name()
        .filter(|_| resource.physical_name_rejected);
    for problem in
        stackwright_validate::cloudformation::validate_properties(schema.schema(), properties)
    {
        let path = problem.path.to_string();
        if rejected_name.is_some_and(|name| path.strip_prefix("Properties.") == Some(name)) {
            continue;
        }
        // A builder checks the values it takes (a timeout's range, a handler's shape) and reported what it
        // rejected in the user's terms: the schema's range, length and pattern checks of a resource with
        // builder problems would repeat them (one mistake, one error). Its shape is still checked.
        if problem.on_value && !resource.problems.is_empty() {
            continue;
        }
        report(format!(
            "`{type_name}` `{}`: {}",
            problem.path, problem.message
        ));
    }
}

/// Literal instance types against the region's offer (cfn-lint E3628 knows it too; Terraform does not).
fn instance_types(type_name: &str, entry: &Json, region: &str, report: &mut dyn FnMut(String)) {
    let pointer = match type_name {
        "AWS::EC2::Instance" => "/Properties/InstanceType",
        "AWS::EC2::LaunchTemplate" => "/Properties/LaunchTemplateData/InstanceType",
        _ => return,
    };
    if let Some(instance_type) = entry.pointer(pointer).and_then(Json::as_str) {
        if let Some(problem) = names::instance_type_problem(region, instance_type) {
            report(problem);
        }
    }
}
