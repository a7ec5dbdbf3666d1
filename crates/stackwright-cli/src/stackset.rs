//! A fleet's StackSet from an app: the CloudFormation templates of its member environments, synthesized
//! as for `synth`, compiled by `stackwright_stackset::compile`, with each difference located at the
//! resource's declaration.

use crate::synth::{synthesize, Request, Target};
use stackwright_core::{AnyApp, Diagnostic, Location, Selection};
use stackwright_stackset::{Fleet, MemberTemplate, StackSet};
use std::collections::HashMap;

/// Compiles `fleet` of `app`: its StackSet template and administration stack, or every problem (the
/// definition's, the API's limits, and each property whose value differs between members).
pub fn stack_set(app: &dyn AnyApp, fleet: &Fleet) -> Result<StackSet, Vec<Diagnostic>> {
    let environments: Vec<String> = fleet
        .members
        .iter()
        .map(|m| m.environment.clone())
        .collect();
    let request = Request {
        environments: environments.clone(),
        targets: vec![Target::CloudFormation],
    };
    let synthesis = synthesize(app, &request)?;
    let mut documents = Vec::new();
    let mut problems = Vec::new();
    for env in &environments {
        let artifact = synthesis
            .artifacts
            .iter()
            .find(|a| a.environment == *env && a.stack == fleet.stack && !a.removed);
        match artifact {
            Some(a) => match serde_json::from_slice::<serde_json::Value>(&a.bytes) {
                Ok(document) => documents.push((a, document)),
                Err(e) => problems.push(Diagnostic::new(format!(
                    "fleet `{}`: the template of `{env}` does not parse: {e}",
                    fleet.name
                ))),
            },
            None => problems.push(Diagnostic::new(format!(
                "fleet `{}`: environment `{env}` has no stack `{}`: every member must declare the fleet's stack",
                fleet.name, fleet.stack
            ))),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let members: Vec<MemberTemplate> = documents
        .iter()
        .map(|(a, document)| MemberTemplate {
            environment: &a.environment,
            account: &a.account,
            region: &a.region,
            template: document,
            capabilities: &a.capabilities,
        })
        .collect();
    match stackwright_stackset::compile(&synthesis.app, fleet, &members, &|_, _| None) {
        Ok(set) => Ok(set),
        Err(problems) if problems.iter().all(|p| p.resource.is_none()) => Err(problems),
        // Locate each difference at the declaration of its resource (CloudFormation's logical id is the
        // user's id without `-` and `_`).
        Err(_) => {
            let instantiation = app.instantiate(&Selection {
                environments,
                kept: Vec::new(),
            });
            let mut declared: HashMap<(String, String), Location> = HashMap::new();
            for instance in &instantiation.instances {
                if instance.stack.name() != fleet.stack {
                    continue;
                }
                for r in instance.stack.resources() {
                    declared.insert(
                        (
                            instance.environment.name.clone(),
                            stackwright_cloudformation::logical_id(&r.id),
                        ),
                        r.location,
                    );
                }
            }
            let locate =
                |env: &str, id: &str| declared.get(&(env.to_owned(), id.to_owned())).copied();
            stackwright_stackset::compile(&synthesis.app, fleet, &members, &locate)
        }
    }
}
