//! The generator of `crates/stackwright-aws-generated`: one typed builder per CloudFormation registry type,
//! one module (and Cargo feature) per service, with the awscc Terraform names of every property and
//! attribute, read from vendored data (`data/`, written by `scripts/vendor-registry.py`).
//!
//! [`generate`] is a pure function of its [`Inputs`]; [`write`] and the freshness test
//! (`tests/fresh.rs`) are the only places that touch files. Per-type quirks live in `overlay.json`, each
//! with its reason, never in `if` chains here.
//!
//! Run it with `cargo xtask codegen`.

pub mod aws_terraform;
mod emit;
mod model;
mod required;
mod sample;

use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub use model::{service_modules, Limits, Model, Service};
pub use sample::string_value;

/// The registry sample's example target, relative to the generated crate (see [`sample`]).
pub const SAMPLE: &str = "examples/registry_sample.rs";

/// The command that regenerates the output, named in every generated file's header.
pub const COMMAND: &str = "cargo xtask codegen";

/// What the generator reads: the registry schemas (one JSON document per line), region availability,
/// the awscc provider's resource schemas and the overlay.
pub struct Inputs {
    pub registry: String,
    pub regions: Json,
    pub awscc: Json,
    pub overlay: Json,
    /// The hashicorp/aws provider schema (`data/hashicorp-aws`, as the hashicorp layer reads it): which
    /// string properties hold numbers or booleans.
    pub hashicorp: Json,
    /// Enum values AWS deprecated (`data/deprecated-values.json`, from `scripts/vendor-deprecated-values.py`):
    /// `{"types": {type prefix: {value: note}}}`.
    pub deprecated: Json,
}

/// Generated files by path relative to the generated crate's root (`src/generated/<service>.rs`,
/// `src/generated/mod.rs`, `Cargo.toml`, and [`REPLACEMENT_TABLE`] in `stackwright-schema`), plus figures.
pub struct Output {
    pub files: BTreeMap<String, String>,
    pub stats: Stats,
}

/// The registry types' replacement data, for `plan` (relative to the generated crate, like every key of
/// [`Output::files`]).
pub const REPLACEMENT_TABLE: &str = "../stackwright-schema/src/generated/registry.rs";

/// Coverage figures of one run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    pub types: usize,
    pub services: usize,
    /// Types with an awscc resource, so a Terraform lowering.
    pub with_terraform: usize,
    /// Writable properties (top level and nested) without an awscc attribute of the same name.
    pub unmapped_properties: usize,
    /// Properties (top level and nested) whose JSON value awscc takes as nested attributes, renamed for
    /// Terraform through the awscc schema (`oneOf`/`anyOf` of objects, maps of objects).
    pub json_object_properties: usize,
    /// Types with at least one such property.
    pub json_object_types: usize,
}

/// The repository's root, from this crate's manifest directory.
pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The generated crate's directory.
pub fn generated_crate(root: &Path) -> PathBuf {
    root.join("crates/stackwright-aws-generated")
}

pub(crate) fn gunzip(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text)
}

pub(crate) fn parse(path: &Path, text: &str) -> Result<Json, String> {
    serde_json::from_str(text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads the vendored inputs under this crate (`data/`, `overlay.json`).
pub fn read_inputs(root: &Path) -> Result<Inputs, String> {
    let crate_dir = root.join("crates/stackwright-codegen");
    let data = crate_dir.join("data");
    let regions = data.join("region-availability.json.gz");
    let awscc = data.join("awscc-resources.json.gz");
    let hashicorp = data.join("hashicorp-aws/aws-5.100.0.json.gz");
    let deprecated = data.join("deprecated-values.json");
    let deprecated_text = std::fs::read_to_string(&deprecated)
        .map_err(|e| format!("{}: {e}", deprecated.display()))?;
    let overlay = crate_dir.join("overlay.json");
    let overlay_text =
        std::fs::read_to_string(&overlay).map_err(|e| format!("{}: {e}", overlay.display()))?;
    Ok(Inputs {
        registry: gunzip(&data.join("registry-schemas.jsonl.gz"))?,
        regions: parse(&regions, &gunzip(&regions)?)?,
        awscc: parse(&awscc, &gunzip(&awscc)?)?,
        overlay: parse(&overlay, &overlay_text)?,
        hashicorp: parse(&hashicorp, &gunzip(&hashicorp)?)?,
        deprecated: parse(&deprecated, &deprecated_text)?,
    })
}

/// Generates every file from the inputs, rustfmt-ed.
pub fn generate(inputs: &Inputs) -> Result<Output, String> {
    let model = model::build(inputs)?;
    let mut files = BTreeMap::new();
    for service in &model.services {
        let path = format!("src/generated/{}.rs", service.module);
        files.insert(path, rustfmt(&emit::service(service))?);
        files.insert(
            format!("src/generated/{}.schemas.jsonl", service.module),
            emit::schemas(service),
        );
        if emit::has_awscc(service) {
            files.insert(
                format!("src/generated/{}.awscc.jsonl", service.module),
                emit::awscc_schemas(service),
            );
        }
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
        REPLACEMENT_TABLE.into(),
        rustfmt(&emit::replacement_table(&model))?,
    );
    Ok(Output {
        files,
        stats: model.stats.clone(),
    })
}

/// Formats Rust source with the toolchain's rustfmt (default configuration, as `cargo fmt` uses here).
pub fn rustfmt(source: &str) -> Result<String, String> {
    let mut child = Command::new(std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into()))
        .args(["--edition", "2021", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = source.to_owned();
    // Written from another thread so a large file cannot deadlock on a full stdout pipe.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt: {e}"))?;
    writer
        .join()
        .map_err(|_| "rustfmt: writer thread panicked".to_string())?
        .map_err(|e| format!("rustfmt: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "rustfmt rejected generated code: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("rustfmt output: {e}"))
}

/// Writes `output` into the generated crate, removing generated service files that are no longer produced.
pub fn write(root: &Path, output: &Output) -> Result<(), String> {
    write_files(&generated_crate(root), &output.files)
}

/// Writes `files` (paths relative to `dir`), removing files of `dir/src/generated` that are not among them.
pub(crate) fn write_files(dir: &Path, files: &BTreeMap<String, String>) -> Result<(), String> {
    let generated = dir.join("src/generated");
    std::fs::create_dir_all(&generated).map_err(|e| format!("{}: {e}", generated.display()))?;
    for entry in std::fs::read_dir(&generated).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let relative = format!(
            "src/generated/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        if !files.contains_key(&relative) {
            std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    for (relative, text) in files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// Differences between `output` and the files on disk: paths that are missing, stale or not generated.
pub fn stale_files(root: &Path, output: &Output) -> Vec<String> {
    stale_in(&generated_crate(root), &output.files)
}

/// Differences between `files` (relative to `dir`) and the files on disk.
pub(crate) fn stale_in(dir: &Path, files: &BTreeMap<String, String>) -> Vec<String> {
    let mut stale = Vec::new();
    for (relative, text) in files {
        match std::fs::read_to_string(dir.join(relative)) {
            Ok(on_disk) if &on_disk == text => {}
            Ok(_) => stale.push(format!("{relative} differs")),
            Err(_) => stale.push(format!("{relative} is missing")),
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir.join("src/generated")) {
        for entry in entries.flatten() {
            let relative = format!("src/generated/{}", entry.file_name().to_string_lossy());
            if !files.contains_key(&relative) {
                stale.push(format!("{relative} is not generated any more"));
            }
        }
    }
    stale.sort();
    stale
}
