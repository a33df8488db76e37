//! What a link carries and what it opens into: the mapping between the workspace (documents
//! and view) and a [`Snapshot`]. Pasted and file documents travel as their exact bytes, fetched
//! ones as pinned references. The browser glue (address bar, history, timing) is
//! `ui::permalink_sync`; this part is pure, so it is tested natively (tests/workspace.rs).

use super::{Choice, DocumentList, LoadedDocument, NewDocument, Source, View};
use crate::core::diagnose::Side;
use crate::core::permalink::{
    self, ComparedDocument, ExpectedDigest, LinkLength, PermalinkError, PinnedReference, SharedDocument,
    Snapshot,
};
use std::collections::BTreeMap;
use std::rc::Rc;

/// The name a link gives the paste box's text. A file always has a name, so an empty one marks
/// the document that goes back into the paste box.
const PASTED_NAME: &str = "";

/// What the share bar shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Share {
    /// No documents: nothing to share.
    Nothing,
    /// The link that reproduces the analysis.
    Link {
        url: Rc<str>,
        length: LinkLength,
        /// Titles of documents the user chose to leave out because the link could not hold them.
        left_out: Rc<[String]>,
        /// False when the browser refused to put the link in its address bar.
        in_address_bar: bool,
    },
    /// The analysis cannot travel in a link; `reason` says why.
    Refused { reason: String, can_leave_out: bool },
}

/// Writes a snapshot as a link's fragment: [`permalink::encode`], or the page's wrapper of it that
/// times it for the browser's performance tools.
pub type Encode<'a> = &'a dyn Fn(&Snapshot) -> Result<String, PermalinkError>;

/// What a link carries, as the page holds it: the documents (compared by identity: each edit
/// makes a new `Rc`) and the view.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shared {
    pub list: DocumentList,
    pub view: View,
}

impl Shared {
    /// Whether `next` is the same analysis: only the view changed, or only the paste box's text.
    pub fn edited_into(&self, next: &Shared) -> bool {
        self.list == next.list || self.list.edited_into(&next.list)
    }

    /// The documents that may travel as bytes: the analysis' own, then each compare side's own
    /// (indexes `list.len()` for A, `list.len() + 1` for B).
    fn carried(&self) -> Vec<Option<&LoadedDocument>> {
        let mut carried: Vec<Option<&LoadedDocument>> = self.list.0.iter().map(|d| Some(&**d)).collect();
        for side in [Side::A, Side::B] {
            carried.push(match self.view.side(side) {
                Choice::Own(doc) => Some(doc),
                Choice::Empty | Choice::Loaded(_) | Choice::Wanted(_) => None,
            });
        }
        carried
    }
}

/// Index of a compare side's own document among [`Shared::carried`].
fn own_index(docs: &Shared, side: Side) -> usize {
    docs.list.0.len()
        + match side {
            Side::A => 0,
            Side::B => 1,
        }
}

impl DocumentList {
    fn has_pasted(&self) -> bool {
        self.0.iter().any(|d| d.source == Source::Pasted)
    }

    fn other_ids(&self) -> Vec<u32> {
        self.0
            .iter()
            .filter(|d| d.source != Source::Pasted)
            .map(|d| d.id)
            .collect()
    }

    /// Whether `next` is `self` with fetched documents added after it: documents a link's pinned
    /// references bring back.
    pub fn refetched_into(&self, next: &DocumentList) -> bool {
        next.0.len() > self.0.len()
            && self.0.iter().zip(&next.0).all(|(a, b)| Rc::ptr_eq(a, b))
            && next
                .0
                .iter()
                .skip(self.0.len())
                .all(|d| matches!(d.source, Source::Fetched { .. }))
    }

    /// Whether `next` is `self` with only the paste box's text edited: the same analysis.
    fn edited_into(&self, next: &DocumentList) -> bool {
        self.has_pasted() && next.has_pasted() && self.other_ids() == next.other_ids()
    }
}

/// How one document travels in a link: the one place that decides it. Pasted and file
/// documents travel as their exact bytes; a document fetched from a registry travels as a
/// [`PinnedReference`] (its reference and `bytes_digest`) in `snapshot.references`.
fn carry(doc: &LoadedDocument, snapshot: &mut Snapshot) {
    let name = match &doc.source {
        Source::Pasted => PASTED_NAME.to_owned(),
        Source::File { name } => name.clone(),
        // The document the reference named travels pinned to the digest seen; the documents the
        // walk reached from it (platform manifests, configs) come back with the walk.
        Source::Fetched { reference, label, .. } => {
            // The digest travels in its own field; the reference keeps its tag for the reader.
            if label.is_empty() {
                snapshot.references.push(PinnedReference {
                    reference: reference.without_digest().to_string(),
                    digest: doc.analysis().digest().clone(),
                });
            }
            return;
        }
    };
    snapshot.documents.push(SharedDocument {
        name,
        bytes: doc.bytes().to_vec(),
    });
}

/// The view in a link: the selected box by its text form; each compare side as the digest of
/// the loaded document it shows, or as its own document's exact bytes (unless left out).
fn carry_view(docs: &Shared, left_out: &[usize], snapshot: &mut Snapshot) {
    snapshot.selected = docs.view.selected.as_ref().map(ToString::to_string);
    snapshot.images = docs.view.images.as_deref().cloned();
    for side in [Side::A, Side::B] {
        let compared = match docs.view.side(side) {
            Choice::Empty => None,
            Choice::Wanted(digest) => Some(ComparedDocument::Loaded(digest.clone())),
            Choice::Loaded(id) => docs
                .list
                .0
                .iter()
                .find(|d| d.id == *id)
                .map(|d| ComparedDocument::Loaded(d.analysis().digest().clone())),
            Choice::Own(doc) => (!left_out.contains(&own_index(docs, side))).then(|| {
                ComparedDocument::Own(SharedDocument {
                    name: match &doc.source {
                        Source::File { name } => name.clone(),
                        Source::Pasted | Source::Fetched { .. } => PASTED_NAME.to_owned(),
                    },
                    bytes: doc.bytes().to_vec(),
                })
            }),
        };
        match side {
            Side::A => snapshot.compare_a = compared,
            Side::B => snapshot.compare_b = compared,
        }
    }
    // What was typed for a document left out of the link stays out with it.
    let typed = docs.view.expected.iter().filter_map(|(id, typed)| {
        let (index, doc) = docs.list.0.iter().enumerate().find(|(_, d)| d.id == *id)?;
        (!left_out.contains(&index)).then(|| (doc.analysis().digest().clone(), typed.clone()))
    });
    snapshot.expected = typed
        .chain(docs.view.expected_wanted.iter().cloned())
        .map(|(document, typed)| ExpectedDigest { document, typed })
        .collect();
}

/// The snapshot of `docs`, leaving out those at `left_out` (indexes into [`Shared::carried`]).
pub fn snapshot_of(docs: &Shared, left_out: &[usize]) -> Snapshot {
    let mut snapshot = Snapshot::default();
    for (index, doc) in docs.list.0.iter().enumerate() {
        if !left_out.contains(&index) {
            carry(doc, &mut snapshot);
        }
    }
    carry_view(docs, left_out, &mut snapshot);
    snapshot
}

/// A link without documents, references or a comparison shows an empty page: there is nothing
/// to share (a selection alone selects nothing).
pub fn carries_nothing(snapshot: &Snapshot) -> bool {
    snapshot.documents.is_empty()
        && snapshot.references.is_empty()
        && snapshot.compare_a.is_none()
        && snapshot.compare_b.is_none()
        && snapshot.images.is_none()
}

/// The fragment for `snapshot` and the full link, or why there is none.
fn try_link(base: &str, snapshot: &Snapshot, encode: Encode<'_>) -> Result<(String, String), String> {
    let fragment = encode(snapshot).map_err(|e| e.to_string())?;
    let url = format!("{base}#{fragment}");
    match LinkLength::of(&url) {
        LinkLength::TooLong => Err(LinkLength::TooLong.to_string()),
        _ => Ok((fragment, url)),
    }
}

/// How the share bar names the document at `index` of [`Shared::carried`] when it is left out.
fn title(docs: &Shared, index: usize) -> Option<String> {
    for side in [Side::A, Side::B] {
        if index == own_index(docs, side) {
            return Some(format!("the document compared as {side}"));
        }
    }
    let doc = docs.list.0.get(index)?;
    Some(match doc.source {
        Source::Pasted => "the pasted text".to_owned(),
        _ => doc.source.title(),
    })
}

/// The share bar's state and the fragment for `docs`. With `leave_out`, documents are dropped,
/// the largest first, until the link fits; those over the per-document cap go first.
pub fn link_for(base: &str, docs: &Shared, leave_out: bool, encode: Encode<'_>) -> (Share, String) {
    let whole = snapshot_of(docs, &[]);
    if carries_nothing(&whole) {
        return (Share::Nothing, String::new());
    }
    let link = |fragment: String, url: String, left_out: &[usize]| {
        let share = Share::Link {
            length: LinkLength::of(&url),
            url: url.into(),
            left_out: left_out.iter().filter_map(|&i| title(docs, i)).collect(),
            in_address_bar: true,
        };
        (share, fragment)
    };
    let reason = match try_link(base, &whole, encode) {
        Ok((fragment, url)) => return link(fragment, url, &[]),
        Err(reason) => reason,
    };
    let carried = docs.carried();
    let size = |i: usize| carried.get(i).copied().flatten().map(|d| d.bytes().len());
    let candidates: Vec<usize> = (0..carried.len()).filter(|&i| size(i).is_some()).collect();
    if !leave_out {
        let share = Share::Refused {
            reason,
            can_leave_out: candidates.len() > 1,
        };
        return (share, String::new());
    }
    let mut by_size = candidates.clone();
    by_size.sort_by_key(|&i| std::cmp::Reverse(size(i)));
    let (mut left_out, mut rest): (Vec<usize>, Vec<usize>) = by_size
        .into_iter()
        .partition(|&i| size(i).is_some_and(|s| s > permalink::MAX_DOCUMENT_BYTES));
    loop {
        if !left_out.is_empty() && left_out.len() < candidates.len() {
            if let Ok((fragment, url)) = try_link(base, &snapshot_of(docs, &left_out), encode) {
                return link(fragment, url, &left_out);
            }
        }
        if rest.is_empty() {
            let share = Share::Refused {
                reason,
                can_leave_out: false,
            };
            return (share, String::new());
        }
        left_out.push(rest.remove(0));
    }
}

/// The workspace a snapshot opens into: the paste box's text and the other documents, in order.
///
/// The first document named [`PASTED_NAME`] goes back into the paste box if a textarea keeps its
/// bytes exactly (non-empty UTF-8 without CR, which browsers turn into LF); otherwise it becomes
/// a document of its own, so its bytes and digest are still the ones shared.
pub fn replacement(documents: Vec<SharedDocument>) -> (Option<String>, Vec<NewDocument>) {
    let mut pasted = None;
    let mut others = Vec::new();
    for document in documents {
        if pasted.is_none() && document.name == PASTED_NAME {
            match into_text_box(document.bytes) {
                Ok(text) => pasted = Some(text),
                Err(bytes) => others.push(shared_file(PASTED_NAME.to_owned(), bytes)),
            }
            continue;
        }
        others.push(shared_file(document.name, document.bytes));
    }
    (pasted, others)
}

/// `bytes` as the text of a box that keeps them exactly: non-empty UTF-8 without CR (browsers
/// turn CR into LF in a textarea); otherwise the bytes back.
fn into_text_box(bytes: Vec<u8>) -> Result<String, Vec<u8>> {
    if bytes.is_empty() || bytes.contains(&b'\r') {
        return Err(bytes);
    }
    String::from_utf8(bytes).map_err(|e| e.into_bytes())
}

/// A document that cannot go back into a text box keeps its bytes as a file would.
fn file_source(name: String) -> Source {
    Source::File {
        name: file_name(name),
    }
}

fn file_name(name: String) -> String {
    if name == PASTED_NAME {
        "Pasted text (exact bytes)".to_owned()
    } else {
        name
    }
}

fn shared_file(name: String, bytes: Vec<u8>) -> NewDocument {
    NewDocument::file(file_name(name), bytes)
}

/// The view a snapshot opens into. A selection this page cannot name selects nothing; a compare
/// side naming a digest waits for that document (it may be fetched again from a registry); a
/// side's own pasted text goes back into its box when the box keeps its bytes exactly.
pub fn restored_view(snapshot: &mut Snapshot) -> View {
    let side = |compared: Option<ComparedDocument>| match compared {
        None => Choice::Empty,
        Some(ComparedDocument::Loaded(digest)) => Choice::Wanted(digest),
        Some(ComparedDocument::Own(document)) if document.name == PASTED_NAME => {
            match into_text_box(document.bytes) {
                Ok(text) => Choice::Own(LoadedDocument::own(Source::Pasted, text.into_bytes())),
                Err(bytes) => Choice::Own(LoadedDocument::own(file_source(document.name), bytes)),
            }
        }
        Some(ComparedDocument::Own(document)) => {
            Choice::Own(LoadedDocument::own(file_source(document.name), document.bytes))
        }
    };
    View {
        selected: snapshot.selected.take().and_then(|text| text.parse().ok()),
        compare_a: side(snapshot.compare_a.take()),
        compare_b: side(snapshot.compare_b.take()),
        // Each moves to its document once that is loaded (see `Workspace::settle_wanted`).
        expected: BTreeMap::new(),
        expected_wanted: std::mem::take(&mut snapshot.expected)
            .into_iter()
            .map(|e| (e.document, e.typed))
            .collect(),
        images: snapshot.images.take().map(Rc::new),
    }
}
