//! Key Management Service: customer managed keys and their aliases.

use crate::check::set_bounded;
use crate::construct::{Attribute, Form, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{Grantee, PolicyDocument, Principal, RolePolicy, Statement};
use crate::{arn, construct, kinds, Handle};
use stackwright_core::{interpolate, Declare, Expr, RemovalPolicy, Resource, ResourceRef};

/// A symmetric encryption key. Secure by default: yearly automatic rotation, and kept when removed
/// from the definition (`RemovalPolicy::Retain`: deleting a key makes everything encrypted with it
/// unreadable).
///
/// The key policy lets the account's IAM policies decide who uses the key (so `key.grant_decrypt(&role)`
/// works), plus any statements added with [`Key::policy_statement`].
pub struct Key {
    resource: Resource,
    statements: Vec<Statement>,
    allows_cloudwatch_logs: bool,
    topic_publishers: Vec<String>,
    allows_event_buses: bool,
}

impl Key {
    #[track_caller]
    pub fn new(id: impl Into<String>) -> Self {
        let mut resource = Resource::new(id, kinds::KMS_KEY);
        resource.set("enable_key_rotation", true);
        resource.removal_policy = RemovalPolicy::Retain;
        Key {
            resource,
            statements: Vec::new(),
            allows_cloudwatch_logs: false,
            topic_publishers: Vec::new(),
            allows_event_buses: false,
        }
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        set_bounded(
            &mut self.resource,
            "description",
            "key description",
            text.into(),
            8192,
        );
        self
    }

    /// Days between automatic rotations, 90 to 2,560 (365 when unset).
    pub fn rotation_period_days(mut self, days: i64) -> Self {
        if !(90..=2560).contains(&days) {
            self.resource.problems.push(format!(
                "key rotation period {days} days is out of range: expected 90 to 2560"
            ));
        }
        self.resource.set("rotation_period_days", days);
        self
    }

    /// Opt-out of automatic key rotation; a key that never rotates keeps one key material forever.
    pub fn disable_rotation_insecure(mut self) -> Self {
        self.resource.set("enable_key_rotation", false);
        self
    }

    /// Days the key waits, disabled, before a scheduled deletion completes: 7 to 30 (30 when unset).
    pub fn pending_window_days(mut self, days: i64) -> Self {
        if !(7..=30).contains(&days) {
            self.resource.problems.push(format!(
                "key pending window {days} days is out of range: expected 7 to 30"
            ));
        }
        self.resource.set("pending_window_days", days);
        self
    }

    /// Adds a statement to the key policy (its resource is `"*"`, meaning this key).
    pub fn policy_statement(mut self, statement: Statement) -> Self {
        self.statements.push(statement);
        self
    }

    /// Lets CloudWatch Logs in the environment's region use the key for log groups of this account
    /// (needed before a log group can be encrypted with it).
    #[track_caller]
    pub fn allow_cloudwatch_logs(mut self) -> Self {
        self.allows_cloudwatch_logs = true;
        let service = interpolate!["logs.", Expr::region(), ".amazonaws.com"];
        let log_groups = arn::regional("logs", "log-group:*");
        self.policy_statement(
            Statement::allow()
                .sid("AllowCloudWatchLogs")
                .principal(Principal::service(service))
                .actions([
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ])
                .resource("*")
                .condition(
                    "ArnLike",
                    "kms:EncryptionContext:aws:logs:arn",
                    [log_groups],
                ),
        )
    }

    /// Lets EventBridge encrypt the events of this account's event buses with the key
    /// (`events.amazonaws.com`: `kms:DescribeKey`, `kms:GenerateDataKey`, `kms:Decrypt`, for sources in
    /// this account only): needed before an [`EventBus`](crate::events::EventBus) is encrypted with it.
    #[track_caller]
    pub fn allow_event_buses(mut self) -> Self {
        if self.allows_event_buses {
            return self;
        }
        self.allows_event_buses = true;
        self.policy_statement(
            Statement::allow()
                .sid("AllowEventBridgeBuses")
                .principal(Principal::service("events.amazonaws.com"))
                .actions(EVENT_BUS_KEY_ACTIONS)
                .resource("*")
                .condition("StringEquals", "aws:SourceAccount", [Expr::account_id()]),
        )
    }

    /// Lets AWS service `service` (e.g. `cloudwatch.amazonaws.com` for alarm actions,
    /// `events.amazonaws.com` for EventBridge rules, `s3.amazonaws.com` for bucket notifications) publish
    /// to SNS topics encrypted with this key: the key policy allows it `kms:Decrypt` and
    /// `kms:GenerateDataKey*`, which a service publishing to an encrypted topic calls itself (the AWS
    /// managed key `alias/aws/sns` cannot allow it: its policy cannot be changed).
    #[track_caller]
    pub fn allow_topic_publisher(mut self, service: &str) -> Self {
        let label = service.split('.').next().unwrap_or_default();
        if !service.ends_with(".amazonaws.com")
            || label.is_empty()
            || !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            self.resource.problems.push(format!(
                "topic publisher `{service}`: expected an AWS service principal like \
                 `cloudwatch.amazonaws.com`"
            ));
        }
        if self.topic_publishers.iter().any(|s| s == service) {
            return self;
        }
        self.topic_publishers.push(service.to_owned());
        // A statement id is letters and digits: `AllowCloudwatchToPublish`.
        let mut name: String = label.chars().filter(char::is_ascii_alphanumeric).collect();
        if let Some(first) = name.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        self.policy_statement(
            Statement::allow()
                .sid(format!("Allow{name}ToPublish"))
                .principal(Principal::service(service))
                .actions(TOPIC_PUBLISH_KEY_ACTIONS)
                .resource("*"),
        )
    }
}
common_setters!(Key, taggable, stateful);
patchable!(Key, KEY);

attr_handle!(
    /// A declared KMS key.
    KeyHandle {
        arn: "arn",
        /// The key id (a UUID).
        key_id: "key_id",
    } id: String, allows_cloudwatch_logs: bool, topic_publishers: Option<Vec<String>>,
        allows_event_buses: bool
);

impl KeyHandle {
    /// Whether the key policy lets CloudWatch Logs use the key ([`Key::allow_cloudwatch_logs`]).
    pub(crate) fn allows_cloudwatch_logs(&self) -> bool {
        self.allows_cloudwatch_logs
    }

    /// The AWS services the key policy lets publish to topics encrypted with it
    /// ([`Key::allow_topic_publisher`]); `None` for a key whose policy is not known here.
    pub(crate) fn topic_publishers(&self) -> Option<&[String]> {
        self.topic_publishers.as_deref()
    }

    /// Whether the key policy lets EventBridge encrypt event buses with it ([`Key::allow_event_buses`];
    /// `true` for a key whose policy is not known here).
    pub(crate) fn allows_event_buses(&self) -> bool {
        self.allows_event_buses
    }

    /// The id the key was declared with.
    pub(crate) fn declared_id(&self) -> &str {
        &self.id
    }

    /// Lets `role` decrypt with this key: `stack.add(key.grant_decrypt(&role))`.
    #[track_caller]
    pub fn grant_decrypt(&self, role: &impl Grantee) -> RolePolicy {
        let role = role.grantee_role();
        let statements = vec![Statement::allow()
            .actions(DECRYPT_ACTIONS)
            .resource(self.arn())];
        RolePolicy::grant(role, &self.id, "Decrypt", statements)
    }

    /// Lets `role` encrypt and decrypt with this key, including data keys.
    #[track_caller]
    pub fn grant_encrypt_decrypt(&self, role: &impl Grantee) -> RolePolicy {
        let role = role.grantee_role();
        let statements = vec![Statement::allow()
            .actions(ENCRYPT_DECRYPT_ACTIONS)
            .resource(self.arn())];
        RolePolicy::grant(role, &self.id, "EncryptDecrypt", statements)
    }
}

/// The statement a grant adds when the resource is encrypted with a customer managed key: `actions` on
/// that key (`None` without one).
#[track_caller]
pub(crate) fn key_use(key: Option<&Expr>, actions: &[&str]) -> Option<Statement> {
    key.map(|key| {
        Statement::allow()
            .actions(actions.iter().copied())
            .resource(key.clone())
    })
}

/// What an AWS service needs of a key to publish to a topic encrypted with it (SNS documentation,
/// "Enable compatibility between event sources from AWS services and encrypted topics").
pub(crate) const TOPIC_PUBLISH_KEY_ACTIONS: [&str; 2] = ["kms:Decrypt", "kms:GenerateDataKey*"];

/// What EventBridge needs of a key to encrypt an event bus's events (EventBridge User Guide, "Authorizing
/// EventBridge to use a customer managed key").
const EVENT_BUS_KEY_ACTIONS: [&str; 3] = ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"];

/// What a role needs to read data encrypted with a key.
pub(crate) const DECRYPT_ACTIONS: [&str; 2] = ["kms:Decrypt", "kms:DescribeKey"];

/// What a role needs to read and write data encrypted with a key.
pub(crate) const ENCRYPT_DECRYPT_ACTIONS: [&str; 5] = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
];

impl Key {
    /// A key that exists outside the app, by ARN: `arn` and `key_id` (the ARN, which KMS accepts as a
    /// key id) can be used. Its policy is not known, so a log group encrypted with it is not checked for
    /// the CloudWatch Logs statement: make sure the key's owner allows it.
    #[track_caller]
    pub fn from_arn(id: impl Into<String>, arn: impl Into<Expr>) -> crate::Existing<KeyHandle> {
        let id = id.into();
        let arn = arn.into();
        let attributes = vec![("arn", arn.clone()), ("key_id", arn)];
        let handle_id = id.clone();
        crate::Existing::new(id, kinds::KMS_KEY, attributes, move |handle| KeyHandle {
            handle,
            id: handle_id,
            allows_cloudwatch_logs: true,
            topic_publishers: None,
            allows_event_buses: true,
        })
    }
}

impl Declare for Key {
    type Handle = KeyHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, KeyHandle) {
        let delegate_to_iam = Statement::allow()
            .sid("EnableIamPolicies")
            .principal(Principal::account_root())
            .action("kms:*")
            .resource("*");
        let policy: PolicyDocument = std::iter::once(delegate_to_iam)
            .chain(self.statements)
            .collect();
        let problems = policy.check(crate::iam::PolicyKind::Resource, "key policy");
        self.resource.problems.extend(problems);
        let key = &self.resource;
        let mut cfn = Form::new();
        cfn.copy(key, "description", "Description")
            .copy(key, "enable_key_rotation", "EnableKeyRotation")
            .copy(key, "rotation_period_days", "RotationPeriodInDays")
            .copy(key, "pending_window_days", "PendingWindowInDays")
            .policy_document("KeyPolicy", policy.to_value(), "key_policy", &[]);
        let mut tf = Form::new();
        tf.copy(key, "description", "description")
            .copy(key, "enable_key_rotation", "enable_key_rotation")
            .copy(key, "rotation_period_days", "rotation_period_in_days")
            .copy(key, "pending_window_days", "deletion_window_in_days")
            .policy_document("policy", policy.to_value(), "key_policy", KEY_POLICY_SKIPS);
        construct::finish(&mut self.resource, cfn, tf);
        let id = self.resource.id.clone();
        (
            self.resource,
            KeyHandle {
                handle: Handle(at),
                id,
                allows_cloudwatch_logs: self.allows_cloudwatch_logs,
                topic_publishers: Some(self.topic_publishers),
                allows_event_buses: self.allows_event_buses,
            },
        )
    }
}

/// A key in each target.
pub(crate) static KEY: Spelling = Spelling {
    kind: kinds::KMS_KEY,
    cloudformation: "AWS::KMS::Key",
    terraform: "aws_kms_key",
    terraform_tags: true,
    attributes: &[
        Attribute::new("arn", Read::GetAtt("Arn"), "arn"),
        Attribute::new("key_id", Read::Ref, "key_id"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// checkov reads a key policy as if it were an identity policy; in a key policy `"*"` means this key, and
/// the account-root statement is AWS's default that hands access decisions to IAM policies.
const KEY_POLICY_SKIPS: &[(&str, &str)] = &[
    (
        "CKV_AWS_109",
        "key policy: `*` is this key; the account root statement delegates to IAM",
    ),
    (
        "CKV_AWS_111",
        "key policy: `*` is this key; the account root statement delegates to IAM",
    ),
    (
        "CKV_AWS_356",
        "key policy: `*` is this key, the only resource a key policy can name",
    ),
];

/// An alias in each target.
pub(crate) static ALIAS: Spelling = Spelling {
    kind: kinds::KMS_ALIAS,
    cloudformation: "AWS::KMS::Alias",
    terraform: "aws_kms_alias",
    terraform_tags: false,
    attributes: &[Attribute::new("name", Read::Ref, "name")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A friendly name (`alias/app-data`) for a key.
pub struct Alias {
    resource: Resource,
}

impl Alias {
    /// `name` starts with `alias/` (but not `alias/aws/`, which AWS reserves) and continues with letters,
    /// digits and `/_-:`; it must be unique in the account and region.
    #[track_caller]
    pub fn new(id: impl Into<String>, name: &str, key: &KeyHandle) -> Self {
        let mut resource = Resource::new(id, kinds::KMS_ALIAS);
        let rest = name.strip_prefix("alias/").unwrap_or_default();
        let allowed = |c: char| c.is_ascii_alphanumeric() || "/_-:".contains(c);
        if rest.is_empty() || !rest.chars().all(allowed) || name.len() > 256 {
            resource.problems.push(format!(
                "invalid KMS alias `{name}`: expected `alias/` followed by letters, digits and `/_-:`, \
                 at most 256 characters"
            ));
        } else if rest.starts_with("aws/") {
            resource.problems.push(format!(
                "invalid KMS alias `{name}`: `alias/aws/` is reserved for AWS managed keys"
            ));
        }
        let key = key.key_id();
        let mut cfn = Form::new();
        cfn.set("AliasName", name).set("TargetKeyId", key.clone());
        let mut tf = Form::new();
        tf.set("name", name).set("target_key_id", key);
        construct::finish(&mut resource, cfn, tf);
        Alias { resource }
    }
}
common_setters!(Alias);
patchable!(Alias, ALIAS);

attr_handle!(
    /// A declared alias.
    AliasHandle {
        /// `alias/...`.
        name: "name",
    }
);

impl AliasHandle {
    /// `arn:<partition>:kms:<region>:<account>:alias/...`.
    pub fn arn(&self) -> Expr {
        arn::regional("kms", self.name())
    }
}

impl Declare for Alias {
    type Handle = AliasHandle;
    fn declare(self, at: ResourceRef) -> (Resource, AliasHandle) {
        (self.resource, AliasHandle { handle: Handle(at) })
    }
}
