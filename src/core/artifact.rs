//! Kinds of artifact people meet in registries, named from an artifact type.
//!
//! An artifact's type is its `artifactType`, or its config's `mediaType` when that field is
//! absent (image-spec v1.1.0 `manifest.md`); [`crate::core::document::artifact::artifact_type`]
//! reads it. This module says what such a type *is*: a Helm chart, a cosign signature, an SBOM…
//! Types are matched by prefix of their essence (the part before any `;` parameter), because the
//! tools put versions and suffixes in them (`…sig.v1+json`, `…bundle.v0.3+json`, `spdx+json`).
//!
//! The table names families, not exact strings; the exact wire strings a descriptor can carry
//! are rows of [`crate::core::media_type`]'s one table.

use crate::core::document::artifact::artifact_type;
use crate::core::document::{Analysis, Body};

/// A kind of artifact: what to call it and one sentence on what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownArtifact {
    /// Stable short name, used as `data-artifact` in the page.
    pub slug: &'static str,
    pub name: &'static str,
    pub about: &'static str,
}

/// Families of artifact types, by the prefix of their essence. The first match wins, so a longer
/// prefix comes before a shorter one it starts with.
const KNOWN: &[(&str, KnownArtifact)] = &[
    (
        "application/vnd.cncf.helm.config",
        KnownArtifact {
            slug: "helm-chart",
            name: "Helm chart",
            about: "A Kubernetes application packaged by Helm and pushed with `helm push`: the config is the chart's Chart.yaml as JSON, the layer is the chart archive (.tgz), and `helm pull` or `helm install oci://…` reads it.",
        },
    ),
    (
        "application/vnd.cncf.helm.chart.content",
        KnownArtifact {
            slug: "helm-chart-content",
            name: "Helm chart archive",
            about: "The packaged chart (a gzip tar of templates and values) inside a Helm chart artifact.",
        },
    ),
    (
        "application/vnd.dev.cosign.simplesigning",
        KnownArtifact {
            slug: "cosign-signature",
            name: "cosign signature (simple signing payload)",
            about: "A signature made by Sigstore's cosign: each layer is a small \"simple signing\" JSON naming the signed image's digest, and the signature itself is in that layer's annotations (dev.cosignproject.cosign/signature).",
        },
    ),
    (
        "application/vnd.dev.cosign.artifact.sig",
        KnownArtifact {
            slug: "cosign-signature",
            name: "cosign signature",
            about: "A signature made by Sigstore's cosign and attached to the image through `subject` (cosign's OCI 1.1 mode) rather than a `sha256-….sig` tag.",
        },
    ),
    (
        "application/vnd.dev.cosign.artifact.sbom",
        KnownArtifact {
            slug: "cosign-sbom",
            name: "cosign SBOM",
            about: "A software bill of materials attached by `cosign attach sbom`.",
        },
    ),
    (
        "application/vnd.dev.sigstore.bundle",
        KnownArtifact {
            slug: "sigstore-bundle",
            name: "Sigstore bundle (signature or attestation)",
            about: "A Sigstore bundle: a signature or a DSSE-signed attestation together with its certificate and transparency-log proof, as cosign 2.4+ and npm provenance write them.",
        },
    ),
    (
        "application/vnd.dsse.envelope",
        KnownArtifact {
            slug: "dsse-attestation",
            name: "in-toto attestation (DSSE envelope)",
            about: "A signed in-toto statement (SLSA provenance, an SBOM, a vulnerability scan…) wrapped in a DSSE \"Dead Simple Signing Envelope\"; `cosign attest` writes one per layer.",
        },
    ),
    (
        "application/vnd.in-toto",
        KnownArtifact {
            slug: "in-toto-attestation",
            name: "in-toto attestation",
            about: "An in-toto statement: a claim about the subject's digest (how it was built, what it contains), in the format SLSA and buildx provenance use.",
        },
    ),
    (
        "application/vnd.cncf.notary.signature",
        KnownArtifact {
            slug: "notation-signature",
            name: "Notary Project signature (notation)",
            about: "A signature made by the Notary Project's `notation sign`: the blob is a JWS or COSE envelope that signs the subject's descriptor with an X.509 certificate.",
        },
    ),
    (
        "application/spdx",
        KnownArtifact {
            slug: "spdx-sbom",
            name: "SPDX SBOM",
            about: "A software bill of materials in SPDX, the Linux Foundation's format (ISO/IEC 5962): the packages and licences inside the subject.",
        },
    ),
    (
        "text/spdx",
        KnownArtifact {
            slug: "spdx-sbom",
            name: "SPDX SBOM",
            about: "A software bill of materials in SPDX's tag-value text form: the packages and licences inside the subject.",
        },
    ),
    (
        "application/vnd.cyclonedx",
        KnownArtifact {
            slug: "cyclonedx-sbom",
            name: "CycloneDX SBOM",
            about: "A software bill of materials in CycloneDX, OWASP's format: the components inside the subject, often with their known vulnerabilities.",
        },
    ),
    (
        "application/vnd.syft",
        KnownArtifact {
            slug: "syft-sbom",
            name: "Syft SBOM",
            about: "A software bill of materials in Anchore Syft's own JSON format.",
        },
    ),
    (
        "application/vnd.wasm.config",
        KnownArtifact {
            slug: "wasm-module",
            name: "WebAssembly module",
            about: "A WebAssembly program in the CNCF wasm OCI artifact layout: the layer (application/wasm) is the .wasm binary, run by wasmtime, WasmEdge or a containerd wasm shim, never unpacked as a filesystem.",
        },
    ),
    (
        "application/wasm",
        KnownArtifact {
            slug: "wasm-binary",
            name: "WebAssembly binary (.wasm)",
            about: "A compiled WebAssembly module, stored as it is.",
        },
    ),
    (
        "application/vnd.sylabs.sif.config",
        KnownArtifact {
            slug: "sif-image",
            name: "Singularity / Apptainer image (SIF)",
            about: "A container image in the Singularity Image Format, pushed by `singularity push` or `apptainer push oras://…`: the one layer is the whole .sif file, run by Singularity or Apptainer, not by Docker.",
        },
    ),
    (
        "application/vnd.sylabs.sif.layer",
        KnownArtifact {
            slug: "sif-file",
            name: "SIF file",
            about: "A whole Singularity/Apptainer image file (.sif), stored as one blob.",
        },
    ),
];

/// What `artifact_type` is, when this page knows its family.
pub fn named(artifact_type: &str) -> Option<&'static KnownArtifact> {
    let essence = artifact_type.split(';').next()?.trim();
    KNOWN
        .iter()
        .find(|(prefix, _)| essence.starts_with(prefix))
        .map(|(_, known)| known)
}

/// What kind of artifact a document is: named from its artifact type (`artifactType`, else the
/// config's `mediaType`). cosign's tag layout (`sha256-….sig`, `.att`) gives its manifests an
/// image config and says what they are only in the layers' media types, so a manifest whose
/// layers all belong to one known family is named by them.
pub fn kind_of(analysis: &Analysis) -> Option<&'static KnownArtifact> {
    if let Some(known) = artifact_type(analysis).and_then(|t| named(&t.value)) {
        return Some(known);
    }
    let Body::Manifest { layers, .. } = &analysis.body else {
        return None;
    };
    let mut families = layers
        .iter()
        .map(|d| d.media_type.as_ref().and_then(|m| named(m.as_str())));
    let first = families.next()??;
    families
        .all(|family| family.is_some_and(|f| f.slug == first.slug))
        .then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_family_is_named_by_the_type_its_tool_writes() {
        let written = [
            ("application/vnd.cncf.helm.config.v1+json", "helm-chart"),
            (
                "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
                "helm-chart-content",
            ),
            (
                "application/vnd.dev.cosign.simplesigning.v1+json",
                "cosign-signature",
            ),
            (
                "application/vnd.dev.cosign.artifact.sig.v1+json",
                "cosign-signature",
            ),
            ("application/vnd.dev.sigstore.bundle.v0.3+json", "sigstore-bundle"),
            ("application/vnd.dsse.envelope.v1+json", "dsse-attestation"),
            ("application/vnd.in-toto+json", "in-toto-attestation"),
            ("application/vnd.cncf.notary.signature", "notation-signature"),
            ("application/spdx+json", "spdx-sbom"),
            ("application/vnd.cyclonedx+json", "cyclonedx-sbom"),
            ("application/vnd.wasm.config.v0+json", "wasm-module"),
            ("application/wasm", "wasm-binary"),
            ("application/vnd.sylabs.sif.config.v1+json", "sif-image"),
        ];
        for (artifact_type, slug) in written {
            assert_eq!(
                named(artifact_type).map(|k| k.slug),
                Some(slug),
                "{artifact_type}"
            );
        }
    }

    #[test]
    fn parameters_after_the_essence_do_not_hide_the_family() {
        let typed = named("application/vnd.cyclonedx+json; version=1.5");
        assert_eq!(typed.map(|k| k.name), Some("CycloneDX SBOM"));
    }

    #[test]
    fn image_configs_and_unknown_types_are_not_named_as_artifacts() {
        assert_eq!(named("application/vnd.oci.image.config.v1+json"), None);
        assert_eq!(named("application/x-unknown"), None);
    }

    #[test]
    fn no_family_is_hidden_behind_an_earlier_shorter_prefix() {
        for (i, (later, _)) in KNOWN.iter().enumerate() {
            for (earlier, _) in &KNOWN[..i] {
                assert!(!later.starts_with(earlier), "{later} is shadowed by {earlier}");
            }
        }
    }
}
