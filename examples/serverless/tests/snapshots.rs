//! Every artifact of the example, byte for byte, as an insta snapshot under the top-level `snapshots/`.

#[test]
fn every_artifact_matches_its_snapshot_and_none_is_orphaned() {
    stackwright_testing::assert_artifact_snapshots!(
        serverless::app(),
        "../../snapshots/serverless"
    );
}
