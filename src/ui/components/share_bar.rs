//! The link that reproduces the analysis: shown, copyable, with its length and what that length
//! means for sharing it; or why the analysis cannot travel in a link, with a way out.

use crate::core::permalink::{LinkLength, PinnedReference};
use crate::ui::permalink_sync::Share;
use std::rc::Rc;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShareBarProps {
    pub share: Rc<Share>,
    /// Why the last link opened did not open.
    #[prop_or_default]
    pub error: Option<AttrValue>,
    /// Registry documents the opened link names by digest.
    #[prop_or_default]
    pub pinned: Rc<[PinnedReference]>,
    pub on_leave_out: Callback<()>,
}

/// What happened to the last "Copy link".
#[derive(Clone, Copy, PartialEq)]
enum Copied {
    No,
    Yes,
    Refused,
}

#[function_component(ShareBar)]
pub fn share_bar(props: &ShareBarProps) -> Html {
    let copied = use_state(|| Copied::No);
    {
        let copied = copied.clone();
        use_effect_with(props.share.clone(), move |_| copied.set(Copied::No));
    }

    let error = props.error.clone().map(|message| {
        html! { <p class="error" role="alert" data-testid="error">{ message }</p> }
    });
    let pinned = (!props.pinned.is_empty()).then(|| {
        html! {
            <div class="notice" data-testid="pinned-references">
                <p>{ "This link names registry documents by the digest seen when it was made; the page fetches them again by that digest, so a registry that now serves other bytes is reported:" }</p>
                <ul>
                    { for props.pinned.iter().map(|p| html! {
                        <li><code>{ format!("{}@{}", p.reference, p.digest) }</code></li>
                    }) }
                </ul>
            </div>
        }
    });

    let body = match &*props.share {
        Share::Nothing => html! {},
        Share::Link {
            url,
            length,
            left_out,
            in_address_bar,
        } => {
            let onclick = {
                let url = url.clone();
                let copied = copied.clone();
                Callback::from(move |_: MouseEvent| copy(url.to_string(), copied.clone()))
            };
            let warning = (*length != LinkLength::Fine).then(|| {
                html! { <p class="warning" data-testid="permalink-warning">{ format!("Note: {length}.") }</p> }
            });
            html! {
                <>
                    <div class="share-line">
                        <label for="permalink" class="label">{ "Link to this analysis" }</label>
                        <input id="permalink" type="text" readonly=true data-testid="permalink"
                            value={url.to_string()} spellcheck="false" />
                        <button type="button" data-testid="copy-link" {onclick}>
                            { match *copied {
                                Copied::No => "Copy link",
                                Copied::Yes => "Copied",
                                Copied::Refused => "Copy failed: select the link and copy it",
                            } }
                        </button>
                    </div>
                    <p class="muted">
                        <span data-testid="permalink-length" data-chars={url.len().to_string()}>
                            { format!("{} characters. ", url.len()) }
                        </span>
                        { "The documents travel inside the link itself (compressed, after '#', which browsers never send to a server); \
                           whoever you send it to can read them. No credentials are ever put in a link." }
                    </p>
                    { for warning }
                    if !left_out.is_empty() {
                        <p class="notice" data-testid="permalink-left-out">
                            { format!("Left out of the link: {}.", left_out.join(", ")) }
                        </p>
                    }
                    if !in_address_bar {
                        <p class="warning">{ "Your browser did not accept this link in its address bar: copy it from here." }</p>
                    }
                </>
            }
        }
        Share::Refused {
            reason,
            can_leave_out,
        } => {
            let onclick = {
                let on_leave_out = props.on_leave_out.clone();
                Callback::from(move |_: MouseEvent| on_leave_out.emit(()))
            };
            html! {
                <>
                    <p class="warning" data-testid="permalink-refused">
                        { format!("This analysis cannot travel in a link: {reason}. The address bar does not carry it.") }
                    </p>
                    if *can_leave_out {
                        <button type="button" class="secondary" data-testid="permalink-leave-out" {onclick}>
                            { "Make a link without the largest documents" }
                        </button>
                    }
                </>
            }
        }
    };

    html! {
        <section class="share-bar" aria-label="Share">
            { for error }
            { for pinned }
            { body }
        </section>
    }
}

/// Copies `text` to the clipboard and says whether the browser allowed it.
fn copy(text: String, copied: UseStateHandle<Copied>) {
    let Some(window) = web_sys::window() else {
        copied.set(Copied::Refused);
        return;
    };
    let promise = window.navigator().clipboard().write_text(&text);
    wasm_bindgen_futures::spawn_local(async move {
        copied.set(match JsFuture::from(promise).await {
            Ok(_) => Copied::Yes,
            Err(_) => Copied::Refused,
        });
    });
}
