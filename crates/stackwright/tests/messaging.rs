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
            "SQS FIFO queue name (before the `.fifo` the queue adds): it contains `.`",
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
