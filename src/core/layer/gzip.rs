//! gzip (RFC 1952) decoded incrementally: the member header and trailer are parsed here, the
//! deflate data in between by flate2's pure-Rust `Decompress`. Doing the framing ourselves, rather
//! than through `flate2::write::MultiGzDecoder`, is what lets each failure be named: a stream cut
//! short, a bad header, damaged deflate data, a CRC-32 that does not match, bytes after the end.
//!
//! Several members one after another are one stream, as `gzip -d` and Go's `gzip.Reader` read
//! them (pigz and concatenating tools write such files).

use super::{ContentError, Encoding, Sink, OUT_CHUNK};
use flate2::{Crc, Decompress, FlushDecompress, Status};

const MAGIC: [u8; 2] = [0x1f, 0x8b];
const DEFLATE: u8 = 8;
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const RESERVED_FLAGS: u8 = 0xe0;

/// Where in a member the next input byte belongs.
#[derive(Debug)]
enum Part {
    /// The fixed 10 bytes: magic, method, flags, mtime, extra flags, OS.
    Fixed {
        bytes: [u8; 10],
        have: usize,
    },
    ExtraLength {
        bytes: [u8; 2],
        have: usize,
    },
    Extra {
        left: usize,
    },
    /// A zero-terminated file name.
    Name,
    /// A zero-terminated comment.
    Comment,
    HeaderCrc {
        left: usize,
    },
    Deflate,
    /// CRC-32 and size (mod 2^32) of the member's uncompressed data, little-endian.
    Trailer {
        bytes: [u8; 8],
        have: usize,
    },
}

impl Part {
    fn start() -> Part {
        Part::Fixed {
            bytes: [0; 10],
            have: 0,
        }
    }
}

#[derive(Debug)]
pub(super) struct GzipStream {
    part: Part,
    flags: u8,
    inflate: Decompress,
    crc: Crc,
    /// Complete members so far.
    members: u64,
    /// Blob bytes consumed, for the offset in error messages.
    offset: u64,
    out: Box<[u8]>,
}

impl GzipStream {
    pub(super) fn new() -> GzipStream {
        GzipStream {
            part: Part::start(),
            flags: 0,
            inflate: Decompress::new(false),
            crc: Crc::new(),
            members: 0,
            offset: 0,
            out: vec![0; OUT_CHUNK].into_boxed_slice(),
        }
    }

    fn corrupt(&self, at: u64, reason: impl Into<String>) -> ContentError {
        ContentError::Corrupt {
            encoding: Encoding::Gzip,
            at,
            reason: reason.into(),
        }
    }

    /// Decodes `input`, handing the output to `sink`. Stops at the first error.
    pub(super) fn feed(&mut self, mut input: &[u8], sink: &mut Sink) -> Result<(), ContentError> {
        while !input.is_empty() {
            let used = self.step(input, sink)?;
            self.offset += used as u64;
            input = input.get(used..).unwrap_or_default();
        }
        Ok(())
    }

    /// Consumes some of `input` (at least one byte, unless deflate needs none) for the current part.
    fn step(&mut self, input: &[u8], sink: &mut Sink) -> Result<usize, ContentError> {
        match &mut self.part {
            Part::Fixed { bytes, have } => {
                let used = fill(bytes, have, input);
                if *have == bytes.len() {
                    let fixed = *bytes;
                    let at = (self.offset + used as u64).saturating_sub(fixed.len() as u64);
                    self.start_member(&fixed, at)?;
                }
                Ok(used)
            }
            Part::ExtraLength { bytes, have } => {
                let used = fill(bytes, have, input);
                if *have == bytes.len() {
                    let left = usize::from(u16::from_le_bytes(*bytes));
                    self.part = Part::Extra { left };
                    if left == 0 {
                        self.after(FEXTRA);
                    }
                }
                Ok(used)
            }
            Part::Extra { left } => {
                let used = (*left).min(input.len());
                *left -= used;
                if *left == 0 {
                    self.after(FEXTRA);
                }
                Ok(used)
            }
            Part::Name | Part::Comment => {
                let (used, ended) = match input.iter().position(|&b| b == 0) {
                    Some(zero) => (zero + 1, true),
                    None => (input.len(), false),
                };
                if ended {
                    let done = if matches!(self.part, Part::Name) {
                        FNAME
                    } else {
                        FCOMMENT
                    };
                    self.after(done);
                }
                Ok(used)
            }
            Part::HeaderCrc { left } => {
                let used = (*left).min(input.len());
                *left -= used;
                if *left == 0 {
                    self.after(FHCRC);
                }
                Ok(used)
            }
            Part::Deflate => self.inflate(input, sink),
            Part::Trailer { bytes, have } => {
                let used = fill(bytes, have, input);
                if *have == bytes.len() {
                    let trailer = *bytes;
                    let at = (self.offset + used as u64).saturating_sub(trailer.len() as u64);
                    self.end_member(&trailer, at)?;
                }
                Ok(used)
            }
        }
    }

    /// Checks a member's fixed header, which starts at blob offset `at`.
    fn start_member(&mut self, fixed: &[u8; 10], at: u64) -> Result<(), ContentError> {
        if fixed[..2] != MAGIC {
            let what = if self.members == 0 {
                format!(
                    "it starts with the bytes {:02x} {:02x}, not gzip's 1f 8b{}",
                    fixed[0],
                    fixed[1],
                    super::looks_like(fixed)
                )
            } else {
                "bytes that are not another gzip member follow the end of the gzip stream".to_owned()
            };
            return Err(self.corrupt(at, what));
        }
        if fixed[2] != DEFLATE {
            return Err(self.corrupt(
                at,
                format!(
                    "the header names compression method {}, not deflate (8)",
                    fixed[2]
                ),
            ));
        }
        if fixed[3] & RESERVED_FLAGS != 0 {
            return Err(self.corrupt(at, "the header sets reserved flag bits"));
        }
        self.flags = fixed[3];
        self.after(0);
        Ok(())
    }

    /// Moves to the header part that follows `done` (0: the fixed part), skipping absent ones.
    fn after(&mut self, done: u8) {
        let order = [FEXTRA, FNAME, FCOMMENT, FHCRC];
        let next = order
            .iter()
            .skip_while(|&&f| done != 0 && f != done)
            .skip(usize::from(done != 0))
            .find(|&&f| self.flags & f != 0);
        self.part = match next {
            Some(&FEXTRA) => Part::ExtraLength {
                bytes: [0; 2],
                have: 0,
            },
            Some(&FNAME) => Part::Name,
            Some(&FCOMMENT) => Part::Comment,
            Some(_) => Part::HeaderCrc { left: 2 },
            None => Part::Deflate,
        };
    }

    fn inflate(&mut self, input: &[u8], sink: &mut Sink) -> Result<usize, ContentError> {
        let mut used_total = 0;
        loop {
            let rest = input.get(used_total..).unwrap_or_default();
            let (in_before, out_before) = (self.inflate.total_in(), self.inflate.total_out());
            let status = self
                .inflate
                .decompress(rest, &mut self.out, FlushDecompress::None)
                .map_err(|e| {
                    let at = self.offset + used_total as u64;
                    self.corrupt(at, format!("the deflate data is damaged ({e})"))
                })?;
            let used = usize::try_from(self.inflate.total_in() - in_before).unwrap_or(rest.len());
            let made = usize::try_from(self.inflate.total_out() - out_before).unwrap_or(0);
            used_total += used;
            let output = self.out.get(..made).unwrap_or_default();
            self.crc.update(output);
            sink.take(output)?;
            if status == Status::StreamEnd {
                self.part = Part::Trailer {
                    bytes: [0; 8],
                    have: 0,
                };
                return Ok(used_total);
            }
            if used == 0 && made == 0 {
                return Ok(used_total);
            }
        }
    }

    /// Checks a member's trailer, which starts at blob offset `at`.
    fn end_member(&mut self, trailer: &[u8; 8], at: u64) -> Result<(), ContentError> {
        let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
        if crc != self.crc.sum() {
            return Err(self.corrupt(
                at,
                format!(
                    "the CRC-32 in the gzip trailer is {crc:08x}, but the decompressed data has {:08x}",
                    self.crc.sum()
                ),
            ));
        }
        if size != self.crc.amount() {
            return Err(self.corrupt(
                at,
                format!(
                    "the gzip trailer gives the size (mod 2^32) {size}, but {} bytes came out",
                    self.crc.amount()
                ),
            ));
        }
        self.members += 1;
        self.inflate.reset(false);
        self.crc = Crc::new();
        self.part = Part::start();
        Ok(())
    }

    /// The input has ended: it must end between members, after at least one.
    /// A few bytes after the last member that cannot start another one are trailing garbage.
    pub(super) fn finish(&self) -> Result<(), ContentError> {
        match &self.part {
            Part::Fixed { have: 0, .. } if self.members > 0 => Ok(()),
            Part::Fixed { bytes, have }
                if self.members > 0
                    && !MAGIC.starts_with(bytes.get(..(*have).min(2)).unwrap_or_default()) =>
            {
                Err(self.corrupt(
                    self.offset - *have as u64,
                    "bytes that are not another gzip member follow the end of the gzip stream",
                ))
            }
            _ => Err(ContentError::Truncated {
                encoding: Encoding::Gzip,
            }),
        }
    }
}

/// Copies from `input` into the unfilled end of `bytes`; returns how many bytes were taken.
fn fill<const N: usize>(bytes: &mut [u8; N], have: &mut usize, input: &[u8]) -> usize {
    let want = N.saturating_sub(*have).min(input.len());
    if let (Some(to), Some(from)) = (bytes.get_mut(*have..*have + want), input.get(..want)) {
        to.copy_from_slice(from);
    }
    *have += want;
    want
}
