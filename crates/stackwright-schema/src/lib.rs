//! Pinned schema data of the resource types Stackwright uses, and queries over it.
//!
//! The data is vendored from `../shared/schemas` by `scripts/vendor-schemas.py` for the types listed in
//! `types.txt`: CloudFormation registry schemas (without documentation) with the regions where each type is
//! offered, and the Terraform AWS provider 5.100.0 schema blocks with the paths whose change forces
//! replacement. Each type is one compact JSON file under `data/`, embedded in the binary and parsed on first
//! use only (a synthesis that touches five types parses five files).
//!
//! Architecture invariant: pure data and queries; no IO, and nothing about Stackwright's model.

pub mod cloudformation;
mod generated {
    //! Written by `scripts/vendor-schemas.py`: the tables of vendored types.
    mod index;
    pub(crate) use index::*;
    /// Written by `cargo xtask codegen`: force-new paths of every hashicorp/aws resource type.
    pub(crate) mod aws_force_new;
    /// Written by `cargo xtask codegen`: replacement data of every registry type.
    pub(crate) mod registry;
}
pub mod aws_provider;
pub mod names;
mod path;
pub mod registry;
pub mod secrets;
pub mod terraform;

pub use path::{PathMatch, PathStyle, PropertyPath};
use serde_json::Value as Json;

/// When the artifact decides a conditional replacement: the change replaces exactly when the value at
/// `attribute` in the resource's entry equals `equals` (`default` when it is not set). Overlay data:
/// `aws_instance.user_data` replaces only when `user_data_replace_on_change` is `true`; an
/// `AWS::AutoScaling::AutoScalingGroup`'s `LaunchTemplate` only when
/// `UpdatePolicy/AutoScalingReplacingUpdate/WillReplace` is `true`.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// A `/`-separated path in the resource's entry: a Terraform block's top-level attribute, or a
    /// CloudFormation resource attribute below the entry (outside `Properties`).
    pub attribute: String,
    pub equals: Json,
    pub default: Json,
}

impl Condition {
    /// An overlay `when` object: `{"attribute", "equals" (default true), "default" (default null)}`.
    fn parse(when: &Json) -> Option<Condition> {
        Some(Condition {
            attribute: when.get("attribute")?.as_str()?.to_owned(),
            equals: when.get("equals").cloned().unwrap_or(Json::Bool(true)),
            default: when.get("default").cloned().unwrap_or(Json::Null),
        })
    }

    /// The value the condition reads in `entry` (a Terraform block body, a CloudFormation resource entry),
    /// if it is set.
    pub fn value_in<'j>(&self, entry: &'j Json) -> Option<&'j Json> {
        self.attribute
            .split('/')
            .try_fold(entry, |node, key| node.get(key))
    }
}

/// What a change at a property path does to the resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Replacement {
    /// The engine updates the resource in place.
    Never,
    /// The engine may replace the resource: it depends on the value, on other properties or on what under
    /// the path changes (CloudFormation `conditionalCreateOnlyProperties`, Terraform conditional rules).
    Conditional,
    /// The engine replaces the resource (CloudFormation `createOnlyProperties`, Terraform force-new).
    Always,
}

/// What replaces a fleet's running replicas (overlay data): a change under one of `paths` does only when
/// one of the resource settings `by` is present (an auto scaling group's CloudFormation
/// `UpdatePolicy/...`, Terraform `instance_refresh`); otherwise only instances launched afterwards see the
/// change. An ECS service's tasks roll whenever its task definition changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceRoll {
    pub paths: Vec<PropertyPath>,
    /// Paths of resource settings (CloudFormation, `UpdatePolicy/AutoScalingRollingUpdate`) or blocks
    /// (Terraform, `instance_refresh`), as segments.
    pub by: Vec<Vec<String>>,
    /// What a plan says of the roll, when not an auto scaling group's words (an ECS service's tasks).
    pub says: Option<String>,
}

impl InstanceRoll {
    fn parse(value: Option<&serde_json::Value>, path: fn(&str) -> PropertyPath) -> Option<Self> {
        let value = value?;
        Some(InstanceRoll {
            paths: strings(value.get("paths")).map(path).collect(),
            by: strings(value.get("by"))
                .map(|b| b.split('/').map(str::to_owned).collect())
                .collect(),
            says: value
                .get("says")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned),
        })
    }
}

/// Looks a type up in one of the generated, name-sorted tables and parses its data on first use.
fn lookup<T>(
    table: &'static [(&'static str, &'static str)],
    cache: &'static [std::sync::OnceLock<T>],
    name: &str,
    parse: fn(&'static str, &'static str) -> T,
) -> Option<&'static T> {
    let index = table.binary_search_by(|(n, _)| (*n).cmp(name)).ok()?;
    let (name, text) = table[index];
    Some(cache[index].get_or_init(|| parse(name, text)))
}

/// The strings of a JSON array (missing or malformed entries are skipped: the data is generated).
fn strings(value: Option<&serde_json::Value>) -> impl Iterator<Item = &str> {
    value
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The overlay's facts reach the queries (regenerate with `scripts/vendor-schemas.py` after editing
    /// `overlay.json`).
    #[test]
    fn overlay_facts_are_vendored() {
        let sg = crate::cloudformation::resource_type("AWS::EC2::SecurityGroup").unwrap();
        assert_eq!(sg.custom_name(), Some("GroupName"));
        let lt = crate::cloudformation::resource_type("AWS::EC2::LaunchTemplate").unwrap();
        assert_eq!(lt.changes_on_update(), ["LatestVersionNumber"]);
        let asg =
            crate::cloudformation::resource_type("AWS::AutoScaling::AutoScalingGroup").unwrap();
        let roll = asg.instance_roll().unwrap();
        assert_eq!(roll.paths[0].as_str(), "LaunchTemplate");
        assert_eq!(roll.by[0], ["UpdatePolicy", "AutoScalingRollingUpdate"]);
        let vm = crate::terraform::resource_type("aws_instance").unwrap();
        let (path, reason) = &vm.conditional_replacements()[0];
        assert!(reason.starts_with("replaces the instance only when"));
        let c = vm.condition(path).unwrap();
        assert_eq!(c.attribute, "user_data_replace_on_change");
        assert_eq!(
            (&c.equals, &c.default),
            (&serde_json::json!(true), &serde_json::json!(false))
        );
        let tf_lt = crate::terraform::resource_type("aws_launch_template").unwrap();
        assert_eq!(tf_lt.changes_on_update(), ["latest_version"]);
    }

    /// Every type listed in `types.txt` is vendored and nothing else is: the data is as fresh as the list
    /// (rerun `scripts/vendor-schemas.py` after editing it). Also parses every vendored file.
    #[test]
    fn vendored_types_are_exactly_those_listed() {
        let listed: BTreeSet<String> = include_str!("../types.txt")
            .lines()
            .map(|l| l.split('#').next().unwrap_or_default().trim())
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let mut vendored = BTreeSet::new();
        for name in crate::cloudformation::type_names() {
            let t = crate::cloudformation::resource_type(name).expect("listed types resolve");
            assert!(t.schema()["properties"].is_object(), "{name}");
            assert!(!t.regions().is_empty(), "{name}");
            vendored.insert(name.to_owned());
        }
        for name in crate::terraform::resource_type_names() {
            let t = crate::terraform::resource_type(name).expect("listed types resolve");
            assert!(t.block()["attributes"].is_object(), "{name}");
            vendored.insert(name.to_owned());
        }
        for name in crate::terraform::data_source_names() {
            let t = crate::terraform::data_source(name).expect("listed types resolve");
            assert!(t.block()["attributes"].is_object(), "{name}");
            vendored.insert(format!("data.{name}"));
        }
        let missing: Vec<_> = listed.difference(&vendored).collect();
        let unlisted: Vec<_> = vendored.difference(&listed).collect();
        assert!(
            missing.is_empty() && unlisted.is_empty(),
            "run `python3 scripts/vendor-schemas.py`: listed but not vendored {missing:?}, vendored but not \
             listed {unlisted:?}"
        );
        // The brief's minimum: the catalog's CloudFormation types, Terraform types and data sources.
        assert!(vendored.len() >= 40 + 48 + 4, "{}", vendored.len());
    }
}
