//! Benchmark (run by hand, not a test): what listing a layer's tar costs on top of verifying it.
//!
//!   cargo run --release --example layer_list_bench [MiB of tar, default 1024] [runs, default 3]
//!
//! A gzip layer is generated in memory (files of 1 KiB to 4 MiB, half pseudo-random bytes, half
//! repeated text, like a layer of binaries and text files; compressed by flate2 at level 1), then
//! verified three ways by `BlobVerifier`, the same code the page's worker runs:
//!   - verify:            blob sha256 + gunzip + content sha256 (the diff_id), no listing;
//!   - verify+list:       the same, listing every entry (no per-file digest);
//!   - verify+list+sha:   the same, with each regular file's sha256 (a second hash of the content).
//!
//! It prints the best time of each, the ratios to plain verification, and the process's peak RSS
//! (VmHWM) before and after listing: the listing keeps only its entries, so the peak should not move.

#[path = "../tests/common/splitmix.rs"]
mod splitmix;

use digestlens::core::layer::tar::ListOptions;
use digestlens::core::layer::{BlobVerifier, Decoding, Encoding, LayerClaim, DEFAULT_UNCOMPRESSED_CAP};
use flate2::write::GzEncoder;
use flate2::Compression;
use splitmix::SplitMix;
use std::io::Write;
use std::time::{Duration, Instant};

const MIB: usize = 1 << 20;

/// A ustar header for a regular file (checksum computed as POSIX says).
fn header(name: &str, size: usize) -> [u8; 512] {
    let mut block = [0u8; 512];
    block[..name.len()].copy_from_slice(name.as_bytes());
    block[100..108].copy_from_slice(b"0000644\0");
    block[108..116].copy_from_slice(b"0000000\0");
    block[116..124].copy_from_slice(b"0000000\0");
    block[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    block[136..148].copy_from_slice(b"14544762000\0");
    block[156] = b'0';
    block[257..263].copy_from_slice(b"ustar\0");
    block[263..265].copy_from_slice(b"00");
    block[148..156].copy_from_slice(b"        ");
    let sum: u32 = block.iter().map(|&b| u32::from(b)).sum();
    block[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    block
}

fn make_layer(tar_mib: usize) -> (Vec<u8>, usize, usize) {
    let mut random = SplitMix(42);
    let text = b"the quick brown fox jumps over the lazy dog; ".repeat(100_000);
    let mut gz = GzEncoder::new(Vec::new(), Compression::new(1));
    let (mut written, mut files) = (0, 0);
    while written < tar_mib * MIB {
        let size = 1024 + random.below(4 * MIB);
        let name = format!("usr/lib/bench/{:03}/file-{files}.bin", files % 100);
        let mut content = random.bytes(size / 2);
        content.extend_from_slice(&text[..size - size / 2]);
        gz.write_all(&header(&name, size)).unwrap();
        gz.write_all(&content).unwrap();
        gz.write_all(&vec![0; (512 - size % 512) % 512]).unwrap();
        written += 512 + size.div_ceil(512) * 512;
        files += 1;
    }
    gz.write_all(&[0; 1024]).unwrap();
    (gz.finish().unwrap(), written + 1024, files)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn run(blob: &[u8], listing: Option<ListOptions>) -> (Duration, usize) {
    let started = Instant::now();
    let mut verifier = BlobVerifier::new(
        &LayerClaim::default(),
        Decoding::Known(Encoding::Gzip),
        DEFAULT_UNCOMPRESSED_CAP,
    );
    if let Some(options) = listing {
        verifier = verifier.with_listing(options);
    }
    for chunk in blob.chunks(MIB) {
        verifier.feed(chunk);
    }
    let (report, listed) = verifier.finish_listed();
    std::hint::black_box(&report);
    (started.elapsed(), listed.map_or(0, |l| l.entries.len()))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let tar_mib: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1024);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let (blob, tar_len, files) = make_layer(tar_mib);
    println!(
        "layer: {files} files, tar {:.0} MiB, gzip blob {:.0} MiB",
        tar_len as f64 / MIB as f64,
        blob.len() as f64 / MIB as f64
    );
    let modes = [
        ("verify", None),
        (
            "verify+list",
            Some(ListOptions {
                file_digests: false,
                ..ListOptions::default()
            }),
        ),
        ("verify+list+sha", Some(ListOptions::default())),
    ];
    let rss_before = peak_rss_mib();
    // Modes take turns within each run, so a machine busy with other work slows them alike.
    let mut best = vec![Duration::MAX; modes.len()];
    let mut entries = vec![0; modes.len()];
    for _ in 0..runs {
        for (i, (_, options)) in modes.iter().enumerate() {
            let (time, listed) = run(&blob, *options);
            best[i] = best[i].min(time);
            entries[i] = listed;
        }
    }
    for (i, (name, _)) in modes.iter().enumerate() {
        let (fastest, entries) = (best[i], entries[i]);
        println!(
            "{name:<18} best {:>7.3} s  ({:.0} MiB/s of tar)  entries listed {entries}",
            fastest.as_secs_f64(),
            tar_len as f64 / MIB as f64 / fastest.as_secs_f64()
        );
    }
    let base = best[0].as_secs_f64();
    println!(
        "ratios to verify: list {:.3}x, list+sha {:.3}x",
        best[1].as_secs_f64() / base,
        best[2].as_secs_f64() / base
    );
    println!(
        "peak RSS: {rss_before:.0} MiB after generating the blob, {:.0} MiB after all runs",
        peak_rss_mib()
    );
}
