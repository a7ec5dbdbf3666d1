//! EC2 networking and compute.

mod flow_log;
mod instance;
mod network;
mod security_group;

pub use flow_log::{FlowLog, FlowLogHandle, TrafficType, VpcFlowLogs, VpcFlowLogsHandle};
pub use instance::{Instance, InstanceHandle, RootVolume};
pub use network::{
    InternetGateway, InternetGatewayHandle, Route, RouteHandle, RouteTable, RouteTableHandle,
    Subnet, SubnetHandle, SubnetRouteTableAssociation, SubnetRouteTableAssociationHandle, Vpc,
    VpcHandle,
};
pub use security_group::{Peer, Port, SecurityGroup, SecurityGroupHandle};

/// The public SSM parameter that always holds the current Amazon Linux 2023 AMI id for x86_64.
pub const AMAZON_LINUX_2023_AMI_PARAMETER: &str =
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
