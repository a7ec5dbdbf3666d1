//! Values a plan never prints: secrets, decided from the documents and the vendored schema data alone (the
//! plan reads trees of any age, so nothing here may depend on Stackwright's model).
//!
//! A value is secret when
//! - Terraform: the provider schema marks its attribute `sensitive` (`aws_db_instance.password`,
//!   `aws_secretsmanager_secret_version.secret_string`, `aws_ssm_parameter.value`, ...);
//! - CloudFormation: the registry lists its property in `writeOnlyProperties` and the value is a scalar (a
//!   string, a number or an intrinsic function). The registry never returns write-only values, which covers
//!   every secret input (`MasterUserPassword`, `AuthenticateOidcConfig/ClientSecret`); write-only *objects*
//!   such as `AWS::EC2::LaunchTemplate`'s `LaunchTemplateData` are containers whose leaves stay visible,
//!   or the plan could not show a launch template's instance type;
//! - either target: its property name says so (`password`, `MasterUserPassword`, `secret_string`,
//!   `SecretString`, `ClientSecret`, `private_key`, `AuthToken`, ...; not `SecretArn`, `secret_name`,
//!   `PasswordLength`) and the value is a scalar other than a boolean. This catches types without schema
//!   data and raw resources.
//!
//! CloudFormation `NoEcho` parameters and Terraform `sensitive` variables are inputs: the plan names them,
//! never prints their values, and says they are sensitive.

use crate::diff::is_intrinsic;
use crate::{PropertyChange, ResourceChange, Target};
use serde_json::Value as Json;
use stackwright_schema::{cloudformation, terraform, PathMatch};

/// What a plan prints instead of a secret value.
pub(crate) const HIDDEN: &str = "(sensitive)";

/// Replaces every secret inside `change`'s property values with [`HIDDEN`] and marks those changes
/// [`PropertyChange::sensitive`].
pub(crate) fn redact(target: Target, change: &mut ResourceChange) {
    let secrets = Secrets::of(target, &change.type_name);
    for c in &mut change.changes {
        redact_change(&secrets, c);
    }
}

fn redact_change(secrets: &Secrets, c: &mut PropertyChange) {
    let mut hit = false;
    for value in [&mut c.before, &mut c.after].into_iter().flatten() {
        let mut path = c.path.clone();
        hit |= secrets.redact(&mut path, value);
    }
    c.sensitive |= hit;
}

/// The secret-deciding data of one resource type.
struct Secrets {
    target: Target,
    cloudformation: Option<&'static cloudformation::ResourceType>,
    terraform: Option<&'static terraform::ResourceType>,
}

impl Secrets {
    fn of(target: Target, type_name: &str) -> Self {
        Secrets {
            target,
            cloudformation: match target {
                Target::CloudFormation => cloudformation::resource_type(type_name),
                Target::Terraform => None,
            },
            terraform: match target {
                Target::Terraform => terraform::resource_type(type_name),
                Target::CloudFormation => None,
            },
        }
    }

    /// Hides the secrets in `value`, found at `path`; true when it hid any.
    fn redact(&self, path: &mut Vec<String>, value: &mut Json) -> bool {
        if matches!(value, Json::String(s) if s == HIDDEN) {
            return false;
        }
        if self.is_secret(path, value) {
            *value = Json::String(HIDDEN.to_owned());
            return true;
        }
        if is_intrinsic(self.target, Some(value)) {
            return false;
        }
        let mut hit = false;
        match value {
            Json::Object(map) => {
                for (key, v) in map.iter_mut() {
                    path.push(key.clone());
                    hit |= self.redact(path, v);
                    path.pop();
                }
            }
            Json::Array(items) => {
                for (i, v) in items.iter_mut().enumerate() {
                    path.push(i.to_string());
                    hit |= self.redact(path, v);
                    path.pop();
                }
            }
            _ => {}
        }
        hit
    }

    fn is_secret(&self, path: &[String], value: &Json) -> bool {
        let scalar = match value {
            Json::Object(_) => is_intrinsic(self.target, Some(value)),
            Json::Array(_) => false,
            _ => true,
        };
        if let Some(t) = self.terraform {
            let marked = t
                .attribute(path)
                .and_then(|a| a.get("sensitive"))
                .and_then(Json::as_bool);
            if marked == Some(true) {
                return true;
            }
        }
        if let Some(t) = self.cloudformation {
            let write_only = t
                .write_only_properties()
                .iter()
                .any(|p| p.segments().len() == path.len() && p.matches(path) == PathMatch::Covers);
            if write_only && scalar {
                return true;
            }
        }
        scalar && !value.is_boolean() && path.last().is_some_and(|name| secret_name(name))
    }
}

/// Whether a property name says it holds a secret: `MasterUserPassword`, `password`, `secret_string`,
/// `ClientSecret`, `private_key`, ... but not the names of references to secrets (`SecretArn`,
/// `secret_id`, `SecretName`) or of their settings (`PasswordLength`).
pub(crate) fn secret_name(name: &str) -> bool {
    let folded: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    const SECRET: &[&str] = &[
        "password",
        "passwd",
        "passphrase",
        "secret",
        "privatekey",
        "authtoken",
        "apikey",
        "accesstoken",
    ];
    const REFERENCE: &[&str] = &[
        "arn", "arns", "id", "ids", "name", "names", "length", "version", "versions", "type",
        "policy", "rotation",
    ];
    SECRET.iter().any(|s| folded.contains(s)) && !REFERENCE.iter().any(|r| folded.ends_with(r))
}

/// Whether an input definition declares its value secret: CloudFormation `NoEcho`, Terraform
/// `sensitive`.
pub(crate) fn input_is_secret(target: Target, definition: &Json) -> bool {
    let key = match target {
        Target::CloudFormation => "NoEcho",
        Target::Terraform => "sensitive",
    };
    match definition.get(key) {
        Some(Json::Bool(b)) => *b,
        // CloudFormation accepts the strings "true" and "false" too.
        Some(Json::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_secrets_and_of_references_to_them() {
        for name in [
            "MasterUserPassword",
            "password",
            "secret_string",
            "SecretString",
            "ClientSecret",
            "client_secret",
            "private_key",
            "AuthToken",
            "TdeCredentialPassword",
        ] {
            assert!(secret_name(name), "{name}");
        }
        for name in [
            "SecretArn",
            "secret_id",
            "SecretName",
            "PasswordLength",
            "kms_key_id",
            "InstanceType",
            "MasterUserSecretKmsKeyId",
        ] {
            assert!(!secret_name(name), "{name}");
        }
    }
}
