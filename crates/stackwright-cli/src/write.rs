use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Replaces the directory `out` with exactly `files` (relative path, bytes), all or nothing.
///
/// The files are written to a staging directory beside `out`, which then takes `out`'s place by rename;
/// readers see the old tree or the new one, never a mix. A non-empty `out` without a `manifest.json` is
/// not ours, and is refused rather than replaced.
pub fn write_tree<'a>(
    out: &Path,
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> io::Result<()> {
    let name = out.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "output directory `{}` must end in a directory name",
                out.display()
            ),
        )
    })?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if out.exists() {
        refuse_foreign(out)?;
    }
    fs::create_dir_all(&parent)?;
    let sibling = |suffix: &str| {
        let mut n = std::ffi::OsString::from(".");
        n.push(name);
        n.push(suffix);
        parent.join(n)
    };
    let staging = sibling(".stackwright-staging");
    let previous = sibling(".stackwright-previous");
    remove_if_present(&staging)?;
    fs::create_dir(&staging)?;
    let written = write_files(&staging, files.into_iter().collect());
    if let Err(e) = written {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    if out.exists() {
        remove_if_present(&previous)?;
        fs::rename(out, &previous)?;
        if let Err(e) = fs::rename(&staging, out) {
            // Put the old tree back, so a failure leaves what was there.
            let _ = fs::rename(&previous, out);
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
        fs::remove_dir_all(&previous)?;
    } else {
        fs::rename(&staging, out)?;
    }
    Ok(())
}

/// Writes the files under `root`, creating directories first, then contents from as many threads as
/// there are cores: on this kind of machine page-cache writes of many files are the slowest phase.
fn write_files(root: &Path, files: Vec<(&str, &[u8])>) -> io::Result<()> {
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|(p, _)| root.join(p).parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in &dirs {
        fs::create_dir_all(dir)?;
    }
    crate::parallel::map_chunks(&files, |part| {
        part.iter()
            .try_for_each(|(p, bytes)| fs::write(root.join(p), bytes))
    })
    .into_iter()
    .collect()
}

fn refuse_foreign(out: &Path) -> io::Result<()> {
    if !out.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "output path `{}` exists and is not a directory",
                out.display()
            ),
        ));
    }
    let empty = fs::read_dir(out)?.next().is_none();
    if !empty && !out.join(crate::synth::MANIFEST).is_file() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "refusing to replace `{}`: it is not empty and has no manifest.json, so stackwright did not \
                 write it; choose another --out or remove it",
                out.display()
            ),
        ));
    }
    Ok(())
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
