//! What a layer's measurements say against its claims: the manifest's descriptor (digest, size,
//! media type) and the config's diff_id, each disagreement a [`Problem`] with a sentence.

use super::{BlobKind, BlobReport, ContentError, Encoding, LayerClaim, Uncompressed};
use crate::core::digest::Digest;
use crate::core::image_config::chain_ids;
use std::fmt;

/// Something wrong with a blob, each with a sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Fewer bytes than the descriptor's size.
    TruncatedBlob {
        expected: u64,
        received: u64,
    },
    /// More bytes than the descriptor's size.
    WrongSize {
        expected: u64,
        received_at_least: u64,
    },
    DigestMismatch {
        expected: Digest,
        actual: Digest,
    },
    DiffIdMismatch {
        expected: Digest,
        actual: Digest,
    },
    Content(ContentError),
    /// The claimed digest uses an algorithm this page cannot compute.
    UncheckableAlgorithm {
        digest: Digest,
    },
}

impl Problem {
    /// A short stable name, for the page (`data-problem`) and tests.
    pub fn slug(&self) -> &'static str {
        match self {
            Problem::TruncatedBlob { .. } => "truncated-blob",
            Problem::WrongSize { .. } => "wrong-size",
            Problem::DigestMismatch { .. } => "digest-mismatch",
            Problem::DiffIdMismatch { .. } => "diff-id-mismatch",
            Problem::Content(ContentError::Corrupt {
                encoding: Encoding::Zstd,
                ..
            }) => "corrupt-zstd",
            Problem::Content(ContentError::Corrupt { .. }) => "corrupt-gzip",
            Problem::Content(ContentError::Truncated { .. }) => "truncated-stream",
            Problem::Content(ContentError::OverCap { .. }) => "over-cap",
            Problem::UncheckableAlgorithm { .. } => "uncheckable-algorithm",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::TruncatedBlob { expected, received } => write!(
                f,
                "Truncated blob: the descriptor says {expected} bytes, only {received} arrived."
            ),
            Problem::WrongSize {
                expected,
                received_at_least,
            } => write!(
                f,
                "Wrong size: the descriptor says {expected} bytes, but the blob is longer \
                 (reading stopped at {received_at_least} bytes). A registry or client that checks \
                 sizes refuses it."
            ),
            Problem::DigestMismatch { expected, actual } => write!(
                f,
                "Digest mismatch: the manifest names the blob {expected}, but these bytes hash to \
                 {actual}. This is not the blob the manifest points to (or it was damaged)."
            ),
            Problem::DiffIdMismatch { expected, actual } => write!(
                f,
                "diff_id mismatch: the config's rootfs.diff_ids says {expected}, but the \
                 uncompressed content hashes to {actual}. docker and containerd refuse such a layer."
            ),
            Problem::Content(e) => e.fmt(f),
            Problem::UncheckableAlgorithm { digest } => write!(
                f,
                "The descriptor's digest uses {}, which this page cannot compute; only sha256 and \
                 sha512 (the algorithms the OCI spec registers) can be checked.",
                digest.algorithm().as_str()
            ),
        }
    }
}

/// Things worth knowing about a result that are not problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// A media type that is not a layer this page can open: only digest and size were checked.
    DigestOnly { media_type: String },
    /// Non-distributable (foreign) layers are usually downloaded from their `urls`, not pushed.
    NonDistributable,
    /// No diff_id to compare the uncompressed digest with (no config, or fewer diff_ids).
    NoDiffId,
    /// No blob digest to compare with (a file matched to a layer by its uncompressed content).
    NoBlobDigest,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::DigestOnly { media_type } => write!(
                f,
                "{media_type} is not a layer type this page can open: only the blob's digest and \
                 size were checked."
            ),
            Note::NonDistributable => write!(
                f,
                "A non-distributable (foreign) layer: registries usually do not hold it; clients \
                 download it from the URLs in its descriptor."
            ),
            Note::NoDiffId => write!(
                f,
                "No diff_id to compare the uncompressed digest with: load the image's config."
            ),
            Note::NoBlobDigest => write!(
                f,
                "This file is the uncompressed layer (as `docker save` writes it), so it matches \
                 the diff_id; the registry blob is a compressed copy with another digest."
            ),
        }
    }
}

/// The outcome for one layer, as the page shows it (`data-state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every claimed value that could be checked matches.
    Verified,
    /// A digest differs: these are not the bytes the manifest or config name.
    Mismatch,
    /// The blob could not be checked completely (cut short, damaged, too large…).
    Error,
}

impl Verdict {
    pub fn slug(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::Mismatch => "mismatch",
            Verdict::Error => "error",
        }
    }
}

/// A blob's measurements compared with its layer's claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerCheck {
    pub verdict: Verdict,
    pub problems: Vec<Problem>,
    pub notes: Vec<Note>,
    /// The uncompressed digest, when the content was decoded to its end.
    pub uncompressed: Option<Uncompressed>,
}

/// Compares `report` with `claim`. A blob cut short or too long gets no digest comparison:
/// the size already says why it cannot match.
pub fn check(claim: &LayerClaim, report: &BlobReport) -> LayerCheck {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let size_wrong = match (claim.size, report.digest.is_none()) {
        (Some(expected), _) if report.size < expected => {
            problems.push(Problem::TruncatedBlob {
                expected,
                received: report.size,
            });
            true
        }
        (Some(expected), true) => {
            problems.push(Problem::WrongSize {
                expected,
                received_at_least: report.size,
            });
            true
        }
        _ => false,
    };
    match (&claim.digest, &report.digest) {
        (Some(expected), _) if !expected.is_registered() => {
            problems.push(Problem::UncheckableAlgorithm {
                digest: expected.clone(),
            });
        }
        (Some(expected), Some(actual)) if !size_wrong && expected != actual => {
            problems.push(Problem::DigestMismatch {
                expected: expected.clone(),
                actual: actual.clone(),
            });
        }
        (None, _) => notes.push(Note::NoBlobDigest),
        _ => {}
    }
    let mut uncompressed = None;
    match report.content.as_ref().map(|c| &c.result) {
        Some(Ok(content)) => {
            match &claim.diff_id {
                Some(expected) if !expected.is_registered() => {
                    problems.push(Problem::UncheckableAlgorithm {
                        digest: expected.clone(),
                    });
                }
                Some(expected) if !size_wrong && *expected != content.digest => {
                    problems.push(Problem::DiffIdMismatch {
                        expected: expected.clone(),
                        actual: content.digest.clone(),
                    });
                }
                Some(_) => {}
                None => notes.push(Note::NoDiffId),
            }
            uncompressed = Some(content.clone());
        }
        Some(Err(e)) => problems.push(Problem::Content(e.clone())),
        None => {}
    }
    match claim.kind() {
        Some(BlobKind::Opaque) => notes.push(Note::DigestOnly {
            media_type: claim.media_type.clone().unwrap_or_default(),
        }),
        Some(BlobKind::Layer {
            distributable: false, ..
        }) => notes.push(Note::NonDistributable),
        _ => {}
    }
    let verdict = if problems
        .iter()
        .any(|p| matches!(p, Problem::DigestMismatch { .. } | Problem::DiffIdMismatch { .. }))
    {
        Verdict::Mismatch
    } else if problems.is_empty() {
        Verdict::Verified
    } else {
        Verdict::Error
    };
    LayerCheck {
        verdict,
        problems,
        notes,
        uncompressed,
    }
}

/// Chain IDs recomputed from measured uncompressed digests, for the leading run of layers that
/// have one (a chain ID needs every layer below it).
pub fn measured_chain_ids(uncompressed: &[Option<&Digest>]) -> Vec<Digest> {
    let known: Vec<&Digest> = uncompressed.iter().map_while(|d| *d).collect();
    // Every input is a digest and every later entry a sha256 output, so each parses.
    chain_ids(&known).iter().filter_map(|c| c.parse().ok()).collect()
}

/// `1.5 GiB (1610612736 bytes)`-style text for messages.
pub(super) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {} ({bytes} bytes)", UNITS[unit])
    }
}
