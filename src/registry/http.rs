//! The page's one way to ask a registry for anything: manifests, tokens, referrers, tag lists
//! and layer blobs. A [`Request`] is built here (Accept list, `Authorization`, redirect mode, no
//! caching), sent on whichever global scope runs the code (the window, or a layer worker),
//! raced against the timeout and the cancellation (either aborts it, so the browser drops the
//! connection too), and every failure is named one way, as a
//! [`RegistryError`](crate::core::distribution::error::RegistryError): a status through
//! [`Connection::status_error`], an answer the browser hid through [`Connection::diagnose`].
//! Bodies are read up to a cap ([`Connection::exchange`]: manifests, tokens, error documents) or
//! handed out as a stream ([`Connection::open`] and [`ChunkReader`](super::stream::ChunkReader):
//! blobs).
//!
//! Sent with gloo-net, for both: its `fetch` is the global scope's own (so it works in a Worker,
//! which has no `window`), and its `Response` hands out the body as a `ReadableStream`, so the
//! full reads and the chunked blob reads share one request path (a web-sys-only version would
//! repeat its bindings here). Headers are set on a web-sys `Headers` first, because gloo-net's
//! setter throws (a trap in wasm) on a value the browser refuses, where this layer names it.
//!
//! A failed `fetch` is a bare `TypeError`: the browser does not say whether the registry was
//! unreachable, refused CORS or its preflight, or redirected to storage that refuses CORS. So
//! [`Connection::diagnose`] asks what can be asked afterwards and lets
//! `RegistryError::from_failure` decide.

use super::stream::ChunkReader;
use super::time::{sleep, Cancel};
use crate::core::digest::Digest;
use crate::core::distribution::answer::{BodyPlan, BodySize, ERROR_BODY_CAP};
use crate::core::distribution::auth::AuthError;
use crate::core::distribution::error::{FailureFacts, RegistryError, Resource};
use crate::core::distribution::version_check_url;
use crate::core::reference::Reference;
use futures::future::{select, Either};
use gloo_net::http::{Headers, Method, RequestBuilder, Response};
use js_sys::Reflect;
use std::future::Future;
use std::pin::pin;
use std::time::Duration;
use wasm_bindgen::JsValue;
use web_sys::{AbortController, RequestCache, RequestCredentials, RequestRedirect, ResponseType};

/// Why a request produced no document.
pub(crate) enum Failure {
    Registry(RegistryError),
    /// The walk was cancelled (or the download aborted); nothing is reported.
    Cancelled,
}

impl From<RegistryError> for Failure {
    fn from(e: RegistryError) -> Self {
        Failure::Registry(e)
    }
}

impl From<AuthError> for Failure {
    fn from(e: AuthError) -> Self {
        Failure::Registry(RegistryError::Auth(e))
    }
}

/// One request, as every registry request is sent: `cache: no-store` (a digest must come from
/// the bytes the registry sends now), CORS mode, and only the headers set here.
#[derive(Clone, Copy)]
pub(crate) struct Request<'a> {
    url: &'a str,
    /// `HEAD` instead of `GET`.
    head: bool,
    accept: Option<&'a str>,
    authorization: Option<&'a str>,
    /// A `Range` header value (`bytes=first-last`): a few bytes of a blob.
    range: Option<&'a str>,
    redirect: RequestRedirect,
}

impl<'a> Request<'a> {
    /// A GET that follows redirects, without custom headers: a CORS "simple" request, sent
    /// without a preflight round trip.
    pub(crate) fn get(url: &'a str) -> Request<'a> {
        Request {
            url,
            head: false,
            accept: None,
            authorization: None,
            range: None,
            redirect: RequestRedirect::Follow,
        }
    }

    /// A HEAD that does not follow redirects: asks about a blob without downloading it.
    pub(crate) fn head(url: &'a str) -> Request<'a> {
        Request {
            head: true,
            redirect: RequestRedirect::Manual,
            ..Request::get(url)
        }
    }

    pub(crate) fn accept(self, accept: Option<&'a str>) -> Request<'a> {
        Request { accept, ..self }
    }

    pub(crate) fn authorization(self, authorization: Option<&'a str>) -> Request<'a> {
        Request {
            authorization,
            ..self
        }
    }

    pub(crate) fn range(self, range: Option<&'a str>) -> Request<'a> {
        Request { range, ..self }
    }

    /// The same request with `redirect: "manual"`: a redirect comes back as an opaque answer,
    /// which needs no CORS from its target.
    /// Sent without `Accept`, as a request that needs no preflight unless it carries a token.
    fn manual_redirect(self) -> Request<'a> {
        Request {
            accept: None,
            redirect: RequestRedirect::Manual,
            ..self
        }
    }

    /// The builder gloo-net sends. A header value the browser refuses (a token with characters
    /// no header may hold) is an error rather than a request sent without it.
    ///
    /// No browser credentials ride along (`credentials: "omit"`): the only credentials a registry
    /// gets are the ones typed into the page, in `Authorization`. It also keeps the browser from
    /// answering a `Basic` challenge itself: through the proxy the page came with, a registry's 401
    /// arrives from the page's own origin, where it would raise the browser's sign-in box and
    /// hold the request until the timeout instead of letting the page say what the registry wants.
    fn build(&self, controller: &AbortController) -> Result<RequestBuilder, Failure> {
        let headers = web_sys::Headers::new().map_err(|_| AuthError::UnsendableToken)?;
        let fields = [
            ("Accept", self.accept),
            ("Authorization", self.authorization),
            ("Range", self.range),
        ];
        for (name, value) in fields {
            if let Some(value) = value {
                headers.set(name, value).map_err(|_| AuthError::UnsendableToken)?;
            }
        }
        Ok(RequestBuilder::new(self.url)
            .method(if self.head { Method::HEAD } else { Method::GET })
            .cache(RequestCache::NoStore)
            .credentials(RequestCredentials::Omit)
            .redirect(self.redirect)
            .abort_signal(Some(&controller.signal()))
            .headers(Headers::from_raw(headers)))
    }
}

/// What a request read in full produced.
pub(crate) enum Reply {
    /// `fetch` rejected: the browser shows no response (CORS, unreachable, offline, a blocked
    /// redirect). [`Connection::diagnose`] tells which.
    Unreadable,
    /// A 2xx answer's `Content-Length` exceeds the limit (the body was not read), or its body
    /// went on past the limit (read one byte past it, then stopped).
    TooLarge { size: BodySize },
    /// The body stopped arriving half-way.
    Interrupted,
    /// An answer, with its body (an error answer's only up to [`ERROR_BODY_CAP`]).
    Answered { response: Response, body: Vec<u8> },
}

/// What a request whose body is left to the caller produced.
pub(crate) enum Opened {
    /// See [`Reply::Unreadable`].
    Unreadable,
    Answered(Response),
}

/// How requests reach one registry: the reference errors name, the proxy prefix they go
/// through, the page origin the CORS advice names, how long each may take and who may stop them.
pub(crate) struct Connection<'a> {
    pub reference: &'a Reference,
    pub proxy: Option<&'a str>,
    pub page_origin: &'a str,
    /// Per request: from sending it to the last byte of a body read in full, or to the headers
    /// of a stream.
    pub timeout: Duration,
    pub cancel: Option<Cancel>,
}

impl Connection<'_> {
    /// Sends `request` and reads its body as [`BodyPlan`] says: a 2xx answer up to `limit`, an
    /// error answer up to [`ERROR_BODY_CAP`], never more whatever the answer declares. The whole
    /// exchange races the timeout and the cancellation; once it is over the request is aborted,
    /// so the browser stops downloading whatever was refused, skipped or left unread.
    pub(crate) async fn exchange(&self, request: Request<'_>, limit: u64) -> Result<Reply, Failure> {
        let controller = AbortController::new().map_err(|_| self.interrupted())?;
        let builder = request.build(&controller)?;
        let work = async move {
            let Ok(response) = builder.send().await else {
                return Reply::Unreadable;
            };
            let length = response.headers().get("content-length");
            match BodyPlan::of(response.ok(), length.as_deref(), limit) {
                BodyPlan::TooLarge { size } => Reply::TooLarge {
                    size: BodySize::Exactly(size),
                },
                BodyPlan::Skip => Reply::Answered {
                    response,
                    body: Vec::new(),
                },
                BodyPlan::Read { cap } if !response.ok() => {
                    let body = error_body(&response, cap).await;
                    Reply::Answered { response, body }
                }
                BodyPlan::Read { cap } => document_body(response, cap).await,
            }
        };
        let reply = self.race(work, &controller).await;
        // A no-op for a body read to its end; it stops one refused, skipped or cut at its cap.
        controller.abort();
        reply
    }

    /// Sends `request` and hands back the answer with its body unread (a blob's stream), racing
    /// the timeout and the cancellation until the headers arrive. `controller` aborts the
    /// request, and stays the caller's to abort the body's download later; an abort from
    /// elsewhere ends the request as [`Failure::Cancelled`].
    pub(crate) async fn open(
        &self,
        request: Request<'_>,
        controller: &AbortController,
    ) -> Result<Opened, Failure> {
        let builder = request.build(controller)?;
        let signal = controller.signal();
        let work = async move {
            match builder.send().await {
                Ok(response) => Ok(Opened::Answered(response)),
                Err(_) if signal.aborted() => Err(Failure::Cancelled),
                Err(_) => Ok(Opened::Unreadable),
            }
        };
        self.race(work, controller).await?
    }

    /// A non-2xx answer as an error: through a proxy, the proxy's own refusal if it is one.
    /// `retry_after` is the `Retry-After` header, if readable.
    pub(crate) fn status_error(
        &self,
        status: u16,
        body: &[u8],
        retry_after: Option<&str>,
        shown: &Reference,
        resource: Resource,
    ) -> RegistryError {
        let classify = if self.proxy.is_some() {
            RegistryError::from_proxied_response
        } else {
            RegistryError::from_response
        };
        classify(status, body, retry_after, shown, resource)
    }

    /// `fetch` showed nothing for `failed`. Ask what can be asked: is the browser online; did
    /// the registry answer with a redirect (the same request with `redirect: "manual"`: a blob
    /// sent on to storage, or a manifest redirect that loops); does the registry answer a
    /// request without preflight (`GET /v2/`). `shown` is the reference the message names,
    /// `blob` the digest of a blob request.
    pub(crate) async fn diagnose(
        &self,
        failed: Request<'_>,
        shown: &Reference,
        blob: Option<&Digest>,
    ) -> Result<RegistryError, Failure> {
        let online = online();
        let mut facts = FailureFacts {
            online,
            proxy: self.proxy,
            redirected: false,
            probe_status: None,
        };
        if online {
            let reply = self.exchange(failed.manual_redirect(), ERROR_BODY_CAP).await;
            facts.redirected = matches!(
                settled(reply)?,
                Some(Reply::Answered { response, .. }) if response.type_() == ResponseType::Opaqueredirect
            );
            if !facts.redirected {
                let probe = version_check_url(self.reference, self.proxy);
                let reply = self.exchange(Request::get(&probe), ERROR_BODY_CAP).await;
                if let Some(Reply::Answered { response, .. }) = settled(reply)? {
                    facts.probe_status = Some(response.status());
                }
            }
        }
        Ok(RegistryError::from_failure(&facts, shown, blob, self.page_origin))
    }

    /// The answer began to arrive, then the connection broke.
    pub(crate) fn interrupted(&self) -> RegistryError {
        RegistryError::Interrupted {
            registry: self.reference.registry().to_owned(),
        }
    }

    /// `work`, unless the timeout or the cancellation comes first; then the request is aborted
    /// so the browser drops the connection too.
    pub(crate) async fn race<T>(
        &self,
        work: impl Future<Output = T>,
        controller: &AbortController,
    ) -> Result<T, Failure> {
        let cancel = self.cancel.clone();
        if cancel.as_ref().is_some_and(Cancel::is_cancelled) {
            return Err(Failure::Cancelled);
        }
        let cancelled = pin!(async move {
            match cancel {
                Some(cancel) => cancel.cancelled().await,
                None => std::future::pending().await,
            }
        });
        let timer = pin!(sleep(self.timeout));
        match select(pin!(work), select(timer, cancelled)).await {
            Either::Left((value, _)) => Ok(value),
            Either::Right((stop, _)) => {
                controller.abort();
                match stop {
                    Either::Left(_) => Err(RegistryError::Timeout {
                        registry: self.reference.registry().to_owned(),
                        seconds: u32::try_from(self.timeout.as_secs()).unwrap_or(u32::MAX),
                    }
                    .into()),
                    Either::Right(_) => Err(Failure::Cancelled),
                }
            }
        }
    }
}

/// `work`, or `None` when `timeout` passes first: a wait the caller names itself (a blob's
/// next chunk).
pub(crate) async fn within<T>(timeout: Duration, work: impl Future<Output = T>) -> Option<T> {
    match select(pin!(work), pin!(sleep(timeout))).await {
        Either::Left((value, _)) => Some(value),
        Either::Right(_) => None,
    }
}

/// The start of an error answer's body, up to `cap` bytes: enough for a distribution error
/// document. Read from the stream, so a long answer without `Content-Length` stops at the cap.
pub(crate) async fn error_body(response: &Response, cap: u64) -> Vec<u8> {
    match response.body() {
        Some(stream) => ChunkReader::new(&stream)
            .read_up_to(cap)
            .await
            .unwrap_or_default(),
        None => Vec::new(),
    }
}

/// A 2xx answer's body, read from the stream up to `cap` bytes and one more: an answer without
/// `Content-Length` (chunked) that has that byte is refused as larger than `cap`, so a hostile
/// registry cannot make the page hold more than `cap + 1` bytes of it.
async fn document_body(response: Response, cap: u64) -> Reply {
    let Some(stream) = response.body() else {
        return Reply::Answered {
            response,
            body: Vec::new(),
        };
    };
    match ChunkReader::new(&stream).read_up_to(cap.saturating_add(1)).await {
        Some(body) if u64::try_from(body.len()).map_or(true, |read| read > cap) => Reply::TooLarge {
            size: BodySize::MoreThan(cap),
        },
        Some(body) => Reply::Answered { response, body },
        None => Reply::Interrupted,
    }
}

/// `navigator.onLine` of the window or the worker; online when the browser does not say.
fn online() -> bool {
    Reflect::get(&js_sys::global(), &JsValue::from_str("navigator"))
        .and_then(|navigator| Reflect::get(&navigator, &JsValue::from_str("onLine")))
        .ok()
        .and_then(|on_line| on_line.as_bool())
        .unwrap_or(true)
}

/// The origin of the page (or of the worker, which is the page's).
pub(crate) fn global_origin() -> String {
    Reflect::get(&js_sys::global(), &JsValue::from_str("origin"))
        .ok()
        .and_then(|o| o.as_string())
        .unwrap_or_default()
}

/// A follow-up question's answer: cancellation ends the walk, a timeout or other failure just
/// means no answer.
pub(crate) fn settled(reply: Result<Reply, Failure>) -> Result<Option<Reply>, Failure> {
    match reply {
        Ok(reply) => Ok(Some(reply)),
        Err(Failure::Cancelled) => Err(Failure::Cancelled),
        Err(Failure::Registry(_)) => Ok(None),
    }
}
