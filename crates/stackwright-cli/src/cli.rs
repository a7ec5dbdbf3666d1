use crate::render;
use crate::synth::{synthesize, Request, Synthesis, Target};
use crate::write::write_tree;
use clap::{Parser, Subcommand, ValueEnum};
use stackwright_core::App;
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
    List(SynthArgs),
}

#[derive(clap::Args, Debug, Clone)]
struct SynthArgs {
    /// Which target to compile for
    #[arg(long, value_enum, default_value_t = TargetArg::All)]
    target: TargetArg,
    /// Only this environment (repeatable); all environments when absent
    #[arg(long = "env", value_name = "NAME")]
    environments: Vec<String>,
    /// Output directory, replaced as a whole on success
    #[arg(long, value_name = "DIR", default_value = "out")]
    out: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum TargetArg {
    Cloudformation,
    Terraform,
    All,
}

impl SynthArgs {
    fn request(&self) -> Request {
        let targets = match self.target {
            TargetArg::Cloudformation => vec![Target::CloudFormation],
            TargetArg::Terraform => vec![Target::Terraform],
            TargetArg::All => Target::ALL.to_vec(),
        };
        Request {
            environments: self.environments.clone(),
            targets,
        }
    }
}

/// Runs the command line on the process's arguments, writing to the real terminal.
pub fn run<C>(app: App<C>) -> ExitCode {
    let code = run_with(
        &app,
        std::env::args_os(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
        std::io::stderr().is_terminal(),
    );
    ExitCode::from(code)
}

/// Runs the command line on the given arguments (the first is the program name) and returns the exit
/// code: 0 on success, 1 when the definition has problems or files cannot be written, 2 on a usage error.
pub fn run_with<C>(
    app: &App<C>,
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    color: bool,
) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` are "errors" that print to stdout and succeed.
            let text = e.render().to_string();
            let _ = if e.use_stderr() {
                write!(stderr, "{text}")
            } else {
                write!(stdout, "{text}")
            };
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let (listing, args) = match cli.command {
        None => (false, cli.synth),
        Some(Command::Synth(args)) => (false, args),
        Some(Command::List(args)) => (true, args),
    };
    let synthesis = match synthesize(app, &args.request()) {
        Ok(s) => s,
        Err(problems) => {
            let _ = write!(stderr, "{}", render::diagnostics(&problems, color));
            return 1;
        }
    };
    if listing {
        let _ = write!(stdout, "{}", list(&synthesis, &args.out));
        return 0;
    }
    if let Err(e) = write_tree(&args.out, synthesis.files()) {
        let _ = writeln!(
            stderr,
            "error: cannot write `{}`: {e}; nothing was written",
            args.out.display()
        );
        return 1;
    }
    let _ = write!(stdout, "{}", summary(&synthesis, &args.out));
    0
}

fn summary(s: &Synthesis, out: &Path) -> String {
    let count = |f: fn(&crate::Artifact) -> &str| {
        let mut seen: Vec<&str> = s.artifacts.iter().map(f).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };
    let environments = count(|a| &a.environment);
    let stacks = count(|a| &a.stack);
    let targets = count(|a| a.target.name());
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut text = format!(
        "app `{}`: {} x {} x {} = {} in {}\n",
        s.app,
        plural(environments, "environment"),
        plural(stacks, "stack"),
        plural(targets, "target"),
        plural(s.artifacts.len(), "artifact"),
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
    for a in &s.artifacts {
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
        display_path(out, crate::synth::MANIFEST)
    ));
    text
}

fn list(s: &Synthesis, out: &Path) -> String {
    let mut text = format!("app `{}`\n", s.app);
    let mut last_env = "";
    for a in &s.artifacts {
        if a.environment != last_env {
            text.push_str(&format!(
                "environment {} (account {}, region {})\n",
                a.environment, a.account, a.region
            ));
            last_env = &a.environment;
        }
        let path = display_path(out, &a.path);
        text.push_str(&format!(
            "  stack {} [{}] {} ({} resources)\n",
            a.stack,
            a.target.name(),
            path,
            a.resource_count
        ));
        text.push_str(&format!("    deploy: {}\n", deploy_command(s, a, &path)));
    }
    text
}

/// CloudFormation's limit for a template passed inline; larger ones must go through S3.
const INLINE_TEMPLATE_LIMIT: usize = 51_200;

fn deploy_command(s: &Synthesis, a: &crate::Artifact, path: &str) -> String {
    match a.target {
        Target::CloudFormation => {
            let s3 = if a.bytes.len() > INLINE_TEMPLATE_LIMIT {
                " --s3-bucket <bucket>"
            } else {
                ""
            };
            format!(
                "aws cloudformation deploy --template-file {path} --stack-name {}-{}-{} --region {}{s3} \
                 (with credentials for account {})",
                s.app, a.environment, a.stack, a.region, a.account
            )
        }
        Target::Terraform => {
            let dir = path.trim_end_matches("/main.tf.json");
            format!(
                "terraform -chdir={dir} init && terraform -chdir={dir} apply (with credentials for account {})",
                a.account
            )
        }
    }
}

fn display_path(out: &Path, relative: &str) -> String {
    out.join(relative).display().to_string()
}
