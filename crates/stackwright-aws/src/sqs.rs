//! SQS queues with secure defaults: encrypted with SQS-managed keys, a retention set on purpose, and an
//! optional dead-letter queue for messages that keep failing; standard or FIFO ([`Queue::fifo`]).

use crate::construct::{Attribute, Form, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{Grantee, RolePolicy, Statement};
use crate::{construct, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Value};

/// The neutral kind of a queue.
pub const KIND: &str = "aws.sqs.Queue";

/// What SQS requires a FIFO queue's name to end in, and what the queue adds to the name it is given.
const FIFO_SUFFIX: &str = ".fifo";

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

/// An SQS queue (CloudFormation `AWS::SQS::Queue`, Terraform `aws_sqs_queue`), standard
/// ([`Queue::new`]) or FIFO ([`Queue::fifo`]). Secure by default: messages are encrypted at rest with
/// SQS-managed keys (`SqsManagedSseEnabled`) and kept [`DEFAULT_RETENTION_SECONDS`]
/// (`.retention_seconds(..)` changes it). `.dead_letter_queue(&dlq, n)` moves a message that was
/// received `n` times without being deleted to another queue of the same type, whose retention must then
/// be at least this queue's (SQS keeps a message's original enqueue time when it moves it).
pub struct Queue {
    resource: Resource,
    retention_seconds: i64,
    visibility_timeout_seconds: Option<i64>,
    dead_letter: Option<DeadLetter>,
    fifo: bool,
    content_based_deduplication: bool,
}

/// Where a queue moves the messages that keep failing.
struct DeadLetter {
    arn: Expr,
    max_receive_count: i64,
    /// The dead-letter queue's id and retention, which must not be shorter than this queue's.
    id: String,
    retention_seconds: i64,
    /// Whether the dead-letter queue is a FIFO queue, which must match this queue's type.
    fifo: bool,
}

impl Queue {
    /// A standard queue: at-least-once delivery, best-effort order.
    #[track_caller]
    pub fn new(id: impl Into<String>) -> Self {
        Queue {
            resource: Resource::new(id, KIND),
            retention_seconds: DEFAULT_RETENTION_SECONDS,
            visibility_timeout_seconds: None,
            dead_letter: None,
            fifo: false,
            content_based_deduplication: false,
        }
    }

    /// A FIFO queue (`FifoQueue`/`fifo_queue`): exactly-once processing, in order per message group. Its
    /// name ends in `.fifo` in both targets, as SQS requires: the name given with `.name(..)` (without
    /// the suffix, which the queue adds) or, without one, `<app>-<env>-<stack>-<id>`, checked against
    /// SQS's rule (80 characters with the suffix). Its dead-letter queue must be a FIFO queue too.
    #[track_caller]
    pub fn fifo(id: impl Into<String>) -> Self {
        let id = id.into();
        match id.strip_suffix(FIFO_SUFFIX) {
            // The id without the suffix, so that the id and the name derived from it are not reported
            // again: one mistake, one error.
            Some(base) if !base.is_empty() => {
                let mut queue = Queue {
                    fifo: true,
                    ..Queue::new(base)
                };
                queue.resource.problems.push(format!(
                    "FIFO queue id `{id}`: the queue adds the `.fifo` suffix to its name itself; \
                     expected `sqs::Queue::fifo(\"{base}\")`"
                ));
                queue
            }
            _ => Queue {
                fifo: true,
                ..Queue::new(id)
            },
        }
    }

    /// Gives the queue a physical name: the app's naming pattern applied to `name`, checked against
    /// SQS's rule (letters, digits, `-` and `_`, at most 80 characters; a FIFO queue's name at most 75,
    /// as the queue adds `.fifo`). Without it CloudFormation generates a unique name (a FIFO queue's is
    /// `<app>-<env>-<stack>-<id>.fifo`): name a queue only when something outside the definition needs
    /// to find it by name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        // A `.` is wrong whatever the environment: said once, in the name the user gave, rather than
        // in each environment's full name, and the name is not taken, so nothing repeats it.
        if name.contains('.') {
            let problem = match (self.fifo, name.strip_suffix(FIFO_SUFFIX)) {
                (true, Some(base)) => format!(
                    "FIFO queue name `{name}`: the queue adds the `.fifo` suffix itself; expected \
                     `.name(\"{base}\")`"
                ),
                (false, Some(base)) => format!(
                    "standard queue name `{name}`: only a FIFO queue's name ends in `.fifo`; expected \
                     `.name(\"{base}\")`, or `sqs::Queue::fifo(..)` for a FIFO queue"
                ),
                (_, None) => format!(
                    "queue name `{name}`: it contains `.`, expected only letters, digits, `-` and `_`"
                ),
            };
            self.resource.problems.push(problem);
            return self;
        }
        let rule: &'static crate::naming::Rule = if self.fifo {
            &crate::naming::SQS_FIFO_QUEUE_BASE
        } else {
            &crate::naming::SQS_STANDARD_QUEUE
        };
        self.resource.physical_name = Some(stackwright_core::naming::PhysicalName {
            name,
            rule,
        });
        self
    }

    /// Turns on content-based deduplication (`ContentBasedDeduplication`): SQS takes a SHA-256 of a
    /// message's body as its deduplication id when the producer gives none. FIFO queues only.
    pub fn content_based_deduplication(mut self) -> Self {
        if !self.fifo {
            self.resource.problems.push(
                "content-based deduplication on a standard queue: SQS deduplicates FIFO queues only; \
                 expected `sqs::Queue::fifo(..)`"
                    .to_owned(),
            );
        }
        self.content_based_deduplication = true;
        self
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
            fifo: queue.fifo,
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
    } id: String, retention_seconds: i64, visibility_timeout_seconds: i64, fifo: bool
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

    /// Whether it is a FIFO queue ([`Queue::fifo`]).
    pub fn is_fifo(&self) -> bool {
        self.fifo
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
            fifo,
            content_based_deduplication,
        } = self;
        let mut cfn = Form::new();
        let mut tf = Form::new();
        if fifo {
            // SQS requires the suffix; CloudFormation's generated names have broken the 80-character
            // limit for FIFO queues, so both targets get the same, checked name.
            cfn.name_in_both_targets("QueueName", FIFO_SUFFIX)
                .set("FifoQueue", true);
            tf.name_in_both_targets("name", FIFO_SUFFIX)
                .set("fifo_queue", true);
            if content_based_deduplication {
                cfn.set("ContentBasedDeduplication", true);
                tf.set("content_based_deduplication", true);
            }
        } else {
            cfn.physical_name("QueueName");
            tf.physical_name("name");
        }
        cfn.checkov_skip(
            "CKV_AWS_27",
            "encrypted at rest with SQS-managed keys (SqsManagedSseEnabled); checkov's CloudFormation \
             check reads only KmsMasterKeyId (its Terraform twin accepts either)",
        )
        .set("MessageRetentionPeriod", retention_seconds)
            .set("SqsManagedSseEnabled", true)
            .set_some("VisibilityTimeout", visibility_timeout_seconds);
        tf.set("message_retention_seconds", retention_seconds)
            .set("sqs_managed_sse_enabled", true)
            .set_some("visibility_timeout_seconds", visibility_timeout_seconds);
        if let Some(DeadLetter {
            arn,
            max_receive_count: count,
            id,
            retention_seconds: kept,
            fifo: dead_letter_fifo,
        }) = dead_letter
        {
            if dead_letter_fifo != fifo {
                let (this, that) = match fifo {
                    true => ("a FIFO queue", "a standard queue"),
                    false => ("a standard queue", "a FIFO queue"),
                };
                resource.problems.push(format!(
                    "dead-letter queue `{id}` is {that}, and this is {this}: SQS moves messages only \
                     between queues of one type; expected {}",
                    match fifo {
                        true => "a dead-letter queue declared with `sqs::Queue::fifo(..)`",
                        false => "a dead-letter queue declared with `sqs::Queue::new(..)`",
                    }
                ));
            }
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
                fifo,
            },
        )
    }
}

/// The neutral kind of a queue's resource policy.
pub const POLICY_KIND: &str = "aws.sqs.QueuePolicy";

/// A queue's resource policy in each target.
pub(crate) static QUEUE_POLICY: Spelling = Spelling {
    kind: POLICY_KIND,
    cloudformation: "AWS::SQS::QueuePolicy",
    terraform: "aws_sqs_queue_policy",
    terraform_tags: false,
    attributes: &[],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// The resource policy (CloudFormation `AWS::SQS::QueuePolicy`, Terraform `aws_sqs_queue_policy`) that
/// lets AWS service `service` (`events.amazonaws.com`) send to `queue` on behalf of the resource
/// `source_arn` only (`aws:SourceArn`, no confused deputy). SQS keeps one policy per queue: the caller
/// makes sure no other declaration gives this queue one. The queue's SQS-managed encryption needs no
/// key policy.
#[track_caller]
pub(crate) fn service_send_policy(
    id: String,
    queue: &QueueHandle,
    service: &str,
    source_arn: Expr,
) -> Resource {
    let mut resource = Resource::new(id, POLICY_KIND);
    let policy = crate::iam::PolicyDocument::from(
        Statement::allow()
            .sid("AllowServiceSend")
            .principal(crate::iam::Principal::service(service))
            .action("sqs:SendMessage")
            .resource(queue.arn())
            .condition("ArnEquals", "aws:SourceArn", [source_arn]),
    );
    let mut cfn = Form::new();
    cfn.set("Queues", Value::List(vec![queue.url().into()]))
        .policy_document("PolicyDocument", policy.to_value(), "policy", &[]);
    let mut tf = Form::new();
    tf.set("queue_url", queue.url())
        .policy_document("policy", policy.to_value(), "policy", &[]);
    construct::finish(&mut resource, cfn, tf);
    resource
}
