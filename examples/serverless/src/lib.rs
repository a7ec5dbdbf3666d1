//! A serverless order service. Its Python functions, queues, table and schedule are the catalog's
//! secure constructs (`stackwright::aws`: native `aws_*` resources in Terraform); the Rust health
//! function and the alerts topic are generated registry builders (`stackwright::registry`, one facade
//! feature per service), which lower to CloudFormation and to Terraform's awscc provider:
//!
//! - an HTTPS endpoint: a Lambda function URL (IAM-authenticated) in front of the `api` function, which
//!   puts orders on a queue;
//! - an SQS work queue with a dead-letter queue, consumed by the `worker` function, which writes the
//!   orders to a DynamoDB table;
//! - an EventBridge Scheduler schedule that runs the worker every five minutes to sweep what is left;
//! - an SNS topic for alerts, to which both dead-letter queues feed nothing but its ARN is an output;
//! - a `health` function written in Rust (the workspace's `serverless-health` crate), built for Lambda by
//!   synth and answering on its own function URL;
//! - the same function from a container image (`PackageType: Image`): a `FROM scratch` image
//!   (`images/health/Dockerfile`) built by synth without a daemon, holding the function's binary linked
//!   statically (a scratch image has no C library), pushed to the environment's image repository.
//!
//! The Python functions' code is a directory each (`functions/api`, `functions/worker`) and the Rust
//! function a crate (`functions/health`): code assets, packed into reproducible zips named by their sha256
//! in `out/assets/`; the image is an OCI archive there, tagged with its digest. An `assets` stack per
//! environment declares the asset bucket and image repository (deployed first: every stack that declares
//! an asset deploys after it); CloudFormation reads the zips there once `list`'s publish commands uploaded
//! them, Terraform uploads them itself from the tree; the image is pushed by `list`'s `skopeo copy` for
//! both.

use stackwright::assets::{bootstrap, Architecture, AssetHandle, ImageBuild, RustFunction};
use stackwright::aws::lambda::{Function, FunctionUrl, QueueEventSource, Runtime};
use stackwright::aws::s3::BucketHandle;
use stackwright::aws::scheduler::Schedule;
use stackwright::aws::{dynamodb, sqs};
use stackwright::prelude::*;
use stackwright::registry::{iam, lambda, sns};
use stackwright::tags;
use stackwright::{RemovalPolicy, Value};

/// A JSON object of (key, value) pairs, for schema-free properties such as policy documents.
fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

fn list<const N: usize>(items: [Value; N]) -> Value {
    Value::List(items.into())
}

/// A role the Lambda service assumes, allowed `actions` (if any) on `resources`, and its logs.
fn function_role(
    stack: &mut Stack,
    id: &str,
    actions: &[&str],
    resources: Vec<Expr>,
) -> iam::RoleHandle {
    let trust = object([
        ("Version", "2012-10-17".into()),
        (
            "Statement",
            list([object([
                ("Effect", "Allow".into()),
                (
                    "Principal",
                    object([("Service", "lambda.amazonaws.com".into())]),
                ),
                ("Action", "sts:AssumeRole".into()),
            ])]),
        ),
    ]);
    let mut statements = Vec::new();
    if !actions.is_empty() {
        statements.push(object([
            ("Effect", "Allow".into()),
            (
                "Action",
                Value::List(actions.iter().map(|a| Value::from(*a)).collect()),
            ),
            (
                "Resource",
                Value::List(resources.into_iter().map(Value::Str).collect()),
            ),
        ]));
    }
    statements.push(object([
        ("Effect", "Allow".into()),
        (
            "Action",
            list(["logs:CreateLogStream".into(), "logs:PutLogEvents".into()]),
        ),
        (
            "Resource",
            Value::Str(
                Expr::from("arn:")
                    + Expr::partition()
                    + ":logs:"
                    + Expr::region()
                    + ":"
                    + Expr::account_id()
                    + ":log-group:/aws/lambda/*",
            ),
        ),
    ]));
    let policy = object([
        ("Version", "2012-10-17".into()),
        ("Statement", Value::List(statements)),
    ]);
    stack.add(
        iam::Role::new(id, trust)
            .policies([iam::role::Policy::new(format!("{id}-policy"), policy)])
            .description(format!("Runs the {id} function")),
    )
}

/// A function whose code is an asset in the asset bucket (CloudFormation: published before the deploy;
/// Terraform: uploaded by the module).
fn code(asset: &AssetHandle) -> lambda::function::Code {
    lambda::function::Code::new()
        .s3_bucket(asset.s3_bucket())
        .s3_key(asset.s3_key())
}

/// A Python function whose code is a directory of this crate: the catalog's `aws::lambda::Function`,
/// which declares its role (logs to its own group only), its log group and its tracing; failed
/// asynchronous invocations go to the shared dead-letter queue.
fn python(id: &str, asset: &AssetHandle, dead_letters: &sqs::QueueHandle) -> Function {
    Function::new(id, asset, Runtime::Python312, "index.handler")
        .timeout_seconds(30)
        .memory_mb(256)
        .reserved_concurrency(5)
        .dead_letter_queue(dead_letters)
}

/// The service's stack, once per environment; `assets` is the environment's asset bucket (the service
/// deploys after it).
pub fn service(stack: &mut Stack, _env: &Environment<()>, assets: &BucketHandle) {
    let api_code = stack.asset(Asset::directory(asset_path!("functions/api")));
    let worker_code = stack.asset(Asset::directory(asset_path!("functions/worker")));
    let health_code = stack.asset(Asset::rust(
        RustFunction::new(asset_path!("functions/health"), "serverless-health")
            .architecture(Architecture::X86_64),
    ));
    // The same crate in an image: linked statically, as a scratch image has no C library.
    let health_image = stack.asset(Asset::image(
        ImageBuild::new(asset_path!("images/health")).rust_binary(
            "bootstrap",
            RustFunction::new(asset_path!("functions/health"), "serverless-health")
                .architecture(Architecture::X86_64)
                .statically_linked(),
        ),
    ));
    let alerts = stack.add(
        sns::Topic::new("Alerts")
            .kms_master_key_id("alias/aws/sns")
            .removal_policy(RemovalPolicy::Destroy),
    );
    let dead_letters =
        stack.add(sqs::Queue::new("DeadLetters").retention_seconds(sqs::MAX_RETENTION_SECONDS));
    let queue = stack.add(
        sqs::Queue::new("Orders")
            .visibility_timeout_seconds(180)
            .dead_letter_queue(&dead_letters, 5),
    );
    let table = stack.add(
        dynamodb::Table::new("OrdersTable", dynamodb::Key::string("pk"))
            .tag("data-class", "orders"),
    );

    // The API puts orders on the queue, behind an IAM-authenticated function URL.
    let api = python("Api", &api_code, &dead_letters)
        .environment("QUEUE_URL", queue.url())
        .add_to(stack);
    stack.add(queue.grant_send(&api));
    let url = stack.add(FunctionUrl::new("ApiUrl", &api));

    // The worker consumes the queue (the mapping grants what it needs), writes the table, and sweeps
    // every five minutes.
    let worker = python("Worker", &worker_code, &dead_letters)
        .environment("TABLE_NAME", table.name())
        .add_to(stack);
    QueueEventSource::new("WorkerQueue", &worker, &queue)
        .batch_size(10)
        .add_to(stack);
    stack.add(table.grant_read_write(&worker));
    Schedule::invoke("Sweep", "rate(5 minutes)", &worker)
        .description("Runs the worker every five minutes")
        .add_to(stack);

    // The Rust function: the binary is the zip's `bootstrap`, for the OS-only runtime.
    let health_role = function_role(
        stack,
        "HealthRole",
        &["sqs:SendMessage"],
        vec![dead_letters.arn()],
    );
    let health = stack.add(
        lambda::Function::new("Health", code(&health_code), health_role.arn())
            .runtime(lambda::function::Runtime::ProvidedAl2023)
            .handler("bootstrap")
            .architectures([lambda::function::Architectures::X8664])
            .timeout(5)
            .memory_size(128)
            .reserved_concurrent_executions(2)
            .dead_letter_config(
                lambda::function::DeadLetterConfig::new().target_arn(dead_letters.arn()),
            )
            .environment(lambda::function::Environment::new().variables(object([
                ("SERVICE", "orders".into()),
                // Where the service's code is: the asset bucket, which the service deploys after.
                ("CODE_BUCKET", Value::Str(assets.name())),
            ])))
            .tracing_config(
                lambda::function::TracingConfig::new().mode(lambda::function::Mode::Active),
            )
            .accept_finding(
                "CKV_AWS_117",
                "the health function reaches nothing; no VPC resources to reach",
            )
            .accept_finding(
                "CKV_AWS_173",
                "the variables are the service's name and its code's bucket, not secrets",
            )
            .accept_finding(
                "CKV_AWS_272",
                "example code, content-addressed; no signing profile in this example",
            ),
    );
    let health_url = stack.add(lambda::Url::new(
        "HealthUrl",
        health.arn(),
        lambda::url::AuthType::AwsIam,
    ));

    // The image function: its code is the image in the environment's repository, tagged by digest.
    let image_role = function_role(
        stack,
        "HealthImageRole",
        &["sqs:SendMessage"],
        vec![dead_letters.arn()],
    );
    let health_from_image = stack.add(
        lambda::Function::new(
            "HealthImage",
            lambda::function::Code::new().image_uri(health_image.image_uri()),
            image_role.arn(),
        )
        .package_type(lambda::function::PackageType::Image)
        .architectures([lambda::function::Architectures::X8664])
        .timeout(5)
        .memory_size(128)
        .reserved_concurrent_executions(2)
        .dead_letter_config(
            lambda::function::DeadLetterConfig::new().target_arn(dead_letters.arn()),
        )
        .environment(
            lambda::function::Environment::new()
                .variables(object([("SERVICE", "orders".into())])),
        )
        .tracing_config(
            lambda::function::TracingConfig::new().mode(lambda::function::Mode::Active),
        )
        .accept_finding(
            "CKV_AWS_117",
            "the health function reaches nothing; no VPC resources to reach",
        )
        .accept_finding(
            "CKV_AWS_173",
            "the variable is the service's name, not a secret",
        )
        .accept_finding(
            "CKV_AWS_272",
            "code signing applies to zip packages only; the image is content-addressed by its digest",
        ),
    );

    stack.output("ApiUrl", url.url());
    stack.output("HealthImageFunction", health_from_image.arn());
    stack.output("HealthUrl", health_url.function_url());
    stack.output("OrdersTable", table.name());
    stack.output("AlertsTopic", alerts.id());
}

/// Two environments: staging and production, in accounts of their own.
pub fn app() -> App<()> {
    App::new("orders")
        .tag(tags::OWNER, "orders-team")
        .environment(Environment::new("staging", "444444444444", "eu-west-1", ()))
        .environment(Environment::new(
            "production",
            "555555555555",
            "us-east-1",
            (),
        ))
        .stacks(|stacks, env| {
            let assets = stacks.stack("assets", bootstrap);
            stacks.stack("orders", |stack| service(stack, env, &assets));
        })
}
