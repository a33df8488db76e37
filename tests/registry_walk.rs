//! The walk of an image, replayed over responses recorded from distribution 2.8.2
//! (tests/fixtures/registry, made by scripts/make-fixtures): the URLs the walk asks for must be
//! URLs the registry served, each round must hold all siblings, and every body must verify
//! against the Docker-Content-Digest the registry sent. The browser client performs the same
//! steps over the network (tests/e2e/registry.test.mjs).

use digestlens::core::distribution::verify::{DigestHeader, Trust};
use digestlens::core::distribution::walk::{check, media_type_hint, Target, Walk};
use digestlens::core::document::{Analysis, Kind};
use digestlens::core::reference::Reference;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// One recorded answer: bytes, Content-Type and Docker-Content-Digest, by request path.
struct Recorded {
    bytes: Vec<u8>,
    content_type: String,
    digest: String,
}

fn recorded() -> HashMap<String, Recorded> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/registry"));
    let index: Value = serde_json::from_slice(&std::fs::read(dir.join("fixtures.json")).unwrap()).unwrap();
    index["files"]
        .as_array()
        .unwrap()
        .iter()
        // The schema1 answers were asked with a different Accept; the walk never asks that way.
        .filter(|f| f["request"]["accept"] == "all")
        .map(|f| {
            (
                f["request"]["url"].as_str().unwrap().to_owned(),
                Recorded {
                    bytes: std::fs::read(dir.join(f["path"].as_str().unwrap())).unwrap(),
                    content_type: f["content_type"].as_str().unwrap().to_owned(),
                    digest: f["docker_content_digest"].as_str().unwrap().to_owned(),
                },
            )
        })
        .collect()
}

/// The path part of a URL the walk builds for `127.0.0.1:5555`.
fn path(url: &str) -> &str {
    url.strip_prefix("http://127.0.0.1:5555").unwrap()
}

/// Replays the walk of `reference`; returns the rounds as lists of (label, kind).
fn replay(reference: &str) -> Vec<Vec<(String, Kind)>> {
    let registry = recorded();
    let reference = Reference::parse(reference).unwrap();
    let top_url = digestlens::core::distribution::manifest_url(&reference, None);
    let top = &registry[path(&top_url)];
    let hint = media_type_hint(Some(&top.content_type), None);
    let analysis = Analysis::of(&top.bytes, hint.as_ref());
    let v = check(
        &top.bytes,
        &analysis,
        DigestHeader::Present(&top.digest),
        reference.digest(),
        None,
        Target::Manifest,
    );
    assert_eq!(v.trust(), Trust::Verified, "{top_url}");

    let mut walk = Walk::started_with(analysis.digest());
    let mut rounds = vec![vec![(String::new(), analysis.kind)]];
    let mut fetched = vec![(analysis, String::new())];
    loop {
        let parents: Vec<(&Analysis, &str)> = fetched.iter().map(|(a, l)| (a, l.as_str())).collect();
        let round = walk.next_round(&parents);
        assert!(round.skipped.is_empty(), "{:?}", round.skipped);
        if round.steps.is_empty() {
            return rounds;
        }
        fetched = round
            .steps
            .iter()
            .map(|step| {
                let url = step.url(&reference, None);
                let answer = registry
                    .get(path(&url))
                    .unwrap_or_else(|| panic!("the registry never served {url}"));
                let hint = media_type_hint(Some(&answer.content_type), step.media_type.as_ref());
                let analysis = Analysis::of(&answer.bytes, hint.as_ref());
                let v = check(
                    &answer.bytes,
                    &analysis,
                    DigestHeader::Present(&answer.digest),
                    Some(&step.digest),
                    step.declared_size,
                    step.target,
                );
                assert_eq!(v.trust(), Trust::Verified, "{url}: {:?}", v.mismatches());
                (analysis, step.label.clone())
            })
            .collect();
        rounds.push(fetched.iter().map(|(a, l)| (l.clone(), a.kind)).collect());
    }
}

fn labels(round: &[(String, Kind)]) -> Vec<&str> {
    round.iter().map(|(l, _)| l.as_str()).collect()
}

#[test]
fn an_oci_index_is_walked_in_three_rounds_of_siblings() {
    let rounds = replay("127.0.0.1:5555/demo/multi:1");
    assert_eq!(rounds.len(), 3);
    assert_eq!(rounds[0], [(String::new(), Kind::OciIndex)]);
    assert_eq!(labels(&rounds[1]), ["linux/amd64", "linux/arm64", "linux/arm/v7"]);
    assert!(rounds[1].iter().all(|(_, k)| *k == Kind::OciManifest));
    assert_eq!(
        labels(&rounds[2]),
        [
            "config of linux/amd64",
            "config of linux/arm64",
            "config of linux/arm/v7"
        ]
    );
    assert!(rounds[2].iter().all(|(_, k)| *k == Kind::OciConfig));
}

#[test]
fn a_docker_manifest_list_is_walked_the_same_way() {
    let rounds = replay("127.0.0.1:5555/demo/multi-docker:1");
    let kinds: Vec<Vec<Kind>> = rounds
        .iter()
        .map(|r| r.iter().map(|(_, k)| *k).collect())
        .collect();
    assert_eq!(
        kinds,
        [
            vec![Kind::DockerManifestList],
            vec![Kind::DockerManifest; 3],
            vec![Kind::DockerConfig; 3],
        ]
    );
}

#[test]
fn a_single_manifest_takes_two_rounds() {
    for (reference, manifest, config) in [
        ("127.0.0.1:5555/demo/oci:1", Kind::OciManifest, Kind::OciConfig),
        (
            "127.0.0.1:5555/demo/docker:1",
            Kind::DockerManifest,
            Kind::DockerConfig,
        ),
        ("127.0.0.1:5555/demo/zstd:1", Kind::OciManifest, Kind::OciConfig),
    ] {
        let rounds = replay(reference);
        assert_eq!(
            rounds,
            [
                vec![(String::new(), manifest)],
                vec![("config".to_owned(), config)]
            ],
            "{reference}"
        );
    }
}

#[test]
fn one_byte_changed_on_the_way_contradicts_header_and_descriptor() {
    let registry = recorded();
    let answer = &registry
        ["/v2/demo/multi/manifests/sha256:239670da84d124083f58a6e9ab3459791c2d838c6754caa6ed55417b2a5b5c64"];
    let mut bytes = answer.bytes.clone();
    bytes.push(b'\n');
    let requested = answer.digest.parse().unwrap();
    let analysis = Analysis::of(&bytes, None);
    let v = check(
        &bytes,
        &analysis,
        DigestHeader::Present(&answer.digest),
        Some(&requested),
        Some(499),
        Target::Manifest,
    );
    assert_eq!(v.trust(), Trust::Mismatch);
    assert_eq!(v.mismatches().len(), 3, "header, digest asked for, and size");
}
