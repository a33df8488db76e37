//! "What would a re-push produce?": the same JSON written by common tools, with each digest.

use super::compare::schema1_payload;
use crate::core::digest::Digest;
use crate::core::document::{Document, Kind};
use crate::core::reserialize::{self, Style};

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
pub fn repush_preview(document: &Document) -> Vec<Rendering> {
    let (bytes, analysis) = (document.bytes(), document.analysis());
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
