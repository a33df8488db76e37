//! zstd (RFC 8878) decoded incrementally with ruzstd, one block at a time.
//!
//! ruzstd's slice interface decodes "as many blocks as possible" from what it is given, and a
//! 4-byte RLE block can expand to 128 KiB: given a large chunk at once it would hold that chunk's
//! whole output in memory, which for a crafted blob is unbounded. So the frame and block headers
//! are read here, and ruzstd only ever sees exactly one complete block; its output is drained into
//! the sink before the next one. Memory stays at the frame's window (bounded by ruzstd's 128 MiB
//! limit, the same as libzstd's default) plus one block of input.
//!
//! Frames one after another are one stream, and skippable frames are skipped, as `zstd -d` does.
//! A frame's content checksum (XXH64), when present, is checked.

use super::{ContentError, Encoding, Sink, OUT_CHUNK};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};
use std::io::Read;

const MAGIC: u32 = 0xfd2f_b528;
/// Skippable frames have the magic numbers 0x184D2A50 to 0x184D2A5F.
const SKIPPABLE_MASK: u32 = 0xffff_fff0;
const SKIPPABLE: u32 = 0x184d_2a50;
/// RFC 8878 §3.1.1.2.4: no block holds more than 128 KiB.
const MAX_BLOCK: usize = 128 * 1024;
const CHECKSUM_LEN: usize = 4;

/// What the next input bytes are.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// A frame's magic number (or the end of the stream).
    Magic,
    Blocks {
        checksum: bool,
    },
    Skip {
        left: u64,
    },
}

pub(super) struct ZstdStream {
    decoder: FrameDecoder,
    part: Part,
    /// Input not yet decoded: at most one block plus the chunk that completed it.
    pending: Vec<u8>,
    frames: u64,
    /// Blob offset of `pending[0]`, for error messages.
    offset: u64,
    out: Box<[u8]>,
}

impl std::fmt::Debug for ZstdStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZstdStream")
            .field("part", &self.part)
            .field("frames", &self.frames)
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}

impl ZstdStream {
    pub(super) fn new() -> ZstdStream {
        ZstdStream {
            decoder: FrameDecoder::new(),
            part: Part::Magic,
            pending: Vec::new(),
            frames: 0,
            offset: 0,
            out: vec![0; OUT_CHUNK].into_boxed_slice(),
        }
    }

    fn corrupt(&self, at: u64, reason: impl Into<String>) -> ContentError {
        ContentError::Corrupt {
            encoding: Encoding::Zstd,
            at,
            reason: reason.into(),
        }
    }

    pub(super) fn feed(&mut self, input: &[u8], sink: &mut Sink) -> Result<(), ContentError> {
        self.pending.extend_from_slice(input);
        let mut pos = 0;
        let result = loop {
            match self.step(pos, sink) {
                Ok(0) => break Ok(()),
                Ok(used) => pos += used,
                Err(e) => break Err(e),
            }
        };
        self.offset += pos as u64;
        self.pending.drain(..pos.min(self.pending.len()));
        result
    }

    /// Consumes one complete unit (frame header, block, skipped bytes) starting at `pos` of
    /// `pending`; 0 when more input is needed.
    fn step(&mut self, pos: usize, sink: &mut Sink) -> Result<usize, ContentError> {
        let at = self.offset + pos as u64;
        let avail = self.pending.get(pos..).unwrap_or_default();
        match self.part {
            Part::Magic => {
                let Some(magic) = le_u32(avail) else {
                    return Ok(0);
                };
                if magic == MAGIC {
                    let Some(&descriptor) = avail.get(4) else {
                        return Ok(0);
                    };
                    if descriptor & 0x08 != 0 {
                        return Err(self.corrupt(at, "the frame header sets a reserved bit"));
                    }
                    let len = frame_header_len(descriptor);
                    let Some(mut header) = avail.get(..len) else {
                        return Ok(0);
                    };
                    if let Err(e) = self.decoder.reset(&mut header) {
                        return Err(self.corrupt(at, format!("the frame header is not valid ({e})")));
                    }
                    self.part = Part::Blocks {
                        checksum: descriptor & 0x04 != 0,
                    };
                    Ok(len)
                } else if magic & SKIPPABLE_MASK == SKIPPABLE {
                    let Some(left) = avail.get(4..).and_then(le_u32) else {
                        return Ok(0);
                    };
                    self.part = Part::Skip {
                        left: u64::from(left),
                    };
                    Ok(8)
                } else if self.frames == 0 {
                    let first = avail.get(..4).unwrap_or_default();
                    Err(self.corrupt(
                        at,
                        format!(
                            "it starts with the bytes {}, not zstd's 28 b5 2f fd{}",
                            spaced_hex(first),
                            super::looks_like(first)
                        ),
                    ))
                } else {
                    Err(self.corrupt(
                        at,
                        "bytes that are not another zstd frame follow the end of the zstd stream",
                    ))
                }
            }
            Part::Blocks { checksum } => {
                let Some(header) = avail.get(..3) else {
                    return Ok(0);
                };
                let raw = u32::from(header[0]) | u32::from(header[1]) << 8 | u32::from(header[2]) << 16;
                let last = raw & 1 == 1;
                let size = (raw >> 3) as usize;
                let body = match (raw >> 1) & 3 {
                    0 | 2 => size,
                    1 => 1,
                    _ => return Err(self.corrupt(at, "a block has the reserved block type 3")),
                };
                if size > MAX_BLOCK {
                    return Err(self.corrupt(
                        at,
                        format!("a block claims {size} bytes; zstd blocks hold at most {MAX_BLOCK}"),
                    ));
                }
                let len = 3 + body + if last && checksum { CHECKSUM_LEN } else { 0 };
                let Some(mut block) = avail.get(..len) else {
                    return Ok(0);
                };
                if let Err(e) = self
                    .decoder
                    .decode_blocks(&mut block, BlockDecodingStrategy::UptoBlocks(1))
                {
                    return Err(self.corrupt(at, format!("a block is damaged ({e})")));
                }
                self.drain(sink, at)?;
                if last {
                    self.end_frame(at)?;
                }
                Ok(len)
            }
            Part::Skip { left } => {
                let used = usize::try_from(left).unwrap_or(usize::MAX).min(avail.len());
                let left = left - used as u64;
                self.part = if left == 0 {
                    Part::Magic
                } else {
                    Part::Skip { left }
                };
                Ok(used)
            }
        }
    }

    /// Hands everything ruzstd may release (all but the window, or all at the frame's end) to `sink`.
    fn drain(&mut self, sink: &mut Sink, at: u64) -> Result<(), ContentError> {
        loop {
            let made = match self.decoder.read(&mut self.out) {
                Ok(made) => made,
                Err(e) => return Err(self.corrupt(at, format!("decoding failed ({e})"))),
            };
            if made == 0 {
                return Ok(());
            }
            sink.take(self.out.get(..made).unwrap_or_default())?;
        }
    }

    fn end_frame(&mut self, at: u64) -> Result<(), ContentError> {
        if let (Some(stored), Some(computed)) = (
            self.decoder.get_checksum_from_data(),
            self.decoder.get_calculated_checksum(),
        ) {
            if stored != computed {
                return Err(self.corrupt(
                    at,
                    format!(
                        "the frame's content checksum is {stored:08x}, but the decompressed data has {computed:08x}"
                    ),
                ));
            }
        }
        self.frames += 1;
        self.part = Part::Magic;
        Ok(())
    }

    /// The input has ended: it must end between frames, after at least one.
    pub(super) fn finish(&self) -> Result<(), ContentError> {
        match self.part {
            Part::Magic if self.frames > 0 && self.pending.is_empty() => Ok(()),
            Part::Magic
                if self.frames > 0
                    && !self
                        .pending
                        .starts_with(&MAGIC.to_le_bytes()[..self.pending.len().min(4)]) =>
            {
                Err(self.corrupt(
                    self.offset,
                    "bytes that are not another zstd frame follow the end of the zstd stream",
                ))
            }
            _ => Err(ContentError::Truncated {
                encoding: Encoding::Zstd,
            }),
        }
    }
}

/// Frame header length from its descriptor byte (RFC 8878 §3.1.1.1): magic, descriptor, window
/// descriptor unless single-segment, dictionary ID, frame content size.
fn frame_header_len(descriptor: u8) -> usize {
    let single_segment = descriptor & 0x20 != 0;
    let dictionary = [0, 1, 2, 4][usize::from(descriptor & 0x03)];
    let content_size = match descriptor >> 6 {
        0 => usize::from(single_segment),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    4 + 1 + usize::from(!single_segment) + dictionary + content_size
}

fn le_u32(bytes: &[u8]) -> Option<u32> {
    let four: [u8; 4] = bytes.get(..4)?.try_into().ok()?;
    Some(u32::from_le_bytes(four))
}

fn spaced_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}
