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
//! What no form says but the engine orders or checks by is neutral and kept beside the forms: the node's
//! part in the network ([`set_network`]: internet gateways, subnets, routes, public addresses) and its
//! availability zones ([`add_availability_zone`]).

use std::borrow::Cow;

use stackwright_core::{Expr, RemovalPolicy, Resource, Target, Value};

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
    /// The neutral name the handle's method reads (`arn`).
    pub name: &'static str,
    /// How CloudFormation reads it.
    pub cloudformation: Read,
    /// The attribute of the Terraform resource.
    pub terraform: &'static str,
}

impl Attribute {
    /// The attribute `name` of the handle, read as `cloudformation` and as Terraform's `terraform`.
    pub const fn new(name: &'static str, cloudformation: Read, terraform: &'static str) -> Self {
        Attribute {
            name,
            cloudformation,
            terraform,
        }
    }
}

/// What a construct's kind is in each target; one `static` per kind, beside its builder.
#[derive(Debug)]
pub struct Spelling {
    /// The neutral kind (`kinds::*`) the builder's node has.
    pub kind: &'static str,
    /// The CloudFormation resource type.
    pub cloudformation: &'static str,
    /// The Terraform resource type (hashicorp/aws); empty for a kind Terraform has no resource for (a
    /// function's version, published with the function), which lowers to nothing there and which its
    /// readers spell in their own Terraform forms.
    pub terraform: &'static str,
    /// Whether the Terraform resource takes the resource's own tags (`tags`; the environment's reach it
    /// through the provider's `default_tags`).
    pub terraform_tags: bool,
    /// The handle's attributes.
    pub attributes: &'static [Attribute],
    /// The one resource the kind adds beside its main one in CloudFormation (a bucket's policy), present
    /// when the node has a body for it ([`cloudformation_resource`]); its logical id is the main one's
    /// followed by the suffix.
    pub cloudformation_resource: Option<Block>,
    /// Terraform data sources the kind reads beside its main block (a secret's generated password),
    /// each present when the node has a body for it ([`terraform_block`], by suffix).
    pub terraform_data: &'static [Block],
    /// Terraform resources the kind splits into beside its main block (a repository's lifecycle policy),
    /// each present when the node has a body for it ([`terraform_block`]).
    pub terraform_blocks: &'static [Block],
}

/// A resource a construct adds beside its main one in a target.
#[derive(Clone, Copy, Debug)]
pub struct Block {
    /// The resource type.
    pub type_name: &'static str,
    /// What the block's name adds to the main one's (`_lifecycle`).
    pub suffix: &'static str,
    /// `None` for one resource, present when the node has a body for it ([`terraform_block`]); `Some(..)`
    /// for one resource per item, named by its content ([`ItemName`]), so that adding an item renames no
    /// other.
    pub named_by: Option<ItemName>,
}

/// What names each item of a per-item Terraform block ([`Block::named_by`]): `<main><suffix>` followed by
/// `_<part>` for each part, each part the text of a lowered value (a literal, the name of the resource a
/// reference reads, the last segment of an ARN) as a Terraform identifier, empty parts left out; a repeat
/// is numbered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemName {
    /// The item's attribute of this name (added with [`terraform_item`]): a role's attachment of
    /// `arn:...:policy/ReadOnly` is `app_managed_policy_read_only`.
    Attribute(&'static str),
    /// The parts the builder gave with the item ([`terraform_named_item`]): a security group's rule
    /// `web_ingress_tcp_443_from_0_0_0_0_0` (protocol, ports, direction, peer).
    Parts,
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

/// Every construct's spelling, in `lib.rs`'s `constructs!` order.
pub fn spellings() -> impl Iterator<Item = &'static Spelling> {
    crate::SPELLINGS.iter().copied()
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
/// The node's properties holding the patches a builder carries until [`finish`] ([`Patchable`]).
const CLOUDFORMATION_PATCH: &str = "construct_cloudformation_patch";
const TERRAFORM_PATCH: &str = "construct_terraform_patch";
/// What every marker below starts with.
const MARKER: &str = "$stackwright:";
/// The value of a form's entry where the resource's physical name goes, when it has one.
const PHYSICAL_NAME: &str = "$stackwright:physical-name";
/// The value of a form's entry where the physical name goes, derived by the target when the user gave
/// none.
const REQUIRED_NAME: &str = "$stackwright:required-name";
/// The value of a form's entry holding a decimal number as text (values carry no floats).
const NUMBER: &str = "$stackwright:number";
/// The value of a form's entry listing the address of one of the construct's own Terraform blocks.
const OWN_BLOCK: &str = "$stackwright:own-block";
/// The value of a form's entry that is the resource's tags as EC2 tag specifications.
const TAG_SPECIFICATIONS: &str = "$stackwright:tag-specifications";
/// The value of a form's entry that is the resource's tags as a list of objects.
const TAG_LIST: &str = "$stackwright:tag-list";
/// The node's property holding its CloudFormation resource attributes beside `Properties`.
const CLOUDFORMATION_ATTRIBUTES: &str = "construct_cloudformation_attributes";
/// The value of a form's entry that is a Terraform function applied to a value.
const TERRAFORM_CALL: &str = "$stackwright:terraform-call";
/// The value of a form's entry that is a value written as JSON text ([`Form::terraform_json_text`]).
const JSON_TEXT: &str = "$stackwright:json-text";
/// The value of a form's entry that is a Terraform expression ([`Hcl`] parts).
const EXPRESSION: &str = "$stackwright:expression";
/// The node's property holding the body of its CloudFormation resource beside the main one.
const CLOUDFORMATION_RESOURCE: &str = "construct_cloudformation_resource";
/// The value of a form's entry holding an IAM policy document.
const POLICY_DOCUMENT: &str = "$stackwright:policy-document";
/// The value of a form's entry that is the resource's deletion protection as the environment leaves it.
const DELETION_PROTECTION: &str = "$stackwright:deletion-protection";
/// The neutral property the core turns off in an environment that tears down completely
/// (`Resource::apply_environment_removal`), after the builder was declared.
const NEUTRAL_DELETION_PROTECTION: &str = "deletion_protection";
/// The node's property holding the bodies of its Terraform blocks, by suffix.
const TERRAFORM_BLOCKS: &str = "construct_terraform_blocks";
/// The node's property holding the name parts of its per-item Terraform blocks' items, by suffix, in the
/// items' order ([`ItemName::Parts`]).
const TERRAFORM_ITEM_NAMES: &str = "construct_terraform_item_names";
/// The reason of a checkov skip that applies only when other stacks read the resource.
const READ_ELSEWHERE: &str = "$stackwright:read-elsewhere";
/// The node's property holding its part in the network ([`Network`]), which the engine orders by.
const NETWORK: &str = "construct_network";
/// The node's property listing the availability zones it is placed in, which the engine checks against
/// the environment's region.
const ZONES: &str = "construct_zones";
/// The value of a form's entry that is the deletion protection as text (`"true"`/`"false"`).
const DELETION_PROTECTION_TEXT: &str = "$stackwright:deletion-protection-text";
/// The value of a form's entry that is the environment's region, as text.
const REGION: &str = "$stackwright:region";
/// The value of a form's entry that makes the main block wait for a block of another construct.
const WAIT_FOR: &str = "$stackwright:wait-for";
/// The value of a form's entry that depends on the removal policy the environment leaves.
const BY_REMOVAL: &str = "$stackwright:by-removal";
/// The value of a form's entry that is the required name spelled as an identifier, with a suffix.
const IDENTIFIER: &str = "$stackwright:identifier";
/// The value of a form's entry that is the physical or derived name, with a suffix, in both targets.
const NAME_IN_BOTH: &str = "$stackwright:name-in-both";
/// The reason of a checkov skip that applies only once the core turned deletion protection off.
const UNPROTECTED: &str = "$stackwright:unprotected";
/// The reason given for a deletion-protection check skipped in an environment that tears down.
const UNPROTECTED_REASON: &str = "deletion protection is off because the environment tears down completely \
     (Environment::removal_policy(RemovalPolicy::Destroy)); a protected resource cannot be destroyed";

impl Form {
    /// An empty form.
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

    /// Property `name` takes the resource's physical name, or, when the user gave none and the target
    /// requires one where the other generates it (Terraform), `<app>-<environment>-<stack>-<id>`,
    /// checked against the kind's naming rule. CloudFormation generates the name instead.
    pub fn required_name(&mut self, name: &str) -> &mut Self {
        self.set(
            name,
            Value::Map(vec![(REQUIRED_NAME.to_owned(), Value::Bool(false))]),
        )
    }

    /// [`Form::required_name`] in lowercase (an ECR repository's), the derived name lowercased rather
    /// than checked.
    pub fn required_lowercase_name(&mut self, name: &str) -> &mut Self {
        self.set(
            name,
            Value::Map(vec![(REQUIRED_NAME.to_owned(), Value::Bool(true))]),
        )
    }

    /// Property `name` takes the resource's physical name or, when the user gave none,
    /// `<app>-<environment>-<stack>-<id>`, followed by `suffix` (empty for none), in both targets: for a
    /// type CloudFormation requires a name for (an event bus), or whose generated name would break the
    /// type's rule (a FIFO queue's must end in `.fifo`). A derived name is checked against the kind's
    /// naming rule (by Terraform's lowering, so that it is reported once).
    pub fn name_in_both_targets(&mut self, name: &str, suffix: &str) -> &mut Self {
        let suffix = Value::from(suffix);
        self.set(name, Value::Map(vec![(NAME_IN_BOTH.to_owned(), suffix)]))
    }

    /// Property `name` is the decimal number `text` (`0.5`, `90`), written as a JSON number.
    pub fn number(&mut self, name: &str, text: impl Into<String>) -> &mut Self {
        let text = Value::from(text.into());
        self.set(name, Value::Map(vec![(NUMBER.to_owned(), text)]))
    }

    /// Property `name` is whether the resource is protected from deletion: `protected`, unless the
    /// environment tears down completely and the user left the choice to it (then off, which the core
    /// decides after the builder is declared).
    pub fn deletion_protection(&mut self, name: &str) -> &mut Self {
        self.set(
            name,
            Value::Map(vec![(DELETION_PROTECTION.to_owned(), Value::Bool(true))]),
        )
    }

    /// Property `name` is IAM policy document `document` (IAM's JSON shape, as `PolicyDocument::to_value`
    /// gives it). CloudFormation takes it as an object; Terraform reads it from an
    /// `aws_iam_policy_document` data source named `<resource>_<source>`, so that references stay live
    /// and checkov sees the statements, which skips the checkov checks `skips` (id, reason) that do not
    /// apply to this use of the document.
    pub fn policy_document(
        &mut self,
        name: &str,
        document: Value,
        source: &str,
        skips: &[(&str, &str)],
    ) -> &mut Self {
        let skips = skips
            .iter()
            .map(|(id, reason)| ((*id).to_owned(), Value::from(*reason)))
            .collect();
        let body = Value::Map(vec![
            ("document".to_owned(), document),
            ("source".to_owned(), Value::from(source)),
            ("skips".to_owned(), Value::Map(skips)),
        ]);
        self.set(name, Value::Map(vec![(POLICY_DOCUMENT.to_owned(), body)]))
    }

    /// Property `name` is `value` when the resource's removal policy, as the environment leaves it, is
    /// `Destroy` (a bucket's `force_destroy`), and absent otherwise.
    pub fn when_destroyed(&mut self, name: &str, value: impl Into<Value>) -> &mut Self {
        self.when_removal_policy(name, RemovalPolicy::Destroy, value)
    }

    /// Property `name` is `value` when the resource's removal policy, as the environment leaves it, is
    /// `policy` (a volume's Terraform `final_snapshot` under `Snapshot`), and absent otherwise.
    pub fn when_removal_policy(
        &mut self,
        name: &str,
        policy: RemovalPolicy,
        value: impl Into<Value>,
    ) -> &mut Self {
        let value = value.into();
        self.by_removal_policy(name, |p| (p == policy).then(|| value.clone()))
    }

    /// Property `name` is `destroyed` when the resource's removal policy, as the environment leaves it,
    /// is `Destroy`, else `kept` (an RDS instance's `skip_final_snapshot`); absent where that is `None`.
    /// Either may be a marker ([`required_identifier`]).
    pub fn by_removal(
        &mut self,
        name: &str,
        destroyed: Option<Value>,
        kept: Option<Value>,
    ) -> &mut Self {
        self.by_removal_policy(name, |p| match p {
            RemovalPolicy::Destroy => destroyed.clone(),
            RemovalPolicy::Retain | RemovalPolicy::Snapshot => kept.clone(),
        })
    }

    /// Property `name` is `choose(policy)` for the removal policy the environment leaves the resource,
    /// absent where that is `None`: one entry holding a value (or none) per policy.
    fn by_removal_policy(
        &mut self,
        name: &str,
        choose: impl Fn(RemovalPolicy) -> Option<Value>,
    ) -> &mut Self {
        let choices = [
            RemovalPolicy::Destroy,
            RemovalPolicy::Retain,
            RemovalPolicy::Snapshot,
        ]
        .map(|policy| {
            let value = Value::List(choose(policy).into_iter().collect());
            (removal_policy_name(policy).to_owned(), value)
        });
        self.set(
            name,
            Value::Map(vec![(BY_REMOVAL.to_owned(), Value::Map(choices.into()))]),
        )
    }

    /// Property `name` lists the address of the construct's own Terraform block `suffix` (one of
    /// [`Spelling::terraform_blocks`]): a `depends_on` that no reference implies.
    pub fn own_block(&mut self, name: &str, suffix: &str) -> &mut Self {
        let suffix = Value::from(suffix);
        self.set(name, Value::Map(vec![(OWN_BLOCK.to_owned(), suffix)]))
    }

    /// Property `name` is a Terraform expression (`${...}`) made of `parts`, for what no neutral value
    /// says (a secret's value read from its own data source); CloudFormation has no such entry.
    pub fn terraform_expression(&mut self, name: &str, parts: Vec<Hcl>) -> &mut Self {
        self.set(name, terraform_expression(parts))
    }

    /// Property `name` is Terraform function `function` (`base64encode`) applied to the text `value`
    /// (references stay live); CloudFormation has no such entry.
    pub fn terraform_call(&mut self, name: &str, function: &str, value: Expr) -> &mut Self {
        let body = object(&[
            ("function", Value::from(function)),
            ("value", Value::Str(value)),
        ]);
        self.set(name, Value::Map(vec![(TERRAFORM_CALL.to_owned(), body)]))
    }

    /// Property `name` is `value` as compact JSON text, each reference kept live inside its string
    /// ([`json_text`]): what the provider takes as a JSON string where CloudFormation takes the
    /// structure (an ECS task's `container_definitions`). The form keeps the structure, so that the
    /// checks that read forms (literal secrets) see its names and values; CloudFormation has no such
    /// entry.
    pub fn terraform_json_text(&mut self, name: &str, value: Value) -> &mut Self {
        self.set(name, Value::Map(vec![(JSON_TEXT.to_owned(), value)]))
    }

    /// Copies the builder's own property `from` of `resource` (its private bag) to property `to`, when set.
    pub fn copy(&mut self, resource: &Resource, from: &str, to: &str) -> &mut Self {
        if let Some(value) = resource.get(from) {
            self.set(to, value.clone());
        }
        self
    }

    /// checkov check `id` does not apply to this target's resource, for `reason`.
    pub fn checkov_skip(&mut self, id: &str, reason: &str) -> &mut Self {
        self.skips.push((id.to_owned(), Value::from(reason)));
        self
    }

    /// checkov check `id` (a deletion-protection check) does not apply once the environment, tearing
    /// down completely, turned the resource's deletion protection off (which the core decides after the
    /// builder is declared). For a resource declared protected.
    pub fn checkov_skip_when_unprotected(&mut self, id: &str) -> &mut Self {
        let marker = Value::Map(vec![(UNPROTECTED.to_owned(), Value::Bool(true))]);
        self.skips.push((id.to_owned(), marker));
        self
    }

    /// checkov check `id` does not apply when other stacks read the resource: checkov reads one template
    /// or module at a time, so a use in another stack (a security group attached there) is invisible to
    /// it. `reason` names them where it says `{stacks}` (`` `a`, `b` ``). The target passes the stacks
    /// that read the resource to [`skips`].
    pub fn checkov_skip_when_read_elsewhere(&mut self, id: &str, reason: &str) -> &mut Self {
        let marker = Value::Map(vec![(READ_ELSEWHERE.to_owned(), Value::from(reason))]);
        self.skips.push((id.to_owned(), marker));
        self
    }

    /// The main block waits (Terraform `depends_on`) for the block `suffix` (one of its
    /// [`Spelling::terraform_blocks`]) of the construct `reference` reads, when that construct is in
    /// this stack (a listener for its certificate's validation); nothing otherwise. Each call adds one
    /// wait (a REST API's deployment waits for every method's integration).
    pub fn wait_for_block(&mut self, reference: Expr, suffix: &str) -> &mut Self {
        let body = object(&[
            ("reference", Value::Str(reference)),
            ("suffix", Value::from(suffix)),
        ]);
        let mut name = format!("{WAIT_FOR}{suffix}");
        let earlier = self
            .entries
            .iter()
            .filter(|(n, _)| {
                n.strip_prefix(name.as_str())
                    .is_some_and(|r| r.is_empty() || r.starts_with('#'))
            })
            .count();
        if earlier > 0 {
            name = format!("{name}#{earlier}");
        }
        self.set(&name, Value::Map(vec![(WAIT_FOR.to_owned(), body)]))
    }
}

/// A value standing, anywhere in a form, for the resource's deletion protection as the environment
/// leaves it, as text (`"true"`/`"false"`, as load balancer attributes take it); absent when the builder
/// did not set it.
pub fn deletion_protection_text() -> Value {
    Value::Map(vec![(
        DELETION_PROTECTION_TEXT.to_owned(),
        Value::Bool(true),
    )])
}

/// A value standing, anywhere in a form, for the environment's region as literal text (a private hosted
/// zone's `VPCRegion`), where a pseudo value (`Expr::region()`) would be read at deploy time.
pub fn region() -> Value {
    Value::Map(vec![(REGION.to_owned(), Value::Bool(true))])
}

/// A value standing, anywhere in a form, for the resource's physical name or, when the user gave none,
/// the one Terraform derives ([`Form::required_name`]; CloudFormation leaves it out), followed by
/// `-suffix` and spelled as an AWS identifier ([`identifier`]): an RDS final snapshot's.
pub fn required_identifier(suffix: &str) -> Value {
    Value::Map(vec![(IDENTIFIER.to_owned(), Value::from(suffix))])
}

/// `name` followed by `-suffix`, as letters, digits and single hyphens (anything else becomes a
/// hyphen), with no hyphen at either end, at most 255 characters: the identifiers RDS takes.
pub fn identifier(name: &str, suffix: &str) -> String {
    let mut out = String::new();
    for c in format!("{name}-{suffix}").chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '-' };
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
    }
    out.truncate(255);
    out.trim_end_matches('-').to_owned()
}

/// A value standing, anywhere in a form, for a Terraform expression ([`Form::terraform_expression`]).
pub fn terraform_expression(parts: Vec<Hcl>) -> Value {
    let parts = parts
        .into_iter()
        .map(|part| match part {
            Hcl::Raw(text) => object(&[("raw", Value::from(text))]),
            Hcl::Text(text) => object(&[("text", Value::from(text))]),
            Hcl::Block { suffix, attribute } => object(&[
                ("block", Value::from(suffix)),
                ("attribute", Value::from(attribute)),
            ]),
            Hcl::Value(expr) => object(&[("value", Value::Str(expr))]),
            Hcl::Number(text) => object(&[("number", Value::from(text))]),
        })
        .collect();
    Value::Map(vec![(EXPRESSION.to_owned(), Value::List(parts))])
}

/// `value` as compact JSON text, as Terraform's `jsonencode` writes it: literal text JSON-escaped, each
/// reference kept live inside its string (its value, an ARN or a name, needs no escaping).
pub fn json_text(value: &Value) -> Expr {
    let mut parts = Vec::new();
    crate::iam::json_text(value, &mut parts);
    Expr::concat(parts)
}

/// A decimal number `text` (`0.5`) to nest in a form's value (a map or list given to [`Form::set`]),
/// written as a JSON number like [`Form::number`]'s.
pub fn number(text: impl Into<String>) -> Value {
    Value::Map(vec![(NUMBER.to_owned(), Value::from(text.into()))])
}

/// The resource's tags, the environment's default tags first (a resource tag of the same key wins), as
/// EC2 tag specifications for each of `resource_types` (`instance`, `volume`, `launch-template`): what
/// reaches resources that a type launches, which no other tag reaches. In each target's shape; absent
/// when there are no tags. Nests in a form's value ([`Entry::Nested`]).
pub fn tag_specifications(resource_types: &[&str]) -> Value {
    let types = resource_types.iter().map(|t| Value::from(*t)).collect();
    Value::Map(vec![(TAG_SPECIFICATIONS.to_owned(), Value::List(types))])
}

/// The resource's tags, the environment's default tags first (a resource tag of the same key wins), as a
/// list of objects `{<key>: .., <value>: .., <extra>...}` (CloudFormation's `Key`/`Value`, an auto
/// scaling group's Terraform `tag` blocks with `propagate_at_launch`). Absent when there are no tags.
/// Nests in a form's value ([`Entry::Nested`]).
pub fn tag_list(key: &str, value: &str, extra: &[(&str, Value)]) -> Value {
    let body = object(&[
        ("key", Value::from(key)),
        ("value", Value::from(value)),
        ("extra", object(extra)),
    ]);
    Value::Map(vec![(TAG_LIST.to_owned(), body)])
}

/// A part of a Terraform expression ([`Form::terraform_expression`]).
#[derive(Clone, Debug)]
pub enum Hcl {
    /// HCL written as is (`jsonencode({`).
    Raw(&'static str),
    /// Literal text, quoted and escaped as an HCL string.
    Text(String),
    /// An attribute of the construct's own Terraform block or data source of this suffix.
    Block {
        /// The block's suffix (one of [`Spelling::terraform_blocks`] or [`Spelling::terraform_data`]);
        /// empty for the main block.
        suffix: &'static str,
        /// The attribute read; empty for the block's address itself (a `for` over its instances).
        attribute: &'static str,
    },
    /// A neutral value as an HCL expression: a reference bare (`aws_lambda_function.api.version`), a
    /// literal quoted; for what JSON cannot spell with a plain value (a map key that is a reference).
    Value(Expr),
    /// A decimal number written as is (`0.1`); the caller checks that it is one.
    Number(String),
}

/// Stores both targets' forms on the construct's node, in place of the builder's own properties (which
/// only the construct's file reads), each with the patches the builder carries ([`Patchable`]) merged over
/// it ([`merge`]).
pub fn finish(resource: &mut Resource, mut cloudformation: Form, mut terraform: Form) {
    for (target, form) in [
        (Target::CloudFormation, &mut cloudformation),
        (Target::Terraform, &mut terraform),
    ] {
        if let Some(Value::Map(patch)) = resource.get(patch_key(target)) {
            merge(&mut form.entries, patch.clone(), target);
        }
    }
    // Deletion protection stays for the core to turn off ([`Form::deletion_protection`]), the network
    // part and the zones for the engine to read, the CloudFormation patch for the secret check
    // ([`cloudformation_patch`]).
    resource.properties.retain(|(name, _)| {
        [
            NEUTRAL_DELETION_PROTECTION,
            NETWORK,
            ZONES,
            CLOUDFORMATION_PATCH,
        ]
        .contains(name)
    });
    resource.set(CLOUDFORMATION, Value::Map(cloudformation.entries));
    resource.set(TERRAFORM, Value::Map(terraform.entries));
    if !cloudformation.skips.is_empty() {
        resource.set(CLOUDFORMATION_SKIPS, Value::Map(cloudformation.skips));
    }
    if !terraform.skips.is_empty() {
        resource.set(TERRAFORM_SKIPS, Value::Map(terraform.skips));
    }
}

/// The node's property holding the patch of `target` a builder carries until [`finish`].
fn patch_key(target: Target) -> &'static str {
    match target {
        Target::CloudFormation => CLOUDFORMATION_PATCH,
        Target::Terraform => TERRAFORM_PATCH,
    }
}

/// What the construct's CloudFormation escape set (`.cloudformation(..)`), merged, when it has one: the
/// secret check reads the Terraform form for the values both forms share, and this for what only the
/// CloudFormation form got from a patch.
pub fn cloudformation_patch(resource: &Resource) -> Option<&Value> {
    resource.get(CLOUDFORMATION_PATCH)
}

/// The hook behind the typed escapes (`CloudFormationEscape::cloudformation` in
/// `stackwright-aws-generated`, `TerraformEscape::terraform` in `stackwright-aws-terraform`): a construct's
/// builder carries per-target patches, property entries in that target's spelling, which [`finish`]
/// merges over its form ([`merge`]), so that a property the builder lacks costs none of its defaults.
/// Implemented for every construct's builder in `stackwright-aws`; users call the typed escapes, which
/// build the patch with the generated builder of the construct's main resource ([`Patchable::spelling`]).
#[doc(hidden)]
pub trait Patchable: Sized {
    /// The spelling of the construct's main resource: what the patch is spelled against.
    fn spelling() -> &'static Spelling;

    /// Adds a patch of `target`'s form (entries in its spelling, merged over earlier patches) and the
    /// problems found building it (located at the construct's declaration).
    fn patch(self, target: Target, entries: Vec<(String, Value)>, problems: Vec<String>) -> Self;
}

/// Patches a composite keeps for the builder of its main resource, which it makes only when it is added
/// (a replicated service's load balancer): handed to that builder with [`Patches::apply`].
#[doc(hidden)]
#[derive(Clone, Debug, Default)]
pub struct Patches(Vec<Patch>);

/// One patch of [`Patches`]: [`Patchable::patch`]'s arguments.
#[derive(Clone, Debug)]
struct Patch {
    target: Target,
    entries: Vec<(String, Value)>,
    problems: Vec<String>,
}

impl Patches {
    /// Keeps a patch ([`Patchable::patch`]'s arguments).
    pub fn push(&mut self, target: Target, entries: Vec<(String, Value)>, problems: Vec<String>) {
        self.0.push(Patch {
            target,
            entries,
            problems,
        });
    }

    /// Hands every patch kept, in order, to `builder`.
    pub fn apply<B: Patchable>(self, builder: B) -> B {
        self.0
            .into_iter()
            .fold(builder, |b, p| b.patch(p.target, p.entries, p.problems))
    }
}

/// Records a patch of `target`'s form on a construct's node before [`finish`] ([`Patchable::patch`]): merged
/// over the patches already there, and refused (a problem of the resource) when it holds a key that a
/// form reserves for its markers.
#[doc(hidden)]
pub fn add_patch(
    resource: &mut Resource,
    target: Target,
    entries: Vec<(String, Value)>,
    problems: Vec<String>,
) {
    resource.problems.extend(problems);
    let words = match target {
        Target::CloudFormation => "cloudformation",
        Target::Terraform => "terraform",
    };
    if let Some(key) = entries.iter().find_map(|(k, v)| reserved_key(k, v)) {
        resource.problems.push(format!(
            "`.{words}(..)`: key `{key}` is reserved for Stackwright's own entries (it starts with \
             `{MARKER}`); the patch is not applied"
        ));
        return;
    }
    let mut patch = match resource.get(patch_key(target)) {
        Some(Value::Map(patch)) => patch.clone(),
        _ => Vec::new(),
    };
    merge(&mut patch, entries, target);
    resource.set(patch_key(target), Value::Map(patch));
}

/// The problems of a patch's node built by a generated builder (`words`: `.cloudformation(..)` or
/// `.terraform(..)`, `type_name`: its type): what it found building the patch, and each setting of a node
/// rather than of properties (tags, dependencies, overrides, ...) called inside the escape, which a patch
/// does not carry: those belong on the construct itself.
#[doc(hidden)]
pub fn patch_problems(patch: Resource, words: &str, type_name: &str) -> Vec<String> {
    let Resource {
        tags,
        depends_on,
        overrides,
        accepted_findings,
        renamed_from,
        moved_from,
        removal_chosen,
        plaintext_secret_allowed,
        mut problems,
        ..
    } = patch;
    let settings: Vec<&str> = [
        (!tags.is_empty(), "tag"),
        (!depends_on.is_empty(), "depends_on"),
        (!overrides.is_empty(), "override_*/remove_*"),
        (!accepted_findings.is_empty(), "accept_finding"),
        (renamed_from.is_some(), "renamed_from"),
        (moved_from.is_some(), "moved_from"),
        (removal_chosen, "removal_policy"),
        (plaintext_secret_allowed.is_some(), "allow_plaintext_secret"),
    ]
    .into_iter()
    .filter_map(|(set, name)| set.then_some(name))
    .collect();
    let mut problems: Vec<String> = problems
        .drain(..)
        .map(|p| format!("`{words}` (`{type_name}`): {p}"))
        .collect();
    if !settings.is_empty() {
        let names: Vec<String> = settings.iter().map(|s| format!("`.{s}(..)`")).collect();
        problems.push(format!(
            "`{words}` patches the properties of `{type_name}` only: {} inside it would be lost; call \
             them on the construct itself",
            names.join(", ")
        ));
    }
    problems
}

/// The first key at or below (`key`, `value`) that starts with [`MARKER`].
fn reserved_key(key: &str, value: &Value) -> Option<String> {
    if key.starts_with(MARKER) {
        return Some(key.to_owned());
    }
    match value {
        Value::Map(entries) => entries.iter().find_map(|(k, v)| reserved_key(k, v)),
        Value::List(items) => items.iter().find_map(|v| reserved_key("", v)),
        _ => None,
    }
}

/// Merges `patch` over the entries `into` (a form's, or an earlier patch): objects merge by key (a new key
/// goes last, in emission order), anything else the patch gives replaces what was there, lists whole, and
/// an entry the form settles at lowering (a marker: the physical name, tags, a number) is replaced like a
/// value. In Terraform a block the form writes as a list of one object takes a patch's object (the
/// builders keep a block of at most one as an object) as a merge into that object, keeping the form's
/// shape; a patch's list replaces a form's list (the blocks are the patch's).
fn merge(into: &mut Vec<(String, Value)>, patch: Vec<(String, Value)>, target: Target) {
    for (key, value) in patch {
        match into.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => merge_value(slot, value, target),
            None => into.push((key, value)),
        }
    }
}

fn merge_value(slot: &mut Value, patch: Value, target: Target) {
    let object = |v: &Value| matches!(v, Value::Map(entries) if !is_marker(entries));
    match (slot, patch) {
        (Value::Map(entries), Value::Map(patch)) if !is_marker(entries) => {
            merge(entries, patch, target)
        }
        (Value::List(items), Value::Map(patch))
            if target == Target::Terraform && items.len() == 1 && object(&items[0]) =>
        {
            if let Value::Map(entries) = &mut items[0] {
                merge(entries, patch, target);
            }
        }
        (slot, patch) => *slot = patch,
    }
}

/// Whether a map is one of a form's markers (a single key starting with [`MARKER`]).
fn is_marker(entries: &[(String, Value)]) -> bool {
    matches!(entries, [(key, _)] if key.starts_with(MARKER))
}

/// A construct's part in reaching the internet through a VPC's internet gateway, which no reference says:
/// the engine makes what has a public address wait for the gateway's attachment (AWS refuses it before).
/// Set with [`set_network`], read with [`network`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Network {
    /// An internet gateway attached to the VPC `vpc` (its id). CloudFormation attaches it with the
    /// resource its spelling adds beside it ([`Spelling::cloudformation_resource`]), which whatever waits
    /// for the gateway waits for.
    InternetGateway {
        /// The VPC's id.
        vpc: Expr,
    },
    /// A subnet of the VPC `vpc`; `public` when what launches in it gets a public address.
    Subnet {
        /// The VPC's id.
        vpc: Expr,
        /// Whether it maps public IPv4 addresses on launch.
        public: bool,
    },
    /// A route through `gateway` (its id), which waits for the gateway's attachment when that is an
    /// internet gateway.
    Route {
        /// The next hop's id.
        gateway: Expr,
    },
    /// A resource with a public address, which waits for the internet gateways `reach` says.
    PublicAddress(Reach),
}

/// Which internet gateways of its stack a resource with a public address waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Every one (it names no VPC: an Elastic IP).
    Any,
    /// Those of the VPCs of the subnets it references.
    Subnets,
    /// Those of the VPCs of the subnets it references that map public addresses on launch.
    PublicSubnets,
}

impl Reach {
    const ALL: [(Reach, &'static str); 3] = [
        (Reach::Any, "any"),
        (Reach::Subnets, "subnets"),
        (Reach::PublicSubnets, "public-subnets"),
    ];
}

/// Records the node's part in the network ([`Network`]); [`finish`] keeps it.
pub fn set_network(resource: &mut Resource, part: Network) {
    let value = match part {
        Network::InternetGateway { vpc } => object(&[
            ("part", Value::from("internet-gateway")),
            ("vpc", Value::Str(vpc)),
        ]),
        Network::Subnet { vpc, public } => object(&[
            ("part", Value::from("subnet")),
            ("vpc", Value::Str(vpc)),
            ("public", Value::Bool(public)),
        ]),
        Network::Route { gateway } => object(&[
            ("part", Value::from("route")),
            ("gateway", Value::Str(gateway)),
        ]),
        Network::PublicAddress(reach) => {
            let name = Reach::ALL
                .iter()
                .find(|(r, _)| *r == reach)
                .map_or("any", |(_, name)| name);
            object(&[
                ("part", Value::from("public-address")),
                ("reach", Value::from(name)),
            ])
        }
    };
    resource.set(NETWORK, value);
}

/// The node's part in the network, when its builder recorded one ([`set_network`]).
pub fn network(resource: &Resource) -> Option<Network> {
    let stored = resource.get(NETWORK)?;
    let expr = |key: &str| stored.get(key).and_then(Value::as_expr).cloned();
    Some(match stored.get("part").map(literal)? {
        "internet-gateway" => Network::InternetGateway { vpc: expr("vpc")? },
        "subnet" => Network::Subnet {
            vpc: expr("vpc")?,
            public: stored.get("public").and_then(Value::as_bool) == Some(true),
        },
        "route" => Network::Route {
            gateway: expr("gateway")?,
        },
        "public-address" => {
            let name = stored.get("reach").map(literal)?;
            let (reach, _) = Reach::ALL.iter().find(|(_, n)| *n == name)?;
            Network::PublicAddress(*reach)
        }
        _ => return None,
    })
}

/// Records that the node is placed in availability zone `zone` (a name or a reference), which the engine
/// checks against the environment's region when it is a literal; [`finish`] keeps it.
pub fn add_availability_zone(resource: &mut Resource, zone: Expr) {
    let mut zones = match resource.get(ZONES) {
        Some(Value::List(zones)) => zones.clone(),
        _ => Vec::new(),
    };
    zones.push(Value::Str(zone));
    resource.set(ZONES, Value::List(zones));
}

/// The availability zones the node's builder recorded ([`add_availability_zone`]), in order.
pub fn availability_zones(resource: &Resource) -> impl Iterator<Item = &Expr> {
    resource
        .get(ZONES)
        .and_then(Value::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_expr)
}

/// Adds the body of the construct's Terraform block `suffix` (one of [`Spelling::terraform_blocks`]) to
/// its node, after [`finish`]. A reference to the construct itself (its handle's attribute) names its main
/// block.
pub fn terraform_block(resource: &mut Resource, suffix: &str, body: Form) {
    let mut blocks = match resource.get(TERRAFORM_BLOCKS) {
        Some(Value::Map(blocks)) => blocks.clone(),
        _ => Vec::new(),
    };
    blocks.push((suffix.to_owned(), Value::Map(body.entries)));
    resource.set(TERRAFORM_BLOCKS, Value::Map(blocks));
}

/// Adds the properties of the construct's CloudFormation resource beside its main one
/// ([`Spelling::cloudformation_resource`]) to its node, after [`finish`]. A reference to the construct
/// itself (its handle's attribute) names its main resource.
pub fn cloudformation_resource(resource: &mut Resource, body: Form) {
    resource.set(CLOUDFORMATION_RESOURCE, Value::Map(body.entries));
}

/// Adds the CloudFormation resource attributes beside `Properties` (an auto scaling group's
/// `UpdatePolicy`) to the construct's node, after [`finish`]: attribute name to value, in order.
pub fn cloudformation_attributes(resource: &mut Resource, attributes: Form) {
    resource.set(CLOUDFORMATION_ATTRIBUTES, Value::Map(attributes.entries));
}

/// The CloudFormation resource attributes of a construct's node beside `Properties`, in order.
pub fn cloudformation_attribute_entries(
    resource: &Resource,
) -> impl Iterator<Item = (&str, Entry<'_>)> {
    resource
        .get(CLOUDFORMATION_ATTRIBUTES)
        .and_then(Value::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(name, value)| Some((name.as_str(), entry(resource, value)?)))
}

/// The properties of a construct's CloudFormation resource beside its main one, in order, when the node
/// has one.
pub fn cloudformation_resource_entries(
    resource: &Resource,
) -> Option<impl Iterator<Item = (&str, Entry<'_>)>> {
    let body = resource.get(CLOUDFORMATION_RESOURCE)?.as_map()?;
    Some(
        body.iter()
            .filter_map(|(name, value)| Some((name.as_str(), entry(resource, value)?))),
    )
}

/// Adds one resource of the construct's per-item Terraform block `suffix` (one of
/// [`Spelling::terraform_blocks`] named by [`ItemName::Attribute`]) to its node, after [`finish`]; items
/// keep the order they are added in.
pub fn terraform_item(resource: &mut Resource, suffix: &str, body: Form) {
    let mut blocks = match resource.get(TERRAFORM_BLOCKS) {
        Some(Value::Map(blocks)) => blocks.clone(),
        _ => Vec::new(),
    };
    let body = Value::Map(body.entries);
    match blocks.iter_mut().find(|(s, _)| s == suffix) {
        Some((_, Value::List(items))) => items.push(body),
        _ => blocks.push((suffix.to_owned(), Value::List(vec![body]))),
    }
    resource.set(TERRAFORM_BLOCKS, Value::Map(blocks));
}

/// Adds one resource of the construct's per-item Terraform block `suffix` (one of
/// [`Spelling::terraform_blocks`] named by [`ItemName::Parts`]) to its node, after [`finish`], named by
/// `name`: values (literals, references) the target lowers, in order; items keep the order they are
/// added in.
pub fn terraform_named_item(resource: &mut Resource, suffix: &str, body: Form, name: Vec<Value>) {
    terraform_item(resource, suffix, body);
    let mut names = match resource.get(TERRAFORM_ITEM_NAMES) {
        Some(Value::Map(names)) => names.clone(),
        _ => Vec::new(),
    };
    let name = Value::List(name);
    match names.iter_mut().find(|(s, _)| s == suffix) {
        Some((_, Value::List(items))) => items.push(name),
        _ => names.push((suffix.to_owned(), Value::List(vec![name]))),
    }
    resource.set(TERRAFORM_ITEM_NAMES, Value::Map(names));
}

/// The Terraform data sources of a construct's node: each of its spelling's that has a body, with the
/// body's entries in order.
pub fn terraform_data<'r>(
    resource: &'r Resource,
    spelling: &'static Spelling,
) -> impl Iterator<Item = (&'static Block, Vec<(&'r str, Entry<'r>)>)> {
    let bodies = resource
        .get(TERRAFORM_BLOCKS)
        .and_then(Value::as_map)
        .unwrap_or_default();
    spelling.terraform_data.iter().filter_map(move |block| {
        let (_, body) = bodies.iter().find(|(suffix, _)| suffix == block.suffix)?;
        let entries = body
            .as_map()
            .unwrap_or_default()
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), entry(resource, value)?)))
            .collect();
        Some((block, entries))
    })
}

/// The Terraform blocks of a construct's node: each block of its spelling that has a body (in
/// [`Spelling::terraform_blocks`]' order, a per-item block once per item), with the body's entries in
/// order and the item's name parts ([`terraform_named_item`]; empty for other blocks).
pub fn terraform_blocks<'r>(
    resource: &'r Resource,
    spelling: &'static Spelling,
) -> impl Iterator<Item = (&'static Block, Vec<(&'r str, Entry<'r>)>, &'r [Value])> {
    let by_suffix = |key: &str, suffix: &str| -> Option<&'r Value> {
        let stored = resource
            .get(key)
            .and_then(Value::as_map)
            .unwrap_or_default();
        stored.iter().find(|(s, _)| s == suffix).map(|(_, v)| v)
    };
    spelling.terraform_blocks.iter().flat_map(move |block| {
        let stored = by_suffix(TERRAFORM_BLOCKS, block.suffix);
        let bodies: &[Value] = match (block.named_by, stored) {
            (Some(_), Some(Value::List(items))) => items,
            (None, Some(body)) => std::slice::from_ref(body),
            _ => &[],
        };
        let names = by_suffix(TERRAFORM_ITEM_NAMES, block.suffix)
            .and_then(Value::as_list)
            .unwrap_or_default();
        bodies.iter().enumerate().map(move |(at, body)| {
            let entries = body
                .as_map()
                .unwrap_or_default()
                .iter()
                .filter_map(|(name, value)| Some((name.as_str(), entry(resource, value)?)))
                .collect();
            let name = names.get(at).and_then(Value::as_list).unwrap_or_default();
            (block, entries, name)
        })
    })
}

/// An entry of a target's form.
#[derive(Clone, Copy, Debug)]
pub enum Entry<'a> {
    /// A value, lowered like any other (references, pseudo values, `Expr::no_value()`).
    Value(&'a Value),
    /// The resource's physical name, when it has one (else nothing).
    PhysicalName,
    /// The resource's physical name, or one the target derives when it requires one (checked against the
    /// kind's naming rule; with `lowercase`, lowercased instead, for names AWS wants in lowercase).
    RequiredName { lowercase: bool },
    /// A decimal number, as text.
    Number(&'a str),
    /// The address of the construct's own Terraform block of this suffix, in a list
    /// ([`Form::own_block`]).
    OwnBlock(&'a str),
    /// A Terraform expression: each part as stored (`raw`, `text`, or `block` and `attribute`), read
    /// with [`expression_part`].
    Expression(&'a [Value]),
    /// An IAM policy document ([`Form::policy_document`]).
    PolicyDocument(PolicyDocument<'a>),
    /// The physical name or, when the user gave none, `<app>-<environment>-<stack>-<id>`, followed by
    /// `suffix`, in both targets ([`Form::name_in_both_targets`]).
    NameInBothTargets {
        /// What follows the name (`.fifo`), or nothing.
        suffix: &'a str,
    },
    /// The physical name (or the one the target derives) as an identifier followed by `-suffix`
    /// ([`required_identifier`]).
    RequiredIdentifier {
        /// What follows the name.
        suffix: &'a str,
    },
    /// Literal text the form settled at lowering ([`deletion_protection_text`]).
    Literal(&'static str),
    /// The environment's region, as literal text ([`region`]).
    Region,
    /// A map or list holding entries of its own below it ([`deletion_protection_text`], [`region`],
    /// [`terraform_expression`]): each item or value is read with [`nested`].
    Nested(&'a Value),
    /// The main block waits for the block `suffix` of the construct `reference` reads
    /// ([`Form::wait_for_block`]); no attribute.
    WaitFor {
        /// The reference to the other construct.
        reference: &'a Value,
        /// The other construct's block.
        suffix: &'a str,
    },
    /// The resource's tags merged with the environment's as tag specifications for these resource types
    /// ([`tag_specifications`]).
    TagSpecifications(&'a [Value]),
    /// The resource's tags merged with the environment's as a list of objects ([`tag_list`]).
    TagList {
        /// The name of each object's key field.
        key: &'a str,
        /// The name of each object's value field.
        value: &'a str,
        /// Fields every object has besides (name, value).
        extra: &'a [(String, Value)],
    },
    /// A value written as JSON text ([`Form::terraform_json_text`], [`json_text`]).
    JsonText(&'a Value),
    /// A Terraform function applied to a value ([`Form::terraform_call`]).
    TerraformCall {
        /// The function's name.
        function: &'a str,
        /// Its argument.
        value: &'a Value,
    },
}

/// An IAM policy document entry of a form.
#[derive(Clone, Copy, Debug)]
pub struct PolicyDocument<'a> {
    /// The document, in IAM's JSON shape (`Version`, `Statement`).
    pub document: &'a Value,
    /// What the Terraform data source's name adds to the resource's (`key_policy`).
    pub source: &'a str,
    skips: &'a [(String, Value)],
}

impl<'a> PolicyDocument<'a> {
    /// The checkov checks (id, reason) that do not apply to this use of the document.
    pub fn skips(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.skips
            .iter()
            .map(|(id, reason)| (id.as_str(), literal(reason)))
    }
}

/// A part of an [`Entry::Expression`]: HCL as is, text to quote, or a block's suffix and attribute.
pub enum ExpressionPart<'a> {
    /// HCL written as is.
    Raw(&'a str),
    /// Literal text to quote as an HCL string.
    Text(&'a str),
    /// An attribute of the construct's own block or data source of this suffix.
    Block {
        /// The block's suffix.
        suffix: &'a str,
        /// The attribute read.
        attribute: &'a str,
    },
    /// A neutral value, as an HCL expression.
    Value(&'a Expr),
    /// A decimal number, written as is.
    Number(&'a str),
}

/// What a stored part of an [`Entry::Expression`] is.
pub fn expression_part(part: &Value) -> ExpressionPart<'_> {
    if let Some(expr) = part.get("value").and_then(Value::as_expr) {
        return ExpressionPart::Value(expr);
    }
    let text = |key: &str| part.get(key).map(literal);
    if let Some(number) = text("number") {
        return ExpressionPart::Number(number);
    }
    match (text("raw"), text("text"), text("block")) {
        (Some(raw), _, _) => ExpressionPart::Raw(raw),
        (_, Some(text), _) => ExpressionPart::Text(text),
        (_, _, Some(suffix)) => ExpressionPart::Block {
            suffix,
            attribute: text("attribute").unwrap_or_default(),
        },
        _ => ExpressionPart::Raw(""),
    }
}

/// The name a removal policy is stored under in a form.
fn removal_policy_name(policy: RemovalPolicy) -> &'static str {
    match policy {
        RemovalPolicy::Destroy => "destroy",
        RemovalPolicy::Retain => "retain",
        RemovalPolicy::Snapshot => "snapshot",
    }
}

/// The text of a literal value (empty for anything else).
fn literal(value: &Value) -> &str {
    value
        .as_expr()
        .and_then(|e| e.as_literal())
        .unwrap_or_default()
}

/// A map value of `entries`, for a form's nested objects.
pub fn object(entries: &[(&str, Value)]) -> Value {
    Value::Map(
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
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
        .filter_map(|(name, value)| Some((name.as_str(), entry(resource, value)?)))
}

/// What a stored value of a form stands for; `None` for an entry that has no value here (deletion
/// protection the builder did not set).
fn entry<'r>(resource: &'r Resource, value: &'r Value) -> Option<Entry<'r>> {
    Some(match value.as_map() {
        Some([(marker, _)]) if marker == DELETION_PROTECTION => {
            Entry::Value(resource.get(NEUTRAL_DELETION_PROTECTION)?)
        }
        Some([(marker, _)]) if marker == PHYSICAL_NAME => Entry::PhysicalName,
        Some([(marker, lowercase)]) if marker == REQUIRED_NAME => Entry::RequiredName {
            lowercase: lowercase.as_bool() == Some(true),
        },
        Some([(marker, text)]) if marker == NUMBER => Entry::Number(literal(text)),
        Some([(marker, suffix)]) if marker == OWN_BLOCK => Entry::OwnBlock(literal(suffix)),
        Some([(marker, _)]) if marker == DELETION_PROTECTION_TEXT => {
            match resource.get(NEUTRAL_DELETION_PROTECTION)?.as_bool()? {
                true => Entry::Literal("true"),
                false => Entry::Literal("false"),
            }
        }
        Some([(marker, _)]) if marker == REGION => Entry::Region,
        Some([(marker, choices)]) if marker == BY_REMOVAL => {
            let choice = choices.get(removal_policy_name(resource.removal_policy))?;
            // The value may hold entries of its own kind (read as any value at this place).
            return entry(resource, choice.as_list()?.first()?);
        }
        Some([(marker, suffix)]) if marker == NAME_IN_BOTH => Entry::NameInBothTargets {
            suffix: literal(suffix),
        },
        Some([(marker, suffix)]) if marker == IDENTIFIER => Entry::RequiredIdentifier {
            suffix: literal(suffix),
        },
        Some([(marker, body)]) if marker == WAIT_FOR => Entry::WaitFor {
            reference: body.get("reference")?,
            suffix: literal(body.get("suffix")?),
        },
        Some([(marker, parts)]) if marker == EXPRESSION => Entry::Expression(parts.as_list()?),
        Some([(marker, types)]) if marker == TAG_SPECIFICATIONS => {
            Entry::TagSpecifications(types.as_list()?)
        }
        Some([(marker, body)]) if marker == TAG_LIST => Entry::TagList {
            key: literal(body.get("key")?),
            value: literal(body.get("value")?),
            extra: body.get("extra")?.as_map()?,
        },
        Some([(marker, body)]) if marker == JSON_TEXT => Entry::JsonText(body),
        Some([(marker, body)]) if marker == TERRAFORM_CALL => Entry::TerraformCall {
            function: literal(body.get("function")?),
            value: body.get("value")?,
        },
        Some([(marker, body)]) if marker == POLICY_DOCUMENT => {
            let part = |key: &str| body.get(key);
            Entry::PolicyDocument(PolicyDocument {
                document: part("document")?,
                source: literal(part("source")?),
                skips: part("skips").and_then(Value::as_map).unwrap_or_default(),
            })
        }
        _ if holds_marker(value) => Entry::Nested(value),
        _ => Entry::Value(value),
    })
}

/// What a value nested in an [`Entry::Nested`] stands for; `None` leaves it out.
pub fn nested<'r>(resource: &'r Resource, value: &'r Value) -> Option<Entry<'r>> {
    entry(resource, value)
}

/// Whether `value` holds a marker below its top level.
fn holds_marker(value: &Value) -> bool {
    let marked = |v: &Value| {
        matches!(v.as_map(), Some([(k, _)]) if k.starts_with(MARKER)) || holds_marker(v)
    };
    match value {
        Value::List(items) => items.iter().any(marked),
        Value::Map(entries) => entries.iter().any(|(_, v)| marked(v)),
        _ => false,
    }
}

/// The checkov checks (id, reason) that `target`'s form of a construct's node makes inapplicable;
/// `read_by` are the other stacks that read the resource (for [`Form::checkov_skip_when_read_elsewhere`]).
pub fn skips<'r>(
    resource: &'r Resource,
    target: Target,
    read_by: &[&str],
) -> impl Iterator<Item = (&'r str, Cow<'r, str>)> {
    let key = match target {
        Target::CloudFormation => CLOUDFORMATION_SKIPS,
        Target::Terraform => TERRAFORM_SKIPS,
    };
    let unprotected = matches!(
        resource.get(NEUTRAL_DELETION_PROTECTION),
        Some(Value::Bool(false))
    );
    let stacks = read_by
        .iter()
        .map(|stack| format!("`{stack}`"))
        .collect::<Vec<_>>()
        .join(", ");
    resource
        .get(key)
        .and_then(Value::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(move |(id, reason)| match reason.as_map() {
            Some([(marker, _)]) if marker == UNPROTECTED => {
                unprotected.then_some((id.as_str(), Cow::Borrowed(UNPROTECTED_REASON)))
            }
            Some([(marker, template)]) if marker == READ_ELSEWHERE => {
                (!stacks.is_empty()).then(|| {
                    let reason = literal(template).replace("{stacks}", &stacks);
                    (id.as_str(), Cow::Owned(reason))
                })
            }
            _ => Some((id.as_str(), Cow::Borrowed(literal(reason)))),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// Kinds the engine handles itself in the target crates: the escape hatches, generated nodes, code
    /// assets and lookups, which are no resource of their own.
    const ENGINE: &[&str] = &[
        "RAW",
        "REGISTRY",
        "ASSET",
        "AVAILABILITY_ZONES",
        "STACK_OUTPUT",
        "SSM_PARAMETER_LOOKUP",
        "VPC_LOOKUP",
        "SUBNET_LOOKUP",
        "SECURITY_GROUP_LOOKUP",
    ];

    /// Hand-written kinds the target crates still lower with per-kind code: none since the security
    /// group became a construct (issue 25). A ratchet: the list stays empty; a new kind is a construct.
    const NOT_YET_CONSTRUCTS: &[&str] = &[];

    /// Whether `text` holds a string literal spelled as a kind (`"aws.<service>.<Type>`, see `kinds`),
    /// not merely one starting with `aws.` (a Terraform provider reference `aws.<alias>`).
    fn names_a_kind_string(text: &str) -> bool {
        text.match_indices("\"aws.").any(|(at, _)| {
            let rest = &text[at + "\"aws.".len()..];
            let service: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                .collect();
            !service.is_empty()
                && rest[service.len()..]
                    .strip_prefix('.')
                    .and_then(|t| t.chars().next())
                    .is_some_and(|c| c.is_ascii_uppercase())
        })
    }

    #[test]
    fn a_kind_string_is_told_from_a_provider_reference() {
        assert!(names_a_kind_string(r#"match k { "aws.ec2.Vpc" => 1 }"#));
        assert!(!names_a_kind_string(r#"format!("aws.{ALIAS}")"#));
        assert!(!names_a_kind_string(r#""aws.stackwright_assets""#));
    }

    /// Every `kinds::NAME` the Rust sources under `dir` name.
    fn kinds_named(dir: &Path, found: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                kinds_named(&path, found);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a readable source file");
            for (at, _) in text.match_indices("kinds::") {
                let name: String = text[at + "kinds::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
            assert!(
                !text.contains("kinds::{") && !names_a_kind_string(&text),
                "{}: names kinds in a way this guard cannot see (an import list or a kind string)",
                path.display()
            );
        }
    }

    /// The target crates name no construct's kind, and per-kind code only for the kinds listed above: a
    /// new hand-written kind must be a construct, and a kind that became one leaves the list.
    #[test]
    fn target_crates_keep_per_kind_code_only_for_the_kinds_not_yet_moved() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut found = BTreeSet::new();
        for target in ["stackwright-cloudformation", "stackwright-terraform"] {
            kinds_named(&root.join(target).join("src"), &mut found);
        }
        let allowed: BTreeSet<String> = ENGINE
            .iter()
            .chain(NOT_YET_CONSTRUCTS)
            .map(|k| (*k).to_owned())
            .collect();
        let new: Vec<&String> = found.difference(&allowed).collect();
        assert!(
            new.is_empty(),
            "the target crates lower {new:?} per kind: make them constructs (construct.rs) instead"
        );
        let moved: Vec<&String> = allowed.difference(&found).collect();
        assert!(
            moved.is_empty(),
            "{moved:?} no longer have per-kind code in the target crates: remove them from \
             NOT_YET_CONSTRUCTS (or ENGINE)"
        );
    }

    #[test]
    fn forms_keep_their_order_the_physical_name_slot_and_the_skips() {
        let mut resource = Resource::new("Group", "aws.test.Kind");
        let mut cfn = Form::new();
        cfn.physical_name("Name")
            .number("N", "0.5")
            .set("B", 1)
            .set("A", true)
            .set_some("Unset", None::<bool>)
            .set("B", 2)
            .set("T", tag_specifications(&["instance", "volume"]))
            .terraform_call("U", "base64encode", Expr::from("echo"))
            .set("L", tag_list("Key", "Value", &[]))
            .checkov_skip("CKV_1", "why");
        let mut tf = Form::new();
        tf.required_name("name")
            .set("a", "x")
            .when_destroyed("gone", true)
            .when_removal_policy("kept", RemovalPolicy::Snapshot, true);
        finish(&mut resource, cfn, tf);
        let present = |resource: &Resource| -> Vec<String> {
            entries(resource, Target::Terraform)
                .map(|(name, _)| name.to_owned())
                .collect()
        };
        resource.removal_policy = RemovalPolicy::Destroy;
        assert_eq!(present(&resource), ["name", "a", "gone"]);
        resource.removal_policy = RemovalPolicy::Snapshot;
        assert_eq!(present(&resource), ["name", "a", "kept"]);
        resource.removal_policy = RemovalPolicy::Retain;
        assert_eq!(present(&resource), ["name", "a"]);
        let written: Vec<String> = entries(&resource, Target::CloudFormation)
            .map(|(name, entry)| match entry {
                Entry::PhysicalName => format!("{name}=<name>"),
                Entry::RequiredName { .. } => format!("{name}=<required name>"),
                Entry::Number(text) => format!("{name}={text}"),
                Entry::PolicyDocument(policy) => format!("{name}=<policy {}>", policy.source),
                Entry::OwnBlock(suffix) => format!("{name}=<block {suffix}>"),
                Entry::Expression(parts) => format!("{name}=<{} parts>", parts.len()),
                Entry::TagSpecifications(types) => format!("{name}=<tags for {}>", types.len()),
                Entry::TerraformCall { function, .. } => format!("{name}=<{function}>"),
                Entry::TagList { key, .. } => format!("{name}=<tags by {key}>"),
                Entry::Value(value) => format!("{name}={value:?}"),
                other => format!("{name}={other:?}"),
            })
            .collect();
        assert_eq!(
            written,
            [
                "Name=<name>",
                "N=0.5",
                "B=Int(2)",
                "A=Bool(true)",
                "T=<tags for 2>",
                "U=<base64encode>",
                "L=<tags by Key>"
            ]
        );
        assert_eq!(
            skips(&resource, Target::CloudFormation, &[]).collect::<Vec<_>>(),
            [("CKV_1", Cow::from("why"))]
        );
        assert_eq!(skips(&resource, Target::Terraform, &[]).count(), 0);
        assert!(matches!(
            entries(&resource, Target::Terraform).next(),
            Some(("name", Entry::RequiredName { lowercase: false }))
        ));
        let holding = object(&[("Target", number("0.5")), ("Plain", Value::from("x"))]);
        let list = Value::List(vec![holding.clone()]);
        assert!(matches!(entry(&resource, &list), Some(Entry::Nested(_))));
        let plain = object(&[("Plain", Value::from("x"))]);
        assert!(matches!(entry(&resource, &plain), Some(Entry::Value(_))));
        let inner = holding.get("Target").expect("set above");
        assert!(matches!(
            nested(&resource, inner),
            Some(Entry::Number("0.5"))
        ));
        assert!(spelling("aws.test.Kind").is_none());
        let mut attributes = Form::new();
        attributes.set(
            "UpdatePolicy",
            object(&[("WillReplace", Value::Bool(true))]),
        );
        cloudformation_attributes(&mut resource, attributes);
        let names: Vec<&str> = cloudformation_attribute_entries(&resource)
            .map(|(name, _)| name)
            .collect();
        assert_eq!(names, ["UpdatePolicy"]);
        // The network part and the zones survive `finish`.
        let mut placed = Resource::new("Subnet", "aws.test.Kind");
        let vpc = Expr::from("vpc-1");
        set_network(
            &mut placed,
            Network::Subnet {
                vpc: vpc.clone(),
                public: true,
            },
        );
        add_availability_zone(&mut placed, Expr::from("eu-west-1a"));
        add_availability_zone(&mut placed, Expr::from("eu-west-1b"));
        finish(&mut placed, Form::new(), Form::new());
        assert_eq!(
            network(&placed),
            Some(Network::Subnet { vpc, public: true })
        );
        let zones: Vec<_> = availability_zones(&placed)
            .filter_map(Expr::as_literal)
            .collect();
        assert_eq!(zones, ["eu-west-1a", "eu-west-1b"]);
        for reach in [Reach::Any, Reach::Subnets, Reach::PublicSubnets] {
            set_network(&mut placed, Network::PublicAddress(reach));
            assert_eq!(network(&placed), Some(Network::PublicAddress(reach)));
        }
        assert_eq!(
            spelling(crate::kinds::SNS_TOPIC).map(|s| s.terraform),
            Some("aws_sns_topic")
        );
    }

    /// A patch merges over the form: objects by key (defaults kept, new keys last), anything else
    /// replaced, markers as values; in Terraform a block written as a list of one takes an object into
    /// it; patches merge over each other; a reserved key refuses the patch.
    #[test]
    fn patches_merge_over_the_forms_and_keep_the_defaults() {
        let mut resource = Resource::new("Template", "aws.test.Kind");
        let patch = |entries: &[(&str, Value)]| -> Vec<(String, Value)> {
            entries
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect()
        };
        add_patch(
            &mut resource,
            Target::CloudFormation,
            patch(&[(
                "Data",
                object(&[
                    ("KeyName", "k".into()),
                    ("Metadata", object(&[("HopLimit", 2.into())])),
                ]),
            )]),
            vec![],
        );
        add_patch(
            &mut resource,
            Target::CloudFormation,
            patch(&[
                ("Data", object(&[("KeyName", "k2".into())])),
                ("Name", "given".into()),
                ("List", Value::List(vec!["b".into()])),
            ]),
            vec!["found building it".to_owned()],
        );
        add_patch(
            &mut resource,
            Target::Terraform,
            patch(&[
                ("metadata_options", object(&[("hop_limit", 2.into())])),
                ("ebs", object(&[("iops", 3000.into())])),
                ("key_name", "k".into()),
            ]),
            vec![],
        );
        add_patch(
            &mut resource,
            Target::Terraform,
            patch(&[("x", object(&[("$stackwright:number", "1".into())]))]),
            vec![],
        );
        let mut cfn = Form::new();
        cfn.physical_name("Name")
            .set(
                "Data",
                object(&[
                    ("ImageId", "ami".into()),
                    (
                        "Metadata",
                        object(&[
                            ("Tokens", "required".into()),
                            ("Endpoint", "enabled".into()),
                        ]),
                    ),
                ]),
            )
            .set("List", Value::List(vec!["a".into()]));
        let mut tf = Form::new();
        tf.set(
            "metadata_options",
            object(&[("http_tokens", "required".into())]),
        )
        .set(
            "ebs",
            Value::List(vec![object(&[("encrypted", "true".into())])]),
        );
        finish(&mut resource, cfn, tf);
        let json = |target| {
            entries(&resource, target)
                .map(|(name, entry)| format!("{name}={entry:?}"))
                .collect::<Vec<_>>()
        };
        let lit = |s: &str| format!("Str(Literal({s:?}))");
        assert_eq!(
            json(Target::CloudFormation),
            [
                "Name=Value(".to_owned() + &lit("given") + ")",
                format!(
                    "Data=Value(Map([(\"ImageId\", {}), (\"Metadata\", Map([(\"Tokens\", {}), (\"Endpoint\", {}), (\"HopLimit\", Int(2))])), (\"KeyName\", {})]))",
                    lit("ami"),
                    lit("required"),
                    lit("enabled"),
                    lit("k2")
                ),
                format!("List=Value(List([{}]))", lit("b")),
            ]
        );
        assert_eq!(
            json(Target::Terraform),
            [
                format!(
                    "metadata_options=Value(Map([(\"http_tokens\", {}), (\"hop_limit\", Int(2))]))",
                    lit("required")
                ),
                format!(
                    "ebs=Value(List([Map([(\"encrypted\", {}), (\"iops\", Int(3000))])]))",
                    lit("true")
                ),
                format!("key_name=Value({})", lit("k")),
            ]
        );
        assert_eq!(resource.problems.len(), 2, "{:?}", resource.problems);
        assert_eq!(resource.problems[0], "found building it");
        assert!(
            resource.problems[1].contains("`$stackwright:number` is reserved"),
            "{}",
            resource.problems[1]
        );
        // The Terraform patch is in the form the secret check reads; the CloudFormation one is kept
        // for it.
        assert!(resource.get(TERRAFORM_PATCH).is_none());
        let kept = cloudformation_patch(&resource).and_then(|p| p.get("Name"));
        assert_eq!(kept, Some(&Value::from("given")));
    }

    static ITEMS: Spelling = Spelling {
        kind: "aws.test.Items",
        cloudformation: "AWS::Test::Items",
        terraform: "aws_test_items",
        terraform_tags: false,
        attributes: &[],
        cloudformation_resource: None,
        terraform_data: &[],
        terraform_blocks: &[
            Block {
                type_name: "aws_test_by_attribute",
                suffix: "_by_attribute",
                named_by: Some(ItemName::Attribute("key")),
            },
            Block {
                type_name: "aws_test_by_parts",
                suffix: "_by_parts",
                named_by: Some(ItemName::Parts),
            },
        ],
    };

    #[test]
    fn items_carry_their_name_parts_and_skips_apply_when_other_stacks_read_the_resource() {
        let mut resource = Resource::new("Group", "aws.test.Items");
        let mut tf = Form::new();
        tf.checkov_skip_when_read_elsewhere("CKV_2", "used in stack {stacks}")
            .checkov_skip("CKV_3", "always");
        finish(&mut resource, Form::new(), tf);
        let item = |value: &str| {
            let mut body = Form::new();
            body.set("key", value);
            body
        };
        terraform_named_item(
            &mut resource,
            "_by_parts",
            item("a"),
            vec!["tcp".into(), 443.into()],
        );
        terraform_item(&mut resource, "_by_attribute", item("b"));
        terraform_named_item(&mut resource, "_by_parts", item("c"), vec!["all".into()]);
        let blocks: Vec<(&str, usize, Vec<String>)> = terraform_blocks(&resource, &ITEMS)
            .map(|(block, entries, name)| {
                let name = name.iter().map(|part| format!("{part:?}")).collect();
                (block.suffix, entries.len(), name)
            })
            .collect();
        assert_eq!(
            blocks,
            [
                ("_by_attribute", 1, vec![]),
                (
                    "_by_parts",
                    1,
                    vec![r#"Str(Literal("tcp"))"#.to_owned(), "Int(443)".to_owned()]
                ),
                ("_by_parts", 1, vec![r#"Str(Literal("all"))"#.to_owned()]),
            ]
        );
        let reasons = |read_by: &[&str]| -> Vec<(String, String)> {
            skips(&resource, Target::Terraform, read_by)
                .map(|(id, reason)| (id.to_owned(), reason.into_owned()))
                .collect()
        };
        assert_eq!(reasons(&[]), [("CKV_3".to_owned(), "always".to_owned())]);
        assert_eq!(
            reasons(&["api", "jobs"])[0],
            ("CKV_2".to_owned(), "used in stack `api`, `jobs`".to_owned())
        );
    }

    #[test]
    fn json_text_keeps_its_structure_in_the_form_and_references_live_in_the_text() {
        let mut resource = Resource::new("Task", "aws.test.Kind");
        let mut tf = Form::new();
        let reference = Expr::from("ref");
        let value = Value::List(vec![object(&[
            ("name", Value::from("a\"b")),
            ("port", Value::Int(80)),
            ("on", Value::Bool(true)),
            ("arn", Value::Str(Expr::from("arn:") + reference.clone())),
        ])]);
        tf.terraform_json_text("definitions", value.clone());
        finish(&mut resource, Form::new(), tf);
        // The form holds the structure (what the secret check reads), under its marker.
        assert_eq!(
            form(&resource, Target::Terraform).and_then(|f| f.get("definitions")),
            Some(&Value::Map(vec![(JSON_TEXT.to_owned(), value.clone())]))
        );
        let Some(("definitions", Entry::JsonText(held))) =
            entries(&resource, Target::Terraform).next()
        else {
            panic!("not a JSON text entry");
        };
        assert_eq!(held, &value);
        assert_eq!(
            json_text(held).as_literal(),
            Some(r#"[{"name":"a\"b","port":80,"on":true,"arn":"arn:ref"}]"#)
        );
    }

    #[test]
    fn a_name_for_both_targets_keeps_its_suffix() {
        let mut resource = Resource::new("Jobs", "aws.test.Kind");
        let mut form = Form::new();
        form.name_in_both_targets("QueueName", ".fifo")
            .name_in_both_targets("Name", "");
        finish(&mut resource, form, Form::new());
        let read: Vec<String> = entries(&resource, Target::CloudFormation)
            .map(|(name, entry)| format!("{name}={entry:?}"))
            .collect();
        assert_eq!(
            read,
            [
                r#"QueueName=NameInBothTargets { suffix: ".fifo" }"#,
                r#"Name=NameInBothTargets { suffix: "" }"#
            ]
        );
    }

    #[test]
    fn values_follow_the_removal_policy_and_identifiers_are_spelled_for_rds() {
        let mut resource = Resource::new("Db", "aws.test.Kind");
        let mut tf = Form::new();
        tf.by_removal("skip", Some(true.into()), Some(false.into()))
            .by_removal("snapshot", None, Some(required_identifier("final")));
        finish(&mut resource, Form::new(), tf);
        let settled = |resource: &Resource| -> Vec<String> {
            entries(resource, Target::Terraform)
                .map(|(name, entry)| format!("{name}={entry:?}"))
                .collect()
        };
        resource.removal_policy = stackwright_core::RemovalPolicy::Snapshot;
        assert_eq!(
            settled(&resource),
            [
                "skip=Value(Bool(false))",
                r#"snapshot=RequiredIdentifier { suffix: "final" }"#
            ]
        );
        resource.removal_policy = stackwright_core::RemovalPolicy::Destroy;
        assert_eq!(settled(&resource), ["skip=Value(Bool(true))"]);
        assert_eq!(
            identifier("app-prod--eu-main-Orders_Db", "final"),
            "app-prod-eu-main-Orders-Db-final"
        );
        assert_eq!(identifier("-x-", "final"), "x-final");
        assert_eq!(identifier(&"a".repeat(300), "final").len(), 255);
    }

    #[test]
    fn markers_settle_at_any_depth_and_protection_skips_follow_the_environment() {
        let mut resource = Resource::new("Lb", "aws.test.Kind");
        resource.set(NEUTRAL_DELETION_PROTECTION, true);
        let mut cfn = Form::new();
        cfn.set(
            "Attributes",
            Value::List(vec![object(&[
                ("Key", "deletion_protection.enabled".into()),
                ("Value", deletion_protection_text()),
            ])]),
        )
        .set("Plain", Value::List(vec![Value::from("a")]))
        .set("Region", region())
        .wait_for_block(Expr::from("arn"), "_validation")
        .checkov_skip_when_unprotected("CKV_1");
        finish(&mut resource, cfn, Form::new());
        let settled = |resource: &Resource| -> Vec<String> {
            entries(resource, Target::CloudFormation)
                .map(|(name, entry)| match entry {
                    Entry::Nested(Value::List(items)) => {
                        let inner: Vec<String> = items[0]
                            .as_map()
                            .unwrap_or_default()
                            .iter()
                            .map(|(k, v)| format!("{k}:{:?}", nested(resource, v)))
                            .collect();
                        format!("{name}=[{}]", inner.join(","))
                    }
                    Entry::Value(_) => format!("{name}=<value>"),
                    Entry::Region => format!("{name}=<region>"),
                    Entry::WaitFor { suffix, .. } => format!("<wait {suffix}>"),
                    other => format!("{name}={other:?}"),
                })
                .collect()
        };
        assert_eq!(
            settled(&resource),
            [
                r#"Attributes=[Key:Some(Value(Str(Literal("deletion_protection.enabled")))),Value:Some(Literal("true"))]"#,
                "Plain=<value>",
                "Region=<region>",
                "<wait _validation>",
            ]
        );
        assert_eq!(skips(&resource, Target::CloudFormation, &[]).count(), 0);
        // The core turns protection off in an environment that tears down completely.
        resource.apply_environment_removal(stackwright_core::RemovalPolicy::Destroy);
        assert!(settled(&resource)[0].ends_with(r#"Value:Some(Literal("false"))]"#));
        assert_eq!(
            skips(&resource, Target::CloudFormation, &[]).collect::<Vec<_>>(),
            [("CKV_1", Cow::from(UNPROTECTED_REASON))]
        );
    }
}
