//! CloudFormation StackSets: one stack of an app, declared once for a fleet of environments (accounts or
//! organizational units x regions), compiled to one StackSet template and an administration stack that
//! holds the `AWS::CloudFormation::StackSet` (permission model, deployment targets, region order,
//! concurrency, failure tolerance).
//!
//! The StackSet template is built from the templates Stackwright lowers for each member environment and
//! is proved to give each of them its own template back: where the members' templates differ only by
//! the environment's identity (its name, account, region), the value becomes an `Fn::Sub` of the
//! environment's stack-set parameter `StackwrightEnvironment` and the pseudo parameters
//! `AWS::AccountId`/`AWS::Region`; a template parameter whose default differs becomes a per-instance
//! parameter override; any other difference is a located error naming the property and what to do.
//!
//! Architecture invariant: pure (templates in, templates out); knows CloudFormation's StackSet API and
//! its limits, not how templates are lowered.

mod merge;
#[cfg(test)]
mod tests;

use serde_json::{json, Map, Value};
use stackwright_core::{Diagnostic, Location};

/// The stack-set parameter every instance gets: the name of its environment.
pub const ENVIRONMENT_PARAMETER: &str = "StackwrightEnvironment";

/// `TemplateBody` of `AWS::CloudFormation::StackSet`: at most 51,200 bytes.
pub const TEMPLATE_BODY_LIMIT: usize = 51_200;

/// Stack instances a stack set may have (StackSets quotas: 100,000 per stack set).
pub const INSTANCES_LIMIT: usize = 100_000;

/// A template CloudFormation accepts (through S3): the administration stack, written pretty as synth
/// writes templates, must fit.
pub const TEMPLATE_LIMIT: usize = 1_000_000;

/// Tags of a stack set (`Tags`, maxItems 50).
pub const TAGS_LIMIT: usize = 50;

/// A stack deployed to a fleet of environments through one stack set.
#[derive(Clone, Debug)]
pub struct Fleet {
    /// The stack set's name is `<app>-<name>` (letters, digits, `-`; starting with a letter; at most
    /// 128 characters).
    pub name: String,
    /// The stack of the app that every member deploys.
    pub stack: String,
    /// The environment whose account and region deploy the administration stack (one of the app's
    /// environments: the management account, a delegated administrator, or for self-managed
    /// permissions the account holding the administration role). `synth` writes the administration stack
    /// as its stack [`Fleet::administration_stack`].
    pub administrator: String,
    /// The members, in order: each one of the app's environments, deployed to its target in its region.
    pub members: Vec<Member>,
    /// Who deploys the instances.
    pub permissions: Permissions,
    /// How an operation proceeds across accounts and regions.
    pub preferences: OperationPreferences,
}

impl Fleet {
    /// The name of the administration stack's stack in the administrator environment:
    /// `<fleet>-stackset` (its CloudFormation stack is named as any stack of that environment).
    pub fn administration_stack(&self) -> String {
        format!("{}-stackset", self.name)
    }
}

/// The fleets declared on an app ([`StackSets::stack_set`]), in declaration order: an app extension
/// (`App::extensions`) that `synth` reads to write each fleet's administration stack.
#[derive(Clone, Debug, Default)]
pub struct Fleets {
    /// Each fleet with where it was declared.
    pub declared: Vec<(Fleet, Location)>,
}

/// Declares fleets on an app: `App::new(..).stack_set(Fleet { .. })`.
pub trait StackSets: Sized {
    /// Deploys `fleet.stack` to the fleet's members through one CloudFormation StackSet: `synth` writes
    /// the administration stack as stack [`Fleet::administration_stack`] of `fleet.administrator`, and
    /// marks the members' own templates of the stack as deployed by it (`deployed_by` in the manifest),
    /// so that `list` and `ci` deploy the administration stack, not the members.
    #[track_caller]
    fn stack_set(self, fleet: Fleet) -> Self;
}

impl<C> StackSets for stackwright_core::App<C> {
    #[track_caller]
    fn stack_set(mut self, fleet: Fleet) -> Self {
        let location = std::panic::Location::caller();
        self.extensions_mut()
            .get_or_default_mut::<Fleets>()
            .declared
            .push((fleet, location));
        self
    }
}

/// One environment of a fleet and where its instance (or, for an organizational unit, its instances)
/// deploy: its region, in `target`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// One of the app's environments.
    pub environment: String,
    /// Where its instances deploy (in the environment's region).
    pub target: DeploymentTarget,
}

/// Where stack instances are created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeploymentTarget {
    /// The environment's own account (`Accounts`).
    Account,
    /// Every account of an organizational unit (`ou-xxxx-yyyyyyyy`) or the organization's root
    /// (`r-xxxx`), service-managed permissions only. The environment's account stands for "the
    /// instance's account": its value in the template becomes `AWS::AccountId`.
    OrganizationalUnit(String),
}

/// How StackSets gets the permissions to deploy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Permissions {
    /// AWS Organizations: StackSets creates the roles it needs; with `auto_deployment`, new accounts of
    /// a target organizational unit get their instances automatically.
    ServiceManaged {
        /// Instances for accounts added to a target organizational unit (None: only the accounts
        /// there when the stack set deploys).
        auto_deployment: Option<AutoDeployment>,
        /// Acting from a delegated administrator account (`CallAs: DELEGATED_ADMIN`) rather than the
        /// management account.
        delegated_admin: bool,
    },
    /// Roles you create: the administration role in the administrator account, the execution role in
    /// every target account (defaults: `AWSCloudFormationStackSetAdministrationRole`,
    /// `AWSCloudFormationStackSetExecutionRole`).
    SelfManaged {
        /// `AdministrationRoleARN` (None: `AWSCloudFormationStackSetAdministrationRole`).
        administration_role_arn: Option<String>,
        /// `ExecutionRoleName` (None: `AWSCloudFormationStackSetExecutionRole`).
        execution_role_name: Option<String>,
    },
}

/// Automatic deployment to accounts added to a target organizational unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AutoDeployment {
    /// Keep an account's stacks when it leaves the organizational unit (else they are deleted).
    pub retain_stacks_on_account_removal: bool,
}

/// A number of accounts, or a percentage of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Amount {
    /// A number of accounts.
    Count(u32),
    /// A percentage of the accounts (0 to 100).
    Percentage(u8),
}

/// Regions one at a time, or all at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionConcurrency {
    /// One region after the other, in the region order.
    Sequential,
    /// Every region at once.
    Parallel,
}

/// How a stack set operation proceeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationPreferences {
    /// Accounts deployed at once, per region (`MaxConcurrentCount`/`Percentage`).
    pub max_concurrent: Amount,
    /// Failed accounts per region after which the operation stops (`FailureToleranceCount`/`Percentage`).
    pub failure_tolerance: Amount,
    /// Regions one at a time or all at once (`RegionConcurrencyType`).
    pub region_concurrency: RegionConcurrency,
    /// The order of regions (`RegionOrder`); empty: the order of the members' regions.
    pub region_order: Vec<String>,
    /// `SOFT_FAILURE_TOLERANCE`: concurrency is not bound by the failure tolerance (else `MaxConcurrentCount`
    /// may exceed `FailureToleranceCount` by at most one).
    pub soft_failure_tolerance: bool,
}

impl Default for OperationPreferences {
    /// One account at a time per region, regions one after the other, stop at the first failure.
    fn default() -> Self {
        OperationPreferences {
            max_concurrent: Amount::Count(1),
            failure_tolerance: Amount::Count(0),
            region_concurrency: RegionConcurrency::Sequential,
            region_order: Vec::new(),
            soft_failure_tolerance: false,
        }
    }
}

/// One member's template, as lowered for its environment.
pub struct MemberTemplate<'a> {
    /// The member's environment.
    pub environment: &'a str,
    /// Its account (for an organizational unit's member, a stand-in for each instance's account).
    pub account: &'a str,
    /// Its region.
    pub region: &'a str,
    /// Its CloudFormation template, parsed.
    pub template: &'a Value,
    /// The capabilities its deployment needs (`CAPABILITY_IAM`, ...).
    pub capabilities: &'a [&'static str],
}

/// The compiled fleet.
#[derive(Clone, Debug, PartialEq)]
pub struct StackSet {
    /// `<app>-<fleet>`.
    pub name: String,
    /// The template every instance deploys.
    pub template: Value,
    /// The administration stack: one `AWS::CloudFormation::StackSet`, deployed in the administrator
    /// account (the management account or a delegated administrator, or the self-managed
    /// administrator).
    pub administration: Value,
}

/// Compiles `fleet` of app `app` from its members' templates (in the order of `fleet.members`).
/// `locate(environment, logical id)` is where the resource was declared, for the errors.
pub fn compile(
    app: &str,
    fleet: &Fleet,
    members: &[MemberTemplate],
    locate: &dyn Fn(&str, &str) -> Option<Location>,
) -> Result<StackSet, Vec<Diagnostic>> {
    let mut problems = check(app, fleet, members);
    if !problems.is_empty() {
        return Err(problems);
    }
    let name = format!("{app}-{}", fleet.name);
    let merged = merge::merge(app, fleet, members, locate)?;
    let body = serde_json::to_string(&merged.template).expect("JSON serializes");
    if body.len() > TEMPLATE_BODY_LIMIT {
        problems.push(fleet_problem(
            fleet,
            format!(
                "its StackSet template is {} bytes, over the {TEMPLATE_BODY_LIMIT} bytes `TemplateBody` \
                 allows: split the stack",
                body.len()
            ),
        ));
        return Err(problems);
    }
    let mut capabilities: Vec<&str> = members
        .iter()
        .flat_map(|m| m.capabilities.iter().copied())
        .collect();
    capabilities.sort_unstable();
    capabilities.dedup();
    let mut properties = Map::new();
    properties.insert("StackSetName".into(), name.clone().into());
    properties.insert(
        "Description".into(),
        format!(
            "Stack `{}` of app `{app}` for the {} environments of fleet `{}`. Generated by stackwright; do \
             not edit.",
            fleet.stack,
            members.len(),
            fleet.name
        )
        .into(),
    );
    match &fleet.permissions {
        Permissions::ServiceManaged {
            auto_deployment,
            delegated_admin,
        } => {
            properties.insert("PermissionModel".into(), "SERVICE_MANAGED".into());
            properties.insert(
                "CallAs".into(),
                if *delegated_admin {
                    "DELEGATED_ADMIN"
                } else {
                    "SELF"
                }
                .into(),
            );
            properties.insert(
                "AutoDeployment".into(),
                match auto_deployment {
                    Some(a) => json!({
                        "Enabled": true,
                        "RetainStacksOnAccountRemoval": a.retain_stacks_on_account_removal,
                    }),
                    None => json!({ "Enabled": false }),
                },
            );
        }
        Permissions::SelfManaged {
            administration_role_arn,
            execution_role_name,
        } => {
            properties.insert("PermissionModel".into(), "SELF_MANAGED".into());
            if let Some(arn) = administration_role_arn {
                properties.insert("AdministrationRoleARN".into(), arn.clone().into());
            }
            if let Some(role) = execution_role_name {
                properties.insert("ExecutionRoleName".into(), role.clone().into());
            }
        }
    }
    if !capabilities.is_empty() {
        properties.insert("Capabilities".into(), json!(capabilities));
    }
    properties.insert("ManagedExecution".into(), json!({ "Active": true }));
    properties.insert("OperationPreferences".into(), preferences(fleet, members));
    properties.insert("Parameters".into(), json!(merged.parameters));
    let groups: Vec<Value> = fleet
        .members
        .iter()
        .zip(members)
        .zip(&merged.overrides)
        .map(|((member, t), overrides)| {
            let targets = match &member.target {
                DeploymentTarget::Account => json!({ "Accounts": [t.account] }),
                DeploymentTarget::OrganizationalUnit(ou) => {
                    json!({ "OrganizationalUnitIds": [ou] })
                }
            };
            json!({
                "DeploymentTargets": targets,
                "Regions": [t.region],
                "ParameterOverrides": overrides,
            })
        })
        .collect();
    properties.insert("StackInstancesGroup".into(), groups.into());
    properties.insert("TemplateBody".into(), body.into());
    let administration = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!(
            "Administration stack of stack set `{name}` (fleet `{}` of app `{app}`). Generated by \
             stackwright; do not edit.",
            fleet.name
        ),
        "Resources": { "StackSet": { "Type": "AWS::CloudFormation::StackSet", "Properties": properties } },
        "Outputs": { "StackSetId": { "Value": { "Ref": "StackSet" } } },
    });
    let size = serde_json::to_string_pretty(&administration)
        .expect("JSON serializes")
        .len();
    if size > TEMPLATE_LIMIT {
        return Err(vec![fleet_problem(
            fleet,
            format!(
                "its administration stack is {size} bytes, over the {TEMPLATE_LIMIT} bytes of a CloudFormation \
                 template: split the fleet into several stack sets ({} members now)",
                members.len()
            ),
        )]);
    }
    Ok(StackSet {
        name,
        template: merged.template,
        administration,
    })
}

fn preferences(fleet: &Fleet, members: &[MemberTemplate]) -> Value {
    let p = &fleet.preferences;
    let mut out = Map::new();
    match p.max_concurrent {
        Amount::Count(n) => out.insert("MaxConcurrentCount".into(), n.into()),
        Amount::Percentage(n) => out.insert("MaxConcurrentPercentage".into(), n.into()),
    };
    match p.failure_tolerance {
        Amount::Count(n) => out.insert("FailureToleranceCount".into(), n.into()),
        Amount::Percentage(n) => out.insert("FailureTolerancePercentage".into(), n.into()),
    };
    out.insert(
        "RegionConcurrencyType".into(),
        match p.region_concurrency {
            RegionConcurrency::Sequential => "SEQUENTIAL",
            RegionConcurrency::Parallel => "PARALLEL",
        }
        .into(),
    );
    out.insert(
        "ConcurrencyMode".into(),
        if p.soft_failure_tolerance {
            "SOFT_FAILURE_TOLERANCE"
        } else {
            "STRICT_FAILURE_TOLERANCE"
        }
        .into(),
    );
    out.insert("RegionOrder".into(), json!(region_order(p, members)));
    Value::Object(out)
}

/// The preferences' region order, or the members' regions in order of first appearance.
fn region_order(p: &OperationPreferences, members: &[MemberTemplate]) -> Vec<String> {
    if !p.region_order.is_empty() {
        return p.region_order.clone();
    }
    let mut order: Vec<String> = Vec::new();
    for m in members {
        if !order.iter().any(|r| r == m.region) {
            order.push(m.region.to_owned());
        }
    }
    order
}

pub(crate) fn fleet_problem(fleet: &Fleet, what: String) -> Diagnostic {
    let mut d = Diagnostic::new(format!("fleet `{}`: {what}", fleet.name));
    d.stack = Some(fleet.stack.clone());
    d
}

/// The API's rules and limits, every problem at once.
fn check(app: &str, fleet: &Fleet, members: &[MemberTemplate]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut say = |what: String| problems.push(fleet_problem(fleet, what));
    let name = format!("{app}-{}", fleet.name);
    let valid_name = name.len() <= 128
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !valid_name {
        say(format!(
            "its stack set name `{name}` is not a StackSetName: expected a letter, then letters, digits and \
             `-`, at most 128 characters"
        ));
    }
    if fleet.members.is_empty() {
        say("it has no member: expected at least one environment".into());
    }
    if members.len() != fleet.members.len() {
        say(format!(
            "{} of its {} members have a template of stack `{}`: every member environment must declare it",
            members.len(),
            fleet.members.len(),
            fleet.stack
        ));
    }
    if members.len() > INSTANCES_LIMIT {
        say(format!(
            "it has {} members, over the {INSTANCES_LIMIT} stack instances a stack set may have",
            members.len()
        ));
    }
    // (target, the account or unit it names, region, environment) of the members so far.
    let mut seen: Vec<(&DeploymentTarget, &str, &str, &str)> = Vec::new();
    for (member, t) in fleet.members.iter().zip(members) {
        if let DeploymentTarget::OrganizationalUnit(ou) = &member.target {
            if !is_organizational_unit(ou) {
                say(format!(
                    "member `{}` targets `{ou}`: expected an organizational unit id `ou-` + 4 to 32 \
                     lowercase letters or digits + `-` + 8 to 32 more, or a root id `r-` + 4 to 32",
                    member.environment
                ));
            }
            if matches!(fleet.permissions, Permissions::SelfManaged { .. }) {
                say(format!(
                    "member `{}` targets organizational unit `{ou}`, which needs service-managed \
                     permissions (`Permissions::ServiceManaged`); self-managed stack sets target accounts",
                    member.environment
                ));
            }
        }
        if member.target == DeploymentTarget::Account
            && matches!(fleet.permissions, Permissions::ServiceManaged { .. })
        {
            say(format!(
                "member `{}` targets its account {}, but service-managed stack sets deploy to organizational \
                 units (`DeploymentTarget::OrganizationalUnit`); target accounts with self-managed permissions",
                member.environment, t.account
            ));
        }
        let account = match &member.target {
            DeploymentTarget::Account => t.account,
            DeploymentTarget::OrganizationalUnit(ou) => ou.as_str(),
        };
        if let Some((.., other)) = seen.iter().find(|(target, where_, region, _)| {
            **target == member.target && *where_ == account && *region == t.region
        }) {
            say(format!(
                "members `{other}` and `{}` deploy to the same target and region ({account}, {}): a stack \
                 set has one instance there",
                member.environment, t.region
            ));
        }
        seen.push((&member.target, account, t.region, &member.environment));
    }
    let p = &fleet.preferences;
    let percentage = |n: u8, min: u8, what: &str, say: &mut dyn FnMut(String)| {
        if n > 100 {
            say(format!("{what} is {n}%: expected {min} to 100"));
        }
    };
    match p.max_concurrent {
        Amount::Count(0) => {
            say("its maximum concurrency is 0 accounts: expected at least 1".into())
        }
        Amount::Percentage(0) => say("its maximum concurrency is 0%: expected 1 to 100".into()),
        Amount::Percentage(n) => percentage(n, 1, "its maximum concurrency", &mut say),
        Amount::Count(_) => {}
    }
    if let Amount::Percentage(n) = p.failure_tolerance {
        percentage(n, 0, "its failure tolerance", &mut say);
    }
    if let (Amount::Count(max), Amount::Count(tolerance), false) = (
        p.max_concurrent,
        p.failure_tolerance,
        p.soft_failure_tolerance,
    ) {
        if u64::from(max) > u64::from(tolerance) + 1 {
            say(format!(
                "its maximum concurrency is {max} accounts with a failure tolerance of {tolerance}: under \
                 strict failure tolerance StackSets allows at most one more account at once than it tolerates \
                 failures ({}); raise the tolerance or choose soft failure tolerance",
                tolerance + 1
            ));
        }
    }
    let mut regions: Vec<&str> = Vec::new();
    for m in members {
        if !regions.contains(&m.region) {
            regions.push(m.region);
        }
    }
    for region in &p.region_order {
        if !regions.contains(&region.as_str()) {
            say(format!(
                "its region order names `{region}`, where no member deploys: expected the members' regions \
                 ({})",
                regions.join(", ")
            ));
        }
    }
    if !p.region_order.is_empty() {
        for region in &regions {
            if !p.region_order.iter().any(|r| r == region) {
                say(format!(
                    "its region order lacks `{region}`, where a member deploys: name every region once"
                ));
            }
        }
    }
    if let Permissions::SelfManaged {
        administration_role_arn,
        execution_role_name,
    } = &fleet.permissions
    {
        if let Some(arn) = administration_role_arn {
            if !(20..=2048).contains(&arn.len())
                || !arn.starts_with("arn:")
                || !arn.contains(":role/")
            {
                say(format!(
                    "its administration role `{arn}` is not an IAM role ARN: expected `arn:aws:iam::ACCOUNT:role/NAME`, \
                     20 to 2048 characters"
                ));
            }
        }
        if let Some(role) = execution_role_name {
            let ok = (1..=64).contains(&role.len())
                && role
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+=,.@/-".contains(c));
            if !ok {
                say(format!(
                    "its execution role name `{role}` is not valid: expected 1 to 64 letters, digits and \
                     `_+=,.@/-`"
                ));
            }
        }
    }
    problems
}

/// `ou-` + 4..=32 + `-` + 8..=32 lowercase alphanumerics, or `r-` + 4..=32.
fn is_organizational_unit(id: &str) -> bool {
    let alnum = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    if let Some(rest) = id.strip_prefix("ou-") {
        return rest
            .split_once('-')
            .is_some_and(|(a, b)| alnum(a, 4, 32) && alnum(b, 8, 32));
    }
    id.strip_prefix("r-").is_some_and(|r| alnum(r, 4, 32))
}
