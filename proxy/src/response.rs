//! The response body type every route answers with, and the JSON refusal response.

use bytes::Bytes;
use http::{header, HeaderValue, Response};
use http_body_util::{combinators::UnsyncBoxBody, BodyExt, Empty, Full};

use crate::refusal::Refusal;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A streamed or whole body; upstream bodies are streamed chunk by chunk, never buffered.
pub type Body = UnsyncBoxBody<Bytes, BoxError>;

pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

pub fn empty() -> Body {
    Empty::new().map_err(|never| match never {}).boxed_unsync()
}

/// `{"error":…,"why":…}` with the refusal's status (and `Retry-After` where a retry makes sense).
pub fn refusal(refusal: &Refusal) -> Response<Body> {
    let mut response = Response::new(full(refusal.body()));
    *response.status_mut() = refusal.status();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(seconds) = refusal.retry_after() {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if matches!(refusal, Refusal::MethodNotAllowed { .. }) {
        headers.insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, OPTIONS"));
    }
    response
}
