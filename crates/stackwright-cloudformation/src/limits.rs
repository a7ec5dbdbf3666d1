//! CloudFormation's per-template quotas, checked at synth time: a template over one is rejected by
//! `aws cloudformation deploy` only after upload ("Understand CloudFormation quotas" in the user guide;
//! cfn-lint's E1002/E3010 limits agree).

use crate::names::LogicalIds;
use crate::resources::emitted;
use stackwright_core::{Diagnostic, Resource, Stack};
use std::borrow::Cow;
use std::collections::HashSet;

/// Resources per template.
pub const MAX_RESOURCES: usize = 500;
/// Outputs per template.
pub const MAX_OUTPUTS: usize = 200;
/// Parameters per template (lookups of SSM parameters count: each is a template parameter).
pub const MAX_PARAMETERS: usize = 200;
/// Bytes of a template uploaded through S3 (`--s3-bucket`), the largest CloudFormation takes.
pub const MAX_TEMPLATE_BYTES: usize = 1_000_000;

const SPLIT: &str = "split the stack: declare some of its resources in another `App::stack`; or, \
                     to deploy it with Terraform only, which has no such limit, declare the stack's targets \
                     (`stack.targets([Target::Terraform])`): `synth`, `plan` and `list` then need no flag";

/// The counts of a template as lowering would make them, found without lowering.
pub(crate) struct Counts<'s> {
    /// Entries under `Resources`.
    pub resources: usize,
    /// The neutral resource whose lowering goes past [`MAX_RESOURCES`], if any.
    pub over: Option<&'s Resource>,
    /// Entries under `Parameters` (the stack's parameters and its lookups).
    pub parameters: usize,
}

/// The counts of `stack`'s template when it is over a quota (resources, outputs or parameters), found
/// from the stack alone, so that a stack CloudFormation would refuse is refused before any resource is
/// lowered; `None` when it fits, or when a resource's kind is one only lowering can count (it is then
/// lowered and counted as it is emitted).
pub(crate) fn over_quota<'s>(stack: &'s Stack, ids: &LogicalIds) -> Option<Counts<'s>> {
    // The sums first: without shared logical ids (the usual case) they are the counts, and a shared one
    // only lowers them, so a stack whose sums fit fits.
    let (mut resources, mut lookups) = (0, 0);
    for resource in stack.resources() {
        let emitted = emitted(resource)?;
        resources += usize::from(emitted.primary) + usize::from(emitted.secondary.is_some());
        lookups += usize::from(emitted.parameter);
    }
    let outputs_over = stack.outputs().len() > MAX_OUTPUTS;
    if resources <= MAX_RESOURCES
        && ids.parameters.len() + lookups <= MAX_PARAMETERS
        && !outputs_over
    {
        return None;
    }
    predicted(stack, ids).filter(|counts| {
        counts.resources > MAX_RESOURCES || counts.parameters > MAX_PARAMETERS || outputs_over
    })
}

/// The counts lowering gives `stack`'s template, read from the stack (`None` when a kind only lowering
/// can count). Entries are keyed by logical id, so two that share one (an error of its own) count once,
/// as in the template; the resource over the limit is the first whose entries, added to the distinct
/// ones before it, pass [`MAX_RESOURCES`].
pub(crate) fn predicted<'s>(stack: &'s Stack, ids: &LogicalIds) -> Option<Counts<'s>> {
    let mut resource_ids: HashSet<Cow<str>> = HashSet::with_capacity(stack.resources().len());
    let mut parameter_ids: HashSet<&str> = ids.parameters.iter().map(String::as_str).collect();
    let mut over = None;
    for (resource, id) in stack.resources().iter().zip(&ids.resources) {
        let emitted = emitted(resource)?;
        let lowered = usize::from(emitted.primary) + usize::from(emitted.secondary.is_some());
        if over.is_none() && resource_ids.len() + lowered > MAX_RESOURCES {
            over = Some(resource);
        }
        if emitted.primary {
            resource_ids.insert(Cow::Borrowed(id.as_str()));
        }
        if let Some(suffix) = emitted.secondary {
            resource_ids.insert(Cow::Owned(format!("{id}{suffix}")));
        }
        if emitted.parameter {
            parameter_ids.insert(id);
        }
    }
    Some(Counts {
        resources: resource_ids.len(),
        over,
        parameters: parameter_ids.len(),
    })
}

/// Counts of one lowered template against the quotas. `over` is the neutral resource whose lowering
/// went past [`MAX_RESOURCES`], where the error points.
pub(crate) fn check_counts(
    stack: &Stack,
    resources: usize,
    over: Option<&stackwright_core::Resource>,
    parameters: usize,
    problems: &mut Vec<Diagnostic>,
) {
    if resources > MAX_RESOURCES {
        let mut d = Diagnostic::new(format!(
            "{resources} CloudFormation resources in stack `{}`: a template takes at most \
             {MAX_RESOURCES}; {SPLIT}",
            stack.name()
        ));
        d = match over {
            Some(r) => d.for_resource(&r.id).at(r.location),
            None => d.at(stack.location()),
        };
        problems.push(d);
    }
    let outputs = stack.outputs();
    if outputs.len() > MAX_OUTPUTS {
        let first_over = &outputs[MAX_OUTPUTS];
        problems.push(
            Diagnostic::new(format!(
                "{} outputs in stack `{}`: a CloudFormation template takes at most {MAX_OUTPUTS}; \
                 publish fewer (one output can join several values) or {SPLIT}",
                outputs.len(),
                stack.name()
            ))
            .for_resource(&first_over.id)
            .at(first_over.location),
        );
    }
    if parameters > MAX_PARAMETERS {
        let location = stack
            .parameters()
            .get(MAX_PARAMETERS)
            .map_or(stack.location(), |p| p.location);
        problems.push(
            Diagnostic::new(format!(
                "{parameters} parameters (parameter lookups included) in stack `{}`: a CloudFormation \
                 template takes at most {MAX_PARAMETERS}; {SPLIT}",
                stack.name()
            ))
            .at(location),
        );
    }
}

/// The serialized template against [`MAX_TEMPLATE_BYTES`]; the CLI calls it with the bytes it writes.
pub fn check_size(stack: &Stack, bytes: usize) -> Option<Diagnostic> {
    (bytes > MAX_TEMPLATE_BYTES).then(|| {
        Diagnostic::new(format!(
            "the CloudFormation template of stack `{}` is {bytes} bytes: CloudFormation takes at most \
             {MAX_TEMPLATE_BYTES} (1 MB, through S3); {SPLIT}",
            stack.name()
        ))
        .at(stack.location())
    })
}
