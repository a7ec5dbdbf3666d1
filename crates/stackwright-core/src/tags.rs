//! Default tags: every taggable resource gets the standard tags, then the app's, then its environment's;
//! a tag set on the resource itself wins over all of them.

use crate::app::EnvSpec;
use crate::expr::Expr;

/// Tags one AWS resource can carry ("Tag restrictions" in the AWS tagging guide); Terraform and
/// CloudFormation both pass the merged set to the service.
pub const MAX_PER_RESOURCE: usize = 50;
/// Longest tag key, in characters.
pub const MAX_KEY_CHARS: usize = 128;
/// Longest tag value, in characters.
pub const MAX_VALUE_CHARS: usize = 256;

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

/// What is wrong with a resource's own tags, merged over the environment's `defaults` (already checked
/// by [`problems`]): each key and literal value as there, and the merged count. Allocates only to report.
pub(crate) fn resource_problems(
    defaults: &[(String, String)],
    tags: &[(String, Expr)],
) -> Vec<String> {
    let mut problems = Vec::new();
    for (key, value) in tags {
        if let Some(problem) = key_problem(key) {
            problems.push(problem);
        }
        let length = value.as_literal().map_or(0, |v| v.chars().count());
        if length > MAX_VALUE_CHARS {
            problems.push(value_problem(key, length));
        }
    }
    let own = tags
        .iter()
        .filter(|(k, _)| !defaults.iter().any(|(d, _)| d == k))
        .count();
    if defaults.len() <= MAX_PER_RESOURCE && defaults.len() + own > MAX_PER_RESOURCE {
        problems.push(count_problem(defaults.len() + own, defaults.len()));
    }
    problems
}

fn key_problem(key: &str) -> Option<String> {
    let length = key.chars().count();
    (length == 0 || length > MAX_KEY_CHARS || key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:"))).then(|| {
        format!(
            "invalid tag key `{key}`: expected 1 to {MAX_KEY_CHARS} characters, not starting with `aws:` \
             (reserved by AWS)"
        )
    })
}

fn value_problem(key: &str, length: usize) -> String {
    format!("tag `{key}` has a value of {length} characters: expected at most {MAX_VALUE_CHARS}")
}

fn count_problem(count: usize, defaults: usize) -> String {
    format!(
        "{count} tags ({defaults} from the app and environment): AWS allows at most {MAX_PER_RESOURCE} \
         per resource; drop some or combine them into one tag"
    )
}

/// What is wrong with a list of tags: keys of 1 to 128 characters not starting with `aws:` (reserved by
/// AWS), values of at most 256 characters, no key twice.
pub(crate) fn problems(tags: &[(String, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, (key, value)) in tags.iter().enumerate() {
        if let Some(problem) = key_problem(key) {
            problems.push(problem);
        }
        if value.chars().count() > MAX_VALUE_CHARS {
            problems.push(value_problem(key, value.chars().count()));
        }
        if tags[..i].iter().any(|(k, _)| k == key) {
            problems.push(format!("duplicate tag key `{key}`"));
        }
    }
    problems
}
