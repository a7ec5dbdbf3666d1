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
//! - a resource's literal tags (a tag keyed as a secret, or a URL with a password);
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

use stackwright_aws::raw::props;
use stackwright_aws::{construct, kinds};
use stackwright_core::{Diagnostic, Expr, Location, Parameter, Resource, Stack, Target, Value};
use stackwright_schema::secrets::{self, NameKind, Node, Spot, Style, Tree, Via};

/// The literal secrets of `stack`'s resources, overrides and parameters, as located problems.
pub fn check(stack: &Stack, problems: &mut Vec<Diagnostic>) {
    for resource in stack.resources() {
        check_resource(resource, problems);
    }
    for parameter in stack.parameters() {
        check_parameter(parameter, problems);
    }
}

/// How a target gets a stack's literal-secret problems: it runs [`check`] itself, or its caller, lowering
/// the stack to several targets, ran it once and hands every target the problems found (each target
/// reports them where it always did, so the problems and their order are the same either way).
#[derive(Clone, Copy, Debug)]
pub enum Check<'a> {
    /// The target runs [`check`].
    Run,
    /// What [`check`] found, run by the caller.
    Found(&'a [Diagnostic]),
}

impl Check<'_> {
    /// Adds the literal-secret problems of `stack` to `problems`.
    pub fn apply(self, stack: &Stack, problems: &mut Vec<Diagnostic>) {
        match self {
            Check::Run => check(stack, problems),
            Check::Found(found) => problems.extend_from_slice(found),
        }
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
            for (spot, text) in literal_secrets(Neutral::Value(value), style) {
                let what = format!("`{}`", form(type_key).unwrap_or_default());
                report(&what, &spot.path, &spot, &text, resource.location);
            }
        }
    } else if let Some(form) = construct::form(resource, Target::Terraform) {
        // A construct's Terraform form holds its values under snake-case names, as the neutral
        // properties of the other kinds do.
        for (spot, text) in literal_secrets(Neutral::Value(form), Style::Snake) {
            let what = format!("`{}`", resource.kind);
            report(&what, &spot.path, &spot, &text, resource.location);
        }
        // What only the CloudFormation form got, through its typed escape.
        if let Some(patch) = construct::cloudformation_patch(resource) {
            for (spot, text) in literal_secrets(Neutral::Value(patch), Style::Pascal) {
                let what = format!("`{}` `.cloudformation(..)`", resource.kind);
                report(&what, &spot.path, &spot, &text, resource.location);
            }
        }
    } else {
        let properties = Neutral::Properties(&resource.properties);
        for (spot, text) in literal_secrets(properties, Style::Snake) {
            let what = format!("`{}`", resource.kind);
            report(&what, &spot.path, &spot, &text, resource.location);
        }
    }
    // Tags are written into both artifacts and shown by every console and `describe` call: a tag keyed
    // as a secret (`DbPassword`) or holding a URL with a password is one. Only literal tags are copied.
    let literal_tags: Vec<(String, Value)> = resource
        .tags
        .iter()
        .filter(|(_, value)| value.as_literal().is_some())
        .map(|(key, value)| (key.clone(), Value::Str(value.clone())))
        .collect();
    if !literal_tags.is_empty() {
        let tags = Value::Map(literal_tags);
        for (spot, text) in literal_secrets(Neutral::Value(&tags), Style::Pascal) {
            let what = format!("`{}` tag", resource.kind);
            report(&what, &spot.path, &spot, &text, resource.location);
        }
    }
    for o in &resource.overrides {
        let (Some(value), Some(last)) = (&o.value, o.path.last()) else {
            continue;
        };
        let style = match o.target {
            Target::CloudFormation => Style::Pascal,
            Target::Terraform => Style::Snake,
        };
        // The value as its key holds it, so that the key's name counts.
        let held = Neutral::Held(last, value);
        for (spot, text) in literal_secrets(held, style) {
            let mut path = o.path.clone();
            path.extend(spot.path.iter().skip(1).cloned());
            let what = format!("{} override", o.target.name());
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

/// Neutral values as the secret rules search them, without converting them: a value, a resource's
/// properties (an object of its neutral property names), or a value under the one key that holds it.
#[derive(Clone, Copy)]
enum Neutral<'a> {
    Value(&'a Value),
    Properties(&'a [(&'static str, Value)]),
    Held(&'a str, &'a Value),
}

impl<'a> Tree<'a> for Neutral<'a> {
    fn node(self) -> Node<'a> {
        match self {
            Neutral::Properties(_) | Neutral::Held(..) => Node::Object,
            Neutral::Value(Value::Map(_)) => Node::Object,
            Neutral::Value(Value::List(_)) => Node::List,
            Neutral::Value(Value::Str(Expr::Literal(text))) => Node::Text(text),
            // An attribute, a parameter, a pseudo value, or text joined with one.
            Neutral::Value(Value::Str(_)) => Node::Reference,
            Neutral::Value(Value::Int(_)) => Node::Number,
            Neutral::Value(Value::Bool(_)) => Node::Other,
        }
    }

    fn entries(self, f: &mut dyn FnMut(&'a str, Self)) {
        match self {
            Neutral::Properties(properties) => {
                properties.iter().for_each(|(k, v)| f(k, Neutral::Value(v)))
            }
            Neutral::Held(key, value) => f(key, Neutral::Value(value)),
            Neutral::Value(Value::Map(entries)) => {
                entries.iter().for_each(|(k, v)| f(k, Neutral::Value(v)))
            }
            Neutral::Value(_) => {}
        }
    }

    fn items(self, f: &mut dyn FnMut(Self)) {
        if let Neutral::Value(Value::List(items)) = self {
            items.iter().for_each(|v| f(Neutral::Value(v)));
        }
    }

    fn get(self, key: &str) -> Option<Self> {
        let mut found = None;
        self.entries(&mut |k, v| {
            if found.is_none() && k == key {
                found = Some(v);
            }
        });
        found
    }
}

/// The secrets of `value` that are literal strings, each with its text (for its shape only).
fn literal_secrets(value: Neutral, style: Style) -> Vec<(Spot, String)> {
    let mut spots = Vec::new();
    secrets::find(value, style, &mut spots);
    spots
        .into_iter()
        .filter_map(|spot| {
            let mut node = value;
            for step in &spot.path {
                node = match node.node() {
                    Node::List => {
                        let index = step.parse::<usize>().ok()?;
                        let mut item = None;
                        let mut i = 0;
                        node.items(&mut |v| {
                            if i == index {
                                item = Some(v);
                            }
                            i += 1;
                        });
                        item?
                    }
                    _ => node.get(step)?,
                };
            }
            match node.node() {
                Node::Text(text) => Some((spot, text.to_owned())),
                _ => None,
            }
        })
        .collect()
}

fn message(what: &str, path: &[String], spot: &Spot, text: &str) -> String {
    let why = match spot.via {
        Via::Key if path.last() == Some(&spot.name) => String::new(),
        Via::Key => format!(", held by `{}`", spot.name),
        Via::Pair => format!(", the value of `{}`", spot.name),
        Via::JsonText => format!(", JSON text with `{}`", spot.name),
        Via::UrlPassword => ", a URL with a password".to_owned(),
    };
    format!(
        "{what} `{}` holds a literal secret ({}{why}), which would be written into the artifacts and shown \
         in their reviews and the deployment's logs: {ADVICE}; {OPT_OUT}",
        path.join("."),
        secrets::describe_text(text),
    )
}
