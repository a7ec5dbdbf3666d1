//! `ci`: the generated pipelines follow `list`'s waves, are deterministic, and never replace a file
//! `ci` did not write.

use crate::support::run;
use serde_json::Value;
use stackwright::aws::ec2;
use stackwright::ci::CiEnvironment;
use stackwright::{App, Environment};
use std::path::Path;

const WORKFLOW: &str = ".github/workflows/stackwright.yml";
const GITLAB: &str = ".gitlab/stackwright.gitlab-ci.yml";
/// Relative, as a pipeline needs; no such tree exists in the test's directory, so `list` describes a
/// fresh synthesis.
const OUT: &str = "out-ci-test-never-written";

/// A network, then a service that imports it, in `dev` and in `prod` (behind approval).
fn app(environments: &[&str]) -> App<()> {
    let app = environments.iter().fold(App::new("shop"), |app, name| {
        let env = Environment::new(*name, "111111111111", "us-west-2", ());
        let env = if *name == "prod" {
            env.approval("production")
                .deploy_role("arn:aws:iam::{account}:role/prod-deployer")
        } else {
            env
        };
        app.environment(env)
    });
    app.stacks(|stacks, _| {
        let vpc = stacks.stack("network", |stack| {
            stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"))
        });
        stacks.stack("service", |stack| {
            stack.add(ec2::SecurityGroup::new("Web", &vpc, "web"));
        });
    })
}

fn ci(app: &App<()>, root: &Path, extra: &[&str]) -> (u8, String, String) {
    let mut args = vec![
        "ci",
        "--target",
        "cloudformation",
        "--out",
        OUT,
        "--root",
        root.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(app, &args)
}

fn yaml(path: &Path) -> Value {
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn jobs_follow_lists_waves_with_a_concurrency_group_per_environment() {
    let app = app(&["dev", "prod"]);
    let root = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = ci(&app, root.path(), &["--max-parallel", "3"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, listing, stderr) = run(
        &app,
        &[
            "list",
            "--format",
            "json",
            "--target",
            "cloudformation",
            "--out",
            OUT,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let listing: Value = serde_json::from_str(&listing).unwrap();
    let workflow = yaml(&root.path().join(WORKFLOW));
    let jobs = workflow["jobs"].as_object().unwrap();
    let gitlab = yaml(&root.path().join(GITLAB));
    // Every artifact's deploy line, exactly as `list` gives it, runs in a job of its wave, in the
    // environment's entry, with the environment's role.
    for a in listing["artifacts"].as_array().unwrap() {
        let (env, wave) = (a["env"].as_str().unwrap(), a["wave"].as_u64().unwrap());
        let line = format!(
            "{} --no-fail-on-empty-changeset || exit 1",
            a["deploy"].as_str().unwrap()
        );
        let holders: Vec<&str> = jobs
            .iter()
            .filter(|(_, job)| {
                job["strategy"]["matrix"]["include"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|e| e["env"] == env && e["script"].as_str().unwrap().contains(&line))
            })
            .map(|(id, _)| id.as_str())
            .collect();
        assert_eq!(holders.len(), 1, "{line} in {holders:?}");
        assert!(
            holders[0].starts_with(&format!("deploy-w{wave}-")),
            "{holders:?}"
        );
        let job = &gitlab[format!("deploy w{wave} {env}").as_str()];
        assert_eq!(job["script"][0], line.as_str(), "{job}");
        assert_eq!(job["stage"], format!("deploy-w{wave}-1").as_str());
        assert_eq!(
            job["resource_group"],
            format!("stackwright-shop-{env}").as_str()
        );
    }
    // Wave 1 before wave 2; production behind its approval environment, with its own role.
    let ids: Vec<&str> = jobs.keys().map(String::as_str).collect();
    assert_eq!(
        ids,
        [
            "check",
            "deploy-w1-1",
            "deploy-w1-2",
            "deploy-w2-1",
            "deploy-w2-2"
        ]
    );
    assert_eq!(jobs["deploy-w2-1"]["needs"], "deploy-w1-2");
    assert_eq!(jobs["deploy-w1-2"]["environment"], "production");
    assert_eq!(
        jobs["deploy-w1-2"]["strategy"]["matrix"]["include"][0]["role"],
        "arn:aws:iam::111111111111:role/prod-deployer"
    );
    for id in &ids[1..] {
        assert_eq!(
            jobs[*id]["concurrency"]["group"],
            "stackwright-shop-${{ matrix.env }}"
        );
        assert_eq!(jobs[*id]["strategy"]["max-parallel"], 3);
    }
    assert_eq!(
        gitlab["deploy w1 prod"]["environment"]["name"],
        "production"
    );
}

#[test]
fn output_is_deterministic_and_checked() {
    let app = app(&["dev", "prod"]);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    assert_eq!(ci(&app, a.path(), &[]).0, 0);
    assert_eq!(ci(&app, b.path(), &[]).0, 0);
    for file in [WORKFLOW, GITLAB] {
        assert_eq!(
            std::fs::read(a.path().join(file)).unwrap(),
            std::fs::read(b.path().join(file)).unwrap(),
            "{file}"
        );
    }
    let (code, stdout, stderr) = ci(&app, a.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("(0 changed)"), "{stdout}");
    let (code, stdout, _) = ci(&app, a.path(), &["--check"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("up to date: "), "{stdout}");
    // Another environment: the committed pipelines are stale, and `--check` says how to update them.
    let (code, _, stderr) = ci(&self::app(&["dev", "prod", "qa"]), a.path(), &["--check"]);
    assert_eq!(code, 1);
    assert!(
        stderr.starts_with("error: pipelines are not what `ci` generates from the definition and `out-ci-test-never-written`:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: run `ci --target cloudformation --out out-ci-test-never-written"),
        "{stderr}"
    );
}

#[test]
fn a_hand_written_or_edited_pipeline_is_never_overwritten() {
    let app = app(&["dev"]);
    let root = tempfile::tempdir().unwrap();
    let mine = "name: mine\non: push\njobs: {}\n";
    std::fs::create_dir_all(root.path().join(".github/workflows")).unwrap();
    std::fs::write(root.path().join(WORKFLOW), mine).unwrap();
    let (code, _, stderr) = ci(&app, root.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("stackwright.yml` exists and was not written by `ci` (its first line is not `ci`'s marker): `ci` does not overwrite a hand-written pipeline"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(root.path().join(WORKFLOW)).unwrap(),
        mine
    );
    // All or nothing: the GitLab pipeline was not written either.
    assert!(!root.path().join(GITLAB).exists());

    // A generated file edited by hand is the user's now.
    std::fs::remove_file(root.path().join(WORKFLOW)).unwrap();
    assert_eq!(ci(&app, root.path(), &[]).0, 0);
    let path = root.path().join(GITLAB);
    let edited = std::fs::read_to_string(&path).unwrap() + "my-job:\n  script: [echo]\n";
    std::fs::write(&path, &edited).unwrap();
    let (code, _, stderr) = ci(&app, root.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("stackwright.gitlab-ci.yml` was written by `ci` and edited since"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
}

#[test]
fn terraform_state_on_the_runner_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(
        &app(&["dev"]),
        &[
            "ci",
            "--target",
            "terraform",
            "--out",
            OUT,
            "--root",
            root.path().to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("error: environment `dev`, stack `network` (out-ci-test-never-written/terraform/dev/network/main.tf.json) keeps its Terraform state in a local file, which a CI runner loses when the job ends"),
        "{stderr}"
    );
    assert!(!root.path().join(WORKFLOW).exists());
}

#[test]
fn a_branch_that_is_not_one_is_a_usage_error() {
    let root = tempfile::tempdir().unwrap();
    for value in ["a;b", "", "main\n", "${{ x }}"] {
        let (code, stdout, stderr) = ci(&app(&["dev"]), root.path(), &["--branch", value]);
        // Exit 2, as every bad option value: nothing was generated.
        assert_eq!(code, 2, "{value:?}: {stdout}{stderr}");
        let shown = value.escape_debug().to_string();
        assert!(
            stderr.contains(&format!("`{shown}` is not a branch name `ci` accepts")),
            "{stderr}"
        );
        assert!(!root.path().join(WORKFLOW).exists());
    }
}

#[test]
fn a_cargo_name_that_is_not_one_is_refused_before_it_reaches_a_run_line() {
    let root = tempfile::tempdir().unwrap();
    for (option, value) in [
        ("--example", "x${{ github.event.pull_request.title }}"),
        ("--package", "shop; curl evil"),
        ("--bin", "a\nb"),
        ("--bin", ""),
    ] {
        let (code, stdout, stderr) = ci(&app(&["dev"]), root.path(), &[option, value]);
        assert_eq!(code, 2, "{option} {value:?}: {stdout}{stderr}");
        let shown = value.escape_debug().to_string();
        assert!(
            stderr.contains(&format!(
                "invalid value for `{option}`: `{shown}` is not a cargo"
            )),
            "{stderr}"
        );
        assert!(
            stderr.contains("expected letters, digits, `-` and `_`"),
            "{stderr}"
        );
        assert!(!root.path().join(WORKFLOW).exists());
    }
    let (code, stdout, stderr) = ci(
        &app(&["dev"]),
        root.path(),
        &["--package", "shop-infra_2", "--example", "shop"],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let workflow = std::fs::read_to_string(root.path().join(WORKFLOW)).unwrap();
    assert!(
        workflow.contains("cargo build --locked -p shop-infra_2 --example shop"),
        "{workflow}"
    );
}

#[test]
fn code_assets_are_published_after_the_bootstrap_wave_before_their_first_user() {
    use stackwright::assets::{Asset, StackAssets};
    let scratch = tempfile::tempdir().unwrap();
    let code = scratch.path().join("functions/orders");
    std::fs::create_dir_all(&code).unwrap();
    std::fs::write(code.join("index.py"), "def handler(e, c): return 1\n").unwrap();
    let app = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stack("orders", move |stack, _| {
            let code = stack.asset(Asset::directory(code.clone()));
            stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            stack.output("CodeKey", code.s3_key());
        })
        .stack("assets", |stack, _| {
            stackwright::assets::bootstrap(stack);
        });
    let root = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = ci(&app, root.path(), &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, listing, stderr) = run(
        &app,
        &[
            "list",
            "--format",
            "json",
            "--target",
            "cloudformation",
            "--out",
            OUT,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let listing: Value = serde_json::from_str(&listing).unwrap();
    let publish = listing["publish"][0]["publish"].as_str().unwrap();
    let orders = listing["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["stack"] == "orders")
        .unwrap();
    assert_eq!(orders["wave"], 2);
    let deploy = orders["deploy"].as_str().unwrap();
    // The listing's upload line, whole, before the deploy line, in the job of the wave after the
    // bootstrap stack's (which creates the bucket).
    let expected = format!(
        "command -v aws >/dev/null || apk add --no-cache aws-cli || exit 1\n{publish} || exit 1\n\
         {deploy} --no-fail-on-empty-changeset || exit 1\n"
    );
    let workflow = yaml(&root.path().join(WORKFLOW));
    assert_eq!(
        workflow["jobs"]["deploy-w2-1"]["strategy"]["matrix"]["include"][0]["script"],
        expected.as_str()
    );
    let first = workflow["jobs"]["deploy-w1-1"]["strategy"]["matrix"]["include"][0]["script"]
        .as_str()
        .unwrap();
    assert!(!first.contains("aws s3 cp"), "{first}");
    let gitlab = yaml(&root.path().join(GITLAB));
    let lines: Vec<&str> = expected.lines().collect();
    assert_eq!(gitlab["deploy w2 dev"]["script"], serde_json::json!(lines));
}

/// The check job installs the Lambda build tools that synth builds Rust functions with: the same pins.
#[test]
fn the_check_job_installs_the_pinned_lambda_build_tools() {
    assert_eq!(
        stackwright_ci::ZIGBUILD_VERSION,
        stackwright_assets::ZIGBUILD_VERSION
    );
    assert_eq!(
        stackwright_ci::ZIGLANG_VERSION,
        stackwright_assets::ZIGLANG_VERSION
    );
    let script = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../scripts/validators/install.sh"),
    )
    .unwrap();
    assert!(script.contains(&format!(
        "'cargo-zigbuild=={}' 'ziglang=={}'",
        stackwright_ci::ZIGBUILD_VERSION,
        stackwright_ci::ZIGLANG_VERSION
    )));
}
