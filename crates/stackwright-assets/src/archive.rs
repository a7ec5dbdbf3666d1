//! Packing the files of an asset into a zip whose bytes depend only on their names, contents and
//! executable bits.

use crate::scan::Scanned;
use sha2::{Digest, Sha256};
use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Changes whenever the packer would write other bytes for the same files (another compressor, level or
/// layout), so that remembered packings are not reused across it.
pub(crate) const PACKER: &str =
    "stackwright-zip 1: deflate level 6 (flate2 rust backend), 1980-01-01, 0644/0755";

/// One packed asset.
pub(crate) struct Packed {
    pub(crate) bytes: Vec<u8>,
    /// The sha256 of each file's contents, in the entries' order.
    pub(crate) digests: Vec<[u8; 32]>,
}

/// The content key of an asset: what its zip's bytes are a function of (names, executable bits, file
/// digests, the packer).
pub(crate) fn content_key<'a>(
    entries: impl Iterator<Item = (&'a str, bool, &'a [u8; 32])>,
) -> [u8; 32] {
    let mut key = Sha256::new();
    key.update(PACKER.as_bytes());
    key.update(b"\n");
    for (name, executable, digest) in entries {
        key.update(name.as_bytes());
        key.update(if executable {
            b"\x00755\x00"
        } else {
            b"\x00644\x00"
        });
        key.update(digest);
        key.update(b"\n");
    }
    key.finalize().into()
}

/// Packs `scanned` (already sorted by name): each file deflated, dated 1980-01-01 00:00:00 (the zip
/// format's epoch), mode 0644 or 0755 (executable for anyone: what Lambda needs of a `bootstrap` or a
/// binary), made by Unix, no extra fields (no owner ids, no other timestamps), no directory entries, no
/// comment. Each file is read once; a file whose size changed since the scan is an error (it is being
/// written: synthesize again once it is done).
pub(crate) fn pack(scanned: &Scanned, shown: &str) -> Result<Packed, String> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(
        usize::try_from(scanned.total / 3).unwrap_or(0),
    )));
    let base = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(DateTime::default())
        .large_file(false);
    let mut digests = Vec::with_capacity(scanned.entries.len());
    let mut buffer = Vec::new();
    let failed = |e: zip::result::ZipError| format!("cannot pack asset `{shown}`: {e}");
    for entry in &scanned.entries {
        buffer.clear();
        std::fs::File::open(&entry.path)
            .and_then(|mut f| f.read_to_end(&mut buffer))
            .map_err(|e| format!("cannot read `{}` of asset `{shown}`: {e}", entry.name))?;
        if buffer.len() as u64 != entry.stamp.size {
            return Err(format!(
                "`{}` of asset `{shown}` changed while it was packed ({} bytes, then {}): synthesize again once \
                 it is written",
                entry.name,
                entry.stamp.size,
                buffer.len()
            ));
        }
        digests.push(Sha256::digest(&buffer).into());
        let mode = if entry.executable { 0o755 } else { 0o644 };
        zip.start_file(entry.name.as_str(), base.unix_permissions(mode))
            .map_err(failed)?;
        zip.write_all(&buffer)
            .map_err(|e| format!("cannot pack asset `{shown}`: {e}"))?;
    }
    let bytes = zip.finish().map_err(failed)?.into_inner();
    Ok(Packed { bytes, digests })
}

/// Lowercase hex of a digest.
pub(crate) fn hex(digest: &[u8]) -> String {
    use std::fmt::Write as _;
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
