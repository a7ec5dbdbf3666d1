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

use crate::strict::{At, Strict};
use crate::Target;
use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor,
};
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
/// and Terraform `resource` and `output` are parsed whole. Text that is not a JSON object, not valid
/// JSON, or that repeats a key of any object, is parsed whole by [`parse`], so that its error (with its
/// line and column) is the same as when a modified file is read.
pub fn parse_against(
    text: &[u8],
    target: Target,
    fresh: &Json,
) -> Result<(Json, Unchanged), serde_json::Error> {
    match pruned(text, target, fresh) {
        Some(parsed) => Ok(parsed),
        None => parse(text).map(|json| (json, Unchanged::default())),
    }
}

/// Parses `text` whole, as `serde_json::from_slice` does, except that a key repeated in any object is an
/// error (a `serde_json::Error` of category `Data`) naming the object's path, e.g. `Resources` for a
/// repeated logical id or `resource.aws_s3_bucket` for a repeated block name, with its line and column:
/// `serde_json` would keep the last value silently and Terraform merges repeated blocks, so a plan could
/// not say what deploys.
pub fn parse(text: &[u8]) -> Result<Json, serde_json::Error> {
    crate::strict::parse(text)
}

/// Checks that the parts of a previous `target` document a plan compares have the shape Stackwright
/// writes: a JSON object; CloudFormation `Resources` (required), `Parameters`, `Outputs` and `Mappings`
/// objects of objects, each resource with a string `Type`, an object `Properties` and a `DependsOn` of
/// logical ids; Terraform `resource` and `data` objects of types of blocks, `output` and `variable`
/// objects of blocks, `moved` a list of blocks with `from` and `to`. A plan reads another shape as
/// nothing (`"Resources": 5` as no resource), so the error names the key path, what it is and what was
/// expected.
pub fn check_shape(document: &Json, target: Target) -> Result<(), String> {
    crate::strict::check_shape(document, target)
}

/// [`parse_against`]'s one pass; `None` on any error (including a repeated key), which [`parse`] then
/// reports with its place.
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
            if out.contains_key(key.as_ref()) {
                return Err(A::Error::custom(REPEATED));
            }
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
                _ => map.next_value_seed(Strict(At::Top))?,
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
            if out.contains_key(type_name.as_ref()) {
                return Err(A::Error::custom(REPEATED));
            }
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
            // A name read before, whether it was built or left out, is repeated.
            let address = format!("{}{name}", self.prefix);
            if out.contains_key(name.as_ref()) || self.unchanged.contains(&address) {
                return Err(A::Error::custom(REPEATED));
            }
            let read = match fresh.and_then(|f| f.get(name.as_ref())) {
                Some(f) => map.next_value_seed(Same(f))?,
                None => Some(map.next_value_seed(Strict(At::Top))?),
            };
            match read {
                None => {
                    self.unchanged.insert(address);
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
                break seq.next_element_seed(Strict(At::Top))?;
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
        while let Some(item) = seq.next_element_seed(Strict(At::Top))? {
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
                _ => Some(map.next_value_seed(Strict(At::Top))?),
            };
            let Some(value) = read else {
                same += 1;
                continue;
            };
            let mut entries = before(same);
            if entries.insert(key.into_owned(), value).is_some() {
                return Err(A::Error::custom(REPEATED));
            }
            while let Some(key) = map.next_key::<String>()? {
                if entries.contains_key(&key) {
                    return Err(A::Error::custom(REPEATED));
                }
                let value = map.next_value_seed(Strict(At::Top))?;
                entries.insert(key, value);
            }
            return Ok(Some(Json::Object(entries)));
        }
        // The text ended: the same if `fresh` is an object of as many entries.
        Ok((fresh.map(Map::len) != Some(same)).then(|| Json::Object(before(same))))
    }
}

/// The error of [`pruned`]'s one pass for a repeated key: never shown, as [`parse`] then reads the text
/// again and says where the key is.
const REPEATED: &str = "a key is repeated";

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
    }

    #[test]
    fn a_repeated_key_anywhere_is_an_error_that_says_where() {
        // In a value compared with the fresh one: whether the repeat comes where the values are the
        // same, where they differ, or after.
        for text in [
            r#"{"b": {"c": "d"}, "b": 1}"#,
            r#"{"b": {"c": "d"}, "b": {"c": "d"}}"#,
            r#"{"b": {"c": "e"}, "b": {"c": "d"}}"#,
            r#"{"b": {"c": "d", "c": "d"}}"#,
            r#"{"b": {"c": "e", "c": "d"}}"#,
            r#"{"b": {"c": "d"}, "x": 1, "x": 2}"#,
            r#"{"b": [{"c": "d"}, {"c": 1, "c": 2}]}"#,
        ] {
            let mut deserializer = serde_json::Deserializer::from_str(text);
            assert!(
                Same(&json!({"b": {"c": "d"}}))
                    .deserialize(&mut deserializer)
                    .is_err(),
                "{text}"
            );
        }
        // In a whole document, read against a fresh one or not, each names the object and the key.
        let fresh = json!({"Resources": {"A": {"Type": "T"}, "B": {"Type": "T"}}, "Outputs": {"O": {"Value": 1}}});
        for (text, path) in [
            (
                r#"{"Resources": {"A": {"Type": "T"}, "A": {"Type": "T"}}}"#,
                "`Resources` has the key `A` twice",
            ),
            (
                r#"{"Resources": {"A": {"Type": "T"}, "A": {"Type": "U"}}}"#,
                "`Resources` has the key `A` twice",
            ),
            (
                r#"{"Resources": {"A": {"Type": "U"}, "A": {"Type": "T"}}}"#,
                "`Resources` has the key `A` twice",
            ),
            (
                r#"{"Resources": {}, "Resources": {}}"#,
                "the document has the key `Resources` twice",
            ),
            (
                r#"{"Outputs": {"O": {"Value": 1}, "O": {"Value": 2}}}"#,
                "`Outputs` has the key `O` twice",
            ),
            (
                r#"{"Parameters": {"P": {}, "P": {}}}"#,
                "`Parameters` has the key `P` twice",
            ),
            (
                r#"{"Resources": {"B": {"Type": "T", "Properties": {"Tags": [{"Key": 1, "Key": 2}]}}}}"#,
                "`Resources.B.Properties.Tags[0]` has the key `Key` twice",
            ),
            (
                r#"{"Resources": {"a.b": {"x": 1, "x": 1}}}"#,
                r#"`Resources."a.b"` has the key `x` twice"#,
            ),
        ] {
            for read in [
                parse_against(text.as_bytes(), Target::CloudFormation, &fresh)
                    .map(|(json, _)| json),
                parse(text.as_bytes()),
            ] {
                let error = read.unwrap_err();
                assert_eq!(
                    error.classify(),
                    serde_json::error::Category::Data,
                    "{text}"
                );
                let error = error.to_string();
                assert!(error.starts_with(path), "{text}: {error}");
                assert!(error.contains("expected each key once"), "{error}");
                assert!(error.contains("at line 1 column"), "{error}");
            }
        }
        let fresh =
            json!({"resource": {"aws_s3_bucket": {"a": {}}}, "output": {"o": {"value": 1}}});
        for (text, path) in [
            (
                r#"{"resource": {"aws_s3_bucket": {"a": {}, "a": {}}}}"#,
                "`resource.aws_s3_bucket` has the key `a` twice",
            ),
            (
                r#"{"resource": {"aws_s3_bucket": {"b": {}, "b": {"x": 1}}}}"#,
                "`resource.aws_s3_bucket` has the key `b` twice",
            ),
            (
                r#"{"resource": {"aws_s3_bucket": {"a": {}}, "aws_s3_bucket": {"b": {}}}}"#,
                "`resource` has the key `aws_s3_bucket` twice",
            ),
            (
                r#"{"resource": {}, "resource": {}}"#,
                "the document has the key `resource` twice",
            ),
            (
                r#"{"output": {"o": {"value": 1}, "o": {"value": 1}}}"#,
                "`output` has the key `o` twice",
            ),
            (
                r#"{"variable": {"v": {}, "v": {}}}"#,
                "`variable` has the key `v` twice",
            ),
        ] {
            for read in [
                parse_against(text.as_bytes(), Target::Terraform, &fresh).map(|(json, _)| json),
                parse(text.as_bytes()),
            ] {
                let error = read.unwrap_err().to_string();
                assert!(error.starts_with(path), "{text}: {error}");
            }
        }
        // Text that repeats nothing reads as serde_json reads it; invalid JSON is a syntax error.
        let text = r#"{"a": [1, 2.5, -3, "x", null, true, {"b": {}}], "c": {"d": "e"}}"#;
        assert_eq!(
            parse(text.as_bytes()).unwrap(),
            serde_json::from_str::<Json>(text).unwrap()
        );
        assert_eq!(
            parse(b"{\"a\": }").unwrap_err().classify(),
            serde_json::error::Category::Syntax
        );
        assert!(parse(b"{} {}").is_err());
    }

    #[test]
    fn wrongly_shaped_documents_are_errors_naming_the_path_and_what_was_expected() {
        let cfn = |json: Json| check_shape(&json, Target::CloudFormation);
        let tf = |json: Json| check_shape(&json, Target::Terraform);
        let bucket = json!({"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}, "DependsOn": ["A"]});
        assert_eq!(
            cfn(
                json!({"Resources": {"B": bucket}, "Outputs": {"O": {"Value": 1}}, "Parameters": {}})
            ),
            Ok(())
        );
        for (document, expected) in [
            (
                json!(5),
                "the document is a number, expected a JSON object (a CloudFormation template)",
            ),
            (json!({}), "the template has no `Resources`"),
            (
                json!({"Resources": 5}),
                "`Resources` is a number, expected an object (resources by logical id)",
            ),
            (
                json!({"Resources": []}),
                "`Resources` is an array, expected an object",
            ),
            (
                json!({"Resources": {"B": "x"}}),
                "`Resources.B` is a string, expected an object (a resource",
            ),
            (
                json!({"Resources": {"B": {}}}),
                "`Resources.B.Type` is missing, expected a resource type name",
            ),
            (
                json!({"Resources": {"B": {"Type": 1}}}),
                "`Resources.B.Type` is a number",
            ),
            (
                json!({"Resources": {"B": {"Type": "T", "Properties": [1]}}}),
                "`Resources.B.Properties` is an array, expected an object",
            ),
            (
                json!({"Resources": {"B": {"Type": "T", "DependsOn": {}}}}),
                "`Resources.B.DependsOn` is an object, expected a logical id or a list of them",
            ),
            (
                json!({"Resources": {"B": {"Type": "T", "DependsOn": [1]}}}),
                "`Resources.B.DependsOn[0]` is a number, expected a logical id",
            ),
            (
                json!({"Resources": {}, "Outputs": 1}),
                "`Outputs` is a number, expected an object",
            ),
            (
                json!({"Resources": {}, "Outputs": {"O": 1}}),
                "`Outputs.O` is a number, expected an object (an output",
            ),
            (
                json!({"Resources": {}, "Parameters": {"P": null}}),
                "`Parameters.P` is null, expected an object",
            ),
            (
                json!({"Resources": {}, "Conditions": []}),
                "`Conditions` is an array, expected an object",
            ),
            (
                json!({"Resources": {"a b": 1}}),
                r#"`Resources."a b"` is a number"#,
            ),
        ] {
            let error = cfn(document.clone()).unwrap_err();
            assert!(error.starts_with(expected), "{document}: {error}");
        }
        assert_eq!(
            tf(
                json!({"resource": {"aws_s3_bucket": {"b": {"bucket": "x"}}}, "data": {}, "output": {"o": {"value": 1}},
                "variable": {}, "moved": [{"from": "a.b", "to": "a.c"}], "terraform": {}, "provider": {"aws": {}}})
            ),
            Ok(())
        );
        for (document, expected) in [
            (
                json!([]),
                "the document is an array, expected a JSON object (a Terraform JSON module)",
            ),
            (
                json!({"resource": 5}),
                "`resource` is a number, expected an object (blocks by type)",
            ),
            (
                json!({"resource": [{"aws_s3_bucket": {}}]}),
                "`resource` is an array, expected an object",
            ),
            (
                json!({"resource": {"aws_s3_bucket": []}}),
                "`resource.aws_s3_bucket` is an array, expected an object (blocks by name)",
            ),
            (
                json!({"resource": {"aws_s3_bucket": {"b": 1}}}),
                "`resource.aws_s3_bucket.b` is a number, expected an object (a resource block)",
            ),
            (
                json!({"data": {"aws_ami": {"a": "x"}}}),
                "`data.aws_ami.a` is a string, expected an object (a data block)",
            ),
            (
                json!({"output": {"o": 1}}),
                "`output.o` is a number, expected an object (an output block)",
            ),
            (json!({"variable": 1}), "`variable` is a number"),
            (
                json!({"moved": {}}),
                "`moved` is an object, expected a list of `moved` blocks",
            ),
            (
                json!({"moved": [1]}),
                "`moved[0]` is a number, expected an object",
            ),
            (
                json!({"moved": [{"from": "a.b"}]}),
                "`moved[0].to` is missing, expected a resource address",
            ),
            (
                json!({"terraform": "x"}),
                "`terraform` is a string, expected an object",
            ),
        ] {
            let error = tf(document.clone()).unwrap_err();
            assert!(error.starts_with(expected), "{document}: {error}");
        }
    }
}
