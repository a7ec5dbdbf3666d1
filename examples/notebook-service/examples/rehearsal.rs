//! Writes the deploy rehearsal's inputs (`scripts/rehearse-moto.sh`): the flagship's artifact tree as
//! `DIR/base`, and per scenario the changed tree as `DIR/<scenario>` with Stackwright's plan of it against
//! the base, `DIR/<scenario>.plan.json` (`plan --format json --env test --target terraform`).
//!
//! Two scenarios change what the flagship cannot change through its configuration, so they edit the base
//! tree's `test` Terraform module instead and are planned by `stackwright_plan` directly on the two modules:
//! a subnet's CIDR, and a security group rule inserted before the existing one (positional rule names
//! shift: what a definition inserting a rule synthesizes today).
//!
//! Usage: `cargo run -p notebook-service --example rehearsal -- DIR`

use notebook_service::{app, app_with, environments, Sizing};
use serde_json::{json, Value};
use stackwright::synth::run_with;
use stackwright::{App, Environment, RemovalPolicy};
use std::path::Path;

const MODULE: &str = "terraform/test/notebook/main.tf.json";

/// The scenarios, each the flagship with the `test` environment changed.
fn scenarios() -> Vec<(&'static str, App<Sizing>)> {
    let with_test = |change: &dyn Fn(&Environment<Sizing>) -> Sizing| {
        let envs = environments()
            .into_iter()
            .map(|e| match e.name() {
                "test" => Environment::new(e.name(), e.account(), e.region(), change(&e))
                    .tag("stage", "test")
                    .removal_policy(RemovalPolicy::Destroy),
                _ => e,
            })
            .collect();
        app_with(envs)
    };
    vec![
        ("no-change", app()),
        (
            "scale-out",
            with_test(&|e| Sizing::new(e.config().replicas + 1, &e.config().instance_type)),
        ),
        (
            "change-size",
            with_test(&|e| Sizing::new(e.config().replicas, "t3.large")),
        ),
        (
            "change-ami",
            with_test(&|e| {
                Sizing::new(e.config().replicas, &e.config().instance_type).ami_parameter(
                    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64",
                )
            }),
        ),
    ]
}

fn run(app: &App<Sizing>, args: &[&str]) -> (u8, Vec<u8>) {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let argv = std::iter::once("notebook-service").chain(args.iter().copied());
    let code = run_with(app, argv, &mut stdout, &mut stderr, false);
    if !matches!(code, 0 | 2 | 3) {
        eprintln!("{}", String::from_utf8_lossy(&stderr));
        std::process::exit(1);
    }
    (code, stdout)
}

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: rehearsal DIR");
        std::process::exit(2);
    };
    let dir = Path::new(&dir);
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let base = path("base");
    run(&app(), &["synth", "--out", &base]);
    for (name, app) in scenarios() {
        run(&app, &["synth", "--out", &path(name)]);
        let (_, plan) = run(
            &app,
            &[
                "plan",
                "--against",
                &base,
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
    let base_module: Value =
        serde_json::from_slice(&std::fs::read(dir.join("base").join(MODULE)).expect("base module"))
            .expect("base module parses");
    for (name, edit) in edited() {
        let mut module = base_module.clone();
        edit(&mut module);
        let out = dir.join(name).join(MODULE);
        std::fs::create_dir_all(out.parent().expect("module dir")).expect("scenario dir");
        let mut text = serde_json::to_vec_pretty(&module).expect("serializes");
        text.push(b'\n');
        std::fs::write(&out, text).expect("write the module");
        let document = |json| stackwright_plan::Document {
            environment: "test",
            stack: "notebook",
            target: stackwright_plan::Target::Terraform,
            json,
            renames: &[],
        };
        let plan = stackwright_plan::plan(&[document(&base_module)], &[document(&module)]);
        let mut text =
            serde_json::to_vec_pretty(&stackwright_plan::render::json(&plan)).expect("json");
        text.push(b'\n');
        std::fs::write(dir.join(format!("{name}.plan.json")), text).expect("write the plan");
    }
}

type Edit = fn(&mut Value);

/// Scenarios written as edits of the base `test` module.
fn edited() -> Vec<(&'static str, Edit)> {
    vec![
        ("change-subnet-cidr", |m| {
            m["resource"]["aws_subnet"]["public_subnet_1"]["cidr_block"] = json!("10.0.2.0/24");
        }),
        ("insert-rule", |m| {
            let rules = m["resource"]["aws_vpc_security_group_ingress_rule"]
                .as_object_mut()
                .expect("ingress rules");
            // Rules are named by their content, so an inserted rule is one new block.
            let first = "notebook_instance_security_group_ingress_tcp_8888_from_notebook_load_balancer_security_group";
            let mut inserted = rules[first].clone();
            inserted["from_port"] = json!(80);
            inserted["to_port"] = json!(80);
            inserted["description"] = json!("HTTP from anywhere, redirected to HTTPS");
            rules.insert(
                "notebook_instance_security_group_ingress_tcp_80_from_notebook_load_balancer_security_group"
                    .into(),
                inserted,
            );
        }),
    ]
}
