//! `compare` and `check_expected` on real pairs.
//!
//! The registry pairs are tests/fixtures/registry (scripts/make-fixtures: umoci-built images pushed
//! with skopeo and buildah to docker/distribution 2.8.2, saved byte for byte with what the registry
//! said). Expected digests come from the registry's Docker-Content-Digest, recorded in
//! fixtures.json. When that folder is absent the registry tests skip with a message. The Go pairs
//! are tests/fixtures/go-json (Go's encoding/json, see its README).

use digestlens::core::diagnose::{
    self, ByteEdit, ConfigChange, EscapeKind, Expected, ExpectedCheck, Place, SerializationDifference, Side,
    Verdict,
};
use digestlens::core::digest::Digest;
use digestlens::core::document::{Document, Kind, Origin};
use digestlens::core::explain::DigestRole;
use digestlens::core::reserialize::{self, Indent, Layout, SeenLayout};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A registry fixture's bytes and the digest the registry reported for it.
struct Served {
    bytes: Vec<u8>,
    registry_digest: Digest,
}

impl Served {
    /// The fixture as pasted: its bytes without the media type the registry served.
    fn document(&self) -> Document {
        pasted(&self.bytes)
    }
}

fn pasted(bytes: &[u8]) -> Document {
    Document::new(bytes, Origin::Pasted)
}

/// Loads `names` from tests/fixtures/registry, or says why not and returns `None`.
fn registry<const N: usize>(names: [&str; N]) -> Option<[Served; N]> {
    let dir = fixtures().join("registry");
    let Ok(record) = std::fs::read(dir.join("fixtures.json")) else {
        eprintln!(
            "skipping: {} is not there (made by scripts/make-fixtures)",
            dir.join("fixtures.json").display()
        );
        return None;
    };
    let record: Value = serde_json::from_slice(&record).expect("fixtures.json is JSON");
    let served = names.map(|name| {
        let registry_digest = record["files"]
            .as_array()
            .and_then(|files| files.iter().find(|f| f["path"] == name))
            .and_then(|f| f["docker_content_digest"].as_str())
            .unwrap_or_else(|| panic!("fixtures.json has no Docker-Content-Digest for {name}"))
            .parse()
            .expect("registry digest");
        let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        Served {
            bytes,
            registry_digest,
        }
    });
    Some(served)
}

fn compare(a: &Served, b: &Served) -> diagnose::Comparison {
    let comparison = diagnose::compare(&a.document(), &b.document());
    // The evidence starts with the digests, which must be what the registry said.
    let digests = &comparison.evidence[0];
    assert_eq!(digests.label, "digest");
    assert_eq!(digests.a, a.registry_digest.to_string());
    assert_eq!(digests.b, b.registry_digest.to_string());
    comparison
}

#[test]
fn skopeo_format_v2s2_is_a_conversion_that_keeps_the_image_id() {
    let Some([oci, docker, config]) = registry([
        "demo-oci/manifest.json",
        "demo-docker/manifest.json",
        "demo-oci/config.json",
    ]) else {
        return;
    };
    let comparison = compare(&oci, &docker);
    assert_eq!(
        comparison.verdict,
        Verdict::Converted {
            from: Kind::OciManifest,
            to: Kind::DockerManifest,
            config: ConfigChange::Same(config.registry_digest.clone()),
            recompressed: vec![],
        }
    );
    let sentence = comparison.verdict.to_string();
    assert!(sentence.contains("the Image ID is the same"), "{sentence}");
    let image_id = comparison
        .evidence
        .iter()
        .find(|e| e.label == "config digest (Image ID)")
        .expect("config row");
    assert!(image_id.same());
}

#[test]
fn skopeo_dest_compress_format_zstd_is_recompression() {
    let Some([gzip, zstd]) = registry(["demo-oci/manifest.json", "demo-zstd/manifest.json"]) else {
        return;
    };
    let comparison = compare(&gzip, &zstd);
    match &comparison.verdict {
        Verdict::Recompressed { layers, total, .. } => {
            assert_eq!((layers.len(), *total), (2, 2));
        }
        other => panic!("expected recompressed, got {other}"),
    }
    assert!(comparison.verdict.to_string().contains("gzip → zstd"));
}

#[test]
fn index_and_its_platform_manifest_are_named_with_the_platform() {
    let Some([index, amd64, arm]) = registry([
        "demo-multi/index.json",
        "demo-multi/linux-amd64/manifest.json",
        "demo-multi/linux-arm-v7/manifest.json",
    ]) else {
        return;
    };
    let comparison = compare(&index, &amd64);
    match &comparison.verdict {
        Verdict::IndexAndPlatformManifest {
            index: Side::A,
            position: 0,
            platform: Some(platform),
            attestation: false,
        } => assert_eq!(platform.to_string(), "linux/amd64"),
        other => panic!("{other:?}"),
    }
    assert!(comparison
        .verdict
        .to_string()
        .contains("you are comparing the multi-platform digest with the linux/amd64 one"));
    // Either order: the index may be B.
    let comparison = compare(&arm, &index);
    assert!(
        matches!(&comparison.verdict, Verdict::IndexAndPlatformManifest { index: Side::B, position: 2, platform: Some(p), .. } if p.to_string() == "linux/arm/v7"),
        "{:?}",
        comparison.verdict
    );
}

#[test]
fn buildah_oci_index_and_docker_list_are_converted_indexes() {
    let Some([oci, docker]) = registry(["demo-multi/index.json", "demo-multi-docker/index.json"]) else {
        return;
    };
    match compare(&oci, &docker).verdict {
        Verdict::IndexesDiffer {
            converted: Some((Kind::OciIndex, Kind::DockerManifestList)),
            entries,
            ..
        } => {
            let platforms: Vec<&str> = entries.iter().map(|e| e.platform.as_str()).collect();
            assert_eq!(platforms, ["linux/amd64", "linux/arm64", "linux/arm/v7"]);
            assert!(entries.iter().all(|e| e.a.is_some() && e.b.is_some()));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn schema1_fetched_twice_is_one_payload_signed_twice() {
    let Some([first, second]) = registry(["demo-docker/schema1-get1.json", "demo-docker/schema1-get2.json"])
    else {
        return;
    };
    assert_ne!(first.bytes, second.bytes);
    let comparison = compare(&first, &second);
    assert_eq!(
        comparison.verdict,
        Verdict::Schema1Resigned {
            payload: first.registry_digest.clone()
        }
    );
    let divergence = comparison.divergence.expect("the bytes differ");
    assert!(
        divergence.offset > 1000,
        "the manifests agree until the signatures: {divergence:?}"
    );
}

#[test]
fn distribution_schema1_rewrites_are_one_payload_signed_twice() {
    // tests/fixtures/distribution-2.8.2/README.md: both responses carried this Docker-Content-Digest.
    let dir = fixtures().join("distribution-2.8.2");
    let (Ok(first), Ok(second)) = (
        std::fs::read(dir.join("schema1-rewritten-1.json")),
        std::fs::read(dir.join("schema1-rewritten-2.json")),
    ) else {
        eprintln!("skipping: {} is not there", dir.display());
        return;
    };
    let comparison = diagnose::compare(&pasted(&first), &pasted(&second));
    assert_eq!(
        comparison.verdict,
        Verdict::Schema1Resigned {
            payload: "sha256:2ce1d3dc07a74a4eaec77f34bb2aac583dcd776d01e0792cb1b4ec4aea8eb872"
                .parse()
                .unwrap()
        }
    );
}

#[test]
fn schema1_against_schema2_of_the_same_image_shares_the_layers() {
    let Some([schema1, schema2]) = registry(["demo-docker/schema1-get1.json", "demo-docker/manifest.json"])
    else {
        return;
    };
    assert_eq!(
        compare(&schema1, &schema2).verdict,
        Verdict::Schema1AndSchema2 {
            schema1: Side::A,
            other: Kind::DockerManifest,
            same_layers: true,
        }
    );
}

#[test]
fn a_manifest_and_its_config_blob() {
    let Some([manifest, config]) = registry(["demo-docker/manifest.json", "demo-docker/config.json"]) else {
        return;
    };
    assert_eq!(
        compare(&manifest, &config).verdict,
        Verdict::ManifestAndConfig {
            manifest: Side::A,
            config: config.registry_digest.clone(),
        }
    );
}

#[test]
fn two_platforms_are_different_images_and_their_configs_differ_in_layers() {
    let Some([amd64, arm64, amd64_config, arm64_config]) = registry([
        "demo-multi/linux-amd64/manifest.json",
        "demo-multi/linux-arm64/manifest.json",
        "demo-multi/linux-amd64/config.json",
        "demo-multi/linux-arm64/config.json",
    ]) else {
        return;
    };
    assert_eq!(
        compare(&amd64, &arm64).verdict,
        Verdict::DifferentImages {
            a_config: Some(amd64_config.registry_digest.clone()),
            b_config: Some(arm64_config.registry_digest.clone()),
            shared_layers: 0,
        }
    );
    match compare(&amd64_config, &arm64_config).verdict {
        Verdict::ConfigsDiffer { same_diff_ids, paths } => {
            assert!(!same_diff_ids);
            assert!(paths.iter().any(|p| p == "architecture"), "{paths:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn umoci_manifest_pasted_without_its_newline_is_found_by_check_expected() {
    // umoci writes manifests with json.Encoder, which ends them with a newline; a terminal copy
    // often drops it. The expected digest is the registry's.
    let Some([oci]) = registry(["demo-oci/manifest.json"]) else {
        return;
    };
    let without_newline = oci.bytes.strip_suffix(b"\n").expect("umoci ends with a newline");
    let check = diagnose::check_expected(
        &pasted(without_newline),
        &Expected::Full(oci.registry_digest.clone()),
        &[],
    );
    assert_eq!(
        check,
        ExpectedCheck::ByteEdit {
            edit: ByteEdit::AddTrailingNewline,
            digest: oci.registry_digest.clone(),
        }
    );
}

#[test]
fn reindented_manifest_is_traced_back_to_the_registry_digest() {
    // What `jq .` or an editor does to a manifest: the same JSON, indented. check_expected must find
    // that skopeo's compact form gives the digest the registry reported.
    let Some([docker]) = registry(["demo-docker/manifest.json"]) else {
        return;
    };
    let value: Value = serde_json::from_slice(&docker.bytes).unwrap();
    let reindented = reserialize::write(
        &value,
        &reserialize::Style::go_indent(Indent::Spaces(2)).with_trailing_newline(),
    );
    let check = diagnose::check_expected(
        &pasted(&reindented),
        &Expected::Full(docker.registry_digest.clone()),
        &[],
    );
    match check {
        ExpectedCheck::Reserialized { name, digest, .. } => {
            assert_eq!(digest, docker.registry_digest);
            assert!(name.starts_with("compact, Go json.Marshal"), "{name}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn check_expected_names_the_index_the_other_platform_and_the_image_id() {
    let Some([amd64, index, docker_list, arm64_config]) = registry([
        "demo-multi/linux-amd64/manifest.json",
        "demo-multi/index.json",
        "demo-multi-docker/index.json",
        "demo-multi/linux-arm64/config.json",
    ]) else {
        return;
    };
    let document = amd64.document();
    let family = [index.document(), docker_list.document()];
    let family: Vec<&Document> = family.iter().collect();
    let check = |expected: Expected| diagnose::check_expected(&document, &expected, &family);

    assert!(matches!(
        check(Expected::Full(amd64.registry_digest.clone())),
        ExpectedCheck::Matches { short: false, .. }
    ));
    assert_eq!(
        check(Expected::Full(index.registry_digest.clone())),
        ExpectedCheck::OtherDigest {
            role: DigestRole::Index,
            digest: index.registry_digest.clone(),
            place: Place::Family(0),
        }
    );
    // The arm64 manifest, listed in the OCI index.
    let arm64_manifest: Digest = "sha256:239670da84d124083f58a6e9ab3459791c2d838c6754caa6ed55417b2a5b5c64"
        .parse()
        .unwrap();
    match check(Expected::Full(arm64_manifest)) {
        ExpectedCheck::OtherDigest {
            role: DigestRole::PlatformManifest { platform: Some(p) },
            place: Place::Family(0),
            ..
        } => assert_eq!(p.to_string(), "linux/arm64"),
        other => panic!("{other:?}"),
    }
    // docker images prints the Image ID as 12 hex characters.
    let short = arm64_config.registry_digest.encoded()[..12].to_owned();
    assert!(
        matches!(check(short.parse().unwrap()), ExpectedCheck::NoMatch { .. }),
        "the arm64 config is not among the loaded documents"
    );
    let own_config = "74e61a6508e3".parse().unwrap();
    assert!(matches!(
        check(own_config),
        ExpectedCheck::OtherDigest {
            role: DigestRole::Config,
            place: Place::ThisDocument,
            ..
        }
    ));
}

#[test]
fn schema1_matches_by_payload_digest() {
    let Some([schema1]) = registry(["demo-docker/schema1-get2.json"]) else {
        return;
    };
    let check = diagnose::check_expected(
        &schema1.document(),
        &Expected::Full(schema1.registry_digest.clone()),
        &[],
    );
    assert!(
        matches!(
            check,
            ExpectedCheck::Matches {
                schema1_payload: true,
                ..
            }
        ),
        "{check:?}"
    );
}

#[test]
fn repush_preview_knows_which_tool_keeps_the_registry_digest() {
    let Some([docker, oci]) = registry(["demo-docker/manifest.json", "demo-oci/manifest.json"]) else {
        return;
    };
    for (served, keeps) in [
        (&docker, "compact, Go json.Marshal"),
        (&oci, "compact with a trailing newline"),
    ] {
        let previews = diagnose::repush_preview(&served.document());
        let kept = previews
            .iter()
            .find(|r| r.name.starts_with(keeps))
            .expect("style listed");
        assert!(kept.same_as_input);
        assert_eq!(kept.digest, served.registry_digest);
        let distribution = previews
            .iter()
            .find(|r| r.name.starts_with("3-space"))
            .expect("3-space listed");
        assert_ne!(distribution.digest, served.registry_digest);
    }
}

fn go_json(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("go-json").join(name)).expect("go-json fixture")
}

#[test]
fn go_marshal_and_distribution_canonical_form_are_the_same_manifest_reserialized() {
    let compact = go_json("docker-manifest.marshal.json");
    let canonical = go_json("docker-manifest.distribution.json");
    let comparison = diagnose::compare(&pasted(&compact), &pasted(&canonical));
    match &comparison.verdict {
        Verdict::Reserialized {
            differences,
            a_style: Some(a),
            b_style: Some(b),
            is_config: false,
            is_manifest: true,
        } => {
            assert_eq!(
                differences,
                &[SerializationDifference::Whitespace {
                    a: SeenLayout::Known(Layout::Compact),
                    b: SeenLayout::Known(Layout::Indented(Indent::Spaces(3))),
                }]
            );
            assert_eq!(
                a.description,
                "compact, Go json.Marshal (crane, skopeo, podman, buildah)"
            );
            assert!(
                b.description.starts_with("3-space indent (docker/distribution"),
                "{}",
                b.description
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(comparison.changes.is_empty());
}

#[test]
fn go_encoder_without_html_escaping_differs_in_whitespace_newline_and_escapes() {
    let marshal = go_json("oci-manifest.marshal.json");
    let encoder = go_json("oci-manifest.encoder-noescape-indent2.json");
    let comparison = diagnose::compare(&pasted(&marshal), &pasted(&encoder));
    let Verdict::Reserialized { differences, .. } = &comparison.verdict else {
        panic!("{:?}", comparison.verdict);
    };
    let slugs: Vec<&str> = differences.iter().map(SerializationDifference::slug).collect();
    assert_eq!(slugs, ["whitespace", "trailing-newline", "string-escaping"]);
    assert!(matches!(
        differences.last(),
        Some(SerializationDifference::StringEscaping { kind: EscapeKind::Html, path, strings: 3, .. })
            if path == "layers[0].annotations[\"a.first\"]"
    ));
}
