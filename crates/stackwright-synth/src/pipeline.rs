//! The pipeline: [`stream`] (instantiate, check, lower, hand each instance's artifacts to a sink) and
//! its sinks, [`synthesize`] (keeps the bytes) and [`synthesize_into`] (streams them into a staging
//! tree), with the assets they carry.

use crate::artifact::{
    artifact_path, hex_sha256, manifest_with_assets, module_bytes, serialized_size, to_bytes,
    write_module, Artifact, AssetFile, Form, Listed, Lowered, Request, Skipped, SynthError,
    Synthesis, Target, WrittenSynthesis, MANIFEST,
};
use serde_json::Value as Json;
use stackwright_core::{AnyApp, Diagnostic, Selection, StackInstance};
use stackwright_lowering::secrets;
use stackwright_terraform::ModuleDocument;
use stackwright_tree::{PreviousTree, Staging};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Runs the app's definitions for the requested environments and lowers them to every requested target.
/// Pure: no file is read or written. Any problem, in any environment, stack or target, fails the whole
/// synthesis so that nothing partial is ever written. Holds every artifact's bytes: to write a tree,
/// [`synthesize_into`] streams them instead.
pub fn synthesize(app: &dyn AnyApp, request: &Request) -> Result<Synthesis, Vec<Diagnostic>> {
    let mut synthesis = synthesize_beside(app, request, &[], Form::Bytes)?;
    for file in &mut synthesis.assets {
        if file.bytes.is_none() {
            let asset = &file.asset;
            file.bytes = Some(
                asset
                    .bytes()
                    .map_err(|why| vec![asset_problem(asset, why)])?,
            );
        }
    }
    Ok(synthesis)
}

/// [`synthesize`] beside a previous tree that keeps the environments `kept`, which the definition no
/// longer has and `request` may select ([`stream`]); the assets' bytes are left out (`None`, as `list`
/// needs only the manifest) unless packing them was needed to name them. `form` is [`Form::Bytes`], or
/// for `list` [`Form::Listing`]: the artifacts then hold no bytes but what `list` reads of them
/// ([`Artifact::listed`]), and the manifest's digests are those of no bytes (`list` prints none).
pub fn synthesize_beside(
    app: &dyn AnyApp,
    request: &Request,
    kept: &[String],
    form: Form,
) -> Result<Synthesis, Vec<Diagnostic>> {
    let streamed = stream(app, request, kept, form, &|_, instance| instance)?;
    let lowered = streamed.results;
    let mut used = UsedAssets::default();
    let mut artifacts = Vec::new();
    for (index, instance) in lowered.into_iter().enumerate() {
        for l in instance {
            used.add(index, &l);
            artifacts.push(l.artifact);
        }
    }
    let mut hashes: Vec<String> = artifacts.iter().map(|a| hex_sha256(&a.bytes)).collect();
    // A fleet's administration stack comes last from `stream`: put it where `synth` writes it.
    let defined: Vec<&str> = app.environment_specs().map(|e| e.name.as_str()).collect();
    crate::removed::tree_order(&defined, &mut artifacts, &mut hashes);
    let (entries, uses) = used.entries();
    let assets = uses
        .into_iter()
        .map(|asset| AssetFile {
            path: asset.tree_path(),
            asset,
            bytes: None,
        })
        .collect();
    let manifest = manifest_with_assets(app.name(), &artifacts, &hashes, entries);
    Ok(Synthesis {
        app: app.name().to_owned(),
        artifacts,
        manifest,
        assets,
        warnings: streamed.warnings,
        skipped: streamed.skipped,
    })
}

/// Learns what the synthesis that wrote `tree` knew of the assets' sources (its cache beside the tree,
/// `.stackwright-cache/<out>.assets.json`), so that unchanged ones are not packed, nor their builds run,
/// again; before the definitions run. A cache that cannot be read only makes the synthesis slower.
pub fn load_asset_cache(tree: &stackwright_tree::PreviousTree) {
    if tree.manifest().is_some_and(|m| !m.assets.is_empty()) {
        if let Ok(bytes) = tree.read_cache(stackwright_tree::fields::ASSET_CACHE) {
            let _ = stackwright_assets::load(&bytes);
        }
    }
}

/// The code assets of a synthesis, as each instance's first artifact carries them ([`Lowered::assets`]).
#[derive(Default)]
pub struct UsedAssets {
    /// (instance index, environment, account, region, asset), in any order.
    used: Vec<(
        usize,
        String,
        String,
        String,
        Arc<stackwright_assets::AssetUse>,
    )>,
    /// (instance index, stack) of each asset of `used`, in the same order.
    stacks: Vec<(usize, String)>,
    /// The environments one of whose stacks declares the asset bucket or says it exists.
    buckets: HashSet<String>,
}

impl UsedAssets {
    /// Records the assets of `lowered`, the artifact of instance `index` (in instance order).
    pub fn add(&mut self, index: usize, lowered: &Lowered) {
        let a = &lowered.artifact;
        if lowered.asset_bucket {
            self.buckets.insert(a.environment.clone());
        }
        for asset in &lowered.assets {
            self.stacks.push((index, a.stack.clone()));
            self.used.push((
                index,
                a.environment.clone(),
                a.account.clone(),
                a.region.clone(),
                asset.clone(),
            ));
        }
    }

    /// A warning for each asset declaration of an environment none of whose stacks declares the asset
    /// bucket ([`stackwright_assets::bootstrap`]) or says it exists
    /// ([`stackwright_assets::bucket_exists`]): its publish commands (`list`) would copy to a bucket that
    /// nothing creates. In the definition's order; one per declaration and environment.
    pub fn bucket_warnings(&self) -> Vec<String> {
        let mut seen = HashSet::new();
        let mut missing: Vec<_> = self
            .used
            .iter()
            .zip(&self.stacks)
            .filter(|((_, environment, _, _, asset), _)| {
                asset.read_from_s3() && !self.buckets.contains(environment)
            })
            .collect();
        missing.sort_by_key(|((index, ..), _)| *index);
        missing
            .into_iter()
            .filter(|((_, environment, _, _, asset), _)| {
                seen.insert((environment.clone(), asset.location, asset.sha256.clone()))
            })
            .map(|((_, environment, account, region, asset), (_, stack))| {
                Diagnostic::new(format!(
                    "asset `{}` is published to bucket `{}`, which no stack of environment `{environment}` \
                     declares: call `stackwright::assets::bootstrap(stack)` in a stack of its own and deploy it \
                     first, or `stackwright::assets::bucket_exists(stack)` if the bucket is made elsewhere",
                    asset.source,
                    stackwright_tree::fields::asset_bucket(account, region)
                ))
                .at(asset.location)
                .in_environment(environment)
                .in_stack(stack)
                .to_string()
            })
            .collect()
    }

    /// The manifest's entries (sorted by path; destinations one per environment, in the definition's
    /// order) and each one's asset.
    pub fn entries(
        self,
    ) -> (
        Vec<stackwright_tree::manifest::AssetEntry>,
        Vec<Arc<stackwright_assets::AssetUse>>,
    ) {
        let mut used: Vec<_> = self.used.into_iter().zip(self.stacks).collect();
        used.sort_by_key(|(u, _)| u.0);
        let mut by_path: std::collections::BTreeMap<
            String,
            (
                stackwright_tree::manifest::AssetEntry,
                Arc<stackwright_assets::AssetUse>,
            ),
        > = std::collections::BTreeMap::new();
        for ((_, environment, account, region, asset), (_, stack)) in used {
            let (entry, _) = by_path.entry(asset.tree_path()).or_insert_with(|| {
                (
                    stackwright_tree::manifest::AssetEntry {
                        path: asset.tree_path(),
                        sha256: asset.sha256.clone(),
                        kind: asset.kind.name().to_owned(),
                        source: asset.source.clone(),
                        size: asset.size,
                        destinations: Vec::new(),
                    },
                    asset.clone(),
                )
            });
            // An asset read only by its path in the tree (a Terraform function's `filename`) goes
            // nowhere but the tree.
            if !(asset.read_from_s3() || asset.image_tag().is_some()) {
                continue;
            }
            if let Some(d) = entry
                .destinations
                .iter_mut()
                .find(|d| d.environment == environment)
            {
                if !d.stacks.contains(&stack) {
                    d.stacks.push(stack);
                }
            } else {
                // An image goes to the environment's image repository, tagged with its digest.
                let (bucket, key) = match asset.image_tag() {
                    Some(tag) => (
                        stackwright_tree::fields::image_repository(&account, &region),
                        tag.to_owned(),
                    ),
                    None => (
                        stackwright_tree::fields::asset_bucket(&account, &region),
                        format!("{}.zip", asset.sha256),
                    ),
                };
                entry
                    .destinations
                    .push(stackwright_tree::manifest::AssetDestination {
                        bucket,
                        key,
                        environment,
                        account,
                        region,
                        stacks: vec![stack],
                    });
            }
        }
        by_path.into_values().unzip()
    }
}

/// A problem of an asset whose bytes cannot be had, at the line that declared it.
fn asset_problem(asset: &stackwright_assets::AssetUse, why: String) -> Diagnostic {
    Diagnostic::new(why).at(asset.location)
}

/// [`synthesize`] and replace the tree at `out` with the result, all or nothing
/// ([`stackwright_tree::Staging`]), in memory that does not grow with the number of environments: each
/// artifact is written into the staging tree as soon as it is serialized, and dropped; a few environments
/// are instantiated and lowered at a time. Any problem anywhere, or any write error, abandons the staging
/// tree: `out` is exactly as it was. `on_wait` is called if another process is writing `out`. As `synth`
/// does: each Terraform module gains the `moved` blocks its previous version in `out` calls for, the
/// artifacts of environments and stacks removed from the definition are kept, and a Terraform module
/// that moves to another account or region is refused ([`SynthError::Refused`]), since no `--destroyed`
/// says its old deployment is gone.
pub fn synthesize_into(
    app: &dyn AnyApp,
    request: &Request,
    out: &Path,
    on_wait: &mut dyn FnMut(&Path),
) -> Result<WrittenSynthesis, SynthError> {
    write_into(app, request, out, &[], on_wait).map(|(written, _)| written)
}

/// What `synth` reports besides [`WrittenSynthesis`]: the stacks kept (`crate::removed`) and the
/// modules that gained `moved` blocks (`crate::moves`).
pub struct Carried {
    /// The stacks and artifacts kept from the previous tree, and the warnings about them.
    pub kept: crate::removed::Kept,
    /// The paths of the modules that gained `moved` blocks.
    pub moved: Vec<String>,
    /// What a `--target` asked for that the stacks' declared targets leave out ([`Streamed::skipped`]).
    pub skipped: Vec<Skipped>,
}

/// [`synthesize_into`], where `destroyed` (`synth --destroyed`) names the removed or moved environments
/// and stacks whose deployments were torn down.
pub fn write_into(
    app: &dyn AnyApp,
    request: &Request,
    out: &Path,
    destroyed: &[String],
    on_wait: &mut dyn FnMut(&Path),
) -> Result<(WrittenSynthesis, Carried), SynthError> {
    // The lock is taken before the tree is read and held until the swap: what this synthesis reads of the
    // previous tree (its app, modules, kept and unselected artifacts) is what it replaces.
    let staging = match Staging::begin(out, on_wait) {
        Ok(staging) => staging,
        Err(e) => {
            // Problems of the definition come first: find them without writing.
            stream(app, request, &[], Form::Document, &|_, _| ()).map_err(SynthError::Problems)?;
            return Err(SynthError::Write(e));
        }
    };
    let tree = staging.previous();
    crate::removed::same_app(tree, app.name()).map_err(SynthError::Refused)?;
    let previous = crate::moves::Previous::new(tree);
    let guard = crate::removed::MoveGuard::new(tree, destroyed);
    load_asset_cache(tree);
    let used: Mutex<UsedAssets> = Mutex::new(UsedAssets::default());
    // The first write error; later artifacts are still lowered and checked, for their problems, but
    // not written.
    let failed: Mutex<Option<std::io::Error>> = Mutex::new(None);
    // The first refused move (in the manifest's order); nothing is staged once there is one.
    let refused: Mutex<Option<(usize, String)>> = Mutex::new(None);
    // The moves the definition declares (`moved_from`), checked against the previous tree once every
    // instance is lowered.
    let declared: Mutex<Vec<(usize, stackwright_plan::steps::Move)>> = Mutex::new(Vec::new());
    let kept = crate::removed::kept_environments(tree, app);
    let streamed = stream(app, request, &kept, Form::Stream, &|index, instance| {
        {
            let mut used = used.lock().expect("writers do not panic");
            for lowered in &instance {
                used.add(index, lowered);
            }
        }
        instance
            .into_iter()
            .map(
                |Lowered {
                     mut artifact,
                     mut module,
                     moves,
                     ..
                 }| {
                    if !moves.is_empty() {
                        let mut declared = declared.lock().expect("writers do not panic");
                        declared.extend(moves.into_iter().map(|m| (index, m)));
                    }
                    if let Some(refusal) = guard.check(&artifact) {
                        let mut first = refused.lock().expect("writers do not panic");
                        if first.as_ref().is_none_or(|(at, _)| refusal.0 < *at) {
                            *first = Some(refusal);
                        }
                    }
                    // Only a Terraform module gains `moved` blocks, and in this form it is a module.
                    let moved = module
                        .as_mut()
                        .is_some_and(|module| previous.carry_into(&artifact, module));
                    let clean = failed.lock().expect("writers do not panic").is_none()
                        && refused.lock().expect("writers do not panic").is_none();
                    // Once a write failed or a move was refused, nothing is committed, and no digest is
                    // needed: later artifacts are only lowered, for their problems.
                    let mut sha256 = String::new();
                    if clean {
                        let written = match &module {
                            Some(module) => staging
                                .create(&artifact.path)
                                .and_then(|file| write_module(file, module)),
                            None => {
                                let bytes = std::mem::take(&mut artifact.bytes);
                                staging
                                    .add(&artifact.path, &bytes)
                                    .map(|()| hex_sha256(&bytes))
                            }
                        };
                        match written {
                            Ok(digest) => sha256 = digest,
                            Err(e) => {
                                failed
                                    .lock()
                                    .expect("writers do not panic")
                                    .get_or_insert(e);
                            }
                        }
                    }
                    (artifact, sha256, moved)
                },
            )
            .collect::<Vec<_>>()
    })
    .map_err(SynthError::Problems)?;
    let lowered = streamed.results;
    if let Some((_, message)) = refused.into_inner().expect("writers do not panic") {
        return Err(SynthError::Refused(message));
    }
    if let Some(e) = failed.into_inner().expect("writers do not panic") {
        return Err(SynthError::Write(e));
    }
    let (mut artifacts, mut hashes, mut moved) = (Vec::new(), Vec::new(), Vec::new());
    for (artifact, sha256, gained) in lowered.into_iter().flatten() {
        if gained {
            moved.push(artifact.path.clone());
        }
        artifacts.push(artifact);
        hashes.push(sha256);
    }
    let (kept, removed) = crate::removed::kept_artifacts(
        app,
        request,
        &artifacts,
        &streamed.skipped,
        tree,
        destroyed,
    )
    .map_err(SynthError::Refused)?;
    let mut carried_environments = HashSet::new();
    for mut artifact in removed {
        let bytes = std::mem::take(&mut artifact.bytes);
        hashes.push(hex_sha256(&bytes));
        staging
            .add(&artifact.path, &bytes)
            .map_err(SynthError::Write)?;
        carried_environments.insert(artifact.environment.clone());
        artifacts.push(artifact);
    }
    let used = used.into_inner().expect("writers do not panic");
    let bucket_warnings = used.bucket_warnings();
    let assets = write_assets(&staging, used, &carried_environments)?;
    let defined: Vec<&str> = app.environment_specs().map(|e| e.name.as_str()).collect();
    crate::removed::tree_order(&defined, &mut artifacts, &mut hashes);
    // Under the lock: no other tree beside this one can appear or change while it is checked.
    let modules: Vec<(&str, &str)> = artifacts
        .iter()
        .filter(|a| a.target == Target::Terraform && !a.removed)
        .map(|a| (a.environment.as_str(), a.stack.as_str()))
        .collect();
    crate::state::check_shared_state(staging.directory(), app, &modules)
        .map_err(SynthError::Refused)?;
    let manifest = manifest_with_assets(app.name(), &artifacts, &hashes, assets);
    staging
        .add(MANIFEST, &manifest)
        .map_err(SynthError::Write)?;
    let mut declared = declared.into_inner().expect("writers do not panic");
    declared.sort_by_key(|(index, _)| *index);
    let one_go: Vec<String> = declared
        .iter()
        .filter_map(|(_, m)| previous.moved_away(m))
        .collect();
    let mut written = staging.commit().map_err(SynthError::Write)?;
    written.warnings.splice(0..0, bucket_warnings);
    written.warnings.extend(one_go);
    Ok((
        WrittenSynthesis {
            app: app.name().to_owned(),
            artifacts,
            written,
            warnings: streamed.warnings,
        },
        Carried {
            kept,
            moved,
            skipped: streamed.skipped,
        },
    ))
}

/// The manifest's asset entries of a synthesis: those the fresh artifacts use (with their assets), then
/// those of the previous tree that the artifacts carried from it (`carried_environments`: of environments
/// not synthesized now, or stacks removed from the definition) may use, restricted to those
/// environments; sorted by path. The third value says which entries are carried (not in the second).
type Merged = (
    Vec<stackwright_tree::manifest::AssetEntry>,
    Vec<Arc<stackwright_assets::AssetUse>>,
    Vec<bool>,
);

fn merge_assets(
    previous: Option<&stackwright_tree::Manifest>,
    used: UsedAssets,
    carried_environments: &HashSet<String>,
) -> Merged {
    let (mut entries, uses) = used.entries();
    let fresh = entries.len();
    for old in previous.map(|m| m.assets.as_slice()).unwrap_or_default() {
        let destinations: Vec<_> = old
            .destinations
            .iter()
            .filter(|d| carried_environments.contains(&d.environment))
            .cloned()
            .collect();
        if destinations.is_empty() {
            continue;
        }
        match entries[..fresh].iter_mut().find(|e| e.path == old.path) {
            Some(entry) => {
                for d in destinations {
                    if !entry
                        .destinations
                        .iter()
                        .any(|e| e.environment == d.environment)
                    {
                        entry.destinations.push(d);
                    }
                }
            }
            None => entries.push(stackwright_tree::manifest::AssetEntry {
                destinations,
                ..old.clone()
            }),
        }
    }
    let mut carried: Vec<bool> = (0..entries.len()).map(|i| i >= fresh).collect();
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].path.cmp(&entries[b].path));
    let sorted = order.iter().map(|&i| entries[i].clone()).collect();
    carried = order.iter().map(|&i| carried[i]).collect();
    (sorted, uses, carried)
}

/// Writes the assets of a synthesis (`merge_assets`) into the staging tree: an unchanged one as a hard
/// link to the previous tree's file (named by its sha256), else packed; a carried one must be in the
/// previous tree. Then their cache, beside the tree ([`Staging::write_cache`]). Returns the manifest's
/// entries.
fn write_assets(
    staging: &Staging,
    used: UsedAssets,
    carried_environments: &HashSet<String>,
) -> Result<Vec<stackwright_tree::manifest::AssetEntry>, SynthError> {
    let (entries, uses, carried) =
        merge_assets(staging.previous().manifest(), used, carried_environments);
    let by_path: HashMap<String, &Arc<stackwright_assets::AssetUse>> =
        uses.iter().map(|a| (a.tree_path(), a)).collect();
    for (entry, carried) in entries.iter().zip(&carried) {
        if staging
            .link_previous(&entry.path, entry.size)
            .map_err(SynthError::Write)?
        {
            continue;
        }
        match by_path.get(&entry.path).filter(|_| !carried) {
            Some(asset) => {
                let bytes = asset
                    .bytes()
                    .map_err(|why| SynthError::Problems(vec![asset_problem(asset, why)]))?;
                staging
                    .add(&entry.path, &bytes)
                    .map_err(SynthError::Write)?;
            }
            None => {
                return Err(SynthError::Refused(format!(
                    "asset `{}` of environment `{}` is missing from the tree or changed: synthesize that \
                     environment too",
                    entry.path,
                    entry.destinations.first().map_or("", |d| d.environment.as_str())
                )))
            }
        }
    }
    if !entries.is_empty() {
        // Only a slower next synthesis if it cannot be written (a read-only parent directory).
        let _ = staging.write_cache(
            stackwright_tree::fields::ASSET_CACHE,
            &stackwright_assets::save(uses.iter().map(|a| &**a)),
        );
    }
    Ok(entries)
}

/// For `synth --check`: the manifest's asset entries of a synthesis (`merge_assets`), how the tree's
/// asset files differ from them (`differs: path` when the file's sha256 is not its name, `missing: path`),
/// and the paths they take (their cache, a file of this machine beside the tree, is not part of it).
pub fn check_assets(
    tree: &stackwright_tree::PreviousTree,
    used: UsedAssets,
    carried_environments: &HashSet<String>,
) -> (
    Vec<stackwright_tree::manifest::AssetEntry>,
    Vec<String>,
    Vec<String>,
) {
    let (entries, _, _) = merge_assets(tree.manifest(), used, carried_environments);
    let mut problems = Vec::new();
    let mut paths = Vec::new();
    for entry in &entries {
        match tree.read_file(&entry.path) {
            Ok(bytes) if hex_sha256(&bytes) == entry.sha256 => {}
            Ok(_) => problems.push(format!("differs: {}", entry.path)),
            Err(_) => problems.push(format!("missing: {}", entry.path)),
        }
        paths.push(entry.path.clone());
    }
    (entries, problems, paths)
}

/// What `synth` would write over a previous tree now, held in memory ([`desired`]).
pub struct Desired {
    /// Every artifact with its bytes, in the manifest's order: the fresh ones (with their `moved` blocks),
    /// then those kept from `tree`.
    pub artifacts: Vec<Artifact>,
    /// `manifest.json`.
    pub manifest: Vec<u8>,
    /// The manifest's asset entries.
    pub asset_entries: Vec<stackwright_tree::manifest::AssetEntry>,
    /// Each asset's path in the tree and bytes.
    pub asset_files: Vec<(String, Vec<u8>)>,
    /// What keeping the removed stacks' artifacts has to say.
    pub warnings: Vec<String>,
}

/// The tree `synth` would write over `tree`: the fresh artifacts with the `moved` blocks the previous
/// modules call for, the artifacts of removed stacks it keeps (those of `destroyed` environments no
/// longer), and the assets; `synth --steps` compiles its last step from it. Writes nothing: the error is
/// [`SynthError::Problems`] or [`SynthError::Refused`].
pub fn desired(
    app: &dyn AnyApp,
    request: &Request,
    tree: &PreviousTree,
    destroyed: &[String],
) -> Result<Desired, SynthError> {
    let previous = crate::moves::Previous::new(tree);
    let kept = crate::removed::kept_environments(tree, app);
    let used = std::sync::Mutex::new(UsedAssets::default());
    let lowered = stream(app, request, &kept, Form::Stream, &|index, lowered| {
        let mut assets = used.lock().expect("synthesis does not panic");
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
                    if let Some(mut module) = module {
                        previous.carry_into(&artifact, &mut module);
                        artifact.bytes = module_bytes(&module);
                    }
                    artifact
                },
            )
            .collect::<Vec<_>>()
    })
    .map_err(SynthError::Problems)?;
    let skipped = lowered.skipped;
    let mut artifacts: Vec<Artifact> = lowered.results.into_iter().flatten().collect();
    let (kept, removed) =
        crate::removed::kept_artifacts(app, request, &artifacts, &skipped, tree, destroyed)
            .map_err(SynthError::Refused)?;
    artifacts.extend(removed);
    let mut hashes: Vec<String> = artifacts.iter().map(|a| hex_sha256(&a.bytes)).collect();
    let defined: Vec<&str> = app.environment_specs().map(|e| e.name.as_str()).collect();
    crate::removed::tree_order(&defined, &mut artifacts, &mut hashes);
    let used = used.into_inner().expect("synthesis does not panic");
    let (asset_entries, uses) = used.entries();
    let mut asset_files = Vec::new();
    for asset in uses {
        let bytes = asset.bytes().map_err(|why| {
            SynthError::Refused(format!("asset `{}` cannot be packed: {why}", asset.source))
        })?;
        asset_files.push((asset.tree_path(), bytes.as_ref().clone()));
    }
    let manifest = manifest_with_assets(app.name(), &artifacts, &hashes, asset_entries.clone());
    Ok(Desired {
        artifacts,
        manifest,
        asset_entries,
        asset_files,
        warnings: kept.warnings,
    })
}

/// What [`stream`] gives besides the sink's results.
pub struct Streamed<R> {
    /// What the sink returned, in instance order.
    pub results: Vec<R>,
    /// The warnings (target parity), in the order of a synthesis that holds everything, one per cause
    /// (a warning repeated in several environments once).
    pub warnings: Vec<Diagnostic>,
    /// The (environment, stack, target) a `--target` asked for that the stack's declared targets leave
    /// out, which were skipped, each with the declaration.
    pub skipped: Vec<Skipped>,
}

/// A lowered artifact before [`lower`] hands it on.
#[allow(
    clippy::large_enum_variant,
    reason = "one short-lived value per artifact, moved once"
)]
enum Document {
    Tree(Json),
    Module(ModuleDocument),
    /// A Terraform module lowered for `list` ([`Form::Listing`]): no bytes to give.
    Outline(stackwright_terraform::ModuleOutline),
}

impl Document {
    /// [`to_bytes`] of the document.
    fn to_bytes(&self) -> Vec<u8> {
        match self {
            Document::Tree(document) => to_bytes(document),
            Document::Module(module) => module_bytes(module),
            Document::Outline(_) => {
                unreachable!("only `list` lowers outlines, and it takes no bytes")
            }
        }
    }
}

/// How many environments are instantiated and lowered at a time: enough for every core to lower a few
/// instances, few enough that memory stays flat.
fn environments_per_batch() -> usize {
    4 * std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The synthesis pipeline: instantiate a few environments at a time, check CloudFormation stack names and
/// Terraform state locations across instances, lower every instance without a rejected reference to every requested target, and
/// give each instance's artifacts (in target order) to `sink` with the instance's position, from as many
/// threads as there are cores.
/// Returns what `sink` returned, in instance order, or every problem (after every instance ran, in the
/// order of a synthesis that holds everything; a problem repeated in several environments once).
/// `kept`: the environments a previous tree keeps that the definition no longer has, which `request` may
/// select without error ([`Selection::kept`]).
pub fn stream<R: Send>(
    app: &dyn AnyApp,
    request: &Request,
    kept: &[String],
    form: Form,
    sink: &(dyn Fn(usize, Vec<Lowered>) -> R + Sync),
) -> Result<Streamed<R>, Vec<Diagnostic>> {
    let selection = Selection {
        environments: request.environments.clone(),
        kept: kept.to_vec(),
    };
    let mut names = stackwright_cloudformation::StackNames::default();
    let mut name_problems = Vec::new();
    let mut states = stackwright_terraform::StateLocations::default();
    let mut state_problems = Vec::new();
    // (instance, problem) from the targets, so that those of an instance rejected late can be dropped.
    let mut target_problems: Vec<(usize, Diagnostic)> = Vec::new();
    let mut target_warnings: Vec<(usize, Diagnostic)> = Vec::new();
    let mut results = Vec::new();
    // A `--target` of fewer than every target: the targets some selected stack declares, and the first
    // stack that leaves out each requested target (with its declaration), for the error when none has it.
    let explicit = Target::ALL.iter().any(|t| !request.targets.contains(t));
    let mut declared_somewhere: HashSet<Target> = HashSet::new();
    let mut skipped: Vec<(String, String, Target, String)> = Vec::new();
    let mut first_without: Vec<(Target, Diagnostic)> = Vec::new();
    // Fleets on StackSets: their members' templates, kept as they are lowered, make each one's
    // administration stack, one more artifact once every instance is lowered.
    let (fleets, fleet_problems, fleet_skipped) =
        crate::fleets::select(app, &request.environments, &request.targets, explicit);
    skipped.extend(fleet_skipped);
    let mut captured = Vec::new();
    // One past the last instance's position: the administration stacks' positions follow.
    let mut instances = 0;
    let checked = app.instantiate_each(&selection, environments_per_batch(), &mut |batch| {
        instances = instances.max(batch.first + batch.instances.len());
        if request.targets.contains(&Target::CloudFormation) {
            name_problems.extend(names.check(&batch.instances));
        }
        if request.targets.contains(&Target::Terraform) {
            state_problems.extend(states.check(&batch.instances));
        }
        if explicit {
            for instance in &batch.instances {
                for &target in &request.targets {
                    if instance.targets.contains(&target) {
                        declared_somewhere.insert(target);
                        continue;
                    }
                    let Some(declaration) = &instance.declaration else {
                        continue;
                    };
                    let (env, stack) = (&instance.environment.name, instance.stack.name());
                    skipped.push((
                        env.clone(),
                        stack.to_owned(),
                        target,
                        declaration.describe(),
                    ));
                    if !first_without.iter().any(|(t, _)| *t == target) {
                        first_without.push((
                            target,
                            Diagnostic::new(format!(
                                "`--target {}` selects no stack: every selected stack declares its targets \
                                 without {} (stack `{stack}`: {}); drop `--target` (each stack then gets the \
                                 targets it declares), or declare {} where the stack's targets are declared",
                                target.name(),
                                target.name(),
                                declaration.describe(),
                                target.name()
                            ))
                            .in_environment(env)
                            .in_stack(stack)
                            .at(declaration.location),
                        ));
                    }
                }
            }
        }
        // Lowering and serializing dominate synthesis time and each instance is independent: spread the
        // batch's instances over the cores in contiguous chunks, then concatenate in order, so output is
        // unchanged. An instance with a rejected reference is not lowered: its one error is the
        // instantiation's, not a follow-on per target.
        let indexed: Vec<(usize, &StackInstance)> = batch
            .instances
            .iter()
            .enumerate()
            .map(|(i, instance)| (batch.first + i, instance))
            .collect();
        let lowered = crate::parallel::map_chunks(&indexed, |part| {
            let mut out = Vec::new();
            let mut problems = Vec::new();
            let mut warnings = Vec::new();
            let mut members = Vec::new();
            for &(index, instance) in part {
                problems.extend(fleets.clash(instance).map(|d| (index, d)));
                // An asset published from the stack that declares its bucket, a handle read as
                // another kind: known once the stack is defined.
                let (env, stack) = (&instance.environment.name, instance.stack.name());
                problems.extend(
                    stackwright_assets::problems(&instance.stack)
                        .into_iter()
                        .map(|d| (index, d.in_environment(env).in_stack(stack))),
                );
                if instance.links.rejected > 0 {
                    continue;
                }
                // Each stack gets the requested targets it declares.
                let targets: Vec<Target> = request
                    .targets
                    .iter()
                    .copied()
                    .filter(|t| instance.targets.contains(t))
                    .collect();
                let (mut artifacts, found) =
                    lower(instance, &targets, form, fleets.is_member(instance));
                problems.extend(found.into_iter().map(|d| (index, d)));
                // Parity is judged on the stack's declared targets: a gap exists whether or not this
                // run writes both artifacts.
                let gaps = stackwright_lowering::parity::gaps(&instance.stack, &instance.targets);
                let (env, stack) = (&instance.environment.name, instance.stack.name());
                warnings.extend(gaps.iter().map(|gap| {
                    let warning = gap.warning.clone().in_environment(env).in_stack(stack);
                    (index, warning)
                }));
                for lowered in &mut artifacts {
                    let target = lowered.artifact.target;
                    lowered.gaps = gaps.iter().filter(|g| g.lacking == target).cloned().collect();
                }
                members.extend(fleets.capture(instance, &mut artifacts));
                out.push(sink(index, artifacts));
            }
            (out, problems, warnings, members)
        });
        for (chunk, problems, warnings, members) in lowered {
            captured.extend(members);
            results.extend(chunk);
            target_problems.extend(problems);
            target_warnings.extend(warnings);
        }
    });
    let mut problems = checked.problems;
    problems.extend(name_problems);
    problems.extend(state_problems);
    problems.extend(
        target_problems
            .into_iter()
            .filter(|(i, _)| !checked.rejected_late.contains(i))
            .map(|(_, d)| d),
    );
    problems.extend(
        first_without
            .into_iter()
            .filter(|(t, _)| !declared_somewhere.contains(t))
            .map(|(_, d)| d),
    );
    problems.extend(fleet_problems);
    if problems.is_empty() {
        match fleets.administration(app, captured, form) {
            Ok(administration) => {
                for (k, lowered) in administration.into_iter().enumerate() {
                    results.push(sink(instances + k, vec![lowered]));
                }
            }
            Err(found) => problems.extend(found),
        }
    }
    if !problems.is_empty() {
        dedup_in_order(&mut problems);
        return Err(merge_environments(problems));
    }
    let mut warnings: Vec<Diagnostic> = target_warnings
        .into_iter()
        .filter(|(i, _)| !checked.rejected_late.contains(i))
        .map(|(_, d)| d)
        .collect();
    dedup_in_order(&mut warnings);
    Ok(Streamed {
        results,
        warnings: merge_environments(warnings),
        skipped,
    })
}

/// Lowers one instance to every requested target, in order.
/// `keep_template`: the instance is a fleet's member (`crate::fleets`), whose CloudFormation template
/// the fleet's stack set is compiled from ([`Lowered::template`]).
fn lower(
    instance: &StackInstance,
    targets: &[Target],
    form: Form,
    keep_template: bool,
) -> (Vec<Lowered>, Vec<Diagnostic>) {
    let mut artifacts = Vec::new();
    let mut problems = Vec::new();
    let env = instance.environment;
    let stack = instance.stack.name();
    // Both targets report a stack's literal secrets (the same problems, shown once): checked once here
    // when both are lowered for their bytes (each check was about 3% of a synthesis's instructions).
    let written = matches!(form, Form::Bytes | Form::Stream);
    let secrets = (written && targets.len() > 1).then(|| {
        let mut found = Vec::new();
        stackwright_lowering::secrets::check(&instance.stack, &mut found);
        found
    });
    let secret_check = secrets
        .as_deref()
        .map_or(secrets::Check::Run, secrets::Check::Found);
    for &target in targets {
        let mut template = None;
        let (document, resource_count, found, renames, capabilities) = match target {
            Target::CloudFormation => {
                let t = stackwright_cloudformation::synthesize_with_secrets(instance, secret_check);
                let capabilities = stackwright_cloudformation::capabilities(&t.document);
                template = keep_template.then(|| t.document.clone());
                let (d, n, p) = (t.document, t.resource_count, t.problems);
                (Document::Tree(d), n, p, t.renames, capabilities)
            }
            // Only a plan compares blocks; synth and `--check` serialize, from a module held as text.
            Target::Terraform if form == Form::Document => {
                let m = stackwright_terraform::synthesize(instance);
                let (d, n, p) = (m.document, m.resource_count, m.problems);
                (Document::Tree(d), n, p, Vec::new(), Vec::new())
            }
            // `list` needs a module's backend and resource count, not its bytes.
            Target::Terraform if form == Form::Listing => {
                let m = stackwright_terraform::synthesize_outline(instance);
                let (d, n, p) = (m.document, m.resource_count, m.problems);
                (Document::Outline(d), n, p, Vec::new(), Vec::new())
            }
            Target::Terraform => {
                let m = stackwright_terraform::synthesize_text_with_secrets(instance, secret_check);
                let (d, n, p) = (m.document, m.resource_count, m.problems);
                (Document::Module(d), n, p, Vec::new(), Vec::new())
            }
        };
        let path = artifact_path(target, &env.name, stack);
        let mut depends_on: Vec<String> = instance
            .links
            .depends_on
            .iter()
            .map(|producer| artifact_path(target, &env.name, producer))
            .collect();
        // Outputs read from other environments (regions, accounts) must exist first too.
        for read in &instance.links.remote {
            let path = artifact_path(target, &read.environment.name, &read.stack);
            if !depends_on.contains(&path) {
                depends_on.push(path);
            }
        }
        problems.extend(found);
        let mut listed = None;
        let (bytes, size, document, module) = match (form, document) {
            (Form::Stream, Document::Module(module)) => (Vec::new(), 0, None, Some(module)),
            (Form::Listing, document) => {
                let (size, backend) = match document {
                    Document::Tree(document) => (serialized_size(&document), None),
                    Document::Module(module) => (0, module.backend().cloned()),
                    Document::Outline(outline) => (0, outline.backend().cloned()),
                };
                listed = Some(Listed { size, backend });
                (Vec::new(), size, None, None)
            }
            (Form::Bytes | Form::Stream, document) => {
                let bytes = document.to_bytes();
                let size = bytes.len();
                (bytes, size, None, None)
            }
            (Form::Document, Document::Tree(document)) => {
                let size = match target {
                    Target::CloudFormation => serialized_size(&document),
                    Target::Terraform => 0,
                };
                (Vec::new(), size, Some(document), None)
            }
            (Form::Document, Document::Module(_) | Document::Outline(_)) => {
                unreachable!("a plan's Terraform module is lowered as a tree")
            }
        };
        if target == Target::CloudFormation {
            let too_large = stackwright_cloudformation::check_size(&instance.stack, size);
            problems.extend(too_large.map(|d| d.in_environment(&env.name).in_stack(stack)));
        }
        let assets = match (
            artifacts.is_empty(),
            instance
                .stack
                .extensions()
                .get::<stackwright_assets::UsedAssets>(),
        ) {
            (true, Some(used)) => used.assets.clone(),
            _ => Vec::new(),
        };
        let asset_bucket = artifacts.is_empty()
            && instance
                .stack
                .extensions()
                .get::<stackwright_assets::AssetBucket>()
                .is_some();
        let name = |id: &str| match target {
            Target::CloudFormation => stackwright_cloudformation::logical_id(id),
            Target::Terraform => stackwright_terraform::resource_name(id),
        };
        let moves = instance
            .stack
            .resources()
            .iter()
            .filter_map(|r| {
                let from = r.moved_from.as_ref()?;
                Some(stackwright_plan::steps::Move {
                    environment: env.name.clone(),
                    target,
                    from_stack: from.stack.clone(),
                    from: name(&from.id),
                    to_stack: stack.to_owned(),
                    to: name(&r.id),
                    declared_at: format!("{}:{}", r.location.file(), r.location.line()),
                })
            })
            .collect();
        artifacts.push(Lowered {
            assets,
            asset_bucket,
            gaps: Vec::new(),
            moves,
            template,
            artifact: Artifact {
                environment: env.name.clone(),
                account: env.account.clone(),
                region: env.region.clone(),
                stack: stack.to_owned(),
                target,
                path,
                resource_count,
                bytes,
                depends_on,
                renames,
                capabilities,
                removed: false,
                targets: instance.declaration.as_ref().map(|d| d.targets.clone()),
                listed,
                deployed_by: None,
            },
            document,
            module,
        });
    }
    (artifacts, problems)
}

/// The same problem in several environments (a definition runs once per environment) is reported once,
/// at its first place, with every environment it occurs in. One pass with a hash map: a problem of every
/// one of hundreds of environments costs no more than hundreds of problems.
fn merge_environments(problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut merged: Vec<Diagnostic> = Vec::with_capacity(problems.len());
    // The problem without its environments -> its place in `merged`.
    let mut first: HashMap<Diagnostic, usize> = HashMap::new();
    for problem in problems {
        let Some(env) = problem.environment.clone() else {
            merged.push(problem);
            continue;
        };
        let key = Diagnostic {
            environment: None,
            also_in: Vec::new(),
            ..problem.clone()
        };
        match first.get(&key) {
            Some(&at) => {
                let twin = &mut merged[at];
                if twin.environment.as_ref() != Some(&env) && !twin.also_in.contains(&env) {
                    twin.also_in.push(env);
                }
            }
            None => {
                first.insert(key, merged.len());
                merged.push(problem);
            }
        }
    }
    merged
}

/// The same problem found by both targets (e.g. an unknown attribute) is reported once.
fn dedup_in_order(problems: &mut Vec<Diagnostic>) {
    let mut seen: HashSet<Diagnostic> = HashSet::with_capacity(problems.len());
    problems.retain(|p| seen.insert(p.clone()));
}
