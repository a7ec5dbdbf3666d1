//! A three-tier web app in two environments (accounts and regions) from one definition:
//!
//! - edge: a Route 53 zone for the site's domain, an ACM certificate validated in it, and an alias
//!   record to an internet-facing application load balancer that serves HTTPS and redirects HTTP;
//! - app: an auto scaling group of Amazon Linux 2023 instances in private subnets, started from a launch
//!   template whose user data (`templates/web-app/user-data.sh.tera`) installs a release from the assets
//!   bucket and configures it with the bucket, database and log group of its environment;
//! - data: PostgreSQL on RDS in subnets without a route out, reachable only from the app tier, its
//!   master password generated and kept by RDS in Secrets Manager; an S3 bucket for assets;
//!
//! plus NAT gateways for the app tier's egress, VPC flow logs, an app log group, CPU target tracking for
//! the fleet and two alarms. Database, bucket and logs are encrypted with one customer managed key per
//! environment.

pub mod app_tier;
pub mod config;
pub mod data;
pub mod edge;
pub mod network;

pub use config::{AppTier, Database, WebConfig};

use stackwright::aws::kms;
use stackwright::prelude::*;
use stackwright::tags;

/// The port the app listens on, behind the load balancer.
pub const APP_PORT: u16 = 8080;
/// The path the load balancer checks each instance's health on.
pub const HEALTH_CHECK_PATH: &str = "/healthz";
pub const POSTGRES_PORT: u16 = 5432;
pub const POSTGRES_VERSION: &str = "16.9";
/// The database created with the instance, which the app uses.
pub const DATABASE_NAME: &str = "webapp";

/// Staging in Ireland and production in North Virginia, in accounts of their own.
pub fn environments() -> Vec<Environment<WebConfig>> {
    vec![
        Environment::new(
            "staging",
            "333333333333",
            "eu-west-1",
            WebConfig {
                domain: "staging.webapp.example.com".into(),
                zones: ["eu-west-1a".into(), "eu-west-1b".into()],
                nat_gateway_per_zone: false,
                app: AppTier {
                    instance_type: "t3.small".into(),
                    min_size: 1,
                    max_size: 2,
                    desired_capacity: 1,
                    target_cpu_percent: 70,
                    release: "2.4.0".into(),
                },
                database: Database {
                    instance_class: "db.t4g.micro".into(),
                    storage_gib: 20,
                    max_storage_gib: 50,
                    multi_az: false,
                    backup_retention_days: 7,
                },
                log_retention_days: 30,
                max_5xx_per_minute: 20.0,
            },
        )
        .tag("stage", "staging"),
        Environment::new(
            "production",
            "444444444444",
            "us-east-1",
            WebConfig {
                domain: "webapp.example.com".into(),
                zones: ["us-east-1a".into(), "us-east-1b".into()],
                nat_gateway_per_zone: true,
                app: AppTier {
                    instance_type: "m6i.large".into(),
                    min_size: 2,
                    max_size: 6,
                    desired_capacity: 3,
                    target_cpu_percent: 50,
                    release: "2.3.1".into(),
                },
                database: Database {
                    instance_class: "db.m6g.large".into(),
                    storage_gib: 100,
                    max_storage_gib: 500,
                    multi_az: true,
                    backup_retention_days: 14,
                },
                log_retention_days: 365,
                max_5xx_per_minute: 10.0,
            },
        )
        .tag("stage", "production"),
    ]
}

/// The app with the given environments; [`app`] uses [`environments`].
pub fn app_with(environments: Vec<Environment<WebConfig>>) -> App<WebConfig> {
    app_of(environments).stack("web", web)
}

/// The app's name, tags and environments, without stacks.
fn app_of(environments: Vec<Environment<WebConfig>>) -> App<WebConfig> {
    environments.into_iter().fold(
        App::new("webapp")
            .tag(tags::OWNER, "web-platform")
            .tag(tags::COST_CENTER, "cc-2024"),
        App::environment,
    )
}

pub fn app() -> App<WebConfig> {
    app_with(environments())
}

/// The web app with its network declared by the network construct (`ec2::VpcNetwork`, see
/// [`network::declare_with_construct`]) rather than by hand, plus a gateway endpoint to S3 for the
/// assets bucket; a cargo example target (`web-app-vpc-network`), snapshot under
/// `snapshots/web-app-vpc-network/`.
pub fn vpc_network_app() -> App<WebConfig> {
    app_of(environments()).stack("web", |stack, env| {
        web_with(stack, env, network::declare_with_construct)
    })
}

/// Declares a network of one environment, its flow logs encrypted with the key.
type DeclareNetwork = fn(&mut Stack, &WebConfig, &str, &kms::KeyHandle) -> network::Network;

/// The web app stack, run once per environment: network, data, edge, then the app tier that uses them.
pub fn web(stack: &mut Stack, env: &Environment<WebConfig>) {
    web_with(stack, env, network::declare)
}

/// [`web`] with the network from `declare_network`.
fn web_with(stack: &mut Stack, env: &Environment<WebConfig>, declare_network: DeclareNetwork) {
    // One key for the environment's data at rest: database (and its master password), assets, logs.
    let key = stack.add(
        kms::Key::new("DataKey")
            .description(format!(
                "webapp {}: database, assets bucket and logs",
                env.name()
            ))
            .allow_cloudwatch_logs(),
    );
    let net = declare_network(stack, env.config(), env.name(), &key);
    let groups = network::security_groups(stack, &net.vpc);
    let data = data::declare(stack, env, &net, &groups, &key);
    let edge = edge::declare(stack, env, &net, &groups);
    app_tier::declare(stack, env, &net, &groups, &data, &edge);

    let domain = env.config().domain.as_str();
    let outputs = [
        (
            "SiteUrl",
            interpolate!["https://", domain],
            "where the app answers",
        ),
        (
            "LoadBalancerDnsName",
            edge.load_balancer.dns_name(),
            "the load balancer's own name, which the site record aliases",
        ),
        (
            "ZoneId",
            edge.zone.id(),
            "the hosted zone the parent domain delegates to",
        ),
        (
            "AssetsBucketName",
            data.assets.name(),
            "upload releases to releases/webapp-<version>.tar.gz",
        ),
        (
            "DatabaseSecretArn",
            data.database.master_user_secret_arn(),
            "the secret holding the database master credentials (read it, never copy it)",
        ),
    ];
    for (id, value, description) in outputs {
        stack.output(id, value).description(description);
    }
}
