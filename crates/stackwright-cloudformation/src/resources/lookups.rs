//! Lookups of network resources by tags. CloudFormation cannot search by tag, so each is a parameter of
//! the AWS-specific type (checked to exist at deploy time, offered as a picker in the console), whose
//! description names the tags to choose by.

use serde_json::{json, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::Resource;

/// The parameter type of a lookup kind.
pub(super) fn parameter_type(kind: &str) -> Option<&'static str> {
    Some(match kind {
        kinds::VPC_LOOKUP => "AWS::EC2::VPC::Id",
        kinds::SUBNET_LOOKUP => "AWS::EC2::Subnet::Id",
        kinds::SECURITY_GROUP_LOOKUP => "AWS::EC2::SecurityGroup::Id",
        _ => return None,
    })
}

/// The template parameter a lookup becomes.
pub(super) fn parameter(resource: &Resource, type_name: &str) -> Json {
    let tags: Vec<String> = resource
        .get("tags")
        .and_then(|t| t.as_map())
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                v.as_expr().and_then(|e| e.as_literal()).unwrap_or("")
            )
        })
        .collect();
    json!({
        "Type": type_name,
        "Description": format!("the one tagged {} (give its id when deploying)", tags.join(", ")),
    })
}
