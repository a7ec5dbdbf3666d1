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
//! plus NAT gateways for the app tier's egress, VPC flow logs, an app log group and two alarms. Database,
//! bucket and logs are encrypted with one customer managed key per environment.

pub mod config;
pub mod network;

pub use config::{AppTier, Database, WebConfig};

use stackwright::aws::autoscaling::AutoScalingGroup;
use stackwright::aws::cloudwatch::{Alarm, Comparison, Metric, Statistic, TreatMissingData};
use stackwright::aws::ec2::{self, Peer, Port};
use stackwright::aws::elbv2::{self, Action, HealthCheck, Protocol, Scheme};
use stackwright::aws::rds::{self, Engine};
use stackwright::aws::route53::{self, AliasTarget, RecordType};
use stackwright::aws::{acm, iam, kms, logs, s3, ssm};
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
    environments
        .into_iter()
        .fold(
            App::new("webapp")
                .tag(tags::OWNER, "web-platform")
                .tag(tags::COST_CENTER, "cc-2024"),
            App::environment,
        )
        .stack("web", web)
}

pub fn app() -> App<WebConfig> {
    app_with(environments())
}

/// The security groups of the three tiers, each open only to the tier in front of it.
struct SecurityGroups {
    load_balancer: ec2::SecurityGroupHandle,
    app: ec2::SecurityGroupHandle,
    database: ec2::SecurityGroupHandle,
}

/// A group references the group in front of it (the app's admits the load balancer's); the way back
/// goes to the tier's subnets, as two groups cannot reference each other.
fn security_groups(stack: &mut Stack, vpc: &ec2::VpcHandle) -> SecurityGroups {
    let load_balancer = ec2::SecurityGroup::new(
        "LoadBalancerSecurityGroup",
        vpc,
        "webapp load balancer: HTTPS and HTTP in, the app port out",
    )
    .allow_ingress(Peer::any_ipv4(), Port::tcp(443), "HTTPS from anywhere")
    .allow_ingress(
        Peer::any_ipv4(),
        Port::tcp(80),
        "HTTP from anywhere, redirected to HTTPS",
    )
    .accept_finding(
        "CKV_AWS_260",
        "port 80 is open only for the listener that redirects every request to HTTPS",
    );
    let load_balancer = stack.add(allow_egress_to_subnets(
        load_balancer,
        &network::APP_SUBNETS,
        APP_PORT,
        "the app instances",
    ));

    let app = ec2::SecurityGroup::new(
        "AppSecurityGroup",
        vpc,
        "webapp instances: the app port from the load balancer",
    )
    .allow_ingress(
        Peer::security_group(&load_balancer),
        Port::tcp(APP_PORT),
        "from the load balancer",
    )
    .allow_egress(
        Peer::any_ipv4(),
        Port::tcp(443),
        "HTTPS to AWS APIs and package repositories, through NAT",
    );
    let app = stack.add(allow_egress_to_subnets(
        app,
        &network::DATA_SUBNETS,
        POSTGRES_PORT,
        "PostgreSQL",
    ));

    let database = stack.add(
        ec2::SecurityGroup::new(
            "DatabaseSecurityGroup",
            vpc,
            "webapp database: PostgreSQL from the app instances only",
        )
        .allow_ingress(
            Peer::security_group(&app),
            Port::tcp(POSTGRES_PORT),
            "PostgreSQL from the app instances",
        ),
    );
    SecurityGroups {
        load_balancer,
        app,
        database,
    }
}

/// Opens `port` towards each of a tier's subnets (`what` is there, e.g. `PostgreSQL`).
fn allow_egress_to_subnets(
    group: ec2::SecurityGroup,
    subnets: &[&str],
    port: u16,
    what: &str,
) -> ec2::SecurityGroup {
    subnets.iter().fold(group, |group, cidr| {
        group.allow_egress(
            Peer::ipv4(*cidr),
            Port::tcp(port),
            format!("{what} in {cidr}"),
        )
    })
}

/// The web app stack, run once per environment.
pub fn web(stack: &mut Stack, env: &Environment<WebConfig>) {
    let config = env.config();
    // One key for the environment's data at rest: database (and its master password), assets, logs.
    let key = stack.add(
        kms::Key::new("DataKey")
            .description(format!(
                "webapp {}: database, assets bucket and logs",
                env.name()
            ))
            .allow_cloudwatch_logs(),
    );
    let net = network::declare(stack, config, env.name(), &key);
    let groups = security_groups(stack, &net.vpc);

    // Data tier.
    let database_subnets = stack.add(rds::DbSubnetGroup::new(
        "DatabaseSubnets",
        "webapp database: the data subnets, which have no route out",
        &[&net.data[0], &net.data[1]],
    ));
    let monitoring = stack.add(
        iam::Role::for_service("DatabaseMonitoringRole", "monitoring.rds.amazonaws.com")
            .managed_policy(format!(
                "arn:{}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
                env.partition()
            )),
    );
    let db = &config.database;
    let database = stack.add(
        rds::DbInstance::new(
            "Database",
            Engine::Postgres,
            &db.instance_class,
            &database_subnets,
        )
        .engine_version(POSTGRES_VERSION)
        .database_name(DATABASE_NAME)
        .allocated_storage_gib(db.storage_gib)
        .max_allocated_storage_gib(db.max_storage_gib)
        .multi_az(db.multi_az)
        .backup_retention_days(db.backup_retention_days)
        .encryption_key(&key)
        .security_group(&groups.database)
        .performance_insights(7)
        .enhanced_monitoring(60, &monitoring),
    );
    let assets = stack.add(
        s3::Bucket::new("Assets")
            .encryption_key(&key)
            .noncurrent_version_expiration_days(90),
    );
    let mut app_logs = logs::LogGroup::new("AppLogs")
        .retention_days(config.log_retention_days)
        .encryption_key(&key);
    if config.log_retention_days < 365 {
        app_logs = app_logs.accept_finding(
            "CKV_AWS_338",
            "a pre-production environment: its app logs are worth days, not a year of storage",
        );
    }
    let app_logs = stack.add(app_logs);

    // App tier: what the instances may do is what their role grants, each grant scoped to one resource.
    let role = stack.add(
        iam::Role::for_service("AppRole", "ec2.amazonaws.com")
            .description("webapp instances: read assets and the database secret, write logs")
            // Operators reach the instances through Session Manager, not SSH.
            .managed_policy(format!(
                "arn:{}:iam::aws:policy/AmazonSSMManagedInstanceCore",
                env.partition()
            )),
    );
    let grants = [
        stack.add(assets.grant_read(&role)),
        stack.add(database.grant_read_master_user_secret(&role)),
        stack.add(app_logs.grant_write(&role)),
    ];
    let profile = stack.add(iam::InstanceProfile::new("AppProfile", &role));
    let ami = stack.add(ssm::ParameterLookup::image_id(
        "AmiId",
        ec2::AMAZON_LINUX_2023_AMI_PARAMETER,
    ));
    // Rendered once per environment; the references become the deployed names and addresses.
    let user_data = include_template!("../../../templates/web-app/user-data.sh.tera")
        .with_env(env)
        .value("port", APP_PORT)
        .value("health_check_path", HEALTH_CHECK_PATH)
        .value("database_name", DATABASE_NAME)
        .reference("assets_bucket", assets.name())
        .reference("db_host", database.address())
        .reference("db_port", database.port())
        .reference("db_secret_arn", database.master_user_secret_arn())
        .reference("log_group", app_logs.name())
        .render(stack);
    let launch_template = stack.add(
        ec2::LaunchTemplate::new("AppLaunchTemplate", ami.value(), &config.app.instance_type)
            .security_group(&groups.app)
            .instance_profile_arn(profile.arn())
            .user_data(user_data),
    );

    // Edge.
    let zone = stack.add(
        route53::HostedZone::new("Zone", &config.domain)
            .comment(&format!("webapp {}", env.name()))
            .accept_finding(
                "CKV2_AWS_38",
                "DNSSEC signing needs an asymmetric KMS key in us-east-1 and a key-signing key, \
                 which the catalog does not offer yet",
            )
            .accept_finding(
                "CKV2_AWS_39",
                "query logging needs a log group in us-east-1 with a resource policy for Route 53, \
                 which the catalog does not offer yet",
            ),
    );
    let certificate = stack.add(acm::Certificate::dns_validated(
        "Certificate",
        &config.domain,
        &zone,
    ));
    let load_balancer = stack.add(
        elbv2::LoadBalancer::application(
            "LoadBalancer",
            Scheme::InternetFacing,
            &net.public,
            [&groups.load_balancer],
        )
        .accept_finding(
            "CKV2_AWS_28",
            "a WAF web ACL is outside the catalog; the load balancer drops invalid headers and \
             forwards only to the app port",
        )
        .accept_finding(
            "CKV_AWS_91",
            "no access log bucket yet: it needs a policy admitting the region's load balancer log \
             delivery account; requests are visible in the app's log group",
        ),
    );
    let targets = stack.add(
        elbv2::TargetGroup::new("AppTargets", Protocol::Http, APP_PORT, &net.vpc)
            .health_check(HealthCheck::http(HEALTH_CHECK_PATH))
            .deregistration_delay_seconds(30),
    );
    let https = stack.add(elbv2::Listener::https(
        "HttpsListener",
        &load_balancer,
        443,
        certificate.arn(),
        Action::forward(&targets),
    ));
    stack.add(elbv2::Listener::redirect_http_to_https(
        "HttpListener",
        &load_balancer,
    ));
    stack.add(route53::Record::alias(
        "SiteRecord",
        &zone,
        &config.domain,
        RecordType::A,
        AliasTarget::load_balancer(&load_balancer),
    ));

    let app = &config.app;
    let mut fleet = AutoScalingGroup::new(
        "AppFleet",
        &launch_template,
        &net.app,
        app.min_size,
        app.max_size,
    )
    .desired_capacity(app.desired_capacity)
    .target_group(&targets)
    // A target group takes instances only once a listener forwards to it.
    .depends_on(&https);
    // First boot downloads the release and reads the secret: the routes out and the grants come first.
    for route in &net.egress {
        fleet = fleet.depends_on(route);
    }
    for grant in &grants {
        fleet = fleet.depends_on(grant);
    }
    let fleet = stack.add(fleet);

    // Alarms (on the console; add `.alarm_action(topic_arn)` to page someone).
    stack.add(
        Alarm::new(
            "App5xxAlarm",
            Metric::new("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count")
                .dimension("LoadBalancer", load_balancer.full_name())
                .dimension("TargetGroup", targets.full_name())
                .statistic(Statistic::Sum)
                .period_seconds(60),
            Comparison::GreaterThanThreshold,
            config.max_5xx_per_minute,
            5,
        )
        .description("the app answers more requests with 5xx than usual")
        .treat_missing_data(TreatMissingData::NotBreaching),
    );
    stack.add(
        Alarm::new(
            "AppCpuAlarm",
            Metric::new("AWS/EC2", "CPUUtilization")
                .dimension("AutoScalingGroupName", fleet.name()),
            Comparison::GreaterThanThreshold,
            80.0,
            3,
        )
        .description("the app instances run hot: raise the fleet's size"),
    );
    stack.add(
        Alarm::new(
            "DatabaseCpuAlarm",
            database.metric("CPUUtilization"),
            Comparison::GreaterThanThreshold,
            80.0,
            3,
        )
        .description("the database runs hot: look at slow queries or a larger class"),
    );

    stack
        .output("SiteUrl", interpolate!["https://", config.domain.as_str()])
        .description("where the app answers");
    stack
        .output("LoadBalancerDnsName", load_balancer.dns_name())
        .description("the load balancer's own name, which the site record aliases");
    stack
        .output("ZoneId", zone.id())
        .description("the hosted zone the parent domain delegates to");
    stack
        .output("AssetsBucketName", assets.name())
        .description("upload releases to releases/webapp-<version>.tar.gz");
    stack
        .output("DatabaseSecretArn", database.master_user_secret_arn())
        .description("the secret holding the database master credentials (read it, never copy it)");
}
