//! Literal secrets in a stack's definition, refused before they reach an artifact.
//!
//! One check over the neutral stack, the same for every kind of resource and run by both targets (which
//! report the very same problems, so a synthesis of both shows each once): every literal string that the
//! names say is a secret (`stackwright_schema::secrets::find`: a secret-named key such as a password
//! property or an `API_TOKEN` environment variable, the value of a secret-named `{Name, Value}` pair such
//! as an ECS container variable or an SSM parameter named `/app/db/password`, JSON text holding a
//! secret-named key) is an error at the user's line, in
//! - a hand-written kind's neutral properties (an SSM parameter's name and value);
//! - a generated builder's properties, as the registry names them;
//! - a raw resource's CloudFormation and Terraform forms, each in its own terms;
//! - an override's value;
//! - the default of a parameter that is `no_echo` or whose id names a secret.
//!
//! References are never secrets (an attribute, a parameter, a concatenation holding one, a CloudFormation
//! dynamic reference `{{resolve:...}}`, an ARN). `allow_plaintext_secret("reason")` on the resource or
//! parameter accepts its literal secrets.
//!
//! Write-only and provider-`sensitive` properties are not secrets by themselves here: the registry marks
//! a Lambda function's `Code/S3Key` and many names write-only, and the AWS provider every SSM parameter's
//! `value` sensitive; their secrets are the ones their names say (`MasterUserPassword`, `ApiKeyValue`,
//! `ClientSecret`). `plan` still hides every write-only and sensitive value.

use serde_json::{json, Value as Json};
use stackwright_aws::kinds;
use stackwright_aws::raw::props;
use stackwright_core::{Diagnostic, Location, Parameter, Resource, Stack, Value};
use stackwright_schema::secrets::{self, NameKind, Spot, Style, Via};

/// The literal secrets of `stack`'s resources, overrides and parameters, as located problems.
pub fn check(stack: &Stack, problems: &mut Vec<Diagnostic>) {
    for resource in stack.resources() {
        check_resource(resource, problems);
    }
    for parameter in stack.parameters() {
        check_parameter(parameter, problems);
    }
}

/// What to do instead of a literal secret.
const ADVICE: &str = "keep it out of the definition: let AWS generate and keep it \
    (`secretsmanager::Secret`; a database's master password with `manage_master_user_password(true)`, \
    which `rds::DbInstance` does by default) and give the program its ARN to read at run time \
    (`grant_read`), or pass a reference (an attribute, a `no_echo` parameter, or in CloudFormation a \
    dynamic reference `{{resolve:secretsmanager:NAME}}` or `{{resolve:ssm-secure:NAME}}`)";

/// The opt-out, as a message ends.
const OPT_OUT: &str = "or accept it with `.allow_plaintext_secret(\"reason\")`";

fn check_resource(resource: &Resource, problems: &mut Vec<Diagnostic>) {
    if resource.existing.is_some() || resource.plaintext_secret_allowed.is_some() {
        return;
    }
    let mut report = |what: &str, path: &[String], spot: &Spot, text: &str, at: Location| {
        problems.push(
            Diagnostic::new(message(what, path, spot, text))
                .for_resource(&resource.id)
                .at(at),
        );
    };
    let form = |name: &str| match resource.get(name) {
        Some(Value::Str(t)) => t.as_literal().map(str::to_owned),
        _ => None,
    };
    if resource.kind == kinds::RAW || resource.kind == kinds::REGISTRY {
        // A registry node's Terraform form is the same data in awscc's names: its CloudFormation form
        // speaks for both. A raw resource's forms are two inputs of the user's.
        let mut forms = vec![(
            props::CLOUDFORMATION_TYPE,
            props::CLOUDFORMATION_PROPERTIES,
            Style::Pascal,
        )];
        if resource.kind == kinds::RAW {
            forms.push((
                props::TERRAFORM_TYPE,
                props::TERRAFORM_ATTRIBUTES,
                Style::Snake,
            ));
        }
        for (type_key, map_key, style) in forms {
            let Some(value) = resource.get(map_key) else {
                continue;
            };
            let what = format!("`{}`", form(type_key).unwrap_or_default());
            for (spot, text) in literal_secrets(&json(value), style) {
                report(&what, &spot.path, &spot, &text, resource.location);
            }
        }
    } else {
        let properties = Json::Object(
            resource
                .properties
                .iter()
                .map(|(name, value)| ((*name).to_owned(), json(value)))
                .collect(),
        );
        let what = format!("`{}`", resource.kind);
        for (spot, text) in literal_secrets(&properties, Style::Snake) {
            report(&what, &spot.path, &spot, &text, resource.location);
        }
    }
    for o in &resource.overrides {
        let (Some(value), Some(last)) = (&o.value, o.path.last()) else {
            continue;
        };
        let style = match o.target {
            "cloudformation" => Style::Pascal,
            _ => Style::Snake,
        };
        // The value as its key holds it, so that the key's name counts.
        let held = json!({ last: json(value) });
        let what = format!("{} override", o.target);
        for (spot, text) in literal_secrets(&held, style) {
            let mut path = o.path.clone();
            path.extend(spot.path.iter().skip(1).cloned());
            report(&what, &path, &spot, &text, o.location);
        }
    }
}

fn check_parameter(parameter: &Parameter, problems: &mut Vec<Diagnostic>) {
    let Some(default) = &parameter.default else {
        return;
    };
    let named = secrets::names_secret(&parameter.id, NameKind::Entry);
    if !(parameter.no_echo || named)
        || default.is_empty()
        || secrets::is_reference_text(default)
        || parameter.plaintext_secret_allowed.is_some()
    {
        return;
    }
    let why = if parameter.no_echo {
        "is `no_echo`"
    } else {
        "names a secret"
    };
    problems.push(
        Diagnostic::new(format!(
            "parameter `{}` {why} but has a literal default ({}), which would be written into the \
             artifacts: remove the default and give the value at deploy time, or {ADVICE}; {OPT_OUT}",
            parameter.id,
            secrets::describe_text(default),
        ))
        .for_resource(&parameter.id)
        .at(parameter.location),
    );
}

/// A neutral value as JSON, every reference as `{"Ref": ...}` (never a literal secret).
fn json(value: &Value) -> Json {
    crate::lower_value(value, &mut |e| match e.as_literal() {
        Some(text) => Json::String(text.to_owned()),
        None => json!({ "Ref": "reference" }),
    })
}

/// The secrets of `value` that are literal strings, each with its text (for its shape only).
fn literal_secrets(value: &Json, style: Style) -> Vec<(Spot, String)> {
    let is_reference = |v: &Json| v.as_object().is_some_and(|o| o.contains_key("Ref"));
    let mut spots = Vec::new();
    secrets::find(value, style, &is_reference, &mut Vec::new(), &mut spots);
    spots
        .into_iter()
        .filter_map(|spot| {
            let text = spot
                .path
                .iter()
                .try_fold(value, |node, s| match node {
                    Json::Object(map) => map.get(s),
                    Json::Array(items) => items.get(s.parse::<usize>().ok()?),
                    _ => None,
                })?
                .as_str()?
                .to_owned();
            Some((spot, text))
        })
        .collect()
}

fn message(what: &str, path: &[String], spot: &Spot, text: &str) -> String {
    let why = match spot.via {
        Via::Key if path.last() == Some(&spot.name) => String::new(),
        Via::Key => format!(", held by `{}`", spot.name),
        Via::Pair => format!(", the value of `{}`", spot.name),
        Via::JsonText => format!(", JSON text with `{}`", spot.name),
    };
    format!(
        "{what} `{}` holds a literal secret ({}{why}), which would be written into the artifacts and shown \
         in their reviews and the deployment's logs: {ADVICE}; {OPT_OUT}",
        path.join("."),
        secrets::describe_text(text),
    )
}
