//! Writing a [`super::Snapshot`] as the container of records, checking each limit as it goes.

use super::tag;
use super::{
    ComparedDocument, ComparedImages, ImageB, PermalinkError, PinnedReference, Snapshot, MAX_DOCUMENTS,
    MAX_DOCUMENT_BYTES, MAX_REFERENCES, MAX_SNAPSHOT_BYTES, MAX_TEXT_BYTES,
};
use crate::core::diagnose::Side;

pub(super) fn write_container(snapshot: &Snapshot) -> Result<Vec<u8>, PermalinkError> {
    check_count("documents", snapshot.documents.len(), MAX_DOCUMENTS)?;
    check_count("registry references", snapshot.references.len(), MAX_REFERENCES)?;
    let mut out = Vec::new();
    for (index, document) in snapshot.documents.iter().enumerate() {
        check_document_size(index, document.bytes.len())?;
        check_text("document name", document.name.len())?;
        let fields = [
            (tag::DOCUMENT_NAME, document.name.as_bytes()),
            (tag::DOCUMENT_BYTES, document.bytes.as_slice()),
        ];
        put_nested(&mut out, tag::DOCUMENT, &fields, MAX_SNAPSHOT_BYTES)?;
    }
    for pinned in &snapshot.references {
        out.extend(pinned_record(tag::REFERENCE, pinned)?);
    }
    if let Some(selected) = &snapshot.selected {
        check_text("selection", selected.len())?;
        put_record(&mut out, tag::SELECTED, selected.as_bytes());
    }
    for side in [Side::A, Side::B] {
        if let Some(compared) = snapshot.compared(side) {
            put_compared(&mut out, side, compared)?;
        }
    }
    check_count("expected digests", snapshot.expected.len(), MAX_DOCUMENTS)?;
    for expected in &snapshot.expected {
        let document = expected.document.to_string();
        check_text("expected digest", expected.typed.len())?;
        let fields = [
            (tag::EXPECTED_DOCUMENT, document.as_bytes()),
            (tag::EXPECTED_TYPED, expected.typed.as_bytes()),
        ];
        put_nested(&mut out, tag::EXPECTED, &fields, MAX_SNAPSHOT_BYTES)?;
    }
    if let Some(images) = &snapshot.images {
        put_images(&mut out, images)?;
    }
    if out.len() > MAX_SNAPSHOT_BYTES {
        return Err(PermalinkError::SnapshotTooLarge {
            limit: MAX_SNAPSHOT_BYTES,
        });
    }
    Ok(out)
}

/// A pinned reference as a record of `tag`: the reference as typed, then the digest.
fn pinned_record(tag: u64, pinned: &PinnedReference) -> Result<Vec<u8>, PermalinkError> {
    let digest = pinned.digest.to_string();
    check_text("registry reference", pinned.reference.len())?;
    check_text("pinned digest", digest.len())?;
    let fields = [
        (tag::REFERENCE_STRING, pinned.reference.as_bytes()),
        (tag::REFERENCE_DIGEST, digest.as_bytes()),
    ];
    let mut out = Vec::new();
    put_nested(&mut out, tag, &fields, MAX_SNAPSHOT_BYTES)?;
    Ok(out)
}

/// Append the "Compare two images" record: A's pinned reference, then B's or B's pasted bytes.
fn put_images(out: &mut Vec<u8>, images: &ComparedImages) -> Result<(), PermalinkError> {
    let mut value = pinned_record(tag::IMAGES_A, &images.a)?;
    match &images.b {
        ImageB::Reference(pinned) => value.extend(pinned_record(tag::IMAGES_B_REFERENCE, pinned)?),
        ImageB::Pasted(bytes) => {
            if bytes.len() > MAX_DOCUMENT_BYTES {
                return Err(PermalinkError::ComparedDocumentTooLarge {
                    side: Side::B,
                    size: bytes.len(),
                    limit: MAX_DOCUMENT_BYTES,
                });
            }
            let fields = [
                (tag::DOCUMENT_NAME, &b""[..]),
                (tag::DOCUMENT_BYTES, bytes.as_slice()),
            ];
            put_nested(&mut value, tag::IMAGES_B_PASTED, &fields, MAX_SNAPSHOT_BYTES)?;
        }
    }
    put_record(out, tag::IMAGES, &value);
    Ok(())
}

/// Append a compare side record: its side, then its own document or the digest it names.
fn put_compared(out: &mut Vec<u8>, side: Side, compared: &ComparedDocument) -> Result<(), PermalinkError> {
    let name = side.to_string();
    match compared {
        ComparedDocument::Loaded(digest) => {
            let digest = digest.to_string();
            let fields = [
                (tag::SIDE_NAME, name.as_bytes()),
                (tag::SIDE_DIGEST, digest.as_bytes()),
            ];
            put_nested(out, tag::COMPARE_SIDE, &fields, MAX_SNAPSHOT_BYTES)
        }
        ComparedDocument::Own(document) => {
            if document.bytes.len() > MAX_DOCUMENT_BYTES {
                return Err(PermalinkError::ComparedDocumentTooLarge {
                    side,
                    size: document.bytes.len(),
                    limit: MAX_DOCUMENT_BYTES,
                });
            }
            check_text("document name", document.name.len())?;
            let fields = [
                (tag::DOCUMENT_NAME, document.name.as_bytes()),
                (tag::DOCUMENT_BYTES, document.bytes.as_slice()),
            ];
            let mut value = Vec::new();
            put_record(&mut value, tag::SIDE_NAME, name.as_bytes());
            put_nested(&mut value, tag::SIDE_DOCUMENT, &fields, MAX_SNAPSHOT_BYTES)?;
            if out
                .len()
                .saturating_add(record_len(tag::COMPARE_SIDE, value.len()))
                > MAX_SNAPSHOT_BYTES
            {
                return Err(PermalinkError::SnapshotTooLarge {
                    limit: MAX_SNAPSHOT_BYTES,
                });
            }
            put_record(out, tag::COMPARE_SIDE, &value);
            Ok(())
        }
    }
}

/// Append a record whose value is itself records, without building the value separately (a
/// document can be 4 MiB). Stops early once the container passes `cap`.
fn put_nested(
    out: &mut Vec<u8>,
    tag: u64,
    fields: &[(u64, &[u8])],
    cap: usize,
) -> Result<(), PermalinkError> {
    let length: usize = fields
        .iter()
        .map(|(tag, value)| record_len(*tag, value.len()))
        .sum();
    if out.len().saturating_add(record_len(tag, length)) > cap {
        return Err(PermalinkError::SnapshotTooLarge { limit: cap });
    }
    put_varint(out, tag);
    put_varint(out, length as u64);
    for (tag, value) in fields {
        put_record(out, *tag, value);
    }
    Ok(())
}

fn put_record(out: &mut Vec<u8>, tag: u64, value: &[u8]) {
    put_varint(out, tag);
    put_varint(out, value.len() as u64);
    out.extend_from_slice(value);
}

fn record_len(tag: u64, value_len: usize) -> usize {
    varint_len(tag) + varint_len(value_len as u64) + value_len
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn varint_len(n: u64) -> usize {
    let bits = 64 - n.leading_zeros() as usize;
    bits.div_ceil(7).max(1)
}

pub(super) fn check_count(what: &'static str, count: usize, limit: usize) -> Result<(), PermalinkError> {
    if count > limit {
        return Err(PermalinkError::TooMany { what, limit });
    }
    Ok(())
}

pub(super) fn check_document_size(index: usize, size: usize) -> Result<(), PermalinkError> {
    if size > MAX_DOCUMENT_BYTES {
        return Err(PermalinkError::DocumentTooLarge {
            index,
            size,
            limit: MAX_DOCUMENT_BYTES,
        });
    }
    Ok(())
}

pub(super) fn check_text(field: &'static str, length: usize) -> Result<(), PermalinkError> {
    if length > MAX_TEXT_BYTES {
        return Err(PermalinkError::FieldTooLong {
            field,
            length,
            limit: MAX_TEXT_BYTES,
        });
    }
    Ok(())
}
