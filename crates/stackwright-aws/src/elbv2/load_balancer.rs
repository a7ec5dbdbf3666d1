use crate::check;
use crate::construct::{
    deletion_protection_text, object, Attribute, Form, Network, Reach, Read, Spelling,
};
use crate::ec2::{SecurityGroupHandle, SubnetHandle};
use crate::handle::{attr_handle, common_setters, patchable};
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Value};

/// A load balancer in each target.
pub(crate) static LOAD_BALANCER: Spelling = Spelling {
    kind: kinds::LOAD_BALANCER,
    cloudformation: "AWS::ElasticLoadBalancingV2::LoadBalancer",
    terraform: "aws_lb",
    terraform_tags: true,
    attributes: &[
        Attribute::new("arn", Read::Ref, "arn"),
        Attribute::new("dns_name", Read::GetAtt("DNSName"), "dns_name"),
        Attribute::new(
            "canonical_hosted_zone_id",
            Read::GetAtt("CanonicalHostedZoneID"),
            "zone_id",
        ),
        Attribute::new("full_name", Read::GetAtt("LoadBalancerFullName"), "arn_suffix"),
        Attribute::new("name", Read::GetAtt("LoadBalancerName"), "name"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// An application (HTTP/HTTPS, layer 7) or network (TCP/UDP/TLS, layer 4) load balancer.
///
/// Secure by default:
/// - an application load balancer drops HTTP header fields that are not valid
///   (`routing.http.drop_invalid_header_fields.enabled`), so malformed headers cannot smuggle requests to
///   the targets; the opt-out is [`LoadBalancer::allow_invalid_header_fields_insecure`];
/// - deletion protection is on: the load balancer's DNS name is what clients and DNS records point at, so
///   deleting it (the resource left the definition, its id changed, or a change such as the scheme forces a
///   replacement) is an outage. CloudFormation and Terraform then fail to delete it until an update turns
///   protection off with `.deletion_protection(false)`; an environment that tears down completely
///   (`Environment::removal_policy(RemovalPolicy::Destroy)`) has it off unless the load balancer sets it.
///
/// A network load balancer balances across zones (`load_balancing.cross_zone.enabled`) unless
/// `.cross_zone(false)`, so that losing the targets of one zone does not black-hole that zone's address.
pub struct LoadBalancer {
    resource: Resource,
    application: bool,
    subnets: Vec<Value>,
    security_groups: Vec<SecurityGroupHandle>,
}

/// Whether a load balancer has public addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// Private addresses only, reachable from inside the VPC (and connected networks).
    Internal,
    /// Public addresses, reachable from the internet; its subnets must route to an internet gateway.
    InternetFacing,
}

impl LoadBalancer {
    /// An application load balancer in `subnets` (AWS requires subnets in at least two availability zones),
    /// allowing the traffic that `security_groups` allow.
    #[track_caller]
    pub fn application<'a>(
        id: impl Into<String>,
        scheme: Scheme,
        subnets: impl IntoIterator<Item = &'a SubnetHandle>,
        security_groups: impl IntoIterator<Item = &'a SecurityGroupHandle>,
    ) -> Self {
        let mut lb = Self::new(id.into(), true, scheme, subnets);
        lb.security_groups = security_groups.into_iter().cloned().collect();
        lb.resource.set("drop_invalid_header_fields", true);
        lb
    }

    /// A network load balancer in `subnets`.
    #[track_caller]
    pub fn network<'a>(
        id: impl Into<String>,
        scheme: Scheme,
        subnets: impl IntoIterator<Item = &'a SubnetHandle>,
    ) -> Self {
        let mut lb = Self::new(id.into(), false, scheme, subnets);
        lb.resource.set("cross_zone", true);
        lb
    }

    #[track_caller]
    fn new<'a>(
        id: String,
        application: bool,
        scheme: Scheme,
        subnets: impl IntoIterator<Item = &'a SubnetHandle>,
    ) -> Self {
        let mut resource = Resource::new(id, kinds::LOAD_BALANCER);
        let kind = if application {
            "application"
        } else {
            "network"
        };
        resource.set("type", kind);
        resource.set(
            "scheme",
            match scheme {
                Scheme::Internal => "internal",
                Scheme::InternetFacing => "internet-facing",
            },
        );
        resource.set("deletion_protection", true);
        // checkov CKV_AWS_91 (access logs) fails unless `.access_logs(bucket, prefix)` is set: logging
        // needs an S3 bucket whose policy lets Elastic Load Balancing write, which is not part of a load
        // balancer. CKV2_AWS_28 (WAF on an internet-facing application load balancer) needs a WAF web ACL,
        // which is outside this catalog. CKV_AWS_150 fails only after `.deletion_protection(false)`.
        LoadBalancer {
            resource,
            application,
            subnets: subnets.into_iter().map(|s| s.id().into()).collect(),
            security_groups: Vec::new(),
        }
    }

    /// Adds a security group (network load balancers may have them too).
    pub fn security_group(mut self, group: &SecurityGroupHandle) -> Self {
        self.security_groups.push(group.clone());
        self
    }

    /// Turns deletion protection off (it is on by default, see the type's documentation).
    pub fn deletion_protection(mut self, enabled: bool) -> Self {
        self.resource.set("deletion_protection", enabled);
        self.resource.removal_chosen = true;
        self
    }

    /// Writes access logs to an S3 bucket (by name) under `prefix`. The bucket's policy must let Elastic
    /// Load Balancing write there, and it must be encrypted with S3-managed keys.
    pub fn access_logs(mut self, bucket: impl Into<Expr>, prefix: &str) -> Self {
        let logs = vec![
            ("bucket".to_owned(), Value::Str(bucket.into())),
            ("prefix".to_owned(), Value::from(prefix)),
        ];
        self.resource.set("access_logs", Value::Map(logs));
        self
    }

    /// Cross-zone load balancing of a network load balancer (on by default; application load balancers
    /// always balance across zones).
    pub fn cross_zone(mut self, enabled: bool) -> Self {
        if self.application {
            self.resource.problems.push(
                "cross-zone load balancing is always on for an application load balancer: \
                 expected `cross_zone` only on a network load balancer"
                    .to_owned(),
            );
        }
        self.resource.set("cross_zone", enabled);
        self
    }

    /// How long an application load balancer keeps an idle connection open (1 to 4000 seconds; AWS
    /// default 60).
    pub fn idle_timeout_seconds(mut self, seconds: u32) -> Self {
        check::range(
            &mut self.resource,
            "idle timeout in seconds",
            seconds.into(),
            1,
            4000,
        );
        if !self.application {
            self.resource.problems.push(
                "an idle timeout on a network load balancer: expected it only on an application \
                 load balancer"
                    .to_owned(),
            );
        }
        self.resource
            .set("idle_timeout_seconds", i64::from(seconds));
        self
    }

    /// Opt-out of dropping invalid HTTP header fields, for clients that send them and cannot be fixed.
    pub fn allow_invalid_header_fields_insecure(mut self) -> Self {
        self.resource.set("drop_invalid_header_fields", false);
        self
    }
}
common_setters!(LoadBalancer, taggable);
patchable!(LoadBalancer, LOAD_BALANCER);
crate::naming::physical_name!(LoadBalancer);

attr_handle!(
    /// A declared load balancer.
    LoadBalancerHandle {
        arn: "arn",
        /// The DNS name clients resolve (`my-lb-123.us-west-2.elb.amazonaws.com`).
        dns_name: "dns_name",
        /// The Route 53 hosted zone of `dns_name`, for alias records.
        canonical_hosted_zone_id: "canonical_hosted_zone_id",
        /// `app/my-lb/50dc6c495c0c9188`: the `LoadBalancer` dimension of CloudWatch metrics.
        full_name: "full_name",
        name: "name",
    } application: bool, security_groups: Vec<SecurityGroupHandle>
);

impl LoadBalancerHandle {
    /// Whether this is an application load balancer (else a network one).
    pub(crate) fn is_application(&self) -> bool {
        self.application
    }

    /// The security groups declared with the load balancer (none for one given by ARN).
    pub fn security_groups(&self) -> &[SecurityGroupHandle] {
        &self.security_groups
    }
}

impl LoadBalancer {
    /// An application load balancer that exists outside the app, by ARN; only `arn` can be used
    /// (listeners on it are checked as on an application load balancer).
    #[track_caller]
    pub fn application_from_arn(
        id: impl Into<String>,
        arn: impl Into<Expr>,
    ) -> crate::Existing<LoadBalancerHandle> {
        Self::from_arn(id.into(), arn.into(), true)
    }

    /// A network load balancer that exists outside the app, by ARN; only `arn` can be used.
    #[track_caller]
    pub fn network_from_arn(
        id: impl Into<String>,
        arn: impl Into<Expr>,
    ) -> crate::Existing<LoadBalancerHandle> {
        Self::from_arn(id.into(), arn.into(), false)
    }

    #[track_caller]
    fn from_arn(id: String, arn: Expr, application: bool) -> crate::Existing<LoadBalancerHandle> {
        crate::Existing::new(
            id,
            kinds::LOAD_BALANCER,
            vec![("arn", arn)],
            move |handle| LoadBalancerHandle {
                handle,
                application,
                security_groups: Vec::new(),
            },
        )
    }
}

impl Declare for LoadBalancer {
    type Handle = LoadBalancerHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, LoadBalancerHandle) {
        let r = &mut self.resource;
        let needed = if self.application { 2 } else { 1 };
        if self.subnets.len() < needed {
            r.problems.push(format!(
                "{} has {} subnet(s): expected at least {needed}{}",
                super::family(self.application),
                self.subnets.len(),
                if self.application {
                    ", in different availability zones"
                } else {
                    ""
                }
            ));
        }
        if self.application && self.security_groups.is_empty() {
            r.problems.push(
                "an application load balancer has no security group: expected at least one, \
                 allowing the listeners' ports"
                    .to_owned(),
            );
        }
        r.set("subnets", Value::List(self.subnets));
        if !self.security_groups.is_empty() {
            let groups = self.security_groups.iter().map(|g| Value::Str(g.id()));
            r.set("security_groups", Value::List(groups.collect()));
        }
        let handle = LoadBalancerHandle {
            handle: Handle(at),
            application: self.application,
            security_groups: self.security_groups,
        };
        let mut resource = self.resource;
        spell(&mut resource);
        (resource, handle)
    }
}

/// Writes the load balancer's forms from the builder's properties.
fn spell(resource: &mut Resource) {
    let lb = &*resource;
    let scheme = lb.get("scheme").cloned();
    let protected = lb.get("deletion_protection").and_then(Value::as_bool);
    // CloudFormation's `LoadBalancerAttributes`: `{"Key", "Value"}` pairs whose values are strings.
    let mut attributes = Vec::new();
    let mut attribute = |key: &str, value: Value| {
        attributes.push(object(&[("Key", Value::from(key)), ("Value", value)]));
    };
    if protected.is_some() {
        attribute("deletion_protection.enabled", deletion_protection_text());
    }
    let flags = [
        (
            "drop_invalid_header_fields",
            "routing.http.drop_invalid_header_fields.enabled",
        ),
        ("cross_zone", "load_balancing.cross_zone.enabled"),
    ];
    for (from, key) in flags {
        if let Some(flag) = lb.get(from).and_then(Value::as_bool) {
            attribute(key, Value::from(flag.to_string()));
        }
    }
    if let Some(seconds) = lb.get("idle_timeout_seconds").and_then(Value::as_int) {
        attribute("idle_timeout.timeout_seconds", Value::from(seconds.to_string()));
    }
    let logs = lb.get("access_logs");
    if let Some(logs) = logs {
        attribute("access_logs.s3.enabled", Value::from("true"));
        for (from, key) in [("bucket", "access_logs.s3.bucket"), ("prefix", "access_logs.s3.prefix")] {
            if let Some(v) = logs.get(from) {
                attribute(key, v.clone());
            }
        }
    }

    let mut cfn = Form::new();
    cfn.copy(lb, "type", "Type")
        .copy(lb, "scheme", "Scheme")
        .physical_name("Name")
        .copy(lb, "subnets", "Subnets")
        .copy(lb, "security_groups", "SecurityGroups");
    if !attributes.is_empty() {
        cfn.set("LoadBalancerAttributes", Value::List(attributes));
    }

    let mut tf = Form::new();
    tf.physical_name("name").copy(lb, "type", "load_balancer_type");
    if let Some(scheme) = &scheme {
        let internal = scheme.as_expr().and_then(Expr::as_literal) == Some("internal");
        tf.set("internal", internal);
    }
    tf.copy(lb, "subnets", "subnets")
        .copy(lb, "security_groups", "security_groups");
    if protected.is_some() {
        tf.deletion_protection("enable_deletion_protection");
    }
    if protected == Some(true) {
        tf.checkov_skip_when_unprotected("CKV_AWS_150");
    }
    tf.copy(lb, "drop_invalid_header_fields", "drop_invalid_header_fields")
        .copy(lb, "cross_zone", "enable_cross_zone_load_balancing")
        .copy(lb, "idle_timeout_seconds", "idle_timeout");
    if let Some(logs) = logs {
        let mut block = Vec::new();
        for from in ["bucket", "prefix"] {
            if let Some(v) = logs.get(from) {
                block.push((from, v.clone()));
            }
        }
        block.push(("enabled", Value::Bool(true)));
        tf.set("access_logs", object(&block));
    }
    construct::finish(resource, cfn, tf);
    // An internet-facing load balancer has public addresses in its subnets: it waits for their VPC's
    // internet gateway.
    let internet_facing = scheme.as_ref().and_then(Value::as_expr).and_then(Expr::as_literal)
        == Some("internet-facing");
    if internet_facing {
        construct::set_network(resource, Network::PublicAddress(Reach::Subnets));
    }
}
