//! Fleets declared on the app (`stackwright_stackset::StackSets::stack_set`) in a synthesis: each one's
//! administration stack becomes one more CloudFormation artifact of its administrator environment (stack
//! `<fleet>-stackset`), compiled from the members' templates as [`crate::stream`] lowers them,
//! and the members' own templates are marked as deployed by it (`deployed_by`). Every command then
//! handles the administration stack as any artifact; `list` and `ci` deploy it instead of the members.

use crate::artifact::{artifact_path, serialized_size, to_bytes, Artifact, Form, Listed, Lowered};
use serde_json::Value as Json;
use stackwright_core::naming::Uniqueness;
use stackwright_core::{AnyApp, Diagnostic, Location, StackInstance};
use stackwright_plan::Target;
use stackwright_stackset::{DeploymentTarget, Fleet, Fleets, MemberTemplate};
use std::collections::{HashMap, HashSet};

/// The fleets a synthesis compiles: those whose members and administrator are all selected, when
/// CloudFormation is.
#[derive(Default)]
pub struct Selected<'a> {
    fleets: Vec<Active<'a>>,
    /// (member environment, the fleet's stack) -> index into `fleets`.
    members: HashMap<(&'a str, &'a str), usize>,
    /// (administrator environment, administration stack) -> index into `fleets`.
    administrations: HashMap<(&'a str, String), usize>,
}

struct Active<'a> {
    fleet: &'a Fleet,
    location: Location,
    /// The administration stack's artifact path.
    path: String,
}

/// What a synthesis keeps of one member's instance for its fleet.
pub struct Captured {
    fleet: usize,
    environment: String,
    account: String,
    region: String,
    template: Json,
    capabilities: Vec<&'static str>,
    depends_on: Vec<String>,
    /// (logical id, declaration) of the instance's resources, to locate a difference.
    declared: Vec<(String, Location)>,
    /// Names every account of the member's organizational unit would share.
    problems: Vec<Diagnostic>,
}

/// The problem with a fleet as declared, at its declaration.
fn problem(fleet: &Fleet, location: Location, what: String) -> Diagnostic {
    Diagnostic::new(format!("fleet `{}`: {what}", fleet.name))
        .in_stack(&fleet.stack)
        .at(location)
}

/// That `name`, the fleet's `role`, is no environment of the app: `None` when it is one.
pub fn unknown_environment(app: &dyn AnyApp, role: &str, name: &str) -> Option<String> {
    if app.environment_specs().any(|e| e.name == name) {
        return None;
    }
    let known: Vec<&str> = app.environment_specs().map(|e| e.name.as_str()).collect();
    Some(format!(
        "its {role} `{name}` is not an environment of the app: expected one of {}",
        known.join(", ")
    ))
}

/// The fleets of `app` that a synthesis of `environments` (all when empty) for `targets` compiles, the
/// problems of their declarations, and, for a `--target` without CloudFormation (`explicit`), the
/// administration stacks left out, as [`crate::Streamed::skipped`] has them (still in the
/// definition). A fleet none of whose environments is selected is left as the tree has it; one with only
/// some selected is an error, as its stack set deploys every member's template at once.
pub fn select<'a>(
    app: &'a dyn AnyApp,
    environments: &[String],
    targets: &[Target],
    explicit: bool,
) -> (Selected<'a>, Vec<Diagnostic>, Vec<crate::artifact::Skipped>) {
    let mut selected = Selected::default();
    let mut problems = Vec::new();
    let mut skipped = Vec::new();
    let Some(declared) = app.extensions().get::<Fleets>() else {
        return (selected, problems, skipped);
    };
    let chosen = |env: &str| environments.is_empty() || environments.iter().any(|e| e == env);
    let mut names: HashMap<&str, Location> = HashMap::new();
    for (fleet, location) in &declared.declared {
        let location = *location;
        let before = problems.len();
        if let Some(first) = names.insert(&fleet.name, location) {
            problems.push(problem(
                fleet,
                location,
                format!(
                    "a fleet of this name is already declared at {}:{}: expected one name per fleet (it \
                     names the stack set and its administration stack)",
                    first.file(),
                    first.line()
                ),
            ));
        }
        if let Some(why) = unknown_environment(app, "administrator", &fleet.administrator) {
            problems.push(problem(fleet, location, why));
        }
        for m in &fleet.members {
            if let Some(why) = unknown_environment(app, "member", &m.environment) {
                problems.push(problem(fleet, location, why));
            }
        }
        let stack = fleet.administration_stack();
        if let Err(why) = stackwright_core::ids::validate_name(&stack) {
            problems.push(problem(
                fleet,
                location,
                format!(
                    "its administration stack would be named `{stack}`, not a stack name: {why}"
                ),
            ));
        } else {
            let name =
                stackwright_cloudformation::stack_name(app.name(), &fleet.administrator, &stack);
            if name.len() > stackwright_cloudformation::STACK_NAME_LIMIT {
                problems.push(problem(
                    fleet,
                    location,
                    format!(
                        "its administration stack's CloudFormation stack name `{name}` has {} characters, \
                         over the {} CloudFormation allows: shorten the fleet's name",
                        name.len(),
                        stackwright_cloudformation::STACK_NAME_LIMIT
                    ),
                ));
            }
        }
        if problems.len() > before {
            continue;
        }
        if !targets.contains(&Target::CloudFormation) {
            if explicit && chosen(&fleet.administrator) {
                for &target in targets {
                    skipped.push((
                        fleet.administrator.clone(),
                        stack.clone(),
                        target,
                        format!(
                            "the administration stack of fleet `{}`, CloudFormation only, declared at {}:{}",
                            fleet.name,
                            location.file(),
                            location.line()
                        ),
                    ));
                }
            }
            continue;
        }
        let mut group: Vec<&str> = vec![fleet.administrator.as_str()];
        for m in &fleet.members {
            if !group.contains(&m.environment.as_str()) {
                group.push(&m.environment);
            }
        }
        let (picked, left): (Vec<&str>, Vec<&str>) = group.iter().partition(|e| chosen(e));
        if picked.is_empty() {
            continue;
        }
        if !left.is_empty() {
            problems.push(problem(
                fleet,
                location,
                format!(
                    "`--env` selects {} of its environments but not {}: its administration stack deploys \
                     every member's template at once, so select all of them ({}) or none",
                    picked.join(", "),
                    left.join(", "),
                    group.join(", ")
                ),
            ));
            continue;
        }
        let index = selected.fleets.len();
        for m in &fleet.members {
            selected
                .members
                .insert((m.environment.as_str(), fleet.stack.as_str()), index);
        }
        selected
            .administrations
            .insert((fleet.administrator.as_str(), stack.clone()), index);
        selected.fleets.push(Active {
            fleet,
            location,
            path: artifact_path(Target::CloudFormation, &fleet.administrator, &stack),
        });
    }
    (selected, problems, skipped)
}

impl Selected<'_> {
    /// Whether `instance` is a member of a fleet compiled now (its template is kept for the fleet).
    pub fn is_member(&self, instance: &StackInstance) -> bool {
        !self.members.is_empty()
            && self
                .members
                .contains_key(&(instance.environment.name.as_str(), instance.stack.name()))
    }

    /// A stack of the app named as a fleet's administration stack in its administrator environment.
    pub fn clash(&self, instance: &StackInstance) -> Option<Diagnostic> {
        if self.administrations.is_empty() {
            return None;
        }
        let key = (
            instance.environment.name.as_str(),
            instance.stack.name().to_owned(),
        );
        let active = &self.fleets[*self.administrations.get(&key)?];
        Some(problem(
            active.fleet,
            active.location,
            format!(
                "its administration stack is stack `{}` of environment `{}`, which the app declares \
                 itself (at {}): rename the fleet or the stack",
                key.1,
                key.0,
                instance.stack.location()
            ),
        ))
    }

    /// Marks a member's CloudFormation artifact as deployed by its fleet's stack set and takes its
    /// template for the fleet; `None` for an instance of no fleet.
    pub fn capture(&self, instance: &StackInstance, lowered: &mut [Lowered]) -> Option<Captured> {
        if !self.is_member(instance) {
            return None;
        }
        let env = instance.environment;
        let index = self.members[&(env.name.as_str(), instance.stack.name())];
        let active = &self.fleets[index];
        let l = lowered
            .iter_mut()
            .find(|l| l.artifact.target == Target::CloudFormation)?;
        l.artifact.deployed_by = Some(active.path.clone());
        let template = l.template.take()?;
        let problems = match active
            .fleet
            .members
            .iter()
            .find(|m| m.environment == env.name)
            .map(|m| &m.target)
        {
            Some(DeploymentTarget::OrganizationalUnit(unit)) => {
                global_names(active.fleet, unit, &env.account, instance)
            }
            _ => Vec::new(),
        };
        Some(Captured {
            fleet: index,
            environment: env.name.clone(),
            account: env.account.clone(),
            region: env.region.clone(),
            template,
            capabilities: l.artifact.capabilities.clone(),
            depends_on: l.artifact.depends_on.clone(),
            declared: instance
                .stack
                .resources()
                .iter()
                .map(|r| (stackwright_cloudformation::logical_id(&r.id), r.location))
                .collect(),
            problems,
        })
    }

    /// Each fleet's administration stack, compiled from its members' `captured` templates, as an
    /// artifact of its administrator environment in `form`; or every problem.
    pub fn administration(
        &self,
        app: &dyn AnyApp,
        captured: Vec<Captured>,
        form: Form,
    ) -> Result<Vec<Lowered>, Vec<Diagnostic>> {
        if self.fleets.is_empty() {
            return Ok(Vec::new());
        }
        let mut problems: Vec<Diagnostic> = captured
            .iter()
            .flat_map(|c| c.problems.iter().cloned())
            .collect();
        if !problems.is_empty() {
            return Err(problems);
        }
        let by_member: HashMap<(usize, &str), &Captured> = captured
            .iter()
            .map(|c| ((c.fleet, c.environment.as_str()), c))
            .collect();
        let mut out = Vec::new();
        for (index, active) in self.fleets.iter().enumerate() {
            let fleet = active.fleet;
            let mine: Vec<&Captured> = fleet
                .members
                .iter()
                .filter_map(|m| by_member.get(&(index, m.environment.as_str())).copied())
                .collect();
            let members: Vec<MemberTemplate> = mine
                .iter()
                .map(|c| MemberTemplate {
                    environment: &c.environment,
                    account: &c.account,
                    region: &c.region,
                    template: &c.template,
                    capabilities: &c.capabilities,
                })
                .collect();
            let declared: HashMap<(&str, &str), Location> = mine
                .iter()
                .flat_map(|c| {
                    c.declared
                        .iter()
                        .map(|(id, at)| ((c.environment.as_str(), id.as_str()), *at))
                })
                .collect();
            let locate = |env: &str, id: &str| declared.get(&(env, id)).copied();
            let set = match stackwright_stackset::compile(app.name(), fleet, &members, &locate) {
                Ok(set) => set,
                Err(found) => {
                    problems.extend(found.into_iter().map(|mut p| {
                        p.location = p.location.or(Some(active.location));
                        p
                    }));
                    continue;
                }
            };
            // The stack set's instances deploy once what their members import is deployed.
            let member_paths: HashSet<String> = fleet
                .members
                .iter()
                .map(|m| artifact_path(Target::CloudFormation, &m.environment, &fleet.stack))
                .collect();
            let mut depends_on: Vec<String> = Vec::new();
            for path in mine.iter().flat_map(|c| &c.depends_on) {
                if !member_paths.contains(path) && !depends_on.contains(path) {
                    depends_on.push(path.clone());
                }
            }
            let spec = app
                .environment_specs()
                .find(|e| e.name == fleet.administrator)
                .expect("`select` checked the administrator");
            let document = set.administration;
            let capabilities = stackwright_cloudformation::capabilities(&document);
            let (bytes, listed, document) = match form {
                Form::Bytes | Form::Stream => (to_bytes(&document), None, None),
                Form::Listing => {
                    let listed = Listed {
                        size: serialized_size(&document),
                        backend: None,
                    };
                    (Vec::new(), Some(listed), None)
                }
                Form::Document => (Vec::new(), None, Some(document)),
            };
            out.push(Lowered {
                artifact: Artifact {
                    environment: spec.name.clone(),
                    account: spec.account.clone(),
                    region: spec.region.clone(),
                    stack: fleet.administration_stack(),
                    target: Target::CloudFormation,
                    path: active.path.clone(),
                    resource_count: 1,
                    bytes,
                    depends_on,
                    renames: Vec::new(),
                    capabilities,
                    removed: false,
                    targets: None,
                    listed,
                    deployed_by: None,
                },
                document,
                module: None,
                assets: Vec::new(),
                asset_bucket: false,
                gaps: Vec::new(),
                template: None,
                moves: Vec::new(),
            });
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }
}

/// The names every account of an organizational unit would share (`stack_set`'s check), of one member's instance, which deploys to every account of organizational
/// unit `unit` (`account` stands for each of them).
pub fn global_names(
    fleet: &Fleet,
    unit: &str,
    account: &str,
    instance: &StackInstance,
) -> Vec<Diagnostic> {
    let env = instance.environment.name.as_str();
    if instance.stack.name() != fleet.stack {
        return Vec::new();
    }
    let mut problems = Vec::new();
    for r in instance.stack.resources() {
        let Some(physical) = &r.physical_name else {
            continue;
        };
        if physical.rule.uniqueness() != Uniqueness::Global || physical.name.contains(account) {
            continue;
        }
        let mut problem = Diagnostic::new(format!(
            "fleet `{}`: member `{env}` deploys {} named `{}` to every account of organizational unit \
             `{unit}`, but the name is unique across all accounts and does not hold the account: the \
             first account would take it and the others fail. Put `{{account}}` in the app's naming \
             pattern, or leave the name to the engine",
            fleet.name, r.kind, physical.name
        ))
        .for_resource(&r.id)
        .at(r.location);
        problem.environment = Some(env.to_owned());
        problem.stack = Some(fleet.stack.clone());
        problems.push(problem);
    }
    problems
}
