//! The `stackwright` command. Its logic lives in `stackwright-scaffold`, which `cargo test` covers; this
//! is only argument parsing and printing.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// The `stackwright` crate of the checkout this tool was built from, the default dependency of new crates.
const BUILT_FROM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../stackwright");

#[derive(Parser, Debug)]
#[command(
    name = "stackwright",
    about = "Stackwright: infrastructure as Rust",
    version
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create an infrastructure crate in DIR (named after DIR) that builds, synthesizes and passes its
    /// snapshot test right away
    New {
        /// The new crate's directory; must not exist or be empty
        dir: PathBuf,
        /// Depend on the `stackwright` crate at this path (default: the checkout this tool was built from)
        #[arg(long, value_name = "PATH", conflicts_with = "stackwright_version")]
        stackwright_path: Option<PathBuf>,
        /// Depend on this version of `stackwright` from the registry instead of a path
        #[arg(long, value_name = "REQ")]
        stackwright_version: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::New {
            dir,
            stackwright_path,
            stackwright_version,
        } => {
            let source = match (stackwright_version, stackwright_path) {
                (Some(version), _) => stackwright_scaffold::Source::Version(version),
                (None, Some(path)) => stackwright_scaffold::Source::Path(path),
                (None, None) => stackwright_scaffold::Source::Path(PathBuf::from(BUILT_FROM)),
            };
            match stackwright_scaffold::create(&dir, &source) {
                Ok(files) => {
                    println!("created {} with {} files:", dir.display(), files.len());
                    for file in files {
                        println!("  {file}");
                    }
                    println!("next: cd {} && cargo run && cargo test", dir.display());
                    ExitCode::SUCCESS
                }
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
