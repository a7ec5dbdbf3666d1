use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};
use stackwright_core::{AnyApp, Diagnostic, Selection, StackInstance};

pub use stackwright_plan::Target;

/// What to synthesize: which environments (all when empty) and which targets.
#[derive(Clone, Debug)]
pub struct Request {
    pub environments: Vec<String>,
    pub targets: Vec<Target>,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            environments: Vec::new(),
            targets: Target::ALL.to_vec(),
        }
    }
}

/// One generated file and what it deploys.
#[derive(Clone, Debug)]
pub struct Artifact {
    pub environment: String,
    pub account: String,
    pub region: String,
    pub stack: String,
    pub target: Target,
    /// Path relative to the output directory, with `/` separators.
    pub path: String,
    pub resource_count: usize,
    pub bytes: Vec<u8>,
    /// Artifacts (paths) of the same target that must be deployed first: those of the stacks of its
    /// environment this one imports from or names in `depends_on`, then those of other environments
    /// whose outputs it reads.
    pub depends_on: Vec<String>,
    /// Declared renames the artifact cannot express, as (old, new) logical ids: CloudFormation's. (Terraform
    /// modules say it themselves, in `moved` blocks.)
    pub renames: Vec<(String, String)>,
    /// What `aws cloudformation deploy --capabilities` must acknowledge for this template (empty for
    /// Terraform, and for templates that need none).
    pub capabilities: Vec<&'static str>,
}

/// Everything one synthesis produces, in a deterministic order: environments and stacks in declaration
/// order, CloudFormation before Terraform.
#[derive(Clone, Debug)]
pub struct Synthesis {
    pub app: String,
    pub artifacts: Vec<Artifact>,
    /// `manifest.json`: every artifact with its environment, account, region, stack, target, path, sha256
    /// and the paths of the artifacts it depends on (`depends_on`).
    pub manifest: Vec<u8>,
}

impl Synthesis {
    /// Every file of the output directory (artifacts and manifest), as (relative path, bytes).
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.artifacts
            .iter()
            .map(|a| (a.path.as_str(), a.bytes.as_slice()))
            .chain(std::iter::once((MANIFEST, self.manifest.as_slice())))
    }
}

pub(crate) const MANIFEST: &str = stackwright_tree::manifest::FILE_NAME;

/// Runs the app's definitions for the requested environments and lowers them to every requested target.
/// Pure: no file is read or written. Any problem, in any environment, stack or target, fails the whole
/// synthesis so that nothing partial is ever written.
pub fn synthesize(app: &dyn AnyApp, request: &Request) -> Result<Synthesis, Vec<Diagnostic>> {
    let selection = Selection {
        environments: request.environments.clone(),
    };
    let instantiation = app.instantiate(&selection);
    let mut problems = instantiation.problems;
    if request.targets.contains(&Target::CloudFormation) {
        problems.extend(stackwright_cloudformation::stack_name_problems(
            &instantiation.instances,
        ));
    }
    // Lowering and serializing dominate synthesis time and each instance is independent: spread the
    // instances over the cores in contiguous chunks, then concatenate in order, so output is unchanged.
    // An instance with a rejected reference is not lowered: its one error is the instantiation's, not
    // a follow-on per target.
    let lowered = crate::parallel::map_chunks(&instantiation.instances, |instances| {
        let fine: Vec<&StackInstance> =
            instances.iter().filter(|i| i.links.rejected == 0).collect();
        lower_all(&fine, &request.targets)
    });
    let mut artifacts = Vec::new();
    for (chunk_artifacts, chunk_problems) in lowered {
        artifacts.extend(chunk_artifacts);
        problems.extend(chunk_problems);
    }
    if !problems.is_empty() {
        dedup_in_order(&mut problems);
        return Err(merge_environments(problems));
    }
    let manifest = manifest(app.name(), &artifacts);
    Ok(Synthesis {
        app: app.name().to_owned(),
        artifacts,
        manifest,
    })
}

/// Lowers instances to every requested target, in order.
fn lower_all(instances: &[&StackInstance], targets: &[Target]) -> (Vec<Artifact>, Vec<Diagnostic>) {
    let mut artifacts = Vec::new();
    let mut problems = Vec::new();
    for instance in instances {
        let env = instance.environment;
        let stack = instance.stack.name();
        for &target in targets {
            let (document, resource_count, found, renames, capabilities) = match target {
                Target::CloudFormation => {
                    let t = stackwright_cloudformation::synthesize(instance);
                    let capabilities = stackwright_cloudformation::capabilities(&t.document);
                    let (d, n, p) = (t.document, t.resource_count, t.problems);
                    (d, n, p, t.renames, capabilities)
                }
                Target::Terraform => {
                    let m = stackwright_terraform::synthesize(instance);
                    let (d, n, p) = (m.document, m.resource_count, m.problems);
                    (d, n, p, Vec::new(), Vec::new())
                }
            };
            let path = artifact_path(target, &env.name, stack);
            let mut depends_on: Vec<String> = instance
                .links
                .depends_on
                .iter()
                .map(|producer| artifact_path(target, &env.name, producer))
                .collect();
            // Outputs read from other environments (regions, accounts) must exist first too.
            for read in &instance.links.remote {
                let path = artifact_path(target, &read.environment.name, &read.stack);
                if !depends_on.contains(&path) {
                    depends_on.push(path);
                }
            }
            problems.extend(found);
            let bytes = to_bytes(&document);
            if target == Target::CloudFormation {
                let too_large =
                    stackwright_cloudformation::check_size(&instance.stack, bytes.len());
                problems.extend(too_large.map(|d| d.in_environment(&env.name).in_stack(stack)));
            }
            artifacts.push(Artifact {
                environment: env.name.clone(),
                account: env.account.clone(),
                region: env.region.clone(),
                stack: stack.to_owned(),
                target,
                path,
                resource_count,
                bytes,
                depends_on,
                renames,
                capabilities,
            });
        }
    }
    (artifacts, problems)
}

/// Where a stack's artifact goes, relative to the output directory.
fn artifact_path(target: Target, env: &str, stack: &str) -> String {
    match target {
        Target::CloudFormation => format!("cloudformation/{env}/{stack}.template.json"),
        Target::Terraform => format!("terraform/{env}/{stack}/main.tf.json"),
    }
}

/// The deploy wave of each artifact (1 = depends on nothing; n + 1 = depends on waves up to n): the
/// artifacts of one wave can deploy in parallel once the earlier waves are deployed.
pub fn waves(artifacts: &[Artifact]) -> Vec<usize> {
    let index: std::collections::BTreeMap<&str, usize> = artifacts
        .iter()
        .enumerate()
        .map(|(i, a)| (a.path.as_str(), i))
        .collect();
    let mut wave = vec![1; artifacts.len()];
    // Producers are declared before their consumers, so one pass usually settles it; instantiation
    // rejects cycles, so at most `len` passes do.
    for _ in 0..artifacts.len() {
        let mut changed = false;
        for (i, a) in artifacts.iter().enumerate() {
            let after = a
                .depends_on
                .iter()
                .filter_map(|d| index.get(d.as_str()))
                .map(|&d| wave[d] + 1)
                .max()
                .unwrap_or(1);
            if after > wave[i] {
                wave[i] = after;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    wave
}

/// Pretty JSON with two-space indentation and a final newline: stable bytes, readable diffs.
pub(crate) fn to_bytes(document: &Json) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(document).expect("a JSON value always serializes");
    bytes.push(b'\n');
    bytes
}

fn manifest(app: &str, artifacts: &[Artifact]) -> Vec<u8> {
    let entries: Vec<Json> = artifacts
        .iter()
        .map(|a| {
            let mut entry = json!({
                "app": app,
                "env": a.environment,
                "account": a.account,
                "region": a.region,
                "stack": a.stack,
                "target": a.target.name(),
                "path": a.path,
                "resources": a.resource_count,
                "sha256": hex_sha256(&a.bytes),
                "depends_on": a.depends_on,
            });
            if a.target == Target::CloudFormation {
                entry["stack_name"] =
                    stackwright_cloudformation::stack_name(app, &a.environment, &a.stack).into();
                entry["capabilities"] = json!(a.capabilities);
            }
            entry
        })
        .collect();
    to_bytes(&json!({
        "format": stackwright_tree::manifest::FORMAT,
        "generator": stackwright_tree::manifest::GENERATOR,
        "app": app,
        "artifacts": entries,
    }))
}

pub(crate) fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The same problem in several environments (a definition runs once per environment) is reported once,
/// at its first place, with every environment it occurs in.
fn merge_environments(problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut merged: Vec<Diagnostic> = Vec::with_capacity(problems.len());
    for problem in problems {
        let twin = merged.iter_mut().find(|m| {
            m.environment.is_some()
                && problem.environment.is_some()
                && Diagnostic {
                    environment: None,
                    also_in: Vec::new(),
                    ..(*m).clone()
                } == Diagnostic {
                    environment: None,
                    also_in: Vec::new(),
                    ..problem.clone()
                }
        });
        match (twin, problem.environment.clone()) {
            (Some(twin), Some(env)) => {
                if twin.environment.as_ref() != Some(&env) && !twin.also_in.contains(&env) {
                    twin.also_in.push(env);
                }
            }
            _ => merged.push(problem),
        }
    }
    merged
}

/// The same problem found by both targets (e.g. an unknown attribute) is reported once.
fn dedup_in_order(problems: &mut Vec<Diagnostic>) {
    let mut seen: Vec<Diagnostic> = Vec::with_capacity(problems.len());
    problems.retain(|p| {
        if seen.contains(p) {
            false
        } else {
            seen.push(p.clone());
            true
        }
    });
}
