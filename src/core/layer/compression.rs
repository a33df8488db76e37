//! What a compressed layer's first and last bytes say without decompressing it: how it was
//! compressed (to name why two blobs of the same diff_id differ) and how large it is uncompressed
//! (an estimate shown before a download, from a Range request for a few bytes).
//!
//! gzip (RFC 1952 §2.3): a 10-byte header with the member's mtime, flags, `XFL` (2 = slowest /
//! best compression, 4 = fastest) and the OS that wrote it; the last 4 bytes are `ISIZE`, the
//! uncompressed size of the last member modulo 2^32. zstd (RFC 8878 §3.1.1.1): a frame header
//! with the window size, a checksum flag, a dictionary id and optionally `Frame_Content_Size`.

use serde::{Deserialize, Serialize};

/// A gzip member header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GzipHeader {
    pub mtime: u32,
    pub flags: u8,
    pub xfl: u8,
    pub os: u8,
}

impl GzipHeader {
    /// What `XFL` says about the compression level (deflate writers set it from their level).
    pub fn level_guess(&self) -> &'static str {
        match self.xfl {
            2 => "maximum compression (gzip -9 or similar)",
            4 => "fastest compression (gzip -1 or similar)",
            _ => "default or unstated level",
        }
    }

    pub fn os_name(&self) -> String {
        match self.os {
            0 => "FAT (0)".to_owned(),
            3 => "Unix (3)".to_owned(),
            7 => "Macintosh (7)".to_owned(),
            11 => "NTFS (11)".to_owned(),
            255 => "unknown (255, as Go's compress/gzip writes)".to_owned(),
            n => format!("OS {n}"),
        }
    }
}

/// A zstd frame header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZstdFrame {
    pub window_size: Option<u64>,
    pub single_segment: bool,
    pub checksum: bool,
    pub dictionary_id: Option<u32>,
    pub content_size: Option<u64>,
}

/// How a blob is compressed, from its first bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Compression {
    Tar,
    Gzip(GzipHeader),
    Zstd(ZstdFrame),
    /// Magic numbers of gzip or zstd but a header too short or damaged to read.
    Unreadable,
}

impl Compression {
    pub fn name(&self) -> &'static str {
        match self {
            Compression::Tar => "uncompressed tar",
            Compression::Gzip(_) => "gzip",
            Compression::Zstd(_) => "zstd",
            Compression::Unreadable => "unreadable compression header",
        }
    }
}

/// The compression of a blob whose first bytes are `head` (18 bytes are enough for any header).
pub fn describe(head: &[u8]) -> Compression {
    match head {
        [0x1f, 0x8b, 8, flags, m0, m1, m2, m3, xfl, os, ..] => Compression::Gzip(GzipHeader {
            mtime: u32::from_le_bytes([*m0, *m1, *m2, *m3]),
            flags: *flags,
            xfl: *xfl,
            os: *os,
        }),
        [0x1f, 0x8b, ..] => Compression::Unreadable,
        [0x28, 0xb5, 0x2f, 0xfd, rest @ ..] => {
            zstd_frame(rest).map_or(Compression::Unreadable, Compression::Zstd)
        }
        _ => Compression::Tar,
    }
}

fn le(bytes: &[u8]) -> u64 {
    bytes.iter().rev().fold(0, |v, &b| (v << 8) | u64::from(b))
}

/// The frame header after the magic number.
fn zstd_frame(bytes: &[u8]) -> Option<ZstdFrame> {
    let (&descriptor, mut rest) = bytes.split_first()?;
    let single_segment = descriptor & 0x20 != 0;
    let window_size = if single_segment {
        None
    } else {
        let (&wd, after) = rest.split_first()?;
        rest = after;
        let log = 10 + u32::from(wd >> 3);
        let base = 1u64 << log;
        Some(base + (base / 8) * u64::from(wd & 7))
    };
    let dict_len = [0, 1, 2, 4][usize::from(descriptor & 3)];
    let dictionary_id = (dict_len > 0)
        .then(|| rest.get(..dict_len).map(le))
        .flatten()
        .map(|id| u32::try_from(id).unwrap_or(u32::MAX));
    rest = rest.get(dict_len..)?;
    let fcs_len = match descriptor >> 6 {
        0 => usize::from(single_segment),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let content_size = match fcs_len {
        0 => None,
        2 => rest.get(..2).map(|b| le(b) + 256),
        n => rest.get(..n).map(le),
    };
    Some(ZstdFrame {
        window_size: window_size.or(content_size.filter(|_| single_segment)),
        single_segment,
        checksum: descriptor & 4 != 0,
        dictionary_id,
        content_size,
    })
}

/// Sentences naming how two compressions of the same tar differ.
pub fn differences(a: &Compression, b: &Compression) -> Vec<String> {
    match (a, b) {
        (Compression::Gzip(a), Compression::Gzip(b)) => {
            let mut out = Vec::new();
            if a.mtime != b.mtime {
                out.push(format!("gzip header mtime: {} vs {}", a.mtime, b.mtime));
            }
            if a.os != b.os {
                out.push(format!("gzip header OS: {} vs {}", a.os_name(), b.os_name()));
            }
            if a.flags != b.flags {
                out.push(format!(
                    "gzip header flags: {:#04x} vs {:#04x} (a file name or comment stored in one)",
                    a.flags, b.flags
                ));
            }
            if a.xfl != b.xfl {
                out.push(format!(
                    "compression level: {} vs {}",
                    a.level_guess(),
                    b.level_guess()
                ));
            }
            if out.is_empty() {
                out.push(
                    "the gzip headers are identical: the deflate streams differ (another level or \
                     another implementation, e.g. Go's compress/gzip vs pigz or zlib)"
                        .to_owned(),
                );
            }
            out
        }
        (Compression::Zstd(a), Compression::Zstd(b)) => {
            let mut out = Vec::new();
            if a.window_size != b.window_size {
                out.push(format!(
                    "zstd window size: {:?} vs {:?}",
                    a.window_size, b.window_size
                ));
            }
            if a.checksum != b.checksum {
                out.push(format!("zstd content checksum: {} vs {}", a.checksum, b.checksum));
            }
            if a.content_size != b.content_size {
                out.push(format!(
                    "zstd Frame_Content_Size: {:?} vs {:?}",
                    a.content_size, b.content_size
                ));
            }
            if a.dictionary_id != b.dictionary_id {
                out.push(format!(
                    "zstd dictionary: {:?} vs {:?}",
                    a.dictionary_id, b.dictionary_id
                ));
            }
            if out.is_empty() {
                out.push("the zstd frame headers are identical: the compressed blocks differ (another level or encoder)".to_owned());
            }
            out
        }
        (a, b) => vec![format!("{} vs {}", a.name(), b.name())],
    }
}

/// Where an uncompressed-size estimate comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EstimateSource {
    GzipIsize,
    ZstdFrameContentSize,
    /// An uncompressed tar: the blob is the content.
    BlobSize,
}

impl EstimateSource {
    /// `data-source` in the page.
    pub fn slug(self) -> &'static str {
        match self {
            EstimateSource::GzipIsize => "gzip-isize",
            EstimateSource::ZstdFrameContentSize => "zstd-frame-content-size",
            EstimateSource::BlobSize => "blob-size",
        }
    }

    /// Where the number comes from and its limits, as the page says it beside the number.
    pub fn phrase(self) -> &'static str {
        match self {
            EstimateSource::GzipIsize => "from the gzip trailer; modulo 4 GiB, single-member only",
            EstimateSource::ZstdFrameContentSize => "from the zstd frame header; first frame only",
            EstimateSource::BlobSize => "an uncompressed tar: the blob is the content",
        }
    }
}

/// An uncompressed size known before decompressing, labelled as an estimate until verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeEstimate {
    pub bytes: u64,
    pub source: EstimateSource,
    /// Why the number may be wrong, when it may.
    pub caveat: Option<String>,
    /// The number contradicts the blob (smaller than the compressed size, or larger than deflate
    /// can expand it): several gzip members or zstd frames, a size past 4 GiB, or no such trailer.
    pub doubtful: bool,
}

/// Whether an uncompressed size below the compressed size cannot be right: compression may grow
/// incompressible data by a few bytes per block, never by more than about 1/64 plus a header.
pub fn smaller_than_compressed(uncompressed: u64, compressed: u64) -> bool {
    uncompressed < compressed.saturating_sub(compressed / 64 + 1024)
}

/// Deflate expands at most about 1032:1; a larger ratio is no real ISIZE.
const DEFLATE_MAX_RATIO: u64 = 1032;

/// The uncompressed size from a gzip blob's last 4 bytes (`tail` ends where the blob ends).
/// Deflate never shrinks data below about 1/1032 of its size nor grows it by more than a few
/// bytes per block, so an `ISIZE` far below the compressed size has wrapped past 4 GiB.
pub fn gzip_isize(tail: &[u8], compressed_size: u64) -> Option<SizeEstimate> {
    let start = tail.len().checked_sub(4)?;
    let isize = le(tail.get(start..)?);
    let wrapped = smaller_than_compressed(isize, compressed_size);
    let impossible = isize
        > compressed_size
            .saturating_mul(DEFLATE_MAX_RATIO)
            .saturating_add(1024);
    let caveat = if impossible {
        format!(
            "{isize} bytes is more than deflate can expand {compressed_size} compressed bytes to: \
             the last bytes are not a gzip trailer"
        )
    } else if wrapped {
        format!(
            "gzip stores the size modulo 4 GiB: {isize} bytes is less than the compressed size, so \
             the layer is {isize} + a multiple of 4 GiB (or the blob has several gzip members)"
        )
    } else {
        "gzip stores the size modulo 4 GiB and only for the last member: exact for single-member \
         layers under 4 GiB"
            .to_owned()
    };
    Some(SizeEstimate {
        bytes: isize,
        source: EstimateSource::GzipIsize,
        caveat: Some(caveat),
        doubtful: wrapped || impossible,
    })
}

/// The uncompressed size from a zstd blob's first frame header, when the encoder wrote it (zstd
/// does for inputs of known size; streaming encoders often do not).
pub fn zstd_content_size(head: &[u8]) -> Option<SizeEstimate> {
    let Compression::Zstd(frame) = describe(head) else {
        return None;
    };
    Some(SizeEstimate {
        bytes: frame.content_size?,
        source: EstimateSource::ZstdFrameContentSize,
        caveat: Some("the first frame's size: a blob of several frames is larger".to_owned()),
        doubtful: false,
    })
}

/// Whether a blob's first 512 bytes (or fewer) look like a layer: gzip or zstd magic numbers, or a
/// tar header's `ustar` magic at offset 257. For inputs that arrive without a media type.
pub fn looks_like_layer(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
        || head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
        || head.get(257..262) == Some(b"ustar".as_slice())
}
