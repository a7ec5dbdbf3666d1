//! A Terraform team's module, written only with the hashicorp/aws builders (`stackwright::terraform::*`,
//! one `tf-<service>` feature each) and nothing else: an HTTP API (API Gateway v2) in front of a Lambda
//! function (its code the directory `functions/orders`, a code asset the provider uploads with the
//! function), fed by an SQS queue with a dead-letter queue; the function runs in private subnets and
//! reaches SQS through an interface VPC endpoint; the VPC logs its flows; IAM roles and policies for the
//! function and the flow logs. Terraform only: the builders have no CloudFormation form.
//!
//! `cargo run -p terraform-native --example terraform-native -- synth --out DIR`
//! (`scripts/check-artifacts.sh` runs `terraform validate` with the real provider and checkov on it).

use stackwright::prelude::*;
use stackwright::terraform::iam::data::policy_document::{
    Condition, ConditionRequired, Principals, Statement,
};
use stackwright::terraform::{apigatewayv2, cloudwatch, iam, lambda, sqs, vpc};

/// The app: one environment, one stack.
pub fn app() -> App<()> {
    // Terraform only: `synth`, `list`, `plan` and `ci` need no `--target`.
    App::new("orders")
        .targets([Target::Terraform])
        .tag("owner", "platform")
        .environment(Environment::new("dev", "111111111111", "us-east-1", ()))
        .stack("api", orders)
}

/// A trust policy for an AWS service, limited to this account.
fn trusted_by(stack: &mut Stack, id: &str, service: &str) -> iam::data::PolicyDocumentHandle {
    stack.add(
        iam::data::PolicyDocument::new(id).statement(
            Statement::new()
                .actions(["sts:AssumeRole"])
                .principals(Principals::new([service], "Service"))
                .condition(Condition::new(ConditionRequired {
                    test: "StringEquals".into(),
                    values: vec![Expr::account_id()].into(),
                    variable: "aws:SourceAccount".into(),
                })),
        ),
    )
}

/// The stack.
pub fn orders(stack: &mut Stack, _: &Environment<()>) {
    // The network: a VPC whose default security group allows nothing, two private subnets, and flow
    // logs to a log group through a role that may write only there.
    let network = stack.add(
        vpc::Vpc::new("Network")
            .cidr_block("10.20.0.0/16")
            .enable_dns_support(true)
            .enable_dns_hostnames(true),
    );
    stack.add(vpc::DefaultSecurityGroup::new("NetworkDefault").vpc_id(network.id()));
    let flow_logs = stack.add(
        cloudwatch::LogGroup::new("FlowLogGroup")
            .retention_in_days(365)
            .accept_finding(
                "CKV_AWS_158",
                "flow logs hold addresses, not secrets; the AWS-managed key of CloudWatch Logs encrypts them",
            ),
    );
    let flow_trust = trusted_by(stack, "FlowLogsTrust", "vpc-flow-logs.amazonaws.com");
    let flow_role = stack.add(iam::Role::new("FlowLogs", flow_trust.json()));
    let flow_access = stack.add(
        iam::data::PolicyDocument::new("FlowLogsAccess").statement(
            Statement::new()
                .actions([
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "logs:DescribeLogGroups",
                    "logs:DescribeLogStreams",
                ])
                .resources(vec![flow_logs.arn(), flow_logs.arn() + ":*"]),
        ),
    );
    let flow_delivery = stack.add(iam::RolePolicy::new(
        "FlowLogsDelivery",
        iam::RolePolicyRequired {
            policy: flow_access.json().into(),
            role: flow_role.id(),
        },
    ));
    stack.add(
        vpc::FlowLog::new("NetworkFlowLogs")
            .vpc_id(network.id())
            .traffic_type("ALL")
            .log_destination_type("cloud-watch-logs")
            .log_destination(flow_logs.arn())
            .iam_role_arn(flow_role.arn())
            .depends_on(&flow_delivery),
    );
    let subnets = [
        ("PrivateA", "10.20.1.0/24", "a"),
        ("PrivateB", "10.20.2.0/24", "b"),
    ]
    .map(|(id, cidr, zone)| {
        stack
            .add(
                vpc::Subnet::new(id, network.id())
                    .cidr_block(cidr)
                    .availability_zone(Expr::region() + zone),
            )
            .id()
    });

    // The function's and the endpoint's security groups: HTTPS from the one to the other only.
    let functions = stack.add(
        vpc::SecurityGroup::new("Functions")
            .description("the order handler")
            .vpc_id(network.id()),
    );
    let endpoints = stack.add(
        vpc::SecurityGroup::new("Endpoints")
            .description("interface endpoints")
            .vpc_id(network.id()),
    );
    stack.add(
        vpc::SecurityGroupEgressRule::new(
            "FunctionsToEndpoints",
            vpc::SecurityGroupEgressRuleRequired {
                ip_protocol: "tcp".into(),
                security_group_id: functions.id(),
            },
        )
        .from_port(443)
        .to_port(443)
        .referenced_security_group_id(endpoints.id())
        .description("SQS through the endpoint"),
    );
    stack.add(
        vpc::SecurityGroupIngressRule::new(
            "EndpointsFromFunctions",
            vpc::SecurityGroupIngressRuleRequired {
                ip_protocol: "tcp".into(),
                security_group_id: endpoints.id(),
            },
        )
        .from_port(443)
        .to_port(443)
        .referenced_security_group_id(functions.id())
        .description("the order handler"),
    );

    // SQS through an interface endpoint; the provider names the service for the partition and region.
    let sqs_service = stack.add(
        vpc::data::EndpointService::new("SqsService")
            .service("sqs")
            .service_type("Interface"),
    );
    stack.add(
        vpc::Endpoint::new("Sqs", network.id())
            .service_name(sqs_service.service_name())
            .vpc_endpoint_type("Interface")
            .subnet_ids(subnets.to_vec())
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
            .redrive_policy(interpolate![
                "{\"deadLetterTargetArn\":\"",
                dead_letters.arn(),
                "\",\"maxReceiveCount\":5}"
            ]),
    );

    // The function's role: trusted by Lambda, reads the queue, writes failures to the dead-letter
    // queue, and AWS's managed policies for network interfaces in the VPC and X-Ray traces.
    let trust = trusted_by(stack, "WorkerTrust", "lambda.amazonaws.com");
    let role = stack.add(iam::Role::new("Worker", trust.json()).tag("team", "orders"));
    let access = stack.add(
        iam::data::PolicyDocument::new("WorkerAccess")
            .statement(
                Statement::new()
                    .actions([
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes",
                    ])
                    .resources(vec![queue.arn()]),
            )
            .statement(
                Statement::new()
                    .actions(["sqs:SendMessage"])
                    .resources(vec![dead_letters.arn()]),
            ),
    );
    stack.add(iam::RolePolicy::new(
        "WorkerQueues",
        iam::RolePolicyRequired {
            policy: access.json().into(),
            role: role.id(),
        },
    ));
    for (id, policy) in [
        (
            "WorkerVpcAccess",
            "service-role/AWSLambdaVPCAccessExecutionRole",
        ),
        ("WorkerTraces", "AWSXRayDaemonWriteAccess"),
    ] {
        stack.add(iam::RolePolicyAttachment::new(
            id,
            iam::RolePolicyAttachmentRequired {
                policy_arn: interpolate!["arn:", Expr::partition(), ":iam::aws:policy/", policy],
                role: role.id(),
            },
        ));
    }

    // The handler's code, a directory of this crate: packed into a reproducible zip in the tree, which
    // the provider uploads with the function (`filename`, relative to the module); the hash makes a code
    // change an in-place update.
    let code = stack.asset(Asset::directory(asset_path!("functions/orders")));
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
                subnet_ids: subnets.to_vec().into(),
            },
        ))
        .accept_finding(
            "CKV_AWS_272",
            "example code, content-addressed; no signing profile in this example",
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

    // The HTTP API: POST /orders invokes the function (callers sign with IAM), with access logs.
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
        .target(Expr::from("integrations/") + integration.id()),
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
        .source_arn(api.execution_arn() + "/*/*"),
    );

    stack.output("ApiEndpoint", api.api_endpoint());
    // The same URL spelled for any partition: `amazonaws.com.cn` in China, from `Expr::url_suffix()`.
    stack.output(
        "OrdersUrl",
        interpolate![
            "https://",
            api.id(),
            ".execute-api.",
            Expr::region(),
            ".",
            Expr::url_suffix(),
            "/orders"
        ],
    );
}
