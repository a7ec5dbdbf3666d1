//! Schema checks of lowered resources, so that a misspelled property, a wrong type, a missing required
//! property or an invalid enum value is a located error at synth time instead of a failed deployment.
//!
//! Two validators over the schemas' own formats: [`cloudformation`] walks the registry's JSON Schema
//! (draft-07 subset: `$ref`, `type`, `properties`, `additionalProperties`, `patternProperties`,
//! `required`, `enum`, `pattern`, lengths, bounds, `items`, item counts, `oneOf`/`anyOf`/`allOf`);
//! [`terraform`] walks the provider schema's blocks and attributes.
//!
//! Values that are only known at deploy time (CloudFormation intrinsics, Terraform `${...}` templates)
//! are checked as far as they can be: their shape is not.
//!
//! A problem names the value it is about, unless the value is a secret: a write-only property of the
//! registry schema, a provider `sensitive` attribute, or a value that `stackwright_schema::secrets` says
//! is one by its name (or a value holding one). Then it gives the value's shape (`a string of 812
//! characters`), never its characters.
//!
//! Architecture invariant: pure functions over `serde_json` values, no IO, no knowledge of which data
//! is vendored (callers pass the schema).

pub mod cloudformation;
mod patterns;
pub mod terraform;

/// One schema violation at a property path (`Properties.MetadataOptions.HttpTokens`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
    /// The value breaks a constraint on it (allowed values, length, pattern, range, item count), which a
    /// builder may have checked and reported already; otherwise the document's shape is wrong (a type,
    /// a missing or unknown property).
    pub on_value: bool,
}

/// Where a value is, as a chain of segments on the caller's stack, rendered
/// (`Properties.Tags.0.Key`) only when there is a problem to report: checking a valid document builds
/// no path strings.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Path<'a> {
    Root(&'a str),
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    pub(crate) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }

    pub(crate) fn index(&'a self, index: usize) -> Path<'a> {
        Path::Index(self, index)
    }

    /// The segments joined with `.`; a segment after an empty prefix stands alone.
    pub(crate) fn render(&self) -> String {
        match self {
            Path::Root(root) => (*root).to_owned(),
            Path::Key(parent, key) => join(parent.render(), key),
            Path::Index(parent, index) => join(parent.render(), &index.to_string()),
        }
    }

    pub(crate) fn is_root(&self) -> bool {
        matches!(self, Path::Root(_))
    }

    /// The keys and list indices below the root, outermost first.
    pub(crate) fn segments(&self) -> Vec<String> {
        let mut segments = Vec::new();
        let mut here = self;
        loop {
            match here {
                Path::Root(_) => break,
                Path::Key(parent, key) => {
                    segments.push((*key).to_owned());
                    here = parent;
                }
                Path::Index(parent, index) => {
                    segments.push(index.to_string());
                    here = parent;
                }
            }
        }
        segments.reverse();
        segments
    }
}

/// How a problem shows the value it is about: the value, or a secret's shape only.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Show {
    pub secret: bool,
}

impl Show {
    /// The value (shortened), or its shape.
    pub(crate) fn value(self, value: &serde_json::Value) -> String {
        if self.secret {
            shape(value)
        } else {
            show(value)
        }
    }

    /// Text in backticks, or its shape.
    pub(crate) fn text(self, text: &str) -> String {
        if self.secret {
            stackwright_schema::secrets::describe_text(text)
        } else {
            format!("`{text}`")
        }
    }
}

/// A value's shape without its content: `a string of 12 characters`, `a number`, `a list of 2 items`.
pub(crate) fn shape(value: &serde_json::Value) -> String {
    use serde_json::Value as Json;
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    match value {
        Json::String(text) => stackwright_schema::secrets::describe_text(text),
        Json::Number(_) => "a number".into(),
        Json::Bool(_) => "a boolean".into(),
        Json::Null => "null".into(),
        Json::Array(items) => format!("a list of {}", plural(items.len(), "item")),
        Json::Object(map) => format!("an object with {}", plural(map.len(), "key")),
    }
}

/// Whether `value`, at `segments`, is a secret or holds one, by names: a key on the way that names a
/// secret (spelled as `style` spells properties, else an entry), or a secret inside it
/// (`stackwright_schema::secrets::find`).
pub(crate) fn named_secret(
    segments: &[String],
    value: Option<&serde_json::Value>,
    style: stackwright_schema::secrets::Style,
    is_reference: &dyn Fn(&serde_json::Value) -> bool,
) -> bool {
    use stackwright_schema::secrets;
    let index = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if segments
        .iter()
        .filter(|s| !index(s))
        .any(|s| secrets::names_secret(s, style.kind_of(s)))
    {
        return true;
    }
    let Some(value) = value else {
        return false;
    };
    let mut spots = Vec::new();
    let tree = secrets::JsonTree {
        value,
        is_reference,
    };
    secrets::find(tree, style, &mut spots);
    !spots.is_empty()
}

fn join(mut path: String, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        path.push('.');
        path.push_str(key);
        path
    }
}

/// A short rendering of a value for messages.
pub(crate) fn show(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}
