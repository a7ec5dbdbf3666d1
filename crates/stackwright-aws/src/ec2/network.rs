use crate::cidr::{parse_network_block, Ipv4Cidr};
use crate::ec2::NatGatewayHandle;
use crate::construct::{Attribute, Block, Form, Network, Read, Spelling};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::{construct, kinds, Existing, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, ScopeId};

/// A VPC in each target. In Terraform it adopts the VPC's default security group without rules
/// (`aws_default_security_group`): EC2 gives every VPC one that lets its members talk to each other and
/// reach anywhere, and instances launched without a group land in it; adopting it removes its rules, so
/// the VPC is closed unless opened (CloudFormation has no resource that can do this).
pub(crate) static VPC: Spelling = Spelling {
    kind: kinds::VPC,
    cloudformation: "AWS::EC2::VPC",
    terraform: "aws_vpc",
    terraform_tags: true,
    attributes: &[
        Attribute::new("id", Read::Ref, "id"),
        Attribute::new("cidr_block", Read::GetAtt("CidrBlock"), "cidr_block"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[Block {
        type_name: "aws_default_security_group",
        suffix: "_default_security_group",
        named_by: None,
    }],
};

/// A VPC. DNS support and DNS hostnames are on, as most services expect.
pub struct Vpc {
    resource: Resource,
    cidr: Option<Ipv4Cidr>,
    cidr_block: String,
    enable_dns_hostnames: bool,
}

impl Vpc {
    #[track_caller]
    pub fn new(id: impl Into<String>, cidr_block: &str) -> Self {
        Self::with_id(id.into(), cidr_block)
    }

    #[track_caller]
    fn with_id(id: String, cidr_block: &str) -> Self {
        let mut resource = Resource::new(id, kinds::VPC);
        let cidr = parse_network_block("VPC CIDR block", cidr_block)
            .map_err(|e| resource.problems.push(e))
            .ok();
        Vpc {
            resource,
            cidr,
            cidr_block: cidr_block.to_owned(),
            enable_dns_hostnames: true,
        }
    }

    pub fn enable_dns_hostnames(mut self, enabled: bool) -> Self {
        self.enable_dns_hostnames = enabled;
        self
    }
}
common_setters!(Vpc, taggable);
patchable!(Vpc, VPC);

attr_handle!(
    /// A declared VPC.
    VpcHandle {
        /// The VPC id (`vpc-...`).
        id: "id",
        cidr_block: "cidr_block",
    } cidr: Option<Ipv4Cidr>, subnets: Subnets
);

/// The CIDR blocks of the subnets declared in one VPC so far, with their ids and the stack instance that
/// declared them: a later subnet of the same stack instance is checked against them (shared by every copy
/// of the VPC's handle; a handle passed to another environment by mistake is that mistake's error alone).
type Subnets = std::sync::Arc<std::sync::Mutex<Vec<(Ipv4Cidr, String, ScopeId)>>>;

impl Vpc {
    /// A VPC that exists outside the app, by id (`vpc-...`, or a lookup's value). Its CIDR block is not
    /// known, so subnets in it are not checked against it; only `id` can be used.
    #[track_caller]
    pub fn from_id(id: impl Into<String>, vpc_id: impl Into<Expr>) -> Existing<VpcHandle> {
        Existing::new(id, kinds::VPC, vec![("id", vpc_id.into())], |handle| {
            VpcHandle {
                handle,
                cidr: None,
                subnets: Subnets::default(),
            }
        })
    }
}

impl Vpc {
    /// The VPC with these tags (e.g. `[("Name", "shared")]`), which must match exactly one: Terraform
    /// `data "aws_vpc"`; CloudFormation a parameter of type `AWS::EC2::VPC::Id` to give at deploy time
    /// (it cannot search by tag). Only `id` can be used.
    #[track_caller]
    pub fn lookup<K: Into<String>, V: Into<String>>(
        id: impl Into<String>,
        tags: impl IntoIterator<Item = (K, V)>,
    ) -> Existing<VpcHandle> {
        Existing::by_tags(id, kinds::VPC_LOOKUP, tags, |handle| VpcHandle {
            handle,
            cidr: None,
            subnets: Subnets::default(),
        })
    }
}

impl VpcHandle {
    /// The VPC's CIDR block as declared, when it parsed (for rules that admit the whole VPC).
    pub(crate) fn literal_cidr(&self) -> Option<String> {
        self.cidr.map(|cidr| cidr.to_string())
    }
}

impl Declare for Vpc {
    type Handle = VpcHandle;
    fn declare(self, at: ResourceRef) -> (Resource, VpcHandle) {
        let Vpc {
            mut resource,
            cidr,
            cidr_block,
            enable_dns_hostnames,
        } = self;
        let handle = VpcHandle {
            handle: Handle(at),
            cidr,
            subnets: Subnets::default(),
        };
        let mut cfn = Form::new();
        cfn.set("CidrBlock", cidr_block.as_str())
            .set("EnableDnsSupport", true)
            .set("EnableDnsHostnames", enable_dns_hostnames);
        let mut tf = Form::new();
        tf.set("cidr_block", cidr_block)
            .set("enable_dns_support", true)
            .set("enable_dns_hostnames", enable_dns_hostnames);
        construct::finish(&mut resource, cfn, tf);
        let mut default_group = Form::new();
        default_group.set("vpc_id", handle.id());
        construct::terraform_block(&mut resource, "_default_security_group", default_group);
        (resource, handle)
    }
}

/// A subnet in each target.
pub(crate) static SUBNET: Spelling = Spelling {
    kind: kinds::SUBNET,
    cloudformation: "AWS::EC2::Subnet",
    terraform: "aws_subnet",
    terraform_tags: true,
    attributes: &[
        Attribute::new("id", Read::Ref, "id"),
        Attribute::new(
            "availability_zone",
            Read::GetAtt("AvailabilityZone"),
            "availability_zone",
        ),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A subnet of a VPC; its CIDR block must lie inside the VPC's.
pub struct Subnet {
    resource: Resource,
    vpc: Expr,
    cidr_block: String,
    availability_zone: Option<Expr>,
    map_public_ip_on_launch: Option<bool>,
    /// The parsed block and the VPC's subnets, checked for overlap when the subnet is declared.
    block: Option<(Ipv4Cidr, Subnets)>,
}

impl Subnet {
    /// `cidr_block` must parse, lie inside the VPC's block (when known) and overlap no subnet of the same
    /// VPC declared before it in the stack (AWS refuses it: `InvalidSubnet.Conflict`).
    #[track_caller]
    pub fn new(id: impl Into<String>, vpc: &VpcHandle, cidr_block: &str) -> Self {
        Self::with_id(id.into(), vpc, cidr_block)
    }

    #[track_caller]
    fn with_id(id: String, vpc: &VpcHandle, cidr_block: &str) -> Self {
        let mut resource = Resource::new(id, kinds::SUBNET);
        let mut block = None;
        match parse_network_block("subnet CIDR block", cidr_block) {
            Ok(subnet) => match vpc.cidr {
                Some(outer) if !outer.contains(&subnet) => resource.problems.push(format!(
                    "subnet CIDR block `{subnet}` is outside its VPC's CIDR block `{outer}`: \
                     expected a block inside `{outer}`"
                )),
                _ => block = Some((subnet, vpc.subnets.clone())),
            },
            Err(e) => resource.problems.push(e),
        }
        Subnet {
            resource,
            vpc: vpc.id(),
            cidr_block: cidr_block.to_owned(),
            availability_zone: None,
            map_public_ip_on_launch: None,
            block,
        }
    }

    /// Pins the subnet to an availability zone, e.g. `us-west-2a`.
    pub fn availability_zone(mut self, zone: impl Into<Expr>) -> Self {
        self.availability_zone = Some(zone.into());
        self
    }

    /// Gives instances launched here a public IPv4 address.
    pub fn map_public_ip_on_launch(mut self, enabled: bool) -> Self {
        self.map_public_ip_on_launch = Some(enabled);
        self
    }
}
common_setters!(Subnet, taggable);
patchable!(Subnet, SUBNET);

attr_handle!(
    /// A declared subnet.
    SubnetHandle {
        id: "id",
        availability_zone: "availability_zone",
    } tier: Option<super::Tier>
);

impl SubnetHandle {
    /// The tier of a subnet of an [`ec2::VpcNetwork`](super::VpcNetwork); `None` for a subnet declared
    /// or found on its own, whose routes Stackwright does not know.
    pub fn tier(&self) -> Option<super::Tier> {
        self.tier
    }

    pub(crate) fn with_tier(mut self, tier: super::Tier) -> Self {
        self.tier = Some(tier);
        self
    }
}

impl Subnet {
    /// A subnet that exists outside the app, by id (`subnet-...`, or a lookup's value); only `id` can be
    /// used.
    #[track_caller]
    pub fn from_id(id: impl Into<String>, subnet_id: impl Into<Expr>) -> Existing<SubnetHandle> {
        Existing::new(
            id,
            kinds::SUBNET,
            vec![("id", subnet_id.into())],
            |handle| SubnetHandle { handle, tier: None },
        )
    }
}

impl Subnet {
    /// The subnet with these tags, which must match exactly one: Terraform `data "aws_subnet"`;
    /// CloudFormation a parameter of type `AWS::EC2::Subnet::Id` to give at deploy time. Only `id` can be
    /// used.
    #[track_caller]
    pub fn lookup<K: Into<String>, V: Into<String>>(
        id: impl Into<String>,
        tags: impl IntoIterator<Item = (K, V)>,
    ) -> Existing<SubnetHandle> {
        Existing::by_tags(id, kinds::SUBNET_LOOKUP, tags, |handle| SubnetHandle {
            handle,
            tier: None,
        })
    }
}

impl Declare for Subnet {
    type Handle = SubnetHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, SubnetHandle) {
        let mut cfn = Form::new();
        cfn.set("VpcId", self.vpc.clone())
            .set("CidrBlock", self.cidr_block.as_str())
            .set_some("AvailabilityZone", self.availability_zone.clone())
            .set_some("MapPublicIpOnLaunch", self.map_public_ip_on_launch);
        let mut tf = Form::new();
        tf.set("vpc_id", self.vpc.clone())
            .set("cidr_block", self.cidr_block)
            .set_some("availability_zone", self.availability_zone.clone())
            .set_some("map_public_ip_on_launch", self.map_public_ip_on_launch);
        construct::finish(&mut self.resource, cfn, tf);
        let part = Network::Subnet {
            vpc: self.vpc,
            public: self.map_public_ip_on_launch == Some(true),
        };
        construct::set_network(&mut self.resource, part);
        if let Some(zone) = self.availability_zone {
            construct::add_availability_zone(&mut self.resource, zone);
        }
        if let Some((subnet, subnets)) = self.block {
            let mut declared = subnets.lock().unwrap_or_else(|e| e.into_inner());
            // Two CIDR blocks overlap exactly when one contains the other.
            let clash = declared.iter().find(|(other, _, scope)| {
                *scope == at.scope && (other.contains(&subnet) || subnet.contains(other))
            });
            match clash {
                Some((other, other_id, _)) => self.resource.problems.push(format!(
                    "subnet CIDR block `{subnet}` overlaps `{other}` of subnet `{other_id}` in the same \
                     VPC, which AWS refuses (InvalidSubnet.Conflict): expected a block that overlaps no \
                     other subnet's"
                )),
                None => declared.push((subnet, self.resource.id.clone(), at.scope)),
            }
        }
        (
            self.resource,
            SubnetHandle {
                handle: Handle(at),
                tier: None,
            },
        )
    }
}

/// An internet gateway in each target. CloudFormation attaches it with a `VPCGatewayAttachment` beside it,
/// which what waits for the gateway waits for (the engine's ordering); Terraform attaches it with
/// `vpc_id`.
pub(crate) static INTERNET_GATEWAY: Spelling = Spelling {
    kind: kinds::INTERNET_GATEWAY,
    cloudformation: "AWS::EC2::InternetGateway",
    terraform: "aws_internet_gateway",
    terraform_tags: true,
    attributes: &[Attribute::new("id", Read::Ref, "id")],
    cloudformation_resource: Some(Block {
        type_name: "AWS::EC2::VPCGatewayAttachment",
        suffix: "Attachment",
        named_by: None,
    }),
    terraform_data: &[],
    terraform_blocks: &[],
};

/// An internet gateway attached to a VPC.
///
/// One node in the graph: CloudFormation lowers it to a gateway plus a `VPCGatewayAttachment` (and makes
/// routes through the gateway wait for the attachment); Terraform attaches it with `vpc_id`.
pub struct InternetGateway {
    resource: Resource,
    vpc: Expr,
}

impl InternetGateway {
    #[track_caller]
    pub fn new(id: impl Into<String>, vpc: &VpcHandle) -> Self {
        InternetGateway {
            resource: Resource::new(id, kinds::INTERNET_GATEWAY),
            vpc: vpc.id(),
        }
    }
}
common_setters!(InternetGateway, taggable);
patchable!(InternetGateway, INTERNET_GATEWAY);

attr_handle!(
    /// A declared internet gateway.
    InternetGatewayHandle { id: "id" }
);

impl Declare for InternetGateway {
    type Handle = InternetGatewayHandle;
    fn declare(self, at: ResourceRef) -> (Resource, InternetGatewayHandle) {
        let InternetGateway { mut resource, vpc } = self;
        let handle = InternetGatewayHandle { handle: Handle(at) };
        let mut tf = Form::new();
        tf.set("vpc_id", vpc.clone());
        construct::finish(&mut resource, Form::new(), tf);
        let mut attachment = Form::new();
        attachment
            .set("InternetGatewayId", handle.id())
            .set("VpcId", vpc.clone());
        construct::cloudformation_resource(&mut resource, attachment);
        construct::set_network(&mut resource, Network::InternetGateway { vpc });
        (resource, handle)
    }
}

/// A route table in each target.
pub(crate) static ROUTE_TABLE: Spelling = Spelling {
    kind: kinds::ROUTE_TABLE,
    cloudformation: "AWS::EC2::RouteTable",
    terraform: "aws_route_table",
    terraform_tags: true,
    attributes: &[Attribute::new("id", Read::Ref, "id")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A subnet's association with a route table in each target.
pub(crate) static SUBNET_ROUTE_TABLE_ASSOCIATION: Spelling = Spelling {
    kind: kinds::SUBNET_ROUTE_TABLE_ASSOCIATION,
    cloudformation: "AWS::EC2::SubnetRouteTableAssociation",
    terraform: "aws_route_table_association",
    terraform_tags: false,
    attributes: &[Attribute::new("id", Read::Ref, "id")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A route table of a VPC.
pub struct RouteTable {
    resource: Resource,
}

impl RouteTable {
    #[track_caller]
    pub fn new(id: impl Into<String>, vpc: &VpcHandle) -> Self {
        let mut resource = Resource::new(id, kinds::ROUTE_TABLE);
        let vpc = vpc.id();
        let mut cfn = Form::new();
        cfn.set("VpcId", vpc.clone());
        let mut tf = Form::new();
        tf.set("vpc_id", vpc);
        construct::finish(&mut resource, cfn, tf);
        RouteTable { resource }
    }
}
common_setters!(RouteTable, taggable);
patchable!(RouteTable, ROUTE_TABLE);

attr_handle!(
    /// A declared route table.
    RouteTableHandle { id: "id" }
);

impl Declare for RouteTable {
    type Handle = RouteTableHandle;
    fn declare(self, at: ResourceRef) -> (Resource, RouteTableHandle) {
        (self.resource, RouteTableHandle { handle: Handle(at) })
    }
}

/// A route in each target.
pub(crate) static ROUTE: Spelling = Spelling {
    kind: kinds::ROUTE,
    cloudformation: "AWS::EC2::Route",
    terraform: "aws_route",
    terraform_tags: false,
    attributes: &[Attribute::new("id", Read::Ref, "id")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A route in a route table, through an internet gateway or a NAT gateway.
pub struct Route {
    resource: Resource,
}

impl Route {
    /// Routes `destination` (e.g. `0.0.0.0/0`) through an internet gateway.
    #[track_caller]
    pub fn to_internet_gateway(
        id: impl Into<String>,
        table: &RouteTableHandle,
        destination: &str,
        gateway: &InternetGatewayHandle,
    ) -> Self {
        let hop = ("GatewayId", "gateway_id");
        Self::new(id.into(), table, destination, hop, gateway.id())
    }

    /// Routes `destination` (e.g. `0.0.0.0/0` from private subnets) through a NAT gateway.
    #[track_caller]
    pub fn to_nat_gateway(
        id: impl Into<String>,
        table: &RouteTableHandle,
        destination: &str,
        gateway: &NatGatewayHandle,
    ) -> Self {
        let hop = ("NatGatewayId", "nat_gateway_id");
        Self::new(id.into(), table, destination, hop, gateway.id())
    }

    /// `target` names the property holding the next hop in each target (CloudFormation, Terraform), one
    /// per kind of next hop.
    #[track_caller]
    fn new(
        id: String,
        table: &RouteTableHandle,
        destination: &str,
        target: (&str, &str),
        next_hop: Expr,
    ) -> Self {
        let mut resource = Resource::new(id, kinds::ROUTE);
        match Ipv4Cidr::parse(destination) {
            Err(e) => resource.problems.push(format!("route destination: {e}")),
            Ok(cidr) => resource.claim_unique(
                stackwright_core::HasResourceRef::resource_ref(table),
                cidr.to_string(),
                format!("the route to {cidr} of this route table"),
                "a route table holds one route per destination",
            ),
        }
        let mut cfn = Form::new();
        cfn.set("RouteTableId", table.id())
            .set("DestinationCidrBlock", destination)
            .set(target.0, next_hop.clone());
        let mut tf = Form::new();
        tf.set("route_table_id", table.id())
            .set("destination_cidr_block", destination)
            .set(target.1, next_hop.clone());
        construct::finish(&mut resource, cfn, tf);
        construct::set_network(&mut resource, Network::Route { gateway: next_hop });
        Route { resource }
    }
}
common_setters!(Route);
patchable!(Route, ROUTE);

attr_handle!(
    /// A declared route.
    RouteHandle { id: "id" }
);

impl Declare for Route {
    type Handle = RouteHandle;
    fn declare(self, at: ResourceRef) -> (Resource, RouteHandle) {
        (self.resource, RouteHandle { handle: Handle(at) })
    }
}

/// Associates a subnet with a route table.
pub struct SubnetRouteTableAssociation {
    resource: Resource,
}

impl SubnetRouteTableAssociation {
    #[track_caller]
    pub fn new(id: impl Into<String>, subnet: &SubnetHandle, table: &RouteTableHandle) -> Self {
        let mut resource = Resource::new(id, kinds::SUBNET_ROUTE_TABLE_ASSOCIATION);
        resource.claim_unique(
            stackwright_core::HasResourceRef::resource_ref(subnet),
            "route table",
            "the route table association of this subnet",
            "a subnet is associated with one route table",
        );
        let (subnet, table) = (subnet.id(), table.id());
        let mut cfn = Form::new();
        cfn.set("SubnetId", subnet.clone())
            .set("RouteTableId", table.clone());
        let mut tf = Form::new();
        tf.set("subnet_id", subnet).set("route_table_id", table);
        construct::finish(&mut resource, cfn, tf);
        SubnetRouteTableAssociation { resource }
    }
}
common_setters!(SubnetRouteTableAssociation);
patchable!(SubnetRouteTableAssociation, SUBNET_ROUTE_TABLE_ASSOCIATION);

attr_handle!(
    /// A declared subnet association.
    SubnetRouteTableAssociationHandle { id: "id" }
);

impl Declare for SubnetRouteTableAssociation {
    type Handle = SubnetRouteTableAssociationHandle;
    fn declare(self, at: ResourceRef) -> (Resource, SubnetRouteTableAssociationHandle) {
        (
            self.resource,
            SubnetRouteTableAssociationHandle { handle: Handle(at) },
        )
    }
}
