//! The lowering rules of generated registry types, each on the exact JSON of both targets.

use serde_json::{json, Value as Json};
use stackwright::aws::cloudwatch::{Alarm, Comparison, Metric};
use stackwright::aws::logs;
use stackwright::prelude::*;
use stackwright::registry::{events, lambda, sns, sqs};
use stackwright::synth::{synthesize, Request};
use stackwright::Value;

fn app(region: &str, define: fn(&mut Stack, &Environment<()>)) -> App<()> {
    App::new("t")
        .environment(Environment::new("dev", "111111111111", region, ()))
        .stack("s", define)
}

/// (CloudFormation template, Terraform module) of the one environment.
fn both(define: fn(&mut Stack, &Environment<()>)) -> (Json, Json) {
    let artifacts = stackwright_testing::artifacts(&app("eu-west-1", define));
    (
        artifacts["cloudformation/dev/s.template.json"].clone(),
        artifacts["terraform/dev/s/main.tf.json"].clone(),
    )
}

/// The messages of a failed synthesis.
fn problems(region: &str, define: fn(&mut Stack, &Environment<()>)) -> Vec<String> {
    match synthesize(&app(region, define), &Request::default()) {
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

#[test]
fn names_are_the_registry_s_in_cloudformation_and_awscc_s_in_terraform() {
    let (cfn, tf) = both(|stack, _| {
        stack.add(
            sqs::Queue::new("Jobs")
                .queue_name("jobs")
                .visibility_timeout(60)
                .fifo_queue(false)
                .removal_policy(stackwright::RemovalPolicy::Destroy),
        );
    });
    assert_eq!(cfn["Resources"]["Jobs"]["Type"], json!("AWS::SQS::Queue"));
    assert_eq!(
        cfn["Resources"]["Jobs"]["Properties"]["QueueName"],
        json!("jobs")
    );
    assert_eq!(
        cfn["Resources"]["Jobs"]["Properties"]["VisibilityTimeout"],
        json!(60)
    );
    let queue = &tf["resource"]["awscc_sqs_queue"]["jobs"];
    assert_eq!(queue["queue_name"], json!("jobs"));
    assert_eq!(queue["visibility_timeout"], json!(60));
    assert_eq!(queue["fifo_queue"], json!(false));
    // The awscc provider sits beside the aws provider, and the account stays pinned.
    assert_eq!(
        tf["terraform"]["required_providers"]["awscc"]["source"],
        json!("hashicorp/awscc")
    );
    assert_eq!(tf["provider"]["awscc"], json!({"region": "eu-west-1"}));
    assert_eq!(
        tf["provider"]["aws"]["allowed_account_ids"],
        json!(["111111111111"])
    );
    assert_eq!(
        tf["data"]["aws_caller_identity"]["stackwright_account"],
        json!({})
    );
    assert_eq!(
        queue["lifecycle"]["precondition"][0]["condition"],
        json!("${data.aws_caller_identity.stackwright_account.account_id == \"111111111111\"}")
    );
}

#[test]
fn nested_types_keep_their_nesting_in_both_targets() {
    let (cfn, tf) = both(|stack, _| {
        let role = stack.add(stackwright::registry::iam::Role::new(
            "Role",
            Value::Map(vec![("Version".into(), "2012-10-17".into())]),
        ));
        stack.add(
            lambda::Function::new(
                "Fn",
                lambda::function::Code::new().zip_file("def handler(e, c): pass"),
                role.arn(),
            )
            .runtime(lambda::function::Runtime::Python312)
            .tracing_config(
                lambda::function::TracingConfig::new().mode(lambda::function::Mode::Active),
            ),
        );
    });
    let props = &cfn["Resources"]["Fn"]["Properties"];
    assert_eq!(props["Code"], json!({"ZipFile": "def handler(e, c): pass"}));
    assert_eq!(props["Role"], json!({"Fn::GetAtt": ["Role", "Arn"]}));
    assert_eq!(props["Runtime"], json!("python3.12"));
    assert_eq!(props["TracingConfig"], json!({"Mode": "Active"}));
    let function = &tf["resource"]["awscc_lambda_function"]["fn"];
    assert_eq!(
        function["code"],
        json!({"zip_file": "def handler(e, c): pass"})
    );
    assert_eq!(function["role"], json!("${awscc_iam_role.role.arn}"));
    assert_eq!(function["tracing_config"], json!({"mode": "Active"}));
}

#[test]
fn json_properties_are_objects_in_cloudformation_and_jsonencode_where_awscc_wants_a_string() {
    let (cfn, tf) = both(|stack, _| {
        let dlq = stack.add(sqs::Queue::new("Dlq"));
        stack.add(sqs::Queue::new("Work").redrive_policy(Value::Map(vec![
            ("deadLetterTargetArn".into(), Value::Str(dlq.arn())),
            ("maxReceiveCount".into(), Value::Int(3)),
        ])));
    });
    assert_eq!(
        cfn["Resources"]["Work"]["Properties"]["RedrivePolicy"],
        json!({
            "deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]},
            "maxReceiveCount": 3
        })
    );
    assert_eq!(
        tf["resource"]["awscc_sqs_queue"]["work"]["redrive_policy"],
        json!("${jsonencode({\"deadLetterTargetArn\" = \"${awscc_sqs_queue.dlq.arn}\", \"maxReceiveCount\" = 3})}")
    );
}

#[test]
fn tags_take_each_target_s_shape_with_the_environment_s_tags() {
    let (cfn, tf) = both(|stack, _| {
        stack.add(sns::Topic::new("Topic").tag("team", "ops"));
    });
    let tags = &cfn["Resources"]["Topic"]["Properties"]["Tags"];
    assert!(
        tags.as_array()
            .unwrap()
            .contains(&json!({"Key": "team", "Value": "ops"})),
        "{tags}"
    );
    assert!(
        tags.as_array()
            .unwrap()
            .contains(&json!({"Key": "app", "Value": "t"})),
        "{tags}"
    );
    let tags = &tf["resource"]["awscc_sns_topic"]["topic"]["tags"];
    assert!(
        tags.as_array()
            .unwrap()
            .contains(&json!({"key": "team", "value": "ops"})),
        "{tags}"
    );
    assert!(
        tags.as_array()
            .unwrap()
            .contains(&json!({"key": "app", "value": "t"})),
        "{tags}"
    );
}

#[test]
fn generated_and_hand_written_handles_reference_each_other() {
    let (cfn, tf) = both(|stack, _| {
        let group = stack.add(logs::LogGroup::new("Logs"));
        let topic = stack.add(sns::Topic::new("Topic").display_name(group.arn()));
        stack.add(
            Alarm::new(
                "Errors",
                Metric::new("AWS/Lambda", "Errors"),
                Comparison::GreaterThanThreshold,
                0.0,
                1,
            )
            .alarm_action(topic.topic_arn()),
        );
    });
    let display = cfn["Resources"]["Topic"]["Properties"]["DisplayName"].to_string();
    assert!(display.contains("log-group:${Logs}"), "{display}");
    let display = tf["resource"]["awscc_sns_topic"]["topic"]["display_name"].to_string();
    assert!(
        display.contains("${aws_cloudwatch_log_group.logs.name}"),
        "{display}"
    );
    assert_eq!(
        cfn["Resources"]["Errors"]["Properties"]["AlarmActions"],
        json!([{"Fn::GetAtt": ["Topic", "TopicArn"]}])
    );
    assert_eq!(
        tf["resource"]["aws_cloudwatch_metric_alarm"]["errors"]["alarm_actions"],
        json!(["${awscc_sns_topic.topic.topic_arn}"])
    );
}

#[test]
fn a_type_awscc_lacks_is_cloudformation_only_and_terraform_says_so_at_the_declaring_line() {
    let define: fn(&mut Stack, &Environment<()>) = |stack, _| {
        let queue = stack.add(sqs::Queue::new("Q"));
        stack.add(sqs::QueuePolicy::new(
            "Policy",
            Value::Map(vec![("Version".into(), "2012-10-17".into())]),
            [queue.queue_url()],
        ));
    };
    let problems = problems("eu-west-1", define);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].contains(
            "`AWS::SQS::QueuePolicy`, which the awscc Terraform provider (1.106.0) does not offer"
        ) && problems[0].ends_with("lowering.rs"),
        "{problems:#?}"
    );
    let only_cfn = Request {
        targets: vec![stackwright::synth::Target::CloudFormation],
        ..Request::default()
    };
    assert!(synthesize(&app("eu-west-1", define), &only_cfn).is_ok());
}

#[test]
fn a_region_without_the_type_is_a_located_error() {
    let problems = problems("ca-west-1", |stack, _| {
        let role = stack.add(stackwright::registry::iam::Role::new(
            "Role",
            Value::Map(vec![]),
        ));
        let f = stack.add(lambda::Function::new(
            "Fn",
            lambda::function::Code::new(),
            role.arn(),
        ));
        stack.add(lambda::Url::new(
            "Url",
            f.arn(),
            lambda::url::AuthType::AwsIam,
        ));
    });
    let region: Vec<_> = problems
        .iter()
        .filter(|p| p.contains("`AWS::Lambda::Url` is not available in region `ca-west-1`"))
        .collect();
    assert!(
        !region.is_empty() && region.iter().all(|p| p.ends_with("lowering.rs")),
        "{problems:#?}"
    );
}

#[test]
fn overrides_findings_and_removal_policies_work_on_generated_types() {
    let (cfn, tf) = both(|stack, _| {
        stack.add(
            sqs::Queue::new("Q")
                .override_cloudformation("Properties.DelaySeconds", 5i64)
                .override_terraform("delay_seconds", 6i64)
                .accept_finding("CKV_AWS_27", "example"),
        );
        stack.add(sns::Topic::new("T").removal_policy(stackwright::RemovalPolicy::Destroy));
    });
    let queue = &cfn["Resources"]["Q"];
    assert_eq!(queue["Properties"]["DelaySeconds"], json!(5));
    // Stateful registry types (overlay.json) are retained unless told otherwise.
    assert_eq!(queue["DeletionPolicy"], json!("Retain"));
    assert_eq!(
        queue["Metadata"]["checkov"]["skip"][0]["id"],
        json!("CKV_AWS_27")
    );
    assert!(cfn["Resources"]["T"].get("DeletionPolicy").is_none());
    let queue = &tf["resource"]["awscc_sqs_queue"]["q"];
    assert_eq!(queue["delay_seconds"], json!(6));
    assert_eq!(queue["lifecycle"]["prevent_destroy"], json!(true));
    assert_eq!(queue["//"], json!(["checkov:skip=CKV_AWS_27: example"]));
}

/// One declaration's messages that name `type_name`, each checked to point at this file.
fn schema_problems(define: fn(&mut Stack, &Environment<()>), type_name: &str) -> Vec<String> {
    let found: Vec<String> = problems("eu-west-1", define)
        .into_iter()
        .filter(|p| p.contains(&format!("`{type_name}`")))
        .collect();
    assert!(
        found.iter().all(|p| p.ends_with("lowering.rs")),
        "{found:#?}"
    );
    found
}

/// Generated types outside `stackwright-schema`'s vendored ones are validated against their registry
/// schema at synth too: a number out of range is one located error.
#[test]
fn a_number_out_of_the_schema_s_range_is_a_located_error() {
    let found = schema_problems(
        |stack, _| {
            stack.add(lambda::EventSourceMapping::new("Jobs", "worker").batch_size(0));
        },
        "AWS::Lambda::EventSourceMapping",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("`Properties.BatchSize`: 0 is below the minimum 1"),
        "{found:#?}"
    );
}

#[test]
fn a_string_the_schema_s_pattern_rejects_is_a_located_error() {
    let found = schema_problems(
        |stack, _| {
            stack.add(events::Rule::new("Sweep").name("every five minutes"));
        },
        "AWS::Events::Rule",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("`Properties.Name`: `every five minutes` does not match the pattern"),
        "{found:#?}"
    );
}

/// Enums are typed in the builders; a value set through the escape hatch is still checked.
#[test]
fn an_enum_value_the_schema_lacks_is_a_located_error_even_through_an_override() {
    let found = schema_problems(
        |stack, _| {
            stack.add(
                events::Rule::new("Sweep")
                    .schedule_expression("rate(5 minutes)")
                    .override_cloudformation("Properties.State", "ON"),
            );
        },
        "AWS::Events::Rule",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("`Properties.State`: \"ON\" is not one of \"DISABLED\", \"ENABLED\""),
        "{found:#?}"
    );
}

/// Valid values, references and the tags the targets add later raise nothing.
#[test]
fn valid_generated_resources_pass_the_schema_check() {
    let (cfn, _) = both(|stack, _| {
        let topic = stack.add(sns::Topic::new("Alerts"));
        stack.add(
            events::Rule::new("Sweep")
                .name("sweep")
                .schedule_expression("rate(5 minutes)")
                .state(events::rule::State::Enabled)
                .targets([events::rule::Target::new(events::rule::TargetRequired {
                    id: "alerts".into(),
                    arn: topic.id(),
                })]),
        );
        stack.add(lambda::EventSourceMapping::new("Jobs", "worker").batch_size(10));
    });
    assert_eq!(cfn["Resources"]["Sweep"]["Properties"]["State"], "ENABLED");
}

#[test]
fn a_function_s_code_from_a_directory_is_an_object_named_by_its_content() {
    let (cfn, tf) = both(|stack, _| {
        let code = stack.asset(Asset::directory(asset_path!("functions/worker")));
        let trust = Value::Map(vec![("Version".to_owned(), "2012-10-17".into())]);
        let role = stack.add(stackwright::registry::iam::Role::new("Role", trust));
        stack.add(
            lambda::Function::new(
                "Worker",
                lambda::function::Code::new()
                    .s3_bucket(code.s3_bucket())
                    .s3_key(code.s3_key()),
                role.arn(),
            )
            .runtime(lambda::function::Runtime::Python312)
            .handler("index.handler"),
        );
    });
    let sha = stackwright::assets::Asset::directory(asset_path!("functions/worker"))
        .resolve()
        .unwrap()
        .sha256;
    assert_eq!(
        cfn["Resources"]["Worker"]["Properties"]["Code"],
        json!({
            "S3Bucket": {"Fn::Sub": "stackwright-assets-${AWS::AccountId}-${AWS::Region}"},
            "S3Key": format!("{sha}.zip"),
        })
    );
    // Terraform uploads the zip itself, from the tree, and the function reads the upload's key.
    let object = format!("asset{}", &sha[..16]);
    assert_eq!(
        tf["resource"]["awscc_lambda_function"]["worker"]["code"],
        json!({
            "s3_bucket": format!("${{aws_s3_object.{object}.bucket}}"),
            "s3_key": format!("${{aws_s3_object.{object}.key}}"),
        })
    );
    let upload = &tf["resource"]["aws_s3_object"][&object];
    assert_eq!(
        upload["bucket"],
        "stackwright-assets-111111111111-eu-west-1"
    );
    // The module's own object: never the one published for CloudFormation, nor another module's.
    assert_eq!(upload["key"], format!("terraform/dev/s/{sha}.zip"));
    assert_eq!(
        upload["source"],
        format!("${{path.module}}/../../../assets/{sha}.zip")
    );
    assert_eq!(upload["source_hash"], sha);
    assert_eq!(upload["server_side_encryption"], "AES256");
}

/// Without a read of its object, an asset uploads nothing: a Terraform function that takes the zip's
/// path (`filename`) has the provider upload it; CloudFormation cannot read a path.
#[test]
fn an_asset_read_by_its_path_uploads_nothing_and_is_terraform_only() {
    let scratch = tempfile::tempdir().unwrap();
    std::fs::write(
        scratch.path().join("index.py"),
        "def handler(e, c): return 1\n",
    )
    .unwrap();
    let dir = scratch.path().to_owned();
    let app = App::new("t")
        .environment(Environment::new("dev", "111111111111", "eu-west-1", ()))
        .stack("s", move |stack, _| {
            let code = stack.asset(Asset::directory(dir.clone()));
            stack.output("Path", code.terraform_path());
            stack.output("Hash", code.sha256_base64());
        });
    let tf = stackwright::synth::synthesize(
        &app,
        &stackwright::synth::Request {
            targets: vec![stackwright::synth::Target::Terraform],
            ..Default::default()
        },
    )
    .unwrap();
    let module: Json = serde_json::from_slice(
        &tf.artifacts
            .iter()
            .find(|a| a.path.ends_with(".tf.json"))
            .unwrap()
            .bytes,
    )
    .unwrap();
    assert!(module.get("resource").is_none(), "{module:#}");
    let sha = &tf.assets[0].asset.sha256;
    assert_eq!(
        module["output"]["path"]["value"],
        format!("${{path.module}}/../../../assets/{sha}.zip")
    );
    let cfn = stackwright::synth::synthesize(
        &app,
        &stackwright::synth::Request {
            targets: vec![stackwright::synth::Target::CloudFormation],
            ..Default::default()
        },
    )
    .unwrap_err();
    let text = format!("{cfn:?}");
    assert!(text.contains("read by Terraform only"), "{text}");
}

/// A code change is an in-place update of the function in both targets, from the old content's key to
/// the new; an unchanged rebuild is no change.
#[test]
fn a_code_change_plans_as_an_update_of_the_function_s_key() {
    let scratch = tempfile::tempdir().unwrap();
    let code = scratch.path().join("worker");
    std::fs::create_dir_all(&code).unwrap();
    std::fs::write(code.join("index.py"), "def handler(e, c): return 1\n").unwrap();
    let dir = code.clone();
    let app = App::new("t")
        .environment(Environment::new("dev", "111111111111", "eu-west-1", ()))
        .stack("s", move |stack, _| {
            let code = stack.asset(Asset::directory(dir.clone()));
            let trust = Value::Map(vec![("Version".to_owned(), "2012-10-17".into())]);
            let role = stack.add(stackwright::registry::iam::Role::new("Role", trust));
            stack.add(
                lambda::Function::new(
                    "Worker",
                    lambda::function::Code::new()
                        .s3_bucket(code.s3_bucket())
                        .s3_key(code.s3_key()),
                    role.arn(),
                )
                .runtime(lambda::function::Runtime::Python312)
                .handler("index.handler"),
            );
        });
    let base = scratch.path().join("base");
    let run = |args: &[&str]| {
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let argv = std::iter::once("app").chain(args.iter().copied());
        let code = stackwright::synth::run_with(&app, argv, &mut stdout, &mut stderr, false);
        (
            code,
            String::from_utf8(stdout).unwrap(),
            String::from_utf8(stderr).unwrap(),
        )
    };
    let b = base.to_str().unwrap();
    assert_eq!(run(&["synth", "--out", b]).0, 0);
    let plan = || {
        let (code, stdout, stderr) = run(&["plan", "--against", b, "--format", "json"]);
        assert!(code == 0 || code == 2, "{stderr}");
        (code, serde_json::from_str::<Json>(&stdout).unwrap())
    };
    let (status, unchanged) = plan();
    assert_eq!(status, 0, "{unchanged:#}");

    let old = Asset::directory(code.clone()).resolve().unwrap().sha256;
    std::fs::write(code.join("index.py"), "def handler(e, c): return 2\n").unwrap();
    let new = Asset::directory(code.clone()).resolve().unwrap().sha256;
    let (status, changed) = plan();
    assert_eq!(status, 2, "{changed:#}");
    let text = changed.to_string();
    for target in ["cloudformation", "terraform"] {
        let stack = changed["stacks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["target"] == target)
            .unwrap();
        let resources = stack["resources"].as_array().unwrap();
        let function = resources
            .iter()
            .find(|r| r["type"] != "aws_s3_object")
            .unwrap();
        assert_eq!(function["action"], "update", "{target}: {stack:#}");
        let objects: Vec<(&str, &str)> = resources
            .iter()
            .filter(|r| r["type"] == "aws_s3_object")
            .map(|r| {
                (
                    r["address"].as_str().unwrap(),
                    r["action"].as_str().unwrap(),
                )
            })
            .collect();
        match target {
            // Published before the deploy: nothing in the template but the function.
            "cloudformation" => assert_eq!(resources.len(), 1, "{stack:#}"),
            // The new zip's upload, the function's update, the old upload's deletion.
            _ => assert_eq!(
                objects,
                [
                    (format!("aws_s3_object.asset{}", &new[..16]).as_str(), "add"),
                    (
                        format!("aws_s3_object.asset{}", &old[..16]).as_str(),
                        "destroy"
                    ),
                ],
                "{stack:#}"
            ),
        }
    }
    assert!(text.contains(&format!("{old}.zip")), "{text}");
    assert!(text.contains(&format!("{new}.zip")), "{text}");
    // The old upload goes as what it is, not as a rename to declare.
    assert!(!text.contains("renamed_from"), "{text}");
    assert!(
        text.contains("the upload of a code asset's previous content"),
        "{text}"
    );
}
