//! The web app of `examples/web-app`, cut into four stacks per environment that pass typed handles to
//! each other, as teams split infrastructure that changes at different paces:
//!
//! - `network`: the VPC, its subnets, routes and NAT gateways, the tiers' security groups, and the
//!   environment's data key (which the flow logs already use);
//! - `data`: the PostgreSQL database, the assets bucket and the app's log group, in the network's data
//!   subnets, encrypted with the network's key;
//! - `edge`: the hosted zone, certificate and load balancer in the network's public subnets;
//! - `service`: the app's auto scaling group in the network's app subnets, registered with the edge's
//!   target group, reading the data stack's bucket, database secret and logs.
//!
//! plus a `shared` environment (a shared-services account, in `us-east-1`) whose `releases` stack holds
//! the bucket that every environment's releases are published to; each `service` stack reads its name
//! across account and region (CloudFormation `Fn::GetStackOutput` with a role; Terraform the shared
//! module's remote state) and publishes it in an SSM parameter for the deploy tooling.
//!
//! Each stack's function returns what later stacks use; every handle used in another stack becomes an
//! export and an import (CloudFormation `Export`/`Fn::ImportValue`, Terraform `output` and
//! `terraform_remote_state`), and `list` deploys `network` first, `data` and `edge` next, `service` last.

use stackwright::aws::{kms, remote, s3, ssm};
use stackwright::prelude::*;
use stackwright::tags;
use web_app::{app_tier, data, edge, network, WebConfig};

/// What the network stack gives the others.
pub struct Network {
    pub key: kms::KeyHandle,
    pub net: network::Network,
    pub groups: network::SecurityGroups,
}

/// The shared-services environment: its account and region, and the role other accounts assume to
/// read its stacks' outputs (`cloudformation:DescribeStacks` on them).
pub const SHARED_ACCOUNT: &str = "555555555555";
pub const SHARED_REGION: &str = "us-east-1";
pub const SHARED_READER_ROLE: &str = "arn:aws:iam::555555555555:role/shop-read-shared-outputs";

/// The shared-services environment; its config is the first environment's (it uses none of it).
pub fn shared(config: WebConfig) -> Environment<WebConfig> {
    Environment::new("shared", SHARED_ACCOUNT, SHARED_REGION, config).tag("stage", "shared")
}

/// The app with the given environments (and [`shared`] first); [`app`] uses the web app's two.
pub fn app_with(environments: Vec<Environment<WebConfig>>) -> App<WebConfig> {
    let shared = environments.first().map(|e| shared(e.config().clone()));
    shared
        .into_iter()
        .chain(environments)
        .fold(
            App::new("shop")
                .tag(tags::OWNER, "web-platform")
                .tag(tags::COST_CENTER, "cc-2024"),
            App::environment,
        )
        .stacks(stacks)
}

pub fn app() -> App<WebConfig> {
    app_with(web_app::environments())
}

/// The four stacks of one environment, each given what the earlier ones return; the shared environment
/// has its one stack.
pub fn stacks(stacks: &mut Stacks, env: &Environment<WebConfig>) {
    if env.name() == "shared" {
        stacks.stack("releases", |stack| {
            let bucket = stack.add(s3::Bucket::new("Releases"));
            stack
                .output("BucketName", bucket.name())
                .description("where every environment's releases are published");
        });
        return;
    }
    let network = stacks.stack("network", |stack| network_stack(stack, env));
    let data = stacks.stack("data", |stack| {
        data::declare(stack, env, &network.net, &network.groups, &network.key)
    });
    let edge = stacks.stack("edge", |stack| {
        edge::declare(stack, env, &network.net, &network.groups)
    });
    stacks.stack("service", |stack| {
        app_tier::declare(stack, env, &network.net, &network.groups, &data, &edge);
        stack
            .output(
                "SiteUrl",
                interpolate!["https://", env.config().domain.as_str()],
            )
            .description("where the app answers");
        stack
            .output("AssetsBucketName", data.assets.name())
            .description("upload releases to releases/webapp-<version>.tar.gz");
        // Across account and region, explicitly: the shared environment's release bucket.
        let releases = stack.add(
            remote::StackOutput::new("SharedReleases", "shared", "releases", "BucketName")
                .role_arn(SHARED_READER_ROLE),
        );
        let bucket = stack.add(s3::Bucket::from_name("ReleasesBucket", releases.value()));
        stack.add(
            ssm::Parameter::string(
                "ReleasesBucketParameter",
                format!("/shop/{}/releases-bucket", env.name()),
                bucket.name(),
            )
            .description("the shared bucket this environment's releases come from"),
        );
    });
}

fn network_stack(stack: &mut Stack, env: &Environment<WebConfig>) -> Network {
    let key = stack.add(
        kms::Key::new("DataKey")
            .description(format!(
                "shop {}: database, assets bucket and logs",
                env.name()
            ))
            .allow_cloudwatch_logs(),
    );
    let net = network::declare(stack, env.config(), env.name(), &key);
    let groups = network::security_groups(stack, &net.vpc);
    Network { key, net, groups }
}
