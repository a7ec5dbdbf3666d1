//! The availability zones a resource is placed in, checked against the environment's region: a zone name
//! of another region fails only at deploy.

use stackwright_aws::construct;
use stackwright_core::{Expr, Resource};

/// Whether `zone` (a literal availability zone name) belongs to `region`: `<region><letter>` for a
/// regular zone (`eu-west-1a`), `<region>-<...>` for Local and Wavelength Zones (`us-west-2-lax-1a`).
pub fn zone_in_region(zone: &str, region: &str) -> bool {
    zone.strip_prefix(region).is_some_and(|rest| {
        let mut chars = rest.chars();
        match chars.next() {
            Some(c) if c.is_ascii_lowercase() => chars.as_str().is_empty(),
            Some('-') => !chars.as_str().is_empty(),
            _ => false,
        }
    })
}

/// Problems with the literal zone names a resource is placed in, in an environment of `region`: those its
/// builder recorded (`construct::add_availability_zone`). Targets report them at the resource's line.
pub fn problems(resource: &Resource, region: &str) -> Vec<String> {
    construct::availability_zones(resource)
        .filter_map(Expr::as_literal)
        .filter(|zone| !zone_in_region(zone, region))
        .map(|zone| {
            format!(
                "availability zone `{zone}` is not in the environment's region `{region}`: expected a \
                 zone of that region (e.g. `{region}a`), or `stack.availability_zones().name(0)`"
            )
        })
        .collect()
}

/// [`problems`] of the stack's resource `index` (of `resources`), less those an earlier resource declared
/// at the same line already has: a construct that places several resources in one zone (a network's
/// subnets of each tier) reports a wrong zone once, on the first of them.
pub fn problems_in_stack(resources: &[Resource], index: usize, region: &str) -> Vec<String> {
    let resource = &resources[index];
    let mut found = problems(resource, region);
    found.retain(|problem| {
        // Backwards: in a run of resources at one line, the one before already has it.
        !resources[..index]
            .iter()
            .rev()
            .filter(|earlier| earlier.location == resource.location)
            .any(|earlier| problems(earlier, region).contains(problem))
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_belong_to_their_region() {
        assert!(zone_in_region("eu-west-1a", "eu-west-1"));
        assert!(zone_in_region("us-west-2-lax-1a", "us-west-2"));
        assert!(!zone_in_region("us-west-2a", "eu-central-1"));
        assert!(!zone_in_region("eu-west-1", "eu-west-1"));
        assert!(!zone_in_region("eu-west-12a", "eu-west-1"));
        assert!(!zone_in_region("eu-west-1ab", "eu-west-1"));
    }

    #[test]
    fn recorded_zones_of_another_region_are_problems() {
        let mut resource = Resource::new("Disk", "aws.test.Kind");
        construct::add_availability_zone(&mut resource, Expr::from("eu-west-1a"));
        construct::add_availability_zone(&mut resource, Expr::from("us-east-1a"));
        let problems = problems(&resource, "eu-west-1");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("`us-east-1a` is not in the environment's region `eu-west-1`"));
    }
}
