//! Escape hatches: resources written in one target's own terms, for types the catalog does not cover.
//!
//! A raw resource declared for one target is an error when synthesizing the other, unless the user
//! supplied both forms (`cloudformation::Raw::new(..).terraform(..)`).

use crate::handle::common_setters;
use crate::{kinds, Handle};
use stackwright_core::{Declare, Expr, RemovalPolicy, Resource, ResourceRef, Value};

/// Neutral property names of a raw node; the targets read them.
pub mod props {
    pub const CLOUDFORMATION_TYPE: &str = "cloudformation_type";
    pub const CLOUDFORMATION_PROPERTIES: &str = "cloudformation_properties";
    pub const TERRAFORM_TYPE: &str = "terraform_type";
    pub const TERRAFORM_ATTRIBUTES: &str = "terraform_attributes";
    pub const TERRAFORM_DATA_SOURCE: &str = "terraform_data_source";
    /// `Fn::GetAtt` name -> Terraform attribute, for attributes whose names differ between the targets.
    pub const TERRAFORM_ATTRIBUTE_NAMES: &str = "terraform_attribute_names";
    /// Set (to the provider, `hashicorp/aws 5.100.0`) on the nodes of the generated hashicorp/aws builders
    /// (`stackwright-aws-terraform`), which are Terraform-only by design: CloudFormation's error names them
    /// as such rather than asking for a CloudFormation form.
    pub const TERRAFORM_BUILDER: &str = "terraform_builder";
}

/// Records that attribute `cloudformation` (`Fn::GetAtt`) is `terraform` in the Terraform form.
fn name_attribute(resource: &mut Resource, cloudformation: &str, terraform: &str) {
    let mut names = match resource.get(props::TERRAFORM_ATTRIBUTE_NAMES) {
        Some(Value::Map(names)) => names.clone(),
        _ => Vec::new(),
    };
    names.retain(|(k, _)| k != cloudformation);
    names.push((cloudformation.to_owned(), terraform.into()));
    resource.set(props::TERRAFORM_ATTRIBUTE_NAMES, Value::Map(names));
}

/// A resource in CloudFormation terms: `cloudformation::Raw::new("Topic", "AWS::SNS::Topic", properties)`.
pub struct CloudFormationRaw {
    resource: Resource,
}

/// A resource in Terraform terms: `terraform::Raw::new("topic", "aws_sns_topic", attributes)`.
pub struct TerraformRaw {
    resource: Resource,
}

fn set_form(
    resource: &mut Resource,
    type_key: &'static str,
    map_key: &'static str,
    type_name: &str,
    map: Value,
) {
    if !matches!(map, Value::Map(_)) {
        resource.problems.push(format!(
            "raw `{type_name}`: expected its properties as a map (`Value::Map`), found {}",
            match map {
                Value::List(_) => "a list",
                Value::Str(_) => "a string",
                Value::Bool(_) => "a boolean",
                Value::Int(_) => "a number",
                Value::Map(_) => "a map",
            }
        ));
    }
    resource.set(type_key, type_name);
    resource.set(map_key, map);
}

impl CloudFormationRaw {
    /// `type_name` is a CloudFormation resource type such as `AWS::SNS::Topic`; `properties` its
    /// `Properties` as a [`Value::Map`], which may hold references.
    #[track_caller]
    pub fn new(id: impl Into<String>, type_name: &str, properties: Value) -> Self {
        let mut resource = Resource::new(id, kinds::RAW);
        if !type_name.contains("::") {
            resource.problems.push(format!(
                "raw CloudFormation type `{type_name}`: expected a type like `AWS::SNS::Topic`"
            ));
        }
        set_form(
            &mut resource,
            props::CLOUDFORMATION_TYPE,
            props::CLOUDFORMATION_PROPERTIES,
            type_name,
            properties,
        );
        CloudFormationRaw { resource }
    }

    /// The same resource in Terraform terms, so that both targets can be synthesized.
    pub fn terraform(mut self, type_name: &str, attributes: Value) -> Self {
        set_form(
            &mut self.resource,
            props::TERRAFORM_TYPE,
            props::TERRAFORM_ATTRIBUTES,
            type_name,
            attributes,
        );
        self
    }

    /// Says how the Terraform form spells an attribute that [`RawHandle::attr`] reads by its CloudFormation
    /// name, when it is not the snake case of that name: `.terraform_attribute("TopicArn", "arn")`.
    pub fn terraform_attribute(mut self, cloudformation: &str, terraform: &str) -> Self {
        name_attribute(&mut self.resource, cloudformation, terraform);
        self
    }

    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.resource.choose_removal_policy(policy);
        self
    }
}
common_setters!(CloudFormationRaw);

impl TerraformRaw {
    /// `type_name` is a Terraform resource type such as `aws_sns_topic`; `attributes` its body as a
    /// [`Value::Map`], which may hold references.
    #[track_caller]
    pub fn new(id: impl Into<String>, type_name: &str, attributes: Value) -> Self {
        let mut resource = Resource::new(id, kinds::RAW);
        if type_name.contains("::") || type_name.is_empty() {
            resource.problems.push(format!(
                "raw Terraform type `{type_name}`: expected a type like `aws_sns_topic`"
            ));
        }
        set_form(
            &mut resource,
            props::TERRAFORM_TYPE,
            props::TERRAFORM_ATTRIBUTES,
            type_name,
            attributes,
        );
        TerraformRaw { resource }
    }

    /// Declares a `data` block instead of a `resource` block.
    pub fn data_source(mut self) -> Self {
        self.resource.set(props::TERRAFORM_DATA_SOURCE, true);
        self
    }

    /// The same resource in CloudFormation terms, so that both targets can be synthesized.
    pub fn cloudformation(mut self, type_name: &str, properties: Value) -> Self {
        set_form(
            &mut self.resource,
            props::CLOUDFORMATION_TYPE,
            props::CLOUDFORMATION_PROPERTIES,
            type_name,
            properties,
        );
        self
    }

    /// Says how the Terraform form spells an attribute that [`RawHandle::attr`] reads by its CloudFormation
    /// name, when it is not the snake case of that name: `.terraform_attribute("TopicArn", "arn")`.
    pub fn terraform_attribute(mut self, cloudformation: &str, terraform: &str) -> Self {
        name_attribute(&mut self.resource, cloudformation, terraform);
        self
    }

    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.resource.choose_removal_policy(policy);
        self
    }
}
common_setters!(TerraformRaw);

/// A declared raw resource.
#[derive(Clone, Debug)]
pub struct RawHandle {
    handle: Handle,
}

impl RawHandle {
    /// CloudFormation `Ref`; Terraform `id`.
    pub fn id(&self) -> Expr {
        self.handle.attr("id")
    }

    /// An attribute by its CloudFormation name (`Fn::GetAtt`, e.g. `TopicArn`). Terraform reads the name
    /// declared with `.terraform_attribute(..)`, else the snake case of this one (`topic_arn`), which is
    /// checked against the vendored provider schema when the type is in it: an attribute the type does
    /// not have is an error at synth, with the closest name it has.
    pub fn attr(&self, name: &'static str) -> Expr {
        self.handle.attr(name)
    }
}

impl stackwright_core::HasResourceRef for RawHandle {
    fn resource_ref(&self) -> ResourceRef {
        self.handle.0
    }
}

impl Declare for CloudFormationRaw {
    type Handle = RawHandle;
    fn declare(self, at: ResourceRef) -> (Resource, RawHandle) {
        (self.resource, RawHandle { handle: Handle(at) })
    }
}

impl Declare for TerraformRaw {
    type Handle = RawHandle;
    fn declare(self, at: ResourceRef) -> (Resource, RawHandle) {
        (self.resource, RawHandle { handle: Handle(at) })
    }
}
