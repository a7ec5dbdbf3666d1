//! Elastic Container Registry.

use crate::handle::{attr_handle, common_setters};
use crate::{kinds, Handle};
use stackwright_core::{Declare, RemovalPolicy, Resource, ResourceRef};

/// An image repository: images scanned on push, tags immutable (a tag names one image forever, as a
/// content digest should), encrypted (AES-256), images left untagged expired after
/// [`UNTAGGED_EXPIRATION_DAYS`] days (`.untagged_expiration_days(n)`), kept when removed from the
/// definition (`RemovalPolicy::Retain`: it holds the images deployed functions and tasks run).
pub struct Repository {
    resource: Resource,
}

/// How long an image without a tag is kept by default.
pub const UNTAGGED_EXPIRATION_DAYS: i64 = 7;

impl Repository {
    #[track_caller]
    pub fn new(id: impl Into<String>) -> Self {
        let mut resource = Resource::new(id, kinds::ECR_REPOSITORY);
        resource.set("untagged_expiration_days", UNTAGGED_EXPIRATION_DAYS);
        resource.removal_policy = RemovalPolicy::Retain;
        Repository { resource }
    }

    /// How long an image without a tag is kept, in days (at least 1).
    pub fn untagged_expiration_days(mut self, days: i64) -> Self {
        if days < 1 {
            self.resource.problems.push(format!(
                "untagged image expiration of {days} days: expected at least 1"
            ));
        }
        self.resource.set("untagged_expiration_days", days);
        self
    }
}
common_setters!(Repository, taggable, stateful);

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
        (self.resource, RepositoryHandle { handle: Handle(at) })
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
