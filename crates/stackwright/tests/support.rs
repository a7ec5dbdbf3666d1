use serde_json::Value;
use stackwright::synth::{run_with, synthesize, Request};
use stackwright::App;
use std::collections::BTreeMap;

/// Runs the CLI with `args` (after the program name) and returns (exit code, stdout, stderr).
pub fn run<C>(app: &App<C>, args: &[&str]) -> (u8, String, String) {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let argv = std::iter::once("app").chain(args.iter().copied());
    let code = run_with(app, argv, &mut stdout, &mut stderr, false);
    (
        code,
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

/// Synthesizes through the real CLI into a fresh directory and expects failure: exit code 1, every
/// `expected` fragment in the rendered errors, and nothing written. Returns the rendered errors.
pub fn fails<C>(app: &App<C>, expected: &[&str]) -> String {
    fails_with_output(app, expected).1
}

/// [`fails`], returning stdout, stderr and the scratch directory that held `out` (empty, as checked).
pub fn fails_with_output<C>(
    app: &App<C>,
    expected: &[&str],
) -> (String, String, tempfile::TempDir) {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, stdout, stderr) = run(app, &["synth", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 1, "stdout: {stdout}\nstderr: {stderr}");
    for fragment in expected {
        assert!(
            stderr.contains(fragment),
            "missing `{fragment}` in:\n{stderr}"
        );
    }
    assert!(!out.exists(), "an artifact was written despite errors");
    let leftovers: Vec<_> = std::fs::read_dir(scratch.path()).unwrap().collect();
    assert!(
        leftovers.is_empty(),
        "staging files left behind: {leftovers:?}"
    );
    (stdout, stderr, scratch)
}

/// `file:line:` of the line `below` lines under the caller's, where a test declares the faulty builder.
#[track_caller]
pub fn line_below(below: u32) -> String {
    let here = std::panic::Location::caller();
    format!("{}:{}:", here.file(), here.line() + below)
}

/// Every artifact of an app, parsed, by path.
pub fn artifacts<C>(app: &App<C>) -> BTreeMap<String, Value> {
    let synthesis = synthesize(app, &Request::default()).unwrap_or_else(|p| panic!("{p:#?}"));
    synthesis
        .artifacts
        .iter()
        .map(|a| (a.path.clone(), serde_json::from_slice(&a.bytes).unwrap()))
        .collect()
}

pub const CFN: &str = "cloudformation/dev/main.template.json";
pub const TF: &str = "terraform/dev/main/main.tf.json";

/// A one-environment, one-stack app around a stack definition.
pub fn one_stack(define: impl Fn(&mut stackwright::Stack) + Send + Sync + 'static) -> App<()> {
    App::new("demo")
        .environment(stackwright::Environment::new(
            "dev",
            "123456789012",
            "us-west-2",
            (),
        ))
        .stack("main", move |stack, _| define(stack))
}

/// A neutral map value, for raw resources and overrides.
pub fn map(entries: &[(&str, stackwright::Value)]) -> stackwright::Value {
    stackwright::Value::Map(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}
