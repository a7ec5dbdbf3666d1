//! IPv4 CIDR blocks, parsed strictly so that a typo is an error at synth time, not at deploy time.

use std::fmt;
use std::net::Ipv4Addr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Cidr {
    pub address: Ipv4Addr,
    pub prefix: u8,
}

impl Ipv4Cidr {
    /// Parses `a.b.c.d/n`; host bits must be zero (AWS rejects `10.0.0.1/16` for a VPC).
    pub fn parse(text: &str) -> Result<Self, String> {
        let expected = "expected an IPv4 CIDR block like `10.0.0.0/16`";
        let (address, prefix) = text
            .split_once('/')
            .ok_or_else(|| format!("invalid CIDR block `{text}`: {expected}"))?;
        let address: Ipv4Addr = address
            .parse()
            .map_err(|_| format!("invalid CIDR block `{text}`: {expected}"))?;
        let prefix: u8 = prefix.parse().ok().filter(|p| *p <= 32).ok_or_else(|| {
            format!("invalid CIDR block `{text}`: expected a prefix length from 0 to 32")
        })?;
        let cidr = Ipv4Cidr { address, prefix };
        if cidr.network() != address {
            return Err(format!(
                "invalid CIDR block `{text}`: host bits are set; expected `{}/{prefix}`",
                cidr.network()
            ));
        }
        Ok(cidr)
    }

    fn mask(&self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - self.prefix)
        }
    }

    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.address) & self.mask())
    }

    /// Whether `inner` lies entirely inside this block.
    pub fn contains(&self, inner: &Ipv4Cidr) -> bool {
        inner.prefix >= self.prefix
            && (u32::from(inner.address) & self.mask()) == u32::from(self.network())
    }

    /// Whether the two blocks share an address: two CIDR blocks overlap exactly when one contains the
    /// other.
    pub fn overlaps(&self, other: &Ipv4Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// The number of addresses in the block (2^(32 - prefix)).
    pub fn size(&self) -> u64 {
        1u64 << (32 - u32::from(self.prefix))
    }

    /// The block numbered `netnum` among those `newbits` bits longer inside this one, as Terraform's
    /// `cidrsubnet(prefix, newbits, netnum)` computes it: `10.1.0.0/16` split by 8 bits, number 2, is
    /// `10.1.2.0/24`. Fails, with Terraform's reasons, when the prefix would pass /32 or `netnum` does
    /// not fit in `newbits` bits.
    pub fn subnet(&self, newbits: u8, netnum: u64) -> Result<Ipv4Cidr, String> {
        let prefix = u32::from(self.prefix) + u32::from(newbits);
        if prefix > 32 {
            return Err(format!(
                "cannot split `{self}` by {newbits} bits: insufficient address space to extend a /{} \
                 prefix by {newbits} bits; expected at most {} new bits",
                self.prefix,
                32 - self.prefix
            ));
        }
        let count = 1u64 << newbits;
        if netnum >= count {
            return Err(format!(
                "cannot take block number {netnum} of `{self}` split by {newbits} bits: a prefix \
                 extension of {newbits} bits does not accommodate a block numbered {netnum}; expected \
                 a number from 0 to {}",
                count - 1
            ));
        }
        // `netnum < 2^newbits` and `prefix <= 32`, so the shifted number fits in the host bits.
        let offset = (netnum << (32 - prefix)) as u32;
        Ok(Ipv4Cidr {
            address: Ipv4Addr::from(u32::from(self.network()) | offset),
            prefix: prefix as u8,
        })
    }

    /// The first and last address of the block, as numbers.
    fn range(&self) -> (u32, u32) {
        let start = u32::from(self.network());
        (start, start | !self.mask())
    }
}

/// The overlapping pairs among `blocks`, as indices `(outer, inner)`: `inner` lies inside `outer` (two
/// CIDR blocks overlap only that way). Each block that lies inside an earlier-starting or larger one is
/// reported once, against the largest block holding it; O(n log n), so that a plan of many subnets is
/// checked in one sort rather than pair by pair.
pub fn overlaps(blocks: &[Ipv4Cidr]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    // By first address, and the larger block first among blocks starting at the same address.
    order.sort_by_key(|&i| (blocks[i].range().0, blocks[i].prefix, i));
    let mut found = Vec::new();
    let mut widest: Option<usize> = None;
    for i in order {
        match widest {
            Some(outer) if blocks[i].range().0 <= blocks[outer].range().1 => found.push((outer, i)),
            _ => widest = Some(i),
        }
    }
    found.sort_unstable_by_key(|&(_, inner)| inner);
    found
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

/// Parses a CIDR block for a VPC or subnet, whose prefix AWS limits to /16 through /28.
pub(crate) fn parse_network_block(what: &str, text: &str) -> Result<Ipv4Cidr, String> {
    let cidr = Ipv4Cidr::parse(text).map_err(|e| format!("{what}: {e}"))?;
    if !(16..=28).contains(&cidr.prefix) {
        return Err(format!(
            "{what}: CIDR block `{text}` has prefix /{}; expected a prefix from /16 to /28",
            cidr.prefix
        ));
    }
    Ok(cidr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_contain() {
        let vpc = Ipv4Cidr::parse("10.0.0.0/16").unwrap();
        assert!(vpc.contains(&Ipv4Cidr::parse("10.0.1.0/24").unwrap()));
        assert!(!vpc.contains(&Ipv4Cidr::parse("10.1.0.0/24").unwrap()));
        assert!(!vpc.contains(&Ipv4Cidr::parse("10.0.0.0/8").unwrap()));
        assert!(Ipv4Cidr::parse("0.0.0.0/0").is_ok());
        for bad in [
            "10.0.0.0",
            "10.0.0.0/33",
            "10.0.0/16",
            "10.0.0.1/16",
            "x/1",
            "10.0.0.0/-1",
        ] {
            assert!(Ipv4Cidr::parse(bad).is_err(), "{bad}");
        }
        assert!(parse_network_block("vpc", "10.0.0.0/8").is_err());
    }

    fn cidrsubnet(prefix: &str, newbits: u8, netnum: u64) -> Result<String, String> {
        let block = Ipv4Cidr::parse(prefix)?;
        block.subnet(newbits, netnum).map(|b| b.to_string())
    }

    /// Terraform's documented examples of `cidrsubnet` (functions/cidrsubnet), the form the VPC module's
    /// users write (`cidrsubnet(local.vpc_cidr, 8, k + 3)`), and results of `terraform console` (1.11).
    #[test]
    fn subnet_splits_as_terraform_cidrsubnet() {
        for (prefix, newbits, netnum, expected) in [
            ("172.16.0.0/12", 4, 2, "172.18.0.0/16"),
            ("10.1.2.0/24", 4, 15, "10.1.2.240/28"),
            ("10.1.0.0/16", 8, 2, "10.1.2.0/24"),
            ("10.0.0.0/8", 8, 2, "10.2.0.0/16"),
            ("10.0.0.0/16", 4, 2, "10.0.32.0/20"),
            ("10.0.0.0/16", 8, 48, "10.0.48.0/24"),
            ("10.0.0.0/16", 0, 0, "10.0.0.0/16"),
            ("0.0.0.0/0", 32, 4_294_967_295, "255.255.255.255/32"),
            ("192.168.0.0/24", 3, 5, "192.168.0.160/27"),
        ] {
            assert_eq!(
                cidrsubnet(prefix, newbits, netnum).as_deref(),
                Ok(expected),
                "cidrsubnet(\"{prefix}\", {newbits}, {netnum})"
            );
        }
    }

    #[test]
    fn subnet_refuses_what_terraform_refuses() {
        let too_long = cidrsubnet("10.0.0.0/30", 3, 0).unwrap_err();
        assert!(
            too_long.contains("insufficient address space") && too_long.contains("at most 2"),
            "{too_long}"
        );
        let too_big = cidrsubnet("10.0.0.0/16", 8, 256).unwrap_err();
        assert!(
            too_big.contains("does not accommodate a block numbered 256")
                && too_big.contains("from 0 to 255"),
            "{too_big}"
        );
        assert!(cidrsubnet("10.0.0.0/16", 0, 1).is_err());
    }

    #[test]
    fn overlaps_are_found_once_each() {
        let blocks: Vec<Ipv4Cidr> = [
            "10.0.1.0/24",
            "10.0.0.0/16",
            "10.1.0.0/24",
            "10.0.1.128/25",
            "10.1.1.0/24",
            "10.1.0.0/24",
        ]
        .iter()
        .map(|b| Ipv4Cidr::parse(b).unwrap())
        .collect();
        assert_eq!(overlaps(&blocks), [(1, 0), (1, 3), (2, 5)]);
        assert!(blocks[1].overlaps(&blocks[3]) && blocks[3].overlaps(&blocks[1]));
        assert!(!blocks[2].overlaps(&blocks[4]));
        assert!(overlaps(&blocks[2..3]).is_empty());
        assert_eq!(blocks[1].size(), 65_536);
    }
}
