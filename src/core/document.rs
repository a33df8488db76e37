//! A document is its exact bytes; everything else here is derived from them.
//!
//! [`Analysis::of`] hashes the bytes first (so the digest is shown whatever follows), then parses
//! them, then names the kind. Detection order, as regclient states it: the `mediaType` field, then
//! `schemaVersion` 1 with or without `signatures`, then the shape (`manifests` → index;
//! `config` + `layers` → manifest; `rootfs` → image config). A disagreement between the field and
//! the shape is a finding, not a stop.

pub mod artifact;

mod finding;
mod origin;

pub use finding::{Finding, Severity};
pub use origin::Origin;

use super::descriptor::{self, Descriptor, Role};
use super::digest::Digest;
use super::image_config::ImageConfig;
use super::json;
use super::media_type::MediaType;
use super::schema1::{self, Payload, PayloadError};
use serde_json::Value;
use std::rc::Rc;

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

/// A document as it arrived: its exact bytes, where they came from, and their analysis, made once
/// from those bytes and the origin's media type. Everything that reads a document (the cards, the
/// map, the comparisons, the link) takes this one value, so bytes and analysis never part.
/// Cloning is cheap: the bytes and the analysis are shared.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    bytes: Rc<[u8]>,
    origin: Origin,
    analysis: Rc<Analysis>,
}

impl Document {
    /// Analyses `bytes` with the media type hint of `origin`.
    pub fn new(bytes: impl Into<Rc<[u8]>>, origin: Origin) -> Document {
        let bytes = bytes.into();
        let analysis = Rc::new(Analysis::of(&bytes, origin.hint()));
        Document {
            bytes,
            origin,
            analysis,
        }
    }

    /// The exact bytes: every digest is of these.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes as a shared buffer, for handing on without a copy.
    pub fn shared_bytes(&self) -> Rc<[u8]> {
        self.bytes.clone()
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// The media type hint the analysis was made with.
    pub fn hint(&self) -> Option<&MediaType> {
        self.origin.hint()
    }
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
