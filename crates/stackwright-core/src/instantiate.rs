use crate::app::{AnyApp, Declaration, EnvSpec};
use crate::diagnostic::{Diagnostic, Location};
use crate::links::{self, Links, RemoteRead};
use crate::naming::NameContext;
use crate::naming::Uniqueness;
use crate::regions;
use crate::stack::{rename_problems, ScopeId, Stack, Stacks};
use crate::tags;
use std::collections::hash_map::{Entry, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};

/// Which environments to instantiate; all of them by default.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// The names of the environments to instantiate; every environment when empty.
    pub environments: Vec<String>,
    /// Environments the definition no longer has whose artifacts a previous tree still keeps (removed,
    /// not yet torn down): selecting one is not an error, and selecting only such environments runs no
    /// definition (the caller plans or lists their teardown from the tree).
    pub kept: Vec<String>,
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
    /// The targets this stack is compiled for, in [`Target::ALL`](crate::Target::ALL) order: its
    /// narrowest `.targets(..)` declaration's (the stack's, else its environment's, else the app's), or
    /// every target when none declares them.
    pub targets: Vec<crate::Target>,
    /// The declaration `targets` comes from; `None`: nothing declares this stack's targets.
    pub declaration: Option<crate::target::Declaration>,
}

/// Every selected (environment, stack) instance, and every problem found while building them.
#[derive(Debug)]
pub struct Instantiation<'a> {
    pub instances: Vec<StackInstance<'a>>,
    pub problems: Vec<Diagnostic>,
}

/// A run of [`App::instantiate_each`]: the instances of a few whole environments, in selection order.
#[derive(Debug)]
pub struct Batch<'a> {
    /// The position of `instances[0]` among all the instances of the selection (as
    /// [`Instantiation::instances`] would hold them).
    pub first: usize,
    pub instances: Vec<StackInstance<'a>>,
}

/// What [`App::instantiate_each`] found once every batch was handed out.
#[derive(Debug, Default)]
pub struct Checked {
    /// Every problem, in the order [`App::instantiate`] reports them.
    pub problems: Vec<Diagnostic>,
    /// Instances (positions as in [`Batch::first`]) found to have a rejected reference only after their
    /// batch was handed out: a read of a later environment's output that it does not declare. Their
    /// targets' problems are follow-ons, not to be reported (one mistake, one error).
    pub rejected_late: Vec<usize>,
}

// Scope ids only need to be unique within a process; they never reach an artifact.
static NEXT_SCOPE: AtomicU32 = AtomicU32::new(1);

// Not generic: compiled once, here, whatever the app's config type (`App::instantiate` calls it).
impl dyn AnyApp + '_ {
    /// Runs every stack definition once per selected environment and checks the result: ids, builder
    /// input, and references that cross environments or stacks. All problems are collected.
    pub fn instantiate(&self, selection: &Selection) -> Instantiation<'_> {
        let mut instances = Vec::new();
        let checked = self.instantiate_each(selection, usize::MAX, &mut |batch| {
            instances.extend(batch.instances)
        });
        for &late in &checked.rejected_late {
            instances[late].links.rejected += 1;
        }
        Instantiation {
            instances,
            problems: checked.problems,
        }
    }

    /// [`instantiate`](App::instantiate) a few environments at a time, so that memory does not grow with
    /// their number: runs the definitions of `per_batch` (at least 1) selected environments, checks and
    /// links them, hands their instances to `each` and drops nothing else but a small summary, kept for
    /// the checks across environments (physical names, reads of other environments' outputs, references
    /// smuggled between environments). Returns every problem, in the order of `instantiate`, whatever
    /// `per_batch` is.
    pub fn instantiate_each<'a>(
        &'a self,
        selection: &Selection,
        per_batch: usize,
        each: &mut dyn FnMut(Batch<'a>),
    ) -> Checked {
        let mut problems = self.validate();
        for wanted in &selection.environments {
            if !self.environment_specs().any(|e| e.name == *wanted)
                && !selection.kept.contains(wanted)
            {
                let known: Vec<&str> = self.environment_specs().map(|e| e.name.as_str()).collect();
                let kept = match selection.kept.as_slice() {
                    [] => String::new(),
                    kept => format!(
                        ", or one the definition no longer has whose artifacts the tree keeps: {}",
                        kept.join(", ")
                    ),
                };
                problems.push(Diagnostic::new(format!(
                    "unknown environment `{wanted}`: expected one of {}{kept}",
                    known.join(", ")
                )));
            }
        }
        // A name declared twice is one error (`validate`): only its first declaration is instantiated,
        // so that the second's stacks do not also collide with the first's.
        let mut names = std::collections::HashSet::new();
        let selected: Vec<(usize, &EnvSpec)> = self
            .environment_specs()
            .enumerate()
            .filter(|(_, e)| {
                selection.environments.is_empty() || selection.environments.contains(&e.name)
            })
            .filter(|(_, e)| names.insert(e.name.as_str()))
            .collect();
        let mut summary = Summary::default();
        let mut environment_problems = Vec::new();
        let mut first = 0;
        for environments in selected.chunks(per_batch.max(1)) {
            let mut instances = Vec::new();
            // Stacks declared inside `App::stacks` functions: their names are checked here, per environment.
            let mut dynamic: Vec<(usize, Location)> = Vec::new();
            let mut spans = Vec::new();
            for &(env_index, environment) in environments {
                let start = instances.len();
                self.run_definitions(
                    env_index,
                    environment,
                    &mut instances,
                    &mut dynamic,
                    &mut environment_problems,
                );
                spans.push(start..instances.len());
            }
            let mut name_problems = stack_name_problems(&instances, &dynamic);
            let mut remote_problems = self.remote_reads(&mut instances, first, &mut summary);
            // An existing resource stands for its value in the stacks of its own environment only.
            let mut link_problems = Vec::new();
            for span in spans {
                let found = crate::existing::resolve(&mut instances[span.clone()]);
                link_problems.extend(found.into_iter().map(|(i, d)| (span.start + i, d)));
            }
            link_problems.extend(links::link(&mut instances, &summary.scopes));
            for (index, instance) in instances.iter_mut().enumerate() {
                let mut found = instance_problems(instance);
                found.extend(take_for(&mut name_problems, index));
                let remote: Vec<(u32, Diagnostic)> = take_for(&mut remote_problems, index);
                let after = take_for(&mut link_problems, index);
                if !(found.is_empty() && remote.is_empty() && after.is_empty()) {
                    summary.blocks.push(Block {
                        instance: first + index,
                        environment: instance.environment.name.clone(),
                        stack: instance.stack.name().to_owned(),
                        before: found,
                        remote,
                        after,
                    });
                }
            }
            summary.physical_names(&instances, first);
            summary.claims(&instances, first);
            for instance in &instances {
                summary.remember(instance);
            }
            let batch = Batch { first, instances };
            first += batch.instances.len();
            each(batch);
        }
        let rejected_late = self.producer_checks(&mut summary, &selected);
        problems.extend(environment_problems);
        summary.blocks.sort_by_key(|b| b.instance);
        for block in summary.blocks {
            let (env, stack) = (block.environment, block.stack);
            let mut remote = block.remote;
            remote.sort_by_key(|(resource, _)| *resource);
            let all = block
                .before
                .into_iter()
                .chain(remote.into_iter().map(|(_, d)| d))
                .chain(block.after);
            problems.extend(all.map(|d| d.in_environment(&env).in_stack(&stack)));
        }
        problems.extend(summary.shared);
        Checked {
            problems,
            rejected_late,
        }
    }

    /// Runs the definitions of one environment (`env_index`, whose spec is `environment`), appending its
    /// instances.
    fn run_definitions<'a>(
        &'a self,
        env_index: usize,
        environment: &'a EnvSpec,
        instances: &mut Vec<StackInstance<'a>>,
        dynamic: &mut Vec<(usize, Location)>,
        problems: &mut Vec<Diagnostic>,
    ) {
        let shape = self.shape();
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
        let instance = |mut stack: Stack| {
            if let Some(policy) = environment.removal_policy {
                for resource in &mut stack.resources {
                    resource.apply_environment_removal(policy);
                }
            }
            let declaration = declared_targets(&mut stack, shape, environment);
            let targets = declaration
                .as_ref()
                .map_or_else(|| crate::Target::ALL.to_vec(), |d| d.targets.clone());
            StackInstance {
                app: self.name(),
                environment,
                default_tags: default_tags.clone(),
                stack,
                links: Links::default(),
                targets,
                declaration,
            }
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
}

/// The narrowest `.targets(..)` declaration of `stack` (its own, else its environment's, else the app's),
/// after recording in the stack a declaration of its own that declares nothing or is wider than the one
/// around it, and every override for a target the declaration leaves out (dead code that reads as if it
/// did something).
fn declared_targets(
    stack: &mut Stack,
    shape: &crate::app::Shape,
    environment: &EnvSpec,
) -> Option<crate::target::Declaration> {
    let around = environment.targets.as_ref().or(shape.targets.as_ref());
    if let Some(own) = &stack.targets {
        let problem = own
            .empty_problem()
            .or_else(|| around.and_then(|parent| own.wider_problem(parent)));
        if let Some(problem) = problem {
            stack
                .problems
                .push(Diagnostic::new(problem).at(own.location));
        }
    }
    let declaration = stack.targets.clone().or_else(|| around.cloned())?;
    let mut problems = Vec::new();
    for resource in &stack.resources {
        for o in &resource.overrides {
            let declared = declaration.targets.contains(&o.target);
            if !declared && !declaration.targets.is_empty() {
                problems.push(
                    Diagnostic::new(format!(
                        "override of `{}` for {} in a stack compiled for {} only ({}): it would never \
                         apply; remove it, or declare {} too",
                        o.path.join("."),
                        o.target.name(),
                        declaration.names(),
                        declaration.describe(),
                        o.target.name()
                    ))
                    .for_resource(&resource.id)
                    .at(o.location),
                );
            }
        }
    }
    stack.problems.extend(problems);
    Some(declaration)
}

/// An instance's own problems: its stack's, its resources' (builder input, tags) and its renames'.
fn instance_problems(instance: &mut StackInstance) -> Vec<Diagnostic> {
    let mut found = std::mem::take(&mut instance.stack.problems);
    // A composite whose id was reported: the targets would only repeat it for each of its parts (a name
    // derived from the id, a policy name), so they are not run on the instance, like one with a rejected
    // reference (one mistake, one error).
    if instance.stack.has_reported_composite() {
        instance.links.rejected += 1;
    }
    for resource in instance.stack.resources() {
        if instance.stack.is_composite_part(&resource.id) {
            // Its parts' builder problems follow from the same id (`<id>-Execution` is no policy name).
            continue;
        }
        found.extend(resource.problems.iter().map(|p| {
            Diagnostic::new(p.clone())
                .for_resource(&resource.id)
                .at(resource.location)
        }));
        if !resource.tags.is_empty() {
            let tag_problems = tags::resource_problems(&instance.default_tags, &resource.tags);
            found.extend(tag_problems.into_iter().map(|p| {
                Diagnostic::new(p)
                    .for_resource(&resource.id)
                    .at(resource.location)
            }));
        }
    }
    found.extend(rename_problems(&instance.stack));
    found
}

/// The problems of one instance, in the order they are reported: its own and its stack names', then
/// its remote reads' (by resource), then its references'.
#[derive(Debug)]
struct Block {
    instance: usize,
    environment: String,
    stack: String,
    before: Vec<Diagnostic>,
    remote: Vec<(u32, Diagnostic)>,
    after: Vec<Diagnostic>,
}

/// What instantiation keeps of the batches it handed out: a few bytes per instance and per named
/// resource, for the checks that span environments.
#[derive(Debug, Default)]
struct Summary {
    /// Every instance's scope: (environment, stack), for references smuggled into another environment.
    pub(crate) scopes: HashMap<ScopeId, (String, String)>,
    /// Environment -> its stacks in declaration order, each with its output ids (one per line).
    stacks: HashMap<String, Vec<(String, String)>>,
    /// (kind, uniqueness scope, physical name) -> the first resource given it.
    names: HashMap<(&'static str, String, String), Named>,
    /// Reads of another environment's output whose producer is checked once every environment ran.
    pending: Vec<Pending>,
    blocks: Vec<Block>,
    /// Physical names shared between instances.
    shared: Vec<Diagnostic>,
    /// (what, account, region) -> the first stack that claimed it (`Stack::claim_in_region`).
    claims: HashMap<(&'static str, String, String), Named>,
}

/// A resource with a physical name, kept for the check across instances.
#[derive(Debug)]
struct Named {
    instance: usize,
    id: String,
    environment: String,
    stack: String,
    location: Location,
}

#[derive(Debug)]
struct Pending {
    instance: usize,
    environment: String,
    stack: String,
    resource: u32,
    id: String,
    location: Location,
    remote: crate::stack::RemoteOutput,
}

impl Summary {
    fn remember(&mut self, instance: &StackInstance) {
        let env = &instance.environment.name;
        let name = instance.stack.name().to_owned();
        self.scopes
            .insert(instance.stack.scope(), (env.clone(), name.clone()));
        let mut outputs = String::new();
        for output in instance.stack.outputs() {
            outputs.push_str(&output.id);
            outputs.push('\n');
        }
        self.stacks
            .entry(env.clone())
            .or_default()
            .push((name, outputs));
    }

    /// Physical names two instances (environments or stacks) give resources of one kind where the name
    /// must be unique: per account and region, per account for account-wide kinds (IAM), everywhere for
    /// S3 buckets. The second copy would fail at deploy ("already exists"), typically when a second
    /// environment shares an account and region with the first. Names twice in one stack are reported by
    /// `Stack::add`. One pass with a hash map: only named resources cost anything.
    fn physical_names(&mut self, instances: &[StackInstance], first: usize) {
        for (i, instance) in instances.iter().enumerate() {
            let i = first + i;
            let env = instance.environment;
            for resource in instance.stack.resources() {
                let (Some(name), Some(physical)) =
                    (resource.physical_name(), &resource.physical_name)
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
                match self.names.entry((resource.kind, scope, name.to_owned())) {
                    Entry::Vacant(slot) => {
                        slot.insert(Named {
                            instance: i,
                            id: resource.id.clone(),
                            environment: env.name.clone(),
                            stack: instance.stack.name().to_owned(),
                            location: resource.location,
                        });
                    }
                    Entry::Occupied(first) => {
                        let other = first.get();
                        if other.instance == i {
                            continue;
                        }
                        self.shared.push(
                            Diagnostic::new(format!(
                                "physical name `{name}` is also given to `{}` in environment `{}`, stack `{}` \
                                 (declared at {}:{}): these names are unique {where_}; put \
                                 `{{env}}` or `{{stack}}` in the naming pattern, or let the engine name one of them",
                                other.id,
                                other.environment,
                                other.stack,
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
    }
}

impl Summary {
    /// Things unique per account and region ([`Stack::claim_in_region`]) that two stacks claim, in one
    /// environment or in two sharing an account and region: the second is an error at its claim.
    fn claims(&mut self, instances: &[StackInstance], first: usize) {
        for (i, instance) in instances.iter().enumerate() {
            let i = first + i;
            let env = instance.environment;
            for claim in &instance.stack.claims {
                let key = (claim.what, env.account.clone(), env.region.clone());
                match self.claims.entry(key) {
                    Entry::Vacant(slot) => {
                        slot.insert(Named {
                            instance: i,
                            id: String::new(),
                            environment: env.name.clone(),
                            stack: instance.stack.name().to_owned(),
                            location: claim.location,
                        });
                    }
                    Entry::Occupied(earlier) => {
                        let other = earlier.get();
                        if other.instance == i {
                            continue;
                        }
                        self.shared.push(
                            Diagnostic::new(format!(
                                "{} of account `{}`, region `{}` is already declared by environment `{}`, \
                                 stack `{}` (at {}:{}): an account and region has one; {}",
                                claim.what,
                                env.account,
                                env.region,
                                other.environment,
                                other.stack,
                                other.location.file(),
                                other.location.line(),
                                claim.advice
                            ))
                            .at(claim.location)
                            .in_environment(&env.name)
                            .in_stack(instance.stack.name()),
                        );
                    }
                }
            }
        }
    }
}

impl dyn AnyApp + '_ {
    /// Checks each read of another environment's stack output (the environment exists and is another
    /// one in the same partition; another account needs a role) and records it in the reader's links;
    /// the producing stack and output are checked by [`producer_checks`](App::producer_checks) once
    /// every environment ran. Returns (instance, resource index, problem).
    fn remote_reads(
        &self,
        instances: &mut [StackInstance],
        first: usize,
        summary: &mut Summary,
    ) -> Vec<(usize, (u32, Diagnostic))> {
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
                        (
                            index as u32,
                            Diagnostic::new(message)
                                .for_resource(&resource.id)
                                .at(resource.location),
                        ),
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
                summary.pending.push(Pending {
                    instance: first + here,
                    environment: own.name.clone(),
                    stack: instance.stack.name().to_owned(),
                    resource: index as u32,
                    id: resource.id.clone(),
                    location: resource.location,
                    remote: remote.clone(),
                });
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

    /// The second half of the remote-read checks, once every selected environment ran: when the
    /// producing environment is selected too, it has the stack and the stack the output. Adds each
    /// problem to its reader's block and returns the readers with a problem.
    fn producer_checks(&self, summary: &mut Summary, selected: &[(usize, &EnvSpec)]) -> Vec<usize> {
        let mut rejected = Vec::new();
        for read in std::mem::take(&mut summary.pending) {
            // An environment left out by the selection is not checked further.
            if !selected
                .iter()
                .any(|(_, e)| e.name == read.remote.environment)
            {
                continue;
            }
            let (remote, id) = (&read.remote, &read.id);
            let stacks = summary
                .stacks
                .get(&remote.environment)
                .map_or(&[][..], Vec::as_slice);
            let message = match stacks.iter().find(|(name, _)| *name == remote.stack) {
                None => {
                    let known: Vec<&str> = stacks.iter().map(|(name, _)| name.as_str()).collect();
                    format!(
                        "`{id}` reads stack `{}` of environment `{}`, which has no such stack: expected one \
                         of {}",
                        remote.stack,
                        remote.environment,
                        known.join(", ")
                    )
                }
                Some((_, outputs)) if !outputs.lines().any(|o| o == remote.output) => {
                    let known: Vec<String> = outputs.lines().map(|o| format!("`{o}`")).collect();
                    format!(
                        "`{id}` reads output `{}` of stack `{}` in environment `{}`, which declares no such \
                         output: expected {}; declare it there with `stack.output(..)`",
                        remote.output,
                        remote.stack,
                        remote.environment,
                        if known.is_empty() {
                            "an output".to_owned()
                        } else {
                            format!("one of {}", known.join(", "))
                        }
                    )
                }
                Some(_) => continue,
            };
            let problem = Diagnostic::new(message).for_resource(id).at(read.location);
            let block = match summary
                .blocks
                .iter_mut()
                .position(|b| b.instance == read.instance)
            {
                Some(at) => &mut summary.blocks[at],
                None => {
                    summary.blocks.push(Block {
                        instance: read.instance,
                        environment: read.environment.clone(),
                        stack: read.stack.clone(),
                        before: Vec::new(),
                        remote: Vec::new(),
                        after: Vec::new(),
                    });
                    summary.blocks.last_mut().expect("just pushed")
                }
            };
            block.remote.push((read.resource, problem));
            if !rejected.contains(&read.instance) {
                rejected.push(read.instance);
            }
        }
        rejected
    }
}
fn next_scope() -> ScopeId {
    ScopeId(NEXT_SCOPE.fetch_add(1, Ordering::Relaxed))
}

/// The problems of one instance, out of a list of (instance index, problem).
fn take_for<T>(problems: &mut Vec<(usize, T)>, index: usize) -> Vec<T> {
    if problems.is_empty() {
        return Vec::new();
    }
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
    // The (environment, stack name) of every instance before the current one, so that a duplicate is
    // found in constant time; `dynamic` is in instance order.
    let mut seen: std::collections::HashSet<(&str, &str)> = std::collections::HashSet::new();
    let mut next = 0;
    for &(index, location) in dynamic {
        for earlier in &instances[next.min(index)..index] {
            seen.insert((earlier.environment.name.as_str(), earlier.stack.name()));
        }
        next = index + 1;
        let instance = &instances[index];
        let name = instance.stack.name();
        if let Err(why) = crate::ids::validate_name(name) {
            problems.push((
                index,
                Diagnostic::new(format!("invalid stack name `{name}`: {why}")).at(location),
            ));
        }
        if !seen.insert((instance.environment.name.as_str(), name)) {
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
