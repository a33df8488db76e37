//! "I expected another digest": one document checked against the digest the user expected.
//!
//! The user pastes what `docker images --digests`, a Kubernetes `imageID` or a CI log showed them
//! (a full digest, bare hex, or the 12 characters `docker images` prints). `core::diagnose::
//! check_expected` tries the small edits and the re-serializations that would produce it and the
//! other digests of the loaded documents, in the analysis worker; this component asks and shows
//! the answer.

use super::bytes_view::BytesView;
use super::human_size;
use crate::core::diagnose::report::ExpectedReport;
use crate::core::diagnose::Expected;
use crate::ui::comparison_worker::{use_expected_check, Answered};
use crate::ui::state::{DocumentList, Handle, LoadedDocument};
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties)]
pub struct ExpectedDigestProps {
    pub doc: Rc<LoadedDocument>,
    /// What the box holds: kept in the workspace's view, so a link carries it.
    pub typed: AttrValue,
    pub on_type: Callback<String>,
}

/// The document by identity and the text; `on_type` is not compared: the card makes a new one on
/// every render, always to the same effect.
impl PartialEq for ExpectedDigestProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.doc, &other.doc) && self.typed == other.typed
    }
}

/// Up to this size the answer follows every keystroke. A larger document is checked when the user
/// asks (Enter or the button): trying every re-serialization of it takes seconds (in the worker,
/// so the page stays responsive, but an answer per keystroke would keep it busy for nothing).
const LIVE_LIMIT: usize = 256 * 1024;

#[function_component(ExpectedDigest)]
pub fn expected_digest(props: &ExpectedDigestProps) -> Html {
    // Every loaded document, this one included, in page order: a place found in the family is
    // then the document's position on the page.
    let documents = use_context::<DocumentList>().unwrap_or_default();
    let input = props.typed.clone();
    let live = props.doc.analysis().size <= LIVE_LIMIT;
    let parsed = input.parse::<Expected>();
    // For a large document: the digest the user asked about. A box that already holds a digest
    // when the card appears (a link was opened) asks at once: the link's sender had asked.
    let asked = {
        let parsed = parsed.clone();
        use_state(move || parsed.ok())
    };
    {
        // The pasted document's card stays when a link or Back puts other text in the paste box:
        // what was asked belongs to the document before, so ask again for what the box now holds.
        let (asked, parsed) = (asked.clone(), parsed.clone());
        use_effect_with(Handle(props.doc.clone()), move |_| {
            asked.set(parsed.ok());
        });
    }
    let wanted = if live {
        parsed.clone().ok()
    } else {
        (*asked).clone()
    };
    let check = use_expected_check(wanted, Handle(props.doc.clone()), documents.clone());
    let oninput = {
        let on_type = props.on_type.clone();
        let asked = asked.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(field) = e.target_dyn_into::<HtmlInputElement>() {
                on_type.emit(field.value());
                asked.set(None);
            }
        })
    };
    let onsubmit = {
        let parsed = parsed.clone();
        let asked = asked.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let (Ok(expected), false) = (parsed.clone(), live) {
                asked.set(Some(expected));
            }
        })
    };
    let id = format!("expected-{}", props.doc.id);

    html! {
        <form class="expected-check" {onsubmit}>
            <label for={id.clone()} class="label">{ "Expected another digest? Paste it to find out why this one differs" }</label>
            <div class="input-row">
                <input id={id} type="text" data-testid="expected" spellcheck="false" autocomplete="off" value={input.clone()}
                    placeholder="sha256:…, 64 hex characters, or the 12 that docker images prints" {oninput} />
                <button type="submit" data-testid="expected-check">{ "Check" }</button>
            </div>
            if !live {
                <p class="muted">{ format!("This document is large ({}): press Enter or Check to try the re-serializations; it takes a few seconds.", human_size(props.doc.analysis().size as u64)) }</p>
            }
            if let (Err(error), false) = (&parsed, input.trim().is_empty()) {
                <p class="muted" data-testid="expected-error">{ error.to_string() }</p>
            }
            { match check {
                Answered::Idle => html! {},
                Answered::Working => html! {
                    <p class="muted" role="status" data-testid="expected-pending">{ "Checking…" }</p>
                },
                Answered::Failed(message) => html! {
                    <p class="error" role="alert" data-testid="expected-failed">{ message }</p>
                },
                Answered::Done(report) => answer(&report, &documents),
            } }
        </form>
    }
}

fn answer(report: &ExpectedReport, documents: &DocumentList) -> Html {
    html! {
        <div class="expected-answer" data-testid="expected-answer" role="status" aria-live="polite">
            <p class="verdict" data-testid="verdict" data-verdict={report.answer.slug.clone()}>{ report.answer.text.clone() }</p>
            if let Some(found) = report.family_place.and_then(|i| documents.0.get(i).map(|d| (i, d))) {
                <p data-testid="expected-place">
                    { format!("Loaded document {} is {}.", found.0 + 1, found.1.source.title()) }
                </p>
            }
            if let Some(bytes) = report.bytes.clone() {
                <BytesView text={bytes} testid="expected-bytes" summary="Show the bytes that have the expected digest" />
            }
        </div>
    }
}
