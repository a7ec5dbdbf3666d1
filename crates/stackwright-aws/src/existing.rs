//! Builders of resources that exist outside the app (another team's VPC, a shared bucket): each gives
//! the same typed handle as the resource's own builder, whose known attributes are the given values.

use crate::Handle;
use stackwright_core::{Declare, Expr, Resource, ResourceRef};

/// A resource that exists outside the app, from a `from_id`-style constructor such as
/// [`Vpc::from_id`](crate::ec2::Vpc::from_id). Add it to a stack like any builder: references to its
/// known attributes become their values (a literal, or a deploy-time lookup such as
/// [`ParameterLookup`](crate::ssm::ParameterLookup)'s value); nothing is created or managed; using
/// another attribute is an error at the line that uses it.
pub struct Existing<H> {
    resource: Resource,
    handle: Box<dyn FnOnce(Handle) -> H>,
}

impl<H> Existing<H> {
    #[track_caller]
    pub(crate) fn new(
        id: impl Into<String>,
        kind: &'static str,
        attributes: Vec<(&'static str, Expr)>,
        handle: impl FnOnce(Handle) -> H + 'static,
    ) -> Self {
        let mut resource = Resource::new(id, kind);
        for (name, value) in &attributes {
            if value.as_literal().is_some_and(str::is_empty) {
                resource.problems.push(format!(
                    "existing resource has an empty `{name}`: expected its value"
                ));
            }
        }
        resource.existing = Some(attributes);
        Existing {
            resource,
            handle: Box::new(handle),
        }
    }
}

impl<H> Existing<H> {
    /// A lookup of a resource by its tags (`kind` is the lookup's own kind): read at deploy time where
    /// the target can search (Terraform data sources), given at deploy time where it cannot
    /// (CloudFormation parameters of the AWS-specific type, whose console offers a picker).
    #[track_caller]
    pub(crate) fn by_tags<K: Into<String>, V: Into<String>>(
        id: impl Into<String>,
        kind: &'static str,
        tags: impl IntoIterator<Item = (K, V)>,
        handle: impl FnOnce(Handle) -> H + 'static,
    ) -> Self {
        let mut resource = Resource::new(id, kind);
        let tags: Vec<(String, stackwright_core::Value)> = tags
            .into_iter()
            .map(|(k, v)| (k.into(), stackwright_core::Value::from(v.into())))
            .collect();
        if tags.is_empty() {
            resource
                .problems
                .push("lookup by tags has no tag: expected at least one (key, value)".into());
        }
        if tags.iter().any(|(k, _)| k.is_empty()) {
            resource
                .problems
                .push("lookup by tags has an empty tag key: expected a key".into());
        }
        resource.set("tags", stackwright_core::Value::Map(tags));
        Existing {
            resource,
            handle: Box::new(handle),
        }
    }
}

impl<H> Declare for Existing<H> {
    type Handle = H;
    fn declare(self, at: ResourceRef) -> (Resource, H) {
        (self.resource, (self.handle)(Handle(at)))
    }
}

/// `arn:<partition>:<service>:<region>:<account>:<resource>` in the environment, with the region and
/// account left empty where `region`/`account` is false (global services).
pub(crate) fn arn(service: &str, region: bool, account: bool, resource: Expr) -> Expr {
    let mut parts = vec![
        Expr::from("arn:"),
        Expr::partition(),
        format!(":{service}:").into(),
    ];
    if region {
        parts.push(Expr::region());
    }
    parts.push(":".into());
    if account {
        parts.push(Expr::account_id());
    }
    parts.push(":".into());
    parts.push(resource);
    Expr::concat(parts)
}
