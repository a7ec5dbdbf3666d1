//! Versions and aliases: a function that publishes a version whenever its code or configuration
//! changes, and aliases that point at one version and may shift a share of invocations to another
//! (traffic control: a canary of 10% on the new version).
//!
//! Each target publishes a version its own way. CloudFormation publishes one when an
//! `AWS::Lambda::Version` resource is created, so the version's logical id carries a hash of the
//! function's properties (as CDK's `currentVersion` does): a change of code or configuration is a new
//! resource, the old one is retained (a published version is immutable, and an alias may still route to
//! it). Terraform has no version resource: the function is `publish = true`, which publishes on every
//! update, and its `version` attribute is the latest.

use super::FunctionHandle;
use crate::construct::{object, terraform_expression, Attribute, Form, Hcl, Read, Spelling};
use crate::handle::{common_setters, patchable};
use crate::{construct, kinds};
use sha2::{Digest, Sha256};
use stackwright_core::{
    Declare, Expr, RemovalPolicy, Resource, ResourceRef, Stack, Value,
};
use std::fmt::Write;

/// The neutral kind of a function's published version.
pub const VERSION_KIND: &str = "aws.lambda.Version";
/// The neutral kind of an alias.
pub const ALIAS_KIND: &str = "aws.lambda.Alias";

/// A published version: a CloudFormation resource only (Terraform publishes with the function).
pub(crate) static VERSION: Spelling = Spelling {
    kind: VERSION_KIND,
    cloudformation: "AWS::Lambda::Version",
    terraform: "",
    terraform_tags: false,
    attributes: &[Attribute::new("version", Read::GetAtt("Version"), "")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// An alias in each target.
pub(crate) static ALIAS: Spelling = Spelling {
    kind: ALIAS_KIND,
    cloudformation: "AWS::Lambda::Alias",
    terraform: "aws_lambda_alias",
    terraform_tags: false,
    attributes: &[Attribute::new("arn", Read::Ref, "arn")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A version of a function an alias can point at: the function's current version
/// ([`FunctionHandle::current_version`]) or one published earlier, by number ([`Version::number`]).
/// Each target reads it its own way, so it is no single `Expr`.
#[derive(Clone, Debug)]
pub struct Version {
    function: String,
    cloudformation: Expr,
    terraform: Expr,
    /// For messages: `Api's current version`, `version 7`.
    describe: String,
    /// What is wrong with it, reported by the alias that names it.
    problem: Option<String>,
}

impl Version {
    /// Version `number` of the function, published earlier (the number `plan` or the console shows):
    /// what an alias keeps most invocations on while it shifts some to the current version.
    pub fn number(number: u32) -> Self {
        let text = Expr::from(number.to_string());
        Version {
            function: String::new(),
            cloudformation: text.clone(),
            terraform: text,
            describe: format!("version {number}"),
            problem: (number == 0).then(|| {
                "version 0: expected a published version's number, 1 or more".to_owned()
            }),
        }
    }
}

/// What [`Function::publish_versions`](super::Function::publish_versions) leaves on the function's
/// handle: the current version, once the function is declared.
#[track_caller]
pub(crate) fn declare_current(
    stack: &mut Stack,
    function: &FunctionHandle,
    node: ResourceRef,
) -> Version {
    let id = function.declared_id().to_owned();
    let hash = match stack.resource(node) {
        Some(resource) => configuration_hash(stack, resource),
        None => String::new(),
    };
    let mut resource = Resource::new(format!("{id}-Version{hash}"), VERSION_KIND);
    // A published version cannot change, and an alias may route to it after the function moved on: it
    // is kept when a new one replaces it in the definition (as CDK's `currentVersion` keeps it).
    resource.choose_removal_policy(RemovalPolicy::Retain);
    let version = stack.add(VersionNode {
        resource,
        function: function.name(),
    });
    Version {
        function: id.clone(),
        cloudformation: Expr::Attr(stackwright_core::AttrRef {
            resource: version,
            attr: "version",
        }),
        terraform: function.version_attribute(),
        describe: format!("`{id}`'s current version"),
        problem: None,
    }
}

/// The current version of `function`, which publishes none: an alias naming it reports that.
pub(crate) fn unpublished(function: &FunctionHandle) -> Version {
    let id = function.declared_id();
    // Never written (the alias reports the problem): a valid number, so that no follow-on error cascades.
    let placeholder = Expr::from("1");
    Version {
        function: id.to_owned(),
        cloudformation: placeholder.clone(),
        terraform: placeholder,
        describe: format!("`{id}`'s current version"),
        problem: Some(format!(
            "`{id}`'s current version: `{id}` publishes no versions, expected \
             `.publish_versions()` on the function"
        )),
    }
}

/// 16 hex digits of the sha256 of the function's properties as declared (both targets' forms), with each
/// code asset it reads followed into its own properties (the asset's key is its content's sha256): the
/// same code and configuration give the same id, any change a new one.
fn configuration_hash(stack: &Stack, function: &Resource) -> String {
    let mut text = String::new();
    render_properties(stack, function, &mut text);
    short_digest(&text)
}

/// 16 hex digits of the sha256 of `resources`' ids and properties as declared (both targets' forms),
/// references rendered as the target's declared id and attribute and code assets followed into their
/// properties: what a construct whose identity follows other resources' content names itself by (a
/// REST API's deployment).
pub(crate) fn properties_hash<'r>(
    stack: &Stack,
    resources: impl IntoIterator<Item = &'r Resource>,
) -> String {
    let mut text = String::new();
    for resource in resources {
        let _ = write!(text, "{}:", resource.id);
        render_properties(stack, resource, &mut text);
        text.push('\n');
    }
    short_digest(&text)
}

fn render_properties(stack: &Stack, resource: &Resource, text: &mut String) {
    for (name, value) in &resource.properties {
        let _ = write!(text, "{name}=");
        render(stack, value, text);
        text.push(';');
    }
}

/// The first 8 bytes of `text`'s sha256, as 16 hex digits.
fn short_digest(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest[..8].iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// `value` as text, a reference as the target's declared id and attribute (not its index, which moves
/// when an unrelated resource is added), and an asset's reference followed by the asset's properties.
fn render(stack: &Stack, value: &Value, out: &mut String) {
    match value {
        Value::Str(expr) => render_expr(stack, expr, out),
        Value::List(items) => {
            out.push('[');
            for item in items {
                render(stack, item, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (key, item) in entries {
                let _ = write!(out, "{key:?}:");
                render(stack, item, out);
                out.push(',');
            }
            out.push('}');
        }
        other => {
            let _ = write!(out, "{other:?}");
        }
    }
}

fn render_expr(stack: &Stack, expr: &Expr, out: &mut String) {
    match expr {
        Expr::Attr(attr) => match stack.resource(attr.resource) {
            Some(target) => {
                let _ = write!(out, "<{}.{}", target.id, attr.attr);
                if target.kind == kinds::ASSET {
                    for (name, value) in &target.properties {
                        let _ = write!(out, " {name}=");
                        render(stack, value, out);
                    }
                }
                out.push('>');
            }
            None => {
                let _ = write!(out, "<other stack {}.{}>", attr.resource.index, attr.attr);
            }
        },
        Expr::Concat(parts) => {
            for part in parts {
                render_expr(stack, part, out);
            }
        }
        other => {
            let _ = write!(out, "{other:?}");
        }
    }
}

/// The version's node: CloudFormation `AWS::Lambda::Version` of the function.
struct VersionNode {
    resource: Resource,
    function: Expr,
}

impl Declare for VersionNode {
    type Handle = ResourceRef;
    fn declare(mut self, at: ResourceRef) -> (Resource, ResourceRef) {
        let mut cfn = Form::new();
        cfn.set("FunctionName", self.function);
        construct::finish(&mut self.resource, cfn, Form::new());
        (self.resource, at)
    }
}

/// An alias of a function (CloudFormation `AWS::Lambda::Alias`, Terraform `aws_lambda_alias`): a
/// stable name (`Live`) that invokers and event sources use, pointing at one version and, while a new
/// version is tried, shifting a share of invocations to it.
///
/// ```no_run
/// # use stackwright_core::Stack;
/// # fn define(stack: &mut Stack, api: &stackwright_aws::lambda::FunctionHandle) {
/// use stackwright_aws::lambda::{Alias, Version};
/// // 90% of invocations stay on version 7, 10% go to the version just published.
/// let live = Alias::new("Live", api)
///     .version(Version::number(7))
///     .shift(&api.current_version(), 0.1)
///     .add_to(stack);
/// # }
/// ```
pub struct Alias {
    resource: Resource,
    function: FunctionHandle,
    version: Version,
    shift: Option<(Version, f64)>,
    description: Option<String>,
    name_valid: bool,
}

impl Alias {
    /// Alias `id` of `function`, pointing at its current version (the function must
    /// [`publish_versions`](super::Function::publish_versions)). The alias's name is the id.
    #[track_caller]
    pub fn new(id: impl Into<String>, function: &FunctionHandle) -> Self {
        let id = id.into();
        let mut resource = Resource::new(id.clone(), ALIAS_KIND);
        // The id's own rules (a letter first) already keep it from being only digits, which Lambda
        // reserves for versions.
        let valid = !id.is_empty()
            && id.len() <= 128
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            resource.problems.push(format!(
                "alias name `{id}`: expected 1 to 128 letters, digits, `-` and `_`"
            ));
        }
        Alias {
            resource,
            version: function.current_version(),
            function: function.clone(),
            shift: None,
            description: None,
            name_valid: valid,
        }
    }

    /// Points the alias at `version` instead of the function's current version.
    pub fn version(mut self, version: Version) -> Self {
        self.version = version;
        self
    }

    /// Sends `weight` of invocations (above 0 and below 1: `0.1` is 10%) to `version`, the rest to the
    /// alias's own version. Lambda routes to one additional version at most.
    pub fn shift(mut self, version: &Version, weight: f64) -> Self {
        if !(weight > 0.0 && weight < 1.0) {
            self.resource.problems.push(format!(
                "alias shift of {weight} to {}: expected a weight above 0 and below 1 (0.1 sends 10%)",
                version.describe
            ));
        }
        if let Some((earlier, _)) = &self.shift {
            self.resource.problems.push(format!(
                "alias shifts to {} and to {}: Lambda routes to one additional version at most, \
                 expected one `.shift(..)`",
                earlier.describe, version.describe
            ));
        }
        self.shift = Some((version.clone(), weight));
        self
    }

    /// What the alias is for, at most 256 characters.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        let text = text.into();
        crate::check::check_length(&mut self.resource, "alias description", &text, 256);
        self.description = Some(text);
        self
    }

    /// Declares the alias in `stack`.
    pub fn add_to(self, stack: &mut Stack) -> AliasHandle {
        stack.add(self)
    }
}
common_setters!(Alias);
patchable!(Alias, ALIAS);

crate::handle::attr_handle!(
    /// A declared alias.
    AliasHandle {
        /// The alias's ARN (the function's ARN qualified by the alias's name): what invokers name.
        arn: "arn",
    }
);

impl Declare for Alias {
    type Handle = AliasHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, AliasHandle) {
        let Alias {
            function,
            version,
            shift,
            description,
            ..
        } = self;
        let own = function.declared_id();
        for v in std::iter::once(&version).chain(shift.as_ref().map(|(v, _)| v)) {
            if !v.function.is_empty() && v.function != own {
                self.resource.problems.push(format!(
                    "alias of `{own}` points at {}: expected a version of `{own}`",
                    v.describe
                ));
            } else if let Some(problem) = &v.problem {
                self.resource.problems.push(format!("alias of `{own}`: {problem}"));
            }
        }
        if let Some((shifted, _)) = &shift {
            if shifted.describe == version.describe {
                self.resource.problems.push(format!(
                    "alias shifts to {}, which it already points at: expected another version",
                    shifted.describe
                ));
            }
        }
        let name = if self.name_valid {
            self.resource.id.clone()
        } else {
            // Never written (the alias reported its name): a valid one, so that no follow-on error cascades.
            "Invalid".to_owned()
        };
        let mut cfn = Form::new();
        let mut tf = Form::new();
        cfn.set("FunctionName", function.name())
            .set("FunctionVersion", version.cloudformation.clone())
            .set("Name", name.as_str())
            .set_some("Description", description.clone());
        tf.set("function_name", function.name())
            .set("function_version", version.terraform.clone())
            .set("name", name.as_str())
            .set_some("description", description);
        if let Some((shifted, weight)) = shift {
            let weight = format_weight(weight);
            let number = construct::number(weight.clone());
            cfn.set(
                "RoutingConfig",
                object(&[(
                    "AdditionalVersionWeights",
                    Value::List(vec![object(&[
                        ("FunctionVersion", Value::Str(shifted.cloudformation)),
                        ("FunctionWeight", number),
                    ])]),
                )]),
            );
            // The map's key is the version, which JSON cannot spell as a reference: an HCL object.
            tf.set(
                "routing_config",
                object(&[(
                    "additional_version_weights",
                    terraform_expression(vec![
                        Hcl::Raw("{ ("),
                        Hcl::Value(shifted.terraform),
                        Hcl::Raw(") = "),
                        Hcl::Number(weight),
                        Hcl::Raw(" }"),
                    ]),
                )]),
            );
        }
        construct::finish(&mut self.resource, cfn, tf);
        (self.resource, AliasHandle { handle: crate::Handle(at) })
    }
}

/// A weight as the shortest decimal that reads back the same (`0.1`, not `0.1000000000000000055`); `0`
/// for one outside (0, 1), which the alias reported, so that the number stays one.
fn format_weight(weight: f64) -> String {
    if weight > 0.0 && weight < 1.0 {
        format!("{weight}")
    } else {
        "0".to_owned()
    }
}
