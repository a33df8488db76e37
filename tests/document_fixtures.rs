//! The analysis of documents made by real tools, checked against values from outside this code:
//! the registry's Docker-Content-Digest (distribution 2.8.2), containers/image's test assertions,
//! image-spec's ChainID test vectors, and `gzip -dc | sha256sum` / `sha256sum` run by
//! scripts/make-fixtures. See tests/fixtures/README.md for how each file was made.

use digestlens::core::digest::Digest;
use digestlens::core::document::{Analysis, Body, Finding, Kind};
use digestlens::core::image_config::chain_ids;
use digestlens::core::media_type::MediaType;
use serde_json::Value;
use std::path::Path;

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

fn json(path: &str) -> Value {
    serde_json::from_slice(&std::fs::read(fixtures().join(path)).unwrap()).unwrap()
}

fn registry_files(role: &str) -> Vec<Value> {
    json("registry/fixtures.json")["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["role"] == role)
        .cloned()
        .collect()
}

fn analyse(file: &Value) -> (Vec<u8>, Analysis) {
    let bytes = std::fs::read(fixtures().join("registry").join(file["path"].as_str().unwrap())).unwrap();
    let hint = file["media_type"].as_str().map(MediaType::parse);
    let analysis = Analysis::of(&bytes, hint.as_ref());
    (bytes, analysis)
}

fn expected_kind(content_type: &str) -> Kind {
    match content_type {
        "application/vnd.oci.image.manifest.v1+json" => Kind::OciManifest,
        "application/vnd.oci.image.index.v1+json" => Kind::OciIndex,
        "application/vnd.docker.distribution.manifest.v2+json" => Kind::DockerManifest,
        "application/vnd.docker.distribution.manifest.list.v2+json" => Kind::DockerManifestList,
        "application/vnd.docker.distribution.manifest.v1+prettyjws" => Kind::DockerSchema1Signed,
        other => panic!("no expectation for {other}"),
    }
}

#[test]
fn every_served_manifest_gets_the_registrys_digest_and_kind() {
    let mut checked = 0;
    for role in ["manifest", "index", "schema1"] {
        for file in registry_files(role) {
            let (_, analysis) = analyse(&file);
            let path = file["path"].as_str().unwrap();
            assert_eq!(
                analysis.digest().to_string(),
                file["docker_content_digest"].as_str().unwrap(),
                "{path}"
            );
            assert_eq!(
                analysis.kind,
                expected_kind(file["content_type"].as_str().unwrap()),
                "{path}"
            );
            assert!(
                analysis
                    .findings
                    .iter()
                    .all(|f| !matches!(f, Finding::Descriptor { .. } | Finding::JsonSyntax { .. })),
                "{path}: {:?}",
                analysis.findings
            );
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} manifests checked");
}

#[test]
fn signed_schema1_digest_is_the_payload_digest_the_registry_reports_not_the_byte_digest() {
    let files = registry_files("schema1");
    assert_eq!(files.len(), 2, "two GETs of the same schema1 manifest");
    let analyses: Vec<_> = files.iter().map(analyse).collect();
    // Two GETs: distribution re-signs, so the bytes differ; the digest stays.
    assert_ne!(analyses[0].1.bytes_digest, analyses[1].1.bytes_digest);
    for (file, (_, analysis)) in files.iter().zip(&analyses) {
        assert_eq!(
            analysis.digest().to_string(),
            file["docker_content_digest"].as_str().unwrap()
        );
        assert_ne!(analysis.digest(), &analysis.bytes_digest);
    }
}

#[test]
fn configs_list_the_diff_ids_of_the_uncompressed_layers_and_their_chain_ids() {
    let layers = registry_files("layer");
    let configs = registry_files("config");
    assert!(!configs.is_empty());
    for config in configs {
        let (_, analysis) = analyse(&config);
        let path = config["path"].as_str().unwrap();
        assert_eq!(
            analysis.bytes_digest.to_string(),
            config["docker_content_digest"].as_str().unwrap()
        );
        assert!(analysis.kind.is_config(), "{path}: {:?}", analysis.kind);
        let Body::Config(image_config) = &analysis.body else {
            panic!("{path}: not a config body")
        };
        let chain: Vec<String> = image_config.chain_ids.iter().map(Digest::to_string).collect();
        let expected: Vec<&str> = config["chain_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(
            chain, expected,
            "{path}: chain IDs (sha256sum in scripts/make-fixtures)"
        );
        // Each diff_id equals the sha256 of a layer blob after `gzip -dc` / `zstd -dc`.
        for diff_id in &image_config.diff_ids {
            let diff_id = diff_id.as_ref().unwrap().to_string();
            assert!(
                layers
                    .iter()
                    .any(|l| l["uncompressed_sha256"].as_str() == Some(diff_id.as_str())),
                "{path}: {diff_id} is no decompressed layer's sha256"
            );
        }
    }
}

#[test]
fn manifests_point_at_the_config_and_layer_blobs_the_registry_serves() {
    let blobs: Vec<String> = registry_files("config")
        .iter()
        .chain(&registry_files("layer"))
        .map(|f| f["docker_content_digest"].as_str().unwrap().to_owned())
        .collect();
    for file in registry_files("manifest") {
        let (_, analysis) = analyse(&file);
        let Body::Manifest { config, layers, .. } = &analysis.body else {
            panic!("not a manifest")
        };
        let config = config.as_ref().expect("a config descriptor");
        assert!(blobs.contains(&config.digest.as_ref().unwrap().to_string()));
        assert_eq!(layers.len(), 2);
        for layer in layers {
            assert!(blobs.contains(&layer.digest.as_ref().unwrap().to_string()));
        }
    }
}

#[test]
fn index_entries_name_each_platform_manifest_by_the_digest_the_registry_serves_it_under() {
    let children: Vec<String> = registry_files("manifest")
        .iter()
        .map(|f| f["docker_content_digest"].as_str().unwrap().to_owned())
        .collect();
    for file in registry_files("index") {
        let (_, analysis) = analyse(&file);
        let Body::Index { manifests, .. } = &analysis.body else {
            panic!("not an index")
        };
        let platforms: Vec<String> = manifests
            .iter()
            .map(|m| m.platform.as_ref().unwrap().to_string())
            .collect();
        assert_eq!(platforms, ["linux/amd64", "linux/arm64", "linux/arm/v7"]);
        for entry in manifests {
            assert!(children.contains(&entry.digest.as_ref().unwrap().to_string()));
        }
    }
}

#[test]
fn containers_image_fixtures_get_the_digests_its_tests_assert() {
    let index = json("containers-image/fixtures.json");
    let files = index["files"].as_array().unwrap();
    assert!(files.len() >= 3);
    for file in files {
        let name = file["file"].as_str().unwrap();
        let bytes = std::fs::read(fixtures().join("containers-image").join(name)).unwrap();
        let analysis = Analysis::of(&bytes, None);
        match file["expected_digest"].as_str() {
            Some(expected) => assert_eq!(analysis.digest().to_string(), expected, "{name}"),
            // Upstream asserts only that Digest fails: the payload cannot be rebuilt, and we say so.
            None => assert!(
                analysis
                    .findings
                    .iter()
                    .any(|f| matches!(f, Finding::Schema1Payload(_))),
                "{name}: {:?}",
                analysis.findings
            ),
        }
    }
}

#[test]
fn chain_ids_reproduce_image_spec_test_vectors() {
    let vectors = json("image-spec/chainid.json");
    for vector in vectors["vectors"].as_array().unwrap() {
        let diff_ids: Vec<&str> = vector["diff_ids"]
            .as_array()
            .map(|a| a.iter().map(|d| d.as_str().unwrap()).collect())
            .unwrap_or_default();
        let expected: Vec<&str> = vector["chain_ids"]
            .as_array()
            .map(|a| a.iter().map(|d| d.as_str().unwrap()).collect())
            .unwrap_or_default();
        assert_eq!(chain_ids(&diff_ids), expected, "vector {}", vector["name"]);
    }
}
