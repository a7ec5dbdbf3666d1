//! Constructs: a kind that says, in its own file, what it is in each target, so that the targets lower it
//! with one generic path and keep no code of their own for it.
//!
//! A construct's builder keeps typed fields and, when it is declared, writes one [`Form`] per target: the
//! target's own property names in the order they are emitted, the physical name's place, and the checkov
//! checks its defaults make inapplicable (with the reason). Its [`Spelling`] (a `static` in the same file,
//! listed once in `lib.rs`'s `constructs!`) gives the type in each target and how each of its handle's
//! attributes is read there. The targets read both through [`spelling`], [`entries`] and [`skips`]: no
//! property name crosses the crate boundary, and the node keeps its kind, so naming rules, removal
//! policies and tags work as for every kind.
//!
//! What the targets do generically around a construct, as for every resource: tags (CloudFormation from
//! its tagging table, Terraform `tags` when [`Spelling::terraform_tags`]), `DeletionPolicy` and
//! `prevent_destroy` from the removal policy, dependencies, overrides, accepted findings, validation.

use stackwright_core::{Resource, Target, Value};

/// How a construct's attribute is read in CloudFormation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// `Ref` of the resource.
    Ref,
    /// `Fn::GetAtt` of the named attribute.
    GetAtt(&'static str),
}

/// One attribute of a construct's handle: its neutral name (the handle's method reads it) and how each
/// target reads it.
#[derive(Clone, Copy, Debug)]
pub struct Attribute {
    pub name: &'static str,
    pub cloudformation: Read,
    /// The attribute of the Terraform resource.
    pub terraform: &'static str,
}

/// What a construct's kind is in each target; one `static` per kind, beside its builder.
#[derive(Debug)]
pub struct Spelling {
    /// The neutral kind (`kinds::*`) the builder's node has.
    pub kind: &'static str,
    /// The CloudFormation resource type.
    pub cloudformation: &'static str,
    /// The Terraform resource type (hashicorp/aws).
    pub terraform: &'static str,
    /// Whether the Terraform resource takes the resource's own tags (`tags`; the environment's reach it
    /// through the provider's `default_tags`).
    pub terraform_tags: bool,
    pub attributes: &'static [Attribute],
}

impl Spelling {
    /// The attribute `name` of the handle, if the kind has it.
    pub fn attribute(&self, name: &str) -> Option<&'static Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

/// The spelling of `kind`, when it is a construct.
pub fn spelling(kind: &str) -> Option<&'static Spelling> {
    crate::SPELLINGS
        .iter()
        .copied()
        .find(|s| std::ptr::eq(s.kind, kind) || s.kind == kind)
}

/// The property values of one target's form, in emission order.
#[derive(Debug, Default)]
pub struct Form {
    entries: Vec<(String, Value)>,
    skips: Vec<(String, Value)>,
}

/// The node's properties holding each target's form; private to this module, read through [`entries`].
const CLOUDFORMATION: &str = "construct_cloudformation";
const TERRAFORM: &str = "construct_terraform";
const CLOUDFORMATION_SKIPS: &str = "construct_cloudformation_skips";
const TERRAFORM_SKIPS: &str = "construct_terraform_skips";
/// The value of a form's entry where the resource's physical name goes, when it has one.
const PHYSICAL_NAME: &str = "$stackwright:physical-name";

impl Form {
    pub fn new() -> Self {
        Form::default()
    }

    /// Sets property `name` (replacing an earlier value in place).
    pub fn set(&mut self, name: &str, value: impl Into<Value>) -> &mut Self {
        let value = value.into();
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((name.to_owned(), value)),
        }
        self
    }

    /// Sets property `name` when `value` is given.
    pub fn set_some<V: Into<Value>>(&mut self, name: &str, value: Option<V>) -> &mut Self {
        if let Some(value) = value {
            self.set(name, value);
        }
        self
    }

    /// Property `name` takes the resource's physical name, when the user gave one (`.name(..)`), which
    /// the stack settles only once the node is added.
    pub fn physical_name(&mut self, name: &str) -> &mut Self {
        self.set(
            name,
            Value::Map(vec![(PHYSICAL_NAME.to_owned(), Value::Bool(true))]),
        )
    }

    /// checkov check `id` does not apply to this target's resource, for `reason`.
    pub fn checkov_skip(&mut self, id: &str, reason: &str) -> &mut Self {
        self.skips.push((id.to_owned(), Value::from(reason)));
        self
    }
}

/// Stores both targets' forms on the construct's node.
pub fn finish(resource: &mut Resource, cloudformation: Form, terraform: Form) {
    resource.set(CLOUDFORMATION, Value::Map(cloudformation.entries));
    resource.set(TERRAFORM, Value::Map(terraform.entries));
    if !cloudformation.skips.is_empty() {
        resource.set(CLOUDFORMATION_SKIPS, Value::Map(cloudformation.skips));
    }
    if !terraform.skips.is_empty() {
        resource.set(TERRAFORM_SKIPS, Value::Map(terraform.skips));
    }
}

/// An entry of a target's form.
#[derive(Clone, Copy, Debug)]
pub enum Entry<'a> {
    Value(&'a Value),
    /// The resource's physical name, when it has one (else nothing).
    PhysicalName,
}

/// A target's form of a construct's node, as stored: property name to value (for checks that read values,
/// such as literal secrets); `None` for other nodes.
pub fn form(resource: &Resource, target: Target) -> Option<&Value> {
    resource.get(match target {
        Target::CloudFormation => CLOUDFORMATION,
        Target::Terraform => TERRAFORM,
    })
}

/// The properties of `target`'s form of a construct's node, in emission order.
pub fn entries(resource: &Resource, target: Target) -> impl Iterator<Item = (&str, Entry<'_>)> {
    form(resource, target)
        .and_then(Value::as_map)
        .unwrap_or_default()
        .iter()
        .map(|(name, value)| {
            let entry = match value.as_map() {
                Some([(marker, _)]) if marker == PHYSICAL_NAME => Entry::PhysicalName,
                _ => Entry::Value(value),
            };
            (name.as_str(), entry)
        })
}

/// The checkov checks (id, reason) that `target`'s form of a construct's node makes inapplicable.
pub fn skips(resource: &Resource, target: Target) -> impl Iterator<Item = (&str, &str)> {
    let key = match target {
        Target::CloudFormation => CLOUDFORMATION_SKIPS,
        Target::Terraform => TERRAFORM_SKIPS,
    };
    resource
        .get(key)
        .and_then(Value::as_map)
        .unwrap_or_default()
        .iter()
        .map(|(id, reason)| {
            let reason = reason
                .as_expr()
                .and_then(|e| e.as_literal())
                .unwrap_or_default();
            (id.as_str(), reason)
        })
}
