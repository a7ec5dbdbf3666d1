//! A Terraform-only module written with the hashicorp/aws builders, as a Terraform team would: an HTTP API in
//! front of a Lambda function, fed by an SQS queue with a dead-letter queue, the function in private subnets
//! reaching SQS through an interface VPC endpoint. The network (with its flow logs) and the event topic are
//! hand-written kinds, to show that the layers' handles mix. `scripts/check-terraform-sample.sh` runs `terraform validate` and
//! checkov on it; `tests/main.rs` snapshots it.
//!
//! `cargo run -p stackwright-aws-terraform --example orders -- synth --target terraform --out DIR`

use stackwright::aws::{ec2, sns};
use stackwright::prelude::*;
use stackwright_aws_terraform::{apigatewayv2, cloudwatch, iam, lambda, sqs, vpc};

/// The app: one environment, one stack.
pub fn app() -> App<()> {
    App::new("orders")
        .tag("owner", "platform")
        .environment(Environment::new("dev", "111111111111", "us-east-1", ()))
        .stack("api", orders)
}

/// The stack.
pub fn orders(stack: &mut Stack, _: &Environment<()>) {
    use iam::data::policy_document::{Principals, Statement};

    // The network: a hand-written VPC with two private subnets; a generated interface endpoint for SQS.
    let network = stack.add(ec2::Vpc::new("Network", "10.20.0.0/16"));
    ec2::VpcFlowLogs::new("NetworkFlowLogs").add_to(stack, &network);
    let subnets = [
        stack.add(ec2::Subnet::new("PrivateA", &network, "10.20.1.0/24")),
        stack.add(ec2::Subnet::new("PrivateB", &network, "10.20.2.0/24")),
    ];
    let functions = stack.add(
        ec2::SecurityGroup::new("Functions", &network, "the order handler").allow_egress(
            ec2::Peer::ipv4("10.20.0.0/16"),
            ec2::Port::tcp(443),
            "SQS through the endpoint",
        ),
    );
    let endpoints = stack.add(
        ec2::SecurityGroup::new("Endpoints", &network, "interface endpoints").allow_ingress(
            ec2::Peer::security_group(&functions),
            ec2::Port::tcp(443),
            "the order handler",
        ),
    );
    let subnet_ids = vec![subnets[0].id(), subnets[1].id()];
    stack.add(
        vpc::Endpoint::new("Sqs", network.id())
            .service_name(Expr::concat([
                "com.amazonaws.".into(),
                Expr::region(),
                ".sqs".into(),
            ]))
            .vpc_endpoint_type("Interface")
            .subnet_ids(subnet_ids.clone())
            .security_group_ids(vec![endpoints.id()])
            .private_dns_enabled(true),
    );

    // The queue and its dead-letter queue, encrypted with SQS-managed keys.
    let dead_letters = stack.add(
        sqs::Queue::new("DeadLetters")
            .sqs_managed_sse_enabled(true)
            .message_retention_seconds(1_209_600),
    );
    let queue = stack.add(
        sqs::Queue::new("Jobs")
            .visibility_timeout_seconds(60)
            .sqs_managed_sse_enabled(true)
            .redrive_policy(Expr::concat([
                "{\"deadLetterTargetArn\":\"".into(),
                dead_letters.arn(),
                "\",\"maxReceiveCount\":5}".into(),
            ])),
    );

    // The function's role, trusted by Lambda, allowed to read the queue.
    let trust = stack.add(
        iam::data::PolicyDocument::new("Trust").statement(
            Statement::new()
                .actions(["sts:AssumeRole"])
                .principals(Principals::new(["lambda.amazonaws.com"], "Service")),
        ),
    );
    let role = stack.add(iam::Role::new("Worker", trust.json()).tag("team", "orders"));
    let access = stack.add(
        iam::data::PolicyDocument::new("Access").statement(
            Statement::new()
                .actions([
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                ])
                .resources(vec![queue.arn()]),
        ),
    );
    stack.add(iam::RolePolicy::new(
        "ReadJobs",
        iam::RolePolicyRequired {
            policy: access.json().into(),
            role: role.id(),
        },
    ));

    // The handler's code, a directory beside this file: packed into a reproducible zip in the tree, which
    // the provider uploads with the function (`filename`, relative to the module); the hash makes a code
    // change an in-place update.
    let code = stack.asset(Asset::directory(asset_path!("examples/orders-code")));
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
        .filename(code.terraform_path())
        .source_code_hash(code.sha256_base64())
        .timeout(30)
        .reserved_concurrent_executions(10)
        .environment(lambda::function::Environment::new().variables([("QUEUE_URL", queue.url())]))
        .tracing_config(lambda::function::TracingConfig::new("Active"))
        .dead_letter_config(lambda::function::DeadLetterConfig::new(dead_letters.arn()))
        .vpc_config(lambda::function::VpcConfig::new(
            lambda::function::VpcConfigRequired {
                security_group_ids: vec![functions.id()].into(),
                subnet_ids: subnet_ids.into(),
            },
        ))
        .accept_finding(
            "CKV_AWS_272",
            "the zip is packed by synth and uploaded by Terraform from the tree; no signing profile in this example",
        )
        .accept_finding(
            "CKV_AWS_173",
            "the only environment variable is the queue's URL, which is not a secret",
        ),
    );
    stack.add(
        lambda::EventSourceMapping::new("Feed", function.arn())
            .event_source_arn(queue.arn())
            .batch_size(10),
    );

    // The HTTP API: POST /orders invokes the function, with access logs.
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
        .authorization_type("AWS_IAM")
        .target(Expr::concat(["integrations/".into(), integration.id()])),
    );
    let access_logs = stack.add(
        cloudwatch::LogGroup::new("ApiAccessLogs")
            .retention_in_days(365)
            .accept_finding(
                "CKV_AWS_158",
                "access logs hold no secret; the AWS-managed key of CloudWatch Logs encrypts them",
            ),
    );
    stack.add(
        apigatewayv2::Stage::new(
            "Default",
            apigatewayv2::StageRequired {
                api_id: api.id(),
                name: "$default".into(),
            },
        )
        .auto_deploy(true)
        .access_log_settings(apigatewayv2::stage::AccessLogSettings::new(
            apigatewayv2::stage::AccessLogSettingsRequired {
                destination_arn: access_logs.arn(),
                format: "$context.requestId $context.status".into(),
            },
        )),
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

    // A hand-written topic delivering to the generated queue.
    let topic = stack.add(sns::Topic::new("Events"));
    stack.add(sns::Subscription::new(
        "ToJobs",
        &topic,
        sns::Endpoint::Sqs(queue.arn()),
    ));
    stack.output("ApiEndpoint", api.api_endpoint());
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    app().run()
}
