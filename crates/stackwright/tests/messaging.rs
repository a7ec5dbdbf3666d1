//! Messaging constructs: FIFO queues (`aws::sqs::Queue::fifo`), EventBridge buses and rules
//! (`aws::events`), on the exact JSON of both targets, and each builder's rejected input.

use crate::support::{artifacts, fails, line_below, one_stack, CFN, TF};
use serde_json::json;
use stackwright::aws::lambda::{Code, Function, QueueEventSource, Runtime};
use stackwright::aws::sqs;

fn zip() -> Code {
    Code::s3("code-bucket", "0123.zip")
}

#[test]
fn a_fifo_queue_is_named_with_its_suffix_in_both_targets_and_its_dead_letter_queue_is_fifo() {
    let app = one_stack(|s| {
        let failed = s.add(sqs::Queue::fifo("Failed").retention_seconds(1_209_600));
        s.add(
            sqs::Queue::fifo("Orders")
                .content_based_deduplication()
                .dead_letter_queue(&failed, 5),
        );
        s.add(sqs::Queue::fifo("Named").name("orders-in"));
        s.add(sqs::Queue::new("Plain").name("plain-jobs"));
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    let orders = &resources["Orders"]["Properties"];
    assert_eq!(orders["QueueName"], "demo-dev-main-Orders.fifo");
    assert_eq!(orders["FifoQueue"], true);
    assert_eq!(orders["ContentBasedDeduplication"], true);
    assert_eq!(orders["SqsManagedSseEnabled"], true);
    assert_eq!(
        orders["RedrivePolicy"],
        json!({"deadLetterTargetArn": {"Fn::GetAtt": ["Failed", "Arn"]}, "maxReceiveCount": 5})
    );
    assert_eq!(
        resources["Failed"]["Properties"]["QueueName"],
        "demo-dev-main-Failed.fifo"
    );
    assert!(resources["Failed"]["Properties"]
        .get("ContentBasedDeduplication")
        .is_none());
    assert_eq!(
        resources["Named"]["Properties"]["QueueName"],
        "demo-dev-orders-in.fifo"
    );
    // A standard queue is named only when asked, without a suffix.
    assert_eq!(
        resources["Plain"]["Properties"]["QueueName"],
        "demo-dev-plain-jobs"
    );
    assert!(resources["Plain"]["Properties"].get("FifoQueue").is_none());

    let tf = &docs[TF]["resource"]["aws_sqs_queue"];
    assert_eq!(tf["orders"]["name"], "demo-dev-main-Orders.fifo");
    assert_eq!(tf["orders"]["fifo_queue"], true);
    assert_eq!(tf["orders"]["content_based_deduplication"], true);
    assert_eq!(
        tf["orders"]["redrive_policy"],
        "{\"deadLetterTargetArn\":\"${aws_sqs_queue.failed.arn}\",\"maxReceiveCount\":5}"
    );
    assert_eq!(tf["named"]["name"], "demo-dev-orders-in.fifo");
    assert_eq!(tf["plain"]["name"], "demo-dev-plain-jobs");
    assert!(tf["plain"].get("fifo_queue").is_none());
}

#[test]
fn a_fifo_queue_feeds_a_function_in_batches_of_at_most_ten() {
    let app = one_stack(|s| {
        let orders = s.add(sqs::Queue::fifo("Orders"));
        let f = Function::new("Worker", zip(), Runtime::Python312, "index.handler").add_to(s);
        QueueEventSource::new("WorkerOrders", &f, &orders)
            .batch_size(10)
            .add_to(s);
    });
    let docs = artifacts(&app);
    assert_eq!(
        docs[CFN]["Resources"]["WorkerOrders"]["Properties"]["BatchSize"],
        10
    );
}

#[test]
fn bad_fifo_input_is_a_located_error() {
    let at = line_below(5);
    let app = one_stack(|s| {
        let standard = s.add(sqs::Queue::new("Standard"));
        let fifo = s.add(sqs::Queue::fifo("Fifo"));
        s.add(sqs::Queue::fifo("Orders").dead_letter_queue(&standard, 3));
        s.add(sqs::Queue::new("Jobs").dead_letter_queue(&fifo, 3));
        s.add(sqs::Queue::new("Dedup").content_based_deduplication());
        s.add(sqs::Queue::fifo("Dotted").name("orders.fifo"));
        s.add(sqs::Queue::fifo("Long").name("x".repeat(70)));
        let f = Function::new("Worker", zip(), Runtime::Python312, "index.handler").add_to(s);
        QueueEventSource::new("WorkerFifo", &f, &fifo)
            .batch_size(20)
            .maximum_batching_window_seconds(5)
            .add_to(s);
    });
    let errors = fails(
        &app,
        &[
            "dead-letter queue `Standard` is a standard queue, and this is a FIFO queue",
            "dead-letter queue `Fifo` is a FIFO queue, and this is a standard queue",
            "content-based deduplication on a standard queue",
            "FIFO queue name `orders.fifo`: the queue adds the `.fifo` suffix itself; expected \
             `.name(\"orders\")`",
            "it is 79 characters long, expected 1 to 75",
            "queue batch size of 20 for FIFO queue `Fifo`: expected 1 to 10",
            "batching window of 5 seconds for FIFO queue `Fifo`",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}

#[test]
fn a_derived_fifo_name_that_is_too_long_is_one_error() {
    let long = format!("Q{}", "x".repeat(70));
    let app = one_stack(move |s| {
        s.add(sqs::Queue::fifo(long.clone()));
    });
    let errors = fails(
        &app,
        &[
            "the name derived for `Qxxx",
            "give it a shorter name with `.name(...)`",
        ],
    );
    assert_eq!(
        errors.matches("the name derived for").count(),
        1,
        "{errors}"
    );
}

mod eventbridge {
    use super::zip;
    use crate::support::{artifacts, fails, line_below, one_stack, CFN, TF};
    use serde_json::json;
    use stackwright::aws::events::{EventBus, EventPattern, Rule, Target};
    use stackwright::aws::lambda::{Function, Runtime};
    use stackwright::aws::{kms, sns, sqs};

    #[test]
    fn a_rule_on_a_custom_bus_delivers_to_a_function_a_queue_and_a_topic_for_itself_only() {
        let app = one_stack(|s| {
            let bus = s.add(EventBus::new("Orders").description("Order events"));
            let f = Function::new("Worker", zip(), Runtime::Python312, "index.handler").add_to(s);
            let jobs = s.add(sqs::Queue::new("Jobs"));
            let failed = s.add(sqs::Queue::new("Failed"));
            let key =
                s.add(kms::Key::new("AlertsKey").allow_topic_publisher("events.amazonaws.com"));
            let alerts = s.add(sns::Topic::new("Alerts").encryption_key(&key));
            let rule = Rule::on_pattern(
                "Placed",
                EventPattern::new()
                    .source(["shop.orders"])
                    .detail_type(["OrderPlaced"])
                    .detail(stackwright::json!({"total": [{"numeric": [">", 100]}]})),
            )
            .bus(&bus)
            .description("Large orders")
            .target(
                Target::function(&f)
                    .retry_policy(3, 3600)
                    .dead_letter_queue(&failed),
            )
            .target(Target::queue(&jobs))
            .target(Target::topic(&alerts))
            .add_to(s);
            s.add(bus.grant_put_events(&f));
            s.output("RuleArn", rule.arn());
        });
        let docs = artifacts(&app);
        let resources = &docs[CFN]["Resources"];
        assert_eq!(
            resources["Orders"],
            json!({"Type": "AWS::Events::EventBus", "Properties": {
                "Name": "demo-dev-main-Orders",
                "Description": "Order events",
                "Tags": [
                    {"Key": "app", "Value": "demo"},
                    {"Key": "environment", "Value": "dev"},
                    {"Key": "managed-by", "Value": "stackwright"}
                ]
            }})
        );
        let rule = &resources["Placed"]["Properties"];
        assert_eq!(rule["EventBusName"], json!({"Ref": "Orders"}));
        assert_eq!(rule["Description"], "Large orders");
        assert_eq!(
            rule["EventPattern"],
            json!({"source": ["shop.orders"], "detail-type": ["OrderPlaced"],
                "detail": {"total": [{"numeric": [">", 100]}]}})
        );
        assert_eq!(rule["State"], "ENABLED");
        assert_eq!(
            rule["Targets"],
            json!([
                {"Arn": {"Fn::GetAtt": ["Worker", "Arn"]}, "Id": "Worker",
                    "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600},
                    "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["Failed", "Arn"]}}},
                {"Arn": {"Fn::GetAtt": ["Jobs", "Arn"]}, "Id": "Jobs"},
                {"Arn": {"Ref": "Alerts"}, "Id": "Alerts"}
            ])
        );
        let rule_arn = json!({"Fn::GetAtt": ["Placed", "Arn"]});
        assert_eq!(
            resources["PlacedWorkerInvoke"],
            json!({"Type": "AWS::Lambda::Permission", "Properties": {
                "FunctionName": {"Fn::GetAtt": ["Worker", "Arn"]},
                "Action": "lambda:InvokeFunction",
                "Principal": "events.amazonaws.com",
                "SourceArn": rule_arn,
                "SourceAccount": {"Ref": "AWS::AccountId"}
            }})
        );
        // One policy per queue, the dead-letter queue's included, scoped to the rule.
        for (id, queue) in [
            ("PlacedFailedPolicy", "Failed"),
            ("PlacedJobsPolicy", "Jobs"),
        ] {
            assert_eq!(
                resources[id],
                json!({"Type": "AWS::SQS::QueuePolicy", "Properties": {
                    "Queues": [{"Ref": queue}],
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                        "Sid": "AllowServiceSend", "Effect": "Allow",
                        "Principal": {"Service": ["events.amazonaws.com"]},
                        "Action": ["sqs:SendMessage"],
                        "Resource": [{"Fn::GetAtt": [queue, "Arn"]}],
                        "Condition": {"ArnEquals": {"aws:SourceArn": [rule_arn]}}
                    }]}
                }}),
                "{id}"
            );
        }
        assert_eq!(
            resources["PlacedAlertsPolicy"]["Properties"]["Topics"],
            json!([{"Ref": "Alerts"}])
        );
        assert_eq!(
            resources["PlacedAlertsPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
                ["Action"],
            json!(["sns:Publish"])
        );
        assert_eq!(
            resources["WorkerRoleOrdersPutEvents"]["Properties"]["PolicyDocument"]["Statement"],
            json!([{"Effect": "Allow", "Action": ["events:PutEvents"],
                "Resource": [{"Fn::GetAtt": ["Orders", "Arn"]}]}])
        );

        let tf = &docs[TF]["resource"];
        assert_eq!(
            tf["aws_cloudwatch_event_bus"]["orders"]["name"],
            "demo-dev-main-Orders"
        );
        let rule = &tf["aws_cloudwatch_event_rule"]["placed"];
        assert_eq!(
            rule["event_bus_name"],
            "${aws_cloudwatch_event_bus.orders.name}"
        );
        let pattern: serde_json::Value =
            serde_json::from_str(rule["event_pattern"].as_str().unwrap()).unwrap();
        assert_eq!(
            pattern,
            json!({"source": ["shop.orders"], "detail-type": ["OrderPlaced"],
                "detail": {"total": [{"numeric": [">", 100]}]}})
        );
        let targets = &tf["aws_cloudwatch_event_target"];
        assert_eq!(
            targets["placed_target_worker"],
            json!({
                "rule": "${aws_cloudwatch_event_rule.placed.name}",
                "event_bus_name": "${aws_cloudwatch_event_bus.orders.name}",
                "target_id": "Worker",
                "arn": "${aws_lambda_function.worker.arn}",
                "retry_policy": {"maximum_retry_attempts": 3, "maximum_event_age_in_seconds": 3600},
                "dead_letter_config": {"arn": "${aws_sqs_queue.failed.arn}"}
            })
        );
        assert_eq!(
            targets["placed_target_alerts"]["arn"],
            "${aws_sns_topic.alerts.arn}"
        );
        assert_eq!(
            tf["aws_lambda_permission"]["placed_worker_invoke"]["source_arn"],
            "${aws_cloudwatch_event_rule.placed.arn}"
        );
        assert_eq!(
            tf["aws_sqs_queue_policy"]["placed_jobs_policy"]["queue_url"],
            "${aws_sqs_queue.jobs.url}"
        );
        assert_eq!(
            tf["aws_sns_topic_policy"]["placed_alerts_policy"]["arn"],
            "${aws_sns_topic.alerts.arn}"
        );
        assert_eq!(
            docs[TF]["output"]["rule_arn"]["value"],
            "${aws_cloudwatch_event_rule.placed.arn}"
        );
    }

    #[test]
    fn a_topic_target_keeps_the_other_publishers_its_key_allows() {
        let app = one_stack(|s| {
            let key = s.add(
                kms::Key::new("AlertsKey")
                    .allow_topic_publisher("cloudwatch.amazonaws.com")
                    .allow_topic_publisher("events.amazonaws.com"),
            );
            let alerts = s.add(sns::Topic::new("Alerts").encryption_key(&key));
            Rule::on_schedule("Hourly", "rate(1 hour)")
                .target(Target::topic(&alerts))
                .add_to(s);
        });
        let docs = artifacts(&app);
        assert_eq!(
            docs[CFN]["Resources"]["HourlyAlertsPolicy"]["Properties"]["PolicyDocument"]
                ["Statement"],
            json!([
                {"Sid": "AllowServicePublish", "Effect": "Allow",
                    "Principal": {"Service": ["events.amazonaws.com"]}, "Action": ["sns:Publish"],
                    "Resource": [{"Ref": "Alerts"}],
                    "Condition": {"ArnEquals": {"aws:SourceArn": [{"Fn::GetAtt": ["Hourly", "Arn"]}]}}},
                {"Sid": "KeepPublishCloudwatch", "Effect": "Allow",
                    "Principal": {"Service": ["cloudwatch.amazonaws.com"]}, "Action": ["sns:Publish"],
                    "Resource": [{"Ref": "Alerts"}],
                    "Condition": {"StringEquals": {"aws:SourceAccount": [{"Ref": "AWS::AccountId"}]}}}
            ])
        );
    }

    #[test]
    fn a_schedule_runs_on_the_default_bus_and_a_fifo_target_takes_a_message_group() {
        let app = one_stack(|s| {
            let orders = s.add(sqs::Queue::fifo("Orders"));
            Rule::on_schedule("Nightly", "cron(0 2 * * ? *)")
                .name("nightly")
                .target(Target::queue(&orders).message_group_id("nightly"))
                .add_to(s);
        });
        let docs = artifacts(&app);
        let rule = &docs[CFN]["Resources"]["Nightly"]["Properties"];
        assert_eq!(rule["Name"], "demo-dev-nightly");
        assert!(rule.get("EventBusName").is_none());
        assert_eq!(rule["ScheduleExpression"], "cron(0 2 * * ? *)");
        assert_eq!(
            rule["Targets"][0]["SqsParameters"],
            json!({"MessageGroupId": "nightly"})
        );
        let tf = &docs[TF]["resource"];
        assert_eq!(
            tf["aws_cloudwatch_event_rule"]["nightly"]["name"],
            "demo-dev-nightly"
        );
        assert_eq!(
            tf["aws_cloudwatch_event_rule"]["nightly"]["schedule_expression"],
            "cron(0 2 * * ? *)"
        );
        let target = &tf["aws_cloudwatch_event_target"]["nightly_target_orders"];
        assert!(target.get("event_bus_name").is_none());
        assert_eq!(target["sqs_target"], json!({"message_group_id": "nightly"}));
    }

    #[test]
    fn a_bus_takes_a_customer_key_and_a_policy_only_when_asked() {
        let app = one_stack(|s| {
            let key = s.add(kms::Key::new("BusKey").allow_event_buses());
            s.add(
                EventBus::new("Shared")
                    .encryption_key(&key)
                    .allow_put_events_from_account("210987654321"),
            );
        });
        let docs = artifacts(&app);
        let resources = &docs[CFN]["Resources"];
        let bus = &resources["Shared"]["Properties"];
        assert_eq!(
            bus["KmsKeyIdentifier"],
            json!({"Fn::GetAtt": ["BusKey", "Arn"]})
        );
        assert!(bus.get("Policy").is_none());
        assert_eq!(
            resources["SharedPolicy"],
            json!({"Type": "AWS::Events::EventBusPolicy", "Properties": {
                "EventBusName": {"Ref": "Shared"},
                "StatementId": "AllowPutEventsFromAccounts",
                "Statement": {"Sid": "AllowPutEventsFromAccounts", "Effect": "Allow",
                    "Principal": {"AWS": [{"Fn::Sub": "arn:${AWS::Partition}:iam::210987654321:root"}]},
                    "Action": ["events:PutEvents"],
                    "Resource": [{"Fn::GetAtt": ["Shared", "Arn"]}]}
            }})
        );
        let statements = resources["BusKey"]["Properties"]["KeyPolicy"]["Statement"]
            .as_array()
            .unwrap();
        assert_eq!(
            statements[1],
            json!({"Sid": "AllowEventBridgeBuses", "Effect": "Allow",
                "Principal": {"Service": ["events.amazonaws.com"]},
                "Action": ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": ["*"],
                "Condition": {"StringEquals": {"aws:SourceAccount": [{"Ref": "AWS::AccountId"}]}}})
        );
        let tf = &docs[TF]["resource"];
        assert_eq!(
            tf["aws_cloudwatch_event_bus"]["shared"]["kms_key_identifier"],
            "${aws_kms_key.bus_key.arn}"
        );
        let policy = &tf["aws_cloudwatch_event_bus_policy"]["shared_policy"];
        assert_eq!(
            policy["event_bus_name"],
            "${aws_cloudwatch_event_bus.shared.name}"
        );
        assert_eq!(
            policy["policy"],
            "${data.aws_iam_policy_document.shared_policy.json}"
        );
        // Without `allow_put_events_from_account` there is no policy in either target.
        let plain = artifacts(&one_stack(|s| {
            s.add(EventBus::new("Plain"));
        }));
        assert!(plain[CFN]["Resources"]["Plain"]["Properties"]
            .get("Policy")
            .is_none());
        assert!(plain[TF]["resource"]
            .get("aws_cloudwatch_event_bus_policy")
            .is_none());
    }

    #[test]
    fn bad_rule_and_bus_input_is_a_located_error() {
        let at = line_below(10);
        let app = one_stack(|s| {
            let key = s.add(kms::Key::new("Plain"));
            let bus = s.add(EventBus::new("Bus"));
            let plain = s.add(sns::Topic::new("Alerts"));
            let fifo = s.add(sqs::Queue::fifo("Fifo"));
            let jobs = s.add(sqs::Queue::new("Jobs"));
            let more = s.add(sqs::Queue::new("More"));
            let long = s.add(sqs::Queue::new("L".repeat(65)));
            let f = Function::new("Worker", zip(), Runtime::Python312, "index.handler").add_to(s);
            Rule::on_pattern(
                "Bad",
                EventPattern::new()
                    .field("source", "shop.orders")
                    .detail(stackwright::json!({"state": [], "kind": {}})),
            )
            .target(Target::function(&f).retry_policy(200, 30))
            .target(Target::function(&f))
            .target(Target::queue(&fifo))
            .target(
                Target::queue(&jobs)
                    .message_group_id("g")
                    .dead_letter_queue(&fifo),
            )
            .target(Target::topic(&plain))
            // The sixth, as the duplicate `Worker` is refused, not declared.
            .target(Target::queue(&more))
            .target(Target::queue(&long))
            .add_to(s);
            Rule::on_schedule("Once", "at(2027-01-01T00:00:00)")
                .bus(&bus)
                .add_to(s);
            Rule::on_pattern("Empty", EventPattern::new()).add_to(s);
            s.add(
                EventBus::new("Locked")
                    .encryption_key(&key)
                    .allow_put_events_from_account("1234"),
            );
        });
        let errors = fails(
            &app,
            &[
                "event pattern field `source` is \"shop.orders\": EventBridge matches a field against a \
                 list; expected `[\"shop.orders\"]`",
                "event pattern field `detail.state` is an empty list",
                "event pattern field `detail.kind` is an empty object",
                "rule target `Worker`: retry policy of 200 attempts: expected 0 to 185",
                "maximum event age of 30 seconds: expected 60 to 86400",
                "rule target `Worker` is given twice",
                "rule target `Fifo` is a FIFO queue, which needs a message group",
                "rule target `Jobs`: dead-letter queue `Fifo` is a FIFO queue",
                "rule target `Jobs` has a message group id, which only FIFO queue targets take",
                "rule `Bad`'s target publishes to topic `Alerts`, which is encrypted with the AWS managed \
                 key",
                "schedule expression `at(2027-01-01T00:00:00)`: EventBridge rules take no one-time schedule",
                "schedule `at(2027-01-01T00:00:00)` on event bus `Bus`: EventBridge runs scheduled rules on \
                 the default bus only",
                "event pattern has no fields",
                "is target 6: EventBridge takes at most 5 per rule",
                "EventBridge's target ids are at most 64 characters",
                "event bus encrypted with key `Plain`, whose policy does not let EventBridge use it",
                "event bus policy account `1234`: expected a 12-digit AWS account id",
            ],
        );
        assert!(errors.contains(&at), "not located at {at}:\n{errors}");
    }

    #[test]
    fn a_second_rule_on_one_queue_is_an_error_naming_the_first() {
        let first = line_below(4);
        let second = line_below(6);
        let app = one_stack(|s| {
            let jobs = s.add(sqs::Queue::new("Jobs"));
            Rule::on_schedule("Hourly", "rate(1 hour)")
                .target(Target::queue(&jobs))
                .add_to(s);
            Rule::on_schedule("Daily", "rate(1 day)")
                .target(Target::queue(&jobs))
                .add_to(s);
        });
        let errors = fails(
            &app,
            &["rule `Daily` delivers to queue `Jobs`, whose policy rule `Hourly` (declared at"],
        );
        let first = format!("(declared at {})", first.trim_end_matches(':'));
        assert!(
            errors.contains(&first),
            "first not named ({first}):\n{errors}"
        );
        assert!(
            errors.contains(&second),
            "not located at {second}:\n{errors}"
        );
    }
}

mod bucket_events {
    use super::zip;
    use crate::support::{artifacts, fails, line_below, one_stack, CFN, TF};
    use serde_json::json;
    use stackwright::aws::lambda::{BucketEventSource, Function, Runtime};
    use stackwright::aws::{s3, sqs};

    #[test]
    fn several_sources_on_one_bucket_are_rules_of_their_own_scoped_to_the_bucket() {
        let app = one_stack(|s| {
            let uploads = s.add(s3::Bucket::new("Uploads").eventbridge_notifications());
            let thumbs =
                Function::new("Thumbs", zip(), Runtime::Python312, "index.handler").add_to(s);
            let audit =
                Function::new("Audit", zip(), Runtime::Python312, "index.handler").add_to(s);
            let failed = s.add(sqs::Queue::new("Failed"));
            BucketEventSource::object_created("Images", &thumbs, &uploads)
                .prefix("images/")
                .suffix(".jpg")
                .dead_letter_queue(&failed)
                .add_to(s);
            BucketEventSource::object_created("Everything", &audit, &uploads).add_to(s);
            BucketEventSource::object_created("Reports", &audit, &uploads)
                .suffix(".csv")
                .add_to(s);
        });
        let docs = artifacts(&app);
        let resources = &docs[CFN]["Resources"];
        assert_eq!(
            resources["Uploads"]["Properties"]["NotificationConfiguration"],
            json!({"EventBridgeConfiguration": {"EventBridgeEnabled": true}})
        );
        let images = &resources["Images"]["Properties"];
        assert!(images.get("EventBusName").is_none());
        assert_eq!(
            images["EventPattern"],
            json!({"source": ["aws.s3"], "detail-type": ["Object Created"], "detail": {
                "bucket": {"name": [{"Ref": "Uploads"}]},
                "object": {"key": [{"wildcard": "images/*.jpg"}]}
            }})
        );
        assert_eq!(
            images["Targets"],
            json!([{"Arn": {"Fn::GetAtt": ["Thumbs", "Arn"]}, "Id": "Thumbs",
                "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["Failed", "Arn"]}}}])
        );
        assert_eq!(
            resources["Everything"]["Properties"]["EventPattern"]["detail"],
            json!({"bucket": {"name": [{"Ref": "Uploads"}]}})
        );
        assert_eq!(
            resources["Reports"]["Properties"]["EventPattern"]["detail"]["object"],
            json!({"key": [{"suffix": ".csv"}]})
        );
        for (permission, rule, function) in [
            ("ImagesThumbsInvoke", "Images", "Thumbs"),
            ("EverythingAuditInvoke", "Everything", "Audit"),
            ("ReportsAuditInvoke", "Reports", "Audit"),
        ] {
            assert_eq!(
                resources[permission]["Properties"],
                json!({"FunctionName": {"Fn::GetAtt": [function, "Arn"]},
                    "Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com",
                    "SourceArn": {"Fn::GetAtt": [rule, "Arn"]},
                    "SourceAccount": {"Ref": "AWS::AccountId"}}),
                "{permission}"
            );
        }
        assert_eq!(
            resources["ImagesFailedPolicy"]["Type"],
            "AWS::SQS::QueuePolicy"
        );
        let tf = &docs[TF]["resource"];
        assert_eq!(
            tf["aws_s3_bucket_notification"]["uploads_notification"],
            json!({"bucket": "${aws_s3_bucket.uploads.id}", "eventbridge": true})
        );
        let pattern: serde_json::Value = serde_json::from_str(
            tf["aws_cloudwatch_event_rule"]["images"]["event_pattern"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            pattern["detail"]["bucket"]["name"],
            json!(["${aws_s3_bucket.uploads.id}"])
        );
        assert_eq!(
            tf["aws_lambda_permission"]["images_thumbs_invoke"]["source_account"],
            "123456789012"
        );
    }

    #[test]
    fn bad_bucket_source_input_is_a_located_error() {
        let at = line_below(4);
        let app = one_stack(|s| {
            let quiet = s.add(s3::Bucket::new("Quiet"));
            let f = Function::new("Thumbs", zip(), Runtime::Python312, "index.handler").add_to(s);
            BucketEventSource::object_created("Images", &f, &quiet)
                .prefix("a*")
                .suffix("")
                .add_to(s);
        });
        let errors = fails(
            &app,
            &[
                "bucket `Quiet` does not send its events to EventBridge, so the rule would never match: \
                 expected `.eventbridge_notifications()` on the bucket",
                "object key suffix ``: expected 1 to 1024 characters",
                "object key prefix `a*` and suffix ``: together they match as the wildcard",
            ],
        );
        assert!(errors.contains(&at), "not located at {at}:\n{errors}");
    }
}
