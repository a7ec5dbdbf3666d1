//! Terraform-only settings of an environment, attached through the core's extensions.

use stackwright_core::Environment;

/// Where Terraform keeps the state of each (environment, stack) root module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A state file on this machine, outside the generated tree: `terraform-state/<app>/<env>/<stack>/
    /// terraform.tfstate` in the directory that holds the output directory (so `out/` stays disposable, and
    /// no synth or `rm -rf out` can touch the state). Keep it out of version control: it holds secrets.
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

/// Where [`Backend::Local`] keeps state, relative to the module directory `<out>/terraform/<env>/<stack>/`:
/// `<out>/../terraform-state/<app>/<env>/<stack>/terraform.tfstate`, whatever `<out>` is called.
pub fn local_state_path(app: &str, environment: &str, stack: &str) -> String {
    format!(
        "{}/terraform.tfstate",
        local_state_dir(app, environment, stack)
    )
}

/// Where [`Backend::Local`] keeps the state of non-default workspaces (Terraform's `workspace_dir`).
pub fn local_workspace_dir(app: &str, environment: &str, stack: &str) -> String {
    format!(
        "{}/terraform.tfstate.d",
        local_state_dir(app, environment, stack)
    )
}

/// The directory, relative to the module directory, of [`Backend::Local`]'s state: three levels up is the
/// output directory, four its parent.
fn local_state_dir(app: &str, environment: &str, stack: &str) -> String {
    format!("../../../../{LOCAL_STATE_DIR}/{app}/{environment}/{stack}")
}

/// The directory beside the output directory where [`Backend::Local`] keeps state.
pub const LOCAL_STATE_DIR: &str = "terraform-state";
