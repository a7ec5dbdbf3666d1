//! A CloudFormation resource's `Properties` against its registry schema.

use crate::{join, patterns, show, Problem};
use serde_json::{Map, Value as Json};

/// Checks `properties` (the resource's `Properties` object) against `schema`, a registry resource schema
/// with `properties`, `definitions`, `required` and `readOnlyProperties`.
pub fn validate_properties(schema: &Json, properties: &Json) -> Vec<Problem> {
    let mut checker = Checker {
        root: schema,
        problems: Vec::new(),
    };
    let Some(given) = properties.as_object() else {
        checker.report(
            "Properties",
            format!("expected an object, found {}", show(properties)),
        );
        return checker.problems;
    };
    let read_only: Vec<&str> = schema["readOnlyProperties"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .filter_map(|p| p.strip_prefix("/properties/"))
        .collect();
    for key in given.keys() {
        if read_only.contains(&key.as_str()) {
            checker.report(
                &join("Properties", key),
                "is read-only: CloudFormation sets it, a template cannot".into(),
            );
        }
    }
    // The resource schema is the schema of the `Properties` object; registry schemas forbid unknown
    // properties at the top level even where they omit `additionalProperties`.
    checker.object_with(schema, given, "Properties", true);
    checker.combinators(schema, properties, "Properties");
    checker.problems
}

struct Checker<'s> {
    root: &'s Json,
    problems: Vec<Problem>,
}

/// CloudFormation intrinsic functions and `Ref`: values known only at deploy time.
fn is_intrinsic(value: &Json) -> bool {
    value
        .as_object()
        .is_some_and(|o| o.len() == 1 && o.keys().all(|k| k == "Ref" || k.starts_with("Fn::")))
}

impl<'s> Checker<'s> {
    fn report(&mut self, path: &str, message: String) {
        self.problems.push(Problem {
            path: path.to_owned(),
            message,
        });
    }

    /// Follows `$ref: #/definitions/Name` chains.
    fn resolve<'a>(&self, mut schema: &'a Json) -> &'a Json
    where
        's: 'a,
    {
        for _ in 0..16 {
            match schema
                .get("$ref")
                .and_then(Json::as_str)
                .and_then(|r| r.strip_prefix("#/"))
            {
                Some(pointer) => match self.root.pointer(&format!("/{pointer}")) {
                    Some(target) => schema = target,
                    None => break,
                },
                None => break,
            }
        }
        schema
    }

    fn value(&mut self, schema: &Json, value: &Json, path: &str) {
        let schema = self.resolve(schema);
        if is_intrinsic(value) {
            return;
        }
        self.combinators(schema, value, path);
        if !self.type_fits(schema, value, path) {
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Json::as_array) {
            if !allowed.iter().any(|a| loosely_equal(a, value)) {
                let list: Vec<String> = allowed.iter().map(show).collect();
                self.report(
                    path,
                    format!("{} is not one of {}", show(value), list.join(", ")),
                );
            }
        }
        match value {
            Json::String(text) => self.string(schema, text, path),
            Json::Number(n) => self.number(schema, n.as_f64().unwrap_or(0.0), path),
            Json::Array(items) => self.array(schema, items, path),
            Json::Object(map) => self.object(schema, map, path),
            Json::Bool(_) | Json::Null => {}
        }
    }

    /// `oneOf`/`anyOf` (any branch may accept) and `allOf` (every part must).
    fn combinators(&mut self, schema: &Json, value: &Json, path: &str) {
        let branches = ["oneOf", "anyOf"]
            .iter()
            .filter_map(|k| schema.get(*k)?.as_array())
            .next();
        if let Some(branches) = branches {
            // Accept when any branch accepts: stricter oneOf semantics would reject valid templates
            // whose branches overlap.
            let fits = branches.iter().any(|b| {
                let mut trial = Checker {
                    root: self.root,
                    problems: Vec::new(),
                };
                trial.value(b, value, path);
                trial.problems.is_empty()
            });
            if !fits {
                self.report(
                    path,
                    format!("{} does not match any of the allowed shapes", show(value)),
                );
            }
        }
        for part in schema
            .get("allOf")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            self.value(part, value, path);
        }
    }

    /// Checks the JSON type, accepting what CloudFormation itself coerces (numbers and booleans given
    /// as strings). Returns false when the value is of the wrong type (reported).
    fn type_fits(&mut self, schema: &Json, value: &Json, path: &str) -> bool {
        let types: Vec<&str> = match schema.get("type") {
            Some(Json::String(t)) => vec![t.as_str()],
            Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
            _ => return true,
        };
        let fits = types.iter().any(|t| match (*t, value) {
            ("string", Json::String(_))
            | ("boolean", Json::Bool(_))
            | ("array", Json::Array(_)) => true,
            ("object", Json::Object(_)) | ("null", Json::Null) => true,
            ("number", Json::Number(_)) => true,
            ("integer", Json::Number(n)) => n.is_i64() || n.is_u64(),
            ("integer", Json::String(s)) => s.parse::<i64>().is_ok(),
            ("number", Json::String(s)) => s.parse::<f64>().is_ok(),
            ("boolean", Json::String(s)) => s == "true" || s == "false",
            // A string schema accepts a number: CloudFormation passes it on as its text.
            ("string", Json::Number(_)) => true,
            _ => false,
        });
        if !fits {
            self.report(
                path,
                format!("expected {}, found {}", types.join(" or "), show(value)),
            );
        }
        fits
    }

    fn string(&mut self, schema: &Json, text: &str, path: &str) {
        let length = text.chars().count() as u64;
        if let Some(min) = schema.get("minLength").and_then(Json::as_u64) {
            if length < min {
                self.report(
                    path,
                    format!("`{text}` is {length} characters long; expected at least {min}"),
                );
            }
        }
        if let Some(max) = schema.get("maxLength").and_then(Json::as_u64) {
            if length > max {
                self.report(
                    path,
                    format!(
                        "{} is {length} characters long; expected at most {max}",
                        show(&Json::String(text.to_owned()))
                    ),
                );
            }
        }
        if let Some(pattern) = schema.get("pattern").and_then(Json::as_str) {
            if patterns::matches(pattern, text) == Some(false) {
                self.report(
                    path,
                    format!("`{text}` does not match the pattern `{pattern}`"),
                );
            }
        }
    }

    fn number(&mut self, schema: &Json, n: f64, path: &str) {
        if let Some(min) = schema.get("minimum").and_then(Json::as_f64) {
            if n < min {
                self.report(path, format!("{n} is below the minimum {min}"));
            }
        }
        if let Some(max) = schema.get("maximum").and_then(Json::as_f64) {
            if n > max {
                self.report(path, format!("{n} is above the maximum {max}"));
            }
        }
    }

    fn array(&mut self, schema: &Json, items: &[Json], path: &str) {
        let count = items.len() as u64;
        if let Some(min) = schema.get("minItems").and_then(Json::as_u64) {
            if count < min {
                self.report(path, format!("has {count} items; expected at least {min}"));
            }
        }
        if let Some(max) = schema.get("maxItems").and_then(Json::as_u64) {
            if count > max {
                self.report(path, format!("has {count} items; expected at most {max}"));
            }
        }
        if let Some(item_schema) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                self.value(item_schema, item, &join(path, &i.to_string()));
            }
        }
    }

    fn object(&mut self, schema: &Json, map: &Map<String, Json>, path: &str) {
        self.object_with(schema, map, path, false);
    }

    fn object_with(
        &mut self,
        schema: &Json,
        map: &Map<String, Json>,
        path: &str,
        closed_by_default: bool,
    ) {
        let declared = schema.get("properties").and_then(Json::as_object);
        for required in schema
            .get("required")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
        {
            if !map.contains_key(required) {
                self.report(path, format!("missing required property `{required}`"));
            }
        }
        let patterns = schema.get("patternProperties").and_then(Json::as_object);
        let closed = match schema.get("additionalProperties") {
            Some(Json::Bool(allowed)) => !allowed,
            _ => closed_by_default,
        };
        for (key, value) in map {
            let child = join(path, key);
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
                let known: Vec<&str> = declared
                    .into_iter()
                    .flat_map(|d| d.keys())
                    .map(String::as_str)
                    .collect();
                let hint = closest(key, &known)
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                self.report(&child, format!("unknown property `{key}`{hint}"));
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
