use crate::ec2::SubnetHandle;
use crate::construct::{Attribute, Form, Network, Reach, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef};

/// An Elastic IP address in each target.
pub(crate) static ELASTIC_IP: Spelling = Spelling {
    kind: kinds::ELASTIC_IP,
    cloudformation: "AWS::EC2::EIP",
    terraform: "aws_eip",
    terraform_tags: true,
    attributes: &[
        Attribute::new("allocation_id", Read::GetAtt("AllocationId"), "allocation_id"),
        Attribute::new("public_ip", Read::GetAtt("PublicIp"), "public_ip"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// An Elastic IP address allocated for use in a VPC, e.g. the public address of a NAT gateway.
///
/// AWS can only allocate it once the VPC's internet gateway is attached: both targets make it wait for
/// every internet gateway of its stack (its [`Network`] part, which the engine orders by).
pub struct ElasticIp {
    resource: Resource,
}

impl ElasticIp {
    #[track_caller]
    pub fn new(id: impl Into<String>) -> Self {
        let mut resource = Resource::new(id, kinds::ELASTIC_IP);
        let mut cfn = Form::new();
        cfn.set("Domain", "vpc");
        let mut tf = Form::new();
        tf.set("domain", "vpc");
        construct::finish(&mut resource, cfn, tf);
        construct::set_network(&mut resource, Network::PublicAddress(Reach::Any));
        ElasticIp { resource }
    }
}
common_setters!(ElasticIp, taggable);
patchable!(ElasticIp, ELASTIC_IP);

attr_handle!(
    /// A declared Elastic IP address.
    ElasticIpHandle {
        /// The allocation id (`eipalloc-...`) that NAT gateways and associations take.
        allocation_id: "allocation_id",
        /// The public IPv4 address.
        public_ip: "public_ip",
    }
);

impl Declare for ElasticIp {
    type Handle = ElasticIpHandle;
    fn declare(self, at: ResourceRef) -> (Resource, ElasticIpHandle) {
        (self.resource, ElasticIpHandle { handle: Handle(at) })
    }
}

/// A NAT gateway in each target.
pub(crate) static NAT_GATEWAY: Spelling = Spelling {
    kind: kinds::NAT_GATEWAY,
    cloudformation: "AWS::EC2::NatGateway",
    terraform: "aws_nat_gateway",
    terraform_tags: true,
    attributes: &[Attribute::new("id", Read::Ref, "id")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A NAT gateway: instances in private subnets reach out (route `0.0.0.0/0` to it with
/// [`Route::to_nat_gateway`](crate::ec2::Route::to_nat_gateway)) without being reachable from outside.
pub struct NatGateway {
    resource: Resource,
}

impl NatGateway {
    /// A public NAT gateway in a public subnet, with an Elastic IP as its address. AWS refuses to create it
    /// in a VPC without an attached internet gateway: both targets make it wait for the gateway of its
    /// subnet's VPC (its [`Network`] part, which the engine orders by).
    #[track_caller]
    pub fn public(id: impl Into<String>, subnet: &SubnetHandle, address: &ElasticIpHandle) -> Self {
        let mut resource = Self::gateway(id.into(), subnet, "public", Some(address.allocation_id()));
        construct::set_network(&mut resource, Network::PublicAddress(Reach::Subnets));
        NatGateway { resource }
    }

    /// A private NAT gateway: traffic to other VPCs or on-premises networks, never to the internet.
    #[track_caller]
    pub fn private(id: impl Into<String>, subnet: &SubnetHandle) -> Self {
        let resource = Self::gateway(id.into(), subnet, "private", None);
        NatGateway { resource }
    }

    #[track_caller]
    fn gateway(
        id: String,
        subnet: &SubnetHandle,
        connectivity: &str,
        allocation: Option<Expr>,
    ) -> Resource {
        let mut resource = Resource::new(id, kinds::NAT_GATEWAY);
        let mut cfn = Form::new();
        cfn.set("SubnetId", subnet.id())
            .set("ConnectivityType", connectivity)
            .set_some("AllocationId", allocation.clone());
        let mut tf = Form::new();
        tf.set("subnet_id", subnet.id())
            .set("connectivity_type", connectivity)
            .set_some("allocation_id", allocation);
        construct::finish(&mut resource, cfn, tf);
        resource
    }
}
common_setters!(NatGateway, taggable);
patchable!(NatGateway, NAT_GATEWAY);

attr_handle!(
    /// A declared NAT gateway.
    NatGatewayHandle {
        /// The gateway id (`nat-...`).
        id: "id",
    }
);

impl Declare for NatGateway {
    type Handle = NatGatewayHandle;
    fn declare(self, at: ResourceRef) -> (Resource, NatGatewayHandle) {
        (self.resource, NatGatewayHandle { handle: Handle(at) })
    }
}
