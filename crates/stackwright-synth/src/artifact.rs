//! The artifact types and their layout in a tree: what a synthesis produces ([`Artifact`], [`Synthesis`]),
//! how [`crate::stream`] hands each one on ([`Form`], [`Lowered`]), their bytes and `manifest.json`.
//! Nothing here depends on the rest of the crate, so the pipeline and the policies over a previous tree
//! (`removed`, `moves`, `fleets`) all depend on it and not on each other.

use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use stackwright_core::Diagnostic;
pub use stackwright_core::Target;
use stackwright_terraform::ModuleDocument;
/// Where an artifact lives in a tree: the one layout that writer, reader, `list`, `plan` and tests share.
pub use stackwright_tree::fields::ArtifactPath;
use stackwright_tree::Written;
use std::sync::Arc;

/// An (environment, stack, target) a `--target` asked for that the stack's declared targets leave out,
/// with the declaration ([`crate::Streamed::skipped`]).
pub type Skipped = (String, String, Target, String);

/// What to synthesize: which environments (all when empty) and which targets.
#[derive(Clone, Debug)]
pub struct Request {
    /// The environments to synthesize, by name; every one when empty.
    pub environments: Vec<String>,
    /// The targets to lower each stack to (of those it declares).
    pub targets: Vec<Target>,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            environments: Vec::new(),
            targets: Target::ALL.to_vec(),
        }
    }
}

/// One generated file and what it deploys.
#[derive(Clone, Debug)]
pub struct Artifact {
    /// The environment's name.
    pub environment: String,
    /// The environment's AWS account id.
    pub account: String,
    /// The environment's AWS region.
    pub region: String,
    /// The stack's name.
    pub stack: String,
    /// The engine the artifact is for.
    pub target: Target,
    /// Path relative to the output directory, with `/` separators.
    pub path: String,
    /// The resources it deploys (CloudFormation `Resources` entries, Terraform resource blocks).
    pub resource_count: usize,
    /// The artifact itself (empty when it was streamed into a tree, or for `list`).
    pub bytes: Vec<u8>,
    /// Artifacts (paths) of the same target that must be deployed first: those of the stacks of its
    /// environment this one imports from or names in `depends_on`, then those of other environments
    /// whose outputs it reads.
    pub depends_on: Vec<String>,
    /// Declared renames the artifact cannot express, as (old, new) logical ids: CloudFormation's. (Terraform
    /// modules say it themselves, in `moved` blocks.)
    pub renames: Vec<(String, String)>,
    /// What `aws cloudformation deploy --capabilities` must acknowledge for this template (empty for
    /// Terraform, and for templates that need none).
    pub capabilities: Vec<&'static str>,
    /// Not produced by the definition: the artifact of an environment or stack removed from it, kept from
    /// the previous tree until its deployment is torn down (see `crate::removed`).
    pub removed: bool,
    /// The targets the stack declares (`.targets(..)` of the stack, its environment or its app), as
    /// `manifest.json` records them; `None` when nothing declares them (every target).
    pub targets: Option<Vec<Target>>,
    /// What `list` reads of an artifact it did not serialize ([`Form::Listing`], `bytes` empty); `None`
    /// when `bytes` hold the artifact.
    pub listed: Option<Listed>,
    /// For a member's template of a fleet's stack (`stackwright_stackset::StackSets::stack_set`): the
    /// path of the administration stack whose stack set deploys it; `list` and `ci` do not deploy it.
    pub deployed_by: Option<String>,
}

/// What `list` needs of an artifact besides its place: a template's size (for the `--s3-bucket` rule)
/// and a module's backend (where its state is).
#[derive(Clone, Debug)]
pub struct Listed {
    /// The length of the artifact's bytes (0 for a Terraform module, whose size `list` does not use).
    pub size: usize,
    /// A Terraform module's `terraform.backend` block, if it has one.
    pub backend: Option<Json>,
}

impl Artifact {
    /// The length of the artifact's bytes, also when `list` did not serialize it.
    pub fn size(&self) -> usize {
        self.listed.as_ref().map_or(self.bytes.len(), |l| l.size)
    }
}

/// Everything one synthesis produces, in a deterministic order: environments and stacks in declaration
/// order, CloudFormation before Terraform.
#[derive(Clone, Debug)]
pub struct Synthesis {
    /// The app's name.
    pub app: String,
    /// Every artifact, in the order above.
    pub artifacts: Vec<Artifact>,
    /// `manifest.json`: every artifact with its environment, account, region, stack, target, path, sha256
    /// and the paths of the artifacts it depends on (`depends_on`), and every asset.
    pub manifest: Vec<u8>,
    /// The code assets the stacks use (`stackwright-assets`), with their zips' bytes, sorted by path
    /// (`assets/<sha256>.zip`, [`stackwright_assets::AssetUse::tree_path`]). ([`synthesize_into`](crate::synthesize_into) also
    /// writes their cache, beside the tree: `.stackwright-cache/<out>.assets.json`.)
    pub assets: Vec<AssetFile>,
    /// What the definition gives one target only while the stack has both (target parity,
    /// `stackwright_lowering::parity`), one located warning per cause.
    pub warnings: Vec<Diagnostic>,
    /// What a `--target` asked for that the stacks' declared targets leave out ([`Streamed::skipped`](crate::Streamed::skipped)).
    pub skipped: Vec<Skipped>,
}

/// A code asset of a [`Synthesis`].
#[derive(Clone, Debug)]
pub struct AssetFile {
    /// `assets/<sha256>.zip`.
    pub path: String,
    /// The asset as the definition used it (its source, kind, digest and where it was declared).
    pub asset: Arc<stackwright_assets::AssetUse>,
    /// The zip: always there from [`synthesize`](crate::synthesize).
    pub bytes: Option<Arc<Vec<u8>>>,
}

impl Synthesis {
    /// Every file of the output directory (artifacts, assets and manifest), as (relative path, bytes).
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.artifacts
            .iter()
            .map(|a| (a.path.as_str(), a.bytes.as_slice()))
            .chain(
                self.assets
                    .iter()
                    .filter_map(|a| a.bytes.as_ref().map(|b| (a.path.as_str(), b.as_slice()))),
            )
            .chain(std::iter::once((MANIFEST, self.manifest.as_slice())))
    }
}

/// `manifest.json`, the name of the manifest in a tree.
pub const MANIFEST: &str = stackwright_tree::manifest::FILE_NAME;

/// What [`synthesize_into`](crate::synthesize_into) wrote.
#[derive(Debug)]
pub struct WrittenSynthesis {
    /// The app's name.
    pub app: String,
    /// Every artifact, as the manifest lists them; their `bytes` are empty: each went to the staging
    /// tree as soon as it was produced.
    pub artifacts: Vec<Artifact>,
    /// What replacing the tree did besides writing the files.
    pub written: Written,
    /// What the definition gives one target only while the stack has both (target parity), one located
    /// warning per cause.
    pub warnings: Vec<Diagnostic>,
}

/// Why [`synthesize_into`](crate::synthesize_into) wrote nothing: the tree at `out` is as it was, and no staging directory is left.
#[derive(Debug)]
pub enum SynthError {
    /// The definition has problems (all of them); they are reported before any write error.
    Problems(Vec<Diagnostic>),
    /// The tree could not be written.
    Write(std::io::Error),
    /// The previous tree cannot be replaced as asked: a Terraform module moves to another account or
    /// region before its old deployment is torn down, a `--destroyed` name matches nothing kept, or a kept
    /// artifact cannot be read (`crate::removed::keep`). One message.
    Refused(String),
}

/// How [`stream`](crate::stream) hands on a lowered artifact.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Serialized into [`Artifact::bytes`]; no document.
    Bytes,
    /// The document itself; `bytes` empty (a CloudFormation template's size is counted, for its limit).
    Document,
    /// A Terraform module held as text ([`Lowered::module`]), for the caller to write straight into its
    /// file ([`write_module`]): a module has no size limit, and one of tens of thousands of resources
    /// would otherwise be held as a JSON tree and then as bytes too. A CloudFormation template as
    /// [`Form::Bytes`]: it is serialized anyway, to be checked against CloudFormation's 1 MB limit, which
    /// also bounds it.
    Stream,
    /// For `list`, which prints what it would deploy, not the artifacts: lowered (for every problem) but
    /// never serialized into bytes; a template's size is counted, a module's backend kept
    /// ([`Artifact::listed`]); a module's blocks and outputs are dropped as they are lowered
    /// (`stackwright_terraform::synthesize_outline`).
    Listing,
}

/// One artifact of an instance as [`stream`](crate::stream) hands it on.
pub struct Lowered {
    /// The artifact; `bytes` empty unless the form is [`Form::Bytes`] (or a template in [`Form::Stream`]).
    pub artifact: Artifact,
    /// `Some` in [`Form::Document`].
    pub document: Option<Json>,
    /// A Terraform module in [`Form::Stream`], held as text.
    pub module: Option<ModuleDocument>,
    /// The code assets the instance uses (`stackwright-assets`), on its first artifact only.
    pub assets: Vec<Arc<stackwright_assets::AssetUse>>,
    /// Whether the stack declares the environment's asset bucket or says it exists
    /// ([`stackwright_assets::AssetBucket`]), on its first artifact only.
    pub asset_bucket: bool,
    /// What the stack gives the other target only, which this artifact's deployment lacks
    /// ([`stackwright_lowering::parity`]): `plan` notes it on the resources.
    pub gaps: Vec<stackwright_lowering::parity::Gap>,
    /// A fleet member's CloudFormation template, whatever the form, for its stack set
    /// (`crate::fleets`); taken before the sink sees it.
    pub template: Option<Json>,
    /// The resources of this artifact the definition declares moved from another stack (`moved_from`),
    /// in the target's words, for `plan`.
    pub moves: Vec<stackwright_plan::steps::Move>,
}

/// The bytes [`write_module`] writes of `module`: those of [`to_bytes`] of its tree.
pub fn module_bytes(module: &ModuleDocument) -> Vec<u8> {
    let mut bytes = Vec::new();
    module
        .write_to(&mut bytes)
        .expect("writing to memory does not fail");
    bytes.push(b'\n');
    bytes
}

/// The length of [`to_bytes`] of `document`, without holding the bytes.
pub fn serialized_size(document: &Json) -> usize {
    stackwright_tree::json_size(document)
}

/// Where a stack's artifact goes, relative to the output directory.
pub fn artifact_path(target: Target, env: &str, stack: &str) -> String {
    stackwright_tree::fields::ArtifactPath::new(target, env, stack).path()
}

/// The deploy wave of each artifact (1 = depends on nothing; n + 1 = depends on waves up to n): the
/// artifacts of one wave can deploy in parallel once the earlier waves are deployed.
pub fn waves(artifacts: &[Artifact]) -> Vec<usize> {
    let index: std::collections::HashMap<&str, usize> = artifacts
        .iter()
        .enumerate()
        .map(|(i, a)| (a.path.as_str(), i))
        .collect();
    let index = &index;
    let order: Vec<(usize, usize)> = artifacts
        .iter()
        .enumerate()
        .flat_map(|(i, a)| {
            a.depends_on
                .iter()
                .filter_map(move |d| index.get(d.as_str()).map(|&d| (d, i)))
        })
        .collect();
    levels(artifacts.len(), &order)
}

/// The level of each of `n` items: 1 when nothing must come before it, else one more than the highest
/// level of those that must, where `(first, then)` in `order` says `first` comes before `then`. The
/// order has no cycle (instantiation rejects them), so `n` passes settle it; producers declared before
/// their consumers settle in one.
pub fn levels(n: usize, order: &[(usize, usize)]) -> Vec<usize> {
    let mut level = vec![1; n];
    for _ in 0..n {
        let mut changed = false;
        for &(first, then) in order {
            if level[then] <= level[first] {
                level[then] = level[first] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    level
}

/// Writes `module` and a final newline (as [`to_bytes`] of its tree) into `file` through a small
/// buffer, never holding the bytes, and gives their sha256 digest (hex) as [`hex_sha256`] would.
pub fn write_module(file: std::fs::File, module: &ModuleDocument) -> std::io::Result<String> {
    /// Passes every byte on to the file's buffer and to the digest.
    struct Hashing<W> {
        inner: W,
        digest: Sha256,
    }
    impl<W: std::io::Write> std::io::Write for Hashing<W> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            let n = self.inner.write(bytes)?;
            self.digest.update(&bytes[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.inner.flush()
        }
    }
    use std::io::Write as _;
    // 64 KiB: a few system calls per module, a buffer that stays in cache.
    let mut out = Hashing {
        inner: std::io::BufWriter::with_capacity(1 << 16, file),
        digest: Sha256::new(),
    };
    module.write_to(&mut out)?;
    out.write_all(b"\n")?;
    out.flush()?;
    let Hashing { inner, digest } = out;
    inner.into_inner().map_err(|e| e.into_error())?;
    Ok(hex(&digest.finalize()))
}

/// Pretty JSON with two-space indentation and a final newline: stable bytes, readable diffs.
pub fn to_bytes(document: &Json) -> Vec<u8> {
    stackwright_tree::json_bytes(document)
}

/// `manifest.json` of `artifacts`, whose sha256 digests (hex) are `hashes` ([`stackwright_tree::Manifest`]
/// owns the format), without assets.
pub fn manifest(app: &str, artifacts: &[Artifact], hashes: &[String]) -> Vec<u8> {
    manifest_with_assets(app, artifacts, hashes, Vec::new())
}

/// [`manifest`] listing `assets` too.
pub fn manifest_with_assets(
    app: &str,
    artifacts: &[Artifact],
    hashes: &[String],
    assets: Vec<stackwright_tree::manifest::AssetEntry>,
) -> Vec<u8> {
    let artifacts = artifacts
        .iter()
        .zip(hashes)
        .map(|(a, sha256)| {
            let cloudformation = a.target == Target::CloudFormation;
            stackwright_tree::Entry {
                environment: a.environment.clone(),
                account: a.account.clone(),
                region: a.region.clone(),
                stack: a.stack.clone(),
                target: a.target,
                path: a.path.clone(),
                sha256: sha256.clone(),
                removed: a.removed,
                resources: Some(a.resource_count as u64),
                depends_on: a.depends_on.clone(),
                stack_name: cloudformation
                    .then(|| stackwright_cloudformation::stack_name(app, &a.environment, &a.stack)),
                capabilities: cloudformation
                    .then(|| a.capabilities.iter().map(|c| (*c).to_owned()).collect()),
                targets: a.targets.clone(),
                deployed_by: a.deployed_by.clone(),
            }
        })
        .collect();
    stackwright_tree::Manifest {
        app: app.to_owned(),
        artifacts,
        assets,
        step: None,
    }
    .to_bytes()
}

/// [`manifest`] of artifacts that hold their bytes.
pub fn manifest_of(app: &str, artifacts: &[Artifact]) -> Vec<u8> {
    let hashes: Vec<String> = artifacts.iter().map(|a| hex_sha256(&a.bytes)).collect();
    manifest(app, artifacts, &hashes)
}

/// The sha256 digest of `bytes`, in lowercase hex as `manifest.json` gives it.
pub fn hex_sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of a digest, as `manifest.json` gives it.
fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
