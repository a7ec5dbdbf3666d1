//! Container images built from a build context without a daemon: a Dockerfile `FROM scratch` whose
//! other instructions only copy files from the context and set the image's configuration (`COPY`,
//! `ENTRYPOINT`, `CMD`, `ENV`, `WORKDIR`, `USER`, `EXPOSE`, `LABEL`), written straight into an OCI image
//! layout by Stackwright: one gzip layer of the copied files (sorted, dated 0, root-owned), a config
//! without creation date or history. The same context gives the same image, digest included, anywhere.
//!
//! Why not a general builder: building `RUN` steps needs a base image from a registry and a container
//! runtime (buildah, BuildKit); neither is reachable from synthesis here, nor reproducible without care.
//! Build those elsewhere into an OCI layout and declare it with [`Asset::oci_layout`](crate::Asset::oci_layout).

use crate::rust::Architecture;
use crate::scan::Scanned;
use crate::AssetPath;
use serde_json::{json, Map, Value as Json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;

/// Changes whenever the same context would give another image.
pub(crate) const BUILDER: &str =
    "stackwright-scratch-image 1: one tar+gzip layer (flate2 rust, level 6, \
     mtime 0), sorted, root-owned, 0644/0755, parents 0755; config without created/history";

/// A container image built from a build context (`ImageBuild::new(asset_path!("images/web"))`): its
/// `Dockerfile` (or [`dockerfile`](Self::dockerfile)) must start `FROM scratch` and may only `COPY`
/// files of the context and set `ENTRYPOINT`/`CMD` (JSON form), `ENV`, `WORKDIR`, `USER`, `EXPOSE` and
/// `LABEL`. Anything else is an error at the declaring line that says to build the image elsewhere into an
/// OCI layout ([`Asset::oci_layout`](crate::Asset::oci_layout)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageBuild {
    pub(crate) context: AssetPath,
    pub(crate) dockerfile: String,
    pub(crate) architecture: Architecture,
    /// Rust binaries put into the context, by name ([`ImageBuild::rust_binary`]).
    pub(crate) binaries: Vec<(String, crate::RustFunction)>,
}

impl ImageBuild {
    /// The context directory (its `Dockerfile` at the root), for x86_64 (`amd64`).
    pub fn new(context: impl Into<AssetPath>) -> Self {
        ImageBuild {
            context: context.into(),
            dockerfile: "Dockerfile".to_owned(),
            architecture: Architecture::X86_64,
            binaries: Vec::new(),
        }
    }

    /// Puts a Rust function's binary into the context as `name` (a path relative to it that no file of
    /// the context has), for the Dockerfile to `COPY` (e.g. `COPY bootstrap /bootstrap` and `ENTRYPOINT
    /// ["/bootstrap"]`: a Lambda function of `PackageType` `Image` whose binary speaks the runtime API
    /// itself). Built as [`Asset::rust`](crate::Asset::rust) builds it, only when its inputs changed; a
    /// `FROM scratch` image has no C library, so build it [`statically_linked`](
    /// crate::RustFunction::statically_linked) (a dynamically linked binary would not start). Its
    /// architecture should be the image's ([`architecture`](Self::architecture)).
    pub fn rust_binary(mut self, name: impl Into<String>, function: crate::RustFunction) -> Self {
        self.binaries.push((name.into(), function));
        self
    }

    /// Another Dockerfile of the context (relative to it).
    pub fn dockerfile(mut self, path: impl Into<String>) -> Self {
        self.dockerfile = path.into();
        self
    }

    /// The architecture the image's config declares (its files are copied as they are).
    pub fn architecture(mut self, architecture: Architecture) -> Self {
        self.architecture = architecture;
        self
    }

    pub(crate) fn shown(&self) -> String {
        format!("image context `{}`", self.context.shown())
    }
}

/// The image's files, as (path inside the image, bytes, executable).
type Layer = Vec<(String, Vec<u8>, bool)>;

/// An OCI image layout's files, as (name, bytes), sorted by name.
pub(crate) type Layout = Vec<(String, Vec<u8>)>;

/// Builds the image's OCI layout in memory: (its files by name, the manifest's sha256).
pub(crate) fn build(build: &ImageBuild, scanned: &Scanned) -> Result<(Layout, String), String> {
    let shown = build.shown();
    let read = |name: &str| -> Result<(Vec<u8>, bool), String> {
        let entry = scanned
            .entries
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(|| format!("{shown} has no `{name}`"))?;
        let bytes = std::fs::read(&entry.path)
            .map_err(|e| format!("cannot read `{name}` of {shown}: {e}"))?;
        Ok((bytes, entry.executable))
    };
    let (text, _) = read(&build.dockerfile)?;
    let text = String::from_utf8(text)
        .map_err(|_| format!("`{}` of {shown} is not UTF-8", build.dockerfile))?;
    let at = |line: usize| format!("`{}` line {line} of {shown}", build.dockerfile);
    let mut config = Map::new();
    let mut env: Vec<String> = Vec::new();
    let mut labels = Map::new();
    let mut ports = Map::new();
    let mut layer: BTreeMap<String, (Vec<u8>, bool)> = BTreeMap::new();
    let mut from = false;
    for (line, instruction) in instructions(&text) {
        let (word, rest) = instruction
            .split_once(char::is_whitespace)
            .map(|(w, r)| (w, r.trim()))
            .unwrap_or((instruction.as_str(), ""));
        let word = word.to_ascii_uppercase();
        if !from && word != "FROM" {
            return Err(format!(
                "{}: expected `FROM scratch` first, found `{word}`",
                at(line)
            ));
        }
        match word.as_str() {
            "FROM" if !from && rest.eq_ignore_ascii_case("scratch") => from = true,
            "FROM" => {
                return Err(format!(
                    "{}: `FROM {rest}`: only `FROM scratch` images are built here (a base image needs a registry \
                     and a builder): build it with buildah or docker into an OCI layout and declare that with \
                     `Asset::oci_layout`",
                    at(line)
                ))
            }
            "COPY" => {
                if rest.starts_with("--") {
                    return Err(format!(
                        "{}: `COPY {rest}`: options are not supported (files are copied root-owned)",
                        at(line)
                    ));
                }
                let words: Vec<&str> = rest.split_whitespace().collect();
                let [sources @ .., dest] = words.as_slice() else {
                    return Err(format!("{}: `COPY` needs a source and a destination", at(line)));
                };
                if sources.is_empty() || !dest.starts_with('/') {
                    return Err(format!(
                        "{}: `COPY {rest}`: expected sources of the context and an absolute destination",
                        at(line)
                    ));
                }
                let into_dir = dest.ends_with('/') || sources.len() > 1;
                for source in sources {
                    let source = source.trim_start_matches("./").trim_end_matches('/');
                    if source.contains(['*', '?', '[']) || source.split('/').any(|p| p == "..") {
                        return Err(format!(
                            "{}: `COPY {source}`: expected a file or directory of the context, without \
                             wildcards or `..`",
                            at(line)
                        ));
                    }
                    let prefix = format!("{source}/");
                    let matched: Vec<_> = scanned
                        .entries
                        .iter()
                        .filter(|e| source == "." || e.name == source || e.name.starts_with(&prefix))
                        .collect();
                    if matched.is_empty() {
                        return Err(format!(
                            "{}: `COPY {source}`: no such file or directory in the context",
                            at(line)
                        ));
                    }
                    for entry in matched {
                        let target = if entry.name == source {
                            if into_dir {
                                let file = source.rsplit('/').next().unwrap_or(source);
                                format!("{}/{file}", dest.trim_end_matches('/'))
                            } else {
                                dest.to_string()
                            }
                        } else {
                            let inner = if source == "." {
                                entry.name.as_str()
                            } else {
                                &entry.name[prefix.len()..]
                            };
                            format!("{}/{inner}", dest.trim_end_matches('/'))
                        };
                        let (bytes, executable) = read(&entry.name)?;
                        layer.insert(target.trim_start_matches('/').to_owned(), (bytes, executable));
                    }
                }
            }
            "ENTRYPOINT" | "CMD" => {
                let list: Vec<String> = serde_json::from_str(rest).map_err(|_| {
                    format!(
                        "{}: `{word} {rest}`: expected the JSON form, e.g. [\"/app\", \"--port\", \"80\"] (there is \
                         no shell in a scratch image)",
                        at(line)
                    )
                })?;
                let key = if word == "CMD" { "Cmd" } else { "Entrypoint" };
                config.insert(key.into(), json!(list));
            }
            "ENV" | "LABEL" => {
                for pair in rest.split_whitespace() {
                    let Some((key, value)) = pair.split_once('=') else {
                        return Err(format!(
                            "{}: `{word} {pair}`: expected KEY=VALUE pairs (no quotes, no spaces)",
                            at(line)
                        ));
                    };
                    if word == "ENV" {
                        env.retain(|e| !e.starts_with(&format!("{key}=")));
                        env.push(format!("{key}={value}"));
                    } else {
                        labels.insert(key.into(), value.into());
                    }
                }
            }
            "WORKDIR" if rest.starts_with('/') => {
                config.insert("WorkingDir".into(), rest.into());
            }
            "USER" if !rest.is_empty() => {
                config.insert("User".into(), rest.into());
            }
            "EXPOSE" => {
                for port in rest.split_whitespace() {
                    let port = if port.contains('/') { port.to_owned() } else { format!("{port}/tcp") };
                    ports.insert(port, json!({}));
                }
            }
            other => {
                return Err(format!(
                    "{}: `{other}` is not built here (only COPY, ENTRYPOINT, CMD, ENV, WORKDIR, USER, EXPOSE and \
                     LABEL after `FROM scratch`): build the image with buildah or docker into an OCI layout and \
                     declare that with `Asset::oci_layout`",
                    at(line)
                ))
            }
        }
    }
    if !from {
        return Err(format!(
            "`{}` of {shown} has no `FROM scratch`",
            build.dockerfile
        ));
    }
    if !env.is_empty() {
        config.insert("Env".into(), json!(env));
    }
    if !labels.is_empty() {
        config.insert("Labels".into(), Json::Object(labels));
    }
    if !ports.is_empty() {
        config.insert("ExposedPorts".into(), Json::Object(ports));
    }
    let layer: Layer = layer.into_iter().map(|(p, (b, x))| (p, b, x)).collect();
    let tar = layer_tar(&layer).map_err(|e| format!("cannot build {shown}: {e}"))?;
    let diff_id = hex(&Sha256::digest(&tar));
    let mut gzip = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::new(6));
    gzip.write_all(&tar)
        .map_err(|e| format!("cannot build {shown}: {e}"))?;
    let gzipped = gzip
        .finish()
        .map_err(|e| format!("cannot build {shown}: {e}"))?;
    let architecture = match build.architecture {
        Architecture::X86_64 => "amd64",
        Architecture::Arm64 => "arm64",
    };
    let config = serde_json::to_vec(&json!({
        "architecture": architecture,
        "os": "linux",
        "config": config,
        "rootfs": { "type": "layers", "diff_ids": [format!("sha256:{diff_id}")] },
    }))
    .expect("JSON serializes");
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": format!("sha256:{}", hex(&Sha256::digest(&config))),
            "size": config.len(),
        },
        "layers": [{
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": format!("sha256:{}", hex(&Sha256::digest(&gzipped))),
            "size": gzipped.len(),
        }],
    }))
    .expect("JSON serializes");
    let manifest_digest = hex(&Sha256::digest(&manifest));
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": format!("sha256:{manifest_digest}"),
            "size": manifest.len(),
        }],
    }))
    .expect("JSON serializes");
    let mut files: Layout = [config, gzipped, manifest]
        .into_iter()
        .map(|blob| {
            (
                format!("blobs/sha256/{}", hex(&Sha256::digest(&blob))),
                blob,
            )
        })
        .collect();
    files.push(("index.json".into(), index));
    files.push((
        "oci-layout".into(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    ));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    Ok((files, manifest_digest))
}

/// The Dockerfile's instructions with their first line: comments and blank lines dropped, lines ending
/// in `\` joined.
fn instructions(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if current.is_none() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        let (start, mut text) = current.take().unwrap_or((i + 1, String::new()));
        match trimmed.strip_suffix('\\') {
            Some(part) => {
                text.push_str(part);
                text.push(' ');
                current = Some((start, text));
            }
            None => {
                text.push_str(trimmed);
                out.push((start, text));
            }
        }
    }
    if let Some(last) = current {
        out.push(last);
    }
    out
}

/// The layer's tar: each file's parent directories (0755) then the file (0644, 0755 if executable), in
/// name order, dated 0, owned by root.
fn layer_tar(layer: &Layer) -> std::io::Result<Vec<u8>> {
    let mut entries: BTreeMap<String, Option<(&[u8], bool)>> = BTreeMap::new();
    for (path, bytes, executable) in layer {
        let mut parent = String::new();
        for part in path
            .split('/')
            .collect::<Vec<_>>()
            .split_last()
            .map_or(&[][..], |(_, d)| d)
        {
            parent.push_str(part);
            parent.push('/');
            entries.entry(parent.clone()).or_insert(None);
        }
        entries.insert(path.clone(), Some((bytes, *executable)));
    }
    let mut tar = tar::Builder::new(Vec::new());
    tar.mode(tar::HeaderMode::Deterministic);
    for (path, file) in entries {
        let mut header = tar::Header::new_ustar();
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        match file {
            None => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o755);
                header.set_size(0);
                tar.append_data(&mut header, &path, std::io::empty())?;
            }
            Some((bytes, executable)) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(if executable { 0o755 } else { 0o644 });
                header.set_size(bytes.len() as u64);
                tar.append_data(&mut header, &path, bytes)?;
            }
        }
    }
    tar.into_inner()
}

fn hex(digest: &[u8]) -> String {
    crate::archive::hex(digest)
}
