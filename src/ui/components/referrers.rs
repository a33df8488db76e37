//! What is attached to a fetched manifest or index: its referrers (signatures, SBOMs,
//! attestations), how they were found, and a way to open each one. Opening fetches the referrer
//! like any manifest, so its card (and its `subject` link to this manifest) joins the page.

use super::digest_value::DigestValue;
use super::fetch_panel::Wanted;
use super::human_size;
use crate::core::digest::Digest;
use crate::core::distribution::referrers::{Listing, Referrer};
use crate::core::explain::DigestRole;
use crate::core::reference::Reference;
use std::collections::HashSet;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ReferrersProps {
    /// The reference the manifest was fetched with (its repository is where referrers live).
    pub reference: Reference,
    /// The manifest's digest.
    pub subject: Digest,
    /// `None` until looked up.
    pub listing: Option<Rc<Listing>>,
    /// Digests of the documents loaded on the page, to mark referrers already opened.
    pub loaded: Rc<HashSet<Digest>>,
    /// Asks the fetch panel for a fetch.
    pub on_request: Callback<(Reference, Wanted)>,
}

#[function_component(Referrers)]
pub fn referrers(props: &ReferrersProps) -> Html {
    let reference = &props.reference;
    let ask = |wanted: Wanted| {
        let on_request = props.on_request.clone();
        let reference = reference.pinned(&props.subject);
        Callback::from(move |_: MouseEvent| on_request.emit((reference.clone(), wanted.clone())))
    };
    let Some(listing) = &props.listing else {
        return html! {
            <section class="referrers" data-testid="referrers" data-state="not-looked">
                <h3>{ "Referrers" }</h3>
                <p class="muted">{ "Signatures, SBOMs and attestations attached to this exact digest." }</p>
                <button type="button" class="secondary" data-testid="find-referrers"
                    onclick={ask(Wanted::Referrers { subject: props.subject.clone(), artifact_type: None })}>
                    { "Look for referrers" }
                </button>
            </section>
        };
    };
    let chosen = listing.artifact_type.clone();
    let mut choices = listing.artifact_types();
    if let Some(chosen) = chosen.as_ref().filter(|c| !choices.contains(c)) {
        choices.push(chosen.clone());
    }
    let filter = |artifact_type: Option<String>| {
        let label = artifact_type.clone().unwrap_or_else(|| "all".to_owned());
        let pressed = artifact_type == chosen;
        let onclick = ask(Wanted::Referrers {
            subject: props.subject.clone(),
            artifact_type: artifact_type.clone(),
        });
        html! {
            <button type="button" class="secondary chip" data-testid="referrers-filter"
                data-artifact-type={artifact_type.unwrap_or_default()} aria-pressed={pressed.to_string()} {onclick}>
                { label }
            </button>
        }
    };
    let state = if listing.referrers.is_empty() {
        "none"
    } else {
        "listed"
    };
    html! {
        <section class="referrers" data-testid="referrers" data-state={state}>
            <h3>{ format!("Referrers ({})", listing.referrers.len()) }</h3>
            <p class="muted" data-testid="referrers-source">{ listing.how_found() }</p>
            if choices.len() > 1 || chosen.is_some() {
                <div class="filters" role="group" aria-label="Show only one artifactType">
                    { filter(None) }
                    { for choices.into_iter().map(Some).map(&filter) }
                </div>
            }
            if let Some(chosen) = &chosen {
                <p class="muted" data-testid="referrers-filtered">
                    { format!("Only referrers of artifactType {chosen} are shown.") }
                </p>
            }
            if listing.referrers.is_empty() {
                <p data-testid="referrers-empty">
                    { "No referrers: nothing here names this digest as its subject." }
                </p>
            }
            <ul class="referrer-list">
                { for listing.referrers.iter().map(|r| row(r, reference, &props.loaded, &props.on_request)) }
            </ul>
            if !listing.problems().is_empty() {
                <ul class="problems">
                    { for listing.problems().into_iter().map(|p| html! { <li class="warning">{ p }</li> }) }
                </ul>
            }
        </section>
    }
}

fn row(
    referrer: &Referrer,
    reference: &Reference,
    loaded: &HashSet<Digest>,
    on_request: &Callback<(Reference, Wanted)>,
) -> Html {
    let title = referrer
        .kind_name()
        .map(str::to_owned)
        .or_else(|| referrer.artifact_type.clone())
        .unwrap_or_else(|| "artifact of unknown type".to_owned());
    let open = referrer.digest.as_ref().map(|digest| {
        let on_request = on_request.clone();
        let pinned = reference.pinned(digest);
        Callback::from(move |_: MouseEvent| on_request.emit((pinned.clone(), Wanted::Walk)))
    });
    let opened = referrer.digest.as_ref().is_some_and(|d| loaded.contains(d));
    html! {
        <li class="descriptor referrer" data-testid="referrer" data-found-by={referrer.found_by.slug()}
            data-artifact-type={referrer.artifact_type.clone().unwrap_or_default()}>
            <div class="descriptor-head">
                <strong data-testid="referrer-kind">{ title }</strong>
                if let Some(size) = referrer.size {
                    <span class="size" data-testid="referrer-size" data-bytes={size.to_string()}>{ human_size(size) }</span>
                }
            </div>
            <div>
                { "artifactType " }
                { match &referrer.artifact_type {
                    Some(t) => html! { <code data-testid="referrer-artifact-type">{ t.clone() }</code> },
                    None => html! { <span class="muted">{ "none listed" }</span> },
                } }
            </div>
            if let Some(media_type) = &referrer.media_type {
                <div class="media-type"><code>{ media_type.to_string() }</code></div>
            }
            if let Some(digest) = &referrer.digest {
                <DigestValue digest={digest.clone()} testid="referrer-digest" role={Some(DigestRole::Referrer)}
                    image={AttrValue::from(reference.pinned(digest).to_string())} />
            }
            if !referrer.annotations.is_empty() {
                <dl class="annotations" data-testid="referrer-annotations">
                    { for referrer.annotations.iter().map(|(k, v)| html! { <><dt>{ k.clone() }</dt><dd>{ v.clone() }</dd></> }) }
                </dl>
            }
            if !referrer.problems.is_empty() {
                <ul class="problems">
                    { for referrer.problems.iter().map(|p| html! { <li class="warning">{ format!("This descriptor {p}.") }</li> }) }
                </ul>
            }
            if opened {
                <p class="muted" data-testid="referrer-opened">{ "Opened: its card is on this page." }</p>
            } else if let Some(onclick) = open {
                <button type="button" class="secondary" data-testid="open-referrer" {onclick}>{ "Open" }</button>
            }
        </li>
    }
}
