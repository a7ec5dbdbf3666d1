//! Reading files of a tree that someone else may have shaped: only regular files inside it, bounded in size.

use crate::manifest::check_relative_path;
use rustix::fs::{Mode, OFlags, ResolveFlags};
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The largest file [`read_file`] reads by default: 64 MiB, far above CloudFormation's 1 MB template limit and
/// any module stackwright writes, far below what would exhaust memory.
pub const DEFAULT_LIMIT: u64 = 64 << 20;

/// Reads `root/relative` (a `/`-separated path inside `root`), refusing what a tree stackwright wrote never
/// holds: a path with `..` or an absolute path, a symbolic link anywhere under `root`, anything that is not a
/// regular file (FIFO, device, socket, directory), and a file over `limit` bytes. `root` itself may be a link.
///
/// On Linux the open is one `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)` call, so the check cannot race
/// with a rename; the file is opened non-blocking (a FIFO never blocks) and checked with `fstat` before a
/// byte is read. Errors are `io::Error`s whose message says what was found and what was expected.
pub fn read_file(root: &Path, relative: &str, limit: u64) -> io::Result<Vec<u8>> {
    check_relative_path(relative)
        .map_err(|why| io::Error::new(io::ErrorKind::InvalidInput, why))?;
    let file = open_beneath(root, relative)?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "`{relative}` is {}, expected a regular file",
                describe(&meta.file_type())
            ),
        ));
    }
    if meta.len() > limit {
        return Err(too_large(relative, limit));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // `take` bounds the read even if the file grows after fstat.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(relative, limit));
    }
    Ok(bytes)
}

fn too_large(relative: &str, limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("`{relative}` is larger than {limit} bytes, the most an artifact can be"),
    )
}

pub(crate) fn open_beneath(root: &Path, relative: &str) -> io::Result<File> {
    let dir = File::open(root)?;
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
    let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
    match rustix::fs::openat2(&dir, relative, flags, Mode::empty(), resolve) {
        Ok(fd) => Ok(File::from(fd)),
        // ELOOP: a symbolic link on the way; EXDEV: the path would leave the tree.
        Err(rustix::io::Errno::LOOP) | Err(rustix::io::Errno::XDEV) => Err(link_error(relative)),
        // Kernels before 5.6 (or seccomp filters) lack openat2: check each component, then open without
        // following a final link.
        Err(rustix::io::Errno::NOSYS) | Err(rustix::io::Errno::PERM) => {
            open_checking_components(root, relative, flags)
        }
        Err(e) => Err(io::Error::from(e)),
    }
}

fn open_checking_components(root: &Path, relative: &str, flags: OFlags) -> io::Result<File> {
    let mut path = root.to_path_buf();
    for segment in relative.split('/') {
        path.push(segment);
        if std::fs::symlink_metadata(&path)?.file_type().is_symlink() {
            return Err(link_error(relative));
        }
    }
    let fd = rustix::fs::open(&path, flags | OFlags::NOFOLLOW, Mode::empty())?;
    Ok(File::from(fd))
}

fn link_error(relative: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "`{relative}` is or passes through a symbolic link; a tree stackwright wrote has none, and links are \
             not followed out of it"
        ),
    )
}

pub(crate) fn describe(file_type: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_block_device() || file_type.is_char_device() {
        "a device"
    } else {
        "a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_and_refuses_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("a")).unwrap();
        std::fs::write(root.join("a/ok.json"), b"{}").unwrap();
        std::fs::write(dir.path().join("big"), vec![b' '; 100]).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", root.join("a/link")).unwrap();
        std::os::unix::fs::symlink(root.join("a"), root.join("dirlink")).unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            root.join("fifo"),
            rustix::fs::FileType::Fifo,
            Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join("zero")).unwrap();

        assert_eq!(read_file(root, "a/ok.json", 10).unwrap(), b"{}");
        let error = |path: &str| read_file(root, path, 10).unwrap_err().to_string();
        assert!(
            error("a/link").contains("symbolic link"),
            "{}",
            error("a/link")
        );
        assert!(error("dirlink/ok.json").contains("symbolic link"));
        assert!(error("zero").contains("symbolic link"));
        assert!(error("fifo").contains("a FIFO"), "{}", error("fifo"));
        assert!(error("a").contains("a directory"));
        assert!(error("big").contains("larger than 10 bytes"));
        assert!(error("../etc/passwd").contains("outside the tree"));
        assert!(error("/etc/passwd").contains("outside the tree"));
    }
}
