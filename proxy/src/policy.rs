//! What may be forwarded: which hosts, which paths, which schemes, which redirects, which addresses.
//!
//! Pure decisions over URLs (and the remembered token realms); the forwarding code asks before every
//! hop and the network is never touched here.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use url::{Host, Url};

use crate::address::ForbiddenRanges;
use crate::hosts::{endpoint, HostRule};
use crate::refusal::Refusal;

/// The big public registries, allowed without a flag (the realms they announce follow from them).
pub const DEFAULT_REGISTRIES: &[&str] = &[
    "registry-1.docker.io",
    "index.docker.io",
    "auth.docker.io",
    "ghcr.io",
    "quay.io",
    "gcr.io",
    "*.gcr.io",
    "*.pkg.dev",
    "public.ecr.aws",
    "mcr.microsoft.com",
    "registry.k8s.io",
    "registry.gitlab.com",
    "nvcr.io",
];

/// Where those registries send blob downloads (their CDNs and object stores), followed over https.
pub const DEFAULT_BLOB_HOSTS: &[&str] = &[
    "production.cloudflare.docker.com",
    "*.r2.cloudflarestorage.com",
    "pkg-containers.githubusercontent.com",
    "*.quay.io",
    "storage.googleapis.com",
    "*.amazonaws.com",
    "*.cloudfront.net",
    "*.data.mcr.microsoft.com",
    "*.blob.core.windows.net",
    "*.gitlab-static.net",
];

/// At most this many token realms are remembered (they come only from allowed registries' answers).
const MAX_REALMS: usize = 1024;

/// Why a URL may be forwarded as the first hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A registry API path on an allowed registry.
    Registry,
    /// A token realm that the named registry announced.
    Realm { registry: String },
}

/// The operator's rules, fixed at start, plus the realms learned while running.
#[derive(Debug)]
pub struct Policy {
    registries: Vec<HostRule>,
    blob_hosts: Vec<HostRule>,
    plain_http: Vec<HostRule>,
    /// Every rule from the command line: an exact `host:port` among them lifts the address check.
    named: Vec<HostRule>,
    forbidden: ForbiddenRanges,
    realms: Mutex<HashMap<String, String>>,
}

/// The command-line rules a `Policy` is made of.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub registries: Vec<HostRule>,
    pub blob_hosts: Vec<HostRule>,
    pub plain_http: Vec<HostRule>,
}

impl Policy {
    pub fn new(rules: Rules, forbidden: ForbiddenRanges) -> Self {
        let defaults =
            |list: &[&str]| -> Vec<HostRule> { list.iter().filter_map(|h| h.parse().ok()).collect() };
        let named = [
            &rules.registries[..],
            &rules.blob_hosts[..],
            &rules.plain_http[..],
        ]
        .concat();
        Policy {
            registries: [defaults(DEFAULT_REGISTRIES), rules.registries].concat(),
            blob_hosts: [defaults(DEFAULT_BLOB_HOSTS), rules.blob_hosts].concat(),
            plain_http: rules.plain_http,
            named,
            forbidden,
            realms: Mutex::new(HashMap::new()),
        }
    }

    /// The allowed registries, as `GET /proxy/` lists them.
    pub fn registries(&self) -> Vec<String> {
        self.registries.iter().map(ToString::to_string).collect()
    }

    pub fn forbidden(&self) -> &ForbiddenRanges {
        &self.forbidden
    }

    /// Parses the text after `/proxy/` into the upstream URL.
    pub fn parse_target(text: &str) -> Result<Url, Refusal> {
        let url = Url::parse(text).map_err(|_| Refusal::NotAnAbsoluteUrl { text: clip(text) })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refusal::SchemeNotSupported {
                scheme: url.scheme().to_string(),
            });
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Refusal::CredentialsInUrl);
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Refusal::NotAnAbsoluteUrl { text: clip(text) });
        }
        Ok(url)
    }

    /// The decision for the URL a client asked for.
    pub fn first_hop(&self, url: &Url) -> Result<Route, Refusal> {
        let route = if let Some(registry) = self.announced_realm(url) {
            Route::Realm { registry }
        } else if is_registry_path(url.path()) {
            if !self.is_registry(url) {
                return Err(self.host_not_allowed(url));
            }
            Route::Registry
        } else if self.is_registry(url) {
            return Err(Refusal::PathOutsideV2 {
                endpoint: endpoint(url),
                path: clip(url.path()),
            });
        } else {
            return Err(Refusal::RealmNotAnnounced {
                url: clip(&realm_key(url)),
            });
        };
        self.check_scheme(url)?;
        Ok(route)
    }

    /// The decision for a redirect from `from` to `to`: an allowed registry or blob storage host.
    pub fn redirect_hop(&self, from: &Url, to: &Url) -> Result<(), Refusal> {
        if !matches!(to.scheme(), "http" | "https") || !to.username().is_empty() || to.password().is_some() {
            return Err(Refusal::RedirectInvalid { from: endpoint(from) });
        }
        let allowed = self.is_registry(to) || self.blob_hosts.iter().any(|rule| rule.matches(to));
        if !allowed {
            return Err(Refusal::RedirectNotAllowed {
                from: endpoint(from),
                to: endpoint(to),
            });
        }
        self.check_scheme(to)
    }

    /// Whether the operator named exactly this `host:port`, which lifts the forbidden-address check.
    pub fn address_exempt(&self, url: &Url) -> bool {
        self.named.iter().any(|rule| rule.names_exactly(url))
    }

    /// The forbidden-address check for an IP literal in the URL (names are checked by the resolver).
    pub fn check_literal_address(&self, url: &Url) -> Result<(), Refusal> {
        let Some(ip) = literal_ip(url) else {
            return Ok(());
        };
        if self.forbidden.forbids(ip) && !self.address_exempt(url) {
            return Err(Refusal::ForbiddenAddress {
                endpoint: endpoint(url),
                ip,
            });
        }
        Ok(())
    }

    /// Remembers the realm an allowed registry announced, so a token request to it is forwarded.
    pub fn remember_realm(&self, realm: &Url, registry: &Url) {
        let Ok(mut realms) = self.realms.lock() else {
            return;
        };
        if realms.len() < MAX_REALMS || realms.contains_key(&realm_key(realm)) {
            realms.insert(realm_key(realm), endpoint(registry));
        }
    }

    fn announced_realm(&self, url: &Url) -> Option<String> {
        self.realms.lock().ok()?.get(&realm_key(url)).cloned()
    }

    /// Whether the URL's host is an allowed registry (built in or `--allow-registry`).
    pub fn is_registry(&self, url: &Url) -> bool {
        self.registries.iter().any(|rule| rule.matches(url))
    }

    fn check_scheme(&self, url: &Url) -> Result<(), Refusal> {
        if url.scheme() == "http" && !self.plain_http.iter().any(|rule| rule.matches(url)) {
            return Err(Refusal::PlainHttpNotAllowed {
                endpoint: endpoint(url),
            });
        }
        Ok(())
    }

    /// The refusal of a registry not on the allow list, naming every flag that would allow this very
    /// request: an internal address needs its exact `host:port` (only that lifts the address check,
    /// so the port is written out even where the URL left it implied), and plain http its own flag.
    fn host_not_allowed(&self, url: &Url) -> Refusal {
        let host = url.host_str().unwrap_or_default();
        let internal = literal_ip(url).is_some_and(|ip| self.forbidden.forbids(ip));
        let named = match url.port() {
            _ if internal => endpoint(url),
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        let mut flags = format!("--allow-registry {named}");
        if self.check_scheme(url).is_err() {
            flags.push_str(&format!(" --plain-http {named}"));
        }
        Refusal::HostNotAllowed {
            endpoint: endpoint(url),
            flags,
        }
    }
}

/// The URL's host when it is an IP address written out (a name is only known after resolving).
fn literal_ip(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        Host::Domain(_) => None,
    }
}

/// `/v2/` and below, without percent-escapes (registry names, tags and digests never need them, and
/// an escaped `..` or `/` must not reach a server that would decode it).
fn is_registry_path(path: &str) -> bool {
    (path == "/v2/" || path.starts_with("/v2/")) && !path.contains(['%', '\\'])
}

/// A realm is identified by scheme, host, port and path; its query (service, scope) varies per request.
fn realm_key(url: &Url) -> String {
    let mut key = url.clone();
    key.set_query(None);
    key.set_fragment(None);
    key.to_string()
}

/// Keeps echoed client text short in messages.
fn clip(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(registries: &[&str], plain: &[&str]) -> Policy {
        let rules = Rules {
            registries: registries.iter().map(|r| r.parse().unwrap()).collect(),
            plain_http: plain.iter().map(|r| r.parse().unwrap()).collect(),
            blob_hosts: vec![],
        };
        Policy::new(rules, ForbiddenRanges::defaults())
    }

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn default_registries_are_forwarded_under_v2_only() {
        let p = policy(&[], &[]);
        assert_eq!(
            p.first_hop(&url(
                "https://registry-1.docker.io/v2/library/busybox/manifests/latest"
            )),
            Ok(Route::Registry)
        );
        assert_eq!(
            p.first_hop(&url("https://europe-docker.pkg.dev/v2/")),
            Ok(Route::Registry)
        );
        assert!(matches!(
            p.first_hop(&url("https://ghcr.io/token")),
            Err(Refusal::PathOutsideV2 { .. })
        ));
        assert!(matches!(
            p.first_hop(&url("https://ghcr.io/v2/%2e%2e/x")),
            Err(Refusal::PathOutsideV2 { .. })
        ));
    }

    #[test]
    fn other_hosts_are_refused_naming_the_flag() {
        let p = policy(&[], &[]);
        let refusal = p
            .first_hop(&url("https://registry.example:5000/v2/"))
            .unwrap_err();
        assert!(
            refusal.why().contains("--allow-registry registry.example:5000"),
            "{}",
            refusal.why()
        );
    }

    #[test]
    fn plain_http_needs_its_own_flag() {
        let p = policy(&["127.0.0.1:5701"], &[]);
        assert!(matches!(
            p.first_hop(&url("http://127.0.0.1:5701/v2/")),
            Err(Refusal::PlainHttpNotAllowed { .. })
        ));
        let p = policy(&["127.0.0.1:5701"], &["127.0.0.1:5701"]);
        assert_eq!(
            p.first_hop(&url("http://127.0.0.1:5701/v2/")),
            Ok(Route::Registry)
        );
    }

    #[test]
    fn a_realm_is_forwarded_only_after_a_registry_announced_it() {
        let p = policy(&[], &[]);
        let realm = url("https://auth.example/token?service=x&scope=repository:a:pull");
        assert!(matches!(
            p.first_hop(&realm),
            Err(Refusal::RealmNotAnnounced { .. })
        ));
        p.remember_realm(&url("https://auth.example/token"), &url("https://ghcr.io/v2/"));
        assert_eq!(
            p.first_hop(&realm),
            Ok(Route::Realm {
                registry: "ghcr.io:443".into()
            })
        );
        assert!(p.first_hop(&url("https://auth.example/other")).is_err());
    }

    #[test]
    fn redirects_go_only_to_registries_and_blob_storage() {
        let p = policy(&[], &[]);
        let from = url("https://registry-1.docker.io/v2/library/busybox/blobs/sha256:00");
        assert!(p
            .redirect_hop(
                &from,
                &url("https://production.cloudflare.docker.com/registry-v2/x")
            )
            .is_ok());
        assert!(matches!(
            p.redirect_hop(&from, &url("https://evil.example/x")),
            Err(Refusal::RedirectNotAllowed { .. })
        ));
        assert!(matches!(
            p.redirect_hop(&from, &url("http://production.cloudflare.docker.com/x")),
            Err(Refusal::PlainHttpNotAllowed { .. })
        ));
    }

    #[test]
    fn the_flags_a_refusal_names_are_the_flags_that_allow_the_request() {
        let cases = [
            (
                "http://127.0.0.3/v2/",
                "--allow-registry 127.0.0.3:80 --plain-http 127.0.0.3:80",
            ),
            ("https://[::1]/v2/", "--allow-registry [::1]:443"),
            (
                "http://registry.example:5000/v2/",
                "--allow-registry registry.example:5000 --plain-http registry.example:5000",
            ),
            (
                "https://registry.example/v2/",
                "--allow-registry registry.example",
            ),
        ];
        for (text, flags) in cases {
            let target = url(text);
            let refusal = policy(&[], &[]).first_hop(&target).unwrap_err();
            assert!(
                refusal
                    .why()
                    .contains(&format!("start the proxy with {flags} to allow it")),
                "{}",
                refusal.why()
            );
            // Started as the sentence says, the same proxy lets the request through.
            let words: Vec<&str> = flags.split(' ').collect();
            let value = |flag: &str| words.iter().position(|w| *w == flag).map(|i| words[i + 1]);
            let allowed = policy(
                &[value("--allow-registry").unwrap()],
                value("--plain-http").as_slice(),
            );
            assert_eq!(allowed.first_hop(&target), Ok(Route::Registry), "{text}");
            assert_eq!(allowed.check_literal_address(&target), Ok(()), "{text}");
        }
    }

    #[test]
    fn literal_internal_addresses_are_refused_unless_named_exactly() {
        let p = policy(&["127.0.0.1:5701", "10.0.0.1"], &[]);
        assert!(p.check_literal_address(&url("http://127.0.0.1:5701/v2/")).is_ok());
        assert!(matches!(
            p.check_literal_address(&url("http://127.0.0.1:5702/v2/")),
            Err(Refusal::ForbiddenAddress { .. })
        ));
        assert!(matches!(
            p.check_literal_address(&url("https://10.0.0.1/v2/")),
            Err(Refusal::ForbiddenAddress { .. })
        ));
    }

    #[test]
    fn urls_with_credentials_or_other_schemes_are_refused() {
        assert_eq!(
            Policy::parse_target("https://u:p@ghcr.io/v2/"),
            Err(Refusal::CredentialsInUrl)
        );
        assert!(matches!(
            Policy::parse_target("file:///etc/passwd"),
            Err(Refusal::SchemeNotSupported { .. })
        ));
        assert!(matches!(
            Policy::parse_target("ghcr.io/v2/"),
            Err(Refusal::NotAnAbsoluteUrl { .. })
        ));
    }
}
