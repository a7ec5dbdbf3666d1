//! CloudFormation registry schemas of the vendored resource types.
//!
//! ```
//! use stackwright_schema::{cloudformation, Replacement};
//! let instance = cloudformation::resource_type("AWS::EC2::Instance").unwrap();
//! assert_eq!(instance.replacement(&["ImageId"]), Replacement::Always);
//! assert_eq!(instance.replacement(&["Tags"]), Replacement::Never);
//! assert!(instance.available_in("eu-central-1"));
//! ```

use crate::generated::{CLOUDFORMATION, CLOUDFORMATION_COUNT};
use crate::path::{self, is_index, PropertyPath};
use crate::Replacement;
use serde_json::Value as Json;
use std::sync::OnceLock;

/// One CloudFormation resource type: its property schema, update semantics and regions.
#[derive(Debug)]
pub struct ResourceType {
    name: &'static str,
    schema: Json,
    create_only: Vec<PropertyPath>,
    conditional_create_only: Vec<PropertyPath>,
    read_only: Vec<PropertyPath>,
    write_only: Vec<PropertyPath>,
    primary_identifier: Vec<PropertyPath>,
    regions: Vec<String>,
    custom_name: Option<String>,
    changes_on_update: Vec<String>,
    instance_roll: Option<crate::InstanceRoll>,
    /// Conditionally create-only properties whose condition the artifact decides (overlay `may_replace`).
    conditions: Vec<(PropertyPath, crate::Condition)>,
}

static CACHE: [OnceLock<ResourceType>; CLOUDFORMATION_COUNT] =
    [const { OnceLock::new() }; CLOUDFORMATION_COUNT];

/// The vendored type of this name (`AWS::EC2::Instance`), if it is vendored.
pub fn resource_type(name: &str) -> Option<&'static ResourceType> {
    crate::lookup(&CLOUDFORMATION, &CACHE, name, ResourceType::parse)
}

/// The names of every vendored type, sorted.
pub fn type_names() -> impl Iterator<Item = &'static str> {
    CLOUDFORMATION.iter().map(|(name, _)| *name)
}

impl ResourceType {
    fn parse(name: &'static str, text: &'static str) -> Self {
        let schema: Json = serde_json::from_str(text).expect("vendored schema data is valid JSON");
        let paths = |key: &str| -> Vec<PropertyPath> {
            crate::strings(schema.get(key))
                .map(PropertyPath::from_registry)
                .collect()
        };
        ResourceType {
            name,
            create_only: paths("createOnlyProperties"),
            conditional_create_only: paths("conditionalCreateOnlyProperties"),
            read_only: paths("readOnlyProperties"),
            write_only: paths("writeOnlyProperties"),
            primary_identifier: paths("primaryIdentifier"),
            regions: crate::strings(schema.get("regions"))
                .map(str::to_owned)
                .collect(),
            custom_name: schema
                .get("custom_name")
                .and_then(Json::as_str)
                .map(str::to_owned),
            changes_on_update: crate::strings(schema.get("changes_on_update"))
                .map(str::to_owned)
                .collect(),
            instance_roll: crate::InstanceRoll::parse(
                schema.get("instance_roll"),
                PropertyPath::from_registry,
            ),
            conditions: schema
                .get("may_replace")
                .and_then(Json::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(path, rule)| {
                    let condition = rule.get("when").and_then(crate::Condition::parse)?;
                    Some((PropertyPath::from_registry(path), condition))
                })
                .collect(),
            schema,
        }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The registry schema (JSON Schema draft-07 with the registry's keywords, documentation removed):
    /// `properties`, `definitions`, `required`, `additionalProperties`, ... `$ref`s point into `definitions`
    /// and are followed by [`ResourceType::resolve`].
    pub fn schema(&self) -> &Json {
        &self.schema
    }

    /// Follows `{"$ref": "#/definitions/X"}` (repeatedly) to the node it names; other nodes are returned as
    /// they are.
    pub fn resolve<'a>(&'a self, mut node: &'a Json) -> &'a Json {
        // A bound on the number of hops, so that a cyclic `$ref` cannot loop.
        for _ in 0..16 {
            let Some(target) = node.get("$ref").and_then(Json::as_str) else {
                break;
            };
            match target
                .strip_prefix('#')
                .and_then(|pointer| self.schema.pointer(pointer))
            {
                Some(next) => node = next,
                None => break,
            }
        }
        node
    }

    /// The schema node (with `$ref`s followed) of the property at `path`: property names, with list indices
    /// or `*` stepping into a list's `items`. `None` when the schema does not declare that path.
    pub fn property<S: AsRef<str>>(&self, path: &[S]) -> Option<&Json> {
        let mut node = &self.schema;
        for segment in path.iter().map(AsRef::as_ref) {
            node = self.resolve(node);
            node = if segment == "*" || is_index(segment) {
                node.get("items")?
            } else if let Some(p) = node.get("properties").and_then(|ps| ps.get(segment)) {
                p
            } else {
                // Maps (e.g. string-to-string tags) declare their values under `patternProperties`.
                node.get("patternProperties")?
                    .as_object()?
                    .values()
                    .next()?
            };
        }
        Some(self.resolve(node))
    }

    /// Names of the properties a resource of this type must have.
    pub fn required(&self) -> impl Iterator<Item = &str> {
        crate::strings(self.schema.get("required"))
    }

    /// Properties whose change replaces the resource.
    pub fn create_only_properties(&self) -> &[PropertyPath] {
        &self.create_only
    }

    /// Properties whose change may replace the resource, depending on the change.
    pub fn conditional_create_only_properties(&self) -> &[PropertyPath] {
        &self.conditional_create_only
    }

    /// The condition the artifact decides for the conditionally create-only property `path`, if the
    /// overlay knows it (an auto scaling group's `LaunchTemplate` replaces it only with
    /// `UpdatePolicy/AutoScalingReplacingUpdate/WillReplace` true).
    pub fn condition(&self, path: &PropertyPath) -> Option<&crate::Condition> {
        self.conditions
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, c)| c)
    }

    /// Properties the engine sets: the attributes `Fn::GetAtt` can read.
    pub fn read_only_properties(&self) -> &[PropertyPath] {
        &self.read_only
    }

    /// Properties that are set but never read back.
    pub fn write_only_properties(&self) -> &[PropertyPath] {
        &self.write_only
    }

    /// The properties that identify a resource (what `Ref` returns, usually).
    pub fn primary_identifier(&self) -> &[PropertyPath] {
        &self.primary_identifier
    }

    /// What a change of the value at `path` (property names and list indices) does: `Always` when the path
    /// is or lies under a create-only property; `Conditional` when it is or lies under a conditionally
    /// create-only property, or when a (conditionally) create-only property lies under it, as then it
    /// depends on what changed below; `Never` otherwise.
    pub fn replacement<S: AsRef<str>>(&self, path: &[S]) -> Replacement {
        path::replacement(path, &self.create_only, &self.conditional_create_only)
    }

    /// The property that sets the resource's physical name (`GroupName`, `BucketName`), when it has one
    /// (overlay data). CloudFormation cannot replace a resource whose custom name stays the same.
    pub fn custom_name(&self) -> Option<&str> {
        self.custom_name.as_deref()
    }

    /// Attributes (for `Fn::GetAtt`) whose value changes when the resource is updated in place
    /// (`LatestVersionNumber` of a launch template; overlay data).
    pub fn changes_on_update(&self) -> &[String] {
        &self.changes_on_update
    }

    /// What replaces the running instances of an auto scaling group (overlay data).
    pub fn instance_roll(&self) -> Option<&crate::InstanceRoll> {
        self.instance_roll.as_ref()
    }

    /// The regions in which the type is offered, sorted.
    pub fn regions(&self) -> &[String] {
        &self.regions
    }

    pub fn available_in(&self, region: &str) -> bool {
        self.regions.iter().any(|r| r == region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance() -> &'static ResourceType {
        resource_type("AWS::EC2::Instance").expect("vendored")
    }

    #[test]
    fn replacement_follows_create_only_properties() {
        let i = instance();
        assert_eq!(i.replacement(&["ImageId"]), Replacement::Always);
        assert_eq!(i.replacement(&["SubnetId"]), Replacement::Always);
        // Changing the type of an EBS-backed instance stops and starts it; of an instance-store-backed one,
        // replaces it: the registry lists it as conditionally create-only.
        assert_eq!(i.replacement(&["InstanceType"]), Replacement::Conditional);
        assert_eq!(i.replacement(&["Tags", "0", "Value"]), Replacement::Never);
        // Nested: anything under a create-only object replaces.
        assert_eq!(
            i.replacement(&["CpuOptions", "CoreCount"]),
            Replacement::Always
        );
        assert_eq!(
            i.replacement(&["BlockDeviceMappings", "0", "Ebs", "VolumeSize"]),
            Replacement::Conditional
        );
        let subnet = resource_type("AWS::EC2::Subnet").unwrap();
        assert_eq!(subnet.replacement(&["CidrBlock"]), Replacement::Always);
        assert_eq!(
            subnet.replacement(&["MapPublicIpOnLaunch"]),
            Replacement::Never
        );
    }

    #[test]
    fn property_schemas_follow_refs_and_list_items() {
        let i = instance();
        assert_eq!(i.property(&["ImageId"]).unwrap()["type"], "string");
        let encrypted = i
            .property(&["BlockDeviceMappings", "0", "Ebs", "Encrypted"])
            .unwrap();
        assert_eq!(encrypted["type"], "boolean");
        assert!(i.property(&["NoSuchProperty"]).is_none());
        assert!(
            i.required().next().is_none(),
            "an instance needs no property"
        );
        let subnet = resource_type("AWS::EC2::Subnet").unwrap();
        assert_eq!(subnet.required().collect::<Vec<_>>(), ["VpcId"]);
    }

    #[test]
    fn attributes_identifiers_and_regions() {
        let i = instance();
        assert!(i
            .read_only_properties()
            .iter()
            .any(|p| p.as_str() == "PrivateIp"));
        assert_eq!(i.primary_identifier()[0].as_str(), "InstanceId");
        assert!(i.available_in("us-west-2"));
        assert!(!i.available_in("xx-nowhere-1"));
        assert!(resource_type("AWS::EC2::NoSuchThing").is_none());
    }
}
