//! The address bar follows the analysis: its fragment (`#v1.…`, see `core::permalink`) is the
//! workspace, so a copied address reproduces it, and Back/Forward move between analyses.
//!
//! * While the user types, the current history entry is replaced (after a pause of
//!   [`DEBOUNCE_MS`], so a 4 MiB document is not compressed on every keystroke and history is not
//!   flooded); when a new analysis starts (files added or removed, the page cleared, the paste box
//!   emptied or filled anew) a new entry is pushed, so Back returns to the previous analysis.
//! * `popstate` and `hashchange` (Back, Forward, a link pasted into the address bar) and the
//!   fragment the page opens with replace the workspace with the link's exact bytes. A fragment
//!   that does not open leaves an empty page and a message that says why.
//!
//! * The view travels too: the box selected on the map and both sides of the comparison. Changing
//!   only the view replaces the current history entry, as typing does.
//!
//! The browser glue lives here; what the link holds is decided by [`carry`] (per document),
//! [`carry_view`] and [`replacement`] / [`restored_view`] (back into the workspace).

use crate::core::diagnose::Side;
use crate::core::digest::Digest;
use crate::core::permalink::{
    self, ComparedDocument, ExpectedDigest, LinkLength, PinnedReference, SharedDocument, Snapshot,
};
use crate::core::reference::Reference;
use crate::ui::components::input_panel::RestoreText;
use crate::ui::state::{Action, Choice, DocumentList, LoadedDocument, NewDocument, Source, View, Workspace};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

/// The name a link gives the paste box's text. A file always has a name, so an empty one marks
/// the document that goes back into the paste box.
const PASTED_NAME: &str = "";

/// How long typing must pause before the address bar is updated.
const DEBOUNCE_MS: i32 = 300;

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

/// The state of the last link opened (at startup, Back/Forward or a fragment typed by hand).
#[derive(Debug, Clone, PartialEq, Default)]
struct Opened {
    /// Counts links opened; tells the workspace change an opening causes from the user's own.
    serial: u32,
    /// The paste box's text from the link.
    text: Rc<str>,
    /// Why the link did not open.
    error: Option<AttrValue>,
    /// Registry documents the link names by digest.
    pinned: Rc<[PinnedReference]>,
    /// The part of the page the link's view is about.
    shows: Option<Shows>,
}

/// The part of the page an opened link is about, to bring into view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shows {
    /// A comparison: the compare section.
    Comparison,
    /// A box selected on the map: its details.
    Selection,
}

/// What [`use_permalink`] gives the page.
#[derive(Clone, PartialEq)]
pub struct Permalink {
    pub share: Rc<Share>,
    /// Text for the paste box after a link was opened.
    pub restore: Option<RestoreText>,
    /// Why the last link opened did not open.
    pub error: Option<AttrValue>,
    /// Registry documents the opened link names by digest (not fetched by this page yet).
    pub pinned: Rc<[PinnedReference]>,
    /// What to fetch again for the link just opened: every opening (Back and Forward too) asks
    /// anew, even for the same references, because opening replaced the fetched documents.
    pub refetch: Refetch,
    /// Leave the largest documents out of the link until it fits.
    pub leave_out_large: Callback<()>,
}

/// The references an opening pins, with the opening's serial.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Refetch {
    pub serial: u32,
    pub pinned: Rc<[PinnedReference]>,
}

/// What a link carries, as the page holds it: the documents (compared by identity: each edit
/// makes a new `Rc`) and the view.
#[derive(Debug, Clone, Default, PartialEq)]
struct Shared {
    list: DocumentList,
    view: View,
}

impl Shared {
    /// Whether `next` is the same analysis: only the view changed, or only the paste box's text.
    fn edited_into(&self, next: &Shared) -> bool {
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
    fn refetched_into(&self, next: &DocumentList) -> bool {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Write {
    Replace,
    Push,
}

struct Sync {
    /// The fragment (without '#') in the address bar: written here or opened by the user.
    in_url: String,
    /// Whether the current history entry holds an analysis worth going Back to; an empty page
    /// or an unreadable link is replaced rather than kept.
    entry_has_analysis: bool,
    /// The documents last seen, to tell typing from a new analysis.
    seen: Shared,
    /// Documents not yet in the address bar, and how to write them.
    pending: Option<(Shared, Write)>,
    timer: Option<i32>,
    /// The user asked for a link without the documents that do not fit.
    leave_out: bool,
    /// The serial of the last link opened, and the last one whose workspace change was seen.
    serial: u32,
    handled_serial: u32,
    /// Digests the link just opened pins and the page is fetching again: until they are all
    /// loaded, documents arriving from those fetches are still the link's analysis, not a new one.
    awaiting: Vec<Digest>,
    set_share: UseStateSetter<Rc<Share>>,
}

impl Sync {
    fn cancel_timer(&mut self) {
        if let (Some(id), Some(window)) = (self.timer.take(), web_sys::window()) {
            window.clear_timeout_with_handle(id);
        }
    }

    /// Puts `docs` in the address bar and returns what the share bar shows.
    fn write(&mut self, docs: &Shared, mode: Write) -> Share {
        let base = page_address();
        let (share, fragment) = link_for(&base, docs, self.leave_out);
        let has_analysis = !matches!(share, Share::Nothing);
        let share = if fragment == self.in_url {
            share
        } else {
            let mode = if self.entry_has_analysis {
                mode
            } else {
                Write::Replace
            };
            let url = if fragment.is_empty() {
                base
            } else {
                format!("{base}#{fragment}")
            };
            let written = write_history(mode, &url);
            if written {
                self.in_url = fragment;
            }
            match share {
                Share::Link {
                    url,
                    length,
                    left_out,
                    ..
                } => Share::Link {
                    url,
                    length,
                    left_out,
                    in_address_bar: written,
                },
                other => other,
            }
        };
        self.entry_has_analysis = has_analysis;
        share
    }
}

/// The page's address without its fragment.
fn page_address() -> String {
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    match href.split_once('#') {
        Some((base, _)) => base.to_owned(),
        None => href,
    }
}

fn write_history(mode: Write, url: &str) -> bool {
    let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else {
        return false;
    };
    let result = match mode {
        Write::Replace => history.replace_state_with_url(&JsValue::NULL, "", Some(url)),
        Write::Push => history.push_state_with_url(&JsValue::NULL, "", Some(url)),
    };
    result.is_ok()
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
                    reference: Reference::parse(reference)
                        .map_or_else(|_| reference.clone(), |r| r.without_digest().to_string()),
                    digest: doc.analysis.digest().clone(),
                });
            }
            return;
        }
    };
    snapshot.documents.push(SharedDocument {
        name,
        bytes: doc.bytes.to_vec(),
    });
}

/// The view in a link: the selected box by its text form; each compare side as the digest of
/// the loaded document it shows, or as its own document's exact bytes (unless left out).
fn carry_view(docs: &Shared, left_out: &[usize], snapshot: &mut Snapshot) {
    snapshot.selected = docs.view.selected.as_ref().map(ToString::to_string);
    for side in [Side::A, Side::B] {
        let compared = match docs.view.side(side) {
            Choice::Empty => None,
            Choice::Wanted(digest) => Some(ComparedDocument::Loaded(digest.clone())),
            Choice::Loaded(id) => docs
                .list
                .0
                .iter()
                .find(|d| d.id == *id)
                .map(|d| ComparedDocument::Loaded(d.analysis.digest().clone())),
            Choice::Own(doc) => (!left_out.contains(&own_index(docs, side))).then(|| {
                ComparedDocument::Own(SharedDocument {
                    name: match &doc.source {
                        Source::File { name } => name.clone(),
                        Source::Pasted | Source::Fetched { .. } => PASTED_NAME.to_owned(),
                    },
                    bytes: doc.bytes.to_vec(),
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
        (!left_out.contains(&index)).then(|| (doc.analysis.digest().clone(), typed.clone()))
    });
    snapshot.expected = typed
        .chain(docs.view.expected_wanted.iter().cloned())
        .map(|(document, typed)| ExpectedDigest { document, typed })
        .collect();
}

/// The snapshot of `docs`, leaving out those at `left_out` (indexes into [`Shared::carried`]).
fn snapshot_of(docs: &Shared, left_out: &[usize]) -> Snapshot {
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
fn carries_nothing(snapshot: &Snapshot) -> bool {
    snapshot.documents.is_empty()
        && snapshot.references.is_empty()
        && snapshot.compare_a.is_none()
        && snapshot.compare_b.is_none()
}

/// Runs `f` and records how long it took as the User Timing measure `name` (shown by the
/// browser's performance tools, read by tests/e2e/bench/permalink-bench.mjs); only the latest
/// measure of each name is kept.
fn timed<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let performance = web_sys::window().and_then(|w| w.performance());
    let start = format!("{name}-start");
    if let Some(performance) = &performance {
        let _ = performance.mark(&start);
    }
    let result = f();
    if let Some(performance) = &performance {
        performance.clear_measures_with_measure_name(name);
        let _ = performance.measure_with_start_mark(name, &start);
        performance.clear_marks_with_mark_name(&start);
    }
    result
}

/// The fragment for `snapshot` and the full link, or why there is none.
fn try_link(base: &str, snapshot: &Snapshot) -> Result<(String, String), String> {
    let fragment =
        timed("digestlens-permalink-encode", || permalink::encode(snapshot)).map_err(|e| e.to_string())?;
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
fn link_for(base: &str, docs: &Shared, leave_out: bool) -> (Share, String) {
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
    let reason = match try_link(base, &whole) {
        Ok((fragment, url)) => return link(fragment, url, &[]),
        Err(reason) => reason,
    };
    let carried = docs.carried();
    let size = |i: usize| carried.get(i).copied().flatten().map(|d| d.bytes.len());
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
            if let Ok((fragment, url)) = try_link(base, &snapshot_of(docs, &left_out)) {
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
fn replacement(documents: Vec<SharedDocument>) -> (Option<String>, Vec<NewDocument>) {
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
    let name = if name == PASTED_NAME {
        "Pasted text (exact bytes)".to_owned()
    } else {
        name
    };
    Source::File { name }
}

fn shared_file(name: String, bytes: Vec<u8>) -> NewDocument {
    NewDocument {
        source: file_source(name),
        bytes,
        hint: None,
    }
}

/// The view a snapshot opens into. A selection this page cannot name selects nothing; a compare
/// side naming a digest waits for that document (it may be fetched again from a registry); a
/// side's own pasted text goes back into its box when the box keeps its bytes exactly.
fn restored_view(snapshot: &mut Snapshot) -> View {
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
    }
}

/// What an opened link's view is about, the comparison first (it is what a link with one was
/// sent for).
fn shows(view: &View) -> Option<Shows> {
    if view.compare_a != Choice::Empty || view.compare_b != Choice::Empty {
        Some(Shows::Comparison)
    } else {
        view.selected.as_ref().map(|_| Shows::Selection)
    }
}

/// Writes the pending documents to the address bar and the share bar.
fn flush_pending(sync: &RefCell<Sync>) {
    let (share, set_share) = {
        let Ok(mut sync) = sync.try_borrow_mut() else {
            return;
        };
        sync.cancel_timer();
        let Some((docs, mode)) = sync.pending.take() else {
            return;
        };
        (sync.write(&docs, mode), sync.set_share.clone())
    };
    set_share.set(Rc::new(share));
}

/// Opens the fragment in the address bar unless it is the one already shown.
fn open_address_bar(
    sync: &RefCell<Sync>,
    workspace: &UseReducerDispatcher<Workspace>,
    set_opened: &UseStateSetter<Opened>,
) {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return;
    };
    let hash = location.hash().unwrap_or_default();
    let fragment = hash.strip_prefix('#').unwrap_or(&hash).to_owned();
    let (serial, set_share) = {
        let Ok(mut sync) = sync.try_borrow_mut() else {
            return;
        };
        if fragment == sync.in_url {
            return;
        }
        sync.cancel_timer();
        sync.pending = None;
        sync.leave_out = false;
        sync.serial = sync.serial.wrapping_add(1);
        sync.in_url = fragment.clone();
        (sync.serial, sync.set_share.clone())
    };
    let decoded = if fragment.is_empty() {
        Ok(Snapshot::default())
    } else {
        timed("digestlens-permalink-decode", || permalink::decode(&fragment))
    };
    let (opened, share, pasted, documents, view) = match decoded {
        Ok(mut snapshot) => {
            let empty = carries_nothing(&snapshot);
            let view = restored_view(&mut snapshot);
            let (pasted, documents) = replacement(snapshot.documents);
            let share = if empty {
                Share::Nothing
            } else {
                let url = location.href().unwrap_or_default();
                Share::Link {
                    length: LinkLength::of(&url),
                    url: url.into(),
                    left_out: Rc::from([]),
                    in_address_bar: true,
                }
            };
            let opened = Opened {
                serial,
                text: pasted.as_deref().unwrap_or_default().into(),
                error: None,
                pinned: snapshot.references.into(),
                shows: shows(&view),
            };
            (opened, share, pasted, documents, view)
        }
        Err(e) => {
            let opened = Opened {
                serial,
                error: Some(
                    format!("This link could not be opened: {e}. The page is empty and ready to use.").into(),
                ),
                ..Opened::default()
            };
            (opened, Share::Nothing, None, Vec::new(), View::default())
        }
    };
    if let Ok(mut sync) = sync.try_borrow_mut() {
        sync.entry_has_analysis = opened.error.is_none() && !matches!(share, Share::Nothing);
        sync.awaiting = opened.pinned.iter().map(|p| p.digest.clone()).collect();
    }
    workspace.dispatch(Action::Replace {
        pasted,
        documents,
        view,
    });
    set_opened.set(opened);
    set_share.set(Rc::new(share));
}

/// Scrolls to what an opened link is about. Waits for the next frame: the effect runs when the
/// workspace is rendered, but the cards above the comparison are laid out only then.
fn bring_into_view(shows: Shows) {
    let selector = match shows {
        Shows::Comparison => "[data-testid=\"compare\"]",
        Shows::Selection => "[data-testid=\"map-details\"]",
    };
    let scroll = Closure::once_into_js(move || {
        let element = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(selector).ok().flatten());
        if let Some(element) = element {
            element.scroll_into_view();
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window.request_animation_frame(scroll.unchecked_ref());
    }
}

/// Keeps the address bar and the workspace in step (see the module documentation).
#[hook]
pub fn use_permalink(workspace: &UseReducerHandle<Workspace>) -> Permalink {
    let share = use_state(|| Rc::new(Share::Nothing));
    let opened = use_state(Opened::default);
    let sync = {
        let set_share = share.setter();
        use_mut_ref(move || Sync {
            in_url: String::new(),
            entry_has_analysis: false,
            seen: Shared::default(),
            pending: None,
            timer: None,
            leave_out: false,
            serial: 0,
            handled_serial: 0,
            awaiting: Vec::new(),
            set_share,
        })
    };
    let flush = {
        let sync = sync.clone();
        use_memo((), move |_| {
            Closure::<dyn FnMut()>::new(move || flush_pending(&sync))
        })
    };

    {
        let sync = sync.clone();
        let dispatcher = workspace.dispatcher();
        let set_opened = opened.setter();
        use_effect_with((), move |_| {
            let open = {
                let sync = sync.clone();
                move || open_address_bar(&sync, &dispatcher, &set_opened)
            };
            // A page opened with a fragment shows that link's analysis.
            open();
            let on_navigate = Closure::<dyn FnMut()>::new(open);
            let window = web_sys::window();
            if let Some(window) = &window {
                for event in ["popstate", "hashchange"] {
                    let _ =
                        window.add_event_listener_with_callback(event, on_navigate.as_ref().unchecked_ref());
                }
            }
            move || {
                if let Some(window) = &window {
                    for event in ["popstate", "hashchange"] {
                        let _ = window
                            .remove_event_listener_with_callback(event, on_navigate.as_ref().unchecked_ref());
                    }
                }
                if let Ok(mut sync) = sync.try_borrow_mut() {
                    sync.cancel_timer();
                }
            }
        });
    }

    {
        let sync = sync.clone();
        let flush = flush.clone();
        let docs = Shared {
            list: workspace.document_list(),
            view: workspace.view.clone(),
        };
        use_effect_with((docs, opened.serial), move |(docs, serial)| {
            let Ok(mut sync) = sync.try_borrow_mut() else {
                return;
            };
            if *serial != sync.handled_serial {
                // The workspace now shows the link just opened: the address bar already has it.
                sync.handled_serial = *serial;
                sync.seen = docs.clone();
                sync.pending = None;
                sync.cancel_timer();
                return;
            }
            if *docs == sync.seen {
                return;
            }
            let previous = std::mem::replace(&mut sync.seen, docs.clone());
            let mut kind = if previous.edited_into(docs) {
                Write::Replace
            } else {
                Write::Push
            };
            if !sync.awaiting.is_empty() {
                if previous.list.refetched_into(&docs.list) {
                    sync.awaiting
                        .retain(|pinned| !docs.list.0.iter().any(|d| d.analysis.digest() == pinned));
                    if !sync.awaiting.is_empty() {
                        return;
                    }
                    // The link's analysis is complete: the same link, unless the view moved.
                    kind = Write::Replace;
                } else {
                    sync.awaiting.clear();
                }
            }
            let mut mode = kind;
            if let Some((pending, pending_mode)) = sync.pending.take() {
                if kind == Write::Push {
                    // The analysis being left keeps its last edits in its own history entry.
                    let share = sync.write(&pending, pending_mode);
                    sync.set_share.set(Rc::new(share));
                } else {
                    mode = mode.max(pending_mode);
                }
            }
            if docs.list.0.is_empty() {
                sync.leave_out = false;
            }
            sync.pending = Some((docs.clone(), mode));
            sync.cancel_timer();
            sync.timer = web_sys::window().and_then(|w| {
                w.set_timeout_with_callback_and_timeout_and_arguments_0(
                    (*flush).as_ref().unchecked_ref(),
                    DEBOUNCE_MS,
                )
                .ok()
            });
        });
    }

    {
        // Each opening (its serial) brings what the link is about into view, once it is drawn.
        let shows = opened.shows.map(|shows| (opened.serial, shows));
        use_effect_with(shows, |shows| {
            if let Some((_, shows)) = shows {
                bring_into_view(*shows);
            }
        });
    }

    let leave_out_large = {
        let sync = sync.clone();
        Callback::from(move |()| {
            if let Ok(mut sync) = sync.try_borrow_mut() {
                sync.leave_out = true;
                if sync.pending.is_none() {
                    sync.pending = Some((sync.seen.clone(), Write::Replace));
                }
            }
            flush_pending(&sync);
        })
    };

    Permalink {
        share: (*share).clone(),
        restore: (opened.serial > 0).then(|| RestoreText {
            serial: opened.serial,
            text: opened.text.clone(),
        }),
        error: opened.error.clone(),
        pinned: opened.pinned.clone(),
        refetch: Refetch {
            serial: opened.serial,
            pinned: opened.pinned.clone(),
        },
        leave_out_large,
    }
}
