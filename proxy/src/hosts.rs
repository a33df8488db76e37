//! Host rules as the operator writes them on the command line: `HOST`, `HOST:PORT` or `*.SUFFIX`.
//!
//! A rule without a port matches the host on any port; a rule with a port matches only that port,
//! and only such an exact rule lifts the forbidden-address check (the operator named that very
//! endpoint, so reaching it is meant, not smuggled in through a redirect or a DNS answer).

use std::fmt;
use std::str::FromStr;

use url::Url;

/// One `HOST[:PORT]` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRule {
    host: HostPattern,
    port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    /// The host exactly, lower case (an IPv6 literal keeps its brackets, as URLs write it).
    Exact(String),
    /// `*.pkg.dev`: any host ending in `.pkg.dev`, not `pkg.dev` itself.
    Suffix(String),
}

/// Why a `HOST[:PORT]` argument was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRuleError(String);

impl fmt::Display for HostRuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HostRuleError {}

impl FromStr for HostRule {
    type Err = HostRuleError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| HostRuleError(format!("'{text}' is not HOST[:PORT]: {why}"));
        if text.contains("://") || text.contains('/') {
            return Err(bad(
                "give the host without a scheme or path, e.g. registry.example:5000",
            ));
        }
        let lower = text.trim().to_ascii_lowercase();
        let (host, port) = split_port(&lower).ok_or_else(|| bad("the port must be a number 1-65535"))?;
        if host.is_empty() {
            return Err(bad("the host is empty"));
        }
        let pattern = match host.strip_prefix("*.") {
            Some(suffix) if !suffix.is_empty() && !suffix.contains('*') => HostPattern::Suffix(suffix.into()),
            _ if host.contains('*') => return Err(bad("a wildcard is only allowed as a leading '*.'")),
            _ => {
                // Normalise through the URL parser so the rule compares equal to what `Url` yields.
                let url = Url::parse(&format!("http://{host}/")).map_err(|_| bad("not a valid host name"))?;
                HostPattern::Exact(url.host_str().unwrap_or_default().to_string())
            }
        };
        Ok(HostRule { host: pattern, port })
    }
}

/// Splits `host:port`, `[v6]:port`, `[v6]` and `host`; `None` when a port is present but invalid.
fn split_port(text: &str) -> Option<(&str, Option<u16>)> {
    if text.starts_with('[') {
        let end = text.find(']')?;
        let rest = &text[end + 1..];
        return match rest.strip_prefix(':') {
            Some(port) => Some((&text[..=end], Some(parse_port(port)?))),
            None if rest.is_empty() => Some((text, None)),
            None => None,
        };
    }
    match text.rsplit_once(':') {
        Some((host, port)) => Some((host, Some(parse_port(port)?))),
        None => Some((text, None)),
    }
}

fn parse_port(text: &str) -> Option<u16> {
    text.parse().ok().filter(|port| *port != 0)
}

impl HostRule {
    /// Whether this rule covers the URL's host and (if the rule names one) its port.
    pub fn matches(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else { return false };
        let host_ok = match &self.host {
            HostPattern::Exact(exact) => host == exact,
            HostPattern::Suffix(suffix) => host
                .strip_suffix(suffix.as_str())
                .is_some_and(|h| h.ends_with('.')),
        };
        host_ok
            && self
                .port
                .is_none_or(|port| url.port_or_known_default() == Some(port))
    }

    /// Whether this rule names exactly the URL's host and port (no wildcard, port written out).
    pub fn names_exactly(&self, url: &Url) -> bool {
        matches!(self.host, HostPattern::Exact(_)) && self.port.is_some() && self.matches(url)
    }
}

impl fmt::Display for HostRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            HostPattern::Exact(host) => f.write_str(host)?,
            HostPattern::Suffix(suffix) => write!(f, "*.{suffix}")?,
        }
        match self.port {
            Some(port) => write!(f, ":{port}"),
            None => Ok(()),
        }
    }
}

/// `host:port` of a URL as the refusals and the log name it (the port always written out).
pub fn endpoint(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn a_rule_without_port_matches_every_port_but_lifts_no_address_check() {
        let rule: HostRule = "Registry.Example".parse().unwrap();
        assert!(rule.matches(&url("https://registry.example/v2/")));
        assert!(rule.matches(&url("http://registry.example:5000/v2/")));
        assert!(!rule.names_exactly(&url("https://registry.example/v2/")));
    }

    #[test]
    fn a_rule_with_port_matches_only_that_port() {
        let rule: HostRule = "127.0.0.1:5701".parse().unwrap();
        assert!(rule.matches(&url("http://127.0.0.1:5701/v2/")));
        assert!(!rule.matches(&url("http://127.0.0.1:5702/v2/")));
        assert!(rule.names_exactly(&url("http://127.0.0.1:5701/v2/")));
        let https: HostRule = "registry.example:443".parse().unwrap();
        assert!(https.matches(&url("https://registry.example/v2/")));
    }

    #[test]
    fn a_wildcard_matches_subdomains_only() {
        let rule: HostRule = "*.pkg.dev".parse().unwrap();
        assert!(rule.matches(&url("https://us-docker.pkg.dev/v2/")));
        assert!(!rule.matches(&url("https://pkg.dev/v2/")));
        assert!(!rule.matches(&url("https://evilpkg.dev/v2/")));
    }

    #[test]
    fn ipv6_literals_keep_their_brackets() {
        let rule: HostRule = "[::1]:5000".parse().unwrap();
        assert!(rule.matches(&url("http://[::1]:5000/v2/")));
        assert_eq!(rule.to_string(), "[::1]:5000");
    }

    #[test]
    fn schemes_paths_and_bad_ports_are_refused() {
        assert!("https://ghcr.io".parse::<HostRule>().is_err());
        assert!("ghcr.io/v2".parse::<HostRule>().is_err());
        assert!("ghcr.io:http".parse::<HostRule>().is_err());
        assert!("gh*r.io".parse::<HostRule>().is_err());
    }
}
