//! Constructs (`stackwright_aws::construct`): the kind's Terraform form, as its own file spelled it,
//! lowered like a raw resource's attributes, with the blocks it splits into. No kind-specific code here.

use super::{Attrs, Secondary};
use serde_json::{Map, Value as Json};
use stackwright_aws::construct::{self, Entry, Spelling};
use stackwright_core::Target;

/// Fills `a` from the construct's Terraform form: its checkov skips, its attributes in order (a value
/// that is `Expr::no_value()` is left out), then the resource's own tags if the type takes them; adds the
/// blocks it splits into to `out`, named `name` and their suffix.
pub(super) fn lower(name: &str, a: &mut Attrs, out: &mut Secondary, spelling: &'static Spelling) {
    let resource = a.resource;
    for (id, reason) in construct::skips(resource, Target::Terraform) {
        a.checkov_skip(id, reason);
    }
    for (key, entry) in construct::entries(resource, Target::Terraform) {
        if let Some(value) = lower_entry(a, entry) {
            a.insert(key, value);
        }
    }
    if spelling.terraform_tags {
        a.tags();
    }
    for (block, entries) in construct::terraform_blocks(resource, spelling) {
        let mut body = Map::new();
        for (key, entry) in entries {
            if let Some(value) = lower_entry(a, entry) {
                body.insert(key.to_owned(), value);
            }
        }
        out.blocks
            .push((block.type_name, format!("{name}{}", block.suffix), body));
    }
}

/// One entry's value; `None` leaves the attribute out.
fn lower_entry(a: &mut Attrs, entry: Entry) -> Option<Json> {
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
        Entry::Number(text) => super::number(text),
    })
}
