//! The messages between the page and its analysis worker. Commands and answers travel as JSON
//! text; the documents' bytes ride beside the text as `Uint8Array`s (the `bytes` property), whose
//! buffers are transferred, not copied as JSON numbers.
//!
//! The worker analyses each document again from its bytes. The page's analysis may have had a
//! media type hint (a registry's `Content-Type`) that the bytes alone do not carry; the hint sent
//! is `report::worker_hint`, the media type of the kind the page found, which gives the worker the
//! same kind (tested there on every document the fixture registry served).

use crate::core::diagnose::report::{worker_hint, ComparisonReport, ExpectedReport, RenderingReport};
use crate::core::document::Analysis;
use crate::core::media_type::MediaType;
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
}

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub id: u32,
    pub task: Task,
    /// One per document: the media type hint to analyse its bytes with.
    pub hints: Vec<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    Compared(ComparisonReport),
    Checked(ExpectedReport),
    Repushed(Vec<RenderingReport>),
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

/// The hint that makes the worker's analysis of the bytes reach the page's kind.
pub fn hint_for(analysis: &Analysis) -> Option<String> {
    worker_hint(analysis).map(|m| m.as_str().to_owned())
}

/// The worker's analysis of one document.
pub fn analyse(bytes: &[u8], hint: Option<&str>) -> Analysis {
    Analysis::of(bytes, hint.map(MediaType::parse).as_ref())
}

/// The property of a command that holds the documents' bytes (an array of `Uint8Array`).
pub const BYTES: &str = "bytes";
