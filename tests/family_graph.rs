//! The family map over real registry fixtures (tests/fixtures/registry, made by umoci, skopeo and
//! buildah and saved as distribution 2.8.2 served them): every link, Image ID and chain ID is
//! checked against the Docker-Content-Digest, diff_id and chain_ids recorded in fixtures.json by
//! scripts/make-fixtures (sha256sum over the served bytes). Crafted bad input follows: wrong
//! sizes and media types, cycles, self-references, 1,000 descriptors.

use digestlens::core::descriptor::Role;
use digestlens::core::digest::Digest;
use digestlens::core::document::Analysis;
use digestlens::core::explain::DigestRole;
use digestlens::core::graph::which::{Query, QueryError};
use digestlens::core::graph::{
    EdgeLabel, Family, FamilyWarning, Member, Mismatch, NodeKey, NodeKind, NodeState, NotANodeKey,
};
use digestlens::core::layout::{layout, reveal, Fold, GroupKey, Limits, Slot};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::Path;

fn registry() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/registry"))
}

fn recorded() -> Vec<Value> {
    let index: Value =
        serde_json::from_slice(&std::fs::read(registry().join("fixtures.json")).unwrap()).unwrap();
    index["files"].as_array().unwrap().clone()
}

fn file(path: &str) -> Value {
    recorded().into_iter().find(|f| f["path"] == path).unwrap()
}

fn digest_of(path: &str) -> Digest {
    file(path)["docker_content_digest"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn parse(s: &str) -> Digest {
    s.parse().unwrap()
}

/// A document as the page holds it: its name, bytes and analysis.
struct Doc {
    name: String,
    bytes: Vec<u8>,
    analysis: Analysis,
}

impl Doc {
    fn new(name: &str, bytes: Vec<u8>) -> Doc {
        let analysis = Analysis::of(&bytes, None);
        Doc {
            name: name.to_owned(),
            bytes,
            analysis,
        }
    }

    fn fixture(path: &str) -> Doc {
        Doc::new(path, std::fs::read(registry().join(path)).unwrap())
    }

    fn json(name: &str, value: &Value) -> Doc {
        Doc::new(name, serde_json::to_vec(value).unwrap())
    }
}

fn members(docs: &[Doc]) -> Vec<Member<'_>> {
    docs.iter()
        .map(|d| Member {
            name: &d.name,
            bytes: &d.bytes,
            analysis: &d.analysis,
        })
        .collect()
}

fn build(docs: &[Doc]) -> Family {
    Family::build(&members(docs))
}

const PLATFORMS: [(&str, &str); 3] = [
    ("linux-amd64", "linux/amd64"),
    ("linux-arm64", "linux/arm64"),
    ("linux-arm-v7", "linux/arm/v7"),
];

/// The index, every platform manifest and every config of `dir`, as served.
fn family_docs(dir: &str) -> Vec<Doc> {
    let mut docs = vec![Doc::fixture(&format!("{dir}/index.json"))];
    for (platform, _) in PLATFORMS {
        docs.push(Doc::fixture(&format!("{dir}/{platform}/manifest.json")));
        docs.push(Doc::fixture(&format!("{dir}/{platform}/config.json")));
    }
    docs
}

fn node_of(family: &Family, digest: &Digest, kind: NodeKind) -> usize {
    family
        .nodes_with(digest)
        .find(|&id| family.nodes[id].kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} node for {digest}"))
}

fn targets(family: &Family, from: usize, label: EdgeLabel) -> Vec<Digest> {
    family
        .children(from)
        .filter(|e| e.label == label)
        .map(|e| family.nodes[e.to].digest.clone().unwrap())
        .collect()
}

fn assert_family_matches_the_registry(dir: &str) {
    let docs = family_docs(dir);
    let family = build(&docs);
    let index = node_of(&family, &digest_of(&format!("{dir}/index.json")), NodeKind::Index);
    assert_eq!(family.roots, vec![index], "only the index is listed by nobody");
    assert_eq!(family.nodes[index].state(), NodeState::Resolved);

    let manifests: Vec<Digest> = PLATFORMS
        .iter()
        .map(|(p, _)| digest_of(&format!("{dir}/{p}/manifest.json")))
        .collect();
    assert_eq!(targets(&family, index, EdgeLabel::Lists), manifests);

    for (platform, name) in PLATFORMS {
        let base = format!("{dir}/{platform}");
        let manifest = node_of(
            &family,
            &digest_of(&format!("{base}/manifest.json")),
            NodeKind::Manifest,
        );
        let node = &family.nodes[manifest];
        assert_eq!(node.state(), NodeState::Resolved, "{base}");
        assert_eq!(node.platform.as_ref().unwrap().to_string(), name);
        assert_eq!(node.size, file(&format!("{base}/manifest.json"))["size"].as_u64());

        let image_id = digest_of(&format!("{base}/config.json"));
        assert_eq!(
            targets(&family, manifest, EdgeLabel::Config),
            vec![image_id.clone()]
        );
        let layers: Vec<Value> = recorded()
            .into_iter()
            .filter(|f| f["role"] == "layer" && f["path"].as_str().unwrap().starts_with(&format!("{base}/")))
            .collect();
        let blobs: Vec<Digest> = layers
            .iter()
            .map(|l| parse(l["docker_content_digest"].as_str().unwrap()))
            .collect();
        assert_eq!(targets(&family, manifest, EdgeLabel::Layer), blobs, "{base}");
        for (i, layer) in layers.iter().enumerate() {
            let blob = node_of(&family, &blobs[i], NodeKind::Layer);
            assert_eq!(family.nodes[blob].state(), NodeState::NotLoaded);
            assert_eq!(
                family.nodes[blob].layer_index(),
                layer["layer_index"].as_u64().map(|i| i as usize)
            );
            assert_eq!(family.nodes[blob].size, layer["size"].as_u64());
        }

        let config = node_of(&family, &image_id, NodeKind::Config);
        assert_eq!(family.nodes[config].state(), NodeState::Resolved);
        assert_eq!(family.nodes[config].platform.as_ref().unwrap().to_string(), name);
        let diff_ids: Vec<Digest> = layers
            .iter()
            .map(|l| parse(l["diff_id"].as_str().unwrap()))
            .collect();
        assert_eq!(targets(&family, config, EdgeLabel::DiffId), diff_ids, "{base}");
        let chain_ids: Vec<Digest> = file(&format!("{base}/config.json"))["chain_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| parse(c.as_str().unwrap()))
            .collect();
        let chain_nodes: Vec<Digest> = family
            .children(config)
            .filter(|e| e.label == EdgeLabel::DiffId)
            .flat_map(|e| targets(&family, e.to, EdgeLabel::Chain))
            .collect();
        assert_eq!(chain_nodes, chain_ids, "{base}");
    }
    assert!(family.warnings.is_empty(), "{:?}", family.warnings);
}

#[test]
fn oci_index_family_links_every_digest_as_the_registry_served_it() {
    assert_family_matches_the_registry("demo-multi");
}

#[test]
fn docker_manifest_list_family_links_every_digest_as_the_registry_served_it() {
    assert_family_matches_the_registry("demo-multi-docker");
}

#[test]
fn diff_ids_and_chain_ids_are_values_not_documents() {
    let family = build(&family_docs("demo-multi"));
    let layer0 = file("demo-multi/linux-arm64/layer-0.tar.gz");
    let diff_id = parse(layer0["diff_id"].as_str().unwrap());
    // The first chain ID is the first diff_id: one digest, two nodes.
    let kinds: Vec<NodeKind> = family
        .nodes_with(&diff_id)
        .map(|id| family.nodes[id].kind)
        .collect();
    assert_eq!(kinds, vec![NodeKind::DiffId, NodeKind::ChainId]);
    assert!(family
        .nodes_with(&diff_id)
        .all(|id| family.nodes[id].state() == NodeState::Derived));
}

#[test]
fn dropped_layer_blobs_resolve_their_descriptors() {
    let mut docs = vec![
        Doc::fixture("demo-oci/manifest.json"),
        Doc::fixture("demo-oci/config.json"),
    ];
    docs.push(Doc::fixture("demo-oci/layer-0.tar.gz"));
    docs.push(Doc::fixture("demo-oci/layer-1.tar.gz"));
    let family = build(&docs);
    for i in 0..2 {
        let blob = node_of(
            &family,
            &digest_of(&format!("demo-oci/layer-{i}.tar.gz")),
            NodeKind::Layer,
        );
        assert_eq!(family.nodes[blob].state(), NodeState::Resolved);
        assert_eq!(family.nodes[blob].document, Some(2 + i));
    }
    assert_eq!(family.roots.len(), 1);
}

#[test]
fn a_manifest_and_its_docker_conversion_share_one_image_id() {
    let docs = vec![
        Doc::fixture("demo-oci/manifest.json"),
        Doc::fixture("demo-docker/manifest.json"),
        Doc::fixture("demo-oci/config.json"),
    ];
    let family = build(&docs);
    let oci = node_of(&family, &digest_of("demo-oci/manifest.json"), NodeKind::Manifest);
    let docker = node_of(
        &family,
        &digest_of("demo-docker/manifest.json"),
        NodeKind::Manifest,
    );
    assert_eq!(family.roots, vec![oci, docker]);
    let image_id = digest_of("demo-docker/config.json");
    assert_eq!(image_id, digest_of("demo-oci/config.json"));
    let config = node_of(&family, &image_id, NodeKind::Config);
    let parents: Vec<usize> = family.nodes[config].references.iter().map(|r| r.parent).collect();
    assert_eq!(parents, vec![oci, docker]);
    // The Docker manifest declares the Docker config media type for the same bytes: both fit a config.
    assert_eq!(family.nodes[config].state(), NodeState::Resolved);
    let answer = family.which(&members(&docs), image_id.short()).unwrap();
    assert_eq!(answer.matches.len(), 1);
    assert!(
        answer.matches[0].what.contains("listed by 2 documents"),
        "{}",
        answer.matches[0].what
    );
}

/// The arm64 entry of the served index, with another size written in.
fn index_with_arm64_entry(change: impl Fn(&mut Value)) -> Doc {
    let mut index: Value =
        serde_json::from_slice(&std::fs::read(registry().join("demo-multi/index.json")).unwrap()).unwrap();
    change(&mut index["manifests"][1]);
    Doc::json("crafted-index.json", &index)
}

#[test]
fn a_wrong_size_in_a_descriptor_is_a_mismatch_with_both_values() {
    let served = file("demo-multi/linux-arm64/manifest.json")["size"]
        .as_u64()
        .unwrap();
    let docs = vec![
        index_with_arm64_entry(|entry| entry["size"] = json!(served - 1)),
        Doc::fixture("demo-multi/linux-arm64/manifest.json"),
    ];
    let family = build(&docs);
    let node = &family.nodes[node_of(
        &family,
        &digest_of("demo-multi/linux-arm64/manifest.json"),
        NodeKind::Manifest,
    )];
    assert_eq!(node.state(), NodeState::Mismatch);
    match node.mismatches.as_slice() {
        [Mismatch::Size { declared, actual, at }] => {
            assert_eq!((*declared, *actual), (served - 1, served));
            assert!(at.starts_with("manifests[1] of the index"), "{at}");
        }
        other => panic!("{other:?}"),
    }
    let text = node.mismatches[0].to_string();
    assert!(
        text.contains(&format!("{} bytes", served - 1)) && text.contains(&format!("{served} bytes")),
        "{text}"
    );
}

#[test]
fn a_media_type_naming_another_kind_is_a_mismatch() {
    let docs = vec![
        index_with_arm64_entry(|entry| {
            entry["mediaType"] = json!("application/vnd.oci.image.config.v1+json")
        }),
        Doc::fixture("demo-multi/linux-arm64/manifest.json"),
    ];
    let family = build(&docs);
    let node = &family.nodes[node_of(
        &family,
        &digest_of("demo-multi/linux-arm64/manifest.json"),
        NodeKind::Manifest,
    )];
    assert!(matches!(
        node.mismatches.as_slice(),
        [Mismatch::MediaType { declared, .. }] if declared == "application/vnd.oci.image.config.v1+json"
    ));
}

#[test]
fn a_media_type_other_than_the_documents_own_field_is_a_mismatch() {
    // The Docker list's arm64 child says mediaType docker v2 in its bytes; claim OCI for it.
    let mut index: Value =
        serde_json::from_slice(&std::fs::read(registry().join("demo-multi-docker/index.json")).unwrap())
            .unwrap();
    index["manifests"][1]["mediaType"] = json!("application/vnd.oci.image.manifest.v1+json");
    let docs = vec![
        Doc::json("crafted-list.json", &index),
        Doc::fixture("demo-multi-docker/linux-arm64/manifest.json"),
    ];
    let family = build(&docs);
    let node = &family.nodes[node_of(
        &family,
        &digest_of("demo-multi-docker/linux-arm64/manifest.json"),
        NodeKind::Manifest,
    )];
    match node.mismatches.as_slice() {
        [Mismatch::MediaType { declared, actual, .. }] => {
            assert_eq!(declared, "application/vnd.oci.image.manifest.v1+json");
            assert_eq!(
                actual,
                "mediaType application/vnd.docker.distribution.manifest.v2+json"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn layer_count_and_diff_id_count_that_differ_are_warned() {
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(registry().join("demo-oci/manifest.json")).unwrap()).unwrap();
    manifest["layers"].as_array_mut().unwrap().pop();
    let docs = vec![
        Doc::json("one-layer.json", &manifest),
        Doc::fixture("demo-oci/config.json"),
    ];
    let family = build(&docs);
    assert!(
        matches!(
            family.warnings.as_slice(),
            [FamilyWarning::LayerCountDiffers {
                layers: 1,
                diff_ids: 2,
                ..
            }]
        ),
        "{:?}",
        family.warnings
    );
}

#[test]
fn an_index_entry_naming_another_platform_than_the_config_is_warned() {
    let docs = vec![
        index_with_arm64_entry(|entry| entry["platform"] = json!({"os": "linux", "architecture": "s390x"})),
        Doc::fixture("demo-multi/linux-arm64/manifest.json"),
        Doc::fixture("demo-multi/linux-arm64/config.json"),
    ];
    let family = build(&docs);
    assert!(
        matches!(family.warnings.as_slice(), [FamilyWarning::PlatformDisagrees { index_says, config_says, .. }]
            if index_says == "linux/s390x" && config_says == "linux/arm64"),
        "{:?}",
        family.warnings
    );
}

#[test]
fn schema1_manifests_signed_twice_load_once_with_a_warning() {
    let docs = vec![
        Doc::fixture("demo-docker/schema1-get1.json"),
        Doc::fixture("demo-docker/schema1-get2.json"),
    ];
    let family = build(&docs);
    let digest = digest_of("demo-docker/schema1-get1.json");
    assert_eq!(digest, digest_of("demo-docker/schema1-get2.json"));
    assert_eq!(family.nodes_with(&digest).count(), 1);
    assert!(matches!(
        family.warnings.as_slice(),
        [FamilyWarning::SameDigestOtherBytes { .. }]
    ));
}

#[test]
fn an_index_that_lists_itself_is_walked_once() {
    let mut doc = Doc::fixture("demo-multi/index.json");
    // Crafted: make the analysis claim the digest its first entry lists.
    doc.analysis.bytes_digest = digest_of("demo-multi/linux-amd64/manifest.json");
    let docs = vec![doc];
    let family = build(&docs);
    assert_eq!(family.roots.len(), 1);
    let me = family.roots[0];
    assert!(family.children(me).any(|e| e.to == me));
    let drawn = layout(&family, Limits::default(), &HashSet::new());
    assert_eq!(drawn.boxes.iter().filter(|b| b.slot == Slot::Node(me)).count(), 1);
}

#[test]
fn two_indexes_that_list_each_other_are_walked_once() {
    let first = Doc::fixture("demo-multi/index.json");
    let first_digest = first.analysis.digest().clone();
    let mut second = Doc::json(
        "second.json",
        &json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": first_digest.to_string(), "size": 706}]}),
    );
    second.analysis.bytes_digest = digest_of("demo-multi/linux-amd64/manifest.json");
    let docs = vec![first, second];
    let family = build(&docs);
    assert_eq!(
        family.roots.len(),
        1,
        "a cycle has no natural root: the first document starts it"
    );
    let drawn = layout(&family, Limits::default(), &HashSet::new());
    for id in 0..family.nodes.len() {
        assert!(drawn.box_of(id).is_some() || family.nodes[id].state() == NodeState::NotLoaded);
    }
}

fn fake_digest(seed: &str) -> String {
    Digest::sha256(seed.as_bytes()).to_string()
}

fn index_of(n: usize) -> Value {
    let manifests: Vec<Value> = (0..n)
        .map(|i| json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": fake_digest(&i.to_string()), "size": 500,
                        "platform": {"os": "linux", "architecture": format!("arch{i}")}}))
        .collect();
    json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests})
}

#[test]
fn a_thousand_entries_fold_beyond_the_limit_and_all_show_when_opened() {
    let docs = vec![Doc::json("big.json", &index_of(1000))];
    let family = build(&docs);
    assert_eq!(family.nodes.len(), 1001);
    let limits = Limits::default();
    let folded = layout(&family, limits, &HashSet::new());
    assert_eq!(folded.boxes.len(), 1 + limits.platforms + 1);
    let more = folded
        .boxes
        .iter()
        .find_map(|b| match &b.slot {
            Slot::More(m) => Some(m.clone()),
            Slot::Node(_) => None,
        })
        .unwrap();
    assert_eq!(more.beyond, 1000 - limits.platforms);
    assert_eq!(more.key.fold, Fold::Entries);
    let open = layout(&family, limits, &HashSet::from([more.key]));
    assert_eq!(open.boxes.len(), 1001 + 1);
    assert_no_overlap(&open);
}

#[test]
fn a_thousand_layers_fold_with_their_diff_ids() {
    let layers: Vec<Value> = (0..1000)
        .map(|i| json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": fake_digest(&format!("l{i}")), "size": 10}))
        .collect();
    let diff_ids: Vec<String> = (0..1000).map(|i| fake_digest(&format!("d{i}"))).collect();
    let config =
        json!({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": diff_ids}});
    let config_doc = Doc::json("config.json", &config);
    let manifest = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_doc.analysis.digest().to_string(), "size": config_doc.bytes.len()},
        "layers": layers});
    let docs = vec![Doc::json("manifest.json", &manifest), config_doc];
    let family = build(&docs);
    assert_eq!(family.nodes.len(), 1 + 1 + 1000 * 3);
    let limits = Limits::default();
    let folded = layout(&family, limits, &HashSet::new());
    assert_eq!(folded.boxes.len(), 2 + limits.layers * 3 + 1);
    let manifest_key = family.nodes[family.roots[0]].key.clone();
    let open = layout(
        &family,
        limits,
        &HashSet::from([GroupKey {
            parent: manifest_key,
            fold: Fold::Layers,
        }]),
    );
    assert_eq!(open.boxes.len(), 2 + 3000 + 1);
    assert_no_overlap(&open);
}

#[test]
fn nested_indexes_deeper_than_any_limit_still_lay_out() {
    // Each index lists the next; built from the innermost out, so every digest is real.
    let mut docs: Vec<Doc> = Vec::new();
    let mut inner = Doc::fixture("demo-multi/index.json");
    for depth in 0..100 {
        let outer = Doc::json(
            &format!("nest-{depth}.json"),
            &json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                    "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": inner.analysis.digest().to_string(), "size": inner.bytes.len()}]}),
        );
        docs.push(inner);
        inner = outer;
    }
    docs.push(inner);
    let family = build(&docs);
    assert_eq!(family.roots.len(), 1);
    let drawn = layout(&family, Limits::default(), &HashSet::new());
    for (i, doc) in docs.iter().enumerate() {
        let id = family.nodes_with(doc.analysis.digest()).next().unwrap();
        assert!(drawn.box_of(id).is_some(), "document {i} not drawn");
        assert_eq!(family.nodes[id].state(), NodeState::Resolved);
    }
    assert_no_overlap(&drawn);
}

fn assert_no_overlap(drawn: &digestlens::core::layout::Layout) {
    let mut boxes: Vec<_> = drawn.boxes.iter().collect();
    boxes.sort_by_key(|b| (b.y, b.x));
    for (i, a) in boxes.iter().enumerate() {
        assert!(
            a.x + a.w <= drawn.width && a.y + a.h <= drawn.height,
            "{a:?} outside the picture"
        );
        for b in boxes.iter().skip(i + 1).take_while(|b| b.y < a.y + a.h) {
            let apart = a.x + a.w <= b.x || b.x + b.w <= a.x;
            assert!(apart, "{a:?} overlaps {b:?}");
        }
    }
}

#[test]
fn layer_blob_diff_id_and_chain_id_of_one_layer_share_a_row() {
    let docs = family_docs("demo-multi");
    let family = build(&docs);
    let drawn = layout(&family, Limits::default(), &HashSet::new());
    assert_no_overlap(&drawn);
    for (platform, _) in PLATFORMS {
        let base = format!("demo-multi/{platform}");
        let config_file = file(&format!("{base}/config.json"));
        let config = node_of(
            &family,
            &digest_of(&format!("{base}/config.json")),
            NodeKind::Config,
        );
        let manifest = node_of(
            &family,
            &digest_of(&format!("{base}/manifest.json")),
            NodeKind::Manifest,
        );
        assert_eq!(drawn.box_of(config).unwrap().y, drawn.box_of(manifest).unwrap().y);
        for i in 0..2 {
            let layer = file(&format!("{base}/layer-{i}.tar.gz"));
            let blob = drawn
                .box_of(node_of(
                    &family,
                    &parse(layer["docker_content_digest"].as_str().unwrap()),
                    NodeKind::Layer,
                ))
                .unwrap();
            let diff = drawn
                .box_of(node_of(
                    &family,
                    &parse(layer["diff_id"].as_str().unwrap()),
                    NodeKind::DiffId,
                ))
                .unwrap();
            let chain = node_of(
                &family,
                &parse(config_file["chain_ids"][i].as_str().unwrap()),
                NodeKind::ChainId,
            );
            let chain = drawn.box_of(chain).unwrap();
            assert_eq!((blob.y, diff.y), (chain.y, chain.y), "{base} layer {i}");
            assert!(blob.x < diff.x && diff.x < chain.x);
        }
    }
    for edge in &drawn.edges {
        let (a, b) = (&drawn.boxes[edge.from], &drawn.boxes[edge.to]);
        let (start, end) = (edge.points[0], *edge.points.last().unwrap());
        let on = |p: (u32, u32), r: &digestlens::core::layout::PlacedBox| {
            p.0 >= r.x && p.0 <= r.x + r.w && p.1 >= r.y && p.1 <= r.y + r.h
        };
        assert!(on(start, a) && on(end, b), "{edge:?} does not join its boxes");
    }
}

#[test]
fn which_names_each_digest_by_its_place_in_the_family() {
    let docs = family_docs("demo-multi");
    let family = build(&docs);
    let members = members(&docs);
    let what = |text: &str| -> Vec<String> {
        family
            .which(&members, text)
            .unwrap()
            .matches
            .into_iter()
            .map(|m| m.what)
            .collect()
    };
    let index = digest_of("demo-multi/index.json");
    assert!(what(&index.to_string())[0].starts_with("the index digest"));
    let arm64 = digest_of("demo-multi/linux-arm64/manifest.json");
    assert_eq!(
        what(&arm64.to_string()),
        vec!["the linux/arm64 manifest digest (one platform of the index) (loaded)"]
    );
    let image_id = digest_of("demo-multi/linux-amd64/config.json");
    assert_eq!(
        what(&image_id.to_string()),
        vec!["the config digest = Image ID of linux/amd64 (loaded)"]
    );
    // `docker images` prints 12 hex characters; bare 64 hex is what `docker inspect` prints without a prefix.
    assert_eq!(what(image_id.short()), what(&image_id.to_string()));
    assert_eq!(what(image_id.encoded()), what(&image_id.to_string()));
    assert_eq!(
        what(&image_id.to_string().to_uppercase().replace("SHA256", "sha256")),
        what(&image_id.to_string())
    );
    let layer1 = file("demo-multi/linux-arm-v7/layer-1.tar.gz");
    assert_eq!(
        what(layer1["docker_content_digest"].as_str().unwrap()),
        vec!["layer 1's blob digest (as stored, usually compressed) of linux/arm/v7 (listed, not loaded)"]
    );
    assert_eq!(
        what(layer1["diff_id"].as_str().unwrap()),
        vec!["layer 1's diff_id (sha256 of the uncompressed tar) of linux/arm/v7"]
    );
    let chain1 = file("demo-multi/linux-arm64/config.json")["chain_ids"][1]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(what(&chain1), vec!["the chain ID of layers 0..1 of linux/arm64"]);
    let layer0 = file("demo-multi/linux-arm64/layer-0.tar.gz");
    assert_eq!(
        what(layer0["diff_id"].as_str().unwrap()),
        vec![
            "layer 0's diff_id (sha256 of the uncompressed tar) of linux/arm64",
            "the chain ID of layer 0 of linux/arm64 (the first chain ID is the first diff_id)"
        ]
    );
}

#[test]
fn which_says_when_a_digest_is_another_serialization_of_a_loaded_document() {
    let docs = family_docs("demo-multi");
    let family = build(&docs);
    let members = members(&docs);
    // `jq . tests/fixtures/registry/demo-multi/index.json | sha256sum` (jq 1.6)
    let pretty = "sha256:ba27bbe3ef8821d1940a495a7701f769f2e76be62428950e6fff04a7879687c5";
    let answer = family.which(&members, pretty).unwrap();
    assert!(answer.matches.is_empty());
    assert!(
        answer.hints[0].contains("demo-multi/index.json pretty-printed with a 2-space indent (as jq prints it), plus a trailing newline"),
        "{:?}",
        answer.hints
    );
    // `jq -c . tests/fixtures/registry/demo-multi/index.json | sha256sum`: the same bytes plus "\n".
    let compact = "sha256:1942664dc36ed85e8b6445ab4c92abc8574fa201121edfd8fec10060db7ae9ec";
    let answer = family.which(&members, compact).unwrap();
    assert!(
        answer.hints[0].contains("demo-multi/index.json with a newline added at the end"),
        "{:?}",
        answer.hints
    );
}

#[test]
fn which_says_what_an_unknown_digest_might_be() {
    let docs = family_docs("demo-multi");
    let family = build(&docs);
    let members = members(&docs);
    let answer = family.which(&members, &fake_digest("nothing")).unwrap();
    assert!(answer.matches.is_empty());
    assert_eq!(answer.hints.len(), 1);
    assert!(
        answer.hints[0].starts_with("It is none of the "),
        "{:?}",
        answer.hints
    );
    let short = family.which(&members, "0123456789ab").unwrap();
    assert!(short.hints[0].starts_with("docker images shows the first 12 hex characters of the Image ID"));
}

#[test]
fn which_needs_something_that_can_name_one_digest() {
    assert_eq!(Query::parse("  "), Err(QueryError::Empty));
    assert!(matches!(
        Query::parse("74e61a6508e"),
        Err(QueryError::TooShort { .. })
    ));
    assert!(matches!(
        Query::parse("not a digest"),
        Err(QueryError::NotHex { .. })
    ));
    assert!(matches!(
        Query::parse("sha256:xyz"),
        Err(QueryError::Digest { .. })
    ));
    assert_eq!(
        Query::parse("74E61A6508E3"),
        Ok(Query::Prefix("74e61a6508e3".into()))
    );
}

#[test]
fn every_node_says_which_digest_it_is_for_the_commands() {
    let docs = family_docs("demo-multi");
    let family = build(&docs);
    let role = |path: &str, kind| family.nodes[node_of(&family, &digest_of(path), kind)].digest_role();
    assert_eq!(role("demo-multi/index.json", NodeKind::Index), DigestRole::Index);
    assert!(matches!(
        role("demo-multi/linux-arm64/manifest.json", NodeKind::Manifest),
        DigestRole::PlatformManifest { platform: Some(p) } if p.to_string() == "linux/arm64"
    ));
    assert_eq!(
        role("demo-multi/linux-arm64/config.json", NodeKind::Config),
        DigestRole::Config
    );
    assert_eq!(
        role("demo-multi/linux-arm64/layer-1.tar.gz", NodeKind::Layer),
        DigestRole::LayerBlob { index: 1 }
    );
    let single = vec![Doc::fixture("demo-oci/manifest.json")];
    let family = build(&single);
    assert_eq!(family.nodes[family.roots[0]].digest_role(), DigestRole::Manifest);
}

#[test]
fn an_unloaded_descriptor_shows_as_its_parent_wrote_it() {
    let docs = vec![Doc::fixture("demo-multi/index.json")];
    let family = build(&docs);
    let arm64 = node_of(
        &family,
        &digest_of("demo-multi/linux-arm64/manifest.json"),
        NodeKind::Manifest,
    );
    let reference = &family.nodes[arm64].references[0];
    assert_eq!(reference.role, Role::Manifest(1));
    let shown: Value =
        serde_json::from_str(&family.descriptor_json(&members(&docs), reference).unwrap()).unwrap();
    let served: Value =
        serde_json::from_slice(&std::fs::read(registry().join("demo-multi/index.json")).unwrap()).unwrap();
    assert_eq!(shown, served["manifests"][1]);
}

#[test]
fn layer_blob_i_pairs_with_diff_id_i_of_the_same_image() {
    let docs = family_docs("demo-multi");
    let family = build(&docs);
    let layer = file("demo-multi/linux-arm64/layer-1.tar.gz");
    let blob = node_of(
        &family,
        &parse(layer["docker_content_digest"].as_str().unwrap()),
        NodeKind::Layer,
    );
    let diff_id = node_of(
        &family,
        &parse(layer["diff_id"].as_str().unwrap()),
        NodeKind::DiffId,
    );
    assert_eq!(family.layer_pair(blob), Some((Some(blob), Some(diff_id), 1)));
    assert_eq!(family.layer_pair(diff_id), Some((Some(blob), Some(diff_id), 1)));
    // Without the config loaded, the blob has no diff_id to pair with.
    let alone = vec![Doc::fixture("demo-multi/linux-arm64/manifest.json")];
    let family = build(&alone);
    let blob = node_of(
        &family,
        &parse(layer["docker_content_digest"].as_str().unwrap()),
        NodeKind::Layer,
    );
    assert_eq!(family.layer_pair(blob), Some((Some(blob), None, 1)));
}

#[test]
fn a_prefix_shared_by_two_digests_is_ambiguous_and_lists_both() {
    // Two entries whose digests share their first 12 hex characters (crafted: not real documents).
    let (a, b) = (
        "sha256:0123456789ab00000000000000000000000000000000000000000000000000aa",
        "sha256:0123456789ab00000000000000000000000000000000000000000000000000bb",
    );
    let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": a, "size": 1},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": b, "size": 1}]});
    let docs = vec![Doc::json("index.json", &index)];
    let family = build(&docs);
    let answer = family.which(&members(&docs), "0123456789ab").unwrap();
    assert!(answer.is_ambiguous());
    let found: Vec<String> = answer.matches.iter().map(|m| m.digest.to_string()).collect();
    assert_eq!(found, vec![a, b]);
    assert!(!family.which(&members(&docs), a).unwrap().is_ambiguous());
}

#[test]
fn every_box_of_a_family_is_named_again_by_its_text_form() {
    let mut docs = family_docs("demo-multi");
    // An entry without a digest is a box named by its place, which the text form must keep.
    docs.push(index_with_arm64_entry(|entry| {
        entry.as_object_mut().unwrap().remove("digest");
    }));
    let family = build(&docs);
    assert!(family
        .nodes
        .iter()
        .any(|n| matches!(n.key, NodeKey::Undigested { .. })));
    for (id, node) in family.nodes.iter().enumerate() {
        let text = node.key.to_string();
        let key: NodeKey = text.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(family.node_id(&key), Some(id), "{text}");
    }
}

#[test]
fn a_diff_id_box_is_named_by_its_config_and_position() {
    let family = build(&family_docs("demo-multi"));
    let config = digest_of("demo-multi/linux-arm64/config.json");
    let diff_id = parse(
        file("demo-multi/linux-arm64/layer-0.tar.gz")["diff_id"]
            .as_str()
            .unwrap(),
    );
    let node = &family.nodes[node_of(&family, &diff_id, NodeKind::DiffId)];
    assert_eq!(node.key.to_string(), format!("diff_id@{config}/0"));
    let chain: NodeKey = format!("chain_id@{config}/0").parse().unwrap();
    assert_eq!(
        family.node(family.node_id(&chain).unwrap()).unwrap().digest,
        Some(diff_id),
        "the first chain ID is the first diff_id"
    );
}

#[test]
fn text_that_names_no_box_is_refused() {
    for text in [
        "",
        "1",
        "sha256:abc",
        "diff_id@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "diff_id@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/x",
        "layer@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/0",
        "chain_id@not-a-digest/0",
    ] {
        assert_eq!(
            text.parse::<NodeKey>(),
            Err(NotANodeKey(text.to_owned())),
            "{text:?}"
        );
    }
}

#[test]
fn a_box_folded_two_levels_deep_is_revealed_by_opening_only_its_groups() {
    let layers: Vec<Value> = (0..20)
        .map(|i| json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": fake_digest(&format!("l{i}")), "size": 10}))
        .collect();
    let diff_ids: Vec<String> = (0..20).map(|i| fake_digest(&format!("d{i}"))).collect();
    let config_doc = Doc::json(
        "config.json",
        &json!({"architecture": "arm64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": diff_ids}}),
    );
    let manifest_doc = Doc::json(
        "manifest.json",
        &json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_doc.analysis.digest().to_string(), "size": config_doc.bytes.len()},
            "layers": layers}),
    );
    // The loaded manifest is the last of 20 entries, past the fold; its layer 15 is past the next.
    let mut index = index_of(20);
    index["manifests"][19]["digest"] = json!(manifest_doc.analysis.digest().to_string());
    index["manifests"][19]["size"] = json!(manifest_doc.bytes.len());
    let index_doc = Doc::json("index.json", &index);
    let index_key = NodeKey::Digest(index_doc.analysis.digest().clone());
    let manifest_key = NodeKey::Digest(manifest_doc.analysis.digest().clone());
    let config_digest = config_doc.analysis.digest().clone();
    let family = build(&[index_doc, manifest_doc, config_doc]);
    let wanted = family
        .node_id(&NodeKey::DiffId {
            config: config_digest,
            index: 15,
        })
        .unwrap();
    let limits = Limits::default();
    assert!(
        layout(&family, limits, &HashSet::new()).box_of(wanted).is_none(),
        "folded at first"
    );

    let open = reveal(&family, limits, &HashSet::new(), wanted);
    assert_eq!(
        open,
        HashSet::from([
            GroupKey {
                parent: index_key,
                fold: Fold::Entries
            },
            GroupKey {
                parent: manifest_key,
                fold: Fold::Layers
            },
        ])
    );
    assert!(layout(&family, limits, &open).box_of(wanted).is_some());
}
