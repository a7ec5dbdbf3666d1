//! `moved` blocks that only the previous tree can give: each fresh Terraform module is compared with the
//! module at the same path in the previous tree (see `stackwright_terraform::carry_moves`).

use crate::synth::{Synthesis, Target, MANIFEST};
use serde_json::Value as Json;
use std::path::Path;

/// Adds to each fresh Terraform artifact the `moved` blocks its previous version in `previous` calls for
/// (blocks renamed from positional to content names, and the previous `moved` blocks that still apply),
/// and regenerates the manifest when any artifact changed. Reads only modules the previous manifest lists;
/// a tree without one, or a module that cannot be read or parsed, gives no moves. Returns the modules that
/// gained moves (their paths).
pub(crate) fn carry(synthesis: &mut Synthesis, previous: &Path) -> Vec<String> {
    let limit = stackwright_tree::DEFAULT_LIMIT;
    let Some(manifest) = stackwright_tree::read_file(previous, MANIFEST, limit)
        .ok()
        .and_then(|bytes| stackwright_tree::Manifest::parse(&bytes).ok())
    else {
        return Vec::new();
    };
    let mut changed = Vec::new();
    for artifact in &mut synthesis.artifacts {
        if artifact.target != Target::Terraform || artifact.removed {
            continue;
        }
        if !manifest.artifacts.iter().any(|e| e.path == artifact.path) {
            continue;
        }
        let Some(old) = stackwright_tree::read_file(previous, &artifact.path, limit)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Json>(&bytes).ok())
        else {
            continue;
        };
        let mut module: Json =
            serde_json::from_slice(&artifact.bytes).expect("synthesized JSON parses");
        if stackwright_terraform::carry_moves(&old, &mut module) > 0 {
            artifact.bytes = crate::synth::to_bytes(&module);
            changed.push(artifact.path.clone());
        }
    }
    if !changed.is_empty() {
        synthesis.manifest = crate::synth::manifest(&synthesis.app, &synthesis.artifacts);
    }
    changed
}
