//! A CloudFormation resource's `Properties` against its registry schema.

use crate::{patterns, Path, Problem, Show};
use serde_json::{Map, Value as Json};

/// Checks `properties` (the resource's `Properties` object) against `schema`, a registry resource schema
/// with `properties`, `definitions`, `required`, `readOnlyProperties` and `writeOnlyProperties` (whose
/// values, like those named as secrets, problems describe by their shape only).
///
/// Cheap when nothing is wrong: one pass over each schema node's keywords, no allocation (paths and
/// messages are built only for a problem; `oneOf`/`anyOf` branches are tried without building any).
pub fn validate_properties(schema: &Json, properties: &Json) -> Vec<Problem> {
    let mut checker = Checker {
        root: schema,
        properties,
        problems: Vec::new(),
        probe: false,
        failed: false,
    };
    let root = Path::Root("Properties");
    let Some(given) = properties.as_object() else {
        checker.report(&root, |show| {
            format!("expected an object, found {}", show.value(properties))
        });
        return checker.problems;
    };
    let read_only = schema["readOnlyProperties"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for key in given.keys() {
        let listed = read_only
            .iter()
            .filter_map(Json::as_str)
            .any(|p| p.strip_prefix("/properties/") == Some(key.as_str()));
        if listed {
            checker.report(&root.key(key), |_| {
                "is read-only: CloudFormation sets it, a template cannot".into()
            });
        }
    }
    // The resource schema is the schema of the `Properties` object; registry schemas forbid unknown
    // properties at the top level even where they omit `additionalProperties`.
    let keywords = Keywords::of(schema);
    checker.object_with(&keywords, given, &root, true);
    checker.combinators(&keywords, properties, &root);
    checker.problems
}

struct Checker<'s> {
    root: &'s Json,
    /// The resource's properties, where a problem's value is looked up to tell whether it is a secret.
    properties: &'s Json,
    problems: Vec<Problem>,
    /// Only whether anything is wrong matters (a `oneOf`/`anyOf` branch being tried): no problem is
    /// built, `failed` is set.
    probe: bool,
    failed: bool,
}

/// The keywords of one schema node this validator reads, found in one pass over its keys (instead of a
/// hashed lookup per keyword and value).
#[derive(Default)]
struct Keywords<'s> {
    reference: Option<&'s str>,
    type_: Option<&'s Json>,
    enumeration: Option<&'s Vec<Json>>,
    one_of: Option<&'s Vec<Json>>,
    any_of: Option<&'s Vec<Json>>,
    all_of: Option<&'s Vec<Json>>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    pattern: Option<&'s str>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    items: Option<&'s Json>,
    properties: Option<&'s Map<String, Json>>,
    required: Option<&'s Vec<Json>>,
    pattern_properties: Option<&'s Map<String, Json>>,
    additional_properties: Option<bool>,
}

impl<'s> Keywords<'s> {
    fn of(schema: &'s Json) -> Self {
        let mut k = Keywords::default();
        let Some(map) = schema.as_object() else {
            return k;
        };
        for (key, value) in map {
            match key.as_str() {
                "$ref" => k.reference = value.as_str(),
                "type" => k.type_ = Some(value),
                "enum" => k.enumeration = value.as_array(),
                "oneOf" => k.one_of = value.as_array(),
                "anyOf" => k.any_of = value.as_array(),
                "allOf" => k.all_of = value.as_array(),
                "minLength" => k.min_length = value.as_u64(),
                "maxLength" => k.max_length = value.as_u64(),
                "pattern" => k.pattern = value.as_str(),
                "minimum" => k.minimum = value.as_f64(),
                "maximum" => k.maximum = value.as_f64(),
                "minItems" => k.min_items = value.as_u64(),
                "maxItems" => k.max_items = value.as_u64(),
                "items" => k.items = Some(value),
                "properties" => k.properties = value.as_object(),
                "required" => k.required = value.as_array(),
                "patternProperties" => k.pattern_properties = value.as_object(),
                "additionalProperties" => k.additional_properties = value.as_bool(),
                _ => {}
            }
        }
        k
    }
}

/// CloudFormation intrinsic functions and `Ref`: values known only at deploy time.
fn is_intrinsic(value: &Json) -> bool {
    value
        .as_object()
        .is_some_and(|o| o.len() == 1 && o.keys().all(|k| k == "Ref" || k.starts_with("Fn::")))
}

/// `root` at a JSON pointer given without its leading `/` (`definitions/Tag`), like
/// [`Json::pointer`] but without allocating for tokens that need no unescaping.
fn pointer<'a>(root: &'a Json, pointer: &str) -> Option<&'a Json> {
    pointer.split('/').try_fold(root, |node, token| {
        if token.contains('~') {
            step(node, &token.replace("~1", "/").replace("~0", "~"))
        } else {
            step(node, token)
        }
    })
}

fn step<'a>(node: &'a Json, token: &str) -> Option<&'a Json> {
    match node {
        Json::Object(map) => map.get(token),
        Json::Array(items) => {
            // RFC 6901 array indices: digits without a leading zero (or `0` itself).
            let canonical = !token.is_empty()
                && token.bytes().all(|b| b.is_ascii_digit())
                && (token == "0" || !token.starts_with('0'));
            items.get(token.parse::<usize>().ok().filter(|_| canonical)?)
        }
        _ => None,
    }
}

/// Whether `value` has JSON type `t`, accepting what CloudFormation itself coerces (numbers and
/// booleans given as strings).
fn has_type(t: &str, value: &Json) -> bool {
    match (t, value) {
        ("string", Json::String(_)) | ("boolean", Json::Bool(_)) | ("array", Json::Array(_)) => {
            true
        }
        ("object", Json::Object(_)) | ("null", Json::Null) => true,
        ("number", Json::Number(_)) => true,
        ("integer", Json::Number(n)) => n.is_i64() || n.is_u64(),
        ("integer", Json::String(s)) => s.parse::<i64>().is_ok(),
        ("number", Json::String(s)) => s.parse::<f64>().is_ok(),
        ("boolean", Json::String(s)) => s == "true" || s == "false",
        // A string schema accepts a number: CloudFormation passes it on as its text.
        ("string", Json::Number(_)) => true,
        _ => false,
    }
}

impl<'s> Checker<'s> {
    /// Records a problem at `path`, whose message shows the value as [`Show`] says; in a probe, only that
    /// there is one.
    fn report(&mut self, path: &Path, message: impl FnOnce(Show) -> String) {
        if self.probe {
            self.failed = true;
            return;
        }
        let secret = self.is_secret(&path.segments());
        self.problems.push(Problem {
            path: path.render(),
            message: message(Show { secret }),
            on_value: false,
        });
    }

    /// [`report`](Self::report)s a value that breaks a constraint on it (allowed values, length,
    /// pattern, range, item count), as opposed to the document's shape.
    fn report_value(&mut self, path: &Path, message: impl FnOnce(Show) -> String) {
        let before = self.problems.len();
        self.report(path, message);
        if let Some(problem) = self.problems.get_mut(before) {
            problem.on_value = true;
        }
    }

    /// Whether the value at `segments` of the properties is a secret or holds one: a write-only property
    /// (or an object above one), the value of a `{Name, Value}` pair named as a secret, or a secret by
    /// its names (see [`crate::named_secret`]).
    fn is_secret(&self, segments: &[String]) -> bool {
        let write_only = self.root["writeOnlyProperties"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .filter_map(|p| p.strip_prefix("/properties/"));
        for pointer in write_only {
            let covers = pointer
                .split('/')
                .zip(segments)
                .all(|(p, s)| p == s || (p == "*" && s.bytes().all(|b| b.is_ascii_digit())));
            if covers {
                return true;
            }
        }
        let value = segments
            .iter()
            .try_fold(self.properties, |node, s| match node {
                Json::Object(map) => map.get(s),
                Json::Array(items) => items.get(s.parse::<usize>().ok()?),
                _ => None,
            });
        if let Some((last, parent)) = segments.split_last() {
            let parent = parent
                .iter()
                .try_fold(self.properties, |node, s| match node {
                    Json::Object(map) => map.get(s),
                    Json::Array(items) => items.get(s.parse::<usize>().ok()?),
                    _ => None,
                });
            let pair = parent.filter(|p| p.is_object()).and_then(|p| {
                stackwright_schema::secrets::pair_secret(
                    stackwright_schema::secrets::JsonTree::plain(p),
                )
            });
            if pair.is_some() && stackwright_schema::secrets::PAIR_VALUES.contains(&last.as_str()) {
                return true;
            }
        }
        crate::named_secret(
            segments,
            value,
            stackwright_schema::secrets::Style::Pascal,
            &is_intrinsic,
        )
    }

    /// Follows `$ref: #/definitions/Name` chains.
    fn resolve(&self, schema: &'s Json) -> Keywords<'s> {
        let mut keywords = Keywords::of(schema);
        for _ in 0..16 {
            let Some(target) = keywords
                .reference
                .and_then(|r| r.strip_prefix("#/"))
                .and_then(|p| pointer(self.root, p))
            else {
                break;
            };
            keywords = Keywords::of(target);
        }
        keywords
    }

    fn value(&mut self, schema: &'s Json, value: &Json, path: &Path) {
        let schema = self.resolve(schema);
        if is_intrinsic(value) {
            return;
        }
        self.combinators(&schema, value, path);
        if !self.type_fits(&schema, value, path) {
            return;
        }
        if let Some(allowed) = schema.enumeration {
            if !allowed.iter().any(|a| loosely_equal(a, value)) {
                self.report_value(path, |show| {
                    let list: Vec<String> = allowed.iter().map(crate::show).collect();
                    format!("{} is not one of {}", show.value(value), list.join(", "))
                });
            }
        }
        match value {
            Json::String(text) => self.string(&schema, text, path),
            Json::Number(n) => self.number(&schema, n.as_f64().unwrap_or(0.0), path),
            Json::Array(items) => self.array(&schema, items, path),
            Json::Object(map) => self.object_with(&schema, map, path, false),
            Json::Bool(_) | Json::Null => {}
        }
    }

    /// `oneOf`/`anyOf` (any branch may accept) and `allOf` (every part must).
    fn combinators(&mut self, schema: &Keywords<'s>, value: &Json, path: &Path) {
        if let Some(branches) = schema.one_of.or(schema.any_of) {
            // Accept when any branch accepts: stricter oneOf semantics would reject valid templates
            // whose branches overlap.
            let fits = branches.iter().any(|b| {
                let mut trial = Checker {
                    root: self.root,
                    properties: self.properties,
                    problems: Vec::new(),
                    probe: true,
                    failed: false,
                };
                trial.value(b, value, path);
                !trial.failed
            });
            if !fits {
                self.report(path, |show| {
                    format!(
                        "{} does not match any of the allowed shapes",
                        show.value(value)
                    )
                });
            }
        }
        for part in schema.all_of.into_iter().flatten() {
            self.value(part, value, path);
        }
    }

    /// Checks the JSON type (see [`has_type`]). Returns false when the value is of the wrong type
    /// (reported).
    fn type_fits(&mut self, schema: &Keywords<'s>, value: &Json, path: &Path) -> bool {
        let fits = match schema.type_ {
            Some(Json::String(t)) => has_type(t, value),
            Some(Json::Array(ts)) => ts
                .iter()
                .filter_map(Json::as_str)
                .any(|t| has_type(t, value)),
            _ => return true,
        };
        if !fits {
            self.report(path, |show| {
                let types: Vec<&str> = match schema.type_ {
                    Some(Json::String(t)) => vec![t.as_str()],
                    Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
                    _ => Vec::new(),
                };
                format!(
                    "expected {}, found {}",
                    types.join(" or "),
                    show.value(value)
                )
            });
        }
        fits
    }

    fn string(&mut self, schema: &Keywords<'s>, text: &str, path: &Path) {
        if schema.min_length.is_some() || schema.max_length.is_some() {
            let length = text.chars().count() as u64;
            if let Some(min) = schema.min_length.filter(|&min| length < min) {
                self.report_value(path, |show| {
                    if show.secret {
                        format!("{}, expected at least {min}", show.text(text))
                    } else {
                        format!("`{text}` is {length} characters long; expected at least {min}")
                    }
                });
            }
            if let Some(max) = schema.max_length.filter(|&max| length > max) {
                self.report_value(path, |show| {
                    if show.secret {
                        format!("{}, expected at most {max}", show.text(text))
                    } else {
                        format!(
                            "{} is {length} characters long; expected at most {max}",
                            crate::show(&Json::String(text.to_owned()))
                        )
                    }
                });
            }
        }
        if let Some(pattern) = schema.pattern {
            if patterns::matches(pattern, text) == Some(false) {
                self.report_value(path, |show| {
                    format!("{} does not match the pattern `{pattern}`", show.text(text))
                });
            }
        }
    }

    fn number(&mut self, schema: &Keywords<'s>, n: f64, path: &Path) {
        if let Some(min) = schema.minimum.filter(|&min| n < min) {
            self.report_value(path, |show| {
                let n = if show.secret {
                    "a number".into()
                } else {
                    n.to_string()
                };
                format!("{n} is below the minimum {min}")
            });
        }
        if let Some(max) = schema.maximum.filter(|&max| n > max) {
            self.report_value(path, |show| {
                let n = if show.secret {
                    "a number".into()
                } else {
                    n.to_string()
                };
                format!("{n} is above the maximum {max}")
            });
        }
    }

    fn array(&mut self, schema: &Keywords<'s>, items: &[Json], path: &Path) {
        let count = items.len() as u64;
        if let Some(min) = schema.min_items.filter(|&min| count < min) {
            self.report_value(path, |_| {
                format!("has {count} items; expected at least {min}")
            });
        }
        if let Some(max) = schema.max_items.filter(|&max| count > max) {
            self.report_value(path, |_| {
                format!("has {count} items; expected at most {max}")
            });
        }
        if let Some(item_schema) = schema.items {
            for (i, item) in items.iter().enumerate() {
                self.value(item_schema, item, &path.index(i));
            }
        }
    }

    fn object_with(
        &mut self,
        schema: &Keywords<'s>,
        map: &Map<String, Json>,
        path: &Path,
        closed_by_default: bool,
    ) {
        let declared = schema.properties;
        for required in schema
            .required
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
        {
            if !map.contains_key(required) {
                self.report(path, |_| format!("missing required property `{required}`"));
            }
        }
        let patterns = schema.pattern_properties;
        let closed = match schema.additional_properties {
            Some(allowed) => !allowed,
            None => closed_by_default,
        };
        for (key, value) in map {
            let child = path.key(key);
            if let Some(property) = declared.and_then(|d| d.get(key)) {
                self.value(property, value, &child);
                continue;
            }
            let by_pattern = patterns.and_then(|p| {
                p.iter()
                    .find(|(re, _)| patterns::matches(re, key) == Some(true))
            });
            if let Some((_, property)) = by_pattern {
                self.value(property, value, &child);
            } else if closed && declared.is_some() {
                self.report(&child, |_| {
                    let known: Vec<&str> = declared
                        .into_iter()
                        .flat_map(|d| d.keys())
                        .map(String::as_str)
                        .collect();
                    let hint = closest(key, &known)
                        .map(|k| format!("; did you mean `{k}`?"))
                        .unwrap_or_default();
                    format!("unknown property `{key}`{hint}")
                });
            }
        }
    }
}

fn loosely_equal(allowed: &Json, value: &Json) -> bool {
    allowed == value
        || matches!((allowed, value), (Json::Number(n), Json::String(s)) if n.to_string() == *s)
}

/// The known name closest to a misspelling, when it is close enough to be a likely typo.
pub fn closest<'a>(wanted: &str, known: &[&'a str]) -> Option<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&wanted_lower, &k.to_lowercase()), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // A trimmed copy of the registry schema of AWS::EC2::Instance, enough to exercise each keyword.
    fn schema() -> Json {
        json!({
            "typeName": "AWS::EC2::Instance",
            "definitions": {
                "MetadataOptions": {
                    "type": "object", "additionalProperties": false,
                    "properties": {
                        "HttpTokens": {"type": "string", "enum": ["optional", "required"]},
                        "HttpPutResponseHopLimit": {"type": "integer", "minimum": 1, "maximum": 64}
                    }
                },
                "Tag": {"type": "object", "additionalProperties": false, "required": ["Key", "Value"],
                        "properties": {"Key": {"type": "string", "maxLength": 128}, "Value": {"type": "string"}}}
            },
            "properties": {
                "ImageId": {"type": "string", "pattern": "^ami-[0-9a-f]+$"},
                "InstanceType": {"type": "string"},
                "MetadataOptions": {"$ref": "#/definitions/MetadataOptions"},
                "SecurityGroupIds": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
                "Tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}},
                "InstanceId": {"type": "string"},
                "Mode": {"oneOf": [{"type": "string"}, {"type": "integer"}]}
            },
            "required": ["ImageId"],
            "readOnlyProperties": ["/properties/InstanceId"],
            "additionalProperties": false
        })
    }

    fn check(properties: Json, expected: &[&str]) {
        let found: Vec<String> = validate_properties(&schema(), &properties)
            .into_iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn accepts_valid_properties_and_intrinsics() {
        check(
            json!({"ImageId": "ami-0abc", "InstanceType": "t3.micro"}),
            &[],
        );
        check(
            json!({"ImageId": {"Ref": "AmiId"}, "SecurityGroupIds": [{"Fn::GetAtt": ["Sg", "GroupId"]}]}),
            &[],
        );
        check(
            json!({"ImageId": "ami-1", "MetadataOptions": {"HttpPutResponseHopLimit": "2"}, "Mode": 3}),
            &[],
        );
    }

    /// A problem with a secret gives its shape, never its characters: a write-only property, a value
    /// named as a secret, a `{Name, Value}` pair named as one, and an object holding one.
    #[test]
    fn secrets_are_described_by_their_shape() {
        let schema = json!({
            "definitions": {
                "Pair": {"type": "object", "properties": {
                    "Name": {"type": "string"}, "Value": {"type": "string", "maxLength": 4}}},
                "ApiKey": {"type": "object", "additionalProperties": false, "properties": {
                    "ApiKeyName": {"type": "string"}, "ApiKeyValue": {"type": "string", "maxLength": 8}}}
            },
            "properties": {
                "AuthParameters": {"type": "object", "properties": {
                    "ApiKeyAuthParameters": {"$ref": "#/definitions/ApiKey"}}},
                "Opaque": {"type": "string", "pattern": "^[a-z]+$"},
                "ClientSecret": {"type": "string", "pattern": "^[a-z]+$", "minLength": 40},
                "Variables": {"type": "object", "patternProperties": {".*": {"type": "string", "maxLength": 3}}},
                "Environment": {"type": "array", "items": {"$ref": "#/definitions/Pair"}},
                "Settings": {"type": "string"}
            },
            "writeOnlyProperties": ["/properties/AuthParameters/ApiKeyAuthParameters/ApiKeyValue", "/properties/Opaque"]
        });
        let secret = "sk-live-0123456789abcdef0123456789abcdef0123456789abcdef";
        let properties = json!({
            "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": secret}},
            "Opaque": "Op4que-Value",
            "ClientSecret": "S3CRET",
            "Variables": {"API_TOKEN": "tok-tok", "PLAIN": "visible"},
            "Environment": [{"Name": "DB_PASSWORD", "Value": "hunter2"}],
            "Settings": {"password": "pw-in-object"}
        });
        let found: Vec<String> = validate_properties(&schema, &properties)
            .into_iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect();
        assert_eq!(
            found,
            [
                "Properties.AuthParameters.ApiKeyAuthParameters.ApiKeyValue: a string of 56 characters, \
                 expected at most 8",
                "Properties.Opaque: a string of 12 characters does not match the pattern `^[a-z]+$`",
                "Properties.ClientSecret: a string of 6 characters, expected at least 40",
                "Properties.ClientSecret: a string of 6 characters does not match the pattern `^[a-z]+$`",
                "Properties.Variables.API_TOKEN: a string of 7 characters, expected at most 3",
                "Properties.Variables.PLAIN: \"visible\" is 7 characters long; expected at most 3",
                "Properties.Environment.0.Value: a string of 7 characters, expected at most 4",
                "Properties.Settings: expected string, found an object with 1 key",
            ]
        );
        for text in [
            secret,
            "Op4que",
            "S3CRET",
            "tok-tok",
            "hunter2",
            "pw-in-object",
        ] {
            assert!(
                !found.iter().any(|f| f.contains(text)),
                "{text} in {found:?}"
            );
        }
    }

    #[test]
    fn reports_each_kind_of_violation_with_its_path() {
        check(json!({"InstanceTyp": "t3.micro"}), &[
            "Properties: missing required property `ImageId`",
            "Properties.InstanceTyp: unknown property `InstanceTyp`; did you mean `InstanceType`?",
        ]);
        check(json!({"ImageId": "ami-1", "MetadataOptions": {"HttpTokens": "always", "HttpPutResponseHopLimit": 99}}), &[
            "Properties.MetadataOptions.HttpTokens: \"always\" is not one of \"optional\", \"required\"",
            "Properties.MetadataOptions.HttpPutResponseHopLimit: 99 is above the maximum 64",
        ]);
        check(
            json!({"ImageId": "img-1", "SecurityGroupIds": "sg-1"}),
            &[
                "Properties.ImageId: `img-1` does not match the pattern `^ami-[0-9a-f]+$`",
                "Properties.SecurityGroupIds: expected array, found \"sg-1\"",
            ],
        );
        check(
            json!({"ImageId": "ami-1", "Tags": [{"Key": "a"}], "InstanceId": "i-1"}),
            &[
                "Properties.InstanceId: is read-only: CloudFormation sets it, a template cannot",
                "Properties.Tags.0: missing required property `Value`",
            ],
        );
        check(
            json!({"ImageId": "ami-1", "Mode": true}),
            &["Properties.Mode: true does not match any of the allowed shapes"],
        );
    }
}
