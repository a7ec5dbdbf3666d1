//! Constructs (`stackwright_aws::construct`): the kind's CloudFormation form, as its own file spelled it,
//! lowered like a raw resource's properties. No kind-specific code here.

use super::{Props, Secondary};
use serde_json::{json, Map, Value as Json};
use stackwright_aws::construct::{self, Entry, Spelling};
use stackwright_core::{Target, Value};

/// Fills `p` from the construct's CloudFormation form (its checkov skips; `read_by`: the other stacks
/// that read the resource), adds the resource it has beside its main one
/// (under `id` and the block's suffix) to `out`, and returns its type.
pub(super) fn lower(
    id: &str,
    p: &mut Props,
    out: &mut Secondary,
    spelling: &'static Spelling,
    read_by: &[&str],
) -> &'static str {
    let resource = p.resource;
    for (id, reason) in construct::skips(resource, Target::CloudFormation, read_by) {
        p.checkov_skip(id, &reason);
    }
    for (name, entry) in construct::entries(resource, Target::CloudFormation) {
        match entry {
            // CloudFormation generates a name the user did not give.
            Entry::PhysicalName | Entry::RequiredName { .. } => p.physical_name(name),
            entry => {
                if let Some(lowered) = lower_entry(p, entry) {
                    p.insert(name, lowered);
                }
            }
        }
    }
    let beside = spelling
        .cloudformation_resource
        .zip(construct::cloudformation_resource_entries(resource));
    if let Some((block, entries)) = beside {
        let mut properties = Map::new();
        for (name, entry) in entries {
            let lowered = lower_entry(p, entry);
            if let Some(lowered) = lowered {
                properties.insert(name.to_owned(), lowered);
            }
        }
        out.resources.push((
            format!("{id}{}", block.suffix),
            json!({ "Type": block.type_name, "Properties": properties }),
        ));
    }
    for (name, entry) in construct::cloudformation_attribute_entries(resource) {
        if let Some(lowered) = lower_entry(p, entry) {
            out.attributes.push((name.to_owned(), lowered));
        }
    }
    spelling.cloudformation
}

/// One entry's value; `None` leaves the property out.
fn lower_entry(p: &mut Props, entry: Entry) -> Option<Json> {
    Some(match entry {
        Entry::Value(value) if value.is_no_value() => crate::expr::no_value(),
        Entry::Value(value) => p.value(value),
        Entry::PhysicalName | Entry::RequiredName { .. } => {
            crate::expr::literal(p.resource.physical_name()?)
        }
        Entry::NameInBothTargets { suffix } => {
            let lowering = p.lowering;
            let name = match p.resource.physical_name() {
                Some(name) => format!("{name}{suffix}"),
                None => format!(
                    "{}-{}-{}-{}{suffix}",
                    lowering.app,
                    lowering.env.name,
                    lowering.stack.name(),
                    p.resource.id
                ),
            };
            crate::expr::literal(&name)
        }
        Entry::Number(text) => super::number(text),
        Entry::PolicyDocument(policy) => p.value(policy.document),
        Entry::Literal(text) => crate::expr::literal(text),
        // CloudFormation generates a name the user did not give.
        Entry::RequiredIdentifier { suffix } => {
            crate::expr::literal(&construct::identifier(p.resource.physical_name()?, suffix))
        }
        Entry::Region => Json::String(p.lowering.env.region.clone()),
        Entry::Nested(Value::List(items)) => Json::Array(
            items
                .iter()
                .filter_map(|item| lower_entry(p, construct::nested(p.resource, item)?))
                .collect(),
        ),
        Entry::Nested(Value::Map(entries)) => Json::Object(
            entries
                .iter()
                .filter_map(|(key, value)| {
                    let lowered = lower_entry(p, construct::nested(p.resource, value)?)?;
                    Some((key.clone(), lowered))
                })
                .collect(),
        ),
        Entry::Nested(value) => p.value(value),
        Entry::TagSpecifications(types) => {
            let tags = p.tag_list();
            if tags.is_empty() {
                return None;
            }
            let specifications = types
                .iter()
                .map(|t| json!({ "ResourceType": p.value(t), "Tags": tags }))
                .collect();
            Json::Array(specifications)
        }
        Entry::TagList { key, value, extra } => {
            let extra: Vec<(String, Json)> =
                extra.iter().map(|(f, v)| (f.clone(), p.value(v))).collect();
            let tags = p.merged_tags().into_iter();
            let tags = tags.map(|(name, tag)| (crate::expr::literal(&name), tag));
            stackwright_lowering::tag_list(tags, key, value, &extra)?
        }
        // Terraform's own blocks and expressions have no CloudFormation form, and CloudFormation infers the order.
        Entry::OwnBlock(_)
        | Entry::Expression(_)
        | Entry::WaitFor { .. }
        | Entry::TerraformCall { .. }
        | Entry::JsonText(_) => return None,
    })
}
