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
    assert_eq!(
        tf["data"]["aws_availability_zones"],
        json!({"availability_zones": {"state": "available"}})
    );
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
