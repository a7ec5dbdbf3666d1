//! Relational Database Service. The master password is `manage_master_user_password`: RDS generates it
//! and keeps it in Secrets Manager, so it is neither in the artifact nor in the Terraform state.

use super::{Attrs, Secondary, Service};
use serde_json::Value as Json;
use stackwright_aws::kinds;
use stackwright_core::{Expr, RemovalPolicy, Value};

pub(super) const SERVICE: Service = Service {
    block_type,
    lower,
    attribute,
};

fn block_type(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        kinds::RDS_DB_INSTANCE => ("aws_db_instance", false),
        _ => return None,
    })
}

fn attribute(kind: &str, attr: &str) -> Option<&'static str> {
    Some(match (kind, attr) {
        (kinds::RDS_DB_INSTANCE, "address") => "address",
        (kinds::RDS_DB_INSTANCE, "port") => "port",
        (kinds::RDS_DB_INSTANCE, "arn") => "arn",
        (kinds::RDS_DB_INSTANCE, "identifier") => "identifier",
        (kinds::RDS_DB_INSTANCE, "resource_id") => "resource_id",
        (kinds::RDS_DB_INSTANCE, "master_user_secret_arn") => "master_user_secret[0].secret_arn",
        _ => return None,
    })
}

fn lower(_: &str, a: &mut Attrs, _: &mut Secondary) -> bool {
    let resource = a.resource;
    match resource.kind {
        kinds::RDS_DB_INSTANCE => {
            a.physical_name("identifier");
            a.copy("engine", "engine");
            a.copy("engine_version", "engine_version");
            a.copy("instance_class", "instance_class");
            a.copy("db_subnet_group_name", "db_subnet_group_name");
            a.copy("security_group_ids", "vpc_security_group_ids");
            a.copy("database_name", "db_name");
            a.copy("allocated_storage_gib", "allocated_storage");
            a.copy("max_allocated_storage_gib", "max_allocated_storage");
            a.copy("port", "port");
            a.copy("storage_type", "storage_type");
            a.copy("storage_encrypted", "storage_encrypted");
            a.copy("kms_key_id", "kms_key_id");
            a.copy("master_username", "username");
            a.copy("manage_master_user_password", "manage_master_user_password");
            a.copy("kms_key_id", "master_user_secret_kms_key_id");
            a.copy("multi_az", "multi_az");
            a.copy("publicly_accessible", "publicly_accessible");
            a.copy("backup_retention_days", "backup_retention_period");
            a.copy("deletion_protection", "deletion_protection");
            a.skip_protection_check("CKV_AWS_293");
            a.copy("iam_authentication", "iam_database_authentication_enabled");
            a.copy("copy_tags_to_snapshot", "copy_tags_to_snapshot");
            a.copy("auto_minor_version_upgrade", "auto_minor_version_upgrade");
            a.copy("log_exports", "enabled_cloudwatch_logs_exports");
            if resource
                .get("performance_insights_retention_days")
                .is_some()
            {
                a.insert("performance_insights_enabled", Json::Bool(true));
                a.copy(
                    "performance_insights_retention_days",
                    "performance_insights_retention_period",
                );
                a.copy("kms_key_id", "performance_insights_kms_key_id");
            }
            a.copy("monitoring_interval", "monitoring_interval");
            a.copy("monitoring_role_arn", "monitoring_role_arn");
            // Terraform's counterpart of CloudFormation's `DeletionPolicy: Snapshot`: a destroy that
            // gets past `prevent_destroy` still leaves a final snapshot.
            if resource.removal_policy == RemovalPolicy::Destroy {
                a.insert("skip_final_snapshot", Json::Bool(true));
            } else {
                a.insert("skip_final_snapshot", Json::Bool(false));
                let name = snapshot_identifier(&a.lowering.required_name(resource));
                a.insert("final_snapshot_identifier", Json::String(name));
            }
            let engine = resource.get("engine").and_then(Value::as_expr);
            if engine.and_then(Expr::as_literal) == Some("postgres") {
                a.checkov_skip(
                    "CKV2_AWS_30",
                    "query logging (`log_statement`) is a DB parameter group setting, which this \
                     builder does not manage; the postgresql log is exported to CloudWatch Logs",
                );
            }
            if resource.get("multi_az").and_then(Value::as_bool) != Some(true) {
                a.checkov_skip(
                    "CKV_AWS_157",
                    "a standby doubles the cost: opt in with `.multi_az(true)`",
                );
            }
            a.tags();
        }
        _ => return false,
    }
    true
}

/// A DB snapshot identifier from a physical name: letters, digits and single hyphens, starting with a
/// letter, not ending with a hyphen, at most 255 characters.
fn snapshot_identifier(name: &str) -> String {
    let mut out = String::new();
    for c in format!("{name}-final").chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '-' };
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
    }
    out.truncate(255);
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn snapshot_identifiers() {
        assert_eq!(
            super::snapshot_identifier("app-prod--eu-main-Orders_Db"),
            "app-prod-eu-main-Orders-Db-final"
        );
    }
}
