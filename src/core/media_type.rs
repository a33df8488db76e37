//! Media types of the OCI image spec and Docker's distribution formats, kept in ONE table.
//!
//! The enum is open: an unknown media type survives as [`MediaType::Other`] so it can be shown
//! exactly as written. Every known variant appears once in [`TABLE`]; a round-trip test keeps the
//! string and the variant in step.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MediaType {
    OciManifest,
    OciIndex,
    OciConfig,
    OciEmpty,
    OciLayerTar,
    OciLayerGzip,
    OciLayerZstd,
    OciLayerNondistributableTar,
    OciLayerNondistributableGzip,
    OciLayerNondistributableZstd,
    DockerManifest,
    DockerManifestList,
    DockerSchema1,
    DockerSchema1Signed,
    DockerConfig,
    DockerLayerGzip,
    DockerForeignLayerGzip,
    DockerPluginConfig,
    /// The OCI artifact manifest of image-spec 1.1.0-rc1/rc2, withdrawn before 1.1.0.
    OciArtifactManifest,
    HelmConfig,
    HelmChartContent,
    HelmChartProvenance,
    CosignSimpleSigning,
    CosignArtifactSignature,
    DsseEnvelope,
    InTotoStatement,
    NotarySignature,
    SpdxJson,
    CycloneDxJson,
    WasmConfig,
    WasmModule,
    SifConfig,
    SifLayer,
    /// Any other value, kept as written.
    Other(String),
}

/// The one table: variant, wire string, what a person calls it.
const TABLE: &[(MediaType, &str, &str)] = &[
    (
        MediaType::OciManifest,
        "application/vnd.oci.image.manifest.v1+json",
        "OCI image manifest",
    ),
    (
        MediaType::OciIndex,
        "application/vnd.oci.image.index.v1+json",
        "OCI image index",
    ),
    (
        MediaType::OciConfig,
        "application/vnd.oci.image.config.v1+json",
        "OCI image config",
    ),
    (
        MediaType::OciEmpty,
        "application/vnd.oci.empty.v1+json",
        "OCI empty descriptor ({})",
    ),
    (
        MediaType::OciLayerTar,
        "application/vnd.oci.image.layer.v1.tar",
        "OCI layer (uncompressed tar)",
    ),
    (
        MediaType::OciLayerGzip,
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "OCI layer (gzip tar)",
    ),
    (
        MediaType::OciLayerZstd,
        "application/vnd.oci.image.layer.v1.tar+zstd",
        "OCI layer (zstd tar)",
    ),
    (
        MediaType::OciLayerNondistributableTar,
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "OCI non-distributable layer (tar)",
    ),
    (
        MediaType::OciLayerNondistributableGzip,
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "OCI non-distributable layer (gzip tar)",
    ),
    (
        MediaType::OciLayerNondistributableZstd,
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
        "OCI non-distributable layer (zstd tar)",
    ),
    (
        MediaType::DockerManifest,
        "application/vnd.docker.distribution.manifest.v2+json",
        "Docker image manifest (v2 schema 2)",
    ),
    (
        MediaType::DockerManifestList,
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "Docker manifest list",
    ),
    (
        MediaType::DockerSchema1,
        "application/vnd.docker.distribution.manifest.v1+json",
        "Docker image manifest (v2 schema 1, unsigned)",
    ),
    (
        MediaType::DockerSchema1Signed,
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
        "Docker image manifest (v2 schema 1, signed)",
    ),
    (
        MediaType::DockerConfig,
        "application/vnd.docker.container.image.v1+json",
        "Docker container image config",
    ),
    (
        MediaType::DockerLayerGzip,
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
        "Docker layer (gzip tar)",
    ),
    (
        MediaType::DockerForeignLayerGzip,
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        "Docker foreign layer (gzip tar)",
    ),
    (
        MediaType::DockerPluginConfig,
        "application/vnd.docker.plugin.v1+json",
        "Docker plugin config",
    ),
    (
        MediaType::OciArtifactManifest,
        "application/vnd.oci.artifact.manifest.v1+json",
        "OCI artifact manifest (withdrawn image-spec 1.1 draft)",
    ),
    (
        MediaType::HelmConfig,
        "application/vnd.cncf.helm.config.v1+json",
        "Helm chart config (Chart.yaml as JSON)",
    ),
    (
        MediaType::HelmChartContent,
        "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
        "Helm chart archive (.tgz)",
    ),
    (
        MediaType::HelmChartProvenance,
        "application/vnd.cncf.helm.chart.provenance.v1.prov",
        "Helm chart provenance (.prov)",
    ),
    (
        MediaType::CosignSimpleSigning,
        "application/vnd.dev.cosign.simplesigning.v1+json",
        "cosign simple signing payload",
    ),
    (
        MediaType::CosignArtifactSignature,
        "application/vnd.dev.cosign.artifact.sig.v1+json",
        "cosign signature artifact",
    ),
    (
        MediaType::DsseEnvelope,
        "application/vnd.dsse.envelope.v1+json",
        "DSSE envelope (signed in-toto attestation)",
    ),
    (
        MediaType::InTotoStatement,
        "application/vnd.in-toto+json",
        "in-toto statement",
    ),
    (
        MediaType::NotarySignature,
        "application/vnd.cncf.notary.signature",
        "Notary Project signature (notation)",
    ),
    (MediaType::SpdxJson, "application/spdx+json", "SPDX SBOM (JSON)"),
    (
        MediaType::CycloneDxJson,
        "application/vnd.cyclonedx+json",
        "CycloneDX SBOM (JSON)",
    ),
    (
        MediaType::WasmConfig,
        "application/vnd.wasm.config.v0+json",
        "WebAssembly module config",
    ),
    (
        MediaType::WasmModule,
        "application/wasm",
        "WebAssembly module (.wasm)",
    ),
    (
        MediaType::SifConfig,
        "application/vnd.sylabs.sif.config.v1+json",
        "Singularity/Apptainer SIF config",
    ),
    (
        MediaType::SifLayer,
        "application/vnd.sylabs.sif.layer.v1.sif",
        "Singularity/Apptainer image file (.sif)",
    ),
];

impl MediaType {
    /// Parses a wire string. Never fails: unknown values become [`MediaType::Other`].
    pub fn parse(s: &str) -> MediaType {
        TABLE.iter().find(|(_, wire, _)| *wire == s).map_or_else(
            || MediaType::Other(s.to_owned()),
            |(variant, _, _)| variant.clone(),
        )
    }

    pub fn as_str(&self) -> &str {
        match self {
            MediaType::Other(s) => s,
            known => TABLE
                .iter()
                .find(|(v, _, _)| v == known)
                .map_or("", |(_, wire, _)| wire),
        }
    }

    /// What a person calls it, or `None` for a media type this page does not know.
    pub fn description(&self) -> Option<&'static str> {
        TABLE.iter().find(|(v, _, _)| v == self).map(|(_, _, name)| *name)
    }

    /// Layer blobs that are compressed, so their blob digest differs from their diff_id.
    pub fn is_compressed_layer(&self) -> bool {
        matches!(
            self,
            MediaType::OciLayerGzip
                | MediaType::OciLayerZstd
                | MediaType::OciLayerNondistributableGzip
                | MediaType::OciLayerNondistributableZstd
                | MediaType::DockerLayerGzip
                | MediaType::DockerForeignLayerGzip
        )
    }

    /// Layers the spec says are usually not pushed to registries (downloaded from `urls` instead).
    pub fn is_nondistributable_layer(&self) -> bool {
        matches!(
            self,
            MediaType::OciLayerNondistributableTar
                | MediaType::OciLayerNondistributableGzip
                | MediaType::OciLayerNondistributableZstd
                | MediaType::DockerForeignLayerGzip
        )
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_entry_round_trips_through_its_wire_string() {
        for (variant, wire, _) in TABLE {
            assert_eq!(&MediaType::parse(wire), variant);
            assert_eq!(variant.as_str(), *wire);
        }
    }

    #[test]
    fn unknown_media_types_survive_as_written() {
        let odd = "application/vnd.example.thing+json; charset=utf-8";
        assert_eq!(MediaType::parse(odd).as_str(), odd);
        assert_eq!(MediaType::parse(odd).description(), None);
    }

    #[test]
    fn wire_strings_are_unique() {
        for (i, (_, a, _)) in TABLE.iter().enumerate() {
            assert!(TABLE.iter().skip(i + 1).all(|(_, b, _)| a != b), "{a} twice");
        }
    }
}
