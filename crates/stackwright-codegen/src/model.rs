//! From schemas to a model of what to emit: services, resource types, their properties with Rust names and
//! types, nested structs, enums, attributes, and the awscc name of everything that has one.

use crate::{Inputs, Stats};
use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, BTreeSet};

pub struct Model {
    pub services: Vec<Service>,
    pub stats: Stats,
}

pub struct Service {
    /// Rust module and Cargo feature, e.g. `lambda`.
    pub module: String,
    /// The registry's spelling, e.g. `Lambda`.
    pub name: String,
    pub resources: Vec<ResourceType>,
}

pub struct ResourceType {
    pub type_name: String,
    /// Rust struct name, e.g. `Function`; nested types live in `module`.
    pub rust: String,
    /// The handle: `<rust>Handle`, or `<rust>ResourceHandle` where that is another type of the service
    /// (`AWS::CloudFormation::WaitCondition` beside `WaitConditionHandle`).
    pub handle: String,
    pub module: String,
    pub description: String,
    pub doc_url: String,
    pub terraform: Option<String>,
    /// The CloudFormation tag property, when the type takes tags; its awscc form.
    pub tags: Option<Tags>,
    pub stateful: Option<String>,
    pub unavailable_in: Vec<String>,
    /// Regions that offer the type, sorted.
    pub available_in: Vec<String>,
    /// The schema constrains property combinations beyond `required` (`oneOf`, `anyOf`, `allOf`,
    /// `dependencies`): a sample with only the required properties may not satisfy it.
    pub combinations: bool,
    /// What the schema's combinators require at the top level (see [`choice`]).
    pub choice: Vec<String>,
    /// The registry schema as synth validates a declared resource against it (see [`validation_schema`]).
    pub validation_schema: String,
    /// The awscc resource's schema (the vendored compact form: `attributes` name -> `type`, `required`,
    /// `optional`, `computed`; `blocks` name -> `nesting`, `min_items`, `attributes`, `blocks`), one line of
    /// JSON, which the Terraform target checks each emitted block against; `None` without awscc resource.
    pub awscc_schema: Option<String>,
    pub properties: Vec<Property>,
    pub attributes: Vec<Attribute>,
    pub structs: Vec<Struct>,
    pub enums: Vec<Enum>,
    /// Create-only paths (registry pointers without `/properties/`) and their awscc dotted form, when
    /// every segment has an awscc name; then the conditionally create-only ones.
    pub create_only: Vec<(String, Option<String>)>,
    pub conditional_create_only: Vec<(String, Option<String>)>,
    /// Write-only paths (the registry never returns their values, which covers every secret input), in the
    /// same two forms: `plan` hides their values.
    pub write_only: Vec<(String, Option<String>)>,
}

pub struct Tags {
    /// awscc attribute and whether it is a list of `{key, value}` (else a map); `None` when awscc has no tags.
    pub terraform: Option<(String, bool)>,
}

pub struct Property {
    pub cfn: String,
    pub rust: String,
    pub terraform: Option<String>,
    pub ty: Ty,
    pub required: bool,
    /// Its place in the schema's `required` list: `new` takes required properties in that order.
    pub required_at: Option<usize>,
    pub create_only: bool,
    pub doc: String,
    pub constraints: Vec<String>,
    pub doc_url: String,
    /// The schema's constraints as values, for the sample's plausible values.
    pub limits: Limits,
}

/// A property's constraints as the schema states them (its own node, then the referenced definition).
#[derive(Clone, Debug, Default)]
pub struct Limits {
    pub pattern: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub min_items: Option<u64>,
    /// The schema's `format` (`AWS::IAM::Role.Arn`, `date-time`, ...), which cfn-lint checks.
    pub format: Option<String>,
}

impl Limits {
    fn of(nodes: &[&Json]) -> Self {
        let mut l = Limits::default();
        for node in nodes {
            let u = |k: &str| node.get(k).and_then(Json::as_u64);
            let f = |k: &str| node.get(k).and_then(Json::as_f64);
            l.pattern = l.pattern.take().or_else(|| {
                node.get("pattern")
                    .and_then(Json::as_str)
                    .map(str::to_owned)
            });
            l.min_length = l.min_length.or(u("minLength"));
            l.max_length = l.max_length.or(u("maxLength"));
            l.minimum = l.minimum.or(f("minimum"));
            l.maximum = l.maximum.or(f("maximum"));
            l.min_items = l.min_items.or(u("minItems"));
            l.format = l
                .format
                .take()
                .or_else(|| node.get("format").and_then(Json::as_str).map(str::to_owned));
        }
        l
    }
}

pub struct Attribute {
    /// `Fn::GetAtt` name (`Endpoint.Address`).
    pub cfn: String,
    pub rust: String,
    pub terraform: Option<String>,
    pub doc: String,
}

pub struct Struct {
    pub rust: String,
    pub cfn: String,
    pub description: String,
    pub doc_url: String,
    pub properties: Vec<Property>,
    /// What the schema's first `oneOf`/`anyOf` branch (and every `allOf` part) requires beyond `required`.
    pub choice: Vec<String>,
}

/// The properties a value must also set to satisfy the node's combinators: the first branch of `oneOf`
/// or `anyOf` and every part of `allOf` (their `required`), for the sample.
pub fn choice(node: &Json) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = node
            .get(key)
            .and_then(Json::as_array)
            .and_then(|b| b.first())
        {
            out.extend(strings(first.get("required")));
        }
    }
    for part in node
        .get("allOf")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        out.extend(strings(part.get("required")));
    }
    out.sort();
    out.dedup();
    out
}

pub struct Enum {
    pub rust: String,
    /// (variant, value)
    pub variants: Vec<(String, String)>,
    /// Value -> why AWS deprecated it (`data/deprecated-values.json`): the variant is `#[deprecated]`.
    pub deprecated: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Str,
    /// A string the registry types as such whose value is a number: the hashicorp/aws provider types the
    /// same attribute (same type, same name, ignoring case and underscores) as a number.
    NumStr,
    /// A string whose value is a boolean: the hashicorp/aws provider types the same attribute as a bool.
    BoolStr,
    Int,
    Bool,
    Enum(String),
    Struct(String),
    List(Box<Ty>),
    /// String keys to strings.
    StrMap,
    /// A schema-free value; `true` when awscc wants it as a JSON string (`jsonencode`).
    Json(bool),
    /// A JSON value of CloudFormation objects (a `oneOf`/`anyOf` of object branches, an object without
    /// properties of its own) where awscc has nested attributes: the Terraform target renames its keys
    /// through the awscc schema.
    JsonObject,
}

impl Ty {
    /// Whether the value is a [`Ty::JsonObject`], alone or in a list.
    pub fn is_json_object(&self) -> bool {
        match self {
            Ty::JsonObject => true,
            Ty::List(inner) => inner.is_json_object(),
            _ => false,
        }
    }
}

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen", "union",
];

/// Names of the standard prelude and of the runtime alias that generated code uses unqualified: a type of
/// the same name gets `Type` (nested types) or `Resource` (resource types) appended.
pub(crate) const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "From",
    "Into",
    "IntoIterator",
    "Iterator",
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "Send",
    "Sync",
    "Sized",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "ToString",
    "ToOwned",
    "PartialEq",
    "Eq",
    "PartialOrd",
    "Ord",
    "Hash",
];

/// Methods every builder has (`runtime::builder!`); a property of the same name gets `_property`.
const BUILDER_METHODS: &[&str] = &[
    "new",
    "depends_on",
    "accept_finding",
    "override_cloudformation",
    "override_terraform",
    "remove_cloudformation",
    "remove_terraform",
    "renamed_from",
    "moved_from",
    "tag",
    "removal_policy",
    "id",
];

/// The fixed mangling of Rust keywords: a trailing underscore (`type` -> `type_`).
pub fn mangle(name: String) -> String {
    if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// Words of registry names that heck's case conversion splits wrongly, as one capitalized word each: units
/// and names spelled in mixed case (`MemoryMiB` is `memory_mib`, not `memory_mi_b`), and runs of
/// capitals that are two acronyms (`VPCDHCPOptions` is `VpcDhcpOptions`, not `VpcdhcpOptions`). Taken
/// from the vendored registry: every name whose heck spelling had a one-letter word or glued two acronyms
/// together. A word matches only where the name's next character does not continue it in lower case.
const WORDS: &[(&str, &str)] = &[
    // Units.
    ("MiB", "Mib"),
    ("GiB", "Gib"),
    ("KiB", "Kib"),
    ("TiB", "Tib"),
    ("PiB", "Pib"),
    // Names in mixed case.
    ("IPv4", "Ipv4"),
    ("IPv6", "Ipv6"),
    ("IoT", "Iot"),
    ("OAuth", "Oauth"),
    ("DDoS", "Ddos"),
    ("IdC", "Idc"),
    ("SaaS", "Saas"),
    ("FSx", "Fsx"),
    ("QnA", "Qna"),
    ("ETag", "Etag"),
    // Two acronyms in one run of capitals.
    ("SAPOData", "SapOdata"),
    ("VPCDHCP", "VpcDhcp"),
    ("HANADB", "HanaDb"),
    ("HANASID", "HanaSid"),
    ("SAPSID", "SapSid"),
    ("JMXURL", "JmxUrl"),
    ("JDBCURL", "JdbcUrl"),
    ("EMREKS", "EmrEks"),
    ("AWSKMS", "AwsKms"),
    ("SSEKMS", "SseKms"),
    ("CIDRIP", "CidrIp"),
    ("SMBACL", "SmbAcl"),
];

/// `name` with its words spelled so that heck finds them: the [`WORDS`], plural acronyms as one word
/// (`TargetGroupARNs` -> `TargetGroupArns`, `SizeInGBs` -> `SizeInGbs`) and an acronym before a version
/// (`IMDSv2` -> `ImdsV2`, `DynamoDBv2` -> `DynamoDbV2`).
fn words(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    // Whether the word ending before `at` ends there: the next character does not continue it in lower case.
    let ends = |at: usize| chars.get(at).is_none_or(|c| !c.is_ascii_lowercase());
    let capitalized = |run: &[char]| -> String {
        run.iter()
            .enumerate()
            .map(|(k, c)| if k == 0 { *c } else { c.to_ascii_lowercase() })
            .collect()
    };
    'next: while i < chars.len() {
        for (word, spelled) in WORDS {
            let w: Vec<char> = word.chars().collect();
            if chars[i..].starts_with(&w) && ends(i + w.len()) {
                out.push_str(spelled);
                i += w.len();
                continue 'next;
            }
        }
        // A run of two or more capitals (at a word's start).
        let run = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_uppercase())
            .count();
        let starts_word = i == 0 || !chars[i - 1].is_ascii_uppercase();
        if starts_word && run >= 2 {
            let after = i + run;
            if chars.get(after) == Some(&'s') && ends(after + 1) {
                out.push_str(&capitalized(&chars[i..after]));
                out.push('s');
                i = after + 1;
                continue;
            }
            if chars.get(after) == Some(&'v')
                && chars.get(after + 1).is_some_and(char::is_ascii_digit)
            {
                out.push_str(&capitalized(&chars[i..after]));
                out.push('V');
                i = after + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The snake-case Rust name of a registry name (see [`words`]), keywords mangled.
pub fn snake(name: &str) -> String {
    let s = words(name).to_snake_case();
    let s = if s.starts_with(|c: char| c.is_ascii_digit()) || s.is_empty() {
        format!("v{s}")
    } else {
        s
    };
    mangle(s)
}

/// The camel-case Rust name of a registry name (see [`words`]).
pub fn camel(name: &str) -> String {
    let s: String = words(name)
        .to_upper_camel_case()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{s}")
    } else if s == "Self" {
        "SelfValue".into()
    } else {
        s
    }
}

fn normalize(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// An awscc schema scope: attributes and blocks of a resource or nested block.
#[derive(Clone, Copy)]
struct Scope<'a> {
    attributes: Option<&'a Map<String, Json>>,
    blocks: Option<&'a Map<String, Json>>,
}

enum TfMatch<'a> {
    Attribute(String, &'a Json),
    Block(String, Scope<'a>),
}

impl<'a> Scope<'a> {
    fn of(node: &'a Json) -> Self {
        Scope {
            attributes: node.get("attributes").and_then(Json::as_object),
            blocks: node.get("blocks").and_then(Json::as_object),
        }
    }

    fn find(&self, cfn: &str, overlay: Option<&str>) -> Option<TfMatch<'a>> {
        let wanted = overlay.map(str::to_owned);
        let n = normalize(cfn);
        let hit = |name: &String| match &wanted {
            Some(w) => name == w,
            None => normalize(name) == n,
        };
        if let Some((name, attr)) = self.attributes.and_then(|a| a.iter().find(|(k, _)| hit(k))) {
            return Some(TfMatch::Attribute(name.clone(), attr));
        }
        if let Some((name, block)) = self.blocks.and_then(|b| b.iter().find(|(k, _)| hit(k))) {
            return Some(TfMatch::Block(name.clone(), Scope::of(block)));
        }
        None
    }
}

/// A nested struct to emit: its Rust name, its schema name, its node, its awscc scope and its hashicorp/aws
/// block.
type Queued<'a> = (
    String,
    String,
    &'a Json,
    Option<Scope<'a>>,
    Option<&'a Json>,
);

struct Ctx<'a> {
    /// Deprecated enum values by registry type prefix (see [`crate::Inputs::deprecated`]).
    deprecated: &'a Map<String, Json>,
    schema: &'a Json,
    type_name: &'a str,
    overlay: &'a Json,
    doc_base: String,
    structs: Vec<Struct>,
    enums: Vec<Enum>,
    /// Names taken in the resource's module (structs and enums).
    taken: BTreeSet<String>,
    /// Definition name -> struct name, once emitted or queued.
    by_definition: BTreeMap<String, String>,
    queue: Vec<Queued<'a>>,
    unmapped: usize,
    terraform: bool,
}

fn description(node: &Json) -> String {
    node.get("description")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn strings(node: Option<&Json>) -> Vec<String> {
    node.and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn constraints(node: &Json) -> Vec<String> {
    let mut out = Vec::new();
    let num = |k: &str| node.get(k).and_then(Json::as_f64);
    match (num("minLength"), num("maxLength")) {
        (Some(a), Some(b)) => out.push(format!("length {a}..={b}")),
        (Some(a), None) => out.push(format!("length at least {a}")),
        (None, Some(b)) => out.push(format!("length at most {b}")),
        _ => {}
    }
    match (num("minimum"), num("maximum")) {
        (Some(a), Some(b)) => out.push(format!("range {a}..={b}")),
        (Some(a), None) => out.push(format!("at least {a}")),
        (None, Some(b)) => out.push(format!("at most {b}")),
        _ => {}
    }
    match (num("minItems"), num("maxItems")) {
        (Some(a), Some(b)) => out.push(format!("{a}..={b} items")),
        (Some(a), None) => out.push(format!("at least {a} items")),
        (None, Some(b)) => out.push(format!("at most {b} items")),
        _ => {}
    }
    if let Some(p) = node.get("pattern").and_then(Json::as_str) {
        out.push(format!("pattern `{}`", p.replace('`', "'")));
    }
    out
}

impl<'a> Ctx<'a> {
    fn resolve(&self, node: &'a Json) -> (&'a Json, Option<String>) {
        let mut node = node;
        let mut def = None;
        for _ in 0..8 {
            let Some(r) = node.get("$ref").and_then(Json::as_str) else {
                break;
            };
            let name = r.rsplit('/').next().unwrap_or_default().to_owned();
            match self.schema.pointer(&r[1..]) {
                Some(target) => {
                    node = target;
                    def = Some(name);
                }
                None => break,
            }
        }
        (node, def)
    }

    fn take_name(&mut self, wanted: String) -> String {
        let wanted = if RESERVED_TYPES.contains(&wanted.as_str()) {
            format!("{wanted}Type")
        } else {
            wanted
        };
        let mut name = wanted.clone();
        let mut n = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{wanted}{n}");
            n += 1;
        }
        name
    }

    /// The Rust type of a property schema node; queues nested structs. `scope` is the awscc scope of the
    /// property's value when it is a block; `tf_attr` the awscc attribute when it is one.
    fn ty(
        &mut self,
        prop_name: &str,
        node: &'a Json,
        scope: Option<Scope<'a>>,
        tf_attr: Option<&Json>,
        hashicorp: Option<&'a Json>,
    ) -> Ty {
        let (node, def) = self.resolve(node);
        let json = |tf_attr: Option<&Json>| {
            if scope.is_some() {
                // awscc models the value as nested attributes: its keys are renamed for Terraform.
                return Ty::JsonObject;
            }
            Ty::Json(tf_attr.and_then(|a| a.get("type")) == Some(&Json::from("string")))
        };
        let types: Vec<String> = match node.get("type") {
            Some(Json::String(t)) => vec![t.clone()],
            Some(Json::Array(ts)) => ts
                .iter()
                .filter_map(Json::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        };
        if types.len() > 1 {
            return json(tf_attr);
        }
        let ty = types.first().map(String::as_str);
        match ty {
            Some("string") => {
                let values = strings(node.get("enum"));
                if values.is_empty() {
                    Ty::Str
                } else {
                    Ty::Enum(self.enum_type(prop_name, def.as_deref(), values))
                }
            }
            Some("integer") | Some("number") => Ty::Int,
            Some("boolean") => Ty::Bool,
            Some("array") => {
                let Some(items) = node.get("items") else {
                    return json(tf_attr);
                };
                let inner = self.ty(prop_name, items, scope, None, hashicorp);
                match inner {
                    Ty::Json(_) | Ty::JsonObject | Ty::List(_) | Ty::StrMap => json(tf_attr),
                    inner => Ty::List(Box::new(inner)),
                }
            }
            Some("object") | None => {
                let has_props = node
                    .get("properties")
                    .and_then(Json::as_object)
                    .is_some_and(|p| !p.is_empty());
                if has_props {
                    let key = def.clone().unwrap_or_else(|| {
                        format!(
                            "inline:{prop_name}:{}",
                            self.queue.len() + self.structs.len()
                        )
                    });
                    if let Some(name) = self.by_definition.get(&key) {
                        return Ty::Struct(name.clone());
                    }
                    let name = self.take_name(camel(def.as_deref().unwrap_or(prop_name)));
                    self.by_definition.insert(key, name.clone());
                    self.queue.push((
                        name.clone(),
                        def.unwrap_or_else(|| prop_name.to_owned()),
                        node,
                        scope,
                        hashicorp,
                    ));
                    return Ty::Struct(name);
                }
                if ty.is_none()
                    && (node.get("anyOf").is_some()
                        || node.get("oneOf").is_some()
                        || node.get("format").is_some())
                {
                    // Alternatives of formats only (ARN or id): strings.
                    let all_strings =
                        ["anyOf", "oneOf"]
                            .iter()
                            .filter_map(|k| node.get(*k))
                            .all(|alts| {
                                alts.as_array().is_some_and(|a| {
                                    a.iter().all(|alt| {
                                        let (alt, _) = self.resolve(alt);
                                        matches!(
                                            alt.get("type").and_then(Json::as_str),
                                            None | Some("string")
                                        ) && alt.get("properties").is_none()
                                    })
                                })
                            });
                    if all_strings {
                        return Ty::Str;
                    }
                }
                let string_values = |v: &Json| {
                    let (v, _) = self.resolve(v);
                    v.get("type").and_then(Json::as_str) == Some("string")
                        && v.get("enum").is_none()
                };
                let pattern_strings = node
                    .get("patternProperties")
                    .and_then(Json::as_object)
                    .is_some_and(|p| !p.is_empty() && p.values().all(string_values));
                let additional_strings = node
                    .get("additionalProperties")
                    .is_some_and(|a| a.is_object() && string_values(a));
                let tf_map = tf_attr.and_then(|a| a.get("type"))
                    == Some(&serde_json::json!(["map", "string"]));
                if (pattern_strings || additional_strings) && (tf_attr.is_none() || tf_map) {
                    Ty::StrMap
                } else {
                    json(tf_attr)
                }
            }
            Some(_) => json(tf_attr),
        }
    }

    fn enum_type(&mut self, prop_name: &str, def: Option<&str>, values: Vec<String>) -> String {
        // The same value set under the same name is one enum.
        let base = camel(def.unwrap_or(prop_name));
        if let Some(e) = self.enums.iter().find(|e| {
            (e.rust == base || e.rust.starts_with(&base))
                && e.variants.iter().map(|(_, v)| v).eq(values.iter())
        }) {
            return e.rust.clone();
        }
        let rust = self.take_name(base);
        let mut variants: Vec<(String, String)> = Vec::new();
        let mut used = BTreeSet::new();
        for value in values {
            let mut name = if value.is_empty() {
                "Empty".into()
            } else {
                camel(&value)
            };
            let stem = name.clone();
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = format!("{stem}{n}");
                n += 1;
            }
            variants.push((name, value));
        }
        let deprecated = self
            .deprecated
            .iter()
            .filter(|(prefix, _)| self.type_name.starts_with(prefix.as_str()))
            .flat_map(|(_, values)| values.as_object().into_iter().flatten())
            .filter(|(value, _)| variants.iter().any(|(_, v)| v == *value))
            .filter_map(|(value, note)| Some((value.clone(), note.as_str()?.to_owned())))
            .collect();
        self.enums.push(Enum {
            rust: rust.clone(),
            variants,
            deprecated,
        });
        rust
    }

    /// The writable properties of an object node. `top` is the resource's own property set (read-only and
    /// create-only apply there).
    fn properties(
        &mut self,
        node: &'a Json,
        scope: Option<Scope<'a>>,
        hashicorp: Option<&'a Json>,
        top: bool,
        doc_url: &str,
        anchor: &str,
    ) -> Vec<Property> {
        let schema = self.schema;
        let read_only: BTreeSet<String> = if top {
            top_level(strings(schema.get("readOnlyProperties")))
        } else {
            BTreeSet::new()
        };
        let create_only: BTreeSet<String> = if top {
            top_level(strings(schema.get("createOnlyProperties")))
        } else {
            BTreeSet::new()
        };
        let required: Vec<String> = strings(node.get("required"));
        let tag_property = if top { tag_property(schema) } else { None };
        let Some(props) = node.get("properties").and_then(Json::as_object) else {
            return Vec::new();
        };
        let overlay_names = self
            .overlay
            .pointer(&format!(
                "/terraform_names/{}",
                self.type_name.replace('/', "~1")
            ))
            .cloned();
        let mut out = Vec::new();
        let mut rust_names = BTreeSet::new();
        for (cfn, prop) in props {
            if read_only.contains(cfn) || tag_property.as_deref() == Some(cfn.as_str()) {
                continue;
            }
            let overlay_name = overlay_names
                .as_ref()
                .and_then(|o| o.get(cfn))
                .and_then(|o| o.get("name"))
                .and_then(Json::as_str);
            let mut found = scope.and_then(|s| s.find(cfn, overlay_name));
            // awscc spells a top-level `Id` as `<resource>_id`, as `id` is its own computed identifier.
            if top && cfn == "Id" && overlay_name.is_none() {
                let resource = self.type_name.rsplit("::").next().unwrap_or_default();
                let resource_id = format!("{}_id", resource.to_snake_case());
                if let Some(attr) = scope
                    .and_then(|s| s.attributes)
                    .and_then(|a| a.get(&resource_id))
                {
                    found = Some(TfMatch::Attribute(resource_id, attr));
                }
            }
            let (terraform, child_scope, tf_attr) = match found {
                Some(TfMatch::Attribute(name, attr)) => (Some(name), None, Some(attr)),
                Some(TfMatch::Block(name, s)) => (Some(name), Some(s), None),
                None => (None, None, None),
            };
            if terraform.is_none() && self.terraform {
                self.unmapped += 1;
            }
            let hashicorp_name = if top {
                self.overlay
                    .pointer(&format!(
                        "/hashicorp_names/{}/{}",
                        self.type_name.replace('/', "~1"),
                        cfn.replace('/', "~1")
                    ))
                    .and_then(Json::as_str)
            } else {
                None
            };
            let (hc_attr, hc_block) = hashicorp_find(hashicorp, cfn, hashicorp_name);
            let ty = self.ty(cfn, prop, child_scope, tf_attr, hc_block);
            let ty = match (
                ty,
                hc_attr.and_then(|a| a.get("type")).and_then(Json::as_str),
            ) {
                (Ty::Str, Some("number")) if takes_text(self.resolve(prop).0, "1") => Ty::NumStr,
                (Ty::Str, Some("bool")) if takes_text(self.resolve(prop).0, "true") => Ty::BoolStr,
                (ty, _) => ty,
            };
            let mut rust = snake(cfn);
            if top && BUILDER_METHODS.contains(&rust.as_str()) {
                rust = format!("{rust}_property");
            }
            let stem = rust.clone();
            let mut n = 2;
            while !rust_names.insert(rust.clone()) {
                rust = format!("{stem}_{n}");
                n += 1;
            }
            let (resolved, _) = self.resolve(prop);
            let mut constraints = constraints(prop);
            let mut limits = vec![prop];
            if !std::ptr::eq(resolved, prop) {
                constraints.extend(self::constraints(resolved));
                limits.push(resolved);
            }
            // A list's item constraints are what a value of it must meet; of alternatives, the first's.
            if let Some(items) = resolved.get("items") {
                let (items, _) = self.resolve(items);
                limits.push(items);
            }
            for key in ["anyOf", "oneOf"] {
                if let Some(first) = resolved
                    .get(key)
                    .and_then(Json::as_array)
                    .and_then(|a| a.first())
                {
                    let (first, _) = self.resolve(first);
                    limits.push(first);
                }
            }
            let limits = Limits::of(&limits);
            let mut doc = description(prop);
            if doc.is_empty() {
                doc = description(resolved);
            }
            out.push(Property {
                cfn: cfn.clone(),
                rust,
                terraform,
                ty,
                required: required.contains(cfn),
                required_at: required.iter().position(|r| r == cfn),
                create_only: create_only.contains(cfn),
                doc,
                constraints,
                doc_url: format!("{doc_url}#cfn-{anchor}-{}", cfn.to_ascii_lowercase()),
                limits,
            });
        }
        out
    }

    fn drain_structs(&mut self, service: &str, resource: &str) {
        while let Some((rust, cfn, node, scope, hashicorp)) = self.queue.pop() {
            let anchor = format!(
                "{}-{}-{}",
                service.to_ascii_lowercase(),
                resource.to_ascii_lowercase(),
                cfn.to_ascii_lowercase()
            );
            let doc_url = format!("{}aws-properties-{anchor}.html", self.doc_base);
            let properties = self.properties(node, scope, hashicorp, false, &doc_url, &anchor);
            self.structs.push(Struct {
                rust,
                cfn,
                description: description(node),
                doc_url,
                properties,
                choice: choice(node),
            });
        }
        self.structs.sort_by(|a, b| a.rust.cmp(&b.rust));
    }
}

/// The hashicorp/aws attribute or nested block of `block` (a provider schema block) for registry property
/// `cfn`: the one named `name` (the overlay's), else the one of the same name ignoring case and underscores.
fn hashicorp_find<'a>(
    block: Option<&'a Json>,
    cfn: &str,
    name: Option<&str>,
) -> (Option<&'a Json>, Option<&'a Json>) {
    let Some(block) = block else {
        return (None, None);
    };
    let wanted = normalize(cfn);
    let hit = |k: &String| match name {
        Some(n) => k == n,
        None => normalize(k) == wanted,
    };
    let find = |key: &str| {
        block
            .get(key)
            .and_then(Json::as_object)
            .and_then(|m| m.iter().find(|(k, _)| hit(k)).map(|(_, v)| v))
    };
    (
        find("attributes"),
        find("block_types").and_then(|b| b.get("block")),
    )
}

/// Whether a string node takes `text`: no `format`, and no `pattern` that refuses it.
fn takes_text(node: &Json, text: &str) -> bool {
    node.get("format").is_none()
        && node
            .get("pattern")
            .and_then(Json::as_str)
            .is_none_or(|p| regex::Regex::new(p).is_ok_and(|r| r.is_match(text)))
}

/// The hashicorp/aws resource of a registry type: the overlay's (`hashicorp_types`), else the one named
/// after the service and resource (`AWS::EFS::AccessPoint` -> `aws_efs_access_point`), else after the
/// resource alone when no other registry type is named so (`AWS::AutoScaling::AutoScalingGroup` ->
/// `aws_autoscaling_group`), all ignoring case and underscores.
fn hashicorp_type<'a>(
    resources: &'a BTreeMap<String, &'a Json>,
    overlay: &Json,
    type_name: &str,
    alone: &BTreeMap<String, usize>,
) -> Option<&'a Json> {
    if let Some(name) = overlay
        .pointer(&format!(
            "/hashicorp_types/{}/type",
            type_name.replace('/', "~1")
        ))
        .and_then(Json::as_str)
    {
        return resources
            .get(&normalize(name.trim_start_matches("aws_")))
            .copied();
    }
    let parts: Vec<&str> = type_name.split("::").collect();
    let [_, service, resource] = parts[..] else {
        return None;
    };
    let resource = normalize(resource);
    resources
        .get(&format!("{}{resource}", normalize(service)))
        .or_else(|| {
            (alone.get(&resource) == Some(&1))
                .then(|| resources.get(&resource))
                .flatten()
        })
        .copied()
}

/// A registry pointer (`/properties/A/*/B`) as an awscc dotted path (`a.b`; list items are implicit), when
/// every property segment has an awscc name.
fn awscc_path(pointer: &str, scope: Option<Scope>) -> Option<String> {
    let path = pointer.strip_prefix("/properties/")?;
    let mut here = Some(scope?);
    let mut out = Vec::new();
    for segment in path.split('/') {
        if segment == "*" {
            continue;
        }
        match here?.find(segment, None)? {
            TfMatch::Attribute(name, _) => {
                out.push(name);
                here = None;
            }
            TfMatch::Block(name, s) => {
                out.push(name);
                here = Some(s);
            }
        }
    }
    (!out.is_empty()).then(|| out.join("."))
}

/// Top-level property names of `/properties/X` pointers.
fn top_level(pointers: Vec<String>) -> BTreeSet<String> {
    pointers
        .iter()
        .filter_map(|p| p.strip_prefix("/properties/"))
        .filter(|p| !p.contains('/'))
        .map(str::to_owned)
        .collect()
}

/// Keys of a registry schema that the validator reads (`stackwright_validate::cloudformation`).
const VALIDATED: &[&str] = &[
    "properties",
    "definitions",
    "required",
    "readOnlyProperties",
    "writeOnlyProperties",
    "additionalProperties",
    "oneOf",
    "anyOf",
    "allOf",
];

/// Keys that document rather than constrain, dropped at every level.
const DOCUMENTATION: &[&str] = &[
    "description",
    "markdownDescription",
    "documentationUrl",
    "examples",
    "$comment",
    "insertionOrder",
    "relationshipRef",
    "arrayType",
];

/// The schema a declared resource is validated against at synth: the registry schema's constraints, one
/// compact JSON line, without documentation; the tag property is not required, as the targets add the
/// tags after the builder is done.
fn validation_schema(schema: &Json) -> String {
    /// `names`: the node is a map of names (`properties`, `definitions`, `patternProperties`), which are
    /// data, not keywords.
    fn strip(node: &Json, names: bool) -> Json {
        match node {
            Json::Object(map) => Json::Object(
                map.iter()
                    .filter(|(k, _)| names || !DOCUMENTATION.contains(&k.as_str()))
                    .map(|(k, v)| {
                        let below = !names
                            && matches!(
                                k.as_str(),
                                "properties" | "definitions" | "patternProperties"
                            );
                        (k.clone(), strip(v, below))
                    })
                    .collect(),
            ),
            Json::Array(items) => Json::Array(items.iter().map(|i| strip(i, false)).collect()),
            other => other.clone(),
        }
    }
    let tags = tag_property(schema);
    let mut out = Map::new();
    for key in VALIDATED {
        let Some(value) = schema.get(*key) else {
            continue;
        };
        let mut value = strip(value, *key == "properties" || *key == "definitions");
        if *key == "required" {
            if let (Some(tags), Json::Array(items)) = (&tags, &mut value) {
                items.retain(|i| i.as_str() != Some(tags.as_str()));
            }
        }
        out.insert((*key).to_owned(), value);
    }
    Json::Object(out).to_string()
}

/// The tag property, as `scripts/vendor-cfn-tagging.py` finds it (the CloudFormation target's tag table).
fn tag_property(schema: &Json) -> Option<String> {
    let properties = schema.get("properties")?.as_object()?;
    let name = match schema.get("tagging") {
        None => "Tags".to_owned(),
        Some(t) if t.get("taggable").and_then(Json::as_bool) == Some(true) => t
            .get("tagProperty")
            .and_then(Json::as_str)
            .unwrap_or("/properties/Tags")
            .rsplit('/')
            .next()?
            .to_owned(),
        Some(_) => return None,
    };
    properties.contains_key(&name).then_some(name)
}

/// The awscc resource for a registry type: `awscc_<service>_<resource>` with the resource in snake case,
/// matched ignoring underscores, as awscc's own snake case of acronyms varies.
fn awscc_type<'a>(awscc: &'a Map<String, Json>, type_name: &str) -> Option<(&'a String, &'a Json)> {
    let parts: Vec<&str> = type_name.split("::").collect();
    let [_, service, resource] = parts[..] else {
        return None;
    };
    let prefix = format!("awscc_{}_", service.to_ascii_lowercase());
    let wanted = normalize(resource);
    awscc.iter().find(|(name, _)| {
        name.strip_prefix(&prefix)
            .is_some_and(|r| normalize(r) == wanted)
    })
}

/// The registry's service modules (each one Cargo feature), as [`build`] names them, from the type names
/// alone: for the facade's features, which the hashicorp/aws generator writes.
pub fn service_modules(registry: &str) -> Result<Vec<String>, String> {
    let mut modules = BTreeSet::new();
    for (n, line) in registry
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let schema: Json =
            serde_json::from_str(line).map_err(|e| format!("registry line {}: {e}", n + 1))?;
        let type_name = schema
            .get("typeName")
            .and_then(Json::as_str)
            .ok_or_else(|| format!("registry line {}: no typeName", n + 1))?;
        match type_name.split("::").collect::<Vec<_>>()[..] {
            [_, service, _] => modules.insert(snake(&service.to_ascii_lowercase())),
            _ => {
                return Err(format!(
                    "registry type `{type_name}`: expected three `::` parts"
                ))
            }
        };
    }
    Ok(modules.into_iter().collect())
}

pub fn build(inputs: &Inputs) -> Result<Model, String> {
    let awscc = inputs
        .awscc
        .get("resources")
        .and_then(Json::as_object)
        .ok_or("awscc schema: expected a `resources` object")?;
    let regions = inputs
        .regions
        .as_object()
        .ok_or("region availability: expected an object")?;
    let all_regions: BTreeSet<&str> = regions
        .values()
        .filter_map(Json::as_array)
        .flatten()
        .filter_map(Json::as_str)
        .collect();
    let overlay = &inputs.overlay;
    let stateful = overlay.get("stateful").and_then(Json::as_object);
    let cloudformation_only = overlay.get("cloudformation_only").and_then(Json::as_object);
    // hashicorp/aws resources by normalized name without `aws_`, each as its schema block.
    let hashicorp: BTreeMap<String, &Json> = inputs
        .hashicorp
        .get("resources")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, r)| Some((normalize(name.trim_start_matches("aws_")), r.get("block")?)))
        .collect();
    let no_deprecations = Map::new();
    let deprecated = inputs
        .deprecated
        .get("types")
        .and_then(Json::as_object)
        .unwrap_or(&no_deprecations);
    let mut by_service: BTreeMap<String, Service> = BTreeMap::new();
    let mut stats = Stats::default();
    let mut schemas = Vec::new();
    for (n, line) in inputs.registry.lines().enumerate() {
        if !line.trim().is_empty() {
            let schema: Json =
                serde_json::from_str(line).map_err(|e| format!("registry line {}: {e}", n + 1))?;
            schemas.push((n, schema));
        }
    }
    let mut alone: BTreeMap<String, usize> = BTreeMap::new();
    for (_, schema) in &schemas {
        if let Some(resource) = schema
            .get("typeName")
            .and_then(Json::as_str)
            .and_then(|t| t.rsplit("::").next())
        {
            *alone.entry(normalize(resource)).or_default() += 1;
        }
    }
    for (n, schema) in &schemas {
        let type_name = schema
            .get("typeName")
            .and_then(Json::as_str)
            .ok_or_else(|| format!("registry line {}: no typeName", n + 1))?;
        let parts: Vec<&str> = type_name.split("::").collect();
        let [_, service_name, resource_name] = parts[..] else {
            return Err(format!(
                "registry type `{type_name}`: expected three `::` parts"
            ));
        };
        let service_module = snake(&service_name.to_ascii_lowercase());
        let tf = if cloudformation_only.is_some_and(|c| c.contains_key(type_name)) {
            None
        } else {
            awscc_type(awscc, type_name)
        };
        let scope = tf.map(|(_, node)| Scope::of(node));
        let doc_base =
            "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/".to_owned();
        let anchor = format!(
            "{}-{}",
            service_name.to_ascii_lowercase(),
            resource_name.to_ascii_lowercase()
        );
        let doc_url = format!("{doc_base}aws-resource-{anchor}.html");
        let mut ctx = Ctx {
            deprecated,
            schema,
            type_name,
            overlay,
            doc_base,
            structs: Vec::new(),
            enums: Vec::new(),
            taken: BTreeSet::new(),
            by_definition: BTreeMap::new(),
            queue: Vec::new(),
            unmapped: 0,
            terraform: tf.is_some(),
        };
        let hashicorp_block = hashicorp_type(&hashicorp, overlay, type_name, &alone);
        let properties = ctx.properties(schema, scope, hashicorp_block, true, &doc_url, &anchor);
        ctx.drain_structs(service_name, resource_name);
        stats.unmapped_properties += ctx.unmapped;
        let json_objects = properties
            .iter()
            .chain(ctx.structs.iter().flat_map(|s| &s.properties))
            .filter(|p| p.ty.is_json_object())
            .count();
        stats.json_object_properties += json_objects;
        if json_objects > 0 {
            stats.json_object_types += 1;
        }

        let tags = tag_property(schema).map(|cfn| Tags {
            terraform: scope.and_then(|s| match s.find(&cfn, None) {
                Some(TfMatch::Block(name, _)) => Some((name, true)),
                Some(TfMatch::Attribute(name, attr)) => (attr.get("type")
                    == Some(&serde_json::json!(["map", "string"])))
                .then_some((name, false)),
                None => None,
            }),
        });

        let mut attributes = Vec::new();
        let mut attr_names = BTreeSet::new();
        for pointer in strings(schema.get("readOnlyProperties")) {
            let Some(path) = pointer.strip_prefix("/properties/") else {
                continue;
            };
            let segments: Vec<&str> = path.split('/').collect();
            if segments
                .iter()
                .any(|s| *s == "*" || s.chars().all(|c| c.is_ascii_digit()))
            {
                continue;
            }
            let mut terraform = Vec::new();
            let mut here = scope;
            for segment in &segments {
                match here.and_then(|s| s.find(segment, None)) {
                    Some(TfMatch::Attribute(name, _)) => {
                        terraform.push(name);
                        here = None;
                    }
                    Some(TfMatch::Block(name, s)) => {
                        terraform.push(name);
                        here = Some(s);
                    }
                    None => {
                        terraform.clear();
                        break;
                    }
                }
            }
            // awscc spells a property named `Id` as `<resource>_id`, as `id` is its own identifier.
            if terraform.is_empty() && segments == ["Id"] {
                if let Some(attrs) = scope.and_then(|s| s.attributes) {
                    let resource_id = format!("{}_id", resource_name.to_snake_case());
                    if attrs.contains_key(&resource_id) {
                        terraform.push(resource_id);
                    }
                }
            }
            let mut rust = snake(&segments.join("_"));
            if rust == "id" {
                rust = "id_attribute".into();
            }
            if !attr_names.insert(rust.clone()) {
                continue;
            }
            let node = schema.pointer(&format!("/properties/{}", segments.join("/properties/")));
            attributes.push(Attribute {
                cfn: segments.join("."),
                rust,
                terraform: (!terraform.is_empty()).then(|| terraform.join(".")),
                doc: node.map(description).unwrap_or_default(),
            });
        }

        let available: BTreeSet<&str> = regions
            .get(type_name)
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let unavailable_in = all_regions
            .iter()
            .filter(|r| !available.contains(*r))
            .map(|r| r.to_string())
            .collect();
        let replacement = |key: &str| -> Vec<(String, Option<String>)> {
            strings(schema.get(key))
                .into_iter()
                .filter(|p| p.starts_with("/properties/"))
                .map(|p| {
                    let tf = awscc_path(&p, scope);
                    (p["/properties/".len()..].to_owned(), tf)
                })
                .collect()
        };
        let create_only = replacement("createOnlyProperties");
        let conditional_create_only = replacement("conditionalCreateOnlyProperties");
        let write_only = replacement("writeOnlyProperties");
        let mut rust = camel(resource_name);
        if RESERVED_TYPES.contains(&rust.as_str()) {
            rust.push_str("Resource");
        }
        let mut module = snake(resource_name);
        if module == "rt" {
            module.push('_');
        }
        stats.types += 1;
        if tf.is_some() {
            stats.with_terraform += 1;
        }
        let service = by_service
            .entry(service_module.clone())
            .or_insert_with(|| Service {
                module: service_module.clone(),
                name: service_name.to_owned(),
                resources: Vec::new(),
            });
        service.resources.push(ResourceType {
            type_name: type_name.to_owned(),
            handle: format!("{rust}Handle"),
            rust,
            module,
            description: description(schema),
            doc_url,
            terraform: tf.map(|(name, _)| name.clone()),
            validation_schema: validation_schema(schema),
            awscc_schema: tf.map(|(_, node)| node.to_string()),
            choice: choice(schema),
            tags,
            stateful: stateful
                .and_then(|s| s.get(type_name))
                .and_then(Json::as_str)
                .map(str::to_owned),
            unavailable_in,
            available_in: available.iter().map(|r| r.to_string()).collect(),
            combinations: [
                "oneOf",
                "anyOf",
                "allOf",
                "dependencies",
                "dependentRequired",
            ]
            .iter()
            .any(|k| schema.get(*k).is_some()),
            properties,
            attributes,
            structs: ctx.structs,
            enums: ctx.enums,
            create_only,
            conditional_create_only,
            write_only,
        });
    }
    for (key, what) in [
        ("stateful", stateful),
        ("cloudformation_only", cloudformation_only),
    ] {
        for name in what.into_iter().flat_map(|m| m.keys()) {
            if !by_service
                .values()
                .any(|s| s.resources.iter().any(|r| &r.type_name == name))
            {
                return Err(format!("overlay `{key}`: `{name}` is not a registry type"));
            }
        }
    }
    for service in by_service.values_mut() {
        let names: BTreeSet<String> = service.resources.iter().map(|r| r.rust.clone()).collect();
        for r in &mut service.resources {
            if names.contains(&r.handle) {
                r.handle = format!("{}ResourceHandle", r.rust);
            }
        }
    }
    stats.services = by_service.len();
    Ok(Model {
        services: by_service.into_values().collect(),
        stats,
    })
}

#[cfg(test)]
mod tests {
    use super::{camel, snake};

    #[test]
    fn acronyms_and_units_keep_their_words() {
        for (name, expected) in [
            ("TargetGroupARNs", "target_group_arns"),
            ("MemoryMiB", "memory_mib"),
            (
                "AcceleratorTotalMemoryMiBRange",
                "accelerator_total_memory_mib_range",
            ),
            ("MemoryGiBPerVCpu", "memory_gib_per_v_cpu"),
            ("DataStorageSizeInGBs", "data_storage_size_in_gbs"),
            ("CNAMEs", "cnames"),
            (
                "ReplicationServersSecurityGroupsIDs",
                "replication_servers_security_groups_ids",
            ),
            ("PrivateIPv4Address", "private_ipv4_address"),
            ("IPv6Addresses", "ipv6_addresses"),
            ("HttpTokensIMDSv2", "http_tokens_imds_v2"),
            ("DynamoDBv2Action", "dynamo_db_v2_action"),
            ("OAuth2ClientApplication", "oauth2_client_application"),
            ("IoTJobAbortConfig", "iot_job_abort_config"),
            ("LocationFSxLustre", "location_fsx_lustre"),
            (
                "AWSManagedRulesAntiDDoSRuleSet",
                "aws_managed_rules_anti_ddos_rule_set",
            ),
            ("ETag", "etag"),
            ("SAPODataSourceProperties", "sap_odata_source_properties"),
            // Unchanged: what heck already spells right.
            ("VPCIds", "vpc_ids"),
            ("DBInstanceIdentifier", "db_instance_identifier"),
            ("HTTPSPort", "https_port"),
            ("Status", "status"),
            ("Ipv6CidrBlock", "ipv6_cidr_block"),
            ("IdCard", "id_card"),
            ("type", "type_"),
        ] {
            assert_eq!(snake(name), expected, "{name}");
        }
        for (name, expected) in [
            ("VPCDHCPOptionsAssociation", "VpcDhcpOptionsAssociation"),
            ("TargetGroupARNs", "TargetGroupArns"),
            ("MemoryMiB", "MemoryMib"),
            ("DBCluster", "DbCluster"),
            ("nodejs4.3", "Nodejs43"),
        ] {
            assert_eq!(camel(name), expected, "{name}");
        }
    }
}
