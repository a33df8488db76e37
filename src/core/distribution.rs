//! The OCI distribution protocol, without IO: what to ask a registry for, how to read its
//! answers, and how to check that the bytes received are the bytes asked for. The browser
//! client performs the requests and hands the results to these functions.
//!
//! - [`answer`]: what an answer's status and `Content-Length` ask of the client.
//! - [`auth`]: `WWW-Authenticate` challenges, token URLs, token responses.
//! - [`verify`]: digest and size checks of a fetched manifest or blob.
//! - [`error`]: HTTP statuses and fetch failures as [`error::RegistryError`], and the
//!   command-line ways to fetch the same manifest when the browser cannot.
//! - [`walk`]: which documents to fetch, round by round, from an index down to the configs.
//! - [`proxy`]: finding the registry proxy the page came with, and reading its refusals.
//! - [`referrers`]: what is attached to a manifest (API, referrers tag, cosign tags).

pub mod answer;
pub mod auth;
pub mod error;
pub mod proxy;
pub mod referrers;
pub mod verify;
pub mod walk;

use crate::core::digest::Digest;
use crate::core::reference::Reference;
use error::RegistryError;

/// The `Accept` header for manifest requests: every manifest media type, newest first.
///
/// Why all of them: a registry only serves a manifest whose type the client accepts, and what it
/// does otherwise is worse than an error. Measured on distribution 2.8.2 with `Accept: */*`:
/// a Docker schema2 manifest fetched by tag is rewritten on the fly into a schema1 manifest
/// (`application/vnd.docker.distribution.manifest.v1+prettyjws`), re-signed on every request,
/// so its bytes and their digest change each time; an OCI manifest answers 404
/// `MANIFEST_UNKNOWN` "OCI manifest found, but accept header does not support OCI manifests".
/// Listing schema1 last still lets genuinely old schema1 images be fetched.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.docker.distribution.manifest.v2+json, \
application/vnd.docker.distribution.manifest.v1+prettyjws, \
application/vnd.docker.distribution.manifest.v1+json";

/// Largest manifest read: distribution refuses to store larger ones (`maxManifestBodySize =
/// 4 << 20` in `registry/handlers/manifests.go`), and containers/image reads no more
/// (`iolimits.MaxManifestBodySize`). Anything bigger did not come from a conforming push.
pub const MANIFEST_SIZE_CAP: u64 = 4 << 20;

/// Largest image config read. Configs are usually a few KiB, but their `history` grows with
/// every layer and build step, and labels or environment can carry large values. skopeo and
/// podman stop at 4 MiB (containers/image `iolimits.MaxConfigBodySize`); this page allows four
/// times that so it can still show a config a tool refuses — and say why — while staying far
/// from what a browser tab can hold and render.
pub const CONFIG_SIZE_CAP: u64 = 16 << 20;

/// `https://host/v2/`, the version check (OCI distribution spec end-1). Asked without custom
/// headers it is a CORS "simple" request, sent without a preflight: the page uses it to learn
/// whether a registry whose preflight failed answers web pages at all.
pub fn version_check_url(reference: &Reference, proxy: Option<&str>) -> String {
    with_proxy(format!("{}/v2/", reference.api_base_url()), proxy)
}

/// `https://host/v2/<name>/tags/list` (end-8a). distribution 2.8.2 answers a manifest GET in a
/// repository it does not know with `MANIFEST_UNKNOWN`, like an unknown tag; the tag list
/// answers `NAME_UNKNOWN`, so the page asks it to tell the two apart.
pub fn tags_list_url(reference: &Reference, proxy: Option<&str>) -> String {
    with_proxy(
        format!(
            "{}/v2/{}/tags/list",
            reference.api_base_url(),
            reference.repository()
        ),
        proxy,
    )
}

/// The user's CORS proxy setting, checked: blank means none; otherwise it must start with
/// `http://` or `https://`, or the registry URL appended to it would be a path on this page's
/// own server.
pub fn proxy_prefix(setting: &str) -> Result<Option<&str>, RegistryError> {
    let prefix = setting.trim();
    let lowered = prefix.to_ascii_lowercase();
    if prefix.is_empty() {
        Ok(None)
    } else if (lowered.starts_with("https://") || lowered.starts_with("http://")) && prefix.len() > 8 {
        Ok(Some(prefix))
    } else {
        Err(RegistryError::BadProxyPrefix {
            prefix: prefix.to_owned(),
        })
    }
}

/// `https://host/v2/<name>/manifests/<tag-or-digest>`: by digest when the reference has one.
pub fn manifest_url(reference: &Reference, proxy: Option<&str>) -> String {
    with_proxy(
        format!(
            "{}/v2/{}/manifests/{}",
            reference.api_base_url(),
            reference.repository(),
            reference.manifest_target()
        ),
        proxy,
    )
}

/// `https://host/v2/<name>/blobs/<digest>`.
pub fn blob_url(reference: &Reference, digest: &Digest, proxy: Option<&str>) -> String {
    with_proxy(
        format!(
            "{}/v2/{}/blobs/{digest}",
            reference.api_base_url(),
            reference.repository()
        ),
        proxy,
    )
}

/// `https://host/v2/<name>/referrers/<digest>` (OCI distribution spec 1.1): signatures, SBOMs
/// and other artifacts whose `subject` is `digest`.
pub fn referrers_url(reference: &Reference, digest: &Digest, proxy: Option<&str>) -> String {
    with_proxy(
        format!(
            "{}/v2/{}/referrers/{digest}",
            reference.api_base_url(),
            reference.repository()
        ),
        proxy,
    )
}

/// Prefix `url` with the user's CORS proxy (e.g. `https://proxy.example/`), if one is set.
/// The proxy gets the full URL appended verbatim; blank settings mean no proxy.
///
/// No escaping is needed in the URLs above: repository, tag and digest passed the reference
/// and digest grammars, whose characters are all valid in a URL path.
fn with_proxy(url: String, proxy: Option<&str>) -> String {
    match proxy.map(str::trim) {
        Some(prefix) if !prefix.is_empty() => format!("{prefix}{url}"),
        _ => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:6043f6321434a632f01538716cd9fdeada04c11abf4575a1ecb6c4596454460e";

    // Paths from the OCI distribution spec (spec.md, "Endpoints": end-2, end-3, end-12a).
    #[test]
    fn urls_follow_the_distribution_spec_endpoints() {
        let r = Reference::parse("busybox").unwrap();
        let d: Digest = DIGEST.parse().unwrap();
        assert_eq!(
            manifest_url(&r, None),
            "https://registry-1.docker.io/v2/library/busybox/manifests/latest"
        );
        assert_eq!(
            blob_url(&r, &d, None),
            format!("https://registry-1.docker.io/v2/library/busybox/blobs/{DIGEST}")
        );
        assert_eq!(
            referrers_url(&r, &d, None),
            format!("https://registry-1.docker.io/v2/library/busybox/referrers/{DIGEST}")
        );
    }

    #[test]
    fn manifest_url_uses_the_digest_when_pinned() {
        let r = Reference::parse(&format!("localhost:5000/demo/img:v1@{DIGEST}")).unwrap();
        assert_eq!(
            manifest_url(&r, None),
            format!("http://localhost:5000/v2/demo/img/manifests/{DIGEST}")
        );
    }

    #[test]
    fn proxy_prefix_is_prepended_and_blank_means_none() {
        let r = Reference::parse("ghcr.io/org/app:1.0").unwrap();
        assert_eq!(
            manifest_url(&r, Some(" https://cors.example/?url= ")),
            "https://cors.example/?url=https://ghcr.io/v2/org/app/manifests/1.0"
        );
        assert_eq!(
            manifest_url(&r, Some("  ")),
            "https://ghcr.io/v2/org/app/manifests/1.0"
        );
    }

    #[test]
    fn accept_header_lists_every_manifest_type_distribution_checks() {
        // distribution 2.8.2 registry/handlers/manifests.go splits Accept on ',' and trims.
        let types: Vec<&str> = MANIFEST_ACCEPT.split(',').map(str::trim).collect();
        assert_eq!(
            types,
            [
                "application/vnd.oci.image.index.v1+json",
                "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.docker.distribution.manifest.list.v2+json",
                "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.docker.distribution.manifest.v1+prettyjws",
                "application/vnd.docker.distribution.manifest.v1+json",
            ]
        );
    }

    #[test]
    fn tags_list_follows_the_spec_endpoint() {
        let r = Reference::parse("busybox:1.36").unwrap();
        assert_eq!(
            tags_list_url(&r, None),
            "https://registry-1.docker.io/v2/library/busybox/tags/list"
        );
    }

    #[test]
    fn version_check_is_the_v2_root_through_the_proxy() {
        let r = Reference::parse("127.0.0.1:5000/demo/oci:1").unwrap();
        assert_eq!(version_check_url(&r, None), "http://127.0.0.1:5000/v2/");
        assert_eq!(
            version_check_url(&r, Some("https://cors.example/")),
            "https://cors.example/http://127.0.0.1:5000/v2/"
        );
    }

    #[test]
    fn proxy_prefix_must_be_an_http_url() {
        assert_eq!(proxy_prefix("  "), Ok(None));
        assert_eq!(
            proxy_prefix(" https://cors.example/ "),
            Ok(Some("https://cors.example/"))
        );
        assert_eq!(
            proxy_prefix("HTTP://127.0.0.1:9/"),
            Ok(Some("HTTP://127.0.0.1:9/"))
        );
        for bad in ["cors.example/", "/proxy/", "javascript:alert(1)//", "https://"] {
            assert_eq!(
                proxy_prefix(bad),
                Err(RegistryError::BadProxyPrefix {
                    prefix: bad.to_owned()
                }),
                "{bad}"
            );
        }
    }
}
