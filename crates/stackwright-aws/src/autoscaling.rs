//! EC2 Auto Scaling.

use crate::check;
use crate::ec2::{LaunchTemplateHandle, SubnetHandle};
use crate::elbv2::TargetGroupHandle;
use crate::handle::{attr_handle, common_setters};
use crate::{kinds, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Value};

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
}
common_setters!(AutoScalingGroup, taggable);

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
        if !r.tags.iter().any(|(key, _)| key == "Name") {
            let name = r.id.clone();
            r.tags.push(("Name".to_owned(), name.into()));
        }
        (self.resource, AutoScalingGroupHandle { handle: Handle(at) })
    }
}
