use super::*;

fn file<'a>(files: &'a [File], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .contents
}

#[test]
fn a_new_crate_has_its_manifest_definition_test_and_snapshots() {
    let files = files(
        "demo-infra",
        &Dependency::Path("../stackwright/crates/stackwright".into()),
    )
    .unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "Cargo.toml",
            "README.md",
            ".gitignore",
            "src/main.rs",
            "src/lib.rs",
            "tests/snapshots.rs",
            "snapshots/cloudformation__dev__network.template.json.snap",
            "snapshots/terraform__dev__network__main.tf.json.snap",
            "snapshots/manifest.json.snap",
        ]
    );
    let manifest = file(&files, "Cargo.toml");
    assert!(manifest.contains("name = \"demo-infra\"\n"), "{manifest}");
    assert!(
        manifest.contains("stackwright = { path = \"../stackwright/crates/stackwright\" }\n"),
        "{manifest}"
    );
    // Dependencies without debug info in debug builds, those synthesis runs through optimized and the
    // rest (command line, plan, proc macros) not: the clean build's and the edit loop's figures in the
    // README depend on it (and scripts/measure-build.sh finds the section by its first line).
    assert!(
        manifest.contains("# Profile settings of `stackwright new`:")
            && manifest.contains("[profile.dev.package.\"*\"]\ndebug = false\n\n")
            && manifest.contains("[profile.release]\nincremental = true\n"),
        "{manifest}"
    );
    for optimized in [
        "stackwright-core",
        "stackwright-lowering",
        "stackwright-cloudformation",
        "stackwright-terraform",
        "serde_json",
        "regex-automata",
    ] {
        assert!(
            manifest.contains(&format!(
                "[profile.dev.package.{optimized}]\nopt-level = 2\n"
            )),
            "{optimized} not optimized: {manifest}"
        );
    }
    for not_optimized in ["stackwright-cli", "stackwright-plan", "clap", "syn", "tera"] {
        assert!(
            !manifest.contains(&format!("[profile.dev.package.{not_optimized}]")),
            "{not_optimized} has a profile: {manifest}"
        );
    }
    assert!(file(&files, "src/main.rs").contains("demo_infra::app().run()"));
    assert!(file(&files, "tests/snapshots.rs").contains("synthesize(&demo_infra::app()"));
    assert_eq!(file(&files, "src/lib.rs"), STARTER);
    // The snapshots are the starter's artifacts under the crate's name, in insta's format.
    let template = file(
        &files,
        "snapshots/cloudformation__dev__network.template.json.snap",
    );
    assert!(
        template.starts_with("---\nsource: tests/snapshots.rs\n---\n{\n"),
        "{template}"
    );
    assert!(template.contains("\"Value\": \"demo-infra\""), "{template}");
    assert!(template.ends_with("}\n"));
    let version = files_with(&Dependency::Version("0.1".into()));
    assert!(file(&version, "Cargo.toml").contains("stackwright = \"0.1\"\n"));
}

fn files_with(dependency: &Dependency) -> Vec<File> {
    files("demo-infra", dependency).unwrap()
}

#[test]
fn names_must_be_valid_app_names() {
    for bad in [
        "Demo",
        "demo_infra",
        "1demo",
        "",
        "test",
        "std",
        "proc-macro",
        "fn",
        "deps",
    ] {
        let error = files(bad, &Dependency::Version("0.1".into())).unwrap_err();
        assert!(
            error.starts_with(&format!("invalid crate name `{bad}`")),
            "{error}"
        );
    }
}

#[test]
fn create_writes_a_new_directory_with_a_relative_path_and_refuses_a_non_empty_one() {
    let scratch = tempfile::tempdir().unwrap();
    let facade = scratch.path().join("checkout/crates/stackwright");
    std::fs::create_dir_all(&facade).unwrap();
    std::fs::write(facade.join("Cargo.toml"), "[package]\n").unwrap();
    let dir = scratch.path().join("work/infra/demo-infra");
    let written = create(&dir, &Source::Path(facade.clone())).unwrap();
    assert_eq!(written.len(), 9);
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("stackwright = { path = \"../../../checkout/crates/stackwright\" }"),
        "{manifest}"
    );
    assert!(dir.join("snapshots/manifest.json.snap").is_file());
    // Nothing is left beside the new crate (the writer's lock goes with the write).
    let beside: Vec<_> = std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, ["demo-infra"], "{beside:?}");

    let error = create(&dir, &Source::Path(facade)).unwrap_err();
    assert!(
        error.ends_with("exists and is not empty: expected a new or empty directory"),
        "{error}"
    );
    let error = create(
        &scratch.path().join("other"),
        &Source::Path(scratch.path().join("nowhere")),
    )
    .unwrap_err();
    assert!(
        error.starts_with("cannot find the stackwright crate at"),
        "{error}"
    );
    assert!(!scratch.path().join("other").exists());
}
