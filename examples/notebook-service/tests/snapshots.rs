//! Every artifact of the flagship, byte for byte, as an insta snapshot under the top-level `snapshots/`.

use stackwright::synth::{synthesize, Request};
use std::collections::BTreeSet;
use std::path::Path;

const SNAPSHOT_DIR: &str = "../../snapshots/notebook-service";

/// `cloudformation/prod-oregon/notebook.template.json` -> `cloudformation__prod-oregon__notebook.template.json`
fn snapshot_name(path: &str) -> String {
    path.replace('/', "__")
}

#[test]
fn every_artifact_matches_its_snapshot() {
    let synthesis =
        synthesize(&notebook_service::app(), &Request::default()).expect("flagship synthesizes");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join(SNAPSHOT_DIR));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (path, bytes) in synthesis.files() {
            let text = std::str::from_utf8(bytes).expect("artifacts are UTF-8");
            insta::assert_snapshot!(snapshot_name(path), text);
        }
    });
}

/// No stale snapshot: each file under the snapshot directory belongs to a current artifact.
#[test]
fn no_orphan_snapshots() {
    let synthesis =
        synthesize(&notebook_service::app(), &Request::default()).expect("flagship synthesizes");
    let expected: BTreeSet<String> = synthesis
        .files()
        .map(|(path, _)| format!("{}.snap", snapshot_name(path)))
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(SNAPSHOT_DIR);
    let found: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("snapshot directory exists")
        .map(|e| {
            e.expect("readable entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".snap"))
        .collect();
    let orphans: Vec<_> = found.difference(&expected).collect();
    assert!(
        orphans.is_empty(),
        "snapshots without an artifact (delete them): {orphans:?}"
    );
}
