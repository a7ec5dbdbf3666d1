//! CloudFormation target: one JSON template per (environment, stack).
//!
//! [`synthesize`] is a pure function from a [`StackInstance`] to a template document plus diagnostics.
//! Logical ids are the user's ids with `-` and `_` removed (CloudFormation allows only `A-Za-z0-9`); two
//! ids that become the same logical id are an error naming both, never a silent rename.
//!
//! Architecture invariant: no IO here, and nothing about Terraform.

mod attributes;
mod deploy;
mod exports;
mod expr;
mod limits;
mod names;
mod resources;
mod tagging;
mod tagging_generated;
mod validation;

pub use deploy::{capabilities, stack_name, stack_name_problems, StackNames, STACK_NAME_LIMIT};
pub use limits::{check_size, MAX_OUTPUTS, MAX_PARAMETERS, MAX_RESOURCES, MAX_TEMPLATE_BYTES};
pub use names::logical_id;
use names::LogicalIds;
use serde_json::{json, Map, Value as Json};
use stackwright_core::{Diagnostic, ParamType, StackInstance};
use stackwright_lowering::secrets::Check;
use stackwright_schema::secrets;

/// A lowered template and what went wrong while lowering it.
#[derive(Debug)]
pub struct Template {
    /// The template; `null` for a stack over a quota (resources, outputs, parameters), which is refused
    /// before lowering: its `problems` say which.
    pub document: Json,
    /// Number of entries under `Resources`.
    pub resource_count: usize,
    /// Declared renames (old logical id, new logical id). CloudFormation has no way to express them: a
    /// change plan shows each as a replacement.
    pub renames: Vec<(String, String)>,
    pub problems: Vec<Diagnostic>,
}

/// Lowers one stack instance to a CloudFormation template. A stack over a quota is refused before any of
/// its resources is lowered (`Template::document` null; see [`synthesize_whole`]).
pub fn synthesize(instance: &StackInstance) -> Template {
    lower(instance, true, Check::Run)
}

/// [`synthesize`], with the stack's literal-secret problems as `stackwright_lowering::secrets::check`
/// found them for the caller, which lowers the stack to both targets and checks it once.
pub fn synthesize_with_secrets(instance: &StackInstance, secrets: Check) -> Template {
    lower(instance, true, secrets)
}

/// [`synthesize`], lowering a stack over a quota too (its quota problems still reported): the template as
/// CloudFormation would be sent it, for tools that hand it to outside checkers whatever Stackwright says
/// (the broken-definition corpus).
pub fn synthesize_whole(instance: &StackInstance) -> Template {
    lower(instance, false, Check::Run)
}

fn lower(instance: &StackInstance, refuse_early: bool, secret_check: Check) -> Template {
    let stack = &instance.stack;
    let env = instance.environment;
    let mut problems = Vec::new();
    let (ids, mut taken) = LogicalIds::assign(stack, &mut problems);
    // A stack over a quota is refused before any resource is looked into: CloudFormation would take none
    // of it, and lowering tens of thousands of resources to say so took seconds. Problems of the
    // resources' contents (a property's, a literal secret, the template's size) come once the stack fits.
    let over_quota = if refuse_early {
        limits::over_quota(stack, &ids)
    } else {
        None
    };
    if let Some(counts) = over_quota {
        limits::check_counts(
            stack,
            counts.resources,
            counts.over,
            counts.parameters,
            &mut problems,
        );
        if counts.resources == 0 {
            problems.push(no_resources());
        }
        return Template {
            document: Json::Null,
            resource_count: counts.resources,
            renames: ids.renames,
            problems: in_place(problems, instance),
        };
    }

    // The Terraform target reports the very same problems, which a synthesis of both shows once.
    secret_check.apply(stack, &mut problems);
    let mut parameters = parameters(stack, &ids, &mut problems);

    let gateways = stackwright_lowering::ordering::GatewayOrdering::new(stack);
    let lowering = resources::Lowering {
        app: instance.app,
        stack,
        links: &instance.links,
        env,
        default_tags: &instance.default_tags,
        ids: &ids,
        gateways: &gateways,
    };
    let mut resources = Map::new();
    let mut over_limit = None;
    for (index, resource) in stack.resources().iter().enumerate() {
        let lowered = lowering.resource(index, resource, &mut problems);
        if over_limit.is_none() && resources.len() + lowered.resources.len() > MAX_RESOURCES {
            over_limit = Some(resource);
        }
        for (n, (id, entry)) in lowered.resources.into_iter().enumerate() {
            if n > 0 {
                taken.claim(id.clone(), &resource.id, resource.location, &mut problems);
            }
            resources.insert(id, entry);
        }
        if let Some((id, parameter)) = lowered.parameter {
            parameters.insert(id, parameter);
        }
    }
    limits::check_counts(
        stack,
        resources.len(),
        over_limit,
        parameters.len(),
        &mut problems,
    );
    // A stack whose resources all failed to lower (a Terraform-only one, say) has had its error.
    if resources.is_empty() && problems.is_empty() {
        problems.push(no_resources());
    }
    #[cfg(feature = "check-counts")]
    counts_agree(stack, &ids, (resources.len(), over_limit, parameters.len()));

    let outputs = outputs(instance, &ids, &lowering, &mut problems);

    let mut template = Map::new();
    template.insert("AWSTemplateFormatVersion".into(), "2010-09-09".into());
    let description = stack.description().map(str::to_owned).unwrap_or_else(|| {
        format!(
            "Stack `{}` of app `{}` for environment `{}` ({} {}). Generated by stackwright; do not edit.",
            stack.name(),
            instance.app,
            env.name,
            env.account,
            env.region
        )
    });
    if let Some(problem) = literal_only("stack", stack.name(), &description) {
        problems.push(problem.at(stack.location()));
    }
    template.insert("Description".into(), description.into());
    if !parameters.is_empty() {
        template.insert("Parameters".into(), Json::Object(parameters));
    }
    let resource_count = resources.len();
    template.insert("Resources".into(), Json::Object(resources));
    if !outputs.is_empty() {
        template.insert("Outputs".into(), Json::Object(outputs));
    }
    Template {
        document: Json::Object(template),
        resource_count,
        renames: ids.renames,
        problems: in_place(problems, instance),
    }
}

/// The template's parameters, in declaration order.
fn parameters(
    stack: &stackwright_core::Stack,
    ids: &LogicalIds,
    problems: &mut Vec<Diagnostic>,
) -> Map<String, Json> {
    let mut parameters = Map::new();
    for (parameter, logical) in stack.parameters().iter().zip(&ids.parameters) {
        let mut p = Map::new();
        p.insert(
            "Type".into(),
            match parameter.ty {
                ParamType::String => "String",
                ParamType::Number => "Number",
            }
            .into(),
        );
        if let Some(default) = &parameter.default {
            p.insert("Default".into(), default.as_str().into());
        }
        if !parameter.allowed_values.is_empty() {
            p.insert("AllowedValues".into(), json!(parameter.allowed_values));
        }
        // A parameter named as a secret (`DbPassword`) holds one whether or not it says so: the console,
        // `describe-stacks` and events never show it.
        if parameter.no_echo || secrets::names_secret(&parameter.id, secrets::NameKind::Entry) {
            p.insert("NoEcho".into(), true.into());
        }
        if let Some(description) = &parameter.description {
            if let Some(problem) = literal_only("parameter", &parameter.id, description) {
                problems.push(problem.for_resource(&parameter.id).at(parameter.location));
            }
            p.insert("Description".into(), description.as_str().into());
        }
        parameters.insert(logical.clone(), Json::Object(p));
    }
    parameters
}

/// The counts the quotas are checked against before lowering are those lowering gives (`lowered`:
/// resources, the first resource over the limit, parameters): the tests of every example and of the
/// corpus check it on each synthesis (a bug of ours, not the user's input).
#[cfg(feature = "check-counts")]
fn counts_agree(
    stack: &stackwright_core::Stack,
    ids: &LogicalIds,
    lowered: (usize, Option<&stackwright_core::Resource>, usize),
) {
    // The counts the quotas are checked against before lowering are those lowering gives: the tests of
    // every example and of the corpus check it on each synthesis (a bug of ours, not the user's input).
    #[cfg(feature = "check-counts")]
    if let Some(predicted) = limits::predicted(stack, ids) {
        let at = |r: Option<&stackwright_core::Resource>| r.map(std::ptr::from_ref);
        assert_eq!(
        (
            predicted.resources,
            at(predicted.over),
            predicted.parameters
        ),
        (lowered.0, at(lowered.1), lowered.2),
        "CloudFormation counts of stack `{}` read from the stack (`resources::emitted`) differ from \
         those lowering gives",
        stack.name()
    );
    }
}

/// The template's outputs: the stack's own, then one export per attribute another stack imports (too
/// many in all is a problem).
fn outputs(
    instance: &StackInstance,
    ids: &LogicalIds,
    lowering: &resources::Lowering,
    problems: &mut Vec<Diagnostic>,
) -> Map<String, Json> {
    let (stack, env) = (&instance.stack, instance.environment);
    let mut outputs = Map::new();
    for (output, logical) in stack.outputs().iter().zip(&ids.outputs) {
        let mut o = Map::new();
        if let Some(description) = &output.description {
            if let Some(problem) = literal_only("output", &output.id, description) {
                problems.push(problem.for_resource(&output.id).at(output.location));
            }
            o.insert("Description".into(), description.as_str().into());
        }
        let value = expr::lower(&output.value, lowering.resolver(), &mut |m| {
            problems.push(
                Diagnostic::new(m)
                    .for_resource(&output.id)
                    .at(output.location),
            )
        });
        o.insert("Value".into(), value);
        outputs.insert(logical.clone(), Json::Object(o));
    }
    for export in &instance.links.exports {
        let resource = &stack.resources()[export.resource.index as usize];
        let logical = exports::output_id(&export.resource_id, export.attr);
        if outputs.contains_key(&logical) {
            problems.push(export.name_taken("output logical id", &logical, resource));
            continue;
        }
        let value = expr::lower(&export.value(), lowering.resolver(), &mut |m| {
            problems.push(
                Diagnostic::new(m)
                    .for_resource(&export.resource_id)
                    .at(resource.location),
            )
        });
        let name = exports::export_name(
            instance.app,
            &env.name,
            stack.name(),
            &export.resource_id,
            export.attr,
        );
        let description = export.description("imports", "imported");
        outputs.insert(
            logical,
            json!({ "Description": description, "Value": value, "Export": { "Name": name } }),
        );
    }

    // Too many outputs of the user's own are reported by `limits` at the 201st; this is the case where the
    // exports for other stacks push the template over.
    if outputs.len() > MAX_OUTPUTS && stack.outputs().len() <= MAX_OUTPUTS {
        problems.push(Diagnostic::new(format!(
            "template has {} outputs ({} of them exports for other stacks): CloudFormation allows {MAX_OUTPUTS}; \
             split the stack or pass fewer handles to other stacks",
            outputs.len(),
            instance.links.exports.len()
        ))
        .at(stack.location()));
    }
    outputs
}

fn no_resources() -> Diagnostic {
    Diagnostic::new("stack has no resources: a CloudFormation template needs at least one")
}

/// `problems` of `instance`, in its environment and stack.
fn in_place(problems: Vec<Diagnostic>, instance: &StackInstance) -> Vec<Diagnostic> {
    problems
        .into_iter()
        .map(|d| {
            d.in_environment(&instance.environment.name)
                .in_stack(instance.stack.name())
        })
        .collect()
}

/// A description is literal text that no intrinsic function can wrap, so `${Name}` in it cannot be
/// escaped: CloudFormation keeps it, but cfn-lint and cloudformation-validate report E1029.
fn literal_only(what: &str, id: &str, description: &str) -> Option<Diagnostic> {
    expr::looks_substituted(description).then(|| {
        Diagnostic::new(format!(
            "the description of {what} `{id}` contains `${{...}}` (`{description}`): CloudFormation \
             cannot escape it in a description (cfn-lint E1029); write it without `${{`"
        ))
    })
}
