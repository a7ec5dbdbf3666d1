//! The artifact tree on disk, which users and engines share with stackwright: `terraform init` puts
//! `.terraform/` and lock files next to the modules, a local backend may put state there, users add notes.
//!
//! - [`manifest`]: `manifest.json`, what a tree holds and the proof that stackwright wrote it; [`fields`]:
//!   the definition's rules its fields are checked by when read back.
//! - [`write_tree`] and [`Staging`]: replace a tree all or nothing, keeping every entry stackwright did not
//!   write, durable before the swap, atomic on Linux (`renameat2(RENAME_EXCHANGE)`), under a lock held
//!   from the first read of the old tree to the swap.
//! - [`PreviousTree`]: the tree already there, read once under that lock (shared for readers).
//! - [`read_file`]: reads a file of a tree someone else may have shaped: only regular files inside it, no
//!   link followed, bounded in size.
//!
//! Architecture invariant: the only files this crate deletes are those a manifest it wrote lists, and
//! extra names (hard links, identical symbolic links) of entries the new tree still holds. Linux only.

pub mod fields;
pub mod manifest;
mod previous;
mod read;
mod write;

pub use manifest::{Entry, Manifest};
pub use previous::{ManifestError, PreviousTree};
pub use read::{read_file, DEFAULT_LIMIT};
pub use write::{write_tree, Staging, Written};

/// An artifact's bytes: `document` as pretty JSON with two-space indentation and a final newline (stable
/// bytes, readable diffs).
///
/// Here rather than in the command line so that serde_json's serializer is instantiated in this crate,
/// which crates made by `stackwright new` build optimized while the command line is not (README, "Build
/// times").
pub fn json_bytes(document: &serde_json::Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(document).expect("a JSON value always serializes");
    bytes.push(b'\n');
    bytes
}

/// The length of [`json_bytes`] of `document`, without holding the bytes.
pub fn json_size(document: &serde_json::Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer_pretty(&mut count, document).expect("a JSON value always serializes");
    count.0 + 1
}
