//! Declared targets (`.targets(..)` of an app, environment or stack) and target parity warnings: what a
//! stack compiled for both targets gives one of them only.

use crate::support::{fails, line_below, map, one_stack, run};
use serde_json::Value;
use stackwright::aws::autoscaling::{AutoScalingGroup, UpdatePolicy};
use stackwright::aws::{ec2, sns};
use stackwright::prelude::*;
use stackwright::synth::{synthesize, Request};
use stackwright::{cfn, tf};
use stackwright_aws_generated::events;

fn two_environments() -> App<()> {
    App::new("demo")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(Environment::new("prod", "210987654321", "eu-west-1", ()))
}

fn manifest(out: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

fn paths(manifest: &Value) -> Vec<String> {
    manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn declared_targets_need_no_flag_and_the_manifest_records_them() {
    let app = App::new("demo")
        .targets([Target::Terraform])
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stack("main", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        });
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    let (code, stdout, stderr) = run(&app, &["synth", "--out", out_arg]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let manifest = manifest(&out);
    assert_eq!(paths(&manifest), ["terraform/dev/main/main.tf.json"]);
    assert_eq!(
        manifest["artifacts"][0]["targets"],
        serde_json::json!(["terraform"])
    );
    assert!(!out.join("cloudformation").exists());
    // `list`, `synth --check` and `plan` need no flag either.
    let (code, listed, stderr) = run(&app, &["list", "--out", out_arg]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        listed.contains("terraform/dev/main/main.tf.json"),
        "{listed}"
    );
    assert!(!listed.contains("cloudformation"), "{listed}");
    let (code, stdout, stderr) = run(&app, &["synth", "--check", "--out", out_arg]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, stdout, stderr) = run(&app, &["plan", "--against", out_arg]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // The pure API: the default request gives each stack its declared targets.
    let synthesis = synthesize(&app, &Request::default()).unwrap();
    let targets: Vec<Target> = synthesis.artifacts.iter().map(|a| a.target).collect();
    assert_eq!(targets, [Target::Terraform]);
    assert_eq!(
        synthesis.artifacts[0].targets,
        Some(vec![Target::Terraform])
    );
}

#[test]
fn a_stack_undeclared_keeps_every_target_and_the_manifest_its_bytes() {
    let app = one_stack(|s| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    });
    let synthesis = synthesize(&app, &Request::default()).unwrap();
    assert_eq!(synthesis.artifacts.len(), 2);
    assert!(synthesis.artifacts.iter().all(|a| a.targets.is_none()));
    let manifest = String::from_utf8(synthesis.manifest.clone()).unwrap();
    assert!(!manifest.contains("\"targets\""), "{manifest}");
}

#[test]
fn a_target_no_selected_stack_declares_is_an_error_naming_the_declaration() {
    let at = line_below(4);
    let app = App::new("demo")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stack("main", |s, _| {
            s.targets([Target::Terraform]);
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        });
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, _, stderr) = run(
        &app,
        &[
            "synth",
            "--target",
            "cloudformation",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    for fragment in [
        "`--target cloudformation` selects no stack",
        "`.targets(terraform)` of the stack at",
        &at,
        "in environment `dev`, stack `main`",
    ] {
        assert!(
            stderr.contains(fragment),
            "missing `{fragment}` in:\n{stderr}"
        );
    }
    assert!(!out.exists());
}

#[test]
fn a_target_some_selected_stacks_declare_skips_the_others_and_says_so() {
    let app = one_stack(|s| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    })
    .stack("edge", |s, _| {
        s.targets([Target::Terraform]);
        s.add(ec2::Vpc::new("Edge", "10.1.0.0/16"));
    });
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, stdout, stderr) = run(
        &app,
        &[
            "synth",
            "--target",
            "cloudformation",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        paths(&manifest(&out)),
        ["cloudformation/dev/main.template.json"]
    );
    assert!(
        stdout.contains("not compiled for the `--target` asked for")
            && stdout.contains("dev/edge (cloudformation: `.targets(terraform)` of the stack at"),
        "{stdout}"
    );
}

#[test]
fn a_declaration_wider_than_the_one_around_it_is_a_located_error() {
    let at = line_below(6);
    let app = App::new("demo")
        .environment(
            Environment::new("dev", "123456789012", "us-west-2", ()).targets([Target::Terraform]),
        )
        .stack("main", |s, _| {
            s.targets([Target::CloudFormation, Target::Terraform]);
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        });
    fails(
        &app,
        &[
            "the stack declares target cloudformation that its environment does not have",
            "`.targets(terraform)` of the environment at",
            &at,
        ],
    );
    // Narrower is fine.
    let app = App::new("demo")
        .targets([Target::CloudFormation, Target::Terraform])
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stack("main", |s, _| {
            s.targets([Target::CloudFormation]);
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        });
    let synthesis = synthesize(&app, &Request::default()).unwrap();
    assert_eq!(synthesis.artifacts.len(), 1);
    assert_eq!(synthesis.artifacts[0].target, Target::CloudFormation);
    // An environment wider than its app, and a declaration of nothing.
    let app = App::new("demo")
        .targets([Target::CloudFormation])
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()).targets(Target::ALL))
        .stack("main", |s, _| {
            s.targets([]);
        });
    fails(
        &app,
        &[
            "the environment declares target terraform that its app does not have",
            "the stack declares no target (`.targets([])`)",
        ],
    );
}

#[test]
fn an_override_for_a_target_the_stack_does_not_declare_is_a_located_error() {
    let at = line_below(5);
    let app = one_stack(|s| {
        s.targets([Target::Terraform]);
        s.add(
            ec2::Vpc::new("Vpc", "10.0.0.0/16")
                .override_cloudformation("Properties.EnableDnsHostnames", false),
        );
    });
    fails(
        &app,
        &[
            "override of `Properties.EnableDnsHostnames` for cloudformation in a stack compiled for terraform only",
            "it would never apply",
            &at,
        ],
    );
}

#[test]
fn a_terraform_only_raw_resource_is_fine_in_a_stack_that_declares_terraform() {
    let app = one_stack(|s| {
        s.targets([Target::Terraform]);
        s.add(
            tf::Raw::new(
                "Zones",
                "aws_availability_zones",
                map(&[("state", "available".into())]),
            )
            .data_source(),
        );
    });
    let synthesis = synthesize(&app, &Request::default()).unwrap();
    assert_eq!(synthesis.artifacts.len(), 1);
    // Undeclared, the error says to declare the targets.
    let app = one_stack(|s| {
        s.add(cfn::Raw::new("Alerts", "AWS::SNS::Topic", map(&[])));
    });
    fails(&app, &["`.targets([Target::CloudFormation])`"]);
}

/// The auto scaling port: a rolling update and a creation policy given to CloudFormation only, by
/// override, on the group, in two environments.
fn fleet(ami: &'static str) -> App<()> {
    two_environments().stack("main", move |s, _| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let subnet = s.add(ec2::Subnet::new("Subnet", &vpc, "10.0.0.0/24"));
        let template = s.add(ec2::LaunchTemplate::new("App", ami, "t3.small"));
        s.add(
            AutoScalingGroup::new("Fleet", &template, [&subnet], 1, 4)
                .override_cloudformation(
                    "UpdatePolicy.AutoScalingRollingUpdate",
                    map(&[("MaxBatchSize", 1i64.into())]),
                )
                .override_cloudformation(
                    "CreationPolicy.ResourceSignal",
                    map(&[("Count", 1i64.into())]),
                ),
        );
    })
}

#[test]
fn the_auto_scaling_case_warns_at_synth_once_per_cause() {
    let app = fleet("ami-12345678");
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, _, stderr) = run(&app, &["synth", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    for fragment in [
        "warning: `UpdatePolicy` is given to CloudFormation only (override)",
        "does not replace the running instances (no instance refresh)",
        "`.accept_finding(\"SW_PARITY_UPDATE_POLICY\", reason)`",
        "warning: `CreationPolicy` is given to CloudFormation only (override)",
        "Terraform does not wait for the instances' success signals",
        "in environments `dev`, `prod`, stack `main`, resource `Fleet`",
    ] {
        assert!(
            stderr.contains(fragment),
            "missing `{fragment}` in:\n{stderr}"
        );
    }
    // Once per cause, not once per environment.
    assert_eq!(
        stderr.matches("`UpdatePolicy` is given").count(),
        1,
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("`CreationPolicy` is given").count(),
        1,
        "{stderr}"
    );
    // The pure API carries them too.
    let synthesis = synthesize(&app, &Request::default()).unwrap();
    assert_eq!(synthesis.warnings.len(), 2, "{:#?}", synthesis.warnings);
}

#[test]
fn the_auto_scaling_case_warns_in_plan_in_every_format() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    let (code, _, stderr) = run(&fleet("ami-12345678"), &["synth", "--out", out_arg]);
    assert_eq!(code, 0, "{stderr}");
    let note = "Terraform: the instances keep the old launch template: no instance refresh";
    let changed = fleet("ami-87654321");
    for format in ["human", "markdown", "json"] {
        let (code, stdout, stderr) = run(
            &changed,
            &["plan", "--against", out_arg, "--format", format],
        );
        assert_eq!(code, 2, "{stdout}{stderr}");
        assert!(
            stdout.contains(note),
            "{format}: missing the note in:\n{stdout}"
        );
        assert!(
            stderr.contains("warning: `UpdatePolicy` is given to CloudFormation only"),
            "{stderr}"
        );
    }
    let (_, json, _) = run(
        &changed,
        &["plan", "--against", out_arg, "--format", "json"],
    );
    let plan: Value = serde_json::from_str(&json).unwrap();
    let stacks = plan["stacks"].as_array().unwrap();
    for stack in stacks {
        let fleet = stack["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["address"] == "aws_autoscaling_group.fleet" || r["address"] == "Fleet")
            .unwrap_or_else(|| panic!("no fleet in {stack:#}"));
        let warnings = fleet["warnings"].to_string();
        // On the Terraform group only: CloudFormation has the policy.
        assert_eq!(
            warnings.contains("no instance refresh"),
            stack["target"] == "terraform",
            "{stack:#}"
        );
    }
}

#[test]
fn an_accepted_parity_warning_is_silent_and_reaches_no_artifact() {
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let subnet = s.add(ec2::Subnet::new("Subnet", &vpc, "10.0.0.0/24"));
        let template = s.add(ec2::LaunchTemplate::new("App", "ami-12345678", "t3.small"));
        s.add(
            AutoScalingGroup::new("Fleet", &template, [&subnet], 1, 4)
                .override_cloudformation(
                    "UpdatePolicy.AutoScalingRollingUpdate",
                    map(&[("MaxBatchSize", 1i64.into())]),
                )
                .accept_finding(
                    "SW_PARITY_UPDATE_POLICY",
                    "the Terraform deployment is a test copy, replaced whole",
                ),
        );
    });
    let synthesis = synthesize(&app, &Request::default()).unwrap();
    assert!(synthesis.warnings.is_empty(), "{:#?}", synthesis.warnings);
    for artifact in &synthesis.artifacts {
        let text = String::from_utf8_lossy(&artifact.bytes);
        assert!(!text.contains("SW_PARITY"), "{}: {text}", artifact.path);
    }
    // A made-up id is refused, as a malformed checkov id is.
    let app = one_stack(|s| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16").accept_finding("SW_PARITY_TYPO", "why"));
    });
    fails(
        &app,
        &["accepted finding `SW_PARITY_TYPO`: expected a checkov check id like `CKV_AWS_130`, or a target parity warning id"],
    );
}

/// The warnings of an app's synthesis, as text.
fn warnings<C>(app: &App<C>) -> Vec<String> {
    synthesize(app, &Request::default())
        .unwrap_or_else(|p| panic!("{p:#?}"))
        .warnings
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_one_target_property_override_warns() {
    let at = line_below(2);
    let app = one_stack(|s| {
        s.add(sns::Topic::new("Alerts").override_cloudformation("Properties.FifoTopic", true));
    });
    let found = warnings(&app);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("`Properties.FifoTopic` is overridden for CloudFormation only")
            && found[0].contains("SW_PARITY_OVERRIDE")
            && found[0].contains(&at[..at.len() - 1]),
        "{found:#?}"
    );
    // Both targets overridden: the user gave each its own.
    let app = one_stack(|s| {
        s.add(
            sns::Topic::new("Alerts")
                .override_cloudformation("Properties.FifoTopic", true)
                .override_terraform("fifo_topic", true),
        );
    });
    assert!(warnings(&app).is_empty());
    // A stack compiled for one target has no parity to keep.
    let app = one_stack(|s| {
        s.targets([Target::CloudFormation]);
        s.add(sns::Topic::new("Alerts").override_cloudformation("Properties.FifoTopic", true));
    });
    assert!(warnings(&app).is_empty());
}

#[test]
fn one_target_metadata_warns() {
    let app = one_stack(|s| {
        s.add(
            ec2::Instance::new("Web", "ami-12345678", "t3.micro").override_cloudformation(
                "Metadata.AWS::CloudFormation::Init",
                map(&[("config", map(&[]))]),
            ),
        );
    });
    let found = warnings(&app);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("`Metadata` is given to CloudFormation only")
            && found[0].contains("SW_PARITY_METADATA"),
        "{found:#?}"
    );
}

#[test]
fn a_one_target_order_warns_for_either_target() {
    let app =
        one_stack(|s| {
            s.add(sns::Topic::new("First"));
            s.add(sns::Topic::new("Second").override_terraform(
                "depends_on",
                stackwright::Value::List(vec!["aws_sns_topic.first".into()]),
            ));
            s.add(sns::Topic::new("Third").override_cloudformation(
                "DependsOn",
                stackwright::Value::List(vec!["First".into()]),
            ));
        });
    let found = warnings(&app);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].contains("`depends_on` is given to Terraform only")
            && found[0].contains("resource `Second`")
            && found[0].contains("SW_PARITY_DEPENDS_ON"),
        "{found:#?}"
    );
    assert!(
        found[1].contains("`DependsOn` is given to CloudFormation only")
            && found[1].contains("resource `Third`"),
        "{found:#?}"
    );
}

#[test]
fn a_registry_type_lowered_to_awscc_warns_that_nothing_checks_it_here() {
    let at = line_below(2);
    let app = one_stack(|s| {
        s.add(events::Connection::new("Conn"));
    });
    let found = warnings(&app);
    assert_eq!(found.len(), 1, "{found:#?}");
    for fragment in [
        "`AWS::Events::Connection` reaches Terraform as `awscc_events_connection`, Cloud Control's resource",
        "not a hashicorp/aws `aws_*` one",
        "`terraform validate` and checkov cannot check it here",
        "SW_PARITY_AWSCC",
        &at[..at.len() - 1],
    ] {
        assert!(found[0].contains(fragment), "missing `{fragment}` in {found:#?}");
    }
    let accepted = one_stack(|s| {
        s.add(events::Connection::new("Conn").accept_finding("SW_PARITY_AWSCC", "checked by hand"));
    });
    assert!(warnings(&accepted).is_empty());
}

#[test]
fn a_stack_that_drops_a_target_keeps_its_artifact_until_torn_down() {
    let both = one_stack(|s| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    });
    let terraform = one_stack(|s| {
        s.targets([Target::Terraform]);
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    });
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    assert_eq!(run(&both, &["synth", "--out", out_arg]).0, 0);
    let (code, stdout, stderr) = run(&terraform, &["synth", "--out", out_arg]);
    assert_eq!(code, 0, "{stderr}");
    let manifest = manifest(&out);
    let cfn = &manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["target"] == "cloudformation")
        .unwrap_or_else(|| panic!("the template was dropped: {stdout}"));
    assert_eq!(cfn["removed"], true, "{manifest:#}");
    // `plan` shows its teardown; `--destroyed` stops keeping it.
    let (_, plan, _) = run(
        &terraform,
        &["plan", "--against", out_arg, "--format", "json"],
    );
    assert!(plan.contains("\"removed\""), "{plan}");
    let (code, _, stderr) = run(
        &terraform,
        &["synth", "--destroyed", "dev/main", "--out", out_arg],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        paths(&self::manifest(&out)),
        ["terraform/dev/main/main.tf.json"]
    );
}

/// 170 VPCs with an internet gateway each: 510 CloudFormation resources, over the template quota.
fn over_quota(declare: bool) -> App<()> {
    one_stack(move |s| {
        if declare {
            s.targets([Target::Terraform]);
        }
        for i in 0..170 {
            let vpc = s.add(ec2::Vpc::new(format!("Vpc{i}"), "10.0.0.0/16"));
            s.add(ec2::InternetGateway::new(format!("Gateway{i}"), &vpc));
        }
    })
}

#[test]
fn a_stack_over_cloudformations_quota_is_fixed_by_declaring_terraform() {
    fails(
        &over_quota(false),
        &[
            "510 CloudFormation resources in stack `main`",
            "declare the stack's targets (`stack.targets([Target::Terraform])`): `synth`, `plan` and `list` \
             then need no flag",
        ],
    );
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    let app = over_quota(true);
    for command in [
        &["synth", "--out", out_arg][..],
        &["synth", "--check", "--out", out_arg],
        &["list", "--out", out_arg],
        &["plan", "--against", out_arg],
    ] {
        let (code, stdout, stderr) = run(&app, command);
        assert_eq!(code, 0, "{command:?}: {stdout}{stderr}");
    }
}

#[test]
fn list_json_gives_the_declared_targets_and_ci_needs_no_target_when_they_are_one() {
    let app = App::new("demo")
        .targets([Target::Terraform])
        .environment(
            Environment::new("dev", "123456789012", "us-west-2", ()).terraform_backend(
                stackwright::terraform::Backend::S3 {
                    bucket: "demo-state".into(),
                    region: "us-west-2".into(),
                    key: None,
                    dynamodb_table: None,
                },
            ),
        )
        .stack("main", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        });
    let out = "out-targets-test-never-written";
    let (code, listing, stderr) = run(&app, &["list", "--format", "json", "--out", out]);
    assert_eq!(code, 0, "{stderr}");
    let listing: Value = serde_json::from_str(&listing).unwrap();
    assert_eq!(
        listing["artifacts"][0]["targets"],
        serde_json::json!(["terraform"])
    );
    let root = tempfile::tempdir().unwrap();
    let root_arg = root.path().to_str().unwrap();
    let (code, stdout, stderr) = run(&app, &["ci", "--out", out, "--root", root_arg]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let workflow =
        std::fs::read_to_string(root.path().join(".github/workflows/stackwright.yml")).unwrap();
    assert!(workflow.contains("plan --target terraform"), "{workflow}");
    let (code, stdout, stderr) = run(&app, &["ci", "--check", "--out", out, "--root", root_arg]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // Stacks of both targets deploy with one engine only: `ci` asks which.
    let both = one_stack(|s| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    });
    let root = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(
        &both,
        &["ci", "--out", out, "--root", root.path().to_str().unwrap()],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("pass `--target cloudformation` or `--target terraform`"),
        "{stderr}"
    );
}

#[test]
fn a_removal_in_one_target_is_a_plain_one_target_override() {
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let subnet = s.add(ec2::Subnet::new("Subnet", &vpc, "10.0.0.0/24"));
        let template = s.add(ec2::LaunchTemplate::new("App", "ami-12345678", "t3.small"));
        s.add(
            AutoScalingGroup::new("Fleet", &template, [&subnet], 1, 4)
                .update_policy(UpdatePolicy::Replacing)
                .remove_cloudformation("UpdatePolicy"),
        );
    });
    let found = warnings(&app);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("`UpdatePolicy` is overridden for CloudFormation only")
            && found[0].contains("SW_PARITY_OVERRIDE"),
        "{found:#?}"
    );
}

/// A stack compiled for both targets cannot read a handle of a stack compiled for Terraform only: its
/// CloudFormation template would import an export no CloudFormation stack makes. One located error at the
/// use, naming both declarations; a consumer declared like its producer is fine.
#[test]
fn a_stack_cannot_use_a_handle_of_a_stack_without_one_of_its_targets() {
    let at = line_below(9);
    let app = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stacks(|stacks, _| {
            let vpc = stacks.stack("network", |s| {
                s.targets([Target::Terraform]);
                s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"))
            });
            stacks.stack("service", |s| {
                s.add(ec2::SecurityGroup::new("Web", &vpc, "web"));
            });
        });
    let stderr = fails(
        &app,
        &[
            "`Web` uses a resource attribute of stack `network`, which is compiled for terraform only \
             (`.targets(terraform)` of the stack at",
            "but this stack is compiled for cloudformation, terraform (undeclared: both): its cloudformation \
             artifact would read a value that no cloudformation stack produces",
            &at,
        ],
    );
    assert!(
        stderr.contains("1 problem"),
        "one mistake, one error: {stderr}"
    );
    let app = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .stacks(|stacks, _| {
            let vpc = stacks.stack("network", |s| {
                s.targets([Target::Terraform]);
                s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"))
            });
            stacks.stack("service", |s| {
                s.targets([Target::Terraform]);
                s.add(ec2::SecurityGroup::new("Web", &vpc, "web"));
            });
        });
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, stdout, stderr) = run(&app, &["synth", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}
