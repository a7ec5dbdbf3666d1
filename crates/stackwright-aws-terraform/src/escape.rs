//! The typed escape from a hand-written construct (`stackwright_aws`) to the hashicorp/aws builder of its
//! main resource, for Terraform: `.terraform(|t| ..)` sets what the construct has no setter for with that
//! builder's typed setters, and the construct keeps every default it writes.
//!
//! Hand-written, not generated: one line per construct below, gated by the feature of the provider
//! service that holds the builder.

use stackwright_aws::construct::{Patchable, Spelling};

/// A construct's escape to the hashicorp/aws builder of its main resource, for its Terraform block only.
///
/// The closure gets an empty builder of that type (no id, no required attribute: `new`'s arguments have
/// setters too) and returns it with the attributes and blocks to add. They are merged over the
/// construct's own when it is declared: an object (a block of at most one, a map) merges by key, so the
/// construct's defaults beside a patched key stay (IMDSv2's `http_tokens = "required"` beside a patched
/// `http_put_response_hop_limit`), also into a block the construct writes as a list of one; anything
/// else replaces the construct's value, a repeatable block's list whole. The block is validated against
/// the provider schema like any other, and a value the builder's setter does not take is a compile
/// error:
///
/// ```
/// use stackwright_aws::sqs::Queue;
/// use stackwright_aws_terraform::TerraformEscape;
///
/// // The hand-written queue (encrypted, its retention checked) has no setter for a delivery delay.
/// let queue = Queue::new("Orders").terraform(|t| t.delay_seconds(5));
/// ```
///
/// ```compile_fail,E0277
/// use stackwright_aws::sqs::Queue;
/// use stackwright_aws_terraform::TerraformEscape;
///
/// // The delay is a number of seconds.
/// let queue = Queue::new("Orders").terraform(|t| t.delay_seconds("five"));
/// ```
///
/// With `ec2`, a launch template's key pair and hop limit, its IMDSv2 requirement kept:
/// `LaunchTemplate::new(..).terraform(|t| t.key_name("ops").metadata_options(MetadataOptions::new()
/// .http_put_response_hop_limit(2)))`.
///
/// Inside the closure only attributes and blocks count: a tag, a dependency or an override set there is
/// an error that says to set it on the construct. Composites escape to their main resource:
/// `lambda::Function` to `aws_lambda_function`, `ec2::VpcNetwork` to `aws_vpc`, `ec2::VpcFlowLogs` to
/// `aws_flow_log`, `service::ReplicatedService` to `aws_lb`, `apigatewayv2::HttpApi` to
/// `aws_apigatewayv2_api`, `apigatewayv2::CustomDomain` to `aws_apigatewayv2_domain_name`,
/// `lambda::QueueEventSource` to `aws_lambda_event_source_mapping`.
pub trait TerraformEscape: Patchable {
    /// The hashicorp/aws builder of the construct's main resource.
    type Builder;

    /// Adds the attributes and blocks `patch` sets on an empty [`Self::Builder`] to the construct's
    /// Terraform block.
    fn terraform(self, patch: impl FnOnce(Self::Builder) -> Self::Builder) -> Self;
}

/// One line per construct: `"<feature>": <construct> => <hashicorp/aws builder>,`.
macro_rules! escapes {
    ($($feature:literal: $construct:ty => $builder:ty,)*) => {
        $(
            #[cfg(feature = $feature)]
            impl TerraformEscape for $construct {
                type Builder = $builder;

                fn terraform(self, patch: impl FnOnce($builder) -> $builder) -> Self {
                    let (entries, problems) = patch(<$builder>::__patch()).__into_patch();
                    self.patch(stackwright_core::Target::Terraform, entries, problems)
                }
            }
        )*

        /// Every escape the enabled features give: the spelling of the construct's main resource and the
        /// Terraform type of the builder it escapes to (for the test that every construct has one).
        #[doc(hidden)]
        // One push per line, each behind its feature (a `vec![..]` cannot hold `#[cfg]` items).
        #[allow(clippy::vec_init_then_push)]
        pub fn escapes() -> Vec<(&'static Spelling, &'static str)> {
            #[allow(unused_mut)]
            let mut all = Vec::new();
            $(
                #[cfg(feature = $feature)]
                all.push((<$construct as Patchable>::spelling(), <$builder>::__type_name()));
            )*
            all
        }
    };
}

escapes! {
    "acm": stackwright_aws::acm::Certificate => crate::acm::Certificate,
    "apigateway": stackwright_aws::apigateway::RestApi => crate::apigateway::RestApi,
    "apigatewayv2": stackwright_aws::apigatewayv2::HttpApi => crate::apigatewayv2::Api,
    "apigatewayv2": stackwright_aws::apigatewayv2::CustomDomain => crate::apigatewayv2::DomainName,
    "autoscaling": stackwright_aws::autoscaling::AutoScalingGroup => crate::autoscaling::Group,
    "autoscaling": stackwright_aws::autoscaling::ScalingPolicy => crate::autoscaling::Policy,
    "autoscaling": stackwright_aws::autoscaling::ScheduledAction => crate::autoscaling::Schedule,
    "cloudwatch": stackwright_aws::cloudwatch::Alarm => crate::cloudwatch::MetricAlarm,
    "cloudwatch": stackwright_aws::logs::LogGroup => crate::cloudwatch::LogGroup,
    "cloudwatch": stackwright_aws::events::EventBus => crate::cloudwatch::EventBus,
    "cloudwatch": stackwright_aws::events::Rule => crate::cloudwatch::EventRule,
    "dynamodb": stackwright_aws::dynamodb::Table => crate::dynamodb::Table,
    "ec2": stackwright_aws::ec2::ElasticIp => crate::ec2::Eip,
    "ec2": stackwright_aws::ec2::Instance => crate::ec2::Instance,
    "ec2": stackwright_aws::ec2::LaunchTemplate => crate::ec2::LaunchTemplate,
    "ec2": stackwright_aws::ec2::Volume => crate::ec2::EbsVolume,
    "ecr": stackwright_aws::ecr::Repository => crate::ecr::Repository,
    "ecs": stackwright_aws::ecs::Cluster => crate::ecs::Cluster,
    "ecs": stackwright_aws::ecs::FargateService => crate::ecs::Service,
    "ecs": stackwright_aws::ecs::FargateTaskDefinition => crate::ecs::TaskDefinition,
    "iam": stackwright_aws::iam::InstanceProfile => crate::iam::InstanceProfile,
    "iam": stackwright_aws::iam::ManagedPolicy => crate::iam::Policy,
    "iam": stackwright_aws::iam::Role => crate::iam::Role,
    "iam": stackwright_aws::iam::RolePolicy => crate::iam::RolePolicy,
    "kms": stackwright_aws::kms::Alias => crate::kms::Alias,
    "kms": stackwright_aws::kms::Key => crate::kms::Key,
    "lambda": stackwright_aws::lambda::Alias => crate::lambda::Alias,
    "lambda": stackwright_aws::lambda::Function => crate::lambda::Function,
    "lambda": stackwright_aws::lambda::FunctionUrl => crate::lambda::FunctionUrl,
    "lambda": stackwright_aws::lambda::QueueEventSource => crate::lambda::EventSourceMapping,
    "lb": stackwright_aws::elbv2::Listener => crate::lb::Listener,
    "lb": stackwright_aws::elbv2::ListenerRule => crate::lb::ListenerRule,
    "lb": stackwright_aws::elbv2::LoadBalancer => crate::lb::Lb,
    "lb": stackwright_aws::service::ReplicatedService => crate::lb::Lb,
    "lb": stackwright_aws::elbv2::TargetGroup => crate::lb::TargetGroup,
    "rds": stackwright_aws::rds::DbInstance => crate::rds::DbInstance,
    "rds": stackwright_aws::rds::DbSubnetGroup => crate::rds::DbSubnetGroup,
    "route53": stackwright_aws::route53::HostedZone => crate::route53::Zone,
    "route53": stackwright_aws::route53::Record => crate::route53::Record,
    "s3": stackwright_aws::s3::Bucket => crate::s3::Bucket,
    "scheduler": stackwright_aws::scheduler::Schedule => crate::scheduler::Schedule,
    "secretsmanager": stackwright_aws::secretsmanager::Secret => crate::secretsmanager::Secret,
    "sns": stackwright_aws::sns::Subscription => crate::sns::TopicSubscription,
    "sns": stackwright_aws::sns::Topic => crate::sns::Topic,
    "sqs": stackwright_aws::sqs::Queue => crate::sqs::Queue,
    "ssm": stackwright_aws::ssm::Parameter => crate::ssm::Parameter,
    "vpc": stackwright_aws::ec2::FlowLog => crate::vpc::FlowLog,
    "vpc": stackwright_aws::ec2::VpcFlowLogs => crate::vpc::FlowLog,
    "vpc": stackwright_aws::ec2::InternetGateway => crate::vpc::InternetGateway,
    "vpc": stackwright_aws::ec2::NatGateway => crate::vpc::NatGateway,
    "vpc": stackwright_aws::ec2::Route => crate::vpc::Route,
    "vpc": stackwright_aws::ec2::RouteTable => crate::vpc::RouteTable,
    "vpc": stackwright_aws::ec2::SecurityGroup => crate::vpc::SecurityGroup,
    "vpc": stackwright_aws::ec2::SecurityGroupIngress => crate::vpc::SecurityGroupIngressRule,
    "vpc": stackwright_aws::ec2::SecurityGroupEgress => crate::vpc::SecurityGroupEgressRule,
    "vpc": stackwright_aws::ec2::Subnet => crate::vpc::Subnet,
    "vpc": stackwright_aws::ec2::SubnetRouteTableAssociation => crate::vpc::RouteTableAssociation,
    "vpc": stackwright_aws::ec2::Vpc => crate::vpc::Vpc,
    "vpc": stackwright_aws::ec2::VpcNetwork => crate::vpc::Vpc,
    "vpc": stackwright_aws::ec2::VpcEndpoint => crate::vpc::Endpoint,
}
