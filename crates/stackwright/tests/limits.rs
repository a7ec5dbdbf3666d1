//! CloudFormation's template quotas, decided before lowering from the stack alone: the resources a kind
//! adds beside its own (an internet gateway's attachment) and lookups (template parameters) count, and
//! the error points where the corpus's cases do.

use crate::support::{fails, one_stack};
use stackwright::aws::ec2;
use stackwright::Parameter;

/// 170 VPCs, each with an internet gateway: 510 template resources (each gateway adds its attachment),
/// and the gateway whose two entries pass 500 is the 167th. `bad_instance` adds an instance whose
/// override only lowering finds wrong.
fn gateways(bad_instance: bool) -> stackwright::App<()> {
    one_stack(move |s| {
        for i in 0..170 {
            let vpc = s.add(ec2::Vpc::new(format!("Vpc{i}"), "10.0.0.0/16"));
            s.add(ec2::InternetGateway::new(format!("Gateway{i}"), &vpc));
        }
        if bad_instance {
            s.add(
                ec2::Instance::new("Web", "ami-12345678", "t3.micro")
                    .override_cloudformation("Properties.InstanceTyp", "t3.small"),
            );
        }
    })
}

#[test]
fn resources_a_kind_adds_count_and_the_error_names_the_resource_that_passes_the_limit() {
    let line = include_str!("limits.rs")
        .lines()
        .position(|l| l.contains("InternetGateway::new"))
        .expect("the gateway's line")
        + 1;
    let at = format!("tests/limits.rs:{line}:");
    let stderr = fails(
        &gateways(false),
        &[
            "510 CloudFormation resources in stack `main`: a template takes at most 500; split the stack",
            "resource `Gateway166`",
            &at,
        ],
    );
    assert!(stderr.contains("error: 1 problem found"), "{stderr}");
}

#[test]
fn a_stack_over_a_quota_is_refused_before_lowering_so_lowering_problems_wait() {
    let stderr = fails(
        &gateways(true),
        &["511 CloudFormation resources in stack `main`"],
    );
    // Found only by lowering the instance (schema validation), so not for a refused template.
    assert!(
        !stderr.contains("`AWS::EC2::Instance` `Properties.InstanceTyp`"),
        "{stderr}"
    );
    // Once the stack fits, it is lowered and the problem shows.
    let app = one_stack(|s| {
        s.add(
            ec2::Instance::new("Web", "ami-12345678", "t3.micro")
                .override_cloudformation("Properties.InstanceTyp", "t3.small"),
        );
    });
    fails(&app, &["`AWS::EC2::Instance` `Properties.InstanceTyp`"]);
}

#[test]
fn lookups_count_as_parameters() {
    let app = one_stack(|s| {
        for i in 0..199 {
            s.add_parameter(Parameter::string(format!("P{i}")).default_value("x"));
        }
        s.add(ec2::Vpc::lookup("Shared", [("Name", "shared")]));
        let other = s.add(ec2::Vpc::lookup("Other", [("Name", "other")]));
        s.add(ec2::Subnet::new("Subnet", &other, "10.0.0.0/24"));
    });
    fails(
        &app,
        &["201 parameters (parameter lookups included) in stack `main`: a CloudFormation template takes at most 200"],
    );
}
