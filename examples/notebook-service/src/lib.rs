//! The Notebook Service: a public subnet behind an internet gateway, a security group that lets HTTPS in,
//! and `replicas` instances of the Amazon Linux 2023 AMI, in three environments from one definition. Each
//! instance installs JupyterLab at first boot from a cloud-init template (`templates/notebook-service/`).

use stackwright::aws::ec2::{self, Peer, Port};
use stackwright::aws::{iam, ssm};
use stackwright::prelude::*;
use stackwright::tags;

/// The port the service listens on, opened in the security group and configured by the user data.
pub const HTTPS_PORT: u16 = 443;
/// The JupyterLab release the instances install.
pub const JUPYTERLAB_VERSION: &str = "4.2.5";

/// What differs between environments (templates see it as `config.*`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Sizing {
    pub replicas: usize,
    pub instance_type: String,
    /// The public SSM parameter that names the AMI, read at deploy time.
    pub ami_parameter: String,
}

impl Sizing {
    /// `replicas` instances of `instance_type` running the latest Amazon Linux 2023.
    pub fn new(replicas: usize, instance_type: &str) -> Self {
        Sizing {
            replicas,
            instance_type: instance_type.to_owned(),
            ami_parameter: ec2::AMAZON_LINUX_2023_AMI_PARAMETER.to_owned(),
        }
    }

    /// Runs the AMI that another public SSM parameter names.
    pub fn ami_parameter(mut self, name: &str) -> Self {
        self.ami_parameter = name.to_owned();
        self
    }
}

/// Production in Oregon and Frankfurt (m4 is not offered in every region, so Frankfurt runs m5), and a
/// small test environment in another account.
pub fn environments() -> Vec<Environment<Sizing>> {
    vec![
        Environment::new(
            "prod-oregon",
            "111111111111",
            "us-west-2",
            Sizing::new(3, "m4.xlarge"),
        )
        .tag("stage", "prod"),
        Environment::new(
            "prod-frankfurt",
            "111111111111",
            "eu-central-1",
            Sizing::new(3, "m5.xlarge"),
        )
        .tag("stage", "prod"),
        Environment::new(
            "test",
            "222222222222",
            "us-west-2",
            Sizing::new(1, "t3.medium"),
        )
        .tag("stage", "test"),
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

/// The Notebook Service stack, run once per environment.
pub fn notebook(stack: &mut Stack, env: &Environment<Sizing>) {
    let vpc = stack
        .add(ec2::Vpc::new("Vpc", "10.0.0.0/16").tag("Name", format!("notebook-{}", env.name())));
    ec2::VpcFlowLogs::new("VpcFlowLogs").add_to(stack, &vpc);
    let subnet = stack.add(
        ec2::Subnet::new("PublicSubnet", &vpc, "10.0.0.0/24")
            .map_public_ip_on_launch(true)
            .accept_finding(
                "CKV_AWS_130",
                "the notebook instances serve HTTPS to the internet from this public subnet",
            ),
    );
    let gateway = stack.add(ec2::InternetGateway::new("InternetGateway", &vpc));
    let routes = stack.add(ec2::RouteTable::new("PublicRoutes", &vpc));
    let default_route = stack.add(ec2::Route::to_internet_gateway(
        "DefaultRoute",
        &routes,
        "0.0.0.0/0",
        &gateway,
    ));
    stack.add(ec2::SubnetRouteTableAssociation::new(
        "PublicSubnetRoutes",
        &subnet,
        &routes,
    ));
    let security_group = stack.add(
        ec2::SecurityGroup::new(
            "NotebookSecurityGroup",
            &vpc,
            "Notebook service: HTTPS in and out",
        )
        .allow_ingress(
            Peer::any_ipv4(),
            Port::tcp(HTTPS_PORT),
            "HTTPS from anywhere",
        )
        .allow_egress(
            Peer::any_ipv4(),
            Port::tcp(443),
            "HTTPS to package repositories and AWS APIs",
        ),
    );
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
        &env.config().ami_parameter,
    ));

    // Rendered once per environment: its name, and the ids of the VPC and security group, which exist
    // only once deployed.
    let user_data = include_template!("../../../templates/notebook-service/cloud-init.yaml.tera")
        .with_env(env)
        .value("port", HTTPS_PORT)
        .value("jupyterlab_version", JUPYTERLAB_VERSION)
        .reference("vpc_id", vpc.id())
        .reference("security_group_id", security_group.id())
        .render(stack);

    for i in 1..=env.config().replicas {
        let id = format!("NotebookService-{i}");
        let instance = stack.add(
            ec2::Instance::new(&id, ami.value(), &env.config().instance_type)
                .subnet(&subnet)
                .security_group(&security_group)
                .instance_profile(&profile)
                .user_data(&user_data)
                // Boot scripts fetch packages: wait until the subnet can reach the internet.
                .depends_on(&default_route)
                .tag("Name", &id),
        );
        stack
            .output(
                format!("NotebookService{i}PrivateIp"),
                instance.private_ip(),
            )
            .description(format!("Private IP address of {id}"));
    }
}
