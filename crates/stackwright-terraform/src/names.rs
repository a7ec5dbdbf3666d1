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

/// Suffixes of the rule resources a security group splits into.
pub(crate) fn rule_name(group: &str, direction: &str, number: usize) -> String {
    format!("{group}_{direction}_{number}")
}

/// Names of the validation records (one `for_each` block) and the validation wait of a certificate.
pub(crate) fn certificate_validation_names(certificate: &str) -> [String; 2] {
    [
        format!("{certificate}_validation_record"),
        format!("{certificate}_validation"),
    ]
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
            .map(|r| taken.claim(snake_case(&r.id), &r.id, r.location, problems))
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
