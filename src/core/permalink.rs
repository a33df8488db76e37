//! Permalinks: an analysis carried in the URL fragment, so sharing it sends nothing to a server.
//!
//! The fragment (`#…`) is the one part of a URL that browsers never send in a request, so a link
//! can carry a pasted manifest to a colleague without the document touching any server, ours
//! included. What travels is a [`Snapshot`]:
//!
//! * pasted or dropped documents as their **exact bytes** (CRLF, BOM, trailing newline and invalid
//!   UTF-8 included: a digest is a hash of bytes, so one changed byte would be a different
//!   document);
//! * registry analyses as the reference the user typed plus the digest that was seen, so the page
//!   that opens the link fetches by digest and can verify it got the same bytes;
//! * the view: the box selected on the relationship map, the two sides of a comparison (a
//!   document of the analysis named by its digest, or a document of the side's own, as its exact
//!   bytes), and the digests typed into documents' "expected another digest?" boxes.
//!
//! Credentials, tokens and proxy settings have no field here at all: a link is pasted into chats
//! and tickets, and a type that cannot hold a secret cannot leak one.
//!
//! # Format v1
//!
//! ```text
//! fragment  = "v1." payload
//! payload   = base64url-no-pad( raw-deflate(container) || crc32-le(container) )
//! container = *record
//! record    = tag:varint length:varint value:length-bytes
//! tag       = field-number << 1 | must-understand-bit
//! varint    = unsigned LEB128 (7 bits a byte, low group first), at most 10 bytes
//! ```
//!
//! | tag | where | value |
//! | --- | --- | --- |
//! | 2 | container | a document: its own records, tag 2 = name (UTF-8), tag 4 = bytes (raw) |
//! | 4 | container | a pinned reference: tag 2 = reference as typed (UTF-8), tag 4 = digest (`algorithm:encoded`) |
//! | 6 | container | the map's selected box (UTF-8, at most once; `graph::NodeKey`'s text form) |
//! | 8 | container | reserved: the first v1 page defined a "mode" here and never wrote it; skipped |
//! | 10 | container | a compare side (at most one per side): tag 2 = side (`A` or `B`), and either tag 4 = a document of the side's own (the records of a document) or tag 6 = the digest (`algorithm:encoded`) of a document of the analysis |
//! | 12 | container | an expected digest typed for a document: tag 2 = that document's digest, tag 4 = the text typed (UTF-8) |
//! | 14 | container | "Compare two images" (at most once): tag 2 = image A, a pinned reference's records; and either tag 4 = image B, a pinned reference's records, or tag 6 = B's pasted manifest, a document's records |
//!
//! Why this shape:
//!
//! * **`v1.` prefix**: the major version is outside the compressed data, so a page can name the
//!   version of a link it cannot read, and a fragment from some other site is told apart from a
//!   damaged link. `.` and the base64url alphabet are URL "unreserved" characters: no app
//!   percent-encodes them.
//! * **Records, not JSON**: documents are arbitrary bytes; JSON would need base64 inside base64
//!   (a third longer before compression, and base64 text deflates poorly). Tag-length-value
//!   records carry bytes as bytes and let deflate see the document's own redundancy.
//! * **Forward compatibility**: a reader skips records whose tag it does not know, inside
//!   documents and references too, so a later v1 page can add fields that this page ignores.
//!   The lowest tag bit marks a record a reader must understand (PNG's critical chunks): a
//!   newer page that adds something whose omission would show wrong bytes sets it, and this
//!   page refuses the link instead of silently showing something else. Tag 0 is never valid, so
//!   a run of zero bytes is not a valid container.
//! * **CRC-32 trailer** (as in gzip): raw deflate has no checksum, and a tampered or mangled
//!   link could otherwise inflate to different bytes and show a different digest as if it were
//!   the shared one.
//! * **Bounds before allocation**: a link is untrusted input. The fragment is refused past
//!   [`CHROMIUM_MAX_URL_CHARS`] before decoding; inflation writes through a fixed window into an
//!   output that may not pass [`MAX_SNAPSHOT_BYTES`] (a deflate "zip bomb" expands about 1000:1);
//!   every count and length read from the data is checked against its cap before anything is
//!   copied.
//!
//! [`encode`] refuses exactly what [`decode`] would refuse, so a link this page makes always opens.

mod read;
mod write;

use read::read_container;
use write::write_container;

use crate::core::diagnose::Side;
use crate::core::digest::{Digest, DigestError};
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, DecodeError, Engine as _};
use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc, Decompress, FlushDecompress, Status};
use std::fmt;
use std::io::Write as _;

/// The link format this page writes and reads.
pub const VERSION: u32 = 1;

/// The largest document a link carries: the same 4 MiB cap as a paste or drop.
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// The largest inflated container: bounds the memory an untrusted link can make the page use.
pub const MAX_SNAPSHOT_BYTES: usize = 16 * 1024 * 1024;

/// The most documents one link carries (compare mode needs two; a pasted index with every
/// platform manifest and config of a 50-platform image needs about a hundred).
pub const MAX_DOCUMENTS: usize = 128;

/// The most registry references one link carries.
pub const MAX_REFERENCES: usize = 128;

/// The longest name, reference, digest or selection: several times the longest reference
/// a registry accepts, short enough that a hostile link cannot flood the page with a "name".
pub const MAX_TEXT_BYTES: usize = 4096;

/// Past this a link is "long": RFC 9110 section 4.1 recommends supporting at least 8000 octets,
/// so shorter links survive most chat, mail and ticket systems.
pub const LONG_LINK_CHARS: usize = 8000;

/// Firefox refuses longer URLs: `network.standard-url.max-length` defaults to 1,048,576
/// (modules/libpref/init/StaticPrefList.yaml; netwerk's `test_hugeStringThrows` tests it).
pub const FIREFOX_MAX_URL_CHARS: usize = 1024 * 1024;

/// Chromium refuses longer URLs: `kMaxURLChars = 2 * 1024 * 1024` (url/url_constants.h; Mojo
/// replaces longer URLs with empty ones). No link this page makes or opens is longer.
pub const CHROMIUM_MAX_URL_CHARS: usize = 2 * 1024 * 1024;

const PREFIX: &str = "v1.";

/// Bytes inflated per step: the fixed window that keeps decompression bounded.
const INFLATE_WINDOW: usize = 64 * 1024;

/// The most bytes an unsigned LEB128 varint of a u64 takes.
const MAX_VARINT_BYTES: usize = 10;

/// Record tags (`field << 1`; the must-understand bit is clear on all of v1's).
mod tag {
    pub const DOCUMENT: u64 = 1 << 1;
    pub const REFERENCE: u64 = 2 << 1;
    pub const SELECTED: u64 = 3 << 1;
    pub const COMPARE_SIDE: u64 = 5 << 1;
    pub const EXPECTED: u64 = 6 << 1;
    /// Added to v1 after its first pages: they skip it (its bit 0 is clear) and show the rest.
    pub const IMAGES: u64 = 7 << 1;

    /// Inside a document record.
    pub const DOCUMENT_NAME: u64 = 1 << 1;
    pub const DOCUMENT_BYTES: u64 = 2 << 1;

    /// Inside a reference record.
    pub const REFERENCE_STRING: u64 = 1 << 1;
    pub const REFERENCE_DIGEST: u64 = 2 << 1;

    /// Inside a compare side record.
    pub const SIDE_NAME: u64 = 1 << 1;
    pub const SIDE_DOCUMENT: u64 = 2 << 1;
    pub const SIDE_DIGEST: u64 = 3 << 1;

    /// Inside a "Compare two images" record.
    pub const IMAGES_A: u64 = 1 << 1;
    pub const IMAGES_B_REFERENCE: u64 = 2 << 1;
    pub const IMAGES_B_PASTED: u64 = 3 << 1;

    /// Inside an expected digest record.
    pub const EXPECTED_DOCUMENT: u64 = 1 << 1;
    pub const EXPECTED_TYPED: u64 = 2 << 1;

    /// Set on a record that a reader must understand or refuse the link.
    pub const MUST_UNDERSTAND: u64 = 1;
}

/// What a permalink carries. Deliberately has no place for credentials, tokens or proxy settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Pasted or dropped documents, in the order the page showed them.
    pub documents: Vec<SharedDocument>,
    /// Registry analyses, each pinned to the digest that was seen.
    pub references: Vec<PinnedReference>,
    /// The box selected on the relationship map, as the page names it (`graph::NodeKey`'s text
    /// form); opaque here, so a page that cannot name it again just selects nothing.
    pub selected: Option<String>,
    /// What the comparison's side A holds.
    pub compare_a: Option<ComparedDocument>,
    /// What the comparison's side B holds.
    pub compare_b: Option<ComparedDocument>,
    /// What was typed into documents' "expected another digest?" boxes.
    pub expected: Vec<ExpectedDigest>,
    /// The "Compare two images" form's last comparison.
    pub images: Option<ComparedImages>,
}

/// What the "Compare two images" form compared: each reference as typed, pinned to the digest of
/// the document it named when it was fetched, so the page opening the link fetches those bytes
/// again and verifies them rather than trusting tags that may have moved since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparedImages {
    pub a: PinnedReference,
    pub b: ImageB,
}

/// What named image B.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageB {
    Reference(PinnedReference),
    /// B's manifest as pasted: its exact bytes (the text box's UTF-8).
    Pasted(Vec<u8>),
}

impl Snapshot {
    /// What the comparison's `side` holds.
    pub fn compared(&self, side: Side) -> Option<&ComparedDocument> {
        match side {
            Side::A => self.compare_a.as_ref(),
            Side::B => self.compare_b.as_ref(),
        }
    }

    fn compared_mut(&mut self, side: Side) -> &mut Option<ComparedDocument> {
        match side {
            Side::A => &mut self.compare_a,
            Side::B => &mut self.compare_b,
        }
    }
}

/// The text typed into a document's "expected another digest?" box: kept as typed (a full digest,
/// bare hex, or a 12-character short form), so the page that opens the link asks the same question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedDigest {
    /// The document it was typed for, by digest (see [`ComparedDocument::Loaded`] for why).
    pub document: Digest,
    pub typed: String,
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComparedDocument {
    /// A document of the analysis (in [`Snapshot::documents`], or fetched again for
    /// [`Snapshot::references`]), named by its digest rather than a position: documents fetched
    /// from a registry come back in whatever order the registry answers.
    Loaded(Digest),
    /// A document pasted or opened for this side only: its exact bytes.
    Own(SharedDocument),
}

/// A document as the user gave it: its exact bytes, never re-serialized.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SharedDocument {
    /// A file name, or a label such as "pasted"; shown, never used as a path.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A registry analysis: the reference as the user typed it (e.g. `127.0.0.1:5000/demo/app:1`)
/// and the digest that was seen, so the page opening the link fetches `…@digest` and verifies the
/// bytes instead of trusting a tag that may have moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedReference {
    pub reference: String,
    pub digest: Digest,
}

/// Why a snapshot cannot be put in a link, or a link cannot be opened. Each message is a sentence
/// for the person who clicked the link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PermalinkError {
    /// The fragment is not `v<number>.…`: it belongs to some other page or was typed by hand.
    NotAPermalink,
    /// The link is of a format version this page does not read.
    UnsupportedVersion { found: u32, supported: u32 },
    /// The link (or the one that would be made) is longer than Chromium accepts.
    LinkTooLong { length: usize, limit: usize },
    /// A character outside the base64url alphabet: changed by an app or by hand.
    BadCharacter { position: usize, found: char },
    /// The data ends early: the link was cut off when it was copied.
    CutOff,
    /// The compressed data is not valid deflate.
    CorruptData,
    /// Characters follow the end of the data (which deflate's end marker and the checksum after
    /// it fix): something was added to the link.
    ExtraCharacters { count: usize },
    /// The last character holds bits no encoder writes, and the data is otherwise intact.
    ChangedLastCharacter { found: char },
    /// The data decompressed but its checksum does not match: the link was altered.
    ChecksumMismatch { expected: u32, actual: u32 },
    /// The snapshot inflates (or would encode) past [`MAX_SNAPSHOT_BYTES`].
    SnapshotTooLarge { limit: usize },
    /// A document is larger than [`MAX_DOCUMENT_BYTES`]; `index` counts from 0.
    DocumentTooLarge { index: usize, size: usize, limit: usize },
    /// More documents or references than a link carries.
    TooMany { what: &'static str, limit: usize },
    /// A name, reference, digest or selection longer than [`MAX_TEXT_BYTES`].
    FieldTooLong {
        field: &'static str,
        length: usize,
        limit: usize,
    },
    /// A text field that is not UTF-8.
    NotUtf8 { field: &'static str },
    /// A pinned digest that is not a digest; `index` counts references from 0.
    BadDigest { index: usize, error: DigestError },
    /// A "Compare two images" reference pinned to something that is not a digest.
    BadImageDigest { side: Side, error: DigestError },
    /// A compare side's own document is larger than [`MAX_DOCUMENT_BYTES`].
    ComparedDocumentTooLarge { side: Side, size: usize, limit: usize },
    /// A compare side names a document by something that is not a digest.
    BadComparedDigest { side: Side, error: DigestError },
    /// An expected digest names its document by something that is not a digest; `index` counts
    /// expected digests from 0.
    BadExpectedDocument { index: usize, error: DigestError },
    /// The container is not laid out as format v1 says.
    Malformed { reason: &'static str },
    /// A record a newer page marked as one that must be understood.
    UnknownRequiredRecord { tag: u64 },
    /// The deflate library failed while compressing (it documents this only for API misuse).
    Compression { message: String },
}

impl fmt::Display for PermalinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PermalinkError::NotAPermalink => write!(
                f,
                "the part of this link after '#' is not a Digest Lens permalink (those start with \"v1.\")"
            ),
            PermalinkError::UnsupportedVersion { found, supported } if found > supported => write!(
                f,
                "this link was made by a newer Digest Lens (link format v{found}); this page reads \
                 format v{supported}: open it with a newer version of the page"
            ),
            PermalinkError::UnsupportedVersion { found, supported } => write!(
                f,
                "this link says it is format v{found}, which never existed; this page reads format \
                 v{supported}"
            ),
            PermalinkError::LinkTooLong { length, limit } => write!(
                f,
                "the link would be {length} characters long; browsers accept at most {limit}: share \
                 fewer or smaller documents, or a registry reference instead"
            ),
            PermalinkError::BadCharacter { position, found } => write!(
                f,
                "the link holds {found:?} at character {position} after '#', which a Digest Lens link \
                 never contains: an app or an edit changed it; copy the original link again"
            ),
            PermalinkError::CutOff => write!(
                f,
                "the link ends too early: it was probably cut off when it was copied; copy the whole \
                 link again"
            ),
            PermalinkError::CorruptData => write!(
                f,
                "the link's data is damaged (it does not decompress): copy the original link again"
            ),
            PermalinkError::ExtraCharacters { count } => write!(
                f,
                "the link has {count} character(s) more than its data says it has: something was \
                 added to its end; copy the original link again"
            ),
            PermalinkError::ChangedLastCharacter { found } => write!(
                f,
                "the link's last character {found:?} is not one a Digest Lens link ends with: it was \
                 changed; copy the original link again"
            ),
            PermalinkError::ChecksumMismatch { expected, actual } => write!(
                f,
                "the link's checksum does not match its contents (expected {expected:08x}, computed \
                 {actual:08x}): it was altered, so its documents are not shown"
            ),
            PermalinkError::SnapshotTooLarge { limit } => write!(
                f,
                "the link's contents are larger than {limit} bytes, more than this page opens"
            ),
            PermalinkError::DocumentTooLarge { index, size, limit } => write!(
                f,
                "document {} is {size} bytes; a link carries documents of at most {limit} bytes",
                index + 1
            ),
            PermalinkError::TooMany { what, limit } => {
                write!(f, "a link carries at most {limit} {what}")
            }
            PermalinkError::FieldTooLong { field, length, limit } => write!(
                f,
                "the {field} is {length} bytes long; a link carries at most {limit}"
            ),
            PermalinkError::NotUtf8 { field } => {
                write!(f, "the link's {field} is not valid UTF-8 text")
            }
            PermalinkError::BadDigest { index, error } => write!(
                f,
                "the digest pinned for registry reference {} is not a digest: {error}",
                index + 1
            ),
            PermalinkError::BadImageDigest { side, error } => write!(
                f,
                "the digest pinned for image {side} of \"Compare two images\" is not a digest: {error}"
            ),
            PermalinkError::ComparedDocumentTooLarge { side, size, limit } => write!(
                f,
                "the document compared as {side} is {size} bytes; a link carries documents of at \
                 most {limit} bytes"
            ),
            PermalinkError::BadComparedDigest { side, error } => write!(
                f,
                "the document compared as {side} is named by something that is not a digest: {error}"
            ),
            PermalinkError::BadExpectedDocument { index, error } => write!(
                f,
                "expected digest {} is typed for a document named by something that is not a \
                 digest: {error}",
                index + 1
            ),
            PermalinkError::Malformed { reason } => write!(
                f,
                "the link's contents are not laid out as link format v1 says: {reason}"
            ),
            PermalinkError::UnknownRequiredRecord { tag } => write!(
                f,
                "this link uses a feature (record {tag}) that this page does not know and must not \
                 skip: open it with a newer version of the page"
            ),
            PermalinkError::Compression { message } => {
                write!(f, "compressing the link failed: {message}")
            }
        }
    }
}

impl std::error::Error for PermalinkError {}

/// How a full URL's length affects sharing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkLength {
    /// At most [`LONG_LINK_CHARS`]: fits anywhere a link is pasted.
    Fine,
    /// Browsers open it, but some apps may cut it when it is pasted.
    Long,
    /// Chromium and Safari open it; Firefox refuses URLs past [`FIREFOX_MAX_URL_CHARS`].
    TooLongForFirefox,
    /// Past [`CHROMIUM_MAX_URL_CHARS`]: no mainstream browser opens it; do not offer it.
    TooLong,
}

impl LinkLength {
    /// Classify a URL by its length in characters (URLs are ASCII: the base64url payload is).
    pub fn of(url: &str) -> LinkLength {
        match url.len() {
            n if n > CHROMIUM_MAX_URL_CHARS => LinkLength::TooLong,
            n if n > FIREFOX_MAX_URL_CHARS => LinkLength::TooLongForFirefox,
            n if n > LONG_LINK_CHARS => LinkLength::Long,
            _ => LinkLength::Fine,
        }
    }
}

impl fmt::Display for LinkLength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkLength::Fine => write!(f, "this link fits anywhere a link can be pasted"),
            LinkLength::Long => write!(
                f,
                "this link is long (over {LONG_LINK_CHARS} characters); some apps may truncate it"
            ),
            LinkLength::TooLongForFirefox => write!(
                f,
                "this link is over {FIREFOX_MAX_URL_CHARS} characters: Chrome, Edge and Safari open \
                 it, Firefox does not"
            ),
            LinkLength::TooLong => write!(
                f,
                "this link is over {CHROMIUM_MAX_URL_CHARS} characters, more than browsers accept: \
                 share fewer or smaller documents, or a registry reference instead"
            ),
        }
    }
}

/// The fragment (without '#') that carries `snapshot`. Refuses what [`decode`] would refuse.
///
/// Compresses at the best level: measured natively, it makes a 50-platform index's link 2%
/// shorter than the default level at the same speed (about 0.2 ms); only a 4 MiB document pays,
/// up to about twice as long (0.12-0.4 s against 0.14 s on a shared 2-core machine), once, when
/// the user asks for a link.
pub fn encode(snapshot: &Snapshot) -> Result<String, PermalinkError> {
    let container = write_container(snapshot)?;
    let mut crc = Crc::new();
    crc.update(&container);

    let mut deflater = DeflateEncoder::new(Vec::new(), Compression::best());
    let compression_failed = |e: std::io::Error| PermalinkError::Compression {
        message: e.to_string(),
    };
    deflater.write_all(&container).map_err(compression_failed)?;
    let mut binary = deflater.finish().map_err(compression_failed)?;
    binary.extend_from_slice(&crc.sum().to_le_bytes());

    let length = PREFIX.len() + base64::encoded_len(binary.len(), false).unwrap_or(usize::MAX);
    if length > CHROMIUM_MAX_URL_CHARS {
        return Err(PermalinkError::LinkTooLong {
            length,
            limit: CHROMIUM_MAX_URL_CHARS,
        });
    }
    let mut fragment = String::with_capacity(length);
    fragment.push_str(PREFIX);
    URL_SAFE_NO_PAD.encode_string(&binary, &mut fragment);
    Ok(fragment)
}

/// Open a fragment made by [`encode`]. A leading '#' (as `location.hash` has) is accepted.
pub fn decode(fragment: &str) -> Result<Snapshot, PermalinkError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > CHROMIUM_MAX_URL_CHARS {
        return Err(PermalinkError::LinkTooLong {
            length: fragment.len(),
            limit: CHROMIUM_MAX_URL_CHARS,
        });
    }
    let payload = strip_version(fragment)?;
    match URL_SAFE_NO_PAD.decode(payload) {
        Ok(binary) => open_binary(&binary, payload.len()),
        Err(e) => Err(base64_error(&e, payload, fragment.len() - payload.len())),
    }
}

/// The snapshot in `binary` (deflate data, then its CRC-32), decoded from `chars` characters.
///
/// Deflate marks its own end, so where the data ends is known: fewer than the checksum's 4 bytes
/// after it is a cut-off link, more characters than the data and checksum encode to were added.
fn open_binary(binary: &[u8], chars: usize) -> Result<Snapshot, PermalinkError> {
    let (container, trailer) = inflate_bounded(binary, MAX_SNAPSHOT_BYTES)?;
    let expected = match trailer {
        [a, b, c, d, ..] => u32::from_le_bytes([*a, *b, *c, *d]),
        _ => return Err(PermalinkError::CutOff),
    };
    let data_bytes = binary.len() - trailer.len() + 4;
    let data_chars = base64::encoded_len(data_bytes, false).unwrap_or(usize::MAX);
    if chars > data_chars {
        return Err(PermalinkError::ExtraCharacters {
            count: chars - data_chars,
        });
    }
    let mut crc = Crc::new();
    crc.update(&container);
    if crc.sum() != expected {
        return Err(PermalinkError::ChecksumMismatch {
            expected,
            actual: crc.sum(),
        });
    }
    read_container(&container)
}

/// The payload after `v1.`; names the version of any other `v<number>.` fragment.
fn strip_version(fragment: &str) -> Result<&str, PermalinkError> {
    let (version, payload) = fragment
        .strip_prefix('v')
        .and_then(|rest| rest.split_once('.'))
        .ok_or(PermalinkError::NotAPermalink)?;
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PermalinkError::NotAPermalink);
    }
    let found: u32 = version.parse().map_err(|_| PermalinkError::NotAPermalink)?;
    if found != VERSION {
        return Err(PermalinkError::UnsupportedVersion {
            found,
            supported: VERSION,
        });
    }
    Ok(payload)
}

/// Translate base64's error into what happened to the link. `offset` is the payload's position
/// in the fragment, so positions count from the character after '#'.
fn base64_error(error: &DecodeError, payload: &str, offset: usize) -> PermalinkError {
    let bad_character = |position: usize| PermalinkError::BadCharacter {
        position: offset + position,
        found: payload
            .get(position..)
            .and_then(|rest| rest.chars().next())
            .unwrap_or(char::REPLACEMENT_CHARACTER),
    };
    match error {
        DecodeError::InvalidByte(position, _) => bad_character(*position),
        // Padding is never written, so an '=' was added by something else.
        DecodeError::InvalidPadding => payload.find('=').map_or(PermalinkError::CutOff, bad_character),
        // A length no encoder produces, or stray bits in the last character: cut off, extended
        // or changed at its end; the data itself tells which.
        DecodeError::InvalidLength(_) | DecodeError::InvalidLastSymbol { .. } => damaged_end(payload),
    }
}

/// Reads a payload whose end base64 refuses (a dangling character, or bits an encoder leaves 0)
/// as far as it goes, so the data says what happened: cut off, characters added, or changed.
fn damaged_end(payload: &str) -> PermalinkError {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireNone),
    );
    // A lone character after whole groups of four carries no byte.
    let whole = match payload.len() % 4 {
        1 => payload.get(..payload.len() - 1),
        _ => Some(payload),
    };
    let Some(binary) = whole.and_then(|whole| LENIENT.decode(whole).ok()) else {
        return PermalinkError::CutOff;
    };
    match open_binary(&binary, payload.len()) {
        // Intact data ending in a character with stray bits: only that character was changed.
        Ok(_) => PermalinkError::ChangedLastCharacter {
            found: payload.chars().last().unwrap_or(char::REPLACEMENT_CHARACTER),
        },
        Err(error) => error,
    }
}

/// Inflate raw deflate from `input`, refusing to produce more than `cap` bytes. Returns the
/// output and the input after the end of the deflate stream.
///
/// Output grows only as real data arrives, through a fixed window, and each step must consume
/// input or produce output, so neither a bomb nor a truncated stream can exhaust memory or loop.
fn inflate_bounded(input: &[u8], cap: usize) -> Result<(Vec<u8>, &[u8]), PermalinkError> {
    let mut inflater = Decompress::new(false);
    let mut window = vec![0; INFLATE_WINDOW];
    let mut output = Vec::new();
    loop {
        let consumed_before = inflater.total_in();
        let produced_before = inflater.total_out();
        let rest = input.get(to_usize(consumed_before)..).unwrap_or_default();
        let status = inflater
            .decompress(rest, &mut window, FlushDecompress::None)
            .map_err(|_| PermalinkError::CorruptData)?;
        let produced = to_usize(inflater.total_out() - produced_before);
        if output.len().saturating_add(produced) > cap {
            return Err(PermalinkError::SnapshotTooLarge { limit: cap });
        }
        output.extend_from_slice(window.get(..produced).unwrap_or_default());
        match status {
            Status::StreamEnd => {
                let after = input.get(to_usize(inflater.total_in())..).unwrap_or_default();
                return Ok((output, after));
            }
            Status::Ok | Status::BufError => {
                if produced == 0 && inflater.total_in() == consumed_before {
                    return Err(PermalinkError::CutOff);
                }
            }
        }
    }
}

/// Counters of a stream over an in-memory slice always fit; saturating keeps this panic-free.
fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}
