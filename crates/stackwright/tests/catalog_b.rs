//! The catalog's identity, data and operations types: one small case per type checking its lowering to
//! both targets, their secure defaults and named opt-outs, bad input, and that no secret reaches an
//! artifact in plain text.

use crate::support::{artifacts, fails, line_below, one_stack, CFN, TF};
use serde_json::{json, Value as Json};
use stackwright::aws::cloudwatch::{Alarm, Comparison, Metric, Statistic, TreatMissingData};
use stackwright::aws::dynamodb::{self, Key};
use stackwright::aws::ec2::{self, VpcFlowLogs};
use stackwright::aws::iam::{self, PolicyDocument, Principal, Statement};
use stackwright::aws::rds::{self, Engine};
use stackwright::aws::{kms, logs, s3, secretsmanager, ssm};
use stackwright::{Expr, RemovalPolicy, Stack};

/// The default tags every taggable CloudFormation resource of the test app carries; `check` leaves them
/// out of what it compares, so that cases show what each type adds.
fn default_tags() -> Json {
    json!([
        {"Key": "app", "Value": "demo"},
        {"Key": "environment", "Value": "dev"},
        {"Key": "managed-by", "Value": "stackwright"}
    ])
}

/// `value` without `"Tags"` entries that are exactly the default tags.
fn without_default_tags(value: &Json) -> Json {
    match value {
        Json::Object(map) => Json::Object(
            map.iter()
                .filter(|(k, v)| !(k.as_str() == "Tags" && **v == default_tags()))
                .map(|(k, v)| (k.clone(), without_default_tags(v)))
                .collect(),
        ),
        Json::Array(items) => Json::Array(items.iter().map(without_default_tags).collect()),
        other => other.clone(),
    }
}

/// Synthesizes a one-stack app defined by `define` and checks JSON pointers into both artifacts
/// (`cfn` into the template, `tf` into the Terraform module; default tags left out). Returns both
/// documents for further checks.
fn check(
    define: impl Fn(&mut Stack) + Send + Sync + 'static,
    cfn: &[(&str, Json)],
    tf: &[(&str, Json)],
) -> (Json, Json) {
    let mut docs = artifacts(&one_stack(define));
    let (template, module) = (docs.remove(CFN).unwrap(), docs.remove(TF).unwrap());
    for (doc, expectations, what) in [
        (&template, cfn, "CloudFormation"),
        (&module, tf, "Terraform"),
    ] {
        for (pointer, expected) in expectations {
            let found = doc
                .pointer(pointer)
                .unwrap_or_else(|| panic!("{what}: nothing at {pointer} in\n{doc:#}"));
            assert_eq!(&without_default_tags(found), expected, "{what}: {pointer}");
        }
    }
    (template, module)
}

fn role(s: &mut Stack) -> iam::RoleHandle {
    s.add(iam::Role::for_service("App", "ec2.amazonaws.com"))
}

#[test]
fn iam_role_with_trust_policy_managed_policy_and_instance_profile() {
    check(
        |s| {
            let role = s.add(
                iam::Role::for_service("App", "ec2.amazonaws.com")
                    .description("app servers")
                    .max_session_duration_seconds(7200)
                    .managed_policy("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"),
            );
            s.add(iam::InstanceProfile::new("AppProfile", &role));
        },
        &[
            ("/Resources/App/Type", json!("AWS::IAM::Role")),
            (
                "/Resources/App/Properties/AssumeRolePolicyDocument",
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}]}),
            ),
            ("/Resources/App/Properties/MaxSessionDuration", json!(7200)),
            (
                "/Resources/App/Properties/ManagedPolicyArns",
                json!(["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]),
            ),
            (
                "/Resources/AppProfile",
                json!({"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [{"Ref": "App"}]}}),
            ),
        ],
        &[
            (
                "/resource/aws_iam_role/app",
                json!({"assume_role_policy": "${data.aws_iam_policy_document.app_assume_role_policy.json}", "description": "app servers", "max_session_duration": 7200}),
            ),
            (
                "/data/aws_iam_policy_document/app_assume_role_policy",
                json!({"version": "2012-10-17", "statement": [{"effect": "Allow", "actions": ["sts:AssumeRole"], "principals": [{"type": "Service", "identifiers": ["ec2.amazonaws.com"]}]}]}),
            ),
            (
                "/resource/aws_iam_role_policy_attachment/app_managed_policy_amazon_ssm_managed_instance_core",
                json!({"role": "${aws_iam_role.app.name}", "policy_arn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"}),
            ),
            (
                "/resource/aws_iam_instance_profile/app_profile",
                json!({"role": "${aws_iam_role.app.name}"}),
            ),
        ],
    );
}

#[test]
fn iam_inline_and_managed_policies() {
    check(
        |s| {
            let role = role(s);
            let document = || {
                PolicyDocument::from(
                    Statement::allow()
                        .sid("ReadParams")
                        .actions(["ssm:GetParameter", "ssm:GetParameters"])
                        .resource("arn:aws:ssm:us-west-2:123456789012:parameter/app/*")
                        .condition("StringEquals", "aws:RequestedRegion", ["us-west-2"]),
                )
            };
            s.add(iam::RolePolicy::new("ReadParams", &role, document()));
            s.add(
                iam::ManagedPolicy::new("Shared", document())
                    .description("shared read access")
                    .attach_to(&role),
            );
        },
        &[
            ("/Resources/ReadParams/Type", json!("AWS::IAM::Policy")),
            (
                "/Resources/ReadParams/Properties/PolicyName",
                json!("ReadParams"),
            ),
            (
                "/Resources/ReadParams/Properties/Roles",
                json!([{"Ref": "App"}]),
            ),
            (
                "/Resources/ReadParams/Properties/PolicyDocument/Statement/0",
                json!({"Sid": "ReadParams", "Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters"], "Resource": ["arn:aws:ssm:us-west-2:123456789012:parameter/app/*"], "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-west-2"]}}}),
            ),
            ("/Resources/Shared/Type", json!("AWS::IAM::ManagedPolicy")),
            (
                "/Resources/Shared/Properties/Roles",
                json!([{"Ref": "App"}]),
            ),
        ],
        &[
            (
                "/resource/aws_iam_role_policy/read_params",
                json!({"name": "ReadParams", "role": "${aws_iam_role.app.name}", "policy": "${data.aws_iam_policy_document.read_params_policy_document.json}"}),
            ),
            (
                "/data/aws_iam_policy_document/read_params_policy_document/statement/0/condition",
                json!([{"test": "StringEquals", "variable": "aws:RequestedRegion", "values": ["us-west-2"]}]),
            ),
            (
                "/resource/aws_iam_policy/shared",
                json!({"policy": "${data.aws_iam_policy_document.shared_policy_document.json}", "description": "shared read access"}),
            ),
            (
                "/resource/aws_iam_role_policy_attachment/shared_attachment_app",
                json!({"role": "${aws_iam_role.app.name}", "policy_arn": "${aws_iam_policy.shared.arn}"}),
            ),
        ],
    );
}

#[test]
fn iam_policy_variables_stay_literal_beside_references() {
    check(
        |s| {
            let role = role(s);
            let bucket = s.add(s3::Bucket::new("Homes"));
            let statement = Statement::allow().action("s3:GetObject").resources([
                Expr::from("arn:aws:s3:::shared/${aws:username}/*"),
                bucket.arn_for_objects("${aws:username}/*"),
            ]);
            s.add(iam::RolePolicy::new("HomeAccess", &role, statement.into()));
        },
        &[(
            "/Resources/HomeAccess/Properties/PolicyDocument/Statement/0/Resource",
            json!([{"Fn::Sub": "arn:aws:s3:::shared/${!aws:username}/*"}, {"Fn::Sub": "${Homes.Arn}/${!aws:username}/*"}]),
        )],
        &[(
            "/data/aws_iam_policy_document/home_access_policy_document/statement/0/resources",
            json!([
                "arn:aws:s3:::shared/$${aws:username}/*",
                "${aws_s3_bucket.homes.arn}/$${aws:username}/*"
            ]),
        )],
    );
}

#[test]
fn grants_are_inline_policies_scoped_to_the_resource() {
    let (template, module) = check(
        |s| {
            let role = role(s);
            let key = s.add(kms::Key::new("Key"));
            let bucket = s.add(s3::Bucket::new("Assets").encryption_key(&key));
            s.add(bucket.grant_read(&role));
            s.add(bucket.grant_read_write(&role));
            s.add(key.grant_decrypt(&role));
        },
        &[
            ("/Resources/AppAssetsRead/Type", json!("AWS::IAM::Policy")),
            (
                "/Resources/AppAssetsRead/Properties/PolicyName",
                json!("App-Assets-Read"),
            ),
            (
                "/Resources/AppAssetsRead/Properties/PolicyDocument/Statement",
                json!([
                    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:GetBucketLocation"], "Resource": [{"Fn::GetAtt": ["Assets", "Arn"]}, {"Fn::Sub": "${Assets.Arn}/*"}]},
                    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": [{"Fn::GetAtt": ["Key", "Arn"]}]}
                ]),
            ),
            (
                "/Resources/AppKeyDecrypt/Properties/PolicyDocument/Statement/0/Resource",
                json!([{"Fn::GetAtt": ["Key", "Arn"]}]),
            ),
        ],
        &[
            (
                "/resource/aws_iam_role_policy/app_assets_read_write/name",
                json!("App-Assets-ReadWrite"),
            ),
            (
                "/data/aws_iam_policy_document/app_assets_read_write_policy_document/statement/1",
                json!({"effect": "Allow", "actions": ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], "resources": ["${aws_s3_bucket.assets.arn}/*"]}),
            ),
        ],
    );
    // No grant hands out a wildcard resource.
    for (id, policy) in template["Resources"].as_object().unwrap() {
        if policy["Type"] == "AWS::IAM::Policy" {
            assert!(!policy.to_string().contains(r#""Resource":["*"]"#), "{id}");
        }
    }
    for name in [
        "app_assets_read_policy_document",
        "app_assets_read_write_policy_document",
        "app_key_decrypt_policy_document",
    ] {
        let document = &module["data"]["aws_iam_policy_document"][name];
        assert!(
            !document.to_string().contains(r#""resources":["*"]"#),
            "{name}"
        );
    }
}

#[test]
fn kms_key_rotates_delegates_to_iam_and_is_retained() {
    check(
        |s| {
            let key = s.add(
                kms::Key::new("Key")
                    .description("data at rest")
                    .pending_window_days(7)
                    .allow_cloudwatch_logs(),
            );
            s.add(kms::Alias::new("KeyAlias", "alias/app-data", &key));
        },
        &[
            ("/Resources/Key/DeletionPolicy", json!("Retain")),
            ("/Resources/Key/UpdateReplacePolicy", json!("Retain")),
            ("/Resources/Key/Properties/EnableKeyRotation", json!(true)),
            ("/Resources/Key/Properties/PendingWindowInDays", json!(7)),
            (
                "/Resources/Key/Properties/KeyPolicy/Statement/0",
                json!({"Sid": "EnableIamPolicies", "Effect": "Allow", "Principal": {"AWS": [{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}]}, "Action": ["kms:*"], "Resource": ["*"]}),
            ),
            (
                "/Resources/Key/Properties/KeyPolicy/Statement/1/Principal",
                json!({"Service": [{"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}]}),
            ),
            (
                "/Resources/KeyAlias",
                json!({"Type": "AWS::KMS::Alias", "Properties": {"AliasName": "alias/app-data", "TargetKeyId": {"Ref": "Key"}}}),
            ),
        ],
        &[
            (
                "/resource/aws_kms_key/key",
                json!({"description": "data at rest", "enable_key_rotation": true, "deletion_window_in_days": 7, "policy": "${data.aws_iam_policy_document.key_key_policy.json}", "lifecycle": {"prevent_destroy": true}}),
            ),
            (
                "/data/aws_iam_policy_document/key_key_policy/statement/0/principals",
                json!([{"type": "AWS", "identifiers": ["arn:aws:iam::123456789012:root"]}]),
            ),
            (
                "/data/aws_iam_policy_document/key_key_policy/statement/1/principals/0/identifiers",
                json!(["logs.us-west-2.amazonaws.com"]),
            ),
            (
                "/resource/aws_kms_alias/key_alias",
                json!({"name": "alias/app-data", "target_key_id": "${aws_kms_key.key.key_id}"}),
            ),
        ],
    );
}

#[test]
fn s3_bucket_is_secure_by_default() {
    check(
        |s| {
            s.add(s3::Bucket::new("Assets"));
        },
        &[
            ("/Resources/Assets/DeletionPolicy", json!("Retain")),
            (
                "/Resources/Assets/Properties",
                json!({
                    "VersioningConfiguration": {"Status": "Enabled"},
                    "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
                    "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
                    "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                    "LifecycleConfiguration": {"Rules": [{"Id": "AbortIncompleteMultipartUploads", "Status": "Enabled", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]}
                }),
            ),
            (
                "/Resources/AssetsPolicy",
                json!({"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Assets"}, "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": ["s3:*"],
                    "Resource": [{"Fn::GetAtt": ["Assets", "Arn"]}, {"Fn::Sub": "${Assets.Arn}/*"}],
                    "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}}]}}}),
            ),
        ],
        &[
            ("/resource/aws_s3_bucket/assets/lifecycle", json!({"prevent_destroy": true})),
            (
                "/resource/aws_s3_bucket_versioning/assets_versioning",
                json!({"bucket": "${aws_s3_bucket.assets.id}", "versioning_configuration": {"status": "Enabled"}}),
            ),
            (
                "/resource/aws_s3_bucket_server_side_encryption_configuration/assets_encryption/rule",
                json!([{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]),
            ),
            (
                "/resource/aws_s3_bucket_public_access_block/assets_public_access_block",
                json!({"bucket": "${aws_s3_bucket.assets.id}", "block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true}),
            ),
            (
                "/resource/aws_s3_bucket_ownership_controls/assets_ownership_controls/rule",
                json!({"object_ownership": "BucketOwnerEnforced"}),
            ),
            (
                "/resource/aws_s3_bucket_lifecycle_configuration/assets_lifecycle/depends_on",
                json!(["aws_s3_bucket_versioning.assets_versioning"]),
            ),
            (
                "/resource/aws_s3_bucket_policy/assets_policy",
                json!({"bucket": "${aws_s3_bucket.assets.id}", "policy": "${data.aws_iam_policy_document.assets_policy.json}", "depends_on": ["aws_s3_bucket_public_access_block.assets_public_access_block"]}),
            ),
            (
                "/data/aws_iam_policy_document/assets_policy/statement/0",
                json!({"sid": "DenyInsecureTransport", "effect": "Deny", "actions": ["s3:*"],
                    "resources": ["${aws_s3_bucket.assets.arn}", "${aws_s3_bucket.assets.arn}/*"],
                    "principals": [{"type": "*", "identifiers": ["*"]}],
                    "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]}),
            ),
        ],
    );
}

#[test]
fn s3_bucket_opt_outs_are_explicit() {
    let (template, module) = check(
        |s| {
            let logs = s.add(s3::Bucket::new("Logs").allow_access_log_delivery());
            s.add(
                s3::Bucket::new("Site")
                    .name("site")
                    .disable_versioning_insecure()
                    .allow_public_access_insecure()
                    .enable_acls_insecure()
                    .allow_insecure_transport_insecure()
                    .server_access_logs(&logs, "site/")
                    .eventbridge_notifications()
                    .noncurrent_version_expiration_days(30)
                    .removal_policy(RemovalPolicy::Destroy),
            );
        },
        &[
            ("/Resources/Site/Properties/BucketName", json!("demo-dev-site")),
            (
                "/Resources/Site/Properties/PublicAccessBlockConfiguration/BlockPublicPolicy",
                json!(false),
            ),
            (
                "/Resources/Site/Properties/OwnershipControls/Rules/0/ObjectOwnership",
                json!("BucketOwnerPreferred"),
            ),
            (
                "/Resources/Site/Properties/LoggingConfiguration",
                json!({"DestinationBucketName": {"Ref": "Logs"}, "LogFilePrefix": "site/"}),
            ),
            (
                "/Resources/Site/Properties/NotificationConfiguration",
                json!({"EventBridgeConfiguration": {"EventBridgeEnabled": true}}),
            ),
            (
                "/Resources/Site/Properties/LifecycleConfiguration/Rules/1/NoncurrentVersionExpiration",
                json!({"NoncurrentDays": 30}),
            ),
            (
                "/Resources/LogsPolicy/Properties/PolicyDocument/Statement/1/Principal",
                json!({"Service": ["logging.s3.amazonaws.com"]}),
            ),
        ],
        &[
            ("/resource/aws_s3_bucket/site/bucket", json!("demo-dev-site")),
            (
                "/resource/aws_s3_bucket_logging/site_logging",
                json!({"bucket": "${aws_s3_bucket.site.id}", "target_bucket": "${aws_s3_bucket.logs.id}", "target_prefix": "site/"}),
            ),
            (
                "/resource/aws_s3_bucket_notification/site_notification",
                json!({"bucket": "${aws_s3_bucket.site.id}", "eventbridge": true}),
            ),
            (
                "/resource/aws_s3_bucket_public_access_block/site_public_access_block/restrict_public_buckets",
                json!(false),
            ),
        ],
    );
    let site = &template["Resources"]["Site"];
    assert!(site.get("DeletionPolicy").is_none());
    assert!(site["Properties"].get("VersioningConfiguration").is_none());
    assert!(
        template["Resources"].get("SitePolicy").is_none(),
        "no TLS-only policy"
    );
    let resources = &module["resource"];
    assert!(resources["aws_s3_bucket_versioning"]
        .get("site_versioning")
        .is_none());
    assert!(resources["aws_s3_bucket_policy"]
        .get("site_policy")
        .is_none());
}

#[test]
fn checks_that_do_not_apply_are_skipped_with_a_reason_in_both_targets() {
    let (template, module) = check(
        |s| {
            s.add(s3::Bucket::new("Assets"));
        },
        &[],
        &[],
    );
    let skip = &template["Resources"]["Assets"]["Metadata"]["checkov"]["skip"][0];
    assert_eq!(skip["id"], "CKV_AWS_18");
    assert!(skip["comment"]
        .as_str()
        .unwrap()
        .contains(".server_access_logs("));
    let comments = module["resource"]["aws_s3_bucket"]["assets"]["//"]
        .as_array()
        .unwrap();
    assert!(comments.iter().any(|c| c
        .as_str()
        .unwrap()
        .starts_with("checkov:skip=CKV_AWS_144: ")));
}

#[test]
fn accepted_findings_reach_every_block_a_resource_splits_into() {
    const REASON: &str = "redirected to HTTPS";
    let (template, module) = check(
        |s| {
            let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            s.add(
                ec2::SecurityGroup::new("Web", &vpc, "web")
                    .allow_ingress(ec2::Peer::any_ipv4(), ec2::Port::tcp(80), "HTTP")
                    .accept_finding("CKV_AWS_260", REASON),
            );
            s.add(s3::Bucket::new("Assets").accept_finding("CKV_AWS_70", "a reason"));
        },
        &[
            (
                "/Resources/Web/Metadata/checkov/skip",
                json!([{"id": "CKV_AWS_260", "comment": REASON}]),
            ),
            // The bucket's own skips follow the user's; its policy carries the user's only.
            (
                "/Resources/Assets/Metadata/checkov/skip/0",
                json!({"id": "CKV_AWS_70", "comment": "a reason"}),
            ),
            (
                "/Resources/AssetsPolicy/Metadata/checkov/skip",
                json!([{"id": "CKV_AWS_70", "comment": "a reason"}]),
            ),
        ],
        &[
            (
                "/resource/aws_security_group/web/~1~1",
                json!(["checkov:skip=CKV_AWS_260: redirected to HTTPS"]),
            ),
            // checkov reports an open port on the rule, a block of its own in Terraform.
            (
                "/resource/aws_vpc_security_group_ingress_rule/web_ingress_tcp_80_from_0_0_0_0_0/~1~1",
                json!(["checkov:skip=CKV_AWS_260: redirected to HTTPS"]),
            ),
            (
                "/data/aws_iam_policy_document/assets_policy/~1~1/0",
                json!("checkov:skip=CKV_AWS_70: a reason"),
            ),
        ],
    );
    let entries = template["Resources"].as_object().unwrap();
    let policy: Vec<&str> = entries["AssetsPolicy"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(policy, ["Type", "Metadata", "Properties"]);
    assert!(
        module
            .to_string()
            .matches("checkov:skip=CKV_AWS_70")
            .count()
            >= 2
    );
}

#[test]
fn bad_identity_and_data_input_is_located() {
    let (role_at, statement_at) = (line_below(2), line_below(4));
    let app = one_stack(|s| {
        let role = s.add(iam::Role::new(
            "Trust",
            PolicyDocument::from(Statement::allow().action("sts:AssumeRole").resource("*")),
        ));
        s.add(iam::RolePolicy::new(
            "Bad",
            &role,
            PolicyDocument::from(
                Statement::allow()
                    .action("s3GetObject")
                    .principal(Principal::any())
                    .condition("StringEqualz", "aws:SourceAccount", ["1"]),
            ),
        ));
        s.add(s3::Bucket::new("Bucket").name("Not_A_Bucket"));
        let key = s.add(kms::Key::new("Key").pending_window_days(3));
        s.add(kms::Alias::new("Alias", "alias/aws/mine", &key));
        s.add(iam::Role::for_service("Named", "ec2.amazonaws.com").name("has space"));
    });
    fails(
        &app,
        &[
            "trust policy statement 1 (declared at",
            "has no principal: expected `.principal(...)`",
            "names resources: a trust policy applies to its role",
            "resource `Trust`",
            &role_at,
            &format!("(declared at {})", statement_at.trim_end_matches(':')),
            "has invalid action `s3GetObject`: expected `service:Action`",
            "names a principal: a policy attached to a role applies to that role",
            "has no resources",
            "has unknown condition operator `StringEqualz`",
            "invalid physical name `demo-dev-Not_A_Bucket` (name `Not_A_Bucket` in naming pattern `{app}-{env}-{name}`): S3 bucket name: it contains `N`, `_`, `A`, `B`, expected only lowercase letters, digits, `.` and `-`",
            "key pending window 3 days is out of range: expected 7 to 30",
            "invalid KMS alias `alias/aws/mine`: `alias/aws/` is reserved",
            "IAM role name: it contains ` `",
        ],
    );
}

#[test]
fn names_of_split_resources_collide_like_any_other() {
    let app = one_stack(|s| {
        s.add(s3::Bucket::new("Assets"));
        s.add(kms::Key::new("AssetsPolicy"));
        s.add(kms::Key::new("assets_versioning"));
    });
    fails(
        &app,
        &[
            "`Assets` and `AssetsPolicy` (declared at",
            "both become CloudFormation logical id `AssetsPolicy`",
            "`Assets` and `assets_versioning` (declared at",
            "both become Terraform name `assets_versioning`",
        ],
    );
}

#[test]
fn rds_instance_is_private_encrypted_backed_up_protected_and_snapshotted() {
    check(
        |s| {
            let (vpc, group) = db_subnets(s);
            let sg = s.add(ec2::SecurityGroup::new("DbSg", &vpc, "database"));
            let db = s.add(
                rds::DbInstance::new("Db", Engine::Postgres, "db.t4g.micro", &group)
                    .engine_version("16.9")
                    .security_group(&sg)
                    .database_name("app"),
            );
            let role = role(s);
            s.add(db.grant_connect(&role, "app"));
            s.output("Endpoint", interpolate_endpoint(&db));
            s.output("MasterSecret", db.master_user_secret_arn());
        },
        &[
            (
                "/Resources/DbSubnets",
                json!({"Type": "AWS::RDS::DBSubnetGroup", "Properties": {"DBSubnetGroupDescription": "private", "SubnetIds": [{"Ref": "A"}, {"Ref": "B"}]}}),
            ),
            ("/Resources/Db/DeletionPolicy", json!("Snapshot")),
            ("/Resources/Db/UpdateReplacePolicy", json!("Snapshot")),
            (
                "/Resources/Db/Properties",
                json!({
                    "Engine": "postgres", "EngineVersion": "16.9", "DBInstanceClass": "db.t4g.micro",
                    "DBSubnetGroupName": {"Ref": "DbSubnets"}, "VPCSecurityGroups": [{"Fn::GetAtt": ["DbSg", "GroupId"]}],
                    "DBName": "app", "AllocatedStorage": "20", "StorageType": "gp3", "StorageEncrypted": true,
                    "MasterUsername": "dbadmin", "ManageMasterUserPassword": true, "MultiAZ": false,
                    "PubliclyAccessible": false, "BackupRetentionPeriod": 7, "DeletionProtection": true,
                    "EnableIAMDatabaseAuthentication": true, "CopyTagsToSnapshot": true,
                    "AutoMinorVersionUpgrade": true, "EnableCloudwatchLogsExports": ["postgresql", "upgrade"]
                }),
            ),
            (
                "/Outputs/Endpoint/Value",
                json!({"Fn::Sub": "${Db.Endpoint.Address}:${Db.Endpoint.Port}"}),
            ),
            (
                "/Outputs/MasterSecret/Value",
                json!({"Fn::GetAtt": ["Db", "MasterUserSecret.SecretArn"]}),
            ),
            (
                "/Resources/AppDbappConnect/Properties/PolicyDocument/Statement/0/Resource",
                json!([{"Fn::Sub": "arn:${AWS::Partition}:rds-db:${AWS::Region}:${AWS::AccountId}:dbuser:${Db.DbiResourceId}/app"}]),
            ),
        ],
        &[
            (
                "/resource/aws_db_subnet_group/db_subnets",
                json!({"description": "private", "subnet_ids": ["${aws_subnet.a.id}", "${aws_subnet.b.id}"]}),
            ),
            (
                "/resource/aws_db_instance/db/manage_master_user_password",
                json!(true),
            ),
            ("/resource/aws_db_instance/db/allocated_storage", json!(20)),
            ("/resource/aws_db_instance/db/publicly_accessible", json!(false)),
            ("/resource/aws_db_instance/db/backup_retention_period", json!(7)),
            ("/resource/aws_db_instance/db/deletion_protection", json!(true)),
            (
                "/resource/aws_db_instance/db/iam_database_authentication_enabled",
                json!(true),
            ),
            ("/resource/aws_db_instance/db/skip_final_snapshot", json!(false)),
            (
                "/resource/aws_db_instance/db/final_snapshot_identifier",
                json!("demo-dev-main-Db-final"),
            ),
            ("/resource/aws_db_instance/db/lifecycle", json!({"prevent_destroy": true})),
            (
                "/output/endpoint/value",
                json!("${aws_db_instance.db.address}:${aws_db_instance.db.port}"),
            ),
            (
                "/output/master_secret/value",
                json!("${aws_db_instance.db.master_user_secret[0].secret_arn}"),
            ),
            (
                "/data/aws_iam_policy_document/app_db_app_connect_policy_document/statement/0/resources",
                json!(["arn:aws:rds-db:us-west-2:123456789012:dbuser:${aws_db_instance.db.resource_id}/app"]),
            ),
        ],
    );
}

/// A VPC with two subnets and a DB subnet group over them.
fn db_subnets(s: &mut Stack) -> (ec2::VpcHandle, rds::DbSubnetGroupHandle) {
    let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    let a = s.add(ec2::Subnet::new("A", &vpc, "10.0.1.0/24"));
    let b = s.add(ec2::Subnet::new("B", &vpc, "10.0.2.0/24"));
    let group = s.add(rds::DbSubnetGroup::new("DbSubnets", "private", &[&a, &b]));
    (vpc, group)
}

fn interpolate_endpoint(db: &rds::DbInstanceHandle) -> Expr {
    stackwright::interpolate![db.address(), ":", db.port()]
}

#[test]
fn rds_opt_outs_and_options() {
    check(
        |s| {
            let (_, group) = db_subnets(s);
            let key = s.add(kms::Key::new("Key"));
            let monitoring = s.add(iam::Role::for_service(
                "Monitoring",
                "monitoring.rds.amazonaws.com",
            ));
            s.add(
                rds::DbInstance::new("Db", Engine::MySql, "db.t4g.small", &group)
                    .encryption_key(&key)
                    .multi_az(true)
                    .port(3307)
                    .backup_retention_days(35)
                    .performance_insights(7)
                    .enhanced_monitoring(60, &monitoring)
                    .allow_public_access_insecure()
                    .disable_deletion_protection_insecure()
                    .disable_iam_authentication()
                    .removal_policy(RemovalPolicy::Destroy),
            );
        },
        &[
            ("/Resources/Db/Properties/Port", json!("3307")),
            ("/Resources/Db/Properties/MultiAZ", json!(true)),
            ("/Resources/Db/Properties/PubliclyAccessible", json!(true)),
            ("/Resources/Db/Properties/DeletionProtection", json!(false)),
            (
                "/Resources/Db/Properties/EnableIAMDatabaseAuthentication",
                json!(false),
            ),
            (
                "/Resources/Db/Properties/MasterUserSecret",
                json!({"KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}}),
            ),
            (
                "/Resources/Db/Properties/EnablePerformanceInsights",
                json!(true),
            ),
            (
                "/Resources/Db/Properties/EnableCloudwatchLogsExports",
                json!(["error", "general", "slowquery"]),
            ),
        ],
        &[
            ("/resource/aws_db_instance/db/port", json!(3307)),
            (
                "/resource/aws_db_instance/db/skip_final_snapshot",
                json!(true),
            ),
            (
                "/resource/aws_db_instance/db/master_user_secret_kms_key_id",
                json!("${aws_kms_key.key.arn}"),
            ),
            (
                "/resource/aws_db_instance/db/performance_insights_kms_key_id",
                json!("${aws_kms_key.key.arn}"),
            ),
            (
                "/resource/aws_db_instance/db/monitoring_role_arn",
                json!("${aws_iam_role.monitoring.arn}"),
            ),
        ],
    );
}

#[test]
fn rds_master_user_secret_grant_reads_the_secret_and_its_key() {
    check(
        |s| {
            let (_, group) = db_subnets(s);
            let key = s.add(kms::Key::new("Key"));
            let plain = s.add(rds::DbInstance::new(
                "Plain",
                Engine::Postgres,
                "db.t4g.micro",
                &group,
            ));
            let keyed = s.add(
                rds::DbInstance::new("Keyed", Engine::Postgres, "db.t4g.micro", &group)
                    .encryption_key(&key),
            );
            let role = role(s);
            s.add(plain.grant_read_master_user_secret(&role));
            s.add(keyed.grant_read_master_user_secret(&role));
        },
        &[
            (
                "/Resources/AppPlainMasterUserSecretRead/Properties/PolicyName",
                json!("App-Plain-MasterUserSecret-Read"),
            ),
            // RDS's own key (aws/secretsmanager) needs no grant; only the secret is named.
            (
                "/Resources/AppPlainMasterUserSecretRead/Properties/PolicyDocument/Statement",
                json!([{"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                        "Resource": [{"Fn::GetAtt": ["Plain", "MasterUserSecret.SecretArn"]}]}]),
            ),
            (
                "/Resources/AppKeyedMasterUserSecretRead/Properties/PolicyDocument/Statement",
                json!([
                    {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                     "Resource": [{"Fn::GetAtt": ["Keyed", "MasterUserSecret.SecretArn"]}]},
                    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": [{"Fn::GetAtt": ["Key", "Arn"]}]}
                ]),
            ),
        ],
        &[(
            "/data/aws_iam_policy_document/app_keyed_master_user_secret_read_policy_document/statement",
            json!([
                {"effect": "Allow", "actions": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                 "resources": ["${aws_db_instance.keyed.master_user_secret[0].secret_arn}"]},
                {"effect": "Allow", "actions": ["kms:Decrypt", "kms:DescribeKey"], "resources": ["${aws_kms_key.key.arn}"]}
            ]),
        )],
    );
}

#[test]
fn dynamodb_table_is_encrypted_recoverable_and_protected() {
    let (template, module) = check(
        |s| {
            let key = s.add(kms::Key::new("Key"));
            s.add(
                dynamodb::Table::new("Orders", Key::string("pk"))
                    .sort_key(Key::number("sk"))
                    .time_to_live_attribute("expires")
                    .encryption_key(&key),
            );
            let plain = s.add(
                dynamodb::Table::new("Plain", Key::binary("id"))
                    .name("plain-table")
                    .provisioned(5, 2)
                    .disable_point_in_time_recovery_insecure()
                    .disable_deletion_protection_insecure(),
            );
            let role = role(s);
            s.add(plain.grant_read(&role));
        },
        &[
            ("/Resources/Orders/DeletionPolicy", json!("Retain")),
            (
                "/Resources/Orders/Properties",
                json!({
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
                    "BillingMode": "PAY_PER_REQUEST",
                    "SSESpecification": {"SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": {"Fn::GetAtt": ["Key", "Arn"]}},
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true},
                    "DeletionProtectionEnabled": true,
                    "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": true}
                }),
            ),
            (
                "/Resources/Plain/Properties/TableName",
                json!("demo-dev-plain-table"),
            ),
            (
                "/Resources/Plain/Properties/ProvisionedThroughput",
                json!({"ReadCapacityUnits": 5, "WriteCapacityUnits": 2}),
            ),
            (
                "/Resources/Plain/Properties/SSESpecification",
                json!({"SSEEnabled": true}),
            ),
            (
                "/Resources/AppPlainRead/Properties/PolicyDocument/Statement/0/Resource",
                json!([{"Fn::GetAtt": ["Plain", "Arn"]}, {"Fn::Sub": "${Plain.Arn}/index/*"}]),
            ),
        ],
        &[
            (
                "/resource/aws_dynamodb_table/orders",
                json!({
                    "name": "demo-dev-main-Orders", "billing_mode": "PAY_PER_REQUEST", "hash_key": "pk", "range_key": "sk",
                    "attribute": [{"name": "pk", "type": "S"}, {"name": "sk", "type": "N"}],
                    "server_side_encryption": {"enabled": true, "kms_key_arn": "${aws_kms_key.key.arn}"},
                    "point_in_time_recovery": {"enabled": true}, "deletion_protection_enabled": true,
                    "ttl": {"attribute_name": "expires", "enabled": true},
                    "lifecycle": {"prevent_destroy": true}
                }),
            ),
            (
                "/resource/aws_dynamodb_table/plain/name",
                json!("demo-dev-plain-table"),
            ),
            ("/resource/aws_dynamodb_table/plain/read_capacity", json!(5)),
            (
                "/resource/aws_dynamodb_table/plain/point_in_time_recovery",
                json!({"enabled": false}),
            ),
        ],
    );
    assert_eq!(
        template["Resources"]["Plain"]["Properties"]["DeletionProtectionEnabled"],
        json!(false)
    );
    assert_eq!(
        module["resource"]["aws_dynamodb_table"]["plain"]["deletion_protection_enabled"],
        json!(false)
    );
}

#[test]
fn ssm_parameters_are_plain_strings_and_string_lists() {
    check(
        |s| {
            let bucket = s.add(s3::Bucket::new("Assets"));
            let parameter = s.add(
                ssm::Parameter::string("AssetsBucket", "/app/assets-bucket", bucket.name())
                    .description("where assets live")
                    .tag("team", "web"),
            );
            s.add(ssm::Parameter::string_list(
                "Zones",
                "/app/zones",
                ["us-west-2a", "us-west-2b"],
            ));
            let role = role(s);
            s.add(parameter.grant_read(&role));
        },
        &[
            (
                "/Resources/AssetsBucket",
                json!({"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/app/assets-bucket", "Type": "String", "Value": {"Ref": "Assets"}, "Description": "where assets live",
                    "Tags": {"app": "demo", "environment": "dev", "managed-by": "stackwright", "team": "web"}}}),
            ),
            (
                "/Resources/Zones/Properties/Value",
                json!("us-west-2a,us-west-2b"),
            ),
            ("/Resources/Zones/Properties/Type", json!("StringList")),
            (
                "/Resources/AppAssetsBucketRead/Properties/PolicyDocument/Statement/0/Resource",
                json!([{"Fn::GetAtt": ["AssetsBucket", "Arn"]}]),
            ),
        ],
        &[
            (
                "/resource/aws_ssm_parameter/assets_bucket",
                json!({
                    "//": ["checkov:skip=CKV2_AWS_34: String parameters hold configuration; secrets belong in Secrets Manager, which generates them without plain text"],
                    "name": "/app/assets-bucket", "type": "String", "value": "${aws_s3_bucket.assets.id}",
                    "description": "where assets live", "tags": {"team": "web"}
                }),
            ),
            (
                "/resource/aws_ssm_parameter/zones/type",
                json!("StringList"),
            ),
        ],
    );
}

#[test]
fn secrets_are_generated_at_deploy_time() {
    check(
        |s| {
            let key = s.add(kms::Key::new("Key"));
            let secret = s.add(
                secretsmanager::Secret::generated("ApiToken")
                    .json_with_username("api \"svc\"")
                    .encryption_key(&key)
                    .description("partner api"),
            );
            s.add(secretsmanager::Secret::generated("Plain").password_length(40).exclude_punctuation());
            let role = role(s);
            s.add(secret.grant_read(&role));
            s.output("TokenArn", secret.arn());
        },
        &[
            ("/Resources/ApiToken/DeletionPolicy", json!("Retain")),
            (
                "/Resources/ApiToken/Properties",
                json!({
                    "Description": "partner api",
                    "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]},
                    "GenerateSecretString": {"PasswordLength": 32, "ExcludeCharacters": "\"'@/\\`", "SecretStringTemplate": "{\"username\":\"api \\\"svc\\\"\"}", "GenerateStringKey": "password"}
                }),
            ),
            (
                "/Resources/Plain/Properties/GenerateSecretString",
                json!({"PasswordLength": 40, "ExcludeCharacters": "\"'@/\\`", "ExcludePunctuation": true}),
            ),
            ("/Outputs/TokenArn/Value", json!({"Ref": "ApiToken"})),
            (
                "/Resources/AppApiTokenRead/Properties/PolicyDocument/Statement/1",
                json!({"Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": [{"Fn::GetAtt": ["Key", "Arn"]}]}),
            ),
        ],
        &[
            (
                "/resource/aws_secretsmanager_secret/api_token/lifecycle",
                json!({"prevent_destroy": true}),
            ),
            (
                "/data/aws_secretsmanager_random_password/api_token_password",
                json!({"password_length": 32, "exclude_characters": "\"'@/\\`"}),
            ),
            (
                "/resource/aws_secretsmanager_secret_version/api_token_version/secret_string",
                json!("${sensitive(jsonencode({\"username\" = \"api \\\"svc\\\"\", \"password\" = data.aws_secretsmanager_random_password.api_token_password.random_password}))}"),
            ),
            (
                "/resource/aws_secretsmanager_secret_version/api_token_version/lifecycle",
                json!({"ignore_changes": ["secret_string"]}),
            ),
            (
                "/resource/aws_secretsmanager_secret_version/api_token_version/secret_id",
                json!("${aws_secretsmanager_secret.api_token.id}"),
            ),
            (
                "/resource/aws_secretsmanager_secret_version/plain_version/secret_string",
                json!("${sensitive(data.aws_secretsmanager_random_password.plain_password.random_password)}"),
            ),
            ("/output/token_arn/value", json!("${aws_secretsmanager_secret.api_token.arn}")),
        ],
    );
}

/// Every string under a key that names a secret value, anywhere in a document.
fn secret_values<'a>(doc: &'a Json, out: &mut Vec<(String, &'a Json)>) {
    match doc {
        Json::Object(map) => {
            for (key, value) in map {
                let lower = key.to_ascii_lowercase();
                if ["password", "secret_string", "secretstring", "value_wo"]
                    .iter()
                    .any(|k| lower.contains(k))
                {
                    out.push((key.clone(), value));
                }
                secret_values(value, out);
            }
        }
        Json::Array(items) => items.iter().for_each(|v| secret_values(v, out)),
        _ => {}
    }
}

#[test]
fn no_secret_appears_in_plain_text_in_any_artifact() {
    let app = one_stack(|s| {
        let (_, group) = db_subnets(s);
        let db = s.add(rds::DbInstance::new(
            "Db",
            Engine::Postgres,
            "db.t4g.micro",
            &group,
        ));
        s.add(secretsmanager::Secret::generated("Token").json_with_username("svc"));
        s.add(secretsmanager::Secret::generated("Plain"));
        s.add(ssm::Parameter::string(
            "DbHost",
            "/app/db-host",
            db.address(),
        ));
        s.output("DbSecret", db.master_user_secret_arn());
    });
    let mut secret_strings = 0;
    for (path, doc) in artifacts(&app) {
        let text = doc.to_string();
        assert!(!text.contains(r#""MasterUserPassword""#), "{path}");
        assert!(!text.contains("SecureString"), "{path}");
        let mut found = Vec::new();
        secret_values(&doc, &mut found);
        for (key, value) in found {
            match (key.as_str(), value) {
                // Settings (`ManageMasterUserPassword`, `PasswordLength`) and the generator's spec.
                (_, Json::Bool(_) | Json::Number(_) | Json::Object(_)) => {}
                // CloudFormation: the JSON the generated password is added to holds no password.
                ("SecretStringTemplate", Json::String(template)) => {
                    assert!(!template.contains("password"), "{path}: {template}")
                }
                // Terraform: only a reference to the generator, never a literal.
                ("secret_string", Json::String(s)) => {
                    secret_strings += 1;
                    assert!(
                        s.starts_with("${sensitive(")
                            && s.contains("data.aws_secretsmanager_random_password."),
                        "{path}: {key} = {s}"
                    )
                }
                _ => panic!("{path}: `{key}` holds {value}"),
            }
        }
        if path.starts_with("terraform/") {
            let db = &doc["resource"]["aws_db_instance"]["db"];
            assert!(
                db.get("password").is_none() && db.get("password_wo").is_none(),
                "{path}"
            );
        }
    }
    assert_eq!(
        secret_strings, 2,
        "both Terraform secret versions were inspected"
    );
}

#[test]
fn log_groups_keep_a_year_by_default() {
    check(
        |s| {
            let key = s.add(kms::Key::new("Key").allow_cloudwatch_logs());
            let group = s.add(logs::LogGroup::new("AppLogs").retention_days(731).encryption_key(&key));
            s.add(logs::LogGroup::new("Default").name("default"));
            s.add(logs::LogGroup::new("Forever").retain_forever());
            let role = role(s);
            s.add(group.grant_write(&role));
        },
        &[
            (
                "/Resources/AppLogs",
                json!({"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                    "Properties": {"RetentionInDays": 731, "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}}}),
            ),
            (
                "/Resources/Default/Properties",
                json!({"LogGroupName": "demo-dev-default", "RetentionInDays": 365}),
            ),
            (
                "/Resources/AppAppLogsWrite/Properties/PolicyDocument/Statement/0/Resource",
                json!([
                    {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${AppLogs}"},
                    {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${AppLogs}:*"}
                ]),
            ),
        ],
        &[
            (
                "/resource/aws_cloudwatch_log_group/app_logs",
                json!({"retention_in_days": 731, "kms_key_id": "${aws_kms_key.key.arn}", "lifecycle": {"prevent_destroy": true}}),
            ),
            (
                "/resource/aws_cloudwatch_log_group/default/retention_in_days",
                json!(365),
            ),
            (
                "/data/aws_iam_policy_document/app_app_logs_write_policy_document/statement/0/resources",
                json!([
                    "arn:aws:logs:us-west-2:123456789012:log-group:${aws_cloudwatch_log_group.app_logs.name}",
                    "arn:aws:logs:us-west-2:123456789012:log-group:${aws_cloudwatch_log_group.app_logs.name}:*"
                ]),
            ),
        ],
    );
}

#[test]
fn metric_alarms_with_generated_terraform_names() {
    check(
        |s| {
            let table = s.add(dynamodb::Table::new("Orders", Key::string("pk")));
            s.add(
                Alarm::new(
                    "Throttles",
                    table
                        .metric("ThrottledRequests")
                        .statistic(Statistic::Sum)
                        .period_seconds(60),
                    Comparison::GreaterThanOrEqualToThreshold,
                    0.5,
                    5,
                )
                .description("throttled requests")
                .datapoints_to_alarm(3)
                .treat_missing_data(TreatMissingData::NotBreaching)
                .alarm_action("arn:aws:sns:us-west-2:123456789012:pager"),
            );
            s.add(
                Alarm::new(
                    "Errors",
                    Metric::new("App", "Errors"),
                    Comparison::GreaterThanThreshold,
                    10.0,
                    1,
                )
                .name("errors"),
            );
        },
        &[
            (
                "/Resources/Throttles",
                json!({"Type": "AWS::CloudWatch::Alarm", "Properties": {
                    "AlarmDescription": "throttled requests", "Namespace": "AWS/DynamoDB", "MetricName": "ThrottledRequests",
                    "Dimensions": [{"Name": "TableName", "Value": {"Ref": "Orders"}}], "Statistic": "Sum", "Period": 60,
                    "EvaluationPeriods": 5, "DatapointsToAlarm": 3, "Threshold": 0.5,
                    "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching",
                    "AlarmActions": ["arn:aws:sns:us-west-2:123456789012:pager"]}}),
            ),
            (
                "/Resources/Errors/Properties/AlarmName",
                json!("demo-dev-errors"),
            ),
            ("/Resources/Errors/Properties/Threshold", json!(10)),
        ],
        &[
            (
                "/resource/aws_cloudwatch_metric_alarm/throttles",
                json!({
                    "alarm_name": "demo-dev-main-Throttles", "alarm_description": "throttled requests",
                    "namespace": "AWS/DynamoDB", "metric_name": "ThrottledRequests",
                    "dimensions": {"TableName": "${aws_dynamodb_table.orders.name}"}, "statistic": "Sum", "period": 60,
                    "evaluation_periods": 5, "datapoints_to_alarm": 3, "threshold": 0.5,
                    "comparison_operator": "GreaterThanOrEqualToThreshold", "treat_missing_data": "notBreaching",
                    "alarm_actions": ["arn:aws:sns:us-west-2:123456789012:pager"]
                }),
            ),
            (
                "/resource/aws_cloudwatch_metric_alarm/errors/alarm_name",
                json!("demo-dev-errors"),
            ),
            (
                "/resource/aws_cloudwatch_metric_alarm/errors/threshold",
                json!(10),
            ),
        ],
    );
}

#[test]
fn vpc_flow_logs_and_the_closed_default_security_group() {
    check(
        |s| {
            let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            VpcFlowLogs::new("FlowLogs").add_to(s, &vpc);
        },
        &[
            (
                "/Resources/FlowLogsLogs/Properties/RetentionInDays",
                json!(365),
            ),
            (
                "/Resources/FlowLogsRole/Properties/AssumeRolePolicyDocument/Statement/0",
                json!({"Effect": "Allow", "Principal": {"Service": ["vpc-flow-logs.amazonaws.com"]}, "Action": ["sts:AssumeRole"],
                    "Condition": {"StringEquals": {"aws:SourceAccount": [{"Ref": "AWS::AccountId"}]}}}),
            ),
            (
                "/Resources/FlowLogsDelivery/Type",
                json!("AWS::IAM::Policy"),
            ),
            (
                "/Resources/FlowLogs",
                json!({"Type": "AWS::EC2::FlowLog", "DependsOn": ["FlowLogsDelivery"], "Properties": {
                    "ResourceId": {"Ref": "Vpc"}, "ResourceType": "VPC", "TrafficType": "ALL",
                    "LogDestinationType": "cloud-watch-logs",
                    "LogDestination": {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${FlowLogsLogs}"},
                    "DeliverLogsPermissionArn": {"Fn::GetAtt": ["FlowLogsRole", "Arn"]}}}),
            ),
        ],
        &[
            (
                "/resource/aws_flow_log/flow_logs",
                json!({"vpc_id": "${aws_vpc.vpc.id}", "traffic_type": "ALL", "log_destination_type": "cloud-watch-logs",
                    "log_destination": "arn:aws:logs:us-west-2:123456789012:log-group:${aws_cloudwatch_log_group.flow_logs_logs.name}",
                    "iam_role_arn": "${aws_iam_role.flow_logs_role.arn}", "depends_on": ["aws_iam_role_policy.flow_logs_delivery"]}),
            ),
            (
                "/resource/aws_default_security_group/vpc_default_security_group",
                json!({"vpc_id": "${aws_vpc.vpc.id}"}),
            ),
        ],
    );
}

#[test]
fn bad_data_and_operations_input_is_located() {
    let at = line_below(6);
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let a = s.add(ec2::Subnet::new("A", &vpc, "10.0.1.0/24"));
        let group = s.add(rds::DbSubnetGroup::new("Subnets", "", &[&a]));
        s.add(
            rds::DbInstance::new("Db", Engine::Postgres, "t3.micro", &group)
                .backup_retention_days(3)
                .master_username("1admin")
                .allocated_storage_gib(10),
        );
        s.add(dynamodb::Table::new("Table", Key::string("pk")).sort_key(Key::string("pk")));
        s.add(
            logs::LogGroup::new("Logs")
                .retention_days(42)
                .name("bad name"),
        );
        s.add(
            Alarm::new(
                "Alarm",
                Metric::new("App", "Errors").period_seconds(45),
                Comparison::GreaterThanThreshold,
                f64::NAN,
                0,
            )
            .datapoints_to_alarm(2),
        );
        s.add(ssm::Parameter::string_list("List", "app/list", ["a,b"]));
        s.add(secretsmanager::Secret::generated("Secret").password_length(4));
        let key = s.add(kms::Key::new("Key"));
        s.add(logs::LogGroup::new("Encrypted").encryption_key(&key));
        s.add(
            s3::Bucket::new("LogBucket")
                .encryption_key(&key)
                .allow_access_log_delivery(),
        );
    });
    fails(
        &app,
        &[
            "DB subnet group description ``: expected 1 to 255 characters",
            "DB subnet group has 1 subnet(s): expected at least 2",
            "DB instance class `t3.micro`: expected a class such as `db.t4g.micro`",
            "backup retention of 3 days: expected 7 to 35 (`disable_backups_insecure()` turns them off)",
            "master username `1admin`",
            "allocated storage 10 GiB: expected 20 to 65536 GiB",
            "resource `Db`",
            &at,
            "sort key `pk` is also the partition key",
            "log retention of 42 days is not offered: expected one of 1, 3, 5",
            "log group name: it contains ` `",
            "metric period of 45 s: expected 10, 20, 30 or a multiple of 60 seconds",
            "0 evaluation periods: expected at least 1",
            "alarm threshold NaN: expected a finite number",
            "2 datapoints to alarm: expected 1 to the 0 evaluation periods",
            "string list value 1 contains `,`",
            "invalid SSM parameter name `app/list`: a hierarchical name must start with `/`",
            "password length 4: expected 8 to 4096 characters",
            "log group encryption key `Key` does not let CloudWatch Logs use it",
            "expected `.allow_cloudwatch_logs()` on the key",
            "S3 delivers server access logs only to buckets encrypted with SSE-S3",
        ],
    );
}
