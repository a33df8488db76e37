//! The page's state: the documents loaded into one analysis. No `html!`, no IO, no browser: it
//! compiles natively, so the reducer and the link mapping ([`link`]) are tested without a browser
//! (tests/workspace.rs); `ui::state` makes it Yew's reducer.
//!
//! Each document is a `core::document::Document` (its exact bytes in an `Rc<[u8]>`, never
//! re-encoded, its origin and its analysis, made once where the bytes arrived); the pasted text is
//! one document, replaced as the user types; every file is a document of its own.
//! Beside the documents lives the [`View`] a link carries too: the box selected on the map and
//! what each side of the comparison holds.

pub mod link;

use crate::core::diagnose::Side;
use crate::core::digest::Digest;
use crate::core::distribution::referrers::Listing;
use crate::core::distribution::verify::Verification;
use crate::core::document::{Document, Origin};
use crate::core::graph::{Member, NodeKey};
use crate::core::permalink::ComparedImages;
use crate::core::reference::Reference;
use std::collections::BTreeMap;
use std::ops::Deref;
use std::rc::Rc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Text from the paste box, hashed as its UTF-8 bytes.
    Pasted,
    /// A dropped or opened file, hashed as its raw bytes.
    File { name: String },
    /// Fetched from a registry, with how its bytes fared against the registry's and the
    /// reference's claims.
    Fetched {
        /// The registry URL (without any CORS proxy prefix).
        url: String,
        /// The normalized reference the user asked for.
        reference: Reference,
        /// What the document is to that image: empty for the one the reference names, else
        /// e.g. `linux/arm64` or `config of linux/arm64`.
        label: String,
        verification: Box<Verification>,
    },
}

impl Source {
    /// How the page names the document.
    pub fn title(&self) -> String {
        match self {
            Source::Pasted => "Pasted text".to_owned(),
            Source::File { name } => name.clone(),
            Source::Fetched { reference, label, .. } if label.is_empty() => reference.to_string(),
            Source::Fetched { reference, label, .. } => format!("{reference} · {label}"),
        }
    }
}

/// A document to add, already made from its bytes where they arrived, and how the page names it.
pub struct NewDocument {
    pub source: Source,
    pub document: Document,
}

impl NewDocument {
    /// A dropped, chosen or linked file: its exact bytes under its name.
    pub fn file(name: String, bytes: impl Into<Rc<[u8]>>) -> NewDocument {
        NewDocument {
            document: Document::new(bytes, Origin::File { name: name.clone() }),
            source: Source::File { name },
        }
    }
}

/// A document of the workspace: the document itself (which it dereferences to, for its bytes and
/// analysis), its id on the page and how the page names it.
#[derive(Debug, PartialEq)]
pub struct LoadedDocument {
    pub id: u32,
    pub source: Source,
    pub document: Document,
}

impl Deref for LoadedDocument {
    type Target = Document;

    fn deref(&self) -> &Document {
        &self.document
    }
}

/// What one side of the comparison holds.
#[derive(Debug, Clone, Default)]
pub enum Choice {
    #[default]
    Empty,
    /// Text pasted into this side's box, or a file opened for this side. It never joins the
    /// documents of the analysis, so comparing does not disturb what the user loaded.
    Own(Rc<LoadedDocument>),
    /// A document loaded on the page, by id: it follows that document (the pasted one changes
    /// while the user types) and is gone when the document is removed.
    Loaded(u32),
    /// A document a link named by digest that is not loaded (yet): a registry document the link
    /// fetches again, or one left out of the link. Becomes [`Choice::Loaded`] when it arrives.
    Wanted(Digest),
}

impl PartialEq for Choice {
    fn eq(&self, other: &Choice) -> bool {
        match (self, other) {
            (Choice::Empty, Choice::Empty) => true,
            (Choice::Own(a), Choice::Own(b)) => Rc::ptr_eq(a, b),
            (Choice::Loaded(a), Choice::Loaded(b)) => a == b,
            (Choice::Wanted(a), Choice::Wanted(b)) => a == b,
            _ => false,
        }
    }
}

impl Choice {
    /// The document the side shows, if it is there.
    pub fn resolve(&self, documents: &DocumentList) -> Option<Rc<LoadedDocument>> {
        match self {
            Choice::Empty | Choice::Wanted(_) => None,
            Choice::Own(doc) => Some(doc.clone()),
            Choice::Loaded(id) => documents.0.iter().find(|d| d.id == *id).cloned(),
        }
    }
}

/// What the user looks at besides the documents; a link carries it too.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    /// The box selected on the relationship map.
    pub selected: Option<NodeKey>,
    pub compare_a: Choice,
    pub compare_b: Choice,
    /// What was typed into each document's "expected another digest?" box, by document id.
    pub expected: BTreeMap<u32, String>,
    /// Texts a link typed for documents not loaded yet, by the document's digest; each moves to
    /// `expected` when its document is loaded (a registry document the link fetches again).
    pub expected_wanted: Vec<(Digest, String)>,
    /// The "Compare two images" form's last comparison, pinned to the digests it fetched.
    pub images: Option<Rc<ComparedImages>>,
}

impl View {
    pub fn side(&self, side: Side) -> &Choice {
        match side {
            Side::A => &self.compare_a,
            Side::B => &self.compare_b,
        }
    }

    fn side_mut(&mut self, side: Side) -> &mut Choice {
        match side {
            Side::A => &mut self.compare_a,
            Side::B => &mut self.compare_b,
        }
    }
}

impl LoadedDocument {
    /// A compare side's own document: its bytes, analysed without a media type hint, as the
    /// paste box does. Its id is never looked up: it is not one of the analysis' documents.
    pub fn own(source: Source, bytes: Vec<u8>) -> Rc<LoadedDocument> {
        let origin = match &source {
            Source::File { name } => Origin::File { name: name.clone() },
            Source::Pasted | Source::Fetched { .. } => Origin::Pasted,
        };
        Rc::new(LoadedDocument {
            id: PASTED_ID,
            source,
            document: Document::new(bytes, origin),
        })
    }
}

/// The id of the pasted document; files and fetched documents count up from 1.
const PASTED_ID: u32 = 0;

#[derive(Debug, Default, PartialEq)]
pub struct Workspace {
    /// The paste box's document; `None` while the box is empty.
    pub pasted: Option<Rc<LoadedDocument>>,
    /// Files and fetched documents, in the order they were added.
    pub files: Vec<Rc<LoadedDocument>>,
    /// Documents not added because the same bytes are already loaded (name, digest).
    pub skipped_duplicates: Vec<(String, Digest)>,
    pub next_id: u32,
    /// What is attached to fetched manifests: one listing per repository and subject digest.
    pub referrers: Vec<Rc<Listing>>,
    pub view: View,
}

pub enum Action {
    Paste(String),
    Add(Vec<NewDocument>),
    Remove(u32),
    Clear,
    /// A referrers listing; replaces an earlier one of the same repository and subject.
    Referrers(Listing),
    /// Replace the whole analysis, as opening a permalink does: the paste box's text (if any),
    /// the other documents, in order, and the view.
    Replace {
        pasted: Option<String>,
        documents: Vec<NewDocument>,
        view: View,
    },
    /// Select a box of the map.
    Select(NodeKey),
    /// Put something on one side of the comparison.
    Choose(Side, Choice),
    /// Swap the comparison's sides.
    Swap,
    /// Text typed into the "expected another digest?" box of the document with this id.
    Expect(u32, String),
    /// "Compare two images" compared these (or is comparing anew: `None`).
    CompareImages(Option<Rc<ComparedImages>>),
}

/// The loaded documents as one value for props and contexts. Two lists are equal when they hold
/// the same documents (the same `Rc`s), so a change is noticed without comparing any bytes.
#[derive(Debug, Clone, Default)]
pub struct DocumentList(pub Vec<Rc<LoadedDocument>>);

impl PartialEq for DocumentList {
    fn eq(&self, other: &DocumentList) -> bool {
        self.0.len() == other.0.len() && self.0.iter().zip(&other.0).all(|(a, b)| Rc::ptr_eq(a, b))
    }
}

impl DocumentList {
    /// How the page names each document, in order.
    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|d| d.source.title()).collect()
    }

    /// The family's view of the documents; `names` comes from [`DocumentList::names`].
    pub fn members<'a>(&'a self, names: &'a [String]) -> Vec<Member<'a>> {
        self.0
            .iter()
            .zip(names)
            .map(|(d, name)| Member::new(name, &d.document))
            .collect()
    }
}

/// One document compared by identity, never by its bytes: for props and memo keys.
#[derive(Debug, Clone)]
pub struct Handle(pub Rc<LoadedDocument>);

impl PartialEq for Handle {
    fn eq(&self, other: &Handle) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Workspace {
    /// All documents, the pasted one first.
    pub fn documents(&self) -> impl Iterator<Item = &Rc<LoadedDocument>> {
        self.pasted.iter().chain(self.files.iter())
    }

    /// The referrers listed for a fetched document, if they were looked up.
    pub fn referrers_of(&self, doc: &LoadedDocument) -> Option<Rc<Listing>> {
        let Source::Fetched { reference, .. } = &doc.source else {
            return None;
        };
        let repository = reference.name();
        self.referrers
            .iter()
            .find(|l| l.repository == repository && &l.subject == doc.analysis().digest())
            .cloned()
    }

    /// The documents in page order, as one comparable value.
    pub fn document_list(&self) -> DocumentList {
        DocumentList(self.documents().cloned().collect())
    }

    /// A side, or an expected digest, waiting for a document a link named takes it as soon as it
    /// is loaded.
    fn settle_wanted(&mut self) {
        let wanted = std::mem::take(&mut self.view.expected_wanted);
        for (digest, typed) in wanted {
            match self.named_by(&digest) {
                Some(id) => {
                    self.view.expected.insert(id, typed);
                }
                None => self.view.expected_wanted.push((digest, typed)),
            }
        }
        for side in [Side::A, Side::B] {
            let Choice::Wanted(digest) = self.view.side(side) else {
                continue;
            };
            if let Some(id) = self.named_by(digest) {
                *self.view.side_mut(side) = Choice::Loaded(id);
            }
        }
    }

    /// The loaded document a link names by `digest`: the one with those exact bytes, else (for
    /// a signed schema 1 manifest, which a registry re-signs on every pull) the one whose
    /// digest that is.
    fn named_by(&self, digest: &Digest) -> Option<u32> {
        self.documents()
            .find(|d| &d.analysis().bytes_digest == digest)
            .or_else(|| self.documents().find(|d| d.analysis().digest() == digest))
            .map(|d| d.id)
    }

    fn load(&mut self, source: Source, document: Document) -> Rc<LoadedDocument> {
        // The pasted document keeps one id while the user types, so its card is updated in place
        // rather than rebuilt on every keystroke.
        let id = if source == Source::Pasted {
            PASTED_ID
        } else {
            self.next_id += 1;
            self.next_id
        };
        Rc::new(LoadedDocument { id, source, document })
    }
}

impl Workspace {
    /// The workspace after `action`: what Yew's reducer (`ui::state`) runs.
    pub fn apply(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Workspace {
            pasted: self.pasted.clone(),
            files: self.files.clone(),
            skipped_duplicates: Vec::new(),
            next_id: self.next_id,
            referrers: self.referrers.clone(),
            view: self.view.clone(),
        };
        match action {
            Action::Paste(text) => {
                next.pasted = if text.is_empty() {
                    None
                } else {
                    Some(next.load(Source::Pasted, Document::new(text.into_bytes(), Origin::Pasted)))
                };
            }
            Action::Add(documents) => {
                for new in documents {
                    let doc = next.load(new.source, new.document);
                    let digest = &doc.analysis().bytes_digest;
                    if next.files.iter().any(|f| &f.analysis().bytes_digest == digest) {
                        next.skipped_duplicates.push((doc.source.title(), digest.clone()));
                    } else {
                        next.files.push(doc);
                    }
                }
            }
            Action::Remove(id) => {
                next.view.expected.remove(&id);
                next.files.retain(|f| f.id != id);
                if next.pasted.as_ref().is_some_and(|p| p.id == id) {
                    next.pasted = None;
                }
            }
            Action::Clear => {
                next.pasted = None;
                next.files.clear();
                next.referrers.clear();
                next.view.selected = None;
                next.view.expected.clear();
                next.view.expected_wanted.clear();
                // A side still waiting for a document a link named waits for nothing now; a
                // side's own document stays, as what is pasted into the comparison always does.
                for side in [Side::A, Side::B] {
                    if matches!(next.view.side(side), Choice::Wanted(_)) {
                        *next.view.side_mut(side) = Choice::Empty;
                    }
                }
            }
            Action::Referrers(listing) => {
                next.referrers
                    .retain(|l| l.repository != listing.repository || l.subject != listing.subject);
                next.referrers.push(Rc::new(listing));
            }
            Action::Replace {
                pasted,
                documents,
                view,
            } => {
                next.view = view;
                next.pasted = None;
                next.files.clear();
                next.referrers.clear();
                return Rc::new(next)
                    .apply(Action::Paste(pasted.unwrap_or_default()))
                    .apply(Action::Add(documents));
            }
            Action::Select(key) => next.view.selected = Some(key),
            Action::Choose(side, choice) => *next.view.side_mut(side) = choice,
            Action::Swap => std::mem::swap(&mut next.view.compare_a, &mut next.view.compare_b),
            Action::Expect(id, typed) if typed.is_empty() => {
                next.view.expected.remove(&id);
            }
            Action::Expect(id, typed) => {
                next.view.expected.insert(id, typed);
            }
            Action::CompareImages(images) => next.view.images = images,
        }
        next.settle_wanted();
        Rc::new(next)
    }
}
