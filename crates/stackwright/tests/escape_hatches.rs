//! Raw resources and per-target overrides: the way out for what the typed builders do not cover.

use crate::support::{artifacts, fails, line_below, map, one_stack, run, CFN, TF};
use serde_json::json;
use stackwright::aws::ec2;
use stackwright::{cfn, tf};

#[test]
fn a_raw_resource_with_both_forms_lowers_to_both_targets_with_live_references() {
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        let topic = s.add(
            cfn::Raw::new(
                "Alerts",
                "AWS::SNS::Topic",
                map(&[("DisplayName", vpc.id().into())]),
            )
            .terraform("aws_sns_topic", map(&[("display_name", vpc.id().into())]))
            .terraform_attribute("TopicArn", "arn"),
        );
        s.output("AlertsArn", topic.attr("TopicArn"));
    });
    let docs = artifacts(&app);
    // A raw resource is tagged like any other (Terraform's provider does it through default_tags).
    assert_eq!(
        docs[CFN]["Resources"]["Alerts"],
        json!({"Type": "AWS::SNS::Topic", "Properties": {
            "DisplayName": {"Ref": "Vpc"},
            "Tags": [
                {"Key": "app", "Value": "demo"},
                {"Key": "environment", "Value": "dev"},
                {"Key": "managed-by", "Value": "stackwright"}
            ]
        }})
    );
    assert_eq!(
        docs[CFN]["Outputs"]["AlertsArn"]["Value"],
        json!({"Fn::GetAtt": ["Alerts", "TopicArn"]})
    );
    assert_eq!(
        docs[TF]["resource"]["aws_sns_topic"]["alerts"],
        json!({"display_name": "${aws_vpc.vpc.id}"})
    );
    assert_eq!(
        docs[TF]["output"]["alerts_arn"]["value"],
        "${aws_sns_topic.alerts.arn}"
    );
}

#[test]
fn a_raw_attribute_terraform_does_not_have_is_an_error_with_the_name_it_has() {
    // `TopicArn` snake-cased is `topic_arn`, which `aws_sns_topic` does not have (issue 10, item 5).
    let at = line_below(6);
    let app = one_stack(|s| {
        let topic = s.add(
            cfn::Raw::new("Alerts", "AWS::SNS::Topic", map(&[]))
                .terraform("aws_sns_topic", map(&[])),
        );
        s.output("AlertsArn", topic.attr("TopicArn"));
    });
    fails(
        &app,
        &[
            "attribute `TopicArn` of raw resource `Alerts` reads `topic_arn` in Terraform, which `aws_sns_topic` does not have",
            "did you mean `arn`? Declare it with `.terraform_attribute(\"TopicArn\", \"arn\")`",
            &at,
        ],
    );
}

#[test]
fn a_raw_resource_of_one_target_fails_the_other_naming_the_resource() {
    let at = line_below(2);
    let app = one_stack(|s| {
        s.add(cfn::Raw::new("Alerts", "AWS::SNS::Topic", map(&[])));
    });
    fails(
        &app,
        &[
            "raw resource `Alerts` has only a CloudFormation form",
            "`.targets([Target::CloudFormation])`",
            "resource `Alerts`",
            &at,
        ],
    );
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, _, stderr) = run(
        &app,
        &["--target", "cloudformation", "--out", out.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");

    let tf_only = one_stack(|s| {
        s.add(
            tf::Raw::new(
                "Zones",
                "aws_availability_zones",
                map(&[("state", "available".into())]),
            )
            .data_source(),
        );
    });
    fails(
        &tf_only,
        &["raw resource `Zones` has only a Terraform form"],
    );
}

#[test]
fn overrides_edit_one_target_only_and_keep_references_live() {
    let app = one_stack(|s| {
        let vpc = s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        s.add(
            ec2::Instance::new("Web", "ami-12345678", "t3.micro")
                .override_cloudformation("Properties.MetadataOptions.HttpPutResponseHopLimit", 2i64)
                .override_cloudformation("Metadata.Owner", vpc.id())
                .override_terraform("metadata_options.http_put_response_hop_limit", 2i64)
                .remove_terraform("root_block_device"),
        );
    });
    let docs = artifacts(&app);
    let cfn = &docs[CFN]["Resources"]["Web"];
    assert_eq!(
        cfn["Properties"]["MetadataOptions"]["HttpPutResponseHopLimit"],
        2
    );
    assert_eq!(cfn["Metadata"]["Owner"], json!({"Ref": "Vpc"}));
    assert!(
        cfn["Properties"].get("BlockDeviceMappings").is_some(),
        "CloudFormation untouched by Terraform edits"
    );
    let web = &docs[TF]["resource"]["aws_instance"]["web"];
    assert_eq!(web["metadata_options"]["http_put_response_hop_limit"], 2);
    assert!(web.get("root_block_device").is_none());
}

#[test]
fn an_override_that_cannot_apply_is_a_located_error() {
    let at = line_below(3);
    let app = one_stack(|s| {
        s.add(
            ec2::Vpc::new("Vpc", "10.0.0.0/16").remove_cloudformation("Properties.NoSuchProperty"),
        );
    });
    fails(
        &app,
        &["cannot apply cloudformation override `Properties.NoSuchProperty`: `Properties.NoSuchProperty` does not exist", "resource `Vpc`", &at],
    );
}
