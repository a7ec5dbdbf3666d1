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

use crate::kinds;
use stackwright_core::{Expr, Resource, ResourceRef, Stack, Value};

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
            .filter(|(_, r)| r.kind == kinds::INTERNET_GATEWAY)
            .map(|(index, r)| {
                let at = ResourceRef {
                    scope: stack.scope(),
                    index: index as u32,
                };
                (at, referenced(r.get("vpc_id")))
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
        let literal = |name: &str| resource.get(name).and_then(Value::as_expr)?.as_literal();
        let scope = match resource.kind {
            // An Elastic IP names no VPC: it waits for every gateway of the stack.
            kinds::ELASTIC_IP => Scope::Any,
            kinds::RDS_DB_INSTANCE
                if resource.get("publicly_accessible").and_then(Value::as_bool) == Some(true) =>
            {
                Scope::Any
            }
            kinds::NAT_GATEWAY if literal("connectivity_type") == Some("public") => Scope::Subnets,
            kinds::LOAD_BALANCER if literal("scheme") == Some("internet-facing") => Scope::Subnets,
            kinds::INSTANCE | kinds::AUTO_SCALING_GROUP => Scope::PublicSubnets,
            _ => return,
        };
        let mut wanted = |vpc: Option<ResourceRef>| {
            for (gateway, gateway_vpc) in &self.gateways {
                let matches = vpc.is_none() || *gateway_vpc == vpc;
                if matches && !already_waits(stack, resource, *gateway) {
                    wait_for(*gateway);
                }
            }
        };
        if let Scope::Any = scope {
            return wanted(None);
        }
        // The VPCs of the subnets the resource is placed in, each once.
        let mut vpcs: Vec<ResourceRef> = Vec::new();
        resource.for_each_expr(&mut |e| {
            e.for_each_attr(&mut |a| {
                let Some(subnet) = stack.resource(a.resource) else {
                    return;
                };
                if subnet.kind != kinds::SUBNET {
                    return;
                }
                let public = subnet
                    .get("map_public_ip_on_launch")
                    .and_then(Value::as_bool)
                    == Some(true);
                if matches!(scope, Scope::PublicSubnets) && !public {
                    return;
                }
                if let Some(vpc) = referenced(subnet.get("vpc_id")) {
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

enum Scope {
    Any,
    Subnets,
    PublicSubnets,
}

/// Whether `resource` already `depends_on` the gateway, or a route through it (which waits for the
/// attachment).
fn already_waits(stack: &Stack, resource: &Resource, gateway: ResourceRef) -> bool {
    resource.depends_on.iter().any(|d| {
        *d == gateway
            || stack.resource(*d).is_some_and(|r| {
                r.kind == kinds::ROUTE && referenced(r.get("gateway_id")) == Some(gateway)
            })
    })
}

/// The resource a property references (`vpc.id()`), when it is a lone reference.
fn referenced(value: Option<&Value>) -> Option<ResourceRef> {
    match value?.as_expr()? {
        Expr::Attr(attr) => Some(attr.resource),
        _ => None,
    }
}
