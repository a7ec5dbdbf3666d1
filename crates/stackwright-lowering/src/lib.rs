//! What both targets need when lowering to JSON and that is not specific to either: neutral values as
//! JSON, overrides applied by path, the refusal of literal secrets ([`secrets`]), the internet-gateway
//! ordering ([`ordering`]) and the check of availability zones against the region ([`zones`]).
//!
//! Architecture invariant: pure functions over `serde_json` values; nothing about one target's syntax.

pub mod availability;
pub mod ordering;
pub mod parity;
pub mod secrets;
pub mod zones;

use serde_json::{Map, Value as Json};
use stackwright_core::{Diagnostic, Expr, Links, Override, Resource, Target, Value};

/// What a target makes of a property whose value is [`Expr::no_value`]: the JSON that removes it
/// (CloudFormation's `{"Ref": "AWS::NoValue"}`), or `None` to leave the key out (Terraform).
pub type NoValue<'a> = Option<&'a Json>;

/// Lowers a neutral value to JSON; `string` is the target's lowering of strings, which may hold
/// references. Map keys are copied as they are: for targets that read keys literally (CloudFormation).
/// A map entry whose value is [`Expr::no_value`] becomes `no_value` (left out when `None`); anywhere else
/// `no_value` reaches `string`, which refuses it.
pub fn lower_value(
    value: &Value,
    no_value: NoValue,
    string: &mut dyn FnMut(&Expr) -> Json,
) -> Json {
    lower_value_keyed(value, &|k| k.to_owned(), no_value, string)
}

/// [`lower_value`] for targets that read map keys as text with a syntax of their own (Terraform reads
/// `${` in a key as an interpolation): `key` spells each key of every map.
pub fn lower_value_keyed(
    value: &Value,
    key: &dyn Fn(&str) -> String,
    no_value: NoValue,
    string: &mut dyn FnMut(&Expr) -> Json,
) -> Json {
    match value {
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Str(e) => string(e),
        Value::List(items) => Json::Array(
            items
                .iter()
                .map(|v| lower_value_keyed(v, key, no_value, string))
                .collect(),
        ),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .filter_map(|(k, v)| {
                    let lowered = match (v.is_no_value(), no_value) {
                        (true, Some(absent)) => absent.clone(),
                        (true, None) => return None,
                        (false, _) => lower_value_keyed(v, key, no_value, string),
                    };
                    Some((key(k), lowered))
                })
                .collect(),
        ),
    }
}

/// Applies a resource's overrides for `target` to its lowered JSON, in declaration order. `lower` turns
/// an override's neutral value into the target's JSON (so references stay live); an override to
/// [`Expr::no_value`] sets `no_value`, or removes the property when that is `None`.
pub fn apply_overrides(
    target: Target,
    resource: &Resource,
    lowered: &mut Json,
    no_value: NoValue,
    lower: &mut dyn FnMut(&Value) -> Json,
    problems: &mut Vec<Diagnostic>,
) {
    for o in resource.overrides.iter().filter(|o| o.target == target) {
        // An override to `no_value` sets the property to the target's absence (or removes it: where the
        // builder did not set it, it is absent already, which is what was asked).
        let applied = match &o.value {
            Some(v) if v.is_no_value() => match no_value {
                Some(absence) => apply(lowered, &o.path, Some(absence.clone())),
                None if !exists(lowered, &o.path) => Ok(()),
                None => apply(lowered, &o.path, None),
            },
            other => {
                let value = other.as_ref().map(&mut *lower);
                apply(lowered, &o.path, value)
            }
        };
        if let Err(why) = applied {
            problems.push(located(resource, o, why));
        }
    }
}

/// Whether `path` names a value inside `root` (object keys, list indexes).
fn exists(root: &Json, path: &[String]) -> bool {
    let mut node = root;
    for segment in path {
        node = match node {
            Json::Object(map) => match map.get(segment) {
                Some(next) => next,
                None => return false,
            },
            Json::Array(items) => match segment.parse::<usize>().ok().and_then(|i| items.get(i)) {
                Some(next) => next,
                None => return false,
            },
            _ => return false,
        };
    }
    true
}

fn located(resource: &Resource, o: &Override, why: String) -> Diagnostic {
    Diagnostic::new(format!(
        "cannot apply {} override `{}`: {why}",
        o.target.name(),
        o.path.join(".")
    ))
    .for_resource(&resource.id)
    .at(o.location)
}

/// Sets (or with `None` removes) the value at `path`; objects along the way are created, array elements
/// are addressed by index.
pub fn apply(root: &mut Json, path: &[String], value: Option<Json>) -> Result<(), String> {
    let Some((last, parents)) = path.split_last() else {
        return Err("expected a non-empty path".into());
    };
    if path.iter().any(String::is_empty) {
        return Err("expected path segments separated by single dots".into());
    }
    let mut node = root;
    for (depth, segment) in parents.iter().enumerate() {
        let here = path[..=depth].join(".");
        node = match node {
            Json::Object(map) => {
                if value.is_none() && !map.contains_key(segment) {
                    return Err(format!("`{here}` does not exist"));
                }
                map.entry(segment.clone())
                    .or_insert_with(|| Json::Object(Map::new()))
            }
            Json::Array(items) => index(items, segment, &here)?,
            _ => {
                return Err(format!(
                    "`{here}` is inside a value that is neither an object nor a list"
                ))
            }
        };
    }
    match (node, value) {
        (Json::Object(map), Some(value)) => {
            map.insert(last.clone(), value);
        }
        (Json::Object(map), None) => {
            map.shift_remove(last)
                .ok_or_else(|| format!("`{}` does not exist", path.join(".")))?;
        }
        (Json::Array(items), Some(value)) => *index(items, last, &path.join("."))? = value,
        (Json::Array(items), None) => {
            let at = position(items, last, &path.join("."))?;
            items.remove(at);
        }
        _ => {
            return Err(format!(
                "the parent of `{}` is neither an object nor a list",
                path.join(".")
            ))
        }
    }
    Ok(())
}

fn position(items: &[Json], segment: &str, here: &str) -> Result<usize, String> {
    segment
        .parse::<usize>()
        .ok()
        .filter(|i| *i < items.len())
        .ok_or_else(|| {
            format!(
                "`{here}`: expected an index below {} into the list",
                items.len()
            )
        })
}

fn index<'a>(items: &'a mut [Json], segment: &str, here: &str) -> Result<&'a mut Json, String> {
    let at = position(items, segment, here)?;
    Ok(&mut items[at])
}

/// The findings the user accepted for `resource` that are checkov checks, which the artifacts carry as
/// documented skips; accepted target parity warnings (`stackwright_aws::findings::PARITY`) only silence
/// synth's and `plan`'s warning (see [`parity`]).
pub fn checkov_findings(resource: &Resource) -> Vec<(String, String)> {
    resource
        .accepted_findings
        .iter()
        .filter(|(id, _)| stackwright_aws::findings::is_checkov(id))
        .cloned()
        .collect()
}

/// The stacks that read the resource at `index` of this stack (through its exports), each once, in order
/// of first import: checkov, reading one template or module at a time, cannot see those uses.
pub fn read_by(links: &Links, index: usize) -> Vec<&str> {
    let mut stacks: Vec<&str> = Vec::new();
    let exports = links.exports.iter();
    for export in exports.filter(|e| e.resource.index as usize == index) {
        for consumer in &export.consumers {
            if !stacks.contains(&consumer.as_str()) {
                stacks.push(consumer);
            }
        }
    }
    stacks
}

/// A resource's merged tags as a list of objects (`[{key: name, value: tag, ..extra}]`), as construct
/// forms spell them in both targets; `None` when there are no tags. The caller has lowered each name,
/// tag and extra field in its target.
pub fn tag_list(
    tags: impl IntoIterator<Item = (Json, Json)>,
    key: &str,
    value: &str,
    extra: &[(String, Json)],
) -> Option<Json> {
    let list: Vec<Json> = tags
        .into_iter()
        .map(|(name, tag)| {
            let mut object = Map::new();
            object.insert(key.to_owned(), name);
            object.insert(value.to_owned(), tag);
            object.extend(extra.iter().cloned());
            Json::Object(object)
        })
        .collect();
    (!list.is_empty()).then_some(Json::Array(list))
}

#[cfg(test)]
mod tests {
    use super::apply;
    use serde_json::json;

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(str::to_owned).collect()
    }

    #[test]
    fn sets_creates_indexes_and_removes() {
        let mut doc = json!({"Properties": {"Tags": [{"Key": "a"}]}});
        apply(&mut doc, &path("Properties.Metadata.Hop"), Some(json!(2))).unwrap();
        apply(&mut doc, &path("Properties.Tags.0.Key"), Some(json!("b"))).unwrap();
        assert_eq!(
            doc,
            json!({"Properties": {"Tags": [{"Key": "b"}], "Metadata": {"Hop": 2}}})
        );
        apply(&mut doc, &path("Properties.Metadata"), None).unwrap();
        assert_eq!(doc, json!({"Properties": {"Tags": [{"Key": "b"}]}}));
        assert!(apply(&mut doc, &path("Properties.Tags.5.Key"), Some(json!(1))).is_err());
        assert!(apply(&mut doc, &path("Properties.Missing"), None).is_err());
        assert!(apply(&mut doc, &path("Properties..X"), Some(json!(1))).is_err());
        assert!(apply(
            &mut doc,
            &path("Properties.Tags.0.Key.Deeper"),
            Some(json!(1))
        )
        .is_err());
    }
}
