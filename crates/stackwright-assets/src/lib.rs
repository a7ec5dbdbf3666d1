//! Code assets: a file, a directory, the output of a build command or a Rust binary crate built for
//! Lambda ([`RustFunction`]), packed into a zip that is byte-identical for identical inputs on any machine
//! and named by its sha256; and container images, from an OCI image layout made elsewhere or built from a
//! `FROM scratch` build context ([`ImageBuild`]), kept as OCI archives and tagged with their manifest's
//! digest ([`AssetHandle::image_uri`]).
//!
//! ```no_run
//! use stackwright_assets::{asset_path, Asset, StackAssets};
//! # fn define(stack: &mut stackwright_core::Stack) {
//! let code = stack.asset(Asset::directory(asset_path!("functions/orders")));
//! // code.s3_bucket(), code.s3_key(): the function's `Code` in any layer (CloudFormation reads the
//! // published object; Terraform uploads it from the tree itself). code.terraform_path() and
//! // code.sha256_base64(): a hashicorp/aws function's `filename` and `source_code_hash`.
//! # }
//! ```
//!
//! - **Where it goes.** [`StackAssets::asset`] adds a node to the stack ([`stackwright_aws::kinds::ASSET`])
//!   whose attributes the handle's values reference. CloudFormation declares nothing for it (the object
//!   is published before the deploy: `list`). A Terraform module whose blocks read the object's bucket
//!   or key gets an `aws_s3_object` that uploads the zip from the tree (`source` relative to
//!   `path.module`, named and keyed by the zip's sha256), so `terraform apply` needs no publish step.
//!
//! - **Reproducible bytes.** Entries sorted by name, each deflated (flate2's pure-Rust backend, level 6),
//!   dated 1980-01-01 00:00:00, mode 0644 or 0755 (executable), no owner ids, no extra fields, no
//!   directory entries, names relative to the asset's root. Two checkouts in different places, with
//!   different umasks and mtimes, give the same zip.
//! - **Located errors.** A missing path, a symbolic link leaving the asset's directory, a FIFO, socket or
//!   device, a name that is not UTF-8, more than Lambda's 250 MB unzipped or 50 MB zipped (direct
//!   upload), a failed build: each is a problem at the line that declared the asset
//!   ([`StackAssets::asset`], `#[track_caller]`), with the environment and stack.
//! - **Fast when nothing changed.** Files are hashed by path and stamp (size, mtime, ctime, device, inode; a
//!   file modified less than 2 s before it was read is read again next time), then by content; a zip is
//!   packed, and a build command run, only when its content key is new. What one synthesis learned is
//!   kept for the next ([`load`], [`save`]) beside the output tree, never in it (the CLI writes it to
//!   `.stackwright-cache/<out>.assets.json`: it holds this machine's paths, inodes and times).
//!
//! Architecture invariant: the definition's only IO is here (reading the sources, running the user's
//! build commands); nothing here writes the output tree (the CLI does, through `stackwright-tree`), and
//! nothing reaches an artifact but sha256 names and sizes, and the zip's path relative to a module.

mod archive;
mod bootstrap;
mod dockerfile;
mod image;
mod rust;
mod scan;
mod store;

pub use bootstrap::{
    bootstrap, bootstrap_problems, bucket_exists, AssetBucket, Bootstrap, NONCURRENT_VERSION_DAYS,
    PROVIDES, REPOSITORY_NAME,
};
pub use dockerfile::ImageBuild;
pub use rust::{
    untestable_here, Architecture, RustFunction, GLIBC, ZIGBUILD_VERSION, ZIGLANG_VERSION,
};
pub use store::{forget, load, save};

use stackwright_core::{
    AttrRef, Declare, Diagnostic, Expr, Location, Resource, ResourceRef, Stack,
};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Lambda's limit on a zip uploaded directly (`ZipFile`, Terraform's `filename`): 50 MB.
pub const LAMBDA_ZIPPED_LIMIT: u64 = 50 * 1024 * 1024;
/// Lambda's limit on a function's code unzipped, layers included: 250 MB.
pub const LAMBDA_UNZIPPED_LIMIT: u64 = 250 * 1024 * 1024;
/// The path of the asset whose zip has `sha256`, relative to the output tree: `assets/<sha256>.zip`
/// (the tree's layout, `stackwright_tree::fields::asset_path`).
pub fn tree_path(sha256: &str) -> String {
    stackwright_tree::fields::asset_path(sha256)
}

/// A path to an asset's source: relative to the crate that declares it ([`asset_path!`]) or to the
/// current directory (`&str`, `PathBuf`). Only the path as written is ever shown or recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetPath {
    base: Option<&'static str>,
    relative: PathBuf,
}

impl AssetPath {
    /// `relative` under `manifest_dir` (what [`asset_path!`] passes: the declaring crate's directory).
    pub fn in_crate(manifest_dir: &'static str, relative: impl Into<PathBuf>) -> AssetPath {
        AssetPath {
            base: Some(manifest_dir),
            relative: relative.into(),
        }
    }

    /// Where the source is on this machine.
    pub fn resolve(&self) -> PathBuf {
        match self.base {
            Some(base) => Path::new(base).join(&self.relative),
            None => self.relative.clone(),
        }
    }

    /// The path as the user wrote it.
    pub fn shown(&self) -> String {
        self.relative.to_string_lossy().into_owned()
    }
}

impl From<&str> for AssetPath {
    fn from(path: &str) -> Self {
        AssetPath {
            base: None,
            relative: path.into(),
        }
    }
}

impl From<String> for AssetPath {
    fn from(path: String) -> Self {
        AssetPath {
            base: None,
            relative: path.into(),
        }
    }
}

impl From<PathBuf> for AssetPath {
    fn from(path: PathBuf) -> Self {
        AssetPath {
            base: None,
            relative: path,
        }
    }
}

impl From<&Path> for AssetPath {
    fn from(path: &Path) -> Self {
        AssetPath {
            base: None,
            relative: path.to_path_buf(),
        }
    }
}

/// A path relative to the directory of the crate that writes it (its `Cargo.toml`), whatever the current
/// directory: `asset_path!("functions/orders")`.
#[macro_export]
macro_rules! asset_path {
    ($path:expr) => {
        $crate::AssetPath::in_crate(env!("CARGO_MANIFEST_DIR"), $path)
    };
}

/// What an asset is made from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// One file, zipped under its file name.
    File,
    /// A directory's files, under their paths relative to it.
    Directory,
    /// The output directory of a build command.
    Command,
    /// A Rust binary built for Lambda, as `bootstrap`.
    Rust,
    /// A container image (an OCI archive, not a zip).
    Image,
}

impl Kind {
    /// The manifest's word for it: `file`, `directory`, `command`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::File => "file",
            Kind::Directory => "directory",
            Kind::Command => "command",
            Kind::Rust => "rust",
            Kind::Image => stackwright_tree::fields::IMAGE_KIND,
        }
    }
}

/// A build command whose output directory is an asset (a Node or Python project's bundle): run in
/// `dir` only when the contents of its `inputs` changed since an earlier synthesis packed its output.
/// Runs with stdin closed and `SOURCE_DATE_EPOCH=315532800` (1980-01-01), which reproducible build tools
/// read; its output must not depend on anything but its inputs (the packed zip is named by its bytes, so
/// a build that is not reproducible changes the asset on every run that builds).
///
/// Builds in one directory take turns, across threads and processes (two synthesis runs into different
/// trees, say): each holds an advisory lock (`flock`) on `dir` from before its command runs until its
/// output is packed. An output that changes while it is packed (a process the build left running keeps
/// writing it) is an error, never a zip. The command stays in the synthesis's process group, so Ctrl-C
/// in a terminal stops both; a synthesis killed otherwise (`kill -9`, a CI job's cancellation that
/// signals only the synthesis) leaves the command running until it ends, or until it next writes to its
/// standard output or error (a pipe to the dead synthesis: it gets `SIGPIPE`); the next synthesis does
/// not wait for it (the lock went with the killed process), and refuses its output if it is still being
/// written when it is packed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildCommand {
    program: String,
    args: Vec<String>,
    dir: AssetPath,
    inputs: Vec<PathBuf>,
    output: PathBuf,
}

impl BuildCommand {
    /// `program` run in `dir` (`asset_path!("web/orders")`), packing `output` (relative to `dir`).
    pub fn new(
        dir: impl Into<AssetPath>,
        program: impl Into<String>,
        output: impl Into<PathBuf>,
    ) -> Self {
        BuildCommand {
            program: program.into(),
            args: Vec::new(),
            dir: dir.into(),
            inputs: Vec::new(),
            output: output.into(),
        }
    }

    /// The program's arguments.
    pub fn args<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// A file or directory (relative to `dir`) whose contents the output depends on; the command runs
    /// again when one of them changes. List every one (sources, lock files, the build's configuration).
    pub fn input(mut self, path: impl Into<PathBuf>) -> Self {
        self.inputs.push(path.into());
        self
    }

    /// The command line as shown in messages, quoted as a shell would read it.
    fn shown(&self) -> String {
        let words =
            std::iter::once(self.program.as_str()).chain(self.args.iter().map(String::as_str));
        format!(
            "build command `{}` in `{}`",
            shell_words(words),
            self.dir.shown()
        )
    }

    fn run(&self) -> Result<(), String> {
        let shown = self.shown();
        let mut command = std::process::Command::new(&self.program);
        command
            .args(&self.args)
            .current_dir(self.dir.resolve())
            .env("SOURCE_DATE_EPOCH", "315532800")
            .stdin(std::process::Stdio::null());
        let (status, output) =
            output_in_order(command).map_err(|e| format!("cannot run {shown}: {e}"))?;
        if status.success() {
            return Ok(());
        }
        Err(format!(
            "{shown} failed ({status}); its last lines of output:\n  {}",
            last_lines(&output)
        ))
    }
}

/// Words as a shell would read them (`sh -c 'echo a; exit 3'`); a word holding a NUL, which no shell
/// can, is shown escaped.
pub(crate) fn shell_words<'a>(words: impl IntoIterator<Item = &'a str> + Clone) -> String {
    shlex::try_join(words.clone()).unwrap_or_else(|_| {
        words
            .into_iter()
            .map(|w| w.escape_debug().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// Runs `command` with its standard output and error on one pipe, so that its output keeps the order
/// it was written in; returns its status and output once it ends and the pipe is closed.
pub(crate) fn output_in_order(
    mut command: std::process::Command,
) -> std::io::Result<(std::process::ExitStatus, Vec<u8>)> {
    use std::io::Read as _;
    let (mut reader, writer) = std::io::pipe()?;
    command.stdout(writer.try_clone()?).stderr(writer);
    let mut child = command.spawn()?;
    // The command holds the pipe's write ends until dropped: the read below would never end.
    drop(command);
    let mut output = Vec::new();
    let read = reader.read_to_end(&mut output);
    let status = child.wait()?;
    read?;
    Ok((status, output))
}

/// The last 20 lines of a command's output, each escaped (no terminal control reaches the message),
/// in the order they were written.
pub(crate) fn last_lines(output: &[u8]) -> String {
    let text = String::from_utf8_lossy(output);
    let lines: Vec<String> = text.lines().map(|l| l.escape_debug().to_string()).collect();
    lines[lines.len().saturating_sub(20)..].join("\n  ")
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Spec {
    Path { kind: Kind, path: AssetPath },
    Command(BuildCommand),
    Rust(RustFunction),
    Image(AssetPath),
    Build(ImageBuild),
}

/// An asset to declare on a stack ([`StackAssets::asset`]); records the line that created it.
#[derive(Clone, Debug)]
pub struct Asset {
    spec: Spec,
    location: Location,
}

impl Asset {
    /// One file (a Python handler, a prebuilt `bootstrap`), zipped under its file name.
    #[track_caller]
    pub fn file(path: impl Into<AssetPath>) -> Asset {
        Asset {
            spec: Spec::Path {
                kind: Kind::File,
                path: path.into(),
            },
            location: std::panic::Location::caller(),
        }
    }

    /// Every file under a directory, by its path relative to it.
    #[track_caller]
    pub fn directory(path: impl Into<AssetPath>) -> Asset {
        Asset {
            spec: Spec::Path {
                kind: Kind::Directory,
                path: path.into(),
            },
            location: std::panic::Location::caller(),
        }
    }

    /// The output directory of a build command, built when its inputs changed.
    #[track_caller]
    pub fn command(command: BuildCommand) -> Asset {
        Asset {
            spec: Spec::Command(command),
            location: std::panic::Location::caller(),
        }
    }

    /// A Rust binary crate built for Lambda (`provided.al2023`): the binary alone, as `bootstrap`,
    /// built when its inputs changed (see [`RustFunction`]).
    #[track_caller]
    pub fn rust(function: RustFunction) -> Asset {
        Asset {
            spec: Spec::Rust(function),
            location: std::panic::Location::caller(),
        }
    }

    /// A container image from an OCI image layout made elsewhere (`buildah push IMAGE oci:DIR`,
    /// `skopeo copy docker://... oci:DIR`, `docker buildx build --output type=oci,tar=false`): a directory
    /// with `oci-layout`, an `index.json` naming exactly one image, and its blobs. The tree holds it as an
    /// OCI archive (`assets/<sha256>.tar`); it is published to the environment's image repository
    /// ([`bootstrap`]) tagged with its manifest's digest ([`AssetHandle::image_uri`]), in both targets.
    #[track_caller]
    pub fn oci_layout(path: impl Into<AssetPath>) -> Asset {
        Asset {
            spec: Spec::Image(path.into()),
            location: std::panic::Location::caller(),
        }
    }

    /// A container image built from a build context without a daemon (a `FROM scratch` Dockerfile that
    /// copies files and sets the configuration, see [`ImageBuild`]): reproducible, digest included; kept,
    /// tagged and published as [`Asset::oci_layout`]'s images are.
    #[track_caller]
    pub fn image(build: ImageBuild) -> Asset {
        Asset {
            spec: Spec::Build(build),
            location: std::panic::Location::caller(),
        }
    }

    /// What it is made from.
    fn kind(&self) -> Kind {
        match &self.spec {
            Spec::Path { kind, .. } => *kind,
            Spec::Command(_) => Kind::Command,
            Spec::Rust(_) => Kind::Rust,
            Spec::Image(_) | Spec::Build(_) => Kind::Image,
        }
    }

    /// The source as the user wrote it, as the manifest lists it (a build command's: its directory and
    /// output; a Rust function's: its directory, package, binary and architecture).
    fn source(&self) -> String {
        match &self.spec {
            Spec::Path { path, .. } | Spec::Image(path) => path.shown(),
            Spec::Command(command) => Path::new(&command.dir.shown())
                .join(&command.output)
                .to_string_lossy()
                .into_owned(),
            Spec::Build(build) => build.context.shown(),
            Spec::Rust(function) => format!(
                "{} (package {}, binary {}, {})",
                function.dir.shown(),
                function.package,
                function.bin_name(),
                function.architecture.lambda_name()
            ),
        }
    }

    /// Packs the asset (or finds it packed already) and says what it is, as [`StackAssets::asset`] does
    /// without a stack; the error is a message for the asset's line.
    pub fn resolve(&self) -> Result<AssetUse, String> {
        // The manifest refuses a source with a control character (a line break would forge a line of
        // list's output): refuse it here, at the declaration, before anything is read or built.
        let shown = self.source();
        if shown.chars().any(char::is_control) {
            return Err(format!(
                "asset source `{}` contains a control character (shown escaped): expected a path \
                 without control characters (line breaks, tabs, escapes); rename it",
                shown.escape_debug()
            ));
        }
        let mut image_tag = None;
        let (info, remembered) = match &self.spec {
            Spec::Path { kind, path } => {
                check_path_kind(*kind, &path.resolve(), &path.shown())?;
                store::resolve_path(&path.resolve(), &path.shown())?
            }
            Spec::Command(command) => store::resolve_command(command)?,
            Spec::Rust(function) => store::resolve_rust(function)?,
            Spec::Image(path) => {
                let (info, remembered, tag) = store::resolve_image(&path.resolve(), &path.shown())?;
                image_tag = Some(tag);
                (info, remembered)
            }
            Spec::Build(build) => {
                let (info, remembered) = store::resolve_build(build)?;
                image_tag = info.tag.clone();
                (info, remembered)
            }
        };
        let (kind, source) = (self.kind(), shown);
        Ok(AssetUse {
            sha256: info.sha256,
            kind,
            source,
            size: info.size,
            unzipped_size: info.unzipped,
            location: self.location,
            spec: Arc::new(self.spec.clone()),
            remembered,
            read_from_s3: Arc::default(),
            image_tag,
            misuses: Arc::default(),
        })
    }
}

/// An [`Asset::directory`] that is a file, or an [`Asset::file`] that is a directory (a missing path is
/// the scan's error): the manifest would list it as what it is not.
fn check_path_kind(kind: Kind, resolved: &Path, shown: &str) -> Result<(), String> {
    let Ok(meta) = std::fs::metadata(resolved) else {
        return Ok(());
    };
    match kind {
        Kind::Directory if !meta.is_dir() => Err(format!(
            "asset source `{shown}` is declared with `Asset::directory` but is not a directory: \
             use `Asset::file` for one file"
        )),
        Kind::File if !meta.is_file() => Err(format!(
            "asset source `{shown}` is declared with `Asset::file` but is not a file: use \
             `Asset::directory` for a directory's files"
        )),
        _ => Ok(()),
    }
}

/// A packed asset a stack uses: what `manifest.json` lists of it, and how to get its bytes.
#[derive(Clone, Debug)]
pub struct AssetUse {
    /// The zip's sha256 (lowercase hex): its name.
    pub sha256: String,
    pub kind: Kind,
    /// The source as the user wrote it (a build command's: its directory and output).
    pub source: String,
    /// The zip's size in bytes.
    pub size: u64,
    /// The sum of its files' sizes.
    pub unzipped_size: u64,
    /// The line that declared it.
    pub location: Location,
    spec: Arc<Spec>,
    remembered: store::Remembered,
    /// Set once the definition read the object's bucket or key ([`AssetHandle::s3_bucket`],
    /// [`AssetHandle::s3_key`]).
    read_from_s3: Arc<AtomicBool>,
    /// An image's tag: its manifest's sha256 (hex).
    pub(crate) image_tag: Option<String>,
    /// Each read of the handle that does not fit the asset's kind (an image's S3 key, a zip's image
    /// URI): the method and its caller's line, reported by [`problems`].
    misuses: Arc<Mutex<Vec<(&'static str, Location)>>>,
}

impl AssetUse {
    /// Its path in the output tree: `assets/<sha256>.zip` (an image's: `assets/<sha256>.tar`).
    pub fn tree_path(&self) -> String {
        stackwright_tree::fields::asset_path_of(self.kind.name(), &self.sha256)
    }

    /// An image's tag in its repository: the sha256 (hex) of its manifest, which names its content.
    pub fn image_tag(&self) -> Option<&str> {
        self.image_tag.as_deref()
    }

    /// Whether the definition read its object in the asset bucket ([`AssetHandle::s3_bucket`],
    /// [`AssetHandle::s3_key`]): then it has a destination there (CloudFormation reads the published
    /// object, Terraform uploads it); an asset read only by its path in the tree
    /// ([`AssetHandle::terraform_path`]) has none.
    pub fn read_from_s3(&self) -> bool {
        self.read_from_s3.load(Ordering::Relaxed)
    }

    /// The Rust targets (`x86_64-unknown-linux-gnu`, `aarch64-unknown-linux-gnu`) its build compiles
    /// for: a [`RustFunction`]'s, or those of an [`ImageBuild`]'s Rust binaries; empty for any other
    /// asset. A machine that synthesizes it (`synth --check` in CI) needs the Lambda build tools
    /// (cargo-zigbuild [`ZIGBUILD_VERSION`], ziglang [`ZIGLANG_VERSION`]) and these targets' standard
    /// libraries.
    pub fn rust_targets(&self) -> Vec<&'static str> {
        let mut targets: Vec<&'static str> = match self.spec.as_ref() {
            Spec::Rust(function) => vec![function.architecture.rust_target()],
            Spec::Build(build) => build
                .binaries
                .iter()
                .map(|(_, function)| function.architecture.rust_target())
                .collect(),
            Spec::Path { .. } | Spec::Command(_) | Spec::Image(_) => Vec::new(),
        };
        targets.sort_unstable();
        targets.dedup();
        targets
    }

    /// Whether declaring it packed the zip (and ran its build command): false when an earlier synthesis
    /// in this process, or the tree's cache, had it unchanged.
    pub fn was_packed(&self) -> bool {
        self.remembered.packed
    }

    /// The zip's bytes: kept from packing, or packed again (a build command runs again). An error if the
    /// sources changed since the asset was declared (its sha256 would not be its name).
    pub fn bytes(&self) -> Result<Arc<Vec<u8>>, String> {
        store::bytes(&self.spec, &self.sha256)
    }
}

/// The assets a stack uses, in declaration order, as [`StackAssets::asset`] records them in the stack's
/// extensions (`stack.extensions().get::<UsedAssets>()`).
#[derive(Clone, Debug, Default)]
pub struct UsedAssets {
    pub assets: Vec<Arc<AssetUse>>,
    /// The node ([`stackwright_aws::kinds::ASSET`]) of each distinct zip the stack declared, by sha256.
    nodes: Vec<(String, ResourceRef)>,
}

/// The name of the asset bucket of an environment: `stackwright-assets-<account>-<region>`, unique in S3
/// as account and region are (`stackwright_tree::fields::asset_bucket`, which `manifest.json` is checked
/// by). An `Expr`, so that it is right in every environment the definition runs for.
pub fn bucket_name() -> Expr {
    Expr::from("stackwright-assets-") + Expr::account_id() + "-" + Expr::region()
}

/// A declared asset: the values a function's code (or any S3 location) takes.
///
/// Two ways to a function's code, in any layer:
/// - **S3** ([`s3_bucket`](Self::s3_bucket), [`s3_key`](Self::s3_key)): CloudFormation reads the object
///   that `list`'s publish commands upload before the deploy; Terraform uploads it itself from the tree
///   (an `aws_s3_object` beside the function, `source` relative to `path.module`), so a Terraform deploy
///   needs no publish step.
/// - **A file** ([`terraform_path`](Self::terraform_path) with
///   [`sha256_base64`](Self::sha256_base64)): a hashicorp/aws `aws_lambda_function`'s `filename` and
///   `source_code_hash`, uploaded by the provider with the function (Terraform only; nothing in S3).
///
/// Read the handle in the stack that declared the asset (declare the asset again in another stack: the
/// zip is packed once).
#[derive(Clone, Debug)]
pub struct AssetHandle {
    asset: Arc<AssetUse>,
    /// The stack's node of the zip; `None` only for an asset whose declaration failed.
    node: Option<ResourceRef>,
}

impl AssetHandle {
    /// The zip's sha256 (lowercase hex).
    pub fn sha256(&self) -> &str {
        &self.asset.sha256
    }

    /// What was declared.
    pub fn asset(&self) -> &AssetUse {
        &self.asset
    }

    fn attr(&self, attr: &'static str, otherwise: Expr) -> Expr {
        match self.node {
            Some(resource) => Expr::Attr(AttrRef { resource, attr }),
            None => otherwise,
        }
    }

    /// Records a read of the handle that does not fit the asset's kind, reported at the caller's line.
    fn misuse(&self, method: &'static str, location: Location) {
        self.asset
            .misuses
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((method, location));
    }

    /// The environment's asset bucket ([`bucket_name`]): a Lambda function's `Code.S3Bucket`. In
    /// Terraform, a reference to the object's upload, so that the function waits for it. An image's is
    /// an error at the caller's line (an image is published to the image repository: [`image_uri`](Self::image_uri)).
    #[track_caller]
    pub fn s3_bucket(&self) -> Expr {
        if self.asset.kind == Kind::Image {
            self.misuse("s3_bucket", std::panic::Location::caller());
            return bucket_name();
        }
        self.asset.read_from_s3.store(true, Ordering::Relaxed);
        self.attr(asset_kind::BUCKET, bucket_name())
    }

    /// The object's key in the asset bucket, `<sha256>.zip`: a Lambda function's `Code.S3Key`. In
    /// Terraform, a reference to the object's upload, so that the function waits for it. An image's is
    /// an error at the caller's line (no zip of it is published: [`image_uri`](Self::image_uri)).
    #[track_caller]
    pub fn s3_key(&self) -> Expr {
        if self.asset.kind == Kind::Image {
            self.misuse("s3_key", std::panic::Location::caller());
            return Expr::from(self.key());
        }
        self.asset.read_from_s3.store(true, Ordering::Relaxed);
        self.attr(asset_kind::KEY, Expr::from(self.key()))
    }

    fn key(&self) -> String {
        format!("{}.zip", self.asset.sha256)
    }

    /// `s3://<bucket>/<sha256>.zip`. An image's is an error at the caller's line.
    #[track_caller]
    pub fn s3_url(&self) -> Expr {
        if self.asset.kind == Kind::Image {
            self.misuse("s3_url", std::panic::Location::caller());
            return Expr::from(format!("s3://{}", self.key()));
        }
        Expr::from("s3://") + self.s3_bucket() + "/" + self.s3_key()
    }

    /// The zip in the tree, for a Terraform root module of it (`terraform/<env>/<stack>/`):
    /// `${path.module}/../../../assets/<sha256>.zip`, for a hashicorp/aws `aws_lambda_function`'s
    /// `filename` (with [`sha256_base64`](Self::sha256_base64) as its `source_code_hash`), which
    /// Terraform uploads with the function. No CloudFormation equivalent (an error there: use
    /// [`s3_bucket`](Self::s3_bucket) and [`s3_key`](Self::s3_key)). An image's is an error at the
    /// caller's line (no zip of it is in the tree).
    #[track_caller]
    pub fn terraform_path(&self) -> Expr {
        if self.asset.kind == Kind::Image {
            self.misuse("terraform_path", std::panic::Location::caller());
            return Expr::from(format!("/{}", terraform_source(&self.asset.sha256)));
        }
        let relative = format!("/{}", terraform_source(&self.asset.sha256));
        match self.node {
            Some(resource) => {
                Expr::Attr(AttrRef {
                    resource,
                    attr: asset_kind::MODULE_PATH,
                }) + relative.as_str()
            }
            None => Expr::from(relative),
        }
    }

    /// An image's URI in the environment's image repository, tagged with its manifest's digest:
    /// `<account>.dkr.ecr.<region>.<partition's DNS suffix>/stackwright-assets:<sha256>` (`amazonaws.com`;
    /// `amazonaws.com.cn` in China: [`Expr::url_suffix`]; a Lambda function's
    /// `Code.ImageUri`, an ECS container's `Image`), in any layer. Published by `list`'s command (`skopeo
    /// copy`) before the deploy, in both targets. A zip's (not an image) is an error at the caller's
    /// line: use [`s3_bucket`](Self::s3_bucket) and [`s3_key`](Self::s3_key).
    #[track_caller]
    pub fn image_uri(&self) -> Expr {
        if self.asset.kind != Kind::Image {
            self.misuse("image_uri", std::panic::Location::caller());
            return Expr::from(format!("s3://{}", self.key()));
        }
        match self.asset.image_tag() {
            Some(tag) => {
                Expr::account_id()
                    + ".dkr.ecr."
                    + Expr::region()
                    + "."
                    + Expr::url_suffix()
                    + format!("/{}:{tag}", stackwright_tree::fields::IMAGE_REPOSITORY_NAME).as_str()
            }
            // An image whose declaration failed: the synthesis fails with its problem.
            None => Expr::from(format!("s3://{}", self.key())),
        }
    }

    /// The zip's sha256 in base64, as Terraform's `filebase64sha256` and Lambda's `CodeSha256` give it:
    /// `source_code_hash`. An image's is an error at the caller's line (an image function's code is
    /// its `image_uri()`, whose tag is the digest).
    #[track_caller]
    pub fn sha256_base64(&self) -> Expr {
        if self.asset.kind == Kind::Image {
            self.misuse("sha256_base64", std::panic::Location::caller());
        }
        let raw: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&self.asset.sha256[2 * i..2 * i + 2], 16).unwrap_or(0))
            .collect();
        Expr::from(base64(&raw))
    }
}

/// A Lambda function's code from an asset: a zip's bucket and key, an image's URI
/// (`lambda::Function::new("Api", &code, ..)`, `lambda::Function::from_image("Api", &image)`).
impl From<&AssetHandle> for stackwright_aws::lambda::Code {
    fn from(asset: &AssetHandle) -> Self {
        if asset.asset.kind == Kind::Image {
            stackwright_aws::lambda::Code::image(asset.image_uri())
        } else {
            stackwright_aws::lambda::Code::s3(asset.s3_bucket(), asset.s3_key())
        }
    }
}

/// An ECS container's image from an image asset: its URI in the environment's image repository
/// ([`REPOSITORY_NAME`]), which the task's execution role may pull from
/// (`ecs::Container::new("web", &image)`). A zip's is an error at the caller's line, as
/// [`AssetHandle::image_uri`] says.
impl From<&AssetHandle> for stackwright_aws::ecs::Image {
    #[track_caller]
    fn from(asset: &AssetHandle) -> Self {
        stackwright_aws::ecs::Image::in_repository(asset.image_uri(), bootstrap::REPOSITORY_NAME)
    }
}

/// Every problem of the assets of a stack that is known only once the stack is defined: an asset the
/// [`bootstrap`] stack itself publishes ([`bootstrap_problems`]), and each read of a handle that does
/// not fit its asset's kind (an image's S3 bucket, key or URL, which no zip is published to; a zip's
/// image URI), at the line that read it. Synthesis (and `list`, `plan`, `--check`) reports them as the
/// stack's problems.
pub fn problems(stack: &Stack) -> Vec<Diagnostic> {
    let mut found = bootstrap_problems(stack);
    let Some(used) = stack.extensions().get::<UsedAssets>() else {
        return found;
    };
    let mut seen: Vec<*const AssetUse> = Vec::new();
    for asset in &used.assets {
        // Declared twice with one handle's misuses shared: report them once.
        if seen.contains(&Arc::as_ptr(asset)) {
            continue;
        }
        seen.push(Arc::as_ptr(asset));
        let misuses = asset
            .misuses
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for (method, location) in misuses.iter() {
            let message = if asset.kind == Kind::Image {
                format!(
                    "`{method}()` of image asset `{}` (declared at {}:{}): an image is pushed to the \
                     image repository, and no zip of it is published to the asset bucket or the tree; use \
                     `image_uri()` (a Lambda function's `Code.ImageUri` with `PackageType::Image`)",
                    asset.source,
                    asset.location.file(),
                    asset.location.line()
                )
            } else {
                format!(
                    "`image_uri()` of {} asset `{}` (declared at {}:{}): it is a zip, not a container \
                     image; use `s3_bucket()` and `s3_key()` (a Lambda function's `Code.S3Bucket` and \
                     `Code.S3Key`), or declare an image with `Asset::image` or `Asset::oci_layout`",
                    asset.kind.name(),
                    asset.source,
                    asset.location.file(),
                    asset.location.line()
                )
            };
            found.push(Diagnostic::new(message).at(location));
        }
    }
    found
}

/// The zip's path from a Terraform root module of the tree (`terraform/<env>/<stack>/`).
fn terraform_source(sha256: &str) -> String {
    format!(
        "{}/{}",
        stackwright_tree::fields::MODULE_TO_ROOT,
        tree_path(sha256)
    )
}

/// The node of a zip in a stack ([`stackwright_aws::kinds::ASSET`]).
struct AssetNode {
    resource: Resource,
}

impl AssetNode {
    fn new(sha256: &str, location: Location) -> AssetNode {
        let mut resource = Resource::new(format!("Asset{}", &sha256[..16]), asset_kind::NODE);
        resource.location = location;
        resource.set(asset_kind::BUCKET, bucket_name());
        resource.set(asset_kind::KEY, format!("{sha256}.zip"));
        resource.set(asset_kind::SHA256, sha256.to_owned());
        resource.set(asset_kind::TERRAFORM_SOURCE, terraform_source(sha256));
        // A zip of another version is another object: the old one goes once nothing reads it (the
        // bucket keeps its version for `NONCURRENT_VERSION_DAYS`), whatever the environment keeps.
        resource.choose_removal_policy(stackwright_core::RemovalPolicy::Destroy);
        AssetNode { resource }
    }
}

impl Declare for AssetNode {
    type Handle = ResourceRef;
    fn declare(self, at: ResourceRef) -> (Resource, ResourceRef) {
        (self.resource, at)
    }
}

/// The kind and neutral names of an asset's node.
mod asset_kind {
    pub(crate) use stackwright_aws::kinds::asset::*;
    pub(crate) const NODE: &str = stackwright_aws::kinds::ASSET;
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Declaring assets on a stack: `stack.asset(Asset::directory(asset_path!("functions/orders")))`.
pub trait StackAssets {
    /// Packs the asset (or finds it unchanged), records it on the stack (so that synth writes it into
    /// the tree and lists it in `manifest.json`) and returns its handle. The stack deploys after the
    /// environment's [`bootstrap`] stack, if it has one. A problem (missing path,
    /// symbolic link out, special file, over Lambda's limits, failed build) is reported at the line that
    /// created the [`Asset`], and fails the synthesis.
    fn asset(&mut self, asset: Asset) -> AssetHandle;
}

impl StackAssets for Stack {
    fn asset(&mut self, asset: Asset) -> AssetHandle {
        match asset.resolve() {
            Ok(used) => {
                let used = Arc::new(used);
                // Published to the environment's bucket or repository: deploy after its bootstrap stack.
                self.needs(PROVIDES, used.source.clone(), used.location);
                let known = self.extensions().get::<UsedAssets>().and_then(|u| {
                    u.nodes
                        .iter()
                        .find(|(sha, _)| *sha == used.sha256)
                        .map(|(_, node)| *node)
                });
                let node = match known {
                    Some(node) => Some(node),
                    // An image is pushed to its repository by the publish step in both targets: no node.
                    None if used.kind == Kind::Image => None,
                    None => {
                        let node = self.add(AssetNode::new(&used.sha256, used.location));
                        self.extensions_mut()
                            .get_or_default_mut::<UsedAssets>()
                            .nodes
                            .push((used.sha256.clone(), node));
                        Some(node)
                    }
                };
                self.extensions_mut()
                    .get_or_default_mut::<UsedAssets>()
                    .assets
                    .push(used.clone());
                AssetHandle { asset: used, node }
            }
            Err(message) => {
                self.report(Diagnostic::new(message).at(asset.location));
                // Never written: the synthesis fails with the problem.
                AssetHandle {
                    asset: Arc::new(AssetUse {
                        sha256: "0".repeat(64),
                        kind: asset.kind(),
                        source: String::new(),
                        size: 0,
                        unzipped_size: 0,
                        location: asset.location,
                        spec: Arc::new(asset.spec),
                        remembered: store::Remembered::default(),
                        read_from_s3: Arc::default(),
                        image_tag: None,
                        misuses: Arc::default(),
                    }),
                    node: None,
                }
            }
        }
    }
}
