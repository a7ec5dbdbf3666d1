//! Every artifact of the example, byte for byte, as an insta snapshot under the top-level `snapshots/`.
//!
//! The Rust function's zip is the binary the toolchain on this machine builds, so its sha256 and size
//! change with the compiler: the snapshots hold `[rust-health-sha256]` (and its first 16 digits,
//! `[rust-health-sha256-16]`, in Terraform names) and `[rust-health-size]` in their place; likewise the
//! image holding the statically linked binary (which also follows this machine's glibc):
//! `[health-image-sha256]`, `[health-image-tag]`, `[health-image-size]`; and the manifest
//! `[depends-on-built-binaries]` for the sha256 of each artifact that names one. Every other byte is
//! compared; `crates/stackwright-assets` tests that the builds give the same bytes twice.

use stackwright_testing::{insta, orphan_snapshots, snapshot_files, snapshot_name};
use std::io::Write as _;

#[test]
fn every_artifact_matches_its_snapshot_and_none_is_orphaned() {
    // The example builds a Rust function: on a machine without the Lambda tools (a fresh clone's `cargo
    // test`), say so and skip; CI installs them and fails instead.
    if let Some(why) = stackwright::assets::untestable_here() {
        // Straight to stderr, past the test harness's capture: a skip is said even when the test passes.
        let _ = writeln!(
            std::io::stderr(),
            "NOT TESTED: the serverless example's snapshots need its Rust function built: {why}"
        );
        return;
    }
    let synthesis = stackwright_testing::synthesis(&serverless::app());
    let of_kind = |kind| -> Vec<_> {
        synthesis
            .assets
            .iter()
            .filter(|a| a.asset.kind == kind)
            .map(|a| a.asset.clone())
            .collect()
    };
    let (rust, image) = (
        of_kind(stackwright::assets::Kind::Rust),
        of_kind(stackwright::assets::Kind::Image),
    );
    assert_eq!(rust.len(), 1, "one Rust function");
    assert_eq!(image.len(), 1, "one image");
    let (rust, image) = (&rust[0], &image[0]);
    let tag = image.image_tag().expect("an image has a tag");
    // What changes with the binaries this machine builds: (text, its mask).
    let masks = [
        (rust.sha256.clone(), "[rust-health-sha256]"),
        (rust.sha256[..16].to_owned(), "[rust-health-sha256-16]"),
        (image.sha256.clone(), "[health-image-sha256]"),
        (tag.to_owned(), "[health-image-tag]"),
    ];
    // The artifacts that name a zip or the image: the manifest's sha256 of each changes with them too.
    let naming: Vec<&str> = synthesis
        .artifacts
        .iter()
        .filter(|a| {
            std::str::from_utf8(&a.bytes).is_ok_and(|t| t.contains(&rust.sha256) || t.contains(tag))
        })
        .map(|a| a.path.as_str())
        .collect();
    assert!(
        !naming.is_empty(),
        "the functions' code names the zip and the image"
    );
    let mask = |text: &str| {
        let mut text = text.to_owned();
        for (needle, label) in &masks {
            text = text.replace(needle.as_str(), label);
        }
        for path in &naming {
            let Some(at) = text.find(&format!("\"path\": \"{path}\",")) else {
                continue;
            };
            let key = "\"sha256\": \"";
            if let Some(offset) = text[at..].find(key) {
                let start = at + offset + key.len();
                text.replace_range(start..start + 64, "[depends-on-built-binaries]");
            }
        }
        // The manifest's entries of the built assets: their sizes follow their kinds.
        for (kind, size, label) in [
            ("rust", rust.size, "[rust-health-size]"),
            ("image", image.size, "[health-image-size]"),
        ] {
            if let Some(at) = text.find(&format!("\"kind\": \"{kind}\"")) {
                let size = format!("\"size\": {size},");
                if let Some(offset) = text[at..].find(&size) {
                    let start = at + offset;
                    text.replace_range(start..start + size.len(), &format!("\"size\": {label},"));
                }
            }
        }
        text
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../snapshots/serverless");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(&dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (path, bytes) in snapshot_files(&synthesis) {
            let text = std::str::from_utf8(bytes).expect("artifacts are UTF-8");
            insta::assert_snapshot!(snapshot_name(path), mask(text));
        }
    });
    let orphans = orphan_snapshots(&synthesis, &dir);
    assert!(
        orphans.is_empty(),
        "snapshots without an artifact (delete them): {orphans:?}"
    );
}
