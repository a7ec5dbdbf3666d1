//! The region's availability zones: `Fn::Select` over `Fn::GetAZs` of the stack's own region.

use serde_json::{json, Value as Json};

/// `{"Fn::Select": [i, {"Fn::GetAZs": ""}]}` for attribute `zone_<i>`; `""` is the stack's region.
pub(super) fn select(attr: &str) -> Result<Json, String> {
    let index = stackwright_aws::ec2::zone_index(attr)?;
    Ok(json!({ "Fn::Select": [index, { "Fn::GetAZs": "" }] }))
}
