//! `ReplicatedService` on Fargate (`Machine::fargate`): each replication model and update strategy as
//! ECS services behind target groups of target type `ip`, on the exact JSON of both targets; the same
//! blue/green switch and canary weight change as on virtual machines; the combinations that mix
//! platforms as located errors.

use crate::catalog_a::without_default_tags;
use crate::support::{artifacts, fails, one_stack, CFN, TF};
use serde_json::{json, Value};
use stackwright::aws::ec2;
use stackwright::aws::ecs::{Cluster, Container, FargateTaskDefinition, Image};
use stackwright::aws::elbv2::Stickiness;
use stackwright::aws::service::{
    Color, Frontend, Machine, Network, ReplicatedService, Replication, Scaling, Shard, Size,
    TenantKey, Update,
};
use stackwright::prelude::*;
use std::collections::BTreeMap;

fn size() -> Size {
    Size {
        min: 2,
        max: 6,
        scaling: Scaling::TargetCpu { percent: 60 },
    }
}

/// A one-stack app with a two-zone network, a cluster, task definitions `Web` (image tag `v1`) and
/// `Next` (`v2`), and the service on Fargate as `configure` makes it from the two machines.
fn app(
    frontend: Frontend,
    configure: impl Fn(ReplicatedService, Machine) -> ReplicatedService + Send + Sync + 'static,
) -> App<()> {
    one_stack(move |s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let subnets = |s: &mut Stack, tier: &str, base: u8| -> Vec<ec2::SubnetHandle> {
            (0..2u8)
                .map(|i| {
                    s.add(ec2::Subnet::new(
                        format!("{tier}{i}"),
                        &vpc,
                        &format!("10.0.{}.0/24", base + i),
                    ))
                })
                .collect()
        };
        let public = subnets(s, "Public", 0);
        let private = subnets(s, "Private", 10);
        let cluster = s.add(Cluster::new("Cluster"));
        let task = |s: &mut Stack, id: &str, tag: &str| {
            FargateTaskDefinition::new(id, 512, 1024)
                .container(
                    Container::new(
                        "web",
                        Image::public(format!("public.ecr.aws/nginx/nginx:{tag}")),
                    )
                    .port(8080),
                )
                .add_to(s)
        };
        let web = task(s, "WebTask", "v1");
        let next = task(s, "NextTask", "v2");
        let service = ReplicatedService::new(
            "Web",
            Machine::fargate(&cluster, &web, "web"),
            frontend.clone(),
            8080,
            "/health",
            size(),
        );
        configure(service, Machine::fargate(&cluster, &next, "web")).add_to(
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

#[test]
fn stateless_with_a_rolling_update_is_an_ecs_service_in_an_ip_target_group_scaled_by_cpu() {
    let d = docs(&app(https(), |s, _| {
        s.update(Update::Rolling {
            batch: 1,
            min_in_service: 1,
        })
    }));
    // Half of the minimum of 2 stay healthy; one more than the minimum may start.
    assert_eq!(
        cfn(&d, "WebService"),
        &json!({"Type": "AWS::ECS::Service",
            "DependsOn": ["WebHttpsListener"],
            "Properties": {
                "Cluster": {"Fn::GetAtt": ["Cluster", "Arn"]},
                "TaskDefinition": {"Ref": "WebTask"},
                "LaunchType": "FARGATE", "PlatformVersion": "LATEST",
                "NetworkConfiguration": {"AwsvpcConfiguration": {
                    "Subnets": [{"Ref": "Private0"}, {"Ref": "Private1"}],
                    "SecurityGroups": [{"Fn::GetAtt": ["WebTaskSecurityGroup", "GroupId"]}],
                    "AssignPublicIp": "DISABLED"}},
                "DeploymentConfiguration": {"MinimumHealthyPercent": 50, "MaximumPercent": 150,
                    "DeploymentCircuitBreaker": {"Enable": true, "Rollback": true}},
                "DeploymentController": {"Type": "ECS"},
                "LoadBalancers": [{"TargetGroupArn": {"Ref": "WebTargets"},
                    "ContainerName": "web", "ContainerPort": 8080}],
                "HealthCheckGracePeriodSeconds": 60,
                "PropagateTags": "SERVICE", "EnableECSManagedTags": true}})
    );
    let service = tf(&d, "aws_ecs_service", "web_service");
    assert_eq!(
        service["task_definition"],
        "${aws_ecs_task_definition.web_task.arn}"
    );
    assert_eq!(service["deployment_minimum_healthy_percent"], 50);
    assert_eq!(service["deployment_maximum_percent"], 150);
    assert_eq!(
        service["deployment_circuit_breaker"],
        json!({"enable": true, "rollback": true})
    );
    assert_eq!(
        service["load_balancer"],
        json!([{"target_group_arn": "${aws_lb_target_group.web_targets.arn}",
            "container_name": "web", "container_port": 8080}])
    );
    assert_eq!(
        service["depends_on"],
        json!(["aws_lb_listener.web_https_listener"])
    );
    // Application Auto Scaling keeps the count between the size's minimum and maximum.
    assert_eq!(service["desired_count"], 2);
    assert_eq!(
        service["lifecycle"],
        json!({"ignore_changes": ["desired_count"]})
    );
    assert_eq!(
        cfn(&d, "WebServiceScaling")["Properties"],
        json!({"ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount",
            "ResourceId": {"Fn::Sub": "service/${Cluster}/${WebService.Name}"},
            "MinCapacity": 2, "MaxCapacity": 6})
    );
    assert_eq!(
        tf(&d, "aws_appautoscaling_policy", "web_service_cpu")
            ["target_tracking_scaling_policy_configuration"],
        json!({"predefined_metric_specification": {
                "predefined_metric_type": "ECSServiceAverageCPUUtilization"},
            "target_value": 60})
    );
    // Tasks are registered by address; the tasks' group admits only the load balancer.
    assert_eq!(cfn(&d, "WebTargets")["Properties"]["TargetType"], "ip");
    assert_eq!(
        tf(&d, "aws_lb_target_group", "web_targets")["target_type"],
        "ip"
    );
    let tasks = &cfn(&d, "WebTaskSecurityGroup")["Properties"];
    assert_eq!(
        tasks["GroupDescription"],
        "Tasks: the service port from the load balancer"
    );
    assert_eq!(
        tasks["SecurityGroupIngress"],
        json!([{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
            "SourceSecurityGroupId": {"Fn::GetAtt": ["WebLoadBalancerSecurityGroup", "GroupId"]},
            "Description": "from the load balancer"}])
    );
    // No instances: no launch template, no auto scaling group, no instance group.
    for id in [
        "WebLaunchTemplate",
        "WebFleet",
        "WebInstanceSecurityGroup",
        "WebCpuTarget",
    ] {
        assert!(d[CFN]["Resources"].get(id).is_none(), "{id}");
    }
    assert_eq!(
        cfn(&d, "WebUnhealthyHosts")["Properties"]["Dimensions"][1]["Value"],
        json!({"Fn::GetAtt": ["WebTargets", "TargetGroupFullName"]})
    );

    // A fixed size is the desired count, with no scaling; ECS's default rolling percentages when the
    // update keeps the whole minimum in service and replaces one task of a larger fleet.
    let fixed = docs(&app(https(), |s, _| {
        s.size(Size {
            min: 4,
            max: 8,
            scaling: Scaling::Fixed { desired: 4 },
        })
        .update(Update::Rolling {
            batch: 4,
            min_in_service: 4,
        })
    }));
    assert_eq!(cfn(&fixed, "WebService")["Properties"]["DesiredCount"], 4);
    assert_eq!(
        cfn(&fixed, "WebService")["Properties"]["DeploymentConfiguration"]["MaximumPercent"],
        200
    );
    let service = tf(&fixed, "aws_ecs_service", "web_service");
    assert_eq!(service["desired_count"], 4);
    assert!(service.get("lifecycle").is_none());
    assert!(fixed[CFN]["Resources"].get("WebServiceScaling").is_none());
    assert!(fixed[TF]["resource"]
        .get("aws_appautoscaling_target")
        .is_none());
}

#[test]
fn session_sticky_by_cookie_is_the_ip_target_groups_stickiness() {
    let d = docs(&app(https(), |s, _| {
        s.replication(Replication::SessionSticky(Stickiness::ApplicationCookie {
            cookie_name: "SESSION".into(),
            duration_seconds: 3600,
        }))
    }));
    assert_eq!(
        cfn(&d, "WebTargets")["Properties"]["TargetGroupAttributes"],
        json!([{"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
               {"Key": "stickiness.enabled", "Value": "true"},
               {"Key": "stickiness.type", "Value": "app_cookie"},
               {"Key": "stickiness.app_cookie.duration_seconds", "Value": "3600"},
               {"Key": "stickiness.app_cookie.cookie_name", "Value": "SESSION"}])
    );
    assert_eq!(cfn(&d, "WebTargets")["Properties"]["TargetType"], "ip");
    assert_eq!(
        tf(&d, "aws_lb_target_group", "web_targets")["stickiness"],
        json!({"type": "app_cookie", "cookie_name": "SESSION", "cookie_duration": 3600,
            "enabled": true})
    );
}

#[test]
fn session_sticky_by_source_ip_on_a_network_load_balancer() {
    let d = docs(&app(Frontend::Tcp { port: 443 }, |s, _| {
        s.replication(Replication::SessionSticky(Stickiness::SourceIp))
    }));
    assert_eq!(
        cfn(&d, "WebTargets")["Properties"],
        json!({"Protocol": "TCP", "Port": 8080, "VpcId": {"Ref": "Vpc"}, "TargetType": "ip",
               "HealthCheckEnabled": true, "HealthCheckProtocol": "HTTP", "HealthCheckPath": "/health",
               "TargetGroupAttributes": [
                   {"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
                   {"Key": "stickiness.enabled", "Value": "true"},
                   {"Key": "stickiness.type", "Value": "source_ip"}]})
    );
    assert_eq!(
        cfn(&d, "WebService")["DependsOn"],
        json!(["WebTcpListener"])
    );
    // Targets registered by address over TCP see the load balancer's addresses, not the clients'.
    let tasks = &cfn(&d, "WebTaskSecurityGroup")["Properties"];
    assert_eq!(
        tasks["GroupDescription"],
        "Tasks: the service port from the load balancer addresses in the VPC"
    );
    assert_eq!(
        tasks["SecurityGroupIngress"],
        json!([{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": "10.0.0.0/16",
            "Description": "the network load balancer, from its addresses in the VPC"}])
    );
}

#[test]
fn tenant_sticky_is_a_service_per_shard_waiting_for_its_rule() {
    let d = docs(&app(https(), |s, _| {
        s.replication(Replication::TenantSticky {
            key: TenantKey::PathPrefix,
            shards: vec![
                Shard::new("A", ["acme", "globex"]),
                Shard::new("B", ["initech"]),
            ],
        })
    }));
    assert_eq!(
        cfn(&d, "WebARule")["Properties"]["Conditions"],
        json!([{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/acme/*", "/globex/*"]}}])
    );
    for (shard, tf_name) in [("A", "web_a"), ("B", "web_b")] {
        let service = cfn(&d, &format!("Web{shard}Service"));
        // The listener's default action is a 404: the shard's group is used by its rule only.
        assert_eq!(service["DependsOn"], json!([format!("Web{shard}Rule")]));
        assert_eq!(
            service["Properties"]["LoadBalancers"][0]["TargetGroupArn"],
            json!({"Ref": format!("Web{shard}Targets")})
        );
        assert_eq!(
            service["Properties"]["TaskDefinition"],
            json!({"Ref": "WebTask"})
        );
        assert_eq!(
            tf(&d, "aws_ecs_service", &format!("{tf_name}_service"))["depends_on"],
            json!([format!("aws_lb_listener_rule.{tf_name}_rule")])
        );
        assert_eq!(
            cfn(&d, &format!("Web{shard}ServiceScaling"))["Properties"]["MinCapacity"],
            2
        );
        assert_eq!(
            cfn(&d, &format!("Web{shard}Targets"))["Properties"]["TargetType"],
            "ip"
        );
    }
}

pub(crate) fn blue_green(live: Color) -> App<()> {
    app(https(), move |s, next| {
        s.update(Update::BlueGreen { live, green: next })
    })
}

#[test]
fn blue_green_is_two_services_each_running_its_task_definition() {
    let d = docs(&blue_green(Color::Green));
    assert_eq!(
        cfn(&d, "WebHttpsListener")["Properties"]["DefaultActions"],
        json!([{"Type": "forward", "ForwardConfig": {"TargetGroups": [
            {"TargetGroupArn": {"Ref": "WebBlueTargets"}, "Weight": 0},
            {"TargetGroupArn": {"Ref": "WebGreenTargets"}, "Weight": 1}]}}])
    );
    for (color, task, tf_task) in [
        ("Blue", "WebTask", "web_task"),
        ("Green", "NextTask", "next_task"),
    ] {
        let service = &cfn(&d, &format!("Web{color}Service"))["Properties"];
        assert_eq!(service["TaskDefinition"], json!({"Ref": task}));
        assert_eq!(
            service["LoadBalancers"][0]["TargetGroupArn"],
            json!({"Ref": format!("Web{color}Targets")})
        );
        // Each color is deployed whole while idle: ECS's defaults, with the circuit breaker.
        assert_eq!(
            service["DeploymentConfiguration"],
            json!({"MinimumHealthyPercent": 100, "MaximumPercent": 200,
                "DeploymentCircuitBreaker": {"Enable": true, "Rollback": true}})
        );
        assert_eq!(
            tf(
                &d,
                "aws_ecs_service",
                &format!("web_{}_service", color.to_lowercase())
            )["task_definition"],
            format!("${{aws_ecs_task_definition.{tf_task}.arn}}")
        );
    }
}

#[test]
fn a_blue_green_switch_changes_exactly_the_two_weights_in_both_targets() {
    crate::replicated_service::assert_only_weights_change(
        &blue_green(Color::Blue),
        &blue_green(Color::Green),
        [1, 0],
        [0, 1],
    );
}

fn canary(weight_percent: u8) -> App<()> {
    app(https(), move |s, next| {
        s.replication(Replication::SessionSticky(Stickiness::LoadBalancerCookie {
            duration_seconds: 3600,
        }))
        .update(Update::Canary {
            weight_percent,
            canary: next,
        })
    })
}

#[test]
fn a_canary_is_a_sticky_weighted_forward_between_stable_and_canary_services() {
    let d = docs(&canary(10));
    assert_eq!(
        tf(&d, "aws_lb_listener", "web_https_listener")["default_action"],
        json!([{"type": "forward", "forward": {
            "target_group": [
                {"arn": "${aws_lb_target_group.web_stable_targets.arn}", "weight": 90},
                {"arn": "${aws_lb_target_group.web_canary_targets.arn}", "weight": 10}],
            "stickiness": {"enabled": true, "duration": 3600}}}])
    );
    assert_eq!(
        cfn(&d, "WebCanaryService")["Properties"]["TaskDefinition"],
        json!({"Ref": "NextTask"})
    );
    assert_eq!(
        cfn(&d, "WebStableService")["Properties"]["TaskDefinition"],
        json!({"Ref": "WebTask"})
    );
}

#[test]
fn a_canary_weight_change_changes_exactly_the_two_weights_in_both_targets() {
    crate::replicated_service::assert_only_weights_change(
        &canary(10),
        &canary(50),
        [90, 10],
        [50, 50],
    );
}

#[test]
fn a_public_address_is_a_named_opt_out() {
    let d = docs(&app(https(), |s, _| s));
    assert_eq!(
        cfn(&d, "WebService")["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
            ["AssignPublicIp"],
        "DISABLED"
    );
    let open = one_stack_with_public_ip();
    let d = docs(&open);
    let service = cfn(&d, "WebService");
    assert_eq!(
        service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"],
        "ENABLED"
    );
    assert_eq!(
        service["Metadata"]["checkov"]["skip"][0]["id"],
        "CKV_AWS_333"
    );
    assert_eq!(
        tf(&d, "aws_ecs_service", "web_service")["network_configuration"]["assign_public_ip"],
        true
    );
}

/// The service on a Fargate machine with a public address.
fn one_stack_with_public_ip() -> App<()> {
    platform_app(
        |cluster, task| Machine::fargate(cluster, task, "web").assign_public_ip_insecure(),
        None,
    )
}

/// A one-stack app with the service on `machine` in public subnets, updated by a canary on `other` if
/// given.
fn platform_app(
    machine: impl Fn(
            &stackwright::aws::ecs::ClusterHandle,
            &stackwright::aws::ecs::TaskDefinitionHandle,
        ) -> Machine
        + Send
        + Sync
        + 'static,
    other: Option<fn() -> Machine>,
) -> App<()> {
    one_stack(move |s| {
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
        let cluster = s.add(Cluster::new("Cluster"));
        let task = FargateTaskDefinition::new("WebTask", 256, 512)
            .container(
                Container::new("web", Image::public("public.ecr.aws/nginx/nginx:1.27")).port(8080),
            )
            .add_to(s);
        let mut service = ReplicatedService::new(
            "Web",
            machine(&cluster, &task),
            https(),
            8080,
            "/health",
            size(),
        );
        if let Some(other) = other {
            service = service.update(Update::Canary {
                weight_percent: 10,
                canary: other(),
            });
        }
        service.add_to(
            s,
            Network {
                vpc: &vpc,
                public_subnets: &subnets,
                instance_subnets: &subnets,
            },
        );
    })
}

#[test]
fn machines_of_two_platforms_or_another_platforms_setters_are_located_errors() {
    let bad = platform_app(
        |cluster, task| Machine::fargate(cluster, task, "web").user_data("#!/bin/sh\n"),
        Some(|| Machine::new("ami-12345678", "t3.small").assign_public_ip_insecure()),
    );
    let stderr = fails(
        &bad,
        &[
            "user data on a Fargate machine: expected a virtual machine (`Machine::new`)",
            "a public IP address setting on a virtual machine: expected a Fargate machine",
            "the update's machine runs on a virtual machine (`Machine::new`) and the service's on \
             Fargate (`Machine::fargate`): expected both on one platform",
        ],
    );
    // Once each, and the summary: the canary falls back to a rolling update of the Fargate service.
    assert_eq!(stderr.matches("error:").count(), 4, "{stderr}");
    assert!(stderr.contains("tests/replicated_fargate.rs:"), "{stderr}");
    // A container the task does not have is the service's error, at the same line.
    let wrong_container =
        platform_app(|cluster, task| Machine::fargate(cluster, task, "api"), None);
    let stderr = fails(
        &wrong_container,
        &["target group container `api` is not a container of task definition `WebTask`: expected \
           one of web"],
    );
    assert!(stderr.contains("tests/replicated_fargate.rs:"), "{stderr}");
}

/// The plan says that tasks roll only when a service's task definition changes: a new desired count
/// updates the service without a note, a new task definition revision with one, in each target.
#[test]
fn plan_says_tasks_roll_when_the_task_definition_changes_only() {
    let fixed = |desired: u32| {
        move |s: ReplicatedService, _: Machine| {
            s.size(Size {
                min: 1,
                max: 4,
                scaling: Scaling::Fixed { desired },
            })
        }
    };
    let plan = |before: &App<()>, after: &App<()>| {
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join("out");
        let out = out.to_str().unwrap();
        let (code, _, stderr) = crate::support::run(before, &["synth", "--out", out]);
        assert_eq!(code, 0, "{stderr}");
        let (code, stdout, stderr) = crate::support::run(after, &["plan", "--against", out]);
        assert_eq!(code, 2, "{stderr}");
        stdout
    };
    let scaled = plan(&app(https(), fixed(2)), &app(https(), fixed(3)));
    assert!(
        scaled.contains("~ update  WebService  AWS::ECS::Service"),
        "{scaled}"
    );
    assert!(!scaled.contains("tasks roll"), "{scaled}");
    // The service's machine becomes the other task definition (`NextTask`, image v2).
    let rolled = plan(
        &app(https(), |s, _| s),
        &app(https(), |_, next| {
            ReplicatedService::new("Web", next, https(), 8080, "/health", size())
        }),
    );
    let note =
        "note: tasks roll: ECS starts tasks of the new task definition revision and stops the \
                old ones, as the service's deployment configuration allows";
    assert_eq!(rolled.matches(note).count(), 2, "{rolled}");
    assert!(
        rolled.contains("TaskDefinition: {\"Ref\":\"WebTask\"} -> {\"Ref\":\"NextTask\"}"),
        "{rolled}"
    );
}
