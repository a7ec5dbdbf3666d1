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
    Declare, HasResourceRef, Output, Override, ParamHandle, ParamType, Parameter, RemoteOutput,
    RemovalPolicy, Resource, ResourceRef, ScopeId, Stack, Stacks,
};
pub use target::Target;

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
