//! Tests of the multi-stack example: golden snapshots of every artifact, and the links between stacks
//! in both targets.

mod links;
mod snapshots;
