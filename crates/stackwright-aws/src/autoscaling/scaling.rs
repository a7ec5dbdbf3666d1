//! Scaling policies and scheduled actions of an auto scaling group.

use super::AutoScalingGroupHandle;
use crate::check;
use crate::elbv2::{LoadBalancerHandle, TargetGroupHandle};
use crate::construct::{object, Attribute, Form, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Value};

/// A metric a target tracking policy keeps near its target value (the `PredefinedMetricType`s of EC2 Auto
/// Scaling).
#[derive(Clone, Debug)]
pub enum TrackedMetric {
    /// The group's average CPU utilization, in percent (`ASGAverageCPUUtilization`).
    AverageCpuUtilization,
    /// Bytes received per instance on all network interfaces (`ASGAverageNetworkIn`).
    AverageNetworkIn,
    /// Bytes sent per instance on all network interfaces (`ASGAverageNetworkOut`).
    AverageNetworkOut,
    /// Requests per target of one target group behind an application load balancer
    /// (`ALBRequestCountPerTarget`, labelled `<load balancer full name>/<target group full name>`).
    RequestCountPerTarget {
        load_balancer: LoadBalancerHandle,
        target_group: TargetGroupHandle,
    },
}

/// How a step policy's adjustments count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdjustmentType {
    /// Adds or removes that many instances.
    ChangeInCapacity,
    /// Sets the desired capacity to the adjustment.
    ExactCapacity,
    /// Adds or removes that percentage of the current capacity.
    PercentChangeInCapacity,
}

/// One step of a step scaling policy: when the metric lies between `lower_bound` and `upper_bound` of the
/// alarm's threshold (open ends as `None`), change capacity by `adjustment`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub lower_bound: Option<i64>,
    pub upper_bound: Option<i64>,
    pub adjustment: i64,
}

/// A scaling policy (CloudFormation `AWS::AutoScaling::ScalingPolicy`, Terraform
/// `aws_autoscaling_policy`, whose required name is `<app>-<environment>-<stack>-<id>` unless named).
///
/// A target tracking policy creates and owns its CloudWatch alarms; a step policy acts when an
/// [`Alarm`](crate::cloudwatch::Alarm) names its `arn()` in `alarm_action`.
pub struct ScalingPolicy {
    resource: Resource,
}

impl ScalingPolicy {
    /// Adds and removes instances (between the group's minimum and maximum) to keep `metric` near
    /// `target_value` (e.g. 60.0 for 60 % CPU; positive and finite).
    #[track_caller]
    pub fn target_tracking(
        id: impl Into<String>,
        group: &AutoScalingGroupHandle,
        metric: TrackedMetric,
        target_value: f64,
    ) -> Self {
        let mut resource = Resource::new(id, kinds::SCALING_POLICY);
        resource.set("group_name", group.name());
        resource.set("policy_type", "TargetTrackingScaling");
        let valid = target_value.is_finite() && target_value > 0.0;
        if !valid {
            resource.problems.push(format!(
                "target tracking value {target_value}: expected a positive finite number"
            ));
        }
        let (kind, label) = match metric {
            TrackedMetric::AverageCpuUtilization => ("ASGAverageCPUUtilization", None),
            TrackedMetric::AverageNetworkIn => ("ASGAverageNetworkIn", None),
            TrackedMetric::AverageNetworkOut => ("ASGAverageNetworkOut", None),
            TrackedMetric::RequestCountPerTarget {
                load_balancer,
                target_group,
            } => {
                if !load_balancer.is_application() {
                    resource.problems.push(
                        "request count per target of a network load balancer: expected an \
                         application load balancer"
                            .to_owned(),
                    );
                }
                let label = Expr::concat([
                    load_balancer.full_name(),
                    Expr::from("/"),
                    target_group.full_name(),
                ]);
                ("ALBRequestCountPerTarget", Some(label))
            }
        };
        let mut metric = vec![("type".to_owned(), Value::from(kind))];
        if let Some(label) = label {
            metric.push(("resource_label".to_owned(), Value::Str(label)));
        }
        resource.set("predefined_metric", Value::Map(metric));
        // Values carry no floats: the shortest exact decimal text, a JSON number in each target.
        // An invalid value is reported above, once: the schema checks see a placeholder.
        let text = if valid {
            target_value.to_string()
        } else {
            "1".to_owned()
        };
        resource.set("target_value", text);
        ScalingPolicy { resource }
    }

    /// Changes capacity by the step whose interval holds the metric's distance from the threshold of
    /// the alarm that triggers this policy. Steps must not overlap, and at most one may be open at
    /// each end.
    #[track_caller]
    pub fn step(
        id: impl Into<String>,
        group: &AutoScalingGroupHandle,
        adjustment_type: AdjustmentType,
        steps: impl IntoIterator<Item = Step>,
    ) -> Self {
        let mut resource = Resource::new(id, kinds::SCALING_POLICY);
        resource.set("group_name", group.name());
        resource.set("policy_type", "StepScaling");
        resource.set(
            "adjustment_type",
            match adjustment_type {
                AdjustmentType::ChangeInCapacity => "ChangeInCapacity",
                AdjustmentType::ExactCapacity => "ExactCapacity",
                AdjustmentType::PercentChangeInCapacity => "PercentChangeInCapacity",
            },
        );
        let mut steps: Vec<Step> = steps.into_iter().collect();
        if steps.is_empty() {
            resource
                .problems
                .push("a step scaling policy without steps: expected at least one".to_owned());
        }
        for step in &steps {
            if let (Some(lower), Some(upper)) = (step.lower_bound, step.upper_bound) {
                if lower >= upper {
                    resource.problems.push(format!(
                        "scaling step from {lower} to {upper}: expected the lower bound below the upper"
                    ));
                }
            }
        }
        steps.sort_by_key(|s| s.lower_bound.unwrap_or(i64::MIN));
        for pair in steps.windows(2) {
            let upper = pair[0].upper_bound.unwrap_or(i64::MAX);
            let lower = pair[1].lower_bound.unwrap_or(i64::MIN);
            if upper > lower {
                resource.problems.push(format!(
                    "scaling steps overlap: one ends at {}, the next starts at {}: expected \
                     adjacent or disjoint intervals",
                    describe(pair[0].upper_bound),
                    describe(pair[1].lower_bound)
                ));
            }
        }
        let steps = steps
            .into_iter()
            .map(|step| {
                let mut entries = Vec::new();
                if let Some(lower) = step.lower_bound {
                    entries.push(("lower_bound".to_owned(), Value::Int(lower)));
                }
                if let Some(upper) = step.upper_bound {
                    entries.push(("upper_bound".to_owned(), Value::Int(upper)));
                }
                entries.push(("adjustment".to_owned(), Value::Int(step.adjustment)));
                Value::Map(entries)
            })
            .collect();
        resource.set("steps", Value::List(steps));
        ScalingPolicy { resource }
    }

    /// A target tracking policy that only scales out; instances are removed by other means.
    pub fn disable_scale_in(mut self) -> Self {
        if self.resource.get("policy_type").and_then(Value::as_expr)
            != Some(&Expr::from("TargetTrackingScaling"))
        {
            self.resource.problems.push(
                "disable scale-in on a step scaling policy: expected a target tracking policy"
                    .to_owned(),
            );
        }
        self.resource.set("disable_scale_in", true);
        self
    }

    /// Seconds until a new instance's metrics count (0 to 3600); the group's default instance warmup
    /// otherwise.
    pub fn estimated_instance_warmup(mut self, seconds: u32) -> Self {
        check::range(
            &mut self.resource,
            "estimated instance warmup",
            seconds.into(),
            0,
            3600,
        );
        self.resource
            .set("estimated_instance_warmup", i64::from(seconds));
        self
    }
}
common_setters!(ScalingPolicy);
patchable!(ScalingPolicy, SCALING_POLICY);

fn describe(bound: Option<i64>) -> String {
    bound.map_or_else(|| "infinity".to_owned(), |b| b.to_string())
}

attr_handle!(
    /// A declared scaling policy.
    ScalingPolicyHandle {
        /// The policy's ARN: what an alarm's `alarm_action` names to trigger a step policy.
        arn: "arn",
    }
);

/// A scaling policy in each target.
pub(crate) static SCALING_POLICY: Spelling = Spelling {
    kind: kinds::SCALING_POLICY,
    cloudformation: "AWS::AutoScaling::ScalingPolicy",
    terraform: "aws_autoscaling_policy",
    terraform_tags: false,
    attributes: &[Attribute::new("arn", Read::GetAtt("Arn"), "arn")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

impl Declare for ScalingPolicy {
    type Handle = ScalingPolicyHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, ScalingPolicyHandle) {
        let policy = &self.resource;
        let mut cfn = Form::new();
        let mut tf = Form::new();
        // The provider requires a name, which CloudFormation would generate.
        tf.required_name("name");
        for (from, to_cfn, to_tf) in [
            ("group_name", "AutoScalingGroupName", "autoscaling_group_name"),
            ("policy_type", "PolicyType", "policy_type"),
            ("adjustment_type", "AdjustmentType", "adjustment_type"),
            (
                "estimated_instance_warmup",
                "EstimatedInstanceWarmup",
                "estimated_instance_warmup",
            ),
        ] {
            cfn.copy(policy, from, to_cfn);
            tf.copy(policy, from, to_tf);
        }
        if let Some(metric) = policy.get("predefined_metric") {
            let target = policy
                .get("target_value")
                .and_then(Value::as_expr)
                .and_then(Expr::as_literal)
                .unwrap_or_default();
            let disable_scale_in = policy.get("disable_scale_in").cloned();
            let tracking = |names: [&'static str; 6]| {
                let mut spec = Vec::new();
                for (from, to) in [("type", names[1]), ("resource_label", names[2])] {
                    if let Some(value) = metric.get(from) {
                        spec.push((to, value.clone()));
                    }
                }
                let mut config = vec![
                    (names[0], object(&spec)),
                    (names[3], construct::number(target)),
                ];
                if let Some(flag) = disable_scale_in.clone() {
                    config.push((names[4], flag));
                }
                (names[5], object(&config))
            };
            let (name, config) = tracking([
                "PredefinedMetricSpecification",
                "PredefinedMetricType",
                "ResourceLabel",
                "TargetValue",
                "DisableScaleIn",
                "TargetTrackingConfiguration",
            ]);
            cfn.set(name, config);
            let (name, config) = tracking([
                "predefined_metric_specification",
                "predefined_metric_type",
                "resource_label",
                "target_value",
                "disable_scale_in",
                "target_tracking_configuration",
            ]);
            tf.set(name, config);
        }
        if let Some(steps) = policy.get("steps").and_then(Value::as_list) {
            let field = |step: &Value, key: &str| step.get(key).cloned();
            let cfn_steps = steps
                .iter()
                .map(|step| {
                    let entries: Vec<(&str, Value)> = [
                        ("lower_bound", "MetricIntervalLowerBound"),
                        ("upper_bound", "MetricIntervalUpperBound"),
                        ("adjustment", "ScalingAdjustment"),
                    ]
                    .iter()
                    .filter_map(|(from, to)| Some((*to, field(step, from)?)))
                    .collect();
                    object(&entries)
                })
                .collect();
            cfn.set("StepAdjustments", Value::List(cfn_steps));
            let tf_steps = steps
                .iter()
                .map(|step| {
                    // Bounds are strings in the provider's schema.
                    let mut entries: Vec<(&str, Value)> = [
                        ("lower_bound", "metric_interval_lower_bound"),
                        ("upper_bound", "metric_interval_upper_bound"),
                    ]
                    .iter()
                    .filter_map(|(from, to)| {
                        let bound = field(step, from)?.as_int()?;
                        Some((*to, Value::from(bound.to_string())))
                    })
                    .collect();
                    if let Some(adjustment) = field(step, "adjustment") {
                        entries.push(("scaling_adjustment", adjustment));
                    }
                    object(&entries)
                })
                .collect();
            tf.set("step_adjustment", Value::List(tf_steps));
        }
        construct::finish(&mut self.resource, cfn, tf);
        (self.resource, ScalingPolicyHandle { handle: Handle(at) })
    }
}

/// A change of a group's size on a schedule (CloudFormation `AWS::AutoScaling::ScheduledAction`,
/// Terraform `aws_autoscaling_schedule`, whose required name is `<app>-<environment>-<stack>-<id>`).
pub struct ScheduledAction {
    resource: Resource,
}

impl ScheduledAction {
    /// Runs at every time the Unix cron expression `recurrence` (five fields, e.g. `0 8 * * MON-FRI`, in
    /// UTC unless `.time_zone(...)`) names; set at least one of the sizes.
    #[track_caller]
    pub fn recurring(
        id: impl Into<String>,
        group: &AutoScalingGroupHandle,
        recurrence: &str,
    ) -> Self {
        let mut resource = Resource::new(id, kinds::SCHEDULED_ACTION);
        if recurrence.split_whitespace().count() != 5 {
            resource.problems.push(format!(
                "recurrence `{recurrence}`: expected a cron expression of five fields \
                 (minute hour day-of-month month day-of-week)"
            ));
        }
        resource.set("group_name", group.name());
        resource.set("recurrence", recurrence);
        ScheduledAction { resource }
    }

    pub fn min_size(mut self, size: u32) -> Self {
        self.resource.set("min_size", i64::from(size));
        self
    }

    pub fn max_size(mut self, size: u32) -> Self {
        self.resource.set("max_size", i64::from(size));
        self
    }

    pub fn desired_capacity(mut self, capacity: u32) -> Self {
        self.resource.set("desired_capacity", i64::from(capacity));
        self
    }

    /// An IANA time zone for the recurrence, e.g. `Europe/Berlin`.
    pub fn time_zone(mut self, zone: &str) -> Self {
        let valid = zone.contains('/') || zone == "UTC";
        if !valid || zone.chars().any(char::is_whitespace) {
            self.resource.problems.push(format!(
                "time zone `{zone}`: expected an IANA time zone name such as `Europe/Berlin` or `UTC`"
            ));
        }
        self.resource.set("time_zone", zone);
        self
    }
}
common_setters!(ScheduledAction);
patchable!(ScheduledAction, SCHEDULED_ACTION);

attr_handle!(
    /// A declared scheduled action.
    ScheduledActionHandle {}
);

impl Declare for ScheduledAction {
    type Handle = ScheduledActionHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, ScheduledActionHandle) {
        let size = |r: &Resource, key| r.get(key).and_then(Value::as_int);
        let r = &mut self.resource;
        let (min, max, desired) = (
            size(r, "min_size"),
            size(r, "max_size"),
            size(r, "desired_capacity"),
        );
        if min.is_none() && max.is_none() && desired.is_none() {
            r.problems.push(
                "a scheduled action that sets no size: expected a minimum, maximum or desired capacity"
                    .to_owned(),
            );
        }
        if let (Some(min), Some(max)) = (min, max) {
            if min > max {
                r.problems.push(format!(
                    "scheduled minimum size {min} is above the maximum size {max}: expected min <= max"
                ));
            }
        }
        let action = &self.resource;
        let mut cfn = Form::new();
        let mut tf = Form::new();
        // The provider requires a name, which CloudFormation would generate.
        tf.required_name("scheduled_action_name");
        for (from, to_cfn, to_tf) in [
            ("group_name", "AutoScalingGroupName", "autoscaling_group_name"),
            ("recurrence", "Recurrence", "recurrence"),
            ("time_zone", "TimeZone", "time_zone"),
            ("min_size", "MinSize", "min_size"),
            ("max_size", "MaxSize", "max_size"),
            ("desired_capacity", "DesiredCapacity", "desired_capacity"),
        ] {
            cfn.copy(action, from, to_cfn);
            tf.copy(action, from, to_tf);
        }
        construct::finish(&mut self.resource, cfn, tf);
        (self.resource, ScheduledActionHandle { handle: Handle(at) })
    }
}

/// A scheduled action in each target.
pub(crate) static SCHEDULED_ACTION: Spelling = Spelling {
    kind: kinds::SCHEDULED_ACTION,
    cloudformation: "AWS::AutoScaling::ScheduledAction",
    terraform: "aws_autoscaling_schedule",
    terraform_tags: false,
    attributes: &[],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};
