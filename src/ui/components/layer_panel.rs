//! "Verify layers": for an image manifest (and its config, when loaded), each layer's blob is
//! read from the registry or from files the user drops, and checked in a worker: blob digest and
//! size against the manifest's descriptor, uncompressed digest against the config's diff_id.
//! Chain IDs are then recomputed from what was measured.

use super::layer_chain_ids::chain_ids;
use super::layer_filesystem::LayerFilesystem;
use super::layer_row::LayerRow;
use super::layer_sources::LayerSources;
use crate::core::digest::Digest;
use crate::core::document::Body;
use crate::core::layer::{
    claims, match_name, Decoding, ImageDigests, LayerClaim, LayerMatch, DEFAULT_UNCOMPRESSED_CAP,
};
use crate::core::reference::Reference;
use crate::registry::{blob_access, cancellation, BlobAccess, CancelHandle, Failure, Keyring, Settings};
use crate::ui::connection::{use_connection, Connection};
use crate::ui::layers::estimates::estimate_layers;
use crate::ui::layers::pool::{self, BlobSource, Renewal};
use crate::ui::layers::protocol::{Authorization, Event as WorkerEvent, RegistryBlob};
use crate::ui::layers::rows::{Action, Rows};
use crate::ui::state::{LoadedDocument, Source};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use web_sys::File;
use yew::prelude::*;

const MIB: u64 = 1 << 20;

/// One panel per image manifest among `documents`, with its config when that is loaded too
/// (a document whose digest is the manifest's config digest). A fetched manifest's blobs are
/// downloaded the way it was fetched: `keyring` holds how.
pub fn layer_panels<'a>(documents: impl Iterator<Item = &'a Rc<LoadedDocument>>, keyring: &Keyring) -> Html {
    let documents: Vec<&Rc<LoadedDocument>> = documents.collect();
    let panels = documents.iter().filter_map(|doc| {
        let Body::Manifest { config, layers, .. } = &doc.analysis().body else {
            return None;
        };
        if layers.is_empty() {
            return None;
        }
        let config_digest = config.as_ref().and_then(|c| c.digest.as_ref());
        let config = documents
            .iter()
            .find(|d| d.analysis().kind.is_config() && Some(&d.analysis().bytes_digest) == config_digest)
            .map(|d| Rc::clone(d));
        // A new panel (fresh state) when the config arrives or leaves: the claims change.
        let key = format!("{}-{}", doc.id, config.as_ref().map_or(0, |c| c.id));
        let reference = match &doc.source {
            Source::Fetched { reference, .. } => Some(AttrValue::from(reference.to_string())),
            _ => None,
        };
        Some(html! { <LayerPanel {key} manifest={Rc::clone(doc)} {config} {reference} keyring={keyring.clone()} /> })
    });
    html! { <>{ for panels }</> }
}

#[derive(Properties, PartialEq)]
pub struct LayerPanelProps {
    pub manifest: Rc<LoadedDocument>,
    pub config: Option<Rc<LoadedDocument>>,
    /// The image the manifest was fetched as, to download blobs from its repository.
    #[prop_or_default]
    pub reference: Option<AttrValue>,
    /// How the page's walks reached each repository (settings, credentials, tokens).
    pub keyring: Keyring,
}

fn layer_claims(props: &LayerPanelProps) -> Vec<LayerClaim> {
    let Body::Manifest { layers, .. } = &props.manifest.analysis().body else {
        return Vec::new();
    };
    let config = props.config.as_ref().and_then(|c| match &c.analysis().body {
        Body::Config(config) => Some(config),
        _ => None,
    });
    claims(&layers.iter().collect::<Vec<_>>(), config)
}

/// The manifest's own digest and its `config.digest`.
fn image_digests(props: &LayerPanelProps) -> ImageDigests {
    let analysis = props.manifest.analysis();
    let config = match &analysis.body {
        Body::Manifest { config, .. } => config.as_ref().and_then(|c| c.digest.clone()),
        _ => None,
    };
    ImageDigests {
        manifest: Some(analysis.bytes_digest.clone()),
        config,
    }
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// Starts reading a blob for row `key` (stopping what the row read before): the worker's events
/// come back as actions.
fn start(
    rows: &UseReducerHandle<Rows>,
    key: u32,
    against: LayerClaim,
    decoding: Decoding,
    cap: u64,
    source: BlobSource,
) {
    let read_from = match &source {
        BlobSource::File(file) => file.name(),
        BlobSource::Registry(blob, _) => format!("the registry ({})", blob.reference),
    };
    if let Some(previous) = rows
        .rows
        .iter()
        .find(|r| r.key == key)
        .and_then(|r| r.status.job())
    {
        pool::cancel(previous);
    }
    let dispatcher = rows.dispatcher();
    let listener = Callback::from(move |event: WorkerEvent| {
        dispatcher.dispatch(Action::Event {
            key,
            event,
            now: now(),
        })
    });
    let job = pool::submit(against.clone(), decoding, cap, source, listener);
    rows.dispatch(Action::Queued {
        key,
        job,
        against,
        read_from,
    });
}

/// What the worker needs to download `digest` as `access` says.
pub(crate) fn registry_blob(reference: &Reference, digest: &Digest, access: &BlobAccess) -> RegistryBlob {
    RegistryBlob {
        reference: reference.to_string(),
        url: access.url(reference, digest),
        proxy: access.proxy().map(str::to_owned),
        authorization: access.authorization.clone().map(Authorization),
        credentials_given: access.credentials_given,
        issued_token: access.issued_token,
        timeout_seconds: u32::try_from(access.timeout.as_secs()).unwrap_or(u32::MAX),
    }
}

/// Where a layer's download asks for access again when its token is due for renewal by the time
/// a worker is free for it (see `pool`): a token of 300 s does not outlive a queue of large layers.
fn renewal(
    access: &BlobAccess,
    reference: &Reference,
    digest: &Digest,
    keyring: &Keyring,
    unfetched: &Settings,
) -> Option<Renewal> {
    let at = access.renew_at?;
    let (reference, digest, keyring, unfetched) = (
        reference.clone(),
        digest.clone(),
        keyring.clone(),
        unfetched.clone(),
    );
    Some(Renewal {
        at,
        renew: Box::new(move || {
            Box::pin(async move {
                // Not cancelled from here: the pool drops the answer of a cancelled job.
                let (_held, cancel) = cancellation();
                match blob_access(&reference, &digest, &keyring, unfetched, cancel).await {
                    Ok(access) => Ok(registry_blob(&reference, &digest, &access)),
                    Err(Failure::Registry(e)) => Err(e.to_string()),
                    Err(Failure::Cancelled) => {
                        Err("Asking the registry for access was cancelled.".to_owned())
                    }
                }
            })
        }),
    })
}

#[function_component(LayerPanel)]
pub fn layer_panel(props: &LayerPanelProps) -> Html {
    let rows = {
        let (claims, image) = (layer_claims(props), image_digests(props));
        use_reducer(move || Rows::new(claims, image))
    };
    let reference = use_state(|| {
        props
            .reference
            .as_ref()
            .map(|r| r.to_string())
            .unwrap_or_default()
    });
    let cap_mib = use_state(|| DEFAULT_UNCOMPRESSED_CAP / MIB);
    let error = use_state(|| None::<String>);
    // The registry is being asked for access before the downloads start.
    let authorizing = use_state(|| false);
    let next_key = use_mut_ref(|| 0u32);
    let cap = (*cap_mib).max(1) * MIB;
    // Jobs still running when the panel goes (its manifest removed, its config loaded, or the
    // page cleared) stop; so does asking the registry for access, and the downloads it would
    // have started.
    let live_jobs = use_mut_ref(Vec::<u32>::new);
    *live_jobs.borrow_mut() = rows.active_jobs();
    let asking = use_mut_ref(|| None::<CancelHandle>);
    // The round of "Estimate sizes" under way: a new round or the panel's going cancels it.
    let estimating = use_mut_ref(|| None::<CancelHandle>);
    let mounted = use_mut_ref(|| true);
    {
        let (live_jobs, asking, mounted) = (live_jobs.clone(), asking.clone(), mounted.clone());
        let estimating = estimating.clone();
        use_effect_with((), move |_| {
            move || {
                *mounted.borrow_mut() = false;
                for held in [&asking, &estimating] {
                    if let Some(handle) = held.borrow_mut().take() {
                        handle.cancel();
                    }
                }
                live_jobs.borrow().iter().copied().for_each(pool::cancel)
            }
        });
    }

    let on_reference = {
        let reference = reference.clone();
        Callback::from(move |value: String| reference.set(value))
    };
    let on_cap = {
        let cap_mib = cap_mib.clone();
        Callback::from(move |value: u64| cap_mib.set(value.max(1)))
    };
    let handles = Handles {
        rows: rows.clone(),
        error: error.clone(),
        authorizing: authorizing.clone(),
        asking: asking.clone(),
        mounted: mounted.clone(),
    };
    let connection = use_connection().connection;
    let on_verify = verify_from_registry(
        handles,
        reference.clone(),
        props.keyring.clone(),
        connection.clone(),
        cap,
    );
    let on_estimate = estimate_sizes(
        rows.clone(),
        reference.clone(),
        props.keyring.clone(),
        connection.clone(),
        error.clone(),
        estimating,
    );
    let on_files = verify_files(rows.clone(), next_key.clone(), cap);
    let on_cancel_all = {
        let rows = rows.clone();
        Callback::from(move |()| rows.active_jobs().into_iter().for_each(pool::cancel))
    };
    let has_config = props.config.is_some();
    let active = !rows.active_jobs().is_empty();
    let title = props.manifest.source.title();
    html! {
        <section class="layers" data-testid="layers" aria-label={format!("Layers of {title}")}>
            <h2>{ format!("Verify the layers of {title}") }</h2>
            <p class="muted">
                { "Each layer blob is hashed as it streams in, and decompressed at the same time to hash the tar inside. \
                   The blob must match the manifest's digest and size; the tar must match the config's diff_id. \
                   Nothing is uploaded: files are read here, registry blobs are downloaded by this page." }
            </p>
            if !has_config {
                <p class="notice" data-testid="layers-no-config">
                    { "Load this image's config too (its digest is the manifest's config digest) to check the diff_ids." }
                </p>
            }
            <LayerSources reference={AttrValue::from((*reference).clone())} {on_reference} {on_files} {on_verify} {on_estimate}
                authorizing={*authorizing} {active} {on_cancel_all} cap_mib={*cap_mib} {on_cap} />
            if *authorizing {
                <p class="muted" data-testid="layers-authorizing">{ "Asking the registry for access…" }</p>
            }
            if let Some(message) = (*error).clone() {
                <p class="error" role="alert" data-testid="layers-error">{ message }</p>
            }
            <ol class="layer-list" start="0">
                { for rows.layer_rows().map(|row| {
                    let claim = row.layer.and_then(|i| rows.claims.get(i)).cloned();
                    html! { <LayerRow row={row.clone()} {claim} /> }
                }) }
            </ol>
            if rows.file_rows().next().is_some() {
                <h3>{ "Dropped files" }</h3>
                <ul class="layer-list">
                    { for rows.file_rows().map(|row| html! { <LayerRow row={row.clone()} claim={None::<LayerClaim>} /> }) }
                </ul>
            }
            { chain_ids(&rows, props.config.as_deref()) }
            <LayerFilesystem layers={rows.layer_rows().map(|r| r.files.clone()).collect::<Vec<_>>()}
                digests={rows.claims.iter().map(|c| c.digest.clone()).collect::<Vec<_>>()} />
        </section>
    }
}

/// What a registry verification reports through.
struct Handles {
    rows: UseReducerHandle<Rows>,
    error: UseStateHandle<Option<String>>,
    authorizing: UseStateHandle<bool>,
    asking: Rc<RefCell<Option<CancelHandle>>>,
    mounted: Rc<RefCell<bool>>,
}

/// "Verify layers": asks the registry for access once, then downloads every layer not being read.
fn verify_from_registry(
    handles: Handles,
    reference: UseStateHandle<String>,
    keyring: Keyring,
    connection: Rc<Connection>,
    cap: u64,
) -> Callback<()> {
    let Handles {
        rows,
        error,
        authorizing,
        asking,
        mounted,
    } = handles;
    Callback::from(move |()| {
        let Some(parsed) = typed_reference(&reference, &error) else {
            return;
        };
        let unfetched = match connection.unfetched_settings() {
            Ok(settings) => settings,
            Err(e) => {
                error.set(Some(e.to_string()));
                return;
            }
        };
        error.set(None);
        let mut wanted = Vec::new();
        for row in rows.layer_rows() {
            if row.status.job().is_some() {
                continue;
            }
            let Some(claim) = row.layer.and_then(|i| rows.claims.get(i)).cloned() else {
                continue;
            };
            match claim.digest.clone() {
                Some(digest) => wanted.push((row.key, claim, digest)),
                None => rows.dispatch(Action::Fail {
                    key: row.key,
                    message: "The descriptor has no valid digest, so there is no blob to download.".into(),
                }),
            }
        }
        let Some(probe) = wanted.first().map(|(_, _, digest)| digest.clone()) else {
            return;
        };
        authorizing.set(true);
        let (handle, cancel) = cancellation();
        *asking.borrow_mut() = Some(handle);
        let (rows, keyring, authorizing) = (rows.clone(), keyring.clone(), authorizing.clone());
        let (asking, mounted) = (asking.clone(), mounted.clone());
        spawn_local(async move {
            // Cancelled when the panel goes: no download starts without a row to show it.
            let access = blob_access(&parsed, &probe, &keyring, unfetched.clone(), cancel).await;
            if !*mounted.borrow() {
                return;
            }
            asking.borrow_mut().take();
            authorizing.set(false);
            match access {
                Ok(access) => {
                    for (key, claim, digest) in wanted {
                        let renew = renewal(&access, &parsed, &digest, &keyring, &unfetched);
                        let source = BlobSource::Registry(registry_blob(&parsed, &digest, &access), renew);
                        let decoding = claim.decoding();
                        start(&rows, key, claim, decoding, cap, source);
                    }
                }
                Err(Failure::Registry(e)) => {
                    for (key, ..) in wanted {
                        rows.dispatch(Action::Fail {
                            key,
                            message: e.to_string(),
                        });
                    }
                }
                Err(Failure::Cancelled) => {}
            }
        });
    })
}

/// "Estimate sizes": the uncompressed size of each layer from a few of its bytes, from the
/// repository in the registry box. The round's handle goes into `estimating`, replacing (and so
/// cancelling) the round before: two clicks never run two rounds.
fn estimate_sizes(
    rows: UseReducerHandle<Rows>,
    reference: UseStateHandle<String>,
    keyring: Keyring,
    connection: Rc<Connection>,
    error: UseStateHandle<Option<String>>,
    estimating: Rc<RefCell<Option<CancelHandle>>>,
) -> Callback<()> {
    Callback::from(move |()| {
        let Some(parsed) = typed_reference(&reference, &error) else {
            return;
        };
        match connection.unfetched_settings() {
            Ok(unfetched) => {
                error.set(None);
                let (handle, cancel) = cancellation();
                if let Some(previous) = estimating.borrow_mut().replace(handle) {
                    previous.cancel();
                }
                estimate_layers(rows.clone(), parsed, keyring.clone(), unfetched, cancel);
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    })
}

/// Dropped or chosen blob files: each goes to the layers its name matches, or gets a row of its own
/// and is matched by what it measures.
fn verify_files(rows: UseReducerHandle<Rows>, next_key: Rc<RefCell<u32>>, cap: u64) -> Callback<Vec<File>> {
    Callback::from(move |files: Vec<File>| {
        let mut key = (*next_key.borrow()).max(rows.next_key());
        for file in files {
            match match_name(&file.name(), &rows.claims) {
                LayerMatch::Blob(layers) => {
                    for i in layers {
                        let Some(claim) = rows.claims.get(i).cloned() else {
                            continue;
                        };
                        let decoding = claim.decoding();
                        start(
                            &rows,
                            i as u32,
                            claim,
                            decoding,
                            cap,
                            BlobSource::File(file.clone()),
                        );
                    }
                }
                LayerMatch::Uncompressed(layers) => {
                    for i in layers {
                        let Some(claim) = rows.claims.get(i).map(LayerClaim::uncompressed_only) else {
                            continue;
                        };
                        start(
                            &rows,
                            i as u32,
                            claim,
                            Decoding::Sniff,
                            cap,
                            BlobSource::File(file.clone()),
                        );
                    }
                }
                LayerMatch::None => {
                    rows.dispatch(Action::AddFile {
                        key,
                        name: file.name(),
                    });
                    start(
                        &rows,
                        key,
                        LayerClaim::default(),
                        Decoding::Sniff,
                        cap,
                        BlobSource::File(file),
                    );
                    key += 1;
                }
            }
        }
        *next_key.borrow_mut() = key;
    })
}

/// The reference typed in the registry box, or `None` with the sentence saying why not.
fn typed_reference(typed: &str, error: &UseStateHandle<Option<String>>) -> Option<Reference> {
    match Reference::parse(typed.trim()) {
        Ok(parsed) => Some(parsed),
        Err(e) => {
            error.set(Some(format!(
                "\"{}\" is not an image reference: {e}",
                typed.trim()
            )));
            None
        }
    }
}
