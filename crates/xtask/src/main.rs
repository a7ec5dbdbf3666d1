//! `cargo xtask codegen [--check]`: regenerates the typed builders of every registry type and of every
//! hashicorp/aws resource and data source from the vendored schemas (or, with `--check`, fails when the
//! committed files differ). A workspace member outside the
//! default members, so that `cargo run` at the root still finds one binary.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["codegen"] => false,
        ["codegen", "--check"] => true,
        _ => {
            eprintln!("usage: cargo xtask codegen [--check]");
            return ExitCode::from(2);
        }
    };
    let root = stackwright_codegen::repository_root();
    let result = stackwright_codegen::read_inputs(&root)
        .and_then(|inputs| stackwright_codegen::generate(&inputs));
    let output = match result {
        Ok(output) => output,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    use stackwright_codegen::aws_terraform;
    let terraform =
        match aws_terraform::read_inputs(&root).and_then(|i| aws_terraform::generate(&i)) {
            Ok(output) => output,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
    let s = &output.stats;
    if check {
        let mut stale = stackwright_codegen::stale_files(&root, &output);
        stale.extend(aws_terraform::stale_files(&root, &terraform));
        if !stale.is_empty() {
            eprintln!("error: generated code is stale; run `cargo xtask codegen`:");
            stale.iter().for_each(|s| eprintln!("  {s}"));
            return ExitCode::FAILURE;
        }
    } else if let Err(e) = stackwright_codegen::write(&root, &output)
        .and_then(|()| aws_terraform::write(&root, &terraform))
    {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let bytes: usize = output.files.values().map(String::len).sum();
    let awscc_bytes: usize = output
        .files
        .iter()
        .filter(|(path, _)| path.ends_with(".awscc.jsonl"))
        .map(|(_, text)| text.len())
        .sum();
    println!(
        "{} registry types in {} services, {} with an awscc Terraform resource; {} properties without an awscc attribute; {} JSON-object properties in {} types renamed for awscc; {} files, {bytes} bytes ({awscc_bytes} of awscc schemas)",
        s.types,
        s.services,
        s.with_terraform,
        s.unmapped_properties,
        s.json_object_properties,
        s.json_object_types,
        output.files.len()
    );
    let t = &terraform.stats;
    let rust: usize = terraform
        .files
        .iter()
        .filter(|(path, _)| path.ends_with(".rs"))
        .map(|(_, text)| text.len())
        .sum();
    let schemas: usize = terraform
        .files
        .iter()
        .filter(|(path, _)| path.ends_with(".schemas.jsonl"))
        .map(|(_, text)| text.len())
        .sum();
    println!(
        "{}: {} resources and {} data sources in {} services, {} stateful; {} nested block structs ({} shared); {} files, {rust} bytes of Rust, {schemas} bytes of schemas",
        aws_terraform::PROVIDER,
        t.resources,
        t.data_sources,
        t.services,
        t.stateful,
        t.structs,
        t.shared_structs,
        terraform.files.len()
    );
    ExitCode::SUCCESS
}
