//! Two images' layers in one table (`core::image_pair::layers`): per layer position each side's
//! blob digest, size and diff_id, and what the pair is to each other — shared, recompressed,
//! different, only on one side, or unknown for want of a config.
//!
//! A row whose blobs differ and whose two images came from registries offers "Why?": both blobs
//! are downloaded, listed and compared file by file in the analysis worker
//! (`use_layer_difference`), and the answer (compression only, another tar, other files) is
//! shown under the row. Access to each blob is asked for as the layer panels ask for it
//! (`registry::blob_access`, the walk's settings and token kept in the keyring).

use super::human_size;
use super::layer_comparison::details;
use super::layer_panel::registry_blob;
use crate::core::digest::Digest;
use crate::core::image_pair::layers::{layer_pairs, ImageLayers, LayerCell, LayerPair};
use crate::core::reference::Reference;
use crate::registry::{blob_access, cancellation, Failure, Keyring};
use crate::ui::comparison_worker::{use_layer_difference, Answered, LayerBlob};
use crate::ui::connection::use_connection;
use crate::ui::state::{Handle, LoadedDocument, Source};
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// Rows drawn at most: a crafted manifest may list 100,000 layers.
const SHOWN_ROWS: usize = 200;

#[derive(Properties, PartialEq)]
pub struct LayerPairsProps {
    /// The two image manifests.
    pub a: Handle,
    pub b: Handle,
    /// Their configs, when loaded.
    pub config_a: Option<Handle>,
    pub config_b: Option<Handle>,
    /// How each image's registry was reached, for the "Why?" downloads.
    pub keyring: Keyring,
}

/// A row's identity: its position and both blobs, so a row of another pair of images starts
/// afresh (without the answer to an earlier "Why?").
fn row_key(pair: &LayerPair) -> String {
    let digest = |cell: Option<&LayerCell>| cell.and_then(|c| text(c.digest.as_ref())).unwrap_or_default();
    format!(
        "{} {} {}",
        pair.index,
        digest(pair.a.as_ref()),
        digest(pair.b.as_ref())
    )
}

fn image<'a>(manifest: &'a Handle, config: Option<&'a Handle>) -> ImageLayers<'a> {
    ImageLayers {
        manifest: manifest.0.analysis(),
        config: config.map(|c| c.0.analysis()),
    }
}

/// The repository a fetched document came from; pasted and opened ones have none.
fn repository(doc: &LoadedDocument) -> Option<Reference> {
    match &doc.source {
        Source::Fetched { reference, .. } => Some(reference.clone()),
        Source::Pasted | Source::File { .. } => None,
    }
}

#[function_component(LayerPairs)]
pub fn layer_pairs_table(props: &LayerPairsProps) -> Html {
    let rows = use_memo(
        (
            props.a.clone(),
            props.b.clone(),
            props.config_a.clone(),
            props.config_b.clone(),
        ),
        |(a, b, config_a, config_b)| layer_pairs(image(a, config_a.as_ref()), image(b, config_b.as_ref())),
    );
    if rows.is_empty() {
        return Html::default();
    }
    let repositories = Rc::new((repository(&props.a.0), repository(&props.b.0)));
    html! {
        <div class="layer-pairs">
            <h3>{ "Layer by layer" }</h3>
            <p class="muted">
                { "Each layer position of A beside the same position of B: the same blob is shared; the same \
                   diff_id (from each image's config) under another blob digest means the same files, compressed \
                   again; other diff_ids mean other content." }
            </p>
            <table class="evidence" data-testid="layer-pairs">
                <thead>
                    <tr>
                        <th scope="col">{ "Layer" }</th>
                        <th scope="col">{ "A: blob, size, diff_id" }</th>
                        <th scope="col">{ "B: blob, size, diff_id" }</th>
                        <th scope="col">{ "Status" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for rows.iter().take(SHOWN_ROWS).map(|pair| html! {
                        <PairRow key={row_key(pair)} pair={pair.clone()} repositories={repositories.clone()}
                            keyring={props.keyring.clone()} />
                    }) }
                </tbody>
            </table>
            if rows.len() > SHOWN_ROWS {
                <p class="muted" data-testid="layer-pairs-more">
                    { format!("{} more layer positions are not drawn.", rows.len() - SHOWN_ROWS) }
                </p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct PairRowProps {
    pair: LayerPair,
    repositories: Rc<(Option<Reference>, Option<Reference>)>,
    keyring: Keyring,
}

/// Where a row's "Why?" stands before the worker has the question.
#[derive(Clone, PartialEq)]
enum Asking {
    No,
    ForAccess,
    Failed(String),
}

fn cell(cell: Option<&LayerCell>) -> Html {
    let Some(cell) = cell else {
        return html! { <td class="muted">{ "—" }</td> };
    };
    let digest = |d: Option<&Digest>| match d {
        Some(d) => html! { <code title={d.to_string()}>{ d.short().to_owned() }</code> },
        None => html! { <span class="muted">{ "none" }</span> },
    };
    html! {
        <td>
            <div>{ "blob " }{ digest(cell.digest.as_ref()) }</div>
            <div>{ cell.size.map(human_size).unwrap_or_else(|| "size not given".to_owned()) }</div>
            <div>{ "diff_id " }{ digest(cell.diff_id.digest()) }</div>
        </td>
    }
}

fn text(digest: Option<&Digest>) -> Option<String> {
    digest.map(ToString::to_string)
}

#[function_component(PairRow)]
fn pair_row(props: &PairRowProps) -> Html {
    let pair = &props.pair;
    let connection = use_connection();
    let asking = use_state(|| Asking::No);
    let question = use_state(|| None::<(LayerBlob, LayerBlob)>);
    let answer = use_layer_difference((*question).clone());
    let (a, b) = (pair.a.as_ref(), pair.b.as_ref());
    let blobs = match (
        &*props.repositories,
        a.and_then(|c| c.digest.clone()),
        b.and_then(|c| c.digest.clone()),
    ) {
        ((Some(ra), Some(rb)), Some(da), Some(db)) if pair.status.worth_asking_why() => {
            // Each blob with its descriptor's size: the worker checks the bytes against both.
            let (sa, sb) = (a.and_then(|c| c.size), b.and_then(|c| c.size));
            Some((ra.clone(), (da, sa), rb.clone(), (db, sb)))
        }
        _ => None,
    };
    let onwhy = blobs.clone().map(|(ra, da, rb, db)| {
        let (asking, question, keyring, connection) = (
            asking.clone(),
            question.clone(),
            props.keyring.clone(),
            connection.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let unfetched = match connection.connection.unfetched_settings() {
                Ok(settings) => settings,
                Err(e) => return asking.set(Asking::Failed(e.to_string())),
            };
            asking.set(Asking::ForAccess);
            let (asking, question, keyring) = (asking.clone(), question.clone(), keyring.clone());
            let (ra, da, rb, db) = (ra.clone(), da.clone(), rb.clone(), db.clone());
            spawn_local(async move {
                let (_held, cancel) = cancellation();
                let access = |reference: Reference, (digest, size): (Digest, Option<u64>)| {
                    let (keyring, unfetched, cancel) = (keyring.clone(), unfetched.clone(), cancel.clone());
                    async move {
                        match blob_access(&reference, &digest, &keyring, unfetched, cancel).await {
                            Ok(access) => Ok(LayerBlob::Registry {
                                blob: registry_blob(&reference, &digest, &access),
                                digest,
                                size,
                            }),
                            Err(Failure::Registry(e)) => Err(e.to_string()),
                            Err(Failure::Cancelled) => {
                                Err("Asking the registry for access was cancelled.".to_owned())
                            }
                        }
                    }
                };
                let both = futures::future::join(access(ra, da), access(rb, db)).await;
                match both {
                    (Ok(a), Ok(b)) => {
                        asking.set(Asking::No);
                        question.set(Some((a, b)));
                    }
                    (Err(e), _) | (_, Err(e)) => asking.set(Asking::Failed(e)),
                }
            });
        })
    });
    let why = match (&*asking, &answer) {
        (Asking::Failed(message), _) | (Asking::No, Answered::Failed(message)) => Some(html! {
            <p class="error" role="alert" data-testid="layer-pair-why-error">{ message.clone() }</p>
        }),
        (Asking::ForAccess, _) | (Asking::No, Answered::Working) => Some(html! {
            <p class="muted" role="status" data-testid="layer-pair-why-pending">
                { "Working… both blobs are downloaded, listed and compared in the background." }
            </p>
        }),
        (Asking::No, Answered::Done(difference)) => Some(html! {
            <div class="verdict" data-testid="layer-pair-why" data-reason={difference.slug()}>
                <p><strong>{ format!("Layer {}: ", pair.index) }</strong>{ difference.headline() }</p>
                { details(difference) }
            </div>
        }),
        (Asking::No, Answered::Idle) => None,
    };
    let status = pair.status;
    html! {
        <>
            <tr data-testid="layer-pairs-row" data-index={pair.index.to_string()} data-status={status.slug()}
                data-digest-a={text(a.and_then(|c| c.digest.as_ref()))} data-digest-b={text(b.and_then(|c| c.digest.as_ref()))}
                data-diff-id-a={text(a.and_then(|c| c.diff_id.digest()))} data-diff-id-b={text(b.and_then(|c| c.diff_id.digest()))}
                class={if matches!(status.slug(), "shared") { "same" } else { "differs" }}>
                <th scope="row">{ pair.index }</th>
                { cell(a) }
                { cell(b) }
                <td>
                    <span data-testid="layer-pair-status">{ status.reason() }</span>
                    if let Some(onclick) = onwhy {
                        <button type="button" class="secondary" data-testid="layer-pair-why-button" {onclick}
                            disabled={*asking == Asking::ForAccess || answer == Answered::Working}
                            aria-label={format!("Why do the blobs of layer {} differ?", pair.index)}>
                            { "Why?" }
                        </button>
                    }
                </td>
            </tr>
            if let Some(why) = why {
                <tr class="layer-pair-why-row"><td colspan="4">{ why }</td></tr>
            }
        </>
    }
}
