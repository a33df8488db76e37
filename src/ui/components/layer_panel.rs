//! "Verify layers": for an image manifest (and its config, when loaded), each layer's blob is
//! read from the registry or from files the user drops, and checked in a worker: blob digest and
//! size against the manifest's descriptor, uncompressed digest against the config's diff_id.
//! Chain IDs are then recomputed from what was measured.

use super::fetch_panel::unfetched_settings;
use super::human_size;
use crate::core::digest::Digest;
use crate::core::document::Body;
use crate::core::layer::{
    claims, match_name, measured_chain_ids, BlobKind, BlobReport, Decoding, Encoding, LayerCheck, LayerClaim,
    LayerMatch, Note, Verdict, DEFAULT_UNCOMPRESSED_CAP,
};
use crate::core::media_type::MediaType;
use crate::core::reference::Reference;
use crate::registry::{blob_access, cancellation, BlobAccess, CancelHandle, Failure, Keyring, Settings};
use crate::ui::files;
use crate::ui::layers::pool::{self, BlobSource, Renewal};
use crate::ui::layers::protocol::{Authorization, Event as WorkerEvent, RegistryBlob};
use crate::ui::layers::rows::{Action, Row, Rows, Status};
use crate::ui::state::{LoadedDocument, Source};
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use web_sys::{DragEvent, File, HtmlInputElement};
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
fn registry_blob(reference: &Reference, digest: &Digest, access: &BlobAccess) -> RegistryBlob {
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
        let claims = layer_claims(props);
        use_reducer(move || Rows::new(claims))
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
    let dragging = use_state(|| false);
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
    let mounted = use_mut_ref(|| true);
    {
        let (live_jobs, asking, mounted) = (live_jobs.clone(), asking.clone(), mounted.clone());
        use_effect_with((), move |_| {
            move || {
                *mounted.borrow_mut() = false;
                if let Some(handle) = asking.borrow_mut().take() {
                    handle.cancel();
                }
                live_jobs.borrow().iter().copied().for_each(pool::cancel)
            }
        });
    }

    let on_reference = {
        let reference = reference.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                reference.set(input.value());
            }
        })
    };
    let on_cap = {
        let cap_mib = cap_mib.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                if let Ok(value) = input.value().trim().parse::<u64>() {
                    cap_mib.set(value.max(1));
                }
            }
        })
    };
    let verify_from_registry = {
        let rows = rows.clone();
        let reference = reference.clone();
        let error = error.clone();
        let authorizing = authorizing.clone();
        let keyring = props.keyring.clone();
        let (asking, mounted) = (asking.clone(), mounted.clone());
        Callback::from(move |_: MouseEvent| {
            let parsed = match Reference::parse(reference.trim()) {
                Ok(parsed) => parsed,
                Err(e) => {
                    error.set(Some(format!(
                        "\"{}\" is not an image reference: {e}",
                        reference.trim()
                    )));
                    return;
                }
            };
            let unfetched = match unfetched_settings() {
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
                        message: "The descriptor has no valid digest, so there is no blob to download."
                            .into(),
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
                            let source =
                                BlobSource::Registry(registry_blob(&parsed, &digest, &access), renew);
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
    };
    let on_files = {
        let rows = rows.clone();
        let next_key = next_key.clone();
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
    };
    let onchange = {
        let on_files = on_files.clone();
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
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            e.stop_propagation();
            dragging.set(false);
            on_files.emit(files::list(e.data_transfer().and_then(|d| d.files())));
        })
    };
    let cancel_all = {
        let rows = rows.clone();
        Callback::from(move |_: MouseEvent| rows.active_jobs().into_iter().for_each(pool::cancel))
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
                        placeholder="registry.example.com/team/app:1.0" value={(*reference).clone()}
                        oninput={on_reference} />
                    <button type="button" data-testid="verify-layers" onclick={verify_from_registry}
                        disabled={*authorizing}>
                        { "Verify layers" }
                    </button>
                    if active {
                        <button type="button" class="secondary" data-testid="cancel-all" onclick={cancel_all}>
                            { "Cancel all" }
                        </button>
                    }
                </div>
                <div class="input-row">
                    <label for="uncompressed-cap" class="label">{ "Stop decompressing a layer after" }</label>
                    <input id="uncompressed-cap" type="number" min="1" data-testid="uncompressed-cap"
                        value={cap_mib.to_string()} oninput={on_cap} />
                    <span class="muted">
                        { format!("MiB of uncompressed content (= {:.1} GiB): a guard against decompression bombs; \
                            a bigger layer needs a bigger cap.", cap as f64 / (1u64 << 30) as f64) }
                    </span>
                </div>
            </div>
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
            { chain_ids(&rows, props) }
        </section>
    }
}

/// Chain IDs from the measured uncompressed digests, beside the config's own.
fn chain_ids(rows: &Rows, props: &LayerPanelProps) -> Html {
    let measured: Vec<Option<&Digest>> = rows
        .layer_rows()
        .map(|row| match &row.status {
            Status::Checked { check, .. } => check.uncompressed.as_ref().map(|u| &u.digest),
            _ => None,
        })
        .collect();
    let chain = measured_chain_ids(&measured);
    if chain.is_empty() {
        return Html::default();
    }
    let configured: Vec<Digest> = props
        .config
        .as_ref()
        .and_then(|c| match &c.analysis().body {
            Body::Config(config) => Some(config.chain_ids.clone()),
            _ => None,
        })
        .unwrap_or_default();
    html! {
        <div class="chain-ids">
            <h3>{ "Chain IDs recomputed from the layers' content" }</h3>
            <p class="muted">{ "ChainID(L0) = DiffID(L0); ChainID(L0..n) = sha256(ChainID(L0..n-1) + \" \" + DiffID(Ln)). \
                containerd names its snapshots by these." }</p>
            <ol start="0">
                { for chain.iter().enumerate().map(|(i, id)| {
                    let same = configured.get(i) == Some(id);
                    html! {
                        <li>
                            <code data-testid="verified-chain-id" data-matches={same.to_string()}>{ id.to_string() }</code>
                            { if same { " — the same as from the config's diff_ids" } else { " — differs from the config's diff_ids" } }
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LayerRowProps {
    row: Row,
    /// The manifest's and config's claim for a layer row; `None` for a dropped file's row.
    claim: Option<LayerClaim>,
}

fn claim_line(claim: &LayerClaim) -> Html {
    let media = claim.media_type.as_deref().map(MediaType::parse);
    let name = media
        .as_ref()
        .and_then(MediaType::description)
        .map(str::to_owned)
        .or_else(|| claim.media_type.clone())
        .unwrap_or_else(|| "no media type".to_owned());
    html! {
        <>
            <span class="layer-kind">{ name }</span>
            if let Some(size) = claim.size {
                <span class="size">{ human_size(size) }</span>
            }
        </>
    }
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "✓"
    } else {
        "✗"
    }
}

#[function_component(LayerRow)]
fn layer_row(props: &LayerRowProps) -> Html {
    let row = &props.row;
    let title = match (row.layer, &row.read_from) {
        (Some(i), _) => format!("Layer {i}"),
        (None, Some(name)) => name.clone(),
        (None, None) => "File".to_owned(),
    };
    let foreign = matches!(
        props.claim.as_ref().and_then(LayerClaim::kind),
        Some(BlobKind::Layer {
            distributable: false,
            ..
        })
    );
    let cancel = row
        .status
        .job()
        .map(|job| Callback::from(move |_: MouseEvent| pool::cancel(job)));
    html! {
        <li class={classes!("layer", row.status.slug())} data-testid="layer-result" data-state={row.status.slug()}
            data-index={row.layer.map(|i| i.to_string())}>
            <div class="layer-head">
                <strong>{ title }</strong>
                if let Some(claim) = &props.claim {
                    { claim_line(claim) }
                    if let Some(from) = &row.read_from {
                        <span class="muted">{ format!("read from {from}") }</span>
                    }
                }
            </div>
            if let Some(claim) = &props.claim {
                <dl class="facts">
                    <dt>{ "Blob digest" }</dt>
                    <dd><code data-testid="layer-digest">{ claim.digest.as_ref().map_or_else(|| "— (none valid in the manifest)".to_owned(), Digest::to_string) }</code></dd>
                    <dt>{ "diff_id" }</dt>
                    <dd><code data-testid="layer-diff-id">{ claim.diff_id.as_ref().map_or_else(|| "— (no config loaded)".to_owned(), Digest::to_string) }</code></dd>
                </dl>
            }
            if foreign {
                <p class="note" data-testid="layer-note">{ Note::NonDistributable.to_string() }</p>
            }
            { status_view(&row.status) }
            if let Some(onclick) = cancel {
                <button type="button" class="secondary" data-testid="layer-cancel" {onclick}>{ "Cancel" }</button>
            }
        </li>
    }
}

fn status_view(status: &Status) -> Html {
    match status {
        Status::Idle => Html::default(),
        Status::Queued { .. } => {
            html! { <p class="muted" data-testid="layer-status">{ "Waiting for a free worker…" }</p> }
        }
        Status::Running {
            done,
            total,
            since,
            done_since,
            now,
            ..
        } => progress(
            *done,
            *total,
            done.saturating_sub(*done_since) as f64,
            (now - since) / 1000.0,
        ),
        Status::Checked { check, report } => checked(check, report),
        Status::Unmatched { report } => html! {
            <>
                <p class="error" data-testid="layer-message" data-problem="no-such-layer">
                    { "This file is no layer of this image: neither its digest nor the digest of its content is in the manifest or the config." }
                </p>
                { measured(report, false) }
            </>
        },
        Status::MovedTo { .. } => Html::default(),
        Status::Failed { message } => html! {
            <p class="error message" data-testid="layer-message" data-problem="read-failed">{ message.clone() }</p>
        },
        Status::Cancelled => html! { <p class="muted" data-testid="layer-status">{ "Cancelled." }</p> },
    }
}

/// Bytes done of total, the rate since the first report, and the time left at that rate.
fn progress(done: u64, total: Option<u64>, bytes: f64, seconds: f64) -> Html {
    let rate = (seconds > 0.2).then(|| bytes / seconds);
    let mib = |b: u64| format!("{:.1} MiB", b as f64 / MIB as f64);
    let mut text = match total {
        Some(total) => format!("{} of {}", mib(done), mib(total)),
        None => mib(done),
    };
    if let Some(rate) = rate {
        text.push_str(&format!(" · {:.0} MB/s", rate / 1e6));
        if let Some(total) = total.filter(|&t| t > done && rate > 0.0) {
            text.push_str(&format!(" · {:.0} s left", ((total - done) as f64 / rate).ceil()));
        }
    }
    html! {
        <div class="progress">
            <progress data-testid="layer-progress" aria-label="Bytes read" max={total.map(|t| t.to_string())}
                value={done.to_string()} />
            <span data-testid="layer-rate">{ text }</span>
        </div>
    }
}

/// The blob's digest and size as read, and its content's when it was compressed (or when
/// `always_content`: a layer row, where the content digest is the one compared with the diff_id).
fn measured(report: &BlobReport, always_content: bool) -> Html {
    let content = report.content.as_ref().and_then(|c| c.result.as_ref().ok());
    let compressed = report
        .content
        .as_ref()
        .map(|c| c.encoding)
        .filter(|&e| always_content || e != Encoding::Tar);
    html! {
        <dl class="facts measured">
            <dt>{ "Blob read" }</dt>
            <dd>
                <code data-testid="measured-digest">{ report.digest.as_ref().map_or_else(|| "— (not read to its end)".to_owned(), Digest::to_string) }</code>
                { format!(" · {}", human_size(report.size)) }
            </dd>
            if let (Some(content), Some(encoding)) = (content, compressed) {
                <dt>{ format!("Content ({})", encoding.name()) }</dt>
                <dd>
                    <code data-testid="measured-diff-id">{ content.digest.to_string() }</code>
                    { format!(" · {}", human_size(content.size)) }
                </dd>
            }
        </dl>
    }
}

fn checked(check: &LayerCheck, report: &BlobReport) -> Html {
    let verdict = match check.verdict {
        Verdict::Verified => "Verified: every digest and size that could be checked matches.",
        Verdict::Mismatch => "Mismatch: these are not the bytes the manifest or config name.",
        Verdict::Error => "Not verified:",
    };
    let encoding = report.content.as_ref().map(|c| c.encoding);
    html! {
        <>
            <p class={classes!("verdict", check.verdict.slug())} data-testid="layer-verdict">
                { format!("{} {verdict}", mark(check.verdict == Verdict::Verified)) }
            </p>
            if !check.problems.is_empty() {
                <ul class="problems">
                    { for check.problems.iter().map(|p| html! {
                        <li class="error" data-testid="layer-message" data-problem={p.slug()}>{ p.to_string() }</li>
                    }) }
                </ul>
            }
            if !check.notes.is_empty() {
                <ul class="notes">
                    { for check.notes.iter().map(|n| html! { <li class="note" data-testid="layer-note">{ n.to_string() }</li> }) }
                </ul>
            }
            { measured(report, true) }
            if let Some(encoding) = encoding {
                <p class="muted">
                    { "Check it yourself: " }<code>{ "sha256sum blob" }</code>{ " and " }<code>{ encoding.diff_id_command("blob") }</code>
                </p>
            }
        </>
    }
}
