//! Elastic Container Registry.

use crate::construct::{Attribute, Block, Form, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::construct::object;
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, RemovalPolicy, Resource, ResourceRef};

/// A repository in each target; Terraform keeps its lifecycle policy in a resource of its own.
pub(crate) static REPOSITORY: Spelling = Spelling {
    kind: kinds::ECR_REPOSITORY,
    cloudformation: "AWS::ECR::Repository",
    terraform: "aws_ecr_repository",
    terraform_tags: true,
    attributes: &[
        Attribute::new("name", Read::Ref, "name"),
        Attribute::new("uri", Read::GetAtt("RepositoryUri"), "repository_url"),
        Attribute::new("arn", Read::GetAtt("Arn"), "arn"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[Block {
        type_name: "aws_ecr_lifecycle_policy",
        suffix: "_lifecycle",
        named_by: None,
    }],
};

/// Why the repository's AES-256 encryption is not a finding.
const AES256: &str =
    "AES-256 (SSE-S3) encrypts every image; opt in to a customer managed key with an override";

/// An image repository: images scanned on push, tags immutable (a tag names one image forever, as a
/// content digest should), encrypted (AES-256), images left untagged expired after
/// [`UNTAGGED_EXPIRATION_DAYS`] days (`.untagged_expiration_days(n)`), kept when removed from the
/// definition (`RemovalPolicy::Retain`: it holds the images deployed functions and tasks run).
pub struct Repository {
    resource: Resource,
    untagged_expiration_days: i64,
}

/// How long an image without a tag is kept by default.
pub const UNTAGGED_EXPIRATION_DAYS: i64 = 7;

impl Repository {
    #[track_caller]
    pub fn new(id: impl Into<String>) -> Self {
        let mut resource = Resource::new(id, kinds::ECR_REPOSITORY);
        resource.removal_policy = RemovalPolicy::Retain;
        Repository {
            resource,
            untagged_expiration_days: UNTAGGED_EXPIRATION_DAYS,
        }
    }

    /// How long an image without a tag is kept, in days (at least 1).
    pub fn untagged_expiration_days(mut self, days: i64) -> Self {
        if days < 1 {
            self.resource.problems.push(format!(
                "untagged image expiration of {days} days: expected at least 1"
            ));
        }
        self.untagged_expiration_days = days;
        self
    }
}
common_setters!(Repository, taggable, stateful);
patchable!(Repository, REPOSITORY);

attr_handle!(
    /// A declared image repository.
    RepositoryHandle {
        /// The repository's name.
        name: "name",
        /// `<account>.dkr.ecr.<region>.amazonaws.com/<name>`.
        uri: "uri",
        /// The repository's ARN.
        arn: "arn",
    }
);

impl Declare for Repository {
    type Handle = RepositoryHandle;
    fn declare(self, at: ResourceRef) -> (Resource, RepositoryHandle) {
        let Repository {
            mut resource,
            untagged_expiration_days: days,
        } = self;
        let handle = RepositoryHandle { handle: Handle(at) };
        let policy = lifecycle_policy(days);
        let mut cfn = Form::new();
        cfn.set(
            "ImageScanningConfiguration",
            object(&[("ScanOnPush", true.into())]),
        )
        .set("ImageTagMutability", "IMMUTABLE")
        .set(
            "EncryptionConfiguration",
            object(&[("EncryptionType", "AES256".into())]),
        )
        .set(
            "LifecyclePolicy",
            object(&[("LifecyclePolicyText", policy.as_str().into())]),
        )
        .checkov_skip("CKV_AWS_136", AES256);
        let mut tf = Form::new();
        // Terraform requires a name; ECR's are lowercase.
        tf.required_lowercase_name("name")
            .set("image_tag_mutability", "IMMUTABLE")
            .set(
                "image_scanning_configuration",
                object(&[("scan_on_push", true.into())]),
            )
            .set(
                "encryption_configuration",
                object(&[("encryption_type", "AES256".into())]),
            )
            .checkov_skip("CKV_AWS_136", AES256);
        construct::finish(&mut resource, cfn, tf);
        let mut lifecycle = Form::new();
        lifecycle
            .set("repository", handle.name())
            .set("policy", policy);
        construct::terraform_block(&mut resource, "_lifecycle", lifecycle);
        (resource, handle)
    }
}

/// The lifecycle policy document of a repository (ECR's JSON, as both targets take it as text): expire
/// images without a tag once they are `days` old.
pub fn lifecycle_policy(days: i64) -> String {
    format!(
        "{{\"rules\":[{{\"rulePriority\":1,\"description\":\"expire untagged images after {days} days\",\
         \"selection\":{{\"tagStatus\":\"untagged\",\"countType\":\"sinceImagePushed\",\"countUnit\":\"days\",\
         \"countNumber\":{days}}},\"action\":{{\"type\":\"expire\"}}}}]}}"
    )
}
