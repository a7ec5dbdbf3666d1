//! Orderings the engines cannot infer from references, which both targets add as dependencies.
//!
//! A resource with a public address in a VPC needs the VPC's internet gateway *attached*, not only
//! created, and nothing it references says so: CloudFormation's `DependsOn` documentation lists Auto
//! Scaling groups, EC2 instances, load balancers, Elastic IPs and RDS instances "when they have an
//! associated public IP address and are in a VPC" (plus routes through the gateway, which the targets
//! handle). Without the dependency they fail intermittently at deploy ("VPC ... has no internet gateway",
//! `Gateway.NotAttached`), as public reports against CloudFormation templates and the Terraform AWS
//! provider's own tests show. CloudFormation waits for the gateway's `VPCGatewayAttachment`, Terraform for
//! the `aws_internet_gateway` (which attaches itself).
//!
//! A node's part in this is what its builder recorded (`stackwright_aws::construct::set_network`).

use stackwright_aws::construct::{self, Network, Reach};
use stackwright_core::{Expr, Resource, ResourceRef, Stack};

/// The internet gateways of one stack and their VPCs, found once per stack.
pub struct GatewayOrdering {
    /// (gateway, its VPC when declared in the same stack).
    gateways: Vec<(ResourceRef, Option<ResourceRef>)>,
}

impl GatewayOrdering {
    pub fn new(stack: &Stack) -> Self {
        let gateways = stack
            .resources()
            .iter()
            .enumerate()
            .filter_map(|(index, r)| match part(r)? {
                Network::InternetGateway { vpc } => {
                    let at = ResourceRef {
                        scope: stack.scope(),
                        index: index as u32,
                    };
                    Some((at, referenced(&vpc)))
                }
                _ => None,
            })
            .collect();
        GatewayOrdering { gateways }
    }

    /// Calls `wait_for` with each internet gateway `resource` must wait for, beyond those it already
    /// `depends_on`: none unless the resource has a public address in a VPC with a gateway here.
    pub fn dependencies(
        &self,
        stack: &Stack,
        resource: &Resource,
        wait_for: &mut dyn FnMut(ResourceRef),
    ) {
        if self.gateways.is_empty() {
            return;
        }
        let Some(Network::PublicAddress(reach)) = part(resource) else {
            return;
        };
        let mut wanted = |vpc: Option<ResourceRef>| {
            for (gateway, gateway_vpc) in &self.gateways {
                let matches = vpc.is_none() || *gateway_vpc == vpc;
                if matches && !already_waits(stack, resource, *gateway) {
                    wait_for(*gateway);
                }
            }
        };
        if let Reach::Any = reach {
            return wanted(None);
        }
        // The VPCs of the subnets the resource is placed in, each once.
        let mut vpcs: Vec<ResourceRef> = Vec::new();
        resource.for_each_expr(&mut |e| {
            e.for_each_attr(&mut |a| {
                let Some(Network::Subnet { vpc, public }) =
                    stack.resource(a.resource).and_then(part)
                else {
                    return;
                };
                if matches!(reach, Reach::PublicSubnets) && !public {
                    return;
                }
                if let Some(vpc) = referenced(&vpc) {
                    if !vpcs.contains(&vpc) {
                        vpcs.push(vpc);
                    }
                }
            })
        });
        for vpc in vpcs {
            wanted(Some(vpc));
        }
    }
}

/// Whether `resource` is an internet gateway: what waits for it waits for its attachment in
/// CloudFormation.
pub fn is_internet_gateway(resource: &Resource) -> bool {
    matches!(part(resource), Some(Network::InternetGateway { .. }))
}

/// The internet gateway of `stack` that `resource`, a route, goes through, if any: the route waits for
/// its attachment in CloudFormation.
pub fn route_gateway(stack: &Stack, resource: &Resource) -> Option<ResourceRef> {
    let Some(Network::Route { gateway }) = part(resource) else {
        return None;
    };
    let gateway = referenced(&gateway)?;
    stack
        .resource(gateway)
        .is_some_and(is_internet_gateway)
        .then_some(gateway)
}

/// The node's part in the network, as its builder recorded it.
fn part(resource: &Resource) -> Option<Network> {
    construct::network(resource)
}

/// Whether `resource` already `depends_on` the gateway, or a route through it (which waits for the
/// attachment).
fn already_waits(stack: &Stack, resource: &Resource, gateway: ResourceRef) -> bool {
    resource.depends_on.iter().any(|d| {
        *d == gateway
            || stack.resource(*d).and_then(part).is_some_and(|p| {
                matches!(p, Network::Route { gateway: through } if referenced(&through) == Some(gateway))
            })
    })
}

/// The resource an expression references (`vpc.id()`), when it is a lone reference.
fn referenced(value: &Expr) -> Option<ResourceRef> {
    match value {
        Expr::Attr(attr) => Some(attr.resource),
        _ => None,
    }
}
