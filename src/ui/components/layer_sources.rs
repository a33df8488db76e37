//! Where the layer panel reads blobs from: files chosen or dropped, or the registry the image
//! came from; and the cap on decompressed bytes.

use super::typed_text;
use crate::ui::files;
use web_sys::{DragEvent, File, HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LayerSourcesProps {
    /// The image reference in the registry box.
    pub reference: AttrValue,
    pub on_reference: Callback<String>,
    pub on_files: Callback<Vec<File>>,
    pub on_verify: Callback<()>,
    /// "Estimate sizes": a few bytes per layer instead of the whole blobs.
    pub on_estimate: Callback<()>,
    /// The registry is being asked for access.
    pub authorizing: bool,
    /// Some blob is being read (a "Cancel all" button shows).
    pub active: bool,
    pub on_cancel_all: Callback<()>,
    pub cap_mib: u64,
    pub on_cap: Callback<u64>,
}

#[function_component(LayerSources)]
pub fn layer_sources(props: &LayerSourcesProps) -> Html {
    let dragging = use_state(|| false);
    let onchange = {
        let on_files = props.on_files.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                on_files.emit(files::list(input.files()));
                input.set_value("");
            }
        })
    };
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            e.stop_propagation();
            dragging.set(true);
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let ondrop = {
        let (dragging, on_files) = (dragging.clone(), props.on_files.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            e.stop_propagation();
            dragging.set(false);
            on_files.emit(files::list(e.data_transfer().and_then(|d| d.files())));
        })
    };
    let on_reference = props.on_reference.reform(|e: InputEvent| typed_text(&e));
    let on_cap = {
        let on_cap = props.on_cap.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                if let Ok(value) = input.value().trim().parse::<u64>() {
                    on_cap.emit(value);
                }
            }
        })
    };
    let verify = props.on_verify.reform(|_: MouseEvent| ());
    // Enter in the registry box downloads, as the button beside it does (the box is in no form).
    let on_key = {
        let (on_verify, authorizing) = (props.on_verify.clone(), props.authorizing);
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && !e.is_composing() && !authorizing {
                e.prevent_default();
                on_verify.emit(());
            }
        })
    };
    let estimate = props.on_estimate.reform(|_: MouseEvent| ());
    let cancel_all = props.on_cancel_all.reform(|_: MouseEvent| ());
    let cap = props.cap_mib.max(1) << 20;
    html! {
        <div class={classes!("blob-source", dragging.then_some("dragging"))} {ondragover} {ondragleave} {ondrop}>
            <div class="input-row">
                <label class="file-button">
                    { "Verify blob files…" }
                    <input type="file" multiple=true data-testid="blob-files" {onchange} />
                </label>
                <span class="muted">
                    { "or drop them here: an OCI layout's blobs/sha256/… files, or docker save's layer files. \
                       Files named by a layer's digest are matched by name, others by their content." }
                </span>
            </div>
            <div class="input-row">
                <label for="blob-registry" class="label">{ "Or download from" }</label>
                <input id="blob-registry" type="text" data-testid="blob-registry" spellcheck="false"
                    placeholder="registry.example.com/team/app:1.0" value={props.reference.clone()}
                    oninput={on_reference} onkeydown={on_key} />
                <button type="button" data-testid="verify-layers" onclick={verify} disabled={props.authorizing}>
                    { "Verify layers" }
                </button>
                <button type="button" class="secondary" data-testid="estimate-sizes" onclick={estimate}
                    title="Asks for the last 8 bytes of each gzip layer (or the first 18 of a zstd one): their uncompressed size, before downloading">
                    { "Estimate sizes" }
                </button>
                if props.active {
                    <button type="button" class="secondary" data-testid="cancel-all" onclick={cancel_all}>
                        { "Cancel all" }
                    </button>
                }
            </div>
            <div class="input-row">
                <label for="uncompressed-cap" class="label">{ "Stop decompressing a layer after" }</label>
                <input id="uncompressed-cap" type="number" min="1" data-testid="uncompressed-cap"
                    value={props.cap_mib.to_string()} oninput={on_cap} />
                <span class="muted">
                    { format!("MiB of uncompressed content (= {:.1} GiB): a guard against decompression bombs; \
                        a bigger layer needs a bigger cap.", cap as f64 / (1u64 << 30) as f64) }
                </span>
            </div>
        </div>
    }
}
