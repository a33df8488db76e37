//! A document is its exact bytes; everything else here is derived from them.
//!
//! [`Analysis::of`] hashes the bytes first (so the digest is shown whatever follows), then parses
//! them, then names the kind. Detection order, as regclient states it: the `mediaType` field, then
//! `schemaVersion` 1 with or without `signatures`, then the shape (`manifests` → index;
//! `config` + `layers` → manifest; `rootfs` → image config). A disagreement between the field and
//! the shape is a finding, not a stop.

pub mod artifact;

use super::descriptor::{self, Descriptor, Role};
use super::digest::Digest;
use super::image_config::ImageConfig;
use super::json::{self, DuplicateKey};
use super::media_type::MediaType;
use super::schema1::{self, Payload, PayloadError};
use serde_json::Value;
use std::fmt;

/// Registries refuse manifests above 4 MiB (distribution's `maxManifestBodySize`).
pub const MANIFEST_SIZE_LIMIT: usize = 4 * 1024 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16_LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16_BE_BOM: &[u8] = b"\xFE\xFF";

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    OciManifest,
    OciIndex,
    DockerManifest,
    DockerManifestList,
    DockerSchema1Signed,
    DockerSchema1,
    OciConfig,
    DockerConfig,
    /// An image config whose bytes alone do not say OCI or Docker (the two share one shape).
    ImageConfig,
    /// The OCI artifact manifest (`blobs`, no `config`) of image-spec 1.1.0-rc1/rc2, withdrawn
    /// before 1.1.0; oras 1.0 pushed these and registries still hold them.
    OciArtifactManifest,
    /// A config that is only a platform (`architecture`/`os`, no `rootfs`), as some artifact
    /// tools write: it names a platform for a registry's UI but describes no filesystem.
    MinimalConfig,
    UnknownJson,
    NotJson,
    Empty,
}

impl Kind {
    /// Stable short name, used as `data-kind` in the page.
    pub fn slug(self) -> &'static str {
        match self {
            Kind::OciManifest => "oci-manifest",
            Kind::OciIndex => "oci-index",
            Kind::DockerManifest => "docker-manifest",
            Kind::DockerManifestList => "docker-manifest-list",
            Kind::DockerSchema1Signed => "docker-schema1-signed",
            Kind::DockerSchema1 => "docker-schema1",
            Kind::OciConfig => "oci-config",
            Kind::DockerConfig => "docker-config",
            Kind::ImageConfig => "image-config",
            Kind::OciArtifactManifest => "oci-artifact-manifest",
            Kind::MinimalConfig => "minimal-config",
            Kind::UnknownJson => "unknown-json",
            Kind::NotJson => "not-json",
            Kind::Empty => "empty",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::OciManifest => "OCI image manifest",
            Kind::OciIndex => "OCI image index (multi-platform)",
            Kind::DockerManifest => "Docker image manifest (v2 schema 2)",
            Kind::DockerManifestList => "Docker manifest list (multi-platform)",
            Kind::DockerSchema1Signed => "Docker image manifest v2 schema 1, signed",
            Kind::DockerSchema1 => "Docker image manifest v2 schema 1, unsigned",
            Kind::OciConfig => "OCI image config",
            Kind::DockerConfig => "Docker container image config",
            Kind::ImageConfig => "Image config (OCI and Docker configs share this shape)",
            Kind::OciArtifactManifest => "OCI artifact manifest (withdrawn image-spec 1.1 draft)",
            Kind::MinimalConfig => "Minimal config (a platform only: architecture/os, no rootfs)",
            Kind::UnknownJson => "JSON of unknown kind",
            Kind::NotJson => "Not JSON",
            Kind::Empty => "Empty",
        }
    }

    /// The media type a registry would serve this kind under, when the kind implies one.
    pub fn media_type(self) -> Option<MediaType> {
        Some(match self {
            Kind::OciManifest => MediaType::OciManifest,
            Kind::OciIndex => MediaType::OciIndex,
            Kind::DockerManifest => MediaType::DockerManifest,
            Kind::DockerManifestList => MediaType::DockerManifestList,
            Kind::DockerSchema1Signed => MediaType::DockerSchema1Signed,
            Kind::DockerSchema1 => MediaType::DockerSchema1,
            Kind::OciConfig => MediaType::OciConfig,
            Kind::DockerConfig => MediaType::DockerConfig,
            Kind::OciArtifactManifest => MediaType::OciArtifactManifest,
            Kind::ImageConfig | Kind::MinimalConfig | Kind::UnknownJson | Kind::NotJson | Kind::Empty => {
                return None
            }
        })
    }

    pub fn is_index(self) -> bool {
        matches!(self, Kind::OciIndex | Kind::DockerManifestList)
    }

    pub fn is_config(self) -> bool {
        matches!(
            self,
            Kind::OciConfig | Kind::DockerConfig | Kind::ImageConfig | Kind::MinimalConfig
        )
    }

    fn from_media_type(media_type: &MediaType) -> Option<Kind> {
        Some(match media_type {
            MediaType::OciManifest => Kind::OciManifest,
            MediaType::OciIndex => Kind::OciIndex,
            MediaType::DockerManifest => Kind::DockerManifest,
            MediaType::DockerManifestList => Kind::DockerManifestList,
            MediaType::DockerSchema1Signed => Kind::DockerSchema1Signed,
            MediaType::DockerSchema1 => Kind::DockerSchema1,
            MediaType::OciConfig => Kind::OciConfig,
            MediaType::DockerConfig => Kind::DockerConfig,
            MediaType::OciArtifactManifest => Kind::OciArtifactManifest,
            _ => return None,
        })
    }
}

/// Something worth telling the user about the bytes; never a reason to hide the digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// Nothing to analyse yet: a hint, not an error.
    Empty,
    JsonSyntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// A key given twice in one object: parsers disagree on which value counts.
    DuplicateKey(DuplicateKey),
    /// The bytes end in `\n` (or `\r\n`); terminals and editors add or drop one easily.
    TrailingNewline {
        without: Digest,
    },
    Utf8Bom,
    /// The bytes are UTF-16 (Windows "Unicode" files): not JSON for any registry or Go tool.
    Utf16 {
        big_endian: bool,
    },
    CrlfLineEndings,
    InvalidUtf8 {
        offset: usize,
    },
    OverManifestLimit {
        size: usize,
    },
    /// The `mediaType` field names one kind, the shape says another.
    MediaTypeDisagreesWithShape {
        field: MediaType,
        shape: Kind,
    },
    /// The media type the bytes were delivered or referenced with disagrees with the document.
    HintDisagrees {
        hint: MediaType,
        kind: Kind,
    },
    UnknownMediaType {
        field: String,
    },
    /// A field the kind requires is absent (e.g. a manifest without `config`).
    MissingField {
        field: &'static str,
        kind: Kind,
    },
    /// A field holds another type of JSON value than the format says (e.g. `layers` as an
    /// object): Go tools refuse to decode such a document, and this page cannot read the field.
    WrongType {
        field: &'static str,
        expected: &'static str,
        found: &'static str,
    },
    Descriptor {
        path: String,
        problem: descriptor::DescriptorProblem,
    },
    Schema1Payload(PayloadError),
    Schema1NotVerified,
    InvalidDiffId {
        index: usize,
        written: String,
        error: String,
    },
    NonDistributableLayer {
        path: String,
    },
    /// An artifact (signature, SBOM, attestation, chart…) rather than a container image.
    Artifact {
        artifact_type: String,
        /// The type is the config's `mediaType`, as the spec says when `artifactType` is absent.
        from_config: bool,
        /// How many blobs (`layers`) a manifest carries; `None` for an index.
        blobs: Option<usize>,
    },
    /// The config is exactly the spec's empty descriptor.
    EmptyConfig,
    /// A descriptor claims the empty media type with another digest or size.
    EmptyDescriptorMismatch {
        path: String,
        digest: Option<Digest>,
        size: Option<u64>,
    },
    /// The config is the empty descriptor, so the spec requires `artifactType`, which is absent.
    ArtifactTypeMissing,
    /// `subject`: this document is attached to the manifest with this digest.
    RefersTo {
        subject: Digest,
    },
    /// Index entries that are buildx attestation manifests, not platforms.
    AttestationManifests {
        paths: Vec<String>,
    },
    /// The media type of the withdrawn OCI artifact manifest draft.
    WithdrawnArtifactManifest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Hint,
    Note,
    Warning,
    Error,
}

impl Finding {
    /// Stable short name of the kind of finding, for tests and page hooks; the Display text may
    /// be reworded, this may not.
    pub fn slug(&self) -> &'static str {
        match self {
            Finding::Empty => "empty",
            Finding::JsonSyntax { .. } => "json-syntax",
            Finding::DuplicateKey(_) => "duplicate-key",
            Finding::TrailingNewline { .. } => "trailing-newline",
            Finding::Utf8Bom => "utf8-bom",
            Finding::Utf16 { .. } => "utf16",
            Finding::CrlfLineEndings => "crlf-line-endings",
            Finding::InvalidUtf8 { .. } => "invalid-utf8",
            Finding::OverManifestLimit { .. } => "over-manifest-limit",
            Finding::MediaTypeDisagreesWithShape { .. } => "media-type-disagrees-with-shape",
            Finding::HintDisagrees { .. } => "hint-disagrees",
            Finding::UnknownMediaType { .. } => "unknown-media-type",
            Finding::MissingField { .. } => "missing-field",
            Finding::WrongType { .. } => "wrong-type",
            Finding::Descriptor { .. } => "descriptor",
            Finding::Schema1Payload(_) => "schema1-payload",
            Finding::Schema1NotVerified => "schema1-not-verified",
            Finding::InvalidDiffId { .. } => "invalid-diff-id",
            Finding::NonDistributableLayer { .. } => "non-distributable-layer",
            Finding::Artifact { .. } => "artifact",
            Finding::EmptyConfig => "empty-config",
            Finding::EmptyDescriptorMismatch { .. } => "empty-descriptor-mismatch",
            Finding::ArtifactTypeMissing => "artifact-type-missing",
            Finding::RefersTo { .. } => "refers-to",
            Finding::AttestationManifests { .. } => "attestation-manifests",
            Finding::WithdrawnArtifactManifest => "withdrawn-artifact-manifest",
        }
    }

    pub fn severity(&self) -> Severity {
        match self {
            Finding::Empty => Severity::Hint,
            Finding::TrailingNewline { .. }
            | Finding::Schema1NotVerified
            | Finding::NonDistributableLayer { .. }
            | Finding::Artifact { .. }
            | Finding::EmptyConfig
            | Finding::RefersTo { .. }
            | Finding::AttestationManifests { .. }
            | Finding::CrlfLineEndings => Severity::Note,
            Finding::Utf8Bom
            | Finding::InvalidUtf8 { .. }
            | Finding::OverManifestLimit { .. }
            | Finding::MediaTypeDisagreesWithShape { .. }
            | Finding::HintDisagrees { .. }
            | Finding::DuplicateKey(_)
            | Finding::UnknownMediaType { .. }
            | Finding::EmptyDescriptorMismatch { .. }
            | Finding::ArtifactTypeMissing
            | Finding::WithdrawnArtifactManifest
            | Finding::MissingField { .. }
            | Finding::Descriptor { .. } => Severity::Warning,
            Finding::JsonSyntax { .. }
            | Finding::Utf16 { .. }
            | Finding::WrongType { .. }
            | Finding::Schema1Payload(_)
            | Finding::InvalidDiffId { .. } => Severity::Error,
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Empty => write!(f, "Paste a manifest, index or config, or drop a file, to see its digest."),
            Finding::JsonSyntax { line, column, message } => write!(
                f,
                "Not valid JSON at line {line}, column {column}: {message}. The digest above is still the digest of these bytes."
            ),
            Finding::TrailingNewline { without } => write!(
                f,
                "The bytes end with a newline. Copying from a terminal often adds or drops one, and that changes the digest: without it the digest is {without}."
            ),
            Finding::DuplicateKey(d) => {
                let place = if d.path.is_empty() { "the top-level object".to_owned() } else { d.path.clone() };
                write!(
                    f,
                    "Ambiguous: \"{}\" appears {} times in {place}, with the values {}. Go tools and this page take the last one; other parsers take the first, so two tools can read this document differently.",
                    d.key,
                    d.values.len(),
                    d.values.join(", ")
                )
            }
            Finding::Utf8Bom => write!(
                f,
                "The bytes start with a UTF-8 byte order mark (EF BB BF). It is part of the digest, and Go tools (docker, containerd, registries) reject JSON that starts with it."
            ),
            Finding::Utf16 { big_endian } => write!(
                f,
                "The bytes are UTF-16 ({}), as Windows editors save \"Unicode\" text. Registries and Go tools read JSON only as UTF-8, so none of them accepts this; save the file as UTF-8. The digest above is of these UTF-16 bytes.",
                if *big_endian { "big-endian" } else { "little-endian" }
            ),
            Finding::CrlfLineEndings => write!(
                f,
                "The lines end with CRLF (Windows line endings). They are part of the digest: the same JSON with LF endings has another digest."
            ),
            Finding::InvalidUtf8 { offset } => write!(
                f,
                "The bytes are not valid UTF-8 (first bad byte at offset {offset}). They are hashed as they are."
            ),
            Finding::OverManifestLimit { size } => write!(
                f,
                "This document is {size} bytes, over the 4 MiB (4194304 bytes) registries accept for a manifest. It is hashed all the same."
            ),
            Finding::MediaTypeDisagreesWithShape { field, shape } => write!(
                f,
                "The mediaType field says {field}, but the document is shaped like: {}.",
                shape.name()
            ),
            Finding::HintDisagrees { hint, kind } => write!(
                f,
                "It was served or referenced as {hint}, but the document reads as: {}.",
                kind.name()
            ),
            Finding::UnknownMediaType { field } => {
                write!(f, "The mediaType {field:?} is not one this page knows; the kind below is guessed from the shape.")
            }
            Finding::MissingField { field, kind } => write!(
                f,
                "There is no \"{field}\" field; the format ({}) requires one.",
                kind.name()
            ),
            Finding::WrongType { field, expected, found } => write!(
                f,
                "\"{field}\" is not {expected} but {found}: Go tools (docker, containerd, registries) refuse to decode this document, and this page ignores the field."
            ),
            Finding::Descriptor { path, problem } => write!(f, "The descriptor {path} {problem}."),
            Finding::Schema1Payload(e) => write!(
                f,
                "The signed payload cannot be rebuilt ({e}); the digest shown is of the bytes, which is not what registries use for schema 1."
            ),
            Finding::Schema1NotVerified => write!(
                f,
                "The signatures are not verified by this page; the digest does not depend on them."
            ),
            Finding::InvalidDiffId { index, written, error } => {
                write!(f, "rootfs.diff_ids[{index}] is {written:?}: {error}. Chain IDs stop before it.")
            }
            Finding::NonDistributableLayer { path } => write!(
                f,
                "{path} is a non-distributable (foreign) layer: registries usually do not hold its blob; it is fetched from its urls."
            ),
            Finding::Artifact { artifact_type, from_config, blobs } => {
                let from = if *from_config {
                    "its config's mediaType, which the OCI image spec makes the artifact type when artifactType is absent"
                } else {
                    "its artifactType"
                };
                write!(f, "This is an artifact, not a container image: its type is {artifact_type} (from {from}).")?;
                if let Some(known) = crate::core::artifact::named(artifact_type) {
                    write!(f, " {}: {}", known.name, known.about)?;
                }
                if let Some(blobs) = blobs {
                    write!(
                        f,
                        " Its {blobs} layer(s) are the artifact's blobs (files), not filesystem layers: nothing unpacks them, so there are no diff_ids and no Image ID."
                    )?;
                }
                Ok(())
            }
            Finding::EmptyConfig => write!(
                f,
                "The config is the OCI empty descriptor: media type application/vnd.oci.empty.v1+json, the 2 bytes {{}} with digest {}, exactly as the image spec defines it. It stands for \"no config\": this manifest is not a runnable image.",
                artifact::EMPTY_DIGEST
            ),
            Finding::EmptyDescriptorMismatch { path, digest, size } => write!(
                f,
                "{path} has the empty media type application/vnd.oci.empty.v1+json but declares digest {} and size {}; the empty descriptor is always the 2 bytes {{}}: {}, size {}.",
                digest.as_ref().map_or_else(|| "none".to_owned(), Digest::to_string),
                size.map_or_else(|| "none".to_owned(), |s| s.to_string()),
                artifact::EMPTY_DIGEST,
                artifact::EMPTY_SIZE
            ),
            Finding::ArtifactTypeMissing => write!(
                f,
                "The config is the empty descriptor but there is no artifactType: the OCI image spec requires artifactType then, so registries list this artifact without a type."
            ),
            Finding::RefersTo { subject } => write!(
                f,
                "This document refers to {subject} (its subject): it is attached to that manifest. Registries list it among that digest's referrers; a copy of that image with another digest does not have it."
            ),
            Finding::AttestationManifests { paths } => {
                let (verb, noun) = if paths.len() == 1 { ("is a", "manifest") } else { ("are", "manifests") };
                write!(
                    f,
                    "{} {verb} buildx attestation {noun} (vnd.docker.reference.type: attestation-manifest, platform unknown/unknown): build provenance and SBOMs for the image manifest named in vnd.docker.reference.digest, not a platform. docker pull and container runtimes skip them.",
                    paths.join(", ")
                )
            }
            Finding::WithdrawnArtifactManifest => write!(
                f,
                "This is the OCI artifact manifest of image-spec 1.1 release candidates ({}): its files are in blobs, its type in artifactType, the manifest it is attached to in subject. It was withdrawn before 1.1.0 (2023) because registries and clients that did not know the new media type could neither store nor copy it; an image manifest with artifactType, the empty config and the files as layers carries the same things everywhere, and tools (oras 1.1+, cosign, notation) now write that. Registries that follow the final spec may refuse it. Its digest is still the sha256 of these bytes.",
                artifact::WITHDRAWN_ARTIFACT_MANIFEST
            ),
        }
    }
}

/// The parsed view of a document, by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Image manifest (OCI or Docker v2): config, layers, optional subject.
    Manifest {
        config: Option<Box<Descriptor>>,
        layers: Vec<Descriptor>,
        subject: Option<Box<Descriptor>>,
    },
    /// Index or manifest list.
    Index {
        manifests: Vec<Descriptor>,
        subject: Option<Box<Descriptor>>,
    },
    Schema1(Schema1View),
    Config(ImageConfig),
    /// JSON that is none of the above, or no JSON at all.
    Opaque,
}

impl Body {
    /// Every descriptor in the body, in document order.
    pub fn descriptors(&self) -> Vec<&Descriptor> {
        match self {
            Body::Manifest {
                config,
                layers,
                subject,
            } => config
                .as_deref()
                .into_iter()
                .chain(layers)
                .chain(subject.as_deref())
                .collect(),
            Body::Index { manifests, subject } => manifests.iter().chain(subject.as_deref()).collect(),
            Body::Schema1(_) | Body::Config(_) | Body::Opaque => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Schema1View {
    pub name: Option<String>,
    pub tag: Option<String>,
    pub architecture: Option<String>,
    /// `fsLayers[].blobSum`, newest layer first as schema 1 stores them.
    pub blob_sums: Vec<String>,
    pub payload: Option<Result<Payload, PayloadError>>,
}

/// Everything derived from one document's bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub size: usize,
    /// sha256 of the bytes exactly as given.
    pub bytes_digest: Digest,
    pub kind: Kind,
    /// The `mediaType` field, as written.
    pub media_type_field: Option<String>,
    pub artifact_type: Option<String>,
    pub annotations: Vec<(String, String)>,
    pub body: Body,
    pub findings: Vec<Finding>,
    /// The parsed JSON, kept for views and comparisons; `None` when the bytes are not JSON.
    pub json: Option<Value>,
}

impl Analysis {
    /// Analyses `bytes`. `hint` is the media type the bytes arrived with (a `Content-Type`, or the
    /// descriptor that points at them), used to name configs and to flag disagreements.
    pub fn of(bytes: &[u8], hint: Option<&MediaType>) -> Analysis {
        let bytes_digest = Digest::sha256(bytes);
        let mut findings = byte_findings(bytes);
        let mut analysis = Analysis {
            size: bytes.len(),
            bytes_digest,
            kind: Kind::Empty,
            media_type_field: None,
            artifact_type: None,
            annotations: Vec::new(),
            body: Body::Opaque,
            findings: Vec::new(),
            json: None,
        };
        if bytes.is_empty() {
            analysis.findings.push(Finding::Empty);
            return analysis;
        }
        // A BOM is not JSON; Go rejects it, but show the view of what follows it.
        let json_bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        let value: Value = match json::parse(json_bytes) {
            Ok(parsed) => {
                findings.extend(parsed.duplicates.into_iter().map(Finding::DuplicateKey));
                parsed.value
            }
            Err(e) => {
                findings.push(Finding::JsonSyntax {
                    line: e.line(),
                    column: e.column(),
                    message: syntax_message(&e),
                });
                analysis.kind = Kind::NotJson;
                analysis.findings = findings;
                return analysis;
            }
        };
        let field = value
            .get("mediaType")
            .and_then(Value::as_str)
            .map(MediaType::parse);
        if let Some(other) = value.get("mediaType").filter(|v| !v.is_string()) {
            findings.push(Finding::WrongType {
                field: "mediaType",
                expected: "a string",
                found: json_type(other),
            });
        }
        let shape = shape_of(&value);
        let kind = match field.as_ref().and_then(Kind::from_media_type) {
            Some(kind) => {
                if let Some(shape) = shape.filter(|s| !same_family(*s, kind)) {
                    findings.push(Finding::MediaTypeDisagreesWithShape {
                        field: field.clone().unwrap_or(MediaType::Other(String::new())),
                        shape,
                    });
                }
                kind
            }
            None => {
                if let Some(MediaType::Other(written)) = &field {
                    findings.push(Finding::UnknownMediaType {
                        field: written.clone(),
                    });
                }
                shape.map_or(Kind::UnknownJson, |shape| refine_with_hint(shape, hint))
            }
        };
        if kind == Kind::OciArtifactManifest {
            findings.push(Finding::WithdrawnArtifactManifest);
        }
        if let Some(hint) = hint {
            if Kind::from_media_type(hint).is_some_and(|h| !same_family(h, kind)) {
                findings.push(Finding::HintDisagrees {
                    hint: hint.clone(),
                    kind,
                });
            }
        }
        analysis.body = body_of(kind, bytes, &value, &mut findings);
        analysis.kind = kind;
        analysis.media_type_field = value.get("mediaType").and_then(Value::as_str).map(str::to_owned);
        analysis.artifact_type = value
            .get("artifactType")
            .and_then(Value::as_str)
            .map(str::to_owned);
        analysis.annotations = descriptor::string_map(value.get("annotations"));
        analysis.findings = findings;
        let artifact_findings = artifact::findings(&analysis);
        analysis.findings.extend(artifact_findings);
        analysis.json = Some(value);
        analysis
    }

    /// The digest tools use for this document: sha256 of the signed payload for a signed schema 1
    /// manifest whose payload could be rebuilt, sha256 of the bytes for everything else.
    pub fn digest(&self) -> &Digest {
        match &self.body {
            Body::Schema1(Schema1View {
                payload: Some(Ok(payload)),
                ..
            }) => &payload.digest,
            _ => &self.bytes_digest,
        }
    }

    /// Every descriptor the document holds, in document order.
    pub fn descriptors(&self) -> Vec<&Descriptor> {
        self.body.descriptors()
    }
}

/// serde_json's message without its own " at line X column Y" suffix (we print those ourselves).
fn syntax_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

fn byte_findings(bytes: &[u8]) -> Vec<Finding> {
    let mut findings = Vec::new();
    if bytes.starts_with(UTF8_BOM) {
        findings.push(Finding::Utf8Bom);
    }
    if let Some(big_endian) = utf16_byte_order(bytes) {
        findings.push(Finding::Utf16 { big_endian });
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        findings.push(Finding::InvalidUtf8 {
            offset: e.valid_up_to(),
        });
    }
    if bytes.windows(2).any(|w| w == b"\r\n") {
        findings.push(Finding::CrlfLineEndings);
    }
    if let Some(without) = bytes.strip_suffix(b"\r\n").or_else(|| bytes.strip_suffix(b"\n")) {
        findings.push(Finding::TrailingNewline {
            without: Digest::sha256(without),
        });
    }
    if bytes.len() > MANIFEST_SIZE_LIMIT {
        findings.push(Finding::OverManifestLimit { size: bytes.len() });
    }
    findings
}

/// Whether the bytes look like UTF-16 text, and which byte order: a UTF-16 byte order mark, or
/// (without one) an ASCII character next to a NUL byte at the start, which UTF-8 JSON never has.
fn utf16_byte_order(bytes: &[u8]) -> Option<bool> {
    if bytes.starts_with(UTF16_LE_BOM) {
        return Some(false);
    }
    if bytes.starts_with(UTF16_BE_BOM) {
        return Some(true);
    }
    match bytes {
        [first, 0, ..] if *first != 0 && first.is_ascii() => Some(false),
        [0, second, ..] if *second != 0 && second.is_ascii() => Some(true),
        _ => None,
    }
}

/// What kind of JSON value `value` is, in words, for messages.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A `key` the format of `kind` requires; with `list`, it must also be a JSON list. (A descriptor
/// that is not an object is reported by the descriptor itself.)
fn check_required(value: &Value, key: &'static str, list: bool, kind: Kind, findings: &mut Vec<Finding>) {
    match value.get(key) {
        None => findings.push(Finding::MissingField { field: key, kind }),
        Some(found) if list && !found.is_array() => findings.push(Finding::WrongType {
            field: key,
            expected: "a list",
            found: json_type(found),
        }),
        Some(_) => {}
    }
}

/// The kind a document's shape suggests, when `mediaType` does not decide.
fn shape_of(value: &Value) -> Option<Kind> {
    let object = value.as_object()?;
    if object.get("schemaVersion").and_then(Value::as_u64) == Some(1) && object.contains_key("fsLayers") {
        return Some(if object.contains_key("signatures") {
            Kind::DockerSchema1Signed
        } else {
            Kind::DockerSchema1
        });
    }
    if object.get("manifests").is_some_and(Value::is_array) {
        return Some(Kind::OciIndex);
    }
    if object.contains_key("config") && object.get("layers").is_some_and(Value::is_array) {
        return Some(Kind::OciManifest);
    }
    if object.get("blobs").is_some_and(Value::is_array) && !object.contains_key("layers") {
        return Some(Kind::OciArtifactManifest);
    }
    if object.get("rootfs").is_some_and(Value::is_object) {
        let docker_only = ["docker_version", "container_config", "container"];
        return Some(if docker_only.iter().any(|k| object.contains_key(*k)) {
            Kind::DockerConfig
        } else {
            Kind::ImageConfig
        });
    }
    is_minimal_config(object).then_some(Kind::MinimalConfig)
}

/// Keys of an OCI image config (image-spec `config.md`), the only ones a minimal config may have.
const CONFIG_KEYS: &[&str] = &[
    "created",
    "author",
    "architecture",
    "os",
    "os.version",
    "os.features",
    "variant",
    "config",
    "history",
];

/// A platform and nothing else an image config would not hold: `architecture` or `os` as
/// strings, no `rootfs`. Any other key means some other JSON that happens to say `os`.
fn is_minimal_config(object: &serde_json::Map<String, Value>) -> bool {
    let platform = ["architecture", "os"]
        .iter()
        .any(|k| object.get(*k).is_some_and(Value::is_string));
    platform && object.keys().all(|k| CONFIG_KEYS.contains(&k.as_str()))
}

/// A config delivered with a config media type is named by it; other shapes keep their kind.
fn refine_with_hint(shape: Kind, hint: Option<&MediaType>) -> Kind {
    match (shape, hint.and_then(Kind::from_media_type)) {
        (Kind::ImageConfig | Kind::DockerConfig, Some(hinted)) if hinted.is_config() => hinted,
        _ => shape,
    }
}

/// Whether two kinds have the same structure (OCI vs Docker flavour of the same thing).
fn same_family(a: Kind, b: Kind) -> bool {
    let family = |k: Kind| match k {
        Kind::OciManifest | Kind::DockerManifest => 1,
        Kind::OciIndex | Kind::DockerManifestList => 2,
        Kind::DockerSchema1 | Kind::DockerSchema1Signed => 3,
        Kind::OciConfig | Kind::DockerConfig | Kind::ImageConfig | Kind::MinimalConfig => 4,
        Kind::OciArtifactManifest => 5,
        Kind::UnknownJson | Kind::NotJson | Kind::Empty => 0,
    };
    family(a) == family(b)
}

fn body_of(kind: Kind, bytes: &[u8], value: &Value, findings: &mut Vec<Finding>) -> Body {
    match kind {
        Kind::OciManifest | Kind::DockerManifest => {
            check_required(value, "config", false, kind, findings);
            check_required(value, "layers", true, kind, findings);
        }
        Kind::OciIndex | Kind::DockerManifestList => check_required(value, "manifests", true, kind, findings),
        Kind::OciArtifactManifest => check_required(value, "blobs", true, kind, findings),
        _ => {}
    }
    let body = match kind {
        Kind::OciManifest | Kind::DockerManifest => Body::Manifest {
            config: value
                .get("config")
                .map(|v| Box::new(Descriptor::from_value(Role::Config, v))),
            layers: descriptor::list(value, "layers", Role::Layer),
            subject: value
                .get("subject")
                .map(|v| Box::new(Descriptor::from_value(Role::Subject, v))),
        },
        Kind::OciArtifactManifest => Body::Manifest {
            config: None,
            layers: descriptor::list(value, "blobs", Role::Blob),
            subject: value
                .get("subject")
                .map(|v| Box::new(Descriptor::from_value(Role::Subject, v))),
        },
        Kind::OciIndex | Kind::DockerManifestList => Body::Index {
            manifests: descriptor::list(value, "manifests", Role::Manifest),
            subject: value
                .get("subject")
                .map(|v| Box::new(Descriptor::from_value(Role::Subject, v))),
        },
        Kind::DockerSchema1 | Kind::DockerSchema1Signed => {
            let payload = value.get("signatures").map(|_| schema1::payload(bytes, value));
            match &payload {
                Some(Ok(_)) => findings.push(Finding::Schema1NotVerified),
                Some(Err(e)) => findings.push(Finding::Schema1Payload(e.clone())),
                None => {}
            }
            let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
            Body::Schema1(Schema1View {
                name: text("name"),
                tag: text("tag"),
                architecture: text("architecture"),
                blob_sums: value
                    .get("fsLayers")
                    .and_then(Value::as_array)
                    .map(|layers| {
                        layers
                            .iter()
                            .filter_map(|l| l.get("blobSum").and_then(Value::as_str))
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
                payload,
            })
        }
        Kind::OciConfig | Kind::DockerConfig | Kind::ImageConfig | Kind::MinimalConfig => {
            let config = ImageConfig::from_value(value);
            for (index, diff_id) in config.diff_ids.iter().enumerate() {
                if let Err((written, error)) = diff_id {
                    findings.push(Finding::InvalidDiffId {
                        index,
                        written: written.clone(),
                        error: error.to_string(),
                    });
                }
            }
            Body::Config(config)
        }
        Kind::UnknownJson | Kind::NotJson | Kind::Empty => Body::Opaque,
    };
    for d in body.descriptors() {
        for problem in &d.problems {
            findings.push(Finding::Descriptor {
                path: d.role.path(),
                problem: problem.clone(),
            });
        }
        if d.media_type
            .as_ref()
            .is_some_and(MediaType::is_nondistributable_layer)
        {
            findings.push(Finding::NonDistributableLayer { path: d.role.path() });
        }
    }
    body
}
