//! Blobs read as streams of chunks, from a registry (`fetch` and its `ReadableStream` body) or
//! from a local file (`Blob.stream()`), never as one buffer: a layer can be many GiB.
//!
//! Runs in a window or a worker alike: `fetch` is called on whichever global scope this is. The
//! registry client can share it for any blob download.
//!
//! A failed `fetch` is a bare `TypeError`; the browser does not say whether the registry was
//! unreachable, refused CORS, or redirected to storage that refuses CORS (S3, GCS and CDNs serve
//! blobs for many registries). So after a failure the same URL is asked once more with
//! `redirect: "manual"`: an opaque redirect proves the registry itself answered and sent the
//! download elsewhere, and the message can name that.

use crate::core::digest::Digest;
use crate::core::distribution::auth::AuthError;
use crate::core::distribution::error::{FailureFacts, RegistryError, Resource};
use crate::core::reference::Reference;
use crate::ui::layers::protocol::RegistryBlob;
use js_sys::{Promise, Reflect, Uint8Array};
use std::fmt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortSignal, Headers, ReadableStream, ReadableStreamByobReader, ReadableStreamDefaultReader, RequestInit,
    RequestMode, RequestRedirect, Response, ResponseType,
};

#[wasm_bindgen]
extern "C" {
    /// `fetch` of the global scope running this code: the window's or the worker's.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Promise;
}

/// Error bodies are read for their message only; a registry has no reason to send more.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobStreamError {
    Registry(RegistryError),
    /// The registry answered 401 to the token its token server issued for the download.
    TokenRefused {
        reference: String,
    },
    /// The registry answered 200 without a body.
    NoBody,
    /// Reading stopped in the middle.
    Interrupted {
        received: u64,
        detail: String,
    },
}

impl fmt::Display for BlobStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlobStreamError::Registry(e) => e.fmt(f),
            BlobStreamError::TokenRefused { reference } => write!(
                f,
                "The registry refused the access token its token server gave this page for {reference}: \
                 the token may have expired while the layer waited for its turn, or it does not allow \
                 pulling from this repository. Press \"Verify layers\" again to ask for a new one."
            ),
            BlobStreamError::NoBody => write!(f, "The registry answered without sending the blob."),
            BlobStreamError::Interrupted { received, detail } => write!(
                f,
                "Reading broke off after {received} bytes ({detail}): the connection dropped or the \
                 file changed. Try again."
            ),
        }
    }
}

/// A blob response that is ready to be read.
pub struct OpenedBlob {
    pub stream: ReadableStream,
    /// `Content-Length`, when the registry exposes it to the page.
    pub length: Option<u64>,
}

fn request(signal: &AbortSignal, redirect: RequestRedirect, authorization: Option<&str>) -> RequestInit {
    let init = RequestInit::new();
    init.set_method("GET");
    if let Some(value) = authorization {
        if let Ok(headers) = Headers::new() {
            let _ = headers.set("Authorization", value);
            init.set_headers(&headers);
        }
    }
    init.set_mode(RequestMode::Cors);
    init.set_redirect(redirect);
    init.set_signal(Some(signal));
    init
}

async fn fetch(url: &str, init: &RequestInit) -> Result<Response, JsValue> {
    JsFuture::from(global_fetch(url, init)).await?.dyn_into()
}

/// GETs blob `digest` of `reference`'s repository as `blob` says (its URL, through the proxy
/// prefix if set, and its `Authorization`, from the registry client) and returns its body as a
/// stream.
pub async fn open(
    blob: &RegistryBlob,
    reference: &Reference,
    digest: &Digest,
    signal: &AbortSignal,
) -> Result<OpenedBlob, BlobStreamError> {
    let authorization = blob.authorization.as_ref().map(|a| a.0.as_str());
    let url = blob.url.as_str();
    let response = match fetch(url, &request(signal, RequestRedirect::Follow, authorization)).await {
        Ok(response) => response,
        Err(_) if signal.aborted() => return Err(interrupted(0, "cancelled")),
        Err(_) => {
            let probe = request(signal, RequestRedirect::Manual, authorization);
            return Err(BlobStreamError::Registry(
                diagnose(url, &probe, blob.proxy.as_deref(), reference, digest).await,
            ));
        }
    };
    if response.status() == 401 && blob.issued_token {
        // Whatever login the token was got with, the registry refused the token itself.
        return Err(BlobStreamError::TokenRefused {
            reference: blob.reference.clone(),
        });
    }
    if response.status() == 401 && blob.credentials_given {
        // As the manifest fetch says it: the typed login itself was sent and refused.
        return Err(BlobStreamError::Registry(RegistryError::Auth(
            AuthError::CredentialsRejected,
        )));
    }
    if !response.ok() {
        let body = error_body(&response).await;
        let retry_after = response.headers().get("Retry-After").ok().flatten();
        // Through a proxy, the answer may be the proxy's own refusal rather than the registry's.
        let classify = if blob.proxy.is_some() {
            RegistryError::from_proxied_response
        } else {
            RegistryError::from_response
        };
        return Err(BlobStreamError::Registry(classify(
            response.status(),
            &body,
            retry_after.as_deref(),
            reference,
            Resource::Blob,
        )));
    }
    let length = response
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|l| l.trim().parse().ok());
    let stream = response.body().ok_or(BlobStreamError::NoBody)?;
    Ok(OpenedBlob { stream, length })
}

/// Why a blob GET failed without a response (see the module docs): a redirect, else the proxy
/// when one is set, else CORS, as for a manifest.
async fn diagnose(
    url: &str,
    probe: &RequestInit,
    proxy: Option<&str>,
    reference: &Reference,
    digest: &Digest,
) -> RegistryError {
    let redirected = matches!(
        fetch(url, probe).await,
        Ok(response) if response.type_() == ResponseType::Opaqueredirect
    );
    let facts = FailureFacts {
        online: true,
        proxy,
        redirected,
        probe_status: None,
    };
    RegistryError::from_failure(&facts, reference, Some(digest), &page_origin())
}

/// The origin of the page (or of the worker, which is the page's).
fn page_origin() -> String {
    Reflect::get(&js_sys::global(), &JsValue::from_str("origin"))
        .ok()
        .and_then(|o| o.as_string())
        .unwrap_or_default()
}

/// The start of an error response's body: enough for a distribution error document.
async fn error_body(response: &Response) -> Vec<u8> {
    let Some(stream) = response.body() else {
        return Vec::new();
    };
    let mut reader = ChunkReader::new(&stream);
    let mut body = Vec::new();
    let mut chunk = Vec::new();
    while body.len() < ERROR_BODY_LIMIT {
        match reader.next(&mut chunk).await {
            Ok(true) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    reader.cancel();
    body.truncate(ERROR_BODY_LIMIT);
    body
}

fn interrupted(received: u64, detail: &str) -> BlobStreamError {
    BlobStreamError::Interrupted {
        received,
        detail: detail.to_owned(),
    }
}

/// Bytes asked for per read from a byte stream.
const READ_SIZE: u32 = 1 << 20;

enum Reader {
    /// "Bring your own buffer": the stream fills one buffer over and over (`Blob.stream()` and
    /// `fetch` bodies are byte streams in current browsers), so reading a GiB allocates nothing.
    Byob(ReadableStreamByobReader),
    /// Any other stream hands out a new array per chunk.
    Default(ReadableStreamDefaultReader),
}

/// Reads a `ReadableStream` of bytes chunk by chunk into wasm memory.
///
/// One read is always outstanding: the next chunk is asked for as soon as the current one is
/// copied out, so the browser reads the file or the network while the caller hashes.
pub struct ChunkReader {
    reader: Option<Reader>,
    ahead: Option<JsFuture>,
    /// The buffer a BYOB read fills (handed back by the stream after every read).
    buffer: Option<Uint8Array>,
    received: u64,
}

impl ChunkReader {
    pub fn new(stream: &ReadableStream) -> ChunkReader {
        let reader = match ReadableStreamByobReader::new(stream) {
            Ok(byob) => Some(Reader::Byob(byob)),
            Err(_) => stream.get_reader().dyn_into().ok().map(Reader::Default),
        };
        ChunkReader {
            reader,
            ahead: None,
            buffer: None,
            received: 0,
        }
    }

    /// Bytes read so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    fn read(&mut self) -> Option<JsFuture> {
        Some(JsFuture::from(match self.reader.as_ref()? {
            Reader::Byob(reader) => {
                let buffer = self
                    .buffer
                    .take()
                    .unwrap_or_else(|| Uint8Array::new_with_length(READ_SIZE));
                reader.read_with_array_buffer_view(&buffer)
            }
            Reader::Default(reader) => reader.read(),
        }))
    }

    /// Puts the next chunk into `chunk` (replacing its contents); `false` at the end.
    pub async fn next(&mut self, chunk: &mut Vec<u8>) -> Result<bool, BlobStreamError> {
        let pending = match self.ahead.take() {
            Some(pending) => pending,
            None => self
                .read()
                .ok_or_else(|| interrupted(self.received, "the stream is locked"))?,
        };
        let result = pending
            .await
            .map_err(|e| interrupted(self.received, &describe(&e)))?;
        let done = Reflect::get(&result, &JsValue::from_str("done"))
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return Ok(false);
        }
        let value = Reflect::get(&result, &JsValue::from_str("value"))
            .ok()
            .and_then(|v| v.dyn_into::<Uint8Array>().ok())
            .ok_or_else(|| interrupted(self.received, "the stream gave something other than bytes"))?;
        chunk.resize(value.length() as usize, 0);
        value.copy_to(chunk);
        self.received += chunk.len() as u64;
        if matches!(self.reader, Some(Reader::Byob(_))) {
            // The filled view covers part of the buffer; the next read may use all of it.
            self.buffer = Some(Uint8Array::new(&value.buffer()));
        }
        self.ahead = self.read();
        Ok(true)
    }

    /// Stops the stream (the download or file read ends; nothing more is read).
    pub fn cancel(&mut self) {
        self.ahead = None;
        let cancelled = match self.reader.take() {
            Some(Reader::Byob(reader)) => reader.cancel(),
            Some(Reader::Default(reader)) => reader.cancel(),
            None => return,
        };
        // Settles when the source has stopped; awaited only so a rejection is handled.
        let settled = JsFuture::from(cancelled);
        wasm_bindgen_futures::spawn_local(async move {
            let _ = settled.await;
        });
    }
}

/// A thrown JS value as text (`TypeError: network error`).
fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.to_string()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}
