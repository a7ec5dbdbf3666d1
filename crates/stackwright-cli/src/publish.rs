//! What `list` says about code assets: the commands that publish them, per environment, once its asset
//! bucket exists (`stackwright::assets::bootstrap`) and before the stacks whose functions read them:
//! each asset's command comes just before the deploy wave of the first stack that uses it (which
//! deploys after the bootstrap stack: `Stack::needs`), never before the environment's first wave, where
//! the bootstrap stack itself deploys.
//!
//! Only CloudFormation deploys need them: a Terraform module uploads the zips it reads from the tree
//! itself (an `aws_s3_object`, or a function's `filename`), so an environment deployed by Terraform
//! alone publishes nothing, and `list --format json` says which targets need each command (`targets`).

use crate::commands::Command;
use stackwright_synth::artifact::{Synthesis, Target};
use stackwright_tree::manifest::{AssetDestination, AssetEntry};
use std::collections::BTreeSet;
use std::path::Path;

/// The assets the synthesis lists, each with its destination in `environment`.
fn of_environment<'s>(
    assets: &'s [AssetEntry],
    environment: &'s str,
) -> impl Iterator<Item = (&'s AssetEntry, &'s AssetDestination)> {
    assets.iter().filter_map(move |a| {
        a.destinations
            .iter()
            .find(|d| d.environment == environment)
            .map(|d| (a, d))
    })
}

/// The synthesis's assets, as its manifest lists them (its own manifest: it parses).
fn assets(s: &Synthesis) -> Vec<AssetEntry> {
    stackwright_tree::Manifest::parse(&s.manifest)
        .map(|m| m.assets)
        .unwrap_or_default()
}

/// The deploy targets that need a zip asset published: CloudFormation only (Terraform uploads it).
const ZIP_PUBLISHED_FOR: &[Target] = &[Target::CloudFormation];
/// The deploy targets that need an image published: both (neither engine pushes images).
const IMAGE_PUBLISHED_FOR: &[Target] = &[Target::CloudFormation, Target::Terraform];

fn is_image(asset: &AssetEntry) -> bool {
    asset.kind == stackwright_tree::fields::IMAGE_KIND
}

/// The deploy targets that need `asset` published.
fn published_for(asset: &AssetEntry) -> &'static [Target] {
    if is_image(asset) {
        IMAGE_PUBLISHED_FOR
    } else {
        ZIP_PUBLISHED_FOR
    }
}

/// The deploy wave before which `destination`'s asset is published for a deploy with `target`: the
/// earliest wave of a stack of its environment that uses it (all of the environment's stacks for a
/// manifest that does not say which), deployed as a stack with `target`; `None` when no such stack is
/// deployed. `waves` are the listing's, one per artifact.
fn wave_before(
    s: &Synthesis,
    waves: &[usize],
    destination: &AssetDestination,
    target: Target,
) -> Option<usize> {
    s.artifacts
        .iter()
        .zip(waves)
        .filter(|(a, _)| {
            a.environment == destination.environment
                && a.target == target
                && !a.removed
                && a.deployed_by.is_none()
                && (destination.stacks.is_empty() || destination.stacks.contains(&a.stack))
        })
        .map(|(_, &wave)| wave)
        .min()
}

/// The deploy wave before which the asset is published, for any deploy target that needs it: the
/// earliest of [`wave_before`] over [`published_for`].
fn first_wave(
    s: &Synthesis,
    waves: &[usize],
    asset: &AssetEntry,
    destination: &AssetDestination,
) -> Option<usize> {
    published_for(asset)
        .iter()
        .filter_map(|&t| wave_before(s, waves, destination, t))
        .min()
}

/// `list`'s lines for the assets of `environment` to publish before its deploy wave `wave` (`waves`:
/// the listing's, one per artifact): those whose first user deploys in that wave (empty without any,
/// and for an asset no stack deployed by a target that needs it uses).
pub(crate) fn human(
    s: &Synthesis,
    waves: &[usize],
    environment: &str,
    wave: usize,
    out: &Path,
) -> String {
    let assets = assets(s);
    let mut text = String::new();
    for (asset, destination) in of_environment(&assets, environment) {
        if first_wave(s, waves, asset, destination) != Some(wave) {
            continue;
        }
        if text.is_empty() {
            text.push_str(&format!(
                "  publish before wave {wave} (the asset bucket and image repository exist: they deploy \
                 before the stacks that use assets; zips for CloudFormation only, as Terraform uploads \
                 them itself; images after `skopeo login`):\n"
            ));
        }
        let path = out.join(&asset.path).display().to_string();
        text.push_str(&format!(
            "    asset {path} ({}, {} bytes, from {}; used by {})\n      publish: {}\n",
            asset.kind,
            asset.size,
            asset.source.escape_debug(),
            destination.stacks.join(", "),
            Command::publish_asset(&path, destination, is_image(asset)).human()
        ));
    }
    text
}

/// `list --format json`'s `publish`: `[{"env", "account", "region", "path", "sha256", "kind", "source",
/// "size", "bucket", "key", "stacks", "targets", "waves", "publish", "publish_argv"}]`, by environment
/// (in the listing's order), each to run by a deploy with one of `targets` (`["cloudformation"]` for a
/// zip: Terraform uploads it itself; both for an image, whose `bucket` is its repository and `key` its
/// tag) before the deploy wave `waves[target]` of its environment (that of the first of `stacks`, the
/// stacks that use it, deployed with that target; absent for a target that deploys none of them);
/// absent without assets.
pub(crate) fn add_json(
    s: &Synthesis,
    waves: &[usize],
    out: &Path,
    listing: &mut serde_json::Value,
) {
    let assets = assets(s);
    if assets.is_empty() {
        return;
    }
    let mut environments: Vec<&str> = Vec::new();
    for a in &s.artifacts {
        if !environments.contains(&a.environment.as_str()) {
            environments.push(&a.environment);
        }
    }
    let mut entries = Vec::new();
    for environment in environments {
        for (asset, d) in of_environment(&assets, environment) {
            let path = out.join(&asset.path).display().to_string();
            let before: serde_json::Map<String, serde_json::Value> = published_for(asset)
                .iter()
                .filter_map(|&t| {
                    wave_before(s, waves, d, t).map(|w| (t.name().to_owned(), w.into()))
                })
                .collect();
            let mut entry = serde_json::json!({
                "env": d.environment,
                "account": d.account,
                "region": d.region,
                "path": path,
                "sha256": asset.sha256,
                "kind": asset.kind,
                "source": asset.source,
                "size": asset.size,
                "bucket": d.bucket,
                "key": d.key,
                "stacks": d.stacks,
                "targets": published_for(asset).iter().map(|t| t.name()).collect::<Vec<_>>(),
                "waves": before,
            });
            Command::publish_asset(&path, d, is_image(asset)).add_to(&mut entry, "publish");
            entries.push(entry);
        }
    }
    listing["publish"] = entries.into();
}

/// `list --format referenced`: every published object and image that the definition's tree (what synth
/// would write) or the tree in the output directory (what was last synthesized, maybe deployed) names,
/// one per line, sorted: `s3://<bucket>/<key>` (zips, published for CloudFormation) and
/// `docker://<repository>:<tag>` (images). Whatever an asset bucket or image repository holds besides
/// these, and besides what other apps of the account and region reference, is unreferenced: the safe
/// clean-up (README) deletes only that, and never the objects under `terraform/`, which the Terraform
/// modules own and delete themselves. Only the selected environments (`--env`) are listed.
pub(crate) fn referenced(s: &Synthesis, tree: &stackwright_tree::PreviousTree) -> String {
    let selected: BTreeSet<&str> = s.artifacts.iter().map(|a| a.environment.as_str()).collect();
    let fresh = assets(s);
    let previous = tree
        .manifest()
        .map(|m| m.assets.as_slice())
        .unwrap_or_default();
    let mut lines = BTreeSet::new();
    for asset in fresh.iter().chain(previous) {
        for d in asset
            .destinations
            .iter()
            .filter(|d| selected.contains(d.environment.as_str()))
        {
            lines.insert(if is_image(asset) {
                format!("docker://{}:{}\n", d.bucket, d.key)
            } else {
                format!("s3://{}/{}\n", d.bucket, d.key)
            });
        }
    }
    lines.into_iter().collect()
}
