//! Constructs (`stackwright_aws::construct`): kinds spelled per target in their own file and lowered by
//! one generic path in each target. The SQS queue is the smallest: one file and one registration line.

use crate::support::{artifacts, fails, line_below, one_stack, CFN, TF};
use serde_json::json;
use stackwright::aws::sqs;

#[test]
fn a_queue_is_encrypted_and_keeps_messages_four_days_in_both_targets() {
    let app = one_stack(|s| {
        let queue = s.add(sqs::Queue::new("Jobs").tag("team", "orders"));
        s.output("JobsUrl", queue.url());
        s.output("JobsArn", queue.arn());
        s.output("JobsName", queue.name());
    });
    let docs = artifacts(&app);
    assert_eq!(
        docs[CFN]["Resources"]["Jobs"],
        json!({"Type": "AWS::SQS::Queue", "Metadata": {"checkov": {"skip": [{
            "id": "CKV_AWS_27",
            "comment": "encrypted at rest with SQS-managed keys (SqsManagedSseEnabled); checkov's \
                CloudFormation check reads only KmsMasterKeyId (its Terraform twin accepts either)"
        }]}}, "Properties": {
            "MessageRetentionPeriod": 345600,
            "SqsManagedSseEnabled": true,
            "Tags": [
                {"Key": "app", "Value": "demo"},
                {"Key": "environment", "Value": "dev"},
                {"Key": "managed-by", "Value": "stackwright"},
                {"Key": "team", "Value": "orders"}
            ]
        }})
    );
    let outputs = &docs[CFN]["Outputs"];
    assert_eq!(outputs["JobsUrl"]["Value"], json!({"Ref": "Jobs"}));
    assert_eq!(
        outputs["JobsArn"]["Value"],
        json!({"Fn::GetAtt": ["Jobs", "Arn"]})
    );
    assert_eq!(
        outputs["JobsName"]["Value"],
        json!({"Fn::GetAtt": ["Jobs", "QueueName"]})
    );
    assert_eq!(
        docs[TF]["resource"]["aws_sqs_queue"]["jobs"],
        json!({
            "message_retention_seconds": 345600,
            "sqs_managed_sse_enabled": true,
            "tags": {"team": "orders"}
        })
    );
    let outputs = &docs[TF]["output"];
    assert_eq!(outputs["jobs_url"]["value"], "${aws_sqs_queue.jobs.url}");
    assert_eq!(outputs["jobs_arn"]["value"], "${aws_sqs_queue.jobs.arn}");
    assert_eq!(outputs["jobs_name"]["value"], "${aws_sqs_queue.jobs.name}");
}

#[test]
fn a_dead_letter_queue_is_a_redrive_policy_in_each_targets_shape() {
    let app = one_stack(|s| {
        let failed = s.add(sqs::Queue::new("Failed").retention_seconds(sqs::MAX_RETENTION_SECONDS));
        s.add(
            sqs::Queue::new("Jobs")
                .visibility_timeout_seconds(120)
                .dead_letter_queue(&failed, 5),
        );
    });
    let docs = artifacts(&app);
    assert_eq!(
        docs[CFN]["Resources"]["Jobs"]["Properties"]["RedrivePolicy"],
        json!({"deadLetterTargetArn": {"Fn::GetAtt": ["Failed", "Arn"]}, "maxReceiveCount": 5})
    );
    assert_eq!(
        docs[CFN]["Resources"]["Jobs"]["Properties"]["VisibilityTimeout"],
        120
    );
    assert_eq!(
        docs[CFN]["Resources"]["Failed"]["Properties"]["MessageRetentionPeriod"],
        1209600
    );
    let jobs = &docs[TF]["resource"]["aws_sqs_queue"]["jobs"];
    assert_eq!(jobs["visibility_timeout_seconds"], 120);
    // JSON text with the reference interpolated, as the provider takes it; it parses as the policy.
    let policy = jobs["redrive_policy"].as_str().unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(policy).unwrap(),
        json!({"deadLetterTargetArn": "${aws_sqs_queue.failed.arn}", "maxReceiveCount": 5})
    );
}

#[test]
fn a_queue_out_of_range_or_with_a_dead_letter_queue_that_expires_first_is_an_error() {
    let at = line_below(4);
    let app = one_stack(|s| {
        let failed = s.add(sqs::Queue::new("Failed"));
        s.add(
            sqs::Queue::new("Jobs")
                .retention_seconds(30)
                .visibility_timeout_seconds(50_000)
                .dead_letter_queue(&failed, 0),
        );
        s.add(
            sqs::Queue::new("Slow")
                .retention_seconds(sqs::MAX_RETENTION_SECONDS)
                .dead_letter_queue(&failed, 3),
        );
    });
    let errors = fails(
        &app,
        &[
            "queue retention of 30 seconds: expected 60 to 1209600 (14 days)",
            "queue visibility timeout of 50000 seconds: expected 0 to 43200 (12 hours)",
            "dead-letter queue `Failed`: a maximum receive count of 0, expected 1 to 1000",
            "dead-letter queue `Failed` keeps messages 345600 seconds, less than this queue's 1209600",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}

/// A construct holds each value once per target; a wrong reference in it is still one error.
#[test]
fn a_reference_to_another_environment_in_a_construct_is_one_error() {
    use stackwright::aws::sns;
    use stackwright::{App, Environment};
    use std::sync::Mutex;
    let first: Mutex<Option<sns::TopicHandle>> = Mutex::new(None);
    let app = App::new("demo")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(Environment::new("prod", "123456789012", "eu-west-1", ()))
        .stack("main", move |s, _| {
            let topic = s.add(sns::Topic::new("Alerts"));
            let mut first = first.lock().unwrap();
            let foreign = first.get_or_insert(topic);
            s.add(sns::Subscription::new(
                "Ops",
                foreign,
                sns::Endpoint::Email("ops@example.com".into()),
            ));
        });
    fails(
        &app,
        &["`Ops` references a resource attribute of environment `dev` (stack `main`)"],
    );
    // The library's own list, before the CLI merges what it prints.
    let Err(problems) =
        stackwright::synth::synthesize(&app, &stackwright::synth::Request::default())
    else {
        panic!("a rejected reference synthesized");
    };
    let ops: Vec<_> = problems
        .iter()
        .filter(|p| p.message.contains("`Ops` references"))
        .collect();
    assert_eq!(
        ops.len(),
        1,
        "one error, not one per target's form: {ops:#?}"
    );
}
