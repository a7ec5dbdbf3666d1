//! Function URLs: an HTTPS endpoint of a function, authenticated with IAM.

use super::FunctionHandle;
use crate::construct::{Attribute, Form, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::{construct, Handle};
use stackwright_core::{Declare, Resource, ResourceRef};

/// The neutral kind of a function URL.
pub const URL_KIND: &str = "aws.lambda.Url";

/// A function URL in each target.
pub(crate) static URL: Spelling = Spelling {
    kind: URL_KIND,
    cloudformation: "AWS::Lambda::Url",
    terraform: "aws_lambda_function_url",
    terraform_tags: false,
    attributes: &[Attribute::new("url", Read::GetAtt("FunctionUrl"), "function_url")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// An HTTPS endpoint of a function (CloudFormation `AWS::Lambda::Url`, Terraform
/// `aws_lambda_function_url`). Secure by default: callers sign their requests with SigV4 and need
/// `lambda:InvokeFunctionUrl` on the function (`AWS_IAM`, checkov CKV_AWS_258); responses are buffered
/// unless [`response_streaming`](Self::response_streaming).
pub struct FunctionUrl {
    resource: Resource,
    streaming: bool,
}

impl FunctionUrl {
    /// The URL of `function`.
    #[track_caller]
    pub fn new(id: impl Into<String>, function: &FunctionHandle) -> Self {
        let mut resource = Resource::new(id, URL_KIND);
        if let Err((first, at)) = function.claim_url(&resource.id, resource.location) {
            resource.problems.push(format!(
                "function `{}` already has URL `{first}` (declared at {}:{}): Lambda gives a function or \
                 an alias one URL; expected one `FunctionUrl` of it",
                function.declared_id(),
                at.file(),
                at.line()
            ));
        }
        resource.set("function", function.arn());
        FunctionUrl {
            resource,
            streaming: false,
        }
    }

    /// Streams responses (`RESPONSE_STREAM`) instead of buffering them.
    pub fn response_streaming(mut self) -> Self {
        self.streaming = true;
        self
    }
}
common_setters!(FunctionUrl);
patchable!(FunctionUrl, URL);

attr_handle!(
    /// A declared function URL.
    FunctionUrlHandle {
        /// `https://<id>.lambda-url.<region>.on.aws/`.
        url: "url",
    }
);

impl Declare for FunctionUrl {
    type Handle = FunctionUrlHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, FunctionUrlHandle) {
        let mode = if self.streaming {
            "RESPONSE_STREAM"
        } else {
            "BUFFERED"
        };
        let url = &self.resource;
        let mut cfn = Form::new();
        cfn.copy(url, "function", "TargetFunctionArn")
            .set("AuthType", "AWS_IAM")
            .set("InvokeMode", mode);
        let mut tf = Form::new();
        tf.copy(url, "function", "function_name")
            .set("authorization_type", "AWS_IAM")
            .set("invoke_mode", mode);
        construct::finish(&mut self.resource, cfn, tf);
        (self.resource, FunctionUrlHandle { handle: Handle(at) })
    }
}
