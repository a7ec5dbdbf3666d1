//! Resources that exist outside the app (`Vpc::from_id(..)`): every reference to one of their known
//! attributes becomes the known value, in any stack of the environment, so that targets never see them.

use crate::diagnostic::{Diagnostic, Location};
use crate::expr::{AttrRef, Expr};
use crate::instantiate::StackInstance;
use crate::stack::ResourceRef;
use std::collections::BTreeMap;

struct Known {
    id: String,
    attributes: Vec<(&'static str, Expr)>,
}

/// Replaces references to existing resources by their values, drops `depends_on` on them, and returns
/// (instance index, problem) for each reference to an attribute whose value is not known.
pub(crate) fn resolve(instances: &mut [StackInstance]) -> Vec<(usize, Diagnostic)> {
    let mut known: BTreeMap<ResourceRef, Known> = BTreeMap::new();
    for instance in instances.iter() {
        for (index, resource) in instance.stack.resources().iter().enumerate() {
            if let Some(attributes) = &resource.existing {
                let at = ResourceRef {
                    scope: instance.stack.scope(),
                    index: index as u32,
                };
                let id = resource.id.clone();
                let attributes = attributes.clone();
                known.insert(at, Known { id, attributes });
            }
        }
    }
    let mut problems = Vec::new();
    if known.is_empty() {
        return problems;
    }
    for (here, instance) in instances.iter_mut().enumerate() {
        let mut unknown: Vec<(String, Location, &'static str, String, Vec<&'static str>)> =
            Vec::new();
        for resource in &mut instance.stack.resources {
            let (user, at) = (resource.id.clone(), resource.location);
            resource.depends_on.retain(|d| !known.contains_key(d));
            resource.for_each_expr_mut(&mut |e| {
                e.replace_attrs(&mut |a| substitute(&known, a, &user, at, &mut unknown))
            });
        }
        for output in &mut instance.stack.outputs {
            let (user, at) = (output.id.clone(), output.location);
            output
                .value
                .replace_attrs(&mut |a| substitute(&known, a, &user, at, &mut unknown));
        }
        unknown.dedup();
        for (user, at, attr, target, attributes) in unknown {
            instance.links.rejected += 1;
            let message = format!(
                "`{user}` uses `{attr}` of `{target}`, which exists outside the app with only {} known: \
                 use one of those, or pass the value where `{target}` is declared",
                attributes
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            problems.push((here, Diagnostic::new(message).for_resource(&user).at(at)));
        }
    }
    problems
}

fn substitute(
    known: &BTreeMap<ResourceRef, Known>,
    attr: &AttrRef,
    user: &str,
    at: Location,
    unknown: &mut Vec<(String, Location, &'static str, String, Vec<&'static str>)>,
) -> Option<Expr> {
    let existing = known.get(&attr.resource)?;
    match existing
        .attributes
        .iter()
        .find(|(name, _)| *name == attr.attr)
    {
        Some((_, value)) => Some(value.clone()),
        None => {
            let names = existing.attributes.iter().map(|(n, _)| *n).collect();
            unknown.push((user.to_owned(), at, attr.attr, existing.id.clone(), names));
            None
        }
    }
}
