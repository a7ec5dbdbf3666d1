//! A Terraform resource or data block against the provider schema's block.

use crate::cloudformation::closest;
use crate::{Path, Problem, Show};
use serde_json::{Map, Value as Json};
use std::cell::RefCell;
use std::rc::Rc;

/// Block arguments that Terraform itself defines for every resource or data source.
const META_ARGUMENTS: &[&str] = &[
    "//",
    "count",
    "for_each",
    "depends_on",
    "provider",
    "lifecycle",
    "provisioner",
    "connection",
];

/// Checks a resource or data source body against `block`, the provider schema's `block` object
/// (`attributes`, `block_types`). A problem with the value of a `sensitive` attribute, or of one named as
/// a secret, gives the value's shape only. `block` is `'static` (the vendored schemas are parsed once and kept):
/// what each block requires is then read from it once per thread, not once per body.
pub fn validate_block(block: &'static Json, body: &Map<String, Json>) -> Vec<Problem> {
    let mut problems = Vec::new();
    check_block(block, body, &Path::Root(""), &mut problems);
    problems
}

/// What a block requires, in schema order: its required attributes, then its blocks with `min_items`.
struct Required {
    attributes: Vec<&'static str>,
    blocks: Vec<&'static str>,
}

impl Required {
    fn of(block: &'static Json) -> Self {
        let attributes = block.get("attributes").and_then(Json::as_object);
        let blocks = block.get("block_types").and_then(Json::as_object);
        Required {
            attributes: attributes
                .into_iter()
                .flatten()
                .filter(|(_, a)| a.get("required") == Some(&Json::Bool(true)))
                .map(|(name, _)| name.as_str())
                .collect(),
            blocks: blocks
                .into_iter()
                .flatten()
                .filter(|(_, b)| b.get("min_items").and_then(Json::as_u64).unwrap_or(0) > 0)
                .map(|(name, _)| name.as_str())
                .collect(),
        }
    }
}

thread_local! {
    // Per thread, so that synthesis threads never wait on each other; keyed by the block's address,
    // which a `'static` value never gives up. foldhash: the keys are our own addresses, not input.
    static REQUIRED: RefCell<foldhash::HashMap<usize, Rc<Required>>> = RefCell::default();
}

fn required(block: &'static Json) -> Rc<Required> {
    REQUIRED.with(|cache| {
        cache
            .borrow_mut()
            .entry(block as *const Json as usize)
            .or_insert_with(|| Rc::new(Required::of(block)))
            .clone()
    })
}

fn check_block(
    block: &'static Json,
    body: &Map<String, Json>,
    path: &Path,
    problems: &mut Vec<Problem>,
) {
    let attributes = block.get("attributes").and_then(Json::as_object);
    let blocks = block.get("block_types").and_then(Json::as_object);
    let required = required(block);
    for name in &required.attributes {
        if !body.contains_key(*name) {
            problems.push(Problem {
                path: path.render(),
                message: format!("missing required attribute `{name}`"),
                on_value: false,
            });
        }
    }
    for name in &required.blocks {
        if !body.contains_key(*name) {
            problems.push(Problem {
                path: path.render(),
                message: format!("missing required block `{name}`"),
                on_value: false,
            });
        }
    }
    for (key, value) in body {
        let child = path.key(key);
        if path.is_root() && META_ARGUMENTS.contains(&key.as_str()) {
            continue;
        }
        if let Some(attribute) = attributes.and_then(|a| a.get(key)) {
            let settable = attribute.get("optional") == Some(&Json::Bool(true))
                || attribute.get("required") == Some(&Json::Bool(true));
            if !settable {
                problems.push(Problem {
                    path: child.render(),
                    message: format!("`{key}` is computed by the provider and cannot be set"),
                    on_value: false,
                });
                continue;
            }
            let sensitive = attribute.get("sensitive") == Some(&Json::Bool(true));
            if let Some(ty) = attribute.get("type") {
                check_type(ty, value, &child, sensitive, problems);
            } else if let Some(nested) = attribute.get("nested_type") {
                check_nested(nested, value, &child, sensitive, problems);
            }
            continue;
        }
        if let Some(nested) = blocks.and_then(|b| b.get(key)) {
            check_nested_block(nested, value, &child, problems);
            continue;
        }
        let known: Vec<&str> = attributes
            .into_iter()
            .flatten()
            .map(|(k, _)| k.as_str())
            .chain(blocks.into_iter().flatten().map(|(k, _)| k.as_str()))
            .collect();
        let hint = closest(key, &known)
            .map(|k| format!("; did you mean `{k}`?"))
            .unwrap_or_default();
        problems.push(Problem {
            path: child.render(),
            message: format!("unknown attribute or block `{key}`{hint}"),
            on_value: false,
        });
    }
}

/// A string holding a `${...}` interpolation: its value, and so its type, is known only at apply time.
fn is_template(value: &Json) -> bool {
    let Some(text) = value.as_str() else {
        return false;
    };
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(1))
        .any(|i| bytes[i] == b'$' && bytes[i + 1] == b'{' && (i == 0 || bytes[i - 1] != b'$'))
}

/// How a problem at `path` shows `value`: its shape only for a `sensitive` attribute's value or a
/// secret by its names.
fn shown(path: &Path, value: &Json, sensitive: bool) -> Show {
    let secret = sensitive
        || crate::named_secret(
            &path.segments(),
            Some(value),
            stackwright_schema::secrets::Style::Snake,
            &|_| false,
        );
    Show { secret }
}

fn check_type(ty: &Json, value: &Json, path: &Path, sensitive: bool, problems: &mut Vec<Problem>) {
    if is_template(value) {
        return;
    }
    let mut wrong = |expected: &str| {
        problems.push(Problem {
            path: path.render(),
            message: format!(
                "expected {expected}, found {}",
                shown(path, value, sensitive).value(value)
            ),
            on_value: false,
        })
    };
    match ty {
        Json::String(primitive) => match (primitive.as_str(), value) {
            ("string", Json::String(_) | Json::Number(_) | Json::Bool(_)) => {}
            ("number", Json::Number(_)) => {}
            ("number", Json::String(s)) if s.parse::<f64>().is_ok() => {}
            ("bool", Json::Bool(_)) => {}
            ("bool", Json::String(s)) if s == "true" || s == "false" => {}
            ("dynamic", _) => {}
            (expected, _) => wrong(expected),
        },
        Json::Array(parts) => match (parts.first().and_then(Json::as_str), parts.get(1)) {
            (Some("list" | "set"), Some(element)) => match value {
                Json::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        check_type(element, item, &path.index(i), sensitive, problems);
                    }
                }
                _ => wrong("a list"),
            },
            (Some("map"), Some(element)) => match value {
                Json::Object(entries) => {
                    for (k, v) in entries {
                        check_type(element, v, &path.key(k), sensitive, problems);
                    }
                }
                _ => wrong("a map"),
            },
            (Some("object"), Some(Json::Object(fields))) => match value {
                Json::Object(entries) => {
                    for (k, v) in entries {
                        match fields.get(k) {
                            Some(field) => check_type(field, v, &path.key(k), sensitive, problems),
                            None => problems.push(Problem {
                                path: path.key(k).render(),
                                message: format!("unknown field `{k}`"),
                                on_value: false,
                            }),
                        }
                    }
                }
                _ => wrong("an object"),
            },
            _ => {}
        },
        _ => {}
    }
}

/// Framework-style attributes with nested attributes (`nested_type`).
fn check_nested(
    nested: &'static Json,
    value: &Json,
    path: &Path,
    sensitive: bool,
    problems: &mut Vec<Problem>,
) {
    if is_template(value) {
        return;
    }
    // A nested type reads like a block with attributes only, but it is an attribute: its value has the
    // nesting's shape (an object for `single`, a list of objects for `list` and `set`), where a block's
    // JSON may be one object or a list of them.
    let mode = nested.get("nesting_mode").and_then(Json::as_str);
    let expected = match (mode, value) {
        (Some("single"), v) if !v.is_object() => Some("an object"),
        (Some("list" | "set"), v) if !v.is_array() => Some("a list of objects"),
        (Some("map"), v) if !v.is_object() => Some("a map of objects"),
        _ => None,
    };
    if let Some(expected) = expected {
        problems.push(Problem {
            path: path.render(),
            message: format!(
                "expected {expected}, found {}",
                shown(path, value, sensitive).value(value)
            ),
            on_value: false,
        });
        return;
    }
    for_each_instance(mode, nested, value, path, problems);
}

fn check_nested_block(
    nested: &'static Json,
    value: &Json,
    path: &Path,
    problems: &mut Vec<Problem>,
) {
    let mode = nested.get("nesting_mode").and_then(Json::as_str);
    let count = match value {
        Json::Array(items) => items.len() as u64,
        _ => 1,
    };
    if let Some(max) = nested
        .get("max_items")
        .and_then(Json::as_u64)
        .filter(|m| *m > 0)
    {
        if count > max {
            problems.push(Problem {
                path: path.render(),
                message: format!("has {count} blocks; expected at most {max}"),
                on_value: false,
            });
        }
    }
    static NO_BLOCK: Json = Json::Null;
    let block = nested.get("block").unwrap_or(&NO_BLOCK);
    for_each_instance(mode, block, value, path, problems);
}

/// A block or nested attribute in JSON is one object or a list of objects (a map of objects for `map`).
fn for_each_instance(
    mode: Option<&str>,
    block: &'static Json,
    value: &Json,
    path: &Path,
    problems: &mut Vec<Problem>,
) {
    let check = |body: &Map<String, Json>, at: &Path, problems: &mut Vec<Problem>| {
        check_block(block, body, at, problems)
    };
    match (mode, value) {
        (Some("map"), Json::Object(entries)) => {
            for (k, v) in entries {
                match v.as_object() {
                    Some(body) => check(body, &path.key(k), problems),
                    None => problems.push(Problem {
                        path: path.key(k).render(),
                        message: format!(
                            "expected an object, found {}",
                            shown(&path.key(k), v, false).value(v)
                        ),
                        on_value: false,
                    }),
                }
            }
        }
        (_, Json::Object(body)) => check(body, path, problems),
        (_, Json::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                match item.as_object() {
                    Some(body) => check(body, &path.index(i), problems),
                    None => problems.push(Problem {
                        path: path.index(i).render(),
                        message: format!(
                            "expected an object, found {}",
                            shown(&path.index(i), item, false).value(item)
                        ),
                        on_value: false,
                    }),
                }
            }
        }
        _ => problems.push(Problem {
            path: path.render(),
            message: format!(
                "expected a block (an object), found {}",
                shown(path, value, false).value(value)
            ),
            on_value: false,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // A trimmed copy of the provider schema of aws_instance.
    fn block() -> Json {
        json!({
            "attributes": {
                "ami": {"type": "string", "optional": true, "computed": true},
                "instance_type": {"type": "string", "optional": true},
                "arn": {"type": "string", "computed": true},
                "monitoring": {"type": "bool", "optional": true},
                "vpc_security_group_ids": {"type": ["set", "string"], "optional": true},
                "tags": {"type": ["map", "string"], "optional": true},
                "name": {"type": "string", "required": true}
            },
            "block_types": {
                "metadata_options": {"nesting_mode": "list", "max_items": 1, "block": {
                    "attributes": {"http_tokens": {"type": "string", "optional": true},
                                   "http_put_response_hop_limit": {"type": "number", "optional": true}}}}
            }
        })
    }

    fn check(body: Json, expected: &[&str]) {
        // `validate_block` takes a `'static` schema, as the vendored ones are.
        let block: &'static Json = Box::leak(Box::new(block()));
        let found: Vec<String> = validate_block(block, body.as_object().unwrap())
            .into_iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect();
        assert_eq!(found, expected);
    }

    /// Nested attributes (framework providers such as awscc) are attributes: their value has the
    /// nesting's shape, where a block's JSON may be one object or a list of them.
    #[test]
    fn nested_attributes_take_their_nesting_s_shape() {
        let block: &'static Json = Box::leak(Box::new(json!({"attributes": {
            "config": {"optional": true, "nested_type": {"nesting_mode": "single",
                "attributes": {"mode": {"type": "string", "optional": true}}}},
            "rules": {"optional": true, "nested_type": {"nesting_mode": "list",
                "attributes": {"name": {"type": "string", "required": true}}}}
        }})));
        let found = |body: Json| -> Vec<String> {
            validate_block(block, body.as_object().unwrap())
                .into_iter()
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect()
        };
        assert_eq!(
            found(json!({"config": {"mode": "a"}, "rules": [{"name": "r"}]})),
            Vec::<String>::new()
        );
        assert_eq!(
            found(json!({"config": [{"mode": "a"}], "rules": {"name": "r"}})),
            [
                "config: expected an object, found [{\"mode\":\"a\"}]",
                "rules: expected a list of objects, found {\"name\":\"r\"}"
            ]
        );
        assert_eq!(
            found(json!({"config": "a", "rules": "${var.rules}"})),
            ["config: expected an object, found \"a\""]
        );
        assert_eq!(
            found(json!({"config": {"mdoe": "a"}, "rules": [{}]})),
            [
                "config.mdoe: unknown attribute or block `mdoe`; did you mean `mode`?",
                "rules.0: missing required attribute `name`"
            ]
        );
    }

    /// A problem with a `sensitive` attribute's value, or one named as a secret, gives its shape.
    #[test]
    fn secrets_are_described_by_their_shape() {
        let block: &'static Json = Box::leak(Box::new(json!({"attributes": {
            "value": {"type": "number", "optional": true, "sensitive": true},
            "api_key": {"type": "bool", "optional": true},
            "environment": {"type": ["map", "bool"], "optional": true},
            "other": {"type": "number", "optional": true}
        }})));
        let found: Vec<String> = validate_block(
            block,
            json!({"value": "s3cr3t-value", "api_key": "k3y-value", "environment": {"DB_PASSWORD": "pw-value"},
                   "other": "plain"})
            .as_object()
            .unwrap(),
        )
        .into_iter()
        .map(|p| format!("{}: {}", p.path, p.message))
        .collect();
        assert_eq!(
            found,
            [
                "value: expected number, found a string of 12 characters",
                "api_key: expected bool, found a string of 9 characters",
                "environment.DB_PASSWORD: expected bool, found a string of 8 characters",
                "other: expected number, found \"plain\"",
            ]
        );
    }

    #[test]
    fn accepts_valid_bodies_templates_and_meta_arguments() {
        check(
            json!({"name": "x", "ami": "${data.aws_ssm_parameter.ami.insecure_value}", "monitoring": "${var.on}",
                     "metadata_options": {"http_tokens": "required"}, "depends_on": ["aws_vpc.main"],
                     "lifecycle": {"prevent_destroy": true}, "tags": {"a": "b"}}),
            &[],
        );
    }

    #[test]
    fn reports_unknown_computed_missing_and_mistyped() {
        check(json!({"instance_typ": "t3.micro", "arn": "x", "monitoring": "yes",
                     "vpc_security_group_ids": "sg-1", "metadata_options": [{"http_tokens": "required"}, {}],
                     "tags": {"a": ["b"]}}), &[
            ": missing required attribute `name`",
            "instance_typ: unknown attribute or block `instance_typ`; did you mean `instance_type`?",
            "arn: `arn` is computed by the provider and cannot be set",
            "monitoring: expected bool, found \"yes\"",
            "vpc_security_group_ids: expected a list, found \"sg-1\"",
            "metadata_options: has 2 blocks; expected at most 1",
            "tags.a: expected string, found [\"b\"]",
        ]);
        check(
            json!({"name": "$${literal}", "metadata_options": {"http_hops": 1}}),
            &["metadata_options.http_hops: unknown attribute or block `http_hops`"],
        );
    }
}
