//! Every artifact of the example, byte for byte, as an insta snapshot under the top-level `snapshots/`.

#[test]
fn every_artifact_matches_its_snapshot_and_none_is_orphaned() {
    stackwright_testing::assert_artifact_snapshots!(web_app::app(), "../../snapshots/web-app");
}

/// The variant whose network is the network construct's: its own snapshots.
#[test]
fn the_vpc_network_variant_matches_its_snapshots() {
    stackwright_testing::assert_artifact_snapshots!(
        web_app::vpc_network_app(),
        "../../snapshots/web-app-vpc-network"
    );
}
