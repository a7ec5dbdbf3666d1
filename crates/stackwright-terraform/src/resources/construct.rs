//! Constructs (`stackwright_aws::construct`): the kind's Terraform form, as its own file spelled it,
//! lowered like a raw resource's attributes. No kind-specific code here.

use super::Attrs;
use serde_json::Value as Json;
use stackwright_aws::construct::{self, Entry, Spelling};
use stackwright_core::Target;

/// Fills `a` from the construct's Terraform form: its checkov skips, its attributes in order (a value
/// that is `Expr::no_value()` is left out), then the resource's own tags if the type takes them.
pub(super) fn lower(a: &mut Attrs, spelling: &'static Spelling) {
    let resource = a.resource;
    for (id, reason) in construct::skips(resource, Target::Terraform) {
        a.checkov_skip(id, reason);
    }
    for (name, entry) in construct::entries(resource, Target::Terraform) {
        match entry {
            Entry::Value(value) if value.is_no_value() => {}
            Entry::Value(value) => {
                let lowered = a.value(value);
                a.insert(name, lowered);
            }
            Entry::PhysicalName => a.physical_name(name),
            Entry::RequiredName => {
                let required = a.lowering.checked_required_name(resource, a.problems);
                a.insert(name, Json::String(crate::expr::escape(&required)));
            }
            Entry::Number(text) => a.insert(name, super::number(text)),
        }
    }
    if spelling.terraform_tags {
        a.tags();
    }
}
