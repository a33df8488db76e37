//! The answer of [`super::compare`]: why two digests differ, and the sentence that says so.

use super::serialization::{at, SerializationDifference};
use super::Side;
use crate::core::descriptor::Platform;
use crate::core::digest::Digest;
use crate::core::document::Kind;
use crate::core::media_type::MediaType;
use crate::core::reserialize::Identified;
use std::fmt;

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

pub(super) fn or_none(digest: Option<&Digest>) -> String {
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
    /// The sentence for each verdict, one small writer per case so each reads on its own.
    fn reason(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::IdenticalBytes { digest } => identical_bytes(f, digest),
            Verdict::Reserialized {
                differences,
                a_style,
                b_style,
                is_config,
                ..
            } => reserialized(f, differences, [a_style, b_style], *is_config),
            Verdict::Schema1Resigned { payload } => schema1_resigned(f, payload),
            Verdict::IndexAndPlatformManifest {
                index,
                position,
                platform,
                attestation,
            } => index_and_platform_manifest(f, *index, *position, platform.as_ref(), *attestation),
            Verdict::ManifestAndConfig { manifest, config } => manifest_and_config(f, *manifest, config),
            Verdict::Converted {
                from,
                to,
                config,
                recompressed,
            } => converted(f, *from, *to, config, recompressed),
            Verdict::Recompressed { config, layers, total } => recompressed(f, config, layers, *total),
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
            } => schema1_and_schema2(f, *schema1, *other, *same_layers),
            Verdict::IndexesDiffer {
                converted,
                entries,
                other_paths,
            } => indexes_differ(f, converted.as_ref(), entries, other_paths),
            Verdict::ConfigsDiffer { same_diff_ids, paths } => configs_differ(f, *same_diff_ids, paths),
            Verdict::DifferentImages {
                a_config,
                b_config,
                shared_layers,
            } => different_images(f, a_config.as_ref(), b_config.as_ref(), *shared_layers),
            Verdict::Unrelated { a, b } => write!(
                f,
                "A is {} and B is {}: not two forms of one document, and neither lists the other.",
                a.name(),
                b.name()
            ),
        }
    }
}

fn identical_bytes(f: &mut fmt::Formatter<'_>, digest: &Digest) -> fmt::Result {
    write!(
        f,
        "The bytes are identical, so the digests are too ({digest}). Tools that copy the bytes as they \
         are keep it: crane copy, regctl image copy, skopeo copy --preserve-digests, oras copy."
    )
}

fn reserialized(
    f: &mut fmt::Formatter<'_>,
    differences: &[SerializationDifference],
    styles: [&Option<Identified>; 2],
    is_config: bool,
) -> fmt::Result {
    let names: Vec<&str> = differences.iter().map(SerializationDifference::name).collect();
    write!(
        f,
        "Same JSON value, different bytes: the two hold exactly the same content, written differently \
         ({}). A digest is a hash of the exact bytes, so re-serializing changes it.",
        names.join(", ")
    )?;
    for (side, style) in [Side::A, Side::B].into_iter().zip(styles) {
        if let Some(style) = style {
            write!(f, " {side} is exactly {}.", style.description)?;
        }
    }
    if is_config {
        write!(
            f,
            " These are image configs, whose digest is the Image ID: the Image ID differs too, although \
             the image is the same."
        )?;
    }
    Ok(())
}

fn schema1_resigned(f: &mut fmt::Formatter<'_>, payload: &Digest) -> fmt::Result {
    write!(
        f,
        "The same schema 1 manifest, signed twice: the signatures differ, but a signed schema 1 manifest \
         is named by the sha256 of its payload without the signatures, {payload}, the same for both. \
         Registries sign schema 1 manifests again on every request."
    )
}

fn index_and_platform_manifest(
    f: &mut fmt::Formatter<'_>,
    index: Side,
    position: usize,
    platform: Option<&Platform>,
    attestation: bool,
) -> fmt::Result {
    let child = index.other();
    let platform = platform.map_or_else(|| "this platform".to_owned(), Platform::to_string);
    if attestation {
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

fn manifest_and_config(f: &mut fmt::Formatter<'_>, manifest: Side, config: &Digest) -> fmt::Result {
    write!(
        f,
        "{} is the config blob {manifest} points at. Its digest, {config}, is the Image ID (docker images \
         shows its first 12 characters, {}), not a manifest digest.",
        manifest.other(),
        config.short()
    )
}

fn converted(
    f: &mut fmt::Formatter<'_>,
    from: Kind,
    to: Kind,
    config: &ConfigChange,
    recompressed: &[LayerChange],
) -> fmt::Result {
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

fn recompressed(
    f: &mut fmt::Formatter<'_>,
    config: &Digest,
    layers: &[LayerChange],
    total: usize,
) -> fmt::Result {
    write!(
        f,
        "Same image, layers recompressed: the config {config} (the Image ID) is the same, so the \
         uncompressed layers (diff_ids) are the same, but {} of {total} layer blobs differ: {}.",
        layers.len(),
        describe_recompression(layers)
    )
}

fn schema1_and_schema2(
    f: &mut fmt::Formatter<'_>,
    schema1: Side,
    other: Kind,
    same_layers: bool,
) -> fmt::Result {
    write!(
        f,
        "{schema1} is a Docker schema 1 manifest and {} a {}. Schema 1 is another format (signed, no \
         config blob), so the digests can never match; registries still convert schema 2 to schema 1 \
         for old clients.",
        schema1.other(),
        other.name()
    )?;
    if same_layers {
        write!(f, " Both list the same layer blobs: it is the same image.")
    } else {
        write!(f, " They list different layer blobs.")
    }
}

fn indexes_differ(
    f: &mut fmt::Formatter<'_>,
    converted: Option<&(Kind, Kind)>,
    entries: &[EntryDifference],
    other_paths: &[String],
) -> fmt::Result {
    write!(f, "Both are multi-platform indexes, but they differ")?;
    if let Some((from, to)) = converted {
        write!(f, ": B is A converted from {} to {}", from.name(), to.name())?;
    }
    if entries.is_empty() {
        write!(f, ". They list the same platform manifests")?;
        if !other_paths.is_empty() {
            write!(f, "; only {} differ", list_paths(other_paths))?;
        }
        return write!(f, ".");
    }
    write!(f, ". {}.", entry_changes(entries, converted.is_some()).join("; "))
}

/// The changed, removed and added entries of two indexes, one phrase each.
fn entry_changes(entries: &[EntryDifference], converted: bool) -> Vec<String> {
    let changed: Vec<&str> = entries
        .iter()
        .filter(|e| e.a.is_some() && e.b.is_some())
        .map(|e| e.platform.as_str())
        .collect();
    let only_a = entries.iter().filter(|e| e.b.is_none()).count();
    let only_b = entries.iter().filter(|e| e.a.is_none()).count();
    let mut parts = Vec::new();
    if !changed.is_empty() {
        let why = if converted {
            "were converted with it, so they have other digests"
        } else {
            "have other digests"
        };
        parts.push(format!(
            "{} platform manifest(s) {why} ({})",
            changed.len(),
            changed.join(", ")
        ));
    }
    if only_a > 0 {
        parts.push(format!("{only_a} entr(ies) only in A"));
    }
    if only_b > 0 {
        parts.push(format!("{only_b} entr(ies) only in B"));
    }
    parts
}

fn configs_differ(f: &mut fmt::Formatter<'_>, same_diff_ids: bool, paths: &[String]) -> fmt::Result {
    write!(f, "Different image configs, so different Image IDs")?;
    if same_diff_ids {
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

fn different_images(
    f: &mut fmt::Formatter<'_>,
    a_config: Option<&Digest>,
    b_config: Option<&Digest>,
    shared_layers: usize,
) -> fmt::Result {
    write!(
        f,
        "Different images: the configs differ ({} and {}), so the Image IDs differ.",
        or_none(a_config),
        or_none(b_config)
    )?;
    if shared_layers > 0 {
        write!(
            f,
            " They share {shared_layers} layer blob(s), as images built on a common base do."
        )?;
    }
    Ok(())
}
