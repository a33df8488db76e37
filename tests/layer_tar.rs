//! Layer tars listed as they stream through the verifier, checked against tools outside this
//! project: every fixture in tests/fixtures/layers/ was written by a real tool (Python's tarfile,
//! GNU tar, gzip, zstd, umoci, skopeo) and its expected listing and per-file sha256 come from
//! Python's tarfile + hashlib, its names from `tar -tf`, its digests from `sha256sum`
//! (scripts/make-layer-fixtures). Every stream is fed in chunks of random sizes.
//!
//! Pairs made to differ in one known way (mtimes, owners, modes, order, PAX records, padding,
//! compression, contents) must get that reason from the layer diff.
//!
//! The heads of GNU tar archives of a 9 GiB file (big-9g.json: the size in GNU base-256 and in a
//! PAX `size` record, cut after 4 KiB) must list that entry as tarfile and `tar -tv` read it, and
//! end with a truncation error.

#[path = "common/splitmix.rs"]
mod splitmix;

use digestlens::core::digest::Digest;
use digestlens::core::layer::compression::{gzip_isize, zstd_content_size};
use digestlens::core::layer::diff::{compare, mtime_text, LayerDifference, LayerSide, TarReason};
use digestlens::core::layer::merge::merge;
use digestlens::core::layer::tar::{Entry, ListOptions, Listing, TarError, Whiteout};
use digestlens::core::layer::{BlobReport, BlobVerifier, Decoding, LayerClaim, DEFAULT_UNCOMPRESSED_CAP};
use serde::Deserialize;
use splitmix::SplitMix;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn layers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layers")
}

#[derive(Deserialize)]
struct Expected {
    layers: Vec<Layer>,
    pairs: Vec<Pair>,
}

#[derive(Deserialize)]
struct Layer {
    file: String,
    made_by: String,
    sha256: String,
    diff_id: String,
    tar_names: Vec<String>,
    entries: Vec<ExpectedEntry>,
}

#[derive(Deserialize)]
struct ExpectedEntry {
    path: String,
    kind: String,
    size: u64,
    mode: u32,
    uid: u64,
    gid: u64,
    uname: String,
    gname: String,
    mtime: String,
    link: Option<String>,
    device: Option<(u32, u32)>,
    sha256: Option<String>,
    pax: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Pair {
    a: String,
    b: String,
    slug: String,
    reasons: Vec<String>,
}

fn expected() -> Expected {
    let bytes =
        std::fs::read(layers_dir().join("expected.json")).expect("tests/fixtures/layers/expected.json");
    serde_json::from_slice(&bytes).expect("expected.json has the make-layer-fixtures layout")
}

fn digest(text: &str) -> Digest {
    text.parse().expect("a digest")
}

/// Verifies and lists `bytes` in random chunks of up to `max_chunk` bytes.
fn verify(bytes: &[u8], claim: &LayerClaim, max_chunk: usize, seed: u64) -> (BlobReport, Listing) {
    let mut verifier = BlobVerifier::new(claim, Decoding::Sniff, DEFAULT_UNCOMPRESSED_CAP)
        .with_listing(ListOptions::default());
    let mut random = SplitMix(seed);
    let mut rest = bytes;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at((1 + random.below(max_chunk)).min(rest.len()));
        verifier.feed(chunk);
        rest = tail;
    }
    let (report, listing) = verifier.finish_listed();
    (report, listing.expect("a listing was asked for"))
}

impl Layer {
    fn bytes(&self) -> Vec<u8> {
        std::fs::read(layers_dir().join(&self.file)).expect("fixture file")
    }

    fn claim(&self) -> LayerClaim {
        LayerClaim {
            media_type: None,
            digest: Some(digest(&self.sha256)),
            size: Some(self.bytes().len() as u64),
            diff_id: Some(digest(&self.diff_id)),
        }
    }
}

/// Everything about `entry` that differs from what tarfile said.
fn differences(entry: &Entry, want: &ExpectedEntry) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut check = |what: &str, ours: String, theirs: String| {
        if ours != theirs {
            wrong.push(format!("{what}: ours {ours}, tarfile {theirs}"));
        }
    };
    check("path", entry.path.clone(), want.path.clone());
    check("kind", entry.kind.name().to_owned(), want.kind.clone());
    let size = if entry.kind.name() == "file" {
        entry.size
    } else {
        0
    };
    check("size", size.to_string(), want.size.to_string());
    check("mode", format!("{:o}", entry.mode), format!("{:o}", want.mode));
    check(
        "uid/gid",
        format!("{}:{}", entry.uid, entry.gid),
        format!("{}:{}", want.uid, want.gid),
    );
    check(
        "names",
        format!("{}:{}", entry.uname, entry.gname),
        format!("{}:{}", want.uname, want.gname),
    );
    check("mtime", mtime_text(entry.mtime), want.mtime.clone());
    check("link", format!("{:?}", entry.link), format!("{:?}", want.link));
    check(
        "device",
        format!("{:?}", entry.device),
        format!("{:?}", want.device),
    );
    check(
        "sha256",
        format!("{:?}", entry.digest.as_ref().map(ToString::to_string)),
        format!("{:?}", want.sha256),
    );
    check("pax", format!("{:?}", entry.pax), format!("{:?}", want.pax));
    wrong
}

#[test]
fn listings_and_file_digests_match_python_tarfile_and_tar_in_any_chunking() {
    for layer in expected().layers {
        let bytes = layer.bytes();
        for (seed, max_chunk) in [(1, 1usize), (2, 511), (3, 4096), (4, 1 << 20)] {
            let what = format!(
                "{} ({}) in chunks of up to {max_chunk}",
                layer.file, layer.made_by
            );
            let (report, listing) = verify(&bytes, &layer.claim(), max_chunk, seed);
            assert_eq!(report.digest, Some(digest(&layer.sha256)), "{what}: blob digest");
            let content = report
                .content
                .expect("decoded")
                .result
                .expect("decoded to the end");
            assert_eq!(content.digest, digest(&layer.diff_id), "{what}: diff_id");
            assert_eq!(listing.error, None, "{what}");
            assert_eq!(listing.tar_size, content.size, "{what}: every tar byte was read");
            let names: Vec<&str> = listing.entries.iter().map(|e| e.path.as_str()).collect();
            assert_eq!(names, layer.tar_names, "{what}: names as `tar -tf` prints them");
            assert_eq!(listing.entries.len(), layer.entries.len(), "{what}");
            for (entry, want) in listing.entries.iter().zip(&layer.entries) {
                let wrong = differences(entry, want);
                assert!(wrong.is_empty(), "{what}: {}: {wrong:?}", want.path);
            }
        }
    }
}

fn listed(layers: &[Layer], file: &str) -> (Vec<u8>, BlobReport, Listing) {
    let layer = layers
        .iter()
        .find(|l| l.file == file)
        .expect("fixture in expected.json");
    let bytes = layer.bytes();
    let (report, listing) = verify(&bytes, &layer.claim(), 8192, 9);
    (bytes, report, listing)
}

fn reason_name(reason: &TarReason) -> &'static str {
    match reason {
        TarReason::EntryOrder { .. } => "EntryOrder",
        TarReason::Mtimes { .. } => "Mtimes",
        TarReason::Ownership { .. } => "Ownership",
        TarReason::Modes { .. } => "Modes",
        TarReason::PaxExtras { .. } => "PaxExtras",
        TarReason::EndOfArchive { .. } => "EndOfArchive",
        TarReason::HeaderEncoding => "HeaderEncoding",
    }
}

#[test]
fn pairs_made_to_differ_one_way_get_that_reason() {
    let Expected { layers, pairs } = expected();
    for pair in pairs {
        let (bytes_a, report_a, listing_a) = listed(&layers, &pair.a);
        let (bytes_b, report_b, listing_b) = listed(&layers, &pair.b);
        let side = |bytes: &'static [u8], report, listing| LayerSide {
            report,
            head: bytes,
            listing: Some(listing),
        };
        let (head_a, head_b): (&'static [u8], &'static [u8]) = (bytes_a.leak(), bytes_b.leak());
        let difference = compare(
            &side(head_a, &report_a, &listing_a),
            &side(head_b, &report_b, &listing_b),
        );
        let what = format!("{} vs {}: {}", pair.a, pair.b, difference.headline());
        assert_eq!(difference.slug(), pair.slug, "{what}");
        if let LayerDifference::TarOnly { reasons } = &difference {
            let names: Vec<&str> = reasons.iter().map(reason_name).collect();
            assert_eq!(names, pair.reasons, "{what}");
        }
    }
}

#[test]
fn only_mtimes_differ_names_the_paths_and_both_times() {
    let Expected { layers, .. } = expected();
    let (a, ra, la) = listed(&layers, "gnu.tar");
    let (b, rb, lb) = listed(&layers, "gnu-later.tar");
    let difference = compare(
        &LayerSide {
            report: &ra,
            head: &a,
            listing: Some(&la),
        },
        &LayerSide {
            report: &rb,
            head: &b,
            listing: Some(&lb),
        },
    );
    assert!(
        difference.headline().contains("only modification times differ"),
        "{}",
        difference.headline()
    );
    let LayerDifference::TarOnly { reasons } = difference else {
        panic!("not a tar-only difference");
    };
    let TarReason::Mtimes { count, examples } = &reasons[0] else {
        panic!("not mtimes");
    };
    assert_eq!(*count, lb.entries.len());
    assert_eq!(
        (examples[0].a.as_str(), examples[0].b.as_str()),
        ("1700000000", "1710000000")
    );
}

#[test]
fn gzip_levels_are_named_from_the_header() {
    let Expected { layers, .. } = expected();
    let (a, ra, la) = listed(&layers, "gnu-1.tar.gz");
    let (b, rb, lb) = listed(&layers, "gnu-9.tar.gz");
    let side = |head, report, listing| LayerSide {
        report,
        head,
        listing: Some(listing),
    };
    let headline = compare(&side(&a, &ra, &la), &side(&b, &rb, &lb)).headline();
    assert!(
        headline.contains("Same content, different compression"),
        "{headline}"
    );
    assert!(
        headline.contains("gzip -1") && headline.contains("gzip -9"),
        "{headline}"
    );
}

#[test]
fn whiteouts_and_opaque_dirs_read_as_deletions() {
    let Expected { layers, .. } = expected();
    let (_, _, pax) = listed(&layers, "python-pax.tar");
    let deletions: Vec<&Whiteout> = pax.entries.iter().filter_map(|e| e.whiteout.as_ref()).collect();
    assert_eq!(
        deletions,
        [
            &Whiteout::Opaque("var/cache".into()),
            &Whiteout::Delete("etc/issue".into())
        ]
    );
    let (_, _, deleted) = listed(&layers, "umoci-delete.tar.gz");
    let whiteouts: Vec<String> = deleted
        .entries
        .iter()
        .filter_map(|e| match &e.whiteout {
            Some(Whiteout::Delete(path)) => Some(path.clone()),
            _ => None,
        })
        .collect();
    assert!(whiteouts.contains(&"app/etc/motd".to_owned()), "{whiteouts:?}");
    assert!(
        whiteouts.iter().any(|p| p.starts_with("app/var/lib")),
        "{whiteouts:?}"
    );
}

#[test]
fn merged_filesystem_applies_a_real_delete_and_counts_hidden_bytes() {
    let Expected { layers, .. } = expected();
    let (_, _, base) = listed(&layers, "umoci-a.tar.gz");
    let (_, _, delete) = listed(&layers, "umoci-delete.tar.gz");
    let fs = merge(&[&base, &delete]);
    assert!(!fs.paths.contains_key("app/etc/motd"));
    assert!(!fs.paths.keys().any(|p| p.starts_with("app/var/lib/")));
    assert_eq!(fs.paths["app/etc/os-release"].layer, 0);
    // What Python's tarfile says the deleted files weigh.
    let expected_base = &layers
        .iter()
        .find(|l| l.file == "umoci-a.tar.gz")
        .unwrap()
        .entries;
    let deleted: u64 = expected_base
        .iter()
        .filter(|e| e.kind == "file" && (e.path == "app/etc/motd" || e.path.starts_with("app/var/lib/")))
        .map(|e| e.size)
        .sum();
    let added: u64 = expected_base
        .iter()
        .filter(|e| e.kind == "file")
        .map(|e| e.size)
        .sum();
    assert_eq!(fs.layers[0].added_bytes, added);
    assert_eq!(fs.layers[0].hidden_bytes, deleted);
    assert!(fs.layers[1].deletions >= 2);
}

#[test]
fn size_estimates_come_from_gzip_isize_and_zstd_frame_content_size() {
    let tar_len = std::fs::metadata(layers_dir().join("gnu.tar")).unwrap().len();
    let gz = std::fs::read(layers_dir().join("gnu-9.tar.gz")).unwrap();
    let estimate = gzip_isize(&gz[gz.len() - 8..], gz.len() as u64).unwrap();
    assert_eq!(estimate.bytes, tar_len);
    let zst = std::fs::read(layers_dir().join("gnu.tar.zst")).unwrap();
    assert_eq!(zstd_content_size(&zst[..18]).unwrap().bytes, tar_len);
}

#[derive(Deserialize)]
struct BigHeads {
    big_size: u64,
    head_bytes: u64,
    archives: Vec<BigHead>,
}

/// The first `head_bytes` of an archive of one `big_size`-byte file.
#[derive(Deserialize)]
struct BigHead {
    file: String,
    made_by: String,
    sha256: String,
    tarfile: FirstMember,
    tar_tv: TarTv,
}

/// Python's tarfile reading the head in stream mode.
#[derive(Deserialize)]
struct FirstMember {
    entry: ExpectedEntry,
    pax_headers: BTreeMap<String, String>,
    offset: u64,
    offset_data: u64,
    size_field_hex: String,
}

#[derive(Deserialize)]
struct TarTv {
    stdout: Vec<String>,
}

fn big_heads() -> BigHeads {
    let bytes = std::fs::read(layers_dir().join("big-9g.json")).expect("tests/fixtures/layers/big-9g.json");
    serde_json::from_slice(&bytes).expect("big-9g.json has the make-layer-fixtures layout")
}

impl BigHead {
    /// The head, listed in random chunks of up to `max_chunk` bytes.
    fn listed(&self, max_chunk: usize, seed: u64) -> (Vec<u8>, BlobReport, Listing) {
        let bytes = std::fs::read(layers_dir().join(&self.file)).expect("fixture file");
        let claim = LayerClaim {
            media_type: None,
            digest: Some(digest(&self.sha256)),
            size: Some(bytes.len() as u64),
            // An uncompressed layer: its diff_id is its digest.
            diff_id: Some(digest(&self.sha256)),
        };
        let (report, listing) = verify(&bytes, &claim, max_chunk, seed);
        (bytes, report, listing)
    }
}

#[test]
fn sizes_past_8_gib_in_gnu_base256_and_pax_records_list_as_tarfile_and_tar_tv_read_them() {
    let heads = big_heads();
    let forms: Vec<(&str, &str)> = heads
        .archives
        .iter()
        .map(|a| {
            (
                a.tarfile.size_field_hex.get(..2).unwrap_or_default(),
                a.tarfile.pax_headers.get("size").map_or("", String::as_str),
            )
        })
        .collect();
    // What GNU tar wrote: base-256 (first byte 0x80) in the header's size field for
    // --format=gnu; octal zero there and a PAX `size` record for --format=posix.
    assert_eq!(forms, [("80", ""), ("30", "9663676416")]);
    for head in &heads.archives {
        for (seed, max_chunk) in [(1, 1usize), (2, 511), (3, 4096)] {
            let what = format!("{} ({}) in chunks of up to {max_chunk}", head.file, head.made_by);
            let (_, report, listing) = head.listed(max_chunk, seed);
            assert_eq!(report.digest, Some(digest(&head.sha256)), "{what}: blob digest");
            assert_eq!(listing.entries.len(), 1, "{what}");
            let entry = &listing.entries[0];
            let wrong = differences(entry, &head.tarfile.entry);
            assert!(wrong.is_empty(), "{what}: {wrong:?}");
            assert_eq!(entry.size, heads.big_size, "{what}");
            let tv: Vec<&str> = head.tar_tv.stdout[0].split_whitespace().collect();
            assert_eq!(
                (tv[1], tv[2], tv[5]),
                (
                    format!("{}/{}", entry.uid, entry.gid).as_str(),
                    entry.size.to_string().as_str(),
                    entry.path.as_str()
                ),
                "{what}: `tar -tv` says {:?}",
                head.tar_tv.stdout[0]
            );
        }
    }
}

#[test]
fn a_9_gib_entry_cut_short_ends_with_truncated_data_counting_the_missing_bytes() {
    let heads = big_heads();
    for head in &heads.archives {
        let (bytes, _, listing) = head.listed(1000, 7);
        assert_eq!(bytes.len() as u64, heads.head_bytes, "{}", head.file);
        assert_eq!(
            listing.tar_size, heads.head_bytes,
            "{}: every byte was read",
            head.file
        );
        // tarfile: the content starts at offset_data; all but the bytes after it are missing.
        let arrived = heads.head_bytes - head.tarfile.offset_data;
        let error = listing.error.expect("the listing stops at the cut");
        assert_eq!(
            error,
            TarError::TruncatedData {
                path: "big".into(),
                at: head.tarfile.offset,
                missing: heads.big_size - arrived,
            },
            "{}",
            head.file
        );
        assert!(
            error
                .to_string()
                .starts_with("Truncated tar: the content of \"big\""),
            "{error}"
        );
    }
}
