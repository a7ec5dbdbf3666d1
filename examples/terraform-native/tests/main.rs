//! The example's module byte for byte (an insta snapshot under the top-level `snapshots/`), and that the
//! hashicorp/aws builders refuse CloudFormation at each declaration.

use stackwright::synth::{synthesize, Request, Target};

/// Terraform only.
// TODO(lead): once the app declares `.targets([Target::Terraform])`, this is
// `stackwright_testing::assert_artifact_snapshots!(terraform_native::app(), "../../snapshots/terraform-native")`.
fn terraform() -> Request {
    Request {
        targets: vec![Target::Terraform],
        ..Request::default()
    }
}

#[test]
fn the_module_matches_its_snapshot_and_none_is_orphaned() {
    let app = terraform_native::app();
    let synthesis =
        synthesize(&app, &terraform()).unwrap_or_else(|p| panic!("synthesis failed: {p:#?}"));
    stackwright_testing::assert_modules_written_as_trees(&app, &synthesis);
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../snapshots/terraform-native");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(&dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (path, bytes) in stackwright_testing::snapshot_files(&synthesis) {
            let text = std::str::from_utf8(bytes).expect("artifacts are UTF-8");
            insta::assert_snapshot!(stackwright_testing::snapshot_name(path), text);
        }
    });
    let orphans = stackwright_testing::orphan_snapshots(&synthesis, &dir);
    assert!(
        orphans.is_empty(),
        "snapshots without an artifact (delete them): {orphans:?}"
    );
}

#[test]
fn cloudformation_is_refused_at_each_hashicorp_builder() {
    let app = terraform_native::app();
    let request = Request {
        targets: vec![Target::CloudFormation],
        ..Request::default()
    };
    let Err(problems) = synthesize(&app, &request) else {
        panic!("a module of hashicorp/aws builders synthesized for CloudFormation");
    };
    let text = format!("{problems:#?}");
    for resource in ["Network", "Handler", "Http", "Jobs", "Sqs"] {
        assert!(
            text.contains(&format!("`{resource}`")),
            "no problem names `{resource}`:\n{text}"
        );
    }
    assert!(
        text.contains("examples/terraform-native/src/lib.rs"),
        "{text}"
    );
}
