//! Plans of small hand-written documents: the verdicts the flagship cannot show (stateful resources,
//! policies, unknown types, settings).

use crate::{Action, Document, Plan, Replacement, Target};
use serde_json::{json, Value as Json};

/// [`crate::plan`], checked against the plan of the previous documents read from their pretty text
/// against the fresh ones ([`crate::previous::parse_against`], as `plan` reads a tree): the two must be
/// the same plan.
fn plan(before: &[Document], after: &[Document]) -> Plan {
    let whole = crate::plan(before, after);
    assert_eq!(whole, plan_read(before, after).0);
    whole
}

/// The plan of `before` read as text against `after`, and how many entries were left out.
fn plan_read(before: &[Document], after: &[Document]) -> (Plan, usize) {
    let read: Vec<_> = before
        .iter()
        .map(|b| {
            let text = serde_json::to_vec_pretty(b.json).unwrap();
            let fresh = after
                .iter()
                .find(|a| (a.environment, a.stack, a.target) == (b.environment, b.stack, b.target));
            match fresh {
                Some(f) => {
                    let (json, unchanged) =
                        crate::previous::parse_against(&text, b.target, f.json).unwrap();
                    (json, Some(unchanged))
                }
                None => (serde_json::from_slice(&text).unwrap(), None),
            }
        })
        .collect();
    let left_out = read.iter().flat_map(|(_, u)| u).map(|u| u.len()).sum();
    let before: Vec<Document> = before
        .iter()
        .zip(&read)
        .map(|(b, (json, unchanged))| Document {
            json,
            unchanged: unchanged.as_ref(),
            ..*b
        })
        .collect();
    (crate::plan(&before, after), left_out)
}

fn doc<'a>(target: Target, json: &'a Json) -> Document<'a> {
    Document {
        environment: "prod",
        stack: "data",
        target,
        json,
        renames: &[],
        unchanged: None,
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
    // Terraform errors before changing anything: a refusal, not data loss.
    assert!(r.refused);
    assert_eq!(r.data_loss, None);
    assert!(
        r.warnings[0].starts_with(
            "Terraform will refuse: `aws_s3_bucket.assets` has lifecycle.prevent_destroy and this change \
             replaces it, so the whole apply stops with an error before changing anything"
        ),
        "{:?}",
        r.warnings
    );
    assert_eq!((p.summary.refused, p.summary.data_loss), (1, 0));
    let text = crate::render::human(&p, false);
    assert!(
        text.contains("REFUSED: Terraform will refuse (prevent_destroy)"),
        "{text}"
    );
    assert!(
        text.contains("TERRAFORM WILL REFUSE (1 resource has prevent_destroy)"),
        "{text}"
    );
    let json = crate::render::json(&p);
    assert_eq!(json["stacks"][0]["resources"][0]["refused"], true);
    assert_eq!(json["summary"]["refused"], 1);
    // The lifecycle change is listed as a setting that replaces nothing.
    let lifecycle = r.changes.iter().find(|c| c.path[0] == "lifecycle").unwrap();
    assert_eq!(lifecycle.replacement, Replacement::Never);
}

/// A module that goes as a whole (its environment or stack removed) is torn down with `terraform destroy`
/// of the previous module, whose `prevent_destroy` applies: Terraform refuses, nothing is lost.
#[test]
fn terraform_destroy_of_a_removed_stack_with_a_protected_resource_is_refused() {
    let before = tf(json!({
        "aws_cloudwatch_log_group": {"flow_logs": {"retention_in_days": 365,
                                                   "lifecycle": {"prevent_destroy": true}}},
        "aws_s3_bucket": {"scratch": {"force_destroy": true}},
        "aws_vpc": {"vpc": {"cidr_block": "10.0.0.0/16"}},
    }));
    let p = plan(&[doc(Target::Terraform, &before)], &[]);
    let r = &p.stacks[0].resources;
    let find = |a: &str| r.iter().find(|x| x.address == a).unwrap();
    let logs = find("aws_cloudwatch_log_group.flow_logs");
    assert_eq!(logs.action, Action::Destroy);
    assert!(logs.refused);
    assert_eq!(logs.data_loss, None);
    assert!(logs.warnings[0].contains("`terraform destroy` of this module destroys it"));
    assert!(logs.warnings[0].contains("terraform state rm aws_cloudwatch_log_group.flow_logs"));
    // The bucket has no guard: once the refusal is lifted, it goes with its objects.
    let scratch = find("aws_s3_bucket.scratch");
    assert!(!scratch.refused);
    assert_eq!(
        scratch.data_loss.as_deref(),
        Some("the bucket and its objects")
    );
    assert!(!find("aws_vpc.vpc").refused);
    assert_eq!(p.summary.refused, 1);
}

/// A block removed from a module that stays takes its `prevent_destroy` with it: Terraform destroys the
/// resource (its `lifecycle` documentation), so this is data loss, with the way to keep it.
#[test]
fn terraform_removal_of_a_protected_block_from_a_module_that_stays_loses_data() {
    let before = tf(json!({
        "aws_cloudwatch_log_group": {"logs": {"lifecycle": {"prevent_destroy": true}}},
        "aws_vpc": {"vpc": {"cidr_block": "10.0.0.0/16"}},
    }));
    let after = tf(json!({"aws_vpc": {"vpc": {"cidr_block": "10.0.0.0/16"}}}));
    let p = one(Target::Terraform, &before, &after);
    let r = &p.stacks[0].resources[0];
    assert_eq!(r.action, Action::Destroy);
    assert!(!r.refused);
    assert_eq!(r.data_loss.as_deref(), Some("the log group and its events"));
    assert!(
        r.notes[0]
            .contains("run `terraform state rm aws_cloudwatch_log_group.logs` before applying"),
        "{:?}",
        r.notes
    );
}

/// CloudFormation keeps what `DeletionPolicy` keeps when a stack or a resource goes: retained, or
/// snapshot then delete; a DB instance outside a cluster snapshots by default.
#[test]
fn cloudformation_removal_follows_the_deletion_policy() {
    let before = cfn(json!({
        "Logs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "Properties": {}},
        "Db": {"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot", "Properties": {}},
        "Legacy": {"Type": "AWS::RDS::DBInstance", "Properties": {}},
        "Member": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBClusterIdentifier": "c"}},
        "Scratch": {"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Delete", "Properties": {}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
    }));
    let p = plan(&[doc(Target::CloudFormation, &before)], &[]);
    let r = &p.stacks[0].resources;
    let find = |a: &str| r.iter().find(|x| x.address == a).unwrap();
    assert_eq!(find("Logs").data_loss, None);
    assert!(find("Logs").notes[0].starts_with("retained: DeletionPolicy Retain leaves it in place"));
    assert_eq!(find("Db").data_loss, None);
    assert!(find("Db").notes[0].starts_with("snapshot then delete: DeletionPolicy Snapshot"));
    assert_eq!(find("Legacy").data_loss, None);
    assert!(find("Legacy").notes[0].contains("DeletionPolicy Snapshot (the default)"));
    assert!(find("Member").data_loss.is_some());
    assert!(find("Scratch").data_loss.is_some());
    assert!(find("Bucket").data_loss.is_some());
    assert!(
        r.iter().all(|x| !x.refused),
        "CloudFormation has no refusal"
    );
    assert_eq!(p.summary.data_loss, 3);
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

/// Every format of a plan, as one text to search.
fn all_formats(p: &Plan) -> String {
    let json = crate::render::json(p).to_string();
    format!(
        "{}\n{}\n{}\n{json}",
        crate::render::human(p, true),
        crate::render::human(p, false),
        crate::render::markdown(p)
    )
}

#[test]
fn passwords_never_print_in_any_format() {
    let before_cfn = json!({
        "Parameters": {"DbPassword": {"Type": "String", "NoEcho": true, "Default": "noecho-old-7f3a"}},
        "Resources": {
            "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {
                "Engine": "postgres", "MasterUsername": "app", "MasterUserPassword": "cfn-old-91bc"}},
            "Gone": {"Type": "AWS::RDS::DBInstance", "Properties": {"MasterUserPassword": "cfn-gone-55aa"}},
            "Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
                "DefaultActions": [{"Type": "authenticate-oidc",
                                    "AuthenticateOidcConfig": {"ClientSecret": "oidc-old-0d0d"}}]}},
            "Raw": {"Type": "AWS::Made::Up", "Properties": {"Settings": {"ApiPassword": "raw-old-1111"}}}
        }
    });
    let after_cfn = json!({
        "Parameters": {"DbPassword": {"Type": "String", "NoEcho": true, "Default": "noecho-new-8e4b"}},
        "Resources": {
            "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {
                "Engine": "postgres", "MasterUsername": "app", "MasterUserPassword": "cfn-new-a2cd"}},
            "Fresh": {"Type": "AWS::RDS::DBInstance", "Properties": {"MasterUserPassword": "cfn-added-66bb"}},
            "Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
                "DefaultActions": [{"Type": "authenticate-oidc",
                                    "AuthenticateOidcConfig": {"ClientSecret": "oidc-new-0e0e"}},
                                   {"Type": "forward"}]}},
            "Raw": {"Type": "AWS::Made::Up", "Properties": {"Settings": {"ApiPassword": "raw-new-2222"}}}
        }
    });
    let before_tf = json!({
        "variable": {"db_password": {"type": "string", "sensitive": true, "default": "var-old-3c3c"}},
        "resource": {
            "aws_db_instance": {"db": {"engine": "postgres", "password": "tf-old-b3de"}},
            "aws_secretsmanager_secret_version": {"v": {"secret_id": "s", "secret_string": "sm-old-4d4d"}}
        }
    });
    let after_tf = json!({
        "variable": {"db_password": {"type": "string", "sensitive": true, "default": "var-new-5e5e"}},
        "resource": {
            "aws_db_instance": {"db": {"engine": "postgres", "password": "tf-new-c4ef"}},
            "aws_secretsmanager_secret_version": {"v": {"secret_id": "s", "secret_string": "sm-new-6f6f"}},
            "aws_ssm_parameter": {"p": {"name": "/x", "type": "SecureString", "value": "ssm-added-7a7a"}},
            "aws_kms_ciphertext": {"c": {"key_id": "k", "plaintext": "kms-added-8b8b"}}
        }
    });
    let p = plan(
        &[
            doc(Target::CloudFormation, &before_cfn),
            doc(Target::Terraform, &before_tf),
        ],
        &[
            doc(Target::CloudFormation, &after_cfn),
            doc(Target::Terraform, &after_tf),
        ],
    );
    let text = all_formats(&p);
    for secret in [
        "noecho-old-7f3a",
        "noecho-new-8e4b",
        "cfn-old-91bc",
        "cfn-new-a2cd",
        "cfn-gone-55aa",
        "cfn-added-66bb",
        "oidc-old-0d0d",
        "oidc-new-0e0e",
        "raw-old-1111",
        "raw-new-2222",
        "var-old-3c3c",
        "var-new-5e5e",
        "tf-old-b3de",
        "tf-new-c4ef",
        "sm-old-4d4d",
        "sm-new-6f6f",
        "ssm-added-7a7a",
        "kms-added-8b8b",
    ] {
        assert!(!text.contains(secret), "{secret} printed:\n{text}");
    }
    // The changes themselves are listed, marked sensitive.
    let cfn_stack = &p.stacks[0];
    let db = cfn_stack
        .resources
        .iter()
        .find(|r| r.address == "Db")
        .unwrap();
    assert_eq!(db.action, Action::Update);
    assert_eq!(db.changes.len(), 1);
    assert_eq!(db.changes[0].path, ["MasterUserPassword"]);
    assert!(db.changes[0].sensitive);
    assert_eq!(db.changes[0].before, Some(json!("(sensitive)")));
    assert_eq!(db.changes[0].after, Some(json!("(sensitive)")));
    let human = crate::render::human(&p, false);
    assert!(
        human.contains("      MasterUserPassword: (sensitive) -> (sensitive)\n"),
        "{human}"
    );
    assert!(
        human.contains("      password: (sensitive) -> (sensitive)\n"),
        "{human}"
    );
    assert!(
        human.contains("      Settings/ApiPassword: (sensitive) -> (sensitive)  (may force"),
        "{human}"
    );
    // A nested secret inside a larger change keeps the rest visible.
    assert!(
        human.contains(r#""AuthenticateOidcConfig":{"ClientSecret":"(sensitive)"}"#),
        "{human}"
    );
    assert!(cfn_stack
        .settings
        .contains(&"parameter DbPassword (changed, sensitive)".to_owned()));
    assert!(p.stacks[1]
        .settings
        .contains(&"variable db_password (changed, sensitive)".to_owned()));
    let markdown = crate::render::markdown(&p);
    assert!(
        markdown.contains("`MasterUserPassword`: `(sensitive)` → `(sensitive)`"),
        "{markdown}"
    );
    let json = crate::render::json(&p);
    let change = &json["stacks"][1]["resources"][0]["changes"][0];
    assert_eq!(change["path"], json!(["password"]));
    assert_eq!(change["sensitive"], true);
    assert_eq!(change["after"], "(sensitive)");
    // Write-only containers keep their leaves: a launch template's instance type stays visible.
    let lt = |t: &str| {
        cfn(json!({"Lt": {"Type": "AWS::EC2::LaunchTemplate",
                          "Properties": {"LaunchTemplateData": {"InstanceType": t}}}}))
    };
    let p = one(Target::CloudFormation, &lt("t3.small"), &lt("t3.large"));
    let c = &p.stacks[0].resources[0].changes[0];
    assert!(!c.sensitive);
    assert_eq!(c.after, Some(json!("t3.large")));
}

/// Secrets by their place and name in every layer: registry write-only properties (CloudFormation and
/// awscc), secret-named map entries (environment variables), `{Name, Value}` pairs named as secrets,
/// JSON text with a secret key, and inputs named as secrets; plain neighbours stay visible.
#[test]
fn write_only_properties_and_secret_named_entries_never_print_in_any_format() {
    let connection = |key: &str| {
        json!({"Type": "AWS::Events::Connection", "Properties": {"AuthorizationType": "API_KEY",
            "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": key}}}})
    };
    let function = |token: &str, key: &str, host: &str| {
        json!({"Type": "AWS::Lambda::Function", "Properties": {"Environment": {"Variables": {
            "API_TOKEN": token, "key": key, "DB_HOST": host}}}})
    };
    let task = |password: &str, config: &str| {
        json!({"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [{"Environment": [
            {"Name": "DB_PASSWORD", "Value": password}, {"Name": "CONFIG", "Value": config}]}]}})
    };
    let before_cfn = cfn(json!({
        "Connection": connection("apikey-old-1a1a"),
        "Fn": function("token-old-2b2b", "key-old-3c3c", "db-old.internal"),
        "Task": task("pw-old-4d4d", "{\"password\": \"json-old-5e5e\"}"),
    }));
    let mut before_cfn = before_cfn;
    before_cfn["Parameters"] = json!({"ApiKey": {"Type": "String", "Default": "param-old-6f6f"}});
    let mut after_cfn = cfn(json!({
        "Connection": connection("apikey-new-1b1b"),
        "Fn": function("token-new-2c2c", "key-new-3d3d", "db-new.internal"),
        "Task": task("pw-new-4e4e", "{\"password\": \"json-new-5f5f\"}"),
        "Added": function("token-added-7a7a", "key-added-8b8b", "db-added.internal"),
    }));
    after_cfn["Parameters"] = json!({"ApiKey": {"Type": "String", "Default": "param-new-6a6a"}});
    let awscc = |key: &str, token: &str| {
        json!({
            "awscc_events_connection": {"c": {"authorization_type": "API_KEY", "auth_parameters": {
                "api_key_auth_parameters": {"api_key_name": "x-api-key", "api_key_value": key}}}},
            "awscc_lambda_function": {"f": {"environment": {"variables": {"API_TOKEN": token}}}},
        })
    };
    let before_tf = tf(awscc("awscc-key-old-9c9c", "awscc-token-old-0d0d"));
    let after_tf = tf(awscc("awscc-key-new-9d9d", "awscc-token-new-0e0e"));
    let p = plan(
        &[
            doc(Target::CloudFormation, &before_cfn),
            doc(Target::Terraform, &before_tf),
        ],
        &[
            doc(Target::CloudFormation, &after_cfn),
            doc(Target::Terraform, &after_tf),
        ],
    );
    let text = all_formats(&p);
    for secret in [
        "apikey-old-1a1a",
        "apikey-new-1b1b",
        "token-old-2b2b",
        "token-new-2c2c",
        "key-old-3c3c",
        "key-new-3d3d",
        "pw-old-4d4d",
        "pw-new-4e4e",
        "json-old-5e5e",
        "json-new-5f5f",
        "param-old-6f6f",
        "param-new-6a6a",
        "token-added-7a7a",
        "key-added-8b8b",
        "awscc-key-old-9c9c",
        "awscc-key-new-9d9d",
        "awscc-token-old-0d0d",
        "awscc-token-new-0e0e",
    ] {
        assert!(!text.contains(secret), "{secret} printed:\n{text}");
    }
    for plain in ["db-old.internal", "db-new.internal", "db-added.internal"] {
        assert!(text.contains(plain), "{plain} hidden:\n{text}");
    }
    let human = crate::render::human(&p, false);
    assert!(
        human.contains("      Environment/Variables/API_TOKEN: (sensitive) -> (sensitive)\n"),
        "{human}"
    );
    assert!(
        human.contains("      environment.variables.API_TOKEN: (sensitive) -> (sensitive)\n"),
        "{human}"
    );
    assert!(p.stacks[0]
        .settings
        .contains(&"parameter ApiKey (changed, sensitive)".to_owned()));
}

#[test]
fn hostile_ids_and_values_cannot_escape_their_place_in_any_format() {
    let id = "Evil|</details><script>@octocat`x``\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}";
    let before = cfn(json!({
        id: {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "a"}},
    }));
    let after = cfn(json!({
        id: {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "b|`</details>\u{1b}[31m@here"}},
    }));
    let mut p = one(Target::CloudFormation, &before, &after);
    p.stacks[0].environment = "prod</summary>@org/team".into();

    let markdown = crate::render::markdown(&p);
    // Only our own HTML: one section, opened and closed once on lines of their own.
    assert_eq!(
        markdown.lines().filter(|l| *l == "</details>").count(),
        1,
        "{markdown}"
    );
    assert_eq!(markdown.matches("<details>").count(), 1, "{markdown}");
    assert!(
        !markdown.contains('\u{1b}') && !markdown.contains('\u{202e}'),
        "{markdown}"
    );
    for line in markdown.lines() {
        // Outside code spans (where CommonMark shows everything literally), no `<` but ours, no mention.
        let text = outside_code_spans(line);
        let ours = text
            .replace("<br>", "")
            .replace("<details><summary>", "")
            .replace("</summary>", "");
        if line != "</details>" {
            assert!(!ours.contains('<'), "{line}");
        }
        assert!(!text.contains("@o"), "{line}");
    }
    // Every table row keeps its column count: unescaped pipes only as cell separators.
    for row in markdown.lines().filter(|l| l.starts_with('|')) {
        let separators = row.matches('|').count() - row.matches("\\|").count();
        assert!(matches!(separators, 5 | 9), "{row}");
    }
    let row = markdown
        .lines()
        .find(|l| l.starts_with("| update "))
        .expect("resource row");
    assert!(
        row.contains("| ```Evil\\|</details><script>@octocat`x``\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{9b}31m\\u{202e}``` |"),
        "{row}"
    );
    assert!(
        row.contains(r#"``"b\|`</details>\u001b[31m@here"``"#),
        "{row}"
    );

    let human = crate::render::human(&p, true);
    // Our colors stay; the data's escape sequences, bell, C1 control and bidi override are shown escaped.
    assert!(human.contains("\u{1b}[1m"), "{human}");
    for hostile in [
        "\u{1b}]",
        "\u{1b}[2J",
        "\u{1b}[31m@",
        "\u{7}",
        "\u{9b}",
        "\u{202e}",
    ] {
        assert!(!human.contains(hostile), "{hostile:?} in {human:?}");
    }
    assert!(human.contains("Evil|</details><script>@octocat`x``\\u{1b}]0;pwned\\u{7}"));
    let plain = crate::render::human(&p, false);
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
}

/// A line of Markdown without its code spans (CommonMark 6.1: a run of backticks up to the next run of the
/// same length).
fn outside_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let run = rest[start..].chars().take_while(|c| *c == '`').count();
        let after = &rest[start + run..];
        let mut search = 0;
        let close = loop {
            let Some(i) = after[search..].find('`') else {
                break None;
            };
            let at = search + i;
            let len = after[at..].chars().take_while(|c| *c == '`').count();
            if len == run {
                break Some(at);
            }
            search = at + len;
        };
        match close {
            Some(at) => rest = &after[at + run..],
            None => {
                out.push_str(&rest[start..start + run]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn reordering_sets_is_no_change_and_a_changed_member_is_one_change() {
    let tags = |order: [(&str, &str); 3]| {
        order
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect::<Vec<_>>()
    };
    let t = [("app", "web"), ("stage", "prod"), ("team", "core")];
    let r = [("team", "core"), ("app", "web"), ("stage", "prod")];
    let cfn_doc = |groups: [&str; 2], subnets: [&str; 2], tags: Vec<Json>| {
        cfn(json!({
            "Vm": {"Type": "AWS::EC2::Instance", "Properties": {"SecurityGroupIds": groups, "Tags": tags}},
            "Fleet": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
                "MinSize": "1", "MaxSize": "2", "VPCZoneIdentifier": subnets, "Tags": tags}},
        }))
    };
    let before = cfn_doc(["sg-a", "sg-b"], ["subnet-1", "subnet-2"], tags(t));
    let reordered = cfn_doc(["sg-b", "sg-a"], ["subnet-2", "subnet-1"], tags(r));
    let p = one(Target::CloudFormation, &before, &reordered);
    assert!(!p.has_changes(), "{:#?}", p.stacks[0].resources);
    assert_eq!(p.exit_code(false), 0);

    let tf_doc = |groups: [&str; 2], subnets: [&str; 2]| {
        tf(json!({
            "aws_instance": {"vm": {"ami": "ami-1", "vpc_security_group_ids": groups}},
            "aws_autoscaling_group": {"fleet": {"min_size": 1, "max_size": 2, "vpc_zone_identifier": subnets}},
            "aws_security_group": {"web": {"ingress": [
                {"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
                {"from_port": 80, "to_port": 80, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]}]}}
        }))
    };
    let before = tf_doc(["sg-a", "sg-b"], ["subnet-1", "subnet-2"]);
    let mut reordered = tf_doc(["sg-b", "sg-a"], ["subnet-2", "subnet-1"]);
    reordered["resource"]["aws_security_group"]["web"]["ingress"]
        .as_array_mut()
        .unwrap()
        .reverse();
    let p = one(Target::Terraform, &before, &reordered);
    assert!(!p.has_changes(), "{:#?}", p.stacks[0].resources);

    // A member that changes is one change of the set, not positional ones; lists keep their order.
    let changed = tf_doc(["sg-b", "sg-c"], ["subnet-2", "subnet-1"]);
    let p = one(Target::Terraform, &before, &changed);
    let vm = &p.stacks[0].resources[0];
    assert_eq!(vm.action, Action::Update);
    assert_eq!(vm.changes.len(), 1);
    assert_eq!(vm.changes[0].path, ["vpc_security_group_ids"]);
    assert_eq!(vm.changes[0].after, Some(json!(["sg-b", "sg-c"])));
    let human = crate::render::human(&p, false);
    assert!(
        human.contains(r#"vpc_security_group_ids: ["sg-a","sg-b"] -> ["sg-b","sg-c"]"#),
        "{human}"
    );
    // An ordered list (a listener's default actions, where the registry keeps `insertionOrder` true)
    // still compares by position.
    let actions = |a: &str, b: &str| {
        cfn(
            json!({"L": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
            "DefaultActions": [{"Type": a}, {"Type": b}]}}}),
        )
    };
    let p = one(
        Target::CloudFormation,
        &actions("authenticate-oidc", "forward"),
        &actions("forward", "authenticate-oidc"),
    );
    let paths: Vec<_> = p.stacks[0].resources[0]
        .changes
        .iter()
        .map(|c| c.path.join("/"))
        .collect();
    assert_eq!(paths, ["DefaultActions/0/Type", "DefaultActions/1/Type"]);
}

#[test]
fn a_reordered_set_with_one_changed_member_replaces_only_when_a_replacing_value_changes() {
    // `ebs_block_device` is a set-nested block; its `device_name` and `volume_type` force a new instance,
    // its `tags` do not. Reordering the disks and retagging one is an update, not a replacement.
    let disks = |order: [(&str, &str, &str); 2]| {
        let blocks: Vec<Json> = order
            .iter()
            .map(|(d, t, team)| json!({"device_name": d, "volume_type": t, "tags": {"team": team}}))
            .collect();
        tf(json!({"aws_instance": {"vm": {"ami": "ami-1", "ebs_block_device": blocks}}}))
    };
    let before = disks([("/dev/xvdb", "gp3", "a"), ("/dev/xvdc", "io2", "a")]);
    let retagged = disks([("/dev/xvdc", "io2", "b"), ("/dev/xvdb", "gp3", "a")]);
    let p = one(Target::Terraform, &before, &retagged);
    let vm = &p.stacks[0].resources[0];
    assert_eq!(vm.action, Action::Update, "{vm:#?}");
    assert_eq!(vm.changes.len(), 1);
    assert_eq!(vm.changes[0].path, ["ebs_block_device"]);
    // Changing a disk's type in the same reordered set replaces.
    let retyped = disks([("/dev/xvdc", "gp3", "a"), ("/dev/xvdb", "gp3", "a")]);
    let p = one(Target::Terraform, &before, &retyped);
    assert_eq!(p.stacks[0].resources[0].action, Action::Replace);
}

#[test]
fn user_data_updates_in_place_unless_the_artifact_asks_for_replacement() {
    let vm = |script: &str, replace: Option<bool>| {
        let mut body = json!({"ami": "ami-1", "user_data": script});
        if let Some(r) = replace {
            body["user_data_replace_on_change"] = json!(r);
        }
        tf(json!({"aws_instance": {"vm": body}}))
    };
    let p = one(Target::Terraform, &vm("echo 1", None), &vm("echo 2", None));
    let r = &p.stacks[0].resources[0];
    assert_eq!((r.action, r.may_replace), (Action::Update, false));
    assert_eq!(
        r.changes[0].reason.as_deref(),
        Some("`user_data` updates in place: `user_data_replace_on_change` is not set (false)")
    );
    let p = one(
        Target::Terraform,
        &vm("echo 1", Some(false)),
        &vm("echo 2", Some(false)),
    );
    assert_eq!(p.stacks[0].resources[0].action, Action::Update);
    let p = one(
        Target::Terraform,
        &vm("echo 1", Some(true)),
        &vm("echo 2", Some(true)),
    );
    let r = &p.stacks[0].resources[0];
    assert_eq!(r.action, Action::Replace);
    assert_eq!(
        r.changes[0].reason.as_deref(),
        Some("`user_data` replaces: `user_data_replace_on_change` is true")
    );
    // A condition written as an expression stays undecided.
    let mut expr = vm("echo 2", None);
    expr["resource"]["aws_instance"]["vm"]["user_data_replace_on_change"] = json!("${var.roll}");
    let p = one(Target::Terraform, &vm("echo 1", None), &expr);
    assert!(p.stacks[0].resources[0].may_replace);
}

#[test]
fn cloudformation_cannot_replace_a_resource_that_keeps_its_custom_name() {
    let sg = |name: &str, description: &str| {
        cfn(
            json!({"Web": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupName": name, "GroupDescription": description, "VpcId": "vpc-1"}}}),
        )
    };
    let p = one(Target::CloudFormation, &sg("web", "old"), &sg("web", "new"));
    let r = &p.stacks[0].resources[0];
    assert_eq!(r.action, Action::Replace);
    assert_eq!(r.warnings.len(), 1, "{r:#?}");
    assert!(r.warnings[0].starts_with(
        "CloudFormation cannot replace `Web`: its custom name (`GroupName`) stays the same"
    ));
    assert!(r.warnings[0].contains("change `GroupName` in the same deploy, or remove it"));
    assert_eq!(p.summary.warnings, 1);
    let human = crate::render::human(&p, false);
    assert!(
        human.contains("      warning: CloudFormation cannot replace `Web`"),
        "{human}"
    );
    assert!(human.contains("; 1 warning"), "{human}");
    let markdown = crate::render::markdown(&p);
    assert!(markdown.contains("**warning**: CloudFormation cannot replace `Web`"));
    assert!(
        markdown.contains(
            "> [!WARNING]\n> - `prod/data (cloudformation)` `Web`: CloudFormation cannot"
        ),
        "{markdown}"
    );
    // A new name with the change replaces cleanly; an update in place needs no warning.
    let p = one(
        Target::CloudFormation,
        &sg("web", "old"),
        &sg("web-2", "new"),
    );
    assert!(p.stacks[0].resources[0].warnings.is_empty());
    // An update that may replace warns for the case it does.
    let db = |engine: &str| {
        cfn(
            json!({"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {
            "DBInstanceIdentifier": "orders", "Engine": engine}}}),
        )
    };
    let p = one(Target::CloudFormation, &db("postgres"), &db("mysql"));
    let r = &p.stacks[0].resources[0];
    assert!(r.may_replace);
    assert!(
        r.warnings[0].starts_with(
            "if this change replaces `Db`, CloudFormation could not replace it: its custom name \
         (`DBInstanceIdentifier`) stays the same"
        ),
        "{r:#?}"
    );
    // Terraform destroys before it creates by default: the name is free again.
    let tf_sg =
        |d: &str| tf(json!({"aws_security_group": {"web": {"name": "web", "description": d}}}));
    let p = one(Target::Terraform, &tf_sg("old"), &tf_sg("new"));
    assert_eq!(p.stacks[0].resources[0].action, Action::Replace);
    assert!(p.stacks[0].resources[0].warnings.is_empty());
}

#[test]
fn a_launch_template_update_reaches_the_auto_scaling_group_that_follows_its_latest_version() {
    let cfn_fleet = |instance_type: &str, policy: bool| {
        let mut fleet = json!({"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
            "MinSize": "1", "MaxSize": "3", "VPCZoneIdentifier": ["subnet-1"],
            "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"},
                               "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]}}}});
        if policy {
            fleet["UpdatePolicy"] = json!({"AutoScalingRollingUpdate": {"MaxBatchSize": 1}});
        }
        cfn(json!({
            "Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"InstanceType": instance_type}}},
            "Fleet": fleet,
        }))
    };
    let p = one(
        Target::CloudFormation,
        &cfn_fleet("t3.small", false),
        &cfn_fleet("t3.large", false),
    );
    let r = &p.stacks[0].resources;
    assert_eq!(r.len(), 2, "{r:#?}");
    assert_eq!((r[0].address.as_str(), r[0].action), ("Lt", Action::Update));
    let fleet = &r[1];
    assert_eq!(
        (fleet.address.as_str(), fleet.action),
        ("Fleet", Action::Update)
    );
    assert_eq!(fleet.changes[0].path, ["LaunchTemplate", "Version"]);
    assert_eq!(
        fleet.changes[0].known_after_deploy.as_deref(),
        Some("`Lt` is updated: its `LatestVersionNumber` changes")
    );
    assert!(fleet.notes[0].starts_with("running instances keep their old launch configuration"));
    assert!(fleet.notes[0].contains("`UpdatePolicy/AutoScalingRollingUpdate`"));
    let p = one(
        Target::CloudFormation,
        &cfn_fleet("t3.small", true),
        &cfn_fleet("t3.large", true),
    );
    assert_eq!(
        p.stacks[0].resources[1].notes,
        ["fleet rolls: `UpdatePolicy/AutoScalingRollingUpdate` replaces every running instance with one \
          launched from the new configuration"]
    );
    // Tags alone do not make a new version.
    let tagged = |v: &str| {
        let mut d = cfn_fleet("t3.small", false);
        d["Resources"]["Lt"]["Properties"]["Tags"] = json!([{"Key": "v", "Value": v}]);
        d
    };
    let p = one(Target::CloudFormation, &tagged("1"), &tagged("2"));
    assert_eq!(p.stacks[0].resources.len(), 1);

    let tf_fleet = |instance_type: &str, refresh: bool| {
        let mut fleet = json!({"min_size": 1, "max_size": 3,
            "launch_template": {"id": "${aws_launch_template.lt.id}",
                                "version": "${aws_launch_template.lt.latest_version}"}});
        if refresh {
            fleet["instance_refresh"] = json!({"strategy": "Rolling"});
        }
        tf(json!({
            "aws_launch_template": {"lt": {"instance_type": instance_type}},
            "aws_autoscaling_group": {"fleet": fleet},
        }))
    };
    let p = one(
        Target::Terraform,
        &tf_fleet("t3.small", true),
        &tf_fleet("t3.large", true),
    );
    let fleet = &p.stacks[0].resources[1];
    assert_eq!(fleet.address, "aws_autoscaling_group.fleet");
    assert_eq!(fleet.action, Action::Update);
    assert_eq!(fleet.changes[0].path, ["launch_template", "version"]);
    assert_eq!(
        fleet.notes,
        ["fleet rolls: `instance_refresh` replaces every running instance with one launched from the \
          new configuration"]
    );
    let human = crate::render::human(&p, false);
    assert!(human.contains("note: fleet rolls"), "{human}");
}

#[test]
fn long_texts_show_as_line_diffs() {
    let script = |port: &str| {
        let mut lines: Vec<String> = (1..=30).map(|i| format!("echo step {i}")).collect();
        lines[19] = format!("listen {port} # `quoted` ```fence```");
        lines.join("\n") + "\n"
    };
    let lt = |port: &str| {
        cfn(
            json!({"Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {
            "UserData": {"Fn::Base64": {"Fn::Sub": script(port)}}}}}}),
        )
    };
    let p = one(Target::CloudFormation, &lt("8080"), &lt("9090"));
    let human = crate::render::human(&p, false);
    let expected = "      LaunchTemplateData/UserData: (30 lines) -> (30 lines)\n\
                    \x20       @@ -18,5 +18,5 @@\n\
                    \x20        echo step 18\n\
                    \x20        echo step 19\n\
                    \x20       -listen 8080 # `quoted` ```fence```\n\
                    \x20       +listen 9090 # `quoted` ```fence```\n\
                    \x20        echo step 21\n\
                    \x20        echo step 22\n";
    assert!(human.contains(expected), "{human}");
    let markdown = crate::render::markdown(&p);
    assert!(
        markdown.contains("`LaunchTemplateData/UserData`: `(30 lines)` → `(30 lines)`"),
        "{markdown}"
    );
    assert!(
        markdown.contains(
            "\n`Lt` `LaunchTemplateData/UserData`:\n\n````diff\n@@ -18,5 +18,5 @@\n echo step 18\n"
        ),
        "{markdown}"
    );
    assert!(markdown
        .contains("+listen 9090 # `quoted` ```fence```\n echo step 21\n echo step 22\n````\n"));

    // One long line: the part that differs, with context.
    let policy = |action: &str| {
        let statements = format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[{}{{\"Effect\":\"Allow\",\"Action\":\"{action}\"}}]}}",
            "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"},".repeat(4)
        );
        tf(json!({"aws_iam_policy": {"p": {"policy": statements}}}))
    };
    let p = one(
        Target::Terraform,
        &policy("sqs:SendMessage"),
        &policy("sqs:*"),
    );
    let human = crate::render::human(&p, false);
    assert!(
        human.contains("policy: (316 characters) -> (306 characters)"),
        "{human}"
    );
    assert!(
        human.contains(r#"        -…e":"*"},{"Effect":"Allow","Action":"sqs:SendMessage"}]}"#),
        "{human}"
    );
    assert!(
        human.contains(r#"        +…e":"*"},{"Effect":"Allow","Action":"sqs:*"}]}"#),
        "{human}"
    );
}

#[test]
fn an_environment_that_changes_account_is_a_destroy_there_and_a_create_here() {
    let module = |account: &str, region: &str| {
        json!({
            "provider": {"aws": {"region": region, "allowed_account_ids": [account]}},
            "resource": {"aws_sns_topic": {"t": {"name": "t"}}, "aws_s3_bucket": {"b": {"bucket": "b"}}}
        })
    };
    let template = cfn(json!({"T": {"Type": "AWS::SNS::Topic"}}));
    let old_tf = module("111111111111", "us-east-1");
    let new_tf = module("222222222222", "us-east-1");
    let before = [
        doc(Target::CloudFormation, &template),
        doc(Target::Terraform, &old_tf),
    ];
    let after = [
        doc(Target::CloudFormation, &template),
        doc(Target::Terraform, &new_tf),
    ];
    let p = plan(&before, &after);
    let shape: Vec<_> = p
        .stacks
        .iter()
        .map(|s| {
            (
                s.target,
                s.status,
                s.placement.as_ref().map(|p| p.account.as_str()),
                s.relocated,
            )
        })
        .collect();
    use crate::StackStatus::{Added, Removed};
    assert_eq!(
        shape,
        [
            // The template is the same, but it deploys elsewhere: the CloudFormation stack moves too.
            (Target::CloudFormation, Removed, Some("111111111111"), true),
            (Target::CloudFormation, Added, Some("222222222222"), true),
            (Target::Terraform, Removed, Some("111111111111"), true),
            (Target::Terraform, Added, Some("222222222222"), true),
        ]
    );
    assert_eq!(
        (p.summary.add, p.summary.destroy, p.summary.update),
        (3, 3, 0)
    );
    assert_eq!(
        p.summary.data_loss, 1,
        "the old bucket is destroyed with its objects"
    );
    let human = crate::render::human(&p, false);
    assert!(human.contains(
        "prod/data (terraform, 111111111111/us-east-1): the environment moves away: 0 to add, 0 to update, \
         0 to replace, 2 to destroy; the old deployment stays until destroyed here with the previous artifacts"
    ), "{human}");
    assert!(human.contains(
        "prod/data (terraform, 222222222222/us-east-1): new deployment (the environment moves here): 2 to add"
    ), "{human}");
    let json = crate::render::json(&p);
    assert_eq!(json["stacks"][3]["placement"]["account"], "222222222222");
    assert_eq!(json["stacks"][3]["relocated"], true);

    // A region change moves it as well; the same placement is a plain comparison.
    let west = module("111111111111", "us-west-2");
    let p = plan(
        &[doc(Target::Terraform, &old_tf)],
        &[doc(Target::Terraform, &west)],
    );
    assert_eq!(p.stacks.len(), 2);
    let p = plan(
        &[doc(Target::Terraform, &old_tf)],
        &[doc(Target::Terraform, &old_tf)],
    );
    assert_eq!(p.stacks.len(), 1);
    assert!(!p.has_changes());
    // Explicit placements (from a manifest) decide for a template alone.
    let placed = |account: &str| crate::Placed {
        document: doc(Target::CloudFormation, &template),
        placement: Some(crate::Placement {
            account: account.into(),
            region: "eu-west-1".into(),
        }),
    };
    let p = crate::plan_placed(&[placed("111111111111")], &[placed("333333333333")]);
    assert_eq!(p.stacks.len(), 2);
    assert_eq!(p.summary.destroy, 1);
}

/// Terraform deletes a removed or replaced target group before it updates the listener that forwarded to
/// it, and ELB refuses (terraform-provider-aws#13294); `create_before_destroy` (which Stackwright sets on
/// every target group without a custom name) reverses the order.
#[test]
fn terraform_deleting_a_target_group_a_staying_listener_uses_warns_unless_created_before_destroyed()
{
    let listener = |group: &str| {
        json!({"load_balancer_arn": "arn:lb", "port": 443,
               "default_action": [{"type": "forward", "target_group_arn": format!("${{aws_lb_target_group.{group}.arn}}")}]})
    };
    let group = |lifecycle: bool, name: Option<&str>| {
        let mut g = json!({"port": 80, "protocol": "HTTP", "vpc_id": "vpc-1"});
        if lifecycle {
            g["lifecycle"] = json!({"create_before_destroy": true});
        }
        if let Some(name) = name {
            g["name"] = json!(name);
        }
        g
    };
    let before = |lifecycle: bool, name: Option<&str>| {
        tf(json!({
            "aws_lb_target_group": {"old": group(lifecycle, name)},
            "aws_lb_listener": {"https": listener("old")},
        }))
    };
    let after = tf(json!({
        "aws_lb_target_group": {"blue": group(true, None)},
        "aws_lb_listener": {"https": listener("blue")},
    }));
    let warnings = |before: &Json| {
        let p = one(Target::Terraform, before, &after);
        let old = p.stacks[0]
            .resources
            .iter()
            .find(|r| r.address == "aws_lb_target_group.old")
            .unwrap();
        assert_eq!(old.action, Action::Destroy);
        old.warnings.clone()
    };
    let w = warnings(&before(false, None));
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains(
            "Terraform deletes `aws_lb_target_group.old` before it updates `aws_lb_listener.https`"
        ) && w[0].contains("ResourceInUse")
            && w[0].contains("terraform apply -target=aws_lb_listener.https"),
        "{}",
        w[0]
    );
    let named = warnings(&before(false, Some("web")));
    assert!(
        named[0].contains("give the group no custom name"),
        "{}",
        named[0]
    );
    assert!(warnings(&before(true, None)).is_empty());

    // A replaced group is deleted first too; a listener that goes as well is deleted before it.
    let replaced = tf(json!({
        "aws_lb_target_group": {"old": {"port": 8080, "protocol": "HTTP", "vpc_id": "vpc-1"}},
        "aws_lb_listener": {"https": listener("old")},
    }));
    let p = one(Target::Terraform, &before(false, None), &replaced);
    let old = &p.stacks[0]
        .resources
        .iter()
        .find(|r| r.address == "aws_lb_target_group.old")
        .unwrap();
    assert_eq!(old.action, Action::Replace);
    assert_eq!(old.warnings.len(), 1, "{:?}", old.warnings);
    // A replacement follows the new block's lifecycle, whatever the previous one said.
    let mut replaced_cbd = replaced.clone();
    replaced_cbd["resource"]["aws_lb_target_group"]["old"]["lifecycle"] =
        json!({"create_before_destroy": true});
    let p = one(Target::Terraform, &before(false, None), &replaced_cbd);
    assert!(p.stacks[0].resources.iter().all(|r| r.warnings.is_empty()));
    let no_listener = tf(json!({"aws_lb_target_group": {"blue": group(true, None)}}));
    let p = one(Target::Terraform, &before(false, None), &no_listener);
    assert!(p.stacks[0].resources.iter().all(|r| r.warnings.is_empty()));
}

#[test]
fn a_tree_read_against_the_fresh_one_plans_the_same_and_parses_only_what_differs() {
    // Exports, imports, outputs, Terraform blocks of several types, a replaced resource that unchanged
    // ones reference, a relocated module: each plan is checked against the whole-document plan by
    // `plan` above; here, that entries were left out at all.
    let network = |cidr: &str, export: bool| {
        let mut outputs =
            json!({"VpcId": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "n:Vpc:id"}}});
        if export {
            outputs["SubnetId"] =
                json!({"Value": {"Ref": "Subnet"}, "Export": {"Name": "n:Subnet:id"}});
        }
        json!({
            "Description": "network",
            "Resources": {
                "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr}},
                "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}}},
                "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
            },
            "Outputs": outputs,
        })
    };
    let service = json!({"Resources": {"Web": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
        "GroupDescription": "web", "VpcId": {"Fn::ImportValue": "n:Subnet:id"}}}}});
    let stack = |name: &'static str, json: &'static Json| Document {
        stack: name,
        ..doc(Target::CloudFormation, json)
    };
    let leak = |j: Json| -> &'static Json { Box::leak(Box::new(j)) };
    let (old_net, new_net, svc) = (
        leak(network("10.0.0.0/16", true)),
        leak(network("10.1.0.0/16", false)),
        leak(service),
    );
    let before = [stack("network", old_net), stack("service", svc)];
    let after = [stack("network", new_net), stack("service", svc)];
    let p = plan(&before, &after);
    assert_eq!(p.embraces.len(), 1, "{:?}", p.embraces);
    assert_eq!(
        p.summary.replace, 2,
        "the VPC and the subnet that references it"
    );
    let (_, left_out) = plan_read(&before, &after);
    // Subnet (its text is the same: it is replaced through its reference), Topic and the VpcId output
    // of the network, Web of the service.
    assert_eq!(left_out, 4);

    let module = |account: &str, size: &str| {
        json!({
            "provider": {"aws": {"region": "us-east-1", "allowed_account_ids": [account]}},
            "resource": {
                "aws_instance": {"a": {"instance_type": size}, "b": {"instance_type": "t3.micro"}},
                "aws_sns_topic": {"t": {"name": "t"}},
            },
            "output": {"a": {"value": "${aws_instance.a.id}"}, "t": {"value": "${aws_sns_topic.t.arn}"}},
        })
    };
    let (old_tf, new_tf, moved_tf) = (
        module("111111111111", "t3.micro"),
        module("111111111111", "t3.large"),
        module("222222222222", "t3.large"),
    );
    let p = plan(
        &[doc(Target::Terraform, &old_tf)],
        &[doc(Target::Terraform, &new_tf)],
    );
    assert_eq!(p.summary.update, 1);
    let (_, left_out) = plan_read(
        &[doc(Target::Terraform, &old_tf)],
        &[doc(Target::Terraform, &new_tf)],
    );
    assert_eq!(left_out, 4, "b, t and both outputs");
    // Relocated: the old deployment lists every block, the unchanged ones too.
    let p = plan(
        &[doc(Target::Terraform, &old_tf)],
        &[doc(Target::Terraform, &moved_tf)],
    );
    assert_eq!((p.summary.destroy, p.summary.add), (3, 3));
}

/// An auto scaling group's `LaunchTemplate` is conditionally create-only: CloudFormation replaces the
/// group only under `UpdatePolicy` `AutoScalingReplacingUpdate` with `WillReplace` true. The template
/// decides it, so the plan does: an update under a rolling policy (or none), a replacement under
/// `WillReplace`, undecided when `WillReplace` is an intrinsic.
#[test]
fn cloudformation_decides_an_auto_scaling_group_replacement_from_its_update_policy() {
    let group = |policy: Json, version: &str| {
        let mut g = json!({"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
            "MinSize": "1", "MaxSize": "2",
            "LaunchTemplate": {"LaunchTemplateId": "lt-1", "Version": version}}});
        if !policy.is_null() {
            g["UpdatePolicy"] = policy;
        }
        cfn(json!({ "Fleet": g }))
    };
    let verdict = |policy: Json| {
        let p = one(
            Target::CloudFormation,
            &group(policy.clone(), "1"),
            &group(policy, "2"),
        );
        let fleet = &p.stacks[0].resources[0];
        (fleet.action, fleet.may_replace)
    };
    let rolling = json!({"AutoScalingRollingUpdate": {"MinInstancesInService": 1}});
    assert_eq!(verdict(Json::Null), (Action::Update, false));
    assert_eq!(verdict(rolling), (Action::Update, false));
    let replacing = json!({"AutoScalingReplacingUpdate": {"WillReplace": true}});
    assert_eq!(verdict(replacing), (Action::Replace, false));
    let string = json!({"AutoScalingReplacingUpdate": {"WillReplace": "true"}});
    assert_eq!(verdict(string), (Action::Replace, false));
    let decided_at_deploy =
        json!({"AutoScalingReplacingUpdate": {"WillReplace": {"Fn::If": ["Blue", true, false]}}});
    assert_eq!(verdict(decided_at_deploy), (Action::Update, true));
}

/// A changed setting says what changed, before and after (a section, a parameter's default), not only
/// that it changed.
#[test]
fn a_changed_setting_says_what_changed() {
    let before = json!({"terraform": {"required_version": ">= 1.0.0"}, "resource": {}});
    let after = json!({"terraform": {"required_version": ">= 1.1.0"}, "resource": {}});
    let p = one(Target::Terraform, &before, &after);
    assert_eq!(
        p.stacks[0].settings,
        ["terraform (changed: required_version \">= 1.0.0\" -> \">= 1.1.0\")"]
    );
    let before =
        json!({"Parameters": {"Size": {"Type": "String", "Default": "small"}}, "Resources": {}});
    let after =
        json!({"Parameters": {"Size": {"Type": "String", "Default": "large"}}, "Resources": {}});
    let p = one(Target::CloudFormation, &before, &after);
    assert_eq!(
        p.stacks[0].settings,
        ["parameter Size (changed: Default \"small\" -> \"large\")"]
    );
}

#[test]
fn a_markdown_plan_longer_than_a_comment_is_cut_at_whole_rows_and_says_so() {
    let topics = |name: &str| {
        let resources: serde_json::Map<String, Json> = (0..400)
            .map(|i| {
                let topic = json!({"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": format!("{name}-{i}")}});
                (format!("Topic{i}"), topic)
            })
            .collect();
        cfn(Json::Object(resources))
    };
    let p = one(Target::CloudFormation, &topics("a"), &topics("b"));
    let whole = crate::render::markdown(&p);
    assert!(
        whole.len() < crate::render::COMMENT_LIMIT,
        "{}",
        whole.len()
    );
    assert!(!whole.contains("left out to fit a comment"));
    assert_eq!(
        crate::render::markdown_within(&p, whole.len() + 4096),
        whole
    );

    let limit = 12_000;
    let cut = crate::render::markdown_within(&p, limit);
    assert!(cut.len() <= limit, "{}", cut.len());
    assert!(
        cut.contains("more resources, left out to fit a comment"),
        "{cut}"
    );
    assert!(cut.contains("`plan --format human` or `plan --format json` gives all of it"));
    // Whole rows only, and the section still closes.
    assert_eq!(
        cut.matches("<details>").count(),
        cut.matches("</details>").count()
    );
    let row = |l: &&str| l.starts_with("| update |");
    assert!(cut.lines().filter(row).all(|l| l.ends_with(" |")));
    assert!(cut.lines().filter(row).count() < 400);
    assert!(whole.starts_with(&cut[..cut.find("| update |").unwrap()]));
}

#[test]
fn a_caller_warning_reaches_the_changes_of_its_resource_once_and_is_counted() {
    let before =
        json!({"resource": {"aws_sns_topic": {"alerts": {"name": "a"}, "other": {"name": "o"}}}});
    let after =
        json!({"resource": {"aws_sns_topic": {"alerts": {"name": "b"}, "other": {"name": "p"}}}});
    let placed = |json| crate::unplaced(&[doc(Target::Terraform, json)]);
    let (before, after) = (placed(&before), placed(&after));
    let mut planner = crate::Planner::default();
    planner.add(&[(0, before[0].clone())], &[(0, after[0].clone())]);
    let is_alerts = |address: &str| address == "aws_sns_topic.alerts";
    for _ in 0..2 {
        planner.warn(
            "prod",
            "data",
            Target::Terraform,
            &is_alerts,
            "Terraform: no x",
        );
    }
    // Another stack or target: nothing.
    planner.warn(
        "prod",
        "data",
        Target::CloudFormation,
        &|_| true,
        "elsewhere",
    );
    let plan = planner.finish();
    let resources = &plan.stacks[0].resources;
    let alerts = resources
        .iter()
        .find(|r| r.address == "aws_sns_topic.alerts")
        .unwrap();
    let other = resources
        .iter()
        .find(|r| r.address == "aws_sns_topic.other")
        .unwrap();
    assert_eq!(alerts.warnings, ["Terraform: no x"]);
    assert!(other.warnings.is_empty());
    assert_eq!(
        (plan.stacks[0].summary.warnings, plan.summary.warnings),
        (1, 1)
    );
}
