//! The target-neutral heart of Stackwright.
//!
//! A user's program builds an [`App`]: environments (account x region pairs with a typed config) and stack
//! definitions (plain Rust functions). [`App::instantiate`] runs every definition once per environment and
//! yields one [`StackInstance`] per (environment, stack): a graph of resources, parameters and outputs whose
//! values are [`Expr`]/[`Value`] trees with typed references instead of strings with magic markers.
//!
//! Architecture invariant: this crate knows nothing of CloudFormation, Terraform, JSON, files or terminals.
//! Targets lower a [`StackInstance`] into their own documents; only the CLI performs IO.

mod app;
pub mod claims;
mod diagnostic;
mod existing;
mod expr;
mod extensions;
pub mod ids;
mod instantiate;
mod links;
pub mod naming;
pub mod regions;
mod stack;
pub mod tags;
pub mod target;

pub use app::{AnyApp, App, EnvSpec, Environment};
pub use diagnostic::{Diagnostic, Location};
pub use expr::{AttrRef, Expr, ParamRef, Pseudo, Value, NO_VALUE_MISPLACED};
pub use extensions::Extensions;
pub use instantiate::{Batch, Checked, Instantiation, Selection, StackInstance};
pub use links::{Export, Import, Links, RemoteRead};
pub use stack::{
    Declare, HasResourceRef, MovedFrom, Output, Override, ParamHandle, ParamType, Parameter,
    RemoteOutput, RemovalPolicy, Resource, ResourceRef, ScopeId, Stack, Stacks, UniqueKey,
};
pub use target::Target;

/// Builds a [`Value`] in JSON's syntax, references live: objects with literal keys, lists, and any value a
/// `Value` is made from (text, an [`Expr`] such as `handle.arn()`, integers, booleans), for schema-free
/// properties (environment variables, documents without a typed builder).
///
/// ```
/// # use stackwright_core::{json, Expr, Value};
/// let arn = Expr::from("arn:aws:sqs:eu-west-1:111111111111:jobs");
/// let value = json!({"QUEUE": arn.clone(), "N": 3, "On": true, "Tags": ["a", "b"], "Deep": {"K": -1}});
/// assert_eq!(
///     value,
///     Value::Map(vec![
///         ("QUEUE".into(), Value::Str(arn)),
///         ("N".into(), Value::Int(3)),
///         ("On".into(), Value::Bool(true)),
///         ("Tags".into(), Value::List(vec![Value::from("a"), Value::from("b")])),
///         ("Deep".into(), Value::Map(vec![("K".into(), Value::Int(-1))])),
///     ])
/// );
/// assert_eq!(json!([]), Value::List(vec![]));
/// ```
#[macro_export]
macro_rules! json {
    ({ $($body:tt)* }) => {
        $crate::Value::Map($crate::__json_entries!([] $($body)*))
    };
    ([ $($body:tt)* ]) => {
        $crate::Value::List($crate::__json_items!([] $($body)*))
    };
    ($value:expr) => {
        $crate::Value::from($value)
    };
}

/// The entries of [`json!`]'s object, one at a time.
#[doc(hidden)]
#[macro_export]
macro_rules! __json_entries {
    ([$($done:expr,)*]) => { ::std::vec![$($done,)*] };
    ([$($done:expr,)*] $key:literal : { $($v:tt)* } $(, $($rest:tt)*)?) => {
        $crate::__json_entries!([$($done,)* (::std::string::String::from($key), $crate::json!({ $($v)* })),] $($($rest)*)?)
    };
    ([$($done:expr,)*] $key:literal : [ $($v:tt)* ] $(, $($rest:tt)*)?) => {
        $crate::__json_entries!([$($done,)* (::std::string::String::from($key), $crate::json!([ $($v)* ])),] $($($rest)*)?)
    };
    ([$($done:expr,)*] $key:literal : $v:expr $(, $($rest:tt)*)?) => {
        $crate::__json_entries!([$($done,)* (::std::string::String::from($key), $crate::json!($v)),] $($($rest)*)?)
    };
}

/// The items of [`json!`]'s list, one at a time.
#[doc(hidden)]
#[macro_export]
macro_rules! __json_items {
    ([$($done:expr,)*]) => { ::std::vec![$($done,)*] };
    ([$($done:expr,)*] { $($v:tt)* } $(, $($rest:tt)*)?) => {
        $crate::__json_items!([$($done,)* $crate::json!({ $($v)* }),] $($($rest)*)?)
    };
    ([$($done:expr,)*] [ $($v:tt)* ] $(, $($rest:tt)*)?) => {
        $crate::__json_items!([$($done,)* $crate::json!([ $($v)* ]),] $($($rest)*)?)
    };
    ([$($done:expr,)*] $v:expr $(, $($rest:tt)*)?) => {
        $crate::__json_items!([$($done,)* $crate::json!($v),] $($($rest)*)?)
    };
}

/// Builds an [`Expr`] by concatenating literals and references, as string interpolation would.
///
/// ```
/// # use stackwright_core::{interpolate, Expr};
/// let host = Expr::from("10.0.0.1");
/// let url = interpolate!["https://", host, ":8443/"];
/// assert_eq!(url, Expr::from("https://10.0.0.1:8443/"));
/// ```
#[macro_export]
macro_rules! interpolate {
    ($($part:expr),* $(,)?) => {
        $crate::Expr::concat([$($crate::Expr::from($part)),*])
    };
}
