use crate::check;
use crate::construct::{Attribute, Form, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Expr, RemovalPolicy, Resource, ResourceRef};

/// An EBS volume in each target.
pub(crate) static VOLUME: Spelling = Spelling {
    kind: kinds::VOLUME,
    cloudformation: "AWS::EC2::Volume",
    terraform: "aws_ebs_volume",
    terraform_tags: true,
    attributes: &[Attribute::new("id", Read::Ref, "id")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// An EBS volume. Secure by default: encrypted, and its data outlives the definition: removing or
/// replacing it takes a final snapshot first (`RemovalPolicy::Snapshot`), and Terraform refuses to destroy it
/// until the policy is `RemovalPolicy::Destroy`.
pub struct Volume {
    resource: Resource,
    availability_zone: Expr,
    volume_type: VolumeType,
    size_gib: u32,
    iops: Option<u32>,
    throughput_mibps: Option<u32>,
    encrypted: bool,
    kms_key_id: Option<Expr>,
}

/// The EBS volume types; each has its own size range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VolumeType {
    /// General purpose SSD with baseline performance independent of size.
    #[default]
    Gp3,
    Gp2,
    /// Provisioned IOPS SSD.
    Io1,
    Io2,
    /// Throughput-optimized HDD.
    St1,
    /// Cold HDD.
    Sc1,
    /// Previous-generation magnetic.
    Standard,
}

impl VolumeType {
    fn as_str(self) -> &'static str {
        match self {
            VolumeType::Gp3 => "gp3",
            VolumeType::Gp2 => "gp2",
            VolumeType::Io1 => "io1",
            VolumeType::Io2 => "io2",
            VolumeType::St1 => "st1",
            VolumeType::Sc1 => "sc1",
            VolumeType::Standard => "standard",
        }
    }

    /// Sizes EBS accepts for the type, in GiB.
    fn size_range(self) -> (i64, i64) {
        match self {
            VolumeType::Gp3 => (1, 65536),
            VolumeType::Io2 => (4, 65536),
            VolumeType::Gp2 => (1, 16384),
            VolumeType::Io1 => (4, 16384),
            VolumeType::St1 | VolumeType::Sc1 => (125, 16384),
            VolumeType::Standard => (1, 1024),
        }
    }
}

impl Volume {
    /// A `size_gib` GiB gp3 volume in `availability_zone` (e.g. `subnet.availability_zone()`); it can
    /// attach only to instances in that zone.
    #[track_caller]
    pub fn new(id: impl Into<String>, availability_zone: impl Into<Expr>, size_gib: u32) -> Self {
        let mut resource = Resource::new(id, kinds::VOLUME);
        resource.removal_policy = RemovalPolicy::Snapshot;
        Volume {
            resource,
            availability_zone: availability_zone.into(),
            volume_type: VolumeType::default(),
            size_gib,
            iops: None,
            throughput_mibps: None,
            // checkov CKV_AWS_189 (customer-managed KMS key) fails unless `.kms_key_arn(...)` is set: the
            // default encrypts with the account's AWS-managed EBS key, as a customer-managed key is a
            // resource of its own (with a key policy) that the volume cannot create.
            encrypted: true,
            kms_key_id: None,
        }
    }

    pub fn volume_type(mut self, volume_type: VolumeType) -> Self {
        self.volume_type = volume_type;
        self
    }

    /// Provisioned IOPS, for gp3, io1 and io2 volumes.
    pub fn iops(mut self, iops: u32) -> Self {
        self.iops = Some(iops);
        self
    }

    /// Provisioned throughput in MiB/s, for gp3 volumes.
    pub fn throughput_mibps(mut self, throughput: u32) -> Self {
        self.throughput_mibps = Some(throughput);
        self
    }

    /// Encrypts with this KMS key, by ARN (the one form both engines take), instead of the account's
    /// default EBS key.
    pub fn kms_key_arn(mut self, arn: impl Into<Expr>) -> Self {
        let arn = arn.into();
        if let Some(text) = arn.as_literal().filter(|t| !t.starts_with("arn:")) {
            self.resource.problems.push(format!(
                "invalid KMS key ARN `{text}`: expected an ARN like \
                 `arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`"
            ));
        }
        self.kms_key_id = Some(arn);
        self
    }

    /// Opt-out of encryption at rest; only for software that cannot run on encrypted volumes.
    pub fn unencrypted_insecure(mut self) -> Self {
        self.encrypted = false;
        self
    }
}
common_setters!(Volume, taggable, stateful);
patchable!(Volume, VOLUME);

attr_handle!(
    /// A declared EBS volume.
    VolumeHandle {
        /// The volume id (`vol-...`).
        id: "id",
    }
);

impl Declare for Volume {
    type Handle = VolumeHandle;
    fn declare(self, at: ResourceRef) -> (Resource, VolumeHandle) {
        let Volume {
            mut resource,
            availability_zone,
            volume_type: kind,
            size_gib,
            iops,
            throughput_mibps,
            encrypted,
            kms_key_id,
        } = self;
        let r = &mut resource;
        let (min, max) = kind.size_range();
        let what = format!("size of the {} volume in GiB", kind.as_str());
        check::range(r, &what, size_gib.into(), min, max);
        if iops.is_some() && !matches!(kind, VolumeType::Gp3 | VolumeType::Io1 | VolumeType::Io2) {
            r.problems.push(format!(
                "provisioned IOPS on a {} volume: expected a gp3, io1 or io2 volume",
                kind.as_str()
            ));
        }
        if let Some(iops) = iops {
            check::range(r, "provisioned IOPS", iops.into(), 100, 256_000);
        }
        if throughput_mibps.is_some() && kind != VolumeType::Gp3 {
            r.problems.push(format!(
                "provisioned throughput on a {} volume: expected a gp3 volume",
                kind.as_str()
            ));
        }
        if let Some(throughput) = throughput_mibps {
            check::range(r, "provisioned throughput in MiB/s", throughput.into(), 125, 2000);
        }
        let (size, iops, throughput) = (
            i64::from(size_gib),
            iops.map(i64::from),
            throughput_mibps.map(i64::from),
        );
        let mut cfn = Form::new();
        cfn.set("AvailabilityZone", availability_zone.clone())
            .set("Size", size)
            .set("VolumeType", kind.as_str())
            .set_some("Iops", iops)
            .set_some("Throughput", throughput)
            .set("Encrypted", encrypted)
            .set_some("KmsKeyId", kms_key_id.clone());
        let mut tf = Form::new();
        tf.set("availability_zone", availability_zone.clone())
            .set("size", size)
            .set("type", kind.as_str())
            .set_some("iops", iops)
            .set_some("throughput", throughput)
            .set("encrypted", encrypted)
            .set_some("kms_key_id", kms_key_id)
            // Terraform's closest to CloudFormation's `Snapshot`: deleting the volume (once
            // `prevent_destroy` is lifted) snapshots it first.
            .when_removal_policy("final_snapshot", RemovalPolicy::Snapshot, true);
        construct::finish(r, cfn, tf);
        construct::add_availability_zone(r, availability_zone);
        (resource, VolumeHandle { handle: Handle(at) })
    }
}
