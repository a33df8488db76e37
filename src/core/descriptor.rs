//! Descriptors (OCI image spec `descriptor.md`) read leniently from parsed JSON.
//!
//! A descriptor "MUST" have `mediaType`, `digest` and `size`. This page is an inspector, not a
//! validator that stops at the first error: each descriptor is read field by field, and whatever is
//! missing or malformed becomes a [`DescriptorProblem`] shown beside the rest.

use super::digest::{Digest, DigestError};
use super::media_type::MediaType;
use serde_json::Value;
use std::fmt;

/// The OCI spec and Go tools hold sizes in an int64: a larger size cannot be decoded by them.
const MAX_SIZE: u64 = i64::MAX as u64;

/// Where a descriptor sits in its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Config,
    Layer(usize),
    Manifest(usize),
    Subject,
    /// A manifest `blobs` entry (the withdrawn OCI artifact manifest draft).
    Blob(usize),
}

impl Role {
    /// Stable short name, used as `data-role` in the page.
    pub fn slug(self) -> &'static str {
        match self {
            Role::Config => "config",
            Role::Layer(_) => "layer",
            Role::Manifest(_) => "manifest",
            Role::Subject => "subject",
            Role::Blob(_) => "blob",
        }
    }

    /// JSON path of the descriptor, for messages.
    pub fn path(self) -> String {
        match self {
            Role::Config => "config".into(),
            Role::Layer(i) => format!("layers[{i}]"),
            Role::Manifest(i) => format!("manifests[{i}]"),
            Role::Subject => "subject".into(),
            Role::Blob(i) => format!("blobs[{i}]"),
        }
    }
}

/// `platform` of an index entry (image-index.md).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
    pub os_version: Option<String>,
}

impl Platform {
    pub fn from_value(value: &Value) -> Option<Platform> {
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        Some(Platform {
            os: text("os")?,
            architecture: text("architecture")?,
            variant: text("variant"),
            os_version: text("os.version"),
        })
    }
}

impl fmt::Display for Platform {
    /// `os/architecture[/variant]`, the form `docker --platform` takes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DescriptorProblem {
    NotAnObject,
    MissingMediaType,
    MissingDigest,
    BadDigest {
        written: String,
        error: DigestError,
    },
    /// The digest is a number, list or object instead of a string.
    DigestNotAString {
        written: String,
    },
    UnregisteredAlgorithm {
        digest: Digest,
    },
    MissingSize,
    BadSize {
        written: String,
    },
}

impl fmt::Display for DescriptorProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DescriptorProblem::NotAnObject => write!(f, "is not a JSON object"),
            DescriptorProblem::MissingMediaType => write!(f, "has no mediaType (the spec requires one)"),
            DescriptorProblem::MissingDigest => write!(f, "has no digest"),
            DescriptorProblem::BadDigest { written, error } => {
                write!(f, "has digest {written:?}, which is not a valid digest: {error}")
            }
            DescriptorProblem::DigestNotAString { written } => write!(
                f,
                "has digest {written}, which is not a string: a digest is written \"algorithm:hex\", e.g. \"sha256:…\""
            ),
            DescriptorProblem::UnregisteredAlgorithm { digest } => write!(
                f,
                "uses the algorithm \"{}\", which the OCI spec does not register; this page cannot check it",
                digest.algorithm().as_str()
            ),
            DescriptorProblem::MissingSize => write!(f, "has no size"),
            DescriptorProblem::BadSize { written } => {
                write!(
                    f,
                    "has size {written}, which is not a whole number of bytes from 0 to {MAX_SIZE} (Go tools read sizes as int64)"
                )
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    pub role: Role,
    pub media_type: Option<MediaType>,
    pub digest: Option<Digest>,
    pub size: Option<u64>,
    pub platform: Option<Platform>,
    pub artifact_type: Option<String>,
    pub annotations: Vec<(String, String)>,
    pub urls: Vec<String>,
    pub problems: Vec<DescriptorProblem>,
}

impl Descriptor {
    /// Reads a descriptor; never fails, problems are recorded instead.
    pub fn from_value(role: Role, value: &Value) -> Descriptor {
        let mut problems = Vec::new();
        if !value.is_object() {
            problems.push(DescriptorProblem::NotAnObject);
        }
        let media_type = value
            .get("mediaType")
            .and_then(Value::as_str)
            .map(MediaType::parse);
        if media_type.is_none() && value.is_object() {
            problems.push(DescriptorProblem::MissingMediaType);
        }
        let digest = match value.get("digest") {
            None | Some(Value::Null) => {
                problems.push(DescriptorProblem::MissingDigest);
                None
            }
            Some(Value::String(s)) => match s.parse::<Digest>() {
                Ok(d) => {
                    if !d.is_registered() {
                        problems.push(DescriptorProblem::UnregisteredAlgorithm { digest: d.clone() });
                    }
                    Some(d)
                }
                Err(error) => {
                    problems.push(DescriptorProblem::BadDigest {
                        written: s.clone(),
                        error,
                    });
                    None
                }
            },
            Some(other) => {
                problems.push(DescriptorProblem::DigestNotAString {
                    written: other.to_string(),
                });
                None
            }
        };
        let size = match value.get("size") {
            None => {
                problems.push(DescriptorProblem::MissingSize);
                None
            }
            Some(v) => {
                let size = v.as_u64().filter(|s| *s <= MAX_SIZE);
                if size.is_none() {
                    problems.push(DescriptorProblem::BadSize {
                        written: v.to_string(),
                    });
                }
                size
            }
        };
        Descriptor {
            role,
            media_type,
            digest,
            size,
            platform: value.get("platform").and_then(Platform::from_value),
            artifact_type: value
                .get("artifactType")
                .and_then(Value::as_str)
                .map(str::to_owned),
            annotations: string_map(value.get("annotations")),
            urls: value
                .get("urls")
                .and_then(Value::as_array)
                .map(|urls| urls.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default(),
            problems,
        }
    }

    /// Buildx stores attestation manifests in the index with platform unknown/unknown and this
    /// annotation; they are not a platform the user can run.
    pub fn is_attestation(&self) -> bool {
        self.annotations
            .iter()
            .any(|(k, v)| k == "vnd.docker.reference.type" && v == "attestation-manifest")
    }

    /// The manifest a buildx attestation describes: its `vnd.docker.reference.digest`
    /// annotation. Buildx links attestations this way, inside the index, instead of by `subject`.
    pub fn attestation_subject(&self) -> Option<Digest> {
        if !self.is_attestation() {
            return None;
        }
        self.annotations
            .iter()
            .find(|(k, _)| k == "vnd.docker.reference.digest")
            .and_then(|(_, v)| v.parse().ok())
    }
}

/// A JSON object of string values (annotations, labels); non-string values are shown as JSON.
pub fn string_map(value: Option<&Value>) -> Vec<(String, String)> {
    value
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect()
        })
        .unwrap_or_default()
}

/// Reads the descriptors in `value[key]` (an array), each with the role `role(i)`.
pub fn list(value: &Value, key: &str, role: fn(usize) -> Role) -> Vec<Descriptor> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .enumerate()
                .map(|(i, v)| Descriptor::from_value(role(i), v))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn negative_and_fractional_sizes_are_problems() {
        for size in [json!(-1), json!(1.5), json!("12")] {
            let d = Descriptor::from_value(
                Role::Config,
                &json!({"mediaType": "x", "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": size}),
            );
            assert_eq!(d.size, None);
            assert!(
                matches!(d.problems.as_slice(), [DescriptorProblem::BadSize { .. }]),
                "{size}"
            );
        }
    }

    #[test]
    fn sizes_past_int64_are_problems_because_go_reads_sizes_as_int64() {
        let read = |size: u64| {
            Descriptor::from_value(
                Role::Layer(0),
                &json!({"mediaType": "x", "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": size}),
            )
        };
        assert_eq!(
            read(9_223_372_036_854_775_807).size,
            Some(9_223_372_036_854_775_807)
        );
        assert!(read(9_223_372_036_854_775_807).problems.is_empty());
        let too_big = read(9_223_372_036_854_775_808);
        assert_eq!(too_big.size, None);
        assert_eq!(
            too_big.problems,
            vec![DescriptorProblem::BadSize {
                written: "9223372036854775808".into()
            }]
        );
    }

    #[test]
    fn a_digest_that_is_not_a_string_is_named_as_such_not_as_empty() {
        let d = Descriptor::from_value(
            Role::Config,
            &json!({"mediaType": "x", "size": 1, "digest": 12345}),
        );
        assert_eq!(
            d.problems,
            vec![DescriptorProblem::DigestNotAString {
                written: "12345".into()
            }]
        );
        assert!(
            d.problems[0].to_string().contains("not a string"),
            "{}",
            d.problems[0]
        );
    }

    #[test]
    fn path_traversal_digest_is_rejected() {
        let d = Descriptor::from_value(
            Role::Layer(0),
            &json!({"mediaType": "x", "size": 1, "digest": "sha256:../../x"}),
        );
        assert_eq!(d.digest, None);
        assert!(matches!(
            d.problems.as_slice(),
            [DescriptorProblem::BadDigest { .. }]
        ));
    }

    #[test]
    fn platform_prints_as_docker_platform_flag() {
        let p =
            Platform::from_value(&json!({"os": "linux", "architecture": "arm", "variant": "v7"})).unwrap();
        assert_eq!(p.to_string(), "linux/arm/v7");
    }
}
