use crate::diagnostic::{Diagnostic, Location};
use crate::extensions::Extensions;
use crate::instantiate::{Batch, Checked, Instantiation, Selection};
use crate::stack::{RemovalPolicy, Stack, Stacks};
use crate::{ids, naming, regions, tags};
use std::any::Any;
use std::collections::HashMap;

type Definition<C> = Box<dyn Fn(&mut Stack, &Environment<C>) + Send + Sync>;
type GroupDefinition<C> = Box<dyn Fn(&mut Stacks, &Environment<C>) + Send + Sync>;

/// A Stackwright app: named environments, each with a typed config value `C`, and stack definitions
/// that run once per environment.
///
/// Everything that does not depend on `C` is kept apart (`Shape`), so that validation, instantiation,
/// synthesis and the command line work on an [`AnyApp`] trait object and are compiled once, inside
/// Stackwright's crates, rather than once per config type in the user's binary.
pub struct App<C> {
    shape: Shape,
    environments: Vec<Environment<C>>,
    /// The definitions of `shape.stacks`, by the same index.
    definitions: Vec<Definition<C>>,
    /// The functions of `Declaration::Group`s, by their index.
    groups: Vec<GroupDefinition<C>>,
}

/// An [`App`] of any config type, as a trait object: what the command line, synthesis and
/// [`instantiate`](AnyApp::instantiate) take (`&dyn AnyApp`; a `&App<C>` converts by itself). Only `App`
/// implements it. The generic code a user's crate compiles is that implementation: a few accessors and
/// the calls of the user's own definitions.
pub trait AnyApp: erased::Erased {}

impl<C> AnyApp for App<C> {}

/// The config-independent half of the boundary, unnameable outside this crate (which seals [`AnyApp`]).
pub(crate) mod erased {
    use super::*;

    pub trait Erased {
        fn shape(&self) -> &Shape;
        fn environment_count(&self) -> usize;
        fn environment(&self, index: usize) -> &EnvSpec;
        /// Runs stack definition `stack` (an index into `Shape::stacks`) for environment `environment`.
        fn define_stack(&self, stack: usize, environment: usize, into: &mut Stack);
        /// Runs the function of `Declaration::Group(group)` for environment `environment`.
        fn define_group(&self, group: usize, environment: usize, into: &mut Stacks);
    }

    impl<C> Erased for App<C> {
        fn shape(&self) -> &Shape {
            &self.shape
        }

        fn environment_count(&self) -> usize {
            self.environments.len()
        }

        fn environment(&self, index: usize) -> &EnvSpec {
            &self.environments[index].spec
        }

        fn define_stack(&self, stack: usize, environment: usize, into: &mut Stack) {
            (self.definitions[stack])(into, &self.environments[environment]);
        }

        fn define_group(&self, group: usize, environment: usize, into: &mut Stacks) {
            (self.groups[group])(into, &self.environments[environment]);
        }
    }

    /// What an app is besides its environments' configs and its definitions.
    pub struct Shape {
        pub(crate) name: String,
        pub(crate) location: Location,
        pub(crate) stacks: Vec<StackDeclaration>,
        pub(crate) declarations: Vec<Declaration>,
        pub(crate) tags: Vec<(String, String)>,
        pub(crate) naming: String,
        /// The app's `.targets(..)` declaration.
        pub(crate) targets: Option<crate::target::Declaration>,
        /// What libraries declared on the app as a whole (a fleet's StackSet), typed by the library.
        pub(crate) extensions: Extensions,
    }

    impl Shape {
        pub(crate) fn new(name: String, location: Location) -> Self {
            Shape {
                name,
                location,
                stacks: Vec::new(),
                declarations: Vec::new(),
                tags: Vec::new(),
                naming: naming::DEFAULT_PATTERN.to_owned(),
                targets: None,
                extensions: Extensions::default(),
            }
        }

        /// The non-generic half of [`App::stack`].
        pub(crate) fn declare_stack(&mut self, name: String, location: Location) {
            self.declarations
                .push(Declaration::Stack(self.stacks.len()));
            self.stacks.push(StackDeclaration { name, location });
        }
    }

    /// A stack declared with `App::stack`.
    pub struct StackDeclaration {
        pub(crate) name: String,
        pub(crate) location: Location,
    }

    /// What `App::stack` and `App::stacks` declare, run in declaration order for each environment.
    pub enum Declaration {
        /// One named stack (`App::stack`); its index into `Shape::stacks`.
        Stack(usize),
        /// A function declaring several stacks that pass handles to each other (`App::stacks`); its index
        /// into `App::groups`.
        Group(usize),
    }
}

pub(crate) use erased::{Declaration, Shape};

impl<C> App<C> {
    #[track_caller]
    pub fn new(name: impl Into<String>) -> Self {
        App {
            shape: Shape::new(name.into(), std::panic::Location::caller()),
            environments: Vec::new(),
            definitions: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// The pattern that turns the name a user gives a resource (`.name("web")`) into its physical name,
    /// e.g. `{app}-{env}-{name}` (the default). Placeholders: `{app}`, `{env}`, `{stack}`, `{account}`,
    /// `{region}` and `{name}`, which is required. Resources without a name get none: the engine
    /// generates one.
    pub fn naming(mut self, pattern: impl Into<String>) -> Self {
        self.shape.naming = pattern.into();
        self
    }

    pub fn naming_pattern(&self) -> &str {
        &self.shape.naming
    }

    /// Declares which targets every stack of the app is compiled for (e.g.
    /// `.targets([Target::Terraform])`); an environment or a stack may narrow it (`Environment::targets`,
    /// `Stack::targets`), never widen it. `synth`, `list`, `plan` and `synth --check` then need no
    /// `--target`. Undeclared, the app has every target.
    #[track_caller]
    pub fn targets(mut self, targets: impl IntoIterator<Item = crate::Target>) -> Self {
        let targets: Vec<crate::Target> = targets.into_iter().collect();
        self.shape.targets = Some(crate::target::Declaration::new(
            targets,
            crate::target::Level::App,
            std::panic::Location::caller(),
        ));
        self
    }

    /// Adds a tag applied to every taggable resource of every environment (see [`tags`] for the standard
    /// keys); an environment's tag or a resource's own tag with the same key wins.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.shape.tags.push((key.into(), value.into()));
        self
    }

    /// The app-wide tags, in declaration order.
    pub fn tags(&self) -> &[(String, String)] {
        &self.shape.tags
    }

    /// Adds an environment (an account x region pair with its own config).
    pub fn environment(mut self, environment: Environment<C>) -> Self {
        self.environments.push(environment);
        self
    }

    /// Adds a stack, defined by a function that runs once per environment.
    #[track_caller]
    pub fn stack(
        mut self,
        name: impl Into<String>,
        define: impl Fn(&mut Stack, &Environment<C>) + Send + Sync + 'static,
    ) -> Self {
        self.shape
            .declare_stack(name.into(), std::panic::Location::caller());
        self.definitions.push(Box::new(define));
        self
    }

    /// Adds stacks that use each other's resources, defined by a function that runs once per
    /// environment: each [`Stacks::stack`] call declares one stack and returns what its closure returns,
    /// typically the handles the later stacks need.
    ///
    /// ```
    /// # use stackwright_core::{App, Environment};
    /// let app = App::new("shop")
    ///     .environment(Environment::new("dev", "123456789012", "eu-west-1", ()))
    ///     .stacks(|stacks, _env| {
    ///         let network = stacks.stack("network", |stack| stack.name().to_owned());
    ///         stacks.stack("service", |stack| {
    ///             // use `network` (e.g. a `VpcHandle`) here, as if it were declared in this stack
    ///             # let _ = (stack, &network);
    ///         });
    ///     });
    /// # assert!(app.instantiate(&Default::default()).instances.len() == 2);
    /// ```
    ///
    /// A handle used in another stack of the same environment becomes an export and an import
    /// (CloudFormation `Outputs.*.Export` and `Fn::ImportValue`; Terraform `output` and
    /// `terraform_remote_state`), and the consumer deploys after the producer. Handles of another
    /// environment stay an error.
    pub fn stacks(
        mut self,
        define: impl Fn(&mut Stacks, &Environment<C>) + Send + Sync + 'static,
    ) -> Self {
        self.shape
            .declarations
            .push(Declaration::Group(self.groups.len()));
        self.groups.push(Box::new(define));
        self
    }

    pub fn name(&self) -> &str {
        &self.shape.name
    }

    /// What libraries declared on the app as a whole, typed by the library that owns each value (as
    /// [`EnvSpec::extensions`] for an environment): the core never reads them.
    pub fn extensions(&self) -> &Extensions {
        &self.shape.extensions
    }

    /// [`App::extensions`], to change: a library's extension trait records its declaration here.
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.shape.extensions
    }

    pub fn environments(&self) -> &[Environment<C>] {
        &self.environments
    }

    /// The names of the stacks declared with [`App::stack`]; those of [`App::stacks`] are known only once
    /// their function has run for an environment (see [`App::instantiate`]).
    pub fn stack_names(&self) -> impl Iterator<Item = &str> {
        self.shape.stacks.iter().map(|s| s.name.as_str())
    }

    /// Problems with the app's own shape: its name, environments and stack names.
    pub fn validate(&self) -> Vec<Diagnostic> {
        (self as &dyn AnyApp).validate()
    }

    /// Runs every stack definition once per selected environment and checks the result: ids, builder
    /// input, and references that cross environments or stacks. All problems are collected.
    pub fn instantiate(&self, selection: &Selection) -> Instantiation<'_> {
        (self as &dyn AnyApp).instantiate(selection)
    }

    /// [`instantiate`](App::instantiate) a few environments at a time: `per_batch` (at least 1)
    /// selected environments' instances are handed to `each`, then dropped (see
    /// `<dyn AnyApp>::instantiate_each`).
    pub fn instantiate_each<'a>(
        &'a self,
        selection: &Selection,
        per_batch: usize,
        each: &mut dyn FnMut(Batch<'a>),
    ) -> Checked {
        (self as &dyn AnyApp).instantiate_each(selection, per_batch, each)
    }
}

// Not generic: compiled once, here, whatever the config type.
impl dyn AnyApp + '_ {
    /// The app's name.
    pub fn name(&self) -> &str {
        &self.shape().name
    }

    /// What libraries declared on the app as a whole ([`App::extensions`]).
    pub fn extensions(&self) -> &Extensions {
        &self.shape().extensions
    }

    /// The environments' config-independent facts, in declaration order.
    pub fn environment_specs(&self) -> impl Iterator<Item = &EnvSpec> + '_ {
        (0..self.environment_count()).map(|i| self.environment(i))
    }

    /// Problems with the app's own shape: its name, environments and stack names.
    pub fn validate(&self) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let shape = self.shape();
        let environments: Vec<&EnvSpec> = self.environment_specs().collect();
        if let Err(why) = ids::validate_name(&shape.name) {
            problems.push(
                Diagnostic::new(format!("invalid app name `{}`: {why}", shape.name))
                    .at(shape.location),
            );
        }
        if environments.is_empty() {
            problems.push(
                Diagnostic::new(format!(
                    "app `{}` has no environment: expected at least one `.environment(...)`",
                    shape.name
                ))
                .at(shape.location),
            );
        }
        if shape.declarations.is_empty() {
            problems.push(
                Diagnostic::new(format!(
                    "app `{}` has no stack: expected at least one `.stack(...)`",
                    shape.name
                ))
                .at(shape.location),
            );
        }
        for problem in tags::problems(&shape.tags) {
            problems.push(Diagnostic::new(problem).at(shape.location));
        }
        if let Err(why) = naming::validate_pattern(&shape.naming) {
            problems.push(
                Diagnostic::new(format!("invalid naming pattern `{}`: {why}", shape.naming))
                    .at(shape.location),
            );
        }
        if let Some(problem) = shape.targets.as_ref().and_then(|d| d.empty_problem()) {
            problems.push(Diagnostic::new(problem).at(shape.location));
        }
        // First declaration of each name: a hash map, so that hundreds of environments cost O(n).
        let mut first_env: HashMap<&str, &EnvSpec> = HashMap::with_capacity(environments.len());
        for env in environments {
            problems.extend(env.validate());
            if let Some(declared) = &env.targets {
                let problem = declared.empty_problem().or_else(|| {
                    let app = shape.targets.as_ref()?;
                    declared.wider_problem(app)
                });
                if let Some(problem) = problem {
                    problems.push(
                        Diagnostic::new(problem)
                            .in_environment(&env.name)
                            .at(declared.location),
                    );
                }
            }
            let first = *first_env.entry(env.name.as_str()).or_insert(env);
            if !std::ptr::eq(first, env) {
                problems.push(
                    Diagnostic::new(format!(
                        "duplicate environment name `{}`: already declared at {}:{}",
                        env.name,
                        first.location.file(),
                        first.location.line()
                    ))
                    .in_environment(&env.name)
                    .at(env.location),
                );
            }
        }
        for (i, stack) in shape.stacks.iter().enumerate() {
            if let Err(why) = ids::validate_name(&stack.name) {
                problems.push(
                    Diagnostic::new(format!("invalid stack name `{}`: {why}", stack.name))
                        .at(stack.location),
                );
            }
            if let Some(first) = shape.stacks[..i].iter().find(|s| s.name == stack.name) {
                problems.push(
                    Diagnostic::new(format!(
                        "duplicate stack name `{}`: already declared at {}:{}",
                        stack.name,
                        first.location.file(),
                        first.location.line()
                    ))
                    .at(stack.location),
                );
            }
        }
        problems
    }
}

/// The target-independent facts of an environment, without the user's config type.
#[derive(Clone, Debug)]
pub struct EnvSpec {
    pub name: String,
    pub account: String,
    pub region: String,
    /// Tags applied to every taggable resource of the environment, in declaration order.
    pub tags: Vec<(String, String)>,
    /// Target-specific settings (e.g. the Terraform backend), attached by the target crates.
    pub extensions: Extensions,
    /// The removal policy of the environment's stateful resources that do not choose their own; `None`:
    /// each kind's default (data kept). See [`Environment::removal_policy`].
    pub removal_policy: Option<RemovalPolicy>,
    /// The environment's `.targets(..)` declaration (see [`Environment::targets`]).
    pub targets: Option<crate::target::Declaration>,
    pub location: Location,
}

impl EnvSpec {
    /// The non-generic half of [`Environment::new`].
    fn new(name: String, account: String, region: String, location: Location) -> Self {
        EnvSpec {
            name,
            account,
            region,
            tags: Vec::new(),
            extensions: Extensions::default(),
            removal_policy: None,
            targets: None,
            location,
        }
    }

    fn validate(&self) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let mut report = |message: String| {
            problems.push(
                Diagnostic::new(message)
                    .in_environment(&self.name)
                    .at(self.location),
            );
        };
        if let Err(why) = ids::validate_name(&self.name) {
            report(format!("invalid environment name `{}`: {why}", self.name));
        }
        if let Err(why) = ids::validate_account(&self.account) {
            report(format!("invalid account id `{}`: {why}", self.account));
        }
        if !regions::is_known(&self.region) {
            report(format!(
                "unknown region `{}`: expected one of {}",
                self.region,
                regions::REGIONS.join(", ")
            ));
        }
        for problem in tags::problems(&self.tags) {
            report(problem);
        }
        problems
    }
}

/// One environment: where (account, region) and how (the user's typed config) a copy of the app runs.
pub struct Environment<C> {
    spec: EnvSpec,
    config: C,
}

impl<C> Environment<C> {
    #[track_caller]
    pub fn new(
        name: impl Into<String>,
        account: impl Into<String>,
        region: impl Into<String>,
        config: C,
    ) -> Self {
        Environment {
            spec: EnvSpec::new(
                name.into(),
                account.into(),
                region.into(),
                std::panic::Location::caller(),
            ),
            config,
        }
    }

    /// Adds a tag applied to every taggable resource of this environment; it wins over an app-wide tag
    /// with the same key, and a resource's own tag wins over it.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.spec.tags.push((key.into(), value.into()));
        self
    }

    /// What happens to the data of this environment's stateful resources (buckets, databases, tables,
    /// volumes, keys, secrets, log groups, hosted zones, generated stateful types) when they leave the
    /// definition, are replaced, or the environment is torn down, for every resource that does not set its
    /// own `.removal_policy(..)`. Without it each kind keeps its data (`Retain`, `Snapshot` for volumes
    /// and databases), as production should.
    ///
    /// `RemovalPolicy::Destroy` makes the environment tear down completely (a test environment, or a
    /// copy recreated after a breach): CloudFormation `DeletionPolicy: Delete`, no Terraform
    /// `prevent_destroy`, buckets and hosted zones emptied by `terraform destroy` (`force_destroy`),
    /// databases without a final snapshot, and deletion protection off on databases, tables and load
    /// balancers (unless the resource chose otherwise). `RemovalPolicy::Retain` keeps every stateful
    /// resource; `RemovalPolicy::Snapshot` snapshots where the kind can and keeps the rest.
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Self {
        self.spec.removal_policy = Some(policy);
        self
    }

    /// Declares which targets this environment's stacks are compiled for (e.g.
    /// `.targets([Target::Terraform])`), narrowing the app's declaration (a wider one is an error); a
    /// stack may narrow it further (`Stack::targets`).
    #[track_caller]
    pub fn targets(mut self, targets: impl IntoIterator<Item = crate::Target>) -> Self {
        let targets: Vec<crate::Target> = targets.into_iter().collect();
        self.spec.targets = Some(crate::target::Declaration::new(
            targets,
            crate::target::Level::Environment,
            std::panic::Location::caller(),
        ));
        self
    }

    /// Attaches a target-specific setting; target crates wrap this in named methods.
    pub fn with_extension<T: Any + Send + Sync>(mut self, value: T) -> Self {
        self.spec.extensions.insert(value);
        self
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    pub fn account(&self) -> &str {
        &self.spec.account
    }

    pub fn region(&self) -> &str {
        &self.spec.region
    }

    /// The partition of the region (`aws`, `aws-cn`, ...), for building ARNs.
    pub fn partition(&self) -> &'static str {
        regions::partition(&self.spec.region)
    }

    pub fn config(&self) -> &C {
        &self.config
    }

    pub fn spec(&self) -> &EnvSpec {
        &self.spec
    }
}
