//! "Why is this not the digest I expected?": one document and the digest the user expected; finds
//! the edit, the reserialization or the related digest that would produce it.

use super::compare::schema1_payload;
use crate::core::descriptor::{Platform, Role};
use crate::core::digest::{Digest, DigestError};
use crate::core::document::{Analysis, Body, Document, Kind};
use crate::core::explain::DigestRole;
use crate::core::reserialize::{self, Style};
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

/// A digest the user expected: a full digest, or a hex prefix of one (12 characters, as
/// `docker images` prints an IMAGE ID, or more).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    Full(Digest),
    /// Lowercase hex, the start of a sha256 digest's encoded part.
    Prefix(String),
}

/// docker shows 12 hex characters; fewer match too many digests to say anything.
pub const SHORTEST_PREFIX: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedError {
    Empty,
    TooShort { length: usize },
    Digest(DigestError),
}

impl fmt::Display for ExpectedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedError::Empty => write!(f, "type or paste the digest you expected"),
            ExpectedError::TooShort { length } => write!(
                f,
                "{length} hex characters are too few to tell digests apart; give at least {SHORTEST_PREFIX} (as docker images prints)"
            ),
            ExpectedError::Digest(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ExpectedError {}

impl FromStr for Expected {
    type Err = ExpectedError;

    fn from_str(s: &str) -> Result<Expected, ExpectedError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ExpectedError::Empty);
        }
        let hex = s.strip_prefix("sha256:").unwrap_or(s);
        let is_hex = hex.bytes().all(|b| b.is_ascii_hexdigit());
        if is_hex && hex.len() < 64 {
            return if hex.len() >= SHORTEST_PREFIX {
                Ok(Expected::Prefix(hex.to_ascii_lowercase()))
            } else {
                Err(ExpectedError::TooShort { length: hex.len() })
            };
        }
        let full = if s.contains(':') {
            s.to_owned()
        } else {
            format!("sha256:{}", s.to_ascii_lowercase())
        };
        full.parse().map(Expected::Full).map_err(ExpectedError::Digest)
    }
}

impl Expected {
    pub fn matches(&self, digest: &Digest) -> bool {
        match self {
            Expected::Full(expected) => expected == digest,
            Expected::Prefix(prefix) => {
                digest.algorithm().as_str() == "sha256" && digest.encoded().starts_with(prefix.as_str())
            }
        }
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Full(digest) => digest.fmt(f),
            Expected::Prefix(prefix) => write!(f, "{prefix}…"),
        }
    }
}

/// An edit of the bytes themselves, the kind terminals, editors and copy-paste make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteEdit {
    RemoveTrailingNewline,
    AddTrailingNewline,
    RemoveByteOrderMark,
    CrlfToLf,
    LfToCrlf,
    TrimWhitespace,
}

impl ByteEdit {
    const ALL: [ByteEdit; 6] = [
        ByteEdit::RemoveTrailingNewline,
        ByteEdit::AddTrailingNewline,
        ByteEdit::RemoveByteOrderMark,
        ByteEdit::CrlfToLf,
        ByteEdit::LfToCrlf,
        ByteEdit::TrimWhitespace,
    ];

    /// The edited bytes, or `None` when the edit does not apply.
    pub(super) fn apply(self, bytes: &[u8]) -> Option<Vec<u8>> {
        let edited = match self {
            ByteEdit::RemoveTrailingNewline => bytes
                .strip_suffix(b"\r\n")
                .or_else(|| bytes.strip_suffix(b"\n"))?
                .to_vec(),
            ByteEdit::AddTrailingNewline => [bytes, b"\n"].concat(),
            ByteEdit::RemoveByteOrderMark => bytes.strip_prefix(b"\xEF\xBB\xBF")?.to_vec(),
            ByteEdit::CrlfToLf => replace(bytes, b"\r\n", b"\n"),
            ByteEdit::LfToCrlf => replace(&replace(bytes, b"\r\n", b"\n"), b"\n", b"\r\n"),
            ByteEdit::TrimWhitespace => bytes.trim_ascii().to_vec(),
        };
        (edited != bytes).then_some(edited)
    }
}

fn replace(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        if let Some(tail) = rest.strip_prefix(from) {
            out.extend_from_slice(to);
            rest = tail;
        } else if let Some((first, tail)) = rest.split_first() {
            out.push(*first);
            rest = tail;
        }
    }
    out
}

impl fmt::Display for ByteEdit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ByteEdit::RemoveTrailingNewline => "without the trailing newline",
            ByteEdit::AddTrailingNewline => "with a trailing newline",
            ByteEdit::RemoveByteOrderMark => "without the byte order mark",
            ByteEdit::CrlfToLf => "with LF instead of CRLF line endings",
            ByteEdit::LfToCrlf => "with CRLF instead of LF line endings",
            ByteEdit::TrimWhitespace => "without the whitespace around the JSON",
        })
    }
}

/// Where a digest was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    ThisDocument,
    /// Position in the `family` slice given to [`check_expected`].
    Family(usize),
}

/// What the expected digest turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum ExpectedCheck {
    /// The document's own digest. `schema1_payload`: it is the digest of the signed payload.
    Matches {
        digest: Digest,
        schema1_payload: bool,
        short: bool,
    },
    /// The digest of these bytes after a small edit.
    ByteEdit {
        edit: ByteEdit,
        digest: Digest,
    },
    /// The digest of the same JSON value written in another style.
    Reserialized {
        name: String,
        style: Style,
        digest: Digest,
    },
    /// Another digest of the image: named in this document or one of the family.
    OtherDigest {
        role: DigestRole,
        digest: Digest,
        place: Place,
    },
    NoMatch {
        actual: Digest,
        tried: usize,
    },
}

impl ExpectedCheck {
    pub fn slug(&self) -> &'static str {
        match self {
            ExpectedCheck::Matches { .. } => "matches",
            ExpectedCheck::ByteEdit { .. } => "byte-edit",
            ExpectedCheck::Reserialized { .. } => "reserialized",
            ExpectedCheck::OtherDigest { .. } => "other-digest",
            ExpectedCheck::NoMatch { .. } => "no-match",
        }
    }
}

impl fmt::Display for ExpectedCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedCheck::Matches {
                digest,
                schema1_payload,
                short,
            } => {
                if *short {
                    write!(f, "It matches: the expected value is the start of this document's digest, {digest}.")?;
                } else {
                    write!(f, "It matches: this document's digest is {digest}.")?;
                }
                if *schema1_payload {
                    write!(
                        f,
                        " For a signed schema 1 manifest that is the sha256 of the signed payload (the manifest \
                         without its signatures), as registries name it."
                    )?;
                }
                Ok(())
            }
            ExpectedCheck::ByteEdit { edit, digest } => write!(
                f,
                "The expected digest {digest} is of these same bytes {edit}: the copy you have gained or lost that \
                 on its way (terminals, editors and copy-paste do this)."
            ),
            ExpectedCheck::Reserialized { name, digest, .. } => write!(
                f,
                "The expected digest {digest} is of the same JSON written as {name}: one of the two was \
                 re-serialized, so the content is the same but the bytes, and the digest, are not."
            ),
            ExpectedCheck::OtherDigest { role, digest, place } => {
                let what = match role {
                    DigestRole::Index => "the digest of the multi-platform index".to_owned(),
                    DigestRole::PlatformManifest { platform } => format!(
                        "the digest of the {} manifest",
                        platform.as_ref().map_or_else(|| "platform".to_owned(), Platform::to_string)
                    ),
                    DigestRole::Manifest => "the digest of a manifest".to_owned(),
                    DigestRole::Config => "the config digest, which is the Image ID docker shows (docker images prints its first 12 characters)".to_owned(),
                    DigestRole::LayerBlob { index } => format!("the blob digest of layer {index}"),
                    DigestRole::DiffId { index } => format!(
                        "the diff_id of layer {index}: the digest of its uncompressed tar (docker inspect's RootFS.Layers)"
                    ),
                    DigestRole::ChainId { index } => format!("the chain ID of layers 0 to {index}"),
                    DigestRole::Schema1Payload => "the digest of a signed schema 1 payload".to_owned(),
                    DigestRole::Schema1Bytes => "the sha256 of these bytes with their signatures, which no tool uses as the digest of a signed schema 1 manifest".to_owned(),
                    DigestRole::Subject => "the digest of the subject this artifact refers to".to_owned(),
                    DigestRole::AttestationManifest => "the digest of a buildx attestation manifest in the index".to_owned(),
                    DigestRole::EmptyDescriptor => "the digest of the OCI empty descriptor {}, which artifacts use instead of a config".to_owned(),
                    DigestRole::ArtifactBlob { index } => format!("the digest of blob {index} of an artifact"),
                    DigestRole::Referrer => "the digest of a referrer (a signature, SBOM or attestation) attached to an image".to_owned(),
                    DigestRole::Bytes => "the sha256 of a loaded document".to_owned(),
                };
                let place = match place {
                    Place::ThisDocument => "named in this document".to_owned(),
                    Place::Family(i) => format!("found in loaded document {}", i + 1),
                };
                write!(f, "The expected digest {digest} is {what} ({place}), not this document's digest.")
            }
            ExpectedCheck::NoMatch { actual, tried } => write!(
                f,
                "No match: these bytes hash to {actual}, and neither {tried} re-serializations and edits of the same \
                 JSON nor any digest in the loaded documents give the expected one. It is probably another image, \
                 another version of it (a tag that moved), or this image converted between OCI and Docker media \
                 types or recompressed: load the other document and compare the two to tell."
            ),
        }
    }
}

/// The digests a document names, each with its role.
fn named_digests(analysis: &Analysis) -> Vec<(DigestRole, Digest)> {
    let mut found = Vec::new();
    match &analysis.body {
        Body::Manifest {
            config,
            layers,
            subject,
        } => {
            found.extend(
                config
                    .as_deref()
                    .and_then(|c| c.digest.clone())
                    .map(|d| (DigestRole::Config, d)),
            );
            for (index, layer) in layers.iter().enumerate() {
                found.extend(layer.digest.clone().map(|d| (DigestRole::LayerBlob { index }, d)));
            }
            found.extend(
                subject
                    .as_deref()
                    .and_then(|s| s.digest.clone())
                    .map(|d| (DigestRole::Subject, d)),
            );
        }
        Body::Index { manifests, subject } => {
            for entry in manifests {
                let role = if entry.is_attestation() {
                    DigestRole::AttestationManifest
                } else {
                    DigestRole::PlatformManifest {
                        platform: entry.platform.clone(),
                    }
                };
                found.extend(entry.digest.clone().map(|d| (role, d)));
            }
            found.extend(
                subject
                    .as_deref()
                    .and_then(|s| s.digest.clone())
                    .map(|d| (DigestRole::Subject, d)),
            );
        }
        Body::Config(config) => {
            for (index, diff_id) in config.diff_ids.iter().enumerate() {
                if let Ok(d) = diff_id {
                    found.push((DigestRole::DiffId { index }, d.clone()));
                }
            }
            for (index, chain_id) in config.chain_ids.iter().enumerate() {
                found.push((DigestRole::ChainId { index }, chain_id.clone()));
            }
        }
        Body::Schema1(view) => {
            // fsLayers lists the newest layer first; count from the base as everywhere else.
            let count = view.blob_sums.len();
            for (i, blob_sum) in view.blob_sums.iter().enumerate() {
                if let Ok(d) = blob_sum.parse::<Digest>() {
                    found.push((DigestRole::LayerBlob { index: count - 1 - i }, d));
                }
            }
            if schema1_payload(analysis).is_some() {
                found.push((DigestRole::Schema1Bytes, analysis.bytes_digest.clone()));
            }
        }
        Body::Opaque => {}
    }
    found
}

/// The role of a whole document, looking for an index in `family` that lists it.
fn document_role(document: &Analysis, family: &[&Analysis]) -> DigestRole {
    match document.kind {
        Kind::OciIndex | Kind::DockerManifestList => DigestRole::Index,
        Kind::OciManifest | Kind::DockerManifest | Kind::DockerSchema1 | Kind::DockerSchema1Signed => family
            .iter()
            .flat_map(|f| f.descriptors())
            .find(|d| matches!(d.role, Role::Manifest(_)) && d.digest.as_ref() == Some(document.digest()))
            .map_or(DigestRole::Manifest, |d| DigestRole::PlatformManifest {
                platform: d.platform.clone(),
            }),
        Kind::OciArtifactManifest => DigestRole::Manifest,
        Kind::OciConfig | Kind::DockerConfig | Kind::ImageConfig | Kind::MinimalConfig => DigestRole::Config,
        Kind::UnknownJson | Kind::NotJson | Kind::Empty => DigestRole::Bytes,
    }
}

/// The name a user knows a style by: its entry in [`reserialize::common_styles`], or its description.
fn style_name(style: &Style) -> String {
    reserialize::common_styles()
        .into_iter()
        .find(|(_, s)| s == style)
        .map_or_else(|| style.to_string(), |(name, _)| name.to_owned())
}

/// Checks `bytes` (analysed as `analysis`) against the digest the user expected; when it does not
/// match, finds what does produce it: a small byte edit, a re-serialization of the same JSON, or
/// another digest of the image in this document or in `family` (the other loaded documents).
pub fn check_expected(document: &Document, expected: &Expected, family: &[&Document]) -> ExpectedCheck {
    let (bytes, analysis) = (document.bytes(), document.analysis());
    let family: Vec<&Analysis> = family.iter().map(|d| d.analysis()).collect();
    let family = family.as_slice();
    let own = analysis.digest();
    if expected.matches(own) {
        return ExpectedCheck::Matches {
            digest: own.clone(),
            schema1_payload: own != &analysis.bytes_digest,
            short: matches!(expected, Expected::Prefix(_)),
        };
    }
    let mut tried = 0;
    let signed_schema1 = schema1_payload(analysis).is_some();
    if !signed_schema1 {
        for edit in ByteEdit::ALL {
            if let Some(edited) = edit.apply(bytes) {
                tried += 1;
                let digest = Digest::sha256(&edited);
                if expected.matches(&digest) {
                    return ExpectedCheck::ByteEdit { edit, digest };
                }
            }
        }
    }
    let mut everywhere: Vec<(DigestRole, Digest, Place)> = named_digests(analysis)
        .into_iter()
        .map(|(role, d)| (role, d, Place::ThisDocument))
        .collect();
    for (i, member) in family.iter().enumerate() {
        everywhere.push((
            document_role(member, family),
            member.digest().clone(),
            Place::Family(i),
        ));
        everywhere.extend(
            named_digests(member)
                .into_iter()
                .map(|(role, d)| (role, d, Place::Family(i))),
        );
    }
    if let Some((role, digest, place)) = everywhere.into_iter().find(|(_, d, _)| expected.matches(d)) {
        return ExpectedCheck::OtherDigest { role, digest, place };
    }
    if let (Some(value), false) = (&analysis.json, signed_schema1) {
        let mut seen = HashSet::new();
        for style in reserialize::variants_for(value) {
            let written = reserialize::write(value, &style);
            let digest = Digest::sha256(&written);
            if !seen.insert(digest.clone()) {
                continue;
            }
            tried += 1;
            if expected.matches(&digest) {
                return ExpectedCheck::Reserialized {
                    name: style_name(&style),
                    style,
                    digest,
                };
            }
        }
    }
    ExpectedCheck::NoMatch {
        actual: own.clone(),
        tried,
    }
}
