//! Replacing a tree all or nothing, without losing what stackwright did not write.
//!
//! The new tree is built in a staging directory beside `out`: the new files, then every entry of the old
//! tree that stackwright did not write (Terraform state, `.terraform/`, lock files, a user's notes), carried
//! as hard links and copied symbolic links, so that the old tree stays untouched until the swap. After one
//! `syncfs`, the staging directory and `out` trade places in one `renameat2(RENAME_EXCHANGE)`: there is no
//! instant without `out`, and every reader sees the old tree or the new one. The old tree, now under the
//! staging name, is then emptied of what is safe to delete only: the files its manifest lists, and entries
//! the new tree still holds as the same file. Anything else stays where it is, with a warning.
//!
//! An advisory lock on the directory that holds `out` serialises writers, from before they read the old tree
//! until the swap, so that each one's read-modify-write is one step; readers ([`PreviousTree::read`]) take
//! it shared. A crash releases it with the process. A staging directory left by a crash is cleaned up by the
//! next writer under the lock, before anything else, by the same rule.

use crate::manifest::{Manifest, FILE_NAME};
use crate::previous::{lock, Lock, PreviousTree};
use crate::read::{describe, read_file, DEFAULT_LIMIT};
use rustix::fs::RenameFlags;
use std::collections::{BTreeSet, HashSet};
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file in a staging directory that lists what the writer put there, until the tree is complete.
const MARKER: &str = ".stackwright-staging";

/// What a successful [`write_tree`] or [`Staging::commit`] did besides writing the files.
#[derive(Debug, Default)]
pub struct Written {
    /// The directory that now holds the tree (`out` with links resolved).
    pub directory: PathBuf,
    /// Entries of the previous tree that stackwright did not write, carried into the new one: relative
    /// paths, directories with a trailing `/`.
    pub kept: Vec<String>,
    /// Things left to clean up by hand, found after the new tree was in place (it is complete regardless).
    pub warnings: Vec<String>,
}

/// Replaces the tree at `out` with `files` (relative `/`-separated path, bytes), keeping every entry of the
/// old tree that stackwright did not write: [`Staging::begin`], [`Staging::add`] of every file from as many
/// threads as there are cores (page-cache writes of many files are the slowest phase here), then
/// [`Staging::commit`]. See [`Staging`] for what is refused and what is guaranteed.
pub fn write_tree<'a>(
    out: &Path,
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    on_wait: &mut dyn FnMut(&Path),
) -> io::Result<Written> {
    let files: Vec<(&str, &[u8])> = files.into_iter().collect();
    let staging = Staging::begin(out, on_wait)?;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = files.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                let staging = &staging;
                scope.spawn(move || part.iter().try_for_each(|(p, b)| staging.add(p, b)))
            })
            .collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().expect("writers do not panic"))
    })?;
    staging.commit()
}

/// A new tree being built beside `out`, to replace it all or nothing when committed; dropped without
/// [`commit`](Staging::commit), it is removed and `out` stays as it was.
///
/// - `out` may be missing, an empty directory, or a tree whose `manifest.json` stackwright wrote; anything
///   else is refused by [`begin`](Staging::begin). A symbolic link is followed and its target replaced; a
///   mount point is refused (a mount point cannot be moved by rename).
/// - Only the files the old manifest lists are ever deleted. An entry that would stand where a new file or
///   directory goes is refused at commit, naming it; so is an entry that cannot be carried (a FIFO, socket
///   or device).
/// - Writers of one `out` are serialised by an advisory lock (`flock`) on the directory that holds it,
///   taken by [`begin`](Staging::begin) and held until the staging tree is committed or dropped: the old
///   tree ([`Staging::previous`]) is read under it, so what a writer read is still there when it swaps.
///   `on_wait` is called once, with the locked directory, when another process holds the lock. First thing
///   under the lock, staging directories of dead writers are cleaned up, whatever this writer's outcome.
/// - Staging directories are unique per process and locked (`flock`) while their writer lives; a synthesis
///   that fails half-way leaves nothing beside `out`.
/// - An `Err` from any step means `out` is exactly as it was. Problems after the swap (an old file that
///   cannot be removed) are [`Written::warnings`]: the new tree is in place.
pub struct Staging {
    place: Place,
    /// The tree being replaced, read under the lock; it holds the lock.
    previous: PreviousTree,
    /// What cleaning up after dead writers left to do by hand.
    warnings: Vec<String>,
    dir: PathBuf,
    /// The marker (one path per line, each written before its file), the paths written, and the
    /// directories created so far.
    state: Mutex<StagingState>,
    committed: bool,
    /// Held while this writer lives: the staging directory is not stale.
    _alive: File,
}

struct StagingState {
    marker: File,
    written: BTreeSet<String>,
    dirs: HashSet<PathBuf>,
}
impl Staging {
    /// Takes the lock of `out` (calling `on_wait` if another writer holds it), cleans up what dead writers
    /// left, reads and checks the tree in `out` (if any: it must be one stackwright wrote), and creates an
    /// empty staging directory beside it. The lock is held until [`commit`](Staging::commit) or drop.
    pub fn begin(out: &Path, on_wait: &mut dyn FnMut(&Path)) -> io::Result<Staging> {
        let (place, lock) = loop {
            let place = Place::resolve(out)?;
            let lock = lock(&place.parent, Lock::Exclusive, on_wait)?;
            // Another writer may have created `out`, or a link may have moved, while this one waited.
            let now = Place::resolve(out)?;
            if now.parent == place.parent {
                break (now, lock);
            }
        };
        let warnings = place.clean_stale();
        let manifest = place.old_tree()?;
        let previous = PreviousTree::new(out.to_path_buf(), place.exists, Ok(manifest), lock);
        let (dir, alive) = place.create_locked_staging()?;
        let marker = match File::create_new(dir.join(MARKER)) {
            Ok(marker) => marker,
            Err(e) => {
                let _ = fs::remove_dir(&dir);
                return Err(e);
            }
        };
        Ok(Staging {
            place,
            previous,
            warnings,
            dir,
            state: Mutex::new(StagingState {
                marker,
                written: BTreeSet::new(),
                dirs: HashSet::new(),
            }),
            committed: false,
            _alive: alive,
        })
    }

    /// The tree this one replaces, as read under the lock: its manifest, parsed once, and its files.
    pub fn previous(&self) -> &PreviousTree {
        &self.previous
    }

    /// The directory the tree goes to: `out` with links resolved, as [`Written::directory`] will say.
    pub fn directory(&self) -> &Path {
        &self.place.target
    }

    /// Replaces this machine's cache file `what` of the tree (`.stackwright-cache/<out>.<what>` beside it,
    /// [`crate::fields::CACHE_DIRECTORY`]) with `bytes`, at once (a new file renamed over the old), under
    /// the writers' lock; creates the directory with a `.gitignore` of `*` when it is missing. Not part of
    /// the tree: written whether or not the tree is committed (a cache keyed by contents may describe more
    /// than the tree holds).
    pub fn write_cache(&self, what: &str, bytes: &[u8]) -> io::Result<()> {
        let dir = self.place.parent.join(crate::fields::CACHE_DIRECTORY);
        fs::create_dir_all(&dir)?;
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            let mut text =
                b"# Written by stackwright: caches of this machine, never committed.\n*\n"
                    .as_slice();
            let temp = dir.join(format!(".gitignore.{}.tmp", std::process::id()));
            io::copy(&mut text, &mut File::create(&temp)?)?;
            fs::rename(&temp, &ignore)?;
        }
        let mut name = self.place.name.clone();
        name.push(".");
        name.push(what);
        let mut temp = name.clone();
        temp.push(format!(".{}.tmp", std::process::id()));
        let temp = dir.join(temp);
        let written = File::create(&temp)
            .and_then(|mut f| f.write_all(bytes))
            .and_then(|()| fs::rename(&temp, dir.join(&name)));
        if written.is_err() {
            let _ = fs::remove_file(&temp);
        }
        written
    }

    /// Writes one file of the new tree (`path` relative, `/`-separated), creating its directories. Callable
    /// from several threads at once; each path at most once.
    pub fn add(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        self.create(path)?.write_all(bytes)
    }

    /// Creates one empty file of the new tree, as [`add`](Staging::add) does, for the caller to stream its
    /// contents into (a document too large to hold serialized). A write that fails must fail the
    /// synthesis: the staging tree is then abandoned, never committed with a short file.
    pub fn create(&self, path: &str) -> io::Result<File> {
        let file = self.register(path)?;
        File::create_new(&file)
    }

    /// Adds `path` to the new tree as the same file as in the tree being replaced, without copying it
    /// (a hard link), when the previous manifest lists it as stackwright's and it is a regular file of
    /// `size` bytes there, reached without a symbolic link: an asset named by its contents, unchanged
    /// since. Returns `Ok(false)` (and registers nothing) when it is not there so; then [`add`] it.
    ///
    /// [`add`]: Staging::add
    pub fn link_previous(&self, path: &str, size: u64) -> io::Result<bool> {
        crate::manifest::check_relative_path(path).map_err(invalid)?;
        let listed = self
            .previous
            .manifest()
            .is_some_and(|m| m.files().any(|f| f == path));
        if !listed {
            return Ok(false);
        }
        let Ok(mut old) = crate::read::open_beneath(&self.place.target, path) else {
            return Ok(false);
        };
        let meta = old.metadata()?;
        if !meta.is_file() || meta.len() != size {
            return Ok(false);
        }
        let file = self.register(path)?;
        let linked = fs::hard_link(self.place.target.join(path), &file).is_ok()
            && fs::symlink_metadata(&file)
                .is_ok_and(|m| m.dev() == meta.dev() && m.ino() == meta.ino());
        if !linked {
            // Another file took its place since it was opened, or links are not allowed here: copy
            // what was checked.
            let _ = fs::remove_file(&file);
            io::copy(&mut old, &mut File::create_new(&file)?)?;
        }
        Ok(true)
    }

    /// Lists `path` in the marker and creates its directories; the staging path to create it at.
    fn register(&self, path: &str) -> io::Result<PathBuf> {
        crate::manifest::check_relative_path(path).map_err(invalid)?;
        let file = self.dir.join(path);
        {
            let mut state = self.state.lock().expect("a writer panicked");
            if !state.written.insert(path.to_owned()) {
                return Err(invalid(format!("`{path}` is written twice")));
            }
            // Listed before it exists, so that a crash leaves nothing in the staging directory that its
            // marker does not name.
            state.marker.write_all(format!("{path}\n").as_bytes())?;
            let parent = file.parent().expect("inside the staging directory");
            if !state.dirs.contains(parent) {
                fs::create_dir_all(parent)?;
                state.dirs.insert(parent.to_path_buf());
            }
        }
        Ok(file)
    }

    /// Carries what stackwright did not write from the tree in `out`, makes the new tree durable, swaps it
    /// in, and empties the old tree of what stackwright wrote; then releases the lock. Consumes the staging
    /// directory either way.
    pub fn commit(mut self) -> io::Result<Written> {
        let mut warnings = std::mem::take(&mut self.warnings);
        let old = self.previous.manifest().map(|manifest| OldTree {
            owned: manifest.files().map(str::to_owned).collect(),
        });
        let state = self.state.get_mut().expect("a writer panicked");
        let new_files: BTreeSet<&str> = state.written.iter().map(String::as_str).collect();
        let carried = match &old {
            Some(old) => plan_carry(&self.place.target, old, &new_files)?,
            None => Vec::new(),
        };
        finish(&self.dir, &self.place.target, &carried)?;
        let previous = swap(&self.place, &self.dir, old.is_some())?;
        self.committed = true;
        if let (Some(previous), Some(old)) = (previous, &old) {
            let ours: HashSet<String> = old.owned.iter().cloned().collect();
            let (left, errors) = clean(&previous, &self.place.target, &ours);
            if !left.is_empty() || !errors.is_empty() {
                let mut text = format!(
                    "the new tree is in place in `{}`, but `{}` (the previous tree) could not be removed \
                     completely",
                    self.place.target.display(),
                    previous.display()
                );
                for e in &errors {
                    text.push_str(&format!("\n  {e}"));
                }
                if !left.is_empty() {
                    text.push_str(&format!(
                        "\n  it still holds {} entr{} stackwright did not write or could not delete: {}; move \
                         what you need, then delete it (the next synth retries)",
                        left.len(),
                        if left.len() == 1 { "y" } else { "ies" },
                        preview(&left)
                    ));
                }
                warnings.push(text);
            }
        }
        Ok(Written {
            directory: self.place.target.clone(),
            kept: carried
                .iter()
                .filter(|c| c.top)
                .map(|c| match c.kind {
                    Kind::Dir(_) => format!("{}/", c.path),
                    _ => c.path.clone(),
                })
                .collect(),
            warnings,
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let state = self.state.get_mut().expect("a writer panicked");
            let mut ours: HashSet<String> =
                std::mem::take(&mut state.written).into_iter().collect();
            ours.insert(MARKER.to_owned());
            let _ = clean(&self.dir, &self.place.target, &ours);
        }
    }
}

/// Where the tree goes: `target` (the resolved `out`), its parent and its file name.
struct Place {
    target: PathBuf,
    parent: PathBuf,
    name: OsString,
    exists: bool,
}

impl Place {
    fn resolve(out: &Path) -> io::Result<Place> {
        let shown = out.display();
        let target = match fs::symlink_metadata(out) {
            Ok(meta) if meta.file_type().is_symlink() => match fs::canonicalize(out) {
                Ok(t) => t,
                Err(e) => {
                    let to = fs::read_link(out).unwrap_or_default();
                    return Err(io::Error::new(
                        e.kind(),
                        format!(
                            "output directory `{shown}` is a symbolic link to `{}`, which cannot be resolved ({e}); \
                             create that directory or remove the link",
                            to.display()
                        ),
                    ));
                }
            },
            Ok(_) => fs::canonicalize(out)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let name = match out.components().next_back() {
                    Some(std::path::Component::Normal(name)) => name.to_owned(),
                    _ => {
                        return Err(invalid(format!(
                            "output directory `{shown}` must end in a directory name"
                        )))
                    }
                };
                let parent = match out.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                fs::create_dir_all(&parent)?;
                fs::canonicalize(&parent)?.join(name)
            }
            Err(e) => return Err(e),
        };
        let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
            return Err(invalid(format!(
                "output directory `{shown}` is the root directory"
            )));
        };
        let (parent, name) = (parent.to_path_buf(), name.to_owned());
        let exists = match fs::metadata(&target) {
            Ok(meta) if meta.is_dir() => {
                if meta.dev() != fs::metadata(&parent)?.dev() {
                    return Err(io::Error::new(
                        io::ErrorKind::Unsupported,
                        format!(
                            "output directory `{shown}` is a mount point: stackwright replaces the directory by \
                             rename, which cannot move a mount point; pass a directory inside it (--out {}/out)",
                            shown
                        ),
                    ));
                }
                true
            }
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("output path `{shown}` exists and is not a directory"),
                ))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(e),
        };
        Ok(Place {
            target,
            parent,
            name,
            exists,
        })
    }

    /// Work directories are `.<name>.stackwright-<what>-<pid>-<n>` beside the tree.
    fn work_prefix(&self) -> OsString {
        let mut n = OsString::from(".");
        n.push(&self.name);
        n.push(".stackwright-");
        n
    }

    fn create_work_dir(&self, what: &str) -> io::Result<PathBuf> {
        let pid = std::process::id();
        for n in 0.. {
            let mut name = self.work_prefix();
            name.push(format!("{what}-{pid}-{n}"));
            let path = self.parent.join(name);
            match fs::create_dir(&path) {
                Ok(()) => return Ok(path),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(context(e, "cannot create", &path)),
            }
        }
        unreachable!("an unbounded range ends only by returning")
    }

    /// A new staging directory, locked for as long as the returned file is open. It is created under an
    /// `incoming` name and renamed once locked, so that no staging directory is ever unlocked while its writer
    /// lives (a cleaner may remove an empty `incoming` directory; then the next name is tried).
    fn create_locked_staging(&self) -> io::Result<(PathBuf, File)> {
        let pid = std::process::id();
        for n in 0.. {
            let name = |what: &str| {
                let mut name = self.work_prefix();
                name.push(format!("{what}-{pid}-{n}"));
                self.parent.join(name)
            };
            let (incoming, staging) = (name("incoming"), name("staging"));
            match fs::create_dir(&incoming) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(context(e, "cannot create", &incoming)),
            }
            let locked = File::open(&incoming).and_then(|dir| match dir.try_lock() {
                Ok(()) => Ok(dir),
                Err(e) => Err(io::Error::from(e)),
            });
            let cwd = rustix::fs::CWD;
            let renamed = locked.and_then(|dir| {
                rustix::fs::renameat_with(cwd, &incoming, cwd, &staging, RenameFlags::NOREPLACE)
                    .map(|()| dir)
                    .map_err(io::Error::from)
            });
            match renamed {
                Ok(dir) => return Ok((staging, dir)),
                // Removed or locked by a cleaner in the meantime, or the staging name is taken: next name.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::NotFound
                            | io::ErrorKind::WouldBlock
                            | io::ErrorKind::AlreadyExists
                    ) =>
                {
                    let _ = fs::remove_dir(&incoming);
                    continue;
                }
                Err(e) => {
                    let _ = fs::remove_dir(&incoming);
                    return Err(context(e, "cannot create", &staging));
                }
            }
        }
        unreachable!("an unbounded range ends only by returning")
    }

    /// Cleans up the work directories of writers that died: under the lock, no other writer is running.
    fn clean_stale(&self) -> Vec<String> {
        let prefix = self.work_prefix();
        let prefix = prefix.as_encoded_bytes();
        let Ok(entries) = fs::read_dir(&self.parent) else {
            return Vec::new();
        };
        let mut warnings = Vec::new();
        for entry in entries.flatten() {
            if !entry.file_name().as_encoded_bytes().starts_with(prefix)
                || !entry.file_type().is_ok_and(|t| t.is_dir())
            {
                continue;
            }
            let dir = entry.path();
            // A live writer holds its staging directory's lock (the lock goes with the writer's process);
            // the cleaner holds it too while it cleans, so no writer can take the directory meanwhile.
            let Ok(guard) = File::open(&dir) else {
                continue;
            };
            if guard.try_lock().is_err() {
                continue;
            }
            let ours = stale_owned(&dir);
            let (left, errors) = clean(&dir, &self.target, &ours);
            if !left.is_empty() || !errors.is_empty() {
                let mut text = format!(
                    "`{}`, left by an interrupted write, holds entries stackwright did not write or could not \
                     delete, so it was kept: {}",
                    dir.display(),
                    preview(&left)
                );
                for e in &errors {
                    text.push_str(&format!("\n  {e}"));
                }
                warnings.push(text);
            }
        }
        warnings
    }

    /// The manifest of the tree being replaced, when `out` holds one: refused unless stackwright wrote it.
    fn old_tree(&self) -> io::Result<Option<Manifest>> {
        if !self.exists || fs::read_dir(&self.target)?.next().is_none() {
            return Ok(None);
        }
        let shown = self.target.display();
        let bytes = match read_file(&self.target, FILE_NAME, DEFAULT_LIMIT) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(foreign(format!(
                    "refusing to replace `{shown}`: it is not empty and has no manifest.json, so stackwright did \
                     not write it; choose another --out, or empty it yourself"
                )))
            }
            Err(e) => {
                return Err(foreign(format!(
                    "refusing to replace `{shown}`: cannot read its manifest.json ({e})"
                )))
            }
        };
        let manifest = Manifest::parse(&bytes).map_err(|why| {
            foreign(format!(
                "refusing to replace `{shown}`: its manifest.json is not one stackwright wrote: {why}; choose \
                 another --out, or empty it yourself"
            ))
        })?;
        Ok(Some(manifest))
    }
}

/// What the old tree's manifest says stackwright wrote there.
struct OldTree {
    owned: BTreeSet<String>,
}

#[derive(Debug)]
enum Kind {
    Dir(u32),
    File,
    Symlink(PathBuf),
}

/// One entry of the old tree to carry into the new one; `top` for the entries the user sees as kept.
#[derive(Debug)]
struct Carry {
    path: String,
    kind: Kind,
    top: bool,
}

/// Lists what the old tree holds that stackwright did not write, in an order that creates each directory
/// before its contents, and refuses what cannot be carried or would collide with the new tree.
fn plan_carry(target: &Path, old: &OldTree, new_files: &BTreeSet<&str>) -> io::Result<Vec<Carry>> {
    // Directories to walk into: those on the way to a file the old or the new tree has.
    let mut managed_dirs: HashSet<&str> = HashSet::new();
    for path in old
        .owned
        .iter()
        .map(String::as_str)
        .chain(new_files.iter().copied())
    {
        let mut end = path.len();
        while let Some(slash) = path[..end].rfind('/') {
            managed_dirs.insert(&path[..slash]);
            end = slash;
        }
    }
    let mut carried = Vec::new();
    walk_old(target, "", old, new_files, &managed_dirs, &mut carried)?;
    Ok(carried)
}

fn walk_old(
    dir: &Path,
    prefix: &str,
    old: &OldTree,
    new_files: &BTreeSet<&str>,
    managed_dirs: &HashSet<&str>,
    carried: &mut Vec<Carry>,
) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(foreign(format!(
                "`{}` has a name that is not UTF-8; stackwright cannot carry it into the new tree: rename or move \
                 it",
                entry.path().display()
            )));
        };
        let rel = join(prefix, name);
        let file_type = entry.file_type()?;
        if file_type.is_dir() && managed_dirs.contains(rel.as_str()) {
            walk_old(&entry.path(), &rel, old, new_files, managed_dirs, carried)?;
            continue;
        }
        if file_type.is_file() && old.owned.contains(&rel) {
            continue; // Ours: replaced by the new tree, or gone from it.
        }
        if new_files.contains(rel.as_str()) || managed_dirs.contains(rel.as_str()) {
            return Err(foreign(format!(
                "`{}` is in the way: stackwright did not write it, and the new tree needs that path for {}; move \
                 it elsewhere and synthesize again",
                entry.path().display(),
                if new_files.contains(rel.as_str()) {
                    "a file"
                } else {
                    "a directory"
                }
            )));
        }
        collect_carry(&entry.path(), rel, true, carried)?;
    }
    Ok(())
}

fn collect_carry(path: &Path, rel: String, top: bool, carried: &mut Vec<Carry>) -> io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    let file_type = meta.file_type();
    if file_type.is_symlink() {
        let to = fs::read_link(path)?;
        carried.push(Carry {
            path: rel,
            kind: Kind::Symlink(to),
            top,
        });
    } else if file_type.is_file() {
        carried.push(Carry {
            path: rel,
            kind: Kind::File,
            top,
        });
    } else if file_type.is_dir() {
        carried.push(Carry {
            path: rel.clone(),
            kind: Kind::Dir(meta.permissions().mode()),
            top,
        });
        let mut entries: Vec<_> = fs::read_dir(path)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name();
            let name = name.to_str().ok_or_else(|| {
                foreign(format!(
                    "`{}` has a name that is not UTF-8; stackwright cannot carry it into the new tree: rename \
                     or move it",
                    entry.path().display()
                ))
            })?;
            collect_carry(&entry.path(), join(&rel, name), false, carried)?;
        }
    } else {
        return Err(foreign(format!(
            "`{}` is {}, which stackwright did not write and cannot carry into the new tree; move it out of the \
             output directory",
            path.display(),
            describe(&file_type)
        )));
    }
    Ok(())
}

/// Completes the staging directory: the carried entries, then their directories' modes (last, deepest
/// first, so that a read-only directory is filled before it becomes read-only), then durability (one
/// `syncfs`), then the marker's removal, which makes it a tree like any other.
fn finish(staging: &Path, target: &Path, carried: &[Carry]) -> io::Result<()> {
    let cannot = |from: &Path, e: io::Error| {
        io::Error::new(
            e.kind(),
            format!(
                "cannot keep `{}` in the new tree ({e}); nothing was changed",
                from.display()
            ),
        )
    };
    for c in carried {
        let from = target.join(&c.path);
        let to = staging.join(&c.path);
        if c.top {
            // A kept entry may sit in a directory the new tree no longer has files in.
            fs::create_dir_all(to.parent().expect("inside the staging directory"))?;
        }
        let done = match &c.kind {
            Kind::Dir(_) => fs::create_dir(&to),
            Kind::File => fs::hard_link(&from, &to),
            Kind::Symlink(link) => std::os::unix::fs::symlink(link, &to),
        };
        done.map_err(|e| cannot(&from, e))?;
    }
    // `carried` lists each directory before its contents: in reverse, contents come first.
    for c in carried.iter().rev() {
        if let Kind::Dir(mode) = c.kind {
            fs::set_permissions(staging.join(&c.path), fs::Permissions::from_mode(mode))
                .map_err(|e| cannot(&target.join(&c.path), e))?;
        }
    }
    // One syncfs makes every file and directory durable: far cheaper than an fsync per file.
    let dir = File::open(staging)?;
    rustix::fs::syncfs(&dir)?;
    fs::remove_file(staging.join(MARKER))?;
    dir.sync_all()?;
    Ok(())
}

/// Puts the staging directory in the tree's place; returns where the previous tree now is.
fn swap(place: &Place, staging: &Path, had_tree: bool) -> io::Result<Option<PathBuf>> {
    let target = &place.target;
    let cwd = rustix::fs::CWD;
    let previous = if place.exists {
        match rustix::fs::renameat_with(cwd, staging, cwd, target, RenameFlags::EXCHANGE) {
            Ok(()) => Some(staging.to_path_buf()),
            // File systems without RENAME_EXCHANGE: move the old tree aside, then the new one in.
            Err(rustix::io::Errno::INVAL) | Err(rustix::io::Errno::NOSYS) => {
                let aside = place.create_work_dir("previous")?;
                fs::remove_dir(&aside)?;
                fs::rename(target, &aside)?;
                if let Err(e) = fs::rename(staging, target) {
                    let _ = fs::rename(&aside, target);
                    return Err(e);
                }
                Some(aside)
            }
            Err(e) => return Err(context(e.into(), "cannot swap in the new tree at", target)),
        }
    } else {
        match rustix::fs::renameat_with(cwd, staging, cwd, target, RenameFlags::NOREPLACE) {
            Ok(()) => None,
            Err(rustix::io::Errno::INVAL) | Err(rustix::io::Errno::NOSYS) => {
                fs::rename(staging, target)?;
                None
            }
            Err(e) => return Err(context(e.into(), "cannot move the new tree to", target)),
        }
    };
    // The swap itself is durable once the parent directory is.
    File::open(&place.parent)?.sync_all()?;
    match previous {
        Some(p) if !had_tree => {
            // An empty `out` was there before: nothing in it to keep or clean.
            let _ = fs::remove_dir(&p);
            Ok(None)
        }
        previous => Ok(previous),
    }
}

/// What a directory left by a dead writer says is stackwright's: the marker's list while it was being
/// filled (or just the marker, if the crash came while writing it), else its own manifest's list.
fn stale_owned(dir: &Path) -> HashSet<String> {
    let mut ours = HashSet::from([MARKER.to_owned()]);
    if let Ok(bytes) = read_file(dir, MARKER, DEFAULT_LIMIT) {
        // Complete lines only: a crash may cut the last one short.
        let text = String::from_utf8_lossy(&bytes);
        let complete = text.rsplit_once('\n').map_or("", |(lines, _)| lines);
        ours.extend(complete.lines().map(str::to_owned));
        return ours;
    }
    if let Ok(bytes) = read_file(dir, FILE_NAME, DEFAULT_LIMIT) {
        if let Ok(manifest) = Manifest::parse(&bytes) {
            ours.extend(manifest.files().map(str::to_owned));
        }
    }
    ours
}

/// Removes from `dir` what is safe to remove: regular files `ours` lists, entries that `target` still
/// holds at the same path as the same file (a hard link to the same inode, or an identical symbolic link),
/// then directories left empty, `dir` included. Returns what stays (relative paths) and what failed.
fn clean(dir: &Path, target: &Path, ours: &HashSet<String>) -> (Vec<String>, Vec<String>) {
    if !dir.exists() {
        return (Vec::new(), Vec::new()); // Already removed (by a writer that took its name back).
    }
    let mut left = Vec::new();
    let mut errors = Vec::new();
    clean_in(dir, "", target, ours, &mut left, &mut errors);
    // The lists of what is ours go last, and only once everything they list is gone: a later cleanup of a
    // directory that could not be emptied still knows what it may delete.
    for list in [FILE_NAME, MARKER] {
        let path = dir.join(list);
        if fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) && ours.contains(list) {
            if errors.is_empty() {
                if let Err(e) = fs::remove_file(&path) {
                    errors.push(format!("cannot remove `{}`: {e}", path.display()));
                }
            } else {
                left.push(list.to_owned());
            }
        }
    }
    if let Err(e) = fs::remove_dir(dir) {
        if left.is_empty() && errors.is_empty() {
            errors.push(format!("cannot remove `{}`: {e}", dir.display()));
        }
    }
    (left, errors)
}

fn clean_in(
    dir: &Path,
    prefix: &str,
    target: &Path,
    ours: &HashSet<String>,
    left: &mut Vec<String>,
    errors: &mut Vec<String>,
) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(format!("cannot read `{}`: {e}", dir.display()));
            return;
        }
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let rel = join(prefix, &name.to_string_lossy());
        let path = entry.path();
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        let file_type = meta.file_type();
        if prefix.is_empty() && (rel == FILE_NAME || rel == MARKER) && ours.contains(&rel) {
            continue; // Removed last, by `clean`.
        }
        if file_type.is_dir() {
            // A read-only directory (a user's, carried with its mode) cannot be emptied without
            // privileges: it is made writable while it is cleaned, and given its mode back if it stays.
            let mode = meta.permissions().mode();
            let locked = mode & 0o200 == 0
                && fs::set_permissions(&path, fs::Permissions::from_mode(mode | 0o200)).is_ok();
            clean_in(&path, &rel, target, ours, left, errors);
            if let Err(e) = fs::remove_dir(&path) {
                if e.kind() != io::ErrorKind::DirectoryNotEmpty {
                    errors.push(format!("cannot remove `{}`: {e}", path.display()));
                }
                if locked {
                    let _ = fs::set_permissions(&path, fs::Permissions::from_mode(mode));
                }
            }
            continue;
        }
        let twin = fs::symlink_metadata(target.join(&rel)).ok();
        let safe = if file_type.is_symlink() {
            twin.is_some_and(|t| t.file_type().is_symlink())
                && fs::read_link(&path).ok() == fs::read_link(target.join(&rel)).ok()
        } else {
            (file_type.is_file() && ours.contains(&rel))
                || twin.is_some_and(|t| t.dev() == meta.dev() && t.ino() == meta.ino())
        };
        if !safe {
            left.push(rel);
            continue;
        }
        if let Err(e) = fs::remove_file(&path) {
            errors.push(format!("cannot remove `{}`: {e}", path.display()));
        }
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}/{name}")
    }
}

fn preview(paths: &[String]) -> String {
    let mut shown: Vec<String> = paths.iter().take(5).map(|p| format!("`{p}`")).collect();
    if paths.len() > 5 {
        shown.push(format!("and {} more", paths.len() - 5));
    }
    shown.join(", ")
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

fn foreign(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::AlreadyExists, message)
}

fn context(e: io::Error, what: &str, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{what} `{}`: {e}", path.display()))
}
