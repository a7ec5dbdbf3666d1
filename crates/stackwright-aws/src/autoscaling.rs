//! EC2 Auto Scaling.

use crate::check;
use crate::ec2::{LaunchTemplateHandle, SubnetHandle};
use crate::elbv2::TargetGroupHandle;
use crate::construct::{object, Attribute, Form, Network, Reach, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Value};

mod scaling;
pub(crate) use scaling::{SCALING_POLICY, SCHEDULED_ACTION};
pub use scaling::{
    AdjustmentType, ScalingPolicy, ScalingPolicyHandle, ScheduledAction, ScheduledActionHandle,
    Step, TrackedMetric,
};

/// A group of instances started from a launch template, kept between a minimum and a maximum size, in
/// the given subnets and registered with the given target groups.
///
/// Its tags (the environment's and its own) are propagated to the instances it launches, and unless a
/// `Name` tag is given, the instances are named after the group's id, so that they are recognisable in the
/// console. With target groups, unhealthy means unhealthy to the load balancer (ELB health checks, 300 s
/// grace period) unless `.health_check(...)` says otherwise.
pub struct AutoScalingGroup {
    resource: Resource,
    min_size: u32,
    max_size: u32,
    desired_capacity: Option<u32>,
    subnets: Vec<Value>,
    target_groups: Vec<Value>,
    health_check: Option<HealthCheck>,
    update_policy: Option<UpdatePolicy>,
    lifecycle_hooks: Vec<LifecycleHook>,
}

/// What makes an instance unhealthy, so that the group replaces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthCheck {
    /// EC2 status checks only (the instance is running and reachable).
    Ec2,
    /// Also the load balancer's health checks of the group's target groups, after `grace_period_seconds`
    /// from launch.
    Elb { grace_period_seconds: u32 },
}

impl AutoScalingGroup {
    /// Launches the latest version of `launch_template` into `subnets` (one per availability zone to
    /// spread over), with between `min_size` and `max_size` instances.
    #[track_caller]
    pub fn new<'a>(
        id: impl Into<String>,
        launch_template: &LaunchTemplateHandle,
        subnets: impl IntoIterator<Item = &'a SubnetHandle>,
        min_size: u32,
        max_size: u32,
    ) -> Self {
        let mut resource = Resource::new(id, kinds::AUTO_SCALING_GROUP);
        resource.set("launch_template_id", launch_template.id());
        resource.set("launch_template_version", launch_template.latest_version());
        AutoScalingGroup {
            resource,
            min_size,
            max_size,
            desired_capacity: None,
            subnets: subnets.into_iter().map(|s| s.id().into()).collect(),
            target_groups: Vec::new(),
            health_check: None,
            update_policy: None,
            lifecycle_hooks: Vec::new(),
        }
    }

    /// The number of instances to start with; between the minimum and the maximum size.
    pub fn desired_capacity(mut self, capacity: u32) -> Self {
        self.desired_capacity = Some(capacity);
        self
    }

    /// Launches another version of the template than the latest, e.g. `template.default_version()` or a
    /// literal version number.
    pub fn launch_template_version(mut self, version: impl Into<Expr>) -> Self {
        self.resource.set("launch_template_version", version.into());
        self
    }

    /// Registers the group's instances with a target group.
    pub fn target_group(mut self, group: &TargetGroupHandle) -> Self {
        self.target_groups.push(group.arn().into());
        self
    }

    pub fn health_check(mut self, check: HealthCheck) -> Self {
        self.health_check = Some(check);
        self
    }

    /// How the group replaces its instances when its launch template (or version) changes; see
    /// [`UpdatePolicy`]. Without one, CloudFormation and Terraform change the group and leave running
    /// instances on the old template.
    pub fn update_policy(mut self, policy: UpdatePolicy) -> Self {
        self.update_policy = Some(policy);
        self
    }

    /// Seconds a new instance needs before its metrics count towards scaling and instance refreshes
    /// (CloudFormation `DefaultInstanceWarmup`, Terraform `default_instance_warmup`; 0 to 3600).
    pub fn default_instance_warmup(mut self, seconds: u32) -> Self {
        check::range(
            &mut self.resource,
            "default instance warmup",
            seconds.into(),
            0,
            3600,
        );
        self.resource
            .set("default_instance_warmup", i64::from(seconds));
        self
    }

    /// Holds instances in a lifecycle transition until the hook completes or times out (CloudFormation
    /// `LifecycleHookSpecificationList`, Terraform `initial_lifecycle_hook`): e.g. to let an instance
    /// drain its sessions before it terminates.
    pub fn lifecycle_hook(mut self, hook: LifecycleHook) -> Self {
        self.lifecycle_hooks.push(hook);
        self
    }
}

/// How an auto scaling group replaces its instances after a change of its launch template.
///
/// CloudFormation: the group's `UpdatePolicy`; Terraform: its `instance_refresh` block (strategy
/// `Rolling`), which the provider starts when the launch template or its version changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpdatePolicy {
    /// Replaces instances a batch at a time behind the load balancer; see [`RollingUpdate`].
    Rolling(RollingUpdate),
    /// Starts a whole new group beside the old one and deletes the old group once the new one is in
    /// service (CloudFormation `AutoScalingReplacingUpdate` with `WillReplace`). Terraform has no
    /// replacing update: its instance refresh launches every replacement before it terminates
    /// (`min_healthy_percentage` 100, `max_healthy_percentage` 200), which keeps full capacity too.
    Replacing,
}

/// A rolling update: at most `max_batch_size` instances at a time, keeping `min_instances_in_service`.
///
/// CloudFormation `AutoScalingRollingUpdate` takes the numbers as they are (`MaxBatchSize`,
/// `MinInstancesInService`, `PauseTime` as an ISO 8601 duration, `WaitOnResourceSignals`). Terraform's
/// instance refresh counts in percent of the desired capacity: `min_healthy_percentage` is
/// `min_instances_in_service` over the desired capacity (or the minimum size), rounded down, and the
/// pause is the refresh's `instance_warmup`. Signals have no Terraform counterpart; the group's own
/// health check (ELB) judges new instances there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollingUpdate {
    max_batch_size: u32,
    min_instances_in_service: u32,
    pause_seconds: Option<u32>,
    wait_on_signals: bool,
}

impl RollingUpdate {
    /// Replaces at most `max_batch_size` instances at once (at least 1), keeping at least
    /// `min_instances_in_service` in service (below the group's maximum size).
    pub fn new(max_batch_size: u32, min_instances_in_service: u32) -> Self {
        RollingUpdate {
            max_batch_size,
            min_instances_in_service,
            pause_seconds: None,
            wait_on_signals: false,
        }
    }

    /// Waits this long after each batch (at most an hour); with signals, how long to wait for them.
    pub fn pause_seconds(mut self, seconds: u32) -> Self {
        self.pause_seconds = Some(seconds);
        self
    }

    /// Waits for each new instance's `cfn-signal` before going on (CloudFormation only).
    pub fn wait_on_signals(mut self, wait: bool) -> Self {
        self.wait_on_signals = wait;
        self
    }
}

/// When a lifecycle hook holds an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LifecycleTransition {
    Launching,
    Terminating,
}

/// What happens when a hook times out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultResult {
    Continue,
    Abandon,
}

/// A lifecycle hook declared with its group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LifecycleHook {
    name: String,
    transition: LifecycleTransition,
    heartbeat_timeout_seconds: u32,
    default_result: DefaultResult,
}

impl LifecycleHook {
    /// Holds each instance for `heartbeat_timeout_seconds` (30 to 7200) in `transition`, then goes on
    /// with `default_result` unless the hook was completed. `name`: 1 to 255 of A-Z, a-z, 0-9, `-_/`.
    pub fn new(
        name: impl Into<String>,
        transition: LifecycleTransition,
        heartbeat_timeout_seconds: u32,
        default_result: DefaultResult,
    ) -> Self {
        LifecycleHook {
            name: name.into(),
            transition,
            heartbeat_timeout_seconds,
            default_result,
        }
    }

    /// The neutral form of a valid hook; an invalid name is reported, once, and the hook left out.
    fn into_value(self, r: &mut Resource) -> Option<Value> {
        check::range(
            r,
            "lifecycle hook heartbeat timeout",
            self.heartbeat_timeout_seconds.into(),
            30,
            7200,
        );
        let valid = |c: char| c.is_ascii_alphanumeric() || "-_/".contains(c);
        if self.name.is_empty() || self.name.len() > 255 || !self.name.chars().all(valid) {
            r.problems.push(format!(
                "invalid lifecycle hook name `{}`: expected 1 to 255 characters of A-Z, a-z, 0-9 and -_/",
                self.name
            ));
            return None;
        }
        let transition = match self.transition {
            LifecycleTransition::Launching => "autoscaling:EC2_INSTANCE_LAUNCHING",
            LifecycleTransition::Terminating => "autoscaling:EC2_INSTANCE_TERMINATING",
        };
        let result = match self.default_result {
            DefaultResult::Continue => "CONTINUE",
            DefaultResult::Abandon => "ABANDON",
        };
        Some(Value::Map(vec![
            ("name".to_owned(), Value::from(self.name)),
            ("transition".to_owned(), Value::from(transition)),
            (
                "heartbeat_timeout".to_owned(),
                Value::Int(self.heartbeat_timeout_seconds.into()),
            ),
            ("default_result".to_owned(), Value::from(result)),
        ]))
    }
}
common_setters!(AutoScalingGroup, taggable);
patchable!(AutoScalingGroup, AUTO_SCALING_GROUP);

attr_handle!(
    /// A declared auto scaling group.
    AutoScalingGroupHandle {
        /// The group's name: the `AutoScalingGroupName` dimension of CloudWatch metrics.
        name: "name",
        arn: "arn",
    }
);

impl Declare for AutoScalingGroup {
    type Handle = AutoScalingGroupHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, AutoScalingGroupHandle) {
        let r = &mut self.resource;
        if self.min_size > self.max_size {
            r.problems.push(format!(
                "auto scaling group minimum size {} is above its maximum size {}: expected min <= max",
                self.min_size, self.max_size
            ));
        }
        if let Some(desired) = self.desired_capacity {
            let (min, max) = (self.min_size.min(self.max_size), self.max_size);
            check::range(
                r,
                "desired capacity",
                desired.into(),
                min.into(),
                max.into(),
            );
        }
        if self.subnets.is_empty() {
            r.problems.push(
                "auto scaling group has no subnets: expected at least one, ideally one per availability zone"
                    .to_owned(),
            );
        }
        r.set("min_size", i64::from(self.min_size));
        r.set("max_size", i64::from(self.max_size));
        if let Some(desired) = self.desired_capacity {
            r.set("desired_capacity", i64::from(desired));
        }
        r.set("subnets", Value::List(self.subnets));
        let default_check = if self.target_groups.is_empty() {
            HealthCheck::Ec2
        } else {
            HealthCheck::Elb {
                grace_period_seconds: 300,
            }
        };
        if !self.target_groups.is_empty() {
            r.set("target_group_arns", Value::List(self.target_groups));
        }
        match self.health_check.unwrap_or(default_check) {
            HealthCheck::Ec2 => r.set("health_check_type", "EC2"),
            HealthCheck::Elb {
                grace_period_seconds,
            } => {
                r.set("health_check_type", "ELB");
                r.set("health_check_grace_period", i64::from(grace_period_seconds));
            }
        }
        if !self.lifecycle_hooks.is_empty() {
            let hooks = self
                .lifecycle_hooks
                .into_iter()
                .filter_map(|hook| hook.into_value(r))
                .collect();
            r.set("lifecycle_hooks", Value::List(hooks));
        }
        if let Some(policy) = self.update_policy {
            let value = update_policy_value(
                r,
                policy,
                self.max_size,
                self.desired_capacity.unwrap_or(self.min_size),
            );
            r.set("update_policy", value);
        }
        if !r.tags.iter().any(|(key, _)| key == "Name") {
            let name = r.id.clone();
            r.tags.push(("Name".to_owned(), name.into()));
        }
        let (cfn, tf, attributes) = group_forms(r);
        construct::finish(&mut self.resource, cfn, tf);
        construct::cloudformation_attributes(&mut self.resource, attributes);
        // In subnets that give its instances public addresses, it waits for the VPC's internet gateway.
        construct::set_network(
            &mut self.resource,
            Network::PublicAddress(Reach::PublicSubnets),
        );
        (self.resource, AutoScalingGroupHandle { handle: Handle(at) })
    }
}

/// An auto scaling group in each target.
pub(crate) static AUTO_SCALING_GROUP: Spelling = Spelling {
    kind: kinds::AUTO_SCALING_GROUP,
    cloudformation: "AWS::AutoScaling::AutoScalingGroup",
    terraform: "aws_autoscaling_group",
    terraform_tags: false,
    attributes: &[
        Attribute::new("name", Read::Ref, "name"),
        Attribute::new("arn", Read::GetAtt("AutoScalingGroupARN"), "arn"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// The group's forms (CloudFormation, Terraform, CloudFormation's resource attributes), from the
/// settings its builder recorded.
fn group_forms(r: &Resource) -> (Form, Form, Form) {
    let field = |key: &str| r.get(key).cloned();
    // Sizes are strings in CloudFormation's schema.
    let size = |key: &str| {
        r.get(key)
            .and_then(Value::as_int)
            .map(|n| Value::from(n.to_string()))
    };
    let template = field("launch_template_id").unwrap_or(Value::from(""));
    let version = field("launch_template_version").unwrap_or(Value::from(""));
    let hooks = r
        .get("lifecycle_hooks")
        .and_then(Value::as_list)
        .map(|hooks| {
            let hooks = |names: [&'static str; 4]| {
                let list = hooks
                    .iter()
                    .map(|hook| {
                        let entries: Vec<(&str, Value)> =
                            ["name", "transition", "heartbeat_timeout", "default_result"]
                                .iter()
                                .zip(names)
                                .filter_map(|(from, to)| Some((to, hook.get(from)?.clone())))
                                .collect();
                        object(&entries)
                    })
                    .collect();
                Value::List(list)
            };
            (
                hooks([
                    "LifecycleHookName",
                    "LifecycleTransition",
                    "HeartbeatTimeout",
                    "DefaultResult",
                ]),
                hooks([
                    "name",
                    "lifecycle_transition",
                    "heartbeat_timeout",
                    "default_result",
                ]),
            )
        });
    let (cfn_hooks, tf_hooks) = hooks.unzip();

    let mut cfn = Form::new();
    cfn.set_some("MinSize", size("min_size"))
        .set_some("MaxSize", size("max_size"))
        .set_some("DesiredCapacity", size("desired_capacity"))
        .set(
            "LaunchTemplate",
            object(&[
                ("LaunchTemplateId", template.clone()),
                ("Version", version.clone()),
            ]),
        )
        .copy(r, "subnets", "VPCZoneIdentifier")
        .copy(r, "target_group_arns", "TargetGroupARNs")
        .copy(r, "health_check_type", "HealthCheckType")
        .copy(r, "health_check_grace_period", "HealthCheckGracePeriod")
        .copy(r, "default_instance_warmup", "DefaultInstanceWarmup")
        .set_some("LifecycleHookSpecificationList", cfn_hooks);
    let mut attributes = Form::new();
    attributes.set_some("UpdatePolicy", r.get("update_policy").map(update_policy));

    let mut tf = Form::new();
    tf.copy(r, "min_size", "min_size")
        .copy(r, "max_size", "max_size")
        .copy(r, "desired_capacity", "desired_capacity")
        .set("launch_template", object(&[("id", template), ("version", version)]))
        .copy(r, "subnets", "vpc_zone_identifier")
        .copy(r, "target_group_arns", "target_group_arns")
        .copy(r, "health_check_type", "health_check_type")
        .copy(r, "health_check_grace_period", "health_check_grace_period")
        .copy(r, "default_instance_warmup", "default_instance_warmup")
        .set_some("initial_lifecycle_hook", tf_hooks)
        .set_some("instance_refresh", r.get("update_policy").map(instance_refresh))
        // The provider's `default_tags` do not reach auto scaling groups: every tag is a `tag` block,
        // propagated to the instances the group launches.
        .set(
            "tag",
            construct::tag_list("key", "value", &[("propagate_at_launch", Value::Bool(true))]),
        );
    (cfn, tf, attributes)
}

/// CloudFormation's `UpdatePolicy`: `AutoScalingRollingUpdate` or `AutoScalingReplacingUpdate`.
fn update_policy(policy: &Value) -> Value {
    let int = |key| policy.get(key).cloned();
    let kind = policy
        .get("type")
        .and_then(Value::as_expr)
        .and_then(|e| e.as_literal());
    if kind == Some("replacing") {
        let replacing = object(&[("WillReplace", Value::Bool(true))]);
        return object(&[("AutoScalingReplacingUpdate", replacing)]);
    }
    let mut rolling: Vec<(&str, Value)> = Vec::new();
    rolling.extend(int("max_batch_size").map(|v| ("MaxBatchSize", v)));
    rolling.extend(int("min_instances_in_service").map(|v| ("MinInstancesInService", v)));
    if let Some(pause) = policy.get("pause_seconds").and_then(Value::as_int) {
        rolling.push(("PauseTime", Value::from(format!("PT{pause}S"))));
    }
    if policy.get("wait_on_signals").and_then(Value::as_bool) == Some(true) {
        rolling.push(("WaitOnResourceSignals", Value::Bool(true)));
    }
    object(&[("AutoScalingRollingUpdate", object(&rolling))])
}

/// The update policy as Terraform's `instance_refresh` block, which the provider starts when the launch
/// template or its version changes. A replacing update launches every replacement before terminating
/// (min 100 %, max 200 % healthy); a rolling one keeps `min_healthy_percentage` and waits the pause per
/// instance.
fn instance_refresh(policy: &Value) -> Value {
    let kind = policy
        .get("type")
        .and_then(Value::as_expr)
        .and_then(|e| e.as_literal());
    let mut preferences: Vec<(&str, Value)> = Vec::new();
    if kind == Some("replacing") {
        preferences.push(("min_healthy_percentage", Value::Int(100)));
        preferences.push(("max_healthy_percentage", Value::Int(200)));
    } else {
        preferences.extend(
            policy
                .get("min_healthy_percentage")
                .map(|v| ("min_healthy_percentage", v.clone())),
        );
        if let Some(pause) = policy.get("pause_seconds").and_then(Value::as_int) {
            // A string of seconds in the provider's schema.
            preferences.push(("instance_warmup", Value::from(pause.to_string())));
        }
    }
    object(&[
        ("strategy", Value::from("Rolling")),
        ("preferences", object(&preferences)),
    ])
}

/// The neutral form of an update policy: `{type, max_batch_size, min_instances_in_service,
/// min_healthy_percentage, pause_seconds, wait_on_signals}`; percentages are computed here so both
/// targets agree.
fn update_policy_value(
    r: &mut Resource,
    policy: UpdatePolicy,
    max_size: u32,
    desired: u32,
) -> Value {
    match policy {
        UpdatePolicy::Replacing => Value::Map(vec![("type".to_owned(), Value::from("replacing"))]),
        UpdatePolicy::Rolling(rolling) => {
            if rolling.max_batch_size == 0 {
                r.problems.push(
                    "rolling update batch size 0: expected at least one instance per batch"
                        .to_owned(),
                );
            }
            if rolling.min_instances_in_service >= max_size.max(1) {
                r.problems.push(format!(
                    "rolling update keeps {} instances in service, not below the group's maximum size {}: \
                     expected fewer, or the update cannot replace any",
                    rolling.min_instances_in_service, max_size
                ));
            }
            let mut entries = vec![
                ("type".to_owned(), Value::from("rolling")),
                (
                    "max_batch_size".to_owned(),
                    Value::Int(rolling.max_batch_size.into()),
                ),
                (
                    "min_instances_in_service".to_owned(),
                    Value::Int(rolling.min_instances_in_service.into()),
                ),
            ];
            let percent = if desired == 0 {
                0
            } else {
                (u64::from(rolling.min_instances_in_service) * 100 / u64::from(desired)).min(100)
            };
            entries.push((
                "min_healthy_percentage".to_owned(),
                Value::Int(percent as i64),
            ));
            if let Some(pause) = rolling.pause_seconds {
                check::range(r, "rolling update pause", pause.into(), 0, 3600);
                entries.push(("pause_seconds".to_owned(), Value::Int(pause.into())));
            }
            if rolling.wait_on_signals {
                entries.push(("wait_on_signals".to_owned(), Value::Bool(true)));
            }
            Value::Map(entries)
        }
    }
}
