//! Secrets Manager. The provider cannot generate a secret's value inside the secret, and
//! `ephemeral`/write-only arguments need a newer Terraform than we target, so a secret becomes three
//! blocks: `aws_secretsmanager_secret`, the `aws_secretsmanager_random_password` data source that
//! generates the password (with the AWS API, like CloudFormation's `GenerateSecretString`), and an
//! `aws_secretsmanager_secret_version` holding it. The artifact never contains the value; the Terraform
//! state does, like every value Terraform writes, so the state must be encrypted.

use super::{object, Attrs, Secondary, Service};
use crate::expr::hcl_string;
use serde_json::{json, Map};
use stackwright_aws::kinds;
use stackwright_core::{Expr, Value};

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    (kind == kinds::SECRETSMANAGER_SECRET).then_some(("aws_secretsmanager_secret", false))
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    (kind == kinds::SECRETSMANAGER_SECRET && attr == "arn").then_some("arn")
}

fn lower(name: &str, a: &mut Attrs, out: &mut Secondary) -> bool {
    let resource = a.resource;
    if resource.kind != kinds::SECRETSMANAGER_SECRET {
        return false;
    }
    a.physical_name("name");
    a.copy("description", "description");
    a.copy("kms_key_id", "kms_key_id");
    if resource.get("kms_key_id").is_none() {
        a.checkov_skip(
            "CKV_AWS_149",
            "Secrets Manager encrypts with its AWS managed key; opt in to a customer managed key \
             with `.encryption_key(&key)`",
        );
    }
    a.checkov_skip(
        "CKV2_AWS_57",
        "rotation needs a rotation function that knows the secret's consumer: not a default",
    );
    a.tags();
    let Some(generate) = resource.get("generate") else {
        return true;
    };

    let mut generator = Map::new();
    for key in [
        "password_length",
        "exclude_characters",
        "exclude_punctuation",
    ] {
        if let Some(v) = generate.get(key) {
            generator.insert(key.into(), a.value(v));
        }
    }
    let password_name = format!("{name}_password");
    out.data.push((
        "aws_secretsmanager_random_password",
        password_name.clone(),
        generator,
    ));

    let password =
        format!("data.aws_secretsmanager_random_password.{password_name}.random_password");
    let username = generate
        .get("username")
        .and_then(Value::as_expr)
        .and_then(Expr::as_literal);
    let value = match username {
        Some(username) => format!(
            "jsonencode({{\"username\" = {}, \"password\" = {password}}})",
            hcl_string(username)
        ),
        None => password,
    };
    out.blocks.push((
        "aws_secretsmanager_secret_version",
        format!("{name}_version"),
        object(json!({
            "//": [
                "The generated value is stored in the Terraform state: keep the state encrypted.",
                "ignore_changes: the data source generates a new password on every plan; the first one stays.",
            ],
            "secret_id": format!("${{aws_secretsmanager_secret.{name}.id}}"),
            "secret_string": format!("${{sensitive({value})}}"),
            "lifecycle": { "ignore_changes": ["secret_string"] },
        })),
    ));
    true
}
