//! "What would a re-push produce?": the same manifest as common tools write it, each with its digest.
//!
//! This is the page's answer to "the image ID is the same, why did the digest change?" shown on
//! the user's own manifest: one JSON value, several spellings, several digests. The renderings are
//! written only when the user opens the section, by the analysis worker.

use super::bytes_view::BytesView;
use super::digest_value::DigestValue;
use crate::core::diagnose::report::RenderingReport;
use crate::core::document::Kind;
use crate::ui::comparison_worker::{use_repush_preview, Answered};
use crate::ui::state::{Handle, LoadedDocument};
use std::rc::Rc;
use web_sys::Element;
use yew::prelude::*;

#[derive(Properties)]
pub struct RepushPreviewProps {
    pub doc: Rc<LoadedDocument>,
}

impl PartialEq for RepushPreviewProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.doc, &other.doc)
    }
}

/// Manifests and indexes are what tools write again on push; configs and layers travel as blobs.
fn is_pushed_document(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::OciManifest
            | Kind::OciIndex
            | Kind::DockerManifest
            | Kind::DockerManifestList
            | Kind::DockerSchema1
    )
}

#[function_component(RepushPreview)]
pub fn repush_preview_section(props: &RepushPreviewProps) -> Html {
    let open = use_state(|| false);
    let answer = use_repush_preview(Handle(props.doc.clone()), *open);
    if !is_pushed_document(props.doc.analysis().kind) {
        return html! {};
    }
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            if let Some(details) = e.target_dyn_into::<Element>() {
                open.set(details.has_attribute("open"));
            }
        })
    };
    let renderings = match &answer {
        Answered::Done(renderings) => renderings.clone(),
        Answered::Idle | Answered::Working | Answered::Failed(_) => Rc::default(),
    };
    let keeps = renderings.iter().filter(|r| r.same_as_input).count();

    html! {
        <details class="repush" data-testid="repush" {ontoggle}>
            <summary>{ "What a re-push would produce" }</summary>
            <p>
                { "The same manifest, written the way common tools write it. The content is the same in every \
                   row, and so are the config (the Image ID) and the layers; only the bytes differ, and with them \
                   the digest, because a digest is the sha256 of the exact bytes. A tool that copies the bytes as \
                   they are (crane copy, regctl image copy, skopeo copy --preserve-digests, oras copy) keeps \
                   yours." }
            </p>
            if let Answered::Working = answer {
                <p class="muted" role="status" data-testid="repush-pending">{ "Writing…" }</p>
            }
            if let Answered::Failed(message) = &answer {
                <p class="error" role="alert" data-testid="repush-failed">{ message.clone() }</p>
            }
            if matches!(answer, Answered::Done(_)) && keeps == 0 {
                <p class="notice" data-testid="repush-none-same">
                    { "None of these tools writes exactly your bytes: whichever of them pushes this manifest again gives it a new digest." }
                </p>
            }
            <ul class="renderings">
                { for renderings.iter().map(rendering) }
            </ul>
        </details>
    }
}

fn rendering(rendering: &RenderingReport) -> Html {
    html! {
        <li class={classes!("rendering", rendering.same_as_input.then_some("same"))} data-testid="rendering"
            data-same={rendering.same_as_input.to_string()}>
            <div class="rendering-head">
                <span data-testid="rendering-name">{ rendering.name.clone() }</span>
                <span class="size">{ format!("{} bytes", rendering.size) }</span>
            </div>
            if rendering.same_as_input {
                <p class="same-marker" data-testid="rendering-same">{ "✓ Exactly your bytes: this tool keeps your digest." }</p>
            }
            <DigestValue digest={rendering.digest.clone()} testid="rendering-digest" />
            <BytesView text={rendering.text.clone()} testid="rendering-bytes"
                summary="Show these bytes" />
        </li>
    }
}
