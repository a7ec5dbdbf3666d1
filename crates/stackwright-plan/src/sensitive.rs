//! Values a plan never prints: secrets, decided from the documents and the vendored schema data alone (the
//! plan reads trees of any age, so nothing here may depend on Stackwright's model).
//!
//! A value is secret when
//! - Terraform: the provider schema marks its attribute `sensitive` (`aws_db_instance.password`,
//!   `aws_secretsmanager_secret_version.secret_string`, `aws_ssm_parameter.value`,
//!   `aws_kms_ciphertext.plaintext`, ...: every type of the provider, vendored or not), or the registry
//!   lists the property an awscc attribute stands for as write-only;
//! - CloudFormation: the registry lists its property in `writeOnlyProperties` (the vendored schemas, and
//!   every registry type's paths for the types generated builders cover) and the value is a scalar (a
//!   string, a number or an intrinsic function). The registry never returns write-only values, which covers
//!   every secret input (`MasterUserPassword`, `AuthenticateOidcConfig/ClientSecret`,
//!   `AuthParameters/ApiKeyAuthParameters/ApiKeyValue`); write-only *objects* such as
//!   `AWS::EC2::LaunchTemplate`'s `LaunchTemplateData` are containers whose leaves stay visible, or the
//!   plan could not show a launch template's instance type;
//! - either target: its name says so, by the rules of `stackwright_schema::secrets` (a property such as
//!   `password`, `MasterUserPassword`, `ClientSecret`, `private_key`, `AuthToken`; a map entry such as the
//!   environment variable `API_TOKEN`, `apiKey` or `key`; the value of a `{Name, Value}` pair named so,
//!   such as an ECS container's `DB_PASSWORD`; JSON text holding such a key), and the value is a scalar
//!   other than a boolean. This catches types without schema data and raw resources.
//!
//! CloudFormation `NoEcho` parameters, Terraform `sensitive` variables and inputs whose name names a
//! secret are inputs: the plan names them, never prints their values, and says they are sensitive.

use crate::diff::is_intrinsic;
use crate::{ResourceChange, Target};
use serde_json::Value as Json;
use stackwright_schema::secrets::{self, NameKind, Style};
use stackwright_schema::{cloudformation, registry, terraform, PathMatch, PropertyPath};
use std::collections::HashSet;

/// What a plan prints instead of a secret value.
pub(crate) const HIDDEN: &str = "(sensitive)";

/// Replaces every secret inside `change`'s property values with [`HIDDEN`] and marks those changes
/// [`PropertyChange::sensitive`]. `before` and `after` are the resource's properties (CloudFormation) or
/// body (Terraform) on each side, where a `{Name, Value}` pair's name is read.
pub(crate) fn redact(
    target: Target,
    change: &mut ResourceChange,
    before: Option<&Json>,
    after: Option<&Json>,
) {
    let secrets = Secrets::of(target, &change.type_name);
    let spots = [before, after].map(|side| secrets.spots(side));
    for c in &mut change.changes {
        let mut hit = false;
        for (value, spots) in [&mut c.before, &mut c.after].into_iter().zip(&spots) {
            if let Some(value) = value {
                let mut path = c.path.clone();
                hit |= secrets.redact(&mut path, value, spots);
            }
        }
        c.sensitive |= hit;
    }
}

/// The secret-deciding data of one resource type.
struct Secrets {
    target: Target,
    cloudformation: Option<&'static cloudformation::ResourceType>,
    terraform: Option<&'static terraform::ResourceType>,
    /// Secret paths from lists beyond the vendored schemas: the write-only paths of a registry type
    /// (CloudFormation registry paths, or the awscc attribute paths of an `awscc_*` type), or the
    /// provider's `sensitive` attributes of any Terraform type.
    listed: &'static [PropertyPath],
}

impl Secrets {
    fn of(target: Target, type_name: &str) -> Self {
        let cloudformation = match target {
            Target::CloudFormation => cloudformation::resource_type(type_name),
            Target::Terraform => None,
        };
        let listed = match target {
            Target::CloudFormation if cloudformation.is_none() => {
                registry::by_cloudformation(type_name).map(|r| r.write_only_properties())
            }
            Target::Terraform => registry::by_awscc(type_name)
                .map(|r| r.awscc_write_only_paths())
                .or(Some(terraform::sensitive_paths(type_name, false))),
            Target::CloudFormation => None,
        };
        Secrets {
            target,
            cloudformation,
            terraform: match target {
                Target::Terraform => terraform::resource_type(type_name),
                Target::CloudFormation => None,
            },
            listed: listed.unwrap_or_default(),
        }
    }

    fn style(&self) -> Style {
        match self.target {
            Target::CloudFormation => Style::Pascal,
            Target::Terraform => Style::Snake,
        }
    }

    /// The paths of the secrets `stackwright_schema::secrets::find` finds by their names in one side's
    /// properties: what a `{Name, Value}` pair's name or JSON text makes secret is known only there.
    fn spots(&self, properties: Option<&Json>) -> HashSet<Vec<String>> {
        let Some(properties) = properties else {
            return HashSet::new();
        };
        let target = self.target;
        let mut found = Vec::new();
        let tree = secrets::JsonTree {
            value: properties,
            is_reference: &|v| is_intrinsic(target, Some(v)),
        };
        secrets::find(tree, self.style(), &mut found);
        found.into_iter().map(|spot| spot.path).collect()
    }

    /// Hides the secrets in `value`, found at `path`; true when it hid any.
    fn redact(
        &self,
        path: &mut Vec<String>,
        value: &mut Json,
        spots: &HashSet<Vec<String>>,
    ) -> bool {
        if matches!(value, Json::String(s) if s == HIDDEN) {
            return false;
        }
        if spots.contains(path.as_slice()) || self.is_secret(path, value) {
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
                    hit |= self.redact(path, v, spots);
                    path.pop();
                }
            }
            Json::Array(items) => {
                for (i, v) in items.iter_mut().enumerate() {
                    path.push(i.to_string());
                    hit |= self.redact(path, v, spots);
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
        let write_only = self
            .cloudformation
            .map(|t| t.write_only_properties())
            .unwrap_or_default()
            .iter()
            .chain(self.listed)
            .any(|p| {
                let segments = match p.style() {
                    // Terraform paths do not write list indices.
                    stackwright_schema::PathStyle::Implicit => {
                        path.iter().filter(|s| !is_index(s)).count()
                    }
                    stackwright_schema::PathStyle::Explicit => path.len(),
                };
                p.segments().len() == segments && p.matches(path) == PathMatch::Covers
            });
        if write_only && scalar && !path.last().is_some_and(|name| names_a_location(name)) {
            return true;
        }
        scalar
            && !value.is_boolean()
            && path
                .last()
                .is_some_and(|name| self.names_secret(path, name))
    }

    /// Whether the key `name` at the end of `path` names a secret: as an entry where the Terraform
    /// schema says its parent is a map (`environment.variables`), else as its spelling says.
    fn names_secret(&self, path: &[String], name: &str) -> bool {
        let parent = &path[..path.len() - 1];
        let map = self
            .terraform
            .and_then(|t| t.attribute(parent))
            .and_then(|a| a.get("type"))
            .and_then(|ty| ty.get(0))
            .is_some_and(|kind| kind == "map");
        let kind = if map {
            NameKind::Entry
        } else {
            self.style().kind_of(name)
        };
        secrets::names_secret(name, kind)
    }
}

fn is_index(segment: &str) -> bool {
    !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit())
}

/// Whether an input declares its value secret (CloudFormation `NoEcho`, Terraform `sensitive`), or its
/// name names one (`DbPassword`, `var.api_token`).
pub(crate) fn input_is_secret(target: Target, name: &str, definition: &Json) -> bool {
    let shown = name.strip_prefix("var.").unwrap_or(name);
    secrets::names_secret(shown, NameKind::Entry) || declared_secret(target, definition)
}

fn declared_secret(target: Target, definition: &Json) -> bool {
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

/// Write-only properties that say where content is, not what it is: the registry marks them write-only
/// because the service cannot read them back (a Lambda function's `Code/S3Key`), not because they are
/// secret. They stay visible so that a code change shows as its old and new content-addressed key.
fn names_a_location(name: &str) -> bool {
    const LOCATIONS: [&str; 8] = [
        "S3Bucket",
        "S3Key",
        "S3ObjectVersion",
        "ImageUri",
        "s3_bucket",
        "s3_key",
        "s3_object_version",
        "image_uri",
    ];
    LOCATIONS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_secrets_by_the_spelling_of_each_target() {
        let cfn = Secrets::of(Target::CloudFormation, "AWS::Lambda::Function");
        let tf = Secrets::of(Target::Terraform, "aws_lambda_function");
        let path = |p: &str| p.split('/').map(str::to_owned).collect::<Vec<_>>();
        for (secrets, p) in [
            (&cfn, "Environment/Variables/API_TOKEN"),
            (&cfn, "Environment/Variables/key"),
            (&cfn, "MasterUserPassword"),
            (&tf, "environment/0/variables/key"),
            (&tf, "environment/0/variables/apiKey"),
            (&tf, "password"),
        ] {
            let p = path(p);
            assert!(secrets.names_secret(&p, p.last().unwrap()), "{p:?}");
        }
        for (secrets, p) in [
            (&cfn, "Code/S3Key"),
            (&cfn, "Environment/Variables/TABLE_NAME"),
            (&cfn, "KmsKeyArn"),
            (&tf, "s3_key"),
            (&tf, "environment/0/variables/QUEUE_URL"),
        ] {
            let p = path(p);
            assert!(!secrets.names_secret(&p, p.last().unwrap()), "{p:?}");
        }
    }
}
