//! The addresses the proxy never connects to, and the DNS resolver that enforces it.
//!
//! The check runs on the resolved address and the upstream client connects to exactly the addresses
//! the check passed (the resolver hands them to the connector), so a DNS answer that changes between
//! a check and a connect (rebinding) cannot slip a private address in.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::dns::Name;
use ipnet::IpNet;

/// Loopback, private, link-local, CGNAT, cloud metadata, documentation, multicast and reserved ranges.
const DEFAULT_FORBIDDEN: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "::/128",
    "::1/128",
    "100::/64",
    "2001:db8::/32",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
];

/// The set of forbidden networks.
#[derive(Debug, Clone)]
pub struct ForbiddenRanges(Arc<Vec<IpNet>>);

impl ForbiddenRanges {
    /// The built-in ranges.
    pub fn defaults() -> Self {
        Self::new(
            DEFAULT_FORBIDDEN
                .iter()
                .filter_map(|net| net.parse().ok())
                .collect(),
        )
    }

    pub fn new(nets: Vec<IpNet>) -> Self {
        ForbiddenRanges(Arc::new(nets))
    }

    /// Whether `ip` lies in a forbidden range. IPv4 addresses wrapped in IPv6 (mapped `::ffff:a.b.c.d`,
    /// NAT64 `64:ff9b::a.b.c.d`) are judged by the IPv4 address they carry.
    pub fn forbids(&self, ip: IpAddr) -> bool {
        let ip = embedded_v4(ip).unwrap_or(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }
}

fn embedded_v4(ip: IpAddr) -> Option<IpAddr> {
    let IpAddr::V6(v6) = ip else { return None };
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(IpAddr::V4(v4));
    }
    let seg = v6.segments();
    (seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0]).then(|| {
        let [a, b] = seg[6].to_be_bytes();
        let [c, d] = seg[7].to_be_bytes();
        IpAddr::from([a, b, c, d])
    })
}

/// A host name that resolved to a forbidden address; found again in the client's error chain.
#[derive(Debug, Clone)]
pub struct ForbiddenAddress {
    pub host: String,
    pub ip: IpAddr,
}

impl fmt::Display for ForbiddenAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} resolves to the forbidden address {}", self.host, self.ip)
    }
}

impl Error for ForbiddenAddress {}

/// The client's resolver: system DNS, then every answer checked. One forbidden answer refuses the
/// name: a host that resolves to both a public and a private address is not one to trust.
#[derive(Debug, Clone)]
pub struct CheckingResolver {
    pub forbidden: ForbiddenRanges,
}

/// The error a resolution ends with: kept boxed so the connector's error chain reaches the
/// `ForbiddenAddress` itself (an `io::Error` wrapper would hide it from `source()`).
type ResolveError = Box<dyn Error + Send + Sync>;

impl tower_service::Service<Name> for CheckingResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = ResolveError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, ResolveError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), ResolveError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let forbidden = self.forbidden.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(bad) = addrs.iter().find(|addr| forbidden.forbids(addr.ip())) {
                return Err(Box::new(ForbiddenAddress { host, ip: bad.ip() }) as ResolveError);
            }
            Ok(addrs.into_iter())
        })
    }
}

/// The `ForbiddenAddress` somewhere in an error's source chain, if the resolver refused.
pub fn find_forbidden(error: &(dyn Error + 'static)) -> Option<ForbiddenAddress> {
    let mut current = Some(error);
    while let Some(err) = current {
        if let Some(found) = err.downcast_ref::<ForbiddenAddress>() {
            return Some(found.clone());
        }
        current = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn defaults_forbid_internal_networks_and_metadata() {
        let ranges = ForbiddenRanges::defaults();
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.100.100.200",
        ] {
            assert!(ranges.forbids(ip(bad)), "{bad}");
        }
        for bad in [
            "::1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(ranges.forbids(ip(bad)), "{bad}");
        }
    }

    #[test]
    fn defaults_let_public_addresses_through() {
        let ranges = ForbiddenRanges::defaults();
        for good in ["1.1.1.1", "44.205.64.79", "2606:4700::6810:85e5"] {
            assert!(!ranges.forbids(ip(good)), "{good}");
        }
    }

    #[test]
    fn configured_ranges_replace_the_defaults() {
        let ranges = ForbiddenRanges::new(vec!["127.0.0.3/32".parse().unwrap()]);
        assert!(ranges.forbids(ip("127.0.0.3")));
        assert!(!ranges.forbids(ip("127.0.0.1")));
    }
}
