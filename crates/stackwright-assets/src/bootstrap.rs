//! The bucket code assets are published to, per environment.

use stackwright_aws::ecr::Repository;
use stackwright_aws::s3::{Bucket, BucketHandle};
use stackwright_core::{Diagnostic, Stack};

/// How long a version of an asset object that was overwritten or deleted is kept: long enough to roll a
/// deployment back, short enough not to pile up.
pub const NONCURRENT_VERSION_DAYS: i64 = 30;

/// Declares the environment's asset bucket in `stack` (id `AssetBucket`), named
/// [`bucket_name`](crate::bucket_name) (`stackwright-assets-<account>-<region>`) in both targets: encrypted
/// (SSE-S3), versioned, TLS-only, all public access blocked, ACLs disabled, incomplete uploads cleaned
/// after 7 days and overwritten or deleted versions expired after [`NONCURRENT_VERSION_DAYS`], kept when
/// the stack goes (the `s3::Bucket` defaults). Deploy it (a stack of its own, first) before publishing:
/// the stacks whose functions read assets may take the bucket from the returned handle (`.name()`),
/// so that they deploy after it.
///
/// Marks the stack ([`AssetBucket`]): synth warns of an environment whose stacks use assets when none
/// declares the bucket, nor says it exists ([`bucket_exists`]).
///
/// Also declares the environment's image repository (id `AssetRepository`), named
/// [`REPOSITORY_NAME`] (unique in ECR as account and region are): images scanned on push, tags
/// immutable (an image asset's tag is its content digest), encrypted, untagged images expired after
/// [`UNTAGGED_EXPIRATION_DAYS`](stackwright_aws::ecr::UNTAGGED_EXPIRATION_DAYS) days, kept when the
/// stack goes.
///
/// One stack of an account and region may call it: a second one, in the same environment or in another
/// of the same account and region, is an error at its call naming the first (call [`bucket_exists`]
/// there instead).
///
/// Every stack of the environment that declares an asset ([`StackAssets::asset`](crate::StackAssets))
/// deploys after this one (`Stack::needs` of [`PROVIDES`]), whether or not it reads the returned
/// handle, so that the publish step between them (`list`, `ci`) finds the bucket and repository.
#[track_caller]
pub fn bootstrap(stack: &mut Stack) -> BucketHandle {
    // The names are built from the account and region: two environments of one account and region (or
    // two stacks of one) would both declare them, and the second deploy would fail.
    stack.claim_in_region(
        "the asset bucket `stackwright-assets-<account>-<region>` and image repository \
         `stackwright-assets` (`stackwright::assets::bootstrap`)",
        "call `stackwright::assets::bucket_exists(stack)` here instead",
        std::panic::Location::caller(),
    );
    stack.extensions_mut().insert(AssetBucket);
    stack.extensions_mut().insert(Bootstrap);
    stack.provides(PROVIDES);
    let bucket = stack.add(
        Bucket::new("AssetBucket")
            .noncurrent_version_expiration_days(NONCURRENT_VERSION_DAYS)
            .override_cloudformation("Properties.BucketName", crate::bucket_name())
            .override_terraform("bucket", crate::bucket_name()),
    );
    stack.add(
        Repository::new("AssetRepository")
            .override_cloudformation("Properties.RepositoryName", REPOSITORY_NAME)
            .override_terraform("name", REPOSITORY_NAME),
    );
    bucket
}

/// What a [`bootstrap`] stack provides to the stacks of its environment that declare assets
/// (`Stack::provides`, `Stack::needs`): they deploy after it.
pub const PROVIDES: &str = "the asset bucket and image repository";

/// The name of an environment's image repository ([`bootstrap`]): one per account and region.
pub const REPOSITORY_NAME: &str = "stackwright-assets";

/// Says that the environment's asset bucket ([`bucket_name`](crate::bucket_name)) exists though this
/// app does not declare it ([`bootstrap`]): another app of the account declares it, or it was made by
/// hand. Marks the stack ([`AssetBucket`]), so that synth does not warn of it.
pub fn bucket_exists(stack: &mut Stack) {
    stack.extensions_mut().insert(AssetBucket);
}

/// The mark (in a stack's extensions) of a stack that declares the environment's asset bucket
/// ([`bootstrap`]) or says it exists ([`bucket_exists`]). Synth warns, at each asset's declaration, of an
/// environment whose stacks use assets when none of its stacks has it: publishing them would fail, as
/// nothing creates the bucket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssetBucket;

/// The mark (in a stack's extensions) of a stack that declares the environment's asset bucket and image
/// repository ([`bootstrap`]): an asset published there that the same stack declares is an error
/// ([`bootstrap_problems`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bootstrap;

/// An error at each asset that a [`bootstrap`] stack declares and publishes (reads its bucket or key, or
/// is an image): its publish step would come before the stack deploys, when the bucket and repository do
/// not exist yet, so it cannot be deployed. Empty for any other stack. Read once the stack is defined
/// (synth, `list`, `plan` and `--check` report it like any problem of the stack); one per declaration.
pub fn bootstrap_problems(stack: &Stack) -> Vec<Diagnostic> {
    let extensions = stack.extensions();
    let (Some(_), Some(used)) = (
        extensions.get::<Bootstrap>(),
        extensions.get::<crate::UsedAssets>(),
    ) else {
        return Vec::new();
    };
    let mut seen = Vec::new();
    used.assets
        .iter()
        .filter(|asset| asset.read_from_s3() || asset.image_tag().is_some())
        .filter(|asset| {
            let key = (asset.location, asset.sha256.clone());
            let new = !seen.contains(&key);
            seen.push(key);
            new
        })
        .map(|asset| {
            Diagnostic::new(format!(
                "asset `{}` is declared in stack `{}`, which also declares the asset bucket and image \
                 repository (`bootstrap`): it would be published before that stack deploys, when they do \
                 not exist yet, so it cannot be deployed; declare it in another stack (the stacks that \
                 declare assets deploy after the one that calls `stackwright::assets::bootstrap`)",
                asset.source,
                stack.name()
            ))
            .at(asset.location)
        })
        .collect()
}
