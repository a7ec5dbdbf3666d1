//! CloudFormation's per-template quotas, checked at synth time: a template over one is rejected by
//! `aws cloudformation deploy` only after upload ("Understand CloudFormation quotas" in the user guide;
//! cfn-lint's E1002/E3010 limits agree).

use stackwright_core::{Diagnostic, Stack};

/// Resources per template.
pub const MAX_RESOURCES: usize = 500;
/// Outputs per template.
pub const MAX_OUTPUTS: usize = 200;
/// Parameters per template (lookups of SSM parameters count: each is a template parameter).
pub const MAX_PARAMETERS: usize = 200;
/// Bytes of a template uploaded through S3 (`--s3-bucket`), the largest CloudFormation takes.
pub const MAX_TEMPLATE_BYTES: usize = 1_000_000;

const SPLIT: &str = "split the stack: declare some of its resources in another `App::stack`; or, \
                     to deploy it with Terraform only, which has no such limit, synthesize only that target \
                     (`--target terraform`, for `synth`, `plan` and `list` alike)";

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
