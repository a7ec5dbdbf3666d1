//! What this process knows of files and assets it has hashed and packed, and the cache that carries it
//! from one synthesis to the next (a file of this machine beside the output tree, never in it).
//!
//! Everything here is keyed by what determines it, so one table serves every synthesis in the process
//! (tests run several at once): a file's digest by its path and [`Stamp`]; an asset's zip by its content
//! key (names, executable bits, file digests, packer); a build command's output by its command key (the
//! command, its directory and its inputs' content keys).

use crate::archive::{self, hex};
use crate::scan::{self, Scanned, Stamp};
use crate::{Spec, LAMBDA_UNZIPPED_LIMIT, LAMBDA_ZIPPED_LIMIT};
use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::SystemTime;

const CACHE_FORMAT: u64 = 3;

/// A packed asset: its zip's sha256 (hex), size and unzipped size; an image's tag (its manifest's
/// sha256).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Info {
    pub(crate) sha256: String,
    pub(crate) size: u64,
    pub(crate) unzipped: u64,
    pub(crate) tag: Option<String>,
}

/// What resolving an asset looked at, to be written to the cache of the tree that uses it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Remembered {
    pub(crate) files: Vec<(PathBuf, Stamp, [u8; 32])>,
    pub(crate) content_key: [u8; 32],
    pub(crate) command_key: Option<[u8; 32]>,
    /// Whether resolving packed the zip (and ran the build command, for one): false when remembered.
    pub(crate) packed: bool,
    /// The builds the asset holds the output of (a Rust binary in an image: `ImageBuild::rust_binary`),
    /// as (command key, content key, what was built), so that the next synthesis knows them too.
    pub(crate) builds: Vec<([u8; 32], [u8; 32], Info)>,
}

/// The sha256 of each file of an asset, in its entries' order.
type Digests = Vec<[u8; 32]>;

#[derive(Default)]
struct Memo {
    files: HashMap<PathBuf, (Stamp, [u8; 32])>,
    assets: HashMap<[u8; 32], Info>,
    commands: HashMap<[u8; 32], [u8; 32]>,
    /// Zips packed by this process, by sha256.
    bytes: HashMap<String, Arc<Vec<u8>>>,
}

static MEMO: LazyLock<Mutex<Memo>> = LazyLock::new(Mutex::default);

fn memo() -> std::sync::MutexGuard<'static, Memo> {
    // A panic while holding the lock leaves only whole entries behind: the tables stay usable.
    MEMO.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The remembered digest of each entry, if every one is remembered under its current stamp.
fn remembered(scanned: &Scanned) -> Option<Vec<[u8; 32]>> {
    let memo = memo();
    scanned
        .entries
        .iter()
        .map(|e| match memo.files.get(&e.path) {
            Some((stamp, digest)) if *stamp == e.stamp => Some(*digest),
            _ => None,
        })
        .collect()
}

fn remember_files(
    scanned: &Scanned,
    digests: &[[u8; 32]],
    started: SystemTime,
) -> Vec<(PathBuf, Stamp, [u8; 32])> {
    let mut memo = memo();
    let mut kept = Vec::with_capacity(digests.len());
    for (entry, digest) in scanned.entries.iter().zip(digests) {
        if entry.stamp.trusted(started) {
            memo.files
                .insert(entry.path.clone(), (entry.stamp, *digest));
            kept.push((entry.path.clone(), entry.stamp, *digest));
        }
    }
    kept
}

fn key_of(scanned: &Scanned, digests: &[[u8; 32]]) -> [u8; 32] {
    archive::content_key(
        scanned
            .entries
            .iter()
            .zip(digests)
            .map(|(e, d)| (e.name.as_str(), e.executable, d)),
    )
}

/// Resolves a file or directory asset: its zip's sha256 without packing when every file's stamp and the
/// content key are remembered, else packs it (reading each file once).
pub(crate) fn resolve_path(root: &Path, shown: &str) -> Result<(Info, Remembered), String> {
    let started = SystemTime::now();
    let scanned = scan::scan(root, shown, LAMBDA_UNZIPPED_LIMIT)?;
    if let Some(digests) = remembered(&scanned) {
        let key = key_of(&scanned, &digests);
        if let Some(info) = memo().assets.get(&key).cloned() {
            let files = scanned
                .entries
                .iter()
                .zip(&digests)
                .map(|(e, d)| (e.path.clone(), e.stamp, *d))
                .collect();
            return Ok((
                info,
                Remembered {
                    files,
                    content_key: key,
                    command_key: None,
                    packed: false,
                    builds: Vec::new(),
                },
            ));
        }
    }
    let (info, key, digests) = pack_and_remember(&scanned, shown)?;
    let files = remember_files(&scanned, &digests, started);
    Ok((
        info,
        Remembered {
            files,
            content_key: key,
            command_key: None,
            packed: true,
            builds: Vec::new(),
        },
    ))
}

fn pack_and_remember(scanned: &Scanned, shown: &str) -> Result<(Info, [u8; 32], Digests), String> {
    let packed = pack_checked(scanned, shown)?;
    let digests = packed.3.clone();
    let (info, key) = remember_packed(packed);
    Ok((info, key, digests))
}

/// A zip packed but not yet remembered: its bytes, its info, its content key and its files' digests.
type Packed = (Vec<u8>, Info, [u8; 32], Digests);

/// Packs `scanned`, checked against Lambda's limit for a zip.
fn pack_checked(scanned: &Scanned, shown: &str) -> Result<Packed, String> {
    let packed = archive::pack(scanned, shown)?;
    let size = packed.bytes.len() as u64;
    if size > LAMBDA_ZIPPED_LIMIT {
        return Err(format!(
            "asset `{shown}` is {size} bytes zipped, over Lambda's limit of {LAMBDA_ZIPPED_LIMIT} bytes (50 MB) for a \
             zip uploaded directly: leave out what the function does not load, or use a container image"
        ));
    }
    let key = key_of(scanned, &packed.digests);
    let info = Info {
        sha256: hex(&Sha256::digest(&packed.bytes)),
        size,
        unzipped: scanned.total,
        tag: None,
    };
    Ok((packed.bytes, info, key, packed.digests))
}

/// Remembers a packed zip (its info by content key, its bytes by sha256).
fn remember_packed((bytes, info, key, _): Packed) -> (Info, [u8; 32]) {
    let mut memo = memo();
    memo.assets.insert(key, info.clone());
    memo.bytes.insert(info.sha256.clone(), Arc::new(bytes));
    (info, key)
}

/// Resolves a build command's asset: runs the command only when its command key (the command, its
/// directory and its inputs' contents) is not remembered, then packs its output directory.
pub(crate) fn resolve_command(command: &crate::BuildCommand) -> Result<(Info, Remembered), String> {
    let started = SystemTime::now();
    let shown = command.shown();
    let dir = command.dir.resolve();
    let mut key = Sha256::new();
    key.update(archive::PACKER.as_bytes());
    key.update(b"\ncommand\n");
    for word in std::iter::once(&command.program).chain(&command.args) {
        key.update(word.as_bytes());
        key.update(b"\0");
    }
    key.update(b"\noutput\n");
    key.update(command.output.to_string_lossy().as_bytes());
    let files = hash_inputs(
        &dir,
        &command.dir.shown(),
        &command.inputs,
        &shown,
        &mut key,
        started,
    )?;
    let command_key: [u8; 32] = key.finalize().into();
    if let Some((info, remembered)) = known_build(command_key, &files) {
        return Ok((info, remembered));
    }
    let (info, content_key) = build(command)?;
    memo().commands.insert(command_key, content_key);
    Ok((
        info,
        Remembered {
            files,
            content_key,
            command_key: Some(command_key),
            packed: true,
            builds: Vec::new(),
        },
    ))
}

/// Adds the contents of each input (relative to `dir`) to `key`; returns what to remember of them.
fn hash_inputs(
    dir: &Path,
    dir_shown: &str,
    inputs: &[PathBuf],
    shown: &str,
    key: &mut Sha256,
    started: SystemTime,
) -> Result<Vec<(PathBuf, Stamp, [u8; 32])>, String> {
    let mut files = Vec::new();
    for input in inputs {
        let input_shown = format!("{dir_shown}/{}", input.display());
        let scanned = scan::scan(&dir.join(input), &input_shown, u64::MAX)?;
        let digests = digests(&scanned, &|name| format!("input `{name}` of {shown}"))?;
        key.update(b"\ninput\n");
        key.update(input.to_string_lossy().as_bytes());
        key.update(key_of(&scanned, &digests));
        files.extend(remember_files(&scanned, &digests, started));
    }
    Ok(files)
}

/// The asset a build with `command_key` packed before, if remembered.
fn known_build(
    command_key: [u8; 32],
    files: &[(PathBuf, Stamp, [u8; 32])],
) -> Option<(Info, Remembered)> {
    let memo = memo();
    let content_key = *memo.commands.get(&command_key)?;
    let info = memo.assets.get(&content_key)?.clone();
    Some((
        info,
        Remembered {
            files: files.to_vec(),
            content_key,
            command_key: Some(command_key),
            packed: false,
            builds: Vec::new(),
        },
    ))
}

/// Resolves an image asset from an OCI image layout: its manifest's digest (the tag), and its archive's
/// sha256 without packing when every file's stamp and the content key are remembered.
pub(crate) fn resolve_image(
    root: &Path,
    shown: &str,
) -> Result<(Info, Remembered, String), String> {
    let started = SystemTime::now();
    let scanned = scan::scan(root, shown, u64::MAX)?;
    let digests = digests(&scanned, &|name| {
        format!("`{name}` of image layout `{shown}`")
    })?;
    let tag = crate::image::manifest_digest(&scanned, &digests, shown)?;
    let mut key = Sha256::new();
    key.update(crate::image::ARCHIVER.as_bytes());
    key.update(key_of(&scanned, &digests));
    let key: [u8; 32] = key.finalize().into();
    let files = remember_files(&scanned, &digests, started);
    if let Some(info) = memo().assets.get(&key).cloned() {
        let remembered = Remembered {
            files,
            content_key: key,
            command_key: None,
            packed: false,
            builds: Vec::new(),
        };
        return Ok((info, remembered, tag));
    }
    let bytes = crate::image::pack(&scanned, shown)?;
    let info = Info {
        sha256: hex(&Sha256::digest(&bytes)),
        size: bytes.len() as u64,
        unzipped: scanned.total,
        tag: Some(tag.clone()),
    };
    remember_packed((bytes, info.clone(), key, digests));
    let remembered = Remembered {
        files,
        content_key: key,
        command_key: None,
        packed: true,
        builds: Vec::new(),
    };
    Ok((info, remembered, tag))
}

/// Resolves an image built from a context ([`crate::ImageBuild`]): its archive's sha256 and tag without
/// building when every file's stamp and the content key are remembered, else builds it in memory.
pub(crate) fn resolve_build(build: &crate::ImageBuild) -> Result<(Info, Remembered), String> {
    let started = SystemTime::now();
    let shown = build.shown();
    let mut scanned = scan::scan(&build.context.resolve(), &build.context.shown(), u64::MAX)?;
    let digests = digests(&scanned, &|name| format!("`{name}` of {shown}"))?;
    let mut key = Sha256::new();
    key.update(crate::dockerfile::BUILDER.as_bytes());
    key.update(crate::image::ARCHIVER.as_bytes());
    key.update(build.architecture.lambda_name().as_bytes());
    key.update(b"\0");
    key.update(build.dockerfile.as_bytes());
    key.update(key_of(&scanned, &digests));
    let mut files = remember_files(&scanned, &digests, started);
    // The Rust binaries put into the context: each built (or remembered) as `Asset::rust` builds it,
    // named in the key by its zip's sha256.
    let mut builds = Vec::new();
    for (name, function) in &build.binaries {
        if scanned.entries.iter().any(|e| &e.name == name) {
            return Err(format!(
                "{shown} has a file `{name}`, where the binary of {} goes: name the binary otherwise",
                function.shown()
            ));
        }
        let (built, remembered) = resolve_rust(function)?;
        key.update(b"\0binary\0");
        key.update(name.as_bytes());
        key.update(b"\0");
        key.update(built.sha256.as_bytes());
        files.extend(remembered.files);
        if let Some(command) = remembered.command_key {
            builds.push((command, remembered.content_key, built.clone()));
        }
        builds.extend(remembered.builds);
    }
    let key: [u8; 32] = key.finalize().into();
    let known = memo().assets.get(&key).cloned();
    let (info, packed) = match known.filter(|info| info.tag.is_some()) {
        Some(info) => (info, false),
        None => {
            let staged = stage_binaries(build, &mut scanned)?;
            let built = crate::dockerfile::build(build, &scanned);
            if let Some(dir) = staged {
                let _ = std::fs::remove_dir_all(dir);
            }
            let (layout, tag) = built?;
            let bytes = crate::image::pack_files(&layout)
                .map_err(|e| format!("cannot pack the image of {shown}: {e}"))?;
            let info = Info {
                sha256: hex(&Sha256::digest(&bytes)),
                size: bytes.len() as u64,
                unzipped: scanned.total,
                tag: Some(tag),
            };
            remember_packed((bytes, info.clone(), key, digests));
            (info, true)
        }
    };
    Ok((
        info,
        Remembered {
            files,
            content_key: key,
            command_key: None,
            packed,
            builds,
        },
    ))
}

/// Writes the Rust binaries of an image build (`ImageBuild::rust_binary`) into a scratch directory, from
/// their zips (whose bytes are checked against their names), and adds each to `scanned` under its name
/// in the context; returns the directory, to remove once the image is built.
fn stage_binaries(
    build: &crate::ImageBuild,
    scanned: &mut scan::Scanned,
) -> Result<Option<PathBuf>, String> {
    if build.binaries.is_empty() {
        return Ok(None);
    }
    static STAGED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "stackwright-image-{}-{}",
        std::process::id(),
        STAGED.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let staged = (|| -> Result<(), String> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot make `{}`: {e}", dir.display()))?;
        for (i, (name, function)) in build.binaries.iter().enumerate() {
            let (built, _) = resolve_rust(function)?;
            let zip = bytes(&crate::Spec::Rust(function.clone()), &built.sha256)?;
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.as_slice()))
                .map_err(|e| format!("cannot read the zip of {}: {e}", function.shown()))?;
            let mut binary = Vec::new();
            std::io::Read::read_to_end(
                &mut archive.by_name("bootstrap").map_err(|e| {
                    format!("the zip of {} has no `bootstrap`: {e}", function.shown())
                })?,
                &mut binary,
            )
            .map_err(|e| format!("cannot unzip the binary of {}: {e}", function.shown()))?;
            let path = dir.join(i.to_string());
            std::fs::write(&path, &binary)
                .and_then(|()| {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                })
                .map_err(|e| format!("cannot stage the binary of {}: {e}", function.shown()))?;
            let mut one = scan::scan(&path, &function.shown(), u64::MAX)?;
            for mut entry in one.entries.drain(..) {
                entry.name = name.clone();
                scanned.total += binary.len() as u64;
                scanned.entries.push(entry);
            }
        }
        scanned.entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(())
    })();
    match staged {
        Ok(()) => Ok(Some(dir)),
        Err(why) => {
            let _ = std::fs::remove_dir_all(&dir);
            Err(why)
        }
    }
}

/// Resolves a Rust function's asset: builds it (`cargo zigbuild`) only when its key (the recipe, the
/// crate, the target, the toolchain and its inputs' contents) is not remembered, then packs `bootstrap`.
pub(crate) fn resolve_rust(function: &crate::RustFunction) -> Result<(Info, Remembered), String> {
    let started = SystemTime::now();
    function.check_dir()?;
    let shown = function.shown();
    let mut key = Sha256::new();
    key.update(archive::PACKER.as_bytes());
    key.update(b"\nrust\n");
    key.update(function.key_text()?.as_bytes());
    let files = hash_inputs(
        &function.dir.resolve(),
        &function.dir.shown(),
        &function.inputs()?,
        &shown,
        &mut key,
        started,
    )?;
    let command_key: [u8; 32] = key.finalize().into();
    if let Some(known) = known_build(command_key, &files) {
        return Ok(known);
    }
    let (info, content_key) = build_rust(function)?;
    memo().commands.insert(command_key, content_key);
    Ok((
        info,
        Remembered {
            files,
            content_key,
            command_key: Some(command_key),
            packed: true,
            builds: Vec::new(),
        },
    ))
}

/// Builds a Rust function and packs its `bootstrap`, holding an advisory lock on the crate's directory
/// meanwhile (as [`build`] does): two syntheses that build one function take turns.
fn build_rust(function: &crate::RustFunction) -> Result<(Info, [u8; 32]), String> {
    let shown = function.shown();
    let lock = std::fs::File::open(function.dir.resolve())
        .map_err(|e| format!("cannot open the directory of {shown}: {e}"))?;
    lock.lock()
        .map_err(|e| format!("cannot lock the directory of {shown}: {e}"))?;
    let staged = function.build()?;
    let scanned = scan::scan(&staged, &shown, LAMBDA_UNZIPPED_LIMIT)
        .map_err(|why| format!("{why} (the binary of {shown})"))?;
    let packed = pack_checked(&scanned, &shown)?;
    drop(lock);
    Ok(remember_packed(packed))
}

/// Runs a build command and packs its output directory, holding an advisory lock (`flock`) on the
/// command's directory from before it runs until its output is packed: two synthesis processes (or two
/// threads) that build in one directory take turns, so neither packs what the other is half-way through
/// writing. The output is scanned again once packed; if anything in it changed meanwhile (a process the
/// build left running, a build run by hand), nothing is packed or remembered: an error says so.
fn build(command: &crate::BuildCommand) -> Result<(Info, [u8; 32]), String> {
    let shown = command.shown();
    let dir = command.dir.resolve();
    let lock = std::fs::File::open(&dir)
        .map_err(|e| format!("cannot open the directory of {shown}: {e}"))?;
    lock.lock()
        .map_err(|e| format!("cannot lock the directory of {shown}: {e}"))?;
    command.run()?;
    let output_shown = format!("{}/{}", command.dir.shown(), command.output.display());
    let output = dir.join(&command.output);
    let scan_output = || {
        scan::scan(&output, &output_shown, LAMBDA_UNZIPPED_LIMIT)
            .map_err(|why| format!("{why} (the output of {shown})"))
    };
    let scanned = scan_output()?;
    let packed = pack_checked(&scanned, &output_shown)?;
    let again = scan_output()?;
    let same =
        scanned.entries.len() == again.entries.len()
            && scanned.entries.iter().zip(&again.entries).all(|(a, b)| {
                a.name == b.name && a.stamp == b.stamp && a.executable == b.executable
            });
    drop(lock);
    if !same {
        return Err(format!(
            "the output of {shown}, `{output_shown}`, changed while it was packed: is a process the build \
             started still writing it? Synthesize again once it is complete"
        ));
    }
    Ok(remember_packed(packed))
}

/// The sha256 of each scanned file: remembered by stamp, else read; `what` names a file (by its name in
/// the scan) for the error.
fn digests(scanned: &Scanned, what: &dyn Fn(&str) -> String) -> Result<Vec<[u8; 32]>, String> {
    if let Some(digests) = remembered(scanned) {
        return Ok(digests);
    }
    scanned
        .entries
        .iter()
        .map(|e| hash_file(&e.path).map_err(|why| format!("cannot read {}: {why}", what(&e.name))))
        .collect()
}

fn hash_file(path: &Path) -> std::io::Result<[u8; 32]> {
    let mut file = std::fs::File::open(path)?;
    let mut digest = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        digest.update(&buffer[..n]);
    }
    Ok(digest.finalize().into())
}

/// The zip of `spec`, whose sha256 must be `sha256`: packed by this process, or packed again (a build
/// command runs again). An asset whose sources changed since it was resolved is an error.
pub(crate) fn bytes(spec: &Spec, sha256: &str) -> Result<Arc<Vec<u8>>, String> {
    if let Some(bytes) = memo().bytes.get(sha256) {
        return Ok(bytes.clone());
    }
    let (info, shown) = match spec {
        Spec::Path { path, .. } => {
            let shown = path.shown();
            let scanned = scan::scan(&path.resolve(), &shown, LAMBDA_UNZIPPED_LIMIT)?;
            (pack_and_remember(&scanned, &shown)?.0, shown)
        }
        Spec::Command(command) => (build(command)?.0, command.shown()),
        Spec::Rust(function) => (build_rust(function)?.0, function.shown()),
        Spec::Image(path) => (
            resolve_image(&path.resolve(), &path.shown())?.0,
            path.shown(),
        ),
        Spec::Build(build) => {
            // Remembered without its bytes (the tree's cache): build it again.
            let remembered = memo()
                .assets
                .iter()
                .find(|(_, i)| i.sha256 == sha256)
                .map(|(k, _)| *k);
            if let Some(key) = remembered {
                memo().assets.remove(&key);
            }
            (resolve_build(build)?.0, build.shown())
        }
    };
    if info.sha256 != sha256 {
        return Err(format!(
            "asset `{shown}` changed during synthesis (its zip was {sha256}, it is now {}): synthesize again",
            info.sha256
        ));
    }
    memo()
        .bytes
        .get(sha256)
        .cloned()
        .ok_or_else(|| format!("asset `{shown}` was packed but is not in memory"))
}

/// Adds what a previous synthesis remembered ([`save`]) to this process's tables: file digests by stamp,
/// build commands' content keys, and packed assets' sha256 and sizes (never their bytes: those come from
/// the tree, under their sha256 name, or are packed again). A cache written by another packer is ignored.
/// Returns how many entries were read, or why the cache is unusable (then nothing was added).
pub fn load(bytes: &[u8]) -> Result<usize, String> {
    let json: Json = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    if json.get("format").and_then(Json::as_u64) != Some(CACHE_FORMAT) {
        return Err(format!("not format {CACHE_FORMAT}"));
    }
    if json.get("packer").and_then(Json::as_str) != Some(archive::PACKER) {
        return Err("written by another packer".to_owned());
    }
    let list = |name: &str| -> Result<&Vec<Json>, String> {
        json.get(name)
            .and_then(Json::as_array)
            .ok_or_else(|| format!("no `{name}` list"))
    };
    let mut files = Vec::new();
    for item in list("files")? {
        let bad = || {
            format!(
                "a `files` entry is not [path, size, mtime_ns, ctime_ns, dev, ino, sha256]: {item}"
            )
        };
        let fields = item.as_array().filter(|a| a.len() == 7).ok_or_else(bad)?;
        let path = PathBuf::from(fields[0].as_str().ok_or_else(bad)?);
        let stamp = Stamp {
            size: fields[1].as_u64().ok_or_else(bad)?,
            mtime_ns: fields[2]
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(bad)?,
            ctime_ns: fields[3]
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(bad)?,
            dev: fields[4].as_u64().ok_or_else(bad)?,
            ino: fields[5].as_u64().ok_or_else(bad)?,
        };
        files.push((path, stamp, digest(&fields[6]).ok_or_else(bad)?));
    }
    let mut commands = Vec::new();
    for item in list("commands")? {
        let bad = || format!("a `commands` entry is not [command key, content key]: {item}");
        let fields = item.as_array().filter(|a| a.len() == 2).ok_or_else(bad)?;
        commands.push((
            digest(&fields[0]).ok_or_else(bad)?,
            digest(&fields[1]).ok_or_else(bad)?,
        ));
    }
    let mut assets = Vec::new();
    for item in list("assets")? {
        let bad = || {
            format!(
                "an `assets` entry is not [content key, sha256, size, unzipped size(, image tag)]: {item}"
            )
        };
        let fields = item
            .as_array()
            .filter(|a| a.len() == 4 || a.len() == 5)
            .ok_or_else(bad)?;
        let tag = match fields.get(4) {
            Some(tag) => Some(
                tag.as_str()
                    .filter(|_| digest(tag).is_some())
                    .ok_or_else(bad)?
                    .to_owned(),
            ),
            None => None,
        };
        let sha256 = fields[1]
            .as_str()
            .filter(|_| digest(&fields[1]).is_some())
            .ok_or_else(bad)?;
        assets.push((
            digest(&fields[0]).ok_or_else(bad)?,
            Info {
                sha256: sha256.to_owned(),
                size: fields[2].as_u64().ok_or_else(bad)?,
                unzipped: fields[3].as_u64().ok_or_else(bad)?,
                tag,
            },
        ));
    }
    let count = files.len() + commands.len() + assets.len();
    let mut memo = memo();
    for (path, stamp, digest) in files {
        memo.files.entry(path).or_insert((stamp, digest));
    }
    for (key, content) in commands {
        memo.commands.entry(key).or_insert(content);
    }
    for (key, info) in assets {
        memo.assets.entry(key).or_insert(info);
    }
    Ok(count)
}

/// The cache file for a tree that uses `assets`: what resolving each remembered (file stamps and digests,
/// command keys, content keys with their zip's sha256 and sizes), in a stable order. Paths are absolute:
/// the cache is of this machine, not an artifact.
pub fn save<'a>(assets: impl IntoIterator<Item = &'a crate::AssetUse>) -> Vec<u8> {
    let mut files = std::collections::BTreeMap::new();
    let mut commands = std::collections::BTreeMap::new();
    let mut infos = std::collections::BTreeMap::new();
    for asset in assets {
        let r = &asset.remembered;
        for (path, stamp, digest) in &r.files {
            if let Some(path) = path.to_str() {
                files.insert(path.to_owned(), (*stamp, *digest));
            }
        }
        if let Some(command) = r.command_key {
            commands.insert(hex(&command), hex(&r.content_key));
        }
        for (command, content, info) in &r.builds {
            commands.insert(hex(command), hex(content));
            infos.insert(
                hex(content),
                (
                    info.sha256.clone(),
                    info.size,
                    info.unzipped,
                    info.tag.clone(),
                ),
            );
        }
        infos.insert(
            hex(&r.content_key),
            (
                asset.sha256.clone(),
                asset.size,
                asset.unzipped_size,
                asset.image_tag.clone(),
            ),
        );
    }
    let document = json!({
        "format": CACHE_FORMAT,
        "packer": archive::PACKER,
        "files": files.into_iter().map(|(path, (s, d))| json!([path, s.size, s.mtime_ns.to_string(), s.ctime_ns.to_string(), s.dev, s.ino, hex(&d)])).collect::<Vec<_>>(),
        "commands": commands.into_iter().map(|(k, c)| json!([k, c])).collect::<Vec<_>>(),
        "assets": infos.into_iter().map(|(k, (sha, size, unzipped, tag))| match tag {
            Some(tag) => json!([k, sha, size, unzipped, tag]),
            None => json!([k, sha, size, unzipped]),
        }).collect::<Vec<_>>(),
    });
    let mut bytes = serde_json::to_vec(&document).expect("a JSON value always serializes");
    bytes.push(b'\n');
    bytes
}

fn digest(json: &Json) -> Option<[u8; 32]> {
    let text = json.as_str()?;
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Forgets everything this process remembered (for benchmarks and tests of the cold path).
#[doc(hidden)]
pub fn forget() {
    *memo() = Memo::default();
}
