//! How long the family map of a big multi-platform image takes natively: analysing the documents,
//! building the family and laying it out (folded as the page first shows it, and fully opened).
//!
//!   cargo run --release --example map_bench [platforms] [layers per platform]
//!
//! The image is generated: an index of N platforms, each manifest with L layers and a config with
//! L diff_ids, every document loaded (1 + 2N documents, N * (L + 1) + N descriptors).

use digestlens::core::digest::Digest;
use digestlens::core::document::Analysis;
use digestlens::core::graph::{Family, Member};
use digestlens::core::layout::{layout, Fold, GroupKey, Limits};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::{Duration, Instant};

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// The index first, then each platform's manifest and config.
fn generate(platforms: usize, layers: usize) -> Vec<(String, Vec<u8>)> {
    let mut docs = Vec::new();
    let mut entries = Vec::new();
    for p in 0..platforms {
        let diff_ids: Vec<String> = (0..layers)
            .map(|l| Digest::sha256(format!("diff {p} {l}").as_bytes()).to_string())
            .collect();
        let config = bytes(&json!({"architecture": format!("arch{p}"), "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": diff_ids}}));
        let blobs: Vec<Value> = (0..layers)
            .map(|l| {
                json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": Digest::sha256(format!("blob {p} {l}").as_bytes()).to_string(), "size": 1000 + l})
            })
            .collect();
        let manifest = bytes(
            &json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": Digest::sha256(&config).to_string(), "size": config.len()},
            "layers": blobs}),
        );
        entries.push(json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": Digest::sha256(&manifest).to_string(), "size": manifest.len(),
            "platform": {"os": "linux", "architecture": format!("arch{p}")}}));
        docs.push((format!("manifest-{p}.json"), manifest));
        docs.push((format!("config-{p}.json"), config));
    }
    let index = bytes(
        &json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries}),
    );
    docs.insert(0, ("index.json".to_owned(), index));
    docs
}

/// The median run: the machine may be shared, so single runs vary.
fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs.get(runs.len() / 2).copied().unwrap_or_default()
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = f();
    for _ in 0..runs {
        let start = Instant::now();
        last = f();
        times.push(start.elapsed());
    }
    (median(times), last)
}

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let platforms = args.next().and_then(Result::ok).unwrap_or(100);
    let layers = args.next().and_then(Result::ok).unwrap_or(9);
    let docs = generate(platforms, layers);
    let runs = 21;

    let (analyse, analyses) = time(runs, || {
        docs.iter()
            .map(|(_, b)| Analysis::of(b, None))
            .collect::<Vec<_>>()
    });
    let members: Vec<Member<'_>> = docs
        .iter()
        .zip(&analyses)
        .map(|((name, bytes), analysis)| Member {
            name,
            bytes,
            analysis,
        })
        .collect();
    let (build, family) = time(runs, || Family::build(&members));
    let (folded, folded_layout) = time(runs, || layout(&family, Limits::default(), &HashSet::new()));
    let everything: HashSet<GroupKey> = family
        .nodes
        .iter()
        .flat_map(|n| {
            [Fold::Entries, Fold::Layers].map(|fold| GroupKey {
                parent: n.key.clone(),
                fold,
            })
        })
        .collect();
    let (open, open_layout) = time(runs, || layout(&family, Limits::default(), &everything));

    let descriptors: usize = analyses.iter().map(|a| a.descriptors().len()).sum();
    println!(
        "{platforms} platforms x {layers} layers: {} documents, {descriptors} descriptors, {} nodes, {} edges (median of {runs} runs)",
        docs.len(),
        family.nodes.len(),
        family.edges.len()
    );
    println!("analyse every document      {analyse:>10.2?}");
    println!("build the family            {build:>10.2?}");
    println!(
        "lay out, folded             {folded:>10.2?}  ({} boxes, {} edges)",
        folded_layout.boxes.len(),
        folded_layout.edges.len()
    );
    println!(
        "lay out, every group open   {open:>10.2?}  ({} boxes, {} edges)",
        open_layout.boxes.len(),
        open_layout.edges.len()
    );
    println!("build + folded layout       {:>10.2?}", build + folded);
}
