//! The availability zones of the environment's region, read at deploy time, so that a definition needs
//! no zone names per environment.

use crate::{kinds, Handle};
use stackwright_core::{AttrRef, Declare, Expr, Resource, ResourceRef, Stack};

/// Neutral attribute names of the zones, by index: targets map `zone_<i>` to their own selection.
pub const ZONE_ATTRIBUTES: [&str; 8] = [
    "zone_0", "zone_1", "zone_2", "zone_3", "zone_4", "zone_5", "zone_6", "zone_7",
];

/// The index of zone attribute `attr` (`zone_<i>`), or the problem both targets report for an index
/// out of range.
pub fn zone_index(attr: &str) -> Result<usize, String> {
    ZONE_ATTRIBUTES
        .iter()
        .position(|a| *a == attr)
        .ok_or_else(|| {
            format!(
                "availability zone index out of range: expected 0 to {}",
                ZONE_ATTRIBUTES.len() - 1
            )
        })
}

/// The id every stack gives its zone lookup.
const ID: &str = "AvailabilityZones";

/// The zones of the region that are available to the account, in the order AWS lists them
/// (CloudFormation `Fn::GetAZs`; Terraform `data.aws_availability_zones` with `state = "available"`).
/// Declare it with [`StackExt::availability_zones`].
struct AvailabilityZones;

impl Declare for AvailabilityZones {
    type Handle = AvailabilityZonesHandle;
    #[track_caller]
    fn declare(self, at: ResourceRef) -> (Resource, AvailabilityZonesHandle) {
        (
            Resource::new(ID, kinds::AVAILABILITY_ZONES),
            AvailabilityZonesHandle { handle: Handle(at) },
        )
    }
}

/// The region's availability zones; [`AvailabilityZonesHandle::name`] is one of them.
#[derive(Clone, Copy, Debug)]
pub struct AvailabilityZonesHandle {
    handle: Handle,
}

impl AvailabilityZonesHandle {
    /// The name of the `index`-th zone (0-based, e.g. `eu-west-1a` for 0 in most accounts), for
    /// `Subnet::availability_zone` and the like. At most 8 (a region has 2 or more zones available to an
    /// account, how many is not known at synthesis; deploying with an index the region lacks fails). An
    /// index of 8 or more is reported by the targets.
    pub fn name(&self, index: usize) -> Expr {
        let attr = ZONE_ATTRIBUTES
            .get(index)
            .copied()
            .unwrap_or("zone_out_of_range");
        Expr::Attr(AttrRef {
            resource: self.handle.0,
            attr,
        })
    }

    /// The first `count` zone names.
    pub fn names(&self, count: usize) -> Vec<Expr> {
        (0..count).map(|i| self.name(i)).collect()
    }
}

/// Adds [`StackExt::availability_zones`] to [`Stack`].
pub trait StackExt {
    /// The availability zones of the stack's region, read at deploy time; declared once per stack
    /// (as `AvailabilityZones`), later calls return the same handle.
    fn availability_zones(&mut self) -> AvailabilityZonesHandle;
}

impl StackExt for Stack {
    fn availability_zones(&mut self) -> AvailabilityZonesHandle {
        let existing = self
            .resources()
            .iter()
            .position(|r| r.kind == kinds::AVAILABILITY_ZONES);
        match existing {
            Some(index) => AvailabilityZonesHandle {
                handle: Handle(ResourceRef {
                    scope: self.scope(),
                    index: index as u32,
                }),
            },
            None => self.add(AvailabilityZones),
        }
    }
}
