//! Typed builders for every CloudFormation registry type, generated from the pinned registry schemas and
//! the awscc Terraform provider's schema (`cargo xtask codegen`; see `crates/stackwright-codegen`).
//!
//! One module per service, each behind the Cargo feature of its name (`sqs`, `lambda`, `events`, ...), so
//! that a crate compiles only the services it uses; `full` enables all of them (CI only). Each type has a
//! builder (`sqs::Queue::new(id)` with its required properties as arguments, by-value setters for the
//! others), nested property types and value sets in a module named after the type (`lambda::function::Code`),
//! and a handle whose methods are its attributes (`queue.arn()`, `queue.queue_url()`; `id()` is `Ref`).
//! Handles mix with the hand-written kinds of `stackwright-aws`: every attribute is an `Expr`.
//!
//! Required properties are arguments of `new`, so that none can be forgotten: positional, in the order of
//! the schema's `required` list, while each has a Rust type of its own (`lambda::Url::new(id,
//! target_function_arn, auth_type)`); as soon as two share a type, a `...Required` struct with one named
//! field per property (the same rule as the hashicorp/aws builders'):
//!
//! ```
//! use stackwright_aws_generated::lambda;
//! let invoke = lambda::Permission::new(
//!     "Invoke",
//!     lambda::PermissionRequired {
//!         function_name: "worker".into(),
//!         action: "lambda:InvokeFunction".into(),
//!         principal: "sqs.amazonaws.com".into(),
//!     },
//! );
//! ```
//!
//! so that a swap of two of them does not compile:
//!
//! ```compile_fail,E0061
//! use stackwright_aws_generated::lambda;
//! let _ = lambda::Permission::new("Invoke", "sqs.amazonaws.com", "lambda:InvokeFunction", "worker");
//! ```
//!
//! Lowering is data: CloudFormation gets the type and its properties as the registry names them;
//! Terraform gets the awscc resource (`awscc_sqs_queue`) with awscc's attribute names, values awscc wants as
//! JSON strings in `jsonencode(...)`, and tags in awscc's shape. A type awscc does not offer is
//! CloudFormation-only: synthesizing Terraform for it is an error naming the resource.
//!
//! Enum values AWS has deprecated (Lambda runtimes such as `python2.7`, from the pinned cfn-lint's
//! runtime lifecycle data: `scripts/vendor-deprecated-values.py`) are `#[deprecated]` variants with a note
//! that says when and what replaces them:
//!
//! ```
//! #![deny(deprecated)]
//! use stackwright_aws_generated::lambda::function::Runtime;
//! assert_eq!(Runtime::Python312.as_str(), "python3.12");
//! ```
//!
//! ```compile_fail
//! #![deny(deprecated)]
//! use stackwright_aws_generated::lambda::function::Runtime;
//! let _ = Runtime::Python27;
//! ```
//!
//! Unlike the hand-written kinds, generated builders add no secure defaults beyond the retention of
//! stateful types: they say exactly what the registry says.

#[doc(hidden)]
pub mod runtime;

mod escape;
mod generated;

#[doc(hidden)]
pub use escape::escapes;
pub use escape::CloudFormationEscape;
pub use generated::*;
pub use runtime::Handle;
