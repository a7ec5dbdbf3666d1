//! Elastic Container Service on Fargate: a cluster with Container Insights and the Fargate capacity
//! providers ([`Cluster`]), task definitions declared with their roles and log group
//! ([`FargateTaskDefinition`], [`Container`]), and services behind a load balancer's target group,
//! rolled with the deployment circuit breaker and scaled by Application Auto Scaling
//! ([`FargateService`], [`AutoScale`]).
//!
//! ```no_run
//! # use stackwright_core::Stack;
//! # fn define(stack: &mut Stack, network: &stackwright_aws::ec2::VpcNetworkHandle,
//! #     tasks: &stackwright_aws::ec2::SecurityGroupHandle,
//! #     repository: &stackwright_aws::ecr::RepositoryHandle,
//! #     secret: &stackwright_aws::secretsmanager::SecretHandle,
//! #     table: &stackwright_aws::dynamodb::TableHandle,
//! #     lb: &stackwright_aws::elbv2::LoadBalancerHandle,
//! #     targets: &stackwright_aws::elbv2::TargetGroupHandle,
//! #     listener: &stackwright_aws::elbv2::ListenerHandle) {
//! use stackwright_aws::ecs::{AutoScale, Cluster, Container, FargateService, FargateTaskDefinition, Image};
//! let cluster = stack.add(Cluster::new("Apps"));
//! let task = FargateTaskDefinition::new("Web", 512, 1024)
//!     .container(
//!         Container::new("web", Image::from_repository(repository, "v1"))
//!             .port(8080)
//!             .environment("TABLE_NAME", table.name())
//!             .secret_environment("DB_SECRET", secret),
//!     )
//!     .add_to(stack);
//! stack.add(table.grant_read_write(&task));
//! FargateService::new("Api", &cluster, &task, network.private_subnets(), [tasks])
//!     .target_group(targets, "web", 8080, listener)
//!     .auto_scale(AutoScale::new(2, 10).on_cpu(60.0).on_request_count(lb, targets, 1000.0))
//!     .add_to(stack);
//! # }
//! ```

use crate::construct::{object, Attribute, Block, Form, Read, Spelling};

mod scaling;
mod service;
mod task_definition;
pub(crate) use scaling::{APP_SCALING_POLICY, SCALABLE_TARGET};
pub use scaling::{AutoScale, SCALABLE_TARGET_KIND, SCALING_POLICY_KIND};
pub(crate) use service::SERVICE;
pub use service::{
    FargateService, FargateServiceHandle, DEFAULT_MAXIMUM_PERCENT, DEFAULT_MINIMUM_HEALTHY_PERCENT,
    SERVICE_KIND,
};
pub(crate) use task_definition::TASK_DEFINITION;
pub use task_definition::{
    Container, CpuArchitecture, FargateTaskDefinition, Image, PortProtocol, SecretSource,
    TaskDefinitionHandle, FARGATE_TASK_SIZES, TASK_DEFINITION_KIND,
};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::naming::physical_name;
use crate::{construct, Handle};
use stackwright_core::{Declare, Resource, ResourceRef, Value};

/// The neutral kind of a cluster.
pub const CLUSTER_KIND: &str = "aws.ecs.Cluster";

/// A cluster in each target; Terraform associates its capacity providers with a resource of its own.
pub(crate) static CLUSTER: Spelling = Spelling {
    kind: CLUSTER_KIND,
    cloudformation: "AWS::ECS::Cluster",
    terraform: "aws_ecs_cluster",
    terraform_tags: true,
    attributes: &[
        Attribute::new("name", Read::Ref, "name"),
        Attribute::new("arn", Read::GetAtt("Arn"), "arn"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[Block {
        type_name: "aws_ecs_cluster_capacity_providers",
        suffix: "_capacity_providers",
        named_by: None,
    }],
};

/// The suffix of a cluster's Terraform capacity provider association, which services that name a
/// capacity provider wait for.
pub(crate) const CAPACITY_PROVIDERS: &str = "_capacity_providers";

/// A capacity provider AWS manages for every account: where Fargate tasks run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapacityProvider {
    /// On-demand Fargate capacity (`FARGATE`).
    Fargate,
    /// Spare Fargate capacity at a discount, which AWS may reclaim with two minutes' notice
    /// (`FARGATE_SPOT`).
    FargateSpot,
}

impl CapacityProvider {
    /// ECS's name of the provider.
    pub fn as_str(self) -> &'static str {
        match self {
            CapacityProvider::Fargate => "FARGATE",
            CapacityProvider::FargateSpot => "FARGATE_SPOT",
        }
    }
}

/// One item of a capacity provider strategy: how many tasks go to `provider`, as a `base` that it runs
/// first and a `weight` relative to the other items'.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Strategy {
    provider: CapacityProvider,
    weight: i64,
    base: i64,
}

impl Strategy {
    /// `provider` takes `weight` (0 to 1,000) parts of the tasks beyond the base.
    pub fn new(provider: CapacityProvider, weight: i64) -> Self {
        Strategy {
            provider,
            weight,
            base: 0,
        }
    }

    /// `provider` runs the first `tasks` (0 to 100,000) tasks; one item of a strategy at most has a base.
    pub fn base(mut self, tasks: i64) -> Self {
        self.base = tasks;
        self
    }

    /// The provider.
    pub fn provider(&self) -> CapacityProvider {
        self.provider
    }
}

/// Problems with a capacity provider strategy (the `CapacityProviderStrategyItem` ranges of
/// `AWS::ECS::Cluster` and `AWS::ECS::Service`, and the rules ECS states with them), for `what`.
pub(crate) fn strategy_problems(what: &str, strategy: &[Strategy]) -> Vec<String> {
    let mut problems = Vec::new();
    if strategy.is_empty() {
        problems.push(format!(
            "{what} without items: expected at least one `Strategy::new(provider, weight)`"
        ));
    }
    for item in strategy {
        let provider = item.provider.as_str();
        if !(0..=1000).contains(&item.weight) {
            problems.push(format!(
                "{what}: weight {} for {provider}: expected 0 to 1000",
                item.weight
            ));
        }
        if !(0..=100_000).contains(&item.base) {
            problems.push(format!(
                "{what}: base {} for {provider}: expected 0 to 100000",
                item.base
            ));
        }
    }
    let mut seen = Vec::new();
    for item in strategy {
        if seen.contains(&item.provider) {
            problems.push(format!(
                "{what} names {} twice: expected each provider once",
                item.provider.as_str()
            ));
        }
        seen.push(item.provider);
    }
    if strategy.iter().filter(|item| item.base > 0).count() > 1 {
        problems.push(format!(
            "{what} gives a base to more than one provider: expected one at most"
        ));
    }
    if !strategy.is_empty() && strategy.iter().all(|item| item.weight == 0) {
        problems.push(format!(
            "{what} gives every provider weight 0, which places no task: expected one weight above 0"
        ));
    }
    problems
}

/// A strategy's items as each target spells them (`capacity_provider` or `CapacityProvider`, ...).
pub(crate) fn strategy_value(strategy: &[Strategy], names: [&str; 3]) -> Value {
    Value::List(
        strategy
            .iter()
            .map(|item| {
                object(&[
                    (names[0], Value::from(item.provider.as_str())),
                    (names[1], Value::Int(item.weight)),
                    (names[2], Value::Int(item.base)),
                ])
            })
            .collect(),
    )
}

/// Why a cluster without Container Insights is not a finding.
const NO_INSIGHTS: &str = "Container Insights turned off on purpose (`.without_container_insights()`)";

/// An ECS cluster (CloudFormation `AWS::ECS::Cluster`, Terraform `aws_ecs_cluster` and
/// `aws_ecs_cluster_capacity_providers`) for Fargate tasks. Secure by default, each with a named
/// opt-out: CloudWatch Container Insights on (checkov CKV_AWS_65;
/// [`without_container_insights`](Self::without_container_insights)). Both Fargate capacity providers
/// (`FARGATE`, `FARGATE_SPOT`) are associated with it, and tasks that name none go to `FARGATE`
/// ([`default_strategy`](Self::default_strategy) changes it).
///
/// Terraform needs a name: without `.name(...)` it is `<app>-<environment>-<stack>-<id>`; CloudFormation
/// generates one.
pub struct Cluster {
    resource: Resource,
    container_insights: bool,
    strategy: Vec<Strategy>,
}

impl Cluster {
    #[track_caller]
    pub fn new(id: impl Into<String>) -> Self {
        Cluster {
            resource: Resource::new(id, CLUSTER_KIND),
            container_insights: true,
            strategy: vec![Strategy::new(CapacityProvider::Fargate, 1)],
        }
    }

    /// Where services and tasks that name no capacity provider strategy run: each item's provider
    /// takes its base first, then the rest by weight (`[Strategy::new(CapacityProvider::Fargate, 1)]`
    /// by default).
    pub fn default_strategy(mut self, strategy: impl IntoIterator<Item = Strategy>) -> Self {
        let strategy: Vec<Strategy> = strategy.into_iter().collect();
        let problems = strategy_problems("cluster default capacity provider strategy", &strategy);
        self.resource.problems.extend(problems);
        self.strategy = strategy;
        self
    }

    /// Opt-out of CloudWatch Container Insights (checkov CKV_AWS_65): the cluster's tasks then report no
    /// per-task CPU, memory, network and storage metrics.
    pub fn without_container_insights(mut self) -> Self {
        self.container_insights = false;
        self
    }
}
common_setters!(Cluster, taggable);
patchable!(Cluster, CLUSTER);
physical_name!(Cluster);

attr_handle!(
    /// A declared cluster.
    ClusterHandle {
        /// The cluster's name: what Application Auto Scaling's resource ids name.
        name: "name",
        /// The cluster's ARN.
        arn: "arn",
    } id: String
);

impl ClusterHandle {
    /// The id the cluster was declared with.
    pub fn declared_id(&self) -> &str {
        &self.id
    }
}

impl Declare for Cluster {
    type Handle = ClusterHandle;
    fn declare(self, at: ResourceRef) -> (Resource, ClusterHandle) {
        let Cluster {
            mut resource,
            container_insights,
            strategy,
        } = self;
        let handle = ClusterHandle {
            handle: Handle(at),
            id: resource.id.clone(),
        };
        let insights = if container_insights {
            "enabled"
        } else {
            "disabled"
        };
        let providers = Value::List(
            [CapacityProvider::Fargate, CapacityProvider::FargateSpot]
                .iter()
                .map(|p| Value::from(p.as_str()))
                .collect(),
        );
        let mut cfn = Form::new();
        cfn.physical_name("ClusterName")
            .set(
                "ClusterSettings",
                Value::List(vec![object(&[
                    ("Name", "containerInsights".into()),
                    ("Value", insights.into()),
                ])]),
            )
            .set("CapacityProviders", providers.clone())
            .set(
                "DefaultCapacityProviderStrategy",
                strategy_value(&strategy, ["CapacityProvider", "Weight", "Base"]),
            );
        let mut tf = Form::new();
        // The provider requires a name, which CloudFormation would generate.
        tf.required_name("name").set(
            "setting",
            Value::List(vec![object(&[
                ("name", "containerInsights".into()),
                ("value", insights.into()),
            ])]),
        );
        if !container_insights {
            cfn.checkov_skip("CKV_AWS_65", NO_INSIGHTS);
            tf.checkov_skip("CKV_AWS_65", NO_INSIGHTS);
        }
        construct::finish(&mut resource, cfn, tf);
        let mut association = Form::new();
        association
            .set("cluster_name", handle.name())
            .set("capacity_providers", providers)
            .set(
                "default_capacity_provider_strategy",
                strategy_value(&strategy, ["capacity_provider", "weight", "base"]),
            );
        construct::terraform_block(&mut resource, CAPACITY_PROVIDERS, association);
        (resource, handle)
    }
}
