//! A listed entry from its header and the long-name / PAX records read before it. Precedence, as
//! in GNU tar, Go and Python's tarfile: a PAX record beats a GNU long name, which beats the
//! header's own field; global (`g`) PAX records fill in what the entry's own do not say.

use super::entry::{clean_path, escapes, whiteout, Entry, EntryKind, Mtime};
use super::error::TarError;
use super::header::Header;
use super::{pax, Sink, TarLister};
use crate::core::digest::Hasher;
use std::collections::BTreeMap;

/// Global PAX keys that describe one entry only: a global `path` would rename every file.
const PER_ENTRY_KEYS: [&str; 3] = ["path", "linkpath", "size"];

fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A decimal PAX number (`size`, `uid`, `gid`).
fn pax_number(records: &mut BTreeMap<String, String>, key: &str, at: u64) -> Result<Option<u64>, TarError> {
    match records.remove(key) {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| TarError::BadPax {
            at,
            reason: format!("{key} is {text:?}, not a number"),
        }),
    }
}

/// The entry type of a header. Old (v7) tars mark directories by a trailing slash only.
fn kind_of(flag: u8, raw_name: &str) -> EntryKind {
    match EntryKind::from_flag(flag) {
        EntryKind::File if flag != b'7' && raw_name.ends_with('/') => EntryKind::Dir,
        kind => kind,
    }
}

impl TarLister {
    /// A non-record header at offset `at`: the entry it describes, listed (or counted past the
    /// cap), then its content is read.
    pub(super) fn entry(&mut self, header: Header, at: u64) {
        let result = if self.listing.entries.len() < self.options.max_entries {
            self.build(header, at).map(|entry| self.list(entry))
        } else {
            self.count(header, at)
        };
        if let Err(e) = result {
            self.fail(e);
        }
    }

    /// An entry past the cap: only what skipping its content needs, without building the entry
    /// (a million tiny entries would otherwise cost a million allocations for nothing).
    fn count(&mut self, header: Header, at: u64) -> Result<(), TarError> {
        let mut pending = std::mem::take(&mut self.pending);
        let size = pax_number(&mut pending.pax, "size", at)?.unwrap_or(header.size);
        let name = pending.long_name.unwrap_or(header.name);
        let path = lossy(name);
        let path = self.within_size_cap(path, size, at)?;
        let kind = kind_of(header.flag, &path);
        let content = if kind.has_content() { size } else { 0 };
        self.listing.omitted.entries += 1;
        self.listing.omitted.bytes += content;
        self.current = (pending.offset.unwrap_or(at), path);
        self.start_content(content, Sink::Skip);
        Ok(())
    }

    /// The entry's path back when its size is within the cap, listed or not; else the error
    /// that names it.
    fn within_size_cap(&self, path: String, size: u64, at: u64) -> Result<String, TarError> {
        if size > self.options.size_cap {
            return Err(TarError::HugeSize {
                at,
                path,
                size: Some(size),
                cap: self.options.size_cap,
            });
        }
        Ok(path)
    }

    fn build(&mut self, header: Header, at: u64) -> Result<Entry, TarError> {
        let pending = std::mem::take(&mut self.pending);
        let offset = pending.offset.unwrap_or(at);
        let mut records: BTreeMap<String, String> = self
            .global
            .iter()
            .filter(|(k, _)| !PER_ENTRY_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        records.extend(pending.pax);
        let raw_name = match records.remove("path") {
            Some(path) => path,
            None => lossy(pending.long_name.unwrap_or(header.name)),
        };
        let link = match records.remove("linkpath") {
            Some(link) => link,
            None => lossy(pending.long_link.unwrap_or(header.link)),
        };
        let size = pax_number(&mut records, "size", at)?.unwrap_or(header.size);
        let uid = pax_number(&mut records, "uid", at)?.unwrap_or(header.uid);
        let gid = pax_number(&mut records, "gid", at)?.unwrap_or(header.gid);
        let uname = records.remove("uname").unwrap_or_else(|| lossy(header.uname));
        let gname = records.remove("gname").unwrap_or_else(|| lossy(header.gname));
        let mtime = match records.remove("mtime") {
            Some(text) => pax::time(&text).ok_or_else(|| TarError::BadPax {
                at,
                reason: format!("mtime is {text:?}, not a time"),
            })?,
            None => (header.mtime, 0),
        };
        let kind = kind_of(header.flag, &raw_name);
        let path = self.within_size_cap(clean_path(&raw_name), size, at)?;
        let device = matches!(kind, EntryKind::CharDevice | EntryKind::BlockDevice).then(|| {
            (
                u32::try_from(header.devmajor).unwrap_or(u32::MAX),
                u32::try_from(header.devminor).unwrap_or(u32::MAX),
            )
        });
        Ok(Entry {
            whiteout: whiteout(&path),
            escapes: escapes(&raw_name),
            path,
            kind,
            size,
            mode: u32::try_from(header.mode).unwrap_or(u32::MAX),
            uid,
            gid,
            uname,
            gname,
            mtime: Mtime {
                secs: mtime.0,
                nanos: mtime.1,
            },
            link: (!link.is_empty()).then_some(link),
            device,
            digest: None,
            pax: records,
            offset,
        })
    }

    /// Keeps `entry` and starts reading its content.
    fn list(&mut self, entry: Entry) {
        let content = if entry.kind.has_content() { entry.size } else { 0 };
        self.current = (entry.offset, entry.path.clone());
        let index = self.listing.entries.len();
        let hashed = entry.kind == EntryKind::File && self.options.file_digests;
        self.listing.entries.push(entry);
        let sink = if hashed {
            Sink::File(Box::new(Hasher::sha256()), index)
        } else {
            Sink::Skip
        };
        self.start_content(content, sink);
    }
}
