//! The paste box, the file picker and the drop zone.
//!
//! Pasted text is passed on as the textarea's value, whose UTF-8 bytes are hashed. Browsers turn a
//! textarea's line breaks into LF, so CRLF bytes only survive through a file: the panel says so.
//! Files are read as raw bytes (`Blob.arrayBuffer()`), never as text.
//!
//! A paste over [`LARGE_PASTE`] bytes is taken as a file: its text (UTF-8, line breaks as the
//! clipboard holds them) goes to the analysis and never into the box, because laying out tens of
//! megabytes of text keeps the browser busy for most of a minute.

use crate::ui::files;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{ClipboardEvent, DragEvent, File, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Pastes longer than this (in UTF-8 bytes) are taken as a file rather than put in the box.
pub const LARGE_PASTE: usize = 1024 * 1024;

/// The name a large paste is listed under.
pub const LARGE_PASTE_NAME: &str = "Pasted text (large, taken as a file)";

/// A file's name and exact bytes.
pub type NamedBytes = (String, Vec<u8>);

#[derive(Properties, PartialEq)]
pub struct InputPanelProps {
    pub on_paste: Callback<String>,
    pub on_files: Callback<Vec<NamedBytes>>,
    pub on_clear: Callback<()>,
    /// A message for the user, e.g. a file that could not be read.
    pub on_error: Callback<String>,
    /// Whether the workspace holds a pasted document; when it stops holding one (cleared, an
    /// example loaded), the box is emptied to match.
    pub has_paste: bool,
    /// Text to put into the paste box from outside, e.g. when a permalink is opened.
    #[prop_or_default]
    pub restore: Option<RestoreText>,
}

/// Text for the paste box. `serial` changes with every restore, so restoring the same text again
/// still replaces what the user typed since.
#[derive(Clone, PartialEq)]
pub struct RestoreText {
    pub serial: u32,
    pub text: Rc<str>,
}

/// Reads every file as bytes, then emits them together (in the order given).
fn read_files(files: Vec<File>, on_files: Callback<Vec<NamedBytes>>, on_error: Callback<String>) {
    if files.is_empty() {
        return;
    }
    spawn_local(async move {
        let mut read = Vec::with_capacity(files.len());
        for file in files {
            // A file that cannot be read is reported; the others go on.
            match files::read_bytes(&file).await {
                Ok(bytes) => read.push((file.name(), bytes)),
                Err(e) => on_error.emit(e.to_string()),
            }
        }
        on_files.emit(read);
    });
}

#[function_component(InputPanel)]
pub fn input_panel(props: &InputPanelProps) -> Html {
    let textarea = use_node_ref();
    let dragging = use_state(|| false);
    {
        let textarea = textarea.clone();
        use_effect_with(props.restore.clone(), move |restore| {
            if let (Some(restore), Some(area)) = (restore, textarea.cast::<HtmlTextAreaElement>()) {
                area.set_value(&restore.text);
            }
        });
    }

    let oninput = {
        let on_paste = props.on_paste.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e.target_dyn_into::<HtmlTextAreaElement>() {
                on_paste.emit(area.value());
            }
        })
    };
    let onpaste = {
        let on_files = props.on_files.clone();
        Callback::from(move |e: Event| {
            let Some(text) = e
                .dyn_ref::<ClipboardEvent>()
                .and_then(ClipboardEvent::clipboard_data)
                .and_then(|data| data.get_data("text/plain").ok())
            else {
                return;
            };
            if text.len() > LARGE_PASTE {
                e.prevent_default();
                on_files.emit(vec![(LARGE_PASTE_NAME.to_owned(), text.into_bytes())]);
            }
        })
    };
    let onchange = {
        let on_files = props.on_files.clone();
        let on_error = props.on_error.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                read_files(files::list(input.files()), on_files.clone(), on_error.clone());
                // Let the same file be chosen again later.
                input.set_value("");
            }
        })
    };
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let ondrop = {
        let on_files = props.on_files.clone();
        let on_error = props.on_error.clone();
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            read_files(
                files::list(e.data_transfer().and_then(|d| d.files())),
                on_files.clone(),
                on_error.clone(),
            );
        })
    };
    {
        let textarea = textarea.clone();
        use_effect_with(props.has_paste, move |has_paste| {
            if let (false, Some(area)) = (*has_paste, textarea.cast::<HtmlTextAreaElement>()) {
                area.set_value("");
            }
        });
    }
    let onclear = {
        let on_clear = props.on_clear.clone();
        Callback::from(move |_: MouseEvent| on_clear.emit(()))
    };

    html! {
        <section class={classes!("input-panel", dragging.then_some("dragging"))} data-testid="dropzone"
            {ondragover} {ondragleave} {ondrop} aria-label="Input">
            <label for="paste" class="label">{ "Paste a manifest, index or config" }</label>
            <textarea id="paste" ref={textarea} data-testid="paste" spellcheck="false" autocomplete="off"
                placeholder="{ \"schemaVersion\": 2, \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\", … }"
                {oninput} {onpaste} />
            <div class="input-row">
                <label class="file-button">
                    { "Open files…" }
                    <input type="file" multiple=true data-testid="file" {onchange} />
                </label>
                <span class="muted">{ "or drop files here. Files are hashed byte for byte; pasted text is hashed as UTF-8 with LF line breaks (browsers normalise them), so use a file for CRLF." }</span>
                <button type="button" class="secondary" onclick={onclear} data-testid="clear">{ "Clear all" }</button>
            </div>
        </section>
    }
}
