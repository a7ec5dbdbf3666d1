//! Neutral resource kinds. A construct's kind is spelled per target by its `construct::Spelling`; each
//! target maps the other kinds to its own resource types.

pub const VPC: &str = "aws.ec2.Vpc";
pub const SUBNET: &str = "aws.ec2.Subnet";
/// An internet gateway attached to a VPC (one node; CloudFormation needs a separate attachment resource).
pub const INTERNET_GATEWAY: &str = "aws.ec2.InternetGateway";
pub const ROUTE_TABLE: &str = "aws.ec2.RouteTable";
pub const ROUTE: &str = "aws.ec2.Route";
pub const SUBNET_ROUTE_TABLE_ASSOCIATION: &str = "aws.ec2.SubnetRouteTableAssociation";
pub const SECURITY_GROUP: &str = "aws.ec2.SecurityGroup";
pub const INSTANCE: &str = "aws.ec2.Instance";
/// An Elastic IP address for use in a VPC (e.g. by a NAT gateway).
pub const ELASTIC_IP: &str = "aws.ec2.ElasticIp";
pub const NAT_GATEWAY: &str = "aws.ec2.NatGateway";
pub const LAUNCH_TEMPLATE: &str = "aws.ec2.LaunchTemplate";
/// An EBS volume (stateful).
pub const VOLUME: &str = "aws.ec2.Volume";
pub const AUTO_SCALING_GROUP: &str = "aws.autoscaling.AutoScalingGroup";
/// An application or network load balancer.
pub const LOAD_BALANCER: &str = "aws.elbv2.LoadBalancer";
pub const TARGET_GROUP: &str = "aws.elbv2.TargetGroup";
pub const LISTENER: &str = "aws.elbv2.Listener";
pub const LISTENER_RULE: &str = "aws.elbv2.ListenerRule";
/// A Route 53 hosted zone (stateful: its name servers are delegated to from outside).
pub const HOSTED_ZONE: &str = "aws.route53.HostedZone";
pub const RECORD: &str = "aws.route53.Record";
/// An ACM certificate validated through DNS records in a hosted zone (Terraform: the certificate, its
/// validation records and the validation wait).
pub const CERTIFICATE: &str = "aws.acm.Certificate";
/// A read of an SSM parameter at deploy time (CloudFormation parameter, Terraform data source).
pub const SSM_PARAMETER_LOOKUP: &str = "aws.ssm.ParameterLookup";
/// A resource in one or both targets' own terms (the escape hatch); see `raw`.
pub const RAW: &str = "raw";

// Identity, data and operations (catalog part B).
pub const IAM_ROLE: &str = "aws.iam.Role";
/// An inline policy of one role (CloudFormation `AWS::IAM::RolePolicy`, Terraform `aws_iam_role_policy`).
pub const IAM_ROLE_POLICY: &str = "aws.iam.RolePolicy";
pub const IAM_MANAGED_POLICY: &str = "aws.iam.ManagedPolicy";
pub const IAM_INSTANCE_PROFILE: &str = "aws.iam.InstanceProfile";
/// A bucket with its encryption, versioning, public access block, ownership controls and bucket policy
/// (one node; Terraform splits it into one resource per concern).
pub const S3_BUCKET: &str = "aws.s3.Bucket";
/// An ECR image repository (`ecr::Repository`).
pub const ECR_REPOSITORY: &str = "aws.ecr.Repository";
pub const RDS_DB_SUBNET_GROUP: &str = "aws.rds.DbSubnetGroup";
pub const RDS_DB_INSTANCE: &str = "aws.rds.DbInstance";
pub const DYNAMODB_TABLE: &str = "aws.dynamodb.Table";
pub const KMS_KEY: &str = "aws.kms.Key";
pub const KMS_ALIAS: &str = "aws.kms.Alias";
/// A parameter this stack owns (as opposed to [`SSM_PARAMETER_LOOKUP`], which reads one).
pub const SSM_PARAMETER: &str = "aws.ssm.Parameter";
/// A secret with a generated value (Terraform adds the generator data source and the secret's version).
pub const SECRETSMANAGER_SECRET: &str = "aws.secretsmanager.Secret";
pub const LOGS_LOG_GROUP: &str = "aws.logs.LogGroup";
pub const CLOUDWATCH_ALARM: &str = "aws.cloudwatch.Alarm";
/// VPC flow logs delivered to a CloudWatch Logs group.
pub const EC2_FLOW_LOG: &str = "aws.ec2.FlowLog";
/// A resource of any CloudFormation registry type, from a generated builder (`stackwright-aws-generated`);
/// its properties say how each target spells it, see `registry`.
pub const REGISTRY: &str = "registry";
/// The availability zones of the environment's region, read at deploy time (a lookup: no resource).
pub const AVAILABILITY_ZONES: &str = "aws.ec2.AvailabilityZones";
/// A read of another environment's stack output at deploy time (a lookup: no resource).
pub const STACK_OUTPUT: &str = "aws.StackOutput";
/// A code asset's zip in the environment's asset bucket (`stackwright-assets`): CloudFormation declares
/// nothing (the object is published before the deploy; references read the bucket and key as values),
/// Terraform uploads it from the tree (`aws_s3_object` with `source`, relative to `path.module`) when the
/// module reads its bucket or key, and reads nothing else of it.
pub const ASSET: &str = "stackwright.Asset";
/// Neutral attributes and properties of an [`ASSET`] node, which both targets read.
pub mod asset {
    /// Property: the bucket's name (an `Expr`). Attribute: the bucket, once the object is there.
    pub const BUCKET: &str = "bucket";
    /// Property: the object's key, `<sha256>.zip`. Attribute: the key, once the object is there.
    pub const KEY: &str = "key";
    /// Property: the zip's sha256 (lowercase hex).
    pub const SHA256: &str = "sha256";
    /// Property: the zip's path relative to a Terraform root module of the tree (`../../../assets/..`).
    pub const TERRAFORM_SOURCE: &str = "terraform_source";
    /// Attribute: the directory of the Terraform module that reads the asset (`path.module`); no
    /// CloudFormation equivalent.
    pub const MODULE_PATH: &str = "module_path";
}
/// Lookups of existing network resources by tags: Terraform data sources; CloudFormation parameters of
/// the AWS-specific type (it cannot search by tag: the id is given at deploy time).
pub const VPC_LOOKUP: &str = "aws.ec2.VpcLookup";
pub const SUBNET_LOOKUP: &str = "aws.ec2.SubnetLookup";
pub const SECURITY_GROUP_LOOKUP: &str = "aws.ec2.SecurityGroupLookup";

// Replicated services (issue 13).
/// A target tracking or step scaling policy of an auto scaling group.
pub const SCALING_POLICY: &str = "aws.autoscaling.ScalingPolicy";
/// A scheduled change of an auto scaling group's sizes.
pub const SCHEDULED_ACTION: &str = "aws.autoscaling.ScheduledAction";
/// An SNS topic, encrypted.
pub const SNS_TOPIC: &str = "aws.sns.Topic";
pub const SNS_SUBSCRIPTION: &str = "aws.sns.Subscription";
