//! Systems Manager Parameter Store: parameters this stack owns, and lookups of parameters it reads.

use crate::check::check_length;
use crate::construct::{Attribute, Form, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{Grantee, RolePolicy, Statement};
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef};

/// Reads an SSM parameter at deploy time, e.g. the current Amazon Linux AMI id.
///
/// The parameter's name is itself a deploy-time parameter with `name` as default (CloudFormation: an
/// SSM-typed template parameter; Terraform: a variable feeding a `aws_ssm_parameter` data source), so an
/// operator can pin an AMI without changing the definition.
pub struct ParameterLookup {
    resource: Resource,
}

impl ParameterLookup {
    /// A parameter holding an EC2 image id; CloudFormation checks at deploy time that the AMI exists.
    #[track_caller]
    pub fn image_id(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self::new(id.into(), name.into(), "image_id")
    }

    /// A plain `String` parameter.
    #[track_caller]
    pub fn string(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self::new(id.into(), name.into(), "string")
    }

    #[track_caller]
    fn new(id: String, name: String, value_type: &'static str) -> Self {
        let mut resource = Resource::new(id, kinds::SSM_PARAMETER_LOOKUP);
        if !name.starts_with('/') && name.contains('/') {
            resource.problems.push(format!(
                "invalid SSM parameter name `{name}`: a hierarchical name must start with `/`"
            ));
        }
        resource.set("name", name);
        resource.set("value_type", value_type);
        ParameterLookup { resource }
    }
}

attr_handle!(
    /// A declared SSM parameter lookup.
    ParameterLookupHandle {
        /// The parameter's value at deploy time.
        value: "value",
    }
);

impl Declare for ParameterLookup {
    type Handle = ParameterLookupHandle;
    fn declare(self, at: ResourceRef) -> (Resource, ParameterLookupHandle) {
        (self.resource, ParameterLookupHandle { handle: Handle(at) })
    }
}

/// A parameter in each target.
pub(crate) static PARAMETER: Spelling = Spelling {
    kind: kinds::SSM_PARAMETER,
    cloudformation: "AWS::SSM::Parameter",
    terraform: "aws_ssm_parameter",
    terraform_tags: true,
    attributes: &[
        Attribute::new("name", Read::Ref, "name"),
        Attribute::new("arn", Read::GetAtt("Arn"), "arn"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A parameter this stack owns: a `String` or `StringList` value other resources and programs read.
///
/// There is deliberately no `SecureString`: neither target can create one without its value appearing
/// in the artifact (and Terraform state). Keep secrets in Secrets Manager
/// ([`Secret`](crate::secretsmanager::Secret)), which generates them.
pub struct Parameter {
    resource: Resource,
    name: String,
    parameter_type: &'static str,
    value: Expr,
    description: Option<String>,
}

impl Parameter {
    /// A `String` parameter.
    #[track_caller]
    pub fn string(id: impl Into<String>, name: impl Into<String>, value: impl Into<Expr>) -> Self {
        let mut parameter = Self::new(id.into(), name.into(), "String");
        parameter.value = value.into();
        parameter
    }

    /// A `StringList` parameter: the values joined with `,`, so no value may contain one.
    #[track_caller]
    pub fn string_list<E: Into<Expr>>(
        id: impl Into<String>,
        name: impl Into<String>,
        values: impl IntoIterator<Item = E>,
    ) -> Self {
        let mut parameter = Self::new(id.into(), name.into(), "StringList");
        let mut joined = Vec::new();
        for (i, value) in values.into_iter().enumerate() {
            let value: Expr = value.into();
            if value.as_literal().is_some_and(|v| v.contains(',')) {
                // By position, not by text: a parameter's value may be a secret.
                parameter.resource.problems.push(format!(
                    "string list value {} contains `,`: expected values without commas",
                    i + 1
                ));
            }
            if i > 0 {
                joined.push(Expr::from(","));
            }
            joined.push(value);
        }
        if joined.is_empty() {
            parameter
                .resource
                .problems
                .push("string list parameter has no values: expected at least one".into());
        }
        parameter.value = Expr::concat(joined);
        parameter
    }

    #[track_caller]
    fn new(id: String, name: String, parameter_type: &'static str) -> Self {
        let mut resource = Resource::new(id, kinds::SSM_PARAMETER);
        if let Err(why) = check_parameter_name(&name) {
            resource
                .problems
                .push(format!("invalid SSM parameter name `{name}`: {why}"));
        }
        Parameter {
            resource,
            name,
            parameter_type,
            value: Expr::from(""),
            description: None,
        }
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        let text = text.into();
        check_length(&mut self.resource, "parameter description", &text, 1024);
        self.description = Some(text);
        self
    }
}
common_setters!(Parameter, taggable);
patchable!(Parameter, PARAMETER);

/// Names are letters, digits and `_.-/`, at most 1011 characters (2048 with the ARN's prefix), not
/// starting with `aws` or `ssm` (reserved), hierarchical names start with `/` and have at most 15 levels.
fn check_parameter_name(name: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_.-/".contains(c);
    if name.is_empty() || name.len() > 1011 || !name.chars().all(allowed) {
        return Err("expected 1 to 1011 letters, digits and `_.-/`".into());
    }
    let first = name.trim_start_matches('/').to_ascii_lowercase();
    if first.starts_with("aws") || first.starts_with("ssm") {
        return Err("names starting with `aws` or `ssm` are reserved".into());
    }
    if name.contains('/') && !name.starts_with('/') {
        return Err("a hierarchical name must start with `/`".into());
    }
    if name.matches('/').count() > 15 {
        return Err("expected at most 15 levels".into());
    }
    Ok(())
}

attr_handle!(
    /// A declared parameter.
    ParameterHandle {
        /// The parameter's name.
        name: "name",
        arn: "arn",
    } id: String
);

impl ParameterHandle {
    /// The id the parameter was declared with.
    pub(crate) fn declared_id(&self) -> &str {
        &self.id
    }

    /// Lets `role` read the parameter: `stack.add(parameter.grant_read(&role))`.
    #[track_caller]
    pub fn grant_read(&self, role: &impl Grantee) -> RolePolicy {
        let role = role.grantee_role();
        let statements = vec![Statement::allow()
            .actions(["ssm:GetParameter", "ssm:GetParameters"])
            .resource(self.arn())];
        RolePolicy::grant(role, &self.id, "Read", statements)
    }
}

impl Declare for Parameter {
    type Handle = ParameterHandle;
    fn declare(self, at: ResourceRef) -> (Resource, ParameterHandle) {
        let Parameter {
            mut resource,
            name,
            parameter_type,
            value,
            description,
        } = self;
        let mut cfn = Form::new();
        cfn.set("Name", name.as_str())
            .set("Type", parameter_type)
            .set("Value", value.clone())
            .set_some("Description", description.as_deref());
        let mut tf = Form::new();
        tf.checkov_skip(
            "CKV2_AWS_34",
            "String parameters hold configuration; secrets belong in Secrets Manager, which \
             generates them without plain text",
        )
        .set("name", name)
        .set("type", parameter_type)
        .set("value", value)
        .set_some("description", description);
        construct::finish(&mut resource, cfn, tf);
        let id = resource.id.clone();
        (
            resource,
            ParameterHandle {
                handle: Handle(at),
                id,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parameter_names() {
        for ok in ["/app/db/host", "app.setting", "a_b-c"] {
            assert_eq!(super::check_parameter_name(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "app/x",
            "/aws/x",
            "SSMthing",
            "has space",
            "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p",
        ] {
            assert!(super::check_parameter_name(bad).is_err(), "{bad}");
        }
    }
}
