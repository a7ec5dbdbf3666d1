//! SQS queues with secure defaults: encrypted with SQS-managed keys, a retention set on purpose, and an
//! optional dead-letter queue for messages that keep failing.

use crate::construct::{Attribute, Form, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{Grantee, RolePolicy, Statement};
use crate::{construct, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Value};

/// The neutral kind of a queue.
pub const KIND: &str = "aws.sqs.Queue";

/// A queue in each target.
pub(crate) static QUEUE: Spelling = Spelling {
    kind: KIND,
    cloudformation: "AWS::SQS::Queue",
    terraform: "aws_sqs_queue",
    terraform_tags: true,
    attributes: &[
        Attribute::new("arn", Read::GetAtt("Arn"), "arn"),
        Attribute::new("url", Read::Ref, "url"),
        Attribute::new("name", Read::GetAtt("QueueName"), "name"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// How long a queue keeps a message by default: 4 days, SQS's own default, written out so that both
/// targets say the same.
pub const DEFAULT_RETENTION_SECONDS: i64 = 4 * 24 * 3600;
/// The longest retention SQS offers: 14 days.
pub const MAX_RETENTION_SECONDS: i64 = 14 * 24 * 3600;
/// The shortest retention SQS offers: one minute.
pub const MIN_RETENTION_SECONDS: i64 = 60;
/// The visibility timeout SQS gives a queue by default.
pub const DEFAULT_VISIBILITY_TIMEOUT_SECONDS: i64 = 30;
/// The longest visibility timeout SQS offers: 12 hours.
pub const MAX_VISIBILITY_TIMEOUT_SECONDS: i64 = 12 * 3600;

/// A standard SQS queue (CloudFormation `AWS::SQS::Queue`, Terraform `aws_sqs_queue`). Secure by
/// default: messages are encrypted at rest with SQS-managed keys (`SqsManagedSseEnabled`) and kept
/// [`DEFAULT_RETENTION_SECONDS`] (`.retention_seconds(..)` changes it). `.dead_letter_queue(&dlq, n)`
/// moves a message that was received `n` times without being deleted to another queue, whose retention
/// must then be at least this queue's (SQS keeps a message's original enqueue time when it moves it).
pub struct Queue {
    resource: Resource,
    retention_seconds: i64,
    visibility_timeout_seconds: Option<i64>,
    dead_letter: Option<DeadLetter>,
}

/// Where a queue moves the messages that keep failing.
struct DeadLetter {
    arn: Expr,
    max_receive_count: i64,
    /// The dead-letter queue's id and retention, which must not be shorter than this queue's.
    id: String,
    retention_seconds: i64,
}

impl Queue {
    #[track_caller]
    pub fn new(id: impl Into<String>) -> Self {
        Queue {
            resource: Resource::new(id, KIND),
            retention_seconds: DEFAULT_RETENTION_SECONDS,
            visibility_timeout_seconds: None,
            dead_letter: None,
        }
    }

    /// How long a message is kept: from [`MIN_RETENTION_SECONDS`] to [`MAX_RETENTION_SECONDS`].
    pub fn retention_seconds(mut self, seconds: i64) -> Self {
        if !(MIN_RETENTION_SECONDS..=MAX_RETENTION_SECONDS).contains(&seconds) {
            self.resource.problems.push(format!(
                "queue retention of {seconds} seconds: expected {MIN_RETENTION_SECONDS} to \
                 {MAX_RETENTION_SECONDS} (14 days)"
            ));
        }
        self.retention_seconds = seconds;
        self
    }

    /// How long a received message stays hidden from other consumers: 0 to
    /// [`MAX_VISIBILITY_TIMEOUT_SECONDS`] (SQS's default is 30); at least the time a consumer needs.
    pub fn visibility_timeout_seconds(mut self, seconds: i64) -> Self {
        if !(0..=MAX_VISIBILITY_TIMEOUT_SECONDS).contains(&seconds) {
            self.resource.problems.push(format!(
                "queue visibility timeout of {seconds} seconds: expected 0 to \
                 {MAX_VISIBILITY_TIMEOUT_SECONDS} (12 hours)"
            ));
        }
        self.visibility_timeout_seconds = Some(seconds);
        self
    }

    /// Moves a message received `max_receive_count` times (1 to 1000) without being deleted to `queue`.
    #[track_caller]
    pub fn dead_letter_queue(mut self, queue: &QueueHandle, max_receive_count: i64) -> Self {
        if !(1..=1000).contains(&max_receive_count) {
            self.resource.problems.push(format!(
                "dead-letter queue `{}`: a maximum receive count of {max_receive_count}, expected 1 to 1000",
                queue.id
            ));
        }
        self.dead_letter = Some(DeadLetter {
            arn: queue.arn(),
            max_receive_count,
            id: queue.id.clone(),
            retention_seconds: queue.retention_seconds,
        });
        self
    }
}
common_setters!(Queue, taggable);
patchable!(Queue, QUEUE);

attr_handle!(
    /// A declared queue.
    QueueHandle {
        /// The queue's ARN: what IAM policies and event sources name.
        arn: "arn",
        /// The queue's URL: what producers and consumers send to and receive from.
        url: "url",
        /// The queue's name.
        name: "name",
    } id: String, retention_seconds: i64, visibility_timeout_seconds: i64
);

impl QueueHandle {
    /// How long a received message stays hidden (SQS's 30 seconds unless set): a consuming function's
    /// timeout must not exceed it.
    pub fn visibility_timeout_seconds(&self) -> i64 {
        self.visibility_timeout_seconds
    }

    /// The id the queue was declared with.
    pub(crate) fn declared_id(&self) -> &str {
        &self.id
    }
}

impl QueueHandle {
    /// Lets `to` (a role, or a function's role) send messages to the queue:
    /// `stack.add(queue.grant_send(&function))`. The queue is encrypted with SQS-managed keys, which need
    /// no key permissions.
    #[track_caller]
    pub fn grant_send(&self, to: &impl Grantee) -> RolePolicy {
        let statements = vec![Statement::allow()
            .actions(SEND_ACTIONS)
            .resource(self.arn())];
        RolePolicy::grant(to.grantee_role(), &self.id, "Send", statements)
    }

    /// Lets `to` receive, delete and hide messages of the queue (what a consumer, and a Lambda event
    /// source mapping, needs): `stack.add(queue.grant_consume(&function))`.
    #[track_caller]
    pub fn grant_consume(&self, to: &impl Grantee) -> RolePolicy {
        let statements = vec![Statement::allow()
            .actions(CONSUME_ACTIONS)
            .resource(self.arn())];
        RolePolicy::grant(to.grantee_role(), &self.id, "Consume", statements)
    }
}

/// What a producer needs.
const SEND_ACTIONS: [&str; 3] = [
    "sqs:SendMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
];
/// What a consumer needs.
const CONSUME_ACTIONS: [&str; 5] = [
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
];

impl Declare for Queue {
    type Handle = QueueHandle;
    fn declare(self, at: ResourceRef) -> (Resource, QueueHandle) {
        let Queue {
            mut resource,
            retention_seconds,
            visibility_timeout_seconds,
            dead_letter,
        } = self;
        let mut cfn = Form::new();
        cfn.checkov_skip(
            "CKV_AWS_27",
            "encrypted at rest with SQS-managed keys (SqsManagedSseEnabled); checkov's CloudFormation \
             check reads only KmsMasterKeyId (its Terraform twin accepts either)",
        )
        .set("MessageRetentionPeriod", retention_seconds)
            .set("SqsManagedSseEnabled", true)
            .set_some("VisibilityTimeout", visibility_timeout_seconds);
        let mut tf = Form::new();
        tf.set("message_retention_seconds", retention_seconds)
            .set("sqs_managed_sse_enabled", true)
            .set_some("visibility_timeout_seconds", visibility_timeout_seconds);
        if let Some(DeadLetter {
            arn,
            max_receive_count: count,
            id,
            retention_seconds: kept,
        }) = dead_letter
        {
            if kept < retention_seconds {
                resource.problems.push(format!(
                    "dead-letter queue `{id}` keeps messages {kept} seconds, less than this queue's \
                     {retention_seconds}: SQS keeps a message's first enqueue time when it moves it, so it \
                     would expire there early; expected its retention at least {retention_seconds} seconds"
                ));
            }
            // CloudFormation takes the policy as an object, Terraform as JSON text.
            cfn.set(
                "RedrivePolicy",
                Value::Map(vec![
                    ("deadLetterTargetArn".into(), arn.clone().into()),
                    ("maxReceiveCount".into(), count.into()),
                ]),
            );
            tf.set(
                "redrive_policy",
                Expr::concat([
                    "{\"deadLetterTargetArn\":\"".into(),
                    arn,
                    format!("\",\"maxReceiveCount\":{count}}}").into(),
                ]),
            );
        }
        construct::finish(&mut resource, cfn, tf);
        let id = resource.id.clone();
        (
            resource,
            QueueHandle {
                handle: Handle(at),
                id,
                retention_seconds,
                visibility_timeout_seconds: visibility_timeout_seconds
                    .unwrap_or(DEFAULT_VISIBILITY_TIMEOUT_SECONDS),
            },
        )
    }
}
