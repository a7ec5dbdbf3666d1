//! `plan` and `synth --check`: compare a fresh synthesis with an artifact tree on disk.

use crate::synth::{Synthesis, Target, MANIFEST};
use serde_json::Value as Json;
use stackwright_plan::{Document, Plan};
use std::collections::BTreeSet;
use std::path::Path;

/// One artifact of the tree on disk, parsed.
pub(crate) struct Baseline {
    pub(crate) environment: String,
    pub(crate) stack: String,
    pub(crate) target: Target,
    json: Json,
    /// Where the manifest says it is and deploys (what tearing it down needs).
    pub(crate) path: String,
    pub(crate) account: String,
    pub(crate) region: String,
}

/// What `crate::removed` reads of a baseline artifact.
pub(crate) type BaselineEntry = Baseline;

/// How [`read_baseline`] treats an artifact whose bytes do not match the manifest's sha256.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Modified {
    /// An error naming the file: the tree is not what stackwright wrote.
    Refuse,
    /// A warning, and the file is compared as it is (`--allow-modified`).
    Warn,
}

/// Reads the artifacts that `dir/manifest.json` lists, keeping those `keep` selects (the environments and
/// targets of the fresh synthesis, so that what was not asked for does not show as removed). Trusts nothing
/// in `dir`: the manifest must be one stackwright wrote, each artifact a regular file inside `dir` (no
/// symbolic link, FIFO or device; at most [`stackwright_tree::DEFAULT_LIMIT`] bytes) whose sha256 matches,
/// holding a JSON object. Returns the artifacts and the warnings to print.
pub(crate) fn read_baseline(
    dir: &Path,
    keep: impl Fn(&str, Target) -> bool,
    modified: Modified,
) -> Result<(Vec<Baseline>, Vec<String>), String> {
    let manifest_path = dir.join(MANIFEST);
    let text = stackwright_tree::read_file(dir, MANIFEST, stackwright_tree::DEFAULT_LIMIT)
        .map_err(|e| {
            format!(
                "cannot read `{}`: {e}; --against needs a tree that stackwright wrote (run synth first, or pass \
                 the out directory of another checkout)",
                manifest_path.display()
            )
        })?;
    let manifest = stackwright_tree::Manifest::parse(&text).map_err(|why| {
        format!(
            "`{}` is not a manifest stackwright wrote: {why}",
            manifest_path.display()
        )
    })?;
    let wanted: Vec<_> = manifest
        .artifacts
        .iter()
        .filter_map(|entry| {
            let target =
                Target::from_name(&entry.target).expect("the manifest parser checks targets");
            keep(&entry.environment, target).then_some((entry, target))
        })
        .collect();
    let parsed = crate::parallel::map_chunks(&wanted, |part| {
        part.iter()
            .map(|(entry, target)| read_artifact(dir, entry, *target, modified))
            .collect::<Result<Vec<_>, String>>()
    });
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for chunk in parsed {
        for (baseline, warning) in chunk? {
            out.push(baseline);
            warnings.extend(warning);
        }
    }
    Ok((out, warnings))
}

fn read_artifact(
    dir: &Path,
    entry: &stackwright_tree::Entry,
    target: Target,
    modified: Modified,
) -> Result<(Baseline, Option<String>), String> {
    let file = dir.join(&entry.path);
    let bytes = stackwright_tree::read_file(dir, &entry.path, stackwright_tree::DEFAULT_LIMIT)
        .map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
    let mut warning = None;
    let actual = crate::synth::hex_sha256(&bytes);
    if actual != entry.sha256.to_ascii_lowercase() {
        let message = format!(
            "`{}` was changed after stackwright wrote it: its sha256 is {actual}, the manifest says {}",
            file.display(),
            entry.sha256
        );
        match modified {
            Modified::Refuse => {
                return Err(format!(
                    "{message}; the plan would compare against something stackwright did not write (pass \
                     --allow-modified to compare against it anyway)"
                ))
            }
            Modified::Warn => warning = Some(message),
        }
    }
    let json: Json = serde_json::from_slice(&bytes)
        .map_err(|e| format!("`{}` is not valid JSON: {e}", file.display()))?;
    if !json.is_object() {
        return Err(format!(
            "`{}` holds {}, expected a {} document (a JSON object)",
            file.display(),
            if json.is_null() { "null" } else { "no object" },
            match target {
                Target::CloudFormation => "CloudFormation template",
                Target::Terraform => "Terraform module",
            }
        ));
    }
    Ok((
        Baseline {
            environment: entry.environment.clone(),
            stack: entry.stack.clone(),
            target,
            json,
            path: entry.path.clone(),
            account: entry.account.clone(),
            region: entry.region.clone(),
        },
        warning,
    ))
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
/// `missing: path`, `unexpected: path` (an artifact the tree's manifest lists that the definition no longer
/// produces), in path order. Empty when it is up to date. Files that no manifest lists (Terraform state,
/// `.terraform/`, a user's notes) are not stackwright's and do not count.
pub(crate) fn check(synthesis: &Synthesis, out: &Path) -> Result<Vec<String>, String> {
    if !out.is_dir() {
        return Err(format!("`{}` is not a directory", out.display()));
    }
    let limit = stackwright_tree::DEFAULT_LIMIT;
    let listed: BTreeSet<String> = match stackwright_tree::read_file(out, MANIFEST, limit) {
        Ok(bytes) => stackwright_tree::Manifest::parse(&bytes)
            .map(|m| m.files().map(str::to_owned).collect())
            .unwrap_or_default(),
        Err(_) => BTreeSet::new(),
    };
    let mut problems = Vec::new();
    let mut expected = BTreeSet::new();
    for (path, bytes) in synthesis.files() {
        expected.insert(path.to_owned());
        match stackwright_tree::read_file(out, path, limit) {
            Ok(found) if found == bytes => {}
            Ok(_) => problems.push(format!("differs: {path}")),
            Err(_) => problems.push(format!("missing: {path}")),
        }
    }
    problems.extend(
        listed
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
