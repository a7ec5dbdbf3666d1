//! `moved` blocks that only the previous tree can give: each fresh Terraform module is compared with the
//! module at the same path in the previous tree (see `stackwright_terraform::carry_moves`).

use crate::artifact::{Artifact, Target};
use serde_json::Value as Json;
use stackwright_plan::steps::Move;
use stackwright_terraform::{ModuleDocument, PreviousModule};
use stackwright_tree::PreviousTree;
use std::collections::HashSet;

/// The modules of the previous tree: the paths its manifest lists (none without a readable one).
pub struct Previous<'a> {
    tree: &'a PreviousTree,
    paths: HashSet<&'a str>,
}

impl<'a> Previous<'a> {
    /// The modules `tree` lists.
    pub fn new(tree: &'a PreviousTree) -> Self {
        let paths = tree.entries().iter().map(|e| e.path.as_str()).collect();
        Previous { tree, paths }
    }

    /// Adds to `module`, the fresh module of `artifact` still as a document (its `bytes` empty), the
    /// `moved` blocks its previous version calls for (blocks renamed from positional to content names,
    /// and the previous `moved` blocks that still apply). Only Terraform artifacts at a path the previous
    /// manifest lists; a module that cannot be read or parsed gives no moves. Whether it gained any.
    pub fn carry_into(&self, artifact: &Artifact, module: &mut ModuleDocument) -> bool {
        let Some(bytes) = self.previous_bytes(artifact) else {
            return false;
        };
        PreviousModule::parse(&bytes)
            .is_ok_and(|old| stackwright_terraform::carry_moves(&old, module) > 0)
    }

    /// The warning for a resource the definition declares moved from another stack (`moved_from`)
    /// while the previous tree's artifact of that stack still holds it: this tree, deployed in one go
    /// over the previous one, deletes the deployed resource and creates another, which the steps of
    /// `synth --steps` avoid. `None` when the previous tree has no such resource (the move is done, or
    /// was never deployed) or its artifact cannot be read.
    pub fn moved_away(&self, m: &Move) -> Option<String> {
        let entry = self.tree.entries().iter().find(|e| {
            e.environment == m.environment
                && e.stack == m.from_stack
                && e.target == m.target
                && !e.removed
        })?;
        let previous: Json =
            serde_json::from_slice(&self.tree.read_file(&entry.path).ok()?).ok()?;
        // The addresses before and after, as the plan names them.
        let (old, new) = match m.target {
            Target::CloudFormation => {
                previous["Resources"].get(&m.from)?;
                (m.from.clone(), m.to.clone())
            }
            Target::Terraform => {
                let (type_name, _) = previous["resource"]
                    .as_object()?
                    .iter()
                    .find(|(_, blocks)| blocks.get(&m.from).is_some())?;
                (
                    format!("{type_name}.{}", m.from),
                    format!("{type_name}.{}", m.to),
                )
            }
        };
        Some(format!(
            "{} ({}): `{new}` of stack `{}` is declared moved from `{old}` of stack `{}` (at {}), which \
             the previous tree still deploys ({}): this tree, deployed in one go over it, deletes the \
             deployed one (or, if its policy retains it, leaves it in no stack) and creates `{new}` \
             anew; deploy the steps `synth --steps` writes instead (this tree is their last)",
            m.environment,
            m.target.name(),
            m.to_stack,
            m.from_stack,
            m.declared_at,
            entry.path,
        ))
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
