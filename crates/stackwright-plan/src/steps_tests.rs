//! Each kind of change that needs more than one deploy: the steps it compiles to, their order, the trees
//! they build, and that the plan between consecutive trees holds only that step's change.

use super::{build, Built, Kind, Sequence, Source};
use crate::{Action, Document, Plan, Target};
use serde_json::{json, Value as Json};

fn doc<'a>(env: &'a str, stack: &'a str, target: Target, json: &'a Json) -> Document<'a> {
    Document {
        environment: env,
        stack,
        target,
        json,
        renames: &[],
        unchanged: None,
    }
}

/// The documents of every step's tree, in order (the last is the desired tree), each as
/// (environment, stack, target, json, removed).
type Tree = Vec<(String, String, Target, Json, bool)>;

fn trees(sequence: &Sequence, desired: &[Document], previous: &[Document]) -> Vec<Tree> {
    (1..=sequence.steps.len())
        .map(|n| {
            let (built, _) = build(sequence, n, desired, previous).unwrap();
            built
                .into_iter()
                .map(
                    |Built {
                         source,
                         json,
                         removed,
                     }| {
                        let d = match source {
                            Source::Desired(i) => &desired[i],
                            Source::Previous(i) => &previous[i],
                        };
                        let json = json.unwrap_or_else(|| d.json.clone());
                        (
                            d.environment.to_owned(),
                            d.stack.to_owned(),
                            d.target,
                            json,
                            removed,
                        )
                    },
                )
                .collect()
        })
        .collect()
}

fn docs(tree: &Tree) -> Vec<Document<'_>> {
    tree.iter()
        .filter(|(.., removed)| !removed)
        .map(|(e, s, t, j, _)| doc(e, s, *t, j))
        .collect()
}

fn kinds(p: &Plan) -> Vec<Kind> {
    p.steps.staged.iter().map(|s| s.kind).collect()
}

fn producer(outputs: Json) -> Json {
    json!({"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}},
           "Outputs": outputs})
}

fn consumer(import: Option<&str>) -> Json {
    let vpc = match import {
        Some(name) => json!({"Fn::ImportValue": name}),
        None => json!("vpc-literal"),
    };
    json!({"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
        "GroupDescription": "web", "VpcId": vpc}}}})
}

#[test]
fn an_export_removed_while_imported_is_kept_one_step_then_removed() {
    let old_p = producer(
        json!({"VpcId": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "prod-network-VpcId"}}}),
    );
    let new_p = producer(json!({}));
    let old_c = consumer(Some("prod-network-VpcId"));
    let new_c = consumer(None);
    let before = [
        doc("prod", "network", Target::CloudFormation, &old_p),
        doc("prod", "app", Target::CloudFormation, &old_c),
    ];
    let after = [
        doc("prod", "network", Target::CloudFormation, &new_p),
        doc("prod", "app", Target::CloudFormation, &new_c),
    ];
    let p = crate::plan(&before, &after);
    assert_eq!(kinds(&p), [Kind::ExportInUse]);
    let names: Vec<String> = p
        .steps
        .steps
        .iter()
        .map(|s| format!("{:02}-{}", s.number, s.slug))
        .collect();
    assert_eq!(names, ["01-keep-export", "02-remove-export"]);
    assert_eq!(
        p.steps.steps[0].lines,
        ["prod/network: keep export `prod-network-VpcId` as deployed while `app` stops importing it"]
    );
    let trees = trees(&p.steps, &after, &before);
    // Step 1: the producer still exports the old value; the consumer no longer imports it.
    assert_eq!(trees[0][0].3["Outputs"], old_p["Outputs"]);
    assert_eq!(trees[0][1].3, new_c);
    // The last step is the desired tree.
    assert_eq!(trees[1][0].3, new_p);
    // Deploying step 1 over the previous tree locks nothing, nor does step 2 over step 1.
    let first = crate::plan(&before, &docs(&trees[0]));
    assert!(first.embraces.is_empty(), "{:#?}", first.embraces);
    assert!(first.steps.is_single());
    let second = crate::plan(&docs(&trees[0]), &docs(&trees[1]));
    assert!(second.embraces.is_empty());
    assert!(second.steps.is_single());
    // Step 2 only removes the export.
    let changed: Vec<_> = second.stacks.iter().filter(|s| s.has_changes()).collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].stack, "network");
    assert!(changed[0].resources.is_empty());
    assert_eq!(changed[0].outputs[0].name, "VpcId");
    assert_eq!(changed[0].outputs[0].action, Action::Destroy);
    // Every format says it.
    let human = crate::render::human(&p, false);
    assert!(
        human.contains("this change needs 2 steps (export in use): deploy them in order"),
        "{human}"
    );
    assert!(
        human.contains("  1. prod/network: keep export `prod-network-VpcId`"),
        "{human}"
    );
    assert!(
        human.contains("  2. prod/network: remove export"),
        "{human}"
    );
    let markdown = crate::render::markdown(&p);
    assert!(
        markdown.contains("> **this change needs 2 steps (export in use)**"),
        "{markdown}"
    );
    assert!(
        markdown.contains("> 2. prod/network: remove export"),
        "{markdown}"
    );
    let j = crate::render::json(&p);
    assert_eq!(
        j["steps"]["message"],
        "this change needs 2 steps (export in use)"
    );
    assert_eq!(j["steps"]["changes"][0]["kind"], "export-in-use");
    assert_eq!(j["steps"]["steps"][1]["name"], "02-remove-export");
}

#[test]
fn an_export_changed_under_a_consumer_that_keeps_it_goes_through_a_second_export() {
    let export = |value: &str| {
        producer(json!({"VpcId": {"Value": value, "Export": {"Name": "prod-network-VpcId"}}}))
    };
    let (old_p, new_p) = (export("vpc-1"), export("vpc-2"));
    let c = consumer(Some("prod-network-VpcId"));
    let before = [
        doc("prod", "network", Target::CloudFormation, &old_p),
        doc("prod", "app", Target::CloudFormation, &c),
    ];
    let after = [
        doc("prod", "network", Target::CloudFormation, &new_p),
        doc("prod", "app", Target::CloudFormation, &c),
    ];
    let p = crate::plan(&before, &after);
    assert_eq!(kinds(&p), [Kind::ExportInUse]);
    let slugs: Vec<&str> = p.steps.steps.iter().map(|s| s.slug.as_str()).collect();
    assert_eq!(
        slugs,
        ["export-next", "change-export", "import-back", "remove-next"]
    );
    let trees = trees(&p.steps, &after, &before);
    let outputs = |t: &Tree| t[0].3["Outputs"].clone();
    let import =
        |t: &Tree| t[1].3["Resources"]["Sg"]["Properties"]["VpcId"]["Fn::ImportValue"].clone();
    assert_eq!(
        outputs(&trees[0]),
        json!({"VpcId": {"Value": "vpc-1", "Export": {"Name": "prod-network-VpcId"}},
               "VpcIdNext": {"Value": "vpc-2", "Export": {"Name": "prod-network-VpcId-next"}}})
    );
    assert_eq!(import(&trees[0]), "prod-network-VpcId-next");
    assert_eq!(outputs(&trees[1])["VpcId"]["Value"], "vpc-2");
    assert_eq!(import(&trees[1]), "prod-network-VpcId-next");
    assert_eq!(import(&trees[2]), "prod-network-VpcId");
    assert!(outputs(&trees[2]).get("VpcIdNext").is_some());
    assert_eq!(trees[3][0].3, new_p);
    // No step changes an export a deployed stack imports.
    let mut last: Vec<Document> = before.to_vec();
    for tree in &trees {
        let next = docs(tree);
        let step = crate::plan(&last, &next);
        assert!(step.embraces.is_empty(), "{:#?}", step.embraces);
        last = next;
    }
}

#[test]
fn a_stack_removed_while_its_exports_are_imported_stays_until_its_consumers_moved_off() {
    let p_old = producer(
        json!({"VpcId": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "prod-network-VpcId"}}}),
    );
    let c_old = consumer(Some("prod-network-VpcId"));
    let c_new = consumer(None);
    let before = [
        doc("prod", "network", Target::CloudFormation, &p_old),
        doc("prod", "app", Target::CloudFormation, &c_old),
    ];
    let after = [doc("prod", "app", Target::CloudFormation, &c_new)];
    let p = crate::plan(&before, &after);
    assert_eq!(kinds(&p), [Kind::StackInUse]);
    let slugs: Vec<&str> = p.steps.steps.iter().map(|s| s.slug.as_str()).collect();
    assert_eq!(slugs, ["stop-imports", "tear-down"]);
    let trees = trees(&p.steps, &after, &before);
    // Step 1 keeps the producer deployed beside the consumer that no longer imports.
    let stacks: Vec<&str> = trees[0].iter().map(|t| t.1.as_str()).collect();
    assert_eq!(stacks, ["app", "network"]);
    assert_eq!(trees[0][1].3, p_old);
    assert!(!trees[0][1].4, "kept deployed, not removed");
    let stacks: Vec<&str> = trees[1].iter().map(|t| t.1.as_str()).collect();
    assert_eq!(stacks, ["app"]);
    assert!(crate::plan(&before, &docs(&trees[0])).embraces.is_empty());
    assert!(crate::plan(&docs(&trees[0]), &docs(&trees[1]))
        .embraces
        .is_empty());
}

#[test]
fn a_cloudformation_rename_is_a_refactor_of_the_previous_template_then_the_rest() {
    let old = json!({"Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 1}},
        "Alarm": {"Type": "AWS::CloudWatch::Alarm", "DependsOn": ["Queue"], "Properties": {
            "AlarmDescription": {"Fn::Sub": "queue ${Queue.QueueName} and ${!Queue}"},
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["Queue", "QueueName"]}}],
            "Namespace": {"Ref": "Queue"}}}}});
    let new = json!({"Resources": {
        "Orders": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 2}},
        "Alarm": {"Type": "AWS::CloudWatch::Alarm", "DependsOn": ["Orders"], "Properties": {
            "AlarmDescription": {"Fn::Sub": "queue ${Orders.QueueName} and ${!Queue}"},
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["Orders", "QueueName"]}}],
            "Namespace": {"Ref": "Orders"}}}}});
    let renames = [("Queue".to_owned(), "Orders".to_owned())];
    let before = [doc("prod", "data", Target::CloudFormation, &old)];
    let after = [Document {
        renames: &renames,
        ..doc("prod", "data", Target::CloudFormation, &new)
    }];
    let p = crate::plan(&before, &after);
    assert_eq!(kinds(&p), [Kind::Rename]);
    assert_eq!(p.steps.steps.len(), 2);
    assert!(p.steps.steps[0].lines[0].contains("`Queue` -> `Orders` with a stack refactor"));
    let (built, refactors) = build(&p.steps, 1, &after, &before).unwrap();
    assert_eq!(refactors.len(), 1);
    assert_eq!(refactors[0].renames, renames);
    // The refactor's template: the previous one, only renamed (the delay stays 1 until step 2).
    let step1 = built[0].json.as_ref().unwrap();
    assert_eq!(
        step1,
        &json!({"Resources": {
        "Orders": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 1}},
        "Alarm": {"Type": "AWS::CloudWatch::Alarm", "DependsOn": ["Orders"], "Properties": {
            "AlarmDescription": {"Fn::Sub": "queue ${Orders.QueueName} and ${!Queue}"},
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["Orders", "QueueName"]}}],
            "Namespace": {"Ref": "Orders"}}}}})
    );
    assert_eq!(
        super::refactor_mappings("app-prod-data", &renames),
        json!([{"Source": {"StackName": "app-prod-data", "LogicalResourceId": "Queue"},
                "Destination": {"StackName": "app-prod-data", "LogicalResourceId": "Orders"}}])
    );
    // Step 2 changes only the delay, in place.
    let (built, _) = build(&p.steps, 2, &after, &before).unwrap();
    assert_eq!(built[0].json, None);
    let second = crate::plan(
        &[doc("prod", "data", Target::CloudFormation, step1)],
        &after[..1],
    );
    let changed: Vec<_> = second.stacks[0]
        .resources
        .iter()
        .filter(|r| r.action != Action::NoChange)
        .map(|r| (r.address.as_str(), r.action))
        .collect();
    assert_eq!(changed, [("Orders", Action::Update)]);
}

#[test]
fn a_replacement_that_keeps_its_custom_name_goes_through_a_generated_name() {
    let sg = |description: &str| {
        json!({"Resources": {"Web": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupName": "web", "GroupDescription": description, "VpcId": "vpc-1"}}}})
    };
    let (old, new) = (sg("old"), sg("new"));
    let before = [doc("prod", "data", Target::CloudFormation, &old)];
    let after = [doc("prod", "data", Target::CloudFormation, &new)];
    let p = crate::plan(&before, &after);
    assert_eq!(kinds(&p), [Kind::NamedReplacement]);
    let trees = trees(&p.steps, &after, &before);
    let props = &trees[0][0].3["Resources"]["Web"]["Properties"];
    assert_eq!(props, &json!({"GroupDescription": "new", "VpcId": "vpc-1"}));
    assert_eq!(trees[1][0].3, new);
    // Neither step replaces a resource under the name its predecessor holds.
    for (from, to) in [
        (before.to_vec(), docs(&trees[0])),
        (docs(&trees[0]), docs(&trees[1])),
    ] {
        let step = crate::plan(&from, &to);
        assert_eq!(step.summary.warnings, 0, "{:#?}", step.stacks);
        assert_eq!(step.summary.replace, 1);
        assert!(step.steps.is_single());
    }
}

fn listener_cfn(blue: u64, green: u64) -> Json {
    json!({"Resources": {"Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
        "LoadBalancerArn": "arn:lb", "Port": 443, "Protocol": "HTTPS",
        "DefaultActions": [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
            {"TargetGroupArn": {"Ref": "Blue"}, "Weight": blue},
            {"TargetGroupArn": {"Ref": "Green"}, "Weight": green}]}}]}}}})
}

fn listener_tf(blue: u64, green: u64) -> Json {
    json!({"resource": {"aws_lb_listener": {"web": {
        "load_balancer_arn": "arn:lb", "port": 443, "protocol": "HTTPS",
        "default_action": [{"type": "forward", "forward": {"target_group": [
            {"arn": "${aws_lb_target_group.blue.arn}", "weight": blue},
            {"arn": "${aws_lb_target_group.green.arn}", "weight": green}]}}]}}}})
}

#[test]
fn a_blue_green_switch_goes_through_ten_and_fifty_percent_with_a_bake_between() {
    let (old_c, new_c) = (listener_cfn(1, 0), listener_cfn(0, 1));
    let (old_t, new_t) = (listener_tf(1, 0), listener_tf(0, 1));
    let before = [
        doc("prod", "web", Target::CloudFormation, &old_c),
        doc("prod", "web", Target::Terraform, &old_t),
    ];
    let after = [
        doc("prod", "web", Target::CloudFormation, &new_c),
        doc("prod", "web", Target::Terraform, &new_t),
    ];
    let p = crate::plan(&before, &after);
    assert_eq!(kinds(&p), [Kind::TrafficShift, Kind::TrafficShift]);
    let slugs: Vec<&str> = p.steps.steps.iter().map(|s| s.slug.as_str()).collect();
    assert_eq!(slugs, ["traffic-10", "traffic-50", "traffic-100"]);
    let bakes: Vec<Option<u32>> = p.steps.steps.iter().map(|s| s.bake_minutes).collect();
    assert_eq!(
        bakes,
        [Some(super::BAKE_MINUTES), Some(super::BAKE_MINUTES), None]
    );
    let trees = trees(&p.steps, &after, &before);
    let cfn_weights = |t: &Tree| -> Vec<Json> {
        t[0].3["Resources"]["Listener"]["Properties"]["DefaultActions"][0]["ForwardConfig"]
            ["TargetGroups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["Weight"].clone())
            .collect()
    };
    let tf_weights = |t: &Tree| -> Vec<Json> {
        t[1].3["resource"]["aws_lb_listener"]["web"]["default_action"][0]["forward"]["target_group"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["weight"].clone())
            .collect()
    };
    let shape: Vec<(Vec<Json>, Vec<Json>)> = trees
        .iter()
        .map(|t| (cfn_weights(t), tf_weights(t)))
        .collect();
    assert_eq!(
        shape,
        [
            (vec![json!(90), json!(10)], vec![json!(90), json!(10)]),
            (vec![json!(50), json!(50)], vec![json!(50), json!(50)]),
            (vec![json!(0), json!(1)], vec![json!(0), json!(1)]),
        ]
    );
    // Each step says its weights; the definition's 0/1 is said in percent too, beside 90/10 and 50/50.
    let lines: Vec<&String> = p.steps.steps.iter().flat_map(|s| &s.lines).collect();
    assert!(
        lines[0].contains("sends 10% to the new target group (weights 90/10), then bake"),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| {
            l.contains(
            "sends 100% to the new target group (weights 0/1, that is 0/100 in percent), as defined"
        )
        }),
        "{lines:?}"
    );
    // A canary's first tenth is one step.
    let (c10, t10) = (listener_cfn(90, 10), listener_tf(90, 10));
    let p = crate::plan(
        &before,
        &[
            doc("prod", "web", Target::CloudFormation, &c10),
            doc("prod", "web", Target::Terraform, &t10),
        ],
    );
    assert!(p.steps.is_single());
}

#[test]
fn an_environment_that_moves_account_tears_down_the_old_deployment_first() {
    let module = |account: &str| {
        json!({"provider": {"aws": {"region": "us-east-1", "allowed_account_ids": [account]}},
               "resource": {"aws_sns_topic": {"t": {"name": "t"}}}})
    };
    let (old, new) = (module("111111111111"), module("222222222222"));
    let before = [doc("prod", "data", Target::Terraform, &old)];
    let after = [doc("prod", "data", Target::Terraform, &new)];
    let p = crate::plan(&before, &after);
    assert_eq!(kinds(&p), [Kind::Relocation]);
    assert!(p.steps.steps[0].lines[0].contains("account 111111111111 region us-east-1"));
    assert!(p.steps.steps[1].lines[0].contains("account 222222222222 region us-east-1"));
    let trees = trees(&p.steps, &after, &before);
    assert_eq!(trees[0].len(), 1);
    assert_eq!(trees[0][0].3, old);
    assert!(trees[0][0].4, "the old deployment is there to be torn down");
    assert_eq!(trees[1][0].3, new);
    assert!(!trees[1][0].4);
}

#[test]
fn independent_changes_share_steps_and_renames_go_first() {
    let old_q = json!({"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}});
    let new_q = json!({"Resources": {"Orders": {"Type": "AWS::SQS::Queue"}}});
    let renames = [("Queue".to_owned(), "Orders".to_owned())];
    let old_p = producer(
        json!({"VpcId": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "prod-network-VpcId"}}}),
    );
    let new_p = producer(json!({}));
    let (old_c, new_c) = (consumer(Some("prod-network-VpcId")), consumer(None));
    let before = [
        doc("prod", "data", Target::CloudFormation, &old_q),
        doc("prod", "network", Target::CloudFormation, &old_p),
        doc("prod", "app", Target::CloudFormation, &old_c),
    ];
    let after = [
        Document {
            renames: &renames,
            ..doc("prod", "data", Target::CloudFormation, &new_q)
        },
        doc("prod", "network", Target::CloudFormation, &new_p),
        doc("prod", "app", Target::CloudFormation, &new_c),
    ];
    let p = crate::plan(&before, &after);
    assert_eq!(kinds(&p), [Kind::Rename, Kind::ExportInUse]);
    let slugs: Vec<&str> = p.steps.steps.iter().map(|s| s.slug.as_str()).collect();
    assert_eq!(slugs, ["refactor", "deploy-keep-export", "remove-export"]);
    let holds: Vec<usize> = p.steps.holds.iter().map(|h| h.until).collect();
    assert_eq!(holds, [2, 3]);
    assert_eq!(
        p.steps.headline(),
        "this change needs 3 steps (rename, export in use)"
    );
}

#[test]
fn a_change_that_deploys_in_one_step_has_no_steps_in_any_format() {
    let (old, new) = (listener_cfn(1, 0), listener_cfn(1, 0));
    let p = crate::plan(
        &[doc("prod", "web", Target::CloudFormation, &old)],
        &[doc("prod", "web", Target::CloudFormation, &new)],
    );
    assert!(p.steps.is_single());
    assert!(!crate::render::human(&p, false).contains("steps"));
    assert!(crate::render::json(&p).get("steps").is_none());
}

/// The plan of `before` -> `after` with `moves` declared, every document added one (environment, stack)
/// at a time as the CLI adds them.
fn plan_moving<'a>(
    before: &[Document<'a>],
    after: &[Document<'a>],
    moves: Vec<super::Move>,
) -> Plan {
    fn side<'a>(docs: &[Document<'a>], stack: &str) -> Vec<(usize, crate::Placed<'a>)> {
        docs.iter()
            .enumerate()
            .filter(|(_, d)| d.stack == stack)
            .map(|(i, d)| {
                (
                    i,
                    crate::Placed {
                        document: *d,
                        placement: None,
                    },
                )
            })
            .collect()
    }
    let mut planner = crate::Planner::default();
    let mut stacks: Vec<&str> = before.iter().chain(after).map(|d| d.stack).collect();
    stacks.sort();
    stacks.dedup();
    for stack in stacks {
        planner.add(&side(before, stack), &side(after, stack));
    }
    planner.moves(moves);
    planner.finish()
}

fn moved(target: Target, from: &str, to: &str) -> super::Move {
    super::Move {
        environment: "prod".into(),
        target,
        from_stack: "app".into(),
        from: from.into(),
        to_stack: "data".into(),
        to: to.into(),
        declared_at: "infra/main.rs:7".into(),
    }
}

#[test]
fn a_table_moved_between_cloudformation_stacks_is_one_refactor_of_both_then_the_rest() {
    let table = json!({"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "Properties": {
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST"}});
    let queue = json!({"Type": "AWS::SQS::Queue", "Properties": {}});
    let old_app = json!({"Resources": {"Orders": table, "Queue": queue}});
    let old_data = json!({"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {}}}});
    let mut tagged = table.clone();
    tagged["Properties"]["Tags"] = json!([{"Key": "tier", "Value": "data"}]);
    let new_app = json!({"Resources": {"Queue": queue}});
    let new_data = json!({"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {}},
                                         "OrdersTable": tagged}});
    let before = [
        doc("prod", "app", Target::CloudFormation, &old_app),
        doc("prod", "data", Target::CloudFormation, &old_data),
    ];
    let after = [
        doc("prod", "app", Target::CloudFormation, &new_app),
        doc("prod", "data", Target::CloudFormation, &new_data),
    ];
    // Without the declaration: a table destroyed (kept by its policy) and another created.
    assert!(crate::plan(&before, &after).steps.is_single());
    let p = plan_moving(
        &before,
        &after,
        vec![moved(Target::CloudFormation, "Orders", "OrdersTable")],
    );
    assert_eq!(kinds(&p), [Kind::Move]);
    let names: Vec<String> = p
        .steps
        .steps
        .iter()
        .map(|s| format!("{:02}-{}", s.number, s.slug))
        .collect();
    assert_eq!(names, ["01-refactor", "02-deploy"]);
    let data = p.stacks.iter().find(|s| s.stack == "data").unwrap();
    let added = data
        .resources
        .iter()
        .find(|r| r.address == "OrdersTable")
        .unwrap();
    assert_eq!(added.moved_from.as_deref(), Some("app/Orders"));
    // Its DeletionPolicy keeps the deployed table: no data loss, but a warning of what one go does.
    assert_eq!(p.summary.data_loss, 0);
    let app = p.stacks.iter().find(|s| s.stack == "app").unwrap();
    let orders = app
        .resources
        .iter()
        .find(|r| r.address == "Orders")
        .unwrap();
    assert_eq!(
        orders.warnings,
        ["deployed in one go, `app` leaves it in place but in no stack (DeletionPolicy Retain) and \
          `data` creates `OrdersTable` anew: a new, empty resource, or, if it has a fixed name, a \
          create that fails because the name is taken (the stack rolls back); `synth --steps` moves \
          the deployed one instead"]
    );
    assert_eq!(app.summary.warnings, 1);
    let trees = trees(&p.steps, &after, &before);
    // Step 1: the previous templates, the table moved under its new id with its deployed body.
    assert_eq!(trees[0][0].3, json!({"Resources": {"Queue": queue}}));
    assert_eq!(
        trees[0][1].3,
        json!({"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {}}, "OrdersTable": table}})
    );
    let (_, refactors) = build(&p.steps, 1, &after, &before).unwrap();
    assert_eq!(
        refactors,
        [super::Refactor {
            environment: "prod".into(),
            stack: "app".into(),
            destination: "data".into(),
            renames: vec![("Orders".into(), "OrdersTable".into())],
        }]
    );
    assert_eq!(
        super::refactor_mappings_between("s-prod-app", "s-prod-data", &refactors[0].renames),
        json!([{"Source": {"StackName": "s-prod-app", "LogicalResourceId": "Orders"},
                "Destination": {"StackName": "s-prod-data", "LogicalResourceId": "OrdersTable"}}])
    );
    // No step's tree deletes or replaces the table: step 2 only tags it.
    let second = crate::plan(&docs(&trees[0]), &docs(&trees[1]));
    let changed: Vec<(&str, Action)> = second
        .stacks
        .iter()
        .flat_map(|s| &s.resources)
        .filter(|r| r.action != Action::NoChange)
        .map(|r| (r.address.as_str(), r.action))
        .collect();
    assert_eq!(changed, [("OrdersTable", Action::Update)]);
}

#[test]
fn a_refactor_refuses_a_moved_resource_that_refers_to_one_that_stays() {
    let old_app = json!({"Resources": {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"KmsMasterKeyId": {"Ref": "Key"}}}}});
    let old_data = json!({"Resources": {}});
    let new_app = json!({"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {}}}});
    let new_data = json!({"Resources": {"Jobs": {"Type": "AWS::SQS::Queue", "Properties": {
        "KmsMasterKeyId": {"Fn::ImportValue": "k"}}}}});
    let before = [
        doc("prod", "app", Target::CloudFormation, &old_app),
        doc("prod", "data", Target::CloudFormation, &old_data),
    ];
    let after = [
        doc("prod", "app", Target::CloudFormation, &new_app),
        doc("prod", "data", Target::CloudFormation, &new_data),
    ];
    // The plan itself refuses the move, located at its declaration, and promises no step.
    let p = plan_moving(
        &before,
        &after,
        vec![moved(Target::CloudFormation, "Queue", "Jobs")],
    );
    assert!(p.steps.is_single());
    let why = "prod: `Queue` moves from `app` to `data` (moved_from at infra/main.rs:7) but refers to \
               `Key`, which stays in `app`: a stack refactor cannot change references, so `synth --steps` \
               cannot move it; move `Key` too (moved_from on it as well), or keep `Queue` in `app`";
    assert_eq!(p.steps.refused, [why]);
    let data = p.stacks.iter().find(|s| s.stack == "data").unwrap();
    let jobs = data.resources.iter().find(|r| r.address == "Jobs").unwrap();
    assert_eq!(
        jobs.warnings,
        [format!("{why}: it is created as a new resource")]
    );
    assert_eq!(jobs.moved_from, None);
    // Moving `Key` too, the refactor can be made.
    let new_app = json!({"Resources": {}});
    let new_data = json!({"Resources": {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
        "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {"KmsMasterKeyId": {"Ref": "Key"}}}}});
    let after = [
        doc("prod", "app", Target::CloudFormation, &new_app),
        doc("prod", "data", Target::CloudFormation, &new_data),
    ];
    let p = plan_moving(
        &before,
        &after,
        vec![
            moved(Target::CloudFormation, "Queue", "Jobs"),
            moved(Target::CloudFormation, "Key", "Key"),
        ],
    );
    assert!(p.steps.refused.is_empty(), "{:?}", p.steps.refused);
    assert_eq!(kinds(&p), [Kind::Move]);
    build(&p.steps, 1, &after, &before).unwrap();
}

#[test]
fn a_refactor_refuses_a_moved_resource_that_one_that_stays_refers_to() {
    let old_app = json!({"Resources": {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"KmsMasterKeyId": {"Ref": "Key"}}}},
        "Outputs": {"KeyArn": {"Value": {"Fn::GetAtt": ["Key", "Arn"]}}}});
    let old_data = json!({"Resources": {}});
    let new_app = json!({"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {}}}});
    let new_data = json!({"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {}}}});
    let before = [
        doc("prod", "app", Target::CloudFormation, &old_app),
        doc("prod", "data", Target::CloudFormation, &old_data),
    ];
    let after = [
        doc("prod", "app", Target::CloudFormation, &new_app),
        doc("prod", "data", Target::CloudFormation, &new_data),
    ];
    let p = plan_moving(
        &before,
        &after,
        vec![moved(Target::CloudFormation, "Key", "Key")],
    );
    assert!(p.steps.is_single());
    assert_eq!(
        p.steps.refused,
        ["prod: `Key` moves from `app` to `data` (moved_from at infra/main.rs:7), but `Queue`, which \
          stays in `app`, refers to it: a stack refactor cannot change references, so `synth --steps` \
          cannot move it; move `Queue` too (moved_from on it as well), or keep `Key` in `app`"]
    );
}

#[test]
fn a_terraform_move_is_one_step_whose_script_forgets_then_imports_every_block() {
    let old_app = json!({"resource": {
        "aws_db_instance": {"orders": {"identifier": "orders"}},
        "aws_route": {"orders_default": {"route_table_id": "rtb-1"}},
        "aws_sqs_queue": {"jobs": {}}}});
    let new_app = json!({"resource": {"aws_sqs_queue": {"jobs": {}}}});
    let old_data = json!({"resource": {"aws_kms_key": {"key": {}}}});
    let new_data = json!({"resource": {
        "aws_kms_key": {"key": {}},
        "aws_db_instance": {"db": {"identifier": "orders"}},
        "aws_route": {"db_default": {"route_table_id": "rtb-1"}}}});
    let before = [
        doc("prod", "app", Target::Terraform, &old_app),
        doc("prod", "data", Target::Terraform, &old_data),
    ];
    let after = [
        doc("prod", "app", Target::Terraform, &new_app),
        doc("prod", "data", Target::Terraform, &new_data),
    ];
    let p = plan_moving(
        &before,
        &after,
        vec![moved(Target::Terraform, "orders", "db")],
    );
    assert_eq!(kinds(&p), [Kind::Move]);
    assert_eq!(p.steps.steps.len(), 1);
    assert_eq!(
        p.steps.headline(),
        "this change needs 1 step (move between stacks)"
    );
    // The tree, deployed in one go, destroys the database and creates another: still data loss,
    // which the steps avoid.
    assert_eq!(p.summary.data_loss, 1);
    assert_eq!(p.exit_code(false), 3);
    let app = p.stacks.iter().find(|s| s.stack == "app").unwrap();
    let orders = app
        .resources
        .iter()
        .find(|r| r.address == "aws_db_instance.orders")
        .unwrap();
    assert!(
        orders.data_loss.as_deref().unwrap().ends_with(
            "(this tree deployed in one go deletes it and creates a new, empty one; \
             `synth --steps` moves it instead, never deleting it)"
        ),
        "{:?}",
        orders.data_loss
    );
    // The tree is the desired one; the step carries the state move.
    let trees = trees(&p.steps, &after, &before);
    assert_eq!(trees[0][1].3, new_data);
    let moves = super::terraform_moves_at(&p.steps, 1);
    assert_eq!(
        moves[0].blocks,
        [
            (
                "aws_db_instance".to_owned(),
                "aws_db_instance.orders".to_owned(),
                "aws_db_instance.db".to_owned()
            ),
            (
                "aws_route".to_owned(),
                "aws_route.orders_default".to_owned(),
                "aws_route.db_default".to_owned()
            ),
        ]
    );
    let script =
        super::terraform_move_script(moves[0], "terraform/prod/app", "terraform/prod/data x");
    assert!(
        script.contains(
            "from=terraform/prod/app\nto='terraform/prod/data x'\n\
             terraform -chdir=\"$from\" init -input=false\n\
             terraform -chdir=\"$to\" init -input=false\n\
             state=$(terraform -chdir=\"$from\" state pull)\n"
        ),
        "{script}"
    );
    // A database imports by its identifier; a route's import id is not in its state: a placeholder
    // that stops the script before it changes anything.
    assert!(
        script.contains("id_0=$(id_of aws_db_instance orders identifier)"),
        "{script}"
    );
    assert!(
        script.contains("id_1='<FILL IN: import id of aws_route.orders_default>'"),
        "{script}"
    );
    let stop = script.find("case $id_1 in '<FILL IN'*)").unwrap();
    assert!(
        stop < script.find("-chdir=\"$from\" state rm").unwrap(),
        "{script}"
    );
    assert!(script.contains(
        "terraform -chdir=\"$from\" state rm aws_db_instance.orders\n\
         terraform -chdir=\"$to\" import -input=false aws_db_instance.db \"$id_0\"\n"
    ));
}
