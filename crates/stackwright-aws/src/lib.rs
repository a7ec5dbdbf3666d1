//! Typed, target-neutral builders for AWS resources.
//!
//! Required properties are `new(...)` arguments, so a missing one is a compile error; optional ones are
//! by-value setters. Adding a builder to a [`Stack`](stackwright_core::Stack) returns a typed handle whose
//! methods (`vpc.id()`, `instance.private_ip()`) are references that each target lowers to its own syntax.
//!
//! Builders check their own input (CIDR syntax, ranges) and record problems on the resource, so that all
//! problems of an app are reported together with the line that declared them.
//!
//! Architecture invariant: builders produce neutral [`Resource`](stackwright_core::Resource) nodes. A
//! construct (listed in `constructs!` below) spells itself in each target in its own file
//! ([`construct`]), and both targets lower it generically. Every hand-written kind is one: the target
//! crates keep per-kind code only for the engine's own kinds (escape hatches, generated nodes, assets,
//! lookups), which a test in `construct` holds them to.

mod arn;
mod check;
pub mod cidr;
pub mod construct;
mod existing;
pub mod findings;
mod handle;
pub mod kinds;
pub mod naming;
pub mod raw;
pub mod registry;
pub mod remote;
pub mod service;

/// Declares each construct's module and lists its spellings (`construct::Spelling`), which the targets
/// look kinds up in: adding a construct is its file and one line here.
macro_rules! constructs {
    ($($module:ident: [$($spelling:ident),* $(,)?],)*) => {
        $(pub mod $module;)*
        /// Every construct's spelling, for [`construct::spelling`].
        static SPELLINGS: &[&construct::Spelling] = &[$($(&$module::$spelling,)*)*];
    };
}

constructs! {
    acm: [CERTIFICATE],
    apigateway: [REST_API, RESOURCE, METHOD, DEPLOYMENT, STAGE],
    apigatewayv2: [API, STAGE, INTEGRATION, ROUTE, DOMAIN_NAME, API_MAPPING],
    autoscaling: [AUTO_SCALING_GROUP, SCALING_POLICY, SCHEDULED_ACTION],
    cloudwatch: [ALARM],
    dynamodb: [TABLE],
    ec2: [
        ELASTIC_IP,
        FLOW_LOG,
        INSTANCE,
        INTERNET_GATEWAY,
        LAUNCH_TEMPLATE,
        NAT_GATEWAY,
        ROUTE,
        ROUTE_TABLE,
        SECURITY_GROUP,
        SECURITY_GROUP_EGRESS,
        SECURITY_GROUP_INGRESS,
        SUBNET,
        SUBNET_ROUTE_TABLE_ASSOCIATION,
        VOLUME,
        VPC,
        VPC_ENDPOINT,
    ],
    ecr: [REPOSITORY],
    ecs: [CLUSTER, TASK_DEFINITION, SERVICE, SCALABLE_TARGET, APP_SCALING_POLICY],
    elbv2: [LOAD_BALANCER, TARGET_GROUP, LISTENER, LISTENER_RULE],
    events: [EVENT_BUS, RULE],
    iam: [ROLE, ROLE_POLICY, MANAGED_POLICY, INSTANCE_PROFILE],
    kms: [KEY, ALIAS],
    lambda: [FUNCTION, EVENT_SOURCE_MAPPING, PERMISSION, URL, VERSION, ALIAS],
    logs: [LOG_GROUP],
    rds: [DB_SUBNET_GROUP, DB_INSTANCE],
    route53: [HOSTED_ZONE, RECORD],
    s3: [BUCKET],
    scheduler: [SCHEDULE],
    secretsmanager: [SECRET],
    sns: [TOPIC, SUBSCRIPTION, TOPIC_POLICY],
    sqs: [QUEUE, QUEUE_POLICY],
    ssm: [PARAMETER],
}

pub use existing::Existing;
pub use handle::Handle;
