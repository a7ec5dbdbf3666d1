//! Input checks shared by builders. Each returns the problem as a message (lowercase, no trailing period)
//! naming the value received and the value expected; builders push it onto their resource.

use stackwright_core::Resource;

/// Checks that `value` lies in `min..=max`.
pub(crate) fn range(resource: &mut Resource, what: &str, value: i64, min: i64, max: i64) {
    if !(min..=max).contains(&value) {
        resource.problems.push(format!(
            "{what} is {value}: expected a value from {min} to {max}"
        ));
    }
}

/// Checks a TCP/UDP port number.
pub(crate) fn port(resource: &mut Resource, what: &str, port: u32) {
    range(resource, what, port.into(), 1, 65535);
}

/// Checks a DNS domain name (a trailing dot is allowed). With `allow_wildcard`, the leftmost label may be
/// `*`, as in certificates and records for `*.example.com`.
pub(crate) fn domain_name(text: &str, allow_wildcard: bool) -> Result<(), String> {
    let expected = "expected dot-separated labels of 1 to 63 letters, digits and hyphens \
                    (not starting or ending with a hyphen), at most 253 characters";
    let name = text.strip_suffix('.').unwrap_or(text);
    if name.is_empty() || name.len() > 253 {
        return Err(format!("invalid domain name `{text}`: {expected}"));
    }
    for (i, label) in name.split('.').enumerate() {
        if i == 0 && allow_wildcard && label == "*" {
            continue;
        }
        let valid = !label.is_empty()
            && label.len() <= 63
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !valid {
            let wildcard = if label.contains('*') && !allow_wildcard {
                " (a wildcard is not allowed here)"
            } else if label.contains('*') {
                " (`*` is allowed only as the whole leftmost label)"
            } else {
                ""
            };
            return Err(format!(
                "invalid domain name `{text}`: label `{label}`{wildcard}: {expected}"
            ));
        }
    }
    Ok(())
}

/// Whether `name` is `zone` or a name inside it; both may end with a dot, and case does not matter.
pub(crate) fn is_within_zone(name: &str, zone: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let zone = zone.trim_end_matches('.').to_ascii_lowercase();
    name == zone || name.ends_with(&format!(".{zone}"))
}

/// Sets text property `name` of `resource`, reporting text longer than `max` characters as `what`.
pub(crate) fn set_bounded(
    resource: &mut Resource,
    name: &'static str,
    what: &str,
    text: String,
    max: usize,
) {
    check_length(resource, what, &text, max);
    resource.set(name, text);
}

/// Reports `text` (`what`) longer than `max` characters on `resource`.
pub(crate) fn check_length(resource: &mut Resource, what: &str, text: &str, max: usize) {
    let length = text.chars().count();
    if length > max {
        resource.problems.push(format!(
            "{what} is {length} characters long: expected at most {max}"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_names() {
        for good in [
            "example.com",
            "example.com.",
            "a-b.example.com",
            "_dmarc.example.com",
        ] {
            assert!(domain_name(good, false).is_ok(), "{good}");
        }
        assert!(domain_name("*.example.com", true).is_ok());
        for bad in [
            "",
            ".",
            "-a.example.com",
            "a..example.com",
            "exa mple.com",
            "*.example.com",
            &"a".repeat(64),
        ] {
            assert!(domain_name(bad, false).is_err(), "{bad}");
        }
        assert!(domain_name("a.*.example.com", true).is_err());
    }

    #[test]
    fn zones() {
        assert!(is_within_zone("www.Example.com.", "example.com"));
        assert!(is_within_zone("example.com", "example.com."));
        assert!(!is_within_zone("badexample.com", "example.com"));
    }
}
