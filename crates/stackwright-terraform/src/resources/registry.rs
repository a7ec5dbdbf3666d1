//! Resources of registry types (generated builders) as awscc resources: the attribute names, JSON-string
//! values (`jsonencode`), tags and attribute references all come from the node's data, written by the
//! generator from the awscc schema; nothing here is per type. The node also carries its awscc resource
//! schema ([`props::TERRAFORM_SCHEMA`]), through which JSON values of CloudFormation objects get awscc's
//! names ([`AWSCC_OBJECT`]) and against which the emitted block is checked, overrides applied ([`check`]).

use super::Attrs;
use serde_json::{Map, Value as Json};
use stackwright_aws::registry::{props, AWSCC_OBJECT, JSON_STRING};
use stackwright_core::{Diagnostic, Resource, Value};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

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
         CloudFormation-only; declare the stack's targets as CloudFormation only \
         (`.targets([Target::CloudFormation])`), or declare it with a Terraform form (`tf::Raw`)",
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
    let cloudformation_type = literal(resource, props::CLOUDFORMATION_TYPE).unwrap_or_default();
    report.extend(stackwright_lowering::availability::unavailable(
        resource,
        cloudformation_type,
        region,
    ));
    for message in report {
        a.problems.push(
            Diagnostic::new(message)
                .for_resource(&resource.id)
                .at(resource.location),
        );
    }
    let schema = awscc_schema(resource).map(|s| &s.compact);
    let attributes = resource
        .get(props::TERRAFORM_ATTRIBUTES)
        .and_then(Value::as_map)
        .unwrap_or_default();
    for (key, value) in attributes.iter().filter(|(_, v)| !v.is_no_value()) {
        let block = schema
            .and_then(|s| member(s, key, false))
            .and_then(|(_, b)| b);
        let lowered = attribute_value(a, &awscc_names(value, block, false));
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
        // A property whose value is `Expr::no_value()` is left out.
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .filter(|(_, v)| !v.is_no_value())
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

/// A node's awscc resource schema in the vendored compact form, and as a provider schema block (nested
/// attributes as `nested_type`) for `stackwright_validate::terraform::validate_block`.
struct AwsccSchema {
    compact: Json,
    block: Json,
}

/// The node's awscc schema, parsed once per distinct text for the life of the process (a program holds
/// one per registry type it uses); `None` for a node without one or with text that is not a schema.
fn awscc_schema(resource: &Resource) -> Option<&'static AwsccSchema> {
    static PARSED: OnceLock<Mutex<HashMap<String, Option<&'static AwsccSchema>>>> = OnceLock::new();
    let text = literal(resource, props::TERRAFORM_SCHEMA)?;
    let mut parsed = PARSED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(schema) = parsed.get(text) {
        return *schema;
    }
    let schema = serde_json::from_str::<Json>(text)
        .ok()
        .filter(Json::is_object)
        .map(|compact| {
            let block = provider_block(&compact);
            &*Box::leak(Box::new(AwsccSchema { compact, block }))
        });
    parsed.insert(text.to_owned(), schema);
    schema
}

/// The compact form's block (`attributes`, `blocks` of `nesting`, `min_items`) as a provider schema block:
/// awscc's nested attributes (the compact form's "blocks") become `nested_type` attributes, required when
/// `min_items` is set. A nested block with neither attributes nor blocks (what the compact form's source
/// lost) becomes a `dynamic` attribute, whose contents are not checked.
fn provider_block(compact: &Json) -> Json {
    let mut attributes = compact
        .get("attributes")
        .and_then(Json::as_object)
        .cloned()
        .unwrap_or_default();
    for (name, nested) in compact
        .get("blocks")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
    {
        let required = nested.get("min_items").and_then(Json::as_u64).unwrap_or(0) > 0;
        let flag = if required { "required" } else { "optional" };
        let empty = ["attributes", "blocks"].iter().all(|k| {
            nested
                .get(*k)
                .and_then(Json::as_object)
                .is_none_or(Map::is_empty)
        });
        let attribute = if empty {
            serde_json::json!({ "type": "dynamic", flag: true })
        } else {
            let mut inner = provider_block(nested);
            inner["nesting_mode"] = nested.get("nesting").cloned().unwrap_or(Json::Null);
            serde_json::json!({ "nested_type": inner, flag: true })
        };
        attributes.insert(name.clone(), attribute);
    }
    serde_json::json!({ "attributes": attributes })
}

fn normalize(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The awscc member of `block` (a compact block node, or the resource node) that `key` names: its
/// attribute name and, for a nested one, its block node. With `rename`, `key` is a CloudFormation name,
/// matched ignoring case and underscores as the generator matches property names.
fn member<'s>(block: &'s Json, key: &str, rename: bool) -> Option<(&'s str, Option<&'s Json>)> {
    let attributes = block.get("attributes").and_then(Json::as_object);
    let blocks = block.get("blocks").and_then(Json::as_object);
    if !rename {
        if let Some((name, nested)) = blocks.and_then(|b| b.get_key_value(key)) {
            return Some((name, Some(nested)));
        }
        return attributes
            .and_then(|a| a.get_key_value(key))
            .map(|(name, _)| (name.as_str(), None));
    }
    let wanted = normalize(key);
    if let Some((name, _)) = attributes.and_then(|a| a.iter().find(|(n, _)| normalize(n) == wanted))
    {
        return Some((name, None));
    }
    blocks
        .and_then(|b| b.iter().find(|(n, _)| normalize(n) == wanted))
        .map(|(name, nested)| (name.as_str(), Some(nested)))
}

/// `value` placed where `block` (a compact nested block node) is, with every [`AWSCC_OBJECT`] value below
/// it resolved: its CloudFormation keys renamed to awscc's (a key awscc has no member for stays, for
/// [`check`] to report). `rename` is set inside such a value.
fn awscc_names(value: &Value, block: Option<&Json>, rename: bool) -> Value {
    match value {
        Value::Map(entries) if entries.len() == 1 && entries[0].0 == AWSCC_OBJECT => {
            awscc_names(&entries[0].1, block, true)
        }
        Value::Map(entries) if entries.len() == 1 && entries[0].0 == JSON_STRING => value.clone(),
        Value::List(items) => Value::List(
            items
                .iter()
                .map(|item| awscc_names(item, block, rename))
                .collect(),
        ),
        Value::Map(entries) => {
            let Some(block) = block else {
                return value.clone();
            };
            if block.get("nesting").and_then(Json::as_str) == Some("map") {
                // The keys are the user's; each value is one nested object.
                Value::Map(
                    entries
                        .iter()
                        .map(|(k, v)| (k.clone(), body_names(v, block, rename)))
                        .collect(),
                )
            } else {
                body_names(value, block, rename)
            }
        }
        scalar => scalar.clone(),
    }
}

/// One nested object of `block`: its keys (renamed when `rename`) and their values.
fn body_names(value: &Value, block: &Json, rename: bool) -> Value {
    let Value::Map(entries) = value else {
        return value.clone();
    };
    Value::Map(
        entries
            .iter()
            .map(|(key, v)| match member(block, key, rename) {
                Some((name, nested)) => (name.to_owned(), awscc_names(v, nested, rename)),
                None => (key.clone(), v.clone()),
            })
            .collect(),
    )
}

/// The emitted block of a registry resource (its lowering, then its `override_terraform` edits) against
/// the node's awscc schema, deep into nested attributes: an unknown attribute (with a did-you-mean), a
/// computed-only one set, a required one missing, a value of the wrong kind (a list for an object, a
/// scalar for a list, ...). Each problem is one located error. A resource whose declared values the
/// registry schema already rejected (its builder's problems) is not checked again, so one mistake is one
/// error; meta-arguments (`lifecycle`, `depends_on`, ...) are Terraform's.
pub(crate) fn check(
    type_name: &str,
    body: &Map<String, Json>,
    resource: &Resource,
    problems: &mut Vec<Diagnostic>,
) {
    if !resource.problems.is_empty() {
        return;
    }
    let Some(schema) = awscc_schema(resource) else {
        return;
    };
    // `validate_block` reads what a block requires once per block it is given, by address: a leaked
    // schema keeps its address.
    for problem in stackwright_validate::terraform::validate_block(&schema.block, body) {
        let at = if problem.path.is_empty() {
            String::new()
        } else {
            format!(" `{}`", problem.path)
        };
        problems.push(
            Diagnostic::new(format!(
                "`{type_name}`{at}: {} (awscc 1.106.0 schema)",
                problem.message
            ))
            .for_resource(&resource.id)
            .at(resource.location),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::Map(
            entries
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    fn marked(value: Value) -> Value {
        map(&[(AWSCC_OBJECT, value)])
    }

    /// A compact awscc block: `rules` is a list of objects, `routes` a map of objects (the user's keys).
    fn schema() -> Json {
        json!({"attributes": {"name": {"type": "string", "required": true}}, "blocks": {
            "rules": {"nesting": "list", "attributes": {"rule_name": {"type": "string", "optional": true}},
                      "blocks": {"allow_action": {"nesting": "single", "attributes": {"reason": {"type": "string", "optional": true}}, "blocks": {}}}},
            "routes": {"nesting": "map", "attributes": {"target_arn": {"type": "string", "optional": true}}, "blocks": {}},
            "filter": {"nesting": "single", "attributes": {}, "blocks": {}, "min_items": 1}
        }})
    }

    #[test]
    fn json_objects_get_awscc_names_through_lists_and_maps_and_keep_what_awscc_lacks() {
        let schema = schema();
        let rules = marked(Value::List(vec![map(&[
            ("RuleName", "a".into()),
            ("AllowAction", map(&[("Reason", "ok".into())])),
            ("Unknown", "kept".into()),
        ])]));
        let (_, block) = member(&schema, "rules", false).unwrap();
        assert_eq!(
            awscc_names(&rules, block, false),
            Value::List(vec![map(&[
                ("rule_name", "a".into()),
                ("allow_action", map(&[("reason", "ok".into())])),
                ("Unknown", "kept".into()),
            ])])
        );
        // A map nesting's keys are data; its values' keys are renamed.
        let routes = marked(map(&[("Default", map(&[("TargetArn", "arn".into())]))]));
        let (_, block) = member(&schema, "routes", false).unwrap();
        assert_eq!(
            awscc_names(&routes, block, false),
            map(&[("Default", map(&[("target_arn", "arn".into())]))])
        );
        // Without the marker, names are awscc's already and stay as they are.
        let typed = Value::List(vec![map(&[("RuleName", "a".into())])]);
        let (_, block) = member(&schema, "rules", false).unwrap();
        assert_eq!(awscc_names(&typed, block, false), typed);
    }

    #[test]
    fn nested_blocks_become_nested_attributes_required_by_min_items_and_empty_ones_dynamic() {
        let block = provider_block(&schema());
        assert_eq!(
            block["attributes"]["rules"],
            json!({"optional": true, "nested_type": {"nesting_mode": "list",
                "attributes": {"rule_name": {"type": "string", "optional": true},
                               "allow_action": {"optional": true, "nested_type": {"nesting_mode": "single",
                                   "attributes": {"reason": {"type": "string", "optional": true}}}}}}})
        );
        assert_eq!(
            block["attributes"]["filter"],
            json!({"type": "dynamic", "required": true})
        );
        assert_eq!(
            block["attributes"]["name"],
            json!({"type": "string", "required": true})
        );
    }
}
