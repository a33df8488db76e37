//! "Why do these digests differ?": two documents in, the most specific [`Verdict`] out.

use super::divergence::{first_divergence, Divergence};
use super::json_diff::{json_diff, values_equal, PathChange};
use super::serialization::{serialization_differences, SerializationDifference};
use super::verdict::{or_none, ConfigChange, EntryDifference, LayerChange, Verdict};
use super::{Evidence, Side};
use crate::core::descriptor::{Descriptor, Platform};
use crate::core::digest::Digest;
use crate::core::document::{Analysis, Body, Document, Kind, Schema1View};
use crate::core::media_type::MediaType;
use crate::core::reserialize::{self};
use std::collections::HashSet;

/// The result of [`compare`].
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub verdict: Verdict,
    pub evidence: Vec<Evidence>,
    /// Where the bytes first differ, `None` when they are identical.
    pub divergence: Option<Divergence>,
    /// What differs in the JSON values, empty when either is not JSON.
    pub changes: Vec<PathChange>,
}

/// Compares two documents and says why their digests differ.
pub fn compare(a: &Document, b: &Document) -> Comparison {
    let (a_bytes, b_bytes) = (a.bytes(), b.bytes());
    let (a, b) = (a.analysis(), b.analysis());
    let changes = match (&a.json, &b.json) {
        (Some(x), Some(y)) => json_diff(x, y),
        _ => Vec::new(),
    };
    let mut evidence = vec![
        Evidence::new("digest", a.digest().to_string(), b.digest().to_string()),
        Evidence::new("document", a.kind.name(), b.kind.name()),
        Evidence::new("size", format!("{} bytes", a.size), format!("{} bytes", b.size)),
    ];
    let verdict = verdict(a, a_bytes, b, b_bytes, &changes, &mut evidence);
    Comparison {
        verdict,
        evidence,
        divergence: first_divergence(a_bytes, b_bytes),
        changes,
    }
}

fn verdict(
    a: &Analysis,
    a_bytes: &[u8],
    b: &Analysis,
    b_bytes: &[u8],
    changes: &[PathChange],
    evidence: &mut Vec<Evidence>,
) -> Verdict {
    if a_bytes == b_bytes {
        return Verdict::IdenticalBytes {
            digest: a.digest().clone(),
        };
    }
    if let (Some(x), Some(y)) = (&a.json, &b.json) {
        if values_equal(x, y) {
            return reserialized(a, a_bytes, b, b_bytes, evidence);
        }
    }
    if let (Some(p), Some(q)) = (schema1_payload(a), schema1_payload(b)) {
        if p == q {
            return Verdict::Schema1Resigned { payload: p.clone() };
        }
    }
    for (index, child, side) in [(a, b, Side::A), (b, a, Side::B)] {
        if let Some(verdict) = index_and_child(index, child, side) {
            return verdict;
        }
    }
    for (manifest, config, side) in [(a, b, Side::A), (b, a, Side::B)] {
        if let Body::Manifest {
            config: Some(descriptor),
            ..
        } = &manifest.body
        {
            if descriptor.digest.as_ref() == Some(&config.bytes_digest) {
                return Verdict::ManifestAndConfig {
                    manifest: side,
                    config: config.bytes_digest.clone(),
                };
            }
        }
    }
    match (&a.body, &b.body) {
        (Body::Manifest { .. }, Body::Manifest { .. }) => manifests(a, b, changes, evidence),
        (Body::Schema1(view), Body::Manifest { layers, .. }) => {
            schema1_and_schema2(Side::A, view, b.kind, layers)
        }
        (Body::Manifest { layers, .. }, Body::Schema1(view)) => {
            schema1_and_schema2(Side::B, view, a.kind, layers)
        }
        (Body::Index { manifests: x, .. }, Body::Index { manifests: y, .. }) => {
            indexes(a.kind, x, b.kind, y, changes)
        }
        (Body::Config(x), Body::Config(y)) => {
            evidence.push(Evidence::new(
                "layers (diff_ids)",
                x.diff_ids.len().to_string(),
                y.diff_ids.len().to_string(),
            ));
            Verdict::ConfigsDiffer {
                same_diff_ids: x.diff_ids == y.diff_ids,
                paths: changes.iter().map(|c| c.path.clone()).collect(),
            }
        }
        (Body::Schema1(x), Body::Schema1(y)) => Verdict::DifferentImages {
            a_config: None,
            b_config: None,
            shared_layers: x.blob_sums.iter().filter(|s| y.blob_sums.contains(s)).count(),
        },
        _ => Verdict::Unrelated { a: a.kind, b: b.kind },
    }
}

pub(super) fn schema1_payload(analysis: &Analysis) -> Option<&Digest> {
    match &analysis.body {
        Body::Schema1(Schema1View {
            payload: Some(Ok(payload)),
            ..
        }) => Some(&payload.digest),
        _ => None,
    }
}

fn reserialized(
    a: &Analysis,
    a_bytes: &[u8],
    b: &Analysis,
    b_bytes: &[u8],
    evidence: &mut Vec<Evidence>,
) -> Verdict {
    let style = |analysis: &Analysis, bytes: &[u8]| {
        analysis
            .json
            .as_ref()
            .and_then(|value| reserialize::identify(bytes, value))
    };
    let (a_style, b_style) = (style(a, a_bytes), style(b, b_bytes));
    let differences = match (reserialize::read(a_bytes), reserialize::read(b_bytes)) {
        (Some(x), Some(y)) => {
            evidence.push(Evidence::new(
                "written as",
                x.formatting.to_string(),
                y.formatting.to_string(),
            ));
            let mut differences = serialization_differences(&x.root, &x.formatting, &y.root, &y.formatting);
            for difference in &mut differences {
                if let SerializationDifference::KeyOrder { a_order, b_order, .. } = difference {
                    *a_order = a.json.as_ref().and_then(reserialize::key_order_of);
                    *b_order = b.json.as_ref().and_then(reserialize::key_order_of);
                }
            }
            differences
        }
        _ => Vec::new(),
    };
    Verdict::Reserialized {
        differences,
        a_style,
        b_style,
        is_config: a.kind.is_config() && b.kind.is_config(),
        is_manifest: is_manifest(a.kind) && is_manifest(b.kind),
    }
}

/// Manifests and indexes: the documents referrers point at by digest.
fn is_manifest(kind: Kind) -> bool {
    kind.media_type().is_some() && !kind.is_config()
}

fn index_and_child(index: &Analysis, child: &Analysis, side: Side) -> Option<Verdict> {
    let Body::Index { manifests, .. } = &index.body else {
        return None;
    };
    let (position, entry) = manifests
        .iter()
        .enumerate()
        .find(|(_, d)| d.digest.as_ref() == Some(child.digest()))?;
    Some(Verdict::IndexAndPlatformManifest {
        index: side,
        position,
        platform: entry.platform.clone(),
        attestation: entry.is_attestation(),
    })
}

fn manifest_parts(analysis: &Analysis) -> (Option<&Digest>, Vec<&Descriptor>) {
    match &analysis.body {
        Body::Manifest { config, layers, .. } => (
            config.as_deref().and_then(|c| c.digest.as_ref()),
            layers.iter().collect(),
        ),
        _ => (None, Vec::new()),
    }
}

fn manifests(a: &Analysis, b: &Analysis, changes: &[PathChange], evidence: &mut Vec<Evidence>) -> Verdict {
    let (a_config, a_layers) = manifest_parts(a);
    let (b_config, b_layers) = manifest_parts(b);
    evidence.push(Evidence::new(
        "config digest (Image ID)",
        or_none(a_config),
        or_none(b_config),
    ));
    let media = |d: &Descriptor| {
        d.media_type
            .as_ref()
            .map_or("no media type", MediaType::as_str)
            .to_owned()
    };
    for i in 0..a_layers.len().max(b_layers.len()) {
        let row = |layers: &[&Descriptor]| {
            layers.get(i).map_or_else(
                || "—".to_owned(),
                |d| format!("{} ({})", or_none(d.digest.as_ref()), media(d)),
            )
        };
        evidence.push(Evidence::new(
            format!("layer {i}"),
            row(&a_layers),
            row(&b_layers),
        ));
    }
    let same_config = a_config.is_some() && a_config == b_config;
    let same_count = a_layers.len() == b_layers.len();
    let layer_changes: Vec<LayerChange> = a_layers
        .iter()
        .zip(&b_layers)
        .enumerate()
        .filter(|(_, (x, y))| x.digest != y.digest)
        .map(|(index, (x, y))| LayerChange {
            index,
            a_media_type: x.media_type.clone(),
            b_media_type: y.media_type.clone(),
            a_digest: x.digest.clone(),
            b_digest: y.digest.clone(),
        })
        .collect();
    let same_layers = same_count && layer_changes.is_empty();
    if a.kind != b.kind && same_count && (same_config || same_layers) {
        return Verdict::Converted {
            from: a.kind,
            to: b.kind,
            config: match a_config {
                Some(digest) if same_config => ConfigChange::Same(digest.clone()),
                _ => ConfigChange::Rewritten {
                    a: a_config.cloned(),
                    b: b_config.cloned(),
                },
            },
            recompressed: layer_changes,
        };
    }
    match a_config {
        Some(config) if same_config && same_layers => Verdict::ManifestEdited {
            config: config.clone(),
            paths: changes.iter().map(|c| c.path.clone()).collect(),
        },
        Some(config) if same_config && same_count => Verdict::Recompressed {
            config: config.clone(),
            layers: layer_changes,
            total: a_layers.len(),
        },
        _ => {
            let b_digests: HashSet<&Digest> = b_layers.iter().filter_map(|d| d.digest.as_ref()).collect();
            Verdict::DifferentImages {
                a_config: a_config.cloned(),
                b_config: b_config.cloned(),
                shared_layers: a_layers
                    .iter()
                    .filter_map(|d| d.digest.as_ref())
                    .filter(|d| b_digests.contains(d))
                    .count(),
            }
        }
    }
}

fn schema1_and_schema2(schema1: Side, view: &Schema1View, other: Kind, layers: &[Descriptor]) -> Verdict {
    let blob_sums: HashSet<&str> = view.blob_sums.iter().map(String::as_str).collect();
    let layer_digests: HashSet<String> = layers
        .iter()
        .filter_map(|d| d.digest.as_ref())
        .map(Digest::to_string)
        .collect();
    Verdict::Schema1AndSchema2 {
        schema1,
        other,
        // Schema 1 lists a blob once per history entry, empty layers included: compare as sets.
        same_layers: !layer_digests.is_empty()
            && blob_sums.len() == layer_digests.len()
            && layer_digests.iter().all(|d| blob_sums.contains(d.as_str())),
    }
}

/// The name of an index entry: its platform, marked when it is an attestation.
fn entry_name(position: usize, descriptor: &Descriptor) -> String {
    let mut name = descriptor
        .platform
        .as_ref()
        .map_or_else(|| format!("entry {position}"), Platform::to_string);
    if descriptor.is_attestation() {
        name.push_str(" (attestation)");
    }
    name
}

fn indexes(
    a_kind: Kind,
    a: &[Descriptor],
    b_kind: Kind,
    b: &[Descriptor],
    changes: &[PathChange],
) -> Verdict {
    let mut unmatched: Vec<(String, Option<&Digest>)> = b
        .iter()
        .enumerate()
        .map(|(i, d)| (entry_name(i, d), d.digest.as_ref()))
        .collect();
    let mut entries = Vec::new();
    for (i, descriptor) in a.iter().enumerate() {
        let name = entry_name(i, descriptor);
        match unmatched.iter().position(|(n, _)| *n == name) {
            Some(j) => {
                let (_, other) = unmatched.remove(j);
                if other != descriptor.digest.as_ref() {
                    entries.push(EntryDifference {
                        platform: name,
                        a: descriptor.digest.clone(),
                        b: other.cloned(),
                    });
                }
            }
            None => entries.push(EntryDifference {
                platform: name,
                a: descriptor.digest.clone(),
                b: None,
            }),
        }
    }
    entries.extend(unmatched.into_iter().map(|(platform, digest)| EntryDifference {
        platform,
        a: None,
        b: digest.cloned(),
    }));
    Verdict::IndexesDiffer {
        converted: (a_kind != b_kind).then_some((a_kind, b_kind)),
        entries,
        other_paths: changes
            .iter()
            .filter(|c| !c.path.starts_with("manifests"))
            .map(|c| c.path.clone())
            .collect(),
    }
}
