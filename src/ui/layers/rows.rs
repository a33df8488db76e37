//! The layer panel's state: one row per layer of the image, plus one per dropped file that
//! named no layer. No `html!`, no IO: workers' events come in as actions.

use super::protocol::Event;
use crate::core::layer::compression::SizeEstimate;
use crate::core::layer::estimate::EstimateProblem;
use crate::core::layer::tar::{Entry, Listing};
use crate::core::layer::{
    check, match_report, BlobReport, ImageBlob, ImageDigests, LayerCheck, LayerClaim, LayerMatch,
};
use std::rc::Rc;
use yew::Reducible;

/// Where a row stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Nothing read yet.
    Idle,
    /// Waiting for a free worker.
    Queued {
        job: u32,
    },
    Running {
        job: u32,
        done: u64,
        total: Option<u64>,
        /// When the first progress report came (ms) and how far it was, for the rate.
        since: f64,
        done_since: u64,
        now: f64,
    },
    Checked {
        check: LayerCheck,
        report: BlobReport,
    },
    /// A dropped file that is no layer of this image: what it measured.
    Unmatched {
        report: BlobReport,
    },
    /// A dropped file that is the image's config or manifest, not a layer.
    ImageBlob {
        what: ImageBlob,
        report: BlobReport,
    },
    /// The dropped file turned out to be a layer: its result moved to the layer's row.
    MovedTo {
        layers: Vec<usize>,
    },
    /// The blob could not be read (a sentence for the user).
    Failed {
        message: String,
    },
    Cancelled,
}

impl Status {
    /// `data-state` in the page.
    pub fn slug(&self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Queued { .. } => "queued",
            Status::Running { .. } => "running",
            Status::Checked { check, .. } => check.verdict.slug(),
            Status::Unmatched { .. } => "mismatch",
            Status::ImageBlob { .. } => "image-blob",
            Status::MovedTo { .. } => "moved",
            Status::Failed { .. } => "error",
            Status::Cancelled => "cancelled",
        }
    }

    /// The job reading this row's blob, while there is one.
    pub fn job(&self) -> Option<u32> {
        match self {
            Status::Queued { job } | Status::Running { job, .. } => Some(*job),
            _ => None,
        }
    }
}

/// A row's tar listing, as it streamed in from the worker.
#[derive(Debug, Clone, Default)]
pub struct Files {
    /// Batches in arrival order; each in an `Rc`, so the reducer's copy of the rows copies
    /// pointers, not entries.
    pub batches: Vec<Rc<Vec<Entry>>>,
    /// How the listing ended, once it has.
    pub listing: Option<Rc<Listing>>,
}

impl Files {
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.batches.iter().flat_map(|b| b.iter())
    }

    pub fn len(&self) -> usize {
        self.batches.iter().map(|b| b.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.batches.iter().all(|b| b.is_empty()) && self.listing.is_none()
    }
}

/// Listings are equal when they are the same batches: comparing entries would cost as much as
/// rendering them.
impl PartialEq for Files {
    fn eq(&self, other: &Files) -> bool {
        let same_batches = self.batches.len() == other.batches.len()
            && self
                .batches
                .iter()
                .zip(&other.batches)
                .all(|(a, b)| Rc::ptr_eq(a, b));
        let same_end = match (&self.listing, &other.listing) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        same_batches && same_end
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Stable across updates; events find their row by it.
    pub key: u32,
    /// The layer's position in the manifest; `None` for a file that named no layer.
    pub layer: Option<usize>,
    /// What the blob read is checked against (a layer's claim, its diff_id only, or nothing).
    pub against: LayerClaim,
    /// What was (or is being) read: a file name or "the registry".
    pub read_from: Option<String>,
    pub status: Status,
    pub files: Files,
    /// The uncompressed size read from a few bytes of the blob, when it was asked for.
    pub estimate: Option<Result<SizeEstimate, EstimateProblem>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    /// The layers' claims, in manifest order.
    pub claims: Vec<LayerClaim>,
    /// The manifest's and config's digests, to name a dropped file that is one of them.
    pub image: ImageDigests,
    pub rows: Vec<Row>,
}

pub enum Action {
    /// Row `key` now waits for `job`, which reads `read_from` and checks it against `against`.
    Queued {
        key: u32,
        job: u32,
        against: LayerClaim,
        read_from: String,
    },
    /// A dropped file that names no layer gets row `key`.
    AddFile { key: u32, name: String },
    /// A worker's event for row `key`, at time `now` (ms).
    Event { key: u32, event: Event, now: f64 },
    /// Row `key` cannot be read at all (e.g. its descriptor has no digest to download).
    Fail { key: u32, message: String },
    /// Row `key`'s uncompressed size, estimated from a few bytes (or why not).
    Estimated {
        key: u32,
        estimate: Result<SizeEstimate, EstimateProblem>,
    },
}

impl Rows {
    pub fn new(claims: Vec<LayerClaim>, image: ImageDigests) -> Rows {
        let rows = claims
            .iter()
            .enumerate()
            .map(|(i, claim)| Row {
                key: i as u32,
                layer: Some(i),
                against: claim.clone(),
                read_from: None,
                status: Status::Idle,
                files: Files::default(),
                estimate: None,
            })
            .collect();
        Rows { claims, image, rows }
    }

    /// The first key free for a new row.
    pub fn next_key(&self) -> u32 {
        self.rows.iter().map(|r| r.key + 1).max().unwrap_or(0)
    }

    pub fn layer_rows(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.layer.is_some())
    }

    /// Rows of dropped files that named no layer, while they are read or when they matched none.
    pub fn file_rows(&self) -> impl Iterator<Item = &Row> {
        self.rows
            .iter()
            .filter(|r| r.layer.is_none() && !matches!(r.status, Status::MovedTo { .. }))
    }

    /// Jobs still queued or running.
    pub fn active_jobs(&self) -> Vec<u32> {
        self.rows.iter().filter_map(|r| r.status.job()).collect()
    }

    fn row_mut(&mut self, key: u32) -> Option<&mut Row> {
        self.rows.iter_mut().find(|r| r.key == key)
    }

    fn apply(&mut self, key: u32, event: Event, now: f64) {
        let Some(row) = self.rows.iter().find(|r| r.key == key) else {
            return;
        };
        // An event from an older job of this row (it was read again since) is stale.
        if event.job().is_some() && event.job() != row.status.job() {
            return;
        }
        let status = match (event, &row.status) {
            (Event::Done { report, .. }, _) if row.layer.is_none() => {
                self.place(key, report);
                return;
            }
            (Event::Done { report, .. }, _) => Status::Checked {
                check: check(&row.against, &report),
                report,
            },
            (
                Event::Progress { id, done, total },
                Status::Running {
                    since, done_since, ..
                },
            ) => Status::Running {
                job: id,
                done,
                total,
                since: *since,
                done_since: *done_since,
                now,
            },
            (Event::Progress { id, done, total }, _) => Status::Running {
                job: id,
                done,
                total,
                since: now,
                done_since: done,
                now,
            },
            (Event::Files { entries, .. }, _) => {
                if let Some(row) = self.row_mut(key) {
                    row.files.batches.push(Rc::new(entries));
                }
                return;
            }
            (Event::Listed { listing, .. }, _) => {
                if let Some(row) = self.row_mut(key) {
                    row.files.listing = Some(Rc::new(listing));
                }
                return;
            }
            (Event::Failed { message, .. }, _) => Status::Failed { message },
            (Event::Cancelled { .. }, _) => Status::Cancelled,
            (Event::Ready, _) => return,
        };
        if let Some(row) = self.row_mut(key) {
            row.status = status;
        }
    }

    /// A dropped file of unknown identity has been read: its result goes to the layers it
    /// turned out to be, or stays as a file that is no layer of this image (named when it is the
    /// image's config or manifest, its tar listing dropped: JSON is no tar).
    fn place(&mut self, key: u32, report: BlobReport) {
        let found = match_report(&report, &self.claims);
        let layers = match &found {
            LayerMatch::Blob(layers) | LayerMatch::Uncompressed(layers) => layers.clone(),
            LayerMatch::None => Vec::new(),
        };
        let name = self.row_mut(key).and_then(|r| r.read_from.clone());
        let files = self.row_mut(key).map(|r| r.files.clone()).unwrap_or_default();
        for &i in &layers {
            let Some(claim) = self.claims.get(i).cloned() else {
                continue;
            };
            let against = match found {
                LayerMatch::Uncompressed(_) => claim.uncompressed_only(),
                _ => claim,
            };
            if let Some(row) = self.rows.iter_mut().find(|r| r.layer == Some(i)) {
                row.status = Status::Checked {
                    check: check(&against, &report),
                    report: report.clone(),
                };
                row.against = against;
                row.read_from = name.clone();
                row.files = files.clone();
            }
        }
        let other = self.image.which(&report);
        if let Some(row) = self.row_mut(key) {
            row.status = match (layers.is_empty(), other) {
                (false, _) => Status::MovedTo { layers },
                (true, Some(what)) => {
                    row.files = Files::default();
                    Status::ImageBlob { what, report }
                }
                (true, None) => Status::Unmatched { report },
            };
        }
    }
}

impl Reducible for Rows {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Queued {
                key,
                job,
                against,
                read_from,
            } => {
                if let Some(row) = next.row_mut(key) {
                    row.status = Status::Queued { job };
                    row.files = Files::default();
                    row.against = against;
                    row.read_from = Some(read_from);
                }
            }
            Action::AddFile { key, name } => next.rows.push(Row {
                key,
                layer: None,
                against: LayerClaim::default(),
                read_from: Some(name),
                status: Status::Idle,
                files: Files::default(),
                estimate: None,
            }),
            Action::Event { key, event, now } => next.apply(key, event, now),
            Action::Fail { key, message } => {
                if let Some(row) = next.row_mut(key) {
                    row.status = Status::Failed { message };
                }
            }
            Action::Estimated { key, estimate } => {
                if let Some(row) = next.row_mut(key) {
                    row.estimate = Some(estimate);
                }
            }
        }
        Rc::new(next)
    }
}
