//! The one-sentence answer of "Compare two images" (`core::image_pair::summary`) on the registry
//! fixtures: one umoci image pushed by skopeo as it is (`demo/oci:1`), converted to Docker media
//! types (`demo/docker:1`, the same layer blobs) and recompressed to zstd (`demo/zstd:1`). The
//! expected digests are the registry's Docker-Content-Digest headers recorded in fixtures.json by
//! scripts/make-fixtures (tests/fixtures/README.md); media types are the manifests' own bytes.

use digestlens::core::diagnose::compare;
use digestlens::core::diagnose::report::ComparisonReport;
use digestlens::core::document::{Analysis, Document, Origin};
use digestlens::core::image_pair::{sentence, summary, Finding, Pairing};
use serde_json::Value;
use std::path::Path;

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/registry"))
}

fn bytes(path: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The Docker-Content-Digest the registry answered for `path`.
fn registry_digest(path: &str) -> String {
    let record: Value = serde_json::from_slice(&bytes("fixtures.json")).expect("fixtures.json is JSON");
    record["files"]
        .as_array()
        .and_then(|files| files.iter().find(|f| f["path"] == path))
        .and_then(|f| f["docker_content_digest"].as_str())
        .unwrap_or_else(|| panic!("no Docker-Content-Digest for {path}"))
        .to_owned()
}

/// The summary of A against B, both manifests as the registry served them (the two tops).
fn summed_up(a: &str, b: &str) -> Vec<Finding> {
    let (a, b) = (bytes(a), bytes(b));
    let report = ComparisonReport::of(&compare(
        &Document::new(a.as_slice(), Origin::Pasted),
        &Document::new(b.as_slice(), Origin::Pasted),
    ));
    summary(
        &Pairing::Tops,
        &report,
        &Analysis::of(&a, None),
        &Analysis::of(&b, None),
    )
}

fn slugs(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.slug).collect()
}

/// The layers' media types as each manifest writes them.
fn layer_media_types(path: &str) -> Vec<String> {
    let manifest: Value = serde_json::from_slice(&bytes(path)).unwrap();
    manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["mediaType"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn oci_against_docker_media_types_is_a_reserialization_with_the_same_layer_blobs() {
    let [oci, docker] = ["demo-oci/manifest.json", "demo-docker/manifest.json"];
    // The registry's own record: both manifests list the same layer blobs.
    for i in 0..2 {
        assert_eq!(
            registry_digest(&format!("demo-oci/layer-{i}.tar.gz")),
            registry_digest(&format!("demo-docker/layer-{i}.tar.gz"))
        );
    }
    let findings = summed_up(oci, docker);
    let said = sentence(&findings);
    assert_eq!(
        slugs(&findings),
        ["reserialized", "same-layer-blobs", "same-image-id"],
        "{said}"
    );
    assert!(!said.contains("recompressed"), "{said}");
    assert!(!said.contains("other digests"), "{said}");
    assert!(said.starts_with("B is A re-serialized (media types: "), "{said}");
    // The layer descriptors' media-type change is told as part of the re-serialization.
    let (from, to) = (&layer_media_types(oci)[0], &layer_media_types(docker)[0]);
    assert_ne!(from, to);
    assert!(said.contains(&format!("layers: {from} → {to})")), "{said}");
    assert!(said.contains("the same 2 layer blobs"), "{said}");
    assert!(
        said.contains(&format!(
            "same Image ID ({})",
            registry_digest("demo-oci/config.json")
        )),
        "{said}"
    );
}

#[test]
fn gzip_against_zstd_lists_other_layer_blobs_and_is_not_called_a_reserialization() {
    let findings = summed_up("demo-oci/manifest.json", "demo-zstd/manifest.json");
    let said = sentence(&findings);
    for i in 0..2 {
        assert_ne!(
            registry_digest(&format!("demo-oci/layer-{i}.tar.gz")),
            registry_digest(&format!("demo-zstd/layer-{i}.tar.zst"))
        );
    }
    assert_eq!(
        slugs(&findings),
        ["other-layer-blobs", "recompressed", "same-image-id"],
        "{said}"
    );
    assert!(!said.contains("re-serialized"), "{said}");
    assert!(
        said.starts_with("B is A rewritten to list other layer blobs"),
        "{said}"
    );
    assert!(said.contains("2 of 2 layer blobs have other digests"), "{said}");
    assert!(
        said.contains(&format!(
            "same Image ID ({})",
            registry_digest("demo-zstd/config.json")
        )),
        "{said}"
    );
}

#[test]
fn docker_against_zstd_is_converted_and_recompressed() {
    let findings = summed_up("demo-docker/manifest.json", "demo-zstd/manifest.json");
    let said = sentence(&findings);
    assert_eq!(
        slugs(&findings),
        ["reserialized", "recompressed", "same-image-id"],
        "{said}"
    );
    assert!(said.contains("2 of 2 layer blobs have other digests"), "{said}");
    // Other blobs: no layer is merely retyped.
    assert!(!said.contains("layers: "), "{said}");
}
