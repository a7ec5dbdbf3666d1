//! Stackwright: write infrastructure as ordinary Rust, compile it to CloudFormation and Terraform JSON for
//! every environment.
//!
//! This facade is the only dependency a user adds. It re-exports the neutral model ([`App`],
//! [`Environment`], [`Stack`], [`Expr`]), the AWS builders ([`aws`], and the generated layers behind
//! features, below), the target-specific settings
//! ([`terraform`]), text templates with live references ([`template`]) and the command line
//! ([`Run::run`]).
//!
//! # Three layers of builders, one dependency
//!
//! - **Hand-written kinds** ([`aws`]: `aws::ec2::Vpc`, `aws::s3::Bucket`, ...): about 45 AWS types with
//!   secure defaults (encryption, closed security groups, IMDSv2, retained data), input checked where it
//!   is written, and grants between handles; both targets. Always compiled. Start here.
//! - **Registry builders** (`registry::<service>`, crate `stackwright-aws-generated`): every
//!   CloudFormation registry type, one Cargo feature per service named like its module (`lambda`,
//!   `sqs`, `elasticloadbalancingv2`; `registry-full` compiles them all); both targets, Terraform through
//!   the Cloud Control provider (`awscc_*` resources, which `terraform validate` and checkov cannot check
//!   here). For a type the catalog lacks when both targets must deploy it. No secure defaults: what the
//!   schema requires, validated against it.
//! - **hashicorp/aws builders** ([`terraform`]`::<service>`, crate `stackwright-aws-terraform`): every
//!   resource and data source of the hashicorp/aws provider (5.100.0), Terraform only (synthesizing
//!   CloudFormation for a stack that holds one is an error at its line). For Terraform teams: the
//!   provider's names and blocks, checked against its schema, and `aws_*` state they already have.
//!   One feature per service, `tf-<service>` (`tf-lambda`, `tf-vpc`); `tf-full` compiles them all.
//!
//! `full` compiles every service of both generated layers (CI; a user crate never needs it).
//!
//! # Escape to the typed builders
//!
//! A construct that lacks a property (a launch template's key pair) need not be given up for a generated
//! builder and its defaults lost: `.cloudformation(|t| ..)` (`registry::CloudFormationEscape`, with
//! the registry service's feature) and `.terraform(|t| ..)` (`terraform::TerraformEscape`, with
//! `tf-<service>`) hand the closure an empty generated builder of the construct's main resource, whose
//! typed setters say what to add. It is merged over the construct's own properties (objects by key, so
//! the defaults beside a patched key stay; anything else replaced) and validated like the rest:
//!
//! ```ignore
//! // features = ["ec2", "tf-ec2"]
//! use stackwright::prelude::*;
//! use stackwright::aws::ec2::LaunchTemplate;
//! use stackwright::registry::ec2::launch_template::{LaunchTemplateData, MetadataOptions};
//! use stackwright::terraform::ec2::launch_template::MetadataOptions as TfMetadataOptions;
//!
//! LaunchTemplate::new("Web", image, "t3.micro")
//!     .cloudformation(|t| t.launch_template_data(
//!         LaunchTemplateData::new()
//!             .key_name("ops")
//!             .metadata_options(MetadataOptions::new().http_put_response_hop_limit(2)),
//!     ))
//!     .terraform(|t| t.key_name("ops")
//!         .metadata_options(TfMetadataOptions::new().http_put_response_hop_limit(2)));
//! // IMDSv2 stays required in both: `HttpTokens`/`http_tokens` sit beside the hop limit.
//! ```
//!
//! (Compiled by the `stackwright` tests, `tests/escape.rs`, and by the generated crates' own docs.)
//! Composites escape to their main resource: `lambda::Function` to the function, `ec2::VpcNetwork` to
//! the VPC, `ec2::VpcFlowLogs` to the flow log, `service::ReplicatedService` to the load balancer.
//!
//! Handles of every layer mix: a hand-written VPC's `id()` goes into a generated endpoint. Generated
//! services are opt-in: a crate that enables none compiles none, and each service costs its own compile
//! time once (a definition's edit recompiles only the definition).
//!
//! ```toml
//! [dependencies]
//! # the registry's Lambda and SQS services (both targets) and hashicorp/aws's VPC service (Terraform)
//! stackwright = { version = "0.1", features = ["lambda", "sqs", "tf-vpc"] }
//! ```
//!
//! ```no_run
//! use stackwright::prelude::*;
//! use stackwright::aws::ec2;
//!
//! struct Sizing { replicas: usize }
//!
//! fn main() -> std::process::ExitCode {
//!     App::new("demo")
//!         .environment(Environment::new("test", "222222222222", "us-west-2", Sizing { replicas: 1 }))
//!         .stack("network", |stack, env| {
//!             let vpc = stack.add(ec2::Vpc::new("Vpc", "10.0.0.0/16"));
//!             for i in 1..=env.config().replicas {
//!                 stack.add(ec2::Subnet::new(format!("Subnet-{i}"), &vpc, &format!("10.0.{i}.0/24")));
//!             }
//!         })
//!         .run()
//! }
//! ```

pub use stackwright_core::{
    interpolate, json, AnyApp, App, Diagnostic, EnvSpec, Environment, Expr, HasResourceRef,
    ParamHandle, ParamType, Parameter, RemovalPolicy, Stack, Stacks, Target, Value,
};

/// The rule app, environment and stack names follow (they become path segments and deployed stack
/// names): `ids::validate_name`, for tools that check a name before building an app (`stackwright new`).
pub mod ids {
    pub use stackwright_core::ids::validate_name;
}

/// Standard tag keys (`tags::OWNER`, `tags::COST_CENTER`, ...) for `App::tag` and `Environment::tag`.
pub use stackwright_core::tags;

/// Code assets: a file, a directory or a build command's output, packed into a reproducible zip named
/// by its sha256, written to `out/assets/` and listed in `manifest.json` (`stackwright-assets`);
/// [`assets::bootstrap`] declares the bucket they are published to.
pub mod assets {
    pub use stackwright_assets::{
        asset_path, bootstrap, bucket_exists, bucket_name, untestable_here, Architecture, Asset,
        AssetBucket, AssetHandle, AssetPath, AssetUse, BuildCommand, ImageBuild, Kind,
        RustFunction, StackAssets, UsedAssets, LAMBDA_UNZIPPED_LIMIT, LAMBDA_ZIPPED_LIMIT,
    };
}

/// Typed AWS resource builders.
pub mod aws {
    pub use stackwright_aws::*;
}

/// The registry builders: every CloudFormation registry type, one module per service, each behind the
/// feature named like it (`lambda`, `sqs`, `elasticloadbalancingv2`; `registry-full` for all), lowered to
/// CloudFormation and to Terraform's awscc provider (crate `stackwright-aws-generated`).
#[cfg(feature = "registry")]
pub mod registry {
    pub use stackwright_aws_generated::*;
}

/// Terraform-only settings of an environment (backend, assumed role), raw Terraform resources, and, with
/// the `tf-<service>` features, the typed builders of every hashicorp/aws resource and data source
/// (`terraform::lambda::Function`, `terraform::iam::data::PolicyDocument`; crate `stackwright-aws-terraform`).
pub mod terraform {
    pub use stackwright_aws::raw::TerraformRaw as Raw;
    #[cfg(feature = "aws-terraform")]
    pub use stackwright_aws_terraform::*;
    pub use stackwright_terraform::{Backend, TerraformEnvironment, TerraformSettings};
}

/// Text templates (tera) rendered per environment, with references to other resources: user data,
/// cloud-init documents, configuration files.
pub mod template {
    pub use stackwright_template::{Render, Template};
}

/// Embeds a template file (path relative to the calling file) in the binary; see [`template::Template`].
pub use stackwright_template::include_template;
/// Raw CloudFormation resources, for types the catalog does not cover.
pub mod cloudformation {
    pub use stackwright_aws::raw::CloudFormationRaw as Raw;
}

/// Settings of the generated CI pipelines (`ci`): an environment's approval environment and deploy role.
pub mod ci {
    pub use stackwright_ci::{CiEnvironment, CiSettings};
}

/// CloudFormation StackSets: one stack of the app deployed to a fleet of environments (organizational
/// units or accounts x regions) through one stack set and its administration stack.
pub mod stackset {
    pub use stackwright_stackset::{
        Amount, AutoDeployment, DeploymentTarget, Fleet, Fleets, Member, OperationPreferences,
        Permissions, RegionConcurrency, StackSet, StackSets, ENVIRONMENT_PARAMETER,
    };
    pub use stackwright_synth::stack_set;
}

pub use cloudformation as cfn;
pub use terraform as tf;

/// Synthesis without the command line: for tests, benchmarks and tools.
pub mod synth {
    pub use stackwright_cli::{run_with, write_tree};
    pub use stackwright_synth::{
        synthesize, synthesize_into, waves, Artifact, ArtifactPath, Request, SynthError, Synthesis,
        Target, WrittenSynthesis,
    };
}

/// Runs the command line (`synth`, `list`) for an app: `fn main() -> ExitCode { app().run() }`.
pub trait Run {
    fn run(self) -> std::process::ExitCode;
}

/// Only the conversion to `&dyn AnyApp` is generic: the command line and synthesis behind it are
/// compiled once, in Stackwright's crates, so an edit of the definition recompiles only the user's code.
impl<C> Run for App<C> {
    fn run(self) -> std::process::ExitCode {
        stackwright_cli::run(&self)
    }
}

/// What a definition usually needs in scope.
pub mod prelude {
    pub use crate::assets::{asset_path, Asset, StackAssets};
    /// `.cloudformation(|t| ..)` of every construct (with `registry`; see below).
    #[cfg(feature = "registry")]
    pub use crate::registry::CloudFormationEscape;
    pub use crate::template::Template;
    pub use crate::terraform::TerraformEnvironment;
    /// `.terraform(|t| ..)` of every construct (with `aws-terraform`; see below).
    #[cfg(feature = "aws-terraform")]
    pub use crate::terraform::TerraformEscape;
    pub use crate::{
        include_template, interpolate, json, App, Environment, Expr, Parameter, RemovalPolicy, Run,
        Stack, Stacks, Target,
    };
}

/// Compiles the README's example, so that it cannot rot.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
