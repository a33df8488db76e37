//! What went wrong talking to a registry, in words a person can act on, and the command-line
//! ways to fetch the same manifest when the browser cannot.

#[cfg(test)]
mod tests;
mod ways_on;

pub use ways_on::{blob_ways_on, distribution_cors_config, ways_on, zot_cors_config};

use super::answer::BodySize;
use super::auth::AuthError;
use super::proxy::ProxyRefusal;
use super::{CONFIG_SIZE_CAP, MANIFEST_SIZE_CAP};
use crate::core::digest::Digest;
use crate::core::reference::Reference;
use serde::Deserialize;
use std::fmt;

/// What the failed request was for; a 404 means different things for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Manifest,
    Blob,
    Referrers,
}

/// One entry of a distribution error body:
/// `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":…}]}`
/// (OCI distribution spec, "Error Codes"). `detail` is free-form and not used.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorEntry {
    pub code: String,
    #[serde(default)]
    pub message: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    errors: Vec<ErrorEntry>,
}

/// The entries of a distribution error body; empty when the body is not one (e.g. distribution's
/// plain-text `404 page not found` for paths it has no route for).
pub fn parse_error_body(body: &[u8]) -> Vec<ErrorEntry> {
    serde_json::from_slice::<ErrorBody>(body)
        .map(|b| b.errors)
        .unwrap_or_default()
}

/// A `Retry-After` header (RFC 9110 §10.2.3): seconds, or an HTTP date kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryAfter {
    Seconds(u64),
    Date(String),
}

impl RetryAfter {
    pub fn parse(value: &str) -> Option<RetryAfter> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        Some(match value.parse::<u64>() {
            Ok(seconds) => RetryAfter::Seconds(seconds),
            Err(_) => RetryAfter::Date(value.to_owned()),
        })
    }
}

impl fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryAfter::Seconds(s) if *s >= 120 => write!(f, "in about {} minutes", s.div_ceil(60)),
            RetryAfter::Seconds(s) => write!(f, "in {s} seconds"),
            RetryAfter::Date(date) => write!(f, "after {date}"),
        }
    }
}

/// A command that fetches the same thing outside the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WayOn {
    pub tool: &'static str,
    pub command: String,
}

/// Why a registry request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryError {
    /// 401 even after the anonymous token dance (or no token could be had).
    Unauthorized {
        reference: String,
        message: Option<String>,
    },
    Forbidden {
        reference: String,
        message: Option<String>,
    },
    /// 404 `MANIFEST_UNKNOWN`: no such tag or digest.
    ManifestUnknown {
        reference: String,
        message: Option<String>,
    },
    /// 404 `NAME_UNKNOWN`: no such repository.
    NameUnknown {
        registry: String,
        repository: String,
    },
    /// 404 `BLOB_UNKNOWN`.
    BlobUnknown {
        repository: String,
        message: Option<String>,
    },
    /// A manifest asked for by digest was not there, but the repository holds a blob with that
    /// digest: an image's config (whose digest is the Image ID docker shows) or a layer.
    DigestIsBlob {
        reference: String,
        digest: String,
        /// The blob's `Content-Length`, when the registry sent one.
        size: Option<u64>,
    },
    /// 404 on the referrers endpoint without a distribution error code.
    ReferrersUnsupported {
        registry: String,
    },
    NotFound {
        reference: String,
        message: Option<String>,
    },
    TooManyRequests {
        registry: String,
        retry_after: Option<RetryAfter>,
        message: Option<String>,
    },
    /// 5xx.
    ServerError {
        registry: String,
        status: u16,
        message: Option<String>,
    },
    UnexpectedStatus {
        registry: String,
        status: u16,
        message: Option<String>,
    },
    /// The browser refused to show the response (a `TypeError` from `fetch`).
    CorsBlocked {
        reference: String,
        registry: String,
        page_origin: String,
        ways_on: Vec<WayOn>,
    },
    /// The registry answers a plain `GET /v2/` (a CORS "simple" request) readably, but the
    /// browser's preflight for the real request failed. With 401 on `/v2/`: distribution with
    /// authentication on, which answers every OPTIONS with 401.
    PreflightRefused {
        reference: String,
        registry: String,
        page_origin: String,
        /// The status of the plain `GET /v2/`.
        status: u16,
        ways_on: Vec<WayOn>,
    },
    /// A request through the user's CORS proxy prefix failed in the browser.
    ProxyFailed {
        proxy: String,
        registry: String,
    },
    /// The registry proxy refused to forward the request (its own JSON refusal, not the
    /// registry's answer): which host, which rule, and the flag that would allow it.
    ProxyRefused {
        registry: String,
        refusal: ProxyRefusal,
    },
    /// A blob download was redirected to storage (S3, a CDN) that does not allow web pages.
    RedirectBlocked {
        location: Option<String>,
        ways_on: Vec<WayOn>,
    },
    /// A manifest request was answered with a redirect the browser would not follow to the end:
    /// a loop, too many hops, or a target that does not allow web pages (the page cannot see which).
    RedirectFailed {
        reference: String,
    },
    Timeout {
        registry: String,
        seconds: u32,
    },
    /// The browser reports being offline.
    NetworkDown,
    /// The answer started arriving, then the connection broke.
    Interrupted {
        registry: String,
    },
    /// The CORS proxy setting is not an http(s) URL prefix.
    BadProxyPrefix {
        prefix: String,
    },
    /// `Content-Length` (or the body) exceeds [`MANIFEST_SIZE_CAP`].
    ManifestTooLarge {
        size: BodySize,
    },
    /// `Content-Length` (or the body) of a config exceeds [`CONFIG_SIZE_CAP`].
    ConfigTooLarge {
        size: BodySize,
    },
    Auth(AuthError),
}

/// What the page could learn after `fetch` failed without a response (a `TypeError`): the
/// browser says nothing about why, so these are asked separately.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureFacts<'a> {
    /// `navigator.onLine`.
    pub online: bool,
    /// The CORS proxy prefix the request went through, if any.
    pub proxy: Option<&'a str>,
    /// Whether the same request with `redirect: "manual"` came back as a redirect.
    pub redirected: bool,
    /// The status of a plain `GET /v2/` (no custom headers, hence no preflight), if readable.
    pub probe_status: Option<u16>,
}

impl From<AuthError> for RegistryError {
    fn from(e: AuthError) -> Self {
        RegistryError::Auth(e)
    }
}

impl RegistryError {
    /// Classify a non-success response. `retry_after` is the `Retry-After` header, if readable.
    pub fn from_response(
        status: u16,
        body: &[u8],
        retry_after: Option<&str>,
        reference: &Reference,
        resource: Resource,
    ) -> RegistryError {
        let entries = parse_error_body(body);
        let code = entries.first().map(|e| e.code.as_str());
        let message = entries
            .first()
            .map(|e| e.message.trim())
            .filter(|m| !m.is_empty())
            .map(str::to_owned);
        let registry = reference.registry().to_owned();
        let shown = reference.to_string();
        match (status, code) {
            (401, _) => RegistryError::Unauthorized {
                reference: shown,
                message,
            },
            (403, _) => RegistryError::Forbidden {
                reference: shown,
                message,
            },
            (404, Some("MANIFEST_UNKNOWN")) => RegistryError::ManifestUnknown {
                reference: shown,
                message,
            },
            (404, Some("NAME_UNKNOWN")) => RegistryError::NameUnknown {
                registry,
                repository: reference.repository().to_owned(),
            },
            (404, Some("BLOB_UNKNOWN")) => RegistryError::BlobUnknown {
                repository: reference.name(),
                message,
            },
            (404, None) if resource == Resource::Referrers => {
                RegistryError::ReferrersUnsupported { registry }
            }
            (404, _) => RegistryError::NotFound {
                reference: shown,
                message,
            },
            (429, _) => RegistryError::TooManyRequests {
                registry,
                retry_after: retry_after.and_then(RetryAfter::parse),
                message,
            },
            (500..=599, _) => RegistryError::ServerError {
                registry,
                status,
                message,
            },
            _ => RegistryError::UnexpectedStatus {
                registry,
                status,
                message,
            },
        }
    }

    /// [`RegistryError::from_response`] for an answer that came through a proxy: the proxy's own
    /// refusal when the body is one, else the registry's answer it passed on.
    pub fn from_proxied_response(
        status: u16,
        body: &[u8],
        retry_after: Option<&str>,
        reference: &Reference,
        resource: Resource,
    ) -> RegistryError {
        match ProxyRefusal::from_response(status, body) {
            Some(refusal) => RegistryError::ProxyRefused {
                registry: reference.registry().to_owned(),
                refusal,
            },
            None => RegistryError::from_response(status, body, retry_after, reference, resource),
        }
    }

    /// The browser blocked the response. `page_origin` is this page's origin, for the config.
    pub fn cors_blocked(reference: &Reference, page_origin: &str) -> RegistryError {
        RegistryError::CorsBlocked {
            reference: reference.to_string(),
            registry: reference.registry().to_owned(),
            page_origin: page_origin.to_owned(),
            ways_on: ways_on(reference),
        }
    }

    /// Why a request failed without a response. Offline first (nothing else can be known), then
    /// a redirect, then a registry that is readable without a preflight, then the proxy, then
    /// CORS — which is also what an unreachable host looks like to a page.
    pub fn from_failure(
        facts: &FailureFacts<'_>,
        reference: &Reference,
        blob: Option<&Digest>,
        page_origin: &str,
    ) -> RegistryError {
        if !facts.online {
            return RegistryError::NetworkDown;
        }
        if facts.redirected {
            return match blob {
                Some(digest) => RegistryError::redirect_blocked(reference, digest, None),
                None => RegistryError::RedirectFailed {
                    reference: reference.to_string(),
                },
            };
        }
        if let Some(status) = facts.probe_status {
            return RegistryError::PreflightRefused {
                reference: reference.to_string(),
                registry: reference.registry().to_owned(),
                page_origin: page_origin.to_owned(),
                status,
                ways_on: ways_on(reference),
            };
        }
        match facts.proxy.map(str::trim).filter(|p| !p.is_empty()) {
            Some(proxy) => RegistryError::ProxyFailed {
                proxy: proxy.to_owned(),
                registry: reference.registry().to_owned(),
            },
            None => RegistryError::cors_blocked(reference, page_origin),
        }
    }

    /// Stable short name, used as `data-kind` in the page.
    pub fn slug(&self) -> &'static str {
        match self {
            RegistryError::Unauthorized { .. } => "unauthorized",
            RegistryError::Forbidden { .. } => "forbidden",
            RegistryError::ManifestUnknown { .. } => "manifest-unknown",
            RegistryError::NameUnknown { .. } => "name-unknown",
            RegistryError::BlobUnknown { .. } => "blob-unknown",
            RegistryError::DigestIsBlob { .. } => "digest-is-blob",
            RegistryError::ReferrersUnsupported { .. } => "referrers-unsupported",
            RegistryError::NotFound { .. } => "not-found",
            RegistryError::TooManyRequests { .. } => "rate-limited",
            RegistryError::ServerError { .. } => "server-error",
            RegistryError::UnexpectedStatus { .. } => "unexpected-status",
            RegistryError::CorsBlocked { .. } => "cors-blocked",
            RegistryError::PreflightRefused { .. } => "preflight-refused",
            RegistryError::ProxyFailed { .. } => "proxy-failed",
            RegistryError::ProxyRefused { .. } => "proxy-refused",
            RegistryError::RedirectBlocked { .. } => "redirect-blocked",
            RegistryError::RedirectFailed { .. } => "redirect-failed",
            RegistryError::Timeout { .. } => "timeout",
            RegistryError::NetworkDown => "network-down",
            RegistryError::Interrupted { .. } => "interrupted",
            RegistryError::BadProxyPrefix { .. } => "bad-proxy-prefix",
            RegistryError::ManifestTooLarge { .. } => "manifest-too-large",
            RegistryError::ConfigTooLarge { .. } => "config-too-large",
            RegistryError::Auth(_) => "auth",
        }
    }

    /// The commands that fetch the same thing from a terminal, when the message offers them.
    pub fn ways_on(&self) -> &[WayOn] {
        match self {
            RegistryError::CorsBlocked { ways_on, .. }
            | RegistryError::PreflightRefused { ways_on, .. }
            | RegistryError::RedirectBlocked { ways_on, .. } => ways_on,
            _ => &[],
        }
    }

    /// The first paragraph of the message: all of it, except for the messages that go on with
    /// registry configuration and commands (the page shows those as blocks of their own).
    pub fn headline(&self) -> String {
        match self {
            RegistryError::CorsBlocked {
                reference, registry, ..
            } => format!(
                "The browser did not let this page read {reference}: {registry} does not allow \
                 reads from web pages (CORS), or it cannot be reached at all (a browser reports \
                 both the same way). Nothing is wrong with the image."
            ),
            RegistryError::PreflightRefused {
                reference,
                registry,
                status: 401,
                ..
            } => format!(
                "{registry} wants a login, and it answers the browser's permission check for \
                 {reference} (the CORS preflight, an OPTIONS request) with 401 instead of \
                 allowing it, so no web page can read it, with or without credentials. \
                 distribution 2.8 does this whenever authentication is enabled."
            ),
            RegistryError::PreflightRefused {
                reference,
                registry,
                status,
                ..
            } => format!(
                "{registry} lets web pages make plain requests (GET /v2/ answered {status}), but \
                 refused the browser's permission check (the CORS preflight) for {reference}, \
                 which sends the Accept header: its CORS settings must allow the Accept and \
                 Authorization headers and the OPTIONS method."
            ),
            RegistryError::RedirectBlocked { location, .. } => format!(
                "The registry sent the download on to {} (blob storage or a CDN), which does not \
                 allow reads from web pages. Set a CORS proxy prefix in this page's settings, or \
                 fetch the blob yourself:",
                location.as_deref().unwrap_or("another server")
            ),
            other => other.to_string(),
        }
    }

    /// A blob redirect to storage that does not allow web pages.
    pub fn redirect_blocked(reference: &Reference, digest: &Digest, location: Option<&str>) -> RegistryError {
        RegistryError::RedirectBlocked {
            location: location.map(str::to_owned),
            ways_on: blob_ways_on(reference, digest),
        }
    }
}

fn said(message: &Option<String>) -> String {
    message
        .as_deref()
        .map(|m| format!(" (the registry says: \"{m}\")"))
        .unwrap_or_default()
}

impl fmt::Display for RegistryError {
    /// One family of messages per helper: what the registry answered, why the page could not
    /// read an answer, what happened to the connection, what this page refuses to read.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let RegistryError::Auth(e) = self {
            return e.fmt(f);
        }
        self.write_status(f)
            .or_else(|| self.write_unreadable(f))
            .or_else(|| self.write_connection(f))
            .or_else(|| self.write_refused_size(f))
            .unwrap_or(Ok(()))
    }
}

impl RegistryError {
    /// The registry answered with an error status; `None` for the other families.
    fn write_status(&self, f: &mut fmt::Formatter<'_>) -> Option<fmt::Result> {
        Some(match self {
            RegistryError::Unauthorized { reference, message } => write!(
                f,
                "{reference}: the registry wants a login (401){}. Either the repository is \
                 private, or it does not exist: Docker Hub answers 401, not 404, for names it \
                 does not know. Check the spelling, or fetch it with your credentials using one \
                 of the commands below.",
                said(message)
            ),
            RegistryError::Forbidden { reference, message } => write!(
                f,
                "{reference}: the registry refuses access (403){}. The repository is private, \
                 or the token has no pull right for it.",
                said(message)
            ),
            RegistryError::ManifestUnknown { reference, message } => {
                write_manifest_unknown(f, reference, message)
            }
            RegistryError::DigestIsBlob {
                reference,
                digest,
                size,
            } => write_digest_is_blob(f, reference, digest, *size),
            RegistryError::NameUnknown { registry, repository } => write!(
                f,
                "there is no repository `{repository}` on {registry} (404 NAME_UNKNOWN)"
            ),
            RegistryError::BlobUnknown { repository, message } => write!(
                f,
                "{repository} has no such blob (404 BLOB_UNKNOWN){}: the manifest points to \
                 content the registry does not hold (deleted, or pushed incompletely)",
                said(message)
            ),
            RegistryError::ReferrersUnsupported { registry } => write!(
                f,
                "{registry} does not offer the OCI 1.1 referrers API (404), so signatures and \
                 SBOMs attached to this image cannot be listed here; tools that use the older \
                 tag scheme (`sha256-<hex>.sig`) still find theirs"
            ),
            RegistryError::NotFound { reference, message } => {
                write!(f, "{reference}: not found (404){}", said(message))
            }
            RegistryError::TooManyRequests {
                registry,
                retry_after,
                message,
            } => write_too_many_requests(f, registry, retry_after.as_ref(), message),
            RegistryError::ServerError {
                registry,
                status,
                message,
            } => write!(
                f,
                "{registry} failed (HTTP {status}){}: the problem is on the registry's side; \
                 try again later",
                said(message)
            ),
            RegistryError::UnexpectedStatus {
                registry,
                status,
                message,
            } => write!(
                f,
                "{registry} answered HTTP {status}{}, which the distribution protocol does not \
                 use for this request",
                said(message)
            ),
            _ => return None,
        })
    }

    /// The browser showed no answer, or the proxy or a redirect stood in the way; `None` for
    /// the other families.
    fn write_unreadable(&self, f: &mut fmt::Formatter<'_>) -> Option<fmt::Result> {
        Some(match self {
            RegistryError::CorsBlocked {
                page_origin, ways_on, ..
            } => self.write_cors_blocked(f, page_origin, ways_on),
            RegistryError::PreflightRefused { status, ways_on, .. } => {
                self.write_preflight_refused(f, *status, ways_on)
            }
            RegistryError::ProxyFailed { proxy, registry } => write!(
                f,
                "The request to {registry} through the CORS proxy {proxy} failed: the proxy cannot \
                 be reached, or it does not allow reads from this page. Check the proxy prefix in \
                 the settings, or clear it to ask the registry directly."
            ),
            RegistryError::ProxyRefused { registry, refusal } if refusal.status >= 500 => write!(
                f,
                "The registry proxy could not get an answer from {registry}: {refusal}"
            ),
            RegistryError::ProxyRefused { registry, refusal } => write!(
                f,
                "The registry proxy refused to forward this request to {registry}: {refusal}"
            ),
            RegistryError::RedirectBlocked { ways_on, .. } => {
                writeln!(f, "{}", self.headline()).and_then(|()| write_commands(f, ways_on))
            }
            RegistryError::RedirectFailed { reference } => write!(
                f,
                "{reference}: the registry answered with a redirect the browser could not follow \
                 to the end: a redirect loop (browsers give up after 20 hops), or a redirect to a \
                 server that does not allow reads from web pages. Nothing was read; `curl -sSIL` \
                 on the manifest URL shows where the redirects lead."
            ),
            _ => return None,
        })
    }

    /// The connection: too slow, absent, broken off, or set up wrong; `None` for the other families.
    fn write_connection(&self, f: &mut fmt::Formatter<'_>) -> Option<fmt::Result> {
        Some(match self {
            RegistryError::Timeout { registry, seconds } => {
                write!(f, "{registry} did not answer within {seconds} seconds")
            }
            RegistryError::NetworkDown => write!(
                f,
                "this computer seems to be offline; no request reached the registry"
            ),
            RegistryError::Interrupted { registry } => write!(
                f,
                "the connection to {registry} broke off while the answer was arriving; try again"
            ),
            RegistryError::BadProxyPrefix { prefix } => write!(
                f,
                "the CORS proxy prefix `{prefix}` is not an http:// or https:// URL; the registry \
                 URL is appended to it, e.g. `https://proxy.example/` + `https://ghcr.io/v2/…`"
            ),
            _ => return None,
        })
    }

    /// An answer larger than this page reads; `None` for the other families.
    fn write_refused_size(&self, f: &mut fmt::Formatter<'_>) -> Option<fmt::Result> {
        Some(match self {
            RegistryError::ManifestTooLarge { size } => write!(
                f,
                "the answer is {size}, but registries refuse manifests over \
                 {MANIFEST_SIZE_CAP} bytes (4 MiB): this is not a manifest (perhaps an HTML \
                 page from a proxy or login portal)"
            ),
            RegistryError::ConfigTooLarge { size } => write!(
                f,
                "the image config is {size}; this page reads at most {CONFIG_SIZE_CAP} \
                 bytes (16 MiB), and skopeo and podman stop at 4 MiB"
            ),
            _ => return None,
        })
    }
}

impl std::error::Error for RegistryError {}

/// A 404 for a manifest; a message about the Accept header means a proxy dropped it.
fn write_manifest_unknown(
    f: &mut fmt::Formatter<'_>,
    reference: &str,
    message: &Option<String>,
) -> fmt::Result {
    write!(
        f,
        "{reference}: the registry has no such tag or digest (404 MANIFEST_UNKNOWN){}.",
        said(message)
    )?;
    if message
        .as_deref()
        .is_some_and(|m| m.to_ascii_lowercase().contains("accept header"))
    {
        write!(
            f,
            " The manifest exists but the request's Accept header did not reach the \
                 registry intact: a proxy in between probably dropped it."
        )?;
    }
    Ok(())
}

/// A digest that names a blob where a manifest was asked for: most often an Image ID.
fn write_digest_is_blob(
    f: &mut fmt::Formatter<'_>,
    reference: &str,
    digest: &str,
    size: Option<u64>,
) -> fmt::Result {
    let size = size.map(|n| format!(" of {n} bytes")).unwrap_or_default();
    write!(
        f,
        "{reference}: {digest} is not a manifest in this repository, but the registry holds a \
         blob{size} with that digest: an image's config (its digest is the Image ID that `docker \
         images` and `docker inspect` show) or a layer. A registry finds an image by its manifest \
         digest, the one `docker inspect --format '{{{{index .RepoDigests 0}}}}' IMAGE` prints; or \
         fetch the image by its tag and find {digest} in its map."
    )
}

/// A 429, and when to try again if the registry said.
fn write_too_many_requests(
    f: &mut fmt::Formatter<'_>,
    registry: &str,
    retry_after: Option<&RetryAfter>,
    message: &Option<String>,
) -> fmt::Result {
    write!(f, "{registry} is limiting requests (429){}", said(message))?;
    match retry_after {
        Some(when) => write!(f, "; try again {when}"),
        None => write!(f, "; wait a while before trying again"),
    }
}

impl RegistryError {
    /// The browser hid the answer: how to let the page read the registry, or go around it.
    fn write_cors_blocked(
        &self,
        f: &mut fmt::Formatter<'_>,
        page_origin: &str,
        ways_on: &[WayOn],
    ) -> fmt::Result {
        write!(
            f,
            "{} Ways on:\n\
                 \n1. If you run the registry, allow this page. distribution (registry:2), \
                 in config.yml:\n\n{}\n\
                 distribution 2.8 answers the browser's OPTIONS preflight with 401 when \
                 authentication is enabled, so with a login a reverse proxy in front must \
                 answer OPTIONS itself. zot, in config.json: {}\n\
                 \n2. Set a CORS proxy prefix in this page's settings; requests (and any \
                 token) then pass through that proxy.\n\
                 \n3. Fetch the manifest yourself and paste its bytes here:\n",
            self.headline(),
            distribution_cors_config(page_origin),
            zot_cors_config(page_origin),
        )?;
        write_commands(f, ways_on)
    }

    /// The registry refused the browser's preflight: the ways around it.
    fn write_preflight_refused(
        &self,
        f: &mut fmt::Formatter<'_>,
        status: u16,
        ways_on: &[WayOn],
    ) -> fmt::Result {
        write!(f, "{} Ways on: ", self.headline())?;
        if status == 401 {
            write!(
                f,
                "put a reverse proxy in front of the registry that answers OPTIONS \
                     itself; "
            )?;
        }
        writeln!(
            f,
            "set a CORS proxy prefix in this page's settings; or log in from a terminal \
                 and fetch the manifest with one of these commands, then paste its bytes here:"
        )?;
        write_commands(f, ways_on)
    }
}

fn write_commands(f: &mut fmt::Formatter<'_>, ways_on: &[WayOn]) -> fmt::Result {
    for way in ways_on {
        write!(f, "\n{}", way.command)?;
    }
    Ok(())
}
