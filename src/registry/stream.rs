//! A `ReadableStream` of bytes read chunk by chunk into wasm memory: registry bodies (a blob
//! can be many GiB, never one buffer) and local files (`Blob.stream()`), in a window or a worker.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStream, ReadableStreamByobReader, ReadableStreamDefaultReader};

/// Bytes asked for per read from a byte stream.
const READ_SIZE: u32 = 1 << 20;

/// Reading stopped in the middle: after how many bytes, and what the stream said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenOff {
    pub received: u64,
    pub detail: String,
}

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

    fn broken_off(&self, detail: &str) -> BrokenOff {
        BrokenOff {
            received: self.received,
            detail: detail.to_owned(),
        }
    }

    /// Puts the next chunk into `chunk` (replacing its contents); `false` at the end.
    pub async fn next(&mut self, chunk: &mut Vec<u8>) -> Result<bool, BrokenOff> {
        let pending = match self.ahead.take() {
            Some(pending) => pending,
            None => self
                .read()
                .ok_or_else(|| self.broken_off("the stream is locked"))?,
        };
        let result = pending.await.map_err(|e| self.broken_off(&describe(&e)))?;
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
            .ok_or_else(|| self.broken_off("the stream gave something other than bytes"))?;
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

    /// Reads on until the end or `cap` bytes (the rest is left unread and the stream stopped);
    /// `None` when the stream broke off first.
    pub async fn read_up_to(mut self, cap: u64) -> Option<Vec<u8>> {
        let cap = usize::try_from(cap).unwrap_or(usize::MAX);
        let mut body = Vec::new();
        let mut chunk = Vec::new();
        let complete = loop {
            if body.len() >= cap {
                break true;
            }
            match self.next(&mut chunk).await {
                Ok(true) => body.extend_from_slice(&chunk),
                Ok(false) => break true,
                Err(_) => break false,
            }
        };
        self.cancel();
        body.truncate(cap);
        complete.then_some(body)
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
