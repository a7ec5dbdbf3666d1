//! The Stackwright command line, embedded in the user's binary by one call: `app.run()`.
//!
//! Argument parsing, printing and the commands ([`run`]/[`run_with`]); the pipeline they run is
//! `stackwright-synth` (re-exported here: [`synthesize`], [`synthesize_into`]).
//!
//! Architecture invariant: this is the only crate that touches process arguments, the environment or the
//! terminal; it reads and writes artifact trees only through `stackwright-tree` and `stackwright-synth`.

mod ci;
mod cli;
mod commands;
mod plan;
mod publish;
mod render;
mod steps;
mod teardown;

pub use cli::{run, run_with};
pub use stackwright_synth::{
    stack_set, synthesize, synthesize_into, waves, Artifact, AssetFile, Request, SynthError,
    Synthesis, Target, WrittenSynthesis,
};
pub use stackwright_tree::{write_tree, Written};

// The entry point stays erased (see `stackwright_core::AnyApp`): this compiles only while `run` takes
// `&dyn AnyApp`, not a generic app, which would be compiled into every user binary.
const _: fn(&dyn stackwright_core::AnyApp) -> std::process::ExitCode = run;
