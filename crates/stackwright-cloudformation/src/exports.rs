//! Cross-stack references of one environment: the `Outputs` with `Export` a producer publishes and the
//! `Fn::ImportValue` names its consumers read.

use crate::names::logical_id;
use serde_json::{json, Map, Value as Json};
use sha2::{Digest, Sha256};
use stackwright_core::RemoteRead;

/// `Fn::GetStackOutput` of another environment's stack (cross-region or cross-account): the stack as
/// `list` deploys it (`<app>-<env>-<stack>`), the output's logical id, the region always (explicit), and
/// the role when there is one. cfn-lint 1.58 checks this shape (rule E1033).
pub(crate) fn get_stack_output(app: &str, read: &RemoteRead) -> Json {
    let mut arguments = Map::new();
    arguments.insert(
        "StackName".into(),
        format!("{app}-{}-{}", read.environment.name, read.stack).into(),
    );
    arguments.insert("OutputName".into(), logical_id(&read.output).into());
    arguments.insert("Region".into(), read.environment.region.as_str().into());
    if let Some(role) = &read.role_arn {
        arguments.insert("RoleArn".into(), role.as_str().into());
    }
    json!({ "Fn::GetStackOutput": arguments })
}

/// CloudFormation's limit on an export name.
const MAX_EXPORT_NAME: usize = 255;

/// The export name of `attr` of resource `resource_id` in stack `stack` of environment `env`:
/// `<app>-<env>-<stack>:<LogicalId>:<attr>` (the first part is the stack name `list` deploys under),
/// e.g. `shop-prod-network:Vpc:id`. Export names are unique per account and region, so the environment
/// is part of it: two environments may share both. Only `A-Za-z0-9`, `:` and `-` appear (ids and names
/// are made of them, attributes' `_` becomes `-`); a name over 255 characters keeps its first 238 and
/// ends with `-` and 16 hex digits of its SHA-256, so it stays deterministic and unique.
pub(crate) fn export_name(
    app: &str,
    env: &str,
    stack: &str,
    resource_id: &str,
    attr: &str,
) -> String {
    let name = format!(
        "{app}-{env}-{stack}:{}:{}",
        logical_id(resource_id),
        attr.replace('_', "-")
    );
    if name.len() <= MAX_EXPORT_NAME {
        return name;
    }
    let digest: String = Sha256::digest(name.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{}-{digest}", &name[..MAX_EXPORT_NAME - 17])
}

/// The logical id of the output that publishes an export: `Export` + the resource's logical id + the
/// attribute in Pascal case (`ExportVpcId`, `ExportLoadBalancerDnsName`).
pub(crate) fn output_id(resource_id: &str, attr: &str) -> String {
    let mut id = format!("Export{}", logical_id(resource_id));
    for word in attr.split('_') {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars);
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_deterministic_and_bounded() {
        assert_eq!(
            export_name("shop", "prod", "network", "Public-Subnet_1", "id"),
            "shop-prod-network:PublicSubnet1:id"
        );
        assert_eq!(
            export_name("shop", "prod", "edge", "Lb", "dns_name"),
            "shop-prod-edge:Lb:dns-name"
        );
        let long = "a".repeat(250);
        let name = export_name("shop", "prod", "network", &long, "id");
        assert_eq!(name.len(), 255);
        assert_eq!(name, export_name("shop", "prod", "network", &long, "id"));
        assert_ne!(name, export_name("shop", "prod", "network", &long, "arn"));
        assert!(name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '-'));
        assert_eq!(
            output_id("load-balancer", "dns_name"),
            "ExportloadbalancerDnsName"
        );
        assert_eq!(output_id("Vpc", "id"), "ExportVpcId");
    }
}
