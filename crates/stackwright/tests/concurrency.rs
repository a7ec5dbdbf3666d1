//! Two synths at once on one output tree: each reads the tree and writes it back as one step, so neither
//! loses the other's change, and a second app never replaces the first one's tree.

use crate::support::run;
use stackwright::aws::ec2;
use stackwright::{App, Environment};
use std::path::Path;

/// Two environments whose VPC block is `10.<octet>.0.0/16`: a new `octet` changes both.
fn app(name: &str, octet: u8) -> App<()> {
    App::new(name)
        .environment(Environment::new("env-0", "123456789012", "us-west-2", ()))
        .environment(Environment::new("env-1", "210987654321", "eu-west-1", ()))
        .stack("main", move |s, _| {
            s.add(ec2::Vpc::new("Vpc", &format!("10.{octet}.0.0/16")));
        })
}

/// The octet each artifact of `out` holds (the second number of its CIDR block), by path.
fn octets(out: &Path) -> Vec<(String, String)> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let path = a["path"].as_str().unwrap();
            let text = std::fs::read_to_string(out.join(path)).unwrap();
            let at = text.find("\"10.").expect("a CIDR block") + 4;
            let octet = text[at..].split('.').next().unwrap().to_owned();
            (path.to_owned(), octet)
        })
        .collect()
}

/// Every file of `out` that the manifest lists matches its sha256: the tree is one generation.
fn consistent(out: &Path) {
    use sha2::Digest;
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    for a in manifest["artifacts"].as_array().unwrap() {
        let bytes = std::fs::read(out.join(a["path"].as_str().unwrap())).unwrap();
        let digest: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(a["sha256"].as_str().unwrap(), digest, "{}", a["path"]);
    }
}

#[test]
fn two_synths_of_different_environments_at_once_both_land() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    let (old, new) = (app("race", 1), app("race", 2));
    for round in 0..50 {
        assert_eq!(run(&old, &["synth", "--out", out_arg]).0, 0);
        let results: Vec<(u8, String, String)> = std::thread::scope(|scope| {
            let runs: Vec<_> = ["env-0", "env-1"]
                .into_iter()
                .map(|env| {
                    let new = &new;
                    scope.spawn(move || run(new, &["synth", "--env", env, "--out", out_arg]))
                })
                .collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        });
        for (code, _, stderr) in &results {
            assert_eq!(*code, 0, "round {round}: {stderr}");
        }
        let found = octets(&out);
        assert_eq!(found.len(), 4, "round {round}: {found:?}");
        assert!(
            found.iter().all(|(_, octet)| octet == "2"),
            "round {round}: a change was lost: {found:?}"
        );
        consistent(&out);
    }
}

#[test]
fn two_apps_racing_on_an_empty_directory_leave_one_tree_and_refuse_the_other() {
    for round in 0..20 {
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join("out");
        let out_arg = out.to_str().unwrap();
        let (first, second) = (app("first", 1), app("second", 2));
        let results: Vec<(u8, String, String)> = std::thread::scope(|scope| {
            let a = scope.spawn(|| run(&first, &["synth", "--out", out_arg]));
            let b = scope.spawn(|| run(&second, &["synth", "--out", out_arg]));
            vec![a.join().unwrap(), b.join().unwrap()]
        });
        let codes: Vec<u8> = results.iter().map(|r| r.0).collect();
        assert!(
            codes == [0, 1] || codes == [1, 0],
            "round {round}: exit codes {codes:?}: {results:?}"
        );
        let refused = &results[codes.iter().position(|c| *c == 1).unwrap()].2;
        assert!(refused.contains("holds the artifacts of app"), "{refused}");
        let winner = if codes[0] == 0 { "first" } else { "second" };
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["app"], winner, "round {round}");
        consistent(&out);
    }
}

/// What a killed synth leaves beside `out` (a staging tree with its list of what it wrote) is cleaned up
/// by the next synth, first thing, even when that synth fails.
#[test]
fn a_dead_writers_staging_tree_goes_with_the_next_synth_whatever_its_outcome() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    assert_eq!(run(&app("race", 1), &["synth", "--out", out_arg]).0, 0);
    for n in 0..3 {
        // No process has this pid's lock: the writer is dead.
        let dead = scratch
            .path()
            .join(format!(".out.stackwright-staging-4194304-{n}"));
        std::fs::create_dir_all(dead.join("terraform/env-0/main")).unwrap();
        std::fs::write(dead.join("terraform/env-0/main/main.tf.json"), "{}").unwrap();
        std::fs::write(
            dead.join(".stackwright-staging"),
            "terraform/env-0/main/main.tf.json\n",
        )
        .unwrap();
    }
    let broken = App::new("race")
        .environment(Environment::new("env-0", "123456789012", "us-west-2", ()))
        .stack("main", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/33"));
        });
    let (code, _, stderr) = run(&broken, &["synth", "--out", out_arg]);
    assert_eq!(code, 1, "{stderr}");
    let mut left: Vec<String> = std::fs::read_dir(scratch.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["out"]);
}

/// Two trees of one app side by side would keep their Terraform state in the same local files: the
/// second synth is refused, naming both; a tree with a parent of its own has its own state.
#[test]
fn a_second_tree_of_the_app_beside_the_first_is_refused_for_its_shared_state() {
    let scratch = tempfile::tempdir().unwrap();
    let (out, experiment) = (
        scratch.path().join("out"),
        scratch.path().join("out-experiment"),
    );
    assert_eq!(
        run(&app("state", 1), &["synth", "--out", out.to_str().unwrap()]).0,
        0
    );
    let (code, _, stderr) = run(
        &app("state", 2),
        &["synth", "--out", experiment.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("out-experiment") && stderr.contains("terraform-state/state/env-0/main"),
        "{stderr}"
    );
    assert!(!experiment.exists());
    let own = scratch.path().join("experiment/out");
    let (code, _, stderr) = run(&app("state", 2), &["synth", "--out", own.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
}
