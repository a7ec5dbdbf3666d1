//! Constructs (`stackwright_aws::construct`): the kind's Terraform form, as its own file spelled it,
//! lowered like a raw resource's attributes, with the blocks it splits into. No kind-specific code here.

use super::{policy, Attrs, Secondary};
use crate::names::{item_name, unique_in};
use serde_json::{Map, Value as Json};
use stackwright_aws::construct::{self, Entry, ExpressionPart, ItemName, Spelling};
use stackwright_core::{Expr, Target, Value};

/// Fills `a` from the construct's Terraform form: its checkov skips (`read_by`: the other stacks that
/// read the resource), its attributes in order (a value
/// that is `Expr::no_value()` is left out), then the resource's own tags if the type takes them; adds the
/// blocks it splits into to `out`, named `name` and their suffix.
pub(super) fn lower(
    name: &str,
    a: &mut Attrs,
    out: &mut Secondary,
    spelling: &'static Spelling,
    read_by: &[&str],
) {
    let resource = a.resource;
    for (id, reason) in construct::skips(resource, Target::Terraform, read_by) {
        a.checkov_skip(id, &reason);
    }
    for (key, entry) in construct::entries(resource, Target::Terraform) {
        if let Some(value) = lower_entry(a, out, name, entry) {
            a.insert(key, value);
        }
    }
    if spelling.terraform_tags {
        a.tags();
    }
    for (block, entries) in construct::terraform_data(resource, spelling) {
        let mut body = Map::new();
        for (key, entry) in entries {
            if let Some(value) = lower_entry(a, out, name, entry) {
                body.insert(key.to_owned(), value);
            }
        }
        out.data
            .push((block.type_name, format!("{name}{}", block.suffix), body));
    }
    // Names taken by each per-item block's items.
    let mut taken: Vec<(&str, Vec<String>)> = Vec::new();
    for (block, entries, name_parts) in construct::terraform_blocks(resource, spelling) {
        let mut body = Map::new();
        for (key, entry) in entries {
            if let Some(value) = lower_entry(a, out, name, entry) {
                body.insert(key.to_owned(), value);
            }
        }
        let prefix = format!("{name}{}", block.suffix);
        let block_name = match block.named_by {
            None => prefix,
            Some(naming) => {
                let parts = match naming {
                    ItemName::Attribute(key) => vec![body.get(key).cloned().unwrap_or(Json::Null)],
                    ItemName::Parts => name_parts.iter().map(|part| a.value(part)).collect(),
                };
                let names = match taken.iter_mut().position(|(s, _)| *s == block.suffix) {
                    Some(at) => &mut taken[at].1,
                    None => {
                        taken.push((block.suffix, Vec::new()));
                        &mut taken.last_mut().expect("just pushed").1
                    }
                };
                unique_in(names, item_name(&prefix, &parts))
            }
        };
        out.blocks.push((block.type_name, block_name, body));
    }
}

/// One entry's value (a policy document's data source added to `out`, named after the resource's `name`);
/// `None` leaves the attribute out.
fn lower_entry(a: &mut Attrs, out: &mut Secondary, name: &str, entry: Entry) -> Option<Json> {
    let resource = a.resource;
    Some(match entry {
        Entry::Value(value) if value.is_no_value() => return None,
        Entry::Value(value) => a.value(value),
        Entry::PhysicalName => Json::String(crate::expr::escape(resource.physical_name()?)),
        Entry::RequiredName { lowercase: false } => {
            let required = a.lowering.checked_required_name(resource, a.problems);
            Json::String(crate::expr::escape(&required))
        }
        Entry::RequiredName { lowercase: true } => {
            let required = a.lowering.required_name(resource).to_lowercase();
            Json::String(crate::expr::escape(&required))
        }
        Entry::NameInBothTargets { suffix } => {
            let named = a
                .lowering
                .checked_suffixed_name(resource, suffix, a.problems);
            Json::String(crate::expr::escape(&named))
        }
        Entry::Number(text) => super::number(text),
        Entry::OwnBlock(suffix) => {
            let spelling = construct::spelling(resource.kind)?;
            let block = spelling
                .terraform_blocks
                .iter()
                .find(|b| b.suffix == suffix)?;
            Json::Array(vec![Json::String(format!(
                "{}.{name}{suffix}",
                block.type_name
            ))])
        }
        Entry::Expression(parts) => expression(a, name, parts)?,
        Entry::TagSpecifications(types) => {
            let tags: Map<String, Json> = a.merged_tags().into_iter().collect();
            if tags.is_empty() {
                return None;
            }
            let specifications = types
                .iter()
                .map(|t| {
                    let mut specification = Map::new();
                    specification.insert("resource_type".into(), a.value(t));
                    specification.insert("tags".into(), Json::Object(tags.clone()));
                    Json::Object(specification)
                })
                .collect();
            Json::Array(specifications)
        }
        Entry::TagList { key, value, extra } => {
            let extra: Vec<(String, Json)> =
                extra.iter().map(|(f, v)| (f.clone(), a.value(v))).collect();
            let tags = a.merged_tags().into_iter();
            let tags = tags.map(|(name, tag)| (Json::String(name), tag));
            stackwright_lowering::tag_list(tags, key, value, &extra)?
        }
        Entry::JsonText(value) => a.value(&Value::Str(construct::json_text(value))),
        Entry::TerraformCall { function, value } => {
            let template = a.value(value);
            let template = template.as_str().unwrap_or_default();
            Json::String(crate::expr::call(function, template))
        }
        Entry::PolicyDocument(document) => {
            let skips: Vec<(&str, &str)> = document.skips().collect();
            let data_name = format!("{name}_{}", document.source);
            policy::data_source(a, out, data_name, document.document, &skips)
        }
        Entry::Literal(text) => Json::String(crate::expr::escape(text)),
        Entry::RequiredIdentifier { suffix } => {
            let required = a.lowering.required_name(resource);
            Json::String(crate::expr::escape(&construct::identifier(
                &required, suffix,
            )))
        }
        Entry::Region => Json::String(crate::expr::escape(&a.lowering.env.region)),
        Entry::Nested(Value::List(items)) => Json::Array(
            items
                .iter()
                .filter_map(|item| lower_entry(a, out, name, construct::nested(resource, item)?))
                .collect(),
        ),
        Entry::Nested(Value::Map(entries)) => Json::Object(
            entries
                .iter()
                .filter_map(|(key, value)| {
                    let lowered = lower_entry(a, out, name, construct::nested(resource, value)?)?;
                    Some((crate::expr::escape(key), lowered))
                })
                .collect(),
        ),
        Entry::Nested(value) => a.value(value),
        Entry::WaitFor { reference, suffix } => {
            out.depends_on.extend(wait_address(a, reference, suffix));
            return None;
        }
    })
}

/// A Terraform expression from its parts, as one interpolation (`${...}`); blocks of the construct are
/// named after the resource's `name`.
fn expression(a: &mut Attrs, name: &str, parts: &[Value]) -> Option<Json> {
    let resource = a.resource;
    let spelling = construct::spelling(resource.kind)?;
    let mut text = String::from("${");
    for part in parts {
        match construct::expression_part(part) {
            ExpressionPart::Raw(raw) => text.push_str(raw),
            ExpressionPart::Text(literal) => text.push_str(&crate::expr::hcl_string(literal)),
            ExpressionPart::Number(number) => text.push_str(number),
            ExpressionPart::Value(expr) => {
                // A whole interpolation is spliced bare; anything else stays a quoted template.
                let lowered = a.value(&Value::Str(expr.clone()));
                let text_of = lowered.as_str().unwrap_or_default();
                match text_of.strip_prefix("${").and_then(|t| t.strip_suffix('}')) {
                    Some(bare) if !bare.contains("${") => text.push_str(bare),
                    _ => text.push_str(&Json::String(text_of.to_owned()).to_string()),
                }
            }
            ExpressionPart::Block { suffix, attribute } => {
                let own = |blocks: &'static [construct::Block]| {
                    blocks.iter().find(|b| b.suffix == suffix)
                };
                let address = match own(spelling.terraform_data) {
                    _ if suffix.is_empty() => format!("{}.{name}", spelling.terraform),
                    Some(data) => format!("data.{}.{name}{suffix}", data.type_name),
                    None => format!(
                        "{}.{name}{suffix}",
                        own(spelling.terraform_blocks)?.type_name
                    ),
                };
                text.push_str(&address);
                if !attribute.is_empty() {
                    text.push('.');
                    text.push_str(attribute);
                }
            }
        }
    }
    text.push('}');
    Some(Json::String(text))
}

/// The address of block `suffix` of the construct `reference` reads, when it is in this stack.
fn wait_address(a: &Attrs, reference: &Value, suffix: &str) -> Option<String> {
    let Expr::Attr(attr) = reference.as_expr()? else {
        return None;
    };
    let target = a.lowering.stack.resource(attr.resource)?;
    let spelling = construct::spelling(target.kind)?;
    let block = spelling
        .terraform_blocks
        .iter()
        .find(|b| b.suffix == suffix)?;
    let name = &a.lowering.names.resources[attr.resource.index as usize];
    Some(format!("{}.{name}{suffix}", block.type_name))
}
