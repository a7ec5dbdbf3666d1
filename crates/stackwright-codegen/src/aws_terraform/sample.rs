//! The Terraform sample: a Stackwright definition with one resource of every service of the hashicorp/aws
//! layer (a data source where a service has no resource), its required attributes and blocks filled, for
//! `terraform validate` with the real provider and checkov. Written to the generated crate's
//! `examples/terraform_sample.rs` (`cargo run -p stackwright-aws-terraform --features full --example
//! terraform-sample -- synth --target terraform`).
//!
//! Per service, the type picked is the cheapest to fill (fewest required values), not deprecated. Values
//! come from the attribute's name (an ARN for `*_arn`, a CIDR block for `*cidr*`, ...) or from
//! `terraform-overlay.json`'s `sample.values` where the provider's own validation wants more than the schema
//! says (which also makes the type its service's pick); `sample.avoid` keeps a type out of the picks. Each
//! with its reason.

use super::model::{cost, BlockRef, Body, Model, Service, Ty, TypeDef};
use crate::model::camel;
use crate::COMMAND;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The sample's only environment.
pub const ACCOUNT: &str = "111111111111";
pub const REGION: &str = "us-east-1";

/// An IAM policy document, valid JSON the provider's policy checks accept.
const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::sample/*"}]}"#;

/// A string value for an attribute by its name.
fn string_for(name: &str) -> String {
    let n = name.to_ascii_lowercase();
    let value = if n == "arn"
        || n.ends_with("_arn")
        || n.ends_with("_arns")
        || n == "role"
        || n.ends_with("_role")
    {
        "arn:aws:iam::111111111111:role/sample"
    } else if n.contains("email") {
        "sample@example.com"
    } else if n.ends_with("url") || n.ends_with("uri") || n == "endpoint" {
        "https://example.com"
    } else if n.contains("cidr") {
        "10.0.0.0/16"
    } else if n.contains("availability_zone") {
        "us-east-1a"
    } else if n == "region" || n.ends_with("_region") {
        REGION
    } else if n.contains("policy") || n.ends_with("document") || n.ends_with("_json") {
        POLICY
    } else if n.ends_with("_date") || n.ends_with("_time") || n.ends_with("timestamp") {
        "2030-01-01T00:00:00Z"
    } else if n.contains("schedule_expression") {
        "rate(1 hour)"
    } else if n.ends_with("account_id") || n == "account" {
        ACCOUNT
    } else {
        "sample"
    };
    value.to_owned()
}

/// A Rust expression of `ty` (a setter argument or, with `.into()` where needed, a struct field).
fn value_code(ty: &Ty, name: &str, given: Option<&Json>, field: bool) -> String {
    let scalar = |ty: &Ty, json: Option<&Json>| -> String {
        match (ty, json) {
            (Ty::Num, Some(Json::Number(n))) => n.to_string(),
            (Ty::Num, _) => "1".into(),
            (Ty::Bool, Some(Json::Bool(b))) => b.to_string(),
            (Ty::Bool, _) => "true".into(),
            (_, Some(Json::String(s))) => format!("{s:?}"),
            (_, Some(other)) => format!("{:?}", other.to_string()),
            _ => format!("{:?}", string_for(name)),
        }
    };
    let into = if field { ".into()" } else { "" };
    match ty {
        Ty::Str | Ty::Policy | Ty::Num | Ty::Bool => format!("{}{into}", scalar(ty, given)),
        Ty::List(inner) => {
            let items: Vec<String> = match given {
                Some(Json::Array(items)) => items.iter().map(|i| scalar(inner, Some(i))).collect(),
                other => vec![scalar(inner, other)],
            };
            format!("[{}]{into}", items.join(", "))
        }
        Ty::Map(inner) => {
            let entries: Vec<String> = match given {
                Some(Json::Object(map)) => map
                    .iter()
                    .map(|(k, v)| format!("({k:?}, {})", scalar(inner, Some(v))))
                    .collect(),
                _ => vec![format!("(\"sample\", {})", scalar(inner, None))],
            };
            format!("[{}]{into}", entries.join(", "))
        }
        Ty::Dynamic => match given {
            Some(json) => format!("serde_json_value({:?})", json.to_string()),
            None => "stackwright::Value::Map(Vec::new())".into(),
        },
    }
}

/// Whether the sample fills a required attribute that is sensitive or named as a secret, at any depth.
fn fills_a_secret(body: &Body) -> bool {
    body.attributes.iter().filter(|a| a.required).any(|a| {
        a.sensitive
            || stackwright_schema::secrets::names_secret(
                &a.name,
                stackwright_schema::secrets::NameKind::Property,
            )
    }) || body
        .blocks
        .iter()
        .filter(|b| b.required())
        .any(|b| fills_a_secret(&b.body))
}

struct Filler<'a> {
    values: BTreeMap<String, &'a Json>,
}

impl Filler<'_> {
    /// `new(..)` of a body: `constructor` is the type's path (`tf::lambda::Function`), `id` its id
    /// argument (empty for a block), `module` the path of its nested block structs, `path` the dotted path
    /// of the body (empty at the top).
    fn new_call(
        &self,
        constructor: &str,
        id: &str,
        body: &Body,
        module: &str,
        path: &str,
    ) -> String {
        let at = |name: &str| {
            if path.is_empty() {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        };
        let mut required: Vec<(String, String)> = Vec::new();
        for a in body.attributes.iter().filter(|a| a.required) {
            let given = self.values.get(&at(&a.name)).copied();
            required.push((a.rust.clone(), value_code(&a.ty, &a.name, given, false)));
        }
        for b in body.blocks.iter().filter(|b| b.required()) {
            required.push((b.rust.clone(), self.block(b, module, &at(&b.name))));
        }
        let mut args: Vec<String> = Vec::new();
        if !id.is_empty() {
            args.push(format!("{id:?}"));
        }
        if super::emit::required_named(body) {
            let mut fields = Vec::new();
            for a in body.attributes.iter().filter(|a| a.required) {
                let given = self.values.get(&at(&a.name)).copied();
                fields.push(format!(
                    "{}: {}",
                    a.rust,
                    value_code(&a.ty, &a.name, given, true)
                ));
            }
            for b in body.blocks.iter().filter(|b| b.required()) {
                fields.push(format!(
                    "{}: {}",
                    b.rust,
                    self.block(b, module, &at(&b.name))
                ));
            }
            args.push(format!("{constructor}Required {{ {} }}", fields.join(", ")));
        } else {
            args.extend(required.into_iter().map(|(_, code)| code));
        }
        let mut code = format!("{constructor}::new({})", args.join(", "));
        // Optional values and blocks the overlay gives (a block when a value below it is given).
        for a in body.attributes.iter().filter(|a| !a.required && a.settable) {
            if let Some(given) = self.values.get(&at(&a.name)) {
                let _ = write!(
                    code,
                    ".{}({})",
                    a.rust,
                    value_code(&a.ty, &a.name, Some(given), false)
                );
            }
        }
        for b in &body.blocks {
            let here = at(&b.name);
            let below = format!("{here}.");
            let given = self
                .values
                .keys()
                .any(|k| *k == here || k.starts_with(&below));
            if given && !b.required() {
                let _ = write!(code, ".{}({})", b.rust, self.block(b, module, &here));
            }
        }
        code
    }

    fn block(&self, b: &BlockRef, module: &str, path: &str) -> String {
        let constructor = format!("{module}::{}", b.struct_name);
        self.new_call(&constructor, "", &b.body, module, path)
    }
}

/// Values the overlay gives for `t` (dotted paths), and whether there are any.
fn values<'a>(t: &TypeDef, sample: &'a Json) -> BTreeMap<String, &'a Json> {
    sample
        .get("values")
        .and_then(|v| v.get(&t.name))
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "reason")
        .map(|(k, v)| (k.clone(), v))
        .collect()
}

fn pick<'s>(service: &'s Service, sample: &Json) -> Option<&'s TypeDef> {
    let avoided =
        |t: &TypeDef| sample.get("avoid").and_then(|a| a.get(&t.name)).is_some() || t.deprecated;
    let given = |t: &TypeDef| sample.get("values").and_then(|v| v.get(&t.name)).is_some();
    let candidates = if service.resources.is_empty() {
        &service.data_sources
    } else {
        &service.resources
    };
    candidates
        .iter()
        .filter(|t| !avoided(t))
        .min_by_key(|t| (!given(t), cost(&t.body), t.name.clone()))
}

/// Checks the overlay's `sample` section against the model: every type and service it names exists, with
/// a reason.
fn check_overlay(model: &Model, sample: &Json) -> Result<(), String> {
    for (service, reason) in sample
        .get("skip")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
    {
        if !model.services.iter().any(|s| &s.name == service) {
            return Err(format!(
                "terraform-overlay.json `sample.skip`: `{service}` is not a service"
            ));
        }
        if reason.as_str().is_none_or(|r| r.trim().is_empty()) {
            return Err(format!(
                "terraform-overlay.json `sample.skip`: `{service}` has no reason"
            ));
        }
    }
    for key in ["values", "avoid"] {
        for (name, entry) in sample
            .get(key)
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
        {
            if name == "//" {
                continue;
            }
            let known = model.services.iter().any(|s| {
                s.resources
                    .iter()
                    .chain(&s.data_sources)
                    .any(|t| &t.name == name)
            });
            if !known {
                return Err(format!(
                    "terraform-overlay.json `sample.{key}`: `{name}` is not a type of the provider"
                ));
            }
            let reason = if key == "values" {
                entry.get("reason")
            } else {
                Some(entry)
            };
            if reason
                .and_then(Json::as_str)
                .is_none_or(|r| r.trim().is_empty())
            {
                return Err(format!(
                    "terraform-overlay.json `sample.{key}`: `{name}` has no reason"
                ));
            }
        }
    }
    Ok(())
}

/// The sample's source.
pub fn example(model: &Model, overlay: &Json) -> Result<String, String> {
    let empty = Json::Object(Default::default());
    let sample = overlay.get("sample").unwrap_or(&empty);
    check_overlay(model, sample)?;
    let mut out = format!("// @generated by `{COMMAND}`; do not edit\n");
    let mut lines = Vec::new();
    let mut dynamic = false;
    let mut skipped = Vec::new();
    for service in &model.services {
        if sample
            .get("skip")
            .and_then(|s| s.get(&service.name))
            .is_some()
        {
            skipped.push(format!("`{}`", service.name));
            continue;
        }
        let Some(t) = pick(service, sample) else {
            return Err(format!(
                "the Terraform sample has no type to pick in service `{}`: every one is avoided or deprecated; \
                 skip the service in terraform-overlay.json's `sample.skip`, with the reason",
                service.name
            ));
        };
        let filler = Filler {
            values: values(t, sample),
        };
        let data = if t.data { "data::" } else { "" };
        let constructor = format!("tf::{}::{data}{}", service.name, t.rust);
        let module = format!("tf::{}::{data}{}", service.name, t.module);
        let mut code = filler.new_call(&constructor, &camel(&service.name), &t.body, &module, "");
        // A required secret (a database's password) is filled with a literal, which synth refuses
        // unless accepted: this module is only validated, never deployed.
        if !t.data && fills_a_secret(&t.body) {
            code.push_str(
                ".allow_plaintext_secret(\"a sample value for terraform validate; the sample is never deployed\")",
            );
        }
        dynamic |= code.contains("serde_json_value(");
        lines.push((service.name.clone(), t.name.clone(), code));
    }
    let _ = writeln!(
        out,
        "//! The Terraform sample: one type of each of the {} services of the hashicorp/aws builders (a data source \
         where a service has no resource), its required attributes and blocks filled by name (or with the values of \
         `crates/stackwright-codegen/terraform-overlay.json`'s `sample`), for `terraform validate` with the real \
         provider and checkov (`scripts/check-terraform-sample.sh`). Generated with the crate.\n//!\n\
         //! `cargo run -p stackwright-aws-terraform --features full --example terraform-sample -- synth --target \
         terraform --out DIR`\n//!\n//! Left out (`sample.skip`, each with its reason): {}.",
        lines.len(),
        skipped.join(", ")
    );
    out.push_str(
        "\nuse stackwright::prelude::*;\nuse stackwright_aws_terraform as tf;\n\n\
         /// One resource of every service, in one stack of one environment.\npub fn app() -> App<()> {\n",
    );
    let _ = writeln!(
        out,
        "App::new(\"terraform-sample\").environment(Environment::new(\"sample\", {ACCOUNT:?}, {REGION:?}, ())).stack(\"sample\", |stack, _| {{"
    );
    for (service, type_name, code) in &lines {
        let _ = writeln!(out, "// `{service}`: `{type_name}`\nstack.add({code});");
    }
    out.push_str("})\n}\n\n");
    if dynamic {
        out.push_str(
            "/// A schema-free value of the overlay, as JSON text.\nfn serde_json_value(text: &str) -> stackwright::Value {\n\
             stackwright::Value::from(text)\n}\n\n",
        );
    }
    out.push_str("fn main() -> std::process::ExitCode {\napp().run()\n}\n");
    Ok(out)
}
