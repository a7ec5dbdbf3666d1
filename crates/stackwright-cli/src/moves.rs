//! `moved` blocks that only the previous tree can give: each fresh Terraform module is compared with the
//! module at the same path in the previous tree (see `stackwright_terraform::carry_moves`).

use crate::synth::{Artifact, Synthesis, Target};
use serde_json::Value as Json;
use stackwright_terraform::{ModuleDocument, PreviousModule};
use stackwright_tree::PreviousTree;
use std::collections::HashSet;

/// The modules of the previous tree: the paths its manifest lists (none without a readable one).
pub(crate) struct Previous<'a> {
    tree: &'a PreviousTree,
    paths: HashSet<&'a str>,
}

impl<'a> Previous<'a> {
    pub(crate) fn new(tree: &'a PreviousTree) -> Self {
        let paths = tree.entries().iter().map(|e| e.path.as_str()).collect();
        Previous { tree, paths }
    }

    /// Adds to `artifact` (fresh, its `bytes` serialized) the `moved` blocks its previous version calls
    /// for (blocks renamed from positional to content names, and the previous `moved` blocks that still
    /// apply). Only Terraform artifacts at a path the previous manifest lists; a module that cannot be
    /// read or parsed gives no moves. Whether the artifact gained moves.
    pub(crate) fn carry(&self, artifact: &mut Artifact) -> bool {
        let Some(bytes) = self.previous_bytes(artifact) else {
            return false;
        };
        let Ok(old) = PreviousModule::parse(&bytes) else {
            return false;
        };
        let mut module: Json =
            serde_json::from_slice(&artifact.bytes).expect("synthesized JSON parses");
        if stackwright_terraform::carry_moves(&old, &mut module) > 0 {
            artifact.bytes = crate::synth::to_bytes(&module);
            return true;
        }
        false
    }

    /// [`carry`](Previous::carry) for `artifact`'s module still as a document (`module`, its `bytes`
    /// empty): the moves are added to `module`. Whether it gained any.
    pub(crate) fn carry_into(&self, artifact: &Artifact, module: &mut ModuleDocument) -> bool {
        let Some(bytes) = self.previous_bytes(artifact) else {
            return false;
        };
        PreviousModule::parse(&bytes)
            .is_ok_and(|old| stackwright_terraform::carry_moves(&old, module) > 0)
    }

    /// The previous version of `artifact`, if it is a fresh Terraform module the previous manifest
    /// lists and it can be read. Read only for its addresses and `moved` blocks
    /// ([`PreviousModule`]): never parsed into a tree.
    fn previous_bytes(&self, artifact: &Artifact) -> Option<Vec<u8>> {
        if artifact.target != Target::Terraform
            || artifact.removed
            || !self.paths.contains(artifact.path.as_str())
        {
            return None;
        }
        self.tree.read_file(&artifact.path).ok()
    }
}

/// [`Previous::carry`] on each fresh Terraform artifact of `synthesis`, regenerating the manifest when
/// any artifact changed. Returns the modules that gained moves (their paths).
pub(crate) fn carry(synthesis: &mut Synthesis, previous: &PreviousTree) -> Vec<String> {
    let previous = Previous::new(previous);
    let mut changed = Vec::new();
    for artifact in &mut synthesis.artifacts {
        if previous.carry(artifact) {
            changed.push(artifact.path.clone());
        }
    }
    if !changed.is_empty() {
        synthesis.manifest = crate::synth::manifest_of(&synthesis.app, &synthesis.artifacts);
    }
    changed
}
