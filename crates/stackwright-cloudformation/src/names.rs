use stackwright_core::ids::Namespace;
use stackwright_core::{Diagnostic, Stack};

/// The logical id of every resource, parameter and output of a template.
pub(crate) struct LogicalIds {
    pub resources: Vec<String>,
    pub parameters: Vec<String>,
    pub outputs: Vec<String>,
    /// Declared renames whose logical id changes: (old logical id, new logical id).
    pub renames: Vec<(String, String)>,
}

/// CloudFormation logical ids are alphanumeric: the user's id without `-` and `_`.
pub fn logical_id(user_id: &str) -> String {
    // Most ids have nothing to remove: copied whole rather than char by char.
    if user_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return user_id.to_owned();
    }
    user_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

impl LogicalIds {
    /// Derives every logical id and reports each collision, naming both declarations. Returns the
    /// namespace of resources and parameters too: secondary resources a kind lowers to (an internet
    /// gateway's attachment, a bucket's policy) claim their ids in it when they are emitted.
    pub fn assign(stack: &Stack, problems: &mut Vec<Diagnostic>) -> (Self, Namespace) {
        // Resources and parameters share one namespace (both are targets of `Ref`); outputs have their own.
        let mut taken = Namespace::new("CloudFormation logical id");
        let parameters = stack
            .parameters()
            .iter()
            .map(|p| taken.claim(logical_id(&p.id), &p.id, p.location, problems))
            .collect();
        let resources = stack
            .resources()
            .iter()
            .map(|r| taken.claim_resource(stack, logical_id(&r.id), &r.id, r.location, problems))
            .collect::<Vec<String>>();
        let mut renames = Vec::new();
        for (resource, id) in stack.resources().iter().zip(&resources) {
            let Some(old) = resource.renamed_from.as_deref().map(logical_id) else {
                continue;
            };
            if old == *id {
                continue;
            }
            if taken.is_claimed(&old) {
                problems.push(
                    Diagnostic::new(format!(
                        "`{}` is renamed from logical id `{old}`, but another declaration now has that \
                         logical id",
                        resource.id
                    ))
                    .for_resource(&resource.id)
                    .at(resource.location),
                );
            }
            renames.push((old, id.clone()));
        }
        let mut output_names = Namespace::new("CloudFormation logical id");
        let outputs = stack
            .outputs()
            .iter()
            .map(|o| output_names.claim(logical_id(&o.id), &o.id, o.location, problems))
            .collect();
        let ids = LogicalIds {
            resources,
            parameters,
            outputs,
            renames,
        };
        (ids, taken)
    }
}
