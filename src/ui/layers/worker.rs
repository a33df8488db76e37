//! The worker side: runs in a dedicated Web Worker (`src/bin/worker.rs`), so hashing and
//! decompressing a GiB-sized layer never blocks the page. It reads the blob itself (the file as a
//! stream, or the registry response body) and feeds [`BlobVerifier`] chunk by chunk; between
//! chunks it yields to its event loop, which is where `Cancel` messages arrive; a `Cancel` also
//! aborts a registry download, so a read waiting on a silent registry stops at once.

use super::protocol::{Command, Event, Job, Origin, FILE, PROGRESS_INTERVAL_MS};
use crate::core::layer::tar::ListOptions;
use crate::core::layer::{BlobReport, BlobVerifier, Flow};
use crate::core::reference::Reference;
use crate::registry::{open_blob, within, BlobStreamError, ChunkReader};
use crate::ui::worker_message::{post_event, read_command, worker_scope};
use js_sys::Reflect;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, File, MessageEvent, ReadableStream};

thread_local! {
    /// Jobs the page asked to stop; each running job looks here after every chunk.
    static CANCELLED: RefCell<HashSet<u32>> = RefCell::new(HashSet::new());
    /// The download of each running registry job: aborted on Cancel, so a read waiting on a
    /// silent registry stops at once instead of at its timeout.
    static DOWNLOADS: RefCell<HashMap<u32, AbortController>> = RefCell::new(HashMap::new());
}

/// Installs the message handler and tells the page the worker is ready.
pub fn start() {
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let data = event.data();
        let command = read_command::<Command>(&data);
        match command {
            Some(Command::Verify(job)) => {
                let file = Reflect::get(&data, &JsValue::from_str(FILE))
                    .ok()
                    .and_then(|f| f.dyn_into::<File>().ok());
                wasm_bindgen_futures::spawn_local(run(job, file));
            }
            Some(Command::Cancel { id }) => {
                CANCELLED.with(|c| c.borrow_mut().insert(id));
                if let Some(download) = DOWNLOADS.with(|d| d.borrow_mut().remove(&id)) {
                    download.abort();
                }
            }
            None => {}
        }
    });
    worker_scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post_event(&Event::Ready);
}

enum Stop {
    Cancelled,
    Failed(String),
}

async fn run(job: Job, file: Option<File>) {
    let id = job.id;
    let event = match verify(job, file).await {
        Ok(report) => Event::Done { id, report },
        Err(Stop::Cancelled) => Event::Cancelled { id },
        Err(Stop::Failed(message)) => Event::Failed { id, message },
    };
    CANCELLED.with(|c| c.borrow_mut().remove(&id));
    DOWNLOADS.with(|d| d.borrow_mut().remove(&id));
    post_event(&event);
}

fn cancelled(id: u32) -> bool {
    CANCELLED.with(|c| c.borrow().contains(&id))
}

fn failed(e: BlobStreamError) -> Stop {
    Stop::Failed(e.to_string())
}

/// What a read that broke off means: a Cancel aborts the download, which breaks the read.
fn broke_off(id: u32, e: BlobStreamError) -> Stop {
    if cancelled(id) {
        Stop::Cancelled
    } else {
        failed(e)
    }
}

async fn verify(job: Job, file: Option<File>) -> Result<BlobReport, Stop> {
    let abort =
        AbortController::new().map_err(|_| Stop::Failed("The browser cannot start a download.".into()))?;
    DOWNLOADS.with(|d| d.borrow_mut().insert(job.id, abort.clone()));
    // A registry may stay silent for its timeout, before answering and between two chunks (a
    // whole download takes as long as it takes); a file is read without a limit.
    let (stream, total, timeout): (ReadableStream, Option<u64>, Option<Duration>) = match &job.origin {
        Origin::File { name } => {
            let file = file.ok_or_else(|| Stop::Failed(format!("{name} did not reach the worker.")))?;
            (file.stream(), Some(file.size() as u64), None)
        }
        Origin::Registry(blob) => {
            let reference = Reference::parse(&blob.reference).map_err(|e| Stop::Failed(e.to_string()))?;
            let digest = job
                .claim
                .digest
                .as_ref()
                .ok_or_else(|| Stop::Failed("The descriptor has no digest to download.".into()))?;
            let download = blob.download();
            let opened = open_blob(&download, &reference, digest, &abort)
                .await
                .map_err(|e| broke_off(job.id, e))?;
            (opened.stream, opened.length, Some(blob.timeout()))
        }
    };
    let total = job.claim.size.or(total);
    let mut reader = ChunkReader::new(&stream);
    let options = ListOptions {
        size_cap: job.cap,
        ..ListOptions::default()
    };
    let mut verifier = BlobVerifier::new(&job.claim, job.decoding, job.cap).with_listing(options);
    let mut sent = 0;
    let mut chunk = Vec::new();
    let mut reported = js_sys::Date::now();
    loop {
        if cancelled(job.id) {
            reader.cancel();
            abort.abort();
            return Err(Stop::Cancelled);
        }
        let read = match timeout {
            Some(timeout) => within(timeout, reader.next(&mut chunk)).await,
            None => Some(reader.next(&mut chunk).await),
        };
        let Some(read) = read else {
            let received = reader.received();
            reader.cancel();
            abort.abort();
            return Err(failed(BlobStreamError::Interrupted {
                received,
                detail: format!(
                    "nothing arrived for {} seconds",
                    timeout.unwrap_or_default().as_secs()
                ),
            }));
        };
        if !read.map_err(|e| broke_off(job.id, e.into()))? {
            break;
        }
        if verifier.feed(&chunk) == Flow::Enough {
            reader.cancel();
            abort.abort();
            break;
        }
        let now = js_sys::Date::now();
        if now - reported >= PROGRESS_INTERVAL_MS {
            reported = now;
            post_event(&Event::Progress {
                id: job.id,
                done: verifier.received(),
                total,
            });
            sent = send_files(job.id, verifier.listed(), sent);
        }
    }
    let (report, listing) = verifier.finish_listed();
    if let Some(mut listing) = listing {
        send_files(job.id, &listing.entries, sent);
        listing.entries = Vec::new();
        post_event(&Event::Listed { id: job.id, listing });
    }
    Ok(report)
}

/// Posts the entries listed since the first `sent`; returns how many are sent now.
fn send_files(id: u32, listed: &[crate::core::layer::tar::Entry], sent: usize) -> usize {
    if let Some(new) = listed.get(sent..).filter(|new| !new.is_empty()) {
        post_event(&Event::Files {
            id,
            entries: new.to_vec(),
        });
    }
    listed.len().max(sent)
}
