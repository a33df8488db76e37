//! One plain sentence per digest: what it is, where the user meets it, and commands to see it.
//!
//! Principle 3 ("every claim is checkable") lives here: each [`Explanation`] names the tools that
//! print the same value, so the user never has to take the page's word for it. Commands use the
//! placeholder `IMAGE` (a reference such as `registry.example/app:1`) unless a reference is known.

use super::descriptor::Platform;
use super::digest::Digest;

/// Which digest of an image a value is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestRole {
    /// A single-platform manifest, as a tag points at it.
    Manifest,
    /// An index / manifest list: the multi-platform digest.
    Index,
    /// One platform's manifest inside an index.
    PlatformManifest {
        platform: Option<Platform>,
    },
    /// The config blob: the Image ID.
    Config,
    /// A compressed (or plain) layer blob as stored in the registry.
    LayerBlob {
        index: usize,
    },
    /// The digest of a layer's uncompressed tar.
    DiffId {
        index: usize,
    },
    ChainId {
        index: usize,
    },
    /// sha256 of a signed schema 1 manifest's payload: its real digest.
    Schema1Payload,
    /// sha256 of a signed schema 1 manifest's bytes, signatures included: no tool uses it.
    Schema1Bytes,
    /// The manifest an artifact (signature, SBOM…) is attached to.
    Subject,
    /// A buildx attestation manifest listed in an index (provenance, SBOM), not a platform.
    AttestationManifest,
    /// The OCI empty descriptor (`{}`), which artifacts use where an image has its config.
    EmptyDescriptor,
    /// One blob (file) of an artifact: an SBOM, a signature, a chart, not a filesystem layer.
    ArtifactBlob {
        index: usize,
    },
    /// A manifest attached to another by its `subject` (or a cosign tag): a signature, SBOM or
    /// attestation, listed among that manifest's referrers.
    Referrer,
    /// A document whose kind names no role (unknown JSON, not JSON).
    Bytes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub what: String,
    pub commands: Vec<String>,
}

/// What an explanation's sentence and commands name: the image as the user wrote it (or `IMAGE`),
/// its repository, and the digest in full and short.
#[derive(Clone, Copy)]
struct Names<'a> {
    image: &'a str,
    repo: &'a str,
    digest: &'a Digest,
    short: &'a str,
}

/// Explains `digest` in its `role`; `image` is the reference the user named, if any.
pub fn explain(role: &DigestRole, digest: &Digest, image: Option<&str>) -> Explanation {
    let image = image.unwrap_or("IMAGE");
    let repo = image.split(['@']).next().unwrap_or(image);
    let repo = match repo.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => repo,
    };
    let names = Names {
        image,
        repo,
        digest,
        short: digest.short(),
    };
    let (what, commands) = match role {
        DigestRole::Manifest => manifest(&names),
        DigestRole::Index => index(&names),
        DigestRole::PlatformManifest { platform } => platform_manifest(&names, platform.as_ref()),
        DigestRole::Config => config(&names),
        DigestRole::LayerBlob { index } => layer_blob(&names, *index),
        DigestRole::DiffId { index } => diff_id(&names, *index),
        DigestRole::ChainId { index } => chain_id(&names, *index),
        DigestRole::Schema1Payload => schema1_payload(&names),
        DigestRole::Schema1Bytes => schema1_bytes(),
        DigestRole::Subject => subject(&names),
        DigestRole::AttestationManifest => attestation_manifest(&names),
        DigestRole::EmptyDescriptor => empty_descriptor(),
        DigestRole::ArtifactBlob { index } => artifact_blob(&names, *index),
        DigestRole::Referrer => referrer(&names),
        DigestRole::Bytes => bytes(),
    };
    Explanation { what, commands }
}

fn manifest(n: &Names<'_>) -> (String, Vec<String>) {
    let Names {
        image, repo, digest, ..
    } = *n;
    (
        format!(
            "The manifest digest. When a tag points at this manifest, `docker pull` prints it as \"Digest: {digest}\", \
             `docker inspect` lists it in RepoDigests, and Kubernetes shows it in the pod's imageID. \
             Pulling {repo}@{digest} always gets exactly these bytes."
        ),
        vec![
            format!("crane digest {image}"),
            format!("skopeo inspect --format '{{{{.Digest}}}}' docker://{image}"),
            format!("regctl image digest {image}"),
            format!("crane manifest {repo}@{digest} | sha256sum"),
            format!("regctl manifest get {repo}@{digest} --format raw-body"),
            format!("skopeo inspect --raw docker://{repo}@{digest}"),
            format!("docker images --digests {repo}"),
        ],
    )
}

fn index(n: &Names<'_>) -> (String, Vec<String>) {
    let Names {
        image, repo, digest, ..
    } = *n;
    (
        "The multi-platform digest (index / manifest list). For a multi-arch tag this is the digest \
         `docker pull` prints and RepoDigests lists, and what `docker buildx imagetools inspect` shows as Digest \
         — not the digest of the platform your machine runs."
            .to_owned(),
        vec![
            format!("docker buildx imagetools inspect {image}"),
            format!("crane digest {image}"),
            format!("regctl manifest get {image} --format raw-body | sha256sum"),
            format!("skopeo inspect --raw docker://{repo}@{digest}"),
            format!("docker images --digests {repo}"),
        ],
    )
}

fn platform_manifest(n: &Names<'_>, platform: Option<&Platform>) -> (String, Vec<String>) {
    let Names {
        image, repo, digest, ..
    } = *n;
    let platform = platform.map_or_else(|| "this platform".to_owned(), Platform::to_string);
    (
        format!(
            "The {platform} manifest digest, one entry of the index. A registry UI shows it per platform; \
             it differs from the multi-platform digest that `docker pull` of the tag prints."
        ),
        vec![
            format!("crane digest --platform {platform} {image}"),
            format!("regctl image digest --platform {platform} {image}"),
            format!("skopeo inspect --override-os OS --override-arch ARCH --format '{{{{.Digest}}}}' docker://{image}"),
            format!("crane manifest {repo}@{digest}"),
            format!("regctl manifest get {repo}@{digest} --format raw-body"),
            format!("skopeo inspect --raw docker://{repo}@{digest}"),
        ],
    )
}

fn config(n: &Names<'_>) -> (String, Vec<String>) {
    let Names {
        image,
        repo,
        digest,
        short,
    } = *n;
    (
        format!(
            "The config digest = the Image ID. `docker images` shows its first 12 hex characters ({short}), \
             `docker inspect --format '{{{{.Id}}}}'` shows it whole. It stays the same when only the manifest is \
             re-serialized or the layers recompressed. (With Docker's containerd image store, docker shows the \
             manifest or index digest as the ID instead.)"
        ),
        vec![
            format!("docker inspect --format '{{{{.Id}}}}' {image}"),
            format!("crane config {image} | sha256sum"),
            format!("skopeo inspect --raw docker://{image} | jq -r .config.digest"),
            format!("docker images {repo}"),
            format!("regctl blob get {repo} {digest}"),
        ],
    )
}

fn layer_blob(n: &Names<'_>, index: usize) -> (String, Vec<String>) {
    let Names { repo, digest, .. } = *n;
    (
        format!(
            "Layer {index}'s blob digest: the sha256 of the layer as stored in the registry (usually gzip or \
             zstd compressed). Recompressing the same files changes it; the diff_id stays."
        ),
        vec![
            format!("crane blob {repo}@{digest} | sha256sum"),
            format!("regctl blob get {repo} {digest} | sha256sum"),
        ],
    )
}

fn diff_id(n: &Names<'_>, index: usize) -> (String, Vec<String>) {
    let Names { image, repo, .. } = *n;
    (
        format!(
            "Layer {index}'s diff_id: the sha256 of the UNCOMPRESSED layer tar, listed in the config's \
             rootfs.diff_ids. `docker inspect` shows these as RootFS.Layers. Recompression never changes it."
        ),
        vec![
            format!("docker inspect --format '{{{{json .RootFS.Layers}}}}' {image}"),
            format!("crane blob {repo}@<layer blob digest> | gunzip | sha256sum"),
        ],
    )
}

fn chain_id(n: &Names<'_>, index: usize) -> (String, Vec<String>) {
    let Names { digest, .. } = *n;
    (
        format!(
            "The chain ID of layers 0..{index}: the ID docker and containerd give the unpacked filesystem \
             snapshot of this layer stack (sha256 of the previous chain ID, a space, and this diff_id)."
        ),
        vec![format!(
            "ls /var/lib/docker/image/overlay2/layerdb/sha256/{}",
            digest.encoded()
        )],
    )
}

fn schema1_payload(n: &Names<'_>) -> (String, Vec<String>) {
    let Names { image, .. } = *n;
    (
        "The digest of this schema 1 manifest as registries and docker use it: the sha256 of the signed payload \
         (the bytes without the signatures member, rebuilt by libtrust's formatLength/formatTail rule). \
         A registry re-signs schema 1 on every GET, so the bytes change while this digest stays."
            .to_owned(),
        vec![format!("skopeo inspect --format '{{{{.Digest}}}}' docker://{image}")],
    )
}

fn schema1_bytes() -> (String, Vec<String>) {
    (
        "The sha256 of these exact bytes, signatures included. No tool names the manifest by it; \
         it changes every time the manifest is signed again."
            .to_owned(),
        vec!["sha256sum manifest.json".to_owned()],
    )
}

fn subject(n: &Names<'_>) -> (String, Vec<String>) {
    let Names { repo, digest, .. } = *n;
    (
        "The digest of the manifest this artifact is attached to (its subject). Signatures, SBOMs and \
         attestations follow this exact digest: if the image is re-pushed with a new digest, they are left behind."
            .to_owned(),
        vec![format!("oras discover {repo}@{digest}"), format!("regctl artifact list {repo}@{digest}")],
    )
}

fn attestation_manifest(n: &Names<'_>) -> (String, Vec<String>) {
    let Names {
        image, repo, digest, ..
    } = *n;
    (
        "An attestation manifest buildx stores in the index beside the platform manifests, with platform \
         unknown/unknown and the annotation vnd.docker.reference.type: attestation-manifest. Its layers are \
         in-toto statements (build provenance, SBOM) about the manifest its vnd.docker.reference.digest \
         annotation names. Runtimes skip it; it moves with the index, so copying the index keeps it."
            .to_owned(),
        vec![
            format!("docker buildx imagetools inspect {image} --format '{{{{json .Provenance}}}}'"),
            format!("crane manifest {repo}@{digest}"),
            format!("regctl manifest get {repo}@{digest}"),
        ],
    )
}

fn empty_descriptor() -> (String, Vec<String>) {
    (
        "The digest of the OCI empty descriptor: the sha256 of the 2 bytes {}. Artifacts put it where an image \
         has its config, so every such artifact has this same config digest; it is not an Image ID, and there is \
         nothing to download."
            .to_owned(),
        vec!["printf '{}' | sha256sum".to_owned()],
    )
}

fn artifact_blob(n: &Names<'_>, index: usize) -> (String, Vec<String>) {
    let Names { repo, digest, .. } = *n;
    (
        format!(
            "Blob {index} of this artifact: the sha256 of the file exactly as stored (the SBOM, signature or \
             other payload itself). Nothing unpacks it, so it has no diff_id."
        ),
        vec![
            format!("crane blob {repo}@{digest} | sha256sum"),
            format!("regctl blob get {repo} {digest} | sha256sum"),
            format!("oras blob fetch --output - {repo}@{digest} | sha256sum"),
        ],
    )
}

fn referrer(n: &Names<'_>) -> (String, Vec<String>) {
    let Names { repo, digest, .. } = *n;
    (
        "The digest of a referrer: a manifest (signature, SBOM, attestation) attached to an image manifest. \
         It names that manifest by digest in its subject (or, for cosign's older scheme, only by the tag \
         sha256-<hex>.sig), so it belongs to that exact digest and not to copies of the image with another one."
            .to_owned(),
        vec![
            format!("oras manifest fetch {repo}@{digest}"),
            format!("regctl manifest get {repo}@{digest}"),
            format!("crane manifest {repo}@{digest}"),
        ],
    )
}

fn bytes() -> (String, Vec<String>) {
    (
        "The sha256 of these exact bytes.".to_owned(),
        vec!["sha256sum FILE".to_owned()],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_explanation_names_the_short_image_id() {
        let d: Digest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
            .parse()
            .unwrap();
        let e = explain(&DigestRole::Config, &d, Some("localhost:5000/app:1"));
        assert!(e.what.contains("(44136fa355b3)"));
        assert!(e
            .commands
            .contains(&"crane config localhost:5000/app:1 | sha256sum".to_owned()));
    }

    #[test]
    fn blob_commands_pin_the_repository_not_the_tag() {
        let d: Digest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
            .parse()
            .unwrap();
        let e = explain(
            &DigestRole::LayerBlob { index: 0 },
            &d,
            Some("localhost:5000/app:1"),
        );
        assert_eq!(
            e.commands[0],
            format!("crane blob localhost:5000/app@{d} | sha256sum")
        );
    }
}
