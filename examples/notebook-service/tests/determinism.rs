use stackwright::synth::run_with;
use std::collections::BTreeMap;
use std::path::Path;

fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Two runs of the real command line, from two separately built apps, write byte-identical trees.
#[test]
fn two_runs_write_identical_trees() {
    let scratch = tempfile::tempdir().unwrap();
    let mut trees = Vec::new();
    for run in ["first", "second"] {
        // Each tree in a directory of its own: two trees of one app side by side would share the local
        // backend's state files, which synth refuses.
        let out = scratch.path().join(run).join("out");
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let args = ["notebook-service", "synth", "--out", out.to_str().unwrap()];
        let code = run_with(
            &notebook_service::app(),
            args,
            &mut stdout,
            &mut stderr,
            false,
        );
        assert_eq!(code, 0, "{}", String::from_utf8_lossy(&stderr));
        trees.push(tree(&out));
    }
    assert_eq!(
        trees[0].len(),
        7,
        "6 artifacts and the manifest: {:?}",
        trees[0].keys()
    );
    assert!(trees[0] == trees[1], "the two runs differ");
    // No absolute path or temp dir name leaks into an artifact.
    for bytes in trees[0].values() {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(scratch.path().to_str().unwrap()));
    }
}
