//! A listing as a tree of directories, for a page that folds it: each directory knows the bytes
//! and files below it, and the deletions (whiteouts, opaque markers) made there: a whiteout is
//! stored as an empty regular file but removes a path, so it is never counted as a file. Tars need not hold an entry for every directory (many layers omit parents
//! they did not change), so directories without an entry of their own are made up from paths.

use super::tar::{Entry, EntryKind};
use std::collections::BTreeMap;

/// A directory or a file of the tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Node {
    /// The last path component (`.` for the root).
    pub name: String,
    pub path: String,
    /// Indexes of the listing's entries for this path, in tar order (usually one; a tar may
    /// write a path twice, and extracting keeps the last).
    pub entries: Vec<usize>,
    /// Regular-file bytes at or below this node.
    pub bytes: u64,
    /// Regular files at or below this node.
    pub files: u64,
    /// Whiteouts and opaque markers at or below this node.
    pub deletions: u64,
    /// Sorted by name.
    pub children: Vec<Node>,
}

#[derive(Default)]
struct Building {
    entries: Vec<usize>,
    bytes: u64,
    files: u64,
    deletions: u64,
    children: BTreeMap<String, Building>,
}

/// What an entry adds to the counts of the directories above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tally {
    /// A regular file of this many bytes.
    File(u64),
    /// A whiteout or an opaque marker.
    Deletion,
    /// A directory, link, device…: counted in no sum.
    Other,
}

impl Building {
    fn count(&mut self, tally: Tally) {
        match tally {
            Tally::File(bytes) => {
                self.bytes += bytes;
                self.files += 1;
            }
            Tally::Deletion => self.deletions += 1,
            Tally::Other => {}
        }
    }
}

impl Building {
    fn finish(self, name: String, path: String) -> Node {
        let children = self
            .children
            .into_iter()
            .map(|(name, child)| {
                let child_path = if path == "." {
                    name.clone()
                } else {
                    format!("{path}/{name}")
                };
                child.finish(name, child_path)
            })
            .collect();
        Node {
            name,
            path,
            entries: self.entries,
            bytes: self.bytes,
            files: self.files,
            deletions: self.deletions,
            children,
        }
    }
}

/// The tree of `entries` (with their indexes in the listing), rooted at `.`.
pub fn tree<'a>(entries: impl IntoIterator<Item = (usize, &'a Entry)>) -> Node {
    tree_of(entries.into_iter().map(|(index, entry)| {
        let tally = match (entry.whiteout.is_some(), entry.kind) {
            (true, _) => Tally::Deletion,
            (false, EntryKind::File) => Tally::File(entry.size),
            (false, _) => Tally::Other,
        };
        (index, entry.path.as_str(), tally)
    }))
}

/// The tree of any paths: `(index, path, what it counts as)`, rooted at `.`. The merged
/// filesystem of an image folds through here as a layer's listing does.
pub fn tree_of<'a>(items: impl IntoIterator<Item = (usize, &'a str, Tally)>) -> Node {
    let mut root = Building::default();
    for (index, path, tally) in items {
        let mut node = &mut root;
        node.count(tally);
        if path != "." {
            for part in path.split('/').filter(|p| !p.is_empty()) {
                node = node.children.entry(part.to_owned()).or_default();
                node.count(tally);
            }
        }
        node.entries.push(index);
    }
    root.finish(".".to_owned(), ".".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::layer::tar::Mtime;

    fn entry(path: &str, kind: EntryKind, size: u64) -> Entry {
        Entry {
            path: path.to_owned(),
            kind,
            size,
            mode: 0o644,
            uid: 0,
            gid: 0,
            uname: String::new(),
            gname: String::new(),
            mtime: Mtime::default(),
            link: None,
            device: None,
            digest: None,
            pax: BTreeMap::new(),
            whiteout: None,
            escapes: false,
            offset: 0,
        }
    }

    #[test]
    fn directories_sum_the_files_below_them_even_without_their_own_entry() {
        let entries = [
            entry(".", EntryKind::Dir, 0),
            entry("usr/bin/a", EntryKind::File, 10),
            entry("usr/lib/b", EntryKind::File, 5),
            entry("usr/lib/c", EntryKind::Symlink, 0),
        ];
        let root = tree(entries.iter().enumerate());
        assert_eq!((root.bytes, root.files, root.entries.clone()), (15, 2, vec![0]));
        let usr = &root.children[0];
        assert_eq!((usr.path.as_str(), usr.bytes, usr.entries.len()), ("usr", 15, 0));
        let lib = &usr.children[1];
        assert_eq!(
            (lib.path.as_str(), lib.bytes, lib.children.len()),
            ("usr/lib", 5, 2)
        );
    }
}
