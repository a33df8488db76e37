//! "I expected another digest": one document checked against the digest the user expected.
//!
//! The user pastes what `docker images --digests`, a Kubernetes `imageID` or a CI log showed them
//! (a full digest, bare hex, or the 12 characters `docker images` prints). `core::diagnose::
//! check_expected` tries the small edits and the re-serializations that would produce it and the
//! other digests of the loaded documents; this component asks and shows the answer.

use super::bytes_view::BytesView;
use super::human_size;
use crate::core::diagnose::{check_expected, Expected, ExpectedCheck, Place};
use crate::core::document::Analysis;
use crate::core::reserialize;
use crate::ui::state::{DocumentList, Handle, LoadedDocument};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties)]
pub struct ExpectedDigestProps {
    pub doc: Rc<LoadedDocument>,
}

impl PartialEq for ExpectedDigestProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.doc, &other.doc)
    }
}

/// Up to this size the answer follows every keystroke. A larger document is checked when the user
/// asks (Enter or the button): trying every re-serialization of it takes seconds.
const LIVE_LIMIT: usize = 256 * 1024;

/// Resolves after the browser had a chance to paint, so "Checking…" shows before the work starts.
async fn after_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let scheduled = web_sys::window().and_then(|window| {
            window
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 30)
                .ok()
        });
        if scheduled.is_none() {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

#[function_component(ExpectedDigest)]
pub fn expected_digest(props: &ExpectedDigestProps) -> Html {
    // Every loaded document, this one included, in page order: a place found in the family is
    // then the document's position on the page.
    let documents = use_context::<DocumentList>().unwrap_or_default();
    let input = use_state(String::new);
    // For a large document: the digest the user asked about, and whether the check is under way.
    let asked = use_state(|| None::<Expected>);
    let pending = use_state(|| false);
    let live = props.doc.analysis.size <= LIVE_LIMIT;
    let parsed = input.parse::<Expected>();
    let wanted = if live {
        parsed.clone().ok()
    } else {
        (*asked).clone()
    };
    let check = use_memo(
        (wanted, Handle(props.doc.clone()), documents.clone()),
        |(expected, Handle(doc), family)| {
            let family: Vec<&Analysis> = family.0.iter().map(|d| &d.analysis).collect();
            expected
                .as_ref()
                .map(|expected| check_expected(&doc.bytes, &doc.analysis, expected, &family))
        },
    );
    let oninput = {
        let input = input.clone();
        let asked = asked.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(field) = e.target_dyn_into::<HtmlInputElement>() {
                input.set(field.value());
                asked.set(None);
            }
        })
    };
    let onsubmit = {
        let parsed = parsed.clone();
        let asked = asked.clone();
        let pending = pending.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let (Ok(expected), false) = (parsed.clone(), live) {
                pending.set(true);
                let asked = asked.clone();
                let pending = pending.clone();
                spawn_local(async move {
                    after_paint().await;
                    asked.set(Some(expected));
                    pending.set(false);
                });
            }
        })
    };
    let id = format!("expected-{}", props.doc.id);

    html! {
        <form class="expected-check" {onsubmit}>
            <label for={id.clone()} class="label">{ "Expected another digest? Paste it to find out why this one differs" }</label>
            <div class="input-row">
                <input id={id} type="text" data-testid="expected" spellcheck="false" autocomplete="off"
                    placeholder="sha256:…, 64 hex characters, or the 12 that docker images prints" {oninput} />
                <button type="submit" data-testid="expected-check">{ "Check" }</button>
            </div>
            if !live {
                <p class="muted">{ format!("This document is large ({}): press Enter or Check to try the re-serializations; it takes a few seconds.", human_size(props.doc.analysis.size as u64)) }</p>
            }
            if let (Err(error), false) = (&parsed, input.trim().is_empty()) {
                <p class="muted" data-testid="expected-error">{ error.to_string() }</p>
            }
            if *pending {
                <p class="muted" role="status" data-testid="expected-pending">{ "Checking…" }</p>
            } else if let Some(check) = (*check).as_ref() {
                { answer(check, &props.doc, &documents) }
            }
        </form>
    }
}

fn answer(check: &ExpectedCheck, doc: &LoadedDocument, documents: &DocumentList) -> Html {
    html! {
        <div class="expected-answer" data-testid="expected-answer" role="status" aria-live="polite">
            <p class="verdict" data-testid="verdict" data-verdict={check.slug()}>{ check.to_string() }</p>
            if let ExpectedCheck::OtherDigest { place: Place::Family(i), .. } = check {
                if let Some(found) = documents.0.get(*i) {
                    <p data-testid="expected-place">
                        { format!("Loaded document {} is {}.", i + 1, found.source.title()) }
                    </p>
                }
            }
            if let (ExpectedCheck::Reserialized { style, .. }, Some(value)) = (check, &doc.analysis.json) {
                <BytesView text={String::from_utf8_lossy(&reserialize::write(value, style)).into_owned()}
                    testid="expected-bytes" summary="Show the bytes that have the expected digest" />
            }
        </div>
    }
}
