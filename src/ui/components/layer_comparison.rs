//! "Why do these two layers differ?": two layer blobs opened in the comparison get a file-level
//! answer (`core::layer::diff`) instead of the document comparison: compression only, the same
//! files in another tar (mtimes, owners, modes, order, PAX records, padding), or the files that
//! were added, removed and changed.
//!
//! The blobs are verified, listed and compared in the analysis worker (`use_layer_difference`):
//! a blob of hundreds of MiB never blocks the page, which says "Working…" meanwhile. The
//! comparison's files are read whole by the compare panel, so the worker gets a copy of each
//! and reads it 64 KiB at a time.

use super::human_size;
use crate::core::layer::diff::{ContentChanges, Example, FileFact, LayerDifference, TarReason};
use crate::ui::comparison_worker::{use_layer_difference, Answered, LayerBlob};
use crate::ui::state::Handle;
use yew::prelude::*;

/// Rows shown per list of files.
const SHOWN: usize = 50;

#[derive(Properties, PartialEq)]
pub struct LayerComparisonProps {
    pub a: Handle,
    pub b: Handle,
}

#[function_component(LayerComparison)]
pub fn layer_comparison(props: &LayerComparisonProps) -> Html {
    let state = use_layer_difference(Some((
        LayerBlob::Given(props.a.clone()),
        LayerBlob::Given(props.b.clone()),
    )));
    html! {
        <div class="comparison layer-comparison" data-testid="comparison">
            { match state {
                Answered::Done(difference) => html! {
                    <div class="verdict" data-testid="verdict" data-verdict={difference.slug()} role="status" aria-live="polite">
                        <p>{ difference.headline() }</p>
                        { details(&difference) }
                    </div>
                },
                Answered::Idle | Answered::Working => html! {
                    <p class="muted" role="status" data-testid="compare-pending">
                        { "Working… both layers are read, listed and compared in the background." }
                    </p>
                },
                Answered::Failed(message) => html! {
                    <p class="error" role="alert" data-testid="compare-error">{ message }</p>
                },
            } }
        </div>
    }
}

/// The evidence under a layer difference's headline.
pub fn details(difference: &LayerDifference) -> Html {
    match difference {
        LayerDifference::CompressionOnly { differences, .. } => html! {
            <ul class="differences">{ for differences.iter().map(|d| html! { <li>{ d.clone() }</li> }) }</ul>
        },
        LayerDifference::TarOnly { reasons } => html! {
            <>{ for reasons.iter().map(reason_view) }</>
        },
        LayerDifference::Contents(changes) => contents_view(changes),
        LayerDifference::SameBlob | LayerDifference::Undecided { .. } => Html::default(),
    }
}

fn reason_view(reason: &TarReason) -> Html {
    let examples: &[Example] = match reason {
        TarReason::EntryOrder { examples }
        | TarReason::Mtimes { examples, .. }
        | TarReason::Ownership { examples, .. }
        | TarReason::Modes { examples, .. }
        | TarReason::PaxExtras { examples, .. } => examples,
        TarReason::EndOfArchive { .. } | TarReason::HeaderEncoding => &[],
    };
    html! {
        <div class="layer-reason" data-testid="layer-reason">
            <p class="differences">{ reason.to_string() }</p>
            if !examples.is_empty() {
                <table class="evidence">
                    <thead><tr><th scope="col">{ "Path" }</th><th scope="col">{ "A" }</th><th scope="col">{ "B" }</th></tr></thead>
                    <tbody>
                        { for examples.iter().map(|e| html! {
                            <tr data-testid="layer-reason-example" data-path={e.path.clone()}>
                                <th scope="row"><code>{ e.path.clone() }</code></th>
                                <td><code>{ e.a.clone() }</code></td>
                                <td><code>{ e.b.clone() }</code></td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </div>
    }
}

fn fact_cells(fact: &FileFact) -> Html {
    html! {
        <>
            <td>{ format!("{} · {}", fact.kind.name(), human_size(fact.size)) }</td>
            <td><code>{ fact.digest.as_ref().map(|d| d.short().to_owned()).or_else(|| fact.link.clone()).unwrap_or_default() }</code></td>
        </>
    }
}

fn contents_view(changes: &ContentChanges) -> Html {
    let list = |title: &str, testid: &'static str, facts: &[FileFact]| {
        html! {
            if !facts.is_empty() {
                <h4>{ format!("{title} ({})", facts.len()) }</h4>
                <table class="evidence" data-testid={testid}>
                    <tbody>
                        { for facts.iter().take(SHOWN).map(|f| html! {
                            <tr data-path={f.path.clone()}><th scope="row"><code>{ f.path.clone() }</code></th>{ fact_cells(f) }</tr>
                        }) }
                    </tbody>
                </table>
            }
        }
    };
    html! {
        <>
            { list("Added in B", "layer-added", &changes.added) }
            { list("Removed in B", "layer-removed", &changes.removed) }
            if !changes.changed.is_empty() {
                <h4>{ format!("Changed ({})", changes.changed.len()) }</h4>
                <table class="evidence" data-testid="layer-changed">
                    <thead><tr><th scope="col">{ "Path" }</th><th scope="col" colspan="2">{ "A" }</th><th scope="col" colspan="2">{ "B" }</th></tr></thead>
                    <tbody>
                        { for changes.changed.iter().take(SHOWN).map(|(a, b)| html! {
                            <tr data-path={a.path.clone()}><th scope="row"><code>{ a.path.clone() }</code></th>{ fact_cells(a) }{ fact_cells(b) }</tr>
                        }) }
                    </tbody>
                </table>
            }
        </>
    }
}
