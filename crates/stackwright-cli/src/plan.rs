//! `plan` and `synth --check`: compare a fresh synthesis with an artifact tree on disk.

use crate::synth::{Synthesis, Target, MANIFEST};
use serde_json::Value as Json;
use stackwright_plan::{Document, Plan};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// One artifact of the tree on disk, parsed.
pub(crate) struct Baseline {
    environment: String,
    stack: String,
    target: Target,
    json: Json,
}

/// Reads the artifacts that `dir/manifest.json` lists, keeping those `keep` selects (the environments and
/// targets of the fresh synthesis, so that what was not asked for does not show as removed).
pub(crate) fn read_baseline(
    dir: &Path,
    keep: impl Fn(&str, Target) -> bool,
) -> Result<Vec<Baseline>, String> {
    let manifest_path = dir.join(MANIFEST);
    let text = fs::read(&manifest_path).map_err(|e| {
        format!(
            "cannot read `{}`: {e}; --against needs a tree that stackwright wrote (run synth first, or pass \
             the out directory of another checkout)",
            manifest_path.display()
        )
    })?;
    let manifest: Json = serde_json::from_slice(&text)
        .map_err(|e| format!("`{}` is not valid JSON: {e}", manifest_path.display()))?;
    let entries = manifest
        .get("artifacts")
        .and_then(Json::as_array)
        .ok_or_else(|| {
            format!(
                "`{}` has no `artifacts` list: expected a manifest written by stackwright",
                manifest_path.display()
            )
        })?;
    let mut wanted = Vec::new();
    for entry in entries {
        let field = |name: &str| {
            entry.get(name).and_then(Json::as_str).ok_or_else(|| {
                format!(
                    "an entry of `{}` has no `{name}`: expected env, stack, target and path",
                    manifest_path.display()
                )
            })
        };
        let (environment, stack, target, path) = (
            field("env")?,
            field("stack")?,
            field("target")?,
            field("path")?,
        );
        let target = Target::from_name(target).ok_or_else(|| {
            format!(
                "`{}` lists target `{target}`: expected cloudformation or terraform",
                manifest_path.display()
            )
        })?;
        if Path::new(path).is_absolute() || path.split('/').any(|s| s == "..") {
            return Err(format!(
                "`{}` lists path `{path}`, which is outside the tree",
                manifest_path.display()
            ));
        }
        if keep(environment, target) {
            wanted.push((environment, stack, target, path));
        }
    }
    let parsed = crate::parallel::map_chunks(&wanted, |part| {
        part.iter()
            .map(|(environment, stack, target, path)| {
                let file = dir.join(path);
                let bytes = fs::read(&file)
                    .map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
                let json = serde_json::from_slice(&bytes)
                    .map_err(|e| format!("`{}` is not valid JSON: {e}", file.display()))?;
                Ok(Baseline {
                    environment: environment.to_string(),
                    stack: stack.to_string(),
                    target: *target,
                    json,
                })
            })
            .collect::<Result<Vec<_>, String>>()
    });
    let mut out = Vec::new();
    for chunk in parsed {
        out.extend(chunk?);
    }
    Ok(out)
}

/// Plans the fresh synthesis against the baseline.
pub(crate) fn plan(synthesis: &Synthesis, baseline: &[Baseline]) -> Plan {
    let parsed = crate::parallel::map_chunks(&synthesis.artifacts, |part| {
        part.iter()
            .map(|a| serde_json::from_slice::<Json>(&a.bytes).expect("synthesized JSON parses"))
            .collect::<Vec<_>>()
    });
    let fresh: Vec<Json> = parsed.into_iter().flatten().collect();
    let after: Vec<Document> = synthesis
        .artifacts
        .iter()
        .zip(&fresh)
        .map(|(a, json)| Document {
            environment: &a.environment,
            stack: &a.stack,
            target: a.target,
            json,
            renames: &a.renames,
        })
        .collect();
    let before: Vec<Document> = baseline
        .iter()
        .map(|b| Document {
            environment: &b.environment,
            stack: &b.stack,
            target: b.target,
            json: &b.json,
            renames: &[],
        })
        .collect();
    stackwright_plan::plan(&before, &after)
}

/// How the tree under `out` differs from what synthesis would write there: `differs: path`,
/// `missing: path`, `unexpected: path`, in path order. Empty when it is up to date.
pub(crate) fn check(synthesis: &Synthesis, out: &Path) -> Result<Vec<String>, String> {
    if !out.is_dir() {
        return Err(format!("`{}` is not a directory", out.display()));
    }
    let mut on_disk = BTreeSet::new();
    list_files(out, "", &mut on_disk)
        .map_err(|e| format!("cannot read `{}`: {e}", out.display()))?;
    let mut problems = Vec::new();
    let mut expected = BTreeSet::new();
    for (path, bytes) in synthesis.files() {
        expected.insert(path.to_owned());
        match fs::read(out.join(path)) {
            Ok(found) if found == bytes => {}
            Ok(_) => problems.push(format!("differs: {path}")),
            Err(_) => problems.push(format!("missing: {path}")),
        }
    }
    problems.extend(
        on_disk
            .difference(&expected)
            .map(|p| format!("unexpected: {p}")),
    );
    problems.sort_by(|a, b| {
        a.split_once(": ")
            .map(|x| x.1)
            .cmp(&b.split_once(": ").map(|x| x.1))
    });
    Ok(problems)
}

/// Every file under `dir`, as `/`-separated paths relative to it.
fn list_files(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if entry.file_type()?.is_dir() {
            list_files(&entry.path(), &relative, out)?;
        } else {
            out.insert(relative);
        }
    }
    Ok(())
}
