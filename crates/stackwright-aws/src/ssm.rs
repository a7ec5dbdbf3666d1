//! Systems Manager Parameter Store.

use crate::handle::attr_handle;
use crate::{kinds, Handle};
use stackwright_core::{Declare, Resource, ResourceRef};

/// Reads an SSM parameter at deploy time, e.g. the current Amazon Linux AMI id.
///
/// The parameter's name is itself a deploy-time parameter with `name` as default (CloudFormation: an
/// SSM-typed template parameter; Terraform: a variable feeding a `aws_ssm_parameter` data source), so an
/// operator can pin an AMI without changing the definition.
pub struct ParameterLookup {
    resource: Resource,
}

impl ParameterLookup {
    /// A parameter holding an EC2 image id; CloudFormation checks at deploy time that the AMI exists.
    #[track_caller]
    pub fn image_id(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self::new(id.into(), name.into(), "image_id")
    }

    /// A plain `String` parameter.
    #[track_caller]
    pub fn string(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self::new(id.into(), name.into(), "string")
    }

    #[track_caller]
    fn new(id: String, name: String, value_type: &'static str) -> Self {
        let mut resource = Resource::new(id, kinds::SSM_PARAMETER_LOOKUP);
        if !name.starts_with('/') && name.contains('/') {
            resource.problems.push(format!(
                "invalid SSM parameter name `{name}`: a hierarchical name must start with `/`"
            ));
        }
        resource.set("name", name);
        resource.set("value_type", value_type);
        ParameterLookup { resource }
    }
}

attr_handle!(
    /// A declared SSM parameter lookup.
    ParameterLookupHandle {
        /// The parameter's value at deploy time.
        value: "value",
    }
);

impl Declare for ParameterLookup {
    type Handle = ParameterLookupHandle;
    fn declare(self, at: ResourceRef) -> (Resource, ParameterLookupHandle) {
        (self.resource, ParameterLookupHandle { handle: Handle(at) })
    }
}
