use serde_json::Value;
use stackwright::synth::{ArtifactPath, Target};
use std::collections::BTreeMap;

/// Every artifact of the example, parsed, by path under out/.
pub fn artifacts() -> BTreeMap<String, Value> {
    stackwright_testing::artifacts(&web_app::app())
}

pub const ENVIRONMENTS: [&str; 2] = ["staging", "production"];

pub fn cloudformation(env: &str) -> String {
    ArtifactPath::new(Target::CloudFormation, env, "web").path()
}

pub fn terraform(env: &str) -> String {
    ArtifactPath::new(Target::Terraform, env, "web").path()
}

/// The CloudFormation template and the Terraform module of each environment: (environment, template,
/// module).
pub fn per_environment() -> Vec<(&'static str, Value, Value)> {
    let mut docs = artifacts();
    ENVIRONMENTS
        .into_iter()
        .map(|env| {
            let template = docs.remove(&cloudformation(env)).expect("template");
            let module = docs.remove(&terraform(env)).expect("module");
            (env, template, module)
        })
        .collect()
}
