use crate::diagnostic::{Diagnostic, Location};
use crate::expr::{Expr, ParamRef, Value};
use crate::ids;
use crate::naming::{NameContext, PhysicalName};
use std::collections::HashMap;

/// How deeply lists and maps may nest in a property value: far beyond any real document (IAM policies
/// nest about 6 levels), far below what would overflow a thread's stack in lowering or serialization.
pub const MAX_VALUE_DEPTH: usize = 100;

/// Identifies one (environment, stack) instance within a process. References carry it, so that a reference
/// that crosses environments or stacks is detected (and, later, lowered to a cross-stack import).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScopeId(pub u32);

/// A reference to a resource declared in some stack instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceRef {
    pub scope: ScopeId,
    pub index: u32,
}

/// Implemented by every typed resource handle, so it can be named in `depends_on`.
pub trait HasResourceRef {
    fn resource_ref(&self) -> ResourceRef;
}

impl HasResourceRef for ResourceRef {
    fn resource_ref(&self) -> ResourceRef {
        *self
    }
}

/// A builder that becomes one resource node when added to a stack, and yields a typed handle to it.
pub trait Declare {
    type Handle;
    /// `at` is the reference the new resource will have; the handle keeps it to build attribute references.
    fn declare(self, at: ResourceRef) -> (Resource, Self::Handle);
}

/// What happens to a resource's data when the resource leaves the definition or is replaced (CDK's
/// `RemovalPolicy`, CloudFormation's `DeletionPolicy`/`UpdateReplacePolicy`).
///
/// Builders of stateful resources (databases, buckets, tables, volumes, keys, secrets, log groups, hosted
/// zones) default to `Retain` or `Snapshot`; `Destroy` is the explicit opt-out, per resource
/// (`.removal_policy(..)`) or per environment (`Environment::removal_policy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RemovalPolicy {
    /// Delete the resource and its data (CloudFormation `Delete`; Terraform destroys it, emptying buckets
    /// and zones, without a final snapshot).
    #[default]
    Destroy,
    /// Keep the physical resource (CloudFormation `Retain`, Terraform `prevent_destroy`).
    Retain,
    /// Keep a final snapshot (CloudFormation `Snapshot`; Terraform `prevent_destroy`, as it has no
    /// generic snapshot-on-delete).
    Snapshot,
}

impl RemovalPolicy {
    /// The policy a stateful resource whose kind defaults to `self` takes in an environment whose default
    /// is `environment`: `Snapshot` stays only where the kind can snapshot (its own default is
    /// `Snapshot`: volumes, databases), elsewhere it keeps the resource (`Retain`). A kind that defaults to
    /// `Destroy` is not stateful and keeps `Destroy`.
    pub fn within(self, environment: RemovalPolicy) -> RemovalPolicy {
        match (self, environment) {
            (RemovalPolicy::Destroy, _) => RemovalPolicy::Destroy,
            (_, RemovalPolicy::Destroy) => RemovalPolicy::Destroy,
            (_, RemovalPolicy::Retain) => RemovalPolicy::Retain,
            (kind, RemovalPolicy::Snapshot) => kind,
        }
    }
}

/// A change one target applies to its own lowering of a resource, for what the typed builders do not
/// cover. `target` is the target whose lowering it changes; `path` is relative to the
/// lowered resource (CloudFormation: the resource entry, e.g. `Properties.MetadataOptions.HttpPutResponseHopLimit`;
/// Terraform: the block body, e.g. `metadata_options.http_put_response_hop_limit`). `None` removes.
#[derive(Clone, Debug)]
pub struct Override {
    pub target: crate::Target,
    pub path: Vec<String>,
    pub value: Option<Value>,
    pub location: Location,
}

/// One resource node: a neutral kind, its neutral properties and where the user declared it.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The user's id; targets derive their logical ids and names from it.
    pub id: String,
    /// Neutral kind, e.g. `aws.ec2.Vpc`; each target maps it to its own resource type.
    pub kind: &'static str,
    pub properties: Vec<(&'static str, Value)>,
    /// User tags (key, value) for taggable kinds; targets merge the environment's tags.
    pub tags: Vec<(String, Expr)>,
    pub depends_on: Vec<ResourceRef>,
    /// What happens to the resource's data when it is removed from the definition or replaced: the
    /// kind's default until instantiation applies the environment's (see [`RemovalPolicy::within`]).
    pub removal_policy: RemovalPolicy,
    /// Whether the user chose how this resource is removed (`.removal_policy(..)`, or a deletion
    /// protection setter); if not, the environment's `removal_policy` decides both.
    pub removal_chosen: bool,
    /// The name the resource gets in the cloud, when the user asked for one; see [`crate::naming`].
    pub physical_name: Option<PhysicalName>,
    /// The physical name broke its naming rule, which is reported once, here: targets do not report it
    /// again from their own schemas (a CloudFormation name property's pattern).
    pub physical_name_rejected: bool,
    /// Target-specific edits of the lowered resource, applied last (the escape hatch).
    pub overrides: Vec<Override>,
    /// Security-scanner findings (check id, reason) the user accepts for this resource; the artifacts
    /// carry them as documented skips.
    pub accepted_findings: Vec<(String, String)>,
    /// The id this resource had before the user renamed it: Terraform moves the existing resource to the
    /// new name instead of destroying and recreating it; a change plan shows the rename.
    pub renamed_from: Option<String>,
    /// Where this resource was before the user moved it from another stack of the same environment
    /// (`.moved_from(stack, old_id)`): a change plan pairs it with the resource the source stack drops, and
    /// `synth --steps` moves it without replacing it (a CloudFormation stack refactor, Terraform's
    /// `terraform state rm` and `terraform import`).
    pub moved_from: Option<MovedFrom>,
    pub location: Location,
    /// Problems the builder found in its own input (bad CIDR, ...), reported with the resource's context.
    pub problems: Vec<String>,
    /// Set for a resource that exists outside the app (`Vpc::from_id(..)`): the attributes whose values
    /// are known. Instantiation replaces every reference to them with the value; targets emit nothing.
    pub existing: Option<Vec<(&'static str, Expr)>>,
    /// Set for a read of another environment's stack output (its attribute `value`); instantiation
    /// checks it and resolves the environment (see [`Links::remote`](crate::Links::remote)).
    pub remote_output: Option<RemoteOutput>,
    /// What the resource takes that no other resource of its stack may take too (a load balancer's
    /// listener port, a listener's rule priority), checked by [`Stack::add`]: see [`Resource::claim_unique`].
    pub unique_keys: Vec<UniqueKey>,
    /// Why the user accepts literal secrets in this resource's properties and overrides (see
    /// [`Resource::allow_plaintext_secret`]); unset, the targets refuse them.
    pub plaintext_secret_allowed: Option<String>,
}

/// A key a resource takes in a scope for itself alone ([`Resource::claim_unique`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UniqueKey {
    /// The resource the key is unique in (a load balancer for its listeners' ports).
    pub scope: ResourceRef,
    pub key: String,
    /// The key in words (`listener port 443`).
    pub what: String,
    /// Why it must be unique (`a load balancer listens on a port once`).
    pub rule: &'static str,
}

/// The stack and id a resource had before it moved to the stack that declares it now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MovedFrom {
    /// The stack (of the same environment) that declared it.
    pub stack: String,
    /// Its id there.
    pub id: String,
}

/// Which output of which stack of which environment a resource reads (across regions or accounts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteOutput {
    pub environment: String,
    pub stack: String,
    /// The output's id, as the producing stack declares it with [`Stack::output`].
    pub output: String,
    /// A role that can read it (another account): CloudFormation's `RoleArn`, Terraform's backend role.
    pub role_arn: Option<String>,
}

impl Resource {
    #[track_caller]
    pub fn new(id: impl Into<String>, kind: &'static str) -> Self {
        Self::with_id(id.into(), kind, std::panic::Location::caller())
    }

    /// The non-generic half of [`Resource::new`].
    fn with_id(id: String, kind: &'static str, location: Location) -> Self {
        Resource {
            id,
            kind,
            properties: Vec::new(),
            tags: Vec::new(),
            depends_on: Vec::new(),
            removal_policy: RemovalPolicy::Destroy,
            removal_chosen: false,
            physical_name: None,
            physical_name_rejected: false,
            overrides: Vec::new(),
            accepted_findings: Vec::new(),
            renamed_from: None,
            moved_from: None,
            location,
            problems: Vec::new(),
            existing: None,
            remote_output: None,
            unique_keys: Vec::new(),
            plaintext_secret_allowed: None,
        }
    }

    /// Claims `key` within `scope` (the resource the key is unique in: a load balancer for its
    /// listeners' ports) for this resource alone: a second resource of the stack that
    /// claims the same key in the same scope is an error at its line, naming the first (`what` describes
    /// the key, `rule` says why it must be unique). Declarations the engine would refuse at deploy time,
    /// found at synth.
    pub fn claim_unique(
        &mut self,
        scope: ResourceRef,
        key: impl Into<String>,
        what: impl Into<String>,
        rule: &'static str,
    ) {
        self.unique_keys.push(UniqueKey {
            scope,
            key: key.into(),
            what: what.into(),
            rule,
        });
    }

    /// Accepts literal secrets in this resource (a password, a token, a secret-named environment
    /// variable written into the definition), which then reach the artifacts, their reviews and the
    /// deployment's logs; `reason` says why, for the reader of the definition. Without it, a literal secret
    /// is an error that says how to keep it out. An empty reason is an error.
    pub fn allow_plaintext_secret(&mut self, reason: &str) {
        if reason.trim().is_empty() {
            self.problems.push(
                "allow_plaintext_secret has no reason: say why a literal secret is acceptable here"
                    .into(),
            );
        }
        self.plaintext_secret_allowed = Some(reason.to_owned());
    }

    /// Sets the removal policy as the user's choice, which the environment's default does not override.
    pub fn choose_removal_policy(&mut self, policy: RemovalPolicy) {
        self.removal_policy = policy;
        self.removal_chosen = true;
    }

    /// Applies an environment's removal policy (`Environment::removal_policy`) unless the user chose this
    /// resource's: stateful kinds take it (see [`RemovalPolicy::within`]), and in an environment that
    /// tears down completely (`Destroy`) deletion protection (the neutral `deletion_protection` property of
    /// databases, tables and load balancers) is turned off, since the engines cannot delete a protected
    /// resource.
    pub fn apply_environment_removal(&mut self, environment: RemovalPolicy) {
        if self.removal_chosen {
            return;
        }
        self.removal_policy = self.removal_policy.within(environment);
        if environment == RemovalPolicy::Destroy
            && matches!(self.get("deletion_protection"), Some(Value::Bool(true)))
        {
            self.set("deletion_protection", false);
        }
    }

    /// Sets a property, replacing an earlier value of the same name.
    // Out of line, as `Stack::add`.
    #[inline(never)]
    pub fn set(&mut self, name: &'static str, value: impl Into<Value>) {
        self.set_value(name, value.into());
    }

    /// [`Resource::set`] of a value already converted: not generic, so compiled once.
    fn set_value(&mut self, name: &'static str, value: Value) {
        match self.properties.iter_mut().find(|(n, _)| *n == name) {
            Some((_, slot)) => *slot = value,
            None => self.properties.push((name, value)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.properties
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// The physical name, once the stack has applied the app's naming pattern (after [`Stack::add`]).
    pub fn physical_name(&self) -> Option<&str> {
        self.physical_name.as_ref().map(|n| n.name.as_str())
    }

    /// Visits every expression of the resource's properties and tags, mutably.
    pub fn for_each_expr_mut(&mut self, f: &mut dyn FnMut(&mut Expr)) {
        self.properties
            .iter_mut()
            .for_each(|(_, v)| v.for_each_expr_mut(f));
        self.tags.iter_mut().for_each(|(_, v)| f(v));
    }

    /// Visits every expression of the resource's properties and tags.
    pub fn for_each_expr(&self, f: &mut dyn FnMut(&Expr)) {
        self.properties.iter().for_each(|(_, v)| v.for_each_expr(f));
        self.tags.iter().for_each(|(_, v)| f(v));
    }
}

/// The type of a deploy-time parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    String,
    Number,
}

/// A deploy-time parameter: its value is chosen when the artifact is deployed, with a default.
#[derive(Clone, Debug)]
pub struct Parameter {
    pub id: String,
    pub ty: ParamType,
    pub default: Option<String>,
    pub description: Option<String>,
    pub allowed_values: Vec<String>,
    /// The value is a secret: CloudFormation `NoEcho` (masked in the console and API), Terraform
    /// `sensitive` (masked in plans). See [`Parameter::no_echo`].
    pub no_echo: bool,
    /// Why a literal default of a secret parameter is acceptable (see
    /// [`Parameter::allow_plaintext_secret`]).
    pub plaintext_secret_allowed: Option<String>,
    pub location: Location,
}

impl Parameter {
    #[track_caller]
    pub fn string(id: impl Into<String>) -> Self {
        Self::new(id.into(), ParamType::String)
    }

    #[track_caller]
    pub fn number(id: impl Into<String>) -> Self {
        Self::new(id.into(), ParamType::Number)
    }

    #[track_caller]
    fn new(id: String, ty: ParamType) -> Self {
        Parameter {
            id,
            ty,
            default: None,
            description: None,
            allowed_values: Vec::new(),
            no_echo: false,
            plaintext_secret_allowed: None,
            location: std::panic::Location::caller(),
        }
    }

    /// Marks the value secret: CloudFormation `NoEcho`, Terraform `sensitive`. Its value is given at
    /// deploy time; a literal default would put the secret in the artifact, which is an error unless
    /// accepted with [`Parameter::allow_plaintext_secret`] (so is a default of a parameter whose id names
    /// a secret, such as `DbPassword`).
    pub fn no_echo(mut self) -> Self {
        self.no_echo = true;
        self
    }

    /// Accepts a literal default of a secret parameter, with the reason; an empty reason is an error.
    pub fn allow_plaintext_secret(mut self, reason: impl Into<String>) -> Self {
        self.plaintext_secret_allowed = Some(reason.into());
        self
    }

    pub fn default_value(mut self, value: impl Into<String>) -> Self {
        self.default = Some(value.into());
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    pub fn allowed_values<S: Into<String>>(mut self, values: impl IntoIterator<Item = S>) -> Self {
        self.allowed_values = values.into_iter().map(Into::into).collect();
        self
    }
}

/// The values of a parameter that no deploy could accept: a `Number` default or allowed value that is
/// not a number (CloudFormation refuses the template, Terraform the variable), and a default outside
/// `allowed_values` (CloudFormation fails `CreateStack` when the default is used, Terraform's validation
/// does). A secret's default is not quoted.
fn parameter_value_problems(parameter: &Parameter) -> Vec<Diagnostic> {
    let shown = |value: &str| {
        if parameter.no_echo {
            "(a secret's value, not shown)".to_owned()
        } else {
            format!("{value:?}")
        }
    };
    let mut problems = Vec::new();
    let mut problem = |text: String| {
        problems.push(
            Diagnostic::new(text)
                .for_resource(&parameter.id)
                .at(parameter.location),
        )
    };
    if parameter.ty == ParamType::Number {
        let values = parameter.default.iter().chain(&parameter.allowed_values);
        for value in values.filter(|v| v.parse::<f64>().map_or(true, |n| !n.is_finite())) {
            problem(format!(
                "parameter `{}` is a Number, but {} is not a number: expected digits such as \"3\" or \"2.5\"",
                parameter.id,
                shown(value)
            ));
        }
    }
    if let Some(default) = &parameter.default {
        if !parameter.allowed_values.is_empty() && !parameter.allowed_values.contains(default) {
            problem(format!(
                "the default of parameter `{}`, {}, is not one of its allowed values ({}): a deploy that keeps the default would be refused",
                parameter.id,
                shown(default),
                if parameter.no_echo {
                    format!("{} values", parameter.allowed_values.len())
                } else {
                    parameter.allowed_values.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ")
                }
            ));
        }
    }
    problems
}

/// Handle to a declared parameter; [`ParamHandle::value`] references it.
#[derive(Clone, Copy, Debug)]
pub struct ParamHandle(ParamRef);

impl ParamHandle {
    pub fn value(&self) -> Expr {
        Expr::Param(self.0)
    }
}

impl From<ParamHandle> for Expr {
    fn from(p: ParamHandle) -> Expr {
        p.value()
    }
}

impl From<&ParamHandle> for Expr {
    fn from(p: &ParamHandle) -> Expr {
        p.value()
    }
}

/// A value the stack publishes after deployment (CloudFormation output, Terraform output).
#[derive(Clone, Debug)]
pub struct Output {
    pub id: String,
    pub value: Expr,
    pub description: Option<String>,
    pub location: Location,
}

impl Output {
    pub fn description(&mut self, text: impl Into<String>) -> &mut Self {
        self.description = Some(text.into());
        self
    }
}

/// One stack of one environment, as the user's definition fills it.
#[derive(Debug)]
pub struct Stack {
    name: String,
    scope: ScopeId,
    description: Option<String>,
    pub(crate) resources: Vec<Resource>,
    pub(crate) parameters: Vec<Parameter>,
    pub(crate) outputs: Vec<Output>,
    pub(crate) problems: Vec<Diagnostic>,
    /// Attributes exported whether or not another stack imports them (see [`Stack::keep_export`]).
    pub(crate) kept_exports: Vec<(crate::expr::AttrRef, Location)>,
    /// What this stack provides to the other stacks of its environment (see [`Stack::provides`]).
    pub(crate) provided: Vec<&'static str>,
    /// What this stack needs of another stack of its environment, each with its first user and
    /// location (see [`Stack::needs`]).
    pub(crate) needed: Vec<Need>,
    /// What this stack declares that is unique per account and region (see [`Stack::claim_in_region`]).
    pub(crate) claims: Vec<Claim>,
    naming: NameContext,
    location: Location,
    /// Typed records that a library keeps about this stack without the core knowing their type (the code
    /// assets it uses, `stackwright-assets`). Read after instantiation from [`crate::StackInstance::stack`].
    extensions: crate::Extensions,
    /// The stack's own `.targets(..)` declaration (see [`Stack::targets`]).
    pub(crate) targets: Option<crate::target::Declaration>,
    /// Where each id was first declared, so that `add`, `add_parameter` and `output` find a duplicate in
    /// constant time: a stack of n resources costs O(n), not O(n^2). Keys are the user's ids (std's
    /// hasher: the core has no dependencies, and this is not where synthesis spends its time).
    ids: Ids,
}

/// What a stack needs of another stack of its environment ([`Stack::needs`]).
#[derive(Clone, Debug)]
pub(crate) struct Need {
    pub(crate) what: &'static str,
    pub(crate) user: String,
    pub(crate) location: Location,
}

/// Something unique per account and region that a stack declares ([`Stack::claim_in_region`]).
#[derive(Clone, Debug)]
pub(crate) struct Claim {
    pub(crate) what: &'static str,
    pub(crate) advice: &'static str,
    pub(crate) location: Location,
}

/// First declarations by id, one map per id space, and physical names by (kind, name).
#[derive(Debug, Default)]
struct Ids {
    resources: HashMap<String, Location>,
    parameters: HashMap<String, Location>,
    outputs: HashMap<String, Location>,
    /// The index of the first resource of a kind that has a given physical name.
    physical_names: HashMap<(&'static str, String), usize>,
    /// Ids of composites whose own id was reported ([`Stack::check_composite_id`]): the id problems of the
    /// resources they declare (the id itself and `<id>-...`) are follow-ons, not reported again.
    reported_composites: Vec<String>,
    /// What each composite whose id was checked is (`task definition`), by id: a name collision of one
    /// of its parts (`<id>-...`) is said in the composite's words ([`Stack::composite_part`]).
    composites: HashMap<String, String>,
    /// The first resource (id, location) to take each key in each scope ([`Resource::claim_unique`]).
    unique_keys: HashMap<(ResourceRef, String), (String, Location)>,
}

impl Stack {
    pub(crate) fn new(name: &str, scope: ScopeId, naming: NameContext, location: Location) -> Self {
        Stack {
            name: name.to_owned(),
            scope,
            description: None,
            resources: Vec::new(),
            parameters: Vec::new(),
            outputs: Vec::new(),
            problems: Vec::new(),
            kept_exports: Vec::new(),
            provided: Vec::new(),
            needed: Vec::new(),
            claims: Vec::new(),
            naming,
            location,
            extensions: crate::Extensions::default(),
            targets: None,
            ids: Ids::default(),
        }
    }

    /// Declares which targets this stack is compiled for (e.g. `stack.targets([Target::Terraform])`),
    /// narrowing its environment's or app's declaration (a wider one is an error): `synth`, `list`, `plan`
    /// and `synth --check` then produce only these artifacts of the stack, with no `--target` flag, and
    /// everything specific to another target (an override, a raw resource without this target's form) is
    /// checked against it. Undeclared everywhere, a stack has every target.
    #[track_caller]
    pub fn targets(&mut self, targets: impl IntoIterator<Item = crate::Target>) {
        let targets: Vec<crate::Target> = targets.into_iter().collect();
        self.declare_targets(targets, std::panic::Location::caller());
    }

    /// The non-generic half of [`Stack::targets`].
    fn declare_targets(&mut self, targets: Vec<crate::Target>, location: Location) {
        self.targets = Some(crate::target::Declaration::new(
            targets,
            crate::target::Level::Stack,
            location,
        ));
    }

    /// The stack's own `.targets(..)` declaration, if it made one (see [`crate::StackInstance::targets`]
    /// for the targets it has, whoever declared them).
    pub fn declared_targets(&self) -> Option<&crate::target::Declaration> {
        self.targets.as_ref()
    }

    /// What libraries recorded about this stack ([`Stack::extensions_mut`]).
    pub fn extensions(&self) -> &crate::Extensions {
        &self.extensions
    }

    /// Typed records a library keeps about this stack, one value per type (the code assets a stack uses):
    /// the core never reads them.
    pub fn extensions_mut(&mut self) -> &mut crate::Extensions {
        &mut self.extensions
    }

    /// Where the stack's definition was added to the app (`App::stack`): the place problems of the
    /// stack as a whole (a template over a service limit) point at.
    pub fn location(&self) -> Location {
        self.location
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn scope(&self) -> ScopeId {
        self.scope
    }

    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    pub fn outputs(&self) -> &[Output] {
        &self.outputs
    }

    /// The resource a reference of this stack points at, if it belongs to this stack.
    pub fn resource(&self, r: ResourceRef) -> Option<&Resource> {
        (r.scope == self.scope).then(|| self.resources.get(r.index as usize))?
    }

    pub fn parameter(&self, p: ParamRef) -> Option<&Parameter> {
        (p.scope == self.scope).then(|| self.parameters.get(p.index as usize))?
    }

    pub fn set_description(&mut self, text: impl Into<String>) {
        self.description = Some(text.into());
    }

    /// Adds a resource and returns its typed handle.
    ///
    /// Generic only in what it must be (the builder's type and its handle): the checks and the
    /// bookkeeping are a non-generic function compiled once in this crate, so that the crate of a
    /// definition instantiates a few lines per builder type instead of the whole of `add`.
    // Out of line: inlined into the definition that calls it, each instance made an optimized build's
    // ThinLTO re-optimize more after an edit of that definition (README, "Build times").
    #[inline(never)]
    pub fn add<B: Declare>(&mut self, builder: B) -> B::Handle {
        let (resource, handle) = builder.declare(self.next_resource_ref());
        self.add_resource(resource);
        handle
    }

    /// The reference the next resource added to this stack gets.
    fn next_resource_ref(&self) -> ResourceRef {
        ResourceRef {
            scope: self.scope,
            index: self.resources.len() as u32,
        }
    }

    /// The non-generic half of [`Stack::add`]: checks the declared resource (id, value depth, physical
    /// name) and appends it where `next_resource_ref` said it would be.
    fn add_resource(&mut self, mut resource: Resource) {
        let reported = self.ids.reported_composites.contains(&resource.id)
            || self.is_composite_part(&resource.id);
        if !reported {
            let problems = id_problems(
                "resource",
                &resource.id,
                resource.location,
                &mut self.ids.resources,
            );
            self.problems.extend(problems);
        }
        self.limit_depth(&mut resource);
        self.apply_naming(&mut resource);
        self.check_unique_keys(&resource);
        self.resources.push(resource);
    }

    /// Reports each key `resource` claims that an earlier resource of the stack took in the same scope.
    fn check_unique_keys(&mut self, resource: &Resource) {
        for claim in &resource.unique_keys {
            let first = (resource.id.clone(), resource.location);
            let taken = self
                .ids
                .unique_keys
                .entry((claim.scope, claim.key.clone()))
                .or_insert(first);
            if taken.0 != resource.id {
                let (id, at) = taken;
                self.problems.push(
                    Diagnostic::new(format!(
                        "{} is taken by `{id}` ({}:{}): {}",
                        claim.what,
                        at.file(),
                        at.line(),
                        claim.rule
                    ))
                    .for_resource(&resource.id)
                    .at(resource.location),
                );
            }
        }
    }

    /// Reports a property or override value nested deeper than [`MAX_VALUE_DEPTH`] and replaces it with an
    /// empty map, so that no later phase (checks, lowering on worker threads with small stacks,
    /// serialization) recurses that deep.
    fn limit_depth(&mut self, resource: &mut Resource) {
        let mut problems = Vec::new();
        // What each value is, as text only for a value that is too deep: no allocation otherwise.
        let properties = resource
            .properties
            .iter_mut()
            .map(|(name, v)| (Err(*name), v));
        let overrides = resource.overrides.iter_mut().filter_map(|o| {
            o.value
                .as_mut()
                .map(|v| (Ok((&o.path, o.target.name())), v))
        });
        for (what, value) in properties.chain(overrides) {
            if value.depth_exceeds(MAX_VALUE_DEPTH).is_some() {
                let what = match what {
                    Err(name) => format!("property `{name}`"),
                    Ok((path, target)) => format!("override of `{}` ({target})", path.join(".")),
                };
                problems.push(format!(
                    "value of {what} nests lists and maps more than {MAX_VALUE_DEPTH} levels deep, the most \
                     accepted (no CloudFormation or Terraform document needs more)"
                ));
                std::mem::replace(value, Value::Map(Vec::new())).drop_iteratively();
            }
        }
        for problem in problems {
            self.problems.push(
                Diagnostic::new(problem)
                    .for_resource(&resource.id)
                    .at(resource.location),
            );
        }
    }

    /// Turns the name the user gave into the physical name (the app's pattern), and reports a name that
    /// breaks its type's rule or that another resource of the same kind already has.
    fn apply_naming(&mut self, resource: &mut Resource) {
        let Some(physical) = &mut resource.physical_name else {
            return;
        };
        let given = std::mem::take(&mut physical.name);
        physical.name = self.naming.expand(&given);
        let full = &physical.name;
        let mut problems = Vec::new();
        if let Err(why) = physical.rule.check(full) {
            problems.push(format!(
                "invalid physical name `{full}` (name `{given}` in naming pattern `{}`): {why}",
                self.naming.pattern
            ));
            resource.physical_name_rejected = true;
        }
        let index = self.resources.len();
        let twin = match self.ids.physical_names.entry((resource.kind, full.clone())) {
            std::collections::hash_map::Entry::Occupied(first) => {
                Some(&self.resources[*first.get()])
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(index);
                None
            }
        };
        if let Some(twin) = twin {
            problems.push(format!(
                "physical name `{full}` is already used by `{}` (declared at {}:{}): expected unique names \
                 for resources of one kind",
                twin.id,
                twin.location.file(),
                twin.location.line()
            ));
        }
        for problem in problems {
            self.problems.push(
                Diagnostic::new(problem)
                    .for_resource(&resource.id)
                    .at(resource.location),
            );
        }
    }

    /// Checks the id of a composite (`what`: `function`, `schedule`), a builder that declares several
    /// resources named after its own id (`<id>`, `<id>-Role`, `<id>-Logs`, ...), once, before it declares
    /// them: an invalid id, or one that a resource of this stack already has, is reported once, in the
    /// composite's words (`duplicate function id `Worker`: already declared at ...`), and the id problems
    /// of the resources the composite then declares are not reported again (one mistake, one error).
    /// Returns whether the id is fine.
    pub fn check_composite_id(&mut self, what: &str, id: &str, location: Location) -> bool {
        self.ids
            .composites
            .entry(id.to_owned())
            .or_insert_with(|| what.to_owned());
        let mut problems = Vec::new();
        if let Err(why) = ids::validate(id) {
            problems.push(format!("invalid {what} id `{id}`: {why}"));
        } else if let Some(first) = self.ids.resources.get(id) {
            problems.push(format!(
                "duplicate {what} id `{id}`: already declared at {}:{}",
                first.file(),
                first.line()
            ));
        }
        if problems.is_empty() {
            return true;
        }
        for problem in problems {
            self.reject_composite_id(id, problem, location);
        }
        false
    }

    /// Reports `problem` with a composite's id `id` that [`Stack::check_composite_id`] does not know of
    /// (a length its parts' names cannot take), with the same effect: the id problems of the resources
    /// it declares are follow-ons, not reported again.
    pub fn reject_composite_id(&mut self, id: &str, problem: String, location: Location) {
        self.problems
            .push(Diagnostic::new(problem).for_resource(id).at(location));
        if !self.ids.reported_composites.iter().any(|c| c == id) {
            self.ids.reported_composites.push(id.to_owned());
        }
    }

    /// Whether a composite's id was reported ([`Stack::check_composite_id`]).
    pub fn has_reported_composite(&self) -> bool {
        !self.ids.reported_composites.is_empty()
    }

    /// Whether resource `id` is a part (`<composite>-...`) of a composite whose id was reported: its own
    /// problems follow from that id.
    pub fn is_composite_part(&self, id: &str) -> bool {
        self.ids.reported_composites.iter().any(|composite| {
            id.strip_prefix(composite.as_str())
                .is_some_and(|rest| rest.starts_with('-'))
        })
    }

    /// The composite (what it is, its id) that declared resource `id` as one of its parts
    /// (`<composite>-...`, the longest such composite id), if any ([`Stack::check_composite_id`]).
    pub fn composite_part(&self, id: &str) -> Option<(&str, &str)> {
        id.rmatch_indices('-').find_map(|(end, _)| {
            let composite = &id[..end];
            self.ids
                .composites
                .get_key_value(composite)
                .map(|(id, what)| (what.as_str(), id.as_str()))
        })
    }

    /// Where this stack's resource `id` was declared, if one has that id.
    pub fn declared_at(&self, id: &str) -> Option<Location> {
        self.ids.resources.get(id).copied()
    }

    /// Declares a deploy-time parameter.
    pub fn add_parameter(&mut self, parameter: Parameter) -> ParamHandle {
        let problems = id_problems(
            "parameter",
            &parameter.id,
            parameter.location,
            &mut self.ids.parameters,
        );
        self.problems.extend(problems);
        if parameter
            .plaintext_secret_allowed
            .as_ref()
            .is_some_and(|reason| reason.trim().is_empty())
        {
            self.problems.push(
                Diagnostic::new(
                    "allow_plaintext_secret has no reason: say why a literal secret is acceptable here",
                )
                .for_resource(&parameter.id)
                .at(parameter.location),
            );
        }
        self.problems.extend(parameter_value_problems(&parameter));
        let handle = ParamHandle(ParamRef {
            scope: self.scope,
            index: self.parameters.len() as u32,
        });
        self.parameters.push(parameter);
        handle
    }

    /// Records a problem found while defining this stack outside any builder (a template that does not
    /// render, a helper's own check). Like every other problem it is reported with the environment and stack
    /// and fails the synthesis; give it a location (`.at(...)`) so that it points at the user's line.
    pub fn report(&mut self, problem: Diagnostic) {
        self.problems.push(problem);
    }

    /// Says that this stack provides `what` to the other stacks of its environment (a library's word
    /// for something outside the references between resources, e.g. `"the asset bucket"`): every stack
    /// of the environment that [`needs`](Stack::needs) it deploys after this one (`depends_on`, deploy
    /// waves), whatever the order the stacks were declared in.
    pub fn provides(&mut self, what: &'static str) {
        if !self.provided.contains(&what) {
            self.provided.push(what);
        }
    }

    /// Says that this stack declares `what`, of which an account and region has one (a library's
    /// singleton whose names are built from the account and region, e.g. the asset bucket
    /// `stackwright-assets-<account>-<region>`, which the physical-name check cannot compare as the
    /// names are `Expr`s). A second stack, of any environment of the same account and region, that
    /// claims the same `what` is an error at its `location`, naming the first, followed by `advice`
    /// (what to call there instead). A stack that claims it twice is not.
    pub fn claim_in_region(
        &mut self,
        what: &'static str,
        advice: &'static str,
        location: Location,
    ) {
        if !self.claims.iter().any(|c| c.what == what) {
            self.claims.push(Claim {
                what,
                advice,
                location,
            });
        }
    }

    /// Says that this stack needs what another stack of its environment [`provides`](Stack::provides)
    /// (`what`), so that it deploys after that stack; `user` (e.g. a code asset's source) and `location`
    /// name the need in messages (a dependency cycle). Nothing happens in an environment where no other
    /// stack provides it (a library may warn of that itself).
    pub fn needs(&mut self, what: &'static str, user: impl Into<String>, location: Location) {
        if !self.needed.iter().any(|n| n.what == what) {
            self.needed.push(Need {
                what,
                user: user.into(),
                location,
            });
        }
    }

    /// Keeps exporting an attribute of one of this stack's resources (e.g. `vpc.id()`) although no stack
    /// imports it any more: the first of two deploys that remove a cross-stack reference without a
    /// "deadly embrace". CloudFormation refuses to delete an export that a deployed stack imports, and
    /// the producer deploys first; so deploy once with the export kept (the consumers stop importing it),
    /// then remove this line and deploy again. `plan` says when it is needed. Anything but a lone
    /// attribute of this stack's resource is an error at the caller's line.
    #[track_caller]
    pub fn keep_export(&mut self, value: impl Into<Expr>) {
        let location = std::panic::Location::caller();
        match value.into() {
            Expr::Attr(attr) if attr.resource.scope == self.scope => {
                self.kept_exports.push((attr, location))
            }
            _ => self.problems.push(
                Diagnostic::new(
                    "keep_export takes an attribute of a resource of this stack, e.g. `vpc.id()`: \
                     call it in the stack that declares the resource",
                )
                .at(location),
            ),
        }
    }

    /// Publishes a value as a stack output.
    #[track_caller]
    pub fn output(&mut self, id: impl Into<String>, value: impl Into<Expr>) -> &mut Output {
        self.add_output(Output {
            id: id.into(),
            value: value.into(),
            description: None,
            location: std::panic::Location::caller(),
        })
    }

    /// The non-generic half of [`Stack::output`].
    fn add_output(&mut self, output: Output) -> &mut Output {
        let problems = id_problems("output", &output.id, output.location, &mut self.ids.outputs);
        self.problems.extend(problems);
        self.outputs.push(output);
        self.outputs.last_mut().expect("just pushed")
    }
}

/// Checks each declared rename: a valid old id, not the resource's own id, not still declared, and not
/// claimed by two resources (each would be moved onto the same existing resource).
pub(crate) fn rename_problems(stack: &Stack) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    if stack
        .resources
        .iter()
        .all(|r| r.renamed_from.is_none() && r.moved_from.is_none())
    {
        return problems;
    }
    // Each resource by id (the first declared, as `Stack::add` reports later ones), and the first
    // resource renamed from each old id: one pass, so that many renames stay linear.
    let mut by_id: HashMap<&str, &Resource> = HashMap::with_capacity(stack.resources.len());
    for resource in &stack.resources {
        by_id.entry(resource.id.as_str()).or_insert(resource);
    }
    let mut claimed: HashMap<&str, &Resource> = HashMap::new();
    let mut moved: HashMap<(&str, &str), &Resource> = HashMap::new();
    for resource in &stack.resources {
        if let Some(from) = &resource.moved_from {
            let mut problem = |message: String| {
                problems.push(
                    Diagnostic::new(message)
                        .for_resource(&resource.id)
                        .at(resource.location),
                )
            };
            // The source is a stack: the stack-name rule, not the id rule.
            if let Err(why) = ids::validate_name(&from.stack) {
                problem(format!(
                    "invalid stack `{}` in moved_from: {why}",
                    from.stack
                ));
            } else if let Err(why) = ids::validate(&from.id) {
                problem(format!("invalid old id `{}` in moved_from: {why}", from.id));
            } else if from.stack == stack.name() {
                problem(format!(
                    "`{}` is moved from stack `{}`, the stack that declares it: within one stack, use \
                     renamed_from(\"{}\")",
                    resource.id, from.stack, from.id
                ));
            } else if resource.renamed_from.is_some() {
                problem(format!(
                    "`{}` declares both renamed_from and moved_from: a moved resource's old id is the one \
                     moved_from names; remove renamed_from",
                    resource.id
                ));
            } else if let Some(first) = moved
                .get(&(from.stack.as_str(), from.id.as_str()))
                .copied()
                .or_else(|| {
                    moved.insert((&from.stack, &from.id), resource);
                    None
                })
            {
                problem(format!(
                    "`{}` and `{}` are both moved from `{}` of stack `{}`: only one resource can take it over",
                    first.id, resource.id, from.id, from.stack
                ));
            }
        }
        let Some(old) = &resource.renamed_from else {
            continue;
        };
        let mut problem = |message: String| {
            problems.push(
                Diagnostic::new(message)
                    .for_resource(&resource.id)
                    .at(resource.location),
            )
        };
        if let Err(why) = ids::validate(old) {
            problem(format!("invalid old id `{old}` in renamed_from: {why}"));
        } else if *old == resource.id {
            problem(format!(
                "`{old}` is renamed from itself: remove renamed_from or give the old id"
            ));
        } else if let Some(other) = by_id.get(old.as_str()) {
            problem(format!(
                "`{}` is renamed from `{old}`, but `{old}` is still declared at {}:{}: remove one of them",
                resource.id,
                other.location.file(),
                other.location.line()
            ));
        } else if let Some(first) = claimed.get(old.as_str()).copied().or_else(|| {
            claimed.insert(old, resource);
            None
        }) {
            problem(format!(
                "`{}` and `{}` are both renamed from `{old}`: only one resource can take over `{old}`",
                first.id, resource.id
            ));
        }
    }
    problems
}

/// Checks an id's syntax and that no earlier declaration of the same kind uses it (`first`: where each
/// id of the kind was first declared; a new id is recorded there).
fn id_problems(
    what: &str,
    id: &str,
    location: Location,
    first: &mut HashMap<String, Location>,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    if let Err(why) = ids::validate(id) {
        problems.push(format!("invalid {what} id `{id}`: {why}"));
    }
    // One lookup: the id is new in all but a mistake.
    let earlier = match first.entry(id.to_owned()) {
        std::collections::hash_map::Entry::Occupied(at) => Some(*at.get()),
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(location);
            None
        }
    };
    if let Some(first) = earlier {
        problems.push(format!(
            "duplicate {what} id `{id}`: already declared at {}:{}",
            first.file(),
            first.line()
        ));
    }
    problems
        .into_iter()
        .map(|message| Diagnostic::new(message).for_resource(id).at(location))
        .collect()
}

/// The stacks that one environment's run of an [`App::stacks`](crate::App::stacks) function declares,
/// in order. Each [`Stacks::stack`] returns its closure's value, so a later stack receives the handles
/// of an earlier one as ordinary Rust values.
pub struct Stacks {
    pub(crate) declared: Vec<(Stack, Location)>,
    pub(crate) naming: NameContext,
    pub(crate) next_scope: fn() -> ScopeId,
}

impl Stacks {
    /// Declares stack `name` (lowercase letters, digits and `-`, unique in the app) for this environment,
    /// filled by `define`, and returns what `define` returns.
    #[track_caller]
    pub fn stack<R>(&mut self, name: impl Into<String>, define: impl FnOnce(&mut Stack) -> R) -> R {
        let location = std::panic::Location::caller();
        let mut stack = self.open(name.into(), location);
        let value = define(&mut stack);
        self.declared.push((stack, location));
        value
    }

    /// The non-generic half of [`Stacks::stack`]: the new, empty stack.
    fn open(&mut self, name: String, location: Location) -> Stack {
        let naming = NameContext {
            stack: name.clone(),
            ..self.naming.clone()
        };
        Stack::new(&name, (self.next_scope)(), naming, location)
    }
}
