//! The messages between the page and its analysis worker. Commands and answers travel as JSON
//! text; the documents' bytes ride beside the text as `Uint8Array`s (the `bytes` property), whose
//! buffers are transferred, not copied as JSON numbers.
//!
//! The worker makes each document again from its bytes and its origin (`core::document::Origin`),
//! which carries the media type the bytes arrived with, so the worker's analysis is the page's
//! without guessing anything back (tested in `core::diagnose::report` on every document the
//! fixture registry served).

use crate::core::diagnose::report::{ComparisonReport, ExpectedReport, RenderingReport};
use crate::core::digest::Digest;
use crate::core::document::Origin;
use crate::core::layer::diff::LayerDifference;
use crate::ui::layers::protocol::RegistryBlob;
use serde::{Deserialize, Serialize};

/// What to work out. The documents are the `bytes` of the message, in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Task {
    /// Documents A and B.
    Compare,
    /// The document first, then every loaded document in page order (the family).
    CheckExpected { expected: String },
    /// One document.
    Repush,
    /// Why two layer blobs differ, file by file: each blob is streamed through the verifier and
    /// the tar lister here, never on the page's thread.
    CompareLayers { a: LayerInput, b: LayerInput },
}

/// Where a layer blob of [`Task::CompareLayers`] comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LayerInput {
    /// The next document of the message (a blob the page holds already, e.g. a file opened in
    /// the comparison): read from its transferred buffer 64 KiB at a time.
    Given,
    /// A registry blob, downloaded by the worker as the layer workers download it, and verified
    /// against its descriptor's `digest` and `size`: a registry or mirror that sends other bytes
    /// gets a sentence, never an explanation of bytes nobody asked about.
    Registry {
        blob: RegistryBlob,
        digest: Digest,
        size: Option<u64>,
    },
}

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub id: u32,
    pub task: Task,
    /// One per document: where its bytes came from, with the media type they arrived with.
    pub origins: Vec<Origin>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    Compared(ComparisonReport),
    Checked(ExpectedReport),
    Repushed(Vec<RenderingReport>),
    LayersCompared(LayerDifference),
}

/// Worker → page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// The worker's module is loaded and listening (messages sent before are lost).
    Ready,
    Done {
        id: u32,
        answer: Answer,
    },
    /// The command could not be carried out: a sentence for the user.
    Failed {
        id: u32,
        message: String,
    },
    /// Sent by the worker's loader (static/analysis_worker_loader.js) when the module could not be
    /// fetched or compiled: the worker will never be ready.
    NotLoaded {
        detail: String,
    },
}

/// The property of a command that holds the documents' bytes (an array of `Uint8Array`).
pub const BYTES: &str = "bytes";
