//! Identity and Access Management. A policy document becomes an `aws_iam_policy_document` data source
//! whose `json` the resource reads: references stay live, Terraform does the JSON quoting, and checkov
//! inspects the statements (it cannot see into a `jsonencode(...)` string). Attachments of managed
//! policies to roles are resources of their own.

use super::{checkov_skips, Attrs, Secondary, Service};
use crate::names::{item_name, unique_in};
use serde_json::{Map, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::Value;

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        kinds::IAM_ROLE => ("aws_iam_role", false),
        kinds::IAM_ROLE_POLICY => ("aws_iam_role_policy", false),
        kinds::IAM_MANAGED_POLICY => ("aws_iam_policy", false),
        _ => return None,
    })
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    Some(match (kind, attr) {
        (kinds::IAM_ROLE, "name") => "name",
        (kinds::IAM_ROLE | kinds::IAM_MANAGED_POLICY, "arn") => "arn",
        (kinds::IAM_ROLE, "unique_id") => "unique_id",
        _ => return None,
    })
}

fn lower(name: &str, a: &mut Attrs, out: &mut Secondary) -> bool {
    match a.resource.kind {
        kinds::IAM_ROLE => {
            if let Some(policy) = document(a, out, name, "assume_role_policy", &[]) {
                a.insert("assume_role_policy", policy);
            }
            a.physical_name("name");
            a.copy("description", "description");
            a.copy("max_session_duration", "max_session_duration");
            a.copy("path", "path");
            a.copy("permissions_boundary", "permissions_boundary");
            a.tags();
            // The role's own `managed_policy_arns` is deprecated in provider 5.x: one attachment each.
            let role = Json::String(format!("${{aws_iam_role.{name}.name}}"));
            attachments(
                a,
                "managed_policy_arns",
                "managed_policy",
                name,
                out,
                |arn| (role.clone(), arn),
            );
        }
        kinds::IAM_ROLE_POLICY => {
            a.copy("policy_name", "name");
            a.copy("role_name", "role");
            if let Some(policy) = document(a, out, name, "policy_document", &[]) {
                a.insert("policy", policy);
            }
        }
        kinds::IAM_MANAGED_POLICY => {
            if let Some(policy) = document(a, out, name, "policy_document", &[]) {
                a.insert("policy", policy);
            }
            a.physical_name("name");
            a.copy("description", "description");
            a.copy("path", "path");
            let arn = Json::String(format!("${{aws_iam_policy.{name}.arn}}"));
            attachments(a, "roles", "attachment", name, out, |role| {
                (role, arn.clone())
            });
        }
        _ => return false,
    }
    true
}

/// One `aws_iam_role_policy_attachment` per item of list property `from`, named from what it attaches
/// (`{name}_{suffix}_{policy}`, see `names::item_name`), so that inserting one renames no other;
/// `pair` turns an item into (role, policy ARN).
fn attachments(
    a: &mut Attrs,
    from: &str,
    suffix: &str,
    name: &str,
    out: &mut Secondary,
    pair: impl Fn(Json) -> (Json, Json),
) {
    let items = a
        .resource
        .get(from)
        .and_then(Value::as_list)
        .unwrap_or_default();
    let mut taken = Vec::new();
    for item in items {
        let value = a.value(item);
        let block = unique_in(&mut taken, item_name(&format!("{name}_{suffix}"), &value));
        let (role, policy_arn) = pair(value);
        let mut body = Map::new();
        body.insert("role".into(), role);
        body.insert("policy_arn".into(), policy_arn);
        out.blocks
            .push(("aws_iam_role_policy_attachment", block, body));
    }
}

/// Lowers document property `from`, when set, to an `aws_iam_policy_document` data source named
/// `{name}_{from}`; returns the reference to its JSON. `skips` are checkov checks that do not apply to
/// this use of the document, with the reason.
pub(super) fn document(
    a: &mut Attrs,
    out: &mut Secondary,
    name: &str,
    from: &str,
    skips: &[(&str, &str)],
) -> Option<Json> {
    let document = a.resource.get(from)?;
    let statements = document
        .get("Statement")
        .and_then(Value::as_list)
        .unwrap_or_default();
    let statements: Vec<Json> = statements.iter().map(|s| statement(a, s)).collect();
    let mut body = Map::new();
    if !skips.is_empty() {
        body.insert("//".into(), checkov_skips(skips));
    }
    if let Some(version) = document.get("Version") {
        body.insert("version".into(), a.value(version));
    }
    body.insert("statement".into(), Json::Array(statements));
    let data_name = format!("{name}_{from}");
    let json = Json::String(format!(
        "${{data.aws_iam_policy_document.{data_name}.json}}"
    ));
    out.data.push(("aws_iam_policy_document", data_name, body));
    Some(json)
}

/// One statement of IAM's JSON shape as a `statement` block.
fn statement(a: &mut Attrs, statement: &Value) -> Json {
    let mut block = Map::new();
    for (from, to) in [
        ("Sid", "sid"),
        ("Effect", "effect"),
        ("Action", "actions"),
        ("Resource", "resources"),
    ] {
        if let Some(v) = statement.get(from) {
            block.insert(to.into(), a.value(v));
        }
    }
    match statement.get("Principal") {
        // Everyone: the data source renders this pair as `"Principal": "*"`.
        Some(Value::Str(_)) => {
            block.insert(
                "principals".into(),
                serde_json::json!([{ "type": "*", "identifiers": ["*"] }]),
            );
        }
        Some(Value::Map(groups)) => {
            let principals = groups
                .iter()
                .map(|(kind, members)| {
                    serde_json::json!({ "type": kind, "identifiers": a.value(members) })
                })
                .collect();
            block.insert("principals".into(), Json::Array(principals));
        }
        _ => {}
    }
    if let Some(Value::Map(operators)) = statement.get("Condition") {
        let mut conditions = Vec::new();
        for (operator, keys) in operators {
            for (key, values) in keys.as_map().unwrap_or_default() {
                conditions.push(serde_json::json!({
                    "test": operator,
                    "variable": key,
                    "values": a.value(values),
                }));
            }
        }
        block.insert("condition".into(), Json::Array(conditions));
    }
    Json::Object(block)
}
