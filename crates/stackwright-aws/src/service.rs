//! Composites that declare a whole service from a few values.
//!
//! [`ReplicatedService`] is a fleet of identical replicas behind a load balancer: virtual machines in
//! auto scaling groups ([`Machine::new`]) or tasks of a Fargate service ([`Machine::fargate`]). The
//! talk's replication models ([`Replication`]) and update strategies ([`Update`]) are values in the
//! definition, so that going from one state to the next (a blue/green switch, a canary's weight) is a
//! one-line, reviewable diff of the definition and of both targets' JSON.

use crate::autoscaling::{
    AutoScalingGroup, AutoScalingGroupHandle, RollingUpdate, ScalingPolicy, ScalingPolicyHandle,
    TrackedMetric, UpdatePolicy,
};
use crate::cloudwatch::{Alarm, Comparison, Metric, Statistic, TreatMissingData};
use crate::ec2::{
    LaunchTemplate, LaunchTemplateHandle, Peer, Port, SecurityGroup, SecurityGroupHandle,
    SubnetHandle, VpcHandle,
};
use crate::ecs::{
    AutoScale, ClusterHandle, FargateService, FargateServiceHandle, TaskDefinitionHandle,
};
use crate::elbv2::{
    Action, Condition, HealthCheck, Listener, ListenerHandle, ListenerRule, ListenerRuleHandle,
    LoadBalancer, LoadBalancerHandle, Protocol, Scheme, Stickiness, TargetGroup, TargetGroupHandle,
    TargetType,
};
use crate::iam::InstanceProfileHandle;
use crate::sns::TopicHandle;
use stackwright_core::{Diagnostic, Expr, Stack};

/// What each replica runs: a virtual machine (an image, an instance type, user data and an instance
/// profile: [`Machine::new`]) or a task of a Fargate service ([`Machine::fargate`]). The machine is the
/// platform choice: every machine of one service (the service's, a blue/green or canary update's) runs
/// on the same platform.
#[derive(Clone, Debug)]
pub struct Machine {
    runs: Runs,
    /// Setters that do not apply to the machine's platform, reported by the service.
    problems: Vec<String>,
}

/// A machine's platform and what it runs there.
#[derive(Clone, Debug)]
enum Runs {
    Vm {
        image_id: Expr,
        instance_type: Expr,
        user_data: Option<Expr>,
        instance_profile_arn: Option<Expr>,
    },
    Fargate {
        cluster: ClusterHandle,
        task: TaskDefinitionHandle,
        container: String,
        public_ip: bool,
    },
}

impl Machine {
    /// A virtual machine; `image_id` is usually a lookup (`ssm::ParameterLookup::image_id(...).value()`).
    pub fn new(image_id: impl Into<Expr>, instance_type: impl Into<Expr>) -> Self {
        Machine {
            runs: Runs::Vm {
                image_id: image_id.into(),
                instance_type: instance_type.into(),
                user_data: None,
                instance_profile_arn: None,
            },
            problems: Vec::new(),
        }
    }

    /// A task of `task` in `cluster` on Fargate, the load balancer forwarding to `container` on the
    /// service's port (one of the container's `.port(..)`s). Each replica group is an ECS service
    /// ([`FargateService`]: no public address, the deployment circuit breaker rolling back, waiting
    /// for a stable service), registered by IP address in target groups of target type `ip`.
    pub fn fargate(cluster: &ClusterHandle, task: &TaskDefinitionHandle, container: &str) -> Self {
        Machine {
            runs: Runs::Fargate {
                cluster: cluster.clone(),
                task: task.clone(),
                container: container.to_owned(),
                public_ip: false,
            },
            problems: Vec::new(),
        }
    }

    /// The instances' user data, e.g. a rendered template (`Template::...render(stack)`); a virtual
    /// machine's only.
    pub fn user_data(mut self, text: impl Into<Expr>) -> Self {
        match &mut self.runs {
            Runs::Vm { user_data, .. } => *user_data = Some(text.into()),
            Runs::Fargate { .. } => self.problems.push(
                "user data on a Fargate machine: expected a virtual machine (`Machine::new`); a \
                 task's start is its container's image and command"
                    .to_owned(),
            ),
        }
        self
    }

    /// The instances act as the role of this instance profile; a virtual machine's only (a task acts
    /// as its task definition's task role).
    pub fn instance_profile(mut self, profile: &InstanceProfileHandle) -> Self {
        match &mut self.runs {
            Runs::Vm {
                instance_profile_arn,
                ..
            } => *instance_profile_arn = Some(profile.arn()),
            Runs::Fargate { .. } => self.problems.push(
                "an instance profile on a Fargate machine: expected a virtual machine \
                 (`Machine::new`); a task acts as its task definition's task role"
                    .to_owned(),
            ),
        }
        self
    }

    /// Opt-out: each task gets a public IP address (checkov CKV_AWS_333), which tasks in public
    /// subnets without a NAT gateway need to pull their image; a Fargate machine's only (instances
    /// take theirs from the subnet).
    pub fn assign_public_ip_insecure(mut self) -> Self {
        match &mut self.runs {
            Runs::Fargate { public_ip, .. } => *public_ip = true,
            Runs::Vm { .. } => self.problems.push(
                "a public IP address setting on a virtual machine: expected a Fargate machine \
                 (`Machine::fargate`); instances take theirs from the subnet's \
                 `map_public_ip_on_launch`"
                    .to_owned(),
            ),
        }
        self
    }

    /// Whether the machine is a Fargate task.
    pub fn is_fargate(&self) -> bool {
        matches!(self.runs, Runs::Fargate { .. })
    }
}

/// Where the service runs: the load balancer in `public_subnets`, the instances (or tasks) in
/// `instance_subnets` (private ones with a route out, or the public ones), each list spanning
/// availability zones.
pub struct Network<'a> {
    pub vpc: &'a VpcHandle,
    pub public_subnets: &'a [SubnetHandle],
    pub instance_subnets: &'a [SubnetHandle],
}

/// How clients reach the service.
#[derive(Clone, Debug)]
pub enum Frontend {
    /// An internet-facing application load balancer: HTTPS on 443 with `certificate_arn` (TLS 1.2+), and
    /// HTTP on 80 redirected to it. Needed by cookie and tenant stickiness and by canaries.
    Https { certificate_arn: Expr },
    /// An internet-facing network load balancer passing TCP on `port` through (client addresses are
    /// preserved, so the instances admit the port from anywhere). Needed by source-IP stickiness. On
    /// Fargate, tasks are registered by IP address, for which the load balancer does not preserve client
    /// addresses (the target group's default): tasks see the load balancer's addresses and admit the
    /// port from the VPC's block only.
    Tcp { port: u16 },
}

/// How requests reach replicas (the talk's replication models).
#[derive(Clone, Debug)]
pub enum Replication {
    /// Any replica serves any request.
    Stateless,
    /// A client stays on the replica that served it: a load balancer cookie, an application cookie
    /// (both behind [`Frontend::Https`]) or its source IP address (behind [`Frontend::Tcp`]).
    SessionSticky(Stickiness),
    /// Each tenant's requests reach the replica group that owns it: one target group and fleet per
    /// shard, and one listener rule per shard matching its tenants by `key`. Requests of other tenants
    /// get a 404. Behind [`Frontend::Https`], with [`Update::Rolling`].
    TenantSticky { key: TenantKey, shards: Vec<Shard> },
}

/// What names a request's tenant.
#[derive(Clone, Debug)]
pub enum TenantKey {
    /// A request header, e.g. `X-Tenant: acme`.
    Header(String),
    /// The first path segment: `/acme/...`.
    PathPrefix,
}

/// A replica group of a tenant-sticky service and the tenants it owns (at most 5 values per rule:
/// with a path key, each tenant is one `/<tenant>/*` pattern).
#[derive(Clone, Debug)]
pub struct Shard {
    /// Part of the ids of the shard's resources: ASCII letters and digits.
    pub name: String,
    pub tenants: Vec<String>,
}

impl Shard {
    pub fn new<S: Into<String>>(
        name: impl Into<String>,
        tenants: impl IntoIterator<Item = S>,
    ) -> Self {
        Shard {
            name: name.into(),
            tenants: tenants.into_iter().map(Into::into).collect(),
        }
    }
}

/// Which of two fleets is live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Blue,
    Green,
}

/// How a new version reaches the replicas (the talk's update strategies).
#[derive(Clone, Debug)]
pub enum Update {
    /// One fleet, replaced `batch` instances at a time while `min_in_service` keep serving, when its
    /// machine changes (CloudFormation `AutoScalingRollingUpdate`, Terraform `instance_refresh`).
    /// On Fargate, ECS's rolling deployment with the circuit breaker rolling back a deployment whose
    /// tasks do not become healthy; its percentages of the desired count are these counts' share of
    /// the size's minimum: a minimum healthy percent of `min_in_service` (at most 100 %) and a
    /// maximum percent of the minimum plus `batch` (rounded up, so that ECS, which rounds it down,
    /// can start `batch` new tasks).
    Rolling { batch: u32, min_in_service: u32 },
    /// Two fleets, `Blue` running the service's machine and `Green` running `green`; the listener
    /// forwards to the `live` one only. Deploy to the idle fleet, test it, then switch `live`.
    BlueGreen { live: Color, green: Machine },
    /// Two fleets, `Stable` running the service's machine and `Canary` running `canary`; the listener
    /// sends `weight_percent` (0 to 100) of new clients to the canary. Promote by raising the weight,
    /// then make `canary` the service's machine.
    Canary { weight_percent: u8, canary: Machine },
}

/// Sizes of each fleet, and what scales it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    pub min: u32,
    pub max: u32,
    pub scaling: Scaling,
}

/// Who decides how many instances run between a fleet's minimum and maximum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scaling {
    /// The definition: `desired` instances (between min and max).
    Fixed { desired: u32 },
    /// A target tracking policy keeping the fleet's average CPU utilization near `percent` (1 to
    /// 100). The group's desired capacity is then the policy's and is not declared: a declared value
    /// would be reset by every deployment, scaling a busy fleet in (the AWS provider's and CDK's
    /// advice). A new fleet starts at `min`.
    TargetCpu { percent: u8 },
}

/// A fleet of virtual machines behind a load balancer, with its replication model and update strategy.
///
/// Declares (ids prefixed with the service's id): security groups for the load balancer and the
/// instances (each admitting only what the next hop needs), the load balancer (deletion-protected,
/// dropping invalid headers), its listeners, one target group per fleet with the health check, one
/// launch template per machine (IMDSv2, encrypted root volume), one auto scaling group per fleet using
/// ELB health checks (so a crashed instance is replaced without a change to the definition), a CPU
/// target tracking policy per fleet when the size asks for one, and an alarm per target group on
/// unhealthy hosts, notifying `alarm_topic`.
///
/// On Fargate ([`Machine::fargate`]) the same choices declare, instead of launch templates and auto
/// scaling groups, one ECS service per fleet (`<id><fleet>Service`) in target groups of target type
/// `ip`, its tasks behind the service's security group (`<id>TaskSecurityGroup`), the size's minimum
/// and maximum and CPU target as Application Auto Scaling's (`<id><fleet>Service-Scaling`,
/// `<id><fleet>Service-Cpu`), and a fixed size as the desired count. Every machine of a service must
/// run on one platform.
pub struct ReplicatedService {
    id: String,
    machine: Machine,
    frontend: Frontend,
    port: u16,
    health_check_path: String,
    size: Size,
    replication: Replication,
    update: Update,
    alarm_topic: Option<TopicHandle>,
    /// What every fleet waits for (a route out, a grant) beside what it references.
    fleet_dependencies: Vec<crate::Handle>,
    /// The typed escapes' patches of the load balancer, the service's main resource.
    load_balancer_patches: crate::construct::Patches,
}

/// The load balancer is the service's main resource: the typed escapes (`.cloudformation(..)`,
/// `.terraform(..)`) patch it.
impl crate::construct::Patchable for ReplicatedService {
    fn spelling() -> &'static crate::construct::Spelling {
        <LoadBalancer as crate::construct::Patchable>::spelling()
    }

    fn patch(
        mut self,
        target: stackwright_core::Target,
        entries: Vec<(String, stackwright_core::Value)>,
        problems: Vec<String>,
    ) -> Self {
        self.load_balancer_patches.push(target, entries, problems);
        self
    }
}

/// What [`ReplicatedService::add_to`] declared.
#[derive(Clone, Debug)]
pub struct ReplicatedServiceHandle {
    pub load_balancer: LoadBalancerHandle,
    /// The listener that forwards to the fleets (HTTPS or TCP).
    pub listener: ListenerHandle,
    /// The instances' security group, or on Fargate the tasks'.
    pub instance_security_group: SecurityGroupHandle,
    /// One per machine, in the order of `fleets`' first use; none on Fargate.
    pub launch_templates: Vec<LaunchTemplateHandle>,
    /// The fleets of virtual machines; none on Fargate.
    pub fleets: Vec<Fleet>,
    /// The fleets of Fargate tasks, in the order `fleets` would have; none on virtual machines.
    pub task_fleets: Vec<TaskFleet>,
}

/// One fleet of Fargate tasks: its name within the service (as [`Fleet`]'s), target group and ECS
/// service.
#[derive(Clone, Debug)]
pub struct TaskFleet {
    pub name: String,
    pub target_group: TargetGroupHandle,
    pub service: FargateServiceHandle,
}

/// One fleet: its name within the service (`""` for a single fleet, `Blue`, `Green`, `Stable`,
/// `Canary` or a shard's name), target group, group and scaling policy.
#[derive(Clone, Debug)]
pub struct Fleet {
    pub name: String,
    pub target_group: TargetGroupHandle,
    pub group: AutoScalingGroupHandle,
    pub scaling_policy: Option<ScalingPolicyHandle>,
}

impl ReplicatedService {
    /// A stateless service of `machine` replicas listening on `port` (HTTP behind an HTTPS frontend),
    /// healthy when `health_check_path` answers 200, updated by rolling one instance at a time while
    /// `size.min` stay in service (at most `size.max - 1`, so that the update can replace one). Each
    /// rolling batch waits 60 s before the next.
    pub fn new(
        id: impl Into<String>,
        machine: Machine,
        frontend: Frontend,
        port: u16,
        health_check_path: impl Into<String>,
        size: Size,
    ) -> Self {
        let min_in_service = size.min.min(size.max.saturating_sub(1));
        ReplicatedService {
            id: id.into(),
            machine,
            frontend,
            port,
            health_check_path: health_check_path.into(),
            size,
            replication: Replication::Stateless,
            update: Update::Rolling {
                batch: 1,
                min_in_service,
            },
            alarm_topic: None,
            fleet_dependencies: Vec::new(),
            load_balancer_patches: Default::default(),
        }
    }

    /// Makes every fleet (on Fargate, every ECS service) wait for `other`, e.g. the route out that
    /// first boot downloads packages, or a task pulls its image, through.
    pub fn fleet_depends_on(mut self, other: &impl stackwright_core::HasResourceRef) -> Self {
        self.fleet_dependencies
            .push(crate::Handle(other.resource_ref()));
        self
    }

    /// Replaces the size given to `new` (e.g. in a test or a variant).
    pub fn size(mut self, size: Size) -> Self {
        self.size = size;
        self
    }

    pub fn replication(mut self, replication: Replication) -> Self {
        self.replication = replication;
        self
    }

    pub fn update(mut self, update: Update) -> Self {
        self.update = update;
        self
    }

    /// Where the unhealthy-host alarms notify (and their return to OK); its key must let CloudWatch
    /// publish ([`Alarm::alarm_topic`](crate::cloudwatch::Alarm::alarm_topic)).
    pub fn alarm_topic(mut self, topic: &TopicHandle) -> Self {
        self.alarm_topic = Some(topic.clone());
        self
    }

    /// Declares the service in `stack`; problems of the combination are reported at the caller's line,
    /// problems of each part at the same line through its builder.
    #[track_caller]
    pub fn add_to(mut self, stack: &mut Stack, network: Network<'_>) -> ReplicatedServiceHandle {
        let at = std::panic::Location::caller();
        let id = self.id.clone();
        let (replication, update, size) = self.problems();
        let machines = self.machine_problems();
        // A choice that cannot work is reported once; the rest is declared as if it were the default
        // (stateless, rolling), so that it does not cause a second error in the parts.
        if !replication.is_empty() {
            self.replication = Replication::Stateless;
        }
        if !update.is_empty() {
            let default = ReplicatedService::new(
                "",
                self.machine.clone(),
                self.frontend.clone(),
                1,
                "",
                self.size,
            );
            self.update = default.update;
        }
        if !size.is_empty() {
            let (min, max) = (self.size.min.min(self.size.max), self.size.max);
            self.size.scaling = match self.size.scaling {
                Scaling::Fixed { desired } => Scaling::Fixed {
                    desired: desired.clamp(min, max),
                },
                Scaling::TargetCpu { percent } => Scaling::TargetCpu {
                    percent: percent.clamp(1, 100),
                },
            };
        }
        for problem in replication
            .into_iter()
            .chain(update)
            .chain(size)
            .chain(machines)
        {
            stack.report(Diagnostic::new(problem).for_resource(&id).at(at));
        }
        let fargate = self.machine.is_fargate();
        let https = matches!(self.frontend, Frontend::Https { .. });
        let (lb, instance_group) = self.edge(stack, &network);
        let protocol = if https { Protocol::Http } else { Protocol::Tcp };

        // The fleets: (name, machine) pairs; templates are shared by fleets of one machine.
        let fleets: Vec<(String, Machine)> = match (&self.replication, &self.update) {
            (Replication::TenantSticky { shards, .. }, _) => shards
                .iter()
                .map(|shard| (shard.name.clone(), self.machine.clone()))
                .collect(),
            (_, Update::Rolling { .. }) => vec![(String::new(), self.machine.clone())],
            (_, Update::BlueGreen { green, .. }) => vec![
                ("Blue".to_owned(), self.machine.clone()),
                ("Green".to_owned(), green.clone()),
            ],
            (_, Update::Canary { canary, .. }) => vec![
                ("Stable".to_owned(), self.machine.clone()),
                ("Canary".to_owned(), canary.clone()),
            ],
        };
        let mut templates: Vec<(String, LaunchTemplateHandle)> = Vec::new();
        let groups: Vec<TargetGroupHandle> = fleets
            .iter()
            .map(|(name, _)| {
                let mut group = TargetGroup::new(
                    format!("{id}{name}Targets"),
                    protocol,
                    self.port,
                    network.vpc,
                )
                .health_check(self.health_check())
                .deregistration_delay_seconds(30);
                if fargate {
                    group = group.target_type(TargetType::Ip);
                }
                match &self.replication {
                    Replication::SessionSticky(stickiness) => {
                        group = group.stickiness(stickiness.clone());
                    }
                    // checkov follows rules (not default actions) from an HTTPS listener to an HTTP
                    // target group and reports it.
                    Replication::TenantSticky { .. } => {
                        group = group.accept_finding(
                            "CKV_AWS_378",
                            "TLS ends at the load balancer; the target group carries HTTP inside \
                             the VPC to instances that admit only the load balancer",
                        );
                    }
                    Replication::Stateless => {}
                }
                stack.add(group)
            })
            .collect();
        let (listener, rules) = self.listeners(stack, &lb, &groups);
        if fargate {
            let task_fleets = self.task_fleets(
                stack,
                &network,
                &fleets,
                groups,
                &instance_group,
                &listener,
                &rules,
                &lb,
                https,
            );
            return ReplicatedServiceHandle {
                load_balancer: lb,
                listener,
                instance_security_group: instance_group,
                launch_templates: Vec::new(),
                fleets: Vec::new(),
                task_fleets,
            };
        }

        let mut declared = Vec::new();
        for ((name, machine), target_group) in fleets.iter().zip(groups) {
            // Blue/green and canary fleets run their own machine; the others share the service's.
            let template_name = match name.as_str() {
                "Green" | "Canary" => name.as_str(),
                _ => "",
            };
            let template = match templates.iter().find(|(n, _)| n == template_name) {
                Some((_, template)) => template.clone(),
                None => {
                    let template =
                        self.launch_template(stack, template_name, machine, &instance_group);
                    templates.push((template_name.to_owned(), template.clone()));
                    template
                }
            };
            let mut fleet = AutoScalingGroup::new(
                format!("{id}{name}Fleet"),
                &template,
                network.instance_subnets,
                self.size.min,
                self.size.max,
            )
            .target_group(&target_group)
            // A target group takes instances only once a listener forwards to it.
            .depends_on(&listener);
            for dependency in &self.fleet_dependencies {
                fleet = fleet.depends_on(dependency);
            }
            if let Scaling::Fixed { desired } = self.size.scaling {
                fleet = fleet.desired_capacity(desired);
            }
            if let Update::Rolling {
                batch,
                min_in_service,
            } = self.update
            {
                fleet = fleet.update_policy(UpdatePolicy::Rolling(
                    RollingUpdate::new(batch, min_in_service).pause_seconds(60),
                ));
            }
            let group = stack.add(fleet);
            let target_cpu = match self.size.scaling {
                Scaling::TargetCpu { percent } => Some(percent),
                Scaling::Fixed { .. } => None,
            };
            let scaling_policy = target_cpu.map(|percent| {
                stack.add(
                    ScalingPolicy::target_tracking(
                        format!("{id}{name}CpuTarget"),
                        &group,
                        TrackedMetric::AverageCpuUtilization,
                        f64::from(percent),
                    )
                    .estimated_instance_warmup(300),
                )
            });
            self.unhealthy_alarm(stack, name, &lb, &target_group, https);
            declared.push(Fleet {
                name: name.clone(),
                target_group,
                group,
                scaling_policy,
            });
        }
        ReplicatedServiceHandle {
            load_balancer: lb,
            listener,
            instance_security_group: instance_group,
            launch_templates: templates.into_iter().map(|(_, t)| t).collect(),
            fleets: declared,
            task_fleets: Vec::new(),
        }
    }

    /// The fleets on Fargate: one ECS service per fleet, each registering its tasks with its target
    /// group once the listener (or, for tenant stickiness, the shard's rule) forwards to it.
    #[allow(clippy::too_many_arguments)]
    #[track_caller]
    fn task_fleets(
        &self,
        stack: &mut Stack,
        network: &Network<'_>,
        fleets: &[(String, Machine)],
        groups: Vec<TargetGroupHandle>,
        task_group: &SecurityGroupHandle,
        listener: &ListenerHandle,
        rules: &[ListenerRuleHandle],
        lb: &LoadBalancerHandle,
        https: bool,
    ) -> Vec<TaskFleet> {
        let id = &self.id;
        let mut declared = Vec::new();
        for (i, ((name, machine), target_group)) in fleets.iter().zip(groups).enumerate() {
            let Runs::Fargate {
                cluster,
                task,
                container,
                public_ip,
            } = &machine.runs
            else {
                // Reported by `machine_problems`; the update fell back to the service's machine.
                continue;
            };
            let mut service = FargateService::new(
                format!("{id}{name}Service"),
                cluster,
                task,
                network.instance_subnets,
                [task_group],
            )
            // The load balancer's first checks of a starting task do not count against it.
            .health_check_grace_period_seconds(60)
            // The task group's own rules admit the load balancer and reach HTTPS; the same rules
            // declared again on their own would be refused as duplicates.
            .without_balancer_rules()
            .without_outbound_https();
            service = match rules.get(i) {
                Some(rule) => service.target_group(&target_group, container, self.port, rule),
                None => service.target_group(&target_group, container, self.port, listener),
            };
            if let Update::Rolling {
                batch,
                min_in_service,
            } = self.update
            {
                let (minimum, maximum) = deployment_percents(batch, min_in_service, self.size.min);
                service = service.deployment(minimum, maximum);
            }
            service = match self.size.scaling {
                Scaling::Fixed { desired } => service.desired_count(i64::from(desired)),
                Scaling::TargetCpu { percent } => service.auto_scale(
                    AutoScale::new(i64::from(self.size.min), i64::from(self.size.max))
                        .on_cpu(f64::from(percent)),
                ),
            };
            if *public_ip {
                service = service.assign_public_ip_insecure();
            }
            for dependency in &self.fleet_dependencies {
                service = service.depends_on(dependency);
            }
            let service = service.add_to(stack);
            self.unhealthy_alarm(stack, name, lb, &target_group, https);
            declared.push(TaskFleet {
                name: name.clone(),
                target_group,
                service,
            });
        }
        declared
    }

    /// Problems of the machines themselves: setters of the other platform.
    fn machine_problems(&self) -> Vec<String> {
        let mut problems = self.machine.problems.clone();
        match &self.update {
            Update::BlueGreen { green: other, .. } | Update::Canary { canary: other, .. } => {
                problems.extend(other.problems.iter().cloned());
            }
            Update::Rolling { .. } => {}
        }
        problems
    }

    /// Problems of the combination of choices: of the replication model, of the update strategy, of the
    /// size; each part checks its own input.
    fn problems(&self) -> (Vec<String>, Vec<String>, Vec<String>) {
        let mut problems = Vec::new();
        let https = matches!(self.frontend, Frontend::Https { .. });
        match &self.replication {
            Replication::SessionSticky(Stickiness::SourceIp) if https => problems.push(
                "source-IP stickiness behind an HTTPS frontend: expected `Frontend::Tcp` (a network \
                 load balancer), or cookie stickiness"
                    .to_owned(),
            ),
            Replication::SessionSticky(Stickiness::SourceIp) => {}
            Replication::SessionSticky(_) if !https => problems.push(
                "cookie stickiness behind a TCP frontend: expected `Frontend::Https` (an application \
                 load balancer), or `Stickiness::SourceIp`"
                    .to_owned(),
            ),
            Replication::TenantSticky { shards, .. } => {
                if !https {
                    problems.push(
                        "tenant stickiness behind a TCP frontend: expected `Frontend::Https`, whose \
                         listener rules route by header or path"
                            .to_owned(),
                    );
                }
                if !matches!(self.update, Update::Rolling { .. }) {
                    problems.push(
                        "tenant stickiness with a blue/green or canary update: expected \
                         `Update::Rolling` (each shard's fleet rolls on its own)"
                            .to_owned(),
                    );
                }
                if shards.is_empty() {
                    problems.push("tenant stickiness without shards: expected at least one".to_owned());
                }
                for (i, shard) in shards.iter().enumerate() {
                    if shard.name.is_empty() || !shard.name.chars().all(|c| c.is_ascii_alphanumeric())
                    {
                        problems.push(format!(
                            "shard name `{}`: expected ASCII letters and digits (it is part of ids)",
                            shard.name
                        ));
                    }
                    if shards[..i].iter().any(|s| s.name == shard.name) {
                        problems.push(format!("two shards named `{}`: expected unique names", shard.name));
                    }
                    for tenant in &shard.tenants {
                        if let Some(owner) = shards[..i].iter().find(|s| s.tenants.contains(tenant)) {
                            problems.push(format!(
                                "tenant `{tenant}` is in shards `{}` and `{}`: expected one owner",
                                owner.name, shard.name
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
        let replication = std::mem::take(&mut problems);
        if let Update::Canary { weight_percent, .. } = self.update {
            if weight_percent > 100 {
                problems.push(format!(
                    "canary weight {weight_percent} %: expected 0 to 100"
                ));
            }
            if !https {
                problems.push(
                    "a canary behind a TCP frontend: expected `Frontend::Https` (weighted forwarding \
                     needs an application load balancer)"
                        .to_owned(),
                );
            }
        }
        match &self.update {
            Update::BlueGreen { green: other, .. } | Update::Canary { canary: other, .. }
                if other.is_fargate() != self.machine.is_fargate() =>
            {
                let platform = |m: &Machine| {
                    if m.is_fargate() {
                        "Fargate (`Machine::fargate`)"
                    } else {
                        "a virtual machine (`Machine::new`)"
                    }
                };
                problems.push(format!(
                    "the update's machine runs on {} and the service's on {}: expected both on one \
                     platform",
                    platform(other),
                    platform(&self.machine)
                ));
            }
            _ => {}
        }
        if matches!(self.update, Update::BlueGreen { .. }) && !https {
            problems.push(
                "blue/green behind a TCP frontend: expected `Frontend::Https` (switching the live color \
                 is a weighted forward, which needs an application load balancer)"
                    .to_owned(),
            );
        }
        let update = std::mem::take(&mut problems);
        match self.size.scaling {
            Scaling::TargetCpu { percent } if !(1..=100).contains(&percent) => {
                problems.push(format!("target CPU {percent} %: expected 1 to 100"));
            }
            Scaling::Fixed { desired } if desired < self.size.min || desired > self.size.max => {
                problems.push(format!(
                    "desired capacity {desired} outside {} to {}: expected min <= desired <= max",
                    self.size.min, self.size.max
                ));
            }
            _ => {}
        }
        (replication, update, problems)
    }

    fn health_check(&self) -> HealthCheck {
        match self.frontend {
            Frontend::Https { .. } => HealthCheck::http(self.health_check_path.clone()),
            Frontend::Tcp { .. } => HealthCheck {
                protocol: Some(Protocol::Http),
                ..HealthCheck::http(self.health_check_path.clone())
            },
        }
    }

    /// The security groups and the load balancer.
    #[track_caller]
    fn edge(
        &self,
        stack: &mut Stack,
        network: &Network<'_>,
    ) -> (LoadBalancerHandle, SecurityGroupHandle) {
        let id = &self.id;
        let port = Port::tcp(self.port);
        // The replicas' security group: the instances', or on Fargate the tasks'.
        let (replicas_id, replicas) = if self.machine.is_fargate() {
            (format!("{id}TaskSecurityGroup"), "Tasks")
        } else {
            (format!("{id}InstanceSecurityGroup"), "Instances")
        };
        let egress_https = |group: SecurityGroup| {
            group.allow_egress(
                Peer::any_ipv4(),
                Port::tcp(443),
                "HTTPS to package repositories and AWS APIs",
            )
        };
        match &self.frontend {
            Frontend::Https { .. } => {
                let lb_group = stack.add(
                    SecurityGroup::new(
                        format!("{id}LoadBalancerSecurityGroup"),
                        network.vpc,
                        "Load balancer: HTTPS and HTTP (redirected) in, the service port to the VPC out",
                    )
                    .allow_ingress(Peer::any_ipv4(), Port::tcp(443), "HTTPS from anywhere")
                    .allow_ingress(Peer::any_ipv4(), Port::tcp(80), "HTTP from anywhere, redirected to HTTPS")
                    .allow_egress(
                        // An invalid VPC block is reported by the VPC itself.
                        Peer::ipv4(network.vpc.literal_cidr().unwrap_or_else(|| "10.0.0.0/16".to_owned())),
                        port,
                        "the service port of the instances in the VPC",
                    )
                    .accept_finding(
                        "CKV_AWS_260",
                        "port 80 only answers with a permanent redirect to HTTPS on 443",
                    ),
                );
                let instances = stack.add(egress_https(
                    SecurityGroup::new(
                        replicas_id,
                        network.vpc,
                        format!("{replicas}: the service port from the load balancer"),
                    )
                    .allow_ingress(
                        Peer::security_group(&lb_group),
                        port,
                        "from the load balancer",
                    ),
                ));
                let lb = stack.add(
                    self.load_balancer_patches.clone().apply(LoadBalancer::application(
                        format!("{id}LoadBalancer"),
                        Scheme::InternetFacing,
                        network.public_subnets,
                        [&lb_group],
                    )
                    .accept_finding(
                        "CKV2_AWS_28",
                        "a WAF web ACL is outside the catalog; the load balancer drops invalid headers \
                         and forwards only to the service port",
                    )
                    .accept_finding(
                        "CKV_AWS_91",
                        "no access log bucket yet: it needs a policy admitting the region's load \
                         balancer log delivery account",
                    )),
                );
                (lb, instances)
            }
            Frontend::Tcp { .. } if self.machine.is_fargate() => {
                // Targets registered by IP address over TCP see the load balancer's own addresses
                // (client IP preservation is off for them by default), which are in the VPC.
                let vpc_block = network
                    .vpc
                    .literal_cidr()
                    .unwrap_or_else(|| "10.0.0.0/16".to_owned());
                let tasks = stack.add(egress_https(
                    SecurityGroup::new(
                        replicas_id,
                        network.vpc,
                        format!(
                            "{replicas}: the service port from the load balancer addresses in the VPC"
                        ),
                    )
                    .allow_ingress(
                        Peer::ipv4(vpc_block),
                        port,
                        "the network load balancer, from its addresses in the VPC",
                    ),
                ));
                (self.network_load_balancer(stack, network), tasks)
            }
            Frontend::Tcp { .. } => {
                // A network load balancer preserves client addresses: the instances see the clients.
                let instances = stack.add(egress_https(
                    SecurityGroup::new(
                        replicas_id,
                        network.vpc,
                        format!(
                            "{replicas}: the service port from clients through the load balancer"
                        ),
                    )
                    .allow_ingress(
                        Peer::any_ipv4(),
                        port,
                        "clients through the network load balancer",
                    ),
                ));
                (self.network_load_balancer(stack, network), instances)
            }
        }
    }

    /// The network load balancer of a TCP frontend.
    #[track_caller]
    fn network_load_balancer(
        &self,
        stack: &mut Stack,
        network: &Network<'_>,
    ) -> LoadBalancerHandle {
        stack.add(
            self.load_balancer_patches.clone().apply(
                LoadBalancer::network(
                    format!("{}LoadBalancer", self.id),
                    Scheme::InternetFacing,
                    network.public_subnets,
                )
                .accept_finding(
                    "CKV_AWS_91",
                    "no access log bucket yet: it needs a policy admitting the region's load balancer \
                     log delivery account",
                ),
            ),
        )
    }

    /// The listeners and, for tenant stickiness, the rules; returns the listener that forwards and the
    /// rules, one per shard.
    #[track_caller]
    fn listeners(
        &self,
        stack: &mut Stack,
        lb: &LoadBalancerHandle,
        groups: &[TargetGroupHandle],
    ) -> (ListenerHandle, Vec<ListenerRuleHandle>) {
        let id = &self.id;
        let action = match (&self.replication, &self.update) {
            (Replication::TenantSticky { .. }, _) => {
                Action::fixed_response(404, "text/plain", "unknown tenant")
            }
            (_, Update::Rolling { .. }) => Action::forward(&groups[0]),
            (_, Update::BlueGreen { live, .. }) => {
                // Both fleets stay registered; only the live one gets traffic. Weights (not a plain
                // forward) keep the switch a one-value change in both targets.
                let blue = u32::from(*live == Color::Blue);
                Action::weighted_forward([(&groups[0], blue), (&groups[1], 1 - blue)])
            }
            (_, Update::Canary { weight_percent, .. }) => {
                let canary = u32::from((*weight_percent).min(100));
                let action =
                    Action::weighted_forward([(&groups[0], 100 - canary), (&groups[1], canary)]);
                match &self.replication {
                    // A session stays on the version it started on.
                    Replication::SessionSticky(
                        Stickiness::LoadBalancerCookie { duration_seconds }
                        | Stickiness::ApplicationCookie {
                            duration_seconds, ..
                        },
                    ) => action.sticky_for_seconds(*duration_seconds),
                    _ => action,
                }
            }
        };
        let listener = match &self.frontend {
            Frontend::Https { certificate_arn } => {
                stack.add(Listener::redirect_http_to_https(
                    format!("{id}HttpListener"),
                    lb,
                ));
                stack.add(Listener::https(
                    format!("{id}HttpsListener"),
                    lb,
                    443,
                    certificate_arn.clone(),
                    action,
                ))
            }
            Frontend::Tcp { port } => {
                stack.add(Listener::tcp(format!("{id}TcpListener"), lb, *port, action))
            }
        };
        let mut rules = Vec::new();
        if let Replication::TenantSticky { key, shards } = &self.replication {
            for (i, (shard, group)) in shards.iter().zip(groups).enumerate() {
                let condition = match key {
                    TenantKey::Header(name) => {
                        Condition::http_header(name.clone(), shard.tenants.clone())
                    }
                    TenantKey::PathPrefix => {
                        Condition::path_pattern(shard.tenants.iter().map(|t| format!("/{t}/*")))
                    }
                };
                rules.push(stack.add(ListenerRule::new(
                    format!("{id}{}Rule", shard.name),
                    &listener,
                    10 * (i as u32 + 1),
                    [condition],
                    Action::forward(group),
                )));
            }
        }
        (listener, rules)
    }

    #[track_caller]
    fn launch_template(
        &self,
        stack: &mut Stack,
        name: &str,
        machine: &Machine,
        group: &SecurityGroupHandle,
    ) -> LaunchTemplateHandle {
        let Runs::Vm {
            image_id,
            instance_type,
            user_data,
            instance_profile_arn,
        } = &machine.runs
        else {
            unreachable!("the fleets of virtual machines run virtual machines only")
        };
        let mut template = LaunchTemplate::new(
            format!("{}{name}LaunchTemplate", self.id),
            image_id.clone(),
            instance_type.clone(),
        )
        .security_group(group);
        if let Some(user_data) = user_data {
            template = template.user_data(user_data.clone());
        }
        if let Some(profile) = instance_profile_arn {
            template = template.instance_profile_arn(profile.clone());
        }
        stack.add(template)
    }

    /// An alarm when any target of `group` is unhealthy for two minutes.
    #[track_caller]
    fn unhealthy_alarm(
        &self,
        stack: &mut Stack,
        name: &str,
        lb: &LoadBalancerHandle,
        group: &TargetGroupHandle,
        https: bool,
    ) {
        let namespace = if https {
            "AWS/ApplicationELB"
        } else {
            "AWS/NetworkELB"
        };
        let metric = Metric::new(namespace, "UnHealthyHostCount")
            .dimension("LoadBalancer", lb.full_name())
            .dimension("TargetGroup", group.full_name())
            .statistic(Statistic::Maximum)
            .period_seconds(60);
        let mut alarm = Alarm::new(
            format!("{}{name}UnhealthyHosts", self.id),
            metric,
            Comparison::GreaterThanThreshold,
            0.0,
            2,
        )
        .description(format!("{}{name}: a target is unhealthy", self.id))
        .treat_missing_data(TreatMissingData::NotBreaching);
        if let Some(topic) = &self.alarm_topic {
            alarm = alarm.alarm_topic(topic).ok_topic(topic);
        }
        stack.add(alarm);
    }
}

/// ECS's rolling deployment percentages for a rolling update of `batch` replicas at a time while
/// `min_in_service` keep serving, as shares of a fleet of `min` replicas: ECS rounds the minimum
/// healthy count up and the maximum count down, so the minimum is rounded down and the maximum up.
fn deployment_percents(batch: u32, min_in_service: u32, min: u32) -> (i64, i64) {
    let base = u64::from(min.max(1));
    let minimum = (u64::from(min_in_service) * 100 / base).min(100);
    let maximum = 100 + (u64::from(batch) * 100).div_ceil(base);
    (minimum as i64, maximum as i64)
}
