//! One mistake, one error, in the user's words, at the user's line: mistakes that once also gave errors
//! about ids the user never wrote (a composite's parts), or gave one per target or per environment.

use crate::support::{fails, line_below, one_stack};
use stackwright::aws::apigatewayv2::HttpApi;
use stackwright::aws::events::{EventPattern, Rule, Target};
use stackwright::aws::lambda::{Code, Function, FunctionHandle, Runtime};
use stackwright::App;

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
