//! CloudWatch metric alarms.

use crate::check::set_bounded;
use crate::construct::{Attribute, Form, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::naming::physical_name;
use crate::sns::TopicHandle;
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Value};

/// The service principal that publishes an alarm's notifications.
const CLOUDWATCH_SERVICE: &str = "cloudwatch.amazonaws.com";

/// How a metric's data points are aggregated over a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statistic {
    Average,
    Sum,
    Minimum,
    Maximum,
    SampleCount,
}

impl Statistic {
    fn as_str(self) -> &'static str {
        match self {
            Statistic::Average => "Average",
            Statistic::Sum => "Sum",
            Statistic::Minimum => "Minimum",
            Statistic::Maximum => "Maximum",
            Statistic::SampleCount => "SampleCount",
        }
    }
}

/// A metric and how it is read: namespace, name, dimensions, statistic and period.
#[derive(Clone, Debug)]
pub struct Metric {
    namespace: String,
    name: String,
    dimensions: Vec<(String, Expr)>,
    statistic: Statistic,
    period_seconds: i64,
}

impl Metric {
    /// A metric read as its average over 5 minutes, e.g. `Metric::new("AWS/RDS", "CPUUtilization")`.
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        Metric {
            namespace: namespace.into(),
            name: name.into(),
            dimensions: Vec::new(),
            statistic: Statistic::Average,
            period_seconds: 300,
        }
    }

    /// Narrows the metric to one value of a dimension, e.g. `("DBInstanceIdentifier", db.identifier())`.
    pub fn dimension(mut self, name: impl Into<String>, value: impl Into<Expr>) -> Self {
        self.dimensions.push((name.into(), value.into()));
        self
    }

    pub fn statistic(mut self, statistic: Statistic) -> Self {
        self.statistic = statistic;
        self
    }

    /// 10, 20, 30 or a multiple of 60 seconds.
    pub fn period_seconds(mut self, seconds: i64) -> Self {
        self.period_seconds = seconds;
        self
    }
}

/// How the statistic is compared with the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    GreaterThanThreshold,
    GreaterThanOrEqualToThreshold,
    LessThanThreshold,
    LessThanOrEqualToThreshold,
}

impl Comparison {
    fn as_str(self) -> &'static str {
        match self {
            Comparison::GreaterThanThreshold => "GreaterThanThreshold",
            Comparison::GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
            Comparison::LessThanThreshold => "LessThanThreshold",
            Comparison::LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
        }
    }
}

/// What a period without data counts as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreatMissingData {
    Breaching,
    NotBreaching,
    Ignore,
    Missing,
}

/// An alarm on one metric: it fires when the statistic compares to `threshold` for
/// `evaluation_periods` consecutive periods (or `datapoints_to_alarm` of them).
///
/// Terraform needs a name: without `.name(...)` it is `<app>-<environment>-<stack>-<id>`; CloudFormation
/// generates one.
pub struct Alarm {
    resource: Resource,
    alarm_actions: Vec<Value>,
    ok_actions: Vec<Value>,
    insufficient_data_actions: Vec<Value>,
}

impl Alarm {
    #[track_caller]
    pub fn new(
        id: impl Into<String>,
        metric: Metric,
        comparison: Comparison,
        threshold: f64,
        evaluation_periods: i64,
    ) -> Self {
        let mut resource = Resource::new(id, kinds::CLOUDWATCH_ALARM);
        let problems = &mut resource.problems;
        if metric.namespace.is_empty()
            || metric.namespace.len() > 255
            || metric.namespace.starts_with(':')
        {
            problems.push(format!(
                "metric namespace `{}`: expected 1 to 255 characters, not starting with `:`",
                metric.namespace
            ));
        }
        if metric.name.is_empty() || metric.name.len() > 255 {
            problems.push(format!(
                "metric name `{}`: expected 1 to 255 characters",
                metric.name
            ));
        }
        if metric.dimensions.len() > 30 {
            problems.push(format!(
                "metric has {} dimensions: expected at most 30",
                metric.dimensions.len()
            ));
        }
        let period = metric.period_seconds;
        if !(matches!(period, 10 | 20 | 30) || (period >= 60 && period % 60 == 0)) {
            problems.push(format!(
                "metric period of {period} s: expected 10, 20, 30 or a multiple of 60 seconds"
            ));
        }
        if evaluation_periods < 1 {
            problems.push(format!(
                "{evaluation_periods} evaluation periods: expected at least 1"
            ));
        } else if period >= 60 && evaluation_periods.saturating_mul(period) > 86_400 {
            problems.push(format!(
                "{evaluation_periods} evaluation periods of {period} s span more than a day: \
                 CloudWatch evaluates at most 86400 seconds"
            ));
        }
        if !threshold.is_finite() {
            problems.push(format!(
                "alarm threshold {threshold}: expected a finite number"
            ));
        }
        resource.set("namespace", metric.namespace);
        resource.set("metric_name", metric.name);
        let dimensions = metric
            .dimensions
            .into_iter()
            .map(|(name, value)| (name, Value::Str(value)))
            .collect();
        resource.set("dimensions", Value::Map(dimensions));
        resource.set("statistic", metric.statistic.as_str());
        resource.set("period", period);
        resource.set("evaluation_periods", evaluation_periods);
        // Values carry no floats; the threshold travels as its shortest exact decimal text and each target
        // writes it as a JSON number.
        resource.set("threshold", threshold.to_string());
        resource.set("comparison", comparison.as_str());
        Alarm {
            resource,
            alarm_actions: Vec::new(),
            ok_actions: Vec::new(),
            insufficient_data_actions: Vec::new(),
        }
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        set_bounded(
            &mut self.resource,
            "description",
            "alarm description",
            text.into(),
            1024,
        );
        self
    }

    /// How many of the evaluation periods must breach (at most `evaluation_periods`).
    pub fn datapoints_to_alarm(mut self, datapoints: i64) -> Self {
        let periods = self
            .resource
            .get("evaluation_periods")
            .and_then(Value::as_int)
            .unwrap_or(1);
        if !(1..=periods).contains(&datapoints) {
            self.resource.problems.push(format!(
                "{datapoints} datapoints to alarm: expected 1 to the {periods} evaluation periods"
            ));
        }
        self.resource.set("datapoints_to_alarm", datapoints);
        self
    }

    pub fn treat_missing_data(mut self, treatment: TreatMissingData) -> Self {
        let value = match treatment {
            TreatMissingData::Breaching => "breaching",
            TreatMissingData::NotBreaching => "notBreaching",
            TreatMissingData::Ignore => "ignore",
            TreatMissingData::Missing => "missing",
        };
        self.resource.set("treat_missing_data", value);
        self
    }

    /// Notifies `topic` when the alarm fires. Reports a topic whose key does not let CloudWatch publish
    /// (the AWS managed key `alias/aws/sns` cannot), where every notification would be dropped.
    pub fn alarm_topic(self, topic: &TopicHandle) -> Self {
        self.check_topic(topic, "alarm action").alarm_action(topic.arn())
    }

    /// Notifies `topic` when the alarm returns to OK (checked as [`alarm_topic`](Self::alarm_topic)).
    pub fn ok_topic(self, topic: &TopicHandle) -> Self {
        self.check_topic(topic, "OK action").ok_action(topic.arn())
    }

    /// Notifies `topic` when the alarm lacks data (checked as [`alarm_topic`](Self::alarm_topic)).
    pub fn insufficient_data_topic(self, topic: &TopicHandle) -> Self {
        self.check_topic(topic, "insufficient data action")
            .insufficient_data_action(topic.arn())
    }

    fn check_topic(mut self, topic: &TopicHandle, what: &str) -> Self {
        if let Some(problem) = topic.service_publish_problem(CLOUDWATCH_SERVICE, what) {
            self.resource.problems.push(problem);
        }
        self
    }

    /// Acts when the alarm fires: an Auto Scaling policy or EC2 action ARN, or an SNS topic's ARN that
    /// is not checked (prefer [`alarm_topic`](Self::alarm_topic), which is).
    pub fn alarm_action(mut self, arn: impl Into<Expr>) -> Self {
        self.alarm_actions.push(Value::Str(arn.into()));
        self
    }

    /// Acts when the alarm returns to OK (for a topic, prefer [`ok_topic`](Self::ok_topic)).
    pub fn ok_action(mut self, arn: impl Into<Expr>) -> Self {
        self.ok_actions.push(Value::Str(arn.into()));
        self
    }

    /// Acts when the alarm lacks data (for a topic, prefer
    /// [`insufficient_data_topic`](Self::insufficient_data_topic)).
    pub fn insufficient_data_action(mut self, arn: impl Into<Expr>) -> Self {
        self.insufficient_data_actions.push(Value::Str(arn.into()));
        self
    }
}
common_setters!(Alarm, taggable);
patchable!(Alarm, ALARM);
physical_name!(Alarm);

attr_handle!(
    /// A declared alarm.
    AlarmHandle {
        arn: "arn",
        name: "name",
    }
);

impl Declare for Alarm {
    type Handle = AlarmHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, AlarmHandle) {
        for (name, actions) in [
            ("alarm_actions", self.alarm_actions),
            ("ok_actions", self.ok_actions),
            ("insufficient_data_actions", self.insufficient_data_actions),
        ] {
            if actions.len() > 5 {
                self.resource.problems.push(format!(
                    "{} {}: expected at most 5",
                    actions.len(),
                    name.replace('_', " ")
                ));
            }
            if !actions.is_empty() {
                self.resource.set(name, Value::List(actions));
            }
        }
        let (cfn, tf) = forms(&self.resource);
        construct::finish(&mut self.resource, cfn, tf);
        (self.resource, AlarmHandle { handle: Handle(at) })
    }
}

/// An alarm in each target.
pub(crate) static ALARM: Spelling = Spelling {
    kind: kinds::CLOUDWATCH_ALARM,
    cloudformation: "AWS::CloudWatch::Alarm",
    terraform: "aws_cloudwatch_metric_alarm",
    terraform_tags: true,
    attributes: &[
        Attribute::new("name", Read::Ref, "alarm_name"),
        Attribute::new("arn", Read::GetAtt("Arn"), "arn"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// The alarm's properties in each target, from the builder's own.
fn forms(alarm: &Resource) -> (Form, Form) {
    let mut cfn = Form::new();
    let mut tf = Form::new();
    cfn.physical_name("AlarmName");
    // The provider requires a name, which CloudFormation would generate.
    tf.required_name("alarm_name");
    for (from, to_cfn, to_tf) in [
        ("description", "AlarmDescription", "alarm_description"),
        ("namespace", "Namespace", "namespace"),
        ("metric_name", "MetricName", "metric_name"),
    ] {
        cfn.copy(alarm, from, to_cfn);
        tf.copy(alarm, from, to_tf);
    }
    if let Some(Value::Map(dimensions)) = alarm.get("dimensions") {
        if !dimensions.is_empty() {
            // CloudFormation lists `{Name, Value}` objects; Terraform takes the map.
            let listed = dimensions
                .iter()
                .map(|(name, value)| {
                    Value::Map(vec![
                        ("Name".to_owned(), Value::from(name.as_str())),
                        ("Value".to_owned(), value.clone()),
                    ])
                })
                .collect();
            cfn.set("Dimensions", Value::List(listed));
            tf.copy(alarm, "dimensions", "dimensions");
        }
    }
    for (from, to_cfn, to_tf) in [
        ("statistic", "Statistic", "statistic"),
        ("period", "Period", "period"),
        ("evaluation_periods", "EvaluationPeriods", "evaluation_periods"),
        ("datapoints_to_alarm", "DatapointsToAlarm", "datapoints_to_alarm"),
    ] {
        cfn.copy(alarm, from, to_cfn);
        tf.copy(alarm, from, to_tf);
    }
    let threshold = alarm
        .get("threshold")
        .and_then(Value::as_expr)
        .and_then(Expr::as_literal)
        .unwrap_or_default();
    cfn.number("Threshold", threshold);
    tf.number("threshold", threshold);
    for (from, to_cfn, to_tf) in [
        ("comparison", "ComparisonOperator", "comparison_operator"),
        ("treat_missing_data", "TreatMissingData", "treat_missing_data"),
        ("alarm_actions", "AlarmActions", "alarm_actions"),
        ("ok_actions", "OKActions", "ok_actions"),
        (
            "insufficient_data_actions",
            "InsufficientDataActions",
            "insufficient_data_actions",
        ),
    ] {
        cfn.copy(alarm, from, to_cfn);
        tf.copy(alarm, from, to_tf);
    }
    (cfn, tf)
}
