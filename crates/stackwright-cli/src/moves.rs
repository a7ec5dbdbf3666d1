//! `moved` blocks that only the previous tree can give: each fresh Terraform module is compared with the
//! module at the same path in the previous tree (see `stackwright_terraform::carry_moves`).

use crate::synth::{Artifact, Target};
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

    /// Adds to `module`, the fresh module of `artifact` still as a document (its `bytes` empty), the
    /// `moved` blocks its previous version calls for (blocks renamed from positional to content names,
    /// and the previous `moved` blocks that still apply). Only Terraform artifacts at a path the previous
    /// manifest lists; a module that cannot be read or parsed gives no moves. Whether it gained any.
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
