//! Target parity: where a stack compiled for both targets gives something to one target only, so that the
//! two deployments behave differently. Never silent: each gap is a located warning at synth (once per
//! cause: the CLI merges the environments a definition repeats it in) and a note on the resource in `plan`.
//!
//! The gaps:
//! - an override (`override_cloudformation`, `override_terraform`, `remove_*`) of one target only, when
//!   the other target has none on the resource;
//! - among them CloudFormation's resource attributes, which Terraform has no form of unless the user gives
//!   one: `UpdatePolicy` (Terraform's `instance_refresh` of an auto scaling group), `CreationPolicy` (its
//!   `wait_for_capacity_timeout`/`wait_for_elb_capacity`), `Metadata` (none: cfn-init's configuration),
//!   and an order given to one target (`DependsOn`, `depends_on`);
//! - a registry type, which reaches Terraform as Cloud Control's `awscc_*` resource: `terraform validate`
//!   and checkov cannot check it here, and it is not the hashicorp/aws `aws_*` resource a Terraform team
//!   knows.
//!
//! A resource that accepts the warning's id (`.accept_finding("SW_PARITY_UPDATE_POLICY", reason)`, ids in
//! `stackwright_aws::findings`) has no such warning. A raw resource without one target's form, a
//! CloudFormation-only registry type and a hashicorp/aws builder are not gaps but errors: the other
//! target's stack cannot be lowered without them (references to them would dangle); the stack's declared
//! targets (`.targets(..)`) are the fix the errors suggest.
//!
//! The paths read here are the user's override paths, in the overridden target's own words: this module
//! names a gap, it writes no target syntax.

use stackwright_aws::findings::{
    PARITY_AWSCC, PARITY_CREATION_POLICY, PARITY_DEPENDS_ON, PARITY_METADATA, PARITY_OVERRIDE,
    PARITY_UPDATE_POLICY,
};
use stackwright_aws::kinds;
use stackwright_aws::raw::props;
use stackwright_core::{Diagnostic, Expr, Location, Override, Resource, Stack, Target, Value};

/// One thing a stack gives one target only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// The warning's id, which `.accept_finding(id, reason)` takes to silence it.
    pub id: &'static str,
    /// The target whose deployment lacks it.
    pub lacking: Target,
    /// The user's id of the resource it is about.
    pub resource: String,
    /// The located warning synth prints.
    pub warning: Diagnostic,
    /// What `plan` says on the resource in the lacking target (`Terraform: the instances keep the old
    /// launch template: no instance refresh`).
    pub note: String,
}

/// The gaps of `stack` when it is compiled for `targets`: none unless they are both targets.
pub fn gaps(stack: &Stack, targets: &[Target]) -> Vec<Gap> {
    if !Target::ALL.iter().all(|t| targets.contains(t)) {
        return Vec::new();
    }
    let mut gaps = Vec::new();
    for resource in stack.resources() {
        resource_gaps(resource, &mut gaps);
    }
    gaps
}

fn resource_gaps(resource: &Resource, gaps: &mut Vec<Gap>) {
    let accepted = |id: &str| resource.accepted_findings.iter().any(|(a, _)| a == id);
    let mut found = Vec::new();
    let of = |target: Target| -> Vec<&Override> {
        resource
            .overrides
            .iter()
            .filter(|o| o.target == target)
            .collect()
    };
    let (cloudformation, terraform) = (of(Target::CloudFormation), of(Target::Terraform));
    // An attribute set by override (a removal is a plain one-target override, below).
    let first = |overrides: &[&Override], head: &str| -> Option<Location> {
        overrides
            .iter()
            .find(|o| o.value.is_some() && o.path.first().is_some_and(|p| p == head))
            .map(|o| o.location)
    };
    let terraform_sets = |names: &[&str]| {
        terraform
            .iter()
            .any(|o| o.path.first().is_some_and(|p| names.contains(&p.as_str())))
    };
    let group = is_auto_scaling_group(resource);
    // CloudFormation's resource attributes, whichever other overrides the resource has.
    if let Some(at) = first(&cloudformation, "UpdatePolicy") {
        if !terraform_sets(&["instance_refresh"]) {
            let (what, note) = if group {
                (
                    "a Terraform deploy of a new launch template or launch configuration does not replace \
                     the running instances (no instance refresh); give the group its update policy with \
                     the builder (`.update_policy(..)`, lowered to both targets), or Terraform's \
                     `instance_refresh` with `.override_terraform(..)`",
                    "Terraform: the instances keep the old launch template: no instance refresh \
                     (`UpdatePolicy` is CloudFormation's only)",
                )
            } else {
                (
                    "Terraform updates the resource as the provider does, with no update policy; give \
                     Terraform its equivalent with `.override_terraform(..)`",
                    "Terraform: no update policy (`UpdatePolicy` is CloudFormation's only)",
                )
            };
            found.push((PARITY_UPDATE_POLICY, Target::Terraform, at, format!(
                "`UpdatePolicy` is given to CloudFormation only (override), while the stack's Terraform \
                 deployment exists: {what}"
            ), note.to_owned()));
        }
    }
    if let Some(at) = first(&cloudformation, "CreationPolicy") {
        if !terraform_sets(&["wait_for_capacity_timeout", "wait_for_elb_capacity"]) {
            let fix = if group {
                "; give Terraform its wait (`wait_for_capacity_timeout`, `wait_for_elb_capacity`) with \
                 `.override_terraform(..)`"
            } else {
                ""
            };
            found.push((PARITY_CREATION_POLICY, Target::Terraform, at, format!(
                "`CreationPolicy` is given to CloudFormation only (override), while the stack's Terraform \
                 deployment exists: Terraform does not wait for the instances' success signals (cfn-signal), \
                 so its deploy succeeds whether or not they come up{fix}"
            ), "Terraform: does not wait for the instances' success signals (`CreationPolicy` is \
                CloudFormation's only)".to_owned()));
        }
    }
    if let Some(at) = first(&cloudformation, "Metadata") {
        found.push((PARITY_METADATA, Target::Terraform, at,
            "`Metadata` is given to CloudFormation only (override), while the stack's Terraform deployment \
             exists: Terraform resources carry no metadata, so what reads it (cfn-init's \
             `AWS::CloudFormation::Init`) finds nothing in the Terraform deployment; configure the instances \
             through their user data, which both targets get".to_owned(),
            "Terraform: no `Metadata` (cfn-init's configuration is CloudFormation's only)".to_owned()));
    }
    let cfn_order = first(&cloudformation, "DependsOn");
    let tf_order = first(&terraform, "depends_on");
    match (cfn_order, tf_order) {
        (Some(at), None) => found.push((PARITY_DEPENDS_ON, Target::Terraform, at,
            "`DependsOn` is given to CloudFormation only (override), while the stack's Terraform deployment \
             exists: Terraform does not wait for what it names; use the builder's `.depends_on(..)`, which \
             both targets get".to_owned(),
            "Terraform: not ordered after what CloudFormation's `DependsOn` names".to_owned())),
        (None, Some(at)) => found.push((PARITY_DEPENDS_ON, Target::CloudFormation, at,
            "`depends_on` is given to Terraform only (override), while the stack's CloudFormation \
             deployment exists: CloudFormation does not wait for what it names; use the builder's \
             `.depends_on(..)`, which both targets get".to_owned(),
            "CloudFormation: not ordered after what Terraform's `depends_on` names".to_owned())),
        _ => {}
    }
    // Other overrides, when only one target has any: the other keeps the builder's value.
    const NAMED: [&str; 4] = ["UpdatePolicy", "CreationPolicy", "Metadata", "DependsOn"];
    for (given, lacking, others) in [
        (&cloudformation, Target::Terraform, &terraform),
        (&terraform, Target::CloudFormation, &cloudformation),
    ] {
        if !others.is_empty() {
            continue;
        }
        let named: &[&str] = match lacking {
            Target::Terraform => &NAMED,
            Target::CloudFormation => &["depends_on"],
        };
        let plain: Vec<&&Override> = given
            .iter()
            .filter(|o| {
                o.value.is_none() || !o.path.first().is_some_and(|p| named.contains(&p.as_str()))
            })
            .collect();
        let Some(at) = plain.first().map(|o| o.location) else {
            continue;
        };
        let mut paths: Vec<String> = plain
            .iter()
            .map(|o| format!("`{}`", o.path.join(".")))
            .collect();
        paths.dedup();
        let given_to = lacking.other();
        found.push((
            PARITY_OVERRIDE,
            lacking,
            at,
            format!(
                "{} {} overridden for {} only, while the stack's {} deployment exists: it keeps the \
                 builder's value; give it its own with `.override_{}(..)`",
                paths.join(", "),
                if paths.len() == 1 { "is" } else { "are" },
                given_to.title(),
                lacking.title(),
                lacking.name()
            ),
            format!(
                "{}: {} {} overridden for {} only, not here",
                lacking.title(),
                paths.join(", "),
                if paths.len() == 1 { "is" } else { "are" },
                given_to.title()
            ),
        ));
    }
    if resource.kind == kinds::REGISTRY {
        if let Some(awscc) = literal(resource, props::TERRAFORM_TYPE) {
            let registry = literal(resource, props::CLOUDFORMATION_TYPE).unwrap_or("registry type");
            found.push((PARITY_AWSCC, Target::Terraform, resource.location, format!(
                "`{registry}` reaches Terraform as `{awscc}`, Cloud Control's resource (provider \
                 hashicorp/awscc), not a hashicorp/aws `aws_*` one: `terraform validate` and checkov cannot \
                 check it here (the awscc provider is not in the local mirror; checkov has no awscc checks), \
                 and existing hashicorp/aws state cannot move onto it; a stack declared Terraform-only \
                 (`stack.targets([Target::Terraform])`) can use the hashicorp/aws builders \
                 (`stackwright::terraform`) instead"
            ), format!(
                "Terraform: `{awscc}` is Cloud Control's resource, which `terraform validate` and checkov \
                 cannot check here"
            )));
        }
    }
    for (id, lacking, at, message, note) in found {
        if accepted(id) {
            continue;
        }
        gaps.push(Gap {
            id,
            lacking,
            resource: resource.id.clone(),
            warning: Diagnostic::new(format!(
                "{message} (or accept the difference: `.accept_finding(\"{id}\", reason)`)"
            ))
            .for_resource(&resource.id)
            .at(at),
            note,
        });
    }
}

fn literal<'r>(resource: &'r Resource, key: &str) -> Option<&'r str> {
    resource.get(key)?.as_expr()?.as_literal()
}

/// An auto scaling group: the hand-written kind, or a raw or registry resource of its type.
fn is_auto_scaling_group(resource: &Resource) -> bool {
    resource.kind == kinds::AUTO_SCALING_GROUP
        || resource
            .get(props::CLOUDFORMATION_TYPE)
            .and_then(Value::as_expr)
            .and_then(Expr::as_literal)
            == Some("AWS::AutoScaling::AutoScalingGroup")
}
