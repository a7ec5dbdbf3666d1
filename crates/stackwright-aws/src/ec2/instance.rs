use crate::construct::{object, Attribute, Form, Network, Reach, Read, Spelling};
use crate::ec2::SubnetHandle;
use crate::handle::{attr_handle, common_setters, patchable};
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Value};

/// An EC2 instance in each target.
pub(crate) static INSTANCE: Spelling = Spelling {
    kind: kinds::INSTANCE,
    cloudformation: "AWS::EC2::Instance",
    terraform: "aws_instance",
    terraform_tags: true,
    attributes: &[
        Attribute::new("id", Read::Ref, "id"),
        Attribute::new(
            "availability_zone",
            Read::GetAtt("AvailabilityZone"),
            "availability_zone",
        ),
        Attribute::new("private_ip", Read::GetAtt("PrivateIp"), "private_ip"),
        Attribute::new("public_ip", Read::GetAtt("PublicIp"), "public_ip"),
        Attribute::new(
            "private_dns_name",
            Read::GetAtt("PrivateDnsName"),
            "private_dns",
        ),
        Attribute::new("public_dns_name", Read::GetAtt("PublicDnsName"), "public_dns"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// An EC2 instance. Secure by default: the instance metadata service requires session tokens (IMDSv2),
/// the root volume is an encrypted gp3 volume, detailed monitoring is on, and EBS traffic is optimized
/// (for the types that support it).
pub struct Instance {
    resource: Resource,
    root_volume: RootVolume,
    security_groups: Vec<Value>,
}

/// The root EBS volume. `device_name` must be the AMI's root device (`/dev/xvda` for Amazon Linux).
#[derive(Clone, Debug)]
pub struct RootVolume {
    pub device_name: String,
    pub size_gib: Option<i64>,
    pub volume_type: String,
    pub encrypted: bool,
}

impl Default for RootVolume {
    fn default() -> Self {
        RootVolume {
            device_name: "/dev/xvda".into(),
            size_gib: None,
            volume_type: "gp3".into(),
            encrypted: true,
        }
    }
}

/// Settings of the machine an instance or launch template starts, with its secure defaults.
#[track_caller]
pub(crate) fn machine(
    id: String,
    kind: &'static str,
    image_id: Expr,
    instance_type: Expr,
) -> Resource {
    let mut resource = Resource::new(id, kind);
    resource.set("image_id", image_id);
    resource.set("instance_type", instance_type);
    resource.set("require_imdsv2", true);
    resource
}

/// Records the collected security groups and the root volume on a machine's resource.
pub(crate) fn finish_machine(
    resource: &mut Resource,
    security_groups: Vec<Value>,
    volume: RootVolume,
) {
    if !security_groups.is_empty() {
        resource.set("security_group_ids", Value::List(security_groups));
    }
    let mut root = vec![
        ("device_name".to_owned(), Value::from(volume.device_name)),
        ("volume_type".to_owned(), Value::from(volume.volume_type)),
        ("encrypted".to_owned(), Value::Bool(volume.encrypted)),
    ];
    if let Some(size) = volume.size_gib {
        root.push(("size_gib".to_owned(), Value::Int(size)));
    }
    resource.set("root_volume", Value::Map(root));
}

/// The setters an instance and a launch template share; the builder keeps `resource`, `root_volume` and
/// `security_groups` fields.
macro_rules! machine_setters {
    ($builder:ident) => {
        impl $builder {
            pub fn security_group(mut self, group: &$crate::ec2::SecurityGroupHandle) -> Self {
                self.security_groups.push(group.id().into());
                self
            }

            /// A script or cloud-init document run at first boot; targets base64-encode it as each expects.
            ///
            /// At most 16 KB (16,384 bytes) before encoding, EC2's limit: longer literal text is an error.
            pub fn user_data(mut self, text: impl Into<stackwright_core::Expr>) -> Self {
                let text = text.into();
                if let Some(problem) = $crate::ec2::instance::user_data_problem(&text) {
                    self.resource.problems.push(problem);
                }
                self.resource.set("user_data", text);
                self
            }

            pub fn root_volume(mut self, volume: $crate::ec2::RootVolume) -> Self {
                self.root_volume = volume;
                self
            }

            /// Opt-out of IMDSv2 for software that cannot use session tokens; prefer upgrading the software.
            pub fn allow_imdsv1_insecure(mut self) -> Self {
                self.resource.set("require_imdsv2", false);
                self
            }
        }
    };
}
pub(crate) use machine_setters;

impl Instance {
    /// `image_id` is usually a lookup (`ssm::ParameterLookup::image_id(...).value()`) or a parameter.
    #[track_caller]
    pub fn new(
        id: impl Into<String>,
        image_id: impl Into<Expr>,
        instance_type: impl Into<Expr>,
    ) -> Self {
        let image_id = image_id.into();
        let instance_type = instance_type.into();
        let mut resource = machine(id.into(), kinds::INSTANCE, image_id, instance_type.clone());
        resource.set("monitoring", true);
        // Current generations are EBS-optimized anyway; the previous ones reject the flag.
        let legacy = instance_type.as_literal().is_some_and(|t| {
            [
                "t1.", "t2.", "m1.", "m2.", "c1.", "cc2.", "cg1.", "hi1.", "hs1.", "cr1.",
            ]
            .iter()
            .any(|p| t.starts_with(p))
        });
        resource.set("ebs_optimized", !legacy);
        Instance {
            resource,
            root_volume: RootVolume::default(),
            security_groups: Vec::new(),
        }
    }

    pub fn subnet(mut self, subnet: &SubnetHandle) -> Self {
        self.resource.set("subnet_id", subnet.id());
        self
    }

    /// The IAM role the instance's software acts as, through its instance profile.
    pub fn instance_profile(mut self, profile: &crate::iam::InstanceProfileHandle) -> Self {
        self.resource.set("instance_profile_name", profile.name());
        self
    }

    /// Basic (5-minute) monitoring instead of detailed (1-minute) monitoring, which costs extra.
    pub fn basic_monitoring(mut self) -> Self {
        self.resource.set("monitoring", false);
        self
    }

    /// Turns EBS optimization off (or on for a type given as a parameter).
    pub fn ebs_optimized(mut self, enabled: bool) -> Self {
        self.resource.set("ebs_optimized", enabled);
        self
    }
}
machine_setters!(Instance);
common_setters!(Instance, taggable);
patchable!(Instance, INSTANCE);

attr_handle!(
    /// A declared EC2 instance.
    InstanceHandle {
        /// The instance id (`i-...`).
        id: "id",
        private_ip: "private_ip",
        public_ip: "public_ip",
        private_dns_name: "private_dns_name",
        public_dns_name: "public_dns_name",
        availability_zone: "availability_zone",
    }
);

impl Declare for Instance {
    type Handle = InstanceHandle;
    fn declare(self, at: ResourceRef) -> (Resource, InstanceHandle) {
        let Instance {
            mut resource,
            root_volume,
            security_groups,
        } = self;
        finish_machine(&mut resource, security_groups, root_volume);
        let r = &resource;
        let mut cfn = Form::new();
        cfn.copy(r, "image_id", "ImageId")
            .copy(r, "instance_type", "InstanceType")
            .copy(r, "subnet_id", "SubnetId")
            .copy(r, "security_group_ids", "SecurityGroupIds")
            .set_some("BlockDeviceMappings", root_block_device(r, CLOUDFORMATION_EBS))
            .set_some("MetadataOptions", token_metadata(r, CLOUDFORMATION_METADATA))
            .set_some(
                "UserData",
                r.get("user_data")
                    .map(|text| object(&[("Fn::Base64", text.clone())])),
            )
            .copy(r, "instance_profile_name", "IamInstanceProfile")
            .copy(r, "monitoring", "Monitoring")
            .copy(r, "ebs_optimized", "EbsOptimized");
        let mut tf = Form::new();
        tf.copy(r, "image_id", "ami")
            .copy(r, "instance_type", "instance_type")
            .copy(r, "subnet_id", "subnet_id")
            .copy(r, "security_group_ids", "vpc_security_group_ids")
            .copy(r, "instance_profile_name", "iam_instance_profile")
            .copy(r, "monitoring", "monitoring")
            .copy(r, "ebs_optimized", "ebs_optimized")
            // The provider base64-encodes `user_data` itself.
            .copy(r, "user_data", "user_data")
            .set_some("root_block_device", root_ebs(r, TERRAFORM_EBS))
            .set_some("metadata_options", token_metadata(r, TERRAFORM_METADATA));
        construct::finish(&mut resource, cfn, tf);
        // In a subnet that gives it a public address, it waits for the VPC's internet gateway.
        construct::set_network(&mut resource, Network::PublicAddress(Reach::PublicSubnets));
        (resource, InstanceHandle { handle: Handle(at) })
    }
}

/// The names of a root volume's EBS settings (type, size, encryption) in CloudFormation's
/// `BlockDeviceMappings[].Ebs`.
pub(crate) const CLOUDFORMATION_EBS: [&str; 3] = ["VolumeType", "VolumeSize", "Encrypted"];
/// The same in Terraform's `root_block_device`.
pub(crate) const TERRAFORM_EBS: [&str; 3] = ["volume_type", "volume_size", "encrypted"];
/// The names of the metadata options requiring IMDSv2 session tokens in CloudFormation (endpoint, tokens).
pub(crate) const CLOUDFORMATION_METADATA: [&str; 2] = ["HttpEndpoint", "HttpTokens"];
/// The same in Terraform.
pub(crate) const TERRAFORM_METADATA: [&str; 2] = ["http_endpoint", "http_tokens"];

/// The EBS settings of a machine's root volume (as `finish_machine` recorded it) under `names`.
pub(crate) fn root_ebs(resource: &Resource, names: [&str; 3]) -> Option<Value> {
    let Some(Value::Map(root)) = resource.get("root_volume") else {
        return None;
    };
    let field = |k: &str| root.iter().find(|(key, _)| key == k).map(|(_, v)| v);
    let entries: Vec<(&str, Value)> = ["volume_type", "size_gib", "encrypted"]
        .iter()
        .zip(names)
        .filter_map(|(from, to)| Some((to, field(from)?.clone())))
        .collect();
    Some(object(&entries))
}

/// CloudFormation's `BlockDeviceMappings` of a machine's root volume: its device and EBS settings.
pub(crate) fn root_block_device(resource: &Resource, names: [&str; 3]) -> Option<Value> {
    let ebs = root_ebs(resource, names)?;
    let device = resource.get("root_volume")?.get("device_name")?.clone();
    Some(Value::List(vec![object(&[
        ("DeviceName", device),
        ("Ebs", ebs),
    ])]))
}

/// The metadata options requiring IMDSv2 session tokens (`names`: endpoint, tokens), unless the builder
/// opted out.
pub(crate) fn token_metadata(resource: &Resource, names: [&str; 2]) -> Option<Value> {
    (resource.get("require_imdsv2").and_then(Value::as_bool) == Some(true)).then(|| {
        object(&[
            (names[0], Value::from("enabled")),
            (names[1], Value::from("required")),
        ])
    })
}

/// EC2 takes at most 16 KB of user data, before base64 encoding ("User data is limited to 16 KB, in raw
/// form"); only `terraform validate` notices, and CloudFormation fails at launch.
pub const USER_DATA_MAX_BYTES: usize = 16 * 1024;

/// The user data's literal text over [`USER_DATA_MAX_BYTES`] (references count as nothing, so a script
/// that fits only without its references' values is left to deploy time).
pub(crate) fn user_data_problem(text: &stackwright_core::Expr) -> Option<String> {
    let bytes = literal_bytes(text);
    (bytes > USER_DATA_MAX_BYTES).then(|| {
        format!(
            "user data of {bytes} bytes: EC2 takes at most {USER_DATA_MAX_BYTES} bytes (16 KB) before \
             encoding; move the bulk to S3 or an SSM parameter and fetch it at boot"
        )
    })
}

fn literal_bytes(text: &stackwright_core::Expr) -> usize {
    use stackwright_core::Expr;
    match text {
        Expr::Literal(s) => s.len(),
        Expr::Concat(parts) => parts.iter().map(literal_bytes).sum(),
        _ => 0,
    }
}
