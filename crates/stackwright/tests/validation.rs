//! Synth-time schema validation: every lowered resource is checked against the pinned CloudFormation
//! registry and Terraform provider schemas, raw resources and overrides included, with located errors.

use crate::support::{fails, line_below, map, one_stack, run};
use stackwright::aws::ec2;
use stackwright::{cfn, tf, App, Environment};

#[test]
fn a_misspelled_property_in_a_raw_resource() {
    let at = line_below(3);
    let app = one_stack(|s| {
        s.add(
            cfn::Raw::new(
                "Queue",
                "AWS::SQS::Queue",
                map(&[("VisibilityTimeot", 30i64.into())]),
            )
            .terraform(
                "aws_sqs_queue",
                map(&[("visibility_timeout_secnds", 30i64.into())]),
            ),
        );
    });
    fails(
        &app,
        &[
            "`AWS::SQS::Queue` `Properties.VisibilityTimeot`: unknown property `VisibilityTimeot`; did you mean `VisibilityTimeout`?",
            "`aws_sqs_queue` `visibility_timeout_secnds`: unknown attribute or block `visibility_timeout_secnds`; did you mean `visibility_timeout_seconds`?",
            "resource `Queue`",
            &at,
        ],
    );
}

#[test]
fn a_misspelled_property_in_an_override() {
    let app = one_stack(|s| {
        s.add(
            ec2::Instance::new("Web", "ami-12345678", "t3.micro")
                .override_cloudformation("Properties.InstanceTyp", "t3.small")
                .override_terraform("instance_typ", "t3.small"),
        );
    });
    fails(
        &app,
        &[
            "`AWS::EC2::Instance` `Properties.InstanceTyp`: unknown property `InstanceTyp`; did you mean `InstanceType`?",
            "`aws_instance` `instance_typ`: unknown attribute or block `instance_typ`; did you mean `instance_type`?",
            "resource `Web`",
        ],
    );
}

#[test]
fn a_wrong_value_type() {
    let app = one_stack(|s| {
        s.add(
            ec2::Instance::new("Web", "ami-12345678", "t3.micro")
                .override_cloudformation(
                    "Properties.MetadataOptions.HttpPutResponseHopLimit",
                    "lots",
                )
                .override_terraform("metadata_options.http_put_response_hop_limit", "lots")
                .override_terraform("monitoring", map(&[])),
        );
    });
    fails(
        &app,
        &[
            "`AWS::EC2::Instance` `Properties.MetadataOptions.HttpPutResponseHopLimit`: expected integer, found \"lots\"",
            "`aws_instance` `metadata_options.http_put_response_hop_limit`: expected number, found \"lots\"",
            "`aws_instance` `monitoring`: expected bool, found {}",
        ],
    );
}

#[test]
fn a_missing_required_property() {
    let app = one_stack(|s| {
        s.add(
            cfn::Raw::new(
                "Subnet",
                "AWS::EC2::Subnet",
                map(&[("CidrBlock", "10.0.0.0/24".into())]),
            )
            .terraform("aws_subnet", map(&[("cidr_block", "10.0.0.0/24".into())])),
        );
        s.add(
            tf::Raw::new(
                "Setting",
                "aws_ssm_parameter",
                map(&[("type", "String".into())]),
            )
            .data_source()
            .cloudformation(
                "AWS::SSM::Parameter",
                map(&[("Type", "String".into()), ("Value", "x".into())]),
            ),
        );
    });
    fails(
        &app,
        &[
            "`AWS::EC2::Subnet` `Properties`: missing required property `VpcId`",
            "`aws_subnet`: missing required attribute `vpc_id`",
            "`aws_ssm_parameter`: missing required attribute `name`",
        ],
    );
}

#[test]
fn a_resource_type_absent_in_the_environment_region() {
    let service = || {
        let source = map(&[(
            "ImageRepository",
            map(&[
                (
                    "ImageIdentifier",
                    "public.ecr.aws/aws-containers/hello-app-runner:latest".into(),
                ),
                ("ImageRepositoryType", "ECR_PUBLIC".into()),
            ]),
        )]);
        cfn::Raw::new(
            "Api",
            "AWS::AppRunner::Service",
            map(&[("SourceConfiguration", source)]),
        )
    };
    let app = App::new("demo")
        .environment(Environment::new("brazil", "123456789012", "sa-east-1", ()))
        .stack("main", move |s, _| {
            s.add(service());
        });
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, _, stderr) = run(
        &app,
        &["--target", "cloudformation", "--out", out.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(
            "resource type `AWS::AppRunner::Service` is not available in region `sa-east-1`"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("environment `brazil`") && stderr.contains("resource `Api`"),
        "{stderr}"
    );
    assert!(!out.exists());

    // The same definition in a region that offers App Runner synthesizes.
    let ireland = App::new("demo")
        .environment(Environment::new("ireland", "123456789012", "eu-west-1", ()))
        .stack("main", move |s, _| {
            s.add(service());
        });
    let (code, _, stderr) = run(
        &ireland,
        &["--target", "cloudformation", "--out", out.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
}
