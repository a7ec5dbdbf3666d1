//! Fargate services: tasks kept running, behind a load balancer's target group, rolled on change, scaled
//! by Application Auto Scaling.

use super::scaling::{self, AutoScale, ScalableTarget};
use super::{strategy_problems, strategy_value, ClusterHandle, Strategy, TaskDefinitionHandle};
use super::CAPACITY_PROVIDERS;
use crate::construct::{object, Attribute, Form, Read, Spelling};
use crate::ec2::{
    Peer, Port, Tier, SecurityGroupEgress, SecurityGroupHandle, SecurityGroupIngress, SubnetHandle,
};
use crate::elbv2::{Forwarder, TargetGroupHandle, TargetType};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{Grantee, RoleHandle};
use crate::naming::physical_name;
use crate::{construct, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Stack, Value};

/// The neutral kind of a service.
pub const SERVICE_KIND: &str = "aws.ecs.Service";

/// A service in each target.
pub(crate) static SERVICE: Spelling = Spelling {
    kind: SERVICE_KIND,
    cloudformation: "AWS::ECS::Service",
    terraform: "aws_ecs_service",
    terraform_tags: true,
    attributes: &[
        Attribute::new("arn", Read::Ref, "id"),
        Attribute::new("name", Read::GetAtt("Name"), "name"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// The minimum healthy percent of a rolling deployment unless set: ECS's default, written out.
pub const DEFAULT_MINIMUM_HEALTHY_PERCENT: i64 = 100;
/// The maximum percent of a rolling deployment unless set: ECS's default, written out.
pub const DEFAULT_MAXIMUM_PERCENT: i64 = 200;

/// Where a service's target group sends traffic.
struct Target {
    arn: Expr,
    container: String,
    port: u16,
}

/// A Fargate service (CloudFormation `AWS::ECS::Service`, Terraform `aws_ecs_service`) that keeps a
/// task definition's tasks running in a cluster, declared by [`add_to`](Self::add_to). Secure and safe
/// by default, each with a named opt-out:
/// - tasks in the given (private) subnets behind the given security groups, without a public address
///   (checkov CKV_AWS_333; [`assign_public_ip_insecure`](Self::assign_public_ip_insecure));
/// - on Fargate's latest platform version (CKV_AWS_332), tags propagated from the service to its tasks;
/// - rolling deployments that keep [`DEFAULT_MINIMUM_HEALTHY_PERCENT`] of the tasks healthy and run up
///   to [`DEFAULT_MAXIMUM_PERCENT`] ([`deployment`](Self::deployment)), with the deployment circuit
///   breaker on and rolling back a deployment whose tasks do not become healthy
///   ([`without_circuit_breaker`](Self::without_circuit_breaker));
/// - a deploy waits for the service to be stable: CloudFormation does so itself, Terraform with
///   `wait_for_steady_state` ([`without_waiting`](Self::without_waiting)), so that a rolled-back
///   deployment fails the deploy in both.
///
/// Behind a load balancer with [`target_group`](Self::target_group) (its target type `ip`), scaled with
/// [`auto_scale`](Self::auto_scale). Terraform needs a name: without `.name(...)` it is
/// `<app>-<environment>-<stack>-<id>`; CloudFormation generates one.
pub struct FargateService {
    resource: Resource,
    cluster: ClusterHandle,
    task: TaskDefinitionHandle,
    subnets: Vec<Expr>,
    security_groups: Vec<Expr>,
    task_groups: Vec<SecurityGroupHandle>,
    public_subnets: usize,
    balancer_groups: Vec<SecurityGroupHandle>,
    outbound_https: bool,
    balancer_rules: bool,
    desired_count: i64,
    public_ip: bool,
    targets: Vec<Target>,
    minimum_healthy_percent: i64,
    maximum_percent: i64,
    circuit_breaker: bool,
    wait: bool,
    grace_period_seconds: Option<i64>,
    strategy: Option<Vec<Strategy>>,
    scale: Option<AutoScale>,
}

impl FargateService {
    /// Runs `task`'s tasks in `cluster`, each with a network interface in one of `subnets` (1 to 16:
    /// `network.private_subnets()`) behind `security_groups` (1 to 5); one task unless
    /// [`desired_count`](Self::desired_count) or [`auto_scale`](Self::auto_scale) says otherwise.
    #[track_caller]
    pub fn new<'a>(
        id: impl Into<String>,
        cluster: &ClusterHandle,
        task: &TaskDefinitionHandle,
        subnets: impl IntoIterator<Item = &'a SubnetHandle>,
        security_groups: impl IntoIterator<Item = &'a SecurityGroupHandle>,
    ) -> Self {
        let mut resource = Resource::new(id, SERVICE_KIND);
        let subnets: Vec<&SubnetHandle> = subnets.into_iter().collect();
        let public_subnets = subnets
            .iter()
            .filter(|s| s.tier() == Some(Tier::Public))
            .count();
        let subnets: Vec<Expr> = subnets.into_iter().map(SubnetHandle::id).collect();
        let task_groups: Vec<SecurityGroupHandle> = security_groups.into_iter().cloned().collect();
        let security_groups: Vec<Expr> = task_groups.iter().map(SecurityGroupHandle::id).collect();
        if !(1..=16).contains(&subnets.len()) || !(1..=5).contains(&security_groups.len()) {
            resource.problems.push(format!(
                "service network placement with {} subnets and {} security groups: expected 1 to 16 \
                 subnets and 1 to 5 security groups",
                subnets.len(),
                security_groups.len()
            ));
        }
        FargateService {
            resource,
            cluster: cluster.clone(),
            task: task.clone(),
            subnets,
            security_groups,
            task_groups,
            public_subnets,
            balancer_groups: Vec::new(),
            outbound_https: true,
            balancer_rules: true,
            desired_count: 1,
            public_ip: false,
            targets: Vec::new(),
            minimum_healthy_percent: DEFAULT_MINIMUM_HEALTHY_PERCENT,
            maximum_percent: DEFAULT_MAXIMUM_PERCENT,
            circuit_breaker: true,
            wait: true,
            grace_period_seconds: None,
            strategy: None,
            scale: None,
        }
    }

    /// How many tasks run (0 or more); 1 by default. An auto-scaled service starts with its minimum
    /// instead.
    pub fn desired_count(mut self, tasks: i64) -> Self {
        if tasks < 0 {
            self.resource.problems.push(format!(
                "service desired count of {tasks}: expected 0 or more"
            ));
        }
        self.desired_count = tasks;
        self
    }

    /// Registers the tasks' `container` on `port` with `group` (whose target type must be
    /// [`TargetType::Ip`]: Fargate tasks are registered by address). ECS refuses a group no load
    /// balancer uses yet, so the service waits for `forwarded_by`, the listener or listener rule that
    /// forwards to the group.
    ///
    /// Security groups are closed by default, so the service opens the path, least privilege: each of
    /// the load balancer's security groups may send to each of the tasks' groups on `port` (an egress
    /// rule of the balancer's group), and each task group accepts that (an ingress rule), declared by
    /// [`add_to`](Self::add_to) as `<id>-BalancerIngress<port>` and `<id>-BalancerEgress<port>` (with
    /// `-<n>` for each pair of groups after the first). A load balancer given by ARN has no known groups:
    /// its rules are the app's to declare.
    pub fn target_group(
        mut self,
        group: &TargetGroupHandle,
        container: &str,
        port: u16,
        forwarded_by: &impl Forwarder,
    ) -> Self {
        if group.target_type() == Some(TargetType::Instance) {
            self.resource.problems.push(
                "a service behind a target group of target type `instance`: Fargate tasks are \
                 registered by IP address, expected `.target_type(TargetType::Ip)` on the group"
                    .to_owned(),
            );
        }
        match self.task.container_ports(container) {
            None => {
                let names: Vec<&str> = self.task.container_names().collect();
                self.resource.problems.push(format!(
                    "target group container `{container}` is not a container of task definition `{}`: \
                     expected one of {}",
                    self.task.declared_id(),
                    names.join(", ")
                ));
            }
            Some(ports) if !ports.contains(&port) => {
                self.resource.problems.push(format!(
                    "target group port {port} is not a port of container `{container}`: expected one \
                     of its `.port(..)`s ({})",
                    ports
                        .iter()
                        .map(u16::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            Some(_) => {}
        }
        self.resource.depends_on.push(forwarded_by.resource_ref());
        for balancer in forwarded_by.load_balancer_security_groups() {
            if !self.balancer_groups.iter().any(|g| g.id() == balancer.id()) {
                self.balancer_groups.push(balancer.clone());
            }
        }
        self.targets.push(Target {
            arn: group.arn(),
            container: container.to_owned(),
            port,
        });
        self
    }

    /// A rolling deployment keeps at least `minimum_healthy_percent` (0 to 100) of the desired tasks
    /// running and healthy and runs at most `maximum_percent` (above the minimum) of them;
    /// [`DEFAULT_MINIMUM_HEALTHY_PERCENT`] and [`DEFAULT_MAXIMUM_PERCENT`] by default.
    pub fn deployment(mut self, minimum_healthy_percent: i64, maximum_percent: i64) -> Self {
        if !(0..=100).contains(&minimum_healthy_percent) || maximum_percent <= minimum_healthy_percent
        {
            self.resource.problems.push(format!(
                "rolling deployment of minimum {minimum_healthy_percent} % healthy and maximum \
                 {maximum_percent} %: expected a minimum of 0 to 100 and a maximum above it (else no \
                 task can be replaced)"
            ));
        }
        self.minimum_healthy_percent = minimum_healthy_percent;
        self.maximum_percent = maximum_percent;
        self
    }

    /// How long the load balancer's failing health checks are ignored after a task starts (0 to
    /// 2,147,483,647 seconds); for a service behind a target group.
    pub fn health_check_grace_period_seconds(mut self, seconds: i64) -> Self {
        if !(0..=i64::from(i32::MAX)).contains(&seconds) {
            self.resource.problems.push(format!(
                "health check grace period of {seconds} seconds: expected 0 to {}",
                i32::MAX
            ));
        }
        self.grace_period_seconds = Some(seconds);
        self
    }

    /// Where the tasks run, instead of Fargate on demand (`FARGATE_SPOT` takes spare capacity at a
    /// discount, which AWS may reclaim): each item's provider takes its base first, then the rest by
    /// weight.
    pub fn capacity_provider_strategy(mut self, strategy: impl IntoIterator<Item = Strategy>) -> Self {
        let strategy: Vec<Strategy> = strategy.into_iter().collect();
        let problems = strategy_problems("service capacity provider strategy", &strategy);
        self.resource.problems.extend(problems);
        self.strategy = Some(strategy);
        self
    }

    /// Scales the task count with Application Auto Scaling ([`AutoScale`]): a scalable target and one
    /// target tracking policy per metric. The deploy then leaves the running count to it: CloudFormation
    /// sets no `DesiredCount` (ECS starts one task, which the target raises to the minimum), Terraform
    /// starts with the minimum and ignores later changes of `desired_count`.
    pub fn auto_scale(mut self, scale: AutoScale) -> Self {
        self.scale = Some(scale);
        self
    }

    /// Opt-out: the tasks get a public IP address (checkov CKV_AWS_333), reachable from the internet
    /// in a public subnet as far as their security groups allow. Required in the public subnets of an
    /// [`ec2::VpcNetwork`](crate::ec2::VpcNetwork): their route is an internet gateway, which carries
    /// only public addresses, so tasks without one cannot pull their image (subnets declared or found
    /// on their own have no known tier and are not checked).
    pub fn assign_public_ip_insecure(mut self) -> Self {
        self.public_ip = true;
        self
    }

    /// Opt-out of the tasks' outbound HTTPS, for a VPC with interface endpoints for what tasks reach at
    /// start (ECR `api` and `dkr`, S3 for image layers, CloudWatch Logs, Secrets Manager or SSM when
    /// containers take secrets): without it, [`add_to`](Self::add_to) declares an egress rule
    /// `<id>-OutboundHttps` (`-<n>` after the first group) of each task security group to `0.0.0.0/0`
    /// on TCP 443, because a closed group cannot pull the image or write logs, and the tasks never start.
    pub fn without_outbound_https(mut self) -> Self {
        self.outbound_https = false;
        self
    }

    /// Opt-out of the rules between the load balancer's groups and the task groups that
    /// [`target_group`](Self::target_group) declares, for groups whose own rules already open that path
    /// (a second, identical rule is refused by EC2): `ReplicatedService` writes them into its groups.
    pub fn without_balancer_rules(mut self) -> Self {
        self.balancer_rules = false;
        self
    }

    /// Opt-out of the deployment circuit breaker: a deployment whose tasks never become healthy keeps
    /// trying, and is not rolled back.
    pub fn without_circuit_breaker(mut self) -> Self {
        self.circuit_breaker = false;
        self
    }

    /// Opt-out of Terraform's wait for a stable service (`wait_for_steady_state`): `apply` returns once
    /// the service is updated, before its tasks are running and healthy. CloudFormation always waits.
    pub fn without_waiting(mut self) -> Self {
        self.wait = false;
        self
    }

    /// Declares the service in `stack`, the security group rules it needs (see
    /// [`target_group`](Self::target_group) and [`without_outbound_https`](Self::without_outbound_https)),
    /// and when it is auto-scaled its scalable target `<id>-Scaling` and its policies `<id>-Cpu`,
    /// `<id>-Memory`, `<id>-Requests`.
    #[track_caller]
    pub fn add_to(self, stack: &mut Stack) -> FargateServiceHandle {
        let mut service = self;
        let id = service.resource.id.clone();
        let rules = service.security_group_rules(&id);
        if service.scale.is_some() || !rules.is_empty() {
            // Its parts are named after it: a bad or taken id is one error, not one per part.
            stack.check_composite_id("service", &id, service.resource.location);
        }
        if service.public_subnets > 0 && !service.public_ip {
            // A public subnet routes to an internet gateway, which carries only public addresses:
            // without one a task cannot reach ECR, and never starts.
            service.resource.problems.push(format!(
                "a service in {} public subnet(s) without a public IP address: its tasks cannot pull \
                 their image; expected private subnets (`network.private_subnets()`, through NAT), or \
                 `.assign_public_ip_insecure()`",
                service.public_subnets
            ));
        }
        if service.grace_period_seconds.is_some() && service.targets.is_empty() {
            service.resource.problems.push(
                "a health check grace period without a target group: expected `.target_group(..)`, \
                 or no grace period"
                    .to_owned(),
            );
        }
        if let Some(scale) = &service.scale {
            service.resource.problems.extend(scale.problems());
            if let Some(group) = scale.request_target_group() {
                if !service.targets.iter().any(|t| &t.arn == group) {
                    service.resource.problems.push(format!(
                        "auto scaling on request count per task through a target group the service \
                         is not behind ({} target groups given): expected the group of one of its \
                         `.target_group(..)`s",
                        service.targets.len()
                    ));
                }
            }
        }
        let cluster_name = service.cluster.name();
        let scale = service.scale.take();
        let task = service.task.clone();
        let handle = stack.add(Node {
            service,
            scaled_min: scale.as_ref().map(AutoScale::min),
        });
        for rule in rules.ingress {
            stack.add(rule);
        }
        for rule in rules.egress {
            stack.add(rule);
        }
        if let Some(scale) = scale {
            let resource_id = Expr::concat([
                Expr::from("service/"),
                cluster_name,
                Expr::from("/"),
                handle.name(),
            ]);
            let target = stack.add(ScalableTarget {
                resource: Resource::new(format!("{id}-Scaling"), scaling::SCALABLE_TARGET_KIND),
                resource_id,
                min: scale.min(),
                max: scale.max(),
            });
            scaling::policies(stack, &id, &target, &scale);
        }
        FargateServiceHandle {
            handle: handle.handle,
            task,
        }
    }
}
/// The security group rules a service declares beside it.
#[derive(Default)]
struct Rules {
    ingress: Vec<SecurityGroupIngress>,
    egress: Vec<SecurityGroupEgress>,
}

impl Rules {
    fn is_empty(&self) -> bool {
        self.ingress.is_empty() && self.egress.is_empty()
    }
}

impl FargateService {
    /// The rules between the load balancer's groups and the tasks' groups on each target port, and
    /// the tasks' outbound HTTPS.
    #[track_caller]
    fn security_group_rules(&self, id: &str) -> Rules {
        let mut rules = Rules::default();
        let mut ports: Vec<u16> = self.targets.iter().map(|t| t.port).collect();
        ports.sort_unstable();
        ports.dedup();
        let pairs = self.balancer_groups.len() * self.task_groups.len();
        if !self.balancer_rules {
            ports.clear();
        }
        for port in ports {
            let mut n = 0;
            for balancer in &self.balancer_groups {
                for tasks in &self.task_groups {
                    n += 1;
                    let suffix = if pairs > 1 && n > 1 {
                        format!("-{n}")
                    } else {
                        String::new()
                    };
                    rules.ingress.push(SecurityGroupIngress::new(
                        format!("{id}-BalancerIngress{port}{suffix}"),
                        tasks,
                        Peer::security_group(balancer),
                        Port::tcp(port),
                        format!("service {id}: from its load balancer to its tasks"),
                    ));
                    rules.egress.push(SecurityGroupEgress::new(
                        format!("{id}-BalancerEgress{port}{suffix}"),
                        balancer,
                        Peer::security_group(tasks),
                        Port::tcp(port),
                        format!("service {id}: from its load balancer to its tasks"),
                    ));
                }
            }
        }
        if self.outbound_https {
            for (i, tasks) in self.task_groups.iter().enumerate() {
                let suffix = if i > 0 {
                    format!("-{}", i + 1)
                } else {
                    String::new()
                };
                rules.egress.push(SecurityGroupEgress::new(
                    format!("{id}-OutboundHttps{suffix}"),
                    tasks,
                    Peer::any_ipv4(),
                    Port::tcp(443),
                    format!(
                        "service {id}: tasks pull images (ECR, S3), write logs (CloudWatch Logs) and \
                         read secrets over HTTPS"
                    ),
                ));
            }
        }
        rules
    }
}
common_setters!(FargateService, taggable);
patchable!(FargateService, SERVICE);
physical_name!(FargateService);

/// The service's node, its scaling taken out (declared beside it).
struct Node {
    service: FargateService,
    scaled_min: Option<i64>,
}

/// What the service's node declares.
struct NodeHandle {
    handle: Handle,
}

impl NodeHandle {
    fn name(&self) -> Expr {
        self.handle.attr("name")
    }
}

attr_handle!(
    /// A declared service; grants to it go to its task definition's task role.
    FargateServiceHandle {
        /// The service's ARN.
        arn: "arn",
        /// The service's name.
        name: "name",
    } task: TaskDefinitionHandle
);

impl FargateServiceHandle {
    /// The task definition the service runs.
    pub fn task_definition(&self) -> &TaskDefinitionHandle {
        &self.task
    }
}

impl Grantee for FargateServiceHandle {
    fn grantee_role(&self) -> &RoleHandle {
        self.task.task_role()
    }
}

/// Why a service with a public address is not a finding.
const PUBLIC_IP: &str = "the tasks get a public IP address on purpose (`.assign_public_ip_insecure()`)";

impl Declare for Node {
    type Handle = NodeHandle;
    fn declare(self, at: ResourceRef) -> (Resource, NodeHandle) {
        let Node {
            service,
            scaled_min: scaled,
        } = self;
        let FargateService {
            mut resource,
            cluster,
            task,
            subnets,
            security_groups,
            task_groups: _,
            public_subnets: _,
            balancer_groups: _,
            outbound_https: _,
            balancer_rules: _,
            desired_count,
            public_ip,
            targets,
            minimum_healthy_percent,
            maximum_percent,
            circuit_breaker,
            wait,
            grace_period_seconds,
            strategy,
            scale: _,
        } = service;
        let list = |ids: &[Expr]| Value::List(ids.iter().cloned().map(Value::Str).collect());
        let mut cfn = Form::new();
        let mut tf = Form::new();
        cfn.physical_name("ServiceName")
            .set("Cluster", cluster.arn())
            .set("TaskDefinition", task.arn());
        // The provider requires a name, which CloudFormation would generate.
        tf.required_name("name")
            .set("cluster", cluster.arn())
            .set("task_definition", task.arn());
        match scaled {
            // ECS keeps the running count when an update leaves it out; Terraform is told to ignore it.
            Some(minimum) => {
                tf.set("desired_count", minimum);
            }
            None => {
                cfn.set("DesiredCount", desired_count);
                tf.set("desired_count", desired_count);
            }
        }
        match &strategy {
            Some(strategy) => {
                cfn.set(
                    "CapacityProviderStrategy",
                    strategy_value(strategy, ["CapacityProvider", "Weight", "Base"]),
                );
                tf.set(
                    "capacity_provider_strategy",
                    strategy_value(strategy, ["capacity_provider", "weight", "base"]),
                )
                // The providers must be associated with the cluster first.
                .wait_for_block(cluster.arn(), CAPACITY_PROVIDERS);
            }
            None => {
                cfn.set("LaunchType", "FARGATE");
                tf.set("launch_type", "FARGATE");
            }
        }
        cfn.set("PlatformVersion", "LATEST")
            .set(
                "NetworkConfiguration",
                object(&[(
                    "AwsvpcConfiguration",
                    object(&[
                        ("Subnets", list(&subnets)),
                        ("SecurityGroups", list(&security_groups)),
                        (
                            "AssignPublicIp",
                            if public_ip { "ENABLED" } else { "DISABLED" }.into(),
                        ),
                    ]),
                )]),
            )
            .set(
                "DeploymentConfiguration",
                object(&[
                    ("MinimumHealthyPercent", Value::Int(minimum_healthy_percent)),
                    ("MaximumPercent", Value::Int(maximum_percent)),
                    (
                        "DeploymentCircuitBreaker",
                        object(&[
                            ("Enable", Value::Bool(circuit_breaker)),
                            ("Rollback", Value::Bool(circuit_breaker)),
                        ]),
                    ),
                ]),
            )
            .set("DeploymentController", object(&[("Type", "ECS".into())]));
        tf.set("platform_version", "LATEST")
            .set(
                "network_configuration",
                object(&[
                    ("subnets", list(&subnets)),
                    ("security_groups", list(&security_groups)),
                    ("assign_public_ip", Value::Bool(public_ip)),
                ]),
            )
            .set("deployment_minimum_healthy_percent", minimum_healthy_percent)
            .set("deployment_maximum_percent", maximum_percent)
            .set(
                "deployment_circuit_breaker",
                object(&[
                    ("enable", Value::Bool(circuit_breaker)),
                    ("rollback", Value::Bool(circuit_breaker)),
                ]),
            )
            .set("deployment_controller", object(&[("type", "ECS".into())]));
        if !targets.is_empty() {
            let balancers = |names: [&str; 3]| {
                Value::List(
                    targets
                        .iter()
                        .map(|t| {
                            object(&[
                                (names[0], Value::Str(t.arn.clone())),
                                (names[1], Value::from(t.container.as_str())),
                                (names[2], Value::Int(i64::from(t.port))),
                            ])
                        })
                        .collect(),
                )
            };
            cfn.set(
                "LoadBalancers",
                balancers(["TargetGroupArn", "ContainerName", "ContainerPort"]),
            );
            tf.set(
                "load_balancer",
                balancers(["target_group_arn", "container_name", "container_port"]),
            );
        }
        cfn.set_some("HealthCheckGracePeriodSeconds", grace_period_seconds)
            .set("PropagateTags", "SERVICE")
            .set("EnableECSManagedTags", true);
        tf.set_some("health_check_grace_period_seconds", grace_period_seconds)
            .set("propagate_tags", "SERVICE")
            .set("enable_ecs_managed_tags", true)
            .set("wait_for_steady_state", wait);
        if scaled.is_some() {
            // Application Auto Scaling changes the count; a plan must not set it back.
            tf.set(
                "lifecycle",
                object(&[(
                    "ignore_changes",
                    Value::List(vec![Value::from("desired_count")]),
                )]),
            );
        }
        if public_ip {
            cfn.checkov_skip("CKV_AWS_333", PUBLIC_IP);
            tf.checkov_skip("CKV_AWS_333", PUBLIC_IP);
        }
        construct::finish(&mut resource, cfn, tf);
        (resource, NodeHandle { handle: Handle(at) })
    }
}
