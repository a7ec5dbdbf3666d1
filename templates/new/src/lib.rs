// The infrastructure of this crate: environments, and stacks defined as plain Rust functions that run
// once per environment. `cargo run` compiles them to CloudFormation and Terraform JSON under out/.
//
// `stackwright new` compiles this very file to record the first snapshots, so keep it free of inner
// attributes (`//!` comments, `#![...]`).

use stackwright::aws::ec2::{self, Peer, Port};
use stackwright::prelude::*;

/// What differs between environments: sizes, counts, switches.
#[derive(Clone, Debug)]
pub struct Config {
    /// Subnets in the VPC, one /24 each.
    pub subnets: u8,
}

/// Where (account, region) and how (config) each copy of the infrastructure runs. Put your account id
/// here; add an environment to deploy another copy.
pub fn environments() -> Vec<Environment<Config>> {
    vec![Environment::new(
        "dev",
        "123456789012",
        "us-east-1",
        Config { subnets: 2 },
    )]
}

/// The app, named after this crate.
pub fn app() -> App<Config> {
    app_named(env!("CARGO_PKG_NAME"))
}

/// The app under another name (the name becomes the `app` tag and part of deployed stack names).
pub fn app_named(name: &str) -> App<Config> {
    environments()
        .into_iter()
        .fold(App::new(name), App::environment)
        .stack("network", network)
}

/// A VPC with flow logs and subnets, and a security group that lets HTTPS in from inside the VPC.
pub fn network(stack: &mut Stack, env: &Environment<Config>) {
    let vpc = stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    ec2::VpcFlowLogs::new("VpcFlowLogs").add_to(stack, &vpc);
    for i in 1..=env.config().subnets {
        let cidr = format!("10.0.{i}.0/24");
        stack.add(ec2::Subnet::new(format!("Subnet-{i}"), &vpc, &cidr));
    }
    let web = stack.add(
        ec2::SecurityGroup::new("Web", &vpc, "HTTPS from inside the VPC").allow_ingress(
            Peer::ipv4("10.0.0.0/16"),
            Port::tcp(443),
            "HTTPS from the VPC",
        )
        // A finding accepted with its reason, as checkov reports it; remove this once something
        // uses the group.
        .accept_finding(
            "CKV2_AWS_5",
            "the starter group is for the instances or load balancers added next",
        ),
    );
    stack.output("VpcId", vpc.id());
    stack.output("WebSecurityGroupId", web.id());
}
