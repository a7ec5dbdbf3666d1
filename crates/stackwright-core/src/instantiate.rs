use crate::app::{AnyApp, Declaration, EnvSpec};
use crate::diagnostic::{Diagnostic, Location};
use crate::links::{self, Links, RemoteRead};
use crate::naming::NameContext;
use crate::naming::Uniqueness;
use crate::regions;
use crate::stack::Resource;
use crate::stack::{rename_problems, ScopeId, Stack, Stacks};
use crate::tags;
use std::collections::hash_map::{Entry, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};

/// Which environments to instantiate; all of them by default.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub environments: Vec<String>,
}

/// One stack definition run for one environment: the graph a target lowers.
#[derive(Debug)]
pub struct StackInstance<'a> {
    pub app: &'a str,
    pub environment: &'a EnvSpec,
    /// Tags for every taggable resource, unless the resource sets the key itself: the standard tags
    /// (see [`tags`](crate::tags)), then the app's, then the environment's.
    pub default_tags: Vec<(String, String)>,
    pub stack: Stack,
    /// What this stack imports from and exports to the other stacks of its environment.
    pub links: Links,
}

/// Every selected (environment, stack) instance, and every problem found while building them.
#[derive(Debug)]
pub struct Instantiation<'a> {
    pub instances: Vec<StackInstance<'a>>,
    pub problems: Vec<Diagnostic>,
}

// Scope ids only need to be unique within a process; they never reach an artifact.
static NEXT_SCOPE: AtomicU32 = AtomicU32::new(1);

// Not generic: compiled once, here, whatever the app's config type (`App::instantiate` calls it).
impl dyn AnyApp + '_ {
    /// Runs every stack definition once per selected environment and checks the result: ids, builder
    /// input, and references that cross environments or stacks. All problems are collected.
    pub fn instantiate(&self, selection: &Selection) -> Instantiation<'_> {
        let shape = self.shape();
        let mut problems = self.validate();
        for wanted in &selection.environments {
            if !self.environment_specs().any(|e| e.name == *wanted) {
                let known: Vec<&str> = self.environment_specs().map(|e| e.name.as_str()).collect();
                problems.push(Diagnostic::new(format!(
                    "unknown environment `{wanted}`: expected one of {}",
                    known.join(", ")
                )));
            }
        }
        let selected = self.environment_specs().enumerate().filter(|(_, e)| {
            selection.environments.is_empty() || selection.environments.contains(&e.name)
        });

        let mut instances = Vec::new();
        // Stacks declared inside `App::stacks` functions: their names are checked here, per environment.
        let mut dynamic: Vec<(usize, Location)> = Vec::new();
        for (env_index, environment) in selected {
            let default_tags = tags::defaults(self.name(), &shape.tags, environment);
            if default_tags.len() > tags::MAX_PER_RESOURCE {
                problems.push(
                    Diagnostic::new(format!(
                        "{} tags for every resource (3 standard, then the app's and the environment's): AWS \
                         allows at most {} per resource; drop some or combine them into one tag",
                        default_tags.len(),
                        tags::MAX_PER_RESOURCE
                    ))
                    .in_environment(&environment.name)
                    .at(environment.location),
                );
            }
            let naming = |stack: &str| NameContext {
                pattern: shape.naming.clone(),
                app: self.name().to_owned(),
                env: environment.name.clone(),
                stack: stack.to_owned(),
                account: environment.account.clone(),
                region: environment.region.clone(),
            };
            let instance = |stack: Stack| StackInstance {
                app: self.name(),
                environment,
                default_tags: default_tags.clone(),
                stack,
                links: Links::default(),
            };
            for declaration in &shape.declarations {
                match declaration {
                    Declaration::Stack(index) => {
                        let definition = &shape.stacks[*index];
                        let mut stack = Stack::new(
                            &definition.name,
                            next_scope(),
                            naming(&definition.name),
                            definition.location,
                        );
                        self.define_stack(*index, env_index, &mut stack);
                        instances.push(instance(stack));
                    }
                    Declaration::Group(group) => {
                        let mut stacks = Stacks {
                            declared: Vec::new(),
                            naming: naming(""),
                            next_scope,
                        };
                        self.define_group(*group, env_index, &mut stacks);
                        for (stack, location) in stacks.declared {
                            dynamic.push((instances.len(), location));
                            instances.push(instance(stack));
                        }
                    }
                }
            }
        }
        let mut name_problems = stack_name_problems(&instances, &dynamic);
        let mut link_problems = self.remote_reads(&mut instances);
        link_problems.extend(crate::existing::resolve(&mut instances));
        link_problems.extend(links::link(&mut instances));
        for (index, instance) in instances.iter_mut().enumerate() {
            let env = instance.environment.name.as_str();
            let mut found = std::mem::take(&mut instance.stack.problems);
            for resource in instance.stack.resources() {
                found.extend(resource.problems.iter().map(|p| {
                    Diagnostic::new(p.clone())
                        .for_resource(&resource.id)
                        .at(resource.location)
                }));
                if !resource.tags.is_empty() {
                    let tag_problems =
                        tags::resource_problems(&instance.default_tags, &resource.tags);
                    found.extend(tag_problems.into_iter().map(|p| {
                        Diagnostic::new(p)
                            .for_resource(&resource.id)
                            .at(resource.location)
                    }));
                }
            }
            found.extend(rename_problems(&instance.stack));
            found.extend(take_for(&mut name_problems, index));
            found.extend(take_for(&mut link_problems, index));
            problems.extend(
                found
                    .into_iter()
                    .map(|d| d.in_environment(env).in_stack(instance.stack.name())),
            );
        }
        problems.extend(shared_physical_names(&instances));
        Instantiation {
            instances,
            problems,
        }
    }
}

impl dyn AnyApp + '_ {
    /// Checks each read of another environment's stack output (the environment exists and is another
    /// one in the same partition; when it is instantiated too, it has the stack and the stack the
    /// output; another account needs a role) and records it in the reader's links.
    fn remote_reads(&self, instances: &mut [StackInstance]) -> Vec<(usize, Diagnostic)> {
        let mut problems = Vec::new();
        let mut reads = Vec::new();
        for (here, instance) in instances.iter().enumerate() {
            for (index, resource) in instance.stack.resources().iter().enumerate() {
                let Some(remote) = &resource.remote_output else {
                    continue;
                };
                let mut problem = |message: String| {
                    problems.push((
                        here,
                        Diagnostic::new(message)
                            .for_resource(&resource.id)
                            .at(resource.location),
                    ))
                };
                let own = instance.environment;
                let Some(env) = self
                    .environment_specs()
                    .find(|e| e.name == remote.environment)
                else {
                    let known: Vec<&str> =
                        self.environment_specs().map(|e| e.name.as_str()).collect();
                    problem(format!(
                        "`{}` reads an output of unknown environment `{}`: expected one of {}",
                        resource.id,
                        remote.environment,
                        known.join(", ")
                    ));
                    continue;
                };
                if env.name == own.name {
                    problem(format!(
                        "`{}` reads stack `{}` of its own environment through a remote read: pass the \
                         handle instead (stacks of one environment use each other's handles)",
                        resource.id, remote.stack
                    ));
                    continue;
                }
                if regions::partition(&env.region) != regions::partition(&own.region) {
                    problem(format!(
                        "`{}` reads environment `{}` in partition `{}` from partition `{}`: outputs \
                         cannot be read across partitions",
                        resource.id,
                        env.name,
                        regions::partition(&env.region),
                        regions::partition(&own.region)
                    ));
                    continue;
                }
                if env.account != own.account && remote.role_arn.is_none() {
                    problem(format!(
                        "`{}` reads environment `{}` of account {} from account {}: give a role in that \
                         account that can read it (`.role_arn(...)`)",
                        resource.id, env.name, env.account, own.account
                    ));
                    continue;
                }
                let producer = instances
                    .iter()
                    .filter(|i| i.environment.name == env.name)
                    .collect::<Vec<_>>();
                // An environment left out by the selection is not checked further.
                if !producer.is_empty() {
                    let Some(stack) = producer.iter().find(|i| i.stack.name() == remote.stack)
                    else {
                        let known: Vec<&str> = producer.iter().map(|i| i.stack.name()).collect();
                        problem(format!(
                            "`{}` reads stack `{}` of environment `{}`, which has no such stack: \
                             expected one of {}",
                            resource.id,
                            remote.stack,
                            env.name,
                            known.join(", ")
                        ));
                        continue;
                    };
                    if !stack.stack.outputs().iter().any(|o| o.id == remote.output) {
                        let known: Vec<String> = stack
                            .stack
                            .outputs()
                            .iter()
                            .map(|o| format!("`{}`", o.id))
                            .collect();
                        problem(format!(
                            "`{}` reads output `{}` of stack `{}` in environment `{}`, which declares \
                             no such output: expected {}; declare it there with `stack.output(..)`",
                            resource.id,
                            remote.output,
                            remote.stack,
                            env.name,
                            if known.is_empty() {
                                "an output".to_owned()
                            } else {
                                format!("one of {}", known.join(", "))
                            }
                        ));
                        continue;
                    }
                }
                reads.push((
                    here,
                    RemoteRead {
                        resource: index as u32,
                        environment: env.clone(),
                        stack: remote.stack.clone(),
                        output: remote.output.clone(),
                        role_arn: remote.role_arn.clone(),
                    },
                ));
            }
        }
        for (here, read) in reads {
            instances[here].links.remote.push(read);
        }
        for (here, _) in &problems {
            instances[*here].links.rejected += 1;
        }
        problems
    }
}

fn next_scope() -> ScopeId {
    ScopeId(NEXT_SCOPE.fetch_add(1, Ordering::Relaxed))
}

/// The problems of one instance, out of a list of (instance index, problem).
fn take_for(problems: &mut Vec<(usize, Diagnostic)>, index: usize) -> Vec<Diagnostic> {
    let (mine, rest) = std::mem::take(problems)
        .into_iter()
        .partition(|(i, _)| *i == index);
    *problems = rest;
    mine.into_iter().map(|(_, d)| d).collect()
}

/// Names of the stacks declared by `App::stacks` functions: valid, and unique within their environment
/// (the names of `App::stack` are checked by `App::validate`, once).
fn stack_name_problems(
    instances: &[StackInstance],
    dynamic: &[(usize, Location)],
) -> Vec<(usize, Diagnostic)> {
    let mut problems = Vec::new();
    for &(index, location) in dynamic {
        let instance = &instances[index];
        let name = instance.stack.name();
        if let Err(why) = crate::ids::validate_name(name) {
            problems.push((
                index,
                Diagnostic::new(format!("invalid stack name `{name}`: {why}")).at(location),
            ));
        }
        let twin = instances[..index].iter().any(|other| {
            other.environment.name == instance.environment.name && other.stack.name() == name
        });
        if twin {
            problems.push((
                index,
                Diagnostic::new(format!(
                    "duplicate stack name `{name}`: expected each stack of an environment to have its own name"
                ))
                .at(location),
            ));
        }
    }
    problems
}

/// Physical names two instances (environments or stacks) give resources of one kind where the name must
/// be unique: per account and region, per account for account-wide kinds (IAM), everywhere for S3
/// buckets. The second copy would fail at deploy ("already exists"), typically when a second environment
/// shares an account and region with the first. Names twice in one stack are reported by `Stack::add`.
/// One pass with a hash map: only named resources cost anything.
fn shared_physical_names(instances: &[StackInstance]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut seen: HashMap<(&str, String, &str), (usize, &Resource)> = HashMap::new();
    for (i, instance) in instances.iter().enumerate() {
        let env = instance.environment;
        for resource in instance.stack.resources() {
            let (Some(name), Some(physical)) = (resource.physical_name(), &resource.physical_name)
            else {
                continue;
            };
            let (scope, where_) = match physical.rule.uniqueness() {
                Uniqueness::Global => (String::new(), "everywhere in AWS"),
                Uniqueness::Account => (env.account.clone(), "per account"),
                Uniqueness::Region => (
                    format!("{}/{}", env.account, env.region),
                    "per account and region",
                ),
                Uniqueness::Parent => continue,
            };
            match seen.entry((resource.kind, scope, name)) {
                Entry::Vacant(slot) => {
                    slot.insert((i, resource));
                }
                Entry::Occupied(first) => {
                    let (j, other) = *first.get();
                    if j == i {
                        continue;
                    }
                    let owner = &instances[j];
                    problems.push(
                        Diagnostic::new(format!(
                            "physical name `{name}` is also given to `{}` in environment `{}`, stack `{}` \
                             (declared at {}:{}): these names are unique {where_}; put `{{env}}` or \
                             `{{stack}}` in the naming pattern, or let the engine name one of them",
                            other.id,
                            owner.environment.name,
                            owner.stack.name(),
                            other.location.file(),
                            other.location.line()
                        ))
                        .for_resource(&resource.id)
                        .at(resource.location)
                        .in_environment(&env.name)
                        .in_stack(instance.stack.name()),
                    );
                }
            }
        }
    }
    problems
}
