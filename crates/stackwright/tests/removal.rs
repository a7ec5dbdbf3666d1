//! Removal policies chosen per environment (`Environment::removal_policy`): stateful kinds take the
//! environment's unless they set their own, in both targets.

use crate::support::artifacts;
use serde_json::Value as Json;
use stackwright::aws::dynamodb::{self, Key};
use stackwright::aws::ec2;
use stackwright::aws::elbv2::{LoadBalancer, Scheme};
use stackwright::aws::rds::{self, Engine};
use stackwright::aws::route53::HostedZone;
use stackwright::aws::{kms, logs, s3};
use stackwright::prelude::*;
use stackwright::synth::ArtifactPath;
use std::collections::BTreeMap;

/// `prod` keeps the kinds' defaults, `test` tears down (`Destroy`), `archive` snapshots where it can.
fn app() -> App<()> {
    App::new("demo")
        .environment(Environment::new("prod", "123456789012", "us-west-2", ()))
        .environment(
            Environment::new("test", "210987654321", "us-west-2", ())
                .removal_policy(RemovalPolicy::Destroy),
        )
        .environment(
            Environment::new("archive", "123456789012", "eu-west-1", ())
                .removal_policy(RemovalPolicy::Snapshot),
        )
        .stack("main", |s, _| {
            let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            let a = s.add(ec2::Subnet::new("A", &vpc, "10.0.1.0/24"));
            let b = s.add(ec2::Subnet::new("B", &vpc, "10.0.2.0/24"));
            let group = s.add(rds::DbSubnetGroup::new("DbSubnets", "private", &[&a, &b]));
            s.add(rds::DbInstance::new(
                "Db",
                Engine::Postgres,
                "db.t4g.micro",
                &group,
            ));
            s.add(s3::Bucket::new("Assets"));
            // The resource's own choice wins over the environment's.
            s.add(s3::Bucket::new("Audit").removal_policy(RemovalPolicy::Retain));
            s.add(dynamodb::Table::new("Orders", Key::string("id")));
            s.add(kms::Key::new("Key"));
            s.add(logs::LogGroup::new("Logs"));
            s.add(HostedZone::new("Zone", "example.com"));
            let sg = s.add(ec2::SecurityGroup::new("Lb", &vpc, "load balancer"));
            s.add(LoadBalancer::application(
                "Web",
                Scheme::Internal,
                [&a, &b],
                [&sg],
            ));
            s.add(
                LoadBalancer::application("Kept", Scheme::Internal, [&a, &b], [&sg])
                    .deletion_protection(true),
            );
            // Not stateful: no policy in any environment.
            s.add(ec2::Vpc::new("Other", "10.1.0.0/16"));
        })
}

/// The Terraform blocks of the stateful resources of [`app`].
const STATEFUL_BLOCKS: [(&str, &str); 6] = [
    ("aws_db_instance", "db"),
    ("aws_s3_bucket", "assets"),
    ("aws_dynamodb_table", "orders"),
    ("aws_kms_key", "key"),
    ("aws_cloudwatch_log_group", "logs"),
    ("aws_route53_zone", "zone"),
];

fn docs() -> BTreeMap<String, Json> {
    artifacts(&app())
}

fn cfn<'a>(docs: &'a BTreeMap<String, Json>, env: &str, id: &str) -> &'a Json {
    &docs[&ArtifactPath::new(Target::CloudFormation, env, "main").path()]["Resources"][id]
}

fn tf<'a>(docs: &'a BTreeMap<String, Json>, env: &str, ty: &str, name: &str) -> &'a Json {
    &docs[&ArtifactPath::new(Target::Terraform, env, "main").path()]["resource"][ty][name]
}

fn policies(entry: &Json) -> (Option<&str>, Option<&str>) {
    (
        entry.get("DeletionPolicy").and_then(Json::as_str),
        entry.get("UpdateReplacePolicy").and_then(Json::as_str),
    )
}

fn prevents_destroy(block: &Json) -> bool {
    block.pointer("/lifecycle/prevent_destroy") == Some(&Json::Bool(true))
}

#[test]
fn production_keeps_the_kinds_defaults() {
    let docs = docs();
    for (id, policy) in [
        ("Db", "Snapshot"),
        ("Assets", "Retain"),
        ("Orders", "Retain"),
        ("Key", "Retain"),
        ("Logs", "Retain"),
        ("Zone", "Retain"),
    ] {
        assert_eq!(
            policies(cfn(&docs, "prod", id)),
            (Some(policy), Some(policy)),
            "{id}"
        );
    }
    for (ty, name) in STATEFUL_BLOCKS {
        let block = tf(&docs, "prod", ty, name);
        assert!(prevents_destroy(block), "{ty}.{name}");
        assert!(block.get("force_destroy").is_none(), "{ty}.{name}");
    }
    let db = tf(&docs, "prod", "aws_db_instance", "db");
    assert_eq!(db["skip_final_snapshot"], false);
    assert_eq!(db["deletion_protection"], true);
    assert_eq!(
        tf(&docs, "prod", "aws_lb", "web")["enable_deletion_protection"],
        true
    );
}

#[test]
fn a_destroy_environment_tears_down_completely() {
    let docs = docs();
    // RDS is the one whose CloudFormation default is `Snapshot`: `Delete` must be said.
    assert_eq!(
        policies(cfn(&docs, "test", "Db")),
        (Some("Delete"), Some("Delete"))
    );
    assert_eq!(
        cfn(&docs, "test", "Db")["Properties"]["DeletionProtection"],
        false
    );
    for id in ["Assets", "Orders", "Key", "Logs", "Zone", "Vpc"] {
        assert_eq!(policies(cfn(&docs, "test", id)), (None, None), "{id}");
    }
    assert_eq!(
        cfn(&docs, "test", "Orders")["Properties"]["DeletionProtectionEnabled"],
        false
    );
    let web = &cfn(&docs, "test", "Web")["Properties"]["LoadBalancerAttributes"];
    assert!(
        web.as_array()
            .unwrap()
            .iter()
            .any(|a| a["Key"] == "deletion_protection.enabled" && a["Value"] == "false"),
        "{web}"
    );

    for (ty, name) in STATEFUL_BLOCKS.into_iter().chain([("aws_lb", "web")]) {
        assert!(
            !prevents_destroy(tf(&docs, "test", ty, name)),
            "{ty}.{name}"
        );
    }
    let db = tf(&docs, "test", "aws_db_instance", "db");
    assert_eq!(db["skip_final_snapshot"], true);
    assert!(db.get("final_snapshot_identifier").is_none());
    assert_eq!(db["deletion_protection"], false);
    assert_eq!(
        tf(&docs, "test", "aws_s3_bucket", "assets")["force_destroy"],
        true
    );
    assert_eq!(
        tf(&docs, "test", "aws_route53_zone", "zone")["force_destroy"],
        true
    );
    assert_eq!(
        tf(&docs, "test", "aws_dynamodb_table", "orders")["deletion_protection_enabled"],
        false
    );
    let web = tf(&docs, "test", "aws_lb", "web");
    assert_eq!(web["enable_deletion_protection"], false);
    // checkov's deletion-protection checks are skipped with the reason, only where the environment
    // turned protection off.
    let skips = web["//"].to_string();
    assert!(skips.contains("checkov:skip=CKV_AWS_150: deletion protection is off because the environment tears down completely"), "{skips}");
    assert!(db["//"].to_string().contains("checkov:skip=CKV_AWS_293"));
    let prod_skips = tf(&docs, "prod", "aws_lb", "web")["//"].to_string();
    assert!(!prod_skips.contains("CKV_AWS_150"), "{prod_skips}");
}

#[test]
fn a_resource_choice_wins_over_the_environment() {
    let docs = docs();
    assert_eq!(
        policies(cfn(&docs, "test", "Audit")),
        (Some("Retain"), Some("Retain"))
    );
    let audit = tf(&docs, "test", "aws_s3_bucket", "audit");
    assert!(prevents_destroy(audit));
    assert!(audit.get("force_destroy").is_none());
    let kept = tf(&docs, "test", "aws_lb", "kept");
    assert_eq!(kept["enable_deletion_protection"], true);
    assert!(!kept["//"].to_string().contains("CKV_AWS_150"));
}

#[test]
fn a_snapshot_environment_snapshots_where_the_kind_can_and_keeps_the_rest() {
    let docs = docs();
    assert_eq!(
        policies(cfn(&docs, "archive", "Db")),
        (Some("Snapshot"), Some("Snapshot"))
    );
    for id in ["Assets", "Orders", "Key", "Logs", "Zone"] {
        assert_eq!(
            policies(cfn(&docs, "archive", id)),
            (Some("Retain"), Some("Retain")),
            "{id}"
        );
    }
    assert_eq!(policies(cfn(&docs, "archive", "Other")), (None, None));
}
