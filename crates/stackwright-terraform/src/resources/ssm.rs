//! Systems Manager: a parameter this stack owns is an `aws_ssm_parameter` resource; a lookup is an
//! `aws_ssm_parameter` data source whose name is a variable.

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
        kinds::SSM_PARAMETER => ("aws_ssm_parameter", false),
        _ => return None,
    })
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    Some(match (kind, attr) {
        // `value` is marked sensitive even for plain `String` parameters, which would taint every
        // resource using it; public parameters such as AMI ids are read through `insecure_value`.
        (kinds::SSM_PARAMETER_LOOKUP, "value") => "insecure_value",
        (kinds::SSM_PARAMETER, "name") => "name",
        (kinds::SSM_PARAMETER, "arn") => "arn",
        _ => return None,
    })
}

/// Fills the data source's attributes and declares the variable holding the parameter's name: it
/// defaults to the declared name, like the default of CloudFormation's SSM-typed parameter.
fn lower(name: &str, a: &mut Attrs, out: &mut Secondary) -> bool {
    if a.resource.kind == kinds::SSM_PARAMETER {
        a.copy("name", "name");
        a.copy("type", "type");
        a.copy("value", "value");
        a.copy("description", "description");
        a.checkov_skip(
            "CKV2_AWS_34",
            "String parameters hold configuration; secrets belong in Secrets Manager, which \
             generates them without plain text",
        );
        a.tags();
        return true;
    }
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
