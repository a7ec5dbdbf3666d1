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
    /// Links the C library in ([`RustFunction::statically_linked`]).
    pub(crate) static_link: bool,
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
            static_link: false,
        }
    }

    /// Links glibc into the binary (its static library, `-C target-feature=+crt-static`), so that the
    /// binary runs where there is no C library: an image `FROM scratch` ([`ImageBuild::rust_binary`](
    /// crate::ImageBuild::rust_binary)). Built by `cargo build` with this machine's C toolchain rather
    /// than cargo-zigbuild, for this machine's architecture only, with glibc's static library installed
    /// (`libc6-dev`, `glibc-static`). The bytes then also depend on this machine's `libc.a` and linker,
    /// which are part of the build's key: the same sources, Rust toolchain, glibc and linker give the
    /// same bytes. A binary that resolves host names through NSS (`getaddrinfo` of a name) needs the
    /// shared libraries at run time; one that reaches only addresses (the Lambda runtime API) does not.
    pub fn statically_linked(mut self) -> Self {
        self.static_link = true;
        self
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
            "Rust function `{}` (binary `{}`, {}{}) in `{}`",
            self.package,
            self.bin_name(),
            self.architecture.lambda_name(),
            if self.static_link {
                ", statically linked"
            } else {
                ""
            },
            self.dir.shown()
        )
    }

    /// An error unless the crate's directory exists (before anything looks for its lock file or tools).
    pub(crate) fn check_dir(&self) -> Result<(), String> {
        let dir = self.dir.resolve();
        if dir.is_dir() {
            return Ok(());
        }
        Err(format!(
            "{}: the directory `{}` does not exist or is not a directory (looked for `{}`): expected \
             the crate's directory, which holds its Cargo.toml",
            self.shown(),
            self.dir.shown(),
            dir.display()
        ))
    }

    /// The inputs whose contents decide the binary, relative to the crate's directory: `Cargo.toml`,
    /// `src`, the workspace's lock file, then the declared ones.
    pub(crate) fn inputs(&self) -> Result<Vec<PathBuf>, String> {
        let dir = self.dir.resolve();
        self.check_dir()?;
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
        if self.static_link {
            let (libc, linker) = static_toolchain(self.architecture).map_err(|why| {
                format!(
                    "cannot build {}: this machine cannot link it statically for {}: {why}",
                    self.shown(),
                    self.architecture.lambda_name()
                )
            })?;
            return Ok(format!(
                "{STATIC_RECIPE}\npackage {}\nbin {}\ntarget {}\nrustc {}\nlibc.a {libc}\nlinker {linker}\n",
                self.package,
                self.bin_name(),
                self.architecture.rust_target(),
                toolchain().map_or("unknown", |(_, identity)| identity.as_str()),
            ));
        }
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
        // A statically linked build has flags of its own: a directory of its own, so that the two
        // builds never undo each other's.
        let target_dir = metadata.target_directory.join(if self.static_link {
            "stackwright-lambda-static"
        } else {
            "stackwright-lambda"
        });
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
        if self.static_link {
            flags.push("-Ctarget-feature=+crt-static".to_owned());
            command
                .args(["build", "--release", "--locked", "--package"])
                .arg(&self.package)
                .args(["--bin", self.bin_name(), "--target", triple]);
        } else if let Some((zigbuild, _)) = zigbuild() {
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
        if !self.static_link {
            command
                .args(["zigbuild", "--release", "--locked", "--package"])
                .arg(&self.package)
                .args(["--bin", self.bin_name(), "--target"])
                .arg(format!("{triple}.{GLIBC}"));
        }
        command.current_dir(&dir).stdin(Stdio::null());
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
            .map_err(|e| format!("cannot run `cargo {}` for {shown}: {e}", self.builder()))?;
        if !output.status.success() {
            let mut tail: Vec<String> = String::from_utf8_lossy(&output.stderr)
                .lines()
                .map(|l| l.escape_debug().to_string())
                .collect();
            if tail.len() > 20 {
                tail.drain(..tail.len() - 20);
            }
            return Err(format!(
                "`cargo {}` of {shown} failed ({}); its last lines of output:\n  {}",
                self.builder(),
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
        if self.static_link {
            check_static(&built).map_err(|why| format!("{shown}: {why}"))?;
        }
        std::fs::create_dir_all(&staged)
            .and_then(|()| std::fs::copy(&built, staged.join("bootstrap")).map(drop))
            .map_err(|e| format!("cannot stage the binary of {shown} as `bootstrap`: {e}"))?;
        Ok(staged)
    }
}

impl RustFunction {
    /// The cargo subcommand that builds it.
    fn builder(&self) -> &'static str {
        if self.static_link {
            "build"
        } else {
            "zigbuild"
        }
    }
}

/// Changes whenever a statically linked build would give other bytes for the same sources, toolchain,
/// C library and linker.
pub(crate) const STATIC_RECIPE: &str =
    "stackwright-rust-static 1: cargo build --release --locked, crt-static (glibc libc.a), \
     remapped workspace and cargo home, strip=symbols, debug=0, SOURCE_DATE_EPOCH=315532800";

/// Where glibc's static library is for an architecture (Debian's multiarch directory, then the usual
/// library directories).
fn static_libc(architecture: Architecture) -> Option<PathBuf> {
    let multiarch = match architecture {
        Architecture::X86_64 => "x86_64-linux-gnu",
        Architecture::Arm64 => "aarch64-linux-gnu",
    };
    [
        format!("/usr/lib/{multiarch}/libc.a"),
        "/usr/lib64/libc.a".to_owned(),
        "/usr/lib/libc.a".to_owned(),
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// What a statically linked build for `architecture` depends on here: the stamps of glibc's `libc.a`
/// and of the linker (`cc`); an error saying what is missing: another architecture than this machine's
/// (the host's C toolchain links), glibc's static library, a `cc` on `PATH`, the Rust standard library.
fn static_toolchain(architecture: Architecture) -> Result<(String, String), String> {
    let host = match std::env::consts::ARCH {
        "x86_64" => Architecture::X86_64,
        "aarch64" => Architecture::Arm64,
        other => {
            return Err(format!(
                "this machine's architecture ({other}) is neither of Lambda's"
            ))
        }
    };
    if architecture != host {
        return Err(format!(
            "a statically linked binary is linked by this machine's C toolchain, which builds for {} only",
            host.lambda_name()
        ));
    }
    let libc = static_libc(architecture).ok_or(
        "glibc's static library (libc.a) is not installed (Debian, Ubuntu: `apt-get install libc6-dev`; \
         Fedora, Amazon Linux: `dnf install glibc-static`)",
    )?;
    let path = std::env::var_os("PATH").unwrap_or_default();
    let linker = std::env::split_paths(&path)
        .map(|dir| dir.join("cc"))
        .find_map(|cc| {
            let real = std::fs::canonicalize(&cc).ok()?;
            stamp(&real).map(|s| format!("{} {s}", real.display()))
        })
        .ok_or("no C compiler (`cc`) on PATH to link with")?;
    let sysroot =
        sysroot().ok_or("`rustc --print sysroot` failed: is a Rust toolchain on PATH?")?;
    if !sysroot
        .join("lib/rustlib")
        .join(architecture.rust_target())
        .is_dir()
    {
        return Err(format!(
            "the Rust standard library for `{}` is not installed (`rustup target add {}`)",
            architecture.rust_target(),
            architecture.rust_target()
        ));
    }
    let libc_stamp =
        stamp(&libc).map_or_else(|| "?".to_owned(), |s| format!("{} {s}", libc.display()));
    Ok((libc_stamp, linker))
}

/// Refuses a binary that still asks for a program interpreter (`PT_INTERP`, the dynamic loader): it
/// would not start where there is no C library.
fn check_static(binary: &Path) -> Result<(), String> {
    let bytes = std::fs::read(binary).map_err(|e| format!("cannot read the built binary: {e}"))?;
    // ELF64, little-endian: the program headers' offset, entry size and count; PT_INTERP is type 3.
    let field = |at: usize, width: usize| -> Option<u64> {
        let mut value = 0u64;
        for (i, b) in bytes.get(at..at + width)?.iter().enumerate() {
            value |= u64::from(*b) << (8 * i);
        }
        Some(value)
    };
    let elf =
        bytes.get(..4) == Some(b"\x7fELF") && bytes.get(4) == Some(&2) && bytes.get(5) == Some(&1);
    let headers = elf
        .then(|| Some((field(0x20, 8)?, field(0x36, 2)?, field(0x38, 2)?)))
        .flatten()
        .ok_or("the built binary is not a 64-bit little-endian ELF file")?;
    let (offset, size, count) = headers;
    for i in 0..count {
        let at = usize::try_from(offset + i * size).unwrap_or(usize::MAX);
        if field(at, 4) == Some(3) {
            return Err(
                "the built binary is dynamically linked (it names a program interpreter) although it \
                 was built with crt-static: it would not start in an image without a C library"
                    .to_owned(),
            );
        }
    }
    Ok(())
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
