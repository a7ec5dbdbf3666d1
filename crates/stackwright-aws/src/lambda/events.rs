//! What invokes a function: an SQS queue it polls (an event source mapping, with the consume grant made
//! for it) and an SNS topic it is subscribed to (a subscription, with the permission that lets SNS
//! invoke it, limited to that topic).

use super::FunctionHandle;
use crate::construct::{Attribute, Form, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::sns::{Endpoint, Subscription, SubscriptionHandle, TopicHandle};
use crate::sqs::QueueHandle;
use crate::{construct, Handle};
use stackwright_core::{Declare, HasResourceRef, Resource, ResourceRef, Stack, Value};

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
        if batch_size > 10 && batching_window_seconds.unwrap_or(0) < 1 {
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
