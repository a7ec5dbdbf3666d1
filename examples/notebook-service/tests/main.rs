//! Tests of the flagship example: golden snapshots of every artifact, the seed's scenarios as one-line
//! changes to the definition, and determinism.

mod common;
mod determinism;
mod plan;
mod scenarios;
mod snapshots;
mod teardown;
