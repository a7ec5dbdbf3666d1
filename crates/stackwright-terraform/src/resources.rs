//! Per-kind lowering of neutral resources to Terraform resources and data sources.

use crate::expr::{self, Resolve};
use crate::names::{rule_name, Names};
use serde_json::{json, Map, Value as Json};
use stackwright_aws::kinds;
use stackwright_core::{AttrRef, Diagnostic, ParamRef, Resource, Stack, Value};

pub(crate) struct Lowering<'a> {
    pub stack: &'a Stack,
    pub names: &'a Names,
}

/// `resource` and `data` blocks, grouped by type in order of first appearance.
#[derive(Default)]
pub(crate) struct Blocks {
    pub resources: Map<String, Json>,
    pub data: Map<String, Json>,
    pub count: usize,
}

impl Blocks {
    fn add(&mut self, data: bool, type_name: &str, name: &str, body: Map<String, Json>) {
        let group = if data {
            &mut self.data
        } else {
            &mut self.resources
        };
        let of_type = group
            .entry(type_name)
            .or_insert_with(|| Json::Object(Map::new()));
        if let Json::Object(of_type) = of_type {
            of_type.insert(name.to_owned(), Json::Object(body));
        }
        self.count += 1;
    }
}

/// The Terraform type of a neutral kind's main block, and whether it is a data source.
fn terraform_type(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        kinds::VPC => ("aws_vpc", false),
        kinds::SUBNET => ("aws_subnet", false),
        kinds::INTERNET_GATEWAY => ("aws_internet_gateway", false),
        kinds::ROUTE_TABLE => ("aws_route_table", false),
        kinds::ROUTE => ("aws_route", false),
        kinds::SUBNET_ROUTE_TABLE_ASSOCIATION => ("aws_route_table_association", false),
        kinds::SECURITY_GROUP => ("aws_security_group", false),
        kinds::INSTANCE => ("aws_instance", false),
        kinds::SSM_PARAMETER_LOOKUP => ("aws_ssm_parameter", true),
        _ => return None,
    })
}

impl Lowering<'_> {
    fn address(&self, index: usize, resource: &Resource) -> Result<String, String> {
        let (type_name, data) = terraform_type(resource.kind).ok_or_else(|| {
            format!(
                "resource kind `{}` has no Terraform lowering",
                resource.kind
            )
        })?;
        let prefix = if data { "data." } else { "" };
        Ok(format!(
            "{prefix}{type_name}.{}",
            self.names.resources[index]
        ))
    }
}

impl Resolve for Lowering<'_> {
    fn attr(&self, attr: &AttrRef) -> Result<String, String> {
        let resource = self
            .stack
            .resource(attr.resource)
            .ok_or("reference to a resource outside this stack")?;
        let address = self.address(attr.resource.index as usize, resource)?;
        let name = match (resource.kind, attr.attr) {
            // `value` is marked sensitive even for plain `String` parameters, which would taint every
            // resource using it; public parameters such as AMI ids are read through `insecure_value`.
            (kinds::SSM_PARAMETER_LOOKUP, "value") => "insecure_value",
            (kinds::SSM_PARAMETER_LOOKUP, _) => "",
            (_, "id") => "id",
            (kinds::VPC, "cidr_block") => "cidr_block",
            (kinds::SUBNET | kinds::INSTANCE, "availability_zone") => "availability_zone",
            (kinds::INSTANCE, "private_ip") => "private_ip",
            (kinds::INSTANCE, "public_ip") => "public_ip",
            (kinds::INSTANCE, "private_dns_name") => "private_dns",
            (kinds::INSTANCE, "public_dns_name") => "public_dns",
            _ => "",
        };
        if name.is_empty() {
            return Err(format!(
                "attribute `{}` of `{}` has no Terraform equivalent",
                attr.attr, resource.kind
            ));
        }
        Ok(format!("{address}.{name}"))
    }

    fn param(&self, param: &ParamRef) -> Result<String, String> {
        self.stack
            .parameter(*param)
            .map(|_| format!("var.{}", self.names.variables[param.index as usize]))
            .ok_or_else(|| "reference to a parameter outside this stack".into())
    }
}

/// Builds the attributes of one block, reporting problems against the resource.
struct Attrs<'l, 'p> {
    lowering: &'l Lowering<'l>,
    resource: &'l Resource,
    problems: &'p mut Vec<Diagnostic>,
    out: Map<String, Json>,
}

impl Attrs<'_, '_> {
    fn value(&mut self, value: &Value) -> Json {
        match value {
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Str(e) => {
                let (resource, problems) = (self.resource, &mut *self.problems);
                Json::String(expr::lower(e, self.lowering, &mut |m| {
                    problems.push(
                        Diagnostic::new(m)
                            .for_resource(&resource.id)
                            .at(resource.location),
                    )
                }))
            }
            Value::List(items) => Json::Array(items.iter().map(|v| self.value(v)).collect()),
            Value::Map(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), self.value(v)))
                    .collect(),
            ),
        }
    }

    /// Copies neutral property `from` to attribute `to`, when set.
    fn copy(&mut self, from: &str, to: &str) {
        if let Some(value) = self.resource.get(from) {
            let lowered = self.value(value);
            self.out.insert(to.into(), lowered);
        }
    }

    fn insert(&mut self, key: &str, value: Json) {
        self.out.insert(key.into(), value);
    }

    /// Resource tags only: the environment's tags reach every resource through the provider's
    /// `default_tags`, and a resource tag with the same key wins there too.
    fn tags(&mut self) {
        if self.resource.tags.is_empty() {
            return;
        }
        let tags: Vec<(String, Json)> = self
            .resource
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), self.value(&Value::Str(v.clone()))))
            .collect();
        self.out
            .insert("tags".into(), Json::Object(tags.into_iter().collect()));
    }

    fn take(&mut self) -> Map<String, Json> {
        std::mem::take(&mut self.out)
    }
}

impl Lowering<'_> {
    pub(crate) fn resource(
        &self,
        index: usize,
        resource: &Resource,
        blocks: &mut Blocks,
        variables: &mut Map<String, Json>,
        problems: &mut Vec<Diagnostic>,
    ) {
        let Some((type_name, data)) = terraform_type(resource.kind) else {
            problems.push(
                Diagnostic::new(format!(
                    "resource kind `{}` has no Terraform lowering",
                    resource.kind
                ))
                .for_resource(&resource.id)
                .at(resource.location),
            );
            return;
        };
        let name = &self.names.resources[index];
        let depends_on: Vec<Json> = resource
            .depends_on
            .iter()
            .filter_map(|d| {
                Some(Json::String(
                    self.address(d.index as usize, self.stack.resource(*d)?)
                        .ok()?,
                ))
            })
            .collect();
        let mut a = Attrs {
            lowering: self,
            resource,
            problems,
            out: Map::new(),
        };
        let mut extra: Vec<(&str, String, Map<String, Json>)> = Vec::new();
        match resource.kind {
            kinds::VPC => {
                a.copy("cidr_block", "cidr_block");
                a.copy("enable_dns_support", "enable_dns_support");
                a.copy("enable_dns_hostnames", "enable_dns_hostnames");
                a.tags();
            }
            kinds::SUBNET => {
                a.copy("vpc_id", "vpc_id");
                a.copy("cidr_block", "cidr_block");
                a.copy("availability_zone", "availability_zone");
                a.copy("map_public_ip_on_launch", "map_public_ip_on_launch");
                a.tags();
            }
            kinds::INTERNET_GATEWAY | kinds::ROUTE_TABLE => {
                a.copy("vpc_id", "vpc_id");
                a.tags();
            }
            kinds::ROUTE => {
                a.copy("route_table_id", "route_table_id");
                a.copy("destination_cidr_block", "destination_cidr_block");
                a.copy("gateway_id", "gateway_id");
            }
            kinds::SUBNET_ROUTE_TABLE_ASSOCIATION => {
                a.copy("subnet_id", "subnet_id");
                a.copy("route_table_id", "route_table_id");
            }
            kinds::SECURITY_GROUP => {
                a.copy("description", "description");
                a.copy("vpc_id", "vpc_id");
                a.tags();
                // Rules are separate resources (the provider's recommended form): inline rule blocks in
                // JSON must spell out every attribute, and separate rules can change without replacing
                // the group. A group without egress rules has none: the provider removes EC2's default.
                let group_id = Json::String(format!("${{aws_security_group.{name}.id}}"));
                for (direction, rule_type, peer_key) in [
                    (
                        "ingress",
                        "aws_vpc_security_group_ingress_rule",
                        "referenced_security_group_id",
                    ),
                    (
                        "egress",
                        "aws_vpc_security_group_egress_rule",
                        "referenced_security_group_id",
                    ),
                ] {
                    let rules = resource
                        .get(direction)
                        .and_then(Value::as_list)
                        .unwrap_or_default();
                    for (number, rule) in rules.iter().enumerate() {
                        let mut body = Map::new();
                        body.insert("security_group_id".into(), group_id.clone());
                        let protocol = rule
                            .get("protocol")
                            .map(|v| a.value(v))
                            .unwrap_or(Json::Null);
                        let all_traffic = protocol == "-1";
                        body.insert("ip_protocol".into(), protocol);
                        if !all_traffic {
                            for port in ["from_port", "to_port"] {
                                if let Some(v) = rule.get(port) {
                                    body.insert(port.into(), a.value(v));
                                }
                            }
                        }
                        for (from, to) in [
                            ("cidr_ipv4", "cidr_ipv4"),
                            ("security_group_id", peer_key),
                            ("description", "description"),
                        ] {
                            if let Some(v) = rule.get(from) {
                                body.insert(to.into(), a.value(v));
                            }
                        }
                        extra.push((rule_type, rule_name(name, direction, number + 1), body));
                    }
                }
            }
            kinds::INSTANCE => {
                a.copy("image_id", "ami");
                a.copy("instance_type", "instance_type");
                a.copy("subnet_id", "subnet_id");
                a.copy("security_group_ids", "vpc_security_group_ids");
                // The provider base64-encodes `user_data` itself.
                a.copy("user_data", "user_data");
                if let Some(Value::Map(root)) = resource.get("root_volume") {
                    let mut block = Map::new();
                    for (from, to) in [
                        ("volume_type", "volume_type"),
                        ("size_gib", "volume_size"),
                        ("encrypted", "encrypted"),
                    ] {
                        if let Some((_, v)) = root.iter().find(|(k, _)| k == from) {
                            block.insert(to.into(), a.value(v));
                        }
                    }
                    a.insert("root_block_device", Json::Object(block));
                }
                if resource.get("require_imdsv2").and_then(Value::as_bool) == Some(true) {
                    a.insert(
                        "metadata_options",
                        json!({ "http_endpoint": "enabled", "http_tokens": "required" }),
                    );
                }
                a.tags();
            }
            kinds::SSM_PARAMETER_LOOKUP => {
                // The parameter's name is a variable defaulting to the declared name, like the default of
                // CloudFormation's SSM-typed parameter.
                let default = resource
                    .get("name")
                    .map(|v| a.value(v))
                    .unwrap_or(Json::Null);
                variables.insert(
                    name.clone(),
                    json!({
                        "type": "string",
                        "default": default,
                        "description": format!("SSM parameter read at deploy time for `{}`", resource.id),
                    }),
                );
                a.insert("name", Json::String(format!("${{var.{name}}}")));
            }
            _ => unreachable!("terraform_type covers every kind lowered here"),
        }
        let mut body = a.take();
        if !depends_on.is_empty() {
            body.insert("depends_on".into(), Json::Array(depends_on));
        }
        blocks.add(data, type_name, name, body);
        for (rule_type, rule_name, body) in extra {
            blocks.add(false, rule_type, &rule_name, body);
        }
    }
}
