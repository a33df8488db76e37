//! "Why do these digests differ?": two documents in, the reason out, most specific first.
//!
//! A digest names bytes, so two documents with different digests can still be the same image: the
//! same JSON written another way (re-serialized), the same image with Docker instead of OCI media
//! types (converted), the same files compressed again (recompressed), or a multi-platform index
//! next to one of its platform manifests. [`compare`] tells these apart from the two documents
//! alone. [`check_expected`] starts from one document and the digest the user expected, and finds
//! what would produce it. [`repush_preview`] shows what common tools would write instead.
//!
//! Every verdict carries its evidence (the digests it rests on) so the user can check it.
//! [`report`] is what the page shows of each answer (it computes them in a worker).

mod compare;
mod divergence;
mod expected;
mod json_diff;
pub mod report;
mod repush;
mod serialization;
#[cfg(test)]
mod tests;
mod verdict;

pub use compare::{compare, Comparison};
pub use divergence::{first_divergence, Divergence};
pub use expected::{
    check_expected, ByteEdit, Expected, ExpectedCheck, ExpectedError, Place, SHORTEST_PREFIX,
};
pub use json_diff::{json_diff, Change, PathChange};
pub use repush::{repush_preview, Rendering};
pub use serialization::{EscapeKind, SerializationDifference};
pub use verdict::{ConfigChange, EntryDifference, LayerChange, Verdict};

use std::fmt;

/// Which of the two compared documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

impl Side {
    fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::A => "A",
            Side::B => "B",
        })
    }
}

/// One row of the side-by-side evidence: a named value for each document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub label: String,
    pub a: String,
    pub b: String,
}

impl Evidence {
    fn new(label: impl Into<String>, a: impl Into<String>, b: impl Into<String>) -> Evidence {
        Evidence {
            label: label.into(),
            a: a.into(),
            b: b.into(),
        }
    }

    pub fn same(&self) -> bool {
        self.a == self.b
    }
}
