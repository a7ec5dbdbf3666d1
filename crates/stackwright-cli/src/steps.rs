//! `synth --steps`: a change that cannot be deployed in one step (`stackwright_plan::steps`) written as
//! numbered complete trees beside `out/` (`steps/01-<what>/`, ...), each with its manifest (which says
//! which step of which sequence it is), deploy order and, where the engine needs one, a file of its own
//! (a stack refactor's resource mappings). The last tree is the desired one, what `synth` writes but for
//! the default local backend's state path, one `../` longer, so that a step's module keeps its state in
//! the deployed module's file; `plan` between consecutive trees shows only that step's change. Each tree is written
//! like `out/` (`stackwright_tree::write_tree`: staging, lock, never deleting what stackwright did not
//! write); `out/`, the deployed tree, is only read.

use crate::plan::{Modified, PlanError};
use serde_json::Value as Json;
use stackwright_core::AnyApp;
use stackwright_plan::steps::{
    build, refactor_mappings_between, terraform_move_script, terraform_moves_at, Kind, Source,
};
use stackwright_plan::Document;
use stackwright_synth::artifact::{hex_sha256, to_bytes, Artifact, Request, SynthError, Target};
use stackwright_tree::fields::{ArtifactPath, StepFile};
use stackwright_tree::manifest::{StepInfo, StepMark};
use stackwright_tree::PreviousTree;
use std::path::{Path, PathBuf};

/// What `synth --steps` wrote.
pub(crate) struct StepsWritten {
    /// The `steps/` directory beside `out/`.
    pub(crate) dir: PathBuf,
    /// Each step's directory name and lines, in order.
    pub(crate) steps: Vec<StepInfo>,
    pub(crate) warnings: Vec<String>,
    /// The definition's target parity warnings, as `plan` found them.
    pub(crate) parity: Vec<stackwright_core::Diagnostic>,
}

/// The directory the steps of `out` go in: `steps/` beside it.
pub(crate) fn steps_dir(out: &Path) -> PathBuf {
    out.parent().unwrap_or(Path::new("")).join("steps")
}

/// Plans the definition against the deployed tree at `out` and, when the change needs more than one
/// step, writes each step's tree under [`steps_dir`]. `Ok(None)`: one step does it (nothing is
/// written; `synth` writes it).
pub(crate) fn write(
    app: &dyn AnyApp,
    request: &Request,
    out: &Path,
    on_wait: &mut dyn FnMut(&Path),
) -> Result<Option<StepsWritten>, PlanError> {
    let tree = PreviousTree::read(out, on_wait);
    if tree.manifest().is_none() {
        return Err(PlanError::Baseline(format!(
            "`{}` holds no tree stackwright wrote: `synth --steps` compiles the change from the deployed tree \
             there to the definition (run `synth` for a first deployment)",
            out.display()
        )));
    }
    let keep = |env: &str, target: Target| {
        request.targets.contains(&target)
            && (request.environments.is_empty() || request.environments.iter().any(|e| e == env))
    };
    let (plan, mut warnings, parity) =
        crate::plan::plan(app, request, &tree, keep, Modified::Refuse)?;
    let sequence = plan.steps;
    // A declared move no step can make: the plan says why, where it is declared; no step is written.
    if !sequence.refused.is_empty() {
        return Err(PlanError::Refused(sequence.refused.join("\nerror: ")));
    }
    if sequence.is_single() {
        return Ok(None);
    }
    // The last step follows the teardown of a relocated environment's old deployment.
    let relocated: Vec<String> = sequence
        .staged
        .iter()
        .filter(|s| s.kind == Kind::Relocation)
        .map(|s| s.environment.clone())
        .collect();
    let desired = stackwright_synth::pipeline::desired(app, request, &tree, &relocated).map_err(
        |e| match e {
            SynthError::Problems(problems) => PlanError::Problems(problems),
            SynthError::Refused(message) => PlanError::Refused(message),
            SynthError::Write(e) => unreachable!("`desired` writes nothing: {e}"),
        },
    )?;
    warnings.extend(desired.warnings.iter().cloned());
    let previous = previous(&tree)?;
    let (fresh, kept): (Vec<&Artifact>, Vec<&Artifact>) =
        desired.artifacts.iter().partition(|a| !a.removed);
    let fresh_json: Vec<Json> = fresh
        .iter()
        .map(|a| serde_json::from_slice(&a.bytes).expect("synthesis writes JSON"))
        .collect();
    let desired_docs: Vec<Document> = fresh
        .iter()
        .zip(&fresh_json)
        .map(|(a, json)| Document {
            environment: &a.environment,
            stack: &a.stack,
            target: a.target,
            json,
            renames: &a.renames,
            unchanged: None,
        })
        .collect();
    let previous_docs: Vec<Document> = previous
        .iter()
        .map(|(entry, target, _, json)| Document {
            environment: &entry.environment,
            stack: &entry.stack,
            target: *target,
            json,
            renames: &[],
            unchanged: None,
        })
        .collect();
    let infos: Vec<StepInfo> = sequence
        .steps
        .iter()
        .map(|s| StepInfo {
            name: format!("{:02}-{}", s.number, s.slug),
            lines: s.lines.clone(),
            bake_minutes: s.bake_minutes.map(u64::from),
        })
        .collect();
    let id = {
        let mut seed = tree.manifest().map(|m| m.to_bytes()).unwrap_or_default();
        seed.extend(&desired.manifest);
        hex_sha256(&seed)[..16].to_owned()
    };
    let dir = steps_dir(out);
    let defined: Vec<&str> = app.environment_specs().map(|e| e.name.as_str()).collect();
    let mut trees = Vec::new();
    for step in &sequence.steps {
        let (built, refactors) = build(&sequence, step.number, &desired_docs, &previous_docs)
            .map_err(|why| PlanError::Refused(format!("step {}: {why}", step.number)))?;
        let mut artifacts: Vec<Artifact> = Vec::new();
        for b in built {
            let artifact = match b.source {
                Source::Desired(i) => {
                    let mut a = fresh[i].clone();
                    if let Some(json) = &b.json {
                        a.bytes = to_bytes(json);
                        if a.target == Target::CloudFormation {
                            a.capabilities = stackwright_cloudformation::capabilities(json);
                            a.resource_count = json
                                .get("Resources")
                                .and_then(Json::as_object)
                                .map_or(0, |r| r.len());
                        }
                    }
                    a
                }
                Source::Previous(i) => {
                    let (entry, target, bytes, json) = &previous[i];
                    let capabilities = match target {
                        Target::CloudFormation => stackwright_cloudformation::capabilities(json),
                        Target::Terraform => Vec::new(),
                    };
                    stackwright_synth::removed::listed(
                        entry,
                        *target,
                        bytes.clone(),
                        capabilities,
                        b.removed,
                    )
                }
            };
            artifacts.push(artifact);
        }
        for a in &kept {
            if !artifacts.iter().any(|b| b.path == a.path) {
                artifacts.push((*a).clone());
            }
        }
        for a in &artifacts {
            if a.target == Target::CloudFormation
                && a.bytes.len() > stackwright_cloudformation::MAX_TEMPLATE_BYTES
            {
                return Err(PlanError::Refused(format!(
                    "step {}: the template `{}` is {} bytes: CloudFormation takes at most {}",
                    step.number,
                    a.path,
                    a.bytes.len(),
                    stackwright_cloudformation::MAX_TEMPLATE_BYTES
                )));
            }
        }
        for a in &mut artifacts {
            if a.target == Target::Terraform {
                a.bytes = same_state(&a.bytes, app.name(), &a.environment, &a.stack);
            }
        }
        let mut hashes: Vec<String> = artifacts.iter().map(|a| hex_sha256(&a.bytes)).collect();
        stackwright_synth::removed::tree_order(&defined, &mut artifacts, &mut hashes);
        let mut extra: Vec<(String, Vec<u8>)> = Vec::new();
        for r in &refactors {
            let name_of = |stack: &str| {
                stackwright_cloudformation::stack_name(app.name(), &r.environment, stack)
            };
            let template_of = |stack: &str| {
                artifacts
                    .iter()
                    .find(|a| {
                        a.target == Target::CloudFormation
                            && a.environment == r.environment
                            && a.stack == stack
                    })
                    .map(|a| String::from_utf8_lossy(&a.bytes).into_owned())
                    .unwrap_or_default()
            };
            let mut stacks = vec![r.stack.as_str()];
            if r.destination != r.stack {
                stacks.push(&r.destination);
            }
            let definitions = to_bytes(&Json::Array(
                stacks
                    .iter()
                    .map(|s| serde_json::json!({"StackName": name_of(s), "TemplateBody": template_of(s)}))
                    .collect(),
            ));
            let mappings = to_bytes(&refactor_mappings_between(
                &name_of(&r.stack),
                &name_of(&r.destination),
                &r.renames,
            ));
            // A refactor across stacks deploys both: each lists the same files (`list` says to run it
            // once).
            for s in &stacks {
                let (d, m) = refactor_paths(&r.environment, s);
                extra.push((d, definitions.clone()));
                extra.push((m, mappings.clone()));
            }
        }
        for m in terraform_moves_at(&sequence, step.number) {
            let dir_of = |stack: &str| {
                ArtifactPath::new(Target::Terraform, &m.environment, stack)
                    .module_directory()
                    .expect("a Terraform module has a directory")
            };
            let script = StepFile::MoveScript {
                environment: &m.environment,
                from: &m.from_stack,
                to: &m.to_stack,
            };
            extra.push((
                script.path(),
                terraform_move_script(m, &dir_of(&m.from_stack), &dir_of(&m.to_stack)).into_bytes(),
            ));
        }
        let manifest = stackwright_synth::artifact::manifest_with_assets(
            app.name(),
            &artifacts,
            &hashes,
            desired.asset_entries.clone(),
        );
        let mut manifest = stackwright_tree::Manifest::parse(&manifest)
            .expect("a manifest stackwright writes parses");
        manifest.step = Some(StepMark {
            sequence: id.clone(),
            number: step.number,
            steps: infos.clone(),
            files: extra.iter().map(|(p, _)| p.clone()).collect(),
        });
        trees.push((
            infos[step.number - 1].name.clone(),
            artifacts,
            extra,
            manifest.to_bytes(),
        ));
    }
    for (name, artifacts, extra, manifest) in &trees {
        let files = artifacts
            .iter()
            .map(|a| (a.path.as_str(), a.bytes.as_slice()))
            .chain(
                desired
                    .asset_files
                    .iter()
                    .map(|(p, b)| (p.as_str(), b.as_slice())),
            )
            .chain(extra.iter().map(|(p, b)| (p.as_str(), b.as_slice())))
            .chain(std::iter::once((
                stackwright_synth::artifact::MANIFEST,
                manifest.as_slice(),
            )));
        let written =
            stackwright_tree::write_tree(&dir.join(name), files, on_wait).map_err(|e| {
                PlanError::Refused(format!("cannot write `{}`: {e}", dir.join(name).display()))
            })?;
        warnings.extend(written.warnings);
    }
    warnings.extend(stale(&dir, &id, &infos));
    Ok(Some(StepsWritten {
        dir,
        steps: infos,
        warnings,
        parity,
    }))
}

/// A module of a step's tree keeps its state where the deployed tree's module does: the default local
/// backend's paths are relative to the module (`../../../../terraform-state/...`, four levels up being
/// the directory that holds `out/`), and a step's module is one level deeper (`steps/NN-<what>/`), so
/// they gain one `../`. Any other backend (S3, or a local path the module does not have from
/// stackwright) is left as it is.
fn same_state(bytes: &[u8], app: &str, environment: &str, stack: &str) -> Vec<u8> {
    let Ok(mut module) = serde_json::from_slice::<Json>(bytes) else {
        return bytes.to_vec();
    };
    if deeper_state(&mut module, app, environment, stack) {
        to_bytes(&module)
    } else {
        bytes.to_vec()
    }
}

/// [`same_state`] of a module as a document: whether it changed it.
pub(crate) fn deeper_state(module: &mut Json, app: &str, environment: &str, stack: &str) -> bool {
    let Some(local) = module
        .pointer_mut("/terraform/backend/local")
        .and_then(Json::as_object_mut)
    else {
        return false;
    };
    let path = stackwright_terraform::local_state_path(app, environment, stack);
    if local.get("path").and_then(Json::as_str) != Some(path.as_str()) {
        return false;
    }
    for key in ["path", "workspace_dir"] {
        if let Some(Json::String(value)) = local.get_mut(key) {
            *value = format!("../{value}");
        }
    }
    true
}

/// When one step does the change (nothing written): the step trees an earlier `synth --steps` wrote
/// beside `out`, which this change does not need; named, never deleted (only trees whose manifest
/// marks them as a step, so nothing stackwright did not write is named).
pub(crate) fn stale_when_single(out: &Path) -> Vec<String> {
    let dir = steps_dir(out);
    stale(&dir, "", &[])
        .into_iter()
        .map(|w| format!("{w} (this change deploys in one step)"))
        .collect()
}

/// Step trees under `dir` of another sequence (an earlier `synth --steps`): named, never deleted.
fn stale(dir: &Path, id: &str, infos: &[StepInfo]) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| !infos.iter().any(|i| &i.name == name))
        .filter(|name| {
            let tree = PreviousTree::read(&dir.join(name), &mut |_| {});
            tree.manifest()
                .and_then(|m| m.step.as_ref())
                .is_some_and(|s| s.sequence != id)
        })
        .collect();
    found.sort();
    found
        .into_iter()
        .map(|name| {
            format!(
                "`{}` is a step of an earlier sequence, not of this one: remove it once it is not needed",
                dir.join(name).display()
            )
        })
        .collect()
}

/// Every artifact of the deployed tree, read whole: (manifest entry, target, bytes, document).
type PreviousArtifact = (stackwright_tree::Entry, Target, Vec<u8>, Json);

fn previous(tree: &PreviousTree) -> Result<Vec<PreviousArtifact>, PlanError> {
    let manifest = tree.manifest().expect("checked by the caller");
    manifest
        .artifacts
        .iter()
        .map(|entry| {
            let target = entry.target;
            let file = tree.dir().join(&entry.path);
            let bytes = tree.read_file(&entry.path).map_err(|e| {
                PlanError::Baseline(format!("cannot read `{}`: {e}", file.display()))
            })?;
            let json = stackwright_plan::previous::parse(&bytes)
                .map_err(|e| PlanError::Baseline(format!("`{}`: {e}", file.display())))?;
            Ok((entry.clone(), target, bytes, json))
        })
        .collect()
}

/// The line `list` and `plan` print for a step's tree: which step it is and what remains.
pub(crate) fn progress(dir: &Path, step: &StepMark) -> String {
    let name = &step.steps[step.number - 1].name;
    let remaining: Vec<&str> = step.steps[step.number..]
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    let rest = if remaining.is_empty() {
        "the last step: the sequence is complete once it is deployed (then run synth)".to_owned()
    } else {
        format!("remaining: {}", remaining.join(", "))
    };
    format!(
        "`{}` is step {} of {} ({name}) of sequence {}; {rest}",
        dir.display(),
        step.number,
        step.steps.len(),
        step.sequence
    )
}

/// Why the sequence of the step tree at `dir` no longer leads to the definition, if it does not: its
/// last step's tree (the step itself, or its sibling) is not what the definition synthesizes
/// (`differs`: whether a plan of the definition against that tree has changes; `plan`: the plan
/// against this step's tree), or is gone. An abandoned sequence's remaining steps are not the way on.
pub(crate) fn abandoned(
    dir: &Path,
    step: &StepMark,
    plan: &stackwright_plan::Plan,
    differs: &dyn Fn(&PreviousTree) -> bool,
) -> Option<String> {
    let last = step.steps.last()?;
    let changed = if step.number == step.steps.len() {
        plan.has_changes()
    } else {
        let path = dir.parent().unwrap_or(Path::new("")).join(&last.name);
        let tree = PreviousTree::read(&path, &mut |_| {});
        let same_sequence = tree
            .manifest()
            .and_then(|m| m.step.as_ref())
            .is_some_and(|s| s.sequence == step.sequence);
        if !same_sequence {
            return Some(format!(
                "the sequence's last step, `{}`, is gone: these steps may no longer lead to the definition; \
                 run `synth --steps` against the deployed tree again",
                path.display()
            ));
        }
        differs(&tree)
    };
    changed.then(|| {
        format!(
            "the definition has changed since `synth --steps` wrote sequence {}: its last step, `{}`, is not \
             what the definition synthesizes, so the remaining steps no longer lead to it; run `synth \
             --steps` against the deployed tree again",
            step.sequence, last.name
        )
    })
}

/// [`progress`] for JSON: `{"sequence", "number", "of", "name", "remaining": [{"name", "lines",
/// "bake_minutes"}]}`.
pub(crate) fn progress_json(step: &StepMark) -> Json {
    serde_json::json!({
        "sequence": step.sequence,
        "number": step.number,
        "of": step.steps.len(),
        "name": step.steps[step.number - 1].name,
        "remaining": step.steps[step.number..].iter().map(|s| serde_json::json!({
            "name": s.name,
            "lines": s.lines,
            "bake_minutes": s.bake_minutes,
        })).collect::<Vec<_>>(),
    })
}

/// A step's tree as `list` lists it: its manifest's artifacts of the environments and targets `request`
/// selects, with their bytes as written (a template's capabilities read from it), never the definition's.
pub(crate) fn listing(
    tree: &PreviousTree,
    request: &Request,
) -> Result<stackwright_synth::artifact::Synthesis, String> {
    let manifest = tree.manifest().expect("a step's tree has a manifest");
    let mut artifacts = Vec::new();
    for entry in &manifest.artifacts {
        let target = entry.target;
        let selected =
            request.environments.is_empty() || request.environments.contains(&entry.environment);
        if !selected || !request.targets.contains(&target) {
            continue;
        }
        let file = tree.dir().join(&entry.path);
        let bytes = tree
            .read_file(&entry.path)
            .map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
        let capabilities = match target {
            Target::CloudFormation => serde_json::from_slice(&bytes)
                .map(|t| stackwright_cloudformation::capabilities(&t))
                .map_err(|e| format!("`{}` is not JSON: {e}", file.display()))?,
            Target::Terraform => Vec::new(),
        };
        artifacts.push(stackwright_synth::removed::listed(
            entry,
            target,
            bytes,
            capabilities,
            entry.removed,
        ));
    }
    Ok(stackwright_synth::artifact::Synthesis {
        app: manifest.app.clone(),
        artifacts,
        manifest: manifest.to_bytes(),
        assets: Vec::new(),
        warnings: Vec::new(),
        skipped: Vec::new(),
    })
}

/// The stack refactor files of a step's (environment, stack): the stack definitions (the template as
/// `TemplateBody`, for `--stack-definitions file://...`) and the resource mappings.
fn refactor_paths(environment: &str, stack: &str) -> (String, String) {
    (
        StepFile::RefactorDefinitions { environment, stack }.path(),
        StepFile::RefactorMappings { environment, stack }.path(),
    )
}

/// For `list` of a step's tree: the refactor files (definitions, mappings) of a CloudFormation artifact
/// whose step deploys it as a stack refactor, when its manifest lists them, and whether the refactor
/// moves resources across stacks (its mappings name another stack: one refactor deploys both).
pub(crate) fn refactor_of(tree: &PreviousTree, a: &Artifact) -> Option<(String, String, bool)> {
    if a.target != Target::CloudFormation || a.removed {
        return None;
    }
    let step = tree.manifest()?.step.as_ref()?;
    let (definitions, mappings) = refactor_paths(&a.environment, &a.stack);
    if !(step.files.contains(&definitions) && step.files.contains(&mappings)) {
        return None;
    }
    let across = tree
        .read_file(&mappings)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Json>(&bytes).ok())
        .and_then(|m| {
            m.as_array().map(|list| {
                list.iter()
                    .any(|e| e.pointer("/Source/StackName") != e.pointer("/Destination/StackName"))
            })
        })
        .unwrap_or(false);
    Some((definitions, mappings, across))
}

/// For `list` of a step's tree: the Terraform state move scripts its manifest lists that move blocks
/// out of or into the artifact's stack, to run before its apply.
pub(crate) fn move_scripts_of(tree: &PreviousTree, a: &Artifact) -> Vec<String> {
    let Some(step) = tree.manifest().and_then(|m| m.step.as_ref()) else {
        return Vec::new();
    };
    if a.target != Target::Terraform || a.removed {
        return Vec::new();
    }
    step.files
        .iter()
        // Every reading: a script between stacks whose names hold `-to-` reads several ways.
        .filter(|f| {
            StepFile::readings(f).any(|file| {
                matches!(file, StepFile::MoveScript { environment, from, to }
                    if environment == a.environment && (from == a.stack || to == a.stack))
            })
        })
        .cloned()
        .collect()
}
