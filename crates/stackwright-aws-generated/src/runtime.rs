//! The hand-written runtime of the generated builders: how a builder keeps its properties, turns them
//! into the neutral data the targets read (`stackwright_aws::registry`), and the methods every builder
//! shares. Generated code depends on this module, never the other way round.

use serde_json::{Map, Value as Json};
use stackwright_aws::kinds;
use stackwright_aws::registry::{props, AWSCC_OBJECT, JSON_STRING};
pub use stackwright_core::{
    AttrRef, Declare, Expr, HasResourceRef, RemovalPolicy, Resource, ResourceRef, Target, Value,
};
use std::sync::OnceLock;

/// How a type's tags are spelled in awscc (CloudFormation's shape comes from its own tag table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagsShape {
    /// The type takes no tags.
    None,
    /// Tags in CloudFormation only: awscc has no tag attribute for the type.
    CloudFormationOnly,
    /// awscc attribute holding a list of `{key, value}` objects.
    KeyValueList(&'static str),
    /// awscc attribute holding a map of key to value.
    Map(&'static str),
}

/// What a generated type is in each target; one static per type.
#[derive(Debug)]
pub struct TypeInfo {
    pub cloudformation: &'static str,
    /// The awscc resource type; `None` when awscc does not offer the type.
    pub terraform: Option<&'static str>,
    pub tags: TagsShape,
    /// Stateful types are retained by default (see `overlay.json` for each reason).
    pub stateful: bool,
    pub unavailable_in: &'static [&'static str],
    /// `Fn::GetAtt` name and its awscc attribute path, when awscc has one.
    pub attributes: &'static [(&'static str, Option<&'static str>)],
    /// The type's registry schema: its service's schemas and its line there.
    pub schema: (&'static Schemas, usize),
    /// The awscc resource's schema (`<service>.awscc.jsonl`), handed to the Terraform target as text.
    pub awscc_schema: Option<(&'static Schemas, usize)>,
}

/// The registry schemas of one service's types (`<service>.schemas.jsonl`, one compact line per type,
/// without documentation), each parsed on its first use.
pub struct Schemas {
    text: &'static str,
    lines: OnceLock<Vec<&'static str>>,
    parsed: OnceLock<Vec<OnceLock<Option<Json>>>>,
}

impl Schemas {
    pub const fn new(text: &'static str) -> Self {
        Schemas {
            text,
            lines: OnceLock::new(),
            parsed: OnceLock::new(),
        }
    }

    /// Line `index` of the text; `None` past the end or for an empty line.
    fn line(&self, index: usize) -> Option<&'static str> {
        let text = self.text;
        let lines = self.lines.get_or_init(|| text.lines().collect());
        lines.get(index).copied().filter(|l| !l.is_empty())
    }

    fn get(&self, index: usize) -> Option<&Json> {
        let lines = self
            .parsed
            .get_or_init(|| self.text.lines().map(|_| OnceLock::new()).collect());
        lines
            .get(index)?
            .get_or_init(|| serde_json::from_str(self.line(index)?).ok())
            .as_ref()
    }
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Schemas")
    }
}

/// A neutral value as the JSON the CloudFormation validator reads: references (known at deploy time
/// only) as `Ref`s, which it accepts wherever a value goes.
fn to_json(value: &Value) -> Json {
    match value {
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Str(e) => match e.as_literal() {
            Some(text) => Json::String(text.to_owned()),
            None => serde_json::json!({ "Ref": "reference" }),
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

/// Sets (or, with `None`, removes) `path` in `node`, creating objects on the way.
fn apply(node: &mut Json, path: &[String], value: Option<&Value>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut here = node;
    for segment in parents {
        if !here.is_object() {
            *here = Json::Object(Map::new());
        }
        here = here
            .as_object_mut()
            .expect("an object")
            .entry(segment.clone())
            .or_insert_with(|| Json::Object(Map::new()));
    }
    if let Some(map) = here.as_object_mut() {
        match value {
            Some(v) => {
                map.insert(last.clone(), to_json(v));
            }
            None => {
                map.remove(last);
            }
        }
    }
}

/// The declared properties (with the CloudFormation overrides of `Properties.*`) against the type's
/// registry schema: a bad enum value, a number out of range, a string the pattern rejects, a missing or
/// unknown property, each reported at the line that declared the resource, for both targets (awscc
/// takes the same values). Types vendored in `stackwright-schema` are checked by the CloudFormation target
/// itself, after lowering.
fn validate(resource: &mut Resource, info: &TypeInfo, properties: &Value) {
    if stackwright_schema::cloudformation::resource_type(info.cloudformation).is_some() {
        return;
    }
    let (schemas, index) = info.schema;
    let Some(schema) = schemas.get(index) else {
        return;
    };
    let mut json = to_json(properties);
    for o in &resource.overrides {
        if o.target == Target::CloudFormation && o.path.len() > 1 && o.path[0] == "Properties" {
            apply(&mut json, &o.path[1..], o.value.as_ref());
        }
    }
    for problem in stackwright_validate::cloudformation::validate_properties(schema, &json) {
        resource.problems.push(format!(
            "`{}` `{}`: {}",
            info.cloudformation, problem.path, problem.message
        ));
    }
}

/// A property value before lowering: the same tree serves both targets, whose names sit beside it.
#[derive(Clone, Debug)]
pub enum Node {
    /// A scalar, string or list of them: the same in both targets.
    Value(Value),
    /// A schema-free value that awscc wants as a JSON string (`jsonencode`); CloudFormation takes it as is.
    JsonString(Value),
    /// A JSON value of CloudFormation objects that awscc takes as nested attributes of its own names:
    /// CloudFormation takes it as is, the Terraform target renames its keys through the awscc schema.
    JsonObject(Value),
    Object(Props),
    List(Vec<Node>),
    /// String keys to nodes.
    Map(Vec<(String, Node)>),
    /// Literal text given for a string property whose value is a number or a boolean ([`NumberString`],
    /// [`BoolString`]) that is not one: lowered as given, and a problem of the resource at synth.
    Invalid {
        text: String,
        expected: &'static str,
    },
}

/// The properties set on a builder or nested value: (CloudFormation name, awscc name, value), in the
/// order they were set; setting one again replaces it.
#[derive(Clone, Debug, Default)]
pub struct Props(Vec<(&'static str, Option<&'static str>, Node)>);

impl Props {
    pub fn set(
        &mut self,
        cloudformation: &'static str,
        terraform: Option<&'static str>,
        node: Node,
    ) {
        match self
            .0
            .iter_mut()
            .find(|(name, _, _)| *name == cloudformation)
        {
            Some(slot) => *slot = (cloudformation, terraform, node),
            None => self.0.push((cloudformation, terraform, node)),
        }
    }

    /// The CloudFormation and awscc maps, and the paths of set properties awscc has no name for; `invalid`
    /// gets a problem per [`Node::Invalid`] value.
    fn lower(
        &self,
        path: &str,
        unmapped: &mut Vec<String>,
        invalid: &mut Vec<String>,
    ) -> (Value, Value) {
        let mut cfn = Vec::new();
        let mut tf = Vec::new();
        for (name, terraform, node) in &self.0 {
            let here = if path.is_empty() {
                (*name).to_owned()
            } else {
                format!("{path}.{name}")
            };
            let (c, t) = node.lower(&here, unmapped, invalid);
            cfn.push(((*name).to_owned(), c));
            match terraform {
                Some(terraform) => tf.push(((*terraform).to_owned(), t)),
                None => unmapped.push(here),
            }
        }
        (Value::Map(cfn), Value::Map(tf))
    }
}

impl Node {
    fn lower(
        &self,
        path: &str,
        unmapped: &mut Vec<String>,
        invalid: &mut Vec<String>,
    ) -> (Value, Value) {
        match self {
            Node::Invalid { text, expected } => {
                invalid.push(format!(
                    "property `{path}`: `{text}` is not {expected}, which the property takes (as a Rust value or as text)"
                ));
                let v = Value::from(text.clone());
                (v.clone(), v)
            }
            Node::Value(v) => (v.clone(), v.clone()),
            Node::JsonString(v) => (
                v.clone(),
                Value::Map(vec![(JSON_STRING.to_owned(), v.clone())]),
            ),
            Node::JsonObject(v) => (
                v.clone(),
                Value::Map(vec![(AWSCC_OBJECT.to_owned(), v.clone())]),
            ),
            Node::Object(props) => props.lower(path, unmapped, invalid),
            Node::List(items) => {
                let (c, t) = items
                    .iter()
                    .map(|n| n.lower(path, unmapped, invalid))
                    .unzip();
                (Value::List(c), Value::List(t))
            }
            Node::Map(entries) => {
                let mut c = Vec::new();
                let mut t = Vec::new();
                for (key, node) in entries {
                    let (cv, tv) = node.lower(path, unmapped, invalid);
                    c.push((key.clone(), cv));
                    t.push((key.clone(), tv));
                }
                (Value::Map(c), Value::Map(t))
            }
        }
    }
}

/// The state of a resource builder: its node (id, location, tags, overrides, ...), properties and type.
#[derive(Debug)]
pub struct Base {
    pub resource: Resource,
    props: Props,
    info: &'static TypeInfo,
}

impl Base {
    #[track_caller]
    pub fn new(id: impl Into<String>, info: &'static TypeInfo) -> Self {
        let mut resource = Resource::new(id, kinds::REGISTRY);
        if info.stateful {
            resource.removal_policy = RemovalPolicy::Retain;
        }
        Base {
            resource,
            props: Props::default(),
            info,
        }
    }

    /// An empty builder of the type: a patch of a construct's CloudFormation form
    /// (`CloudFormationEscape::cloudformation`), with no id and none of its required properties.
    #[track_caller]
    pub fn patch(info: &'static TypeInfo) -> Self {
        Base {
            resource: Resource::new("", kinds::REGISTRY),
            props: Props::default(),
            info,
        }
    }

    /// The properties set, as CloudFormation entries (the registry's names), and the problems of the
    /// patch (a value that is not what its property takes; a setting of the node, which a patch does not
    /// carry).
    pub fn into_patch(self) -> (Vec<(String, Value)>, Vec<String>) {
        let Base {
            mut resource,
            props: properties,
            info,
        } = self;
        let mut unmapped = Vec::new();
        let mut invalid = Vec::new();
        let (cfn, _) = properties.lower("", &mut unmapped, &mut invalid);
        resource.problems.extend(invalid);
        let problems = stackwright_aws::construct::patch_problems(
            resource,
            ".cloudformation(..)",
            info.cloudformation,
        );
        let entries = match cfn {
            Value::Map(entries) => entries,
            _ => Vec::new(),
        };
        (entries, problems)
    }

    pub fn set(
        &mut self,
        cloudformation: &'static str,
        terraform: Option<&'static str>,
        node: Node,
    ) {
        self.props.set(cloudformation, terraform, node);
    }

    pub fn tag(&mut self, key: String, value: Expr) {
        if self.info.tags == TagsShape::None {
            self.resource.problems.push(format!(
                "`{}` takes no tags (registry schema): remove `.tag(\"{key}\", ..)`",
                self.info.cloudformation
            ));
        }
        self.resource.tags.push((key, value));
    }

    /// The neutral node the targets lower.
    pub fn finish(self) -> Resource {
        let Base {
            mut resource,
            props: properties,
            info,
        } = self;
        let mut unmapped = Vec::new();
        let mut invalid = Vec::new();
        let (cfn, tf) = properties.lower("", &mut unmapped, &mut invalid);
        resource.problems.extend(invalid);
        validate(&mut resource, info, &cfn);
        resource.set(props::CLOUDFORMATION_TYPE, info.cloudformation);
        resource.set(props::CLOUDFORMATION_PROPERTIES, cfn);
        if let Some(terraform) = info.terraform {
            resource.set(props::TERRAFORM_TYPE, terraform);
            resource.set(props::TERRAFORM_ATTRIBUTES, tf);
            if let Some(schema) = info.awscc_schema.and_then(|(s, i)| s.line(i)) {
                resource.set(props::TERRAFORM_SCHEMA, schema);
            }
            let names = info
                .attributes
                .iter()
                .filter_map(|(cfn, tf)| {
                    Some(((*cfn).to_owned(), Value::from(tf.as_ref()?.to_string())))
                })
                .collect();
            resource.set(props::TERRAFORM_ATTRIBUTE_NAMES, Value::Map(names));
            match info.tags {
                TagsShape::KeyValueList(name) => {
                    resource.set(props::TERRAFORM_TAGS, format!("list:{name}"))
                }
                TagsShape::Map(name) => resource.set(props::TERRAFORM_TAGS, format!("map:{name}")),
                TagsShape::None | TagsShape::CloudFormationOnly => {}
            }
            if !unmapped.is_empty() {
                resource.set(
                    props::TERRAFORM_UNMAPPED,
                    Value::List(unmapped.into_iter().map(Value::from).collect()),
                );
            }
        }
        if !info.unavailable_in.is_empty() {
            resource.set(
                props::UNAVAILABLE_IN,
                Value::List(
                    info.unavailable_in
                        .iter()
                        .map(|r| Value::from(*r))
                        .collect(),
                ),
            );
        }
        resource
    }
}

/// The untyped part of every generated handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handle(pub ResourceRef);

impl Handle {
    /// What `Ref` returns (CloudFormation `Ref`, awscc `id`).
    pub fn id(&self) -> Expr {
        self.attr("id")
    }

    /// An attribute by its `Fn::GetAtt` name; each target spells it from the resource's data.
    pub fn attr(&self, name: &'static str) -> Expr {
        Expr::Attr(AttrRef {
            resource: self.0,
            attr: name,
        })
    }
}

pub fn string(value: impl Into<Expr>) -> Node {
    Node::Value(Value::Str(value.into()))
}

pub fn int(value: i64) -> Node {
    Node::Value(Value::Int(value))
}

pub fn boolean(value: bool) -> Node {
    Node::Value(Value::Bool(value))
}

pub fn strings<S: Into<Expr>>(values: impl IntoIterator<Item = S>) -> Node {
    Node::Value(Value::List(
        values.into_iter().map(|v| Value::Str(v.into())).collect(),
    ))
}

pub fn list<T: Into<Node>>(values: impl IntoIterator<Item = T>) -> Node {
    Node::List(values.into_iter().map(Into::into).collect())
}

pub fn string_map<K: Into<String>, V: Into<Expr>>(
    entries: impl IntoIterator<Item = (K, V)>,
) -> Node {
    Node::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.into(), string(v)))
            .collect(),
    )
}

/// The value of a string property that holds a number (`MaxSize` of an auto scaling group: the
/// hashicorp/aws provider types the same attribute as a number): an integer, or text, which must then be a
/// number (`"60"`; `"sixty"` is a problem at synth); a reference is taken as it is. Lowered as a string, as
/// the registry schema wants.
#[derive(Clone, Debug)]
pub struct NumberString(Node);

/// The value of a string property that holds a boolean (the hashicorp/aws provider types it as a bool): a
/// `bool`, or text, which must then be `true` or `false`; a reference is taken as it is. Lowered as a
/// string.
#[derive(Clone, Debug)]
pub struct BoolString(Node);

macro_rules! number_strings {
    ($($t:ty),*) => {$(
        impl From<$t> for NumberString {
            fn from(v: $t) -> Self {
                NumberString(string(v.to_string()))
            }
        }
    )*};
}
number_strings!(i8, i16, i32, i64, u8, u16, u32, u64, usize);

impl From<Expr> for NumberString {
    fn from(v: Expr) -> Self {
        match v.as_literal() {
            Some(text) if text.trim().parse::<f64>().is_err() => NumberString(Node::Invalid {
                text: text.to_owned(),
                expected: "a number",
            }),
            _ => NumberString(string(v)),
        }
    }
}

impl From<&str> for NumberString {
    fn from(v: &str) -> Self {
        Expr::from(v).into()
    }
}

impl From<String> for NumberString {
    fn from(v: String) -> Self {
        Expr::from(v).into()
    }
}

impl From<bool> for BoolString {
    fn from(v: bool) -> Self {
        BoolString(string(v.to_string()))
    }
}

impl From<Expr> for BoolString {
    fn from(v: Expr) -> Self {
        match v.as_literal() {
            Some(text) if text != "true" && text != "false" => BoolString(Node::Invalid {
                text: text.to_owned(),
                expected: "a boolean (`true` or `false`)",
            }),
            _ => BoolString(string(v)),
        }
    }
}

impl From<&str> for BoolString {
    fn from(v: &str) -> Self {
        Expr::from(v).into()
    }
}

impl From<String> for BoolString {
    fn from(v: String) -> Self {
        Expr::from(v).into()
    }
}

pub fn number_string(value: impl Into<NumberString>) -> Node {
    value.into().0
}

pub fn bool_string(value: impl Into<BoolString>) -> Node {
    value.into().0
}

/// A schema-free value that both targets take as a value.
pub fn json(value: impl Into<Value>) -> Node {
    Node::Value(value.into())
}

/// A JSON value of CloudFormation objects (a `oneOf` of object branches) that awscc takes as nested
/// attributes: the Terraform target renames its keys to awscc's (`ResourceAction` -> `resource_action`).
pub fn json_object(value: impl Into<Value>) -> Node {
    Node::JsonObject(value.into())
}

/// A schema-free value that awscc takes as a JSON string.
pub fn json_string(value: impl Into<Value>) -> Node {
    Node::JsonString(value.into())
}

impl From<i64> for Node {
    fn from(v: i64) -> Self {
        int(v)
    }
}

impl From<bool> for Node {
    fn from(v: bool) -> Self {
        boolean(v)
    }
}

/// The methods every resource builder shares, its `$crate::runtime::Declare` impl and its handle's reference.
// Unused when no service feature is enabled.
#[allow(unused_macros)]
macro_rules! builder {
    ($builder:ident, $handle:ident, $info:ident) => {
        impl $builder {
            /// An empty builder: a patch of a construct (`CloudFormationEscape::cloudformation`).
            #[doc(hidden)]
            #[track_caller]
            pub fn __patch() -> Self {
                $builder($crate::runtime::Base::patch(&$info))
            }

            /// The CloudFormation type.
            #[doc(hidden)]
            pub fn __type_name() -> &'static str {
                $info.cloudformation
            }

            /// The patch's entries in CloudFormation's spelling, and its problems.
            #[doc(hidden)]
            pub fn __into_patch(self) -> (Vec<(String, $crate::runtime::Value)>, Vec<String>) {
                self.0.into_patch()
            }

            /// Makes this resource wait for another one that it does not otherwise reference.
            pub fn depends_on(mut self, other: &impl $crate::runtime::HasResourceRef) -> Self {
                self.0.resource.depends_on.push(other.resource_ref());
                self
            }

            /// Adds a tag (the environment's tags are added too, and this one wins on the same key); an
            /// error for types without tags.
            pub fn tag(
                mut self,
                key: impl Into<String>,
                value: impl Into<$crate::runtime::Expr>,
            ) -> Self {
                self.0.tag(key.into(), value.into());
                self
            }

            /// What happens to the data when the resource leaves the definition or is replaced; stateful
            /// types default to `Retain`.
            pub fn removal_policy(mut self, policy: $crate::runtime::RemovalPolicy) -> Self {
                self.0.resource.choose_removal_policy(policy);
                self
            }

            /// Accepts a security-scanner finding for this resource, with the reason a reviewer reads.
            pub fn accept_finding(mut self, check_id: &str, reason: &str) -> Self {
                $crate::runtime::accept_finding(&mut self.0.resource, check_id, reason);
                self
            }

            /// Escape hatch: sets `path` (dot-separated, relative to the resource entry, e.g.
            /// `Properties.VisibilityTimeout`) in the CloudFormation output only.
            #[track_caller]
            pub fn override_cloudformation(
                self,
                path: &str,
                value: impl Into<$crate::runtime::Value>,
            ) -> Self {
                self.with_override(
                    $crate::runtime::Target::CloudFormation,
                    path,
                    Some(value.into()),
                )
            }

            /// Escape hatch: sets `path` (dot-separated, relative to the block body) in the Terraform
            /// output only.
            #[track_caller]
            pub fn override_terraform(
                self,
                path: &str,
                value: impl Into<$crate::runtime::Value>,
            ) -> Self {
                self.with_override($crate::runtime::Target::Terraform, path, Some(value.into()))
            }

            /// Escape hatch: removes `path` from the CloudFormation output.
            #[track_caller]
            pub fn remove_cloudformation(self, path: &str) -> Self {
                self.with_override($crate::runtime::Target::CloudFormation, path, None)
            }

            /// Escape hatch: removes `path` from the Terraform output.
            #[track_caller]
            pub fn remove_terraform(self, path: &str) -> Self {
                self.with_override($crate::runtime::Target::Terraform, path, None)
            }

            #[track_caller]
            fn with_override(
                mut self,
                target: $crate::runtime::Target,
                path: &str,
                value: Option<$crate::runtime::Value>,
            ) -> Self {
                $crate::runtime::add_override(&mut self.0.resource, target, path, value);
                self
            }

            /// Accepts literal secrets in this resource's properties and overrides (a write-only or
            /// secret-named value written into the definition), which then reach both artifacts; `reason`
            /// says why. Without it a literal secret is an error that says how to keep it out.
            pub fn allow_plaintext_secret(mut self, reason: &str) -> Self {
                self.0.resource.allow_plaintext_secret(reason);
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
pub(crate) use builder;

/// A handle's reference and `id()`.
// Unused when no service feature is enabled.
#[allow(unused_macros)]
macro_rules! handle {
    ($handle:ident) => {
        impl $handle {
            /// What `Ref` returns: CloudFormation `Ref`, awscc `id`.
            pub fn id(&self) -> $crate::runtime::Expr {
                self.0.id()
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

/// A nested property type is a value of its parent's properties.
// Unused when no service feature is enabled.
#[allow(unused_macros)]
macro_rules! nested {
    ($name:ident) => {
        impl From<$name> for $crate::runtime::Node {
            fn from(v: $name) -> $crate::runtime::Node {
                $crate::runtime::Node::Object(v.0)
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use nested;

/// A closed set of strings: its spelling, and its use as a property value.
// Unused when no service feature is enabled.
#[allow(unused_macros)]
macro_rules! string_enum {
    ($name:ident { $($variant:ident => $value:literal),* $(,)? }) => {
        // The match names every variant, deprecated ones included.
        #[allow(deprecated)]
        impl $name {
            /// The value as the registry spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value,)*
                }
            }
        }

        impl From<$name> for $crate::runtime::Node {
            fn from(v: $name) -> $crate::runtime::Node {
                $crate::runtime::string(v.as_str())
            }
        }

        impl From<$name> for $crate::runtime::Expr {
            fn from(v: $name) -> $crate::runtime::Expr {
                $crate::runtime::Expr::from(v.as_str())
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use string_enum;

pub fn accept_finding(resource: &mut Resource, check_id: &str, reason: &str) {
    resource
        .problems
        .extend(stackwright_aws::findings::problems(check_id, reason));
    resource
        .accepted_findings
        .push((check_id.to_owned(), reason.to_owned()));
}

#[track_caller]
pub fn add_override(resource: &mut Resource, target: Target, path: &str, value: Option<Value>) {
    resource.overrides.push(stackwright_core::Override {
        target,
        path: path.split('.').map(str::to_owned).collect(),
        value,
        location: std::panic::Location::caller(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Integer- and boolean-valued string properties take Rust values and text, lower both as strings, and
    /// report text that is not one at synth (the resource's problem, so located at its builder).
    #[test]
    fn number_and_boolean_strings_take_values_and_report_text_that_is_not_one() {
        let mut props = Props::default();
        props.set("MaxSize", Some("max_size"), number_string(3));
        props.set("MinSize", Some("min_size"), number_string("1"));
        props.set("Cooldown", Some("cooldown"), number_string("sixty"));
        props.set("Enabled", Some("enabled"), bool_string(true));
        props.set("Flag", Some("flag"), bool_string("yes"));
        let mut unmapped = Vec::new();
        let mut invalid = Vec::new();
        let (cfn, _) = props.lower("", &mut unmapped, &mut invalid);
        let Value::Map(entries) = cfn else {
            panic!("a map: {cfn:?}")
        };
        let text = |name: &str| {
            entries
                .iter()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| match v {
                    Value::Str(e) => e.as_literal().map(str::to_owned),
                    _ => None,
                })
        };
        assert_eq!(text("MaxSize").as_deref(), Some("3"));
        assert_eq!(text("MinSize").as_deref(), Some("1"));
        assert_eq!(text("Enabled").as_deref(), Some("true"));
        assert_eq!(
            invalid,
            [
                "property `Cooldown`: `sixty` is not a number, which the property takes (as a Rust value or as text)",
                "property `Flag`: `yes` is not a boolean (`true` or `false`), which the property takes (as a Rust value or as text)",
            ]
        );
    }
}
