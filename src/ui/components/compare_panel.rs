//! "Why do these digests differ?": two documents side by side and the reason their digests differ.
//!
//! Each side takes pasted text, a file of its own, or any document already loaded on the page. A
//! side's pasted text and file are its own and never join the documents above, so comparing does
//! not disturb what the user loaded. The comparison itself is `core::diagnose::compare`, run in the
//! analysis worker (`use_comparison`); this component only gathers the two inputs and hands the
//! answer to `ComparisonView`. Two image manifests also get their layers side by side
//! (`LayerPairs`), with each config found among the loaded documents.

use super::comparison_view::ComparisonView;
use super::digest_value::DigestValue;
use super::human_size;
use super::layer_comparison::LayerComparison;
use super::layer_pairs::LayerPairs;
use crate::core::diagnose::Side;
use crate::core::image_pair::config_digest;
use crate::core::layer::compression::looks_like_layer;
use crate::registry::Keyring;
use crate::ui::comparison_worker::use_comparison;
use crate::ui::files;
use crate::ui::state::{Choice, DocumentList, Handle, LoadedDocument, Source};
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ComparePanelProps {
    pub a: Choice,
    pub b: Choice,
    pub on_choose: Callback<(Side, Choice)>,
    pub on_swap: Callback<()>,
    /// How the page's walks reached each repository, for a layer row's "Why?" downloads.
    pub keyring: Keyring,
}

/// The sides' choices live in the workspace's view, so a link carries them.
#[function_component(ComparePanel)]
pub fn compare_panel(props: &ComparePanelProps) -> Html {
    let documents = use_context::<DocumentList>().unwrap_or_default();
    let a = props.a.resolve(&documents).map(Handle);
    let b = props.b.resolve(&documents).map(Handle);
    let comparison = use_comparison(a.clone(), b.clone());
    let on_choose = |side: Side| props.on_choose.reform(move |choice: Choice| (side, choice));
    let swap = props.on_swap.reform(|_: MouseEvent| ());

    html! {
        <section class="compare" data-testid="compare" aria-labelledby="compare-heading">
            <h2 id="compare-heading">{ "Why do these digests differ? Compare two documents" }</h2>
            <p class="muted">
                { "Put two documents side by side: paste them, open files, or pick documents loaded above. \
                   The page names the reason their digests differ, most specific first, with the evidence. \
                   What you paste or open here stays in this section." }
            </p>
            <div class="compare-sides">
                <CompareSide side={Side::A} choice={props.a.clone()} doc={a.clone()}
                    documents={documents.clone()} on_choose={on_choose(Side::A)} />
                <CompareSide side={Side::B} choice={props.b.clone()} doc={b.clone()}
                    documents={documents.clone()} on_choose={on_choose(Side::B)} />
            </div>
            <div class="toolbar">
                <button type="button" class="secondary" data-testid="swap" onclick={swap}>{ "Swap A and B" }</button>
            </div>
            { match (a, b) {
                (Some(a), Some(b)) if is_layer(&a) && is_layer(&b) => html! { <LayerComparison {a} {b} /> },
                (Some(a), Some(b)) => html! {
                    <>
                        <ComparisonView state={comparison} a={a.clone()} b={b.clone()} />
                        <LayerPairs config_a={config_of(&a, &documents)} config_b={config_of(&b, &documents)}
                            {a} {b} keyring={props.keyring.clone()} />
                    </>
                },
                _ => html! {
                    <p class="hint" data-testid="compare-hint">
                        { "Give both A and B a document to see why their digests differ." }
                    </p>
                },
            } }
        </section>
    }
}

/// The config an image manifest names, when it is loaded on the page.
fn config_of(manifest: &Handle, documents: &DocumentList) -> Option<Handle> {
    let digest = config_digest(manifest.0.analysis())?;
    documents
        .0
        .iter()
        .find(|d| d.analysis().digest() == digest)
        .cloned()
        .map(Handle)
}

/// Two layer blobs get a file-level answer instead of the document comparison.
fn is_layer(doc: &Handle) -> bool {
    looks_like_layer(doc.0.bytes().get(..512).unwrap_or(doc.0.bytes()))
}

#[derive(Properties, PartialEq)]
struct CompareSideProps {
    side: Side,
    choice: Choice,
    /// The document the choice resolves to.
    doc: Option<Handle>,
    documents: DocumentList,
    on_choose: Callback<Choice>,
}

/// One side's inputs: a list of the loaded documents, a paste box and a file button.
#[function_component(CompareSide)]
fn compare_side(props: &CompareSideProps) -> Html {
    let textarea = use_node_ref();
    let select = use_node_ref();
    let error = use_state(|| None::<String>);
    let side = props.side.to_string().to_ascii_lowercase();
    let testid = |name: &str| format!("{name}-{side}");
    let id = |name: &str| format!("compare-{name}-{side}");

    use_shown_choice(&props.choice, &select, &textarea);
    let oninput = on_paste(&props.on_choose, &error);
    let onpick = {
        let on_choose = props.on_choose.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                on_choose.emit(select.value().parse().map_or(Choice::Empty, Choice::Loaded));
            }
        })
    };
    let onfile = on_file(&props.on_choose, &error);
    let onclear = {
        let on_choose = props.on_choose.clone();
        let error = error.clone();
        Callback::from(move |_: MouseEvent| {
            error.set(None);
            on_choose.emit(Choice::Empty);
        })
    };

    html! {
        <div class="compare-side" data-testid={testid("compare")} role="group" aria-labelledby={id("heading")}>
            <h3 id={id("heading")}>{ props.side.to_string() }</h3>
            <label for={id("pick")} class="label">{ format!("A document loaded above as {}", props.side) }</label>
            <select id={id("pick")} ref={select} data-testid={testid("pick")} onchange={onpick}>
                <option value="">{ "— none: paste or open a file below —" }</option>
                { for props.documents.0.iter().map(|doc| html! {
                    <option key={doc.id} value={doc.id.to_string()}>
                        { format!("{} — {} ({})", doc.source.title(), doc.analysis().digest().short(), doc.analysis().kind.name()) }
                    </option>
                }) }
            </select>
            <label for={id("paste")} class="label">{ format!("or paste document {}", props.side) }</label>
            <textarea id={id("paste")} ref={textarea} data-testid={testid("paste")} spellcheck="false"
                autocomplete="off" {oninput} />
            <div class="input-row">
                <label class="file-button">
                    { format!("Open a file as {}…", props.side) }
                    <input type="file" data-testid={testid("file")} onchange={onfile} />
                </label>
                <button type="button" class="secondary" data-testid={testid("clear")} onclick={onclear}>
                    { format!("Clear {}", props.side) }
                </button>
            </div>
            if let Some(message) = (*error).clone() {
                <p class="error" role="alert">{ message }</p>
            }
            { side_summary(props) }
        </div>
    }
}

/// The list and the paste box show what the side holds, whatever changed it (a pick, a paste, a
/// file, a swap): the list names the picked document, the box holds pasted text only.
#[hook]
fn use_shown_choice(choice: &Choice, select: &NodeRef, textarea: &NodeRef) {
    {
        let select = select.clone();
        let wanted = match choice {
            Choice::Loaded(id) => id.to_string(),
            Choice::Empty | Choice::Own(_) | Choice::Wanted(_) => String::new(),
        };
        use_effect(move || {
            if let Some(select) = select.cast::<HtmlSelectElement>() {
                select.set_value(&wanted);
            }
        });
    }
    let textarea = textarea.clone();
    use_effect_with(choice.clone(), move |choice| {
        let text = match choice {
            Choice::Own(doc) if doc.source == Source::Pasted => {
                String::from_utf8_lossy(doc.bytes()).into_owned()
            }
            Choice::Own(_) | Choice::Loaded(_) | Choice::Wanted(_) | Choice::Empty => String::new(),
        };
        if let Some(area) = textarea.cast::<HtmlTextAreaElement>() {
            if area.value() != text {
                area.set_value(&text);
            }
        }
    });
}

/// Text typed or pasted into the side's box becomes the side's own document (none when emptied).
fn on_paste(on_choose: &Callback<Choice>, error: &UseStateHandle<Option<String>>) -> Callback<InputEvent> {
    let on_choose = on_choose.clone();
    let error = error.clone();
    Callback::from(move |e: InputEvent| {
        if let Some(area) = e.target_dyn_into::<HtmlTextAreaElement>() {
            error.set(None);
            let text = area.value();
            on_choose.emit(if text.is_empty() {
                Choice::Empty
            } else {
                Choice::Own(LoadedDocument::own(Source::Pasted, text.into_bytes()))
            });
        }
    })
}

/// A file opened for the side is read as bytes and becomes the side's own document.
fn on_file(on_choose: &Callback<Choice>, error: &UseStateHandle<Option<String>>) -> Callback<Event> {
    let on_choose = on_choose.clone();
    let error = error.clone();
    Callback::from(move |e: Event| {
        let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
            return;
        };
        let Some(file) = files::list(input.files()).into_iter().next() else {
            return;
        };
        // Let the same file be chosen again later.
        input.set_value("");
        let on_choose = on_choose.clone();
        let error = error.clone();
        spawn_local(async move {
            match files::read_bytes(&file).await {
                Ok(bytes) => {
                    error.set(None);
                    on_choose.emit(Choice::Own(LoadedDocument::own(
                        Source::File { name: file.name() },
                        bytes,
                    )));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    })
}

/// What the side holds: its name, kind, size and digest.
fn side_summary(props: &CompareSideProps) -> Html {
    let side = props.side.to_string().to_ascii_lowercase();
    match (&props.doc, &props.choice) {
        (Some(Handle(doc)), _) => html! {
            <div class="side-summary" data-testid={format!("side-{side}")}>
                <p>
                    <strong data-testid={format!("title-{side}")}>{ doc.source.title() }</strong>
                    { format!(": {}, {}", doc.analysis().kind.name(), human_size(doc.analysis().size as u64)) }
                </p>
                <DigestValue digest={doc.analysis().digest().clone()} testid={format!("digest-{side}")} />
                if doc.analysis().digest() != &doc.analysis().bytes_digest {
                    <p class="muted">{ "That is the digest of the signed payload; the sha256 of the bytes as given, signatures included, is:" }</p>
                    <DigestValue digest={doc.analysis().bytes_digest.clone()} testid={format!("bytes-digest-{side}")} />
                }
            </div>
        },
        (None, Choice::Loaded(_)) => html! {
            <p class="notice">{ format!("The document picked as {} was removed from the page.", props.side) }</p>
        },
        (None, Choice::Wanted(digest)) => html! {
            <p class="notice" data-testid={format!("wanted-{side}")}>
                { "The link compares the document " }<code>{ digest.to_string() }</code>
                { format!(" as {}; it is not loaded. A document the link fetches from a registry appears here when it \
                   arrives; otherwise load it (paste, file) to compare it.", props.side) }
            </p>
        },
        (None, _) => html! {},
    }
}
