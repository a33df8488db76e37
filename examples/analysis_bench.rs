//! Times `Analysis::of` natively on a typical manifest and a 4 MiB document (see README: Speed).
//! Run: `cargo run --release --example analysis_bench`
use digestlens::core::document::Analysis;
use std::time::Instant;

fn time(name: &str, bytes: &[u8], runs: u32) {
    let started = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(Analysis::of(std::hint::black_box(bytes), None));
    }
    let per = started.elapsed() / runs;
    println!(
        "{name:<40} {:>10} bytes {:>10.3} ms",
        bytes.len(),
        per.as_secs_f64() * 1e3
    );
}

fn main() {
    let manifest = include_bytes!("../tests/fixtures/registry/demo-oci/manifest.json");
    time("typical manifest (demo/oci:1)", manifest, 2000);
    let padding = "x".repeat(4 * 1024 * 1024 - 14);
    time(
        "4 MiB document (one long string)",
        format!("{{\"padding\":\"{padding}\"}}").as_bytes(),
        20,
    );
    let layers: Vec<String> = (0..30_000)
        .map(|i| format!("{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:{i:064x}\",\"size\":{i}}}"))
        .collect();
    let many = format!(
        "{{\"schemaVersion\":2,\"config\":{{}},\"layers\":[{}]}}",
        layers.join(",")
    );
    time("manifest with 30,000 layers", many.as_bytes(), 5);
}
