//! Composites that declare a whole service from a few values.
//!
//! [`ReplicatedService`] is a fleet of identical virtual machines behind a load balancer: the talk's
//! replication models ([`Replication`]) and update strategies ([`Update`]) are values in the definition,
//! so that going from one state to the next (a blue/green switch, a canary's weight) is a one-line,
//! reviewable diff of the definition and of both targets' JSON.

use crate::autoscaling::{
    AutoScalingGroup, AutoScalingGroupHandle, RollingUpdate, ScalingPolicy, ScalingPolicyHandle,
    TrackedMetric, UpdatePolicy,
};
use crate::cloudwatch::{Alarm, Comparison, Metric, Statistic, TreatMissingData};
use crate::ec2::{
    LaunchTemplate, LaunchTemplateHandle, Peer, Port, SecurityGroup, SecurityGroupHandle,
    SubnetHandle, VpcHandle,
};
use crate::elbv2::{
    Action, Condition, HealthCheck, Listener, ListenerHandle, ListenerRule, LoadBalancer,
    LoadBalancerHandle, Protocol, Scheme, Stickiness, TargetGroup, TargetGroupHandle,
};
use crate::iam::InstanceProfileHandle;
use crate::sns::TopicHandle;
use stackwright_core::{Diagnostic, Expr, Stack};

/// What each replica runs: an image, an instance type, user data and an instance profile (the role).
#[derive(Clone, Debug)]
pub struct Machine {
    image_id: Expr,
    instance_type: Expr,
    user_data: Option<Expr>,
    instance_profile_arn: Option<Expr>,
}

impl Machine {
    /// `image_id` is usually a lookup (`ssm::ParameterLookup::image_id(...).value()`).
    pub fn new(image_id: impl Into<Expr>, instance_type: impl Into<Expr>) -> Self {
        Machine {
            image_id: image_id.into(),
            instance_type: instance_type.into(),
            user_data: None,
            instance_profile_arn: None,
        }
    }

    /// The instances' user data, e.g. a rendered template (`Template::...render(stack)`).
    pub fn user_data(mut self, text: impl Into<Expr>) -> Self {
        self.user_data = Some(text.into());
        self
    }

    /// The instances act as the role of this instance profile.
    pub fn instance_profile(mut self, profile: &InstanceProfileHandle) -> Self {
        self.instance_profile_arn = Some(profile.arn());
        self
    }
}

/// Where the service runs: the load balancer in `public_subnets`, the instances in `instance_subnets`
/// (private ones with a route out, or the public ones), each list spanning availability zones.
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
    /// preserved, so the instances admit the port from anywhere). Needed by source-IP stickiness.
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
    pub instance_security_group: SecurityGroupHandle,
    /// One per machine, in the order of `fleets`' first use.
    pub launch_templates: Vec<LaunchTemplateHandle>,
    pub fleets: Vec<Fleet>,
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

    /// Makes every fleet wait for `other`, e.g. the route out that first boot downloads packages through.
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
        for problem in replication.into_iter().chain(update).chain(size) {
            stack.report(Diagnostic::new(problem).for_resource(&id).at(at));
        }
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
        let listener = self.listeners(stack, &lb, &groups);

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
        }
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
                        format!("{id}InstanceSecurityGroup"),
                        network.vpc,
                        "Instances: the service port from the load balancer",
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
            Frontend::Tcp { .. } => {
                // A network load balancer preserves client addresses: the instances see the clients.
                let instances = stack.add(egress_https(
                    SecurityGroup::new(
                        format!("{id}InstanceSecurityGroup"),
                        network.vpc,
                        "Instances: the service port from clients through the load balancer",
                    )
                    .allow_ingress(
                        Peer::any_ipv4(),
                        port,
                        "clients through the network load balancer",
                    ),
                ));
                let lb = stack.add(
                    self.load_balancer_patches.clone().apply(LoadBalancer::network(
                        format!("{id}LoadBalancer"),
                        Scheme::InternetFacing,
                        network.public_subnets,
                    )
                    .accept_finding(
                        "CKV_AWS_91",
                        "no access log bucket yet: it needs a policy admitting the region's load \
                         balancer log delivery account",
                    )),
                );
                (lb, instances)
            }
        }
    }

    /// The listeners and, for tenant stickiness, the rules; returns the listener that forwards.
    #[track_caller]
    fn listeners(
        &self,
        stack: &mut Stack,
        lb: &LoadBalancerHandle,
        groups: &[TargetGroupHandle],
    ) -> ListenerHandle {
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
                stack.add(ListenerRule::new(
                    format!("{id}{}Rule", shard.name),
                    &listener,
                    10 * (i as u32 + 1),
                    [condition],
                    Action::forward(group),
                ));
            }
        }
        listener
    }

    #[track_caller]
    fn launch_template(
        &self,
        stack: &mut Stack,
        name: &str,
        machine: &Machine,
        group: &SecurityGroupHandle,
    ) -> LaunchTemplateHandle {
        let mut template = LaunchTemplate::new(
            format!("{}{name}LaunchTemplate", self.id),
            machine.image_id.clone(),
            machine.instance_type.clone(),
        )
        .security_group(group);
        if let Some(user_data) = &machine.user_data {
            template = template.user_data(user_data.clone());
        }
        if let Some(profile) = &machine.instance_profile_arn {
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
