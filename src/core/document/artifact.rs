//! Artifacts (OCI image spec 1.1): manifests that carry something other than a runnable image —
//! a signature, an SBOM, an attestation, a Helm chart — and the empty descriptor they use where
//! an image would have its config.
//!
//! The spec's rules, as this page reads them (image-spec v1.1.0 `manifest.md`):
//! - `artifactType` names the kind of artifact. When it is absent, the config's `mediaType` is
//!   the artifact type; and when the config is the empty descriptor, `artifactType` MUST be set.
//! - The empty descriptor is always the two bytes `{}`: media type
//!   `application/vnd.oci.empty.v1+json`, digest [`EMPTY_DIGEST`], size [`EMPTY_SIZE`]
//!   ("Guidance for an Empty Descriptor").
//! - `layers` of an artifact are its blobs (files), not filesystem layers: nothing unpacks them.
//! - `subject` names the manifest the artifact is attached to, by digest.

use super::{Analysis, Body, Finding};
use crate::core::descriptor::Descriptor;
use crate::core::digest::Digest;
use crate::core::media_type::MediaType;

/// The digest of `{}`, as the image spec writes it for the empty descriptor.
pub const EMPTY_DIGEST: &str = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

/// The size of `{}`.
pub const EMPTY_SIZE: u64 = 2;

/// The media type of the OCI artifact manifest of image-spec 1.1.0-rc1 and rc2, withdrawn before
/// 1.1.0 in favour of the image manifest with `artifactType`. Early ORAS and some registries
/// wrote it; it still turns up in saved files.
pub const WITHDRAWN_ARTIFACT_MANIFEST: &str = "application/vnd.oci.artifact.manifest.v1+json";

/// Where a manifest's artifact type was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtifactTypeSource {
    /// The `artifactType` field.
    Field,
    /// `config.mediaType`, which the spec makes the artifact type when `artifactType` is absent.
    ConfigMediaType,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactType {
    pub value: String,
    pub from: ArtifactTypeSource,
}

/// The artifact type by the spec's rule: `artifactType`, else the config's `mediaType` (a
/// manifest only). This is also what a registry lists for a referrer.
pub fn artifact_type(analysis: &Analysis) -> Option<ArtifactType> {
    if let Some(value) = &analysis.artifact_type {
        return Some(ArtifactType {
            value: value.clone(),
            from: ArtifactTypeSource::Field,
        });
    }
    match &analysis.body {
        Body::Manifest {
            config: Some(config), ..
        } => config.media_type.as_ref().map(|m| ArtifactType {
            value: m.as_str().to_owned(),
            from: ArtifactTypeSource::ConfigMediaType,
        }),
        _ => None,
    }
}

/// Whether `analysis` is an artifact rather than a container image: it says so with
/// `artifactType`, or its config is not an image config.
pub fn is_artifact(analysis: &Analysis) -> bool {
    artifact_type(analysis).is_some_and(|t| {
        t.from == ArtifactTypeSource::Field
            || !matches!(
                MediaType::parse(&t.value),
                MediaType::OciConfig | MediaType::DockerConfig
            )
    })
}

/// Whether `descriptor` is exactly the spec's empty descriptor; `None` when it does not claim to be.
fn empty_descriptor_matches(descriptor: &Descriptor) -> Option<bool> {
    (descriptor.media_type == Some(MediaType::OciEmpty)).then(|| {
        descriptor.digest.as_ref().map(Digest::to_string).as_deref() == Some(EMPTY_DIGEST)
            && descriptor.size == Some(EMPTY_SIZE)
    })
}

/// What to say about the artifact side of a parsed manifest or index.
pub(super) fn findings(analysis: &Analysis) -> Vec<Finding> {
    let mut findings = Vec::new();
    for d in analysis.body.descriptors() {
        if empty_descriptor_matches(d) == Some(false) {
            findings.push(Finding::EmptyDescriptorMismatch {
                path: d.role.path(),
                digest: d.digest.clone(),
                size: d.size,
            });
        }
    }
    match &analysis.body {
        Body::Manifest { config, layers, .. } => {
            let empty_config = config.as_deref().and_then(empty_descriptor_matches);
            if empty_config == Some(true) {
                findings.push(Finding::EmptyConfig);
            }
            if empty_config.is_some() && analysis.artifact_type.is_none() {
                findings.push(Finding::ArtifactTypeMissing);
            }
            if is_artifact(analysis) {
                if let Some(t) = artifact_type(analysis) {
                    findings.push(Finding::Artifact {
                        artifact_type: t.value,
                        from_config: t.from == ArtifactTypeSource::ConfigMediaType,
                        blobs: Some(layers.len()),
                    });
                }
            }
        }
        Body::Index { manifests, .. } => {
            if let Some(value) = &analysis.artifact_type {
                findings.push(Finding::Artifact {
                    artifact_type: value.clone(),
                    from_config: false,
                    blobs: None,
                });
            }
            let attestations: Vec<String> = manifests
                .iter()
                .filter(|d| d.is_attestation())
                .map(|d| d.role.path())
                .collect();
            if !attestations.is_empty() {
                findings.push(Finding::AttestationManifests { paths: attestations });
            }
        }
        Body::Schema1(_) | Body::Config(_) | Body::Opaque => {}
    }
    let subject = match &analysis.body {
        Body::Manifest { subject, .. } | Body::Index { subject, .. } => subject.as_deref(),
        Body::Schema1(_) | Body::Config(_) | Body::Opaque => None,
    };
    if let Some(digest) = subject.and_then(|s| s.digest.clone()) {
        findings.push(Finding::RefersTo { subject: digest });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The constant is copied from image-spec v1.1.0 `manifest.md`; `printf '{}' | sha256sum`
    /// prints the same hex, and so must our hash of `{}`.
    #[test]
    fn the_empty_descriptor_is_the_digest_and_size_of_two_braces() {
        assert_eq!(Digest::sha256(b"{}").to_string(), EMPTY_DIGEST);
        assert_eq!(EMPTY_SIZE, b"{}".len() as u64);
    }
}
