//! Systems Manager: a lookup of a parameter is an `aws_ssm_parameter` data source whose name is a
//! variable.

use super::{Attrs, Secondary, Service};
use serde_json::{json, Value as Json};
use stackwright_aws::kinds;

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        kinds::SSM_PARAMETER_LOOKUP => ("aws_ssm_parameter", true),
        _ => return None,
    })
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    Some(match (kind, attr) {
        // `value` is marked sensitive even for plain `String` parameters, which would taint every
        // resource using it; public parameters such as AMI ids are read through `insecure_value`.
        (kinds::SSM_PARAMETER_LOOKUP, "value") => "insecure_value",
        _ => return None,
    })
}

/// Fills the data source's attributes and declares the variable holding the parameter's name: it
/// defaults to the declared name, like the default of CloudFormation's SSM-typed parameter.
fn lower(name: &str, a: &mut Attrs, out: &mut Secondary) -> bool {
    if a.resource.kind != kinds::SSM_PARAMETER_LOOKUP {
        return false;
    }
    let default = a
        .resource
        .get("name")
        .map(|v| a.value(v))
        .unwrap_or(Json::Null);
    let description = format!("SSM parameter read at deploy time for `{}`", a.resource.id);
    out.variables.push((
        name.to_owned(),
        json!({ "type": "string", "default": default, "description": description }),
    ));
    a.insert("name", Json::String(format!("${{var.{name}}}")));
    true
}
