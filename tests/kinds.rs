//! Every kind of document this page is handed is named: artifacts pushed by a real ORAS client to a
//! real registry, the signatures and SBOMs of tests/fixtures/referrers, and the withdrawn OCI artifact
//! manifest as the image spec committed it.
//!
//! tests/fixtures/kinds/fixtures.json (scripts/make-kinds-fixtures): oras-py pushed each artifact
//! to distribution 2.8.2 with the media types its tool writes; the expected digest is the registry's
//! Docker-Content-Digest. tests/fixtures/kinds/committed.json: documents copied from the projects'
//! repositories, with the digest `sha256sum` printed. The expected kind and artifact family of each
//! file are what it was made as, written in those indexes.

use digestlens::core::artifact;
use digestlens::core::descriptor::Role;
use digestlens::core::digest::Digest;
use digestlens::core::document::{Analysis, Body, Finding, Kind};
use digestlens::core::graph::{EdgeLabel, Family, Member};
use digestlens::core::media_type::MediaType;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn index(path: &str) -> Vec<Value> {
    let text = std::fs::read(fixtures().join(path)).expect("fixture index");
    let index: Value = serde_json::from_slice(&text).expect("fixture index is JSON");
    index["files"].as_array().expect("files").clone()
}

fn read(dir: &str, file: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(dir).join(file)).expect("fixture file")
}

fn analyse(dir: &str, record: &Value) -> Analysis {
    let file = record["file"].as_str().expect("file");
    let analysis = Analysis::of(&read(dir, file), None);
    let expected = record["docker_content_digest"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| record["sha256sum"].as_str().map(|hex| format!("sha256:{hex}")))
        .expect("an expected digest");
    assert_eq!(analysis.digest().to_string(), expected, "{file}");
    analysis
}

fn artifact_slug(analysis: &Analysis) -> Option<&'static str> {
    artifact::kind_of(analysis).map(|k| k.slug)
}

#[test]
fn artifacts_pushed_by_oras_are_named_by_the_type_their_tool_writes() {
    let records = index("kinds/fixtures.json");
    assert!(records.len() >= 9, "every pushed kind is in the index");
    for record in &records {
        let analysis = analyse("kinds", record);
        let file = &record["file"];
        assert_eq!(analysis.kind.slug(), record["kind"].as_str().unwrap(), "{file}");
        assert_eq!(artifact_slug(&analysis), record["artifact"].as_str(), "{file}");
        assert!(
            !analysis
                .findings
                .iter()
                .any(|f| matches!(f, Finding::UnknownMediaType { .. })),
            "{file}"
        );
    }
}

#[test]
fn a_named_artifact_says_what_it_is_in_its_artifact_finding() {
    let record = &index("kinds/fixtures.json")[0];
    let analysis = analyse("kinds", record);
    let text = analysis
        .findings
        .iter()
        .find(|f| matches!(f, Finding::Artifact { .. }))
        .map(ToString::to_string)
        .expect("an artifact finding");
    assert!(
        text.contains("Helm chart: A Kubernetes application packaged by Helm"),
        "{text}"
    );
}

#[test]
fn a_config_that_is_only_a_platform_is_a_minimal_config_with_that_platform() {
    let analysis = Analysis::of(&read("kinds", "minimal-config.json"), None);
    assert_eq!(analysis.kind, Kind::MinimalConfig);
    assert!(analysis.kind.is_config());
    match &analysis.body {
        Body::Config(config) => assert_eq!(
            config.platform.as_ref().map(ToString::to_string).as_deref(),
            Some("linux/amd64")
        ),
        other => panic!("not a config body: {other:?}"),
    }
}

#[test]
fn json_that_merely_mentions_an_os_is_not_a_config() {
    let analysis = Analysis::of(br#"{"os":"linux","name":"hello"}"#, None);
    assert_eq!(analysis.kind, Kind::UnknownJson);
}

#[test]
fn cosign_and_sigstore_referrers_are_named_by_their_layers_or_artifact_type() {
    let expected = [
        ("cosign-sig.json", "cosign-signature"),
        ("artifact-spdx.json", "spdx-sbom"),
        ("artifact-in-toto.json", "in-toto-attestation"),
    ];
    let records = index("referrers/fixtures.json");
    for (file, slug) in expected {
        let record = records.iter().find(|r| r["file"] == file).expect("recorded");
        let analysis = analyse("referrers", record);
        assert_eq!(artifact_slug(&analysis), Some(slug), "{file}");
    }
}

#[test]
fn the_withdrawn_artifact_manifest_is_named_with_its_blobs_type_and_subject() {
    let record = &index("kinds/committed.json")[0];
    let analysis = analyse("kinds", record);
    assert_eq!(analysis.kind, Kind::OciArtifactManifest);
    assert_eq!(analysis.kind.slug(), record["kind"].as_str().unwrap());
    assert_eq!(analysis.kind.media_type(), Some(MediaType::OciArtifactManifest));
    assert_eq!(
        analysis.artifact_type.as_deref(),
        Some("application/vnd.example.sbom.v1")
    );
    let Body::Manifest {
        config,
        layers,
        subject,
    } = &analysis.body
    else {
        panic!("not read as a manifest: {:?}", analysis.body);
    };
    assert!(config.is_none());
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0].role, Role::Blob(0));
    let subject_digest = "sha256:cc06a2839488b8bd2a2b99dcdc03d5cfd818eed72ad08ef3cc197aac64c0d0a0";
    assert_eq!(
        subject
            .as_ref()
            .and_then(|s| s.digest.as_ref())
            .map(Digest::to_string)
            .as_deref(),
        Some(subject_digest)
    );
    let slugs: Vec<&str> = analysis.findings.iter().map(Finding::slug).collect();
    for slug in ["withdrawn-artifact-manifest", "artifact", "refers-to"] {
        assert!(slugs.contains(&slug), "{slug} in {slugs:?}");
    }
    assert!(!slugs.contains(&"unknown-media-type"), "{slugs:?}");
    let withdrawn = analysis
        .findings
        .iter()
        .find(|f| matches!(f, Finding::WithdrawnArtifactManifest))
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        withdrawn.contains("withdrawn") && withdrawn.contains("artifactType"),
        "{withdrawn}"
    );
}

#[test]
fn the_withdrawn_artifact_manifest_is_drawn_with_its_blob_and_subject() {
    let record = &index("kinds/committed.json")[0];
    let bytes = read("kinds", record["file"].as_str().unwrap());
    let analysis = Analysis::of(&bytes, None);
    let member = Member {
        name: "oci-artifact-manifest.json",
        bytes: &bytes,
        analysis: &analysis,
    };
    let family = Family::build(&[member]);
    let labels: Vec<EdgeLabel> = family.edges.iter().map(|e| e.label).collect();
    assert_eq!(labels, [EdgeLabel::Blob, EdgeLabel::Subject]);
}
