//! Permalinks: exact bytes survive a link, the v1 format cannot drift, and every kind of bad link
//! gets its own error instead of a panic, a hang or a different document.
//!
//! Links are crafted here with flate2 and base64 directly (and the golden link with Python's
//! zlib), not with the module's own encoder, so the reader is checked against the documented
//! format rather than against itself.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use digestlens::core::diagnose::Side;
use digestlens::core::digest::{Digest, DigestError};
use digestlens::core::permalink::{
    decode, encode, ComparedDocument, ExpectedDigest, LinkLength, PermalinkError, PinnedReference,
    SharedDocument, Snapshot,
};
use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};
use std::io::Write as _;

const MIB: usize = 1024 * 1024;

#[path = "common/splitmix.rs"]
mod splitmix;
use splitmix::SplitMix;

impl SplitMix {
    /// Document-like bytes: random runs mixed with CRLF, a BOM, JSON text and invalid UTF-8.
    fn document(&mut self) -> Vec<u8> {
        const PIECES: [&[u8]; 6] = [
            b"\r\n",
            b"\xef\xbb\xbf",
            b"{\"schemaVersion\": 2,\n",
            b"\xff\xfe\xc0",
            b"\0",
            b"\n",
        ];
        let mut out = Vec::new();
        let target = match self.below(4) {
            0 => 0,
            1 => self.below(16),
            _ => self.below(4096),
        };
        while out.len() < target {
            if self.below(2) == 0 {
                out.extend_from_slice(PIECES[self.below(PIECES.len())]);
            } else {
                let run = self.below(64);
                out.extend(self.bytes(run));
            }
        }
        out
    }

    fn text(&mut self) -> String {
        const CHARS: [char; 8] = ['a', 'Z', '/', ':', '.', 'é', '雪', '🐳'];
        (0..self.below(40))
            .map(|_| CHARS[self.below(CHARS.len())])
            .collect()
    }

    /// A compare side: empty, a loaded document's digest, or a document of its own.
    fn compared(&mut self) -> Option<ComparedDocument> {
        match self.below(3) {
            0 => None,
            1 => Some(ComparedDocument::Loaded(self.digest())),
            _ => Some(ComparedDocument::Own(SharedDocument {
                name: self.text(),
                bytes: self.document(),
            })),
        }
    }

    fn digest(&mut self) -> Digest {
        let bytes = self.bytes(32);
        if self.below(2) == 0 {
            Digest::sha256(&bytes)
        } else {
            Digest::sha512(&bytes)
        }
    }
}

fn varint(mut n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
    out
}

fn record(tag: u64, value: &[u8]) -> Vec<u8> {
    let mut out = varint(tag);
    out.extend(varint(value.len() as u64));
    out.extend_from_slice(value);
    out
}

fn document_record(name: &[u8], bytes: &[u8]) -> Vec<u8> {
    record(2, &[record(2, name), record(4, bytes)].concat())
}

fn reference_record(reference: &[u8], digest: &[u8]) -> Vec<u8> {
    record(4, &[record(2, reference), record(4, digest)].concat())
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = Crc::new();
    crc.update(bytes);
    crc.sum()
}

fn link_from_binary(binary: &[u8]) -> String {
    format!("v1.{}", URL_SAFE_NO_PAD.encode(binary))
}

/// A v1 link for any container, framed as the format says: deflate, CRC-32 LE, base64url.
fn link_for(container: &[u8]) -> String {
    let mut binary = deflate(container);
    binary.extend(crc32(container).to_le_bytes());
    link_from_binary(&binary)
}

fn one_document(bytes: &[u8]) -> Snapshot {
    Snapshot {
        documents: vec![SharedDocument {
            name: "pasted".into(),
            bytes: bytes.to_vec(),
        }],
        ..Snapshot::default()
    }
}

fn round_trip(snapshot: &Snapshot) -> Snapshot {
    let fragment = encode(snapshot).expect("encodes");
    decode(&fragment).expect("decodes")
}

// ---- exact bytes survive ----

#[test]
fn random_snapshots_round_trip_exactly() {
    let mut rng = SplitMix(0x5eed_cafe);
    for case in 0..300 {
        let snapshot = Snapshot {
            documents: (0..rng.below(6))
                .map(|_| SharedDocument {
                    name: rng.text(),
                    bytes: rng.document(),
                })
                .collect(),
            references: (0..rng.below(4))
                .map(|_| PinnedReference {
                    reference: rng.text(),
                    digest: rng.digest(),
                })
                .collect(),
            selected: (rng.below(2) == 0).then(|| rng.text()),
            compare_a: rng.compared(),
            compare_b: rng.compared(),
            expected: (0..rng.below(3))
                .map(|_| ExpectedDigest {
                    document: rng.digest(),
                    typed: rng.text(),
                })
                .collect(),
            images: None,
        };
        assert_eq!(round_trip(&snapshot), snapshot, "case {case}");
    }
}

#[test]
fn line_endings_bom_and_invalid_utf8_survive_byte_for_byte() {
    let cases: &[&[u8]] = &[
        b"",
        b"{}",
        b"{}\n",
        b"{}\r\n",
        b"{\r\n}\r",
        b"\xef\xbb\xbf{}",
        b"\xef\xbb\xbf\xef\xbb\xbf",
        b"{\"a\":\"\xff\xfe\"}",
        b"\0\0\0",
        b"\n\n\n",
        b"   ",
    ];
    for bytes in cases {
        assert_eq!(round_trip(&one_document(bytes)).documents[0].bytes, *bytes);
    }
}

/// The bytes that come back hash to the digest `sha256sum` printed for the original file (a
/// BOM-prefixed, CRLF manifest with a non-ASCII annotation and no final newline).
#[test]
fn a_real_manifest_keeps_the_digest_sha256sum_printed() {
    let manifest = [
        b"\xef\xbb\xbf".as_slice(),
        concat!(
            "{\r\n  \"schemaVersion\": 2,\r\n",
            "  \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\r\n",
            "  \"config\": {\r\n",
            "    \"mediaType\": \"application/vnd.oci.image.config.v1+json\",\r\n",
            "    \"digest\": \"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7\",\r\n",
            "    \"size\": 7023\r\n  },\r\n",
            "  \"layers\": [\r\n    {\r\n",
            "      \"mediaType\": \"application/vnd.oci.image.layer.v1.tar+gzip\",\r\n",
            "      \"digest\": \"sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0\",\r\n",
            "      \"size\": 32654\r\n    }\r\n  ],\r\n",
            "  \"annotations\": {\r\n    \"com.example.key1\": \"caf\u{e9}\"\r\n  }\r\n}",
        )
        .as_bytes(),
    ]
    .concat();
    let back = round_trip(&one_document(&manifest));
    assert_eq!(back.documents[0].bytes.len(), 556);
    assert_eq!(
        Digest::sha256(&back.documents[0].bytes).to_string(),
        "sha256:3ed9e77c1198a9d5685ee47073f2b31a6bd866d00b8b23a76d692b0845173df7"
    );
}

#[test]
fn empty_snapshot_and_empty_fields_round_trip() {
    assert_eq!(round_trip(&Snapshot::default()), Snapshot::default());
    let empties = Snapshot {
        documents: vec![SharedDocument::default(); 3],
        selected: Some(String::new()),
        compare_a: Some(ComparedDocument::Own(SharedDocument::default())),
        ..Snapshot::default()
    };
    assert_eq!(round_trip(&empties), empties);
}

#[test]
fn the_most_documents_a_link_carries_round_trip_and_one_more_is_refused() {
    let mut rng = SplitMix(7);
    let mut snapshot = Snapshot {
        documents: (0..128)
            .map(|i| SharedDocument {
                name: format!("doc-{i}"),
                bytes: rng.document(),
            })
            .collect(),
        references: (0..128)
            .map(|i| PinnedReference {
                reference: format!("127.0.0.1:5000/demo/app:{i}"),
                digest: rng.digest(),
            })
            .collect(),
        ..Snapshot::default()
    };
    assert_eq!(round_trip(&snapshot), snapshot);

    snapshot.documents.push(SharedDocument::default());
    assert_eq!(
        encode(&snapshot),
        Err(PermalinkError::TooMany {
            what: "documents",
            limit: 128
        })
    );
    snapshot.documents.pop();
    snapshot.references.push(snapshot.references[0].clone());
    assert_eq!(
        encode(&snapshot),
        Err(PermalinkError::TooMany {
            what: "registry references",
            limit: 128
        })
    );
}

#[test]
fn a_4_mib_document_round_trips_and_one_byte_more_is_refused() {
    let line = b"{\"created_by\": \"/bin/sh -c #(nop) CMD [\\\"sh\\\"]\"},\r\n";
    let mut bytes: Vec<u8> = line.iter().copied().cycle().take(4 * MIB).collect();
    assert_eq!(round_trip(&one_document(&bytes)).documents[0].bytes, bytes);

    bytes.push(b'\n');
    assert_eq!(
        encode(&one_document(&bytes)),
        Err(PermalinkError::DocumentTooLarge {
            index: 0,
            size: 4 * MIB + 1,
            limit: 4 * MIB
        })
    );
}

#[test]
fn location_hash_with_its_leading_hash_sign_opens() {
    let snapshot = one_document(b"{}");
    let fragment = encode(&snapshot).unwrap();
    assert_eq!(decode(&format!("#{fragment}")), Ok(snapshot));
}

// ---- the v1 format cannot drift ----

/// The golden snapshot: a BOM + CRLF + invalid-UTF-8 document, an empty document, a pinned
/// reference (digest = sha256("abc"), FIPS 180-2), a map selection, side A naming a document by
/// digest (sha256 of nothing) and side B holding a document of its own.
fn golden_snapshot() -> Snapshot {
    Snapshot {
        documents: vec![
            SharedDocument {
                name: "manifest.json".into(),
                bytes: b"\xef\xbb\xbf{\"schemaVersion\":2}\r\n\xff".to_vec(),
            },
            SharedDocument::default(),
        ],
        references: vec![PinnedReference {
            reference: "127.0.0.1:5000/demo/app:1".into(),
            digest: "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
                .parse()
                .unwrap(),
        }],
        selected: Some("1".into()),
        compare_a: Some(ComparedDocument::Loaded(
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                .parse()
                .unwrap(),
        )),
        compare_b: Some(ComparedDocument::Own(SharedDocument {
            name: "b.json".into(),
            bytes: b"{}\n".to_vec(),
        })),
        expected: Vec::new(),
        images: None,
    }
}

/// The golden container, spelled out record by record as the module docs describe it.
fn golden_container() -> Vec<u8> {
    [
        // document: 02 len [02 len "manifest.json"] [04 len bytes]
        &b"\x02\x2a\x02\x0dmanifest.json\x04\x19\xef\xbb\xbf{\"schemaVersion\":2}\r\n\xff"[..],
        // empty document
        b"\x02\x04\x02\x00\x04\x00",
        // reference: 04 len [02 len reference] [04 len digest]
        b"\x04\x64\x02\x19127.0.0.1:5000/demo/app:1\x04\x47",
        b"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        // selected
        b"\x06\x011",
        // compare side: 0a len [02 01 "A"] [06 len digest]
        b"\x0a\x4c\x02\x01A\x06\x47",
        b"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        // compare side: 0a len [02 01 "B"] [04 len [02 06 "b.json"] [04 03 "{}\n"]]
        b"\x0a\x12\x02\x01B\x04\x0d\x02\x06b.json\x04\x03{}\n",
    ]
    .concat()
}

/// Made with Python's zlib (`compressobj(9, DEFLATED, -15)`, `zlib.crc32`, `urlsafe_b64encode`
/// without '=') from `golden_container()`: a link from an encoder other than ours opens.
const GOLDEN_FROM_PYTHON: &str = "v1.NY-7TsNAEADjy8mFJTd0aVNSJLfnvce6g4aGmn7vfKsEyXYU00X5Mgo-iU8ASwhNPSONelTtyNNZyvJxeF_mSe--P79u-yWfyshv5bqc52nf23vb_CitNnqjB7UDGw5mBXpnjDkOZZyPfLn0oF-WE1vn-8Qhgk8SxUCWwggrZihu4GKt7ZIxnQfuyEMITDkhGBEPYo0Bx0NdQfOqqqf6P1hWJSNaipIhAxJLEsyRyEsiizZwQSjokRJ1mBnJEUEK0dkUnWseVPWsW1Wnv83t7d78AqU1s5M";

/// What this page's encoder wrote for `golden_snapshot()` when compare sides were added to v1.
/// If this test fails after a flate2 upgrade while the two tests above pass, only the compressor
/// changed (old links still open); update the string. Otherwise the format drifted: do not.
const GOLDEN_FROM_THIS_PAGE: &str = "v1.NY-7TsNAEADj4-TCkhu6tCkpktvz3mPdQUNDTb93vlWCZDvCdFG-jIJP4hPAUhRNPSONelLtyNNJyvK1_1jmSW9_v38uuyUfy8jv5XM5zdOut9e2-VNabfRGD2oLNuzNCvTOGHMYyjgf-HzuQb8uR7bO94lDBJ8kioEshRFWzFDcwMVa2yVjOg_ckYcQmHJCMCIexBoDjoe6guZNVc_1PVhWJSNaipIhAxJLEsyRyEsiizZwQSjokRJ1mBnJEUEK0dkUnWseVfWiW1Wn2-bD5dr8A6U1s5M";

/// What the first v1 page wrote (before compare sides) for the same documents and reference, a
/// selection "1" and a "mode" record (tag 8) that no page reads any more.
const FIRST_V1_PAGE_LINK: &str = "v1.DcHNDYIwFABgbRo1JgzAlaMHeK9AgS7gBt5f_wImpYR6M07mwZEcQcnHLiwLNE_epUd5T3Hm-ff9eRbJjC7Qza1pinOhxCs7_xhnO77jluUouhI2qFoAqKwLsaJlUcivaSTRSqWp61Fq33tA4x01uAHrWktOCFFrgFoi1YPErqPB6AbBe4leAGBL9rDH09HEsNDq_krHysU";

#[test]
fn a_link_of_the_first_v1_page_still_opens() {
    let expected = Snapshot {
        compare_a: None,
        compare_b: None,
        ..golden_snapshot()
    };
    assert_eq!(decode(FIRST_V1_PAGE_LINK), Ok(expected));
}

#[test]
fn v1_link_made_by_another_deflate_implementation_opens() {
    assert_eq!(decode(GOLDEN_FROM_PYTHON), Ok(golden_snapshot()));
}

#[test]
fn v1_container_layout_is_as_documented() {
    let fragment = encode(&golden_snapshot()).unwrap();
    let binary = URL_SAFE_NO_PAD
        .decode(fragment.strip_prefix("v1.").unwrap())
        .unwrap();
    let (deflated, trailer) = binary.split_at(binary.len() - 4);
    let mut inflated = Vec::new();
    flate2::write::DeflateDecoder::new(&mut inflated)
        .write_all(deflated)
        .unwrap();
    assert_eq!(inflated, golden_container());
    assert_eq!(trailer, crc32(&golden_container()).to_le_bytes());
}

#[test]
fn v1_encoding_is_stable() {
    assert_eq!(encode(&golden_snapshot()).unwrap(), GOLDEN_FROM_THIS_PAGE);
    assert_eq!(decode(GOLDEN_FROM_THIS_PAGE), Ok(golden_snapshot()));
}

// ---- forward compatibility ----

#[test]
fn unknown_records_from_a_newer_minor_version_are_skipped() {
    let container = [
        record(
            2,
            &[
                record(2, b"a.json"),
                record(6, b"application/vnd.oci.image.manifest.v1+json"),
                record(4, b"{}"),
            ]
            .concat(),
        ),
        record(1000, b"future view state"),
        record(
            4,
            &[
                record(2, b"registry.example/app:1"),
                record(
                    4,
                    b"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                ),
                record(200, b"a field with a two-byte tag"),
            ]
            .concat(),
        ),
        record(8, b"map"),
    ]
    .concat();
    let snapshot = decode(&link_for(&container)).unwrap();
    assert_eq!(snapshot.documents[0].name, "a.json");
    assert_eq!(snapshot.documents[0].bytes, b"{}");
    assert_eq!(snapshot.references[0].reference, "registry.example/app:1");
    assert_eq!(
        snapshot.selected, None,
        "tag 8 (the first page's mode) is skipped"
    );
}

#[test]
fn unknown_records_marked_must_understand_are_refused() {
    let top_level = [document_record(b"a", b"{}"), record(11, b"")].concat();
    assert_eq!(
        decode(&link_for(&top_level)),
        Err(PermalinkError::UnknownRequiredRecord { tag: 11 })
    );
    let in_document = record(2, &[record(2, b"a"), record(4, b""), record(7, b"x")].concat());
    assert_eq!(
        decode(&link_for(&in_document)),
        Err(PermalinkError::UnknownRequiredRecord { tag: 7 })
    );
}

// ---- every bad link has its own error ----

#[test]
fn foreign_fragments_are_not_permalinks() {
    for fragment in [
        "",
        "#",
        "section-2",
        "v",
        "v.abc",
        "vx.abc",
        "v1abc",
        "1.abc",
        "V1.abc",
    ] {
        assert_eq!(
            decode(fragment),
            Err(PermalinkError::NotAPermalink),
            "{fragment:?}"
        );
    }
}

#[test]
fn links_of_other_versions_name_their_version() {
    let newer = decode("v2.AAAA").unwrap_err();
    assert_eq!(
        newer,
        PermalinkError::UnsupportedVersion {
            found: 2,
            supported: 1
        }
    );
    assert!(newer.to_string().contains("newer"), "{newer}");
    assert_eq!(
        decode("v0.AAAA"),
        Err(PermalinkError::UnsupportedVersion {
            found: 0,
            supported: 1
        })
    );
}

#[test]
fn links_longer_than_chromium_accepts_are_refused_both_ways() {
    let huge = format!("v1.{}", "A".repeat(2 * MIB));
    assert_eq!(
        decode(&huge),
        Err(PermalinkError::LinkTooLong {
            length: 2 * MIB + 3,
            limit: 2 * MIB
        })
    );
    // 4 MiB of random bytes cannot compress: base64 makes it 5.6 million characters.
    let mut rng = SplitMix(1);
    let random = rng.bytes(4 * MIB);
    match encode(&one_document(&random)) {
        Err(PermalinkError::LinkTooLong { length, limit }) => {
            assert!(length > 5_500_000, "{length}");
            assert_eq!(limit, 2 * MIB);
        }
        other => panic!("expected LinkTooLong, got {other:?}"),
    }
}

#[test]
fn characters_outside_base64url_are_named_with_their_position() {
    let valid = link_for(&document_record(b"a", b"{}"));
    let cases = [
        (format!("{}+{}", &valid[..5], &valid[6..]), '+'),
        (format!("{valid} "), ' '),
        (format!("v1.{}é", &valid[3..]), 'é'),
        (format!("{valid}=="), '='),
    ];
    for (fragment, found) in cases {
        let position = fragment.find(found).unwrap();
        assert_eq!(
            decode(&fragment),
            Err(PermalinkError::BadCharacter { position, found }),
            "{fragment}"
        );
    }
}

#[test]
fn every_truncation_of_a_link_is_refused() {
    let fragment = encode(&golden_snapshot()).unwrap();
    for end in 3..fragment.len() {
        let result = decode(&fragment[..end]);
        assert!(result.is_err(), "cut at {end} opened: {result:?}");
    }
    // Typical cases: a length base64 never produces, and deflate data that stops mid-stream.
    assert_eq!(decode("v1.AAAAA"), Err(PermalinkError::CutOff));
    let deflated = deflate(&document_record(b"a", b"some document text"));
    let cut = link_from_binary(&deflated[..deflated.len() / 2]);
    assert_eq!(decode(&cut), Err(PermalinkError::CutOff));
    // The deflate stream is complete but the checksum is missing.
    assert_eq!(decode(&link_from_binary(&deflated)), Err(PermalinkError::CutOff));
}

#[test]
fn data_that_is_not_deflate_is_corrupt() {
    // 0xff: final block of type 3, which deflate reserves as an error.
    assert_eq!(
        decode(&link_from_binary(&[0xff; 8])),
        Err(PermalinkError::CorruptData)
    );
}

#[test]
fn bytes_after_the_checksum_are_refused() {
    let container = document_record(b"a", b"{}");
    let mut binary = deflate(&container);
    binary.extend(crc32(&container).to_le_bytes());
    let data_chars = URL_SAFE_NO_PAD.encode(&binary).len();
    binary.extend(b"xyz");
    let link = link_from_binary(&binary);
    assert_eq!(
        decode(&link),
        Err(PermalinkError::ExtraCharacters {
            count: link.len() - "v1.".len() - data_chars
        })
    );
}

#[test]
fn a_wrong_checksum_is_refused_with_both_values() {
    let container = document_record(b"a", b"{}");
    let mut binary = deflate(&container);
    binary.extend(0xdead_beef_u32.to_le_bytes());
    assert_eq!(
        decode(&link_from_binary(&binary)),
        Err(PermalinkError::ChecksumMismatch {
            expected: 0xdead_beef,
            actual: crc32(&container)
        })
    );
}

/// Changing any one character either breaks the link or changes nothing that decodes (e.g.
/// deflate's padding bits): a tampered link never shows different bytes.
#[test]
fn a_tampered_link_never_opens_as_a_different_snapshot() {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let fragment = encode(&golden_snapshot()).unwrap();
    let mut rng = SplitMix(99);
    for position in 3..fragment.len() {
        for _ in 0..4 {
            let mut bytes = fragment.clone().into_bytes();
            let replacement = ALPHABET[rng.below(ALPHABET.len())];
            if bytes[position] == replacement {
                continue;
            }
            bytes[position] = replacement;
            let tampered = String::from_utf8(bytes).unwrap();
            if let Ok(snapshot) = decode(&tampered) {
                assert_eq!(snapshot, golden_snapshot(), "{tampered}");
            }
        }
    }
}

#[test]
fn a_zip_bomb_is_refused_while_inflating() {
    // 20 MiB of zeros deflates to about 20 KB (a link of 28,000 characters); the page stops at
    // 16 MiB.
    let zeros = vec![0; 20 * MIB];
    let mut binary = deflate(&zeros);
    binary.extend(crc32(&zeros).to_le_bytes());
    let link = link_from_binary(&binary);
    assert!(link.len() < 30_000, "{}", link.len());
    assert_eq!(
        decode(&link),
        Err(PermalinkError::SnapshotTooLarge { limit: 16 * MIB })
    );
}

#[test]
fn a_zip_bomb_document_past_4_mib_is_refused() {
    let container = document_record(b"bomb.json", &vec![0; 10 * MIB]);
    assert_eq!(
        decode(&link_for(&container)),
        Err(PermalinkError::DocumentTooLarge {
            index: 0,
            size: 10 * MIB,
            limit: 4 * MIB
        })
    );
}

#[test]
fn more_than_16_mib_in_all_is_refused_when_encoding() {
    let snapshot = Snapshot {
        documents: vec![
            SharedDocument {
                name: "big".into(),
                bytes: vec![b'x'; 4 * MIB],
            };
            5
        ],
        ..Snapshot::default()
    };
    assert_eq!(
        encode(&snapshot),
        Err(PermalinkError::SnapshotTooLarge { limit: 16 * MIB })
    );
}

#[test]
fn too_many_documents_or_references_in_a_link_are_refused() {
    let documents: Vec<u8> = (0..129).flat_map(|_| document_record(b"", b"")).collect();
    assert_eq!(
        decode(&link_for(&documents)),
        Err(PermalinkError::TooMany {
            what: "documents",
            limit: 128
        })
    );
    let digest = b"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let references: Vec<u8> = (0..129)
        .flat_map(|_| reference_record(b"r/a:1", digest))
        .collect();
    assert_eq!(
        decode(&link_for(&references)),
        Err(PermalinkError::TooMany {
            what: "registry references",
            limit: 128
        })
    );
}

#[test]
fn overlong_text_fields_are_refused_both_ways() {
    let long = vec![b'n'; 4097];
    assert_eq!(
        decode(&link_for(&document_record(&long, b"{}"))),
        Err(PermalinkError::FieldTooLong {
            field: "document name",
            length: 4097,
            limit: 4096
        })
    );
    let snapshot = Snapshot {
        selected: Some("m".repeat(4097)),
        ..Snapshot::default()
    };
    assert_eq!(
        encode(&snapshot),
        Err(PermalinkError::FieldTooLong {
            field: "selection",
            length: 4097,
            limit: 4096
        })
    );
}

#[test]
fn text_fields_must_be_utf8() {
    assert_eq!(
        decode(&link_for(&document_record(b"\xff.json", b"{}"))),
        Err(PermalinkError::NotUtf8 {
            field: "document name"
        })
    );
    assert_eq!(
        decode(&link_for(&record(6, b"\xc0"))),
        Err(PermalinkError::NotUtf8 { field: "selection" })
    );
}

#[test]
fn a_pinned_digest_must_be_a_digest() {
    let container = [
        reference_record(
            b"r/a:1",
            b"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        reference_record(b"r/a:2", b"sha256:abc"),
    ]
    .concat();
    assert_eq!(
        decode(&link_for(&container)),
        Err(PermalinkError::BadDigest {
            index: 1,
            error: DigestError::WrongLength {
                algorithm: "sha256",
                expected: 64,
                actual: 3
            }
        })
    );
}

/// sha256 of nothing, as a compare side names a loaded document.
const DIGEST: &[u8] = b"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A compare side record: its side, then one field (4 = its own document, 6 = a digest).
fn side_record(side: &[u8], tag: u64, value: &[u8]) -> Vec<u8> {
    record(10, &[record(2, side), record(tag, value)].concat())
}

#[test]
fn compare_sides_travel_as_a_digest_or_as_exact_bytes() {
    let container = [
        side_record(
            b"B",
            4,
            &[record(2, b""), record(4, b"\xef\xbb\xbf{}\r\n\xff")].concat(),
        ),
        side_record(b"A", 6, DIGEST),
    ]
    .concat();
    let snapshot = decode(&link_for(&container)).unwrap();
    assert_eq!(
        snapshot.compared(Side::A),
        Some(&ComparedDocument::Loaded(Digest::sha256(b"")))
    );
    assert_eq!(
        snapshot.compared(Side::B),
        Some(&ComparedDocument::Own(SharedDocument {
            name: String::new(),
            bytes: b"\xef\xbb\xbf{}\r\n\xff".to_vec(),
        }))
    );
    assert!(snapshot.documents.is_empty());
}

#[test]
fn an_expected_digest_travels_as_typed_with_its_document_digest() {
    let container = [
        record(12, &[record(2, DIGEST), record(4, b"44136fa355b3")].concat()),
        record(12, &[record(4, b"sha256:abc"), record(2, DIGEST)].concat()),
    ]
    .concat();
    let snapshot = decode(&link_for(&container)).unwrap();
    assert_eq!(
        snapshot.expected,
        vec![
            ExpectedDigest {
                document: Digest::sha256(b""),
                typed: "44136fa355b3".into()
            },
            ExpectedDigest {
                document: Digest::sha256(b""),
                typed: "sha256:abc".into(),
            },
        ],
        "the text is kept as typed, even when it is no digest"
    );
    assert_eq!(
        decode(&link_for(&record(
            12,
            &[record(2, b"sha256:abc"), record(4, b"x")].concat()
        ))),
        Err(PermalinkError::BadExpectedDocument {
            index: 0,
            error: DigestError::WrongLength {
                algorithm: "sha256",
                expected: 64,
                actual: 3
            }
        })
    );
}

#[test]
fn a_compare_side_naming_no_digest_or_too_large_a_document_is_refused() {
    assert_eq!(
        decode(&link_for(&side_record(b"A", 6, b"sha256:abc"))),
        Err(PermalinkError::BadComparedDigest {
            side: Side::A,
            error: DigestError::WrongLength {
                algorithm: "sha256",
                expected: 64,
                actual: 3
            }
        })
    );
    let big = vec![b' '; 4 * MIB + 1];
    assert_eq!(
        decode(&link_for(&side_record(
            b"B",
            4,
            &[record(2, b"b"), record(4, &big)].concat()
        ))),
        Err(PermalinkError::ComparedDocumentTooLarge {
            side: Side::B,
            size: 4 * MIB + 1,
            limit: 4 * MIB
        })
    );
    let snapshot = Snapshot {
        compare_b: Some(ComparedDocument::Own(SharedDocument {
            name: "b".into(),
            bytes: big,
        })),
        ..Snapshot::default()
    };
    assert_eq!(
        encode(&snapshot),
        Err(PermalinkError::ComparedDocumentTooLarge {
            side: Side::B,
            size: 4 * MIB + 1,
            limit: 4 * MIB
        })
    );
}

#[test]
fn containers_not_laid_out_as_v1_says_are_malformed() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (vec![0; 64], "a record has tag 0, which no version uses"),
        (
            b"\x02\x10short".to_vec(),
            "a record is longer than the data that holds it",
        ),
        (b"\x02\x80".to_vec(), "the data ends inside a number"),
        (
            vec![0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00],
            "a number is larger than 64 bits",
        ),
        (
            [vec![0x80; 10], vec![0x00]].concat(),
            "a number is larger than 64 bits",
        ),
        (record(2, &record(2, b"a")), "a document has no bytes"),
        (record(2, &record(4, b"{}")), "a document has no name"),
        (
            record(4, &record(2, b"r/a:1")),
            "a registry reference has no pinned digest",
        ),
        (
            record(
                4,
                &record(
                    4,
                    b"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                ),
            ),
            "a registry reference has no reference",
        ),
        (
            [record(6, b"a"), record(6, b"b")].concat(),
            "a field appears twice",
        ),
        (
            [
                side_record(b"A", 6, DIGEST),
                side_record(b"A", 4, &[record(2, b""), record(4, b"{}")].concat()),
            ]
            .concat(),
            "a field appears twice",
        ),
        (
            record(
                10,
                &[record(2, b"A"), record(6, DIGEST), record(4, &record(2, b""))].concat(),
            ),
            "a field appears twice",
        ),
        (side_record(b"C", 6, DIGEST), "a compare side is neither A nor B"),
        (
            record(10, &record(6, DIGEST)),
            "a compare side does not say which side it is",
        ),
        (
            record(10, &record(2, b"B")),
            "a compare side holds neither a document nor a digest",
        ),
        (side_record(b"B", 4, &record(4, b"{}")), "a document has no name"),
        (
            record(12, &record(4, b"sha256:abc")),
            "an expected digest does not name its document",
        ),
        (record(12, &record(2, DIGEST)), "an expected digest has no text"),
    ];
    for (container, reason) in cases {
        assert_eq!(
            decode(&link_for(&container)),
            Err(PermalinkError::Malformed { reason }),
            "{container:02x?}"
        );
    }
}

/// Random payloads and random containers behind a valid frame: every one returns, none panics.
#[test]
fn arbitrary_input_never_panics() {
    let mut rng = SplitMix(0xbad);
    for _ in 0..2000 {
        let len = rng.below(200);
        let binary = rng.bytes(len);
        let _ = decode(&link_from_binary(&binary));
        let container = rng.bytes(len);
        let _ = decode(&link_for(&container));
        // Containers made of plausible small tags and lengths reach deeper into the reader.
        let plausible: Vec<u8> = (0..len).map(|_| rng.below(12) as u8).collect();
        let _ = decode(&link_for(&plausible));
    }
}

#[test]
fn messages_name_the_values_a_user_needs() {
    let too_large = PermalinkError::DocumentTooLarge {
        index: 0,
        size: 10 * MIB,
        limit: 4 * MIB,
    };
    assert_eq!(
        too_large.to_string(),
        "document 1 is 10485760 bytes; a link carries documents of at most 4194304 bytes"
    );
    let altered = PermalinkError::ChecksumMismatch {
        expected: 0xdead_beef,
        actual: 0x0102_0304,
    };
    assert!(altered
        .to_string()
        .contains("expected deadbeef, computed 01020304"));
    let older_page = PermalinkError::UnsupportedVersion {
        found: 3,
        supported: 1,
    };
    assert!(older_page.to_string().contains("format v3"));
}

// ---- link length ----

#[test]
fn link_length_thresholds_follow_rfc_9110_firefox_and_chromium() {
    let url = |n: usize| "x".repeat(n);
    assert_eq!(LinkLength::of(&url(8000)), LinkLength::Fine);
    assert_eq!(LinkLength::of(&url(8001)), LinkLength::Long);
    assert_eq!(LinkLength::of(&url(1_048_576)), LinkLength::Long);
    assert_eq!(LinkLength::of(&url(1_048_577)), LinkLength::TooLongForFirefox);
    assert_eq!(LinkLength::of(&url(2_097_152)), LinkLength::TooLongForFirefox);
    assert_eq!(LinkLength::of(&url(2_097_153)), LinkLength::TooLong);
    assert!(LinkLength::Long.to_string().contains("truncate"));
}
