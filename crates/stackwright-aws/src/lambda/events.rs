//! What invokes a function: an SQS queue it polls (an event source mapping, with the consume grant made
//! for it), an SNS topic it is subscribed to (a subscription, with the permission that lets SNS
//! invoke it, limited to that topic) and a bucket's object-created events (an EventBridge rule for that
//! bucket, with the permission limited to that rule).

use super::FunctionHandle;
use crate::construct::{Attribute, Form, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::sns::{Endpoint, Subscription, SubscriptionHandle, TopicHandle};
use crate::sqs::QueueHandle;
use crate::{construct, Handle};
use crate::events::{EventPattern, Rule, RuleHandle, Target};
use crate::s3::BucketHandle;
use stackwright_core::{json, Declare, HasResourceRef, Location, Resource, ResourceRef, Stack, Value};

/// The neutral kind of an event source mapping.
pub const EVENT_SOURCE_MAPPING_KIND: &str = "aws.lambda.EventSourceMapping";
/// The neutral kind of a permission to invoke a function.
pub const PERMISSION_KIND: &str = "aws.lambda.Permission";

/// An event source mapping in each target.
pub(crate) static EVENT_SOURCE_MAPPING: Spelling = Spelling {
    kind: EVENT_SOURCE_MAPPING_KIND,
    cloudformation: "AWS::Lambda::EventSourceMapping",
    terraform: "aws_lambda_event_source_mapping",
    terraform_tags: true,
    attributes: &[
        Attribute::new("uuid", Read::Ref, "uuid"),
        Attribute::new("arn", Read::GetAtt("EventSourceMappingArn"), "arn"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A permission to invoke a function in each target.
pub(crate) static PERMISSION: Spelling = Spelling {
    kind: PERMISSION_KIND,
    cloudformation: "AWS::Lambda::Permission",
    terraform: "aws_lambda_permission",
    terraform_tags: false,
    attributes: &[],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// The largest batch a standard queue's mapping takes.
pub const MAX_QUEUE_BATCH_SIZE: i64 = 10_000;
/// The longest a mapping gathers a batch: 5 minutes.
pub const MAX_BATCHING_WINDOW_SECONDS: i64 = 300;

/// A function polling an SQS queue (CloudFormation `AWS::Lambda::EventSourceMapping`, Terraform
/// `aws_lambda_event_source_mapping`). [`add_to`](Self::add_to) also grants the function's role what a
/// consumer needs of the queue (`queue.grant_consume(&function)`, `<function>-Role-<queue>-Consume`),
/// which the mapping waits for (Lambda checks it). Batches of 10 by default; the queue's visibility
/// timeout must be at least the function's timeout (Lambda refuses the mapping otherwise).
pub struct QueueEventSource {
    resource: Resource,
    function: FunctionHandle,
    queue: QueueHandle,
    batch_size: i64,
    batching_window_seconds: Option<i64>,
    report_batch_item_failures: bool,
    maximum_concurrency: Option<i64>,
}

impl QueueEventSource {
    /// `function` polls `queue`.
    #[track_caller]
    pub fn new(id: impl Into<String>, function: &FunctionHandle, queue: &QueueHandle) -> Self {
        QueueEventSource {
            resource: Resource::new(id, EVENT_SOURCE_MAPPING_KIND),
            function: function.clone(),
            queue: queue.clone(),
            batch_size: 10,
            batching_window_seconds: None,
            report_batch_item_failures: false,
            maximum_concurrency: None,
        }
    }

    /// Messages per invocation, 1 to [`MAX_QUEUE_BATCH_SIZE`]; more than 10 needs a batching window.
    pub fn batch_size(mut self, messages: i64) -> Self {
        if !(1..=MAX_QUEUE_BATCH_SIZE).contains(&messages) {
            self.resource.problems.push(format!(
                "queue batch size of {messages}: expected 1 to {MAX_QUEUE_BATCH_SIZE}"
            ));
        }
        self.batch_size = messages;
        self
    }

    /// How long to gather a batch before invoking, 0 to [`MAX_BATCHING_WINDOW_SECONDS`].
    pub fn maximum_batching_window_seconds(mut self, seconds: i64) -> Self {
        if !(0..=MAX_BATCHING_WINDOW_SECONDS).contains(&seconds) {
            self.resource.problems.push(format!(
                "batching window of {seconds} seconds: expected 0 to {MAX_BATCHING_WINDOW_SECONDS}"
            ));
        }
        self.batching_window_seconds = Some(seconds);
        self
    }

    /// The function reports which messages of a batch failed (`batchItemFailures`), so that only those
    /// return to the queue.
    pub fn report_batch_item_failures(mut self) -> Self {
        self.report_batch_item_failures = true;
        self
    }

    /// At most `invocations` concurrent invocations for this queue, 2 to 1,000.
    pub fn maximum_concurrency(mut self, invocations: i64) -> Self {
        if !(2..=1000).contains(&invocations) {
            self.resource.problems.push(format!(
                "maximum concurrency of {invocations}: expected 2 to 1000"
            ));
        }
        self.maximum_concurrency = Some(invocations);
        self
    }

    /// Declares the consume grant and the mapping in `stack`.
    #[track_caller]
    pub fn add_to(self, stack: &mut Stack) -> EventSourceMappingHandle {
        let QueueEventSource {
            mut resource,
            function,
            queue,
            batch_size,
            batching_window_seconds,
            report_batch_item_failures,
            maximum_concurrency,
        } = self;
        if queue.is_fifo() {
            // Lambda's parameters for SQS: at most 10 per batch and no batching window for FIFO queues.
            if batch_size > 10 {
                resource.problems.push(format!(
                    "queue batch size of {batch_size} for FIFO queue `{}`: expected 1 to 10 (Lambda's \
                     limit for FIFO queues)",
                    queue.declared_id()
                ));
            }
            if let Some(seconds) = batching_window_seconds {
                resource.problems.push(format!(
                    "batching window of {seconds} seconds for FIFO queue `{}`: Lambda has no batching \
                     window for FIFO queues; expected none",
                    queue.declared_id()
                ));
            }
        } else if batch_size > 10 && batching_window_seconds.unwrap_or(0) < 1 {
            resource.problems.push(format!(
                "queue batch size of {batch_size} without a batching window: expected \
                 `.maximum_batching_window_seconds(n)` of at least 1 for batches over 10"
            ));
        }
        let (visible, timeout) = (
            queue.visibility_timeout_seconds(),
            function.timeout_seconds(),
        );
        if visible < timeout {
            resource.problems.push(format!(
                "queue `{}` hides a received message {visible} seconds, less than function `{}`'s \
                 timeout of {timeout}: another consumer could receive it while the function still works \
                 on it (Lambda refuses the mapping); expected the queue's \
                 `.visibility_timeout_seconds({timeout})` or more",
                queue.declared_id(),
                function.declared_id()
            ));
        }
        let grant = queue.grant_consume(&function);
        match stack.declared_at(grant.id()) {
            // A second mapping of the same queue and function: its grant's id is taken.
            Some(first) => resource.problems.push(format!(
                "queue `{}` already feeds function `{}` (its consume grant `{}` is declared at {}:{}): \
                 expected one event source per queue and function",
                queue.declared_id(),
                function.declared_id(),
                grant.id(),
                first.file(),
                first.line()
            )),
            None => {
                let grant = stack.add(grant);
                resource.depends_on.push(grant.resource_ref());
            }
        }
        let mut cfn = Form::new();
        cfn.set("FunctionName", function.arn())
            .set("EventSourceArn", queue.arn())
            .set("BatchSize", batch_size)
            .set_some("MaximumBatchingWindowInSeconds", batching_window_seconds);
        let mut tf = Form::new();
        tf.set("function_name", function.arn())
            .set("event_source_arn", queue.arn())
            .set("batch_size", batch_size)
            .set_some("maximum_batching_window_in_seconds", batching_window_seconds);
        if report_batch_item_failures {
            let types = Value::List(vec!["ReportBatchItemFailures".into()]);
            cfn.set("FunctionResponseTypes", types.clone());
            tf.set("function_response_types", types);
        }
        if let Some(invocations) = maximum_concurrency {
            cfn.set(
                "ScalingConfig",
                construct::object(&[("MaximumConcurrency", invocations.into())]),
            );
            tf.set(
                "scaling_config",
                construct::object(&[("maximum_concurrency", invocations.into())]),
            );
        }
        construct::finish(&mut resource, cfn, tf);
        let handle = stack.add(Ready(resource));
        EventSourceMappingHandle { handle }
    }
}
common_setters!(QueueEventSource, taggable);
patchable!(QueueEventSource, EVENT_SOURCE_MAPPING);

attr_handle!(
    /// A declared event source mapping.
    EventSourceMappingHandle {
        /// The mapping's id (a UUID).
        uuid: "uuid",
        arn: "arn",
    }
);

/// A function subscribed to an SNS topic: an `sns::Subscription` of protocol `lambda` and the
/// permission (CloudFormation `AWS::Lambda::Permission`, Terraform `aws_lambda_permission`) that lets
/// SNS invoke the function for this topic only (`SourceArn`, checkov CKV_AWS_364), which the
/// subscription waits for.
pub struct TopicEventSource {
    id: String,
    function: FunctionHandle,
    topic: TopicHandle,
}

/// What [`TopicEventSource::add_to`] declared.
#[derive(Clone, Debug)]
pub struct TopicEventSourceHandle {
    pub subscription: SubscriptionHandle,
}

impl TopicEventSource {
    /// `function` receives what is published to `topic`; the subscription is `id`, the permission
    /// `<id>-Permission`.
    #[track_caller]
    pub fn new(id: impl Into<String>, function: &FunctionHandle, topic: &TopicHandle) -> Self {
        TopicEventSource {
            id: id.into(),
            function: function.clone(),
            topic: topic.clone(),
        }
    }

    /// Declares the permission and the subscription in `stack`.
    #[track_caller]
    pub fn add_to(self, stack: &mut Stack) -> TopicEventSourceHandle {
        let location = std::panic::Location::caller();
        // The permission is named after it: a bad or taken id is one error, not one per part.
        stack.check_composite_id("topic event source", &self.id, location);
        let mut resource = Resource::new(format!("{}-Permission", self.id), PERMISSION_KIND);
        let mut cfn = Form::new();
        cfn.set("FunctionName", self.function.arn())
            .set("Action", "lambda:InvokeFunction")
            .set("Principal", "sns.amazonaws.com")
            .set("SourceArn", self.topic.arn());
        let mut tf = Form::new();
        tf.set("function_name", self.function.arn())
            .set("action", "lambda:InvokeFunction")
            .set("principal", "sns.amazonaws.com")
            .set("source_arn", self.topic.arn());
        construct::finish(&mut resource, cfn, tf);
        let permission = stack.add(Ready(resource));
        let subscription = stack.add(
            Subscription::new(
                self.id,
                &self.topic,
                Endpoint::Lambda(self.function.arn()),
            )
            .depends_on(&permission),
        );
        TopicEventSourceHandle { subscription }
    }
}

/// A function invoked for the objects created in a bucket, through EventBridge: the bucket sends its
/// events to the default bus ([`Bucket::eventbridge_notifications`](crate::s3::Bucket::eventbridge_notifications),
/// which this checks), and [`add_to`](Self::add_to) declares an [`events::Rule`](crate::events::Rule)
/// matching `Object Created` events of this bucket only (optionally under a key prefix or with a key
/// suffix), whose target is the function, with the permission that lets EventBridge invoke it for that
/// rule only (`SourceArn`, `SourceAccount`).
///
/// Why EventBridge rather than S3's own notification configuration: S3 keeps one notification
/// configuration per bucket (CloudFormation's `NotificationConfiguration` on the bucket, Terraform's one
/// `aws_s3_bucket_notification`), which a source declared after the bucket cannot add to, and in
/// CloudFormation a bucket that notifies a function waits for the function's permission while the
/// permission names the bucket (a cycle CDK breaks with a custom resource). A rule per source has
/// neither problem: any number of sources per bucket, each declared on its own, with a retry policy and
/// a dead-letter queue per source.
pub struct BucketEventSource {
    id: String,
    function: FunctionHandle,
    bucket: BucketHandle,
    prefix: Option<String>,
    suffix: Option<String>,
    dead_letter: Option<QueueHandle>,
    location: Location,
}

impl BucketEventSource {
    /// `function` is invoked for each object created in `bucket`; the rule is `id`, its permission
    /// `<id>-<function>-Invoke`.
    #[track_caller]
    pub fn object_created(
        id: impl Into<String>,
        function: &FunctionHandle,
        bucket: &BucketHandle,
    ) -> Self {
        BucketEventSource {
            id: id.into(),
            function: function.clone(),
            bucket: bucket.clone(),
            prefix: None,
            suffix: None,
            dead_letter: None,
            location: std::panic::Location::caller(),
        }
    }

    /// Only objects whose key starts with `prefix` (`uploads/`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Only objects whose key ends with `suffix` (`.jpg`).
    pub fn suffix(mut self, suffix: impl Into<String>) -> Self {
        self.suffix = Some(suffix.into());
        self
    }

    /// Sends the events EventBridge could not deliver to `queue` (a standard queue).
    pub fn dead_letter_queue(mut self, queue: &QueueHandle) -> Self {
        self.dead_letter = Some(queue.clone());
        self
    }

    /// Declares the rule and the permission in `stack`.
    #[track_caller]
    pub fn add_to(self, stack: &mut Stack) -> RuleHandle {
        let BucketEventSource {
            id,
            function,
            bucket,
            prefix,
            suffix,
            dead_letter,
            location,
        } = self;
        let mut problems = Vec::new();
        if bucket.sends_to_eventbridge() == Some(false) {
            problems.push(format!(
                "bucket `{}` does not send its events to EventBridge, so the rule would never match: \
                 expected `.eventbridge_notifications()` on the bucket",
                bucket.declared_id()
            ));
        }
        for (what, text) in [("prefix", &prefix), ("suffix", &suffix)] {
            if let Some(text) = text {
                if text.is_empty() || text.len() > 1024 {
                    problems.push(format!(
                        "object key {what} `{text}`: expected 1 to 1024 characters"
                    ));
                }
            }
        }
        // A prefix and a suffix match together only as one wildcard (two filters of one field match
        // either).
        let filter = match (&prefix, &suffix) {
            (Some(prefix), Some(suffix)) => {
                if prefix.contains('*') || suffix.contains('*') {
                    problems.push(format!(
                        "object key prefix `{prefix}` and suffix `{suffix}`: together they match as the \
                         wildcard `<prefix>*<suffix>`, so neither may hold `*`"
                    ));
                }
                Some(json!({"wildcard": format!("{prefix}*{suffix}")}))
            }
            (Some(prefix), None) => Some(json!({"prefix": prefix.as_str()})),
            (None, Some(suffix)) => Some(json!({"suffix": suffix.as_str()})),
            (None, None) => None,
        };
        let mut detail = vec![(
            "bucket".to_owned(),
            json!({"name": [bucket.name()]}),
        )];
        if let Some(filter) = filter {
            detail.push(("object".to_owned(), Value::Map(vec![("key".to_owned(), Value::List(vec![filter]))])));
        }
        let pattern = EventPattern::new()
            .source(["aws.s3"])
            .detail_type(["Object Created"])
            .detail(Value::Map(detail));
        let mut target = Target::function(&function);
        if let Some(queue) = &dead_letter {
            target = target.dead_letter_queue(queue);
        }
        let mut rule = Rule::on_pattern(id, pattern).located_at(location).target(target);
        for problem in problems {
            rule = rule.problem(problem);
        }
        rule.add_to(stack)
    }
}

/// A permission for `principal` (a service, `apigateway.amazonaws.com`) to invoke `function` on behalf of
/// `source_arn` only (CloudFormation `AWS::Lambda::Permission`, Terraform `aws_lambda_permission`;
/// checkov CKV_AWS_364), declared as `id` in `stack`: what an API's route to the function needs.
#[track_caller]
pub(crate) fn add_invoke_permission(
    stack: &mut Stack,
    id: String,
    function: &FunctionHandle,
    principal: &str,
    source_arn: stackwright_core::Expr,
) -> Handle {
    let mut resource = Resource::new(id, PERMISSION_KIND);
    let mut cfn = Form::new();
    cfn.set("FunctionName", function.arn())
        .set("Action", "lambda:InvokeFunction")
        .set("Principal", principal)
        .set("SourceArn", source_arn.clone());
    let mut tf = Form::new();
    tf.set("function_name", function.arn())
        .set("action", "lambda:InvokeFunction")
        .set("principal", principal)
        .set("source_arn", source_arn);
    construct::finish(&mut resource, cfn, tf);
    stack.add(Ready(resource))
}

/// A node whose forms are written: declared as is.
struct Ready(Resource);

impl Declare for Ready {
    type Handle = Handle;
    fn declare(self, at: ResourceRef) -> (Resource, Handle) {
        (self.0, Handle(at))
    }
}
