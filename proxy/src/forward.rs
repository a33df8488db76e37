//! One client request forwarded upstream: the policy asked before each hop, redirects followed here,
//! `Authorization` kept to the host it was meant for, and the answer streamed back byte for byte.

use std::error::Error;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::dns::GaiResolver;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

use crate::address::{find_forbidden, CheckingResolver};
use crate::headers::{rewrite_challenge, rewrite_link, FORWARDED_REQUEST_HEADERS, PASSED_RESPONSE_HEADERS};
use crate::hosts::endpoint;
use crate::policy::{Policy, Route};
use crate::refusal::Refusal;
use crate::relay::Relay;
use crate::response::{empty, Body};

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

/// The most a single read from a registry connection takes in (hyper's default is ~400 KiB; the
/// buffer starts at 8 KiB and grows only while reads fill it). Larger reads mean fewer wake-ups and
/// system calls per byte on both sides of the proxy: the CPU that the forwarding costs.
const UPSTREAM_READ_BUFFER: usize = 1024 * 1024;

/// What a client of ours sends a registry that asked for nothing in particular.
const USER_AGENT: &str = concat!("digestlens-proxy/", env!("CARGO_PKG_VERSION"));

/// An HTTP/1 client over TCP (plain http only where the policy allows it) or rustls.
type HttpClient<R> = Client<HttpsConnector<HttpConnector<R>>, Empty<Bytes>>;

/// The upstream side: two HTTP clients and the cap on concurrent exchanges.
pub struct Upstream {
    /// Resolves through `CheckingResolver`: never connects to a forbidden address.
    checked: HttpClient<CheckingResolver>,
    /// For the `host:port`s the operator named exactly, whose addresses are allowed on purpose.
    named: HttpClient<GaiResolver>,
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
    pub fn new(policy: Arc<Policy>, max_concurrent: usize, timeouts: Timeouts) -> Self {
        let resolver = CheckingResolver {
            forbidden: policy.forbidden().clone(),
        };
        Upstream {
            checked: http_client(HttpConnector::new_with_resolver(resolver), timeouts.connect),
            named: http_client(HttpConnector::new(), timeouts.connect),
            policy,
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            timeouts,
        }
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

    async fn send(&self, request: &Request<'_>, hop: &Url) -> Result<Response<Incoming>, Refusal> {
        self.policy.check_literal_address(hop)?;
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
        headers.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
        headers
            .entry(header::ACCEPT)
            .or_insert(HeaderValue::from_static("*/*"));
        let mut upstream = http::Request::new(Empty::new());
        *upstream.method_mut() = request.method.clone();
        *upstream.uri_mut() = request_uri(hop)?;
        *upstream.headers_mut() = headers;
        let sent = if self.policy.address_exempt(hop) {
            self.named.request(upstream)
        } else {
            self.checked.request(upstream)
        };
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
        upstream: Response<Incoming>,
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
        let relay = Relay::new(upstream.into_body(), self.timeouts.idle, permit);
        *response.body_mut() = relay.boxed_unsync();
        response
    }
}

/// One of the two upstream clients, over `http` (which resolves and checks the address).
fn http_client<R>(mut http: HttpConnector<R>, connect_timeout: Duration) -> HttpClient<R>
where
    HttpsConnector<HttpConnector<R>>:
        hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    http.enforce_http(false);
    http.set_connect_timeout(Some(connect_timeout));
    http.set_nodelay(true);
    let connector = HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .pool_timer(TokioTimer::new())
        .http1_max_buf_size(UPSTREAM_READ_BUFFER)
        .build(connector)
}

/// The request target as hyper takes it (a fragment is never sent).
fn request_uri(hop: &Url) -> Result<Uri, Refusal> {
    let mut url = hop.clone();
    url.set_fragment(None);
    url.as_str().parse().map_err(|_| Refusal::UpstreamFailed {
        endpoint: endpoint(hop),
    })
}

/// The next URL when the answer is a redirect with a `Location`.
fn redirect_target(response: &Response<Incoming>, hop: &Url) -> Result<Option<Url>, Refusal> {
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

fn upstream_error(error: &hyper_util::client::legacy::Error, hop: &Url) -> Refusal {
    if let Some(forbidden) = find_forbidden(error) {
        return Refusal::ForbiddenAddress {
            endpoint: endpoint(hop),
            ip: forbidden.ip,
        };
    }
    if timed_out(error) {
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

/// Whether a connect timeout (or another timed-out socket operation) is what ended the exchange.
fn timed_out(error: &(dyn Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(err) = current {
        if err
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::TimedOut)
        {
            return true;
        }
        current = err.source();
    }
    false
}
