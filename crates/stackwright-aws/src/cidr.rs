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
}
