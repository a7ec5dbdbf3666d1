//! The hand-written runtime of the generated hashicorp/aws builders: the values setters take ([`Number`],
//! [`Bool`], [`List`], [`Map`] beside `Expr`), how a builder keeps its attributes and blocks ([`Body`]),
//! the neutral node it declares, the synth-time check against the provider schema, and the methods every
//! builder and handle shares (as `macro_rules!`). Generated code depends on this module, never the other
//! way round.
//!
//! A declared builder is a raw Terraform node (`stackwright_aws::raw`, kind `raw`): its type, its body as a
//! neutral map, `data_source` for data sources, and the marker [`props::TERRAFORM_BUILDER`], so that both
//! targets lower it on the path they already have for raw resources, with no per-type code: Terraform
//! writes the block (references as `${...}`, the resource's tags, `lifecycle.prevent_destroy` for kept
//! resources), CloudFormation reports it as Terraform-only at the line that declared it.

use serde_json::{Map as JsonMap, Value as Json};
use stackwright_aws::kinds;
use stackwright_aws::raw::props;
pub use stackwright_core::{
    AttrRef, Declare, Expr, HasResourceRef, RemovalPolicy, Resource, ResourceRef, Value,
};
use std::marker::PhantomData;
use std::sync::OnceLock;

/// What a generated type is; one static per type.
#[derive(Debug)]
pub struct TypeInfo {
    /// The provider's type name (`aws_lambda_function`).
    pub name: &'static str,
    /// A data source (`data` block) rather than a resource.
    pub data: bool,
    /// The type has the provider's `tags` map (`tag(..)`).
    pub taggable: bool,
    /// Kept by default (`RemovalPolicy::Retain`); see `terraform-overlay.json` for each reason.
    pub stateful: bool,
    /// The type's provider schema block: its service's schemas and its line there.
    pub schema: (&'static Schemas, usize),
}

/// The provider schema blocks of one service's types (`<service>.schemas.jsonl`, one compact line per
/// type), each parsed on its first use. A line is `{"block": .., "defs": [..]}`: block bodies that occur
/// more than once in the type are written once in `defs` and referenced as `{"$def": n}` (QuickSight's
/// and WAF's schemas repeat the same statements hundreds of times); parsing expands them again.
pub struct Schemas {
    text: &'static str,
    parsed: OnceLock<Vec<OnceLock<Option<Json>>>>,
}

impl Schemas {
    pub const fn new(text: &'static str) -> Self {
        Schemas {
            text,
            parsed: OnceLock::new(),
        }
    }

    /// The expanded block of line `index`, parsed once per process.
    pub fn block(&'static self, index: usize) -> Option<&'static Json> {
        let lines = self
            .parsed
            .get_or_init(|| self.text.lines().map(|_| OnceLock::new()).collect());
        lines
            .get(index)?
            .get_or_init(|| {
                let line = self.text.lines().nth(index)?;
                let mut doc: Json = serde_json::from_str(line).ok()?;
                let defs = match doc.get_mut("defs") {
                    Some(Json::Array(defs)) => std::mem::take(defs),
                    _ => Vec::new(),
                };
                let mut block = doc.get_mut("block").map(Json::take)?;
                expand(&mut block, &defs);
                Some(block)
            })
            .as_ref()
    }
}

/// Replaces every `{"$def": n}` below `node` by a copy of `defs[n]`, itself expanded. The vendored data is
/// acyclic (a definition refers only to earlier ones), so this ends; a reference out of range stays as is.
fn expand(node: &mut Json, defs: &[Json]) {
    match node {
        Json::Object(map) => {
            if let Some(n) = map.get("$def").and_then(Json::as_u64) {
                if let Some(def) = defs.get(n as usize) {
                    let mut def = def.clone();
                    expand(&mut def, defs);
                    *node = def;
                }
                return;
            }
            map.values_mut().for_each(|v| expand(v, defs));
        }
        Json::Array(items) => items.iter_mut().for_each(|v| expand(v, defs)),
        _ => {}
    }
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Schemas")
    }
}

/// A `number` attribute's value: an integer, a decimal (written as its text, which Terraform converts), or
/// a reference (`handle.port()`).
#[derive(Clone, Debug)]
pub struct Number(Value);

/// A `bool` attribute's value: `true`/`false` or a reference.
#[derive(Clone, Debug)]
pub struct Bool(Value);

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(n: $t) -> Self {
                Number(Value::Int(i64::from(n)))
            }
        }
    )*};
}
numbers!(i8, i16, i32, i64, u8, u16, u32);

impl From<u64> for Number {
    fn from(n: u64) -> Self {
        Number(match i64::try_from(n) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::from(n.to_string()),
        })
    }
}

impl From<usize> for Number {
    fn from(n: usize) -> Self {
        Number::from(n as u64)
    }
}

impl From<f64> for Number {
    fn from(n: f64) -> Self {
        Number(Value::from(n.to_string()))
    }
}

impl From<f32> for Number {
    fn from(n: f32) -> Self {
        Number(Value::from(n.to_string()))
    }
}

impl From<Expr> for Number {
    fn from(e: Expr) -> Self {
        Number(Value::Str(e))
    }
}

impl From<bool> for Bool {
    fn from(b: bool) -> Self {
        Bool(Value::Bool(b))
    }
}

impl From<Expr> for Bool {
    fn from(e: Expr) -> Self {
        Bool(Value::Str(e))
    }
}

/// The element types of [`List`] and [`Map`].
pub trait Scalar {
    fn into_value(self) -> Value;
}

impl Scalar for Expr {
    fn into_value(self) -> Value {
        Value::Str(self)
    }
}

impl Scalar for Number {
    fn into_value(self) -> Value {
        self.0
    }
}

impl Scalar for Bool {
    fn into_value(self) -> Value {
        self.0
    }
}

impl Number {
    pub fn into_value(self) -> Value {
        self.0
    }
}

impl Bool {
    pub fn into_value(self) -> Value {
        self.0
    }
}

/// A `list` or `set` attribute's value: items (`["a", "b"]`, `vec![handle.arn()]`) or a reference to a
/// whole list (`subnets.ids()`).
#[derive(Clone, Debug)]
pub struct List<T>(Value, PhantomData<T>);

impl<T> List<T> {
    pub fn into_value(self) -> Value {
        self.0
    }
}

impl<T: Scalar, S: Into<T>> From<Vec<S>> for List<T> {
    fn from(items: Vec<S>) -> Self {
        List(
            Value::List(items.into_iter().map(|s| s.into().into_value()).collect()),
            PhantomData,
        )
    }
}

impl<T: Scalar, S: Into<T>, const N: usize> From<[S; N]> for List<T> {
    fn from(items: [S; N]) -> Self {
        List(
            Value::List(items.into_iter().map(|s| s.into().into_value()).collect()),
            PhantomData,
        )
    }
}

impl<T: Scalar, S: Into<T> + Clone> From<&[S]> for List<T> {
    fn from(items: &[S]) -> Self {
        List(
            Value::List(
                items
                    .iter()
                    .map(|s| s.clone().into().into_value())
                    .collect(),
            ),
            PhantomData,
        )
    }
}

impl<T> From<Expr> for List<T> {
    fn from(e: Expr) -> Self {
        List(Value::Str(e), PhantomData)
    }
}

/// A `map` attribute's value: entries (`[("Name", "web")]`, a `BTreeMap`) or a reference to a whole map.
#[derive(Clone, Debug)]
pub struct Map<T>(Value, PhantomData<T>);

impl<T> Map<T> {
    pub fn into_value(self) -> Value {
        self.0
    }
}

fn entries<T: Scalar, K: Into<String>, V: Into<T>>(
    entries: impl IntoIterator<Item = (K, V)>,
) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.into(), v.into().into_value()))
            .collect(),
    )
}

impl<T: Scalar, K: Into<String>, V: Into<T>> From<Vec<(K, V)>> for Map<T> {
    fn from(items: Vec<(K, V)>) -> Self {
        Map(entries::<T, K, V>(items), PhantomData)
    }
}

impl<T: Scalar, K: Into<String>, V: Into<T>, const N: usize> From<[(K, V); N]> for Map<T> {
    fn from(items: [(K, V); N]) -> Self {
        Map(entries::<T, K, V>(items), PhantomData)
    }
}

impl<T: Scalar, K: Into<String>, V: Into<T>> From<std::collections::BTreeMap<K, V>> for Map<T> {
    fn from(items: std::collections::BTreeMap<K, V>) -> Self {
        Map(entries::<T, K, V>(items), PhantomData)
    }
}

impl<T> From<Expr> for Map<T> {
    fn from(e: Expr) -> Self {
        Map(Value::Str(e), PhantomData)
    }
}

/// A string attribute's value.
pub fn string(value: impl Into<Expr>) -> Value {
    Value::Str(value.into())
}

/// A string attribute that holds an IAM policy document as JSON (`policy`, `assume_role_policy`, ...):
/// text or a reference as any string, or a typed [`stackwright_aws::iam::PolicyDocument`], written as the
/// compact JSON `jsonencode` would write, with its references live.
#[derive(Clone, Debug)]
pub struct PolicyText(Expr);

impl From<stackwright_aws::iam::PolicyDocument> for PolicyText {
    fn from(document: stackwright_aws::iam::PolicyDocument) -> Self {
        PolicyText(document.to_json_text())
    }
}

impl From<&stackwright_aws::iam::PolicyDocument> for PolicyText {
    fn from(document: &stackwright_aws::iam::PolicyDocument) -> Self {
        PolicyText(document.to_json_text())
    }
}

impl From<Expr> for PolicyText {
    fn from(e: Expr) -> Self {
        PolicyText(e)
    }
}

impl From<&Expr> for PolicyText {
    fn from(e: &Expr) -> Self {
        PolicyText(e.clone())
    }
}

impl From<&str> for PolicyText {
    fn from(s: &str) -> Self {
        PolicyText(Expr::from(s))
    }
}

impl From<String> for PolicyText {
    fn from(s: String) -> Self {
        PolicyText(Expr::from(s))
    }
}

pub fn policy_text(value: impl Into<PolicyText>) -> Value {
    Value::Str(value.into().0)
}

pub fn number(value: impl Into<Number>) -> Value {
    value.into().0
}

pub fn boolean(value: impl Into<Bool>) -> Value {
    value.into().0
}

pub fn list<T>(value: impl Into<List<T>>) -> Value {
    value.into().0
}

pub fn map<T>(value: impl Into<Map<T>>) -> Value {
    value.into().0
}

/// The attributes and blocks of a block body, in the order they were first set: setting one again
/// replaces it; [`Body::push`] adds one more block of a repeatable kind.
#[derive(Clone, Debug, Default)]
pub struct Body(Vec<(&'static str, Value)>);

impl Body {
    pub fn set(&mut self, name: &'static str, value: Value) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name, value)),
        }
    }

    /// Adds a block to the list of blocks `name`.
    pub fn push(&mut self, name: &'static str, value: Value) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some((_, Value::List(items))) => items.push(value),
            Some(slot) => slot.1 = Value::List(vec![value]),
            None => self.0.push((name, Value::List(vec![value]))),
        }
    }

    pub fn into_value(self) -> Value {
        Value::Map(self.0.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }
}

/// The state of a builder: its node (id, location, tags, overrides, ...), its body and its type.
#[derive(Debug)]
pub struct Base {
    pub resource: Resource,
    body: Body,
    info: &'static TypeInfo,
}

impl Base {
    #[track_caller]
    pub fn new(id: impl Into<String>, info: &'static TypeInfo) -> Self {
        let mut resource = Resource::new(id, kinds::RAW);
        if info.stateful {
            resource.removal_policy = RemovalPolicy::Retain;
        }
        Base {
            resource,
            body: Body::default(),
            info,
        }
    }

    /// An empty builder of the type: a patch of a construct's Terraform form (`TerraformEscape::terraform`),
    /// with no id and none of its required attributes.
    #[track_caller]
    pub fn patch(info: &'static TypeInfo) -> Self {
        Base {
            resource: Resource::new("", kinds::RAW),
            body: Body::default(),
            info,
        }
    }

    /// The attributes and blocks set, as Terraform entries (the provider's names; a block of at most one as
    /// an object, others as a list), and the problems of the patch (a setting of the node, which a patch
    /// does not carry).
    pub fn into_patch(self) -> (Vec<(String, Value)>, Vec<String>) {
        let Base {
            resource,
            body,
            info,
        } = self;
        let problems =
            stackwright_aws::construct::patch_problems(resource, ".terraform(..)", info.name);
        let entries = body
            .0
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect();
        (entries, problems)
    }

    pub fn set(&mut self, name: &'static str, value: Value) {
        self.body.set(name, value);
    }

    pub fn push(&mut self, name: &'static str, value: Value) {
        self.body.push(name, value);
    }

    pub fn tag(&mut self, key: String, value: Expr) {
        self.resource.tags.push((key, value));
    }

    /// The neutral node the targets lower, checked against the provider schema.
    pub fn finish(self) -> Resource {
        let Base {
            mut resource,
            body,
            info,
        } = self;
        let body = body.into_value();
        validate(&mut resource, info, &body);
        resource.set(props::TERRAFORM_TYPE, info.name);
        resource.set(props::TERRAFORM_ATTRIBUTES, body);
        resource.set(props::TERRAFORM_BUILDER, crate::PROVIDER);
        if info.data {
            resource.set(props::TERRAFORM_DATA_SOURCE, true);
        }
        resource
    }
}

/// A neutral value as the Terraform JSON the validator reads: references (known at apply time only) as
/// `${...}` templates, which it accepts wherever a value goes, literal text escaped as the target escapes it.
fn to_json(value: &Value) -> Json {
    match value {
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Str(e) => match e.as_literal() {
            Some(text) => Json::String(text.replace("${", "$${").replace("%{", "%%{")),
            None => Json::String("${reference}".into()),
        },
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
    }
}

/// Sets (or, with `None`, removes) dotted `path` in `node`, creating objects on the way; a numeric segment
/// indexes a list (a repeated block).
fn apply(node: &mut Json, path: &[String], value: Option<&Value>) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        if let Some(map) = node.as_object_mut() {
            match value {
                Some(v) => {
                    map.insert(first.clone(), to_json(v));
                }
                None => {
                    map.remove(first);
                }
            }
        }
        return;
    }
    if let Json::Array(items) = node {
        if let Some(item) = first.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
            apply(item, rest, value);
        }
        return;
    }
    if !node.is_object() {
        *node = Json::Object(JsonMap::new());
    }
    if let Some(map) = node.as_object_mut() {
        let child = map
            .entry(first.clone())
            .or_insert_with(|| Json::Object(JsonMap::new()));
        apply(child, rest, value);
    }
}

/// The declared body (with the `override_terraform`/`remove_terraform` edits applied) against the type's
/// provider schema: a missing required attribute or block, an unknown one (with a did-you-mean), a
/// computed-only one set, a value of the wrong type, too many blocks, each reported at the line that
/// declared the resource. Types vendored in `stackwright-schema` are checked by the Terraform target itself,
/// after lowering, with the same validator.
fn validate(resource: &mut Resource, info: &TypeInfo, body: &Value) {
    let vendored = if info.data {
        stackwright_schema::terraform::data_source(info.name).is_some()
    } else {
        stackwright_schema::terraform::resource_type(info.name).is_some()
    };
    if vendored {
        return;
    }
    let (schemas, index) = info.schema;
    let Some(block) = schemas.block(index) else {
        return;
    };
    let mut json = to_json(body);
    if !resource.tags.is_empty() {
        let tags = resource
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), to_json(&Value::Str(v.clone()))))
            .collect();
        if let Some(map) = json.as_object_mut() {
            map.insert("tags".into(), Json::Object(tags));
        }
    }
    for o in &resource.overrides {
        if o.target == stackwright_core::Target::Terraform {
            apply(&mut json, &o.path, o.value.as_ref());
        }
    }
    let Json::Object(json) = json else {
        return;
    };
    let mut problems: Vec<(String, String)> =
        stackwright_validate::terraform::validate_block(block, &json)
            .into_iter()
            .map(|p| (p.path, p.message))
            .collect();
    too_few_blocks(block, &json, "", &mut problems);
    for (path, message) in problems {
        let at = if path.is_empty() {
            String::new()
        } else {
            format!(" `{path}`")
        };
        resource.problems.push(format!(
            "`{}`{at}: {message} ({} schema)",
            info.name,
            crate::PROVIDER
        ));
    }
}

/// Blocks given fewer times than their `min_items` (two stages of a pipeline, two IP addresses of a
/// resolver endpoint), at every depth; a block missing altogether is `validate_block`'s to report.
fn too_few_blocks(
    block: &Json,
    body: &JsonMap<String, Json>,
    path: &str,
    problems: &mut Vec<(String, String)>,
) {
    let Some(types) = block.get("block_types").and_then(Json::as_object) else {
        return;
    };
    for (name, nested) in types {
        let Some(value) = body.get(name) else {
            continue;
        };
        let here = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}.{name}")
        };
        let (instances, count): (Vec<&JsonMap<String, Json>>, u64) = match value {
            Json::Array(items) => (
                items.iter().filter_map(Json::as_object).collect(),
                items.len() as u64,
            ),
            Json::Object(one) => (vec![one], 1),
            _ => continue,
        };
        let min = nested.get("min_items").and_then(Json::as_u64).unwrap_or(0);
        if count < min && count > 0 {
            problems.push((
                here.clone(),
                format!("has {count} block(s); expected at least {min}"),
            ));
        }
        if let Some(inner) = nested.get("block") {
            for (i, instance) in instances.into_iter().enumerate() {
                let at = match value {
                    Json::Array(_) => format!("{here}.{i}"),
                    _ => here.clone(),
                };
                too_few_blocks(inner, instance, &at, problems);
            }
        }
    }
}

/// The untyped part of every generated handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handle(pub ResourceRef);

impl Handle {
    /// The block's `id`.
    pub fn id(&self) -> Expr {
        self.attr("id")
    }

    /// An attribute by its Terraform name, or a path into one (`"certificate_authority.0.data"`).
    pub fn attr(&self, name: &'static str) -> Expr {
        Expr::Attr(AttrRef {
            resource: self.0,
            attr: name,
        })
    }
}

pub fn accept_finding(resource: &mut Resource, check_id: &str, reason: &str) {
    resource
        .problems
        .extend(stackwright_aws::findings::problems(check_id, reason));
    resource
        .accepted_findings
        .push((check_id.to_owned(), reason.to_owned()));
}

#[track_caller]
pub fn add_override(resource: &mut Resource, path: &str, value: Option<Value>) {
    resource.overrides.push(stackwright_core::Override {
        target: stackwright_core::Target::Terraform,
        path: path.split('.').map(str::to_owned).collect(),
        value,
        location: std::panic::Location::caller(),
    });
}

/// The methods every builder (resource or data source) shares and its `Declare` impl.
// Unused when no service feature is enabled.
#[allow(unused_macros)]
macro_rules! common {
    ($builder:ident, $handle:ident) => {
        impl $builder {
            /// Makes this block wait for another resource that it does not otherwise reference.
            pub fn depends_on(mut self, other: &impl $crate::runtime::HasResourceRef) -> Self {
                self.0.resource.depends_on.push(other.resource_ref());
                self
            }

            /// Accepts a security-scanner finding for this block, with the reason a reviewer reads (its
            /// `"//"` comment, which `scripts/check-artifacts.sh` hands to checkov).
            pub fn accept_finding(mut self, check_id: &str, reason: &str) -> Self {
                $crate::runtime::accept_finding(&mut self.0.resource, check_id, reason);
                self
            }

            /// Accepts literal secrets in this block's attributes and overrides (a sensitive or
            /// secret-named value written into the definition), which then reach the module; `reason` says
            /// why. Without it a literal secret is an error that says how to keep it out.
            pub fn allow_plaintext_secret(mut self, reason: &str) -> Self {
                self.0.resource.allow_plaintext_secret(reason);
                self
            }

            /// Escape hatch: sets dot-separated `path` of the block body (`vpc_config.subnet_ids`).
            #[track_caller]
            pub fn override_terraform(
                mut self,
                path: &str,
                value: impl Into<$crate::runtime::Value>,
            ) -> Self {
                $crate::runtime::add_override(&mut self.0.resource, path, Some(value.into()));
                self
            }

            /// Escape hatch: removes dot-separated `path` from the block body.
            #[track_caller]
            pub fn remove_terraform(mut self, path: &str) -> Self {
                $crate::runtime::add_override(&mut self.0.resource, path, None);
                self
            }
        }

        impl $crate::runtime::Declare for $builder {
            type Handle = $handle;
            fn declare(
                self,
                at: $crate::runtime::ResourceRef,
            ) -> ($crate::runtime::Resource, $handle) {
                (self.0.finish(), $handle($crate::runtime::Handle(at)))
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use common;

/// A resource builder: the shared methods, its removal policy and rename.
#[allow(unused_macros)]
macro_rules! resource {
    ($builder:ident, $handle:ident, $info:ident) => {
        $crate::runtime::common!($builder, $handle);
        impl $builder {
            /// An empty builder: a patch of a construct (`TerraformEscape::terraform`).
            #[doc(hidden)]
            #[track_caller]
            pub fn __patch() -> Self {
                $builder($crate::runtime::Base::patch(&$info))
            }

            /// The Terraform resource type.
            #[doc(hidden)]
            pub fn __type_name() -> &'static str {
                $info.name
            }

            /// The patch's entries in Terraform's spelling, and its problems.
            #[doc(hidden)]
            pub fn __into_patch(self) -> (Vec<(String, $crate::runtime::Value)>, Vec<String>) {
                self.0.into_patch()
            }

            /// What happens to the resource when it leaves the definition or is replaced: `Retain` and
            /// `Snapshot` write `lifecycle.prevent_destroy`, so that Terraform refuses to destroy it;
            /// stateful types default to `Retain`.
            pub fn removal_policy(mut self, policy: $crate::runtime::RemovalPolicy) -> Self {
                self.0.resource.choose_removal_policy(policy);
                self
            }

            /// Declares that this resource was called `old_id` before (Terraform moves it).
            pub fn renamed_from(mut self, old_id: impl Into<String>) -> Self {
                self.0.resource.renamed_from = Some(old_id.into());
                self
            }

            /// Declares that this resource was `old_id` of another stack of the same environment before
            /// (`plan` shows a move; `synth --steps` moves it without replacing it).
            pub fn moved_from(
                mut self,
                stack: impl Into<String>,
                old_id: impl Into<String>,
            ) -> Self {
                self.0.resource.moved_from = Some(stackwright_core::MovedFrom {
                    stack: stack.into(),
                    id: old_id.into(),
                });
                self
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use resource;

/// A data source builder: the shared methods.
#[allow(unused_macros)]
macro_rules! data_source {
    ($builder:ident, $handle:ident) => {
        $crate::runtime::common!($builder, $handle);
    };
}
#[allow(unused_imports)]
pub(crate) use data_source;

/// `tag(..)` of a resource type with the provider's `tags` map.
#[allow(unused_macros)]
macro_rules! taggable {
    ($builder:ident) => {
        impl $builder {
            /// Adds a tag (its `tags` map); the environment's tags reach it through the provider's
            /// `default_tags`, and a tag of the same key here wins.
            pub fn tag(
                mut self,
                key: impl Into<String>,
                value: impl Into<$crate::runtime::Expr>,
            ) -> Self {
                self.0.tag(key.into(), value.into());
                self
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use taggable;

/// A handle's `id()` and its reference.
#[allow(unused_macros)]
macro_rules! handle {
    ($handle:ident) => {
        impl $handle {
            /// The block's `id`.
            pub fn id(&self) -> $crate::runtime::Expr {
                self.0.id()
            }

            /// An attribute by its Terraform name, or a path into a nested one
            /// (`"certificate_authority.0.data"`).
            pub fn attr(&self, name: &'static str) -> $crate::runtime::Expr {
                self.0.attr(name)
            }
        }

        impl $crate::runtime::HasResourceRef for $handle {
            fn resource_ref(&self) -> $crate::runtime::ResourceRef {
                self.0 .0
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use handle;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn definitions_expand_where_referenced() {
        static SCHEMAS: Schemas = Schemas::new(concat!(
            r#"{"block":{"block_types":{"a":{"block":{"$def":1}},"b":{"block":{"$def":1}}}},"defs":[{"attributes":{"x":{"type":"string"}}},{"block_types":{"c":{"block":{"$def":0}}}}]}"#,
            "\n"
        ));
        let inner =
            json!({"block_types": {"c": {"block": {"attributes": {"x": {"type": "string"}}}}}});
        assert_eq!(
            SCHEMAS.block(0),
            Some(&json!({"block_types": {"a": {"block": inner.clone()}, "b": {"block": inner}}}))
        );
        assert_eq!(SCHEMAS.block(1), None);
    }

    #[test]
    fn blocks_below_their_minimum_are_reported_at_every_depth() {
        let block = json!({"block_types": {
            "stage": {"nesting_mode": "list", "min_items": 2, "block": {"block_types": {
                "action": {"nesting_mode": "list", "min_items": 2, "block": {}}}}}
        }});
        let body = json!({"stage": [{"action": [{}]}]});
        let mut problems = Vec::new();
        too_few_blocks(&block, body.as_object().unwrap(), "", &mut problems);
        assert_eq!(
            problems,
            [
                (
                    "stage".to_owned(),
                    "has 1 block(s); expected at least 2".to_owned()
                ),
                (
                    "stage.0.action".to_owned(),
                    "has 1 block(s); expected at least 2".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn values_of_every_shape() {
        assert!(matches!(number(3), Value::Int(3)));
        assert_eq!(number(0.5), Value::from("0.5"));
        assert_eq!(number(u64::MAX), Value::from("18446744073709551615"));
        assert_eq!(boolean(true), Value::Bool(true));
        assert_eq!(
            list::<Expr>(["a", "b"]),
            Value::List(vec![Value::from("a"), Value::from("b")])
        );
        assert_eq!(
            list::<Number>(vec![80, 443]),
            Value::List(vec![Value::Int(80), Value::Int(443)])
        );
        assert_eq!(
            map::<Expr>([("k", "v")]),
            Value::Map(vec![("k".into(), Value::from("v"))])
        );
        let mut body = Body::default();
        body.push("rule", Value::Int(1));
        body.set("name", Value::from("x"));
        body.push("rule", Value::Int(2));
        body.set("name", Value::from("y"));
        assert_eq!(
            body.into_value(),
            Value::Map(vec![
                (
                    "rule".into(),
                    Value::List(vec![Value::Int(1), Value::Int(2)])
                ),
                ("name".into(), Value::from("y")),
            ])
        );
    }
}
