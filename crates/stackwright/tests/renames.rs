//! Declared renames (`renamed_from`): Terraform `moved` blocks, what `plan` shows for each target, and the
//! mistakes that are errors.

use crate::support::{artifacts, fails, one_stack, run, CFN, TF};
use serde_json::{json, Value};
use stackwright::aws::ec2::{self, Peer, Port};

/// The network before: a VPC `Network` with a security group `Web` (split into rules in Terraform).
fn before() -> stackwright::App<()> {
    one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Network", "10.0.0.0/16"));
        let subnet = s.add(ec2::Subnet::new("Public", &vpc, "10.0.0.0/24"));
        s.add(
            ec2::SecurityGroup::new("Web", &vpc, "HTTPS in").allow_ingress(
                Peer::any_ipv4(),
                Port::tcp(443),
                "HTTPS",
            ),
        );
        s.add(ec2::Instance::new("Vm", "ami-12345678", "t3.micro").subnet(&subnet));
    })
}

/// The same network with the VPC and the group renamed, and the renames declared.
fn after() -> stackwright::App<()> {
    one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16").renamed_from("Network"));
        let subnet = s.add(ec2::Subnet::new("Public", &vpc, "10.0.0.0/24"));
        s.add(
            ec2::SecurityGroup::new("WebServers", &vpc, "HTTPS in")
                .allow_ingress(Peer::any_ipv4(), Port::tcp(443), "HTTPS")
                .renamed_from("Web"),
        );
        s.add(ec2::Instance::new("Vm", "ami-12345678", "t3.micro").subnet(&subnet));
    })
}

#[test]
fn terraform_moves_renamed_resources_and_the_blocks_they_split_into() {
    let docs = artifacts(&after());
    assert_eq!(
        docs[TF]["moved"],
        json!([
            {"from": "aws_vpc.network", "to": "aws_vpc.vpc"},
            {"from": "aws_default_security_group.network_default_security_group",
             "to": "aws_default_security_group.vpc_default_security_group"},
            {"from": "aws_security_group.web", "to": "aws_security_group.web_servers"},
            {"from": "aws_vpc_security_group_ingress_rule.web_ingress_tcp_443_from_0_0_0_0_0",
             "to": "aws_vpc_security_group_ingress_rule.web_servers_ingress_tcp_443_from_0_0_0_0_0"},
        ])
    );
    // Terraform reads moved blocks since 1.1; modules without one keep the older floor.
    assert_eq!(docs[TF]["terraform"]["required_version"], ">= 1.1.0");
    assert_eq!(
        artifacts(&before())[TF]["terraform"]["required_version"],
        ">= 1.0.0"
    );
    // CloudFormation has no way to say it: the template is that of a fresh resource.
    assert!(docs[CFN]["Resources"].get("Vpc").is_some());
    assert!(!docs[CFN].to_string().contains("Network"));
}

fn plan(dir: &std::path::Path) -> Value {
    let base = dir.join("base");
    let (code, _, stderr) = run(&before(), &["synth", "--out", base.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = run(
        &after(),
        &[
            "plan",
            "--against",
            base.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

#[test]
fn plan_shows_a_terraform_move_and_a_cloudformation_replacement() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan(dir.path());
    let tf = &plan["stacks"][1];
    assert_eq!(tf["target"], "terraform");
    let summary = &tf["summary"];
    assert_eq!(
        [
            &summary["add"],
            &summary["update"],
            &summary["replace"],
            &summary["destroy"],
            &summary["moved"]
        ],
        [0, 0, 0, 0, 4]
    );
    let vpc = &tf["resources"][0];
    assert_eq!(vpc["address"], "aws_vpc.vpc");
    assert_eq!(vpc["moved_from"], "aws_vpc.network");
    assert_eq!(vpc["action"], "no-change");
    // References that only follow the move (`aws_vpc.network.id` -> `aws_vpc.vpc.id`) are no change: the
    // subnet and the instance stay as they are. Listed: the moved VPC, its default security group, the
    // group and its rule.
    assert_eq!(tf["resources"].as_array().unwrap().len(), 4);

    let cfn = &plan["stacks"][0];
    let vpc = &cfn["resources"][0];
    assert_eq!(vpc["address"], "Vpc");
    assert_eq!(vpc["action"], "replace");
    assert_eq!(vpc["moved_from"], "Network");
    assert!(vpc["notes"][0]
        .as_str()
        .unwrap()
        .contains("CloudFormation cannot rename a logical id"));
    // A new VPC means a new subnet, then a new instance in it.
    let replaced: Vec<&str> = cfn["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "replace")
        .map(|r| r["address"].as_str().unwrap())
        .collect();
    assert_eq!(replaced, ["Vpc", "Public", "WebServers", "Vm"]);
}

#[test]
fn an_undeclared_rename_is_a_destroy_and_an_add_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let (code, _, _) = run(&before(), &["synth", "--out", base.to_str().unwrap()]);
    assert_eq!(code, 0);
    let renamed = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Network", "10.0.0.0/16"));
        let subnet = s.add(ec2::Subnet::new("Public", &vpc, "10.0.0.0/24"));
        s.add(
            ec2::SecurityGroup::new("Web", &vpc, "HTTPS in").allow_ingress(
                Peer::any_ipv4(),
                Port::tcp(443),
                "HTTPS",
            ),
        );
        s.add(ec2::Instance::new("App", "ami-12345678", "t3.micro").subnet(&subnet));
    });
    let (code, stdout, _) = run(
        &renamed,
        &[
            "plan",
            "--against",
            base.to_str().unwrap(),
            "--target",
            "terraform",
        ],
    );
    assert_eq!(code, 2);
    assert!(stdout.contains("+ add      aws_instance.app"), "{stdout}");
    assert!(stdout.contains("- destroy  aws_instance.vm"), "{stdout}");
    assert!(
        stdout.contains(
            "note: if `aws_instance.app` is this resource renamed, declare `.renamed_from(..)`"
        ),
        "{stdout}"
    );
}

#[test]
fn renames_from_a_declared_id_or_twice_are_errors() {
    let here = crate::support::line_below(3);
    let app = one_stack(|s| {
        s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        s.add(ec2::Vpc::new("Other", "10.1.0.0/16").renamed_from("Vpc"));
        s.add(ec2::Vpc::new("Third", "10.2.0.0/16").renamed_from("Old"));
        s.add(ec2::Vpc::new("Fourth", "10.3.0.0/16").renamed_from("Old"));
        s.add(ec2::Vpc::new("Fifth", "10.4.0.0/16").renamed_from("Fifth"));
        s.add(ec2::Vpc::new("Sixth", "10.5.0.0/16").renamed_from("not valid"));
    });
    fails(
        &app,
        &[
            "`Other` is renamed from `Vpc`, but `Vpc` is still declared at",
            &here,
            "`Third` and `Fourth` are both renamed from `Old`",
            "`Fifth` is renamed from itself",
            "invalid old id `not valid` in renamed_from",
        ],
    );
}
