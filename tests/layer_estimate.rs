//! Uncompressed sizes read from the few bytes a Range request brings, checked against the tools:
//! the layer fixtures (written by GNU tar + gzip/zstd, umoci, skopeo) decompressed by `gzip -dc`
//! and `zstd -dc`, whose byte counts are what `gzip -l` and `zstd -lv` report. A multi-member gzip
//! is made by the gzip tool, as `cat a.gz b.gz` makes one.

use digestlens::core::layer::estimate::{plan, read_answer, EstimateProblem, Plan};
use digestlens::core::layer::Encoding;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn layers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layers")
}

/// `tool args` fed `input` on stdin: its stdout.
fn pipe(tool: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let feed = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&feed));
    let out = child.wait_with_output().expect("tool output");
    writer.join().expect("writer").expect("stdin written");
    assert!(out.status.success(), "{tool} {args:?}");
    out.stdout
}

/// The answer a registry honouring Range gives for `blob`: the planned bytes, status 206.
fn estimate_of(
    blob: &[u8],
    encoding: Encoding,
) -> Result<digestlens::core::layer::compression::SizeEstimate, EstimateProblem> {
    let size = blob.len() as u64;
    match plan(encoding, size)? {
        Plan::Known(estimate) => Ok(estimate),
        Plan::Ask(range) => {
            let body = &blob[range.first as usize..=range.last as usize];
            read_answer(encoding, size, range, 206, body)
        }
    }
}

#[test]
fn gzip_trailers_give_the_size_gzip_dc_writes() {
    for file in [
        "gnu-1.tar.gz",
        "gnu-9.tar.gz",
        "umoci-a.tar.gz",
        "umoci-delete.tar.gz",
    ] {
        let blob = std::fs::read(layers_dir().join(file)).expect("fixture");
        let want = pipe("gzip", &["-dc"], &blob).len() as u64;
        let estimate = estimate_of(&blob, Encoding::Gzip).expect("an estimate");
        assert_eq!((estimate.bytes, estimate.doubtful), (want, false), "{file}");
    }
}

#[test]
fn zstd_frame_headers_give_the_size_zstd_dc_writes() {
    for file in ["gnu.tar.zst", "skopeo-zstd-b.tar.zst"] {
        let blob = std::fs::read(layers_dir().join(file)).expect("fixture");
        let want = pipe("zstd", &["-dc"], &blob).len() as u64;
        let estimate = estimate_of(&blob, Encoding::Zstd).expect("an estimate");
        assert_eq!((estimate.bytes, estimate.doubtful), (want, false), "{file}");
    }
}

#[test]
fn a_zstd_stream_without_its_size_gives_no_estimate() {
    // zstd writes no Frame_Content_Size when it reads a pipe of unknown length and is told not to.
    let tar = std::fs::read(layers_dir().join("gnu.tar")).expect("fixture");
    let blob = pipe("zstd", &["-c", "--no-content-size"], &tar);
    assert_eq!(
        estimate_of(&blob, Encoding::Zstd),
        Err(EstimateProblem::NoContentSize)
    );
}

#[test]
fn a_multi_member_gzip_whose_last_member_is_small_is_flagged_as_doubtful() {
    // A first member of already compressed bytes (they do not shrink), a few KiB.
    let mut content = Vec::new();
    for file in [
        "gnu-1.tar.gz",
        "gnu-9.tar.gz",
        "gnu.tar.zst",
        "umoci-a.tar.gz",
        "umoci-b.tar.gz",
    ] {
        content.extend(std::fs::read(layers_dir().join(file)).expect("fixture"));
    }
    let mut blob = pipe("gzip", &["-c", "-n"], &content);
    let small = pipe("gzip", &["-c", "-n"], b"a second member\n");
    blob.extend_from_slice(&small);
    let total = pipe("gzip", &["-dc"], &blob).len() as u64;
    let estimate = estimate_of(&blob, Encoding::Gzip).expect("a number, flagged");
    assert_eq!(estimate.bytes, 16, "ISIZE of the last member only");
    assert_ne!(estimate.bytes, total);
    assert!(estimate.doubtful);
    assert!(estimate
        .caveat
        .unwrap_or_default()
        .contains("several gzip members"));
}

#[test]
fn an_uncompressed_tar_is_its_own_size_without_asking() {
    let tar = std::fs::read(layers_dir().join("gnu.tar")).expect("fixture");
    let size = tar.len() as u64;
    assert!(matches!(plan(Encoding::Tar, size), Ok(Plan::Known(e)) if e.bytes == size));
}
