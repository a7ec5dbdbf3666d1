//! The syntax of user ids (resources, parameters, outputs, environments, stacks).
//!
//! Ids are part of the user's contract: targets derive logical ids and names from them, and a changed id
//! replaces a resource. So an id that is not valid is rejected, never silently rewritten.

use crate::diagnostic::{Diagnostic, Location};
use std::collections::hash_map::Entry;
use std::collections::HashMap;

/// Longest accepted id; leaves room for target-specific suffixes under CloudFormation's 255-character limit.
pub const MAX_LEN: usize = 200;

/// An id starts with an ASCII letter and continues with ASCII letters, digits, `-` or `_`.
pub fn validate(id: &str) -> Result<(), String> {
    let mut chars = id.chars();
    match chars.next() {
        None => return Err("expected a non-empty id".into()),
        Some(c) if !c.is_ascii_alphabetic() => {
            return Err(format!(
                "expected it to start with an ASCII letter, found `{c}`"
            ))
        }
        Some(_) => {}
    }
    if let Some(c) = chars.find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        return Err(format!(
            "expected only ASCII letters, digits, `-` and `_`, found `{c}`"
        ));
    }
    if id.len() > MAX_LEN {
        return Err(format!(
            "expected at most {MAX_LEN} characters, found {}",
            id.len()
        ));
    }
    Ok(())
}

/// Environment and stack names also become path segments and deployed stack names, so they are lowercase
/// letters, digits and `-`, starting with a letter.
pub fn validate_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    match chars.next() {
        None => return Err("expected a non-empty name".into()),
        Some(c) if !c.is_ascii_lowercase() => {
            return Err(format!(
                "expected it to start with a lowercase ASCII letter, found `{c}`"
            ))
        }
        Some(_) => {}
    }
    if let Some(c) = chars.find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')) {
        return Err(format!(
            "expected only lowercase ASCII letters, digits and `-`, found `{c}`"
        ));
    }
    if name.len() > 64 {
        return Err(format!(
            "expected at most 64 characters, found {}",
            name.len()
        ));
    }
    Ok(())
}

/// An AWS account id is exactly 12 ASCII digits (leading zeros included).
pub fn validate_account(account: &str) -> Result<(), String> {
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("expected exactly 12 digits".into())
    }
}

/// Names a target derives from user ids, so that two ids that become one name are reported, naming both
/// declarations, instead of one resource silently taking the other's name.
pub struct Namespace {
    /// What the derived names are, for messages: `CloudFormation logical id`, `Terraform name`.
    what: &'static str,
    /// Each name's first claimant. Only looked up, never iterated: a hash map (std's SipHash, as the
    /// names come from the user), so that claiming the names of a stack of n declarations is O(n).
    owners: HashMap<String, (String, Location)>,
}

impl Namespace {
    pub fn new(what: &'static str) -> Self {
        Namespace {
            what,
            owners: HashMap::new(),
        }
    }

    /// Whether some declaration already has `name`.
    pub fn is_claimed(&self, name: &str) -> bool {
        self.owners.contains_key(name)
    }

    /// [`Namespace::claim`] for resource `user_id` of `stack`: a collision with a part a composite
    /// named after its id (`<id>-Logs`) is said in the composite's words and the same way in every
    /// target, so that it is one error however many targets find it.
    pub fn claim_resource(
        &mut self,
        stack: &crate::Stack,
        name: String,
        user_id: &str,
        at: Location,
        problems: &mut Vec<Diagnostic>,
    ) -> String {
        let Some((other, first)) = self.owners.get(&name) else {
            return self.claim(name, user_id, at, problems);
        };
        if other == user_id {
            return name;
        }
        // The earlier of the two is said with where it was declared; the error is at the later.
        let declared = format!(" (declared at {}:{})", first.file(), first.line());
        let (what, composite, part, plain, composite_at, plain_at) =
            match (stack.composite_part(user_id), stack.composite_part(other)) {
                (Some((what, composite)), _) => (
                    what,
                    composite,
                    user_id,
                    other.as_str(),
                    "",
                    declared.as_str(),
                ),
                (None, Some((what, composite))) => (
                    what,
                    composite,
                    other.as_str(),
                    user_id,
                    declared.as_str(),
                    "",
                ),
                (None, None) => return self.claim(name, user_id, at, problems),
            };
        problems.push(
            Diagnostic::new(format!(
                "{what} `{composite}`{composite_at} names its part `{part}` after its id, and \
                 `{plain}`{plain_at} differs from it only in `-`, `_` or letter case, which the \
                 targets' resource names drop: rename one of them"
            ))
            .for_resource(if part == user_id { composite } else { user_id })
            .at(at),
        );
        name
    }

    /// Claims `name`, derived from `user_id` declared `at`; returns the name either way.
    pub fn claim(
        &mut self,
        name: String,
        user_id: &str,
        at: Location,
        problems: &mut Vec<Diagnostic>,
    ) -> String {
        match self.owners.entry(name.clone()) {
            // The same user id twice is reported once, by the stack, as a duplicate.
            Entry::Occupied(owner) if owner.get().0 == user_id => {}
            Entry::Occupied(owner) => {
                let (other, first) = owner.get();
                problems.push(
                Diagnostic::new(format!(
                    "`{user_id}` and `{other}` (declared at {}:{}) both become {} `{name}`: rename one of them",
                    first.file(),
                    first.line(),
                    self.what
                ))
                .for_resource(user_id)
                .at(at),
                )
            }
            Entry::Vacant(slot) => {
                slot.insert((user_id.to_owned(), at));
            }
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for ok in ["Vpc", "NotebookService-1", "a_b", "X9"] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
        for bad in ["", "1abc", "-x", "a b", "a.b", "é"] {
            assert!(validate(bad).is_err(), "{bad}");
        }
        assert!(validate(&"a".repeat(MAX_LEN + 1)).is_err());
    }

    #[test]
    fn names() {
        assert_eq!(validate_name("prod-oregon"), Ok(()));
        for bad in ["Prod", "prod_oregon", "", "9x", "a.b"] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
    }
}
