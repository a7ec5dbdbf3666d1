//! The Notebook Service as a fleet of 500 environments (its `network` and `service` stacks in each), 100
//! staging cells and 400 production cells behind an approval environment, over 10 accounts and 4
//! regions, with Terraform state in S3: the scale case of the generated CI pipelines
//! (`scripts/check-ci.sh`):
//! `cargo run -p notebook-service --example fleet -- ci --target terraform --root DIR`.
use notebook_service::{network, service, Sizing};
use stackwright::ci::CiEnvironment;
use stackwright::prelude::*;
use stackwright::terraform::Backend;

/// How many environments the fleet has.
const CELLS: usize = 500;
const STAGING: usize = 100;
const REGIONS: [&str; 4] = ["us-west-2", "us-east-1", "eu-central-1", "eu-west-1"];

fn environment(i: usize) -> Environment<Sizing> {
    let account = format!("{:012}", 100_000_000_000 + (i % 10) as u64);
    let region = REGIONS[i % REGIONS.len()];
    let staging = i < STAGING;
    let name = if staging {
        format!("stage-{i:03}")
    } else {
        format!("prod-{i:03}")
    };
    let env = Environment::new(name, account, region, Sizing::new(2, "m5.large"))
        .terraform_backend(Backend::S3 {
            bucket: "notebook-fleet-state".into(),
            region: "us-east-1".into(),
            key: None,
            dynamodb_table: Some("notebook-fleet-locks".into()),
        });
    if staging {
        env
    } else {
        env.approval("production")
    }
}

fn main() -> std::process::ExitCode {
    (0..CELLS)
        .map(environment)
        .fold(App::new("notebook"), App::environment)
        .stacks(|stacks, env| {
            let network = stacks.stack("network", |stack| network(stack, env));
            stacks.stack("service", |stack| service(stack, env, &network));
        })
        .run()
}
