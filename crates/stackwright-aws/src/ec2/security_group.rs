use crate::cidr::Ipv4Cidr;
use crate::ec2::VpcHandle;
use crate::handle::{attr_handle, common_setters};
use crate::naming::physical_name;
use crate::{kinds, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Value};

/// A security group. Closed by default in both directions: no ingress, and no egress until a rule opens
/// it (CloudFormation's implicit allow-all egress is replaced by a rule that matches nothing).
pub struct SecurityGroup {
    resource: Resource,
    ingress: Vec<Value>,
    egress: Vec<Value>,
}

/// The other side of a rule.
#[derive(Clone, Debug)]
pub enum Peer {
    /// An IPv4 CIDR block, e.g. `0.0.0.0/0`.
    Ipv4(String),
    /// Members of another security group.
    SecurityGroup(Expr),
}

impl Peer {
    pub fn ipv4(cidr: impl Into<String>) -> Self {
        Peer::Ipv4(cidr.into())
    }

    pub fn any_ipv4() -> Self {
        Peer::Ipv4("0.0.0.0/0".into())
    }

    pub fn security_group(group: &SecurityGroupHandle) -> Self {
        Peer::SecurityGroup(group.id())
    }
}

/// Protocol and port range of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Port {
    protocol: &'static str,
    from: i64,
    to: i64,
}

impl Port {
    pub fn tcp(port: u16) -> Self {
        Self::tcp_range(port, port)
    }

    pub fn tcp_range(from: u16, to: u16) -> Self {
        Port {
            protocol: "tcp",
            from: from.into(),
            to: to.into(),
        }
    }

    pub fn udp(port: u16) -> Self {
        Port {
            protocol: "udp",
            from: port.into(),
            to: port.into(),
        }
    }

    /// Every protocol and port.
    pub fn all_traffic() -> Self {
        Port {
            protocol: "-1",
            from: -1,
            to: -1,
        }
    }
}

impl SecurityGroup {
    /// `description` is required by EC2 and cannot change without replacing the group.
    #[track_caller]
    pub fn new(id: impl Into<String>, vpc: &VpcHandle, description: impl Into<String>) -> Self {
        let mut resource = Resource::new(id, kinds::SECURITY_GROUP);
        let description = description.into();
        check_description(&mut resource, "security group description", &description);
        resource.set("description", description);
        resource.set("vpc_id", vpc.id());
        SecurityGroup {
            resource,
            ingress: Vec::new(),
            egress: Vec::new(),
        }
    }

    /// Allows traffic from `peer` on `port`.
    pub fn allow_ingress(mut self, peer: Peer, port: Port, description: impl Into<String>) -> Self {
        let rule = self.rule(peer, port, description.into());
        self.ingress.push(rule);
        self
    }

    /// Allows traffic to `peer` on `port`.
    pub fn allow_egress(mut self, peer: Peer, port: Port, description: impl Into<String>) -> Self {
        let rule = self.rule(peer, port, description.into());
        self.egress.push(rule);
        self
    }

    fn rule(&mut self, peer: Peer, port: Port, description: String) -> Value {
        if port.from > port.to {
            self.resource.problems.push(format!(
                "security group rule port range {}-{} is reversed: expected from <= to",
                port.from, port.to
            ));
        }
        check_description(
            &mut self.resource,
            "security group rule description",
            &description,
        );
        let mut rule = vec![
            ("protocol".to_owned(), Value::from(port.protocol)),
            ("from_port".to_owned(), Value::Int(port.from)),
            ("to_port".to_owned(), Value::Int(port.to)),
        ];
        match peer {
            Peer::Ipv4(cidr) => {
                if let Err(e) = Ipv4Cidr::parse(&cidr) {
                    self.resource
                        .problems
                        .push(format!("security group rule peer: {e}"));
                }
                rule.push(("cidr_ipv4".to_owned(), Value::from(cidr)));
            }
            Peer::SecurityGroup(group) => {
                rule.push(("security_group_id".to_owned(), Value::Str(group)))
            }
        }
        rule.push(("description".to_owned(), Value::from(description)));
        Value::Map(rule)
    }
}
common_setters!(SecurityGroup, taggable);
physical_name!(SecurityGroup);

/// EC2 accepts 0-255 characters of `a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*` in group and rule descriptions.
fn check_description(resource: &mut Resource, what: &str, text: &str) {
    let allowed = |c: char| c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c);
    if let Some(c) = text.chars().find(|c| !allowed(*c)) {
        resource.problems.push(format!(
            "{what} `{text}` contains `{c}`: expected only a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{{}}!$*"
        ));
    }
    if text.len() > 255 {
        resource.problems.push(format!(
            "{what} is {} characters long: expected at most 255",
            text.len()
        ));
    }
}

attr_handle!(
    /// A declared security group.
    SecurityGroupHandle {
        /// The group id (`sg-...`).
        id: "id",
    }
);

impl SecurityGroup {
    /// A security group that exists outside the app, by id (`sg-...`, or a lookup's value); only `id`
    /// can be used.
    #[track_caller]
    pub fn from_id(
        id: impl Into<String>,
        group_id: impl Into<Expr>,
    ) -> crate::Existing<SecurityGroupHandle> {
        crate::Existing::new(
            id,
            kinds::SECURITY_GROUP,
            vec![("id", group_id.into())],
            |handle| SecurityGroupHandle { handle },
        )
    }
}

impl SecurityGroup {
    /// The security group with these tags, which must match exactly one: Terraform
    /// `data "aws_security_group"`; CloudFormation a parameter of type `AWS::EC2::SecurityGroup::Id` to
    /// give at deploy time. Only `id` can be used.
    #[track_caller]
    pub fn lookup<K: Into<String>, V: Into<String>>(
        id: impl Into<String>,
        tags: impl IntoIterator<Item = (K, V)>,
    ) -> crate::Existing<SecurityGroupHandle> {
        crate::Existing::by_tags(id, kinds::SECURITY_GROUP_LOOKUP, tags, |handle| {
            SecurityGroupHandle { handle }
        })
    }
}

impl Declare for SecurityGroup {
    type Handle = SecurityGroupHandle;
    fn declare(mut self, at: ResourceRef) -> (Resource, SecurityGroupHandle) {
        self.resource.set("ingress", Value::List(self.ingress));
        self.resource.set("egress", Value::List(self.egress));
        (self.resource, SecurityGroupHandle { handle: Handle(at) })
    }
}
