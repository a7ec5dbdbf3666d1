//! One target-neutral view of an artifact: its resources, the inputs they read, its outputs and the rest.

use crate::{Document, Target};
use serde_json::Value as Json;

/// A resource (or Terraform data source) of a document.
pub(crate) struct Entry<'a> {
    /// CloudFormation logical id; Terraform `type.name` (`data.type.name` for data sources).
    pub address: String,
    pub type_name: &'a str,
    /// The whole entry: CloudFormation `{Type, Properties, DeletionPolicy, ...}`, Terraform block body.
    pub body: &'a Json,
}

impl Entry<'_> {
    /// The parts compared as properties and settings, as (path prefix, value, is a setting): CloudFormation
    /// `Properties` (paths relative to it) and resource attributes such as `DeletionPolicy`; the Terraform
    /// body, whose meta-arguments (`lifecycle`, `provider`, ...) are settings. `DependsOn`/`depends_on` only
    /// order operations and are left out, as is `Type`, compared on its own.
    pub fn parts(&self, target: Target) -> Vec<(Option<&str>, &Json, bool)> {
        let Some(map) = self.body.as_object() else {
            return vec![(None, self.body, false)];
        };
        let mut parts = Vec::new();
        match target {
            Target::CloudFormation => {
                if let Some(p) = map.get("Properties") {
                    parts.push((None, p, false));
                }
                for (key, value) in map {
                    if !matches!(key.as_str(), "Type" | "Properties" | "DependsOn") {
                        parts.push((Some(key.as_str()), value, true));
                    }
                }
            }
            Target::Terraform => {
                for (key, value) in map {
                    if key != "depends_on" {
                        parts.push((
                            Some(key.as_str()),
                            value,
                            TERRAFORM_META.contains(&key.as_str()),
                        ));
                    }
                }
            }
        }
        parts
    }
}

/// Terraform meta-arguments: they configure how Terraform manages a resource, not the resource.
const TERRAFORM_META: &[&str] = &[
    "lifecycle",
    "provider",
    "count",
    "for_each",
    "provisioner",
    "connection",
];

/// The parts of one document a plan compares.
pub(crate) struct View<'a> {
    pub target: Target,
    pub resources: Vec<Entry<'a>>,
    /// Terraform data sources: read at deploy time, so inputs like parameters.
    pub data_sources: Vec<Entry<'a>>,
    /// Named inputs and their definitions: CloudFormation parameters (by name), Terraform variables
    /// (`var.name`).
    pub inputs: Vec<(String, &'a Json)>,
    pub outputs: Vec<(&'a str, &'a Json)>,
    /// Top-level sections not compared entry by entry (`Description`, `provider`, `terraform`, ...).
    pub sections: Vec<(&'a str, &'a Json)>,
    /// Declared renames: (old address, new address).
    pub moves: Vec<(String, String)>,
}

impl<'a> View<'a> {
    /// The resources by address, for lookups in one pass.
    pub fn by_address(&self) -> std::collections::HashMap<&str, &Entry<'a>> {
        self.resources
            .iter()
            .map(|e| (e.address.as_str(), e))
            .collect()
    }

    pub fn of(document: &Document<'a>) -> Self {
        let json = document.json;
        let mut view = View {
            target: document.target,
            resources: Vec::new(),
            data_sources: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            sections: Vec::new(),
            moves: document.renames.to_vec(),
        };
        let Some(top) = json.as_object() else {
            return view;
        };
        for (key, value) in top {
            match (document.target, key.as_str()) {
                (Target::CloudFormation, "Resources") => {
                    for (id, body) in value.as_object().into_iter().flatten() {
                        view.resources.push(Entry {
                            address: id.clone(),
                            type_name: body.get("Type").and_then(Json::as_str).unwrap_or_default(),
                            body,
                        });
                    }
                }
                (Target::CloudFormation, "Parameters") => {
                    view.inputs
                        .extend(named(value).map(|(n, v)| (n.to_owned(), v)));
                }
                (Target::CloudFormation, "Outputs") | (Target::Terraform, "output") => {
                    view.outputs.extend(named(value));
                }
                (Target::Terraform, "resource") => view.resources.extend(blocks(value, "")),
                (Target::Terraform, "data") => view.data_sources.extend(blocks(value, "data.")),
                (Target::Terraform, "variable") => {
                    view.inputs
                        .extend(named(value).map(|(n, v)| (format!("var.{n}"), v)));
                }
                (Target::Terraform, "moved") => {
                    for m in value.as_array().into_iter().flatten() {
                        if let (Some(from), Some(to)) = (
                            m.get("from").and_then(Json::as_str),
                            m.get("to").and_then(Json::as_str),
                        ) {
                            view.moves.push((from.to_owned(), to.to_owned()));
                        }
                    }
                }
                _ => view.sections.push((key.as_str(), value)),
            }
        }
        view
    }
}

impl<'a> View<'a> {
    /// Adds to this view of a previous document the entries it left out as unchanged (see
    /// [`Document::unchanged`]), from `fresh`, the view of the fresh document: the same values, so that
    /// they match and compare as equal. Their order among the others does not matter: each is matched
    /// by its name, and none can be destroyed.
    pub fn add_unchanged(&mut self, unchanged: &crate::previous::Unchanged, fresh: &View<'a>) {
        for entry in &fresh.resources {
            if unchanged.resources.contains(&entry.address) {
                self.resources.push(Entry {
                    address: entry.address.clone(),
                    type_name: entry.type_name,
                    body: entry.body,
                });
            }
        }
        for &(name, value) in &fresh.outputs {
            if unchanged.outputs.contains(name) {
                self.outputs.push((name, value));
            }
        }
    }
}

fn named(value: &Json) -> impl Iterator<Item = (&str, &Json)> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v))
}

/// Terraform `{type: {name: body}}` blocks as entries addressed `prefix + type.name`.
fn blocks<'a>(value: &'a Json, prefix: &str) -> Vec<Entry<'a>> {
    let mut out = Vec::new();
    for (type_name, of_type) in named(value) {
        for (name, body) in named(of_type) {
            out.push(Entry {
                address: format!("{prefix}{type_name}.{name}"),
                type_name,
                body,
            });
        }
    }
    out
}
