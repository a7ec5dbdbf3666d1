//! Container images from an OCI image layout made elsewhere (`buildah`, `docker buildx --output
//! type=oci`, `skopeo copy ... oci:`): checked, packed into an OCI archive whose bytes depend only on the
//! layout's files (`skopeo copy oci-archive:`), and tagged with the image manifest's digest.

use crate::scan::Scanned;
use std::io::Write;

/// Changes whenever the archive of the same files would have other bytes.
pub(crate) const ARCHIVER: &str = "stackwright-oci-tar 1: ustar, sorted, mtime 0, uid/gid 0, 0644";

/// What an OCI image layout's `index.json` names: the one image manifest's sha256 (hex), which the
/// image is tagged with.
pub(crate) fn manifest_digest(
    scanned: &Scanned,
    digests: &[[u8; 32]],
    shown: &str,
) -> Result<String, String> {
    let read = |name: &str| -> Result<Vec<u8>, String> {
        let entry = scanned
            .entries
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(|| {
                format!(
                    "`{shown}` is not an OCI image layout: it has no `{name}` (make one with `buildah push \
                     IMAGE oci:DIR`, `skopeo copy ... oci:DIR` or `docker buildx build --output type=oci`)"
                )
            })?;
        std::fs::read(&entry.path).map_err(|e| format!("cannot read `{name}` of `{shown}`: {e}"))
    };
    let layout: serde_json::Value = serde_json::from_slice(&read("oci-layout")?)
        .map_err(|e| format!("`oci-layout` of `{shown}` is not JSON: {e}"))?;
    if layout.get("imageLayoutVersion").and_then(|v| v.as_str()) != Some("1.0.0") {
        return Err(format!(
            "`oci-layout` of `{shown}` says {layout}: expected {{\"imageLayoutVersion\": \"1.0.0\"}}"
        ));
    }
    // Every blob is named by its content: a file that is not is a broken or edited layout.
    for (entry, digest) in scanned.entries.iter().zip(digests) {
        if let Some(name) = entry.name.strip_prefix("blobs/sha256/") {
            let actual = crate::archive::hex(digest);
            if name != actual {
                return Err(format!(
                    "blob `{}` of image layout `{shown}` holds content whose sha256 is {actual}: the layout is \
                     damaged; make it again",
                    entry.name
                ));
            }
        } else if !["oci-layout", "index.json"].contains(&entry.name.as_str()) {
            return Err(format!(
                "`{}` in image layout `{shown}` is neither a blob nor `oci-layout`/`index.json`: expected only \
                 what an OCI image layout holds",
                entry.name
            ));
        }
    }
    let index: serde_json::Value = serde_json::from_slice(&read("index.json")?)
        .map_err(|e| format!("`index.json` of `{shown}` is not JSON: {e}"))?;
    let manifests = index
        .get("manifests")
        .and_then(|m| m.as_array())
        .ok_or_else(|| format!("`index.json` of `{shown}` has no `manifests` list"))?;
    let [manifest] = manifests.as_slice() else {
        return Err(format!(
            "image layout `{shown}` holds {} images: expected exactly one (copy the one to deploy into a \
             layout of its own)",
            manifests.len()
        ));
    };
    let digest = manifest
        .get("digest")
        .and_then(|d| d.as_str())
        .unwrap_or_default();
    let hex = digest
        .strip_prefix("sha256:")
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| {
            format!("the image of layout `{shown}` has digest `{digest}`: expected `sha256:<64 hex digits>`")
        })?;
    let blob = format!("blobs/sha256/{hex}");
    if !scanned.entries.iter().any(|e| e.name == blob) {
        return Err(format!(
            "the image manifest of layout `{shown}` ({digest}) is not in it: expected `{blob}`"
        ));
    }
    Ok(hex.to_ascii_lowercase())
}

/// The OCI archive of a layout on disk ([`pack_files`]); a file whose size changed since the scan is
/// an error (it is being written).
pub(crate) fn pack(scanned: &Scanned, shown: &str) -> Result<Vec<u8>, String> {
    let mut files = Vec::with_capacity(scanned.entries.len());
    for entry in &scanned.entries {
        let bytes = std::fs::read(&entry.path).map_err(|e| {
            format!(
                "cannot read `{}` of image layout `{shown}`: {e}",
                entry.name
            )
        })?;
        if bytes.len() as u64 != entry.stamp.size {
            return Err(format!(
                "`{}` of image layout `{shown}` changed while it was packed: synthesize again once it is written",
                entry.name
            ));
        }
        files.push((entry.name.clone(), bytes));
    }
    pack_files(&files).map_err(|e| format!("cannot pack image layout `{shown}`: {e}"))
}

/// The OCI archive of a layout's files (sorted by name): a tar of them, each dated 0, owned by 0:0,
/// mode 0644, without user or group names, so that its bytes depend only on the files' names and
/// contents.
pub(crate) fn pack_files(files: &[(String, Vec<u8>)]) -> std::io::Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    tar.mode(tar::HeaderMode::Deterministic);
    for (name, bytes) in files {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, name, bytes.as_slice())?;
    }
    let mut bytes = tar.into_inner()?;
    bytes.flush()?;
    Ok(bytes)
}
