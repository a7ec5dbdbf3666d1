//! Lambda functions (`aws::lambda::Function`): a construct declared with its role, the role's policy,
//! a log group and a dead-letter queue, and the grants that take a function.

use crate::support::{artifacts, fails, line_below, one_stack, CFN, TF};
use serde_json::json;
use stackwright::aws::lambda::{
    Alias, Architecture, Code, Function, FunctionHandle, Runtime, Version,
};
use stackwright::aws::{ec2, secretsmanager, sqs, ssm};

fn zip() -> Code {
    Code::s3("code-bucket", "0123.zip")
}

#[test]
fn a_function_gets_a_role_its_own_log_group_tracing_and_a_dead_letter_queue_by_default() {
    let app = one_stack(|s| {
        let f = Function::new("Api", zip(), Runtime::Python312, "index.handler").add_to(s);
        s.output("ApiArn", f.arn());
        s.output("ApiName", f.name());
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    let types: Vec<(&str, &str)> = resources
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, r)| (id.as_str(), r["Type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        types,
        [
            ("ApiLogs", "AWS::Logs::LogGroup"),
            ("ApiRole", "AWS::IAM::Role"),
            ("ApiDeadLetters", "AWS::SQS::Queue"),
            ("ApiExecution", "AWS::IAM::Policy"),
            ("Api", "AWS::Lambda::Function"),
        ]
    );
    let function = &resources["Api"];
    assert_eq!(function["DependsOn"], json!(["ApiExecution"]));
    let properties = &function["Properties"];
    assert_eq!(
        properties["Code"],
        json!({"S3Bucket": "code-bucket", "S3Key": "0123.zip"})
    );
    assert_eq!(
        properties["Role"],
        json!({"Fn::GetAtt": ["ApiRole", "Arn"]})
    );
    assert_eq!(properties["Runtime"], "python3.12");
    assert_eq!(properties["Handler"], "index.handler");
    assert_eq!(properties["Architectures"], json!(["x86_64"]));
    assert_eq!(properties["MemorySize"], 128);
    assert_eq!(properties["Timeout"], 3);
    assert_eq!(
        properties["LoggingConfig"],
        json!({"LogGroup": {"Ref": "ApiLogs"}, "LogFormat": "Text"})
    );
    assert_eq!(properties["TracingConfig"], json!({"Mode": "Active"}));
    assert_eq!(
        properties["DeadLetterConfig"],
        json!({"TargetArn": {"Fn::GetAtt": ["ApiDeadLetters", "Arn"]}})
    );
    assert!(properties.get("FunctionName").is_none());
    assert_eq!(resources["ApiLogs"]["Properties"]["RetentionInDays"], 365);
    assert_eq!(
        resources["ApiDeadLetters"]["Properties"]["MessageRetentionPeriod"],
        1209600
    );
    // Trusted by Lambda only; the logs statement names the function's own group, nothing wider.
    assert_eq!(
        resources["ApiRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"],
        json!([{"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]},
            "Action": ["sts:AssumeRole"]}])
    );
    let group = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${ApiLogs}";
    assert_eq!(
        resources["ApiExecution"]["Properties"]["PolicyDocument"]["Statement"],
        json!([
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [{"Fn::Sub": group}, {"Fn::Sub": format!("{group}:*")}]},
            {"Effect": "Allow", "Action": ["sqs:SendMessage"],
                "Resource": [{"Fn::GetAtt": ["ApiDeadLetters", "Arn"]}]},
            {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                "Resource": ["*"]}
        ])
    );
    let skipped: Vec<&str> = function["Metadata"]["checkov"]["skip"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["CKV_AWS_115", "CKV_AWS_117"]);
    assert_eq!(
        docs[CFN]["Outputs"]["ApiName"]["Value"],
        json!({"Ref": "Api"})
    );

    let tf = &docs[TF]["resource"]["aws_lambda_function"]["api"];
    assert_eq!(tf["function_name"], "demo-dev-main-Api");
    assert_eq!(tf["s3_bucket"], "code-bucket");
    assert_eq!(tf["role"], "${aws_iam_role.api_role.arn}");
    assert_eq!(tf["runtime"], "python3.12");
    assert_eq!(tf["memory_size"], 128);
    assert_eq!(tf["timeout"], 3);
    assert_eq!(
        tf["logging_config"],
        json!({"log_group": "${aws_cloudwatch_log_group.api_logs.name}", "log_format": "Text"})
    );
    assert_eq!(tf["tracing_config"], json!({"mode": "Active"}));
    assert_eq!(
        tf["dead_letter_config"],
        json!({"target_arn": "${aws_sqs_queue.api_dead_letters.arn}"})
    );
    assert_eq!(
        tf["depends_on"],
        json!(["aws_iam_role_policy.api_execution"])
    );
    assert_eq!(
        docs[TF]["output"]["api_name"]["value"],
        "${aws_lambda_function.api.function_name}"
    );
}

#[test]
fn secret_and_parameter_variables_hold_references_and_grant_reading_them() {
    let app = one_stack(|s| {
        let secret = s.add(secretsmanager::Secret::generated("Db"));
        let flag = s.add(ssm::Parameter::string("Flag", "/demo/flag", "on"));
        Function::new("Api", zip(), Runtime::Python312, "index.handler")
            .environment("MODE", "live")
            .secret_environment("DB_SECRET_ARN", &secret)
            .parameter_environment("FLAG_NAME", &flag)
            .add_to(s);
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    let function = &resources["Api"];
    assert_eq!(
        function["Properties"]["Environment"],
        json!({"Variables": {"MODE": "live", "DB_SECRET_ARN": {"Ref": "Db"}, "FLAG_NAME": {"Ref": "Flag"}}})
    );
    assert_eq!(
        function["DependsOn"],
        json!(["ApiExecution", "ApiRoleDbRead", "ApiRoleFlagRead"])
    );
    assert_eq!(
        resources["ApiRoleDbRead"]["Properties"]["PolicyDocument"]["Statement"],
        json!([{"Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": [{"Ref": "Db"}]}])
    );
    assert_eq!(
        resources["ApiRoleFlagRead"]["Properties"]["Roles"],
        json!([{"Ref": "ApiRole"}])
    );
    let tf = &docs[TF]["resource"]["aws_lambda_function"]["api"];
    assert_eq!(
        tf["environment"],
        json!({"variables": {"MODE": "live",
            "DB_SECRET_ARN": "${aws_secretsmanager_secret.db.arn}",
            "FLAG_NAME": "${aws_ssm_parameter.flag.name}"}})
    );
}

#[test]
fn placement_concurrency_architecture_and_an_image_in_both_targets() {
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let subnet = s.add(ec2::Subnet::new("Private", &vpc, "10.0.1.0/24"));
        let group = s.add(ec2::SecurityGroup::new("Fn", &vpc, "the function"));
        let failed = s.add(sqs::Queue::new("Failed"));
        Function::new("Api", zip(), Runtime::ProvidedAl2023, "bootstrap")
            .architecture(Architecture::Arm64)
            .memory_mb(512)
            .timeout_seconds(60)
            .reserved_concurrency(5)
            .vpc([&subnet], [&group])
            .dead_letter_queue(&failed)
            .name("api")
            .add_to(s);
        Function::from_image(
            "Image",
            Code::image("111.dkr.ecr.us-west-2.amazonaws.com/x:1"),
        )
        .without_dead_letter_queue()
        .disable_tracing()
        .add_to(s);
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    assert!(resources.get("ApiDeadLetters").is_none());
    let api = &resources["Api"]["Properties"];
    assert_eq!(api["FunctionName"], "demo-dev-api");
    assert_eq!(api["Architectures"], json!(["arm64"]));
    assert_eq!(api["ReservedConcurrentExecutions"], 5);
    assert_eq!(
        api["VpcConfig"],
        json!({"SubnetIds": [{"Ref": "Private"}], "SecurityGroupIds": [{"Fn::GetAtt": ["Fn", "GroupId"]}]})
    );
    assert_eq!(
        api["DeadLetterConfig"],
        json!({"TargetArn": {"Fn::GetAtt": ["Failed", "Arn"]}})
    );
    let statements = &resources["ApiExecution"]["Properties"]["PolicyDocument"]["Statement"];
    assert_eq!(statements[3]["Action"][0], "ec2:CreateNetworkInterface");
    assert_eq!(statements[3]["Resource"], json!(["*"]));
    let image = &resources["Image"];
    assert_eq!(
        image["Properties"]["Code"],
        json!({"ImageUri": "111.dkr.ecr.us-west-2.amazonaws.com/x:1"})
    );
    assert_eq!(image["Properties"]["PackageType"], "Image");
    assert!(image["Properties"].get("Runtime").is_none());
    assert!(image["Properties"].get("TracingConfig").is_none());
    assert!(image["Properties"].get("DeadLetterConfig").is_none());
    let skipped: Vec<&str> = image["Metadata"]["checkov"]["skip"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["CKV_AWS_116", "CKV_AWS_115", "CKV_AWS_117"]);
    // Without tracing or a VPC the role is granted nothing on `*`.
    assert_eq!(
        resources["ImageExecution"]["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let tf = &docs[TF]["resource"]["aws_lambda_function"];
    assert_eq!(tf["api"]["function_name"], "demo-dev-api");
    assert_eq!(
        tf["api"]["vpc_config"],
        json!({"subnet_ids": ["${aws_subnet.private.id}"],
            "security_group_ids": ["${aws_security_group.fn.id}"]})
    );
    assert_eq!(tf["api"]["reserved_concurrent_executions"], 5);
    assert_eq!(tf["image"]["package_type"], "Image");
    assert_eq!(
        tf["image"]["image_uri"],
        "111.dkr.ecr.us-west-2.amazonaws.com/x:1"
    );
    let comment = tf["image"]["//"].to_string();
    for id in [
        "CKV_AWS_50",
        "CKV_AWS_116",
        "CKV_AWS_115",
        "CKV_AWS_117",
        "CKV_AWS_272",
    ] {
        assert!(comment.contains(id), "{id} not skipped: {comment}");
    }
}

#[test]
fn bad_function_input_is_a_located_error() {
    let at = line_below(4);
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let group = s.add(ec2::SecurityGroup::new("Fn", &vpc, "the function"));
        Function::new("Api", zip(), Runtime::Python312, "index handler")
            .memory_mb(64)
            .timeout_seconds(901)
            .reserved_concurrency(-1)
            .environment("AWS_REGION", "x")
            .environment("1BAD", "x")
            .environment("MODE", "a")
            .environment("MODE", "b")
            .vpc(&[], [&group])
            .add_to(s);
        Function::new(
            "Image",
            Code::image("x"),
            Runtime::Python312,
            "index.handler",
        )
        .add_to(s);
        Function::from_image("Zip", zip()).add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "function handler `index handler`: expected 1 to 128 characters without spaces",
            "function memory of 64 MB: expected 128 to 10240",
            "function timeout of 901 seconds: expected 1 to 900 (15 minutes)",
            "reserved concurrency of -1: expected 0 to 3000",
            "environment variable `AWS_REGION` is reserved by Lambda",
            "environment variable name `1BAD`: expected a letter followed by letters, digits and `_`",
            "environment variable `MODE` is set twice",
            "function VPC placement with 0 subnets and 1 security groups: expected 1 to 16 subnets",
            "function code is an image, which has no runtime or handler",
            "function code is a zip, which needs a runtime and a handler",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}

#[test]
fn a_literal_secret_in_a_variable_is_an_error() {
    let app = one_stack(|s| {
        Function::new("Api", zip(), Runtime::Python312, "index.handler")
            .environment("DB_PASSWORD", "hunter2-hunter2")
            .add_to(s);
    });
    fails(&app, &["DB_PASSWORD"]);
}

#[test]
fn grants_take_a_function_and_attach_resource_scoped_statements_to_its_role() {
    use stackwright::aws::{dynamodb, kms, s3, sns};
    let app = one_stack(|s| {
        let jobs = s.add(sqs::Queue::new("Jobs"));
        let key = s.add(kms::Key::new("TopicKey"));
        let alerts = s.add(sns::Topic::new("Alerts").encryption_key(&key));
        let plain = s.add(sns::Topic::new("Plain"));
        let table = s.add(dynamodb::Table::new("Orders", dynamodb::Key::string("pk")));
        let bucket = s.add(s3::Bucket::new("Files"));
        let f = Function::new("Api", zip(), Runtime::Python312, "index.handler").add_to(s);
        s.add(jobs.grant_send(&f));
        s.add(jobs.grant_consume(&f));
        s.add(alerts.grant_publish(&f));
        s.add(plain.grant_publish(&f));
        s.add(table.grant_read_write(&f));
        s.add(bucket.grant_read(&f));
        // A role is still a grantee.
        let other = s.add(sqs::Queue::new("Other"));
        s.add(other.grant_send(f.role()));
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    let policy = |id: &str| resources[id]["Properties"].clone();
    for id in [
        "ApiRoleJobsSend",
        "ApiRoleJobsConsume",
        "ApiRoleAlertsPublish",
        "ApiRoleOrdersReadWrite",
        "ApiRoleFilesRead",
    ] {
        assert_eq!(policy(id)["Roles"], json!([{"Ref": "ApiRole"}]), "{id}");
    }
    let jobs = json!({"Fn::GetAtt": ["Jobs", "Arn"]});
    assert_eq!(
        policy("ApiRoleJobsSend")["PolicyDocument"]["Statement"],
        json!([{"Effect": "Allow",
            "Action": ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
            "Resource": [jobs]}])
    );
    assert_eq!(
        policy("ApiRoleJobsConsume")["PolicyDocument"]["Statement"],
        json!([{"Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
            "Resource": [jobs]}])
    );
    assert_eq!(
        policy("ApiRoleAlertsPublish")["PolicyDocument"]["Statement"],
        json!([
            {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [{"Ref": "Alerts"}]},
            {"Effect": "Allow", "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": [{"Fn::GetAtt": ["TopicKey", "Arn"]}]}
        ])
    );
    // The AWS managed key needs no grant.
    assert_eq!(
        policy("ApiRolePlainPublish")["PolicyDocument"]["Statement"],
        json!([{"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [{"Ref": "Plain"}]}])
    );
    assert_eq!(
        resources["Alerts"]["Properties"]["KmsMasterKeyId"],
        json!({"Fn::GetAtt": ["TopicKey", "Arn"]})
    );
    assert_eq!(
        policy("ApiRoleOtherSend")["Roles"],
        json!([{"Ref": "ApiRole"}])
    );
    let tf = &docs[TF]["resource"]["aws_iam_role_policy"];
    assert_eq!(
        tf["api_role_jobs_send"]["role"],
        "${aws_iam_role.api_role.name}"
    );
}

#[test]
fn a_queue_event_source_is_a_mapping_that_waits_for_the_consume_grant() {
    use stackwright::aws::lambda::QueueEventSource;
    let app = one_stack(|s| {
        let jobs = s.add(sqs::Queue::new("Jobs").visibility_timeout_seconds(60));
        let worker = Function::new("Worker", zip(), Runtime::Python312, "index.handler")
            .timeout_seconds(60)
            .add_to(s);
        let mapping = QueueEventSource::new("WorkerJobs", &worker, &jobs)
            .batch_size(100)
            .maximum_batching_window_seconds(5)
            .report_batch_item_failures()
            .maximum_concurrency(4)
            .add_to(s);
        s.output("Mapping", mapping.uuid());
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    assert_eq!(
        resources["WorkerJobs"],
        json!({"Type": "AWS::Lambda::EventSourceMapping", "DependsOn": ["WorkerRoleJobsConsume"],
        "Properties": {
            "FunctionName": {"Fn::GetAtt": ["Worker", "Arn"]},
            "EventSourceArn": {"Fn::GetAtt": ["Jobs", "Arn"]},
            "BatchSize": 100,
            "MaximumBatchingWindowInSeconds": 5,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": {"MaximumConcurrency": 4},
            "Tags": [
                {"Key": "app", "Value": "demo"},
                {"Key": "environment", "Value": "dev"},
                {"Key": "managed-by", "Value": "stackwright"}
            ]
        }})
    );
    assert_eq!(
        resources["WorkerRoleJobsConsume"]["Properties"]["Roles"],
        json!([{"Ref": "WorkerRole"}])
    );
    assert_eq!(
        docs[TF]["resource"]["aws_lambda_event_source_mapping"]["worker_jobs"],
        json!({
            "depends_on": ["aws_iam_role_policy.worker_role_jobs_consume"],
            "function_name": "${aws_lambda_function.worker.arn}",
            "event_source_arn": "${aws_sqs_queue.jobs.arn}",
            "batch_size": 100,
            "maximum_batching_window_in_seconds": 5,
            "function_response_types": ["ReportBatchItemFailures"],
            "scaling_config": {"maximum_concurrency": 4}
        })
    );
    assert_eq!(
        docs[TF]["output"]["mapping"]["value"],
        "${aws_lambda_event_source_mapping.worker_jobs.uuid}"
    );
}

#[test]
fn a_topic_event_source_subscribes_and_lets_only_that_topic_invoke() {
    use stackwright::aws::lambda::TopicEventSource;
    use stackwright::aws::sns;
    let app = one_stack(|s| {
        let alerts = s.add(sns::Topic::new("Alerts"));
        let f = Function::new("Pager", zip(), Runtime::Python312, "index.handler").add_to(s);
        TopicEventSource::new("PagerAlerts", &f, &alerts).add_to(s);
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    assert_eq!(
        resources["PagerAlertsPermission"],
        json!({"Type": "AWS::Lambda::Permission", "Properties": {
            "FunctionName": {"Fn::GetAtt": ["Pager", "Arn"]},
            "Action": "lambda:InvokeFunction",
            "Principal": "sns.amazonaws.com",
            "SourceArn": {"Ref": "Alerts"}
        }})
    );
    assert_eq!(
        resources["PagerAlerts"]["DependsOn"],
        json!(["PagerAlertsPermission"])
    );
    assert_eq!(resources["PagerAlerts"]["Properties"]["Protocol"], "lambda");
    let permission = &docs[TF]["resource"]["aws_lambda_permission"]["pager_alerts_permission"];
    assert_eq!(permission["source_arn"], "${aws_sns_topic.alerts.arn}");
    assert_eq!(permission["principal"], "sns.amazonaws.com");
}

#[test]
fn a_schedule_invokes_the_function_as_a_role_of_its_own() {
    use stackwright::aws::scheduler::Schedule;
    let app = one_stack(|s| {
        let f = Function::new("Sweep", zip(), Runtime::Python312, "index.handler").add_to(s);
        Schedule::invoke("Every5", "rate(5 minutes)", &f)
            .description("Sweeps what is left")
            .add_to(s);
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    assert_eq!(
        resources["Every5"],
        json!({"Type": "AWS::Scheduler::Schedule", "DependsOn": ["Every5Invoke"], "Properties": {
            "Description": "Sweeps what is left",
            "ScheduleExpression": "rate(5 minutes)",
            "State": "ENABLED",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": {"Fn::GetAtt": ["Sweep", "Arn"]},
                "RoleArn": {"Fn::GetAtt": ["Every5Role", "Arn"]}}
        }})
    );
    assert_eq!(
        resources["Every5Role"]["Properties"]["AssumeRolePolicyDocument"]["Statement"],
        json!([{"Effect": "Allow", "Principal": {"Service": ["scheduler.amazonaws.com"]},
            "Action": ["sts:AssumeRole"],
            "Condition": {"StringEquals": {"aws:SourceAccount": [{"Ref": "AWS::AccountId"}]}}}])
    );
    assert_eq!(
        resources["Every5Invoke"]["Properties"]["PolicyDocument"]["Statement"],
        json!([{"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": [
            {"Fn::GetAtt": ["Sweep", "Arn"]},
            {"Fn::Sub": "${Sweep.Arn}:*"}
        ]}])
    );
    let tf = &docs[TF]["resource"]["aws_scheduler_schedule"]["every5"];
    assert_eq!(tf["flexible_time_window"], json!({"mode": "OFF"}));
    assert_eq!(
        tf["target"],
        json!({"arn": "${aws_lambda_function.sweep.arn}", "role_arn": "${aws_iam_role.every5_role.arn}"})
    );
}

#[test]
fn bad_event_source_and_schedule_input_is_a_located_error() {
    use stackwright::aws::lambda::QueueEventSource;
    use stackwright::aws::scheduler::Schedule;
    let at = line_below(6);
    let app = one_stack(|s| {
        let jobs = s.add(sqs::Queue::new("Jobs"));
        let worker = Function::new("Worker", zip(), Runtime::Python312, "index.handler")
            .timeout_seconds(120)
            .add_to(s);
        QueueEventSource::new("WorkerJobs", &worker, &jobs)
            .batch_size(50)
            .add_to(s);
        Schedule::invoke("Often", "rate(1 minutes)", &worker).add_to(s);
        Schedule::invoke("Never", "every day", &worker)
            .flexible_window_minutes(0)
            .add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "queue batch size of 50 without a batching window",
            "queue `Jobs` hides a received message 30 seconds, less than function `Worker`'s timeout \
             of 120",
            "schedule expression `rate(1 minutes)`: a rate is a positive number and its unit",
            "schedule expression `every day`: no `(`",
            "flexible window of 0 minutes: expected 1 to 1440",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}

#[test]
fn a_function_url_takes_iam_authentication() {
    use stackwright::aws::lambda::FunctionUrl;
    let app = one_stack(|s| {
        let f = Function::new("Api", zip(), Runtime::Python312, "index.handler").add_to(s);
        let url = s.add(FunctionUrl::new("ApiUrl", &f));
        let g = Function::new("Feed", zip(), Runtime::Python312, "index.handler").add_to(s);
        s.add(FunctionUrl::new("Stream", &g).response_streaming());
        s.output("Url", url.url());
    });
    let docs = artifacts(&app);
    assert_eq!(
        docs[CFN]["Resources"]["ApiUrl"],
        json!({"Type": "AWS::Lambda::Url", "Properties": {
            "TargetFunctionArn": {"Fn::GetAtt": ["Api", "Arn"]},
            "AuthType": "AWS_IAM",
            "InvokeMode": "BUFFERED"
        }})
    );
    assert_eq!(
        docs[CFN]["Resources"]["Stream"]["Properties"]["InvokeMode"],
        "RESPONSE_STREAM"
    );
    assert_eq!(
        docs[CFN]["Outputs"]["Url"]["Value"],
        json!({"Fn::GetAtt": ["ApiUrl", "FunctionUrl"]})
    );
    assert_eq!(
        docs[TF]["resource"]["aws_lambda_function_url"]["api_url"],
        json!({"function_name": "${aws_lambda_function.api.arn}",
            "authorization_type": "AWS_IAM", "invoke_mode": "BUFFERED"})
    );
    assert_eq!(
        docs[TF]["output"]["url"]["value"],
        "${aws_lambda_function_url.api_url.function_url}"
    );
}

/// A versioned function whose code is `key`, with alias `Live` built by `alias`.
fn versioned(
    key: &'static str,
    alias: impl Fn(Alias, &FunctionHandle) -> Alias + Send + Sync + 'static,
) -> stackwright::App<()> {
    one_stack(move |s| {
        let f = Function::new(
            "Api",
            Code::s3("code-bucket", key),
            Runtime::Python312,
            "index.handler",
        )
        .publish_versions()
        .add_to(s);
        let live = alias(Alias::new("Live", &f), &f).add_to(s);
        s.output("LiveArn", live.arn());
    })
}

/// The CloudFormation id of the function's version (the one `AWS::Lambda::Version`).
fn version_id(docs: &std::collections::BTreeMap<String, serde_json::Value>) -> String {
    let versions: Vec<&String> = docs[CFN]["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Lambda::Version")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(versions.len(), 1, "{versions:?}");
    versions[0].clone()
}

#[test]
fn a_versioned_function_publishes_its_current_version_which_an_alias_points_at() {
    let docs = artifacts(&versioned("0123.zip", |a, _| a));
    let id = version_id(&docs);
    assert!(
        id.starts_with("ApiVersion") && id.len() == "ApiVersion".len() + 16,
        "{id}"
    );
    let resources = &docs[CFN]["Resources"];
    assert_eq!(
        resources[&id],
        json!({"Type": "AWS::Lambda::Version", "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain", "Properties": {"FunctionName": {"Ref": "Api"}}})
    );
    assert_eq!(
        resources["Live"],
        json!({"Type": "AWS::Lambda::Alias", "Properties": {
            "FunctionName": {"Ref": "Api"},
            "FunctionVersion": {"Fn::GetAtt": [id, "Version"]},
            "Name": "Live"}})
    );
    assert_eq!(
        docs[CFN]["Outputs"]["LiveArn"]["Value"],
        json!({"Ref": "Live"})
    );
    // Terraform publishes with the function and has no version resource.
    let tf = &docs[TF]["resource"];
    assert_eq!(tf["aws_lambda_function"]["api"]["publish"], true);
    assert_eq!(
        tf["aws_lambda_alias"]["live"],
        json!({"function_name": "${aws_lambda_function.api.function_name}",
            "function_version": "${aws_lambda_function.api.version}", "name": "Live"})
    );
    let types: Vec<&String> = tf.as_object().unwrap().keys().collect();
    assert!(!types.iter().any(|t| t.contains("version")), "{types:?}");
    // Without `.publish_versions()` nothing changes.
    let plain = artifacts(&one_stack(|s| {
        Function::new("Api", zip(), Runtime::Python312, "index.handler").add_to(s);
    }));
    assert!(plain[TF]["resource"]["aws_lambda_function"]["api"]
        .get("publish")
        .is_none());
}

#[test]
fn an_alias_shifts_a_weight_to_the_current_version_in_both_targets() {
    let canary = |weight: f64| {
        versioned("0123.zip", move |a, f| {
            a.version(Version::number(7))
                .shift(&f.current_version(), weight)
        })
    };
    let docs = artifacts(&canary(0.1));
    let id = version_id(&docs);
    assert_eq!(
        docs[CFN]["Resources"]["Live"]["Properties"],
        json!({"FunctionName": {"Ref": "Api"}, "FunctionVersion": "7", "Name": "Live",
            "RoutingConfig": {"AdditionalVersionWeights": [
                {"FunctionVersion": {"Fn::GetAtt": [id, "Version"]}, "FunctionWeight": 0.1}]}})
    );
    let alias = &docs[TF]["resource"]["aws_lambda_alias"]["live"];
    assert_eq!(alias["function_version"], "7");
    assert_eq!(
        alias["routing_config"],
        json!({"additional_version_weights":
            "${{ (aws_lambda_function.api.version) = 0.1 }}"})
    );
    // A weight change changes the alias only: the version is the same.
    let shifted = artifacts(&canary(0.5));
    assert_eq!(version_id(&shifted), id);
    assert_eq!(
        shifted[CFN]["Resources"]["Live"]["Properties"]["RoutingConfig"]
            ["AdditionalVersionWeights"][0]["FunctionWeight"],
        0.5
    );
    assert_eq!(
        shifted[TF]["resource"]["aws_lambda_alias"]["live"]["routing_config"]
            ["additional_version_weights"],
        "${{ (aws_lambda_function.api.version) = 0.5 }}"
    );
    assert_eq!(
        shifted[TF]["resource"]["aws_lambda_function"],
        docs[TF]["resource"]["aws_lambda_function"]
    );
}

#[test]
fn a_code_change_publishes_a_new_version_in_both_targets_and_plan_shows_it() {
    let before = versioned("0123.zip", |a, _| a);
    let after = versioned("4567.zip", |a, _| a);
    let (old, new) = (
        version_id(&artifacts(&before)),
        version_id(&artifacts(&after)),
    );
    assert_ne!(old, new);
    // The same code and configuration give the same id, synthesis after synthesis.
    assert_eq!(
        version_id(&artifacts(&versioned("0123.zip", |a, _| a))),
        old
    );
    // A configuration change is a new version too.
    let tuned = one_stack(|s| {
        let f = Function::new("Api", zip(), Runtime::Python312, "index.handler")
            .memory_mb(256)
            .publish_versions()
            .add_to(s);
        Alias::new("Live", &f).add_to(s);
    });
    assert_ne!(version_id(&artifacts(&tuned)), old);

    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out_arg = out.to_str().unwrap();
    assert_eq!(crate::support::run(&before, &["--out", out_arg]).0, 0);
    let (code, stdout, stderr) = crate::support::run(&after, &["plan", "--against", out_arg]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    // CloudFormation: a new version is created, the old one retained, the alias moves to the new one.
    // Terraform: the function is updated (which publishes) and the alias follows its `version`.
    for fragment in [
        format!("+ add      {new}  AWS::Lambda::Version"),
        format!("- destroy  {old}  AWS::Lambda::Version"),
        "retained: DeletionPolicy Retain leaves it in place".to_owned(),
        format!("FunctionVersion: {{\"Fn::GetAtt\":[\"{old}\",\"Version\"]}} -> {{\"Fn::GetAtt\":[\"{new}\",\"Version\"]}}"),
        "~ update  aws_lambda_function.api".to_owned(),
        "function_version: \"${aws_lambda_function.api.version}\" -> (known after deploy: \
         `aws_lambda_function.api` is updated: its `version` changes)"
            .to_owned(),
    ] {
        assert!(stdout.contains(&fragment), "missing `{fragment}` in:\n{stdout}");
    }
}

#[test]
fn bad_version_and_alias_input_is_a_located_error() {
    let at = line_below(6);
    let app = one_stack(|s| {
        let plain = Function::new("Plain", zip(), Runtime::Python312, "index.handler").add_to(s);
        let f = Function::new("Api", zip(), Runtime::Python312, "index.handler")
            .publish_versions()
            .add_to(s);
        Alias::new("Live", &f)
            .shift(&f.current_version(), 1.0)
            .add_to(s);
        Alias::new("Canary", &f)
            .version(Version::number(3))
            .shift(&f.current_version(), 0.0)
            .shift(&Version::number(2), 0.2)
            .add_to(s);
        Alias::new("PlainLive", &plain).add_to(s);
        Alias::new("Old", &f).version(Version::number(0)).add_to(s);
        Alias::new("L".repeat(129), &f).add_to(s);
        Alias::new("Mixed", &f)
            .shift(&plain.current_version(), 0.5)
            .add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "alias shift of 1 to `Api`'s current version: expected a weight above 0 and below 1",
            "alias shifts to `Api`'s current version, which it already points at",
            "alias shift of 0 to `Api`'s current version: expected a weight above 0 and below 1",
            "alias shifts to `Api`'s current version and to version 2: Lambda routes to one additional \
             version at most",
            "alias of `Plain`: `Plain`'s current version: `Plain` publishes no versions, expected \
             `.publish_versions()` on the function",
            "expected 1 to 128 letters, digits, `-` and `_`",
            "alias of `Api`: version 0: expected a published version's number, 1 or more",
            "alias of `Api` points at `Plain`'s current version: expected a version of `Api`",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
    // One mistake, one error: nothing follows on from the versions an alias refused.
    assert!(
        errors.contains("8 problems found"),
        "follow-on errors in:\n{errors}"
    );
}

#[test]
fn a_change_of_a_code_asset_publishes_a_new_version() {
    use stackwright::assets::{Asset, StackAssets};
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("api");
    std::fs::create_dir(&dir).unwrap();
    let app = |dir: std::path::PathBuf| {
        one_stack(move |s| {
            let code = s.asset(Asset::directory(dir.clone()));
            let f = Function::new("Api", &code, Runtime::Python312, "index.handler")
                .publish_versions()
                .add_to(s);
            Alias::new("Live", &f).add_to(s);
        })
    };
    std::fs::write(dir.join("index.py"), "def handler(e, c): return 1\n").unwrap();
    let first = version_id(&artifacts(&app(dir.clone())));
    assert_eq!(version_id(&artifacts(&app(dir.clone()))), first);
    std::fs::write(dir.join("index.py"), "def handler(e, c): return 2\n").unwrap();
    assert_ne!(version_id(&artifacts(&app(dir.clone()))), first);
}

/// The error messages of `app`'s failed synthesis, one per line.
fn errors_of<C>(app: &stackwright::App<C>) -> Vec<String> {
    let errors = fails(app, &[]);
    errors
        .lines()
        .filter(|line| line.starts_with("error: ") && !line.contains("nothing was written"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_bad_or_taken_function_id_is_one_error_not_one_per_part() {
    use stackwright::aws::lambda::QueueEventSource;
    use stackwright::aws::scheduler::Schedule;
    for id in ["", "Wörker !"] {
        let app = one_stack(move |s| {
            Function::new(id, zip(), Runtime::Python312, "index.handler").add_to(s);
        });
        let errors = errors_of(&app);
        assert_eq!(errors.len(), 1, "{id:?}: {errors:#?}");
        assert!(errors[0].contains("invalid function id"), "{errors:#?}");
    }
    let app = one_stack(|s| {
        Function::new("Worker", zip(), Runtime::Python312, "index.handler").add_to(s);
        Function::new("Worker", zip(), Runtime::Python312, "index.handler").add_to(s);
    });
    let errors = errors_of(&app);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains("duplicate function id `Worker`: already declared at"));
    let app = one_stack(|s| {
        let f = Function::new("Worker", zip(), Runtime::Python312, "index.handler").add_to(s);
        Schedule::invoke("Worker", "rate(5 minutes)", &f).add_to(s);
    });
    let errors = errors_of(&app);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains("duplicate schedule id `Worker`: already declared at"));
    let app = one_stack(|s| {
        let jobs = s.add(sqs::Queue::new("Jobs"));
        let f = Function::new("Worker", zip(), Runtime::Python312, "index.handler").add_to(s);
        QueueEventSource::new("WorkerJobs", &f, &jobs).add_to(s);
        QueueEventSource::new("WorkerJobsAgain", &f, &jobs).add_to(s);
    });
    let errors = errors_of(&app);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains("queue `Jobs` already feeds function `Worker`"),
        "{errors:#?}"
    );
}

#[test]
fn a_value_the_builder_rejected_is_not_reported_again_by_the_schema() {
    use stackwright::aws::elbv2::{Protocol, TargetGroup};
    use stackwright::aws::lambda::QueueEventSource;
    let app = one_stack(|s| {
        let jobs = s.add(sqs::Queue::new("Jobs"));
        let f = Function::new("Api", zip(), Runtime::Python312, "")
            .timeout_seconds(0)
            .memory_mb(100)
            .reserved_concurrency(-1)
            .add_to(s);
        QueueEventSource::new("ApiJobs", &f, &jobs)
            .batch_size(0)
            .add_to(s);
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        s.add(TargetGroup::new("Targets", Protocol::Http, 0, &vpc));
    });
    let errors = errors_of(&app);
    assert_eq!(errors.len(), 6, "{errors:#?}");
    for (error, expected) in errors.iter().zip([
        "function handler ``",
        "function timeout of 0 seconds",
        "function memory of 100 MB",
        "reserved concurrency of -1",
        "queue batch size of 0",
        "port",
    ]) {
        assert!(error.contains(expected), "{expected}: {errors:#?}");
    }
}

#[test]
fn what_lambda_and_scheduler_reject_is_a_located_error() {
    use stackwright::aws::lambda::FunctionUrl;
    use stackwright::aws::scheduler::Schedule;
    let at = line_below(6);
    let app = one_stack(|s| {
        let f = Function::new("Api", zip(), Runtime::Python312, "index.handler")
            .environment("BIG", "x".repeat(4094))
            .add_to(s);
        s.add(FunctionUrl::new("ApiUrl", &f));
        s.add(FunctionUrl::new("ApiUrlAgain", &f));
        for (id, expression) in [
            ("Both", "cron(0 12 * * * *)"),
            ("Neither", "cron(0 12 ? * ? *)"),
            ("Minute", "cron(75 12 * * ? *)"),
            ("Month", "cron(0 12 1 13 ? *)"),
            ("Weekday", "cron(0 12 ? * MON#6 *)"),
            ("Year", "cron(0 12 * * ? 1969)"),
            ("AtMonth", "at(2027-13-01T00:00:00)"),
            ("AtDay", "at(2027-02-29T00:00:00)"),
            ("AtTime", "at(2027-01-01T24:00:00)"),
        ] {
            Schedule::invoke(id, expression, &f).add_to(s);
        }
        // Accepted: every form the user guide shows.
        for (id, expression) in [
            ("Daily", "cron(0 10 * * ? *)"),
            ("Weekdays", "cron(0/15 8-17 ? * MON-FRI *)"),
            ("LastDay", "cron(0 0 L * ? *)"),
            ("Weekday", "cron(0 0 3W JAN,JUL ? 2027-2030)"),
            ("SecondTuesday", "cron(0 0 ? * 3#2 *)"),
            ("Leap", "at(2028-02-29T23:59:59)"),
        ] {
            Schedule::invoke(format!("Ok{id}"), expression, &f).add_to(s);
        }
    });
    let errors = fails(
        &app,
        &[
            "environment variables of 4097 bytes (names and literal values): expected at most 4096",
            "function `Api` already has URL `ApiUrl` (declared at",
            "schedule expression `cron(0 12 * * * *)`: day-of-month `*` and day-of-week `*`: exactly \
             one of them is `?`",
            "schedule expression `cron(0 12 ? * ? *)`: day-of-month `?` and day-of-week `?`",
            "schedule expression `cron(75 12 * * ? *)`: cron minutes `75`: expected values 0-59",
            "cron month `13`: expected values 1-12 or JAN-DEC",
            "cron day-of-week `MON#6`",
            "cron year `1969`: expected values 1970-2199",
            "schedule expression `at(2027-13-01T00:00:00)`: a one-time schedule is \
             `yyyy-mm-ddThh:mm:ss`, and month 13 is not 1 to 12",
            "day 29 is not 1 to 28 of month 2",
            "`24:00:00` is no time of day",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
    assert_eq!(errors_of(&app).len(), 11, "{errors}");
}

#[test]
fn a_function_goes_into_a_networks_private_subnets_by_their_handles() {
    let app = one_stack(|s| {
        let network = ec2::VpcNetwork::new("Net", "10.0.0.0/16").add_to(s);
        let group = s.add(ec2::SecurityGroup::new("Fn", network.vpc(), "the function"));
        Function::new("Api", zip(), Runtime::Python312, "index.handler")
            .vpc(network.private_subnets(), [&group])
            .add_to(s);
    });
    let docs = artifacts(&app);
    let placement = &docs[CFN]["Resources"]["Api"]["Properties"]["VpcConfig"];
    let subnets = placement["SubnetIds"].as_array().unwrap();
    assert_eq!(subnets.len(), 2, "{placement}");
    assert!(subnets.iter().all(|s| s["Ref"]
        .as_str()
        .is_some_and(|id| id.starts_with("NetPrivate"))));
    assert_eq!(
        placement["SecurityGroupIds"],
        json!([{"Fn::GetAtt": ["Fn", "GroupId"]}])
    );
}

#[test]
fn a_listener_port_or_rule_priority_the_builder_rejected_is_one_error() {
    use stackwright::aws::elbv2::{
        Action, Condition, Listener, ListenerRule, LoadBalancer, Protocol, Scheme, TargetGroup,
    };
    let app = one_stack(|s| {
        let network = ec2::VpcNetwork::new("Net", "10.0.0.0/16").add_to(s);
        let group = s.add(ec2::SecurityGroup::new(
            "LbGroup",
            network.vpc(),
            "the balancer",
        ));
        let lb = s.add(LoadBalancer::application(
            "Lb",
            Scheme::Internal,
            network.private_subnets(),
            [&group],
        ));
        let targets = s.add(TargetGroup::new(
            "Targets",
            Protocol::Http,
            80,
            network.vpc(),
        ));
        let listener = s.add(Listener::http("Http", &lb, 0, Action::forward(&targets)));
        s.add(ListenerRule::new(
            "Api",
            &listener,
            0,
            [Condition::path_pattern(["/api/*"])],
            Action::forward(&targets),
        ));
    });
    let errors = errors_of(&app);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors[0].contains("port"), "{errors:#?}");
    assert!(errors[1].contains("listener rule priority"), "{errors:#?}");
}
