//! The page's state: the documents loaded into one analysis. No `html!`, no IO.
//!
//! Each document keeps its exact bytes (`Rc<[u8]>`, never re-encoded) beside its analysis; the
//! pasted text is one document, replaced as the user types; every file is a document of its own.

use crate::core::digest::Digest;
use crate::core::distribution::referrers::Listing;
use crate::core::distribution::verify::Verification;
use crate::core::document::Analysis;
use crate::core::media_type::MediaType;
use crate::core::reference::Reference;
use std::rc::Rc;
use yew::Reducible;

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
        reference: String,
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
            Source::Fetched { reference, label, .. } if label.is_empty() => reference.clone(),
            Source::Fetched { reference, label, .. } => format!("{reference} · {label}"),
        }
    }
}

/// A document to add: its exact bytes, where they came from, and the media type they arrived with.
pub struct NewDocument {
    pub source: Source,
    pub bytes: Vec<u8>,
    pub hint: Option<MediaType>,
}

#[derive(Debug, PartialEq)]
pub struct LoadedDocument {
    pub id: u32,
    pub source: Source,
    pub bytes: Rc<[u8]>,
    pub analysis: Analysis,
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
}

pub enum Action {
    Paste(String),
    Add(Vec<NewDocument>),
    Remove(u32),
    Clear,
    /// A referrers listing; replaces an earlier one of the same repository and subject.
    Referrers(Listing),
    /// Replace the whole analysis, as opening a permalink does: the paste box's text (if any)
    /// and the other documents, in order.
    Replace {
        pasted: Option<String>,
        documents: Vec<NewDocument>,
    },
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
        let repository = Reference::parse(reference).ok()?.name();
        self.referrers
            .iter()
            .find(|l| l.repository == repository && &l.subject == doc.analysis.digest())
            .cloned()
    }

    /// The documents in page order, as one comparable value.
    pub fn document_list(&self) -> DocumentList {
        DocumentList(self.documents().cloned().collect())
    }

    fn load(&mut self, source: Source, bytes: Vec<u8>, hint: Option<&MediaType>) -> Rc<LoadedDocument> {
        let analysis = Analysis::of(&bytes, hint);
        // The pasted document keeps one id while the user types, so its card is updated in place
        // rather than rebuilt on every keystroke.
        let id = if source == Source::Pasted {
            PASTED_ID
        } else {
            self.next_id += 1;
            self.next_id
        };
        Rc::new(LoadedDocument {
            id,
            source,
            bytes: bytes.into(),
            analysis,
        })
    }
}

impl Reducible for Workspace {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Workspace {
            pasted: self.pasted.clone(),
            files: self.files.clone(),
            skipped_duplicates: Vec::new(),
            next_id: self.next_id,
            referrers: self.referrers.clone(),
        };
        match action {
            Action::Paste(text) => {
                next.pasted = if text.is_empty() {
                    None
                } else {
                    Some(next.load(Source::Pasted, text.into_bytes(), None))
                };
            }
            Action::Add(documents) => {
                for new in documents {
                    let doc = next.load(new.source, new.bytes, new.hint.as_ref());
                    let digest = &doc.analysis.bytes_digest;
                    if next.files.iter().any(|f| &f.analysis.bytes_digest == digest) {
                        next.skipped_duplicates.push((doc.source.title(), digest.clone()));
                    } else {
                        next.files.push(doc);
                    }
                }
            }
            Action::Remove(id) => {
                next.files.retain(|f| f.id != id);
                if next.pasted.as_ref().is_some_and(|p| p.id == id) {
                    next.pasted = None;
                }
            }
            Action::Clear => {
                next.pasted = None;
                next.files.clear();
                next.referrers.clear();
            }
            Action::Referrers(listing) => {
                next.referrers
                    .retain(|l| l.repository != listing.repository || l.subject != listing.subject);
                next.referrers.push(Rc::new(listing));
            }
            Action::Replace { pasted, documents } => {
                return Rc::new(next)
                    .reduce(Action::Clear)
                    .reduce(Action::Paste(pasted.unwrap_or_default()))
                    .reduce(Action::Add(documents));
            }
        }
        Rc::new(next)
    }
}
