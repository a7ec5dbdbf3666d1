use crate::cidr::Ipv4Cidr;
use crate::construct::{object, Attribute, Block, Form, ItemName, Read, Spelling};
use crate::ec2::VpcHandle;
use crate::handle::{attr_handle, common_setters, patchable};
use crate::naming::physical_name;
use crate::{construct, kinds, Handle};
use stackwright_core::{Declare, Expr, Resource, ResourceRef, Value};

/// A security group in each target. CloudFormation takes its rules inline; Terraform as resources of
/// their own (the provider's recommended form: inline rule blocks in JSON must spell out every attribute,
/// and separate rules change without replacing the group), named by content (protocol, ports, peer; not
/// the description, which updates in place): `web_ingress_tcp_443_from_0_0_0_0_0`. Positional names
/// (`web_ingress_1`) made an inserted rule rewrite every later one and a reorder rewrite both; content
/// names make an insert one add and a reorder no change. AWS refuses two rules of one group with the same
/// protocol, ports and peer, so the name is unique in practice; a repeat is numbered.
pub(crate) static SECURITY_GROUP: Spelling = Spelling {
    kind: kinds::SECURITY_GROUP,
    cloudformation: "AWS::EC2::SecurityGroup",
    terraform: "aws_security_group",
    terraform_tags: true,
    attributes: &[Attribute::new("id", Read::GetAtt("GroupId"), "id")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[
        Block {
            type_name: "aws_vpc_security_group_ingress_rule",
            suffix: "_ingress",
            named_by: Some(ItemName::Parts),
        },
        Block {
            type_name: "aws_vpc_security_group_egress_rule",
            suffix: "_egress",
            named_by: Some(ItemName::Parts),
        },
    ],
};

/// A security group. Closed by default in both directions: no ingress, and no egress until a rule opens
/// it (CloudFormation's implicit allow-all egress is replaced by a rule that matches nothing; Terraform's
/// provider removes EC2's default from a group without egress rules).
pub struct SecurityGroup {
    resource: Resource,
    description: String,
    vpc: Expr,
    ingress: Vec<Rule>,
    egress: Vec<Rule>,
}

/// One rule of a group, as the builder took it.
struct Rule {
    port: Port,
    peer: Peer,
    description: String,
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

    /// Whether this is every protocol, which takes no ports.
    fn is_all_traffic(&self) -> bool {
        self.protocol == "-1"
    }
}

impl SecurityGroup {
    /// `description` is required by EC2 and cannot change without replacing the group.
    #[track_caller]
    pub fn new(id: impl Into<String>, vpc: &VpcHandle, description: impl Into<String>) -> Self {
        let mut resource = Resource::new(id, kinds::SECURITY_GROUP);
        let description = description.into();
        check_description(&mut resource, "security group description", &description);
        SecurityGroup {
            resource,
            description,
            vpc: vpc.id(),
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

    fn rule(&mut self, peer: Peer, port: Port, description: String) -> Rule {
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
        if let Peer::Ipv4(cidr) = &peer {
            if let Err(e) = Ipv4Cidr::parse(cidr) {
                self.resource
                    .problems
                    .push(format!("security group rule peer: {e}"));
            }
        }
        Rule {
            port,
            peer,
            description,
        }
    }
}
common_setters!(SecurityGroup, taggable);
patchable!(SecurityGroup, SECURITY_GROUP);
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
    fn declare(self, at: ResourceRef) -> (Resource, SecurityGroupHandle) {
        let SecurityGroup {
            mut resource,
            description,
            vpc,
            ingress,
            egress,
        } = self;
        let handle = SecurityGroupHandle {
            handle: Handle(at),
        };
        let mut cfn = Form::new();
        cfn.set("GroupDescription", description.as_str())
            .physical_name("GroupName")
            .set("VpcId", vpc.clone());
        if !ingress.is_empty() {
            let rules = ingress.iter().map(|r| r.cloudformation("SourceSecurityGroupId"));
            cfn.set("SecurityGroupIngress", Value::List(rules.collect()));
        }
        let mut rules: Vec<Value> = egress
            .iter()
            .map(|r| r.cloudformation("DestinationSecurityGroupId"))
            .collect();
        if rules.is_empty() {
            // Without an egress rule CloudFormation keeps EC2's allow-all default; this rule matches no
            // traffic, so a group without egress rules is closed, as in Terraform.
            rules.push(object(&[
                ("CidrIp", Value::from("255.255.255.255/32")),
                ("Description", Value::from("Disallow all traffic")),
                ("FromPort", Value::Int(252)),
                ("IpProtocol", Value::from("icmp")),
                ("ToPort", Value::Int(86)),
            ]));
        }
        cfn.set("SecurityGroupEgress", Value::List(rules));
        let mut tf = Form::new();
        tf.set("description", description)
            .physical_name("name")
            .set("vpc_id", vpc);
        // checkov reads one module at a time: a group used only by other stacks looks unattached.
        tf.checkov_skip_when_read_elsewhere(
            "CKV2_AWS_5",
            "attached in stack {stacks}, another module, which checkov does not read with this one",
        );
        construct::finish(&mut resource, cfn, tf);
        for (suffix, rules) in [("_ingress", &ingress), ("_egress", &egress)] {
            for rule in rules {
                let (body, name) = rule.terraform(handle.id(), suffix == "_egress");
                construct::terraform_named_item(&mut resource, suffix, body, name);
            }
        }
        (resource, handle)
    }
}

impl Rule {
    /// The rule as a CloudFormation rule object; `group_key` names the peer group's property.
    fn cloudformation(&self, group_key: &str) -> Value {
        let mut rule = vec![("IpProtocol", Value::from(self.port.protocol))];
        if !self.port.is_all_traffic() {
            rule.push(("FromPort", Value::Int(self.port.from)));
            rule.push(("ToPort", Value::Int(self.port.to)));
        }
        rule.push(match &self.peer {
            Peer::Ipv4(cidr) => ("CidrIp", Value::from(cidr.as_str())),
            Peer::SecurityGroup(group) => (group_key, Value::Str(group.clone())),
        });
        rule.push(("Description", Value::from(self.description.as_str())));
        object(&rule)
    }

    /// The rule as the body of a Terraform rule resource of the group `group`, and its name parts:
    /// protocol (`all` for every protocol), ports, `from`/`to` and the peer.
    fn terraform(&self, group: Expr, egress: bool) -> (Form, Vec<Value>) {
        let mut body = Form::new();
        body.set("security_group_id", group)
            .set("ip_protocol", self.port.protocol);
        let mut name = Vec::new();
        if self.port.is_all_traffic() {
            name.push(Value::from("all"));
        } else {
            body.set("from_port", self.port.from)
                .set("to_port", self.port.to);
            name.push(Value::from(self.port.protocol));
            name.push(Value::Int(self.port.from));
            if self.port.to != self.port.from {
                name.push(Value::Int(self.port.to));
            }
        }
        let peer = match &self.peer {
            Peer::Ipv4(cidr) => {
                body.set("cidr_ipv4", cidr.as_str());
                Value::from(cidr.as_str())
            }
            Peer::SecurityGroup(group) => {
                body.set("referenced_security_group_id", group.clone());
                Value::Str(group.clone())
            }
        };
        body.set("description", self.description.as_str());
        name.push(Value::from(if egress { "to" } else { "from" }));
        name.push(peer);
        (body, name)
    }
}

/// The neutral kind of one ingress rule of a security group declared on its own.
pub const INGRESS_RULE_KIND: &str = "aws.ec2.SecurityGroupIngress";
/// The neutral kind of one egress rule of a security group declared on its own.
pub const EGRESS_RULE_KIND: &str = "aws.ec2.SecurityGroupEgress";

/// An ingress rule declared on its own in each target.
pub(crate) static SECURITY_GROUP_INGRESS: Spelling = Spelling {
    kind: INGRESS_RULE_KIND,
    cloudformation: "AWS::EC2::SecurityGroupIngress",
    terraform: "aws_vpc_security_group_ingress_rule",
    terraform_tags: false,
    attributes: &[Attribute::new("id", Read::Ref, "id")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// An egress rule declared on its own in each target.
pub(crate) static SECURITY_GROUP_EGRESS: Spelling = Spelling {
    kind: EGRESS_RULE_KIND,
    cloudformation: "AWS::EC2::SecurityGroupEgress",
    terraform: "aws_vpc_security_group_egress_rule",
    terraform_tags: false,
    attributes: &[Attribute::new("id", Read::Ref, "id")],
    cloudformation_resource: None,
    terraform_data: &[],
    terraform_blocks: &[],
};

/// One rule of a group declared on its own, as [`SecurityGroupIngress`] and [`SecurityGroupEgress`]
/// take it.
struct StandaloneRule {
    resource: Resource,
    group: Expr,
    rule: Rule,
}

impl StandaloneRule {
    #[track_caller]
    fn new(
        id: String,
        kind: &'static str,
        group: &SecurityGroupHandle,
        peer: Peer,
        port: Port,
        description: String,
    ) -> Self {
        // The checks of a group's own rules, on a group that declares nothing.
        let mut checked = SecurityGroup {
            resource: Resource::new(id, kind),
            description: String::new(),
            vpc: Expr::from(""),
            ingress: Vec::new(),
            egress: Vec::new(),
        };
        let rule = checked.rule(peer, port, description);
        StandaloneRule {
            resource: checked.resource,
            group: group.id(),
            rule,
        }
    }

    fn declare(self, at: ResourceRef, egress: bool) -> (Resource, SecurityGroupRuleHandle) {
        let StandaloneRule {
            mut resource,
            group,
            rule,
        } = self;
        let mut cfn = Form::new();
        cfn.set("GroupId", group.clone());
        let peer_key = if egress {
            "DestinationSecurityGroupId"
        } else {
            "SourceSecurityGroupId"
        };
        if let Value::Map(entries) = rule.cloudformation(peer_key) {
            for (key, value) in entries {
                cfn.set(&key, value);
            }
        }
        let (tf, _) = rule.terraform(group, egress);
        construct::finish(&mut resource, cfn, tf);
        (
            resource,
            SecurityGroupRuleHandle {
                handle: Handle(at),
            },
        )
    }
}

/// One ingress rule of an existing group handle, declared on its own (CloudFormation
/// `AWS::EC2::SecurityGroupIngress`, Terraform `aws_vpc_security_group_ingress_rule`): for a group
/// declared elsewhere (another construct, another stack, an existing group), or two groups that refer to
/// each other, whose inline rules would make a cycle. AWS CDK declares rules between groups the same way.
pub struct SecurityGroupIngress {
    resource: Resource,
    group: Expr,
    rule: Rule,
}

impl SecurityGroupIngress {
    /// Allows traffic from `peer` on `port` into `group`.
    #[track_caller]
    pub fn new(
        id: impl Into<String>,
        group: &SecurityGroupHandle,
        peer: Peer,
        port: Port,
        description: impl Into<String>,
    ) -> Self {
        let StandaloneRule {
            resource,
            group,
            rule,
        } = StandaloneRule::new(
            id.into(),
            INGRESS_RULE_KIND,
            group,
            peer,
            port,
            description.into(),
        );
        SecurityGroupIngress {
            resource,
            group,
            rule,
        }
    }
}
common_setters!(SecurityGroupIngress);
patchable!(SecurityGroupIngress, SECURITY_GROUP_INGRESS);

/// One egress rule of an existing group handle, declared on its own (CloudFormation
/// `AWS::EC2::SecurityGroupEgress`, Terraform `aws_vpc_security_group_egress_rule`); see
/// [`SecurityGroupIngress`] for when.
pub struct SecurityGroupEgress {
    resource: Resource,
    group: Expr,
    rule: Rule,
}

impl SecurityGroupEgress {
    /// Allows traffic from `group` to `peer` on `port`.
    #[track_caller]
    pub fn new(
        id: impl Into<String>,
        group: &SecurityGroupHandle,
        peer: Peer,
        port: Port,
        description: impl Into<String>,
    ) -> Self {
        let StandaloneRule {
            resource,
            group,
            rule,
        } = StandaloneRule::new(
            id.into(),
            EGRESS_RULE_KIND,
            group,
            peer,
            port,
            description.into(),
        );
        SecurityGroupEgress {
            resource,
            group,
            rule,
        }
    }
}
common_setters!(SecurityGroupEgress);
patchable!(SecurityGroupEgress, SECURITY_GROUP_EGRESS);

attr_handle!(
    /// A declared security group rule.
    SecurityGroupRuleHandle {
        /// The rule id (`sgr-...` in Terraform; CloudFormation's physical id).
        id: "id",
    }
);

impl Declare for SecurityGroupIngress {
    type Handle = SecurityGroupRuleHandle;
    fn declare(self, at: ResourceRef) -> (Resource, SecurityGroupRuleHandle) {
        let SecurityGroupIngress {
            resource,
            group,
            rule,
        } = self;
        StandaloneRule {
            resource,
            group,
            rule,
        }
        .declare(at, false)
    }
}

impl Declare for SecurityGroupEgress {
    type Handle = SecurityGroupRuleHandle;
    fn declare(self, at: ResourceRef) -> (Resource, SecurityGroupRuleHandle) {
        let SecurityGroupEgress {
            resource,
            group,
            rule,
        } = self;
        StandaloneRule {
            resource,
            group,
            rule,
        }
        .declare(at, true)
    }
}
