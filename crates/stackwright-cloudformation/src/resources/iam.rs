//! Identity and Access Management. Policy documents are JSON objects whose strings may be intrinsics.

use super::{Attribute, Lowering, Props, Secondary, Service};
use stackwright_aws::kinds;

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    Some(match (kind, attr) {
        (kinds::IAM_ROLE, "name") => Attribute::Ref,
        (kinds::IAM_ROLE, "arn") => Attribute::GetAtt("Arn"),
        (kinds::IAM_ROLE, "unique_id") => Attribute::GetAtt("RoleId"),
        (kinds::IAM_MANAGED_POLICY, "arn") => Attribute::Ref,
        _ => return None,
    })
}

fn lower(_: &Lowering, _: &str, p: &mut Props, _: &mut Secondary) -> Option<&'static str> {
    Some(match p.resource.kind {
        kinds::IAM_ROLE => {
            p.copy("assume_role_policy", "AssumeRolePolicyDocument");
            p.physical_name("RoleName");
            p.copy("description", "Description");
            p.copy("max_session_duration", "MaxSessionDuration");
            p.copy("path", "Path");
            p.copy("permissions_boundary", "PermissionsBoundary");
            p.copy("managed_policy_arns", "ManagedPolicyArns");
            "AWS::IAM::Role"
        }
        kinds::IAM_ROLE_POLICY => {
            // `AWS::IAM::Policy` rather than the newer `AWS::IAM::RolePolicy`: both create an inline
            // policy, but checkov's IAM checks only read the former.
            p.copy("policy_name", "PolicyName");
            p.copy("policy_document", "PolicyDocument");
            if let Some(role) = p.resource.get("role_name") {
                let role = p.value(role);
                p.insert("Roles", serde_json::Value::Array(vec![role]));
            }
            "AWS::IAM::Policy"
        }
        kinds::IAM_MANAGED_POLICY => {
            p.copy("policy_document", "PolicyDocument");
            p.physical_name("ManagedPolicyName");
            p.copy("description", "Description");
            p.copy("path", "Path");
            if p.resource
                .get("roles")
                .and_then(|r| r.as_list())
                .is_some_and(|r| !r.is_empty())
            {
                p.copy("roles", "Roles");
            }
            "AWS::IAM::ManagedPolicy"
        }
        _ => return None,
    })
}
