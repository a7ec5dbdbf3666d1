//! The network: a VPC over two zones with three tiers of subnets. Public subnets hold the load balancer
//! and the NAT gateways; app subnets reach the internet only through NAT; data subnets have no route out
//! at all.

use crate::config::WebConfig;
use crate::{APP_PORT, POSTGRES_PORT};
use stackwright::aws::ec2::{self, Peer, Port};
use stackwright::aws::kms;
use stackwright::Stack;

pub const VPC_CIDR: &str = "10.0.0.0/16";
/// Per tier, the CIDR block of its subnet in each zone.
pub const PUBLIC_SUBNETS: [&str; 2] = ["10.0.0.0/24", "10.0.1.0/24"];
pub const APP_SUBNETS: [&str; 2] = ["10.0.10.0/24", "10.0.11.0/24"];
pub const DATA_SUBNETS: [&str; 2] = ["10.0.20.0/24", "10.0.21.0/24"];

/// What later parts of the stack place resources in.
pub struct Network {
    pub vpc: ec2::VpcHandle,
    pub public: Vec<ec2::SubnetHandle>,
    pub app: Vec<ec2::SubnetHandle>,
    pub data: Vec<ec2::SubnetHandle>,
    /// The app subnets' default routes through NAT: instances boot only once these exist.
    pub egress: Vec<ec2::RouteHandle>,
}

/// Declares the network of one environment; its flow logs are encrypted with `key`.
pub fn declare(
    stack: &mut Stack,
    config: &WebConfig,
    env_name: &str,
    key: &kms::KeyHandle,
) -> Network {
    let vpc = stack.add(ec2::Vpc::new("Vpc", VPC_CIDR).tag("Name", format!("webapp-{env_name}")));
    let gateway = stack.add(ec2::InternetGateway::new("InternetGateway", &vpc));
    let public_routes = stack.add(ec2::RouteTable::new("PublicRoutes", &vpc));
    stack.add(ec2::Route::to_internet_gateway(
        "PublicDefaultRoute",
        &public_routes,
        "0.0.0.0/0",
        &gateway,
    ));
    // Data subnets share a table with only the VPC's local route: the database never reaches out.
    let data_routes = stack.add(ec2::RouteTable::new("DataRoutes", &vpc));

    let (mut public, mut app, mut data) = (Vec::new(), Vec::new(), Vec::new());
    let mut nat_gateways = Vec::new();
    let mut egress = Vec::new();
    for (i, zone) in config.zones.iter().enumerate() {
        let n = i + 1;
        let subnet = |id: String, cidr: &str| {
            ec2::Subnet::new(id, &vpc, cidr).availability_zone(zone.as_str())
        };
        let public_subnet = stack.add(subnet(format!("PublicSubnet-{n}"), PUBLIC_SUBNETS[i]));
        stack.add(ec2::SubnetRouteTableAssociation::new(
            format!("PublicSubnet-{n}-Routes"),
            &public_subnet,
            &public_routes,
        ));
        if config.nat_gateway_per_zone || nat_gateways.is_empty() {
            let address =
                stack.add(ec2::ElasticIp::new(format!("NatAddress-{n}")).depends_on(&gateway));
            nat_gateways.push(
                stack.add(
                    ec2::NatGateway::public(format!("NatGateway-{n}"), &public_subnet, &address)
                        .depends_on(&gateway),
                ),
            );
        }

        let app_subnet = stack.add(subnet(format!("AppSubnet-{n}"), APP_SUBNETS[i]));
        let app_routes = stack.add(ec2::RouteTable::new(format!("AppRoutes-{n}"), &vpc));
        // The zone's own NAT gateway, or the single shared one.
        let nat = &nat_gateways[i.min(nat_gateways.len() - 1)];
        egress.push(stack.add(ec2::Route::to_nat_gateway(
            format!("AppDefaultRoute-{n}"),
            &app_routes,
            "0.0.0.0/0",
            nat,
        )));
        stack.add(ec2::SubnetRouteTableAssociation::new(
            format!("AppSubnet-{n}-Routes"),
            &app_subnet,
            &app_routes,
        ));

        let data_subnet = stack.add(subnet(format!("DataSubnet-{n}"), DATA_SUBNETS[i]));
        stack.add(ec2::SubnetRouteTableAssociation::new(
            format!("DataSubnet-{n}-Routes"),
            &data_subnet,
            &data_routes,
        ));

        public.push(public_subnet);
        app.push(app_subnet);
        data.push(data_subnet);
    }
    // checkov CKV2_AWS_11: every VPC records its traffic.
    ec2::VpcFlowLogs::new("VpcFlowLogs")
        .log_group(|group| group.encryption_key(key))
        .add_to(stack, &vpc);
    Network {
        vpc,
        public,
        app,
        data,
        egress,
    }
}

/// The same three tiers declared with the network construct (`ec2::VpcNetwork`) instead of by hand:
/// the same blocks, zones and NAT choice, flow logs encrypted with `key`; the ids are the construct's
/// (`Network-Public-1`, ...), and a single NAT gateway serves both app subnets through one route table.
/// The [`vpc_network_app`](crate::vpc_network_app) variant uses it.
pub fn declare_with_construct(
    stack: &mut Stack,
    config: &WebConfig,
    env_name: &str,
    key: &kms::KeyHandle,
) -> Network {
    let nat_gateways = match config.nat_gateway_per_zone {
        true => ec2::NatGateways::PerZone,
        false => ec2::NatGateways::Single,
    };
    let network = ec2::VpcNetwork::new("Network", VPC_CIDR)
        .vpc(|vpc| vpc.tag("Name", format!("webapp-{env_name}")))
        .availability_zones(config.zones.iter().cloned())
        .tier_blocks(ec2::Tier::Public, ec2::SubnetBlocks::given(PUBLIC_SUBNETS))
        .tier_blocks(ec2::Tier::Private, ec2::SubnetBlocks::given(APP_SUBNETS))
        .tier_blocks(ec2::Tier::Isolated, ec2::SubnetBlocks::given(DATA_SUBNETS))
        .nat_gateways(nat_gateways)
        .gateway_endpoint(ec2::GatewayService::S3)
        .flow_logs(|logs| logs.log_group(|group| group.encryption_key(key)))
        .add_to(stack);
    Network {
        vpc: network.vpc().clone(),
        public: network.public_subnets().to_vec(),
        app: network.private_subnets().to_vec(),
        data: network.isolated_subnets().to_vec(),
        egress: network.private_default_routes().to_vec(),
    }
}

/// The security groups of the three tiers, each open only to the tier in front of it.
pub struct SecurityGroups {
    pub load_balancer: ec2::SecurityGroupHandle,
    pub app: ec2::SecurityGroupHandle,
    pub database: ec2::SecurityGroupHandle,
}

/// A group references the group in front of it (the app's admits the load balancer's); the way back
/// goes to the tier's subnets, as two groups cannot reference each other.
pub fn security_groups(stack: &mut Stack, vpc: &ec2::VpcHandle) -> SecurityGroups {
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
        &APP_SUBNETS,
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
        &DATA_SUBNETS,
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
