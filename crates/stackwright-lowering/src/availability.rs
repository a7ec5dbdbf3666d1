//! Whether the environment's region offers a registry resource's type, from the regions the generated
//! builder recorded as not offering it ([`props::UNAVAILABLE_IN`], from the pinned registry data).

use stackwright_aws::registry::props;
use stackwright_core::{Resource, Value};

/// The problem of declaring `resource` (of CloudFormation type `type_name`) in `region`, when the region
/// does not offer the type; `None` when it does, or when the node records no availability.
pub fn unavailable(resource: &Resource, type_name: &str, region: &str) -> Option<String> {
    resource
        .get(props::UNAVAILABLE_IN)
        .and_then(Value::as_list)
        .unwrap_or_default()
        .iter()
        .any(|r| r.as_expr().and_then(|e| e.as_literal()) == Some(region))
        .then(|| {
            format!(
                "resource type `{type_name}` is not available in region `{region}`: choose another region \
                 or type"
            )
        })
}
