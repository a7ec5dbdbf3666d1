//! Secrets Manager secrets whose value is generated, so that it never appears in an artifact.

use crate::check::set_bounded;
use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{Grantee, RolePolicy, Statement};
use crate::kms::{key_use, KeyHandle, DECRYPT_ACTIONS};
use crate::naming::physical_name;
use crate::construct::{object, Attribute, Block, Form, Hcl, Read, Spelling};
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Expr, RemovalPolicy, Resource, ResourceRef, Value};

/// A secret holding a generated password, optionally as `{"username": ..., "password": ...}`.
///
/// The value is generated at deploy time: CloudFormation's `GenerateSecretString`; in Terraform the
/// `aws_secretsmanager_random_password` data source feeds the secret's version (the value is then in the
/// Terraform state, which must be encrypted; the S3 backend Stackwright writes is). The secret is kept
/// when removed from the definition (`RemovalPolicy::Retain`).
pub struct Secret {
    resource: Resource,
    kms_key: Option<Expr>,
    generate: Vec<(String, Value)>,
}

/// Characters left out of generated passwords unless told otherwise: those that break connection
/// strings and shells, and that RDS refuses in master passwords.
pub const DEFAULT_EXCLUDED_CHARACTERS: &str = "\"'@/\\`";

impl Secret {
    /// A secret holding a generated 32-character password.
    #[track_caller]
    pub fn generated(id: impl Into<String>) -> Self {
        let mut resource = Resource::new(id, kinds::SECRETSMANAGER_SECRET);
        resource.removal_policy = RemovalPolicy::Retain;
        Secret {
            resource,
            kms_key: None,
            generate: vec![
                ("password_length".into(), Value::Int(32)),
                (
                    "exclude_characters".into(),
                    Value::from(DEFAULT_EXCLUDED_CHARACTERS),
                ),
            ],
        }
    }

    fn set_generate(&mut self, key: &str, value: Value) {
        match self.generate.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.generate.push((key.to_owned(), value)),
        }
    }

    /// Length of the generated password, 8 to 4096 characters.
    pub fn password_length(mut self, length: i64) -> Self {
        if !(8..=4096).contains(&length) {
            self.resource.problems.push(format!(
                "password length {length}: expected 8 to 4096 characters"
            ));
        }
        self.set_generate("password_length", Value::Int(length));
        self
    }

    /// Characters the password must not contain (replaces [`DEFAULT_EXCLUDED_CHARACTERS`]).
    pub fn exclude_characters(mut self, characters: impl Into<String>) -> Self {
        self.set_generate("exclude_characters", Value::from(characters.into()));
        self
    }

    /// Letters and digits only.
    pub fn exclude_punctuation(mut self) -> Self {
        self.set_generate("exclude_punctuation", Value::Bool(true));
        self
    }

    /// Stores `{"username": <username>, "password": <generated>}`, the shape RDS and most clients read.
    pub fn json_with_username(mut self, username: impl Into<String>) -> Self {
        let username = username.into();
        if username.is_empty() {
            self.resource
                .problems
                .push("secret username is empty: expected a user name".into());
        }
        self.set_generate("username", Value::from(username));
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        set_bounded(
            &mut self.resource,
            "description",
            "secret description",
            text.into(),
            2048,
        );
        self
    }

    /// Encrypts the secret with a customer managed key instead of Secrets Manager's AWS managed key.
    pub fn encryption_key(mut self, key: &KeyHandle) -> Self {
        self.kms_key = Some(key.arn());
        self
    }
}
common_setters!(Secret, taggable, stateful);
patchable!(Secret, SECRET);
physical_name!(Secret);

attr_handle!(
    /// A declared secret. It offers no attribute holding the value: read it at run time (with
    /// [`SecretHandle::grant_read`]), never in an artifact.
    SecretHandle {
        arn: "arn",
    } id: String, kms_key: Option<Expr>
);

impl SecretHandle {
    /// The id the secret was declared with.
    pub(crate) fn declared_id(&self) -> &str {
        &self.id
    }

    /// Lets `role` read the secret's value: `stack.add(secret.grant_read(&role))`.
    #[track_caller]
    pub fn grant_read(&self, role: &impl Grantee) -> RolePolicy {
        let role = role.grantee_role();
        let mut statements = vec![Statement::allow()
            .actions(READ_ACTIONS)
            .resource(self.arn())];
        statements.extend(key_use(self.kms_key.as_ref(), &DECRYPT_ACTIONS));
        RolePolicy::grant(role, &self.id, "Read", statements)
    }
}

/// What a role needs to read a secret's value (and the key it is encrypted with, if customer managed).
pub(crate) const READ_ACTIONS: [&str; 2] = [
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
];

impl Declare for Secret {
    type Handle = SecretHandle;
    fn declare(self, at: ResourceRef) -> (Resource, SecretHandle) {
        let Secret {
            mut resource,
            kms_key,
            generate,
        } = self;
        let handle = SecretHandle {
            handle: Handle(at),
            id: resource.id.clone(),
            kms_key: kms_key.clone(),
        };
        let generated = |key: &str| generate.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        let username = generated("username")
            .and_then(Value::as_expr)
            .and_then(Expr::as_literal)
            .map(str::to_owned);
        let customer_key_skip = "Secrets Manager encrypts with its AWS managed key; opt in to a \
                                 customer managed key with `.encryption_key(&key)`";

        let mut spec: Vec<(&str, Value)> = [
            ("password_length", "PasswordLength"),
            ("exclude_characters", "ExcludeCharacters"),
            ("exclude_punctuation", "ExcludePunctuation"),
        ]
        .iter()
        .filter_map(|(from, to)| Some((*to, generated(from)?.clone())))
        .collect();
        if let Some(username) = &username {
            // JSON text, quoted by serde_json as CloudFormation reads it.
            let template = format!("{{\"username\":{}}}", serde_json::Value::from(username.as_str()));
            spec.push(("SecretStringTemplate", Value::from(template)));
            spec.push(("GenerateStringKey", Value::from("password")));
        }
        let mut cfn = Form::new();
        cfn.physical_name("Name")
            .copy(&resource, "description", "Description")
            .set_some("KmsKeyId", kms_key.clone())
            .set("GenerateSecretString", object(&spec));
        let mut tf = Form::new();
        tf.physical_name("name")
            .copy(&resource, "description", "description")
            .set_some("kms_key_id", kms_key.clone());
        if kms_key.is_none() {
            cfn.checkov_skip("CKV_AWS_149", customer_key_skip);
            tf.checkov_skip("CKV_AWS_149", customer_key_skip);
        }
        tf.checkov_skip(
            "CKV2_AWS_57",
            "rotation needs a rotation function that knows the secret's consumer: not a default",
        );
        construct::finish(&mut resource, cfn, tf);

        let mut generator = Form::new();
        for key in [
            "password_length",
            "exclude_characters",
            "exclude_punctuation",
        ] {
            generator.set_some(key, generated(key).cloned());
        }
        construct::terraform_block(&mut resource, "_password", generator);
        let password = Hcl::Block {
            suffix: "_password",
            attribute: "random_password",
        };
        let value = match username {
            Some(username) => vec![
                Hcl::Raw("sensitive(jsonencode({\"username\" = "),
                Hcl::Text(username),
                Hcl::Raw(", \"password\" = "),
                password,
                Hcl::Raw("}))"),
            ],
            None => vec![Hcl::Raw("sensitive("), password, Hcl::Raw(")")],
        };
        let mut version = Form::new();
        version
            .set(
                "//",
                Value::List(vec![
                    Value::from(
                        "The generated value is stored in the Terraform state: keep the state encrypted.",
                    ),
                    Value::from(
                        "ignore_changes: the data source generates a new password on every plan; the first one stays.",
                    ),
                ]),
            )
            .set("secret_id", handle.handle.attr("id"))
            .terraform_expression("secret_string", value)
            .set(
                "lifecycle",
                object(&[(
                    "ignore_changes",
                    Value::List(vec![Value::from("secret_string")]),
                )]),
            );
        construct::terraform_block(&mut resource, "_version", version);
        (resource, handle)
    }
}

/// A secret in each target. The provider cannot generate a secret's value inside the secret, and
/// `ephemeral`/write-only arguments need a newer Terraform than we target, so in Terraform a secret is
/// three blocks: `aws_secretsmanager_secret`, the `aws_secretsmanager_random_password` data source that
/// generates the password (with the AWS API, like CloudFormation's `GenerateSecretString`), and an
/// `aws_secretsmanager_secret_version` holding it. The artifact never contains the value; the Terraform
/// state does, like every value Terraform writes, so the state must be encrypted.
pub(crate) static SECRET: Spelling = Spelling {
    kind: kinds::SECRETSMANAGER_SECRET,
    cloudformation: "AWS::SecretsManager::Secret",
    terraform: "aws_secretsmanager_secret",
    terraform_tags: true,
    attributes: &[
        Attribute::new("arn", Read::Ref, "arn"),
        // What the Terraform secret version names the secret by (the ARN in CloudFormation too).
        Attribute::new("id", Read::Ref, "id"),
    ],
    cloudformation_resource: None,
    terraform_data: &[Block {
        type_name: "aws_secretsmanager_random_password",
        suffix: "_password",
        named_by: None,
    }],
    terraform_blocks: &[Block {
        type_name: "aws_secretsmanager_secret_version",
        suffix: "_version",
        named_by: None,
    }],
};
