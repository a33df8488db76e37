//! Referrers and artifacts read from what real clients wrote to a real registry.
//!
//! tests/fixtures/referrers (scripts/make-referrers-fixtures): demo/oci:1 pushed to distribution
//! 2.8.2, then an SPDX SBOM and an in-toto attestation attached by @sigstore/oci 0.5.0, which also
//! wrote the referrers tag index (the registry has no referrers API), and a cosign-layout
//! signature pushed by skopeo under `sha256-<hex>.sig`. Expected digests are the registry's
//! Docker-Content-Digest (fixtures.json); expected tag names are the ones the registry serves.

use digestlens::core::diagnose;
use digestlens::core::digest::Digest;
use digestlens::core::distribution::referrers::{
    parse_index, referrers_tag, Answers, ApiAnswer, CosignTag, FoundBy, Listing, Referrer, TagAnswer,
};
use digestlens::core::document::artifact::{self, ArtifactTypeSource};
use digestlens::core::document::{Analysis, Document, Finding, Kind, Origin, Severity};
use digestlens::core::media_type::MediaType;
use digestlens::core::reference::Reference;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

struct Served {
    bytes: Vec<u8>,
    registry_digest: Digest,
}

struct Recorded {
    record: Value,
    subject: Digest,
}

impl Recorded {
    fn load() -> Recorded {
        let record: Value = serde_json::from_slice(
            &std::fs::read(fixtures().join("referrers/fixtures.json")).expect("fixtures.json"),
        )
        .expect("fixtures.json is JSON");
        let subject = record["subject"]
            .as_str()
            .expect("subject")
            .parse()
            .expect("subject digest");
        Recorded { record, subject }
    }

    fn file(&self, name: &str) -> Served {
        let registry_digest = self.record["files"]
            .as_array()
            .and_then(|files| files.iter().find(|f| f["file"] == name))
            .and_then(|f| f["docker_content_digest"].as_str())
            .unwrap_or_else(|| panic!("no Docker-Content-Digest for {name}"))
            .parse()
            .expect("registry digest");
        Served {
            bytes: std::fs::read(fixtures().join("referrers").join(name)).expect("fixture bytes"),
            registry_digest,
        }
    }

    fn text(&self, key: &str) -> &str {
        self.record[key]
            .as_str()
            .unwrap_or_else(|| panic!("fixtures.json has no {key}"))
    }
}

#[test]
fn the_referrers_tag_is_the_tag_sigstore_oci_wrote_the_index_under() {
    let recorded = Recorded::load();
    assert_eq!(referrers_tag(&recorded.subject), recorded.text("referrers_tag"));
    assert_eq!(
        CosignTag::Signature.tag(&recorded.subject),
        recorded.text("cosign_signature_tag")
    );
}

#[test]
fn the_tag_index_lists_both_artifacts_with_the_digests_the_registry_serves_them_by() {
    let recorded = Recorded::load();
    let index = recorded.file("tag-index.json");
    let referrers = parse_index(&index.bytes, FoundBy::TagSchema).expect("an index");
    let spdx = recorded.file("artifact-spdx.json");
    let in_toto = recorded.file("artifact-in-toto.json");
    let seen: Vec<(Option<&Digest>, Option<&str>, Option<u64>)> = referrers
        .iter()
        .map(|r| (r.digest.as_ref(), r.artifact_type.as_deref(), r.size))
        .collect();
    assert_eq!(
        seen,
        [
            (
                Some(&spdx.registry_digest),
                Some("application/spdx+json"),
                Some(spdx.bytes.len() as u64)
            ),
            (
                Some(&in_toto.registry_digest),
                Some("application/vnd.in-toto+json"),
                Some(in_toto.bytes.len() as u64)
            ),
        ]
    );
    assert!(referrers[0]
        .annotations
        .contains(&("org.example.made-by".to_owned(), "digestlens e2e".to_owned())));
    assert_eq!(referrers[0].kind_name(), Some("SPDX SBOM"));
    assert_eq!(referrers[1].kind_name(), Some("in-toto attestation"));
}

#[test]
fn an_artifact_with_the_empty_config_and_a_subject_is_explained_without_warnings() {
    let recorded = Recorded::load();
    let spdx = recorded.file("artifact-spdx.json");
    let analysis = Analysis::of(&spdx.bytes, Some(&MediaType::OciManifest));
    assert_eq!(analysis.kind, Kind::OciManifest);
    assert_eq!(analysis.bytes_digest, spdx.registry_digest);
    assert_eq!(
        analysis.findings,
        [
            Finding::EmptyConfig,
            Finding::Artifact {
                artifact_type: "application/spdx+json".into(),
                from_config: false,
                blobs: Some(1),
            },
            Finding::RefersTo {
                subject: recorded.subject.clone(),
            },
        ]
    );
    let empty = analysis.findings[0].to_string();
    assert!(empty.contains(artifact::EMPTY_DIGEST), "{empty}");
    assert!(artifact::is_artifact(&analysis));
    assert_eq!(
        artifact::artifact_type(&analysis).map(|t| t.from),
        Some(ArtifactTypeSource::Field)
    );
}

#[test]
fn a_cosign_signature_is_described_as_a_registry_would_list_it() {
    let recorded = Recorded::load();
    let sig = recorded.file("cosign-sig.json");
    let analysis = Analysis::of(&sig.bytes, Some(&MediaType::OciManifest));
    let referrer = Referrer::cosign(CosignTag::Signature, &analysis, Some(&MediaType::OciManifest));
    assert_eq!(referrer.digest.as_ref(), Some(&sig.registry_digest));
    assert_eq!(referrer.size, Some(sig.bytes.len() as u64));
    // No artifactType in cosign's layout: the config's mediaType is the artifact type.
    assert_eq!(
        referrer.artifact_type.as_deref(),
        Some("application/vnd.oci.image.config.v1+json")
    );
    assert_eq!(referrer.kind_name(), Some("cosign signature"));
    // Its bytes do not name the image: no subject, so nothing but the tag links it.
    assert!(!analysis
        .findings
        .iter()
        .any(|f| matches!(f, Finding::RefersTo { .. })));
}

#[test]
fn the_listing_of_the_fallback_holds_both_artifacts_and_the_cosign_signature() {
    let recorded = Recorded::load();
    let reference = Reference::parse("127.0.0.1:5621/demo/oci:1").unwrap();
    let listed = parse_index(&recorded.file("tag-index.json").bytes, FoundBy::TagSchema).unwrap();
    let sig = recorded.file("cosign-sig.json");
    let cosign = Referrer::cosign(
        CosignTag::Signature,
        &Analysis::of(&sig.bytes, None),
        Some(&MediaType::OciManifest),
    );
    let answers = |listed: Vec<Referrer>, cosign: Vec<Referrer>| Answers {
        api: ApiAnswer::Unreadable,
        tag_schema: Some(TagAnswer::Found),
        cosign: vec![
            (CosignTag::Signature, TagAnswer::Found),
            (CosignTag::Attestation, TagAnswer::Absent),
            (CosignTag::Sbom, TagAnswer::Absent),
        ],
        listed,
        cosign_found: cosign,
    };
    let all = Listing::new(
        &reference,
        recorded.subject.clone(),
        None,
        answers(listed.clone(), vec![cosign.clone()]),
    );
    let found: Vec<FoundBy> = all.referrers.iter().map(|r| r.found_by).collect();
    assert_eq!(
        found,
        [
            FoundBy::TagSchema,
            FoundBy::TagSchema,
            FoundBy::Cosign(CosignTag::Signature)
        ]
    );
    let how = all.how_found();
    assert!(how.contains(recorded.text("cosign_signature_tag")), "{how}");
    let sboms = Listing::new(
        &reference,
        recorded.subject.clone(),
        Some("application/spdx+json".into()),
        answers(listed, vec![cosign]),
    );
    assert_eq!(sboms.referrers.len(), 1);
    assert_eq!(
        sboms.referrers[0].digest.as_ref(),
        Some(&recorded.file("artifact-spdx.json").registry_digest)
    );
}

/// The story of the page: the SBOM names demo/oci:1 by digest; the same image converted to
/// Docker media types (demo/docker:1, skopeo --format v2s2) has another digest, and the
/// comparison says the referrers stay behind.
#[test]
fn referrers_of_a_manifest_do_not_follow_it_to_a_converted_copy() {
    let recorded = Recorded::load();
    let registry = fixtures().join("registry");
    let oci = std::fs::read(registry.join("demo-oci/manifest.json")).expect("demo-oci fixture");
    let docker = std::fs::read(registry.join("demo-docker/manifest.json")).expect("demo-docker fixture");
    let (oci, docker) = (
        Document::new(oci, Origin::Pasted),
        Document::new(docker, Origin::Pasted),
    );
    let (a, b) = (oci.analysis(), docker.analysis());
    let spdx = Analysis::of(&recorded.file("artifact-spdx.json").bytes, None);
    assert!(spdx.findings.contains(&Finding::RefersTo {
        subject: a.digest().clone()
    }));
    assert!(!spdx.findings.contains(&Finding::RefersTo {
        subject: b.digest().clone()
    }));
    let verdict = diagnose::compare(&oci, &docker).verdict.to_string();
    assert!(
        verdict.contains("Referrers (signatures, SBOMs, attestations) of one do not apply to the other"),
        "{verdict}"
    );
    let same = diagnose::compare(&oci, &oci).verdict.to_string();
    assert!(!same.contains("Referrers"), "{same}");
}

/// Buildx's layout (go-json/oci-index.in.json entry 2): platform unknown/unknown and the
/// attestation annotations.
#[test]
fn buildx_attestation_entries_are_attestations_of_the_manifest_they_name() {
    let bytes = std::fs::read(fixtures().join("go-json/oci-index.in.json")).expect("go-json fixture");
    let analysis = Analysis::of(&bytes, None);
    let attestations: Vec<_> = analysis
        .descriptors()
        .into_iter()
        .filter(|d| d.is_attestation())
        .collect();
    assert_eq!(attestations.len(), 1);
    assert_eq!(
        attestations[0]
            .attestation_subject()
            .map(|d| d.to_string())
            .as_deref(),
        Some("sha256:456a471991804877889cdb6720e3a9226f7da3d091150917eb92165eaf5d845a")
    );
    let finding = analysis
        .findings
        .iter()
        .find(|f| matches!(f, Finding::AttestationManifests { .. }))
        .expect("an attestation finding");
    assert_eq!(
        finding,
        &Finding::AttestationManifests {
            paths: vec!["manifests[2]".into()]
        }
    );
    assert!(finding
        .to_string()
        .starts_with("manifests[2] is a buildx attestation manifest"));
}

#[test]
fn an_empty_config_with_another_digest_or_size_is_a_warning() {
    let bytes = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/example",
      "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":3},
      "layers":[{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":2}]}"#;
    let analysis = Analysis::of(bytes, None);
    let mismatches: Vec<&Finding> = analysis
        .findings
        .iter()
        .filter(|f| matches!(f, Finding::EmptyDescriptorMismatch { .. }))
        .collect();
    assert_eq!(mismatches.len(), 2, "{:?}", analysis.findings);
    assert!(mismatches.iter().all(|f| f.severity() == Severity::Warning));
    assert!(!analysis.findings.contains(&Finding::EmptyConfig));
}

#[test]
fn the_empty_config_without_artifact_type_breaks_the_spec() {
    let bytes = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
      "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},
      "layers":[]}"#;
    let analysis = Analysis::of(bytes, None);
    assert!(analysis.findings.contains(&Finding::ArtifactTypeMissing));
    assert!(analysis.findings.contains(&Finding::EmptyConfig));
}

#[test]
fn a_helm_chart_is_an_artifact_typed_by_its_config() {
    let bytes = br#"{"schemaVersion":2,"config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},
      "layers":[{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}]}"#;
    let analysis = Analysis::of(bytes, None);
    assert!(analysis.findings.contains(&Finding::Artifact {
        artifact_type: "application/vnd.cncf.helm.config.v1+json".into(),
        from_config: true,
        blobs: Some(1),
    }));
}

#[test]
fn an_image_is_not_an_artifact() {
    let bytes = std::fs::read(fixtures().join("registry/demo-oci/manifest.json")).expect("demo-oci fixture");
    let analysis = Analysis::of(&bytes, None);
    assert!(!artifact::is_artifact(&analysis));
    assert!(analysis.findings.iter().all(|f| !matches!(
        f,
        Finding::Artifact { .. } | Finding::EmptyConfig | Finding::RefersTo { .. }
    )));
}

#[test]
fn the_withdrawn_artifact_manifest_is_named_not_just_unknown() {
    let bytes = br#"{"mediaType":"application/vnd.oci.artifact.manifest.v1+json","artifactType":"application/vnd.example.sbom","blobs":[],
      "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:456a471991804877889cdb6720e3a9226f7da3d091150917eb92165eaf5d845a","size":499}}"#;
    let analysis = Analysis::of(bytes, None);
    assert!(analysis.findings.contains(&Finding::WithdrawnArtifactManifest));
    assert!(!analysis
        .findings
        .iter()
        .any(|f| matches!(f, Finding::UnknownMediaType { .. })));
}
