//! Artifacts of environments and stacks that left the definition (or moved to another account or region). Their deployments still exist until
//! someone tears them down, and tearing down needs the artifact (`terraform destroy` runs in the module),
//! so synth keeps them in the tree, listed by the manifest with `"removed": true`, until `synth
//! --destroyed ENV[/STACK]` says the deployment is gone. They stay at their path, so a module's relative
//! local-backend path and its `.terraform/` still work. A synthesis of some environments or targets
//! (`--env`, `--target`) carries the tree's other artifacts over as they are: what was not asked for is
//! not touched.

use crate::artifact::{Artifact, Request, Skipped, Synthesis, Target};
use stackwright_core::AnyApp;
use stackwright_tree::PreviousTree;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The environments whose artifacts the previous tree lists and that `app` no longer defines (kept as
/// removed until `synth --destroyed`), in the manifest's order; none without a readable manifest.
pub fn kept_environments(previous: &PreviousTree, app: &dyn AnyApp) -> Vec<String> {
    // By hash: a tree of hundreds of environments lists thousands of artifacts.
    let mut known: HashSet<String> = app.environment_specs().map(|e| e.name.clone()).collect();
    let mut kept = Vec::new();
    for entry in previous.entries() {
        if known.insert(entry.environment.clone()) {
            kept.push(entry.environment.clone());
        }
    }
    kept
}

/// What [`keep`] found: the kept (environment, stack) pairs and warnings to print.
#[derive(Debug, Default)]
pub struct Kept {
    /// The (environment, stack) pairs kept as removed.
    pub stacks: Vec<(String, String)>,
    /// Paths of the artifacts carried over because their environment or target was not selected.
    pub unselected: Vec<String>,
    /// Paths of the removed stacks' artifacts no longer kept, as `destroyed` said their deployments are
    /// gone (the new tree leaves them out).
    pub forgotten: Vec<String>,
    /// What to tell the user of them.
    pub warnings: Vec<String>,
}

/// Adds to `synthesis` every artifact that the tree in `out` lists and whose (environment, stack) the
/// definition no longer has: its environment is not `defined`, or it is `selected` and the synthesis has no
/// artifact of that stack for it. `destroyed` (`ENV` or `ENV/STACK`) names those whose deployment was torn
/// down: they are not kept, and a name that matches nothing kept is an error. A Terraform module of the
/// tree whose fresh version deploys to another account or region is replaced only when `destroyed` names
/// its environment (or stack), else it is an error: the old module is what tears the old deployment down,
/// and the new one uses the same state. A tree without a manifest keeps nothing; an unreadable manifest is
/// left to the writer, which refuses the tree. `guard_moves`: check that (not for `list`, which writes
/// nothing).
pub fn keep(
    synthesis: &mut Synthesis,
    defined: &[&str],
    selected: &dyn Fn(&str) -> bool,
    targets: &[Target],
    previous: &PreviousTree,
    destroyed: &[String],
    guard_moves: bool,
) -> Result<Kept, String> {
    let (kept, artifacts) = kept_from(
        &synthesis.artifacts,
        defined,
        selected,
        targets,
        &synthesis.skipped,
        None,
        previous,
        destroyed,
        guard_moves,
    )?;
    if !artifacts.is_empty() {
        synthesis.artifacts.extend(artifacts);
        synthesis.manifest = crate::artifact::manifest_of(&synthesis.app, &synthesis.artifacts);
    }
    Ok(kept)
}

/// [`keep`] for a synthesis of `request` streamed into a tree (moves guarded): `fresh` is every artifact
/// the definition produced (their bytes may be gone); returns the kept artifacts, with their bytes, to
/// add after them.
/// The tree's artifacts of environments or targets that `request` did not select are carried over as they
/// are (never marked removed by it), so that `synth --env test` leaves the other environments' artifacts
/// in place.
pub fn kept_artifacts(
    app: &dyn AnyApp,
    request: &Request,
    fresh: &[Artifact],
    skipped: &[Skipped],
    previous: &PreviousTree,
    destroyed: &[String],
) -> Result<(Kept, Vec<Artifact>), String> {
    let defined: Vec<&str> = app.environment_specs().map(|e| e.name.as_str()).collect();
    let selected = |env: &str| {
        request.environments.is_empty() || request.environments.iter().any(|e| e == env)
    };
    let asked = |env: &str, target: Target| selected(env) && request.targets.contains(&target);
    kept_from(
        fresh,
        &defined,
        &selected,
        &request.targets,
        skipped,
        Some(&asked),
        previous,
        destroyed,
        true,
    )
}

/// Whether a synthesis was asked for an (environment, target).
type Asked<'a> = dyn Fn(&str, Target) -> bool + 'a;

/// `carry`: which (environment, target) the synthesis was asked for; the tree's other artifacts of
/// defined environments are carried over unchanged (`None`: nothing is carried, as for `list`).
/// `targets`: the targets asked for; `destroyed` stops keeping the removed artifacts of those only (a
/// module of a target not asked for stays, with a warning: it may be the one that tears its deployment
/// down).
#[allow(
    clippy::too_many_arguments,
    reason = "one private helper of two entry points"
)]
fn kept_from(
    fresh: &[Artifact],
    defined: &[&str],
    selected: &dyn Fn(&str) -> bool,
    targets: &[Target],
    skipped: &[Skipped],
    carry: Option<&Asked>,
    previous: &PreviousTree,
    destroyed: &[String],
    guard_moves: bool,
) -> Result<(Kept, Vec<Artifact>), String> {
    let out = previous.dir();
    // One pass over the fresh artifacts, so that the tree's artifacts cost O(1) each. A stack a `--target`
    // skipped (its declared targets leave it out) is still in the definition.
    let present: HashSet<(&str, &str)> = fresh
        .iter()
        .map(|a| (a.environment.as_str(), a.stack.as_str()))
        .chain(
            skipped
                .iter()
                .map(|(env, stack, ..)| (env.as_str(), stack.as_str())),
        )
        .collect();
    let produced: HashSet<(&str, &str, Target)> = fresh
        .iter()
        .map(|a| (a.environment.as_str(), a.stack.as_str(), a.target))
        .collect();
    let by_path: HashMap<&str, &Artifact> = fresh.iter().map(|a| (a.path.as_str(), a)).collect();
    let mut artifacts = Vec::new();
    let manifest = previous.manifest();
    let mut kept = Kept::default();
    let mut used = vec![false; destroyed.len()];
    let mut candidates = Vec::new();
    for entry in manifest.iter().flat_map(|m| &m.artifacts) {
        let (env, stack) = (entry.environment.as_str(), entry.stack.as_str());
        let target = entry.target;
        // Gone: the environment or the stack left the definition, or the stack no longer declares the
        // target, which was asked for (`--target` of another leaves the artifact as it is).
        let gone = !defined.contains(&env)
            || (selected(env)
                && (!present.contains(&(env, stack))
                    || (targets.contains(&target) && !produced.contains(&(env, stack, target)))));
        if !gone {
            let unasked = carry.is_some_and(|asked| !asked(env, target));
            if unasked && !by_path.contains_key(entry.path.as_str()) {
                if let Some(artifact) =
                    from_tree(entry, target, previous, Listed::Unselected, &mut kept)?
                {
                    kept.unselected.push(artifact.path.clone());
                    artifacts.push(artifact);
                }
            }
            continue;
        }
        let pair = format!("{env}/{stack}");
        if !candidates.contains(&pair) {
            candidates.push(pair.clone());
        }
        let forgotten = told(destroyed, entry);
        if !forgotten.is_empty() {
            forgotten.into_iter().for_each(|i| used[i] = true);
            if targets.contains(&target) {
                kept.forgotten.push(entry.path.clone());
                continue;
            }
            kept.warnings.push(format!(
                "still keeping `{}`: `--destroyed` stops keeping the artifacts of the selected targets \
                 only; once its {} deployment is gone, say so with `--target {}` (or all targets)",
                entry.path,
                target.name(),
                target.name()
            ));
        }
        let Some(artifact) = from_tree(entry, target, previous, Listed::Removed, &mut kept)? else {
            continue;
        };
        artifacts.push(artifact);
        let pair = (entry.environment.clone(), entry.stack.clone());
        if !kept.stacks.contains(&pair) {
            kept.stacks.push(pair);
        }
    }
    // A Terraform module whose environment moves to another account or region: the fresh module goes to
    // the same path and uses the same state, so the old one is the last that can tear the old deployment
    // down. Synth replaces it only once told that is done.
    for entry in manifest.iter().flat_map(|m| &m.artifacts) {
        if !guard_moves || entry.target != Target::Terraform || entry.removed {
            continue;
        }
        let Some(fresh) = by_path.get(entry.path.as_str()).filter(|a| !a.removed) else {
            continue;
        };
        if (fresh.account.as_str(), fresh.region.as_str())
            == (entry.account.as_str(), entry.region.as_str())
        {
            continue;
        }
        let told = told(destroyed, entry);
        if !told.is_empty() {
            told.into_iter().for_each(|i| used[i] = true);
            continue;
        }
        return Err(move_refusal(entry, fresh, out));
    }
    if let Some(i) = used.iter().position(|u| !u) {
        let name = &destroyed[i];
        let what = if defined.contains(&name.as_str()) {
            format!("environment `{name}` is still in the definition and does not move")
        } else {
            format!(
                "`{}` keeps no removed environment or stack `{name}`",
                out.display()
            )
        };
        let known = if candidates.is_empty() {
            "none is kept".to_owned()
        } else {
            format!("kept: {}", candidates.join(", "))
        };
        return Err(format!(
            "--destroyed {name}: {what} ({known}); expected ENV or ENV/STACK of an environment or stack \
             removed from the definition, or of one moving to another account or region, whose (old) \
             deployment you have torn down"
        ));
    }
    Ok((kept, artifacts))
}

/// Why an artifact of the tree comes into a synthesis that did not produce it.
#[derive(Clone, Copy)]
enum Listed {
    /// Its environment or stack left the definition: kept, marked removed, until `--destroyed`.
    Removed,
    /// Its environment or target was not selected: carried over as it is.
    Unselected,
}

/// The artifact of the tree that `entry` lists, as it is: its bytes, dependencies and a template's
/// capabilities (read from the template, so that the manifest stays true). `None`, with a warning, when
/// the file is gone.
fn from_tree(
    entry: &stackwright_tree::Entry,
    target: Target,
    previous: &PreviousTree,
    why: Listed,
    kept: &mut Kept,
) -> Result<Option<Artifact>, String> {
    let path = previous.dir().join(&entry.path);
    let (env, stack) = (&entry.environment, &entry.stack);
    let (reason, verb) = match why {
        Listed::Removed => ("removed from the definition", "keep"),
        Listed::Unselected => ("not selected", "carry over"),
    };
    let cannot = |what: String| {
        format!(
            "cannot {verb} `{}` (environment `{env}`, stack `{stack}`, {reason}): {what}",
            path.display()
        )
    };
    let bytes = match previous.read_file(&entry.path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let then = match why {
                Listed::Removed => {
                    "it is no longer kept; its deployment, if it still exists, needs the artifact from an \
                     earlier checkout to be torn down"
                }
                Listed::Unselected => {
                    "the manifest no longer lists it; synthesize its environment to write it again"
                }
            };
            kept.warnings.push(format!(
                "`{}` (environment `{env}`, stack `{stack}`, {reason}) is gone from the tree, so {then}",
                path.display()
            ));
            return Ok(None);
        }
        Err(e) => return Err(cannot(e.to_string())),
    };
    let capabilities = match target {
        Target::CloudFormation => serde_json::from_slice(&bytes)
            .map(|template| stackwright_cloudformation::capabilities(&template))
            .map_err(|e| cannot(format!("it is not JSON ({e})")))?,
        Target::Terraform => Vec::new(),
    };
    let removed = matches!(why, Listed::Removed) || entry.removed;
    Ok(Some(listed(entry, target, bytes, capabilities, removed)))
}

/// The artifact the tree's manifest lists as `entry`, with its `bytes` as read. Its `depends_on` comes
/// along: what it was deployed after, and so what it is torn down before (`list`'s teardown waves).
pub fn listed(
    entry: &stackwright_tree::Entry,
    target: Target,
    bytes: Vec<u8>,
    capabilities: Vec<&'static str>,
    removed: bool,
) -> Artifact {
    Artifact {
        environment: entry.environment.clone(),
        account: entry.account.clone(),
        region: entry.region.clone(),
        stack: entry.stack.clone(),
        target,
        path: entry.path.clone(),
        resource_count: entry.resources.unwrap_or(0) as usize,
        bytes,
        depends_on: entry.depends_on.clone(),
        renames: Vec::new(),
        capabilities,
        removed,
        targets: entry.targets.clone(),
        listed: None,
        deployed_by: entry.deployed_by.clone(),
    }
}

/// Puts `artifacts` (with their `hashes`) in the order a synthesis of every environment writes them:
/// environments in declaration order (`defined`), each one's stacks in the order they first appear
/// (fresh artifacts come first, so the definition's order wins), CloudFormation before Terraform; the
/// artifacts of removed environments and stacks after them, as they came. A synthesis of every
/// environment is already in this order; one of a selection, with the rest carried over, is put in it, so
/// that the manifest does not depend on what was selected.
pub fn tree_order(defined: &[&str], artifacts: &mut Vec<Artifact>, hashes: &mut Vec<String>) {
    let mut stack_rank: HashMap<(&str, &str), usize> = HashMap::new();
    for a in artifacts.iter() {
        let next = stack_rank.len();
        stack_rank
            .entry((a.environment.as_str(), a.stack.as_str()))
            .or_insert(next);
    }
    let env_rank: HashMap<&str, usize> = defined.iter().enumerate().map(|(i, e)| (*e, i)).collect();
    let key = |i: usize| {
        let a = &artifacts[i];
        match env_rank.get(a.environment.as_str()).filter(|_| !a.removed) {
            Some(&env) => (
                0,
                env,
                stack_rank[&(a.environment.as_str(), a.stack.as_str())],
                Target::ALL.iter().position(|t| *t == a.target).unwrap_or(0),
                i,
            ),
            None => (1, 0, 0, 0, i),
        }
    };
    let mut order: Vec<usize> = (0..artifacts.len()).collect();
    order.sort_by_key(|&i| key(i));
    if order.iter().enumerate().all(|(at, &i)| at == i) {
        return;
    }
    let mut slots: Vec<Option<(Artifact, String)>> = artifacts
        .drain(..)
        .zip(hashes.drain(..))
        .map(Some)
        .collect();
    for i in order {
        let (artifact, hash) = slots[i].take().expect("each index once");
        artifacts.push(artifact);
        hashes.push(hash);
    }
}

/// The Terraform modules of the previous tree that `fresh` would replace while deploying to another
/// account or region (a move synth refuses until `--destroyed`): path -> the tree's (account, region).
pub fn pending_moves(
    previous: &PreviousTree,
    fresh: &[Artifact],
) -> HashMap<String, (String, String)> {
    let guard = MoveGuard::new(previous, &[]);
    fresh
        .iter()
        .filter_map(|a| guard.moved_from(a))
        .map(|(_, e)| (e.path.clone(), (e.account.clone(), e.region.clone())))
        .collect()
}

/// Refuses a tree whose manifest names another app: it holds that app's artifacts, among them the only
/// modules that can tear its deployments down, and treating them as this app's would list them as removed
/// and relabel them. A tree without a readable manifest is left to the other checks.
pub fn same_app(previous: &PreviousTree, app: &str) -> Result<(), String> {
    let Some(manifest) = previous.manifest() else {
        return Ok(());
    };
    let out = previous.dir();
    if manifest.app == app {
        return Ok(());
    }
    Err(format!(
        "`{}` holds the artifacts of app `{}`, not of `{app}`: give `{app}` its own directory with `--out DIR`; \
         `{}` stays as it is (if `{}` was renamed to `{app}`, its stack names change with it: synthesize into a \
         new directory and tear the old deployments down with this tree)",
        out.display(),
        manifest.app,
        out.display(),
        manifest.app
    ))
}

/// Whether `destroyed` names the environment or the stack of `entry`: the indices of those that do.
fn told(destroyed: &[String], entry: &stackwright_tree::Entry) -> Vec<usize> {
    let pair = format!("{}/{}", entry.environment, entry.stack);
    destroyed
        .iter()
        .enumerate()
        .filter(|(_, d)| **d == entry.environment || **d == pair)
        .map(|(i, _)| i)
        .collect()
}

/// The refusal to replace the Terraform module of the tree that `entry` lists with `fresh`, which
/// deploys to another account or region.
fn move_refusal(entry: &stackwright_tree::Entry, fresh: &Artifact, out: &Path) -> String {
    format!(
        "environment `{}` moves from {}/{} to {}/{}: `{}` is the module that can still tear down the old \
         deployment, and the new module would take its place and its state; tear the old deployment down \
         first (`plan` gives the command, with credentials for account {}), then run synth with \
         `--destroyed {}`",
        entry.environment,
        entry.account,
        entry.region,
        fresh.account,
        fresh.region,
        out.join(&entry.path).display(),
        entry.account,
        entry.environment
    )
}

/// The Terraform modules of the tree in `out` that a fresh module must not replace while it deploys to
/// another account or region (see [`keep`]), unless `--destroyed` names them: checked on each artifact
/// of a streamed synthesis before it is staged.
pub struct MoveGuard<'a> {
    out: &'a Path,
    /// Path -> (position in the manifest, entry).
    modules: HashMap<String, (usize, stackwright_tree::Entry)>,
}

impl<'a> MoveGuard<'a> {
    /// The guard over the modules of `previous` that `destroyed` does not name.
    pub fn new(previous: &'a PreviousTree, destroyed: &[String]) -> Self {
        let modules = previous
            .entries()
            .iter()
            .cloned()
            .enumerate()
            .filter(|(_, e)| {
                e.target == Target::Terraform && !e.removed && told(destroyed, e).is_empty()
            })
            .map(|(i, e)| (e.path.clone(), (i, e)))
            .collect();
        MoveGuard {
            out: previous.dir(),
            modules,
        }
    }

    /// The refusal for `fresh`, with the position of the module it would replace in the manifest (the
    /// first one in that order is reported), when that module deploys to another account or region.
    pub fn check(&self, fresh: &Artifact) -> Option<(usize, String)> {
        let (i, entry) = self.moved_from(fresh)?;
        Some((i, move_refusal(entry, fresh, self.out)))
    }

    /// The tree's module (with its position in the manifest) that `fresh` would replace while it deploys
    /// to another account or region.
    fn moved_from(&self, fresh: &Artifact) -> Option<(usize, &stackwright_tree::Entry)> {
        let (i, entry) = self.modules.get(&fresh.path)?;
        let moved = (fresh.account.as_str(), fresh.region.as_str())
            != (entry.account.as_str(), entry.region.as_str());
        (moved && !fresh.removed).then_some((*i, entry))
    }
}

/// What `--destroyed` takes for a kept stack: the environment when it is gone as a whole, else
/// `ENV/STACK`.
pub fn destroyed_name(defined: &[&str], env: &str, stack: &str) -> String {
    if defined.contains(&env) {
        format!("{env}/{stack}")
    } else {
        env.to_owned()
    }
}
