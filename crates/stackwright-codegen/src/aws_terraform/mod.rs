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

/// What the generator reads: the vendored provider document, the overlay, and the facade's manifest
/// (whose generated tail, the `tf-<service>` features, [`generate`] rewrites).
pub struct Inputs {
    pub provider: Json,
    pub overlay: Json,
    pub facade_manifest: String,
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
    Ok(Inputs {
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
        emit::facade_manifest(&model, &inputs.facade_manifest)?,
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
