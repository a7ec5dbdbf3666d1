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

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
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
