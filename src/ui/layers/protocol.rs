//! The messages between the page and its layer workers, as JSON text: structured cloning would
//! carry plain objects too, but serde keeps one definition for both ends and checks it.
//!
//! A `Verify` for a local file travels with the `File` object beside the text (the `file`
//! property of the message): a `File` is a handle, so cloning it into the worker copies no bytes;
//! the worker reads it as a stream itself. Registry blobs are fetched by the worker, too, so no
//! blob byte ever crosses between threads.

use crate::core::layer::tar::{Entry, Listing};
use crate::core::layer::{BlobReport, Decoding, LayerClaim};
use crate::registry::BlobDownload;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// Where a blob's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// A file the user dropped or chose; the `File` rides beside the message.
    File {
        name: String,
    },
    Registry(RegistryBlob),
}

/// A registry blob, requested the way the image's manifests were (`registry::BlobAccess`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryBlob {
    /// Names the repository in error messages.
    pub reference: String,
    /// The blob endpoint, through the proxy prefix when one is set.
    pub url: String,
    /// The proxy prefix, for the message when no answer can be read.
    pub proxy: Option<String>,
    pub authorization: Option<Authorization>,
    /// The user typed credentials, so a 401 to them means they were refused.
    pub credentials_given: bool,
    /// `authorization` is a token from the token server: a 401 means the token was refused
    /// (it expired while the job waited, or grants no pull), not the login it was got with.
    pub issued_token: bool,
    /// How long the registry may stay silent: before answering, and between two chunks.
    pub timeout_seconds: u32,
}

impl RegistryBlob {
    /// How the registry may stay silent, as a duration.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(u64::from(self.timeout_seconds))
    }

    /// The download `registry::open_blob` makes of it, in a layer worker or the analysis worker.
    pub fn download(&self) -> BlobDownload<'_> {
        BlobDownload {
            shown: &self.reference,
            url: &self.url,
            proxy: self.proxy.as_deref(),
            authorization: self.authorization.as_ref().map(|a| a.0.as_str()),
            credentials_given: self.credentials_given,
            issued_token: self.issued_token,
            timeout: self.timeout(),
        }
    }
}

/// An `Authorization` header value (a bearer token or the user's Basic credentials). It
/// crosses to the worker inside the message only; its `Debug` hides it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Authorization(pub String);

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Authorization(<redacted>)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: u32,
    pub claim: LayerClaim,
    pub decoding: Decoding,
    /// Decompressed bytes allowed.
    pub cap: u64,
    pub origin: Origin,
}

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    Verify(Job),
    Cancel { id: u32 },
}

/// Worker → page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// The worker's module is loaded and listening (messages sent before are lost).
    Ready,
    /// Sent at most every [`PROGRESS_INTERVAL_MS`] while a blob is read.
    Progress {
        id: u32,
        done: u64,
        total: Option<u64>,
    },
    /// The next tar entries listed, in order: sent in batches while the blob streams in.
    Files {
        id: u32,
        entries: Vec<Entry>,
    },
    /// The listing is complete (its entries all came as `Files` before): what it left out, how
    /// the tar ended, why it stopped. Sent just before `Done`.
    Listed {
        id: u32,
        listing: Listing,
    },
    Done {
        id: u32,
        report: BlobReport,
    },
    /// The blob could not be read (registry answer, network, file): a sentence for the user.
    Failed {
        id: u32,
        message: String,
    },
    Cancelled {
        id: u32,
    },
}

impl Event {
    /// The job this event is about.
    pub fn job(&self) -> Option<u32> {
        match self {
            Event::Ready => None,
            Event::Progress { id, .. }
            | Event::Files { id, .. }
            | Event::Listed { id, .. }
            | Event::Done { id, .. }
            | Event::Failed { id, .. }
            | Event::Cancelled { id } => Some(*id),
        }
    }

    /// True when the job is over (its worker is free again).
    pub fn ends_job(&self) -> bool {
        matches!(
            self,
            Event::Done { .. } | Event::Failed { .. } | Event::Cancelled { .. }
        )
    }
}

/// How often a worker reports progress: often enough for a smooth bar, rarely enough that the
/// messages cost nothing.
pub const PROGRESS_INTERVAL_MS: f64 = 100.0;

/// The property of a `Verify` message that holds the `File`.
pub const FILE: &str = "file";
