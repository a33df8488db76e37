//! In the analysis worker: why two layer blobs differ (`core::layer::diff`). Each blob is fed
//! through `BlobVerifier` with its tar listing, 64 KiB at a time: a blob the page holds is read
//! from its transferred buffer, a registry blob is downloaded here as the layer workers download
//! it (through the proxy prefix, with its `Authorization`, a timeout per wait). So the page's
//! thread only draws the answer, and apart from the two listings memory stays bounded by the
//! page's own copy of a given blob.
//!
//! A registry blob is verified against its descriptor's digest and size as it streams (the
//! verifier stops one byte past the size): bytes other than the ones asked for end in a sentence
//! naming the side, the digest asked and what arrived, never in an explanation of other bytes.

use super::protocol::LayerInput;
use crate::core::digest::Digest;
use crate::core::layer::diff::{compare, not_the_blob_asked, LayerDifference, LayerSide};
use crate::core::layer::tar::{ListOptions, Listing};
use crate::core::layer::{BlobReport, BlobVerifier, Decoding, Flow, LayerClaim, DEFAULT_UNCOMPRESSED_CAP};
use crate::core::reference::Reference;
use crate::registry::{open_blob, within, BlobStreamError, ChunkReader};
use crate::ui::layers::protocol::RegistryBlob;
use futures::future::join;
use js_sys::Uint8Array;
use web_sys::AbortController;

/// Bytes handed to the verifier at a time (and read from a given buffer at a time).
const CHUNK: u32 = 64 * 1024;
/// Bytes kept from a blob's start: enough for any gzip or zstd header.
const HEAD: usize = 32;

/// What one blob measured.
struct Measured {
    report: BlobReport,
    head: Vec<u8>,
    listing: Option<Listing>,
}

impl Measured {
    fn side(&self) -> LayerSide<'_> {
        LayerSide {
            report: &self.report,
            head: &self.head,
            listing: self.listing.as_ref(),
        }
    }
}

/// A verifier that also keeps the blob's first bytes.
struct Measuring {
    verifier: BlobVerifier,
    head: Vec<u8>,
}

impl Measuring {
    /// Measures a blob that should be `claim`: its digest and size for a registry blob (so the
    /// verifier hashes with the claimed algorithm and stops past the size), nothing for a blob the
    /// page holds. Always sniffed: the question is what the bytes hold, whatever the media type.
    fn new(claim: &LayerClaim) -> Measuring {
        let verifier = BlobVerifier::new(claim, Decoding::Sniff, DEFAULT_UNCOMPRESSED_CAP)
            .with_listing(ListOptions::default());
        Measuring {
            verifier,
            head: Vec::with_capacity(HEAD),
        }
    }

    fn feed(&mut self, chunk: &[u8]) -> Flow {
        let wanted = HEAD.saturating_sub(self.head.len()).min(chunk.len());
        self.head
            .extend_from_slice(chunk.get(..wanted).unwrap_or_default());
        self.verifier.feed(chunk)
    }

    fn finish(self) -> Measured {
        let (report, listing) = self.verifier.finish_listed();
        Measured {
            report,
            head: self.head,
            listing,
        }
    }
}

/// Compares blob `a` with blob `b` (two registry blobs download at once); `given` holds the
/// buffers of the `Given` inputs, in order.
pub async fn compare_layers(
    a: &LayerInput,
    b: &LayerInput,
    given: &[Uint8Array],
) -> Result<LayerDifference, String> {
    let mut buffers = given.iter();
    let buffer_a = matches!(a, LayerInput::Given).then(|| buffers.next()).flatten();
    let buffer_b = matches!(b, LayerInput::Given).then(|| buffers.next()).flatten();
    let (ma, mb) = join(measure(a, buffer_a, "A"), measure(b, buffer_b, "B")).await;
    let (ma, mb) = (ma?, mb?);
    Ok(compare(&ma.side(), &mb.side()))
}

async fn measure(input: &LayerInput, buffer: Option<&Uint8Array>, side: &str) -> Result<Measured, String> {
    match (input, buffer) {
        (LayerInput::Given, Some(buffer)) => Ok(measure_buffer(buffer)),
        (LayerInput::Given, None) => Err(format!("Blob {side} did not reach the page's worker.")),
        (LayerInput::Registry { blob, digest, size }, _) => {
            let claim = LayerClaim {
                digest: Some(digest.clone()),
                size: *size,
                ..LayerClaim::default()
            };
            let measured = download(blob, &claim, digest)
                .await
                .map_err(|e| format!("Blob {side}: {e}"))?;
            match not_the_blob_asked(side, &claim, &measured.report) {
                Some(sentence) => Err(sentence),
                None => Ok(measured),
            }
        }
    }
}

fn measure_buffer(buffer: &Uint8Array) -> Measured {
    // No claim: the page holds these bytes, there is no descriptor they should match.
    let mut measuring = Measuring::new(&LayerClaim::default());
    let mut chunk = vec![0u8; CHUNK as usize];
    let length = buffer.length();
    let mut offset = 0;
    while offset < length {
        let end = offset.saturating_add(CHUNK).min(length);
        let part = chunk.get_mut(..(end - offset) as usize).unwrap_or_default();
        buffer.subarray(offset, end).copy_to(part);
        if measuring.feed(part) == Flow::Enough {
            break;
        }
        offset = end;
    }
    measuring.finish()
}

/// Downloads registry blob `digest` as `blob` says, measuring it against `claim` on the way.
async fn download(blob: &RegistryBlob, claim: &LayerClaim, digest: &Digest) -> Result<Measured, String> {
    let reference = Reference::parse(&blob.reference).map_err(|e| e.to_string())?;
    let abort = AbortController::new().map_err(|_| "The browser cannot start a download.".to_owned())?;
    let seconds = blob.timeout_seconds;
    let timeout = blob.timeout();
    let opened = open_blob(&blob.download(), &reference, digest, &abort)
        .await
        .map_err(|e| e.to_string())?;
    let mut reader = ChunkReader::new(&opened.stream);
    let mut measuring = Measuring::new(claim);
    let mut chunk = Vec::new();
    loop {
        let Some(read) = within(timeout, reader.next(&mut chunk)).await else {
            let received = reader.received();
            reader.cancel();
            abort.abort();
            return Err(BlobStreamError::Interrupted {
                received,
                detail: format!("nothing arrived for {seconds} seconds"),
            }
            .to_string());
        };
        if !read.map_err(|e| BlobStreamError::from(e).to_string())? {
            break;
        }
        // Past the descriptor's size: not the blob asked for, and `not_the_blob_asked` says so.
        if measuring.feed(&chunk) == Flow::Enough {
            reader.cancel();
            abort.abort();
            break;
        }
    }
    Ok(measuring.finish())
}
