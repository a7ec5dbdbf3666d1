//! What a definition uses without declaring it: the region's availability zones, and resources that
//! exist already.

use crate::support::{artifacts, fails, line_below, one_stack, CFN, TF};
use serde_json::json;
use stackwright::aws::ec2::{self, StackExt};
use stackwright::prelude::*;

#[test]
fn availability_zones_are_read_at_deploy_time_in_both_targets() {
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let zones = s.availability_zones();
        for (i, zone) in zones.names(2).into_iter().enumerate() {
            s.add(
                ec2::Subnet::new(format!("Subnet-{i}"), &vpc, &format!("10.0.{i}.0/24"))
                    .availability_zone(zone),
            );
        }
        // One lookup per stack, however often it is asked for.
        let second = s.availability_zones().name(1);
        s.output("Zone", interpolate!["zone ", second]);
    });
    let docs = artifacts(&app);
    let cfn = &docs[CFN];
    assert_eq!(
        cfn["Resources"]["Subnet1"]["Properties"]["AvailabilityZone"],
        json!({"Fn::Select": [1, {"Fn::GetAZs": ""}]})
    );
    assert!(cfn["Resources"].get("AvailabilityZones").is_none());
    assert_eq!(
        cfn["Outputs"]["Zone"]["Value"],
        json!({"Fn::Join": ["", ["zone ", {"Fn::Select": [1, {"Fn::GetAZs": ""}]}]]})
    );
    let tf = &docs[TF];
    let zones = &tf["data"]["aws_availability_zones"]["availability_zones"];
    assert_eq!(zones["state"], "available");
    assert!(zones["//"][0]
        .as_str()
        .unwrap()
        .starts_with("checkov:skip=CKV_AWS_394: zones are chosen by index"));
    assert_eq!(
        tf["resource"]["aws_subnet"]["subnet_0"]["availability_zone"],
        "${data.aws_availability_zones.availability_zones.names[0]}"
    );
    assert_eq!(
        tf["output"]["zone"]["value"],
        "zone ${data.aws_availability_zones.availability_zones.names[1]}"
    );
}

#[test]
fn a_zone_index_out_of_range_is_one_error() {
    let at = line_below(4);
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let zone = s.availability_zones().name(8);
        s.add(ec2::Subnet::new("Subnet", &vpc, "10.0.0.0/24").availability_zone(zone));
    });
    let stderr = fails(
        &app,
        &["availability zone index out of range: expected 0 to 7", &at],
    );
    assert!(stderr.contains("1 problem found"), "{stderr}");
}

#[test]
fn a_literal_zone_of_another_region_is_an_error_at_the_users_line() {
    let at = line_below(7);
    let app = App::new("demo")
        .environment(Environment::new("dev", "123456789012", "eu-central-1", ()))
        .environment(Environment::new("prod", "123456789012", "eu-central-1", ()))
        .stack("main", |s, _| {
            let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            s.add(ec2::Subnet::new("Ok", &vpc, "10.0.0.0/24").availability_zone("eu-central-1b"));
            s.add(ec2::Subnet::new("Subnet", &vpc, "10.0.1.0/24").availability_zone("us-west-2a"));
        });
    let stderr = fails(
        &app,
        &[
            "availability zone `us-west-2a` is not in the environment's region `eu-central-1`: \
             expected a zone of that region (e.g. `eu-central-1a`), or `stack.availability_zones().name(0)`",
            &at,
            "in environments `dev`, `prod`, stack `main`, resource `Subnet`",
        ],
    );
    assert!(stderr.contains("1 problem found"), "{stderr}");
}

#[test]
fn existing_resources_give_typed_handles_whose_values_are_inlined() {
    use stackwright::aws::{iam, s3, ssm};
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::from_id("SharedVpc", "vpc-0123456789abcdef0"));
        // A value published by another team, read at deploy time.
        let subnet_id = s.add(ssm::ParameterLookup::string(
            "SubnetId",
            "/network/app-subnet",
        ));
        let subnet = s.add(ec2::Subnet::from_id("SharedSubnet", subnet_id.value()));
        let web = s.add(ec2::SecurityGroup::new("Web", &vpc, "web"));
        s.add(
            ec2::Instance::new("Server", "ami-12345678", "t3.micro")
                .subnet(&subnet)
                .security_group(&web),
        );
        let role = s.add(iam::Role::from_name("Deployer", "deployer"));
        let bucket = s.add(s3::Bucket::from_name("Artifacts", "shop-artifacts"));
        s.add(bucket.grant_read(&role));
    });
    let docs = artifacts(&app);
    let cfn = &docs[CFN]["Resources"];
    for existing in ["SharedVpc", "SharedSubnet", "Deployer", "Artifacts"] {
        assert!(cfn.get(existing).is_none(), "{existing} was emitted");
    }
    assert_eq!(cfn["Web"]["Properties"]["VpcId"], "vpc-0123456789abcdef0");
    assert_eq!(
        cfn["Server"]["Properties"]["SubnetId"],
        json!({"Ref": "SubnetId"})
    );
    let policy = &cfn["DeployerArtifactsRead"]["Properties"];
    assert_eq!(policy["Roles"], json!(["deployer"]));
    assert_eq!(
        policy["PolicyDocument"]["Statement"][0]["Resource"],
        json!([
            {"Fn::Sub": "arn:${AWS::Partition}:s3:::shop-artifacts"},
            {"Fn::Sub": "arn:${AWS::Partition}:s3:::shop-artifacts/*"}
        ])
    );
    let tf = &docs[TF];
    assert!(tf["resource"].get("aws_vpc").is_none());
    assert!(tf["resource"].get("aws_s3_bucket").is_none());
    assert_eq!(
        tf["resource"]["aws_security_group"]["web"]["vpc_id"],
        "vpc-0123456789abcdef0"
    );
    assert_eq!(
        tf["resource"]["aws_instance"]["server"]["subnet_id"],
        "${data.aws_ssm_parameter.subnet_id.insecure_value}"
    );
    assert_eq!(
        tf["resource"]["aws_iam_role_policy"]["deployer_artifacts_read"]["role"],
        "deployer"
    );
}

#[test]
fn an_existing_resource_from_another_stack_needs_no_export() {
    let app = App::new("shop")
        .environment(Environment::new("dev", "123456789012", "eu-west-1", ()))
        .stacks(|stacks, _| {
            let vpc = stacks.stack("network", |s| {
                s.add(ec2::Vpc::new("Own", "10.0.0.0/16"));
                s.add(ec2::Vpc::from_id("Shared", "vpc-0123456789abcdef0"))
            });
            stacks.stack("service", |s| {
                s.add(ec2::SecurityGroup::new("Web", &vpc, "web"));
            });
        });
    let synthesis = stackwright::synth::synthesize(&app, &Default::default()).unwrap();
    let docs: std::collections::BTreeMap<_, serde_json::Value> = synthesis
        .artifacts
        .iter()
        .map(|a| (a.path.as_str(), serde_json::from_slice(&a.bytes).unwrap()))
        .collect();
    let network = &docs["cloudformation/dev/network.template.json"];
    assert!(network.get("Outputs").is_none(), "{network}");
    let service = &docs["cloudformation/dev/service.template.json"];
    assert_eq!(
        service["Resources"]["Web"]["Properties"]["VpcId"],
        "vpc-0123456789abcdef0"
    );
    assert!(synthesis.artifacts.iter().all(|a| a.depends_on.is_empty()));
}

#[test]
fn an_unknown_attribute_of_an_existing_resource_is_one_error_where_it_is_used() {
    let at = line_below(3);
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::from_id("SharedVpc", "vpc-0123456789abcdef0"));
        s.output("Cidr", vpc.cidr_block());
        s.add(ec2::SecurityGroup::new("Web", &vpc, "web"));
    });
    let stderr = fails(
        &app,
        &[
            "`Cidr` uses `cidr_block` of `SharedVpc`, which exists outside the app with only `id` known",
            &at,
        ],
    );
    assert!(stderr.contains("1 problem found"), "{stderr}");
}

#[test]
fn every_from_constructor_gives_its_known_attributes() {
    use stackwright::aws::{acm, elbv2, iam, kms, route53, s3};
    let app = one_stack(|s| {
        s.add(ec2::Vpc::new("Own", "10.0.0.0/16"));
        let values = [
            s.add(ec2::Vpc::from_id("V", "vpc-1")).id(),
            s.add(ec2::Subnet::from_id("Sn", "subnet-1")).id(),
            s.add(ec2::SecurityGroup::from_id("Sg", "sg-1")).id(),
            s.add(iam::Role::from_name("R", "ops")).arn(),
            s.add(s3::Bucket::from_name("B", "logs")).arn(),
            s.add(route53::HostedZone::from_id("Z", "Z123", "example.com"))
                .id(),
            s.add(acm::Certificate::from_arn(
                "C",
                "arn:aws:acm:us-west-2:1:certificate/c",
            ))
            .arn(),
            s.add(kms::Key::from_arn("K", "arn:aws:kms:us-west-2:1:key/k"))
                .key_id(),
            s.add(elbv2::LoadBalancer::application_from_arn("L", "arn:lb"))
                .arn(),
            s.add(elbv2::TargetGroup::from_arn(
                "T",
                "arn:tg",
                elbv2::Protocol::Http,
            ))
            .arn(),
        ];
        for (i, value) in values.into_iter().enumerate() {
            s.output(format!("O{i}"), value);
        }
    });
    let docs = artifacts(&app);
    let outputs: Vec<&serde_json::Value> = (0..10)
        .map(|i| &docs[CFN]["Outputs"][format!("O{i}")]["Value"])
        .collect();
    assert_eq!(
        outputs,
        [
            &json!("vpc-1"),
            &json!("subnet-1"),
            &json!("sg-1"),
            &json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/ops"}),
            &json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::logs"}),
            &json!("Z123"),
            &json!("arn:aws:acm:us-west-2:1:certificate/c"),
            &json!("arn:aws:kms:us-west-2:1:key/k"),
            &json!("arn:lb"),
            &json!("arn:tg"),
        ]
    );
    assert_eq!(
        docs[TF]["output"]["o3"]["value"],
        "arn:aws:iam::123456789012:role/ops"
    );
    assert_eq!(docs[CFN]["Resources"].as_object().unwrap().len(), 1);
}

#[test]
fn lookups_by_tags_are_data_sources_in_terraform_and_typed_parameters_in_cloudformation() {
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::lookup("SharedVpc", [("Name", "shared")]));
        let subnet = s.add(ec2::Subnet::lookup(
            "AppSubnet",
            [("Name", "shared-app-a"), ("tier", "app")],
        ));
        let admin = s.add(ec2::SecurityGroup::lookup("Admin", [("Name", "admin")]));
        let web = s.add(ec2::SecurityGroup::new("Web", &vpc, "web"));
        s.add(
            ec2::Instance::new("Server", "ami-12345678", "t3.micro")
                .subnet(&subnet)
                .security_group(&web)
                .security_group(&admin),
        );
    });
    let docs = artifacts(&app);
    let cfn = &docs[CFN];
    assert_eq!(
        cfn["Parameters"]["SharedVpc"],
        json!({"Type": "AWS::EC2::VPC::Id", "Description": "the one tagged Name=shared (give its id when deploying)"})
    );
    assert_eq!(
        cfn["Parameters"]["AppSubnet"]["Type"],
        "AWS::EC2::Subnet::Id"
    );
    assert_eq!(
        cfn["Parameters"]["Admin"]["Type"],
        "AWS::EC2::SecurityGroup::Id"
    );
    assert_eq!(
        cfn["Resources"]["Web"]["Properties"]["VpcId"],
        json!({"Ref": "SharedVpc"})
    );
    assert_eq!(
        cfn["Resources"]["Server"]["Properties"]["SubnetId"],
        json!({"Ref": "AppSubnet"})
    );
    let tf = &docs[TF];
    assert_eq!(
        tf["data"]["aws_vpc"],
        json!({"shared_vpc": {"tags": {"Name": "shared"}}})
    );
    assert_eq!(
        tf["data"]["aws_subnet"],
        json!({"app_subnet": {"tags": {"Name": "shared-app-a", "tier": "app"}}})
    );
    assert_eq!(
        tf["data"]["aws_security_group"],
        json!({"admin": {"tags": {"Name": "admin"}}})
    );
    assert_eq!(
        tf["resource"]["aws_security_group"]["web"]["vpc_id"],
        "${data.aws_vpc.shared_vpc.id}"
    );
}

#[test]
fn a_lookup_without_tags_is_an_error() {
    let at = line_below(2);
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::lookup(
            "SharedVpc",
            Vec::<(String, String)>::new(),
        ));
        s.add(ec2::SecurityGroup::new("Web", &vpc, "web"));
    });
    fails(
        &app,
        &[
            "lookup by tags has no tag: expected at least one (key, value)",
            &at,
        ],
    );
}
