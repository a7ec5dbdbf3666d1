//! CI settings of an environment, attached through the core's extensions.

use stackwright_core::Environment;

/// How the generated pipelines deploy one environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CiSettings {
    /// The approval environment its deploy jobs run in: a GitHub environment (with required reviewers
    /// among its protection rules) and a GitLab protected environment (with deployment approvals), which
    /// you configure in the repository's settings under this name. None: deploys without approval.
    pub approval: Option<String>,
    /// The role its deploy jobs assume by OIDC, instead of the pattern given to `ci --role-arn`; the
    /// same placeholders apply (`{account}`, `{env}`, `{region}`).
    pub deploy_role: Option<String>,
}

/// Adds CI settings to an [`Environment`].
pub trait CiEnvironment: Sized {
    /// Deploys behind the approval environment `name` (e.g. `production`).
    fn approval(self, name: impl Into<String>) -> Self;
    /// Deploys by assuming `role_arn` (a pattern, see [`CiSettings::deploy_role`]).
    fn deploy_role(self, role_arn: impl Into<String>) -> Self;
}

impl<C> CiEnvironment for Environment<C> {
    fn approval(self, name: impl Into<String>) -> Self {
        let settings = CiSettings {
            approval: Some(name.into()),
            ..current(&self)
        };
        self.with_extension(settings)
    }

    fn deploy_role(self, role_arn: impl Into<String>) -> Self {
        let settings = CiSettings {
            deploy_role: Some(role_arn.into()),
            ..current(&self)
        };
        self.with_extension(settings)
    }
}

fn current<C>(env: &Environment<C>) -> CiSettings {
    env.spec()
        .extensions
        .get::<CiSettings>()
        .cloned()
        .unwrap_or_default()
}
