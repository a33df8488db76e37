//! "Why do these digests differ?": two documents in, the reason out, most specific first.
//!
//! A digest names bytes, so two documents with different digests can still be the same image: the
//! same JSON written another way (re-serialized), the same image with Docker instead of OCI media
//! types (converted), the same files compressed again (recompressed), or a multi-platform index
//! next to one of its platform manifests. [`compare`] tells these apart from the two documents
//! alone. [`check_expected`] starts from one document and the digest the user expected, and finds
//! what would produce it. [`repush_preview`] shows what common tools would write instead.
//!
//! Every verdict carries its evidence (the digests it rests on) so the user can check it.
//! [`report`] is what the page shows of each answer (it computes them in a worker).

pub mod report;

use super::descriptor::{Descriptor, Platform, Role};
use super::digest::{Digest, DigestError};
use super::document::{Analysis, Body, Kind, Schema1View};
use super::explain::DigestRole;
use super::media_type::MediaType;
use super::reserialize::{self, Formatting, Identified, KeyOrder, LineEnding, RawValue, SeenLayout, Style};
use serde_json::{Number, Value};
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

/// Which of the two compared documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

impl Side {
    fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::A => "A",
            Side::B => "B",
        })
    }
}

/// A way two spellings of one escaped string differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscapeKind {
    /// `<`, `>`, `&` as `\u003c`, `\u003e`, `\u0026`: Go's `json.Marshal` default.
    Html,
    /// U+2028/U+2029 as `\u2028`/`\u2029`: Go always does this.
    LineSeparator,
    /// Non-ASCII as `\uXXXX`: Python's default.
    NonAscii,
    /// `/` as `\/`.
    Slash,
    /// `\b`/`\f` versus `\u0008`/`\u000c`: Go before 1.22 wrote the long forms.
    ControlCharacter,
    /// `\u00e9` versus `\u00E9`.
    HexCase,
    Other,
}

impl fmt::Display for EscapeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EscapeKind::Html => {
                "Go's json.Marshal writes <, > and & as \\u003c, \\u003e and \\u0026; most other tools write them as they are"
            }
            EscapeKind::LineSeparator => "Go writes U+2028 and U+2029 as \\u2028 and \\u2029; other tools write them as they are",
            EscapeKind::NonAscii => "one side writes non-ASCII characters as \\u escapes (Python's default)",
            EscapeKind::Slash => "one side writes / as \\/",
            EscapeKind::ControlCharacter => "\\b and \\f against \\u0008 and \\u000c (Go before 1.22 wrote the long forms)",
            EscapeKind::HexCase => "the \\u escapes use upper- against lowercase hex digits",
            EscapeKind::Other => "the same characters are escaped differently",
        })
    }
}

/// One way the bytes of two equal JSON values differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SerializationDifference {
    ByteOrderMark {
        a: bool,
        b: bool,
    },
    Whitespace {
        a: SeenLayout,
        b: SeenLayout,
    },
    LineEndings {
        a: Option<LineEnding>,
        b: Option<LineEnding>,
    },
    /// What follows the value on each side (`""`, `"\n"`…).
    TrailingWhitespace {
        a: String,
        b: String,
    },
    KeyOrder {
        /// The first object whose keys are in another order.
        path: String,
        a: Vec<String>,
        b: Vec<String>,
        /// How many objects differ in order.
        objects: usize,
        /// The Go struct (or sorted) order each side follows, if any.
        a_order: Option<KeyOrder>,
        b_order: Option<KeyOrder>,
    },
    StringEscaping {
        path: String,
        a: String,
        b: String,
        kind: EscapeKind,
        strings: usize,
    },
    NumberSpelling {
        path: String,
        a: String,
        b: String,
        numbers: usize,
    },
}

impl SerializationDifference {
    pub fn slug(&self) -> &'static str {
        match self {
            SerializationDifference::ByteOrderMark { .. } => "byte-order-mark",
            SerializationDifference::Whitespace { .. } => "whitespace",
            SerializationDifference::LineEndings { .. } => "line-endings",
            SerializationDifference::TrailingWhitespace { .. } => "trailing-newline",
            SerializationDifference::KeyOrder { .. } => "key-order",
            SerializationDifference::StringEscaping { .. } => "string-escaping",
            SerializationDifference::NumberSpelling { .. } => "number-spelling",
        }
    }

    fn name(&self) -> &'static str {
        match self {
            SerializationDifference::ByteOrderMark { .. } => "byte order mark",
            SerializationDifference::Whitespace { .. } => "whitespace",
            SerializationDifference::LineEndings { .. } => "line endings",
            SerializationDifference::TrailingWhitespace { .. } => "trailing newline",
            SerializationDifference::KeyOrder { .. } => "key order",
            SerializationDifference::StringEscaping { .. } => "string escaping",
            SerializationDifference::NumberSpelling { .. } => "number spelling",
        }
    }
}

fn at(path: &str) -> String {
    if path.is_empty() {
        "the top level".to_owned()
    } else {
        path.to_owned()
    }
}

fn ending(trailing: &str) -> String {
    match trailing {
        "" => "ends right after the closing bracket".to_owned(),
        "\n" => "ends with a newline".to_owned(),
        "\r\n" => "ends with a CRLF newline".to_owned(),
        other => format!("ends with {other:?}"),
    }
}

fn line_endings(ending: Option<LineEnding>) -> String {
    ending.map_or_else(|| "mixed line endings".to_owned(), |e| e.to_string())
}

impl fmt::Display for SerializationDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SerializationDifference::ByteOrderMark { a, b } => {
                let (with, without) = if *a {
                    (Side::A, Side::B)
                } else {
                    (Side::B, Side::A)
                };
                debug_assert_ne!(a, b);
                write!(
                    f,
                    "Byte order mark: {with} starts with the UTF-8 BOM (EF BB BF), {without} does not."
                )
            }
            SerializationDifference::Whitespace { a, b } if a == b => {
                write!(f, "Whitespace: both have {a}, but not the same.")
            }
            SerializationDifference::Whitespace { a, b } => write!(f, "Whitespace: A is {a}, B is {b}."),
            SerializationDifference::LineEndings { a, b } => write!(
                f,
                "Line endings: A has {}, B has {}.",
                line_endings(*a),
                line_endings(*b)
            ),
            SerializationDifference::TrailingWhitespace { a, b } => {
                write!(f, "Trailing newline: A {}, B {}.", ending(a), ending(b))
            }
            SerializationDifference::KeyOrder {
                path,
                a,
                b,
                objects,
                a_order,
                b_order,
            } => {
                write!(
                    f,
                    "Key order: at {}, A has {} and B has {}",
                    at(path),
                    a.join(", "),
                    b.join(", ")
                )?;
                if *objects > 1 {
                    write!(f, " ({objects} objects differ in key order)")?;
                }
                write!(f, ".")?;
                for (side, order) in [(Side::A, a_order), (Side::B, b_order)] {
                    match order {
                        Some(KeyOrder::Sorted) => {
                            write!(f, " {side} has every object's keys sorted (a Go map, jq -S).")?
                        }
                        Some(KeyOrder::Docker) => write!(
                            f,
                            " {side} is in the Go struct order of docker/distribution and crane (mediaType, size, digest)."
                        )?,
                        Some(KeyOrder::Oci) => write!(
                            f,
                            " {side} is in the Go struct order of the OCI image-spec (mediaType, digest, size)."
                        )?,
                        Some(KeyOrder::AsInput) | None => {}
                    }
                }
                Ok(())
            }
            SerializationDifference::StringEscaping {
                path,
                a,
                b,
                kind,
                strings,
            } => {
                let (a, b) = excerpts(a, b);
                write!(
                    f,
                    "String escaping: at {}, A writes \"{a}\" and B writes \"{b}\": {kind}",
                    at(path)
                )?;
                if *strings > 1 {
                    write!(f, " ({strings} strings are escaped differently)")?;
                }
                write!(f, ".")
            }
            SerializationDifference::NumberSpelling { path, a, b, numbers } => {
                write!(
                    f,
                    "Number spelling: at {}, A writes {a} and B writes {b}",
                    at(path)
                )?;
                if *numbers > 1 {
                    write!(f, " ({numbers} numbers are written differently)")?;
                }
                write!(f, ".")
            }
        }
    }
}

/// The parts of two long strings around their first difference, marked with … where cut.
fn excerpts(a: &str, b: &str) -> (String, String) {
    const BEFORE: usize = 12;
    const AFTER: usize = 28;
    let first = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    let cut = |s: &str| {
        let start = s
            .char_indices()
            .map(|(i, _)| i)
            .take_while(|&i| i <= first)
            .find(|&i| i + BEFORE >= first)
            .unwrap_or(0);
        let end = s
            .char_indices()
            .map(|(i, _)| i)
            .find(|&i| i >= first + AFTER)
            .unwrap_or(s.len());
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        out.push_str(s.get(start..end).unwrap_or(s));
        if end < s.len() {
            out.push('…');
        }
        out
    };
    (cut(a), cut(b))
}

/// A layer whose blob differs between two manifests of the same image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerChange {
    pub index: usize,
    pub a_media_type: Option<MediaType>,
    pub b_media_type: Option<MediaType>,
    pub a_digest: Option<Digest>,
    pub b_digest: Option<Digest>,
}

/// The compression a layer media type names.
fn compression(media_type: Option<&MediaType>) -> &'static str {
    match media_type {
        Some(MediaType::OciLayerZstd | MediaType::OciLayerNondistributableZstd) => "zstd",
        Some(
            MediaType::OciLayerGzip
            | MediaType::OciLayerNondistributableGzip
            | MediaType::DockerLayerGzip
            | MediaType::DockerForeignLayerGzip,
        ) => "gzip",
        Some(MediaType::OciLayerTar | MediaType::OciLayerNondistributableTar) => "uncompressed",
        Some(_) | None => "unknown compression",
    }
}

impl LayerChange {
    fn compressions(&self) -> (&'static str, &'static str) {
        (
            compression(self.a_media_type.as_ref()),
            compression(self.b_media_type.as_ref()),
        )
    }
}

/// "gzip → zstd", or what a change of compressor without a change of format means.
fn describe_recompression(layers: &[LayerChange]) -> String {
    let mut formats: Vec<(&str, &str)> = layers.iter().map(LayerChange::compressions).collect();
    formats.dedup();
    formats
        .iter()
        .map(|(a, b)| {
            if a == b {
                format!("{a} both times, so another compressor or compression level wrote them")
            } else {
                format!("{a} → {b}")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// An index entry (by platform) that differs between two indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDifference {
    /// `linux/amd64`, `unknown/unknown (attestation)`, or `entry N` without a platform.
    pub platform: String,
    pub a: Option<Digest>,
    pub b: Option<Digest>,
}

/// What happened to the config when a manifest was converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigChange {
    Same(Digest),
    Rewritten { a: Option<Digest>, b: Option<Digest> },
}

fn or_none(digest: Option<&Digest>) -> String {
    digest.map_or_else(|| "none".to_owned(), Digest::to_string)
}

/// Why two documents have different digests (or the same one).
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    IdenticalBytes {
        digest: Digest,
    },
    /// The same JSON value written differently.
    Reserialized {
        differences: Vec<SerializationDifference>,
        /// The style that writes each side exactly, when one of [`reserialize::variants`] does.
        a_style: Option<Identified>,
        b_style: Option<Identified>,
        /// Configs are named by their digest too: re-serializing one changes the Image ID.
        is_config: bool,
        /// Both are manifests or indexes, whose referrers follow the exact digest.
        is_manifest: bool,
    },
    /// Two signatures of one schema 1 payload.
    Schema1Resigned {
        payload: Digest,
    },
    IndexAndPlatformManifest {
        index: Side,
        position: usize,
        platform: Option<Platform>,
        attestation: bool,
    },
    ManifestAndConfig {
        manifest: Side,
        config: Digest,
    },
    /// OCI ↔ Docker media types.
    Converted {
        from: Kind,
        to: Kind,
        config: ConfigChange,
        recompressed: Vec<LayerChange>,
    },
    Recompressed {
        config: Digest,
        layers: Vec<LayerChange>,
        total: usize,
    },
    /// Same config and layers; other fields (annotations…) changed.
    ManifestEdited {
        config: Digest,
        paths: Vec<String>,
    },
    Schema1AndSchema2 {
        schema1: Side,
        other: Kind,
        same_layers: bool,
    },
    IndexesDiffer {
        /// Kinds when one is an OCI index and the other a Docker manifest list.
        converted: Option<(Kind, Kind)>,
        entries: Vec<EntryDifference>,
        /// Changed paths outside `manifests`.
        other_paths: Vec<String>,
    },
    ConfigsDiffer {
        same_diff_ids: bool,
        paths: Vec<String>,
    },
    DifferentImages {
        a_config: Option<Digest>,
        b_config: Option<Digest>,
        shared_layers: usize,
    },
    Unrelated {
        a: Kind,
        b: Kind,
    },
}

impl Verdict {
    /// Stable short name, for tests and `data-verdict`.
    pub fn slug(&self) -> &'static str {
        match self {
            Verdict::IdenticalBytes { .. } => "identical-bytes",
            Verdict::Reserialized { .. } => "reserialized",
            Verdict::Schema1Resigned { .. } => "schema1-resigned",
            Verdict::IndexAndPlatformManifest { .. } => "index-and-platform-manifest",
            Verdict::ManifestAndConfig { .. } => "manifest-and-config",
            Verdict::Converted { .. } => "converted",
            Verdict::Recompressed { .. } => "recompressed",
            Verdict::ManifestEdited { .. } => "manifest-edited",
            Verdict::Schema1AndSchema2 { .. } => "schema1-and-schema2",
            Verdict::IndexesDiffer { .. } => "indexes-differ",
            Verdict::ConfigsDiffer { .. } => "configs-differ",
            Verdict::DifferentImages { .. } => "different-images",
            Verdict::Unrelated { .. } => "unrelated",
        }
    }
}

/// Signatures, SBOMs and attestations name the manifest they belong to by its digest: the one
/// sentence every verdict about two different manifests ends with.
const REFERRERS_LEFT_BEHIND: &str =
    " Referrers (signatures, SBOMs, attestations) of one do not apply to the \
other: they point at the old digest by their subject (or cosign's sha256-<hex>.sig tag), so a copy \
with a new digest has none until it is signed or attested again.";

impl Verdict {
    /// Whether the verdict is about two manifests (or indexes) with different digests.
    fn leaves_referrers_behind(&self) -> bool {
        match self {
            Verdict::Reserialized { is_manifest, .. } => *is_manifest,
            Verdict::Converted { .. }
            | Verdict::Recompressed { .. }
            | Verdict::ManifestEdited { .. }
            | Verdict::Schema1AndSchema2 { .. }
            | Verdict::IndexesDiffer { .. }
            | Verdict::DifferentImages { .. } => true,
            Verdict::IdenticalBytes { .. }
            | Verdict::Schema1Resigned { .. }
            | Verdict::IndexAndPlatformManifest { .. }
            | Verdict::ManifestAndConfig { .. }
            | Verdict::ConfigsDiffer { .. }
            | Verdict::Unrelated { .. } => false,
        }
    }
}

fn list_paths(paths: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = paths
        .iter()
        .take(SHOWN)
        .map(|p| at(p))
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > SHOWN {
        text.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    text
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.reason(f)?;
        if self.leaves_referrers_behind() {
            f.write_str(REFERRERS_LEFT_BEHIND)?;
        }
        Ok(())
    }
}

impl Verdict {
    fn reason(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::IdenticalBytes { digest } => write!(
                f,
                "The bytes are identical, so the digests are too ({digest}). Tools that copy the bytes as they \
                 are keep it: crane copy, regctl image copy, skopeo copy --preserve-digests, oras copy."
            ),
            Verdict::Reserialized {
                differences,
                a_style,
                b_style,
                is_config,
                ..
            } => {
                let names: Vec<&str> = differences.iter().map(SerializationDifference::name).collect();
                write!(
                    f,
                    "Same JSON value, different bytes: the two hold exactly the same content, written differently \
                     ({}). A digest is a hash of the exact bytes, so re-serializing changes it.",
                    names.join(", ")
                )?;
                for (side, style) in [(Side::A, a_style), (Side::B, b_style)] {
                    if let Some(style) = style {
                        write!(f, " {side} is exactly {}.", style.description)?;
                    }
                }
                if *is_config {
                    write!(
                        f,
                        " These are image configs, whose digest is the Image ID: the Image ID differs too, although \
                         the image is the same."
                    )?;
                }
                Ok(())
            }
            Verdict::Schema1Resigned { payload } => write!(
                f,
                "The same schema 1 manifest, signed twice: the signatures differ, but a signed schema 1 manifest \
                 is named by the sha256 of its payload without the signatures, {payload}, the same for both. \
                 Registries sign schema 1 manifests again on every request."
            ),
            Verdict::IndexAndPlatformManifest {
                index,
                position,
                platform,
                attestation,
            } => {
                let child = index.other();
                let platform = platform.as_ref().map_or_else(|| "this platform".to_owned(), Platform::to_string);
                if *attestation {
                    write!(
                        f,
                        "{index} is a multi-platform index and {child} is the attestation manifest it lists at entry \
                         {position} (build provenance or SBOM), not a platform image: a different document with its \
                         own digest."
                    )
                } else {
                    write!(
                        f,
                        "{index} is a multi-platform index and {child} is the {platform} manifest it lists at entry \
                         {position}: you are comparing the multi-platform digest with the {platform} one. Both are \
                         right: a tag points at the index, and a {platform} machine pulls the manifest it lists."
                    )
                }
            }
            Verdict::ManifestAndConfig { manifest, config } => write!(
                f,
                "{} is the config blob {manifest} points at. Its digest, {config}, is the Image ID (docker images \
                 shows its first 12 characters, {}), not a manifest digest.",
                manifest.other(),
                config.short()
            ),
            Verdict::Converted {
                from,
                to,
                config,
                recompressed,
            } => {
                write!(
                    f,
                    "B is A converted from {} to {}: the media types changed, so the manifest bytes and digest \
                     changed.",
                    from.name(),
                    to.name()
                )?;
                match config {
                    ConfigChange::Same(digest) => write!(
                        f,
                        " The config blob is the same ({digest}), so the Image ID is the same."
                    )?,
                    ConfigChange::Rewritten { a, b } => write!(
                        f,
                        " The config was rewritten too ({} → {}), so the Image ID changed as well.",
                        or_none(a.as_ref()),
                        or_none(b.as_ref())
                    )?,
                }
                if recompressed.is_empty() {
                    write!(f, " The layer blobs are the same.")
                } else {
                    write!(
                        f,
                        " {} layer blob(s) were also recompressed ({}).",
                        recompressed.len(),
                        describe_recompression(recompressed)
                    )
                }
            }
            Verdict::Recompressed { config, layers, total } => write!(
                f,
                "Same image, layers recompressed: the config {config} (the Image ID) is the same, so the \
                 uncompressed layers (diff_ids) are the same, but {} of {total} layer blobs differ: {}.",
                layers.len(),
                describe_recompression(layers)
            ),
            Verdict::ManifestEdited { config, paths } => write!(
                f,
                "Same image (config {config}, same layer blobs), but the manifest was edited: {} differ. The Image \
                 ID is the same; the manifest digest is not.",
                list_paths(paths)
            ),
            Verdict::Schema1AndSchema2 {
                schema1,
                other,
                same_layers,
            } => {
                write!(
                    f,
                    "{schema1} is a Docker schema 1 manifest and {} a {}. Schema 1 is another format (signed, no \
                     config blob), so the digests can never match; registries still convert schema 2 to schema 1 \
                     for old clients.",
                    schema1.other(),
                    other.name()
                )?;
                if *same_layers {
                    write!(f, " Both list the same layer blobs: it is the same image.")
                } else {
                    write!(f, " They list different layer blobs.")
                }
            }
            Verdict::IndexesDiffer {
                converted,
                entries,
                other_paths,
            } => {
                write!(f, "Both are multi-platform indexes, but they differ")?;
                if let Some((from, to)) = converted {
                    write!(f, ": B is A converted from {} to {}", from.name(), to.name())?;
                }
                let changed = entries.iter().filter(|e| e.a.is_some() && e.b.is_some()).count();
                let only_a = entries.iter().filter(|e| e.b.is_none()).count();
                let only_b = entries.iter().filter(|e| e.a.is_none()).count();
                if entries.is_empty() {
                    write!(f, ". They list the same platform manifests")?;
                    if !other_paths.is_empty() {
                        write!(f, "; only {} differ", list_paths(other_paths))?;
                    }
                    return write!(f, ".");
                }
                write!(f, ". ")?;
                let mut parts = Vec::new();
                if changed > 0 {
                    let names: Vec<&str> = entries
                        .iter()
                        .filter(|e| e.a.is_some() && e.b.is_some())
                        .map(|e| e.platform.as_str())
                        .collect();
                    let why = if converted.is_some() {
                        "were converted with it, so they have other digests"
                    } else {
                        "have other digests"
                    };
                    parts.push(format!("{changed} platform manifest(s) {why} ({})", names.join(", ")));
                }
                if only_a > 0 {
                    parts.push(format!("{only_a} entr(ies) only in A"));
                }
                if only_b > 0 {
                    parts.push(format!("{only_b} entr(ies) only in B"));
                }
                write!(f, "{}.", parts.join("; "))
            }
            Verdict::ConfigsDiffer { same_diff_ids, paths } => {
                write!(f, "Different image configs, so different Image IDs")?;
                if *same_diff_ids {
                    write!(
                        f,
                        ". The layers (diff_ids) are the same, so the files are the same; {} differ (another build \
                         of the same content, or edited settings).",
                        list_paths(paths)
                    )
                } else {
                    write!(f, ", and their layers (diff_ids) differ too: different images.")
                }
            }
            Verdict::DifferentImages {
                a_config,
                b_config,
                shared_layers,
            } => {
                write!(
                    f,
                    "Different images: the configs differ ({} and {}), so the Image IDs differ.",
                    or_none(a_config.as_ref()),
                    or_none(b_config.as_ref())
                )?;
                if *shared_layers > 0 {
                    write!(
                        f,
                        " They share {shared_layers} layer blob(s), as images built on a common base do."
                    )?;
                }
                Ok(())
            }
            Verdict::Unrelated { a, b } => write!(
                f,
                "A is {} and B is {}: not two forms of one document, and neither lists the other.",
                a.name(),
                b.name()
            ),
        }
    }
}

/// One row of the side-by-side evidence: a named value for each document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub label: String,
    pub a: String,
    pub b: String,
}

impl Evidence {
    fn new(label: impl Into<String>, a: impl Into<String>, b: impl Into<String>) -> Evidence {
        Evidence {
            label: label.into(),
            a: a.into(),
            b: b.into(),
        }
    }

    pub fn same(&self) -> bool {
        self.a == self.b
    }
}

/// Where two byte strings first differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// Byte offset of the first differing byte (or the length of the shorter input).
    pub offset: usize,
    /// 1-based line and column (in characters) of that offset; the prefix is common to both.
    pub line: usize,
    pub column: usize,
    /// The text around the offset on each side, with control characters shown as escapes.
    pub context_a: String,
    pub context_b: String,
}

const CONTEXT_BEFORE: usize = 24;
const CONTEXT_AFTER: usize = 40;

/// The first place `a` and `b` differ, `None` when they are equal.
pub fn first_divergence(a: &[u8], b: &[u8]) -> Option<Divergence> {
    let offset = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    if offset == a.len() && offset == b.len() {
        return None;
    }
    let prefix = a.get(..offset).unwrap_or_default();
    let line_start = prefix.iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
    let line = 1 + prefix.iter().filter(|&&c| c == b'\n').count();
    let column = 1 + String::from_utf8_lossy(prefix.get(line_start..).unwrap_or_default())
        .chars()
        .count();
    let start = line_start.max(offset.saturating_sub(CONTEXT_BEFORE));
    Some(Divergence {
        offset,
        line,
        column,
        context_a: context(a, start, offset + CONTEXT_AFTER),
        context_b: context(b, start, offset + CONTEXT_AFTER),
    })
}

/// `bytes[start..end]` as text, widened to whole UTF-8 characters, with control characters escaped.
fn context(bytes: &[u8], start: usize, end: usize) -> String {
    let is_continuation = |i: usize| bytes.get(i).is_some_and(|b| b & 0xC0 == 0x80);
    let mut start = start.min(bytes.len());
    while start > 0 && is_continuation(start) {
        start -= 1;
    }
    let mut end = end.min(bytes.len());
    while end < bytes.len() && is_continuation(end) {
        end += 1;
    }
    String::from_utf8_lossy(bytes.get(start..end).unwrap_or_default())
        .chars()
        .map(|c| match c {
            '\n' => "\\n".to_owned(),
            '\r' => "\\r".to_owned(),
            '\t' => "\\t".to_owned(),
            '\u{feff}' => "\\u{feff}".to_owned(),
            c if c.is_control() => format!("\\u{{{:x}}}", u32::from(c)),
            c => c.to_string(),
        })
        .collect()
}

/// One path where two JSON values differ.
#[derive(Debug, Clone, PartialEq)]
pub struct PathChange {
    /// `layers[0].digest`, `annotations["org.opencontainers.image.created"]`; `""` is the whole value.
    pub path: String,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Added(Value),
    Removed(Value),
    Changed { a: Value, b: Value },
}

impl Change {
    pub fn slug(&self) -> &'static str {
        match self {
            Change::Added(_) => "added",
            Change::Removed(_) => "removed",
            Change::Changed { .. } => "changed",
        }
    }
}

impl fmt::Display for PathChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = at(&self.path);
        match &self.change {
            Change::Added(v) => write!(f, "{path}: only in B ({v})"),
            Change::Removed(v) => write!(f, "{path}: only in A ({v})"),
            Change::Changed { a, b } => write!(f, "{path}: {a} → {b}"),
        }
    }
}

fn member_path(parent: &str, key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        if parent.is_empty() {
            key.to_owned()
        } else {
            format!("{parent}.{key}")
        }
    } else {
        format!("{parent}[{}]", Value::from(key))
    }
}

fn item_path(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// Numbers are equal when they denote the same value: `1`, `1.0` and `1e0` are one number.
fn numbers_equal(a: &Number, b: &Number) -> bool {
    if a.is_f64() || b.is_f64() {
        a.as_f64() == b.as_f64()
    } else {
        // Integers: serde_json holds non-negative ones as u64 and negative ones as i64, so `==` is exact.
        a == b
    }
}

/// JSON equality: key order does not count, number spelling does not count.
fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| values_equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Every path where `a` and `b` differ: members added or removed, values changed. Arrays are
/// compared position by position. Key order and number spelling are not differences here.
pub fn json_diff(a: &Value, b: &Value) -> Vec<PathChange> {
    let mut changes = Vec::new();
    diff_into(a, b, String::new(), &mut changes);
    changes
}

fn diff_into(a: &Value, b: &Value, path: String, changes: &mut Vec<PathChange>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, value) in x {
                let child = member_path(&path, key);
                match y.get(key) {
                    Some(other) => diff_into(value, other, child, changes),
                    None => changes.push(PathChange {
                        path: child,
                        change: Change::Removed(value.clone()),
                    }),
                }
            }
            for (key, value) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                changes.push(PathChange {
                    path: member_path(&path, key),
                    change: Change::Added(value.clone()),
                });
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                diff_into(v, w, item_path(&path, i), changes);
            }
            for (i, v) in x.iter().enumerate().skip(y.len()) {
                changes.push(PathChange {
                    path: item_path(&path, i),
                    change: Change::Removed(v.clone()),
                });
            }
            for (i, w) in y.iter().enumerate().skip(x.len()) {
                changes.push(PathChange {
                    path: item_path(&path, i),
                    change: Change::Added(w.clone()),
                });
            }
        }
        _ if values_equal(a, b) => {}
        _ => changes.push(PathChange {
            path,
            change: Change::Changed {
                a: a.clone(),
                b: b.clone(),
            },
        }),
    }
}

/// The result of [`compare`].
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub verdict: Verdict,
    pub evidence: Vec<Evidence>,
    /// Where the bytes first differ, `None` when they are identical.
    pub divergence: Option<Divergence>,
    /// What differs in the JSON values, empty when either is not JSON.
    pub changes: Vec<PathChange>,
}

/// Compares two documents and says why their digests differ.
pub fn compare(a: &Analysis, a_bytes: &[u8], b: &Analysis, b_bytes: &[u8]) -> Comparison {
    let changes = match (&a.json, &b.json) {
        (Some(x), Some(y)) => json_diff(x, y),
        _ => Vec::new(),
    };
    let mut evidence = vec![
        Evidence::new("digest", a.digest().to_string(), b.digest().to_string()),
        Evidence::new("document", a.kind.name(), b.kind.name()),
        Evidence::new("size", format!("{} bytes", a.size), format!("{} bytes", b.size)),
    ];
    let verdict = verdict(a, a_bytes, b, b_bytes, &changes, &mut evidence);
    Comparison {
        verdict,
        evidence,
        divergence: first_divergence(a_bytes, b_bytes),
        changes,
    }
}

fn verdict(
    a: &Analysis,
    a_bytes: &[u8],
    b: &Analysis,
    b_bytes: &[u8],
    changes: &[PathChange],
    evidence: &mut Vec<Evidence>,
) -> Verdict {
    if a_bytes == b_bytes {
        return Verdict::IdenticalBytes {
            digest: a.digest().clone(),
        };
    }
    if let (Some(x), Some(y)) = (&a.json, &b.json) {
        if values_equal(x, y) {
            return reserialized(a, a_bytes, b, b_bytes, evidence);
        }
    }
    if let (Some(p), Some(q)) = (schema1_payload(a), schema1_payload(b)) {
        if p == q {
            return Verdict::Schema1Resigned { payload: p.clone() };
        }
    }
    for (index, child, side) in [(a, b, Side::A), (b, a, Side::B)] {
        if let Some(verdict) = index_and_child(index, child, side) {
            return verdict;
        }
    }
    for (manifest, config, side) in [(a, b, Side::A), (b, a, Side::B)] {
        if let Body::Manifest {
            config: Some(descriptor),
            ..
        } = &manifest.body
        {
            if descriptor.digest.as_ref() == Some(&config.bytes_digest) {
                return Verdict::ManifestAndConfig {
                    manifest: side,
                    config: config.bytes_digest.clone(),
                };
            }
        }
    }
    match (&a.body, &b.body) {
        (Body::Manifest { .. }, Body::Manifest { .. }) => manifests(a, b, changes, evidence),
        (Body::Schema1(view), Body::Manifest { layers, .. }) => {
            schema1_and_schema2(Side::A, view, b.kind, layers)
        }
        (Body::Manifest { layers, .. }, Body::Schema1(view)) => {
            schema1_and_schema2(Side::B, view, a.kind, layers)
        }
        (Body::Index { manifests: x, .. }, Body::Index { manifests: y, .. }) => {
            indexes(a.kind, x, b.kind, y, changes)
        }
        (Body::Config(x), Body::Config(y)) => {
            evidence.push(Evidence::new(
                "layers (diff_ids)",
                x.diff_ids.len().to_string(),
                y.diff_ids.len().to_string(),
            ));
            Verdict::ConfigsDiffer {
                same_diff_ids: x.diff_ids == y.diff_ids,
                paths: changes.iter().map(|c| c.path.clone()).collect(),
            }
        }
        (Body::Schema1(x), Body::Schema1(y)) => Verdict::DifferentImages {
            a_config: None,
            b_config: None,
            shared_layers: x.blob_sums.iter().filter(|s| y.blob_sums.contains(s)).count(),
        },
        _ => Verdict::Unrelated { a: a.kind, b: b.kind },
    }
}

fn schema1_payload(analysis: &Analysis) -> Option<&Digest> {
    match &analysis.body {
        Body::Schema1(Schema1View {
            payload: Some(Ok(payload)),
            ..
        }) => Some(&payload.digest),
        _ => None,
    }
}

fn reserialized(
    a: &Analysis,
    a_bytes: &[u8],
    b: &Analysis,
    b_bytes: &[u8],
    evidence: &mut Vec<Evidence>,
) -> Verdict {
    let style = |analysis: &Analysis, bytes: &[u8]| {
        analysis
            .json
            .as_ref()
            .and_then(|value| reserialize::identify(bytes, value))
    };
    let (a_style, b_style) = (style(a, a_bytes), style(b, b_bytes));
    let differences = match (reserialize::read(a_bytes), reserialize::read(b_bytes)) {
        (Some(x), Some(y)) => {
            evidence.push(Evidence::new(
                "written as",
                x.formatting.to_string(),
                y.formatting.to_string(),
            ));
            let mut differences = serialization_differences(&x.root, &x.formatting, &y.root, &y.formatting);
            for difference in &mut differences {
                if let SerializationDifference::KeyOrder { a_order, b_order, .. } = difference {
                    *a_order = a.json.as_ref().and_then(reserialize::key_order_of);
                    *b_order = b.json.as_ref().and_then(reserialize::key_order_of);
                }
            }
            differences
        }
        _ => Vec::new(),
    };
    Verdict::Reserialized {
        differences,
        a_style,
        b_style,
        is_config: a.kind.is_config() && b.kind.is_config(),
        is_manifest: is_manifest(a.kind) && is_manifest(b.kind),
    }
}

/// Manifests and indexes: the documents referrers point at by digest.
fn is_manifest(kind: Kind) -> bool {
    kind.media_type().is_some() && !kind.is_config()
}

/// The ways two byte forms of one JSON value differ, in the order a reader checks them.
fn serialization_differences(
    a: &RawValue,
    fa: &Formatting,
    b: &RawValue,
    fb: &Formatting,
) -> Vec<SerializationDifference> {
    let mut differences = Vec::new();
    if fa.bom != fb.bom {
        differences.push(SerializationDifference::ByteOrderMark { a: fa.bom, b: fb.bom });
    }
    if fa.layout != fb.layout {
        differences.push(SerializationDifference::Whitespace {
            a: fa.layout,
            b: fb.layout,
        });
    }
    let breaks = |f: &Formatting| f.line_ending.is_some() || f.mixed_line_endings;
    if breaks(fa)
        && breaks(fb)
        && (fa.line_ending, fa.mixed_line_endings) != (fb.line_ending, fb.mixed_line_endings)
    {
        differences.push(SerializationDifference::LineEndings {
            a: fa.line_ending,
            b: fb.line_ending,
        });
    }
    if fa.trailing != fb.trailing {
        differences.push(SerializationDifference::TrailingWhitespace {
            a: fa.trailing.clone(),
            b: fb.trailing.clone(),
        });
    }
    let mut walk = RawWalk::default();
    walk.walk(a, b, "");
    differences.extend(walk.into_differences());
    if differences.is_empty() {
        // Same layout summary, same tokens: what is left is whitespace the summary does not tell apart.
        differences.push(SerializationDifference::Whitespace {
            a: fa.layout,
            b: fb.layout,
        });
    }
    differences
}

/// Walks two raw trees of one JSON value, noting the first and the number of each difference.
#[derive(Default)]
struct RawWalk {
    key_order: Option<(String, Vec<String>, Vec<String>)>,
    key_orders: usize,
    escaping: Option<(String, String, String, EscapeKind)>,
    escapings: usize,
    number: Option<(String, String, String)>,
    numbers: usize,
}

impl RawWalk {
    fn walk(&mut self, a: &RawValue, b: &RawValue, path: &str) {
        match (a, b) {
            (RawValue::Object(x), RawValue::Object(y)) => {
                let keys_a: Vec<String> = x.iter().map(|(k, _)| k.text.clone()).collect();
                let keys_b: Vec<String> = y.iter().map(|(k, _)| k.text.clone()).collect();
                if keys_a != keys_b {
                    self.key_orders += 1;
                    self.key_order
                        .get_or_insert_with(|| (path.to_owned(), keys_a, keys_b));
                }
                for (key, value) in x {
                    if let Some((other_key, other)) = y.iter().find(|(k, _)| k.text == key.text) {
                        let child = member_path(path, &key.text);
                        self.string(&key.written, &other_key.written, &child);
                        self.walk(value, other, &child);
                    }
                }
            }
            (RawValue::Array(x), RawValue::Array(y)) => {
                for (i, (v, w)) in x.iter().zip(y).enumerate() {
                    self.walk(v, w, &item_path(path, i));
                }
            }
            (RawValue::String(x), RawValue::String(y)) => self.string(&x.written, &y.written, path),
            (RawValue::Number(x), RawValue::Number(y)) if x != y => {
                self.numbers += 1;
                self.number
                    .get_or_insert_with(|| (path.to_owned(), x.clone(), y.clone()));
            }
            _ => {}
        }
    }

    fn string(&mut self, a: &str, b: &str, path: &str) {
        if a != b {
            self.escapings += 1;
            self.escaping
                .get_or_insert_with(|| (path.to_owned(), a.to_owned(), b.to_owned(), escape_kind(a, b)));
        }
    }

    fn into_differences(self) -> Vec<SerializationDifference> {
        let mut differences = Vec::new();
        if let Some((path, a, b)) = self.key_order {
            differences.push(SerializationDifference::KeyOrder {
                path,
                a,
                b,
                objects: self.key_orders,
                a_order: None,
                b_order: None,
            });
        }
        if let Some((path, a, b, kind)) = self.escaping {
            differences.push(SerializationDifference::StringEscaping {
                path,
                a,
                b,
                kind,
                strings: self.escapings,
            });
        }
        if let Some((path, a, b)) = self.number {
            differences.push(SerializationDifference::NumberSpelling {
                path,
                a,
                b,
                numbers: self.numbers,
            });
        }
        differences
    }
}

/// Splits a string as written into (spelling, character) units; a surrogate pair is one unit.
fn spelled_units(written: &str) -> Vec<(&str, Option<char>)> {
    let mut units = Vec::new();
    let mut rest = written;
    while let Some(c) = rest.chars().next() {
        let len = if c != '\\' {
            c.len_utf8()
        } else if rest.get(1..2) == Some("u") {
            let high = rest.get(2..6).and_then(|h| u32::from_str_radix(h, 16).ok());
            if high.is_some_and(|h| (0xD800..0xDC00).contains(&h)) {
                12
            } else {
                6
            }
        } else {
            2
        };
        let len = len.min(rest.len());
        let (unit, tail) = rest.split_at(
            rest.char_indices()
                .map(|(i, _)| i)
                .find(|&i| i >= len)
                .unwrap_or(rest.len()),
        );
        units.push((unit, decode_unit(unit)));
        rest = tail;
    }
    units
}

fn decode_unit(unit: &str) -> Option<char> {
    let Some(escape) = unit.strip_prefix('\\') else {
        return unit.chars().next();
    };
    match escape.chars().next()? {
        'u' => {
            let first = u32::from_str_radix(escape.get(1..5)?, 16).ok()?;
            match escape.get(7..11).and_then(|h| u32::from_str_radix(h, 16).ok()) {
                Some(second) => char::from_u32(
                    0x10000 + ((first.checked_sub(0xD800)?) << 10) + second.checked_sub(0xDC00)?,
                ),
                None => char::from_u32(first),
            }
        }
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        other => Some(other),
    }
}

/// Classifies the first place two spellings of the same text differ.
fn escape_kind(a: &str, b: &str) -> EscapeKind {
    let units_a = spelled_units(a);
    let units_b = spelled_units(b);
    let Some(((spelled_a, c), (spelled_b, _))) = units_a.iter().zip(&units_b).find(|(x, y)| x.0 != y.0)
    else {
        return EscapeKind::Other;
    };
    let both_u = spelled_a.starts_with("\\u") && spelled_b.starts_with("\\u");
    match c {
        Some('<' | '>' | '&') => EscapeKind::Html,
        Some('\u{2028}' | '\u{2029}') => EscapeKind::LineSeparator,
        Some('/') => EscapeKind::Slash,
        Some('\u{8}' | '\u{c}') => EscapeKind::ControlCharacter,
        _ if both_u => EscapeKind::HexCase,
        Some(c) if !c.is_ascii() => EscapeKind::NonAscii,
        _ => EscapeKind::Other,
    }
}

fn index_and_child(index: &Analysis, child: &Analysis, side: Side) -> Option<Verdict> {
    let Body::Index { manifests, .. } = &index.body else {
        return None;
    };
    let (position, entry) = manifests
        .iter()
        .enumerate()
        .find(|(_, d)| d.digest.as_ref() == Some(child.digest()))?;
    Some(Verdict::IndexAndPlatformManifest {
        index: side,
        position,
        platform: entry.platform.clone(),
        attestation: entry.is_attestation(),
    })
}

fn manifest_parts(analysis: &Analysis) -> (Option<&Digest>, Vec<&Descriptor>) {
    match &analysis.body {
        Body::Manifest { config, layers, .. } => (
            config.as_deref().and_then(|c| c.digest.as_ref()),
            layers.iter().collect(),
        ),
        _ => (None, Vec::new()),
    }
}

fn manifests(a: &Analysis, b: &Analysis, changes: &[PathChange], evidence: &mut Vec<Evidence>) -> Verdict {
    let (a_config, a_layers) = manifest_parts(a);
    let (b_config, b_layers) = manifest_parts(b);
    evidence.push(Evidence::new(
        "config digest (Image ID)",
        or_none(a_config),
        or_none(b_config),
    ));
    let media = |d: &Descriptor| {
        d.media_type
            .as_ref()
            .map_or("no media type", MediaType::as_str)
            .to_owned()
    };
    for i in 0..a_layers.len().max(b_layers.len()) {
        let row = |layers: &[&Descriptor]| {
            layers.get(i).map_or_else(
                || "—".to_owned(),
                |d| format!("{} ({})", or_none(d.digest.as_ref()), media(d)),
            )
        };
        evidence.push(Evidence::new(
            format!("layer {i}"),
            row(&a_layers),
            row(&b_layers),
        ));
    }
    let same_config = a_config.is_some() && a_config == b_config;
    let same_count = a_layers.len() == b_layers.len();
    let layer_changes: Vec<LayerChange> = a_layers
        .iter()
        .zip(&b_layers)
        .enumerate()
        .filter(|(_, (x, y))| x.digest != y.digest)
        .map(|(index, (x, y))| LayerChange {
            index,
            a_media_type: x.media_type.clone(),
            b_media_type: y.media_type.clone(),
            a_digest: x.digest.clone(),
            b_digest: y.digest.clone(),
        })
        .collect();
    let same_layers = same_count && layer_changes.is_empty();
    if a.kind != b.kind && same_count && (same_config || same_layers) {
        return Verdict::Converted {
            from: a.kind,
            to: b.kind,
            config: match a_config {
                Some(digest) if same_config => ConfigChange::Same(digest.clone()),
                _ => ConfigChange::Rewritten {
                    a: a_config.cloned(),
                    b: b_config.cloned(),
                },
            },
            recompressed: layer_changes,
        };
    }
    match a_config {
        Some(config) if same_config && same_layers => Verdict::ManifestEdited {
            config: config.clone(),
            paths: changes.iter().map(|c| c.path.clone()).collect(),
        },
        Some(config) if same_config && same_count => Verdict::Recompressed {
            config: config.clone(),
            layers: layer_changes,
            total: a_layers.len(),
        },
        _ => {
            let b_digests: HashSet<&Digest> = b_layers.iter().filter_map(|d| d.digest.as_ref()).collect();
            Verdict::DifferentImages {
                a_config: a_config.cloned(),
                b_config: b_config.cloned(),
                shared_layers: a_layers
                    .iter()
                    .filter_map(|d| d.digest.as_ref())
                    .filter(|d| b_digests.contains(d))
                    .count(),
            }
        }
    }
}

fn schema1_and_schema2(schema1: Side, view: &Schema1View, other: Kind, layers: &[Descriptor]) -> Verdict {
    let blob_sums: HashSet<&str> = view.blob_sums.iter().map(String::as_str).collect();
    let layer_digests: HashSet<String> = layers
        .iter()
        .filter_map(|d| d.digest.as_ref())
        .map(Digest::to_string)
        .collect();
    Verdict::Schema1AndSchema2 {
        schema1,
        other,
        // Schema 1 lists a blob once per history entry, empty layers included: compare as sets.
        same_layers: !layer_digests.is_empty()
            && blob_sums.len() == layer_digests.len()
            && layer_digests.iter().all(|d| blob_sums.contains(d.as_str())),
    }
}

/// The name of an index entry: its platform, marked when it is an attestation.
fn entry_name(position: usize, descriptor: &Descriptor) -> String {
    let mut name = descriptor
        .platform
        .as_ref()
        .map_or_else(|| format!("entry {position}"), Platform::to_string);
    if descriptor.is_attestation() {
        name.push_str(" (attestation)");
    }
    name
}

fn indexes(
    a_kind: Kind,
    a: &[Descriptor],
    b_kind: Kind,
    b: &[Descriptor],
    changes: &[PathChange],
) -> Verdict {
    let mut unmatched: Vec<(String, Option<&Digest>)> = b
        .iter()
        .enumerate()
        .map(|(i, d)| (entry_name(i, d), d.digest.as_ref()))
        .collect();
    let mut entries = Vec::new();
    for (i, descriptor) in a.iter().enumerate() {
        let name = entry_name(i, descriptor);
        match unmatched.iter().position(|(n, _)| *n == name) {
            Some(j) => {
                let (_, other) = unmatched.remove(j);
                if other != descriptor.digest.as_ref() {
                    entries.push(EntryDifference {
                        platform: name,
                        a: descriptor.digest.clone(),
                        b: other.cloned(),
                    });
                }
            }
            None => entries.push(EntryDifference {
                platform: name,
                a: descriptor.digest.clone(),
                b: None,
            }),
        }
    }
    entries.extend(unmatched.into_iter().map(|(platform, digest)| EntryDifference {
        platform,
        a: None,
        b: digest.cloned(),
    }));
    Verdict::IndexesDiffer {
        converted: (a_kind != b_kind).then_some((a_kind, b_kind)),
        entries,
        other_paths: changes
            .iter()
            .filter(|c| !c.path.starts_with("manifests"))
            .map(|c| c.path.clone())
            .collect(),
    }
}

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
    fn apply(self, bytes: &[u8]) -> Option<Vec<u8>> {
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
pub fn check_expected(
    bytes: &[u8],
    analysis: &Analysis,
    expected: &Expected,
    family: &[&Analysis],
) -> ExpectedCheck {
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

/// What one tool style would write for a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendering {
    pub name: String,
    pub style: Style,
    pub bytes: Vec<u8>,
    pub digest: Digest,
    /// Byte for byte the input: this tool would keep the digest.
    pub same_as_input: bool,
}

/// "What a re-push would produce": the same JSON written by common tools, with each digest.
/// Empty for documents that are not JSON, and for signed schema 1 manifests (a re-push signs
/// them again and the registry names them by the payload, which this does not rebuild).
pub fn repush_preview(bytes: &[u8], analysis: &Analysis) -> Vec<Rendering> {
    let Some(value) = &analysis.json else {
        return Vec::new();
    };
    if schema1_payload(analysis).is_some() {
        return Vec::new();
    }
    let mut styles: Vec<(String, Style)> = reserialize::common_styles()
        .into_iter()
        .map(|(name, style)| (name.to_owned(), style))
        .collect();
    let docker = matches!(analysis.kind, Kind::DockerManifest | Kind::DockerManifestList);
    let oci = matches!(analysis.kind, Kind::OciManifest | Kind::OciIndex);
    if docker {
        styles.push((
            "docker push from the classic image store (docker/distribution: 3-space indent, Docker key order)".into(),
            Style::go_indent(reserialize::Indent::Spaces(3)).with_keys(reserialize::KeyOrder::Docker),
        ));
    }
    if docker || oci {
        styles.push((
            "rewritten through go-containerregistry or containers/image Docker structs (crane mutate, skopeo/podman for Docker types): compact, size before digest".into(),
            Style::GO_MARSHAL.with_keys(reserialize::KeyOrder::Docker),
        ));
    }
    if oci {
        styles.push((
            "rewritten through image-spec structs (containerd, skopeo/podman for OCI types): compact, digest before size".into(),
            Style::GO_MARSHAL.with_keys(reserialize::KeyOrder::Oci),
        ));
    }
    styles
        .into_iter()
        .map(|(name, style)| {
            let written = reserialize::write(value, &style);
            Rendering {
                digest: Digest::sha256(&written),
                same_as_input: written == bytes,
                bytes: written,
                name,
                style,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysis(text: &str) -> Analysis {
        Analysis::of(text.as_bytes(), None)
    }

    fn compare_texts(a: &str, b: &str) -> Comparison {
        compare(&analysis(a), a.as_bytes(), &analysis(b), b.as_bytes())
    }

    fn differences(a: &str, b: &str) -> Vec<SerializationDifference> {
        match compare_texts(a, b).verdict {
            Verdict::Reserialized { differences, .. } => differences,
            other => panic!("expected reserialized, got {}: {other}", other.slug()),
        }
    }

    fn slugs(differences: &[SerializationDifference]) -> Vec<&'static str> {
        differences.iter().map(SerializationDifference::slug).collect()
    }

    const CONFIG_DIGEST: &str = "sha256:74e61a6508e3d7f08e26166cbdcb006b02fa1c77dd2a17b860522e492d96465e";

    #[test]
    fn identical_bytes_name_the_copy_tools() {
        let c = compare_texts("{\"a\":1}", "{\"a\":1}");
        assert_eq!(c.verdict.slug(), "identical-bytes");
        assert!(c.verdict.to_string().contains("skopeo copy --preserve-digests"));
        assert_eq!(c.divergence, None);
    }

    #[test]
    fn whitespace_alone_is_named_with_both_layouts() {
        let d = differences("{\"a\":[1]}", "{\n   \"a\": [\n      1\n   ]\n}");
        assert_eq!(slugs(&d), ["whitespace"]);
        assert_eq!(d[0].to_string(), "Whitespace: A is compact, B is 3-space indent.");
    }

    #[test]
    fn trailing_newline_alone_is_named() {
        let d = differences("{\"a\":1}", "{\"a\":1}\n");
        assert_eq!(slugs(&d), ["trailing-newline"]);
        assert!(d[0].to_string().contains("B ends with a newline"));
    }

    #[test]
    fn crlf_alone_is_named() {
        let d = differences("{\n  \"a\": 1\n}", "{\r\n  \"a\": 1\r\n}");
        assert_eq!(slugs(&d), ["line-endings"]);
    }

    #[test]
    fn bom_alone_is_named() {
        let d = differences("{\"a\":1}", "\u{feff}{\"a\":1}");
        assert_eq!(slugs(&d), ["byte-order-mark"]);
        assert!(d[0].to_string().starts_with("Byte order mark: B starts"));
    }

    #[test]
    fn key_order_alone_names_the_object_and_both_orders() {
        let d = differences(
            r#"{"config":{"mediaType":"m","size":1,"digest":"d"}}"#,
            r#"{"config":{"mediaType":"m","digest":"d","size":1}}"#,
        );
        assert_eq!(
            d,
            [SerializationDifference::KeyOrder {
                path: "config".into(),
                a: vec!["mediaType".into(), "size".into(), "digest".into()],
                b: vec!["mediaType".into(), "digest".into(), "size".into()],
                objects: 1,
                a_order: Some(KeyOrder::Docker),
                b_order: Some(KeyOrder::Oci),
            }]
        );
    }

    #[test]
    fn go_html_escaping_alone_is_named_as_such() {
        let d = differences(r#"{"u":"a\u0026b"}"#, r#"{"u":"a&b"}"#);
        assert!(matches!(
            d.as_slice(),
            [SerializationDifference::StringEscaping { kind: EscapeKind::Html, path, .. }] if path == "u"
        ));
    }

    #[test]
    fn long_escaped_strings_are_shown_around_their_first_difference() {
        let a = format!("{}\\u0026{}", "x".repeat(40), "y".repeat(60));
        let b = format!("{}&{}", "x".repeat(40), "y".repeat(60));
        let (ea, eb) = excerpts(&a, &b);
        assert_eq!(ea, format!("…{}\\u0026{}…", "x".repeat(12), "y".repeat(22)));
        assert_eq!(eb, format!("…{}&{}…", "x".repeat(12), "y".repeat(27)));
        assert_eq!(
            excerpts("a&", "a\\u0026"),
            ("a&".to_owned(), "a\\u0026".to_owned())
        );
    }

    #[test]
    fn each_escape_kind_is_told_apart() {
        for (a, b, kind) in [
            (r#""\u2028""#, "\"\u{2028}\"", EscapeKind::LineSeparator),
            (r#""\u00e9""#, "\"é\"", EscapeKind::NonAscii),
            (r#""\ud83d\ude00""#, "\"😀\"", EscapeKind::NonAscii),
            (r#""a\/b""#, r#""a/b""#, EscapeKind::Slash),
            (r#""\b""#, r#""\u0008""#, EscapeKind::ControlCharacter),
            (r#""\u00e9""#, r#""\u00E9""#, EscapeKind::HexCase),
            (r#""\u0041""#, r#""A""#, EscapeKind::Other),
        ] {
            assert_eq!(
                escape_kind(&a[1..a.len() - 1], &b[1..b.len() - 1]),
                kind,
                "{a} vs {b}"
            );
        }
    }

    #[test]
    fn number_spelling_alone_is_named() {
        let d = differences(r#"{"size":1000}"#, r#"{"size":1e3}"#);
        assert_eq!(
            d,
            [SerializationDifference::NumberSpelling {
                path: "size".into(),
                a: "1000".into(),
                b: "1e3".into(),
                numbers: 1,
            }]
        );
    }

    #[test]
    fn reserialized_config_warns_that_the_image_id_changes() {
        let a = r#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
        let b = "{\n  \"architecture\": \"amd64\",\n  \"os\": \"linux\",\n  \"rootfs\": {\"type\": \"layers\", \"diff_ids\": []}\n}";
        let verdict = compare_texts(a, b).verdict;
        assert!(
            verdict.to_string().contains("the Image ID differs too"),
            "{verdict}"
        );
    }

    #[test]
    fn different_values_are_not_reserialized() {
        let c = compare_texts(r#"{"a":1}"#, r#"{"a":2}"#);
        assert_ne!(c.verdict.slug(), "reserialized");
        assert_eq!(c.changes.len(), 1);
    }

    #[test]
    fn json_diff_lists_added_removed_and_changed_paths() {
        let a = serde_json::json!({"a": 1, "b": {"c": [1, 2]}, "odd key": true});
        let b = serde_json::json!({"a": 1.0, "b": {"c": [1, 3, 4]}, "new": null});
        let changes: Vec<String> = json_diff(&a, &b)
            .iter()
            .map(|c| format!("{} {}", c.change.slug(), c.path))
            .collect();
        assert_eq!(
            changes,
            [
                "changed b.c[1]",
                "added b.c[2]",
                "removed [\"odd key\"]",
                "added new"
            ]
        );
    }

    #[test]
    fn first_divergence_reports_line_column_and_context() {
        let d = first_divergence(b"{\n  \"size\": 12,\n}", b"{\n  \"size\": 13,\n}").unwrap();
        assert_eq!((d.offset, d.line, d.column), (13, 2, 12));
        assert_eq!(d.context_a, "  \"size\": 12,\\n}");
        assert_eq!(d.context_b, "  \"size\": 13,\\n}");
        let prefix = first_divergence(b"{}", b"{}\n").unwrap();
        assert_eq!(
            (
                prefix.offset,
                prefix.context_a.as_str(),
                prefix.context_b.as_str()
            ),
            (2, "{}", "{}\\n")
        );
        assert_eq!(first_divergence(b"x", b"x"), None);
    }

    #[test]
    fn first_divergence_never_splits_a_character() {
        let d = first_divergence("é€a".as_bytes(), "é€b".as_bytes()).unwrap();
        assert_eq!(d.column, 3);
        assert_eq!((d.context_a.as_str(), d.context_b.as_str()), ("é€a", "é€b"));
        let inside = first_divergence("€".as_bytes(), "₤".as_bytes()).unwrap();
        assert_eq!(inside.context_a, "€");
    }

    #[test]
    fn manifest_and_its_config_are_recognised() {
        let config = r#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
        let digest = Digest::sha256(config.as_bytes());
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{digest}","size":{}}},"layers":[]}}"#,
            config.len()
        );
        let verdict = compare_texts(config, &manifest).verdict;
        assert_eq!(
            verdict,
            Verdict::ManifestAndConfig {
                manifest: Side::B,
                config: digest
            }
        );
    }

    fn manifest(media_type: &str, layer_type: &str, layers: &[&str]) -> String {
        let layers: Vec<String> = layers
            .iter()
            .map(|d| format!(r#"{{"mediaType":"{layer_type}","digest":"{d}","size":1}}"#))
            .collect();
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{media_type}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{CONFIG_DIGEST}","size":604}},"layers":[{}],"annotations":{{"x":"1"}}}}"#,
            layers.join(",")
        )
    }

    const OCI: &str = "application/vnd.oci.image.manifest.v1+json";
    const GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
    const ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
    const L1: &str = "sha256:c72313abbd5dfc7a7998c85b745ac9f08d2f996b082a6db9fe3ac29c1b4cb82b";
    const L2: &str = "sha256:efc5dd092f34562903e877cb2e28ec05663651518bf2859aa2d73b961b47bb56";

    #[test]
    fn same_config_other_layer_blobs_is_recompression_named_by_format() {
        let a = manifest(OCI, GZIP, &[L1]);
        let b = manifest(OCI, ZSTD, &[L2]);
        let verdict = compare_texts(&a, &b).verdict;
        assert_eq!(verdict.slug(), "recompressed");
        assert!(verdict.to_string().contains("gzip → zstd"), "{verdict}");
        let same_format = compare_texts(&a, &manifest(OCI, GZIP, &[L2])).verdict;
        assert!(
            same_format.to_string().contains("another compressor"),
            "{same_format}"
        );
    }

    #[test]
    fn same_config_and_layers_with_other_fields_is_an_edited_manifest() {
        let a = manifest(OCI, GZIP, &[L1]);
        let b = a.replace(r#""x":"1""#, r#""x":"2""#);
        assert_eq!(
            compare_texts(&a, &b).verdict,
            Verdict::ManifestEdited {
                config: CONFIG_DIGEST.parse().unwrap(),
                paths: vec!["annotations.x".into()],
            }
        );
    }

    #[test]
    fn other_config_is_another_image_sharing_layers() {
        let a = manifest(OCI, GZIP, &[L1, L2]);
        let b = a.replace("74e61a65", "00000000");
        let verdict = compare_texts(&a, &b).verdict;
        assert!(
            matches!(verdict, Verdict::DifferentImages { shared_layers: 2, .. }),
            "{verdict:?}"
        );
    }

    #[test]
    fn expected_accepts_full_bare_and_short_forms() {
        let full: Expected = CONFIG_DIGEST.parse().unwrap();
        assert_eq!(full, Expected::Full(CONFIG_DIGEST.parse().unwrap()));
        let bare: Expected = CONFIG_DIGEST.trim_start_matches("sha256:").parse().unwrap();
        assert_eq!(bare, full);
        assert_eq!(
            " 74E61A6508E3 ".parse::<Expected>(),
            Ok(Expected::Prefix("74e61a6508e3".into()))
        );
        assert_eq!(
            "sha256:74e61a6508e3".parse::<Expected>(),
            Ok(Expected::Prefix("74e61a6508e3".into()))
        );
        assert_eq!(
            "74e61a".parse::<Expected>(),
            Err(ExpectedError::TooShort { length: 6 })
        );
        assert_eq!("".parse::<Expected>(), Err(ExpectedError::Empty));
        assert!(matches!(
            "sha256:xyz".parse::<Expected>(),
            Err(ExpectedError::Digest(_))
        ));
    }

    #[test]
    fn byte_edits_apply_only_where_they_change_something() {
        assert_eq!(ByteEdit::RemoveTrailingNewline.apply(b"{}"), None);
        assert_eq!(
            ByteEdit::RemoveTrailingNewline.apply(b"{}\r\n"),
            Some(b"{}".to_vec())
        );
        assert_eq!(
            ByteEdit::LfToCrlf.apply(b"{\r\n}\n"),
            Some(b"{\r\n}\r\n".to_vec())
        );
        assert_eq!(ByteEdit::CrlfToLf.apply(b"{\r\n}"), Some(b"{\n}".to_vec()));
        assert_eq!(ByteEdit::RemoveByteOrderMark.apply(b"{}"), None);
    }

    #[test]
    fn check_expected_finds_a_lost_trailing_newline() {
        let text = "{\"a\":1}";
        let expected = Expected::Full(Digest::sha256(b"{\"a\":1}\n"));
        let check = check_expected(text.as_bytes(), &analysis(text), &expected, &[]);
        assert_eq!(check.slug(), "byte-edit");
        assert!(check.to_string().contains("with a trailing newline"), "{check}");
    }

    #[test]
    fn check_expected_finds_the_reserialization_and_names_it() {
        let text = r#"{"config":{"mediaType":"m","size":1,"digest":"d"}}"#;
        // Written out by hand: distribution's 3-space MarshalIndent of the same value.
        let go = "{\n   \"config\": {\n      \"mediaType\": \"m\",\n      \"size\": 1,\n      \"digest\": \"d\"\n   }\n}";
        let expected = Expected::Full(Digest::sha256(go.as_bytes()));
        match check_expected(text.as_bytes(), &analysis(text), &expected, &[]) {
            ExpectedCheck::Reserialized { name, .. } => assert!(name.starts_with("3-space indent"), "{name}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn check_expected_recognises_the_short_image_id_in_a_manifest() {
        let text = manifest(OCI, GZIP, &[L1]);
        let check = check_expected(
            text.as_bytes(),
            &analysis(&text),
            &"74e61a6508e3".parse().unwrap(),
            &[],
        );
        assert!(
            matches!(
                &check,
                ExpectedCheck::OtherDigest {
                    role: DigestRole::Config,
                    place: Place::ThisDocument,
                    ..
                }
            ),
            "{check:?}"
        );
        assert!(check.to_string().contains("Image ID"));
    }

    #[test]
    fn check_expected_gives_up_honestly() {
        let text = "{\"a\":1}";
        let expected = Expected::Full(Digest::sha256(b"something else"));
        let check = check_expected(text.as_bytes(), &analysis(text), &expected, &[]);
        match check {
            ExpectedCheck::NoMatch { tried, .. } => assert!(tried > 10),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn repush_preview_marks_the_style_the_input_already_has() {
        let text = manifest(OCI, GZIP, &[L1]);
        let renderings = repush_preview(text.as_bytes(), &analysis(&text));
        let same: Vec<&str> = renderings
            .iter()
            .filter(|r| r.same_as_input)
            .map(|r| r.name.as_str())
            .collect();
        assert!(
            same.iter().any(|n| n.starts_with("compact, Go json.Marshal")),
            "{same:?}"
        );
        assert!(renderings.iter().any(|r| !r.same_as_input));
        assert!(renderings.iter().all(|r| r.digest == Digest::sha256(&r.bytes)));
        assert!(repush_preview(b"not json", &Analysis::of(b"not json", None)).is_empty());
    }

    #[test]
    fn unrelated_documents_say_so() {
        let c = compare_texts(r#"{"a":1}"#, "not json");
        assert_eq!(c.verdict.slug(), "unrelated");
        assert!(c.changes.is_empty());
    }
}
