//! Reading the container of records back into a [`super::Snapshot`]: every length and count is
//! checked before it is trusted, and unknown records are skipped or refused by their tag.

use super::tag;
use super::write::{check_count, check_document_size, check_text};
use super::{
    ComparedDocument, ComparedImages, ExpectedDigest, ImageB, PermalinkError, PinnedReference,
    SharedDocument, Snapshot, MAX_DOCUMENTS, MAX_REFERENCES, MAX_VARINT_BYTES,
};
use crate::core::diagnose::Side;
use crate::core::digest::Digest;

/// Walks `tag length value` records over a slice; values are borrowed, never copied here.
struct Records<'a> {
    rest: &'a [u8],
}

impl<'a> Records<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Records { rest: bytes }
    }

    fn next_record(&mut self) -> Result<Option<(u64, &'a [u8])>, PermalinkError> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let tag = self.varint()?;
        if tag == 0 {
            return Err(PermalinkError::Malformed {
                reason: "a record has tag 0, which no version uses",
            });
        }
        let length = self.varint()?;
        let value = usize::try_from(length)
            .ok()
            .and_then(|length| self.rest.get(..length))
            .ok_or(PermalinkError::Malformed {
                reason: "a record is longer than the data that holds it",
            })?;
        self.rest = self.rest.get(value.len()..).unwrap_or_default();
        Ok(Some((tag, value)))
    }

    /// Unsigned LEB128; refuses numbers past 64 bits instead of wrapping them.
    fn varint(&mut self) -> Result<u64, PermalinkError> {
        let mut value: u64 = 0;
        for (index, byte) in self.rest.iter().enumerate() {
            let group = u64::from(byte & 0x7f);
            let shift = 7 * index as u32;
            if index == MAX_VARINT_BYTES || (group << shift) >> shift != group {
                return Err(PermalinkError::Malformed {
                    reason: "a number is larger than 64 bits",
                });
            }
            value |= group << shift;
            if byte & 0x80 == 0 {
                self.rest = self.rest.get(index + 1..).unwrap_or_default();
                return Ok(value);
            }
        }
        Err(PermalinkError::Malformed {
            reason: "the data ends inside a number",
        })
    }
}

/// Refuse an unknown record a reader must understand; skip any other unknown one.
fn skip_unknown(tag: u64) -> Result<(), PermalinkError> {
    if tag & tag::MUST_UNDERSTAND != 0 {
        return Err(PermalinkError::UnknownRequiredRecord { tag });
    }
    Ok(())
}

pub(super) fn read_container(container: &[u8]) -> Result<Snapshot, PermalinkError> {
    let mut snapshot = Snapshot::default();
    let mut records = Records::new(container);
    while let Some((tag, value)) = records.next_record()? {
        match tag {
            tag::DOCUMENT => {
                let index = snapshot.documents.len();
                check_count("documents", index + 1, MAX_DOCUMENTS)?;
                snapshot.documents.push(read_document(index, value)?);
            }
            tag::REFERENCE => {
                let index = snapshot.references.len();
                check_count("registry references", index + 1, MAX_REFERENCES)?;
                snapshot.references.push(read_reference(index, value)?);
            }
            tag::SELECTED => set_once(&mut snapshot.selected, read_text("selection", value)?)?,
            tag::COMPARE_SIDE => {
                let (side, compared) = read_compared(value)?;
                set_once(snapshot.compared_mut(side), compared)?;
            }
            tag::EXPECTED => {
                let index = snapshot.expected.len();
                check_count("expected digests", index + 1, MAX_DOCUMENTS)?;
                snapshot.expected.push(read_expected(index, value)?);
            }
            tag::IMAGES => set_once(&mut snapshot.images, read_images(value)?)?,
            other => skip_unknown(other)?,
        }
    }
    Ok(snapshot)
}

/// The "Compare two images" record: A's pinned reference and exactly one of B's two.
fn read_images(value: &[u8]) -> Result<ComparedImages, PermalinkError> {
    let pinned = |side: Side, field: &[u8]| {
        read_reference(0, field).map_err(|e| match e {
            PermalinkError::BadDigest { error, .. } => PermalinkError::BadImageDigest { side, error },
            other => other,
        })
    };
    let mut a = None;
    let mut b = None;
    let mut records = Records::new(value);
    while let Some((tag, field)) = records.next_record()? {
        match tag {
            tag::IMAGES_A => set_once(&mut a, pinned(Side::A, field)?)?,
            tag::IMAGES_B_REFERENCE => set_once(&mut b, ImageB::Reference(pinned(Side::B, field)?))?,
            tag::IMAGES_B_PASTED => {
                let document = read_document(0, field).map_err(|e| match e {
                    PermalinkError::DocumentTooLarge { size, limit, .. } => {
                        PermalinkError::ComparedDocumentTooLarge {
                            side: Side::B,
                            size,
                            limit,
                        }
                    }
                    other => other,
                })?;
                set_once(&mut b, ImageB::Pasted(document.bytes))?;
            }
            other => skip_unknown(other)?,
        }
    }
    Ok(ComparedImages {
        a: required(a, "\"Compare two images\" has no image A")?,
        b: required(b, "\"Compare two images\" has no image B")?,
    })
}

fn read_document(index: usize, value: &[u8]) -> Result<SharedDocument, PermalinkError> {
    let mut name = None;
    let mut bytes = None;
    let mut records = Records::new(value);
    while let Some((tag, field)) = records.next_record()? {
        match tag {
            tag::DOCUMENT_NAME => set_once(&mut name, read_text("document name", field)?)?,
            tag::DOCUMENT_BYTES => {
                check_document_size(index, field.len())?;
                set_once(&mut bytes, field.to_vec())?;
            }
            other => skip_unknown(other)?,
        }
    }
    Ok(SharedDocument {
        name: required(name, "a document has no name")?,
        bytes: required(bytes, "a document has no bytes")?,
    })
}

fn read_reference(index: usize, value: &[u8]) -> Result<PinnedReference, PermalinkError> {
    let mut reference = None;
    let mut digest = None;
    let mut records = Records::new(value);
    while let Some((tag, field)) = records.next_record()? {
        match tag {
            tag::REFERENCE_STRING => {
                set_once(&mut reference, read_text("registry reference", field)?)?;
            }
            tag::REFERENCE_DIGEST => {
                let text = read_text("pinned digest", field)?;
                let parsed = text
                    .parse::<Digest>()
                    .map_err(|error| PermalinkError::BadDigest { index, error })?;
                set_once(&mut digest, parsed)?;
            }
            other => skip_unknown(other)?,
        }
    }
    Ok(PinnedReference {
        reference: required(reference, "a registry reference has no reference")?,
        digest: required(digest, "a registry reference has no pinned digest")?,
    })
}

fn read_compared(value: &[u8]) -> Result<(Side, ComparedDocument), PermalinkError> {
    let mut side = None;
    let mut compared = None;
    let mut records = Records::new(value);
    while let Some((tag, field)) = records.next_record()? {
        match tag {
            tag::SIDE_NAME => {
                let parsed = match read_text("compare side", field)?.as_str() {
                    "A" => Side::A,
                    "B" => Side::B,
                    _ => {
                        return Err(PermalinkError::Malformed {
                            reason: "a compare side is neither A nor B",
                        })
                    }
                };
                set_once(&mut side, parsed)?;
            }
            tag::SIDE_DOCUMENT => set_once(&mut compared, Field::Document(field))?,
            tag::SIDE_DIGEST => set_once(&mut compared, Field::Digest(field))?,
            other => skip_unknown(other)?,
        }
    }
    let side = required(side, "a compare side does not say which side it is")?;
    let compared = match compared {
        Some(Field::Document(value)) => {
            let document = read_document(0, value).map_err(|e| match e {
                PermalinkError::DocumentTooLarge { size, limit, .. } => {
                    PermalinkError::ComparedDocumentTooLarge { side, size, limit }
                }
                other => other,
            })?;
            ComparedDocument::Own(document)
        }
        Some(Field::Digest(value)) => ComparedDocument::Loaded(
            read_text("compared digest", value)?
                .parse()
                .map_err(|error| PermalinkError::BadComparedDigest { side, error })?,
        ),
        None => {
            return Err(PermalinkError::Malformed {
                reason: "a compare side holds neither a document nor a digest",
            })
        }
    };
    Ok((side, compared))
}

fn read_expected(index: usize, value: &[u8]) -> Result<ExpectedDigest, PermalinkError> {
    let mut document = None;
    let mut typed = None;
    let mut records = Records::new(value);
    while let Some((tag, field)) = records.next_record()? {
        match tag {
            tag::EXPECTED_DOCUMENT => {
                let parsed = read_text("expected digest's document", field)?
                    .parse()
                    .map_err(|error| PermalinkError::BadExpectedDocument { index, error })?;
                set_once(&mut document, parsed)?;
            }
            tag::EXPECTED_TYPED => set_once(&mut typed, read_text("expected digest", field)?)?,
            other => skip_unknown(other)?,
        }
    }
    Ok(ExpectedDigest {
        document: required(document, "an expected digest does not name its document")?,
        typed: required(typed, "an expected digest has no text")?,
    })
}

/// A compare side's content before it is read: one of the two, never both.
enum Field<'a> {
    Document(&'a [u8]),
    Digest(&'a [u8]),
}

fn read_text(field: &'static str, value: &[u8]) -> Result<String, PermalinkError> {
    check_text(field, value.len())?;
    std::str::from_utf8(value)
        .map(str::to_owned)
        .map_err(|_| PermalinkError::NotUtf8 { field })
}

/// A field a record must have.
fn required<T>(slot: Option<T>, reason: &'static str) -> Result<T, PermalinkError> {
    slot.ok_or(PermalinkError::Malformed { reason })
}

/// A field given twice would leave the reader to pick one silently; refuse instead.
fn set_once<T>(slot: &mut Option<T>, value: T) -> Result<(), PermalinkError> {
    if slot.is_some() {
        return Err(PermalinkError::Malformed {
            reason: "a field appears twice",
        });
    }
    *slot = Some(value);
    Ok(())
}
