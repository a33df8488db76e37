//! A layer's tar listed as it streams by: fed the decompressed bytes (the diff_id's bytes) in
//! chunks of any size, in constant memory apart from the listing itself.
//!
//! Hand-written rather than the `tar` crate: that crate pulls bytes through `std::io::Read`,
//! while a layer here is pushed in chunks by a decompressor ([`super::BlobVerifier`]) on the
//! page's worker, where blocking to wait for the next chunk is impossible. The formats are small
//! and fixed: a 512-byte header ([`header`]), GNU long-name (`L`) and long-link (`K`) records,
//! PAX extended headers ([`pax`], `x` for the next entry and `g` for all later ones), content
//! padded to 512 bytes, and an end marker of zero blocks.
//!
//! Memory: one header block, the content of at most one long-name or PAX record (capped at
//! [`RECORD_CAP`]), one sha256 state, and the entries listed (capped at
//! [`ListOptions::max_entries`]; later entries are counted, not kept). Hostile input stops the
//! listing with a [`TarError`]; the entries before it stay.
mod build;
mod entry;
mod error;
mod header;
mod pax;

pub use entry::{clean_path, Entry, EntryKind, Mtime, Whiteout};
pub use error::TarError;

use super::DEFAULT_UNCOMPRESSED_CAP;
use crate::core::digest::Hasher;
use header::BLOCK;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Entries kept in a listing unless the caller sets another cap. Real layers rarely pass 100,000
/// entries (a full distribution's /usr); 200,000 entries of a few hundred bytes each stay far
/// under the worker's memory.
pub const DEFAULT_MAX_ENTRIES: usize = 200_000;

/// The largest long-name, long-link or PAX record read, as Go's archive/tar caps them: real ones
/// are a path (at most a few KiB) or a few xattrs.
pub const RECORD_CAP: u64 = 1 << 20;

/// Long-name / PAX headers allowed in a row before their entry. A real entry has at most four
/// (`g`, `x`, `L`, `K`); more is a bomb.
const MAX_RECORDS_IN_A_ROW: usize = 16;

/// What to keep while listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListOptions {
    pub max_entries: usize,
    /// Compute each regular file's sha256 (a second hash over the same bytes as the diff_id's).
    pub file_digests: bool,
    /// Entries claiming more content than this are refused ([`TarError::HugeSize`]).
    pub size_cap: u64,
}

impl Default for ListOptions {
    fn default() -> ListOptions {
        ListOptions {
            max_entries: DEFAULT_MAX_ENTRIES,
            file_digests: true,
            size_cap: DEFAULT_UNCOMPRESSED_CAP,
        }
    }
}

/// Entries seen past the cap: counted, not listed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Omitted {
    pub entries: u64,
    pub bytes: u64,
}

/// What follows the last entry: two tars of the same files can differ only here. GNU tar pads
/// the archive to its 10 KiB record (20 blocks), Go's archive/tar writes exactly two zero blocks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndOfArchive {
    /// Whether an all-zero block ended the entries (a tar without one still lists).
    pub marker: bool,
    pub zero_blocks: u64,
    /// Non-zero bytes after the end marker (ignored by extractors, but part of the diff_id).
    pub trailing_bytes: u64,
}

/// A layer's tar, listed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    /// In tar order (the order is part of the diff_id).
    pub entries: Vec<Entry>,
    pub omitted: Omitted,
    pub end: EndOfArchive,
    /// Why listing stopped before the end of the tar; the entries before it are kept.
    pub error: Option<TarError>,
    /// Tar bytes read.
    pub tar_size: u64,
}

impl Listing {
    /// A sentence about entries left out past the cap, when there are any.
    pub fn omitted_note(&self, max_entries: usize) -> Option<String> {
        (self.omitted.entries > 0).then(|| {
            format!(
                "Only the first {max_entries} entries are listed: {} more entries ({} bytes of \
                 content) were read and verified but not listed.",
                self.omitted.entries, self.omitted.bytes
            )
        })
    }
}

/// Where the content of the current header goes.
enum Sink {
    /// A listed regular file's hasher and its index in the listing.
    File(Box<Hasher>, usize),
    /// A long-name / long-link / PAX record, collected.
    Record(u8, Vec<u8>),
    Skip,
}

enum State {
    Header,
    Content { left: u64, pad: u64, sink: Sink },
    Padding { left: u64 },
    End,
    Failed,
}

/// Records read ahead of the entry they describe.
#[derive(Default)]
struct Pending {
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
    pax: BTreeMap<String, String>,
    count: usize,
    /// Offset of the first of them: where the entry starts.
    offset: Option<u64>,
}

/// The push parser. Feed it with [`TarLister::feed`], end with [`TarLister::finish`].
pub struct TarLister {
    options: ListOptions,
    state: State,
    block: [u8; BLOCK],
    have: usize,
    /// Tar bytes consumed.
    offset: u64,
    /// Offset and path of the entry whose content is being read, for truncation messages.
    current: (u64, String),
    pending: Pending,
    global: BTreeMap<String, String>,
    listing: Listing,
}

impl TarLister {
    pub fn new(options: ListOptions) -> TarLister {
        TarLister {
            options,
            state: State::Header,
            block: [0; BLOCK],
            have: 0,
            offset: 0,
            current: (0, String::new()),
            pending: Pending::default(),
            global: BTreeMap::new(),
            listing: Listing::default(),
        }
    }

    /// The entries listed so far (a page shows them while the rest streams in).
    pub fn entries(&self) -> &[Entry] {
        &self.listing.entries
    }

    /// Feeds the next tar bytes.
    pub fn feed(&mut self, mut input: &[u8]) {
        while !input.is_empty() {
            let used = self.step(input);
            self.offset += used as u64;
            self.listing.tar_size += used as u64;
            input = input.get(used..).unwrap_or_default();
        }
    }

    /// The tar has ended: the listing, with a truncation error if it stopped inside something.
    pub fn finish(mut self) -> Listing {
        let truncated = match &self.state {
            State::Header if self.have > 0 => Some(TarError::TruncatedHeader {
                at: self.offset - self.have as u64,
                have: self.have,
            }),
            State::Content { left, pad, .. } => Some(self.truncated(left + pad)),
            State::Padding { left } => Some(self.truncated(*left)),
            _ => None,
        };
        if self.listing.error.is_none() {
            self.listing.error = truncated;
        }
        self.listing
    }

    fn truncated(&self, missing: u64) -> TarError {
        TarError::TruncatedData {
            path: self.current.1.clone(),
            at: self.current.0,
            missing,
        }
    }

    fn fail(&mut self, error: TarError) {
        self.listing.error = Some(error);
        self.state = State::Failed;
    }

    /// Consumes some of `input` (at least one byte) for the current state.
    fn step(&mut self, input: &[u8]) -> usize {
        match &mut self.state {
            State::Failed => input.len(),
            State::Header => {
                let take = (BLOCK - self.have).min(input.len());
                if let (Some(to), Some(from)) =
                    (self.block.get_mut(self.have..self.have + take), input.get(..take))
                {
                    to.copy_from_slice(from);
                }
                self.have += take;
                if self.have == BLOCK {
                    self.have = 0;
                    let at = self.offset + take as u64 - BLOCK as u64;
                    self.header(at);
                }
                take
            }
            State::Content { left, pad, sink } => {
                let take = usize::try_from(*left).unwrap_or(usize::MAX).min(input.len());
                let bytes = input.get(..take).unwrap_or_default();
                match sink {
                    Sink::File(hasher, _) => hasher.update(bytes),
                    Sink::Record(_, data) => data.extend_from_slice(bytes),
                    Sink::Skip => {}
                }
                *left -= take as u64;
                if *left == 0 {
                    let pad = *pad;
                    let State::Content { sink, .. } =
                        std::mem::replace(&mut self.state, State::Padding { left: pad })
                    else {
                        return take;
                    };
                    self.content_done(sink);
                    if matches!(self.state, State::Padding { left: 0 }) {
                        self.state = State::Header;
                    }
                }
                take
            }
            State::Padding { left } => {
                let take = usize::try_from(*left).unwrap_or(usize::MAX).min(input.len());
                *left -= take as u64;
                if *left == 0 {
                    self.state = State::Header;
                }
                take
            }
            State::End => {
                self.end(input);
                input.len()
            }
        }
    }

    /// After the end marker: count zero blocks and any other bytes.
    fn end(&mut self, input: &[u8]) {
        for &b in input {
            if b != 0 {
                self.listing.end.trailing_bytes += 1;
            }
        }
        let before = self.have;
        let total = before + input.len();
        self.listing.end.zero_blocks += (total / BLOCK) as u64;
        self.have = total % BLOCK;
    }

    /// A whole header block arrived at offset `at`.
    fn header(&mut self, at: u64) {
        if header::is_zero(&self.block) {
            self.listing.end.marker = true;
            self.listing.end.zero_blocks = 1;
            self.state = State::End;
            return;
        }
        let parsed = match header::parse(&self.block, at) {
            Ok(h) => h,
            Err(e) => return self.fail(e),
        };
        self.pending.offset.get_or_insert(at);
        match parsed.flag {
            b'L' | b'K' | b'x' | b'g' => self.record_header(parsed.flag, parsed.size, at),
            _ => self.entry(parsed, at),
        }
    }

    fn record_header(&mut self, flag: u8, size: u64, at: u64) {
        self.pending.count += 1;
        if self.pending.count > MAX_RECORDS_IN_A_ROW {
            return self.fail(TarError::NestedRecords {
                at,
                count: self.pending.count,
            });
        }
        if size > RECORD_CAP {
            let kind = match flag {
                b'L' => "GNU long-name",
                b'K' => "GNU long-link",
                _ => "PAX header",
            };
            return self.fail(TarError::RecordTooLarge {
                at,
                kind: kind.to_owned(),
                size,
                cap: RECORD_CAP,
            });
        }
        self.current = (at, String::from_utf8_lossy(&[flag]).into_owned());
        // Bounded by RECORD_CAP just above.
        let data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        self.start_content(size, Sink::Record(flag, data));
    }

    fn start_content(&mut self, size: u64, sink: Sink) {
        let pad = (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64;
        if size == 0 {
            // No content: the sink is done at once (and may fail the listing).
            self.state = State::Header;
            self.content_done(sink);
        } else {
            self.state = State::Content {
                left: size,
                pad,
                sink,
            };
        }
    }

    /// The content of the current header has been read.
    fn content_done(&mut self, sink: Sink) {
        match sink {
            Sink::File(hasher, index) => {
                if let Some(entry) = self.listing.entries.get_mut(index) {
                    entry.digest = Some((*hasher).finalize());
                }
            }
            Sink::Record(flag, data) => self.record(flag, data),
            Sink::Skip => {}
        }
    }

    fn record(&mut self, flag: u8, data: Vec<u8>) {
        let text = |mut data: Vec<u8>| {
            let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
            data.truncate(end);
            data
        };
        match flag {
            b'L' => self.pending.long_name = Some(text(data)),
            b'K' => self.pending.long_link = Some(text(data)),
            _ => match pax::parse(&data, self.current.0) {
                Ok(records) if flag == b'g' => self.global.extend(records),
                Ok(records) => self.pending.pax.extend(records),
                Err(e) => self.fail(e),
            },
        }
    }
}
