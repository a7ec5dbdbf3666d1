//! Terraform-only settings of an environment, attached through the core's extensions.

use stackwright_core::Environment;

/// Where Terraform keeps the state of each (environment, stack) root module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A `terraform.tfstate` file beside the module (Terraform's default).
    Local,
    /// An S3 bucket; `key` defaults to `<app>/<environment>/<stack>.tfstate`.
    S3 {
        bucket: String,
        region: String,
        key: Option<String>,
        /// DynamoDB table for state locking (S3 native locking needs Terraform 1.10+).
        dynamodb_table: Option<String>,
    },
}

/// Terraform settings of one environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerraformSettings {
    pub backend: Backend,
    /// Role the AWS provider assumes (e.g. a deployment role in the environment's account).
    pub assume_role_arn: Option<String>,
}

impl Default for TerraformSettings {
    fn default() -> Self {
        TerraformSettings {
            backend: Backend::Local,
            assume_role_arn: None,
        }
    }
}

/// Adds Terraform settings to an [`Environment`].
pub trait TerraformEnvironment: Sized {
    fn terraform_backend(self, backend: Backend) -> Self;
    fn terraform_assume_role(self, role_arn: impl Into<String>) -> Self;
}

impl<C> TerraformEnvironment for Environment<C> {
    fn terraform_backend(self, backend: Backend) -> Self {
        let settings = TerraformSettings {
            backend,
            ..current(&self)
        };
        self.with_extension(settings)
    }

    fn terraform_assume_role(self, role_arn: impl Into<String>) -> Self {
        let settings = TerraformSettings {
            assume_role_arn: Some(role_arn.into()),
            ..current(&self)
        };
        self.with_extension(settings)
    }
}

fn current<C>(env: &Environment<C>) -> TerraformSettings {
    env.spec()
        .extensions
        .get::<TerraformSettings>()
        .cloned()
        .unwrap_or_default()
}
