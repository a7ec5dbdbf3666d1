//! Teardown end to end, on real files: an environment removed from the definition keeps its artifacts in
//! `out/` (listed as removed) so that its deployment can still be destroyed, `list` and `plan` say what
//! to run, and `synth --destroyed` stops keeping them.

use crate::plan::cli;
use notebook_service::{app, app_with, environments, Sizing};
use serde_json::Value;
use stackwright::App;

fn without_test() -> App<Sizing> {
    app_with(
        environments()
            .into_iter()
            .filter(|e| e.name() != "test")
            .collect(),
    )
}

fn manifest(out: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

fn entries<'a>(manifest: &'a Value, env: &str) -> Vec<&'a Value> {
    manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["env"] == env)
        .collect()
}

#[test]
fn a_removed_environment_stays_destroyable_until_it_is_said_to_be_destroyed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let (code, _, stderr) = cli(&app(), &["synth", "--out", o]);
    assert_eq!(code, 0, "{stderr}");
    let module = out.join("terraform/test/notebook/main.tf.json");
    let template = out.join("cloudformation/test/notebook.template.json");
    let (module_bytes, template_bytes) = (
        std::fs::read(&module).unwrap(),
        std::fs::read(&template).unwrap(),
    );
    // What `terraform init` leaves beside the module.
    std::fs::create_dir(out.join("terraform/test/notebook/.terraform")).unwrap();

    // The environment leaves the definition: its artifacts stay, byte for byte, listed as removed.
    let (code, stdout, stderr) = cli(&without_test(), &["synth", "--out", o]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(
            "kept the artifacts of a stack removed from the definition until torn down: test/notebook"
        ),
        "{stdout}"
    );
    assert!(
        stdout.starts_with("app `notebook`: 2 environments x 1 stack x 2 targets = 4 artifacts"),
        "{stdout}"
    );
    assert_eq!(std::fs::read(&module).unwrap(), module_bytes);
    assert_eq!(std::fs::read(&template).unwrap(), template_bytes);
    let m = manifest(&out);
    let test = entries(&m, "test");
    assert_eq!(test.len(), 2);
    assert!(test.iter().all(|a| a["removed"] == true), "{test:?}");
    // The kept template's entry still says what its stack needs (read from the template itself).
    let template_entry = test
        .iter()
        .find(|a| a["target"] == "cloudformation")
        .unwrap();
    assert_eq!(
        template_entry["capabilities"],
        serde_json::json!(["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"])
    );
    assert!(entries(&m, "prod-oregon")
        .iter()
        .all(|a| a.get("removed").is_none()));

    // A synth of the same definition is up to date with it.
    let (code, stdout, stderr) = cli(&without_test(), &["synth", "--check", "--out", o]);
    assert_eq!(code, 0, "{stdout}{stderr}");

    // `list` says what to run.
    let (code, list, _) = cli(&without_test(), &["list", "--out", o]);
    assert_eq!(code, 0);
    let expected = format!(
        "environment test (account 222222222222, region us-west-2), removed from the definition\n  \
         teardown wave 1\n    \
         stack notebook [cloudformation] {o}/cloudformation/test/notebook.template.json (31 resources), removed from \
         the definition: kept until torn down\n      \
         destroy: aws cloudformation delete-stack --stack-name notebook-test-notebook --region us-west-2  # with \
         credentials for account 222222222222\n      \
         then: synth --destroyed test\n    \
         stack notebook [terraform] {o}/terraform/test/notebook/main.tf.json (39 resources), removed from the \
         definition: kept until torn down\n      \
         destroy: terraform -chdir={o}/terraform/test/notebook init && terraform -chdir={o}/terraform/test/notebook \
         destroy  # with credentials for account 222222222222\n      \
         then: synth --destroyed test\n"
    );
    assert!(list.ends_with(&expected), "{list}");
    let (_, json, _) = cli(&without_test(), &["list", "--out", o, "--format", "json"]);
    let json: Value = serde_json::from_str(&json).unwrap();
    let removed: Vec<&Value> = json["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["removed"] == true)
        .collect();
    assert_eq!(removed.len(), 2);
    assert_eq!(removed[1]["deploy"], Value::Null);
    assert_eq!(
        removed[1]["destroy"],
        format!(
            "terraform -chdir={o}/terraform/test/notebook init && terraform -chdir={o}/terraform/test/notebook \
             destroy"
        )
    );
    let module_dir = format!("-chdir={o}/terraform/test/notebook");
    assert_eq!(
        removed[1]["destroy_argv"],
        serde_json::json!([
            ["terraform", module_dir, "init"],
            ["terraform", module_dir, "destroy"]
        ])
    );
    assert_eq!(removed[1]["destroyed"], "synth --destroyed test");

    // `plan` shows the teardown with the command, as long as the deployment is not said to be gone.
    let (code, plan, stderr) = cli(
        &without_test(),
        &["plan", "--against", o, "--format", "json"],
    );
    assert_eq!(
        code, 3,
        "{stderr}: the test environment tears down with its logs"
    );
    let plan: Value = serde_json::from_str(&plan).unwrap();
    let tf = plan["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["environment"] == "test" && s["target"] == "terraform")
        .unwrap();
    assert_eq!(tf["status"], "removed");
    assert_eq!(
        tf["notes"][0],
        format!(
            "tear it down with the artifact synth keeps for it (`{o}/terraform/test/notebook/main.tf.json`, listed as \
             removed), by the command below; then `synth --destroyed test` stops keeping it"
        )
    );
    assert_eq!(
        tf["commands"],
        serde_json::json!([{
            "shell": removed[1]["destroy"],
            "argv": removed[1]["destroy_argv"],
            "account": "222222222222",
        }])
    );
    // The test environment tears down completely: nothing refuses.
    assert_eq!(tf["summary"]["refused"], 0);

    // A name that matches nothing kept is one clear error, and nothing changes.
    for (name, why) in [
        (
            "tset",
            "keeps no removed environment or stack `tset` (kept: test/notebook)",
        ),
        (
            "prod-oregon",
            "environment `prod-oregon` is still in the definition",
        ),
    ] {
        let (code, _, stderr) = cli(&without_test(), &["synth", "--out", o, "--destroyed", name]);
        assert_eq!(code, 1);
        assert!(stderr.starts_with("error: --destroyed "), "{stderr}");
        assert!(stderr.contains(why), "{stderr}");
        assert!(module.exists());
    }

    // `--destroyed` of one target's deployment stops keeping that target's artifact only: the other
    // target's may still be what tears its deployment down.
    let (code, stdout, stderr) = cli(
        &without_test(),
        &[
            "synth",
            "--out",
            o,
            "--target",
            "cloudformation",
            "--destroyed",
            "test",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(!template.exists());
    assert_eq!(std::fs::read(&module).unwrap(), module_bytes);
    assert!(
        stderr.contains(
            "warning: still keeping `terraform/test/notebook/main.tf.json`: `--destroyed` stops keeping the \
             artifacts of the selected targets only"
        ),
        "{stderr}"
    );
    assert!(
        stdout.contains(
            "no longer kept, as --destroyed says their deployments are gone: \
             cloudformation/test/notebook.template.json"
        ),
        "{stdout}"
    );

    // Once torn down, the user says so: the artifacts go, what stackwright did not write stays.
    let (code, stdout, stderr) = cli(
        &without_test(),
        &["synth", "--out", o, "--destroyed", "test"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains("kept the artifacts"), "{stdout}");
    assert!(
        stdout.contains("no longer kept, as --destroyed says their deployments are gone: terraform/test/notebook/main.tf.json"),
        "{stdout}"
    );
    assert!(!module.exists() && !template.exists());
    assert!(out.join("terraform/test/notebook/.terraform").is_dir());
    assert!(entries(&manifest(&out), "test").is_empty());
    let (code, _, _) = cli(&without_test(), &["plan", "--against", o]);
    assert_eq!(code, 0, "nothing left to tear down");
}

#[test]
fn a_removed_environment_that_comes_back_is_an_environment_again() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    assert_eq!(cli(&app(), &["synth", "--out", o]).0, 0);
    assert_eq!(cli(&without_test(), &["synth", "--out", o]).0, 0);
    let (code, _, stderr) = cli(&app(), &["synth", "--out", o]);
    assert_eq!(code, 0, "{stderr}");
    let m = manifest(&out);
    let test = entries(&m, "test");
    assert_eq!(test.len(), 2);
    assert!(test.iter().all(|a| a.get("removed").is_none()));
    assert_eq!(cli(&app(), &["plan", "--against", o]).0, 0);
}

/// Production keeps its data: tearing down a removed production environment with Terraform is refused
/// (its flow-log group, zone and alerts key carry `prevent_destroy`), and the plan says so and how to go on.
#[test]
fn tearing_down_a_removed_production_environment_is_refused_by_terraform() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    assert_eq!(cli(&app(), &["synth", "--out", o]).0, 0);
    let without = || {
        app_with(
            environments()
                .into_iter()
                .filter(|e| e.name() != "prod-frankfurt")
                .collect(),
        )
    };
    assert_eq!(cli(&without(), &["synth", "--out", o]).0, 0);
    let (code, human, _) = cli(&without(), &["plan", "--against", o]);
    assert_eq!(code, 2, "{human}");
    assert!(
        human.contains(
            "prod-frankfurt/notebook (terraform): stack removed: 0 to add, 0 to update, 0 to replace, 39 to destroy; 3 \
             warnings; TERRAFORM WILL REFUSE (3 resources have prevent_destroy)\n  note: tear it down with the \
             artifact synth keeps for it"
        ),
        "{human}"
    );
    let zone = human
        .lines()
        .find(|l| l.contains("- destroy  aws_route53_zone.zone "))
        .unwrap();
    assert!(
        zone.ends_with("REFUSED: Terraform will refuse (prevent_destroy)"),
        "{zone}"
    );
    assert!(
        human.contains(
            "warning: Terraform will refuse: `aws_route53_zone.zone` has lifecycle.prevent_destroy and `terraform \
             destroy` of this module destroys it"
        ),
        "{human}"
    );
}

/// An environment that moves to another account (the breach drill): the fresh module goes to the same
/// path and uses the same state, so synth replaces the old module, the last that can tear the old
/// deployment down, only once told it has been (`--destroyed`).
#[test]
fn a_module_that_moves_account_is_replaced_only_once_the_old_deployment_is_torn_down() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    assert_eq!(cli(&app(), &["synth", "--out", o]).0, 0);
    let moved = || {
        app_with(crate::common::environments_with("test", |e| {
            stackwright::Environment::new(e.name(), "333333333333", e.region(), e.config().clone())
                .tag("stage", "test")
                .removal_policy(stackwright::RemovalPolicy::Destroy)
        }))
    };
    let module = out.join("terraform/test/notebook/main.tf.json");
    let before = std::fs::read(&module).unwrap();
    let (code, stdout, stderr) = cli(&moved(), &["synth", "--out", o]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(
        stderr,
        format!(
            "error: environment `test` moves from 222222222222/us-west-2 to 333333333333/us-west-2: \
             `{o}/terraform/test/notebook/main.tf.json` is the module that can still tear down the old deployment, \
             and the new module would take its place and its state; tear the old deployment down first (`plan` \
             gives the command, with credentials for account 222222222222), then run synth with `--destroyed test`\n"
        )
    );
    assert_eq!(std::fs::read(&module).unwrap(), before, "nothing written");
    // `list` writes nothing, so it does not stop there; it says the module still deploys to the old
    // account, and what to run before the new deploy.
    let (code, list, _) = cli(&moved(), &["list", "--out", o]);
    assert_eq!(code, 0);
    assert!(
        list.contains(&format!(
            "      moving from 222222222222/us-west-2: the module at this path still deploys there, and synth \
             refuses to replace it until the old deployment is gone; first tear it down, with the module as it is \
             now, then say so, then deploy:\n      destroy: terraform -chdir={o}/terraform/test/notebook init && \
             terraform -chdir={o}/terraform/test/notebook destroy  # with credentials for account 222222222222\n      \
             then: synth --destroyed test\n      deploy: terraform"
        )),
        "{list}"
    );
    assert_eq!(list.matches("moving from").count(), 1, "{list}");
    let (_, json, _) = cli(&moved(), &["list", "--out", o, "--format", "json"]);
    let json: Value = serde_json::from_str(&json).unwrap();
    let moving: Vec<&Value> = json["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a.get("moving_from").is_some())
        .collect();
    assert_eq!(moving.len(), 1);
    let module_dir = format!("-chdir={o}/terraform/test/notebook");
    assert_eq!(
        moving[0]["moving_from"],
        serde_json::json!({
            "account": "222222222222",
            "region": "us-west-2",
            "destroy": format!("terraform {module_dir} init && terraform {module_dir} destroy"),
            "destroy_argv": [["terraform", module_dir, "init"], ["terraform", module_dir, "destroy"]],
        })
    );
    let (_, plan, _) = cli(&moved(), &["plan", "--against", o]);
    assert!(
        plan.contains(&format!(
            "so tear the old deployment down first, with the module as it is now (the command below); then run \
             synth with `--destroyed test`\n  run: terraform {module_dir} init && terraform {module_dir} destroy  \
             # with credentials for account 222222222222\n"
        )),
        "{plan}"
    );
    assert!(
        plan.contains("then run synth with `--destroyed test`"),
        "{plan}"
    );

    // Once torn down (terraform destroy with the old account's credentials), synth goes ahead.
    let (code, _, stderr) = cli(&moved(), &["synth", "--out", o, "--destroyed", "test"]);
    assert_eq!(code, 0, "{stderr}");
    let now: Value = serde_json::from_slice(&std::fs::read(&module).unwrap()).unwrap();
    assert_eq!(
        now["provider"]["aws"]["allowed_account_ids"],
        serde_json::json!(["333333333333"])
    );
    assert_eq!(
        cli(&moved(), &["synth", "--out", o]).0,
        0,
        "the tree is the new account's now"
    );
}
