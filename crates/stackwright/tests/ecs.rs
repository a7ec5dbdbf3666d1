//! Containers on ECS Fargate (`aws::ecs`): the cluster, task definitions declared with their roles and
//! log group, services behind target groups with their scaling, and the grants that take a task.

use crate::support::{artifacts, fails, line_below, one_stack, CFN, TF};
use serde_json::json;
use stackwright::aws::ecs::{CapacityProvider, Cluster, Strategy};

#[test]
fn a_cluster_has_container_insights_and_both_fargate_providers_by_default() {
    let app = one_stack(|s| {
        let cluster = s.add(Cluster::new("Apps"));
        s.add(
            Cluster::new("Batch")
                .default_strategy([
                    Strategy::new(CapacityProvider::Fargate, 1).base(1),
                    Strategy::new(CapacityProvider::FargateSpot, 3),
                ])
                .without_container_insights()
                .name("batch"),
        );
        s.output("Cluster", cluster.name());
        s.output("ClusterArn", cluster.arn());
    });
    let docs = artifacts(&app);
    let resources = &docs[CFN]["Resources"];
    assert_eq!(
        resources["Apps"],
        json!({"Type": "AWS::ECS::Cluster", "Properties": {
            "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}],
            "CapacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "DefaultCapacityProviderStrategy": [
                {"CapacityProvider": "FARGATE", "Weight": 1, "Base": 0}
            ],
            "Tags": [
                {"Key": "app", "Value": "demo"},
                {"Key": "environment", "Value": "dev"},
                {"Key": "managed-by", "Value": "stackwright"}
            ]
        }})
    );
    let batch = &resources["Batch"];
    assert_eq!(batch["Properties"]["ClusterName"], "demo-dev-batch");
    assert_eq!(
        batch["Properties"]["ClusterSettings"],
        json!([{"Name": "containerInsights", "Value": "disabled"}])
    );
    assert_eq!(
        batch["Properties"]["DefaultCapacityProviderStrategy"],
        json!([
            {"CapacityProvider": "FARGATE", "Weight": 1, "Base": 1},
            {"CapacityProvider": "FARGATE_SPOT", "Weight": 3, "Base": 0}
        ])
    );
    assert_eq!(batch["Metadata"]["checkov"]["skip"][0]["id"], "CKV_AWS_65");
    assert_eq!(
        docs[CFN]["Outputs"]["Cluster"]["Value"],
        json!({"Ref": "Apps"})
    );
    assert_eq!(
        docs[CFN]["Outputs"]["ClusterArn"]["Value"],
        json!({"Fn::GetAtt": ["Apps", "Arn"]})
    );

    let tf = &docs[TF]["resource"];
    assert_eq!(
        tf["aws_ecs_cluster"]["apps"],
        json!({"name": "demo-dev-main-Apps",
            "setting": [{"name": "containerInsights", "value": "enabled"}]})
    );
    assert_eq!(
        tf["aws_ecs_cluster_capacity_providers"]["apps_capacity_providers"],
        json!({"cluster_name": "${aws_ecs_cluster.apps.name}",
        "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
        "default_capacity_provider_strategy": [
            {"capacity_provider": "FARGATE", "weight": 1, "base": 0}
        ]})
    );
    assert_eq!(tf["aws_ecs_cluster"]["batch"]["name"], "demo-dev-batch");
    assert!(tf["aws_ecs_cluster"]["batch"]["//"]
        .to_string()
        .contains("CKV_AWS_65"));
    assert_eq!(
        docs[TF]["output"]["cluster_arn"]["value"],
        "${aws_ecs_cluster.apps.arn}"
    );
}

#[test]
fn bad_cluster_input_is_a_located_error() {
    let at = line_below(2);
    let app = one_stack(|s| {
        s.add(Cluster::new("Apps").default_strategy([
            Strategy::new(CapacityProvider::Fargate, 1001).base(1),
            Strategy::new(CapacityProvider::FargateSpot, 0).base(-1),
            Strategy::new(CapacityProvider::Fargate, 0).base(2),
        ]));
        s.add(
            Cluster::new("Idle")
                .default_strategy([Strategy::new(CapacityProvider::FargateSpot, 0)]),
        );
        s.add(Cluster::new("Empty").default_strategy([]));
        s.add(Cluster::new("Named").name("has space"));
    });
    let errors = fails(
        &app,
        &[
            "cluster default capacity provider strategy: weight 1001 for FARGATE: expected 0 to 1000",
            "cluster default capacity provider strategy: base -1 for FARGATE_SPOT: expected 0 to 100000",
            "cluster default capacity provider strategy names FARGATE twice",
            "cluster default capacity provider strategy gives a base to more than one provider",
            "cluster default capacity provider strategy gives every provider weight 0",
            "cluster default capacity provider strategy without items",
            "ECS cluster name: it contains ` `",
        ],
    );
    assert!(errors.contains(&at), "not located at {at}:\n{errors}");
}
