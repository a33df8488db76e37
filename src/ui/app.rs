//! The root component: wires the input panel to the workspace reducer and lists the documents.

mod handlers;

use super::components::compare_images::CompareImages;
use super::components::compare_panel::ComparePanel;
use super::components::document_card::DocumentCard;
use super::components::examples_bar::ExamplesBar;
use super::components::explainer::Explainer;
use super::components::family_map::FamilyMap;
use super::components::fetch_panel::{FetchPanel, FetchRequest};
use super::components::folded_section::FoldedSection;
use super::components::input_area::InputArea;
use super::components::input_panel::InputPanel;
use super::components::layer_panel::layer_panels;
use super::components::share_bar::ShareBar;
use super::connection::ConnectionProvider;
use super::permalink_sync::use_permalink;
use super::reveal::use_reveal;
use super::state::{DocumentList, LoadedDocument, Workspace};
use crate::core::digest::Digest;
use crate::core::document::Body;
use crate::core::graph::NodeKey;
use crate::registry::Keyring;
use handlers::{use_handlers, Handlers, Page};
use std::collections::HashSet;
use std::rc::Rc;
use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    let workspace = use_reducer(Workspace::default);
    let show_sha512 = use_state(|| false);
    let error = use_state(|| None::<String>);
    let permalink = use_permalink(&workspace);
    // How each fetched repository was reached, for its layer downloads (memory only).
    let keyring = use_state(Keyring::default);
    let reveal = use_reveal(workspace.documents().map(|d| d.id).collect());
    let request = use_state(|| None::<FetchRequest>);
    let cleared = use_state(|| 0u32);
    let Handlers {
        on_paste,
        on_files,
        on_fetched,
        on_referrers,
        on_request,
        on_clear,
        on_error,
        on_remove,
        on_example,
        on_select,
        on_choose,
        on_expect,
        on_swap,
        on_compared_images,
    } = use_handlers(&Page {
        workspace: workspace.clone(),
        reveal: reveal.clone(),
        keyring: keyring.clone(),
        error: error.clone(),
        cleared: cleared.clone(),
        request: request.clone(),
    });
    let loaded: Rc<HashSet<Digest>> = Rc::new(
        workspace
            .documents()
            .map(|d| d.analysis().digest().clone())
            .collect(),
    );
    let empty = workspace.documents().next().is_none();
    let count = workspace.documents().count();
    let layered = workspace
        .documents()
        .filter(|d| matches!(&d.analysis().body, Body::Manifest { layers, .. } if !layers.is_empty()))
        .count();
    // A paste into the box and a submitted fetch ask for the answer to be brought into view.
    let on_main_input = {
        let reveal = reveal.clone();
        Callback::from(move |e: InputEvent| reveal.request_on_paste(&e))
    };
    let on_main_submit = {
        let reveal = reveal.clone();
        Callback::from(move |_: SubmitEvent| reveal.request())
    };
    let document_list = workspace.document_list();

    html! {
        <>
            { masthead() }
            <main oninput={on_main_input} onsubmit={on_main_submit}>
            <ConnectionProvider>
            <ContextProvider<DocumentList> context={document_list}>
                <Explainer />
                <ExamplesBar on_choose={on_example} />
                <InputArea documents={count} fold={reveal.revealed} on_clear={on_clear.clone()}>
                <InputPanel {on_paste} {on_files} {on_clear} {on_error} has_paste={workspace.pasted.is_some()}
                    restore={permalink.restore.clone()} />
                <FetchPanel {on_fetched} {on_referrers} request={(*request).clone()} refetch={permalink.refetch.clone()}
                    keyring={(*keyring).clone()} cleared={*cleared} />
                </InputArea>
                if let Some(message) = (*error).clone() {
                    <p class="error" role="alert" data-testid="error">{ message }</p>
                }
                <ShareBar share={permalink.share.clone()} error={permalink.error.clone()}
                    pinned={permalink.pinned.clone()} on_leave_out={permalink.leave_out_large.clone()} />
                if !empty {
                    { sha512_toggle(&show_sha512) }
                }
                { notices(&workspace) }
                <div class={classes!("results", (count > 1).then_some("two-columns"))}>
                if !empty {
                    <FamilyMap documents={workspace.document_list()} selected={workspace.view.selected.clone()}
                        {on_select} />
                }
                <section class="documents" aria-label="Documents">
                    { for workspace.documents().map(|doc| html! {
                        <DocumentCard key={doc.id} doc={doc.clone()} show_sha512={*show_sha512} single={count == 1}
                            selected={workspace.view.selected.as_ref().is_some_and(|key| shows(key, doc))}
                            on_remove={on_remove.clone()} referrers={workspace.referrers_of(doc)}
                            loaded={loaded.clone()} on_request={on_request.clone()}
                            expected={workspace.view.expected.get(&doc.id).cloned().map(AttrValue::from).unwrap_or_default()}
                            on_expect={on_expect.clone()} />
                    }) }
                </section>
                </div>
                <FoldedSection folded={layered > 1 && reveal.revealed > 0}
                    label={format!("Layers of {layered} images: check each blob against its digest and diff_id")}>
                    { layer_panels(workspace.documents(), &keyring) }
                </FoldedSection>
                <FoldedSection folded={!empty && reveal.revealed > 0}
                    label="Compare two images by reference: fetch both and say why their digests differ">
                    <CompareImages opened={permalink.images.clone()} on_compared={on_compared_images.clone()} />
                </FoldedSection>
                <ComparePanel a={workspace.view.compare_a.clone()} b={workspace.view.compare_b.clone()}
                    {on_choose} {on_swap} keyring={(*keyring).clone()} />
            </ContextProvider<DocumentList>>
            </ConnectionProvider>
            </main>
            { footer() }
        </>
    }
}

/// The button that shows every document's sha512 beside its sha256, on each card's summary line
/// (open or closed); only offered once there is a document to show it for.
fn sha512_toggle(show_sha512: &UseStateHandle<bool>) -> Html {
    let toggle = {
        let show_sha512 = show_sha512.clone();
        Callback::from(move |_: MouseEvent| show_sha512.set(!*show_sha512))
    };
    html! {
        <div class="toolbar">
            <button type="button" data-testid="sha512-toggle" aria-pressed={(**show_sha512).to_string()}
                onclick={toggle}>
                { if **show_sha512 { "Hide sha512" } else { "Show sha512 too" } }
            </button>
        </div>
    }
}

/// Files not added because their bytes are already loaded, and the hint on an empty page.
fn notices(workspace: &Workspace) -> Html {
    html! {
        <>
            if !workspace.skipped_duplicates.is_empty() {
                <ul class="notice" data-testid="duplicates">
                    { for workspace.skipped_duplicates.iter().map(|(name, digest)| html! {
                        <li>{ format!("{name} was not added again: the same bytes ({digest}) are already loaded.") }</li>
                    }) }
                </ul>
            }
            if workspace.documents().next().is_none() {
                <p class="hint" data-testid="hint">
                    { "Paste a manifest, index or config above, or drop files anywhere on this box, to see their digests." }
                </p>
            }
        </>
    }
}

fn masthead() -> Html {
    html! {
        <header class="masthead">
            <h1>{ "Digest Lens" }</h1>
            <p class="tagline">
                { "Paste or drop an OCI / Docker manifest, index or config and see the digest of its exact bytes, \
                   what it is, and where you meet each digest. Nothing leaves your browser." }
            </p>
        </header>
    }
}

fn footer() -> Html {
    html! {
        <footer>
            { format!("Digest Lens {} — every digest is computed in your browser from the bytes you give it.",
                env!("CARGO_PKG_VERSION")) }
        </footer>
    }
}

/// Whether the map box `key` is this document (the same digest: the same bytes).
fn shows(key: &NodeKey, doc: &LoadedDocument) -> bool {
    matches!(key, NodeKey::Digest(d) if d == doc.analysis().digest() || d == &doc.analysis().bytes_digest)
}
