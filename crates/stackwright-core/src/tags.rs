//! Default tags: every taggable resource gets the standard tags, then the app's, then its environment's;
//! a tag set on the resource itself wins over all of them.

use crate::app::EnvSpec;

/// The app's name (default: [`App::new`](crate::App::new)'s name).
pub const APP: &str = "app";
/// The environment's name (default: the environment's name).
pub const ENVIRONMENT: &str = "environment";
/// Who answers for the resources; no default (`App::tag(tags::OWNER, "data-platform")`).
pub const OWNER: &str = "owner";
/// Who pays for the resources; no default.
pub const COST_CENTER: &str = "cost-center";
/// What deploys the resources (default: [`MANAGED_BY_STACKWRIGHT`]), so nobody edits them by hand.
pub const MANAGED_BY: &str = "managed-by";
pub const MANAGED_BY_STACKWRIGHT: &str = "stackwright";

/// The tags of an environment's resources: standard, then the app's, then the environment's. A later key
/// replaces an earlier value in place, so the order of keys is stable.
pub(crate) fn defaults(
    app: &str,
    app_tags: &[(String, String)],
    env: &EnvSpec,
) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = vec![
        (APP.into(), app.into()),
        (ENVIRONMENT.into(), env.name.clone()),
        (MANAGED_BY.into(), MANAGED_BY_STACKWRIGHT.into()),
    ];
    for (key, value) in app_tags.iter().chain(&env.tags) {
        match tags.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.clone(),
            None => tags.push((key.clone(), value.clone())),
        }
    }
    tags
}

/// What is wrong with a list of tags: keys of 1 to 128 characters not starting with `aws:` (reserved by
/// AWS), values of at most 256 characters, no key twice.
pub(crate) fn problems(tags: &[(String, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, (key, value)) in tags.iter().enumerate() {
        let length = key.chars().count();
        if length == 0 || length > 128 || key.starts_with("aws:") {
            problems.push(format!(
                "invalid tag key `{key}`: expected 1 to 128 characters, not starting with `aws:`"
            ));
        }
        if value.chars().count() > 256 {
            problems.push(format!(
                "tag `{key}` has a value of {} characters: expected at most 256",
                value.chars().count()
            ));
        }
        if tags[..i].iter().any(|(k, _)| k == key) {
            problems.push(format!("duplicate tag key `{key}`"));
        }
    }
    problems
}
