//! A registry layer's uncompressed size before downloading it: which few bytes to ask for with a
//! `Range` request, and what the answer says. No IO: `registry::estimate` sends the request.
//!
//! gzip keeps the size in its last 4 bytes (`ISIZE`, RFC 1952 §2.3.1), zstd in its first frame
//! header (`Frame_Content_Size`, RFC 8878 §3.1.1.1.4, at most 18 bytes from the start). The range
//! is written with both ends (`bytes=first-last`, from the manifest's size) rather than as a suffix
//! (`bytes=-8`): only that form is a CORS-safelisted header, so registries that allow no `Range`
//! header still answer without a preflight.

use super::compression::{
    gzip_isize, smaller_than_compressed, zstd_content_size, EstimateSource, SizeEstimate,
};
use super::Encoding;
use std::fmt;

/// The zstd frame header's largest size: magic, descriptor, window, dictionary id, content size.
const ZSTD_HEADER_MAX: u64 = 18;
/// The gzip trailer: CRC32, then ISIZE.
const GZIP_TRAILER: u64 = 8;

/// An inclusive byte range of a blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub first: u64,
    pub last: u64,
}

impl ByteRange {
    /// The `Range` header's value.
    pub fn header(self) -> String {
        format!("bytes={}-{}", self.first, self.last)
    }

    /// Bytes in the range (never 0: both ends are included).
    pub fn byte_count(self) -> u64 {
        self.last - self.first + 1
    }
}

/// What to do for a layer of `encoding` whose blob is `size` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Known without asking (an uncompressed tar).
    Known(SizeEstimate),
    Ask(ByteRange),
}

/// Why no estimate came, as a sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EstimateProblem {
    EmptyBlob,
    /// The registry answered `200` with the whole blob: the download was stopped at once.
    RangeIgnored,
    Status(u16),
    Short {
        got: u64,
        wanted: u64,
    },
    NotZstd,
    NoContentSize,
    /// The request got no answer (the registry error's sentence).
    Unreachable(String),
}

impl EstimateProblem {
    /// `data-problem` in the page.
    pub fn slug(&self) -> &'static str {
        match self {
            EstimateProblem::EmptyBlob => "empty-blob",
            EstimateProblem::RangeIgnored => "range-ignored",
            EstimateProblem::Status(_) => "status",
            EstimateProblem::Short { .. } => "short-answer",
            EstimateProblem::NotZstd => "not-zstd",
            EstimateProblem::NoContentSize => "no-content-size",
            EstimateProblem::Unreachable(_) => "unreachable",
        }
    }
}

impl fmt::Display for EstimateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EstimateProblem::EmptyBlob => write!(
                f,
                "The manifest gives this layer a size of 0 bytes: there is nothing to estimate."
            ),
            EstimateProblem::RangeIgnored => write!(
                f,
                "No estimate: the registry ignored the Range request and began sending the whole blob, \
                 so the page stopped it. Verify the layer to measure its size."
            ),
            EstimateProblem::Status(status) => {
                write!(
                    f,
                    "No estimate: the registry answered {status} to the Range request."
                )
            }
            EstimateProblem::Short { got, wanted } => write!(
                f,
                "No estimate: the registry sent {got} bytes for a range of {wanted}."
            ),
            EstimateProblem::NotZstd => write!(
                f,
                "No estimate: the blob does not start with a zstd frame header, as its media type says."
            ),
            EstimateProblem::NoContentSize => write!(
                f,
                "No estimate: the zstd frame header does not record the content size (streaming \
                 encoders leave it out). Verify the layer to measure it."
            ),
            EstimateProblem::Unreachable(why) => write!(f, "No estimate: {why}"),
        }
    }
}

/// Which bytes tell the uncompressed size of a layer of `encoding` whose blob is `size` bytes.
pub fn plan(encoding: Encoding, size: u64) -> Result<Plan, EstimateProblem> {
    if size == 0 {
        return Err(EstimateProblem::EmptyBlob);
    }
    Ok(match encoding {
        Encoding::Tar => Plan::Known(SizeEstimate {
            bytes: size,
            source: EstimateSource::BlobSize,
            caveat: None,
            doubtful: false,
        }),
        Encoding::Gzip => Plan::Ask(ByteRange {
            first: size.saturating_sub(GZIP_TRAILER),
            last: size - 1,
        }),
        Encoding::Zstd => Plan::Ask(ByteRange {
            first: 0,
            last: size.min(ZSTD_HEADER_MAX) - 1,
        }),
    })
}

/// What the registry's answer to `range` (status and body) says about a layer of `encoding`
/// whose blob is `size` bytes.
pub fn read_answer(
    encoding: Encoding,
    size: u64,
    range: ByteRange,
    status: u16,
    body: &[u8],
) -> Result<SizeEstimate, EstimateProblem> {
    match status {
        206 => {}
        200 => return Err(EstimateProblem::RangeIgnored),
        other => return Err(EstimateProblem::Status(other)),
    }
    let got = u64::try_from(body.len()).unwrap_or(u64::MAX);
    if got != range.byte_count() {
        return Err(EstimateProblem::Short {
            got,
            wanted: range.byte_count(),
        });
    }
    match encoding {
        Encoding::Tar => Ok(SizeEstimate {
            bytes: size,
            source: EstimateSource::BlobSize,
            caveat: None,
            doubtful: false,
        }),
        Encoding::Gzip => gzip_isize(body, size).ok_or(EstimateProblem::Short {
            got,
            wanted: GZIP_TRAILER,
        }),
        Encoding::Zstd => {
            if !body.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
                return Err(EstimateProblem::NotZstd);
            }
            let mut estimate = zstd_content_size(body).ok_or(EstimateProblem::NoContentSize)?;
            if smaller_than_compressed(estimate.bytes, size) {
                estimate.doubtful = true;
                estimate.caveat = Some(format!(
                    "the first frame holds {} bytes, less than the {size} compressed bytes of the blob: \
                     the blob has several frames, and the layer is larger",
                    estimate.bytes
                ));
            }
            Ok(estimate)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_name_both_ends_so_the_header_is_cors_safelisted() {
        let Ok(Plan::Ask(gzip)) = plan(Encoding::Gzip, 1000) else {
            panic!("gzip asks");
        };
        assert_eq!(gzip.header(), "bytes=992-999");
        let Ok(Plan::Ask(zstd)) = plan(Encoding::Zstd, 10) else {
            panic!("zstd asks");
        };
        assert_eq!(zstd.header(), "bytes=0-9");
        assert!(matches!(
            plan(Encoding::Tar, 5),
            Ok(Plan::Known(SizeEstimate { bytes: 5, .. }))
        ));
        assert_eq!(plan(Encoding::Gzip, 0), Err(EstimateProblem::EmptyBlob));
    }

    #[test]
    fn a_registry_that_ignores_range_or_sends_too_little_gives_no_estimate() {
        let range = ByteRange { first: 92, last: 99 };
        assert_eq!(
            read_answer(Encoding::Gzip, 100, range, 200, &[]),
            Err(EstimateProblem::RangeIgnored)
        );
        assert_eq!(
            read_answer(Encoding::Gzip, 100, range, 206, &[1, 2]),
            Err(EstimateProblem::Short { got: 2, wanted: 8 })
        );
        assert_eq!(
            read_answer(Encoding::Gzip, 100, range, 416, &[]),
            Err(EstimateProblem::Status(416))
        );
    }
}
