use serde_json::Value as Json;
use stackwright_core::ids::Namespace;
use stackwright_core::{Diagnostic, Stack};

/// The Terraform name of every resource (or data source), variable and output of a module.
pub(crate) struct Names {
    pub resources: Vec<String>,
    pub variables: Vec<String>,
    pub outputs: Vec<String>,
}

/// Terraform names are the user's ids in snake case: `NotebookService-1` becomes `notebook_service_1`.
pub(crate) fn snake_case(user_id: &str) -> String {
    let chars: Vec<char> = user_id.chars().collect();
    let mut out = String::with_capacity(user_id.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c == '-' || c == '_' {
            out.push('_');
        } else if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let starts_word = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                // The last capital of an acronym starts the next word: `HTTPSListener` -> `https_listener`.
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if starts_word {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A content-derived name for an item of a per-item block a resource splits into (a role's policy
/// attachments, a security group's rules): `{prefix}_{part}_{part}...`, each part the text of what the
/// item refers to (a literal, the name of the referenced resource, the policy's name in a literal ARN) as
/// an identifier, empty parts left out. Positional names (`web_ingress_1`) made an inserted item rewrite
/// every later one and a reorder rewrite both; content names make an insert one add and a reorder no
/// change.
pub(crate) fn item_name(prefix: &str, parts: &[Json]) -> String {
    let mut name = prefix.to_owned();
    for part in parts {
        let part = identifier_part(&text(part));
        if !part.is_empty() {
            name.push('_');
            name.push_str(&part);
        }
    }
    name
}

/// `name`, or `name_2`, `name_3`, ... when an earlier block of the same resource took it.
pub(crate) fn unique_in(taken: &mut Vec<String>, name: String) -> String {
    let mut candidate = name.clone();
    let mut n = 1;
    while taken.contains(&candidate) {
        n += 1;
        candidate = format!("{name}_{n}");
    }
    taken.push(candidate.clone());
    candidate
}

/// The text of a lowered value: a literal, or the resource a reference names
/// (`${aws_security_group.lb.id}` -> `lb`), the last segment of an ARN (`arn:aws:iam::aws:policy/ReadOnly`
/// -> `ReadOnly`).
fn text(value: &Json) -> String {
    let raw = match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(inner) = raw.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        let parts: Vec<&str> = inner.split('.').collect();
        return match parts.as_slice() {
            // resource reference: type.name.attribute
            [_, name, _] => (*name).to_owned(),
            // data source, variable, ...: drop the `data`/`var` prefix and the attribute
            ["data", _, name, ..] => (*name).to_owned(),
            _ => inner.to_owned(),
        };
    }
    if raw.starts_with("arn:") && !raw.contains('/') {
        return raw;
    }
    if raw.starts_with("arn:") {
        return raw.rsplit('/').next().unwrap_or(&raw).to_owned();
    }
    raw
}

/// Lowercase snake case of `text` with every run of other characters one `_`: a name Terraform accepts.
fn identifier_part(text: &str) -> String {
    let snake = snake_case(text);
    let mut out = String::with_capacity(snake.len());
    for c in snake.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

impl Names {
    /// Derives every name and reports each collision, naming both declarations. Returns the namespace of
    /// resources and data sources too: blocks a kind splits into (security group rules, a certificate's
    /// validation, a bucket's versioning) claim their names in it when they are emitted.
    ///
    /// Resources and data sources share one namespace even across types: Terraform would accept
    /// `aws_vpc.main` beside `aws_subnet.main`, but checkov and people reading plans name resources without
    /// the type, so a clash is confusing at best.
    pub fn assign(stack: &Stack, problems: &mut Vec<Diagnostic>) -> (Self, Namespace) {
        let mut taken = Namespace::new("Terraform name");
        let resources = stack
            .resources()
            .iter()
            .map(|r| taken.claim_resource(stack, snake_case(&r.id), &r.id, r.location, problems))
            .collect();
        // Variables hold both parameters and lookups' parameter names (which reuse the lookup's name).
        let mut variable_names = Namespace::new("Terraform name");
        let mut variables: Vec<String> = stack
            .parameters()
            .iter()
            .map(|p| variable_names.claim(snake_case(&p.id), &p.id, p.location, problems))
            .collect();
        for r in stack
            .resources()
            .iter()
            .filter(|r| r.kind == stackwright_aws::kinds::SSM_PARAMETER_LOOKUP)
        {
            variable_names.claim(snake_case(&r.id), &r.id, r.location, problems);
        }
        variables.shrink_to_fit();
        let mut output_names = Namespace::new("Terraform name");
        let outputs = stack
            .outputs()
            .iter()
            .map(|o| output_names.claim(snake_case(&o.id), &o.id, o.location, problems))
            .collect();
        let names = Names {
            resources,
            variables,
            outputs,
        };
        (names, taken)
    }
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn snake_case_names() {
        for (id, name) in [
            ("NotebookService-1", "notebook_service_1"),
            ("Vpc", "vpc"),
            ("VPC", "vpc"),
            ("HTTPSListener", "https_listener"),
            ("public_subnet", "public_subnet"),
            ("Web2Server", "web2_server"),
            ("AmiId", "ami_id"),
        ] {
            assert_eq!(snake_case(id), name, "{id}");
        }
    }
}
