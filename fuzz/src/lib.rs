//! What each fuzz target runs, shared with `tests/fuzz_corpus_replay.rs`, which replays every
//! saved input in `fuzz/corpus/` on every `cargo test` (the fuzzer itself needs nightly flags and
//! is not part of scripts/test).
//!
//! Besides "does not panic, does not hang", each function checks properties that hold for every
//! input, using an implementation other than the one under test where there is one: sha2 used
//! directly for byte digests, serde_json's own `Value` for the duplicate-noticing parser, and
//! round trips (decode then encode, parse then print) for the permalink and reference formats.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use digestlens::core::document::{Analysis, Body, Finding, Kind};
use digestlens::core::json;
use digestlens::core::media_type::MediaType;
use digestlens::core::permalink::{self, PermalinkError};
use digestlens::core::reference::Reference;
use digestlens::core::schema1;
use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};
use serde_json::Value;
use sha2::Digest as _;
use std::io::Write as _;

/// Media types the document target passes as the hint; the first input byte picks one or none.
const HINTS: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.container.image.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/json",
    "text/html",
];

/// sha256 of `bytes` as `sha256:<hex>`, computed by sha2 in one call (the core hashes in chunks).
fn sha256(bytes: &[u8]) -> String {
    let hash = sha2::Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// `Analysis::of`: the first byte picks the hint (none, or one of [`HINTS`]); the rest are the
/// document's bytes.
pub fn document(data: &[u8]) {
    let (hint, bytes) = match data.split_first() {
        Some((&selector, rest)) => {
            let pick = usize::from(selector) % (HINTS.len() + 1);
            (HINTS.get(pick).map(|h| MediaType::parse(h)), rest)
        }
        None => (None, data),
    };
    let analysis = Analysis::of(bytes, hint.as_ref());

    assert_eq!(analysis.size, bytes.len());
    assert_eq!(
        analysis.bytes_digest.to_string(),
        sha256(bytes),
        "the byte digest is sha256 of the bytes"
    );
    assert_eq!(
        analysis.kind == Kind::Empty,
        bytes.is_empty(),
        "only no bytes is empty"
    );
    if analysis.kind == Kind::NotJson {
        assert!(analysis.json.is_none());
        assert!(
            analysis
                .findings
                .iter()
                .any(|f| matches!(f, Finding::JsonSyntax { .. })),
            "not JSON says why: {:?}",
            analysis.findings
        );
    }
    let json_bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if !bytes.is_empty() && serde_json::from_slice::<Value>(json_bytes).is_ok() {
        assert_ne!(analysis.kind, Kind::NotJson, "serde_json reads it, so it is JSON");
    }
    for finding in &analysis.findings {
        assert!(
            !finding.to_string().trim().is_empty(),
            "{finding:?} has no message"
        );
        assert!(!finding.slug().is_empty());
    }
    assert!(!analysis.kind.name().is_empty());
    match &analysis.body {
        Body::Schema1(view) if matches!(view.payload, Some(Ok(_))) => {}
        _ => assert_eq!(
            analysis.digest(),
            &analysis.bytes_digest,
            "only signed schema 1 has another digest"
        ),
    }
    for descriptor in analysis.descriptors() {
        assert!(!descriptor.role.path().is_empty());
    }
}

/// The head of a libtrust-signed schema 1 manifest; [`signed_schema1`] appends the signatures.
const SCHEMA1_HEAD: &str =
    "{\n   \"schemaVersion\": 1,\n   \"name\": \"demo/fuzz\",\n   \"tag\": \"1\",\n   \
    \"architecture\": \"amd64\",\n   \"fsLayers\": [\n      {\n         \"blobSum\": \
    \"sha256:efc5dd092f34562903e877cb2e28ec05663651518bf2859aa2d73b961b47bb56\"\n      }\n   ],\n   \
    \"history\": []";

/// A signed schema 1 manifest whose one signature carries `protected` (already base64url).
fn signed_schema1(protected: &str) -> Vec<u8> {
    format!(
        "{SCHEMA1_HEAD},\n   \"signatures\": [\n      {{\n         \"header\": {{\"alg\": \"ES256\"}},\n         \
         \"signature\": \"c2ln\",\n         \"protected\": \"{protected}\"\n      }}\n   ]\n}}"
    )
    .into_bytes()
}

/// `schema1::payload`. First byte 0: the rest is a whole document. 1: the rest is the raw
/// protected header of a signed manifest. Otherwise: two bytes of `formatLength` (big-endian)
/// then the `formatTail` bytes, so the payload can be checked against one built here.
pub fn schema1_payload(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode {
        0 => {
            if let Ok(value) = serde_json::from_slice::<Value>(rest) {
                let _ = check_payload(rest, &value);
            }
        }
        1 => {
            let bytes = signed_schema1(&URL_SAFE_NO_PAD.encode(rest));
            let _ = check_payload(&bytes, &parse_own(&bytes));
        }
        _ => {
            let (length, tail) = match rest {
                [high, low, tail @ ..] => (usize::from(u16::from_be_bytes([*high, *low])), tail),
                _ => return,
            };
            let header = format!(
                "{{\"formatLength\":{length},\"formatTail\":\"{}\"}}",
                URL_SAFE_NO_PAD.encode(tail)
            );
            let bytes = signed_schema1(&URL_SAFE_NO_PAD.encode(header));
            let result = check_payload(&bytes, &parse_own(&bytes));
            match bytes.get(..length) {
                Some(head) => {
                    let payload = result.expect("a well-formed header within the document gives a payload");
                    let expected = sha256(&[head, tail].concat());
                    assert_eq!(payload.digest.to_string(), expected);
                    assert_eq!(payload.length, length + tail.len());
                }
                None => assert_eq!(
                    result,
                    Err(schema1::PayloadError::FormatLengthBeyondEnd {
                        format_length: length as u64,
                        size: bytes.len()
                    })
                ),
            }
        }
    }
}

/// Documents built by this harness are JSON by construction.
fn parse_own(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("the harness builds valid JSON")
}

fn check_payload(bytes: &[u8], value: &Value) -> Result<schema1::Payload, schema1::PayloadError> {
    let result = schema1::payload(bytes, value);
    match &result {
        Ok(payload) => {
            assert!(payload.format_length <= bytes.len());
            assert!(payload.length >= payload.format_length);
            let signatures = value
                .get("signatures")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            assert_eq!(payload.signature_count, signatures);
            assert_eq!(payload.signers.len(), signatures);
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    result
}

/// `permalink::decode`. First byte even: the rest is the fragment as text (lossy UTF-8). Odd:
/// the rest is a container, wrapped here as format v1 says (raw deflate + CRC-32, base64url,
/// `v1.`), so the fuzzer reaches the record reader past the checksum. A link that opens must
/// encode again (unless too long) and open to the same snapshot.
pub fn permalink_decode(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let fragment = if mode % 2 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        wrap_container(rest)
    };
    match permalink::decode(&fragment) {
        Ok(snapshot) => match permalink::encode(&snapshot) {
            Ok(again) => assert_eq!(
                permalink::decode(&again),
                Ok(snapshot),
                "encode and decode round-trip"
            ),
            Err(PermalinkError::LinkTooLong { .. }) => {}
            Err(e) => panic!("decode opened a link whose snapshot encode refuses: {e}"),
        },
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// `v1.` + base64url(raw deflate(container) + CRC-32 of the container, little-endian).
pub fn wrap_container(container: &[u8]) -> String {
    let mut deflater = DeflateEncoder::new(Vec::new(), Compression::fast());
    deflater.write_all(container).expect("deflate into a Vec");
    let mut binary = deflater.finish().expect("deflate into a Vec");
    let mut crc = Crc::new();
    crc.update(container);
    binary.extend_from_slice(&crc.sum().to_le_bytes());
    format!("v1.{}", URL_SAFE_NO_PAD.encode(binary))
}

/// Characters a normalized reference may hold: it is put into URLs and shell commands unescaped.
fn is_reference_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '/' | '@' | '[' | ']' | '+' | '=')
}

/// `Reference::parse` on the input as text. A parsed reference prints in its normalized and its
/// familiar form; both parse back to the same name, tag and digest.
pub fn reference_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let reference = match Reference::parse(text) {
        Ok(reference) => reference,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let parts = |r: &Reference| {
        (
            r.registry().to_owned(),
            r.repository().to_owned(),
            r.tag().map(str::to_owned),
            r.digest().cloned(),
        )
    };
    let full = reference.to_string();
    assert!(
        full.chars().all(is_reference_char),
        "unsafe character in {full:?}"
    );
    for printed in [full, reference.familiar()] {
        let again = Reference::parse(&printed).unwrap_or_else(|e| panic!("{printed:?} does not parse: {e}"));
        assert_eq!(
            parts(&again),
            parts(&reference),
            "{text:?} printed as {printed:?}"
        );
    }
    let base = reference.api_base_url();
    assert!(base.starts_with("https://") || base.starts_with("http://"));
    assert!(!reference.manifest_target().is_empty());
    if let Some(digest) = reference.digest() {
        assert_eq!(reference.pinned(digest).digest(), Some(digest));
    }
}

/// `json::parse` against serde_json's own `Value`: both accept or both refuse, with the same
/// value (last duplicate wins in both); each recorded duplicate lists at least two values, each
/// itself JSON.
pub fn json_parse(data: &[u8]) {
    match (json::parse(data), serde_json::from_slice::<Value>(data)) {
        (Ok(ours), Ok(theirs)) => {
            assert_eq!(ours.value, theirs);
            for duplicate in &ours.duplicates {
                assert!(duplicate.values.len() >= 2, "{duplicate:?}");
                for value in &duplicate.values {
                    assert!(
                        serde_json::from_str::<Value>(value).is_ok(),
                        "{value:?} is not JSON"
                    );
                }
            }
        }
        (Err(_), Err(_)) => {}
        (ours, theirs) => panic!(
            "json::parse and serde_json disagree: {:?} vs {:?}",
            ours.map(|p| p.value),
            theirs
        ),
    }
}
