//! Checks of free text that AWS bounds.

use stackwright_core::Resource;

/// Sets text property `name` of `resource`, reporting text longer than `max` characters as `what`.
pub(crate) fn set_bounded(
    resource: &mut Resource,
    name: &'static str,
    what: &str,
    text: String,
    max: usize,
) {
    let length = text.chars().count();
    if length > max {
        resource.problems.push(format!(
            "{what} is {length} characters long: expected at most {max}"
        ));
    }
    resource.set(name, text);
}
