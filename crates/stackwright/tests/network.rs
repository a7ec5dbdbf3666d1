//! The network construct (`ec2::VpcNetwork`): a VPC with tiers of subnets per zone, their route tables,
//! NAT gateways and gateway endpoints, from a few inputs; checked on the JSON of both targets.

use crate::support::{artifacts, fails, line_below, one_stack, CFN, TF};
use serde_json::{json, Value};
use stackwright::aws::ec2::{self, GatewayService, NatGateways, SubnetBlocks, Tier, VpcNetwork};
use std::collections::BTreeMap;

/// The CloudFormation resources of `kind`, by logical id.
fn cfn_of<'a>(docs: &'a BTreeMap<String, Value>, kind: &str) -> BTreeMap<&'a str, &'a Value> {
    docs[CFN]["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(id, r)| (id.as_str(), &r["Properties"]))
        .collect()
}

/// The Terraform blocks of `kind`, by name.
fn tf_of<'a>(docs: &'a BTreeMap<String, Value>, kind: &str) -> BTreeMap<&'a str, &'a Value> {
    docs[TF]["resource"][kind]
        .as_object()
        .map(|blocks| blocks.iter().map(|(n, b)| (n.as_str(), b)).collect())
        .unwrap_or_default()
}

#[test]
fn the_default_network_is_two_zones_of_public_and_private_subnets_with_a_nat_gateway_each() {
    let app = one_stack(|s| {
        let network = VpcNetwork::new("Network", "10.0.0.0/16").add_to(s);
        assert_eq!(network.public_subnets().len(), 2);
        assert_eq!(network.private_subnets().len(), 2);
        assert!(network.isolated_subnets().is_empty());
        assert_eq!(network.nat_gateways().len(), 2);
        assert_eq!(network.private_default_routes().len(), 2);
        assert_eq!(network.route_tables(Tier::Private).len(), 2);
        assert!(network.route_tables(Tier::Isolated).is_empty());
        assert!(network.gateway_endpoint(GatewayService::S3).is_none());
        let blocks: Vec<String> = network
            .subnet_blocks(Tier::Private)
            .iter()
            .map(|b| b.to_string())
            .collect();
        assert_eq!(blocks, ["10.0.64.0/24", "10.0.65.0/24"]);
        // A replicated service takes the network as it is: load balancer public, instances private.
        let service = network.for_service();
        assert_eq!(service.instance_subnets.len(), 2);
        s.output("PrivateSubnet1", network.private_subnets()[0].id());
    });
    let docs = artifacts(&app);

    let subnets = cfn_of(&docs, "AWS::EC2::Subnet");
    let summary: Vec<(&str, &Value, &Value, &Value)> = subnets
        .iter()
        .map(|(id, p)| {
            (
                *id,
                &p["CidrBlock"],
                &p["AvailabilityZone"],
                &p["MapPublicIpOnLaunch"],
            )
        })
        .collect();
    let zone = |i: usize| json!({"Fn::Select": [i, {"Fn::GetAZs": ""}]});
    assert_eq!(
        summary,
        [
            (
                "NetworkPrivate1",
                &json!("10.0.64.0/24"),
                &zone(0),
                &json!(false)
            ),
            (
                "NetworkPrivate2",
                &json!("10.0.65.0/24"),
                &zone(1),
                &json!(false)
            ),
            (
                "NetworkPublic1",
                &json!("10.0.0.0/24"),
                &zone(0),
                &Value::Null
            ),
            (
                "NetworkPublic2",
                &json!("10.0.1.0/24"),
                &zone(1),
                &Value::Null
            ),
        ]
    );
    // The public table routes to the internet gateway; each zone's private table to its own NAT gateway.
    let routes = cfn_of(&docs, "AWS::EC2::Route");
    assert_eq!(
        routes.keys().copied().collect::<Vec<_>>(),
        [
            "NetworkPrivateDefaultRoute1",
            "NetworkPrivateDefaultRoute2",
            "NetworkPublicDefaultRoute"
        ]
    );
    assert_eq!(
        routes["NetworkPublicDefaultRoute"]["GatewayId"],
        json!({"Ref": "NetworkInternetGateway"})
    );
    for n in [1, 2] {
        assert_eq!(
            *routes[format!("NetworkPrivateDefaultRoute{n}").as_str()],
            json!({"RouteTableId": {"Ref": format!("NetworkPrivateRoutes{n}")},
                "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": {"Ref": format!("NetworkNatGateway{n}")}})
        );
        assert_eq!(
            cfn_of(&docs, "AWS::EC2::NatGateway")[format!("NetworkNatGateway{n}").as_str()]
                ["SubnetId"],
            json!({"Ref": format!("NetworkPublic{n}")})
        );
    }
    let associations = cfn_of(&docs, "AWS::EC2::SubnetRouteTableAssociation");
    assert_eq!(
        associations["NetworkPrivate2Routes"]["RouteTableId"],
        json!({"Ref": "NetworkPrivateRoutes2"})
    );
    assert_eq!(
        associations["NetworkPublic2Routes"]["RouteTableId"],
        json!({"Ref": "NetworkPublicRoutes"})
    );
    assert_eq!(associations.len(), 4);
    assert_eq!(cfn_of(&docs, "AWS::EC2::EIP").len(), 2);
    // Flow logs of all traffic (CKV2_AWS_11), through the VpcFlowLogs composite.
    assert_eq!(
        cfn_of(&docs, "AWS::EC2::FlowLog")["NetworkFlowLogs"]["TrafficType"],
        "ALL"
    );
    assert!(cfn_of(&docs, "AWS::EC2::VPCEndpoint").is_empty());

    // Terraform: the same network, zones from the region's data source, the default security group
    // adopted without rules (CKV2_AWS_12).
    assert_eq!(
        docs[TF]["data"]["aws_availability_zones"]["availability_zones"]["state"],
        "available"
    );
    let subnets = tf_of(&docs, "aws_subnet");
    assert_eq!(
        *subnets["network_private_2"],
        json!({"vpc_id": "${aws_vpc.network.id}", "cidr_block": "10.0.65.0/24",
            "availability_zone": "${data.aws_availability_zones.availability_zones.names[1]}",
            "map_public_ip_on_launch": false})
    );
    assert_eq!(subnets.len(), 4);
    assert_eq!(
        *tf_of(&docs, "aws_default_security_group")["network_default_security_group"],
        json!({"vpc_id": "${aws_vpc.network.id}"})
    );
    assert_eq!(
        tf_of(&docs, "aws_route")["network_private_default_route_1"]["nat_gateway_id"],
        "${aws_nat_gateway.network_nat_gateway_1.id}"
    );
    assert_eq!(tf_of(&docs, "aws_nat_gateway").len(), 2);
    assert_eq!(tf_of(&docs, "aws_route_table").len(), 3);
    assert_eq!(tf_of(&docs, "aws_flow_log").len(), 1);
    assert_eq!(
        docs[TF]["output"]["private_subnet1"]["value"],
        "${aws_subnet.network_private_1.id}"
    );
}

#[test]
fn a_single_nat_gateway_serves_every_private_subnet_through_one_table() {
    let app = one_stack(|s| {
        let network = VpcNetwork::new("Net", "10.0.0.0/16")
            .zones(3)
            .nat_gateways(NatGateways::Single)
            .add_to(s);
        assert_eq!(network.private_subnets().len(), 3);
        assert_eq!(network.nat_gateways().len(), 1);
    });
    let docs = artifacts(&app);
    assert_eq!(
        cfn_of(&docs, "AWS::EC2::NatGateway")
            .keys()
            .copied()
            .collect::<Vec<_>>(),
        ["NetNatGateway1"]
    );
    let associations = cfn_of(&docs, "AWS::EC2::SubnetRouteTableAssociation");
    for n in 1..=3 {
        assert_eq!(
            associations[format!("NetPrivate{n}Routes").as_str()]["RouteTableId"],
            json!({"Ref": "NetPrivateRoutes1"})
        );
    }
    assert_eq!(
        cfn_of(&docs, "AWS::EC2::Subnet")["NetPublic3"]["AvailabilityZone"],
        json!({"Fn::Select": [2, {"Fn::GetAZs": ""}]})
    );
    assert_eq!(tf_of(&docs, "aws_eip").len(), 1);
    assert_eq!(tf_of(&docs, "aws_route").len(), 2);
}

#[test]
fn isolated_subnets_have_no_route_out_and_endpoints_serve_every_tier() {
    let app = one_stack(|s| {
        let network = VpcNetwork::new("Net", "10.0.0.0/16")
            .tier(Tier::Isolated)
            .gateway_endpoint(GatewayService::S3)
            .gateway_endpoint(GatewayService::DynamoDb)
            .add_to(s);
        assert_eq!(network.isolated_subnets().len(), 2);
        assert!(network.gateway_endpoint(GatewayService::DynamoDb).is_some());
    });
    let docs = artifacts(&app);
    let subnets = cfn_of(&docs, "AWS::EC2::Subnet");
    assert_eq!(subnets["NetIsolated1"]["CidrBlock"], "10.0.128.0/24");
    assert_eq!(subnets["NetIsolated2"]["MapPublicIpOnLaunch"], false);
    let associations = cfn_of(&docs, "AWS::EC2::SubnetRouteTableAssociation");
    assert_eq!(
        associations["NetIsolated2Routes"]["RouteTableId"],
        json!({"Ref": "NetIsolatedRoutes"})
    );
    // No route names the isolated table: only the gateway endpoints, as every other tier's (a
    // database's subnets reach S3 without a way out).
    let routes = cfn_of(&docs, "AWS::EC2::Route");
    assert!(routes
        .values()
        .all(|r| r["RouteTableId"] != json!({"Ref": "NetIsolatedRoutes"})));
    let endpoints = cfn_of(&docs, "AWS::EC2::VPCEndpoint");
    let tables = json!([{"Ref": "NetPublicRoutes"}, {"Ref": "NetPrivateRoutes1"}, {"Ref": "NetPrivateRoutes2"},
        {"Ref": "NetIsolatedRoutes"}]);
    assert_eq!(
        endpoints["NetS3Endpoint"],
        &json!({"VpcId": {"Ref": "Net"}, "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.s3"},
            "VpcEndpointType": "Gateway", "RouteTableIds": tables,
            "Tags": [{"Key": "app", "Value": "demo"}, {"Key": "environment", "Value": "dev"},
                {"Key": "managed-by", "Value": "stackwright"}]})
    );
    assert_eq!(
        endpoints["NetDynamoDbEndpoint"]["ServiceName"],
        json!({"Fn::Sub": "com.amazonaws.${AWS::Region}.dynamodb"})
    );
    assert_eq!(
        *tf_of(&docs, "aws_vpc_endpoint")["net_dynamo_db_endpoint"],
        json!({"vpc_id": "${aws_vpc.net.id}", "service_name": "com.amazonaws.us-west-2.dynamodb",
            "vpc_endpoint_type": "Gateway", "route_table_ids": [
                "${aws_route_table.net_public_routes.id}", "${aws_route_table.net_private_routes_1.id}",
                "${aws_route_table.net_private_routes_2.id}",
                "${aws_route_table.net_isolated_routes.id}"]})
    );
}

#[test]
fn blocks_zones_tags_and_public_addresses_are_options() {
    let app = one_stack(|s| {
        let network = VpcNetwork::new("Net", "10.1.0.0/16")
            .availability_zones(["us-west-2b", "us-west-2c"])
            // As the VPC module's users write `cidrsubnet(local.vpc_cidr, 8, k + 48)` and a list.
            .tier_blocks(Tier::Public, SubnetBlocks::split(8, 48))
            .tier_blocks(Tier::Private, SubnetBlocks::split(4, 0))
            .tier_blocks(
                Tier::Isolated,
                SubnetBlocks::given(["10.1.200.0/24", "10.1.201.0/24"]),
            )
            .subnet_tag(Tier::Public, "kubernetes.io/role/elb", "1")
            .public_ip_on_launch("the bastion hosts in the public subnets need addresses")
            .vpc(|vpc| vpc.tag("Name", "shared"))
            .flow_logs(|logs| logs.traffic_type(ec2::TrafficType::Reject))
            .add_to(s);
        assert_eq!(network.subnet_blocks(Tier::Isolated).len(), 2);
    });
    let docs = artifacts(&app);
    let blocks: Vec<(&str, &Value, &Value)> = cfn_of(&docs, "AWS::EC2::Subnet")
        .iter()
        .map(|(id, p)| (*id, &p["CidrBlock"], &p["AvailabilityZone"]))
        .collect();
    assert_eq!(
        blocks,
        [
            (
                "NetIsolated1",
                &json!("10.1.200.0/24"),
                &json!("us-west-2b")
            ),
            (
                "NetIsolated2",
                &json!("10.1.201.0/24"),
                &json!("us-west-2c")
            ),
            ("NetPrivate1", &json!("10.1.0.0/20"), &json!("us-west-2b")),
            ("NetPrivate2", &json!("10.1.16.0/20"), &json!("us-west-2c")),
            ("NetPublic1", &json!("10.1.48.0/24"), &json!("us-west-2b")),
            ("NetPublic2", &json!("10.1.49.0/24"), &json!("us-west-2c")),
        ]
    );
    let public = &docs[CFN]["Resources"]["NetPublic1"];
    assert_eq!(public["Properties"]["MapPublicIpOnLaunch"], true);
    assert_eq!(
        public["Metadata"]["checkov"]["skip"],
        json!([{"id": "CKV_AWS_130", "comment": "the bastion hosts in the public subnets need addresses"}])
    );
    assert!(public["Properties"]["Tags"]
        .as_array()
        .unwrap()
        .contains(&json!({"Key": "kubernetes.io/role/elb", "Value": "1"})));
    assert!(docs[CFN]["Resources"]["NetPrivate1"]["Properties"]["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["Key"] != "kubernetes.io/role/elb"));
    assert_eq!(
        tf_of(&docs, "aws_vpc")["net"]["tags"],
        json!({"Name": "shared"})
    );
    assert_eq!(
        tf_of(&docs, "aws_flow_log")["net_flow_logs"]["traffic_type"],
        "REJECT"
    );
    // Named zones need no lookup.
    assert!(docs[TF]
        .get("data")
        .and_then(|d| d.get("aws_availability_zones"))
        .is_none());
}

#[test]
fn a_network_without_the_private_tier_has_no_nat_gateway() {
    let app = one_stack(|s| {
        let network = VpcNetwork::new("Net", "10.0.0.0/16")
            .without_tier(Tier::Private)
            .tier(Tier::Isolated)
            .add_to(s);
        assert!(network.private_subnets().is_empty());
        // A replicated service then runs its instances in the public subnets.
        assert_eq!(network.for_service().instance_subnets.len(), 2);
    });
    let docs = artifacts(&app);
    assert!(cfn_of(&docs, "AWS::EC2::NatGateway").is_empty());
    assert!(cfn_of(&docs, "AWS::EC2::EIP").is_empty());
    assert_eq!(cfn_of(&docs, "AWS::EC2::Subnet").len(), 4);
    assert_eq!(tf_of(&docs, "aws_route").len(), 1);
}

#[test]
fn overlapping_blocks_are_one_located_error_per_pair_of_tiers() {
    let at = line_below(9);
    let app = one_stack(|s| {
        VpcNetwork::new("Net", "10.0.0.0/16")
            .tier_blocks(
                Tier::Public,
                SubnetBlocks::given(["10.0.0.0/24", "10.0.1.0/24"]),
            )
            // The first /20 holds both public blocks.
            .tier_blocks(Tier::Private, SubnetBlocks::split(4, 0))
            .add_to(s);
        // The private tier split as the public one is by default: each zone's block is the public's.
        VpcNetwork::new("Other", "10.1.0.0/16")
            .tier_blocks(Tier::Private, SubnetBlocks::split(8, 0))
            .add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "private subnets overlap public subnets, which AWS refuses (InvalidSubnet.Conflict): zone \
             1 (`10.0.0.0/20`) overlaps zone 1 (`10.0.0.0/24`), zone 1 (`10.0.0.0/20`) overlaps zone 2 \
             (`10.0.1.0/24`); expected blocks that overlap no other subnet's",
            "zone 1 (`10.1.0.0/24`) overlaps zone 1 (`10.1.0.0/24`), zone 2 (`10.1.1.0/24`) overlaps \
             zone 2 (`10.1.1.0/24`)",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
    // One mistake each, reported once by the construct, which then declares the default plan: no
    // subnet repeats it; and the summary line.
    assert_eq!(errors.matches("error:").count(), 3, "{errors}");
}

#[test]
fn blocks_outside_the_vpc_are_one_error_per_tier() {
    let at = line_below(11);
    let app = one_stack(|s| {
        VpcNetwork::new("Net", "10.0.0.0/16")
            .zones(3)
            .tier_blocks(
                Tier::Isolated,
                SubnetBlocks::given(["10.1.0.0/24", "10.1.1.0/24", "10.0.200.0/24"]),
            )
            // 254 and 255 are the last /24s of the /16: the third zone's would be number 256, the
            // first that does not exist, and said once.
            .tier_blocks(Tier::Public, SubnetBlocks::split(8, 254))
            .add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "isolated subnets: blocks `10.1.0.0/24` (zone 1), `10.1.1.0/24` (zone 2) are outside the \
             VPC's block `10.0.0.0/16`: expected blocks inside `10.0.0.0/16`",
            "public subnets, zone 3: cannot take block number 256",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
    assert_eq!(errors.matches("error:").count(), 3, "{errors}");
}

#[test]
fn splits_terraform_refuses_and_blocks_outside_the_vpc_are_located_errors() {
    let at = line_below(13);
    let app = one_stack(|s| {
        VpcNetwork::new("Net", "10.0.0.0/16")
            .zones(9)
            // 255 is the last /24 of the /16: the second zone's would be number 256.
            .tier_blocks(Tier::Public, SubnetBlocks::split(8, 255))
            .tier_blocks(Tier::Private, SubnetBlocks::split(20, 0))
            .tier_blocks(
                Tier::Isolated,
                SubnetBlocks::given(["10.1.0.0/24", "10.0.9.0/24"]),
            )
            .gateway_endpoint(GatewayService::S3)
            .nat_gateways(NatGateways::Single)
            .add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "a network over 9 availability zones: expected 1 to 8",
            "public subnets, zone 2: cannot take block number 256 of `10.0.0.0/16` split by 8 bits: a \
             prefix extension of 8 bits does not accommodate a block numbered 256; expected a number \
             from 0 to 255",
            "private subnets, zone 1: cannot split `10.0.0.0/16` by 20 bits: insufficient address space \
             to extend a /16 prefix by 20 bits; expected at most 16 new bits",
            "isolated subnets, zone 1: block `10.1.0.0/24` is outside the VPC's block `10.0.0.0/16`",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}

#[test]
fn combinations_that_cannot_work_are_located_errors() {
    let at = line_below(10);
    let app = one_stack(|s| {
        VpcNetwork::new("A", "10.0.0.0/16")
            .without_tier(Tier::Public)
            .availability_zones(["us-west-2a", "us-west-2a"])
            .tier_blocks(Tier::Private, SubnetBlocks::given(["10.0.0.0/24"]))
            .tier_blocks(
                Tier::Isolated,
                SubnetBlocks::given(["10.0.1.0/30", "10.0.2.0/24"]),
            )
            .add_to(s);
        VpcNetwork::new("B", "10.0.0.0/27").add_to(s);
        VpcNetwork::new("C", "10.1.0.0/26").add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "private subnets reach out through NAT gateways in public subnets, and the network has \
             none: expected the public tier too, or the isolated tier instead of the private",
            "availability zone `us-west-2a` listed twice: expected each zone once",
            "private subnets: 1 blocks given for 2 availability zones: expected one block per zone",
            "isolated subnets, zone 1: block `10.0.1.0/30` has prefix /30; expected a prefix from /16 \
             to /28",
            // A VPC too small for the default plan of four quarters of /28 subnets.
            "the default address plan gives each tier a quarter of the VPC's block `10.0.0.0/27`, room \
             for 0 subnets of /28 or larger per tier, and the network spans 2 zones: expected a larger \
             VPC block, or each tier's blocks (`tier_blocks`)",
            "the default address plan gives each tier a quarter of the VPC's block `10.1.0.0/26`, room \
             for 1 subnets of /28 or larger per tier, and the network spans 2 zones",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}

#[test]
fn an_invalid_vpc_block_is_one_error_and_a_zone_of_another_region_is_located() {
    let vpc_at = line_below(3);
    let zones_at = line_below(10);
    let app = one_stack(|s| {
        VpcNetwork::new("A", "10.0.0.0/8")
            .tier_blocks(
                Tier::Public,
                SubnetBlocks::given(["10.9.0.0/24", "10.9.1.0/24"]),
            )
            .add_to(s);
        VpcNetwork::new("B", "10.1.0.0/16")
            .availability_zones(["eu-west-1a"])
            .add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "VPC CIDR block: CIDR block `10.0.0.0/8` has prefix /8; expected a prefix from /16 to /28",
            "availability zone `eu-west-1a` is not in the environment's region `us-west-2`",
        ],
    );
    assert!(
        errors.contains(&vpc_at),
        "not located at {vpc_at}:\n{errors}"
    );
    assert!(
        errors.contains(&zones_at),
        "not located at {zones_at}:\n{errors}"
    );
    // A: the VPC alone (its subnets, planned in a stand-in block, add nothing); B: the zone once, though
    // two subnets (public and private) are placed in it; and the summary line.
    assert_eq!(errors.matches("error:").count(), 3, "{errors}");
    assert_eq!(errors.matches("`eu-west-1a`").count(), 1, "{errors}");
}

#[test]
fn an_invalid_network_id_is_one_located_error() {
    let at = line_below(5);
    let app = one_stack(|s| {
        let network = VpcNetwork::new("", "10.0.0.0/16")
            .tier(Tier::Isolated)
            .gateway_endpoint(GatewayService::S3)
            .add_to(s);
        assert_eq!(network.isolated_subnets().len(), 2);
        VpcNetwork::new("N".repeat(111), "10.1.0.0/16").add_to(s);
        VpcNetwork::new("Net", "10.2.0.0/16").add_to(s);
        VpcNetwork::new("Net", "10.3.0.0/16").add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "invalid network id ``: expected a non-empty id",
            "expected at most 110 characters, as its flow logs' policy is named \
             `<id>-FlowLogs-Delivery` and IAM takes at most 128, found 111",
            "duplicate network id `Net`: already declared at",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
    // One error per network, none from its parts; and the summary line.
    assert_eq!(errors.matches("error:").count(), 4, "{errors}");
}

/// The longest id that fits: its flow logs' policy `<id>-FlowLogs-Delivery` is 128 characters, which both
/// targets take (their own name checks run: no composite id was refused in the stack).
#[test]
fn the_longest_network_id_synthesizes() {
    let app = one_stack(|s| {
        VpcNetwork::new("M".repeat(110), "10.2.0.0/16")
            .zones(8)
            .add_to(s);
    });
    let docs = artifacts(&app);
    assert!(docs[CFN]["Resources"].get("M".repeat(110)).is_some());
}

/// The network's handles are what other constructs take: a replicated service behind HTTPS, its load
/// balancer in the public subnets and its fleet in the private ones.
#[test]
fn a_replicated_service_runs_in_the_network() {
    use stackwright::aws::service::{Frontend, Machine, ReplicatedService, Scaling, Size};
    let app = one_stack(|s| {
        let network = VpcNetwork::new("Net", "10.0.0.0/16").add_to(s);
        ReplicatedService::new(
            "Web",
            Machine::new("ami-12345678", "t3.small").user_data("#!/bin/sh\n"),
            Frontend::Https {
                certificate_arn: "arn:aws:acm:us-west-2:123456789012:certificate/abc".into(),
            },
            8080,
            "/health",
            Size {
                min: 2,
                max: 4,
                scaling: Scaling::TargetCpu { percent: 60 },
            },
        )
        .add_to(s, network.for_service());
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    assert_eq!(
        resources["WebLoadBalancer"]["Properties"]["Subnets"],
        json!([{"Ref": "NetPublic1"}, {"Ref": "NetPublic2"}])
    );
    let fleet = resources
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::AutoScaling::AutoScalingGroup")
        .unwrap();
    assert_eq!(
        fleet["Properties"]["VPCZoneIdentifier"],
        json!([{"Ref": "NetPrivate1"}, {"Ref": "NetPrivate2"}])
    );
    let groups = tf_of(&docs, "aws_autoscaling_group");
    assert_eq!(
        groups.values().next().unwrap()["vpc_zone_identifier"],
        json!([
            "${aws_subnet.net_private_1.id}",
            "${aws_subnet.net_private_2.id}"
        ])
    );
}

#[test]
fn a_gateway_endpoint_without_route_tables_is_a_located_error() {
    let at = line_below(3);
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        s.add(ec2::VpcEndpoint::gateway(
            "S3",
            &vpc,
            GatewayService::S3,
            &[],
        ));
    });
    let errors = fails(
        &app,
        &["gateway endpoint to s3: no route table, so no subnet would reach it; expected at least one \
           route table"],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}

#[test]
fn a_rule_of_a_group_declared_on_its_own_is_one_resource_in_each_target() {
    use ec2::{Peer, Port, SecurityGroup, SecurityGroupEgress, SecurityGroupIngress};
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let lb = s.add(SecurityGroup::new("Lb", &vpc, "the balancer"));
        let tasks = s.add(SecurityGroup::new("Tasks", &vpc, "the tasks"));
        s.add(SecurityGroupIngress::new(
            "TasksFromLb",
            &tasks,
            Peer::security_group(&lb),
            Port::tcp(8080),
            "from the balancer",
        ));
        s.add(SecurityGroupEgress::new(
            "TasksHttps",
            &tasks,
            Peer::any_ipv4(),
            Port::tcp(443),
            "image pulls",
        ));
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    assert_eq!(
        resources["TasksFromLb"],
        json!({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
            "GroupId": {"Fn::GetAtt": ["Tasks", "GroupId"]},
            "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
            "SourceSecurityGroupId": {"Fn::GetAtt": ["Lb", "GroupId"]},
            "Description": "from the balancer"
        }})
    );
    assert_eq!(
        resources["TasksHttps"],
        json!({"Type": "AWS::EC2::SecurityGroupEgress", "Properties": {
            "GroupId": {"Fn::GetAtt": ["Tasks", "GroupId"]},
            "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "CidrIp": "0.0.0.0/0", "Description": "image pulls"
        }})
    );
    let tf = &docs[TF]["resource"];
    assert_eq!(
        tf["aws_vpc_security_group_ingress_rule"]["tasks_from_lb"],
        json!({"security_group_id": "${aws_security_group.tasks.id}", "ip_protocol": "tcp",
            "from_port": 8080, "to_port": 8080,
            "referenced_security_group_id": "${aws_security_group.lb.id}",
            "description": "from the balancer"})
    );
    assert_eq!(
        tf["aws_vpc_security_group_egress_rule"]["tasks_https"],
        json!({"security_group_id": "${aws_security_group.tasks.id}", "ip_protocol": "tcp",
            "from_port": 443, "to_port": 443, "cidr_ipv4": "0.0.0.0/0",
            "description": "image pulls"})
    );
}

#[test]
fn a_bad_rule_of_a_group_declared_on_its_own_is_a_located_error() {
    use ec2::{Peer, Port, SecurityGroup, SecurityGroupEgress};
    let at = line_below(4);
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let tasks = s.add(SecurityGroup::new("Tasks", &vpc, "the tasks"));
        s.add(SecurityGroupEgress::new(
            "TasksOut",
            &tasks,
            Peer::ipv4("10.0.0.0/33"),
            Port::tcp_range(443, 80),
            "out",
        ));
    });
    let errors = fails(&app, &["10.0.0.0/33", "443-80 is reversed"]);
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}
