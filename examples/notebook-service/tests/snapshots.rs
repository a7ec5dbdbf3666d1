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
