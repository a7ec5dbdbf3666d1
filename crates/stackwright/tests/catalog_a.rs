//! The network, compute, load balancing and edge catalog: one small case per type, checking its lowering
//! to both targets on the exact JSON, then the input each builder rejects.

use crate::support::{artifacts, fails, line_below, one_stack, CFN, TF};
use serde_json::{json, Value};
use stackwright::aws::acm;
use stackwright::aws::autoscaling::{self, AutoScalingGroup};
use stackwright::aws::ec2::{self, Peer, Port};
use stackwright::aws::elbv2::{
    Action, Condition, HealthCheck, Listener, ListenerRule, LoadBalancer, LoadBalancerHandle,
    Protocol, Scheme, Stickiness, TargetGroup, TargetType,
};
use stackwright::aws::route53::{AliasTarget, HostedZone, HostedZoneHandle, Record, RecordType};
use stackwright::prelude::*;
use stackwright::{Environment, RemovalPolicy};

/// Synthesizes a one-stack app and checks resources of both targets: CloudFormation entries by logical id
/// (the whole entry: type, policies, dependencies, properties) and Terraform blocks by (type, name).
#[track_caller]
pub(crate) fn check(
    define: impl Fn(&mut Stack) + Send + Sync + 'static,
    cloudformation: &[(&str, Value)],
    terraform: &[(&str, &str, Value)],
) {
    let mut docs = artifacts(&one_stack(define));
    docs.values_mut().for_each(without_default_tags);
    for (id, expected) in cloudformation {
        assert_eq!(
            &docs[CFN]["Resources"][id], expected,
            "CloudFormation resource `{id}`"
        );
    }
    for (type_name, name, expected) in terraform {
        assert_eq!(
            &docs[TF]["resource"][type_name][name], expected,
            "Terraform `{type_name}.{name}`"
        );
    }
}

/// Removes the standard default tags (`app`, `environment`, `managed-by`) that every taggable resource
/// gets, so the cases show what each type adds; the templating tests cover default tags themselves.
pub(crate) fn without_default_tags(doc: &mut Value) {
    const DEFAULTS: [&str; 3] = ["app", "environment", "managed-by"];
    match doc {
        Value::Object(map) => {
            for key in ["Tags", "HostedZoneTags", "tag"] {
                if let Some(Value::Array(tags)) = map.get_mut(key) {
                    tags.retain(|t| {
                        let key = t
                            .get("Key")
                            .or_else(|| t.get("key"))
                            .and_then(Value::as_str);
                        !key.is_some_and(|k| DEFAULTS.contains(&k))
                    });
                    if tags.is_empty() {
                        map.shift_remove(key);
                    }
                }
            }
            map.values_mut().for_each(without_default_tags);
            // A tag specification left without tags was there only for the default tags.
            if let Some(Value::Array(specs)) = map.get_mut("TagSpecifications") {
                specs.retain(|spec| spec.get("Tags").is_some());
                if specs.is_empty() {
                    map.shift_remove("TagSpecifications");
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(without_default_tags),
        _ => {}
    }
}

/// The network most cases stand on: a VPC with two subnets and a security group.
pub(crate) struct Net {
    pub vpc: ec2::VpcHandle,
    pub subnets: [ec2::SubnetHandle; 2],
    pub group: ec2::SecurityGroupHandle,
}

pub(crate) fn net(s: &mut Stack) -> Net {
    let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    let subnets = [0, 1].map(|i| {
        s.add(ec2::Subnet::new(
            format!("Subnet{i}"),
            &vpc,
            &format!("10.0.{i}.0/24"),
        ))
    });
    let group = s.add(ec2::SecurityGroup::new("Group", &vpc, "web").allow_ingress(
        Peer::any_ipv4(),
        Port::tcp(443),
        "HTTPS",
    ));
    Net {
        vpc,
        subnets,
        group,
    }
}

pub(crate) fn alb(s: &mut Stack, net: &Net) -> LoadBalancerHandle {
    s.add(LoadBalancer::application(
        "Web",
        Scheme::InternetFacing,
        &net.subnets,
        [&net.group],
    ))
}

pub(crate) fn zone(s: &mut Stack) -> HostedZoneHandle {
    s.add(HostedZone::new("Zone", "example.com"))
}

#[test]
fn elastic_ip_and_public_nat_gateway_wait_for_the_attached_internet_gateway() {
    check(
        |s| {
            let net = net(s);
            let gateway = s.add(ec2::InternetGateway::new("Gateway", &net.vpc));
            let address = s.add(ec2::ElasticIp::new("NatIp").depends_on(&gateway));
            s.add(ec2::NatGateway::public("Nat", &net.subnets[0], &address).depends_on(&gateway));
        },
        &[
            (
                "NatIp",
                json!({"Type": "AWS::EC2::EIP", "DependsOn": ["GatewayAttachment"],
                       "Properties": {"Domain": "vpc"}}),
            ),
            (
                "Nat",
                json!({"Type": "AWS::EC2::NatGateway", "DependsOn": ["GatewayAttachment"],
                       "Properties": {"SubnetId": {"Ref": "Subnet0"}, "ConnectivityType": "public",
                                      "AllocationId": {"Fn::GetAtt": ["NatIp", "AllocationId"]}}}),
            ),
        ],
        &[
            (
                "aws_eip",
                "nat_ip",
                json!({"domain": "vpc", "depends_on": ["aws_internet_gateway.gateway"]}),
            ),
            (
                "aws_nat_gateway",
                "nat",
                json!({"subnet_id": "${aws_subnet.subnet0.id}", "connectivity_type": "public",
                       "allocation_id": "${aws_eip.nat_ip.allocation_id}",
                       "depends_on": ["aws_internet_gateway.gateway"]}),
            ),
        ],
    );
}

#[test]
fn private_nat_gateway_and_a_route_through_it() {
    check(
        |s| {
            let net = net(s);
            let nat = s.add(ec2::NatGateway::private("Nat", &net.subnets[1]));
            let table = s.add(ec2::RouteTable::new("Routes", &net.vpc));
            s.add(ec2::Route::to_nat_gateway("Out", &table, "0.0.0.0/0", &nat));
        },
        &[
            (
                "Nat",
                json!({"Type": "AWS::EC2::NatGateway",
                       "Properties": {"SubnetId": {"Ref": "Subnet1"}, "ConnectivityType": "private"}}),
            ),
            (
                "Out",
                json!({"Type": "AWS::EC2::Route",
                       "Properties": {"RouteTableId": {"Ref": "Routes"}, "DestinationCidrBlock": "0.0.0.0/0",
                                      "NatGatewayId": {"Ref": "Nat"}}}),
            ),
        ],
        &[(
            "aws_route",
            "out",
            json!({"route_table_id": "${aws_route_table.routes.id}", "destination_cidr_block": "0.0.0.0/0",
                   "nat_gateway_id": "${aws_nat_gateway.nat.id}"}),
        )],
    );
}

#[test]
fn launch_template_requires_imdsv2_and_encrypts_its_root_volume() {
    check(
        |s| {
            let net = net(s);
            s.add(
                ec2::LaunchTemplate::new("App", "ami-12345678", "t3.small")
                    .security_group(&net.group)
                    .user_data(interpolate!["#!/bin/sh\necho \"${HOME}\" ", net.vpc.id()])
                    .instance_profile_arn("arn:aws:iam::123456789012:instance-profile/app"),
            );
        },
        &[(
            "App",
            json!({"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {
                "ImageId": "ami-12345678",
                "InstanceType": "t3.small",
                "SecurityGroupIds": [{"Fn::GetAtt": ["Group", "GroupId"]}],
                "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeType": "gp3", "Encrypted": true}}],
                "MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": "required"},
                "UserData": {"Fn::Base64": {"Fn::Sub": "#!/bin/sh\necho \"${!HOME}\" ${Vpc}"}},
                "IamInstanceProfile": {"Arn": "arn:aws:iam::123456789012:instance-profile/app"}
            }}}),
        )],
        &[(
            "aws_launch_template",
            "app",
            json!({
                "image_id": "ami-12345678",
                "instance_type": "t3.small",
                "vpc_security_group_ids": ["${aws_security_group.group.id}"],
                // The provider wants it base64-encoded already.
                "user_data": "${base64encode(\"#!/bin/sh\\necho \\\"$${HOME}\\\" ${aws_vpc.vpc.id}\")}",
                "iam_instance_profile": {"arn": "arn:aws:iam::123456789012:instance-profile/app"},
                "block_device_mappings": [{"device_name": "/dev/xvda", "ebs": {"volume_type": "gp3", "encrypted": "true"}}],
                "metadata_options": {"http_endpoint": "enabled", "http_tokens": "required"},
                // `default_tags` does not reach what the template launches (issue 11, item 6).
                "tag_specifications": [
                    {"resource_type": "instance", "tags": {"app": "demo", "environment": "dev", "managed-by": "stackwright"}},
                    {"resource_type": "volume", "tags": {"app": "demo", "environment": "dev", "managed-by": "stackwright"}}
                ]
            }),
        )],
    );
}

#[test]
fn auto_scaling_group_with_target_groups_uses_elb_health_checks_and_propagates_tags() {
    let env = Environment::new("dev", "123456789012", "us-west-2", ()).tag("team", "web");
    let app = App::new("demo").environment(env).stack("main", |s, _| {
        let net = net(s);
        let template = s.add(ec2::LaunchTemplate::new("App", "ami-12345678", "t3.small"));
        let group = s.add(TargetGroup::new("Targets", Protocol::Http, 8080, &net.vpc));
        s.add(
            AutoScalingGroup::new("Fleet", &template, &net.subnets, 1, 4)
                .desired_capacity(2)
                .target_group(&group),
        );
    });
    let mut docs = artifacts(&app);
    docs.values_mut().for_each(without_default_tags);
    assert_eq!(
        docs[CFN]["Resources"]["Fleet"],
        json!({"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
            "MinSize": "1", "MaxSize": "4", "DesiredCapacity": "2",
            "LaunchTemplate": {"LaunchTemplateId": {"Ref": "App"},
                               "Version": {"Fn::GetAtt": ["App", "LatestVersionNumber"]}},
            "VPCZoneIdentifier": [{"Ref": "Subnet0"}, {"Ref": "Subnet1"}],
            "TargetGroupARNs": [{"Ref": "Targets"}],
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": 300,
            "Tags": [{"Key": "team", "Value": "web", "PropagateAtLaunch": true},
                     {"Key": "Name", "Value": "Fleet", "PropagateAtLaunch": true}]
        }})
    );
    // `default_tags` do not reach auto scaling groups: the environment's tags are written out.
    assert_eq!(
        docs[TF]["resource"]["aws_autoscaling_group"]["fleet"],
        json!({
            "min_size": 1, "max_size": 4, "desired_capacity": 2,
            "launch_template": {"id": "${aws_launch_template.app.id}",
                                "version": "${aws_launch_template.app.latest_version}"},
            "vpc_zone_identifier": ["${aws_subnet.subnet0.id}", "${aws_subnet.subnet1.id}"],
            "target_group_arns": ["${aws_lb_target_group.targets.arn}"],
            "health_check_type": "ELB",
            "health_check_grace_period": 300,
            "tag": [{"key": "team", "value": "web", "propagate_at_launch": true},
                    {"key": "Name", "value": "Fleet", "propagate_at_launch": true}]
        })
    );
}

#[test]
fn auto_scaling_group_without_target_groups_and_a_chosen_version() {
    check(
        |s| {
            let net = net(s);
            let template = s.add(ec2::LaunchTemplate::new("App", "ami-12345678", "t3.small"));
            s.add(
                AutoScalingGroup::new("Workers", &template, [&net.subnets[0]], 0, 2)
                    .launch_template_version(template.default_version())
                    .health_check(autoscaling::HealthCheck::Ec2)
                    .tag("Name", "worker"),
            );
        },
        &[(
            "Workers",
            json!({"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
                "MinSize": "0", "MaxSize": "2",
                "LaunchTemplate": {"LaunchTemplateId": {"Ref": "App"},
                                   "Version": {"Fn::GetAtt": ["App", "DefaultVersionNumber"]}},
                "VPCZoneIdentifier": [{"Ref": "Subnet0"}],
                "HealthCheckType": "EC2",
                "Tags": [{"Key": "Name", "Value": "worker", "PropagateAtLaunch": true}]
            }}),
        )],
        &[(
            "aws_autoscaling_group",
            "workers",
            json!({
                "min_size": 0, "max_size": 2,
                "launch_template": {"id": "${aws_launch_template.app.id}",
                                    "version": "${aws_launch_template.app.default_version}"},
                "vpc_zone_identifier": ["${aws_subnet.subnet0.id}"],
                "health_check_type": "EC2",
                "tag": [{"key": "Name", "value": "worker", "propagate_at_launch": true}]
            }),
        )],
    );
}

#[test]
fn volume_is_encrypted_and_snapshotted_before_removal() {
    check(
        |s| {
            let net = net(s);
            s.add(
                ec2::Volume::new("Data", net.subnets[0].availability_zone(), 100)
                    .iops(4000)
                    .kms_key_arn("arn:aws:kms:us-west-2:123456789012:key/abcd"),
            );
        },
        &[(
            "Data",
            json!({"Type": "AWS::EC2::Volume", "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot",
                   "Properties": {"AvailabilityZone": {"Fn::GetAtt": ["Subnet0", "AvailabilityZone"]},
                                  "Size": 100, "Iops": 4000, "Encrypted": true,
                                  "KmsKeyId": "arn:aws:kms:us-west-2:123456789012:key/abcd", "VolumeType": "gp3"}}),
        )],
        &[(
            "aws_ebs_volume",
            "data",
            json!({"availability_zone": "${aws_subnet.subnet0.availability_zone}", "size": 100,
                   "type": "gp3", "iops": 4000, "encrypted": true,
                   "kms_key_id": "arn:aws:kms:us-west-2:123456789012:key/abcd",
                   "final_snapshot": true, "lifecycle": {"prevent_destroy": true}}),
        )],
    );
}

#[test]
fn volume_removal_policy_opt_out() {
    let app = one_stack(|s| {
        s.add(
            ec2::Volume::new("Scratch", "us-west-2a", 125).removal_policy(RemovalPolicy::Destroy),
        );
    });
    let docs = artifacts(&app);
    assert!(docs[CFN]["Resources"]["Scratch"]
        .get("DeletionPolicy")
        .is_none());
    let volume = &docs[TF]["resource"]["aws_ebs_volume"]["scratch"];
    assert!(volume.get("lifecycle").is_none() && volume.get("final_snapshot").is_none());
}

#[test]
fn application_load_balancer_is_protected_and_drops_invalid_headers() {
    check(
        |s| {
            let net = net(s);
            s.add(
                LoadBalancer::application(
                    "Web",
                    Scheme::InternetFacing,
                    &net.subnets,
                    [&net.group],
                )
                .name("web-prod")
                .access_logs("logs-bucket", "web"),
            );
        },
        &[(
            "Web",
            json!({"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {
                "Type": "application", "Scheme": "internet-facing", "Name": "demo-dev-web-prod",
                "Subnets": [{"Ref": "Subnet0"}, {"Ref": "Subnet1"}],
                "SecurityGroups": [{"Fn::GetAtt": ["Group", "GroupId"]}],
                "LoadBalancerAttributes": [
                    {"Key": "deletion_protection.enabled", "Value": "true"},
                    {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
                    {"Key": "access_logs.s3.enabled", "Value": "true"},
                    {"Key": "access_logs.s3.bucket", "Value": "logs-bucket"},
                    {"Key": "access_logs.s3.prefix", "Value": "web"}
                ]
            }}),
        )],
        &[(
            "aws_lb",
            "web",
            json!({"name": "demo-dev-web-prod", "load_balancer_type": "application", "internal": false,
                   "subnets": ["${aws_subnet.subnet0.id}", "${aws_subnet.subnet1.id}"],
                   "security_groups": ["${aws_security_group.group.id}"],
                   "enable_deletion_protection": true, "drop_invalid_header_fields": true,
                   "access_logs": {"bucket": "logs-bucket", "prefix": "web", "enabled": true}}),
        )],
    );
}

#[test]
fn network_load_balancer_balances_across_zones() {
    check(
        |s| {
            let net = net(s);
            s.add(
                LoadBalancer::network("Nlb", Scheme::Internal, &net.subnets)
                    .deletion_protection(false),
            );
        },
        &[(
            "Nlb",
            json!({"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {
                "Type": "network", "Scheme": "internal",
                "Subnets": [{"Ref": "Subnet0"}, {"Ref": "Subnet1"}],
                "LoadBalancerAttributes": [
                    {"Key": "deletion_protection.enabled", "Value": "false"},
                    {"Key": "load_balancing.cross_zone.enabled", "Value": "true"}
                ]
            }}),
        )],
        &[(
            "aws_lb",
            "nlb",
            json!({"load_balancer_type": "network", "internal": true,
                   "subnets": ["${aws_subnet.subnet0.id}", "${aws_subnet.subnet1.id}"],
                   "enable_deletion_protection": false, "enable_cross_zone_load_balancing": true}),
        )],
    );
}

#[test]
fn target_group_with_health_check_and_cookie_stickiness() {
    check(
        |s| {
            let net = net(s);
            s.add(
                TargetGroup::new("Blue", Protocol::Http, 8080, &net.vpc)
                    .health_check(HealthCheck {
                        interval_seconds: Some(15),
                        timeout_seconds: Some(5),
                        success_codes: Some("200-299".into()),
                        ..HealthCheck::http("/health")
                    })
                    .stickiness(Stickiness::ApplicationCookie {
                        cookie_name: "session".into(),
                        duration_seconds: 600,
                    })
                    .deregistration_delay_seconds(30),
            );
        },
        &[(
            "Blue",
            json!({"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {
                "Protocol": "HTTP", "Port": 8080, "VpcId": {"Ref": "Vpc"}, "TargetType": "instance",
                "HealthCheckEnabled": true, "HealthCheckProtocol": "HTTP", "HealthCheckPath": "/health",
                "HealthCheckIntervalSeconds": 15, "HealthCheckTimeoutSeconds": 5,
                "Matcher": {"HttpCode": "200-299"},
                "TargetGroupAttributes": [
                    {"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
                    {"Key": "stickiness.enabled", "Value": "true"},
                    {"Key": "stickiness.type", "Value": "app_cookie"},
                    {"Key": "stickiness.app_cookie.duration_seconds", "Value": "600"},
                    {"Key": "stickiness.app_cookie.cookie_name", "Value": "session"}
                ]
            }}),
        )],
        &[(
            "aws_lb_target_group",
            "blue",
            json!({"protocol": "HTTP", "port": 8080, "vpc_id": "${aws_vpc.vpc.id}", "target_type": "instance",
                   "deregistration_delay": "30",
                   "health_check": {"enabled": true, "protocol": "HTTP", "path": "/health", "interval": 15,
                                    "timeout": 5, "matcher": "200-299"},
                   "stickiness": {"type": "app_cookie", "cookie_duration": 600, "cookie_name": "session",
                                  "enabled": true},
                   // Listeners move off a replaced or removed group before Terraform deletes it.
                   "lifecycle": {"create_before_destroy": true}}),
        )],
    );
}

/// A named group cannot be created before the old one goes (the name is taken), so it keeps Terraform's
/// default order; `plan` warns when that order fails (`in_use` in stackwright-plan).
#[test]
fn named_target_group_keeps_terraform_default_order() {
    let docs = artifacts(&one_stack(|s| {
        let net = net(s);
        s.add(TargetGroup::new("Web", Protocol::Http, 80, &net.vpc).name("web"));
    }));
    let group = &docs[TF]["resource"]["aws_lb_target_group"]["web"];
    assert!(
        group["name"].as_str().is_some_and(|n| n.ends_with("web")),
        "{group}"
    );
    assert!(group.get("lifecycle").is_none(), "{group}");
}

#[test]
fn network_target_group_with_source_ip_stickiness() {
    check(
        |s| {
            let net = net(s);
            s.add(
                TargetGroup::new("Tcp", Protocol::Tcp, 9000, &net.vpc)
                    .target_type(TargetType::Ip)
                    .stickiness(Stickiness::SourceIp),
            );
        },
        &[(
            "Tcp",
            json!({"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {
                "Protocol": "TCP", "Port": 9000, "VpcId": {"Ref": "Vpc"}, "TargetType": "ip",
                "HealthCheckEnabled": true, "HealthCheckProtocol": "TCP",
                "TargetGroupAttributes": [
                    {"Key": "stickiness.enabled", "Value": "true"},
                    {"Key": "stickiness.type", "Value": "source_ip"}
                ]
            }}),
        )],
        &[(
            "aws_lb_target_group",
            "tcp",
            json!({"protocol": "TCP", "port": 9000, "vpc_id": "${aws_vpc.vpc.id}", "target_type": "ip",
                   "health_check": {"enabled": true, "protocol": "TCP"},
                   "stickiness": {"type": "source_ip", "enabled": true},
                   "lifecycle": {"create_before_destroy": true}}),
        )],
    );
}

#[test]
fn http_listener_redirects_to_https() {
    check(
        |s| {
            let net = net(s);
            let lb = alb(s, &net);
            s.add(Listener::redirect_http_to_https("Http", &lb));
        },
        &[(
            "Http",
            json!({"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
                "LoadBalancerArn": {"Ref": "Web"}, "Protocol": "HTTP", "Port": 80,
                "DefaultActions": [{"Type": "redirect", "RedirectConfig":
                    {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
            }}),
        )],
        &[(
            "aws_lb_listener",
            "http",
            json!({"load_balancer_arn": "${aws_lb.web.arn}", "protocol": "HTTP", "port": 80,
                   "default_action": [{"type": "redirect", "redirect":
                       {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}]}),
        )],
    );
}

#[test]
fn https_listener_forwards_by_weight_and_waits_for_certificate_validation() {
    check(
        |s| {
            let net = net(s);
            let lb = alb(s, &net);
            let zone = zone(s);
            let cert = s.add(acm::Certificate::dns_validated(
                "Cert",
                "www.example.com",
                &zone,
            ));
            let blue = s.add(TargetGroup::new("Blue", Protocol::Http, 80, &net.vpc));
            let green = s.add(TargetGroup::new("Green", Protocol::Http, 80, &net.vpc));
            s.add(Listener::https(
                "Https",
                &lb,
                443,
                cert.arn(),
                Action::weighted_forward([(&blue, 90), (&green, 10)]),
            ));
        },
        &[(
            "Https",
            json!({"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
                "LoadBalancerArn": {"Ref": "Web"}, "Protocol": "HTTPS", "Port": 443,
                "Certificates": [{"CertificateArn": {"Ref": "Cert"}}],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
                "DefaultActions": [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
                    {"TargetGroupArn": {"Ref": "Blue"}, "Weight": 90},
                    {"TargetGroupArn": {"Ref": "Green"}, "Weight": 10}
                ]}}]
            }}),
        )],
        &[(
            "aws_lb_listener",
            "https",
            json!({"load_balancer_arn": "${aws_lb.web.arn}", "protocol": "HTTPS", "port": 443,
                   "certificate_arn": "${aws_acm_certificate.cert.arn}",
                   "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
                   "default_action": [{"type": "forward", "forward": {"target_group": [
                       {"arn": "${aws_lb_target_group.blue.arn}", "weight": 90},
                       {"arn": "${aws_lb_target_group.green.arn}", "weight": 10}
                   ]}}],
                   "depends_on": ["aws_acm_certificate_validation.cert_validation"]}),
        )],
    );
}

#[test]
fn tls_listener_of_a_network_load_balancer_with_a_chosen_policy() {
    check(
        |s| {
            let net = net(s);
            let nlb = s.add(LoadBalancer::network("Nlb", Scheme::Internal, &net.subnets));
            let tcp = s.add(TargetGroup::new("Tcp", Protocol::Tcp, 9000, &net.vpc));
            s.add(
                Listener::tls(
                    "Tls",
                    &nlb,
                    9443,
                    "arn:aws:acm:us-west-2:123456789012:certificate/abc",
                    Action::forward(&tcp),
                )
                .ssl_policy("ELBSecurityPolicy-TLS13-1-3-2021-06"),
            );
        },
        &[(
            "Tls",
            json!({"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
                "LoadBalancerArn": {"Ref": "Nlb"}, "Protocol": "TLS", "Port": 9443,
                "Certificates": [{"CertificateArn": "arn:aws:acm:us-west-2:123456789012:certificate/abc"}],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tcp"}}]
            }}),
        )],
        &[(
            "aws_lb_listener",
            "tls",
            json!({"load_balancer_arn": "${aws_lb.nlb.arn}", "protocol": "TLS", "port": 9443,
                   "certificate_arn": "arn:aws:acm:us-west-2:123456789012:certificate/abc",
                   "ssl_policy": "ELBSecurityPolicy-TLS13-1-3-2021-06",
                   "default_action": [{"type": "forward",
                                       "target_group_arn": "${aws_lb_target_group.tcp.arn}"}]}),
        )],
    );
}

#[test]
fn listener_rules_match_paths_and_hosts() {
    check(
        |s| {
            let net = net(s);
            let lb = alb(s, &net);
            let api = s.add(TargetGroup::new("Api", Protocol::Http, 8080, &net.vpc));
            let listener = s.add(Listener::http(
                "Http",
                &lb,
                8080,
                Action::fixed_response(404, "text/plain", "not found"),
            ));
            s.add(ListenerRule::new(
                "ApiRule",
                &listener,
                10,
                [
                    Condition::path_pattern(["/api/*"]),
                    Condition::host_header(["api.example.com"]),
                ],
                Action::forward(&api),
            ));
        },
        &[
            (
                "ApiRule",
                json!({"Type": "AWS::ElasticLoadBalancingV2::ListenerRule", "Properties": {
                    "ListenerArn": {"Ref": "Http"}, "Priority": 10,
                    "Conditions": [
                        {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}},
                        {"Field": "host-header", "HostHeaderConfig": {"Values": ["api.example.com"]}}
                    ],
                    "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Api"}}]
                }}),
            ),
            (
                "Http",
                json!({"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
                    "LoadBalancerArn": {"Ref": "Web"}, "Protocol": "HTTP", "Port": 8080,
                    "DefaultActions": [{"Type": "fixed-response", "FixedResponseConfig":
                        {"StatusCode": "404", "ContentType": "text/plain", "MessageBody": "not found"}}]
                }}),
            ),
        ],
        &[(
            "aws_lb_listener_rule",
            "api_rule",
            json!({"listener_arn": "${aws_lb_listener.http.arn}", "priority": 10,
                   "condition": [{"path_pattern": {"values": ["/api/*"]}},
                                 {"host_header": {"values": ["api.example.com"]}}],
                   "action": [{"type": "forward", "target_group_arn": "${aws_lb_target_group.api.arn}"}]}),
        )],
    );
}

#[test]
fn hosted_zone_is_retained_and_a_private_one_names_its_vpc_region() {
    check(
        |s| {
            let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            s.add(HostedZone::new("Zone", "example.com").comment("public"));
            s.add(
                HostedZone::new("Internal", "internal.example")
                    .private_to(&vpc)
                    .removal_policy(RemovalPolicy::Destroy),
            );
        },
        &[
            (
                "Zone",
                json!({"Type": "AWS::Route53::HostedZone", "DeletionPolicy": "Retain",
                       "UpdateReplacePolicy": "Retain",
                       "Properties": {"Name": "example.com", "HostedZoneConfig": {"Comment": "public"}}}),
            ),
            (
                "Internal",
                json!({"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "internal.example",
                       "VPCs": [{"VPCId": {"Ref": "Vpc"}, "VPCRegion": "us-west-2"}]}}),
            ),
        ],
        &[
            (
                "aws_route53_zone",
                "zone",
                json!({"name": "example.com", "comment": "public", "lifecycle": {"prevent_destroy": true}}),
            ),
            (
                "aws_route53_zone",
                "internal",
                json!({"name": "internal.example", "force_destroy": true,
                       "vpc": [{"vpc_id": "${aws_vpc.vpc.id}"}]}),
            ),
        ],
    );
}

#[test]
fn alias_record_to_a_load_balancer() {
    check(
        |s| {
            let net = net(s);
            let lb = alb(s, &net);
            let zone = zone(s);
            let record = s.add(Record::alias(
                "Www",
                &zone,
                "www.example.com",
                RecordType::Aaaa,
                AliasTarget::load_balancer(&lb),
            ));
            s.output("WwwName", record.name());
        },
        &[(
            "Www",
            json!({"Type": "AWS::Route53::RecordSet", "Properties": {
                "HostedZoneId": {"Ref": "Zone"}, "Name": "www.example.com", "Type": "AAAA",
                "AliasTarget": {"DNSName": {"Fn::GetAtt": ["Web", "DNSName"]},
                                "HostedZoneId": {"Fn::GetAtt": ["Web", "CanonicalHostedZoneID"]},
                                "EvaluateTargetHealth": true}
            }}),
        )],
        &[(
            "aws_route53_record",
            "www",
            json!({"zone_id": "${aws_route53_zone.zone.zone_id}", "name": "www.example.com", "type": "AAAA",
                   "alias": {"name": "${aws_lb.web.dns_name}", "zone_id": "${aws_lb.web.zone_id}",
                             "evaluate_target_health": true}}),
        )],
    );
}

#[test]
fn plain_records_and_txt_quoting() {
    check(
        |s| {
            let zone = zone(s);
            s.add(
                Record::new(
                    "Mail",
                    &zone,
                    "mail.example.com",
                    RecordType::A,
                    ["192.0.2.10"],
                )
                .ttl_seconds(600),
            );
            s.add(Record::new(
                "Spf",
                &zone,
                "example.com",
                RecordType::Txt,
                ["v=spf1 include:_spf.example.com -all"],
            ));
        },
        &[
            (
                "Mail",
                json!({"Type": "AWS::Route53::RecordSet", "Properties": {
                    "HostedZoneId": {"Ref": "Zone"}, "Name": "mail.example.com", "Type": "A",
                    "TTL": "600", "ResourceRecords": ["192.0.2.10"]}}),
            ),
            (
                "Spf",
                json!({"Type": "AWS::Route53::RecordSet", "Properties": {
                    "HostedZoneId": {"Ref": "Zone"}, "Name": "example.com", "Type": "TXT", "TTL": "300",
                    "ResourceRecords": ["\"v=spf1 include:_spf.example.com -all\""]}}),
            ),
        ],
        &[(
            "aws_route53_record",
            "spf",
            // The provider quotes TXT values itself.
            json!({"zone_id": "${aws_route53_zone.zone.zone_id}", "name": "example.com", "type": "TXT",
                   "ttl": 300, "records": ["v=spf1 include:_spf.example.com -all"]}),
        )],
    );
}

#[test]
fn certificate_is_dns_validated_in_its_zone() {
    check(
        |s| {
            let zone = zone(s);
            s.add(
                acm::Certificate::dns_validated("Site", "example.com", &zone)
                    .subject_alternative_name("*.example.com")
                    .subject_alternative_name("api.example.com"),
            );
        },
        &[(
            "Site",
            json!({"Type": "AWS::CertificateManager::Certificate", "Properties": {
                "DomainName": "example.com",
                "SubjectAlternativeNames": ["*.example.com", "api.example.com"],
                "ValidationMethod": "DNS",
                // The wildcard shares its apex's validation record: listing it would write it twice.
                "DomainValidationOptions": [
                    {"DomainName": "example.com", "HostedZoneId": {"Ref": "Zone"}},
                    {"DomainName": "api.example.com", "HostedZoneId": {"Ref": "Zone"}}
                ],
                "CertificateTransparencyLoggingPreference": "ENABLED"
            }}),
        )],
        &[
            (
                "aws_acm_certificate",
                "site",
                json!({"domain_name": "example.com",
                       "subject_alternative_names": ["*.example.com", "api.example.com"],
                       "validation_method": "DNS",
                       "options": {"certificate_transparency_logging_preference": "ENABLED"},
                       "lifecycle": {"create_before_destroy": true}}),
            ),
            (
                "aws_route53_record",
                "site_validation_record",
                json!({
                    "for_each": "${{for option in aws_acm_certificate.site.domain_validation_options : option.domain_name => option}}",
                    "allow_overwrite": true,
                    "name": "${each.value.resource_record_name}",
                    "records": ["${each.value.resource_record_value}"],
                    "ttl": 60,
                    "type": "${each.value.resource_record_type}",
                    "zone_id": "${aws_route53_zone.zone.zone_id}"
                }),
            ),
            (
                "aws_acm_certificate_validation",
                "site_validation",
                json!({"certificate_arn": "${aws_acm_certificate.site.arn}",
                       "validation_record_fqdns": "${[for record in aws_route53_record.site_validation_record : record.fqdn]}"}),
            ),
        ],
    );
}

#[test]
fn attributes_of_the_catalog_in_both_targets() {
    let app = one_stack(|s| {
        let net = net(s);
        let lb = alb(s, &net);
        let group = s.add(TargetGroup::new("Tg", Protocol::Http, 80, &net.vpc));
        let template = s.add(ec2::LaunchTemplate::new("Lt", "ami-12345678", "t3.small"));
        let fleet = s.add(AutoScalingGroup::new(
            "Fleet",
            &template,
            &net.subnets,
            1,
            1,
        ));
        let ip = s.add(ec2::ElasticIp::new("Ip"));
        let outputs = [
            ("LbFullName", lb.full_name()),
            ("LbName", lb.name()),
            ("TgFullName", group.full_name()),
            ("TgName", group.name()),
            ("FleetName", fleet.name()),
            ("FleetArn", fleet.arn()),
            ("IpAddress", ip.public_ip()),
            ("LtVersion", template.latest_version()),
        ];
        for (id, value) in outputs {
            s.output(id, value);
        }
    });
    let docs = artifacts(&app);
    let cfn: Vec<Value> = [
        "LbFullName",
        "LbName",
        "TgFullName",
        "TgName",
        "FleetName",
        "FleetArn",
        "IpAddress",
        "LtVersion",
    ]
    .iter()
    .map(|id| docs[CFN]["Outputs"][id]["Value"].clone())
    .collect();
    assert_eq!(
        cfn,
        [
            json!({"Fn::GetAtt": ["Web", "LoadBalancerFullName"]}),
            json!({"Fn::GetAtt": ["Web", "LoadBalancerName"]}),
            json!({"Fn::GetAtt": ["Tg", "TargetGroupFullName"]}),
            json!({"Fn::GetAtt": ["Tg", "TargetGroupName"]}),
            json!({"Ref": "Fleet"}),
            json!({"Fn::GetAtt": ["Fleet", "AutoScalingGroupARN"]}),
            json!({"Fn::GetAtt": ["Ip", "PublicIp"]}),
            json!({"Fn::GetAtt": ["Lt", "LatestVersionNumber"]}),
        ]
    );
    let tf: Vec<Value> = [
        "lb_full_name",
        "lb_name",
        "tg_full_name",
        "tg_name",
        "fleet_name",
        "fleet_arn",
        "ip_address",
        "lt_version",
    ]
    .iter()
    .map(|name| docs[TF]["output"][name]["value"].clone())
    .collect();
    assert_eq!(
        tf,
        [
            "${aws_lb.web.arn_suffix}",
            "${aws_lb.web.name}",
            "${aws_lb_target_group.tg.arn_suffix}",
            "${aws_lb_target_group.tg.name}",
            "${aws_autoscaling_group.fleet.name}",
            "${aws_autoscaling_group.fleet.arn}",
            "${aws_eip.ip.public_ip}",
            "${aws_launch_template.lt.latest_version}",
        ]
    );
}

#[test]
fn certificate_validation_names_collide_like_any_other() {
    fails(
        &one_stack(|s| {
            let zone = zone(s);
            s.add(acm::Certificate::dns_validated(
                "Site",
                "example.com",
                &zone,
            ));
            s.add(HostedZone::new("SiteValidation", "example.org"));
        }),
        &[
            // The validation's name is claimed when it is emitted, after every declared resource's.
            "`Site` and `SiteValidation`",
            "both become Terraform name `site_validation`",
        ],
    );
}

#[test]
fn load_balancer_input() {
    let at = line_below(4);
    let app = one_stack(|s| {
        let net = net(s);
        s.add(
            LoadBalancer::application("Web", Scheme::Internal, [&net.subnets[0]], []).name("web_1"),
        );
    });
    fails(
        &app,
        &[
            "an application load balancer has 1 subnet(s): expected at least 2, in different availability zones",
            "an application load balancer has no security group",
            "invalid physical name `demo-dev-web_1` (name `web_1` in naming pattern `{app}-{env}-{name}`): load balancer name",
            "resource `Web`",
            &at,
        ],
    );
}

#[test]
fn listener_and_rule_input() {
    let (listener_at, rule_at) = (line_below(7), line_below(8));
    let app = one_stack(|s| {
        let net = net(s);
        let lb = alb(s, &net);
        let tcp = s.add(TargetGroup::new("Tcp", Protocol::Tcp, 9000, &net.vpc));
        let http = s.add(TargetGroup::new("Http", Protocol::Http, 80, &net.vpc));
        let weighted = Action::weighted_forward([(&tcp, 1000), (&http, 1)]);
        let listener = s.add(Listener::tcp("TcpIn", &lb, 0, weighted));
        s.add(ListenerRule::new(
            "Rule",
            &listener,
            50_001,
            [],
            Action::forward(&http),
        ));
    });
    fails(
        &app,
        &[
            "a TCP listener on an application load balancer: expected an HTTP or HTTPS listener",
            "listener port is 0: expected a value from 1 to 65535",
            "target group weight is 1000: expected a value from 0 to 999",
            "a forward action to a TCP target group on an application load balancer",
            &listener_at,
            "listener rule priority is 50001: expected a value from 1 to 50000",
            "a listener rule without conditions: expected at least one",
            &rule_at,
        ],
    );
}

#[test]
fn actions_and_conditions_input() {
    let (redirect_at, fixed_at, rule_at) = (line_below(5), line_below(7), line_below(8));
    let app = one_stack(|s| {
        let net = net(s);
        let lb = alb(s, &net);
        let nlb = s.add(LoadBalancer::network("Nlb", Scheme::Internal, &net.subnets));
        s.add(Listener::tcp("Tcp", &nlb, 80, Action::redirect_to_https()));
        let moved = Action::fixed_response(302, "text/xml", "moved");
        let listener = s.add(Listener::http("Http", &lb, 80, moved));
        s.add(ListenerRule::new(
            "Rule",
            &listener,
            1,
            [
                Condition::path_pattern(["/a", "/b", "/c"]),
                Condition::path_pattern(["/d", "/e", "/f<"]),
            ],
            Action::redirect_to_https(),
        ));
    });
    fails(
        &app,
        &[
            "a redirect or fixed-response action on a network load balancer",
            &redirect_at,
            "fixed response status code 302: expected a 2xx, 4xx or 5xx code",
            "fixed response content type `text/xml`",
            &fixed_at,
            "two path-pattern conditions in one rule",
            "a listener rule with 6 condition values: expected at most 5 in all",
            "invalid path-pattern value `/f<`",
            &rule_at,
        ],
    );
}

#[test]
fn target_group_input() {
    let at = line_below(4);
    let app = one_stack(|s| {
        let net = net(s);
        s.add(
            TargetGroup::new("Tcp", Protocol::Tcp, 80, &net.vpc)
                .stickiness(Stickiness::LoadBalancerCookie {
                    duration_seconds: 0,
                })
                .health_check(HealthCheck {
                    interval_seconds: Some(10),
                    timeout_seconds: Some(10),
                    ..HealthCheck::http("health")
                }),
        );
    });
    fails(
        &app,
        &[
            "lb_cookie stickiness on a TCP target group: expected an HTTP or HTTPS target group",
            "stickiness duration in seconds is 0: expected a value from 1 to 604800",
            "health check path `health` with protocol TCP",
            "invalid health check path `health`: expected a path starting with `/`",
            "health check timeout 10s is not shorter than its interval 10s",
            &at,
        ],
    );
}

#[test]
fn auto_scaling_group_input() {
    let at = line_below(3);
    let app = one_stack(|s| {
        let template = s.add(ec2::LaunchTemplate::new("Lt", "ami-12345678", "t3.small"));
        s.add(AutoScalingGroup::new("Fleet", &template, [], 3, 2).desired_capacity(5));
    });
    fails(
        &app,
        &[
            "auto scaling group minimum size 3 is above its maximum size 2",
            "desired capacity is 5: expected a value from 2 to 2",
            "auto scaling group has no subnets",
            &at,
        ],
    );
}

#[test]
fn volume_input() {
    let at = line_below(3);
    let app = one_stack(|s| {
        s.add(
            ec2::Volume::new("Data", "us-west-2a", 20_000)
                .volume_type(ec2::VolumeType::Gp2)
                .throughput_mibps(300)
                .kms_key_arn("alias/data"),
        );
    });
    fails(
        &app,
        &[
            "size of the gp2 volume in GiB is 20000: expected a value from 1 to 16384",
            "provisioned throughput on a gp2 volume: expected a gp3 volume",
            "invalid KMS key ARN `alias/data`",
            &at,
        ],
    );
}

#[test]
fn record_and_certificate_input() {
    let (record_at, certificate_at) = (line_below(3), line_below(11));
    let app = one_stack(|s| {
        let zone = zone(s);
        s.add(Record::new(
            "Www",
            &zone,
            "www.example.org",
            RecordType::A,
            ["10.0.0.300"],
        ));
        s.add(
            acm::Certificate::dns_validated("Cert", "example.org", &zone)
                .subject_alternative_name("a..example.com"),
        );
        s.add(HostedZone::new("Bad", "exa_mple..com"));
    });
    fails(
        &app,
        &[
            "record name `www.example.org` is outside its hosted zone `example.com`",
            "invalid A record value `10.0.0.300`: expected an IPv4 address",
            &record_at,
            "certificate name `example.org` is outside its validation zone `example.com`",
            "certificate: invalid domain name `a..example.com`",
            &certificate_at,
            "hosted zone: invalid domain name `exa_mple..com`",
        ],
    );
}

/// What the engines refuse at deploy time because a parent takes it once: a second listener on a load
/// balancer's port, a second rule at a listener's priority, a second route to one destination in a route
/// table, a second route table for a subnet. Each is one error at the second declaration's line, naming
/// the first.
#[test]
fn keys_a_parent_takes_once_are_claimed_once() {
    let app = one_stack(|s| {
        let net = net(s);
        let lb = alb(s, &net);
        let not_found = || Action::fixed_response(404, "text/plain", "not found");
        let first = s.add(Listener::http("Http", &lb, 8080, not_found()));
        s.add(Listener::http("Http2", &lb, 8080, not_found()));
        let path = || [Condition::path_pattern(["/api/*"])];
        s.add(ListenerRule::new("Api", &first, 10, path(), not_found()));
        s.add(ListenerRule::new("Api2", &first, 10, path(), not_found()));
        let gateway = s.add(ec2::InternetGateway::new("Gateway", &net.vpc));
        let table = s.add(ec2::RouteTable::new("Routes", &net.vpc));
        let other = s.add(ec2::RouteTable::new("Other", &net.vpc));
        s.add(ec2::Route::to_internet_gateway(
            "Default",
            &table,
            "0.0.0.0/0",
            &gateway,
        ));
        s.add(ec2::Route::to_internet_gateway(
            "Again",
            &table,
            "0.0.0.0/0",
            &gateway,
        ));
        // The same destination in another table is fine.
        s.add(ec2::Route::to_internet_gateway(
            "Elsewhere",
            &other,
            "0.0.0.0/0",
            &gateway,
        ));
        s.add(ec2::SubnetRouteTableAssociation::new(
            "A0",
            &net.subnets[0],
            &table,
        ));
        s.add(ec2::SubnetRouteTableAssociation::new(
            "B0",
            &net.subnets[0],
            &other,
        ));
        s.add(ec2::SubnetRouteTableAssociation::new(
            "A1",
            &net.subnets[1],
            &table,
        ));
    });
    fails(
        &app,
        &[
            "4 problems found",
            "listener port 8080 of this load balancer is taken by `Http` (",
            "a load balancer listens on a port once",
            "resource `Http2`",
            "listener rule priority 10 of this listener is taken by `Api` (",
            "resource `Api2`",
            "the route to 0.0.0.0/0 of this route table is taken by `Default` (",
            "resource `Again`",
            "the route table association of this subnet is taken by `A0` (",
            "resource `B0`",
        ],
    );
}
