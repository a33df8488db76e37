//! Layer blobs checked as they stream in, in constant memory.
//!
//! A layer has two digests. Its blob digest (the manifest's `layers[i].digest`, with
//! `layers[i].size`) is the hash of the bytes a registry stores and sends: usually a gzip or zstd
//! stream. Its diff_id (the config's `rootfs.diff_ids[i]`) is the hash of the tar inside, after
//! decompression; that is why recompressing a layer changes its blob digest but keeps its diff_id.
//! So one pass over the blob feeds two hashers: one with the bytes as they arrive, one with the
//! output of a streaming decompressor ([`gzip`], [`zstd`], or none for a plain tar).
//!
//! [`BlobVerifier`] takes chunks of any size, in order, and keeps fixed-size state only: two
//! hashers, a 64 KiB output buffer, and for zstd the frame's window plus one block. Decompressed
//! output is capped (the user sees and sets the cap; [`DEFAULT_UNCOMPRESSED_CAP`]), so a small
//! blob that inflates without end stops with a named error instead of hashing for hours.
//! [`check`] then compares what was measured with what the manifest and config claim.

mod check;
use check::human_bytes;
pub use check::{check, measured_chain_ids, LayerCheck, Note, Problem, Verdict};
pub mod compression;
pub mod diff;
pub mod estimate;
mod gzip;
pub mod merge;
pub mod tar;
pub mod tree;
mod zstd;

use super::descriptor::Descriptor;
use super::digest::{Digest, Hasher};
use super::image_config::ImageConfig;
use super::media_type::MediaType;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The cap on decompressed bytes unless the user sets another: above the largest real layers
/// (CUDA and ML images have layers of several GiB uncompressed), far below what a gzip bomb of
/// a few MiB produces (deflate expands at most about 1032:1).
pub const DEFAULT_UNCOMPRESSED_CAP: u64 = 16 << 30;

/// Decompressed bytes handed to the hasher at a time.
const OUT_CHUNK: usize = 64 * 1024;

/// How a layer blob holds its tar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encoding {
    Tar,
    Gzip,
    Zstd,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Tar => "uncompressed tar",
            Encoding::Gzip => "gzip",
            Encoding::Zstd => "zstd",
        }
    }

    /// The encoding a blob's first bytes announce (gzip `1f 8b`, zstd `28 b5 2f fd`); anything
    /// else is taken as a plain tar. For files whose media type is not known.
    pub fn sniff(first: &[u8]) -> Encoding {
        if first.starts_with(&[0x1f, 0x8b]) {
            Encoding::Gzip
        } else if first.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Encoding::Zstd
        } else {
            Encoding::Tar
        }
    }

    /// The command that prints the digest of the uncompressed content, for `blob`.
    pub fn diff_id_command(self, blob: &str) -> String {
        match self {
            Encoding::Tar => format!("sha256sum {blob}"),
            Encoding::Gzip => format!("gzip -dc {blob} | sha256sum"),
            Encoding::Zstd => format!("zstd -dc {blob} | sha256sum"),
        }
    }
}

/// A hint for a stream that is not what its media type says, from its first bytes.
fn looks_like(first: &[u8]) -> &'static str {
    match Encoding::sniff(first) {
        Encoding::Gzip => " (it is gzip: the media type names the wrong compression)",
        Encoding::Zstd => " (it is zstd: the media type names the wrong compression)",
        Encoding::Tar => "",
    }
}

/// What this page can do with a blob of a given media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobKind {
    /// A layer: a tar, as is or compressed, whose uncompressed digest is its diff_id.
    /// Non-distributable ("foreign") layers are usually not in the registry at all.
    Layer { encoding: Encoding, distributable: bool },
    /// Anything else (an artifact's blob, an unknown layer type): only digest and size are checked.
    Opaque,
}

impl BlobKind {
    pub fn of(media_type: &MediaType) -> BlobKind {
        use Encoding::{Gzip, Tar, Zstd};
        let (encoding, distributable) = match media_type {
            MediaType::OciLayerTar => (Tar, true),
            MediaType::OciLayerGzip | MediaType::DockerLayerGzip => (Gzip, true),
            MediaType::OciLayerZstd => (Zstd, true),
            MediaType::OciLayerNondistributableTar => (Tar, false),
            MediaType::OciLayerNondistributableGzip | MediaType::DockerForeignLayerGzip => (Gzip, false),
            MediaType::OciLayerNondistributableZstd => (Zstd, false),
            _ => return BlobKind::Opaque,
        };
        BlobKind::Layer {
            encoding,
            distributable,
        }
    }
}

/// How to read a blob's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decoding {
    /// Digest and size only.
    None,
    Known(Encoding),
    /// Decide from the first bytes ([`Encoding::sniff`]): a dropped file of unknown origin.
    Sniff,
}

/// What the manifest and the config say about one layer: what a blob is checked against.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LayerClaim {
    /// The descriptor's `mediaType` as written.
    pub media_type: Option<String>,
    pub digest: Option<Digest>,
    pub size: Option<u64>,
    /// `rootfs.diff_ids[i]` of the config, when the config is loaded and has that many.
    pub diff_id: Option<Digest>,
}

impl LayerClaim {
    pub fn kind(&self) -> Option<BlobKind> {
        self.media_type
            .as_deref()
            .map(|m| BlobKind::of(&MediaType::parse(m)))
    }

    /// How a blob that should match this claim is read: by its media type, or sniffed when
    /// there is none.
    pub fn decoding(&self) -> Decoding {
        match self.kind() {
            Some(BlobKind::Layer { encoding, .. }) => Decoding::Known(encoding),
            Some(BlobKind::Opaque) => Decoding::None,
            None => Decoding::Sniff,
        }
    }

    /// The claim a file matched by its uncompressed content is checked against: the diff_id only.
    pub fn uncompressed_only(&self) -> LayerClaim {
        LayerClaim {
            media_type: Some(MediaType::OciLayerTar.as_str().to_owned()),
            digest: None,
            size: None,
            diff_id: self.diff_id.clone(),
        }
    }
}

/// Why decoding a blob's content failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContentError {
    /// Not a stream of this encoding, or damaged inside. `at` is the blob offset where
    /// decoding stopped.
    Corrupt {
        encoding: Encoding,
        at: u64,
        reason: String,
    },
    /// The stream ends before its end marker.
    Truncated { encoding: Encoding },
    /// More than `cap` bytes came out.
    OverCap { cap: u64 },
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContentError::Corrupt { encoding, at, reason } => write!(
                f,
                "Corrupt {}: decoding stopped at byte {at} of the blob: {reason}.",
                encoding.name()
            ),
            ContentError::Truncated { encoding } => write!(
                f,
                "Truncated {0}: the {0} stream stops before its end, so the blob was cut short \
                 (an interrupted download or push).",
                encoding.name()
            ),
            ContentError::OverCap { cap } => write!(
                f,
                "Decompressed size over the cap: more than {} came out, so decoding stopped. \
                 The layer is larger than the cap, or the blob is a decompression bomb; raise the \
                 cap to verify it anyway.",
                human_bytes(*cap)
            ),
        }
    }
}

/// What came out of decoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uncompressed {
    pub digest: Digest,
    pub size: u64,
}

/// The decoded content of a blob, or why it could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentReport {
    pub encoding: Encoding,
    pub result: Result<Uncompressed, ContentError>,
}

/// What one pass over a blob measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobReport {
    /// Bytes received (at least this many when reading stopped early).
    pub size: u64,
    /// Digest of the bytes received; `None` when reading stopped because the blob ran past the
    /// size its descriptor declares.
    pub digest: Option<Digest>,
    pub content: Option<ContentReport>,
}

/// Decompressed bytes go here: counted, capped, hashed, and listed when asked.
struct Sink {
    hasher: Hasher,
    size: u64,
    cap: u64,
    /// The tar's entries, read from the same bytes as the diff_id ([`BlobVerifier::with_listing`]).
    listing: Option<Box<tar::TarLister>>,
}

impl Sink {
    fn take(&mut self, bytes: &[u8]) -> Result<(), ContentError> {
        self.size += bytes.len() as u64;
        if self.size > self.cap {
            return Err(ContentError::OverCap { cap: self.cap });
        }
        self.hasher.update(bytes);
        self.list(bytes);
        Ok(())
    }

    fn list(&mut self, bytes: &[u8]) {
        if let Some(lister) = &mut self.listing {
            lister.feed(bytes);
        }
    }
}

#[derive(Debug)]
enum Decoder {
    /// A plain tar: the content is the blob itself. When both digests use one algorithm, the
    /// blob's hash is the content's and the bytes are hashed once (`shared`).
    Tar {
        shared: bool,
    },
    Gzip(Box<gzip::GzipStream>),
    Zstd(Box<zstd::ZstdStream>),
}

/// Bytes a sniffing verifier collects before it decides ([`Encoding::sniff`] needs four).
const SNIFF_LEN: usize = 4;

enum Stage {
    /// Digest only.
    Opaque,
    /// Collecting the first bytes of a blob of unknown encoding.
    Sniffing {
        first: Vec<u8>,
        sink: Sink,
        shared: bool,
    },
    Decoding {
        decoder: Decoder,
        sink: Sink,
        error: Option<ContentError>,
    },
}

/// Whether a verifier wants more bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    More,
    /// The blob has run past its declared size: its digest cannot match, reading on is pointless.
    Enough,
}

/// One blob, verified as its bytes arrive. See the module docs.
pub struct BlobVerifier {
    /// `None` once the blob ran past its declared size.
    blob: Option<Hasher>,
    received: u64,
    /// The declared size: one byte more already proves the blob wrong.
    size_limit: Option<u64>,
    stage: Stage,
}

impl BlobVerifier {
    /// A verifier for a blob that should match `claim`, decompressed up to `cap` bytes. Hashes
    /// use the claimed digests' algorithms (sha256 when none is claimed, or when the claimed one
    /// cannot be computed: [`check`] names that).
    pub fn new(claim: &LayerClaim, decoding: Decoding, cap: u64) -> BlobVerifier {
        let hasher = |digest: &Option<Digest>| {
            digest
                .as_ref()
                .and_then(|d| Hasher::new(d.algorithm()))
                .unwrap_or_else(Hasher::sha256)
        };
        let (blob, content) = (hasher(&claim.digest), hasher(&claim.diff_id));
        let shared = blob.algorithm() == content.algorithm();
        let sink = Sink {
            hasher: content,
            size: 0,
            cap,
            listing: None,
        };
        let stage = match decoding {
            Decoding::None => Stage::Opaque,
            Decoding::Sniff => Stage::Sniffing {
                first: Vec::with_capacity(SNIFF_LEN),
                sink,
                shared,
            },
            Decoding::Known(encoding) => Stage::decoding(encoding, sink, shared),
        };
        BlobVerifier {
            blob: Some(blob),
            received: 0,
            size_limit: claim.size,
            stage,
        }
    }

    /// Also lists the tar's entries from the decompressed stream, in the same pass. No effect on
    /// a blob read for its digest only.
    pub fn with_listing(mut self, options: tar::ListOptions) -> BlobVerifier {
        if let Some(sink) = self.stage.sink_mut() {
            sink.listing = Some(Box::new(tar::TarLister::new(options)));
        }
        self
    }

    /// The entries listed so far, for a page that shows them while the blob streams in.
    pub fn listed(&mut self) -> &[tar::Entry] {
        match self.stage.sink_mut().and_then(|s| s.listing.as_deref()) {
            Some(lister) => lister.entries(),
            None => &[],
        }
    }

    /// Bytes fed so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Feeds the next bytes of the blob.
    pub fn feed(&mut self, chunk: &[u8]) -> Flow {
        self.received += chunk.len() as u64;
        if self.size_limit.is_some_and(|limit| self.received > limit) {
            self.blob = None;
            return Flow::Enough;
        }
        if let Some(blob) = &mut self.blob {
            blob.update(chunk);
        }
        self.stage.feed(chunk);
        Flow::More
    }

    /// The input has ended: what was measured.
    pub fn finish(self) -> BlobReport {
        self.finish_listed().0
    }

    /// The input has ended: what was measured, and the listing when one was asked for.
    pub fn finish_listed(mut self) -> (BlobReport, Option<tar::Listing>) {
        if matches!(self.stage, Stage::Sniffing { .. }) {
            // A blob shorter than the magic numbers: decide from what there is.
            self.stage.decide(&[]);
        }
        let listing = self
            .stage
            .sink_mut()
            .and_then(|s| s.listing.take())
            .map(|lister| lister.finish());
        let digest = self.blob.map(Hasher::finalize);
        // A blob that ran past its size was not read to its end: its content says nothing.
        let content = digest.as_ref().and_then(|blob| self.stage.finish(blob));
        let report = BlobReport {
            size: self.received,
            digest,
            content,
        };
        (report, listing)
    }
}

impl Stage {
    fn sink_mut(&mut self) -> Option<&mut Sink> {
        match self {
            Stage::Opaque => None,
            Stage::Sniffing { sink, .. } | Stage::Decoding { sink, .. } => Some(sink),
        }
    }

    fn decoding(encoding: Encoding, sink: Sink, shared: bool) -> Stage {
        let decoder = match encoding {
            Encoding::Tar => Decoder::Tar { shared },
            Encoding::Gzip => Decoder::Gzip(Box::new(gzip::GzipStream::new())),
            Encoding::Zstd => Decoder::Zstd(Box::new(zstd::ZstdStream::new())),
        };
        Stage::Decoding {
            decoder,
            sink,
            error: None,
        }
    }

    fn feed(&mut self, chunk: &[u8]) {
        match self {
            Stage::Opaque => {}
            Stage::Sniffing { first, .. } => {
                let take = SNIFF_LEN.saturating_sub(first.len()).min(chunk.len());
                first.extend_from_slice(chunk.get(..take).unwrap_or_default());
                if first.len() == SNIFF_LEN {
                    self.decide(chunk.get(take..).unwrap_or_default());
                }
            }
            Stage::Decoding { decoder, sink, error } => {
                if error.is_some() {
                    return;
                }
                let result = match decoder {
                    Decoder::Tar { shared: true } => {
                        sink.size += chunk.len() as u64;
                        sink.list(chunk);
                        Ok(())
                    }
                    Decoder::Tar { shared: false } => sink.take(chunk),
                    Decoder::Gzip(stream) => stream.feed(chunk, sink),
                    Decoder::Zstd(stream) => stream.feed(chunk, sink),
                };
                *error = result.err();
            }
        }
    }

    /// Leaves `Sniffing` for the encoding its first bytes announce, then feeds them and `rest`.
    fn decide(&mut self, rest: &[u8]) {
        if let Stage::Sniffing { first, sink, shared } = std::mem::replace(self, Stage::Opaque) {
            *self = Stage::decoding(Encoding::sniff(&first), sink, shared);
            self.feed(&first);
            self.feed(rest);
        }
    }

    fn finish(self, blob: &Digest) -> Option<ContentReport> {
        let Stage::Decoding { decoder, sink, error } = self else {
            return None;
        };
        let (encoding, ended) = match &decoder {
            Decoder::Tar { .. } => (Encoding::Tar, Ok(())),
            Decoder::Gzip(stream) => (Encoding::Gzip, stream.finish()),
            Decoder::Zstd(stream) => (Encoding::Zstd, stream.finish()),
        };
        let digest = match decoder {
            Decoder::Tar { shared: true } => blob.clone(),
            _ => sink.hasher.finalize(),
        };
        let result = match error {
            Some(e) => Err(e),
            None => ended.map(|()| Uncompressed {
                size: sink.size,
                digest,
            }),
        };
        Some(ContentReport { encoding, result })
    }
}

/// The claims for each layer of an image: the manifest's layer descriptors, paired by position
/// with the config's `rootfs.diff_ids` (when the config is known).
pub fn claims(layers: &[&Descriptor], config: Option<&ImageConfig>) -> Vec<LayerClaim> {
    layers
        .iter()
        .enumerate()
        .map(|(i, layer)| LayerClaim {
            media_type: layer.media_type.as_ref().map(|m| m.as_str().to_owned()),
            digest: layer.digest.clone(),
            size: layer.size,
            diff_id: config
                .and_then(|c| c.diff_ids.get(i))
                .and_then(|d| d.as_ref().ok())
                .cloned(),
        })
        .collect()
}

/// How a blob file relates to the layers of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerMatch {
    /// The file is the blob of these layers (a manifest may list one blob twice).
    Blob(Vec<usize>),
    /// The file is the uncompressed content of these layers (`docker save` writes layers so).
    Uncompressed(Vec<usize>),
    None,
}

/// The layers a file is by its name. OCI image layouts name blobs by digest
/// (`blobs/sha256/<hex>`), and so do many tools' caches; a name holding a layer's encoded digest
/// is that layer's blob, one holding a diff_id's is the layer's uncompressed tar.
pub fn match_name(name: &str, claims: &[LayerClaim]) -> LayerMatch {
    let named = |digest: &Option<Digest>| {
        digest
            .as_ref()
            .is_some_and(|d| d.encoded().len() >= 32 && name.contains(d.encoded()))
    };
    let indexes = |pick: fn(&LayerClaim) -> &Option<Digest>| -> Vec<usize> {
        claims
            .iter()
            .enumerate()
            .filter(|(_, c)| named(pick(c)))
            .map(|(i, _)| i)
            .collect()
    };
    let blob = indexes(|c| &c.digest);
    if !blob.is_empty() {
        return LayerMatch::Blob(blob);
    }
    let uncompressed = indexes(|c| &c.diff_id);
    if !uncompressed.is_empty() {
        return LayerMatch::Uncompressed(uncompressed);
    }
    LayerMatch::None
}

/// The layers a blob read without a claim is, by what it measured: its digest equals a layer's
/// blob digest, or its uncompressed digest a diff_id.
pub fn match_report(report: &BlobReport, claims: &[LayerClaim]) -> LayerMatch {
    let blob: Vec<usize> = claims
        .iter()
        .enumerate()
        .filter(|(_, c)| c.digest.is_some() && c.digest == report.digest)
        .map(|(i, _)| i)
        .collect();
    if !blob.is_empty() {
        return LayerMatch::Blob(blob);
    }
    let content = report
        .content
        .as_ref()
        .and_then(|c| c.result.as_ref().ok())
        .map(|u| &u.digest);
    let uncompressed: Vec<usize> = claims
        .iter()
        .enumerate()
        .filter(|(_, c)| c.diff_id.is_some() && c.diff_id.as_ref() == content)
        .map(|(i, _)| i)
        .collect();
    if !uncompressed.is_empty() {
        return LayerMatch::Uncompressed(uncompressed);
    }
    LayerMatch::None
}

/// A blob of the image that is not a layer. An OCI layout's `blobs/sha256` folder holds the
/// config and the manifests beside the layers, so dropping the whole folder brings them along:
/// they are named as what they are, not reported as strangers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageBlob {
    /// The manifest's `config.digest`: the Image ID.
    Config,
    /// The manifest itself (its digest is what `docker pull …@sha256:` names).
    Manifest,
}

impl ImageBlob {
    /// A short stable name, for the page (`data-blob`) and tests.
    pub fn slug(self) -> &'static str {
        match self {
            ImageBlob::Config => "config",
            ImageBlob::Manifest => "manifest",
        }
    }
}

impl fmt::Display for ImageBlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageBlob::Config => write!(
                f,
                "This is the image's config (its digest is the Image ID, the manifest's \
                 config.digest), not a layer."
            ),
            ImageBlob::Manifest => write!(
                f,
                "This is the image manifest (its digest is the one you pull by), not a layer."
            ),
        }
    }
}

/// The digests of the image's own documents, to recognise a dropped file that is one of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageDigests {
    /// The digest of the manifest's bytes.
    pub manifest: Option<Digest>,
    /// The manifest's `config.digest`.
    pub config: Option<Digest>,
}

impl ImageDigests {
    /// Which of the image's documents a blob read without a claim is, by its digest.
    pub fn which(&self, report: &BlobReport) -> Option<ImageBlob> {
        let digest = report.digest.as_ref()?;
        if self.config.as_ref() == Some(digest) {
            Some(ImageBlob::Config)
        } else if self.manifest.as_ref() == Some(digest) {
            Some(ImageBlob::Manifest)
        } else {
            None
        }
    }
}
