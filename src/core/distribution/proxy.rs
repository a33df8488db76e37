//! The registry proxy a page may come with (`digestlens-proxy`, which serves the page and
//! forwards `<page>/proxy/<absolute registry URL>`): how the page finds it, and how it reads the
//! proxy's refusals, which are the proxy's own words and not the registry's.
//!
//! The proxy names itself at `./proxy/` with `{"proxy":"digestlens-proxy","version":…,
//! "registries":[…]}`; a refusal is `{"error":"…","why":"…"}` with a 4xx status. A registry
//! answers errors as `{"errors":[…]}` (distribution spec, "Error Codes"), so the two cannot be
//! mistaken for each other.

use serde::Deserialize;
use std::fmt;

/// The name `GET ./proxy/` answers with when the page came with its proxy.
pub const COMPANION_NAME: &str = "digestlens-proxy";

/// The proxy that served this page, as it describes itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanionProxy {
    /// The prefix every registry URL is appended to: `<page base>proxy/`.
    pub prefix: String,
    pub version: String,
    /// The registry hosts it forwards to (its default list and each `--allow-registry`).
    pub registries: Vec<String>,
}

#[derive(Deserialize)]
struct Announcement {
    proxy: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    registries: Vec<String>,
}

/// Where the page asks whether it came with a proxy: `proxy/` beside the page, i.e. the page's
/// URL without its query, fragment and last path segment (`http://h:8080/app/index.html?x#y` →
/// `http://h:8080/app/proxy/`). `None` for a URL without a path (a `file:` page has no proxy).
pub fn discovery_url(page_url: &str) -> Option<String> {
    let without_fragment = page_url.split('#').next().unwrap_or(page_url);
    let without_query = without_fragment.split('?').next().unwrap_or(without_fragment);
    let (scheme, rest) = without_query.split_once("://")?;
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return None;
    }
    let slash = rest.rfind('/').map_or(rest.len(), |i| i + 1);
    let base = rest.get(..slash).unwrap_or(rest);
    let base = if base.ends_with('/') {
        base.to_owned()
    } else {
        format!("{base}/")
    };
    Some(format!("{scheme}://{base}proxy/"))
}

impl CompanionProxy {
    /// Reads the answer to `GET <discovery_url>`; `None` unless it is the proxy naming itself
    /// (a static host answers 404 or its index page there).
    pub fn from_announcement(discovery_url: &str, body: &[u8]) -> Option<CompanionProxy> {
        let announcement: Announcement = serde_json::from_slice(body).ok()?;
        (announcement.proxy == COMPANION_NAME).then(|| CompanionProxy {
            prefix: discovery_url.to_owned(),
            version: announcement.version,
            registries: announcement.registries,
        })
    }
}

/// A request the proxy would not forward, in the proxy's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyRefusal {
    pub status: u16,
    /// What was refused, e.g. "registry host not allowed: 127.0.0.3:5899".
    pub error: String,
    /// Which rule refused it and what would allow it (a command-line flag).
    pub why: String,
}

#[derive(Deserialize)]
struct RefusalBody {
    error: String,
    #[serde(default)]
    why: String,
}

impl ProxyRefusal {
    /// The refusal in a non-2xx answer that came through a proxy; `None` for anything else
    /// (a registry's own error, which the proxy passed on unchanged).
    pub fn from_response(status: u16, body: &[u8]) -> Option<ProxyRefusal> {
        if (200..300).contains(&status) {
            return None;
        }
        let body: RefusalBody = serde_json::from_slice(body).ok()?;
        let error = body.error.trim();
        (!error.is_empty()).then(|| ProxyRefusal {
            status,
            error: error.to_owned(),
            why: body.why.trim().to_owned(),
        })
    }
}

impl fmt::Display for ProxyRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let error = self.error.trim_end_matches('.');
        write!(f, "{error} (HTTP {})", self.status)?;
        if !self.why.is_empty() {
            write!(f, ". {}", self.why)?;
        }
        if !self.why.ends_with('.') {
            f.write_str(".")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_url_is_proxy_beside_the_page() {
        for (page, expected) in [
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/proxy/"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/proxy/"),
            (
                "http://127.0.0.1:8080/index.html?x=1#v1.abc/def",
                "http://127.0.0.1:8080/proxy/",
            ),
            (
                "https://lens.example/app/index.html",
                "https://lens.example/app/proxy/",
            ),
            (
                "https://lens.example/app/#frag",
                "https://lens.example/app/proxy/",
            ),
        ] {
            assert_eq!(discovery_url(page).as_deref(), Some(expected), "{page}");
        }
        assert_eq!(discovery_url("file:///tmp/dist/index.html"), None);
        assert_eq!(discovery_url("about:blank"), None);
    }

    #[test]
    fn only_the_proxy_naming_itself_is_taken_as_the_companion() {
        let url = "http://127.0.0.1:8080/proxy/";
        let found = CompanionProxy::from_announcement(
            url,
            br#"{"proxy":"digestlens-proxy","version":"0.1.0","registries":["ghcr.io","127.0.0.1:5801"]}"#,
        );
        assert_eq!(
            found,
            Some(CompanionProxy {
                prefix: url.to_owned(),
                version: "0.1.0".to_owned(),
                registries: vec!["ghcr.io".to_owned(), "127.0.0.1:5801".to_owned()],
            })
        );
        for other in [
            &br#"{"proxy":"another-proxy"}"#[..],
            b"<!doctype html><title>Digest Lens</title>",
            b"404 page not found",
            b"",
        ] {
            assert_eq!(CompanionProxy::from_announcement(url, other), None);
        }
    }

    #[test]
    fn a_refusal_is_read_from_the_proxy_body_and_not_from_a_registry_error() {
        let refusal = ProxyRefusal::from_response(
            403,
            br#"{"error":"registry host not allowed: 127.0.0.3:5899","why":"only hosts on the allow list are forwarded; start the proxy with --allow-registry 127.0.0.3:5899 to allow it"}"#,
        );
        assert_eq!(refusal.as_ref().map(|r| r.status), Some(403));
        assert_eq!(
            refusal.map(|r| r.to_string()).unwrap_or_default(),
            "registry host not allowed: 127.0.0.3:5899 (HTTP 403). only hosts on the allow list are \
             forwarded; start the proxy with --allow-registry 127.0.0.3:5899 to allow it."
        );
        let registry =
            br#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#;
        assert_eq!(ProxyRefusal::from_response(403, registry), None);
        assert_eq!(
            ProxyRefusal::from_response(200, br#"{"error":"x","why":"y"}"#),
            None
        );
        assert_eq!(
            ProxyRefusal::from_response(405, br#"{"error":"  ","why":"y"}"#),
            None
        );
    }

    #[test]
    fn an_answer_through_the_proxy_is_its_refusal_or_the_registry_answer_it_passed_on() {
        use crate::core::distribution::error::{RegistryError, Resource};
        use crate::core::reference::Reference;
        let Ok(reference) = Reference::parse("127.0.0.3:5899/demo/oci:1") else {
            panic!("a valid reference");
        };
        let refused = RegistryError::from_proxied_response(
            403,
            br#"{"error":"registry not allowed","why":"127.0.0.3:5899 is not on this proxy's registry allow list; start the proxy with --allow-registry 127.0.0.3:5899 to allow it."}"#,
            None,
            &reference,
            Resource::Manifest,
        );
        assert_eq!(refused.slug(), "proxy-refused");
        assert_eq!(
            refused.to_string(),
            "The registry proxy refused to forward this request to 127.0.0.3:5899: registry not allowed \
             (HTTP 403). 127.0.0.3:5899 is not on this proxy's registry allow list; start the proxy with \
             --allow-registry 127.0.0.3:5899 to allow it."
        );
        let denied = br#"{"errors":[{"code":"DENIED","message":"no pull right"}]}"#;
        let passed_on =
            RegistryError::from_proxied_response(403, denied, None, &reference, Resource::Manifest);
        assert_eq!(passed_on.slug(), "forbidden");
    }
}
