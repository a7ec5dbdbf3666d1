use crate::construct::{object, Attribute, Form, Read, Spelling};
use crate::ec2::instance::{
    finish_machine, machine, machine_setters, root_block_device, root_ebs, token_metadata,
    CLOUDFORMATION_EBS, CLOUDFORMATION_METADATA, TERRAFORM_EBS, TERRAFORM_METADATA,
};
use crate::ec2::RootVolume;
use crate::handle::{attr_handle, common_setters, patchable};
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Value};

/// A launch template in each target.
pub(crate) static LAUNCH_TEMPLATE: Spelling = Spelling {
    kind: kinds::LAUNCH_TEMPLATE,
    cloudformation: "AWS::EC2::LaunchTemplate",
    terraform: "aws_launch_template",
    terraform_tags: true,
    attributes: &[
        Attribute::new("id", Read::Ref, "id"),
        Attribute::new(
            "latest_version",
            Read::GetAtt("LatestVersionNumber"),
            "latest_version",
        ),
        Attribute::new(
            "default_version",
            Read::GetAtt("DefaultVersionNumber"),
            "default_version",
        ),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// What the template launches carries its tags too: an auto scaling group's tags reach its instances but
/// not their volumes, and an instance launched directly gets none.
const LAUNCHED_RESOURCE_TYPES: [&str; 2] = ["instance", "volume"];

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
patchable!(LaunchTemplate, LAUNCH_TEMPLATE);

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
    fn declare(self, at: ResourceRef) -> (Resource, LaunchTemplateHandle) {
        let LaunchTemplate {
            mut resource,
            root_volume,
            security_groups,
        } = self;
        finish_machine(&mut resource, security_groups, root_volume);
        let r = &resource;
        let field = |key: &str| r.get(key).cloned();
        let profile = field("instance_profile").and_then(|profile| {
            let (key, value) = profile.as_map()?.first()?.clone();
            Some((key, value))
        });

        // The instance's settings, as an instance's, are the template's data.
        let mut data: Vec<(&str, Value)> = [
            ("image_id", "ImageId"),
            ("instance_type", "InstanceType"),
            ("subnet_id", "SubnetId"),
            ("security_group_ids", "SecurityGroupIds"),
        ]
        .iter()
        .filter_map(|(from, to)| Some((*to, field(from)?)))
        .collect();
        data.extend(root_block_device(r, CLOUDFORMATION_EBS).map(|v| ("BlockDeviceMappings", v)));
        data.extend(token_metadata(r, CLOUDFORMATION_METADATA).map(|v| ("MetadataOptions", v)));
        if let Some(text) = field("user_data") {
            data.push(("UserData", object(&[("Fn::Base64", text)])));
        }
        if let Some((key, value)) = profile.clone() {
            let name = if key == "arn" { "Arn" } else { "Name" };
            data.push(("IamInstanceProfile", object(&[(name, value)])));
        }
        data.push((
            "TagSpecifications",
            construct::tag_specifications(&LAUNCHED_RESOURCE_TYPES),
        ));
        let mut cfn = Form::new();
        cfn.set("LaunchTemplateData", object(&data)).set(
            "TagSpecifications",
            construct::tag_specifications(&["launch-template"]),
        );

        let mut tf = Form::new();
        tf.copy(r, "image_id", "image_id")
            .copy(r, "instance_type", "instance_type")
            .copy(r, "security_group_ids", "vpc_security_group_ids");
        if let Some(Value::Str(text)) = field("user_data") {
            // Unlike an instance's, a template's `user_data` must be base64 already.
            tf.terraform_call("user_data", "base64encode", text);
        }
        if let Some((key, value)) = profile {
            tf.set("iam_instance_profile", object(&[(key.as_str(), value)]));
        }
        if let Some(Value::Map(ebs)) = root_ebs(r, TERRAFORM_EBS) {
            // Strings in this block's schema.
            let ebs: Vec<(&str, Value)> = ebs
                .iter()
                .map(|(key, value)| {
                    let value = match value {
                        Value::Bool(flag) => Value::from(flag.to_string()),
                        other => other.clone(),
                    };
                    (key.as_str(), value)
                })
                .collect();
            let device = r
                .get("root_volume")
                .and_then(|root| root.get("device_name"))
                .cloned();
            let mut mapping = Vec::new();
            mapping.extend(device.map(|d| ("device_name", d)));
            mapping.push(("ebs", object(&ebs)));
            tf.set("block_device_mappings", Value::List(vec![object(&mapping)]));
        }
        tf.set_some(
            "metadata_options",
            token_metadata(r, TERRAFORM_METADATA),
        )
        // `default_tags` reaches the template but not what it launches: instances and their volumes
        // get the merged tags (an auto scaling group's tags do not reach volumes either).
        .set(
            "tag_specifications",
            construct::tag_specifications(&LAUNCHED_RESOURCE_TYPES),
        );
        construct::finish(&mut resource, cfn, tf);
        (resource, LaunchTemplateHandle { handle: Handle(at) })
    }
}
