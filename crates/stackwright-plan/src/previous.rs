//! A previous artifact read from its text against the fresh document of the same (environment, stack,
//! target), keeping only what differs: a plan of a small change then builds, compares and drops a small
//! part of the previous tree instead of all of it.
//!
//! The text is read once. Each resource and output in it is compared with the fresh document's entry of
//! the same name while it is read, without building anything: when it is the same value (the same keys
//! in the same order, the same values, as `serde_json` would parse them), it is left out of the parsed
//! document and named in [`Unchanged`], and a plan compares the fresh entry with itself; otherwise the
//! entry is built (its part before the first difference cloned from the fresh one) and compared as
//! before. The plan is therefore the plan of the whole parsed text.

use crate::Target;
use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};
use std::borrow::Cow;
use std::collections::HashSet;

/// The entries a previous document leaves out because they are those of the fresh document of the
/// same (environment, stack, target): CloudFormation logical ids and Terraform addresses (`type.name`)
/// of resources, and output names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unchanged {
    pub(crate) resources: HashSet<String>,
    pub(crate) outputs: HashSet<String>,
}

impl Unchanged {
    /// Whether the resource at `address` (a logical id, or a Terraform `type.name`) was left out.
    pub fn has_resource(&self, address: &str) -> bool {
        self.resources.contains(address)
    }

    /// How many resources and outputs were left out.
    pub fn len(&self) -> usize {
        self.resources.len() + self.outputs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Parses `text`, a `target` document Stackwright wrote, leaving out what is unchanged in `fresh` (see
/// the module's documentation). Top-level sections other than CloudFormation `Resources` and `Outputs`
/// and Terraform `resource` and `output` are parsed whole. Text that is not a JSON object, or not valid
/// JSON, is parsed whole, so that its error (with its line and column) is `serde_json::from_slice`'s.
/// The text must not repeat a key of the top level or of these sections (Stackwright's output does not;
/// a caller reading a file it cannot vouch for parses it whole with `serde_json`).
pub fn parse_against(
    text: &[u8],
    target: Target,
    fresh: &Json,
) -> Result<(Json, Unchanged), serde_json::Error> {
    match pruned(text, target, fresh) {
        Some(parsed) => Ok(parsed),
        None => serde_json::from_slice(text).map(|json| (json, Unchanged::default())),
    }
}

fn pruned(text: &[u8], target: Target, fresh: &Json) -> Option<(Json, Unchanged)> {
    let mut unchanged = Unchanged::default();
    let top = Top {
        target,
        fresh,
        unchanged: &mut unchanged,
    };
    // One pass over the text: each entry is compared as it is read, and built only if it differs.
    // UTF-8 checked once for the whole text, not string by string.
    let mut deserializer = serde_json::Deserializer::from_str(std::str::from_utf8(text).ok()?);
    let json = top.deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    Some((json, unchanged))
}

/// The whole document: its sections of named entries through [`Section`], the rest parsed.
struct Top<'s> {
    target: Target,
    fresh: &'s Json,
    unchanged: &'s mut Unchanged,
}

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = Json;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = Json;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let fresh = self.fresh.get(key.as_ref());
            let value = match (self.target, key.as_ref()) {
                (Target::CloudFormation, "Resources") => map.next_value_seed(Section {
                    fresh,
                    prefix: "",
                    unchanged: &mut self.unchanged.resources,
                })?,
                (Target::CloudFormation, "Outputs") | (Target::Terraform, "output") => map
                    .next_value_seed(Section {
                        fresh,
                        prefix: "",
                        unchanged: &mut self.unchanged.outputs,
                    })?,
                (Target::Terraform, "resource") => map.next_value_seed(Types {
                    fresh,
                    unchanged: &mut self.unchanged.resources,
                })?,
                _ => map.next_value::<Json>()?,
            };
            out.insert(key.into_owned(), value);
        }
        Ok(Json::Object(out))
    }
}

/// Terraform's `resource`: `{type: {name: block}}`, each type's blocks through [`Section`].
struct Types<'s> {
    fresh: Option<&'s Json>,
    unchanged: &'s mut HashSet<String>,
}

impl<'de> DeserializeSeed<'de> for Types<'_> {
    type Value = Json;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Types<'_> {
    type Value = Json;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = Map::new();
        while let Some(type_name) = map.next_key::<Key<'de>>()? {
            let prefix = format!("{type_name}.");
            let blocks = map.next_value_seed(Section {
                fresh: self.fresh.and_then(|f| f.get(type_name.as_ref())),
                prefix: &prefix,
                unchanged: &mut *self.unchanged,
            })?;
            out.insert(type_name.into_owned(), blocks);
        }
        Ok(Json::Object(out))
    }
}

/// One section of named entries (`{name: entry}`): each entry that reads as `fresh`'s entry of the same
/// name ([`Same`]) is named in `unchanged` (as `prefix` + name), every other one built.
struct Section<'s> {
    fresh: Option<&'s Json>,
    prefix: &'s str,
    unchanged: &'s mut HashSet<String>,
}

impl<'de> DeserializeSeed<'de> for Section<'_> {
    type Value = Json;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Section<'_> {
    type Value = Json;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let fresh = self.fresh.and_then(Json::as_object);
        let mut out = Map::new();
        while let Some(name) = map.next_key::<Key<'de>>()? {
            let read = match fresh.and_then(|f| f.get(name.as_ref())) {
                Some(f) => map.next_value_seed(Same(f))?,
                None => Some(map.next_value::<Json>()?),
            };
            match read {
                None => {
                    self.unchanged.insert(format!("{}{name}", self.prefix));
                }
                Some(value) => {
                    out.insert(name.into_owned(), value);
                }
            }
        }
        Ok(Json::Object(out))
    }
}

/// Reads a value while comparing it with `fresh`: `None` when it is `fresh` (the same keys in the same
/// order, the same values, as `serde_json` would parse them), without building anything; otherwise the
/// value read, its part before the first difference cloned from `fresh` (it is the same) and the rest
/// parsed.
struct Same<'f>(&'f Json);

impl<'de> DeserializeSeed<'de> for Same<'_> {
    type Value = Option<Json>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Same<'_> {
    fn scalar<E>(self, read: Json) -> Result<Option<Json>, E> {
        Ok((*self.0 != read).then_some(read))
    }
}

impl<'de> Visitor<'de> for Same<'_> {
    type Value = Option<Json>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Self::Value, E> {
        self.scalar(Json::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Self::Value, E> {
        self.scalar(Json::from(n))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Self::Value, E> {
        self.scalar(Json::from(n))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Self::Value, E> {
        // As serde_json's own `Value` reads it: a non-finite number is null.
        self.scalar(Json::from(n))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok((self.0.as_str() != Some(s)).then(|| Json::String(s.to_owned())))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        self.scalar(Json::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let fresh = self.0.as_array().map_or(&[][..], Vec::as_slice);
        let mut same = 0;
        let differing = loop {
            let Some(expected) = fresh.get(same) else {
                break seq.next_element::<Json>()?;
            };
            match seq.next_element_seed(Same(expected))? {
                None => break None,
                Some(None) => same += 1,
                Some(read) => break read,
            }
        };
        let Some(first) = differing else {
            // The text ended: the same if `fresh` is an array of as many items.
            return Ok((!(self.0.is_array() && same == fresh.len()))
                .then(|| Json::Array(fresh[..same].to_vec())));
        };
        let mut items = fresh[..same].to_vec();
        items.push(first);
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Some(Json::Array(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let fresh = self.0.as_object();
        let mut expected = fresh.map(|f| f.iter());
        let mut same = 0;
        let before = |same: usize| -> Map<String, Json> {
            fresh
                .into_iter()
                .flatten()
                .take(same)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let read = match expected.as_mut().and_then(Iterator::next) {
                Some((k, v)) if k == key.as_ref() => map.next_value_seed(Same(v))?,
                _ => Some(map.next_value::<Json>()?),
            };
            let Some(value) = read else {
                same += 1;
                continue;
            };
            let mut entries = before(same);
            entries.insert(key.into_owned(), value);
            while let Some((key, value)) = map.next_entry::<String, Json>()? {
                entries.insert(key, value);
            }
            return Ok(Some(Json::Object(entries)));
        }
        // The text ended: the same if `fresh` is an object of as many entries.
        Ok((fresh.map(Map::len) != Some(same)).then(|| Json::Object(before(same))))
    }
}

/// An object key, borrowed from the text unless it has escapes.
struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    fn into_owned(self) -> String {
        self.0.into_owned()
    }
}

impl AsRef<str> for Key<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Of;
        impl<'de> Visitor<'de> for Of {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        deserializer.deserialize_str(Of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What [`Same`] reads from `text` against `fresh`.
    fn read(text: &str, fresh: &Json) -> Option<Json> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        Same(fresh).deserialize(&mut deserializer).unwrap()
    }

    #[test]
    fn same_reads_nothing_when_the_text_is_the_fresh_value_and_the_whole_value_otherwise() {
        let fresh = json!({"a": [1, -2, 1.5, "x", true, null], "b": {"c": "d"}});
        assert_eq!(read(&fresh.to_string(), &fresh), None);
        assert_eq!(
            read(&serde_json::to_string_pretty(&fresh).unwrap(), &fresh),
            None
        );
        for other in [
            json!({"a": [1, -2, 1.5, "x", true, null], "b": {"c": "e"}}),
            json!({"a": [1, -2, 1.5, "x", true], "b": {"c": "d"}}),
            json!({"a": [1, -2, 1.5, "x", true, null, 7], "b": {"c": "d"}}),
            json!({"b": {"c": "d"}, "a": [1, -2, 1.5, "x", true, null]}),
            json!({"a": [1, -2, 1.5, "x", true, null]}),
            json!({"a": [1, -2, 1.5, "x", true, null], "b": {"c": "d"}, "e": 1}),
            json!({"a": [1.0, -2, 1.5, "x", true, null], "b": {"c": "d"}}),
            json!({"a": {"0": 1}, "b": {"c": "d"}}),
            json!([]),
            json!("a"),
        ] {
            assert_eq!(
                read(&other.to_string(), &fresh),
                Some(other.clone()),
                "{other}"
            );
        }
        // A key the text repeats is read as serde_json reads it: the last value, in the first place.
        let repeated = r#"{"b": {"c": "d"}, "b": 1}"#;
        assert_eq!(
            read(repeated, &json!({"b": {"c": "d"}})),
            Some(serde_json::from_str::<Json>(repeated).unwrap())
        );
    }
}
