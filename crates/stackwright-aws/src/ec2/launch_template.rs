use crate::ec2::instance::{finish_machine, machine, machine_setters};
use crate::ec2::RootVolume;
use crate::handle::{attr_handle, common_setters};
use crate::{kinds, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Value};

/// A launch template: how an auto scaling group starts its instances. Secure by default like
/// [`Instance`](crate::ec2::Instance): IMDSv2 required and an encrypted gp3 root volume.
///
/// The template's own tags are its own; the instances get the tags of the auto scaling group that launches
/// them.
pub struct LaunchTemplate {
    resource: Resource,
    root_volume: RootVolume,
    security_groups: Vec<Value>,
}

impl LaunchTemplate {
    /// `image_id` is usually a lookup (`ssm::ParameterLookup::image_id(...).value()`) or a parameter.
    #[track_caller]
    pub fn new(
        id: impl Into<String>,
        image_id: impl Into<Expr>,
        instance_type: impl Into<Expr>,
    ) -> Self {
        LaunchTemplate {
            resource: machine(
                id.into(),
                kinds::LAUNCH_TEMPLATE,
                image_id.into(),
                instance_type.into(),
            ),
            root_volume: RootVolume::default(),
            security_groups: Vec::new(),
        }
    }

    /// The instance profile (and so the IAM role) of the instances, by ARN.
    pub fn instance_profile_arn(mut self, arn: impl Into<Expr>) -> Self {
        let profile = vec![("arn".to_owned(), Value::Str(arn.into()))];
        self.resource.set("instance_profile", Value::Map(profile));
        self
    }

    /// The instance profile (and so the IAM role) of the instances, by name.
    pub fn instance_profile_name(mut self, name: impl Into<Expr>) -> Self {
        let profile = vec![("name".to_owned(), Value::Str(name.into()))];
        self.resource.set("instance_profile", Value::Map(profile));
        self
    }
}
machine_setters!(LaunchTemplate);
common_setters!(LaunchTemplate, taggable);

attr_handle!(
    /// A declared launch template.
    LaunchTemplateHandle {
        /// The template id (`lt-...`).
        id: "id",
        /// The number of the newest version; every change of the template adds a version.
        latest_version: "latest_version",
        /// The number of the version launched when none is named.
        default_version: "default_version",
    }
);

impl Declare for LaunchTemplate {
    type Handle = LaunchTemplateHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, LaunchTemplateHandle) {
        finish_machine(&mut self.resource, self.security_groups, self.root_volume);
        (self.resource, LaunchTemplateHandle { handle: Handle(at) })
    }
}
