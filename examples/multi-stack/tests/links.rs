//! How the stacks of one environment use each other, in both targets.

use serde_json::{json, Value};
use stackwright::synth::{ArtifactPath, Target};
use std::collections::BTreeMap;

fn artifacts() -> BTreeMap<String, Value> {
    stackwright_testing::artifacts(&multi_stack::app())
}

#[test]
fn the_service_runs_in_the_networks_subnets_through_imports() {
    let docs = artifacts();
    for env in ["staging", "production"] {
        let service = &docs[&ArtifactPath::new(Target::CloudFormation, env, "service").path()];
        assert_eq!(
            service["Resources"]["AppFleet"]["Properties"]["VPCZoneIdentifier"],
            json!([
                {"Fn::ImportValue": format!("shop-{env}-network:AppSubnet1:id")},
                {"Fn::ImportValue": format!("shop-{env}-network:AppSubnet2:id")}
            ])
        );
        let network = &docs[&ArtifactPath::new(Target::CloudFormation, env, "network").path()];
        assert_eq!(
            network["Outputs"]["ExportAppSubnet1Id"]["Export"]["Name"],
            format!("shop-{env}-network:AppSubnet1:id")
        );
        let module = &docs[&ArtifactPath::new(Target::Terraform, env, "service").path()];
        assert_eq!(
            module["resource"]["aws_autoscaling_group"]["app_fleet"]["vpc_zone_identifier"],
            json!([
                "${data.terraform_remote_state.network.outputs.export_app_subnet_1_id}",
                "${data.terraform_remote_state.network.outputs.export_app_subnet_2_id}"
            ])
        );
        let producers: Vec<&String> = module["data"]["terraform_remote_state"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(producers, ["network", "data", "edge", "shared_releases"]);
    }
}

#[test]
fn every_import_has_its_export_and_every_export_a_reader() {
    let docs = artifacts();
    let mut exported = Vec::new();
    let mut imported = Vec::new();
    for (path, doc) in &docs {
        if !path.starts_with("cloudformation/") {
            continue;
        }
        for output in doc["Outputs"]
            .as_object()
            .into_iter()
            .flat_map(|o| o.values())
        {
            if let Some(name) = output["Export"]["Name"].as_str() {
                exported.push(name.to_owned());
            }
        }
        collect_imports(doc, &mut imported);
    }
    exported.sort();
    imported.sort();
    imported.dedup();
    assert_eq!(exported, imported);
    assert!(exported.len() > 20, "{exported:?}");
}

fn collect_imports(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(name)) = map.get("Fn::ImportValue") {
                out.push(name.clone());
            }
            map.values().for_each(|v| collect_imports(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_imports(v, out)),
        _ => {}
    }
}

#[test]
fn services_read_the_shared_release_bucket_across_account_and_region() {
    let docs = artifacts();
    for env in ["staging", "production"] {
        let service = &docs[&ArtifactPath::new(Target::CloudFormation, env, "service").path()];
        assert_eq!(
            service["Resources"]["ReleasesBucketParameter"]["Properties"]["Value"],
            json!({"Fn::GetStackOutput": {
                "StackName": "shop-shared-releases",
                "OutputName": "BucketName",
                "Region": "us-east-1",
                "RoleArn": multi_stack::SHARED_READER_ROLE
            }})
        );
        let module = &docs[&ArtifactPath::new(Target::Terraform, env, "service").path()];
        assert_eq!(
            module["data"]["terraform_remote_state"]["shared_releases"],
            json!({"backend": "local", "config": {"path": "../../../../terraform-state/shop/shared/releases/terraform.tfstate"}})
        );
        assert_eq!(
            module["resource"]["aws_ssm_parameter"]["releases_bucket_parameter"]["value"],
            "${data.terraform_remote_state.shared_releases.outputs.bucket_name}"
        );
    }
    let shared = &docs["terraform/shared/releases/main.tf.json"];
    assert_eq!(
        shared["output"]["bucket_name"]["value"],
        "${aws_s3_bucket.releases.id}"
    );
}
