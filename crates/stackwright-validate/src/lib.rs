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
