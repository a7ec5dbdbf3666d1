//! Walking an asset's source: the regular files it holds, by name, with the checks Lambda needs.

use std::fs::{self, Metadata};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What identifies a file's contents without reading them: if all of these are equal to what was
/// recorded when the file was hashed (and that was not racy, see [`Stamp::trusted`]), the recorded
/// digest is the file's. The change time is in it because a user can set the mtime back (`cp -p`,
/// `rsync -t`, `touch -d`, tools that date files `SOURCE_DATE_EPOCH`) but not the ctime, which every
/// write (and every mtime change) sets to now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Stamp {
    pub(crate) size: u64,
    pub(crate) mtime_ns: i128,
    pub(crate) ctime_ns: i128,
    pub(crate) dev: u64,
    pub(crate) ino: u64,
}

impl Stamp {
    pub(crate) fn of(meta: &Metadata) -> Stamp {
        Stamp {
            size: meta.len(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            ctime_ns: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
            dev: meta.dev(),
            ino: meta.ino(),
        }
    }

    /// A file modified less than two seconds before it was read may be modified again within its
    /// file system's timestamp granularity without its stamp changing ("racily clean", as git calls
    /// it): its digest is never remembered, so it is read again next time.
    pub(crate) fn trusted(&self, scan_started: SystemTime) -> bool {
        let started = match scan_started.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i128,
            Err(_) => return false,
        };
        self.mtime_ns < started - 2_000_000_000
    }
}

/// One regular file of an asset.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// The name inside the zip: relative, `/`-separated.
    pub(crate) name: String,
    /// Where to read it (a symbolic link inside the asset is read through its target).
    pub(crate) path: PathBuf,
    pub(crate) executable: bool,
    pub(crate) stamp: Stamp,
}

/// What a source holds, sorted by name (byte order).
#[derive(Debug)]
pub(crate) struct Scanned {
    pub(crate) entries: Vec<Entry>,
    /// The sum of the files' sizes (what Lambda unzips).
    pub(crate) total: u64,
}

/// Walks `root` (a file or a directory; `shown` is how the user wrote it, for messages). A single file
/// is one entry named by its file name; a directory gives every regular file under it, through symbolic
/// links that stay inside it. Refused: a missing path, a symbolic link that leaves the directory (or
/// dangles, or loops), a FIFO, socket or device, a name that is not UTF-8, nothing to pack, and more than
/// `unzipped_limit` bytes in all.
pub(crate) fn scan(root: &Path, shown: &str, unzipped_limit: u64) -> Result<Scanned, String> {
    let meta = match fs::metadata(root) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!(
                "asset source `{shown}` does not exist (looked for `{}`)",
                root.display()
            ))
        }
        Err(e) => return Err(format!("cannot read asset source `{shown}`: {e}")),
    };
    let mut entries = Vec::new();
    if meta.is_file() {
        let name = root
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| format!("asset source `{shown}` has a file name that is not UTF-8"))?;
        entries.push(entry(name.to_owned(), root.to_path_buf(), &meta));
    } else if meta.is_dir() {
        let canonical = fs::canonicalize(root)
            .map_err(|e| format!("cannot read asset source `{shown}`: {e}"))?;
        let mut walk = Walk {
            root: &canonical,
            shown,
            entries: &mut entries,
            open: vec![canonical.clone()],
        };
        walk.dir(&canonical, "")?;
        if entries.is_empty() {
            return Err(format!(
                "asset source `{shown}` holds no files: expected the function's code"
            ));
        }
    } else {
        return Err(format!(
            "asset source `{shown}` is {}: expected a regular file or a directory",
            describe(&meta.file_type())
        ));
    }
    entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    let total = entries.iter().map(|e| e.stamp.size).sum();
    if total > unzipped_limit {
        return Err(format!(
            "asset source `{shown}` holds {total} bytes of files, over Lambda's limit of {unzipped_limit} bytes \
             (250 MB) unzipped: leave out what the function does not load, or use a container image"
        ));
    }
    Ok(Scanned { entries, total })
}

fn entry(name: String, path: PathBuf, meta: &Metadata) -> Entry {
    Entry {
        name,
        path,
        executable: meta.permissions().mode() & 0o111 != 0,
        stamp: Stamp::of(meta),
    }
}

struct Walk<'a> {
    root: &'a Path,
    shown: &'a str,
    entries: &'a mut Vec<Entry>,
    /// The directories being walked (canonical), to refuse a symbolic link back into one of them.
    open: Vec<PathBuf>,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path, prefix: &str) -> Result<(), String> {
        let shown = self.shown;
        let read = fs::read_dir(dir).map_err(|e| {
            format!(
                "cannot read `{}` of asset `{shown}`: {e}",
                prefix_or_dot(prefix)
            )
        })?;
        for item in read {
            let item = item.map_err(|e| format!("cannot read asset `{shown}`: {e}"))?;
            let name = item.file_name();
            let Some(name) = name.to_str() else {
                return Err(format!(
                    "`{}` in asset `{shown}` has a name that is not UTF-8 ({:?}): zip entry names must be \
                     UTF-8 to unpack the same everywhere; rename it",
                    prefix_or_dot(prefix),
                    name
                ));
            };
            let rel = if prefix.is_empty() {
                name.to_owned()
            } else {
                format!("{prefix}/{name}")
            };
            let path = item.path();
            let meta = fs::symlink_metadata(&path)
                .map_err(|e| format!("cannot read `{rel}` of asset `{shown}`: {e}"))?;
            let file_type = meta.file_type();
            if file_type.is_symlink() {
                let link = fs::read_link(&path).unwrap_or_default();
                let target = fs::canonicalize(&path).map_err(|_| {
                    format!(
                        "symbolic link `{rel}` in asset `{shown}` points to `{}`, which does not exist",
                        link.display()
                    )
                })?;
                if !target.starts_with(self.root) {
                    return Err(format!(
                        "symbolic link `{rel}` in asset `{shown}` points to `{}`, outside the asset's directory: \
                         the zip would not hold what it points to; copy the file in, or point inside",
                        link.display()
                    ));
                }
                let meta = fs::metadata(&target)
                    .map_err(|e| format!("cannot read `{rel}` of asset `{shown}`: {e}"))?;
                if meta.is_dir() {
                    if self.open.contains(&target) {
                        return Err(format!(
                            "symbolic link `{rel}` in asset `{shown}` points to `{}`, a directory that holds it: \
                             a loop",
                            link.display()
                        ));
                    }
                    self.open.push(target.clone());
                    self.dir(&target, &rel)?;
                    self.open.pop();
                } else if meta.is_file() {
                    self.entries.push(entry(rel, target, &meta));
                } else {
                    return Err(special(&rel, shown, &meta.file_type()));
                }
            } else if file_type.is_dir() {
                self.dir(&path, &rel)?;
            } else if file_type.is_file() {
                self.entries.push(entry(rel, path, &meta));
            } else {
                return Err(special(&rel, shown, &file_type));
            }
        }
        Ok(())
    }
}

fn prefix_or_dot(prefix: &str) -> &str {
    if prefix.is_empty() {
        "."
    } else {
        prefix
    }
}

fn special(rel: &str, shown: &str, file_type: &fs::FileType) -> String {
    format!(
        "`{rel}` in asset `{shown}` is {}: an asset holds only regular files, directories and symbolic links \
         inside it; move it out",
        describe(file_type)
    )
}

fn describe(file_type: &fs::FileType) -> &'static str {
    if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_dir() {
        "a directory"
    } else {
        "neither a file nor a directory"
    }
}
