//! The ids `.accept_finding(id, reason)` takes: checkov's checks (`CKV_AWS_130`), which the artifacts
//! carry as documented skips, and Stackwright's own target parity warnings (`SW_PARITY_*`), which synth and
//! `plan` give where the definition gives something to one target only while the other target's stack
//! exists. One mechanism for both: a finding the user accepts, with the reason a reviewer reads.

/// A one-target override of a property (`override_cloudformation`/`override_terraform`, or a removal)
/// while the other target's stack exists.
pub const PARITY_OVERRIDE: &str = "SW_PARITY_OVERRIDE";
/// CloudFormation's `UpdatePolicy` given by override: Terraform has no rolling update of it.
pub const PARITY_UPDATE_POLICY: &str = "SW_PARITY_UPDATE_POLICY";
/// CloudFormation's `CreationPolicy` given by override: Terraform waits for no signal.
pub const PARITY_CREATION_POLICY: &str = "SW_PARITY_CREATION_POLICY";
/// CloudFormation's `Metadata` given by override (cfn-init's configuration): Terraform has none.
pub const PARITY_METADATA: &str = "SW_PARITY_METADATA";
/// An order (`DependsOn`, `depends_on`) given to one target only by override.
pub const PARITY_DEPENDS_ON: &str = "SW_PARITY_DEPENDS_ON";
/// A registry type lowered to Terraform as Cloud Control's `awscc_*` resource, which the checks here
/// cannot judge.
pub const PARITY_AWSCC: &str = "SW_PARITY_AWSCC";

/// Every target parity warning id.
pub const PARITY: [&str; 6] = [
    PARITY_OVERRIDE,
    PARITY_UPDATE_POLICY,
    PARITY_CREATION_POLICY,
    PARITY_METADATA,
    PARITY_DEPENDS_ON,
    PARITY_AWSCC,
];

/// Whether `id` names a checkov check (which the artifacts carry as a skip), not a parity warning.
pub fn is_checkov(id: &str) -> bool {
    !PARITY.contains(&id)
}

/// The problems with an accepted finding: an id that is neither a checkov check id nor a parity warning
/// id, an empty reason.
pub fn problems(id: &str, reason: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let checkov = id.starts_with("CKV")
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !checkov && !PARITY.contains(&id) {
        problems.push(format!(
            "accepted finding `{id}`: expected a checkov check id like `CKV_AWS_130`, or a target parity \
             warning id ({})",
            PARITY.join(", ")
        ));
    }
    if reason.trim().is_empty() {
        problems.push(format!(
            "accepted finding `{id}` has no reason: say why the risk is acceptable"
        ));
    }
    problems
}
