//! Code assets through the command line: written once into `out/assets/`, listed in the manifest with
//! their destinations, linked (not rewritten) when unchanged, carried for environments not synthesized.

use crate::support::{fails, run};
use stackwright::assets::{Asset, StackAssets};
use stackwright::aws::ec2;
use stackwright::{App, Environment};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, contents) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        // Old enough for its digest to be remembered.
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(SystemTime::now() - Duration::from_secs(60))
            .unwrap();
    }
}

fn app(code: PathBuf) -> App<()> {
    App::new("shop")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(Environment::new("prod", "210987654321", "eu-west-1", ()))
        .stack("orders", move |stack, _| {
            let code = stack.asset(Asset::directory(code.clone()));
            stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            stack.output("CodeBucket", code.s3_bucket());
            stack.output("CodeKey", code.s3_key());
        })
}

fn synth(app: &App<()>, out: &Path, more: &[&str]) {
    let mut args = vec!["synth", "--out", out.to_str().unwrap()];
    args.extend(more);
    let (code, stdout, stderr) = run(app, &args);
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

fn sha_of(code: &Path) -> String {
    Asset::directory(code).resolve().unwrap().sha256
}

#[test]
fn synth_writes_each_asset_once_and_links_it_while_unchanged() {
    let scratch = tempfile::tempdir().unwrap();
    let code = scratch.path().join("functions/orders");
    write(
        &code,
        &[
            ("index.py", "def handler(e, c): pass\n"),
            ("lib/x.py", "X = 1\n"),
        ],
    );
    let out = scratch.path().join("out");
    let app = app(code.clone());
    synth(&app, &out, &[]);

    let sha = sha_of(&code);
    let zip = out.join(format!("assets/{sha}.zip"));
    let bytes = std::fs::read(&zip).unwrap();
    assert_eq!(
        *Asset::directory(code.clone())
            .resolve()
            .unwrap()
            .bytes()
            .unwrap(),
        bytes
    );
    let m = manifest(&out);
    let asset = &m["assets"][0];
    assert_eq!(asset["path"], format!("assets/{sha}.zip"));
    assert_eq!(asset["sha256"], sha);
    assert_eq!(asset["kind"], "directory");
    assert_eq!(asset["size"], bytes.len() as u64);
    assert_eq!(
        asset["destinations"],
        serde_json::json!([
            {"env": "dev", "account": "123456789012", "region": "us-west-2",
             "bucket": "stackwright-assets-123456789012-us-west-2", "key": format!("{sha}.zip"),
             "stacks": ["orders"]},
            {"env": "prod", "account": "210987654321", "region": "eu-west-1",
             "bucket": "stackwright-assets-210987654321-eu-west-1", "key": format!("{sha}.zip"),
             "stacks": ["orders"]},
        ])
    );
    // The cache of this machine's stamps is beside the tree, ignored by git, never in the tree.
    assert!(!out.join("assets/cache.json").exists());
    let cache_dir = scratch.path().join(".stackwright-cache");
    let cache: serde_json::Value =
        serde_json::from_slice(&std::fs::read(cache_dir.join("out.assets.json")).unwrap()).unwrap();
    assert!(cache["files"].to_string().contains("lib/x.py"), "{cache}");
    assert_eq!(
        std::fs::read_to_string(cache_dir.join(".gitignore"))
            .unwrap()
            .lines()
            .last(),
        Some("*")
    );
    // The template names the object by its content, in the environment's bucket.
    let template =
        std::fs::read_to_string(out.join("cloudformation/dev/orders.template.json")).unwrap();
    assert!(template.contains(&format!("\"{sha}.zip\"")), "{template}");
    assert!(template.contains("stackwright-assets-"), "{template}");

    // Unchanged: the same file (a hard link into the new tree), not a rewrite.
    let inode = std::fs::metadata(&zip).unwrap().ino();
    let before = manifest(&out);
    synth(&app, &out, &[]);
    assert_eq!(std::fs::metadata(&zip).unwrap().ino(), inode);
    assert_eq!(manifest(&out), before);

    // A changed file: a new asset, the old one gone.
    std::fs::write(code.join("lib/x.py"), "X = 2\n").unwrap();
    synth(&app, &out, &[]);
    let changed = sha_of(&code);
    assert_ne!(changed, sha);
    assert!(!zip.exists());
    assert!(out.join(format!("assets/{changed}.zip")).is_file());

    // `synth --env dev` of another change carries prod's artifacts, and so prod's asset.
    std::fs::write(code.join("lib/x.py"), "X = 3\n").unwrap();
    synth(&app, &out, &["--env", "dev"]);
    let newest = sha_of(&code);
    let m = manifest(&out);
    let listed: Vec<(String, Vec<String>)> = m["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let envs = a["destinations"].as_array().unwrap().iter();
            (
                a["sha256"].as_str().unwrap().to_owned(),
                envs.map(|d| d["env"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect();
    let mut expected = vec![
        (changed.clone(), vec!["prod".to_owned()]),
        (newest.clone(), vec!["dev".to_owned()]),
    ];
    expected.sort();
    assert_eq!(listed, expected);
    assert!(out.join(format!("assets/{changed}.zip")).is_file());
    assert!(out.join(format!("assets/{newest}.zip")).is_file());
}

#[test]
fn a_missing_asset_fails_at_its_line() {
    let app = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stack("orders", |stack, _| {
            stack.asset(Asset::directory("no/such/functions")); // <- here
        });
    let line = line!() - 2;
    let errors = fails(&app, &["asset source `no/such/functions` does not exist"]);
    assert!(
        errors.contains(&format!("tests/assets.rs:{line}")),
        "{errors}"
    );
}

#[test]
fn a_hand_edited_asset_entry_is_refused() {
    let scratch = tempfile::tempdir().unwrap();
    let code = scratch.path().join("code");
    write(&code, &[("index.py", "pass\n")]);
    let out = scratch.path().join("out");
    synth(&app(code), &out, &[]);
    let path = out.join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "stackwright-assets-123456789012-us-west-2",
            "attacker;touch X",
        ),
    )
    .unwrap();
    let (code, _, stderr) = run(
        &App::<()>::new("shop"),
        &["list", "--out", out.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("asset 0 has `bucket` \"attacker;touch X\": expected `stackwright-assets-123456789012-us-west-2`"),
        "{stderr}"
    );
}

#[test]
fn list_gives_the_publish_commands_before_each_environment_s_first_wave() {
    let scratch = tempfile::tempdir().unwrap();
    let code = scratch.path().join("code");
    write(&code, &[("index.py", "pass\n")]);
    let sha = sha_of(&code);
    let out = scratch.path().join("my out;$(touch X)");
    let app = app(code);
    synth(&app, &out, &[]);
    let (status, stdout, stderr) = run(&app, &["list", "--out", out.to_str().unwrap()]);
    assert_eq!(status, 0, "{stderr}");
    let zip = out.join(format!("assets/{sha}.zip"));
    let quoted = shlex::try_quote(zip.to_str().unwrap())
        .unwrap()
        .into_owned();
    let expected = format!(
        "environment dev (account 123456789012, region us-west-2)\n  publish before wave 1 (the asset bucket and \
         image repository exist: they deploy before the stacks that use assets; zips for CloudFormation \
         only, as Terraform uploads them itself; images after `skopeo login`):\n    \
         asset {} \
         (directory, {} bytes, from {}; used by orders)\n      publish: aws s3 cp {quoted} \
         s3://stackwright-assets-123456789012-us-west-2/{sha}.zip --sse AES256 --region us-west-2  # with \
         credentials for account 123456789012\n  wave 1\n",
        zip.display(),
        std::fs::metadata(&zip).unwrap().len(),
        scratch.path().join("code").display()
    );
    assert!(stdout.contains(&expected), "{stdout}\n---\n{expected}");
    assert!(stdout.contains(&format!(
        "s3://stackwright-assets-210987654321-eu-west-1/{sha}.zip --sse AES256 --region eu-west-1"
    )));

    let (status, stdout, stderr) = run(
        &app,
        &["list", "--format", "json", "--out", out.to_str().unwrap()],
    );
    assert_eq!(status, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let publish = json["publish"].as_array().unwrap();
    assert_eq!(publish.len(), 2);
    assert_eq!(publish[0]["env"], "dev");
    assert_eq!(publish[0]["targets"], serde_json::json!(["cloudformation"]));
    assert_eq!(publish[0]["stacks"], serde_json::json!(["orders"]));
    assert_eq!(
        publish[0]["waves"],
        serde_json::json!({"cloudformation": 1})
    );
    assert_eq!(
        publish[0]["publish_argv"],
        serde_json::json!([[
            "aws",
            "s3",
            "cp",
            zip.to_str().unwrap(),
            format!("s3://stackwright-assets-123456789012-us-west-2/{sha}.zip"),
            "--sse",
            "AES256",
            "--region",
            "us-west-2"
        ]])
    );
    // The shell line is the argument vector, quoted.
    assert_eq!(
        shlex::split(publish[0]["publish"].as_str().unwrap()).unwrap(),
        publish[0]["publish_argv"][0]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    );
}

/// The bootstrap stack deploys in the environment's first wave, so publishing before it would copy to
/// a bucket that does not exist yet: a stack that declares an asset deploys after the bootstrap stack
/// (whether or not it reads the bucket's handle, whatever the order of declaration), and each asset is
/// published between the bootstrap's wave and the wave of the first stack that uses it, in `list`
/// (human and json) and in the manifest's deploy order.
#[test]
fn publish_goes_after_the_bootstrap_wave_and_before_the_first_user_s_wave() {
    let scratch = tempfile::tempdir().unwrap();
    let code = scratch.path().join("code");
    write(&code, &[("index.py", "pass\n")]);
    let sha = sha_of(&code);
    let out = scratch.path().join("out");
    let (first, late) = (code.clone(), code.clone());
    let app = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        // Declared before the bootstrap stack, and never reading its handle.
        .stack("orders", move |stack, _| {
            let code = stack.asset(Asset::directory(first.clone()));
            stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            stack.output("CodeKey", code.s3_key());
        })
        .stack("assets", |stack, _| {
            stackwright::assets::bootstrap(stack);
        })
        .stacks(move |stacks, _| {
            let vpc = stacks.stack("network", |stack| {
                stack.add(ec2::Vpc::new("Shared", "10.2.0.0/16"))
            });
            let late = late.clone();
            stacks.stack("reports", move |stack| {
                let code = stack.asset(Asset::directory(late.clone()));
                stack.add(ec2::Subnet::new("Subnet", &vpc, "10.2.0.0/24"));
                stack.output("CodeKey", code.s3_key());
            });
        });
    synth(&app, &out, &[]);
    let m = manifest(&out);
    let depends_on = |path: &str| -> serde_json::Value {
        m["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["path"] == path)
            .unwrap()["depends_on"]
            .clone()
    };
    for target in [
        "cloudformation/dev/assets.template.json",
        "terraform/dev/assets/main.tf.json",
    ] {
        let consumer = target.replace("assets", "orders");
        assert_eq!(
            depends_on(&consumer),
            serde_json::json!([target]),
            "{consumer}"
        );
    }
    assert_eq!(
        depends_on("cloudformation/dev/reports.template.json"),
        serde_json::json!([
            "cloudformation/dev/assets.template.json",
            "cloudformation/dev/network.template.json"
        ])
    );
    assert_eq!(
        m["assets"][0]["destinations"][0]["stacks"],
        serde_json::json!(["orders", "reports"])
    );

    let (status, stdout, stderr) = run(&app, &["list", "--out", out.to_str().unwrap()]);
    assert_eq!(status, 0, "{stderr}");
    let wave = |n: usize| {
        stdout
            .find(&format!("  wave {n}\n"))
            .unwrap_or_else(|| panic!("{stdout}"))
    };
    let publish = stdout.find("  publish before wave 2").expect(&stdout);
    assert!(wave(1) < publish && publish < wave(2), "{stdout}");
    assert_eq!(stdout.matches("publish: aws s3 cp").count(), 1, "{stdout}");
    assert!(stdout.contains("; used by orders, reports)"), "{stdout}");
    let bootstrap = stdout.find("stack assets [cloudformation]").unwrap();
    assert!(wave(1) < bootstrap && bootstrap < publish, "{stdout}");
    let orders = stdout.find("stack orders [cloudformation]").unwrap();
    assert!(wave(2) < orders, "{stdout}");

    let (status, stdout, stderr) = run(
        &app,
        &["list", "--format", "json", "--out", out.to_str().unwrap()],
    );
    assert_eq!(status, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let publish = &json["publish"][0];
    assert_eq!(publish["key"], format!("{sha}.zip"));
    assert_eq!(publish["waves"], serde_json::json!({"cloudformation": 2}));
    let wave_of = |stack: &str| {
        json["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["stack"] == stack && a["target"] == "cloudformation")
            .unwrap()["wave"]
            .clone()
    };
    assert_eq!(wave_of("assets"), 1);
    assert_eq!(wave_of("orders"), 2);
}

/// Terraform: each module owns its upload of a zip (`terraform/<env>/<stack>/<sha256>.zip`), so two
/// stacks that share an asset never delete each other's object, and none owns the object published for
/// CloudFormation; an environment with more default tags than an S3 object allows (10) uploads through a
/// provider configuration without them.
#[test]
fn terraform_uploads_are_owned_by_their_module_and_tagged_within_s3_s_limit() {
    let scratch = tempfile::tempdir().unwrap();
    let code = scratch.path().join("code");
    write(&code, &[("index.py", "pass\n")]);
    let sha = sha_of(&code);
    let uses = |code: PathBuf| {
        move |stack: &mut stackwright::Stack, _: &Environment<()>| {
            let code = stack.asset(Asset::directory(code.clone()));
            stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            stack.output("CodeKey", code.s3_key());
        }
    };
    let mut tagged = App::new("shop");
    for i in 0..10 {
        tagged = tagged.tag(format!("team-{i}"), "x");
    }
    let app = tagged
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(
            Environment::new("few", "123456789012", "eu-west-1", ()).tag("cost-center", "1"),
        )
        .stack("orders", uses(code.clone()))
        .stack("reports", uses(code.clone()));
    let s = stackwright::synth::synthesize(&app, &stackwright::synth::Request::default()).unwrap();
    let module = |path: &str| -> serde_json::Value {
        let a = s.artifacts.iter().find(|a| a.path == path).unwrap();
        serde_json::from_slice(&a.bytes).unwrap()
    };
    for stack in ["orders", "reports"] {
        let m = module(
            &stackwright::synth::ArtifactPath::new(
                stackwright::synth::Target::Terraform,
                "dev",
                stack,
            )
            .path(),
        );
        let objects = m["resource"]["aws_s3_object"].as_object().unwrap();
        let (_, object) = objects.iter().next().unwrap();
        assert_eq!(object["key"], format!("terraform/dev/{stack}/{sha}.zip"));
        assert_eq!(object["provider"], "aws.stackwright_assets");
        let providers = m["provider"]["aws"].as_array().unwrap();
        assert!(
            providers[0]["default_tags"]["tags"]
                .as_object()
                .unwrap()
                .len()
                > 10
        );
        assert_eq!(providers[1]["alias"], "stackwright_assets");
        assert!(
            providers[1].get("default_tags").is_none(),
            "{}",
            providers[1]
        );
        assert_eq!(providers[1]["region"], providers[0]["region"]);
        assert_eq!(
            providers[1]["allowed_account_ids"],
            providers[0]["allowed_account_ids"]
        );
    }
    // The output reads the module's own object.
    let m = module("terraform/dev/orders/main.tf.json");
    assert!(
        m["output"].to_string().contains("aws_s3_object."),
        "{}",
        m["output"]
    );
    // CloudFormation reads the published object, at the bucket's root.
    let cfn = s
        .artifacts
        .iter()
        .find(|a| a.path == "cloudformation/dev/orders.template.json")
        .unwrap();
    assert!(String::from_utf8_lossy(&cfn.bytes).contains(&format!("\"{sha}.zip\"")));
    // Without the tag surplus, one provider configuration, whose tags the object gets.
    let few = App::new("shop")
        .environment(Environment::new("few", "123456789012", "eu-west-1", ()))
        .stack("orders", uses(code));
    let s = stackwright::synth::synthesize(&few, &stackwright::synth::Request::default()).unwrap();
    let a = s
        .artifacts
        .iter()
        .find(|a| a.path == "terraform/few/orders/main.tf.json")
        .unwrap();
    let m: serde_json::Value = serde_json::from_slice(&a.bytes).unwrap();
    assert!(m["provider"]["aws"].is_object(), "{}", m["provider"]);
    let (_, object) = m["resource"]["aws_s3_object"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    assert!(object.get("provider").is_none());
    assert_eq!(object["key"], format!("terraform/few/orders/{sha}.zip"));
}

/// `list --format referenced` prints what must survive a clean-up of old assets: the objects the
/// definition's tree and the tree on disk (the last synthesized, maybe deployed) name, one per line.
#[test]
fn list_prints_the_referenced_objects_of_both_trees() {
    let scratch = tempfile::tempdir().unwrap();
    let code = scratch.path().join("code");
    write(&code, &[("index.py", "pass\n")]);
    let old = sha_of(&code);
    let out = scratch.path().join("out");
    let app = app(code.clone());
    synth(&app, &out, &[]);
    write(&code, &[("index.py", "print(1)\n")]);
    let new = sha_of(&code);
    assert_ne!(old, new);
    let referenced = |more: &[&str]| {
        let mut args = vec![
            "list",
            "--format",
            "referenced",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(more);
        let (status, stdout, stderr) = run(&app, &args);
        assert_eq!(status, 0, "{stderr}");
        stdout
    };
    let object = |account: &str, region: &str, sha: &str| {
        format!("s3://stackwright-assets-{account}-{region}/{sha}.zip")
    };
    // Before the new tree is written: the deployed tree's object and the definition's.
    let mut expected = vec![
        object("123456789012", "us-west-2", &old),
        object("123456789012", "us-west-2", &new),
        object("210987654321", "eu-west-1", &old),
        object("210987654321", "eu-west-1", &new),
    ];
    expected.sort();
    assert_eq!(referenced(&[]).lines().collect::<Vec<_>>(), expected);
    // The clean-up deletes what the list leaves out: one environment or target is refused.
    for more in [&["--env", "dev"][..], &["--target", "cloudformation"][..]] {
        let mut args = vec![
            "list",
            "--format",
            "referenced",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(more);
        let (status, stdout, stderr) = run(&app, &args);
        assert_eq!(status, 2, "{stderr}");
        assert_eq!(stdout, "");
        assert!(
            stderr
                .contains("error: `list --format referenced` takes neither `--env` nor `--target`"),
            "{stderr}"
        );
    }
    // Once synthesized, the old zip is named by neither.
    synth(&app, &out, &[]);
    let mut expected = vec![
        object("123456789012", "us-west-2", &new),
        object("210987654321", "eu-west-1", &new),
    ];
    expected.sort();
    assert_eq!(referenced(&[]).lines().collect::<Vec<_>>(), expected);
}

/// An asset published from the stack that declares its bucket would be published before the bucket
/// exists: it cannot be deployed, in any command.
#[test]
fn an_asset_in_the_bootstrap_stack_fails_at_its_line() {
    let scratch = tempfile::tempdir().unwrap();
    let code = scratch.path().join("code");
    write(&code, &[("index.py", "pass\n")]);
    let line = line!() + 5;
    let app = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stack("everything", move |stack, _| {
            stackwright::assets::bootstrap(stack);
            let code = stack.asset(Asset::directory(code.clone()));
            stack.output("CodeKey", code.s3_key());
        });
    let expected = "is declared in stack `everything`, which also declares the asset bucket and image \
                    repository (`bootstrap`): it would be published before that stack deploys, when they \
                    do not exist yet, so it cannot be deployed";
    let errors = fails(&app, &[expected]);
    assert!(errors.contains(&format!("assets.rs:{line}")), "{errors}");
    assert_eq!(errors.matches(expected).count(), 1, "{errors}");
    let (status, stdout, stderr) = run(&app, &["list"]);
    assert_eq!(status, 1, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stderr.contains(expected), "{stderr}");
    assert!(!stdout.contains("publish before wave"), "{stdout}");
}

/// Terraform uploads the zips it reads itself: a deploy by Terraform alone publishes nothing.
#[test]
fn list_of_terraform_alone_publishes_nothing() {
    let scratch = tempfile::tempdir().unwrap();
    let code = scratch.path().join("code");
    write(&code, &[("index.py", "pass\n")]);
    let out = scratch.path().join("out");
    let app = app(code);
    synth(&app, &out, &["--target", "terraform"]);
    let (status, stdout, stderr) = run(
        &app,
        &[
            "list",
            "--target",
            "terraform",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(status, 0, "{stderr}");
    assert!(!stdout.contains("publish"), "{stdout}");
    assert!(stdout.contains("stack orders [terraform]"), "{stdout}");
}

/// An asset read only by its path in the tree (a Terraform function's `filename`) goes nowhere else:
/// no destination in the manifest, nothing to publish, no warning about the asset bucket.
#[test]
fn an_asset_read_only_by_its_path_has_no_destination() {
    let scratch = tempfile::tempdir().unwrap();
    let code = scratch.path().join("code");
    write(&code, &[("index.py", "pass\n")]);
    let out = scratch.path().join("out");
    let app = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stack("orders", move |stack, _| {
            let code = stack.asset(Asset::directory(code.clone()));
            stack.output("CodePath", code.terraform_path());
        });
    let (status, stdout, stderr) = run(
        &app,
        &[
            "synth",
            "--target",
            "terraform",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(status, 0, "{stdout}{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let m = manifest(&out);
    assert_eq!(
        m["assets"][0]["destinations"],
        serde_json::json!([]),
        "{m:#}"
    );
    let (status, stdout, stderr) = run(
        &app,
        &[
            "list",
            "--target",
            "terraform",
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(status, 0, "{stderr}");
    let listing: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        listing
            .get("publish")
            .is_none_or(|p| p == &serde_json::json!([])),
        "{listing:#}"
    );
}

#[test]
fn synth_check_compares_the_assets() {
    let scratch = tempfile::tempdir().unwrap();
    let code = scratch.path().join("code");
    write(&code, &[("index.py", "pass\n")]);
    let out = scratch.path().join("out");
    let app = app(code.clone());
    synth(&app, &out, &[]);
    let check = |app: &App<()>| run(app, &["synth", "--check", "--out", out.to_str().unwrap()]);
    let (status, stdout, stderr) = check(&app);
    assert_eq!(status, 0, "{stdout}{stderr}");
    let old = sha_of(&code);
    std::fs::write(code.join("index.py"), "print(1)\n").unwrap();
    let new = sha_of(&code);
    let (status, stdout, stderr) = check(&app);
    assert_ne!(status, 0);
    let text = format!("{stdout}{stderr}");
    assert!(
        text.contains(&format!("missing: assets/{new}.zip")),
        "{text}"
    );
    assert!(
        text.contains(&format!("unexpected: assets/{old}.zip")),
        "{text}"
    );
    assert!(text.contains("differs: manifest.json"), "{text}");
}

#[test]
fn the_bootstrap_bucket_is_the_environment_s_asset_bucket_in_both_targets() {
    let app = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stack("assets", |stack, _| {
            stackwright::assets::bootstrap(stack);
        });
    let s = stackwright::synth::synthesize(&app, &stackwright::synth::Request::default()).unwrap();
    let doc = |path: &str| -> serde_json::Value {
        let a = s.artifacts.iter().find(|a| a.path == path).unwrap();
        serde_json::from_slice(&a.bytes).unwrap()
    };
    let cfn = doc("cloudformation/dev/assets.template.json");
    let bucket = &cfn["Resources"]["AssetBucket"];
    assert_eq!(
        bucket["Properties"]["BucketName"],
        serde_json::json!({"Fn::Sub": "stackwright-assets-${AWS::AccountId}-${AWS::Region}"})
    );
    assert_eq!(
        bucket["Properties"]["VersioningConfiguration"]["Status"],
        "Enabled"
    );
    assert_eq!(bucket["DeletionPolicy"], "Retain");
    let text = cfn.to_string();
    for expected in [
        "NoncurrentVersionExpiration",
        "BlockPublicAcls",
        "aws:SecureTransport",
        "ServerSideEncryptionConfiguration",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    let tf = doc("terraform/dev/assets/main.tf.json");
    assert_eq!(
        tf["resource"]["aws_s3_bucket"]["asset_bucket"]["bucket"],
        "stackwright-assets-123456789012-us-west-2"
    );
    let text = tf.to_string();
    for expected in [
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_public_access_block",
        "noncurrent_version_expiration",
        "aws:SecureTransport",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    // The image repository: scanned on push, immutable tags, untagged images expired, kept.
    let repository = &cfn["Resources"]["AssetRepository"];
    assert_eq!(
        repository["Properties"]["RepositoryName"],
        "stackwright-assets"
    );
    assert_eq!(repository["Properties"]["ImageTagMutability"], "IMMUTABLE");
    assert_eq!(
        repository["Properties"]["ImageScanningConfiguration"]["ScanOnPush"],
        true
    );
    assert_eq!(repository["DeletionPolicy"], "Retain");
    let policy = repository["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
        .as_str()
        .unwrap();
    let tf_repository = &tf["resource"]["aws_ecr_repository"]["asset_repository"];
    assert_eq!(tf_repository["name"], "stackwright-assets");
    assert_eq!(tf_repository["image_tag_mutability"], "IMMUTABLE");
    assert_eq!(
        tf_repository["image_scanning_configuration"]["scan_on_push"],
        true
    );
    assert_eq!(tf_repository["lifecycle"]["prevent_destroy"], true);
    let lifecycle = &tf["resource"]["aws_ecr_lifecycle_policy"]["asset_repository_lifecycle"];
    assert_eq!(lifecycle["policy"], policy);
    let rules: serde_json::Value = serde_json::from_str(policy).unwrap();
    assert_eq!(rules["rules"][0]["selection"]["tagStatus"], "untagged");
}

/// An app whose stacks use assets in an environment where none declares the asset bucket is warned, at
/// each asset's line, once per environment; declaring it (`bootstrap`, in any stack of the environment)
/// or saying it exists (`bucket_exists`) silences it for that environment only.
#[test]
fn synth_warns_of_assets_without_their_bucket() {
    let scratch = tempfile::tempdir().unwrap();
    let code = scratch.path().join("functions/orders");
    write(&code, &[("index.py", "def handler(e, c): pass\n")]);
    let line = line!() + 6;
    let app = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(Environment::new("prod", "210987654321", "eu-west-1", ()))
        .environment(Environment::new("test", "333333333333", "eu-west-1", ()))
        .stack("orders", move |stack, _| {
            let code = stack.asset(Asset::directory(code.clone()));
            stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            stack.output("CodeKey", code.s3_key());
        })
        .stack("assets", |stack, env| {
            match env.name() {
                "prod" => {
                    stackwright::assets::bootstrap(stack);
                }
                "test" => stackwright::assets::bucket_exists(stack),
                _ => {}
            }
            stack.add(ec2::Vpc::new("Other", "10.1.0.0/16"));
        });
    let out = scratch.path().join("out");
    let (status, stdout, stderr) = run(&app, &["synth", "--out", out.to_str().unwrap()]);
    assert_eq!(status, 0, "stdout: {stdout}\nstderr: {stderr}");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    let warning = warnings[0];
    assert!(
        warning.contains(
            "is published to bucket `stackwright-assets-123456789012-us-west-2`, which no stack of \
             environment `dev` declares"
        ),
        "{warning}"
    );
    assert!(
        warning.contains("stackwright::assets::bootstrap(stack)"),
        "{warning}"
    );
    assert!(
        warning.contains("in environment `dev`, stack `orders`"),
        "{warning}"
    );
    assert!(
        warning.ends_with(&format!("tests/assets.rs:{line}:36")),
        "{warning}"
    );
}

/// A minimal OCI image layout of one image under `root`; returns its manifest's sha256.
pub(crate) fn image_layout(root: &Path) -> String {
    use sha2::{Digest, Sha256};
    let hex = |b: &[u8]| -> String {
        Sha256::digest(b)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect()
    };
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{}","size":{}}},"layers":[]}}"#,
        hex(config),
        config.len()
    );
    let index = format!(
        r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{}","size":{}}}]}}"#,
        hex(manifest.as_bytes()),
        manifest.len()
    );
    let files = [
        (
            "oci-layout".to_owned(),
            r#"{"imageLayoutVersion":"1.0.0"}"#.to_owned(),
        ),
        ("index.json".to_owned(), index),
        (
            format!("blobs/sha256/{}", hex(config)),
            String::from_utf8(config.to_vec()).unwrap(),
        ),
        (
            format!("blobs/sha256/{}", hex(manifest.as_bytes())),
            manifest.clone(),
        ),
    ];
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    write(root, &files);
    hex(manifest.as_bytes())
}

/// An image asset: an OCI archive in the tree, published to the environment's image repository tagged
/// with its manifest's digest (`skopeo copy`) for both targets, its URI usable in any layer.
#[test]
fn an_image_is_published_to_the_image_repository_for_both_targets() {
    let scratch = tempfile::tempdir().unwrap();
    let layout = scratch.path().join("image");
    let digest = image_layout(&layout);
    let out = scratch.path().join("out");
    let app = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stack("orders", move |stack, _| {
            let image = stack.asset(Asset::oci_layout(layout.clone()));
            stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            stack.output("Image", image.image_uri());
        });
    synth(&app, &out, &[]);
    let m = manifest(&out);
    let asset = &m["assets"][0];
    assert_eq!(asset["kind"], "image");
    let sha = asset["sha256"].as_str().unwrap();
    assert_eq!(asset["path"], format!("assets/{sha}.tar"));
    assert!(out.join(format!("assets/{sha}.tar")).is_file());
    let repository = "123456789012.dkr.ecr.us-west-2.amazonaws.com/stackwright-assets";
    assert_eq!(
        asset["destinations"],
        serde_json::json!([{"env": "dev", "account": "123456789012", "region": "us-west-2",
            "repository": repository, "tag": digest, "stacks": ["orders"]}])
    );
    let template: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.join("cloudformation/dev/orders.template.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        template["Outputs"]["Image"]["Value"],
        serde_json::json!({"Fn::Sub": format!("${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/stackwright-assets:{digest}")})
    );
    let module: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.join("terraform/dev/orders/main.tf.json")).unwrap(),
    )
    .unwrap();
    // The partition's DNS suffix, read from the provider (`amazonaws.com.cn` in China).
    assert_eq!(
        module["output"]["image"]["value"],
        format!(
            "{}:{digest}",
            repository.replace(
                "amazonaws.com",
                "${data.aws_partition.stackwright_partition.dns_suffix}"
            )
        )
    );
    // Published for Terraform too: neither engine pushes images.
    let (status, stdout, stderr) = run(
        &app,
        &[
            "list",
            "--target",
            "terraform",
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(status, 0, "{stderr}");
    let listing: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let publish = &listing["publish"][0];
    assert_eq!(
        publish["targets"],
        serde_json::json!(["cloudformation", "terraform"])
    );
    // Only Terraform deploys in this listing: the wave of its stack.
    assert_eq!(publish["waves"], serde_json::json!({"terraform": 1}));
    // What a clean-up keeps: the image, by its repository and tag.
    let (status, stdout, stderr) = run(
        &app,
        &[
            "list",
            "--format",
            "referenced",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(stdout, format!("docker://{repository}:{digest}\n"));
    let tar = out.join(format!("assets/{sha}.tar"));
    assert_eq!(
        publish["publish_argv"],
        serde_json::json!([[
            "skopeo",
            "copy",
            "--preserve-digests",
            format!("oci-archive:{}", tar.display()),
            format!("docker://{repository}:{digest}")
        ]])
    );
}

/// The asset bucket and image repository are named by account and region: two environments of one
/// account and region, or two stacks of one environment, calling `bootstrap` would declare them twice.
#[test]
fn a_second_bootstrap_in_one_account_and_region_fails_at_its_call() {
    let first = line!() + 6;
    let second = line!() + 9;
    let app = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(Environment::new("qa", "123456789012", "us-west-2", ()))
        .stack("assets", |stack, _| {
            stackwright::assets::bootstrap(stack);
        })
        .stack("more", |stack, env| {
            if env.name() == "dev" {
                stackwright::assets::bootstrap(stack);
            }
        });
    let errors = fails(
        &app,
        &["image repository `stackwright-assets` (`stackwright::assets::bootstrap`) of account \
           `123456789012`, region `us-west-2` is already declared by environment `dev`, stack `assets` \
           (at "],
    );
    // Stack `more` of dev and stack `assets` of qa: each names dev's `assets`.
    assert_eq!(
        errors.matches("is already declared by").count(),
        2,
        "{errors}"
    );
    assert!(
        errors.contains(&format!("assets.rs:{first}): an account and region has one; call `stackwright::assets::bucket_exists(stack)` here instead")),
        "{errors}"
    );
    assert!(
        errors.contains(&format!("tests/assets.rs:{second}")),
        "{errors}"
    );
    assert!(
        errors.contains("environment `qa`, stack `assets`"),
        "{errors}"
    );
    // Another region of the account has its own.
    let app = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(Environment::new("qa", "123456789012", "eu-west-1", ()))
        .stack("assets", |stack, _| {
            stackwright::assets::bootstrap(stack);
        });
    let (status, stdout, stderr) = run(&app, &["list"]);
    assert_eq!(status, 0, "stdout: {stdout}\nstderr: {stderr}");
}

/// A handle read as the other kind gives a value that points at nothing published: an image's S3 key
/// (no zip of it is published), a zip's image URI. Each is an error at the line that read it.
#[test]
fn a_handle_read_as_the_other_kind_fails_at_the_read() {
    let scratch = tempfile::tempdir().unwrap();
    let layout = scratch.path().join("image");
    image_layout(&layout);
    let code = scratch.path().join("code");
    write(&code, &[("index.py", "pass\n")]);
    let declared = line!() + 7;
    let key = line!() + 8;
    let uri = line!() + 8;
    let app = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stack("orders", move |stack, _| {
            stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            let image = stack.asset(Asset::oci_layout(layout.clone()));
            let zip = stack.asset(Asset::directory(code.clone()));
            stack.output("Key", image.s3_key());
            stack.output("Uri", zip.image_uri());
            stack.output("Path", image.terraform_path());
            stack.output("Hash", image.sha256_base64());
        });
    let errors = fails(
        &app,
        &[
            "`s3_key()` of image asset `",
            "an image is pushed to the image repository, and no zip of it is published to the \
             asset bucket or the tree; use `image_uri()`",
            "`terraform_path()` of image asset `",
            "`sha256_base64()` of image asset `",
            "`image_uri()` of directory asset `",
            "it is a zip, not a container image; use `s3_bucket()` and `s3_key()`",
        ],
    );
    assert!(
        errors.contains(&format!(
            "(declared at crates/stackwright/tests/assets.rs:{declared})"
        )),
        "{errors}"
    );
    assert!(
        errors.contains(&format!("tests/assets.rs:{key}:")),
        "{errors}"
    );
    assert!(
        errors.contains(&format!("tests/assets.rs:{uri}:")),
        "{errors}"
    );
}

/// A source whose path holds a control character would reach the manifest, which every later command
/// refuses: refused at its declaration instead, shown escaped.
#[test]
fn a_source_path_with_a_control_character_fails_at_its_line() {
    let scratch = tempfile::tempdir().unwrap();
    let code = scratch.path().join("fn\nwith\x1b[31mred");
    write(&code, &[("index.py", "pass\n")]);
    let line = line!() + 4;
    let app = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stack("orders", move |stack, _| {
            let code = stack.asset(Asset::directory(code.clone()));
            stack.output("CodeKey", code.s3_key());
        });
    let errors = fails(
        &app,
        &[
            "fn\\nwith\\u{1b}[31mred` contains a control character (shown escaped): expected a path \
             without control characters",
        ],
    );
    assert!(
        errors.contains(&format!("tests/assets.rs:{line}")),
        "{errors}"
    );
    assert!(!errors.contains('\x1b'), "{errors}");
}
