//! The Stackwright command line, embedded in the user's binary by one call: `app.run()`.
//!
//! Two layers: [`synthesize`] is pure (app in, artifact bytes and a manifest out) and is what tests and
//! benchmarks call; [`run`]/[`run_with`] parse arguments, render diagnostics and write files.
//!
//! Architecture invariant: this is the only crate that touches files, process arguments, the environment
//! or the terminal.

mod cli;
mod parallel;
mod plan;
mod render;
mod synth;
mod write;

pub use cli::{run, run_with};
pub use synth::{synthesize, waves, Artifact, Request, Synthesis, Target};
pub use write::write_tree;
