//! The registry sample: a Stackwright definition with one resource of every service, its required
//! properties filled with values the schema's constraints allow, for the outside checkers (cfn-lint,
//! cloudformation-validate, and the vendored awscc schema for Terraform). Written to the generated crate's
//! `examples/registry_sample.rs` (`cargo run -p stackwright-aws-generated --features full --example
//! registry-sample -- synth`).
//!
//! Per service, the type picked is the cheapest to fill (fewest required values, no value the generator
//! cannot derive from a constraint), offered in the first region of [`REGIONS`] that has it; where the
//! constraints are not enough, `overlay.json`'s `sample` section gives values (or avoids a type, or skips a
//! service), each with its reason. Services with an awscc pick go to the `awscc-<region>` environments
//! (both targets); the others to `cloudformation-only-<region>` (synthesized with `--target cloudformation`).

use crate::model::{Limits, Model, Property, ResourceType, Service, Ty};
use crate::COMMAND;
use regex_syntax::hir::{Class, Hir, HirKind};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Regions in order of preference; a type none of them offers goes to the first region that does.
pub const REGIONS: &[&str] = &["us-east-1", "us-west-2", "eu-west-1"];

/// The account of every sample environment.
const ACCOUNT: &str = "111111111111";

/// Where a value came from; what makes one pick cheaper than another.
const COST_LEAF: u32 = 1;
/// A schema-free value the generator can only guess (an empty object).
const COST_GUESS: u32 = 50;

struct Sampler<'a> {
    /// Set when a value was given to a property whose name names a secret
    /// (`stackwright_schema::secrets`): synthesis refuses such a literal unless the resource accepts it.
    secret: std::cell::Cell<bool>,
    service: &'a Service,
    r: &'a ResourceType,
    /// Dotted CloudFormation paths to overlay values.
    values: BTreeMap<String, &'a Json>,
    awscc: bool,
    /// Values by schema `format` (overlay `sample.formats`).
    formats: Option<&'a serde_json::Map<String, Json>>,
}

/// A pick: the service, type, region and the builder expression.
struct Pick<'a> {
    r: &'a ResourceType,
    region: String,
    code: String,
    awscc: bool,
}

fn literal(s: &str) -> String {
    format!("{s:?}")
}

/// A Rust expression building `json` as a `stackwright::Value`.
fn value_code(json: &Json) -> String {
    match json {
        Json::Null => "Value::Map(Vec::new())".into(),
        Json::Bool(b) => format!("Value::from({b})"),
        Json::Number(n) => format!("Value::from({}i64)", n.as_i64().unwrap_or_default()),
        Json::String(s) => format!("Value::from({})", literal(s)),
        Json::Array(items) => {
            let items: Vec<String> = items.iter().map(value_code).collect();
            format!("Value::List(vec![{}])", items.join(", "))
        }
        Json::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("({}.to_owned(), {})", literal(k), value_code(v)))
                .collect();
            format!("Value::Map(vec![{}])", entries.join(", "))
        }
    }
}

/// The preferred character of a class: a lowercase letter, a digit, an uppercase letter, then the class's
/// first printable character.
fn class_char(class: &Class) -> Option<char> {
    let has = |c: char| match class {
        Class::Unicode(u) => u.ranges().iter().any(|r| r.start() <= c && c <= r.end()),
        Class::Bytes(b) => b
            .ranges()
            .iter()
            .any(|r| (r.start() as char) <= c && c <= (r.end() as char)),
    };
    "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_./:"
        .chars()
        .find(|c| has(*c))
        .or_else(|| (' '..='~').find(|c| has(*c)))
}

/// A string matching `hir`, each repetition taken `reps` times (within its bounds).
fn generate(hir: &Hir, reps: u32, out: &mut String) -> Option<()> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(l) => out.push_str(std::str::from_utf8(&l.0).ok()?),
        HirKind::Class(c) => out.push(class_char(c)?),
        HirKind::Repetition(r) => {
            let n = reps.max(r.min).min(r.max.unwrap_or(u32::MAX));
            for _ in 0..n {
                generate(&r.sub, reps, out)?;
            }
        }
        HirKind::Capture(c) => generate(&c.sub, reps, out)?,
        HirKind::Concat(parts) => {
            for p in parts {
                generate(p, reps, out)?;
            }
        }
        HirKind::Alternation(alts) => generate(alts.first()?, reps, out)?,
    }
    Some(())
}

fn fits(s: &str, limits: &Limits) -> bool {
    let n = s.chars().count() as u64;
    limits.min_length.is_none_or(|m| n >= m) && limits.max_length.is_none_or(|m| n <= m)
}

/// A plausible string for the constraints: one the pattern matches within the length bounds, or `None`
/// when the pattern is beyond this generator (look-arounds) or the bounds cannot be met.
pub fn string_value(limits: &Limits) -> Option<String> {
    let Some(pattern) = &limits.pattern else {
        let min = limits.min_length.unwrap_or(0) as usize;
        let max = limits.max_length.map_or(usize::MAX, |m| m as usize);
        let mut s = String::from("sample");
        while s.len() < min {
            s.push('a');
        }
        s.truncate(max.max(1));
        return fits(&s, limits).then_some(s);
    };
    // Neither crate has look-arounds: generate for the pattern without them (the short values made here
    // rarely meet what they exclude), and cfn-lint judges the full pattern.
    let pattern = &without_lookarounds(pattern);
    let hir = regex_syntax::ParserBuilder::new()
        .utf8(true)
        .build()
        .parse(pattern)
        .ok()?;
    let check = regex::Regex::new(pattern).ok()?;
    for reps in [0, 1, 3, 8, 16, 32, 64] {
        let mut s = String::new();
        if generate(&hir, reps, &mut s).is_some() && fits(&s, limits) && check.is_match(&s) {
            return Some(s);
        }
    }
    None
}

/// `pattern` without its look-around groups (`(?=..)`, `(?!..)`, `(?<=..)`, `(?<!..)`).
fn without_lookarounds(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' {
            out.extend(chars[i..(i + 2).min(chars.len())].iter());
            i += 2;
            continue;
        }
        let rest: String = chars[i..(i + 4).min(chars.len())].iter().collect();
        if ["(?=", "(?!", "(?<=", "(?<!"]
            .iter()
            .any(|p| rest.starts_with(p))
        {
            let mut depth = 0;
            while i < chars.len() {
                match chars[i] {
                    '\\' => i += 1,
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

impl<'a> Sampler<'a> {
    fn module_path(&self, name: &str) -> String {
        format!("g::{}::{}::{name}", self.service.module, self.r.module)
    }

    /// The expression for a value of `ty` at `path` and its cost; `None` when no value can be made.
    fn value(&self, p: &Property, ty: &Ty, path: &str, depth: u32) -> Option<(String, u32)> {
        use stackwright_schema::secrets;
        if self.awscc && p.terraform.is_none() {
            return None;
        }
        if matches!(ty, Ty::Str | Ty::Enum(_) | Ty::List(_))
            && secrets::names_secret(&p.cfn, secrets::Style::Pascal.kind_of(&p.cfn))
        {
            self.secret.set(true);
        }
        if let Some(json) = self.values.get(path) {
            let mut spots = Vec::new();
            let held = serde_json::json!({ p.cfn.clone(): json });
            let style = secrets::Style::Pascal;
            secrets::find(secrets::JsonTree::plain(&held), style, &mut spots);
            if !spots.is_empty() {
                self.secret.set(true);
            }
            return self.overlay_value(ty, json).map(|c| (c, 0));
        }
        match ty {
            Ty::Str => {
                let by_format = p
                    .limits
                    .format
                    .as_ref()
                    .and_then(|f| self.formats?.get(f)?.as_str());
                let value = match by_format {
                    Some(v) => v.to_owned(),
                    None => string_value(&p.limits)?,
                };
                Some((literal(&value), COST_LEAF))
            }
            Ty::Int => {
                let l = &p.limits;
                let v = match (l.minimum, l.maximum) {
                    (Some(min), _) => min.ceil() as i64,
                    (None, Some(max)) if max < 1.0 => max.floor() as i64,
                    _ => 1,
                };
                Some((v.to_string(), COST_LEAF))
            }
            Ty::Bool | Ty::BoolStr => Some(("true".into(), COST_LEAF)),
            Ty::NumStr => Some(("1".into(), COST_LEAF)),
            Ty::Enum(name) => {
                let e = self.r.enums.iter().find(|e| &e.rust == name)?;
                // The first value AWS has not deprecated.
                let (variant, _) = e
                    .variants
                    .iter()
                    .find(|(_, value)| !e.deprecated.contains_key(value))?;
                Some((format!("{}::{variant}", self.module_path(name)), COST_LEAF))
            }
            Ty::Struct(name) => {
                let s = self.r.structs.iter().find(|s| &s.rust == name)?;
                if depth > 6 {
                    return None;
                }
                let owner = self.module_path(name);
                let (args, setters, cost) =
                    self.fields(&owner, &s.properties, &s.choice, path, depth + 1)?;
                Some((format!("{owner}::new({args}){setters}"), cost))
            }
            Ty::List(inner) => {
                let (item, cost) = self.value(p, inner, path, depth)?;
                let n = p.limits.min_items.unwrap_or(1).max(1) as usize;
                Some((format!("[{}]", vec![item; n].join(", ")), cost * n as u32))
            }
            // Not `key`, which would name a secret entry.
            Ty::StrMap => Some(("[(\"sample\", \"value\")]".into(), COST_LEAF)),
            Ty::Json(_) | Ty::JsonObject => Some(("Value::Map(Vec::new())".into(), COST_GUESS)),
        }
    }

    fn overlay_value(&self, ty: &Ty, json: &Json) -> Option<String> {
        match (ty, json) {
            (Ty::Str | Ty::NumStr | Ty::BoolStr, Json::String(s)) => Some(literal(s)),
            (Ty::NumStr, Json::Number(n)) => Some(n.to_string()),
            (Ty::BoolStr, Json::Bool(b)) => Some(b.to_string()),
            (Ty::Int, Json::Number(n)) => Some(n.as_i64()?.to_string()),
            (Ty::Bool, Json::Bool(b)) => Some(b.to_string()),
            (Ty::Enum(name), Json::String(s)) => {
                let e = self.r.enums.iter().find(|e| &e.rust == name)?;
                let (variant, _) = e.variants.iter().find(|(_, v)| v == s)?;
                Some(format!("{}::{variant}", self.module_path(name)))
            }
            (Ty::List(inner), Json::Array(items)) => {
                let items: Option<Vec<String>> =
                    items.iter().map(|i| self.overlay_value(inner, i)).collect();
                Some(format!("[{}]", items?.join(", ")))
            }
            (Ty::StrMap, Json::Object(map)) => {
                let entries: Vec<String> = map
                    .iter()
                    .filter_map(|(k, v)| {
                        Some(format!("({}, {})", literal(k), literal(v.as_str()?)))
                    })
                    .collect();
                Some(format!("[{}]", entries.join(", ")))
            }
            (Ty::Json(_) | Ty::JsonObject, json) => Some(value_code(json)),
            _ => None,
        }
    }

    /// `new(...)` arguments (required properties, in the schema's order, by name in `<owner>Required` when
    /// `new` takes them so) and setters (optional properties the overlay sets).
    fn fields(
        &self,
        owner: &str,
        properties: &[Property],
        choice: &[String],
        path: &str,
        depth: u32,
    ) -> Option<(String, String, u32)> {
        let mut args = Vec::new();
        let mut setters = String::new();
        let mut cost = 0;
        let named = crate::emit::required_named(properties);
        for p in properties {
            let here = if path.is_empty() {
                p.cfn.clone()
            } else {
                format!("{path}.{}", p.cfn)
            };
            let wanted = self
                .values
                .keys()
                .any(|k| *k == here || k.starts_with(&format!("{here}.")));
            if !p.required && !wanted && !choice.contains(&p.cfn) {
                continue;
            }
            let (code, c) = self.value(p, &p.ty, &here, depth)?;
            cost += c;
            if p.required {
                let code = if named {
                    format!("{}: {}", p.rust, field_code(&p.ty, &code))
                } else {
                    code
                };
                args.push((p.required_at, code));
            } else {
                let _ = write!(setters, ".{}({code})", p.rust);
            }
        }
        args.sort_by_key(|(at, _)| *at);
        let args: Vec<String> = args.into_iter().map(|(_, code)| code).collect();
        let args = if named {
            format!("{owner}Required {{ {} }}", args.join(", "))
        } else {
            args.join(", ")
        };
        Some((args, setters, cost))
    }
}

/// A value's code (as [`Sampler::value`] writes it for an argument) as a required-properties struct's
/// field, whose types are concrete (`rt::Expr`, `Vec<..>`).
fn field_code(ty: &Ty, code: &str) -> String {
    match ty {
        Ty::Str | Ty::NumStr | Ty::BoolStr => format!("{code}.into()"),
        Ty::List(_) if code.starts_with('[') => {
            format!("{code}.into_iter().map(Into::into).collect()")
        }
        Ty::StrMap => format!("{code}.into_iter().map(|(k, v)| (k.into(), v.into())).collect()"),
        _ => code.to_owned(),
    }
}

fn logical_id(service: &Service, r: &ResourceType) -> String {
    format!("{}{}", crate::model::camel(&service.name), r.rust)
}

fn region_of(r: &ResourceType) -> Option<String> {
    REGIONS
        .iter()
        .find(|p| r.available_in.iter().any(|a| a == *p))
        .map(|p| p.to_string())
        .or_else(|| r.available_in.first().cloned())
}

fn pick<'a>(service: &'a Service, sample: &'a Json, awscc: bool) -> Option<Pick<'a>> {
    let avoid = sample.get("avoid").and_then(Json::as_object);
    let cloudformation_only = sample.get("cloudformation_only").and_then(Json::as_object);
    let values = sample.get("values").and_then(Json::as_object);
    let mut best: Option<(u32, Pick<'a>)> = None;
    for r in &service.resources {
        if avoid.is_some_and(|a| a.contains_key(&r.type_name))
            || (awscc
                && (r.terraform.is_none()
                    || cloudformation_only.is_some_and(|c| c.contains_key(&r.type_name))))
        {
            continue;
        }
        let Some(region) = region_of(r) else { continue };
        let overlay = values
            .and_then(|v| v.get(&r.type_name))
            .and_then(Json::as_object);
        let sampler = Sampler {
            secret: std::cell::Cell::new(false),
            service,
            r,
            values: overlay
                .into_iter()
                .flatten()
                .filter(|(k, _)| k.as_str() != "reason")
                .map(|(k, v)| (k.clone(), v))
                .collect(),
            awscc,
            formats: sample.get("formats").and_then(Json::as_object),
        };
        let owner = format!("g::{}::{}", service.module, r.rust);
        let Some((args, setters, cost)) = sampler.fields(&owner, &r.properties, &r.choice, "", 0)
        else {
            continue;
        };
        // A type the overlay gives values for is the service's pick; then the cheapest, the simplest
        // schema, the first in the registry's order.
        let cost = if overlay.is_some() {
            0
        } else {
            1 + cost
                + if r.combinations { 10 } else { 0 }
                + if region != REGIONS[0] { 20 } else { 0 }
        };
        let id = logical_id(service, r);
        let comma = if args.is_empty() { "" } else { ", " };
        let accept = if sampler.secret.get() {
            ".allow_plaintext_secret(\"a sample value for the outside checkers, not a secret\")"
        } else {
            ""
        };
        let code = format!("{owner}::new({id:?}{comma}{args}){setters}{accept}");
        if best.as_ref().is_none_or(|(c, _)| cost < *c) {
            best = Some((
                cost,
                Pick {
                    r,
                    region,
                    code,
                    awscc,
                },
            ));
        }
    }
    best.map(|(_, p)| p)
}

/// The sample example's source (before rustfmt).
pub fn example(model: &Model, overlay: &Json) -> Result<String, String> {
    let empty = Json::Object(Default::default());
    let sample = overlay.get("sample").unwrap_or(&empty);
    let skip = sample.get("skip").and_then(Json::as_object);
    for (key, what) in [
        ("values", "type"),
        ("avoid", "type"),
        ("cloudformation_only", "type"),
        ("skip", "service"),
    ] {
        for name in sample
            .get(key)
            .and_then(Json::as_object)
            .into_iter()
            .flat_map(|m| m.keys())
        {
            let known = model.services.iter().any(|s| {
                if what == "service" {
                    &s.name == name
                } else {
                    s.resources.iter().any(|r| &r.type_name == name)
                }
            });
            if !known {
                return Err(format!(
                    "overlay `sample.{key}`: `{name}` is not a registry {what}"
                ));
            }
            let entry = &sample[key][name];
            let reason = if key == "values" {
                entry.get("reason")
            } else {
                Some(entry)
            };
            if reason
                .and_then(Json::as_str)
                .is_none_or(|r| r.trim().is_empty())
            {
                return Err(format!("overlay `sample.{key}`: `{name}` has no reason"));
            }
        }
    }
    let mut picks = Vec::new();
    let mut missing = Vec::new();
    for service in &model.services {
        if skip.is_some_and(|s| s.contains_key(&service.name)) {
            continue;
        }
        match pick(service, sample, true).or_else(|| pick(service, sample, false)) {
            Some(p) => picks.push(p),
            None => missing.push(service.name.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "the registry sample has no fillable type for {}: give values (or a skip with its reason) in overlay.json's `sample`",
            missing.join(", ")
        ));
    }
    let mut groups: BTreeMap<(bool, String), Vec<&Pick>> = BTreeMap::new();
    for p in &picks {
        groups
            .entry((!p.awscc, p.region.clone()))
            .or_default()
            .push(p);
    }
    let mut out = format!("// @generated by `{COMMAND}`; do not edit\n");
    let awscc = picks.iter().filter(|p| p.awscc).count();
    let _ = writeln!(
        out,
        "//! The registry sample: one resource of each of {} services ({awscc} lowering to both targets, {} \
         CloudFormation-only), with the required properties filled from the schemas' constraints (or the values in \
         `crates/stackwright-codegen/overlay.json`'s `sample`), for the outside checkers. Generated with the crate.\n//!\n\
         //! `cargo run -p stackwright-aws-generated --features full --example registry-sample -- synth --out DIR \
         --env awscc-us-east-1 ...` (both targets); the `cloudformation-only-*` environments with `--target cloudformation`.\n\
         //! The environments: {}.",
        picks.len(),
        picks.len() - awscc,
        groups
            .keys()
            .map(|(cfn_only, region)| format!("`{}`", env_name(*cfn_only, region)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    out.push_str("use stackwright::prelude::*;\nuse stackwright::Value;\nuse stackwright_aws_generated as g;\n\n");
    for ((cfn_only, region), group) in &groups {
        let _ = writeln!(
            out,
            "/// The resources of environment `{}`.\nfn {}(stack: &mut Stack) {{",
            env_name(*cfn_only, region),
            env_name(*cfn_only, region).replace('-', "_")
        );
        for p in group {
            let _ = writeln!(out, "// {}\nstack.add({});", p.r.type_name, p.code);
        }
        out.push_str("}\n\n");
    }
    out.push_str("fn main() -> std::process::ExitCode {\nApp::new(\"registry-sample\")");
    for (cfn_only, region) in groups.keys() {
        let name = env_name(*cfn_only, region);
        let _ = write!(
            out,
            "\n.environment(Environment::new({name:?}, {ACCOUNT:?}, {region:?}, {} as fn(&mut Stack)))",
            name.replace('-', "_")
        );
    }
    out.push_str("\n.stack(\"sample\", |stack, env| (env.config())(stack))\n.run()\n}\n");
    Ok(out)
}

fn env_name(cloudformation_only: bool, region: &str) -> String {
    if cloudformation_only {
        format!("cloudformation-only-{region}")
    } else {
        format!("awscc-{region}")
    }
}
