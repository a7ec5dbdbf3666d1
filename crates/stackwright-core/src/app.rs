use crate::diagnostic::{Diagnostic, Location};
use crate::extensions::Extensions;
use crate::stack::{RemovalPolicy, Stack, Stacks};
use crate::{ids, naming, regions, tags};
use std::any::Any;

type Definition<C> = Box<dyn Fn(&mut Stack, &Environment<C>) + Send + Sync>;
type GroupDefinition<C> = Box<dyn Fn(&mut Stacks, &Environment<C>) + Send + Sync>;

/// A Stackwright app: named environments, each with a typed config value `C`, and stack definitions
/// that run once per environment.
pub struct App<C> {
    name: String,
    location: Location,
    environments: Vec<Environment<C>>,
    stacks: Vec<StackDefinition<C>>,
    declarations: Vec<Declaration<C>>,
    tags: Vec<(String, String)>,
    naming: String,
}

pub(crate) struct StackDefinition<C> {
    pub(crate) name: String,
    pub(crate) location: Location,
    pub(crate) define: Definition<C>,
}

/// What `App::stack` and `App::stacks` declare, run in declaration order for each environment.
pub(crate) enum Declaration<C> {
    /// One named stack (`App::stack`); its index into `App::stacks`.
    Stack(usize),
    /// A function declaring several stacks that pass handles to each other (`App::stacks`).
    Group(GroupDefinition<C>),
}

impl<C> App<C> {
    #[track_caller]
    pub fn new(name: impl Into<String>) -> Self {
        App {
            name: name.into(),
            location: std::panic::Location::caller(),
            environments: Vec::new(),
            stacks: Vec::new(),
            declarations: Vec::new(),
            tags: Vec::new(),
            naming: naming::DEFAULT_PATTERN.to_owned(),
        }
    }

    /// The pattern that turns the name a user gives a resource (`.name("web")`) into its physical name,
    /// e.g. `{app}-{env}-{name}` (the default). Placeholders: `{app}`, `{env}`, `{stack}`, `{account}`,
    /// `{region}` and `{name}`, which is required. Resources without a name get none: the engine
    /// generates one.
    pub fn naming(mut self, pattern: impl Into<String>) -> Self {
        self.naming = pattern.into();
        self
    }

    pub fn naming_pattern(&self) -> &str {
        &self.naming
    }

    /// Adds a tag applied to every taggable resource of every environment (see [`tags`] for the standard
    /// keys); an environment's tag or a resource's own tag with the same key wins.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push((key.into(), value.into()));
        self
    }

    /// The app-wide tags, in declaration order.
    pub fn tags(&self) -> &[(String, String)] {
        &self.tags
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
        self.declarations
            .push(Declaration::Stack(self.stacks.len()));
        self.stacks.push(StackDefinition {
            name: name.into(),
            location: std::panic::Location::caller(),
            define: Box::new(define),
        });
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
        self.declarations.push(Declaration::Group(Box::new(define)));
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn environments(&self) -> &[Environment<C>] {
        &self.environments
    }

    /// The names of the stacks declared with [`App::stack`]; those of [`App::stacks`] are known only once
    /// their function has run for an environment (see [`App::instantiate`]).
    pub fn stack_names(&self) -> impl Iterator<Item = &str> {
        self.stacks.iter().map(|s| s.name.as_str())
    }

    pub(crate) fn stack_definitions(&self) -> &[StackDefinition<C>] {
        &self.stacks
    }

    pub(crate) fn declarations(&self) -> &[Declaration<C>] {
        &self.declarations
    }

    /// Problems with the app's own shape: its name, environments and stack names.
    pub fn validate(&self) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        if let Err(why) = ids::validate_name(&self.name) {
            problems.push(
                Diagnostic::new(format!("invalid app name `{}`: {why}", self.name))
                    .at(self.location),
            );
        }
        if self.environments.is_empty() {
            problems.push(
                Diagnostic::new(format!(
                    "app `{}` has no environment: expected at least one `.environment(...)`",
                    self.name
                ))
                .at(self.location),
            );
        }
        if self.declarations.is_empty() {
            problems.push(
                Diagnostic::new(format!(
                    "app `{}` has no stack: expected at least one `.stack(...)`",
                    self.name
                ))
                .at(self.location),
            );
        }
        for problem in tags::problems(&self.tags) {
            problems.push(Diagnostic::new(problem).at(self.location));
        }
        if let Err(why) = naming::validate_pattern(&self.naming) {
            problems.push(
                Diagnostic::new(format!("invalid naming pattern `{}`: {why}", self.naming))
                    .at(self.location),
            );
        }
        for (i, env) in self.environments.iter().enumerate() {
            problems.extend(env.spec.validate());
            if let Some(first) = self.environments[..i]
                .iter()
                .find(|e| e.spec.name == env.spec.name)
            {
                problems.push(
                    Diagnostic::new(format!(
                        "duplicate environment name `{}`: already declared at {}:{}",
                        env.spec.name,
                        first.spec.location.file(),
                        first.spec.location.line()
                    ))
                    .in_environment(&env.spec.name)
                    .at(env.spec.location),
                );
            }
        }
        for (i, stack) in self.stacks.iter().enumerate() {
            if let Err(why) = ids::validate_name(&stack.name) {
                problems.push(
                    Diagnostic::new(format!("invalid stack name `{}`: {why}", stack.name))
                        .at(stack.location),
                );
            }
            if let Some(first) = self.stacks[..i].iter().find(|s| s.name == stack.name) {
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
    pub location: Location,
}

impl EnvSpec {
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
        if self.account.len() != 12 || !self.account.bytes().all(|b| b.is_ascii_digit()) {
            report(format!(
                "invalid account id `{}`: expected exactly 12 digits",
                self.account
            ));
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
            spec: EnvSpec {
                name: name.into(),
                account: account.into(),
                region: region.into(),
                tags: Vec::new(),
                extensions: Extensions::default(),
                removal_policy: None,
                location: std::panic::Location::caller(),
            },
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
