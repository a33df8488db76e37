//! Why a tar stream could not be listed to its end, each with a sentence for the user.
//!
//! Offsets are positions in the uncompressed tar (the diff_id's bytes), where `tar -tv
//! --block-number` and a hex dump of `gzip -dc` would point.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A tar stream the lister had to stop reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TarError {
    /// The stream ends inside a 512-byte header.
    TruncatedHeader { at: u64, have: usize },
    /// The stream ends inside an entry's content.
    TruncatedData { path: String, at: u64, missing: u64 },
    /// The header's checksum field does not match its bytes. At offset 0 this usually means the
    /// bytes are not a tar at all.
    BadChecksum { at: u64, stored: u64, computed: u64 },
    /// A numeric field holds something that is neither octal digits nor GNU base-256.
    BadNumber { at: u64, field: String, text: String },
    /// A GNU base-256 size with the sign bit set.
    NegativeSize { at: u64 },
    /// An entry claims more content than the decompression cap allows (or than 64 bits hold).
    HugeSize {
        at: u64,
        path: String,
        size: Option<u64>,
        cap: u64,
    },
    /// A GNU long-name / long-link record or a PAX header larger than the cap on such records.
    RecordTooLarge {
        at: u64,
        kind: String,
        size: u64,
        cap: u64,
    },
    /// Too many long-name, long-link or PAX headers in a row without the entry they describe: a
    /// "bomb" of nested records.
    NestedRecords { at: u64, count: usize },
    /// A PAX record that does not follow the `<length> <key>=<value>\n` grammar.
    BadPax { at: u64, reason: String },
}

impl TarError {
    /// A short stable name, for the page (`data-problem`) and tests.
    pub fn slug(&self) -> &'static str {
        match self {
            TarError::TruncatedHeader { .. } => "tar-truncated-header",
            TarError::TruncatedData { .. } => "tar-truncated-data",
            TarError::BadChecksum { .. } => "tar-bad-checksum",
            TarError::BadNumber { .. } => "tar-bad-number",
            TarError::NegativeSize { .. } => "tar-negative-size",
            TarError::HugeSize { .. } => "tar-huge-size",
            TarError::RecordTooLarge { .. } => "tar-record-too-large",
            TarError::NestedRecords { .. } => "tar-nested-records",
            TarError::BadPax { .. } => "tar-bad-pax",
        }
    }
}

impl fmt::Display for TarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TarError::TruncatedHeader { at, have } => write!(
                f,
                "Truncated tar: the content ends {have} bytes into the 512-byte header at offset {at}, \
                 so the layer's tar was cut short."
            ),
            TarError::TruncatedData { path, at, missing } => write!(
                f,
                "Truncated tar: the content of {path:?} (header at offset {at}) lacks its last \
                 {missing} bytes; the layer's tar was cut short."
            ),
            TarError::BadChecksum { at: 0, .. } => write!(
                f,
                "Not a tar: the first 512 bytes are not a valid tar header (bad checksum), so the \
                 uncompressed content of this blob is not a layer tar."
            ),
            TarError::BadChecksum { at, stored, computed } => write!(
                f,
                "Damaged tar header at offset {at}: its checksum field says {stored:o} (octal) but \
                 its bytes sum to {computed:o}; listing stopped there."
            ),
            TarError::BadNumber { at, field, text } => write!(
                f,
                "Damaged tar header at offset {at}: the {field} field holds {text:?}, which is \
                 not a number in tar's octal or base-256 form."
            ),
            TarError::NegativeSize { at } => write!(
                f,
                "Hostile tar header at offset {at}: the size is negative (a base-256 number with the \
                 sign bit set); no tool can read past it."
            ),
            TarError::HugeSize {
                at,
                path,
                size: Some(size),
                cap,
            } => write!(
                f,
                "Hostile tar header at offset {at}: {path:?} claims {size} bytes of content, more \
                 than the {cap}-byte decompression cap; listing stopped there."
            ),
            TarError::HugeSize {
                at, path, size: None, ..
            } => write!(
                f,
                "Hostile tar header at offset {at}: {path:?} claims a size that does not fit in 64 \
                 bits; listing stopped there."
            ),
            TarError::RecordTooLarge { at, kind, size, cap } => write!(
                f,
                "Hostile tar: the {kind} record at offset {at} is {size} bytes, over the {cap}-byte \
                 cap on such records (real long names and PAX headers are a few KiB); listing \
                 stopped there."
            ),
            TarError::NestedRecords { at, count } => write!(
                f,
                "Hostile tar: {count} long-name / PAX records in a row at offset {at} without the \
                 entry they describe (a tar bomb of nested records); listing stopped there."
            ),
            TarError::BadPax { at, reason } => write!(
                f,
                "Damaged PAX header at offset {at}: {reason}; listing stopped there."
            ),
        }
    }
}
