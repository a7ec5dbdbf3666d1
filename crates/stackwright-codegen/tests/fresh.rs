//! The committed generated crate is what the generator produces now from the vendored inputs.

#[test]
fn committed_generated_code_is_fresh() {
    let root = stackwright_codegen::repository_root();
    let inputs = stackwright_codegen::read_inputs(&root).expect("vendored inputs");
    let output = stackwright_codegen::generate(&inputs).expect("generator");
    let stale = stackwright_codegen::stale_files(&root, &output);
    assert!(
        stale.is_empty(),
        "generated code is stale; run `cargo xtask codegen`:\n{}",
        stale.join("\n")
    );
    // Every registry type is generated; the figures the README reports come from here.
    assert_eq!(output.stats.types, 1884);
    assert!(output.stats.with_terraform > 1600, "{:?}", output.stats);
}

/// The registry's type list that synth checks raw types against (`stackwright-schema`'s
/// `data/names/cloudformation-types.txt`, by `scripts/vendor-type-names.py`) names exactly the types of the
/// generator's vendored registry schemas: the same input, vendored by two scripts.
#[test]
fn registry_type_list_matches_the_vendored_schemas() {
    let root = stackwright_codegen::repository_root();
    let inputs = stackwright_codegen::read_inputs(&root).expect("vendored inputs");
    let vendored: Vec<String> = inputs
        .registry
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let schema: serde_json::Value = serde_json::from_str(l).expect("a registry schema");
            schema["typeName"].as_str().expect("typeName").to_owned()
        })
        .collect();
    let list = std::fs::read_to_string(
        root.join("crates/stackwright-schema/data/names/cloudformation-types.txt"),
    )
    .expect("the registry type list");
    let listed: Vec<&str> = list.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        listed, vendored,
        "rerun scripts/vendor-registry.py and scripts/vendor-type-names.py from the same ../shared"
    );
}

/// The committed hashicorp/aws builders (`crates/stackwright-aws-terraform`), the force-new table of
/// `stackwright-schema` and the facade's `tf-<service>` features are what the generator produces now from the
/// vendored provider schema.
#[test]
fn committed_hashicorp_aws_builders_are_fresh() {
    use stackwright_codegen::aws_terraform;
    let root = stackwright_codegen::repository_root();
    let inputs = aws_terraform::read_inputs(&root).expect("vendored inputs");
    let output = aws_terraform::generate(&inputs).expect("generator");
    let stale = aws_terraform::stale_files(&root, &output);
    assert!(
        stale.is_empty(),
        "generated code is stale; run `cargo xtask codegen`:\n{}",
        stale.join("\n")
    );
    // Every resource and data source of the pinned provider; the figures the README reports come from here.
    assert_eq!(
        (output.stats.resources, output.stats.data_sources),
        (1526, 608)
    );
}
