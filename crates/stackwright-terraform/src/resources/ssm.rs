//! Systems Manager: a lookup is a `aws_ssm_parameter` data source whose name is a variable.

use super::Attrs;
use serde_json::{json, Map, Value as Json};

/// Fills the data source's attributes and declares the variable holding the parameter's name.
pub(super) fn lookup(name: &str, a: &mut Attrs, variables: &mut Map<String, Json>) {
    let resource = a.resource;

    // The parameter's name is a variable defaulting to the declared name, like the default of
    // CloudFormation's SSM-typed parameter.
    let default = resource
        .get("name")
        .map(|v| a.value(v))
        .unwrap_or(Json::Null);
    variables.insert(
        name.to_owned(),
        json!({
            "type": "string",
            "default": default,
            "description": format!("SSM parameter read at deploy time for `{}`", resource.id),
        }),
    );
    a.insert("name", Json::String(format!("${{var.{name}}}")));
}
