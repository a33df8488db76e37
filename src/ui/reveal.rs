//! Bringing the answer into view: after an action that loads documents (an example, a paste, a
//! drop or a chosen file, a fetch, an opened link) the map — or, for one document, its card —
//! is scrolled to the top of the viewport and focused, so sighted, keyboard and screen-reader
//! users all land on the result instead of on the box they just used.
//!
//! The request is taken when the user acts and honoured when new documents appear. If the user
//! scrolled in between (a slow fetch), they have moved on and the page leaves the scroll and the
//! focus where they are.

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, FocusOptions, HtmlElement, ScrollIntoViewOptions, ScrollLogicalPosition};
use yew::prelude::*;

/// Scrolling more than this many CSS pixels between the request and the answer means the user
/// has moved on.
const MOVED_ON: f64 = 64.0;

/// How long after a reveal the rest of the same answer (a fetch's manifests and configs) is still
/// brought into view, if focus has stayed on it.
const FOLLOW_MS: f64 = 5000.0;

/// The vertical scroll position when the request was taken, and the selector of what to show
/// when it is not the map or the card.
type Request = (f64, Option<&'static str>);

/// Asks for the next loaded documents to be brought into view; cheap to clone into callbacks.
#[derive(Clone)]
pub struct Reveal {
    pending: Rc<RefCell<Option<Request>>>,
    /// How many times a result was revealed; the input area folds when it changes.
    pub revealed: u32,
}

impl PartialEq for Reveal {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.pending, &other.pending) && self.revealed == other.revealed
    }
}

impl Reveal {
    /// Called when the user acts; the next documents to appear are brought into view.
    pub fn request(&self) {
        *self.pending.borrow_mut() = Some((scroll_y(), None));
    }

    /// Like [`Reveal::request`], bringing the element `selector` names into view instead (an
    /// example whose answer is a comparison).
    pub fn request_target(&self, selector: &'static str) {
        *self.pending.borrow_mut() = Some((scroll_y(), Some(selector)));
    }

    /// An `input` event bubbling from the paste box: a paste or a drop of text asks for the
    /// answer; typing does not, so the page never jumps away from someone writing JSON.
    ///
    /// Yew hands every `input` event over as an `InputEvent` unchecked, but autofill and
    /// extensions fire plain `Event`s, whose `inputType` is undefined: reading it would throw.
    /// Such an event is no paste.
    pub fn request_on_paste(&self, event: &Event) {
        let from_paste_box = event
            .target_dyn_into::<Element>()
            .is_some_and(|t| t.get_attribute("data-testid").as_deref() == Some("paste"));
        let pasted = event
            .dyn_ref::<InputEvent>()
            .is_some_and(|e| matches!(e.input_type().as_str(), "insertFromPaste" | "insertFromDrop"));
        if from_paste_box && pasted {
            self.request();
        }
    }
}

fn scroll_y() -> f64 {
    web_sys::window().and_then(|w| w.scroll_y().ok()).unwrap_or(0.0)
}

/// Whether the page was opened from a link that carries documents (`#…`): it lands on them.
fn opened_from_link() -> bool {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .is_some_and(|h| h.len() > 1)
}

/// Watches the loaded document ids; when new ones appear after a request, brings the map (several
/// documents) or the card (one document) into view and focuses it.
#[hook]
pub fn use_reveal(ids: Vec<u32>) -> Reveal {
    let pending = use_mut_ref(|| opened_from_link().then(|| (scroll_y(), None)));
    let seen = use_mut_ref(Vec::<u32>::new);
    // The answer last brought into view (when, and what), while more of the same action may still
    // arrive (a fetch adds the index first, then its manifests and configs). Our own reveal folds
    // the inputs and moves the scroll position, so that cannot tell whether the user moved on:
    // focus still on the answer and a short time since the reveal do.
    let following = use_mut_ref(|| None::<(f64, Option<&'static str>)>);
    let revealed = use_state(|| 0u32);
    {
        let pending = pending.clone();
        let revealed = revealed.clone();
        use_effect_with(ids, move |ids| {
            let grew = ids.iter().any(|id| !seen.borrow().contains(id));
            *seen.borrow_mut() = ids.clone();
            if !grew {
                return;
            }
            if let Some((at, target)) = pending.borrow_mut().take() {
                *following.borrow_mut() = None;
                if (scroll_y() - at).abs() <= MOVED_ON {
                    bring_into_view(ids.len() == 1, target);
                    *following.borrow_mut() = Some((js_sys::Date::now(), target));
                }
                revealed.set(*revealed + 1);
            } else {
                let followed = following.borrow_mut().take();
                if let Some((at, target)) = followed {
                    let recent = js_sys::Date::now() - at <= FOLLOW_MS;
                    if recent && focus_is_on_an_answer() {
                        bring_into_view(ids.len() == 1, target);
                        *following.borrow_mut() = Some((at, target));
                    }
                }
            }
        });
    }
    Reveal {
        pending,
        revealed: *revealed,
    }
}

/// Whether focus is still where a reveal put it (the map or a card) or nowhere: a user who moved
/// focus elsewhere is not pulled back by documents that arrive later.
fn focus_is_on_an_answer() -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    match document.active_element() {
        None => true,
        Some(active) => {
            active.matches(r#"body, [data-testid="map"], [data-testid="document"], [data-testid="compare"]"#)
                == Ok(true)
        }
    }
}

/// Scrolls the answer to the top of the viewport and moves focus there without a second scroll.
fn bring_into_view(single: bool, target: Option<&str>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let find = |selector: &str| document.query_selector(selector).ok().flatten();
    let (frame, focus) = if let Some(selector) = target {
        let element = find(selector);
        (element.clone(), element)
    } else if single {
        let card = find(r#"[data-testid="document"]"#);
        (card.clone(), card)
    } else {
        (
            find(r#"[data-testid="family-map"]"#),
            find(r#"[data-testid="map"]"#),
        )
    };
    let Some(frame) = frame else {
        return;
    };
    let options = ScrollIntoViewOptions::new();
    options.set_block(ScrollLogicalPosition::Start);
    frame.scroll_into_view_with_scroll_into_view_options(&options);
    let target = focus.unwrap_or(frame);
    if !target.has_attribute("tabindex") {
        let _ = target.set_attribute("tabindex", "-1");
    }
    let options = FocusOptions::new();
    options.set_prevent_scroll(true);
    if let Some(html) = target.dyn_ref::<HtmlElement>() {
        let _ = html.focus_with_options(&options);
    } else if let Some(svg) = target.dyn_ref::<web_sys::SvgElement>() {
        let _ = svg.focus_with_options(&options);
    }
}
