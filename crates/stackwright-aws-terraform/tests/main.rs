//! The hashicorp/aws builders through the whole pipeline: a Terraform-only app (a Lambda behind an HTTP API,
//! fed by an SQS queue, with an interface VPC endpoint for SQS) on the exact module, the CloudFormation
//! error, the schema check at declaration, removal policies, tags, references across the layers, and
//! `plan`'s replacement data for types outside the vendored schemas.

use serde_json::{json, Value as Json};
use stackwright::prelude::*;
use stackwright::synth::{synthesize, Request, Target};
use stackwright::Value;
use stackwright_aws_terraform::{apigatewayv2, lambda, sqs, vpc};

/// The crate's Terraform-only example (`examples/orders.rs`).
#[path = "../examples/orders.rs"]
mod example;

fn app(define: fn(&mut Stack, &Environment<()>)) -> App<()> {
    App::new("orders")
        .tag("owner", "platform")
        .environment(Environment::new("dev", "111111111111", "us-east-1", ()))
        .stack("api", define)
}

fn request(target: Target) -> Request {
    Request {
        targets: vec![target],
        ..Request::default()
    }
}

/// The module's bytes of a Terraform synthesis that succeeds.
fn module_text(app: &App<()>) -> String {
    let synthesis = synthesize(app, &request(Target::Terraform))
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    let artifact = synthesis
        .artifacts
        .iter()
        .find(|a| a.path.ends_with("main.tf.json"))
        .expect("a Terraform module");
    String::from_utf8(artifact.bytes.clone()).expect("UTF-8")
}

fn module(define: fn(&mut Stack, &Environment<()>)) -> Json {
    serde_json::from_str(&module_text(&app(define))).expect("JSON")
}

/// The problems of a failed synthesis for `target`, each with the file and line of its location.
fn problems(target: Target, define: fn(&mut Stack, &Environment<()>)) -> Vec<String> {
    match synthesize(&app(define), &request(target)) {
        Ok(_) => panic!("expected synthesis to fail"),
        Err(problems) => problems
            .into_iter()
            .map(|d| {
                let at = d
                    .location
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                format!("{} @ {at}", d.message)
            })
            .collect(),
    }
}

#[test]
fn a_terraform_only_app_synthesizes_to_the_module_in_its_snapshot() {
    let text = module_text(&example::app());
    insta::with_settings!({ snapshot_path => "../../../snapshots/aws-terraform", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("orders_dev_api_main.tf.json", text);
    });
}

#[test]
fn blocks_take_the_provider_s_names_and_references_cross_the_layers() {
    let module = module(example::orders);
    let resources = &module["resource"];
    let function = &resources["aws_lambda_function"]["handler"];
    assert_eq!(function["role"], json!("${aws_iam_role.worker.arn}"));
    assert_eq!(
        function["environment"],
        json!({"variables": {"QUEUE_URL": "${aws_sqs_queue.jobs.url}"}})
    );
    assert_eq!(
        module["data"]["aws_iam_policy_document"]["trust"]["statement"],
        json!([{"actions": ["sts:AssumeRole"], "principals": [{"identifiers": ["lambda.amazonaws.com"], "type": "Service"}]}])
    );
    let endpoint = &resources["aws_vpc_endpoint"]["sqs"];
    assert_eq!(endpoint["vpc_id"], json!("${aws_vpc.network.id}"));
    assert_eq!(
        endpoint["service_name"],
        json!("com.amazonaws.us-east-1.sqs")
    );
    assert_eq!(
        endpoint["subnet_ids"],
        json!(["${aws_subnet.private_a.id}", "${aws_subnet.private_b.id}"])
    );
    assert_eq!(
        resources["aws_sns_topic_subscription"]["to_jobs"]["endpoint"],
        json!("${aws_sqs_queue.jobs.arn}")
    );
    assert_eq!(
        resources["aws_lambda_permission"]["api_invoke"]["source_arn"],
        json!("${aws_apigatewayv2_api.http.execution_arn}/*/*")
    );
}

#[test]
fn tags_go_to_the_tags_map_and_the_environment_s_through_default_tags() {
    let module = module(example::orders);
    assert_eq!(
        module["resource"]["aws_iam_role"]["worker"]["tags"],
        json!({"team": "orders"})
    );
    let default_tags = &module["provider"]["aws"]["default_tags"]["tags"];
    assert_eq!(default_tags["owner"], json!("platform"));
}

#[test]
fn stateful_types_are_kept_unless_the_resource_says_otherwise() {
    let kept = module(|stack, _| {
        stack.add(sqs::Queue::new("Kept"));
        stack.add(sqs::Queue::new("Gone").removal_policy(RemovalPolicy::Destroy));
        stack.add(lambda::FunctionUrl::new(
            "Url",
            lambda::FunctionUrlRequired {
                authorization_type: "AWS_IAM".into(),
                function_name: "f".into(),
            },
        ));
    });
    let resources = &kept["resource"];
    assert_eq!(
        resources["aws_sqs_queue"]["kept"]["lifecycle"],
        json!({"prevent_destroy": true})
    );
    assert_eq!(resources["aws_sqs_queue"]["gone"].get("lifecycle"), None);
    assert_eq!(
        resources["aws_lambda_function_url"]["url"].get("lifecycle"),
        None
    );
}

#[test]
fn synthesizing_cloudformation_is_a_located_error_naming_the_resource() {
    let found = problems(Target::CloudFormation, |stack, _| {
        stack.add(sqs::Queue::new("Jobs"));
    });
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with(
            "resource `Jobs` is a Terraform `aws_sqs_queue` (hashicorp/aws 5.100.0 builder), which has no \
             CloudFormation form: declare the stack's targets as Terraform only \
             (`.targets([Target::Terraform])`) @ crates/stackwright-aws-terraform/tests/main.rs:"
        ),
        "{found:#?}"
    );
}

#[test]
fn a_block_the_provider_schema_rejects_is_an_error_at_the_declaring_line() {
    // A type the vendored schemas lack (`stackwright-schema/types.txt`), which the provider's schema judges.
    let line = line!() + 3;
    let found = problems(Target::Terraform, |stack, _| {
        stack.add(
            apigatewayv2::Authorizer::new(
                "Jwt",
                apigatewayv2::AuthorizerRequired {
                    api_id: "a1b2c3".into(),
                    authorizer_type: "JWT".into(),
                    name: "jwt".into(),
                },
            )
            .authorizer_result_ttl_in_seconds(300)
            .override_terraform("authorizer_result_ttl_in_seconds", "ten minutes")
            .override_terraform("nmae", "typo"),
        );
    });
    let at = format!("@ crates/stackwright-aws-terraform/tests/main.rs:{line}");
    assert_eq!(
        found,
        [
            format!(
                "`aws_apigatewayv2_authorizer` `authorizer_result_ttl_in_seconds`: expected number, found \
                 \"ten minutes\" (hashicorp/aws 5.100.0 schema) {at}"
            ),
            format!(
                "`aws_apigatewayv2_authorizer` `nmae`: unknown attribute or block `nmae`; did you mean \
                 `name`? (hashicorp/aws 5.100.0 schema) {at}"
            ),
        ]
    );
}

#[test]
fn a_missing_required_block_and_too_many_blocks_are_reported() {
    let found = problems(Target::Terraform, |stack, _| {
        stack.add(
            vpc::Endpoint::new("Sqs", "vpc-1")
                .service_name("com.amazonaws.us-east-1.sqs")
                .dns_options(vpc::endpoint::DnsOptions::new())
                .override_terraform(
                    "dns_options",
                    Value::List(vec![Value::Map(vec![]), Value::Map(vec![])]),
                ),
        );
        stack.add(
            lambda::CodeSigningConfig::new(
                "Signing",
                lambda::code_signing_config::AllowedPublishers::new(Vec::<Expr>::new()),
            )
            .remove_terraform("allowed_publishers"),
        );
    });
    let messages: Vec<&str> = found
        .iter()
        .map(|f| f.split(" @ ").next().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "`aws_vpc_endpoint` `dns_options`: has 2 blocks; expected at most 1 (hashicorp/aws 5.100.0 schema)",
            "`aws_lambda_code_signing_config`: missing required block `allowed_publishers` (hashicorp/aws 5.100.0 schema)",
        ]
    );
}

#[test]
fn plan_replaces_a_generated_type_on_a_force_new_attribute() {
    fn permission(statement_id: &'static str) -> App<()> {
        App::new("orders")
            .environment(Environment::new("dev", "111111111111", "us-east-1", ()))
            .stack("api", move |stack, _| {
                stack.add(
                    lambda::Permission::new(
                        "Invoke",
                        lambda::PermissionRequired {
                            action: "lambda:InvokeFunction".into(),
                            function_name: "f".into(),
                            principal: "sns.amazonaws.com".into(),
                        },
                    )
                    .statement_id(statement_id),
                );
            })
    }
    let before: Json = serde_json::from_str(&module_text(&permission("one"))).unwrap();
    let after: Json = serde_json::from_str(&module_text(&permission("two"))).unwrap();
    let doc = |json| stackwright_plan::Document {
        environment: "dev",
        stack: "api",
        target: stackwright_plan::Target::Terraform,
        json,
        renames: &[],
        unchanged: None,
    };
    let plan = stackwright_plan::plan(&[doc(&before)], &[doc(&after)]);
    let change = &plan.stacks[0].resources[0];
    assert_eq!(change.address, "aws_lambda_permission.invoke");
    assert_eq!(change.action, stackwright_plan::Action::Replace);
    assert_eq!(
        change.changes[0].reason.as_deref(),
        Some("force-new attribute `statement_id`")
    );
}

/// A policy argument takes the typed `iam::PolicyDocument`: the module holds it as the compact JSON string
/// `jsonencode` would write, its references live (Terraform interpolates them).
#[test]
fn a_typed_policy_document_is_a_json_string_with_live_references() {
    use stackwright::aws::iam::{PolicyDocument, Principal, Statement};
    let m = module(|stack, _| {
        let queue = stack.add(sqs::Queue::new("Jobs"));
        let document = PolicyDocument::from(
            Statement::allow()
                .principal(Principal::service("sns.amazonaws.com"))
                .action("sqs:SendMessage")
                .resource(queue.arn()),
        );
        stack.add(sqs::QueuePolicy::new(
            "Access",
            sqs::QueuePolicyRequired {
                policy: document.into(),
                queue_url: queue.url(),
            },
        ));
    });
    assert_eq!(
        m["resource"]["aws_sqs_queue_policy"]["access"]["policy"],
        json!(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["sns.amazonaws.com"]},"Action":["sqs:SendMessage"],"Resource":["${aws_sqs_queue.jobs.arn}"]}]}"#
        ),
        "{m:#}"
    );
}
