//! `synth --steps` through the CLI: a change that cannot be deployed in one step written as numbered
//! trees beside `out/`, the last one what `synth` writes; `plan` and `list` against a tree in the middle.

use crate::support::run;
use serde_json::{json, Value};
use stackwright::aws::ec2;
use stackwright::prelude::*;
use std::path::{Path, PathBuf};

/// The service uses the network's VPC (`shared`: an export and an import) or one of its own.
fn split(shared: bool) -> App<()> {
    App::new("shop")
        .environment(Environment::new("dev", "123456789012", "eu-west-1", ()))
        .stacks(move |stacks, _| {
            let vpc = stacks.stack("network", |s| s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16")));
            stacks.stack("service", |s| {
                let vpc = if shared {
                    vpc.clone()
                } else {
                    s.add(ec2::Vpc::new("OwnVpc", "10.1.0.0/16"))
                };
                s.add(ec2::SecurityGroup::new("Web", &vpc, "web"));
            });
        })
}

/// Every file under `dir`, relative path -> bytes.
fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_str().unwrap().to_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn an_export_removal_is_written_as_two_trees_whose_last_is_what_synth_writes() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_s = out.to_str().unwrap();
    let (code, _, stderr) = run(&split(true), &["synth", "--out", out_s]);
    assert_eq!(code, 0, "{stderr}");
    let deployed = files(&out);

    // `plan` names the kind and the steps.
    let (code, plan, stderr) = run(&split(false), &["plan", "--against", out_s]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        plan.contains("this change needs 2 steps (export in use): deploy them in order"),
        "{plan}"
    );
    assert!(
        plan.contains(
            "  1. dev/network: keep export `shop-dev-network:Vpc:id` as deployed while `service` stops importing it"
        ),
        "{plan}"
    );

    let (code, stdout, stderr) = run(&split(false), &["synth", "--steps", "--out", out_s]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let steps = scratch.path().join("steps");
    assert!(stdout.contains("this change needs 2 steps"), "{stdout}");
    assert!(
        stdout.contains(&format!("  {}", steps.join("01-keep-export").display())),
        "{stdout}"
    );
    // The deployed tree is only read.
    assert_eq!(files(&out), deployed);
    let names: Vec<String> = std::fs::read_dir(&steps)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(names, ["01-keep-export", "02-remove-export"]);
    let (one, two) = (steps.join("01-keep-export"), steps.join("02-remove-export"));

    // Step 1: the network keeps its export; the service has its own VPC.
    let network: Value = serde_json::from_slice(
        &std::fs::read(one.join("cloudformation/dev/network.template.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        network["Outputs"]["ExportVpcId"]["Export"],
        json!({"Name": "shop-dev-network:Vpc:id"})
    );
    let mark = &manifest(&one)["step"];
    assert_eq!(mark["number"], 1);
    assert_eq!(mark["steps"][1]["name"], "02-remove-export");
    assert_eq!(manifest(&two)["step"]["sequence"], mark["sequence"]);

    // The last step is what synth writes, but for the step it says it is and the local state path,
    // one level longer: each step's module keeps its state in the deployed module's file.
    let fresh = scratch.path().join("elsewhere/out");
    let (code, _, stderr) = run(&split(false), &["synth", "--out", fresh.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let (mut last, mut desired) = (files(&two), files(&fresh));
    last.remove("manifest.json");
    desired.remove("manifest.json");
    assert_eq!(
        last.keys().collect::<Vec<_>>(),
        desired.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &desired {
        if path.starts_with("terraform/") {
            let mut module: Value = serde_json::from_slice(bytes).unwrap();
            let local = &mut module["terraform"]["backend"]["local"];
            assert_eq!(
                local["path"],
                format!(
                    "../../../../terraform-state/shop/dev/{}/terraform.tfstate",
                    &path[14..path.len() - 13]
                )
            );
            for key in ["path", "workspace_dir"] {
                local[key] = format!("../{}", local[key].as_str().unwrap()).into();
            }
            assert_eq!(
                serde_json::from_slice::<Value>(&last[path]).unwrap(),
                module,
                "{path}"
            );
        } else {
            assert_eq!(last[path], *bytes, "{path}");
        }
    }
    let mut last_manifest = manifest(&two);
    last_manifest.as_object_mut().unwrap().remove("step");
    let mut desired_manifest = manifest(&fresh);
    for (a, b) in last_manifest["artifacts"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(desired_manifest["artifacts"].as_array_mut().unwrap())
    {
        if a["target"] == "terraform" {
            a.as_object_mut().unwrap().remove("sha256");
            b.as_object_mut().unwrap().remove("sha256");
        }
    }
    assert_eq!(last_manifest, desired_manifest);

    // `plan` between consecutive trees: no step fails, and step 2 only removes the export.
    let (code, first, stderr) = run(
        &split(false),
        &["plan", "--against", out_s, "--format", "json"],
    );
    assert_eq!(code, 2, "{stderr}");
    let first: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["steps"]["changes"][0]["kind"], "export-in-use");
    let (code, rest, stderr) = run(&split(false), &["plan", "--against", one.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        !rest.contains("DEPLOY WILL FAIL") && !rest.contains("needs"),
        "{rest}"
    );
    assert!(rest.contains("ExportVpcId"), "{rest}");
    assert!(rest.contains("step 1 of 2 (01-keep-export)"), "{rest}");
    assert!(rest.contains("remaining: 02-remove-export"), "{rest}");
    let (code, done, stderr) = run(&split(false), &["plan", "--against", two.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}\n{done}");

    // `list` of a tree in the middle says which step it is and what remains, and lists what is selected.
    let (code, list, stderr) = run(&split(false), &["list", "--out", one.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(list.contains("step 1 of 2 (01-keep-export)"), "{list}");
    assert!(list.contains("remaining: 02-remove-export"), "{list}");
    assert!(list.contains("[terraform]"), "{list}");
    let (code, list, stderr) = run(
        &split(false),
        &[
            "list",
            "--out",
            one.to_str().unwrap(),
            "--target",
            "cloudformation",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list["step"]["remaining"][0]["name"], "02-remove-export");
    let targets: Vec<&str> = list["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["cloudformation", "cloudformation"]);

    // A second run writes the same trees.
    let before = files(&steps);
    let (code, _, stderr) = run(&split(false), &["synth", "--steps", "--out", out_s]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(files(&steps), before);
}

#[test]
fn a_change_that_deploys_in_one_step_writes_no_steps() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_s = out.to_str().unwrap();
    let (code, _, stderr) = run(&split(true), &["synth", "--out", out_s]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = run(&split(true), &["synth", "--steps", "--out", out_s]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("this change deploys in one step"),
        "{stdout}"
    );
    assert!(!scratch.path().join("steps").exists());
    // Without a deployed tree there is nothing to step from.
    let empty = scratch.path().join("none");
    let (code, _, stderr) = run(
        &split(true),
        &["synth", "--steps", "--out", empty.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("holds no tree stackwright wrote"),
        "{stderr}"
    );
}

#[test]
fn synth_steps_of_a_one_step_change_names_the_step_trees_an_earlier_run_left() {
    let (scratch, out, steps) = steps_of(&split(true), &split(false));
    assert!(steps.len() >= 2);
    // A directory stackwright did not write is never named.
    let notes = scratch.path().join("steps/notes");
    std::fs::create_dir_all(&notes).unwrap();
    let (code, _, stderr) = run(&split(false), &["synth", "--out", &out]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = run(&split(false), &["synth", "--steps", "--out", &out]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("this change deploys in one step"),
        "{stdout}"
    );
    for (_, path) in &steps {
        let expected = format!(
            "warning: `{}` is a step of an earlier sequence, not of this one: remove it once it is not \
             needed (this change deploys in one step)",
            path.display()
        );
        assert!(stderr.contains(&expected), "{expected}\n{stderr}");
        assert!(path.is_dir());
    }
    assert!(!stderr.contains("notes"), "{stderr}");
    assert_eq!(stderr.matches("warning: ").count(), steps.len(), "{stderr}");
}

#[test]
fn plan_against_a_step_of_an_abandoned_sequence_says_its_remaining_steps_no_longer_lead_there() {
    let (_scratch, _, steps) = steps_of(&split(true), &split(false));
    let abandoned = "but the definition has changed since `synth --steps` wrote sequence ";
    for (_, path) in &steps {
        let (_, text, stderr) = run(
            &split(false),
            &["plan", "--against", path.to_str().unwrap()],
        );
        assert!(
            !text.contains(abandoned) && !stderr.contains("warning"),
            "{text}{stderr}"
        );
        // The change abandoned: the definition is back where it was.
        let (_, text, stderr) = run(&split(true), &["plan", "--against", path.to_str().unwrap()]);
        let last = &steps.last().unwrap().0;
        let why = format!(
            ": its last step, `{last}`, is not what the definition synthesizes, so the remaining steps no \
             longer lead to it; run `synth --steps` against the deployed tree again"
        );
        assert!(text.contains(abandoned) && text.contains(&why), "{text}");
        assert!(
            stderr.contains("warning: the definition has changed"),
            "{stderr}"
        );
    }
}

/// Synthesizes `before` into `out/`, then `synth --steps` of `after`: the scratch directory, `out/`,
/// and each step's directory name and path, in order.
fn steps_of(
    before: &App<()>,
    after: &App<()>,
) -> (tempfile::TempDir, String, Vec<(String, PathBuf)>) {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out").to_str().unwrap().to_owned();
    let (code, _, stderr) = run(before, &["synth", "--out", &out]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = run(after, &["synth", "--steps", "--out", &out]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("this change needs"), "{stdout}");
    let steps = scratch.path().join("steps");
    let mut names: Vec<String> = std::fs::read_dir(&steps)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let steps = names
        .into_iter()
        .map(|n| {
            let path = steps.join(&n);
            (n, path)
        })
        .collect();
    (scratch, out, steps)
}

fn read(dir: &Path, path: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(path)).unwrap()).unwrap()
}

/// `plan` of `app` against `dir`: (exit code, human text).
fn plan(app: &App<()>, dir: &Path) -> (u8, String) {
    let (code, stdout, stderr) = run(app, &["plan", "--against", dir.to_str().unwrap()]);
    assert!(code != 1, "{stderr}");
    (code, stdout)
}

#[test]
fn a_blue_green_switch_is_written_as_ten_fifty_and_all_percent() {
    use crate::replicated_service::blue_green;
    use stackwright::aws::service::Color;
    let after = blue_green(Color::Green);
    let (_scratch, _, steps) = steps_of(&blue_green(Color::Blue), &after);
    let names: Vec<&str> = steps.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["01-traffic-10", "02-traffic-50", "03-traffic-100"]);
    let weights = |dir: &Path| -> (Value, Value) {
        let cfn = read(dir, "cloudformation/dev/main.template.json");
        let tf = read(dir, "terraform/dev/main/main.tf.json");
        let c = cfn["Resources"]["WebHttpsListener"]["Properties"]["DefaultActions"][0]
            ["ForwardConfig"]["TargetGroups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["Weight"].clone())
            .collect();
        let t = tf["resource"]["aws_lb_listener"]["web_https_listener"]["default_action"][0]
            ["forward"]["target_group"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["weight"].clone())
            .collect();
        (c, t)
    };
    assert_eq!(weights(&steps[0].1), (json!([90, 10]), json!([90, 10])));
    assert_eq!(weights(&steps[1].1), (json!([50, 50]), json!([50, 50])));
    assert_eq!(weights(&steps[2].1), (json!([0, 1]), json!([0, 1])));
    assert_eq!(
        read(&steps[0].1, "manifest.json")["step"]["steps"][0]["bake_minutes"],
        10
    );
    // From the first step, what remains is the rest of the shift: 50 %, then all of it.
    let (code, rest) = plan(&after, &steps[0].1);
    assert_eq!(code, 2);
    assert!(
        rest.contains("this change needs 2 steps (traffic shift)"),
        "{rest}"
    );
    assert!(rest.contains("step 1 of 3 (01-traffic-10)"), "{rest}");
    // From the second, one step: the listener's weights, nothing else.
    let (_, rest) = plan(&after, &steps[1].1);
    assert!(!rest.contains("needs"), "{rest}");
    assert!(rest.contains("1 to update"), "{rest}");
    assert!(rest.contains("~ update  WebHttpsListener"), "{rest}");
    let (code, _) = plan(&after, &steps[2].1);
    assert_eq!(code, 0);
}

#[test]
fn a_cloudformation_rename_is_a_stack_refactor_with_its_mappings_then_the_rest() {
    let before = crate::support::one_stack(|s| {
        s.add(ec2::Vpc::new("Network", "10.0.0.0/16"));
    });
    let after = crate::support::one_stack(|s| {
        s.add(
            ec2::Vpc::new("Vpc", "10.0.0.0/16")
                .renamed_from("Network")
                .tag("tier", "core"),
        );
    });
    let (scratch, out, steps) = steps_of(&before, &after);
    let names: Vec<&str> = steps.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["01-refactor", "02-deploy"]);
    let one = &steps[0].1;
    // The previous template with only the logical id renamed, and the refactor's mappings beside it.
    let previous = read(Path::new(&out), "cloudformation/dev/main.template.json");
    let refactored = read(one, "cloudformation/dev/main.template.json");
    assert_eq!(
        refactored["Resources"]["Vpc"],
        previous["Resources"]["Network"]
    );
    assert!(refactored["Resources"].get("Network").is_none());
    assert_eq!(
        read(one, "refactor/dev/main.json"),
        json!([{"Source": {"StackName": "demo-dev-main", "LogicalResourceId": "Network"},
                "Destination": {"StackName": "demo-dev-main", "LogicalResourceId": "Vpc"}}])
    );
    assert_eq!(
        read(one, "manifest.json")["step"]["files"],
        json!([
            "refactor/dev/main.definitions.json",
            "refactor/dev/main.json"
        ])
    );
    let definitions = read(one, "refactor/dev/main.definitions.json");
    assert_eq!(definitions[0]["StackName"], "demo-dev-main");
    assert_eq!(
        serde_json::from_str::<Value>(definitions[0]["TemplateBody"].as_str().unwrap()).unwrap(),
        refactored
    );
    // `list` of the step gives the refactor's commands, not a deploy, which would replace the VPC.
    let one_s = one.to_str().unwrap();
    let (code, list, stderr) = run(
        &after,
        &["list", "--out", one_s, "--target", "cloudformation"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        list.contains(&format!(
            "refactor: aws cloudformation create-stack-refactor --stack-definitions file://{one_s}/refactor/dev/main.definitions.json \
             --resource-mappings file://{one_s}/refactor/dev/main.json --region us-west-2 --query StackRefactorId --output text"
        )),
        "{list}"
    );
    assert!(
        list.contains("then: aws cloudformation execute-stack-refactor --stack-refactor-id \"$STACK_REFACTOR_ID\" --region us-west-2"),
        "{list}"
    );
    assert!(!list.contains("aws cloudformation deploy"), "{list}");
    // Step 2 only tags the VPC, in place; it has no refactor file.
    let two = &steps[1].1;
    assert!(!two.join("refactor").exists());
    let (_, rest) = plan(&after, one);
    assert!(!rest.contains("needs"), "{rest}");
    // A tree of another sequence under `steps/` (an earlier run's) is left to the user, and named.
    let old = scratch.path().join("steps/05-old");
    std::fs::create_dir_all(&old).unwrap();
    let mut mark = read(two, "manifest.json");
    mark["step"]["sequence"] = json!("0000000000000000");
    std::fs::write(
        old.join("manifest.json"),
        serde_json::to_vec(&mark).unwrap(),
    )
    .unwrap();
    for file in [
        "cloudformation/dev/main.template.json",
        "terraform/dev/main/main.tf.json",
    ] {
        std::fs::create_dir_all(old.join(file).parent().unwrap()).unwrap();
        std::fs::copy(two.join(file), old.join(file)).unwrap();
    }
    let (code, _, stderr) = run(&after, &["synth", "--steps", "--out", &out]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("05-old` is a step of an earlier sequence, not of this one"),
        "{stderr}"
    );
    assert!(old.join("manifest.json").exists());
}

#[test]
fn a_stack_whose_exports_are_used_stays_deployed_one_step_then_goes() {
    let before = split(true);
    let after = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "eu-west-1", ()))
        .stacks(|stacks, _| {
            stacks.stack("service", |s| {
                let vpc = s.add(ec2::Vpc::new("OwnVpc", "10.1.0.0/16"));
                s.add(ec2::SecurityGroup::new("Web", &vpc, "web"));
            });
        });
    let (_scratch, _, steps) = steps_of(&before, &after);
    let names: Vec<&str> = steps.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["01-stop-imports", "02-tear-down"]);
    let listed = |dir: &Path| -> Vec<(String, bool)> {
        read(dir, "manifest.json")["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["path"].as_str().unwrap().to_owned(),
                    a.get("removed").is_some(),
                )
            })
            .collect()
    };
    let cfn_network = "cloudformation/dev/network.template.json".to_owned();
    assert!(listed(&steps[0].1).contains(&(cfn_network.clone(), false)));
    assert!(listed(&steps[1].1).contains(&(cfn_network, true)));
    // `list` of step 1 deploys the network beside the service; of step 2, tears it down.
    let (code, list, stderr) = run(&after, &["list", "--out", steps[0].1.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !list.contains("teardown") && list.contains("stack network"),
        "{list}"
    );
    let (_, list, _) = run(&after, &["list", "--out", steps[1].1.to_str().unwrap()]);
    assert!(list.contains("removed"), "{list}");
}

#[test]
fn a_custom_named_replacement_goes_through_a_generated_name() {
    let group = |description: &'static str| {
        crate::support::one_stack(move |s| {
            let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            s.add(ec2::SecurityGroup::new("Web", &vpc, description).name("web"));
        })
    };
    let (_scratch, _, steps) = steps_of(&group("old"), &group("new"));
    let names: Vec<&str> = steps.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["01-generated-name", "02-custom-name"]);
    let props = |dir: &Path| {
        read(dir, "cloudformation/dev/main.template.json")["Resources"]["Web"]["Properties"].clone()
    };
    assert!(props(&steps[0].1).get("GroupName").is_none());
    assert_eq!(props(&steps[0].1)["GroupDescription"], "new");
    assert!(props(&steps[1].1).get("GroupName").is_some());
}

#[test]
fn an_environment_that_moves_account_tears_down_the_old_deployment_then_deploys_the_new() {
    let placed = |account: &'static str| {
        App::new("demo")
            .environment(Environment::new("dev", account, "us-west-2", ()))
            .stack("main", |s, _| {
                s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            })
    };
    let (_scratch, _, steps) = steps_of(&placed("111111111111"), &placed("222222222222"));
    let names: Vec<&str> = steps.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["01-tear-down-old", "02-deploy-new"]);
    let accounts = |dir: &Path| -> Vec<(String, String, bool)> {
        read(dir, "manifest.json")["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["target"].as_str().unwrap().to_owned(),
                    a["account"].as_str().unwrap().to_owned(),
                    a.get("removed").is_some(),
                )
            })
            .collect()
    };
    assert_eq!(
        accounts(&steps[0].1),
        [
            ("cloudformation".into(), "111111111111".into(), true),
            ("terraform".into(), "111111111111".into(), true)
        ]
    );
    assert_eq!(
        accounts(&steps[1].1),
        [
            ("cloudformation".into(), "222222222222".into(), false),
            ("terraform".into(), "222222222222".into(), false)
        ]
    );
    // `list` of step 1 tears the old deployment down, with the old account's credentials.
    let (code, list, stderr) = run(
        &placed("222222222222"),
        &["list", "--out", steps[0].1.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        list.contains("destroy: ") && list.contains("account 111111111111"),
        "{list}"
    );
}

/// The data bucket lives in `service` (`moved`: in `storage`, moved there with `moved_from`).
fn bucket_in(moved: bool) -> App<()> {
    bucket_moved_from("service", moved)
}

/// A bucket of stack `source` (`moved`: declared moved to stack `storage` instead).
fn bucket_moved_from(source: &'static str, moved: bool) -> App<()> {
    App::new("shop")
        .environment(Environment::new("dev", "123456789012", "eu-west-1", ()))
        .stacks(move |stacks, _| {
            stacks.stack("storage", |s| {
                s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
                if moved {
                    s.add(stackwright::aws::s3::Bucket::new("Store").moved_from(source, "Data"));
                }
            });
            stacks.stack(source, |s| {
                s.add(ec2::Vpc::new("OwnVpc", "10.1.0.0/16"));
                if !moved {
                    s.add(stackwright::aws::s3::Bucket::new("Data"));
                }
            });
        })
}

/// The state move script between stacks whose names hold `-to-` (`move/dev/web-to-db-to-storage.sh`)
/// is listed before the apply of both stacks it names (it was listed for neither: its name was split at
/// the first `-to-`).
#[test]
fn a_state_move_between_stacks_whose_names_hold_to_is_listed_before_both_applies() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_s = out.to_str().unwrap();
    let (code, _, stderr) = run(
        &bucket_moved_from("web-to-db", false),
        &["synth", "--out", out_s],
    );
    assert_eq!(code, 0, "{stderr}");
    let after = bucket_moved_from("web-to-db", true);
    let (code, stdout, stderr) = run(&after, &["synth", "--steps", "--out", out_s]);
    assert_eq!(code, 0, "{stderr}\n{stdout}");
    let one = scratch
        .path()
        .join("steps")
        .join("01-refactor-forget-import");
    let script = one.join("move/dev/web-to-db-to-storage.sh");
    assert!(script.is_file(), "{stdout}");
    let (code, list, stderr) = run(&after, &["list", "--out", one.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let line = format!("bash {}\n      deploy: terraform", script.display());
    assert_eq!(list.matches(&line).count(), 2, "{list}");
}

#[test]
fn a_bucket_moved_between_stacks_is_a_refactor_across_them_and_a_terraform_state_move() {
    let before = bucket_in(false);
    let after = bucket_in(true);
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_s = out.to_str().unwrap();
    let (code, _, stderr) = run(&before, &["synth", "--out", out_s]);
    assert_eq!(code, 0, "{stderr}");

    // `plan` names the move, pairs the blocks, and says what one deploy would do.
    // Deployed in one go, this tree deletes the Terraform bucket and creates an empty one: data loss,
    // exit 3, which the steps avoid.
    let (code, text, stderr) = run(&after, &["plan", "--against", out_s]);
    assert_eq!(code, 3, "{stderr}\n{text}");
    assert!(
        text.contains("(this tree deployed in one go deletes it and creates a new, empty one; `synth --steps` moves it instead, never deleting it)"),
        "{text}"
    );
    assert!(
        text.contains("this change needs 2 steps (move between stacks)"),
        "{text}"
    );
    assert!(
        text.contains("moved to `Store` of stack `storage`: `synth --steps` moves it (a stack refactor), never deleting it"),
        "{text}"
    );
    assert!(
        text.contains("moved to `aws_s3_bucket.store` of stack `storage`"),
        "{text}"
    );
    let (code, json_plan, _) = run(&after, &["plan", "--against", out_s, "--format", "json"]);
    assert_eq!(code, 3);
    let json_plan: Value = serde_json::from_str(&json_plan).unwrap();
    assert_eq!(json_plan["data_loss"], true);
    let kinds: Vec<&str> = json_plan["steps"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["move", "move"]);

    let (code, stdout, stderr) = run(&after, &["synth", "--steps", "--out", out_s]);
    assert_eq!(code, 0, "{stderr}\n{stdout}");
    let steps = scratch.path().join("steps");
    let (one, two) = (
        steps.join("01-refactor-forget-import"),
        steps.join("02-deploy"),
    );
    assert!(one.is_dir() && two.is_dir(), "{stdout}");

    // Step 1, CloudFormation: both previous templates with only the bucket (and its policy) moved.
    let previous_service = read(&out, "cloudformation/dev/service.template.json");
    let previous_storage = read(&out, "cloudformation/dev/storage.template.json");
    let service = read(&one, "cloudformation/dev/service.template.json");
    let storage = read(&one, "cloudformation/dev/storage.template.json");
    assert_eq!(
        storage["Resources"]["Store"],
        previous_service["Resources"]["Data"]
    );
    assert!(service["Resources"].get("Data").is_none());
    let mut expected = previous_service["Resources"].as_object().unwrap().clone();
    let moved: Vec<String> = expected
        .keys()
        .filter(|k| k.starts_with("Data"))
        .cloned()
        .collect();
    // The moved bodies are the deployed ones, with what they say of each other under the new ids.
    for k in &moved {
        let body = serde_json::to_string(&expected.shift_remove(k).unwrap())
            .unwrap()
            .replace("\"Data\"", "\"Store\"")
            .replace("${Data.", "${Store.");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            storage["Resources"][format!("Store{}", &k[4..])],
            body,
            "{k}"
        );
    }
    assert_eq!(service["Resources"], Value::Object(expected));
    let mut storage_rest = storage["Resources"].as_object().unwrap().clone();
    storage_rest.retain(|k, _| !k.starts_with("Store"));
    assert_eq!(Value::Object(storage_rest), previous_storage["Resources"]);
    let mappings = read(&one, "refactor/dev/service.json");
    assert_eq!(mappings, read(&one, "refactor/dev/storage.json"));
    assert_eq!(
        mappings[0],
        json!({"Source": {"StackName": "shop-dev-service", "LogicalResourceId": "Data"},
               "Destination": {"StackName": "shop-dev-storage", "LogicalResourceId": "Store"}})
    );
    assert_eq!(mappings.as_array().unwrap().len(), moved.len());
    let definitions = read(&one, "refactor/dev/service.definitions.json");
    let names: Vec<&str> = definitions
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["StackName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["shop-dev-service", "shop-dev-storage"]);

    // Step 1, Terraform: the desired modules and the state move script, every block of the bucket.
    let script =
        String::from_utf8(std::fs::read(one.join("move/dev/service-to-storage.sh")).unwrap())
            .unwrap();
    assert!(
        script.contains("from=terraform/dev/service\nto=terraform/dev/storage\n"),
        "{script}"
    );
    assert!(
        script.contains(
            "terraform -chdir=\"$from\" state rm aws_s3_bucket.data\nterraform -chdir=\"$to\" import -input=false aws_s3_bucket.store \"$id_0\""
        ),
        "{script}"
    );
    assert!(
        script.contains("id_0=$(id_of aws_s3_bucket data id)"),
        "{script}"
    );
    assert!(
        script.contains("aws_s3_bucket_versioning.data_versioning"),
        "{script}"
    );
    // It initializes both modules first (it runs before the deploy's `init`), then only moves state:
    // every other command is a state read, a `state rm` or an `import`.
    assert!(
        script.contains(
            "to=terraform/dev/storage\n\
             terraform -chdir=\"$from\" init -input=false\n\
             terraform -chdir=\"$to\" init -input=false\n\
             state=$(terraform -chdir=\"$from\" state pull)\n"
        ),
        "{script}"
    );
    for line in script.lines().filter(|l| l.starts_with("terraform ")) {
        assert!(
            line.ends_with(" init -input=false")
                || line.contains(" state rm ")
                || line.contains(" import -input=false "),
            "{line}"
        );
    }
    assert_eq!(script.matches(" state rm ").count(), 7, "{script}");
    assert_eq!(
        read(&one, "terraform/dev/storage/main.tf.json"),
        read(&two, "terraform/dev/storage/main.tf.json")
    );

    // `list` of step 1: one refactor for both templates, the script before the Terraform applies.
    let one_s = one.to_str().unwrap();
    let (code, list, stderr) = run(&after, &["list", "--out", one_s]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!list.contains("aws cloudformation deploy"), "{list}");
    assert!(list.contains("--enable-stack-creation"), "{list}");
    assert!(
        list.contains(&format!("before applying (once, for both stacks it names; it runs their `terraform init` itself): bash {one_s}/move/dev/service-to-storage.sh\n      deploy: terraform")),
        "{list}"
    );
    // From step 1, what remains deploys in one step with nothing replaced or destroyed.
    let (_, rest) = plan(&after, &one);
    assert!(
        !rest.contains("needs") && !rest.contains("DEPLOY WILL FAIL"),
        "{rest}"
    );
    assert!(
        !rest.contains("- destroy") && !rest.contains("replace "),
        "{rest}"
    );
}

#[test]
fn synth_of_a_move_warns_that_its_tree_deployed_in_one_go_deletes_the_moved_resource() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_s = out.to_str().unwrap();
    let (code, _, stderr) = run(&bucket_in(false), &["synth", "--out", out_s]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(&bucket_in(true), &["synth", "--out", out_s]);
    assert_eq!(code, 0, "{stderr}");
    for (target, old, new, path) in [
        (
            "cloudformation",
            "Data",
            "Store",
            "cloudformation/dev/service.template.json",
        ),
        (
            "terraform",
            "aws_s3_bucket.data",
            "aws_s3_bucket.store",
            "terraform/dev/service/main.tf.json",
        ),
    ] {
        let expected = format!(
            "warning: dev ({target}): `{new}` of stack `storage` is declared moved from `{old}` of stack \
             `service` (at crates/stackwright/tests/steps.rs:"
        );
        assert!(stderr.contains(&expected), "{expected}\n{stderr}");
        let expected = format!(
            "which the previous tree still deploys ({path}): this tree, deployed in one go over it, \
             deletes the deployed one (or, if its policy retains it, leaves it in no stack) and creates \
             `{new}` anew; deploy the steps `synth --steps` writes instead (this tree is their last)"
        );
        assert!(stderr.contains(&expected), "{expected}\n{stderr}");
    }
    // Once `out/` is that tree, nothing more is moved away.
    let (code, _, stderr) = run(&bucket_in(true), &["synth", "--out", out_s]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("declared moved"), "{stderr}");
}

/// A security group in `service`, or moved to `storage` still in `service`'s VPC.
fn group_in(moved: bool) -> App<()> {
    App::new("shop")
        .environment(Environment::new("dev", "123456789012", "eu-west-1", ()))
        .stacks(move |stacks, _| {
            let vpc = stacks.stack("service", |s| {
                let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
                if !moved {
                    s.add(ec2::SecurityGroup::new("Web", &vpc, "web"));
                }
                vpc
            });
            stacks.stack("storage", |s| {
                s.add(ec2::Vpc::new("Own", "10.1.0.0/16"));
                if moved {
                    s.add(ec2::SecurityGroup::new("Web", &vpc, "web").moved_from("service", "Web"));
                }
            });
        })
}

#[test]
fn a_move_no_stack_refactor_can_make_is_refused_by_plan_and_by_synth_steps_where_it_is_declared() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_s = out.to_str().unwrap();
    let (code, _, stderr) = run(&group_in(false), &["synth", "--out", out_s]);
    assert_eq!(code, 0, "{stderr}");
    let why = "dev: `Web` moves from `service` to `storage` (moved_from at crates/stackwright/tests/steps.rs:";
    let advice = "but refers to `Vpc`, which stays in `service`: a stack refactor cannot change references, \
                  so `synth --steps` cannot move it; move `Vpc` too (moved_from on it as well), or keep \
                  `Web` in `service`";
    let (_, text, stderr) = run(&group_in(true), &["plan", "--against", out_s]);
    assert!(
        text.contains(why) && text.contains(advice),
        "{text}{stderr}"
    );
    // No CloudFormation step is promised; the Terraform state move is still one.
    assert!(!text.contains("stack refactor (`aws"), "{text}");
    assert!(
        text.contains("this change needs 1 step (move between stacks)"),
        "{text}"
    );
    let (code, stdout, stderr) = run(&group_in(true), &["synth", "--steps", "--out", out_s]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stderr.starts_with(&format!("error: {why}")) && stderr.contains(advice),
        "{stderr}"
    );
    assert!(!scratch.path().join("steps").exists());
}

#[test]
fn a_move_whose_source_is_not_deployed_is_planned_as_an_addition_with_a_warning() {
    let before = bucket_in(false);
    let after = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "eu-west-1", ()))
        .stacks(move |stacks, _| {
            stacks.stack("storage", |s| {
                s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
                s.add(stackwright::aws::s3::Bucket::new("Store").moved_from("service", "Missing"));
            });
            stacks.stack("service", |s| {
                s.add(ec2::Vpc::new("OwnVpc", "10.1.0.0/16"));
                s.add(stackwright::aws::s3::Bucket::new("Data"));
            });
        });
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_s = out.to_str().unwrap();
    let (code, _, stderr) = run(&before, &["synth", "--out", out_s]);
    assert_eq!(code, 0, "{stderr}");
    let (_, plan, _) = run(&after, &["plan", "--against", out_s]);
    assert!(
        plan.contains("declared moved from `Missing` of stack `service` (at crates/stackwright/tests/steps.rs:"),
        "{plan}"
    );
    assert!(
        plan.contains(
            "but the deployed `service` has no `Missing`: it is created as a new resource"
        ),
        "{plan}"
    );
    assert!(!plan.contains("needs"), "{plan}");
}

#[test]
fn a_bad_moved_from_is_a_located_error() {
    let app = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "eu-west-1", ()))
        .stacks(move |stacks, _| {
            stacks.stack("storage", |s| {
                s.add(ec2::Vpc::new("A", "10.0.0.0/16").moved_from("storage", "Old"));
                s.add(ec2::Vpc::new("B", "10.1.0.0/16").moved_from("not valid", "Old"));
                s.add(ec2::Vpc::new("F", "10.5.0.0/16").moved_from("Bad_Stack", "Old"));
                s.add(ec2::Vpc::new("G", "10.6.0.0/16").moved_from("bad_stack", "Old"));
                s.add(ec2::Vpc::new("H", "10.7.0.0/16").moved_from("service", ""));
                s.add(ec2::Vpc::new("C", "10.2.0.0/16").moved_from("service", "Old"));
                s.add(ec2::Vpc::new("D", "10.3.0.0/16").moved_from("service", "Old"));
                s.add(
                    ec2::Vpc::new("E", "10.4.0.0/16")
                        .moved_from("service", "Other")
                        .renamed_from("Other"),
                );
            });
        });
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, _, stderr) = run(&app, &["synth", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    for expected in [
        "`A` is moved from stack `storage`, the stack that declares it: within one stack, use renamed_from(\"Old\")",
        "invalid stack `not valid` in moved_from: expected only lowercase ASCII letters, digits and `-`, found ` `",
        "`C` and `D` are both moved from `Old` of stack `service`: only one resource can take it over",
        "`E` declares both renamed_from and moved_from: a moved resource's old id is the one moved_from \
         names; remove renamed_from",
        // A stack name is lowercase letters, digits and `-` (`ids::validate_name`).
        "invalid stack `Bad_Stack` in moved_from: expected it to start with a lowercase ASCII letter, found `B`",
        "invalid stack `bad_stack` in moved_from: expected only lowercase ASCII letters, digits and `-`, found `_`",
        "invalid old id `` in moved_from: expected a non-empty id",
    ] {
        // Each is located where its resource is declared.
        let located = format!("error: {expected}\n  --> crates/stackwright/tests/steps.rs:");
        assert!(stderr.contains(&located), "{located}\n{stderr}");
    }
}
