//! EC2 networking and compute.

mod endpoint;
mod flow_log;
mod instance;
mod launch_template;
mod nat;
mod network;
mod security_group;
mod volume;
mod vpc_network;
mod zones;

pub(crate) use endpoint::VPC_ENDPOINT;
pub(crate) use flow_log::FLOW_LOG;
pub(crate) use nat::{ELASTIC_IP, NAT_GATEWAY};
pub(crate) use instance::INSTANCE;
pub(crate) use launch_template::LAUNCH_TEMPLATE;
pub(crate) use volume::VOLUME;
pub(crate) use security_group::{SECURITY_GROUP, SECURITY_GROUP_EGRESS, SECURITY_GROUP_INGRESS};
pub(crate) use network::{
    INTERNET_GATEWAY, ROUTE, ROUTE_TABLE, SUBNET, SUBNET_ROUTE_TABLE_ASSOCIATION, VPC,
};
pub use endpoint::{GatewayService, VpcEndpoint, VpcEndpointHandle};
pub use flow_log::{FlowLog, FlowLogHandle, TrafficType, VpcFlowLogs, VpcFlowLogsHandle};
pub use instance::{Instance, InstanceHandle, RootVolume};
pub use launch_template::{LaunchTemplate, LaunchTemplateHandle};
pub use nat::{ElasticIp, ElasticIpHandle, NatGateway, NatGatewayHandle};
pub use network::{
    InternetGateway, InternetGatewayHandle, Route, RouteHandle, RouteTable, RouteTableHandle,
    Subnet, SubnetHandle, SubnetRouteTableAssociation, SubnetRouteTableAssociationHandle, Vpc,
    VpcHandle,
};
pub use security_group::{
    Peer, Port, SecurityGroup, SecurityGroupHandle, SecurityGroupEgress, SecurityGroupIngress, SecurityGroupRuleHandle,
    EGRESS_RULE_KIND, INGRESS_RULE_KIND,
};
pub use volume::{Volume, VolumeHandle, VolumeType};
pub use vpc_network::{
    NatGateways, SubnetBlocks, Tier, VpcNetwork, VpcNetworkHandle, MAX_ID_LEN, MAX_ZONES,
};
pub use zones::{zone_index, AvailabilityZonesHandle, StackExt, ZONE_ATTRIBUTES};

/// The public SSM parameter that always holds the current Amazon Linux 2023 AMI id for x86_64.
pub const AMAZON_LINUX_2023_AMI_PARAMETER: &str =
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
