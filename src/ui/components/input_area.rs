//! The inputs (paste box, files, fetch) fold into one line once a result is shown, so the page
//! is about the answer: "3 documents · Add more · Clear".
//!
//! Folded, the inputs stay mounted (their state and pending fetches live on) and stay in the tab
//! order: focus entering them — a keyboard user tabbing in, a script filling a field — unfolds
//! them, so they are never both focused and unseen.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct InputAreaProps {
    /// How many documents are loaded; with none the area is always open.
    pub documents: usize,
    /// Changes each time a result is brought into view; the area folds then.
    pub fold: u32,
    pub on_clear: Callback<()>,
    pub children: Html,
}

#[function_component(InputArea)]
pub fn input_area(props: &InputAreaProps) -> Html {
    let open = use_state(|| true);
    {
        let open = open.clone();
        use_effect_with(props.fold, move |fold| {
            if *fold > 0 {
                open.set(false);
            }
        });
    }
    let folded = !*open && props.documents > 0;
    let unfold = {
        let open = open.clone();
        Callback::from(move |()| {
            if !*open {
                open.set(true);
            }
        })
    };
    let add_more = {
        let unfold = unfold.clone();
        Callback::from(move |_: MouseEvent| {
            unfold.emit(());
            focus_paste_box();
        })
    };
    let clear = props.on_clear.reform(|_: MouseEvent| ());
    let count = match props.documents {
        1 => "1 document".to_owned(),
        n => format!("{n} documents"),
    };
    html! {
        <div class={classes!("input-area", folded.then_some("folded"))}
            onfocusin={unfold.reform(|_: FocusEvent| ())}>
            if folded {
                <p class="input-summary" data-testid="input-summary">
                    <span>{ count }</span>
                    <span aria-hidden="true">{ " · " }</span>
                    <button type="button" class="secondary" data-testid="add-more" onclick={add_more}>{ "Add more" }</button>
                    <span aria-hidden="true">{ " · " }</span>
                    // Folded, this is the Clear the page offers; the panel's own is out of sight.
                    <button type="button" class="secondary" data-testid="clear" onclick={clear}>{ "Clear" }</button>
                </p>
            }
            <div class="input-area-body">{ props.children.clone() }</div>
        </div>
    }
}

/// Puts the caret in the paste box once the area has unfolded (after this render).
fn focus_paste_box() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(Some(area)) = document.query_selector(r#"[data-testid="paste"]"#) {
        if let Some(area) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&area) {
            let _ = area.focus();
        }
    }
}
