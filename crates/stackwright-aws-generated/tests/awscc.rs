//! The synth-time awscc schema check of generated resources and the awscc names of JSON values of
//! CloudFormation objects (`oneOf` of object branches), on real generated types and the real pipeline.

use serde_json::{json, Value as Json};
use stackwright::prelude::*;
use stackwright::synth::{synthesize, Request};
use stackwright::Value;
use stackwright_aws_generated::{apptest, autoscaling, lambda, sqs};

fn app(define: fn(&mut Stack, &Environment<()>)) -> App<()> {
    App::new("t")
        .environment(Environment::new("dev", "111111111111", "us-east-1", ()))
        .stack("s", define)
}

fn terraform() -> Request {
    Request {
        targets: vec![stackwright::synth::Target::Terraform],
        ..Request::default()
    }
}

/// The messages of a failed Terraform synthesis, each with the file of its location.
fn problems(define: fn(&mut Stack, &Environment<()>)) -> Vec<String> {
    match synthesize(&app(define), &terraform()) {
        Ok(_) => panic!("expected synthesis to fail"),
        Err(problems) => problems
            .into_iter()
            .map(|d| {
                let at = d.location.map(|l| l.file().to_owned()).unwrap_or_default();
                format!("{} @ {at}", d.message)
            })
            .collect(),
    }
}

/// The one Terraform module of a synthesis that succeeds.
fn module(define: fn(&mut Stack, &Environment<()>)) -> Json {
    let artifacts = match synthesize(&app(define), &Request::default()) {
        Ok(artifacts) => artifacts,
        Err(problems) => panic!("{problems:#?}"),
    };
    let artifact = artifacts
        .artifacts
        .iter()
        .find(|a| a.path.ends_with("main.tf.json"))
        .expect("a Terraform module");
    serde_json::from_slice(&artifact.bytes).expect("JSON")
}

fn function(id: &str) -> lambda::Function {
    lambda::Function::new(
        id,
        lambda::function::Code::new().zip_file("def handler(e, c): pass"),
        "arn:aws:iam::111111111111:role/worker",
    )
}

fn cloudformation_action(resource: &str) -> Value {
    Value::Map(vec![(
        "ResourceAction".into(),
        Value::Map(vec![(
            "CloudFormationAction".into(),
            Value::Map(vec![("Resource".into(), resource.into())]),
        )]),
    )])
}

#[test]
fn an_unknown_nested_attribute_set_by_an_override_is_a_located_error_with_a_did_you_mean() {
    let found = problems(|stack, _| {
        stack.add(function("Worker").override_terraform("tracing_config.mdoe", "Active"));
    });
    assert_eq!(
        found,
        [
            "`awscc_lambda_function` `tracing_config.mdoe`: unknown attribute or block `mdoe`; did you mean \
             `mode`? (awscc 1.106.0 schema) @ crates/stackwright-aws-generated/tests/awscc.rs"
        ]
    );
}

#[test]
fn a_computed_only_attribute_set_by_an_override_is_a_located_error() {
    let found = problems(|stack, _| {
        stack
            .add(sqs::Queue::new("Jobs").override_terraform("arn", "arn:aws:sqs:us-east-1:1:jobs"));
    });
    assert_eq!(
        found,
        [
            "`awscc_sqs_queue` `arn`: `arn` is computed by the provider and cannot be set (awscc 1.106.0 \
             schema) @ crates/stackwright-aws-generated/tests/awscc.rs"
        ]
    );
}

#[test]
fn a_required_attribute_an_override_removes_is_a_located_error() {
    let found = problems(|stack, _| {
        stack.add(function("Worker").remove_terraform("role"));
    });
    assert_eq!(
        found,
        [
            "`awscc_lambda_function`: missing required attribute `role` (awscc 1.106.0 schema) @ \
             crates/stackwright-aws-generated/tests/awscc.rs"
        ]
    );
}

#[test]
fn a_list_where_awscc_wants_an_object_is_a_located_error_with_the_value() {
    let found = problems(|stack, _| {
        stack.add(function("Worker").override_terraform(
            "tracing_config",
            Value::List(vec![Value::Map(vec![("mode".into(), "Active".into())])]),
        ));
    });
    assert_eq!(
        found,
        [
            "`awscc_lambda_function` `tracing_config`: expected an object, found [{\"mode\":\"Active\"}] \
             (awscc 1.106.0 schema) @ crates/stackwright-aws-generated/tests/awscc.rs"
        ]
    );
}

/// A step's `Action` is a `oneOf` of objects: a JSON value in the builder, CloudFormation's keys in the
/// template, awscc's nested attribute names in the module.
#[test]
fn a_one_of_value_reaches_awscc_with_awscc_s_names() {
    let tf = module(|stack, _| {
        let queue = stack.add(sqs::Queue::new("Jobs"));
        stack.add(apptest::TestCase::new(
            "Smoke",
            "smoke",
            [apptest::test_case::Step::new(
                cloudformation_action("stack"),
                "deploy",
            )],
        ));
        // References inside the value stay live.
        stack.add(apptest::TestCase::new(
            "Ref",
            "ref",
            [apptest::test_case::Step::new(
                Value::Map(vec![(
                    "ResourceAction".into(),
                    Value::Map(vec![(
                        "CloudFormationAction".into(),
                        Value::Map(vec![
                            ("Resource".into(), Value::Str(queue.arn())),
                            ("ActionType".into(), "Delete".into()),
                        ]),
                    )]),
                )]),
                "delete",
            )],
        ));
    });
    let steps = &tf["resource"]["awscc_apptest_test_case"]["smoke"]["steps"];
    assert_eq!(
        steps,
        &json!([{
            "name": "deploy",
            "action": {"resource_action": {"cloudformation_action": {"resource": "stack"}}}
        }])
    );
    let steps = &tf["resource"]["awscc_apptest_test_case"]["ref"]["steps"];
    assert_eq!(
        steps[0]["action"],
        json!({"resource_action": {"cloudformation_action": {
            "resource": "${awscc_sqs_queue.jobs.arn}", "action_type": "Delete"
        }}})
    );
}

#[test]
fn a_one_of_value_keeps_cloudformation_s_names_in_cloudformation() {
    let artifacts = synthesize(
        &app(|stack, _| {
            stack.add(apptest::TestCase::new(
                "Smoke",
                "smoke",
                [apptest::test_case::Step::new(
                    cloudformation_action("stack"),
                    "deploy",
                )],
            ));
        }),
        &Request::default(),
    )
    .expect("valid");
    let artifact = artifacts
        .artifacts
        .iter()
        .find(|a| a.path.ends_with(".template.json"))
        .expect("a template");
    let template: Json = serde_json::from_slice(&artifact.bytes).unwrap();
    assert_eq!(
        template["Resources"]["Smoke"]["Properties"]["Steps"][0]["Action"],
        json!({"ResourceAction": {"CloudFormationAction": {"Resource": "stack"}}})
    );
}

/// A misspelled key of a `oneOf` value is one located error: the registry schema names it when the
/// builder is declared, and the awscc check does not report it again.
#[test]
fn a_misspelled_key_in_a_one_of_value_is_one_located_error() {
    let found = problems(|stack, _| {
        stack.add(apptest::TestCase::new(
            "Smoke",
            "smoke",
            [apptest::test_case::Step::new(
                Value::Map(vec![(
                    "ResourceAction".into(),
                    Value::Map(vec![(
                        "CloudFormationActoin".into(),
                        Value::Map(vec![("Resource".into(), "stack".into())]),
                    )]),
                )]),
                "deploy",
            )],
        ));
    });
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("`AWS::AppTest::TestCase` `Properties.Steps.0.Action`")
            && found[0].contains("CloudFormationActoin")
            && found[0].contains("does not match any of the allowed shapes")
            && found[0].ends_with("@ crates/stackwright-aws-generated/tests/awscc.rs"),
        "{found:#?}"
    );
}

/// String properties that hold numbers (the hashicorp/aws provider types them as numbers) take integers
/// and text, lowered as the strings the registry wants; text that is not a number is an error at the
/// builder's line, not a failed deployment.
#[test]
fn number_valued_strings_take_integers_and_refuse_words_at_synth() {
    fn fleet(cooldown: autoscaling::AutoScalingGroup) -> autoscaling::AutoScalingGroup {
        cooldown
            .availability_zones(["us-east-1a"])
            .launch_configuration_name("web")
    }
    let m = module(|stack, _| {
        stack.add(fleet(
            autoscaling::AutoScalingGroup::new(
                "Fleet",
                autoscaling::AutoScalingGroupRequired {
                    max_size: 4.into(),
                    min_size: "1".into(),
                },
            )
            .cooldown(60),
        ));
    });
    let group = &m["resource"]["awscc_autoscaling_auto_scaling_group"]["fleet"];
    assert_eq!(
        (&group["max_size"], &group["min_size"], &group["cooldown"]),
        (&json!("4"), &json!("1"), &json!("60")),
        "{m:#}"
    );
    let problems = problems(|stack, _| {
        stack.add(fleet(
            autoscaling::AutoScalingGroup::new(
                "Fleet",
                autoscaling::AutoScalingGroupRequired {
                    max_size: 4.into(),
                    min_size: 1.into(),
                },
            )
            .cooldown("sixty"),
        ));
    });
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].contains("property `Cooldown`: `sixty` is not a number")
            && problems[0].ends_with("@ crates/stackwright-aws-generated/tests/awscc.rs"),
        "{problems:#?}"
    );
}

/// A schema-free policy document property takes the typed `iam::PolicyDocument` (IAM's JSON shape,
/// references live).
#[test]
fn a_policy_document_property_takes_the_typed_document() {
    let app = app(|stack, _| {
        use stackwright::aws::iam::{PolicyDocument, Principal, Statement};
        let queue = stack.add(sqs::Queue::new("Jobs"));
        let document = PolicyDocument::from(
            Statement::allow()
                .principal(Principal::service("sns.amazonaws.com"))
                .action("sqs:SendMessage")
                .resource(queue.arn()),
        );
        stack.add(sqs::QueuePolicy::new(
            "Access",
            document,
            [queue.queue_url()],
        ));
    });
    let request = Request {
        targets: vec![stackwright::synth::Target::CloudFormation],
        ..Request::default()
    };
    let synthesis = synthesize(&app, &request).unwrap_or_else(|p| panic!("{p:#?}"));
    let template: Json = synthesis
        .artifacts
        .iter()
        .find(|a| a.path.ends_with(".template.json"))
        .map(|a| serde_json::from_slice(&a.bytes).expect("JSON"))
        .expect("a template");
    assert_eq!(
        template["Resources"]["Access"]["Properties"]["PolicyDocument"],
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": ["sns.amazonaws.com"]}, "Action": ["sqs:SendMessage"],
            "Resource": [{"Fn::GetAtt": ["Jobs", "Arn"]}]}]}),
        "{template:#}"
    );
}
