//! The hashicorp/aws builders through the whole pipeline: a Terraform-only app (a Lambda behind an HTTP API,
//! fed by an SQS queue, with an interface VPC endpoint for SQS) on the exact module, the CloudFormation
//! error, the schema check at declaration, removal policies, tags, references across the layers, and
//! `plan`'s replacement data for types outside the vendored schemas.

use serde_json::{json, Value as Json};
use stackwright::aws::{ec2, sns};
use stackwright::prelude::*;
use stackwright::synth::{synthesize, Request, Target};
use stackwright::Value;
use stackwright_aws_terraform::{apigatewayv2, iam, lambda, sqs, vpc};

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

/// A team's module written only with hashicorp/aws builders, plus one hand-written kind (the topic) to show
/// that handles of both layers mix.
fn orders(stack: &mut Stack, _: &Environment<()>) {
    let trust = stack.add(
        iam::data::PolicyDocument::new("Trust").statement(
            iam::data::policy_document::Statement::new()
                .actions(["sts:AssumeRole"])
                .principals(iam::data::policy_document::Principals::new(
                    iam::data::policy_document::PrincipalsRequired {
                        identifiers: ["lambda.amazonaws.com"].into(),
                        type_: "Service".into(),
                    },
                )),
        ),
    );
    let role = stack.add(iam::Role::new("Worker", trust.json()).tag("team", "orders"));
    let queue = stack.add(
        sqs::Queue::new("Jobs")
            .visibility_timeout_seconds(60)
            .sqs_managed_sse_enabled(true),
    );
    let function = stack.add(
        lambda::Function::new(
            "Handler",
            lambda::FunctionRequired {
                function_name: "orders-handler".into(),
                role: role.arn(),
            },
        )
        .runtime("python3.12")
        .handler("app.handler")
        .filename("handler.zip")
        .timeout(30)
        .environment(lambda::function::Environment::new().variables([("QUEUE_URL", queue.url())])),
    );
    stack.add(
        lambda::EventSourceMapping::new("Feed", function.arn())
            .event_source_arn(queue.arn())
            .batch_size(10),
    );
    let api = stack.add(apigatewayv2::Api::new(
        "Http",
        apigatewayv2::ApiRequired {
            name: "orders".into(),
            protocol_type: "HTTP".into(),
        },
    ));
    let integration = stack.add(
        apigatewayv2::Integration::new(
            "Invoke",
            apigatewayv2::IntegrationRequired {
                api_id: api.id(),
                integration_type: "AWS_PROXY".into(),
            },
        )
        .integration_uri(function.invoke_arn())
        .payload_format_version("2.0"),
    );
    stack.add(
        apigatewayv2::Route::new(
            "PostOrder",
            apigatewayv2::RouteRequired {
                api_id: api.id(),
                route_key: "POST /orders".into(),
            },
        )
        .target(Expr::concat(["integrations/".into(), integration.id()])),
    );
    stack.add(
        lambda::Permission::new(
            "ApiInvoke",
            lambda::PermissionRequired {
                action: "lambda:InvokeFunction".into(),
                function_name: function.function_name(),
                principal: "apigateway.amazonaws.com".into(),
            },
        )
        .source_arn(Expr::concat([api.execution_arn(), "/*/*".into()])),
    );
    // The network: a hand-written VPC and subnet, with a generated interface endpoint for SQS in them.
    let network = stack.add(ec2::Vpc::new("Network", "10.20.0.0/16"));
    let subnet = stack.add(ec2::Subnet::new("Private", &network, "10.20.1.0/24"));
    stack.add(
        vpc::Endpoint::new("Sqs", network.id())
            .service_name(Expr::concat([
                "com.amazonaws.".into(),
                Expr::region(),
                ".sqs".into(),
            ]))
            .vpc_endpoint_type("Interface")
            .subnet_ids(vec![subnet.id()])
            .private_dns_enabled(true),
    );
    // A hand-written topic delivering to the generated queue.
    let topic = stack.add(sns::Topic::new("Events"));
    stack.add(sns::Subscription::new(
        "ToJobs",
        &topic,
        sns::Endpoint::Sqs(queue.arn()),
    ));
    stack.output("ApiEndpoint", api.api_endpoint());
}

#[test]
fn a_terraform_only_app_synthesizes_to_the_module_in_its_snapshot() {
    let text = module_text(&app(orders));
    insta::with_settings!({ snapshot_path => "../../../snapshots/aws-terraform", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("orders_dev_api_main.tf.json", text);
    });
}

#[test]
fn blocks_take_the_provider_s_names_and_references_cross_the_layers() {
    let module = module(orders);
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
    assert_eq!(endpoint["subnet_ids"], json!(["${aws_subnet.private.id}"]));
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
    let module = module(orders);
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
             CloudFormation form: declare the stack's targets as Terraform only (`.targets(..)`) or synthesize \
             with `--target terraform` @ crates/stackwright-aws-terraform/tests/main.rs:"
        ),
        "{found:#?}"
    );
}

#[test]
fn a_block_the_provider_schema_rejects_is_an_error_at_the_declaring_line() {
    let line = line!() + 3;
    let found = problems(Target::Terraform, |stack, _| {
        stack.add(
            apigatewayv2::Api::new(
                "Http",
                apigatewayv2::ApiRequired {
                    name: "orders".into(),
                    protocol_type: "HTTP".into(),
                },
            )
            .cors_configuration(apigatewayv2::api::CorsConfiguration::new().max_age(600))
            .override_terraform("cors_configuration.max_age", "ten minutes")
            .override_terraform("descripton", "typo"),
        );
    });
    let at = format!("@ crates/stackwright-aws-terraform/tests/main.rs:{line}");
    assert_eq!(
        found,
        [
            format!(
                "`aws_apigatewayv2_api` `cors_configuration.max_age`: expected number, found \"ten minutes\" \
                 (hashicorp/aws 5.100.0 schema) {at}"
            ),
            format!(
                "`aws_apigatewayv2_api` `descripton`: unknown attribute or block `descripton`; did you mean \
                 `description`? (hashicorp/aws 5.100.0 schema) {at}"
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
