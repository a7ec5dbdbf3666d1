//! Terraform AWS provider 5.100.0 schemas of the vendored resource types and data sources.
//!
//! ```
//! use stackwright_schema::terraform;
//! let instance = terraform::resource_type("aws_instance").unwrap();
//! assert!(instance.forces_new("ami"));
//! assert!(instance.forces_new("root_block_device.encrypted"));
//! assert!(!instance.forces_new("instance_type"));
//! ```

use crate::generated::{
    TERRAFORM_DATA_SOURCES, TERRAFORM_DATA_SOURCES_COUNT, TERRAFORM_RESOURCES,
    TERRAFORM_RESOURCES_COUNT,
};
use crate::path::{self, is_index, PropertyPath};
use crate::Condition;
use crate::Replacement;
use serde_json::Value as Json;
use std::sync::OnceLock;

/// One Terraform resource type or data source: its schema block and which changes replace it.
#[derive(Debug)]
pub struct ResourceType {
    name: &'static str,
    version: u64,
    block: Json,
    force_new: Vec<PropertyPath>,
    may_replace: Vec<(PropertyPath, String)>,
    conditions: Vec<(PropertyPath, Condition)>,
    changes_on_update: Vec<String>,
    instance_roll: Option<crate::InstanceRoll>,
}

static RESOURCES: [OnceLock<ResourceType>; TERRAFORM_RESOURCES_COUNT] =
    [const { OnceLock::new() }; TERRAFORM_RESOURCES_COUNT];
static DATA_SOURCES: [OnceLock<ResourceType>; TERRAFORM_DATA_SOURCES_COUNT] =
    [const { OnceLock::new() }; TERRAFORM_DATA_SOURCES_COUNT];

/// The vendored resource type of this name (`aws_instance`), if it is vendored.
pub fn resource_type(name: &str) -> Option<&'static ResourceType> {
    crate::lookup(&TERRAFORM_RESOURCES, &RESOURCES, name, ResourceType::parse)
}

/// The vendored data source of this name (`aws_ssm_parameter`), if it is vendored.
pub fn data_source(name: &str) -> Option<&'static ResourceType> {
    crate::lookup(
        &TERRAFORM_DATA_SOURCES,
        &DATA_SOURCES,
        name,
        ResourceType::parse,
    )
}

/// Every provider type's `sensitive` attributes, from `scripts/vendor-terraform-sensitive.py`.
const SENSITIVE: &str = include_str!("../data/terraform-sensitive.txt");

/// The attributes the provider marks `sensitive` (`password`, `master_user_options.master_user_password`)
/// of any resource type (`data`: data source) of the provider, vendored or not; empty for a type without
/// any (or not the provider's). `plan` hides their values.
pub fn sensitive_paths(type_name: &str, data: bool) -> &'static [PropertyPath] {
    type Table = [std::collections::HashMap<&'static str, Vec<PropertyPath>>; 2];
    static TABLE: OnceLock<Table> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table: Table = Default::default();
        for line in SENSITIVE.lines().filter(|l| !l.starts_with('#')) {
            let mut words = line.split(' ');
            let (Some(kind), Some(name)) = (words.next(), words.next()) else {
                continue;
            };
            let paths = words.map(PropertyPath::from_dotted).collect();
            table[usize::from(kind == "data")].insert(name, paths);
        }
        table
    });
    table[usize::from(data)]
        .get(type_name)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The names of every vendored resource type, sorted.
pub fn resource_type_names() -> impl Iterator<Item = &'static str> {
    TERRAFORM_RESOURCES.iter().map(|(name, _)| *name)
}

/// The names of every vendored data source, sorted.
pub fn data_source_names() -> impl Iterator<Item = &'static str> {
    TERRAFORM_DATA_SOURCES.iter().map(|(name, _)| *name)
}

impl ResourceType {
    fn parse(name: &'static str, text: &'static str) -> Self {
        let mut doc: Json = serde_json::from_str(text).expect("vendored schema data is valid JSON");
        let force_new = crate::strings(doc.get("force_new"))
            .map(PropertyPath::from_dotted)
            .collect();
        // Each conditional rule: a reason alone, or `{reason, when}` where the artifact decides it.
        let mut may_replace = Vec::new();
        let mut conditions = Vec::new();
        for (path, rule) in doc
            .get("may_replace")
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
        {
            let path = PropertyPath::from_dotted(path);
            let reason = rule.get("reason").unwrap_or(rule);
            if let Some(c) = rule.get("when").and_then(Condition::parse) {
                conditions.push((path.clone(), c));
            }
            may_replace.push((path, reason.as_str().unwrap_or_default().to_owned()));
        }
        ResourceType {
            name,
            version: doc.get("version").and_then(Json::as_u64).unwrap_or(0),
            force_new,
            may_replace,
            conditions,
            changes_on_update: crate::strings(doc.get("changes_on_update"))
                .map(str::to_owned)
                .collect(),
            instance_roll: crate::InstanceRoll::parse(
                doc.get("instance_roll"),
                PropertyPath::from_dotted,
            ),
            block: doc.get_mut("block").map(Json::take).unwrap_or_default(),
        }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The provider's schema version of the type.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The schema block, as `terraform providers schema -json` prints it without descriptions:
    /// `attributes` (name -> `type`, `required`, `optional`, `computed`, `sensitive`, `deprecated`) and
    /// `block_types` (name -> `nesting_mode`, `min_items`, `max_items`, `block`).
    pub fn block(&self) -> &Json {
        &self.block
    }

    /// The attribute at a dotted or segmented path through nested blocks (`root_block_device.encrypted`;
    /// list indices are skipped).
    pub fn attribute<S: AsRef<str>>(&self, path: &[S]) -> Option<&Json> {
        let (last, blocks) = split_last_name(path)?;
        self.nested(blocks)?.get("attributes")?.get(last)
    }

    /// The nested block type (`nesting_mode`, `min_items`, `max_items`, `block`) at a path of block names.
    pub fn block_type<S: AsRef<str>>(&self, path: &[S]) -> Option<&Json> {
        let (last, blocks) = split_last_name(path)?;
        self.nested(blocks)?.get("block_types")?.get(last)
    }

    fn nested(&self, blocks: Vec<&str>) -> Option<&Json> {
        blocks.into_iter().try_fold(&self.block, |block, name| {
            block.get("block_types")?.get(name)?.get("block")
        })
    }

    /// Attribute and block paths whose change forces replacement; a block path means the block as a whole.
    pub fn force_new_paths(&self) -> &[PropertyPath] {
        &self.force_new
    }

    /// Paths whose change replaces the resource only under a condition, with the condition.
    pub fn conditional_replacements(&self) -> &[(PropertyPath, String)] {
        &self.may_replace
    }

    /// The condition that decides the conditional replacement at `path` (as listed by
    /// [`ResourceType::conditional_replacements`]), where the artifact decides it.
    pub fn condition(&self, path: &PropertyPath) -> Option<&Condition> {
        self.conditions
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, c)| c)
    }

    /// Attributes whose value changes when the resource is updated in place (`latest_version` of a launch
    /// template; overlay data).
    pub fn changes_on_update(&self) -> &[String] {
        &self.changes_on_update
    }

    /// What replaces the running instances of an auto scaling group (overlay data).
    pub fn instance_roll(&self) -> Option<&crate::InstanceRoll> {
        self.instance_roll.as_ref()
    }

    /// What a change of the value at `path` does: `Always` when a force-new path is or contains it,
    /// `Conditional` when a conditional rule covers it or a force-new path lies below it, `Never` otherwise.
    pub fn replacement<S: AsRef<str>>(&self, path: &[S]) -> Replacement {
        path::replacement(
            path,
            &self.force_new,
            self.may_replace.iter().map(|(p, _)| p),
        )
    }

    /// Whether a change at a dotted path (`ami`, `root_block_device.encrypted`, `ebs_block_device`) forces
    /// replacement.
    pub fn forces_new(&self, dotted: &str) -> bool {
        let segments: Vec<&str> = dotted.split('.').collect();
        self.replacement(&segments) == Replacement::Always
    }
}

/// The names of a path without list indices, split into the last one and the blocks leading to it.
fn split_last_name<S: AsRef<str>>(path: &[S]) -> Option<(&str, Vec<&str>)> {
    let mut names: Vec<&str> = path
        .iter()
        .map(AsRef::as_ref)
        .filter(|s| !is_index(s))
        .collect();
    let last = names.pop()?;
    Some((last, names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn force_new_paths_replace() {
        let i = resource_type("aws_instance").unwrap();
        assert!(i.forces_new("ami"));
        assert!(i.forces_new("subnet_id"));
        assert!(!i.forces_new("instance_type"));
        assert!(!i.forces_new("tags"));
        assert!(i.forces_new("root_block_device.encrypted"));
        assert!(i.forces_new("root_block_device.0.encrypted"));
        assert!(!i.forces_new("root_block_device.volume_size"));
        // A block path: the block as a whole forces replacement.
        assert!(i.forces_new("ephemeral_block_device.device_name"));
        // Conditional rules from the overlay, and changes above a force-new attribute.
        assert_eq!(i.replacement(&["user_data"]), Replacement::Conditional);
        assert_eq!(
            i.replacement(&["root_block_device"]),
            Replacement::Conditional
        );
        let subnet = resource_type("aws_subnet").unwrap();
        assert!(subnet.forces_new("cidr_block"));
        assert!(!subnet.forces_new("map_public_ip_on_launch"));
    }

    /// The list of every type's sensitive attributes comes from the same provider schema as the type list
    /// and the vendored blocks, and says the same of the vendored types.
    #[test]
    fn sensitive_attributes_of_every_type() {
        let digest = |text: &str| text.lines().nth(1).map(str::to_owned);
        assert_eq!(
            digest(SENSITIVE),
            digest(include_str!("../data/names/terraform-types.txt"))
        );
        let names = |paths: &[PropertyPath]| -> Vec<String> {
            paths.iter().map(|p| p.as_str().to_owned()).collect()
        };
        fn marked(block: &Json, prefix: &str, out: &mut Vec<String>) {
            for (name, a) in block
                .get("attributes")
                .and_then(Json::as_object)
                .into_iter()
                .flatten()
            {
                if a.get("sensitive") == Some(&Json::Bool(true)) {
                    out.push(format!("{prefix}{name}"));
                }
            }
            let blocks = block.get("block_types").and_then(Json::as_object);
            for (name, nested) in blocks.into_iter().flatten() {
                if let Some(inner) = nested.get("block") {
                    marked(inner, &format!("{prefix}{name}."), out);
                }
            }
        }
        let vendored = resource_type_names()
            .map(|n| (false, n))
            .chain(data_source_names().map(|n| (true, n)));
        for (data, name) in vendored {
            let t = if data {
                data_source(name)
            } else {
                resource_type(name)
            }
            .unwrap();
            let mut expected = Vec::new();
            marked(t.block(), "", &mut expected);
            let mut listed = names(sensitive_paths(name, data));
            expected.sort();
            listed.sort();
            assert_eq!(listed, expected, "{name}");
        }
        assert_eq!(
            names(sensitive_paths("aws_kms_ciphertext", false)),
            ["plaintext"]
        );
        assert!(sensitive_paths("aws_vpc", false).is_empty());
    }

    #[test]
    fn blocks_and_attributes() {
        let i = resource_type("aws_instance").unwrap();
        assert_eq!(i.attribute(&["ami"]).unwrap()["type"], "string");
        let encrypted = i
            .attribute(&["root_block_device", "0", "encrypted"])
            .unwrap();
        assert_eq!(encrypted["type"], "bool");
        let root = i.block_type(&["root_block_device"]).unwrap();
        assert_eq!(root["nesting_mode"], "list");
        assert_eq!(root["max_items"], 1);
        assert!(i.attribute(&["no_such_attribute"]).is_none());
        let vpc = resource_type("aws_vpc").unwrap();
        assert_eq!(vpc.attribute(&["id"]).unwrap()["computed"], true);
        let lookup = data_source("aws_ssm_parameter").unwrap();
        assert_eq!(lookup.attribute(&["name"]).unwrap()["required"], true);
        assert!(lookup.force_new_paths().is_empty());
        assert!(resource_type("aws_no_such_thing").is_none());
    }
}
