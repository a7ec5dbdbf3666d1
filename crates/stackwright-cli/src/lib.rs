//! The Stackwright command line, embedded in the user's binary by one call: `app.run()`.
//!
//! Two layers: [`synthesize`] is pure (app in, artifact bytes and a manifest out) and is what tests and
//! benchmarks call; [`run`]/[`run_with`] parse arguments, render diagnostics and write files.
//!
//! Architecture invariant: this is the only crate that touches process arguments, the environment or the
//! terminal, and with `stackwright-tree` (which it calls for every read and write of an artifact tree) the
//! only one that touches files.

mod ci;
mod cli;
mod commands;
mod fleets;
mod moves;
mod parallel;
mod plan;
mod publish;
mod removed;
mod render;
mod stackset;
mod state;
mod steps;
mod synth;

pub use cli::{run, run_with};
pub use stackset::stack_set;
pub use stackwright_tree::{write_tree, Written};
pub use synth::{
    synthesize, synthesize_into, waves, Artifact, AssetFile, Request, SynthError, Synthesis,
    Target, WrittenSynthesis,
};

// The entry points stay erased (see `stackwright_core::AnyApp`): these compile only while `run`,
// `synthesize` and `synthesize_into` take `&dyn AnyApp`, not a generic app, which would be compiled into
// every user binary.
const _: fn(&dyn stackwright_core::AnyApp) -> std::process::ExitCode = run;
const _: fn(
    &dyn stackwright_core::AnyApp,
    &Request,
) -> Result<Synthesis, Vec<stackwright_core::Diagnostic>> = synthesize;
type SynthesizeInto = fn(
    &dyn stackwright_core::AnyApp,
    &Request,
    &std::path::Path,
    &mut dyn FnMut(&std::path::Path),
) -> Result<WrittenSynthesis, SynthError>;
const _: SynthesizeInto = synthesize_into;
