//! SNS topics and subscriptions, e.g. where alarms notify.

use crate::construct::{Attribute, Form, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
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
/// `aws_sns_topic`), by default with the AWS managed key [`AWS_MANAGED_KEY`].
///
/// The AWS managed key serves publishers with IAM permissions (a role, a function), but not AWS services
/// that publish on their own (CloudWatch alarm actions, EventBridge rules, S3 notifications): they call KMS
/// themselves, the AWS managed key's policy cannot let them, and their messages are dropped with only a
/// line in the alarm's history. Such a topic needs a customer managed key that allows the service:
/// `Topic::new("Alerts").encryption_key(&key)` with
/// `kms::Key::new("AlertsKey").allow_topic_publisher("cloudwatch.amazonaws.com")`;
/// [`Alarm::alarm_topic`](crate::cloudwatch::Alarm::alarm_topic) reports a topic whose key does not.
pub struct Topic {
    resource: Resource,
    display_name: Option<String>,
    kms_master_key_id: Expr,
    publishers: Publishers,
}

/// Which AWS services the key a topic is encrypted with lets publish.
#[derive(Clone, Debug)]
enum Publishers {
    /// The AWS managed key: none.
    AwsManaged,
    /// A key declared in the app: those its policy allows, by id.
    Key { id: String, services: Vec<String> },
    /// A key given by ARN, id or alias, or one that exists outside the app: not known here.
    Unknown,
}

impl Topic {
    #[track_caller]
    pub fn new(id: impl Into<String>) -> Self {
        Topic {
            resource: Resource::new(id, kinds::SNS_TOPIC),
            display_name: None,
            kms_master_key_id: AWS_MANAGED_KEY.into(),
            publishers: Publishers::AwsManaged,
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
        self.publishers = match self.kms_master_key_id.as_literal() {
            Some(AWS_MANAGED_KEY) => Publishers::AwsManaged,
            _ => Publishers::Unknown,
        };
        self
    }

    /// Encrypts with customer managed key `key`; [`TopicHandle::grant_publish`] then lets publishers
    /// use it, and AWS services publish if the key allows them
    /// ([`Key::allow_topic_publisher`](crate::kms::Key::allow_topic_publisher)).
    pub fn encryption_key(mut self, key: &KeyHandle) -> Self {
        self.kms_master_key_id = key.arn();
        self.publishers = match key.topic_publishers() {
            Some(services) => Publishers::Key {
                id: key.declared_id().to_owned(),
                services: services.to_vec(),
            },
            None => Publishers::Unknown,
        };
        self
    }
}
common_setters!(Topic, taggable);
patchable!(Topic, TOPIC);

attr_handle!(
    /// A declared topic.
    TopicHandle {
        /// The topic's ARN: what an alarm action or a subscription names.
        arn: "arn",
        name: "name",
    } id: String, kms_key: Option<Expr>, publishers: Publishers
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

impl TopicHandle {
    /// The id the topic was declared with.
    pub(crate) fn declared_id(&self) -> &str {
        &self.id
    }

    /// The AWS services the topic's customer managed key lets publish (declared in the app); empty
    /// otherwise.
    pub(crate) fn key_publishers(&self) -> &[String] {
        match &self.publishers {
            Publishers::Key { services, .. } => services,
            _ => &[],
        }
    }

    /// Why AWS service `service` (e.g. `cloudwatch.amazonaws.com`) cannot publish to the topic because of
    /// its key, naming `what` publishes (e.g. `alarm action`); `None` when it can or the key's policy
    /// is not known here.
    pub(crate) fn service_publish_problem(&self, service: &str, what: &str) -> Option<String> {
        let topic = &self.id;
        match &self.publishers {
            Publishers::AwsManaged => Some(format!(
                "{what} publishes to topic `{topic}`, which is encrypted with the AWS managed key \
                 `{AWS_MANAGED_KEY}`: {service} cannot use that key, so every message would be dropped; \
                 expected `.encryption_key(&key)` on the topic with a customer managed key declared with \
                 `.allow_topic_publisher(\"{service}\")`"
            )),
            Publishers::Key { id, services } if !services.iter().any(|s| s == service) => {
                Some(format!(
                    "{what} publishes to topic `{topic}`, whose key `{id}` does not let {service} use \
                     it, so every message would be dropped: expected \
                     `.allow_topic_publisher(\"{service}\")` on the key"
                ))
            }
            _ => None,
        }
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
            publishers,
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
                publishers,
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
patchable!(Subscription, SUBSCRIPTION);

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

/// The neutral kind of a topic's resource policy.
pub const POLICY_KIND: &str = "aws.sns.TopicPolicy";

/// A topic's resource policy in each target.
pub(crate) static TOPIC_POLICY: Spelling = Spelling {
    kind: POLICY_KIND,
    cloudformation: "AWS::SNS::TopicPolicy",
    terraform: "aws_sns_topic_policy",
    terraform_tags: false,
    attributes: &[],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// The resource policy (CloudFormation `AWS::SNS::TopicPolicy`, Terraform `aws_sns_topic_policy`) that
/// lets AWS service `service` (`events.amazonaws.com`) publish to `topic` on behalf of the resource
/// `source_arn` only (`aws:SourceArn`). SNS keeps one policy per topic: the caller makes sure no other
/// declaration gives this topic one. The topic's key must let the service use it
/// ([`TopicHandle::service_publish_problem`]). It replaces SNS's default policy, through which other
/// services of the account publish (CloudWatch alarm actions): each other service the topic's key lets
/// publish ([`TopicHandle::key_publishers`]) keeps a statement for this account (`aws:SourceAccount`).
#[track_caller]
pub(crate) fn service_publish_policy(
    id: String,
    topic: &TopicHandle,
    service: &str,
    source_arn: Expr,
) -> Resource {
    let mut resource = Resource::new(id, POLICY_KIND);
    let mut statements = vec![Statement::allow()
        .sid("AllowServicePublish")
        .principal(crate::iam::Principal::service(service))
        .action("sns:Publish")
        .resource(topic.arn())
        .condition("ArnEquals", "aws:SourceArn", [source_arn])];
    for other in topic.key_publishers().iter().filter(|s| *s != service) {
        // A statement id is letters and digits: `KeepPublishCloudwatch`.
        let mut label: String = other
            .split('.')
            .next()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        if let Some(first) = label.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        statements.push(
            Statement::allow()
                .sid(format!("KeepPublish{label}"))
                .principal(crate::iam::Principal::service(other.as_str()))
                .action("sns:Publish")
                .resource(topic.arn())
                .condition("StringEquals", "aws:SourceAccount", [Expr::account_id()]),
        );
    }
    let policy: crate::iam::PolicyDocument = statements.into_iter().collect();
    let mut cfn = Form::new();
    cfn.set(
        "Topics",
        stackwright_core::Value::List(vec![topic.arn().into()]),
    )
    .policy_document("PolicyDocument", policy.to_value(), "policy", &[]);
    let mut tf = Form::new();
    tf.set("arn", topic.arn())
        .policy_document("policy", policy.to_value(), "policy", &[]);
    construct::finish(&mut resource, cfn, tf);
    resource
}
