//! Route 53 DNS: hosted zones and records.

use crate::check;
use crate::ec2::VpcHandle;
use crate::elbv2::LoadBalancerHandle;
use crate::handle::{attr_handle, common_setters, patchable};
use crate::construct::{object, Attribute, Form, Read, Spelling};
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Expr, RemovalPolicy, Resource, ResourceRef, Value};
use std::net::{Ipv4Addr, Ipv6Addr};

/// A hosted zone: the DNS records of a domain.
///
/// Stateful: the domain's registrar (or parent zone) delegates to the zone's name servers, which a new
/// zone would not have, and its records may have been added outside the definition. So it is kept when it
/// leaves the definition or is replaced (`RemovalPolicy::Retain`) unless the policy says otherwise.
pub struct HostedZone {
    resource: Resource,
    name: String,
    vpcs: Vec<Value>,
}

impl HostedZone {
    /// A public zone for `name`, e.g. `example.com`.
    #[track_caller]
    pub fn new(id: impl Into<String>, name: &str) -> Self {
        Self::with_id(id.into(), name)
    }

    #[track_caller]
    fn with_id(id: String, name: &str) -> Self {
        let mut resource = Resource::new(id, kinds::HOSTED_ZONE);
        if let Err(e) = check::domain_name(name, false) {
            resource.problems.push(format!("hosted zone: {e}"));
        }
        resource.set("name", name);
        // checkov CKV2_AWS_38 (DNSSEC signing) and CKV2_AWS_39 (query logging) fail on public zones:
        // signing needs an asymmetric KMS key in us-east-1 and a key-signing key, logging a CloudWatch log
        // group in us-east-1 with a resource policy for Route 53; none of them is part of a zone.
        resource.removal_policy = RemovalPolicy::Retain;
        HostedZone {
            resource,
            name: name.to_owned(),
            vpcs: Vec::new(),
        }
    }

    pub fn comment(mut self, text: &str) -> Self {
        if text.chars().count() > 256 {
            self.resource.problems.push(format!(
                "hosted zone comment is {} characters long: expected at most 256",
                text.chars().count()
            ));
        }
        self.resource.set("comment", text);
        self
    }

    /// Makes the zone private, answering only inside `vpc` (of this environment's region); repeatable.
    pub fn private_to(mut self, vpc: &VpcHandle) -> Self {
        self.vpcs.push(vpc.id().into());
        self
    }
}
common_setters!(HostedZone, taggable, stateful);
patchable!(HostedZone, HOSTED_ZONE);

attr_handle!(
    /// A declared hosted zone.
    HostedZoneHandle {
        /// The zone id (`Z1D633PJN98FT9`).
        id: "id",
    } name: String
);

impl HostedZoneHandle {
    /// The zone's domain name as declared.
    pub(crate) fn domain(&self) -> &str {
        &self.name
    }
}

impl HostedZone {
    /// A hosted zone that exists outside the app, by id (`Z...`) and domain name (records and
    /// certificates in it are checked against the name); only `id` can be used.
    #[track_caller]
    pub fn from_id(
        id: impl Into<String>,
        zone_id: impl Into<Expr>,
        zone_name: &str,
    ) -> crate::Existing<HostedZoneHandle> {
        let name = zone_name.trim_end_matches('.').to_ascii_lowercase();
        crate::Existing::new(
            id,
            kinds::HOSTED_ZONE,
            vec![("id", zone_id.into())],
            move |handle| HostedZoneHandle { handle, name },
        )
    }
}

impl Declare for HostedZone {
    type Handle = HostedZoneHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, HostedZoneHandle) {
        let zone = &self.resource;
        let mut cfn = Form::new();
        cfn.copy(zone, "name", "Name");
        if let Some(comment) = zone.get("comment") {
            cfn.set("HostedZoneConfig", object(&[("Comment", comment.clone())]));
        }
        let mut tf = Form::new();
        tf.copy(zone, "name", "name")
            .copy(zone, "comment", "comment")
            // `terraform destroy` deletes records Terraform does not manage too (AWS refuses to delete a
            // zone that holds any besides its NS and SOA records).
            .when_destroyed("force_destroy", true);
        if !self.vpcs.is_empty() {
            // A private zone's VPCs are in the environment's region.
            let vpcs = self.vpcs.iter().map(|vpc| {
                object(&[("VPCId", vpc.clone()), ("VPCRegion", construct::region())])
            });
            cfn.set("VPCs", Value::List(vpcs.collect()));
            let vpcs = self.vpcs.into_iter().map(|vpc| object(&[("vpc_id", vpc)]));
            tf.set("vpc", Value::List(vpcs.collect()));
        }
        construct::finish(&mut self.resource, cfn, tf);
        let handle = HostedZoneHandle {
            handle: Handle(at),
            name: self.name,
        };
        (self.resource, handle)
    }
}

/// A hosted zone in each target.
pub(crate) static HOSTED_ZONE: Spelling = Spelling {
    kind: kinds::HOSTED_ZONE,
    cloudformation: "AWS::Route53::HostedZone",
    terraform: "aws_route53_zone",
    terraform_tags: true,
    attributes: &[Attribute::new("id", Read::Ref, "zone_id")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// DNS record types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordType {
    A,
    Aaaa,
    Cname,
    Txt,
    Mx,
    Ns,
    Srv,
    Caa,
}

impl RecordType {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Cname => "CNAME",
            RecordType::Txt => "TXT",
            RecordType::Mx => "MX",
            RecordType::Ns => "NS",
            RecordType::Srv => "SRV",
            RecordType::Caa => "CAA",
        }
    }
}

/// What an alias record answers with: the current addresses of an AWS resource, resolved by Route 53.
#[derive(Clone, Debug)]
pub struct AliasTarget {
    dns_name: Expr,
    hosted_zone_id: Expr,
    evaluate_target_health: bool,
}

impl AliasTarget {
    /// A load balancer; Route 53 answers only while it has healthy targets (see
    /// [`AliasTarget::evaluate_target_health`]).
    pub fn load_balancer(lb: &LoadBalancerHandle) -> Self {
        AliasTarget {
            dns_name: lb.dns_name(),
            hosted_zone_id: lb.canonical_hosted_zone_id(),
            evaluate_target_health: true,
        }
    }

    /// An API Gateway custom domain ([`CustomDomain`](crate::apigatewayv2::CustomDomain)): its regional
    /// domain name and hosted zone. API Gateway has no target health to evaluate.
    pub fn api_gateway_domain(domain: &crate::apigatewayv2::CustomDomainHandle) -> Self {
        AliasTarget {
            dns_name: domain.regional_domain_name(),
            hosted_zone_id: domain.regional_hosted_zone_id(),
            evaluate_target_health: false,
        }
    }

    /// Whether Route 53 stops answering with the target while it is unhealthy (on by default), so that a
    /// failover or weighted record set can answer instead.
    pub fn evaluate_target_health(mut self, enabled: bool) -> Self {
        self.evaluate_target_health = enabled;
        self
    }
}

/// A DNS record in a hosted zone: plain values with a TTL, or an alias to an AWS resource.
pub struct Record {
    resource: Resource,
}

impl Record {
    /// A record answering with `values` (IP addresses for A and AAAA, a domain name for CNAME, the text for
    /// TXT without surrounding quotes, ...), cached for 300 seconds unless `.ttl_seconds(...)`. `name` is
    /// the full name, inside the zone (`www.example.com`).
    #[track_caller]
    pub fn new<V: Into<Expr>>(
        id: impl Into<String>,
        zone: &HostedZoneHandle,
        name: &str,
        record_type: RecordType,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        let values = values.into_iter().map(Into::into).collect();
        Self::with_values(id.into(), zone, name, record_type, values)
    }

    #[track_caller]
    fn with_values(
        id: String,
        zone: &HostedZoneHandle,
        name: &str,
        record_type: RecordType,
        values: Vec<Expr>,
    ) -> Self {
        let mut resource = Self::base(id, zone, name, record_type);
        // checkov CKV2_AWS_23 fails on a plain A record whose address is not a resource of the same
        // configuration (it suspects a dangling record); an address outside the definition is legitimate,
        // and `Record::alias` is the form for AWS resources.
        check_values(&mut resource, record_type, &values);
        resource.set("ttl", 300_i64);
        resource.set(
            "values",
            Value::List(values.into_iter().map(Value::Str).collect()),
        );
        Record { resource }
    }

    /// An alias record (A for IPv4, AAAA for IPv6) answering with the target's current addresses. Aliases
    /// are free to query and work at the zone apex, where CNAME records cannot.
    #[track_caller]
    pub fn alias(
        id: impl Into<String>,
        zone: &HostedZoneHandle,
        name: &str,
        record_type: RecordType,
        target: AliasTarget,
    ) -> Self {
        Self::with_alias(id.into(), zone, name, record_type, target)
    }

    #[track_caller]
    fn with_alias(
        id: String,
        zone: &HostedZoneHandle,
        name: &str,
        record_type: RecordType,
        target: AliasTarget,
    ) -> Self {
        let mut resource = Self::base(id, zone, name, record_type);
        if !matches!(record_type, RecordType::A | RecordType::Aaaa) {
            resource.problems.push(format!(
                "an alias record of type {}: expected A or AAAA for an alias to a load balancer or API domain",
                record_type.as_str()
            ));
        }
        let alias = vec![
            ("dns_name".to_owned(), Value::Str(target.dns_name)),
            (
                "hosted_zone_id".to_owned(),
                Value::Str(target.hosted_zone_id),
            ),
            (
                "evaluate_target_health".to_owned(),
                Value::Bool(target.evaluate_target_health),
            ),
        ];
        resource.set("alias", Value::Map(alias));
        Record { resource }
    }

    #[track_caller]
    fn base(id: String, zone: &HostedZoneHandle, name: &str, record_type: RecordType) -> Resource {
        let mut resource = Resource::new(id, kinds::RECORD);
        match check::domain_name(name, true) {
            Err(e) => resource.problems.push(format!("record name: {e}")),
            Ok(()) if !check::is_within_zone(name, zone.domain()) => {
                resource.problems.push(format!(
                    "record name `{name}` is outside its hosted zone `{}`: expected the zone's name or a \
                     name ending in `.{}`",
                    zone.domain(),
                    zone.domain().trim_end_matches('.')
                ))
            }
            Ok(()) => {}
        }
        resource.set("hosted_zone_id", zone.id());
        resource.set("name", name);
        resource.set("type", record_type.as_str());
        resource
    }

    /// How long resolvers cache the answer (0 to 2147483647 seconds). Not for alias records, whose TTL is
    /// the target's.
    pub fn ttl_seconds(mut self, ttl: u32) -> Self {
        if self.resource.get("alias").is_some() {
            self.resource.problems.push(
                "a TTL on an alias record: expected none, alias records take their target's TTL"
                    .to_owned(),
            );
        }
        check::range(
            &mut self.resource,
            "record TTL in seconds",
            ttl.into(),
            0,
            2_147_483_647,
        );
        self.resource.set("ttl", i64::from(ttl));
        self
    }
}
common_setters!(Record);
patchable!(Record, RECORD);

/// Checks the literal values of a plain record against its type; references are checked at deploy time.
fn check_values(r: &mut Resource, record_type: RecordType, values: &[Expr]) {
    if values.is_empty() {
        r.problems.push(format!(
            "a {} record without values: expected at least one",
            record_type.as_str()
        ));
    }
    if record_type == RecordType::Cname && values.len() > 1 {
        r.problems.push(format!(
            "a CNAME record with {} values: expected exactly one",
            values.len()
        ));
    }
    for text in values.iter().filter_map(Expr::as_literal) {
        let problem = match record_type {
            RecordType::A if text.parse::<Ipv4Addr>().is_err() => {
                Some("expected an IPv4 address like `192.0.2.1`".to_owned())
            }
            RecordType::Aaaa if text.parse::<Ipv6Addr>().is_err() => {
                Some("expected an IPv6 address like `2001:db8::1`".to_owned())
            }
            RecordType::Cname => check::domain_name(text, false).err(),
            RecordType::Txt if text.chars().count() > 255 || text.contains('"') => Some(
                "expected at most 255 characters without `\"` (quoting is added for each target)"
                    .to_owned(),
            ),
            _ => None,
        };
        if let Some(problem) = problem {
            r.problems.push(format!(
                "invalid {} record value `{text}`: {problem}",
                record_type.as_str()
            ));
        }
    }
}

attr_handle!(
    /// A declared record.
    RecordHandle {
        /// The record's fully qualified domain name.
        name: "name",
    }
);

impl Declare for Record {
    type Handle = RecordHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, RecordHandle) {
        let (cfn, tf) = record_forms(&self.resource);
        construct::finish(&mut self.resource, cfn, tf);
        (self.resource, RecordHandle { handle: Handle(at) })
    }
}

/// A record in each target.
pub(crate) static RECORD: Spelling = Spelling {
    kind: kinds::RECORD,
    cloudformation: "AWS::Route53::RecordSet",
    terraform: "aws_route53_record",
    terraform_tags: false,
    attributes: &[Attribute::new("name", Read::Ref, "fqdn")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// The record's properties in each target, from the builder's own.
fn record_forms(record: &Resource) -> (Form, Form) {
    let mut cfn = Form::new();
    let mut tf = Form::new();
    cfn.copy(record, "hosted_zone_id", "HostedZoneId")
        .copy(record, "name", "Name")
        .copy(record, "type", "Type");
    tf.copy(record, "hosted_zone_id", "zone_id")
        .copy(record, "name", "name")
        .copy(record, "type", "type")
        .copy(record, "ttl", "ttl")
        // TXT values stay unquoted: the provider adds the quotes Route 53 wants.
        .copy(record, "values", "records");
    if let Some(alias) = record.get("alias") {
        let field = |key: &str| alias.get(key).cloned().unwrap_or(Value::Map(Vec::new()));
        cfn.set(
            "AliasTarget",
            object(&[
                ("DNSName", field("dns_name")),
                ("HostedZoneId", field("hosted_zone_id")),
                ("EvaluateTargetHealth", field("evaluate_target_health")),
            ]),
        );
        tf.set(
            "alias",
            object(&[
                ("name", field("dns_name")),
                ("zone_id", field("hosted_zone_id")),
                ("evaluate_target_health", field("evaluate_target_health")),
            ]),
        );
    }
    if let Some(ttl) = record.get("ttl").and_then(Value::as_int) {
        // A string in CloudFormation's schema.
        cfn.set("TTL", ttl.to_string());
    }
    let txt = record.get("type").and_then(Value::as_expr) == Some(&Expr::from("TXT"));
    if let Some(values) = record.get("values").and_then(Value::as_list) {
        let values = values
            .iter()
            .map(|value| match value.as_expr() {
                // Route 53 takes TXT data as quoted character strings.
                Some(text) if txt => Value::Str(quoted(text)),
                _ => value.clone(),
            })
            .collect();
        cfn.set("ResourceRecords", Value::List(values));
    }
    (cfn, tf)
}

/// `text` as one DNS character string: in double quotes, with `"` and `\` escaped in literal parts.
fn quoted(text: &Expr) -> Expr {
    let escape = |part: &Expr| match part {
        Expr::Literal(s) => Expr::from(s.replace('\\', "\\\\").replace('"', "\\\"")),
        other => other.clone(),
    };
    let parts = match text {
        Expr::Concat(parts) => parts.iter().map(escape).collect(),
        single => vec![escape(single)],
    };
    Expr::concat(
        std::iter::once(Expr::from("\""))
            .chain(parts)
            .chain(std::iter::once(Expr::from("\""))),
    )
}
