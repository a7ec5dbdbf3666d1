//! CloudWatch Logs.

use crate::construct::{Attribute, Form, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{Grantee, RolePolicy, Statement};
use crate::kms::KeyHandle;
use crate::naming::physical_name;
use crate::{arn, construct, kinds, Handle};
use stackwright_core::{interpolate, Declare, Expr, RemovalPolicy, Resource, ResourceRef};

/// The retention periods CloudWatch Logs accepts, in days.
pub const RETENTION_DAYS: [i64; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// A log group in each target.
pub(crate) static LOG_GROUP: Spelling = Spelling {
    kind: kinds::LOGS_LOG_GROUP,
    cloudformation: "AWS::Logs::LogGroup",
    terraform: "aws_cloudwatch_log_group",
    terraform_tags: true,
    attributes: &[Attribute::new("name", Read::Ref, "name")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// Why a group without a retention period is not a finding.
const FOREVER: &str = "events are kept forever on purpose (`.retain_forever()`)";
/// Why a group without a customer managed key is not a finding.
const SERVICE_KEY: &str = "CloudWatch Logs encrypts at rest with a service key; opt in to a customer managed key \
     with `.encryption_key(&key)`";

/// A log group. Events are kept 365 days by default (`.retention_days(n)`, `.retain_forever()`), and the
/// group is kept when removed from the definition (`RemovalPolicy::Retain`). CloudWatch Logs encrypts
/// at rest; `.encryption_key(&key)` uses a customer managed key instead (the key must
/// `allow_cloudwatch_logs()`).
///
/// Without `.name(...)` the engine generates the name, so copies of an environment never
/// collide.
pub struct LogGroup {
    resource: Resource,
    retention_days: Option<i64>,
    kms_key_id: Option<Expr>,
}

impl LogGroup {
    #[track_caller]
    pub fn new(id: impl Into<String>) -> Self {
        let mut resource = Resource::new(id, kinds::LOGS_LOG_GROUP);
        resource.removal_policy = RemovalPolicy::Retain;
        LogGroup {
            resource,
            retention_days: Some(365),
            kms_key_id: None,
        }
    }

    /// How long events are kept: one of [`RETENTION_DAYS`].
    pub fn retention_days(mut self, days: i64) -> Self {
        if !RETENTION_DAYS.contains(&days) {
            let allowed: Vec<String> = RETENTION_DAYS.iter().map(i64::to_string).collect();
            self.resource.problems.push(format!(
                "log retention of {days} days is not offered: expected one of {}",
                allowed.join(", ")
            ));
        }
        self.retention_days = Some(days);
        self
    }

    /// Keeps events forever (and bills their storage forever).
    pub fn retain_forever(mut self) -> Self {
        self.retention_days = None;
        self
    }

    /// Encrypts events with a customer managed key, whose policy must allow CloudWatch Logs
    /// ([`Key::allow_cloudwatch_logs`](crate::kms::Key::allow_cloudwatch_logs)).
    pub fn encryption_key(mut self, key: &KeyHandle) -> Self {
        if !key.allows_cloudwatch_logs() {
            self.resource.problems.push(format!(
                "log group encryption key `{}` does not let CloudWatch Logs use it (creating the group \
                 would fail): expected `.allow_cloudwatch_logs()` on the key",
                key.declared_id()
            ));
        }
        self.kms_key_id = Some(key.arn());
        self
    }
}
common_setters!(LogGroup, taggable, stateful);
patchable!(LogGroup, LOG_GROUP);
physical_name!(LogGroup);

attr_handle!(
    /// A declared log group.
    LogGroupHandle {
        /// The group's name.
        name: "name",
    } id: String
);

impl LogGroupHandle {
    /// `arn:<partition>:logs:<region>:<account>:log-group:<name>`, the same in both targets (CloudFormation's
    /// own `Arn` attribute ends in `:*`, Terraform's does not).
    pub fn arn(&self) -> Expr {
        arn::regional("logs", interpolate!["log-group:", self.name()])
    }

    /// The ARN covering the group's streams, which `logs:PutLogEvents` and friends act on.
    pub fn streams_arn(&self) -> Expr {
        interpolate![self.arn(), ":*"]
    }

    /// Lets `role` create streams in this group and write events to them:
    /// `stack.add(log_group.grant_write(&role))`.
    #[track_caller]
    pub fn grant_write(&self, role: &impl Grantee) -> RolePolicy {
        let role = role.grantee_role();
        let statements = vec![Statement::allow()
            .actions([
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams",
            ])
            .resources([self.arn(), self.streams_arn()])];
        RolePolicy::grant(role, &self.id, "Write", statements)
    }
}

impl Declare for LogGroup {
    type Handle = LogGroupHandle;
    fn declare(self, at: ResourceRef) -> (Resource, LogGroupHandle) {
        let LogGroup {
            mut resource,
            retention_days,
            kms_key_id,
        } = self;
        let mut cfn = Form::new();
        cfn.physical_name("LogGroupName")
            .set_some("RetentionInDays", retention_days);
        let mut tf = Form::new();
        tf.physical_name("name")
            .set_some("retention_in_days", retention_days);
        if retention_days.is_none() {
            cfn.checkov_skip("CKV_AWS_66", FOREVER);
            tf.checkov_skip("CKV_AWS_66", FOREVER)
                .checkov_skip("CKV_AWS_338", FOREVER);
        }
        cfn.set_some("KmsKeyId", kms_key_id.clone());
        tf.set_some("kms_key_id", kms_key_id.clone());
        if kms_key_id.is_none() {
            cfn.checkov_skip("CKV_AWS_158", SERVICE_KEY);
            tf.checkov_skip("CKV_AWS_158", SERVICE_KEY);
        }
        construct::finish(&mut resource, cfn, tf);
        let id = resource.id.clone();
        (
            resource,
            LogGroupHandle {
                handle: Handle(at),
                id,
            },
        )
    }
}
