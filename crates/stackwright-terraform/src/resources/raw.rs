//! Raw resources: the user's own Terraform type and attributes, references lowered as usual.

use super::Attrs;
use crate::names::snake_case;
use stackwright_aws::raw::props;
use stackwright_core::{Resource, Value};

pub(super) fn block_type(resource: &Resource) -> Option<(String, bool)> {
    let type_name = resource
        .get(props::TERRAFORM_TYPE)?
        .as_expr()?
        .as_literal()?;
    let data = resource
        .get(props::TERRAFORM_DATA_SOURCE)
        .and_then(Value::as_bool)
        == Some(true);
    Some((type_name.to_owned(), data))
}

/// Raw attributes are named as in CloudFormation (`TopicArn`); Terraform's are their snake case.
pub(super) fn attribute(name: &str) -> String {
    snake_case(name)
}

/// Copies the raw attributes into `a`.
pub(super) fn lower(a: &mut Attrs) -> bool {
    let resource = a.resource;
    let attributes = resource
        .get(props::TERRAFORM_ATTRIBUTES)
        .and_then(Value::as_map)
        .unwrap_or_default();
    for (key, value) in attributes {
        let lowered = a.value(value);
        a.out.insert(key.clone(), lowered);
    }
    true
}
