//! What the page tells the user about a document's bytes: each [`Finding`] with its severity and
//! the sentence that explains it. Findings never hide the digest.

use super::artifact;
use super::Kind;
use crate::core::descriptor::{self};
use crate::core::digest::Digest;
use crate::core::json::DuplicateKey;
use crate::core::media_type::MediaType;
use crate::core::schema1::PayloadError;
use std::fmt;

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
            Finding::DuplicateKey(d) => duplicate_key(f, d),
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
            Finding::Artifact { artifact_type, from_config, blobs } => artifact_finding(f, artifact_type, *from_config, *blobs),
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

/// A key written twice: which value each kind of parser takes.
fn duplicate_key(f: &mut fmt::Formatter<'_>, d: &DuplicateKey) -> fmt::Result {
    let place = if d.path.is_empty() {
        "the top-level object".to_owned()
    } else {
        d.path.clone()
    };
    write!(
        f,
        "Ambiguous: \"{}\" appears {} times in {place}, with the values {}. Go tools and this page take the last one; other parsers take the first, so two tools can read this document differently.",
        d.key,
        d.values.len(),
        d.values.join(", ")
    )
}

/// An artifact: where its type comes from, and what its layers are.
fn artifact_finding(
    f: &mut fmt::Formatter<'_>,
    artifact_type: &str,
    from_config: bool,
    blobs: Option<usize>,
) -> fmt::Result {
    let from = if from_config {
        "its config's mediaType, which the OCI image spec makes the artifact type when artifactType is absent"
    } else {
        "its artifactType"
    };
    write!(
        f,
        "This is an artifact, not a container image: its type is {artifact_type} (from {from})."
    )?;
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
