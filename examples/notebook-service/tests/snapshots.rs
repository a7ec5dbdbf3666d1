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
