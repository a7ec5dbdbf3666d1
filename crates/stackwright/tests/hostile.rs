//! Hostile values in what Stackwright prints (issue 20). Through `--out`: every command `list` (human and
//! JSON) and `plan` (human, markdown, JSON) print, run by `sh -c` with stub `aws` and `terraform` first on
//! the PATH, runs only those engines, with exactly the expected arguments, and no payload (`touch X`) runs;
//! a path that cannot print on one line (newline, escape) is refused. Through a hand-edited manifest:
//! `list`, `plan` and `synth` refuse the tree naming the field, print nothing of it on stdout, and leave the
//! manifest as it was.

use crate::support::run;
use serde_json::Value;
use stackwright::aws::{ec2, iam};
use stackwright::{App, Environment};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// `--out` names with a payload each: run by a shell, it creates `X{n}` in the working directory.
const HOSTILE: [&str; 7] = [
    "my out",
    "a;touch X1;b",
    "$(touch X2)",
    "`touch X3`",
    "it's';touch X4;'",
    "say \"$(touch X5)\"",
    "all of them: ; $(touch X6) `touch X6` ' \" # && || > X6 < * ~ ! { } \\ é",
];

/// One stack per environment with an IAM role (`--capabilities`); `prod`'s CloudFormation template is
/// over 51,200 bytes (its deploy reads `S3_BUCKET`).
fn app(environments: &[(&str, &str, &str)]) -> App<usize> {
    let mut app = App::new("demo");
    for (name, account, region) in environments {
        let vpcs = if *name == "prod" { 400 } else { 1 };
        app = app.environment(Environment::new(*name, *account, *region, vpcs));
    }
    app.stack("main", |s, env| {
        for i in 0..*env.config() {
            s.add(ec2::Vpc::new(format!("Vpc{i}"), "10.0.0.0/16"));
        }
        s.add(iam::Role::new(
            "App",
            iam::PolicyDocument::assumed_by_service("ec2.amazonaws.com"),
        ));
    })
}

/// What the tree is written by: `dev` in account 1..1, `test` in eu-west-1, `prod`.
fn before() -> App<usize> {
    app(&[
        ("dev", "111111111111", "us-west-2"),
        ("test", "222222222222", "eu-west-1"),
        ("prod", "444444444444", "us-east-1"),
    ])
}

/// What `list` and `plan` run with: `dev` moves to account 3..3 (its old deployments are torn down
/// first), `test` is removed (its kept artifacts are torn down), `prod` stays as it is.
fn after() -> App<usize> {
    app(&[
        ("dev", "333333333333", "us-west-2"),
        ("prod", "444444444444", "us-east-1"),
    ])
}

/// Programs as `aws` and `terraform` receive them (program name first).
type Calls = Vec<Vec<String>>;

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

/// The commands `list` prints for the tree in `out` (`o`: its path as given) and `after()`, as the calls
/// each one makes, with `S3_BUCKET` set to `bucket`.
fn list_calls(o: &str) -> BTreeSet<Calls> {
    let chdir = |env: &str| format!("-chdir={o}/terraform/{env}/main");
    let terraform = |env: &str, action: &str| {
        vec![
            strings(&["terraform", &chdir(env), "init"]),
            strings(&["terraform", &chdir(env), action]),
        ]
    };
    let deploy = |env: &str, region: &str, bucket: &[&str]| {
        let template = format!("{o}/cloudformation/{env}/main.template.json");
        let stack = format!("demo-{env}-main");
        let mut argv = strings(&[
            "aws",
            "cloudformation",
            "deploy",
            "--template-file",
            &template,
            "--stack-name",
            &stack,
            "--region",
            region,
            "--capabilities",
            "CAPABILITY_IAM",
            "CAPABILITY_NAMED_IAM",
        ]);
        argv.extend(strings(bucket));
        vec![argv]
    };
    BTreeSet::from([
        deploy("dev", "us-west-2", &[]),
        terraform("dev", "apply"),
        terraform("dev", "destroy"),
        deploy("prod", "us-east-1", &["--s3-bucket", "bucket"]),
        terraform("prod", "apply"),
        delete_stack("test", "eu-west-1"),
        terraform("test", "destroy"),
    ])
}

fn delete_stack(env: &str, region: &str) -> Calls {
    vec![strings(&[
        "aws",
        "cloudformation",
        "delete-stack",
        "--stack-name",
        &format!("demo-{env}-main"),
        "--region",
        region,
    ])]
}

/// The commands `plan` prints: the old deployments of `dev` (both targets) and of the removed `test`.
fn plan_calls(o: &str) -> BTreeSet<Calls> {
    let terraform = |env: &str| {
        let chdir = format!("-chdir={o}/terraform/{env}/main");
        vec![
            strings(&["terraform", &chdir, "init"]),
            strings(&["terraform", &chdir, "destroy"]),
        ]
    };
    BTreeSet::from([
        delete_stack("dev", "us-west-2"),
        terraform("dev"),
        delete_stack("test", "eu-west-1"),
        terraform("test"),
    ])
}

/// A directory whose `bin` holds stub `aws` and `terraform` scripts that record each call in `calls`,
/// and whose `cwd` is where commands run (and where a payload would create its file).
struct Sandbox {
    root: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        std::fs::create_dir(root.path().join("cwd")).unwrap();
        for engine in ["aws", "terraform"] {
            let stub = bin.join(engine);
            // Each call: its argument count, its name and its arguments, each ended by a NUL byte.
            std::fs::write(
                &stub,
                "#!/bin/sh\nprintf '%s\\0' \"$#\" \"${0##*/}\" \"$@\" >> \"$STUB_CALLS\"\n",
            )
            .unwrap();
            std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Sandbox { root }
    }

    fn calls_file(&self) -> PathBuf {
        self.root.path().join("calls")
    }

    /// Runs `command` with `sh -c` and returns the calls the stubs received.
    fn run(&self, command: &str) -> Calls {
        let _ = std::fs::remove_file(self.calls_file());
        let path = format!(
            "{}:{}",
            self.root.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(self.root.path().join("cwd"))
            .env("PATH", path)
            .env("STUB_CALLS", self.calls_file())
            .env("S3_BUCKET", "bucket")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let ran: Vec<String> = std::fs::read_dir(self.root.path().join("cwd"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            ran.is_empty(),
            "{command} ran more than the engines: {ran:?}"
        );
        let bytes = std::fs::read(self.calls_file()).unwrap_or_default();
        let text = String::from_utf8(bytes).unwrap();
        let mut fields = text.split('\0');
        let mut calls = Vec::new();
        while let Some(count) = fields.next().filter(|f| !f.is_empty()) {
            let count: usize = count.parse().unwrap();
            calls.push(fields.by_ref().take(count + 1).map(str::to_owned).collect());
        }
        calls
    }
}

/// The commands in human output: the text after each `marker` (`deploy: `), through the end of the line
/// where a shell would end it (a quoted value may span lines).
fn human_commands(text: &str, markers: &[&str]) -> Vec<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        if let Some(rest) = markers.iter().find_map(|m| line.strip_prefix(m)) {
            let mut command = rest.to_owned();
            while shlex::split(&command).is_none() {
                i += 1;
                command.push('\n');
                command.push_str(lines[i]);
            }
            found.push(command);
        }
        i += 1;
    }
    found
}

/// The contents of the fenced `sh` blocks of a Markdown text.
fn markdown_commands(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let fence = line.trim_end_matches("sh");
        if fence.len() >= 3 && fence.len() + 2 == line.len() && fence.chars().all(|c| c == '`') {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != fence).collect();
            found.push(body.join("\n"));
        }
    }
    found
}

/// The (shell, argv) of each command of `list --format json`, from `deploy`, `destroy` and the moving
/// module's `destroy`, with `$S3_BUCKET` in the argument vectors substituted as `deploy_variables` says.
fn list_json_commands(json: &Value) -> Vec<(String, Calls)> {
    let mut found = Vec::new();
    for artifact in json["artifacts"].as_array().unwrap() {
        for (object, name) in [
            (artifact, "deploy"),
            (artifact, "destroy"),
            (&artifact["moving_from"], "destroy"),
        ] {
            let Some(shell) = object[name].as_str() else {
                continue;
            };
            let variables = object[format!("{name}_variables")]
                .as_object()
                .cloned()
                .unwrap_or_default();
            let argv: Calls =
                serde_json::from_value(object[format!("{name}_argv")].clone()).unwrap();
            let argv = argv
                .into_iter()
                .map(|program| {
                    program
                        .into_iter()
                        .map(|arg| match arg.strip_prefix('$') {
                            Some(var) if variables.contains_key(var) => "bucket".to_owned(),
                            _ => arg,
                        })
                        .collect()
                })
                .collect();
            found.push((shell.to_owned(), argv));
        }
    }
    found
}

#[test]
fn every_printed_command_runs_only_the_engine_whatever_the_out_directory() {
    let sandbox = Sandbox::new();
    for name in HOSTILE {
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join(name);
        let o = out.to_str().unwrap();
        let (code, _, stderr) = run(&before(), &["synth", "--out", o]);
        assert_eq!(code, 0, "{name}: {stderr}");

        // `list`, human: every `deploy:` and `destroy:` line, comment included, pasted as it is.
        let (code, stdout, stderr) = run(&after(), &["list", "--out", o]);
        assert_eq!(code, 0, "{name}: {stderr}");
        let commands = human_commands(&stdout, &["deploy: ", "destroy: "]);
        let ran: BTreeSet<Calls> = commands.iter().map(|c| sandbox.run(c)).collect();
        assert_eq!(commands.len(), 7, "{name}: {stdout}");
        assert_eq!(ran, list_calls(o), "{name}: {stdout}");

        // `list --format json`: each command line runs its argument vectors, and those are the expected.
        let (code, stdout, stderr) = run(&after(), &["list", "--out", o, "--format", "json"]);
        assert_eq!(code, 0, "{name}: {stderr}");
        let json: Value = serde_json::from_str(&stdout).unwrap();
        let commands = list_json_commands(&json);
        for (shell, argv) in &commands {
            assert_eq!(&sandbox.run(shell), argv, "{name}: {shell}");
        }
        let argvs: BTreeSet<Calls> = commands.into_iter().map(|(_, argv)| argv).collect();
        assert_eq!(argvs, list_calls(o), "{name}");

        // `plan`, in its three formats.
        let plan = |format: &str| {
            let (code, stdout, stderr) =
                run(&after(), &["plan", "--against", o, "--format", format]);
            assert!(matches!(code, 2 | 3), "{name}: {stderr}");
            stdout
        };
        let human = human_commands(&plan("human"), &["run: "]);
        let ran: BTreeSet<Calls> = human.iter().map(|c| sandbox.run(c)).collect();
        assert_eq!((human.len(), ran), (4, plan_calls(o)), "{name}");
        let markdown = plan("markdown");
        let blocks = markdown_commands(&markdown);
        let ran: BTreeSet<Calls> = blocks.iter().map(|c| sandbox.run(c)).collect();
        assert_eq!(
            (blocks.len(), ran),
            (4, plan_calls(o)),
            "{name}: {markdown}"
        );
        let json: Value = serde_json::from_str(&plan("json")).unwrap();
        let mut argvs = BTreeSet::new();
        for stack in json["stacks"].as_array().unwrap() {
            for command in stack["commands"].as_array().into_iter().flatten() {
                let shell = command["shell"].as_str().unwrap();
                let argv: Calls = serde_json::from_value(command["argv"].clone()).unwrap();
                assert_eq!(sandbox.run(shell), argv, "{name}: {shell}");
                assert_eq!(command["account"], stack["placement"]["account"]);
                argvs.insert(argv);
            }
        }
        assert_eq!(argvs, plan_calls(o), "{name}");
    }
}

/// A path a command could not print on one line is refused before anything runs, by every command.
#[test]
fn an_out_directory_with_a_control_character_is_refused() {
    for name in [
        "new\ntouch X\nline",
        "esc\u{1b}[2J",
        "cr\r      deploy: rm -rf ~",
    ] {
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join(name);
        let o = out.to_str().unwrap();
        for args in [
            &["synth", "--out", o][..],
            &["list", "--out", o],
            &["list", "--out", o, "--format", "json"],
            &["plan", "--against", o],
            &["plan", "--against", o, "--format", "markdown"],
        ] {
            let (code, stdout, stderr) = run(&before(), args);
            let usage = if args[0] == "plan" { 1 } else { 2 };
            assert_eq!((code, stdout.as_str()), (usage, ""), "{args:?}: {stderr}");
            assert!(stderr.contains("holds the control character"), "{stderr}");
            assert!(!stderr.contains(name), "the value is escaped: {stderr}");
        }
        assert!(!out.exists());
    }
}

/// A hand-edited manifest field: its name, the edit, and what the refusal names.
type Edit = (&'static str, Box<dyn Fn(&mut Value)>, &'static str);

/// Hand-edited manifest fields, each with what the refusal names.
fn hostile_manifests() -> Vec<Edit> {
    vec![
        (
            "env",
            Box::new(|m| m["artifacts"][0]["env"] = "old;touch X;".into()),
            "artifact 0 has `env` \"old;touch X;\"",
        ),
        (
            "region",
            Box::new(|m| m["artifacts"][1]["region"] = "us-west-2;touch Y;".into()),
            "artifact 1 has `region` \"us-west-2;touch Y;\"",
        ),
        (
            "path",
            Box::new(|m| {
                m["artifacts"][1]["path"] = "terraform/dev/main/$(touch Z)/main.tf.json".into()
            }),
            "artifact 1 has `path` \"terraform/dev/main/$(touch Z)/main.tf.json\"",
        ),
        (
            "account",
            Box::new(|m| m["artifacts"][2]["account"] = "222222222222 `touch A`".into()),
            "artifact 2 has `account` \"222222222222 `touch A`\"",
        ),
        (
            "stack",
            Box::new(|m| m["artifacts"][3]["stack"] = "main\n      deploy: rm -rf ~".into()),
            "artifact 3 has `stack` \"main\\n      deploy: rm -rf ~\"",
        ),
        (
            "depends_on",
            Box::new(|m| m["artifacts"][3]["depends_on"] = serde_json::json!(["'; touch B; '"])),
            "artifact 3 has `depends_on` \"'; touch B; '\"",
        ),
        (
            "app",
            Box::new(|m| m["app"] = "demo\"; touch C; \"".into()),
            "the manifest has `app` \"demo\\\"; touch C; \\\"\"",
        ),
    ]
}

#[test]
fn a_hand_edited_manifest_is_refused_by_list_plan_and_synth() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let o = out.to_str().unwrap();
    let manifest = out.join("manifest.json");
    for (field, edit, named) in hostile_manifests() {
        let _ = std::fs::remove_dir_all(&out);
        assert_eq!(run(&before(), &["synth", "--out", o]).0, 0);
        let mut json: Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
        edit(&mut json);
        let edited = serde_json::to_vec_pretty(&json).unwrap();
        std::fs::write(&manifest, &edited).unwrap();
        let value = hostile_value(&json, field);
        for args in [
            &["list", "--out", o][..],
            &["list", "--out", o, "--format", "json"],
            &["plan", "--against", o],
            &["plan", "--against", o, "--format", "markdown"],
            &["plan", "--against", o, "--format", "json"],
            &["synth", "--out", o],
        ] {
            // The definition that wrote the tree, and one that keeps and moves its artifacts.
            for app in [before(), after()] {
                let (code, stdout, stderr) = run(&app, args);
                assert_eq!(
                    (code, stdout.as_str()),
                    (1, ""),
                    "{field} {args:?}: {stderr}"
                );
                assert!(stderr.contains(named), "{field} {args:?}: {stderr}");
                assert!(
                    !value.contains('\n') || !stderr.contains(&value),
                    "{field} {args:?}: a newline of the value reaches stderr unescaped: {stderr}"
                );
                assert_eq!(
                    std::fs::read(&manifest).unwrap(),
                    edited,
                    "{field} {args:?}"
                );
            }
        }
        let left: Vec<String> = std::fs::read_dir(scratch.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != "out")
            .collect();
        assert!(
            left.is_empty(),
            "{field}: a staging tree was left: {left:?}"
        );
    }
}

/// The edited value of `field` in `manifest`, as it was written.
fn hostile_value(manifest: &Value, field: &str) -> String {
    if field == "app" {
        return manifest["app"].as_str().unwrap().to_owned();
    }
    manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|a| match &a[field] {
            Value::String(s) if !is_plain(s) => Some(s.clone()),
            Value::Array(list) => list.first().and_then(Value::as_str).map(str::to_owned),
            _ => None,
        })
        .unwrap()
}

/// Whether a manifest value is one synth wrote (no shell or line syntax in it).
fn is_plain(value: &str) -> bool {
    value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.'))
}
