//! One mistake, one error, in the user's words, at the user's line: mistakes that once also gave errors
//! about ids the user never wrote (a composite's parts), or gave one per target or per environment.

use crate::support::{fails, line_below, one_stack};
use stackwright::aws::apigatewayv2::HttpApi;
use stackwright::aws::ecs::{Container, FargateTaskDefinition, Image};
use stackwright::aws::events::{EventPattern, Rule, Target};
use stackwright::aws::lambda::{Code, Function, FunctionHandle, Runtime};
use stackwright::aws::sqs;
use stackwright::{App, Environment};

fn function(s: &mut stackwright::Stack, id: &str) -> FunctionHandle {
    Function::new(
        id,
        Code::s3("code-bucket", "0123.zip"),
        Runtime::Python312,
        "index.handler",
    )
    .add_to(s)
}

/// The rendered errors of `app`, which must fail with exactly one problem, holding every `expected`
/// fragment and never `never` (an id the user did not write).
fn one_error<C>(app: &App<C>, expected: &[&str], never: &[&str]) -> String {
    let errors = fails(app, expected);
    assert!(
        errors.contains("error: 1 problem found; nothing was written"),
        "expected exactly one problem:\n{errors}"
    );
    for id in never {
        assert!(
            !errors.contains(id),
            "`{id}` is not the user's word:\n{errors}"
        );
    }
    errors
}

#[test]
fn a_route_key_given_twice_is_one_error_at_the_second_route() {
    let at = line_below(5);
    let app = one_stack(|s| {
        let f = function(s, "Worker");
        HttpApi::new("BadApi")
            .route("GET /x", &f)
            .route("GET /x", &f)
            .add_to(s);
    });
    let errors = one_error(
        &app,
        &["route `GET /x` is declared twice on HTTP API `BadApi`"],
        &["BadApi-GetX"],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}

#[test]
fn a_function_given_twice_as_a_rule_target_is_one_error() {
    let app = one_stack(|s| {
        let f = function(s, "Worker");
        Rule::on_pattern("BadRule", EventPattern::new().source(["shop.orders"]))
            .target(Target::function(&f))
            .target(Target::function(&f))
            .add_to(s);
    });
    one_error(
        &app,
        &["rule target `Worker` is given twice: expected each destination once"],
        &["BadRule-Worker-Invoke"],
    );
}

#[test]
fn a_fifo_queue_id_with_the_suffix_is_one_error() {
    let at = line_below(2);
    let app = one_stack(|s| {
        s.add(sqs::Queue::fifo("Orders2.fifo"));
    });
    let errors = one_error(
        &app,
        &[
            "FIFO queue id `Orders2.fifo`: the queue adds the `.fifo` suffix to its name itself; \
             expected `sqs::Queue::fifo(\"Orders2\")`",
        ],
        &["shorter", "invalid resource id"],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}

fn two_environments(define: impl Fn(&mut stackwright::Stack) + Send + Sync + 'static) -> App<()> {
    App::new("demo")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(Environment::new("prod", "123456789012", "us-east-1", ()))
        .stack("main", move |stack, _| define(stack))
}

#[test]
fn a_fifo_naming_error_is_one_error_for_every_environment() {
    let long = format!("Q{}", "x".repeat(70));
    let app = two_environments(move |s| {
        s.add(sqs::Queue::fifo(long.clone()));
    });
    one_error(
        &app,
        &[
            "(`<app>-<env>-<stack>-<id>.fifo`) is invalid: it is too long: expected 1 to 80 characters; \
             give it a shorter name with `.name(...)`",
            "in environments `dev`, `prod`",
        ],
        &[],
    );
    for (fifo, expected) in [
        (
            false,
            "standard queue name `jobs.fifo`: only a FIFO queue's name ends in `.fifo`; expected \
             `.name(\"jobs\")`, or `sqs::Queue::fifo(..)` for a FIFO queue",
        ),
        (
            true,
            "FIFO queue name `jobs.fifo`: the queue adds the `.fifo` suffix itself; expected \
             `.name(\"jobs\")`",
        ),
    ] {
        let app = two_environments(move |s| {
            let queue = match fifo {
                true => sqs::Queue::fifo("Jobs"),
                false => sqs::Queue::new("Jobs"),
            };
            s.add(queue.name("jobs.fifo"));
        });
        one_error(&app, &[expected, "in environments `dev`, `prod`"], &[]);
    }
}

#[test]
fn a_name_one_of_a_composites_parts_takes_is_one_error_in_the_composites_words() {
    let at = line_below(3);
    let app = one_stack(|s| {
        s.add(sqs::Queue::new("Web2Logs"));
        FargateTaskDefinition::new("Web2", 256, 512)
            .container(Container::new("web", Image::public("busybox")))
            .add_to(s);
    });
    let errors = one_error(
        &app,
        &[
            "task definition `Web2` names its part `Web2-Logs` after its id, and `Web2Logs` (declared at",
            "differs from it only in `-`, `_` or letter case",
            "resource `Web2`",
        ],
        &["both become", "resource `Web2-Logs`"],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
    // Declared the other way round, the error is at the queue's line, in the same words.
    let at = line_below(5);
    let app = one_stack(|s| {
        FargateTaskDefinition::new("Web2", 256, 512)
            .container(Container::new("web", Image::public("busybox")))
            .add_to(s);
        s.add(sqs::Queue::new("Web2Logs"));
    });
    let errors = one_error(
        &app,
        &[
            "task definition `Web2` (declared at",
            "names its part `Web2-Logs` after its id, and `Web2Logs` differs",
            "resource `Web2Logs`",
        ],
        &["both become"],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}
