//! "Compare two images" in a link (v1 record 14): both references pinned to the digests fetched,
//! or B's pasted bytes; written as the module docs spell it, read back exactly, skipped by links
//! that do not carry it, and refused with a sentence when it is damaged.

use digestlens::core::diagnose::Side;
use digestlens::core::permalink::{
    decode, encode, ComparedImages, ImageB, PermalinkError, PinnedReference, Snapshot,
};
use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};
use std::io::Write as _;

/// sha256("abc") and sha256(""), FIPS 180-2 and the well-known empty digest.
const ABC: &str = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const EMPTY: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn link_for(container: &[u8]) -> String {
    use base64::Engine as _;
    let mut deflater = DeflateEncoder::new(Vec::new(), Compression::default());
    deflater.write_all(container).unwrap();
    let mut binary = deflater.finish().unwrap();
    let mut crc = Crc::new();
    crc.update(container);
    binary.extend(crc.sum().to_le_bytes());
    format!(
        "v1.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(binary)
    )
}

/// A record: tag, LEB128 length, value.
fn rec(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let mut n = value.len();
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
    out.extend(value);
    out
}

fn images(b: ImageB) -> Snapshot {
    Snapshot {
        images: Some(ComparedImages {
            a: PinnedReference {
                reference: "127.0.0.1:5000/demo/oci:1".into(),
                digest: ABC.parse().unwrap(),
            },
            b,
        }),
        ..Snapshot::default()
    }
}

#[test]
fn both_references_round_trip_pinned() {
    let snapshot = images(ImageB::Reference(PinnedReference {
        reference: "127.0.0.1:5000/demo/docker:1".into(),
        digest: EMPTY.parse().unwrap(),
    }));
    assert_eq!(decode(&encode(&snapshot).unwrap()), Ok(snapshot));
}

#[test]
fn a_pasted_b_round_trips_byte_for_byte() {
    let snapshot = images(ImageB::Pasted(b"{\"schemaVersion\": 2}\n\xff".to_vec()));
    assert_eq!(decode(&encode(&snapshot).unwrap()), Ok(snapshot));
}

/// The record spelled out by hand, as the module docs describe it: tag 14 holding tag 2 (A) and
/// tag 4 (B), each a pinned reference's records (tag 2 reference, tag 4 digest).
#[test]
fn the_record_is_laid_out_as_documented() {
    let pinned = |tag: u8, reference: &[u8], digest: &str| {
        rec(
            tag,
            &[rec(0x02, reference), rec(0x04, digest.as_bytes())].concat(),
        )
    };
    let value = [pinned(0x02, b"a:1", ABC), pinned(0x04, b"b:1", EMPTY)].concat();
    let container = rec(0x0e, &value);
    let expected = Snapshot {
        images: Some(ComparedImages {
            a: PinnedReference {
                reference: "a:1".into(),
                digest: ABC.parse().unwrap(),
            },
            b: ImageB::Reference(PinnedReference {
                reference: "b:1".into(),
                digest: EMPTY.parse().unwrap(),
            }),
        }),
        ..Snapshot::default()
    };
    assert_eq!(decode(&link_for(&container)), Ok(expected));
}

#[test]
fn a_damaged_record_is_refused_with_a_sentence() {
    // A without B.
    let a = rec(0x02, &[rec(0x02, b"a:1"), rec(0x04, ABC.as_bytes())].concat());
    let container = rec(0x0e, &a);
    let error = decode(&link_for(&container)).unwrap_err();
    assert_eq!(
        error,
        PermalinkError::Malformed {
            reason: "\"Compare two images\" has no image B"
        }
    );
    // A pinned to something that is not a digest.
    let bad = rec(0x0e, &rec(0x02, &[rec(0x02, b"a:1"), rec(0x04, b"abc")].concat()));
    assert!(matches!(
        decode(&link_for(&bad)),
        Err(PermalinkError::BadImageDigest { side: Side::A, .. })
    ));
}
