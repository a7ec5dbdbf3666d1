//! Per-kind lowering of neutral resources to Terraform resources and data sources: shared machinery
//! here, one module per AWS service.

mod construct;
mod lookups;
mod policy;
mod raw;
mod registry;
mod ssm;
mod zones;

pub(crate) use registry::{
    check as check_registry, ACCOUNT_DATA_SOURCE, AWSCC_PROVIDER_CONSTRAINT,
    TERRAFORM_PRECONDITION_CONSTRAINT,
};

use crate::document::{Body, Groups, Keep, Section, BLOCK_DEPTH};
use crate::expr::{self, PseudoValue, Resolve};
use crate::names::{self, Names};
use serde_json::{Map, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::ids::Namespace;
use stackwright_core::{
    regions, AttrRef, Diagnostic, EnvSpec, Links, ParamRef, Pseudo, RemovalPolicy, Resource, Stack,
    Target, Value,
};
use stackwright_lowering::ordering::GatewayOrdering;

pub(crate) struct Lowering<'a> {
    pub app: &'a str,
    pub env: &'a EnvSpec,
    pub stack: &'a Stack,
    /// What the stack imports from the other stacks of its environment.
    pub links: &'a Links,
    pub names: &'a Names,
    /// The instance's default tags (standard, app, environment): the provider's `default_tags`.
    pub default_tags: &'a [(String, String)],
    /// Internet gateways that resources with public addresses wait for.
    pub gateways: &'a GatewayOrdering,
    /// Whether anything read `Expr::url_suffix()`, which needs the module's `aws_partition` data source
    /// ([`PARTITION_DATA_SOURCE`]).
    pub partition_used: std::cell::Cell<bool>,
    /// The code assets (`kinds::ASSET`, by index) whose bucket or key a block, output or dependency of
    /// the module read: each is uploaded from the tree ([`Lowering::uploads`]).
    pub uploaded: std::cell::RefCell<std::collections::BTreeSet<usize>>,
}

/// How many tags S3 allows on an object ("Categorizing your storage using tags", S3 user guide).
pub(crate) const OBJECT_TAG_LIMIT: usize = 10;

/// The alias of the aws provider configuration without `default_tags` that uploads code assets when the
/// environment has more default tags than an S3 object allows ([`OBJECT_TAG_LIMIT`]).
pub(crate) const ASSET_PROVIDER_ALIAS: &str = "stackwright_assets";

/// The `aws_partition` data source a module declares (once) when it reads `Expr::url_suffix()`.
pub(crate) const PARTITION_DATA_SOURCE: &str = "stackwright_partition";

/// `resource` and `data` blocks, grouped by type in order of first appearance, and `moved` blocks.
pub(crate) struct Blocks {
    pub resources: Groups,
    pub data: Groups,
    pub moved: Vec<Json>,
    /// `resource` blocks added.
    pub count: usize,
    /// Whether any block is an awscc resource (a registry type), which needs the awscc provider.
    pub awscc: bool,
    /// Every name in the module; the blocks a kind splits into claim theirs when they are added.
    names: Namespace,
    /// How each body is kept as it is added.
    keep: Keep,
}

impl Blocks {
    pub fn new(names: Namespace, keep: Keep) -> Self {
        Blocks {
            resources: Groups::new(),
            data: Groups::new(),
            moved: Vec::new(),
            count: 0,
            awscc: false,
            names,
            keep,
        }
    }

    /// Adds a `terraform_remote_state` data source. Its type is Terraform's own and its name is a stack's,
    /// so it claims no name in the module's namespace.
    pub(crate) fn add_remote_state(&mut self, name: &str, body: Map<String, Json>) {
        self.add(true, "terraform_remote_state", name, body);
    }

    /// Adds (or replaces, in place) the block `type_name.name`.
    pub(crate) fn add(&mut self, data: bool, type_name: &str, name: &str, body: Map<String, Json>) {
        let group = if data {
            &mut self.data
        } else {
            &mut self.resources
        };
        let body = Body::new(Json::Object(body), BLOCK_DEPTH, self.keep);
        match group.get_mut(type_name) {
            Some(of_type) => {
                of_type.insert(name.to_owned(), body);
            }
            None => {
                let mut of_type = Section::new();
                of_type.insert(name.to_owned(), body);
                group.insert(type_name.to_owned(), of_type);
            }
        }
        // Managed resources only, as `plan` and Terraform count them; data sources are read, not created.
        if !data {
            self.count += 1;
        }
    }
}

/// How a service's kinds lower. Each service module exports one; kinds it does not know give `None`/`false`.
pub(crate) struct Service {
    /// The Terraform type of a kind's main block, and whether it is a data source.
    pub block_type: fn(kind: &str) -> Option<(&'static str, bool)>,
    /// Fills the attributes of `a.resource`'s main block and adds what it splits into to `out`.
    pub lower: fn(name: &str, a: &mut Attrs, out: &mut Secondary) -> bool,
    /// The Terraform attribute a neutral attribute of a kind reads.
    pub attribute: fn(kind: &str, attr: &str) -> Option<&'static str>,
}

/// This target's name in overrides (`override_terraform`).
const TARGET: Target = Target::Terraform;

/// Every service with kinds to lower, one per line.
#[rustfmt::skip]
const SERVICES: &[Service] = &[
    ssm::SERVICE,
    zones::SERVICE,
    lookups::SERVICE,
];

/// The Terraform type of a resource's main block, and whether it is a data source.
fn terraform_type(resource: &Resource) -> Option<(String, bool)> {
    if resource.kind == kinds::ASSET {
        return Some((ASSET_OBJECT.to_owned(), false));
    }
    if resource.kind == kinds::RAW {
        return raw::block_type(resource);
    }
    if resource.kind == kinds::REGISTRY {
        return registry::block_type(resource);
    }
    if let Some(spelling) = stackwright_aws::construct::spelling(resource.kind) {
        return Some((spelling.terraform.to_owned(), false));
    }
    SERVICES
        .iter()
        .find_map(|service| (service.block_type)(resource.kind))
        .map(|(type_name, data)| (type_name.to_owned(), data))
}

/// The type of a code asset's upload.
const ASSET_OBJECT: &str = "aws_s3_object";

/// What a kind adds beside its main block: resources it splits into, data sources and variables it
/// needs, and addresses its main block must wait for that Terraform cannot infer from references.
#[derive(Default)]
pub(crate) struct Secondary {
    pub blocks: Vec<SecondaryBlock>,
    pub data: Vec<SecondaryBlock>,
    pub variables: Vec<(String, Json)>,
    pub depends_on: Vec<String>,
}

impl Lowering<'_> {
    /// A physical name for types whose Terraform resource requires one where CloudFormation generates
    /// it, when the user gave none: `<app>-<environment>-<stack>-<id>`, unique per account and region as
    /// long as the app is.
    pub(crate) fn required_name(&self, resource: &Resource) -> String {
        match resource.physical_name() {
            Some(name) => name.to_owned(),
            None => format!(
                "{}-{}-{}-{}",
                self.app,
                self.env.name,
                self.stack.name(),
                resource.id
            ),
        }
    }

    /// [`Lowering::required_name`] as the kind's name: a derived name is checked against the kind's
    /// naming rule like a name the user gave (which `Stack::add` checked), so nothing is shortened
    /// silently and the error says to give a shorter one.
    pub(crate) fn checked_required_name(
        &self,
        resource: &Resource,
        problems: &mut Vec<Diagnostic>,
    ) -> String {
        let name = self.required_name(resource);
        if resource.physical_name().is_some() {
            return name;
        }
        if let Some(rule) = stackwright_aws::naming::rule_for(resource.kind) {
            // Said without the environment's name, so that it is one problem for every environment.
            for why in rule.derived_name_problems(&name) {
                problems.push(
                    Diagnostic::new(format!(
                        "the Terraform name derived for `{}` (`<app>-<env>-<stack>-<id>`) is invalid: \
                         {why}; give it a name with `.name(...)`",
                        resource.id
                    ))
                    .for_resource(&resource.id)
                    .at(resource.location),
                );
            }
        }
        name
    }

    /// [`Lowering::required_name`] followed by `suffix`, the name both targets give a construct
    /// (`construct::Form::name_in_both_targets`); a derived one is checked against the kind's naming
    /// rule here only, so that it is reported once.
    pub(crate) fn checked_suffixed_name(
        &self,
        resource: &Resource,
        suffix: &str,
        problems: &mut Vec<Diagnostic>,
    ) -> String {
        let name = format!("{}{suffix}", self.required_name(resource));
        if resource.physical_name().is_some() {
            return name;
        }
        if let Some(rule) = stackwright_aws::naming::rule_for(resource.kind) {
            // Said without the environment's name, so that it is one problem for every environment.
            for why in rule.derived_name_problems(&name) {
                problems.push(
                    Diagnostic::new(format!(
                        "the name derived for `{}` (`<app>-<env>-<stack>-<id>{suffix}`) is invalid: \
                         {why}; give it a shorter name with `.name(...)`",
                        resource.id
                    ))
                    .for_resource(&resource.id)
                    .at(resource.location),
                );
            }
        }
        name
    }

    fn address(&self, index: usize, resource: &Resource) -> Result<String, String> {
        let (type_name, data) = terraform_type(resource)
            .ok_or_else(|| format!("resource `{}` has no Terraform form", resource.id))?;
        let prefix = if data { "data." } else { "" };
        Ok(format!(
            "{prefix}{type_name}.{}",
            self.names.resources[index]
        ))
    }
}

impl Resolve for Lowering<'_> {
    fn attr(&self, attr: &AttrRef) -> Result<String, String> {
        let remote = (attr.resource.scope == self.stack.scope())
            .then(|| self.links.remote(attr.resource.index))
            .flatten();
        if let Some(read) = remote {
            return Ok(format!(
                "data.terraform_remote_state.{}.outputs.{}",
                crate::exports::remote_environment_name(&read.environment.name, &read.stack),
                names::snake_case(&read.output)
            ));
        }
        if attr.resource.scope != self.stack.scope() {
            let import = self
                .links
                .import(attr)
                .ok_or("reference to a resource outside this stack")?;
            return Ok(format!(
                "data.terraform_remote_state.{}.outputs.{}",
                crate::exports::remote_state_name(&import.stack),
                crate::exports::output_name(&import.resource_id, import.attr)
            ));
        }
        let resource = self
            .stack
            .resource(attr.resource)
            .ok_or("reference to a resource outside this stack")?;
        if resource.kind == kinds::ASSET {
            use stackwright_aws::kinds::asset;
            return match attr.attr {
                asset::MODULE_PATH => Ok("path.module".to_owned()),
                asset::BUCKET | asset::KEY => {
                    self.uploaded
                        .borrow_mut()
                        .insert(attr.resource.index as usize);
                    let address = self.address(attr.resource.index as usize, resource)?;
                    Ok(format!("{address}.{}", attr.attr))
                }
                other => Err(format!("a code asset has no attribute `{other}`")),
            };
        }
        let address = self.address(attr.resource.index as usize, resource)?;
        if resource.kind == kinds::RAW {
            return Ok(format!(
                "{address}.{}",
                raw::attribute(resource, attr.attr)?
            ));
        }
        if resource.kind == kinds::REGISTRY {
            return Ok(format!(
                "{address}.{}",
                registry::attribute(resource, attr.attr)?
            ));
        }
        if resource.kind == kinds::AVAILABILITY_ZONES {
            stackwright_aws::ec2::zone_index(attr.attr)?;
        }
        let name = match stackwright_aws::construct::spelling(resource.kind) {
            Some(spelling) => spelling.attribute(attr.attr).map(|a| a.terraform),
            None => SERVICES
                .iter()
                .find_map(|service| (service.attribute)(resource.kind, attr.attr)),
        };
        let Some(name) = name else {
            return Err(format!(
                "attribute `{}` of `{}` has no Terraform equivalent",
                attr.attr, resource.kind
            ));
        };
        Ok(format!("{address}.{name}"))
    }

    fn param(&self, param: &ParamRef) -> Result<String, String> {
        self.stack
            .parameter(*param)
            .map(|_| format!("var.{}", self.names.variables[param.index as usize]))
            .ok_or_else(|| "reference to a parameter outside this stack".into())
    }

    fn pseudo(&self, pseudo: Pseudo) -> Result<PseudoValue, String> {
        Ok(PseudoValue::Literal(match pseudo {
            Pseudo::AccountId => self.env.account.clone(),
            Pseudo::Region => self.env.region.clone(),
            Pseudo::Partition => regions::partition(&self.env.region).to_owned(),
            // The name CloudFormation deploys the same stack as (`<app>-<environment>-<stack>`), so that
            // both targets give the same text.
            Pseudo::StackName => format!("{}-{}-{}", self.app, self.env.name, self.stack.name()),
            Pseudo::UrlSuffix => {
                self.partition_used.set(true);
                return Ok(PseudoValue::Address(format!(
                    "data.aws_partition.{PARTITION_DATA_SOURCE}.dns_suffix"
                )));
            }
            Pseudo::StackId => {
                return Err(
                    "`Expr::stack_id()` is CloudFormation's stack id (`AWS::StackId`); a Terraform module has \
                     no stack id: use `Expr::stack_name()` or a value of your own for this target, or \
                     declare the stack CloudFormation-only (`stack.targets([Target::CloudFormation])`)"
                        .into(),
                )
            }
            Pseudo::NoValue => return Err(stackwright_core::NO_VALUE_MISPLACED.into()),
        }))
    }
}

/// checkov checks that do not apply to a block, as its `"//"` comment (which Terraform ignores):
/// `checkov:skip=<id>: <reason>` entries. checkov honours no skips in Terraform JSON, so
/// `scripts/check-artifacts.sh` reads them and reports those checks as skipped, with the reason.
pub(crate) fn checkov_skips<I: AsRef<str>, R: AsRef<str>>(skips: &[(I, R)]) -> Json {
    let entries = skips
        .iter()
        .map(|(id, reason)| format!("checkov:skip={}: {}", id.as_ref(), reason.as_ref()));
    Json::Array(entries.map(Json::String).collect())
}

/// A block a resource splits into, with the findings the user accepted for the resource leading its
/// `"//"` comment: a finding is about the resource as declared, whichever of its blocks checkov reports
/// it on (a security group's rules, the document of a policy).
fn with_accepted_findings(
    body: Map<String, Json>,
    findings: &[(String, String)],
) -> Map<String, Json> {
    if findings.is_empty() {
        return body;
    }
    let Json::Array(mut comment) = checkov_skips(findings) else {
        unreachable!("checkov_skips returns an array")
    };
    let mut out = Map::new();
    let mut rest = Map::new();
    for (key, value) in body {
        match (key.as_str(), value) {
            ("//", Json::Array(existing)) => comment.extend(existing),
            ("//", other) => comment.push(other),
            (_, value) => {
                rest.insert(key, value);
            }
        }
    }
    out.insert("//".into(), Json::Array(comment));
    out.append(&mut rest);
    out
}

/// A resource a kind splits into beside its main block: (type, name, attributes).
pub(crate) type SecondaryBlock = (&'static str, String, Map<String, Json>);

/// Builds the attributes of one block, reporting problems against the resource.
pub(crate) struct Attrs<'l, 'p> {
    pub lowering: &'l Lowering<'l>,
    pub resource: &'l Resource,
    pub problems: &'p mut Vec<Diagnostic>,
    pub out: Map<String, Json>,
    /// checkov checks that do not apply to the block, with the reason.
    pub skips: Vec<(String, String)>,
}

impl Attrs<'_, '_> {
    pub fn value(&mut self, value: &Value) -> Json {
        let (resource, problems, lowering) = (self.resource, &mut *self.problems, self.lowering);
        stackwright_lowering::lower_value_keyed(value, &expr::escape, None, &mut |e| {
            Json::String(expr::lower(e, lowering, &mut |m| {
                problems.push(
                    Diagnostic::new(m)
                        .for_resource(&resource.id)
                        .at(resource.location),
                )
            }))
        })
    }

    /// Copies neutral property `from` to attribute `to`, when set (and not `Expr::no_value()`, which
    /// leaves the attribute out).
    pub fn copy(&mut self, from: &str, to: &str) {
        if let Some(value) = self.resource.get(from).filter(|v| !v.is_no_value()) {
            let lowered = self.value(value);
            self.out.insert(to.into(), lowered);
        }
    }

    pub fn insert(&mut self, key: &str, value: Json) {
        self.out.insert(key.into(), value);
    }

    /// Records that checkov check `id` does not apply to this block, and why (see [`checkov_skips`]).
    pub fn checkov_skip(&mut self, id: &str, reason: &str) {
        self.skips.push((id.to_owned(), reason.to_owned()));
    }

    /// Resource tags only: the environment's tags reach every resource through the provider's
    /// `default_tags`, and a resource tag with the same key wins there too.
    pub fn tags(&mut self) {
        if self.resource.tags.is_empty() {
            return;
        }
        let tags: Vec<(String, Json)> = self
            .resource
            .tags
            .iter()
            .map(|(k, v)| (expr::escape(k), self.value(&Value::Str(v.clone()))))
            .collect();
        self.out
            .insert("tags".into(), Json::Object(tags.into_iter().collect()));
    }

    /// The instance's default tags (the provider's `default_tags`), each overridden by a resource tag
    /// of the same key, then the resource's other tags: for types that `default_tags` does not reach,
    /// such as auto scaling groups.
    /// Keys and values are spelled for Terraform (escaped), like every other text.
    pub fn merged_tags(&mut self) -> Vec<(String, Json)> {
        let mut tags: Vec<(String, Json)> = self
            .lowering
            .default_tags
            .iter()
            .map(|(k, v)| (expr::escape(k), Json::String(expr::escape(v))))
            .collect();
        for (key, value) in &self.resource.tags {
            let value = self.value(&Value::Str(value.clone()));
            let key = expr::escape(key);
            match tags.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => tags.push((key, value)),
            }
        }
        tags
    }

    /// The block's attributes, led by its checkov skips, if any.
    pub fn take(&mut self) -> Map<String, Json> {
        let mut body = Map::new();
        if !self.skips.is_empty() {
            body.insert("//".into(), checkov_skips(&std::mem::take(&mut self.skips)));
        }
        body.append(&mut self.out);
        body
    }
}

impl Lowering<'_> {
    pub(crate) fn resource(
        &self,
        index: usize,
        resource: &Resource,
        blocks: &mut Blocks,
        variables: &mut Map<String, Json>,
        problems: &mut Vec<Diagnostic>,
    ) {
        if resource.existing.is_some()
            || resource.kind == kinds::STACK_OUTPUT
            || resource.kind == kinds::ASSET
        {
            // Exists outside the app (instantiation replaced every reference to it by its value), is
            // read from another environment's remote state (declared once per module, in `lib.rs`), or
            // is a code asset, uploaded once the module is lowered if something reads its object
            // ([`Lowering::uploads`]).
            return;
        }
        if stackwright_aws::construct::spelling(resource.kind)
            .is_some_and(|s| s.terraform.is_empty())
        {
            // A construct with no Terraform block of its own (a function's version, which Terraform
            // publishes with the function): its readers spell it in their own Terraform form.
            return;
        }
        let Some((type_name, data)) = terraform_type_or_problem(resource, problems) else {
            return;
        };
        let name = &self.names.resources[index];
        let mut depends_on = self.depends_on(resource);
        let mut a = Attrs {
            lowering: self,
            resource,
            problems,
            out: Map::new(),
            // Findings the user accepted lead; the lowering adds those its own defaults cause.
            skips: stackwright_lowering::checkov_findings(resource),
        };
        for problem in stackwright_lowering::zones::problems_in_stack(
            self.stack.resources(),
            index,
            &self.env.region,
        ) {
            a.problems.push(
                Diagnostic::new(problem)
                    .for_resource(&resource.id)
                    .at(resource.location),
            );
        }
        let mut secondary = Secondary::default();
        let handled = if resource.kind == kinds::RAW {
            raw::lower(&mut a)
        } else if resource.kind == kinds::REGISTRY {
            blocks.awscc = true;
            registry::lower(&mut a)
        } else if let Some(spelling) = stackwright_aws::construct::spelling(resource.kind) {
            let read_by = stackwright_lowering::read_by(self.links, index);
            construct::lower(name, &mut a, &mut secondary, spelling, &read_by);
            true
        } else {
            SERVICES
                .iter()
                .any(|service| (service.lower)(name, &mut a, &mut secondary))
        };
        if !handled {
            a.problems.push(
                Diagnostic::new(format!(
                    "resource kind `{}` has no Terraform lowering",
                    resource.kind
                ))
                .for_resource(&resource.id)
                .at(resource.location),
            );
            return;
        }
        let mut body = a.take();
        depends_on.extend(
            std::mem::take(&mut secondary.depends_on)
                .into_iter()
                .map(Json::String),
        );
        if !depends_on.is_empty() {
            body.insert("depends_on".into(), Json::Array(depends_on));
        }
        prevent_destroy(resource, &mut body);
        let mut body = Json::Object(body);
        let mut found = Vec::new();
        stackwright_lowering::apply_overrides(
            TARGET,
            resource,
            &mut body,
            None,
            &mut |v| a.value(v),
            &mut found,
        );
        a.problems.extend(found);
        let Json::Object(body) = body else {
            unreachable!("overrides edit inside the body and never replace it")
        };
        crate::validation::check(
            &type_name,
            data,
            &body,
            &self.env.region,
            resource,
            a.problems,
        );
        blocks.add(data, &type_name, name, body);
        variables.extend(std::mem::take(&mut secondary.variables));
        self.add_moved_and_secondary(
            resource,
            name,
            (&type_name, data),
            secondary,
            blocks,
            problems,
        );
    }

    /// The addresses the resource's main block waits for: what the user named (an asset: its upload) and
    /// the internet gateways the engine orders it after.
    fn depends_on(&self, resource: &Resource) -> Vec<Json> {
        let mut depends_on: Vec<Json> = resource
            .depends_on
            .iter()
            .filter_map(|d| {
                let target = self.stack.resource(*d)?;
                if target.kind == kinds::ASSET {
                    // Waiting for an asset is waiting for its upload.
                    self.uploaded.borrow_mut().insert(d.index as usize);
                }
                Some(Json::String(self.address(d.index as usize, target).ok()?))
            })
            .collect();
        self.gateways
            .dependencies(self.stack, resource, &mut |gateway| {
                if let Some(target) = self.stack.resource(gateway) {
                    if let Ok(address) = self.address(gateway.index as usize, target) {
                        depends_on.push(Json::String(address));
                    }
                }
            });
        depends_on
    }

    /// Records the `moved` blocks of a renamed resource (its main block's type and whether it is a data
    /// source) and adds the blocks it splits into beside its main one, each moved
    /// with it.
    fn add_moved_and_secondary(
        &self,
        resource: &Resource,
        name: &str,
        (type_name, data): (&str, bool),
        secondary: Secondary,
        blocks: &mut Blocks,
        problems: &mut Vec<Diagnostic>,
    ) {
        // A renamed resource moves, with every block it splits into (their names extend the main name).
        // Data sources are read afresh and need no move.
        let old_name = resource
            .renamed_from
            .as_deref()
            .map(names::snake_case)
            .filter(|old| !data && old != name);
        if let Some(old) = &old_name {
            if self.names.resources.contains(old) {
                problems.push(
                    Diagnostic::new(format!(
                        "`{}` is renamed from a resource named `{old}` in Terraform, but another resource \
                         now has that name",
                        resource.id
                    ))
                    .for_resource(&resource.id)
                    .at(resource.location),
                );
            }
            blocks.moved.push(moved(type_name, old, name));
        }
        let secondary_blocks = (secondary.data.into_iter().map(|b| (true, b)))
            .chain(secondary.blocks.into_iter().map(|b| (false, b)));
        for (data, (block_type, block_name, body)) in secondary_blocks {
            let block_name =
                blocks
                    .names
                    .claim(block_name, &resource.id, resource.location, problems);
            if let Some(old) = old_name.as_ref().filter(|_| !data) {
                if let Some(suffix) = block_name.strip_prefix(name) {
                    blocks
                        .moved
                        .push(moved(block_type, &format!("{old}{suffix}"), &block_name));
                }
            }
            let body =
                with_accepted_findings(body, &stackwright_lowering::checkov_findings(resource));
            crate::validation::check(
                block_type,
                data,
                &body,
                &self.env.region,
                resource,
                problems,
            );
            blocks.add(data, block_type, &block_name, body);
        }
    }
}

/// Kept resources get `lifecycle.prevent_destroy`: `terraform destroy`, or a plan that would delete or
/// replace the resource, fails instead. Kept beside lifecycle settings a kind may have set itself.
fn prevent_destroy(resource: &Resource, body: &mut Map<String, Json>) {
    if resource.removal_policy != RemovalPolicy::Destroy {
        let lifecycle = body
            .entry("lifecycle")
            .or_insert_with(|| Json::Object(Map::new()));
        if let Json::Object(lifecycle) = lifecycle {
            lifecycle.insert("prevent_destroy".into(), Json::Bool(true));
        }
    }
}

/// The resource's Terraform type and whether it is a data source; `None`, with the problem, for a resource
/// that has no Terraform form.
fn terraform_type_or_problem(
    resource: &Resource,
    problems: &mut Vec<Diagnostic>,
) -> Option<(String, bool)> {
    if let Some(found) = terraform_type(resource) {
        return Some(found);
    }
    let message = if resource.kind == kinds::RAW {
        format!(
                "raw resource `{}` has only a CloudFormation form: add `.terraform(type, attributes)`, \
                 or declare the stack's targets as CloudFormation only \
                 (`.targets([Target::CloudFormation])`)",
                resource.id
            )
    } else if resource.kind == kinds::REGISTRY {
        registry::cloudformation_only(resource)
    } else {
        format!(
            "resource kind `{}` has no Terraform lowering",
            resource.kind
        )
    };
    problems.push(
        Diagnostic::new(message)
            .for_resource(&resource.id)
            .at(resource.location),
    );
    None
}

impl Lowering<'_> {
    /// Adds an `aws_s3_object` for each code asset whose object the module reads (a registry type's
    /// `Code.S3Bucket`/`S3Key`, say): the zip uploaded from the tree (`source`, relative to
    /// `path.module`), under its content's key in the environment's asset bucket, encrypted as the
    /// bucket's policy asks. Named by the content, so that a code change creates the new object, updates
    /// what reads it, and only then deletes the old one (the bucket keeps its version for a while).
    /// Called once every block and output is lowered.
    ///
    /// The key is the module's own, `terraform/<env>/<stack>/<sha256>.zip`: two modules that upload one
    /// zip to one bucket (two stacks of an environment, or two environments of one account and region)
    /// each own an object, so that destroying one never deletes the other's, and no module owns an
    /// object `list`'s publish commands upload for CloudFormation (`<sha256>.zip`, at the bucket's root).
    ///
    /// S3 allows an object at most [`OBJECT_TAG_LIMIT`] tags, and the provider gives every object its
    /// `default_tags`: with more, the objects are uploaded through a provider configuration without them
    /// ([`ASSET_PROVIDER_ALIAS`]); returns whether one is needed.
    pub(crate) fn uploads(&self, blocks: &mut Blocks, problems: &mut Vec<Diagnostic>) -> bool {
        use stackwright_aws::kinds::asset;
        let untagged = self.default_tags.len() > OBJECT_TAG_LIMIT;
        let mut any = false;
        let uploaded = std::mem::take(&mut *self.uploaded.borrow_mut());
        for index in uploaded {
            let Some(resource) = self.stack.resources().get(index) else {
                continue;
            };
            let mut a = Attrs {
                lowering: self,
                resource,
                problems,
                out: Map::new(),
                skips: Vec::new(),
            };
            a.copy(asset::BUCKET, "bucket");
            let sha256 = resource
                .get(asset::SHA256)
                .and_then(Value::as_expr)
                .and_then(|e| e.as_literal())
                .unwrap_or_default();
            a.insert(
                "key",
                Json::String(expr::escape(&format!(
                    "terraform/{}/{}/{sha256}.zip",
                    self.env.name,
                    self.stack.name()
                ))),
            );
            let source = resource
                .get(asset::TERRAFORM_SOURCE)
                .and_then(Value::as_expr)
                .and_then(|e| e.as_literal())
                .unwrap_or_default();
            a.insert(
                "source",
                Json::String(format!("${{path.module}}/{}", expr::escape(source))),
            );
            // Any change of `source_hash` uploads again; the key changes with the content anyway.
            a.copy(asset::SHA256, "source_hash");
            a.insert("content_type", "application/zip".into());
            a.insert("server_side_encryption", "AES256".into());
            a.checkov_skip(
                "CKV_AWS_186",
                "a code asset, encrypted with the asset bucket's SSE-S3 key like every object of it: its \
                 content is the function's code, readable by the deploy role and Lambda only",
            );
            let mut body = a.take();
            crate::validation::check(
                ASSET_OBJECT,
                false,
                &body,
                &self.env.region,
                resource,
                problems,
            );
            if untagged {
                body.insert(
                    "provider".into(),
                    format!("aws.{ASSET_PROVIDER_ALIAS}").into(),
                );
            }
            any = true;
            blocks.add(false, ASSET_OBJECT, &self.names.resources[index], body);
        }
        untagged && any
    }
}

fn moved(type_name: &str, from: &str, to: &str) -> Json {
    serde_json::json!({ "from": format!("{type_name}.{from}"), "to": format!("{type_name}.{to}") })
}

/// A decimal text as a JSON number: an integer when it is one, else a float (thresholds and target
/// values travel as text, since neutral values carry no floats).
pub(crate) fn number(text: &str) -> Json {
    match text.parse::<i64>() {
        Ok(i) => Json::from(i),
        Err(_) => text.parse::<f64>().map(Json::from).unwrap_or(Json::Null),
    }
}
