//! Values of another environment (another region or account), read at deploy time: the explicit way
//! across environments, which a handle of another environment is not (that stays an error).

use crate::handle::attr_handle;
use crate::{kinds, Handle};
use stackwright_core::{Declare, RemoteOutput, Resource, ResourceRef};

/// Reads output `output` (its id, as declared with `stack.output(..)`) of stack `stack` of environment
/// `environment`, e.g. a certificate made in `us-east-1` for a service in `eu-west-1`.
///
/// CloudFormation: `Fn::GetStackOutput` (`StackName` `<app>-<env>-<stack>` as `list` deploys it,
/// `OutputName`, `Region`, and `RoleArn` with [`StackOutput::role_arn`]); a weak reference, resolved when
/// this stack is created or updated, that does not lock the output as an export would. Terraform: a
/// `terraform_remote_state` of that environment's module, from its backend (S3: bucket, key, region,
/// and `assume_role` with a role, which needs Terraform 1.6+; local: the module's state file, relative
/// to this module). The producer deploys first (`list` and the manifest say so). Another account needs
/// a role (an error otherwise): one that this stack's deployer (CloudFormation: the stack's execution
/// role) can assume, allowed `cloudformation:DescribeStacks` on the stack, or `s3:GetObject` on its
/// Terraform state (and `kms:Decrypt` if the state is encrypted with a key).
pub struct StackOutput {
    resource: Resource,
}

impl StackOutput {
    #[track_caller]
    pub fn new(id: impl Into<String>, environment: &str, stack: &str, output: &str) -> Self {
        let mut resource = Resource::new(id, kinds::STACK_OUTPUT);
        resource.remote_output = Some(RemoteOutput {
            environment: environment.to_owned(),
            stack: stack.to_owned(),
            output: output.to_owned(),
            role_arn: None,
        });
        StackOutput { resource }
    }

    /// The role that reads the output in the other account (see [`StackOutput`]).
    pub fn role_arn(mut self, arn: impl Into<String>) -> Self {
        if let Some(remote) = &mut self.resource.remote_output {
            remote.role_arn = Some(arn.into());
        }
        self
    }
}

attr_handle!(
    /// A read of another environment's stack output.
    StackOutputHandle {
        /// The output's value at deploy time.
        value: "value",
    }
);

impl Declare for StackOutput {
    type Handle = StackOutputHandle;
    fn declare(self, at: ResourceRef) -> (Resource, StackOutputHandle) {
        (self.resource, StackOutputHandle { handle: Handle(at) })
    }
}
