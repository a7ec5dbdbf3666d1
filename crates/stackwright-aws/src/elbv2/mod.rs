//! Elastic Load Balancing v2: application and network load balancers, target groups, listeners and
//! listener rules.

mod listener;
mod load_balancer;
mod target_group;

pub(crate) use listener::{LISTENER, LISTENER_RULE};
pub(crate) use load_balancer::LOAD_BALANCER;
pub(crate) use target_group::TARGET_GROUP;

pub use listener::{
    Action, Condition, Forwarder, Listener, ListenerHandle, ListenerRule, ListenerRuleHandle,
};
pub use load_balancer::{LoadBalancer, LoadBalancerHandle, Scheme};
pub use target_group::{HealthCheck, Stickiness, TargetGroup, TargetGroupHandle, TargetType};

/// The security policy of HTTPS and TLS listeners unless one is chosen: TLS 1.3 and TLS 1.2 with forward
/// secrecy and AEAD ciphers only (the Elastic Load Balancing console's default; the API's default,
/// `ELBSecurityPolicy-2016-08`, still accepts TLS 1.0).
pub const DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";

/// The protocol of a listener or a target group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Http,
    Https,
    Tcp,
    Tls,
    Udp,
    TcpUdp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "HTTP",
            Protocol::Https => "HTTPS",
            Protocol::Tcp => "TCP",
            Protocol::Tls => "TLS",
            Protocol::Udp => "UDP",
            Protocol::TcpUdp => "TCP_UDP",
        }
    }

    /// HTTP and HTTPS are application load balancer protocols; the others are network load balancer ones.
    pub fn is_application(self) -> bool {
        matches!(self, Protocol::Http | Protocol::Https)
    }
}

/// The name of a load balancer family, for messages.
fn family(application: bool) -> &'static str {
    if application {
        "an application load balancer"
    } else {
        "a network load balancer"
    }
}
