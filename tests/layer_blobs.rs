//! Layer blobs verified as streams: the blob digest must equal the Docker-Content-Digest a real
//! registry (distribution 2.8.2) sent for them, and the uncompressed digest must equal what
//! `gzip -dc | sha256sum` / `zstd -dc | sha256sum` printed (both recorded by `scripts/make-fixtures`
//! in `tests/fixtures/registry/fixtures.json`). The layers were written by umoci (gzip) and
//! recompressed by skopeo (zstd). Bigger streams are made in the test by the `gzip` and `zstd`
//! tools themselves, and their expected digests come from `sha256sum`.
//!
//! Every stream is fed in chunks of random sizes, so a result cannot depend on where the chunk
//! boundaries fall. Damaged copies (a flipped byte, a cut, bytes appended) prove each error path
//! has its own name.

use digestlens::core::digest::Digest;
use digestlens::core::layer::diff::not_the_blob_asked;
use digestlens::core::layer::{
    check, measured_chain_ids, BlobReport, BlobVerifier, ContentError, Decoding, Encoding, Flow, LayerClaim,
    Note, Problem, Verdict, DEFAULT_UNCOMPRESSED_CAP,
};
use serde::Deserialize;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn registry_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registry")
}

#[derive(Deserialize)]
struct Index {
    files: Vec<File>,
}

#[derive(Deserialize)]
struct File {
    path: String,
    role: String,
    docker_content_digest: String,
    size: u64,
    media_type: Option<String>,
    diff_id: Option<String>,
    uncompressed_sha256: Option<String>,
    chain_ids: Option<Vec<String>>,
}

/// A layer fixture: its bytes and what the registry, the config and the tools say about it.
struct Layer {
    path: String,
    bytes: Vec<u8>,
    claim: LayerClaim,
    /// `gzip -dc | sha256sum` or `zstd -dc | sha256sum`.
    uncompressed: Digest,
}

fn digest(text: &str) -> Digest {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is not a digest: {e}"))
}

fn index() -> Index {
    let bytes = fs::read(registry_dir().join("fixtures.json")).expect("fixtures.json is readable");
    serde_json::from_slice(&bytes).expect("fixtures.json has the make-fixtures layout")
}

fn layers() -> Vec<Layer> {
    let layers: Vec<Layer> = index()
        .files
        .into_iter()
        .filter(|f| f.role == "layer")
        .map(|f| Layer {
            bytes: fs::read(registry_dir().join(&f.path)).expect("layer file is readable"),
            claim: LayerClaim {
                media_type: f.media_type.clone(),
                digest: Some(digest(&f.docker_content_digest)),
                size: Some(f.size),
                diff_id: f.diff_id.as_deref().map(digest),
            },
            uncompressed: digest(
                f.uncompressed_sha256
                    .as_deref()
                    .expect("layers record uncompressed_sha256"),
            ),
            path: f.path,
        })
        .collect();
    assert!(
        layers.len() >= 6,
        "expected the gzip and zstd layers of every demo image"
    );
    layers
}

fn layer(path: &str) -> Layer {
    layers()
        .into_iter()
        .find(|l| l.path == path)
        .expect("fixture layer exists")
}

/// xorshift64*: deterministic chunk sizes, different for every seed.
struct Chunks(u64);

impl Chunks {
    fn next_len(&mut self, max: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % max + 1
    }
}

/// Feeds `bytes` in random chunks of 1..=`max_chunk` bytes and returns the report.
fn verify_chunked(
    bytes: &[u8],
    claim: &LayerClaim,
    decoding: Decoding,
    cap: u64,
    seed: u64,
    max_chunk: usize,
) -> BlobReport {
    let mut verifier = BlobVerifier::new(claim, decoding, cap);
    let mut chunks = Chunks(seed | 1);
    let mut rest = bytes;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(chunks.next_len(max_chunk).min(rest.len()));
        if verifier.feed(chunk) == Flow::Enough {
            break;
        }
        rest = tail;
    }
    verifier.finish()
}

fn verify(bytes: &[u8], claim: &LayerClaim) -> BlobReport {
    verify_chunked(bytes, claim, claim.decoding(), DEFAULT_UNCOMPRESSED_CAP, 7, 64)
}

fn uncompressed_digest(report: &BlobReport) -> Option<&Digest> {
    report.content.as_ref()?.result.as_ref().ok().map(|u| &u.digest)
}

fn slugs(problems: &[Problem]) -> Vec<&'static str> {
    problems.iter().map(Problem::slug).collect()
}

#[test]
fn registry_layers_match_the_registry_digest_and_the_tools_uncompressed_digest_in_any_chunking() {
    for layer in layers() {
        for (seed, max_chunk) in [(1, 1), (2, 3), (3, 17), (4, 64), (5, 1 << 20)] {
            let report = verify_chunked(
                &layer.bytes,
                &layer.claim,
                layer.claim.decoding(),
                DEFAULT_UNCOMPRESSED_CAP,
                seed,
                max_chunk,
            );
            let what = format!("{} in chunks of up to {max_chunk}", layer.path);
            assert_eq!(
                report.digest.as_ref(),
                layer.claim.digest.as_ref(),
                "{what}: blob digest"
            );
            assert_eq!(report.size, layer.bytes.len() as u64, "{what}: size");
            assert_eq!(
                uncompressed_digest(&report),
                Some(&layer.uncompressed),
                "{what}: uncompressed"
            );
            let result = check(&layer.claim, &report);
            assert_eq!(result.verdict, Verdict::Verified, "{what}: {:?}", result.problems);
            assert!(
                result.problems.is_empty() && result.notes.is_empty(),
                "{what}: {result:?}"
            );
        }
    }
}

#[test]
fn the_encoding_named_by_the_media_type_is_used() {
    for layer in layers() {
        let report = verify(&layer.bytes, &layer.claim);
        let expected = if layer.path.ends_with(".zst") {
            Encoding::Zstd
        } else {
            Encoding::Gzip
        };
        assert_eq!(
            report.content.map(|c| c.encoding),
            Some(expected),
            "{}",
            layer.path
        );
    }
}

#[test]
fn files_of_unknown_origin_are_sniffed_and_decoded() {
    for layer in layers() {
        let claim = LayerClaim::default();
        assert_eq!(claim.decoding(), Decoding::Sniff);
        let report = verify_chunked(
            &layer.bytes,
            &claim,
            Decoding::Sniff,
            DEFAULT_UNCOMPRESSED_CAP,
            11,
            3,
        );
        assert_eq!(
            report.digest.as_ref(),
            layer.claim.digest.as_ref(),
            "{}",
            layer.path
        );
        assert_eq!(
            uncompressed_digest(&report),
            Some(&layer.uncompressed),
            "{}",
            layer.path
        );
        let result = check(&claim, &report);
        assert_eq!(result.verdict, Verdict::Verified);
        assert_eq!(result.notes, [Note::NoBlobDigest, Note::NoDiffId]);
    }
}

#[test]
fn chain_ids_recomputed_from_the_measured_content_match_the_ones_computed_with_sha256sum() {
    for config in index().files.iter().filter(|f| f.role == "config") {
        let dir = Path::new(&config.path)
            .parent()
            .expect("config sits in an image directory");
        let mut image_layers: Vec<Layer> = layers()
            .into_iter()
            .filter(|l| Path::new(&l.path).parent() == Some(dir))
            .collect();
        image_layers.sort_by(|a, b| a.path.cmp(&b.path));
        let measured: Vec<Option<Digest>> = image_layers
            .iter()
            .map(|l| uncompressed_digest(&verify(&l.bytes, &l.claim)).cloned())
            .collect();
        let refs: Vec<Option<&Digest>> = measured.iter().map(Option::as_ref).collect();
        let expected: Vec<Digest> = config.chain_ids.iter().flatten().map(|c| digest(c)).collect();
        assert_eq!(measured_chain_ids(&refs), expected, "{}", config.path);
    }
}

#[test]
fn a_gap_in_the_measured_layers_stops_the_chain() {
    let a = layer("demo-oci/layer-0.tar.gz").uncompressed;
    let b = layer("demo-oci/layer-1.tar.gz").uncompressed;
    assert_eq!(measured_chain_ids(&[Some(&a), None, Some(&b)]), [a]);
}

#[test]
fn a_plain_tar_layer_is_its_own_content() {
    // The tar inside the gzip fixture; its sha256 is the one `gzip -dc | sha256sum` printed.
    let gz = layer("demo-oci/layer-0.tar.gz");
    let mut tar = Vec::new();
    std::io::copy(&mut flate2::read::GzDecoder::new(gz.bytes.as_slice()), &mut tar)
        .expect("fixture inflates");
    let claim = LayerClaim {
        media_type: Some("application/vnd.oci.image.layer.v1.tar".into()),
        digest: Some(gz.uncompressed.clone()),
        size: Some(tar.len() as u64),
        diff_id: Some(gz.uncompressed.clone()),
    };
    let report = verify(&tar, &claim);
    assert_eq!(report.digest.as_ref(), Some(&gz.uncompressed));
    assert_eq!(uncompressed_digest(&report), Some(&gz.uncompressed));
    assert_eq!(check(&claim, &report).verdict, Verdict::Verified);
    // A tar is a sequence of 512-byte records (POSIX pax/ustar).
    assert_eq!(
        report.content.and_then(|c| c.result.ok()).map(|u| u.size % 512),
        Some(0)
    );
}

#[test]
fn a_flipped_byte_is_a_digest_mismatch_and_names_the_damage() {
    for path in ["demo-oci/layer-0.tar.gz", "demo-zstd/layer-0.tar.zst"] {
        let layer = layer(path);
        let mut bytes = layer.bytes.clone();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x55;
        let result = check(&layer.claim, &verify(&bytes, &layer.claim));
        assert_eq!(result.verdict, Verdict::Mismatch, "{path}: {:?}", result.problems);
        let names = slugs(&result.problems);
        assert_eq!(names.first(), Some(&"digest-mismatch"), "{path}: {names:?}");
        let damage = if path.ends_with(".zst") {
            "corrupt-zstd"
        } else {
            "corrupt-gzip"
        };
        assert!(
            names.contains(&damage) || names.contains(&"diff-id-mismatch"),
            "{path}: the content damage is named too: {names:?}"
        );
    }
}

#[test]
fn a_damaged_gzip_crc_is_named_even_when_the_data_inflates() {
    let layer = layer("demo-oci/layer-1.tar.gz");
    let mut bytes = layer.bytes.clone();
    let crc_at = bytes.len() - 8;
    bytes[crc_at] ^= 0xff;
    let report = verify(
        &bytes,
        &LayerClaim {
            size: Some(bytes.len() as u64),
            ..layer.claim.clone()
        },
    );
    match report.content.map(|c| c.result) {
        Some(Err(ContentError::Corrupt { encoding, at, reason })) => {
            assert_eq!(encoding, Encoding::Gzip);
            assert_eq!(at, crc_at as u64, "the trailer's offset");
            assert!(reason.contains("CRC-32"), "{reason}");
        }
        other => panic!("expected a CRC error, got {other:?}"),
    }
}

#[test]
fn a_cut_blob_is_a_truncated_blob_and_a_truncated_stream() {
    for path in ["demo-oci/layer-0.tar.gz", "demo-zstd/layer-0.tar.zst"] {
        let layer = layer(path);
        let cut = &layer.bytes[..layer.bytes.len() - 10];
        let result = check(&layer.claim, &verify(cut, &layer.claim));
        assert_eq!(result.verdict, Verdict::Error, "{path}");
        assert_eq!(
            slugs(&result.problems),
            ["truncated-blob", "truncated-stream"],
            "{path}"
        );
        assert!(result.problems[0]
            .to_string()
            .contains(&format!("only {} arrived", cut.len())));
    }
}

#[test]
fn a_cut_stream_without_a_declared_size_is_still_named() {
    for (path, encoding) in [
        ("demo-oci/layer-1.tar.gz", Encoding::Gzip),
        ("demo-zstd/layer-1.tar.zst", Encoding::Zstd),
    ] {
        let layer = layer(path);
        for keep in [0, 1, 5, 11, layer.bytes.len() / 2, layer.bytes.len() - 1] {
            let claim = LayerClaim {
                media_type: layer.claim.media_type.clone(),
                ..LayerClaim::default()
            };
            let report = verify(&layer.bytes[..keep], &claim);
            assert_eq!(
                report.content.map(|c| c.result),
                Some(Err(ContentError::Truncated { encoding })),
                "{path} cut to {keep} bytes"
            );
        }
    }
}

#[test]
fn a_blob_longer_than_its_descriptor_stops_at_one_byte_too_many() {
    let layer = layer("demo-oci/layer-0.tar.gz");
    let mut bytes = layer.bytes.clone();
    bytes.extend_from_slice(&[0; 4096]);
    let mut verifier = BlobVerifier::new(&layer.claim, layer.claim.decoding(), DEFAULT_UNCOMPRESSED_CAP);
    let flows: Vec<Flow> = bytes.chunks(100).map(|c| verifier.feed(c)).collect();
    assert_eq!(flows.last(), Some(&Flow::Enough));
    let result = check(&layer.claim, &verifier.finish());
    assert_eq!(slugs(&result.problems), ["wrong-size"]);
    assert_eq!(result.verdict, Verdict::Error);
}

#[test]
fn bytes_after_the_end_of_the_stream_are_named() {
    for path in ["demo-oci/layer-0.tar.gz", "demo-zstd/layer-0.tar.zst"] {
        let layer = layer(path);
        for tail in [&[0u8][..], &[0, 0, 0], &[0; 64]] {
            let mut bytes = layer.bytes.clone();
            bytes.extend_from_slice(tail);
            let claim = LayerClaim {
                media_type: layer.claim.media_type.clone(),
                diff_id: layer.claim.diff_id.clone(),
                ..LayerClaim::default()
            };
            match verify(&bytes, &claim).content.map(|c| c.result) {
                Some(Err(ContentError::Corrupt { reason, at, .. })) => {
                    assert!(reason.contains("follow the end"), "{path}: {reason}");
                    assert_eq!(at, layer.bytes.len() as u64, "{path}: offset of the extra bytes");
                }
                other => panic!("{path} + {} bytes: {other:?}", tail.len()),
            }
        }
    }
}

#[test]
fn decompressed_output_over_the_cap_stops_with_a_named_error() {
    for path in ["demo-oci/layer-0.tar.gz", "demo-zstd/layer-0.tar.zst"] {
        let layer = layer(path);
        let report = verify_chunked(&layer.bytes, &layer.claim, layer.claim.decoding(), 1000, 3, 50);
        assert_eq!(
            report.digest.as_ref(),
            layer.claim.digest.as_ref(),
            "the blob digest is still known"
        );
        let result = check(&layer.claim, &report);
        assert_eq!(slugs(&result.problems), ["over-cap"], "{path}");
        assert_eq!(result.verdict, Verdict::Error);
        assert!(
            result.problems[0].to_string().contains("1000 bytes"),
            "{}",
            result.problems[0]
        );
    }
}

#[test]
fn a_zstd_blob_under_a_gzip_media_type_says_what_it_is() {
    let zst = layer("demo-zstd/layer-0.tar.zst");
    let claim = LayerClaim {
        media_type: Some("application/vnd.oci.image.layer.v1.tar+gzip".into()),
        ..zst.claim.clone()
    };
    let result = check(&claim, &verify(&zst.bytes, &claim));
    assert_eq!(slugs(&result.problems), ["corrupt-gzip"]);
    let message = result.problems[0].to_string();
    assert!(
        message.contains("28 b5") && message.contains("it is zstd"),
        "{message}"
    );
}

#[test]
fn unknown_media_types_get_the_digest_checked_and_say_so() {
    let layer = layer("demo-oci/layer-0.tar.gz");
    let claim = LayerClaim {
        media_type: Some("application/vnd.example.sbom+json".into()),
        diff_id: None,
        ..layer.claim.clone()
    };
    assert_eq!(claim.decoding(), Decoding::None);
    let report = verify(&layer.bytes, &claim);
    assert_eq!(report.content, None);
    let result = check(&claim, &report);
    assert_eq!(result.verdict, Verdict::Verified);
    assert!(
        matches!(&result.notes[..], [Note::DigestOnly { media_type }] if media_type == "application/vnd.example.sbom+json")
    );
}

#[test]
fn non_distributable_layers_are_decoded_and_flagged() {
    let layer = layer("demo-oci/layer-0.tar.gz");
    for media_type in [
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    ] {
        let claim = LayerClaim {
            media_type: Some(media_type.into()),
            ..layer.claim.clone()
        };
        let result = check(&claim, &verify(&layer.bytes, &claim));
        assert_eq!(result.verdict, Verdict::Verified, "{media_type}");
        assert_eq!(result.notes, [Note::NonDistributable]);
        assert!(Note::NonDistributable.to_string().contains("usually"));
    }
}

#[test]
fn a_wrong_diff_id_is_a_mismatch() {
    let a = layer("demo-oci/layer-0.tar.gz");
    let b = layer("demo-oci/layer-1.tar.gz");
    let claim = LayerClaim {
        diff_id: b.claim.diff_id.clone(),
        ..a.claim.clone()
    };
    let result = check(&claim, &verify(&a.bytes, &claim));
    assert_eq!(result.verdict, Verdict::Mismatch);
    assert_eq!(
        result.problems,
        [Problem::DiffIdMismatch {
            expected: b.uncompressed,
            actual: a.uncompressed,
        }]
    );
}

#[test]
fn a_digest_this_page_cannot_compute_is_named_not_passed() {
    let layer = layer("demo-oci/layer-0.tar.gz");
    let claim = LayerClaim {
        digest: Some(digest("blake3:0123456789abcdef")),
        ..layer.claim.clone()
    };
    let result = check(&claim, &verify(&layer.bytes, &claim));
    assert_eq!(slugs(&result.problems), ["uncheckable-algorithm"]);
    assert_eq!(result.verdict, Verdict::Error);
}

#[test]
fn gzip_headers_with_optional_fields_are_skipped() {
    // RFC 1952 §2.3: FEXTRA (2-byte length + data), FNAME and FCOMMENT (zero-terminated) and
    // FHCRC (low 16 bits of the header's CRC-32) follow the fixed header in that order. They are
    // added to umoci's header here; the content, and so `gzip -dc | sha256sum`, stays the same.
    let layer = layer("demo-oci/layer-0.tar.gz");
    let (fixed, rest) = layer.bytes.split_at(10);
    let mut header = fixed.to_vec();
    header[3] |= 0x02 | 0x04 | 0x08 | 0x10;
    header.extend_from_slice(&[6, 0, b'D', b'L', 2, 0, 0xaa, 0xbb]);
    header.extend_from_slice(b"layer.tar\0");
    header.extend_from_slice(b"made for a test\0");
    let mut crc = flate2::Crc::new();
    crc.update(&header);
    header.extend_from_slice(&(crc.sum() as u16).to_le_bytes());
    let bytes = [header, rest.to_vec()].concat();
    let claim = LayerClaim {
        media_type: layer.claim.media_type.clone(),
        diff_id: layer.claim.diff_id.clone(),
        ..LayerClaim::default()
    };
    for max_chunk in [1, 2, 7, 4096] {
        let report = verify_chunked(
            &bytes,
            &claim,
            claim.decoding(),
            DEFAULT_UNCOMPRESSED_CAP,
            9,
            max_chunk,
        );
        assert_eq!(
            uncompressed_digest(&report),
            Some(&layer.uncompressed),
            "chunks of {max_chunk}"
        );
    }
}

/// Runs `tool args` with `input` on stdin and returns its stdout.
fn run(tool: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{tool} must be installed for this test (Debian: apt-get install {tool}): {e}")
        });
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("tool runs");
    writer
        .join()
        .expect("writer thread")
        .expect("tool reads its input");
    assert!(output.status.success(), "{tool} {args:?} failed");
    output.stdout
}

/// `sha256sum` of `bytes`, as coreutils prints it.
fn sha256sum(bytes: &[u8]) -> Digest {
    let out = String::from_utf8(run("sha256sum", &[], bytes)).expect("sha256sum prints text");
    digest(&format!(
        "sha256:{}",
        out.split_whitespace().next().expect("sha256sum prints a hash")
    ))
}

/// 3 MiB that compress to several hundred KiB: runs of text mixed with pseudo-random bytes,
/// so deflate emits many blocks and zstd many blocks in a multi-MiB window.
fn mixed_content() -> Vec<u8> {
    let mut chunks = Chunks(0x9e37_79b9_7f4a_7c15);
    let mut bytes = Vec::with_capacity(3 << 20);
    while bytes.len() < 3 << 20 {
        if chunks.next_len(2) == 1 {
            let n = chunks.next_len(4000);
            bytes.extend((0..n).map(|_| chunks.next_len(256) as u8));
        } else {
            let n = chunks.next_len(300);
            bytes.extend(b"usr/lib/x86_64-linux-gnu/libc.so.6 ".iter().cycle().take(n));
        }
    }
    bytes
}

#[test]
fn streams_made_by_the_gzip_and_zstd_tools_decode_in_any_chunking() {
    let content = mixed_content();
    let diff_id = sha256sum(&content);
    for (tool, args, media_type) in [
        (
            "gzip",
            &["-c", "-6"][..],
            "application/vnd.oci.image.layer.v1.tar+gzip",
        ),
        (
            "zstd",
            &["-c", "-q", "-19", "--long=24"][..],
            "application/vnd.oci.image.layer.v1.tar+zstd",
        ),
        (
            "zstd",
            &["-c", "-q", "-3", "--no-check"][..],
            "application/vnd.oci.image.layer.v1.tar+zstd",
        ),
    ] {
        let blob = run(tool, args, &content);
        let claim = LayerClaim {
            media_type: Some(media_type.into()),
            digest: Some(sha256sum(&blob)),
            size: Some(blob.len() as u64),
            diff_id: Some(diff_id.clone()),
        };
        for (seed, max_chunk) in [(21, 1 << 10), (22, 70_000), (23, 1 << 20), (24, 5 << 20)] {
            let report = verify_chunked(
                &blob,
                &claim,
                claim.decoding(),
                DEFAULT_UNCOMPRESSED_CAP,
                seed,
                max_chunk,
            );
            let result = check(&claim, &report);
            assert_eq!(
                result.verdict,
                Verdict::Verified,
                "{tool} {args:?}, chunks ≤ {max_chunk}: {:?}",
                result.problems
            );
            assert_eq!(result.uncompressed.map(|u| u.size), Some(content.len() as u64));
        }
    }
}

#[test]
fn concatenated_members_and_frames_are_one_stream_as_the_tools_read_them() {
    // `cat a b | gzip -dc | sha256sum` and `cat a b | zstd -dc | sha256sum` both print f9b05a8a…
    // for these two layers (the two tars one after the other).
    let expected = digest("sha256:f9b05a8aff40dad254188e96b8702710e726c9876538f167455c366eb62ac567");
    for dir in ["demo-oci/layer-{}.tar.gz", "demo-zstd/layer-{}.tar.zst"] {
        let a = layer(&dir.replace("{}", "0"));
        let b = layer(&dir.replace("{}", "1"));
        let claim = LayerClaim {
            media_type: a.claim.media_type.clone(),
            ..LayerClaim::default()
        };
        let bytes = [a.bytes, b.bytes].concat();
        assert_eq!(
            uncompressed_digest(&verify(&bytes, &claim)),
            Some(&expected),
            "{dir}"
        );
    }
}

#[test]
fn skippable_zstd_frames_are_skipped() {
    // RFC 8878 §3.1.2: magic 0x184D2A5?, a 4-byte length, then that many bytes to ignore.
    let layer = layer("demo-zstd/layer-1.tar.zst");
    let mut bytes = vec![0x53, 0x2a, 0x4d, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5];
    bytes.extend_from_slice(&layer.bytes);
    assert_eq!(
        run("zstd", &["-dc", "-q"], &bytes),
        run("zstd", &["-dc", "-q"], &layer.bytes),
        "zstd itself skips the frame"
    );
    let claim = LayerClaim {
        media_type: layer.claim.media_type.clone(),
        ..LayerClaim::default()
    };
    assert_eq!(
        uncompressed_digest(&verify(&bytes, &claim)),
        Some(&layer.uncompressed)
    );
}

/// The layer claims of a fixture image, read from its manifest and config as the page reads them.
fn image_claims(dir: &str) -> Vec<LayerClaim> {
    use digestlens::core::document::{Analysis, Body};
    let read = |name: &str| fs::read(registry_dir().join(dir).join(name)).expect("fixture is readable");
    let manifest = Analysis::of(&read("manifest.json"), None);
    let config = Analysis::of(&read("config.json"), None);
    let Body::Manifest { layers, .. } = &manifest.body else {
        panic!("{dir}/manifest.json is an image manifest");
    };
    let Body::Config(config) = &config.body else {
        panic!("{dir}/config.json is an image config");
    };
    digestlens::core::layer::claims(&layers.iter().collect::<Vec<_>>(), Some(config))
}

#[test]
fn claims_pair_the_manifest_layers_with_the_config_diff_ids() {
    let fixtures: Vec<Layer> = layers()
        .into_iter()
        .filter(|l| l.path.starts_with("demo-zstd/"))
        .collect();
    let claims = image_claims("demo-zstd");
    assert_eq!(
        claims,
        fixtures.iter().map(|l| l.claim.clone()).collect::<Vec<_>>()
    );
}

#[test]
fn blob_files_are_matched_to_layers_by_name_then_by_content() {
    use digestlens::core::layer::{match_name, match_report, LayerMatch};
    let claims = image_claims("demo-oci");
    let l1 = layer("demo-oci/layer-1.tar.gz");
    let hex = l1.claim.digest.as_ref().expect("digest").encoded().to_owned();
    assert_eq!(
        match_name(&format!("blobs/sha256/{hex}"), &claims),
        LayerMatch::Blob(vec![1])
    );
    let diff_hex = l1.uncompressed.encoded().to_owned();
    assert_eq!(
        match_name(&format!("{diff_hex}.tar"), &claims),
        LayerMatch::Uncompressed(vec![1])
    );
    assert_eq!(match_name("layer.tar", &claims), LayerMatch::None);

    let unknown = LayerClaim::default();
    let report = verify(&l1.bytes, &unknown);
    assert_eq!(match_report(&report, &claims), LayerMatch::Blob(vec![1]));
    // The zstd copy of the same layer: another blob, the same content.
    let zst = layer("demo-zstd/layer-1.tar.zst");
    assert_eq!(
        match_report(&verify(&zst.bytes, &unknown), &claims),
        LayerMatch::Uncompressed(vec![1])
    );
    let other = layer("demo-multi/linux-arm64/layer-0.tar.gz");
    assert_eq!(
        match_report(&verify(&other.bytes, &unknown), &claims),
        LayerMatch::None
    );
}

/// An OCI layout's `blobs/sha256` holds the config and the manifest beside the layers: dropped
/// with them, each is named by its digest (the registry's Docker-Content-Digest for it).
#[test]
fn the_config_and_the_manifest_are_named_not_matched_as_layers() {
    use digestlens::core::layer::{match_report, ImageBlob, ImageDigests, LayerMatch};
    let sent = |path: &str| {
        let file = index()
            .files
            .into_iter()
            .find(|f| f.path == path)
            .expect("fixture is listed");
        let bytes = fs::read(registry_dir().join(path)).expect("fixture is readable");
        (bytes, digest(&file.docker_content_digest))
    };
    let (config, config_digest) = sent("demo-oci/config.json");
    let (manifest, manifest_digest) = sent("demo-oci/manifest.json");
    let image = ImageDigests {
        manifest: Some(manifest_digest),
        config: Some(config_digest),
    };
    let claims = image_claims("demo-oci");
    let unknown = LayerClaim::default();
    for (bytes, what) in [(config, ImageBlob::Config), (manifest, ImageBlob::Manifest)] {
        let report = verify(&bytes, &unknown);
        assert_eq!(match_report(&report, &claims), LayerMatch::None);
        assert_eq!(image.which(&report), Some(what));
    }
    let layer0 = verify(&layer("demo-oci/layer-0.tar.gz").bytes, &unknown);
    assert_eq!(image.which(&layer0), None);
}

/// The claim the analysis worker makes for a registry blob of "Why?": the descriptor's digest and
/// size, no media type (the bytes are sniffed), no diff_id.
fn asked(layer: &Layer) -> LayerClaim {
    LayerClaim {
        digest: layer.claim.digest.clone(),
        size: layer.claim.size,
        ..LayerClaim::default()
    }
}

/// What "Why?" measures of `bytes` for `claim`: sniffed, in the worker's 64 KiB chunks.
fn measured_for_why(bytes: &[u8], claim: &LayerClaim) -> BlobReport {
    verify_chunked(
        bytes,
        claim,
        Decoding::Sniff,
        DEFAULT_UNCOMPRESSED_CAP,
        11,
        64 * 1024,
    )
}

/// The smallest and the largest fixture layer (by the registry's size).
fn shortest_and_longest() -> (Layer, Layer) {
    let mut all = layers();
    all.sort_by_key(|l| l.bytes.len());
    let longest = all.pop().expect("layers");
    let shortest = all.swap_remove(0);
    assert!(shortest.bytes.len() < longest.bytes.len());
    (shortest, longest)
}

#[test]
fn why_says_nothing_against_the_blob_asked_for_or_a_blob_the_page_holds() {
    for layer in layers() {
        let claim = asked(&layer);
        let report = measured_for_why(&layer.bytes, &claim);
        assert_eq!(not_the_blob_asked("A", &claim, &report), None, "{}", layer.path);
        let held = measured_for_why(&layer.bytes, &LayerClaim::default());
        assert_eq!(not_the_blob_asked("B", &LayerClaim::default(), &held), None);
    }
}

#[test]
fn why_on_shorter_other_bytes_names_the_side_the_digest_asked_and_the_digest_received() {
    let (shortest, longest) = shortest_and_longest();
    let claim = asked(&longest);
    let report = measured_for_why(&shortest.bytes, &claim);
    let sentence = not_the_blob_asked("B", &claim, &report).expect("other bytes get a sentence");
    let (wanted, received) = (&longest.claim.digest, &shortest.claim.digest);
    let (wanted, received) = (
        wanted.as_ref().expect("digest"),
        received.as_ref().expect("digest"),
    );
    assert!(
        sentence.starts_with("Blob B is not the blob asked for"),
        "{sentence}"
    );
    assert!(
        sentence.contains(&format!("{wanted} ({} bytes) was asked", longest.bytes.len())),
        "{sentence}"
    );
    assert!(
        sentence.contains(&format!(
            "{} bytes arrived, which hash to {received}",
            shortest.bytes.len()
        )),
        "{sentence}"
    );
}

#[test]
fn why_on_longer_other_bytes_says_only_the_first_bytes_were_read_and_nothing_was_verified() {
    let (shortest, longest) = shortest_and_longest();
    let claim = asked(&shortest);
    let report = measured_for_why(&longest.bytes, &claim);
    let sentence = not_the_blob_asked("A", &claim, &report).expect("other bytes get a sentence");
    assert!(
        sentence.starts_with("Blob A is not the blob asked for"),
        "{sentence}"
    );
    assert!(
        sentence.contains(&format!("only the first {} bytes were read", report.size)),
        "{sentence}"
    );
    assert!(report.size > shortest.bytes.len() as u64);
    assert!(sentence.contains("the blob was not verified"), "{sentence}");
}

#[test]
fn why_on_same_size_damaged_bytes_names_both_digests() {
    let layer = layers().swap_remove(0);
    let mut damaged = layer.bytes.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x01;
    let claim = asked(&layer);
    let report = measured_for_why(&damaged, &claim);
    let sentence = not_the_blob_asked("A", &claim, &report).expect("a damaged blob gets a sentence");
    let wanted = layer.claim.digest.as_ref().expect("digest");
    assert!(sentence.contains(&format!("{wanted} was asked")), "{sentence}");
    // The damaged bytes' digest, from sha256sum.
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha256sum runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&damaged)
        .expect("written");
    let out = child.wait_with_output().expect("sha256sum ends");
    let hex = String::from_utf8_lossy(&out.stdout);
    let hex = hex.split_whitespace().next().expect("a digest");
    assert!(sentence.contains(&format!("hash to sha256:{hex}")), "{sentence}");
}
