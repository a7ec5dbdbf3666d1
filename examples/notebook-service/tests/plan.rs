//! The seed's scenarios as change plans, for both targets, through the real command line: synthesize the
//! current flagship into a directory, then `plan --against` it with the changed definition.

use crate::common::{environments_with, prod_ireland, TF_OREGON};
use notebook_service::{app, app_with, environments, Sizing};
use serde_json::{json, Value};
use stackwright::synth::run_with;
use stackwright::{App, Environment, RemovalPolicy};
use std::path::Path;

/// A scratch directory holding `base/`, the artifacts of `before`.
fn baseline(before: &App<Sizing>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("base");
    let (code, _, stderr) = cli(before, &["synth", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    dir
}

/// The flagship's command line on `args`: exit code, stdout, stderr.
pub(crate) fn cli(app: &App<Sizing>, args: &[&str]) -> (u8, String, String) {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let argv = std::iter::once("notebook-service").chain(args.iter().copied());
    let code = run_with(app, argv, &mut stdout, &mut stderr, false);
    (
        code,
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

/// `plan --format json` of `after` against the artifacts in `dir/base`: exit code and parsed plan.
fn plan_json(dir: &Path, after: &App<Sizing>, extra: &[&str]) -> (u8, Value) {
    let base = dir.join("base");
    let mut args = vec![
        "plan",
        "--against",
        base.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend(extra);
    let (code, stdout, stderr) = cli(after, &args);
    assert!(stderr.is_empty(), "{stderr}");
    (code, serde_json::from_str(&stdout).expect("plan JSON"))
}

fn stack<'a>(plan: &'a Value, env: &str, target: &str) -> &'a Value {
    plan["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["environment"] == env && s["target"] == target)
        .unwrap_or_else(|| panic!("no stack {env} {target}"))
}

/// (add, update, replace, destroy) of a stack.
fn counts(stack: &Value) -> [u64; 4] {
    let s = &stack["summary"];
    ["add", "update", "replace", "destroy"].map(|k| s[k].as_u64().unwrap())
}

fn resources<'a>(stack: &'a Value, action: &str) -> Vec<&'a str> {
    stack["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == action)
        .map(|r| r["address"].as_str().unwrap())
        .collect()
}

fn resized(
    replicas: u32,
    instance_type: &str,
) -> impl FnOnce(Environment<Sizing>) -> Environment<Sizing> {
    let sizing = Sizing::new(replicas, instance_type);
    move |e| Environment::new(e.name(), e.account(), e.region(), sizing).tag("stage", "prod")
}

const TARGETS: [&str; 2] = ["cloudformation", "terraform"];

#[test]
fn no_change_exits_0() {
    let dir = baseline(&app());
    let (code, plan) = plan_json(dir.path(), &app(), &[]);
    assert_eq!(code, 0);
    assert_eq!(plan["changes"], false);
    assert!(plan["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["status"] == "unchanged"));
}

/// The one change of a stack's plan: (address, [(path, before, after)]).
fn only_change(stack: &Value) -> (&str, Vec<(String, Value, Value)>) {
    let resources = stack["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 1, "{stack}");
    let changes = resources[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let path: Vec<&str> = c["path"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            (path.join("."), c["before"].clone(), c["after"].clone())
        })
        .collect();
    (resources[0]["address"].as_str().unwrap(), changes)
}

#[test]
fn scale_out_from_3_to_5_updates_the_fleet_in_place_per_prod_environment() {
    let dir = baseline(&app());
    let envs = environments_with("prod-oregon", resized(5, "m4.xlarge"));
    let envs = envs
        .into_iter()
        .map(|e| match e.name() {
            "prod-frankfurt" => resized(5, "m5.xlarge")(e),
            _ => e,
        })
        .collect();
    let (code, plan) = plan_json(dir.path(), &app_with(envs), &[]);
    assert_eq!(code, 2);
    for env in ["prod-oregon", "prod-frankfurt"] {
        let cfn = stack(&plan, env, "cloudformation");
        assert_eq!(counts(cfn), [0, 1, 0, 0], "{env}");
        assert_eq!(cfn["resources"][0]["may_replace"], false);
        assert_eq!(
            only_change(cfn),
            (
                "NotebookFleet",
                vec![
                    ("MinSize".to_owned(), json!("3"), json!("5")),
                    (
                        "UpdatePolicy.AutoScalingRollingUpdate.MinInstancesInService".to_owned(),
                        json!(2),
                        json!(4)
                    ),
                ]
            )
        );
        let tf = stack(&plan, env, "terraform");
        assert_eq!(counts(tf), [0, 1, 0, 0], "{env}");
        assert_eq!(
            only_change(tf),
            (
                "aws_autoscaling_group.notebook_fleet",
                vec![
                    ("min_size".to_owned(), json!(3), json!(5)),
                    (
                        "instance_refresh.preferences.min_healthy_percentage".to_owned(),
                        json!(66),
                        json!(80)
                    ),
                ]
            )
        );
    }
    for target in TARGETS {
        assert_eq!(stack(&plan, "test", target)["status"], "unchanged");
    }
}

/// The instance size is the launch template's: the template updates in place (a new version), and the
/// fleet that follows its latest version rolls every instance under its rolling update policy. The plan says
/// both, in both targets, and replaces nothing.
#[test]
fn changing_the_instance_size_updates_the_launch_template_and_rolls_the_fleet() {
    let dir = baseline(&app());
    let envs = environments_with("prod-oregon", resized(3, "m5.2xlarge"));
    let (code, plan) = plan_json(dir.path(), &app_with(envs), &[]);
    assert_eq!(code, 2);
    for (target, template, fleet, path, roll) in [
        (
            "cloudformation",
            "NotebookLaunchTemplate",
            "NotebookFleet",
            "LaunchTemplateData.InstanceType",
            "fleet rolls: `UpdatePolicy/AutoScalingRollingUpdate`",
        ),
        (
            "terraform",
            "aws_launch_template.notebook_launch_template",
            "aws_autoscaling_group.notebook_fleet",
            "instance_type",
            "fleet rolls: `instance_refresh`",
        ),
    ] {
        let s = stack(&plan, "prod-oregon", target);
        let [add, _, replace, destroy] = counts(s);
        assert_eq!([add, replace, destroy], [0, 0, 0], "{s:#}");
        let t = resource(s, template);
        assert_eq!(t["action"], "update");
        assert_eq!(t["may_replace"], false);
        assert_eq!(
            t["changes"][0]["path"].as_array().unwrap().len(),
            path.split('.').count()
        );
        assert_eq!(t["changes"][0]["before"], json!("m4.xlarge"));
        assert_eq!(t["changes"][0]["after"], json!("m5.2xlarge"));
        let f = resource(s, fleet);
        assert_eq!(f["action"], "update", "{f:#}");
        assert!(
            f["notes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n.as_str().unwrap().starts_with(roll)),
            "{f:#}"
        );
    }
}

fn resource<'a>(stack: &'a Value, address: &str) -> &'a Value {
    stack["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("no {address} in {stack:#}"))
}

#[test]
fn changing_the_ami_parameter_updates_the_template_naming_the_parameter() {
    let dir = baseline(&app());
    let arm = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";
    let envs = environments_with("prod-oregon", |e| {
        let sizing = Sizing::new(3, "m4.xlarge").ami_parameter(arm);
        Environment::new(e.name(), e.account(), e.region(), sizing).tag("stage", "prod")
    });
    let (code, plan) = plan_json(dir.path(), &app_with(envs), &[]);
    assert_eq!(code, 2);

    // The template updates; the fleet following its latest version rolls, and is not replaced: its
    // rolling update policy decides `LaunchTemplate`'s condition (no `WillReplace`), so nothing that
    // names the fleet changes either.
    let cfn = stack(&plan, "prod-oregon", "cloudformation");
    assert_eq!(counts(cfn), [0, 2, 0, 0]);
    assert_eq!(resource(cfn, "NotebookFleet")["may_replace"], false);
    // What changed, before and after: the parameter's default, the SSM parameter name it reads.
    assert_eq!(
        cfn["settings"],
        json!([format!(
            "parameter AmiId (changed: Default \"/aws/service/ami-amazon-linux-latest/\
             al2023-ami-kernel-default-x86_64\" -> \"{arm}\")"
        )])
    );
    let change = &resource(cfn, "NotebookLaunchTemplate")["changes"][0];
    assert_eq!(change["path"], json!(["LaunchTemplateData", "ImageId"]));
    assert_eq!(change["replacement"], "never");
    assert_eq!(change["known_after_deploy"], "parameter `AmiId` changes");

    let tf = stack(&plan, "prod-oregon", "terraform");
    let [add, _, replace, destroy] = counts(tf);
    assert_eq!([add, replace, destroy], [0, 0, 0], "{tf:#}");
    let change = &resource(tf, "aws_launch_template.notebook_launch_template")["changes"][0];
    assert_eq!(change["path"], json!(["image_id"]));
    assert_eq!(change["replacement"], "never");
    assert_eq!(
        change["known_after_deploy"],
        "`data.aws_ssm_parameter.ami_id` reads a changed value: variable `ami_id` changes"
    );
    assert_eq!(
        tf["settings"],
        json!([
            format!(
                "variable ami_id (changed: default \"/aws/service/ami-amazon-linux-latest/\
                 al2023-ami-kernel-default-x86_64\" -> \"{arm}\")"
            ),
            "data.aws_ssm_parameter.ami_id (changed)"
        ])
    );
    assert_eq!(
        stack(&plan, "prod-frankfurt", "terraform")["status"],
        "unchanged"
    );
}

#[test]
fn adding_a_region_adds_a_whole_environment() {
    let dir = baseline(&app());
    let mut envs = environments();
    envs.push(prod_ireland());
    let (code, plan) = plan_json(dir.path(), &app_with(envs), &[]);
    assert_eq!(code, 2);
    for target in TARGETS {
        let s = stack(&plan, "prod-ireland", target);
        assert_eq!(s["status"], "added");
        let [add, update, replace, destroy] = counts(s);
        assert_eq!((update, replace, destroy), (0, 0, 0));
        assert_eq!(add as usize, s["resources"].as_array().unwrap().len());
        // Every resource of the environment's template or module (the environment has the flagship's
        // shape; the scenarios test it resource by resource).
        let expected = if target == "cloudformation" { 31 } else { 39 };
        assert_eq!(add, expected, "{target}");
        for env in ["prod-oregon", "prod-frankfurt", "test"] {
            assert_eq!(stack(&plan, env, target)["status"], "unchanged");
        }
    }
}

#[test]
fn removing_the_test_environment_destroys_every_resource_listed() {
    let dir = baseline(&app());
    let envs = environments()
        .into_iter()
        .filter(|e| e.name() != "test")
        .collect();
    let (code, plan) = plan_json(dir.path(), &app_with(envs), &[]);
    assert_eq!(
        code, 3,
        "the flow-log group holds logs: destroying it loses data"
    );
    let before: Value = serde_json::from_slice(
        &std::fs::read(
            dir.path()
                .join("base/cloudformation/test/notebook.template.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let ids: Vec<&str> = before["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let cfn = stack(&plan, "test", "cloudformation");
    assert_eq!(cfn["status"], "removed");
    assert_eq!(resources(cfn, "destroy"), ids);
    let tf = stack(&plan, "test", "terraform");
    assert_eq!(tf["status"], "removed");
    assert_eq!(counts(tf)[3], 39);
    assert!(resources(tf, "destroy").contains(&"aws_autoscaling_group.notebook_fleet"));
}

/// Production keeps its data (no `Environment::removal_policy`): removing a production environment is a
/// refusal by Terraform (`terraform destroy` of its module stops at the flow-log group, the zone and the
/// alerts key, which carry `prevent_destroy`) and a retention by CloudFormation (`DeletionPolicy: Retain`), never data loss.
#[test]
fn removing_a_production_environment_is_refused_by_terraform_and_retained_by_cloudformation() {
    let dir = baseline(&app());
    let envs = environments()
        .into_iter()
        .filter(|e| e.name() != "prod-frankfurt")
        .collect();
    let (code, plan) = plan_json(dir.path(), &app_with(envs), &[]);
    assert_eq!(code, 2, "nothing is lost: {plan:#}");
    assert_eq!(plan["data_loss"], false);
    let tf = stack(&plan, "prod-frankfurt", "terraform");
    assert_eq!(tf["status"], "removed");
    let refused: Vec<&str> = tf["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["refused"] == true)
        .map(|r| r["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        refused,
        [
            "aws_cloudwatch_log_group.vpc_flow_logs_logs",
            "aws_route53_zone.zone",
            "aws_kms_key.alerts_key"
        ]
    );
    assert_eq!(tf["summary"]["refused"], 3);
    let logs = resource(tf, "aws_cloudwatch_log_group.vpc_flow_logs_logs");
    assert_eq!(logs["action"], "destroy");
    assert_eq!(logs["data_loss"], Value::Null);
    assert!(logs["warnings"][0]
        .as_str()
        .unwrap()
        .starts_with("Terraform will refuse: `aws_cloudwatch_log_group.vpc_flow_logs_logs` has lifecycle.prevent_destroy"));
    let cfn = stack(&plan, "prod-frankfurt", "cloudformation");
    for id in ["VpcFlowLogsLogs", "Zone", "AlertsKey"] {
        let r = resource(cfn, id);
        assert_eq!(r["data_loss"], Value::Null, "{id}");
        assert!(
            r["notes"][0]
                .as_str()
                .unwrap()
                .starts_with("retained: DeletionPolicy Retain leaves it in place"),
            "{id}: {r:#}"
        );
    }
    let (_, human, _) = cli(
        &app_with(
            environments()
                .into_iter()
                .filter(|e| e.name() != "prod-frankfurt")
                .collect(),
        ),
        &[
            "plan",
            "--against",
            dir.path().join("base").to_str().unwrap(),
        ],
    );
    assert!(
        human.contains("prod-frankfurt/notebook (terraform): stack removed: 0 to add, 0 to update, 0 to replace, 39 to destroy; 3 warnings; TERRAFORM WILL REFUSE (3 resources have prevent_destroy)"),
        "{human}"
    );
}

/// Moving an environment to another account (a breach drill, a reorganisation) is a new deployment there,
/// and the old one stays until destroyed: never "update in place".
#[test]
fn moving_an_environment_to_another_account_destroys_there_and_creates_here() {
    let dir = baseline(&app());
    let envs = environments_with("test", |e| {
        Environment::new(e.name(), "999999999999", e.region(), e.config().clone())
            .removal_policy(RemovalPolicy::Destroy)
    });
    let (code, plan) = plan_json(dir.path(), &app_with(envs), &[]);
    assert_eq!(code, 3, "the old flow-log group is destroyed with its logs");
    for target in TARGETS {
        let moved: Vec<&Value> = plan["stacks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["environment"] == "test" && s["target"] == target)
            .collect();
        assert_eq!(moved.len(), 2, "{target}");
        let (old, new) = (moved[0], moved[1]);
        assert_eq!(old["status"], "removed");
        assert_eq!(new["status"], "added");
        assert_eq!(old["relocated"], true);
        assert_eq!(new["placement"]["account"], "999999999999");
        assert_ne!(old["placement"]["account"], "999999999999");
        let [add, update, replace, destroy] = counts(new);
        assert_eq!((update, replace, destroy), (0, 0, 0));
        assert_eq!(
            counts(old),
            [0, 0, 0, add],
            "{target}: the same resources, destroyed there"
        );
        // How to tear the old deployment down, with the credentials of the old account.
        let note = old["notes"][0].as_str().unwrap();
        assert!(note.starts_with("the old deployment: "), "{note}");
        let command = &old["commands"][0];
        assert_eq!(command["account"], "222222222222", "{command}");
        let shell = command["shell"].as_str().unwrap();
        if target == "terraform" {
            assert!(
                note.contains("tear the old deployment down first"),
                "{note}"
            );
            assert!(
                shell.ends_with("terraform/test/notebook destroy"),
                "{shell}"
            );
            assert_eq!(command["argv"][1][2], "destroy", "{command}");
            assert!(
                note.ends_with("then run synth with `--destroyed test`"),
                "{note}"
            );
        } else {
            assert_eq!(
                shell,
                "aws cloudformation delete-stack --stack-name notebook-test-notebook --region us-west-2"
            );
        }
    }
}

/// The flagship holds no data yet, so the previous tree is given a bucket and a database that the
/// definition no longer has: the plan flags both as DATA LOSS and exits 3 unless allowed.
#[test]
fn removing_a_stateful_resource_is_data_loss_and_exits_3() {
    let dir = baseline(&app());
    let base = dir.path().join("base");
    let edit =
        |path: &str, f: &dyn Fn(&mut Value)| stackwright_testing::edit_artifact(&base, path, f);
    edit(crate::common::CFN_OREGON, &|doc| {
        doc["Resources"]["Assets"] = serde_json::json!({"Type": "AWS::S3::Bucket"});
        doc["Resources"]["Kept"] =
            serde_json::json!({"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"});
    });
    edit(TF_OREGON, &|doc| {
        doc["resource"]["aws_db_instance"] = serde_json::json!({"notes": {
            "engine": "postgres", "instance_class": "db.t3.micro", "allocated_storage": 20
        }});
    });

    let (code, plan) = plan_json(dir.path(), &app(), &[]);
    assert_eq!(code, 3);
    assert_eq!(plan["data_loss"], true);
    assert_eq!(plan["summary"]["data_loss"], 2);
    let cfn = stack(&plan, "prod-oregon", "cloudformation");
    assert_eq!(resources(cfn, "destroy"), ["Assets", "Kept"]);
    assert_eq!(
        cfn["resources"][0]["data_loss"],
        "the bucket and its objects"
    );
    assert_eq!(cfn["resources"][1]["data_loss"], Value::Null);
    assert!(cfn["resources"][1]["notes"][0]
        .as_str()
        .unwrap()
        .contains("DeletionPolicy Retain"));
    let tf = stack(&plan, "prod-oregon", "terraform");
    assert_eq!(tf["resources"][0]["address"], "aws_db_instance.notes");
    assert_eq!(tf["resources"][0]["data_loss"], "the database and its data");

    let (code, _) = plan_json(dir.path(), &app(), &["--allow-data-loss"]);
    assert_eq!(code, 2);
    let (code, human, _) = cli(&app(), &["plan", "--against", base.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert!(
        human.contains("DATA LOSS: the bucket and its objects"),
        "{human}"
    );
    assert!(human.contains("total: 0 to add, 0 to update, 0 to replace, 3 to destroy in 2 of 6 stacks; 2 changes LOSE DATA"), "{human}");
}

#[test]
fn plan_errors_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    let (code, stdout, stderr) = cli(&app(), &["plan", "--against", missing.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(stderr.starts_with("error: cannot read `"), "{stderr}");
    assert!(stderr.contains("manifest.json"), "{stderr}");
    // A usage error is 1 for plan, as 2 means "changes".
    let (code, _, stderr) = cli(&app(), &["plan", "--format", "yaml"]);
    assert_eq!(code, 1, "{stderr}");
    let (code, _, _) = cli(&app(), &["synth", "--format", "yaml"]);
    assert_eq!(code, 2);
}

#[test]
fn plan_selects_environments_and_targets_on_both_sides() {
    let dir = baseline(&app());
    let base = dir.path().join("base");
    let (code, plan) = {
        let (code, stdout, stderr) = cli(
            &app(),
            &[
                "plan",
                "--against",
                base.to_str().unwrap(),
                "--format",
                "json",
                "--env",
                "test",
                "--target",
                "terraform",
            ],
        );
        assert!(stderr.is_empty(), "{stderr}");
        (code, serde_json::from_str::<Value>(&stdout).unwrap())
    };
    assert_eq!(code, 0);
    let stacks = plan["stacks"].as_array().unwrap();
    assert_eq!(
        stacks.len(),
        1,
        "only the selected stack, none shown as removed"
    );
    assert_eq!(stacks[0]["environment"], "test");
}

#[test]
fn synth_check_lists_what_differs() {
    let dir = baseline(&app());
    let base = dir.path().join("base");
    let out = base.to_str().unwrap();
    let (code, stdout, _) = cli(&app(), &["synth", "--check", "--out", out]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("up to date: the 7 files"), "{stdout}");

    // What Terraform and users put in the tree is not stackwright's, and does not count.
    std::fs::write(
        base.join("terraform/prod-oregon/notebook/terraform.tfstate"),
        "{}",
    )
    .unwrap();
    let (code, stdout, _) = cli(&app(), &["synth", "--check", "--out", out]);
    assert_eq!(code, 0, "{stdout}");

    // The changed definition no longer has one environment: synth keeps its artifacts (listed as removed,
    // so that it can still be torn down), and only the manifest says so.
    let envs = environments_with("prod-oregon", resized(4, "m4.xlarge"))
        .into_iter()
        .filter(|e| e.name() != "test")
        .collect();
    let (code, stdout, stderr) = cli(&app_with(envs), &["synth", "--check", "--out", out]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    let expected = format!(
        "error: {out} is not what the definition produces (3 differences):\n  \
         differs: cloudformation/prod-oregon/notebook.template.json\n  \
         differs: manifest.json\n  \
         differs: terraform/prod-oregon/notebook/main.tf.json\n  \
         = help: run `synth` to update it, or `plan --against {out}` to see what the changes do\n"
    );
    assert_eq!(stderr, expected);
    // Nothing was written.
    assert!(base.join("terraform/test/notebook/main.tf.json").exists());
}

/// `plan` trusts nothing in the tree it reads: an artifact edited by hand (its sha256 no longer the
/// manifest's) is refused, naming the file, unless `--allow-modified` downgrades it to a warning.
#[test]
fn plan_refuses_an_artifact_edited_after_synth_unless_allowed() {
    let dir = baseline(&app());
    let base = dir.path().join("base");
    let file = base.join(TF_OREGON);
    let edited = std::fs::read_to_string(&file)
        .unwrap()
        .replace("m4.xlarge", "m4.large");
    std::fs::write(&file, edited).unwrap();
    let against = base.to_str().unwrap();
    let (code, stdout, stderr) = cli(&app(), &["plan", "--against", against]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with(&format!(
            "error: `{}` was changed after stackwright wrote it",
            file.display()
        )),
        "{stderr}"
    );
    let (code, _, stderr) = cli(&app(), &["plan", "--against", against, "--allow-modified"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.starts_with("warning: "), "{stderr}");
}

/// One plan with every kind of change, in the three formats, byte for byte: prod-oregon scales out and
/// changes size, prod-frankfurt switches AMI, and the previous tree had a bucket that is gone.
#[test]
fn the_three_formats_match_their_snapshots() {
    let dir = baseline(&app());
    let base = dir.path().join("base");
    stackwright_testing::edit_artifact(&base, crate::common::CFN_OREGON, |doc| {
        doc["Resources"]["Assets"] = serde_json::json!({"Type": "AWS::S3::Bucket"});
    });

    let arm = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";
    let envs = environments_with("prod-oregon", resized(4, "m5.2xlarge"))
        .into_iter()
        .map(|e| match e.name() {
            "prod-frankfurt" => {
                let sizing = Sizing::new(3, "m5.xlarge").ami_parameter(arm);
                Environment::new(e.name(), e.account(), e.region(), sizing).tag("stage", "prod")
            }
            _ => e,
        })
        .collect();
    let after = app_with(envs);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../snapshots/plan"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let against = base.to_str().unwrap();
    for format in ["human", "markdown", "json"] {
        let (code, stdout, stderr) =
            cli(&after, &["plan", "--against", against, "--format", format]);
        assert_eq!(code, 3, "{stderr}");
        // The scratch path never reaches the plan.
        assert!(!stdout.contains(against));
        settings.bind(|| insta::assert_snapshot!(format!("notebook-service.{format}"), stdout));
    }
}

#[test]
fn human_output_is_colored_only_on_a_terminal() {
    let dir = baseline(&app());
    let base = dir.path().join("base");
    let args = [
        "notebook-service",
        "plan",
        "--against",
        base.to_str().unwrap(),
    ];
    for color in [false, true] {
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let after = app_with(environments_with("prod-oregon", resized(4, "m4.xlarge")));
        let code = run_with(&after, args, &mut stdout, &mut stderr, color);
        assert_eq!(code, 2);
        let text = String::from_utf8(stdout).unwrap();
        assert_eq!(text.contains('\x1b'), color, "{text}");
        assert!(text.contains("prod-oregon/notebook (terraform): 0 to add, 1 to update, 0 to replace, 0 to destroy"), "{text}");
    }
}

/// The flagship deployed blue/green (`Sizing::blue_green`): switching the live fleet updates the HTTPS
/// listener's forward weights in place and nothing else, in both targets.
#[test]
fn blue_green_switch_updates_only_the_https_listener() {
    use stackwright::aws::service::Color;
    let with_live = |live| {
        app_with(environments_with("test", move |e| {
            let sizing = e.config().clone().blue_green(live);
            Environment::new(e.name(), e.account(), e.region(), sizing).tag("stage", "test")
        }))
    };
    let dir = baseline(&with_live(Color::Blue));
    let (code, plan) = plan_json(dir.path(), &with_live(Color::Green), &["--env", "test"]);
    assert_eq!(code, 2);
    for (target, listener) in [
        ("cloudformation", "NotebookHttpsListener"),
        ("terraform", "aws_lb_listener.notebook_https_listener"),
    ] {
        let stack = stack(&plan, "test", target);
        assert_eq!(counts(stack), [0, 1, 0, 0], "{stack:#}");
        let changed: Vec<&Value> = stack["resources"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["action"] != "no-change")
            .collect();
        assert_eq!(changed.len(), 1, "{stack:#}");
        assert_eq!(changed[0]["address"], listener);
        assert_eq!(changed[0]["may_replace"], false, "{stack:#}");
    }
}
