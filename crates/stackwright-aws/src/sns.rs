//! SNS topics and subscriptions, e.g. where alarms notify.

use crate::construct::{Attribute, Form, Read, Spelling};
use crate::handle::{attr_handle, common_setters};
use crate::iam::{Grantee, RolePolicy, Statement};
use crate::kms::{key_use, KeyHandle};
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef};

/// A topic in each target.
pub(crate) static TOPIC: Spelling = Spelling {
    kind: kinds::SNS_TOPIC,
    cloudformation: "AWS::SNS::Topic",
    terraform: "aws_sns_topic",
    terraform_tags: true,
    attributes: &[
        Attribute::new("arn", Read::Ref, "arn"),
        Attribute::new("name", Read::GetAtt("TopicName"), "name"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A subscription in each target.
pub(crate) static SUBSCRIPTION: Spelling = Spelling {
    kind: kinds::SNS_SUBSCRIPTION,
    cloudformation: "AWS::SNS::Subscription",
    terraform: "aws_sns_topic_subscription",
    terraform_tags: false,
    attributes: &[Attribute::new("arn", Read::Ref, "arn")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// The AWS managed key of SNS, which topics are encrypted with unless `.kms_master_key_id(...)` chooses
/// a customer managed key (checkov CKV_AWS_26).
pub const AWS_MANAGED_KEY: &str = "alias/aws/sns";

/// A standard SNS topic, encrypted at rest (CloudFormation `AWS::SNS::Topic`, Terraform
/// `aws_sns_topic`). CloudWatch alarms may publish to a topic encrypted with the AWS managed key.
pub struct Topic {
    resource: Resource,
    display_name: Option<String>,
    kms_master_key_id: Expr,
}

impl Topic {
    #[track_caller]
    pub fn new(id: impl Into<String>) -> Self {
        Topic {
            resource: Resource::new(id, kinds::SNS_TOPIC),
            display_name: None,
            kms_master_key_id: AWS_MANAGED_KEY.into(),
        }
    }

    /// The name shown as the sender of email and SMS notifications (at most 100 characters).
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        crate::check::check_length(&mut self.resource, "topic display name", &name, 100);
        self.display_name = Some(name);
        self
    }

    /// Encrypts with another key: its ARN, id or alias (e.g. `key.arn()` of a
    /// [`kms::Key`](crate::kms::Key), whose policy must let the publishers use it). Grants add the use
    /// of a key given by ARN (a reference or `arn:...`), not by id or alias, which IAM cannot name:
    /// prefer [`encryption_key`](Self::encryption_key).
    pub fn kms_master_key_id(mut self, key: impl Into<Expr>) -> Self {
        self.kms_master_key_id = key.into();
        self
    }

    /// Encrypts with customer managed key `key`; [`TopicHandle::grant_publish`] then lets publishers
    /// use it.
    pub fn encryption_key(mut self, key: &KeyHandle) -> Self {
        self.kms_master_key_id = key.arn();
        self
    }
}
common_setters!(Topic, taggable);

attr_handle!(
    /// A declared topic.
    TopicHandle {
        /// The topic's ARN: what an alarm action or a subscription names.
        arn: "arn",
        name: "name",
    } id: String, kms_key: Option<Expr>
);

impl TopicHandle {
    /// Lets `to` (a role, or a function's role) publish to the topic, and use its customer managed
    /// key if it has one: `stack.add(topic.grant_publish(&function))`.
    #[track_caller]
    pub fn grant_publish(&self, to: &impl Grantee) -> RolePolicy {
        let mut statements = vec![Statement::allow()
            .action("sns:Publish")
            .resource(self.arn())];
        statements.extend(key_use(self.kms_key.as_ref(), &PUBLISH_KEY_ACTIONS));
        RolePolicy::grant(to.grantee_role(), &self.id, "Publish", statements)
    }
}

/// What a publisher needs of the key a topic is encrypted with.
const PUBLISH_KEY_ACTIONS: [&str; 2] = ["kms:GenerateDataKey*", "kms:Decrypt"];

impl Declare for Topic {
    type Handle = TopicHandle;
    fn declare(self, at: ResourceRef) -> (Resource, TopicHandle) {
        let Topic {
            mut resource,
            display_name,
            kms_master_key_id,
        } = self;
        // A key IAM can name: a reference (`key.arn()`) or a literal ARN; the AWS managed key needs no
        // grant (its policy lets SNS use it for the account's principals).
        let kms_key = match kms_master_key_id.as_literal() {
            Some(text) if !text.starts_with("arn:") => None,
            _ => Some(kms_master_key_id.clone()),
        };
        let mut cfn = Form::new();
        cfn.set_some("DisplayName", display_name.clone())
            .set("KmsMasterKeyId", kms_master_key_id.clone());
        let mut tf = Form::new();
        tf.set_some("display_name", display_name)
            .set("kms_master_key_id", kms_master_key_id);
        construct::finish(&mut resource, cfn, tf);
        let id = resource.id.clone();
        (
            resource,
            TopicHandle {
                handle: Handle(at),
                id,
                kms_key,
            },
        )
    }
}

/// Where a subscription delivers.
#[derive(Clone, Debug)]
pub enum Endpoint {
    /// An email address, which must confirm the subscription.
    Email(String),
    /// An HTTPS URL, which must confirm the subscription.
    Https(String),
    /// An SQS queue, by ARN.
    Sqs(Expr),
    /// A Lambda function, by ARN.
    Lambda(Expr),
}

/// A subscription of an endpoint to a topic (CloudFormation `AWS::SNS::Subscription`, Terraform
/// `aws_sns_topic_subscription`).
pub struct Subscription {
    resource: Resource,
}

impl Subscription {
    #[track_caller]
    pub fn new(id: impl Into<String>, topic: &TopicHandle, endpoint: Endpoint) -> Self {
        Self::with_id(id.into(), topic, endpoint)
    }

    #[track_caller]
    fn with_id(id: String, topic: &TopicHandle, endpoint: Endpoint) -> Self {
        let mut resource = Resource::new(id, kinds::SNS_SUBSCRIPTION);
        let (protocol, endpoint) = match endpoint {
            Endpoint::Email(address) => {
                let (local, domain) = address.split_once('@').unwrap_or_default();
                if local.is_empty()
                    || !domain.contains('.')
                    || address.contains(char::is_whitespace)
                {
                    resource.problems.push(format!(
                        "email endpoint `{address}`: expected an address like `ops@example.com`"
                    ));
                }
                ("email", Expr::from(address))
            }
            Endpoint::Https(url) => {
                if !url.starts_with("https://") || url.len() <= "https://".len() {
                    resource.problems.push(format!(
                        "https endpoint `{url}`: expected a URL starting with `https://`"
                    ));
                }
                ("https", Expr::from(url))
            }
            Endpoint::Sqs(arn) => ("sqs", arn),
            Endpoint::Lambda(arn) => ("lambda", arn),
        };
        let topic = topic.arn();
        let mut cfn = Form::new();
        cfn.set("TopicArn", topic.clone())
            .set("Protocol", protocol)
            .set("Endpoint", endpoint.clone());
        let mut tf = Form::new();
        tf.set("topic_arn", topic)
            .set("protocol", protocol)
            .set("endpoint", endpoint);
        construct::finish(&mut resource, cfn, tf);
        Subscription { resource }
    }
}
common_setters!(Subscription);

attr_handle!(
    /// A declared subscription.
    SubscriptionHandle {
        arn: "arn",
    }
);

impl Declare for Subscription {
    type Handle = SubscriptionHandle;
    fn declare(self, at: ResourceRef) -> (Resource, SubscriptionHandle) {
        (self.resource, SubscriptionHandle { handle: Handle(at) })
    }
}
