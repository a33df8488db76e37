//! A short, collapsible explainer of the digests of an image. Each term jumps to the part of the
//! current analysis that shows it (by scrolling, not by a `#` link: the fragment holds the permalink).

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
    let target = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten());
    if let Some(target) = target {
        target.scroll_into_view();
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
