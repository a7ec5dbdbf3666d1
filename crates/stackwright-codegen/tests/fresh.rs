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
