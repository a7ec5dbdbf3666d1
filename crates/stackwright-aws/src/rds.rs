//! Relational Database Service: DB instances and the subnet groups they live in.

use crate::cloudwatch::Metric;
use crate::ec2::{SecurityGroupHandle, SubnetHandle};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{Grantee, RoleHandle, RolePolicy, Statement};
use crate::kms::{key_use, KeyHandle, DECRYPT_ACTIONS};
use crate::naming::physical_name;
use crate::construct::{object, Attribute, Form, Network, Reach, Read, Spelling};
use crate::{arn, construct, kinds, secretsmanager, Handle};
use stackwright_core::{interpolate, Declare, Expr, RemovalPolicy, Resource, ResourceRef, Value};

/// The subnets (in at least two availability zones) a DB instance can be placed in.
pub struct DbSubnetGroup {
    resource: Resource,
}

impl DbSubnetGroup {
    #[track_caller]
    pub fn new(
        id: impl Into<String>,
        description: impl Into<String>,
        subnets: &[&SubnetHandle],
    ) -> Self {
        let mut resource = Resource::new(id, kinds::RDS_DB_SUBNET_GROUP);
        let description = description.into();
        if description.is_empty() || description.len() > 255 {
            resource.problems.push(format!(
                "DB subnet group description `{description}`: expected 1 to 255 characters"
            ));
        }
        if subnets.len() < 2 {
            resource.problems.push(format!(
                "DB subnet group has {} subnet(s): expected at least 2, in different availability zones",
                subnets.len()
            ));
        }
        resource.set("description", description);
        let ids = subnets.iter().map(|s| Value::Str(s.id())).collect();
        resource.set("subnet_ids", Value::List(ids));
        DbSubnetGroup { resource }
    }
}
common_setters!(DbSubnetGroup, taggable);
patchable!(DbSubnetGroup, DB_SUBNET_GROUP);
physical_name!(DbSubnetGroup);

attr_handle!(
    /// A declared DB subnet group.
    DbSubnetGroupHandle {
        name: "name",
    }
);

impl Declare for DbSubnetGroup {
    type Handle = DbSubnetGroupHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, DbSubnetGroupHandle) {
        let group = &self.resource;
        let mut cfn = Form::new();
        cfn.copy(group, "description", "DBSubnetGroupDescription")
            .physical_name("DBSubnetGroupName")
            .copy(group, "subnet_ids", "SubnetIds");
        let mut tf = Form::new();
        tf.copy(group, "description", "description")
            .physical_name("name")
            .copy(group, "subnet_ids", "subnet_ids");
        construct::finish(&mut self.resource, cfn, tf);
        (self.resource, DbSubnetGroupHandle { handle: Handle(at) })
    }
}

/// A DB subnet group in each target.
pub(crate) static DB_SUBNET_GROUP: Spelling = Spelling {
    kind: kinds::RDS_DB_SUBNET_GROUP,
    cloudformation: "AWS::RDS::DBSubnetGroup",
    terraform: "aws_db_subnet_group",
    terraform_tags: true,
    attributes: &[Attribute::new("name", Read::Ref, "name")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A database engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Postgres,
    MySql,
    MariaDb,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::MySql => "mysql",
            Engine::MariaDb => "mariadb",
        }
    }

    /// Logs worth exporting to CloudWatch Logs that need no option group.
    fn log_exports(self) -> &'static [&'static str] {
        match self {
            Engine::Postgres => &["postgresql", "upgrade"],
            Engine::MySql | Engine::MariaDb => &["error", "general", "slowquery"],
        }
    }
}

/// A DB instance. Secure by default, each with a named opt-out:
/// - storage encrypted (with `.encryption_key(&key)`, a customer managed key);
/// - not reachable from the internet (`allow_public_access_insecure`);
/// - automated backups kept 7 days (`.backup_retention_days(n)` up to 35, `disable_backups_insecure`);
/// - deletion protection (`disable_deletion_protection_insecure`);
/// - IAM database authentication (`disable_iam_authentication`);
/// - the master password generated and kept in Secrets Manager by RDS, never in the artifact;
/// - a final snapshot when removed from the definition (`RemovalPolicy::Snapshot`).
pub struct DbInstance {
    resource: Resource,
    security_groups: Vec<Value>,
}

impl DbInstance {
    /// `instance_class` such as `db.t4g.micro`; `subnet_group` places it in private subnets.
    #[track_caller]
    pub fn new(
        id: impl Into<String>,
        engine: Engine,
        instance_class: impl Into<String>,
        subnet_group: &DbSubnetGroupHandle,
    ) -> Self {
        let mut resource = Resource::new(id, kinds::RDS_DB_INSTANCE);
        let instance_class = instance_class.into();
        if !instance_class.starts_with("db.") || instance_class.len() < 4 {
            resource.problems.push(format!(
                "DB instance class `{instance_class}`: expected a class such as `db.t4g.micro`"
            ));
        }
        resource.set("engine", engine.name());
        resource.set("instance_class", instance_class);
        resource.set("db_subnet_group_name", subnet_group.name());
        resource.set("allocated_storage_gib", 20);
        resource.set("storage_type", "gp3");
        resource.set("storage_encrypted", true);
        resource.set("master_username", "dbadmin");
        resource.set("manage_master_user_password", true);
        resource.set("publicly_accessible", false);
        resource.set("multi_az", false);
        resource.set("backup_retention_days", 7);
        resource.set("deletion_protection", true);
        resource.set("iam_authentication", true);
        resource.set("copy_tags_to_snapshot", true);
        resource.set("auto_minor_version_upgrade", true);
        let exports = engine.log_exports().iter().map(|l| Value::from(*l));
        resource.set("log_exports", Value::List(exports.collect()));
        resource.removal_policy = RemovalPolicy::Snapshot;
        DbInstance {
            resource,
            security_groups: Vec::new(),
        }
    }

    /// The engine version, e.g. `16.4`; unset, RDS picks its default.
    pub fn engine_version(mut self, version: impl Into<String>) -> Self {
        self.resource.set("engine_version", version.into());
        self
    }

    /// Storage size, 20 to 65,536 GiB (20 when unset).
    pub fn allocated_storage_gib(mut self, gib: i64) -> Self {
        if !(20..=65_536).contains(&gib) {
            self.resource.problems.push(format!(
                "allocated storage {gib} GiB: expected 20 to 65536 GiB"
            ));
        }
        self.resource.set("allocated_storage_gib", gib);
        self
    }

    /// Lets storage grow automatically up to `gib`.
    pub fn max_allocated_storage_gib(mut self, gib: i64) -> Self {
        let allocated = self
            .resource
            .get("allocated_storage_gib")
            .and_then(Value::as_int)
            .unwrap_or(20);
        if gib <= allocated || gib > 65_536 {
            self.resource.problems.push(format!(
                "maximum storage {gib} GiB: expected more than the allocated {allocated} GiB and at most 65536"
            ));
        }
        self.resource.set("max_allocated_storage_gib", gib);
        self
    }

    /// Encrypts storage, the managed master password and Performance Insights with a customer managed key.
    pub fn encryption_key(mut self, key: &KeyHandle) -> Self {
        self.resource.set("kms_key_id", key.arn());
        self
    }

    pub fn security_group(mut self, group: &SecurityGroupHandle) -> Self {
        self.security_groups.push(Value::Str(group.id()));
        self
    }

    /// A database created with the instance (letters, digits and `_`, starting with a letter).
    pub fn database_name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if !is_identifier(&name, 63) {
            self.resource.problems.push(format!(
                "database name `{name}`: expected 1 to 63 letters, digits and `_`, starting with a letter"
            ));
        }
        self.resource.set("database_name", name);
        self
    }

    /// The master user's name (`dbadmin` when unset); its password is generated by RDS.
    pub fn master_username(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if !is_identifier(&name, 16) {
            self.resource.problems.push(format!(
                "master username `{name}`: expected 1 to 16 letters, digits and `_`, starting with a letter"
            ));
        }
        self.resource.set("master_username", name);
        self
    }

    /// A standby in another availability zone that takes over on failure.
    pub fn multi_az(mut self, enabled: bool) -> Self {
        self.resource.set("multi_az", enabled);
        self
    }

    pub fn port(mut self, port: u16) -> Self {
        if port < 1150 {
            self.resource
                .problems
                .push(format!("database port {port}: expected 1150 to 65535"));
        }
        self.resource.set("port", i64::from(port));
        self
    }

    /// Days automated backups are kept, 7 to 35.
    pub fn backup_retention_days(mut self, days: i64) -> Self {
        if !(7..=35).contains(&days) {
            self.resource.problems.push(format!(
                "backup retention of {days} days: expected 7 to 35 (`disable_backups_insecure()` turns them off)"
            ));
        }
        self.resource.set("backup_retention_days", days);
        self
    }

    /// Opt-out of automated backups and point-in-time restore.
    pub fn disable_backups_insecure(mut self) -> Self {
        self.resource.set("backup_retention_days", 0);
        self
    }

    /// Opt-out of privacy: gives the instance a public address (its security groups still decide who
    /// connects).
    pub fn allow_public_access_insecure(mut self) -> Self {
        self.resource.set("publicly_accessible", true);
        self
    }

    /// Opt-out of deletion protection: a delete call (or a plan) can then remove the instance.
    pub fn disable_deletion_protection_insecure(mut self) -> Self {
        self.resource.set("deletion_protection", false);
        self.resource.removal_chosen = true;
        self
    }

    /// Password authentication only.
    pub fn disable_iam_authentication(mut self) -> Self {
        self.resource.set("iam_authentication", false);
        self
    }

    /// Performance Insights, keeping data `retention_days` (7, or a multiple of 31 up to 731); encrypted
    /// with the instance's encryption key when it has one.
    pub fn performance_insights(mut self, retention_days: i64) -> Self {
        if !(retention_days == 7
            || retention_days == 731
            || (retention_days % 31 == 0 && (31..=713).contains(&retention_days)))
        {
            self.resource.problems.push(format!(
                "Performance Insights retention of {retention_days} days: expected 7, a multiple of 31 up to 713, or 731"
            ));
        }
        self.resource
            .set("performance_insights_retention_days", retention_days);
        self
    }

    /// Enhanced monitoring every `interval_seconds` (1, 5, 10, 15, 30 or 60), published by `role`
    /// (which RDS assumes: `monitoring.rds.amazonaws.com` with the `AmazonRDSEnhancedMonitoringRole`
    /// managed policy).
    pub fn enhanced_monitoring(mut self, interval_seconds: i64, role: &RoleHandle) -> Self {
        if ![1, 5, 10, 15, 30, 60].contains(&interval_seconds) {
            self.resource.problems.push(format!(
                "enhanced monitoring interval {interval_seconds} s: expected 1, 5, 10, 15, 30 or 60"
            ));
        }
        self.resource.set("monitoring_interval", interval_seconds);
        self.resource.set("monitoring_role_arn", role.arn());
        self
    }
}
common_setters!(DbInstance, taggable, stateful);
patchable!(DbInstance, DB_INSTANCE);
physical_name!(DbInstance);

/// Letters, digits and `_`, starting with a letter, at most `max` characters.
fn is_identifier(name: &str, max: usize) -> bool {
    name.len() <= max
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

attr_handle!(
    /// A declared DB instance.
    DbInstanceHandle {
        /// The DNS name clients connect to.
        address: "address",
        port: "port",
        arn: "arn",
        /// The instance identifier, which CloudWatch metrics are keyed by.
        identifier: "identifier",
        /// The stable resource id (`db-...`) that IAM database authentication policies name.
        resource_id: "resource_id",
        /// The Secrets Manager secret RDS keeps the master password in.
        master_user_secret_arn: "master_user_secret_arn",
    } id: String, kms_key: Option<Expr>
);

impl DbInstanceHandle {
    /// A metric of the instance, e.g. `db.metric("CPUUtilization")`, for alarms.
    pub fn metric(&self, name: &str) -> Metric {
        Metric::new("AWS/RDS", name).dimension("DBInstanceIdentifier", self.identifier())
    }

    /// Lets `role` connect as database user `db_user` with IAM database authentication:
    /// `stack.add(db.grant_connect(&role, "app"))`.
    #[track_caller]
    pub fn grant_connect(&self, role: &impl Grantee, db_user: &str) -> RolePolicy {
        let role = role.grantee_role();
        let user = arn::regional(
            "rds-db",
            interpolate!["dbuser:", self.resource_id(), "/", db_user],
        );
        let statements = vec![Statement::allow().action("rds-db:connect").resource(user)];
        RolePolicy::grant(
            role,
            &format!("{}-{db_user}", self.id),
            "Connect",
            statements,
        )
    }

    /// Lets `role` read the master user's credentials (`{"username": ..., "password": ...}`) from the
    /// secret RDS keeps them in, and decrypt them with the instance's encryption key if it has one:
    /// `stack.add(db.grant_read_master_user_secret(&role))`. The value is read at run time; no artifact
    /// holds it.
    #[track_caller]
    pub fn grant_read_master_user_secret(&self, role: &impl Grantee) -> RolePolicy {
        let role = role.grantee_role();
        let mut statements = vec![Statement::allow()
            .actions(secretsmanager::READ_ACTIONS)
            .resource(self.master_user_secret_arn())];
        statements.extend(key_use(self.kms_key.as_ref(), &DECRYPT_ACTIONS));
        RolePolicy::grant(
            role,
            &format!("{}-MasterUserSecret", self.id),
            "Read",
            statements,
        )
    }
}

impl Declare for DbInstance {
    type Handle = DbInstanceHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, DbInstanceHandle) {
        if !self.security_groups.is_empty() {
            self.resource
                .set("security_group_ids", Value::List(self.security_groups));
        }
        let id = self.resource.id.clone();
        let kms_key = self
            .resource
            .get("kms_key_id")
            .and_then(Value::as_expr)
            .cloned();
        spell_instance(&mut self.resource);
        (
            self.resource,
            DbInstanceHandle {
                handle: Handle(at),
                id,
                kms_key,
            },
        )
    }
}

/// A DB instance in each target. The master password is `ManageMasterUserPassword`
/// (`manage_master_user_password`): RDS generates it and keeps it in Secrets Manager, so it is neither in
/// the artifact nor in the Terraform state.
pub(crate) static DB_INSTANCE: Spelling = Spelling {
    kind: kinds::RDS_DB_INSTANCE,
    cloudformation: "AWS::RDS::DBInstance",
    terraform: "aws_db_instance",
    terraform_tags: true,
    attributes: &[
        Attribute::new("identifier", Read::Ref, "identifier"),
        Attribute::new("address", Read::GetAtt("Endpoint.Address"), "address"),
        Attribute::new("port", Read::GetAtt("Endpoint.Port"), "port"),
        Attribute::new("arn", Read::GetAtt("DBInstanceArn"), "arn"),
        Attribute::new("resource_id", Read::GetAtt("DbiResourceId"), "resource_id"),
        Attribute::new(
            "master_user_secret_arn",
            Read::GetAtt("MasterUserSecret.SecretArn"),
            "master_user_secret[0].secret_arn",
        ),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// Writes the DB instance's forms from the builder's properties.
fn spell_instance(resource: &mut Resource) {
    let db = &*resource;
    let kms_key = db.get("kms_key_id").cloned();
    let insights = db.get("performance_insights_retention_days").cloned();
    let multi_az = db.get("multi_az").and_then(Value::as_bool) == Some(true);
    let protected = db.get("deletion_protection").and_then(Value::as_bool);
    let public = db.get("publicly_accessible").and_then(Value::as_bool);
    const STANDBY: &str = "a standby doubles the cost: opt in with `.multi_az(true)`";

    let mut cfn = Form::new();
    cfn.physical_name("DBInstanceIdentifier")
        .copy(db, "engine", "Engine")
        .copy(db, "engine_version", "EngineVersion")
        .copy(db, "instance_class", "DBInstanceClass")
        .copy(db, "db_subnet_group_name", "DBSubnetGroupName")
        .copy(db, "security_group_ids", "VPCSecurityGroups")
        .copy(db, "database_name", "DBName");
    // The registry schema types these as digit strings.
    for (from, to) in [("allocated_storage_gib", "AllocatedStorage"), ("port", "Port")] {
        if let Some(v) = db.get(from).and_then(Value::as_int) {
            cfn.set(to, v.to_string());
        }
    }
    cfn.copy(db, "max_allocated_storage_gib", "MaxAllocatedStorage")
        .copy(db, "storage_type", "StorageType")
        .copy(db, "storage_encrypted", "StorageEncrypted")
        .copy(db, "kms_key_id", "KmsKeyId")
        .copy(db, "master_username", "MasterUsername")
        .copy(db, "manage_master_user_password", "ManageMasterUserPassword");
    if let Some(key) = &kms_key {
        cfn.set("MasterUserSecret", object(&[("KmsKeyId", key.clone())]));
    }
    cfn.copy(db, "multi_az", "MultiAZ")
        .copy(db, "publicly_accessible", "PubliclyAccessible")
        .copy(db, "backup_retention_days", "BackupRetentionPeriod");
    if protected.is_some() {
        cfn.deletion_protection("DeletionProtection");
    }
    cfn.copy(db, "iam_authentication", "EnableIAMDatabaseAuthentication")
        .copy(db, "copy_tags_to_snapshot", "CopyTagsToSnapshot")
        .copy(db, "auto_minor_version_upgrade", "AutoMinorVersionUpgrade")
        .copy(db, "log_exports", "EnableCloudwatchLogsExports");
    if let Some(days) = &insights {
        cfn.set("EnablePerformanceInsights", true)
            .set("PerformanceInsightsRetentionPeriod", days.clone())
            .copy(db, "kms_key_id", "PerformanceInsightsKMSKeyId");
    }
    cfn.copy(db, "monitoring_interval", "MonitoringInterval")
        .copy(db, "monitoring_role_arn", "MonitoringRoleArn");
    if !multi_az {
        cfn.checkov_skip("CKV_AWS_157", STANDBY);
    }

    let mut tf = Form::new();
    tf.physical_name("identifier")
        .copy(db, "engine", "engine")
        .copy(db, "engine_version", "engine_version")
        .copy(db, "instance_class", "instance_class")
        .copy(db, "db_subnet_group_name", "db_subnet_group_name")
        .copy(db, "security_group_ids", "vpc_security_group_ids")
        .copy(db, "database_name", "db_name")
        .copy(db, "allocated_storage_gib", "allocated_storage")
        .copy(db, "max_allocated_storage_gib", "max_allocated_storage")
        .copy(db, "port", "port")
        .copy(db, "storage_type", "storage_type")
        .copy(db, "storage_encrypted", "storage_encrypted")
        .copy(db, "kms_key_id", "kms_key_id")
        .copy(db, "master_username", "username")
        .copy(db, "manage_master_user_password", "manage_master_user_password")
        .copy(db, "kms_key_id", "master_user_secret_kms_key_id")
        .copy(db, "multi_az", "multi_az")
        .copy(db, "publicly_accessible", "publicly_accessible")
        .copy(db, "backup_retention_days", "backup_retention_period");
    if protected.is_some() {
        tf.deletion_protection("deletion_protection");
    }
    if protected == Some(true) {
        tf.checkov_skip_when_unprotected("CKV_AWS_293");
    }
    tf.copy(db, "iam_authentication", "iam_database_authentication_enabled")
        .copy(db, "copy_tags_to_snapshot", "copy_tags_to_snapshot")
        .copy(db, "auto_minor_version_upgrade", "auto_minor_version_upgrade")
        .copy(db, "log_exports", "enabled_cloudwatch_logs_exports");
    if insights.is_some() {
        tf.set("performance_insights_enabled", true)
            .copy(
                db,
                "performance_insights_retention_days",
                "performance_insights_retention_period",
            )
            .copy(db, "kms_key_id", "performance_insights_kms_key_id");
    }
    tf.copy(db, "monitoring_interval", "monitoring_interval")
        .copy(db, "monitoring_role_arn", "monitoring_role_arn")
        // Terraform's counterpart of CloudFormation's `DeletionPolicy: Snapshot`: a destroy that gets
        // past `prevent_destroy` still leaves a final snapshot.
        .by_removal(
            "skip_final_snapshot",
            Some(Value::Bool(true)),
            Some(Value::Bool(false)),
        )
        .by_removal(
            "final_snapshot_identifier",
            None,
            Some(construct::required_identifier("final")),
        );
    let engine = db.get("engine").and_then(Value::as_expr);
    if engine.and_then(Expr::as_literal) == Some("postgres") {
        tf.checkov_skip(
            "CKV2_AWS_30",
            "query logging (`log_statement`) is a DB parameter group setting, which this builder does \
             not manage; the postgresql log is exported to CloudWatch Logs",
        );
    }
    if !multi_az {
        tf.checkov_skip("CKV_AWS_157", STANDBY);
    }
    construct::finish(resource, cfn, tf);
    // A public instance has a public address in a subnet of its subnet group, which names no VPC here:
    // it waits for every internet gateway of its stack.
    if public == Some(true) {
        construct::set_network(resource, Network::PublicAddress(Reach::Any));
    }
}
