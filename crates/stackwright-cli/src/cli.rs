use crate::commands;
use crate::render;
use clap::builder::TypedValueParser as _;
use clap::{Parser, Subcommand, ValueEnum};
use stackwright_core::AnyApp;
use stackwright_synth::artifact::{Form, Request, SynthError, Synthesis, Target};
use stackwright_synth::pipeline::{synthesize_beside, write_into};
use stackwright_synth::state::StateLocation;
use stackwright_tree::PreviousTree;
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(about = "Compile this Stackwright app to CloudFormation and Terraform JSON")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    // `synth` is the default command, so its options are accepted without it too.
    #[command(flatten)]
    synth: SynthArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write every artifact of the selected environments and targets (the default command)
    Synth(SynthArgs),
    /// List environments, stacks, artifact paths and the command that deploys each artifact
    List(ListArgs),
    /// Show what deploying the current definition over a previous artifact tree would add, update,
    /// replace or destroy (exit 0: no change, 2: changes, 3: changes that lose data, 1: error)
    Plan(PlanArgs),
    /// Write a GitHub Actions workflow and a GitLab CI pipeline that check pull requests and deploy every
    /// stack in its waves on merge (`--check`: fail unless they are up to date)
    Ci(crate::ci::CiArgs),
}

#[derive(clap::Args, Debug, Clone)]
struct Selected {
    /// Which target to compile for: `all` is every target each stack declares (`.targets(..)`; every
    /// target where none is declared); one target skips the stacks that do not declare it, and is an error
    /// when no selected stack does
    #[arg(long, value_name = "TARGET", default_value = ALL_TARGETS, value_parser = targets_argument())]
    target: Targets,
    /// Only this environment (repeatable); all environments when absent
    #[arg(long = "env", value_name = "NAME")]
    environments: Vec<String>,
}

#[derive(clap::Args, Debug, Clone)]
struct SynthArgs {
    #[command(flatten)]
    selected: Selected,
    /// Output directory: its artifacts are replaced all or nothing, and what stackwright did not write in it stays
    #[arg(long, value_name = "DIR", default_value = "out", value_parser = path_argument())]
    out: PathBuf,
    /// Write nothing; fail (exit 1), listing the files that differ, unless DIR holds exactly what this
    /// definition produces
    #[arg(long)]
    check: bool,
    /// The deployment of this environment (or ENV/STACK) removed from the definition has been torn down:
    /// stop keeping its artifacts in DIR (repeatable)
    #[arg(long, value_name = "ENV[/STACK]")]
    destroyed: Vec<String>,
    /// When the change from the deployed tree in DIR cannot be deployed in one step, write each step's
    /// complete tree beside DIR (`steps/01-<what>/`, ...; the last is what synth writes) and leave DIR
    /// as it is
    #[arg(long, conflicts_with_all = ["check", "destroyed"])]
    steps: bool,
}

#[derive(clap::Args, Debug, Clone)]
struct ListArgs {
    #[command(flatten)]
    selected: Selected,
    /// Output directory the listed paths are in
    #[arg(long, value_name = "DIR", default_value = "out", value_parser = path_argument())]
    out: PathBuf,
    /// How to print the list
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
}

/// What a command that reads the tree as `list` does prints.
enum Listing {
    Format(ListFormat),
    Ci(Box<crate::ci::CiArgs>),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ListFormat {
    /// Environments, then artifacts in deploy waves, with what each waits for
    Human,
    /// A JSON document for CI: every artifact with its wave, dependencies and deploy command
    Json,
    /// The published code assets the definition and the tree in DIR use, one per line: `s3://BUCKET/KEY`
    /// and `docker://REPOSITORY:TAG` (to keep when cleaning up old assets)
    Referenced,
}

#[derive(clap::Args, Debug, Clone)]
struct PlanArgs {
    #[command(flatten)]
    selected: Selected,
    /// The previous artifact tree (with its manifest.json), e.g. the out/ of the main branch's CI run
    #[arg(long, value_name = "DIR", default_value = "out", value_parser = path_argument())]
    against: PathBuf,
    /// How to print the plan
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit 2 rather than 3 when changes lose data (after review)
    #[arg(long)]
    allow_data_loss: bool,
    /// Compare against artifacts whose sha256 differs from the manifest's (edited after synth), with a
    /// warning, instead of refusing
    #[arg(long)]
    allow_modified: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    /// Aligned text, colored when stdout is a terminal
    Human,
    /// A stable JSON document for bots (see the README)
    Json,
    /// Markdown for a pull-request comment
    Markdown,
}

/// The targets `--target` asks for: one target, or every target ([`ALL_TARGETS`]).
#[derive(Clone, Debug)]
struct Targets(Vec<Target>);

/// The value of `--target` that asks for every target.
const ALL_TARGETS: &str = "all";

impl Targets {
    /// `target`, or every target when `None`.
    fn of(target: Option<Target>) -> Self {
        Targets(target.map_or_else(|| Target::ALL.to_vec(), |t| vec![t]))
    }

    /// Whether every target is asked for.
    fn is_all(&self) -> bool {
        self.0 == Target::ALL
    }
}

/// The parser of a target's name ([`Target::name`]); clap lists the names as the possible values.
pub(crate) fn target_argument() -> impl clap::builder::TypedValueParser<Value = Target> {
    clap::builder::PossibleValuesParser::new(Target::ALL.map(Target::name))
        .map(|name| Target::from_name(&name).expect("one of the possible values"))
}

/// The parser of `synth`'s, `list`'s and `plan`'s `--target`: a target's name, or [`ALL_TARGETS`].
fn targets_argument() -> impl clap::builder::TypedValueParser<Value = Targets> {
    let mut names = Target::ALL.map(Target::name).to_vec();
    names.push(ALL_TARGETS);
    clap::builder::PossibleValuesParser::new(names)
        .map(|name| Targets::of(Target::from_name(&name)))
}

/// `--out` and `--against`: a path that prints on one line, exactly (see [`commands::path_argument`]).
pub(crate) fn path_argument() -> PathArgument {
    PathArgument
}

/// The parser of [`path_argument`]. Its error is ours alone: clap's own would quote the value as it is,
/// newline included.
#[derive(Clone, Copy)]
pub(crate) struct PathArgument;

impl clap::builder::TypedValueParser for PathArgument {
    type Value = PathBuf;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<PathBuf, clap::Error> {
        commands::path_argument(value.to_owned()).map_err(|why| {
            let option = arg.and_then(clap::Arg::get_long).unwrap_or("DIR");
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid value for `--{option}`: {why}\n"),
            )
            .with_cmd(cmd)
        })
    }
}

impl Selected {
    fn request(&self) -> Request {
        Request {
            environments: self.environments.clone(),
            targets: self.target.0.clone(),
        }
    }
}

/// Whether each output stream is a terminal (and so gets colors).
#[derive(Clone, Copy)]
struct Terminals {
    stdout: bool,
    stderr: bool,
}

/// Runs the command line on the process's arguments, writing to the real terminal. Not generic (a
/// `&App<C>` converts to `&dyn AnyApp`), so that the command line is compiled once, in this crate, and
/// a user's edit recompiles only the user's code.
pub fn run(app: &dyn AnyApp) -> ExitCode {
    let terminals = Terminals {
        stdout: std::io::stdout().is_terminal(),
        stderr: std::io::stderr().is_terminal(),
    };
    let code = run_on(
        app,
        std::env::args_os().collect(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
        terminals,
    );
    ExitCode::from(code)
}

/// Runs the command line on the given arguments (the first is the program name) and returns the exit
/// code: 0 on success, 1 when the definition has problems or files cannot be written, 2 on a usage error;
/// `plan` has its own (0 no change, 2 changes, 3 data loss, 1 any error including usage). `color` applies
/// to both output streams.
pub fn run_with(
    app: &dyn AnyApp,
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    color: bool,
) -> u8 {
    let terminals = Terminals {
        stdout: color,
        stderr: color,
    };
    let args = args.into_iter().map(Into::into).collect();
    run_on(app, args, stdout, stderr, terminals)
}

fn run_on(
    app: &dyn AnyApp,
    args: Vec<OsString>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    terminals: Terminals,
) -> u8 {
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` are "errors" that print to stdout and succeed.
            let text = e.render().to_string();
            let _ = if e.use_stderr() {
                write!(stderr, "{text}")
            } else {
                write!(stdout, "{text}")
            };
            // For `plan`, 2 means "changes" (Terraform's -detailed-exitcode), so its usage errors are 1.
            let usage = if is_plan(&args) { 1 } else { 2 };
            return if e.use_stderr() { usage } else { 0 };
        }
    };
    let color = terminals.stderr;
    let (listing, args) = match cli.command {
        None => (None, cli.synth),
        Some(Command::Synth(args)) => (None, args),
        Some(Command::List(args)) => (
            Some(Listing::Format(args.format)),
            SynthArgs {
                selected: args.selected,
                out: args.out,
                check: false,
                destroyed: Vec::new(),
                steps: false,
            },
        ),
        Some(Command::Plan(args)) => return plan(app, &args, stdout, stderr, terminals),
        // `ci` reads what `list --format json` gives for its target, then generates from it.
        Some(Command::Ci(args)) => {
            let selected = Selected {
                // Without `--target`, every stack's declared targets; `ci::run` then needs them to be one.
                target: Targets::of(args.target),
                environments: Vec::new(),
            };
            let out = args.out.clone();
            (
                Some(Listing::Ci(Box::new(args))),
                SynthArgs {
                    selected,
                    out,
                    check: false,
                    destroyed: Vec::new(),
                    steps: false,
                },
            )
        }
    };
    match (&listing, args.check) {
        (None, false) if args.steps => return steps(app, &args, stdout, stderr, color),
        (None, false) => return synth(app, &args, stdout, stderr, color),
        (None, true) => return check(app, &args, stdout, stderr, color),
        (Some(_), _) => {}
    }
    // The clean-up of old assets deletes whatever the list leaves out: a list of one environment or
    // target would have it delete what the others still use.
    if matches!(listing, Some(Listing::Format(ListFormat::Referenced)))
        && (!args.selected.environments.is_empty() || !args.selected.target.is_all())
    {
        let _ = writeln!(
            stderr,
            "error: `list --format referenced` takes neither `--env` nor `--target`: it lists what \
             every environment and target references, and a clean-up of old assets deletes everything \
             else; drop them"
        );
        return 2;
    }
    let request = args.selected.request();
    // `list` names paths in the tree, which need not exist yet; but something else in its place would
    // make every path it prints one that cannot exist.
    if args.out.exists() && !args.out.is_dir() {
        let _ = writeln!(
            stderr,
            "error: `{}` is not a directory: `list` describes the tree synth writes there (pass another `--out DIR`)",
            args.out.display()
        );
        return 1;
    }
    // Read once, under the shared lock, so that a synth running meanwhile cannot swap it half-read.
    let tree = PreviousTree::read(&args.out, &mut |dir| waiting(stderr, &args.out, dir));
    if let Err(message) = unreadable_manifest(&tree) {
        let _ = writeln!(stderr, "error: {message}");
        return 1;
    }
    // A step's tree (`synth --steps`) is listed as it is, not as the definition would write it.
    if let Some(step) = tree.manifest().and_then(|m| m.step.as_ref()) {
        let synthesis = match crate::steps::listing(&tree, &request) {
            Ok(s) => s,
            Err(message) => {
                let _ = writeln!(stderr, "error: {message}");
                return 1;
            }
        };
        let progress = crate::steps::progress(&args.out, step);
        return match listing {
            Some(Listing::Format(ListFormat::Human)) => {
                let _ = writeln!(stdout, "{progress}");
                let _ = write!(stdout, "{}", list(&synthesis, &args.out, &tree));
                0
            }
            Some(Listing::Format(ListFormat::Json)) => {
                let mut json = list_json(&synthesis, &args.out, &tree);
                json["step"] = crate::steps::progress_json(step);
                let _ = stdout.write_all(&stackwright_synth::artifact::to_bytes(&json));
                0
            }
            Some(Listing::Format(ListFormat::Referenced)) => {
                let _ = write!(stdout, "{}", crate::publish::referenced(&synthesis, &tree));
                0
            }
            Some(Listing::Ci(ci)) => {
                let listing = list_json(&synthesis, &args.out, &tree);
                crate::ci::run(app, &ci, listing, stdout, stderr)
            }
            None => unreachable!("synth and synth --check returned above"),
        };
    }
    let kept = stackwright_synth::removed::kept_environments(&tree, app);
    stackwright_synth::pipeline::load_asset_cache(&tree);
    // What `list` prints needs no artifact's bytes: a template's size, a module's backend.
    let mut synthesis = match synthesize_beside(app, &request, &kept, Form::Listing) {
        Ok(s) => s,
        Err(problems) => {
            let _ = write!(stderr, "{}", render::diagnostics(&problems, color));
            return 1;
        }
    };
    let defined: Vec<&str> = app.environment_specs().map(|e| e.name.as_str()).collect();
    let selected = |env: &str| {
        request.environments.is_empty() || request.environments.iter().any(|e| e == env)
    };
    let kept = stackwright_synth::removed::same_app(&tree, app.name()).and_then(|()| {
        stackwright_synth::removed::keep(
            &mut synthesis,
            &defined,
            &selected,
            &request.targets,
            &tree,
            &args.destroyed,
            false,
        )
    });
    let kept = match kept {
        Ok(kept) => kept,
        Err(message) => {
            let _ = writeln!(stderr, "error: {message}");
            return 1;
        }
    };
    let _ = write!(stderr, "{}", render::warnings(&synthesis.warnings, color));
    for warning in &kept.warnings {
        let _ = writeln!(stderr, "warning: {warning}");
    }
    // The `moved` blocks a synth would add to the modules (`crate::moves`) change neither what is listed
    // nor a module's backend: they are left out.
    match listing {
        Some(Listing::Format(ListFormat::Human)) => {
            // The commands name files synth has not written yet: say so, once, where a person looks.
            if tree.manifest().is_none() {
                let _ = writeln!(
                    stderr,
                    "note: nothing is synthesized in `{}` yet: run synth (with the same --out) before the \
                     commands below",
                    args.out.display()
                );
            }
            let _ = write!(stdout, "{}", list(&synthesis, &args.out, &tree));
            0
        }
        Some(Listing::Format(ListFormat::Json)) => {
            let json =
                stackwright_synth::artifact::to_bytes(&list_json(&synthesis, &args.out, &tree));
            let _ = stdout.write_all(&json);
            0
        }
        Some(Listing::Format(ListFormat::Referenced)) => {
            let _ = write!(stdout, "{}", crate::publish::referenced(&synthesis, &tree));
            0
        }
        Some(Listing::Ci(ci)) => {
            let listing = list_json(&synthesis, &args.out, &tree);
            crate::ci::run(app, &ci, listing, stdout, stderr)
        }
        None => unreachable!("synth and synth --check returned above"),
    }
}

/// `synth`: streams every artifact into a staging tree that replaces `args.out` on success.
fn synth(
    app: &dyn AnyApp,
    args: &SynthArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    color: bool,
) -> u8 {
    let request = args.selected.request();
    let synthesis = write_into(app, &request, &args.out, &args.destroyed, &mut |dir| {
        waiting(stderr, &args.out, dir)
    });
    let (synthesis, carried) = match synthesis {
        Ok(written) => written,
        Err(SynthError::Problems(problems)) => {
            let _ = write!(stderr, "{}", render::diagnostics(&problems, color));
            return 1;
        }
        Err(SynthError::Write(e)) => {
            let _ = writeln!(
                stderr,
                "error: cannot write `{}`: {e}; `{}` was left as it was",
                args.out.display(),
                args.out.display()
            );
            return 1;
        }
        Err(SynthError::Refused(message)) => {
            let _ = writeln!(stderr, "error: {message}");
            return 1;
        }
    };
    let _ = write!(stderr, "{}", render::warnings(&synthesis.warnings, color));
    for warning in &carried.kept.warnings {
        let _ = writeln!(stderr, "warning: {warning}");
    }
    let written = &synthesis.written;
    let unselected: std::collections::HashSet<&str> =
        carried.kept.unselected.iter().map(String::as_str).collect();
    let synthesized: Vec<crate::Artifact> = synthesis
        .artifacts
        .iter()
        .filter(|a| !unselected.contains(a.path.as_str()))
        .cloned()
        .collect();
    let _ = write!(
        stdout,
        "{}",
        summary(&synthesis.app, &synthesized, &args.out)
    );
    if !unselected.is_empty() {
        let _ = writeln!(
            stdout,
            "  left as they were, not selected: {} artifact{} ({})",
            unselected.len(),
            if unselected.len() == 1 { "" } else { "s" },
            carried.kept.unselected.join(", ")
        );
    }
    if !carried.skipped.is_empty() {
        let skipped: Vec<String> = carried
            .skipped
            .iter()
            .map(|(env, stack, target, declaration)| {
                format!("{env}/{stack} ({}: {declaration})", target.name())
            })
            .collect();
        let _ = writeln!(
            stdout,
            "  not compiled for the `--target` asked for, as their declared targets leave it out: {}",
            skipped.join(", ")
        );
    }
    if !carried.kept.forgotten.is_empty() {
        let _ = writeln!(
            stdout,
            "  no longer kept, as --destroyed says their deployments are gone: {}",
            carried.kept.forgotten.join(", ")
        );
    }
    if !carried.kept.stacks.is_empty() {
        let names: Vec<String> = carried
            .kept
            .stacks
            .iter()
            .map(|(env, stack)| format!("{env}/{stack}"))
            .collect();
        let _ = writeln!(
            stdout,
            "  kept the artifacts of {} removed from the definition until torn down: {} (`list` says how; \
             then `synth --destroyed ENV[/STACK]`)",
            if names.len() == 1 { "a stack" } else { "stacks" },
            names.join(", ")
        );
    }
    if !carried.moved.is_empty() {
        let _ = writeln!(
            stdout,
            "  moved blocks to their content-derived names with `moved` blocks in {} (which now ask for \
             Terraform {})",
            carried.moved.join(", "),
            stackwright_terraform::TERRAFORM_MOVED_CONSTRAINT
        );
    }
    if !written.kept.is_empty() {
        let _ = writeln!(
            stdout,
            "  kept {} entr{} stackwright did not write: {}",
            written.kept.len(),
            if written.kept.len() == 1 { "y" } else { "ies" },
            written.kept.join(", ")
        );
    }
    for warning in &written.warnings {
        let _ = writeln!(stderr, "warning: {warning}");
    }
    0
}

/// Says that another stackwright process holds the lock of `dir`, which holds the tree `out`.
fn waiting(stderr: &mut dyn Write, out: &Path, dir: &Path) {
    let _ = writeln!(
        stderr,
        "waiting for another stackwright process that is writing `{}` (it holds the lock of `{}`)...",
        out.display(),
        dir.display()
    );
}

/// Whether the subcommand of a command line is `plan` (its first argument that is not an option).
fn is_plan(args: &[OsString]) -> bool {
    args.iter()
        .skip(1)
        .find(|a| !a.to_string_lossy().starts_with('-'))
        .is_some_and(|a| a == "plan")
}

fn plan(
    app: &dyn AnyApp,
    args: &PlanArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    terminals: Terminals,
) -> u8 {
    let request = args.selected.request();
    let keep = |env: &str, target: Target| {
        request.targets.contains(&target)
            && (request.environments.is_empty() || request.environments.iter().any(|e| e == env))
    };
    let modified = if args.allow_modified {
        crate::plan::Modified::Warn
    } else {
        crate::plan::Modified::Refuse
    };
    let tree = PreviousTree::read(&args.against, &mut |dir| {
        waiting(stderr, &args.against, dir)
    });
    let plan = match crate::plan::plan(app, &request, &tree, keep, modified) {
        Ok((plan, warnings, parity)) => {
            let _ = write!(stderr, "{}", render::warnings(&parity, terminals.stderr));
            for warning in warnings {
                let _ = writeln!(stderr, "warning: {warning}");
            }
            plan
        }
        Err(crate::plan::PlanError::Problems(problems)) => {
            let _ = write!(
                stderr,
                "{}",
                render::diagnostics(&problems, terminals.stderr)
            );
            return 1;
        }
        Err(
            crate::plan::PlanError::Baseline(message) | crate::plan::PlanError::Refused(message),
        ) => {
            let _ = writeln!(stderr, "error: {message}");
            return 1;
        }
    };
    // Against a step's tree (`synth --steps`), the plan is what remains from there, if the sequence
    // still leads to the definition.
    let step = tree.manifest().and_then(|m| m.step.as_ref());
    let abandoned = step.and_then(|s| {
        crate::steps::abandoned(&args.against, s, &plan, &|last| {
            crate::plan::plan(app, &request, last, keep, modified)
                .map(|(p, _, _)| p.has_changes())
                .unwrap_or(true)
        })
    });
    if let Some(why) = &abandoned {
        let _ = writeln!(stderr, "warning: {why}");
    }
    let progress = step.map(|s| {
        let p = crate::steps::progress(&args.against, s);
        match &abandoned {
            Some(why) => format!("{p}\nbut {why}"),
            None => p,
        }
    });
    let text = match args.format {
        Format::Human => {
            let plan = stackwright_plan::render::human(&plan, terminals.stdout);
            match &progress {
                Some(p) => format!("{p}\n{plan}"),
                None => plan,
            }
        }
        Format::Markdown => {
            let plan = stackwright_plan::render::markdown(&plan);
            match &progress {
                Some(p) => format!("{}\n\n{plan}", stackwright_plan::render::markdown_text(p)),
                None => plan,
            }
        }
        Format::Json => {
            let mut json = stackwright_plan::render::json(&plan);
            if let Some(step) = step {
                json["against_step"] = crate::steps::progress_json(step);
            }
            String::from_utf8(stackwright_synth::artifact::to_bytes(&json)).expect("JSON is UTF-8")
        }
    };
    let _ = write!(stdout, "{text}");
    plan.exit_code(args.allow_data_loss)
}

/// `synth --steps`: writes each step's tree beside `--out`, or says that one step does it.
fn steps(
    app: &dyn AnyApp,
    args: &SynthArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    color: bool,
) -> u8 {
    let request = args.selected.request();
    let written = crate::steps::write(app, &request, &args.out, &mut |dir| {
        waiting(stderr, &args.out, dir)
    });
    match written {
        Ok(None) => {
            for warning in crate::steps::stale_when_single(&args.out) {
                let _ = writeln!(stderr, "warning: {warning}");
            }
            let _ = writeln!(
                stdout,
                "this change deploys in one step: run synth (nothing written to `{}`)",
                crate::steps::steps_dir(&args.out).display()
            );
            0
        }
        Ok(Some(written)) => {
            let _ = write!(stderr, "{}", render::warnings(&written.parity, color));
            for warning in &written.warnings {
                let _ = writeln!(stderr, "warning: {warning}");
            }
            let _ = writeln!(
                stdout,
                "this change needs {} step{}; deploy each tree in order (`list --out DIR` prints its commands), \
                 then run synth:",
                written.steps.len(),
                if written.steps.len() == 1 { "" } else { "s" }
            );
            for step in &written.steps {
                let _ = writeln!(stdout, "  {}", written.dir.join(&step.name).display());
                for line in &step.lines {
                    let _ = writeln!(stdout, "      {line}");
                }
            }
            0
        }
        Err(crate::plan::PlanError::Problems(problems)) => {
            let _ = write!(stderr, "{}", render::diagnostics(&problems, color));
            1
        }
        Err(
            crate::plan::PlanError::Baseline(message) | crate::plan::PlanError::Refused(message),
        ) => {
            let _ = writeln!(stderr, "error: {message}");
            1
        }
    }
}

/// `synth --check`: compares each artifact with its file as it is produced; writes nothing.
fn check(
    app: &dyn AnyApp,
    args: &SynthArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    color: bool,
) -> u8 {
    let out = &args.out;
    let tree = PreviousTree::read(out, &mut |dir| waiting(stderr, out, dir));
    let checked = crate::plan::check(app, &args.selected.request(), &tree, &args.destroyed);
    if let Ok((_, _, warnings, parity)) = &checked {
        let _ = write!(stderr, "{}", render::warnings(parity, color));
        for warning in warnings {
            let _ = writeln!(stderr, "warning: {warning}");
        }
    }
    match checked {
        Ok((differences, files, _, _)) if differences.is_empty() => {
            let _ = writeln!(
                stdout,
                "up to date: the {files} files in {} are what the definition produces",
                out.display()
            );
            0
        }
        Err(crate::plan::PlanError::Problems(problems)) => {
            let _ = write!(stderr, "{}", render::diagnostics(&problems, color));
            1
        }
        Ok((differences, _, _, _)) => {
            let _ = writeln!(
                stderr,
                "error: {} is not what the definition produces ({} difference{}):",
                out.display(),
                differences.len(),
                if differences.len() == 1 { "" } else { "s" }
            );
            for d in &differences {
                let _ = writeln!(stderr, "  {d}");
            }
            let _ = writeln!(
                stderr,
                "  = help: run `synth` to update it, or `plan --against {}` to see what the changes do",
                out.display()
            );
            1
        }
        Err(crate::plan::PlanError::Baseline(message)) => {
            let _ = writeln!(stderr, "error: cannot check: {message}");
            1
        }
        Err(crate::plan::PlanError::Refused(message)) => {
            let _ = writeln!(stderr, "error: {message}");
            1
        }
    }
}

/// The line that says what was written, then a table of every artifact the definition produced (not
/// the kept ones of removed stacks).
fn summary(app: &str, artifacts: &[crate::Artifact], out: &Path) -> String {
    let fresh: Vec<&crate::Artifact> = artifacts.iter().filter(|a| !a.removed).collect();
    if fresh.is_empty() {
        // Only removed environments were selected (`--env`), or none of the stacks: what was kept follows.
        return format!(
            "app `{app}`: the selection holds no stack of the definition; nothing synthesized in {}\n",
            out.display()
        );
    }
    let count = |f: fn(&crate::Artifact) -> (&str, &str)| {
        let mut seen: Vec<(&str, &str)> = fresh.iter().map(|a| f(a)).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };
    let environments = count(|a| (&a.environment, ""));
    let stacks = count(|a| (&a.stack, ""));
    // Environments may declare different stacks (`App::stacks`): count the instances themselves.
    let instances = count(|a| (&a.environment, &a.stack));
    let targets = count(|a| (a.target.name(), ""));
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let stacks = if environments * stacks == instances {
        format!(
            "{} x {}",
            plural(environments, "environment"),
            plural(stacks, "stack")
        )
    } else {
        format!(
            "{}, {}",
            plural(environments, "environment"),
            plural(instances, "stack instance")
        )
    };
    let mut text = format!(
        "app `{app}`: {stacks} x {} = {} in {}\n",
        plural(targets, "target"),
        plural(fresh.len(), "artifact"),
        out.display()
    );
    let mut rows = vec![[
        "environment",
        "account",
        "region",
        "stack",
        "target",
        "resources",
        "path",
    ]
    .map(String::from)
    .to_vec()];
    for a in fresh {
        rows.push(vec![
            a.environment.clone(),
            a.account.clone(),
            a.region.clone(),
            a.stack.clone(),
            a.target.name().into(),
            a.resource_count.to_string(),
            display_path(out, &a.path),
        ]);
    }
    text.push_str(&render::table(&rows));
    text.push_str(&format!(
        "  manifest: {}\n",
        display_path(out, stackwright_synth::artifact::MANIFEST)
    ));
    text
}

/// For `list`: refuses a tree whose `manifest.json` stackwright cannot read as one it wrote (a hand-edited
/// value is refused by the manifest's rules, `stackwright_tree::fields`), as synth and plan do, rather
/// than listing the tree as if it had none. A tree without a manifest is fine: synth has not written it yet.
fn unreadable_manifest(tree: &PreviousTree) -> Result<(), String> {
    let file = tree.dir().join(stackwright_synth::artifact::MANIFEST);
    match tree.manifest_error() {
        None => Ok(()),
        Some(stackwright_tree::ManifestError::Read(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(())
        }
        Some(stackwright_tree::ManifestError::Read(e)) => {
            Err(format!("cannot read `{}`: {e}", file.display()))
        }
        Some(stackwright_tree::ManifestError::Invalid(why)) => Err(format!(
            "`{}` is not a manifest stackwright wrote: {why}; `list` describes the tree synth writes in `{}`, \
             and synth refuses to replace this one (choose another --out, or empty it yourself)",
            file.display(),
            tree.dir().display()
        )),
    }
}

/// Artifacts by environment (in declaration order), and within one by deploy wave: each wave waits for
/// the ones before it (`after:`), the artifacts of a wave can deploy in parallel. Kept artifacts of
/// removed stacks come last, by teardown wave (see [`teardown_waves`]).
fn list(s: &Synthesis, out: &Path, tree: &PreviousTree) -> String {
    let waves = list_waves(&s.artifacts);
    let moves = stackwright_synth::removed::pending_moves(tree, &s.artifacts);
    let mut text = format!("app `{}`\n", s.app);
    let mut last_env = "";
    let mut last_wave = 0;
    for (a, wave) in in_deploy_order(s, &waves) {
        if a.environment != last_env {
            let gone = s
                .artifacts
                .iter()
                .filter(|o| o.environment == a.environment)
                .all(|o| o.removed);
            text.push_str(&format!(
                "environment {} (account {}, region {}){}\n",
                a.environment,
                a.account,
                a.region,
                if gone {
                    ", removed from the definition"
                } else {
                    ""
                }
            ));
            last_env = &a.environment;
            last_wave = 0;
        }
        // Teardown waves are numbered after the deploy waves' slot (see `list_waves`).
        if wave != last_wave {
            match wave.checked_sub(TEARDOWN) {
                Some(teardown) => text.push_str(&format!("  teardown wave {}\n", teardown + 1)),
                None => {
                    // The assets the wave's stacks are the first to use, published once the earlier
                    // waves (the bootstrap stack's) are deployed.
                    text.push_str(&crate::publish::human(s, &waves, &a.environment, wave, out));
                    text.push_str(&format!("  wave {wave}\n"));
                }
            }
            last_wave = wave;
        }
        let path = display_path(out, &a.path);
        text.push_str(&format!(
            "    stack {} [{}] {} ({} resource{}){}\n",
            a.stack,
            a.target.name(),
            path,
            a.resource_count,
            if a.resource_count == 1 { "" } else { "s" },
            if a.removed {
                ", removed from the definition: kept until torn down"
            } else {
                ""
            }
        ));
        if a.removed {
            let first: Vec<String> = removed_dependents(s, a)
                .map(|d| display_path(out, &d.path))
                .collect();
            if !first.is_empty() {
                text.push_str(&format!("      after destroying: {}\n", first.join(", ")));
            }
            text.push_str(&format!(
                "      destroy: {}\n",
                teardown(s, a, &a.account, &a.region, &path).human()
            ));
            text.push_str(&format!(
                "      then: synth --destroyed {}\n",
                destroyed_name(s, a)
            ));
            continue;
        }
        if let Some(by) = &a.deployed_by {
            text.push_str(&format!(
                "      deployed by stack set: {} (not deployed as a stack)\n",
                display_path(out, by)
            ));
            continue;
        }
        if !a.depends_on.is_empty() {
            let after: Vec<String> = a.depends_on.iter().map(|d| display_path(out, d)).collect();
            text.push_str(&format!("      after: {}\n", after.join(", ")));
        }
        if let Some((account, region)) = moves.get(&a.path) {
            text.push_str(&format!(
                "      moving from {account}/{region}: the module at this path still deploys there, and \
                 synth refuses to replace it until the old deployment is gone; first tear it down, with the \
                 module as it is now, then say so, then deploy:\n      destroy: {}\n      then: synth \
                 --destroyed {}\n",
                teardown(s, a, account, region, &path).human(),
                a.environment
            ));
        }
        if let Some((definitions, mappings, across)) = crate::steps::refactor_of(tree, a) {
            let (create, execute) = commands::Command::refactor(
                a,
                &display_path(out, &definitions),
                &display_path(out, &mappings),
                across,
            );
            let why = if across {
                "one refactor moves resources between this stack and another, whose entry lists it too: \
                 run it once; a plain deploy would delete the moved resources from one stack and create them \
                 anew in the other"
            } else {
                "a plain deploy of this template would replace the renamed resources"
            };
            text.push_str(&format!(
                "      stack refactor ({why}):\n      refactor: {}\n      then: {}\n",
                create.human(),
                execute.human()
            ));
            continue;
        }
        for script in crate::steps::move_scripts_of(tree, a) {
            text.push_str(&format!(
                "      before applying (once, for both stacks it names; it runs their `terraform init` \
                 itself): bash {}\n",
                display_path(out, &script)
            ));
        }
        text.push_str(&format!(
            "      deploy: {}\n",
            commands::Command::deploy(&s.app, a, &path).human()
        ));
        if a.target == Target::Terraform {
            let dir = stackwright_tree::fields::module_directory(&path);
            text.push_str(&format!(
                "    state: {}\n",
                describe_state(&StateLocation::of(a, Path::new(dir)))
            ));
        }
    }
    text
}

/// Where teardown waves start in [`list_waves`]: after every deploy wave (a tree has fewer artifacts).
const TEARDOWN: usize = usize::MAX / 2;

/// Each artifact's deploy wave ([`stackwright_synth::artifact::waves`]), or for a kept artifact of a removed stack
/// `TEARDOWN + k`, where `k` counts from 0 the removed stacks of its environment that must go first.
fn list_waves(artifacts: &[crate::Artifact]) -> Vec<usize> {
    let mut waves = stackwright_synth::artifact::waves(artifacts);
    for (wave, teardown) in waves.iter_mut().zip(teardown_waves(artifacts)) {
        if let Some(k) = teardown {
            *wave = TEARDOWN + k;
        }
    }
    waves
}

/// For each kept artifact of a removed stack, how many removed stacks of its environment must be torn
/// down before it (0: none); `None` for the others. A stack goes after every removed stack that was
/// deployed after it (`depends_on`): CloudFormation refuses to delete a stack whose exports a deployed
/// stack imports, and a Terraform module read through remote state goes after its readers.
fn teardown_waves(artifacts: &[crate::Artifact]) -> Vec<Option<usize>> {
    let index: std::collections::HashMap<&str, usize> = artifacts
        .iter()
        .enumerate()
        .map(|(i, a)| (a.path.as_str(), i))
        .collect();
    let index = &index;
    // The reverse of the deploy order, among the removed stacks of one environment.
    let order: Vec<(usize, usize)> = artifacts
        .iter()
        .enumerate()
        .filter(|(_, a)| a.removed)
        .flat_map(|(j, a)| {
            a.depends_on.iter().filter_map(move |d| {
                let i = *index.get(d.as_str())?;
                let b = &artifacts[i];
                (b.removed && b.environment == a.environment).then_some((j, i))
            })
        })
        .collect();
    let levels = stackwright_synth::artifact::levels(artifacts.len(), &order);
    artifacts
        .iter()
        .zip(levels)
        .map(|(a, level)| a.removed.then_some(level - 1))
        .collect()
}

/// The kept artifacts of removed stacks that depend on `a`: torn down before it.
fn removed_dependents<'s>(
    s: &'s Synthesis,
    a: &'s crate::Artifact,
) -> impl Iterator<Item = &'s crate::Artifact> {
    s.artifacts.iter().filter(move |d| {
        d.removed && d.environment == a.environment && d.depends_on.contains(&a.path)
    })
}

/// The artifacts with their wave, by environment (declaration order), then wave, then declaration.
fn in_deploy_order<'s>(s: &'s Synthesis, waves: &[usize]) -> Vec<(&'s crate::Artifact, usize)> {
    let mut environments: Vec<&str> = Vec::new();
    for a in &s.artifacts {
        if !environments.contains(&a.environment.as_str()) {
            environments.push(&a.environment);
        }
    }
    let mut ordered: Vec<(usize, &crate::Artifact, usize)> = s
        .artifacts
        .iter()
        .zip(waves)
        .map(|(a, &wave)| {
            let env = environments.iter().position(|e| *e == a.environment);
            (env.unwrap_or(0), a, wave)
        })
        .collect();
    // A stable sort keeps declaration order within an (environment, wave).
    ordered.sort_by_key(|&(env, _, wave)| (env, wave));
    ordered.into_iter().map(|(_, a, wave)| (a, wave)).collect()
}

/// `list --format json`: `{"app", "artifacts": [{"env", "account", "region", "stack", "target", "path",
/// "resources", "wave", "depends_on", "deploy", "state", "deploy_argv"}]}`, in deploy order (see [`list`]);
/// paths include the output directory. `deploy` is the command line alone, for a POSIX shell (every value
/// quoted), to run with credentials for `account`; `deploy_argv` is the same as argument vectors, one per
/// program, to run in order, each once the one before succeeded (Terraform's `init`, then `apply`). A
/// template over 51,200 bytes also has `deploy_variables` (`{"S3_BUCKET": what it holds}`): the command
/// line reads `"$S3_BUCKET"`, and the argument vectors hold `$S3_BUCKET`, to substitute. `state` is where
/// Terraform keeps the module's state (null for CloudFormation): `{"backend": "local", "path", "note"}` or
/// `{"backend": "s3", "bucket", "key", "url"}`. A kept artifact of a removed stack has `"removed": true`,
/// `wave`, `deploy`, `deploy_argv` and `state` null, `teardown_wave`, `destroy` and `destroy_argv` (the
/// command that tears it down, in both forms) and `destroyed` (the synth command to run once it is torn
/// down). A Terraform module whose environment moves to another account or region while the tree's
/// module still deploys to the old one has `moving_from` (`{"account", "region", "destroy",
/// "destroy_argv"}`): tear that down first, then `synth --destroyed ENV`. A fleet member's template
/// (`stackwright_stackset::StackSets::stack_set`) has `deployed_by` (the path of the administration stack
/// whose stack set deploys it) and `wave`, `deploy` and `deploy_argv` null.
fn list_json(s: &Synthesis, out: &Path, tree: &PreviousTree) -> serde_json::Value {
    let waves = list_waves(&s.artifacts);
    let moves = stackwright_synth::removed::pending_moves(tree, &s.artifacts);
    let artifacts: Vec<serde_json::Value> = in_deploy_order(s, &waves)
        .into_iter()
        .map(|(a, wave)| {
            let path = display_path(out, &a.path);
            let depends_on: Vec<String> =
                a.depends_on.iter().map(|d| display_path(out, d)).collect();
            let mut entry = serde_json::json!({
                "env": a.environment,
                "account": a.account,
                "region": a.region,
                "stack": a.stack,
                "target": a.target.name(),
                "path": path,
                "resources": a.resource_count,
                "wave": wave,
                "depends_on": depends_on,
                // Set just below, in this place (`Command::add_to`).
                "deploy": serde_json::Value::Null,
                "state": (a.target == Target::Terraform)
                    .then(|| state_json(&StateLocation::of(a, Path::new(stackwright_tree::fields::module_directory(&path))))),
            });
            let scripts = crate::steps::move_scripts_of(tree, a);
            if !scripts.is_empty() {
                entry["before_apply"] = scripts
                    .iter()
                    .map(|s| serde_json::Value::from(display_path(out, s)))
                    .collect::<Vec<_>>()
                    .into();
            }
            match crate::steps::refactor_of(tree, a) {
                // A step's stack refactor: `deploy` creates it, `refactor_execute` runs it.
                Some((definitions, mappings, across)) => {
                    let (create, execute) = commands::Command::refactor(
                        a,
                        &display_path(out, &definitions),
                        &display_path(out, &mappings),
                        across,
                    );
                    create.add_to(&mut entry, "deploy");
                    execute.add_to(&mut entry, "refactor_execute");
                }
                None => commands::Command::deploy(&s.app, a, &path).add_to(&mut entry, "deploy"),
            }
            // The stack's declared targets, as the manifest records them (only where declared).
            if let Some(targets) = &a.targets {
                let names: Vec<&str> = targets.iter().map(|t| t.name()).collect();
                entry["targets"] = names.into();
            }
            if let Some((account, region)) = moves.get(&a.path) {
                let mut from = serde_json::json!({ "account": account, "region": region });
                teardown(s, a, account, region, &path).add_to(&mut from, "destroy");
                entry["moving_from"] = from;
            }
            // A fleet member's template: its stack set (the administration stack) deploys it.
            if let Some(by) = a.deployed_by.as_ref().filter(|_| !a.removed) {
                entry["deployed_by"] = display_path(out, by).into();
                entry["wave"] = serde_json::Value::Null;
                entry["deploy"] = serde_json::Value::Null;
                entry["deploy_argv"] = serde_json::Value::Null;
                if let Some(map) = entry.as_object_mut() {
                    map.remove("deploy_variables");
                }
            }
            if a.removed {
                entry["removed"] = true.into();
                entry["wave"] = serde_json::Value::Null;
                entry["teardown_wave"] = (wave - TEARDOWN + 1).into();
                entry["deploy"] = serde_json::Value::Null;
                entry["deploy_argv"] = serde_json::Value::Null;
                if let Some(map) = entry.as_object_mut() {
                    map.remove("deploy_variables");
                }
                entry["state"] = serde_json::Value::Null;
                teardown(s, a, &a.account, &a.region, &path).add_to(&mut entry, "destroy");
                entry["destroyed"] = format!("synth --destroyed {}", destroyed_name(s, a)).into();
            }
            entry
        })
        .collect();
    let mut listing = serde_json::json!({ "app": s.app, "artifacts": artifacts });
    crate::publish::add_json(s, &waves, out, &mut listing);
    // What a machine that synthesizes the definition must build Rust functions for (`ci` installs the
    // Lambda build tools in its check job): only when there are any.
    let rust_targets: BTreeSet<&str> = s
        .assets
        .iter()
        .flat_map(|a| a.asset.rust_targets())
        .collect();
    if !rust_targets.is_empty() {
        listing["rust_targets"] = rust_targets.into_iter().collect::<Vec<_>>().into();
    }
    listing
}

/// How to tear down the deployment of `a`'s stack in `account` and `region` (a kept artifact of a
/// removed stack, or the old deployment of a module that moves).
fn teardown(
    s: &Synthesis,
    a: &crate::Artifact,
    account: &str,
    region: &str,
    path: &str,
) -> commands::Command {
    commands::Command::teardown(
        &s.app,
        a.target,
        &a.environment,
        &a.stack,
        account,
        region,
        path,
    )
}

/// `ENV` when the whole environment is gone (no artifact of it is fresh), else `ENV/STACK`.
fn destroyed_name(s: &Synthesis, a: &crate::Artifact) -> String {
    let present: Vec<&str> = s
        .artifacts
        .iter()
        .filter(|o| !o.removed)
        .map(|o| o.environment.as_str())
        .collect();
    stackwright_synth::removed::destroyed_name(&present, &a.environment, &a.stack)
}

/// For `list`: where a module keeps its state and what to know about it.
fn describe_state(state: &StateLocation) -> String {
    match state {
        StateLocation::Local {
            path,
            beside: false,
        } => format!(
            "{} (local: outside the generated tree, which synth replaces; {SHARED_LOCAL_STATE}; keep it, \
             never commit it, and prefer the S3 backend for teams)",
            path.display()
        ),
        StateLocation::Local { beside: true, .. } => {
            "beside the module (terraform.tfstate)".to_owned()
        }
        StateLocation::S3 { bucket, key } => format!("s3://{bucket}/{key}"),
    }
}

/// For `list --format json`: `{"backend": "local", "path"}` (with `"note"`, [`SHARED_LOCAL_STATE`],
/// when the file is outside the tree) or `{"backend": "s3", "bucket", "key", "url"}`.
fn state_json(state: &StateLocation) -> serde_json::Value {
    match state {
        StateLocation::Local { path, beside } => {
            let mut json =
                serde_json::json!({ "backend": "local", "path": path.display().to_string() });
            if !beside {
                json["note"] = SHARED_LOCAL_STATE.into();
            }
            json
        }
        StateLocation::S3 { bucket, key } => serde_json::json!({
            "backend": "s3",
            "bucket": bucket,
            "key": key,
            "url": format!("s3://{bucket}/{key}"),
        }),
    }
}

/// What `list` says of a local state file outside the tree (see `stackwright_synth::state`).
const SHARED_LOCAL_STATE: &str = "every tree of this app in the directory that holds this tree would use \
    this same file, so synth refuses a second tree of the app there: give each tree a parent directory of its own";

fn display_path(out: &Path, relative: &str) -> String {
    out.join(relative).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use stackwright_aws::{ec2, iam};
    use stackwright_core::{App, Environment};
    use stackwright_terraform::{Backend, TerraformEnvironment};

    /// `dev` (local state) with a small template, `prod` (S3 state) with one over 51,200 bytes, both
    /// with an IAM role (capabilities).
    fn app() -> App<usize> {
        let s3 = Backend::S3 {
            bucket: "shop-state".into(),
            region: "eu-west-1".into(),
            key: None,
            dynamodb_table: None,
        };
        App::new("shop")
            .environment(Environment::new("dev", "123456789012", "us-west-2", 1))
            .environment(
                Environment::new("prod", "210987654321", "eu-west-1", 120).terraform_backend(s3),
            )
            .stack("web", |s, env| {
                s.add(iam::Role::new(
                    "App",
                    iam::PolicyDocument::assumed_by_service("ec2.amazonaws.com"),
                ));
                for i in 0..*env.config() {
                    s.add(ec2::Vpc::new(format!("Vpc{i}"), "10.0.0.0/16"));
                }
            })
    }

    /// `--target` takes every target's name ([`Target::name`]) and, but for `ci`, `all`; nothing else.
    #[test]
    fn target_takes_the_names_of_the_targets() {
        let selected = |args: &[&str]| {
            let cli = Cli::try_parse_from(args).map_err(|e| e.kind())?;
            Ok::<_, clap::error::ErrorKind>(match cli.command {
                Some(Command::Synth(a)) => a.selected.request().targets,
                Some(Command::Ci(a)) => a.target.into_iter().collect(),
                _ => unreachable!("synth or ci"),
            })
        };
        for target in Target::ALL {
            assert_eq!(
                selected(&["x", "synth", "--target", target.name()]),
                Ok(vec![target])
            );
            assert_eq!(
                selected(&["x", "ci", "--target", target.name()]),
                Ok(vec![target])
            );
        }
        assert_eq!(selected(&["x", "synth"]), Ok(Target::ALL.to_vec()));
        assert_eq!(
            selected(&["x", "synth", "--target", "all"]),
            Ok(Target::ALL.to_vec())
        );
        assert_eq!(selected(&["x", "ci"]), Ok(Vec::new()));
        let invalid = Err(clap::error::ErrorKind::InvalidValue);
        assert_eq!(selected(&["x", "ci", "--target", "all"]), invalid);
        assert_eq!(selected(&["x", "synth", "--target", "pulumi"]), invalid);
        assert_eq!(
            selected(&["x", "synth", "--target", "CloudFormation"]),
            invalid
        );
    }

    #[test]
    fn list_prints_the_same_from_a_listing_as_from_the_artifacts_bytes() {
        let app = app();
        let request = Request::default();
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join("out");
        let tree = PreviousTree::read(&out, &mut |_| {});
        let bytes = synthesize_beside(&app, &request, &[], Form::Bytes).unwrap();
        let listing = synthesize_beside(&app, &request, &[], Form::Listing).unwrap();
        assert!(listing.artifacts.iter().all(|a| a.bytes.is_empty()));
        let sizes: Vec<usize> = bytes.artifacts.iter().map(|a| a.bytes.len()).collect();
        assert!(sizes[0] < commands::INLINE_TEMPLATE_LIMIT, "{sizes:?}");
        assert!(sizes[2] > commands::INLINE_TEMPLATE_LIMIT, "{sizes:?}");
        let human = list(&listing, &out, &tree);
        assert_eq!(human, list(&bytes, &out, &tree));
        assert!(
            human.contains("--s3-bucket") && human.contains("shop-state"),
            "{human}"
        );
        assert_eq!(
            list_json(&listing, &out, &tree),
            list_json(&bytes, &out, &tree)
        );
    }
}
