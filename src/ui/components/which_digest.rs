//! "Which digest is this?": the user pastes a digest (or a 12-hex short ID) and the page names it
//! in the loaded family, or says what it might be. The answering is [`Family::which`], in the core.

use super::digest_value::DigestValue;
use crate::core::graph::{Family, NodeKey};
use crate::ui::state::DocumentList;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct WhichDigestProps {
    pub family: std::rc::Rc<Family>,
    /// The documents the family was built from, in the same order.
    pub documents: DocumentList,
    /// A match was clicked: select its node on the map.
    pub on_select: Callback<NodeKey>,
}

#[function_component(WhichDigest)]
pub fn which_digest(props: &WhichDigestProps) -> Html {
    let text = use_state(String::new);
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                text.set(input.value());
            }
        })
    };
    let answer = if text.trim().is_empty() {
        html! {}
    } else {
        let names = props.documents.names();
        let members = props.documents.members(&names);
        match props.family.which(&members, &text) {
            Err(e) => html! { <p class="warning">{ e.to_string() }</p> },
            Ok(answer) if answer.matches.is_empty() => html! {
                <>
                    <p data-testid="which-none"><strong>{ "None of the digests on the map." }</strong></p>
                    <ul class="which-hints">
                        { for answer.hints.iter().map(|h| html! { <li>{ h.clone() }</li> }) }
                    </ul>
                </>
            },
            Ok(answer) => {
                let lead = if answer.is_ambiguous() {
                    "This prefix starts several digests:"
                } else {
                    "It is"
                };
                html! {
                    <>
                        <p>{ lead }</p>
                        <ul class="which-matches">
                            { for answer.matches.iter().map(|m| {
                                let node = props.family.node(m.node);
                                let key = node.map(|n| n.key.clone());
                                let kind = node.map_or("", |n| n.kind.slug());
                                let onclick = {
                                    let on_select = props.on_select.clone();
                                    Callback::from(move |_: MouseEvent| {
                                        if let Some(key) = key.clone() {
                                            on_select.emit(key);
                                        }
                                    })
                                };
                                html! {
                                    <li data-testid="which-match" data-kind={kind} data-digest={m.digest.to_string()}>
                                        <button type="button" class="link" {onclick}
                                            title="Show it on the map">{ m.what.clone() }</button>
                                        <DigestValue digest={m.digest.clone()} testid="which-digest" />
                                    </li>
                                }
                            }) }
                        </ul>
                    </>
                }
            }
        }
    };
    html! {
        <div class="which">
            <label for="which" class="label">{ "Which digest is this?" }</label>
            <input id="which" type="text" data-testid="which" spellcheck="false" autocomplete="off"
                placeholder="sha256:… or the 12 characters docker images shows as IMAGE ID"
                value={(*text).clone()} {oninput} />
            <div data-testid="which-answer" class="which-answer" aria-live="polite">{ answer }</div>
        </div>
    }
}
