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
//! The browser glue lives here; what the link holds is decided by `workspace::link`: `carry`
//! (per document), `carry_view`, and `replacement` / `restored_view` (back into the workspace).

pub use crate::workspace::link::Share;
use crate::workspace::link::{carries_nothing, link_for, replacement, restored_view, Shared};

use crate::core::digest::Digest;
use crate::core::permalink::{self, ComparedImages, LinkLength, PinnedReference, Snapshot};
use crate::ui::components::input_panel::RestoreText;
use crate::ui::state::{Action, Choice, View, Workspace};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

/// How long typing must pause before the address bar is updated.
const DEBOUNCE_MS: i32 = 300;

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
    /// The "Compare two images" comparison the link carries.
    images: Option<Rc<ComparedImages>>,
}

/// The part of the page an opened link is about, to bring into view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shows {
    /// A comparison: the compare section.
    Comparison,
    /// A box selected on the map: its details.
    Selection,
    /// "Compare two images".
    Images,
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
    /// What "Compare two images" compares again for the link just opened.
    pub images: OpenedImages,
}

/// The "Compare two images" comparison an opening carries, with the opening's serial: every
/// opening (Back and Forward too) fills the form and fetches anew.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OpenedImages {
    pub serial: u32,
    pub images: Option<Rc<ComparedImages>>,
}

/// The references an opening pins, with the opening's serial.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Refetch {
    pub serial: u32,
    pub pinned: Rc<[PinnedReference]>,
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

    /// The workspace changed to `docs`: note whether it is the link just opened (`serial`), an
    /// edit of the same analysis or a new one, and write it to the address bar once typing
    /// pauses (`flush` runs after [`DEBOUNCE_MS`]).
    fn workspace_changed(&mut self, docs: &Shared, serial: u32, flush: &Closure<dyn FnMut()>) {
        if serial != self.handled_serial {
            // The workspace now shows the link just opened: the address bar already has it.
            self.handled_serial = serial;
            self.seen = docs.clone();
            self.pending = None;
            self.cancel_timer();
            return;
        }
        if *docs == self.seen {
            return;
        }
        let previous = std::mem::replace(&mut self.seen, docs.clone());
        let mut kind = if previous.edited_into(docs) {
            Write::Replace
        } else {
            Write::Push
        };
        if !self.awaiting.is_empty() {
            if previous.list.refetched_into(&docs.list) {
                self.awaiting
                    .retain(|pinned| !docs.list.0.iter().any(|d| d.analysis().digest() == pinned));
                if !self.awaiting.is_empty() {
                    return;
                }
                // The link's analysis is complete: the same link, unless the view moved.
                kind = Write::Replace;
            } else {
                self.awaiting.clear();
            }
        }
        let mut mode = kind;
        if let Some((pending, pending_mode)) = self.pending.take() {
            if kind == Write::Push {
                // The analysis being left keeps its last edits in its own history entry.
                let share = self.write(&pending, pending_mode);
                self.set_share.set(Rc::new(share));
            } else {
                mode = mode.max(pending_mode);
            }
        }
        if docs.list.0.is_empty() {
            self.leave_out = false;
        }
        self.pending = Some((docs.clone(), mode));
        self.cancel_timer();
        self.timer = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                flush.as_ref().unchecked_ref(),
                DEBOUNCE_MS,
            )
            .ok()
        });
    }

    /// Puts `docs` in the address bar and returns what the share bar shows.
    fn write(&mut self, docs: &Shared, mode: Write) -> Share {
        let base = page_address();
        let encode =
            |snapshot: &Snapshot| timed("digestlens-permalink-encode", || permalink::encode(snapshot));
        let (share, fragment) = link_for(&base, docs, self.leave_out, &encode);
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

/// What an opened link's view is about, the comparison first (it is what a link with one was
/// sent for).
fn shows(view: &View) -> Option<Shows> {
    if view.compare_a != Choice::Empty || view.compare_b != Choice::Empty {
        Some(Shows::Comparison)
    } else if view.images.is_some() {
        Some(Shows::Images)
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
                images: view.images.clone(),
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
        Shows::Images => "[data-testid=\"compare-images\"]",
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
            if let Ok(mut sync) = sync.try_borrow_mut() {
                sync.workspace_changed(docs, *serial, &flush);
            }
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
        images: OpenedImages {
            serial: opened.serial,
            images: opened.images.clone(),
        },
    }
}
