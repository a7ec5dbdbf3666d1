//! Plans of small hand-written documents: the verdicts the flagship cannot show (stateful resources,
//! policies, unknown types, settings).

use crate::{plan, Action, Document, Plan, Replacement, Target};
use serde_json::{json, Value as Json};

fn doc<'a>(target: Target, json: &'a Json) -> Document<'a> {
    Document {
        environment: "prod",
        stack: "data",
        target,
        json,
        renames: &[],
    }
}

fn one(target: Target, before: &Json, after: &Json) -> Plan {
    plan(&[doc(target, before)], &[doc(target, after)])
}

fn cfn(resources: Json) -> Json {
    json!({ "Resources": resources })
}

fn tf(resources: Json) -> Json {
    json!({ "resource": resources })
}

#[test]
fn destroying_or_replacing_stateful_resources_loses_data_unless_a_policy_keeps_it() {
    let before = cfn(json!({
        "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"StorageEncrypted": false}},
        "Other": {"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "postgres"}},
        "Kept": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "Properties": {}},
        "Snap": {"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot", "Properties": {}},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
        "Web": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "ami-1"}},
    }));
    let after = cfn(json!({
        "Db": {"Type": "AWS::RDS::DBInstance", "UpdateReplacePolicy": "Snapshot",
               "Properties": {"StorageEncrypted": true}},
        "Other": {"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "mysql"}},
    }));
    let p = one(Target::CloudFormation, &before, &after);
    let r = &p.stacks[0].resources;
    let find = |a: &str| r.iter().find(|x| x.address == a).unwrap();
    // StorageEncrypted is create-only: replaced, but UpdateReplacePolicy Snapshot keeps a snapshot.
    assert_eq!(find("Db").action, Action::Replace);
    assert_eq!(find("Db").data_loss, None);
    assert!(find("Db").notes[0].contains("UpdateReplacePolicy Snapshot"));
    // Engine is conditionally create-only: it may replace, and then the data goes.
    assert_eq!(find("Other").action, Action::Update);
    assert!(find("Other").may_replace);
    assert_eq!(
        find("Other").data_loss.as_deref(),
        Some("the database and its data, if the resource is replaced")
    );
    assert!(find("Key")
        .data_loss
        .as_deref()
        .unwrap()
        .contains("can no longer be decrypted"));
    assert_eq!(find("Kept").data_loss, None);
    assert!(find("Kept").notes[0].contains("DeletionPolicy Retain"));
    assert_eq!(find("Snap").data_loss, None);
    assert_eq!(find("Web").action, Action::Destroy);
    assert_eq!(find("Web").data_loss, None, "an instance holds no data");
    assert_eq!(p.summary.data_loss, 2);
    assert_eq!(p.exit_code(false), 3);
    assert_eq!(p.exit_code(true), 2);
}

#[test]
fn terraform_replacement_of_a_protected_resource_says_terraform_refuses() {
    let before = tf(json!({"aws_s3_bucket": {"assets": {"bucket": "a"}}}));
    let after = tf(
        json!({"aws_s3_bucket": {"assets": {"bucket": "b", "lifecycle": {"prevent_destroy": true}}}}),
    );
    let p = one(Target::Terraform, &before, &after);
    let r = &p.stacks[0].resources[0];
    assert_eq!(r.action, Action::Replace);
    assert_eq!(r.data_loss.as_deref(), Some("the bucket and its objects"));
    assert!(r.notes[0].contains("terraform will refuse"));
    // The lifecycle change is listed as a setting that replaces nothing.
    let lifecycle = r.changes.iter().find(|c| c.path[0] == "lifecycle").unwrap();
    assert_eq!(lifecycle.replacement, Replacement::Never);
}

#[test]
fn nested_changes_under_replacing_paths() {
    // A change under a force-new block attribute replaces; beside it, it updates.
    let before = tf(
        json!({"aws_instance": {"vm": {"ami": "ami-1", "root_block_device": [{"encrypted": true, "volume_size": 8}]}}}),
    );
    let size = tf(
        json!({"aws_instance": {"vm": {"ami": "ami-1", "root_block_device": [{"encrypted": true, "volume_size": 16}]}}}),
    );
    let unencrypted = tf(
        json!({"aws_instance": {"vm": {"ami": "ami-1", "root_block_device": [{"encrypted": false, "volume_size": 8}]}}}),
    );
    assert_eq!(
        one(Target::Terraform, &before, &size).stacks[0].resources[0].action,
        Action::Update
    );
    let p = one(Target::Terraform, &before, &unencrypted);
    let r = &p.stacks[0].resources[0];
    assert_eq!(r.action, Action::Replace);
    assert_eq!(r.changes[0].path, ["root_block_device", "0", "encrypted"]);
    assert_eq!(
        r.changes[0].reason.as_deref(),
        Some("force-new attribute `root_block_device.encrypted`")
    );
    // A block added as a whole replaces when it sets a force-new attribute.
    let bare = tf(json!({"aws_instance": {"vm": {"ami": "ami-1"}}}));
    let p = one(Target::Terraform, &bare, &unencrypted);
    assert_eq!(p.stacks[0].resources[0].action, Action::Replace);
    // CloudFormation: a change under a create-only object (CpuOptions) replaces.
    let before = cfn(
        json!({"Vm": {"Type": "AWS::EC2::Instance", "Properties": {"CpuOptions": {"CoreCount": 2}}}}),
    );
    let after = cfn(
        json!({"Vm": {"Type": "AWS::EC2::Instance", "Properties": {"CpuOptions": {"CoreCount": 4}}}}),
    );
    let p = one(Target::CloudFormation, &before, &after);
    assert_eq!(p.stacks[0].resources[0].action, Action::Replace);
    assert_eq!(
        p.stacks[0].resources[0].changes[0].reason.as_deref(),
        Some("create-only property `CpuOptions`")
    );
}

#[test]
fn unknown_types_and_type_changes_are_not_guessed() {
    let before = cfn(
        json!({"X": {"Type": "AWS::Made::Up", "Properties": {"A": 1}}, "Y": {"Type": "AWS::SNS::Topic"}}),
    );
    let after = cfn(
        json!({"X": {"Type": "AWS::Made::Up", "Properties": {"A": 2}}, "Y": {"Type": "AWS::SQS::Queue"}}),
    );
    let p = one(Target::CloudFormation, &before, &after);
    let x = &p.stacks[0].resources[0];
    assert_eq!(x.action, Action::Update);
    assert!(x.may_replace);
    assert!(x.changes[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("no schema data for `AWS::Made::Up`"));
    let y = &p.stacks[0].resources[1];
    assert_eq!(y.action, Action::Replace);
    assert_eq!(
        y.changes[0].reason.as_deref(),
        Some("the resource type changes")
    );
}

#[test]
fn whole_stacks_added_and_removed() {
    let a = cfn(json!({"T": {"Type": "AWS::SNS::Topic"}}));
    let b = tf(json!({"aws_sns_topic": {"t": {}}}));
    let p = plan(
        &[doc(Target::CloudFormation, &a)],
        &[doc(Target::Terraform, &b)],
    );
    assert_eq!(p.stacks.len(), 2);
    assert_eq!(p.stacks[0].status, crate::StackStatus::Added);
    assert_eq!(p.stacks[0].resources[0].action, Action::Add);
    assert_eq!(p.stacks[1].status, crate::StackStatus::Removed);
    assert_eq!(p.stacks[1].resources[0].action, Action::Destroy);
    assert_eq!((p.summary.add, p.summary.destroy), (1, 1));
}
