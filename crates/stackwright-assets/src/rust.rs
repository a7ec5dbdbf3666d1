//! A Rust binary crate built for Lambda's `provided.al2023` runtime: `cargo zigbuild` (cargo-zigbuild with
//! zig as the linker, both from PyPI: `scripts/install-lambda-build.sh`) for a glibc that Amazon Linux 2023
//! has (2.34), the binary packed alone as `bootstrap`.
//!
//! Reproducible: the same sources, lock file and toolchain give the same bytes wherever the checkout is.
//! The build remaps the workspace's and Cargo's home paths (`--remap-path-prefix`), strips symbols, sets
//! `SOURCE_DATE_EPOCH`, runs `--locked` and `--release`, and ignores the caller's `RUSTFLAGS` and target
//! directory (it builds in `<target dir>/stackwright-lambda`, so that a synthesis run by `cargo run` or
//! `cargo test` never waits for the build directory of the cargo that started it).

use crate::AssetPath;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;

/// The glibc the binaries are linked against: Amazon Linux 2023's (`provided.al2023`), 2.34.
pub const GLIBC: &str = "2.34";

/// Changes whenever the build would give other bytes for the same sources and toolchain.
pub(crate) const RECIPE: &str =
    "stackwright-rust-lambda 1: cargo zigbuild --release --locked, glibc 2.34, \
     remapped workspace and cargo home, strip=symbols, debug=0, SOURCE_DATE_EPOCH=315532800";

/// A Lambda function's instruction set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Architecture {
    /// `x86_64` (Lambda's default).
    X86_64,
    /// `arm64` (Graviton).
    Arm64,
}

impl Architecture {
    /// Both, in Lambda's order.
    pub const ALL: [Architecture; 2] = [Architecture::X86_64, Architecture::Arm64];

    /// Lambda's name, for a function's `Architectures`: `x86_64` or `arm64`.
    pub fn lambda_name(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }

    /// The Rust target triple.
    pub fn rust_target(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64-unknown-linux-gnu",
            Architecture::Arm64 => "aarch64-unknown-linux-gnu",
        }
    }

    /// Why this machine cannot build for the architecture (`None`: it can): cargo-zigbuild missing from
    /// `PATH`, or the Rust standard library for the target not installed.
    pub fn unavailable(self) -> Option<String> {
        if zigbuild().is_none() {
            return Some(format!(
                "cargo-zigbuild is neither on PATH nor installed by `scripts/install-lambda-build.sh` \
                 (cargo-zigbuild {ZIGBUILD_VERSION} and ziglang {ZIGLANG_VERSION} from PyPI): run it"
            ));
        }
        let Some(sysroot) = sysroot() else {
            return Some("`rustc --print sysroot` failed: is a Rust toolchain on PATH?".to_owned());
        };
        let libdir = sysroot.join("lib/rustlib").join(self.rust_target());
        if !libdir.is_dir() {
            return Some(format!(
                "the Rust standard library for `{}` is not installed (`rustup target add {}`)",
                self.rust_target(),
                self.rust_target()
            ));
        }
        None
    }
}

/// For tests that build Rust functions: `None` when x86_64 functions can be built here; else, outside
/// CI, the reason, which the caller prints as "NOT TESTED" and skips (a fresh machine's `cargo test` needs
/// no Lambda tooling); in CI (`CI` set, as `.ci/run` does, which installs the tools first) a missing tool
/// is a failure, never a skip.
///
/// # Panics
/// In CI, when x86_64 functions cannot be built.
pub fn untestable_here() -> Option<String> {
    let why = Architecture::X86_64.unavailable()?;
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("CI must build Rust functions, and cannot: {why}");
    }
    Some(why)
}

/// The cargo-zigbuild release `scripts/install-lambda-build.sh` pins.
pub const ZIGBUILD_VERSION: &str = "0.24.0";
/// The ziglang (zig, the linker) release `scripts/install-lambda-build.sh` pins.
pub const ZIGLANG_VERSION: &str = "0.15.2";

/// A binary of a Rust crate, built for Lambda: `RustFunction::new(asset_path!("functions/orders"),
/// "orders")`. Its zip holds the binary alone, as `bootstrap` (runtime `provided.al2023`, handler
/// anything, e.g. `bootstrap`).
///
/// Built only when its inputs changed: the crate's `Cargo.toml` and `src/`, the workspace's
/// `Cargo.lock` (the nearest one above the crate), every [`input`](Self::input) (a build script, a path
/// dependency's directory), the toolchain (its `rustc`'s path and stamp) and cargo-zigbuild's executable. List path
/// dependencies as inputs: a change in one is otherwise not seen until another input changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RustFunction {
    pub(crate) dir: AssetPath,
    pub(crate) package: String,
    pub(crate) bin: Option<String>,
    pub(crate) architecture: Architecture,
    pub(crate) inputs: Vec<PathBuf>,
}

impl RustFunction {
    /// Binary `package` (its default binary, named like it) of the crate in `dir`, for x86_64.
    pub fn new(dir: impl Into<AssetPath>, package: impl Into<String>) -> Self {
        RustFunction {
            dir: dir.into(),
            package: package.into(),
            bin: None,
            architecture: Architecture::X86_64,
            inputs: Vec::new(),
        }
    }

    /// Another binary of the package than the one named like it.
    pub fn bin(mut self, bin: impl Into<String>) -> Self {
        self.bin = Some(bin.into());
        self
    }

    /// The instruction set to build for (the function's `Architectures` must say the same).
    pub fn architecture(mut self, architecture: Architecture) -> Self {
        self.architecture = architecture;
        self
    }

    /// Another file or directory (relative to the crate's directory) the binary depends on.
    pub fn input(mut self, path: impl Into<PathBuf>) -> Self {
        self.inputs.push(path.into());
        self
    }

    pub(crate) fn bin_name(&self) -> &str {
        self.bin.as_deref().unwrap_or(&self.package)
    }

    pub(crate) fn shown(&self) -> String {
        format!(
            "Rust function `{}` (binary `{}`, {}) in `{}`",
            self.package,
            self.bin_name(),
            self.architecture.lambda_name(),
            self.dir.shown()
        )
    }

    /// The inputs whose contents decide the binary, relative to the crate's directory: `Cargo.toml`,
    /// `src`, the workspace's lock file, then the declared ones.
    pub(crate) fn inputs(&self) -> Result<Vec<PathBuf>, String> {
        let dir = self.dir.resolve();
        let mut inputs = vec![PathBuf::from("Cargo.toml"), PathBuf::from("src")];
        let lock = dir
            .ancestors()
            .enumerate()
            .find(|(_, d)| d.join("Cargo.lock").is_file())
            .map(|(up, _)| {
                let mut path: PathBuf = std::iter::repeat_n("..", up).collect();
                path.push("Cargo.lock");
                path
            })
            .ok_or_else(|| {
                format!(
                    "{}: no Cargo.lock in its directory or above it: a build without a lock file is not \
                     reproducible (run `cargo generate-lockfile`)",
                    self.shown()
                )
            })?;
        inputs.push(lock);
        inputs.extend(self.inputs.iter().cloned());
        Ok(inputs)
    }

    /// What besides the inputs decides the bytes: the recipe, the crate and binary, the target, the
    /// toolchain's compiler and cargo-zigbuild's executable (their paths and stamps). No process runs.
    pub(crate) fn key_text(&self) -> Result<String, String> {
        if let Some(why) = self.architecture.unavailable() {
            return Err(format!(
                "cannot build {}: this machine cannot build for {}: {why}",
                self.shown(),
                self.architecture.lambda_name()
            ));
        }
        let zigbuild = zigbuild().map(|(path, stamp)| format!("{} {stamp}", path.display()));
        Ok(format!(
            "{RECIPE}\npackage {}\nbin {}\ntarget {}.{GLIBC}\nrustc {}\ncargo-zigbuild {}\n",
            self.package,
            self.bin_name(),
            self.architecture.rust_target(),
            toolchain().map_or("unknown", |(_, identity)| identity.as_str()),
            zigbuild.unwrap_or_default()
        ))
    }

    /// Builds the binary and puts it, as `bootstrap`, alone in a directory of the build's target
    /// directory, which it returns (with how to show it).
    pub(crate) fn build(&self) -> Result<PathBuf, String> {
        let shown = self.shown();
        let dir = self.dir.resolve();
        let metadata =
            cargo_metadata(&dir).map_err(|why| format!("cannot build {shown}: {why}"))?;
        let package = metadata
            .packages
            .iter()
            .find(|p| p.name == self.package)
            .ok_or_else(|| {
                format!(
                    "cannot build {shown}: the workspace of `{}` has no package `{}` (it has {})",
                    self.dir.shown(),
                    self.package,
                    metadata
                        .packages
                        .iter()
                        .map(|p| format!("`{}`", p.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        if !package.bins.iter().any(|b| b == self.bin_name()) {
            return Err(format!(
                "cannot build {shown}: package `{}` has no binary `{}` (binaries: {})",
                self.package,
                self.bin_name(),
                if package.bins.is_empty() {
                    "none".to_owned()
                } else {
                    package.bins.join(", ")
                }
            ));
        }
        let target_dir = metadata.target_directory.join("stackwright-lambda");
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
        let mut flags = vec![format!(
            "--remap-path-prefix={}=/build",
            metadata.workspace_root.display()
        )];
        if let Some(home) = &cargo_home {
            flags.push(format!("--remap-path-prefix={}=/cargo", home.display()));
        }
        let triple = self.architecture.rust_target();
        let mut command = Command::new("cargo");
        if let Some((zigbuild, _)) = zigbuild() {
            // cargo finds its subcommand, and cargo-zigbuild its zig (`python3 -m ziglang` of the
            // install's venv), first in cargo-zigbuild's directory.
            let path = std::env::var_os("PATH").unwrap_or_default();
            let dirs = zigbuild
                .parent()
                .map(Path::to_path_buf)
                .into_iter()
                .chain(std::env::split_paths(&path));
            if let Ok(joined) = std::env::join_paths(dirs) {
                command.env("PATH", joined);
            }
        }
        command
            .args(["zigbuild", "--release", "--locked", "--package"])
            .arg(&self.package)
            .args(["--bin", self.bin_name(), "--target"])
            .arg(format!("{triple}.{GLIBC}"))
            .current_dir(&dir)
            .stdin(Stdio::null());
        for variable in [
            "RUSTFLAGS",
            "CARGO_BUILD_RUSTFLAGS",
            "CARGO_TARGET_DIR",
            "CARGO_BUILD_TARGET_DIR",
            "CARGO_BUILD_TARGET",
            "RUSTC_WRAPPER",
            "RUSTC_WORKSPACE_WRAPPER",
        ] {
            command.env_remove(variable);
        }
        command
            .env("CARGO_TARGET_DIR", &target_dir)
            .env("CARGO_ENCODED_RUSTFLAGS", flags.join("\u{1f}"))
            .env("CARGO_PROFILE_RELEASE_STRIP", "symbols")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "0")
            .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "false")
            .env("SOURCE_DATE_EPOCH", "315532800");
        let output = command
            .output()
            .map_err(|e| format!("cannot run `cargo zigbuild` for {shown}: {e}"))?;
        if !output.status.success() {
            let mut tail: Vec<String> = String::from_utf8_lossy(&output.stderr)
                .lines()
                .map(|l| l.escape_debug().to_string())
                .collect();
            if tail.len() > 20 {
                tail.drain(..tail.len() - 20);
            }
            return Err(format!(
                "`cargo zigbuild` of {shown} failed ({}); its last lines of output:\n  {}",
                output.status,
                tail.join("\n  ")
            ));
        }
        let built = target_dir
            .join(triple)
            .join("release")
            .join(self.bin_name());
        let staged = target_dir.join("bootstrap").join(format!(
            "{}-{}",
            self.bin_name(),
            self.architecture.lambda_name()
        ));
        std::fs::create_dir_all(&staged)
            .and_then(|()| std::fs::copy(&built, staged.join("bootstrap")).map(drop))
            .map_err(|e| format!("cannot stage the binary of {shown} as `bootstrap`: {e}"))?;
        Ok(staged)
    }
}

/// What `cargo metadata` says of a workspace.
struct Metadata {
    workspace_root: PathBuf,
    target_directory: PathBuf,
    packages: Vec<Package>,
}

struct Package {
    name: String,
    bins: Vec<String>,
}

fn cargo_metadata(dir: &Path) -> Result<Metadata, String> {
    let output = Command::new("cargo")
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(dir)
        .env_remove("CARGO_TARGET_DIR")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run `cargo metadata`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo metadata` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("`cargo metadata` printed no JSON: {e}"))?;
    let path = |key: &str| {
        json.get(key)
            .and_then(|v| v.as_str())
            .map(PathBuf::from)
            .ok_or_else(|| format!("`cargo metadata` gave no `{key}`"))
    };
    let packages = json
        .get("packages")
        .and_then(|p| p.as_array())
        .map(|packages| {
            packages
                .iter()
                .map(|p| Package {
                    name: p["name"].as_str().unwrap_or_default().to_owned(),
                    bins: p["targets"]
                        .as_array()
                        .map(|targets| {
                            targets
                                .iter()
                                .filter(|t| {
                                    t["kind"]
                                        .as_array()
                                        .is_some_and(|k| k.iter().any(|k| k == "bin"))
                                })
                                .filter_map(|t| t["name"].as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Metadata {
        workspace_root: path("workspace_root")?,
        target_directory: path("target_directory")?,
        packages,
    })
}

/// The toolchain cargo builds with here: its sysroot and what identifies its compiler (the path, size
/// and times of `<sysroot>/bin/rustc`, which an update or another toolchain changes), once per process.
/// Under cargo (`cargo run`, `cargo test`) the sysroot is where `$CARGO` is, read without running
/// anything (a `rustc` through rustup's proxy costs about 70 ms, which an unchanged synthesis must not
/// pay); otherwise `rustc --print sysroot` says.
fn toolchain() -> Option<&'static (PathBuf, String)> {
    static TOOLCHAIN: LazyLock<Option<(PathBuf, String)>> = LazyLock::new(|| {
        let from_cargo = std::env::var_os("CARGO")
            .map(PathBuf::from)
            .and_then(|cargo| Some(cargo.parent()?.parent()?.to_path_buf()))
            .filter(|root| root.join("bin/rustc").is_file());
        let sysroot = match from_cargo {
            Some(root) => root,
            None => {
                let output = Command::new("rustc")
                    .args(["--print", "sysroot"])
                    .stdin(Stdio::null())
                    .output()
                    .ok()?;
                if !output.status.success() {
                    return None;
                }
                PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
            }
        };
        let rustc = sysroot.join("bin/rustc");
        let identity = stamp(&rustc).map(|s| format!("{} {s}", rustc.display()))?;
        Some((sysroot, identity))
    });
    TOOLCHAIN.as_ref()
}

fn sysroot() -> Option<PathBuf> {
    toolchain().map(|(sysroot, _)| sysroot.clone())
}

/// A file's size, modification and change times and inode: what a reinstall changes.
fn stamp(path: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    meta.is_file().then(|| {
        format!(
            "{} {}.{} {}.{} {}",
            meta.len(),
            meta.mtime(),
            meta.mtime_nsec(),
            meta.ctime(),
            meta.ctime_nsec(),
            meta.ino()
        )
    })
}

/// Where `scripts/install-lambda-build.sh` installs cargo-zigbuild and zig:
/// `$VALIDATORS_HOME/venv-lambda/bin`, by default `~/.cache/stackwright-validators/venv-lambda/bin`.
fn installed_dir() -> Option<PathBuf> {
    let home = std::env::var_os("VALIDATORS_HOME")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/stackwright-validators"))
        })?;
    Some(home.join("venv-lambda/bin"))
}

/// cargo-zigbuild's executable, on `PATH` or where `scripts/install-lambda-build.sh` puts it, with its
/// size and mtime (a reinstall changes them).
fn zigbuild() -> Option<(PathBuf, String)> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path).chain(installed_dir());
    dirs.into_iter().find_map(|dir| {
        let candidate = dir.join("cargo-zigbuild");
        let stamp = stamp(&candidate)?;
        Some((candidate, stamp))
    })
}
