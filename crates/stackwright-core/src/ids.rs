//! The syntax of user ids (resources, parameters, outputs, environments, stacks).
//!
//! Ids are part of the user's contract: targets derive logical ids and names from them, and a changed id
//! replaces a resource. So an id that is not valid is rejected, never silently rewritten.

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
