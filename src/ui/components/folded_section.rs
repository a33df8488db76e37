//! A part of the page shown as one line until asked for, so a loaded analysis fits in about two
//! screens: "Layers of 3 images · Show".
//!
//! Folded, the content stays mounted (its state and running work live on) and in the tab order;
//! focus entering it unfolds it, as in [`super::input_area`].

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FoldedSectionProps {
    /// What the line says is inside.
    pub label: AttrValue,
    /// Whether to start folded; the section unfolds on request and stays so.
    pub folded: bool,
    pub children: Html,
}

#[function_component(FoldedSection)]
pub fn folded_section(props: &FoldedSectionProps) -> Html {
    let unfolded = use_state(|| false);
    let folded = props.folded && !*unfolded;
    let unfold = {
        let unfolded = unfolded.clone();
        Callback::from(move |()| {
            if !*unfolded {
                unfolded.set(true);
            }
        })
    };
    html! {
        <div class={classes!("folded-section", folded.then_some("folded"))} data-fold=""
            onfocusin={unfold.reform(|_: FocusEvent| ())}>
            if folded {
                <p class="fold-summary">
                    <span>{ props.label.clone() }</span>
                    <button type="button" class="secondary" data-testid="unfold" aria-expanded="false"
                        onclick={unfold.reform(|_: MouseEvent| ())}>{ "Show" }</button>
                </p>
            }
            <div class="fold-body">{ props.children.clone() }</div>
        </div>
    }
}
