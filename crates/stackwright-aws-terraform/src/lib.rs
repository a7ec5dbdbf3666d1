//! Typed builders for every resource and data source of the Terraform provider hashicorp/aws 5.100.0,
//! generated from its pinned schema (`cargo xtask codegen`; see `crates/stackwright-codegen`): Terraform
//! only.
//!
//! One module per service, each behind the Cargo feature of its name (`lambda`, `sqs`, `vpc`, ...: the
//! first word of the type's name, or the service `terraform-overlay.json` gives it), so that a crate
//! compiles only the services it uses; `full` enables all of them (CI only). A type's builder is named as
//! the provider names it without `aws_` and its service (`aws_lambda_function` is `lambda::Function`,
//! `aws_vpc_endpoint` is `vpc::Endpoint`, `aws_internet_gateway` is `vpc::InternetGateway`); data sources
//! live in the service's `data` module (`data "aws_iam_policy_document"` is
//! `iam::data::PolicyDocument`), nested blocks in a module named after the type
//! (`lambda::function::VpcConfig`). Attributes and setters keep the provider's snake-case names.
//!
//! Required attributes and blocks are arguments of `new`, so that none can be forgotten: positional, in
//! schema order, while each has a type of its own (`Principals::new(identifiers, type_)` takes a list and
//! a string); as soon as two share a type, a `...Required` struct with one field per value, so that two of
//! the same type cannot be swapped (the same rule as the registry layer's builders):
//!
//! ```
//! use stackwright::prelude::*;
//! use stackwright_aws_terraform::{lambda, sqs};
//!
//! fn define(stack: &mut Stack, role_arn: Expr) {
//!     let queue = stack.add(sqs::Queue::new("Jobs").visibility_timeout_seconds(60));
//!     let function = stack.add(
//!         lambda::Function::new(
//!             "Worker",
//!             lambda::FunctionRequired { function_name: "worker".into(), role: role_arn },
//!         )
//!         .runtime("python3.12")
//!         .handler("app.handler")
//!         .filename("worker.zip")
//!         .timeout(30),
//!     );
//!     stack.add(lambda::EventSourceMapping::new("Feed", function.arn()).event_source_arn(queue.arn()));
//!     stack.add(sqs::QueuePolicy::new(
//!         "Access",
//!         sqs::QueuePolicyRequired { policy: "{}".into(), queue_url: queue.url() },
//!     ));
//! }
//! ```
//!
//! Passing same-typed required values by position does not compile:
//!
//! ```compile_fail,E0061
//! use stackwright_aws_terraform::lambda;
//! let _ = lambda::Permission::new("Invoke", "lambda:InvokeFunction", "worker", "sqs.amazonaws.com");
//! ```
//!
//! Positional required values do not compile, and neither does a missing one:
//!
//! ```compile_fail,E0061
//! use stackwright_aws_terraform::sqs;
//! // Two strings: in which order? Named fields say.
//! let policy = sqs::QueuePolicy::new("Policy", "https://sqs.example/q", "{}");
//! ```
//!
//! ```compile_fail,E0063
//! use stackwright_aws_terraform::sqs;
//! // `queue_url` is missing.
//! let policy = sqs::QueuePolicy::new("Policy", sqs::QueuePolicyRequired { policy: "{}".into() });
//! ```
//!
//! Setters take what the attribute's type allows: text and references for strings (`impl Into<Expr>`),
//! integers, decimals and references for numbers ([`Number`]), `bool` and references for booleans,
//! items or a reference to a whole list for lists and sets ([`List`]), entries or a reference for
//! maps. A handle has `id()` and one method per attribute (`function.arn()`, `queue.url()`), each an `Expr`
//! that every layer takes: a hand-written kind's handle, a registry builder's and these mix freely.
//!
//! Lowering is data, with no per-type code: a declared builder is a raw Terraform node that the Terraform
//! target writes as a `resource "aws_x" "<id>"` or `data "aws_x" "<id>"` block; the environment's tags reach
//! resources through the provider's `default_tags`, a resource's own through `tag(..)`. Stateful types
//! (`terraform-overlay.json`) are kept by default (`lifecycle.prevent_destroy`). Each declared block is
//! checked against the provider schema when it is declared. Synthesizing CloudFormation for a stack that
//! holds one is an error at the line that declared it.

#[doc(hidden)]
pub mod runtime;

mod escape;
mod generated;

#[doc(hidden)]
pub use escape::escapes;
pub use escape::TerraformEscape;
pub use generated::*;
pub use runtime::{Bool, Handle, List, Map, Number};

/// The provider the builders are generated from, as each declared node records it.
pub const PROVIDER: &str = "hashicorp/aws 5.100.0";
