//! The neutral data of a resource of a CloudFormation registry type (kind [`kinds::REGISTRY`]), as the
//! generated builders of `stackwright-aws-generated` write it and the targets read it: data, not per-type
//! code.
//!
//! - [`props::CLOUDFORMATION_TYPE`], [`props::CLOUDFORMATION_PROPERTIES`]: the type and its properties as the
//!   registry names them (the same keys as a raw resource's, so CloudFormation lowers both alike);
//! - [`props::TERRAFORM_TYPE`], [`props::TERRAFORM_ATTRIBUTES`]: the awscc resource and its attributes as the
//!   awscc schema names them, absent when awscc has no such resource (the type is CloudFormation-only);
//!   a value that awscc wants as a JSON string is a one-entry map under [`JSON_STRING`];
//! - [`props::TERRAFORM_ATTRIBUTE_NAMES`]: `Fn::GetAtt` name -> awscc attribute path (`Endpoint.Address` ->
//!   `endpoint.address`), for the handle's attribute references;
//! - [`props::TERRAFORM_TAGS`]: `list:<attribute>` (a list of `{key, value}`) or `map:<attribute>`, the
//!   awscc shape of the type's tags; absent for types without tags in awscc;
//! - [`props::TERRAFORM_UNMAPPED`]: paths of set properties that awscc has no attribute for;
//! - [`props::TERRAFORM_SCHEMA`]: the awscc resource's schema as one line of JSON (the vendored compact
//!   form of awscc 1.106.0: `attributes` name -> `type`, `required`, `optional`, `computed`; `blocks` name ->
//!   `nesting` (`single`, `list`, `map`), `min_items`, `attributes`, `blocks`), which the Terraform target
//!   checks the emitted block against and renames [`AWSCC_OBJECT`] values through;
//! - [`props::UNAVAILABLE_IN`]: regions that do not offer the type.
//!
//! [`kinds::REGISTRY`]: crate::kinds::REGISTRY

/// The map key that marks a value awscc wants encoded as a JSON string (`jsonencode(...)`).
pub const JSON_STRING: &str = "$stackwright:jsonencode";

/// The map key that marks a JSON value of CloudFormation objects whose keys awscc spells its own way
/// (nested attributes): the Terraform target renames each key to the awscc attribute of the same name
/// ignoring case and underscores, at that place of [`props::TERRAFORM_SCHEMA`].
pub const AWSCC_OBJECT: &str = "$stackwright:awscc-object";

/// Property names of a registry resource node beyond the raw ones.
pub mod props {
    pub use crate::raw::props::{
        CLOUDFORMATION_PROPERTIES, CLOUDFORMATION_TYPE, TERRAFORM_ATTRIBUTES, TERRAFORM_TYPE,
    };
    pub const TERRAFORM_ATTRIBUTE_NAMES: &str = "terraform_attribute_names";
    pub const TERRAFORM_TAGS: &str = "terraform_tags";
    pub const TERRAFORM_UNMAPPED: &str = "terraform_unmapped";
    pub const TERRAFORM_SCHEMA: &str = "terraform_schema";
    pub const UNAVAILABLE_IN: &str = "unavailable_in";
}
