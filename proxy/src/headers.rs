//! Which headers cross the proxy, and the two that are rewritten so the client's next request comes
//! back through it: the token realm in `WWW-Authenticate` and the URLs in `Link`.

use http::header::HeaderName;
use url::Url;

/// Request headers forwarded upstream; everything else (cookies, Origin, Referer…) stays here.
/// `Authorization` is further limited to the host it was meant for (see `forward`).
pub const FORWARDED_REQUEST_HEADERS: &[HeaderName] = &[
    http::header::ACCEPT,
    http::header::AUTHORIZATION,
    http::header::RANGE,
    http::header::IF_NONE_MATCH,
];

/// Response headers passed back to the client; body-shaping headers like `Content-Encoding` are
/// absent on purpose because the proxy never decodes (it asks for no encoding, see `forward`).
pub const PASSED_RESPONSE_HEADERS: &[&str] = &[
    "docker-content-digest",
    "docker-distribution-api-version",
    "www-authenticate",
    "link",
    "oci-subject",
    "oci-filters-applied",
    "content-type",
    "content-length",
    "content-range",
    "accept-ranges",
    "retry-after",
    "etag",
    "last-modified",
];

/// The same list, spelled for `Access-Control-Expose-Headers`.
pub const EXPOSED_HEADERS: &str = "Docker-Content-Digest, Docker-Distribution-API-Version, WWW-Authenticate, Link, \
OCI-Subject, OCI-Filters-Applied, Content-Type, Content-Length, Content-Range, Accept-Ranges, Retry-After, ETag, \
Last-Modified";

/// A `WWW-Authenticate` value with its realm pointing through the proxy, and the realm it named.
#[derive(Debug, PartialEq, Eq)]
pub struct RewrittenChallenge {
    pub value: String,
    pub realm: Option<Url>,
}

/// Rewrites a Bearer challenge's `realm="…"` to `<proxy base><absolute realm>`. Other challenges
/// are kept: a Basic realm is a name shown to the user, not a URL.
pub fn rewrite_challenge(value: &str, upstream: &Url, proxy_base: &str) -> RewrittenChallenge {
    let unchanged = || RewrittenChallenge {
        value: value.to_string(),
        realm: None,
    };
    let lower = value.to_ascii_lowercase();
    if !lower.trim_start().starts_with("bearer ") {
        return unchanged();
    }
    let Some(at) = find_param(&lower, "realm") else {
        return unchanged();
    };
    let start = at + "realm=".len();
    let (raw, end) = match value[start..].strip_prefix('"') {
        Some(rest) => match rest.find('"') {
            Some(close) => (&rest[..close], start + 1 + close + 1),
            None => return unchanged(),
        },
        None => {
            let len = value[start..].find(',').unwrap_or(value.len() - start);
            (value[start..start + len].trim(), start + len)
        }
    };
    let Ok(realm) = upstream.join(raw) else {
        return unchanged();
    };
    let rewritten = format!("{}realm=\"{proxy_base}{realm}\"{}", &value[..at], &value[end..]);
    RewrittenChallenge {
        value: rewritten,
        realm: Some(realm),
    }
}

/// The byte offset of `name=` as a parameter (at the start or after a space or comma).
fn find_param(lower: &str, name: &str) -> Option<usize> {
    let needle = format!("{name}=");
    lower
        .match_indices(&needle)
        .map(|(at, _)| at)
        .find(|&at| at == 0 || matches!(lower.as_bytes()[at - 1], b' ' | b',' | b'\t'))
}

/// Rewrites every `<url>` of a `Link` value to an absolute URL through the proxy.
pub fn rewrite_link(value: &str, upstream: &Url, proxy_base: &str) -> String {
    let mut out = String::with_capacity(value.len() + proxy_base.len());
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        out.push_str(&rest[..=open]);
        let target = &rest[open + 1..open + close];
        match upstream.join(target) {
            Ok(absolute) => {
                out.push_str(proxy_base);
                out.push_str(absolute.as_str());
            }
            Err(_) => out.push_str(target),
        }
        out.push('>');
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://127.0.0.1:8080/proxy/";

    fn registry() -> Url {
        Url::parse("https://registry-1.docker.io/v2/library/busybox/manifests/latest").unwrap()
    }

    #[test]
    fn docker_hub_challenge_points_through_the_proxy() {
        let challenge = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#;
        let out = rewrite_challenge(challenge, &registry(), BASE);
        assert_eq!(
            out.value,
            r#"Bearer realm="http://127.0.0.1:8080/proxy/https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#
        );
        assert_eq!(out.realm.unwrap().as_str(), "https://auth.docker.io/token");
    }

    #[test]
    fn a_relative_realm_is_resolved_against_the_registry() {
        let out = rewrite_challenge(r#"Bearer service="x",realm="/token""#, &registry(), BASE);
        assert_eq!(
            out.value,
            r#"Bearer service="x",realm="http://127.0.0.1:8080/proxy/https://registry-1.docker.io/token""#
        );
    }

    #[test]
    fn a_basic_challenge_is_kept() {
        let out = rewrite_challenge("Basic realm=\"digestlens-test\"", &registry(), BASE);
        assert_eq!(out.value, "Basic realm=\"digestlens-test\"");
        assert_eq!(out.realm, None);
    }

    #[test]
    fn link_targets_become_absolute_proxy_urls() {
        let link = r#"</v2/library/busybox/tags/list?last=1.36&n=100>; rel="next""#;
        assert_eq!(
            rewrite_link(link, &registry(), BASE),
            r#"<http://127.0.0.1:8080/proxy/https://registry-1.docker.io/v2/library/busybox/tags/list?last=1.36&n=100>; rel="next""#
        );
    }
}
