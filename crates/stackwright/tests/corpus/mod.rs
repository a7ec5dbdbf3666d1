//! The corpus of broken definitions (issue 11): every case in `cases.rs` must fail at synth through the
//! real command line with exit code 1, nothing written, and exactly the errors `expected.json` records,
//! each pointing at the line its case marks with `// <- here`.
//!
//! `expected.json` also records, per case, which outside checker would have caught the fault without
//! Stackwright (`"checkers"`: cfn-lint, cloudformation-validate, terraform validate; `null` when none
//! does and the fault surfaces only at deploy), and what happens at deploy. `scripts/check-corpus.sh`
//! checks those claims: it writes each case's artifacts with the guard disabled (the ignored test
//! `write_unguarded_artifacts`) and runs the outside checkers on them.

#[rustfmt::skip]
mod cases;

use crate::support::run;
use serde_json::Value;
use std::collections::BTreeSet;

const EXPECTED: &str = include_str!("expected.json");
const SOURCE: &str = include_str!("cases.rs");
const MARKER: &str = "// <- here";

fn expected() -> serde_json::Map<String, Value> {
    match serde_json::from_str(EXPECTED) {
        Ok(Value::Object(cases)) => cases,
        other => panic!("expected.json: expected an object of cases, found {other:?}"),
    }
}

/// `cases.rs:LINE:` of the marked line in the body of case `name`.
fn marked_line(name: &str) -> String {
    let start = SOURCE
        .find(&format!("\nfn {name}("))
        .unwrap_or_else(|| panic!("no function `{name}` in cases.rs"));
    let body_end = SOURCE[start + 1..]
        .find("\nfn ")
        .map_or(SOURCE.len(), |end| start + 1 + end);
    let body = &SOURCE[start..body_end];
    let marks: Vec<usize> = body.match_indices(MARKER).map(|(at, _)| at).collect();
    assert_eq!(
        marks.len(),
        1,
        "case `{name}`: expected one `{MARKER}` marker"
    );
    let line = SOURCE[..start + marks[0]].matches('\n').count() + 1;
    format!("corpus/cases.rs:{line}:")
}

#[test]
fn the_corpus_has_at_least_30_cases_each_with_its_expectation() {
    let names: BTreeSet<&str> = cases::CASES.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names.len(),
        cases::CASES.len(),
        "a case name is listed twice"
    );
    assert!(names.len() >= 30, "{} cases", names.len());
    let recorded = expected();
    let recorded: BTreeSet<&str> = recorded.keys().map(String::as_str).collect();
    assert_eq!(
        names, recorded,
        "cases.rs and expected.json list different cases"
    );
}

#[test]
fn every_case_fails_at_synth_with_its_located_error_and_writes_nothing() {
    let expected = expected();
    let mut failures = Vec::new();
    for (name, define) in cases::CASES {
        let case = &expected[*name];
        let errors: Vec<&str> = case["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: `errors` must be a list"))
            .iter()
            .map(|e| e.as_str().expect("error fragments are strings"))
            .collect();
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join("out");
        let (code, _, stderr) = run(&define(), &["synth", "--out", out.to_str().unwrap()]);
        let mut problems = Vec::new();
        if code != 1 {
            problems.push(format!("exit code {code}, expected 1"));
        }
        if out.exists() || std::fs::read_dir(scratch.path()).unwrap().next().is_some() {
            problems.push("something was written".to_owned());
        }
        // Every problem is an `error:` line, then one summary line.
        let rendered = stderr
            .lines()
            .filter(|l| l.starts_with("error: ") && !l.contains(" found; nothing was written"))
            .count();
        if rendered != errors.len() {
            problems.push(format!(
                "{rendered} errors, expected {} (one mistake, one error)",
                errors.len()
            ));
        }
        for fragment in &errors {
            if !stderr.contains(fragment) {
                problems.push(format!("missing `{fragment}`"));
            }
        }
        let at = marked_line(name);
        if !stderr.contains(&at) {
            problems.push(format!("not located at `{at}`"));
        }
        if !problems.is_empty() {
            failures.push(format!("{name}: {}\n{stderr}", problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Writes each case's artifacts as the targets lower them, problems ignored, under
/// `$STACKWRIGHT_CORPUS_OUT/<case>/` (a `manifest.json` per case, as `scripts/check-artifacts.sh
/// --out-dir` reads), for `scripts/check-corpus.sh`. Ignored: it checks nothing itself.
#[test]
#[ignore = "run by scripts/check-corpus.sh"]
fn write_unguarded_artifacts() {
    let root = std::path::PathBuf::from(
        std::env::var("STACKWRIGHT_CORPUS_OUT")
            .expect("STACKWRIGHT_CORPUS_OUT names the directory"),
    );
    for (name, define) in cases::CASES {
        let app = define();
        let instantiation = app.instantiate(&Default::default());
        let dir = root.join(name);
        let mut entries = Vec::new();
        for instance in &instantiation.instances {
            let env = instance.environment;
            let stack = instance.stack.name();
            let cfn = stackwright_cloudformation::synthesize(instance).document;
            let tf = stackwright_terraform::synthesize(instance).document;
            for (target, path, document) in [
                (
                    "cloudformation",
                    format!("cloudformation/{}/{stack}.template.json", env.name),
                    cfn,
                ),
                (
                    "terraform",
                    format!("terraform/{}/{stack}/main.tf.json", env.name),
                    tf,
                ),
            ] {
                let file = dir.join(&path);
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                let mut bytes = serde_json::to_vec_pretty(&document).unwrap();
                bytes.push(b'\n');
                std::fs::write(&file, &bytes).unwrap();
                entries.push(serde_json::json!({
                    "app": app.name(), "env": env.name, "account": env.account, "region": env.region,
                    "stack": stack, "target": target, "path": path, "resources": 0,
                    "sha256": sha256_hex(&bytes),
                }));
            }
        }
        let manifest = serde_json::json!({ "format": 1, "app": app.name(), "artifacts": entries });
        std::fs::write(
            dir.join("manifest.json"),
            serde_json::to_vec_pretty(&manifest).unwrap(),
        )
        .unwrap();
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
