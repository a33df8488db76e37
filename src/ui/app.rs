//! The root component: wires the input panel to the workspace reducer and lists the documents.

use super::components::compare_images::CompareImages;
use super::components::compare_panel::ComparePanel;
use super::components::document_card::DocumentCard;
use super::components::examples_bar::ExamplesBar;
use super::components::explainer::Explainer;
use super::components::family_map::FamilyMap;
use super::components::fetch_panel::{FetchPanel, FetchRequest, Wanted};
use super::components::folded_section::FoldedSection;
use super::components::input_area::InputArea;
use super::components::input_panel::InputPanel;
use super::components::layer_panel::layer_panels;
use super::components::share_bar::ShareBar;
use super::connection::ConnectionProvider;
use super::permalink_sync::use_permalink;
use super::reveal::use_reveal;
use super::state::{Action, Choice, DocumentList, LoadedDocument, NewDocument, Source, Workspace};
use crate::core::diagnose::Side;
use crate::core::digest::Digest;
use crate::core::distribution::referrers::Listing;
use crate::core::document::{Body, Document, Origin};
use crate::core::graph::NodeKey;
use crate::core::media_type::MediaType;
use crate::core::reference::Reference;
use crate::examples::Example;
use crate::registry::{Fetched, Keyring};
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

    let on_paste = {
        let workspace = workspace.dispatcher();
        Callback::from(move |text: String| workspace.dispatch(Action::Paste(text)))
    };
    let on_files = {
        let workspace = workspace.dispatcher();
        let reveal = reveal.clone();
        Callback::from(move |files: Vec<(String, Vec<u8>)>| {
            reveal.request();
            let documents = files
                .into_iter()
                .map(|(name, bytes)| NewDocument {
                    document: Document::new(bytes, Origin::File { name: name.clone() }),
                    source: Source::File { name },
                })
                .collect();
            workspace.dispatch(Action::Add(documents))
        })
    };
    let on_fetched = {
        let workspace = workspace.dispatcher();
        Callback::from(move |(reference, fetched): (Reference, Vec<Fetched>)| {
            let documents = fetched
                .into_iter()
                .map(|f| NewDocument {
                    source: Source::Fetched {
                        url: f.url,
                        reference: reference.clone(),
                        label: f.label,
                        verification: Box::new(f.verification),
                    },
                    document: f.document,
                })
                .collect();
            workspace.dispatch(Action::Add(documents))
        })
    };
    let on_referrers = {
        let workspace = workspace.dispatcher();
        Callback::from(move |listing: Listing| workspace.dispatch(Action::Referrers(listing)))
    };
    // Fetches asked for by the cards (open a referrer, look for referrers) go through the fetch
    // panel, so they use the settings and credentials typed there.
    let request = use_state(|| None::<FetchRequest>);
    let requests = use_mut_ref(|| 0u64);
    let on_request = {
        let request = request.clone();
        Callback::from(move |(reference, wanted): (Reference, Wanted)| {
            *requests.borrow_mut() += 1;
            let id = *requests.borrow();
            request.set(Some(FetchRequest {
                id,
                reference,
                wanted,
            }));
        })
    };
    let loaded: Rc<HashSet<Digest>> = Rc::new(
        workspace
            .documents()
            .map(|d| d.analysis().digest().clone())
            .collect(),
    );
    let cleared = use_state(|| 0u32);
    let on_clear = {
        let workspace = workspace.dispatcher();
        let error = error.clone();
        let keyring = keyring.clone();
        let cleared = cleared.clone();
        Callback::from(move |()| {
            cleared.set(*cleared + 1);
            error.set(None);
            keyring.forget();
            workspace.dispatch(Action::Clear)
        })
    };
    let on_error = {
        let error = error.clone();
        Callback::from(move |message: String| error.set(Some(message)))
    };
    let on_remove = {
        let workspace = workspace.dispatcher();
        Callback::from(move |id| workspace.dispatch(Action::Remove(id)))
    };
    let on_example = {
        let workspace = workspace.dispatcher();
        let reveal = reveal.clone();
        Callback::from(move |example: &'static Example| {
            match example.compare {
                Some(_) => reveal.request_target(r#"[data-testid="compare"]"#),
                None => reveal.request(),
            }
            let documents = example
                .files
                .iter()
                .map(|file| NewDocument {
                    source: Source::File {
                        name: file.name.to_owned(),
                    },
                    document: Document::new(
                        file.bytes,
                        Origin::Example {
                            name: file.name.to_owned(),
                            media_type: Some(MediaType::parse(file.media_type)),
                        },
                    ),
                })
                .collect();
            workspace.dispatch(Action::Clear);
            workspace.dispatch(Action::Add(documents));
            if let Some((a, b)) = example.compare {
                for (side, file) in [(Side::A, a), (Side::B, b)] {
                    if let Some(file) = example.files.get(file) {
                        let wanted = Choice::Wanted(Digest::sha256(file.bytes));
                        workspace.dispatch(Action::Choose(side, wanted));
                    }
                }
            }
        })
    };
    let on_select = {
        let workspace = workspace.dispatcher();
        Callback::from(move |key| workspace.dispatch(Action::Select(key)))
    };
    let on_choose = {
        let workspace = workspace.dispatcher();
        Callback::from(move |(side, choice)| workspace.dispatch(Action::Choose(side, choice)))
    };
    let on_expect = {
        let workspace = workspace.dispatcher();
        Callback::from(move |(id, typed)| workspace.dispatch(Action::Expect(id, typed)))
    };
    let on_swap = {
        let workspace = workspace.dispatcher();
        Callback::from(move |()| workspace.dispatch(Action::Swap))
    };
    let toggle_sha512 = {
        let show_sha512 = show_sha512.clone();
        Callback::from(move |_| show_sha512.set(!*show_sha512))
    };
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
            <header class="masthead">
                <h1>{ "Digest Lens" }</h1>
                <p class="tagline">
                    { "Paste or drop an OCI / Docker manifest, index or config and see the digest of its exact bytes, \
                       what it is, and where you meet each digest. Nothing leaves your browser." }
                </p>
            </header>
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
                <div class="toolbar">
                    <button type="button" data-testid="sha512-toggle" aria-pressed={(*show_sha512).to_string()}
                        onclick={toggle_sha512}>
                        { if *show_sha512 { "Hide sha512" } else { "Show sha512 too" } }
                    </button>
                </div>
                if !workspace.skipped_duplicates.is_empty() {
                    <ul class="notice" data-testid="duplicates">
                        { for workspace.skipped_duplicates.iter().map(|(name, digest)| html! {
                            <li>{ format!("{name} was not added again: the same bytes ({digest}) are already loaded.") }</li>
                        }) }
                    </ul>
                }
                if empty {
                    <p class="hint" data-testid="hint">
                        { "Paste a manifest, index or config above, or drop files anywhere on this box, to see their digests." }
                    </p>
                }
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
                <CompareImages />
                <ComparePanel a={workspace.view.compare_a.clone()} b={workspace.view.compare_b.clone()}
                    {on_choose} {on_swap} />
            </ContextProvider<DocumentList>>
            </ConnectionProvider>
            </main>
            <footer>
                { format!("Digest Lens {} — every digest is computed in your browser from the bytes you give it.",
                    env!("CARGO_PKG_VERSION")) }
            </footer>
        </>
    }
}

/// Whether the map box `key` is this document (the same digest: the same bytes).
fn shows(key: &NodeKey, doc: &LoadedDocument) -> bool {
    matches!(key, NodeKey::Digest(d) if d == doc.analysis().digest() || d == &doc.analysis().bytes_digest)
}
