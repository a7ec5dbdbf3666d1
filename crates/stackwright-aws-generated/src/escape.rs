//! The typed escape from a hand-written construct (`stackwright_aws`) to the registry builder of its main
//! resource, for CloudFormation: `.cloudformation(|t| ..)` sets what the construct has no setter for with
//! that builder's typed setters, and the construct keeps every default it writes.
//!
//! Hand-written, not generated: one line per construct below, gated by the feature of the registry
//! service that holds the builder.

use stackwright_aws::construct::{Patchable, Spelling};

/// A construct's escape to the registry builder of its main resource, for its CloudFormation resource
/// only.
///
/// The closure gets an empty builder of that type (no id, no required properties: `new`'s arguments have
/// setters too) and returns it with the properties to add. They are merged over the construct's own
/// properties when it is declared: an object merges by key, so the construct's defaults beside a patched
/// key stay (IMDSv2's `HttpTokens: required` beside a patched `HttpPutResponseHopLimit`); anything else
/// replaces the construct's value, lists whole. The result is validated with the template like any
/// resource, and a value the builder's setter does not take is a compile error:
///
/// ```
/// use stackwright_aws::sqs::Queue;
/// use stackwright_aws_generated::CloudFormationEscape;
///
/// // The hand-written queue (encrypted, its retention checked) has no setter for a delivery delay.
/// let queue = Queue::new("Orders").cloudformation(|t| t.delay_seconds(5));
/// ```
///
/// ```compile_fail,E0308
/// use stackwright_aws::sqs::Queue;
/// use stackwright_aws_generated::CloudFormationEscape;
///
/// // The delay is a number of seconds.
/// let queue = Queue::new("Orders").cloudformation(|t| t.delay_seconds("five"));
/// ```
///
/// With `ec2`, a launch template's key pair and hop limit, its IMDSv2 requirement kept:
/// `LaunchTemplate::new(..).cloudformation(|t| t.launch_template_data(LaunchTemplateData::new().key_name("ops")
/// .metadata_options(MetadataOptions::new().http_put_response_hop_limit(2))))`.
///
/// Inside the closure only properties count: a tag, a dependency or an override set there is an error
/// that says to set it on the construct. Composites escape to their main resource: `lambda::Function`
/// to the function, `ec2::VpcNetwork` to the VPC, `ec2::VpcFlowLogs` to the flow log,
/// `service::ReplicatedService` to the load balancer, `apigatewayv2::HttpApi` to the API,
/// `apigatewayv2::CustomDomain` to the domain name, `lambda::QueueEventSource` to the event source
/// mapping.
pub trait CloudFormationEscape: Patchable {
    /// The registry builder of the construct's main resource.
    type Builder;

    /// Adds the properties `patch` sets on an empty [`Self::Builder`] to the construct's CloudFormation
    /// resource.
    fn cloudformation(self, patch: impl FnOnce(Self::Builder) -> Self::Builder) -> Self;
}

/// One line per construct: `"<feature>": <construct> => <registry builder>,`.
macro_rules! escapes {
    ($($feature:literal: $construct:ty => $builder:ty,)*) => {
        $(
            #[cfg(feature = $feature)]
            impl CloudFormationEscape for $construct {
                type Builder = $builder;

                fn cloudformation(self, patch: impl FnOnce($builder) -> $builder) -> Self {
                    let (entries, problems) = patch(<$builder>::__patch()).__into_patch();
                    self.patch(stackwright_core::Target::CloudFormation, entries, problems)
                }
            }
        )*

        /// Every escape the enabled features give: the spelling of the construct's main resource and the
        /// CloudFormation type of the builder it escapes to (for the test that every construct has one).
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
    "certificatemanager": stackwright_aws::acm::Certificate => crate::certificatemanager::Certificate,
    "apigateway": stackwright_aws::apigateway::RestApi => crate::apigateway::RestApi,
    "apigatewayv2": stackwright_aws::apigatewayv2::HttpApi => crate::apigatewayv2::Api,
    "apigatewayv2": stackwright_aws::apigatewayv2::CustomDomain => crate::apigatewayv2::DomainName,
    "autoscaling": stackwright_aws::autoscaling::AutoScalingGroup => crate::autoscaling::AutoScalingGroup,
    "autoscaling": stackwright_aws::autoscaling::ScalingPolicy => crate::autoscaling::ScalingPolicy,
    "autoscaling": stackwright_aws::autoscaling::ScheduledAction => crate::autoscaling::ScheduledAction,
    "cloudwatch": stackwright_aws::cloudwatch::Alarm => crate::cloudwatch::Alarm,
    "dynamodb": stackwright_aws::dynamodb::Table => crate::dynamodb::Table,
    "ec2": stackwright_aws::ec2::ElasticIp => crate::ec2::Eip,
    "ec2": stackwright_aws::ec2::FlowLog => crate::ec2::FlowLog,
    "ec2": stackwright_aws::ec2::VpcFlowLogs => crate::ec2::FlowLog,
    "ec2": stackwright_aws::ec2::Instance => crate::ec2::Instance,
    "ec2": stackwright_aws::ec2::InternetGateway => crate::ec2::InternetGateway,
    "ec2": stackwright_aws::ec2::LaunchTemplate => crate::ec2::LaunchTemplate,
    "ec2": stackwright_aws::ec2::NatGateway => crate::ec2::NatGateway,
    "ec2": stackwright_aws::ec2::Route => crate::ec2::Route,
    "ec2": stackwright_aws::ec2::RouteTable => crate::ec2::RouteTable,
    "ec2": stackwright_aws::ec2::SecurityGroup => crate::ec2::SecurityGroup,
    "ec2": stackwright_aws::ec2::SecurityGroupIngress => crate::ec2::SecurityGroupIngress,
    "ec2": stackwright_aws::ec2::SecurityGroupEgress => crate::ec2::SecurityGroupEgress,
    "ec2": stackwright_aws::ec2::Subnet => crate::ec2::Subnet,
    "ec2": stackwright_aws::ec2::SubnetRouteTableAssociation => crate::ec2::SubnetRouteTableAssociation,
    "ec2": stackwright_aws::ec2::Volume => crate::ec2::Volume,
    "ec2": stackwright_aws::ec2::Vpc => crate::ec2::Vpc,
    "ec2": stackwright_aws::ec2::VpcNetwork => crate::ec2::Vpc,
    "ec2": stackwright_aws::ec2::VpcEndpoint => crate::ec2::VpcEndpoint,
    "ecr": stackwright_aws::ecr::Repository => crate::ecr::Repository,
    "ecs": stackwright_aws::ecs::Cluster => crate::ecs::Cluster,
    "ecs": stackwright_aws::ecs::FargateService => crate::ecs::Service,
    "ecs": stackwright_aws::ecs::FargateTaskDefinition => crate::ecs::TaskDefinition,
    "events": stackwright_aws::events::EventBus => crate::events::EventBus,
    "events": stackwright_aws::events::Rule => crate::events::Rule,
    "elasticloadbalancingv2": stackwright_aws::elbv2::Listener => crate::elasticloadbalancingv2::Listener,
    "elasticloadbalancingv2": stackwright_aws::elbv2::ListenerRule => crate::elasticloadbalancingv2::ListenerRule,
    "elasticloadbalancingv2": stackwright_aws::elbv2::LoadBalancer => crate::elasticloadbalancingv2::LoadBalancer,
    "elasticloadbalancingv2": stackwright_aws::service::ReplicatedService => crate::elasticloadbalancingv2::LoadBalancer,
    "elasticloadbalancingv2": stackwright_aws::elbv2::TargetGroup => crate::elasticloadbalancingv2::TargetGroup,
    "iam": stackwright_aws::iam::InstanceProfile => crate::iam::InstanceProfile,
    "iam": stackwright_aws::iam::ManagedPolicy => crate::iam::ManagedPolicy,
    "iam": stackwright_aws::iam::Role => crate::iam::Role,
    "iam": stackwright_aws::iam::RolePolicy => crate::iam::Policy,
    "kms": stackwright_aws::kms::Alias => crate::kms::Alias,
    "kms": stackwright_aws::kms::Key => crate::kms::Key,
    "lambda": stackwright_aws::lambda::Alias => crate::lambda::Alias,
    "lambda": stackwright_aws::lambda::Function => crate::lambda::Function,
    "lambda": stackwright_aws::lambda::FunctionUrl => crate::lambda::Url,
    "lambda": stackwright_aws::lambda::QueueEventSource => crate::lambda::EventSourceMapping,
    "logs": stackwright_aws::logs::LogGroup => crate::logs::LogGroup,
    "rds": stackwright_aws::rds::DbInstance => crate::rds::DbInstance,
    "rds": stackwright_aws::rds::DbSubnetGroup => crate::rds::DbSubnetGroup,
    "route53": stackwright_aws::route53::HostedZone => crate::route53::HostedZone,
    "route53": stackwright_aws::route53::Record => crate::route53::RecordSet,
    "s3": stackwright_aws::s3::Bucket => crate::s3::Bucket,
    "scheduler": stackwright_aws::scheduler::Schedule => crate::scheduler::Schedule,
    "secretsmanager": stackwright_aws::secretsmanager::Secret => crate::secretsmanager::Secret,
    "sns": stackwright_aws::sns::Subscription => crate::sns::Subscription,
    "sns": stackwright_aws::sns::Topic => crate::sns::Topic,
    "sqs": stackwright_aws::sqs::Queue => crate::sqs::Queue,
    "ssm": stackwright_aws::ssm::Parameter => crate::ssm::Parameter,
}
