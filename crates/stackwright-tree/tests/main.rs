//! The writer against real directories: what it keeps, what it refuses, concurrency and crashes.

use serde_json::json;
use stackwright_core::Target;
use stackwright_tree::fields::ArtifactPath;
use stackwright_tree::{write_tree, Manifest, Written};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tree as stackwright writes one: artifacts plus a manifest listing them with their hashes.
fn tree(app: &str, artifacts: &[(&str, String)]) -> Vec<(String, Vec<u8>)> {
    let entries: Vec<_> = artifacts
        .iter()
        .map(|(path, body)| {
            // Every fixture is a module at `terraform/ENV/STACK/main.tf.json`, as the manifest's rules want.
            let artifact = stackwright_tree::fields::ArtifactPath::parse(path)
                .unwrap_or_else(|| panic!("not an artifact path: {path}"));
            let (target, env, stack) = (artifact.target.name(), artifact.environment, artifact.stack);
            json!({"env": env, "account": "111111111111", "region": "us-west-2", "stack": stack,
                   "target": target, "path": path, "resources": 1, "sha256": hex_sha256(body.as_bytes())})
        })
        .collect();
    let manifest =
        json!({"format": 1, "generator": "stackwright", "app": app, "artifacts": entries});
    let mut files: Vec<(String, Vec<u8>)> = artifacts
        .iter()
        .map(|(p, b)| (p.to_string(), b.clone().into_bytes()))
        .collect();
    files.push((
        "manifest.json".into(),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    ));
    files
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn write(out: &Path, files: &[(String, Vec<u8>)]) -> std::io::Result<Written> {
    write_tree(
        out,
        files.iter().map(|(p, b)| (p.as_str(), b.as_slice())),
        &mut |_| {},
    )
}

/// Every regular file and symbolic link under `dir`, with contents (link targets for links).
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let t = entry.file_type().unwrap();
            if t.is_symlink() {
                let to = fs::read_link(entry.path()).unwrap();
                out.insert(rel, format!("-> {}", to.display()));
            } else if t.is_dir() {
                walk(&entry.path(), &rel, out);
            } else {
                out.insert(
                    rel,
                    String::from_utf8_lossy(&fs::read(entry.path()).unwrap()).into_owned(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

fn siblings(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn module(env: &str, body: &str) -> (&'static str, String) {
    let path: &'static str = Box::leak(
        ArtifactPath::new(Target::Terraform, env, "web")
            .path()
            .into_boxed_str(),
    );
    (path, body.to_owned())
}

#[test]
fn terraform_state_and_dot_terraform_survive_two_synths() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write(&out, &tree("a", &[module("prod", "v1")])).unwrap();
    // What `terraform init && apply` leaves next to the module.
    let module_dir = out.join("terraform/prod/web");
    fs::write(module_dir.join("terraform.tfstate"), "STATE").unwrap();
    fs::write(module_dir.join(".terraform.lock.hcl"), "LOCK").unwrap();
    fs::create_dir_all(module_dir.join(".terraform/providers/aws")).unwrap();
    fs::write(
        module_dir.join(".terraform/providers/aws/terraform-provider-aws"),
        "BIN",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        "/opt/mirror/aws",
        module_dir.join(".terraform/providers/link"),
    )
    .unwrap();
    fs::write(out.join("NOTES.md"), "mine").unwrap();

    let first = write(&out, &tree("a", &[module("prod", "v2")])).unwrap();
    assert_eq!(
        first.kept,
        [
            "NOTES.md",
            "terraform/prod/web/.terraform/",
            "terraform/prod/web/.terraform.lock.hcl",
            "terraform/prod/web/terraform.tfstate"
        ]
    );
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    // Twice: the second write sees a tree whose foreign entries were themselves carried.
    write(&out, &tree("a", &[module("prod", "v3")])).unwrap();
    let files = snapshot(&out);
    assert_eq!(files["terraform/prod/web/main.tf.json"], "v3");
    assert_eq!(files["terraform/prod/web/terraform.tfstate"], "STATE");
    assert_eq!(files["terraform/prod/web/.terraform.lock.hcl"], "LOCK");
    assert_eq!(
        files["terraform/prod/web/.terraform/providers/aws/terraform-provider-aws"],
        "BIN"
    );
    assert_eq!(
        files["terraform/prod/web/.terraform/providers/link"],
        "-> /opt/mirror/aws"
    );
    assert_eq!(files["NOTES.md"], "mine");
    // Nothing is left beside `out` but the lock file.
    assert_eq!(siblings(root.path()), ["out"]);
}

#[test]
fn state_of_a_stack_that_left_the_definition_is_kept_and_its_artifact_removed() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write(&out, &tree("a", &[module("prod", "p"), module("old", "o")])).unwrap();
    fs::write(out.join("terraform/old/web/terraform.tfstate"), "STATE").unwrap();
    write(&out, &tree("a", &[module("prod", "p")])).unwrap();
    let files = snapshot(&out);
    assert!(!files.contains_key("terraform/old/web/main.tf.json"));
    assert_eq!(files["terraform/old/web/terraform.tfstate"], "STATE");
}

#[test]
fn a_directory_with_a_foreign_manifest_is_refused_untouched() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("webapp");
    fs::create_dir_all(out.join(".git")).unwrap();
    fs::write(out.join(".git/HEAD"), "ref: refs/heads/main").unwrap();
    fs::write(out.join("index.js"), "console.log(1)").unwrap();
    fs::write(
        out.join("manifest.json"),
        r#"{"name": "my-extension", "version": "1.0"}"#,
    )
    .unwrap();
    let before = snapshot(&out);
    let error = write(&out, &tree("a", &[module("prod", "v1")])).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("manifest.json is not one stackwright wrote")
            && error.to_string().contains("no `format`"),
        "{error}"
    );
    assert_eq!(snapshot(&out), before);
    // No manifest at all: refused too.
    fs::remove_file(out.join("manifest.json")).unwrap();
    let error = write(&out, &tree("a", &[module("prod", "v1")])).unwrap_err();
    assert!(
        error.to_string().contains("has no manifest.json"),
        "{error}"
    );
    assert!(!siblings(root.path()).iter().any(|n| n.contains("staging")));
}

#[test]
fn only_files_the_manifest_lists_are_removed() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write(&out, &tree("a", &[module("prod", "v1")])).unwrap();
    // A file the user put where stackwright writes, but which the manifest does not list.
    fs::write(out.join("terraform/prod/web/override.tf.json"), "{}").unwrap();
    write(&out, &tree("b", &[module("test", "t")])).unwrap();
    let files = snapshot(&out);
    assert!(!files.contains_key("terraform/prod/web/main.tf.json"));
    assert_eq!(files["terraform/prod/web/override.tf.json"], "{}");
    assert_eq!(files["terraform/test/web/main.tf.json"], "t");
}

#[test]
fn an_entry_in_the_way_of_a_new_file_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write(&out, &tree("a", &[module("prod", "v1")])).unwrap();
    fs::create_dir_all(out.join("terraform/test/web")).unwrap();
    fs::write(out.join("terraform/test/web/main.tf.json"), "hand-written").unwrap();
    let before = snapshot(&out);
    let error = write(
        &out,
        &tree("a", &[module("prod", "v1"), module("test", "t")]),
    )
    .unwrap_err();
    assert!(error.to_string().contains("is in the way"), "{error}");
    assert_eq!(snapshot(&out), before);
}

#[test]
fn a_fifo_in_the_tree_is_refused_before_anything_is_written() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write(&out, &tree("a", &[module("prod", "v1")])).unwrap();
    let status = Command::new("mkfifo")
        .arg(out.join("pipe"))
        .status()
        .unwrap();
    assert!(status.success());
    let error = write(&out, &tree("a", &[module("prod", "v2")])).unwrap_err();
    assert!(error.to_string().contains("a FIFO"), "{error}");
    assert_eq!(snapshot_of_module(&out), "v1");
    assert!(!siblings(root.path()).iter().any(|n| n.contains("staging")));
}

fn snapshot_of_module(out: &Path) -> String {
    fs::read_to_string(out.join("terraform/prod/web/main.tf.json")).unwrap()
}

#[test]
fn a_symlinked_out_writes_to_its_target_and_stays_a_link() {
    let root = tempfile::tempdir().unwrap();
    let real = root.path().join("real-out");
    fs::create_dir(&real).unwrap();
    let link = root.path().join("out");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let written = write(&link, &tree("a", &[module("prod", "v1")])).unwrap();
    write(&link, &tree("a", &[module("prod", "v2")])).unwrap();
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(snapshot_of_module(&real), "v2");
    assert_eq!(written.directory, fs::canonicalize(&real).unwrap());
    // A dangling link is refused with a reason.
    let dangling = root.path().join("dangling");
    std::os::unix::fs::symlink(root.path().join("nowhere"), &dangling).unwrap();
    let error = write(&dangling, &tree("a", &[module("prod", "v1")])).unwrap_err();
    assert!(error.to_string().contains("symbolic link"), "{error}");
}

#[test]
fn a_mount_point_is_refused_without_leaving_a_staging_tree() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    fs::create_dir(&out).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "stackwright-test"])
        .arg(&out)
        .output();
    match mounted {
        Ok(o) if o.status.success() => {}
        other => {
            eprintln!(
                "NOTICE: a_mount_point_is_refused... did NOT run its check: cannot mount a tmpfs here ({other:?}); \
                 it needs root and CAP_SYS_ADMIN"
            );
            return;
        }
    }
    let result = write(&out, &tree("a", &[module("prod", "v1")]));
    let leftovers = siblings(root.path());
    let _ = Command::new("umount").arg(&out).status();
    let error = result.unwrap_err();
    assert!(error.to_string().contains("is a mount point"), "{error}");
    assert_eq!(leftovers, ["out"]);
}

/// Makes a directory undeletable-from for this process: `chattr +i` as root (root ignores modes), else
/// mode 0555. Returns how to undo it (for every directory under `root`, wherever the writer moved it), or
/// None when neither works here.
fn make_read_only(dir: &Path, root: &Path) -> Option<Box<dyn Fn()>> {
    let is_root = Command::new("id").arg("-u").output().ok()?.stdout == b"0\n";
    let root = root.to_path_buf();
    if is_root {
        let ok = Command::new("chattr")
            .arg("+i")
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| {
            Box::new(move || {
                let _ = Command::new("chattr")
                    .arg("-R")
                    .arg("-i")
                    .arg(&root)
                    .status();
            }) as Box<dyn Fn()>
        })
    } else {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o555)).ok()?;
        Some(Box::new(move || {
            let _ = Command::new("chmod")
                .arg("-R")
                .arg("u+w")
                .arg(&root)
                .status();
        }))
    }
}

#[test]
fn a_previous_tree_that_cannot_be_removed_is_a_warning_and_later_writes_still_work() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write(&out, &tree("a", &[module("prod", "v1")])).unwrap();
    let stuck = out.join("terraform/prod/web");
    let Some(undo) = make_read_only(&stuck, root.path()) else {
        eprintln!(
            "NOTICE: a_previous_tree_that_cannot_be_removed... did NOT run: neither chattr +i nor chmod 0555 could \
             make a directory read-only here"
        );
        return;
    };
    let written = write(&out, &tree("a", &[module("prod", "v2")]));
    let later = write(&out, &tree("a", &[module("prod", "v3")]));
    let files = snapshot(&out);
    undo();
    let written = written.unwrap();
    assert_eq!(written.warnings.len(), 1, "{:?}", written.warnings);
    assert!(
        written.warnings[0].contains("the new tree is in place"),
        "{}",
        written.warnings[0]
    );
    let later = later.unwrap();
    assert!(
        later
            .warnings
            .iter()
            .any(|w| w.contains("interrupted write") || w.contains("could not be removed")),
        "{:?}",
        later.warnings
    );
    assert_eq!(files["terraform/prod/web/main.tf.json"], "v3");
    // Once it is writable again, the next write cleans up everything.
    let last = write(&out, &tree("a", &[module("prod", "v4")])).unwrap();
    assert!(last.warnings.is_empty(), "{:?}", last.warnings);
    assert_eq!(siblings(root.path()), ["out"]);
}

/// Whether `out` holds exactly one complete tree: every listed artifact present with the content of one
/// definition, nothing else stackwright wrote, and `extra` (the user's files) intact.
fn complete_tree(out: &Path, extra: &[(&str, &str)]) -> Result<String, String> {
    let manifest =
        Manifest::parse(&fs::read(out.join("manifest.json")).map_err(|e| e.to_string())?)?;
    let mut files = snapshot(out);
    files.remove("manifest.json");
    for (path, body) in extra {
        if files.remove(*path).as_deref() != Some(*body) {
            return Err(format!("user file {path} lost or changed"));
        }
    }
    let mut listed: Vec<&str> = manifest.artifacts.iter().map(|a| a.path.as_str()).collect();
    listed.sort();
    let on_disk: Vec<&str> = files.keys().map(String::as_str).collect();
    if listed != on_disk {
        return Err(format!("manifest lists {listed:?}, disk has {on_disk:?}"));
    }
    for a in &manifest.artifacts {
        let body = &files[&a.path];
        if !body.starts_with(&manifest.app) {
            return Err(format!(
                "{} holds {body:.20} in app {}",
                a.path, manifest.app
            ));
        }
    }
    Ok(manifest.app)
}

/// A definition: `count` artifacts whose content names the app, so a mix of two shows.
fn definition(app: &str, count: usize, size: usize) -> Vec<(String, Vec<u8>)> {
    let artifacts: Vec<(&str, String)> = (0..count)
        .map(|i| {
            let path: &'static str = Box::leak(
                ArtifactPath::new(Target::Terraform, &format!("{app}-{i}"), "web")
                    .path()
                    .into_boxed_str(),
            );
            (path, format!("{app}{}", "x".repeat(size)))
        })
        .collect();
    tree(app, &artifacts)
}

#[test]
fn concurrent_writers_of_different_definitions_always_leave_one_complete_tree() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write(&out, &definition("zero", 3, 10)).unwrap();
    fs::write(out.join("terraform.tfstate"), "STATE").unwrap();
    let a = definition("alpha", 40, 2000);
    let b = definition("beta", 25, 3000);
    for round in 0..20 {
        let waited = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for files in [&a, &b] {
                let (out, waited) = (&out, &waited);
                s.spawn(move || {
                    write_tree(
                        out,
                        files.iter().map(|(p, b)| (p.as_str(), b.as_slice())),
                        &mut |_| {
                            waited.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        },
                    )
                    .unwrap()
                });
            }
        });
        let app = complete_tree(&out, &[("terraform.tfstate", "STATE")])
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert!(app == "alpha" || app == "beta");
    }
    assert_eq!(siblings(root.path()), ["out"]);
}

const CHILD: &str = "STACKWRIGHT_TREE_KILL_CHILD";

/// The process the kill test kills: writes two large definitions in turn into the directory it is given,
/// forever. Ignored unless run by that test.
#[test]
#[ignore = "run as a child process by kill_9_during_a_large_write_leaves_the_old_or_the_new_tree"]
fn child_writer() {
    let Ok(out) = std::env::var(CHILD) else {
        return;
    };
    let out = PathBuf::from(out);
    let a = definition("alpha", 60, 40_000);
    let b = definition("beta", 45, 50_000);
    // The parent reads these lines to kill at different moments of a write.
    let mut n = 0;
    loop {
        for files in [&a, &b] {
            println!("start {n}");
            write(&out, files).unwrap();
            n += 1;
        }
    }
}

#[test]
fn kill_9_during_a_large_write_leaves_the_old_or_the_new_tree() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write(&out, &definition("zero", 3, 10)).unwrap();
    fs::create_dir_all(out.join(".terraform")).unwrap();
    fs::write(out.join(".terraform/terraform.tfstate"), "BACKEND").unwrap();
    let extra = [(".terraform/terraform.tfstate", "BACKEND")];
    let exe = std::env::current_exe().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for round in 0..20u64 {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "child_writer",
                "--ignored",
                "--test-threads=1",
                "--nocapture",
            ])
            .env(CHILD, &out)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Let the child start write number `round % 3`, then kill it at a different moment of that write:
        // from at once to past its end.
        // (The harness prints `test child_writer ... ` with no newline before the child's first line.)
        let wanted = format!("start {}", round % 3);
        let stdout = child.stdout.take().unwrap();
        let (started, wait) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)) {
                let Ok(line) = line else { return };
                if line == wanted || line.ends_with(&format!(" {wanted}")) {
                    let _ = started.send(());
                }
            }
        });
        if wait
            .recv_timeout(std::time::Duration::from_secs(60))
            .is_err()
        {
            let _ = child.kill();
            panic!("round {round}: the child writer did not start its write in 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis((round * 7) % 60));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let app = complete_tree(&out, &extra).unwrap_or_else(|e| panic!("round {round}: {e}"));
        seen.insert(app);
    }
    // Kills landed before and after writes completed, or the test proves nothing.
    assert!(seen.len() >= 2, "every kill left the same tree: {seen:?}");
    // The next writer cleans up whatever a killed one left, and the user's file is still there.
    let written = write(&out, &definition("final", 2, 10)).unwrap();
    assert!(written.warnings.is_empty(), "{:?}", written.warnings);
    assert_eq!(complete_tree(&out, &extra).unwrap(), "final");
    assert_eq!(siblings(root.path()), ["out"]);
    eprintln!("kill -9 rounds ended with trees of: {seen:?}");
}

/// A staging tree abandoned half-way (synthesis found a problem after some artifacts were streamed) is
/// removed, and `out` is as it was.
#[test]
fn an_abandoned_staging_tree_leaves_out_as_it_was() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write(&out, &tree("a", &[module("prod", "v1")])).unwrap();
    fs::write(out.join("terraform/prod/web/terraform.tfstate"), "STATE").unwrap();
    let before = snapshot(&out);
    let staging = stackwright_tree::Staging::begin(&out, &mut |_| {}).unwrap();
    staging
        .add("terraform/prod/web/main.tf.json", b"v2")
        .unwrap();
    staging
        .add("terraform/test/web/main.tf.json", b"t")
        .unwrap();
    let twice = staging
        .add("terraform/test/web/main.tf.json", b"t")
        .unwrap_err();
    assert!(twice.to_string().contains("written twice"), "{twice}");
    drop(staging);
    assert_eq!(snapshot(&out), before);
    assert_eq!(siblings(root.path()), ["out"]);
}

/// A writer holds the lock from `begin`, when it reads the old tree, to its commit: a second writer waits
/// (told once), then reads the first one's tree, so neither works from a tree that is gone.
#[test]
fn a_second_writer_waits_for_the_first_to_commit_and_reads_its_tree() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let first = stackwright_tree::Staging::begin(&out, &mut |_| {}).unwrap();
    assert!(first.previous().manifest().is_none());
    first.add("terraform/a/web/main.tf.json", b"a").unwrap();
    let waited = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        let second = s.spawn(|| {
            let second = stackwright_tree::Staging::begin(&out, &mut |dir| {
                assert_eq!(dir, root.path().canonicalize().unwrap());
                waited.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            })
            .unwrap();
            // It sees the first writer's tree.
            let app = second.previous().manifest().map(|m| m.app.clone());
            for (path, bytes) in tree("b", &[module("b", "b")]) {
                second.add(&path, &bytes).unwrap();
            }
            second.commit().unwrap();
            app
        });
        while waited.load(std::sync::atomic::Ordering::SeqCst) == 0 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        first
            .add(
                "manifest.json",
                &tree("a", &[("terraform/a/web/main.tf.json", "a".into())])[1].1,
            )
            .unwrap();
        let written = first.commit().unwrap();
        assert!(written.warnings.is_empty(), "{:?}", written.warnings);
        assert_eq!(second.join().unwrap().as_deref(), Some("a"));
    });
    assert_eq!(waited.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(
        fs::read_to_string(out.join("terraform/b/web/main.tf.json")).unwrap(),
        "b"
    );
    assert!(!out.join("terraform/a").exists());
    assert_eq!(siblings(root.path()), ["out"]);
}

const UNPRIVILEGED: &str = "STACKWRIGHT_TREE_UNPRIVILEGED_CHILD";

/// A read-only directory a user put in the tree (mode 0555) is carried into each new tree with its mode:
/// the copy gets the mode after its contents are linked in, or a writer without privileges could not
/// fill it. Root ignores modes, so as root the test runs its body as `nobody` (`setpriv`).
#[test]
fn a_read_only_foreign_directory_is_carried_by_a_writer_without_privileges() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let root = tempfile::tempdir().unwrap();
    if fs::metadata("/proc/self").unwrap().uid() != 0 {
        return read_only_directory_body(root.path());
    }
    fs::set_permissions(root.path(), fs::Permissions::from_mode(0o777)).unwrap();
    let status = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "unprivileged_child",
            "--ignored",
            "--test-threads=1",
        ])
        .env(UNPRIVILEGED, root.path())
        .status()
        .expect("setpriv (util-linux) runs the test body as nobody");
    assert!(status.success(), "the body failed as nobody: {status}");
    // The body ran: it leaves its tree behind.
    assert_eq!(
        fs::metadata(root.path().join("out/notes"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o555
    );
}

#[test]
#[ignore = "run as nobody by a_read_only_foreign_directory_is_carried_by_a_writer_without_privileges"]
fn unprivileged_child() {
    if let Ok(dir) = std::env::var(UNPRIVILEGED) {
        read_only_directory_body(Path::new(&dir));
    }
}

fn read_only_directory_body(root: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let out = root.join("out");
    write(&out, &tree("a", &[module("prod", "v1")])).unwrap();
    fs::create_dir(out.join("notes")).unwrap();
    fs::write(out.join("notes/README"), "mine").unwrap();
    fs::set_permissions(out.join("notes"), fs::Permissions::from_mode(0o555)).unwrap();
    for version in ["v2", "v3"] {
        let written = write(&out, &tree("a", &[module("prod", version)])).unwrap();
        assert_eq!(written.kept, ["notes/"]);
        assert!(written.warnings.is_empty(), "{:?}", written.warnings);
    }
    assert_eq!(
        fs::read_to_string(out.join("notes/README")).unwrap(),
        "mine"
    );
    let mode = fs::metadata(out.join("notes"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o555);
    // The previous trees are gone: nothing is left beside `out`.
    assert_eq!(siblings(root), ["out"]);
}
