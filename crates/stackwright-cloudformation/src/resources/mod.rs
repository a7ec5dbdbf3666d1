//! Lowering of neutral resources to CloudFormation resource types: shared machinery here, constructs
//! through one generic path (`construct`), and the engine's own kinds (escape hatches, generated nodes,
//! lookups, zones) in modules of their own.

mod construct;
mod lookups;
mod raw;
mod registry;
mod ssm;
mod zones;

use crate::expr::{self, Reference, Resolve};
use crate::names::LogicalIds;
use crate::tagging;
use serde_json::{json, Map, Value as Json};
use stackwright_aws::construct::Read;
use stackwright_aws::kinds;
use stackwright_core::{
    AttrRef, Diagnostic, Expr, Links, ParamRef, RemovalPolicy, Resource, Stack, Target, Value,
};
use stackwright_lowering::ordering::GatewayOrdering;

/// `Ref` or `Fn::GetAtt` with the attribute's CloudFormation name.
pub(crate) enum Attribute {
    Ref,
    GetAtt(&'static str),
}

/// This target's name in overrides (`override_cloudformation`).
const TARGET: Target = Target::CloudFormation;

pub(crate) struct Lowering<'a> {
    pub app: &'a str,
    pub stack: &'a Stack,
    /// What the stack imports from the other stacks of its environment.
    pub links: &'a Links,
    pub env: &'a stackwright_core::EnvSpec,
    /// The instance's default tags (standard, app, environment), merged into every taggable resource.
    pub default_tags: &'a [(String, String)],
    pub ids: &'a LogicalIds,
    /// Internet gateways that resources with public addresses wait for.
    pub gateways: &'a GatewayOrdering,
}

/// What one neutral resource becomes: template resources and, for lookups, a template parameter.
#[derive(Default)]
pub(crate) struct Lowered {
    pub resources: Vec<(String, Json)>,
    pub parameter: Option<(String, Json)>,
}

impl Resolve for Lowering<'_> {
    fn attr(&self, attr: &AttrRef) -> Result<Reference, String> {
        if attr.resource.scope != self.stack.scope() {
            let import = self
                .links
                .import(attr)
                .ok_or("reference to a resource outside this stack")?;
            return Ok(Reference::Import(crate::exports::export_name(
                self.app,
                &self.env.name,
                &import.stack,
                &import.resource_id,
                import.attr,
            )));
        }
        let resource = self
            .stack
            .resource(attr.resource)
            .ok_or("reference to a resource outside this stack")?;
        let id = self.ids.resources[attr.resource.index as usize].clone();
        if resource.kind == kinds::AVAILABILITY_ZONES {
            return zones::select(attr.attr).map(Reference::Intrinsic);
        }
        if resource.kind == kinds::STACK_OUTPUT {
            let read = self
                .links
                .remote(attr.resource.index)
                .ok_or("internal: an unchecked read of another environment")?;
            return Ok(Reference::Intrinsic(crate::exports::get_stack_output(
                self.app, read,
            )));
        }
        if resource.kind == kinds::ASSET {
            return asset_attribute(self, resource, attr.attr);
        }
        if lookups::parameter_type(resource.kind).is_some() && attr.attr == "id" {
            return Ok(Reference::Ref(id));
        }
        if resource.kind == kinds::SSM_PARAMETER_LOOKUP && attr.attr == "value" {
            return Ok(Reference::Ref(id));
        }
        if resource.kind == kinds::RAW || resource.kind == kinds::REGISTRY {
            return Ok(match attr.attr {
                "id" => Reference::Ref(id),
                name => Reference::GetAtt(id, name.to_owned()),
            });
        }
        let attribute = match stackwright_aws::construct::spelling(resource.kind) {
            Some(spelling) => spelling
                .attribute(attr.attr)
                .map(|a| match a.cloudformation {
                    Read::Ref => Attribute::Ref,
                    Read::GetAtt(name) => Attribute::GetAtt(name),
                }),
            None => None,
        };
        match attribute {
            Some(Attribute::Ref) => Ok(Reference::Ref(id)),
            Some(Attribute::GetAtt(name)) => Ok(Reference::GetAtt(id, name.to_owned())),
            None => Err(format!(
                "attribute `{}` of `{}` has no CloudFormation equivalent",
                attr.attr, resource.kind
            )),
        }
    }

    fn param(&self, param: &ParamRef) -> Result<Reference, String> {
        self.stack
            .parameter(*param)
            .map(|_| Reference::Ref(self.ids.parameters[param.index as usize].clone()))
            .ok_or_else(|| "reference to a parameter outside this stack".into())
    }
}

/// An attribute of a code asset's object (`kinds::ASSET`), which CloudFormation does not declare: the
/// objects are published before the deploy (`list`), so its bucket and key are plain values.
fn asset_attribute(
    lowering: &Lowering<'_>,
    resource: &Resource,
    attr: &str,
) -> Result<Reference, String> {
    use stackwright_aws::kinds::asset;
    match attr {
        asset::BUCKET | asset::KEY => {
            let value = resource
                .get(attr)
                .and_then(Value::as_expr)
                .ok_or("internal: an asset without its bucket or key")?;
            let mut problems = Vec::new();
            let lowered = expr::lower(value, lowering, &mut |m| problems.push(m));
            match problems.pop() {
                Some(problem) => Err(problem),
                None => Ok(Reference::Intrinsic(lowered)),
            }
        }
        asset::MODULE_PATH => Err(
            "an asset's path in the tree (`terraform_path()`) is read by Terraform only: in CloudFormation \
             a function reads its code from the asset bucket (`s3_bucket()`, `s3_key()`)"
                .into(),
        ),
        other => Err(format!("a code asset has no attribute `{other}`")),
    }
}

/// What a kind adds beside its main resource: secondary resources (an internet gateway's attachment) and
/// dependencies CloudFormation cannot infer.
pub(crate) struct Secondary {
    pub resources: Vec<(String, Json)>,
    pub depends_on: Vec<String>,
    /// Resource attributes of the main entry beside `Properties` (an auto scaling group's
    /// `UpdatePolicy`).
    pub attributes: Vec<(String, Json)>,
}

/// Builds the `Properties` of one resource, reporting problems against it.
pub(crate) struct Props<'l, 'p> {
    pub lowering: &'l Lowering<'l>,
    pub resource: &'l Resource,
    pub problems: &'p mut Vec<Diagnostic>,
    pub out: Map<String, Json>,
    /// checkov checks that do not apply to this resource, with the reason (see [`Props::checkov_skip`]).
    pub skips: Vec<(String, String)>,
}

impl Props<'_, '_> {
    /// Records that checkov check `id` does not apply, and why; emitted as the resource's
    /// `Metadata.checkov.skip`, which checkov reports as skipped with the reason.
    pub fn checkov_skip(&mut self, id: &str, reason: &str) {
        self.skips.push((id.to_owned(), reason.to_owned()));
    }

    pub fn expr(&mut self, expr: &Expr) -> Json {
        let (resource, problems) = (self.resource, &mut *self.problems);
        expr::lower(expr, self.lowering, &mut |m| {
            problems.push(
                Diagnostic::new(m)
                    .for_resource(&resource.id)
                    .at(resource.location),
            )
        })
    }

    pub fn value(&mut self, value: &Value) -> Json {
        stackwright_lowering::lower_value(value, Some(expr::no_value_shared()), &mut |e| {
            self.expr(e)
        })
    }

    pub fn insert(&mut self, key: &str, value: Json) {
        self.out.insert(key.into(), value);
    }

    /// Sets property `to` to the resource's physical name, when the user gave one.
    pub fn physical_name(&mut self, to: &str) {
        if let Some(name) = self.resource.physical_name() {
            self.out.insert(to.into(), expr::literal(name));
        }
    }

    /// Default tags first, each overridden in place by a resource tag of the same key, then the
    /// resource's other tags.
    fn merged_tags(&mut self) -> Vec<(String, Json)> {
        let mut tags: Vec<(String, Json)> = self
            .lowering
            .default_tags
            .iter()
            .map(|(k, v)| (k.clone(), expr::literal(v)))
            .collect();
        for (key, value) in &self.resource.tags {
            let value = self.expr(value);
            match tags.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => tags.push((key.clone(), value)),
            }
        }
        tags
    }

    /// The merged tags as `{"Key", "Value"}` objects, for the few properties that carry tags of other
    /// resources (a launch template's `TagSpecifications`); a type's own tags are applied generically.
    pub fn tag_list(&mut self) -> Vec<Json> {
        self.merged_tags()
            .into_iter()
            .map(|(k, v)| json!({ "Key": expr::literal(&k), "Value": v }))
            .collect()
    }
}

impl Lowering<'_> {
    pub(crate) fn resolver(&self) -> &dyn Resolve {
        self
    }

    /// The logical id of what waits for internet gateway `gateway` waits for: the attachment its spelling
    /// adds beside it, which waits for the gateway.
    pub(crate) fn attachment(&self, gateway: stackwright_core::ResourceRef) -> Option<String> {
        let kind = self.stack.resource(gateway)?.kind;
        let block = stackwright_aws::construct::spelling(kind)?.cloudformation_resource?;
        let id = &self.ids.resources[gateway.index as usize];
        Some(format!("{id}{}", block.suffix))
    }

    pub(crate) fn resource(
        &self,
        index: usize,
        resource: &Resource,
        problems: &mut Vec<Diagnostic>,
    ) -> Lowered {
        if resource.existing.is_some() {
            // Exists outside the app; instantiation replaced every reference to it by its value.
            return Lowered::default();
        }
        let id = &self.ids.resources[index];
        // A reference that did not resolve is reported once: the schema check would repeat it as a
        // `null` value.
        let known_problems = problems.len();
        let depends_on = self.depends_on(resource);
        let mut p = Props {
            lowering: self,
            resource,
            problems,
            out: Map::new(),
            // Findings the user accepted lead; the lowering adds those its own defaults cause.
            skips: stackwright_lowering::checkov_findings(resource),
        };
        let mut secondary = Secondary {
            resources: Vec::new(),
            depends_on,
            attributes: Vec::new(),
        };
        for problem in stackwright_lowering::zones::problems_in_stack(
            self.stack.resources(),
            index,
            &self.env.region,
        ) {
            p.problems.push(
                Diagnostic::new(problem)
                    .for_resource(&resource.id)
                    .at(resource.location),
            );
        }
        if resource.kind == kinds::AVAILABILITY_ZONES
            || resource.kind == kinds::STACK_OUTPUT
            || resource.kind == kinds::ASSET
        {
            // Read where used (`Fn::GetAZs`; an asset's bucket and key, published before the deploy):
            // nothing to declare.
            return Lowered::default();
        }
        if let Some(type_name) = lookups::parameter_type(resource.kind) {
            return Lowered {
                resources: Vec::new(),
                parameter: Some((id.clone(), lookups::parameter(resource, type_name))),
            };
        }
        if resource.kind == kinds::SSM_PARAMETER_LOOKUP {
            let parameter = ssm::parameter(&mut p);
            return Lowered {
                resources: Vec::new(),
                parameter: Some((id.clone(), parameter)),
            };
        }
        let lowered = if resource.kind == kinds::RAW {
            match raw::lower(&mut p) {
                Some(type_name) => Some(type_name),
                None => return Lowered::default(),
            }
        } else if resource.kind == kinds::REGISTRY {
            match registry::lower(&mut p) {
                Some(type_name) => Some(type_name),
                None => return Lowered::default(),
            }
        } else if let Some(spelling) = stackwright_aws::construct::spelling(resource.kind) {
            let read_by = stackwright_lowering::read_by(self.links, index);
            Some(construct::lower(id, &mut p, &mut secondary, spelling, &read_by).to_owned())
        } else {
            None
        };
        let type_name = match lowered {
            Some(type_name) => type_name,
            None => {
                p.problems.push(
                    Diagnostic::new(format!(
                        "resource kind `{}` has no CloudFormation lowering",
                        resource.kind
                    ))
                    .for_resource(&resource.id)
                    .at(resource.location),
                );
                return Lowered::default();
            }
        };
        let mut entry = Json::Object(entry(&type_name, &mut p, &mut secondary));
        let mut found = Vec::new();
        stackwright_lowering::apply_overrides(
            TARGET,
            resource,
            &mut entry,
            Some(expr::no_value_shared()),
            &mut |v| p.value(v),
            &mut found,
        );
        p.problems.extend(found);
        p.problems
            .extend(type_override_problem(resource, &type_name, &entry));
        let mut resources = vec![(id.clone(), entry)];
        resources.extend(secondary.resources.into_iter().map(|(id, entry)| {
            (
                id,
                with_accepted_findings(entry, &stackwright_lowering::checkov_findings(resource)),
            )
        }));
        let resolved = p.problems.len() == known_problems;
        for (_, entry) in resources.iter().filter(|_| resolved) {
            crate::validation::check(entry, &self.env.region, resource, p.problems);
        }
        Lowered {
            resources,
            parameter: None,
        }
    }

    /// The logical ids the resource's entry waits for: what the user named (a lookup or an asset: nothing;
    /// an internet gateway: its attachment) and the gateway attachments the engine orders it after.
    fn depends_on(&self, resource: &Resource) -> Vec<String> {
        let mut depends_on: Vec<String> = Vec::new();
        for dependency in &resource.depends_on {
            match self.stack.resource(*dependency) {
                // A lookup is a template parameter, resolved before any resource: nothing to wait for.
                Some(target)
                    if target.kind == kinds::SSM_PARAMETER_LOOKUP
                        || lookups::parameter_type(target.kind).is_some()
                        || target.kind == kinds::AVAILABILITY_ZONES
                        || target.kind == kinds::STACK_OUTPUT => {}
                // An asset's object is published before the deploy: nothing to wait for.
                Some(target) if target.kind == kinds::ASSET => {}
                // What needs an internet gateway needs it attached to its VPC (a NAT gateway or an
                // Elastic IP in that VPC, a route through it): wait for the attachment, which waits for
                // the gateway.
                Some(target) if stackwright_lowering::ordering::is_internet_gateway(target) => {
                    depends_on.extend(self.attachment(*dependency));
                }
                Some(_) => depends_on.push(self.ids.resources[dependency.index as usize].clone()),
                // Foreign references are reported by the core's instantiation.
                None => {}
            }
        }
        self.gateways
            .dependencies(self.stack, resource, &mut |gateway| {
                depends_on.extend(self.attachment(gateway));
            });
        // A route through an internet gateway fails until the gateway is attached to the VPC, and
        // CloudFormation cannot infer that ordering from the properties.
        if let Some(gateway) = stackwright_lowering::ordering::route_gateway(self.stack, resource) {
            depends_on.extend(self.attachment(gateway));
        }
        depends_on
    }
}

/// The template entry of a resource of `type_name` lowered into `p`, beside the resources it adds
/// (`secondary`, which get its tags too): its type, deletion policy, dependencies, attributes, checkov
/// metadata and properties.
fn entry(type_name: &str, p: &mut Props, secondary: &mut Secondary) -> Map<String, Json> {
    // Every emitted resource whose type takes tags gets them, in the shape the type wants.
    let tags = p.merged_tags();
    tagging::apply(type_name, &mut p.out, &tags);
    for (_, secondary) in &mut secondary.resources {
        let type_name = secondary["Type"].as_str().unwrap_or_default().to_owned();
        if let Some(Json::Object(properties)) = secondary.get_mut("Properties") {
            tagging::apply(&type_name, properties, &tags);
        }
    }
    let mut entry = Map::new();
    entry.insert("Type".into(), type_name.into());
    let policy = deletion_policy(p.resource.removal_policy, type_name);
    if let Some(policy) = policy {
        // Both: deleting the stack or the resource keeps the data, and so does a replacement.
        entry.insert("DeletionPolicy".into(), policy.into());
        entry.insert("UpdateReplacePolicy".into(), policy.into());
    }
    if !secondary.depends_on.is_empty() {
        entry.insert("DependsOn".into(), json!(secondary.depends_on));
    }
    for (name, value) in std::mem::take(&mut secondary.attributes) {
        entry.insert(name, value);
    }
    if !p.skips.is_empty() {
        entry.insert("Metadata".into(), checkov_metadata(&p.skips));
    }
    entry.insert(
        "Properties".into(),
        Json::Object(std::mem::take(&mut p.out)),
    );
    entry
}

/// The `DeletionPolicy` (and `UpdateReplacePolicy`) of a resource of `type_name` kept by `policy`; `None`
/// where CloudFormation's default deletes it.
fn deletion_policy(policy: RemovalPolicy, type_name: &str) -> Option<&'static str> {
    match policy {
        // CloudFormation's own default for these is `Snapshot` (its `DeletionPolicy` documentation),
        // so `Destroy` must say `Delete`; other types are deleted by default.
        RemovalPolicy::Destroy
            if matches!(type_name, "AWS::RDS::DBInstance" | "AWS::RDS::DBCluster") =>
        {
            Some("Delete")
        }
        RemovalPolicy::Destroy => None,
        RemovalPolicy::Retain => Some("Retain"),
        RemovalPolicy::Snapshot => Some("Snapshot"),
    }
}

/// The problem of an override that changed the entry's `Type` from `type_name`, which its properties were
/// lowered for.
fn type_override_problem(resource: &Resource, type_name: &str, entry: &Json) -> Option<Diagnostic> {
    let overridden = entry.get("Type").and_then(Json::as_str);
    if overridden == Some(type_name) {
        return None;
    }
    // The properties were lowered for the kind's own type: another type would get them unchecked.
    Some(
            Diagnostic::new(format!(
                "an override changes `Type` from `{type_name}` to {}: properties lowered for one type do \
                 not fit another; declare the other type as a raw resource (`cfn::Raw`)",
                overridden.map_or("nothing".to_owned(), |t| format!("`{t}`"))
            ))
            .for_resource(&resource.id)
            .at(type_override_location(resource)),
        )
}

/// What a neutral resource lowers to, known without lowering it ([`emitted`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Emitted {
    /// A template resource under the resource's own logical id.
    pub primary: bool,
    /// The suffix of the logical id of the one resource the kind adds beside it (an internet
    /// gateway's attachment, a bucket's policy), if any.
    pub secondary: Option<&'static str>,
    /// A template parameter under the resource's logical id (a lookup).
    pub parameter: bool,
}

/// What [`Lowering::resource`] makes of `resource`, in counts, read from the resource alone (no JSON
/// built), so that a template over its quotas can be refused before lowering (`crate::limits`).
/// `None` for a kind only its lowering knows (none of the built-in kinds), which is then lowered to be
/// counted. Kept in step with [`Lowering::resource`] and the services' `lower`: a test compares both
/// counts over every example and corpus case.
pub(crate) fn emitted(resource: &Resource) -> Option<Emitted> {
    let one = |secondary| Emitted {
        primary: true,
        secondary,
        parameter: false,
    };
    let nothing = Emitted {
        primary: false,
        secondary: None,
        parameter: false,
    };
    let kind = resource.kind;
    if resource.existing.is_some()
        || kind == kinds::AVAILABILITY_ZONES
        || kind == kinds::STACK_OUTPUT
    {
        return Some(nothing);
    }
    if lookups::parameter_type(kind).is_some() || kind == kinds::SSM_PARAMETER_LOOKUP {
        return Some(Emitted {
            parameter: true,
            ..nothing
        });
    }
    if kind == kinds::RAW || kind == kinds::REGISTRY {
        // Both lower through `raw::lower`: nothing without a CloudFormation type.
        let typed = resource
            .get(stackwright_aws::raw::props::CLOUDFORMATION_TYPE)
            .and_then(Value::as_expr)
            .and_then(Expr::as_literal)
            .is_some();
        return Some(if typed { one(None) } else { nothing });
    }
    if let Some(spelling) = stackwright_aws::construct::spelling(kind) {
        let beside = spelling.cloudformation_resource.filter(|_| {
            stackwright_aws::construct::cloudformation_resource_entries(resource).is_some()
        });
        return Some(one(beside.map(|block| block.suffix)));
    }
    None
}

/// `Metadata` skipping checkov checks that do not apply, each with the reason.
fn checkov_metadata(skips: &[(String, String)]) -> Json {
    let skips: Vec<Json> = skips
        .iter()
        .map(|(id, reason)| json!({ "id": id, "comment": reason }))
        .collect();
    json!({ "checkov": { "skip": skips } })
}

/// A resource a kind emits beside its main one, with the findings the user accepted for the declared
/// resource in its `Metadata` (before `Properties`, as in main entries): a finding is about the resource as
/// declared, whichever of its resources checkov reports it on.
fn with_accepted_findings(entry: Json, findings: &[(String, String)]) -> Json {
    let Json::Object(entry) = entry else {
        return entry;
    };
    if findings.is_empty() {
        return Json::Object(entry);
    }
    let mut out = Map::new();
    for (key, value) in entry {
        if key == "Properties" {
            out.insert("Metadata".into(), checkov_metadata(findings));
        }
        out.insert(key, value);
    }
    out.entry("Metadata")
        .or_insert_with(|| checkov_metadata(findings));
    Json::Object(out)
}

/// Where the user overrode (or removed) `Type`, or else the resource's declaration.
fn type_override_location(resource: &Resource) -> stackwright_core::Location {
    resource
        .overrides
        .iter()
        .rev()
        .find(|o| o.target == TARGET && o.path.first().is_some_and(|p| p == "Type"))
        .map_or(resource.location, |o| o.location)
}

/// A decimal text as a JSON number: an integer when it is one, else a float (thresholds and target
/// values travel as text, since neutral values carry no floats).
pub(crate) fn number(text: &str) -> Json {
    match text.parse::<i64>() {
        Ok(i) => Json::from(i),
        Err(_) => text.parse::<f64>().map(Json::from).unwrap_or(Json::Null),
    }
}
