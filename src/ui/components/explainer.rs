//! A short, collapsible explainer of the digests of an image. Each term jumps to the part of the
//! current analysis that shows it (by scrolling, not by a `#` link: the fragment holds the permalink).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Terms and the CSS selector of the element that shows each in the current analysis.
const TERMS: &[(&str, &str)] = &[
    ("index", "[data-kind=oci-index], [data-kind=docker-manifest-list]"),
    (
        "platform manifest",
        "[data-kind=oci-manifest], [data-kind=docker-manifest], [data-role=manifest]",
    ),
    ("config (= Image ID)", "[data-kind$=config], [data-role=config]"),
    ("layer blobs", "[data-role=layer]"),
    ("diff_ids", "[data-testid=diff-id]"),
];

fn jump_to(selector: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let target = window
        .document()
        .and_then(|d| d.query_selector(selector).ok().flatten());
    let Some(target) = target else {
        return;
    };
    // A document card is one line until opened; open the one that shows the term, and scroll
    // once it has been drawn open.
    let toggle = target
        .closest("[data-testid=document]")
        .ok()
        .flatten()
        .and_then(|card| {
            card.query_selector("[data-testid=card-toggle][aria-expanded=false]")
                .ok()
                .flatten()
        });
    target.scroll_into_view();
    if let Some(toggle) = toggle.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
        toggle.click();
        let later = Closure::once_into_js(move || target.scroll_into_view());
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), 0);
    }
}

#[function_component(Explainer)]
pub fn explainer() -> Html {
    let term = |(label, selector): &(&'static str, &'static str)| {
        let selector = *selector;
        let onclick = Callback::from(move |_: MouseEvent| jump_to(selector));
        html! { <button type="button" class="term" {onclick} title="Show it in the analysis below">{ *label }</button> }
    };
    html! {
        <details class="explainer" data-testid="explainer">
            <summary>{ "Why does one image have so many digests?" }</summary>
            <p>
                { "A digest is the sha256 of some bytes. An image is several documents, so it has several digests: " }
                { "the " }{ term(&TERMS[0]) }{ " (a multi-platform list) names one " }{ term(&TERMS[1]) }
                { " per platform; each manifest names its " }{ term(&TERMS[2]) }{ " and its " }{ term(&TERMS[3]) }
                { " (compressed tars); the config lists the " }{ term(&TERMS[4]) }{ " (digests of the uncompressed layers)." }
            </p>
            <p>
                { "Change any byte of a document and its digest changes — even whitespace or key order. \
                   That is why pulling an image and pushing it with another tool can give a new manifest digest \
                   while the config, and so the Image ID, stay the same: the tool wrote the manifest again." }
            </p>
        </details>
    }
}
