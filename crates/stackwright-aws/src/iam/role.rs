use super::policy::{PolicyDocument, PolicyKind, Statement};
use crate::check::set_bounded;
use crate::handle::{attr_handle, common_setters, patchable};
use crate::naming::physical_name;
use crate::construct::{Attribute, Block, Form, ItemName, Read, Spelling};
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Value};

/// An IAM role. The trust policy says who may assume it; permissions come from inline policies
/// ([`RolePolicy`], and the grant helpers of other resources) and managed policies.
///
/// Without `.name(...)` the engine generates the name, so copies of an environment never collide.
pub struct Role {
    resource: Resource,
    trust_policy: Value,
    managed_policies: Vec<Value>,
}

impl Role {
    #[track_caller]
    pub fn new(id: impl Into<String>, trust_policy: PolicyDocument) -> Self {
        Self::with_id(id.into(), trust_policy)
    }

    #[track_caller]
    fn with_id(id: String, trust_policy: PolicyDocument) -> Self {
        let mut resource = Resource::new(id, kinds::IAM_ROLE);
        let problems = trust_policy.check(PolicyKind::Trust, "trust policy");
        resource.problems.extend(problems);
        Role {
            resource,
            trust_policy: trust_policy.to_value(),
            managed_policies: Vec::new(),
        }
    }

    /// A role that an AWS service (e.g. `ec2.amazonaws.com`) assumes.
    #[track_caller]
    pub fn for_service(id: impl Into<String>, service: impl Into<Expr>) -> Self {
        Self::new(id, PolicyDocument::assumed_by_service(service))
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        let text = text.into();
        let allowed = |c: char| matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{A1}'..='\u{FF}');
        if text.chars().count() > 1000 || !text.chars().all(allowed) {
            self.resource.problems.push(format!(
                "role description `{text}`: expected at most 1000 printable Latin-1 characters"
            ));
        }
        self.resource.set("description", text);
        self
    }

    /// Longest session a caller can request, from 3,600 (the default) to 43,200 seconds.
    pub fn max_session_duration_seconds(mut self, seconds: i64) -> Self {
        if !(3600..=43200).contains(&seconds) {
            self.resource.problems.push(format!(
                "max session duration {seconds} s is out of range: expected 3600 to 43200 seconds"
            ));
        }
        self.resource.set("max_session_duration", seconds);
        self
    }

    /// An IAM path such as `/app/`. Changing it replaces the role.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        set_path(&mut self.resource, path.into());
        self
    }

    /// The ARN of a managed policy that limits what the role's policies can grant.
    pub fn permissions_boundary(mut self, policy_arn: impl Into<Expr>) -> Self {
        self.resource.set("permissions_boundary", policy_arn.into());
        self
    }

    /// Attaches a managed policy by ARN (an AWS managed policy, or `ManagedPolicyHandle::arn()`).
    pub fn managed_policy(mut self, policy_arn: impl Into<Expr>) -> Self {
        self.managed_policies.push(Value::Str(policy_arn.into()));
        self
    }
}
common_setters!(Role, taggable);
patchable!(Role, ROLE);
physical_name!(Role);

attr_handle!(
    /// A declared IAM role.
    RoleHandle {
        arn: "arn",
        /// The role's name, which policies and instance profiles refer to it by.
        name: "name",
        /// The stable unique id (`AROA...`).
        unique_id: "unique_id",
    } id: String
);

/// What a grant gives access to: a role, or a resource that runs as one (a Lambda function's
/// [`FunctionHandle`](crate::lambda::FunctionHandle)), whose role the grant's policy is attached to.
pub trait Grantee {
    /// The role that receives the grant.
    fn grantee_role(&self) -> &RoleHandle;
}

impl Grantee for RoleHandle {
    fn grantee_role(&self) -> &RoleHandle {
        self
    }
}

impl RoleHandle {
    /// The id the role was declared with; grants derive their ids from it.
    pub(crate) fn declared_id(&self) -> &str {
        &self.id
    }
}

impl Role {
    /// A role that exists outside the app, by name (not path-qualified), in the environment's account:
    /// `name` and `arn` can be used, so grants (`bucket.grant_read(&role)`) attach inline policies to it.
    #[track_caller]
    pub fn from_name(
        id: impl Into<String>,
        role_name: impl Into<Expr>,
    ) -> crate::Existing<RoleHandle> {
        let id = id.into();
        let name = role_name.into();
        let arn = crate::existing::arn("iam", false, true, Expr::from("role/") + &name);
        let attributes = vec![("name", name), ("arn", arn)];
        let handle_id = id.clone();
        crate::Existing::new(id, kinds::IAM_ROLE, attributes, move |handle| RoleHandle {
            handle,
            id: handle_id,
        })
    }
}

impl Declare for Role {
    type Handle = RoleHandle;
    fn declare(self, at: ResourceRef) -> (Resource, RoleHandle) {
        let Role {
            mut resource,
            trust_policy,
            managed_policies,
        } = self;
        let handle = RoleHandle {
            handle: Handle(at),
            id: resource.id.clone(),
        };
        let role = &resource;
        let mut cfn = Form::new();
        cfn.policy_document(
            "AssumeRolePolicyDocument",
            trust_policy.clone(),
            "assume_role_policy",
            &[],
        )
        .physical_name("RoleName")
        .copy(role, "description", "Description")
        .copy(role, "max_session_duration", "MaxSessionDuration")
        .copy(role, "path", "Path")
        .copy(role, "permissions_boundary", "PermissionsBoundary");
        if !managed_policies.is_empty() {
            cfn.set("ManagedPolicyArns", Value::List(managed_policies.clone()));
        }
        let mut tf = Form::new();
        tf.policy_document(
            "assume_role_policy",
            trust_policy,
            "assume_role_policy",
            &[],
        )
        .physical_name("name")
        .copy(role, "description", "description")
        .copy(role, "max_session_duration", "max_session_duration")
        .copy(role, "path", "path")
        .copy(role, "permissions_boundary", "permissions_boundary");
        construct::finish(&mut resource, cfn, tf);
        // The role's own `managed_policy_arns` is deprecated in provider 5.x: one attachment each.
        for policy_arn in managed_policies {
            let mut attachment = Form::new();
            attachment
                .set("role", handle.name())
                .set("policy_arn", policy_arn);
            construct::terraform_item(&mut resource, "_managed_policy", attachment);
        }
        (resource, handle)
    }
}

/// An inline policy of one role. Its name defaults to its id (inline policy names are per role, so
/// copies of an environment do not collide).
pub struct RolePolicy {
    resource: Resource,
    role_name: Expr,
    document: Value,
}

impl RolePolicy {
    /// The id the policy is declared with (a grant's `<role>-<resource>-<Access>`).
    pub fn id(&self) -> &str {
        &self.resource.id
    }

    #[track_caller]
    pub fn new(id: impl Into<String>, role: &RoleHandle, document: PolicyDocument) -> Self {
        let mut resource = Resource::new(id, kinds::IAM_ROLE_POLICY);
        let problems = document.check(PolicyKind::Identity, "policy");
        resource.problems.extend(problems);
        let name = resource.id.clone();
        resource.set("policy_name", name);
        RolePolicy {
            resource,
            role_name: role.name(),
            document: document.to_value(),
        }
    }

    /// Grants `statements` to `role` as an inline policy whose id is `{role}-{target}-{access}`,
    /// e.g. `AppRole-Assets-Read`.
    #[track_caller]
    pub(crate) fn grant(
        role: &RoleHandle,
        target_id: &str,
        access: &str,
        statements: Vec<Statement>,
    ) -> Self {
        let id = format!("{}-{target_id}-{access}", role.declared_id());
        RolePolicy::new(id, role, statements.into_iter().collect())
    }

    /// The policy's name within its role, replacing the default (the id).
    pub fn policy_name(mut self, name: impl Into<String>) -> Self {
        self.resource.set("policy_name", name.into());
        self
    }
}
common_setters!(RolePolicy);
patchable!(RolePolicy, ROLE_POLICY);

attr_handle!(
    /// A declared inline policy; name it in `depends_on` when a service must not use the role before
    /// the policy is in place.
    RolePolicyHandle {}
);

impl Declare for RolePolicy {
    type Handle = RolePolicyHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, RolePolicyHandle) {
        // Checked here, once the name is final: it defaults to the id, which may be longer than IAM allows.
        let name = self.resource.get("policy_name").and_then(Value::as_expr);
        if let Some(name) = name.and_then(Expr::as_literal).map(str::to_owned) {
            check_iam_name(&mut self.resource, "policy name", &name, 128);
        }
        let RolePolicy {
            mut resource,
            role_name,
            document,
        } = self;
        let policy = &resource;
        // `AWS::IAM::Policy` rather than the newer `AWS::IAM::RolePolicy`: both create an inline
        // policy, but checkov's IAM checks only read the former.
        let mut cfn = Form::new();
        cfn.copy(policy, "policy_name", "PolicyName")
            .policy_document("PolicyDocument", document.clone(), "policy_document", &[])
            .set("Roles", Value::List(vec![Value::Str(role_name.clone())]));
        let mut tf = Form::new();
        tf.copy(policy, "policy_name", "name")
            .set("role", role_name)
            .policy_document("policy", document, "policy_document", &[]);
        construct::finish(&mut resource, cfn, tf);
        (resource, RolePolicyHandle { handle: Handle(at) })
    }
}

/// A customer managed policy, attachable to several roles.
pub struct ManagedPolicy {
    resource: Resource,
    document: Value,
    roles: Vec<Value>,
}

impl ManagedPolicy {
    #[track_caller]
    pub fn new(id: impl Into<String>, document: PolicyDocument) -> Self {
        let mut resource = Resource::new(id, kinds::IAM_MANAGED_POLICY);
        let problems = document.check(PolicyKind::Identity, "policy");
        resource.problems.extend(problems);
        ManagedPolicy {
            resource,
            document: document.to_value(),
            roles: Vec::new(),
        }
    }

    /// Attaches the policy to a role.
    pub fn attach_to(mut self, role: &RoleHandle) -> Self {
        self.roles.push(Value::Str(role.name()));
        self
    }

    /// Changing the description replaces the policy.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        set_bounded(
            &mut self.resource,
            "description",
            "policy description",
            text.into(),
            1000,
        );
        self
    }

    pub fn path(mut self, path: impl Into<String>) -> Self {
        set_path(&mut self.resource, path.into());
        self
    }
}
common_setters!(ManagedPolicy);
patchable!(ManagedPolicy, MANAGED_POLICY);
physical_name!(ManagedPolicy);

attr_handle!(
    /// A declared managed policy.
    ManagedPolicyHandle { arn: "arn" }
);

impl Declare for ManagedPolicy {
    type Handle = ManagedPolicyHandle;
    fn declare(self, at: ResourceRef) -> (Resource, ManagedPolicyHandle) {
        let ManagedPolicy {
            mut resource,
            document,
            roles,
        } = self;
        let handle = ManagedPolicyHandle { handle: Handle(at) };
        let policy = &resource;
        let mut cfn = Form::new();
        cfn.policy_document("PolicyDocument", document.clone(), "policy_document", &[])
            .physical_name("ManagedPolicyName")
            .copy(policy, "description", "Description")
            .copy(policy, "path", "Path");
        if !roles.is_empty() {
            cfn.set("Roles", Value::List(roles.clone()));
        }
        let mut tf = Form::new();
        tf.policy_document("policy", document, "policy_document", &[])
            .physical_name("name")
            .copy(policy, "description", "description")
            .copy(policy, "path", "path");
        construct::finish(&mut resource, cfn, tf);
        for role in roles {
            let mut attachment = Form::new();
            attachment.set("role", role).set("policy_arn", handle.arn());
            construct::terraform_item(&mut resource, "_attachment", attachment);
        }
        (resource, handle)
    }
}

/// The container EC2 instances (and launch templates) use to assume a role.
pub struct InstanceProfile {
    resource: Resource,
}

impl InstanceProfile {
    #[track_caller]
    pub fn new(id: impl Into<String>, role: &RoleHandle) -> Self {
        let mut resource = Resource::new(id, kinds::IAM_INSTANCE_PROFILE);
        resource.set("role_name", role.name());
        InstanceProfile { resource }
    }

    pub fn path(mut self, path: impl Into<String>) -> Self {
        set_path(&mut self.resource, path.into());
        self
    }
}
common_setters!(InstanceProfile);
patchable!(InstanceProfile, INSTANCE_PROFILE);
physical_name!(InstanceProfile);

attr_handle!(
    /// A declared instance profile.
    InstanceProfileHandle {
        /// The profile's name, which instances and launch templates refer to it by.
        name: "name",
        arn: "arn",
    }
);

impl Declare for InstanceProfile {
    type Handle = InstanceProfileHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, InstanceProfileHandle) {
        let profile = &self.resource;
        let mut cfn = Form::new();
        if let Some(role) = profile.get("role_name") {
            cfn.set("Roles", Value::List(vec![role.clone()]));
        }
        cfn.physical_name("InstanceProfileName")
            .copy(profile, "path", "Path");
        let mut tf = Form::new();
        tf.copy(profile, "role_name", "role")
            .physical_name("name")
            .copy(profile, "path", "path");
        construct::finish(&mut self.resource, cfn, tf);
        (self.resource, InstanceProfileHandle { handle: Handle(at) })
    }
}

/// A role in each target; Terraform attaches each managed policy with a resource of its own.
pub(crate) static ROLE: Spelling = Spelling {
    kind: kinds::IAM_ROLE,
    cloudformation: "AWS::IAM::Role",
    terraform: "aws_iam_role",
    terraform_tags: true,
    attributes: &[
        Attribute::new("name", Read::Ref, "name"),
        Attribute::new("arn", Read::GetAtt("Arn"), "arn"),
        Attribute::new("unique_id", Read::GetAtt("RoleId"), "unique_id"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[Block {
        type_name: "aws_iam_role_policy_attachment",
        suffix: "_managed_policy",
        named_by: Some(ItemName::Attribute("policy_arn")),
    }],
};

/// An inline policy in each target.
pub(crate) static ROLE_POLICY: Spelling = Spelling {
    kind: kinds::IAM_ROLE_POLICY,
    cloudformation: "AWS::IAM::Policy",
    terraform: "aws_iam_role_policy",
    terraform_tags: false,
    attributes: &[],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A managed policy in each target; Terraform attaches it to each role with a resource of its own.
pub(crate) static MANAGED_POLICY: Spelling = Spelling {
    kind: kinds::IAM_MANAGED_POLICY,
    cloudformation: "AWS::IAM::ManagedPolicy",
    terraform: "aws_iam_policy",
    terraform_tags: false,
    attributes: &[Attribute::new("arn", Read::Ref, "arn")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[Block {
        type_name: "aws_iam_role_policy_attachment",
        suffix: "_attachment",
        named_by: Some(ItemName::Attribute("role")),
    }],
};

/// An instance profile in each target.
pub(crate) static INSTANCE_PROFILE: Spelling = Spelling {
    kind: kinds::IAM_INSTANCE_PROFILE,
    cloudformation: "AWS::IAM::InstanceProfile",
    terraform: "aws_iam_instance_profile",
    terraform_tags: false,
    attributes: &[
        Attribute::new("name", Read::Ref, "name"),
        Attribute::new("arn", Read::GetAtt("Arn"), "arn"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// IAM names: 1 to `max` characters of ASCII letters, digits and `+=,.@_-`.
fn check_iam_name(resource: &mut Resource, what: &str, name: &str, max: usize) {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
    if name.is_empty() || name.len() > max || !name.chars().all(allowed) {
        resource.problems.push(format!(
            "{what} `{name}`: expected 1 to {max} ASCII letters, digits and `+=,.@_-`"
        ));
    }
}

/// Sets an IAM path: `/` or `/segments/`, printable ASCII, at most 512 characters.
fn set_path(resource: &mut Resource, path: String) {
    let printable = path.chars().all(|c| ('!'..='~').contains(&c));
    let shaped = path == "/" || (path.len() > 1 && path.starts_with('/') && path.ends_with('/'));
    if !printable || !shaped || path.len() > 512 {
        resource.problems.push(format!(
            "IAM path `{path}`: expected `/` or `/name/.../` of printable ASCII, at most 512 characters"
        ));
    }
    resource.set("path", path);
}
