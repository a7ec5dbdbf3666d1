//! The catalog's identity, data and operations types: one small case per type checking its lowering to
//! both targets, their secure defaults and named opt-outs, bad input, and that no secret reaches an
//! artifact in plain text.

use crate::support::{artifacts, fails, line_below, one_stack, CFN, TF};
use serde_json::{json, Value as Json};
use stackwright::aws::iam::{self, PolicyDocument, Principal, Statement};
use stackwright::aws::{kms, s3};
use stackwright::{Expr, Stack};

/// Synthesizes a one-stack app defined by `define` and checks JSON pointers into both artifacts
/// (`cfn` into the template, `tf` into the Terraform module). Returns both documents for further checks.
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
            assert_eq!(found, expected, "{what}: {pointer}");
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
                "/resource/aws_iam_role_policy_attachment/app_managed_policy_1",
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
                "/resource/aws_iam_role_policy_attachment/shared_attachment_1",
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
            json!(["arn:aws:s3:::shared/${aws:username}/*", {"Fn::Sub": "${Homes.Arn}/${!aws:username}/*"}]),
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
                    .bucket_name("site-123456789012")
                    .disable_versioning_insecure()
                    .allow_public_access_insecure()
                    .enable_acls_insecure()
                    .allow_insecure_transport_insecure()
                    .server_access_logs(&logs, "site/")
                    .eventbridge_notifications()
                    .noncurrent_version_expiration_days(30)
                    .removal_policy(stackwright::RemovalPolicy::Destroy),
            );
        },
        &[
            ("/Resources/Site/Properties/BucketName", json!("site-123456789012")),
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
            ("/resource/aws_s3_bucket/site/bucket", json!("site-123456789012")),
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
        s.add(s3::Bucket::new("Bucket").bucket_name("Not_A_Bucket"));
        let key = s.add(kms::Key::new("Key").pending_window_days(3));
        s.add(kms::Alias::new("Alias", "alias/aws/mine", &key));
        s.add(iam::Role::for_service("Named", "ec2.amazonaws.com").role_name("has space"));
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
            "invalid bucket name `Not_A_Bucket`: expected only lowercase letters, digits, `.` and `-`, found `N`",
            "key pending window 3 days is out of range: expected 7 to 30",
            "invalid KMS alias `alias/aws/mine`: `alias/aws/` is reserved",
            "role name `has space`: expected 1 to 64 ASCII letters",
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
