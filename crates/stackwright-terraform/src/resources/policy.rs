//! IAM policy documents of constructs (`construct::Entry::PolicyDocument`): each becomes an `aws_iam_policy_document` data source whose `json` the resource reads, so
//! references stay live, Terraform does the JSON quoting, and checkov inspects the statements (it cannot
//! see into a `jsonencode(...)` string).

use super::{checkov_skips, Attrs, Secondary};
use serde_json::{Map, Value as Json};
use stackwright_core::Value;

/// Lowers `document` to an `aws_iam_policy_document` data source named `data_name`, whose body skips
/// checkov checks `skips` (id, reason); returns the reference to its JSON.
pub(super) fn data_source(
    a: &mut Attrs,
    out: &mut Secondary,
    data_name: String,
    document: &Value,
    skips: &[(&str, &str)],
) -> Json {
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
    let json = Json::String(format!(
        "${{data.aws_iam_policy_document.{data_name}.json}}"
    ));
    out.data.push(("aws_iam_policy_document", data_name, body));
    json
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
