//! StackSets through the facade: a fleet's members compile to one template, and a property that differs
//! between them is an error at the line that declared the resource.

use crate::support::{line_below, run};
use serde_json::json;
use stackwright::aws::ec2;
use stackwright::stackset::{
    stack_set, DeploymentTarget, Fleet, Member, OperationPreferences, Permissions,
};
use stackwright::synth::{ArtifactPath, Target};
use stackwright::{App, Environment, Stack};

struct Net {
    cidr: &'static str,
}

fn edge(stack: &mut Stack, env: &Environment<Net>) {
    stack.add(ec2::Vpc::new("Vpc", env.config().cidr));
}

/// `ours` and `theirs` in two regions, and `office`, which is not a member.
fn app(theirs: &'static str) -> App<Net> {
    App::new("shop")
        .environment(Environment::new(
            "ours",
            "111111111111",
            "us-west-2",
            Net {
                cidr: "10.0.0.0/16",
            },
        ))
        .environment(Environment::new(
            "theirs",
            "222222222222",
            "eu-west-1",
            Net { cidr: theirs },
        ))
        .environment(Environment::new(
            "office",
            "333333333333",
            "us-east-1",
            Net {
                cidr: "10.9.0.0/16",
            },
        ))
        .stack("edge", edge)
}

fn fleet() -> Fleet {
    Fleet {
        name: "edge".into(),
        stack: "edge".into(),
        administrator: "office".into(),
        members: ["ours", "theirs"]
            .map(|environment| Member {
                environment: environment.into(),
                target: DeploymentTarget::Account,
            })
            .to_vec(),
        permissions: Permissions::SelfManaged {
            administration_role_arn: None,
            execution_role_name: Some("stackwright-execution".into()),
        },
        preferences: OperationPreferences::default(),
    }
}

#[test]
fn members_that_differ_only_by_identity_share_one_template() {
    let set = stack_set(&app("10.0.0.0/16"), &fleet()).unwrap_or_else(|p| panic!("{p:#?}"));
    let vpc = &set.template["Resources"]["Vpc"]["Properties"];
    assert_eq!(vpc["CidrBlock"], "10.0.0.0/16");
    let environment_tag = vpc["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["Value"] == json!({ "Fn::Sub": "${StackwrightEnvironment}" }));
    assert!(environment_tag.is_some(), "{vpc:#}");
    let p = &set.administration["Resources"]["StackSet"]["Properties"];
    assert_eq!(p["PermissionModel"], "SELF_MANAGED");
    assert_eq!(p["ExecutionRoleName"], "stackwright-execution");
    assert_eq!(
        p["StackInstancesGroup"][1]["DeploymentTargets"],
        json!({ "Accounts": ["222222222222"] })
    );
    assert_eq!(
        p["OperationPreferences"]["RegionOrder"],
        json!(["us-west-2", "eu-west-1"])
    );
}

#[test]
fn a_property_that_differs_between_members_is_an_error_where_it_was_declared() {
    let at = line_below(2);
    fn edge_here(stack: &mut Stack, env: &Environment<Net>) {
        stack.add(ec2::Vpc::new("Vpc", env.config().cidr));
    }
    let differing = App::new("shop")
        .environment(Environment::new(
            "ours",
            "111111111111",
            "us-west-2",
            Net {
                cidr: "10.0.0.0/16",
            },
        ))
        .environment(Environment::new(
            "theirs",
            "222222222222",
            "eu-west-1",
            Net {
                cidr: "10.1.0.0/16",
            },
        ))
        .stack("edge", edge_here);
    let administered = Fleet {
        administrator: "ours".into(),
        ..fleet()
    };
    let problems = stack_set(&differing, &administered).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let d = &problems[0];
    assert!(
        d.message.starts_with(
            "fleet `edge`: environments `ours` and `theirs` get different templates of stack `edge` at resource \
             `Vpc` (AWS::EC2::VPC), property `CidrBlock`: \"10.0.0.0/16\" in `ours`, \"10.1.0.0/16\" in \
             `theirs`; a stack set deploys one template to every instance: make the value a parameter"
        ),
        "{}",
        d.message
    );
    let location = d.location.expect("located");
    assert!(
        at.starts_with(&format!("{}:{}:", location.file(), location.line())),
        "{at} vs {location}"
    );
    // The same fleet with equal config compiles (the app above differs only there).
    assert!(stack_set(&app("10.0.0.0/16"), &fleet()).is_ok());
}

/// A member that targets an organizational unit deploys the same template and parameters to each of its
/// accounts: a bucket name without the account would be taken by the first account only.
#[test]
fn a_global_name_without_the_account_in_an_organizational_unit_is_an_error() {
    use stackwright::aws::s3;
    fn logs(stack: &mut Stack, _: &Environment<Net>) {
        stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        stack.add(s3::Bucket::new("Logs").name("logs"));
    }
    let unit_fleet = |members: &[&str]| Fleet {
        name: "edge".into(),
        stack: "edge".into(),
        administrator: "ours".into(),
        members: members
            .iter()
            .map(|environment| Member {
                environment: (*environment).into(),
                target: DeploymentTarget::OrganizationalUnit("ou-ab12-cdefgh34".into()),
            })
            .collect(),
        permissions: Permissions::ServiceManaged {
            auto_deployment: None,
            delegated_admin: false,
        },
        preferences: OperationPreferences::default(),
    };
    let app = |pattern: &str| {
        App::new("shop")
            .naming(pattern)
            .environment(Environment::new(
                "ours",
                "111111111111",
                "us-west-2",
                Net {
                    cidr: "10.0.0.0/16",
                },
            ))
            .stack("edge", logs)
    };
    let problems = stack_set(&app("{app}-{env}-{name}"), &unit_fleet(&["ours"])).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let d = &problems[0];
    assert!(
        d.message.starts_with(
            "fleet `edge`: member `ours` deploys aws.s3.Bucket named `shop-ours-logs` to every account of \
             organizational unit `ou-ab12-cdefgh34`"
        ),
        "{}",
        d.message
    );
    assert!(d
        .message
        .contains("Put `{account}` in the app's naming pattern"));
    assert_eq!(d.resource.as_deref(), Some("Logs"));
    let location = d.location.expect("located at the bucket's declaration");
    assert!(location.file().ends_with("stackset.rs"), "{location}");
    // With the account in the name, every account gets its own bucket.
    stack_set(&app("{app}-{env}-{account}-{name}"), &unit_fleet(&["ours"]))
        .unwrap_or_else(|p| panic!("{p:#?}"));
}

/// `app` with `fleet()` declared on it: `ours` and `theirs` deploy stack `edge` through a stack set that
/// `office` administers.
fn declared(theirs: &'static str) -> App<Net> {
    use stackwright::stackset::StackSets;
    app(theirs).stack_set(fleet())
}

const ADMINISTRATION: &str = "cloudformation/office/edge-stackset.template.json";

fn synth(app: &App<Net>, out: &std::path::Path, extra: &[&str]) -> (u8, String, String) {
    let mut args = vec!["synth", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(app, &args)
}

#[test]
fn synth_writes_a_declared_fleets_administration_stack_and_marks_its_members() {
    let app = declared("10.0.0.0/16");
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, stdout, stderr) = synth(&app, &out, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // The administration stack is what `stack_set` compiles, written as synth writes templates.
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(ADMINISTRATION)).unwrap()).unwrap();
    let set = stack_set(&app, &fleet()).unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(written, set.administration);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let entries = manifest["artifacts"].as_array().unwrap();
    let entry = |path: &str| {
        entries
            .iter()
            .find(|e| e["path"] == path)
            .unwrap_or_else(|| panic!("{path} not in {manifest:#}"))
    };
    let administration = entry(ADMINISTRATION);
    assert_eq!(administration["env"], "office");
    assert_eq!(administration["stack"], "edge-stackset");
    assert_eq!(administration["account"], "333333333333");
    assert_eq!(administration["stack_name"], "shop-office-edge-stackset");
    assert!(administration.get("deployed_by").is_none());
    // In the administrator's place in the manifest: after its own stack's artifacts.
    let position = |path: &str| entries.iter().position(|e| e["path"] == path).unwrap();
    assert_eq!(
        position(ADMINISTRATION),
        position("terraform/office/edge/main.tf.json") + 1
    );
    for member in ["ours", "theirs"] {
        let template = entry(&ArtifactPath::new(Target::CloudFormation, member, "edge").path());
        assert_eq!(template["deployed_by"], ADMINISTRATION, "{template:#}");
        // Terraform rolls the fleet's modules out as any module.
        let module = entry(&ArtifactPath::new(Target::Terraform, member, "edge").path());
        assert!(module.get("deployed_by").is_none(), "{module:#}");
    }
    assert!(entry("cloudformation/office/edge.template.json")
        .get("deployed_by")
        .is_none());
    // The tree checks as written, and the pure synthesis lists the same manifest.
    let (code, stdout, stderr) = synth(&app, &out, &["--check"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let pure = stackwright::synth::synthesize(&app, &Default::default()).unwrap();
    assert_eq!(
        pure.manifest,
        std::fs::read(out.join("manifest.json")).unwrap()
    );
    // `plan` compares the administration stack as any stack: unchanged, then a changed preference.
    let out_arg = out.to_str().unwrap();
    let (code, stdout, stderr) = run(&app, &["plan", "--against", out_arg]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    use stackwright::stackset::{Amount, StackSets};
    let faster = self::app("10.0.0.0/16").stack_set(Fleet {
        preferences: OperationPreferences {
            max_concurrent: Amount::Count(2),
            failure_tolerance: Amount::Count(1),
            ..OperationPreferences::default()
        },
        ..fleet()
    });
    let (code, stdout, stderr) = run(&faster, &["plan", "--against", out_arg]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stdout.contains("edge-stackset") && stdout.contains("MaxConcurrentCount"),
        "{stdout}"
    );
}

#[test]
fn list_and_ci_deploy_the_administration_stack_not_the_members() {
    let app = declared("10.0.0.0/16");
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, listing, stderr) = run(
        &app,
        &[
            "list",
            "--format",
            "json",
            "--target",
            "cloudformation",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let listing: serde_json::Value = serde_json::from_str(&listing).unwrap();
    let artifacts = listing["artifacts"].as_array().unwrap();
    let administration = artifacts
        .iter()
        .find(|a| a["stack"] == "edge-stackset")
        .expect("listed");
    let deploy = administration["deploy"].as_str().unwrap();
    assert!(
        deploy.contains("--stack-name shop-office-edge-stackset")
            && deploy.contains("--region us-east-1"),
        "{deploy}"
    );
    for member in ["ours", "theirs"] {
        let a = artifacts
            .iter()
            .find(|a| a["env"] == member && a["stack"] == "edge")
            .unwrap();
        assert_eq!(a["deploy"], serde_json::Value::Null, "{a:#}");
        assert_eq!(a["deploy_argv"], serde_json::Value::Null, "{a:#}");
        assert_eq!(a["wave"], serde_json::Value::Null, "{a:#}");
        let by = a["deployed_by"].as_str().unwrap();
        assert!(by.ends_with(ADMINISTRATION), "{by}");
    }
    // The human listing says who deploys the members.
    let (code, human, stderr) = run(
        &app,
        &[
            "list",
            "--target",
            "cloudformation",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        human.matches("deployed by stack set: ").count(),
        2,
        "{human}"
    );
    assert_eq!(
        human.matches("deploy: aws cloudformation deploy").count(),
        2,
        "{human}"
    );
    // The pipeline deploys the administration stack (and `office`'s own stack), never a member.
    let root = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(
        &app,
        &[
            "ci",
            "--target",
            "cloudformation",
            "--out",
            "out-stackset-test-never-written",
            "--root",
            root.path().to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let workflow =
        std::fs::read_to_string(root.path().join(".github/workflows/stackwright.yml")).unwrap();
    assert!(
        workflow.contains("--stack-name shop-office-edge-stackset"),
        "{workflow}"
    );
    assert!(
        workflow.contains("--stack-name shop-office-edge "),
        "{workflow}"
    );
    for member in ["ours", "theirs"] {
        assert!(
            !workflow.contains(&format!("--stack-name shop-{member}-edge")),
            "{workflow}"
        );
    }
}

#[test]
fn an_unknown_administrator_is_an_error_at_the_fleets_declaration() {
    use stackwright::stackset::StackSets;
    let at = line_below(1);
    let app = app("10.0.0.0/16").stack_set(Fleet {
        administrator: "ofice".into(),
        ..fleet()
    });
    let stderr = crate::support::fails(
        &app,
        &["fleet `edge`: its administrator `ofice` is not an environment of the app: expected one of ours, theirs, office"],
    );
    assert!(stderr.contains(&at), "{at} in {stderr}");
    // `stack_set` says the same.
    let problems = stack_set(
        &app,
        &Fleet {
            administrator: "ofice".into(),
            ..fleet()
        },
    )
    .unwrap_err();
    assert!(
        problems[0]
            .message
            .contains("its administrator `ofice` is not an environment"),
        "{problems:#?}"
    );
}

#[test]
fn a_difference_between_members_fails_synth_where_it_was_declared() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, _, stderr) = synth(&declared("10.1.0.0/16"), &out, &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("environments `ours` and `theirs` get different templates of stack `edge`"),
        "{stderr}"
    );
    assert!(stderr.contains("stackset.rs:"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn selecting_part_of_a_fleet_is_refused_and_the_rest_keeps_its_administration_stack() {
    let declared_app = declared("10.0.0.0/16");
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, stdout, stderr) = synth(&declared_app, &out, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let before = std::fs::read(out.join(ADMINISTRATION)).unwrap();
    let (code, _, stderr) = synth(&declared_app, &out, &["--env", "ours"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains(
            "fleet `edge`: `--env` selects ours of its environments but not office, theirs: its \
             administration stack deploys every member's template at once, so select all of them \
             (office, ours, theirs) or none"
        ),
        "{stderr}"
    );
    // Every environment of the fleet: compiled again. A Terraform-only run: the administration stack
    // stays as it was, not removed.
    let (code, stdout, stderr) = synth(
        &declared_app,
        &out,
        &["--env", "ours", "--env", "theirs", "--env", "office"],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, stdout, stderr) = synth(&declared_app, &out, &["--target", "terraform"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(std::fs::read(out.join(ADMINISTRATION)).unwrap(), before);
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(!manifest.contains("\"removed\""), "{manifest}");
    // A fleet no longer declared: its administration stack is kept, removed, until torn down.
    let (code, stdout, stderr) = synth(&app("10.0.0.0/16"), &out, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let kept = manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == ADMINISTRATION)
        .expect("kept");
    assert_eq!(kept["removed"], true);
}

#[test]
fn a_fleet_name_that_names_no_stack_or_twice_declared_is_an_error() {
    use stackwright::stackset::StackSets;
    let upper = self::app("10.0.0.0/16").stack_set(Fleet {
        name: "Edge".into(),
        ..fleet()
    });
    crate::support::fails(
        &upper,
        &["fleet `Edge`: its administration stack would be named `Edge-stackset`, not a stack name"],
    );
    let twice = self::app("10.0.0.0/16")
        .stack_set(fleet())
        .stack_set(fleet());
    crate::support::fails(
        &twice,
        &["fleet `edge`: a fleet of this name is already declared at"],
    );
    let clash = self::app("10.0.0.0/16")
        .stack("edge-stackset", edge)
        .stack_set(fleet());
    crate::support::fails(
        &clash,
        &["fleet `edge`: its administration stack is stack `edge-stackset` of environment `office`, which \
           the app declares itself"],
    );
}

/// A fleet naming a stack its members do not have is one problem, naming the members and the stacks
/// they do have.
#[test]
fn a_fleet_of_a_stack_the_members_lack_is_one_problem() {
    let wrong = Fleet {
        stack: "nbk".into(),
        ..fleet()
    };
    let problems = stack_set(&app("10.0.0.0/16"), &wrong).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(
        problems[0].message,
        "fleet `edge`: 2 of its 2 members (`ours`, `theirs`) have no stack `nbk`: every member must declare \
         the fleet's stack; `ours` has stacks `edge`"
    );
}
