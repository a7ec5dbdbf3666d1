//! The command line: selection flags, the out/ layout, `list`, and all-or-nothing writes.

use crate::support::{one_stack, run};
use stackwright::aws::ec2;
use stackwright::{App, Environment};

fn two_envs() -> App<()> {
    App::new("demo")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(Environment::new("prod", "210987654321", "eu-west-1", ()))
        .stack("main", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        })
}

fn files(root: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                found.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    found.sort();
    found
}

/// Every file under `root` with its bytes, in path order.
fn contents(root: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    files(root)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(root.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

#[test]
fn synth_is_the_default_and_writes_the_documented_layout() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, stdout, stderr) = run(&two_envs(), &["--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("2 environments x 1 stack x 2 targets = 4 artifacts"),
        "{stdout}"
    );
    assert_eq!(
        files(&out),
        [
            "cloudformation/dev/main.template.json",
            "cloudformation/prod/main.template.json",
            "manifest.json",
            "terraform/dev/main/main.tf.json",
            "terraform/prod/main/main.tf.json",
        ]
    );
}

/// `--env` and `--target` choose what is synthesized; the tree's other artifacts (deployed environments,
/// the only modules that can tear them down) stay as they are, and the manifest is the one a synthesis of
/// everything writes.
#[test]
fn target_and_env_select_what_is_written_and_leave_the_rest_as_it_is() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    assert_eq!(run(&two_envs(), &["synth", "--out", out_arg]).0, 0);
    let before = contents(&out);
    // The definition changes for every environment; only prod's Terraform module is asked for.
    let changed = App::new("demo")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(Environment::new("prod", "210987654321", "eu-west-1", ()))
        .stack("main", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.1.0.0/16"));
        });
    let (code, stdout, stderr) = run(
        &changed,
        &[
            "synth",
            "--target",
            "terraform",
            "--env",
            "prod",
            "--out",
            out_arg,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("1 environment x 1 stack x 1 target = 1 artifact")
            && stdout.contains("left as they were, not selected: 3 artifacts"),
        "{stdout}"
    );
    for (file, bytes) in &before {
        let now = std::fs::read(out.join(file)).unwrap();
        let changed = now != *bytes;
        let expected = matches!(
            file.as_str(),
            "terraform/prod/main/main.tf.json" | "manifest.json"
        );
        assert_eq!(changed, expected, "{file}");
    }
    // The manifest lists all four, in the order a synthesis of everything gives.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let paths: Vec<&str> = manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "cloudformation/dev/main.template.json",
            "terraform/dev/main/main.tf.json",
            "cloudformation/prod/main.template.json",
            "terraform/prod/main/main.tf.json",
        ]
    );
    assert!(manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a.get("removed").is_none()));
    // Selecting everything again rewrites the rest.
    assert_eq!(run(&changed, &["synth", "--out", out_arg]).0, 0);
    let vpc = std::fs::read_to_string(out.join("terraform/dev/main/main.tf.json")).unwrap();
    assert!(vpc.contains("10.1.0.0/16"), "{vpc}");
}

/// A tree of another app holds that app's artifacts, among them the modules that tear its deployments
/// down: synth, `synth --check`, `list` and `plan` refuse it and write nothing.
#[test]
fn a_tree_of_another_app_is_refused_and_left_as_it_is() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    assert_eq!(run(&two_envs(), &["synth", "--out", out_arg]).0, 0);
    let before = contents(&out);
    let other = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stack("main", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        });
    for args in [
        vec!["synth", "--out", out_arg],
        vec!["synth", "--check", "--out", out_arg],
        vec!["list", "--out", out_arg],
        vec!["plan", "--against", out_arg],
    ] {
        let (code, _, stderr) = run(&other, &args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains("holds the artifacts of app `demo`, not of")
                && stderr.contains("its own directory with `--out DIR`"),
            "{args:?}: {stderr}"
        );
        assert_eq!(stderr.matches("holds the artifacts").count(), 1, "{stderr}");
    }
    for (file, bytes) in &before {
        assert_eq!(&std::fs::read(out.join(file)).unwrap(), bytes, "{file}");
    }
    assert_eq!(files(&out).len(), before.len());
}

#[test]
fn list_of_a_file_in_place_of_the_tree_is_an_error() {
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("afile");
    std::fs::write(&file, "notes\n").unwrap();
    let (code, stdout, stderr) = run(&two_envs(), &["list", "--out", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stderr.contains("afile` is not a directory: `list` describes the tree synth writes there"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "notes\n");
}

/// `list` describes the tree synth writes, which need not exist yet; its commands name files that do not
/// exist until synth runs, and a person reading them is told so once (on stderr: stdout stays the list).
#[test]
fn list_before_synth_says_the_tree_is_not_written_yet() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    let (code, before, stderr) = run(&two_envs(), &["list", "--out", out_arg]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr.matches("note: nothing is synthesized in `").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("run synth (with the same --out)"),
        "{stderr}"
    );
    assert!(!out.exists(), "list wrote nothing");
    assert_eq!(run(&two_envs(), &["synth", "--out", out_arg]).0, 0);
    let (code, after, stderr) = run(&two_envs(), &["list", "--out", out_arg]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("nothing is synthesized"), "{stderr}");
    assert_eq!(before, after);
}

#[test]
fn plan_against_a_file_says_it_is_a_file() {
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("afile");
    std::fs::write(&file, "notes\n").unwrap();
    let (code, stdout, stderr) = run(&two_envs(), &["plan", "--against", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stderr.contains("afile` is a file, not a directory; --against needs the out directory"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "notes\n");
}

#[test]
fn unknown_environment_is_an_error() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, _, stderr) = run(
        &two_envs(),
        &["--env", "staging", "--out", out.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("unknown environment `staging`: expected one of dev, prod"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, stderr) = run(&two_envs(), &["--target", "pulumi"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("pulumi"), "{stderr}");
}

#[test]
fn list_shows_paths_and_deploy_commands() {
    let (code, stdout, stderr) = run(&two_envs(), &["list"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("environment prod (account 210987654321, region eu-west-1)"),
        "{stdout}"
    );
    assert!(stdout.contains(
        "aws cloudformation deploy --template-file out/cloudformation/dev/main.template.json --stack-name demo-dev-main --region us-west-2"
    ), "{stdout}");
    assert!(stdout.contains("terraform -chdir=out/terraform/prod/main init && terraform -chdir=out/terraform/prod/main apply"), "{stdout}");
}

#[test]
fn a_directory_stackwright_did_not_write_is_not_replaced() {
    let scratch = tempfile::tempdir().unwrap();
    let precious = scratch.path().join("src");
    std::fs::create_dir(&precious).unwrap();
    std::fs::write(precious.join("main.rs"), "fn main() {}").unwrap();
    let app = one_stack(|s| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    });
    let (code, _, stderr) = run(&app, &["--out", precious.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("refusing to replace"), "{stderr}");
    assert_eq!(files(&precious), ["main.rs"]);
}

#[test]
fn a_failed_synthesis_leaves_the_previous_output_untouched() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    assert_eq!(run(&two_envs(), &["--out", out_arg]).0, 0);
    let before = std::fs::read(out.join("manifest.json")).unwrap();
    let broken = one_stack(|s| {
        s.add(ec2::Vpc::new("Vpc", "not-a-cidr"));
    });
    assert_eq!(run(&broken, &["--out", out_arg]).0, 1);
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), before);
    assert_eq!(files(&out).len(), 5);
}

/// The README's deploy walk-through, followed literally with the files `terraform init && apply` leaves
/// standing in for a real apply: synth, init/apply (local backend), synth again with a changed definition,
/// plan. Nothing Terraform wrote is lost, the state is where `list` says, and `plan` still reads the tree.
#[test]
fn the_readme_deploy_walk_through_loses_nothing() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    assert_eq!(run(&two_envs(), &["--out", out_arg]).0, 0);

    let (_, listing, _) = run(&two_envs(), &["list", "--out", out_arg]);
    let state_line = listing
        .lines()
        .find(|l| l.contains("state:") && l.contains("/dev/main/"))
        .unwrap_or_else(|| panic!("no state line for dev/main in:\n{listing}"));
    assert!(
        state_line.contains("every tree of this app") && state_line.contains("synth refuses"),
        "{state_line}"
    );
    let state_path = state_line.split_whitespace().nth(1).unwrap();
    assert_eq!(
        state_path,
        format!(
            "{}/terraform-state/demo/dev/main/terraform.tfstate",
            scratch.path().display()
        )
    );

    // `terraform -chdir=out/terraform/dev/main init && apply`:
    let module = out.join("terraform/dev/main");
    std::fs::create_dir_all(module.join(".terraform/providers")).unwrap();
    std::fs::write(module.join(".terraform/terraform.tfstate"), "backend").unwrap();
    std::fs::write(module.join(".terraform.lock.hcl"), "lock").unwrap();
    std::fs::create_dir_all(std::path::Path::new(state_path).parent().unwrap()).unwrap();
    std::fs::write(state_path, "state").unwrap();
    // A state file from before the local backend moved out of the tree stays too.
    std::fs::write(module.join("terraform.tfstate"), "old state").unwrap();

    let changed = App::new("demo")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(Environment::new("prod", "210987654321", "eu-west-1", ()))
        .stack("main", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.1.0.0/16"));
        });
    let (code, stdout, stderr) = run(&changed, &["--out", out_arg]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("kept 3 entries stackwright did not write"),
        "{stdout}"
    );
    assert_eq!(std::fs::read_to_string(state_path).unwrap(), "state");
    assert_eq!(
        std::fs::read_to_string(module.join(".terraform.lock.hcl")).unwrap(),
        "lock"
    );
    assert_eq!(
        std::fs::read_to_string(module.join(".terraform/terraform.tfstate")).unwrap(),
        "backend"
    );
    assert_eq!(
        std::fs::read_to_string(module.join("terraform.tfstate")).unwrap(),
        "old state"
    );

    let (code, stdout, stderr) = run(&two_envs(), &["plan", "--against", out_arg]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.contains("cidr_block"), "{stdout}");
}

#[test]
fn list_prints_the_capabilities_a_template_needs() {
    use stackwright::aws::iam;
    let app = one_stack(|s| {
        s.add(iam::Role::new(
            "App",
            iam::PolicyDocument::assumed_by_service("ec2.amazonaws.com"),
        ));
    });
    let (code, stdout, _) = run(&app, &["list"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("--capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM"),
        "{stdout}"
    );
    let (_, stdout, _) = run(&two_envs(), &["list"]);
    assert!(!stdout.contains("--capabilities"), "{stdout}");
}

/// `plan --against` trusts nothing in the tree: a link out of it, a FIFO, a `null` template, a manifest of
/// another format or with an entry twice are each one clear error (exit 1), and nothing blocks or is printed
/// from outside the tree.
#[test]
fn plan_reads_only_what_stackwright_wrote_inside_the_tree() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    let app = two_envs();
    let plan = |expected: &str| {
        let (code, stdout, stderr) = run(&app, &["plan", "--against", out_arg]);
        assert_eq!(code, 1, "{stdout}{stderr}");
        assert!(
            stderr.contains(expected),
            "expected `{expected}` in: {stderr}"
        );
        assert!(!stdout.contains("secret"), "{stdout}");
    };
    let template = out.join("cloudformation/dev/main.template.json");
    let reset = || {
        let _ = std::fs::remove_dir_all(&out);
        assert_eq!(run(&app, &["--out", out_arg]).0, 0);
    };

    reset();
    let outside = scratch.path().join("outside.json");
    std::fs::write(&outside, r#"{"Resources": {"X": {"Type": "secret"}}}"#).unwrap();
    std::fs::remove_file(&template).unwrap();
    std::os::unix::fs::symlink(&outside, &template).unwrap();
    plan("is or passes through a symbolic link");

    reset();
    std::fs::remove_file(&template).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(&template)
        .status()
        .unwrap();
    assert!(status.success());
    plan("is a FIFO, expected a regular file");

    reset();
    std::fs::remove_file(&template).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &template).unwrap();
    plan("symbolic link");

    reset();
    std::fs::write(&template, "null\n").unwrap();
    let (code, _, stderr) = run(&app, &["plan", "--against", out_arg, "--allow-modified"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains(
            "main.template.json`: the document is null, expected a JSON object (a CloudFormation template)"
        ),
        "{stderr}"
    );

    let manifest = out.join("manifest.json");
    let edit_manifest = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
        f(&mut m);
        std::fs::write(&manifest, serde_json::to_vec(&m).unwrap()).unwrap();
    };
    reset();
    edit_manifest(&|m| m["format"] = 7.into());
    plan("its `format` is 7; this stackwright reads format 1");
    reset();
    edit_manifest(&|m| {
        let first = m["artifacts"][0].clone();
        m["artifacts"].as_array_mut().unwrap().push(first);
    });
    plan("is listed twice");
}

/// `plan --allow-modified` compares against an edited tree, but never against something else than what
/// deploys: a logical id or block name the text repeats (a JSON reader keeps one of the two silently) and a
/// section or resource of another shape (read as nothing) are each an error naming the file, the key path
/// and what was expected (exit 1); so they are when the manifest's sha256 is made to match the edit.
#[test]
fn plan_refuses_repeated_ids_and_wrongly_shaped_documents_even_when_modified_is_allowed() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    let app = two_envs();
    assert_eq!(run(&app, &["--out", out_arg]).0, 0);
    const TEMPLATE: &str = "cloudformation/dev/main.template.json";
    const MODULE: &str = "terraform/dev/main/main.tf.json";
    let manifest = std::fs::read(out.join("manifest.json")).unwrap();
    let originals: Vec<(&str, String)> = [TEMPLATE, MODULE]
        .into_iter()
        .map(|p| (p, std::fs::read_to_string(out.join(p)).unwrap()))
        .collect();
    let original = |path: &str| {
        originals
            .iter()
            .find(|(p, _)| *p == path)
            .unwrap()
            .1
            .clone()
    };
    let insert = |path: &str, after: &str, text: &str| {
        let original = original(path);
        assert!(original.contains(after), "{after} in {original}");
        original.replacen(after, &format!("{after}{text}"), 1)
    };
    let cases = [
        // The first of two `Vpc`s would be compared, and silently lost.
        (
            TEMPLATE,
            insert(TEMPLATE, "\"Resources\": {", r#""Vpc": {"Type": "AWS::EC2::VPC"},"#),
            "main.template.json`: `Resources` has the key `Vpc` twice, expected each key once",
        ),
        (
            MODULE,
            insert(MODULE, "\"aws_vpc\": {", r#""vpc": {"cidr_block": "10.9.0.0/16"},"#),
            "main.tf.json`: `resource.aws_vpc` has the key `vpc` twice, expected each key once",
        ),
        (
            MODULE,
            insert(MODULE, "\"resource\": {", r#""aws_vpc": {"other": {}},"#),
            "main.tf.json`: `resource` has the key `aws_vpc` twice",
        ),
        (
            TEMPLATE,
            r#"{"Resources": 5}"#.to_owned(),
            "main.template.json`: `Resources` is a number, expected an object (resources by logical id)",
        ),
        (
            TEMPLATE,
            r#"{"Resources": {"Vpc": "AWS::EC2::VPC"}}"#.to_owned(),
            "main.template.json`: `Resources.Vpc` is a string, expected an object (a resource",
        ),
        (
            MODULE,
            r#"{"resource": {"aws_vpc": [{"vpc": {}}]}}"#.to_owned(),
            "main.tf.json`: `resource.aws_vpc` is an array, expected an object (blocks by name)",
        ),
    ];
    let plan = |allow: bool| {
        let mut args = vec!["plan", "--against", out_arg];
        if allow {
            args.push("--allow-modified");
        }
        run(&app, &args)
    };
    for (path, text, expected) in &cases {
        std::fs::write(out.join("manifest.json"), &manifest).unwrap();
        std::fs::write(out.join(path), text).unwrap();
        let (code, stdout, stderr) = plan(true);
        assert_eq!(code, 1, "{path}: {text}\n{stdout}{stderr}");
        assert!(
            stderr.contains(expected),
            "expected `{expected}` in: {stderr}"
        );
        // The manifest signed again over the edit: the same refusal, without --allow-modified.
        let mut m: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
        use sha2::Digest;
        for entry in m["artifacts"].as_array_mut().unwrap() {
            if entry["path"] == *path {
                entry["sha256"] = sha2::Sha256::digest(text.as_bytes())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
                    .into();
            }
        }
        std::fs::write(out.join("manifest.json"), serde_json::to_vec(&m).unwrap()).unwrap();
        let (code, stdout, stderr) = plan(false);
        assert_eq!(code, 1, "{path}: {text}\n{stdout}{stderr}");
        assert!(
            stderr.contains(expected),
            "expected `{expected}` in: {stderr}"
        );
        std::fs::write(out.join(path), original(path)).unwrap();
    }
    // Unedited, the tree plans as it did.
    std::fs::write(out.join("manifest.json"), &manifest).unwrap();
    let (code, stdout, stderr) = plan(false);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

/// More environments than synthesis instantiates and lowers at a time (a few per core), so that the last
/// ones come in a later batch than the first, whose artifacts are already in the staging tree.
fn many_envs(broken: impl Fn(&str) -> bool + Send + Sync + 'static) -> App<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let count = 8 * cores + 3;
    (0..count)
        .map(|i| Environment::new(format!("env-{i:03}"), "123456789012", "us-west-2", ()))
        .fold(App::new("demo"), App::environment)
        .stack("main", move |s, env| {
            let cidr = if broken(env.name()) {
                "not-a-cidr"
            } else {
                "10.0.0.0/16"
            };
            s.add(ec2::Vpc::new("Vpc", cidr));
        })
}

/// Entries beside `out` that a writer leaves while it works (staging and incoming directories).
fn work_dirs(scratch: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(scratch)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("stackwright-"))
        .collect()
}

#[test]
fn a_problem_in_a_late_environment_leaves_out_untouched_and_no_staging_behind() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    assert_eq!(run(&many_envs(|_| false), &["--out", out_arg]).0, 0);
    let manifest = std::fs::read(out.join("manifest.json")).unwrap();
    let listed = files(&out);

    let last = format!(
        "env-{:03}",
        8 * std::thread::available_parallelism().map_or(1, |n| n.get()) + 2
    );
    let (code, _, stderr) = run(&many_envs(move |env| env == last), &["--out", out_arg]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("\nerror: 1 problem found;"),
        "one mistake, one error: {stderr}"
    );
    assert!(stderr.contains("`not-a-cidr`"), "{stderr}");
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), manifest);
    assert_eq!(files(&out), listed);
    assert_eq!(work_dirs(scratch.path()), Vec::<String>::new());

    // The same into a fresh directory: nothing at all is created.
    let fresh = scratch.path().join("fresh");
    let (code, _, _) = run(
        &many_envs(|env| env == "env-000"),
        &["--out", fresh.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(!fresh.exists());
    assert_eq!(work_dirs(scratch.path()), Vec::<String>::new());
}

#[test]
fn a_read_of_a_later_environment_is_checked_once_every_environment_ran() {
    use stackwright::aws::remote;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let count = 8 * cores + 3;
    let last = format!("env-{:03}", count - 1);
    let app = (0..count)
        .map(|i| Environment::new(format!("env-{i:03}"), "123456789012", "us-west-2", ()))
        .fold(App::new("demo"), App::environment)
        .stack("main", move |s, env| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            if env.name() == "env-000" {
                s.add(remote::StackOutput::new("Late", &last, "main", "Missing"));
            }
        });
    let stderr = crate::support::fails(
        &app,
        &["`Late` reads output `Missing` of stack `main` in environment `env-"],
    );
    assert!(stderr.contains("\nerror: 1 problem found;"), "{stderr}");
    assert!(
        stderr.contains("in environment `env-000`, stack `main`, resource `Late`"),
        "{stderr}"
    );
}

#[test]
fn the_summary_counts_the_stacks_each_environment_declares() {
    let app = App::new("demo")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(Environment::new("prod", "210987654321", "eu-west-1", ()))
        .stacks(|stacks, env| {
            stacks.stack("main", |s| {
                s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            });
            if env.name() == "prod" {
                stacks.stack("extra", |s| {
                    s.add(ec2::Vpc::new("Vpc", "10.1.0.0/16"));
                });
            }
        });
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, stdout, stderr) = run(&app, &["--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("2 environments, 3 stack instances x 2 targets = 6 artifacts"),
        "{stdout}"
    );
}

/// `plan` reads each artifact stackwright wrote against the fresh one, building only the resources and
/// outputs that differ (`stackwright_plan::previous`); a file that was modified is parsed whole. The two
/// give the same plan: here every file is rewritten as compact JSON (the same values, other bytes), so
/// that `--allow-modified` plans against whole parsed documents.
#[test]
fn a_plan_of_what_differs_is_the_plan_of_the_whole_tree() {
    use stackwright::Parameter;
    let app = |next: bool| {
        App::new("demo")
            .environment(Environment::new("dev", "123456789012", "us-west-2", next))
            .environment(Environment::new("prod", "210987654321", "eu-west-1", next))
            .stack("main", |s, env| {
                let next = *env.config();
                let image = s.add_parameter(Parameter::string("ImageId").default_value("ami-1"));
                let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
                let cidr = if next { "10.0.2.0/24" } else { "10.0.1.0/24" };
                let subnet = s.add(ec2::Subnet::new("Subnet", &vpc, cidr));
                // Worker-1 changes size, Worker-3 goes, Worker-5 comes; the others stay as they were
                // but run in the replaced subnet; `Other` is retagged.
                for i in (1..=5).filter(|&i| if next { i != 3 } else { i != 5 }) {
                    let size = if next && i == 1 {
                        "m5.xlarge"
                    } else {
                        "m5.large"
                    };
                    let id = format!("Worker-{i}");
                    let instance =
                        s.add(ec2::Instance::new(&id, image.value(), size).subnet(&subnet));
                    s.output(format!("Worker{i}PrivateIp"), instance.private_ip());
                }
                let name = if next { "other-2" } else { "other" };
                s.add(ec2::Vpc::new("Other", "10.9.0.0/16").tag("Name", name));
            })
    };
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    assert_eq!(run(&app(false), &["--out", out_arg]).0, 0);
    let plan = |extra: &[&str]| {
        let args = [&["plan", "--against", out_arg, "--format", "json"], extra].concat();
        let (code, stdout, stderr) = run(&app(true), &args);
        assert_eq!(code, 2, "{stdout}{stderr}");
        stdout
    };
    let read_against = plan(&[]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    for entry in manifest["artifacts"].as_array().unwrap() {
        let path = out.join(entry["path"].as_str().unwrap());
        let value: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        std::fs::write(&path, serde_json::to_vec(&value).unwrap()).unwrap();
    }
    assert_eq!(read_against, plan(&["--allow-modified"]));
    let summary = &serde_json::from_str::<serde_json::Value>(&read_against).unwrap()["summary"];
    assert!(
        summary["update"].as_u64() > Some(0)
            && summary["add"].as_u64() > Some(0)
            && summary["destroy"].as_u64() > Some(0)
            && summary["replace"].as_u64() > Some(0),
        "{summary}"
    );
}

#[test]
fn synth_check_of_a_missing_tree_says_it_does_not_exist() {
    let scratch = tempfile::tempdir().unwrap();
    let missing = scratch.path().join("nowhere");
    let (code, _, stderr) = run(
        &two_envs(),
        &["synth", "--check", "--out", missing.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("does not exist: run synth first"),
        "{stderr}"
    );
    assert!(!missing.exists());
}

/// The local state file `list` names is where Terraform will put it: through a linked output directory,
/// the module's `../../../../terraform-state` is beside the link's target, not beside the link.
#[test]
fn list_names_the_state_file_terraform_uses_through_a_linked_output_directory() {
    let scratch = tempfile::tempdir().unwrap();
    let (real, a) = (scratch.path().join("real"), scratch.path().join("a"));
    std::fs::create_dir_all(real.join("out1")).unwrap();
    std::fs::create_dir_all(&a).unwrap();
    std::os::unix::fs::symlink(real.join("out1"), a.join("out")).unwrap();
    let out = a.join("out");
    let out_arg = out.to_str().unwrap();
    assert_eq!(run(&two_envs(), &["synth", "--out", out_arg]).0, 0);
    let (code, stdout, stderr) = run(&two_envs(), &["list", "--out", out_arg, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let listing: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let state = listing["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["target"] == "terraform")
        .unwrap()["state"]["path"]
        .as_str()
        .unwrap()
        .to_owned();
    let expected = real
        .canonicalize()
        .unwrap()
        .join("terraform-state/demo/dev/main/terraform.tfstate");
    assert_eq!(std::path::Path::new(&state), expected);
}

/// One mistake, one error: an environment whose own declaration is wrong is not run, so that its stacks do
/// not repeat the mistake (an empty name made an empty `environment` tag, refused again by Terraform).
#[test]
fn an_empty_environment_name_is_one_error() {
    let app = App::new("demo")
        .environment(Environment::new("", "123456789012", "us-west-2", ()))
        .environment(Environment::new("dev", "1234", "us-west-2", ()))
        .stack("main", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        });
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, _, stderr) = run(&app, &["synth", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("invalid environment name ``: expected a non-empty name"),
        "{stderr}"
    );
    assert!(stderr.contains("invalid account id `1234`"), "{stderr}");
    assert!(
        stderr.contains("error: 2 problems found; nothing was written"),
        "{stderr}"
    );
    assert!(!out.exists());
}
