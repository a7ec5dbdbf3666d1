//! A serverless order service, written with the catalog's secure constructs (`stackwright::aws`:
//! CloudFormation and native `aws_*` resources in Terraform):
//!
//! - an HTTP API (API Gateway v2, IAM-authorized routes, access logs) in front of the `api` function,
//!   which puts orders on a queue;
//! - an SQS work queue with a dead-letter queue, consumed by the `worker` function, which writes the
//!   orders to a DynamoDB table;
//! - an EventBridge Scheduler schedule that runs the worker every five minutes to sweep what is left;
//! - an SNS topic for alerts, whose ARN is an output;
//! - a `health` function written in Rust (the workspace's `serverless-health` crate), built for Lambda by
//!   synth and answering on its own function URL;
//! - the same function from a container image: a `FROM scratch` image (`images/health/Dockerfile`) built
//!   by synth without a daemon, holding the function's binary linked statically (a scratch image has no
//!   C library), pushed to the environment's image repository.
//!
//! Every function gets a role of its own (logs to its own group only, plus what its grants add), a log
//! group kept a year, X-Ray tracing and a dead-letter queue. The Python functions' code is a directory
//! each (`functions/api`, `functions/worker`) and the Rust function a crate (`functions/health`): code
//! assets, packed into reproducible zips named by their sha256 in `out/assets/`; the image is an OCI
//! archive there, tagged with its digest. An `assets` stack per environment declares the asset bucket and
//! image repository (deployed first: every stack that declares an asset deploys after it);
//! CloudFormation reads the zips there once `list`'s publish commands uploaded them, Terraform uploads
//! them itself from the tree; the image is pushed by `list`'s `skopeo copy` for both.

use stackwright::assets::{bootstrap, Architecture, ImageBuild, RustFunction};
use stackwright::aws::apigatewayv2::HttpApi;
use stackwright::aws::lambda::{Function, FunctionUrl, QueueEventSource, Runtime};
use stackwright::aws::s3::BucketHandle;
use stackwright::aws::scheduler::Schedule;
use stackwright::aws::{dynamodb, sns, sqs};
use stackwright::prelude::*;
use stackwright::tags;

/// The service's stack, once per environment; `assets` is the environment's asset bucket (the service
/// deploys after it).
pub fn service(stack: &mut Stack, _env: &Environment<()>, assets: &BucketHandle) {
    let api_code = stack.asset(Asset::directory(asset_path!("functions/api")));
    let worker_code = stack.asset(Asset::directory(asset_path!("functions/worker")));
    let health_crate = RustFunction::new(asset_path!("functions/health"), "serverless-health")
        .architecture(Architecture::X86_64);
    let health_code = stack.asset(Asset::rust(health_crate.clone()));
    // The same crate in an image: linked statically, as a scratch image has no C library.
    let health_image = stack.asset(Asset::image(
        ImageBuild::new(asset_path!("images/health"))
            .rust_binary("bootstrap", health_crate.statically_linked()),
    ));
    let alerts = stack.add(sns::Topic::new("Alerts"));
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
    // Failed asynchronous invocations of every function go to the shared dead-letter queue.
    let function = |f: Function| f.reserved_concurrency(5).dead_letter_queue(&dead_letters);

    // The API puts orders on the queue, behind an HTTP API whose routes callers sign with IAM.
    let api = function(Function::new("Api", &api_code, Runtime::Python312, "index.handler"))
        .timeout_seconds(30)
        .environment("QUEUE_URL", queue.url())
        .add_to(stack);
    stack.add(queue.grant_send(&api));
    let http = HttpApi::new("OrdersApi")
        .route("POST /orders", &api)
        .route("GET /orders/{id}", &api)
        .throttling(50, 100)
        .add_to(stack);

    // The worker consumes the queue (the mapping grants what it needs), writes the table, and sweeps
    // every five minutes.
    let worker = function(Function::new("Worker", &worker_code, Runtime::Python312, "index.handler"))
        .timeout_seconds(30)
        .environment("TABLE_NAME", table.name())
        .add_to(stack);
    QueueEventSource::new("WorkerQueue", &worker, &queue)
        .batch_size(10)
        .add_to(stack);
    stack.add(table.grant_read_write(&worker));
    Schedule::invoke("Sweep", "rate(5 minutes)", &worker)
        .description("Runs the worker every five minutes")
        .add_to(stack);

    // The Rust function: the binary is the zip's `bootstrap`, for the OS-only runtime; and the same
    // from its image, whose digest names the code.
    let health = function(Function::new("Health", &health_code, Runtime::ProvidedAl2023, "bootstrap"))
        .timeout_seconds(5)
        .memory_mb(128)
        .environment("SERVICE", "orders")
        // Where the service's code is: the asset bucket, which the service deploys after.
        .environment("CODE_BUCKET", assets.name())
        .add_to(stack);
    let health_url = stack.add(FunctionUrl::new("HealthUrl", &health));
    let health_from_image = function(Function::from_image("HealthImage", &health_image))
        .timeout_seconds(5)
        .memory_mb(128)
        .environment("SERVICE", "orders")
        .add_to(stack);

    stack.output("ApiEndpoint", http.endpoint());
    stack.output("HealthImageFunction", health_from_image.arn());
    stack.output("HealthUrl", health_url.url());
    stack.output("OrdersTable", table.name());
    stack.output("AlertsTopic", alerts.arn());
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
