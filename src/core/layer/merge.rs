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
}

fn content_bytes(entry: &Entry) -> u64 {
    if entry.kind == EntryKind::File {
        entry.size
    } else {
        0
    }
}

/// Removes `path` and everything below it (`below_only` keeps `path` itself).
fn remove_tree(paths: &mut BTreeMap<String, MergedEntry>, path: &str, below_only: bool) {
    if path.is_empty() || path == "." {
        paths.retain(|p, _| below_only && p == ".");
        return;
    }
    if !below_only {
        paths.remove(path);
    }
    let prefix = format!("{path}/");
    let doomed: Vec<String> = paths
        .range(prefix.clone()..)
        .take_while(|(p, _)| p.starts_with(&prefix))
        .map(|(p, _)| p.clone())
        .collect();
    for p in doomed {
        paths.remove(&p);
    }
}

/// Applies `listings` (bottom layer first).
pub fn merge(listings: &[&Listing]) -> Filesystem {
    let mut paths = BTreeMap::new();
    let mut layers = Vec::with_capacity(listings.len());
    for (index, listing) in listings.iter().enumerate() {
        let mut share = LayerShare {
            partial: listing.omitted.entries > 0 || listing.error.is_some(),
            ..LayerShare::default()
        };
        for entry in &listing.entries {
            match &entry.whiteout {
                Some(Whiteout::Delete(path)) => remove_tree(&mut paths, path, false),
                Some(Whiteout::Opaque(dir)) => remove_tree(&mut paths, dir, true),
                None => continue,
            }
            share.deletions += 1;
        }
        for entry in listing.entries.iter().filter(|e| e.whiteout.is_none()) {
            share.added_bytes += content_bytes(entry);
            if entry.kind != EntryKind::Dir {
                remove_tree(&mut paths, &entry.path, true);
            }
            paths.insert(
                entry.path.clone(),
                MergedEntry {
                    layer: index,
                    kind: entry.kind,
                    size: content_bytes(entry),
                    digest: entry.digest.clone(),
                },
            );
        }
        layers.push(share);
    }
    let mut visible = vec![0u64; listings.len()];
    for entry in paths.values() {
        if let Some(v) = visible.get_mut(entry.layer) {
            *v += entry.size;
        }
    }
    for (share, visible) in layers.iter_mut().zip(visible) {
        share.hidden_bytes = share.added_bytes.saturating_sub(visible);
    }
    Filesystem { paths, layers }
}
