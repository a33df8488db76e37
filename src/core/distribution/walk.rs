//! The walk of an image from the document a reference names down to its configs: which
//! documents to fetch in each round, and the claims each fetched body is checked against.
//!
//! Rounds, not a recursion: every document found in one round is fetched in the next, all of
//! them at once, so an index with N platforms takes three sequential round trips (index, its N
//! manifests, their N configs) rather than 2N + 1. Layers are not fetched: they can be large,
//! and their digests are already in the manifests.

use super::verify::{DigestHeader, Received, Verification};
use super::{blob_url, manifest_url, CONFIG_SIZE_CAP, MANIFEST_SIZE_CAP};
use crate::core::descriptor::{Descriptor, Role};
use crate::core::digest::Digest;
use crate::core::document::{Analysis, Body, Kind};
use crate::core::media_type::MediaType;
use crate::core::reference::Reference;
use std::collections::HashSet;
use std::fmt;

/// The most rounds a walk takes: an index, a nested index, a manifest, a config. The OCI spec
/// allows deeper nesting, but no tool makes it, and the limit stops a registry that serves
/// ever new indexes from holding the page.
pub const MAX_ROUNDS: usize = 4;

/// Which endpoint serves a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `/v2/<name>/manifests/<digest>`, asked with the manifest `Accept` list.
    Manifest,
    /// `/v2/<name>/blobs/<digest>`.
    Blob,
}

impl Target {
    /// The most bytes read for this kind of document.
    pub fn cap(self) -> u64 {
        match self {
            Target::Manifest => MANIFEST_SIZE_CAP,
            Target::Blob => CONFIG_SIZE_CAP,
        }
    }
}

/// One document to fetch: what points at it and what that pointer claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub target: Target,
    pub digest: Digest,
    pub declared_size: Option<u64>,
    pub media_type: Option<MediaType>,
    /// What the document is to the image, for the page: `linux/arm64`, `config of linux/arm64`.
    pub label: String,
}

impl Step {
    pub fn url(&self, reference: &Reference, proxy: Option<&str>) -> String {
        match self.target {
            Target::Manifest => manifest_url(&reference.pinned(&self.digest), proxy),
            Target::Blob => blob_url(reference, &self.digest, proxy),
        }
    }
}

/// A descriptor the walk does not follow, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub label: String,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The descriptor has no usable digest (the document's card shows why).
    NoDigest,
    /// The descriptor declares more bytes than this page reads for such a document.
    TooLarge { declared: u64, cap: u64 },
    /// [`MAX_ROUNDS`] rounds were fetched already.
    TooDeep,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = &self.label;
        match &self.reason {
            SkipReason::NoDigest => write!(f, "{label} was not fetched: its descriptor has no valid digest"),
            SkipReason::TooLarge { declared, cap } => write!(
                f,
                "{label} was not fetched: its descriptor declares {declared} bytes, and this page \
                 reads at most {cap} bytes for such a document"
            ),
            SkipReason::TooDeep => write!(
                f,
                "{label} was not fetched: indexes nested deeper than {MAX_ROUNDS} levels are not followed"
            ),
        }
    }
}

/// One round: the documents to fetch now, and the descriptors left aside.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub steps: Vec<Step>,
    pub skipped: Vec<Skipped>,
}

/// The state of a walk: which digests were fetched or planned, and how many rounds ran.
#[derive(Debug, Default)]
pub struct Walk {
    seen: HashSet<Digest>,
    rounds: usize,
}

impl Walk {
    /// A walk whose first document (the one the reference names) was fetched and hashes to `top`.
    pub fn started_with(top: &Digest) -> Walk {
        Walk {
            seen: HashSet::from([top.clone()]),
            rounds: 1,
        }
    }

    /// The round after the documents just fetched, given as (analysis, label) in the order they
    /// were planned. A digest already fetched or planned is not fetched again: the same config
    /// under two platforms, or an index that lists one manifest twice.
    pub fn next_round(&mut self, fetched: &[(&Analysis, &str)]) -> Round {
        let mut round = Round::default();
        for (analysis, label) in fetched {
            for candidate in pointers(analysis, label) {
                match candidate {
                    Ok(step) if self.rounds >= MAX_ROUNDS => round.skipped.push(Skipped {
                        label: step.label,
                        reason: SkipReason::TooDeep,
                    }),
                    Ok(step) => {
                        if self.seen.insert(step.digest.clone()) {
                            round.steps.push(step);
                        }
                    }
                    Err(skipped) => round.skipped.push(skipped),
                }
            }
        }
        if !round.steps.is_empty() {
            self.rounds += 1;
        }
        round
    }
}

/// The documents `analysis` points at that the walk fetches: an index's manifests, a manifest's
/// config. `label` names `analysis` in the labels of what it points at.
fn pointers(analysis: &Analysis, label: &str) -> Vec<Result<Step, Skipped>> {
    match &analysis.body {
        Body::Index { manifests, .. } => manifests
            .iter()
            .map(|d| step(d, Target::Manifest, entry_label(d)))
            .collect(),
        // The empty descriptor is `{}` by definition (its digest and size are checked in the
        // artifact's findings): there is nothing to fetch.
        Body::Manifest {
            config: Some(config), ..
        } if config.media_type == Some(MediaType::OciEmpty) => Vec::new(),
        Body::Manifest {
            config: Some(config), ..
        } => {
            let label = if label.is_empty() {
                "config".to_owned()
            } else {
                format!("config of {label}")
            };
            vec![step(config, Target::Blob, label)]
        }
        Body::Manifest { config: None, .. } | Body::Schema1(_) | Body::Config(_) | Body::Opaque => Vec::new(),
    }
}

/// An index entry by its platform (`linux/arm/v7`), else by its place (`manifests[3]`).
fn entry_label(descriptor: &Descriptor) -> String {
    let place = match descriptor.role {
        Role::Manifest(i) => format!("manifests[{i}]"),
        other => other.path(),
    };
    match &descriptor.platform {
        _ if descriptor.is_attestation() => format!("{place} (attestation)"),
        Some(platform) if platform.os != "unknown" => platform.to_string(),
        _ => place,
    }
}

fn step(descriptor: &Descriptor, target: Target, label: String) -> Result<Step, Skipped> {
    let Some(digest) = descriptor.digest.clone() else {
        return Err(Skipped {
            label,
            reason: SkipReason::NoDigest,
        });
    };
    let cap = target.cap();
    match descriptor.size {
        Some(declared) if declared > cap => Err(Skipped {
            label,
            reason: SkipReason::TooLarge { declared, cap },
        }),
        declared_size => Ok(Step {
            target,
            digest,
            declared_size,
            media_type: descriptor.media_type.clone(),
            label,
        }),
    }
}

/// The media type to analyse a fetched body with: the response's `Content-Type` when it names a
/// type this page knows (a registry serves a manifest under the type it was pushed with), else
/// the descriptor's `mediaType` (blobs come as `application/octet-stream`).
pub fn media_type_hint(content_type: Option<&str>, descriptor: Option<&MediaType>) -> Option<MediaType> {
    let served = content_type
        .and_then(|c| c.split(';').next())
        .map(|essence| MediaType::parse(&essence.trim().to_ascii_lowercase()))
        .filter(|m| m.description().is_some());
    served.or_else(|| descriptor.cloned())
}

/// The digest a registry names a manifest by, when it is not the hash of the bytes: for a signed
/// schema 1 manifest, the digest of its signed payload (see [`Received::canonical_digest`]).
pub fn canonical_digest(analysis: &Analysis) -> Option<&Digest> {
    let digest = analysis.digest();
    (analysis.kind == Kind::DockerSchema1Signed && digest != &analysis.bytes_digest).then_some(digest)
}

/// Check a fetched body against every claim: the header, the digest asked for (the reference's
/// `@digest`, or the descriptor's), the declared size, and the cap.
pub fn check(
    body: &[u8],
    analysis: &Analysis,
    header: DigestHeader<'_>,
    requested: Option<&Digest>,
    declared_size: Option<u64>,
    target: Target,
) -> Verification {
    super::verify::verify(&Received {
        body,
        header,
        requested,
        declared_size,
        cap: target.cap(),
        canonical_digest: canonical_digest(analysis),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::distribution::verify::Trust;

    // `tests/fixtures/registry/demo-multi/index.json`: the index buildah pushed to distribution
    // 2.8.2 (scripts/make-fixtures); its entries' digests are the registry's
    // Docker-Content-Digest of each platform manifest (tests/fixtures/registry/fixtures.json).
    const INDEX: &[u8] = include_bytes!("../../../tests/fixtures/registry/demo-multi/index.json");
    const AMD64: &[u8] =
        include_bytes!("../../../tests/fixtures/registry/demo-multi/linux-amd64/manifest.json");
    const AMD64_DIGEST: &str = "sha256:456a471991804877889cdb6720e3a9226f7da3d091150917eb92165eaf5d845a";
    const ARM64_DIGEST: &str = "sha256:239670da84d124083f58a6e9ab3459791c2d838c6754caa6ed55417b2a5b5c64";
    const ARMV7_DIGEST: &str = "sha256:23c7f9b0f8253fee530b87a82ee0817d1e102d70e4cbec67a8d86572369217a5";
    const AMD64_CONFIG: &str = "sha256:74e61a6508e3d7f08e26166cbdcb006b02fa1c77dd2a17b860522e492d96465e";

    fn analysis(bytes: &[u8]) -> Analysis {
        Analysis::of(bytes, None)
    }

    #[test]
    fn an_index_leads_to_all_its_platform_manifests_in_one_round() {
        let index = analysis(INDEX);
        let mut walk = Walk::started_with(index.digest());
        let round = walk.next_round(&[(&index, "")]);
        assert!(round.skipped.is_empty());
        let planned: Vec<(Target, String, &str, Option<u64>)> = round
            .steps
            .iter()
            .map(|s| (s.target, s.digest.to_string(), s.label.as_str(), s.declared_size))
            .collect();
        assert_eq!(
            planned,
            [
                (Target::Manifest, AMD64_DIGEST.into(), "linux/amd64", Some(499)),
                (Target::Manifest, ARM64_DIGEST.into(), "linux/arm64", Some(499)),
                (Target::Manifest, ARMV7_DIGEST.into(), "linux/arm/v7", Some(499)),
            ]
        );
        let reference = Reference::parse("127.0.0.1:5555/demo/multi:1").unwrap();
        assert_eq!(
            round.steps[2].url(&reference, None),
            format!("http://127.0.0.1:5555/v2/demo/multi/manifests/{ARMV7_DIGEST}")
        );
    }

    #[test]
    fn a_manifest_leads_to_its_config_blob_and_never_to_its_layers() {
        let manifest = analysis(AMD64);
        let mut walk = Walk::started_with(manifest.digest());
        let round = walk.next_round(&[(&manifest, "linux/amd64")]);
        assert_eq!(round.steps.len(), 1);
        let config = &round.steps[0];
        assert_eq!(config.target, Target::Blob);
        assert_eq!(config.digest.to_string(), AMD64_CONFIG);
        assert_eq!(config.label, "config of linux/amd64");
        assert_eq!(config.media_type, Some(MediaType::OciConfig));
        let reference = Reference::parse("127.0.0.1:5555/demo/multi:1").unwrap();
        // The URL distribution served this config at (tests/fixtures/registry/fixtures.json).
        assert_eq!(
            config.url(&reference, None),
            format!("http://127.0.0.1:5555/v2/demo/multi/blobs/{AMD64_CONFIG}")
        );
        let after = walk.next_round(&[]);
        assert_eq!(after, Round::default());
    }

    // An SBOM @sigstore/oci attached to demo/oci:1 (tests/fixtures/referrers): its config is
    // the empty descriptor.
    #[test]
    fn an_artifact_with_the_empty_config_has_nothing_more_to_fetch() {
        let artifact = analysis(include_bytes!(
            "../../../tests/fixtures/referrers/artifact-spdx.json"
        ));
        let round = Walk::started_with(artifact.digest()).next_round(&[(&artifact, "")]);
        assert_eq!(round, Round::default());
    }

    #[test]
    fn a_digest_is_fetched_once_per_walk() {
        let index = analysis(INDEX);
        let manifest = analysis(AMD64);
        let mut walk = Walk::started_with(index.digest());
        let round = walk.next_round(&[(&index, ""), (&index, "")]);
        assert_eq!(round.steps.len(), 3);
        let configs = walk.next_round(&[(&manifest, "a"), (&manifest, "b")]);
        assert_eq!(configs.steps.len(), 1);
    }

    #[test]
    fn descriptors_without_digest_or_over_the_cap_are_skipped_with_a_reason() {
        let index = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:nothex","size":10},
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:239670da84d124083f58a6e9ab3459791c2d838c6754caa6ed55417b2a5b5c64","size":4194305,
             "platform":{"os":"linux","architecture":"s390x"}}]}"#;
        let index = analysis(index);
        let round = Walk::started_with(index.digest()).next_round(&[(&index, "")]);
        assert!(round.steps.is_empty());
        assert_eq!(
            round.skipped,
            [
                Skipped {
                    label: "manifests[0]".into(),
                    reason: SkipReason::NoDigest
                },
                Skipped {
                    label: "linux/s390x".into(),
                    reason: SkipReason::TooLarge {
                        declared: 4194305,
                        cap: MANIFEST_SIZE_CAP
                    }
                },
            ]
        );
        assert!(round.skipped[1].to_string().contains("declares 4194305 bytes"));
    }

    #[test]
    fn nesting_stops_after_the_round_limit() {
        let index = analysis(INDEX);
        let mut walk = Walk::started_with(index.digest());
        for _ in 1..MAX_ROUNDS {
            let _ = walk.next_round(&[(&index, "")]);
            walk.seen.clear();
        }
        let round = walk.next_round(&[(&index, "")]);
        assert!(round.steps.is_empty());
        assert_eq!(round.skipped.len(), 3);
        assert!(round.skipped.iter().all(|s| s.reason == SkipReason::TooDeep));
    }

    #[test]
    fn the_served_content_type_names_the_document_unless_it_is_generic() {
        assert_eq!(
            media_type_hint(
                Some("application/vnd.oci.image.index.v1+json"),
                Some(&MediaType::OciManifest)
            ),
            Some(MediaType::OciIndex)
        );
        // distribution serves blobs as application/octet-stream.
        assert_eq!(
            media_type_hint(Some("application/octet-stream"), Some(&MediaType::OciConfig)),
            Some(MediaType::OciConfig)
        );
        assert_eq!(
            media_type_hint(
                Some("Application/VND.docker.distribution.manifest.v2+json; charset=utf-8"),
                None
            ),
            Some(MediaType::DockerManifest)
        );
        assert_eq!(media_type_hint(None, None), None);
    }

    // tests/fixtures/distribution-2.8.2: distribution re-signs a converted schema1 manifest on
    // every GET; its Docker-Content-Digest (sha256:2ce1d3dc…) is the digest of the signed payload.
    #[test]
    fn a_resigned_schema1_manifest_is_checked_by_its_payload_digest() {
        let body = include_bytes!("../../../tests/fixtures/distribution-2.8.2/schema1-rewritten-2.json");
        let header = "sha256:2ce1d3dc07a74a4eaec77f34bb2aac583dcd776d01e0792cb1b4ec4aea8eb872";
        let signed = Analysis::of(body, Some(&MediaType::DockerSchema1Signed));
        assert_eq!(
            canonical_digest(&signed).map(ToString::to_string).as_deref(),
            Some(header)
        );
        let v = check(
            body,
            &signed,
            DigestHeader::Present(header),
            None,
            None,
            Target::Manifest,
        );
        assert_eq!(v.trust(), Trust::Verified);
        assert!(canonical_digest(&analysis(INDEX)).is_none());
    }
}
