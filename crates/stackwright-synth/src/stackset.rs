//! A fleet's StackSet from an app: the CloudFormation templates of its member environments, synthesized
//! as for `synth`, compiled by `stackwright_stackset::compile`, with each difference located at the
//! resource's declaration.

use crate::artifact::{Request, Target};
use crate::fleets::global_names;
use crate::pipeline::synthesize;
use stackwright_core::{AnyApp, Diagnostic, Location, Selection};
use stackwright_stackset::{DeploymentTarget, Fleet, MemberTemplate, StackSet};
use std::collections::HashMap;

/// Compiles `fleet` of `app`: its StackSet template and administration stack, or every problem (the
/// definition's, the API's limits, and each property whose value differs between members).
pub fn stack_set(app: &dyn AnyApp, fleet: &Fleet) -> Result<StackSet, Vec<Diagnostic>> {
    if let Some(why) =
        crate::fleets::unknown_environment(app, "administrator", &fleet.administrator)
    {
        let mut problem = Diagnostic::new(format!("fleet `{}`: {why}", fleet.name));
        problem.stack = Some(fleet.stack.clone());
        return Err(vec![problem]);
    }
    let environments: Vec<String> = fleet
        .members
        .iter()
        .map(|m| m.environment.clone())
        .collect();
    // An app that declares fleets compiles them in any synthesis, which must then select each one whole:
    // synthesize every environment.
    let declares = app
        .extensions()
        .get::<stackwright_stackset::Fleets>()
        .is_some_and(|f| !f.declared.is_empty());
    let request = Request {
        environments: if declares {
            Vec::new()
        } else {
            environments.clone()
        },
        targets: vec![Target::CloudFormation],
    };
    let synthesis = synthesize(app, &request)?;
    let mut documents = Vec::new();
    let mut problems = Vec::new();
    // The members without the fleet's stack: one problem for all of them (one mistake, one error).
    let mut lacking: Vec<&str> = Vec::new();
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
            None => lacking.push(env),
        }
    }
    if !lacking.is_empty() {
        let mut stacks: Vec<&str> = synthesis
            .artifacts
            .iter()
            .filter(|a| a.environment == lacking[0] && !a.removed)
            .map(|a| a.stack.as_str())
            .collect();
        stacks.dedup();
        let names = |list: &[&str]| {
            list.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        problems.push(Diagnostic::new(format!(
            "fleet `{}`: {} of its {} members ({}) have no stack `{}`: every member must declare the fleet's \
             stack; `{}` has {}",
            fleet.name,
            lacking.len(),
            environments.len(),
            names(&lacking),
            fleet.stack,
            lacking[0],
            if stacks.is_empty() {
                "no stack".to_owned()
            } else {
                format!("stacks {}", names(&stacks))
            }
        )));
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
    let shared = shared_global_names(app, fleet, &members);
    if !shared.is_empty() {
        return Err(shared);
    }
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

/// Names that every account of an organizational unit would share. A member that targets an
/// organizational unit deploys one template with one set of parameters to each of its accounts; only the
/// account id differs (it becomes `AWS::AccountId`). A physical name unique across accounts (an S3
/// bucket's) that does not hold the account would be taken by the first account and refused to the
/// others, so each is a located error.
fn shared_global_names(
    app: &dyn AnyApp,
    fleet: &Fleet,
    members: &[MemberTemplate],
) -> Vec<Diagnostic> {
    let units: HashMap<&str, &str> = fleet
        .members
        .iter()
        .filter_map(|m| match &m.target {
            DeploymentTarget::OrganizationalUnit(ou) => Some((m.environment.as_str(), ou.as_str())),
            DeploymentTarget::Account => None,
        })
        .collect();
    if units.is_empty() {
        return Vec::new();
    }
    let accounts: HashMap<&str, &str> =
        members.iter().map(|m| (m.environment, m.account)).collect();
    let instantiation = app.instantiate(&Selection {
        // In the fleet's order, so that the problems are.
        environments: fleet
            .members
            .iter()
            .filter(|m| units.contains_key(m.environment.as_str()))
            .map(|m| m.environment.clone())
            .collect(),
        kept: Vec::new(),
    });
    let mut problems = Vec::new();
    for instance in &instantiation.instances {
        let env = instance.environment.name.as_str();
        if let (Some(unit), Some(account)) = (units.get(env), accounts.get(env)) {
            problems.extend(global_names(fleet, unit, account, instance));
        }
    }
    problems
}
