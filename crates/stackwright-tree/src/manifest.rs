//! `manifest.json`: what a tree stackwright wrote holds, and the proof that stackwright wrote it. This
//! module owns the format: [`Manifest::to_bytes`] writes it and [`Manifest::parse`] reads it back.

use serde_json::Value as Json;
use stackwright_core::Target;
use std::collections::{HashMap, HashSet};

/// The manifest's file name, at the root of every tree stackwright writes.
pub const FILE_NAME: &str = "manifest.json";
/// The manifest's `format`. It changes only when a field changes meaning or goes away; readers reject any
/// other value rather than guess.
pub const FORMAT: u64 = 1;
/// The manifest's `generator`: with `format`, what marks a tree as one stackwright wrote.
pub const GENERATOR: &str = "stackwright";
/// The names of the targets an artifact can be for, as errors list them.
fn target_names() -> String {
    Target::ALL.map(Target::name).join(", ")
}

/// One artifact a manifest lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub environment: String,
    pub account: String,
    pub region: String,
    pub stack: String,
    /// The engine the artifact is for (field `target`: `cloudformation` or `terraform`).
    pub target: Target,
    /// Relative to the tree's root, `/`-separated, no `.` or `..` segment, never absolute.
    pub path: String,
    /// Lowercase hex SHA-256 of the artifact's bytes.
    pub sha256: String,
    /// The artifact's (environment, stack) is no longer in the definition: synth keeps it (field
    /// `"removed": true`) so that its deployment can still be torn down, until told it has been.
    pub removed: bool,
    /// The manifest's `resources` count, when it has one.
    pub resources: Option<u64>,
    /// The paths of the artifacts to deploy first (`depends_on`; empty when absent).
    pub depends_on: Vec<String>,
    /// A CloudFormation template's stack name (`stack_name`).
    pub stack_name: Option<String>,
    /// What `aws cloudformation deploy --capabilities` must acknowledge for a template (`capabilities`;
    /// `Some` for every CloudFormation artifact, `None` for Terraform's).
    pub capabilities: Option<Vec<String>>,
    /// The targets the artifact's stack declares (`targets`: `.targets(..)` of the stack, its environment or
    /// its app), which include `target`; `None` when nothing declares them (the stack has every target).
    pub targets: Option<Vec<Target>>,
    /// A template that a CloudFormation StackSet deploys (`deployed_by`): the path of the fleet's
    /// administration stack, another CloudFormation artifact of the manifest. Written for review and
    /// plans; `list` and `ci` deploy the administration stack instead.
    pub deployed_by: Option<String>,
}

/// One code asset a manifest lists (`assets`): a zip in the tree, named by its sha256.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetEntry {
    /// `assets/<sha256>.zip` ([`crate::fields::asset_path`]), an image's `assets/<sha256>.tar`.
    pub path: String,
    /// Lowercase hex SHA-256 of the zip.
    pub sha256: String,
    /// What it is made from: `file`, `directory` or `command`.
    pub kind: String,
    /// The source as the definition wrote it (informational; never a command's word).
    pub source: String,
    /// The zip's size in bytes.
    pub size: u64,
    /// Where it is published, one per environment that uses it, in the definition's order.
    pub destinations: Vec<AssetDestination>,
}

/// Where an asset is published for one environment: the environment's asset bucket and the key; for an
/// image (kind `image`), its image repository and the tag (`repository` and `tag` in `manifest.json`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetDestination {
    pub environment: String,
    pub account: String,
    pub region: String,
    /// [`crate::fields::asset_bucket`] of the account and region; an image's
    /// [`crate::fields::image_repository`].
    pub bucket: String,
    /// `<sha256>.zip`; an image's tag, its manifest's sha256 (hex).
    pub key: String,
    /// The stacks of the environment that use the asset, in the definition's order (`stacks`; empty in
    /// a manifest written before the field): its publish command runs before the first of them deploys,
    /// and the object stays referenced while one of them is deployed.
    pub stacks: Vec<String>,
}

/// A parsed `manifest.json` that stackwright wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub app: String,
    pub artifacts: Vec<Entry>,
    /// The code assets in the tree (`assets`, absent when there are none), sorted by path. When there
    /// are any, their cache is beside the tree ([`crate::fields::CACHE_DIRECTORY`]), not in it.
    pub assets: Vec<AssetEntry>,
    /// The step of a sequence this tree is (`step`, absent in a tree `synth` wrote): `synth --steps`
    /// writes one tree per step of a change that cannot be deployed in one.
    pub step: Option<StepMark>,
}

/// Which step of which sequence a tree is, and the whole sequence, so that `list` and `plan` can say
/// what is done and what remains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepMark {
    /// The sequence's id: 16 hex digits, the same in every step's tree of one `synth --steps`.
    pub sequence: String,
    /// 1-based.
    pub number: usize,
    /// Every step of the sequence, in order (this one is `steps[number - 1]`).
    pub steps: Vec<StepInfo>,
    /// Files of this tree besides artifacts and assets that the step's engine needs (a stack refactor's
    /// resource mappings: `refactor/<env>/<stack>.json`; a Terraform state move script:
    /// `move/<env>/<from>-to-<to>.sh`).
    pub files: Vec<String>,
}

/// One step of a sequence, as a [`StepMark`] lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepInfo {
    /// The directory name, `NN-<slug>`.
    pub name: String,
    /// What the step does, one line per change it advances.
    pub lines: Vec<String>,
    /// Minutes to watch the deployment before the next step, if any.
    pub bake_minutes: Option<u64>,
}

impl Manifest {
    /// Parses and checks a manifest: `format` 1, `generator` `stackwright` (or absent, as in trees written
    /// before the field existed, which are recognised by their exact shape instead), an `artifacts` list whose
    /// entries each name env, account, region, stack, a known target, a safe relative path and a SHA-256, with
    /// no path and no (env, stack, target) listed twice; each field by the definition's rules ([`crate::fields`]: names,
    /// account, region, the artifact layout). Unknown extra fields are allowed (a later version may
    /// add some without changing `format`). The error says what is wrong and what was expected.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, String> {
        let json: Json =
            serde_json::from_slice(bytes).map_err(|e| format!("it is not valid JSON ({e})"))?;
        let object = json
            .as_object()
            .ok_or_else(|| format!("it is {}, expected a JSON object", kind(&json)))?;
        match object.get("format") {
            Some(Json::Number(n)) if n.as_u64() == Some(FORMAT) => {}
            Some(other) => {
                return Err(format!(
                    "its `format` is {other}; this stackwright reads format {FORMAT} (was it written by a newer \
                     version?)"
                ))
            }
            None => return Err(format!("it has no `format` (expected {FORMAT})")),
        }
        match object.get("generator") {
            None => {}
            Some(Json::String(g)) if g == GENERATOR => {}
            Some(other) => {
                return Err(format!(
                    "its `generator` is {other}, expected \"{GENERATOR}\""
                ))
            }
        }
        let app = string_field(object, "app", "the manifest")?;
        crate::fields::check_app(&app)?;
        let list = object
            .get("artifacts")
            .and_then(Json::as_array)
            .ok_or("it has no `artifacts` list")?;
        let mut artifacts = Vec::with_capacity(list.len());
        let mut paths = HashSet::new();
        let mut stacks = HashSet::new();
        for (i, item) in list.iter().enumerate() {
            let what = format!("artifact {i}");
            let entry = item
                .as_object()
                .ok_or_else(|| format!("{what} is {}, expected an object", kind(item)))?;
            let field = |name: &str| string_field(entry, name, &what);
            let environment = field("env")?;
            let account = field("account")?;
            let region = field("region")?;
            let stack = field("stack")?;
            let target_name = field("target")?;
            let path = field("path")?;
            let sha256 = field("sha256")?;
            let removed = match entry.get("removed") {
                None => false,
                Some(Json::Bool(b)) => *b,
                Some(other) => {
                    return Err(format!(
                        "{what} has `removed` {}, expected a boolean",
                        kind(other)
                    ))
                }
            };
            let resources = match entry.get("resources") {
                None => None,
                Some(Json::Number(n)) if n.as_u64().is_some() => n.as_u64(),
                Some(other) => {
                    return Err(format!(
                        "{what} has `resources` {}, expected a count (a whole number, 0 or more)",
                        crate::fields::shown_json(other)
                    ))
                }
            };
            let depends_on = match entry.get("depends_on") {
                None => Vec::new(),
                Some(Json::Array(paths)) => paths
                    .iter()
                    .map(|p| {
                        p.as_str().map(str::to_owned).ok_or_else(|| {
                            format!(
                                "{what} has a `depends_on` entry that is {}, expected a path",
                                kind(p)
                            )
                        })
                    })
                    .collect::<Result<_, _>>()?,
                Some(other) => {
                    return Err(format!(
                        "{what} has `depends_on` {}, expected a list of paths",
                        kind(other)
                    ))
                }
            };
            let stack_name = match entry.get("stack_name") {
                None => None,
                Some(_) => Some(field("stack_name")?),
            };
            let capabilities = match entry.get("capabilities") {
                None => None,
                Some(Json::Array(names)) => Some(
                    names
                        .iter()
                        .map(|n| {
                            n.as_str().map(str::to_owned).ok_or_else(|| {
                                format!(
                                    "{what} has a `capabilities` entry that is {}, expected a string",
                                    kind(n)
                                )
                            })
                        })
                        .collect::<Result<_, _>>()?,
                ),
                Some(other) => {
                    return Err(format!(
                        "{what} has `capabilities` {}, expected a list of strings",
                        kind(other)
                    ))
                }
            };
            let targets: Option<Vec<Target>> = match entry.get("targets") {
                None => None,
                Some(Json::Array(names)) => Some(
                    names
                        .iter()
                        .map(|n| match n.as_str().and_then(Target::from_name) {
                            Some(t) => Ok(t),
                            None => Err(format!(
                                "{what} has a `targets` entry {}, expected one of {}",
                                crate::fields::shown_json(n),
                                target_names()
                            )),
                        })
                        .collect::<Result<_, _>>()?,
                ),
                Some(other) => {
                    return Err(format!(
                        "{what} has `targets` {}, expected a list of target names",
                        kind(other)
                    ))
                }
            };
            let deployed_by = match entry.get("deployed_by") {
                None => None,
                Some(_) => Some(field("deployed_by")?),
            };
            if let Some(targets) = &targets {
                if !targets.iter().any(|t| t.name() == target_name) {
                    return Err(format!(
                        "{what} is a `{target_name}` artifact of a stack whose `targets` are [{}]: expected its own \
                         target among them",
                        targets.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
                    ));
                }
            }
            let Some(target) = Target::from_name(&target_name) else {
                return Err(format!(
                    "{what} has target `{target_name}`, expected one of {}",
                    target_names()
                ));
            };
            let entry = Entry {
                environment,
                account,
                region,
                stack,
                target,
                path,
                sha256,
                removed,
                resources,
                depends_on,
                stack_name,
                capabilities,
                targets,
                deployed_by,
            };
            check_relative_path(&entry.path).map_err(|why| format!("{what}: {why}"))?;
            if entry.path == FILE_NAME {
                return Err(format!("{what} lists the manifest itself"));
            }
            if entry.sha256.len() != 64 || !entry.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!(
                    "{what} has sha256 `{}`, expected 64 hexadecimal digits",
                    entry.sha256
                ));
            }
            crate::fields::check_entry(&what, &entry)?;
            if !paths.insert(entry.path.clone()) {
                return Err(format!("path `{}` is listed twice", entry.path));
            }
            if !stacks.insert((entry.environment.clone(), entry.stack.clone(), entry.target)) {
                return Err(format!(
                    "environment `{}`, stack `{}`, target `{}` is listed twice",
                    entry.environment,
                    entry.stack,
                    entry.target.name()
                ));
            }
            artifacts.push(entry);
        }
        // A stack set's member names its administration stack: a CloudFormation artifact of this
        // manifest that no stack set deploys itself.
        let templates: HashMap<&str, &Entry> = artifacts
            .iter()
            .filter(|a| a.target == Target::CloudFormation)
            .map(|a| (a.path.as_str(), a))
            .collect();
        for (i, entry) in artifacts.iter().enumerate() {
            let Some(by) = &entry.deployed_by else {
                continue;
            };
            let administration = templates.get(by.as_str());
            if entry.target != Target::CloudFormation
                || administration.is_none_or(|a| a.deployed_by.is_some() || a.path == entry.path)
            {
                return Err(format!(
                    "artifact {i} has `deployed_by` {}, expected the path of another CloudFormation \
                     artifact of the manifest (a stack set's administration stack) on a CloudFormation \
                     artifact",
                    crate::fields::shown_json(&Json::String(by.clone()))
                ));
            }
        }
        let assets = match object.get("assets") {
            None => Vec::new(),
            Some(Json::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, item)| parse_asset(i, item))
                .collect::<Result<_, _>>()?,
            Some(other) => return Err(format!("its `assets` is {}, expected a list", kind(other))),
        };
        for asset in &assets {
            if !paths.insert(asset.path.clone()) {
                return Err(format!("path `{}` is listed twice", asset.path));
            }
        }
        let step = match object.get("step") {
            None => None,
            Some(step) => {
                let step = parse_step(step).map_err(|why| format!("its `step` {why}"))?;
                for file in &step.files {
                    if !paths.insert(file.clone()) {
                        return Err(format!("path `{file}` is listed twice"));
                    }
                }
                Some(step)
            }
        };
        Ok(Manifest {
            app,
            artifacts,
            assets,
            step,
        })
    }

    /// The bytes of `manifest.json`: pretty JSON with two-space indentation and a final newline, each
    /// artifact's fields in a fixed order (`app`, `env`, `account`, `region`, `stack`, `target`, `path`,
    /// `resources`, `sha256`, `depends_on`, then `stack_name`, `capabilities`, `targets` and `deployed_by`
    /// when set, then `"removed": true` for a removed one).
    pub fn to_bytes(&self) -> Vec<u8> {
        let entries: Vec<Json> = self
            .artifacts
            .iter()
            .map(|a| {
                let mut entry = serde_json::json!({
                    "app": self.app,
                    "env": a.environment,
                    "account": a.account,
                    "region": a.region,
                    "stack": a.stack,
                    "target": a.target.name(),
                    "path": a.path,
                    "resources": a.resources.unwrap_or(0),
                    "sha256": a.sha256,
                    "depends_on": a.depends_on,
                });
                if let Some(name) = &a.stack_name {
                    entry["stack_name"] = name.as_str().into();
                }
                if let Some(capabilities) = &a.capabilities {
                    entry["capabilities"] = capabilities.clone().into();
                }
                // Only stacks that declare their targets say so: every other manifest keeps its bytes.
                if let Some(targets) = &a.targets {
                    entry["targets"] = targets.iter().map(|t| t.name()).collect::<Vec<_>>().into();
                }
                if let Some(by) = &a.deployed_by {
                    entry["deployed_by"] = by.as_str().into();
                }
                if a.removed {
                    entry["removed"] = true.into();
                }
                entry
            })
            .collect();
        let mut document = serde_json::json!({
            "format": FORMAT,
            "generator": GENERATOR,
            "app": self.app,
            "artifacts": entries,
        });
        // Only trees with assets say so: every other manifest keeps its bytes.
        if !self.assets.is_empty() {
            document["assets"] = self
                .assets
                .iter()
                .map(|a| {
                    serde_json::json!({
                        "path": a.path,
                        "sha256": a.sha256,
                        "kind": a.kind,
                        "source": a.source,
                        "size": a.size,
                        "destinations": a.destinations.iter().map(|d| {
                            let (place, name) = if a.kind == crate::fields::IMAGE_KIND {
                                ("repository", "tag")
                            } else {
                                ("bucket", "key")
                            };
                            serde_json::json!({
                                "env": d.environment,
                                "account": d.account,
                                "region": d.region,
                                place: d.bucket,
                                name: d.key,
                                "stacks": d.stacks,
                            })
                        }).collect::<Vec<_>>(),
                    })
                })
                .collect();
        }
        // Only a step's tree says so.
        if let Some(step) = &self.step {
            document["step"] = serde_json::json!({
                "sequence": step.sequence,
                "number": step.number,
                "steps": step.steps.iter().map(|s| serde_json::json!({
                    "name": s.name,
                    "lines": s.lines,
                    "bake_minutes": s.bake_minutes,
                })).collect::<Vec<_>>(),
                "files": step.files,
            });
        }
        let mut bytes =
            serde_json::to_vec_pretty(&document).expect("a JSON value always serializes");
        bytes.push(b'\n');
        bytes
    }

    /// Every file of the tree this manifest describes: its artifacts, its assets, a step's files, and
    /// the manifest itself.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.artifacts
            .iter()
            .map(|a| a.path.as_str())
            .chain(self.assets.iter().map(|a| a.path.as_str()))
            .chain(
                self.step
                    .iter()
                    .flat_map(|s| s.files.iter().map(String::as_str)),
            )
            .chain(std::iter::once(FILE_NAME))
    }
}

/// Parses and checks `step`: a 16-hex-digit sequence id, a number within its steps, each step's name
/// (`NN-<slug>`, lowercase letters, digits and `-`) and lines (printable text, at most 1,000 characters),
/// and files under `refactor/` ending in `.json`, as safe relative paths.
fn parse_step(step: &Json) -> Result<StepMark, String> {
    let object = step
        .as_object()
        .ok_or_else(|| format!("is {}, expected an object", kind(step)))?;
    let sequence = object
        .get("sequence")
        .and_then(Json::as_str)
        .filter(|s| s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or("has no `sequence` of 16 hex digits")?
        .to_owned();
    let steps: Vec<StepInfo> = object
        .get("steps")
        .and_then(Json::as_array)
        .ok_or("has no `steps` list")?
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let name = s
                .get("name")
                .and_then(Json::as_str)
                .filter(|n| crate::fields::check_step_name(n, i + 1).is_ok())
                .ok_or_else(|| format!("step {} has no name `{:02}-<slug>`", i + 1, i + 1))?
                .to_owned();
            let lines = s
                .get("lines")
                .and_then(Json::as_array)
                .ok_or_else(|| format!("step `{name}` has no `lines` list"))?
                .iter()
                .map(|l| {
                    l.as_str()
                        .filter(|l| crate::fields::check_step_line(l).is_ok())
                        .map(str::to_owned)
                        .ok_or_else(|| {
                            format!("step `{name}` has a line that is not printable text")
                        })
                })
                .collect::<Result<_, _>>()?;
            let bake_minutes = match s.get("bake_minutes") {
                None | Some(Json::Null) => None,
                Some(m) => Some(m.as_u64().ok_or_else(|| {
                    format!("step `{name}` has a `bake_minutes` that is not a count")
                })?),
            };
            Ok(StepInfo {
                name,
                lines,
                bake_minutes,
            })
        })
        .collect::<Result<_, String>>()?;
    let number = object
        .get("number")
        .and_then(Json::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| (1..=steps.len()).contains(n))
        .ok_or_else(|| format!("has no `number` between 1 and {}", steps.len()))?;
    let files = object
        .get("files")
        .and_then(Json::as_array)
        .ok_or("has no `files` list")?
        .iter()
        .map(|f| {
            let f = f.as_str().ok_or("has a file that is not a string")?;
            check_relative_path(f)?;
            if !(f.starts_with("refactor/") && f.ends_with(".json")
                || f.starts_with("move/") && f.ends_with(".sh"))
            {
                return Err(format!(
                    "lists `{f}`, expected a file `refactor/<env>/<stack>.json` or `move/<env>/<from>-to-<to>.sh`"
                ));
            }
            Ok(f.to_owned())
        })
        .collect::<Result<_, String>>()?;
    Ok(StepMark {
        sequence,
        number,
        steps,
        files,
    })
}

/// Parses and checks one entry of `assets` (the `i`th) by [`crate::fields::check_asset`].
fn parse_asset(i: usize, item: &Json) -> Result<AssetEntry, String> {
    let what = format!("asset {i}");
    let object = item
        .as_object()
        .ok_or_else(|| format!("{what} is {}, expected an object", kind(item)))?;
    let field = |name: &str| string_field(object, name, &what);
    let size = object
        .get("size")
        .and_then(Json::as_u64)
        .ok_or_else(|| format!("{what} has no `size` (a number of bytes)"))?;
    let (place, name) =
        if object.get("kind").and_then(Json::as_str) == Some(crate::fields::IMAGE_KIND) {
            ("repository", "tag")
        } else {
            ("bucket", "key")
        };
    let destinations = match object.get("destinations") {
        Some(Json::Array(list)) => list
            .iter()
            .map(|d| {
                let d = d.as_object().ok_or_else(|| {
                    format!(
                        "{what} has a destination that is {}, expected an object",
                        kind(d)
                    )
                })?;
                let field = |name: &str| string_field(d, name, &what);
                Ok(AssetDestination {
                    environment: field("env")?,
                    account: field("account")?,
                    region: field("region")?,
                    bucket: field(place)?,
                    key: field(name)?,
                    stacks: match d.get("stacks") {
                        None => Vec::new(),
                        Some(Json::Array(names)) => names
                            .iter()
                            .map(|n| {
                                n.as_str().map(str::to_owned).ok_or_else(|| {
                                    format!(
                                        "{what} has a destination whose `stacks` holds {}, expected \
                                         a stack's name",
                                        kind(n)
                                    )
                                })
                            })
                            .collect::<Result<_, String>>()?,
                        Some(other) => {
                            return Err(format!(
                                "{what} has a destination whose `stacks` is {}, expected a list of \
                                 stack names",
                                kind(other)
                            ))
                        }
                    },
                })
            })
            .collect::<Result<_, String>>()?,
        _ => return Err(format!("{what} has no `destinations` list")),
    };
    let asset = AssetEntry {
        path: field("path")?,
        sha256: field("sha256")?,
        kind: field("kind")?,
        source: field("source")?,
        size,
        destinations,
    };
    crate::fields::check_asset(&what, &asset)?;
    Ok(asset)
}

/// Checks that a path stays inside the tree: relative, `/`-separated, no empty, `.` or `..` segment, no
/// backslash or NUL.
pub fn check_relative_path(path: &str) -> Result<(), String> {
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.contains('\\')
        || path.contains('\0')
        || path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..");
    if bad {
        Err(format!(
            "path `{}` is outside the tree (expected a relative path such as `terraform/prod/web/main.tf.json`)",
            path.escape_debug()
        ))
    } else {
        Ok(())
    }
}

fn string_field(
    object: &serde_json::Map<String, Json>,
    name: &str,
    what: &str,
) -> Result<String, String> {
    match object.get(name) {
        Some(Json::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!(
            "{what} has `{name}` {}, expected a string",
            kind(other)
        )),
        None => Err(format!("{what} has no `{name}`")),
    }
}

fn kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TF: &str = "terraform/prod/web/main.tf.json";

    fn entry(path: &str) -> Json {
        serde_json::json!({"env": "prod", "account": "111111111111", "region": "us-west-2", "stack": "web",
            "target": "terraform", "path": path, "resources": 3, "sha256": "a".repeat(64)})
    }

    fn parse(json: Json) -> Result<Manifest, String> {
        Manifest::parse(&serde_json::to_vec(&json).unwrap())
    }

    #[test]
    fn reads_a_manifest_with_or_without_generator_and_ignores_new_fields() {
        let mut e = entry("terraform/prod/web/main.tf.json");
        e["depends_on"] = serde_json::json!([]);
        let m = parse(serde_json::json!({"format": 1, "generator": "stackwright", "app": "a", "artifacts": [e]}))
            .unwrap();
        assert_eq!(m.artifacts[0].path, "terraform/prod/web/main.tf.json");
        assert_eq!(
            m.files().collect::<Vec<_>>(),
            ["terraform/prod/web/main.tf.json", "manifest.json"]
        );
        assert!(parse(serde_json::json!({"format": 1, "app": "a", "artifacts": []})).is_ok());
    }

    #[test]
    fn writes_what_it_reads() {
        let mut cfn = entry("cloudformation/prod/web.template.json");
        cfn["target"] = "cloudformation".into();
        cfn["stack_name"] = "a-prod-web".into();
        cfn["capabilities"] = serde_json::json!(["CAPABILITY_IAM"]);
        let mut tf = entry("terraform/prod/web/main.tf.json");
        tf["depends_on"] = serde_json::json!(["terraform/prod/network/main.tf.json"]);
        tf["removed"] = true.into();
        let m =
            parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [cfn, tf]})).unwrap();
        let bytes = m.to_bytes();
        assert!(bytes.ends_with(b"}\n"));
        assert_eq!(Manifest::parse(&bytes).unwrap(), m);
        let text = String::from_utf8(bytes).unwrap();
        let order = [
            "\"app\"",
            "\"env\"",
            "\"stack\"",
            "\"sha256\"",
            "\"depends_on\"",
            "\"stack_name\"",
            "\"capabilities\"",
        ];
        let at: Vec<usize> = order.iter().map(|k| text.find(k).unwrap()).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(
            text.starts_with("{\n  \"format\": 1,\n  \"generator\": \"stackwright\""),
            "{text}"
        );
    }

    #[test]
    fn a_stack_set_member_names_its_administration_stack() {
        let template = |env: &str, stack: &str| {
            let mut e = entry(&format!("cloudformation/{env}/{stack}.template.json"));
            e["target"] = "cloudformation".into();
            e["env"] = env.into();
            e["stack"] = stack.into();
            e
        };
        const ADMIN: &str = "cloudformation/office/edge-stackset.template.json";
        let admin = template("office", "edge-stackset");
        let mut member = template("prod", "edge");
        member["deployed_by"] = ADMIN.into();
        let m = parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [admin.clone(), member.clone()]}))
            .unwrap();
        assert_eq!(m.artifacts[1].deployed_by.as_deref(), Some(ADMIN));
        assert_eq!(m.artifacts[0].deployed_by, None);
        assert_eq!(Manifest::parse(&m.to_bytes()).unwrap(), m);
        // Not an artifact of the manifest, the member itself, a module, or a member of a stack set.
        let refused = |artifacts: Json| {
            let e = parse(serde_json::json!({"format": 1, "app": "a", "artifacts": artifacts}))
                .unwrap_err();
            assert!(e.contains("has `deployed_by`"), "{e}");
        };
        refused(serde_json::json!([member.clone()]));
        let mut itself = member.clone();
        itself["deployed_by"] = "cloudformation/prod/edge.template.json".into();
        refused(serde_json::json!([admin.clone(), itself]));
        let mut module = entry(TF);
        module["deployed_by"] = ADMIN.into();
        refused(serde_json::json!([admin.clone(), module]));
        let mut chained = admin.clone();
        chained["deployed_by"] = "cloudformation/prod/edge.template.json".into();
        refused(serde_json::json!([chained, member]));
    }

    #[test]
    fn declared_targets_round_trip_and_include_the_artifacts_own() {
        let mut tf = entry(TF);
        tf["targets"] = serde_json::json!(["terraform"]);
        let m =
            parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [tf.clone()]})).unwrap();
        assert_eq!(m.artifacts[0].targets, Some(vec![Target::Terraform]));
        assert_eq!(Manifest::parse(&m.to_bytes()).unwrap(), m);
        tf["targets"] = serde_json::json!(["cloudformation"]);
        let e = parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [tf.clone()]}))
            .unwrap_err();
        assert!(
            e.contains("a `terraform` artifact of a stack whose `targets` are [cloudformation]"),
            "{e}"
        );
        tf["targets"] = serde_json::json!(["pulumi"]);
        let e = parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [tf]})).unwrap_err();
        assert!(
            e.contains("a `targets` entry the string \"pulumi\", expected one of"),
            "{e}"
        );
        // Undeclared: the manifest says nothing of targets.
        let plain =
            parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [entry(TF)]})).unwrap();
        assert!(!String::from_utf8(plain.to_bytes())
            .unwrap()
            .contains("\"targets\""));
    }

    #[test]
    fn a_step_mark_round_trips_its_files_are_stackwrights_and_bad_ones_are_refused() {
        let step = serde_json::json!({"sequence": "0123456789abcdef", "number": 1,
            "steps": [{"name": "01-refactor", "lines": ["prod/web: move `A` -> `B`"], "bake_minutes": null},
                      {"name": "02-deploy", "lines": ["the rest"], "bake_minutes": 10}],
            "files": ["refactor/prod/web.json"]});
        let m = parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [entry(TF)], "step": step.clone()}))
            .unwrap();
        let mark = m.step.as_ref().unwrap();
        assert_eq!((mark.number, mark.steps[1].bake_minutes), (1, Some(10)));
        assert_eq!(
            m.files().collect::<Vec<_>>(),
            [TF, "refactor/prod/web.json", "manifest.json"]
        );
        assert_eq!(Manifest::parse(&m.to_bytes()).unwrap(), m);
        // A manifest without a step writes no `step`.
        let plain =
            parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [entry(TF)]})).unwrap();
        assert!(!String::from_utf8(plain.to_bytes())
            .unwrap()
            .contains("\"step\""));
        let refused = |change: &dyn Fn(&mut Json), expected: &str| {
            let mut s = step.clone();
            change(&mut s);
            let e = parse(
                serde_json::json!({"format": 1, "app": "a", "artifacts": [entry(TF)], "step": s}),
            )
            .unwrap_err();
            assert!(e.contains(expected), "{e}");
        };
        refused(
            &|s| s["sequence"] = "xyz".into(),
            "`sequence` of 16 hex digits",
        );
        refused(&|s| s["number"] = 3.into(), "`number` between 1 and 2");
        refused(
            &|s| s["steps"][1]["name"] = "03-deploy".into(),
            "step 2 has no name `02-<slug>`",
        );
        refused(
            &|s| s["steps"][0]["name"] = "01-Re/factor".into(),
            "step 1 has no name",
        );
        refused(
            &|s| s["steps"][0]["lines"][0] = "a\u{1b}[2Jb".into(),
            "not printable text",
        );
        refused(&|s| s["files"][0] = "../escape.json".into(), "..");
        refused(
            &|s| s["files"][0] = "manifest.json".into(),
            "expected a file `refactor/<env>/<stack>.json`",
        );
        refused(&|s| s["files"][0] = TF.into(), "expected a file `refactor/");
    }

    #[test]
    fn assets_round_trip_and_are_stackwrights_files() {
        let sha = "b".repeat(64);
        let asset = serde_json::json!({"path": format!("assets/{sha}.zip"), "sha256": sha, "kind": "directory",
            "source": "functions/orders", "size": 123, "destinations": [{"env": "prod", "account": "111111111111",
            "region": "us-west-2", "bucket": "stackwright-assets-111111111111-us-west-2", "key": format!("{sha}.zip")}]});
        let m = parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [entry(TF)], "assets": [asset.clone()]}))
            .unwrap();
        assert_eq!(m.assets[0].destinations[0].environment, "prod");
        assert_eq!(Manifest::parse(&m.to_bytes()).unwrap(), m);
        assert_eq!(
            m.files().collect::<Vec<_>>(),
            [TF, &format!("assets/{sha}.zip"), "manifest.json"]
        );
        // Without assets, the manifest says nothing of them.
        let plain =
            parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [entry(TF)]})).unwrap();
        assert!(!String::from_utf8(plain.to_bytes())
            .unwrap()
            .contains("assets"));
        let cases = [
            (
                "path",
                serde_json::json!("assets/../x.zip"),
                "asset 0 has `path`",
            ),
            (
                "sha256",
                serde_json::json!("B".repeat(64)),
                "64 lowercase hexadecimal digits",
            ),
            (
                "kind",
                serde_json::json!("docker"),
                "expected one of file, directory, command",
            ),
            (
                "source",
                serde_json::json!("a\nb"),
                "without control characters",
            ),
            ("size", serde_json::json!("1"), "no `size`"),
        ];
        for (field, value, expected) in cases {
            let mut bad = asset.clone();
            bad[field] = value;
            let error = parse(
                serde_json::json!({"format": 1, "app": "a", "artifacts": [], "assets": [bad]}),
            )
            .unwrap_err();
            assert!(error.contains(expected), "{field}: {error}");
        }
        let mut bad = asset.clone();
        bad["destinations"][0]["key"] = "other.zip".into();
        let error =
            parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [], "assets": [bad]}))
                .unwrap_err();
        assert!(error.contains("has `key` \"other.zip\""), "{error}");
        // The stacks that use it: names, round-tripped; absent (an older manifest) is none.
        let mut used = asset.clone();
        used["destinations"][0]["stacks"] = serde_json::json!(["orders", "reports"]);
        let m =
            parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [], "assets": [used]}))
                .unwrap();
        assert_eq!(m.assets[0].destinations[0].stacks, ["orders", "reports"]);
        assert_eq!(Manifest::parse(&m.to_bytes()).unwrap(), m);
        for (value, expected) in [
            (serde_json::json!("orders"), "whose `stacks` is a string"),
            (serde_json::json!([1]), "whose `stacks` holds a number"),
            (serde_json::json!(["a b"]), "has `stacks` \"a b\""),
        ] {
            let mut bad = asset.clone();
            bad["destinations"][0]["stacks"] = value;
            let error = parse(
                serde_json::json!({"format": 1, "app": "a", "artifacts": [], "assets": [bad]}),
            )
            .unwrap_err();
            assert!(error.contains(expected), "{error}");
        }
    }

    #[test]
    fn an_image_asset_names_its_repository_and_tag() {
        let (sha, tag) = ("c".repeat(64), "d".repeat(64));
        let repository = "111111111111.dkr.ecr.us-west-2.amazonaws.com/stackwright-assets";
        let asset = serde_json::json!({"path": format!("assets/{sha}.tar"), "sha256": sha, "kind": "image",
            "source": "images/app", "size": 12, "destinations": [{"env": "prod", "account": "111111111111",
            "region": "us-west-2", "repository": repository, "tag": tag}]});
        let m = parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [entry(TF)], "assets": [asset.clone()]}))
            .unwrap();
        assert_eq!(m.assets[0].destinations[0].bucket, repository);
        assert_eq!(m.assets[0].destinations[0].key, tag);
        assert_eq!(Manifest::parse(&m.to_bytes()).unwrap(), m);
        assert!(String::from_utf8(m.to_bytes())
            .unwrap()
            .contains("\"tag\": "));
        let refuse = |field: &str, value: &str, expected: &str| {
            let mut bad = asset.clone();
            bad["destinations"][0][field] = value.into();
            let error = parse(
                serde_json::json!({"format": 1, "app": "a", "artifacts": [], "assets": [bad]}),
            )
            .unwrap_err();
            assert!(error.contains(expected), "{field}: {error}");
        };
        refuse(
            "repository",
            "evil.example/x",
            "has `repository` \"evil.example/x\"",
        );
        refuse("tag", "latest", "has `tag` \"latest\"");
        let mut zip_path = asset.clone();
        zip_path["path"] = format!("assets/{sha}.zip").into();
        let error = parse(
            serde_json::json!({"format": 1, "app": "a", "artifacts": [], "assets": [zip_path]}),
        )
        .unwrap_err();
        assert!(
            error.contains(&format!("expected `assets/{sha}.tar`")),
            "{error}"
        );
    }

    #[test]
    fn a_resource_count_that_is_not_one_is_refused() {
        for bad in [
            serde_json::json!(-5),
            serde_json::json!(1.5),
            serde_json::json!("3"),
        ] {
            let mut e = entry("terraform/prod/web/main.tf.json");
            e["resources"] = bad.clone();
            let err =
                parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [e]})).unwrap_err();
            assert!(
                err.contains("has `resources`") && err.contains("expected a count"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn reads_removed_artifacts_and_resource_counts() {
        let mut e = entry("terraform/prod/web/main.tf.json");
        let m =
            parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [e.clone()]})).unwrap();
        assert_eq!(
            (m.artifacts[0].removed, m.artifacts[0].resources),
            (false, Some(3))
        );
        e["removed"] = true.into();
        let m =
            parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [e.clone()]})).unwrap();
        assert!(m.artifacts[0].removed);
        e["removed"] = "yes".into();
        let err =
            parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [e]})).unwrap_err();
        assert_eq!(err, "artifact 0 has `removed` a string, expected a boolean");
    }

    #[test]
    fn rejects_what_stackwright_did_not_write() {
        let cases = [
            (serde_json::json!(null), "it is null"),
            (
                serde_json::json!({"name": "my-web-app", "version": "1.0"}),
                "no `format`",
            ),
            (
                serde_json::json!({"format": 2, "app": "a", "artifacts": []}),
                "its `format` is 2",
            ),
            (
                serde_json::json!({"format": 1, "generator": "webpack", "app": "a", "artifacts": []}),
                "its `generator` is \"webpack\"",
            ),
            (
                serde_json::json!({"format": 1, "app": "a"}),
                "no `artifacts` list",
            ),
            (
                serde_json::json!({"format": 1, "app": "a", "artifacts": [entry("../etc/passwd")]}),
                "outside the tree",
            ),
            (
                serde_json::json!({"format": 1, "app": "a", "artifacts": [entry("/etc/passwd")]}),
                "outside the tree",
            ),
            (
                serde_json::json!({"format": 1, "app": "a", "artifacts": [entry(TF), entry(TF)]}),
                "path `terraform/prod/web/main.tf.json` is listed twice",
            ),
            (
                serde_json::json!({"format": 1, "app": "a", "artifacts": [entry("a/b")]}),
                "artifact 0 has `path` \"a/b\": expected `terraform/prod/web/main.tf.json`",
            ),
            (
                serde_json::json!({"format": 1, "app": "a;b", "artifacts": []}),
                "the manifest has `app` \"a;b\"",
            ),
        ];
        for (json, expected) in cases {
            let error = parse(json.clone()).unwrap_err();
            assert!(error.contains(expected), "{json}: {error}");
        }
        let mut bad = entry(TF);
        bad["sha256"] = "xyz".into();
        let error =
            parse(serde_json::json!({"format": 1, "app": "a", "artifacts": [bad]})).unwrap_err();
        assert!(error.contains("64 hexadecimal digits"), "{error}");
    }
}
