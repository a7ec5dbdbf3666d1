//! The seed's scenarios, each a one-line change to the definition, with its exact effect on the output.

use crate::common::{artifacts, diff, environments_with, prod_ireland, CFN_OREGON, TF_OREGON};
use notebook_service::{app, app_with, environments, Sizing};
use stackwright::Environment;

fn resized(
    replicas: usize,
    instance_type: &str,
) -> impl FnOnce(Environment<Sizing>) -> Environment<Sizing> {
    let sizing = Sizing::new(replicas, instance_type);
    move |e| Environment::new(e.name(), e.account(), e.region(), sizing).tag("stage", "prod")
}

#[test]
fn scale_out_from_3_to_5_adds_exactly_two_instances_and_two_outputs() {
    let before = artifacts(&app());
    let after = artifacts(&app_with(environments_with(
        "prod-oregon",
        resized(5, "m4.xlarge"),
    )));

    assert_eq!(
        diff(&before[CFN_OREGON], &after[CFN_OREGON]),
        [
            "+/Resources/NotebookService4",
            "+/Resources/NotebookService5",
            "+/Outputs/NotebookService4PrivateIp",
            "+/Outputs/NotebookService5PrivateIp",
        ]
    );
    assert_eq!(
        diff(&before[TF_OREGON], &after[TF_OREGON]),
        [
            "+/resource/aws_instance/notebook_service_4",
            "+/resource/aws_instance/notebook_service_5",
            "+/output/notebook_service4_private_ip",
            "+/output/notebook_service5_private_ip",
        ]
    );
    let added = &after[CFN_OREGON]["Resources"]["NotebookService5"];
    assert_eq!(added["Type"], "AWS::EC2::Instance");
    assert_eq!(added["Properties"]["InstanceType"], "m4.xlarge");
    for path in before.keys().filter(|p| !p.contains("prod-oregon")) {
        assert_eq!(before[path], after[path], "{path} must not change");
    }
}

#[test]
fn changing_the_instance_size_changes_only_the_instance_type() {
    let before = artifacts(&app());
    let after = artifacts(&app_with(environments_with(
        "prod-oregon",
        resized(3, "m5.2xlarge"),
    )));

    let cfn: Vec<String> = (1..=3)
        .map(|i| format!("/Resources/NotebookService{i}/Properties/InstanceType"))
        .collect();
    assert_eq!(diff(&before[CFN_OREGON], &after[CFN_OREGON]), cfn);
    let tf: Vec<String> = (1..=3)
        .map(|i| format!("/resource/aws_instance/notebook_service_{i}/instance_type"))
        .collect();
    assert_eq!(diff(&before[TF_OREGON], &after[TF_OREGON]), tf);
    assert_eq!(
        after[TF_OREGON]["resource"]["aws_instance"]["notebook_service_2"]["instance_type"],
        "m5.2xlarge"
    );
    for path in before.keys().filter(|p| !p.contains("prod-oregon")) {
        assert_eq!(before[path], after[path], "{path} must not change");
    }
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
    // Same shape as Frankfurt (same sizing): only what names the environment and its region differs:
    // the description, the `environment` tag of every resource (index 1, after `app`), the VPC's `Name`
    // tag (index 6, after the defaults and `stage`), and the user data, rendered per environment.
    let frankfurt_cfn = &after["cloudformation/prod-frankfurt/notebook.template.json"];
    let user_data =
        |i: usize| format!("/Resources/NotebookService{i}/Properties/UserData/Fn::Base64/Fn::Sub");
    let tag = |resource: &str, i: usize| format!("/Resources/{resource}/Properties/Tags/{i}/Value");
    let mut expected = vec!["/Description".to_owned(), tag("Vpc", 1), tag("Vpc", 6)];
    for resource in [
        "VpcFlowLogsLogs",
        "VpcFlowLogsRole",
        "VpcFlowLogs",
        "PublicSubnet",
        "InternetGateway",
        "PublicRoutes",
        "NotebookSecurityGroup",
        "NotebookRole",
    ] {
        expected.push(tag(resource, 1));
    }
    for i in 1..=3 {
        expected.push(user_data(i));
        expected.push(tag(&format!("NotebookService{i}"), 1));
    }
    assert_eq!(diff(frankfurt_cfn, cfn), expected);
    assert_eq!(
        cfn["Resources"]["NotebookService2"]["Properties"]["Tags"][1],
        serde_json::json!({"Key": "environment", "Value": "prod-ireland"})
    );
    assert_eq!(
        cfn["Resources"]["Vpc"]["Properties"]["Tags"][6]["Value"],
        "notebook-prod-ireland"
    );
    let rendered = cfn.pointer(&user_data(1)).unwrap().as_str().unwrap();
    assert!(
        rendered.contains("NOTEBOOK_ENVIRONMENT=prod-ireland\n      NOTEBOOK_REGION=eu-west-1\n")
    );
    let frankfurt_tf = &after["terraform/prod-frankfurt/notebook/main.tf.json"];
    let tf_user_data = |i: usize| format!("/resource/aws_instance/notebook_service_{i}/user_data");
    assert_eq!(
        diff(frankfurt_tf, tf),
        [
            "///".to_owned(),
            // Local state lives beside the output directory, per environment and stack.
            "/terraform/backend/local/path".to_owned(),
            "/terraform/backend/local/workspace_dir".to_owned(),
            "/provider/aws/region".to_owned(),
            "/provider/aws/default_tags/tags/environment".to_owned(),
            // Terraform spells the region in the flow logs' ARNs (CloudFormation uses `AWS::Region`).
            "/data/aws_iam_policy_document/vpc_flow_logs_delivery_policy_document/statement/0/resources/0"
                .to_owned(),
            "/data/aws_iam_policy_document/vpc_flow_logs_delivery_policy_document/statement/0/resources/1"
                .to_owned(),
            "/resource/aws_vpc/vpc/tags/Name".to_owned(),
            "/resource/aws_flow_log/vpc_flow_logs/log_destination".to_owned(),
            tf_user_data(1),
            tf_user_data(2),
            tf_user_data(3),
        ]
    );
}

#[test]
fn a_test_environment_is_smaller_and_in_another_account() {
    let all = artifacts(&app());
    let test_cfn = &all["cloudformation/test/notebook.template.json"];
    let test_tf = &all["terraform/test/notebook/main.tf.json"];
    let instances = |doc: &serde_json::Value| {
        doc["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Type"] == "AWS::EC2::Instance")
            .count()
    };
    assert_eq!(instances(test_cfn), 1);
    assert_eq!(instances(&all[CFN_OREGON]), 3);
    assert_eq!(
        test_cfn["Resources"]["NotebookService1"]["Properties"]["InstanceType"],
        "t3.medium"
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
