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

/// A `Content-Range` header's value (RFC 9110 §14.4):
///
/// ```text
/// Content-Range     = range-unit SP ( range-resp / unsatisfied-range )
/// range-resp        = incl-range "/" ( complete-length / "*" )
/// incl-range        = first-pos "-" last-pos
/// unsatisfied-range = "*/" complete-length
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentRange {
    /// `bytes first-last/complete`; `complete` is `None` for `*` (the sender does not know it).
    Bytes { range: ByteRange, complete: Option<u64> },
    /// `bytes */complete`: the range asked for lies outside the representation (a 416).
    Unsatisfied { complete: u64 },
}

impl ContentRange {
    /// The value as the grammar allows it, or `None`. The unit is matched case-insensitively
    /// (range units are, §14.1); §14.4 also calls a range whose last position is before its
    /// first, or a complete length not past the last position, invalid.
    pub fn parse(value: &str) -> Option<ContentRange> {
        let (unit, rest) = value.trim().split_once(' ')?;
        if !unit.eq_ignore_ascii_case("bytes") {
            return None;
        }
        if let Some(complete) = rest.strip_prefix("*/") {
            return Some(ContentRange::Unsatisfied {
                complete: digits(complete)?,
            });
        }
        let (range, complete) = rest.split_once('/')?;
        let (first, last) = range.split_once('-')?;
        let (first, last) = (digits(first)?, digits(last)?);
        let complete = match complete {
            "*" => None,
            length => Some(digits(length)?),
        };
        if last < first || complete.is_some_and(|c| c <= last) {
            return None;
        }
        Some(ContentRange::Bytes {
            range: ByteRange { first, last },
            complete,
        })
    }
}

impl fmt::Display for ContentRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContentRange::Bytes { range, complete } => {
                write!(f, "bytes {}-{}/", range.first, range.last)?;
                match complete {
                    Some(length) => write!(f, "{length}"),
                    None => write!(f, "*"),
                }
            }
            ContentRange::Unsatisfied { complete } => write!(f, "bytes */{complete}"),
        }
    }
}

/// `1*DIGIT` as a number (no sign, no spaces; too large for u64 is no number either).
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// What the headers of a 206 say about its answer before its body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeCheck {
    /// `Content-Range` names exactly the bytes asked for, of a blob of the manifest's size.
    Confirmed,
    /// `Content-Range` names the bytes asked for, with the blob's length as `*`.
    LengthUnstated,
    /// No `Content-Range` the page may read: a registry's CORS need not expose it (our proxy
    /// does), so which bytes came cannot be checked.
    Unreadable,
}

impl RangeCheck {
    /// Why an estimate from such an answer may be wrong, when it may.
    pub fn caveat(self) -> Option<&'static str> {
        match self {
            RangeCheck::Confirmed => None,
            RangeCheck::LengthUnstated => Some(
                "the registry did not state the blob's length (Content-Range ends in /*), so it could not be checked against the manifest's size",
            ),
            RangeCheck::Unreadable => Some(
                "the registry's Content-Range could not be read (its CORS does not expose it), so the page could not check that these are the bytes it asked for",
            ),
        }
    }

    /// `estimate` with this check's caveat after any it has.
    pub fn qualify(self, mut estimate: SizeEstimate) -> SizeEstimate {
        if let Some(caveat) = self.caveat() {
            estimate.caveat = Some(match estimate.caveat.take() {
                Some(first) => format!("{first}; {caveat}"),
                None => caveat.to_owned(),
            });
        }
        estimate
    }
}

/// Characters of a bad `Content-Range` repeated in its sentence.
const SHOWN_HEADER_CHARS: usize = 60;

/// Whether the answer to `range` of a blob of `size` bytes may be read, from its status,
/// `Content-Length` and `Content-Range` (each `None` when absent or not exposed to the page).
/// Anything but a 206, an answer declared longer than the range, or one naming other bytes or
/// another blob length, is refused before its body is read.
pub fn check_headers(
    range: ByteRange,
    size: u64,
    status: u16,
    content_length: Option<u64>,
    content_range: Option<&str>,
) -> Result<RangeCheck, EstimateProblem> {
    match status {
        206 => {}
        200 => return Err(EstimateProblem::RangeIgnored),
        other => return Err(EstimateProblem::Status(other)),
    }
    let check = match content_range {
        None => RangeCheck::Unreadable,
        Some(value) => {
            let answered = ContentRange::parse(value).ok_or_else(|| {
                let mut shown: String = value.chars().take(SHOWN_HEADER_CHARS).collect();
                if value.chars().nth(SHOWN_HEADER_CHARS).is_some() {
                    shown.push('…');
                }
                EstimateProblem::BadContentRange(shown)
            })?;
            match answered {
                ContentRange::Bytes {
                    range: got,
                    complete: None,
                } if got == range => RangeCheck::LengthUnstated,
                ContentRange::Bytes {
                    range: got,
                    complete: Some(complete),
                } if got == range && complete == size => RangeCheck::Confirmed,
                answered => {
                    return Err(EstimateProblem::OtherRange {
                        asked: range,
                        size,
                        answered,
                    })
                }
            }
        }
    };
    match content_length {
        Some(length) if length > range.byte_count() => Err(EstimateProblem::LongerThanAsked {
            wanted: range.byte_count(),
            declared: Some(length),
        }),
        _ => Ok(check),
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
    /// A 206 that declared (`Content-Length`) or kept sending more than the range asked for: the
    /// page stopped it one byte past the range, so a hostile answer cannot stream a layer.
    LongerThanAsked {
        wanted: u64,
        declared: Option<u64>,
    },
    /// The 206's `Content-Range` names other bytes, or another blob length, than were asked
    /// for: its bytes are not the ones that hold the size.
    OtherRange {
        asked: ByteRange,
        size: u64,
        answered: ContentRange,
    },
    /// The 206's `Content-Range` is not RFC 9110's grammar (shown cut to a few characters).
    BadContentRange(String),
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
            EstimateProblem::LongerThanAsked { .. } => "longer-than-asked",
            EstimateProblem::OtherRange { .. } => "other-range",
            EstimateProblem::BadContentRange(_) => "bad-content-range",
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
            EstimateProblem::LongerThanAsked { wanted, declared } => {
                write!(f, "No estimate: the registry's answer is longer than asked: ")?;
                match declared {
                    Some(length) => write!(f, "it declared {length} bytes")?,
                    None => write!(f, "it kept sending")?,
                }
                write!(
                    f,
                    " for a range of {wanted}, so the page stopped it rather than download the layer."
                )
            }
            EstimateProblem::OtherRange {
                asked,
                size,
                answered,
            } => write!(
                f,
                "No estimate: the registry answered with {answered} (its Content-Range), but the page \
                 asked for bytes {}-{} of a blob of {size} bytes, so these are not the bytes that hold \
                 the size.",
                asked.first, asked.last
            ),
            EstimateProblem::BadContentRange(value) => write!(
                f,
                "No estimate: the registry's Content-Range \"{value}\" is not a byte range \
                 (RFC 9110 §14.4), so the page cannot tell which bytes it sent."
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
/// whose blob is `size` bytes. `body` is what was read: up to one byte past the range, so an
/// answer that goes on is seen as longer than asked.
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
    if got > range.byte_count() {
        return Err(EstimateProblem::LongerThanAsked {
            wanted: range.byte_count(),
            declared: None,
        });
    }
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

    /// RFC 9110 §15.3.7's 206 example: `Content-Range: bytes 21010-47021/47022`,
    /// `Content-Length: 26012`.
    const RFC_RANGE: ByteRange = ByteRange {
        first: 21010,
        last: 47021,
    };

    #[test]
    fn content_range_reads_the_examples_of_rfc_9110() {
        assert_eq!(
            ContentRange::parse("bytes 42-1233/1234"),
            Some(ContentRange::Bytes {
                range: ByteRange {
                    first: 42,
                    last: 1233
                },
                complete: Some(1234)
            })
        );
        assert_eq!(
            ContentRange::parse("bytes 42-1233/*"),
            Some(ContentRange::Bytes {
                range: ByteRange {
                    first: 42,
                    last: 1233
                },
                complete: None
            })
        );
        assert_eq!(
            ContentRange::parse("bytes 21010-47021/47022"),
            Some(ContentRange::Bytes {
                range: RFC_RANGE,
                complete: Some(47022)
            })
        );
        assert_eq!(
            ContentRange::parse("bytes */47022"),
            Some(ContentRange::Unsatisfied { complete: 47022 })
        );
        assert_eq!(
            ContentRange::parse("Bytes 500-999/8000").map(|c| c.to_string()),
            Some("bytes 500-999/8000".to_owned()),
            "range units are case-insensitive"
        );
    }

    #[test]
    fn content_range_outside_the_grammar_or_called_invalid_by_section_14_4_is_none() {
        for value in [
            "bytes 1233-42/1234",
            "bytes 42-1234/1234",
            "bytes 42-1233",
            "bytes 42-/1234",
            "bytes -500/1234",
            "bytes +42-1233/1234",
            "bytes  42-1233/1234",
            "items 42-1233/1234",
            "bytes 0-99999999999999999999/*",
            "bytes */*",
            "",
        ] {
            assert_eq!(ContentRange::parse(value), None, "{value:?}");
        }
    }

    #[test]
    fn a_206_naming_the_asked_bytes_of_the_manifests_blob_is_confirmed() {
        assert_eq!(
            check_headers(
                RFC_RANGE,
                47022,
                206,
                Some(26012),
                Some("bytes 21010-47021/47022")
            ),
            Ok(RangeCheck::Confirmed)
        );
        assert_eq!(
            check_headers(RFC_RANGE, 47022, 206, None, Some("bytes 21010-47021/*")),
            Ok(RangeCheck::LengthUnstated)
        );
        assert_eq!(
            check_headers(RFC_RANGE, 47022, 206, None, None),
            Ok(RangeCheck::Unreadable)
        );
    }

    #[test]
    fn a_206_naming_other_bytes_or_another_length_is_refused_with_what_it_named() {
        let other = check_headers(RFC_RANGE, 47022, 206, None, Some("bytes 500-999/8000"));
        assert_eq!(
            other,
            Err(EstimateProblem::OtherRange {
                asked: RFC_RANGE,
                size: 47022,
                answered: ContentRange::Bytes {
                    range: ByteRange {
                        first: 500,
                        last: 999
                    },
                    complete: Some(8000)
                }
            })
        );
        let sentence = other.unwrap_err().to_string();
        assert!(sentence.contains("bytes 500-999/8000"), "{sentence}");
        assert!(
            sentence.contains("bytes 21010-47021 of a blob of 47022 bytes"),
            "{sentence}"
        );
        assert!(matches!(
            check_headers(RFC_RANGE, 47023, 206, None, Some("bytes 21010-47021/47022")),
            Err(EstimateProblem::OtherRange { .. })
        ));
        assert!(matches!(
            check_headers(RFC_RANGE, 47022, 206, None, Some("bytes */47022")),
            Err(EstimateProblem::OtherRange { .. })
        ));
    }

    #[test]
    fn a_content_range_that_is_no_range_is_named_cut_short() {
        let long = format!("bytes {}", "x".repeat(500));
        let Err(EstimateProblem::BadContentRange(shown)) =
            check_headers(RFC_RANGE, 47022, 206, None, Some(&long))
        else {
            panic!("refused");
        };
        assert_eq!(shown.chars().count(), SHOWN_HEADER_CHARS + 1);
        assert!(shown.ends_with('…'));
    }

    #[test]
    fn a_206_longer_than_asked_is_refused_declared_or_read() {
        assert_eq!(
            check_headers(
                RFC_RANGE,
                47022,
                206,
                Some(26013),
                Some("bytes 21010-47021/47022")
            ),
            Err(EstimateProblem::LongerThanAsked {
                wanted: 26012,
                declared: Some(26013)
            })
        );
        let range = ByteRange { first: 92, last: 99 };
        let problem = read_answer(Encoding::Gzip, 100, range, 206, &[0; 9]).unwrap_err();
        assert_eq!(
            problem,
            EstimateProblem::LongerThanAsked {
                wanted: 8,
                declared: None
            }
        );
        assert!(problem.to_string().contains("longer than asked"), "{problem}");
    }

    #[test]
    fn an_answer_other_than_206_is_refused_at_its_headers() {
        assert_eq!(
            check_headers(RFC_RANGE, 47022, 200, Some(47022), None),
            Err(EstimateProblem::RangeIgnored)
        );
        assert_eq!(
            check_headers(RFC_RANGE, 47022, 416, None, Some("bytes */47022")),
            Err(EstimateProblem::Status(416))
        );
    }

    #[test]
    fn an_unchecked_range_adds_its_caveat_after_the_estimates_own() {
        let estimate = SizeEstimate {
            bytes: 5,
            source: EstimateSource::ZstdFrameContentSize,
            caveat: Some("several frames".to_owned()),
            doubtful: true,
        };
        let qualified = RangeCheck::Unreadable.qualify(estimate.clone());
        let caveat = qualified.caveat.unwrap_or_default();
        assert!(caveat.starts_with("several frames; "), "{caveat}");
        assert!(caveat.contains("could not check that these are the bytes it asked for"));
        assert_eq!(RangeCheck::Confirmed.qualify(estimate.clone()), estimate);
    }
}
