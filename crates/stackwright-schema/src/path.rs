use std::fmt;

/// How a path steps into lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathStyle {
    /// CloudFormation: `BlockDeviceMappings/*/Ebs`; a `*` segment matches any list index.
    Explicit,
    /// Terraform: `root_block_device.encrypted`; list indices are not written, so index segments of a
    /// concrete path (`root_block_device.0.encrypted`) are skipped when matching.
    Implicit,
}

/// A property path of the schema data (create-only, force-new, ...), as segments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropertyPath {
    segments: Vec<String>,
    text: String,
    style: PathStyle,
}

/// How a concrete path relates to a [`PropertyPath`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathMatch<'a> {
    /// The concrete path is the pattern's path or lies under it: a change there is a change of the pattern.
    Covers,
    /// The concrete path lies above the pattern; these segments of the pattern remain below it. Whether a
    /// change there changes the pattern's value depends on what under it changed.
    Above(&'a [String]),
    Unrelated,
}

impl PropertyPath {
    /// A CloudFormation registry path, `/properties/BlockDeviceMappings/*/Ebs`.
    pub(crate) fn from_registry(pointer: &str) -> Self {
        let rest = pointer.strip_prefix("/properties/").unwrap_or(pointer);
        PropertyPath {
            segments: rest.split('/').map(str::to_owned).collect(),
            text: rest.to_owned(),
            style: PathStyle::Explicit,
        }
    }

    /// A Terraform attribute or block path, `root_block_device.encrypted`.
    pub(crate) fn from_dotted(path: &str) -> Self {
        PropertyPath {
            segments: path.split('.').map(str::to_owned).collect(),
            text: path.to_owned(),
            style: PathStyle::Implicit,
        }
    }

    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    pub fn style(&self) -> PathStyle {
        self.style
    }

    /// As written in the documentation of its engine: `BlockDeviceMappings/*/Ebs`, `root_block_device.encrypted`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Relates a concrete path (property names and list indices, e.g. `["BlockDeviceMappings", "0",
    /// "Ebs"]`) to this path.
    pub fn matches<S: AsRef<str>>(&self, path: &[S]) -> PathMatch<'_> {
        let mut pattern = self.segments.iter().enumerate();
        for segment in path.iter().map(AsRef::as_ref) {
            if self.style == PathStyle::Implicit && is_index(segment) {
                continue;
            }
            match pattern.next() {
                None => return PathMatch::Covers,
                Some((_, p)) if p == "*" || p == segment => {}
                Some(_) => return PathMatch::Unrelated,
            }
        }
        match pattern.next() {
            None => PathMatch::Covers,
            Some((i, _)) => PathMatch::Above(&self.segments[i..]),
        }
    }
}

impl fmt::Display for PropertyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A list index in a concrete path.
pub(crate) fn is_index(segment: &str) -> bool {
    !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit())
}

/// The replacement a change at `path` causes, given the paths that always and conditionally replace.
pub(crate) fn replacement<'a, S: AsRef<str>>(
    path: &[S],
    always: impl IntoIterator<Item = &'a PropertyPath>,
    conditional: impl IntoIterator<Item = &'a PropertyPath>,
) -> crate::Replacement {
    use crate::Replacement;
    let mut verdict = Replacement::Never;
    for p in always {
        match p.matches(path) {
            PathMatch::Covers => return Replacement::Always,
            PathMatch::Above(_) => verdict = Replacement::Conditional,
            PathMatch::Unrelated => {}
        }
    }
    for p in conditional {
        if p.matches(path) != PathMatch::Unrelated {
            verdict = Replacement::Conditional;
        }
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_paths_match_list_items_with_a_star() {
        let p = PropertyPath::from_registry("/properties/BlockDeviceMappings/*/Ebs");
        assert_eq!(p.as_str(), "BlockDeviceMappings/*/Ebs");
        assert_eq!(
            p.matches(&["BlockDeviceMappings", "0", "Ebs", "Encrypted"]),
            PathMatch::Covers
        );
        assert_eq!(
            p.matches(&["BlockDeviceMappings"]),
            PathMatch::Above(&["*".to_owned(), "Ebs".to_owned()])
        );
        assert_eq!(
            p.matches(&["BlockDeviceMappings", "0", "DeviceName"]),
            PathMatch::Unrelated
        );
        assert_eq!(p.matches(&["ImageId"]), PathMatch::Unrelated);
    }

    #[test]
    fn implicit_paths_skip_list_indices() {
        let p = PropertyPath::from_dotted("root_block_device.encrypted");
        assert_eq!(
            p.matches(&["root_block_device", "0", "encrypted"]),
            PathMatch::Covers
        );
        assert_eq!(
            p.matches(&["root_block_device", "encrypted"]),
            PathMatch::Covers
        );
        assert_eq!(
            p.matches(&["root_block_device", "0", "volume_size"]),
            PathMatch::Unrelated
        );
        assert_eq!(
            p.matches(&["root_block_device"]),
            PathMatch::Above(&["encrypted".to_owned()])
        );
    }
}
