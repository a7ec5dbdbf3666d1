//! Every artifact of the example, byte for byte, as an insta snapshot under the top-level `snapshots/`.
//!
//! The Rust function's zip is the binary the toolchain on this machine builds, so its sha256 and size
//! change with the compiler: the snapshots hold `[rust-health-sha256]` (and its first 16 digits,
//! `[rust-health-sha256-16]`, in Terraform names) and `[rust-health-size]` in their place, and the
//! manifest `[depends-on-rust-health]` for the sha256 of each artifact that names it. Every other byte is
//! compared; `crates/stackwright-assets` tests that the build gives the same bytes twice.

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
    let rust: Vec<_> = synthesis
        .assets
        .iter()
        .filter(|a| a.asset.kind == stackwright::assets::Kind::Rust)
        .collect();
    assert_eq!(rust.len(), 1, "one Rust function");
    let asset = &rust[0].asset;
    // The artifacts that name the zip: the manifest's sha256 of each changes with it too.
    let naming: Vec<&str> = synthesis
        .artifacts
        .iter()
        .filter(|a| std::str::from_utf8(&a.bytes).is_ok_and(|t| t.contains(&asset.sha256)))
        .map(|a| a.path.as_str())
        .collect();
    assert!(!naming.is_empty(), "the function's code names the zip");
    let mask = |text: &str| {
        let mut text = text
            .replace(&asset.sha256, "[rust-health-sha256]")
            .replace(&asset.sha256[..16], "[rust-health-sha256-16]");
        for path in &naming {
            let Some(at) = text.find(&format!("\"path\": \"{path}\",")) else {
                continue;
            };
            let key = "\"sha256\": \"";
            if let Some(offset) = text[at..].find(key) {
                let start = at + offset + key.len();
                text.replace_range(start..start + 64, "[depends-on-rust-health]");
            }
        }
        // The manifest's entry of the asset: its size follows its kind.
        if let Some(at) = text.find("\"kind\": \"rust\"") {
            let size = format!("\"size\": {},", asset.size);
            if let Some(offset) = text[at..].find(&size) {
                let start = at + offset;
                text.replace_range(start..start + size.len(), "\"size\": [rust-health-size],");
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
