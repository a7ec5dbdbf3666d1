//! The typed escapes from the constructs to the generated builders of their main resources
//! (`.cloudformation(|t| ..)`, `.terraform(|t| ..)`, issue 25 item 3): every construct has one in each
//! target, what they set reaches each artifact merged over the construct's defaults, references stay live,
//! and the result is validated like everything else.

use crate::support::{artifacts, fails, line_below, one_stack, CFN, TF};
use serde_json::json;
use stackwright::aws::{construct, ec2, secretsmanager, sqs};
use stackwright::prelude::*;
use stackwright::registry::ec2::launch_template::{LaunchTemplateData, MetadataOptions};
use stackwright::registry::ec2::vpc::InstanceTenancy;
use stackwright::terraform::ec2::launch_template::MetadataOptions as TfMetadataOptions;
use std::collections::BTreeSet;

/// Kinds declared only inside a composite, with no builder of their own to escape from (an HTTP API's
/// stage, integrations and routes, a custom domain's mapping, a function's permissions and published
/// versions, a service's scaling target and policies, the queue and topic policies an event rule adds, a REST API's resources, methods,
/// deployment and stage).
/// A ratchet: a kind that gains an escape leaves the list, and a new construct needs one.
const NO_BUILDER_OF_THEIR_OWN: &[&str] = &[
    "aws.apigatewayv2.Stage",
    "aws.apigatewayv2.Integration",
    "aws.apigatewayv2.Route",
    "aws.apigatewayv2.ApiMapping",
    "aws.lambda.Permission",
    "aws.lambda.Version",
    "aws.applicationautoscaling.ScalableTarget",
    "aws.applicationautoscaling.ScalingPolicy",
    "aws.sns.TopicPolicy",
    "aws.sqs.QueuePolicy",
    "aws.apigateway.Resource",
    "aws.apigateway.Method",
    "aws.apigateway.Deployment",
    "aws.apigateway.Stage",
];

#[test]
fn every_construct_escapes_to_the_builders_of_its_main_resource_in_both_targets() {
    let targets = [
        ("CloudFormation", stackwright::registry::escapes()),
        ("Terraform", stackwright::terraform::escapes()),
    ];
    for (target, escapes) in targets {
        let mut escaped = BTreeSet::new();
        for (spelling, type_name) in escapes {
            // The builder is the one of the construct's own type in that target.
            let spelled = match target {
                "CloudFormation" => spelling.cloudformation,
                _ => spelling.terraform,
            };
            assert_eq!(
                type_name, spelled,
                "{target}: `{}` escapes to a builder of another type",
                spelling.kind
            );
            escaped.insert(spelling.kind);
        }
        for spelling in construct::spellings() {
            let exempt = NO_BUILDER_OF_THEIR_OWN.contains(&spelling.kind);
            let has = escaped.contains(spelling.kind);
            assert!(
                has || exempt,
                "{target}: construct `{}` has no typed escape: add its line to the escape file of the \
                 generated crate (and `patchable!` to its builder)",
                spelling.kind
            );
            assert!(
                !(has && exempt),
                "{target}: `{}` has an escape now: remove it from NO_BUILDER_OF_THEIR_OWN",
                spelling.kind
            );
        }
    }
}

/// The hop limit and key pair the launch template has no setter for, in both targets.
fn patched_template() -> ec2::LaunchTemplate {
    ec2::LaunchTemplate::new("Web", "ami-0123456789abcdef0", "t3.micro")
        .cloudformation(|t| {
            t.launch_template_data(
                LaunchTemplateData::new()
                    .key_name("ops")
                    .metadata_options(MetadataOptions::new().http_put_response_hop_limit(2)),
            )
        })
        .terraform(|t| {
            t.key_name("ops")
                .metadata_options(TfMetadataOptions::new().http_put_response_hop_limit(2))
        })
}

#[test]
fn a_missing_property_set_through_each_escape_reaches_each_target_and_the_defaults_stay() {
    let app = one_stack(|s| {
        s.add(patched_template());
    });
    let docs = artifacts(&app);
    let data = &docs[CFN]["Resources"]["Web"]["Properties"]["LaunchTemplateData"];
    assert_eq!(data["KeyName"], "ops");
    // Merged into the construct's object: IMDSv2 stays required.
    assert_eq!(
        data["MetadataOptions"],
        json!({"HttpEndpoint": "enabled", "HttpTokens": "required", "HttpPutResponseHopLimit": 2})
    );
    // The rest of the construct's defaults are untouched.
    assert_eq!(data["ImageId"], "ami-0123456789abcdef0");
    assert_eq!(
        data["BlockDeviceMappings"][0]["Ebs"]["Encrypted"],
        json!(true)
    );
    let block = &docs[TF]["resource"]["aws_launch_template"]["web"];
    assert_eq!(block["key_name"], "ops");
    assert_eq!(
        block["metadata_options"],
        json!({"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 2})
    );
    assert_eq!(
        block["block_device_mappings"][0]["ebs"]["encrypted"],
        "true"
    );
    // Each escape reaches its own target only.
    assert!(data.get("key_name").is_none() && block.get("KeyName").is_none());
}

#[test]
fn a_patched_reference_to_another_resource_lowers_as_a_reference_in_both_targets() {
    let app = one_stack(|s| {
        let key = s.add(stackwright::registry::ec2::KeyPair::new("Key", "ops"));
        let key_name = key.id();
        s.add(
            ec2::LaunchTemplate::new("Web", "ami-0123456789abcdef0", "t3.micro")
                .cloudformation(|t| {
                    t.launch_template_data(LaunchTemplateData::new().key_name(key_name.clone()))
                })
                .terraform(|t| t.key_name(key.id())),
        );
        let queue = s.add(sqs::Queue::new("Jobs"));
        s.add(
            sqs::Queue::new("Orders")
                .cloudformation(|t| t.redrive_allow_policy(json_value(&queue.arn())))
                .terraform(|t| t.delay_seconds(5)),
        );
    });
    let docs = artifacts(&app);
    assert_eq!(
        docs[CFN]["Resources"]["Web"]["Properties"]["LaunchTemplateData"]["KeyName"],
        json!({"Ref": "Key"})
    );
    assert_eq!(
        docs[TF]["resource"]["aws_launch_template"]["web"]["key_name"],
        "${awscc_ec2_key_pair.key.id}"
    );
    assert_eq!(
        docs[CFN]["Resources"]["Orders"]["Properties"]["RedriveAllowPolicy"],
        json!({"redrivePermission": "byQueue", "sourceQueueArns": [{"Fn::GetAtt": ["Jobs", "Arn"]}]})
    );
    assert_eq!(
        docs[TF]["resource"]["aws_sqs_queue"]["orders"]["delay_seconds"],
        5
    );
}

/// A redrive allow policy naming one source queue, as a neutral JSON value with a live reference.
fn json_value(source: &Expr) -> stackwright::Value {
    stackwright::Value::Map(vec![
        ("redrivePermission".into(), "byQueue".into()),
        (
            "sourceQueueArns".into(),
            stackwright::Value::List(vec![stackwright::Value::Str(source.clone())]),
        ),
    ])
}

#[test]
fn a_patched_value_the_schema_rejects_is_a_located_error() {
    // The registry schema takes a delay of 0 to 900 seconds; the builder's type only says an integer.
    let at = line_below(2);
    let app = one_stack(|s| {
        s.add(sqs::Queue::new("Orders").cloudformation(|t| t.delay_seconds(9999)));
    });
    fails(&app, &["DelaySeconds", "9999", "900", &at]);
}

#[test]
fn a_literal_secret_set_through_an_escape_is_refused_like_any_other() {
    let at = line_below(3);
    let app = one_stack(|s| {
        s.add(
            secretsmanager::Secret::generated("Db")
                .cloudformation(|t| t.secret_string("hunter2-hunter2")),
        );
    });
    let errors = fails(&app, &["holds a literal secret", &at]);
    assert!(!errors.contains("hunter2"), "{errors}");
}

#[test]
fn a_setting_of_the_node_inside_an_escape_is_an_error_naming_where_it_belongs() {
    let at = line_below(2);
    let app = one_stack(|s| {
        s.add(sqs::Queue::new("Orders").terraform(|t| t.delay_seconds(5).tag("team", "orders")));
    });
    fails(
        &app,
        &[
            "`.terraform(..)` patches the properties of `aws_sqs_queue` only: `.tag(..)` inside it would \
             be lost; call them on the construct itself",
            &at,
        ],
    );
}

#[test]
fn a_composite_escapes_to_its_main_resource() {
    let app = one_stack(|s| {
        ec2::VpcNetwork::new("Net", "10.0.0.0/16")
            .cloudformation(|t| t.instance_tenancy(InstanceTenancy::Dedicated))
            .terraform(|t| t.instance_tenancy("dedicated"))
            .add_to(s);
    });
    let docs = artifacts(&app);
    assert_eq!(
        docs[CFN]["Resources"]["Net"]["Properties"]["InstanceTenancy"],
        "dedicated"
    );
    assert_eq!(
        docs[TF]["resource"]["aws_vpc"]["net"]["instance_tenancy"],
        "dedicated"
    );
}
