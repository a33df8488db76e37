//! Two images' layers in one table: one row per layer position (and, when one image has more
//! layers, a row for each extra one), with each side's blob digest, size and diff_id, and what
//! the pair is to each other.
//!
//! The status is decided from descriptors and configs alone, most certain first:
//! 1. the same blob digest: the very same bytes, shared (a registry stores them once);
//! 2. both diff_ids known (each config loaded and listing one for that position) and equal: the
//!    same uncompressed tar, compressed another way;
//! 3. both known and different: the content differs;
//! 4. otherwise the table cannot tell, and says what it lacks (a config not loaded, a config with
//!    fewer diff_ids than the manifest has layers, a descriptor without a digest).
//!
//! A diff_id here is the config's *claim*; the "Why?" of a row checks the bytes themselves
//! (`core::layer::diff`).

use crate::core::digest::Digest;
use crate::core::document::{Analysis, Body};
use crate::core::image_config::ImageConfig;

/// One image: its manifest, and its config when that is loaded.
#[derive(Clone, Copy)]
pub struct ImageLayers<'a> {
    pub manifest: &'a Analysis,
    pub config: Option<&'a Analysis>,
}

impl<'a> ImageLayers<'a> {
    fn image_config(&self) -> Option<&'a ImageConfig> {
        match &self.config?.body {
            Body::Config(config) => Some(config),
            _ => None,
        }
    }

    fn cells(&self) -> Vec<LayerCell> {
        let Body::Manifest { layers, .. } = &self.manifest.body else {
            return Vec::new();
        };
        let config = self.image_config();
        layers
            .iter()
            .enumerate()
            .map(|(i, layer)| LayerCell {
                digest: layer.digest.clone(),
                size: layer.size,
                media_type: layer.media_type.as_ref().map(|m| m.as_str().to_owned()),
                diff_id: match config {
                    None => DiffId::ConfigNotLoaded,
                    Some(config) => match config.diff_ids.get(i) {
                        Some(Ok(digest)) => DiffId::Claimed(digest.clone()),
                        Some(Err(_)) => DiffId::Malformed,
                        None => DiffId::NotListed,
                    },
                },
            })
            .collect()
    }
}

/// What the config says the layer's uncompressed digest is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffId {
    Claimed(Digest),
    ConfigNotLoaded,
    /// The config lists fewer diff_ids than the manifest has layers.
    NotListed,
    /// The config's diff_id at this position is not a digest.
    Malformed,
}

impl DiffId {
    pub fn digest(&self) -> Option<&Digest> {
        match self {
            DiffId::Claimed(digest) => Some(digest),
            DiffId::ConfigNotLoaded | DiffId::NotListed | DiffId::Malformed => None,
        }
    }
}

/// One side of a row: a layer descriptor of the manifest, and the config's diff_id for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerCell {
    pub digest: Option<Digest>,
    pub size: Option<u64>,
    pub media_type: Option<String>,
    pub diff_id: DiffId,
}

/// What the two layers at one position are to each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairStatus {
    Shared,
    Recompressed,
    Different,
    OnlyA,
    OnlyB,
    Unknown(Unknown),
}

/// What the table lacks to decide a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    ConfigNotLoaded,
    NoDiffId,
    NoDigest,
}

impl PairStatus {
    /// The page's `data-status`.
    pub fn slug(self) -> &'static str {
        match self {
            PairStatus::Shared => "shared",
            PairStatus::Recompressed => "recompressed",
            PairStatus::Different => "different",
            PairStatus::OnlyA => "only-a",
            PairStatus::OnlyB => "only-b",
            PairStatus::Unknown(_) => "unknown",
        }
    }

    /// The status and its reason, as the table says it.
    pub fn reason(self) -> &'static str {
        match self {
            PairStatus::Shared => "same blob (shared)",
            PairStatus::Recompressed => "same content, different compression (diff_id equal)",
            PairStatus::Different => "different content (diff_ids differ)",
            PairStatus::OnlyA => "only in A",
            PairStatus::OnlyB => "only in B",
            PairStatus::Unknown(Unknown::ConfigNotLoaded) => "unknown (config not loaded)",
            PairStatus::Unknown(Unknown::NoDiffId) => {
                "unknown (the config names no valid diff_id for this layer)"
            }
            PairStatus::Unknown(Unknown::NoDigest) => "unknown (a layer descriptor has no valid digest)",
        }
    }

    /// Whether a file-level comparison of the two blobs can say more ("Why?").
    pub fn worth_asking_why(self) -> bool {
        matches!(
            self,
            PairStatus::Recompressed
                | PairStatus::Different
                | PairStatus::Unknown(Unknown::ConfigNotLoaded)
                | PairStatus::Unknown(Unknown::NoDiffId)
        )
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerPair {
    /// The layer's position in each manifest (0 first, the base layer).
    pub index: usize,
    pub a: Option<LayerCell>,
    pub b: Option<LayerCell>,
    pub status: PairStatus,
}

fn status(a: Option<&LayerCell>, b: Option<&LayerCell>) -> PairStatus {
    let (a, b) = match (a, b) {
        (Some(a), Some(b)) => (a, b),
        (Some(_), None) => return PairStatus::OnlyA,
        (None, _) => return PairStatus::OnlyB,
    };
    let (Some(blob_a), Some(blob_b)) = (&a.digest, &b.digest) else {
        return PairStatus::Unknown(Unknown::NoDigest);
    };
    if blob_a == blob_b {
        return PairStatus::Shared;
    }
    match (a.diff_id.digest(), b.diff_id.digest()) {
        (Some(x), Some(y)) if x == y => PairStatus::Recompressed,
        (Some(_), Some(_)) => PairStatus::Different,
        _ if a.diff_id == DiffId::ConfigNotLoaded || b.diff_id == DiffId::ConfigNotLoaded => {
            PairStatus::Unknown(Unknown::ConfigNotLoaded)
        }
        _ => PairStatus::Unknown(Unknown::NoDiffId),
    }
}

/// The rows for two images, one per layer position of the longer manifest.
pub fn layer_pairs(a: ImageLayers<'_>, b: ImageLayers<'_>) -> Vec<LayerPair> {
    let (cells_a, cells_b) = (a.cells(), b.cells());
    (0..cells_a.len().max(cells_b.len()))
        .map(|index| {
            let (a, b) = (cells_a.get(index).cloned(), cells_b.get(index).cloned());
            LayerPair {
                index,
                status: status(a.as_ref(), b.as_ref()),
                a,
                b,
            }
        })
        .collect()
}
