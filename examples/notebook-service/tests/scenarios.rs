//! The seed's scenarios, each a one-line change to the definition, with its exact effect on the output.

use crate::common::{artifacts, diff, environments_with, prod_ireland, CFN_OREGON, TF_OREGON};
use notebook_service::{app, app_with, environments, Sizing};
use stackwright::{Environment, RemovalPolicy};

fn resized(
    replicas: u32,
    instance_type: &str,
) -> impl FnOnce(Environment<Sizing>) -> Environment<Sizing> {
    let sizing = Sizing::new(replicas, instance_type);
    move |e| Environment::new(e.name(), e.account(), e.region(), sizing).tag("stage", "prod")
}

#[test]
fn scale_out_from_3_to_5_changes_the_fleet_sizes_and_replaces_nothing() {
    let before = artifacts(&app());
    let after = artifacts(&app_with(environments_with(
        "prod-oregon",
        resized(5, "m4.xlarge"),
    )));

    // The group's minimum, and the rolling update that keeps all but one in
    // service; no resource is added or removed.
    assert_eq!(
        diff(&before[CFN_OREGON], &after[CFN_OREGON]),
        [
            "/Resources/NotebookFleet/UpdatePolicy/AutoScalingRollingUpdate/MinInstancesInService",
            "/Resources/NotebookFleet/Properties/MinSize",
        ]
    );
    assert_eq!(
        diff(&before[TF_OREGON], &after[TF_OREGON]),
        [
            "/resource/aws_autoscaling_group/notebook_fleet/min_size",
            "/resource/aws_autoscaling_group/notebook_fleet/instance_refresh/preferences/min_healthy_percentage",
        ]
    );
    let fleet = &after[CFN_OREGON]["Resources"]["NotebookFleet"];
    assert_eq!(fleet["Properties"]["MinSize"], "5");
    // The desired capacity is the CPU policy's, so that a deployment never scales a busy fleet in.
    assert!(fleet["Properties"].get("DesiredCapacity").is_none());
    assert_eq!(
        after[TF_OREGON]["resource"]["aws_autoscaling_group"]["notebook_fleet"]["instance_refresh"]
            ["preferences"]["min_healthy_percentage"],
        80
    );
    for path in before.keys().filter(|p| !p.contains("prod-oregon")) {
        assert_eq!(before[path], after[path], "{path} must not change");
    }
}

#[test]
fn changing_the_instance_size_changes_the_template_and_the_fleet_rolls() {
    let before = artifacts(&app());
    let after = artifacts(&app_with(environments_with(
        "prod-oregon",
        resized(3, "m5.2xlarge"),
    )));

    assert_eq!(
        diff(&before[CFN_OREGON], &after[CFN_OREGON]),
        ["/Resources/NotebookLaunchTemplate/Properties/LaunchTemplateData/InstanceType"]
    );
    assert_eq!(
        diff(&before[TF_OREGON], &after[TF_OREGON]),
        ["/resource/aws_launch_template/notebook_launch_template/instance_type"]
    );
    // The fleet follows the template's latest version, so the new version rolls it: one instance at
    // a time, keeping two in service (CloudFormation), or 66 % healthy (Terraform's instance refresh).
    let fleet = &after[CFN_OREGON]["Resources"]["NotebookFleet"];
    assert_eq!(
        fleet["Properties"]["LaunchTemplate"]["Version"],
        serde_json::json!({"Fn::GetAtt": ["NotebookLaunchTemplate", "LatestVersionNumber"]})
    );
    assert_eq!(
        fleet["UpdatePolicy"],
        serde_json::json!({"AutoScalingRollingUpdate": {
            "MaxBatchSize": 1, "MinInstancesInService": 2, "PauseTime": "PT60S"}})
    );
    let fleet = &after[TF_OREGON]["resource"]["aws_autoscaling_group"]["notebook_fleet"];
    assert_eq!(
        fleet["launch_template"]["version"],
        "${aws_launch_template.notebook_launch_template.latest_version}"
    );
    assert_eq!(
        fleet["instance_refresh"],
        serde_json::json!({"strategy": "Rolling", "preferences": {
            "min_healthy_percentage": 66, "instance_warmup": "60"}})
    );
    for path in before.keys().filter(|p| !p.contains("prod-oregon")) {
        assert_eq!(before[path], after[path], "{path} must not change");
    }
}

/// A crashed VM fails the load balancer's health check, and the group replaces it: nothing in the
/// definition changes.
#[test]
fn a_crashed_instance_is_replaced_by_the_group_health_check() {
    let all = artifacts(&app());
    let fleet = &all[CFN_OREGON]["Resources"]["NotebookFleet"]["Properties"];
    assert_eq!(fleet["HealthCheckType"], "ELB");
    assert_eq!(
        fleet["TargetGroupARNs"],
        serde_json::json!([{"Ref": "NotebookTargets"}])
    );
    let targets = &all[CFN_OREGON]["Resources"]["NotebookTargets"]["Properties"];
    assert_eq!(targets["HealthCheckPath"], "/api");
    let fleet = &all[TF_OREGON]["resource"]["aws_autoscaling_group"]["notebook_fleet"];
    assert_eq!(fleet["health_check_type"], "ELB");
}

#[test]
fn replicating_to_a_new_region_adds_an_environment_of_the_same_shape() {
    let mut envs = environments();
    envs.push(prod_ireland());
    let before = artifacts(&app());
    let after = artifacts(&app_with(envs));

    for (path, document) in &before {
        assert_eq!(&after[path], document, "{path} must not change");
    }
    let cfn = &after["cloudformation/prod-ireland/notebook.template.json"];
    let tf = &after["terraform/prod-ireland/notebook/main.tf.json"];
    assert_eq!(tf["provider"]["aws"]["region"], "eu-west-1");
    assert_eq!(
        tf["provider"]["aws"]["allowed_account_ids"],
        serde_json::json!(["111111111111"])
    );
    // Same shape as Frankfurt (same sizing): only what names the environment, its region and its
    // domain differs. First the `environment` tag of every resource (index 1, after `app`).
    let frankfurt_cfn = &after["cloudformation/prod-frankfurt/notebook.template.json"];
    let (tags, rest): (Vec<String>, Vec<String>) = diff(frankfurt_cfn, cfn)
        .into_iter()
        .partition(|path| path.ends_with("Tags/1/Value"));
    for path in &tags {
        assert_eq!(cfn.pointer(path).unwrap(), "prod-ireland", "{path}");
    }
    let user_data =
        "/Resources/NotebookLaunchTemplate/Properties/LaunchTemplateData/UserData/Fn::Base64/Fn::Sub";
    assert_eq!(
        rest,
        [
            "/Description",
            "/Resources/Vpc/Properties/Tags/6/Value",
            "/Resources/PublicSubnet1/Properties/AvailabilityZone",
            "/Resources/PublicSubnet2/Properties/AvailabilityZone",
            "/Resources/Zone/Properties/Name",
            "/Resources/Zone/Properties/HostedZoneConfig/Comment",
            "/Resources/Certificate/Properties/DomainName",
            "/Resources/Certificate/Properties/DomainValidationOptions/0/DomainName",
            user_data,
            "/Resources/SiteRecord/Properties/Name",
            "/Outputs/Url/Value",
        ]
    );
    assert_eq!(
        cfn["Resources"]["Vpc"]["Properties"]["Tags"][6]["Value"],
        "notebook-prod-ireland"
    );
    assert_eq!(
        cfn["Resources"]["PublicSubnet2"]["Properties"]["AvailabilityZone"],
        "eu-west-1b"
    );
    assert_eq!(
        cfn["Outputs"]["Url"]["Value"],
        "https://prod-ireland.notebook.example.com/"
    );
    let rendered = cfn.pointer(user_data).unwrap().as_str().unwrap();
    assert!(
        rendered.contains("NOTEBOOK_ENVIRONMENT=prod-ireland\n      NOTEBOOK_REGION=eu-west-1\n")
    );
    let frankfurt_tf = &after["terraform/prod-frankfurt/notebook/main.tf.json"];
    assert_eq!(
        diff(frankfurt_tf, tf),
        [
            "///",
            // Local state lives beside the output directory, per environment and stack.
            "/terraform/backend/local/path",
            "/terraform/backend/local/workspace_dir",
            "/provider/aws/region",
            "/provider/aws/default_tags/tags/environment",
            // Terraform spells the region in the flow logs' ARNs (CloudFormation uses `AWS::Region`).
            "/data/aws_iam_policy_document/vpc_flow_logs_delivery_policy_document/statement/0/resources/0",
            "/data/aws_iam_policy_document/vpc_flow_logs_delivery_policy_document/statement/0/resources/1",
            "/resource/aws_vpc/vpc/tags/Name",
            "/resource/aws_flow_log/vpc_flow_logs/log_destination",
            "/resource/aws_subnet/public_subnet_1/availability_zone",
            "/resource/aws_subnet/public_subnet_2/availability_zone",
            "/resource/aws_route53_zone/zone/name",
            "/resource/aws_route53_zone/zone/comment",
            "/resource/aws_acm_certificate/certificate/domain_name",
            "/resource/aws_route53_record/site_record/name",
            "/resource/aws_launch_template/notebook_launch_template/user_data",
            // Nor launched instances and volumes: the launch template tags them.
            "/resource/aws_launch_template/notebook_launch_template/tag_specifications/0/tags/environment",
            "/resource/aws_launch_template/notebook_launch_template/tag_specifications/1/tags/environment",
            // `default_tags` do not reach auto scaling groups: the environment tag is written out.
            "/resource/aws_autoscaling_group/notebook_fleet/tag/1/value",
            // Names the provider requires are `<app>-<environment>-<stack>-<id>`.
            "/resource/aws_autoscaling_policy/notebook_cpu_target/name",
            "/resource/aws_cloudwatch_metric_alarm/notebook_unhealthy_hosts/alarm_name",
            "/output/url/value",
        ]
    );
}

#[test]
fn a_test_environment_is_smaller_and_in_another_account() {
    let all = artifacts(&app());
    let test_cfn = &all["cloudformation/test/notebook.template.json"];
    let test_tf = &all["terraform/test/notebook/main.tf.json"];
    let replicas = |doc: &serde_json::Value| {
        doc["Resources"]["NotebookFleet"]["Properties"]["MinSize"].clone()
    };
    assert_eq!(replicas(test_cfn), "1");
    assert_eq!(replicas(&all[CFN_OREGON]), "3");
    assert_eq!(
        test_cfn["Resources"]["NotebookLaunchTemplate"]["Properties"]["LaunchTemplateData"]
            ["InstanceType"],
        "t3.medium"
    );
    // The whole fleet may roll at once: nothing to keep in service with a single replica.
    assert_eq!(
        test_cfn["Resources"]["NotebookFleet"]["UpdatePolicy"]["AutoScalingRollingUpdate"]
            ["MinInstancesInService"],
        0
    );
    assert_eq!(
        test_tf["provider"]["aws"]["allowed_account_ids"],
        serde_json::json!(["222222222222"])
    );
    assert_eq!(
        all[TF_OREGON]["provider"]["aws"]["allowed_account_ids"],
        serde_json::json!(["111111111111"])
    );
}

/// After a breach, the environment is torn down and recreated in a fresh account. Nothing in the
/// artifacts may pin a physical name, or the copy would collide with leftovers of the old one.
#[test]
fn recreating_in_a_new_account_changes_only_the_account() {
    let before = artifacts(&app());
    let moved = environments_with("test", |e| {
        Environment::new(
            e.name(),
            "333333333333",
            e.region(),
            Sizing::new(1, "t3.medium"),
        )
        .tag("stage", "test")
        .removal_policy(RemovalPolicy::Destroy)
    });
    let after = artifacts(&app_with(moved));
    let cfn = "cloudformation/test/notebook.template.json";
    let tf = "terraform/test/notebook/main.tf.json";
    assert_eq!(diff(&before[cfn], &after[cfn]), ["/Description"]);
    // Terraform's provider is pinned to the account, which it spells literally where CloudFormation
    // uses `AWS::AccountId` (the flow logs' trust condition and log ARNs): only those values change.
    let changed = diff(&before[tf], &after[tf]);
    assert_eq!(changed[..2], ["///", "/provider/aws/allowed_account_ids/0"]);
    for path in &changed[2..] {
        let value = after[tf]
            .pointer(path)
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        assert!(
            value.contains("333333333333"),
            "{path} changed without naming the account: {value}"
        );
    }

    // Physical-name properties of the types used: left unset so the engine generates unique names.
    for (path, document) in &after {
        let text = document.to_string();
        for name_property in ["\"GroupName\"", "\"name_prefix\"", "\"VpcName\""] {
            assert!(
                !text.contains(name_property),
                "{path} pins a physical name via {name_property}"
            );
        }
        if let Some(groups) = document.pointer("/resource/aws_security_group") {
            assert!(
                groups
                    .as_object()
                    .unwrap()
                    .values()
                    .all(|g| g.get("name").is_none()),
                "{path}"
            );
        }
    }
}
