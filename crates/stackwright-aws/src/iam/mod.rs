//! Identity and Access Management: roles, their policies, instance profiles, and typed policy documents.
//!
//! Other resources grant access to a role with helpers such as `bucket.grant_read(&role)`, which
//! return a [`RolePolicy`] scoped to that resource: `stack.add(bucket.grant_read(&role))`.

mod policy;
mod role;

pub(crate) use policy::{value_json_text, PolicyKind};
pub(crate) use role::{INSTANCE_PROFILE, MANAGED_POLICY, ROLE, ROLE_POLICY};
pub use policy::{Effect, PolicyDocument, Principal, Statement, POLICY_VERSION};
pub use role::{
    Grantee, InstanceProfile, InstanceProfileHandle, ManagedPolicy, ManagedPolicyHandle, Role, RoleHandle,
    RolePolicy, RolePolicyHandle,
};
