//! EventBridge: custom event buses and rules that route events (by pattern, or on a schedule) to
//! functions, queues and topics, each with the permission or resource policy that lets EventBridge
//! deliver for that rule only.
//!
//! ```no_run
//! # use stackwright_core::Stack;
//! # fn define(stack: &mut Stack, worker: &stackwright_aws::lambda::FunctionHandle,
//! #     jobs: &stackwright_aws::sqs::QueueHandle, failed: &stackwright_aws::sqs::QueueHandle) {
//! use stackwright_aws::events::{EventBus, EventPattern, Rule, Target};
//! let bus = stack.add(EventBus::new("Orders"));
//! Rule::on_pattern("Placed", EventPattern::new().source(["shop.orders"]).detail_type(["OrderPlaced"]))
//!     .bus(&bus)
//!     .target(Target::function(worker).retry_policy(3, 3600).dead_letter_queue(failed))
//!     .target(Target::queue(jobs))
//!     .add_to(stack);
//! stack.add(bus.grant_put_events(worker));
//! # }
//! ```

use crate::construct::{object, Attribute, Block, Form, ItemName, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{Grantee, PolicyDocument, Principal, RolePolicy, Statement};
use crate::kms::KeyHandle;
use crate::lambda::FunctionHandle;
use crate::naming::physical_name;
use crate::sns::TopicHandle;
use crate::sqs::QueueHandle;
use crate::{construct, Handle};
use stackwright_core::{interpolate, Declare, Expr, Location, Resource, ResourceRef, Stack, Value};
use std::collections::BTreeMap;

/// The neutral kind of an event bus.
pub const BUS_KIND: &str = "aws.events.EventBus";
/// The neutral kind of a rule.
pub const RULE_KIND: &str = "aws.events.Rule";

/// An event bus in each target; Terraform keeps its policy in a resource of its own.
pub(crate) static EVENT_BUS: Spelling = Spelling {
    kind: BUS_KIND,
    cloudformation: "AWS::Events::EventBus",
    terraform: "aws_cloudwatch_event_bus",
    terraform_tags: true,
    attributes: &[
        Attribute::new("arn", Read::GetAtt("Arn"), "arn"),
        Attribute::new("name", Read::Ref, "name"),
    ],
    // Its policy names its ARN, which the bus's own `Policy` property cannot (a circular reference).
    cloudformation_resource: Some(Block {
        type_name: "AWS::Events::EventBusPolicy",
        suffix: "Policy",
        named_by: None,
    }),
    terraform_data: &[],
    terraform_blocks: &[Block {
        type_name: "aws_cloudwatch_event_bus_policy",
        suffix: "_policy",
        named_by: None,
    }],
};

/// A rule in each target: CloudFormation lists its targets in the rule, Terraform declares one
/// `aws_cloudwatch_event_target` per target, named by its target id.
pub(crate) static RULE: Spelling = Spelling {
    kind: RULE_KIND,
    cloudformation: "AWS::Events::Rule",
    terraform: "aws_cloudwatch_event_rule",
    terraform_tags: true,
    attributes: &[
        Attribute::new("arn", Read::GetAtt("Arn"), "arn"),
        Attribute::new("name", Read::GetAtt("RuleName"), "name"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[Block {
        type_name: "aws_cloudwatch_event_target",
        suffix: "_target",
        named_by: Some(ItemName::Attribute("target_id")),
    }],
};

/// The statement id of a bus's policy.
const BUS_POLICY_SID: &str = "AllowPutEventsFromAccounts";
/// The service principal EventBridge delivers as.
const EVENTS: &str = "events.amazonaws.com";
/// The most targets a rule takes (EventBridge quota).
pub const MAX_TARGETS: usize = 5;

/// A custom event bus (CloudFormation `AWS::Events::EventBus`, Terraform `aws_cloudwatch_event_bus`),
/// named in both targets (CloudFormation requires a name): the name given with `.name(..)`, or
/// `<app>-<env>-<stack>-<id>`. Events are encrypted at rest with an AWS owned key unless
/// [`encryption_key`](Self::encryption_key) chooses a customer managed one. No bus policy unless asked
/// ([`allow_put_events_from_account`](Self::allow_put_events_from_account)): only this account's
/// principals with `events:PutEvents` on the bus ([`EventBusHandle::grant_put_events`]) send to it.
pub struct EventBus {
    resource: Resource,
    description: Option<String>,
    key: Option<Expr>,
    accounts: Vec<String>,
}

impl EventBus {
    #[track_caller]
    pub fn new(id: impl Into<String>) -> Self {
        EventBus {
            resource: Resource::new(id, BUS_KIND),
            description: None,
            key: None,
            accounts: Vec::new(),
        }
    }

    /// What the bus is for, at most 512 characters.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        let text = text.into();
        crate::check::check_length(&mut self.resource, "event bus description", &text, 512);
        self.description = Some(text);
        self
    }

    /// Encrypts the bus's events, patterns and target settings with customer managed key `key`, whose
    /// policy must let EventBridge use it ([`Key::allow_event_buses`](crate::kms::Key::allow_event_buses)).
    pub fn encryption_key(mut self, key: &KeyHandle) -> Self {
        if !key.allows_event_buses() {
            self.resource.problems.push(format!(
                "event bus encrypted with key `{}`, whose policy does not let EventBridge use it, so \
                 every event would fail to encrypt: expected `.allow_event_buses()` on the key",
                key.declared_id()
            ));
        }
        self.key = Some(key.arn());
        self
    }

    /// A bus policy that lets AWS account `account` (12 digits) put events on the bus (cross-account
    /// delivery); one statement names every account asked (CloudFormation `AWS::Events::EventBusPolicy`
    /// `<id>Policy`, Terraform `aws_cloudwatch_event_bus_policy`).
    pub fn allow_put_events_from_account(mut self, account: impl Into<String>) -> Self {
        let account = account.into();
        if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
            self.resource.problems.push(format!(
                "event bus policy account `{account}`: expected a 12-digit AWS account id"
            ));
        } else if self.accounts.contains(&account) {
            self.resource.problems.push(format!(
                "event bus policy account `{account}` is allowed twice: expected each account once"
            ));
        }
        self.accounts.push(account);
        self
    }
}
common_setters!(EventBus, taggable);
patchable!(EventBus, EVENT_BUS);
physical_name!(EventBus);

attr_handle!(
    /// A declared event bus.
    EventBusHandle {
        /// The bus's ARN: what rules, grants and other accounts name.
        arn: "arn",
        /// The bus's name: what producers put events on.
        name: "name",
    } id: String
);

impl EventBusHandle {
    /// Lets `to` (a role, or a function's role) put events on this bus only (`events:PutEvents`):
    /// `stack.add(bus.grant_put_events(&function))`.
    #[track_caller]
    pub fn grant_put_events(&self, to: &impl Grantee) -> RolePolicy {
        let statements = vec![Statement::allow()
            .action("events:PutEvents")
            .resource(self.arn())];
        RolePolicy::grant(to.grantee_role(), &self.id, "PutEvents", statements)
    }
}

impl Declare for EventBus {
    type Handle = EventBusHandle;
    fn declare(self, at: ResourceRef) -> (Resource, EventBusHandle) {
        let EventBus {
            mut resource,
            description,
            key,
            accounts,
        } = self;
        let handle = Handle(at);
        // One statement for every account asked, so that CloudFormation's `AWS::Events::EventBusPolicy`
        // (one statement each) and Terraform's policy say the same.
        let policy: Option<PolicyDocument> = (!accounts.is_empty()).then(|| {
            let roots = accounts.iter().map(|account| {
                Principal::aws(interpolate![
                    "arn:",
                    Expr::partition(),
                    ":iam::",
                    account.as_str(),
                    ":root"
                ])
            });
            let mut statement = Statement::allow().sid(BUS_POLICY_SID);
            for root in roots {
                statement = statement.principal(root);
            }
            PolicyDocument::from(
                statement
                    .action("events:PutEvents")
                    .resource(handle.attr("arn")),
            )
        });
        let mut cfn = Form::new();
        cfn.name_in_both_targets("Name", "")
            .set_some("Description", description.clone())
            .set_some("KmsKeyIdentifier", key.clone());
        let mut tf = Form::new();
        tf.name_in_both_targets("name", "")
            .set_some("description", description)
            .set_some("kms_key_identifier", key);
        if let Some(policy) = &policy {
            resource
                .problems
                .extend(policy.check(crate::iam::PolicyKind::Resource, "event bus policy"));
        }
        construct::finish(&mut resource, cfn, tf);
        if let Some(policy) = policy {
            let document = policy.to_value();
            let statement = document
                .get("Statement")
                .and_then(Value::as_list)
                .and_then(<[Value]>::first)
                .cloned();
            let mut beside = Form::new();
            beside
                .set("EventBusName", handle.attr("name"))
                .set("StatementId", BUS_POLICY_SID)
                .set_some("Statement", statement);
            construct::cloudformation_resource(&mut resource, beside);
            let mut body = Form::new();
            body.set("event_bus_name", handle.attr("name"))
                .policy_document("policy", document, "policy", &[]);
            construct::terraform_block(&mut resource, "_policy", body);
        }
        let id = resource.id.clone();
        (resource, EventBusHandle { handle, id })
    }
}

/// An EventBridge event pattern: a JSON object whose fields hold lists of values to match (or objects of
/// such fields), as EventBridge requires; the builder checks that shape, so that `"source": "x"` (not a
/// list) is an error at the rule's line rather than at deploy time. Values may be references
/// (`bucket.name()`).
#[derive(Clone, Debug, Default)]
pub struct EventPattern {
    fields: Vec<(String, Value)>,
}

impl EventPattern {
    /// An empty pattern; a rule needs at least one field.
    pub fn new() -> Self {
        EventPattern::default()
    }

    /// Matches events whose `source` is one of `sources` (`aws.s3`, `shop.orders`).
    pub fn source<S: Into<Expr>>(self, sources: impl IntoIterator<Item = S>) -> Self {
        self.field("source", Value::List(strings(sources)))
    }

    /// Matches events whose `detail-type` is one of `types` (`Object Created`, `OrderPlaced`).
    pub fn detail_type<S: Into<Expr>>(self, types: impl IntoIterator<Item = S>) -> Self {
        self.field("detail-type", Value::List(strings(types)))
    }

    /// Matches events whose `detail` matches `detail`: an object of fields, each a list of values or
    /// content filters (`{"prefix": "x"}`) or an object of such fields.
    pub fn detail(self, detail: impl Into<Value>) -> Self {
        self.field("detail", detail.into())
    }

    /// Matches field `name` of the event (`account`, `region`, `resources`) against `value`: a list of
    /// values or content filters, or an object of fields.
    pub fn field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    /// Every way the pattern breaks EventBridge's shape.
    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.fields.is_empty() {
            problems.push(
                "event pattern has no fields: expected at least one, such as `.source([\"aws.s3\"])`"
                    .to_owned(),
            );
        }
        for (at, (name, value)) in self.fields.iter().enumerate() {
            if self.fields[..at].iter().any(|(other, _)| other == name) {
                problems.push(format!(
                    "event pattern field `{name}` is given twice: expected each field once"
                ));
            }
            pattern_problems(name, value, &mut problems);
        }
        problems
    }

    fn to_value(&self) -> Value {
        Value::Map(self.fields.clone())
    }
}

/// Text values as a list.
fn strings<S: Into<Expr>>(items: impl IntoIterator<Item = S>) -> Vec<Value> {
    items.into_iter().map(|s| Value::Str(s.into())).collect()
}

/// The problems of pattern field `path` holding `value`: an object of fields, or a non-empty list.
fn pattern_problems(path: &str, value: &Value, problems: &mut Vec<String>) {
    match value {
        Value::Map(fields) if fields.is_empty() => problems.push(format!(
            "event pattern field `{path}` is an empty object: expected fields in it"
        )),
        Value::Map(fields) => {
            for (name, inner) in fields {
                pattern_problems(&format!("{path}.{name}"), inner, problems);
            }
        }
        Value::List(items) if items.is_empty() => problems.push(format!(
            "event pattern field `{path}` is an empty list, which matches nothing: expected at least \
             one value"
        )),
        Value::List(_) => {}
        other => problems.push(format!(
            "event pattern field `{path}` is {}: EventBridge matches a field against a list; expected \
             `[{}]`",
            describe(other),
            describe(other)
        )),
    }
}

/// A scalar value as the user wrote it, for messages.
fn describe(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Str(expr) => match expr.as_literal() {
            Some(text) => format!("\"{text}\""),
            None => "a reference".to_owned(),
        },
        Value::List(_) | Value::Map(_) => "a list or object".to_owned(),
    }
}

/// What a rule delivers to, with its retry policy and dead-letter queue.
pub struct Target {
    to: Destination,
    retry: Option<(i64, i64)>,
    dead_letter: Option<QueueHandle>,
    message_group_id: Option<String>,
    problems: Vec<String>,
}

/// Where a target delivers.
#[derive(Clone)]
enum Destination {
    Function(FunctionHandle),
    Queue(QueueHandle),
    Topic(TopicHandle),
}

impl Target {
    /// Invokes `function` asynchronously; the rule adds the permission that lets EventBridge invoke it
    /// for this rule only.
    pub fn function(function: &FunctionHandle) -> Self {
        Self::to(Destination::Function(function.clone()))
    }

    /// Sends the event to `queue`; the rule adds the queue policy that lets EventBridge send for this
    /// rule only. A FIFO queue needs [`message_group_id`](Self::message_group_id).
    pub fn queue(queue: &QueueHandle) -> Self {
        Self::to(Destination::Queue(queue.clone()))
    }

    /// Publishes the event to `topic`; the rule adds the topic policy that lets EventBridge publish for
    /// this rule only. The topic's key must let EventBridge use it
    /// ([`Key::allow_topic_publisher`](crate::kms::Key::allow_topic_publisher)`("events.amazonaws.com")`).
    pub fn topic(topic: &TopicHandle) -> Self {
        Self::to(Destination::Topic(topic.clone()))
    }

    fn to(to: Destination) -> Self {
        Target {
            to,
            retry: None,
            dead_letter: None,
            message_group_id: None,
            problems: Vec::new(),
        }
    }

    /// Retries a failed delivery at most `attempts` times (0 to 185) within `max_event_age_seconds` (60
    /// to 86,400); EventBridge's default is 185 times within 24 hours.
    pub fn retry_policy(mut self, attempts: i64, max_event_age_seconds: i64) -> Self {
        if !(0..=185).contains(&attempts) {
            self.problems.push(format!(
                "retry policy of {attempts} attempts: expected 0 to 185"
            ));
        }
        if !(60..=86_400).contains(&max_event_age_seconds) {
            self.problems.push(format!(
                "retry policy with a maximum event age of {max_event_age_seconds} seconds: expected 60 \
                 to 86400 (24 hours)"
            ));
        }
        self.retry = Some((attempts, max_event_age_seconds));
        self
    }

    /// Sends what cannot be delivered to `queue` (a standard queue, as EventBridge requires), which the
    /// rule's queue policy lets EventBridge send to.
    pub fn dead_letter_queue(mut self, queue: &QueueHandle) -> Self {
        if queue.is_fifo() {
            self.problems.push(format!(
                "dead-letter queue `{}` is a FIFO queue: EventBridge's dead-letter queues are standard \
                 queues; expected one declared with `sqs::Queue::new(..)`",
                queue.declared_id()
            ));
        }
        self.dead_letter = Some(queue.clone());
        self
    }

    /// The message group of the events sent to a FIFO queue (`SqsParameters`), which it requires.
    pub fn message_group_id(mut self, group: impl Into<String>) -> Self {
        let group = group.into();
        if group.is_empty() || group.len() > 128 {
            self.problems.push(format!(
                "message group id `{group}`: expected 1 to 128 characters"
            ));
        }
        self.message_group_id = Some(group);
        self
    }

    /// The target's id in the rule: the declared id of what it delivers to.
    fn id(&self) -> &str {
        match &self.to {
            Destination::Function(f) => f.declared_id(),
            Destination::Queue(q) => q.declared_id(),
            Destination::Topic(t) => t.declared_id(),
        }
    }

    fn arn(&self) -> Expr {
        match &self.to {
            Destination::Function(f) => f.arn(),
            Destination::Queue(q) => q.arn(),
            Destination::Topic(t) => t.arn(),
        }
    }
}

/// What a rule matches.
enum Trigger {
    Pattern(EventPattern),
    Schedule(String),
}

/// A rule (CloudFormation `AWS::Events::Rule` with its `Targets`, Terraform `aws_cloudwatch_event_rule`
/// and one `aws_cloudwatch_event_target` per target) on the default bus or a custom one
/// ([`bus`](Self::bus)), matching an [`EventPattern`] or running on a schedule. [`add_to`](Self::add_to)
/// declares it with what lets EventBridge deliver to each target for this rule only: a function's
/// `AWS::Lambda::Permission` (`<rule>-<target>-Invoke`), a queue's or topic's resource policy
/// (`<rule>-<queue>-Policy`, also for dead-letter queues). SQS and SNS keep one policy per queue or
/// topic, so a queue or topic takes the targets of one rule per stack.
pub struct Rule {
    resource: Resource,
    trigger: Trigger,
    bus: Option<EventBusHandle>,
    description: Option<String>,
    enabled: bool,
    targets: Vec<Target>,
}

impl Rule {
    /// A rule matching events of `pattern`.
    #[track_caller]
    pub fn on_pattern(id: impl Into<String>, pattern: EventPattern) -> Self {
        let mut resource = Resource::new(id, RULE_KIND);
        resource.problems.extend(pattern.problems());
        Self::with(resource, Trigger::Pattern(pattern))
    }

    /// A rule running on `expression`: `rate(5 minutes)` or `cron(0 12 * * ? *)` (EventBridge rules take
    /// no one-time `at(..)`; EventBridge Scheduler does, see [`Schedule`](crate::scheduler::Schedule)).
    /// Schedules run on the default bus only.
    #[track_caller]
    pub fn on_schedule(id: impl Into<String>, expression: impl Into<String>) -> Self {
        let mut resource = Resource::new(id, RULE_KIND);
        let expression = expression.into();
        let problem = match expression.starts_with("at(") {
            true => Some("EventBridge rules take no one-time schedule".to_owned()),
            false => crate::scheduler::expression_problem(&expression),
        };
        if let Some(problem) = problem {
            resource.problems.push(format!(
                "schedule expression `{expression}`: {problem}; expected `rate(5 minutes)` or \
                 `cron(0 12 * * ? *)`"
            ));
        }
        Self::with(resource, Trigger::Schedule(expression))
    }

    fn with(resource: Resource, trigger: Trigger) -> Self {
        Rule {
            resource,
            trigger,
            bus: None,
            description: None,
            enabled: true,
            targets: Vec::new(),
        }
    }

    /// Records `problem`, found by a composite that builds the rule, on it.
    pub(crate) fn problem(mut self, problem: String) -> Self {
        self.resource.problems.push(problem);
        self
    }

    /// Reports the rule's problems at `location` (a composite's caller) rather than where it was built.
    pub(crate) fn located_at(mut self, location: Location) -> Self {
        self.resource.location = location;
        self
    }

    /// Matches events on custom bus `bus` rather than the account's default bus.
    pub fn bus(mut self, bus: &EventBusHandle) -> Self {
        if let Trigger::Schedule(expression) = &self.trigger {
            self.resource.problems.push(format!(
                "schedule `{expression}` on event bus `{}`: EventBridge runs scheduled rules on the \
                 default bus only; expected no `.bus(..)`",
                bus.id
            ));
        }
        self.bus = Some(bus.clone());
        self
    }

    /// What the rule is for, at most 512 characters.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        let text = text.into();
        crate::check::check_length(&mut self.resource, "rule description", &text, 512);
        self.description = Some(text);
        self
    }

    /// Declares the rule turned off (`DISABLED`).
    pub fn disabled(mut self) -> Self {
        self.enabled = false;
        self
    }

    /// Delivers matched events to `target` too; at most [`MAX_TARGETS`], each destination once.
    pub fn target(mut self, target: Target) -> Self {
        let id = target.id().to_owned();
        if self.targets.iter().any(|t| t.id() == id) {
            self.resource.problems.push(format!(
                "rule target `{id}` is given twice: expected each destination once"
            ));
            // Declared once: its permission or policy, and its own problems, would repeat the mistake.
            return self;
        }
        self.resource.problems.extend(
            target
                .problems
                .iter()
                .map(|problem| format!("rule target `{id}`: {problem}")),
        );
        if id.len() > 64 {
            self.resource.problems.push(format!(
                "rule target `{id}`: EventBridge's target ids are at most 64 characters, and a target's \
                 id is the declared id of what it delivers to; expected a shorter id there"
            ));
        }
        if self.targets.len() == MAX_TARGETS {
            self.resource.problems.push(format!(
                "rule target `{id}` is target {}: EventBridge takes at most {MAX_TARGETS} per rule",
                MAX_TARGETS + 1
            ));
        }
        match (&target.to, &target.message_group_id) {
            (Destination::Queue(queue), None) if queue.is_fifo() => {
                self.resource.problems.push(format!(
                    "rule target `{id}` is a FIFO queue, which needs a message group: expected \
                     `.message_group_id(..)` on the target"
                ))
            }
            (Destination::Queue(queue), Some(_)) if queue.is_fifo() => {}
            (_, Some(_)) => self.resource.problems.push(format!(
                "rule target `{id}` has a message group id, which only FIFO queue targets take"
            )),
            _ => {}
        }
        if let Destination::Topic(topic) = &target.to {
            let what = format!("rule `{}`'s target", self.resource.id);
            self.resource
                .problems
                .extend(topic.service_publish_problem(EVENTS, &what));
        }
        self.targets.push(target);
        self
    }

    /// Declares the rule, then each function target's permission and each queue's and topic's policy,
    /// scoped to the rule's ARN, in `stack`.
    #[track_caller]
    pub fn add_to(self, stack: &mut Stack) -> RuleHandle {
        let Rule {
            mut resource,
            trigger,
            bus,
            description,
            enabled,
            targets,
        } = self;
        let id = resource.id.clone();
        let location = resource.location;
        // Permissions and policies are named after it: a bad or taken id is one error, not one per part.
        stack.check_composite_id("rule", &id, location);
        let state = if enabled { "ENABLED" } else { "DISABLED" };
        let bus_name = bus.as_ref().map(EventBusHandle::name);
        let mut cfn = Form::new();
        cfn.physical_name("Name")
            .set_some("Description", description.clone())
            .set_some("EventBusName", bus_name.clone());
        let mut tf = Form::new();
        tf.physical_name("name")
            .set_some("description", description)
            .set_some("event_bus_name", bus_name.clone());
        match &trigger {
            Trigger::Pattern(pattern) => {
                let value = pattern.to_value();
                cfn.set("EventPattern", value.clone());
                tf.set("event_pattern", construct::json_text(&value));
            }
            Trigger::Schedule(expression) => {
                cfn.set("ScheduleExpression", expression.as_str());
                tf.set("schedule_expression", expression.as_str());
            }
        }
        cfn.set("State", state);
        tf.set("state", state);
        let mut listed = Vec::new();
        for target in &targets {
            let mut item = vec![
                ("Arn", Value::Str(target.arn())),
                ("Id", Value::from(target.id())),
            ];
            if let Some((attempts, age)) = target.retry {
                item.push((
                    "RetryPolicy",
                    object(&[
                        ("MaximumRetryAttempts", attempts.into()),
                        ("MaximumEventAgeInSeconds", age.into()),
                    ]),
                ));
            }
            if let Some(queue) = &target.dead_letter {
                item.push((
                    "DeadLetterConfig",
                    object(&[("Arn", queue.arn().into())]),
                ));
            }
            if let Some(group) = &target.message_group_id {
                item.push((
                    "SqsParameters",
                    object(&[("MessageGroupId", group.as_str().into())]),
                ));
            }
            listed.push(object(&item));
        }
        if !listed.is_empty() {
            cfn.set("Targets", Value::List(listed));
        }
        construct::finish(&mut resource, cfn, tf);
        let handle = stack.add(Ready(resource, targets_blocks(&targets, bus_name)));
        let rule = RuleHandle {
            handle,
            id: id.clone(),
        };
        declare_delivery(stack, &rule, &targets, location);
        rule
    }
}
common_setters!(Rule, taggable);
patchable!(Rule, RULE);
physical_name!(Rule);

/// Each target's Terraform block, for [`Ready::declare`] to add once the rule's own name can be
/// referenced.
fn targets_blocks(targets: &[Target], bus_name: Option<Expr>) -> Vec<TargetBlock> {
    targets
        .iter()
        .map(|target| TargetBlock {
            id: target.id().to_owned(),
            arn: target.arn(),
            bus_name: bus_name.clone(),
            retry: target.retry,
            dead_letter: target.dead_letter.as_ref().map(QueueHandle::arn),
            message_group_id: target.message_group_id.clone(),
        })
        .collect()
}

/// What one `aws_cloudwatch_event_target` says.
struct TargetBlock {
    id: String,
    arn: Expr,
    bus_name: Option<Expr>,
    retry: Option<(i64, i64)>,
    dead_letter: Option<Expr>,
    message_group_id: Option<String>,
}

/// The queues and topics that already have a policy from a rule of this stack, with the rule and where
/// it was declared: SQS and SNS keep one policy per queue or topic.
#[derive(Clone, Default)]
struct DeliveryPolicies(BTreeMap<String, (String, Location)>);

/// Declares what lets EventBridge deliver each of `rule`'s targets (and dead-letter queues): permissions
/// for functions, one policy per queue or topic.
#[track_caller]
fn declare_delivery(
    stack: &mut Stack,
    rule: &RuleHandle,
    targets: &[Target],
    location: Location,
) {
    let mut queues: Vec<QueueHandle> = Vec::new();
    let mut topics: Vec<TopicHandle> = Vec::new();
    for target in targets {
        match &target.to {
            Destination::Function(function) => {
                let id = format!("{}-{}-Invoke", rule.id, function.declared_id());
                stack.add(Ready(invoke_permission(id, function, rule), Vec::new()));
            }
            Destination::Queue(queue) => queues.push(queue.clone()),
            Destination::Topic(topic) => topics.push(topic.clone()),
        }
        queues.extend(target.dead_letter.clone());
    }
    let mut seen: Vec<String> = Vec::new();
    for queue in queues {
        let queue_id = queue.declared_id().to_owned();
        if seen.contains(&queue_id) || !claim(stack, "queue", &queue_id, &rule.id, location) {
            continue;
        }
        seen.push(queue_id.clone());
        let id = format!("{}-{queue_id}-Policy", rule.id);
        let policy = crate::sqs::service_send_policy(id, &queue, EVENTS, rule.arn());
        stack.add(Ready(policy, Vec::new()));
    }
    for topic in topics {
        let topic_id = topic.declared_id().to_owned();
        if !claim(stack, "topic", &topic_id, &rule.id, location) {
            continue;
        }
        let id = format!("{}-{topic_id}-Policy", rule.id);
        let policy = crate::sns::service_publish_policy(id, &topic, EVENTS, rule.arn());
        stack.add(Ready(policy, Vec::new()));
    }
}

/// The permission (CloudFormation `AWS::Lambda::Permission`, Terraform `aws_lambda_permission`) that
/// lets EventBridge invoke `function` for `rule` only: `SourceArn` the rule's ARN (checkov CKV_AWS_364),
/// `SourceAccount` this account.
#[track_caller]
fn invoke_permission(id: String, function: &FunctionHandle, rule: &RuleHandle) -> Resource {
    let mut resource = Resource::new(id, crate::lambda::PERMISSION_KIND);
    let mut cfn = Form::new();
    cfn.set("FunctionName", function.arn())
        .set("Action", "lambda:InvokeFunction")
        .set("Principal", EVENTS)
        .set("SourceArn", rule.arn())
        .set("SourceAccount", Expr::account_id());
    let mut tf = Form::new();
    tf.set("function_name", function.arn())
        .set("action", "lambda:InvokeFunction")
        .set("principal", EVENTS)
        .set("source_arn", rule.arn())
        .set("source_account", Expr::account_id());
    construct::finish(&mut resource, cfn, tf);
    resource
}

/// Claims the one resource policy of queue or topic `id` for `rule`; reports (at `location`) and
/// returns `false` when another rule of the stack holds it.
fn claim(
    stack: &mut Stack,
    what: &str,
    id: &str,
    rule: &str,
    location: Location,
) -> bool {
    let key = format!("{what}:{id}");
    let policies = stack.extensions_mut().get_or_default_mut::<DeliveryPolicies>();
    match policies.0.get(&key) {
        Some((first, at)) => {
            let problem = format!(
                "rule `{rule}` delivers to {what} `{id}`, whose policy rule `{first}` (declared at \
                 {}:{}) already sets: SQS and SNS keep one resource policy per {what}, so the second \
                 would replace the first; expected one rule per {what} (one rule's pattern can match \
                 several kinds of event)",
                at.file(),
                at.line()
            );
            stack.report(
                stackwright_core::Diagnostic::new(problem)
                    .for_resource(rule)
                    .at(location),
            );
            false
        }
        None => {
            policies.0.insert(key, (rule.to_owned(), location));
            true
        }
    }
}

attr_handle!(
    /// A declared rule.
    RuleHandle {
        /// The rule's ARN: what EventBridge's permissions and policies name as `aws:SourceArn`.
        arn: "arn",
        /// The rule's name.
        name: "name",
    } id: String
);

/// A node whose forms are written, with the Terraform target blocks it adds once declared.
struct Ready(Resource, Vec<TargetBlock>);

impl Declare for Ready {
    type Handle = Handle;
    fn declare(self, at: ResourceRef) -> (Resource, Handle) {
        let Ready(mut resource, targets) = self;
        let handle = Handle(at);
        for target in targets {
            let mut body = Form::new();
            body.set("rule", handle.attr("name"))
                .set_some("event_bus_name", target.bus_name)
                .set("target_id", target.id.as_str())
                .set("arn", target.arn);
            if let Some((attempts, age)) = target.retry {
                body.set(
                    "retry_policy",
                    object(&[
                        ("maximum_retry_attempts", attempts.into()),
                        ("maximum_event_age_in_seconds", age.into()),
                    ]),
                );
            }
            if let Some(arn) = target.dead_letter {
                body.set("dead_letter_config", object(&[("arn", arn.into())]));
            }
            if let Some(group) = target.message_group_id {
                body.set(
                    "sqs_target",
                    object(&[("message_group_id", group.into())]),
                );
            }
            construct::terraform_item(&mut resource, "_target", body);
        }
        (resource, handle)
    }
}
