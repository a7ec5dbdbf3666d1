//! Deletions AWS refuses while another resource still uses what goes, in the order Terraform runs them.
//!
//! Terraform deletes a removed or replaced resource before it updates the resources that referenced it,
//! unless the resource has `lifecycle.create_before_destroy` (then the new one is created first and the
//! old one deleted after its dependents moved). For most types the order does not matter; for the types
//! below AWS refuses the early deletion and the apply fails halfway.

use crate::document::View;
use crate::{Action, ResourceChange, Target};
use std::collections::HashSet;

/// Terraform types whose deletion AWS refuses while a remaining resource uses them, with what AWS answers.
const REFUSED_WHILE_IN_USE: &[(&str, &str)] = &[(
    "aws_lb_target_group",
    "ELB refuses to delete a target group a listener or rule still forwards to (ResourceInUse; \
     terraform-provider-aws#13294, #16889)",
)];

/// Warns on each destroyed or replaced resource of a [`REFUSED_WHILE_IN_USE`] type, without
/// `create_before_destroy` where Terraform reads it, that a resource which stays (updated or not)
/// references in the previous document: Terraform would delete it first, and AWS refuses.
pub(crate) fn warn(before: &View, after: &View, resources: &mut [ResourceChange]) {
    if before.target != Target::Terraform {
        return;
    }
    let goes: HashSet<&str> = resources
        .iter()
        .filter(|r| matches!(r.action, Action::Destroy | Action::Replace))
        .map(|r| r.address.as_str())
        .collect();
    let staying: HashSet<&str> = after
        .resources
        .iter()
        .map(|e| e.address.as_str())
        .filter(|a| !goes.contains(a))
        .collect();
    let (before_index, after_index) = (before.by_address(), after.by_address());
    let mut warnings = Vec::new();
    for (i, change) in resources.iter().enumerate() {
        if !matches!(change.action, Action::Destroy | Action::Replace) {
            continue;
        }
        let Some(&(_, refusal)) = REFUSED_WHILE_IN_USE
            .iter()
            .find(|(t, _)| *t == change.type_name)
        else {
            continue;
        };
        let Some(entry) = before_index.get(change.address.as_str()) else {
            continue;
        };
        // Terraform orders a replacement by the new block's lifecycle, and the deletion of a removed
        // resource by the one its state recorded: the previous block's.
        let governing = match change.action {
            Action::Replace => after_index.get(change.address.as_str()).unwrap_or(entry),
            _ => entry,
        };
        if governing.body.pointer("/lifecycle/create_before_destroy") == Some(&true.into()) {
            continue;
        }
        let users: Vec<&str> = before
            .resources
            .iter()
            .filter(|user| staying.contains(user.address.as_str()))
            .filter(|user| {
                let mut hit = false;
                crate::refs::for_each(Target::Terraform, user.body, &mut |n| {
                    hit |= n == change.address
                });
                hit
            })
            .map(|user| user.address.as_str())
            .collect();
        let Some(first) = users.first() else { continue };
        let named = if entry.body.get("name").is_some() {
            "give the group no custom name (Stackwright then sets `create_before_destroy`), or "
        } else {
            ""
        };
        warnings.push((
            i,
            format!(
                "Terraform deletes `{}` before it updates {}, and {refusal}, so the apply fails halfway; \
                 {named}apply the users first: `terraform apply -target={first}`, then `terraform apply`",
                change.address,
                users
                    .iter()
                    .map(|u| format!("`{u}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ));
    }
    for (i, warning) in warnings {
        resources[i].warnings.push(warning);
    }
}
