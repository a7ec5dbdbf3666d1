use super::Protocol;
use crate::check;
use crate::construct::{object, Attribute, Form, Read, Spelling};
use crate::ec2::VpcHandle;
use crate::handle::{attr_handle, common_setters, patchable};
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Resource, ResourceRef, Value};

/// A target group in each target.
pub(crate) static TARGET_GROUP: Spelling = Spelling {
    kind: kinds::TARGET_GROUP,
    cloudformation: "AWS::ElasticLoadBalancingV2::TargetGroup",
    terraform: "aws_lb_target_group",
    terraform_tags: true,
    attributes: &[
        Attribute::new("arn", Read::Ref, "arn"),
        Attribute::new("full_name", Read::GetAtt("TargetGroupFullName"), "arn_suffix"),
        Attribute::new("name", Read::GetAtt("TargetGroupName"), "name"),
    ],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A target group: where a listener sends traffic, and how the load balancer checks the targets' health.
///
/// The health check is always written out (by default AWS's own: `GET /` for HTTP and HTTPS groups, a TCP
/// connection otherwise), so that the artifact shows what decides a target's health.
pub struct TargetGroup {
    resource: Resource,
    protocol: Protocol,
    target_type: TargetType,
    health_check: HealthCheck,
}

/// What the targets are registered by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TargetType {
    /// EC2 instances, e.g. those of an auto scaling group.
    #[default]
    Instance,
    /// IP addresses, e.g. containers with their own network interface.
    Ip,
}

/// How the load balancer checks targets. Unset fields keep the AWS defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HealthCheck {
    /// The path requested by HTTP and HTTPS checks (default `/`).
    pub path: Option<String>,
    /// Defaults to the target group's protocol for HTTP and HTTPS groups, TCP otherwise.
    pub protocol: Option<Protocol>,
    /// Defaults to the port each target receives traffic on.
    pub port: Option<u16>,
    pub interval_seconds: Option<u32>,
    pub timeout_seconds: Option<u32>,
    pub healthy_threshold: Option<u32>,
    pub unhealthy_threshold: Option<u32>,
    /// HTTP status codes of a healthy target: `200`, `200,202` or `200-299`.
    pub success_codes: Option<String>,
}

impl HealthCheck {
    /// An HTTP(S) check of `path`, with AWS defaults for the rest.
    pub fn http(path: impl Into<String>) -> Self {
        HealthCheck {
            path: Some(path.into()),
            ..HealthCheck::default()
        }
    }
}

/// Keeps a client's requests on one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stickiness {
    /// The application load balancer issues its own cookie (`AWSALB`), valid for `duration_seconds`.
    LoadBalancerCookie { duration_seconds: u32 },
    /// Follows a cookie the application sets, named `cookie_name`.
    ApplicationCookie {
        cookie_name: String,
        duration_seconds: u32,
    },
    /// A network load balancer keeps each client IP address on one target.
    SourceIp,
}

impl TargetGroup {
    /// Targets in `vpc` receive `protocol` traffic on `port`.
    #[track_caller]
    pub fn new(id: impl Into<String>, protocol: Protocol, port: u16, vpc: &VpcHandle) -> Self {
        let mut resource = Resource::new(id, kinds::TARGET_GROUP);
        check::port(&mut resource, "target group port", port.into());
        resource.set("protocol", protocol.as_str());
        resource.set("port", i64::from(port));
        resource.set("vpc_id", vpc.id());
        resource.set("target_type", "instance");
        TargetGroup {
            resource,
            protocol,
            target_type: TargetType::Instance,
            health_check: HealthCheck::default(),
        }
    }

    pub fn target_type(mut self, target_type: TargetType) -> Self {
        let text = match target_type {
            TargetType::Instance => "instance",
            TargetType::Ip => "ip",
        };
        self.resource.set("target_type", text);
        self.target_type = target_type;
        self
    }

    pub fn health_check(mut self, check: HealthCheck) -> Self {
        self.health_check = check;
        self
    }

    pub fn stickiness(mut self, stickiness: Stickiness) -> Self {
        let r = &mut self.resource;
        let (kind, duration, cookie, wants_application) = match stickiness {
            Stickiness::LoadBalancerCookie { duration_seconds } => {
                ("lb_cookie", Some(duration_seconds), None, true)
            }
            Stickiness::ApplicationCookie {
                cookie_name,
                duration_seconds,
            } => (
                "app_cookie",
                Some(duration_seconds),
                Some(cookie_name),
                true,
            ),
            Stickiness::SourceIp => ("source_ip", None, None, false),
        };
        if wants_application != self.protocol.is_application() {
            r.problems.push(format!(
                "{kind} stickiness on a {} target group: expected {}",
                self.protocol.as_str(),
                if wants_application {
                    "an HTTP or HTTPS target group (application load balancer)"
                } else {
                    "a TCP, TLS, UDP or TCP_UDP target group (network load balancer)"
                }
            ));
        }
        let mut map = vec![("type".to_owned(), Value::from(kind))];
        if let Some(duration) = duration {
            check::range(
                r,
                "stickiness duration in seconds",
                duration.into(),
                1,
                604_800,
            );
            map.push(("duration_seconds".to_owned(), Value::Int(duration.into())));
        }
        if let Some(name) = cookie {
            check_cookie_name(r, &name);
            map.push(("cookie_name".to_owned(), Value::from(name)));
        }
        r.set("stickiness", Value::Map(map));
        self
    }

    /// How long a deregistering target keeps its in-flight requests (0 to 3600 seconds; AWS default 300).
    pub fn deregistration_delay_seconds(mut self, seconds: u32) -> Self {
        check::range(
            &mut self.resource,
            "deregistration delay in seconds",
            seconds.into(),
            0,
            3600,
        );
        self.resource
            .set("deregistration_delay_seconds", i64::from(seconds));
        self
    }
}
common_setters!(TargetGroup, taggable);
patchable!(TargetGroup, TARGET_GROUP);
crate::naming::physical_name!(TargetGroup);

/// Cookie names starting with `AWSALB` are the load balancer's own.
fn check_cookie_name(r: &mut Resource, name: &str) {
    let valid = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_graphic() && !"()<>@,;:\\\"/[]?={}".contains(c));
    if !valid || name.starts_with("AWSALB") {
        r.problems.push(format!(
            "invalid stickiness cookie name `{name}`: expected 1 to 128 cookie-name characters, \
             not starting with `AWSALB` (reserved by the load balancer)"
        ));
    }
}

attr_handle!(
    /// A declared target group.
    TargetGroupHandle {
        arn: "arn",
        /// `targetgroup/my-targets/73e2d6bc24d8a067`: the `TargetGroup` dimension of CloudWatch metrics.
        full_name: "full_name",
        name: "name",
    } protocol: Protocol, target_type: Option<TargetType>
);

impl TargetGroupHandle {
    pub(crate) fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// What the group's targets are registered by; `None` for a group that exists outside the app.
    pub(crate) fn target_type(&self) -> Option<TargetType> {
        self.target_type
    }
}

impl TargetGroup {
    /// A target group that exists outside the app, by ARN and protocol (listeners forwarding to it are
    /// checked against the protocol); only `arn` can be used.
    #[track_caller]
    pub fn from_arn(
        id: impl Into<String>,
        arn: impl Into<stackwright_core::Expr>,
        protocol: Protocol,
    ) -> crate::Existing<TargetGroupHandle> {
        crate::Existing::new(
            id,
            kinds::TARGET_GROUP,
            vec![("arn", arn.into())],
            move |handle| TargetGroupHandle {
                handle,
                protocol,
                target_type: None,
            },
        )
    }
}

impl Declare for TargetGroup {
    type Handle = TargetGroupHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, TargetGroupHandle) {
        let check = health_check(&mut self.resource, self.protocol, self.health_check);
        self.resource.set("health_check", check);
        let handle = TargetGroupHandle {
            handle: Handle(at),
            protocol: self.protocol,
            target_type: Some(self.target_type),
        };
        spell(&mut self.resource);
        (self.resource, handle)
    }
}

/// The keys of a map value renamed, in the order of `names`, keeping those it has.
fn renamed(value: &Value, names: &[(&str, &str)]) -> Vec<(String, Value)> {
    names
        .iter()
        .filter_map(|(from, to)| Some(((*to).to_owned(), value.get(from)?.clone())))
        .collect()
}

/// Writes the target group's forms from the builder's properties.
fn spell(resource: &mut Resource) {
    let group = &*resource;
    let check = group.get("health_check");
    let stickiness = group.get("stickiness");
    let delay = group
        .get("deregistration_delay_seconds")
        .and_then(Value::as_int);

    let mut cfn = Form::new();
    cfn.physical_name("Name")
        .copy(group, "protocol", "Protocol")
        .copy(group, "port", "Port")
        .copy(group, "vpc_id", "VpcId")
        .copy(group, "target_type", "TargetType");
    if let Some(check) = check {
        let fields = [
            ("enabled", "HealthCheckEnabled"),
            ("protocol", "HealthCheckProtocol"),
            ("path", "HealthCheckPath"),
            ("port", "HealthCheckPort"),
            ("interval_seconds", "HealthCheckIntervalSeconds"),
            ("timeout_seconds", "HealthCheckTimeoutSeconds"),
            ("healthy_threshold", "HealthyThresholdCount"),
            ("unhealthy_threshold", "UnhealthyThresholdCount"),
        ];
        for (name, value) in renamed(check, &fields) {
            cfn.set(&name, value);
        }
        if let Some(codes) = check.get("success_codes") {
            cfn.set("Matcher", object(&[("HttpCode", codes.clone())]));
        }
    }
    // `TargetGroupAttributes`: `{"Key", "Value"}` pairs whose values are strings.
    let mut attributes = Vec::new();
    let mut attribute = |key: &str, value: Value| {
        attributes.push(object(&[("Key", Value::from(key)), ("Value", value)]));
    };
    if let Some(delay) = delay {
        attribute(
            "deregistration_delay.timeout_seconds",
            Value::from(delay.to_string()),
        );
    }
    if let Some(stickiness) = stickiness {
        attribute("stickiness.enabled", Value::from("true"));
        let kind = stickiness
            .get("type")
            .and_then(Value::as_expr)
            .and_then(|e| e.as_literal())
            .unwrap_or_default();
        attribute("stickiness.type", Value::from(kind));
        if let Some(Value::Int(duration)) = stickiness.get("duration_seconds") {
            let key = format!("stickiness.{kind}.duration_seconds");
            attribute(&key, Value::from(duration.to_string()));
        }
        if let Some(name) = stickiness.get("cookie_name") {
            attribute("stickiness.app_cookie.cookie_name", name.clone());
        }
    }
    if !attributes.is_empty() {
        cfn.set("TargetGroupAttributes", Value::List(attributes));
    }

    let mut tf = Form::new();
    tf.physical_name("name")
        .copy(group, "protocol", "protocol")
        .copy(group, "port", "port")
        .copy(group, "vpc_id", "vpc_id")
        .copy(group, "target_type", "target_type");
    if let Some(delay) = delay {
        // A string in the provider's schema.
        tf.set("deregistration_delay", delay.to_string());
    }
    if let Some(check) = check {
        let fields = [
            ("enabled", "enabled"),
            ("protocol", "protocol"),
            ("path", "path"),
            ("port", "port"),
            ("interval_seconds", "interval"),
            ("timeout_seconds", "timeout"),
            ("healthy_threshold", "healthy_threshold"),
            ("unhealthy_threshold", "unhealthy_threshold"),
            ("success_codes", "matcher"),
        ];
        tf.set("health_check", Value::Map(renamed(check, &fields)));
    }
    if let Some(stickiness) = stickiness {
        let fields = [
            ("type", "type"),
            ("duration_seconds", "cookie_duration"),
            ("cookie_name", "cookie_name"),
        ];
        let mut block = renamed(stickiness, &fields);
        block.push(("enabled".to_owned(), Value::Bool(true)));
        tf.set("stickiness", Value::Map(block));
    }
    // Listeners forward to the group. Without this, Terraform deletes a replaced or removed group before
    // it updates the listeners away from it, and ELB refuses (ResourceInUse:
    // terraform-provider-aws#13294, #16889); with it, the new group exists first and the old one goes
    // after its listeners moved. A custom name would clash with itself during a replacement, so a named
    // group keeps Terraform's default order.
    if group.physical_name.is_none() {
        tf.set(
            "lifecycle",
            object(&[("create_before_destroy", Value::Bool(true))]),
        );
    }
    construct::finish(resource, cfn, tf);
}

/// Checks a health check against the group's protocol and AWS's ranges; returns its neutral form.
fn health_check(r: &mut Resource, group: Protocol, check: HealthCheck) -> Value {
    let protocol = check.protocol.unwrap_or(if group.is_application() {
        group
    } else {
        Protocol::Tcp
    });
    if !matches!(protocol, Protocol::Http | Protocol::Https | Protocol::Tcp)
        || (group.is_application() && !protocol.is_application())
    {
        r.problems.push(format!(
            "health check protocol {} for a {} target group: expected {}",
            protocol.as_str(),
            group.as_str(),
            if group.is_application() {
                "HTTP or HTTPS"
            } else {
                "HTTP, HTTPS or TCP"
            }
        ));
    }
    let mut map = vec![
        ("enabled".to_owned(), Value::Bool(true)),
        ("protocol".to_owned(), Value::from(protocol.as_str())),
    ];
    let path = match check.path {
        Some(path) => Some(path),
        None if protocol.is_application() => Some("/".to_owned()),
        None => None,
    };
    if let Some(path) = path {
        if !protocol.is_application() {
            r.problems.push(format!(
                "health check path `{path}` with protocol {}: expected a path only for HTTP or HTTPS checks",
                protocol.as_str()
            ));
        }
        if !path.starts_with('/') || path.len() > 1024 {
            r.problems.push(format!(
                "invalid health check path `{path}`: expected a path starting with `/`, at most 1024 characters"
            ));
        }
        map.push(("path".to_owned(), Value::from(path)));
    }
    if let Some(port) = check.port {
        check::port(r, "health check port", port.into());
        map.push(("port".to_owned(), Value::from(port.to_string())));
    }
    let ranges = [
        ("interval_seconds", check.interval_seconds, 5, 300),
        ("timeout_seconds", check.timeout_seconds, 2, 120),
        ("healthy_threshold", check.healthy_threshold, 2, 10),
        ("unhealthy_threshold", check.unhealthy_threshold, 2, 10),
    ];
    for (key, value, min, max) in ranges {
        if let Some(value) = value {
            let what = format!("health check {}", key.replace('_', " "));
            check::range(r, &what, value.into(), min, max);
            map.push((key.to_owned(), Value::Int(value.into())));
        }
    }
    if let (Some(timeout), Some(interval)) = (check.timeout_seconds, check.interval_seconds) {
        if timeout >= interval {
            r.problems.push(format!(
                "health check timeout {timeout}s is not shorter than its interval {interval}s: \
                 expected a timeout below the interval"
            ));
        }
    }
    if let Some(codes) = check.success_codes {
        let valid = !codes.is_empty()
            && codes.split(',').all(|part| {
                let mut bounds = part.splitn(2, '-');
                bounds.all(|b| b.len() == 3 && b.chars().all(|c| c.is_ascii_digit()))
            });
        if !valid || !protocol.is_application() {
            r.problems.push(format!(
                "invalid health check success codes `{codes}`: expected HTTP status codes like `200`, \
                 `200,202` or `200-299`, for an HTTP or HTTPS check"
            ));
        }
        map.push(("success_codes".to_owned(), Value::from(codes)));
    }
    Value::Map(map)
}
