//! Why two layer blobs differ, as specifically as the bytes allow:
//!
//! 1. same blob digest: nothing differs;
//! 2. same uncompressed digest (diff_id): only the compression differs ([`super::compression`]);
//! 3. the same paths with the same types, contents and link targets, but another tar: the
//!    metadata or the framing differs (entry order, mtimes, ownership, modes, PAX extras, end
//!    padding) — the answer to "I rebuilt it and nothing changed, so why a new digest?";
//! 4. otherwise the files differ: added, removed, changed.

use super::check::{check, Problem};
use super::compression::{self, Compression};
use super::tar::{EndOfArchive, Entry, EntryKind, Listing, Mtime};
use super::{BlobReport, LayerClaim};
use crate::core::digest::Digest;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Examples shown per reason.
const EXAMPLES: usize = 5;

/// GNU tar's default record: 20 blocks of 512 bytes.
const GNU_RECORD: u64 = 10240;

/// One side of the comparison: what verifying (and listing) a blob measured, and its first bytes.
pub struct LayerSide<'a> {
    pub report: &'a BlobReport,
    /// The blob's first bytes (for the compression header; 32 are plenty).
    pub head: &'a [u8],
    pub listing: Option<&'a Listing>,
}

/// A path and its values on each side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    pub path: String,
    pub a: String,
    pub b: String,
}

/// How two tars of the same files differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TarReason {
    EntryOrder {
        examples: Vec<Example>,
    },
    Mtimes {
        count: usize,
        examples: Vec<Example>,
    },
    Ownership {
        count: usize,
        examples: Vec<Example>,
    },
    Modes {
        count: usize,
        examples: Vec<Example>,
    },
    PaxExtras {
        count: usize,
        examples: Vec<Example>,
    },
    EndOfArchive {
        a: EndOfArchive,
        b: EndOfArchive,
    },
    /// Same values, written another way (GNU vs PAX long names, number formatting…).
    HeaderEncoding,
}

impl fmt::Display for TarReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TarReason::EntryOrder { .. } => write!(f, "the entries are in another order"),
            TarReason::Mtimes { count, .. } => write!(f, "modification times differ ({count} entries)"),
            TarReason::Ownership { count, .. } => {
                write!(f, "owners (uid/gid or names) differ ({count} entries)")
            }
            TarReason::Modes { count, .. } => write!(f, "permission modes differ ({count} entries)"),
            TarReason::PaxExtras { count, .. } => {
                write!(f, "PAX records (atime, ctime, xattrs…) differ ({count} entries)")
            }
            TarReason::EndOfArchive { a, b } => write!(
                f,
                "the end-of-archive padding differs ({} vs {} zero blocks, {} vs {} bytes after them)",
                a.zero_blocks, b.zero_blocks, a.trailing_bytes, b.trailing_bytes
            ),
            TarReason::HeaderEncoding => write!(
                f,
                "every listed value is equal: the headers encode them differently (GNU vs PAX long \
                 names, number formatting, header padding)"
            ),
        }
    }
}

/// A file on one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFact {
    pub path: String,
    pub kind: EntryKind,
    pub size: u64,
    pub digest: Option<Digest>,
    pub link: Option<String>,
}

/// Files that differ.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentChanges {
    pub added: Vec<FileFact>,
    pub removed: Vec<FileFact>,
    pub changed: Vec<(FileFact, FileFact)>,
}

/// The most specific reason two layer blobs differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LayerDifference {
    SameBlob,
    /// Same uncompressed digest: only how it was compressed differs.
    CompressionOnly {
        a: Compression,
        b: Compression,
        differences: Vec<String>,
    },
    /// Same files, another tar.
    TarOnly {
        reasons: Vec<TarReason>,
    },
    Contents(ContentChanges),
    /// The blobs could not be decoded or listed completely: only their digests were compared.
    Undecided {
        why: String,
    },
}

impl LayerDifference {
    /// A stable short name for the page (`data-reason`) and tests.
    pub fn slug(&self) -> &'static str {
        match self {
            LayerDifference::SameBlob => "same-blob",
            LayerDifference::CompressionOnly { .. } => "compression-only",
            LayerDifference::TarOnly { reasons }
                if matches!(reasons.as_slice(), [TarReason::Mtimes { .. }]) =>
            {
                "mtimes-only"
            }
            LayerDifference::TarOnly { .. } => "tar-only",
            LayerDifference::Contents(_) => "contents",
            LayerDifference::Undecided { .. } => "undecided",
        }
    }

    /// The verdict's first sentence.
    pub fn headline(&self) -> String {
        match self {
            LayerDifference::SameBlob => "The same blob: identical bytes.".to_owned(),
            LayerDifference::CompressionOnly { differences, .. } => format!(
                "Same content, different compression: the uncompressed tars are identical (same \
                 diff_id); {}.",
                differences.join("; ")
            ),
            LayerDifference::TarOnly { reasons } => match reasons.as_slice() {
                [TarReason::Mtimes { count, .. }] => format!(
                    "Same files and contents; only modification times differ ({count} entries). \
                     A reproducible build sets them (SOURCE_DATE_EPOCH, --rewrite-timestamp)."
                ),
                _ => format!(
                    "Same files and contents, different tar: {}.",
                    reasons
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            },
            LayerDifference::Contents(c) => format!(
                "The files differ: {} added, {} removed, {} changed.",
                c.added.len(),
                c.removed.len(),
                c.changed.len()
            ),
            LayerDifference::Undecided { why } => format!("The layers differ; {why}"),
        }
    }
}

/// Why the bytes that arrived for blob `side` (A or B) are not the blob `claim` names, in one
/// sentence; `None` when they are (or nothing was claimed: a blob the page holds). Explaining
/// other bytes than the ones asked about would be a silent wrong answer (a mirror that serves a
/// stale blob would get "nothing differs" for a row whose digests differ), so the caller answers
/// with this sentence instead of a comparison.
pub fn not_the_blob_asked(side: &str, claim: &LayerClaim, report: &BlobReport) -> Option<String> {
    let asked = claim.digest.as_ref()?;
    let nothing = "Nothing is compared: an explanation of other bytes would be wrong.";
    check(claim, report)
        .problems
        .iter()
        .find_map(|problem| match problem {
            Problem::UncheckableAlgorithm { digest } if digest == asked => Some(format!(
                "Blob {side} cannot be verified: {asked} uses {}, which this page cannot compute, so \
             the bytes that arrived are not compared.",
                asked.algorithm().as_str()
            )),
            Problem::TruncatedBlob { expected, received } => Some(format!(
            "Blob {side} is not the blob asked for: {asked} ({expected} bytes) was asked, but {received} \
             bytes arrived{}. {nothing}",
            report
                .digest
                .as_ref()
                .map(|d| format!(", which hash to {d}"))
                .unwrap_or_default()
        )),
            Problem::WrongSize {
                expected,
                received_at_least,
            } => Some(format!(
                "Blob {side} is not the blob asked for: {asked} ({expected} bytes) was asked, but more \
             bytes arrived. Reading stopped there, so only the first {received_at_least} bytes were \
             read and the blob was not verified. {nothing}"
            )),
            Problem::DigestMismatch { expected, actual } => Some(format!(
                "Blob {side} is not the blob asked for: {expected} was asked, but the bytes that arrived \
             hash to {actual}. {nothing}"
            )),
            _ => None,
        })
}

fn uncompressed(report: &BlobReport) -> Option<&Digest> {
    report.content.as_ref()?.result.as_ref().ok().map(|u| &u.digest)
}

/// Compares two layer blobs.
pub fn compare(a: &LayerSide, b: &LayerSide) -> LayerDifference {
    if a.report.digest.is_some() && a.report.digest == b.report.digest {
        return LayerDifference::SameBlob;
    }
    if let (Some(da), Some(db)) = (uncompressed(a.report), uncompressed(b.report)) {
        if da == db {
            let (ca, cb) = (compression::describe(a.head), compression::describe(b.head));
            let differences = compression::differences(&ca, &cb);
            return LayerDifference::CompressionOnly {
                a: ca,
                b: cb,
                differences,
            };
        }
    }
    match (a.listing, b.listing) {
        (Some(la), Some(lb)) if complete(la) && complete(lb) => compare_listings(la, lb),
        _ => LayerDifference::Undecided {
            why: "their tars could not both be listed to the end, so the files are not compared.".to_owned(),
        },
    }
}

fn complete(listing: &Listing) -> bool {
    listing.error.is_none() && listing.omitted.entries == 0
}

fn fact(entry: &Entry) -> FileFact {
    FileFact {
        path: entry.path.clone(),
        kind: entry.kind,
        size: if entry.kind.has_content() { entry.size } else { 0 },
        digest: entry.digest.clone(),
        link: entry.link.clone(),
    }
}

/// Each path's last entry (a later entry of one path replaces the earlier one on extraction).
fn by_path(listing: &Listing) -> BTreeMap<&str, &Entry> {
    listing.entries.iter().map(|e| (e.path.as_str(), e)).collect()
}

/// Two listings of tars with different digests.
pub fn compare_listings(a: &Listing, b: &Listing) -> LayerDifference {
    let (pa, pb) = (by_path(a), by_path(b));
    let mut changes = ContentChanges::default();
    for (path, ea) in &pa {
        match pb.get(path) {
            None => changes.removed.push(fact(ea)),
            Some(eb) if fact(ea) != fact(eb) || ea.device != eb.device => {
                changes.changed.push((fact(ea), fact(eb)))
            }
            Some(_) => {}
        }
    }
    changes.added = pb
        .iter()
        .filter(|(p, _)| !pa.contains_key(*p))
        .map(|(_, e)| fact(e))
        .collect();
    if !(changes.added.is_empty() && changes.removed.is_empty() && changes.changed.is_empty()) {
        return LayerDifference::Contents(changes);
    }
    let mut reasons = Vec::new();
    let order: Vec<Example> = a
        .entries
        .iter()
        .zip(&b.entries)
        .enumerate()
        .filter(|(_, (x, y))| x.path != y.path)
        .take(EXAMPLES)
        .map(|(i, (x, y))| Example {
            path: format!("entry {}", i + 1),
            a: x.path.clone(),
            b: y.path.clone(),
        })
        .collect();
    if !order.is_empty() || a.entries.len() != b.entries.len() {
        reasons.push(TarReason::EntryOrder { examples: order });
    }
    let metadata = |describe: fn(&Entry) -> String| -> (usize, Vec<Example>) {
        let differing: Vec<Example> = pa
            .iter()
            .filter_map(|(path, ea)| {
                let eb = pb.get(path)?;
                let (va, vb) = (describe(ea), describe(eb));
                (va != vb).then(|| Example {
                    path: (*path).to_owned(),
                    a: va,
                    b: vb,
                })
            })
            .collect();
        let count = differing.len();
        (count, differing.into_iter().take(EXAMPLES).collect())
    };
    let (count, examples) = metadata(|e| mtime_text(e.mtime));
    if count > 0 {
        reasons.push(TarReason::Mtimes { count, examples });
    }
    let (count, examples) = metadata(|e| format!("{}:{} ({}:{})", e.uid, e.gid, e.uname, e.gname));
    if count > 0 {
        reasons.push(TarReason::Ownership { count, examples });
    }
    let (count, examples) = metadata(|e| format!("{:04o}", e.mode));
    if count > 0 {
        reasons.push(TarReason::Modes { count, examples });
    }
    let (count, examples) = metadata(|e| {
        e.pax
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    });
    if count > 0 {
        reasons.push(TarReason::PaxExtras { count, examples });
    }
    // Tars padded to GNU tar's 10 KiB record get more or fewer zero blocks whenever their headers
    // grow or shrink: then the padding is a consequence of the reasons above, not one of its own.
    let record_padded = |l: &Listing| l.tar_size.is_multiple_of(GNU_RECORD);
    let padding_follows = !reasons.is_empty() && record_padded(a) && record_padded(b);
    if a.end != b.end && !padding_follows {
        reasons.push(TarReason::EndOfArchive { a: a.end, b: b.end });
    }
    if reasons.is_empty() {
        reasons.push(TarReason::HeaderEncoding);
    }
    LayerDifference::TarOnly { reasons }
}

/// `1700000000` or `1700000000.5`: seconds since the epoch, as tar and PAX write them.
pub fn mtime_text(mtime: Mtime) -> String {
    if mtime.nanos == 0 {
        mtime.secs.to_string()
    } else {
        let fraction = format!("{:09}", mtime.nanos);
        format!("{}.{}", mtime.secs, fraction.trim_end_matches('0'))
    }
}
