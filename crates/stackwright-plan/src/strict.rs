//! Reading a document Stackwright may not have written: JSON as `serde_json` reads it, except that a key
//! repeated in an object is an error naming where (`serde_json::Value` keeps the last value silently, and
//! Terraform merges repeated blocks, so the plan could not say what deploys), and a check that the
//! sections a plan compares have the shape Stackwright writes (a plan reads any other shape as empty).

use crate::Target;
use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};
use std::fmt;

/// Where a value is in a document: a chain of keys and indices from the top, formatted only for an error.
#[derive(Clone, Copy)]
pub(crate) enum At<'a> {
    Top,
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl fmt::Display for At<'_> {
    /// `Resources.Bucket.Properties.Tags[0]`; a key that is not a plain name is quoted (`output."a.b"`).
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match *self {
            At::Top => Ok(()),
            At::Key(parent, key) => {
                if !matches!(parent, At::Top) {
                    write!(f, "{parent}.")?;
                }
                write!(f, "{}", Name(key))
            }
            At::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

impl At<'_> {
    /// `the document` at the top, else `` `path` ``.
    fn describe(&self) -> String {
        match self {
            At::Top => "the document".to_owned(),
            _ => format!("`{self}`"),
        }
    }
}

/// A JSON value read as `serde_json::Value` reads it, refusing a key that an object repeats.
pub(crate) struct Strict<'a>(pub(crate) At<'a>);

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Json;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Json;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
        Ok(Json::from(n))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
        Ok(Json::from(n))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Json, E> {
        // As serde_json's own `Value` reads it: a non-finite number is null.
        Ok(Json::from(n))
    }
    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        self.deserialize(deserializer)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Strict(At::Index(&self.0, items.len())))? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(A::Error::custom(repeated(&self.0, &key)));
            }
            let value = map.next_value_seed(Strict(At::Key(&self.0, &key)))?;
            out.insert(key, value);
        }
        Ok(Json::Object(out))
    }
}

/// An object key as a path shows it: as it is when it is a plain name, else quoted and escaped.
struct Name<'a>(&'a str);

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let plain = !self.0.is_empty()
            && self
                .0
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':'));
        if plain {
            f.write_str(self.0)
        } else {
            write!(f, "{:?}", self.0)
        }
    }
}

/// The error for `key` repeated in the object at `at`.
fn repeated(at: &At, key: &str) -> String {
    format!(
        "{} has the key `{}` twice, expected each key once (a repeated key is read differently by each tool: \
         the plan cannot tell which value deploys)",
        at.describe(),
        Name(key)
    )
}

/// Parses `text` whole, as `serde_json::from_slice` does, but a key repeated in any object is an error
/// naming the object's path (`Resources`, `resource.aws_s3_bucket`, ...), with its line and column.
pub(crate) fn parse(text: &[u8]) -> Result<Json, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    let json = Strict(At::Top).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(json)
}

/// Checks that the parts of `document` a plan compares have the shape Stackwright writes for `target`.
/// The error names the key path, what it is and what was expected.
pub(crate) fn check_shape(document: &Json, target: Target) -> Result<(), String> {
    let Some(top) = document.as_object() else {
        return Err(format!(
            "the document is {}, expected a JSON object ({})",
            kind(document),
            match target {
                Target::CloudFormation => "a CloudFormation template",
                Target::Terraform => "a Terraform JSON module",
            }
        ));
    };
    let at = At::Top;
    match target {
        Target::CloudFormation => {
            let Some(resources) = top.get("Resources") else {
                return Err(
                    "the template has no `Resources`, expected an object of resources by logical id \
                     (a template has at least one)"
                        .to_owned(),
                );
            };
            let section = At::Key(&at, "Resources");
            for (id, resource) in entries(resources, &section, "resources by logical id")? {
                let at = At::Key(&section, id);
                let body = object(resource, &at, "a resource, with `Type` and `Properties`")?;
                match body.get("Type") {
                    Some(Json::String(_)) => {}
                    other => {
                        return Err(format!(
                            "`{at}.Type` is {}, expected a resource type name such as `AWS::S3::Bucket`",
                            other.map_or("missing", kind)
                        ))
                    }
                }
                if let Some(properties) = body.get("Properties") {
                    object(
                        properties,
                        &At::Key(&at, "Properties"),
                        "the resource's properties",
                    )?;
                }
                match body.get("DependsOn") {
                    None | Some(Json::String(_)) => {}
                    Some(Json::Array(ids)) => {
                        for (i, id) in ids.iter().enumerate() {
                            if !id.is_string() {
                                return Err(format!(
                                    "`{at}.DependsOn[{i}]` is {}, expected a logical id",
                                    kind(id)
                                ));
                            }
                        }
                    }
                    Some(other) => {
                        return Err(format!(
                            "`{at}.DependsOn` is {}, expected a logical id or a list of them",
                            kind(other)
                        ))
                    }
                }
            }
            for (name, what) in [
                ("Parameters", "a parameter, with `Type`"),
                ("Outputs", "an output, with `Value`"),
                ("Mappings", "a mapping"),
            ] {
                if let Some(section) = top.get(name) {
                    let at = At::Key(&at, name);
                    for (key, value) in entries(section, &at, "entries by name")? {
                        object(value, &At::Key(&at, key), what)?;
                    }
                }
            }
            for name in ["Conditions", "Metadata", "Rules"] {
                if let Some(section) = top.get(name) {
                    object(section, &At::Key(&at, name), "entries by name")?;
                }
            }
        }
        Target::Terraform => {
            for (name, what) in [("resource", "a resource block"), ("data", "a data block")] {
                if let Some(section) = top.get(name) {
                    let at = At::Key(&at, name);
                    for (type_name, blocks) in entries(section, &at, "blocks by type")? {
                        let at = At::Key(&at, type_name);
                        for (block, body) in entries(blocks, &at, "blocks by name")? {
                            object(body, &At::Key(&at, block), what)?;
                        }
                    }
                }
            }
            for (name, what) in [
                ("output", "an output block"),
                ("variable", "a variable block"),
            ] {
                if let Some(section) = top.get(name) {
                    let at = At::Key(&at, name);
                    for (key, body) in entries(section, &at, "blocks by name")? {
                        object(body, &At::Key(&at, key), what)?;
                    }
                }
            }
            for name in ["terraform", "provider", "locals"] {
                if let Some(section) = top.get(name) {
                    object(section, &At::Key(&at, name), "a block")?;
                }
            }
            if let Some(moved) = top.get("moved") {
                let Json::Array(blocks) = moved else {
                    return Err(format!(
                        "`moved` is {}, expected a list of `moved` blocks",
                        kind(moved)
                    ));
                };
                let section = At::Key(&at, "moved");
                for (i, block) in blocks.iter().enumerate() {
                    let at = At::Index(&section, i);
                    let body = object(block, &at, "a `moved` block, with `from` and `to`")?;
                    for end in ["from", "to"] {
                        if !body.get(end).is_some_and(Json::is_string) {
                            return Err(format!(
                                "`{at}.{end}` is {}, expected a resource address",
                                body.get(end).map_or("missing", kind)
                            ));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// `value`'s entries, if it is an object; else an error saying it should be one of `what`.
fn entries<'v>(
    value: &'v Json,
    at: &At,
    what: &str,
) -> Result<impl Iterator<Item = (&'v str, &'v Json)>, String> {
    Ok(object(value, at, what)?
        .iter()
        .map(|(k, v)| (k.as_str(), v)))
}

/// `value` as an object; else an error naming `at`, what it is and that it should be `what`.
fn object<'v>(value: &'v Json, at: &At, what: &str) -> Result<&'v Map<String, Json>, String> {
    value.as_object().ok_or_else(|| {
        format!(
            "{} is {}, expected an object ({what})",
            at.describe(),
            kind(value)
        )
    })
}

fn kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}
