//! The tree already in an output directory, as one command sees it: read once, under the lock that writers
//! hold from their first read of it until their swap, so that it is one generation.

use crate::manifest::{Manifest, FILE_NAME};
use crate::read::{read_file, DEFAULT_LIMIT};
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

/// The tree in an output directory: its manifest, read and parsed once, and its files on demand. A
/// writer gets it from [`Staging::previous`](crate::Staging::previous), checked and under the exclusive
/// lock; a reader (`list`, `plan`, `synth --check`) from [`PreviousTree::read`], under the shared lock,
/// as it is. Either way a writer of the same directory cannot swap the tree while it is held.
#[derive(Debug)]
pub struct PreviousTree {
    dir: PathBuf,
    exists: bool,
    /// `Ok(None)`: no tree (the directory is missing or empty).
    manifest: Result<Option<Manifest>, ManifestError>,
    /// The lock on the directory that holds the tree, held as long as this value lives.
    _lock: Option<File>,
}

/// Why a directory's `manifest.json` is not one stackwright wrote.
#[derive(Debug)]
pub enum ManifestError {
    /// It cannot be read (missing from a directory that is not empty, a link, too large, ...).
    Read(io::Error),
    /// It is not a manifest stackwright wrote ([`Manifest::parse`]'s reason).
    Invalid(String),
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ManifestError::Read(e) => write!(f, "{e}"),
            ManifestError::Invalid(why) => write!(f, "{why}"),
        }
    }
}

impl PreviousTree {
    pub(crate) fn new(
        dir: PathBuf,
        exists: bool,
        manifest: Result<Option<Manifest>, ManifestError>,
        lock: File,
    ) -> PreviousTree {
        PreviousTree {
            dir,
            exists,
            manifest,
            _lock: Some(lock),
        }
    }

    /// Reads the tree in `dir` for a command that writes nothing, under the shared lock of the directory
    /// that holds it (`on_wait` is called, with that directory, when a writer holds it). Never fails: a
    /// missing directory is no tree, and a manifest that cannot be read is [`manifest_error`]
    /// (PreviousTree::manifest_error). Without a lock when the directory cannot be locked (a read-only
    /// file system without locks): then nobody can write it either.
    pub fn read(dir: &Path, on_wait: &mut dyn FnMut(&Path)) -> PreviousTree {
        let lock = fs::canonicalize(dir)
            .ok()
            .and_then(|target| target.parent().map(Path::to_path_buf))
            .and_then(|parent| lock(&parent, Lock::Shared, on_wait).ok());
        let exists = dir.is_dir();
        let empty = exists && fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none());
        let manifest = if !exists || empty {
            Ok(None)
        } else {
            match read_file(dir, FILE_NAME, DEFAULT_LIMIT) {
                Ok(bytes) => Manifest::parse(&bytes)
                    .map(Some)
                    .map_err(ManifestError::Invalid),
                Err(e) => Err(ManifestError::Read(e)),
            }
        };
        PreviousTree {
            dir: dir.to_path_buf(),
            exists,
            manifest,
            _lock: lock,
        }
    }

    /// The directory, as given (a writer's: with links resolved).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the directory exists.
    pub fn exists(&self) -> bool {
        self.exists
    }

    /// The manifest, when the directory holds a tree stackwright wrote.
    pub fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref().ok().and_then(Option::as_ref)
    }

    /// Why the directory's manifest is not one stackwright wrote, when it holds something (a reader's
    /// tree only: a writer refuses such a directory).
    pub fn manifest_error(&self) -> Option<&ManifestError> {
        self.manifest.as_ref().err()
    }

    /// The manifest's artifacts (none without a manifest).
    pub fn entries(&self) -> &[crate::Entry] {
        self.manifest().map_or(&[], |m| m.artifacts.as_slice())
    }

    /// Reads this machine's cache file `what` of the tree, as [`Staging::write_cache`] wrote it
    /// (`.stackwright-cache/<out>.<what>` beside the directory, links resolved).
    ///
    /// [`Staging::write_cache`]: crate::Staging::write_cache
    pub fn read_cache(&self, what: &str) -> io::Result<Vec<u8>> {
        let target = fs::canonicalize(&self.dir)?;
        let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "the root directory has no cache",
            ));
        };
        let mut file = name.to_owned();
        file.push(".");
        file.push(what);
        let file = file.into_string().map_err(|name| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("cache file name {name:?} is not UTF-8"),
            )
        })?;
        read_file(
            &parent.join(crate::fields::CACHE_DIRECTORY),
            &file,
            DEFAULT_LIMIT,
        )
    }

    /// Reads one file of the tree, as [`read_file`] does (bounded, no link followed).
    pub fn read_file(&self, relative: &str) -> io::Result<Vec<u8>> {
        read_file(&self.dir, relative, DEFAULT_LIMIT)
    }
}

/// How [`lock`] locks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lock {
    /// A writer's: alone.
    Exclusive,
    /// A reader's: with other readers.
    Shared,
}

/// Locks `dir` (`flock` on the directory itself: no file is created), calling `on_wait` with it first
/// when another process holds a conflicting lock for longer than a moment (a lock is also held, briefly,
/// by a child process forked while it was taken, until the child runs its program).
pub(crate) fn lock(dir: &Path, how: Lock, on_wait: &mut dyn FnMut(&Path)) -> io::Result<File> {
    let context =
        |e: io::Error| io::Error::new(e.kind(), format!("cannot lock `{}`: {e}", dir.display()));
    let file = File::open(dir).map_err(context)?;
    let try_once = || match how {
        Lock::Exclusive => file.try_lock(),
        Lock::Shared => file.try_lock_shared(),
    };
    let mut tried = try_once();
    for _ in 0..20 {
        if !matches!(tried, Err(fs::TryLockError::WouldBlock)) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        tried = try_once();
    }
    match tried {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            on_wait(dir);
            match how {
                Lock::Exclusive => file.lock(),
                Lock::Shared => file.lock_shared(),
            }
            .map_err(context)?;
        }
        Err(fs::TryLockError::Error(e)) => return Err(context(e)),
    }
    Ok(file)
}
