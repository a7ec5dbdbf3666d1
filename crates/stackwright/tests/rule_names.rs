//! Blocks that Terraform splits into per item (security group rules, policy attachments) are named by
//! their content: an inserted rule is one add and a reorder no change, in both targets; a tree written
//! with positional names moves to content names with `moved` blocks.

use crate::support::{run, TF};
use serde_json::{json, Value};
use stackwright::aws::ec2::{self, Peer, Port};

/// A web group whose ingress rules are `rules` (port, description), in that order.
fn app(rules: &'static [(u16, &'static str)]) -> stackwright::App<()> {
    crate::support::one_stack(move |s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let mut group = ec2::SecurityGroup::new("Web", &vpc, "web");
        for (port, description) in rules {
            group = group.allow_ingress(Peer::any_ipv4(), Port::tcp(*port), *description);
        }
        s.add(group);
    })
}

const BASE: &[(u16, &str)] = &[(443, "HTTPS"), (80, "HTTP")];
const INSERTED: &[(u16, &str)] = &[(22, "SSH"), (443, "HTTPS"), (80, "HTTP")];
const REORDERED: &[(u16, &str)] = &[(80, "HTTP"), (443, "HTTPS")];

/// Synthesizes `before` into a scratch `base/`, lets `edit` change it, and plans `after` against it.
fn plan(
    before: &stackwright::App<()>,
    edit: impl FnOnce(&std::path::Path),
    after: &stackwright::App<()>,
) -> (u8, Value) {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let b = base.to_str().unwrap();
    let (code, _, stderr) = run(before, &["synth", "--out", b]);
    assert_eq!(code, 0, "{stderr}");
    edit(&base);
    let (code, stdout, stderr) = run(after, &["plan", "--against", b, "--format", "json"]);
    assert!(stderr.is_empty(), "{stderr}");
    (code, serde_json::from_str(&stdout).unwrap())
}

fn stack<'a>(plan: &'a Value, target: &str) -> &'a Value {
    plan["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["target"] == target)
        .unwrap()
}

fn actions(stack: &Value) -> Vec<(String, String)> {
    stack["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap().to_owned(),
                r["address"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn an_inserted_rule_is_one_add_in_terraform_and_one_update_of_the_group_in_cloudformation() {
    let (code, plan) = plan(&app(BASE), |_| {}, &app(INSERTED));
    assert_eq!(code, 2);
    assert_eq!(
        actions(stack(&plan, "terraform")),
        [(
            "add".to_owned(),
            "aws_vpc_security_group_ingress_rule.web_ingress_tcp_22_from_0_0_0_0_0".to_owned()
        )]
    );
    // CloudFormation keeps rules inside the group, as a set: one update, the new member.
    let cfn = stack(&plan, "cloudformation");
    assert_eq!(actions(cfn), [("update".to_owned(), "Web".to_owned())]);
    assert_eq!(cfn["resources"][0]["may_replace"], false);
}

#[test]
fn reordered_rules_are_no_change_in_either_target() {
    let (code, plan) = plan(&app(BASE), |_| {}, &app(REORDERED));
    assert_eq!(code, 0, "{plan:#}");
    for target in ["terraform", "cloudformation"] {
        assert_eq!(stack(&plan, target)["status"], "unchanged", "{target}");
    }
}

/// A tree written before content names (its rules `web_ingress_1`, `web_ingress_2`): synth and plan
/// against it move each rule to its content name with a `moved` block, so an upgrade that also inserts a
/// rule is still one add; the next synth keeps the moves until the state has gone past them.
#[test]
fn a_tree_with_positional_names_moves_to_content_names() {
    // What the module said before content names, recorded in the manifest as stackwright's.
    let positional = |base: &std::path::Path| {
        let file = base.join(TF);
        let text = std::fs::read_to_string(&file)
            .unwrap()
            .replace(
                "\"web_ingress_tcp_443_from_0_0_0_0_0\"",
                "\"web_ingress_1\"",
            )
            .replace("\"web_ingress_tcp_80_from_0_0_0_0_0\"", "\"web_ingress_2\"");
        std::fs::write(&file, &text).unwrap();
        let manifest = base.join("manifest.json");
        let mut m: Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
        let entry = m["artifacts"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|a| a["path"] == TF)
            .unwrap();
        use sha2::Digest;
        entry["sha256"] = sha2::Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
            .into();
        std::fs::write(&manifest, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    };
    let (code, plan) = plan(&app(BASE), positional, &app(INSERTED));
    assert_eq!(code, 2);
    let tf = stack(&plan, "terraform");
    let summary = &tf["summary"];
    assert_eq!(
        [
            &summary["add"],
            &summary["update"],
            &summary["replace"],
            &summary["destroy"],
            &summary["moved"]
        ],
        [1, 0, 0, 0, 2],
        "{tf:#}"
    );
    let moved: Vec<(&str, &str)> = tf["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "no-change")
        .map(|r| {
            (
                r["moved_from"].as_str().unwrap(),
                r["address"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        moved,
        [
            (
                "aws_vpc_security_group_ingress_rule.web_ingress_1",
                "aws_vpc_security_group_ingress_rule.web_ingress_tcp_443_from_0_0_0_0_0"
            ),
            (
                "aws_vpc_security_group_ingress_rule.web_ingress_2",
                "aws_vpc_security_group_ingress_rule.web_ingress_tcp_80_from_0_0_0_0_0"
            )
        ]
    );

    // synth writes the moves (and asks for the Terraform that reads them), and keeps them next time.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    assert_eq!(run(&app(BASE), &["synth", "--out", o]).0, 0);
    positional(&out);
    let (code, stdout, stderr) = run(&app(INSERTED), &["synth", "--out", o]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("moved blocks to their content-derived names with `moved` blocks in terraform/dev/main/main.tf.json (which now ask for Terraform >= 1.1.0)"),
        "{stdout}"
    );
    let module =
        || -> Value { serde_json::from_slice(&std::fs::read(out.join(TF)).unwrap()).unwrap() };
    let expected = json!([
        {"from": "aws_vpc_security_group_ingress_rule.web_ingress_1",
         "to": "aws_vpc_security_group_ingress_rule.web_ingress_tcp_443_from_0_0_0_0_0"},
        {"from": "aws_vpc_security_group_ingress_rule.web_ingress_2",
         "to": "aws_vpc_security_group_ingress_rule.web_ingress_tcp_80_from_0_0_0_0_0"},
    ]);
    assert_eq!(module()["moved"], expected);
    assert_eq!(module()["terraform"]["required_version"], ">= 1.1.0");
    assert_eq!(run(&app(INSERTED), &["synth", "--out", o]).0, 0);
    assert_eq!(module()["moved"], expected, "kept by the next synth");
    let (code, stdout, stderr) = run(&app(INSERTED), &["synth", "--check", "--out", o]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}
