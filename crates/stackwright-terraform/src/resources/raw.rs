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

/// The Terraform attribute a raw resource's attribute reference reads: the name declared with
/// `.terraform_attribute(..)`, else the snake case of the CloudFormation name (`TopicArn` -> `topic_arn`).
/// When the type is in the vendored provider schema the name must be one of its attributes: a wrong
/// guess is an error naming the closest attribute, rather than a module `terraform validate` rejects.
pub(super) fn attribute(resource: &Resource, name: &str) -> Result<String, String> {
    if name == "id" {
        return Ok("id".into());
    }
    let declared = resource
        .get(props::TERRAFORM_ATTRIBUTE_NAMES)
        .and_then(|names| names.get(name))
        .and_then(Value::as_expr)
        .and_then(|e| e.as_literal());
    let terraform = declared
        .map(str::to_owned)
        .unwrap_or_else(|| snake_case(name));
    let Some((type_name, data)) = block_type(resource) else {
        return Ok(terraform);
    };
    let schema = if data {
        stackwright_schema::terraform::data_source(&type_name)
    } else {
        stackwright_schema::terraform::resource_type(&type_name)
    };
    let Some(schema) = schema else {
        return Ok(terraform);
    };
    let path: Vec<&str> = terraform.split('.').collect();
    if schema.attribute(&path).is_some() {
        return Ok(terraform);
    }
    let candidates: Vec<&str> = schema
        .block()
        .get("attributes")
        .and_then(|a| a.as_object())
        .map(|a| a.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let hint = closest(&terraform, &candidates)
        .map(|c| {
            format!(
                "; did you mean `{c}`? Declare it with `.terraform_attribute(\"{name}\", \"{c}\")`"
            )
        })
        .unwrap_or_default();
    Err(format!(
        "attribute `{name}` of raw resource `{}` reads `{terraform}` in Terraform, which `{type_name}` does not have \
         (hashicorp/aws 5.100.0 schema){hint}",
        resource.id
    ))
}

/// The candidate a mistaken name most likely meant: one it ends with (`topic_arn` -> `arn`), else the
/// nearest by edit distance (at most a third of the name).
fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if let Some(suffix) = candidates
        .iter()
        .filter(|c| name.ends_with(&format!("_{c}")))
        .max_by_key(|c| c.len())
    {
        return Some(suffix);
    }
    candidates
        .iter()
        .map(|c| (distance(name, c), *c))
        .filter(|(d, _)| *d <= name.len().max(3) / 3)
        .min()
        .map(|(_, c)| c)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = here;
        }
    }
    row[b.len()]
}

/// Copies the raw attributes into `a`, then the resource's own tags (`tags`: the generated hashicorp/aws
/// builders' `tag(..)`; the environment's come through the provider's `default_tags`).
pub(super) fn lower(a: &mut Attrs) -> bool {
    let resource = a.resource;
    let attributes = resource
        .get(props::TERRAFORM_ATTRIBUTES)
        .and_then(Value::as_map)
        .unwrap_or_default();
    // An attribute whose value is `Expr::no_value()` is left out.
    for (key, value) in attributes.iter().filter(|(_, v)| !v.is_no_value()) {
        let lowered = a.value(value);
        a.out.insert(key.clone(), lowered);
    }
    a.tags();
    true
}
