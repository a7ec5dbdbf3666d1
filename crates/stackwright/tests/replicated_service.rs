//! `ReplicatedService`: each replication model and update strategy on the exact JSON of both targets,
//! and the exact change a blue/green switch and a canary weight make.

use crate::catalog_a::without_default_tags;
use crate::support::{artifacts, fails, one_stack, CFN, TF};
use serde_json::{json, Value};
use stackwright::aws::elbv2::Stickiness;
use stackwright::aws::service::{
    Color, Frontend, Machine, Network, ReplicatedService, Replication, Scaling, Shard, Size,
    TenantKey, Update,
};
use stackwright::aws::sns::Topic;
use stackwright::aws::{ec2, kms};
use stackwright::prelude::*;
use std::collections::BTreeMap;

fn size() -> Size {
    Size {
        min: 2,
        max: 6,
        scaling: Scaling::TargetCpu { percent: 60 },
    }
}

/// A one-stack app with a two-zone network and the service as `configure` makes it.
fn app(
    frontend: Frontend,
    configure: impl Fn(ReplicatedService) -> ReplicatedService + Send + Sync + 'static,
) -> App<()> {
    one_stack(move |s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let public: Vec<_> = (0..2)
            .map(|i| {
                s.add(ec2::Subnet::new(
                    format!("Public{i}"),
                    &vpc,
                    &format!("10.0.{i}.0/24"),
                ))
            })
            .collect();
        let private: Vec<_> = (0..2)
            .map(|i| {
                s.add(ec2::Subnet::new(
                    format!("Private{i}"),
                    &vpc,
                    &format!("10.0.1{i}.0/24"),
                ))
            })
            .collect();
        // CloudWatch publishes the alarms: the topic's key must let it.
        let key =
            s.add(kms::Key::new("AlertsKey").allow_topic_publisher("cloudwatch.amazonaws.com"));
        let topic = s.add(Topic::new("Alerts").encryption_key(&key));
        let service = ReplicatedService::new(
            "Web",
            Machine::new("ami-12345678", "t3.small").user_data("#!/bin/sh\n"),
            frontend.clone(),
            8080,
            "/health",
            size(),
        )
        .alarm_topic(&topic);
        configure(service).add_to(
            s,
            Network {
                vpc: &vpc,
                public_subnets: &public,
                instance_subnets: &private,
            },
        );
    })
}

fn https() -> Frontend {
    Frontend::Https {
        certificate_arn: "arn:aws:acm:us-west-2:123456789012:certificate/abc".into(),
    }
}

fn docs(app: &App<()>) -> BTreeMap<String, Value> {
    let mut docs = artifacts(app);
    docs.values_mut().for_each(without_default_tags);
    docs
}

fn cfn<'a>(docs: &'a BTreeMap<String, Value>, id: &str) -> &'a Value {
    &docs[CFN]["Resources"][id]
}

fn tf<'a>(docs: &'a BTreeMap<String, Value>, type_name: &str, name: &str) -> &'a Value {
    &docs[TF]["resource"][type_name][name]
}

/// Every leaf that differs between two documents: (JSON pointer, before, after).
fn changes(before: &Value, after: &Value) -> Vec<(String, Value, Value)> {
    fn walk(path: String, a: &Value, b: &Value, out: &mut Vec<(String, Value, Value)>) {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for key in keys {
                    let null = Value::Null;
                    walk(
                        format!("{path}/{key}"),
                        x.get(key).unwrap_or(&null),
                        y.get(key).unwrap_or(&null),
                        out,
                    );
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (a, b)) in x.iter().zip(y).enumerate() {
                    walk(format!("{path}/{i}"), a, b, out);
                }
            }
            _ if a != b => out.push((path, a.clone(), b.clone())),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(String::new(), before, after, &mut out);
    out
}

/// The changes between two apps' artifacts, by artifact.
fn diff(before: &App<()>, after: &App<()>) -> BTreeMap<String, Vec<(String, Value, Value)>> {
    let (a, b) = (artifacts(before), artifacts(after));
    a.keys()
        .map(|path| (path.clone(), changes(&a[path], &b[path])))
        .filter(|(_, c)| !c.is_empty())
        .collect()
}

#[test]
fn stateless_with_a_rolling_update_scales_by_cpu_and_alarms_to_the_topic() {
    let d = docs(&app(https(), |s| {
        s.update(Update::Rolling {
            batch: 2,
            min_in_service: 3,
        })
    }));
    assert_eq!(
        cfn(&d, "WebFleet"),
        &json!({"Type": "AWS::AutoScaling::AutoScalingGroup",
            "DependsOn": ["WebHttpsListener"],
            "UpdatePolicy": {"AutoScalingRollingUpdate": {
                "MaxBatchSize": 2, "MinInstancesInService": 3, "PauseTime": "PT60S"}},
            "Properties": {
                // The desired capacity is the scaling policy's: not declared.
                "MinSize": "2", "MaxSize": "6",
                "LaunchTemplate": {"LaunchTemplateId": {"Ref": "WebLaunchTemplate"},
                    "Version": {"Fn::GetAtt": ["WebLaunchTemplate", "LatestVersionNumber"]}},
                "VPCZoneIdentifier": [{"Ref": "Private0"}, {"Ref": "Private1"}],
                "TargetGroupARNs": [{"Ref": "WebTargets"}],
                "HealthCheckType": "ELB", "HealthCheckGracePeriod": 300,
                "Tags": [{"Key": "Name", "Value": "WebFleet", "PropagateAtLaunch": true}]}})
    );
    assert_eq!(
        tf(&d, "aws_autoscaling_group", "web_fleet"),
        &json!({
            "min_size": 2, "max_size": 6,
            "launch_template": {"id": "${aws_launch_template.web_launch_template.id}",
                "version": "${aws_launch_template.web_launch_template.latest_version}"},
            "vpc_zone_identifier": ["${aws_subnet.private0.id}", "${aws_subnet.private1.id}"],
            "target_group_arns": ["${aws_lb_target_group.web_targets.arn}"],
            "health_check_type": "ELB", "health_check_grace_period": 300,
            "instance_refresh": {"strategy": "Rolling", "preferences": {
                "min_healthy_percentage": 100, "instance_warmup": "60"}},
            "tag": [{"key": "Name", "value": "WebFleet", "propagate_at_launch": true}],
            "depends_on": ["aws_lb_listener.web_https_listener"]})
    );
    assert_eq!(
        cfn(&d, "WebHttpsListener")["Properties"]["DefaultActions"],
        json!([{"Type": "forward", "TargetGroupArn": {"Ref": "WebTargets"}}])
    );
    assert_eq!(
        tf(&d, "aws_lb_listener", "web_https_listener")["default_action"],
        json!([{"type": "forward", "target_group_arn": "${aws_lb_target_group.web_targets.arn}"}])
    );
    assert_eq!(
        cfn(&d, "WebCpuTarget")["Properties"]["TargetTrackingConfiguration"],
        json!({"PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
               "TargetValue": 60})
    );
    assert_eq!(
        tf(&d, "aws_autoscaling_policy", "web_cpu_target")["target_tracking_configuration"],
        json!({"predefined_metric_specification": {"predefined_metric_type": "ASGAverageCPUUtilization"},
               "target_value": 60})
    );
    assert_eq!(
        cfn(&d, "WebUnhealthyHosts")["Properties"]["AlarmActions"],
        json!([{"Ref": "Alerts"}])
    );
    assert_eq!(
        tf(&d, "aws_cloudwatch_metric_alarm", "web_unhealthy_hosts")["alarm_actions"],
        json!(["${aws_sns_topic.alerts.arn}"])
    );
    // A fixed size declares the desired capacity and no policy.
    let fixed = docs(&app(https(), |s| {
        s.size(Size {
            min: 2,
            max: 6,
            scaling: Scaling::Fixed { desired: 4 },
        })
    }));
    assert_eq!(
        cfn(&fixed, "WebFleet")["Properties"]["DesiredCapacity"],
        json!("4")
    );
    assert_eq!(
        tf(&fixed, "aws_autoscaling_group", "web_fleet")["desired_capacity"],
        json!(4)
    );
    assert!(fixed[CFN]["Resources"].get("WebCpuTarget").is_none());
    assert!(fixed[TF]["resource"]
        .get("aws_autoscaling_policy")
        .is_none());
    // Without stickiness, the target group has none.
    assert!(tf(&d, "aws_lb_target_group", "web_targets")
        .get("stickiness")
        .is_none());
}

#[test]
fn session_sticky_by_load_balancer_cookie() {
    let d = docs(&app(https(), |s| {
        s.replication(Replication::SessionSticky(Stickiness::LoadBalancerCookie {
            duration_seconds: 86_400,
        }))
    }));
    assert_eq!(
        cfn(&d, "WebTargets")["Properties"]["TargetGroupAttributes"],
        json!([{"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
               {"Key": "stickiness.enabled", "Value": "true"},
               {"Key": "stickiness.type", "Value": "lb_cookie"},
               {"Key": "stickiness.lb_cookie.duration_seconds", "Value": "86400"}])
    );
    assert_eq!(
        tf(&d, "aws_lb_target_group", "web_targets")["stickiness"],
        json!({"type": "lb_cookie", "cookie_duration": 86400, "enabled": true})
    );
}

#[test]
fn session_sticky_by_source_ip_on_a_network_load_balancer() {
    let d = docs(&app(Frontend::Tcp { port: 443 }, |s| {
        s.replication(Replication::SessionSticky(Stickiness::SourceIp))
    }));
    assert_eq!(
        cfn(&d, "WebLoadBalancer")["Properties"]["Type"],
        json!("network")
    );
    assert_eq!(
        cfn(&d, "WebTcpListener")["Properties"],
        json!({"LoadBalancerArn": {"Ref": "WebLoadBalancer"}, "Protocol": "TCP", "Port": 443,
               "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "WebTargets"}}]})
    );
    assert_eq!(
        cfn(&d, "WebTargets")["Properties"],
        json!({"Protocol": "TCP", "Port": 8080, "VpcId": {"Ref": "Vpc"}, "TargetType": "instance",
               "HealthCheckEnabled": true, "HealthCheckProtocol": "HTTP", "HealthCheckPath": "/health",
               "TargetGroupAttributes": [
                   {"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
                   {"Key": "stickiness.enabled", "Value": "true"},
                   {"Key": "stickiness.type", "Value": "source_ip"}]})
    );
    assert_eq!(
        tf(&d, "aws_lb_target_group", "web_targets")["stickiness"],
        json!({"type": "source_ip", "enabled": true})
    );
    assert_eq!(
        tf(&d, "aws_lb", "web_load_balancer")["load_balancer_type"],
        json!("network")
    );
    assert_eq!(
        cfn(&d, "WebUnhealthyHosts")["Properties"]["Namespace"],
        json!("AWS/NetworkELB")
    );
}

#[test]
fn tenant_sticky_shards_tenants_over_target_groups_by_header() {
    let d = docs(&app(https(), |s| {
        s.replication(Replication::TenantSticky {
            key: TenantKey::Header("X-Tenant".into()),
            shards: vec![
                Shard::new("A", ["acme", "globex"]),
                Shard::new("B", ["initech"]),
            ],
        })
    }));
    assert_eq!(
        cfn(&d, "WebHttpsListener")["Properties"]["DefaultActions"],
        json!([{"Type": "fixed-response", "FixedResponseConfig": {
            "StatusCode": "404", "ContentType": "text/plain", "MessageBody": "unknown tenant"}}])
    );
    assert_eq!(
        cfn(&d, "WebARule"),
        &json!({"Type": "AWS::ElasticLoadBalancingV2::ListenerRule", "Properties": {
            "ListenerArn": {"Ref": "WebHttpsListener"}, "Priority": 10,
            "Conditions": [{"Field": "http-header", "HttpHeaderConfig": {
                "HttpHeaderName": "X-Tenant", "Values": ["acme", "globex"]}}],
            "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": "WebATargets"}}]}})
    );
    assert_eq!(
        tf(&d, "aws_lb_listener_rule", "web_b_rule"),
        &json!({"listener_arn": "${aws_lb_listener.web_https_listener.arn}", "priority": 20,
            "condition": [{"http_header": {"http_header_name": "X-Tenant", "values": ["initech"]}}],
            "action": [{"type": "forward", "target_group_arn": "${aws_lb_target_group.web_b_targets.arn}"}]})
    );
    // Each shard is its own fleet, registered with its own target group, from one template.
    for shard in ["A", "B"] {
        assert_eq!(
            cfn(&d, &format!("Web{shard}Fleet"))["Properties"]["TargetGroupARNs"],
            json!([{"Ref": format!("Web{shard}Targets")}])
        );
        assert_eq!(
            cfn(&d, &format!("Web{shard}Fleet"))["Properties"]["LaunchTemplate"]
                ["LaunchTemplateId"],
            json!({"Ref": "WebLaunchTemplate"})
        );
    }
}

#[test]
fn tenant_sticky_by_path_prefix() {
    let d = docs(&app(https(), |s| {
        s.replication(Replication::TenantSticky {
            key: TenantKey::PathPrefix,
            shards: vec![Shard::new("A", ["acme"])],
        })
    }));
    assert_eq!(
        cfn(&d, "WebARule")["Properties"]["Conditions"],
        json!([{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/acme/*"]}}])
    );
    assert_eq!(
        tf(&d, "aws_lb_listener_rule", "web_a_rule")["condition"],
        json!([{"path_pattern": {"values": ["/acme/*"]}}])
    );
}

pub(crate) fn blue_green(live: Color) -> App<()> {
    app(https(), move |s| {
        s.update(Update::BlueGreen {
            live,
            green: Machine::new("ami-87654321", "t3.small"),
        })
    })
}

#[test]
fn blue_green_forwards_to_the_live_fleet_only() {
    let d = docs(&blue_green(Color::Blue));
    assert_eq!(
        cfn(&d, "WebHttpsListener")["Properties"]["DefaultActions"],
        json!([{"Type": "forward", "ForwardConfig": {"TargetGroups": [
            {"TargetGroupArn": {"Ref": "WebBlueTargets"}, "Weight": 1},
            {"TargetGroupArn": {"Ref": "WebGreenTargets"}, "Weight": 0}]}}])
    );
    assert_eq!(
        tf(&d, "aws_lb_listener", "web_https_listener")["default_action"],
        json!([{"type": "forward", "forward": {"target_group": [
            {"arn": "${aws_lb_target_group.web_blue_targets.arn}", "weight": 1},
            {"arn": "${aws_lb_target_group.web_green_targets.arn}", "weight": 0}]}}])
    );
    // Each fleet runs its own machine and has no update policy: the idle fleet is where a version goes.
    assert_eq!(
        cfn(&d, "WebBlueFleet")["Properties"]["LaunchTemplate"]["LaunchTemplateId"],
        json!({"Ref": "WebLaunchTemplate"})
    );
    assert_eq!(
        cfn(&d, "WebGreenFleet")["Properties"]["LaunchTemplate"]["LaunchTemplateId"],
        json!({"Ref": "WebGreenLaunchTemplate"})
    );
    assert_eq!(
        cfn(&d, "WebGreenLaunchTemplate")["Properties"]["LaunchTemplateData"]["ImageId"],
        json!("ami-87654321")
    );
    assert!(cfn(&d, "WebBlueFleet").get("UpdatePolicy").is_none());
}

/// Asserts that going from `before` to `after` changes exactly the listener's two forward weights, from
/// `from` to `to`, in both targets.
#[track_caller]
pub(crate) fn assert_only_weights_change(
    before: &App<()>,
    after: &App<()>,
    from: [i64; 2],
    to: [i64; 2],
) {
    let cfn_action =
        "/Resources/WebHttpsListener/Properties/DefaultActions/0/ForwardConfig/TargetGroups";
    let tf_action =
        "/resource/aws_lb_listener/web_https_listener/default_action/0/forward/target_group";
    let weights = |prefix: &str, key: &str| {
        (0..2)
            .map(|i| (format!("{prefix}/{i}/{key}"), json!(from[i]), json!(to[i])))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        diff(before, after),
        BTreeMap::from([
            (CFN.to_owned(), weights(cfn_action, "Weight")),
            (TF.to_owned(), weights(tf_action, "weight")),
        ])
    );
    assert_plan_shifts_traffic_only(before, after);
}

/// What `plan` says of the change, in both targets: the HTTPS listener is updated in place (traffic
/// shifts), and nothing else changes: no fleet rolls, nothing is replaced.
#[track_caller]
fn assert_plan_shifts_traffic_only(before: &App<()>, after: &App<()>) {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let out = out.to_str().unwrap();
    let (code, _, stderr) = crate::support::run(before, &["synth", "--out", out]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) =
        crate::support::run(after, &["plan", "--against", out, "--format", "json"]);
    assert_eq!(code, 2, "{stderr}");
    let plan: Value = serde_json::from_str(&stdout).unwrap();
    for (stack, listener) in plan["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .zip(["WebHttpsListener", "aws_lb_listener.web_https_listener"])
    {
        let resources = stack["resources"].as_array().unwrap();
        assert_eq!(resources.len(), 1, "{stack:#}");
        assert_eq!(resources[0]["address"], listener);
        assert_eq!(resources[0]["action"], "update");
        assert_eq!(resources[0]["may_replace"], false, "{stack:#}");
        // CloudFormation: the two weights; Terraform: the forward's target groups, a set, as one change.
        let paths: Vec<String> = resources[0]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .inspect(|c| assert_eq!(c["replacement"], "never", "{stack:#}"))
            .map(|c| {
                let path: Vec<&str> = c["path"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap())
                    .collect();
                path.join("/")
            })
            .collect();
        let expected: &[&str] = match stack["target"].as_str().unwrap() {
            "cloudformation" => &[
                "DefaultActions/0/ForwardConfig/TargetGroups/0/Weight",
                "DefaultActions/0/ForwardConfig/TargetGroups/1/Weight",
            ],
            _ => &["default_action/0/forward/target_group"],
        };
        assert_eq!(paths, expected, "{stack:#}");
    }
}

#[test]
fn a_blue_green_switch_changes_exactly_the_two_weights_in_both_targets() {
    assert_only_weights_change(
        &blue_green(Color::Blue),
        &blue_green(Color::Green),
        [1, 0],
        [0, 1],
    );
}

pub(crate) fn canary(weight_percent: u8) -> App<()> {
    app(https(), move |s| {
        s.replication(Replication::SessionSticky(Stickiness::LoadBalancerCookie {
            duration_seconds: 3600,
        }))
        .update(Update::Canary {
            weight_percent,
            canary: Machine::new("ami-87654321", "t3.small"),
        })
    })
}

#[test]
fn a_canary_is_a_sticky_weighted_forward_between_stable_and_canary_fleets() {
    let d = docs(&canary(10));
    assert_eq!(
        cfn(&d, "WebHttpsListener")["Properties"]["DefaultActions"],
        json!([{"Type": "forward", "ForwardConfig": {
            "TargetGroups": [
                {"TargetGroupArn": {"Ref": "WebStableTargets"}, "Weight": 90},
                {"TargetGroupArn": {"Ref": "WebCanaryTargets"}, "Weight": 10}],
            "TargetGroupStickinessConfig": {"Enabled": true, "DurationSeconds": 3600}}}])
    );
    assert_eq!(
        tf(&d, "aws_lb_listener", "web_https_listener")["default_action"],
        json!([{"type": "forward", "forward": {
            "target_group": [
                {"arn": "${aws_lb_target_group.web_stable_targets.arn}", "weight": 90},
                {"arn": "${aws_lb_target_group.web_canary_targets.arn}", "weight": 10}],
            "stickiness": {"enabled": true, "duration": 3600}}}])
    );
}

#[test]
fn a_canary_weight_change_changes_exactly_the_two_weights_in_both_targets() {
    assert_only_weights_change(&canary(10), &canary(50), [90, 10], [50, 50]);
}

#[test]
fn combinations_that_cannot_work_are_located_errors() {
    let bad = app(Frontend::Tcp { port: 443 }, |s| {
        s.replication(Replication::TenantSticky {
            key: TenantKey::Header("X-Tenant".into()),
            shards: vec![Shard::new("A", ["acme"]), Shard::new("A-2", ["acme"])],
        })
        .update(Update::Canary {
            weight_percent: 120,
            canary: Machine::new("ami-1", "t3.small"),
        })
    });
    let stderr = fails(
        &bad,
        &[
            "tenant stickiness behind a TCP frontend: expected `Frontend::Https`",
            "tenant stickiness with a blue/green or canary update: expected `Update::Rolling`",
            "shard name `A-2`: expected ASCII letters and digits",
            "tenant `acme` is in shards `A` and `A-2`: expected one owner",
            "canary weight 120 %: expected 0 to 100",
            "a canary behind a TCP frontend",
        ],
    );
    // Reported once each, at the line that declares the service; nothing cascades from them.
    assert_eq!(stderr.matches("error:").count(), 7, "{stderr}");
    assert!(stderr.contains("tests/replicated_service.rs:"), "{stderr}");
    let cookie_on_tcp = app(Frontend::Tcp { port: 443 }, |s| {
        s.replication(Replication::SessionSticky(Stickiness::LoadBalancerCookie {
            duration_seconds: 60,
        }))
    });
    fails(
        &cookie_on_tcp,
        &["cookie stickiness behind a TCP frontend: expected `Frontend::Https`"],
    );
    let source_ip_on_https = app(https(), |s| {
        s.replication(Replication::SessionSticky(Stickiness::SourceIp))
    });
    fails(
        &source_ip_on_https,
        &["source-IP stickiness behind an HTTPS frontend"],
    );
    // The API choice is named once, not the listener's forward to two target groups it would declare.
    let blue_green_on_tcp = app(Frontend::Tcp { port: 443 }, |s| {
        s.update(Update::BlueGreen {
            live: Color::Blue,
            green: Machine::new("ami-1", "t3.small"),
        })
    });
    let stderr = fails(
        &blue_green_on_tcp,
        &["blue/green behind a TCP frontend: expected `Frontend::Https`"],
    );
    // One problem, and the summary line.
    assert_eq!(stderr.matches("error:").count(), 2, "{stderr}");
}

/// The service's unhealthy-host alarms notify through `Alarm::alarm_topic`: a topic on the AWS managed
/// key, which CloudWatch cannot publish to, is reported at the line that declares the service.
#[test]
fn an_alarm_topic_cloudwatch_cannot_publish_to_is_a_located_error() {
    let at = crate::support::line_below(22);
    let bad = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let subnets: Vec<_> = (0..2)
            .map(|i| {
                s.add(ec2::Subnet::new(
                    format!("Public{i}"),
                    &vpc,
                    &format!("10.0.{i}.0/24"),
                ))
            })
            .collect();
        let topic = s.add(Topic::new("Alerts"));
        ReplicatedService::new(
            "Web",
            Machine::new("ami-12345678", "t3.small"),
            https(),
            8080,
            "/health",
            size(),
        )
        .alarm_topic(&topic)
        .add_to(
            s,
            Network {
                vpc: &vpc,
                public_subnets: &subnets,
                instance_subnets: &subnets,
            },
        );
    });
    let stderr = fails(
        &bad,
        &["alarm action publishes to topic `Alerts`, which is encrypted with the AWS managed key \
           `alias/aws/sns`"],
    );
    assert!(stderr.contains("tests/replicated_service.rs:"), "{stderr}");
    assert!(stderr.contains(&at), "{at} in {stderr}");
}

/// The service escapes to its load balancer, its main resource: what the escapes set is the only change,
/// in each target.
#[test]
fn the_typed_escapes_patch_the_load_balancer() {
    use stackwright::registry::elasticloadbalancingv2::load_balancer::IpAddressType;
    let before = app(https(), |service| service);
    let after = app(https(), |service| {
        service
            .cloudformation(|t| t.ip_address_type(IpAddressType::Ipv4))
            .terraform(|t| t.ip_address_type("ipv4"))
    });
    let mut expected = BTreeMap::new();
    expected.insert(
        CFN.to_owned(),
        vec![(
            "/Resources/WebLoadBalancer/Properties/IpAddressType".to_owned(),
            Value::Null,
            json!("ipv4"),
        )],
    );
    expected.insert(
        TF.to_owned(),
        vec![(
            "/resource/aws_lb/web_load_balancer/ip_address_type".to_owned(),
            Value::Null,
            json!("ipv4"),
        )],
    );
    assert_eq!(diff(&before, &after), expected);
}
