//! Application Auto Scaling of a service's task count: a scalable target and target tracking policies.

use crate::construct::{object, Attribute, Form, Read, Spelling};
use crate::elbv2::{LoadBalancerHandle, TargetGroupHandle};
use crate::handle::attr_handle;
use crate::{construct, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Value};

/// The neutral kind of a scalable target.
pub const SCALABLE_TARGET_KIND: &str = "aws.applicationautoscaling.ScalableTarget";
/// The neutral kind of an Application Auto Scaling policy.
pub const SCALING_POLICY_KIND: &str = "aws.applicationautoscaling.ScalingPolicy";

/// A scalable target in each target.
pub(crate) static SCALABLE_TARGET: Spelling = Spelling {
    kind: SCALABLE_TARGET_KIND,
    cloudformation: "AWS::ApplicationAutoScaling::ScalableTarget",
    terraform: "aws_appautoscaling_target",
    terraform_tags: true,
    attributes: &[
        Attribute::new("id", Read::Ref, "id"),
        // Read in Terraform forms only (a CloudFormation policy names the target by its `Ref`).
        Attribute::new("resource_id", Read::Ref, "resource_id"),
        Attribute::new("scalable_dimension", Read::Ref, "scalable_dimension"),
        Attribute::new("service_namespace", Read::Ref, "service_namespace"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// An Application Auto Scaling policy in each target.
pub(crate) static APP_SCALING_POLICY: Spelling = Spelling {
    kind: SCALING_POLICY_KIND,
    cloudformation: "AWS::ApplicationAutoScaling::ScalingPolicy",
    terraform: "aws_appautoscaling_policy",
    terraform_tags: false,
    attributes: &[Attribute::new("arn", Read::GetAtt("Arn"), "arn")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// How a service's task count follows its load ([`FargateService::auto_scale`](super::FargateService::auto_scale)):
/// between a minimum and a maximum, kept near each target of its target tracking policies (the
/// largest count any of them asks for wins).
#[derive(Clone, Debug)]
pub struct AutoScale {
    min: i64,
    max: i64,
    policies: Vec<Tracking>,
    problems: Vec<String>,
    /// The ARN of the target group whose requests per task are tracked.
    request_target_group: Option<Expr>,
}

/// One target tracking policy.
#[derive(Clone, Debug)]
struct Tracking {
    /// What the policy's id adds to the service's (`Cpu`).
    suffix: &'static str,
    metric: &'static str,
    label: Option<Expr>,
    target: f64,
}

impl AutoScale {
    /// Between `min` and `max` tasks (0 ≤ min ≤ max); add at least one target with
    /// [`on_cpu`](Self::on_cpu), [`on_memory`](Self::on_memory) or
    /// [`on_request_count`](Self::on_request_count).
    pub fn new(min: i64, max: i64) -> Self {
        let mut problems = Vec::new();
        if min < 0 || max < min {
            problems.push(format!(
                "auto scaling between {min} and {max} tasks: expected 0 <= minimum <= maximum"
            ));
        }
        AutoScale {
            min,
            max,
            policies: Vec::new(),
            problems,
            request_target_group: None,
        }
    }

    /// Keeps the service's average CPU utilization near `percent` (above 0, at most 100)
    /// (`ECSServiceAverageCPUUtilization`).
    pub fn on_cpu(self, percent: f64) -> Self {
        self.percent("Cpu", "ECSServiceAverageCPUUtilization", "CPU", percent)
    }

    /// Keeps the service's average memory utilization near `percent` (above 0, at most 100)
    /// (`ECSServiceAverageMemoryUtilization`).
    pub fn on_memory(self, percent: f64) -> Self {
        self.percent(
            "Memory",
            "ECSServiceAverageMemoryUtilization",
            "memory",
            percent,
        )
    }

    fn percent(mut self, suffix: &'static str, metric: &'static str, what: &str, value: f64) -> Self {
        if !(value.is_finite() && value > 0.0 && value <= 100.0) {
            self.problems.push(format!(
                "auto scaling on {what} utilization of {value} %: expected above 0 and at most 100"
            ));
        }
        self.track(suffix, metric, None, value)
    }

    /// Keeps the requests per task that `load_balancer` sends through `target_group` near `requests`
    /// (positive) (`ALBRequestCountPerTarget`); the balancer must be an application load balancer, and
    /// the service must be behind `target_group` (its `.target_group(..)`), else the metric counts other
    /// targets' requests.
    pub fn on_request_count(
        mut self,
        load_balancer: &LoadBalancerHandle,
        target_group: &TargetGroupHandle,
        requests: f64,
    ) -> Self {
        if !(requests.is_finite() && requests > 0.0) {
            self.problems.push(format!(
                "auto scaling on {requests} requests per task: expected a positive number"
            ));
        }
        if !load_balancer.is_application() {
            self.problems.push(
                "auto scaling on request count per task of a network load balancer: expected an \
                 application load balancer"
                    .to_owned(),
            );
        }
        self.request_target_group = Some(target_group.arn());
        let label = Expr::concat([
            load_balancer.full_name(),
            Expr::from("/"),
            target_group.full_name(),
        ]);
        self.track("Requests", "ALBRequestCountPerTarget", Some(label), requests)
    }

    fn track(
        mut self,
        suffix: &'static str,
        metric: &'static str,
        label: Option<Expr>,
        target: f64,
    ) -> Self {
        if self.policies.iter().any(|p| p.metric == metric) {
            self.problems.push(format!(
                "auto scaling tracks {metric} twice: expected one target per metric"
            ));
        }
        self.policies.push(Tracking {
            suffix,
            metric,
            label,
            target,
        });
        self
    }

    /// The ARN of the target group [`on_request_count`](Self::on_request_count) tracks, if it does.
    pub(crate) fn request_target_group(&self) -> Option<&Expr> {
        self.request_target_group.as_ref()
    }

    /// The fewest tasks.
    pub fn min(&self) -> i64 {
        self.min
    }

    /// The most tasks.
    pub fn max(&self) -> i64 {
        self.max
    }

    /// Problems with the scaling, for the service's node.
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut problems = self.problems.clone();
        if self.policies.is_empty() {
            problems.push(
                "auto scaling without a target: expected `.on_cpu(..)`, `.on_memory(..)` or \
                 `.on_request_count(..)`"
                    .to_owned(),
            );
        }
        problems
    }
}

/// A service's scalable target.
pub(crate) struct ScalableTarget {
    pub(crate) resource: Resource,
    pub(crate) resource_id: Expr,
    pub(crate) min: i64,
    pub(crate) max: i64,
}

attr_handle!(
    /// A declared scalable target.
    ScalableTargetHandle {
        id: "id",
        resource_id: "resource_id",
        scalable_dimension: "scalable_dimension",
        service_namespace: "service_namespace",
    }
);

/// The scalable dimension of an ECS service.
const DIMENSION: &str = "ecs:service:DesiredCount";

impl Declare for ScalableTarget {
    type Handle = ScalableTargetHandle;
    fn declare(self, at: ResourceRef) -> (Resource, ScalableTargetHandle) {
        let ScalableTarget {
            mut resource,
            resource_id,
            min,
            max,
        } = self;
        let mut cfn = Form::new();
        cfn.set("ServiceNamespace", "ecs")
            .set("ScalableDimension", DIMENSION)
            .set("ResourceId", resource_id.clone())
            .set("MinCapacity", min)
            .set("MaxCapacity", max);
        let mut tf = Form::new();
        tf.set("service_namespace", "ecs")
            .set("scalable_dimension", DIMENSION)
            .set("resource_id", resource_id)
            .set("min_capacity", min)
            .set("max_capacity", max);
        construct::finish(&mut resource, cfn, tf);
        (
            resource,
            ScalableTargetHandle {
                handle: Handle(at),
            },
        )
    }
}

/// Declares `scale`'s target tracking policies of `target`, `<service>-<Cpu|Memory|Requests>`; a
/// metric tracked twice (reported with the service) once.
#[track_caller]
pub(crate) fn policies(
    stack: &mut stackwright_core::Stack,
    service_id: &str,
    target: &ScalableTargetHandle,
    scale: &AutoScale,
) {
    let mut declared: Vec<&str> = Vec::new();
    for tracking in &scale.policies {
        if declared.contains(&tracking.metric) {
            continue;
        }
        declared.push(tracking.metric);
        let id = format!("{service_id}-{}", tracking.suffix);
        stack.add(Policy {
            resource: Resource::new(id, SCALING_POLICY_KIND),
            target: target.clone(),
            tracking: tracking.clone(),
        });
    }
}

/// A target tracking policy of a scalable target.
struct Policy {
    resource: Resource,
    target: ScalableTargetHandle,
    tracking: Tracking,
}

attr_handle!(
    /// A declared Application Auto Scaling policy.
    PolicyHandle {}
);

impl Declare for Policy {
    type Handle = PolicyHandle;
    fn declare(self, at: ResourceRef) -> (Resource, PolicyHandle) {
        let Policy {
            mut resource,
            target,
            tracking,
        } = self;
        // Values carry no floats: the shortest exact decimal text, a JSON number in each target. An
        // invalid value is reported by the service, once: the schema checks see a placeholder.
        let value = if tracking.target.is_finite() && tracking.target > 0.0 {
            tracking.target.to_string()
        } else {
            "1".to_owned()
        };
        // Names are unique per scalable target, as the ids of one service's policies are.
        let name = resource.id.clone();
        let configuration = |names: [&str; 4]| {
            let mut metric = vec![(names[1], Value::from(tracking.metric))];
            if let Some(label) = &tracking.label {
                metric.push((names[2], Value::Str(label.clone())));
            }
            object(&[
                (names[0], object(&metric)),
                (names[3], construct::number(value.clone())),
            ])
        };
        let mut cfn = Form::new();
        cfn.set("PolicyName", name.as_str())
            .set("PolicyType", "TargetTrackingScaling")
            .set("ScalingTargetId", target.id())
            .set(
                "TargetTrackingScalingPolicyConfiguration",
                configuration([
                    "PredefinedMetricSpecification",
                    "PredefinedMetricType",
                    "ResourceLabel",
                    "TargetValue",
                ]),
            );
        let mut tf = Form::new();
        tf.set("name", name.as_str())
            .set("policy_type", "TargetTrackingScaling")
            .set("resource_id", target.resource_id())
            .set("scalable_dimension", target.scalable_dimension())
            .set("service_namespace", target.service_namespace())
            .set(
                "target_tracking_scaling_policy_configuration",
                configuration([
                    "predefined_metric_specification",
                    "predefined_metric_type",
                    "resource_label",
                    "target_value",
                ]),
            );
        construct::finish(&mut resource, cfn, tf);
        (resource, PolicyHandle { handle: Handle(at) })
    }
}
