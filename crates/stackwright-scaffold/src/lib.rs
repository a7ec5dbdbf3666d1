//! `stackwright new`: a new infrastructure crate that builds, synthesizes and passes its own snapshot test
//! right away.
//!
//! The files come from the top-level `templates/new/`, embedded at compile time so the tool runs from any
//! directory: tera templates (`*.tera`) rendered with the crate's name and its dependency on Stackwright,
//! and `src/lib.rs`, the starter definition, copied as is. The starter's first snapshots are recorded here
//! by compiling that same `src/lib.rs` into this crate and synthesizing it, so they match what the new
//! crate produces byte for byte.
//!
//! Architecture invariant: [`files`] is pure; [`create`] is the only function that touches the file
//! system, and it writes all files or none.

use serde::Serialize;
use stackwright::synth::{synthesize, Request};
use std::path::{Component, Path, PathBuf};

/// The starter definition, compiled here to record its snapshots; the new crate gets the same text.
#[allow(dead_code)]
mod starter {
    include!("../../../templates/new/src/lib.rs");
}

const STARTER: &str = include_str!("../../../templates/new/src/lib.rs");

/// The files of a new crate: (path in the crate, template source, rendered with tera?).
const FILES: &[(&str, &str, bool)] = &[
    (
        "Cargo.toml",
        include_str!("../../../templates/new/Cargo.toml.tera"),
        true,
    ),
    (
        "README.md",
        include_str!("../../../templates/new/README.md.tera"),
        true,
    ),
    (
        ".gitignore",
        include_str!("../../../templates/new/gitignore"),
        false,
    ),
    (
        "src/main.rs",
        include_str!("../../../templates/new/src/main.rs.tera"),
        true,
    ),
    ("src/lib.rs", STARTER, false),
    (
        "tests/snapshots.rs",
        include_str!("../../../templates/new/tests/snapshots.rs.tera"),
        true,
    ),
];

/// Where the new crate gets Stackwright from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dependency {
    /// A path to the `stackwright` facade crate (`crates/stackwright` of a checkout), as written in the
    /// new crate's Cargo.toml: relative to the new crate, or absolute.
    Path(String),
    /// A version requirement on the registry, e.g. `0.1`.
    Version(String),
}

impl Dependency {
    fn to_toml(&self) -> String {
        let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        match self {
            Dependency::Path(path) => format!("{{ path = {} }}", quote(path)),
            Dependency::Version(version) => quote(version),
        }
    }
}

/// One file of the new crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Relative to the crate's directory, with `/` separators.
    pub path: String,
    pub contents: String,
}

#[derive(Serialize)]
struct Context<'a> {
    name: &'a str,
    crate_name: String,
    stackwright: String,
}

/// Every file of a new crate called `name`, snapshots included. Pure: nothing is written.
pub fn files(name: &str, dependency: &Dependency) -> Result<Vec<File>, String> {
    check_name(name)?;
    let context = Context {
        name,
        crate_name: name.replace('-', "_"),
        stackwright: dependency.to_toml(),
    };
    let context = tera::Context::from_serialize(&context).map_err(|e| e.to_string())?;
    let mut tera = tera::Tera::new();
    tera.autoescape_on(Vec::<&'static str>::new());
    let mut out = Vec::new();
    for (path, source, templated) in FILES {
        let contents = if *templated {
            tera.add_raw_template(path, source)
                .and_then(|()| tera.render(path, &context))
                .map_err(|e| format!("internal: template for `{path}`: {e}"))?
        } else {
            (*source).to_owned()
        };
        out.push(File {
            path: (*path).to_owned(),
            contents,
        });
    }
    out.extend(snapshots(name)?);
    Ok(out)
}

/// The crate's name is also the app's, which becomes part of paths and deployed stack names; cargo
/// refuses some names the app's rule allows.
fn check_name(name: &str) -> Result<(), String> {
    let invalid =
        |why: String| format!("invalid crate name `{name}` (it is also the app's name): {why}");
    stackwright::ids::validate_name(name).map_err(invalid)?;
    if let Some(why) = refused_by_cargo(name) {
        return Err(invalid(why));
    }
    Ok(())
}

/// Why cargo refuses `name` as a package name (as `cargo new` does), for names that pass the app's rule
/// (lowercase letters, digits and hyphens): the library crate would be named after a Rust keyword or a
/// built-in crate, or the name is one of cargo's own directories in `target/`.
fn refused_by_cargo(name: &str) -> Option<String> {
    // https://doc.rust-lang.org/reference/keywords.html: strict, reserved and weak-in-edition keywords.
    const KEYWORDS: &[&str] = &[
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
        "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
        "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
        "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type",
        "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
    ];
    const BUILT_IN: &[&str] = &["alloc", "core", "proc-macro", "std", "test"];
    const CARGO_DIRS: &[&str] = &["build", "deps", "examples", "incremental"];
    if KEYWORDS.contains(&name) {
        Some("it is a Rust keyword, which cargo refuses as a package name".into())
    } else if BUILT_IN.contains(&name) {
        Some(format!(
            "it is the name of Rust's built-in `{}` crate, which cargo refuses as a package name",
            name.replace('-', "_")
        ))
    } else if CARGO_DIRS.contains(&name) {
        Some("cargo uses it for a directory of its own in `target/`, and refuses it as a package name".into())
    } else {
        None
    }
}

/// The snapshots the new crate's test expects, from synthesizing the starter under the crate's name,
/// in insta's file format.
fn snapshots(name: &str) -> Result<Vec<File>, String> {
    let synthesis =
        synthesize(&starter::app_named(name), &Request::default()).map_err(|problems| {
            let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
            format!(
                "internal: the starter does not synthesize: {}",
                problems.join("; ")
            )
        })?;
    synthesis
        .files()
        .map(|(path, bytes)| {
            let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
            Ok(File {
                path: format!("snapshots/{}.snap", path.replace('/', "__")),
                contents: format!(
                    "---\nsource: tests/snapshots.rs\n---\n{}\n",
                    text.trim_end()
                ),
            })
        })
        .collect()
}

/// Where the new crate should look for Stackwright, as given on the command line.
#[derive(Clone, Debug)]
pub enum Source {
    /// The `stackwright` facade crate at this path (relative to the current directory, or absolute).
    Path(PathBuf),
    Version(String),
}

/// Creates the crate in `dir` (new, or empty), named after its last component. Returns the files
/// written, relative to `dir`. Nothing is written when anything is wrong.
pub fn create(dir: &Path, source: &Source) -> Result<Vec<String>, String> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| format!("`{}` does not end in a directory name", dir.display()))?;
    // Checked by `files` too, but before anything (the parent directory) is created.
    check_name(name)?;
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?
            .next()
            .is_none();
        if !empty {
            return Err(format!(
                "`{}` exists and is not empty: expected a new or empty directory",
                dir.display()
            ));
        }
    }
    let dependency = match source {
        Source::Version(version) => Dependency::Version(version.clone()),
        Source::Path(path) => {
            let facade = path.canonicalize().map_err(|e| {
                format!(
                    "cannot find the stackwright crate at `{}`: {e}",
                    path.display()
                )
            })?;
            if !facade.join("Cargo.toml").is_file() {
                return Err(format!(
                    "`{}` has no Cargo.toml: expected the path of the `stackwright` crate (crates/stackwright)",
                    path.display()
                ));
            }
            Dependency::Path(relative_to_new_crate(dir, &facade)?)
        }
    };
    let files = files(name, &dependency)?;
    let entries: Vec<(&str, &[u8])> = files
        .iter()
        .map(|f| (f.path.as_str(), f.contents.as_bytes()))
        .collect();
    // A new crate goes into a missing or empty directory only: a directory with files and no manifest is
    // refused by the writer, so nothing of the user's is ever replaced.
    stackwright::synth::write_tree(dir, entries, &mut |_| {})
        .map_err(|e| format!("cannot write `{}`: {e}; nothing was written", dir.display()))?;
    Ok(files.into_iter().map(|f| f.path).collect())
}

/// `target` as seen from the crate directory `dir` (which may not exist yet): relative when both share a
/// root, so the crate can move with its checkout, absolute otherwise.
fn relative_to_new_crate(dir: &Path, target: &Path) -> Result<String, String> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
    let parent = parent
        .canonicalize()
        .map_err(|e| format!("cannot resolve `{}`: {e}", parent.display()))?;
    let from: Vec<Component> = parent.components().collect();
    let to: Vec<Component> = target.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return Ok(target.display().to_string());
    }
    // One `..` out of the new crate itself, then out of its parents down to the common ancestor.
    let mut parts: Vec<String> = vec!["..".to_owned(); 1 + from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests;
