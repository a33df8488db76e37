//! An image's filesystem: its layers' listings applied bottom to top, as overlayfs and containerd's
//! applier do (OCI image spec, "Applying Changesets"). Within a layer, whiteouts act on the layers
//! below only, so a layer's deletions are applied before its own entries. A path written again
//! hides the lower copy, and a non-directory written over a directory hides what was below it.
//!
//! Every byte a layer adds is downloaded whether or not it stays visible, so each layer gets the
//! bytes it adds and the bytes of those that end up hidden (shadowed or deleted above).

use super::tar::{Entry, EntryKind, Listing, Whiteout};
use crate::core::digest::Digest;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A path of the merged filesystem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedEntry {
    /// Index of the layer that last wrote it.
    pub layer: usize,
    pub kind: EntryKind,
    pub size: u64,
    pub digest: Option<Digest>,
    /// A symlink's or hardlink's target.
    pub link: Option<String>,
}

/// How a path written by a lower layer left the merged filesystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Removal {
    /// A whiteout `.wh.<name>` deleted it or a directory above it.
    Deleted,
    /// An opaque marker `.wh..wh..opq` hid its directory's lower contents.
    Opaque,
    /// A later layer wrote the same path again.
    Shadowed,
    /// A later layer wrote a non-directory where a directory above it was.
    Replaced,
}

impl Removal {
    /// The word the page and `scripts/oci-merge` use.
    pub fn slug(self) -> &'static str {
        match self {
            Removal::Deleted => "deleted",
            Removal::Opaque => "opaque",
            Removal::Shadowed => "shadowed",
            Removal::Replaced => "replaced",
        }
    }
}

/// A path some layer wrote that is not (or no longer in that version) in the merged filesystem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gone {
    pub path: String,
    /// The layer that wrote it, and its entry as written.
    pub entry: MergedEntry,
    /// The layer that removed or shadowed it.
    pub by: usize,
    pub how: Removal,
}

/// What one layer contributes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerShare {
    /// Regular-file bytes in the layer.
    pub added_bytes: u64,
    /// Of those, the bytes not visible in the merged filesystem.
    pub hidden_bytes: u64,
    /// Whiteouts and opaque markers.
    pub deletions: u64,
    /// The listing was cut at its cap or stopped early: the numbers cover the listed part.
    pub partial: bool,
}

/// The merged tree of an image's layers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filesystem {
    pub paths: BTreeMap<String, MergedEntry>,
    pub layers: Vec<LayerShare>,
    /// Paths removed or shadowed on the way, in the order it happened (at most `max_paths`).
    pub gone: Vec<Gone>,
    /// What the caps left out.
    pub omitted: MergeOmitted,
}

/// Paths past the cap: counted, not kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeOmitted {
    /// New paths not added to the merged tree once it held `max_paths`.
    pub paths: u64,
    /// Removals not recorded once `gone` held `max_paths`.
    pub gone: u64,
}

fn content_bytes(entry: &Entry) -> u64 {
    if entry.kind == EntryKind::File {
        entry.size
    } else {
        0
    }
}

/// The merge in progress: the tree and what left it.
struct Merging {
    paths: BTreeMap<String, MergedEntry>,
    gone: Vec<Gone>,
    omitted: MergeOmitted,
    max_paths: usize,
}

impl Merging {
    fn record(&mut self, path: String, entry: MergedEntry, by: usize, how: Removal) {
        if self.gone.len() < self.max_paths {
            self.gone.push(Gone { path, entry, by, how });
        } else {
            self.omitted.gone += 1;
        }
    }

    /// Removes everything below `path` (and `path` itself unless `below_only`), as layer `by`
    /// does it `how`.
    fn remove_tree(&mut self, path: &str, below_only: bool, by: usize, how: Removal) {
        let doomed: Vec<String> = if path.is_empty() || path == "." {
            self.paths.keys().filter(|p| p.as_str() != ".").cloned().collect()
        } else {
            let prefix = format!("{path}/");
            let mut below: Vec<String> = self
                .paths
                .range(prefix.clone()..)
                .take_while(|(p, _)| p.starts_with(&prefix))
                .map(|(p, _)| p.clone())
                .collect();
            if !below_only && self.paths.contains_key(path) {
                below.push(path.to_owned());
            }
            below
        };
        let mut doomed = doomed;
        doomed.sort();
        for p in doomed {
            if let Some(entry) = self.paths.remove(&p) {
                self.record(p, entry, by, how);
            }
        }
    }

    /// Layer `index` writes `entry`.
    fn write(&mut self, entry: &Entry, index: usize) {
        if entry.kind != EntryKind::Dir {
            self.remove_tree(&entry.path, true, index, Removal::Replaced);
        }
        let merged = MergedEntry {
            layer: index,
            kind: entry.kind,
            size: content_bytes(entry),
            digest: entry.digest.clone(),
            link: entry.link.clone(),
        };
        if let Some(slot) = self.paths.get_mut(&entry.path) {
            let lower = std::mem::replace(slot, merged);
            if lower.layer != index {
                self.record(entry.path.clone(), lower, index, Removal::Shadowed);
            }
        } else if self.paths.len() >= self.max_paths {
            self.omitted.paths += 1;
        } else {
            self.paths.insert(entry.path.clone(), merged);
        }
    }
}

/// Applies `listings` (bottom layer first), keeping at most
/// [`DEFAULT_MAX_ENTRIES`](super::tar::DEFAULT_MAX_ENTRIES) paths and removals.
pub fn merge(listings: &[&Listing]) -> Filesystem {
    merge_capped(listings, super::tar::DEFAULT_MAX_ENTRIES)
}

/// Applies `listings` (bottom layer first), keeping at most `max_paths` paths in the tree and
/// as many removals; the rest are counted in [`Filesystem::omitted`].
pub fn merge_capped(listings: &[&Listing], max_paths: usize) -> Filesystem {
    let mut merging = Merging {
        paths: BTreeMap::new(),
        gone: Vec::new(),
        omitted: MergeOmitted::default(),
        max_paths,
    };
    let mut layers = Vec::with_capacity(listings.len());
    for (index, listing) in listings.iter().enumerate() {
        let mut share = LayerShare {
            partial: listing.omitted.entries > 0 || listing.error.is_some(),
            ..LayerShare::default()
        };
        for entry in &listing.entries {
            match &entry.whiteout {
                Some(Whiteout::Delete(path)) => merging.remove_tree(path, false, index, Removal::Deleted),
                Some(Whiteout::Opaque(dir)) => merging.remove_tree(dir, true, index, Removal::Opaque),
                None => continue,
            }
            share.deletions += 1;
        }
        for entry in listing.entries.iter().filter(|e| e.whiteout.is_none()) {
            share.added_bytes += content_bytes(entry);
            merging.write(entry, index);
        }
        layers.push(share);
    }
    let Merging {
        paths, gone, omitted, ..
    } = merging;
    let mut visible = vec![0u64; listings.len()];
    for entry in paths.values() {
        if let Some(v) = visible.get_mut(entry.layer) {
            *v += entry.size;
        }
    }
    for (share, visible) in layers.iter_mut().zip(visible) {
        share.hidden_bytes = share.added_bytes.saturating_sub(visible);
    }
    Filesystem {
        paths,
        layers,
        gone,
        omitted,
    }
}
