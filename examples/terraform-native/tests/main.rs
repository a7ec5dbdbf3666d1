//! The example's module byte for byte (an insta snapshot under the top-level `snapshots/`), and that the
//! Terraform-only app refuses CloudFormation at its declaration.

use stackwright::synth::{synthesize, Request, Target};

/// The app declares Terraform only: the default request synthesizes its module and nothing else.
#[test]
fn the_module_matches_its_snapshot_and_none_is_orphaned() {
    let app = terraform_native::app();
    let synthesis = stackwright_testing::synthesis(&app);
    assert!(
        synthesis
            .artifacts
            .iter()
            .all(|a| a.target == Target::Terraform),
        "a Terraform-only app produced another target's artifact"
    );
    stackwright_testing::assert_modules_written_as_trees(&app, &synthesis);
    stackwright_testing::assert_artifact_snapshots!(app, "../../snapshots/terraform-native");
}

/// CloudFormation asked for explicitly is refused at the app's declaration (the hashicorp/aws builders
/// have no CloudFormation form; `stackwright-aws-terraform`'s tests refuse them one by one).
#[test]
fn cloudformation_is_refused_at_the_declaration() {
    let app = terraform_native::app();
    let request = Request {
        targets: vec![Target::CloudFormation],
        ..Request::default()
    };
    let Err(problems) = synthesize(&app, &request) else {
        panic!("a Terraform-only app synthesized for CloudFormation");
    };
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let text = &problems[0].message;
    assert!(
        text.contains("`--target cloudformation` selects no stack")
            && text.contains("examples/terraform-native/src/lib.rs"),
        "{text}"
    );
}
