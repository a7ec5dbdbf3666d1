//! The hashicorp/aws provider schema as the generator reads it: services (grouped by type-name prefix, with
//! the overlay's exceptions), types, their attributes and nested blocks, and the Rust names of all of them.
//! Nested blocks are deduplicated: a block body that several types of a service have alike (same name,
//! same schema, and every block it nests shared too) becomes one struct in the service's `shared` module.

use crate::model::{camel, mangle};
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, BTreeSet};

/// Every service, with its resources and data sources.
pub struct Model {
    pub services: Vec<Service>,
    pub stats: Stats,
}

/// Coverage figures of one run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    pub resources: usize,
    pub data_sources: usize,
    pub services: usize,
    /// Nested block structs emitted (after sharing).
    pub structs: usize,
    /// Nested block structs emitted once in a service's `shared` module.
    pub shared_structs: usize,
    /// Resource types kept by default (`prevent_destroy`).
    pub stateful: usize,
}

/// One Cargo feature and module: the types whose names start with its prefix.
pub struct Service {
    /// Feature and module name (`lambda`).
    pub name: String,
    pub resources: Vec<TypeDef>,
    pub data_sources: Vec<TypeDef>,
    /// Structs that several types of the service use alike.
    pub shared: Vec<Struct>,
}

/// A resource type or data source.
pub struct TypeDef {
    /// The provider's name (`aws_lambda_function`).
    pub name: String,
    pub data: bool,
    /// Struct name (`Function`).
    pub rust: String,
    /// The module of its nested blocks (`function`).
    pub module: String,
    pub body: Body,
    /// Nested block structs of this type alone.
    pub structs: Vec<Struct>,
    /// Shared structs this type's blocks use (re-exported by its module).
    pub shared_used: Vec<String>,
    /// What deleting it loses, for stateful resource types (overlay).
    pub stateful: Option<String>,
    /// Top-level attributes and blocks whose change replaces the resource.
    pub force_new: BTreeSet<String>,
    /// Whether it has the provider's `tags` map (resources only: the builders' `tag(..)`).
    pub taggable: bool,
    /// Its schema block as one line of compact JSON, for synth-time validation.
    pub schema_line: String,
    /// Its line in the service's schemas file.
    pub index: usize,
    pub deprecated: bool,
}

/// The attributes and nested blocks of a type or block, in schema order.
#[derive(Clone)]
pub struct Body {
    pub attributes: Vec<Attr>,
    pub blocks: Vec<BlockRef>,
}

#[derive(Clone)]
pub struct Attr {
    pub name: String,
    /// Setter and handle method name.
    pub rust: String,
    pub ty: Ty,
    /// The provider's type in words (`set of string`), for the docs.
    pub spelled: String,
    pub required: bool,
    /// `required` or `optional` (else computed only).
    pub settable: bool,
    pub sensitive: bool,
    pub deprecated: bool,
}

/// An attribute's value type as the builders take it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    Str,
    /// A string attribute that holds an IAM policy document as JSON (see [`POLICY_ATTRIBUTES`]): it also
    /// takes a typed `iam::PolicyDocument`.
    Policy,
    Num,
    Bool,
    /// A list or set of scalars.
    List(Box<Ty>),
    /// A map of scalars.
    Map(Box<Ty>),
    /// Anything else (objects, nested collections, `dynamic`): a neutral `Value`.
    Dynamic,
}

#[derive(Clone)]
pub struct BlockRef {
    pub name: String,
    /// Setter name.
    pub rust: String,
    /// `single`, `list` or `set`.
    pub nesting: String,
    pub min_items: u64,
    /// 0: unbounded.
    pub max_items: u64,
    /// The struct's name in the type's module (shared structs are re-exported there).
    pub struct_name: String,
    pub deprecated: bool,
    /// The block's body (the sample fills it), and, for a required block, the values it needs, counted
    /// through its own required blocks.
    pub body: Box<Body>,
    pub cost: usize,
}

impl BlockRef {
    /// At most one block: the setter sets it (an object); otherwise each call adds one (a list).
    pub fn single(&self) -> bool {
        self.nesting == "single" || self.max_items == 1
    }

    pub fn required(&self) -> bool {
        self.min_items > 0
    }
}

/// A nested block's struct.
pub struct Struct {
    pub rust: String,
    /// The block's name (`vpc_config`).
    pub block: String,
    pub body: Body,
    /// The types using it (for a shared struct, several).
    pub users: Vec<String>,
}

/// Methods every resource builder has (`runtime::resource!`); an attribute of the same name gets
/// `_attribute` appended.
const BUILDER_METHODS: &[&str] = &[
    "new",
    "depends_on",
    "accept_finding",
    "override_terraform",
    "remove_terraform",
    "renamed_from",
    "moved_from",
    "tag",
    "removal_policy",
];

/// Module names inside a service module that types cannot take.
const SERVICE_MODULES: &[&str] = &["shared", "data", "rt"];

/// How one service-prefix rule of the overlay names its types.
struct Rule {
    service: String,
    strip: bool,
}

/// The rule for `type_name`: the overlay's longest matching prefix (at a word boundary), else the type's
/// first word after `aws_`, stripped.
fn rule_for<'o>(type_name: &str, rules: &'o BTreeMap<String, Rule>) -> (String, bool, &'o str) {
    let matched = rules
        .iter()
        .filter(|(prefix, _)| {
            type_name == prefix.as_str()
                || type_name
                    .strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.starts_with('_'))
        })
        .max_by_key(|(prefix, _)| prefix.len());
    match matched {
        Some((prefix, rule)) => (rule.service.clone(), rule.strip, prefix),
        None => (String::new(), true, ""),
    }
}

/// (service, struct name, module name) of a type.
fn names(
    type_name: &str,
    rules: &BTreeMap<String, Rule>,
) -> Result<(String, String, String), String> {
    let rest = type_name
        .strip_prefix("aws_")
        .ok_or_else(|| format!("`{type_name}`: expected an `aws_` type"))?;
    let (service, strip, prefix) = rule_for(type_name, rules);
    let (service, stem) = if prefix.is_empty() {
        let first = rest.split('_').next().unwrap_or(rest);
        let stem = rest
            .strip_prefix(first)
            .and_then(|s| s.strip_prefix('_'))
            .unwrap_or(first);
        (first.to_owned(), stem.to_owned())
    } else if strip {
        let stem = type_name
            .strip_prefix(prefix)
            .and_then(|s| s.strip_prefix('_'))
            .unwrap_or_else(|| prefix.rsplit('_').next().unwrap_or(prefix));
        (service, stem.to_owned())
    } else {
        (service, rest.to_owned())
    };
    Ok((service, camel(&stem), mangle(stem)))
}

/// The string attributes that hold an IAM policy document as JSON, by name: `policy` (`aws_iam_policy`,
/// `aws_s3_bucket_policy`, `aws_sqs_queue_policy`, `aws_kms_key`, ...), `assume_role_policy` (`aws_iam_role`),
/// `policy_document`, `access_policies`/`access_policy` (OpenSearch), `resource_policy`. A `policy` that
/// holds another JSON document (a lifecycle policy) takes text as before; the typed document is merely
/// accepted there too.
pub const POLICY_ATTRIBUTES: &[&str] = &[
    "policy",
    "assume_role_policy",
    "policy_document",
    "access_policies",
    "access_policy",
    "resource_policy",
];

fn ty(schema: &Json) -> Ty {
    match schema {
        Json::String(s) => match s.as_str() {
            "string" => Ty::Str,
            "number" => Ty::Num,
            "bool" => Ty::Bool,
            _ => Ty::Dynamic,
        },
        Json::Array(parts) => {
            let inner = parts.get(1).map(ty).unwrap_or(Ty::Dynamic);
            let scalar = matches!(inner, Ty::Str | Ty::Num | Ty::Bool);
            match parts.first().and_then(Json::as_str) {
                Some("list" | "set") if scalar => Ty::List(Box::new(inner)),
                Some("map") if scalar => Ty::Map(Box::new(inner)),
                _ => Ty::Dynamic,
            }
        }
        _ => Ty::Dynamic,
    }
}

/// A provider type in words: `string`, `set of string`, `map of number`, `list of object`.
fn spell(schema: &Json) -> String {
    match schema {
        Json::String(s) => s.clone(),
        Json::Array(parts) => match (parts.first().and_then(Json::as_str), parts.get(1)) {
            (Some("object"), _) => "object".into(),
            (Some(outer), Some(inner)) => format!("{outer} of {}", spell(inner)),
            _ => "value".into(),
        },
        _ => "value".into(),
    }
}

fn flag(node: &Json, key: &str) -> bool {
    node.get(key).and_then(Json::as_bool) == Some(true)
}

fn members<'j>(block: &'j Json, key: &str) -> impl Iterator<Item = (&'j String, &'j Json)> {
    block
        .get(key)
        .and_then(Json::as_object)
        .into_iter()
        .flat_map(Map::iter)
}

/// A nested block's identity for sharing: its name and its schema body.
fn key(name: &str, block: &Json) -> String {
    format!("{name}\u{0}{block}")
}

/// One occurrence of a nested block in a type: its path, name and body.
struct Occurrence<'j> {
    path: Vec<String>,
    name: String,
    block: &'j Json,
}

/// Whether a block body takes any value: a settable attribute, or a nested block that does. Framework
/// resources have blocks of computed attributes only (`last_run_summary`), which get no setter or struct.
fn settable(block: &Json) -> bool {
    members(block, "attributes").any(|(_, a)| flag(a, "required") || flag(a, "optional"))
        || members(block, "block_types").any(|(_, b)| b.get("block").is_some_and(settable))
}

fn occurrences<'j>(block: &'j Json, path: &[String], out: &mut Vec<Occurrence<'j>>) {
    for (name, nested) in members(block, "block_types") {
        let Some(body) = nested.get("block").filter(|b| settable(b)) else {
            continue;
        };
        let mut here = path.to_vec();
        here.push(name.clone());
        out.push(Occurrence {
            path: here.clone(),
            name: name.clone(),
            block: body,
        });
        occurrences(body, &here, out);
    }
}

/// The setter name of a member: its name as the provider spells it, a keyword with `_` appended, a
/// builder method's name (types) or `new` (blocks) with `_attribute`.
fn member_name(name: &str, builder: bool) -> String {
    let name = mangle(name.to_owned());
    if (builder && BUILDER_METHODS.contains(&name.as_str())) || name == "new" {
        format!("{name}_attribute")
    } else {
        name
    }
}

/// The body of `block` with struct names from `names` (block key -> struct name).
fn body(block: &Json, builder: bool, names: &BTreeMap<String, String>) -> Body {
    let attributes = members(block, "attributes")
        .map(|(name, a)| Attr {
            name: name.clone(),
            rust: member_name(name, builder),
            ty: match a.get("type").map(ty).unwrap_or(Ty::Dynamic) {
                Ty::Str if POLICY_ATTRIBUTES.contains(&name.as_str()) => Ty::Policy,
                other => other,
            },
            spelled: a.get("type").map(spell).unwrap_or_default(),
            required: flag(a, "required"),
            settable: flag(a, "required") || flag(a, "optional"),
            sensitive: flag(a, "sensitive"),
            deprecated: flag(a, "deprecated"),
        })
        .collect();
    let blocks = members(block, "block_types")
        .filter_map(|(name, b)| {
            let body = b.get("block").filter(|b| settable(b))?;
            let min_items = b.get("min_items").and_then(Json::as_u64).unwrap_or(0);
            let nested = self::body(body, false, names);
            let cost = if min_items > 0 { cost(&nested) } else { 0 };
            Some(BlockRef {
                body: Box::new(nested),
                cost,
                name: name.clone(),
                rust: member_name(name, builder),
                nesting: b
                    .get("nesting_mode")
                    .and_then(Json::as_str)
                    .unwrap_or("list")
                    .to_owned(),
                min_items,
                max_items: b.get("max_items").and_then(Json::as_u64).unwrap_or(0),
                struct_name: names.get(&key(name, body)).cloned().unwrap_or_default(),
                deprecated: flag(body, "deprecated"),
            })
        })
        .collect();
    Body { attributes, blocks }
}

/// The required values a body needs, counted through its required blocks.
pub fn cost(body: &Body) -> usize {
    body.attributes.iter().filter(|a| a.required).count()
        + body
            .blocks
            .iter()
            .filter(|b| b.required())
            .map(|b| 1 + b.cost)
            .sum::<usize>()
}

/// A struct name: the block's name in camel case, `Block` appended to a prelude name.
fn struct_name(words: &[String]) -> String {
    let name: String = words.iter().map(|w| camel(w)).collect();
    // The registry generator's prelude names, and `Self`.
    if crate::model::RESERVED_TYPES.contains(&name.as_str()) || name == "Self" {
        format!("{name}Block")
    } else {
        name
    }
}

/// Reads the overlay's `services` rules.
fn rules(overlay: &Json) -> Result<BTreeMap<String, Rule>, String> {
    let mut rules = BTreeMap::new();
    for (prefix, rule) in members(overlay, "services") {
        if prefix == "//" {
            continue;
        }
        let service = rule
            .get("service")
            .and_then(Json::as_str)
            .ok_or_else(|| format!("overlay `services.{prefix}`: expected a `service`"))?;
        if rule
            .get("reason")
            .and_then(Json::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(format!("overlay `services.{prefix}`: expected a `reason`"));
        }
        rules.insert(
            prefix.clone(),
            Rule {
                service: service.to_owned(),
                strip: flag(rule, "strip"),
            },
        );
    }
    Ok(rules)
}

/// A type of the provider before its service's structs are named.
struct Raw<'j> {
    name: String,
    data: bool,
    rust: String,
    module: String,
    schema: &'j Json,
    force_new: BTreeSet<String>,
}

/// Builds the model from the vendored provider document and the overlay.
pub fn build(provider: &Json, overlay: &Json) -> Result<Model, String> {
    let rules = rules(overlay)?;
    let stateful: BTreeMap<String, String> = members(overlay, "stateful")
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
        .collect();
    let mut by_service: BTreeMap<String, Vec<Raw>> = BTreeMap::new();
    for (section, data) in [("resources", false), ("data_sources", true)] {
        for (name, entry) in members(provider, section) {
            let schema = entry
                .get("block")
                .ok_or_else(|| format!("`{name}`: no schema block"))?;
            let (service, rust, module) = names(name, &rules)?;
            let force_new = entry
                .get("force_new")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .map(|p| p.split('.').next().unwrap_or(p).to_owned())
                .collect();
            by_service.entry(service).or_default().push(Raw {
                name: name.clone(),
                data,
                rust,
                module,
                schema,
                force_new,
            });
        }
    }
    for name in stateful.keys() {
        if !members(provider, "resources").any(|(n, _)| n == name) {
            return Err(format!(
                "overlay `stateful.{name}`: not a resource of the provider"
            ));
        }
    }
    let mut stats = Stats::default();
    let mut services = Vec::new();
    for (name, types) in by_service {
        let service = service(&name, types, &stateful)?;
        stats.resources += service.resources.len();
        stats.data_sources += service.data_sources.len();
        stats.shared_structs += service.shared.len();
        stats.structs += service.shared.len()
            + service
                .resources
                .iter()
                .chain(&service.data_sources)
                .map(|t| t.structs.len())
                .sum::<usize>();
        stats.stateful += service
            .resources
            .iter()
            .filter(|t| t.stateful.is_some())
            .count();
        services.push(service);
    }
    stats.services = services.len();
    Ok(Model { services, stats })
}

fn service(
    name: &str,
    types: Vec<Raw>,
    stateful: &BTreeMap<String, String>,
) -> Result<Service, String> {
    if SERVICE_MODULES.contains(&name) || mangle(name.to_owned()) != name {
        return Err(format!(
            "service `{name}`: not a module name the generator can use"
        ));
    }
    // Every nested block of every type, and which types use each block body.
    let found: Vec<Vec<Occurrence>> = types
        .iter()
        .map(|t| {
            let mut out = Vec::new();
            occurrences(t.schema, &[], &mut out);
            out
        })
        .collect();
    let mut users: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    let mut children: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut first_name: BTreeMap<String, String> = BTreeMap::new();
    let mut block_of: BTreeMap<String, &Json> = BTreeMap::new();
    for (i, occurrences) in found.iter().enumerate() {
        for o in occurrences {
            let k = key(&o.name, o.block);
            users.entry(k.clone()).or_default().insert(i);
            first_name
                .entry(k.clone())
                .or_insert_with(|| o.name.clone());
            block_of.entry(k.clone()).or_insert(o.block);
            let kids = children.entry(k).or_default();
            for (child, nested) in members(o.block, "block_types") {
                if let Some(body) = nested.get("block").filter(|b| settable(b)) {
                    kids.insert(key(child, body));
                }
            }
        }
    }
    // Shared: used by two types or more, the most used body of its name, and nesting only shared blocks.
    let mut winner: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (k, u) in &users {
        if u.len() < 2 {
            continue;
        }
        let rust = struct_name(std::slice::from_ref(&first_name[k]));
        let better = match winner.get(&rust) {
            None => true,
            Some((n, other)) => u.len() > *n || (u.len() == *n && k < other),
        };
        if better {
            winner.insert(rust, (u.len(), k.clone()));
        }
    }
    let mut shared: BTreeMap<String, String> =
        winner.into_iter().map(|(rust, (_, k))| (k, rust)).collect();
    loop {
        let drop: Vec<String> = shared
            .keys()
            .filter(|k| children[*k].iter().any(|c| !shared.contains_key(c)))
            .cloned()
            .collect();
        if drop.is_empty() {
            break;
        }
        for k in drop {
            shared.remove(&k);
        }
    }
    let mut resources = Vec::new();
    let mut data_sources = Vec::new();
    let mut taken_types: BTreeSet<(bool, String)> = BTreeSet::new();
    let mut taken_modules: BTreeSet<(bool, String)> = BTreeSet::new();
    let mut shared_structs: BTreeMap<String, Struct> = BTreeMap::new();
    for (i, t) in types.iter().enumerate() {
        // Names in this type's module: the shared structs it uses first, then its own, each by the
        // shortest tail of its first path that no other struct of the module has.
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut shared_used = Vec::new();
        let mut own: Vec<&Occurrence> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut ordered: Vec<&Occurrence> = found[i].iter().collect();
        ordered.sort_by(|a, b| (a.path.len(), &a.path).cmp(&(b.path.len(), &b.path)));
        for o in ordered {
            let k = key(&o.name, o.block);
            if !seen.insert(k.clone()) {
                continue;
            }
            match shared.get(&k) {
                Some(rust) => {
                    names.insert(k, rust.clone());
                    taken.insert(rust.clone());
                    taken.insert(format!("{rust}Required"));
                    shared_used.push(rust.clone());
                }
                None => own.push(o),
            }
        }
        for o in &own {
            let k = key(&o.name, o.block);
            let mut chosen = None;
            for len in 1..=o.path.len() {
                let candidate = struct_name(&o.path[o.path.len() - len..]);
                if !taken.contains(&candidate) && !taken.contains(&format!("{candidate}Required")) {
                    chosen = Some(candidate);
                    break;
                }
            }
            let rust = match chosen {
                Some(rust) => rust,
                None => {
                    let base = struct_name(&o.path);
                    (2..)
                        .map(|n| format!("{base}{n}"))
                        .find(|c| !taken.contains(c))
                        .expect("a free numbered name")
                }
            };
            taken.insert(rust.clone());
            taken.insert(format!("{rust}Required"));
            names.insert(k, rust);
        }
        let mut structs = Vec::new();
        for o in &own {
            let k = key(&o.name, o.block);
            structs.push(Struct {
                rust: names[&k].clone(),
                block: o.name.clone(),
                body: body(o.block, false, &names),
                users: vec![t.name.clone()],
            });
        }
        for rust in &shared_used {
            let k = shared
                .iter()
                .find(|(_, r)| *r == rust)
                .map(|(k, _)| k.clone())
                .expect("a shared key");
            let entry = shared_structs.entry(k.clone()).or_insert_with(|| Struct {
                rust: rust.clone(),
                block: first_name[&k].clone(),
                body: body(block_of[&k], false, &names),
                users: Vec::new(),
            });
            entry.users.push(t.name.clone());
        }
        let mut def = TypeDef {
            name: t.name.clone(),
            data: t.data,
            rust: t.rust.clone(),
            module: t.module.clone(),
            body: body(t.schema, true, &names),
            structs,
            shared_used,
            stateful: (!t.data).then(|| stateful.get(&t.name).cloned()).flatten(),
            force_new: t.force_new.clone(),
            taggable: false,
            schema_line: serde_json::to_string(t.schema).map_err(|e| e.to_string())?,
            index: i,
            deprecated: flag(t.schema, "deprecated"),
        };
        if !t.data {
            // An optional `tags` map (`aws_inspector_resource_group` requires one, as its selector).
            def.taggable = def
                .body
                .attributes
                .iter()
                .any(|a| a.name == "tags" && a.settable && !a.required);
        }
        for (what, item) in [
            ("struct", def.rust.clone()),
            ("struct", format!("{}Required", def.rust)),
            ("struct", format!("{}Handle", def.rust)),
            ("module", def.module.clone()),
        ] {
            let taken = if what == "module" {
                &mut taken_modules
            } else {
                &mut taken_types
            };
            if (what == "module" && SERVICE_MODULES.contains(&item.as_str()))
                || !taken.insert((t.data, item.clone()))
            {
                return Err(format!(
                    "service `{name}`: the {what} name `{item}` of `{}` is taken by another type; add a rule \
                     to terraform-overlay.json's `services`",
                    t.name
                ));
            }
        }
        if t.data {
            data_sources.push(def);
        } else {
            resources.push(def);
        }
    }
    Ok(Service {
        name: name.to_owned(),
        resources,
        data_sources,
        shared: shared_structs.into_values().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn services_and_names_follow_the_first_word_and_the_overlay_rules() {
        let overlay = json!({"services": {
            "aws_api_gateway": {"service": "apigateway", "strip": true, "reason": "two words"},
            "aws_subnet": {"service": "vpc", "reason": "a vpc type"},
            "aws_db": {"service": "rds", "reason": "rds"}
        }});
        let rules = rules(&overlay).unwrap();
        let n = |t: &str| names(t, &rules).unwrap();
        assert_eq!(
            n("aws_lambda_function"),
            ("lambda".into(), "Function".into(), "function".into())
        );
        assert_eq!(n("aws_vpc"), ("vpc".into(), "Vpc".into(), "vpc".into()));
        assert_eq!(
            n("aws_api_gateway_rest_api"),
            ("apigateway".into(), "RestApi".into(), "rest_api".into())
        );
        assert_eq!(
            n("aws_subnet"),
            ("vpc".into(), "Subnet".into(), "subnet".into())
        );
        assert_eq!(
            n("aws_db_instance"),
            ("rds".into(), "DbInstance".into(), "db_instance".into())
        );
        // A word boundary: `aws_dbx_thing` is not `aws_db`'s.
        assert_eq!(
            n("aws_dbx_thing"),
            ("dbx".into(), "Thing".into(), "thing".into())
        );
        assert_eq!(n("aws_ssm_type").2, "type_");
    }

    #[test]
    fn value_types() {
        assert_eq!(ty(&json!("string")), Ty::Str);
        assert_eq!(ty(&json!(["set", "number"])), Ty::List(Box::new(Ty::Num)));
        assert_eq!(ty(&json!(["map", "bool"])), Ty::Map(Box::new(Ty::Bool)));
        assert_eq!(ty(&json!(["list", ["list", "string"]])), Ty::Dynamic);
        assert_eq!(ty(&json!(["object", {"a": "string"}])), Ty::Dynamic);
    }
}
