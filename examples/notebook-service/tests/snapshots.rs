//! Every artifact of the flagship, byte for byte, as an insta snapshot under the top-level `snapshots/`.

#[test]
fn every_artifact_matches_its_snapshot_and_none_is_orphaned() {
    stackwright_testing::assert_artifact_snapshots!(
        notebook_service::app(),
        "../../snapshots/notebook-service"
    );
}

/// The tenant-sticky variant (`examples/tenant-sticky.rs`), byte for byte.
#[test]
fn every_artifact_of_the_tenant_sticky_variant_matches_its_snapshot() {
    stackwright_testing::assert_artifact_snapshots!(
        notebook_service::tenant_sticky_app(),
        "../../snapshots/notebook-service-tenant-sticky"
    );
}

/// Each team reaches its shard's target group (and so its fleet) by the team header; other requests
/// get a 404, in both targets.
#[test]
fn the_tenant_sticky_variant_routes_each_team_to_its_shard() {
    let docs = stackwright_testing::artifacts(&notebook_service::tenant_sticky_app());
    let cfn = &docs["cloudformation/teams/notebook.template.json"]["Resources"];
    assert_eq!(
        cfn["NotebookAstroRule"]["Properties"]["Conditions"],
        serde_json::json!([{"Field": "http-header", "HttpHeaderConfig": {
            "HttpHeaderName": "X-Notebook-Team", "Values": ["astro", "cosmo"]}}])
    );
    assert_eq!(
        cfn["NotebookBioRule"]["Properties"]["Actions"],
        serde_json::json!([{"Type": "forward", "TargetGroupArn": {"Ref": "NotebookBioTargets"}}])
    );
    assert_eq!(
        cfn["NotebookBioFleet"]["Properties"]["TargetGroupARNs"],
        serde_json::json!([{"Ref": "NotebookBioTargets"}])
    );
    let tf = &docs["terraform/teams/notebook/main.tf.json"]["resource"];
    assert_eq!(
        tf["aws_lb_listener_rule"]["notebook_astro_rule"]["condition"],
        serde_json::json!([{"http_header": {"http_header_name": "X-Notebook-Team",
                                            "values": ["astro", "cosmo"]}}])
    );
    assert_eq!(
        tf["aws_lb_listener"]["notebook_https_listener"]["default_action"][0]["fixed_response"]
            ["status_code"],
        "404"
    );
}

/// The two-stack variant (`examples/two-stack.rs`), byte for byte.
#[test]
fn every_artifact_of_the_two_stack_variant_matches_its_snapshot() {
    stackwright_testing::assert_artifact_snapshots!(
        notebook_service::two_stack_app(),
        "../../snapshots/notebook-service-two-stack"
    );
}

/// Written with typed handles only, the service stack puts its load balancer and fleet in the network
/// stack's VPC and subnets: CloudFormation imports the network's exports, Terraform reads the network's
/// outputs from its state, and the manifest deploys the network first.
#[test]
fn the_two_stack_variant_links_the_service_to_the_network_in_both_targets() {
    let app = notebook_service::two_stack_app();
    let docs = stackwright_testing::artifacts(&app);
    let network = &docs["cloudformation/test/network.template.json"];
    let service = &docs["cloudformation/test/service.template.json"]["Resources"];
    assert_eq!(
        network["Outputs"]["ExportVpcId"]["Export"]["Name"],
        "notebook-test-network:Vpc:id"
    );
    assert_eq!(
        service["NotebookLoadBalancer"]["Properties"]["Subnets"],
        serde_json::json!([
            {"Fn::ImportValue": "notebook-test-network:PublicSubnet1:id"},
            {"Fn::ImportValue": "notebook-test-network:PublicSubnet2:id"}
        ])
    );
    let tf = &docs["terraform/test/service/main.tf.json"];
    assert_eq!(
        tf["data"]["terraform_remote_state"]["network"]["config"]["path"],
        "../../../../terraform-state/notebook/test/network/terraform.tfstate"
    );
    assert_eq!(
        tf["resource"]["aws_lb"]["notebook_load_balancer"]["subnets"],
        serde_json::json!([
            "${data.terraform_remote_state.network.outputs.export_public_subnet_1_id}",
            "${data.terraform_remote_state.network.outputs.export_public_subnet_2_id}"
        ])
    );
    let synthesis = stackwright_testing::synthesis(&app);
    let manifest: serde_json::Value = serde_json::from_slice(&synthesis.manifest).unwrap();
    let service_entry = manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == "terraform/test/service/main.tf.json")
        .unwrap();
    assert_eq!(
        service_entry["depends_on"],
        serde_json::json!(["terraform/test/network/main.tf.json"])
    );
}

/// The Fargate variant (`examples/fargate.rs`), byte for byte.
#[test]
fn every_artifact_of_the_fargate_variant_matches_its_snapshot() {
    stackwright_testing::assert_artifact_snapshots!(
        notebook_service::fargate_app(),
        "../../snapshots/notebook-service-fargate"
    );
}

/// The Fargate variant keeps the flagship's choices: a session cookie on the (ip) target group, a
/// rolling update keeping all but one replica in service, scaling by CPU between the same bounds; each
/// replica a task of the JupyterLab image instead of an instance.
#[test]
fn the_fargate_variant_has_the_flagships_replication_and_update_in_both_targets() {
    let docs = stackwright_testing::artifacts(&notebook_service::fargate_app());
    let cfn = &docs["cloudformation/prod-oregon/notebook.template.json"]["Resources"];
    let tf = &docs["terraform/prod-oregon/notebook/main.tf.json"]["resource"];
    assert_eq!(cfn["NotebookTargets"]["Properties"]["TargetType"], "ip");
    assert_eq!(
        tf["aws_lb_target_group"]["notebook_targets"]["stickiness"],
        serde_json::json!({"type": "lb_cookie", "cookie_duration": notebook_service::SESSION_SECONDS,
            "enabled": true})
    );
    // 3 replicas, 2 kept in service, one replaced at a time: 66 % (ECS rounds 1.98 tasks up to 2) and
    // 134 % (4.02 tasks, rounded down to 4).
    assert_eq!(
        cfn["NotebookService"]["Properties"]["DeploymentConfiguration"],
        serde_json::json!({"MinimumHealthyPercent": 66, "MaximumPercent": 134,
            "DeploymentCircuitBreaker": {"Enable": true, "Rollback": true}})
    );
    let service = &tf["aws_ecs_service"]["notebook_service"];
    assert_eq!(service["deployment_minimum_healthy_percent"], 66);
    assert_eq!(service["deployment_maximum_percent"], 134);
    assert_eq!(
        service["load_balancer"][0]["container_port"],
        i64::from(notebook_service::SERVICE_PORT)
    );
    assert_eq!(
        cfn["NotebookServiceScaling"]["Properties"]["MaxCapacity"],
        10
    );
    let image = &tf["aws_ecs_task_definition"]["notebook_task"]["container_definitions"];
    assert!(
        image
            .as_str()
            .unwrap()
            .contains(notebook_service::JUPYTERLAB_IMAGE),
        "{image}"
    );
    // No instances.
    for id in [
        "NotebookFleet",
        "NotebookLaunchTemplate",
        "NotebookProfile",
        "AmiId",
    ] {
        assert!(cfn.get(id).is_none(), "{id}");
    }
}
