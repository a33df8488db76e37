//! The HTTP side facing the browser: accepts connections, caps header sizes, and routes each request
//! to the page's static files, the `GET /proxy/` self-description, or a forwarded registry read.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::request::Parts;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::cors::Cors;
use crate::forward::{self, Upstream};
use crate::hosts::endpoint;
use crate::limits::RateLimiter;
use crate::policy::Policy;
use crate::refusal::Refusal;
use crate::response::{self, full, Body};

/// Request line plus headers beyond this are answered 431 with a JSON reason.
pub const HEADER_LIMIT: usize = 16 * 1024;
/// hyper's own read buffer: requests beyond it are cut off with a bare 431 before we see them.
const READ_BUFFER: usize = 64 * 1024;
/// A client must send its whole request head within this time.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
const PROXY_PREFIX: &str = "/proxy/";
/// Open client connections at once; further clients wait in the listen backlog.
const MAX_CONNECTIONS: usize = 4096;

/// Everything a request needs, shared by all connections.
pub struct App {
    pub policy: Arc<Policy>,
    pub upstream: Upstream,
    pub limiter: RateLimiter,
    pub statics: ServeDir,
    pub cors: Cors,
}

/// Serves connections from `listener` until the process ends.
pub async fn run(listener: TcpListener, app: Arc<App>) {
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(slot) = connections.clone().acquire_owned().await else {
            return;
        };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                eprintln!("accept failed: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let app = app.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let app = app.clone();
                async move { Ok::<_, Infallible>(app.handle(request, peer).await) }
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .max_buf_size(READ_BUFFER)
                .serve_connection(TokioIo::new(stream), service);
            // A client that goes away mid-body ends its connection here and nothing else.
            let _ = connection.await;
            drop(slot);
        });
    }
}

impl App {
    async fn handle(&self, request: Request<Incoming>, peer: SocketAddr) -> Response<Body> {
        let size = head_size(request.uri(), request.headers());
        if size > HEADER_LIMIT {
            let refusal = Refusal::HeadersTooLarge {
                bytes: size,
                limit: HEADER_LIMIT,
            };
            eprintln!(
                "{} {} (request head) -> refused {} {}",
                peer.ip(),
                request.method(),
                refusal.status().as_u16(),
                refusal.error()
            );
            return response::refusal(&refusal);
        }
        let path = request.uri().path();
        if path == "/proxy" || path.starts_with(PROXY_PREFIX) {
            let (parts, _body) = request.into_parts();
            let origin = self.cors.allowed(&parts.headers);
            let mut response = self.proxy(&parts, peer.ip()).await;
            Cors::decorate(origin.as_ref(), &mut response);
            return response;
        }
        self.static_file(request).await
    }

    async fn proxy(&self, request: &Parts, client: IpAddr) -> Response<Body> {
        let method = &request.method;
        if method == Method::OPTIONS {
            return Cors::preflight(self.cors.allowed(&request.headers).as_ref());
        }
        if method != Method::GET && method != Method::HEAD {
            return self.refuse(
                client,
                method,
                "-",
                Refusal::MethodNotAllowed {
                    method: method.to_string(),
                },
            );
        }
        let target = request.uri.path_and_query().map_or("", |pq| pq.as_str());
        let target = target.strip_prefix(PROXY_PREFIX).unwrap_or("");
        if target.is_empty() || target.starts_with('?') {
            return self.describe();
        }
        if let Err(wait) = self.limiter.check(client) {
            return self.refuse(client, method, "-", Refusal::RateLimited { retry_after: wait });
        }
        let url = match Policy::parse_target(target) {
            Ok(url) => url,
            Err(refusal) => return self.refuse(client, method, "-", refusal),
        };
        let shown = format!("{}{}", endpoint(&url), url.path());
        let started = Instant::now();
        let base = proxy_base(request);
        let forwarded = forward::Request {
            method,
            url,
            headers: &request.headers,
            proxy_base: &base,
        };
        match self.upstream.forward(forwarded).await {
            Ok(outcome) => {
                let status = outcome.response.status().as_u16();
                let ms = started.elapsed().as_millis();
                eprintln!(
                    "{client} {method} {shown} -> {status} ({} redirects, {ms} ms to headers)",
                    outcome.hops
                );
                outcome.response
            }
            Err(refusal) => self.refuse(client, method, &shown, refusal),
        }
    }

    fn refuse(&self, client: IpAddr, method: &Method, shown: &str, refusal: Refusal) -> Response<Body> {
        eprintln!(
            "{client} {method} {shown} -> refused {} {}",
            refusal.status().as_u16(),
            refusal.error()
        );
        response::refusal(&refusal)
    }

    /// `GET /proxy/`: names the proxy so the page can discover it.
    fn describe(&self) -> Response<Body> {
        let body = serde_json::json!({
            "proxy": "digestlens-proxy",
            "version": env!("CARGO_PKG_VERSION"),
            "registries": self.policy.registries(),
        });
        let mut response = Response::new(full(body.to_string()));
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }

    async fn static_file(&self, request: Request<Incoming>) -> Response<Body> {
        let method = request.method().clone();
        if method != Method::GET && method != Method::HEAD {
            return response::refusal(&Refusal::MethodNotAllowed {
                method: method.to_string(),
            });
        }
        let served = self.statics.clone().oneshot(request).await;
        let mut response = match served {
            Ok(response) => response.map(|body| {
                http_body_util::BodyExt::boxed_unsync(http_body_util::BodyExt::map_err(body, Into::into))
            }),
            Err(never) => match never {},
        };
        if response.status() == StatusCode::OK || response.status() == StatusCode::NOT_MODIFIED {
            response
                .headers_mut()
                .insert("x-content-type-options", HeaderValue::from_static("nosniff"));
        }
        response
    }
}

/// Bytes of the request line and headers as the client sent them (near enough: name, value, `: `, CRLF).
fn head_size(uri: &http::Uri, headers: &http::HeaderMap) -> usize {
    let uri = uri.to_string().len();
    let headers: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    uri + headers
}

/// `http://HOST/proxy/` as the client reached us, for realms and links rewritten to come back here.
/// Behind a TLS-terminating front (`X-Forwarded-Proto: https`) the scheme is https.
fn proxy_base(request: &Parts) -> String {
    let host = request
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.parse::<http::uri::Authority>().is_ok())
        .unwrap_or("localhost");
    let https = request
        .headers
        .get("x-forwarded-proto")
        .is_some_and(|p| p.as_bytes().eq_ignore_ascii_case(b"https"));
    format!("{}://{host}{PROXY_PREFIX}", if https { "https" } else { "http" })
}
