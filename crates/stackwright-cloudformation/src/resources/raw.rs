//! Raw resources: the user's own CloudFormation type and properties, references lowered as usual.

use super::Props;
use stackwright_aws::raw::props;
use stackwright_core::{Diagnostic, Expr, Value};

/// Copies the raw properties into `p` and returns the type, or reports that the raw resource has no
/// CloudFormation form.
pub(super) fn lower(p: &mut Props) -> Option<String> {
    let resource = p.resource;
    let type_name = resource
        .get(props::CLOUDFORMATION_TYPE)
        .and_then(Value::as_expr)
        .and_then(Expr::as_literal);
    let Some(type_name) = type_name else {
        let message = match resource
            .get(props::TERRAFORM_BUILDER)
            .and_then(Value::as_expr)
            .and_then(Expr::as_literal)
        {
            // A generated hashicorp/aws builder: Terraform-only by design.
            Some(provider) => format!(
                "resource `{}` is a Terraform `{}` ({provider} builder), which has no CloudFormation form: \
                 declare the stack's targets as Terraform only (`.targets([Target::Terraform])`)",
                resource.id,
                resource
                    .get(props::TERRAFORM_TYPE)
                    .and_then(Value::as_expr)
                    .and_then(Expr::as_literal)
                    .unwrap_or_default()
            ),
            None => format!(
                "raw resource `{}` has only a Terraform form: add `.cloudformation(type, properties)`, \
                 or declare the stack's targets as Terraform only (`.targets([Target::Terraform])`)",
                resource.id
            ),
        };
        p.problems.push(
            Diagnostic::new(message)
                .for_resource(&resource.id)
                .at(resource.location),
        );
        return None;
    };
    for (key, value) in resource
        .get(props::CLOUDFORMATION_PROPERTIES)
        .and_then(Value::as_map)
        .unwrap_or_default()
    {
        let lowered = if value.is_no_value() {
            crate::expr::no_value()
        } else {
            p.value(value)
        };
        p.out.insert(key.clone(), lowered);
    }
    Some(type_name.to_owned())
}
