//! Terraform state that belongs to one tree.
//!
//! The default local backend ([`stackwright_terraform::Backend::Local`]) keeps a module's state in
//! `terraform-state/<app>/<env>/<stack>/terraform.tfstate` in the directory that holds the output
//! directory, whatever the output directory is called: `out/` and `out-experiment/` of one app would share
//! it, and applying the experiment would change the real deployment. The path stays as it is (existing
//! users' state stays where their modules say it is); instead synth refuses to write a second tree of the
//! app beside one whose modules keep their state in the same file, naming both.

use crate::artifact::{Artifact, Target, MANIFEST};
use stackwright_core::{AnyApp, EnvSpec};
use stackwright_terraform::{Backend, TerraformSettings};
use stackwright_tree::fields::ArtifactPath;
use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Refuses to write the tree at `out` when a tree beside it (another directory of `out`'s parent) holds
/// a Terraform module of app `app` whose local state file is the one a module of this synth would use.
///
/// - `out` is the output directory with links resolved, absolute (as `stackwright_tree::Written::directory`
///   has it); it may not exist yet. Its parent is read once; each directory in it (not `out`, no symbolic
///   link, not a stackwright work directory `.<name>.stackwright-*`) has its `manifest.json` read once,
///   bounded, never through a link. A directory without a manifest stackwright wrote is no tree and is
///   skipped; so is a tree of another app.
/// - `modules` are the (environment, stack) of the Terraform modules this synth writes from the
///   definition. Each environment's backend comes from its [`TerraformSettings`] ([`Backend::Local`] by
///   default); an S3 backend, or an environment the definition does not have, is never checked here (S3
///   keys are checked against each other by `stackwright_terraform::state_location_problems`).
/// - Of a tree of the same app, only the modules of the same (environment, stack) are read, with their
///   backend block as written (a module edited by hand counts as edited), and only up to the first one
///   that shares a state file.
///
/// The error names both trees, the module and the state file, and the three ways out.
pub fn check_shared_state(
    out: &Path,
    app: &dyn AnyApp,
    modules: &[(&str, &str)],
) -> Result<(), String> {
    let ours = local_state_files(out, app, modules);
    if ours.is_empty() {
        return Ok(());
    }
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
        return Ok(());
    };
    let mut clashes: Vec<Clash> = Vec::new();
    for tree in sibling_trees(parent, name) {
        if let Some(clash) = shared_with(&tree, app.name(), &ours) {
            clashes.push(clash);
        }
    }
    let Some(first) = clashes.first() else {
        return Ok(());
    };
    let mut message = format!(
        "`{tree}` beside `{out}` is another tree of app `{app}`: its module `{module}` keeps its Terraform state \
         in `{state}`, the local state file this synth's module of environment `{env}` stack `{stack}` uses, so \
         applying either tree would change the other's deployment: synthesize this tree into a directory with \
         another parent (e.g. `--out experiment/out`: its state then goes to `experiment/terraform-state/`), \
         give environment `{env}` another backend (`.terraform_backend(Backend::S3 {{ .. }})`), or remove \
         `{tree}` if it is obsolete (its state file stays)",
        tree = first.tree.display(),
        out = out.display(),
        app = app.name(),
        module = first.module,
        state = first.state.display(),
        env = first.environment,
        stack = first.stack,
    );
    if clashes.len() > 1 {
        let others: Vec<String> = clashes[1..]
            .iter()
            .map(|c| format!("`{}`", c.tree.display()))
            .collect();
        message.push_str(&format!(
            "; so do {}, for the same reason",
            others.join(", ")
        ));
    }
    Err(message)
}

/// A module of a tree beside `out` that keeps its state in the file one of ours uses.
struct Clash {
    tree: PathBuf,
    /// The module's path in `tree`.
    module: String,
    environment: String,
    stack: String,
    state: PathBuf,
}

/// The local state file of each of `modules` whose environment keeps its state locally, by (environment,
/// stack): the path its backend block names, resolved from the module's directory in `out`.
fn local_state_files<'a>(
    out: &Path,
    app: &dyn AnyApp,
    modules: &[(&'a str, &'a str)],
) -> HashMap<(&'a str, &'a str), PathBuf> {
    let environments: HashMap<&str, &EnvSpec> = app
        .environment_specs()
        .map(|e| (e.name.as_str(), e))
        .collect();
    let mut files = HashMap::with_capacity(modules.len());
    for &(environment, stack) in modules {
        let Some(spec) = environments.get(environment) else {
            continue;
        };
        let backend = spec
            .extensions
            .get::<TerraformSettings>()
            .map_or(&Backend::Local, |s| &s.backend);
        if *backend != Backend::Local {
            continue;
        }
        let relative = stackwright_terraform::local_state_path(app.name(), environment, stack);
        let file = normalize(&module_dir(out, environment, stack).join(relative));
        files.insert((environment, stack), file);
    }
    files
}

/// The directory of the Terraform module of (`environment`, `stack`) in the tree at `tree`.
fn module_dir(tree: &Path, environment: &str, stack: &str) -> PathBuf {
    let module = ArtifactPath::new(Target::Terraform, environment, stack);
    tree.join(
        module
            .module_directory()
            .expect("a Terraform module has a directory"),
    )
}

/// The directories of `parent` other than `name` that may be trees: no symbolic link, no stackwright work
/// directory (`.<tree>.stackwright-<what>-<pid>-<n>`, a staging tree or an old tree being emptied). Sorted,
/// so that the error names the same tree every time.
fn sibling_trees(parent: &Path, name: &OsStr) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(parent) else {
        // The parent holds `out` (or will): one that cannot be listed cannot be written either, and the
        // write says why.
        return Vec::new();
    };
    let mut trees: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name() != name)
        .filter(|entry| !is_work_dir(&entry.file_name()))
        // `DirEntry::file_type` does not follow a symbolic link.
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
        .map(|entry| entry.path())
        .collect();
    trees.sort();
    trees
}

/// `.<tree>.stackwright-<what>...`: a directory stackwright works in beside a tree.
fn is_work_dir(name: &OsStr) -> bool {
    let name = name.as_encoded_bytes();
    name.starts_with(b".")
        && name
            .windows(b".stackwright-".len())
            .skip(1)
            .any(|w| w == b".stackwright-")
}

/// The first Terraform module of `tree` (a tree of app `app`) whose local state file is one of `ours`.
fn shared_with(tree: &Path, app: &str, ours: &HashMap<(&str, &str), PathBuf>) -> Option<Clash> {
    let bytes =
        stackwright_tree::read_file(tree, MANIFEST, stackwright_tree::DEFAULT_LIMIT).ok()?;
    let manifest = stackwright_tree::Manifest::parse(&bytes).ok()?;
    if manifest.app != app {
        return None;
    }
    for entry in &manifest.artifacts {
        if entry.target != Target::Terraform {
            continue;
        }
        let Some(our_file) = ours.get(&(entry.environment.as_str(), entry.stack.as_str())) else {
            continue;
        };
        let Ok(module) =
            stackwright_tree::read_file(tree, &entry.path, stackwright_tree::DEFAULT_LIMIT)
        else {
            continue;
        };
        let dir = tree.join(&entry.path);
        let dir = dir.parent().unwrap_or(tree);
        if let StateLocation::Local {
            path,
            beside: false,
        } = StateLocation::of_module(&module, dir)
        {
            if path == *our_file {
                return Some(Clash {
                    tree: tree.to_path_buf(),
                    module: entry.path.clone(),
                    environment: entry.environment.clone(),
                    stack: entry.stack.clone(),
                    state: path,
                });
            }
        }
    }
    None
}

/// Where Terraform keeps a module's state, read from the module's `terraform.backend`.
pub enum StateLocation {
    /// A local state file (`backend.local.path`, or `terraform.tfstate` beside the module), as a path
    /// that includes the output directory.
    Local {
        /// The state file.
        path: PathBuf,
        /// Whether it is the default, `terraform.tfstate` beside the module.
        beside: bool,
    },
    /// An S3 backend.
    S3 {
        /// The bucket.
        bucket: String,
        /// The object key.
        key: String,
    },
}

impl StateLocation {
    /// `a`'s state; `module_dir` is its directory, output directory included. Only the module's
    /// `terraform` block is built: the rest is skipped as it is read.
    pub fn of(a: &Artifact, module_dir: &Path) -> StateLocation {
        match &a.listed {
            Some(listed) => StateLocation::of_backend(listed.backend.as_ref(), module_dir),
            None => StateLocation::of_module(&a.bytes, module_dir),
        }
    }

    /// The state of the module `module` (its bytes), whose directory is `module_dir`. A module that is
    /// not valid JSON, or has no backend block Stackwright writes, keeps its state beside it.
    pub fn of_module(module: &[u8], module_dir: &Path) -> StateLocation {
        #[derive(serde::Deserialize, Default)]
        struct Module {
            #[serde(default)]
            terraform: Terraform,
        }
        #[derive(serde::Deserialize, Default)]
        struct Terraform {
            #[serde(default)]
            backend: serde_json::Value,
        }
        let backend = serde_json::from_slice::<Module>(module)
            .unwrap_or_default()
            .terraform
            .backend;
        StateLocation::of_backend(Some(&backend), module_dir)
    }

    /// The state of a module whose `terraform.backend` block is `backend` (`None`: it has none).
    fn of_backend(backend: Option<&serde_json::Value>, module_dir: &Path) -> StateLocation {
        let backend = backend.unwrap_or(&serde_json::Value::Null);
        if let Some(path) = backend["local"]["path"].as_str() {
            // `..` is resolved by the kernel from where the module really is: through a linked output
            // directory that is not where the lexical path points. The lexical path (relative, as
            // shown) is kept when both are the same place.
            let lexical = normalize(&module_dir.join(path));
            let real = normalize(&resolve_existing(module_dir).join(path));
            let path = if resolve_existing(&lexical) == resolve_existing(&real) {
                lexical
            } else {
                real
            };
            return StateLocation::Local {
                path,
                beside: false,
            };
        }
        if let (Some(bucket), Some(key)) = (
            backend["s3"]["bucket"].as_str(),
            backend["s3"]["key"].as_str(),
        ) {
            return StateLocation::S3 {
                bucket: bucket.to_owned(),
                key: key.to_owned(),
            };
        }
        StateLocation::Local {
            path: module_dir.join("terraform.tfstate"),
            beside: true,
        }
    }
}

/// `path` with its longest existing prefix resolved (links followed, absolute), the rest as written.
fn resolve_existing(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        if let Ok(real) = std::fs::canonicalize(if at.as_os_str().is_empty() {
            Path::new(".")
        } else {
            at
        }) {
            return rest.iter().rev().fold(real, |p, part| p.join(part));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                at = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// `a/b/../c` -> `a/c`, lexically (the path may not exist yet); leading `..` stay.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir
                if matches!(
                    out.components().next_back(),
                    Some(std::path::Component::Normal(_))
                ) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackwright_core::{App, Environment};
    use stackwright_terraform::TerraformEnvironment;

    /// App `name` with environments `dev` and `prod` (`prod` with `backend` when given) and stacks `web` and
    /// `data`.
    fn app(name: &str, backend: Option<Backend>) -> App<()> {
        let prod = Environment::new("prod", "210987654321", "eu-west-1", ());
        let prod = match backend {
            Some(backend) => prod.terraform_backend(backend),
            None => prod,
        };
        App::new(name)
            .environment(Environment::new("dev", "123456789012", "us-west-2", ()))
            .environment(prod)
            .stack("web", vpc)
            .stack("data", vpc)
    }

    fn vpc(stack: &mut stackwright_core::Stack, _: &Environment<()>) {
        stack.add(stackwright_aws::ec2::Vpc::new("Vpc", "10.0.0.0/16"));
    }

    fn s3() -> Backend {
        Backend::S3 {
            bucket: "shop-state".into(),
            region: "eu-west-1".into(),
            key: None,
            dynamodb_table: None,
        }
    }

    const MODULES: [(&str, &str); 4] = [
        ("dev", "web"),
        ("dev", "data"),
        ("prod", "web"),
        ("prod", "data"),
    ];

    /// Writes every artifact of `app` into `out`, as synth does.
    fn synth(app: &App<()>, out: &Path) {
        let synthesis = crate::synthesize(app, &crate::Request::default()).unwrap();
        stackwright_tree::write_tree(out, synthesis.files(), &mut |_| {}).unwrap();
    }

    fn check(out: &Path, app: &App<()>, modules: &[(&str, &str)]) -> Result<(), String> {
        check_shared_state(out, app, modules)
    }

    #[test]
    fn refuses_a_second_tree_of_the_app_in_one_parent_naming_both() {
        let parent = tempfile::tempdir().unwrap();
        let parent = parent.path().canonicalize().unwrap();
        let shop = app("shop", None);
        synth(&shop, &parent.join("out"));
        let experiment = parent.join("out-experiment");

        let error = check(&experiment, &shop, &MODULES).unwrap_err();
        let state = parent.join("terraform-state/shop/dev/web/terraform.tfstate");
        for part in [
            format!(
                "`{}` beside `{}`",
                parent.join("out").display(),
                experiment.display()
            ),
            "app `shop`".to_owned(),
            "module `terraform/dev/web/main.tf.json`".to_owned(),
            format!("`{}`", state.display()),
            "environment `dev` stack `web`".to_owned(),
            "--out experiment/out".to_owned(),
            "Backend::S3".to_owned(),
            "remove".to_owned(),
        ] {
            assert!(error.contains(&part), "no {part:?} in: {error}");
        }
        // One module is enough to clash; and the tree synthesized first is refused too, beside the other.
        assert!(check(&experiment, &shop, &[("prod", "data")]).is_err());
        synth(&shop, &experiment);
        let error = check(&parent.join("out"), &shop, &MODULES).unwrap_err();
        assert!(
            error.starts_with(&format!("`{}`", experiment.display())),
            "{error}"
        );
        // A third tree names both others.
        let error = check(&parent.join("out-3"), &shop, &MODULES).unwrap_err();
        assert!(
            error.contains(&format!("so do `{}`", experiment.display())),
            "{error}"
        );
    }

    #[test]
    fn allows_what_shares_nothing() {
        let parent = tempfile::tempdir().unwrap();
        let parent = parent.path().canonicalize().unwrap();
        let out = parent.join("out");
        let shop = app("shop", None);
        // Alone, and again over itself.
        assert_eq!(check(&out, &shop, &MODULES), Ok(()));
        synth(&shop, &out);
        assert_eq!(check(&out, &shop, &MODULES), Ok(()));
        // Another app's tree beside it: its state is under its own name.
        synth(&app("blog", None), &parent.join("blog-out"));
        assert_eq!(check(&out, &shop, &MODULES), Ok(()));
        // Stackwright's own work directories, a link to a tree, a directory without a manifest, a foreign
        // manifest and a file are no trees.
        let copy = parent.join(".out.stackwright-staging-1-0");
        synth(&shop, &copy);
        std::os::unix::fs::symlink(&copy, parent.join("link")).unwrap();
        std::fs::create_dir(parent.join("terraform-state")).unwrap();
        std::fs::create_dir(parent.join("web")).unwrap();
        std::fs::write(parent.join("web/manifest.json"), r#"{"name": "web"}"#).unwrap();
        std::fs::write(parent.join("notes"), "").unwrap();
        assert_eq!(check(&out, &shop, &MODULES), Ok(()));
        // Modules this synth does not write, or whose environment is not defined, are not compared.
        std::fs::rename(&copy, parent.join("out-old")).unwrap();
        assert_eq!(check(&out, &shop, &[]), Ok(()));
        assert_eq!(check(&out, &shop, &[("qa", "web")]), Ok(()));
        assert!(check(&out, &shop, &[("dev", "web")]).is_err());
        // The other tree removed: fine.
        std::fs::remove_dir_all(parent.join("out-old")).unwrap();
        assert_eq!(check(&out, &shop, &MODULES), Ok(()));
    }

    #[test]
    fn s3_state_is_not_local_state() {
        let parent = tempfile::tempdir().unwrap();
        let parent = parent.path().canonicalize().unwrap();
        // This synth's prod keeps its state in S3; the other tree's dev is local, as ours.
        let shop = app("shop", Some(s3()));
        synth(&shop, &parent.join("out"));
        let prod = [("prod", "web"), ("prod", "data")];
        assert_eq!(check(&parent.join("out-2"), &shop, &prod), Ok(()));
        assert!(check(&parent.join("out-2"), &shop, &MODULES).is_err());
        // The other tree's prod is in S3 (synthesized before a change), ours local: not the same state.
        let local = app("shop", None);
        assert_eq!(check(&parent.join("out-2"), &local, &prod), Ok(()));
    }

    #[test]
    fn reads_the_other_modules_backend_as_written() {
        let parent = tempfile::tempdir().unwrap();
        let parent = parent.path().canonicalize().unwrap();
        let shop = app("shop", None);
        let other = parent.join("out");
        synth(&shop, &other);
        // A module edited to keep its state elsewhere, or beside it, shares nothing.
        let module = other.join("terraform/dev/web/main.tf.json");
        let text = std::fs::read_to_string(&module).unwrap();
        let edited = text.replace(
            "../../../../terraform-state/shop/dev/web/terraform.tfstate",
            "../../../../elsewhere.tfstate",
        );
        assert_ne!(edited, text);
        std::fs::write(&module, edited).unwrap();
        assert_eq!(
            check(&parent.join("out-2"), &shop, &[("dev", "web")]),
            Ok(())
        );
        std::fs::write(&module, r#"{"resource": {}}"#).unwrap();
        assert_eq!(
            check(&parent.join("out-2"), &shop, &[("dev", "web")]),
            Ok(())
        );
        // One edited to point at our state from another path shares it.
        std::fs::write(
            &module,
            r#"{"terraform": {"backend": {"local": {"path": "../../../../terraform-state/x/../shop/dev/web/terraform.tfstate"}}}}"#,
        )
        .unwrap();
        assert!(check(&parent.join("out-2"), &shop, &[("dev", "web")]).is_err());
        // A module that is a symbolic link is not followed, even to one that would share our state.
        std::fs::write(parent.join("elsewhere.json"), &text).unwrap();
        std::fs::remove_file(&module).unwrap();
        std::os::unix::fs::symlink(parent.join("elsewhere.json"), &module).unwrap();
        assert_eq!(
            check(&parent.join("out-2"), &shop, &[("dev", "web")]),
            Ok(())
        );
    }

    #[test]
    fn work_directory_names() {
        for (name, work) in [
            (".out.stackwright-staging-12-0", true),
            (".out-2.stackwright-old-1-3", true),
            (".stackwright-x", false),
            ("out.stackwright-staging-1-0", false),
            ("out", false),
            (".out", false),
        ] {
            assert_eq!(is_work_dir(OsStr::new(name)), work, "{name}");
        }
    }
}
