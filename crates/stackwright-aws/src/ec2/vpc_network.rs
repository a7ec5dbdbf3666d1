//! A whole VPC network from a few inputs, as teams declare it with the Terraform VPC module
//! (`terraform-aws-modules/vpc`): tiers of subnets over several availability zones, their route tables
//! and routes, NAT gateways, gateway endpoints and flow logs.

use crate::cidr::{self, Ipv4Cidr};
use crate::ec2::{
    ElasticIp, GatewayService, InternetGateway, InternetGatewayHandle, NatGateway,
    NatGatewayHandle, Route, RouteHandle, RouteTable, RouteTableHandle, StackExt, Subnet,
    SubnetHandle, SubnetRouteTableAssociation, Vpc, VpcEndpoint, VpcEndpointHandle,
    VpcFlowLogs, VpcFlowLogsHandle, VpcHandle, ZONE_ATTRIBUTES,
};
use crate::service;
use stackwright_core::{Diagnostic, Expr, Stack};

/// A tier of subnets: one subnet per availability zone, alike in how they reach out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tier {
    /// Subnets routed to the internet gateway: load balancers and NAT gateways live here.
    Public,
    /// Subnets that reach out only through a NAT gateway and are unreachable from outside: instances,
    /// tasks, functions.
    Private,
    /// Subnets with no route out of the VPC, only its local route and the gateway endpoints' (the
    /// module's `database`/`intra` subnets): databases, caches.
    Isolated,
}

impl Tier {
    const ALL: [Tier; 3] = [Tier::Public, Tier::Private, Tier::Isolated];

    /// The tier's word in ids and messages (`Public`, `Private`, `Isolated`).
    pub fn name(self) -> &'static str {
        match self {
            Tier::Public => "Public",
            Tier::Private => "Private",
            Tier::Isolated => "Isolated",
        }
    }

    /// The tier's place in the default address plan (the quarter of the VPC's block it takes).
    fn position(self) -> u64 {
        match self {
            Tier::Public => 0,
            Tier::Private => 1,
            Tier::Isolated => 2,
        }
    }
}

/// Where a tier's CIDR blocks come from, one per zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubnetBlocks {
    /// Zone `i`'s block is Terraform's `cidrsubnet(<vpc block>, newbits, first + i)`.
    Split {
        /// Bits added to the VPC's prefix (8 makes /24 blocks of a /16).
        newbits: u8,
        /// The block number of the first zone's subnet.
        first: u64,
    },
    /// The blocks as written, one per zone in zone order.
    Given(Vec<String>),
}

impl SubnetBlocks {
    /// Zone `i`'s block is `cidrsubnet(<vpc block>, newbits, first + i)`, as the VPC module's users write
    /// `[for k, v in local.azs : cidrsubnet(local.vpc_cidr, 8, k + 3)]`.
    pub fn split(newbits: u8, first: u64) -> Self {
        SubnetBlocks::Split { newbits, first }
    }

    /// The blocks as written (`["10.0.1.0/24", "10.0.2.0/24"]`), one per zone in zone order.
    pub fn given<S: Into<String>>(blocks: impl IntoIterator<Item = S>) -> Self {
        SubnetBlocks::Given(blocks.into_iter().map(Into::into).collect())
    }
}

/// How many NAT gateways the private tier reaches out through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NatGateways {
    /// One per zone, each zone's private subnet routed through its own (a zone's outage leaves the
    /// others their way out); the default, as CDK's.
    PerZone,
    /// One in the first zone, shared by every private subnet through one route table: cheaper, but the
    /// private tier loses its way out with that zone (the module's `single_nat_gateway = true`).
    Single,
}

/// Which availability zones the network spans.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Zones {
    /// The first `n` zones of the environment's region, read at deploy time.
    First(usize),
    /// Zones by name.
    Named(Vec<String>),
}

/// A VPC with tiers of subnets, one subnet per tier and availability zone, from a few inputs (like the
/// Terraform VPC module and CDK's `ec2.Vpc`): public subnets behind an internet gateway, private subnets
/// reaching out through NAT gateways (one per zone, or [`NatGateways::Single`]), isolated subnets with
/// no route out, gateway endpoints to S3 and DynamoDB on request, and flow logs.
///
/// Secure by default: flow logs of all traffic (checkov CKV2_AWS_11, through [`VpcFlowLogs`]); the VPC's
/// default security group closed (CKV2_AWS_12: Terraform adopts it without rules, as every [`Vpc`]);
/// no subnet maps public IPs on launch unless [`VpcNetwork::public_ip_on_launch`] says why; private and
/// isolated subnets say so explicitly (`map_public_ip_on_launch = false`).
///
/// Defaults: two zones of the environment's region (`stack.availability_zones()`, so no zone names per
/// environment), a public and a private tier, a NAT gateway per zone. Address plan: each tier takes a
/// quarter of the VPC's block (public the first, private the second, isolated the third; the fourth is
/// left free) and splits it by [`VpcNetwork::default_newbits`] (8 for a /16, /24 subnets), so that adding
/// a zone or a tier moves no existing subnet (a moved block replaces the subnet). [`SubnetBlocks`]
/// chooses otherwise per tier; blocks outside the VPC's, overlapping ones, and splits Terraform's
/// `cidrsubnet` would refuse are errors at the caller's line, and the network is then declared with the
/// default plan, so that nothing cascades.
///
/// Ids, from the construct's id `<id>`: the VPC `<id>`, `<id>-InternetGateway`, `<id>-<Tier>-<n>`
/// (subnets, `n` from 1 in zone order) and `<id>-<Tier>-<n>-Routes` (their associations),
/// `<id>-PublicRoutes` and `<id>-PublicDefaultRoute`, `<id>-NatAddress-<n>` and `<id>-NatGateway-<n>`,
/// `<id>-PrivateRoutes-<n>` and `<id>-PrivateDefaultRoute-<n>` (one, `-1`, with a single NAT gateway),
/// `<id>-IsolatedRoutes`, `<id>-S3Endpoint`/`<id>-DynamoDbEndpoint`, and `<id>-FlowLogs` with its parts.
pub struct VpcNetwork {
    id: String,
    vpc: Vpc,
    cidr: Option<Ipv4Cidr>,
    zones: Zones,
    tiers: [Option<Option<SubnetBlocks>>; 3],
    nat_gateways: NatGateways,
    endpoints: Vec<GatewayService>,
    flow_logs: VpcFlowLogs,
    subnet_tags: Vec<(Tier, String, Expr)>,
    public_ip_on_launch: Option<String>,
    problems: Vec<String>,
}

/// The VPC is the network's main resource: the typed escapes (`.cloudformation(..)`, `.terraform(..)`)
/// patch it.
impl crate::construct::Patchable for VpcNetwork {
    fn spelling() -> &'static crate::construct::Spelling {
        <Vpc as crate::construct::Patchable>::spelling()
    }

    fn patch(
        mut self,
        target: stackwright_core::Target,
        entries: Vec<(String, stackwright_core::Value)>,
        problems: Vec<String>,
    ) -> Self {
        self.vpc = self.vpc.patch(target, entries, problems);
        self
    }
}

/// The most zones a network spans when they are read from the region (the zone lookup's limit).
pub const MAX_ZONES: usize = ZONE_ATTRIBUTES.len();

impl VpcNetwork {
    /// A network over `cidr_block` (a /16 to /28, as for [`Vpc::new`]) with the defaults above. `id` is
    /// a valid id of at most [`MAX_ID_LEN`] characters; an invalid or taken one is one error at the
    /// `add_to` line.
    #[track_caller]
    pub fn new(id: impl Into<String>, cidr_block: &str) -> Self {
        let id = id.into();
        VpcNetwork {
            vpc: Vpc::new(id.clone(), cidr_block),
            cidr: cidr::parse_network_block("VPC CIDR block", cidr_block).ok(),
            flow_logs: VpcFlowLogs::new(format!("{id}-FlowLogs")),
            id,
            zones: Zones::First(2),
            tiers: [Some(None), Some(None), None],
            nat_gateways: NatGateways::PerZone,
            endpoints: Vec::new(),
            subnet_tags: Vec::new(),
            public_ip_on_launch: None,
            problems: Vec::new(),
        }
    }

    /// Spans the first `count` availability zones of the environment's region (1 to [`MAX_ZONES`]; 2 by
    /// default), read at deploy time. Stackwright does not know how many zones a region has (it differs
    /// by region and, in some regions, by account), so a count over the region's is not found at
    /// synthesis: CloudFormation fails the deploy (`Fn::Select` out of range) and Terraform the plan
    /// (an index out of range). 2 works in every region; name the zones
    /// ([`VpcNetwork::availability_zones`]) to have them checked against the region.
    pub fn zones(mut self, count: usize) -> Self {
        if !(1..=MAX_ZONES).contains(&count) {
            self.problems.push(format!(
                "a network over {count} availability zones: expected 1 to {MAX_ZONES}"
            ));
        } else {
            self.zones = Zones::First(count);
        }
        self
    }

    /// Spans these availability zones, by name (`["eu-west-1a", "eu-west-1b"]`); each must be a zone of
    /// the environment's region, which the targets check.
    pub fn availability_zones<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        let mut seen = std::collections::HashSet::new();
        if names.is_empty() {
            self.problems
                .push("a network over no availability zone: expected at least one".to_owned());
        } else if let Some(twice) = names.iter().find(|name| !seen.insert(name.as_str())) {
            self.problems.push(format!(
                "availability zone `{twice}` listed twice: expected each zone once"
            ));
        } else {
            self.zones = Zones::Named(names);
        }
        self
    }

    /// Adds the tier `tier` with the default address plan (public and private are there unless removed).
    pub fn tier(mut self, tier: Tier) -> Self {
        let slot = &mut self.tiers[tier.position() as usize];
        if slot.is_none() {
            *slot = Some(None);
        }
        self
    }

    /// Adds the tier `tier` (or keeps it) with its blocks from `blocks`.
    pub fn tier_blocks(mut self, tier: Tier, blocks: SubnetBlocks) -> Self {
        self.tiers[tier.position() as usize] = Some(Some(blocks));
        self
    }

    /// Leaves the tier `tier` out (e.g. `Tier::Private` for a network of public and isolated subnets,
    /// which then has no NAT gateway).
    pub fn without_tier(mut self, tier: Tier) -> Self {
        self.tiers[tier.position() as usize] = None;
        self
    }

    /// How many NAT gateways the private tier reaches out through ([`NatGateways::PerZone`] by default).
    pub fn nat_gateways(mut self, nat_gateways: NatGateways) -> Self {
        self.nat_gateways = nat_gateways;
        self
    }

    /// Adds a gateway endpoint to `service`, routed from every tier's route tables (as CDK's
    /// `addGatewayEndpoint`): traffic to S3 or DynamoDB then stays on AWS's network and costs no NAT
    /// processing, and isolated subnets, which have no other way out, reach the service too.
    pub fn gateway_endpoint(mut self, service: GatewayService) -> Self {
        if !self.endpoints.contains(&service) {
            self.endpoints.push(service);
        }
        self
    }

    /// Tags every subnet of `tier` (e.g. `kubernetes.io/role/elb` on the public ones).
    pub fn subnet_tag(mut self, tier: Tier, key: impl Into<String>, value: impl Into<Expr>) -> Self {
        self.subnet_tags.push((tier, key.into(), value.into()));
        self
    }

    /// Adjusts the VPC (tags, `enable_dns_hostnames`, ...).
    pub fn vpc(mut self, adjust: impl FnOnce(Vpc) -> Vpc) -> Self {
        self.vpc = adjust(self.vpc);
        self
    }

    /// Adjusts the flow logs (their log group's retention or encryption key, the traffic recorded).
    pub fn flow_logs(mut self, adjust: impl FnOnce(VpcFlowLogs) -> VpcFlowLogs) -> Self {
        self.flow_logs = adjust(self.flow_logs);
        self
    }

    /// Gives instances launched in the public subnets a public IPv4 address, which checkov flags
    /// (CKV_AWS_130): `reason` is recorded as the accepted finding on each public subnet.
    pub fn public_ip_on_launch(mut self, reason: &str) -> Self {
        self.public_ip_on_launch = Some(reason.to_owned());
        self
    }

    /// The bits the default address plan adds to the VPC's prefix: 8, or fewer so that subnets are no
    /// smaller than /28 (AWS's smallest); at least 2, for the four quarters.
    pub fn default_newbits(vpc_prefix: u8) -> u8 {
        28u8.saturating_sub(vpc_prefix).clamp(2, 8)
    }

    /// The tiers present, in plan order.
    fn present(&self) -> impl Iterator<Item = Tier> + '_ {
        Tier::ALL
            .into_iter()
            .filter(|tier| self.tiers[tier.position() as usize].is_some())
    }

    fn zone_count(&self) -> usize {
        match &self.zones {
            Zones::First(n) => *n,
            Zones::Named(names) => names.len(),
        }
    }

    /// Each present tier's blocks, one per zone: as asked (`default` false) or by the default plan.
    fn plan(&self, vpc: Ipv4Cidr, default: bool) -> Result<Vec<(Tier, Vec<Ipv4Cidr>)>, Vec<String>> {
        let zones = self.zone_count();
        let mut problems = Vec::new();
        let mut plan = Vec::new();
        let defaults = self
            .present()
            .any(|tier| default || self.tiers[tier.position() as usize] == Some(None));
        if defaults {
            // Each tier's quarter must hold a subnet of at most /28 per zone.
            let newbits = Self::default_newbits(vpc.prefix);
            let room = 1usize << (newbits - 2);
            let room = match vpc.prefix {
                // A quarter smaller than /28, AWS's smallest subnet, holds none.
                27.. => 0,
                _ => room,
            };
            if room < zones {
                return Err(vec![format!(
                    "the default address plan gives each tier a quarter of the VPC's block `{vpc}`, \
                     room for {room} subnets of /28 or larger per tier, and the network spans {zones} \
                     zones: expected a larger VPC block, or each tier's blocks (`tier_blocks`)"
                )]);
            }
        }
        for tier in self.present() {
            let what = format!("{} subnets", tier.name().to_lowercase());
            let asked = match &self.tiers[tier.position() as usize] {
                Some(Some(blocks)) if !default => blocks.clone(),
                _ => {
                    let newbits = Self::default_newbits(vpc.prefix);
                    SubnetBlocks::Split {
                        newbits,
                        first: tier.position() << (newbits - 2),
                    }
                }
            };
            let blocks: Vec<Result<Ipv4Cidr, String>> = match asked {
                // A split fails from one zone on for all later ones (their numbers are larger): said
                // once, for the first.
                SubnetBlocks::Split { newbits, first } => {
                    let mut blocks: Vec<_> = (0..zones as u64)
                        .map(|i| vpc.subnet(newbits, first + i))
                        .collect();
                    if let Some(failed) = blocks.iter().position(Result::is_err) {
                        blocks.truncate(failed + 1);
                    }
                    blocks
                }
                SubnetBlocks::Given(given) => {
                    if given.len() != zones {
                        problems.push(format!(
                            "{what}: {} blocks given for {zones} availability zones: expected one \
                             block per zone",
                            given.len()
                        ));
                        continue;
                    }
                    given.iter().map(|text| Ipv4Cidr::parse(text)).collect()
                }
            };
            let mut tier_blocks = Vec::new();
            // The tier's blocks of a wrong size and those outside the VPC's, each said once per tier
            // (one list of blocks is one mistake): (zone, block).
            let (mut sizes, mut outside) = (Vec::new(), Vec::new());
            for (i, block) in blocks.into_iter().enumerate() {
                let zone = i + 1;
                match block {
                    Err(e) => problems.push(format!("{what}, zone {zone}: {e}")),
                    Ok(block) if !(16..=28).contains(&block.prefix) => sizes.push((zone, block)),
                    Ok(block) if !vpc.contains(&block) => outside.push((zone, block)),
                    Ok(block) => tier_blocks.push(block),
                }
            }
            match sizes.as_slice() {
                [] => {}
                [(zone, block)] => problems.push(format!(
                    "{what}, zone {zone}: block `{block}` has prefix /{}; expected a prefix from /16 \
                     to /28",
                    block.prefix
                )),
                many => problems.push(format!(
                    "{what}: blocks {} have prefixes outside /16 to /28; expected a prefix from /16 \
                     to /28",
                    by_zone(many)
                )),
            }
            match outside.as_slice() {
                [] => {}
                [(zone, block)] => problems.push(format!(
                    "{what}, zone {zone}: block `{block}` is outside the VPC's block `{vpc}`: \
                     expected a block inside `{vpc}`"
                )),
                many => problems.push(format!(
                    "{what}: blocks {} are outside the VPC's block `{vpc}`: expected blocks inside \
                     `{vpc}`",
                    by_zone(many)
                )),
            }
            plan.push((tier, tier_blocks));
        }
        let all: Vec<(Tier, usize, Ipv4Cidr)> = plan
            .iter()
            .flat_map(|(tier, blocks)| blocks.iter().enumerate().map(|(i, b)| (*tier, i + 1, *b)))
            .collect();
        let blocks: Vec<Ipv4Cidr> = all.iter().map(|(_, _, b)| *b).collect();
        // Overlaps grouped by the pair of tiers (one tier's blocks placed over another's is one
        // mistake), each pair in the orientation first found.
        type Overlap = ((usize, Ipv4Cidr), (usize, Ipv4Cidr));
        let mut pairs: Vec<((Tier, Tier), Vec<Overlap>)> = Vec::new();
        for (outer, inner) in cidr::overlaps(&blocks) {
            let (mut a, mut b) = (all[outer], all[inner]);
            let found = pairs
                .iter()
                .position(|((x, y), _)| (*x, *y) == (a.0, b.0) || (*x, *y) == (b.0, a.0));
            let index = match found {
                Some(index) => index,
                None => {
                    pairs.push(((a.0, b.0), Vec::new()));
                    pairs.len() - 1
                }
            };
            if pairs[index].0 .0 != a.0 {
                std::mem::swap(&mut a, &mut b);
            }
            pairs[index].1.push(((a.1, a.2), (b.1, b.2)));
        }
        for ((a, b), overlaps) in pairs {
            let (a, b) = (a.name().to_lowercase(), b.name().to_lowercase());
            problems.push(match overlaps.as_slice() {
                [((zone_a, block_a), (zone_b, block_b))] => format!(
                    "{a} subnet of zone {zone_a} (`{block_a}`) overlaps {b} subnet of zone {zone_b} \
                     (`{block_b}`), which AWS refuses (InvalidSubnet.Conflict): expected blocks that \
                     overlap no other subnet's"
                ),
                many => format!(
                    "{a} subnets overlap {b} subnets, which AWS refuses (InvalidSubnet.Conflict): {}; \
                     expected blocks that overlap no other subnet's",
                    many.iter()
                        .map(|((za, ba), (zb, bb))| format!(
                            "zone {za} (`{ba}`) overlaps zone {zb} (`{bb}`)"
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        if problems.is_empty() {
            Ok(plan)
        } else {
            Err(problems)
        }
    }

    /// Declares the network in `stack`: problems of the combination and of the address plan are reported
    /// at the caller's line, each part's own through its builder at the same line.
    #[track_caller]
    pub fn add_to(self, stack: &mut Stack) -> VpcNetworkHandle {
        let at = std::panic::Location::caller();
        let id = self.id.clone();
        // A bad id is said once: the parts named after it are follow-ons (`Stack::check_composite_id`).
        if stack.check_composite_id("network", &id, at) && id.len() > MAX_ID_LEN {
            let problem = format!(
                "invalid network id `{id}`: expected at most {MAX_ID_LEN} characters, as its flow logs' \
                 policy is named `<id>-FlowLogs-Delivery` and IAM takes at most 128, found {}",
                id.len()
            );
            stack.reject_composite_id(&id, problem, at);
        }
        let mut problems = self.problems.clone();
        let has = |tier: Tier| self.tiers[tier.position() as usize].is_some();
        if has(Tier::Private) && !has(Tier::Public) {
            problems.push(
                "private subnets reach out through NAT gateways in public subnets, and the network \
                 has none: expected the public tier too, or the isolated tier instead of the private"
                    .to_owned(),
            );
        }
        if self.present().next().is_none() {
            problems.push("a network without subnets: expected at least one tier".to_owned());
        }
        let given = self.tiers.iter().any(|tier| matches!(tier, Some(Some(_))));
        let plan = match self.cidr.map(|vpc| (vpc, self.plan(vpc, false))) {
            // An invalid VPC block is reported by the VPC itself; the subnets are planned by default in
            // a stand-in block, unchecked, so that blocks given for the intended one add no error.
            None => {
                let stand_in = Ipv4Cidr {
                    address: std::net::Ipv4Addr::new(10, 0, 0, 0),
                    prefix: 16,
                };
                self.plan(stand_in, true).unwrap_or_default()
            }
            Some((_, Ok(plan))) => plan,
            // The blocks asked for do not work: the default plan instead, if it is another one.
            Some((vpc_block, Err(found))) => {
                problems.extend(found);
                match given {
                    true => self.plan(vpc_block, true).unwrap_or_else(|found| {
                        problems.extend(found.into_iter().map(|p| format!("default plan: {p}")));
                        Vec::new()
                    }),
                    false => Vec::new(),
                }
            }
        };
        for problem in problems {
            stack.report(
                Diagnostic::new(problem)
                    .for_resource(&self.id)
                    .at(at),
            );
        }

        let VpcNetwork {
            vpc,
            zones,
            nat_gateways,
            endpoints,
            flow_logs,
            subnet_tags,
            public_ip_on_launch,
            ..
        } = self;
        let vpc = stack.add(vpc);
        let flow_logs = flow_logs.add_to(stack, &vpc);
        let zone_names: Vec<Expr> = match zones {
            Zones::First(count) => stack.availability_zones().names(count),
            Zones::Named(names) => names.into_iter().map(Expr::from).collect(),
        };
        let blocks = |tier: Tier| {
            plan.iter()
                .find(|(t, _)| *t == tier)
                .map(|(_, blocks)| blocks.clone())
                .unwrap_or_default()
        };

        let mut network = VpcNetworkHandle {
            vpc: vpc.clone(),
            internet_gateway: None,
            public_route_table: None,
            public_default_route: None,
            private_route_tables: Vec::new(),
            private_default_routes: Vec::new(),
            isolated_route_table: None,
            nat_gateways: Vec::new(),
            endpoints: Vec::new(),
            flow_logs,
            subnets: [Vec::new(), Vec::new(), Vec::new()],
            blocks: [blocks(Tier::Public), blocks(Tier::Private), blocks(Tier::Isolated)],
        };

        // Subnets, tier by tier; each part is declared here, not in a helper closure, so that its own
        // problems are located at the caller's line (`#[track_caller]` reaches through this function).
        for tier in Tier::ALL {
            let index = tier.position() as usize;
            for (i, block) in network.blocks[index].clone().iter().enumerate() {
                let n = i + 1;
                let zone = zone_names.get(i).cloned().unwrap_or_else(Expr::no_value);
                let mut subnet = Subnet::new(
                    format!("{id}-{}-{n}", tier.name()),
                    &vpc,
                    &block.to_string(),
                )
                .availability_zone(zone);
                subnet = match (tier, &public_ip_on_launch) {
                    (Tier::Public, Some(reason)) => subnet
                        .map_public_ip_on_launch(true)
                        .accept_finding("CKV_AWS_130", reason),
                    (Tier::Public, None) => subnet,
                    // Said explicitly, so that the artifacts show it.
                    _ => subnet.map_public_ip_on_launch(false),
                };
                for (_, key, value) in subnet_tags.iter().filter(|(t, _, _)| *t == tier) {
                    subnet = subnet.tag(key.clone(), value.clone());
                }
                network.subnets[index].push(stack.add(subnet).with_tier(tier));
            }
        }

        if !network.subnets[0].is_empty() {
            let gateway = stack.add(InternetGateway::new(format!("{id}-InternetGateway"), &vpc));
            let table = stack.add(RouteTable::new(format!("{id}-PublicRoutes"), &vpc));
            network.public_default_route = Some(stack.add(Route::to_internet_gateway(
                format!("{id}-PublicDefaultRoute"),
                &table,
                "0.0.0.0/0",
                &gateway,
            )));
            for (i, subnet) in network.subnets[0].iter().enumerate() {
                stack.add(SubnetRouteTableAssociation::new(
                    format!("{id}-Public-{}-Routes", i + 1),
                    subnet,
                    &table,
                ));
            }
            network.internet_gateway = Some(gateway);
            network.public_route_table = Some(table);
        }

        if !network.subnets[1].is_empty() && !network.subnets[0].is_empty() {
            let count = match nat_gateways {
                NatGateways::PerZone => network.subnets[1].len().min(network.subnets[0].len()),
                NatGateways::Single => 1,
            };
            for i in 0..count {
                let n = i + 1;
                // Elastic IPs and public NAT gateways wait for the internet gateway (`ordering`).
                let address = stack.add(ElasticIp::new(format!("{id}-NatAddress-{n}")));
                let nat = stack.add(NatGateway::public(
                    format!("{id}-NatGateway-{n}"),
                    &network.subnets[0][i],
                    &address,
                ));
                let table = stack.add(RouteTable::new(format!("{id}-PrivateRoutes-{n}"), &vpc));
                network.private_default_routes.push(stack.add(Route::to_nat_gateway(
                    format!("{id}-PrivateDefaultRoute-{n}"),
                    &table,
                    "0.0.0.0/0",
                    &nat,
                )));
                network.nat_gateways.push(nat);
                network.private_route_tables.push(table);
            }
            for (i, subnet) in network.subnets[1].iter().enumerate() {
                // The zone's own table, or the one shared table of a single NAT gateway.
                let table = &network.private_route_tables[i.min(count - 1)];
                stack.add(SubnetRouteTableAssociation::new(
                    format!("{id}-Private-{}-Routes", i + 1),
                    subnet,
                    table,
                ));
            }
        }

        if !network.subnets[2].is_empty() {
            // No route out of the VPC: isolated subnets reach only gateway endpoints beyond it.
            let table = stack.add(RouteTable::new(format!("{id}-IsolatedRoutes"), &vpc));
            for (i, subnet) in network.subnets[2].iter().enumerate() {
                stack.add(SubnetRouteTableAssociation::new(
                    format!("{id}-Isolated-{}-Routes", i + 1),
                    subnet,
                    &table,
                ));
            }
            network.isolated_route_table = Some(table);
        }

        let tables: Vec<&RouteTableHandle> = network
            .public_route_table
            .iter()
            .chain(&network.private_route_tables)
            .chain(&network.isolated_route_table)
            .collect();
        if !tables.is_empty() {
            let mut declared = Vec::new();
            for service in endpoints {
                let name = match service {
                    GatewayService::S3 => "S3",
                    GatewayService::DynamoDb => "DynamoDb",
                };
                let endpoint = stack.add(VpcEndpoint::gateway(
                    format!("{id}-{name}Endpoint"),
                    &vpc,
                    service,
                    &tables,
                ));
                declared.push((service, endpoint));
            }
            network.endpoints = declared;
        }
        network
    }
}

/// The longest id a network takes: its flow logs' IAM policy is named `<id>-FlowLogs-Delivery`, and IAM
/// takes policy names of at most 128 characters (its parts' ids, up to `<id>-PrivateDefaultRoute-8`, fit
/// [`stackwright_core::ids::MAX_LEN`] then too).
pub const MAX_ID_LEN: usize = 128 - "-FlowLogs-Delivery".len();

/// Blocks with their zones, for messages: `` `10.1.0.0/24` (zone 1), `10.1.1.0/24` (zone 2) ``.
fn by_zone(blocks: &[(usize, Ipv4Cidr)]) -> String {
    blocks
        .iter()
        .map(|(zone, block)| format!("`{block}` (zone {zone})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What [`VpcNetwork::add_to`] declared: the VPC, each tier's subnets in zone order, their route tables,
/// routes and gateways, for other constructs (`network.private_subnets()`).
#[derive(Clone, Debug)]
pub struct VpcNetworkHandle {
    vpc: VpcHandle,
    internet_gateway: Option<InternetGatewayHandle>,
    public_route_table: Option<RouteTableHandle>,
    public_default_route: Option<RouteHandle>,
    private_route_tables: Vec<RouteTableHandle>,
    private_default_routes: Vec<RouteHandle>,
    isolated_route_table: Option<RouteTableHandle>,
    nat_gateways: Vec<NatGatewayHandle>,
    endpoints: Vec<(GatewayService, VpcEndpointHandle)>,
    flow_logs: VpcFlowLogsHandle,
    /// Per tier (plan order), its subnets and their blocks, in zone order.
    subnets: [Vec<SubnetHandle>; 3],
    blocks: [Vec<Ipv4Cidr>; 3],
}

impl VpcNetworkHandle {
    /// The VPC.
    pub fn vpc(&self) -> &VpcHandle {
        &self.vpc
    }

    /// The subnets of `tier`, one per zone in zone order (none when the tier is left out).
    pub fn subnets(&self, tier: Tier) -> &[SubnetHandle] {
        &self.subnets[tier.position() as usize]
    }

    /// The CIDR blocks of `tier`'s subnets, in zone order: for security group rules that admit a tier.
    pub fn subnet_blocks(&self, tier: Tier) -> &[Ipv4Cidr] {
        &self.blocks[tier.position() as usize]
    }

    /// The public subnets: load balancers.
    pub fn public_subnets(&self) -> &[SubnetHandle] {
        self.subnets(Tier::Public)
    }

    /// The private subnets: instances, tasks, functions.
    pub fn private_subnets(&self) -> &[SubnetHandle] {
        self.subnets(Tier::Private)
    }

    /// The isolated subnets: databases, caches.
    pub fn isolated_subnets(&self) -> &[SubnetHandle] {
        self.subnets(Tier::Isolated)
    }

    /// The internet gateway, when the network has public subnets.
    pub fn internet_gateway(&self) -> Option<&InternetGatewayHandle> {
        self.internet_gateway.as_ref()
    }

    /// The route tables of `tier`: one for public and isolated subnets, one per NAT gateway for private
    /// ones.
    pub fn route_tables(&self, tier: Tier) -> Vec<&RouteTableHandle> {
        match tier {
            Tier::Public => self.public_route_table.iter().collect(),
            Tier::Private => self.private_route_tables.iter().collect(),
            Tier::Isolated => self.isolated_route_table.iter().collect(),
        }
    }

    /// The public subnets' route to the internet gateway: what booting instances there need.
    pub fn public_default_route(&self) -> Option<&RouteHandle> {
        self.public_default_route.as_ref()
    }

    /// The private subnets' routes through NAT (one per NAT gateway): instances there boot only once
    /// these exist (`depends_on`).
    pub fn private_default_routes(&self) -> &[RouteHandle] {
        &self.private_default_routes
    }

    /// The NAT gateways, in zone order.
    pub fn nat_gateways(&self) -> &[NatGatewayHandle] {
        &self.nat_gateways
    }

    /// The gateway endpoint to `service`, when the network has one.
    pub fn gateway_endpoint(&self, service: GatewayService) -> Option<&VpcEndpointHandle> {
        self.endpoints
            .iter()
            .find(|(s, _)| *s == service)
            .map(|(_, endpoint)| endpoint)
    }

    /// The flow logs' group, role and flow log.
    pub fn flow_logs(&self) -> &VpcFlowLogsHandle {
        &self.flow_logs
    }

    /// The network a [`ReplicatedService`](crate::service::ReplicatedService) takes: its load balancer in
    /// the public subnets, its instances in the private ones (the public ones when there are none).
    pub fn for_service(&self) -> service::Network<'_> {
        let instances = match self.private_subnets() {
            [] => self.public_subnets(),
            private => private,
        };
        service::Network {
            vpc: &self.vpc,
            public_subnets: self.public_subnets(),
            instance_subnets: instances,
        }
    }
}
