//! Systems Manager: parameters this stack owns are `AWS::SSM::Parameter` resources; lookups become
//! SSM-typed template parameters.

use super::{Attribute, Lowering, Props, Secondary, Service};
use serde_json::{json, Value as Json};
use stackwright_aws::kinds;
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

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    if kind != kinds::SSM_PARAMETER {
        return None;
    }
    Some(match attr {
        "name" => Attribute::Ref,
        "arn" => Attribute::GetAtt("Arn"),
        _ => return None,
    })
}

fn lower(_: &Lowering, _: &str, p: &mut Props, _: &mut Secondary) -> Option<&'static str> {
    if p.resource.kind != kinds::SSM_PARAMETER {
        return None;
    }
    p.copy("name", "Name");
    p.copy("type", "Type");
    p.copy("value", "Value");
    p.copy("description", "Description");
    Some("AWS::SSM::Parameter")
}
