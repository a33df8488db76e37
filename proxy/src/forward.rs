//! One client request forwarded upstream: the policy asked before each hop, redirects followed here,
//! `Authorization` kept to the host it was meant for, and the answer streamed back byte for byte.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

use crate::address::{find_forbidden, CheckingResolver};
use crate::headers::{rewrite_challenge, rewrite_link, FORWARDED_REQUEST_HEADERS, PASSED_RESPONSE_HEADERS};
use crate::hosts::endpoint;
use crate::policy::{Policy, Route};
use crate::refusal::Refusal;
use crate::response::{empty, Body, BoxError};

/// Redirect hops followed before giving up.
const MAX_REDIRECTS: usize = 5;

/// How long each phase of an upstream exchange may take.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    /// From sending the request to the response head.
    pub first_byte: Duration,
    /// Between two chunks of a body.
    pub idle: Duration,
    /// Waiting for a free upstream slot before answering 503.
    pub queue: Duration,
}

/// The upstream side: two HTTP clients and the cap on concurrent exchanges.
pub struct Upstream {
    /// Resolves through `CheckingResolver`: never connects to a forbidden address.
    checked: reqwest::Client,
    /// For the `host:port`s the operator named exactly, whose addresses are allowed on purpose.
    named: reqwest::Client,
    policy: Arc<Policy>,
    permits: Arc<Semaphore>,
    timeouts: Timeouts,
}

/// What the client asked for, reduced to what may be forwarded.
pub struct Request<'a> {
    pub method: &'a Method,
    pub url: Url,
    pub headers: &'a HeaderMap,
    /// `http://HOST/proxy/`, the prefix for URLs rewritten to come back through the proxy.
    pub proxy_base: &'a str,
}

/// What the log says about a forwarded request (never a header value, never a query).
pub struct Outcome {
    pub response: Response<Body>,
    pub hops: usize,
}

impl Upstream {
    pub fn new(
        policy: Arc<Policy>,
        max_concurrent: usize,
        timeouts: Timeouts,
    ) -> Result<Self, reqwest::Error> {
        let resolver = CheckingResolver {
            forbidden: policy.forbidden().clone(),
        };
        let builder = || {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .referer(false)
                .no_proxy()
                .connect_timeout(timeouts.connect)
                .pool_idle_timeout(Duration::from_secs(60))
                .user_agent(concat!("digestlens-proxy/", env!("CARGO_PKG_VERSION")))
        };
        Ok(Upstream {
            checked: builder().dns_resolver(Arc::new(resolver)).build()?,
            named: builder().build()?,
            policy,
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            timeouts,
        })
    }

    /// Forwards `request` (already GET or HEAD), following redirects under the same rules.
    pub async fn forward(&self, request: Request<'_>) -> Result<Outcome, Refusal> {
        let route = self.policy.first_hop(&request.url)?;
        let permit = tokio::time::timeout(self.timeouts.queue, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| Refusal::Busy)?
            .map_err(|_| Refusal::Busy)?;
        let mut hop = request.url.clone();
        for hops in 0..=MAX_REDIRECTS {
            let upstream = self.send(&request, &hop).await?;
            if let Some(next) = redirect_target(&upstream, &hop)? {
                self.policy.redirect_hop(&hop, &next)?;
                hop = next;
                continue;
            }
            // A registry names its realm in its own answer; after a redirect (registry.k8s.io sends
            // reads on to *.pkg.dev) the registry that answered is the one whose realm counts.
            if route == Route::Registry && self.policy.is_registry(&hop) {
                self.learn_realms(upstream.headers(), &hop);
            }
            let response = self.respond(upstream, &hop, request.proxy_base, permit);
            return Ok(Outcome { response, hops });
        }
        Err(Refusal::TooManyRedirects {
            endpoint: endpoint(&request.url),
        })
    }

    async fn send(&self, request: &Request<'_>, hop: &Url) -> Result<reqwest::Response, Refusal> {
        self.policy.check_literal_address(hop)?;
        let client = if self.policy.address_exempt(hop) {
            &self.named
        } else {
            &self.checked
        };
        let mut headers = HeaderMap::new();
        for name in FORWARDED_REQUEST_HEADERS {
            if *name == header::AUTHORIZATION && !same_origin(&request.url, hop) {
                continue;
            }
            for value in request.headers.get_all(name) {
                headers.append(name.clone(), value.clone());
            }
        }
        // Ask for the bytes as stored: nothing to decode, Content-Length and digests stay true.
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        let sent = client
            .request(request.method.clone(), hop.clone())
            .headers(headers)
            .send();
        match tokio::time::timeout(self.timeouts.first_byte, sent).await {
            Err(_) => Err(Refusal::UpstreamTimeout {
                endpoint: endpoint(hop),
            }),
            Ok(Err(error)) => Err(upstream_error(&error, hop)),
            Ok(Ok(response)) => Ok(response),
        }
    }

    fn learn_realms(&self, headers: &HeaderMap, registry: &Url) {
        for value in headers.get_all(header::WWW_AUTHENTICATE) {
            let Ok(text) = value.to_str() else { continue };
            if let Some(realm) = rewrite_challenge(text, registry, "").realm {
                self.policy.remember_realm(&realm, registry);
            }
        }
    }

    fn respond(
        &self,
        upstream: reqwest::Response,
        hop: &Url,
        proxy_base: &str,
        permit: OwnedSemaphorePermit,
    ) -> Response<Body> {
        let mut response = Response::new(empty());
        *response.status_mut() = upstream.status();
        let headers = response.headers_mut();
        for (name, value) in upstream.headers() {
            if !PASSED_RESPONSE_HEADERS.contains(&name.as_str()) {
                continue;
            }
            let rewritten = match (name.as_str(), value.to_str()) {
                ("www-authenticate", Ok(text)) => Some(rewrite_challenge(text, hop, proxy_base).value),
                ("link", Ok(text)) => Some(rewrite_link(text, hop, proxy_base)),
                _ => None,
            };
            match rewritten.and_then(|text| HeaderValue::from_str(&text).ok()) {
                Some(value) => headers.append(name.clone(), value),
                None => headers.append(name.clone(), value.clone()),
            };
        }
        *response.body_mut() = stream_body(upstream.bytes_stream(), self.timeouts.idle, permit);
        response
    }
}

/// The upstream body as it arrives, chunk by chunk; the slot is freed when the body ends or the client
/// goes away (the stream, and with it the permit, is dropped).
fn stream_body(
    chunks: impl Stream<Item = reqwest::Result<Bytes>> + Send + Unpin + 'static,
    idle: Duration,
    permit: OwnedSemaphorePermit,
) -> Body {
    let frames = futures_util::stream::unfold(
        (chunks, permit, false),
        move |(mut chunks, permit, failed)| async move {
            if failed {
                return None;
            }
            match tokio::time::timeout(idle, chunks.next()).await {
                Ok(Some(Ok(bytes))) => Some((Ok(Frame::data(bytes)), (chunks, permit, false))),
                Ok(Some(Err(error))) => Some((Err(BoxError::from(error)), (chunks, permit, true))),
                Ok(None) => None,
                Err(_) => Some((
                    Err(BoxError::from("upstream body idle too long")),
                    (chunks, permit, true),
                )),
            }
        },
    );
    StreamBody::new(frames).boxed_unsync()
}

/// The next URL when the answer is a redirect with a `Location`.
fn redirect_target(response: &reqwest::Response, hop: &Url) -> Result<Option<Url>, Refusal> {
    let redirect = matches!(
        response.status(),
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    );
    let Some(location) = response.headers().get(header::LOCATION).filter(|_| redirect) else {
        return Ok(None);
    };
    let next = location.to_str().ok().and_then(|text| hop.join(text).ok());
    next.map(Some)
        .ok_or_else(|| Refusal::RedirectInvalid { from: endpoint(hop) })
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

fn upstream_error(error: &reqwest::Error, hop: &Url) -> Refusal {
    if let Some(forbidden) = find_forbidden(error) {
        return Refusal::ForbiddenAddress {
            endpoint: endpoint(hop),
            ip: forbidden.ip,
        };
    }
    if error.is_timeout() {
        Refusal::UpstreamTimeout {
            endpoint: endpoint(hop),
        }
    } else if error.is_connect() {
        Refusal::UpstreamUnreachable {
            endpoint: endpoint(hop),
        }
    } else {
        Refusal::UpstreamFailed {
            endpoint: endpoint(hop),
        }
    }
}
