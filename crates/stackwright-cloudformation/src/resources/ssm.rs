//! Systems Manager: lookups of parameters become SSM-typed template parameters.

use super::Props;
use serde_json::{json, Value as Json};
use stackwright_core::{Expr, Value};

/// The template parameter of a lookup: CloudFormation resolves it at deploy time and, for image ids,
/// checks that the AMI exists.
pub(super) fn parameter(p: &mut Props) -> Json {
    let resource = p.resource;
    let value_type = match resource
        .get("value_type")
        .and_then(Value::as_expr)
        .and_then(Expr::as_literal)
    {
        Some("image_id") => "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
        _ => "AWS::SSM::Parameter::Value<String>",
    };
    let name = resource
        .get("name")
        .map(|v| p.value(v))
        .unwrap_or(Json::Null);
    json!({
        "Type": value_type,
        "Default": name,
        "Description": format!("SSM parameter read at deploy time for `{}`", resource.id),
    })
}
