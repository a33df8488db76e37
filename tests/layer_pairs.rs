//! Two images' layers paired (`core::image_pair::layers`) over the registry fixtures made by
//! umoci, skopeo and buildah and saved as distribution 2.8.2 served them. Every expected digest,
//! size and diff_id is read from fixtures.json, where scripts/make-fixtures recorded the
//! registry's Docker-Content-Digest, the Content-Length and the sha256sum of `gzip -dc` /
//! `zstd -dc` of each layer; the extra-layers case uses containers/image's own v2s2 fixture.

use digestlens::core::digest::Digest;
use digestlens::core::document::Analysis;
use digestlens::core::image_pair::layers::{layer_pairs, DiffId, ImageLayers, PairStatus, Unknown};
use serde_json::Value;
use std::path::Path;

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

fn recorded() -> Vec<Value> {
    let index: Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("registry/fixtures.json")).unwrap()).unwrap();
    index["files"].as_array().unwrap().clone()
}

fn analysis(path: &str) -> Analysis {
    Analysis::of(&std::fs::read(fixtures().join(path)).unwrap(), None)
}

/// What make-fixtures recorded for layer `i` of the image in `dir`: blob digest, size, diff_id.
fn layer(dir: &str, i: usize) -> (Digest, u64, Digest) {
    let file = recorded()
        .into_iter()
        .find(|f| {
            f["role"] == "layer"
                && f["path"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{dir}/layer-{i}."))
        })
        .unwrap();
    assert_eq!(file["diff_id"], file["uncompressed_sha256"]);
    (
        file["docker_content_digest"].as_str().unwrap().parse().unwrap(),
        file["size"].as_u64().unwrap(),
        file["uncompressed_sha256"].as_str().unwrap().parse().unwrap(),
    )
}

struct Image {
    manifest: Analysis,
    config: Analysis,
}

fn image(dir: &str) -> Image {
    Image {
        manifest: analysis(&format!("registry/{dir}/manifest.json")),
        config: analysis(&format!("registry/{dir}/config.json")),
    }
}

impl Image {
    fn layers(&self) -> ImageLayers<'_> {
        ImageLayers {
            manifest: &self.manifest,
            config: Some(&self.config),
        }
    }
}

fn statuses(a: ImageLayers<'_>, b: ImageLayers<'_>) -> Vec<&'static str> {
    layer_pairs(a, b).iter().map(|p| p.status.slug()).collect()
}

#[test]
fn an_image_and_its_zstd_copy_pair_every_layer_as_recompressed_with_the_registrys_digests() {
    let (oci, zstd) = (image("demo-oci"), image("demo-zstd"));
    let pairs = layer_pairs(oci.layers(), zstd.layers());
    assert_eq!(pairs.len(), 2);
    for (i, pair) in pairs.iter().enumerate() {
        let (a, b) = (pair.a.as_ref().unwrap(), pair.b.as_ref().unwrap());
        let (digest_a, size_a, diff_a) = layer("demo-oci", i);
        let (digest_b, size_b, diff_b) = layer("demo-zstd", i);
        assert_eq!(pair.index, i);
        assert_eq!((a.digest.as_ref(), a.size), (Some(&digest_a), Some(size_a)));
        assert_eq!((b.digest.as_ref(), b.size), (Some(&digest_b), Some(size_b)));
        assert_eq!(a.diff_id, DiffId::Claimed(diff_a));
        assert_eq!(b.diff_id, DiffId::Claimed(diff_b));
        assert_eq!(pair.status, PairStatus::Recompressed);
        assert_eq!(
            pair.status.reason(),
            "same content, different compression (diff_id equal)"
        );
    }
}

#[test]
fn an_image_and_the_same_image_in_an_index_share_every_layer() {
    let (oci, child) = (image("demo-oci"), image("demo-multi/linux-amd64"));
    assert_eq!(statuses(oci.layers(), child.layers()), ["shared", "shared"]);
    // Converted to Docker media types by skopeo, the blobs are still the same.
    let docker = image("demo-docker");
    let pairs = layer_pairs(oci.layers(), docker.layers());
    assert_eq!(
        pairs.iter().map(|p| p.status).collect::<Vec<_>>(),
        [PairStatus::Shared, PairStatus::Shared]
    );
    assert_eq!(
        pairs[1].b.as_ref().unwrap().digest,
        Some(layer("demo-docker", 1).0)
    );
}

#[test]
fn two_platforms_of_one_index_differ_in_content() {
    let (amd, arm) = (image("demo-multi/linux-amd64"), image("demo-multi/linux-arm64"));
    let pairs = layer_pairs(amd.layers(), arm.layers());
    assert_eq!(
        pairs.iter().map(|p| p.status.slug()).collect::<Vec<_>>(),
        ["different", "different"]
    );
    assert_eq!(
        pairs[0].b.as_ref().unwrap().diff_id,
        DiffId::Claimed(layer("demo-multi/linux-arm64", 0).2)
    );
}

#[test]
fn without_a_config_a_row_of_different_blobs_is_unknown_but_a_shared_blob_is_still_shared() {
    let (oci, zstd, docker) = (image("demo-oci"), image("demo-zstd"), image("demo-docker"));
    let no_config = ImageLayers {
        manifest: &zstd.manifest,
        config: None,
    };
    let pairs = layer_pairs(oci.layers(), no_config);
    assert!(pairs
        .iter()
        .all(|p| p.status == PairStatus::Unknown(Unknown::ConfigNotLoaded)));
    assert_eq!(pairs[0].status.reason(), "unknown (config not loaded)");
    assert_eq!(pairs[0].status.slug(), "unknown");
    assert_eq!(pairs[0].b.as_ref().unwrap().diff_id, DiffId::ConfigNotLoaded);
    let docker_alone = ImageLayers {
        manifest: &docker.manifest,
        config: None,
    };
    assert_eq!(statuses(oci.layers(), docker_alone), ["shared", "shared"]);
}

#[test]
fn unequal_layer_counts_get_a_row_for_each_extra_layer() {
    let oci = image("demo-oci");
    // containers/image's v2s2 fixture: three layers, its config not here.
    let three = analysis("containers-image/v2s2.manifest.json");
    let raw: Value = serde_json::from_slice(
        &std::fs::read(fixtures().join("containers-image/v2s2.manifest.json")).unwrap(),
    )
    .unwrap();
    let other = ImageLayers {
        manifest: &three,
        config: None,
    };
    let pairs = layer_pairs(other, oci.layers());
    assert_eq!(statuses(other, oci.layers()), ["unknown", "unknown", "only-a"]);
    let extra = pairs[2].a.as_ref().unwrap();
    assert_eq!(
        extra.digest.as_ref().map(ToString::to_string).as_deref(),
        raw["layers"][2]["digest"].as_str()
    );
    assert_eq!(extra.size, raw["layers"][2]["size"].as_u64());
    assert!(pairs[2].b.is_none());
    assert_eq!(statuses(oci.layers(), other), ["unknown", "unknown", "only-b"]);
    assert_eq!(pairs[2].status.reason(), "only in A");
}

#[test]
fn a_document_that_is_not_an_image_manifest_has_no_layers_to_pair() {
    let (index, oci) = (analysis("registry/demo-multi/index.json"), image("demo-oci"));
    let index_side = ImageLayers {
        manifest: &index,
        config: None,
    };
    assert_eq!(statuses(index_side, oci.layers()), ["only-b", "only-b"]);
}
