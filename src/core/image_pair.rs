//! "I pulled A and pushed it as B: why is the digest different?" asked with two references.
//!
//! Each side is a family of documents (the one the reference names, and what the registry walk
//! fetched below it). When A is a multi-platform index and B one image manifest, comparing the two
//! tops only says "index against manifest"; the question is about A's manifest for B's platform,
//! so [`pair`] picks that entry (the one with B's config, i.e. the same Image ID, else the one for
//! B's platform as B's config names it) and the comparison runs on it. [`summary`] then puts the
//! pairing and the comparison's answer into one sentence, most specific first.

pub mod layers;

use crate::core::descriptor::{Descriptor, Platform};
use crate::core::diagnose::report::ComparisonReport;
use crate::core::diagnose::Side;
use crate::core::digest::Digest;
use crate::core::document::{Analysis, Body};
use crate::core::media_type::MediaType;

/// The evidence row `core::diagnose` writes for two manifests' config digests.
const IMAGE_ID_ROW: &str = "config digest (Image ID)";

/// One side: the document its reference names, and every document fetched with it.
pub struct Family<'a> {
    pub top: &'a Analysis,
    pub documents: Vec<&'a Analysis>,
}

impl Family<'_> {
    fn find(&self, digest: &Digest) -> Option<&Analysis> {
        self.documents.iter().copied().find(|d| d.digest() == digest)
    }

    /// The platform the top manifest's config names.
    fn platform(&self) -> Option<Platform> {
        let config = self.find(config_digest(self.top)?)?;
        match &config.body {
            Body::Config(config) => config.platform.clone(),
            _ => None,
        }
    }
}

/// The config digest an image manifest names.
pub fn config_digest(manifest: &Analysis) -> Option<&Digest> {
    match &manifest.body {
        Body::Manifest { config, .. } => config.as_deref().and_then(|c| c.digest.as_ref()),
        _ => None,
    }
}

/// Which two documents answer the question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pairing {
    /// The two tops, as they are.
    Tops,
    /// `index`'s entry `position` (its manifest `manifest`) against the other side's manifest.
    IndexEntry {
        index: Side,
        position: usize,
        platform: Option<Platform>,
        manifest: Digest,
        /// Found by the same config (Image ID) rather than by platform.
        by_config: bool,
    },
}

/// Picks what to compare: an index's entry for the other side's image, when one side is an
/// index and the other an image manifest that it does not list itself (that case the
/// comparison names on its own); else the two tops.
pub fn pair(a: &Family<'_>, b: &Family<'_>) -> Pairing {
    for (index, image, side) in [(a, b, Side::A), (b, a, Side::B)] {
        if let Some(pairing) = entry_for(index, image, side) {
            return pairing;
        }
    }
    Pairing::Tops
}

fn entry_for(index: &Family<'_>, image: &Family<'_>, side: Side) -> Option<Pairing> {
    let Body::Index { manifests, .. } = &index.top.body else {
        return None;
    };
    if !matches!(image.top.body, Body::Manifest { .. }) {
        return None;
    }
    let entries: Vec<(usize, &Descriptor, Digest)> = manifests
        .iter()
        .enumerate()
        .filter(|(_, d)| !d.is_attestation())
        .filter_map(|(i, d)| d.digest.clone().map(|digest| (i, d, digest)))
        .collect();
    if entries.iter().any(|(_, _, digest)| digest == image.top.digest()) {
        return None;
    }
    let config = config_digest(image.top);
    let by_config = entries
        .iter()
        .find(|(_, _, digest)| config.is_some() && index.find(digest).and_then(config_digest) == config);
    let platform = image.platform();
    let by_platform = || {
        platform
            .as_ref()
            .and_then(|p| entries.iter().find(|(_, d, _)| d.platform.as_ref() == Some(p)))
    };
    let (chosen, found_by_config) = match by_config {
        Some(entry) => (entry, true),
        None => (by_platform()?, false),
    };
    let (position, descriptor, digest) = chosen;
    Some(Pairing::IndexEntry {
        index: side,
        position: *position,
        platform: descriptor.platform.clone().or(platform),
        manifest: digest.clone(),
        by_config: found_by_config,
    })
}

/// The side that is not `side`.
fn other(side: Side) -> Side {
    match side {
        Side::A => Side::B,
        Side::B => Side::A,
    }
}

/// One finding of the summary, with the slug tests and styles key on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub slug: &'static str,
    pub text: String,
}

/// The layer blobs two manifests list, position by position. Counted from the manifests
/// themselves, not from the comparison's evidence rows: a row also compares the layer's media
/// type (OCI `tar+gzip` against Docker `rootfs.diff.tar.gzip` for the very same blob), and rows
/// after the first few are not sent at all.
#[derive(Debug, Default)]
struct LayerBlobs {
    /// Layer positions, the longer list's.
    total: usize,
    /// Positions whose blob digests differ (or that only one side has).
    other_blobs: usize,
    /// Media type changes (`a → b`, each once) of layers whose blob is the same.
    retyped: Vec<String>,
}

impl LayerBlobs {
    fn of(a: &Analysis, b: &Analysis) -> LayerBlobs {
        let (Body::Manifest { layers: x, .. }, Body::Manifest { layers: y, .. }) = (&a.body, &b.body) else {
            return LayerBlobs::default();
        };
        let mut blobs = LayerBlobs {
            total: x.len().max(y.len()),
            ..LayerBlobs::default()
        };
        for i in 0..blobs.total {
            match (x.get(i), y.get(i)) {
                (Some(p), Some(q)) if p.digest.is_some() && p.digest == q.digest => {
                    let change = format!("{} → {}", layer_media_type(p), layer_media_type(q));
                    if p.media_type != q.media_type && !blobs.retyped.contains(&change) {
                        blobs.retyped.push(change);
                    }
                }
                _ => blobs.other_blobs += 1,
            }
        }
        blobs
    }
}

fn layer_media_type(layer: &Descriptor) -> &str {
    layer
        .media_type
        .as_ref()
        .map_or("no media type", MediaType::as_str)
}

/// The answer in one list, most specific first: what the two are to each other, how the
/// manifest was written again, what happened to the layers, and whether the Image ID is kept.
/// `a` and `b` are the two documents compared (after the pairing), whose layers are counted.
pub fn summary(pairing: &Pairing, report: &ComparisonReport, a: &Analysis, b: &Analysis) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Pairing::IndexEntry {
        index,
        position,
        platform,
        manifest,
        ..
    } = pairing
    {
        let platform = platform
            .as_ref()
            .map_or_else(|| "matching".to_owned(), Platform::to_string);
        findings.push(Finding {
            slug: "index-vs-platform-manifest",
            text: format!(
                "Index vs platform manifest: {index} is the multi-platform index; {} is an image manifest, \
                 compared with {index}'s {platform} manifest (entry {position}, {manifest})",
                other(*index)
            ),
        });
    }
    let blobs = LayerBlobs::of(a, b);
    findings.extend(rewritten(&whose(pairing), report, &blobs));
    let slug = report.verdict.slug.as_str();
    let image_id = report.evidence.iter().find(|row| row.label == IMAGE_ID_ROW);
    let same_image_id = image_id.is_some_and(|row| row.same);
    if blobs.other_blobs > 0 && (same_image_id || slug == "recompressed") {
        findings.push(Finding {
            slug: "recompressed",
            text: format!(
                "layers recompressed ({} of {} layer blobs have other digests; their uncompressed \
                 content is the same, as the config's diff_ids show)",
                blobs.other_blobs, blobs.total
            ),
        });
    } else if blobs.total > 0 && blobs.other_blobs == 0 && slug == "converted" {
        findings.push(Finding {
            slug: "same-layer-blobs",
            text: format!("the same {} layer blobs", blobs.total),
        });
    }
    match image_id {
        Some(row) if row.same => findings.push(Finding {
            slug: "same-image-id",
            text: format!("same Image ID ({})", row.a),
        }),
        Some(row) => findings.push(Finding {
            slug: "different-image-id",
            text: format!("different Image IDs ({} and {})", row.a, row.b),
        }),
        None => {}
    }
    findings
}

/// The start of the sentence: what B is to A, naming the index entry when one was picked.
fn whose(pairing: &Pairing) -> String {
    match pairing {
        Pairing::IndexEntry { index, platform, .. } => format!(
            "{} is {index}'s {} manifest",
            other(*index),
            platform
                .as_ref()
                .map_or_else(|| "matching".to_owned(), Platform::to_string)
        ),
        Pairing::Tops => "B is A".to_owned(),
    }
}

/// How the manifest was written again, when the two hold the same image: the serialization
/// differences or the media types converted (a re-serialization); other layer blobs listed
/// (not a re-serialization: the manifest names other blobs); other fields edited.
fn rewritten(whose: &str, report: &ComparisonReport, blobs: &LayerBlobs) -> Option<Finding> {
    let (slug, text) = match report.verdict.slug.as_str() {
        "identical-bytes" => ("identical", format!("{whose}, byte for byte")),
        "reserialized" => {
            let how: Vec<String> = report
                .differences
                .iter()
                .map(|d| d.slug.replace('-', " "))
                .collect();
            (
                "reserialized",
                format!("{whose} re-serialized ({})", how.join(", ")),
            )
        }
        "converted" => {
            let kinds = report.evidence.iter().find(|row| row.label == "document");
            let mut how = kinds.map_or_else(
                || "other media types".to_owned(),
                |row| format!("media types: {} → {}", row.a, row.b),
            );
            if !blobs.retyped.is_empty() {
                how.push_str(&format!("; layers: {}", blobs.retyped.join(", ")));
            }
            ("reserialized", format!("{whose} re-serialized ({how})"))
        }
        "recompressed" => (
            "other-layer-blobs",
            format!("{whose} rewritten to list other layer blobs (new manifest bytes)"),
        ),
        "manifest-edited" => (
            "edited",
            format!("{whose}, edited (the same config and layer blobs; other manifest fields)"),
        ),
        _ => return None,
    };
    Some(Finding { slug, text })
}

/// The findings as one sentence.
pub fn sentence(findings: &[Finding]) -> String {
    let parts: Vec<&str> = findings.iter().map(|f| f.text.as_str()).collect();
    format!("{}.", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::diagnose::compare;
    use crate::core::diagnose::report::ComparisonReport;
    use crate::core::document::{Document, Origin};

    const LAYER_GZ: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const LAYER_GZ9: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    fn config() -> String {
        r#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:3333333333333333333333333333333333333333333333333333333333333333"]}}"#.to_owned()
    }

    fn digest_of(bytes: &[u8]) -> String {
        Analysis::of(bytes, None).digest().to_string()
    }

    fn oci_manifest(config: &str) -> String {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{LAYER_GZ}","size":10}}]}}"#,
            digest_of(config.as_bytes()),
            config.len()
        )
    }

    /// What `docker push` writes for the same image: Docker media types, indented, the layer
    /// compressed again.
    fn docker_manifest(config: &str) -> String {
        format!(
            "{{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n   \"config\": {{\n      \"mediaType\": \"application/vnd.docker.container.image.v1+json\",\n      \"size\": {},\n      \"digest\": \"{}\"\n   }},\n   \"layers\": [\n      {{\n         \"mediaType\": \"application/vnd.docker.image.rootfs.diff.tar.gzip\",\n         \"size\": 12,\n         \"digest\": \"{LAYER_GZ9}\"\n      }}\n   ]\n}}",
            config.len(),
            digest_of(config.as_bytes())
        )
    }

    fn index(manifests: &[(&str, &str)]) -> String {
        let entries: Vec<String> = manifests
            .iter()
            .map(|(manifest, arch)| {
                format!(
                    r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{}","size":{},"platform":{{"architecture":"{arch}","os":"linux"}}}}"#,
                    digest_of(manifest.as_bytes()),
                    manifest.len()
                )
            })
            .collect();
        format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}}"#,
            entries.join(",")
        )
    }

    #[test]
    fn an_index_against_a_pushed_platform_manifest_compares_the_matching_entry() {
        let config_text = config();
        let arm_config_text = config_text.replace("amd64", "arm64");
        let amd_text = oci_manifest(&config_text);
        let arm_text = oci_manifest(&arm_config_text);
        let index_text = index(&[(&arm_text, "arm64"), (&amd_text, "amd64")]);
        let pushed_text = docker_manifest(&config_text);
        let [index, amd, arm, config, arm_config, pushed] = [
            &index_text,
            &amd_text,
            &arm_text,
            &config_text,
            &arm_config_text,
            &pushed_text,
        ]
        .map(|t| Analysis::of(t.as_bytes(), None));
        let a = Family {
            top: &index,
            documents: vec![&index, &arm, &amd, &arm_config, &config],
        };
        let b = Family {
            top: &pushed,
            documents: vec![&pushed, &config],
        };
        let pairing = pair(&a, &b);
        assert_eq!(
            pairing,
            Pairing::IndexEntry {
                index: Side::A,
                position: 1,
                platform: Some(Platform {
                    os: "linux".into(),
                    architecture: "amd64".into(),
                    variant: None,
                    os_version: None,
                }),
                manifest: amd.digest().clone(),
                by_config: true,
            }
        );
        let pasted = |text: &str| Document::new(text.as_bytes(), Origin::Pasted);
        let report = ComparisonReport::of(&compare(&pasted(&amd_text), &pasted(&pushed_text)));
        let findings = summary(&pairing, &report, &amd, &pushed);
        let slugs: Vec<&str> = findings.iter().map(|f| f.slug).collect();
        assert_eq!(
            slugs,
            [
                "index-vs-platform-manifest",
                "reserialized",
                "recompressed",
                "same-image-id"
            ]
        );
        let said = sentence(&findings);
        assert!(
            said.starts_with("Index vs platform manifest: A is the multi-platform index"),
            "{said}"
        );
        assert!(
            said.contains("B is A's linux/amd64 manifest re-serialized (media types: "),
            "{said}"
        );
        assert!(
            said.contains(&format!("same Image ID ({})", config.digest())),
            "{said}"
        );
    }

    #[test]
    fn an_index_that_lists_the_other_manifest_itself_is_left_to_the_comparison() {
        let config = config();
        let amd = oci_manifest(&config);
        let index = index(&[(&amd, "amd64")]);
        let [index, amd] = [&index, &amd].map(|t| Analysis::of(t.as_bytes(), None));
        let a = Family {
            top: &index,
            documents: vec![&index, &amd],
        };
        let b = Family {
            top: &amd,
            documents: vec![&amd],
        };
        assert_eq!(pair(&a, &b), Pairing::Tops);
        assert_eq!(pair(&b, &b), Pairing::Tops);
    }
}
