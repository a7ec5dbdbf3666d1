//! The generator of `crates/stackwright-aws-terraform`: one typed builder per resource and data source of
//! the Terraform provider hashicorp/aws 5.100.0, one module (and Cargo feature) per service, read from
//! vendored data (`data/hashicorp-aws/`, written by `scripts/vendor-terraform-provider.py`) and
//! `terraform-overlay.json` (service grouping, stateful types, sample values, each with its reason).
//!
//! [`generate`] is a pure function of its [`Inputs`]; [`write`] and the freshness test are the only places
//! that touch files. `cargo xtask codegen` runs it beside the registry generator.

mod emit;
mod model;
mod sample;

pub use emit::PROVIDER;
pub use model::{Model, Stats};

use crate::rustfmt;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The sample's example target, relative to the generated crate.
pub const SAMPLE: &str = "examples/terraform_sample.rs";

/// Every resource type's force-new paths, for `plan` (relative to the generated crate, like every key of
/// [`Output::files`]).
pub const FORCE_NEW_TABLE: &str = "../stackwright-schema/src/generated/aws_force_new.rs";

/// What the generator reads: the vendored provider document, the overlay, the facade's manifest
/// (whose generated tail, the features of both generated layers, [`generate`] rewrites) and the registry
/// layer's service modules (its features, which the facade re-exports).
pub struct Inputs {
    pub provider: Json,
    pub overlay: Json,
    pub facade_manifest: String,
    pub registry_modules: Vec<String>,
}

/// The facade's manifest, relative to the generated crate, like every key of [`Output::files`].
pub const FACADE_MANIFEST: &str = "../stackwright/Cargo.toml";

/// Generated files by path relative to the generated crate's root, plus figures.
pub struct Output {
    pub files: BTreeMap<String, String>,
    pub stats: Stats,
}

/// The generated crate's directory.
pub fn generated_crate(root: &Path) -> PathBuf {
    root.join("crates/stackwright-aws-terraform")
}

/// Reads the vendored inputs under the codegen crate (`data/hashicorp-aws/`, `terraform-overlay.json`).
pub fn read_inputs(root: &Path) -> Result<Inputs, String> {
    let crate_dir = root.join("crates/stackwright-codegen");
    let provider = crate_dir.join("data/hashicorp-aws/aws-5.100.0.json.gz");
    let overlay = crate_dir.join("terraform-overlay.json");
    let overlay_text =
        std::fs::read_to_string(&overlay).map_err(|e| format!("{}: {e}", overlay.display()))?;
    let provider_text = crate::gunzip(&provider)?;
    let facade = generated_crate(root).join(FACADE_MANIFEST);
    let registry = crate::gunzip(&crate_dir.join("data/registry-schemas.jsonl.gz"))?;
    Ok(Inputs {
        registry_modules: crate::service_modules(&registry)?,
        provider: crate::parse(&provider, &provider_text)?,
        overlay: crate::parse(&overlay, &overlay_text)?,
        facade_manifest: std::fs::read_to_string(&facade)
            .map_err(|e| format!("{}: {e}", facade.display()))?,
    })
}

/// Generates every file from the inputs, rustfmt-ed.
pub fn generate(inputs: &Inputs) -> Result<Output, String> {
    let model = model::build(&inputs.provider, &inputs.overlay)?;
    let mut files = BTreeMap::new();
    for service in &model.services {
        files.insert(
            format!("src/generated/{}.rs", service.name),
            rustfmt(&emit::service(service))?,
        );
        files.insert(
            format!("src/generated/{}.schemas.jsonl", service.name),
            emit::schemas(service),
        );
    }
    files.insert(
        "src/generated/mod.rs".into(),
        rustfmt(&emit::module_index(&model))?,
    );
    files.insert("Cargo.toml".into(), emit::manifest(&model));
    files.insert(
        SAMPLE.into(),
        rustfmt(&sample::example(&model, &inputs.overlay)?)?,
    );
    files.insert(
        FACADE_MANIFEST.into(),
        emit::facade_manifest(&model, &inputs.registry_modules, &inputs.facade_manifest)?,
    );
    files.insert(
        FORCE_NEW_TABLE.into(),
        rustfmt(&emit::force_new_table(&inputs.provider))?,
    );
    Ok(Output {
        files,
        stats: model.stats,
    })
}

/// Writes `output` into the generated crate, removing generated service files that are no longer produced.
pub fn write(root: &Path, output: &Output) -> Result<(), String> {
    crate::write_files(&generated_crate(root), &output.files)
}

/// Differences between `output` and the files on disk: paths that are missing, stale or not generated.
pub fn stale_files(root: &Path, output: &Output) -> Vec<String> {
    crate::stale_in(&generated_crate(root), &output.files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A tiny provider: two types of one service sharing a block, a required block, a data source with an
    /// `id` argument, a deep block repeated (written once in the schema line's `defs`), a type the overlay
    /// moves to another service, and a stateful type.
    fn inputs() -> Inputs {
        let timeouts = json!({"attributes": {"create": {"type": "string", "optional": true}}});
        let statement = json!({"attributes": {"name": {"type": "string", "required": true}, "priority": {"type": "number", "optional": true}}});
        Inputs {
            provider: json!({
                "resources": {
                    "aws_fake_widget": {"force_new": ["name", "rule.name"], "block": {
                        "attributes": {
                            "arn": {"type": "string", "computed": true},
                            "id": {"type": "string", "optional": true, "computed": true},
                            "name": {"type": "string", "required": true},
                            "kind": {"type": "string", "required": true},
                            "size": {"type": "number", "required": true},
                            "tags": {"type": ["map", "string"], "optional": true},
                            "tags_all": {"type": ["map", "string"], "optional": true, "computed": true},
                            "type": {"type": "string", "optional": true},
                            "policy": {"type": "string", "optional": true},
                            "zones": {"type": ["set", "string"], "optional": true}
                        },
                        "block_types": {
                            "rule": {"nesting_mode": "list", "min_items": 1, "block": {"block_types": {
                                "statement": {"nesting_mode": "list", "block": statement.clone()},
                                "other": {"nesting_mode": "list", "max_items": 1, "block": {"block_types": {
                                    "statement": {"nesting_mode": "list", "block": statement}}}}}}},
                            "timeouts": {"nesting_mode": "single", "block": timeouts.clone()},
                            "summary": {"nesting_mode": "list", "block": {"attributes": {"count": {"type": "number", "computed": true}}}}
                        }
                    }},
                    "aws_fake_gadget": {"force_new": [], "block": {
                        "attributes": {
                            "name": {"type": "string", "optional": true},
                            "label": {"type": "string", "required": true},
                            "count": {"type": "number", "required": true}
                        },
                        "block_types": {"timeouts": {"nesting_mode": "single", "block": timeouts}}
                    }},
                    "aws_thing": {"force_new": [], "block": {"attributes": {"name": {"type": "string", "optional": true}}}}
                },
                "data_sources": {
                    "aws_fake_widget": {"block": {"attributes": {
                        "id": {"type": "string", "required": true},
                        "arn": {"type": "string", "computed": true}
                    }}}
                }
            }),
            overlay: json!({
                "services": {"aws_thing": {"service": "fake", "reason": "a fake type"}},
                "stateful": {"aws_fake_widget": "its widgets"},
                "sample": {"values": {"aws_fake_widget": {"reason": "the fake provider wants a type", "type": "big"}}}
            }),
            facade_manifest: "[package]\n\n# @generated by `cargo xtask codegen` from this line to the end (the generated layers' services); do not edit\nold\n".into(),
            registry_modules: vec!["widgets".into()],
        }
    }

    #[test]
    fn a_tiny_provider_generates_builders_blocks_handles_and_the_sample() {
        let output = generate(&inputs()).expect("generator");
        assert_eq!(
            (
                output.stats.resources,
                output.stats.data_sources,
                output.stats.services
            ),
            (3, 1, 1)
        );
        let code = &output.files["src/generated/fake.rs"];
        for expected in [
            // Two required values of one type: by name, in a struct; tags through `tag(..)`, not a setter;
            // no `id` setter.
            "pub struct WidgetRequired {",
            "pub name: rt::Expr,",
            "pub kind: rt::Expr,",
            "pub size: rt::Number,",
            "pub rule: widget::Rule,",
            "pub fn new(id: impl Into<String>, required: WidgetRequired) -> Self {",
            "taggable!(Widget);",
            "pub fn type_(mut self, value: impl Into<rt::Expr>) -> Self {",
            "pub fn zones(mut self, value: impl Into<rt::List<rt::Expr>>) -> Self {",
            // A policy document's JSON string also takes a typed `iam::PolicyDocument`.
            "pub fn policy(mut self, value: impl Into<rt::PolicyText>) -> Self {",
            // The handle reads every attribute; `id()` comes from `handle!`.
            "pub fn arn(&self) -> rt::Expr {",
            "pub fn tags_all(&self) -> rt::Expr {",
            // A repeatable block adds one; the two statement blocks of one name and body are one struct.
            "self.0.push(\"statement\", value.0.into_value());",
            "pub use super::shared::Timeouts;",
            "pub mod shared {",
            // The data source: its required `id` is the second argument of `new`.
            "pub mod data {",
            "pub fn new(id: impl Into<String>, id_value: impl Into<rt::Expr>) -> Self {",
            // The overlay moves `aws_thing` here, named without `aws_` only.
            "pub struct Thing(rt::Base);",
            // Required values of distinct types: positional, in schema order.
            "pub fn new(\n        id: impl Into<String>,\n        label: impl Into<rt::Expr>,\n        count: impl Into<rt::Number>,\n    ) -> Self {",
            "stateful: true",
            // A resource sets its required values too (a construct's patch starts without them) and
            // knows its type for the patch's empty start.
            "pub fn name(mut self, value: impl Into<rt::Expr>) -> Self {",
            "resource!(Widget, WidgetHandle, WIDGET_TYPE);",
        ] {
            assert!(code.contains(expected), "missing `{expected}` in:\n{code}");
        }
        for absent in [
            "pub fn tags(mut self",
            "pub fn id(mut self",
            // A data source is no construct's main resource: no setter for its required `id`.
            "pub fn id_value(mut self",
            "Summary",
            "fn summary(",
        ] {
            assert!(!code.contains(absent), "unexpected `{absent}` in:\n{code}");
        }
        assert_eq!(code.matches("pub struct Statement(").count(), 1, "{code}");
        // The schema line writes the statement body once.
        let schemas = &output.files["src/generated/fake.schemas.jsonl"];
        let widget: serde_json::Value =
            serde_json::from_str(schemas.lines().next().unwrap()).unwrap();
        assert_eq!(widget["defs"].as_array().map(Vec::len), Some(1), "{widget}");
        let sample = &output.files[SAMPLE];
        assert!(sample.contains("tf::fake::WidgetRequired {"), "{sample}");
        assert!(sample.contains(".type_(\"big\")"), "{sample}");
        let facade = &output.files[FACADE_MANIFEST];
        assert!(
            facade.ends_with("tf-fake = [\"aws-terraform\", \"stackwright-aws-terraform/fake\"]\n"),
            "{facade}"
        );
        assert!(!facade.contains("old"), "{facade}");
        assert!(
            facade.contains("\nwidgets = [\"registry\", \"stackwright-aws-generated/widgets\"]\n"),
            "{facade}"
        );
        let mut bad = inputs();
        bad.registry_modules.push("full".into());
        assert!(generate(&bad).err().unwrap().contains("`full`"));
        assert!(output.files[FORCE_NEW_TABLE]
            .contains("(\"aws_fake_widget\", &[\"name\", \"rule.name\"]),"));
    }

    #[test]
    fn overlay_mistakes_are_errors() {
        let mut bad = inputs();
        bad.overlay["stateful"]["aws_nothing"] = json!("x");
        assert!(generate(&bad)
            .err()
            .unwrap()
            .contains("`stateful.aws_nothing`"));
        let mut bad = inputs();
        bad.overlay["sample"]["values"]["aws_fake_gadget"] = json!({"name": "x"});
        assert!(generate(&bad).err().unwrap().contains("has no reason"));
        let mut bad = inputs();
        bad.facade_manifest = "[package]\n".into();
        assert!(generate(&bad).err().unwrap().contains("no line"));
    }
}
