//! A digest as the page shows it everywhere: monospace, copyable, with what it is and how to check it.

use crate::core::digest::Digest;
use crate::core::explain::{explain, DigestRole};
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DigestValueProps {
    pub digest: Digest,
    /// The `data-testid` of the digest text, so tests find the exact value.
    pub testid: AttrValue,
    /// What the digest is; `None` shows the value alone.
    #[prop_or_default]
    pub role: Option<DigestRole>,
    /// The image reference the user named, for the commands.
    #[prop_or_default]
    pub image: Option<AttrValue>,
}

/// Copies `text` to the clipboard; a refusal (no permission, insecure context) is harmless.
pub(crate) fn copy(text: String) {
    if let Some(window) = web_sys::window() {
        let promise = window.navigator().clipboard().write_text(&text);
        wasm_bindgen_futures::spawn_local(async move {
            let _ = JsFuture::from(promise).await;
        });
    }
}

#[function_component(DigestValue)]
pub fn digest_value(props: &DigestValueProps) -> Html {
    let text = props.digest.to_string();
    let onclick = {
        let text = text.clone();
        Callback::from(move |_: MouseEvent| copy(text.clone()))
    };
    let explanation = props
        .role
        .as_ref()
        .map(|role| explain(role, &props.digest, props.image.as_deref()));
    html! {
        <div class="digest-value">
            <div class="digest-line">
                <code class="digest" data-testid={props.testid.clone()} title={text.clone()}>{ text.clone() }</code>
                <button type="button" class="copy" {onclick} aria-label={format!("Copy {text}")}>{ "Copy" }</button>
            </div>
            if let Some(explanation) = explanation {
                <p class="what">{ explanation.what }</p>
                <details class="commands">
                    <summary>{ "Check it yourself" }</summary>
                    <ul>
                        { for explanation.commands.into_iter().map(|c| html! { <li><code>{ c }</code></li> }) }
                    </ul>
                </details>
            }
        </div>
    }
}
