//! "Try an example": one click loads a set of real documents into the analysis.

use crate::examples::{Example, EXAMPLES};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExamplesBarProps {
    /// Called with the chosen example's id.
    pub on_choose: Callback<&'static Example>,
}

#[function_component(ExamplesBar)]
pub fn examples_bar(props: &ExamplesBarProps) -> Html {
    html! {
        <nav class="examples" aria-label="Examples">
            <span class="label">{ "Try an example:" }</span>
            { for EXAMPLES.iter().map(|example| {
                let on_choose = props.on_choose.clone();
                let onclick = Callback::from(move |_: MouseEvent| on_choose.emit(example));
                html! {
                    <button type="button" class="secondary" data-testid="example" data-example={example.id} {onclick}>
                        { example.title }
                    </button>
                }
            }) }
        </nav>
    }
}
