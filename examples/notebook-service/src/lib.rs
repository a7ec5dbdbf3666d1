//! The Notebook Service: JupyterLab as a session-sticky replicated service, in three environments from
//! one definition. Each environment has its own hosted zone (`<environment>.notebook.example.com`) and
//! a DNS-validated certificate; an internet-facing application load balancer terminates HTTPS and keeps
//! each user on the replica that runs their kernels (a load balancer cookie), in front of an auto
//! scaling group that scales out by CPU and rolls one instance at a time when the machine changes. An
//! alarm on unhealthy replicas notifies an encrypted SNS topic. Each instance installs JupyterLab at
//! first boot from a cloud-init template (`templates/notebook-service/`).

use stackwright::aws::elbv2::Stickiness;
use stackwright::aws::route53::{self, AliasTarget, RecordType};
use stackwright::aws::service::{
    Color, Frontend, Machine, Network, ReplicatedService, ReplicatedServiceHandle, Replication,
    Scaling, Shard, Size, TenantKey, Update,
};
use stackwright::aws::sns::{Endpoint, Subscription, Topic};
use stackwright::aws::{acm, ec2, ecs, iam, kms, ssm};
use stackwright::prelude::*;
use stackwright::tags;

/// The port JupyterLab listens on behind the load balancer (plain HTTP inside the VPC).
pub const SERVICE_PORT: u16 = 8888;
/// Answers 200 without a login: the load balancer's health check.
pub const HEALTH_CHECK_PATH: &str = "/api";
/// The JupyterLab release the instances install.
pub const JUPYTERLAB_VERSION: &str = "4.2.5";
/// The JupyterLab image each task of the Fargate variant runs (the Jupyter project's, on Quay).
pub const JUPYTERLAB_IMAGE: &str = "quay.io/jupyter/base-notebook:lab-4.2.5";
/// Each environment answers on `<environment>.<DOMAIN>`, in its own hosted zone, which the parent
/// domain delegates to.
pub const DOMAIN: &str = "notebook.example.com";
/// Who the alarms notify (an email subscription, confirmed by its recipient).
pub const ON_CALL: &str = "notebook-oncall@example.com";
/// How long a user stays on the replica that runs their kernels.
pub const SESSION_SECONDS: u32 = 86_400;

/// What differs between environments (templates see it as `config.*`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Sizing {
    /// Replicas always in service: the group's minimum, where a new fleet starts; scaling by CPU adds
    /// more.
    pub replicas: u32,
    /// How far scaling by CPU may go.
    pub max_replicas: u32,
    pub instance_type: String,
    /// The public SSM parameter that names the AMI, read at deploy time.
    pub ami_parameter: String,
    /// Scale out above this average CPU utilization (percent).
    pub target_cpu_percent: u8,
    /// Tenant-sticky instead of session-sticky: the shards (name, the teams it owns), routed by the
    /// `X-Notebook-Team` header; see [`Sizing::tenant_shards`].
    #[serde(skip)]
    pub tenant_shards: Vec<Shard>,
    /// Blue/green instead of rolling: two fleets running the same machine, the listener forwarding to
    /// the live one only; see [`Sizing::blue_green`].
    #[serde(skip)]
    pub blue_green: Option<Color>,
    /// On Fargate instead of virtual machines: each replica a task of this many CPU units and MiB of
    /// memory running the JupyterLab image; see [`Sizing::fargate`].
    #[serde(skip)]
    pub fargate: Option<(i64, i64)>,
}

impl Sizing {
    /// `replicas` instances of `instance_type` running the latest Amazon Linux 2023, scaling out to 10
    /// at 60 % CPU.
    pub fn new(replicas: u32, instance_type: &str) -> Self {
        Sizing {
            replicas,
            max_replicas: 10,
            instance_type: instance_type.to_owned(),
            ami_parameter: ec2::AMAZON_LINUX_2023_AMI_PARAMETER.to_owned(),
            target_cpu_percent: 60,
            tenant_shards: Vec::new(),
            blue_green: None,
            fargate: None,
        }
    }

    /// Shards teams over replica groups: each shard is its own target group and fleet, and the
    /// `X-Notebook-Team` header picks the shard (a team's notebooks live on its shard's disks).
    pub fn tenant_shards(mut self, shards: impl IntoIterator<Item = Shard>) -> Self {
        self.tenant_shards = shards.into_iter().collect();
        self
    }

    /// Deploys blue/green: a blue and a green fleet (both running this sizing's machine), the HTTPS
    /// listener forwarding to `live` only; switching `live` moves all traffic at once.
    pub fn blue_green(mut self, live: Color) -> Self {
        self.blue_green = Some(live);
        self
    }

    /// Runs each replica as a Fargate task of `cpu` units (1,024 to a vCPU) and `memory_mib` running
    /// [`JUPYTERLAB_IMAGE`], instead of an instance of `instance_type` (which is then unused).
    pub fn fargate(mut self, cpu: i64, memory_mib: i64) -> Self {
        self.fargate = Some((cpu, memory_mib));
        self
    }

    /// Runs the AMI that another public SSM parameter names.
    pub fn ami_parameter(mut self, name: &str) -> Self {
        self.ami_parameter = name.to_owned();
        self
    }
}

/// Production in Oregon and Frankfurt (each with its own size: the config is per environment), and a
/// small test environment in another account, which tears down completely (`RemovalPolicy::Destroy`: no
/// flow-log group or zone left behind, no deletion protection); production keeps its data.
pub fn environments() -> Vec<Environment<Sizing>> {
    environments_sized(|_, sizing| sizing)
}

/// The environments of [`environments`], each sizing adjusted by `adjust` (given the environment's name).
fn environments_sized(adjust: fn(&str, Sizing) -> Sizing) -> Vec<Environment<Sizing>> {
    vec![
        Environment::new(
            "prod-oregon",
            "111111111111",
            "us-west-2",
            adjust("prod-oregon", Sizing::new(3, "m4.xlarge")),
        )
        .tag("stage", "prod"),
        Environment::new(
            "prod-frankfurt",
            "111111111111",
            "eu-central-1",
            adjust("prod-frankfurt", Sizing::new(3, "m5.xlarge")),
        )
        .tag("stage", "prod"),
        Environment::new(
            "test",
            "222222222222",
            "us-west-2",
            adjust("test", Sizing::new(1, "t3.medium")),
        )
        .tag("stage", "test")
        .removal_policy(RemovalPolicy::Destroy),
    ]
}

/// The app with the given environments; [`app`] uses [`environments`].
pub fn app_with(environments: Vec<Environment<Sizing>>) -> App<Sizing> {
    environments
        .into_iter()
        .fold(
            App::new("notebook")
                .tag(tags::OWNER, "data-science-platform")
                .tag(tags::COST_CENTER, "cc-4711"),
            App::environment,
        )
        .stack("notebook", notebook)
}

pub fn app() -> App<Sizing> {
    app_with(environments())
}

/// The public subnets, one per availability zone: the load balancer's and the instances'.
const SUBNETS: [(&str, char); 2] = [("10.0.0.0/24", 'a'), ("10.0.1.0/24", 'b')];

/// The Notebook Service stack, run once per environment: its network and the service in one stack.
pub fn notebook(stack: &mut Stack, env: &Environment<Sizing>) {
    let network = network(stack, env);
    service(stack, env, &network);
}

/// The network a Notebook Service runs in: a VPC with flow logs, an internet gateway and public subnets.
pub struct NotebookNetwork {
    pub vpc: ec2::VpcHandle,
    pub subnets: Vec<ec2::SubnetHandle>,
    /// The route to the internet, which booting instances need.
    pub default_route: ec2::RouteHandle,
}

/// The network part of the Notebook Service; its handles work in this stack or in another one of the same
/// environment (see [`two_stack_app`]).
pub fn network(stack: &mut Stack, env: &Environment<Sizing>) -> NotebookNetwork {
    let vpc = stack
        .add(ec2::Vpc::new("Vpc", "10.0.0.0/16").tag("Name", format!("notebook-{}", env.name())));
    ec2::VpcFlowLogs::new("VpcFlowLogs").add_to(stack, &vpc);
    let gateway = stack.add(ec2::InternetGateway::new("InternetGateway", &vpc));
    let routes = stack.add(ec2::RouteTable::new("PublicRoutes", &vpc));
    let default_route = stack.add(ec2::Route::to_internet_gateway(
        "DefaultRoute",
        &routes,
        "0.0.0.0/0",
        &gateway,
    ));
    // Instances live in the public subnets too (no NAT gateway to pay for): their security group
    // admits only the load balancer, and they fetch packages over the internet gateway.
    let subnets: Vec<ec2::SubnetHandle> = SUBNETS
        .iter()
        .enumerate()
        .map(|(i, (cidr, zone))| {
            let n = i + 1;
            let subnet = stack.add(
                ec2::Subnet::new(format!("PublicSubnet-{n}"), &vpc, cidr)
                    .availability_zone(format!("{}{zone}", env.region()))
                    .map_public_ip_on_launch(true)
                    .accept_finding(
                        "CKV_AWS_130",
                        "the load balancer serves HTTPS to the internet from this public subnet; \
                         the instances here admit only the load balancer",
                    ),
            );
            stack.add(ec2::SubnetRouteTableAssociation::new(
                format!("PublicSubnet-{n}-Routes"),
                &subnet,
                &routes,
            ));
            subnet
        })
        .collect();
    NotebookNetwork {
        vpc,
        subnets,
        default_route,
    }
}

/// The service part of the Notebook Service (zone, certificate, role, replicated fleet behind HTTPS,
/// alarms), in the given network.
pub fn service(stack: &mut Stack, env: &Environment<Sizing>, network: &NotebookNetwork) {
    let config = env.config();
    let NotebookNetwork {
        vpc,
        subnets,
        default_route,
    } = network;
    let domain = format!("{}.{DOMAIN}", env.name());
    let zone = stack.add(
        route53::HostedZone::new("Zone", &domain)
            .comment(&format!("notebook {}", env.name()))
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
        &domain,
        &zone,
    ));

    // In this order, which is the order of the artifacts' resources: the role, the alerts, the machine.
    let instances = config.fargate.is_none().then(|| instance_role(stack, env));
    let alerts = alerts(stack);
    let machine = match (config.fargate, instances) {
        (Some((cpu, memory_mib)), _) => task_machine(stack, cpu, memory_mib),
        (None, Some((profile, ami))) => vm_machine(stack, env, vpc, &profile, &ami),
        (None, None) => {
            unreachable!("the instances' role is declared when there is no Fargate size")
        }
    };
    let update = match config.blue_green {
        Some(live) => Update::BlueGreen {
            live,
            green: machine.clone(),
        },
        None => Update::Rolling {
            batch: 1,
            min_in_service: config.replicas.saturating_sub(1),
        },
    };
    let service = ReplicatedService::new(
        "Notebook",
        machine,
        Frontend::Https {
            certificate_arn: certificate.arn(),
        },
        SERVICE_PORT,
        HEALTH_CHECK_PATH,
        Size {
            min: config.replicas,
            max: config.max_replicas,
            scaling: Scaling::TargetCpu {
                percent: config.target_cpu_percent,
            },
        },
    )
    .replication(replication(config))
    .update(update)
    .alarm_topic(&alerts)
    // Boot scripts (or image pulls) fetch packages: wait until the subnets can reach the internet.
    .fleet_depends_on(default_route)
    .add_to(
        stack,
        Network {
            vpc,
            public_subnets: subnets,
            instance_subnets: subnets,
        },
    );
    finish(stack, &zone, &domain, &service);
}

/// The instances' role and profile, and the lookup of their image.
fn instance_role(
    stack: &mut Stack,
    env: &Environment<Sizing>,
) -> (iam::InstanceProfileHandle, ssm::ParameterLookupHandle) {
    let config = env.config();
    // Operators reach the instances through Session Manager, not SSH: the instances' role may
    // register with Systems Manager, and nothing else.
    let role = stack.add(
        iam::Role::for_service("NotebookRole", "ec2.amazonaws.com").managed_policy(format!(
            "arn:{}:iam::aws:policy/AmazonSSMManagedInstanceCore",
            env.partition()
        )),
    );
    let profile = stack.add(iam::InstanceProfile::new("NotebookProfile", &role));
    let ami = stack.add(ssm::ParameterLookup::image_id(
        "AmiId",
        &config.ami_parameter,
    ));
    (profile, ami)
}

/// A virtual machine running JupyterLab, installed at first boot by the cloud-init template.
fn vm_machine(
    stack: &mut Stack,
    env: &Environment<Sizing>,
    vpc: &ec2::VpcHandle,
    profile: &iam::InstanceProfileHandle,
    ami: &ssm::ParameterLookupHandle,
) -> Machine {
    let config = env.config();
    // Rendered once per environment: its name, and the VPC's id, which exists only once deployed.
    let user_data = include_template!("../../../templates/notebook-service/cloud-init.yaml.tera")
        .with_env(env)
        .value("port", SERVICE_PORT)
        .value("jupyterlab_version", JUPYTERLAB_VERSION)
        .reference("vpc_id", vpc.id())
        .render(stack);
    Machine::new(ami.value(), config.instance_type.as_str())
        .user_data(user_data)
        .instance_profile(profile)
}

/// A Fargate task running the JupyterLab image, in a cluster of its own.
fn task_machine(stack: &mut Stack, cpu: i64, memory_mib: i64) -> Machine {
    let cluster = stack.add(ecs::Cluster::new("Cluster"));
    let task = ecs::FargateTaskDefinition::new("NotebookTask", cpu, memory_mib)
        .container(
            ecs::Container::new("jupyterlab", ecs::Image::public(JUPYTERLAB_IMAGE))
                .port(SERVICE_PORT)
                // Kernels, notebooks and JupyterLab's own state live under the user's home.
                .writable_root_filesystem(),
        )
        .add_to(stack);
    // The subnets are public, with no NAT gateway: a task needs an address of its own to pull the
    // image. Its security group still admits only the load balancer.
    Machine::fargate(&cluster, &task, "jupyterlab").assign_public_ip_insecure()
}

/// The alerts topic, on a key CloudWatch may publish with, and the on-call subscription.
fn alerts(stack: &mut Stack) -> stackwright::aws::sns::TopicHandle {
    // CloudWatch publishes the alarms' notifications itself: the topic's key must let it (the AWS
    // managed key cannot).
    let alerts_key = stack.add(
        kms::Key::new("AlertsKey")
            .description("Notebook Service alerts topic")
            .allow_topic_publisher("cloudwatch.amazonaws.com"),
    );
    let alerts = stack.add(
        Topic::new("Alerts")
            .display_name("Notebook Service alerts")
            .encryption_key(&alerts_key),
    );
    stack.add(Subscription::new(
        "OnCall",
        &alerts,
        Endpoint::Email(ON_CALL.to_owned()),
    ));
    alerts
}

/// Session-sticky unless the environment shards teams.
fn replication(config: &Sizing) -> Replication {
    if config.tenant_shards.is_empty() {
        Replication::SessionSticky(Stickiness::LoadBalancerCookie {
            duration_seconds: SESSION_SECONDS,
        })
    } else {
        Replication::TenantSticky {
            key: TenantKey::Header(TEAM_HEADER.to_owned()),
            shards: config.tenant_shards.clone(),
        }
    }
}

/// The Notebook Service as two stacks per environment: `network`, whose handles the `service` stack uses
/// as if they were its own (CloudFormation exports and `Fn::ImportValue`, Terraform outputs and
/// `terraform_remote_state`); the network deploys first.
pub fn two_stack_app() -> App<Sizing> {
    environments()
        .into_iter()
        .fold(
            App::new("notebook")
                .tag(tags::OWNER, "data-science-platform")
                .tag(tags::COST_CENTER, "cc-4711"),
            App::environment,
        )
        .stacks(|stacks, env| {
            let network = stacks.stack("network", |stack| network(stack, env));
            stacks.stack("service", |stack| service(stack, env, &network));
        })
}

/// The header that names a user's team in the tenant-sticky variant (set by the company's SSO proxy).
pub const TEAM_HEADER: &str = "X-Notebook-Team";

/// The tenant-sticky variant (`cargo run -p notebook-service --example tenant-sticky`): one test
/// environment whose teams are sharded over two replica groups.
pub fn tenant_sticky_app() -> App<Sizing> {
    app_with(vec![Environment::new(
        "teams",
        "222222222222",
        "us-west-2",
        Sizing::new(1, "t3.medium").tenant_shards([
            Shard::new("Astro", ["astro", "cosmo"]),
            Shard::new("Bio", ["bio"]),
        ]),
    )
    .tag("stage", "test")])
}

/// The Fargate variant (`cargo run -p notebook-service --example fargate`): the flagship's environments,
/// replication (session-sticky by a load balancer cookie) and update (rolling, one replica at a time)
/// with each replica a Fargate task of the JupyterLab image instead of an instance.
pub fn fargate_app() -> App<Sizing> {
    // The instances' sizes: 4 vCPUs and 16 GiB in production (m4/m5.xlarge), 2 and 4 GiB in test
    // (t3.medium, whose 2 vCPUs are burstable: 1 here).
    app_with(environments_sized(|name, sizing| match name {
        "test" => sizing.fargate(1024, 4096),
        _ => sizing.fargate(4096, 16384),
    }))
}

/// The site's record and the outputs.
fn finish(
    stack: &mut Stack,
    zone: &route53::HostedZoneHandle,
    domain: &str,
    service: &ReplicatedServiceHandle,
) {
    stack.add(route53::Record::alias(
        "SiteRecord",
        zone,
        domain,
        RecordType::A,
        AliasTarget::load_balancer(&service.load_balancer),
    ));
    stack
        .output("Url", format!("https://{domain}/"))
        .description("Where users open their notebooks");
    stack
        .output("LoadBalancerDnsName", service.load_balancer.dns_name())
        .description("The load balancer's own name, for checks before DNS delegation");
}
