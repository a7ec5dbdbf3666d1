//! ARNs of resources in the environment a stack is deployed to, spelled with pseudo expressions so that
//! a builder needs no environment.

use stackwright_core::{interpolate, Expr};

/// `arn:<partition>:<service>:<region>:<account>:<resource>`.
pub(crate) fn regional(service: &str, resource: impl Into<Expr>) -> Expr {
    interpolate![
        "arn:",
        Expr::partition(),
        ":",
        service,
        ":",
        Expr::region(),
        ":",
        Expr::account_id(),
        ":",
        resource.into()
    ]
}

/// `arn:<partition>:<service>::<account>:<resource>`, for global services such as IAM.
pub(crate) fn global(service: &str, resource: impl Into<Expr>) -> Expr {
    interpolate![
        "arn:",
        Expr::partition(),
        ":",
        service,
        "::",
        Expr::account_id(),
        ":",
        resource.into()
    ]
}
