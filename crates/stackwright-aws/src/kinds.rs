//! Neutral resource kinds. Each target maps every kind to its own resource types.

pub const VPC: &str = "aws.ec2.Vpc";
pub const SUBNET: &str = "aws.ec2.Subnet";
/// An internet gateway attached to a VPC (one node; CloudFormation needs a separate attachment resource).
pub const INTERNET_GATEWAY: &str = "aws.ec2.InternetGateway";
pub const ROUTE_TABLE: &str = "aws.ec2.RouteTable";
pub const ROUTE: &str = "aws.ec2.Route";
pub const SUBNET_ROUTE_TABLE_ASSOCIATION: &str = "aws.ec2.SubnetRouteTableAssociation";
pub const SECURITY_GROUP: &str = "aws.ec2.SecurityGroup";
pub const INSTANCE: &str = "aws.ec2.Instance";
/// A read of an SSM parameter at deploy time (CloudFormation parameter, Terraform data source).
pub const SSM_PARAMETER_LOOKUP: &str = "aws.ssm.ParameterLookup";
/// A resource in one or both targets' own terms (the escape hatch); see `raw`.
pub const RAW: &str = "raw";
