//! One document: its digest(s), size, kind, findings, descriptors and raw bytes.

use super::descriptor_list::DescriptorList;
use super::digest_value::DigestValue;
use super::expected_check::ExpectedDigest;
use super::fetch_panel::Wanted;
use super::findings::{severity_class, Findings};
use super::referrers::Referrers;
use super::repush_preview::RepushPreview;
use super::verification::VerificationView;
use super::{human_size, shown};
use crate::core::descriptor::Role;
use crate::core::digest::Digest;
use crate::core::distribution::referrers::Listing;
use crate::core::document::{artifact, Analysis, Body, Finding, Kind, Schema1View};
use crate::core::explain::DigestRole;
use crate::core::image_config::ImageConfig;
use crate::core::reference::Reference;
use crate::ui::state::{LoadedDocument, Source};
use std::collections::HashSet;
use std::rc::Rc;
use yew::prelude::*;

/// The card's one line, always shown: what the document is, its digest (with copy), its size and
/// how many findings it has; clicking the line (or its button) opens or closes the card.
struct Summary<'a> {
    title: &'a str,
    analysis: &'a Analysis,
    open: bool,
    body_id: &'a str,
    on_toggle: &'a Callback<()>,
    on_remove: Option<&'a Callback<MouseEvent>>,
    /// Shown on the summary line, so "Show sha512 too" shows it on closed cards as well.
    sha512: Option<&'a Digest>,
}

impl Summary<'_> {
    fn view(&self) -> Html {
        let analysis = self.analysis;
        let known_artifact = crate::core::artifact::kind_of(analysis);
        let findings = analysis.findings.len();
        let worst = analysis.findings.iter().map(Finding::severity).max();
        let on_line = self.on_toggle.reform(|_: MouseEvent| ());
        // A click on the line toggles, unless it was on a control of its own (copy, remove).
        let on_header = {
            let on_toggle = self.on_toggle.clone();
            Callback::from(move |e: MouseEvent| {
                let on_control = e
                    .target_dyn_into::<web_sys::Element>()
                    .and_then(|t| t.closest("button, a, input, summary").ok().flatten())
                    .is_some();
                if !on_control {
                    on_toggle.emit(());
                }
            })
        };
        html! {
            <header class="card-summary" onclick={on_header}>
                <h2>{ self.title }</h2>
                <span class="summary-kind" data-testid="kind" data-kind={analysis.kind.slug()}
                    data-artifact={known_artifact.map(|k| k.slug)}>
                    { analysis.kind.name() }
                    if let Some(known) = known_artifact { { " · " }{ known.name } }
                </span>
                <div class="summary-digest"><DigestValue digest={analysis.digest().clone()} testid="digest" /></div>
                <span class="summary-size" data-testid="size" data-bytes={analysis.size.to_string()}>
                    { human_size(analysis.size as u64) }
                </span>
                <span class={classes!("summary-findings", worst.map(severity_class))} data-testid="findings-count"
                    data-count={findings.to_string()}>
                    { match findings { 1 => "1 finding".to_owned(), n => format!("{n} findings") } }
                </span>
                <button type="button" class="secondary card-toggle" data-testid="card-toggle"
                    aria-expanded={self.open.to_string()} aria-controls={self.body_id.to_owned()}
                    onclick={on_line}>
                    { if self.open { "Close" } else { "Open" } }
                </button>
                if let Some(on_remove) = self.on_remove {
                    <button type="button" class="secondary" onclick={on_remove.clone()}>{ "Remove" }</button>
                }
                if let Some(sha512) = self.sha512 {
                    <div class="summary-digest summary-sha512"><DigestValue digest={sha512.clone()} testid="sha512" /></div>
                }
            </header>
        }
    }
}

/// The raw view shows at most this much text; the digest always covers every byte.
const RAW_PREVIEW_LIMIT: usize = 64 * 1024;

#[derive(Properties, PartialEq)]
pub struct DocumentCardProps {
    pub doc: Rc<LoadedDocument>,
    pub show_sha512: bool,
    pub on_remove: Callback<u32>,
    /// This fetched manifest's referrers, once looked up.
    #[prop_or_default]
    pub referrers: Option<Rc<Listing>>,
    /// Digests of every loaded document.
    #[prop_or_default]
    pub loaded: Rc<HashSet<Digest>>,
    /// Asks the fetch panel for a fetch (opening a referrer, looking for referrers).
    #[prop_or_default]
    pub on_request: Callback<(Reference, Wanted)>,
    /// What the "expected another digest?" box holds (kept in the workspace's view).
    #[prop_or_default]
    pub expected: AttrValue,
    /// Text typed into that box, with this document's id.
    #[prop_or_default]
    pub on_expect: Callback<(u32, String)>,
    /// Open from the start: the only document loaded is the answer itself.
    #[prop_or_default]
    pub single: bool,
    /// Its box is selected on the map: the card opens.
    #[prop_or_default]
    pub selected: bool,
}

/// What the document's own digest is, by kind.
fn own_role(analysis: &Analysis) -> DigestRole {
    match analysis.kind {
        Kind::OciManifest | Kind::OciIndex if has_subject(analysis) => DigestRole::Referrer,
        Kind::OciManifest | Kind::DockerManifest | Kind::DockerSchema1 => DigestRole::Manifest,
        Kind::OciIndex | Kind::DockerManifestList => DigestRole::Index,
        Kind::DockerSchema1Signed if analysis.digest() != &analysis.bytes_digest => {
            DigestRole::Schema1Payload
        }
        Kind::OciArtifactManifest if has_subject(analysis) => DigestRole::Referrer,
        Kind::OciArtifactManifest => DigestRole::Manifest,
        Kind::OciConfig | Kind::DockerConfig | Kind::ImageConfig | Kind::MinimalConfig => DigestRole::Config,
        Kind::DockerSchema1Signed | Kind::UnknownJson | Kind::NotJson | Kind::Empty => DigestRole::Bytes,
    }
}

fn has_subject(analysis: &Analysis) -> bool {
    analysis.descriptors().iter().any(|d| d.role == Role::Subject)
}

#[function_component(DocumentCard)]
pub fn document_card(props: &DocumentCardProps) -> Html {
    let doc = &props.doc;
    let analysis = doc.analysis();
    let sha512 = {
        let bytes = doc.shared_bytes();
        let show = props.show_sha512;
        use_memo((analysis.bytes_digest.clone(), show), move |_| {
            show.then(|| Digest::sha512(&bytes))
        })
    };
    let title = doc.source.title();
    let remove = {
        let on_remove = props.on_remove.clone();
        let id = doc.id;
        Callback::from(move |_: MouseEvent| on_remove.emit(id))
    };
    let schema1_signed_payload = analysis.digest() != &analysis.bytes_digest;
    let fetched_manifest = match &doc.source {
        Source::Fetched { reference, .. }
            if matches!(analysis.body, Body::Manifest { .. } | Body::Index { .. }) =>
        {
            Some(reference.clone())
        }
        _ => None,
    };
    let media_type = analysis.media_type_field.clone();
    let known_artifact = crate::core::artifact::kind_of(analysis);
    let open = use_state(|| props.single || props.selected);
    {
        let open = open.clone();
        use_effect_with((props.single, props.selected), move |(single, selected)| {
            if *single || *selected {
                open.set(true);
            }
        });
    }
    let toggle = {
        let open = open.clone();
        Callback::from(move |()| open.set(!*open))
    };
    let body_id = format!("document-{}-body", doc.id);
    let summary = Summary {
        title: &title,
        analysis,
        open: *open,
        body_id: &body_id,
        on_toggle: &toggle,
        on_remove: (!matches!(doc.source, Source::Pasted)).then_some(&remove),
        sha512: (*sha512).as_ref(),
    };

    html! {
        <article class={classes!("document", open.then_some("open"))} data-testid="document"
            aria-label={title.clone()} tabindex="-1">
            { summary.view() }
            <div class="card-body" id={body_id.clone()} hidden={!*open}>
            <dl class="facts">
                if let Some(known) = known_artifact {
                    <dt>{ "Artifact" }</dt>
                    <dd data-testid="artifact-kind">{ format!("{}: {}", known.name, known.about) }</dd>
                }
                <dt>{ "mediaType" }</dt>
                <dd data-testid="media-type">
                    { match media_type {
                        Some(m) => html! { <code>{ m }</code> },
                        None => html! { <span class="muted">{ "none in the document (OCI allows that; the kind comes from its shape)" }</span> },
                    } }
                </dd>
                if let Some(artifact_type) = &analysis.artifact_type {
                    <dt>{ "artifactType" }</dt>
                    <dd><code data-testid="artifact-type">{ artifact_type.clone() }</code></dd>
                }
            </dl>
            if let Source::Fetched { url, verification, .. } = &doc.source {
                <VerificationView url={url.clone()} verification={(**verification).clone()} />
            }
            <div class="own-digest">
                <h3>{ if schema1_signed_payload { "Digest (of the signed payload)" } else { "Digest (sha256 of the exact bytes)" } }</h3>
                <DigestValue digest={analysis.digest().clone()} testid="own-digest" role={Some(own_role(analysis))} />
                if schema1_signed_payload {
                    <h3>{ "sha256 of the bytes as given (signatures included)" }</h3>
                    <DigestValue digest={analysis.bytes_digest.clone()} testid="bytes-digest" role={Some(DigestRole::Schema1Bytes)} />
                }
                <ExpectedDigest doc={doc.clone()} typed={props.expected.clone()}
                    on_type={props.on_expect.reform({ let id = doc.id; move |typed| (id, typed) })} />
            </div>
            <Findings findings={analysis.findings.clone()} />
            { body_view(analysis) }
            if let Some(reference) = fetched_manifest {
                <Referrers {reference} subject={analysis.digest().clone()} listing={props.referrers.clone()}
                    loaded={props.loaded.clone()} on_request={props.on_request.clone()} />
            }
            if !analysis.annotations.is_empty() {
                <h3>{ "Annotations" }</h3>
                <dl class="annotations">
                    { for analysis.annotations.iter().map(|(k, v)| html! { <><dt>{ shown(k) }</dt><dd>{ shown(v) }</dd></> }) }
                </dl>
            }
            <RepushPreview doc={doc.clone()} />
            <details class="raw">
                <summary>{ "Raw bytes as text" }</summary>
                <pre data-testid="raw">{ raw_preview(doc.bytes()) }</pre>
            </details>
            </div>
        </article>
    }
}

/// The bytes as text for reading, cut at [`RAW_PREVIEW_LIMIT`] with a note.
pub fn raw_preview(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(RAW_PREVIEW_LIMIT)];
    let mut text = String::from_utf8_lossy(shown).into_owned();
    if bytes.len() > RAW_PREVIEW_LIMIT {
        text.push_str(&format!(
            "\n… {} more bytes not shown (all of them are in the digest)",
            bytes.len() - RAW_PREVIEW_LIMIT
        ));
    }
    text
}

fn body_view(analysis: &Analysis) -> Html {
    let body = &analysis.body;
    match body {
        Body::Manifest { .. } | Body::Index { .. } => html! {
            <DescriptorList descriptors={body.descriptors().into_iter().cloned().collect::<Vec<_>>()}
                artifact={artifact::is_artifact(analysis)} />
        },
        Body::Schema1(view) => schema1_view(view),
        Body::Config(config) => config_view(config),
        Body::Opaque => html! {},
    }
}

fn schema1_view(view: &Schema1View) -> Html {
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
    html! {
        <section class="schema1">
            <h3>{ "Schema 1 manifest" }</h3>
            <dl class="facts">
                <dt>{ "name" }</dt><dd>{ text(&view.name) }</dd>
                <dt>{ "tag" }</dt><dd>{ text(&view.tag) }</dd>
                <dt>{ "architecture" }</dt><dd>{ text(&view.architecture) }</dd>
                if let Some(Ok(payload)) = &view.payload {
                    <dt>{ "Signed payload" }</dt>
                    <dd>{ format!("{} bytes: the first {} bytes of the document plus the formatTail, signed by {} signature(s): {}",
                        payload.length, payload.format_length, payload.signature_count, payload.signers.join(", ")) }</dd>
                }
            </dl>
            <h4>{ format!("fsLayers ({}, newest first)", view.blob_sums.len()) }</h4>
            <ol start="0" class="digest-list">
                { for view.blob_sums.iter().map(|sum| html! { <li><code data-testid="blob-sum">{ sum.clone() }</code></li> }) }
            </ol>
        </section>
    }
}

fn config_view(config: &ImageConfig) -> Html {
    html! {
        <section class="config">
            <h3>{ "Image config" }</h3>
            <dl class="facts">
                <dt>{ "Platform" }</dt>
                <dd data-testid="platform">{ config.platform.as_ref().map_or_else(|| "not stated".to_owned(), ToString::to_string) }</dd>
                <dt>{ "Created" }</dt><dd>{ config.created.clone().unwrap_or_else(|| "—".to_owned()) }</dd>
                <dt>{ "History" }</dt>
                <dd data-testid="history-count">{ format!("{} entries ({} without a layer)", config.history_count, config.empty_layer_history_count) }</dd>
            </dl>
            <h4>{ format!("rootfs.diff_ids ({})", config.diff_ids.len()) }</h4>
            <ol start="0" class="digest-list">
                { for config.diff_ids.iter().enumerate().map(|(index, diff_id)| match diff_id {
                    Ok(d) => html! { <li><DigestValue digest={d.clone()} testid="diff-id" role={Some(DigestRole::DiffId { index })} /></li> },
                    Err((written, _)) => html! { <li><code data-testid="diff-id" class="invalid">{ written.clone() }</code></li> },
                }) }
            </ol>
            <h4>{ format!("Chain IDs ({})", config.chain_ids.len()) }</h4>
            <ol start="0" class="digest-list">
                { for config.chain_ids.iter().enumerate().map(|(index, d)| html! {
                    <li><DigestValue digest={d.clone()} testid="chain-id" role={Some(DigestRole::ChainId { index })} /></li>
                }) }
            </ol>
        </section>
    }
}
