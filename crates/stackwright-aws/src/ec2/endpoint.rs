//! VPC endpoints: traffic from a VPC to an AWS service that stays on AWS's network.

use crate::construct::{Attribute, Form, Read, Spelling};
use crate::ec2::{RouteTableHandle, VpcHandle};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::{construct, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Value};

/// The neutral kind of a VPC endpoint.
pub const KIND: &str = "aws.ec2.VpcEndpoint";

/// A VPC endpoint in each target.
pub(crate) static VPC_ENDPOINT: Spelling = Spelling {
    kind: KIND,
    cloudformation: "AWS::EC2::VPCEndpoint",
    terraform: "aws_vpc_endpoint",
    terraform_tags: true,
    attributes: &[Attribute::new("id", Read::Ref, "id")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// The services a gateway endpoint reaches (the only two AWS offers gateway endpoints for).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GatewayService {
    /// Amazon S3 (`com.amazonaws.<region>.s3`).
    S3,
    /// Amazon DynamoDB (`com.amazonaws.<region>.dynamodb`).
    DynamoDb,
}

impl GatewayService {
    /// The last part of the service's endpoint name (`s3`, `dynamodb`).
    pub fn name(self) -> &'static str {
        match self {
            GatewayService::S3 => "s3",
            GatewayService::DynamoDb => "dynamodb",
        }
    }

    /// The service's endpoint name in the environment's region (`com.amazonaws.eu-west-1.s3`).
    pub fn service_name(self) -> Expr {
        Expr::concat([
            "com.amazonaws.".into(),
            Expr::region(),
            format!(".{}", self.name()).into(),
        ])
    }
}

/// A VPC endpoint (CloudFormation `AWS::EC2::VPCEndpoint`, Terraform `aws_vpc_endpoint`).
pub struct VpcEndpoint {
    resource: Resource,
}

impl VpcEndpoint {
    /// A gateway endpoint to `service` (S3 or DynamoDB) for the subnets of `route_tables`: each table
    /// gets a route to the service's prefix list through it, so that their traffic to the service needs
    /// no NAT gateway or internet gateway. Gateway endpoints cost nothing. Its policy is AWS's default
    /// (any action the caller's own policies allow).
    #[track_caller]
    pub fn gateway(
        id: impl Into<String>,
        vpc: &VpcHandle,
        service: GatewayService,
        route_tables: &[&RouteTableHandle],
    ) -> Self {
        let mut resource = Resource::new(id, KIND);
        if route_tables.is_empty() {
            resource.problems.push(format!(
                "gateway endpoint to {}: no route table, so no subnet would reach it; expected at \
                 least one route table",
                service.name()
            ));
        }
        let tables = Value::List(route_tables.iter().map(|t| t.id().into()).collect());
        let mut cfn = Form::new();
        cfn.set("VpcId", vpc.id())
            .set("ServiceName", service.service_name())
            .set("VpcEndpointType", "Gateway")
            .set("RouteTableIds", tables.clone());
        let mut tf = Form::new();
        tf.set("vpc_id", vpc.id())
            .set("service_name", service.service_name())
            .set("vpc_endpoint_type", "Gateway")
            .set("route_table_ids", tables);
        construct::finish(&mut resource, cfn, tf);
        VpcEndpoint { resource }
    }
}
common_setters!(VpcEndpoint, taggable);
patchable!(VpcEndpoint, VPC_ENDPOINT);

attr_handle!(
    /// A declared VPC endpoint.
    VpcEndpointHandle {
        /// The endpoint id (`vpce-...`).
        id: "id",
    }
);

impl Declare for VpcEndpoint {
    type Handle = VpcEndpointHandle;
    fn declare(self, at: ResourceRef) -> (Resource, VpcEndpointHandle) {
        (self.resource, VpcEndpointHandle { handle: Handle(at) })
    }
}
