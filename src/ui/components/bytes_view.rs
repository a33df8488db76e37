//! Bytes the page wrote (a re-serialization), shown on request and copyable whole.

use super::digest_value::copy;
use yew::prelude::*;

/// The view shows at most this much text; the copy button copies all of it.
const SHOWN_LIMIT: usize = 64 * 1024;

#[derive(Properties, PartialEq)]
pub struct BytesViewProps {
    /// The bytes as text (what the page writes is always UTF-8).
    pub text: AttrValue,
    /// The `data-testid` of the text, so tests read the exact bytes.
    pub testid: AttrValue,
    /// What the summary line says, e.g. "Show these bytes".
    #[prop_or(AttrValue::Static("Show the bytes"))]
    pub summary: AttrValue,
}

#[function_component(BytesView)]
pub fn bytes_view(props: &BytesViewProps) -> Html {
    let onclick = {
        let text = props.text.clone();
        Callback::from(move |_: MouseEvent| copy(text.to_string()))
    };
    let shown = match props.text.char_indices().nth(SHOWN_LIMIT) {
        Some((cut, _)) => format!(
            "{}\n… {} more bytes not shown (Copy copies all of them)",
            props.text.get(..cut).unwrap_or_default(),
            props.text.len() - cut
        ),
        None => props.text.to_string(),
    };
    html! {
        <details class="bytes-view">
            <summary>{ props.summary.clone() }</summary>
            <button type="button" class="copy" {onclick}>{ "Copy these bytes" }</button>
            <pre data-testid={props.testid.clone()}>{ shown }</pre>
        </details>
    }
}
