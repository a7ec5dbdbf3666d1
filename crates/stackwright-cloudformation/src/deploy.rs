//! What deploying a template needs besides the template: the stack's name and the capabilities to
//! acknowledge.

use serde_json::Value as Json;
use stackwright_core::claims::Claims;
use stackwright_core::{Diagnostic, StackInstance};

/// CloudFormation's limit on a stack name (CreateStack `StackName`: `[a-zA-Z][-a-zA-Z0-9]*`, 128 characters).
pub const STACK_NAME_LIMIT: usize = 128;

/// The name of the CloudFormation stack an instance deploys to: `<app>-<environment>-<stack>`. App,
/// environment and stack names are lowercase letters, digits and `-`, so the name has only characters
/// CloudFormation allows.
pub fn stack_name(app: &str, environment: &str, stack: &str) -> String {
    format!("{app}-{environment}-{stack}")
}

/// Two instances that would deploy to the same stack name in one account and region (environment
/// `prod-us` with stack `web`, environment `prod` with stack `us-web`: the second deploy would overwrite the
/// first), and names over [`STACK_NAME_LIMIT`]. One error per name, at the environment that declares it.
pub fn stack_name_problems(instances: &[StackInstance]) -> Vec<Diagnostic> {
    StackNames::default().check(instances)
}

/// [`stack_name_problems`] over instances that come a few at a time: remembers each name (with its
/// account, region, environment and stack) so that a later instance is checked against every earlier one.
#[derive(Debug, Default)]
pub struct StackNames {
    /// (stack name, account, region), each with its first claimant.
    seen: Claims<(String, String, String)>,
}

impl StackNames {
    /// The problems of `instances`, checked against each other and every instance checked before.
    pub fn check(&mut self, instances: &[StackInstance]) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        // Only the stacks compiled for CloudFormation (their declared targets) get a stack name.
        for instance in instances.iter().filter(|i| {
            i.targets
                .contains(&stackwright_core::Target::CloudFormation)
        }) {
            let env = instance.environment;
            let stack = instance.stack.name();
            let name = stack_name(instance.app, &env.name, stack);
            let at = |d: Diagnostic| d.in_environment(&env.name).in_stack(stack).at(env.location);
            if name.len() > STACK_NAME_LIMIT {
                problems.push(at(Diagnostic::new(format!(
                    "CloudFormation stack name `{name}` is {} characters long; CloudFormation allows at most \
                     {STACK_NAME_LIMIT}: shorten the app, environment or stack name",
                    name.len()
                ))));
            }
            let key = (name, env.account.clone(), env.region.clone());
            let name = key.0.clone();
            if let Some(first) = self.seen.claim(key, instance) {
                problems.push(at(Diagnostic::new(format!(
                    "environment `{}` stack `{stack}` and environment `{}` stack `{}` (declared at {}:{}) both \
                     deploy to CloudFormation stack `{name}` in account {} region {}: the second deploy would \
                     replace the first; rename an environment or a stack",
                    env.name,
                    first.environment,
                    first.stack,
                    first.location.file(),
                    first.location.line(),
                    env.account,
                    env.region
                ))));
            }
        }
        problems
    }
}

/// Resource types whose creation CloudFormation makes the caller acknowledge with `CAPABILITY_IAM`
/// (`CAPABILITY_NAMED_IAM` when they have custom names), from the CreateStack `Capabilities` reference.
const IAM_TYPES: [&str; 8] = [
    "AWS::IAM::AccessKey",
    "AWS::IAM::Group",
    "AWS::IAM::InstanceProfile",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Policy",
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::IAM::UserToGroupAddition",
];

/// The `--capabilities` a template needs: `CAPABILITY_IAM` and `CAPABILITY_NAMED_IAM` when it has a resource
/// of an IAM type (both, so that giving a role a name later does not change the deploy command; the named
/// capability includes the other), `CAPABILITY_AUTO_EXPAND` when it has a `Transform` or a nested stack
/// (whose template may hold macros). Empty when it needs none.
pub fn capabilities(template: &Json) -> Vec<&'static str> {
    let types: Vec<&str> = template
        .get("Resources")
        .and_then(Json::as_object)
        .into_iter()
        .flat_map(|r| r.values())
        .filter_map(|r| r.get("Type").and_then(Json::as_str))
        .collect();
    let mut needed = Vec::new();
    if types.iter().any(|t| IAM_TYPES.contains(t)) {
        needed.extend(["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]);
    }
    if template.get("Transform").is_some() || types.contains(&"AWS::CloudFormation::Stack") {
        needed.push("CAPABILITY_AUTO_EXPAND");
    }
    needed
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn capabilities_follow_the_template() {
        assert!(capabilities(&json!({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}})).is_empty());
        assert_eq!(
            capabilities(&json!({"Resources": {"R": {"Type": "AWS::IAM::Role"}}})),
            ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]
        );
        assert_eq!(
            capabilities(&json!({"Transform": "AWS::Serverless-2016-10-31", "Resources": {}})),
            ["CAPABILITY_AUTO_EXPAND"]
        );
        assert!(capabilities(&json!(null)).is_empty());
    }
}
