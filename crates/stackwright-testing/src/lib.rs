//! Golden tests of a Stackwright app, for the examples' test suites (a dev-dependency):
//!
//! ```ignore
//! #[test]
//! fn every_artifact_matches_its_snapshot_and_none_is_orphaned() {
//!     stackwright_testing::assert_artifact_snapshots!(my_infra::app(), "../../snapshots/my-infra");
//! }
//! ```
//!
//! Every artifact (each template, module and `manifest.json`) is compared byte for byte with its insta
//! snapshot, and a snapshot file without an artifact fails the test. After a change to the definition:
//! `INSTA_UPDATE=always cargo test`, review `git diff snapshots/`, commit.

use serde_json::Value;
use stackwright::synth::{synthesize, Request, Synthesis};
use stackwright::App;
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::path::Path;

/// For [`assert_artifact_snapshots!`], which expands in the caller's crate.
#[doc(hidden)]
pub use insta;

/// Every artifact of every environment and target; panics with the problems if synthesis fails, and
/// unless every Terraform module is written byte for byte as its JSON tree (see
/// [`assert_modules_written_as_trees`]).
pub fn synthesis<C>(app: &App<C>) -> Synthesis {
    let synthesis = synthesize(app, &Request::default())
        .unwrap_or_else(|problems| panic!("synthesis failed: {problems:#?}"));
    assert_modules_written_as_trees(app, &synthesis);
    synthesis
}

/// Panics unless each Terraform module of `synthesis` (of `app`) is, byte for byte, the pretty JSON of
/// the tree that `plan` compares (`stackwright_terraform::synthesize`): synth writes a module from
/// text serialized block by block as it is lowered (`synthesize_text`), never from that tree. And
/// unless the outline `list` lowers instead (`synthesize_outline`, no bodies kept) has the tree's
/// resource count, problems and `terraform.backend`.
pub fn assert_modules_written_as_trees<C>(app: &App<C>, synthesis: &Synthesis) {
    let instantiation = app.instantiate(&Default::default());
    for instance in &instantiation.instances {
        let path = stackwright_tree::fields::ArtifactPath::new(
            stackwright::Target::Terraform,
            &instance.environment.name,
            instance.stack.name(),
        )
        .path();
        let Some(written) = synthesis.artifacts.iter().find(|a| a.path == path) else {
            continue;
        };
        let module = stackwright_terraform::synthesize(instance);
        let tree = module.document;
        let mut bytes = serde_json::to_vec_pretty(&tree).expect("JSON serializes");
        bytes.push(b'\n');
        assert!(
            written.bytes == bytes,
            "{path}: the module written from text differs from its tree"
        );
        let outline = stackwright_terraform::synthesize_outline(instance);
        assert_eq!(
            (
                outline.resource_count,
                format!("{:?}", outline.problems),
                outline.document.backend()
            ),
            (
                module.resource_count,
                format!("{:?}", module.problems),
                tree.get("terraform").and_then(|t| t.get("backend"))
            ),
            "{path}: the outline `list` lowers differs from the module"
        );
    }
}

/// Every artifact of an app, parsed, by its path under the output directory.
pub fn artifacts<C>(app: &App<C>) -> BTreeMap<String, Value> {
    synthesis(app)
        .artifacts
        .iter()
        .map(|a| {
            let document = serde_json::from_slice(&a.bytes)
                .unwrap_or_else(|e| panic!("{} is not JSON: {e}", a.path));
            (a.path.clone(), document)
        })
        .collect()
}

/// The snapshot of an artifact: `cloudformation/prod/web.template.json` ->
/// `cloudformation__prod__web.template.json`.
pub fn snapshot_name(path: &str) -> String {
    path.replace('/', "__")
}

/// The files of `synthesis` that have a snapshot: every artifact and the manifest. Code assets (zips) have
/// none: they are binary, and the manifest's snapshot holds each one's sha256, which changes with any of
/// its bytes.
pub fn snapshot_files(synthesis: &Synthesis) -> impl Iterator<Item = (&str, &[u8])> {
    synthesis
        .files()
        .filter(|(path, _)| !synthesis.assets.iter().any(|a| a.path == *path))
}

/// Snapshot files (`*.snap`) in `dir` that belong to no artifact of `synthesis`.
pub fn orphan_snapshots(synthesis: &Synthesis, dir: &Path) -> Vec<String> {
    let expected: BTreeSet<String> = snapshot_files(synthesis)
        .map(|(path, _)| format!("{}.snap", snapshot_name(path)))
        .collect();
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("snapshot directory {}: {e}", dir.display()));
    let mut orphans: Vec<String> = entries
        .map(|e| {
            e.expect("readable entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".snap") && !expected.contains(name))
        .collect();
    orphans.sort();
    orphans
}

/// Asserts that every artifact of `app` matches its insta snapshot in `dir` (relative to the calling
/// crate's manifest directory), and that `dir` holds no snapshot without an artifact. A macro so that
/// insta records the caller's test as each snapshot's source.
#[macro_export]
macro_rules! assert_artifact_snapshots {
    ($app:expr, $dir:expr) => {{
        let synthesis = $crate::synthesis(&$app);
        let dir = ::std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join($dir);
        let mut settings = $crate::insta::Settings::clone_current();
        settings.set_snapshot_path(&dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| {
            for (path, bytes) in $crate::snapshot_files(&synthesis) {
                let text = ::std::str::from_utf8(bytes).expect("artifacts are UTF-8");
                $crate::insta::assert_snapshot!($crate::snapshot_name(path), text);
            }
        });
        let orphans = $crate::orphan_snapshots(&synthesis, &dir);
        assert!(
            orphans.is_empty(),
            "snapshots without an artifact (delete them): {orphans:?}"
        );
    }};
}

/// Edits an artifact of a tree on disk the way an older definition would have written it: `f` changes the
/// parsed document at `dir/path`, which is written back pretty-printed, and `dir/manifest.json` gets the new
/// sha256, so `plan --against dir` accepts the tree as stackwright's (it refuses an artifact whose hash does
/// not match). For plan tests whose "before" is a variation of the current definition.
pub fn edit_artifact(dir: &Path, path: &str, f: impl FnOnce(&mut Value)) {
    use sha2::Digest;
    let file = dir.join(path);
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&file).unwrap())
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", file.display()));
    f(&mut doc);
    let mut bytes = serde_json::to_vec_pretty(&doc).expect("JSON serializes");
    bytes.push(b'\n');
    std::fs::write(&file, &bytes).unwrap();
    let manifest_path = dir.join("manifest.json");
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    let entry = manifest["artifacts"]
        .as_array_mut()
        .and_then(|list| list.iter_mut().find(|a| a["path"] == path))
        .unwrap_or_else(|| panic!("{path} is not in {}", manifest_path.display()));
    entry["sha256"] = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .into();
    std::fs::write(
        &manifest_path,
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
}
