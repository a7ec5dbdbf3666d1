use crate::app::{App, EnvSpec};
use crate::diagnostic::{Diagnostic, Location};
use crate::expr::Expr;
use crate::naming::NameContext;
use crate::naming::Uniqueness;
use crate::stack::Resource;
use crate::stack::{rename_problems, ResourceRef, ScopeId, Stack};
use crate::tags;
use std::collections::hash_map::{Entry, HashMap};
use std::collections::BTreeMap;
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
}

/// Every selected (environment, stack) instance, and every problem found while building them.
#[derive(Debug)]
pub struct Instantiation<'a> {
    pub instances: Vec<StackInstance<'a>>,
    pub problems: Vec<Diagnostic>,
}

// Scope ids only need to be unique within a process; they never reach an artifact.
static NEXT_SCOPE: AtomicU32 = AtomicU32::new(1);

impl<C> App<C> {
    /// Runs every stack definition once per selected environment and checks the result: ids, builder
    /// input, and references that cross environments or stacks. All problems are collected.
    pub fn instantiate(&self, selection: &Selection) -> Instantiation<'_> {
        let mut problems = self.validate();
        for wanted in &selection.environments {
            if !self.environments().iter().any(|e| e.name() == wanted) {
                let known: Vec<&str> = self.environments().iter().map(|e| e.name()).collect();
                problems.push(Diagnostic::new(format!(
                    "unknown environment `{wanted}`: expected one of {}",
                    known.join(", ")
                )));
            }
        }
        let selected = self.environments().iter().filter(|e| {
            selection.environments.is_empty()
                || selection.environments.iter().any(|w| w == e.name())
        });

        let mut instances = Vec::new();
        for environment in selected {
            let default_tags = tags::defaults(self.name(), self.tags(), environment.spec());
            if default_tags.len() > tags::MAX_PER_RESOURCE {
                problems.push(
                    Diagnostic::new(format!(
                        "{} tags for every resource (3 standard, then the app's and the environment's): AWS \
                         allows at most {} per resource; drop some or combine them into one tag",
                        default_tags.len(),
                        tags::MAX_PER_RESOURCE
                    ))
                    .in_environment(environment.name())
                    .at(environment.spec().location),
                );
            }
            for definition in self.stack_definitions() {
                let scope = ScopeId(NEXT_SCOPE.fetch_add(1, Ordering::Relaxed));
                let naming = NameContext {
                    pattern: self.naming_pattern().to_owned(),
                    app: self.name().to_owned(),
                    env: environment.name().to_owned(),
                    stack: definition.name.clone(),
                    account: environment.account().to_owned(),
                    region: environment.region().to_owned(),
                };
                let mut stack = Stack::new(&definition.name, scope, naming, definition.location);
                (definition.define)(&mut stack, environment);
                instances.push(StackInstance {
                    app: self.name(),
                    environment: environment.spec(),
                    default_tags: default_tags.clone(),
                    stack,
                });
            }
        }

        let owners: BTreeMap<ScopeId, (String, String)> = instances
            .iter()
            .map(|i| {
                (
                    i.stack.scope(),
                    (i.environment.name.clone(), i.stack.name().to_owned()),
                )
            })
            .collect();
        for instance in &mut instances {
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
            found.extend(foreign_references(instance, &owners));
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

/// Finds references to resources or parameters of another stack instance. The scope of each reference
/// names its owner, which is what a later cross-stack lowering (exports, remote state) will use.
fn foreign_references(
    instance: &StackInstance,
    owners: &BTreeMap<ScopeId, (String, String)>,
) -> Vec<Diagnostic> {
    let stack = &instance.stack;
    let here = stack.scope();
    let mut problems = Vec::new();
    let mut check = |scope: ScopeId, what: &str, user: &str, location: Location| {
        if scope == here {
            return;
        }
        let message = match owners.get(&scope) {
            Some((env, other_stack)) if *env != instance.environment.name => format!(
                "`{user}` references {what} of environment `{env}` (stack `{other_stack}`): \
                 a stack can only reference resources of its own environment"
            ),
            Some((_, other_stack)) => format!(
                "`{user}` references {what} of stack `{other_stack}`: \
                 cross-stack references are not supported yet; declare both in one stack"
            ),
            None => format!(
                "`{user}` references {what} that was not declared in any selected stack of this app"
            ),
        };
        problems.push(Diagnostic::new(message).for_resource(user).at(location));
    };
    let check_expr = |expr: &Expr,
                      user: &str,
                      location: Location,
                      check: &mut dyn FnMut(ScopeId, &str, &str, Location)| {
        expr.for_each_attr(&mut |a| {
            check(a.resource.scope, "a resource attribute", user, location)
        });
        expr.for_each_param(&mut |p| check(p.scope, "a parameter", user, location));
    };
    for resource in stack.resources() {
        resource.for_each_expr(&mut |e| check_expr(e, &resource.id, resource.location, &mut check));
        for dependency in &resource.depends_on {
            let ResourceRef { scope, .. } = *dependency;
            check(
                scope,
                "a resource (in depends_on)",
                &resource.id,
                resource.location,
            );
        }
    }
    for output in stack.outputs() {
        check_expr(&output.value, &output.id, output.location, &mut check);
    }
    problems
}
