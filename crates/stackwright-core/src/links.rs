//! References between stack instances of one environment: which values a stack imports from another,
//! which it exports, the order stacks deploy in, and the references that are rejected.

use crate::diagnostic::{Diagnostic, Location};
use crate::expr::{AttrRef, Expr};
use crate::instantiate::StackInstance;
use crate::stack::{ResourceRef, ScopeId};
use std::collections::{BTreeMap, HashMap};

/// A value a stack reads from another stack of its environment: an attribute of one of its resources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// The producing stack's name.
    pub stack: String,
    pub resource: ResourceRef,
    /// The producing resource's id: targets derive the export's name from it.
    pub resource_id: String,
    pub attr: &'static str,
}

/// A value a stack publishes because other stacks of its environment use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    /// A resource of this stack.
    pub resource: ResourceRef,
    pub resource_id: String,
    pub attr: &'static str,
    /// The stacks that import it, in declaration order; none for an export kept with
    /// [`Stack::keep_export`](crate::Stack::keep_export) that no stack imports any more.
    pub consumers: Vec<String>,
}

impl Export {
    /// The importing stacks for messages and descriptions: `stack `service``, `stacks `data`, `service``.
    pub fn consumer_list(&self) -> String {
        let names: Vec<String> = self.consumers.iter().map(|c| format!("`{c}`")).collect();
        let plural = if names.len() == 1 { "" } else { "s" };
        format!("stack{plural} {}", names.join(", "))
    }

    /// The exported attribute, as a reference to it.
    pub fn value(&self) -> crate::Expr {
        crate::Expr::Attr(crate::AttrRef {
            resource: self.resource,
            attr: self.attr,
        })
    }

    /// The problem of a user's output that already takes `name`, the name this export's output needs in a
    /// target (`what`: "output logical id", "output name"); reported at `resource`, the exported one.
    pub fn name_taken(
        &self,
        what: &str,
        name: &str,
        resource: &crate::Resource,
    ) -> crate::Diagnostic {
        crate::Diagnostic::new(format!(
            "{what} `{name}` is needed for the export of `{}` to {}: rename the output",
            self.resource_id,
            self.consumer_list()
        ))
        .for_resource(&self.resource_id)
        .at(resource.location)
    }

    /// The description of the export's output: the attribute, the resource and who reads it, in the
    /// target's words (`reads`, `read`: "imports", "imported" in CloudFormation, "reads", "read" in
    /// Terraform).
    pub fn description(&self, reads: &str, read: &str) -> String {
        let readers = if self.consumers.is_empty() {
            format!("kept for one more deploy (keep_export): no stack {reads} it any more")
        } else {
            format!("{read} by {}", self.consumer_list())
        };
        format!("`{}` of `{}`, {readers}", self.attr, self.resource_id)
    }
}

/// How one stack instance is tied to the other stacks of its environment.
#[derive(Clone, Debug, Default)]
pub struct Links {
    /// Values read from other stacks, in order of first use.
    pub imports: Vec<Import>,
    /// Values other stacks read from this one, by resource (declaration order), then attribute.
    pub exports: Vec<Export>,
    /// Stacks of the same environment this one deploys after (it imports from them, names one of
    /// their resources in `depends_on`, or needs what they provide: `Stack::needs`), in declaration
    /// order.
    pub depends_on: Vec<String>,
    /// Outputs of other environments' stacks that resources of this one read.
    pub remote: Vec<RemoteRead>,
    /// How many references of this instance were rejected (reported by instantiation). Targets are not
    /// run on such an instance, so that one mistake gives one error.
    pub rejected: usize,
    /// The position of each import in `imports`, so that [`Links::import`] (called for every reference
    /// a target lowers) takes constant time.
    import_index: HashMap<AttrRef, usize>,
}

/// A checked read of another environment's stack output.
#[derive(Clone, Debug)]
pub struct RemoteRead {
    /// The index of the reading resource (the one with `remote_output`) in this stack.
    pub resource: u32,
    /// The producing environment (its region, account and target settings).
    pub environment: crate::EnvSpec,
    pub stack: String,
    pub output: String,
    pub role_arn: Option<String>,
}

impl Links {
    /// The remote read a resource of this stack is, if it is one.
    pub fn remote(&self, resource: u32) -> Option<&RemoteRead> {
        self.remote.iter().find(|r| r.resource == resource)
    }

    /// The import an attribute reference of another stack resolves to.
    pub fn import(&self, attr: &AttrRef) -> Option<&Import> {
        if self.import_index.len() == self.imports.len() {
            return self.import_index.get(attr).map(|&i| &self.imports[i]);
        }
        // `imports` was filled by other means than instantiation: search it.
        self.imports
            .iter()
            .find(|i| i.resource == attr.resource && i.attr == attr.attr)
    }
}

/// One use of another stack's resource, for messages about cycles.
struct Use {
    user: String,
    target: String,
    location: Location,
}

/// Fills every instance's [`Links`] and returns the rejected references as (instance index, problem):
/// references to another environment, to an undeclared scope, to another stack's parameter, and
/// dependency cycles between stacks. `foreign` names the (environment, stack) of instances linked
/// before, in other environments: a reference to one of them is one to another environment.
pub(crate) fn link(
    instances: &mut [StackInstance],
    foreign: &HashMap<ScopeId, (String, String)>,
) -> Vec<(usize, Diagnostic)> {
    let owners: BTreeMap<ScopeId, usize> = instances
        .iter()
        .enumerate()
        .map(|(i, instance)| (instance.stack.scope(), i))
        .collect();
    let mut problems = Vec::new();
    // (consumer, producer) -> the first use, in declaration order.
    let mut edges: BTreeMap<(usize, usize), Use> = BTreeMap::new();
    let mut exports: Vec<Vec<Export>> = vec![Vec::new(); instances.len()];
    // The position of each export in its producer's list, so that many imports stay linear.
    let mut export_index: Vec<HashMap<AttrRef, usize>> = vec![HashMap::new(); instances.len()];
    let mut all_links: Vec<Links> = Vec::with_capacity(instances.len());
    // The stacks that provide something (`Stack::provides`), by (environment, what), in order.
    let mut providers: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, instance) in instances.iter().enumerate() {
        for what in &instance.stack.provided {
            providers
                .entry((instance.environment.name.as_str(), what))
                .or_default()
                .push(i);
        }
    }
    for (here, instance) in instances.iter().enumerate() {
        let mut links = Links::default();
        let mut reject = |problem: Diagnostic, links: &mut Links| {
            links.rejected += 1;
            problems.push((here, problem));
        };
        let mut visit = |reference: Reference,
                         user: &str,
                         location: Location,
                         links: &mut Links,
                         edges: &mut BTreeMap<(usize, usize), Use>| {
            let scope = reference.scope();
            if scope == instance.stack.scope() {
                return;
            }
            let Some(&there) = owners.get(&scope) else {
                if let Some((env, stack)) = foreign.get(&scope) {
                    return reject(
                        Diagnostic::new(other_environment(user, reference, env, stack))
                            .for_resource(user)
                            .at(location),
                        links,
                    );
                }
                let message = format!(
                    "`{user}` references {} that was not declared in any selected stack of this app",
                    reference.what()
                );
                return reject(
                    Diagnostic::new(message).for_resource(user).at(location),
                    links,
                );
            };
            let producer = &instances[there];
            let (env, stack) = (&producer.environment.name, producer.stack.name());
            if *env != instance.environment.name {
                return reject(
                    Diagnostic::new(other_environment(user, reference, env, stack))
                        .for_resource(user)
                        .at(location),
                    links,
                );
            }
            // Every target this stack is compiled for must have the producer's stack too: else that
            // target's artifact would import a value no stack of it exports (or wait for a stack that
            // does not exist).
            let missing: Vec<crate::Target> = instance
                .targets
                .iter()
                .copied()
                .filter(|t| !producer.targets.contains(t))
                .collect();
            if !missing.is_empty() {
                let declared = |i: &StackInstance| {
                    i.declaration
                        .as_ref()
                        .map_or_else(|| "undeclared: both".to_owned(), |d| d.describe())
                };
                let message = format!(
                    "`{user}` uses {} of stack `{stack}`, which is compiled for {} only ({}), but this stack \
                     is compiled for {} ({}): its {} artifact would read a value that no {} stack produces. \
                     Declare this stack's targets as the producer's (`stack.targets([..])`), or give stack \
                     `{stack}` the {} target too",
                    reference.what(),
                    crate::target::names(&producer.targets),
                    declared(producer),
                    crate::target::names(&instance.targets),
                    declared(instance),
                    crate::target::names(&missing),
                    crate::target::names(&missing),
                    crate::target::names(&missing),
                );
                return reject(
                    Diagnostic::new(message).for_resource(user).at(location),
                    links,
                );
            }
            let target = match reference {
                Reference::Param(_) => {
                    let message = format!(
                        "`{user}` references a parameter of stack `{stack}`: a parameter belongs to its \
                         stack; declare it in stack `{}` too, or pass the resource that uses it",
                        instance.stack.name()
                    );
                    return reject(
                        Diagnostic::new(message).for_resource(user).at(location),
                        links,
                    );
                }
                Reference::DependsOn(r) => resource_id(producer, r).to_owned(),
                Reference::Attr(attr) => {
                    let resource_id = resource_id(producer, attr.resource).to_owned();
                    let remote = producer
                        .stack
                        .resources()
                        .get(attr.resource.index as usize)
                        .and_then(|r| r.remote_output.as_ref());
                    if let Some(remote) = remote {
                        let message = format!(
                            "`{user}` uses `{resource_id}` of stack `{stack}`, a value read from \
                             environment `{}`: read it in stack `{}` too (`remote::StackOutput::new(..)`), \
                             as an export cannot hold another stack's output",
                            remote.environment,
                            instance.stack.name()
                        );
                        return reject(
                            Diagnostic::new(message).for_resource(user).at(location),
                            links,
                        );
                    }
                    if links.import(attr).is_none() {
                        links.import_index.insert(attr.clone(), links.imports.len());
                        links.imports.push(Import {
                            stack: stack.to_owned(),
                            resource: attr.resource,
                            resource_id: resource_id.clone(),
                            attr: attr.attr,
                        });
                        let list = &mut exports[there];
                        match export_index[there].get(attr) {
                            Some(&at) => {
                                let export = &mut list[at];
                                if !export.consumers.iter().any(|c| c == instance.stack.name()) {
                                    export.consumers.push(instance.stack.name().to_owned());
                                }
                            }
                            None => {
                                export_index[there].insert(attr.clone(), list.len());
                                list.push(Export {
                                    resource: attr.resource,
                                    resource_id: resource_id.clone(),
                                    attr: attr.attr,
                                    consumers: vec![instance.stack.name().to_owned()],
                                })
                            }
                        }
                    }
                    format!("{resource_id}.{}", attr.attr)
                }
            };
            edges.entry((here, there)).or_insert(Use {
                user: user.to_owned(),
                target: format!("`{target}` of stack `{stack}`"),
                location,
            });
        };
        let stack = &instance.stack;
        for resource in stack.resources() {
            let (user, at) = (resource.id.as_str(), resource.location);
            resource.for_each_expr(&mut |e| {
                each_reference(e, &mut |r| visit(r, user, at, &mut links, &mut edges))
            });
            for dependency in &resource.depends_on {
                visit(
                    Reference::DependsOn(*dependency),
                    user,
                    at,
                    &mut links,
                    &mut edges,
                );
            }
        }
        for output in stack.outputs() {
            each_reference(&output.value, &mut |r| {
                visit(r, &output.id, output.location, &mut links, &mut edges)
            });
        }
        // What the stack needs of another (`Stack::needs`): deploy order only, no import.
        for need in &stack.needed {
            let found = providers.get(&(instance.environment.name.as_str(), need.what));
            for &there in found.into_iter().flatten().filter(|&&there| there != here) {
                edges.entry((here, there)).or_insert(Use {
                    user: need.user.clone(),
                    target: format!(
                        "{} (stack `{}` provides it)",
                        need.what,
                        instances[there].stack.name()
                    ),
                    location: need.location,
                });
            }
        }
        links.depends_on = edges
            .range((here, 0)..(here + 1, 0))
            .map(|(&(_, there), _)| instances[there].stack.name().to_owned())
            .collect();
        // `instances` is borrowed immutably here; the links are stored after the loop.
        all_links.push(links);
    }
    for ((instance, list), index) in instances.iter().zip(&mut exports).zip(&mut export_index) {
        for (attr, _) in &instance.stack.kept_exports {
            if let std::collections::hash_map::Entry::Vacant(slot) = index.entry(attr.clone()) {
                slot.insert(list.len());
                list.push(Export {
                    resource: attr.resource,
                    resource_id: resource_id(instance, attr.resource).to_owned(),
                    attr: attr.attr,
                    consumers: Vec::new(),
                });
            }
        }
    }
    for ((instance, mut links), mut exported) in instances.iter_mut().zip(all_links).zip(exports) {
        exported.sort_by_key(|e| (e.resource.index, e.attr));
        links.exports = exported;
        // References to existing resources and remote reads were checked (and counted) before.
        links.rejected += instance.links.rejected;
        links.remote = std::mem::take(&mut instance.links.remote);
        instance.links = links;
    }
    for (cycle, problem) in cycles(instances, &edges) {
        for &i in &cycle {
            instances[i].links.rejected += 1;
        }
        problems.push((cycle[0], problem));
    }
    problems
}

fn other_environment(user: &str, reference: Reference, env: &str, stack: &str) -> String {
    format!(
        "`{user}` references {} of environment `{env}` (stack `{stack}`): a stack can only reference \
         resources of its own environment; pass a value both environments share through their config \
         instead",
        reference.what()
    )
}

/// What a reference points at.
#[derive(Clone, Copy)]
enum Reference<'a> {
    Attr(&'a AttrRef),
    Param(crate::expr::ParamRef),
    DependsOn(ResourceRef),
}

impl Reference<'_> {
    fn scope(&self) -> ScopeId {
        match self {
            Reference::Attr(a) => a.resource.scope,
            Reference::Param(p) => p.scope,
            Reference::DependsOn(r) => r.scope,
        }
    }

    fn what(&self) -> &'static str {
        match self {
            Reference::Attr(_) => "a resource attribute",
            Reference::Param(_) => "a parameter",
            Reference::DependsOn(_) => "a resource (in depends_on)",
        }
    }
}

fn each_reference<'e>(expr: &'e Expr, f: &mut dyn FnMut(Reference<'e>)) {
    match expr {
        Expr::Attr(a) => f(Reference::Attr(a)),
        Expr::Param(p) => f(Reference::Param(*p)),
        Expr::Concat(parts) => parts.iter().for_each(|p| each_reference(p, f)),
        Expr::Literal(_) | Expr::Pseudo(_) => {}
    }
}

fn resource_id<'a>(instance: &'a StackInstance, r: ResourceRef) -> &'a str {
    instance
        .stack
        .resources()
        .get(r.index as usize)
        .map_or("?", |resource| resource.id.as_str())
}

/// Every dependency cycle between stacks, once each (as the instance indices along it, starting at the
/// earliest declared), with a problem naming the references that form it.
fn cycles(
    instances: &[StackInstance],
    edges: &BTreeMap<(usize, usize), Use>,
) -> Vec<(Vec<usize>, Diagnostic)> {
    let mut found: Vec<(Vec<usize>, Diagnostic)> = Vec::new();
    let mut on_a_cycle = vec![false; instances.len()];
    for start in 0..instances.len() {
        if on_a_cycle[start] {
            continue;
        }
        // Depth-first search for a path back to `start` through stacks declared after it (the earliest
        // stack of a cycle finds it; later ones skip it).
        let mut path = vec![start];
        let mut next_edge = vec![0usize];
        while let Some(&node) = path.last() {
            let successors: Vec<usize> = edges
                .range((node, 0)..(node + 1, 0))
                .map(|(&(_, there), _)| there)
                .filter(|&there| there >= start)
                .collect();
            let depth = path.len() - 1;
            let Some(&there) = successors.get(next_edge[depth]) else {
                path.pop();
                next_edge.pop();
                continue;
            };
            next_edge[depth] += 1;
            if there == start {
                path.iter().for_each(|&i| on_a_cycle[i] = true);
                let steps: Vec<String> = path
                    .iter()
                    .zip(path.iter().skip(1).chain([&start]))
                    .map(|(&from, &to)| {
                        let u = &edges[&(from, to)];
                        format!(
                            "`{}` of stack `{}` uses {}",
                            u.user,
                            instances[from].stack.name(),
                            u.target
                        )
                    })
                    .collect();
                let first = &edges[&(path[0], *path.get(1).unwrap_or(&start))];
                let message = format!(
                    "stacks depend on each other in a cycle, so none can deploy first: {}; move one of \
                     these resources so that references go one way",
                    steps.join(", ")
                );
                found.push((
                    path.clone(),
                    Diagnostic::new(message)
                        .for_resource(&first.user)
                        .at(first.location),
                ));
                break;
            }
            if !path.contains(&there) {
                path.push(there);
                next_edge.push(0);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::EnvSpec;
    use crate::extensions::Extensions;
    use crate::naming::NameContext;
    use crate::stack::{Resource, Stack};

    fn env(name: &str) -> EnvSpec {
        EnvSpec {
            name: name.into(),
            account: "123456789012".into(),
            region: "eu-west-1".into(),
            tags: Vec::new(),
            extensions: Extensions::default(),
            removal_policy: None,
            targets: None,
            location: std::panic::Location::caller(),
        }
    }

    /// A stack of scope `scope` whose one resource `id` uses attribute `id` of the first resource of
    /// each scope in `uses`. Scopes are made by hand: the API cannot build a cycle, as a stack only
    /// receives handles of stacks declared before it.
    fn stack(name: &str, scope: u32, id: &str, uses: &[u32]) -> Stack {
        let mut stack = Stack::new(
            name,
            ScopeId(scope),
            NameContext::default(),
            std::panic::Location::caller(),
        );
        let mut resource = Resource::new(id, "test.Thing");
        for (i, &other) in uses.iter().enumerate() {
            let attr = Expr::Attr(AttrRef {
                resource: ResourceRef {
                    scope: ScopeId(other),
                    index: 0,
                },
                attr: "id",
            });
            resource.properties.push((["a", "b", "c"][i], attr.into()));
        }
        stack.resources.push(resource);
        stack
    }

    fn instances<'a>(env: &'a EnvSpec, stacks: Vec<Stack>) -> Vec<StackInstance<'a>> {
        stacks
            .into_iter()
            .map(|stack| StackInstance {
                app: "shop",
                environment: env,
                default_tags: Vec::new(),
                stack,
                links: Links::default(),
                targets: crate::Target::ALL.to_vec(),
                declaration: None,
            })
            .collect()
    }

    #[test]
    fn imports_exports_and_order() {
        let dev = env("dev");
        let mut all = instances(
            &dev,
            vec![
                stack("network", 1, "Vpc", &[]),
                stack("data", 2, "Db", &[1]),
                stack("service", 3, "Web", &[1, 2]),
            ],
        );
        assert!(link(&mut all, &HashMap::new()).is_empty());
        assert_eq!(all[2].links.depends_on, ["network", "data"]);
        assert_eq!(all[2].links.imports.len(), 2);
        assert_eq!(all[0].links.exports[0].consumers, ["data", "service"]);
        assert!(all[2].links.exports.is_empty());
    }

    #[test]
    fn a_cycle_names_its_references_and_rejects_its_stacks() {
        let dev = env("dev");
        let mut all = instances(
            &dev,
            vec![
                stack("network", 1, "Vpc", &[3]),
                stack("data", 2, "Db", &[1]),
                stack("service", 3, "Web", &[2]),
                stack("other", 4, "Thing", &[1]),
            ],
        );
        let problems = link(&mut all, &HashMap::new());
        assert_eq!(problems.len(), 1, "{problems:?}");
        let (at, problem) = &problems[0];
        assert_eq!(*at, 0);
        assert_eq!(
            problem.message,
            "stacks depend on each other in a cycle, so none can deploy first: `Vpc` of stack \
             `network` uses `Web.id` of stack `service`, `Web` of stack `service` uses `Db.id` of stack \
             `data`, `Db` of stack `data` uses `Vpc.id` of stack `network`; move one of these resources \
             so that references go one way"
        );
        let rejected: Vec<usize> = all.iter().map(|i| i.links.rejected).collect();
        assert_eq!(rejected, [1, 1, 1, 0]);
    }

    #[test]
    fn other_environments_are_rejected() {
        let (dev, prod) = (env("dev"), env("prod"));
        let mut all = instances(&dev, vec![stack("network", 1, "Vpc", &[])]);
        all.extend(instances(&prod, vec![stack("service", 2, "Web", &[1])]));
        let problems = link(&mut all, &HashMap::new());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].1.message.contains("of environment `dev`"));
        assert_eq!(all[1].links.rejected, 1);
        assert!(all[0].links.exports.is_empty());
    }
    /// A stack that needs what another provides (`Stack::needs`) deploys after it, in its environment
    /// only, without importing anything, whatever the order they were declared in; one providing to
    /// itself does not wait for itself.
    #[test]
    fn a_need_orders_the_stacks_of_its_environment_only() {
        let (dev, prod) = (env("dev"), env("prod"));
        let mut service = stack("service", 1, "Web", &[]);
        service.needs(
            "the asset bucket",
            "functions/api",
            std::panic::Location::caller(),
        );
        let mut assets = stack("assets", 2, "Bucket", &[]);
        assets.provides("the asset bucket");
        assets.needs(
            "the asset bucket",
            "functions/own",
            std::panic::Location::caller(),
        );
        let mut all = instances(&dev, vec![service, assets]);
        let mut other = stack("assets", 3, "Bucket", &[]);
        other.provides("the asset bucket");
        all.extend(instances(&prod, vec![other]));
        assert!(link(&mut all, &HashMap::new()).is_empty());
        assert_eq!(all[0].links.depends_on, ["assets"]);
        assert!(all[0].links.imports.is_empty());
        assert!(all[1].links.exports.is_empty());
        assert!(all[1].links.depends_on.is_empty());
        assert!(all[2].links.depends_on.is_empty());
    }

    /// A need that closes a cycle is one problem naming it, like a reference.
    #[test]
    fn a_need_that_closes_a_cycle_is_named() {
        let dev = env("dev");
        let mut service = stack("service", 1, "Web", &[]);
        service.needs(
            "the asset bucket",
            "functions/api",
            std::panic::Location::caller(),
        );
        let mut assets = stack("assets", 2, "Bucket", &[1]);
        assets.provides("the asset bucket");
        let mut all = instances(&dev, vec![service, assets]);
        let problems = link(&mut all, &HashMap::new());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0].1.message,
            "stacks depend on each other in a cycle, so none can deploy first: `functions/api` of stack \
             `service` uses the asset bucket (stack `assets` provides it), `Bucket` of stack `assets` uses \
             `Web.id` of stack `service`; move one of these resources so that references go one way"
        );
    }
}
