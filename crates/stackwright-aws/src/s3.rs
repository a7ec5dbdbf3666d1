//! Simple Storage Service buckets.

use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{Grantee, PolicyDocument, PolicyKind, Principal, RolePolicy, Statement};
use crate::kms::{key_use, KeyHandle, DECRYPT_ACTIONS, ENCRYPT_DECRYPT_ACTIONS};
use crate::naming::physical_name;
use crate::construct::{object, Attribute, Block, Form, Read, Spelling};
use crate::{construct, kinds, Handle};
use stackwright_core::{interpolate, Declare, Expr, RemovalPolicy, Resource, ResourceRef, Value};

/// Builds a bucket policy statement from the bucket's own handle (for its ARN).
type PolicyStatement = Box<dyn FnOnce(&BucketHandle) -> Statement>;

/// An S3 bucket. Secure by default, each with a named opt-out:
/// - encrypted at rest (SSE-S3, or SSE-KMS with [`Bucket::encryption_key`]);
/// - versioned (`disable_versioning_insecure`);
/// - all public access blocked (`allow_public_access_insecure`);
/// - ACLs disabled, the bucket owner owns every object (`enable_acls_insecure`);
/// - a bucket policy denying requests that do not use TLS (`allow_insecure_transport_insecure`);
/// - incomplete multipart uploads cleaned up after 7 days;
/// - kept when removed from the definition (`RemovalPolicy::Retain`).
///
/// Without `.name(...)` the engine generates the name, so copies of an environment never collide.
pub struct Bucket {
    resource: Resource,
    kms_key: Option<Expr>,
    tls_only: bool,
    policy: Vec<PolicyStatement>,
}

impl Bucket {
    #[track_caller]
    pub fn new(id: impl Into<String>) -> Self {
        let mut resource = Resource::new(id, kinds::S3_BUCKET);
        resource.set("versioned", true);
        resource.set("block_public_access", true);
        resource.set("object_ownership", "BucketOwnerEnforced");
        // Parts of abandoned uploads are billed like objects but invisible in listings.
        resource.set("abort_incomplete_multipart_upload_days", 7);
        resource.removal_policy = RemovalPolicy::Retain;
        Bucket {
            resource,
            kms_key: None,
            tls_only: true,
            policy: Vec::new(),
        }
    }

    /// Encrypts objects with a customer managed KMS key (SSE-KMS with bucket keys) instead of SSE-S3.
    pub fn encryption_key(mut self, key: &KeyHandle) -> Self {
        self.kms_key = Some(key.arn());
        self
    }

    /// Adds a statement to the bucket policy, built from the bucket's handle for its ARN:
    /// `.policy_statement(|b| Statement::allow().principal(..).action("s3:GetObject").resource(b.arn_for_objects("*")))`.
    pub fn policy_statement(
        mut self,
        statement: impl FnOnce(&BucketHandle) -> Statement + 'static,
    ) -> Self {
        self.policy.push(Box::new(statement));
        self
    }

    /// Deletes versions `days` days after they stop being current (overwritten or deleted); unset, they
    /// are kept (and billed) forever.
    pub fn noncurrent_version_expiration_days(mut self, days: i64) -> Self {
        if days < 1 {
            self.resource.problems.push(format!(
                "noncurrent version expiration of {days} days: expected at least 1"
            ));
        }
        self.resource
            .set("noncurrent_version_expiration_days", days);
        self
    }

    /// Writes server access logs to `target` (another bucket, which must
    /// [`allow_access_log_delivery`](Bucket::allow_access_log_delivery)) under `prefix`.
    pub fn server_access_logs(mut self, target: &BucketHandle, prefix: impl Into<String>) -> Self {
        self.resource.set(
            "access_logs",
            Value::Map(vec![
                ("bucket".into(), Value::Str(target.name())),
                ("prefix".into(), Value::from(prefix.into())),
            ]),
        );
        self
    }

    /// Lets S3 deliver server access logs of this account's buckets into this bucket.
    pub fn allow_access_log_delivery(mut self) -> Self {
        self.resource.set("receives_access_logs", true);
        self.policy_statement(|bucket| {
            Statement::allow()
                .sid("AllowAccessLogDelivery")
                .principal(Principal::service("logging.s3.amazonaws.com"))
                .action("s3:PutObject")
                .resource(bucket.arn_for_objects("*"))
                .condition("StringEquals", "aws:SourceAccount", [Expr::account_id()])
        })
    }

    /// Sends the bucket's events (object created, deleted, ...) to Amazon EventBridge's default bus,
    /// where rules route them ([`BucketEventSource`](crate::lambda::BucketEventSource) for a function).
    pub fn eventbridge_notifications(mut self) -> Self {
        self.resource.set("eventbridge", true);
        self
    }

    /// Opt-out of versioning: overwritten and deleted objects are then gone for good.
    pub fn disable_versioning_insecure(mut self) -> Self {
        self.resource.set("versioned", false);
        self
    }

    /// Opt-out of the public access block, for buckets that serve the public (a bucket policy must still
    /// grant the access).
    pub fn allow_public_access_insecure(mut self) -> Self {
        self.resource.set("block_public_access", false);
        self
    }

    /// Opt-out of `BucketOwnerEnforced`: ACLs work again and objects uploaded by other accounts stay theirs
    /// (`BucketOwnerPreferred`), as some log deliveries still require.
    pub fn enable_acls_insecure(mut self) -> Self {
        self.resource
            .set("object_ownership", "BucketOwnerPreferred");
        self
    }

    /// Opt-out of the bucket policy statement that denies requests made without TLS.
    pub fn allow_insecure_transport_insecure(mut self) -> Self {
        self.tls_only = false;
        self
    }
}
common_setters!(Bucket, taggable, stateful);
patchable!(Bucket, BUCKET);
physical_name!(Bucket);

attr_handle!(
    /// A declared bucket.
    BucketHandle {
        arn: "arn",
        /// The bucket's name.
        name: "name",
        /// `<name>.s3.amazonaws.com`.
        domain_name: "domain_name",
        /// `<name>.s3.<region>.amazonaws.com`.
        regional_domain_name: "regional_domain_name",
    } id: String, kms_key: Option<Expr>, eventbridge: Option<bool>
);

impl BucketHandle {
    /// Whether the bucket sends its events to EventBridge ([`Bucket::eventbridge_notifications`]);
    /// `None` for a bucket that exists outside the app.
    pub(crate) fn sends_to_eventbridge(&self) -> Option<bool> {
        self.eventbridge
    }

    /// The id the bucket was declared with.
    pub(crate) fn declared_id(&self) -> &str {
        &self.id
    }

    /// The ARN of the objects matching `key_pattern` (e.g. `*`, `logs/*`).
    pub fn arn_for_objects(&self, key_pattern: &str) -> Expr {
        interpolate![self.arn(), "/", key_pattern]
    }

    /// Lets `role` list the bucket and read its objects: `stack.add(bucket.grant_read(&role))`.
    #[track_caller]
    pub fn grant_read(&self, role: &impl Grantee) -> RolePolicy {
        let role = role.grantee_role();
        let mut statements = vec![Statement::allow()
            .actions(READ_ACTIONS)
            .resources([self.arn(), self.arn_for_objects("*")])];
        statements.extend(key_use(self.kms_key.as_ref(), &DECRYPT_ACTIONS));
        RolePolicy::grant(role, &self.id, "Read", statements)
    }

    /// Lets `role` write and delete objects (without reading them).
    #[track_caller]
    pub fn grant_write(&self, role: &impl Grantee) -> RolePolicy {
        let role = role.grantee_role();
        let mut statements = vec![Statement::allow()
            .actions(WRITE_ACTIONS)
            .resource(self.arn_for_objects("*"))];
        statements.extend(key_use(self.kms_key.as_ref(), &ENCRYPT_DECRYPT_ACTIONS));
        RolePolicy::grant(role, &self.id, "Write", statements)
    }

    /// Lets `role` list, read, write and delete objects.
    #[track_caller]
    pub fn grant_read_write(&self, role: &impl Grantee) -> RolePolicy {
        let role = role.grantee_role();
        let mut statements = vec![
            Statement::allow()
                .actions(READ_ACTIONS)
                .resources([self.arn(), self.arn_for_objects("*")]),
            Statement::allow()
                .actions(WRITE_ACTIONS)
                .resource(self.arn_for_objects("*")),
        ];
        statements.extend(key_use(self.kms_key.as_ref(), &ENCRYPT_DECRYPT_ACTIONS));
        RolePolicy::grant(role, &self.id, "ReadWrite", statements)
    }
}

const READ_ACTIONS: [&str; 4] = [
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:ListBucket",
    "s3:GetBucketLocation",
];
const WRITE_ACTIONS: [&str; 3] = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"];

impl Bucket {
    /// A bucket that exists outside the app, by name (or a deploy-time value such as another
    /// environment's output): `name` and `arn` can be used (grants give access to
    /// its objects; a bucket encrypted with a customer managed key also needs a grant on that key).
    #[track_caller]
    pub fn from_name(
        id: impl Into<String>,
        bucket_name: impl Into<Expr>,
    ) -> crate::Existing<BucketHandle> {
        let id = id.into();
        let name = bucket_name.into();
        let arn = crate::existing::arn("s3", false, false, name.clone());
        let attributes = vec![("name", name), ("arn", arn)];
        let handle_id = id.clone();
        crate::Existing::new(id, kinds::S3_BUCKET, attributes, move |handle| {
            BucketHandle {
                handle,
                id: handle_id,
                kms_key: None,
                eventbridge: None,
            }
        })
    }
}

impl Declare for Bucket {
    type Handle = BucketHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, BucketHandle) {
        if self.kms_key.is_some() && self.resource.get("receives_access_logs").is_some() {
            self.resource.problems.push(
                "S3 delivers server access logs only to buckets encrypted with SSE-S3: expected no \
                 `.encryption_key(...)` on a bucket that allows access log delivery"
                    .into(),
            );
        }
        let handle = BucketHandle {
            handle: Handle(at),
            id: self.resource.id.clone(),
            kms_key: self.kms_key.clone(),
            eventbridge: Some(self.resource.get("eventbridge").is_some()),
        };
        let mut encryption = vec![];
        match &self.kms_key {
            Some(key) => {
                encryption.push(("algorithm".to_owned(), Value::from("aws:kms")));
                encryption.push(("kms_key_id".to_owned(), Value::Str(key.clone())));
                // Bucket keys cut the KMS requests (and their cost) per object by orders of magnitude.
                encryption.push(("bucket_key".to_owned(), Value::Bool(true)));
            }
            None => encryption.push(("algorithm".to_owned(), Value::from("AES256"))),
        }
        self.resource.set("encryption", Value::Map(encryption));

        let mut statements = Vec::new();
        if self.tls_only {
            statements.push(
                Statement::deny()
                    .sid("DenyInsecureTransport")
                    .principal(Principal::any())
                    .action("s3:*")
                    .resources([handle.arn(), handle.arn_for_objects("*")])
                    .condition("Bool", "aws:SecureTransport", ["false"]),
            );
        }
        statements.extend(self.policy.into_iter().map(|build| build(&handle)));
        if !statements.is_empty() {
            let policy: PolicyDocument = statements.into_iter().collect();
            let problems = policy.check(PolicyKind::Resource, "bucket policy");
            self.resource.problems.extend(problems);
            self.resource.set("policy", policy.to_value());
        }
        let mut resource = self.resource;
        spell(&mut resource, &handle);
        (resource, handle)
    }
}

/// A bucket in each target: CloudFormation keeps its policy in a resource beside it, Terraform splits
/// it into one resource per concern, each named `<bucket>_<concern>`.
pub(crate) static BUCKET: Spelling = Spelling {
    kind: kinds::S3_BUCKET,
    cloudformation: "AWS::S3::Bucket",
    terraform: "aws_s3_bucket",
    terraform_tags: true,
    attributes: &[
        Attribute::new("name", Read::Ref, "id"),
        Attribute::new("arn", Read::GetAtt("Arn"), "arn"),
        Attribute::new("domain_name", Read::GetAtt("DomainName"), "bucket_domain_name"),
        Attribute::new("regional_domain_name", Read::GetAtt("RegionalDomainName"), "bucket_regional_domain_name"),
    ],
    cloudformation_resource: Some(Block {
        type_name: "AWS::S3::BucketPolicy",
        suffix: "Policy",
        named_by: None,
    }),
    terraform_data: &[],
    terraform_blocks: &[
        part("aws_s3_bucket_versioning", "_versioning"),
        part(
            "aws_s3_bucket_server_side_encryption_configuration",
            "_encryption",
        ),
        part("aws_s3_bucket_public_access_block", "_public_access_block"),
        part("aws_s3_bucket_ownership_controls", "_ownership_controls"),
        part("aws_s3_bucket_lifecycle_configuration", "_lifecycle"),
        part("aws_s3_bucket_logging", "_logging"),
        part("aws_s3_bucket_notification", "_notification"),
        part("aws_s3_bucket_policy", "_policy"),
    ],
};

/// One of the resources Terraform splits a bucket into.
const fn part(type_name: &'static str, suffix: &'static str) -> Block {
    Block {
        type_name,
        suffix,
        named_by: None,
    }
}

/// Writes the bucket's forms from the builder's properties.
fn spell(resource: &mut Resource, handle: &BucketHandle) {
    let bucket = &*resource;
    let flag = |name: &str| bucket.get(name).and_then(Value::as_bool);
    let versioned = flag("versioned") == Some(true);
    let block = flag("block_public_access").unwrap_or(true);
    let eventbridge = flag("eventbridge") == Some(true);
    let encryption = bucket.get("encryption").cloned();
    let encryption_key = encryption
        .as_ref()
        .and_then(|e| e.get("kms_key_id"))
        .cloned();
    let ownership = bucket.get("object_ownership").cloned();
    let abort_days = bucket.get("abort_incomplete_multipart_upload_days").cloned();
    let noncurrent_days = bucket.get("noncurrent_version_expiration_days").cloned();
    let access_logs = bucket.get("access_logs").cloned();
    let receives_access_logs = bucket.get("receives_access_logs").is_some();
    let policy = bucket.get("policy").cloned();
    // Renames the keys of a map value, keeping those it has.
    let renamed = |value: &Value, names: &[(&str, &str)]| {
        let entries: Vec<(&str, Value)> = names
            .iter()
            .filter_map(|(from, to)| Some((*to, value.get(from)?.clone())))
            .collect();
        object(&entries)
    };
    let access_logs_skip = if receives_access_logs {
        "this bucket receives server access logs; logging it into itself would loop"
    } else {
        "access logs need a separate log bucket: opt in with `.server_access_logs(&bucket, prefix)`"
    };

    let mut cfn = Form::new();
    cfn.physical_name("BucketName");
    if versioned {
        cfn.set(
            "VersioningConfiguration",
            object(&[("Status", "Enabled".into())]),
        );
    }
    if let Some(encryption) = &encryption {
        let mut rule = vec![(
            "ServerSideEncryptionByDefault",
            renamed(
                encryption,
                &[
                    ("algorithm", "SSEAlgorithm"),
                    ("kms_key_id", "KMSMasterKeyID"),
                ],
            ),
        )];
        if let Some(v) = encryption.get("bucket_key") {
            rule.push(("BucketKeyEnabled", v.clone()));
        }
        cfn.set(
            "BucketEncryption",
            object(&[(
                "ServerSideEncryptionConfiguration",
                Value::List(vec![object(&rule)]),
            )]),
        );
    }
    cfn.set(
        "PublicAccessBlockConfiguration",
        object(&[
            ("BlockPublicAcls", block.into()),
            ("BlockPublicPolicy", block.into()),
            ("IgnorePublicAcls", block.into()),
            ("RestrictPublicBuckets", block.into()),
        ]),
    );
    if let Some(ownership) = &ownership {
        cfn.set(
            "OwnershipControls",
            object(&[(
                "Rules",
                Value::List(vec![object(&[("ObjectOwnership", ownership.clone())])]),
            )]),
        );
    }
    let mut rules = Vec::new();
    if let Some(days) = &abort_days {
        rules.push(object(&[
            ("Id", "AbortIncompleteMultipartUploads".into()),
            ("Status", "Enabled".into()),
            (
                "AbortIncompleteMultipartUpload",
                object(&[("DaysAfterInitiation", days.clone())]),
            ),
        ]));
    }
    if let Some(days) = &noncurrent_days {
        rules.push(object(&[
            ("Id", "ExpireNoncurrentVersions".into()),
            ("Status", "Enabled".into()),
            (
                "NoncurrentVersionExpiration",
                object(&[("NoncurrentDays", days.clone())]),
            ),
        ]));
    }
    if !rules.is_empty() {
        cfn.set("LifecycleConfiguration", object(&[("Rules", Value::List(rules))]));
    }
    match &access_logs {
        Some(logs) => {
            cfn.set(
                "LoggingConfiguration",
                renamed(
                    logs,
                    &[("bucket", "DestinationBucketName"), ("prefix", "LogFilePrefix")],
                ),
            );
        }
        None => {
            cfn.checkov_skip("CKV_AWS_18", access_logs_skip);
        }
    }
    if eventbridge {
        cfn.set(
            "NotificationConfiguration",
            object(&[(
                "EventBridgeConfiguration",
                object(&[("EventBridgeEnabled", true.into())]),
            )]),
        );
    }

    let mut tf = Form::new();
    // `terraform destroy` deletes the objects too; without it the provider fails on a non-empty bucket.
    tf.physical_name("bucket").when_destroyed("force_destroy", true);
    if access_logs.is_none() {
        tf.checkov_skip("CKV_AWS_18", access_logs_skip);
    }
    if !eventbridge {
        tf.checkov_skip(
            "CKV2_AWS_62",
            "event notifications need a consumer: opt in with `.eventbridge_notifications()`",
        );
    }
    if encryption_key.is_none() {
        tf.checkov_skip(
            "CKV_AWS_145",
            "SSE-S3 encrypts every object; opt in to a customer managed key with `.encryption_key(&key)`",
        );
    }
    // Replicating to a second region needs a bucket there, a role and a decision about cost and data
    // residency; it is not a default a builder can make.
    tf.checkov_skip(
        "CKV_AWS_144",
        "cross-region replication needs a bucket in another region: not a default",
    );

    construct::finish(resource, cfn, tf);

    if let Some(policy) = &policy {
        let mut beside = Form::new();
        beside
            .set("Bucket", handle.name())
            .policy_document("PolicyDocument", policy.clone(), "policy", &[]);
        construct::cloudformation_resource(resource, beside);
    }
    let mut parts: Vec<(&str, Form)> = Vec::new();
    let mut part = |suffix, fill: &dyn Fn(&mut Form)| {
        let mut body = Form::new();
        body.set("bucket", handle.name());
        fill(&mut body);
        parts.push((suffix, body));
    };
    if versioned {
        part("_versioning", &|b| {
            b.set(
                "versioning_configuration",
                object(&[("status", "Enabled".into())]),
            );
        });
    }
    if let Some(encryption) = &encryption {
        part("_encryption", &|b| {
            let mut rule = vec![(
                "apply_server_side_encryption_by_default",
                renamed(
                    encryption,
                    &[
                        ("algorithm", "sse_algorithm"),
                        ("kms_key_id", "kms_master_key_id"),
                    ],
                ),
            )];
            if let Some(v) = encryption.get("bucket_key") {
                rule.push(("bucket_key_enabled", v.clone()));
            }
            b.set("rule", Value::List(vec![object(&rule)]));
        });
    }
    part("_public_access_block", &|b| {
        b.set("block_public_acls", block)
            .set("block_public_policy", block)
            .set("ignore_public_acls", block)
            .set("restrict_public_buckets", block);
    });
    if let Some(ownership) = &ownership {
        part("_ownership_controls", &|b| {
            b.set(
                "rule",
                object(&[("object_ownership", ownership.clone())]),
            );
        });
    }
    let mut rules = Vec::new();
    if let Some(days) = &abort_days {
        rules.push(object(&[
            ("id", "AbortIncompleteMultipartUploads".into()),
            ("status", "Enabled".into()),
            ("filter", object(&[])),
            (
                "abort_incomplete_multipart_upload",
                object(&[("days_after_initiation", days.clone())]),
            ),
        ]));
    }
    if let Some(days) = &noncurrent_days {
        rules.push(object(&[
            ("id", "ExpireNoncurrentVersions".into()),
            ("status", "Enabled".into()),
            ("filter", object(&[])),
            (
                "noncurrent_version_expiration",
                object(&[("noncurrent_days", days.clone())]),
            ),
        ]));
    }
    if !rules.is_empty() {
        part("_lifecycle", &|b| {
            b.set("rule", Value::List(rules.clone()));
            if versioned {
                // The provider's advice: rules about versions apply once versioning is configured.
                b.own_block("depends_on", "_versioning");
            }
        });
    }
    if let Some(logs) = &access_logs {
        part("_logging", &|b| {
            let logging = renamed(logs, &[("bucket", "target_bucket"), ("prefix", "target_prefix")]);
            for (name, value) in logging.as_map().unwrap_or_default() {
                b.set(name, value.clone());
            }
        });
    }
    if eventbridge {
        part("_notification", &|b| {
            b.set("eventbridge", true);
        });
    }
    if let Some(policy) = &policy {
        part("_policy", &|b| {
            b.policy_document("policy", policy.clone(), "policy", &[])
                // A policy applied before the public access block is settled can be rejected (or, with
                // the block lifted, briefly be public): wait for it.
                .own_block("depends_on", "_public_access_block");
        });
    }
    for (suffix, body) in parts {
        construct::terraform_block(resource, suffix, body);
    }
}
