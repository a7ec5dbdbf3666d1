//! Constructs (`stackwright_aws::construct`): the kind's CloudFormation form, as its own file spelled it,
//! lowered like a raw resource's properties. No kind-specific code here.

use super::Props;
use stackwright_aws::construct::{self, Entry, Spelling};
use stackwright_core::Target;

/// Fills `p` from the construct's CloudFormation form and returns its type.
pub(super) fn lower(p: &mut Props, spelling: &'static Spelling) -> &'static str {
    let resource = p.resource;
    for (id, reason) in construct::skips(resource, Target::CloudFormation) {
        p.checkov_skip(id, reason);
    }
    for (name, entry) in construct::entries(resource, Target::CloudFormation) {
        match entry {
            Entry::Value(value) if value.is_no_value() => p.insert(name, crate::expr::no_value()),
            Entry::Value(value) => {
                let lowered = p.value(value);
                p.insert(name, lowered);
            }
            // CloudFormation generates a name the user did not give.
            Entry::PhysicalName | Entry::RequiredName { .. } => p.physical_name(name),
            Entry::Number(text) => p.insert(name, super::number(text)),
            Entry::PolicyDocument(policy) => {
                let lowered = p.value(policy.document);
                p.insert(name, lowered);
            }
        }
    }
    spelling.cloudformation
}
