//! Writes the deploy rehearsal's inputs (`scripts/rehearse-moto.sh`) into `DIR`: the base tree `DIR/base/out`,
//! and per scenario, in the order they are applied, the changed tree `DIR/<scenario>/out` and Stackwright's
//! plan of it against the tree it follows, `DIR/<scenario>.plan.json` (`plan --format json --env test --target
//! terraform`). `DIR/scenarios.json` lists them: `[{"name", "against"}]`, where `against` is the tree the
//! scenario is planned against (the one deployed before it).
//!
//! The rehearsal's app is the flagship with the rehearsal's own additions, which users never get: a bucket
//! in the `test` environment (the flagship has none: the stateful resource the rehearsal renames and
//! removes). Scenarios change the `test` environment's configuration (scale out, size, AMI, blue/green) or
//! the definition (rename, remove the bucket). What the flagship's definition cannot change (a subnet's
//! CIDR, a second security group, their order, a rule inserted before another) are edits of the previous
//! scenario's Terraform module, planned by `stackwright_plan` directly on the two modules.
//!
//! Besides the scenarios: `DIR/teardown.plan.json`, the plan of removing the `test` environment (what
//! Stackwright predicts `terraform destroy` does), and `DIR/breach/out` with `DIR/breach.plan.json`, the
//! breach drill: the `test` environment recreated in another account (`333333333333`).
//!
//! Each tree has a directory of its own around it: trees of one app side by side in one directory would
//! share the local backend's state files (`terraform-state/` beside them), which synth refuses.
//!
//! Usage: `cargo run -p notebook-service --example rehearsal -- DIR`

use notebook_service::{environments, notebook, Sizing};
use serde_json::{json, Value};
use stackwright::aws::s3;
use stackwright::aws::service::Color;
use stackwright::prelude::*;
use stackwright::synth::run_with;
use stackwright::tags;
use stackwright::RemovalPolicy;
use std::path::{Path, PathBuf};

const MODULE: &str = "terraform/test/notebook/main.tf.json";
/// The account the breach drill recreates the `test` environment in.
const BREACH_ACCOUNT: &str = "333333333333";

/// The rehearsal's bucket in the `test` environment: its id and the id it had before, if renamed.
#[derive(Clone, Copy)]
enum Bucket {
    Kept(&'static str),
    Renamed {
        id: &'static str,
        from: &'static str,
    },
    Removed,
}

/// The flagship's environments with `test` sized by `sizing` (and in `account`), and the rehearsal's bucket.
fn rehearsal_app(account: &str, sizing: impl Fn(Sizing) -> Sizing, bucket: Bucket) -> App<Sizing> {
    let envs = environments().into_iter().map(|e| match e.name() {
        "test" => Environment::new(e.name(), account, e.region(), sizing(e.config().clone()))
            .tag("stage", "test")
            .removal_policy(RemovalPolicy::Destroy),
        _ => e,
    });
    envs.fold(
        App::new("notebook")
            .tag(tags::OWNER, "data-science-platform")
            .tag(tags::COST_CENTER, "cc-4711"),
        App::environment,
    )
    .stack("notebook", move |stack, env| {
        notebook(stack, env);
        if env.name() != "test" {
            return;
        }
        match bucket {
            Bucket::Kept(id) => {
                stack.add(s3::Bucket::new(id));
            }
            Bucket::Renamed { id, from } => {
                stack.add(s3::Bucket::new(id).renamed_from(from));
            }
            Bucket::Removed => {}
        }
    })
}

const TEST_ACCOUNT: &str = "222222222222";
const SCRATCH: Bucket = Bucket::Kept("Scratch");

fn scale_out(s: Sizing) -> Sizing {
    Sizing {
        replicas: s.replicas + 1,
        ..s
    }
}
fn larger(s: Sizing) -> Sizing {
    Sizing {
        instance_type: "t3.large".into(),
        ..scale_out(s)
    }
}
fn other_ami(s: Sizing) -> Sizing {
    larger(s).ami_parameter("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64")
}
fn blue_live(s: Sizing) -> Sizing {
    other_ami(s).blue_green(Color::Blue)
}
fn green_live(s: Sizing) -> Sizing {
    other_ami(s).blue_green(Color::Green)
}

/// A scenario: its name, the scenario it follows (its plan is against that tree), and its tree.
struct Scenario {
    name: &'static str,
    against: &'static str,
    tree: Tree,
}

enum Tree {
    /// Synthesized from a definition.
    App(Box<App<Sizing>>),
    /// The `against` scenario's `test` module, edited.
    Edit(fn(&mut Value)),
}

/// The scenarios in the order they are deployed; each is planned against the one it follows.
fn scenarios() -> Vec<Scenario> {
    let app = |name, against, sizing: fn(Sizing) -> Sizing, bucket| Scenario {
        name,
        against,
        tree: Tree::App(Box::new(rehearsal_app(TEST_ACCOUNT, sizing, bucket))),
    };
    let edit = |name, against, edit: fn(&mut Value)| Scenario {
        name,
        against,
        tree: Tree::Edit(edit),
    };
    vec![
        app("no-change", "base", |s| s, SCRATCH),
        app("scale-out", "no-change", scale_out, SCRATCH),
        app("change-size", "scale-out", larger, SCRATCH),
        app("change-ami", "change-size", other_ami, SCRATCH),
        app("adopt-blue-green", "change-ami", blue_live, SCRATCH),
        app("blue-green-switch", "adopt-blue-green", green_live, SCRATCH),
        app(
            "rename-bucket",
            "blue-green-switch",
            green_live,
            Bucket::Renamed {
                id: "Workspace",
                from: "Scratch",
            },
        ),
        // Terraform 1.0.3 cannot read `moved` blocks, so the rename is planned, not deployed: the
        // removal follows the deployment before it.
        app(
            "remove-bucket",
            "blue-green-switch",
            green_live,
            Bucket::Removed,
        ),
        edit("change-subnet-cidr", "remove-bucket", |m| {
            m["resource"]["aws_subnet"]["public_subnet_1"]["cidr_block"] = json!("10.0.2.0/24");
        }),
        edit("second-security-group", "change-subnet-cidr", |m| {
            // Another group for the instances, as a definition adding one would declare it.
            let mut group =
                m["resource"]["aws_security_group"]["notebook_instance_security_group"].clone();
            group["description"] = json!("Operators' tools on the instances");
            m["resource"]["aws_security_group"]["notebook_operators"] = group;
            for template in launch_templates(m) {
                push(
                    &mut template["vpc_security_group_ids"],
                    json!("${aws_security_group.notebook_operators.id}"),
                );
            }
        }),
        edit("reorder-security-groups", "second-security-group", |m| {
            // Sets in Terraform: reordering the groups (and the subnets) changes nothing.
            for template in launch_templates(m) {
                reverse(&mut template["vpc_security_group_ids"]);
            }
            reverse(&mut m["resource"]["aws_lb"]["notebook_load_balancer"]["subnets"]);
            for group in m["resource"]["aws_autoscaling_group"]
                .as_object_mut()
                .expect("groups")
                .values_mut()
            {
                reverse(&mut group["vpc_zone_identifier"]);
            }
        }),
        edit("insert-rule", "reorder-security-groups", |m| {
            // A rule added beside the instances' only ingress rule, as a definition adding one
            // synthesizes it.
            let rules = m["resource"]["aws_vpc_security_group_ingress_rule"]
                .as_object_mut()
                .expect("ingress rules");
            // Rules are named by their content, so the inserted rule is one new block and the
            // others keep their names.
            let first = rules["notebook_instance_security_group_ingress_tcp_8888_from_notebook_load_balancer_security_group"].clone();
            let mut inserted = first;
            inserted["from_port"] = json!(9100);
            inserted["to_port"] = json!(9100);
            inserted["description"] = json!("Metrics from the load balancer's subnets");
            rules.insert(
                "notebook_instance_security_group_ingress_tcp_9100_from_notebook_load_balancer_security_group"
                    .into(),
                inserted,
            );
        }),
    ]
}

fn launch_templates(m: &mut Value) -> impl Iterator<Item = &mut Value> {
    m["resource"]["aws_launch_template"]
        .as_object_mut()
        .expect("launch templates")
        .values_mut()
}

fn push(list: &mut Value, item: Value) {
    list.as_array_mut().expect("a list").push(item);
}

fn reverse(list: &mut Value) {
    list.as_array_mut().expect("a list").reverse();
}

fn run(app: &App<Sizing>, args: &[&str]) -> Vec<u8> {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let argv = std::iter::once("notebook-service").chain(args.iter().copied());
    let code = run_with(app, argv, &mut stdout, &mut stderr, false);
    if !matches!(code, 0 | 2 | 3) {
        eprintln!("{}", String::from_utf8_lossy(&stderr));
        std::process::exit(1);
    }
    stdout
}

/// Where the tree of scenario `name` goes: `DIR/<name>/out`, alone in its directory (see the module's
/// documentation).
fn out_dir(dir: &Path, name: &str) -> PathBuf {
    dir.join(name).join("out")
}

fn synth_and_plan(app: &App<Sizing>, dir: &Path, name: &str, against: &str) {
    let path = |name: &str| out_dir(dir, name).to_string_lossy().into_owned();
    run(app, &["synth", "--out", &path(name)]);
    let plan = run(
        app,
        &[
            "plan",
            "--against",
            &path(against),
            "--format",
            "json",
            "--env",
            "test",
            "--target",
            "terraform",
        ],
    );
    std::fs::write(dir.join(format!("{name}.plan.json")), plan).expect("write the plan");
}

fn read_module(dir: &Path, name: &str) -> Value {
    let path = out_dir(dir, name).join(MODULE);
    serde_json::from_slice(&std::fs::read(&path).expect("a scenario's module"))
        .expect("a scenario's module parses")
}

fn write_json(path: &Path, value: &Value) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("the scenario's directory");
    let mut text = serde_json::to_vec_pretty(value).expect("serializes");
    text.push(b'\n');
    std::fs::write(path, text).expect("write");
}

/// Stackwright's plan from the `test` module `before` to `after` (none: the environment is removed).
fn plan_modules(before: &Value, after: Option<&Value>) -> Value {
    let document = |json| stackwright_plan::Document {
        environment: "test",
        stack: "notebook",
        target: stackwright_plan::Target::Terraform,
        json,
        renames: &[],
        unchanged: None,
    };
    let after: Vec<_> = after.into_iter().map(document).collect();
    stackwright_plan::render::json(&stackwright_plan::plan(&[document(before)], &after))
}

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: rehearsal DIR");
        std::process::exit(2);
    };
    let dir = Path::new(&dir);
    let base = rehearsal_app(TEST_ACCOUNT, |s| s, SCRATCH);
    run(
        &base,
        &["synth", "--out", &out_dir(dir, "base").to_string_lossy()],
    );
    let mut listed = Vec::new();
    for Scenario {
        name,
        against,
        tree,
    } in scenarios()
    {
        match tree {
            Tree::App(app) => synth_and_plan(&app, dir, name, against),
            Tree::Edit(edit) => {
                let before = read_module(dir, against);
                let mut after = before.clone();
                edit(&mut after);
                write_json(&out_dir(dir, name).join(MODULE), &after);
                let plan = plan_modules(&before, Some(&after));
                write_json(&dir.join(format!("{name}.plan.json")), &plan);
            }
        }
        listed.push(json!({"name": name, "against": against}));
    }
    write_json(&dir.join("scenarios.json"), &Value::Array(listed));
    // What Stackwright predicts of tearing the last scenario's deployment down.
    let last = scenarios().last().expect("scenarios").name;
    let teardown = plan_modules(&read_module(dir, last), None);
    write_json(&dir.join("teardown.plan.json"), &teardown);
    // The breach drill: the environment recreated in another account, planned against the base.
    let breach = rehearsal_app(BREACH_ACCOUNT, |s| s, SCRATCH);
    synth_and_plan(&breach, dir, "breach", "base");
}
