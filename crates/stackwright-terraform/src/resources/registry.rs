//! Resources of registry types (generated builders) as awscc resources: the attribute names, JSON-string
//! values (`jsonencode`), tags and attribute references all come from the node's data, written by the
//! generator from the awscc schema; nothing here is per type.

use super::Attrs;
use serde_json::{Map, Value as Json};
use stackwright_aws::registry::{props, JSON_STRING};
use stackwright_core::{Diagnostic, Resource, Value};

/// The awscc provider versions the emitted attributes follow: generated from 1.106.0's schema.
pub(crate) const AWSCC_PROVIDER_CONSTRAINT: &str = ">= 1.106.0, < 2.0.0";
/// Oldest Terraform that reads `lifecycle.precondition`, which pins awscc resources to the account.
pub(crate) const TERRAFORM_PRECONDITION_CONSTRAINT: &str = ">= 1.2.0";
/// The `aws_caller_identity` data source modules with awscc resources read to check the account.
pub(crate) const ACCOUNT_DATA_SOURCE: &str = "stackwright_account";

fn literal<'r>(resource: &'r Resource, key: &str) -> Option<&'r str> {
    resource.get(key)?.as_expr()?.as_literal()
}

/// The awscc resource type; `None` for a type awscc does not offer.
pub(super) fn block_type(resource: &Resource) -> Option<(String, bool)> {
    literal(resource, props::TERRAFORM_TYPE).map(|t| (t.to_owned(), false))
}

/// Why a registry resource has no Terraform form.
pub(super) fn cloudformation_only(resource: &Resource) -> String {
    format!(
        "resource `{}` is a `{}`, which the awscc Terraform provider (1.106.0) does not offer: the type is \
         CloudFormation-only; synthesize with `--target cloudformation`, or declare it with a Terraform form \
         (`tf::Raw`)",
        resource.id,
        literal(resource, props::CLOUDFORMATION_TYPE).unwrap_or("registry type")
    )
}

/// The awscc attribute an attribute reference reads: `id` for `Ref`, else from the node's name table.
pub(super) fn attribute(resource: &Resource, attr: &str) -> Result<String, String> {
    if attr == "id" {
        return Ok("id".into());
    }
    resource
        .get(props::TERRAFORM_ATTRIBUTE_NAMES)
        .and_then(|names| names.get(attr))
        .and_then(Value::as_expr)
        .and_then(|e| e.as_literal())
        .map(str::to_owned)
        .ok_or_else(|| {
            format!(
                "attribute `{attr}` of `{}` has no awscc attribute (awscc {}): it can be read in CloudFormation only",
                literal(resource, props::CLOUDFORMATION_TYPE).unwrap_or_default(),
                literal(resource, props::TERRAFORM_TYPE).unwrap_or_default()
            )
        })
}

/// Fills the block: attributes, JSON strings, tags; reports set properties awscc cannot take and a region
/// that does not offer the type.
pub(super) fn lower(a: &mut Attrs) -> bool {
    let resource = a.resource;
    let type_name = literal(resource, props::TERRAFORM_TYPE).unwrap_or_default();
    let mut report = Vec::new();
    for path in resource
        .get(props::TERRAFORM_UNMAPPED)
        .and_then(Value::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.as_expr()?.as_literal())
    {
        report.push(format!(
            "property `{path}` of `{}` has no attribute in awscc's `{type_name}` (awscc 1.106.0): it cannot be \
             synthesized for Terraform; remove it, or set it with `.override_terraform(..)` if a newer awscc has it",
            literal(resource, props::CLOUDFORMATION_TYPE).unwrap_or_default()
        ));
    }
    let region = &a.lowering.env.region;
    let unavailable = resource
        .get(props::UNAVAILABLE_IN)
        .and_then(Value::as_list)
        .unwrap_or_default()
        .iter()
        .any(|r| r.as_expr().and_then(|e| e.as_literal()) == Some(region.as_str()));
    if unavailable {
        report.push(format!(
            "resource type `{}` is not available in region `{region}`: choose another region or type",
            literal(resource, props::CLOUDFORMATION_TYPE).unwrap_or_default()
        ));
    }
    for message in report {
        a.problems.push(
            Diagnostic::new(message)
                .for_resource(&resource.id)
                .at(resource.location),
        );
    }
    for (key, value) in resource
        .get(props::TERRAFORM_ATTRIBUTES)
        .and_then(Value::as_map)
        .unwrap_or_default()
    {
        let lowered = attribute_value(a, value);
        a.out.insert(key.clone(), lowered);
    }
    // awscc has no provider-level default tags: each resource carries the environment's tags merged with
    // its own, in the shape its schema has.
    if let Some(shape) = literal(resource, props::TERRAFORM_TAGS) {
        let tags = a.merged_tags();
        if !tags.is_empty() {
            match shape.split_once(':') {
                Some(("list", name)) => {
                    let list = tags
                        .into_iter()
                        .map(|(k, v)| serde_json::json!({ "key": crate::expr::escape(&k), "value": v }))
                        .collect();
                    a.out.insert(name.to_owned(), Json::Array(list));
                }
                Some(("map", name)) => {
                    let map: Map<String, Json> = tags.into_iter().collect();
                    a.out.insert(name.to_owned(), Json::Object(map));
                }
                _ => {}
            }
        }
    }
    // awscc has no `allowed_account_ids`. Reading the caller identity configures the aws provider, whose
    // `allowed_account_ids` fails the plan for another account's credentials (both providers read the same
    // credential chain and role); the precondition says so on each awscc resource as well, in case awscc's
    // credentials come from elsewhere (its own environment variables).
    let account = &a.lowering.env.account;
    a.out.insert(
        "lifecycle".into(),
        serde_json::json!({ "precondition": [{
            "condition": format!("${{data.aws_caller_identity.{ACCOUNT_DATA_SOURCE}.account_id == \"{account}\"}}"),
            "error_message": format!("This configuration deploys to AWS account {account} only."),
        }] }),
    );
    true
}

/// A value of the awscc tree: JSON-string markers become `${jsonencode(...)}`.
fn attribute_value(a: &mut Attrs, value: &Value) -> Json {
    match value {
        Value::Map(entries) if entries.len() == 1 && entries[0].0 == JSON_STRING => {
            Json::String(format!("${{jsonencode({})}}", hcl(a, &entries[0].1)))
        }
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), attribute_value(a, v)))
                .collect(),
        ),
        Value::List(items) => Json::Array(items.iter().map(|v| attribute_value(a, v)).collect()),
        scalar => a.value(scalar),
    }
}

/// A neutral value as an HCL expression (inside `${...}`): strings are quoted templates, so references
/// stay live.
fn hcl(a: &mut Attrs, value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Str(_) => match a.value(value) {
            Json::String(template) => crate::expr::quoted(&template),
            other => other.to_string(),
        },
        Value::List(items) => {
            let items: Vec<String> = items.iter().map(|v| hcl(a, v)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Map(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{} = {}", crate::expr::hcl_string(k), hcl(a, v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}
