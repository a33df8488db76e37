//! Native throughput of what the page does to a layer blob, for comparison with the browser
//! (tests/e2e/bench/blob-bench.mjs runs this on the same file and prints both).
//!
//! ```text
//! cargo run --release --example sha_bench -- <blob>                       # sha2 as built (SHA-NI if the CPU has it)
//! RUSTFLAGS='--cfg sha2_backend="soft"' cargo run --release --example sha_bench -- <blob>   # portable Rust sha2
//! ```
//!
//! The file is read into memory first, so only hashing and decompression are timed: sha256 fed in
//! 64 KiB updates (as `Digest::sha256` does), then the whole layer check (`BlobVerifier`: blob
//! digest plus, for a gzip or zstd file, decompression and the content digest) fed 1 MiB chunks.
//! Prints one JSON object: the best of `--runs` (default 3) for each, in MB/s (10^6 bytes/s).

use digestlens::core::digest::Hasher;
use digestlens::core::layer::{BlobVerifier, Decoding, LayerClaim, DEFAULT_UNCOMPRESSED_CAP};
use std::time::Instant;

fn best_seconds(runs: u32, mut run: impl FnMut()) -> f64 {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut path, mut runs) = (None, 3);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(runs),
            _ => path = Some(arg),
        }
    }
    let Some(path) = path else {
        eprintln!("usage: sha_bench <blob file> [--runs N]");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        std::process::exit(1);
    });
    let mb = bytes.len() as f64 / 1e6;

    let mut digest = String::new();
    let sha = best_seconds(runs, || {
        let mut hasher = Hasher::sha256();
        hasher.update(std::hint::black_box(&bytes));
        digest = hasher.finalize().to_string();
    });

    let mut content = String::new();
    let verify = best_seconds(runs, || {
        let mut verifier =
            BlobVerifier::new(&LayerClaim::default(), Decoding::Sniff, DEFAULT_UNCOMPRESSED_CAP);
        for chunk in bytes.chunks(1 << 20) {
            verifier.feed(chunk);
        }
        let report = verifier.finish();
        content = match report.content.map(|c| c.result) {
            Some(Ok(u)) => format!("{} ({} bytes)", u.digest, u.size),
            Some(Err(e)) => e.to_string(),
            None => String::new(),
        };
    });

    println!(
        "{{\"file\":{path:?},\"bytes\":{},\"sha256\":\"{digest}\",\"sha256_mb_s\":{:.1},\
         \"verify_mb_s\":{:.1},\"content\":{content:?}}}",
        bytes.len(),
        mb / sha,
        mb / verify
    );
}
