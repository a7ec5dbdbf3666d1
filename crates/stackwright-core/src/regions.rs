//! AWS regions and their partitions.

mod generated {
    include!("regions_generated.rs");
}

pub use generated::REGIONS;

pub fn is_known(region: &str) -> bool {
    REGIONS.binary_search(&region).is_ok()
}

/// The partition a region belongs to (`aws`, `aws-cn`, `aws-us-gov`, ...), as used in ARNs.
pub fn partition(region: &str) -> &'static str {
    match region {
        r if r.starts_with("cn-") => "aws-cn",
        r if r.starts_with("us-gov-") => "aws-us-gov",
        r if r.starts_with("us-isob-") => "aws-iso-b",
        r if r.starts_with("us-isof-") => "aws-iso-f",
        r if r.starts_with("us-iso-") => "aws-iso",
        r if r.starts_with("eu-isoe-") => "aws-iso-e",
        r if r.starts_with("eusc-") => "aws-eusc",
        _ => "aws",
    }
}

/// The DNS suffix of the partition a region belongs to, as CloudFormation's `AWS::URLSuffix` and
/// Terraform's `aws_partition.dns_suffix` give it: `amazonaws.com`, `amazonaws.com.cn` in China, ...
pub fn dns_suffix(region: &str) -> &'static str {
    match partition(region) {
        "aws-cn" => "amazonaws.com.cn",
        "aws-iso" => "c2s.ic.gov",
        "aws-iso-b" => "sc2s.sgov.gov",
        "aws-iso-e" => "cloud.adc-e.uk",
        "aws-iso-f" => "csp.hci.ic.gov",
        "aws-eusc" => "amazonaws.eu",
        _ => "amazonaws.com",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_regions() {
        assert!(super::is_known("us-west-2"));
        assert!(super::is_known("eu-central-1"));
        assert!(!super::is_known("us-west-9"));
        assert!(
            super::REGIONS.windows(2).all(|w| w[0] < w[1]),
            "sorted for binary search"
        );
        assert_eq!(super::partition("cn-north-1"), "aws-cn");
        assert_eq!(super::dns_suffix("cn-north-1"), "amazonaws.com.cn");
        assert_eq!(super::dns_suffix("us-gov-west-1"), "amazonaws.com");
        assert_eq!(super::dns_suffix("eu-west-1"), "amazonaws.com");
    }
}
