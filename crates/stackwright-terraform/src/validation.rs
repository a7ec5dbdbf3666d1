//! Each lowered block against the pinned provider schema of its type, so that a misspelled or mistyped
//! attribute surfaces at synth time with the user's source line rather than at `terraform validate`.

use serde_json::{Map, Value as Json};
use stackwright_core::{Diagnostic, Resource};
use stackwright_schema::{names, terraform};
use stackwright_validate::cloudformation::closest;

/// Checks one `resource` or `data` block body declared by `resource`. Types outside the vendored data
/// (raw resources of other types) are checked by the outside checkers only.
pub(crate) fn check(
    type_name: &str,
    data: bool,
    body: &Map<String, Json>,
    region: &str,
    resource: &Resource,
    problems: &mut Vec<Diagnostic>,
) {
    let schema = if data {
        terraform::data_source(type_name)
    } else {
        terraform::resource_type(type_name)
    };
    let mut report = |message: String| {
        problems.push(
            Diagnostic::new(message)
                .for_resource(&resource.id)
                .at(resource.location),
        )
    };
    let literal = body.get("instance_type").and_then(Json::as_str);
    if let Some(instance_type) = literal.filter(|t| !t.contains("${")) {
        if matches!(type_name, "aws_instance" | "aws_launch_template") {
            // `terraform validate` does not know which types a region offers; the apply fails.
            if let Some(problem) = names::instance_type_problem(region, instance_type) {
                report(problem);
            }
        }
    }
    if resource.kind == stackwright_aws::kinds::REGISTRY && !data {
        crate::resources::check_registry(type_name, body, resource, problems);
        return;
    }
    let Some(schema) = schema else {
        // Outside the vendored schemas: at least a type the provider has. Types of other providers
        // (`awscc_*`, `random_*`) are theirs to check.
        let known = names::terraform_types(data);
        if type_name.starts_with("aws_") && !names::contains(known, type_name) {
            let hint = closest(type_name, known)
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            let what = if data { "data source" } else { "resource" };
            report(format!(
                "unknown {what} type `{type_name}`: not in the AWS provider (hashicorp/aws 5.100.0){hint}"
            ));
        }
        return;
    };
    for problem in stackwright_validate::terraform::validate_block(schema.block(), body) {
        let at = if problem.path.is_empty() {
            String::new()
        } else {
            format!(" `{}`", problem.path)
        };
        report(format!("`{type_name}`{at}: {}", problem.message));
    }
}
