//! Resource types that hold data, and what deleting one loses.

use crate::Target;

/// (CloudFormation type, Terraform type, what deleting it loses).
const STATEFUL: &[(&str, &str, &str)] = &[
    (
        "AWS::RDS::DBInstance",
        "aws_db_instance",
        "the database and its data",
    ),
    (
        "AWS::RDS::DBCluster",
        "aws_rds_cluster",
        "the database cluster and its data",
    ),
    (
        "AWS::S3::Bucket",
        "aws_s3_bucket",
        "the bucket and its objects",
    ),
    (
        "AWS::DynamoDB::Table",
        "aws_dynamodb_table",
        "the table and its items",
    ),
    (
        "AWS::EC2::Volume",
        "aws_ebs_volume",
        "the volume and its data",
    ),
    (
        "AWS::EFS::FileSystem",
        "aws_efs_file_system",
        "the file system and its files",
    ),
    (
        "AWS::KMS::Key",
        "aws_kms_key",
        "the key: data encrypted with it can no longer be decrypted",
    ),
    (
        "AWS::SecretsManager::Secret",
        "aws_secretsmanager_secret",
        "the secret and its value",
    ),
    (
        "AWS::Logs::LogGroup",
        "aws_cloudwatch_log_group",
        "the log group and its events",
    ),
    (
        "AWS::Route53::HostedZone",
        "aws_route53_zone",
        "the hosted zone, its records and its name servers",
    ),
];

/// What deleting a resource of this type loses, when it holds data.
pub(crate) fn loses(target: Target, type_name: &str) -> Option<&'static str> {
    STATEFUL
        .iter()
        .find(|(cfn, tf, _)| match target {
            Target::CloudFormation => *cfn == type_name,
            Target::Terraform => *tf == type_name,
        })
        .map(|(_, _, what)| *what)
}
