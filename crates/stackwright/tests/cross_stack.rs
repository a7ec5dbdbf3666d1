//! Stacks of one environment that use each other's resources: exports and imports in both targets,
//! deploy order, and the references that stay errors.

use crate::support::{artifacts, fails, line_below, run};
use serde_json::json;
use stackwright::aws::ec2;
use stackwright::prelude::*;
use stackwright::terraform::{Backend, TerraformEnvironment};
use std::sync::Mutex;

/// The network a service stack needs: what the network stack's function returns.
struct Network {
    vpc: ec2::VpcHandle,
    subnet: ec2::SubnetHandle,
}

fn network(stack: &mut Stack) -> Network {
    let vpc = stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    let subnet = stack.add(ec2::Subnet::new("App-Subnet", &vpc, "10.0.1.0/24"));
    Network { vpc, subnet }
}

fn two_stacks(dev: Environment<()>) -> App<()> {
    App::new("shop").environment(dev).stacks(|stacks, _env| {
        let net = stacks.stack("network", network);
        stacks.stack("service", |stack| {
            let web = stack.add(ec2::SecurityGroup::new("Web", &net.vpc, "web"));
            stack.add(
                ec2::Instance::new("Server", "ami-12345678", "t3.micro")
                    .subnet(&net.subnet)
                    .security_group(&web)
                    .user_data(interpolate!["vpc=", net.vpc.id(), " ${HOME}\n"]),
            );
        });
    })
}

fn dev() -> Environment<()> {
    Environment::new("dev", "123456789012", "eu-west-1", ())
}

#[test]
fn cloudformation_exports_from_the_producer_and_imports_in_the_consumer() {
    let docs = artifacts(&two_stacks(dev()));
    let network = &docs["cloudformation/dev/network.template.json"];
    assert_eq!(
        network["Outputs"],
        json!({
            "ExportVpcId": {
                "Description": "`id` of `Vpc`, imported by stack `service`",
                "Value": {"Ref": "Vpc"},
                "Export": {"Name": "shop-dev-network:Vpc:id"}
            },
            "ExportAppSubnetId": {
                "Description": "`id` of `App-Subnet`, imported by stack `service`",
                "Value": {"Ref": "AppSubnet"},
                "Export": {"Name": "shop-dev-network:AppSubnet:id"}
            }
        })
    );
    let service = &docs["cloudformation/dev/service.template.json"]["Resources"];
    assert_eq!(
        service["Web"]["Properties"]["VpcId"],
        json!({"Fn::ImportValue": "shop-dev-network:Vpc:id"})
    );
    assert_eq!(
        service["Server"]["Properties"]["SubnetId"],
        json!({"Fn::ImportValue": "shop-dev-network:AppSubnet:id"})
    );
    // A mix of text and an import is joined: `Fn::Sub` cannot hold an import without a variable map.
    assert_eq!(
        service["Server"]["Properties"]["UserData"],
        json!({"Fn::Base64": {"Fn::Join": ["", [
            "vpc=",
            {"Fn::ImportValue": "shop-dev-network:Vpc:id"},
            " ${HOME}\n"
        ]]}})
    );
}

#[test]
fn terraform_outputs_from_the_producer_and_local_remote_state_in_the_consumer() {
    let docs = artifacts(&two_stacks(dev()));
    let network = &docs["terraform/dev/network/main.tf.json"];
    assert_eq!(
        network["output"],
        json!({
            "export_vpc_id": {
                "description": "`id` of `Vpc`, read by stack `service`",
                "value": "${aws_vpc.vpc.id}"
            },
            "export_app_subnet_id": {
                "description": "`id` of `App-Subnet`, read by stack `service`",
                "value": "${aws_subnet.app_subnet.id}"
            }
        })
    );
    let service = &docs["terraform/dev/service/main.tf.json"];
    assert_eq!(
        service["data"]["terraform_remote_state"],
        json!({"network": {"backend": "local", "config": {"path": "../../../../terraform-state/shop/dev/network/terraform.tfstate"}}})
    );
    let vpc = "${data.terraform_remote_state.network.outputs.export_vpc_id}";
    assert_eq!(
        service["resource"]["aws_security_group"]["web"]["vpc_id"],
        vpc
    );
    assert_eq!(
        service["resource"]["aws_instance"]["server"]["subnet_id"],
        "${data.terraform_remote_state.network.outputs.export_app_subnet_id}"
    );
    assert_eq!(
        service["resource"]["aws_instance"]["server"]["user_data"],
        format!("vpc={vpc} $${{HOME}}\n")
    );
    assert!(network.get("data").is_none());
}

#[test]
fn terraform_remote_state_reads_the_producers_s3_key() {
    let docs = artifacts(&two_stacks(env_with_s3()));
    let service = &docs["terraform/dev/service/main.tf.json"];
    assert_eq!(
        service["data"]["terraform_remote_state"]["network"],
        json!({"backend": "s3", "config": {
            "bucket": "shop-state", "key": "shop/dev/network.tfstate", "region": "eu-west-1"
        }})
    );
    let network = &docs["terraform/dev/network/main.tf.json"];
    assert_eq!(
        network["terraform"]["backend"]["s3"]["key"],
        "shop/dev/network.tfstate"
    );
    // `list --format json` gives the state object's parts, for CI.
    let (code, list, stderr) = run(
        &two_stacks(env_with_s3()),
        &["list", "--target", "terraform", "--format", "json"],
    );
    assert_eq!(code, 0, "{stderr}");
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(
        list["artifacts"][0]["state"],
        json!({"backend": "s3", "bucket": "shop-state", "key": "shop/dev/network.tfstate",
               "url": "s3://shop-state/shop/dev/network.tfstate"})
    );
}

fn env_with_s3() -> Environment<()> {
    dev().terraform_backend(Backend::S3 {
        bucket: "shop-state".into(),
        region: "eu-west-1".into(),
        key: None,
        dynamodb_table: Some("shop-locks".into()),
    })
}

#[test]
fn one_state_key_for_two_stacks_is_one_error() {
    let env = dev().terraform_backend(Backend::S3 {
        bucket: "shop-state".into(),
        region: "eu-west-1".into(),
        key: Some("shop.tfstate".into()),
        dynamodb_table: None,
    });
    let stderr = fails(
        &two_stacks(env),
        &["environment `dev` stack `service` and environment `dev` stack `network` (declared at"],
    );
    // One mistake, one error: the cross-stack read of that state is not reported again.
    assert!(stderr.contains("1 problem found"), "{stderr}");
}

#[test]
fn two_environments_cannot_share_one_state_object() {
    // No cross-stack read here: one stack each, but the same bucket and key, so each apply would plan to
    // destroy the other environment's resources.
    let backend = Backend::S3 {
        bucket: "shop-state".into(),
        region: "eu-west-1".into(),
        key: Some("shop.tfstate".into()),
        dynamodb_table: None,
    };
    let app = App::new("shop")
        .environment(dev().terraform_backend(backend.clone()))
        .environment(
            Environment::new("prod", "210987654321", "eu-west-1", ()).terraform_backend(backend),
        )
        .stack("network", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
        });
    let stderr = fails(
        &app,
        &[
            "environment `prod` stack `network` and environment `dev` stack `network` (declared at",
            "both keep their Terraform state in s3://shop-state/shop.tfstate",
        ],
    );
    assert_eq!(stderr.matches("keep their Terraform state").count(), 1);
}

#[test]
fn the_old_stack_api_links_stacks_too() {
    // Handles passed through shared state between two `App::stack` definitions are the same references.
    let shared: std::sync::Arc<Mutex<Option<ec2::VpcHandle>>> = Default::default();
    let writer = shared.clone();
    let app = App::new("shop")
        .environment(dev())
        .stack("network", move |s, _| {
            *writer.lock().unwrap() = Some(s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16")));
        })
        .stack("service", move |s, _| {
            let vpc = shared.lock().unwrap().clone().unwrap();
            s.add(ec2::SecurityGroup::new("Web", &vpc, "web"));
        });
    let docs = artifacts(&app);
    assert_eq!(
        docs["cloudformation/dev/service.template.json"]["Resources"]["Web"]["Properties"]["VpcId"],
        json!({"Fn::ImportValue": "shop-dev-network:Vpc:id"})
    );
}

#[test]
fn a_reference_to_another_environment_is_one_error_at_the_users_line() {
    let first: Mutex<Option<ec2::VpcHandle>> = Mutex::new(None);
    let at = line_below(8);
    let app = App::new("demo")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(Environment::new("prod", "123456789012", "eu-west-1", ()))
        .stacks(move |stacks, _| {
            let vpc = stacks.stack("network", |s| s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16")));
            let foreign = first.lock().unwrap().get_or_insert(vpc).clone();
            stacks.stack("service", |s| {
                s.add(ec2::Subnet::new("Public", &foreign, "10.0.1.0/24"))
            });
        });
    let stderr = fails(
        &app,
        &[
            "`Public` references a resource attribute of environment `dev` (stack `network`)",
            "pass a value both environments share through their config instead",
            "in environment `prod`, stack `service`, resource `Public`",
            &at,
        ],
    );
    assert_eq!(stderr.matches("error:").count(), 2, "{stderr}");
    assert!(stderr.contains("1 problem found"), "{stderr}");
}

#[test]
fn a_parameter_of_another_stack_is_rejected_with_what_to_do() {
    let app = App::new("demo").environment(dev()).stacks(|stacks, _| {
        let size = stacks.stack("network", |s| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            s.add_parameter(Parameter::string("Size"))
        });
        stacks.stack("service", |s| {
            s.add(ec2::Instance::new("Web", "ami-12345678", size.value()));
        });
    });
    fails(
        &app,
        &["`Web` references a parameter of stack `network`: a parameter belongs to its stack; declare it in stack `service` too"],
    );
}

#[test]
fn one_problem_in_every_environment_is_reported_once_with_the_environments() {
    let at = line_below(6);
    let app = App::new("demo")
        .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
        .environment(Environment::new("staging", "123456789012", "us-east-1", ()))
        .environment(Environment::new("prod", "210987654321", "eu-west-1", ()))
        .stack("main", |s, _| {
            s.add(ec2::Vpc::new("Vpc", "10.0.0.0/33"));
        });
    let stderr = fails(
        &app,
        &[
            "in environments `dev`, `staging`, `prod`, stack `main`, resource `Vpc`",
            &at,
        ],
    );
    assert!(stderr.contains("1 problem found"), "{stderr}");
}

#[test]
fn stacks_of_a_function_need_unique_valid_names() {
    let app = App::new("demo").environment(dev()).stacks(|stacks, _| {
        stacks.stack("net", |s| s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16")));
        stacks.stack("net", |s| s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16")));
        stacks.stack("Bad_Name", |s| s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16")));
    });
    fails(
        &app,
        &[
            "duplicate stack name `net`: expected each stack of an environment to have its own name",
            "invalid stack name `Bad_Name`",
        ],
    );
}

#[test]
fn manifest_lists_what_each_artifact_deploys_after() {
    let synthesis =
        stackwright::synth::synthesize(&two_stacks(dev()), &Default::default()).unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(&synthesis.manifest).unwrap();
    let depends_on: Vec<(&str, &serde_json::Value)> = manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["path"].as_str().unwrap(), &a["depends_on"]))
        .collect();
    assert_eq!(
        depends_on,
        [
            ("cloudformation/dev/network.template.json", &json!([])),
            ("terraform/dev/network/main.tf.json", &json!([])),
            (
                "cloudformation/dev/service.template.json",
                &json!(["cloudformation/dev/network.template.json"])
            ),
            (
                "terraform/dev/service/main.tf.json",
                &json!(["terraform/dev/network/main.tf.json"])
            ),
        ]
    );
}

/// Three stacks where the first-declared one depends on nothing, the second on nothing and the third on
/// both, in two environments: waves per environment, dependencies shown.
fn three_stacks() -> App<()> {
    App::new("shop")
        .environment(dev())
        .environment(Environment::new("prod", "210987654321", "eu-west-1", ()))
        .stacks(|stacks, _| {
            let net = stacks.stack("network", network);
            let logs = stacks.stack("logs", |s| {
                s.add(stackwright::aws::logs::LogGroup::new("Logs"))
            });
            stacks.stack("service", |s| {
                s.add(ec2::SecurityGroup::new("Web", &net.vpc, "web").depends_on(&logs));
            });
        })
}

#[test]
fn list_prints_deploy_waves_with_dependencies() {
    let (code, stdout, stderr) = run(&three_stacks(), &["list", "--target", "terraform"]);
    assert_eq!(code, 0, "{stderr}");
    let dev = stdout.split("environment prod").next().unwrap();
    let expected = "environment dev (account 123456789012, region eu-west-1)
  wave 1
    stack network [terraform] out/terraform/dev/network/main.tf.json (3 resources)
      deploy: terraform -chdir=out/terraform/dev/network init";
    assert!(dev.contains(expected), "{stdout}");
    let wave2 = "  wave 2
    stack service [terraform] out/terraform/dev/service/main.tf.json (1 resource)
      after: out/terraform/dev/network/main.tf.json, out/terraform/dev/logs/main.tf.json
      deploy: ";
    assert!(dev.contains(wave2), "{stdout}");
    assert!(
        dev.find("stack logs").unwrap() < dev.find("wave 2").unwrap(),
        "{stdout}"
    );
    assert!(stdout.contains("environment prod"), "{stdout}");
}

#[test]
fn list_as_json_for_ci() {
    let (code, stdout, stderr) = run(
        &three_stacks(),
        &[
            "list",
            "--format",
            "json",
            "--target",
            "cloudformation",
            "--env",
            "prod",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let list: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let summary: Vec<(&str, u64, &serde_json::Value)> = list["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["stack"].as_str().unwrap(),
                a["wave"].as_u64().unwrap(),
                &a["depends_on"],
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("network", 1, &json!([])),
            ("logs", 1, &json!([])),
            (
                "service",
                2,
                &json!([
                    "out/cloudformation/prod/network.template.json",
                    "out/cloudformation/prod/logs.template.json"
                ])
            ),
        ]
    );
    assert_eq!(list["app"], "shop");
    assert!(list["artifacts"][2]["deploy"]
        .as_str()
        .unwrap()
        .starts_with(
        "aws cloudformation deploy --template-file out/cloudformation/prod/service.template.json"
    ));
    // A command line a CI job can run as it is: the account and the state are fields of their own.
    for artifact in list["artifacts"].as_array().unwrap() {
        let deploy = artifact["deploy"].as_str().unwrap();
        assert!(
            !deploy.contains("credentials") && !deploy.contains('\n'),
            "{deploy}"
        );
        assert_eq!(
            artifact["state"].is_object(),
            artifact["target"] == "terraform",
            "{artifact}"
        );
        if artifact["target"] == "terraform" {
            // Local state, outside the tree: a path a CI job can use as it is.
            let state = &artifact["state"];
            assert_eq!(state["backend"], "local", "{artifact}");
            let path = state["path"].as_str().unwrap();
            assert!(
                path.starts_with("terraform-state/shop/") && path.ends_with("/terraform.tfstate"),
                "{artifact}"
            );
            // Shared by every tree of the app beside this one, which synth refuses.
            let note = state["note"].as_str().unwrap();
            assert!(
                note.contains("every tree of this app") && note.contains("synth refuses"),
                "{artifact}"
            );
        }
    }
}

/// The service uses the network's VPC (`shared`), or a VPC of its own; the network may keep its export.
fn split(shared: bool, keep_export: bool) -> App<()> {
    App::new("shop")
        .environment(dev())
        .stacks(move |stacks, _| {
            let net = stacks.stack("network", |s| {
                let net = network(s);
                if keep_export {
                    s.keep_export(net.vpc.id());
                }
                net
            });
            stacks.stack("service", |s| {
                let vpc = if shared {
                    net.vpc.clone()
                } else {
                    s.add(ec2::Vpc::new("OwnVpc", "10.1.0.0/16"))
                };
                s.add(ec2::SecurityGroup::new("Web", &vpc, "web"));
            });
        })
}

/// Synthesizes `before` into a directory and plans `after` against it: (exit code, stdout).
fn plan_against(before: &App<()>, after: &App<()>, format: &str) -> (u8, String) {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let (code, _, stderr) = run(before, &["synth", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = run(
        after,
        &[
            "plan",
            "--against",
            out.to_str().unwrap(),
            "--format",
            format,
        ],
    );
    assert!(stderr.is_empty(), "{stderr}");
    (code, stdout)
}

#[test]
fn plan_detects_the_deadly_embrace_and_keep_export_avoids_it() {
    let (code, human) = plan_against(&split(true, false), &split(false, false), "human");
    assert_eq!(code, 2, "{human}");
    assert!(
        human.contains(
            "DEPLOY WILL FAIL: dev/network (cloudformation) removes export `shop-dev-network:Vpc:id`, \
             which deployed stack `service` still imports: CloudFormation will refuse to update `network` \
             while the export is in use. Deploy in two steps: first keep the export one more deploy \
             (`stack.keep_export(...)` in `network`)"
        ),
        "{human}"
    );
    let (_, json) = plan_against(&split(true, false), &split(false, false), "json");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["embraces"][0]["export"], "shop-dev-network:Vpc:id");
    assert_eq!(json["embraces"][0]["consumers"], json!(["service"]));
    let (_, markdown) = plan_against(&split(true, false), &split(false, false), "markdown");
    assert!(
        markdown.contains("> **DEPLOY WILL FAIL**: dev/network"),
        "{markdown}"
    );

    // Step one keeps the export: nothing fails; step two removes it once nothing imports it.
    let (_, step_one) = plan_against(&split(true, false), &split(false, true), "human");
    assert!(!step_one.contains("DEPLOY WILL FAIL"), "{step_one}");
    let (_, step_two) = plan_against(&split(false, true), &split(false, false), "human");
    assert!(!step_two.contains("DEPLOY WILL FAIL"), "{step_two}");
}

#[test]
fn a_kept_export_is_published_without_readers() {
    let docs = artifacts(&split(false, true));
    assert_eq!(
        docs["cloudformation/dev/network.template.json"]["Outputs"]["ExportVpcId"],
        json!({
            "Description": "`id` of `Vpc`, kept for one more deploy (keep_export): no stack imports it any more",
            "Value": {"Ref": "Vpc"},
            "Export": {"Name": "shop-dev-network:Vpc:id"}
        })
    );
    assert_eq!(
        docs["terraform/dev/network/main.tf.json"]["output"]["export_vpc_id"]["value"],
        "${aws_vpc.vpc.id}"
    );
}

#[test]
fn keep_export_of_another_stacks_resource_is_an_error_at_the_call() {
    let at = line_below(4);
    let app = App::new("shop").environment(dev()).stacks(|stacks, _| {
        let net = stacks.stack("network", network);
        stacks.stack("service", |s| {
            s.keep_export(net.vpc.id());
            s.add(ec2::SecurityGroup::new("Web", &net.vpc, "web"));
        });
    });
    fails(
        &app,
        &[
            "keep_export takes an attribute of a resource of this stack",
            &at,
        ],
    );
}

/// A certificate made in `us-east-1` by the `global` environment's `edge` stack, read by the `eu`
/// environment's `service` stack (another region; another account when `account` differs).
fn across(account: &str, role: Option<&str>, backend: Option<Backend>) -> App<()> {
    use stackwright::aws::{acm, remote, route53};
    let role = role.map(str::to_owned);
    let mut global = Environment::new("global", "123456789012", "us-east-1", ());
    let mut eu = Environment::new("eu", account, "eu-west-1", ());
    if let Some(backend) = backend {
        global = global.terraform_backend(backend.clone());
        eu = eu.terraform_backend(backend);
    }
    App::new("shop")
        .environment(global)
        .environment(eu)
        .stacks(move |stacks, env| {
            if env.name() == "global" {
                stacks.stack("edge", |s| {
                    let zone = s.add(route53::HostedZone::new("Zone", "example.com"));
                    let cert = s.add(acm::Certificate::dns_validated(
                        "Cert",
                        "example.com",
                        &zone,
                    ));
                    s.output("CertificateArn", cert.arn());
                });
                return;
            }
            stacks.stack("service", |s| {
                let mut read =
                    remote::StackOutput::new("SiteCert", "global", "edge", "CertificateArn");
                if let Some(role) = &role {
                    read = read.role_arn(role.clone());
                }
                let arn = s.add(read).value();
                let cert = s.add(acm::Certificate::from_arn("Cert", arn));
                s.add(stackwright::aws::ssm::Parameter::string(
                    "CertArn",
                    "/shop/cert",
                    cert.arn(),
                ));
            });
        })
}

#[test]
fn a_cross_region_read_is_get_stack_output_and_remote_state_of_the_other_environment() {
    let docs = artifacts(&across("123456789012", None, None));
    assert_eq!(
        docs["cloudformation/eu/service.template.json"]["Resources"]["CertArn"]["Properties"]
            ["Value"],
        json!({"Fn::GetStackOutput": {
            "StackName": "shop-global-edge",
            "OutputName": "CertificateArn",
            "Region": "us-east-1"
        }})
    );
    let module = &docs["terraform/eu/service/main.tf.json"];
    assert_eq!(
        module["data"]["terraform_remote_state"],
        json!({"global_edge": {"backend": "local", "config": {
            "path": "../../../../terraform-state/shop/global/edge/terraform.tfstate"
        }}})
    );
    assert_eq!(
        module["resource"]["aws_ssm_parameter"]["cert_arn"]["value"],
        "${data.terraform_remote_state.global_edge.outputs.certificate_arn}"
    );
    assert_eq!(module["terraform"]["required_version"], ">= 1.0.0");
    let synthesis =
        stackwright::synth::synthesize(&across("123456789012", None, None), &Default::default())
            .unwrap();
    let service = synthesis
        .artifacts
        .iter()
        .find(|a| a.path == "terraform/eu/service/main.tf.json")
        .unwrap();
    assert_eq!(service.depends_on, ["terraform/global/edge/main.tf.json"]);
    assert_eq!(
        stackwright::synth::waves(&synthesis.artifacts),
        [1, 1, 2, 2]
    );
}

#[test]
fn a_cross_account_read_names_the_role_in_both_targets() {
    let role = "arn:aws:iam::123456789012:role/read-shop-outputs";
    let backend = Backend::S3 {
        bucket: "shop-state".into(),
        region: "us-east-1".into(),
        key: None,
        dynamodb_table: None,
    };
    let docs = artifacts(&across("210987654321", Some(role), Some(backend)));
    assert_eq!(
        docs["cloudformation/eu/service.template.json"]["Resources"]["CertArn"]["Properties"]
            ["Value"],
        json!({"Fn::GetStackOutput": {
            "StackName": "shop-global-edge",
            "OutputName": "CertificateArn",
            "Region": "us-east-1",
            "RoleArn": role
        }})
    );
    let module = &docs["terraform/eu/service/main.tf.json"];
    assert_eq!(
        module["data"]["terraform_remote_state"],
        json!({"global_edge": {"backend": "s3", "config": {
            "bucket": "shop-state",
            "key": "shop/global/edge.tfstate",
            "region": "us-east-1",
            "assume_role": {"role_arn": role}
        }}})
    );
    assert_eq!(module["terraform"]["required_version"], ">= 1.6.0");
}

#[test]
fn reads_across_environments_are_checked() {
    let no_role = across("210987654321", None, None);
    fails(
        &no_role,
        &[
            "`SiteCert` reads environment `global` of account 123456789012 from account 210987654321: \
             give a role in that account that can read it (`.role_arn(...)`)",
        ],
    );
    use stackwright::aws::remote;
    let wrong = App::new("shop")
        .environment(Environment::new("global", "123456789012", "us-east-1", ()))
        .environment(dev())
        .stacks(|stacks, env| {
            stacks.stack("edge", |s| {
                s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
                if env.name() == "dev" {
                    s.add(remote::StackOutput::new(
                        "Nope", "global", "edge", "Missing",
                    ));
                    s.add(remote::StackOutput::new("Self", "dev", "edge", "Missing"));
                }
            });
        });
    fails(
        &wrong,
        &[
            "`Nope` reads output `Missing` of stack `edge` in environment `global`, which declares no such output",
            "`Self` reads stack `edge` of its own environment through a remote read: pass the handle instead",
        ],
    );
}

#[test]
fn an_output_that_takes_an_exports_name_is_an_error_naming_both() {
    let app = App::new("shop").environment(dev()).stacks(|stacks, _| {
        let net = stacks.stack("network", |s| {
            let net = network(s);
            s.output("ExportVpcId", "taken");
            s.output("export_vpc_id", "taken too");
            net
        });
        stacks.stack("service", |s| {
            s.add(ec2::SecurityGroup::new("Web", &net.vpc, "web"));
        });
    });
    fails(
        &app,
        &[
            "output logical id `ExportVpcId` is needed for the export of `Vpc` to stack `service`: rename the output",
            "output name `export_vpc_id` is needed for the export of `Vpc` to stack `service`: rename the output",
        ],
    );
}

#[test]
fn a_value_read_from_another_environment_is_read_again_not_exported() {
    use stackwright::aws::{acm, remote, route53};
    let at = line_below(27);
    let app = App::new("shop")
        .environment(Environment::new("global", "123456789012", "us-east-1", ()))
        .environment(dev())
        .stacks(|stacks, env| {
            if env.name() == "global" {
                stacks.stack("edge", |s| {
                    let zone = s.add(route53::HostedZone::new("Zone", "example.com"));
                    let cert = s.add(acm::Certificate::dns_validated(
                        "Cert",
                        "example.com",
                        &zone,
                    ));
                    s.output("CertificateArn", cert.arn());
                });
                return;
            }
            let arn = stacks.stack("reader", |s| {
                s.add(remote::StackOutput::new(
                    "Read",
                    "global",
                    "edge",
                    "CertificateArn",
                ))
                .value()
            });
            stacks.stack("service", |s| {
                s.output("Cert", arn.clone());
                s.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
            });
        });
    fails(
        &app,
        &[
            "`Cert` uses `Read` of stack `reader`, a value read from environment `global`: read it in stack `service` too",
            &at,
        ],
    );
}

#[test]
fn more_than_200_outputs_is_an_error() {
    let app = App::new("shop").environment(dev()).stacks(|stacks, _| {
        let vpcs: Vec<ec2::VpcHandle> = stacks.stack("network", |s| {
            (0..201)
                .map(|i| s.add(ec2::Vpc::new(format!("Vpc{i}"), "10.0.0.0/16")))
                .collect()
        });
        stacks.stack("service", |s| {
            for (i, vpc) in vpcs.iter().enumerate() {
                s.add(ec2::SecurityGroup::new(format!("Web{i}"), vpc, "web"));
            }
        });
    });
    fails(
        &app,
        &["template has 201 outputs (201 of them exports for other stacks): CloudFormation allows 200"],
    );
}

/// Instantiating a few environments at a time (as synth does, to keep memory flat) finds the same problems,
/// in the same order, with the same rejected instances, as instantiating all at once: physical names shared
/// across environments, reads of an earlier and of a later environment's missing output, a handle smuggled
/// into another environment, a builder's own problem.
#[test]
fn batches_of_environments_find_what_one_batch_finds() {
    use stackwright::aws::remote;
    use stackwright_core::{Batch, Selection};
    let first: Mutex<Option<ec2::VpcHandle>> = Mutex::new(None);
    let app = (0..5)
        .map(|i| Environment::new(format!("env-{i}"), "123456789012", "us-west-2", ()))
        .fold(App::new("shop").naming("{app}-{name}"), App::environment)
        .stack("main", move |s, env| {
            let cidr = if env.name() == "env-2" {
                "not-a-cidr"
            } else {
                "10.0.0.0/16"
            };
            let vpc = s.add(ec2::Vpc::new("Vpc", cidr));
            s.add(stackwright::aws::s3::Bucket::new("Logs").name("shared-logs"));
            match env.name() {
                "env-0" => {
                    s.add(remote::StackOutput::new(
                        "Later", "env-4", "main", "Missing",
                    ));
                    // Each run smuggles its own env-0 handle.
                    *first.lock().unwrap() = Some(vpc);
                }
                "env-3" => {
                    let first = first.lock().unwrap();
                    let foreign = first.as_ref().unwrap();
                    s.add(ec2::Subnet::new("Smuggled", foreign, "10.0.1.0/24"));
                }
                "env-4" => {
                    s.add(remote::StackOutput::new(
                        "Earlier", "env-0", "main", "Missing",
                    ));
                }
                _ => {}
            }
        });
    let run = |per_batch: usize| {
        let mut rejected = Vec::new();
        let checked = app.instantiate_each(&Selection::default(), per_batch, &mut |b: Batch| {
            for (i, instance) in b.instances.iter().enumerate() {
                if instance.links.rejected > 0 {
                    rejected.push(b.first + i);
                }
            }
        });
        rejected.extend(checked.rejected_late);
        rejected.sort();
        (checked.problems, rejected)
    };
    let all = app.instantiate(&Selection::default());
    let mut rejected: Vec<usize> = (0..all.instances.len())
        .filter(|&i| all.instances[i].links.rejected > 0)
        .collect();
    rejected.sort();
    let messages = all.problems.iter().map(|p| p.message.as_str());
    let text = messages.collect::<Vec<_>>().join("\n");
    for expected in [
        "invalid CIDR block `not-a-cidr`",
        "physical name `shop-shared-logs` is also given to `Logs` in environment `env-0`",
        "`Later` reads output `Missing` of stack `main` in environment `env-4`",
        "`Earlier` reads output `Missing` of stack `main` in environment `env-0`",
        "`Smuggled` references a resource attribute of environment `env-0` (stack `main`)",
    ] {
        assert!(text.contains(expected), "{expected} not in:\n{text}");
    }
    assert_eq!(rejected, [0, 3, 4]);
    for per_batch in [1, 2, 3] {
        assert_eq!(
            run(per_batch),
            (all.problems.clone(), rejected.clone()),
            "{per_batch}"
        );
    }
}

/// The app `shop` in `dev` and `prod` (another account), with the stacks `define` declares.
fn dev_and_prod(
    define: impl Fn(&mut stackwright::Stacks, &Environment<()>) + Send + Sync + 'static,
) -> App<()> {
    App::new("shop")
        .environment(dev())
        .environment(Environment::new("prod", "210987654321", "eu-west-1", ()))
        .stacks(define)
}

/// An environment of two linked stacks leaves the definition: its artifacts are kept, `list` tears the
/// consumer down before the producer (CloudFormation refuses to delete a stack whose exports are
/// imported), and `plan` reports no "deadly embrace" (the importing stack goes too).
#[test]
fn a_removed_environment_of_linked_stacks_is_torn_down_consumer_first_with_no_embrace() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let o = out.to_str().unwrap();
    let both = dev_and_prod(|stacks, _| {
        let net = stacks.stack("network", network);
        stacks.stack("service", |stack| {
            stack.add(ec2::SecurityGroup::new("Web", &net.vpc, "web"));
        });
    });
    assert_eq!(run(&both, &["synth", "--out", o]).0, 0);
    let only_dev = two_stacks(dev());
    let (code, plan, stderr) = run(&only_dev, &["plan", "--against", o]);
    assert!(code == 2 || code == 3, "{code}: {plan}{stderr}");
    assert!(
        !plan.contains("DEPLOY WILL FAIL") && !plan.contains("keep_export"),
        "{plan}"
    );
    assert_eq!(run(&only_dev, &["synth", "--out", o]).0, 0);
    let (code, list, stderr) = run(&only_dev, &["list", "--out", o]);
    assert_eq!(code, 0, "{stderr}");
    let prod = &list[list.find("environment prod").expect(&list)..];
    let service = prod
        .find("  teardown wave 1\n    stack service [cloudformation]")
        .expect(prod);
    let network = prod
        .find("  teardown wave 2\n    stack network [cloudformation]")
        .expect(prod);
    assert!(service < network, "{prod}");
    assert!(
        prod.contains(&format!(
            "after destroying: {}",
            out.join("cloudformation/prod/service.template.json")
                .display()
        )),
        "{prod}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&run(&only_dev, &["list", "--out", o, "--format", "json"]).1).unwrap();
    let waves: Vec<(&str, u64)> = json["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["env"] == "prod")
        .map(|a| {
            (
                a["stack"].as_str().unwrap(),
                a["teardown_wave"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        waves,
        [
            ("service", 1),
            ("service", 1),
            ("network", 2),
            ("network", 2)
        ]
    );
}

/// An environment the definition no longer has, whose artifacts the tree keeps, can still be selected:
/// `plan --env`, `list --env` and `synth --env` of it work on its kept artifacts alone (its teardown),
/// and leave the other environments out; a name neither defined nor kept is still an error naming both
/// kinds.
#[test]
fn a_removed_environment_the_tree_keeps_can_be_selected() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    let o = out.to_str().unwrap();
    let both = dev_and_prod(|stacks, _| {
        stacks.stack("network", network);
    });
    assert_eq!(run(&both, &["synth", "--out", o]).0, 0);
    let only_dev = App::new("shop").environment(dev()).stacks(|stacks, _| {
        stacks.stack("network", network);
    });

    let (code, plan, stderr) = run(
        &only_dev,
        &["plan", "--env", "prod", "--against", o, "--format", "json"],
    );
    assert!(code == 2 || code == 3, "{code}: {plan}{stderr}");
    let plan: serde_json::Value = serde_json::from_str(&plan).unwrap();
    let stacks: Vec<(&str, &str)> = plan["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["environment"].as_str().unwrap(),
                s["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(!stacks.is_empty(), "{plan:#}");
    assert!(
        stacks
            .iter()
            .all(|&(env, status)| env == "prod" && status == "removed"),
        "{stacks:?}"
    );

    let (code, list, stderr) = run(&only_dev, &["list", "--env", "prod", "--out", o]);
    assert_eq!(code, 0, "{stderr}");
    assert!(list.contains("environment prod"), "{list}");
    assert!(!list.contains("environment dev"), "{list}");

    let dev_module = out.join("terraform/dev/network/main.tf.json");
    let before = std::fs::read(&dev_module).unwrap();
    let (code, stdout, stderr) = run(&only_dev, &["synth", "--env", "prod", "--out", o]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("the selection holds no stack of the definition; nothing synthesized")
            && stdout.contains("kept the artifacts of a stack removed from the definition until torn down: prod/network"),
        "{stdout}"
    );
    assert_eq!(std::fs::read(&dev_module).unwrap(), before);
    assert!(out
        .join("cloudformation/prod/network.template.json")
        .exists());

    let (code, _, stderr) = run(&only_dev, &["plan", "--env", "nope", "--against", o]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("unknown environment `nope`: expected one of dev, or one the definition no longer has whose artifacts the tree keeps: prod"),
        "{stderr}"
    );
}
