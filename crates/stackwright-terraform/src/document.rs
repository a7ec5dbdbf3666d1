//! A root module's document as lowering builds it, in one of two forms:
//!
//! - a tree ([`synthesize`](crate::synthesize)): every block a JSON value, for `plan`, which compares
//!   blocks, and for callers that edit the module;
//! - text ([`synthesize_text`](crate::synthesize_text)): every `resource` and `data` block and every
//!   output serialized as soon as it is complete, in place, at the depth it stands at in the module.
//!   A JSON tree takes about 4.5 times the memory of the text it serializes to (55 MB for a module of
//!   16,000 instances whose file is 12 MB); a module of tens of thousands of blocks is then held once,
//!   as text, and written without being serialized again.
//!
//! Both write the same bytes: exactly what `serde_json::to_writer_pretty` writes for the tree (two-space
//! indentation; JSON strings hold no raw newline, so a serialized value is re-indented by inserting
//! spaces after each newline).

use indexmap::IndexMap;
use serde_json::value::RawValue;
use serde_json::{Map, Value as Json};
use std::io::{self, Write};

/// How lowering keeps each block body and output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keep {
    /// As a JSON tree ([`synthesize`](crate::synthesize)).
    Tree,
    /// Serialized as soon as it is complete ([`synthesize_text`](crate::synthesize_text)).
    Text,
    /// Not at all: lowered and checked, then dropped ([`synthesize_outline`](crate::synthesize_outline)).
    Nothing,
}

/// One block body or output.
#[derive(Debug)]
pub(crate) enum Body {
    Tree(Json),
    /// `Body::Tree`'s value pretty-serialized at its depth in the module (boxed: no spare capacity).
    Text(Box<str>),
    /// A body lowered for an outline, which keeps no body: never written nor read (the module it is in
    /// becomes a [`ModuleOutline`] before it leaves the crate).
    Omitted,
}

/// What an outline's body cannot give: a bug of this crate, not the user's input.
const OMITTED: &str = "an outline's bodies are never written or read";

impl Body {
    /// `value` as a tree, or serialized for the `depth` it stands at (the module itself is depth 0), or
    /// dropped.
    pub(crate) fn new(value: Json, depth: usize, keep: Keep) -> Body {
        match keep {
            Keep::Tree => return Body::Tree(value),
            Keep::Nothing => return Body::Omitted,
            Keep::Text => {}
        }
        let mut out = Vec::new();
        write_pretty(&mut out, &value, depth).expect("writing to memory does not fail");
        let text = String::from_utf8(out).expect("serde_json writes UTF-8");
        Body::Text(text.into_boxed_str())
    }

    fn write(&self, out: &mut dyn Write, depth: usize) -> io::Result<()> {
        match self {
            Body::Tree(value) => write_pretty(out, value, depth),
            Body::Text(text) => out.write_all(text.as_bytes()),
            Body::Omitted => unreachable!("{OMITTED}"),
        }
    }

    fn into_json(self) -> Json {
        match self {
            Body::Tree(value) => value,
            Body::Text(text) => serde_json::from_str(&text).expect("serialized by this module"),
            Body::Omitted => unreachable!("{OMITTED}"),
        }
    }

    fn to_json(&self) -> Json {
        match self {
            Body::Tree(value) => value.clone(),
            Body::Text(text) => serde_json::from_str(text).expect("serialized by this module"),
            Body::Omitted => unreachable!("{OMITTED}"),
        }
    }
}

/// Named bodies in order of first insertion; inserting a name again replaces its body in place.
pub(crate) type Section = IndexMap<String, Body>;
/// `resource` or `data` blocks: the blocks of each type, types in order of first appearance.
pub(crate) type Groups = IndexMap<String, Section>;

/// Depths in the module: `resource` → type → name → body; `output` → name → body.
pub(crate) const BLOCK_DEPTH: usize = 3;
pub(crate) const OUTPUT_DEPTH: usize = 2;

/// A Terraform JSON root module: its leading sections (`//`, `terraform`, `provider`, `variable`) as
/// JSON, then its `data` and `resource` blocks, outputs and `moved` blocks, in that order. Serializes as
/// the JSON object of those keys, leaving out an empty `data`, `resource`, `output` or `moved`.
#[derive(Debug)]
pub struct ModuleDocument {
    pub(crate) head: Map<String, Json>,
    pub(crate) data: Groups,
    pub(crate) resource: Groups,
    pub(crate) output: Section,
    pub(crate) moved: Vec<Json>,
}

/// What [`synthesize_outline`](crate::synthesize_outline) keeps of a module: no block, no output, only
/// what is needed to say where and how it deploys.
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleOutline {
    backend: Option<Json>,
}

impl ModuleOutline {
    /// The `terraform.backend` block (where Terraform keeps the module's state), if the module has one:
    /// the same as [`ModuleDocument::backend`] of the module.
    pub fn backend(&self) -> Option<&Json> {
        self.backend.as_ref()
    }
}

impl ModuleDocument {
    /// The module's outline (its bodies dropped).
    pub(crate) fn into_outline(self) -> ModuleOutline {
        ModuleOutline {
            backend: self.backend().cloned(),
        }
    }

    /// The `terraform.backend` block (where Terraform keeps the module's state), if the module has one.
    pub fn backend(&self) -> Option<&Json> {
        self.head.get("terraform")?.get("backend")
    }

    /// Writes the module as `serde_json::to_writer_pretty` writes [`into_json`](Self::into_json) of it
    /// (no final newline).
    pub fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut object = Object::begin(out, 0)?;
        for (key, value) in &self.head {
            object.entry(key, |out| write_pretty(out, value, 1))?;
        }
        for (key, groups) in [("data", &self.data), ("resource", &self.resource)] {
            if groups.is_empty() {
                continue;
            }
            object.entry(key, |out| {
                let mut types = Object::begin(out, 1)?;
                for (type_name, blocks) in groups {
                    types.entry(type_name, |out| write_section(out, blocks, 2))?;
                }
                types.end()
            })?;
        }
        if !self.output.is_empty() {
            object.entry("output", |out| write_section(out, &self.output, 1))?;
        }
        if !self.moved.is_empty() {
            let moved = Json::Array(self.moved.clone());
            object.entry("moved", |out| write_pretty(out, &moved, 1))?;
        }
        object.end()
    }

    /// The module as one JSON tree, with the key order it is written in.
    pub fn into_json(self) -> Json {
        let mut module = self.head;
        for (key, groups) in [("data", self.data), ("resource", self.resource)] {
            if groups.is_empty() {
                continue;
            }
            let types = groups
                .into_iter()
                .map(|(type_name, blocks)| (type_name, section_json(blocks)))
                .collect();
            module.insert(key.into(), Json::Object(types));
        }
        if !self.output.is_empty() {
            module.insert("output".into(), section_json(self.output));
        }
        if !self.moved.is_empty() {
            module.insert("moved".into(), Json::Array(self.moved));
        }
        Json::Object(module)
    }
}

/// What [`carry_moves`](crate::carry_moves) reads of a module: its document as a tree, a
/// [`ModuleDocument`], or a [`PreviousModule`].
pub trait ModuleBlocks {
    /// `(type, name)` of every `resource` block, in order.
    fn resource_addresses(&self) -> Vec<(&str, &str)>;
    /// The body of the `resource` block `type_name.name`, if there is one.
    fn resource_body(&self, type_name: &str, name: &str) -> Option<Json>;
    /// The `moved` blocks.
    fn moved(&self) -> Vec<Json>;
}

/// What [`carry_moves`](crate::carry_moves) edits of the fresh module: its document as a tree, or a
/// [`ModuleDocument`].
pub trait FreshModule: ModuleBlocks {
    /// Replaces the `moved` blocks.
    fn set_moved(&mut self, moved: Vec<Json>);
    /// The `terraform` block, if there is one.
    fn terraform_mut(&mut self) -> Option<&mut Map<String, Json>>;
}

impl ModuleBlocks for Json {
    fn resource_addresses(&self) -> Vec<(&str, &str)> {
        self.get("resource")
            .and_then(Json::as_object)
            .into_iter()
            .flat_map(|types| {
                types.iter().flat_map(|(t, blocks)| {
                    blocks
                        .as_object()
                        .into_iter()
                        .flat_map(move |b| b.keys().map(move |n| (t.as_str(), n.as_str())))
                })
            })
            .collect()
    }

    fn resource_body(&self, type_name: &str, name: &str) -> Option<Json> {
        self.get("resource")?.get(type_name)?.get(name).cloned()
    }

    fn moved(&self) -> Vec<Json> {
        self.get("moved")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default()
    }
}

impl FreshModule for Json {
    fn set_moved(&mut self, moved: Vec<Json>) {
        if let Some(root) = self.as_object_mut() {
            root.insert("moved".into(), Json::Array(moved));
        }
    }

    fn terraform_mut(&mut self) -> Option<&mut Map<String, Json>> {
        self.get_mut("terraform")?.as_object_mut()
    }
}

impl ModuleBlocks for ModuleDocument {
    fn resource_addresses(&self) -> Vec<(&str, &str)> {
        addresses(&self.resource)
    }

    fn resource_body(&self, type_name: &str, name: &str) -> Option<Json> {
        Some(self.resource.get(type_name)?.get(name)?.to_json())
    }

    fn moved(&self) -> Vec<Json> {
        self.moved.clone()
    }
}

impl FreshModule for ModuleDocument {
    fn set_moved(&mut self, moved: Vec<Json>) {
        self.moved = moved;
    }

    fn terraform_mut(&mut self) -> Option<&mut Map<String, Json>> {
        self.head.get_mut("terraform")?.as_object_mut()
    }
}

/// The parts of a module file that [`carry_moves`](crate::carry_moves) reads, borrowed from its bytes:
/// each `resource` block's address, its body left unparsed until asked for, and the `moved` blocks.
/// Everything else is skipped. A module of 16,000 blocks is its 12 MB of bytes and an index, not a
/// 55 MB JSON tree.
#[derive(serde::Deserialize)]
pub struct PreviousModule<'a> {
    #[serde(default, borrow)]
    resource: IndexMap<String, IndexMap<String, &'a RawValue>>,
    #[serde(default)]
    moved: Vec<Json>,
}

impl<'a> PreviousModule<'a> {
    /// Parses a module file (`main.tf.json`); an error if it is not a JSON object whose `resource`
    /// (if any) maps types to objects of blocks.
    pub fn parse(bytes: &'a [u8]) -> serde_json::Result<PreviousModule<'a>> {
        serde_json::from_slice(bytes)
    }
}

impl ModuleBlocks for PreviousModule<'_> {
    fn resource_addresses(&self) -> Vec<(&str, &str)> {
        addresses(&self.resource)
    }

    fn resource_body(&self, type_name: &str, name: &str) -> Option<Json> {
        let raw = self.resource.get(type_name)?.get(name)?;
        serde_json::from_str(raw.get()).ok()
    }

    fn moved(&self) -> Vec<Json> {
        self.moved.clone()
    }
}

/// `(type, name)` of every block of `groups`, in order.
fn addresses<V>(groups: &IndexMap<String, IndexMap<String, V>>) -> Vec<(&str, &str)> {
    groups
        .iter()
        .flat_map(|(t, blocks)| blocks.keys().map(move |n| (t.as_str(), n.as_str())))
        .collect()
}

fn section_json(section: Section) -> Json {
    Json::Object(
        section
            .into_iter()
            .map(|(name, body)| (name, body.into_json()))
            .collect(),
    )
}

/// `section` as a JSON object standing at `depth`.
fn write_section(out: &mut dyn Write, section: &Section, depth: usize) -> io::Result<()> {
    let mut object = Object::begin(out, depth)?;
    for (name, body) in section {
        object.entry(name, |out| body.write(out, depth + 1))?;
    }
    object.end()
}

/// A JSON object being written as serde_json's `PrettyFormatter` writes one at `depth`: `{`, each entry
/// on its own line indented one level deeper, the closing brace on a line of its own; `{}` when empty.
struct Object<'a> {
    out: &'a mut dyn Write,
    depth: usize,
    empty: bool,
}

impl<'a> Object<'a> {
    fn begin(out: &'a mut dyn Write, depth: usize) -> io::Result<Object<'a>> {
        out.write_all(b"{")?;
        Ok(Object {
            out,
            depth,
            empty: true,
        })
    }

    fn entry(
        &mut self,
        key: &str,
        value: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        self.out
            .write_all(if self.empty { b"\n" } else { b",\n" })?;
        self.empty = false;
        indent(self.out, self.depth + 1)?;
        serde_json::to_writer(&mut *self.out, key)?;
        self.out.write_all(b": ")?;
        value(self.out)
    }

    fn end(self) -> io::Result<()> {
        if !self.empty {
            self.out.write_all(b"\n")?;
            indent(self.out, self.depth)?;
        }
        self.out.write_all(b"}")
    }
}

fn indent(out: &mut dyn Write, depth: usize) -> io::Result<()> {
    for _ in 0..depth {
        out.write_all(b"  ")?;
    }
    Ok(())
}

/// `value` pretty-serialized as it stands at `depth`: its inner lines indented `depth` levels more.
fn write_pretty(out: &mut dyn Write, value: &Json, depth: usize) -> io::Result<()> {
    /// Inserts the indentation of `depth` levels after each newline passed through.
    struct Indented<'a> {
        out: &'a mut dyn Write,
        depth: usize,
    }
    impl Write for Indented<'_> {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            let mut rest = bytes;
            while let Some(at) = rest.iter().position(|&b| b == b'\n') {
                self.out.write_all(&rest[..=at])?;
                indent(self.out, self.depth)?;
                rest = &rest[at + 1..];
            }
            self.out.write_all(rest)?;
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            self.out.flush()
        }
    }
    if depth == 0 {
        return serde_json::to_writer_pretty(out, value).map_err(io::Error::other);
    }
    serde_json::to_writer_pretty(&mut Indented { out, depth }, value).map_err(io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document(text: bool) -> ModuleDocument {
        let text = if text { Keep::Text } else { Keep::Tree };
        let mut head = Map::new();
        head.insert(
            "//".into(),
            json!("a comment with \"quotes\"\nand an escaped newline"),
        );
        head.insert(
            "terraform".into(),
            json!({"required_version": ">= 1.0.0", "empty": {}}),
        );
        let mut resource = Groups::new();
        let mut instances = Section::new();
        for name in ["web", "db"] {
            let body =
                json!({"ami": "ami-1", "tags": {"Name": name}, "list": [1, {"a": []}], "e": {}});
            instances.insert(name.into(), Body::new(body, BLOCK_DEPTH, text));
        }
        instances.insert("empty".into(), Body::new(json!({}), BLOCK_DEPTH, text));
        resource.insert("aws_instance".into(), instances);
        let mut output = Section::new();
        output.insert(
            "ip".into(),
            Body::new(
                json!({"value": "${aws_instance.web.ip}"}),
                OUTPUT_DEPTH,
                text,
            ),
        );
        ModuleDocument {
            head,
            data: Groups::new(),
            resource,
            output,
            moved: vec![json!({"from": "a.b", "to": "a.c"})],
        }
    }

    fn written(document: &ModuleDocument) -> String {
        let mut out = Vec::new();
        document.write_to(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_and_tree_write_what_serde_json_writes_for_the_tree() {
        let tree = document(false).into_json();
        let expected = serde_json::to_string_pretty(&tree).unwrap();
        assert_eq!(written(&document(false)), expected);
        assert_eq!(written(&document(true)), expected);
        assert_eq!(document(true).into_json(), tree);
        // The empty sections are left out, as the tree leaves them out.
        assert!(!expected.contains("\"data\""));
    }

    #[test]
    fn both_forms_answer_carry_moves_alike() {
        let (text, tree) = (document(true), document(false).into_json());
        assert_eq!(text.resource_addresses(), tree.resource_addresses());
        assert_eq!(
            text.resource_body("aws_instance", "db"),
            tree.resource_body("aws_instance", "db")
        );
        assert_eq!(text.resource_body("aws_instance", "none"), None);
        assert_eq!(text.moved(), tree.moved());
        let bytes = written(&text);
        let previous = PreviousModule::parse(bytes.as_bytes()).unwrap();
        assert_eq!(previous.resource_addresses(), tree.resource_addresses());
        assert_eq!(
            previous.resource_body("aws_instance", "db"),
            tree.resource_body("aws_instance", "db")
        );
        assert_eq!(previous.moved(), tree.moved());
    }
}
