//! The rules a manifest's fields follow when read back from a tree: the definition's own rules
//! (`stackwright-core`), so that a value a definition could not have produced is refused before it is
//! printed, put in a command line or signed into the next manifest.
//!
//! - environment and stack: the name syntax of [`ids::validate_name`] (lowercase ASCII letters, digits
//!   and `-`, starting with a letter), as is the app;
//! - account: [`ids::validate_account`] (12 digits); region: one of [`regions::REGIONS`];
//! - path: exactly the [`ArtifactPath`] of the entry's (target, environment, stack), and each `depends_on`
//!   the path of some artifact in that layout.
//!
//! Errors name the field and show the value escaped (`escape_debug`), so that a newline or a terminal
//! escape in a hand-edited manifest cannot forge lines of output.

use crate::manifest::Entry;
use stackwright_core::{ids, regions, Target};

/// Where one stack's artifact lives in a tree, relative to its root: the one layout that the writer,
/// the manifest's reader, `list`, `plan`, the pipelines and the tests share.
///
/// - CloudFormation: `cloudformation/{environment}/{stack}.template.json`;
/// - Terraform: `terraform/{environment}/{stack}/main.tf.json`, a root module in its own directory
///   ([`ArtifactPath::module_directory`]; [`MODULE_TO_ROOT`] leads back).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArtifactPath<'a> {
    pub target: Target,
    pub environment: &'a str,
    pub stack: &'a str,
}

const CLOUDFORMATION_SUFFIX: &str = ".template.json";
const TERRAFORM_FILE: &str = "main.tf.json";

impl<'a> ArtifactPath<'a> {
    /// The artifact of `stack` of `environment` for `target`.
    pub fn new(target: Target, environment: &'a str, stack: &'a str) -> Self {
        ArtifactPath {
            target,
            environment,
            stack,
        }
    }

    /// The path, relative to the tree's root.
    pub fn path(&self) -> String {
        let ArtifactPath {
            environment, stack, ..
        } = self;
        match self.target {
            Target::CloudFormation => {
                format!("cloudformation/{environment}/{stack}{CLOUDFORMATION_SUFFIX}")
            }
            Target::Terraform => format!("terraform/{environment}/{stack}/{TERRAFORM_FILE}"),
        }
    }

    /// The artifact a path relative to the tree's root names, when it is one in this layout with
    /// valid environment and stack names.
    pub fn parse(path: &'a str) -> Option<Self> {
        let (target, environment, stack) = if let Some(rest) = path.strip_prefix("cloudformation/")
        {
            let (env, file) = rest.split_once('/')?;
            (
                Target::CloudFormation,
                env,
                file.strip_suffix(CLOUDFORMATION_SUFFIX)?,
            )
        } else {
            let rest = path.strip_prefix("terraform/")?;
            let (env, rest) = rest.split_once('/')?;
            let stack = rest.strip_suffix(TERRAFORM_FILE)?.strip_suffix('/')?;
            (Target::Terraform, env, stack)
        };
        (ids::validate_name(environment).is_ok() && ids::validate_name(stack).is_ok())
            .then_some(ArtifactPath::new(target, environment, stack))
    }

    /// The directory of a Terraform root module, relative to the tree's root
    /// (`terraform/{environment}/{stack}`); `None` for a CloudFormation template, which is a file.
    pub fn module_directory(&self) -> Option<String> {
        let ArtifactPath {
            environment, stack, ..
        } = self;
        (self.target == Target::Terraform).then(|| format!("terraform/{environment}/{stack}"))
    }
}

/// The way from a Terraform root module's directory ([`ArtifactPath::module_directory`]) back to the
/// tree's root: what a module prefixes to a path of the tree (an asset's zip) to reach it.
pub const MODULE_TO_ROOT: &str = "../../..";

/// A file of a step's tree (`synth --steps`) besides its artifacts and assets, which the step's engine
/// needs; [`crate::manifest::StepMark::files`] lists them.
///
/// - a stack refactor's stack definitions, `refactor/{environment}/{stack}.definitions.json`
///   (`--stack-definitions file://...`), and its resource mappings, `refactor/{environment}/{stack}.json`;
/// - a Terraform state move script, `move/{environment}/{from}-to-{to}.sh`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepFile<'a> {
    /// A stack refactor's stack definitions, for one of the stacks it deploys.
    RefactorDefinitions {
        environment: &'a str,
        stack: &'a str,
    },
    /// A stack refactor's resource mappings, for one of the stacks it deploys.
    RefactorMappings {
        environment: &'a str,
        stack: &'a str,
    },
    /// The script that moves resources' state from module `from` to module `to`.
    MoveScript {
        environment: &'a str,
        from: &'a str,
        to: &'a str,
    },
}

const REFACTOR_DIRECTORY: &str = "refactor";
const DEFINITIONS_SUFFIX: &str = ".definitions.json";
const MOVE_DIRECTORY: &str = "move";

impl<'a> StepFile<'a> {
    /// The path, relative to the step tree's root.
    pub fn path(&self) -> String {
        match self {
            StepFile::RefactorDefinitions { environment, stack } => {
                format!("{REFACTOR_DIRECTORY}/{environment}/{stack}{DEFINITIONS_SUFFIX}")
            }
            StepFile::RefactorMappings { environment, stack } => {
                format!("{REFACTOR_DIRECTORY}/{environment}/{stack}.json")
            }
            StepFile::MoveScript {
                environment,
                from,
                to,
            } => format!("{MOVE_DIRECTORY}/{environment}/{from}-to-{to}.sh"),
        }
    }

    /// The file a path relative to the step tree's root names, when it is one in this layout with valid
    /// environment and stack names. A move script between stacks whose names hold `-to-` reads several
    /// ways; this is the first ([`StepFile::readings`] gives every one).
    pub fn parse(path: &'a str) -> Option<Self> {
        Self::readings(path).next()
    }

    /// Every file a path can name: one, or none, but for a move script whose stacks' names hold `-to-`
    /// (`move/prod/blue-to-green-to-web.sh` moves from `blue` to `green-to-web` or from `blue-to-green`
    /// to `web`), which reads once per `-to-` that splits it into two valid names.
    pub fn readings(path: &'a str) -> impl Iterator<Item = StepFile<'a>> {
        let valid = |name: &str| ids::validate_name(name).is_ok();
        let moves = path
            .strip_prefix(MOVE_DIRECTORY)
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| rest.split_once('/'))
            .and_then(|(environment, file)| Some((environment, file.strip_suffix(".sh")?)))
            .filter(|(environment, _)| valid(environment))
            .into_iter()
            .flat_map(move |(environment, names)| {
                names.match_indices("-to-").filter_map(move |(at, _)| {
                    let (from, to) = (&names[..at], &names[at + "-to-".len()..]);
                    (valid(from) && valid(to)).then_some(StepFile::MoveScript {
                        environment,
                        from,
                        to,
                    })
                })
            });
        Self::parse_refactor(path).into_iter().chain(moves)
    }

    /// [`StepFile::parse`] of a stack refactor's file.
    fn parse_refactor(path: &'a str) -> Option<Self> {
        let (environment, file) = path
            .strip_prefix(REFACTOR_DIRECTORY)?
            .strip_prefix('/')?
            .split_once('/')?;
        let (file, stack) = match file.strip_suffix(DEFINITIONS_SUFFIX) {
            Some(stack) => (StepFile::RefactorDefinitions { environment, stack }, stack),
            None => {
                let stack = file.strip_suffix(".json")?;
                (StepFile::RefactorMappings { environment, stack }, stack)
            }
        };
        let valid = |name: &str| ids::validate_name(name).is_ok();
        (valid(environment) && valid(stack)).then_some(file)
    }
}

/// The directory of the Terraform root module whose `main.tf.json` is at `path` (under any prefix,
/// e.g. `out/terraform/dev/web/main.tf.json` -> `out/terraform/dev/web`); `path` itself when it is not
/// a module's file.
pub fn module_directory(path: &str) -> &str {
    path.strip_suffix(TERRAFORM_FILE)
        .and_then(|dir| dir.strip_suffix('/'))
        .unwrap_or(path)
}

/// Where code assets live in the tree: `assets/<sha256>.zip`.
pub const ASSET_DIRECTORY: &str = "assets";
/// The directory, beside the output directory, of what one synthesis leaves for the next on this machine
/// (absolute paths, inodes, times): `.stackwright-cache/<out>.<what>`, outside the tree that `ci` has
/// users commit, with a `.gitignore` of `*` so that git ignores it unasked. Not a
/// `.<out>.stackwright-*` name: the tree writer cleans those up as a dead writer's work directories.
pub const CACHE_DIRECTORY: &str = ".stackwright-cache";
/// The code assets' cache ([`CACHE_DIRECTORY`]): what their sources hashed to (file stamps and digests,
/// build commands' and packed contents' keys).
pub const ASSET_CACHE: &str = "assets.json";
/// What an asset can be made from (`kind`).
pub const ASSET_KINDS: [&str; 5] = ["file", "directory", "command", "rust", IMAGE_KIND];
/// The kind of a container image asset: an OCI image archive (`assets/<sha256>.tar`, `skopeo`'s
/// `oci-archive:`), published to the environment's image repository, tagged with its manifest's digest.
pub const IMAGE_KIND: &str = "image";

/// Where the asset whose zip has `sha256` lives in the tree.
pub fn asset_path(sha256: &str) -> String {
    format!("{ASSET_DIRECTORY}/{sha256}.zip")
}

/// Where the image asset whose OCI archive has `sha256` lives in the tree: `assets/<sha256>.tar`.
pub fn image_path(sha256: &str) -> String {
    format!("{ASSET_DIRECTORY}/{sha256}.tar")
}

/// Where an asset of `kind` whose file has `sha256` lives in the tree.
pub fn asset_path_of(kind: &str, sha256: &str) -> String {
    if kind == IMAGE_KIND {
        image_path(sha256)
    } else {
        asset_path(sha256)
    }
}

/// The name of an environment's image repository (`stackwright_assets::bootstrap`).
pub const IMAGE_REPOSITORY_NAME: &str = "stackwright-assets";

/// The image repository of an environment, as an image reference names it:
/// `<account>.dkr.ecr.<region>.<partition DNS suffix>/stackwright-assets` (`amazonaws.com`, `amazonaws.com.cn` in
/// China).
pub fn image_repository(account: &str, region: &str) -> String {
    format!(
        "{account}.dkr.ecr.{region}.{}/{IMAGE_REPOSITORY_NAME}",
        regions::dns_suffix(region)
    )
}

/// The asset bucket of an environment: `stackwright-assets-<account>-<region>` (unique in S3 as account and
/// region are; at most 49 characters).
pub fn asset_bucket(account: &str, region: &str) -> String {
    format!("stackwright-assets-{account}-{region}")
}

/// Checks an `assets` entry: a SHA-256, the path and key it gives, a known kind, a source without control
/// characters, and each destination's environment, account and region by the definition's rules and its
/// bucket the one of that account and region.
pub fn check_asset(what: &str, asset: &crate::manifest::AssetEntry) -> Result<(), String> {
    if asset.sha256.len() != 64
        || !asset
            .sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(refused(
            what,
            "sha256",
            &asset.sha256,
            "expected 64 lowercase hexadecimal digits",
        ));
    }
    let path = asset_path_of(&asset.kind, &asset.sha256);
    if asset.path != path {
        return Err(refused(
            what,
            "path",
            &asset.path,
            &format!("expected `{path}`"),
        ));
    }
    if !ASSET_KINDS.contains(&asset.kind.as_str()) {
        let why = format!("expected one of {}", ASSET_KINDS.join(", "));
        return Err(refused(what, "kind", &asset.kind, &why));
    }
    if asset.source.chars().any(char::is_control) {
        return Err(refused(
            what,
            "source",
            &asset.source,
            "expected a path without control characters",
        ));
    }
    let key = format!("{}.zip", asset.sha256);
    for d in &asset.destinations {
        ids::validate_name(&d.environment)
            .map_err(|why| refused(what, "env", &d.environment, &why))?;
        ids::validate_account(&d.account)
            .map_err(|why| refused(what, "account", &d.account, &why))?;
        if !regions::is_known(&d.region) {
            let why = format!("expected one of {}", regions::REGIONS.join(", "));
            return Err(refused(what, "region", &d.region, &why));
        }
        for stack in &d.stacks {
            ids::validate_name(stack).map_err(|why| refused(what, "stacks", stack, &why))?;
        }
        if asset.kind == IMAGE_KIND {
            let repository = image_repository(&d.account, &d.region);
            if d.bucket != repository {
                let why = format!("expected `{repository}`");
                return Err(refused(what, "repository", &d.bucket, &why));
            }
            if d.key.len() != 64
                || !d
                    .key
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                let why = "expected the image manifest's sha256 (64 lowercase hexadecimal digits)";
                return Err(refused(what, "tag", &d.key, why));
            }
            continue;
        }
        let bucket = asset_bucket(&d.account, &d.region);
        if d.bucket != bucket {
            return Err(refused(
                what,
                "bucket",
                &d.bucket,
                &format!("expected `{bucket}`"),
            ));
        }
        if d.key != key {
            return Err(refused(what, "key", &d.key, &format!("expected `{key}`")));
        }
    }
    Ok(())
}

/// Checks the manifest's `app` by the definition's rule for app names.
pub fn check_app(app: &str) -> Result<(), String> {
    ids::validate_name(app).map_err(|why| refused("the manifest", "app", app, &why))
}

/// Checks the fields of an entry whose target is known; the error names the artifact (`what`, e.g.
/// `artifact 3`), the field and its value, and says what was expected.
pub fn check_entry(what: &str, entry: &Entry) -> Result<(), String> {
    let name = |field: &str, value: &str| {
        ids::validate_name(value).map_err(|why| refused(what, field, value, &why))
    };
    name("env", &entry.environment)?;
    name("stack", &entry.stack)?;
    ids::validate_account(&entry.account)
        .map_err(|why| refused(what, "account", &entry.account, &why))?;
    if !regions::is_known(&entry.region) {
        let why = format!("expected one of {}", regions::REGIONS.join(", "));
        return Err(refused(what, "region", &entry.region, &why));
    }
    let expected = ArtifactPath::new(entry.target, &entry.environment, &entry.stack).path();
    if expected != entry.path {
        let why = format!(
            "expected `{expected}`, where stackwright writes the {} artifact of environment `{}`, stack `{}`",
            entry.target.name(),
            entry.environment,
            entry.stack
        );
        return Err(refused(what, "path", &entry.path, &why));
    }
    if let Some(name) = &entry.stack_name {
        // CloudFormation's StackName: a letter, then letters, digits and `-`, at most 128 characters.
        let valid = name.len() <= 128
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !valid || entry.target != Target::CloudFormation {
            let why = "expected the CloudFormation stack name of a template (a letter, then letters, digits \
                       and `-`, at most 128 characters)";
            return Err(refused(what, "stack_name", name, why));
        }
    }
    for capability in entry.capabilities.iter().flatten() {
        if !CAPABILITIES.contains(&capability.as_str()) || entry.target != Target::CloudFormation {
            let why = format!("expected one of {} on a template", CAPABILITIES.join(", "));
            return Err(refused(what, "capabilities", capability, &why));
        }
    }
    for path in &entry.depends_on {
        if ArtifactPath::parse(path).is_none() {
            let why =
                "expected the path of an artifact (`cloudformation/ENV/STACK.template.json` or \
                       `terraform/ENV/STACK/main.tf.json`)";
            return Err(refused(what, "depends_on", path, why));
        }
    }
    Ok(())
}

/// `{what} has `{field}` "{value}": {why}`, with the value (and `why`, which may quote a character of it)
/// escaped.
fn refused(what: &str, field: &str, value: &str, why: &str) -> String {
    format!(
        "{what} has `{field}` {}: {}",
        shown(value),
        why.escape_debug()
    )
}

/// What `aws cloudformation deploy --capabilities` takes (CreateStack `Capabilities`).
const CAPABILITIES: [&str; 3] = [
    "CAPABILITY_IAM",
    "CAPABILITY_NAMED_IAM",
    "CAPABILITY_AUTO_EXPAND",
];

/// A JSON value of a manifest field that has the wrong type, as an error shows it: its kind, and a
/// scalar's value escaped.
pub(crate) fn shown_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => format!("the string {}", shown(s)),
        serde_json::Value::Number(n) => format!("the number {n}"),
        serde_json::Value::Bool(b) => format!("the boolean {b}"),
        serde_json::Value::Null => "null".to_owned(),
        serde_json::Value::Array(_) => "an array".to_owned(),
        serde_json::Value::Object(_) => "an object".to_owned(),
    }
}

/// Longest value shown in an error, in characters; the rest is counted.
const SHOWN: usize = 80;

/// `value` as a quoted string on one line (`Debug`, which escapes with `escape_debug`: control characters,
/// quotes, invisible ones), cut after [`SHOWN`] characters.
fn shown(value: &str) -> String {
    let count = value.chars().count();
    let head: String = value.chars().take(SHOWN).collect();
    if count > SHOWN {
        format!("{head:?}… ({count} characters)")
    } else {
        format!("{head:?}")
    }
}

/// A step's directory name: `NN-<slug>` where `NN` is `number` in two digits (more past 99) and the slug
/// lowercase ASCII letters, digits and `-`, at most 64 characters in all.
pub fn check_step_name(name: &str, number: usize) -> Result<(), String> {
    let prefix = format!("{number:02}-");
    let slug = name.strip_prefix(&prefix).ok_or_else(|| {
        format!(
            "step name `{}` does not start with `{prefix}`",
            name.escape_debug()
        )
    })?;
    if slug.is_empty()
        || name.len() > 64
        || !slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!(
            "step name `{}` is not `{prefix}` and a slug of lowercase letters, digits and `-`",
            name.escape_debug()
        ));
    }
    Ok(())
}

/// A line describing a step: at most 1,000 characters, none of them a control character.
pub fn check_step_line(line: &str) -> Result<(), String> {
    if line.chars().count() > 1000 || line.chars().any(char::is_control) {
        return Err("a step line is printable text of at most 1,000 characters".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_artifact_path_reads_back_as_the_artifact_it_names() {
        for target in Target::ALL {
            let artifact = ArtifactPath::new(target, "prod", "web-1");
            let path = artifact.path();
            assert_eq!(ArtifactPath::parse(&path), Some(artifact), "{path}");
        }
        assert_eq!(
            ArtifactPath::new(Target::Terraform, "prod", "web").path(),
            "terraform/prod/web/main.tf.json"
        );
        assert_eq!(
            ArtifactPath::new(Target::CloudFormation, "prod", "web").path(),
            "cloudformation/prod/web.template.json"
        );
        for not_one in [
            "terraform/prod/web/other.tf.json",
            "terraform/prod/main.tf.json",
            "terraform/prod/a/b/main.tf.json",
            "terraform/Prod/web/main.tf.json",
            "cloudformation/prod/web.json",
            "cloudformation/prod/x/web.template.json",
            "kubernetes/prod/web.yaml",
            "manifest.json",
            "",
        ] {
            assert_eq!(ArtifactPath::parse(not_one), None, "{not_one}");
        }
        assert_eq!(
            module_directory("out dir/terraform/dev/web/main.tf.json"),
            "out dir/terraform/dev/web"
        );
        assert_eq!(
            module_directory("cloudformation/dev/web.template.json"),
            "cloudformation/dev/web.template.json"
        );
    }

    /// A module's directory is its file's, and [`MODULE_TO_ROOT`] leads from it back to the root.
    #[test]
    fn a_module_directory_is_its_file_s_and_leads_back_to_the_root() {
        let module = ArtifactPath::new(Target::Terraform, "prod", "web");
        let directory = module.module_directory().unwrap();
        assert_eq!(directory, "terraform/prod/web");
        assert_eq!(module_directory(&module.path()), directory);
        let depth = directory.split('/').count();
        assert_eq!(MODULE_TO_ROOT, vec![".."; depth].join("/"));
        assert_eq!(
            ArtifactPath::new(Target::CloudFormation, "prod", "web").module_directory(),
            None
        );
    }

    #[test]
    fn a_step_file_reads_back_as_the_file_it_names() {
        let files = [
            StepFile::RefactorDefinitions {
                environment: "prod",
                stack: "web-1",
            },
            StepFile::RefactorMappings {
                environment: "prod",
                stack: "web-1",
            },
            StepFile::MoveScript {
                environment: "prod",
                from: "data",
                to: "web-1",
            },
        ];
        let paths = files.map(|f| f.path());
        assert_eq!(
            paths,
            [
                "refactor/prod/web-1.definitions.json",
                "refactor/prod/web-1.json",
                "move/prod/data-to-web-1.sh",
            ]
        );
        for (file, path) in files.iter().zip(&paths) {
            assert_eq!(StepFile::parse(path).as_ref(), Some(file), "{path}");
        }
        // Stacks whose names hold `-to-`: every split into two valid names is a reading.
        let readings: Vec<_> = StepFile::readings("move/prod/blue-to-green-to-web.sh").collect();
        assert_eq!(
            readings,
            [
                StepFile::MoveScript {
                    environment: "prod",
                    from: "blue",
                    to: "green-to-web"
                },
                StepFile::MoveScript {
                    environment: "prod",
                    from: "blue-to-green",
                    to: "web"
                },
            ]
        );
        assert_eq!(
            StepFile::parse("move/prod/blue-to-green-to-web.sh"),
            Some(readings[0])
        );
        assert_eq!(StepFile::readings("move/prod/web-to-Data.sh").count(), 0);
        for not_one in [
            "refactor/prod/a/web.json",
            "refactor/Prod/web.json",
            "refactor/prod/web.yaml",
            "move/prod/web.sh",
            "move/prod/data-to-web.bash",
            "move/prod/-to-web.sh",
            "steps/prod/web.json",
            "terraform/prod/web/main.tf.json",
            "",
        ] {
            assert_eq!(StepFile::parse(not_one), None, "{not_one}");
        }
    }

    /// An image repository's registry is in its partition's DNS domain (China's is not `amazonaws.com`).
    #[test]
    fn image_repositories_use_the_partition_s_dns_suffix() {
        assert_eq!(
            image_repository("111111111111", "cn-north-1"),
            "111111111111.dkr.ecr.cn-north-1.amazonaws.com.cn/stackwright-assets"
        );
        assert_eq!(
            image_repository("111111111111", "us-west-2"),
            "111111111111.dkr.ecr.us-west-2.amazonaws.com/stackwright-assets"
        );
    }

    fn entry() -> Entry {
        Entry {
            environment: "prod".into(),
            account: "111111111111".into(),
            region: "us-west-2".into(),
            stack: "web".into(),
            target: Target::Terraform,
            path: "terraform/prod/web/main.tf.json".into(),
            sha256: "a".repeat(64),
            removed: false,
            resources: None,
            depends_on: vec!["cloudformation/prod/network.template.json".into()],
            stack_name: None,
            capabilities: None,
            targets: None,
            deployed_by: None,
        }
    }

    #[test]
    fn stack_names_and_capabilities_are_what_cloudformation_takes() {
        let mut cfn = Entry {
            target: Target::CloudFormation,
            path: "cloudformation/prod/web.template.json".into(),
            stack_name: Some("app-prod-web".into()),
            capabilities: Some(vec!["CAPABILITY_IAM".into()]),
            ..entry()
        };
        assert_eq!(check_entry("artifact 0", &cfn), Ok(()));
        cfn.stack_name = Some("rv-e0-svc;touch X".into());
        let e = check_entry("artifact 0", &cfn).unwrap_err();
        assert!(e.contains("`stack_name` \"rv-e0-svc;touch X\""), "{e}");
        cfn.stack_name = Some("app-prod-web".into());
        cfn.capabilities = Some(vec!["$(id)".into()]);
        let e = check_entry("artifact 0", &cfn).unwrap_err();
        assert!(
            e.contains("`capabilities` \"$(id)\"") && e.contains("CAPABILITY_NAMED_IAM"),
            "{e}"
        );
    }

    #[test]
    fn an_entry_the_definition_could_write_passes() {
        assert_eq!(check_entry("artifact 0", &entry()), Ok(()));
        assert_eq!(check_app("notebook"), Ok(()));
        let mut cfn = entry();
        cfn.target = Target::CloudFormation;
        cfn.path = "cloudformation/prod/web.template.json".into();
        assert_eq!(check_entry("artifact 0", &cfn), Ok(()));
    }

    #[test]
    fn each_field_is_checked_by_the_definitions_rule() {
        let check = |edit: &dyn Fn(&mut Entry)| {
            let mut e = entry();
            edit(&mut e);
            check_entry("artifact 2", &e).unwrap_err()
        };
        assert_eq!(
            check(&|e| e.environment = "old;touch X;".into()),
            "artifact 2 has `env` \"old;touch X;\": expected only lowercase ASCII letters, digits and `-`, \
             found `;`"
        );
        assert_eq!(
            check(&|e| e.stack = "web\nerror: forged".into()),
            "artifact 2 has `stack` \"web\\nerror: forged\": expected only lowercase ASCII letters, digits \
             and `-`, found `\\n`"
        );
        assert_eq!(
            check(&|e| e.account = "12345678901".into()),
            "artifact 2 has `account` \"12345678901\": expected exactly 12 digits"
        );
        let region = check(&|e| e.region = "us-west-2;touch Y;".into());
        assert!(
            region.starts_with(
                "artifact 2 has `region` \"us-west-2;touch Y;\": expected one of af-south-1, "
            ),
            "{region}"
        );
        assert_eq!(
            check(&|e| e.path = "terraform/prod/web/$(touch X)/main.tf.json".into()),
            "artifact 2 has `path` \"terraform/prod/web/$(touch X)/main.tf.json\": expected \
             `terraform/prod/web/main.tf.json`, where stackwright writes the terraform artifact of environment \
             `prod`, stack `web`"
        );
        assert_eq!(
            check(&|e| e.depends_on = vec!["a/b".into()]),
            "artifact 2 has `depends_on` \"a/b\": expected the path of an artifact \
             (`cloudformation/ENV/STACK.template.json` or `terraform/ENV/STACK/main.tf.json`)"
        );
        assert_eq!(
            check_app("my app").unwrap_err(),
            "the manifest has `app` \"my app\": expected only lowercase ASCII letters, digits and `-`, \
             found ` `"
        );
    }

    #[test]
    fn long_values_are_cut_and_escapes_cannot_reach_the_terminal() {
        let error = check_app(&format!("a\u{1b}[2J{}", "b".repeat(200))).unwrap_err();
        assert!(error.contains("\"a\\u{1b}[2Jbbb"), "{error}");
        assert!(error.contains("bb\"… (205 characters)"), "{error}");
        assert!(!error.contains('\u{1b}'), "{error}");
    }
}
