//! `ci`: writes the GitHub Actions workflow and the GitLab CI pipeline that `stackwright_ci` generates
//! from `list --format json`, owning only the files it wrote (their marker line), or checks them
//! (`ci --check`).

use stackwright_ci::{Options, Ownership};
use stackwright_core::{AnyApp, Target};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The options of `ci`.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct CiArgs {
    /// The engine the pipelines deploy with (one: deploying both would deploy every stack twice); without
    /// it, the one target every stack declares (`.targets(..)`)
    #[arg(long, value_name = "TARGET", value_parser = crate::cli::target_argument())]
    pub target: Option<Target>,
    /// The artifact tree, relative to the repository root; it must be committed (the pull-request check
    /// runs `synth --check` on it, and the plan compares it with the base branch's)
    #[arg(long, value_name = "DIR", default_value = "out", value_parser = crate::cli::path_argument())]
    pub out: PathBuf,
    /// The role each deploy job assumes by OIDC; `{account}`, `{env}` and `{region}` are replaced (an
    /// environment's `.deploy_role(..)` wins)
    #[arg(long, value_name = "ARN", default_value = stackwright_ci::DEFAULT_ROLE_ARN)]
    pub role_arn: String,
    /// At most this many deploy jobs at once
    #[arg(long, value_name = "N", default_value_t = 20,
          value_parser = clap::value_parser!(u16).range(1..=stackwright_ci::GITHUB_MATRIX_LIMIT as i64))]
    pub max_parallel: u16,
    /// The branch whose pushes deploy
    #[arg(long, value_name = "NAME", default_value = "main", value_parser = branch_name)]
    pub branch: String,
    /// The package of the app's binary (`cargo run -p`), when the workspace has several
    #[arg(long, value_name = "NAME", value_parser = CargoName)]
    pub package: Option<String>,
    /// The app is this cargo example target (`cargo run --example`)
    #[arg(long, value_name = "NAME", conflicts_with = "bin", value_parser = CargoName)]
    pub example: Option<String>,
    /// The app is this binary target (`cargo run --bin`)
    #[arg(long, value_name = "NAME", value_parser = CargoName)]
    pub bin: Option<String>,
    /// The repository root the files are written under
    #[arg(long, value_name = "DIR", default_value = ".", value_parser = crate::cli::path_argument())]
    pub root: PathBuf,
    /// Write nothing; fail (exit 1) unless the files are what `ci` would write
    #[arg(long)]
    pub check: bool,
}

/// The parser of `--branch`: a usage error (exit 2) like any other bad option value, not a failure of
/// the generation.
fn branch_name(value: &str) -> Result<String, String> {
    if stackwright_ci::is_branch_name(value) {
        Ok(value.to_owned())
    } else {
        Err(format!(
            "`{}` is not a branch name `ci` accepts: expected letters, digits, `-`, `_`, `.` and `/` (it goes \
             into the generated pipelines' rules)",
            value.escape_debug()
        ))
    }
}

/// The parser of `--package`, `--example` and `--bin`: a name by cargo's rules for package and target
/// names (letters, digits, `-` and `_`). The name goes into the pipelines' `run:` lines, which GitHub
/// reads for `${{ .. }}` expressions before the shell sees them: nothing else may get there.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CargoName;

impl clap::builder::TypedValueParser for CargoName {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        let option = arg.and_then(clap::Arg::get_long).unwrap_or("package");
        let what = if option == "package" {
            "package"
        } else {
            "target"
        };
        let text = value.to_string_lossy();
        let valid = !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if valid {
            return Ok(text.into_owned());
        }
        Err(clap::Error::raw(
            clap::error::ErrorKind::ValueValidation,
            format!(
                "invalid value for `--{option}`: `{}` is not a cargo {what} name: expected letters, digits, \
                 `-` and `_` (the name goes into the generated pipelines' shell lines)\n",
                text.escape_debug()
            ),
        )
        .with_cmd(cmd))
    }
}

impl CiArgs {
    /// The arguments that make `ci` generate these files again (all but `--root` and `--check`).
    fn arguments(&self) -> Vec<String> {
        let mut words = Vec::new();
        if let Some(target) = self.target {
            words.extend(["--target".to_owned(), target.name().to_owned()]);
        }
        words.extend([
            "--out".to_owned(),
            self.out.display().to_string(),
            "--role-arn".to_owned(),
            self.role_arn.clone(),
            "--max-parallel".to_owned(),
            self.max_parallel.to_string(),
            "--branch".to_owned(),
            self.branch.clone(),
        ]);
        for (option, value) in [
            ("--package", &self.package),
            ("--example", &self.example),
            ("--bin", &self.bin),
        ] {
            if let Some(value) = value {
                words.push(option.to_owned());
                words.push(value.clone());
            }
        }
        words
    }

    /// `cargo build --locked [-p P] [--example E|--bin B]`, and the same with `run -q ... --`.
    fn cargo(&self) -> (Vec<String>, Vec<String>) {
        let mut selection = Vec::new();
        for (option, value) in [
            ("-p", &self.package),
            ("--example", &self.example),
            ("--bin", &self.bin),
        ] {
            if let Some(value) = value {
                selection.push(option.to_owned());
                selection.push(value.clone());
            }
        }
        let mut build = vec![
            "cargo".to_owned(),
            "build".to_owned(),
            "--locked".to_owned(),
        ];
        build.extend(selection.iter().cloned());
        let mut run = vec![
            "cargo".to_owned(),
            "run".to_owned(),
            "--locked".to_owned(),
            "-q".to_owned(),
        ];
        run.extend(selection);
        run.push("--".to_owned());
        (build, run)
    }
}

/// The one target of every artifact `list` gives without `--target` (each stack's declared targets):
/// a pipeline deploys with one engine, so a stack with both targets, or stacks of different targets, need
/// `--target`.
fn only_target(listing: &stackwright_ci::Listing) -> Result<Target, String> {
    // What deploys: a kept artifact of a removed stack (no wave) only waits for its teardown.
    let mut found: Vec<&str> = listing
        .artifacts
        .iter()
        .filter(|a| a.wave.is_some())
        .map(|a| a.target.as_str())
        .collect();
    found.sort_unstable();
    found.dedup();
    match found.as_slice() {
        [one] => Target::from_name(one)
            .ok_or_else(|| format!("the listing has an artifact of unknown target `{one}`")),
        [] => Err(format!(
            "app `{}` has no artifact to deploy: synthesize it first",
            listing.app
        )),
        _ => Err(
            "the app's stacks have both targets (declared with `.targets(..)`, or undeclared: every target), \
             and a pipeline deploys with one engine (both would deploy every stack twice): pass `--target \
             cloudformation` or `--target terraform`, or declare one target for the app \
             (`App::targets`)"
                .to_owned(),
        ),
    }
}

/// Generates the pipelines from `listing` (`list --format json` of the app, restricted to the target)
/// and writes or checks them under `--root`.
pub(crate) fn run(
    app: &dyn AnyApp,
    args: &CiArgs,
    listing: serde_json::Value,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    let listing: stackwright_ci::Listing = match serde_json::from_value(listing) {
        Ok(listing) => listing,
        Err(e) => {
            let _ = writeln!(stderr, "error: cannot read the app's listing: {e}");
            return 1;
        }
    };
    let environments = app
        .environment_specs()
        .map(|spec| {
            let settings = spec
                .extensions
                .get::<stackwright_ci::CiSettings>()
                .cloned()
                .unwrap_or_default();
            (spec.name.clone(), settings)
        })
        .collect();
    let target = match args.target {
        Some(target) => target,
        None => match only_target(&listing) {
            Ok(target) => target,
            Err(message) => {
                let _ = writeln!(stderr, "error: {message}");
                return 1;
            }
        },
    };
    let (build, run) = args.cargo();
    let options = Options {
        target,
        out: args.out.display().to_string(),
        role_arn: args.role_arn.clone(),
        max_parallel: usize::from(args.max_parallel),
        branch: args.branch.clone(),
        run,
        build,
        ci_arguments: args.arguments(),
        environments,
    };
    let pipelines = match stackwright_ci::generate(&listing, &options) {
        Ok(pipelines) => pipelines,
        Err(problems) => {
            for problem in problems {
                let _ = writeln!(stderr, "error: {problem}");
            }
            return 1;
        }
    };
    // Every file is judged before any is written: all or nothing.
    let mut problems = Vec::new();
    let mut stale = Vec::new();
    for pipeline in &pipelines {
        let path = args.root.join(pipeline.path);
        match std::fs::read(&path) {
            Ok(bytes) if bytes == pipeline.text.as_bytes() => {}
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                match stackwright_ci::ownership(&text) {
                    Ownership::Ours => stale.push((path, pipeline)),
                    Ownership::Edited => problems.push(format!(
                        "`{}` was written by `ci` and edited since (its content no longer matches its marker \
                         line): `ci` does not overwrite your edits; move them out (or delete the file) and run \
                         `ci` again",
                        path.display()
                    )),
                    Ownership::Foreign => problems.push(format!(
                        "`{}` exists and was not written by `ci` (its first line is not `ci`'s marker): `ci` \
                         does not overwrite a hand-written pipeline; rename it, or pass another `--root`",
                        path.display()
                    )),
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => stale.push((path, pipeline)),
            Err(e) => problems.push(format!("cannot read `{}`: {e}", path.display())),
        }
    }
    if !problems.is_empty() {
        for problem in problems {
            let _ = writeln!(stderr, "error: {problem}");
        }
        return 1;
    }
    if args.check {
        if stale.is_empty() {
            let _ = writeln!(
                stdout,
                "up to date: {} are what `ci` generates",
                names(&pipelines, &args.root)
            );
            return 0;
        }
        let _ = writeln!(
            stderr,
            "error: {} not what `ci` generates from the definition and `{}`:",
            if stale.len() == 1 {
                "a pipeline is"
            } else {
                "pipelines are"
            },
            args.out.display()
        );
        for (path, _) in &stale {
            let _ = writeln!(stderr, "  {}", path.display());
        }
        let _ = writeln!(
            stderr,
            "  = help: run `ci {}` and commit the result",
            args.arguments().join(" ")
        );
        return 1;
    }
    for (path, pipeline) in &stale {
        if let Err(e) = write(path, pipeline.text.as_bytes()) {
            let _ = writeln!(stderr, "error: cannot write `{}`: {e}", path.display());
            return 1;
        }
    }
    let _ = writeln!(
        stdout,
        "app `{}`: {} ({} changed); deploys with {} in waves, at most {} jobs at once",
        listing.app,
        names(&pipelines, &args.root),
        stale.len(),
        options.target.name(),
        options.max_parallel
    );
    0
}

fn names(pipelines: &[stackwright_ci::Pipeline], root: &Path) -> String {
    pipelines
        .iter()
        .map(|p| root.join(p.path).display().to_string())
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Writes `bytes` to `path` through a temporary file beside it and a rename, so that a reader never
/// sees half a pipeline.
fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.stackwright-tmp"));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path)
}
