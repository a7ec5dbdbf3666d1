//! Pseudo parameters (`Expr::stack_name()`, `stack_id()`, `url_suffix()`, `no_value()`, besides account,
//! region and partition) on the exact JSON of each target, and the located error where a target has no
//! equivalent or `no_value()` stands where no property can be left out.

use crate::support::{artifacts, fails, line_below, map, one_stack, run, CFN, TF};
use serde_json::{json, Value as Json};
use stackwright::aws::sns;
use stackwright::prelude::*;
use stackwright::synth::{synthesize, Request, Target};
use stackwright::{cfn, Value};

/// A topic in both targets' own terms, so that each property is placed by the test.
#[track_caller]
fn topic(s: &mut Stack, cloudformation: Value, terraform: Value) {
    s.add(
        cfn::Raw::new("Topic", "AWS::SNS::Topic", cloudformation)
            .terraform("aws_sns_topic", terraform),
    );
}

/// The one artifact of `target`.
fn only(app: &App<()>, target: Target) -> Json {
    let request = Request {
        targets: vec![target],
        ..Request::default()
    };
    let synthesis = synthesize(app, &request).unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(synthesis.artifacts.len(), 1);
    serde_json::from_slice(&synthesis.artifacts[0].bytes).unwrap()
}

fn endpoint() -> Expr {
    interpolate![
        "https://sns.",
        Expr::region(),
        ".",
        Expr::url_suffix(),
        "/",
        Expr::account_id(),
        "/",
        Expr::stack_name()
    ]
}

#[test]
fn pseudo_parameters_lower_to_cloudformation_pseudo_parameters() {
    let app = one_stack(|s| {
        topic(
            s,
            map(&[
                ("TopicName", Expr::stack_name().into()),
                ("DisplayName", endpoint().into()),
            ]),
            map(&[]),
        );
        s.output("Suffix", Expr::url_suffix());
        s.output("Partition", Expr::partition());
        s.output("Stack", Expr::stack_id());
    });
    let template = only(&app, Target::CloudFormation);
    let properties = &template["Resources"]["Topic"]["Properties"];
    assert_eq!(properties["TopicName"], json!({"Ref": "AWS::StackName"}));
    assert_eq!(
        properties["DisplayName"],
        json!({"Fn::Sub": "https://sns.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/${AWS::StackName}"})
    );
    let outputs = &template["Outputs"];
    assert_eq!(outputs["Suffix"]["Value"], json!({"Ref": "AWS::URLSuffix"}));
    assert_eq!(
        outputs["Partition"]["Value"],
        json!({"Ref": "AWS::Partition"})
    );
    assert_eq!(outputs["Stack"]["Value"], json!({"Ref": "AWS::StackId"}));
}

#[test]
fn terraform_reads_the_url_suffix_from_one_partition_data_source_and_knows_the_stack_name() {
    let app = one_stack(|s| {
        topic(
            s,
            map(&[]),
            map(&[
                ("name", Expr::stack_name().into()),
                ("display_name", endpoint().into()),
            ]),
        );
        s.output("Suffix", Expr::url_suffix());
    });
    let module = only(&app, Target::Terraform);
    assert_eq!(
        module["resource"]["aws_sns_topic"]["topic"],
        json!({
            "name": "demo-dev-main",
            "display_name": "https://sns.us-west-2.${data.aws_partition.stackwright_partition.dns_suffix}/123456789012/demo-dev-main"
        })
    );
    assert_eq!(
        module["output"]["suffix"]["value"],
        "${data.aws_partition.stackwright_partition.dns_suffix}"
    );
    // Declared once, however many expressions read it.
    assert_eq!(
        module["data"],
        json!({"aws_partition": {"stackwright_partition": {}}})
    );

    // A module that never reads the suffix declares no data source.
    let plain = one_stack(|s| {
        topic(s, map(&[]), map(&[("name", Expr::stack_name().into())]));
        s.output("Region", Expr::region());
    });
    let module = only(&plain, Target::Terraform);
    assert_eq!(module.get("data"), None, "{module:#}");
    assert_eq!(module["output"]["region"]["value"], "us-west-2");
}

#[test]
fn the_stack_id_is_a_located_error_in_terraform() {
    let at = line_below(2);
    let app = one_stack(|s| {
        topic(s, map(&[]), map(&[("name", Expr::stack_id().into())]));
    });
    let errors = fails(
        &app,
        &[
            "`Expr::stack_id()` is CloudFormation's stack id",
            "a Terraform module has no stack id",
        ],
    );
    assert!(errors.contains(&at), "expected `{at}` in:\n{errors}");
    // CloudFormation alone has it.
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, _, stderr) = run(
        &app,
        &[
            "synth",
            "--target",
            "cloudformation",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");

    let at = line_below(2);
    let output = one_stack(|s| {
        s.output("Id", Expr::stack_id());
    });
    let errors = fails(&output, &["a Terraform module has no stack id"]);
    assert!(errors.contains(&at), "expected `{at}` in:\n{errors}");
}

#[test]
fn no_value_removes_a_property_and_a_nested_property_in_both_targets() {
    let app = one_stack(|s| {
        s.add(
            cfn::Raw::new(
                "Web",
                "AWS::EC2::Instance",
                map(&[
                    ("ImageId", "ami-12345678".into()),
                    ("KeyName", Expr::no_value().into()),
                    (
                        "CreditSpecification",
                        map(&[("CPUCredits", Expr::no_value().into())]),
                    ),
                ]),
            )
            .terraform(
                "aws_instance",
                map(&[
                    ("ami", "ami-12345678".into()),
                    ("key_name", Expr::no_value().into()),
                    (
                        "credit_specification",
                        map(&[("cpu_credits", Expr::no_value().into())]),
                    ),
                ]),
            ),
        );
        s.add(
            stackwright::aws::ec2::Instance::new("Typed", "ami-12345678", "t3.micro")
                .override_cloudformation("Properties.Monitoring", Expr::no_value())
                .override_terraform("monitoring", Expr::no_value()),
        );
        // A property the builder does not set is absent already: nothing to remove, no error.
        s.add(
            sns::Topic::new("Alerts")
                .override_cloudformation("Properties.DisplayName", Expr::no_value())
                .override_terraform("display_name", Expr::no_value()),
        );
    });
    let docs = artifacts(&app);
    let no_value = json!({"Ref": "AWS::NoValue"});
    let web = &docs[CFN]["Resources"]["Web"]["Properties"];
    assert_eq!(web["ImageId"], "ami-12345678");
    assert_eq!(web["KeyName"], no_value);
    assert_eq!(web["CreditSpecification"], json!({"CPUCredits": no_value}));
    assert_eq!(
        docs[CFN]["Resources"]["Typed"]["Properties"]["Monitoring"],
        no_value
    );
    assert_eq!(
        docs[TF]["resource"]["aws_instance"]["web"],
        json!({"ami": "ami-12345678", "credit_specification": {}})
    );
    let alerts = &docs[TF]["resource"]["aws_sns_topic"]["alerts"];
    assert_eq!(alerts.get("display_name"), None, "{alerts:#}");
    let typed = &docs[TF]["resource"]["aws_instance"]["typed"];
    assert_eq!(typed.get("monitoring"), None, "{typed:#}");
    assert!(typed.get("ami").is_some(), "{typed:#}");
}

#[test]
fn no_value_anywhere_but_a_whole_property_value_is_a_located_error() {
    // Inside a text, in a list, as a tag and as an output: one error each, at its line, in both targets.
    let cases: Vec<(&str, App<()>, String)> = vec![
        {
            let at = line_below(2);
            let app = one_stack(|s| {
                topic(
                    s,
                    map(&[("DisplayName", (Expr::from("x") + Expr::no_value()).into())]),
                    map(&[("display_name", (Expr::from("x") + Expr::no_value()).into())]),
                );
            });
            ("text", app, at)
        },
        {
            let at = line_below(2);
            let app = one_stack(|s| {
                topic(
                    s,
                    map(&[("TopicName", Value::List(vec![Expr::no_value().into()]))]),
                    map(&[("name", Value::List(vec![Expr::no_value().into()]))]),
                );
            });
            ("list", app, at)
        },
        {
            let at = line_below(2);
            let app = one_stack(|s| {
                s.add(stackwright::aws::sns::Topic::new("Alerts").tag("owner", Expr::no_value()));
            });
            ("tag", app, at)
        },
        {
            let at = line_below(2);
            let app = one_stack(|s| {
                s.output("Nothing", Expr::no_value());
            });
            ("output", app, at)
        },
    ];
    for (what, app, at) in cases {
        let errors = fails(&app, &["`Expr::no_value()` stands for an absent property"]);
        assert!(
            errors.contains(&at),
            "{what}: expected `{at}` in:\n{errors}"
        );
        // Both targets refuse it in the same words: a synthesis of both shows it once.
        assert_eq!(
            errors.matches("stands for an absent property").count(),
            1,
            "{what}:\n{errors}"
        );
        for target in ["cloudformation", "terraform"] {
            let scratch = tempfile::tempdir().unwrap();
            let out = scratch.path().join("out");
            let (code, _, stderr) = run(
                &app,
                &["synth", "--target", target, "--out", out.to_str().unwrap()],
            );
            assert_eq!(code, 1, "{what}, {target}: {stderr}");
            assert!(
                stderr.contains("stands for an absent property") && stderr.contains(&at),
                "{what}, {target}:\n{stderr}"
            );
        }
    }
}
