//! Per-kind lowering of neutral resources to CloudFormation resource types.

use crate::expr::{self, Reference, Resolve};
use crate::names::{LogicalIds, ATTACHMENT_SUFFIX};
use serde_json::{json, Map, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::{AttrRef, Diagnostic, EnvSpec, Expr, ParamRef, Resource, Stack, Value};

pub(crate) struct Lowering<'a> {
    pub stack: &'a Stack,
    pub env: &'a EnvSpec,
    pub ids: &'a LogicalIds,
}

/// What one neutral resource becomes: template resources and, for lookups, a template parameter.
#[derive(Default)]
pub(crate) struct Lowered {
    pub resources: Vec<(String, Json)>,
    pub parameter: Option<(String, Json)>,
}

impl Resolve for Lowering<'_> {
    fn attr(&self, attr: &AttrRef) -> Result<Reference, String> {
        let resource = self
            .stack
            .resource(attr.resource)
            .ok_or("reference to a resource outside this stack")?;
        let id = self.ids.resources[attr.resource.index as usize].clone();
        let get_att = |name: &str| Ok(Reference::GetAtt(id.clone(), name.to_owned()));
        match (resource.kind, attr.attr) {
            (kinds::SECURITY_GROUP, "id") => get_att("GroupId"),
            (kinds::SSM_PARAMETER_LOOKUP, "value") => Ok(Reference::Ref(id)),
            (_, "id") => Ok(Reference::Ref(id)),
            (kinds::VPC, "cidr_block") => get_att("CidrBlock"),
            (kinds::SUBNET | kinds::INSTANCE, "availability_zone") => get_att("AvailabilityZone"),
            (kinds::INSTANCE, "private_ip") => get_att("PrivateIp"),
            (kinds::INSTANCE, "public_ip") => get_att("PublicIp"),
            (kinds::INSTANCE, "private_dns_name") => get_att("PrivateDnsName"),
            (kinds::INSTANCE, "public_dns_name") => get_att("PublicDnsName"),
            (kind, name) => Err(format!(
                "attribute `{name}` of `{kind}` has no CloudFormation equivalent"
            )),
        }
    }

    fn param(&self, param: &ParamRef) -> Result<Reference, String> {
        self.stack
            .parameter(*param)
            .map(|_| Reference::Ref(self.ids.parameters[param.index as usize].clone()))
            .ok_or_else(|| "reference to a parameter outside this stack".into())
    }
}

/// Builds the `Properties` of one resource, reporting problems against it.
struct Props<'l, 'p> {
    lowering: &'l Lowering<'l>,
    resource: &'l Resource,
    problems: &'p mut Vec<Diagnostic>,
    out: Map<String, Json>,
}

impl Props<'_, '_> {
    fn expr(&mut self, expr: &Expr) -> Json {
        let (resource, problems) = (self.resource, &mut *self.problems);
        expr::lower(expr, self.lowering, &mut |m| {
            problems.push(
                Diagnostic::new(m)
                    .for_resource(&resource.id)
                    .at(resource.location),
            )
        })
    }

    fn value(&mut self, value: &Value) -> Json {
        match value {
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Str(e) => self.expr(e),
            Value::List(items) => Json::Array(items.iter().map(|v| self.value(v)).collect()),
            Value::Map(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), self.value(v)))
                    .collect(),
            ),
        }
    }

    /// Copies neutral property `from` to CloudFormation property `to`, when set.
    fn copy(&mut self, from: &str, to: &str) {
        if let Some(value) = self.resource.get(from) {
            let lowered = self.value(value);
            self.out.insert(to.into(), lowered);
        }
    }

    fn insert(&mut self, key: &str, value: Json) {
        self.out.insert(key.into(), value);
    }

    /// Environment tags first, each overridden in place by a resource tag of the same key, then the
    /// resource's other tags.
    fn tags(&mut self) {
        let mut tags: Vec<(String, Json)> = self
            .lowering
            .env
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), Json::String(v.clone())))
            .collect();
        for (key, value) in &self.resource.tags {
            let value = self.expr(value);
            match tags.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => tags.push((key.clone(), value)),
            }
        }
        if !tags.is_empty() {
            let list = tags
                .into_iter()
                .map(|(k, v)| json!({ "Key": k, "Value": v }))
                .collect();
            self.out.insert("Tags".into(), Json::Array(list));
        }
    }
}

impl Lowering<'_> {
    pub(crate) fn resolver(&self) -> &dyn Resolve {
        self
    }

    pub(crate) fn resource(
        &self,
        index: usize,
        resource: &Resource,
        problems: &mut Vec<Diagnostic>,
    ) -> Lowered {
        let id = &self.ids.resources[index];
        let mut depends_on: Vec<String> = Vec::new();
        for dependency in &resource.depends_on {
            match self.stack.resource(*dependency) {
                // A lookup is a template parameter, resolved before any resource: nothing to wait for.
                Some(target) if target.kind == kinds::SSM_PARAMETER_LOOKUP => {}
                Some(_) => depends_on.push(self.ids.resources[dependency.index as usize].clone()),
                // Foreign references are reported by the core's instantiation.
                None => {}
            }
        }
        let mut p = Props {
            lowering: self,
            resource,
            problems,
            out: Map::new(),
        };
        let mut extra = Vec::new();
        let type_name = match resource.kind {
            kinds::VPC => {
                p.copy("cidr_block", "CidrBlock");
                p.copy("enable_dns_support", "EnableDnsSupport");
                p.copy("enable_dns_hostnames", "EnableDnsHostnames");
                p.tags();
                "AWS::EC2::VPC"
            }
            kinds::SUBNET => {
                p.copy("vpc_id", "VpcId");
                p.copy("cidr_block", "CidrBlock");
                p.copy("availability_zone", "AvailabilityZone");
                p.copy("map_public_ip_on_launch", "MapPublicIpOnLaunch");
                p.tags();
                "AWS::EC2::Subnet"
            }
            kinds::INTERNET_GATEWAY => {
                p.tags();
                let vpc_id = resource
                    .get("vpc_id")
                    .map(|v| p.value(v))
                    .unwrap_or(Json::Null);
                let attachment = json!({
                    "Type": "AWS::EC2::VPCGatewayAttachment",
                    "Properties": { "InternetGatewayId": { "Ref": id }, "VpcId": vpc_id },
                });
                extra.push((format!("{id}{ATTACHMENT_SUFFIX}"), attachment));
                "AWS::EC2::InternetGateway"
            }
            kinds::ROUTE_TABLE => {
                p.copy("vpc_id", "VpcId");
                p.tags();
                "AWS::EC2::RouteTable"
            }
            kinds::ROUTE => {
                p.copy("route_table_id", "RouteTableId");
                p.copy("destination_cidr_block", "DestinationCidrBlock");
                p.copy("gateway_id", "GatewayId");
                // A route through an internet gateway fails until the gateway is attached to the VPC,
                // and CloudFormation cannot infer that ordering from the properties.
                if let Some(Value::Str(Expr::Attr(gateway))) = resource.get("gateway_id") {
                    if self.stack.resource(gateway.resource).map(|g| g.kind)
                        == Some(kinds::INTERNET_GATEWAY)
                    {
                        let gateway_id = &self.ids.resources[gateway.resource.index as usize];
                        depends_on.push(format!("{gateway_id}{ATTACHMENT_SUFFIX}"));
                    }
                }
                "AWS::EC2::Route"
            }
            kinds::SUBNET_ROUTE_TABLE_ASSOCIATION => {
                p.copy("subnet_id", "SubnetId");
                p.copy("route_table_id", "RouteTableId");
                "AWS::EC2::SubnetRouteTableAssociation"
            }
            kinds::SECURITY_GROUP => {
                p.copy("description", "GroupDescription");
                p.copy("vpc_id", "VpcId");
                let ingress = security_group_rules(&mut p, "ingress", "SourceSecurityGroupId");
                if !ingress.is_empty() {
                    p.insert("SecurityGroupIngress", Json::Array(ingress));
                }
                let mut egress =
                    security_group_rules(&mut p, "egress", "DestinationSecurityGroupId");
                if egress.is_empty() {
                    // Without an egress rule CloudFormation keeps EC2's allow-all default; this rule matches
                    // no traffic, so a group without egress rules is closed, as in Terraform.
                    egress.push(json!({
                        "CidrIp": "255.255.255.255/32",
                        "Description": "Disallow all traffic",
                        "FromPort": 252,
                        "IpProtocol": "icmp",
                        "ToPort": 86,
                    }));
                }
                p.insert("SecurityGroupEgress", Json::Array(egress));
                p.tags();
                "AWS::EC2::SecurityGroup"
            }
            kinds::INSTANCE => {
                p.copy("image_id", "ImageId");
                p.copy("instance_type", "InstanceType");
                p.copy("subnet_id", "SubnetId");
                p.copy("security_group_ids", "SecurityGroupIds");
                if let Some(Value::Map(root)) = resource.get("root_volume") {
                    let field = |k: &str| root.iter().find(|(key, _)| key == k).map(|(_, v)| v);
                    let mut ebs = Map::new();
                    for (from, to) in [
                        ("volume_type", "VolumeType"),
                        ("size_gib", "VolumeSize"),
                        ("encrypted", "Encrypted"),
                    ] {
                        if let Some(v) = field(from) {
                            ebs.insert(to.into(), p.value(v));
                        }
                    }
                    let device = field("device_name")
                        .map(|v| p.value(v))
                        .unwrap_or(Json::Null);
                    p.insert(
                        "BlockDeviceMappings",
                        json!([{ "DeviceName": device, "Ebs": ebs }]),
                    );
                }
                if resource.get("require_imdsv2").and_then(Value::as_bool) == Some(true) {
                    p.insert(
                        "MetadataOptions",
                        json!({ "HttpEndpoint": "enabled", "HttpTokens": "required" }),
                    );
                }
                if let Some(user_data) = resource.get("user_data") {
                    let text = p.value(user_data);
                    p.insert("UserData", json!({ "Fn::Base64": text }));
                }
                p.tags();
                "AWS::EC2::Instance"
            }
            kinds::SSM_PARAMETER_LOOKUP => {
                let value_type = match resource
                    .get("value_type")
                    .and_then(Value::as_expr)
                    .and_then(Expr::as_literal)
                {
                    Some("image_id") => "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                    _ => "AWS::SSM::Parameter::Value<String>",
                };
                let name = resource
                    .get("name")
                    .map(|v| p.value(v))
                    .unwrap_or(Json::Null);
                let parameter = json!({
                    "Type": value_type,
                    "Default": name,
                    "Description": format!("SSM parameter read at deploy time for `{}`", resource.id),
                });
                return Lowered {
                    resources: Vec::new(),
                    parameter: Some((id.clone(), parameter)),
                };
            }
            other => {
                p.problems.push(
                    Diagnostic::new(format!(
                        "resource kind `{other}` has no CloudFormation lowering"
                    ))
                    .for_resource(&resource.id)
                    .at(resource.location),
                );
                return Lowered::default();
            }
        };
        let mut entry = Map::new();
        entry.insert("Type".into(), type_name.into());
        if !depends_on.is_empty() {
            entry.insert("DependsOn".into(), json!(depends_on));
        }
        entry.insert("Properties".into(), Json::Object(p.out));
        let mut resources = vec![(id.clone(), Json::Object(entry))];
        resources.extend(extra);
        Lowered {
            resources,
            parameter: None,
        }
    }
}

/// Lowers the neutral rules of a security group direction; `group_key` names the peer-group property.
fn security_group_rules(p: &mut Props, direction: &str, group_key: &str) -> Vec<Json> {
    let Some(rules) = p.resource.get(direction).and_then(Value::as_list) else {
        return Vec::new();
    };
    rules
        .iter()
        .map(|rule| {
            let mut out = Map::new();
            let protocol = rule
                .get("protocol")
                .map(|v| p.value(v))
                .unwrap_or(Json::Null);
            let all_traffic = protocol == "-1";
            out.insert("IpProtocol".into(), protocol);
            if !all_traffic {
                for (from, to) in [("from_port", "FromPort"), ("to_port", "ToPort")] {
                    if let Some(v) = rule.get(from) {
                        out.insert(to.into(), p.value(v));
                    }
                }
            }
            for (from, to) in [
                ("cidr_ipv4", "CidrIp"),
                ("security_group_id", group_key),
                ("description", "Description"),
            ] {
                if let Some(v) = rule.get(from) {
                    out.insert(to.into(), p.value(v));
                }
            }
            Json::Object(out)
        })
        .collect()
}
