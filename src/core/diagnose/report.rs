//! The answers of this module as the page shows them: sentences, slugs and short values only.
//!
//! The page runs [`compare`](super::compare), [`check_expected`](super::check_expected) and
//! [`repush_preview`](super::repush_preview) in a Web Worker of their own (`ui::analysis`), and
//! these reports are what crosses back. They hold the text already written (the verdict's
//! sentence, the values cut to [`VALUE_CHARS`], at most [`SHOWN_CHANGES`] paths), so the page's
//! own module links neither the diagnosis, the re-serializer nor the sentences that explain them:
//! that is what keeps it small. The page still has both documents' bytes for the byte window.

use super::{
    Change, Comparison, Evidence, ExpectedCheck, PathChange, Place, Rendering, SerializationDifference,
    Verdict,
};
use crate::core::digest::Digest;
use crate::core::document::Analysis;
use crate::core::reserialize;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// At most this many changed paths are sent and drawn; the counts cover all of them.
pub const SHOWN_CHANGES: usize = 200;
/// At most this many evidence rows (one per layer after the first few) are sent and drawn.
pub const SHOWN_EVIDENCE: usize = 40;
/// A value in the diff is cut after this many characters.
pub const VALUE_CHARS: usize = 160;

/// Something the page says, with the stable slug tests and styles key on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Said {
    pub slug: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRow {
    pub label: String,
    pub a: String,
    pub b: String,
    pub same: bool,
}

/// One changed JSON path; `a` / `b` are the values on one line, cut, `None` where absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRow {
    pub slug: String,
    pub path: String,
    pub a: Option<String>,
    pub b: Option<String>,
}

/// How many paths differ, of each kind (all of them, not only those sent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeCounts {
    pub total: usize,
    pub removed: usize,
    pub added: usize,
    pub changed: usize,
}

/// Where the bytes first differ: the page draws the window around it from its own copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DivergenceAt {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparisonReport {
    pub verdict: Said,
    /// For a re-serialization: each way the two spellings differ.
    pub differences: Vec<Said>,
    /// The first [`SHOWN_EVIDENCE`] rows.
    pub evidence: Vec<EvidenceRow>,
    /// Rows not sent, and how many of those differ, so a difference is never hidden silently.
    pub hidden_evidence: usize,
    pub hidden_evidence_differ: usize,
    /// The first [`SHOWN_CHANGES`] paths.
    pub changes: Vec<ChangeRow>,
    pub counts: ChangeCounts,
    pub divergence: Option<DivergenceAt>,
}

fn said(slug: &str, text: impl ToString) -> Said {
    Said {
        slug: slug.to_owned(),
        text: text.to_string(),
    }
}

/// A JSON value on one line, cut to [`VALUE_CHARS`].
fn short_value(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(VALUE_CHARS) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text,
    }
}

fn evidence_row(row: &Evidence) -> EvidenceRow {
    EvidenceRow {
        label: row.label.clone(),
        a: row.a.clone(),
        b: row.b.clone(),
        same: row.same(),
    }
}

fn change_row(change: &PathChange) -> ChangeRow {
    let (a, b) = match &change.change {
        Change::Added(v) => (None, Some(v)),
        Change::Removed(v) => (Some(v), None),
        Change::Changed { a, b } => (Some(a), Some(b)),
    };
    ChangeRow {
        slug: change.change.slug().to_owned(),
        path: change.path.clone(),
        a: a.map(short_value),
        b: b.map(short_value),
    }
}

impl ComparisonReport {
    pub fn of(comparison: &Comparison) -> ComparisonReport {
        let differences = match &comparison.verdict {
            Verdict::Reserialized { differences, .. } => differences
                .iter()
                .map(|d: &SerializationDifference| said(d.slug(), d))
                .collect(),
            _ => Vec::new(),
        };
        let hidden = comparison.evidence.get(SHOWN_EVIDENCE..).unwrap_or_default();
        let count = |slug: &str| {
            comparison
                .changes
                .iter()
                .filter(|c| c.change.slug() == slug)
                .count()
        };
        ComparisonReport {
            verdict: said(comparison.verdict.slug(), &comparison.verdict),
            differences,
            evidence: comparison
                .evidence
                .iter()
                .take(SHOWN_EVIDENCE)
                .map(evidence_row)
                .collect(),
            hidden_evidence: hidden.len(),
            hidden_evidence_differ: hidden.iter().filter(|row| !row.same()).count(),
            changes: comparison
                .changes
                .iter()
                .take(SHOWN_CHANGES)
                .map(change_row)
                .collect(),
            counts: ChangeCounts {
                total: comparison.changes.len(),
                removed: count("removed"),
                added: count("added"),
                changed: count("changed"),
            },
            divergence: comparison.divergence.as_ref().map(|d| DivergenceAt {
                offset: d.offset,
                line: d.line,
                column: d.column,
            }),
        }
    }
}

/// The answer to an expected digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedReport {
    pub answer: Said,
    /// The expected digest is another loaded document's: its position in the family given.
    pub family_place: Option<usize>,
    /// The expected digest is a re-serialization's: the bytes that have it, as text.
    pub bytes: Option<String>,
}

impl ExpectedReport {
    /// `analysis` is the checked document's, whose JSON the re-serialized bytes are written from.
    pub fn of(check: &ExpectedCheck, analysis: &Analysis) -> ExpectedReport {
        let family_place = match check {
            ExpectedCheck::OtherDigest {
                place: Place::Family(i),
                ..
            } => Some(*i),
            _ => None,
        };
        let bytes = match (check, &analysis.json) {
            (ExpectedCheck::Reserialized { style, .. }, Some(value)) => {
                Some(String::from_utf8_lossy(&reserialize::write(value, style)).into_owned())
            }
            _ => None,
        };
        ExpectedReport {
            answer: said(check.slug(), check),
            family_place,
            bytes,
        }
    }
}

/// One row of the re-push preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenderingReport {
    pub name: String,
    pub digest: Digest,
    pub size: usize,
    /// What the page writes is UTF-8 JSON, so the text is the bytes.
    pub text: String,
    pub same_as_input: bool,
}

impl RenderingReport {
    pub fn of(rendering: &Rendering) -> RenderingReport {
        RenderingReport {
            name: rendering.name.clone(),
            digest: rendering.digest.clone(),
            size: rendering.bytes.len(),
            text: String::from_utf8_lossy(&rendering.bytes).into_owned(),
            same_as_input: rendering.same_as_input,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::diagnose::{check_expected, compare, repush_preview, Expected};
    use crate::core::document::{Document, Origin};
    use crate::core::media_type::MediaType;
    use crate::core::reference::Reference;

    fn pasted(text: &str) -> Document {
        Document::new(text.as_bytes(), Origin::Pasted)
    }

    /// Files a registry served, with the media type it served them under (tests/fixtures/registry,
    /// made by scripts/make-fixtures against distribution 2.8.2).
    fn served_documents() -> Vec<(Vec<u8>, Option<MediaType>)> {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/registry"));
        let index: Value =
            serde_json::from_slice(&std::fs::read(dir.join("fixtures.json")).unwrap()).unwrap();
        index["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["role"] != "layer")
            .map(|f| {
                let bytes = std::fs::read(dir.join(f["path"].as_str().unwrap())).unwrap();
                (bytes, f["media_type"].as_str().map(MediaType::parse))
            })
            .collect()
    }

    /// A document as the worker makes it: the page's bytes, and its origin after the trip as JSON
    /// the worker's protocol makes.
    fn in_the_worker(page: &Document) -> Document {
        let origin: Origin = serde_json::from_str(&serde_json::to_string(page.origin()).unwrap()).unwrap();
        Document::new(page.bytes(), origin)
    }

    fn served_as(media_type: Option<MediaType>) -> Origin {
        Origin::Registry {
            reference: Reference::parse("localhost:5000/fixtures/image:1").unwrap(),
            media_type,
        }
    }

    #[test]
    fn the_worker_reads_every_served_document_as_the_kind_the_page_found() {
        let documents = served_documents();
        assert!(documents.len() >= 20, "{} documents", documents.len());
        for (bytes, served) in documents {
            let page = Document::new(bytes, served_as(served.clone()));
            let worker = in_the_worker(&page);
            assert_eq!(
                worker.analysis().kind,
                page.analysis().kind,
                "served as {served:?}"
            );
        }
    }

    #[test]
    fn the_worker_reads_a_config_served_as_oci_as_an_oci_config() {
        let config = br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
        for served in [MediaType::OciConfig, MediaType::DockerConfig] {
            let page = Document::new(&config[..], served_as(Some(served.clone())));
            assert_eq!(in_the_worker(&page).analysis().kind.media_type(), Some(served));
        }
        let unhinted = Document::new(&config[..], Origin::Pasted);
        assert_eq!(in_the_worker(&unhinted).analysis().kind, unhinted.analysis().kind);
    }

    #[test]
    fn a_report_cuts_the_diff_but_counts_every_path() {
        let big = |seed: &str| {
            let entries: Vec<String> = (0..250).map(|i| format!("\"k{i}\":\"{seed}{i}\"")).collect();
            format!("{{{}}}", entries.join(","))
        };
        let report = ComparisonReport::of(&compare(&pasted(&big("a")), &pasted(&big("b"))));
        assert_eq!(report.changes.len(), SHOWN_CHANGES);
        assert_eq!(report.counts.total, 250);
        assert_eq!(report.counts.changed, 250);
        assert_eq!(report.divergence.map(|d| d.offset), Some(7));
    }

    #[test]
    fn a_long_value_is_cut_with_an_ellipsis() {
        let a = pasted(&format!("{{\"v\":\"{}\"}}", "x".repeat(500)));
        let report = ComparisonReport::of(&compare(&a, &pasted("{\"v\":1}")));
        let row = report.changes.first().cloned();
        let a_value = row.and_then(|r| r.a).unwrap_or_default();
        assert_eq!(a_value.chars().count(), VALUE_CHARS + 1);
        assert!(a_value.ends_with('…'));
    }

    #[test]
    fn a_reserialized_answer_carries_the_bytes_that_have_the_expected_digest() {
        let document = pasted("{\n  \"schemaVersion\": 2\n}");
        // The compact spelling, as Go's json.Marshal (and `jq -c`) write it.
        let expected: Expected = Digest::sha256(b"{\"schemaVersion\":2}")
            .to_string()
            .parse()
            .unwrap();
        let check = check_expected(&document, &expected, &[]);
        let report = ExpectedReport::of(&check, document.analysis());
        assert_eq!(report.answer.slug, "reserialized");
        assert_eq!(report.bytes.as_deref(), Some("{\"schemaVersion\":2}"));
    }

    #[test]
    fn reports_survive_the_trip_as_json() {
        let document = pasted("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},\"layers\":[]}");
        let renderings: Vec<RenderingReport> = repush_preview(&document)
            .iter()
            .map(RenderingReport::of)
            .collect();
        assert!(!renderings.is_empty());
        let text = serde_json::to_string(&renderings).unwrap();
        assert_eq!(
            serde_json::from_str::<Vec<RenderingReport>>(&text).unwrap(),
            renderings
        );
    }
}
