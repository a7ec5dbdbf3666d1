//! `plan` and `synth --check`: compare a fresh synthesis with an artifact tree on disk.

use serde_json::Value as Json;
use stackwright_core::{AnyApp, Diagnostic};
use stackwright_plan::previous::Unchanged;
use stackwright_plan::{Document, Placed, Plan, Planner};
use stackwright_synth::artifact::{hex_sha256, Form, Lowered, Request, Target, MANIFEST};
use stackwright_synth::pipeline::stream;
use stackwright_tree::{ManifestError, PreviousTree};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;

/// One artifact of the tree on disk, parsed.
pub(crate) struct Baseline {
    environment: String,
    stack: String,
    target: Target,
    /// The document, without the entries `unchanged` names.
    json: Json,
    /// `Some` when read against the fresh document at the same path (`stackwright_plan::previous`):
    /// the resources and outputs left out of `json` because they are the fresh ones.
    unchanged: Option<Unchanged>,
    /// Where the manifest says it is.
    path: String,
}

/// How [`read_baseline`] treats an artifact whose bytes do not match the manifest's sha256.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Modified {
    /// An error naming the file: the tree is not what stackwright wrote.
    Refuse,
    /// A warning, and the file is compared as it is (`--allow-modified`).
    Warn,
}

/// Why [`plan`] has no plan.
pub(crate) enum PlanError {
    /// The definition has problems: they come first.
    Problems(Vec<Diagnostic>),
    /// The previous tree cannot be read as one stackwright wrote (the first artifact, in its manifest's
    /// order, that cannot).
    Baseline(String),
    /// The artifacts of removed stacks cannot be kept as asked, or a Terraform module moves to another
    /// account or region before its old deployment is torn down (`stackwright_synth::removed::keep`).
    Refused(String),
}

/// The previous tree's manifest, and the artifacts `keep` selects from it (the environments and targets
/// of the fresh synthesis, so that what was not asked for does not show as removed), grouped by
/// (environment, stack).
struct Listing {
    manifest: stackwright_tree::Manifest,
    /// Indices into `manifest.artifacts`, in its order, with their target.
    wanted: Vec<(usize, Target)>,
    groups: HashMap<(String, String), Vec<usize>>,
}

fn listing(tree: &PreviousTree, keep: impl Fn(&str, Target) -> bool) -> Result<Listing, String> {
    let manifest_path = tree.dir().join(MANIFEST);
    let manifest = match (tree.manifest(), tree.manifest_error()) {
        (Some(manifest), _) => manifest.clone(),
        (None, Some(ManifestError::Invalid(why))) => {
            return Err(format!(
                "`{}` is not a manifest stackwright wrote: {why}",
                manifest_path.display()
            ))
        }
        (None, _) if tree.dir().exists() && !tree.dir().is_dir() => {
            return Err(format!(
                "`{}` is a file, not a directory; --against needs the out directory of a tree that \
                 stackwright wrote (run synth first, or pass the out directory of another checkout)",
                tree.dir().display()
            ))
        }
        (None, error) => {
            let why = match error {
                Some(e) => e.to_string(),
                None if tree.exists() => "the directory is empty".to_owned(),
                None => "the directory does not exist".to_owned(),
            };
            return Err(format!(
                "cannot read `{}`: {why}; --against needs a tree that stackwright wrote (run synth first, or \
                 pass the out directory of another checkout)",
                manifest_path.display()
            ));
        }
    };
    let wanted: Vec<(usize, Target)> = manifest
        .artifacts
        .iter()
        .enumerate()
        .filter_map(|(i, entry)| {
            let target = entry.target;
            keep(&entry.environment, target).then_some((i, target))
        })
        .collect();
    let mut groups: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (position, &(i, _)) in wanted.iter().enumerate() {
        let entry = &manifest.artifacts[i];
        groups
            .entry((entry.environment.clone(), entry.stack.clone()))
            .or_default()
            .push(position);
    }
    Ok(Listing {
        manifest,
        wanted,
        groups,
    })
}

/// What reading the previous tree found besides the documents: (position among the wanted artifacts,
/// message) of each artifact that cannot be read and each warning.
#[derive(Default)]
struct Reading {
    errors: Vec<(usize, String)>,
    warnings: Vec<(usize, String)>,
}

/// Plans a fresh synthesis against the tree in `dir` (see [`read_artifact`] for what is trusted), one
/// (environment, stack) at a time: each instance's fresh documents are compared, as they come from the
/// targets (never serialized and parsed again), with that stack's artifacts of the previous tree, read
/// then; both are dropped before the next. Stacks only the previous tree has come last. Returns the plan,
/// the warnings about the tree to print, and the definition's target parity warnings (also noted on the
/// resources they affect in the plan).
pub(crate) fn plan(
    app: &dyn AnyApp,
    request: &Request,
    tree: &PreviousTree,
    keep: impl Fn(&str, Target) -> bool,
    modified: Modified,
) -> Result<(Plan, Vec<String>, Vec<Diagnostic>), PlanError> {
    let dir = tree.dir();
    let listing =
        stackwright_synth::removed::same_app(tree, app.name()).and_then(|()| listing(tree, keep));
    let reading = Mutex::new(Reading::default());
    let targets = Target::ALL.len();
    let kept = stackwright_synth::removed::kept_environments(tree, app);
    stackwright_synth::pipeline::load_asset_cache(tree);
    // A step's tree (`synth --steps`) is one level deeper: its modules' local state paths are one `../`
    // longer for the same state file, which is no change.
    let step_tree = tree.manifest().is_some_and(|m| m.step.is_some());
    let app_name = app.name();
    let planned = stream(
        app,
        request,
        &kept,
        Form::Document,
        &|instance, mut lowered| {
            let listing = listing.as_ref().ok()?;
            if step_tree {
                for l in &mut lowered {
                    if let (Target::Terraform, Some(module)) =
                        (l.artifact.target, l.document.as_mut())
                    {
                        crate::steps::deeper_state(
                            module,
                            app_name,
                            &l.artifact.environment,
                            &l.artifact.stack,
                        );
                    }
                }
            }
            let first = lowered.first()?;
            let key = (
                first.artifact.environment.clone(),
                first.artifact.stack.clone(),
            );
            let positions = listing.groups.get(&key).map_or(&[][..], Vec::as_slice);
            let fresh = |path: &str| {
                lowered
                    .iter()
                    .find(|l| l.artifact.path == path)
                    .and_then(|l| l.document.as_ref())
            };
            let before = read_group(dir, listing, positions, modified, &reading, &fresh)?;
            // The `moved` blocks synth would add from the previous module at the same path (the blocks
            // left out as unchanged are in the previous module too).
            for l in &mut lowered {
                let old = before.iter().find(|(_, b)| b.path == l.artifact.path);
                if let (Target::Terraform, Some((_, old)), Some(module)) =
                    (l.artifact.target, old, l.document.as_mut())
                {
                    let left_out = |address: &str| {
                        old.unchanged
                            .as_ref()
                            .is_some_and(|u| u.has_resource(address))
                    };
                    stackwright_terraform::carry_moves_beside(&old.json, &left_out, module);
                }
            }
            let after: Vec<(usize, Placed)> = lowered
                .iter()
                .enumerate()
                .map(|(k, l)| {
                    let document = Document {
                        environment: &l.artifact.environment,
                        stack: &l.artifact.stack,
                        target: l.artifact.target,
                        json: l.document.as_ref().expect("documents were asked for"),
                        renames: &l.artifact.renames,
                        unchanged: None,
                    };
                    (instance * targets + k, unplaced(document))
                })
                .collect();
            let mut planner = Planner::default();
            planner.add(&placed(&before), &after);
            planner.moves(lowered.iter().flat_map(|l| l.moves.iter().cloned()));
            // What the definition gives the other target only, on the resources of this one.
            for l in &lowered {
                let a = &l.artifact;
                for gap in &l.gaps {
                    let name = match a.target {
                        Target::CloudFormation => {
                            stackwright_cloudformation::logical_id(&gap.resource)
                        }
                        Target::Terraform => stackwright_terraform::resource_name(&gap.resource),
                    };
                    let is_resource = |address: &str| match a.target {
                        Target::CloudFormation => address == name,
                        Target::Terraform => {
                            !address.starts_with("data.")
                                && address.split_once('.').is_some_and(|(_, n)| n == name)
                        }
                    };
                    planner.warn(&a.environment, &a.stack, a.target, &is_resource, &gap.note);
                }
            }
            Some((key, planner))
        },
    )
    .map_err(PlanError::Problems)?;
    let parity = planned.warnings;
    let planned = planned.results;
    let listing = listing.map_err(PlanError::Baseline)?;
    let mut planner = Planner::default();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for (key, part) in planned.into_iter().flatten() {
        seen.insert(key);
        planner.merge(part);
    }
    // Stacks the definition no longer has: every (environment, stack) of the previous tree not planned
    // yet, in its order.
    let mut removed: Vec<(&(String, String), &Vec<usize>)> = listing
        .groups
        .iter()
        .filter(|(key, _)| !seen.contains(*key))
        .collect();
    removed.sort_by_key(|(_, positions)| positions[0]);
    for (_, positions) in removed {
        if let Some(before) = read_group(dir, &listing, positions, modified, &reading, &|_| None) {
            planner.add(&placed(&before), &[]);
        }
    }
    let mut reading = reading.into_inner().expect("readers do not panic");
    if let Some((_, message)) = reading.errors.into_iter().min_by_key(|(at, _)| *at) {
        return Err(PlanError::Baseline(message));
    }
    reading.warnings.sort_by_key(|(at, _)| *at);
    let warnings = reading.warnings.into_iter().map(|(_, w)| w).collect();
    let mut plan = planner.finish();
    let defined: Vec<&str> = app.environment_specs().map(|e| e.name.as_str()).collect();
    crate::teardown::teardown_notes(
        &mut plan,
        app.name(),
        &defined,
        dir,
        &listing.manifest.artifacts,
    );
    Ok((plan, warnings, parity))
}

/// Reads the artifacts of one (environment, stack) of the previous tree (`positions` among the wanted
/// ones), each against the fresh document at its path if `fresh` has one, recording errors and
/// warnings; `None` if one cannot be read.
fn read_group<'f>(
    dir: &Path,
    listing: &Listing,
    positions: &[usize],
    modified: Modified,
    reading: &Mutex<Reading>,
    fresh: &dyn Fn(&str) -> Option<&'f Json>,
) -> Option<Vec<(usize, Baseline)>> {
    let mut group = Vec::with_capacity(positions.len());
    let mut failed = false;
    for &position in positions {
        let (i, target) = listing.wanted[position];
        let entry = &listing.manifest.artifacts[i];
        match read_artifact(dir, entry, target, modified, fresh(&entry.path)) {
            Ok((baseline, warning)) => {
                if let Some(warning) = warning {
                    let mut reading = reading.lock().expect("readers do not panic");
                    reading.warnings.push((position, warning));
                }
                group.push((position, baseline));
            }
            Err(message) => {
                let mut reading = reading.lock().expect("readers do not panic");
                reading.errors.push((position, message));
                failed = true;
            }
        }
    }
    (!failed).then_some(group)
}

fn unplaced(document: Document) -> Placed {
    Placed {
        document,
        placement: None,
    }
}

fn placed(before: &[(usize, Baseline)]) -> Vec<(usize, Placed<'_>)> {
    before
        .iter()
        .map(|(position, b)| {
            let document = Document {
                environment: &b.environment,
                stack: &b.stack,
                target: b.target,
                json: &b.json,
                renames: &[],
                unchanged: b.unchanged.as_ref(),
            };
            (*position, unplaced(document))
        })
        .collect()
}

/// Reads and parses one artifact of the previous tree. When its bytes are what the manifest says
/// stackwright wrote and `fresh` is the fresh document at the same path, only what differs from
/// `fresh` is parsed (`stackwright_plan::previous::parse_against`); a modified file is parsed whole.
fn read_artifact(
    dir: &Path,
    entry: &stackwright_tree::Entry,
    target: Target,
    modified: Modified,
    fresh: Option<&Json>,
) -> Result<(Baseline, Option<String>), String> {
    let file = dir.join(&entry.path);
    let bytes = stackwright_tree::read_file(dir, &entry.path, stackwright_tree::DEFAULT_LIMIT)
        .map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
    let mut warning = None;
    let actual = stackwright_synth::artifact::hex_sha256(&bytes);
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
    // Whether or not its sha256 is the manifest's (anyone can write both), a repeated key or a section of
    // another shape is refused: the plan would read it as something else than what deploys.
    let parsed = match fresh.filter(|_| warning.is_none()) {
        Some(fresh) => stackwright_plan::previous::parse_against(&bytes, target, fresh)
            .map(|(json, unchanged)| (json, Some(unchanged))),
        None => stackwright_plan::previous::parse(&bytes).map(|json| (json, None)),
    };
    let (json, unchanged) = parsed.map_err(|e| match e.classify() {
        serde_json::error::Category::Data => format!("`{}`: {e}", file.display()),
        _ => format!("`{}` is not valid JSON: {e}", file.display()),
    })?;
    stackwright_plan::previous::check_shape(&json, target)
        .map_err(|why| format!("`{}`: {why}", file.display()))?;
    Ok((
        Baseline {
            environment: entry.environment.clone(),
            stack: entry.stack.clone(),
            target,
            json,
            unchanged,
            path: entry.path.clone(),
        },
        warning,
    ))
}

/// How the tree under `out` differs from what synthesis would write there: `differs: path`,
/// `missing: path`, `unexpected: path` (an artifact the tree's manifest lists that the definition no longer
/// produces), in path order, and how many files synthesis writes. No difference: it is up to date. Files
/// that no manifest lists (Terraform state, `.terraform/`, a user's notes) are not stackwright's and do
/// not count. Each artifact is compared with its file as soon as it is serialized (with the `moved` blocks
/// synth adds), then dropped. The artifacts synth keeps of removed stacks count as expected
/// (`stackwright_synth::removed::keep`, with `destroyed`); also returns its warnings.
pub(crate) fn check(
    app: &dyn AnyApp,
    request: &Request,
    tree: &PreviousTree,
    destroyed: &[String],
) -> Result<CheckOutcome, PlanError> {
    let out = tree.dir();
    let differs = |path: &str, bytes: &[u8]| match tree.read_file(path) {
        Ok(found) if found == bytes => None,
        Ok(_) => Some(format!("differs: {path}")),
        Err(_) => Some(format!("missing: {path}")),
    };
    stackwright_synth::removed::same_app(tree, app.name()).map_err(PlanError::Refused)?;
    if let Some(ManifestError::Invalid(why)) = tree.manifest_error() {
        return Err(PlanError::Refused(format!(
            "`{}` is not a manifest stackwright wrote: {why}",
            out.join(MANIFEST).display()
        )));
    }
    let is_dir = out.is_dir();
    let previous = stackwright_synth::moves::Previous::new(tree);
    stackwright_synth::pipeline::load_asset_cache(tree);
    let kept = stackwright_synth::removed::kept_environments(tree, app);
    let used = std::sync::Mutex::new(stackwright_synth::pipeline::UsedAssets::default());
    let compared = stream(app, request, &kept, Form::Stream, &|index, lowered| {
        let mut assets = used.lock().expect("checkers do not panic");
        lowered.iter().for_each(|l| assets.add(index, l));
        drop(assets);
        lowered
            .into_iter()
            .map(
                |Lowered {
                     mut artifact,
                     module,
                     ..
                 }| {
                    // A Terraform module comes as a module (and only it gains `moved` blocks).
                    let bytes = match module {
                        Some(mut module) => {
                            previous.carry_into(&artifact, &mut module);
                            stackwright_synth::artifact::module_bytes(&module)
                        }
                        None => std::mem::take(&mut artifact.bytes),
                    };
                    let difference = if is_dir {
                        differs(&artifact.path, &bytes)
                    } else {
                        None
                    };
                    (artifact, hex_sha256(&bytes), difference)
                },
            )
            .collect::<Vec<_>>()
    })
    .map_err(PlanError::Problems)?;
    let parity = compared.warnings;
    let skipped = compared.skipped;
    let compared = compared.results;
    if !is_dir {
        let what = if out.exists() {
            "is not a directory"
        } else {
            "does not exist: run synth first, or pass the tree to compare with `--out DIR`"
        };
        return Err(PlanError::Baseline(format!("`{}` {what}", out.display())));
    }
    let listed: BTreeSet<String> = tree
        .manifest()
        .map(|m| m.files().map(str::to_owned).collect())
        .unwrap_or_default();
    let mut problems = Vec::new();
    let mut expected = BTreeSet::new();
    let (mut artifacts, mut hashes) = (Vec::new(), Vec::new());
    for (artifact, sha256, difference) in compared.into_iter().flatten() {
        expected.insert(artifact.path.clone());
        problems.extend(difference);
        artifacts.push(artifact);
        hashes.push(sha256);
    }
    let (kept, removed) = stackwright_synth::removed::kept_artifacts(
        app, request, &artifacts, &skipped, tree, destroyed,
    )
    .map_err(PlanError::Refused)?;
    let mut carried_environments = std::collections::HashSet::new();
    for mut artifact in removed {
        let bytes = std::mem::take(&mut artifact.bytes);
        expected.insert(artifact.path.clone());
        problems.extend(differs(&artifact.path, &bytes));
        hashes.push(hex_sha256(&bytes));
        carried_environments.insert(artifact.environment.clone());
        artifacts.push(artifact);
    }
    let used = used.into_inner().expect("checkers do not panic");
    let (assets, differing, paths) =
        stackwright_synth::pipeline::check_assets(tree, used, &carried_environments);
    problems.extend(differing);
    expected.extend(paths);
    let defined: Vec<&str> = app.environment_specs().map(|e| e.name.as_str()).collect();
    stackwright_synth::removed::tree_order(&defined, &mut artifacts, &mut hashes);
    let app_name = app.name();
    expected.insert(MANIFEST.to_owned());
    problems.extend(differs(
        MANIFEST,
        &stackwright_synth::artifact::manifest_with_assets(app_name, &artifacts, &hashes, assets),
    ));
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
    Ok((problems, artifacts.len() + 1, kept.warnings, parity))
}

/// What `synth --check` found: the differences, the number of files compared, the warnings about the
/// tree, and the target parity warnings of the definition.
pub(crate) type CheckOutcome = (Vec<String>, usize, Vec<String>, Vec<Diagnostic>);
