//! One layer's row in the layer panel: what the manifest and config claim, how far reading its
//! blob has come, the verdict with its problems and notes, and the files of its tar.

use super::human_size;
use super::layer_files::LayerFiles;
use crate::core::digest::Digest;
use crate::core::layer::compression::SizeEstimate;
use crate::core::layer::estimate::EstimateProblem;
use crate::core::layer::{BlobKind, BlobReport, Encoding, LayerCheck, LayerClaim, Note, Verdict};
use crate::core::media_type::MediaType;
use crate::ui::layers::pool;
use crate::ui::layers::rows::{Row, Status};
use yew::prelude::*;

const MIB: u64 = 1 << 20;

#[derive(Properties, PartialEq)]
pub struct LayerRowProps {
    pub row: Row,
    /// The manifest's and config's claim for a layer row; `None` for a dropped file's row.
    pub claim: Option<LayerClaim>,
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
pub fn layer_row(props: &LayerRowProps) -> Html {
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
                    if let Some(estimate) = &row.estimate {
                        { estimate_view(estimate, &row.status) }
                    }
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
            if !row.files.is_empty() {
                <LayerFiles files={row.files.clone()} />
            }
            if let Some(onclick) = cancel {
                <button type="button" class="secondary" data-testid="layer-cancel" {onclick}>{ "Cancel" }</button>
            }
        </li>
    }
}

/// The uncompressed size beside the compressed one: the measured size once the blob was read to
/// its end, else the estimate from a few bytes, labelled as one with its limits (and why it
/// cannot be trusted, when it cannot); or why there is none.
fn estimate_view(estimate: &Result<SizeEstimate, EstimateProblem>, status: &Status) -> Html {
    let measured = match status {
        Status::Checked { report, .. } => report
            .content
            .as_ref()
            .and_then(|c| c.result.as_ref().ok())
            .map(|c| c.size),
        _ => None,
    };
    match (measured, estimate) {
        (Some(size), estimate) => {
            let was = match estimate {
                Ok(e) if e.bytes == size => " (the estimate was exact)".to_owned(),
                Ok(e) => format!(" (the estimate said {})", human_size(e.bytes)),
                Err(_) => String::new(),
            };
            html! {
                <span class="size" data-testid="layer-estimate" data-state="measured" data-bytes={size.to_string()}>
                    { format!("{} uncompressed, measured{was}", human_size(size)) }
                </span>
            }
        }
        (None, Ok(e)) => {
            let caveat = e.caveat.clone().unwrap_or_default();
            let (state, class, text) = if e.doubtful {
                let text = format!(
                    "≈ {} uncompressed? Cannot be trusted: {caveat}",
                    human_size(e.bytes)
                );
                ("doubtful", "notice", text)
            } else {
                let text = format!(
                    "≈ {} uncompressed (estimate {})",
                    human_size(e.bytes),
                    e.source.phrase()
                );
                ("estimate", "muted", text)
            };
            html! {
                <span class={classes!("size", class)} data-testid="layer-estimate" data-state={state}
                    data-bytes={e.bytes.to_string()} data-source={e.source.slug()} title={caveat}>
                    { text }
                </span>
            }
        }
        (None, Err(problem)) => html! {
            <span class="muted" data-testid="layer-estimate" data-state="unavailable" data-problem={problem.slug()}>
                { problem.to_string() }
            </span>
        },
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
        Status::ImageBlob { what, report } => html! {
            <>
                <p class="note" data-testid="layer-image-blob" data-blob={what.slug()}>{ what.to_string() }</p>
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
