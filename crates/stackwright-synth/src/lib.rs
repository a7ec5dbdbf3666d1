//! Stackwright's synthesis pipeline, with one job: turn an app (`&dyn AnyApp`) and a [`Request`] into
//! artifacts, held in memory ([`synthesize`]) or streamed into a staging tree that replaces the output
//! directory all or nothing ([`synthesize_into`]).
//!
//! - [`artifact`]: what a synthesis produces and how it is laid out (artifacts, manifest, bytes); it
//!   depends on nothing else here.
//! - [`pipeline`]: [`stream`], the one pipeline (instantiate a few environments at a time, check, lower
//!   on every core, hand each instance's artifacts to a sink), and its sinks.
//! - The policies over the previous tree that a write follows: [`removed`] (artifacts of environments
//!   and stacks that left the definition, and of targets or environments not selected), [`moves`]
//!   (`moved` blocks only the previous module can give) and [`state`] (a local Terraform state file one
//!   tree may not share with another).
//! - [`fleets`] and [`stackset`]: a fleet's stack set, compiled from its members' templates.
//!
//! Architecture invariant: no argument parsing, no printing, no terminal, no process environment;
//! artifact trees are read and written only through `stackwright-tree` (`state` lists the directory
//! that holds the output directory, to find the trees beside it). Nothing is generic over the app's
//! config type.

pub mod artifact;
pub mod fleets;
pub mod moves;
mod parallel;
pub mod pipeline;
pub mod removed;
pub mod stackset;
pub mod state;

pub use artifact::{
    waves, Artifact, ArtifactPath, AssetFile, Form, Lowered, Request, SynthError, Synthesis,
    Target, WrittenSynthesis,
};
pub use pipeline::{stream, synthesize, synthesize_into, Streamed};
pub use stackset::stack_set;

// The entry points stay erased (see `stackwright_core::AnyApp`): these compile only while
// `synthesize` and `synthesize_into` take `&dyn AnyApp`, not a generic app, which would be compiled
// into every user binary.
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
