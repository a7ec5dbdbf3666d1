use stackwright_core::{Diagnostic, Location, Stack};
use std::collections::BTreeMap;

/// The logical id of every resource, parameter and output of a template.
pub(crate) struct LogicalIds {
    pub resources: Vec<String>,
    pub parameters: Vec<String>,
    pub outputs: Vec<String>,
}

/// CloudFormation logical ids are alphanumeric: the user's id without `-` and `_`.
pub(crate) fn logical_id(user_id: &str) -> String {
    user_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// Suffix of the `AWS::EC2::VPCGatewayAttachment` generated for an internet gateway.
pub(crate) const ATTACHMENT_SUFFIX: &str = "Attachment";

impl LogicalIds {
    /// Derives every logical id and reports each collision, naming both declarations.
    pub fn assign(stack: &Stack, problems: &mut Vec<Diagnostic>) -> Self {
        // Resources and parameters share one namespace (both are targets of `Ref`); outputs have their own.
        let mut taken = Namespace::default();
        let parameters = stack
            .parameters()
            .iter()
            .map(|p| taken.claim(logical_id(&p.id), &p.id, p.location, problems))
            .collect();
        let resources = stack
            .resources()
            .iter()
            .map(|r| {
                let id = taken.claim(logical_id(&r.id), &r.id, r.location, problems);
                if r.kind == stackwright_aws::kinds::INTERNET_GATEWAY {
                    taken.claim(
                        format!("{id}{ATTACHMENT_SUFFIX}"),
                        &r.id,
                        r.location,
                        problems,
                    );
                }
                id
            })
            .collect();
        let mut output_names = Namespace::default();
        let outputs = stack
            .outputs()
            .iter()
            .map(|o| output_names.claim(logical_id(&o.id), &o.id, o.location, problems))
            .collect();
        LogicalIds {
            resources,
            parameters,
            outputs,
        }
    }
}

#[derive(Default)]
struct Namespace {
    owners: BTreeMap<String, (String, Location)>,
}

impl Namespace {
    fn claim(
        &mut self,
        logical: String,
        user_id: &str,
        at: Location,
        problems: &mut Vec<Diagnostic>,
    ) -> String {
        match self.owners.get(&logical) {
            // The same user id twice is reported once, by the core, as a duplicate.
            Some((other, _)) if other == user_id => {}
            Some((other, first)) => problems.push(
                Diagnostic::new(format!(
                    "`{user_id}` and `{other}` (declared at {}:{}) both become CloudFormation logical id \
                     `{logical}`: rename one of them",
                    first.file(),
                    first.line()
                ))
                .for_resource(user_id)
                .at(at),
            ),
            None => {
                self.owners.insert(logical.clone(), (user_id.to_owned(), at));
            }
        }
        logical
    }
}
