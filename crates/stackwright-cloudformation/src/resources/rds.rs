//! Relational Database Service. The master password is `ManageMasterUserPassword`: RDS generates it and
//! keeps it in Secrets Manager, so it never appears in the template.

use super::{Attribute, Lowering, Props, Secondary, Service};
use serde_json::{json, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::Value;

pub(super) const SERVICE: Service = Service { lower, attribute };

fn attribute(kind: &str, attr: &str) -> Option<Attribute> {
    Some(match (kind, attr) {
        (kinds::RDS_DB_INSTANCE, "identifier") => Attribute::Ref,
        (kinds::RDS_DB_INSTANCE, "address") => Attribute::GetAtt("Endpoint.Address"),
        (kinds::RDS_DB_INSTANCE, "port") => Attribute::GetAtt("Endpoint.Port"),
        (kinds::RDS_DB_INSTANCE, "arn") => Attribute::GetAtt("DBInstanceArn"),
        (kinds::RDS_DB_INSTANCE, "resource_id") => Attribute::GetAtt("DbiResourceId"),
        (kinds::RDS_DB_INSTANCE, "master_user_secret_arn") => {
            Attribute::GetAtt("MasterUserSecret.SecretArn")
        }
        _ => return None,
    })
}

fn lower(_: &Lowering, _: &str, p: &mut Props, _: &mut Secondary) -> Option<&'static str> {
    let resource = p.resource;
    Some(match resource.kind {
        kinds::RDS_DB_INSTANCE => {
            p.physical_name("DBInstanceIdentifier");
            p.copy("engine", "Engine");
            p.copy("engine_version", "EngineVersion");
            p.copy("instance_class", "DBInstanceClass");
            p.copy("db_subnet_group_name", "DBSubnetGroupName");
            p.copy("security_group_ids", "VPCSecurityGroups");
            p.copy("database_name", "DBName");
            // The registry schema types these as digit strings.
            for (from, to) in [
                ("allocated_storage_gib", "AllocatedStorage"),
                ("port", "Port"),
            ] {
                if let Some(v) = resource.get(from).and_then(Value::as_int) {
                    p.insert(to, Json::String(v.to_string()));
                }
            }
            p.copy("max_allocated_storage_gib", "MaxAllocatedStorage");
            p.copy("storage_type", "StorageType");
            p.copy("storage_encrypted", "StorageEncrypted");
            p.copy("kms_key_id", "KmsKeyId");
            p.copy("master_username", "MasterUsername");
            p.copy("manage_master_user_password", "ManageMasterUserPassword");
            if let Some(key) = resource.get("kms_key_id") {
                let key = p.value(key);
                p.insert("MasterUserSecret", json!({ "KmsKeyId": key }));
            }
            p.copy("multi_az", "MultiAZ");
            p.copy("publicly_accessible", "PubliclyAccessible");
            p.copy("backup_retention_days", "BackupRetentionPeriod");
            p.copy("deletion_protection", "DeletionProtection");
            p.copy("iam_authentication", "EnableIAMDatabaseAuthentication");
            p.copy("copy_tags_to_snapshot", "CopyTagsToSnapshot");
            p.copy("auto_minor_version_upgrade", "AutoMinorVersionUpgrade");
            p.copy("log_exports", "EnableCloudwatchLogsExports");
            if let Some(days) = resource.get("performance_insights_retention_days") {
                let days = p.value(days);
                p.insert("EnablePerformanceInsights", Json::Bool(true));
                p.insert("PerformanceInsightsRetentionPeriod", days);
                p.copy("kms_key_id", "PerformanceInsightsKMSKeyId");
            }
            p.copy("monitoring_interval", "MonitoringInterval");
            p.copy("monitoring_role_arn", "MonitoringRoleArn");
            if resource.get("multi_az").and_then(Value::as_bool) != Some(true) {
                p.checkov_skip(
                    "CKV_AWS_157",
                    "a standby doubles the cost: opt in with `.multi_az(true)`",
                );
            }
            "AWS::RDS::DBInstance"
        }
        _ => return None,
    })
}
