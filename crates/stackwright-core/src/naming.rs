//! Physical names: the names resources get in the cloud, when the user asks for one.
//!
//! A resource the user does not name gets no physical name: the engine generates a unique one, so a second
//! copy of an environment never collides with the first. A named resource gets the app's naming pattern
//! applied to the name the user gave (`{app}-{env}-{name}` by default, so `web` in environment `prod` of
//! app `shop` becomes `shop-prod-web`), and the result is checked against the rule of the resource's type.

use std::fmt::Debug;

/// The pattern used when the app sets none.
pub const DEFAULT_PATTERN: &str = "{app}-{env}-{name}";

/// What the pattern may contain, besides literal text.
const PLACEHOLDERS: [&str; 6] = ["app", "env", "stack", "account", "region", "name"];

/// The constraints a resource type puts on its names (length, characters, case). Provider crates
/// implement it; the core only asks whether a name passes.
pub trait NameRule: Debug + Send + Sync {
    /// `Err` says what is wrong and what is expected, lowercase, without trailing period.
    fn check(&self, name: &str) -> Result<(), String>;

    /// Where no two resources of the type may share a name; instantiation checks it across every
    /// environment and stack of the app.
    fn uniqueness(&self) -> Uniqueness {
        Uniqueness::Region
    }
}

/// Where a physical name must be unique.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Uniqueness {
    /// In every account and region (S3 bucket names, in a partition).
    Global,
    /// In one account, whatever the region (IAM).
    Account,
    /// In one account and region (most types).
    Region,
    /// Inside a parent resource (security groups in a VPC): only twins in one stack are known to clash.
    Parent,
}

/// A physical name requested for a resource: the user's name, which [`Stack::add`](crate::Stack::add)
/// replaces by the app's pattern applied to it, and the rule of the resource's type.
#[derive(Clone, Debug)]
pub struct PhysicalName {
    pub name: String,
    pub rule: &'static dyn NameRule,
}

/// Everything a naming pattern can refer to, for one stack instance.
#[derive(Clone, Debug, Default)]
pub(crate) struct NameContext {
    pub pattern: String,
    pub app: String,
    pub env: String,
    pub stack: String,
    pub account: String,
    pub region: String,
}

impl NameContext {
    /// The pattern with each `{placeholder}` replaced; `name` fills `{name}`.
    pub fn expand(&self, name: &str) -> String {
        let mut out = String::new();
        let mut rest = self.pattern.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let key = &rest[open + 1..open + close];
            out.push_str(match key {
                "app" => &self.app,
                "env" => &self.env,
                "stack" => &self.stack,
                "account" => &self.account,
                "region" => &self.region,
                "name" => name,
                // `validate_pattern` rejects these before any stack is defined.
                _ => "",
            });
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// A pattern is literal text and known `{placeholders}`, and contains `{name}`, so that two named resources
/// of a stack can differ.
pub(crate) fn validate_pattern(pattern: &str) -> Result<(), String> {
    let mut rest = pattern;
    let mut has_name = false;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err("unmatched `}`".into());
        }
        let Some(close) = rest[open..].find('}') else {
            return Err("unclosed `{`".into());
        };
        let key = &rest[open + 1..open + close];
        if !PLACEHOLDERS.contains(&key) {
            return Err(format!(
                "unknown placeholder `{{{key}}}`: expected one of {}",
                PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
            ));
        }
        has_name |= key == "name";
        rest = &rest[open + close + 1..];
    }
    if !has_name {
        return Err("expected it to contain `{name}`".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_expand_and_are_checked() {
        let context = NameContext {
            pattern: "{app}-{env}-{stack}-{name}.{region}.{account}".into(),
            app: "shop".into(),
            env: "prod".into(),
            stack: "web".into(),
            account: "111111111111".into(),
            region: "us-west-2".into(),
        };
        assert_eq!(
            context.expand("lb"),
            "shop-prod-web-lb.us-west-2.111111111111"
        );
        assert_eq!(validate_pattern(DEFAULT_PATTERN), Ok(()));
        assert_eq!(validate_pattern("x-{name}-y"), Ok(()));
        for (bad, why) in [
            ("{app}-{env}", "expected it to contain `{name}`"),
            ("{app}-{nme}", "unknown placeholder `{nme}`"),
            ("{name", "unclosed `{`"),
            ("name}", "unmatched `}`"),
        ] {
            let error = validate_pattern(bad).unwrap_err();
            assert!(error.starts_with(why), "{bad}: {error}");
        }
    }
}
