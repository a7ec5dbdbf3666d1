//! What `list` says about code assets: the commands that publish them, per environment, once its asset
//! bucket exists (`stackwright::assets::bootstrap`) and before the stacks whose functions read them.
//!
//! Only CloudFormation deploys need them: a Terraform module uploads the zips it reads from the tree
//! itself (an `aws_s3_object`, or a function's `filename`), so an environment deployed by Terraform
//! alone publishes nothing, and `list --format json` says which targets need each command (`targets`).

use crate::commands::Command;
use crate::synth::{Synthesis, Target};
use stackwright_tree::manifest::{AssetDestination, AssetEntry};
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

/// Whether the synthesis deploys a stack of `environment` with one of `targets`.
fn deploys_with(s: &Synthesis, environment: &str, targets: &[Target]) -> bool {
    s.artifacts
        .iter()
        .any(|a| a.environment == environment && !a.removed && targets.contains(&a.target))
}

/// `list`'s lines for the assets of `environment`, before its first wave (empty without any, and when
/// no stack of the environment is deployed by CloudFormation).
pub(crate) fn human(s: &Synthesis, environment: &str, out: &Path) -> String {
    let assets = assets(s);
    let mut text = String::new();
    for (asset, destination) in of_environment(&assets, environment) {
        if !deploys_with(s, environment, published_for(asset)) {
            continue;
        }
        if text.is_empty() {
            text.push_str(
                "  publish (once the asset bucket and image repository exist, before the stacks that read \
                 them; zips for CloudFormation only, as Terraform uploads them itself; images after \
                 `skopeo login`):\n",
            );
        }
        let path = out.join(&asset.path).display().to_string();
        text.push_str(&format!(
            "    asset {path} ({}, {} bytes, from {})\n      publish: {}\n",
            asset.kind,
            asset.size,
            asset.source.escape_debug(),
            Command::publish_asset(&path, destination, is_image(asset)).human()
        ));
    }
    text
}

/// `list --format json`'s `publish`: `[{"env", "account", "region", "path", "sha256", "kind", "source",
/// "size", "bucket", "key", "targets", "publish", "publish_argv"}]`, by environment (in the listing's
/// order), each to run before that environment's first wave by a deploy with one of `targets`
/// (`["cloudformation"]` for a zip: Terraform uploads it itself; both for an image, whose `bucket` is
/// its repository and `key` its tag); absent without assets.
pub(crate) fn add_json(s: &Synthesis, out: &Path, listing: &mut serde_json::Value) {
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
                "targets": published_for(asset).iter().map(|t| t.name()).collect::<Vec<_>>(),
            });
            Command::publish_asset(&path, d, is_image(asset)).add_to(&mut entry, "publish");
            entries.push(entry);
        }
    }
    listing["publish"] = entries.into();
}
