//! DynamoDB tables.

use crate::cloudwatch::Metric;
use crate::handle::{attr_handle, common_setters, patchable};
use crate::iam::{Grantee, RolePolicy, Statement};
use crate::kms::{key_use, KeyHandle, DECRYPT_ACTIONS, ENCRYPT_DECRYPT_ACTIONS};
use crate::naming::physical_name;
use crate::construct::{object, Attribute, Form, Read, Spelling};
use crate::{construct, kinds, Handle};
use stackwright_core::{interpolate, Declare, Expr, RemovalPolicy, Resource, ResourceRef, Value};

/// The type of a key attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttributeType {
    String,
    Number,
    Binary,
}

/// A key attribute: its name and type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    name: String,
    attribute_type: AttributeType,
}

impl Key {
    pub fn string(name: impl Into<String>) -> Self {
        Self::new(name.into(), AttributeType::String)
    }

    pub fn number(name: impl Into<String>) -> Self {
        Self::new(name.into(), AttributeType::Number)
    }

    pub fn binary(name: impl Into<String>) -> Self {
        Self::new(name.into(), AttributeType::Binary)
    }

    fn new(name: String, attribute_type: AttributeType) -> Self {
        Key {
            name,
            attribute_type,
        }
    }

    fn to_value(&self) -> Value {
        let code = match self.attribute_type {
            AttributeType::String => "S",
            AttributeType::Number => "N",
            AttributeType::Binary => "B",
        };
        Value::Map(vec![
            ("name".into(), Value::from(self.name.as_str())),
            ("type".into(), Value::from(code)),
        ])
    }
}

/// A table, billed per request unless `.provisioned(..)`. Secure by default: encrypted with KMS (the AWS
/// managed key, or `.encryption_key(&key)`), point-in-time recovery on
/// (`disable_point_in_time_recovery_insecure`), deletion protection on
/// (`disable_deletion_protection_insecure`), and kept when removed from the definition
/// (`RemovalPolicy::Retain`).
///
/// Terraform needs a name: without `.name(...)` it is `<app>-<environment>-<stack>-<id>`; CloudFormation
/// generates one.
pub struct Table {
    resource: Resource,
    kms_key: Option<Expr>,
}

impl Table {
    #[track_caller]
    pub fn new(id: impl Into<String>, partition_key: Key) -> Self {
        let mut resource = Resource::new(id, kinds::DYNAMODB_TABLE);
        check_attribute_name(&mut resource, &partition_key.name);
        resource.set("partition_key", partition_key.to_value());
        resource.set("billing_mode", "PAY_PER_REQUEST");
        resource.set("point_in_time_recovery", true);
        resource.set("deletion_protection", true);
        resource.removal_policy = RemovalPolicy::Retain;
        Table {
            resource,
            kms_key: None,
        }
    }

    /// Adds a sort key; changing it replaces the table.
    pub fn sort_key(mut self, key: Key) -> Self {
        check_attribute_name(&mut self.resource, &key.name);
        let partition = self
            .resource
            .get("partition_key")
            .and_then(|k| k.get("name"));
        if partition
            .and_then(Value::as_expr)
            .and_then(Expr::as_literal)
            == Some(key.name.as_str())
        {
            self.resource.problems.push(format!(
                "sort key `{}` is also the partition key: expected two different attributes",
                key.name
            ));
        }
        self.resource.set("sort_key", key.to_value());
        self
    }

    /// Provisioned capacity (read and write capacity units, each at least 1) instead of paying per request.
    pub fn provisioned(mut self, read_capacity: i64, write_capacity: i64) -> Self {
        if read_capacity < 1 || write_capacity < 1 {
            self.resource.problems.push(format!(
                "provisioned capacity {read_capacity} read, {write_capacity} write: expected at least 1 each"
            ));
        }
        self.resource.set("billing_mode", "PROVISIONED");
        self.resource.set("read_capacity", read_capacity);
        self.resource.set("write_capacity", write_capacity);
        self
    }

    /// Deletes items once the time (epoch seconds) in `attribute` has passed.
    pub fn time_to_live_attribute(mut self, attribute: impl Into<String>) -> Self {
        let attribute = attribute.into();
        check_attribute_name(&mut self.resource, &attribute);
        self.resource.set("ttl_attribute", attribute);
        self
    }

    /// Encrypts with a customer managed key instead of the AWS managed `aws/dynamodb` key.
    pub fn encryption_key(mut self, key: &KeyHandle) -> Self {
        self.kms_key = Some(key.arn());
        self.resource.set("kms_key_arn", key.arn());
        self
    }

    /// Opt-out of point-in-time recovery: the table can then only be restored from explicit backups.
    pub fn disable_point_in_time_recovery_insecure(mut self) -> Self {
        self.resource.set("point_in_time_recovery", false);
        self
    }

    /// Opt-out of deletion protection: a delete call (or a plan) can then remove the table and its items.
    pub fn disable_deletion_protection_insecure(mut self) -> Self {
        self.resource.set("deletion_protection", false);
        self.resource.removal_chosen = true;
        self
    }
}
common_setters!(Table, taggable, stateful);
patchable!(Table, TABLE);
physical_name!(Table);

fn check_attribute_name(resource: &mut Resource, name: &str) {
    if name.is_empty() || name.len() > 255 {
        resource.problems.push(format!(
            "attribute name `{name}`: expected 1 to 255 characters"
        ));
    }
}

attr_handle!(
    /// A declared table.
    TableHandle {
        arn: "arn",
        /// The table's name.
        name: "name",
    } id: String, kms_key: Option<Expr>
);

impl TableHandle {
    /// A metric of the table, e.g. `table.metric("ConsumedReadCapacityUnits")`, for alarms.
    pub fn metric(&self, name: &str) -> Metric {
        Metric::new("AWS/DynamoDB", name).dimension("TableName", self.name())
    }

    /// Lets `role` read items (get, query, scan), also through indexes.
    #[track_caller]
    pub fn grant_read(&self, role: &impl Grantee) -> RolePolicy {
        let role = role.grantee_role();
        let mut statements = vec![Statement::allow()
            .actions(READ_ACTIONS)
            .resources(self.arns())];
        statements.extend(key_use(self.kms_key.as_ref(), &DECRYPT_ACTIONS));
        RolePolicy::grant(role, &self.id, "Read", statements)
    }

    /// Lets `role` read and write items.
    #[track_caller]
    pub fn grant_read_write(&self, role: &impl Grantee) -> RolePolicy {
        let role = role.grantee_role();
        let mut statements = vec![Statement::allow()
            .actions(READ_ACTIONS.iter().chain(&WRITE_ACTIONS).copied())
            .resources(self.arns())];
        statements.extend(key_use(self.kms_key.as_ref(), &ENCRYPT_DECRYPT_ACTIONS));
        RolePolicy::grant(role, &self.id, "ReadWrite", statements)
    }

    /// The table and its indexes.
    fn arns(&self) -> [Expr; 2] {
        [self.arn(), interpolate![self.arn(), "/index/*"]]
    }
}

const READ_ACTIONS: [&str; 6] = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
];
const WRITE_ACTIONS: [&str; 4] = [
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
];

impl Declare for Table {
    type Handle = TableHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, TableHandle) {
        let (cfn, tf) = forms(&self.resource);
        construct::finish(&mut self.resource, cfn, tf);
        let handle = TableHandle {
            handle: Handle(at),
            id: self.resource.id.clone(),
            kms_key: self.kms_key,
        };
        (self.resource, handle)
    }
}

/// A table in each target.
pub(crate) static TABLE: Spelling = Spelling {
    kind: kinds::DYNAMODB_TABLE,
    cloudformation: "AWS::DynamoDB::Table",
    terraform: "aws_dynamodb_table",
    terraform_tags: true,
    attributes: &[
        Attribute::new("name", Read::Ref, "name"),
        Attribute::new("arn", Read::GetAtt("Arn"), "arn"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// Why a table without a customer managed key is not a finding.
const AWS_MANAGED_KEY: &str = "encrypted with the AWS managed key aws/dynamodb; opt in to a customer \
     managed key with `.encryption_key(&key)`";

/// The table's properties in each target, from the builder's own.
fn forms(table: &Resource) -> (Form, Form) {
    let mut cfn = Form::new();
    let mut tf = Form::new();
    cfn.physical_name("TableName");
    // The provider requires a name, which CloudFormation would generate.
    tf.required_name("name");
    tf.copy(table, "billing_mode", "billing_mode");
    let mut schema = Vec::new();
    let mut definitions = Vec::new();
    let mut attributes = Vec::new();
    for (key, key_type, to) in [
        ("partition_key", "HASH", "hash_key"),
        ("sort_key", "RANGE", "range_key"),
    ] {
        let Some(key) = table.get(key) else {
            continue;
        };
        let (Some(name), Some(attribute_type)) = (key.get("name"), key.get("type")) else {
            continue;
        };
        schema.push(object(&[
            ("AttributeName", name.clone()),
            ("KeyType", key_type.into()),
        ]));
        definitions.push(object(&[
            ("AttributeName", name.clone()),
            ("AttributeType", attribute_type.clone()),
        ]));
        tf.set(to, name.clone());
        attributes.push(object(&[
            ("name", name.clone()),
            ("type", attribute_type.clone()),
        ]));
    }
    cfn.set("KeySchema", Value::List(schema))
        .set("AttributeDefinitions", Value::List(definitions))
        .copy(table, "billing_mode", "BillingMode");
    tf.set("attribute", Value::List(attributes))
        .copy(table, "read_capacity", "read_capacity")
        .copy(table, "write_capacity", "write_capacity");
    if let (Some(read), Some(write)) = (table.get("read_capacity"), table.get("write_capacity")) {
        cfn.set(
            "ProvisionedThroughput",
            object(&[
                ("ReadCapacityUnits", read.clone()),
                ("WriteCapacityUnits", write.clone()),
            ]),
        );
    }
    match table.get("kms_key_arn") {
        Some(key) => {
            cfn.set(
                "SSESpecification",
                object(&[
                    ("SSEEnabled", true.into()),
                    ("SSEType", "KMS".into()),
                    ("KMSMasterKeyId", key.clone()),
                ]),
            );
            tf.set(
                "server_side_encryption",
                object(&[("enabled", true.into()), ("kms_key_arn", key.clone())]),
            );
        }
        None => {
            cfn.set("SSESpecification", object(&[("SSEEnabled", true.into())]))
                .checkov_skip("CKV_AWS_119", AWS_MANAGED_KEY);
            tf.checkov_skip("CKV_AWS_119", AWS_MANAGED_KEY)
                .set("server_side_encryption", object(&[("enabled", true.into())]));
        }
    }
    if let Some(enabled) = table.get("point_in_time_recovery").and_then(Value::as_bool) {
        cfn.set(
            "PointInTimeRecoverySpecification",
            object(&[("PointInTimeRecoveryEnabled", enabled.into())]),
        );
        tf.set(
            "point_in_time_recovery",
            object(&[("enabled", enabled.into())]),
        );
    }
    cfn.deletion_protection("DeletionProtectionEnabled");
    tf.deletion_protection("deletion_protection_enabled");
    if let Some(attribute) = table.get("ttl_attribute") {
        cfn.set(
            "TimeToLiveSpecification",
            object(&[
                ("AttributeName", attribute.clone()),
                ("Enabled", true.into()),
            ]),
        );
        tf.set(
            "ttl",
            object(&[("attribute_name", attribute.clone()), ("enabled", true.into())]),
        );
    }
    (cfn, tf)
}
