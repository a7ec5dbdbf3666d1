//! The building blocks of replicated services (issue 13): update policies, scaling policies, scheduled
//! actions, lifecycle hooks, SNS topics and subscriptions, sticky weighted forwards and header/query
//! routing, each on the exact JSON of both targets, then the input each rejects.

use crate::catalog_a::{alb, check, net, zone, Net};
use crate::support::{fails, line_below, one_stack};
use serde_json::json;
use stackwright::aws::acm;
use stackwright::aws::autoscaling::{
    AdjustmentType, AutoScalingGroup, AutoScalingGroupHandle, DefaultResult, LifecycleHook,
    LifecycleTransition, RollingUpdate, ScalingPolicy, ScheduledAction, Step, TrackedMetric,
    UpdatePolicy,
};
use stackwright::aws::cloudwatch::{Alarm, Comparison, Metric};
use stackwright::aws::elbv2::{Action, Condition, Listener, ListenerRule, Protocol, TargetGroup};
use stackwright::aws::sns::{Endpoint, Subscription, Topic};
use stackwright::aws::{ec2, kms};
use stackwright::prelude::*;

fn fleet(s: &mut Stack, policy: UpdatePolicy) -> AutoScalingGroupHandle {
    let net = net(s);
    fleet_in(s, &net, policy)
}

fn fleet_in(s: &mut Stack, net: &Net, policy: UpdatePolicy) -> AutoScalingGroupHandle {
    let template = s.add(ec2::LaunchTemplate::new("App", "ami-12345678", "t3.small"));
    s.add(
        AutoScalingGroup::new("Fleet", &template, &net.subnets, 2, 6)
            .desired_capacity(4)
            .update_policy(policy)
            .default_instance_warmup(120)
            .lifecycle_hook(LifecycleHook::new(
                "drain",
                LifecycleTransition::Terminating,
                300,
                DefaultResult::Continue,
            )),
    )
}

#[test]
fn rolling_update_is_an_update_policy_and_an_instance_refresh() {
    check(
        |s| {
            fleet(
                s,
                UpdatePolicy::Rolling(
                    RollingUpdate::new(1, 3)
                        .pause_seconds(60)
                        .wait_on_signals(true),
                ),
            );
        },
        &[(
            "Fleet",
            json!({"Type": "AWS::AutoScaling::AutoScalingGroup",
                "UpdatePolicy": {"AutoScalingRollingUpdate": {
                    "MaxBatchSize": 1, "MinInstancesInService": 3, "PauseTime": "PT60S",
                    "WaitOnResourceSignals": true}},
                "Properties": {
                "MinSize": "2", "MaxSize": "6", "DesiredCapacity": "4",
                "LaunchTemplate": {"LaunchTemplateId": {"Ref": "App"},
                                   "Version": {"Fn::GetAtt": ["App", "LatestVersionNumber"]}},
                "VPCZoneIdentifier": [{"Ref": "Subnet0"}, {"Ref": "Subnet1"}],
                "HealthCheckType": "EC2",
                "DefaultInstanceWarmup": 120,
                "LifecycleHookSpecificationList": [{
                    "LifecycleHookName": "drain",
                    "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING",
                    "HeartbeatTimeout": 300, "DefaultResult": "CONTINUE"}],
                "Tags": [{"Key": "Name", "Value": "Fleet", "PropagateAtLaunch": true}]
            }}),
        )],
        &[(
            "aws_autoscaling_group",
            "fleet",
            json!({
                "min_size": 2, "max_size": 6, "desired_capacity": 4,
                "launch_template": {"id": "${aws_launch_template.app.id}",
                                    "version": "${aws_launch_template.app.latest_version}"},
                "vpc_zone_identifier": ["${aws_subnet.subnet0.id}", "${aws_subnet.subnet1.id}"],
                "health_check_type": "EC2",
                "default_instance_warmup": 120,
                "initial_lifecycle_hook": [{
                    "name": "drain", "lifecycle_transition": "autoscaling:EC2_INSTANCE_TERMINATING",
                    "heartbeat_timeout": 300, "default_result": "CONTINUE"}],
                // 3 of the 4 desired instances stay in service: 75 %.
                "instance_refresh": {"strategy": "Rolling", "preferences": {
                    "min_healthy_percentage": 75, "instance_warmup": "60"}},
                "tag": [{"key": "Name", "value": "Fleet", "propagate_at_launch": true}]
            }),
        )],
    );
}

#[test]
fn replacing_update_launches_a_new_group_or_every_replacement_first() {
    let docs = crate::support::artifacts(&one_stack(|s| {
        fleet(s, UpdatePolicy::Replacing);
    }));
    assert_eq!(
        docs[crate::support::CFN]["Resources"]["Fleet"]["UpdatePolicy"],
        json!({"AutoScalingReplacingUpdate": {"WillReplace": true}})
    );
    assert_eq!(
        docs[crate::support::TF]["resource"]["aws_autoscaling_group"]["fleet"]["instance_refresh"],
        json!({"strategy": "Rolling", "preferences": {
            "min_healthy_percentage": 100, "max_healthy_percentage": 200}})
    );
}

#[test]
fn target_tracking_step_and_scheduled_scaling() {
    check(
        |s| {
            let group = fleet(s, UpdatePolicy::Replacing);
            s.add(
                ScalingPolicy::target_tracking(
                    "CpuTarget",
                    &group,
                    TrackedMetric::AverageCpuUtilization,
                    60.5,
                )
                .estimated_instance_warmup(90),
            );
            let step = s.add(ScalingPolicy::step(
                "StepOut",
                &group,
                AdjustmentType::ChangeInCapacity,
                [
                    Step {
                        lower_bound: Some(20),
                        upper_bound: None,
                        adjustment: 2,
                    },
                    Step {
                        lower_bound: Some(0),
                        upper_bound: Some(20),
                        adjustment: 1,
                    },
                ],
            ));
            s.add(
                Alarm::new(
                    "HighCpu",
                    Metric::new("AWS/EC2", "CPUUtilization")
                        .dimension("AutoScalingGroupName", group.name()),
                    Comparison::GreaterThanThreshold,
                    80.0,
                    2,
                )
                .alarm_action(step.arn()),
            );
            s.add(
                ScheduledAction::recurring("NightlyShrink", &group, "0 22 * * *")
                    .min_size(1)
                    .desired_capacity(1)
                    .time_zone("Europe/Berlin"),
            );
        },
        &[
            (
                "CpuTarget",
                json!({"Type": "AWS::AutoScaling::ScalingPolicy", "Properties": {
                    "AutoScalingGroupName": {"Ref": "Fleet"},
                    "PolicyType": "TargetTrackingScaling",
                    "EstimatedInstanceWarmup": 90,
                    "TargetTrackingConfiguration": {
                        "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                        "TargetValue": 60.5}
                }}),
            ),
            (
                "StepOut",
                json!({"Type": "AWS::AutoScaling::ScalingPolicy", "Properties": {
                    "AutoScalingGroupName": {"Ref": "Fleet"},
                    "PolicyType": "StepScaling",
                    "AdjustmentType": "ChangeInCapacity",
                    "StepAdjustments": [
                        {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 20, "ScalingAdjustment": 1},
                        {"MetricIntervalLowerBound": 20, "ScalingAdjustment": 2}]
                }}),
            ),
            (
                "NightlyShrink",
                json!({"Type": "AWS::AutoScaling::ScheduledAction", "Properties": {
                    "AutoScalingGroupName": {"Ref": "Fleet"},
                    "Recurrence": "0 22 * * *", "TimeZone": "Europe/Berlin",
                    "MinSize": 1, "DesiredCapacity": 1
                }}),
            ),
        ],
        &[
            (
                "aws_autoscaling_policy",
                "cpu_target",
                json!({
                    "name": "demo-dev-main-CpuTarget",
                    "autoscaling_group_name": "${aws_autoscaling_group.fleet.name}",
                    "policy_type": "TargetTrackingScaling",
                    "estimated_instance_warmup": 90,
                    "target_tracking_configuration": {
                        "predefined_metric_specification": {"predefined_metric_type": "ASGAverageCPUUtilization"},
                        "target_value": 60.5}
                }),
            ),
            (
                "aws_autoscaling_policy",
                "step_out",
                json!({
                    "name": "demo-dev-main-StepOut",
                    "autoscaling_group_name": "${aws_autoscaling_group.fleet.name}",
                    "policy_type": "StepScaling",
                    "adjustment_type": "ChangeInCapacity",
                    "step_adjustment": [
                        {"metric_interval_lower_bound": "0", "metric_interval_upper_bound": "20", "scaling_adjustment": 1},
                        {"metric_interval_lower_bound": "20", "scaling_adjustment": 2}]
                }),
            ),
            (
                "aws_autoscaling_schedule",
                "nightly_shrink",
                json!({
                    "scheduled_action_name": "demo-dev-main-NightlyShrink",
                    "autoscaling_group_name": "${aws_autoscaling_group.fleet.name}",
                    "recurrence": "0 22 * * *", "time_zone": "Europe/Berlin",
                    "min_size": 1, "desired_capacity": 1
                }),
            ),
        ],
    );
    // The step policy acts through the alarm.
    let docs = crate::support::artifacts(&one_stack(|s| {
        let group = fleet(s, UpdatePolicy::Replacing);
        let step = s.add(ScalingPolicy::step(
            "StepOut",
            &group,
            AdjustmentType::ExactCapacity,
            [Step {
                lower_bound: Some(0),
                upper_bound: None,
                adjustment: 6,
            }],
        ));
        s.add(
            Alarm::new(
                "HighCpu",
                Metric::new("AWS/EC2", "CPUUtilization"),
                Comparison::GreaterThanThreshold,
                80.0,
                2,
            )
            .alarm_action(step.arn()),
        );
    }));
    assert_eq!(
        docs[crate::support::CFN]["Resources"]["HighCpu"]["Properties"]["AlarmActions"],
        json!([{"Fn::GetAtt": ["StepOut", "Arn"]}])
    );
    assert_eq!(
        docs[crate::support::TF]["resource"]["aws_cloudwatch_metric_alarm"]["high_cpu"]
            ["alarm_actions"],
        json!(["${aws_autoscaling_policy.step_out.arn}"])
    );
}

#[test]
fn request_count_target_tracking_labels_the_load_balancer_and_target_group() {
    check(
        |s| {
            let net = net(s);
            let lb = alb(s, &net);
            let targets = s.add(TargetGroup::new("Targets", Protocol::Http, 8080, &net.vpc));
            let group = fleet_in(s, &net, UpdatePolicy::Replacing);
            s.add(
                ScalingPolicy::target_tracking(
                    "Requests",
                    &group,
                    TrackedMetric::RequestCountPerTarget {
                        load_balancer: lb,
                        target_group: targets,
                    },
                    1000.0,
                )
                .disable_scale_in(),
            );
        },
        &[(
            "Requests",
            json!({"Type": "AWS::AutoScaling::ScalingPolicy", "Properties": {
                "AutoScalingGroupName": {"Ref": "Fleet"},
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingConfiguration": {
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "ALBRequestCountPerTarget",
                        "ResourceLabel": {"Fn::Sub":
                            "${Web.LoadBalancerFullName}/${Targets.TargetGroupFullName}"}},
                    "TargetValue": 1000,
                    "DisableScaleIn": true}
            }}),
        )],
        &[(
            "aws_autoscaling_policy",
            "requests",
            json!({
                "name": "demo-dev-main-Requests",
                "autoscaling_group_name": "${aws_autoscaling_group.fleet.name}",
                "policy_type": "TargetTrackingScaling",
                "target_tracking_configuration": {
                    "predefined_metric_specification": {
                        "predefined_metric_type": "ALBRequestCountPerTarget",
                        "resource_label": "${aws_lb.web.arn_suffix}/${aws_lb_target_group.targets.arn_suffix}"},
                    "target_value": 1000,
                    "disable_scale_in": true}
            }),
        )],
    );
}

#[test]
fn topic_is_encrypted_and_alarms_notify_its_subscribers() {
    check(
        |s| {
            let topic = s.add(Topic::new("Alerts").display_name("Notebook alerts"));
            s.add(Subscription::new(
                "OnCall",
                &topic,
                Endpoint::Email("oncall@example.com".into()),
            ));
            s.add(
                Alarm::new(
                    "Errors",
                    Metric::new("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
                    Comparison::GreaterThanThreshold,
                    10.0,
                    1,
                )
                .alarm_action(topic.arn())
                .ok_action(topic.arn()),
            );
        },
        &[
            (
                "Alerts",
                json!({"Type": "AWS::SNS::Topic", "Properties": {
                    "DisplayName": "Notebook alerts", "KmsMasterKeyId": "alias/aws/sns"}}),
            ),
            (
                "OnCall",
                json!({"Type": "AWS::SNS::Subscription", "Properties": {
                    "TopicArn": {"Ref": "Alerts"}, "Protocol": "email",
                    "Endpoint": "oncall@example.com"}}),
            ),
        ],
        &[
            (
                "aws_sns_topic",
                "alerts",
                json!({"display_name": "Notebook alerts", "kms_master_key_id": "alias/aws/sns"}),
            ),
            (
                "aws_sns_topic_subscription",
                "on_call",
                json!({"topic_arn": "${aws_sns_topic.alerts.arn}", "protocol": "email",
                       "endpoint": "oncall@example.com"}),
            ),
        ],
    );
    let docs = crate::support::artifacts(&one_stack(|s| {
        let topic = s.add(Topic::new("Alerts"));
        s.add(
            Alarm::new(
                "Errors",
                Metric::new("AWS/EC2", "CPUUtilization"),
                Comparison::GreaterThanThreshold,
                1.0,
                1,
            )
            .alarm_action(topic.arn()),
        );
    }));
    assert_eq!(
        docs[crate::support::CFN]["Resources"]["Errors"]["Properties"]["AlarmActions"],
        json!([{"Ref": "Alerts"}])
    );
    assert_eq!(
        docs[crate::support::TF]["resource"]["aws_cloudwatch_metric_alarm"]["errors"]
            ["alarm_actions"],
        json!(["${aws_sns_topic.alerts.arn}"])
    );
}

#[test]
fn weighted_forward_sticks_sessions_and_rules_route_by_header_and_query() {
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
            let stable = s.add(TargetGroup::new("Stable", Protocol::Http, 80, &net.vpc));
            let canary = s.add(TargetGroup::new("Canary", Protocol::Http, 80, &net.vpc));
            let https = s.add(Listener::https(
                "Https",
                &lb,
                443,
                cert.arn(),
                Action::weighted_forward([(&stable, 90), (&canary, 10)]).sticky_for_seconds(3600),
            ));
            s.add(ListenerRule::new(
                "TenantA",
                &https,
                10,
                [
                    Condition::http_header("X-Tenant", ["tenant-a", "tenant-b"]),
                    Condition::query_string([(Some("shard"), "a"), (None::<&str>, "debug")]),
                ],
                Action::forward(&canary),
            ));
        },
        &[
            (
                "Https",
                json!({"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
                    "LoadBalancerArn": {"Ref": "Web"}, "Protocol": "HTTPS", "Port": 443,
                    "Certificates": [{"CertificateArn": {"Ref": "Cert"}}],
                    "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
                    "DefaultActions": [{"Type": "forward", "ForwardConfig": {
                        "TargetGroups": [
                            {"TargetGroupArn": {"Ref": "Stable"}, "Weight": 90},
                            {"TargetGroupArn": {"Ref": "Canary"}, "Weight": 10}],
                        "TargetGroupStickinessConfig": {"Enabled": true, "DurationSeconds": 3600}
                    }}]
                }}),
            ),
            (
                "TenantA",
                json!({"Type": "AWS::ElasticLoadBalancingV2::ListenerRule", "Properties": {
                    "ListenerArn": {"Ref": "Https"}, "Priority": 10,
                    "Conditions": [
                        {"Field": "http-header", "HttpHeaderConfig": {
                            "HttpHeaderName": "X-Tenant", "Values": ["tenant-a", "tenant-b"]}},
                        {"Field": "query-string", "QueryStringConfig": {"Values": [
                            {"Key": "shard", "Value": "a"}, {"Value": "debug"}]}}],
                    "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Canary"}}]
                }}),
            ),
        ],
        &[
            (
                "aws_lb_listener",
                "https",
                json!({"load_balancer_arn": "${aws_lb.web.arn}", "protocol": "HTTPS", "port": 443,
                       "certificate_arn": "${aws_acm_certificate.cert.arn}",
                       "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
                       "default_action": [{"type": "forward", "forward": {
                           "target_group": [
                               {"arn": "${aws_lb_target_group.stable.arn}", "weight": 90},
                               {"arn": "${aws_lb_target_group.canary.arn}", "weight": 10}],
                           "stickiness": {"enabled": true, "duration": 3600}}}],
                       "depends_on": ["aws_acm_certificate_validation.cert_validation"]}),
            ),
            (
                "aws_lb_listener_rule",
                "tenant_a",
                json!({"listener_arn": "${aws_lb_listener.https.arn}", "priority": 10,
                       "condition": [
                           {"http_header": {"http_header_name": "X-Tenant",
                                            "values": ["tenant-a", "tenant-b"]}},
                           {"query_string": [{"key": "shard", "value": "a"}, {"value": "debug"}]}],
                       "action": [{"type": "forward",
                                   "target_group_arn": "${aws_lb_target_group.canary.arn}"}]}),
            ),
        ],
    );
}

#[test]
fn replication_building_blocks_input() {
    let at = line_below(5);
    let app = one_stack(|s| {
        let net = net(s);
        let template = s.add(ec2::LaunchTemplate::new("Lt", "ami-12345678", "t3.small"));
        let group = s.add(
            AutoScalingGroup::new("Fleet", &template, &net.subnets, 1, 3)
                .update_policy(UpdatePolicy::Rolling(
                    RollingUpdate::new(0, 3).pause_seconds(7200),
                ))
                .default_instance_warmup(4000)
                .lifecycle_hook(LifecycleHook::new(
                    "bad name!",
                    LifecycleTransition::Launching,
                    10,
                    DefaultResult::Abandon,
                )),
        );
        s.add(ScalingPolicy::target_tracking(
            "Nan",
            &group,
            TrackedMetric::AverageCpuUtilization,
            f64::NAN,
        ));
        s.add(
            ScalingPolicy::step(
                "Overlap",
                &group,
                AdjustmentType::ChangeInCapacity,
                [
                    Step {
                        lower_bound: Some(0),
                        upper_bound: Some(30),
                        adjustment: 1,
                    },
                    Step {
                        lower_bound: Some(20),
                        upper_bound: None,
                        adjustment: 2,
                    },
                ],
            )
            .disable_scale_in(),
        );
        s.add(ScheduledAction::recurring("Cron", &group, "0 22 * *").time_zone("Berlin"));
    });
    fails(
        &app,
        &[
            &at,
            "rolling update batch size 0: expected at least one instance per batch",
            "rolling update keeps 3 instances in service, not below the group's maximum size 3",
            "rolling update pause is 7200: expected a value from 0 to 3600",
            "default instance warmup is 4000: expected a value from 0 to 3600",
            "invalid lifecycle hook name `bad name!`",
            "lifecycle hook heartbeat timeout is 10: expected a value from 30 to 7200",
            "target tracking value NaN: expected a positive finite number",
            "scaling steps overlap: one ends at 30, the next starts at 20",
            "disable scale-in on a step scaling policy: expected a target tracking policy",
            "recurrence `0 22 * *`: expected a cron expression of five fields",
            "time zone `Berlin`: expected an IANA time zone name",
            "a scheduled action that sets no size",
        ],
    );
}

#[test]
fn sns_and_routing_input() {
    let at = line_below(5);
    let app = one_stack(|s| {
        let net = net(s);
        let lb = alb(s, &net);
        let topic = s.add(Topic::new("Alerts"));
        s.add(Subscription::new(
            "Mail",
            &topic,
            Endpoint::Email("not-an-address".into()),
        ));
        s.add(Subscription::new(
            "Hook",
            &topic,
            Endpoint::Https("http://example.com".into()),
        ));
        let tg = s.add(TargetGroup::new("Tg", Protocol::Http, 80, &net.vpc));
        let http = s.add(Listener::http(
            "Http",
            &lb,
            80,
            Action::forward(&tg).sticky_for_seconds(0),
        ));
        s.add(ListenerRule::new(
            "Rule",
            &http,
            1,
            [
                Condition::http_header("X Tenant", ["a b"]),
                Condition::query_string::<&str, &str>([]),
            ],
            Action::forward(&tg),
        ));
    });
    fails(
        &app,
        &[
            &at,
            "email endpoint `not-an-address`: expected an address like `ops@example.com`",
            "https endpoint `http://example.com`: expected a URL starting with `https://`",
            "target group stickiness duration is 0: expected a value from 1 to 604800",
            "stickiness on a forward to one target group: expected a weighted forward",
            "invalid http-header name `X Tenant`",
            "invalid http-header value `a b`",
            "a query-string condition without pairs: expected at least one",
        ],
    );
}

/// An alarm that notifies a topic on a key CloudWatch cannot use: CloudWatch calls KMS itself, so the
/// AWS managed key (whose policy cannot allow it) or a key that does not allow it drops every
/// notification. Both are errors at the alarm's line, naming the fix.
#[test]
fn an_alarm_notifying_a_topic_cloudwatch_cannot_publish_to_is_a_located_error() {
    #[track_caller]
    fn alarm() -> Alarm {
        Alarm::new(
            "Errors",
            Metric::new("AWS/EC2", "CPUUtilization"),
            Comparison::GreaterThanThreshold,
            1.0,
            1,
        )
    }
    let at = line_below(4);
    let stderr = fails(
        &one_stack(|s| {
            let topic = s.add(Topic::new("Alerts"));
            s.add(alarm().alarm_topic(&topic).ok_topic(&topic));
        }),
        &[
            "alarm action publishes to topic `Alerts`, which is encrypted with the AWS managed key \
             `alias/aws/sns`: cloudwatch.amazonaws.com cannot use that key, so every message would be \
             dropped; expected `.encryption_key(&key)` on the topic with a customer managed key declared \
             with `.allow_topic_publisher(\"cloudwatch.amazonaws.com\")`",
            "OK action publishes to topic `Alerts`",
        ],
    );
    assert!(stderr.contains(&at), "{at} in {stderr}");
    fails(
        &one_stack(|s| {
            let key = s.add(kms::Key::new("AlertsKey").allow_topic_publisher("events.amazonaws.com"));
            let topic = s.add(Topic::new("Alerts").encryption_key(&key));
            s.add(alarm().insufficient_data_topic(&topic));
        }),
        &["insufficient data action publishes to topic `Alerts`, whose key `AlertsKey` does not let \
           cloudwatch.amazonaws.com use it, so every message would be dropped: expected \
           `.allow_topic_publisher(\"cloudwatch.amazonaws.com\")` on the key"],
    );
    fails(
        &one_stack(|s| {
            s.add(kms::Key::new("AlertsKey").allow_topic_publisher("cloudwatch"));
        }),
        &[
            "topic publisher `cloudwatch`: expected an AWS service principal like \
           `cloudwatch.amazonaws.com`",
        ],
    );
    // A key whose policy is not known here (an existing key, or one named by ARN) is the user's word.
    for topic in [
        Topic::new("Alerts").kms_master_key_id("arn:aws:kms:us-west-2:123456789012:key/abc"),
        Topic::new("Alerts").kms_master_key_id("alias/alerts"),
    ] {
        let topic = std::sync::Mutex::new(Some(topic));
        crate::support::artifacts(&one_stack(move |s| {
            let topic = s.add(topic.lock().unwrap().take().unwrap());
            s.add(alarm().alarm_topic(&topic));
        }));
    }
}

/// `Key::allow_topic_publisher` writes the statement AWS documents for a service publishing to an
/// encrypted topic, in both targets, and the alarm then notifies the topic.
#[test]
fn a_key_that_allows_cloudwatch_lets_its_topic_receive_alarm_notifications() {
    let docs = crate::support::artifacts(&one_stack(|s| {
        let key = s.add(
            kms::Key::new("AlertsKey")
                .allow_topic_publisher("cloudwatch.amazonaws.com")
                .allow_topic_publisher("cloudwatch.amazonaws.com")
                .allow_topic_publisher("events.amazonaws.com"),
        );
        let topic = s.add(Topic::new("Alerts").encryption_key(&key));
        s.add(
            Alarm::new(
                "Errors",
                Metric::new("AWS/EC2", "CPUUtilization"),
                Comparison::GreaterThanThreshold,
                1.0,
                1,
            )
            .alarm_topic(&topic)
            .ok_topic(&topic),
        );
    }));
    let cfn = &docs[crate::support::CFN]["Resources"];
    assert_eq!(
        cfn["AlertsKey"]["Properties"]["KeyPolicy"]["Statement"],
        json!([
            {"Sid": "EnableIamPolicies", "Effect": "Allow",
             "Principal": {"AWS": [{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}]},
             "Action": ["kms:*"], "Resource": ["*"]},
            {"Sid": "AllowCloudwatchToPublish", "Effect": "Allow",
             "Principal": {"Service": ["cloudwatch.amazonaws.com"]},
             "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": ["*"]},
            {"Sid": "AllowEventsToPublish", "Effect": "Allow",
             "Principal": {"Service": ["events.amazonaws.com"]},
             "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": ["*"]}
        ])
    );
    assert_eq!(
        cfn["Alerts"]["Properties"]["KmsMasterKeyId"],
        json!({"Fn::GetAtt": ["AlertsKey", "Arn"]})
    );
    assert_eq!(
        cfn["Errors"]["Properties"]["AlarmActions"],
        json!([{"Ref": "Alerts"}])
    );
    assert_eq!(
        cfn["Errors"]["Properties"]["OKActions"],
        json!([{"Ref": "Alerts"}])
    );
    let tf = &docs[crate::support::TF];
    assert_eq!(
        tf["data"]["aws_iam_policy_document"]["alerts_key_key_policy"]["statement"][1],
        json!({"sid": "AllowCloudwatchToPublish", "effect": "Allow",
               "actions": ["kms:Decrypt", "kms:GenerateDataKey*"], "resources": ["*"],
               "principals": [{"type": "Service", "identifiers": ["cloudwatch.amazonaws.com"]}]})
    );
    assert_eq!(
        tf["data"]["aws_iam_policy_document"]["alerts_key_key_policy"]["statement"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert_eq!(
        tf["resource"]["aws_kms_key"]["alerts_key"]["policy"],
        json!("${data.aws_iam_policy_document.alerts_key_key_policy.json}")
    );
    assert_eq!(
        tf["resource"]["aws_sns_topic"]["alerts"]["kms_master_key_id"],
        json!("${aws_kms_key.alerts_key.arn}")
    );
    assert_eq!(
        tf["resource"]["aws_cloudwatch_metric_alarm"]["errors"]["ok_actions"],
        json!(["${aws_sns_topic.alerts.arn}"])
    );
}
