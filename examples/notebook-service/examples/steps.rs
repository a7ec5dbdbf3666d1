//! Writes, for each kind of change that cannot be deployed in one step, the deployed tree
//! `DIR/<kind>/out` and the steps `synth --steps` compiles the change into, `DIR/<kind>/steps/NN-<what>/`,
//! for `scripts/check-steps.sh`, which judges every step's tree with the outside checkers.
//!
//! Kinds: an export removed while imported, a stack removed while its exports are used, a CloudFormation
//! rename (a stack refactor), a replacement under a custom name, the flagship's blue/green switch, an
//! environment moved to another account (the rename in CloudFormation only: in Terraform it is one step,
//! a `moved` block), and a resource moved between stacks (`moved_from`). Each kind's trees are alone in
//! their directory: trees of one app side by side would share the local backend's state files.
//!
//! With `--rehearsal`, it writes instead the Terraform trees `scripts/rehearse-moto.sh` deploys into moto
//! (its steps phase): `move` (a table, stateful, moved between stacks) and `traffic-shift` (a small
//! blue/green switch: one load balancer, two target groups), whose first tree is deployed as it is.
//!
//! Usage: `cargo run -p notebook-service --example steps -- DIR [--rehearsal]`

use notebook_service::{app_with, environments};
use stackwright::aws::service::Color;
use stackwright::aws::{dynamodb, ec2, elbv2};
use stackwright::prelude::*;
use stackwright::synth::run_with;
use std::path::Path;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: cargo run -p notebook-service --example steps -- DIR");
        std::process::exit(2);
    };
    let dir = Path::new(&dir);
    match std::env::args().nth(2).as_deref() {
        None => {}
        Some("--rehearsal") => return rehearsal(dir),
        Some(other) => {
            eprintln!("unknown option `{other}`: expected --rehearsal or nothing");
            std::process::exit(2);
        }
    }
    let dev = || Environment::new("dev", "123456789012", "us-west-2", ());
    // The service uses the network's VPC (an export and an import), or one of its own; the network may
    // be gone altogether.
    let split = move |shared: bool, network: bool| {
        App::new("shop")
            .environment(dev())
            .stacks(move |stacks, _| {
                let vpc = network
                    .then(|| stacks.stack("network", |s| s.add(fixture_vpc("Vpc", "10.0.0.0/16"))));
                stacks.stack("service", |s| {
                    let vpc = match (&vpc, shared) {
                        (Some(vpc), true) => vpc.clone(),
                        _ => s.add(fixture_vpc("OwnVpc", "10.1.0.0/16")),
                    };
                    s.add(fixture_security_group("Web", &vpc, "web"));
                });
            })
    };
    let one = |account: &'static str, define: fn(&mut Stack)| {
        App::new("demo")
            .environment(Environment::new("dev", account, "us-west-2", ()))
            .stack("main", move |s, _| define(s))
    };
    let flagship = |live: Color| {
        let envs = environments().into_iter().map(move |e| match e.name() {
            "test" => Environment::new(
                e.name(),
                e.account(),
                e.region(),
                e.config().clone().blue_green(live),
            )
            .tag("stage", "test"),
            _ => e,
        });
        app_with(envs.collect())
    };
    write(
        dir,
        "export-in-use",
        &split(true, true),
        &split(false, true),
    );
    write(
        dir,
        "stack-in-use",
        &split(true, true),
        &split(false, false),
    );
    // CloudFormation only: a Terraform rename is one step (a `moved` block, Terraform >= 1.1, which the
    // checkers' Terraform 1.0.3 cannot validate).
    write_for(
        dir,
        "rename",
        &one("123456789012", |s| {
            s.add(fixture_vpc("Network", "10.0.0.0/16"));
        }),
        &one("123456789012", |s| {
            s.add(
                fixture_vpc("Vpc", "10.0.0.0/16")
                    .renamed_from("Network")
                    .tag("tier", "core"),
            );
        }),
        "cloudformation",
    );
    write(
        dir,
        "named-replacement",
        &one("123456789012", |s| {
            let vpc = s.add(fixture_vpc("Vpc", "10.0.0.0/16"));
            s.add(fixture_security_group("Web", &vpc, "web servers").name("web"));
        }),
        &one("123456789012", |s| {
            let vpc = s.add(fixture_vpc("Vpc", "10.0.0.0/16"));
            s.add(fixture_security_group("Web", &vpc, "web servers (HTTPS)").name("web"));
        }),
    );
    write(
        dir,
        "traffic-shift",
        &flagship(Color::Blue),
        &flagship(Color::Green),
    );
    let vpc: fn(&mut Stack) = |s| {
        s.add(fixture_vpc("Vpc", "10.0.0.0/16"));
    };
    write(
        dir,
        "relocation",
        &one("111111111111", vpc),
        &one("222222222222", vpc),
    );
    // The network's VPC moves to the service's stack: a stack refactor across both (CloudFormation), a
    // state move script (Terraform).
    let moved = move |after: bool| {
        App::new("shop")
            .environment(dev())
            .stacks(move |stacks, _| {
                stacks.stack("network", |s| {
                    s.add(fixture_vpc("Edge", "10.2.0.0/16"));
                    if !after {
                        s.add(fixture_vpc("Vpc", "10.0.0.0/16"));
                    }
                });
                stacks.stack("service", |s| {
                    if after {
                        s.add(fixture_vpc("Vpc", "10.0.0.0/16").moved_from("network", "Vpc"));
                    }
                    s.add(fixture_vpc("OwnVpc", "10.1.0.0/16"));
                });
            })
    };
    write(dir, "move", &moved(false), &moved(true));
}

/// The Terraform trees of the moto rehearsal's steps phase (see the top of this file).
fn rehearsal(dir: &Path) {
    // An account of its own in moto, which the rehearsal's other phases do not use.
    let dev = || Environment::new("dev", "555555555555", "us-west-2", ());
    // The orders table moves from `service` to `storage`, under the name it has (a table's name is
    // create-only: a new name would replace it).
    let table = |id: &str| dynamodb::Table::new(id, dynamodb::Key::string("id")).name("orders");
    let moved = move |after: bool| {
        App::new("shop")
            .environment(dev())
            .stacks(move |stacks, _| {
                stacks.stack("storage", |s| {
                    s.add(fixture_vpc("Vpc", "10.0.0.0/16"));
                    if after {
                        s.add(table("Orders").moved_from("service", "Data"));
                    }
                });
                stacks.stack("service", |s| {
                    s.add(fixture_vpc("OwnVpc", "10.1.0.0/16"));
                    if !after {
                        s.add(table("Data"));
                    }
                });
            })
    };
    write_for(dir, "move", &moved(false), &moved(true), "terraform");
    // All traffic moves from the blue target group to the green one.
    let switch = move |green: u32| {
        App::new("web")
            .environment(dev())
            .stack("main", move |s, _| {
                let vpc = s.add(fixture_vpc("Vpc", "10.0.0.0/16"));
                let subnets = [("a", 0), ("b", 1)].map(|(zone, i)| {
                    s.add(
                        ec2::Subnet::new(format!("Subnet{i}"), &vpc, &format!("10.0.{i}.0/24"))
                            .availability_zone(format!("us-west-2{zone}")),
                    )
                });
                let group = s.add(fixture_security_group("Web", &vpc, "web"));
                let lb = s.add(elbv2::LoadBalancer::application(
                    "Lb",
                    elbv2::Scheme::Internal,
                    &subnets,
                    [&group],
                ));
                let blue = s.add(elbv2::TargetGroup::new(
                    "Blue",
                    elbv2::Protocol::Http,
                    80,
                    &vpc,
                ));
                let green_group = s.add(elbv2::TargetGroup::new(
                    "Green",
                    elbv2::Protocol::Http,
                    80,
                    &vpc,
                ));
                s.add(elbv2::Listener::http(
                    "Http",
                    &lb,
                    80,
                    elbv2::Action::weighted_forward([(&blue, 100 - green), (&green_group, green)]),
                ));
            })
    };
    write_for(dir, "traffic-shift", &switch(0), &switch(100), "terraform");
}

/// A VPC of a fixture: nothing runs in it, so there is no traffic for flow logs to record (checkov's
/// CKV2_AWS_11, accepted with that reason, as a user would).
fn fixture_vpc(id: &str, cidr: &str) -> ec2::Vpc {
    ec2::Vpc::new(id, cidr).accept_finding(
        "CKV2_AWS_11",
        "a fixture of the change-steps check: nothing runs in it, no traffic to log",
    )
}

/// A security group of a fixture, attached to nothing because nothing runs (checkov's CKV2_AWS_5).
fn fixture_security_group(id: &str, vpc: &ec2::VpcHandle, description: &str) -> ec2::SecurityGroup {
    ec2::SecurityGroup::new(id, vpc, description).accept_finding(
        "CKV2_AWS_5",
        "a fixture of the change-steps check: nothing runs, so nothing uses the group",
    )
}

/// Synthesizes `before` into `DIR/<kind>/out`, then the steps of `after` beside it; exits 1 if either
/// fails or the change turns out to need one step.
fn write<C: 'static>(dir: &Path, kind: &str, before: &App<C>, after: &App<C>) {
    write_for(dir, kind, before, after, "all");
}

/// [`write`] for one target (`cloudformation`, `terraform` or `all`).
fn write_for<C: 'static>(dir: &Path, kind: &str, before: &App<C>, after: &App<C>, target: &str) {
    let out = dir.join(kind).join("out");
    let out = out.to_str().expect("a UTF-8 directory");
    run(before, &["synth", "--out", out, "--target", target]);
    let stdout = run(
        after,
        &["synth", "--steps", "--out", out, "--target", target],
    );
    if !stdout.starts_with("this change needs") {
        eprintln!("{kind}: expected steps, got: {stdout}");
        std::process::exit(1);
    }
    print!("{kind}: {stdout}");
}

fn run<C: 'static>(app: &App<C>, args: &[&str]) -> String {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let argv = std::iter::once("steps").chain(args.iter().copied());
    if run_with(app, argv, &mut stdout, &mut stderr, false) != 0 {
        eprintln!("{}", String::from_utf8_lossy(&stderr));
        std::process::exit(1);
    }
    String::from_utf8(stdout).expect("the CLI writes UTF-8")
}
