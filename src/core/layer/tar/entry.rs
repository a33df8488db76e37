//! One tar entry as a listing shows it, and what an entry means in a layer (OCI image spec,
//! "Representing Changes"): a whiteout file `.wh.<name>` deletes `<name>` from the layers below,
//! an opaque marker `.wh..wh..opq` hides everything the layers below hold in its directory.

use crate::core::digest::Digest;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The type flag of a tar header, as a listing names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    Hardlink,
    CharDevice,
    BlockDevice,
    Fifo,
    /// A type flag this lister does not interpret (GNU sparse `S`, volume label `V`, …); its
    /// content is skipped by its size.
    Other(u8),
}

impl EntryKind {
    pub fn from_flag(flag: u8) -> EntryKind {
        match flag {
            b'0' | 0 | b'7' => EntryKind::File,
            b'1' => EntryKind::Hardlink,
            b'2' => EntryKind::Symlink,
            b'3' => EntryKind::CharDevice,
            b'4' => EntryKind::BlockDevice,
            b'5' => EntryKind::Dir,
            b'6' => EntryKind::Fifo,
            other => EntryKind::Other(other),
        }
    }

    /// The word a listing shows.
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::File => "file",
            EntryKind::Dir => "dir",
            EntryKind::Symlink => "symlink",
            EntryKind::Hardlink => "hardlink",
            EntryKind::CharDevice => "char device",
            EntryKind::BlockDevice => "block device",
            EntryKind::Fifo => "fifo",
            EntryKind::Other(_) => "other",
        }
    }

    /// Whether content blocks follow the header. As GNU tar, Go's archive/tar and Python's
    /// tarfile read it: links, devices, fifos and directories have none whatever their size field
    /// says; regular files and unknown types have `size` bytes.
    pub fn has_content(self) -> bool {
        matches!(self, EntryKind::File | EntryKind::Other(_))
    }
}

/// What an entry does to the layers below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Whiteout {
    /// `.wh.<name>`: `<name>` (the path here) is deleted.
    Delete(String),
    /// `.wh..wh..opq`: the directory (the path here, "" for the root) loses everything below it.
    Opaque(String),
}

/// A modification time: seconds since the epoch, and the fraction PAX may add.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Mtime {
    pub secs: i64,
    pub nanos: u32,
}

/// One tar entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The path as in the tar (GNU long name or PAX `path` when present, else ustar
    /// prefix + name), without a leading `./` or a trailing `/` (as Python's tarfile shows it);
    /// the root directory entry `./` is `.`.
    pub path: String,
    pub kind: EntryKind,
    /// Content bytes (the PAX `size` when present).
    pub size: u64,
    /// Permission bits and set-id/sticky bits, as in the header.
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub uname: String,
    pub gname: String,
    pub mtime: Mtime,
    /// Symlink or hardlink target (GNU long link or PAX `linkpath` when present).
    pub link: Option<String>,
    /// Device major and minor numbers of character and block devices.
    pub device: Option<(u32, u32)>,
    /// sha256 of a regular file's content, computed as it streamed by.
    pub digest: Option<Digest>,
    /// PAX records that were not folded into the fields above (`atime`, `ctime`,
    /// `SCHILY.xattr.*`, vendor keys), global ones included.
    pub pax: BTreeMap<String, String>,
    pub whiteout: Option<Whiteout>,
    /// The path leaves the layer root (`..` components or an absolute name): extractors must
    /// refuse it, and a listing flags it.
    pub escapes: bool,
    /// Offset of the entry's first header (including its long-name or PAX headers) in the tar.
    pub offset: u64,
}

/// The listing path of a raw tar name: without leading `./` (or `/`) and trailing `/`.
pub fn clean_path(raw: &str) -> String {
    let mut path = raw;
    loop {
        if let Some(rest) = path.strip_prefix("./") {
            path = rest;
        } else if let Some(rest) = path.strip_prefix('/') {
            path = rest;
        } else {
            break;
        }
    }
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        ".".to_owned()
    } else {
        path.to_owned()
    }
}

/// Whether a raw tar name leaves the root it is extracted into.
pub fn escapes(raw: &str) -> bool {
    raw.starts_with('/') || raw.split('/').any(|part| part == "..")
}

const WHITEOUT: &str = ".wh.";
const OPAQUE: &str = ".wh..wh..opq";

/// What a cleaned path means as a whiteout, if it is one.
pub fn whiteout(path: &str) -> Option<Whiteout> {
    let (dir, base) = match path.rsplit_once('/') {
        Some((dir, base)) => (dir, base),
        None => ("", path),
    };
    if base == OPAQUE {
        return Some(Whiteout::Opaque(dir.to_owned()));
    }
    let name = base.strip_prefix(WHITEOUT)?;
    if name.is_empty() || name.starts_with(WHITEOUT) {
        // AUFS's own metadata (`.wh..wh.plnk`, `.wh..wh.aufs`): not a deletion.
        return None;
    }
    Some(Whiteout::Delete(if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_path_strips_dot_slash_and_trailing_slash() {
        assert_eq!(clean_path("./etc/"), "etc");
        assert_eq!(clean_path("./"), ".");
        assert_eq!(clean_path("usr/bin/env"), "usr/bin/env");
    }

    #[test]
    fn whiteouts_name_what_they_delete() {
        assert_eq!(
            whiteout("etc/.wh.motd"),
            Some(Whiteout::Delete("etc/motd".into()))
        );
        assert_eq!(whiteout(".wh.tmp"), Some(Whiteout::Delete("tmp".into())));
        assert_eq!(
            whiteout("var/cache/.wh..wh..opq"),
            Some(Whiteout::Opaque("var/cache".into()))
        );
        assert_eq!(whiteout(".wh..wh.plnk"), None);
        assert_eq!(whiteout("etc/motd"), None);
    }

    #[test]
    fn dot_dot_and_absolute_names_escape() {
        assert!(escapes("../etc/passwd"));
        assert!(escapes("a/../../b"));
        assert!(escapes("/etc/passwd"));
        assert!(!escapes("a/..b/c"));
    }
}
