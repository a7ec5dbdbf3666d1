use super::{family, LoadBalancerHandle, Protocol, TargetGroupHandle, DEFAULT_SSL_POLICY};
use crate::check;
use crate::construct::{object, Attribute, Form, Read, Spelling};
use crate::ec2::SecurityGroupHandle;
use crate::handle::{attr_handle, common_setters, patchable};
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Value};

/// A listener in each target.
pub(crate) static LISTENER: Spelling = Spelling {
    kind: kinds::LISTENER,
    cloudformation: "AWS::ElasticLoadBalancingV2::Listener",
    terraform: "aws_lb_listener",
    terraform_tags: true,
    attributes: &[Attribute::new("arn", Read::Ref, "arn")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// A listener rule in each target.
pub(crate) static LISTENER_RULE: Spelling = Spelling {
    kind: kinds::LISTENER_RULE,
    cloudformation: "AWS::ElasticLoadBalancingV2::ListenerRule",
    terraform: "aws_lb_listener_rule",
    terraform_tags: true,
    attributes: &[Attribute::new("arn", Read::Ref, "arn")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// What a listener or a rule does with a request.
#[derive(Clone, Debug)]
pub struct Action(ActionKind);

#[derive(Clone, Debug)]
enum ActionKind {
    /// (target group ARN, weight, the group's protocol); weights only when the user gave them. Then the
    /// seconds a client stays with the group it was sent to, if sticky.
    Forward(Vec<(Expr, Option<u32>, Protocol)>, Option<u32>),
    RedirectToHttps,
    FixedResponse {
        status_code: u16,
        content_type: String,
        body: String,
    },
}

/// Content types a fixed response may declare.
const FIXED_RESPONSE_CONTENT_TYPES: [&str; 5] = [
    "text/plain",
    "text/css",
    "text/html",
    "application/javascript",
    "application/json",
];

impl Action {
    /// Sends every request to one target group.
    pub fn forward(group: &TargetGroupHandle) -> Self {
        Action(ActionKind::Forward(
            vec![(group.arn(), None, group.protocol())],
            None,
        ))
    }

    /// Splits requests between up to five target groups in proportion to their weights (0 to 999), e.g. for
    /// a blue/green or canary deployment. Application load balancers only.
    pub fn weighted_forward<'a>(
        groups: impl IntoIterator<Item = (&'a TargetGroupHandle, u32)>,
    ) -> Self {
        let groups = groups
            .into_iter()
            .map(|(group, weight)| (group.arn(), Some(weight), group.protocol()))
            .collect();
        Action(ActionKind::Forward(groups, None))
    }

    /// Keeps a client with the target group a weighted forward first sent it to, for `duration_seconds`
    /// (1 to 604800, a week), through a load balancer cookie (CloudFormation
    /// `ForwardConfig.TargetGroupStickinessConfig`, Terraform `forward.stickiness`): during a canary, a
    /// session stays on one version. Stickiness to one target within the group is the target group's
    /// own (`TargetGroup::stickiness`).
    pub fn sticky_for_seconds(mut self, duration_seconds: u32) -> Self {
        if let ActionKind::Forward(_, stickiness) = &mut self.0 {
            *stickiness = Some(duration_seconds);
        }
        self
    }

    /// Redirects to the same host, path and query over HTTPS on port 443, permanently (HTTP 301).
    pub fn redirect_to_https() -> Self {
        Action(ActionKind::RedirectToHttps)
    }

    /// Answers by itself with `status_code` (2xx, 4xx or 5xx), a content type such as `text/plain` and a
    /// body of at most 1024 characters.
    pub fn fixed_response(
        status_code: u16,
        content_type: impl Into<String>,
        body: impl Into<String>,
    ) -> Self {
        Action(ActionKind::FixedResponse {
            status_code,
            content_type: content_type.into(),
            body: body.into(),
        })
    }

    /// Checks the action against the load balancer family of its listener.
    fn check(&self, r: &mut Resource, application: bool) {
        match &self.0 {
            ActionKind::Forward(groups, stickiness) => {
                if let Some(duration) = stickiness {
                    check::range(
                        r,
                        "target group stickiness duration",
                        (*duration).into(),
                        1,
                        604_800,
                    );
                    if groups.iter().any(|(_, w, _)| w.is_none()) {
                        r.problems.push(
                            "stickiness on a forward to one target group: expected a weighted forward \
                             (`Action::weighted_forward`); stickiness within a group is the target \
                             group's own"
                                .to_owned(),
                        );
                    }
                }
                if groups.is_empty() || groups.len() > 5 {
                    r.problems.push(format!(
                        "a forward action to {} target groups: expected 1 to 5",
                        groups.len()
                    ));
                }
                if !application && groups.len() > 1 {
                    r.problems.push(format!(
                        "a forward action to {} target groups on a network load balancer: expected \
                         exactly one (weighted forwarding needs an application load balancer)",
                        groups.len()
                    ));
                }
                for (_, weight, protocol) in groups {
                    if let Some(weight) = weight {
                        check::range(r, "target group weight", (*weight).into(), 0, 999);
                    }
                    if protocol.is_application() != application {
                        r.problems.push(format!(
                            "a forward action to a {} target group on {}: expected {} target groups",
                            protocol.as_str(),
                            family(application),
                            if application {
                                "HTTP or HTTPS"
                            } else {
                                "TCP, TLS, UDP or TCP_UDP"
                            }
                        ));
                    }
                }
                if groups.len() > 1 && groups.iter().all(|(_, w, _)| *w == Some(0)) {
                    r.problems.push(
                        "every target group of a weighted forward action has weight 0: expected at \
                         least one positive weight"
                            .to_owned(),
                    );
                }
            }
            ActionKind::RedirectToHttps | ActionKind::FixedResponse { .. } if !application => {
                r.problems.push(
                    "a redirect or fixed-response action on a network load balancer: expected a \
                     forward action (only application load balancers answer HTTP themselves)"
                        .to_owned(),
                );
            }
            ActionKind::RedirectToHttps => {}
            ActionKind::FixedResponse {
                status_code,
                content_type,
                body,
            } => {
                if !(200..600).contains(status_code) || *status_code / 100 == 3 {
                    r.problems.push(format!(
                        "fixed response status code {status_code}: expected a 2xx, 4xx or 5xx code"
                    ));
                }
                if !FIXED_RESPONSE_CONTENT_TYPES.contains(&content_type.as_str()) {
                    r.problems.push(format!(
                        "fixed response content type `{content_type}`: expected one of {}",
                        FIXED_RESPONSE_CONTENT_TYPES.join(", ")
                    ));
                }
                if body.chars().count() > 1024 {
                    r.problems.push(format!(
                        "fixed response body is {} characters long: expected at most 1024",
                        body.chars().count()
                    ));
                }
            }
        }
    }

    fn into_value(self) -> Value {
        let entries: Vec<(&str, Value)> = match self.0 {
            ActionKind::Forward(groups, stickiness) => {
                let groups = groups
                    .into_iter()
                    .map(|(arn, weight, _)| {
                        let mut group = vec![("arn".to_owned(), Value::Str(arn))];
                        if let Some(weight) = weight {
                            group.push(("weight".to_owned(), Value::Int(weight.into())));
                        }
                        Value::Map(group)
                    })
                    .collect();
                let mut entries = vec![
                    ("type", Value::from("forward")),
                    ("target_groups", Value::List(groups)),
                ];
                if let Some(duration) = stickiness {
                    entries.push(("stickiness_seconds", Value::Int(duration.into())));
                }
                entries
            }
            ActionKind::RedirectToHttps => vec![
                ("type", Value::from("redirect")),
                ("protocol", Value::from("HTTPS")),
                ("port", Value::from("443")),
                ("status_code", Value::from("HTTP_301")),
            ],
            ActionKind::FixedResponse {
                status_code,
                content_type,
                body,
            } => vec![
                ("type", Value::from("fixed-response")),
                ("status_code", Value::from(status_code.to_string())),
                ("content_type", Value::from(content_type)),
                ("message_body", Value::from(body)),
            ],
        };
        Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }
}

/// A listener: a port of a load balancer, and what it does with the requests (or connections) there.
///
/// HTTPS and TLS listeners use [`DEFAULT_SSL_POLICY`] unless `.ssl_policy(...)` chooses another.
pub struct Listener {
    resource: Resource,
    application: bool,
    security_groups: Vec<SecurityGroupHandle>,
}

impl Listener {
    /// A plain HTTP listener of an application load balancer; usually only
    /// [`Listener::redirect_http_to_https`].
    #[track_caller]
    pub fn http(id: impl Into<String>, lb: &LoadBalancerHandle, port: u16, action: Action) -> Self {
        Self::new(id.into(), lb, Protocol::Http, port, None, action)
    }

    /// An HTTPS listener of an application load balancer, terminating TLS with `certificate_arn` (e.g.
    /// `certificate.arn()` of an [`acm::Certificate`](crate::acm::Certificate)).
    #[track_caller]
    pub fn https(
        id: impl Into<String>,
        lb: &LoadBalancerHandle,
        port: u16,
        certificate_arn: impl Into<Expr>,
        action: Action,
    ) -> Self {
        let certificate = Some(certificate_arn.into());
        Self::new(id.into(), lb, Protocol::Https, port, certificate, action)
    }

    /// A TCP listener of a network load balancer.
    #[track_caller]
    pub fn tcp(id: impl Into<String>, lb: &LoadBalancerHandle, port: u16, action: Action) -> Self {
        Self::new(id.into(), lb, Protocol::Tcp, port, None, action)
    }

    /// A TLS listener of a network load balancer, terminating TLS with `certificate_arn`.
    #[track_caller]
    pub fn tls(
        id: impl Into<String>,
        lb: &LoadBalancerHandle,
        port: u16,
        certificate_arn: impl Into<Expr>,
        action: Action,
    ) -> Self {
        let certificate = Some(certificate_arn.into());
        Self::new(id.into(), lb, Protocol::Tls, port, certificate, action)
    }

    /// HTTP on port 80, permanently redirected to HTTPS on port 443.
    #[track_caller]
    pub fn redirect_http_to_https(id: impl Into<String>, lb: &LoadBalancerHandle) -> Self {
        Self::http(id, lb, 80, Action::redirect_to_https())
    }

    #[track_caller]
    fn new(
        id: String,
        lb: &LoadBalancerHandle,
        protocol: Protocol,
        port: u16,
        certificate_arn: Option<Expr>,
        action: Action,
    ) -> Self {
        let mut resource = Resource::new(id, kinds::LISTENER);
        let application = lb.is_application();
        if protocol.is_application() != application {
            resource.problems.push(format!(
                "a {} listener on {}: expected {}",
                protocol.as_str(),
                family(application),
                if application {
                    "an HTTP or HTTPS listener"
                } else {
                    "a TCP, TLS, UDP or TCP_UDP listener"
                }
            ));
        }
        check::port(&mut resource, "listener port", port.into());
        resource.claim_unique(
            stackwright_core::HasResourceRef::resource_ref(lb),
            port.to_string(),
            format!("listener port {port} of this load balancer"),
            "a load balancer listens on a port once",
        );
        action.check(&mut resource, application);
        resource.set("load_balancer_arn", lb.arn());
        resource.set("protocol", protocol.as_str());
        resource.set("port", i64::from(port));
        if let Some(certificate_arn) = certificate_arn {
            resource.set("certificate_arn", certificate_arn);
            resource.set("ssl_policy", DEFAULT_SSL_POLICY);
        }
        resource.set("default_action", action.into_value());
        Listener {
            resource,
            application,
            security_groups: lb.security_groups().to_vec(),
        }
    }

    /// The security policy (TLS versions and ciphers) of an HTTPS or TLS listener, e.g.
    /// `ELBSecurityPolicy-TLS13-1-3-2021-06` for TLS 1.3 only.
    pub fn ssl_policy(mut self, policy: &str) -> Self {
        if self.resource.get("certificate_arn").is_none() {
            self.resource.problems.push(format!(
                "security policy `{policy}` on a listener without TLS: expected an HTTPS or TLS listener"
            ));
        }
        if !policy.starts_with("ELBSecurityPolicy-") {
            self.resource.problems.push(format!(
                "invalid security policy `{policy}`: expected a predefined policy named `ELBSecurityPolicy-...`"
            ));
        }
        self.resource.set("ssl_policy", policy);
        self
    }
}
common_setters!(Listener, taggable);
patchable!(Listener, LISTENER);

attr_handle!(
    /// A declared listener.
    ListenerHandle { arn: "arn" } application: bool, security_groups: Vec<SecurityGroupHandle>
);

impl Declare for Listener {
    type Handle = ListenerHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, ListenerHandle) {
        let handle = ListenerHandle {
            handle: Handle(at),
            application: self.application,
            security_groups: self.security_groups.clone(),
        };
        let listener = &self.resource;
        let certificate = listener.get("certificate_arn").cloned();
        let mut cfn = Form::new();
        cfn.copy(listener, "load_balancer_arn", "LoadBalancerArn")
            .copy(listener, "protocol", "Protocol")
            .copy(listener, "port", "Port");
        if let Some(arn) = &certificate {
            let certificates = vec![object(&[("CertificateArn", arn.clone())])];
            cfn.set("Certificates", Value::List(certificates));
        }
        cfn.copy(listener, "ssl_policy", "SslPolicy");
        let mut tf = Form::new();
        tf.copy(listener, "load_balancer_arn", "load_balancer_arn")
            .copy(listener, "protocol", "protocol")
            .copy(listener, "port", "port")
            .copy(listener, "certificate_arn", "certificate_arn")
            .copy(listener, "ssl_policy", "ssl_policy");
        if let Some(action) = listener.get("default_action") {
            cfn.set(
                "DefaultActions",
                Value::List(vec![cloudformation_action(action)]),
            );
            tf.set(
                "default_action",
                Value::List(vec![terraform_action(action)]),
            );
        }
        if let Some(Value::Str(arn)) = certificate {
            // The listener cannot use a certificate that is still pending validation (CloudFormation's
            // certificate completes only once issued).
            tf.wait_for_block(arn, crate::acm::VALIDATION);
        }
        construct::finish(&mut self.resource, cfn, tf);
        (self.resource, handle)
    }
}

/// A request property a listener rule matches.
#[derive(Clone, Debug)]
pub struct Condition {
    field: &'static str,
    values: Vec<String>,
    /// The header's name of an `http-header` condition.
    header: Option<String>,
    /// The `(key, value)` pairs of a `query-string` condition (`values` stays empty).
    query: Vec<(Option<String>, String)>,
}

impl Condition {
    /// Matches the request path against patterns such as `/api/*` (case-sensitive; `*` and `?` are
    /// wildcards).
    pub fn path_pattern<S: Into<String>>(patterns: impl IntoIterator<Item = S>) -> Self {
        Condition {
            field: "path-pattern",
            values: patterns.into_iter().map(Into::into).collect(),
            header: None,
            query: Vec::new(),
        }
    }

    /// Matches the `Host` header against names such as `api.example.com` or `*.example.com`.
    pub fn host_header<S: Into<String>>(hosts: impl IntoIterator<Item = S>) -> Self {
        Condition {
            field: "host-header",
            values: hosts.into_iter().map(Into::into).collect(),
            header: None,
            query: Vec::new(),
        }
    }

    /// Matches a request header (`name`: 1 to 40 characters of A-Z, a-z, 0-9 and `-_`) against values
    /// such as `tenant-a` or `eu-*` (case-insensitive; `*` and `?` are wildcards). The mechanism behind
    /// tenant stickiness: e.g. `X-Tenant` routes each tenant to the target group that owns it.
    pub fn http_header<S: Into<String>>(
        name: impl Into<String>,
        values: impl IntoIterator<Item = S>,
    ) -> Self {
        Condition {
            field: "http-header",
            values: values.into_iter().map(Into::into).collect(),
            header: Some(name.into()),
            query: Vec::new(),
        }
    }

    /// Matches query string parameters: each `(key, value)` pair (a `None` key matches any key; `*` and
    /// `?` are wildcards in both); any one pair matching is enough.
    pub fn query_string<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (Option<K>, V)>,
    ) -> Self {
        Condition {
            field: "query-string",
            values: Vec::new(),
            header: None,
            query: pairs
                .into_iter()
                .map(|(k, v)| (k.map(Into::into), v.into()))
                .collect(),
        }
    }

    /// How many values count towards a rule's limit of five.
    fn value_count(&self) -> usize {
        self.values.len() + self.query.len()
    }

    fn into_value(self) -> Value {
        let mut entries = vec![("field".to_owned(), Value::from(self.field))];
        if let Some(header) = self.header {
            entries.push(("header".to_owned(), Value::from(header)));
        }
        if self.field == "query-string" {
            let pairs = self
                .query
                .into_iter()
                .map(|(key, value)| {
                    let mut pair = Vec::new();
                    if let Some(key) = key {
                        pair.push(("key".to_owned(), Value::from(key)));
                    }
                    pair.push(("value".to_owned(), Value::from(value)));
                    Value::Map(pair)
                })
                .collect();
            entries.push(("pairs".to_owned(), Value::List(pairs)));
        } else {
            entries.push((
                "values".to_owned(),
                Value::List(self.values.into_iter().map(Value::from).collect()),
            ));
        }
        Value::Map(entries)
    }

    fn check(&self, r: &mut Resource) {
        if let Some(header) = &self.header {
            let valid = |c: char| c.is_ascii_alphanumeric() || "-_".contains(c);
            if header.is_empty() || header.len() > 40 || !header.chars().all(valid) {
                r.problems.push(format!(
                    "invalid http-header name `{header}`: expected 1 to 40 characters of A-Z, a-z, 0-9 and -_"
                ));
            }
        }
        if self.field == "query-string" {
            if self.query.is_empty() {
                r.problems.push(
                    "a query-string condition without pairs: expected at least one".to_owned(),
                );
            }
            for (key, value) in &self.query {
                for text in key.iter().chain([value]) {
                    if text.is_empty() || text.len() > 128 || text.chars().any(char::is_whitespace)
                    {
                        r.problems.push(format!(
                            "invalid query-string key or value `{text}`: expected 1 to 128 characters \
                             without spaces"
                        ));
                    }
                }
            }
            return;
        }
        if self.values.is_empty() {
            r.problems.push(format!(
                "a {} condition without values: expected at least one",
                self.field
            ));
        }
        let allowed = |c: char| match self.field {
            "path-pattern" => c.is_ascii_alphanumeric() || "_-.$/~\"'@:+&*?".contains(c),
            "http-header" => c.is_ascii_graphic(),
            _ => c.is_ascii_alphanumeric() || "-.*?".contains(c),
        };
        for value in &self.values {
            if value.is_empty() || value.len() > 128 || !value.chars().all(allowed) {
                r.problems.push(format!(
                    "invalid {} value `{value}`: expected 1 to 128 characters of {}",
                    self.field,
                    match self.field {
                        "path-pattern" => "A-Z, a-z, 0-9 and _-.$/~\"'@:+&*?",
                        "http-header" => "printable ASCII without spaces",
                        _ => "A-Z, a-z, 0-9 and -.*?",
                    }
                ));
            }
        }
    }
}

/// A rule of an application load balancer listener: requests matching every condition get the action.
/// Rules are evaluated by ascending priority; the listener's own action takes what no rule matched.
pub struct ListenerRule {
    resource: Resource,
    security_groups: Vec<SecurityGroupHandle>,
}

impl ListenerRule {
    /// `priority` runs from 1 (evaluated first) to 50000 and must be unique within the listener.
    #[track_caller]
    pub fn new(
        id: impl Into<String>,
        listener: &ListenerHandle,
        priority: u32,
        conditions: impl IntoIterator<Item = Condition>,
        action: Action,
    ) -> Self {
        let mut resource = Resource::new(id, kinds::LISTENER_RULE);
        if !listener.application {
            resource.problems.push(
                "a listener rule on a network load balancer listener: expected a listener of an \
                 application load balancer"
                    .to_owned(),
            );
        }
        check::range(
            &mut resource,
            "listener rule priority",
            priority.into(),
            1,
            50_000,
        );
        resource.claim_unique(
            stackwright_core::HasResourceRef::resource_ref(listener),
            priority.to_string(),
            format!("listener rule priority {priority} of this listener"),
            "a listener evaluates its rules by priority, each priority once",
        );
        let conditions: Vec<Condition> = conditions.into_iter().collect();
        if conditions.is_empty() {
            resource
                .problems
                .push("a listener rule without conditions: expected at least one".to_owned());
        }
        for (i, condition) in conditions.iter().enumerate() {
            condition.check(&mut resource);
            // A rule may hold several http-header and query-string conditions, one of each other field.
            let repeatable = matches!(condition.field, "http-header" | "query-string");
            if !repeatable && conditions[..i].iter().any(|c| c.field == condition.field) {
                resource.problems.push(format!(
                    "two {} conditions in one rule: expected at most one; list every value in it",
                    condition.field
                ));
            }
        }
        let values: usize = conditions.iter().map(Condition::value_count).sum();
        if values > 5 {
            resource.problems.push(format!(
                "a listener rule with {values} condition values: expected at most 5 in all"
            ));
        }
        action.check(&mut resource, listener.application);
        resource.set("listener_arn", listener.arn());
        resource.set("priority", i64::from(priority));
        let conditions = conditions.into_iter().map(Condition::into_value).collect();
        resource.set("conditions", Value::List(conditions));
        resource.set("action", action.into_value());
        ListenerRule {
            resource,
            security_groups: listener.security_groups.clone(),
        }
    }
}
common_setters!(ListenerRule, taggable);
patchable!(ListenerRule, LISTENER_RULE);

attr_handle!(
    /// A declared listener rule.
    ListenerRuleHandle { arn: "arn" } security_groups: Vec<SecurityGroupHandle>
);

/// A listener or listener rule, which forwards traffic from its load balancer to target groups: what a
/// service behind a target group waits for, and whose load balancer's security groups reach the targets.
pub trait Forwarder: stackwright_core::HasResourceRef {
    /// The security groups of the load balancer the traffic comes from (none when the load balancer
    /// was given by ARN).
    fn load_balancer_security_groups(&self) -> &[SecurityGroupHandle];
}

impl Forwarder for ListenerHandle {
    fn load_balancer_security_groups(&self) -> &[SecurityGroupHandle] {
        &self.security_groups
    }
}

impl Forwarder for ListenerRuleHandle {
    fn load_balancer_security_groups(&self) -> &[SecurityGroupHandle] {
        &self.security_groups
    }
}

impl Declare for ListenerRule {
    type Handle = ListenerRuleHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, ListenerRuleHandle) {
        let rule = &self.resource;
        let conditions = rule
            .get("conditions")
            .and_then(Value::as_list)
            .unwrap_or_default();
        let mut cfn = Form::new();
        cfn.copy(rule, "listener_arn", "ListenerArn")
            .copy(rule, "priority", "Priority")
            .set(
                "Conditions",
                Value::List(conditions.iter().map(cloudformation_condition).collect()),
            );
        let mut tf = Form::new();
        tf.copy(rule, "listener_arn", "listener_arn")
            .copy(rule, "priority", "priority")
            .set(
                "condition",
                Value::List(conditions.iter().map(terraform_condition).collect()),
            );
        if let Some(action) = rule.get("action") {
            cfn.set("Actions", Value::List(vec![cloudformation_action(action)]));
            tf.set("action", Value::List(vec![terraform_action(action)]));
        }
        construct::finish(&mut self.resource, cfn, tf);
        (
            self.resource,
            ListenerRuleHandle {
                handle: Handle(at),
                security_groups: self.security_groups,
            },
        )
    }
}

/// The keys of a map value renamed, in the order of `names`, keeping those it has.
fn renamed(value: &Value, names: &[(&str, &str)]) -> Value {
    let entries: Vec<(&str, Value)> = names
        .iter()
        .filter_map(|(from, to)| Some((*to, value.get(from)?.clone())))
        .collect();
    object(&entries)
}

/// The literal text of field `key` of a neutral map.
fn text<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value.get(key)?.as_expr()?.as_literal()
}

/// A neutral condition (`Condition::into_value`) in CloudFormation's shape.
fn cloudformation_condition(condition: &Value) -> Value {
    let field = condition.get("field").cloned().unwrap_or(Value::from(""));
    let values = || condition.get("values").cloned().unwrap_or(Value::List(Vec::new()));
    let (config, body) = match text(condition, "field") {
        Some("http-header") => (
            "HttpHeaderConfig",
            renamed(
                condition,
                &[("header", "HttpHeaderName"), ("values", "Values")],
            ),
        ),
        Some("query-string") => {
            let pairs = condition.get("pairs").and_then(Value::as_list);
            let pairs = pairs
                .unwrap_or_default()
                .iter()
                .map(|pair| renamed(pair, &[("key", "Key"), ("value", "Value")]))
                .collect();
            (
                "QueryStringConfig",
                object(&[("Values", Value::List(pairs))]),
            )
        }
        Some("host-header") => ("HostHeaderConfig", object(&[("Values", values())])),
        _ => ("PathPatternConfig", object(&[("Values", values())])),
    };
    object(&[("Field", field), (config, body)])
}

/// A neutral condition (`Condition::into_value`) in Terraform's shape.
fn terraform_condition(condition: &Value) -> Value {
    let values = || condition.get("values").cloned().unwrap_or(Value::List(Vec::new()));
    match text(condition, "field") {
        Some("http-header") => object(&[(
            "http_header",
            renamed(
                condition,
                &[("header", "http_header_name"), ("values", "values")],
            ),
        )]),
        Some("query-string") => {
            let pairs = condition.get("pairs").and_then(Value::as_list);
            let pairs = pairs
                .unwrap_or_default()
                .iter()
                .map(|pair| renamed(pair, &[("key", "key"), ("value", "value")]))
                .collect();
            object(&[("query_string", Value::List(pairs))])
        }
        Some("host-header") => object(&[("host_header", object(&[("values", values())]))]),
        _ => object(&[("path_pattern", object(&[("values", values())]))]),
    }
}

/// The target groups of a neutral forward action, when it is one.
fn forward_groups(action: &Value) -> Option<&[Value]> {
    (text(action, "type") == Some("forward")).then(|| {
        action
            .get("target_groups")
            .and_then(Value::as_list)
            .unwrap_or_default()
    })
}

/// A neutral action (`Action::into_value`) in CloudFormation's shape; a forward to one unweighted group
/// keeps the short `TargetGroupArn` form.
fn cloudformation_action(action: &Value) -> Value {
    let forward = Value::from("forward");
    match forward_groups(action) {
        Some([group]) if group.get("weight").is_none() => object(&[
            ("Type", forward),
            ("TargetGroupArn", group.get("arn").cloned().unwrap_or(Value::from(""))),
        ]),
        Some(groups) => {
            let groups = groups
                .iter()
                .map(|group| renamed(group, &[("arn", "TargetGroupArn"), ("weight", "Weight")]))
                .collect();
            let mut config = vec![("TargetGroups", Value::List(groups))];
            if let Some(duration) = action.get("stickiness_seconds") {
                config.push((
                    "TargetGroupStickinessConfig",
                    object(&[
                        ("Enabled", Value::Bool(true)),
                        ("DurationSeconds", duration.clone()),
                    ]),
                ));
            }
            object(&[("Type", forward), ("ForwardConfig", object(&config))])
        }
        None if text(action, "type") == Some("redirect") => object(&[
            ("Type", Value::from("redirect")),
            (
                "RedirectConfig",
                renamed(
                    action,
                    &[
                        ("protocol", "Protocol"),
                        ("port", "Port"),
                        ("status_code", "StatusCode"),
                    ],
                ),
            ),
        ]),
        None => object(&[
            ("Type", Value::from("fixed-response")),
            (
                "FixedResponseConfig",
                renamed(
                    action,
                    &[
                        ("status_code", "StatusCode"),
                        ("content_type", "ContentType"),
                        ("message_body", "MessageBody"),
                    ],
                ),
            ),
        ]),
    }
}

/// A neutral action (`Action::into_value`) in Terraform's shape; a forward to one unweighted group keeps
/// the short `target_group_arn` form.
fn terraform_action(action: &Value) -> Value {
    let kind = action.get("type").cloned().unwrap_or(Value::from(""));
    let mut out = vec![("type", kind)];
    match forward_groups(action) {
        Some([group]) if group.get("weight").is_none() => {
            out.push((
                "target_group_arn",
                group.get("arn").cloned().unwrap_or(Value::from("")),
            ));
        }
        Some(groups) => {
            let groups = groups
                .iter()
                .map(|group| renamed(group, &[("arn", "arn"), ("weight", "weight")]))
                .collect();
            let mut forward = vec![("target_group", Value::List(groups))];
            if let Some(duration) = action.get("stickiness_seconds") {
                forward.push((
                    "stickiness",
                    object(&[
                        ("enabled", Value::Bool(true)),
                        ("duration", duration.clone()),
                    ]),
                ));
            }
            out.push(("forward", object(&forward)));
        }
        None if text(action, "type") == Some("redirect") => {
            let fields = [
                ("protocol", "protocol"),
                ("port", "port"),
                ("status_code", "status_code"),
            ];
            out.push(("redirect", renamed(action, &fields)));
        }
        None => {
            let fields = [
                ("content_type", "content_type"),
                ("message_body", "message_body"),
                ("status_code", "status_code"),
            ];
            out.push(("fixed_response", renamed(action, &fields)));
        }
    }
    object(&out)
}
