//! What the map says about the selected box: the digest with its copy button and commands, every
//! descriptor that lists it (and how they disagree with the loaded document), the layer blob /
//! diff_id pair, and the raw JSON.

use super::digest_value::DigestValue;
use super::document_card::raw_preview;
use super::human_size;
use crate::core::graph::{Family, Node, NodeId, NodeKey, NodeKind, LAYER_VS_DIFF_ID};
use crate::ui::state::DocumentList;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MapDetailsProps {
    pub family: Rc<Family>,
    pub documents: DocumentList,
    pub selected: NodeKey,
}

#[function_component(MapDetails)]
pub fn map_details(props: &MapDetailsProps) -> Html {
    let family = &props.family;
    let Some(id) = family.node_id(&props.selected) else {
        return html! {};
    };
    let Some(node) = family.node(id) else {
        return html! {};
    };
    let state = node.state();
    let title = node.title();
    let loaded = node.document.and_then(|i| props.documents.0.get(i));
    html! {
        <aside class="map-details" data-testid="map-details" aria-label={format!("Selected: {title}")}
            data-digest={node.digest.as_ref().map_or_else(String::new, ToString::to_string)}
            data-kind={node.kind.slug()} data-state={state.slug()}>
            <h3>{ title }<span class={classes!("state", state.slug())}>{ state.words() }</span></h3>
            <p class="what" data-testid="map-detail-what">{ family.describe(id) }</p>
            if let Some(digest) = &node.digest {
                <DigestValue digest={digest.clone()} testid="map-detail-digest" role={Some(node.digest_role())} />
            }
            <dl class="facts">
                if let Some(size) = node.size {
                    <dt>{ if loaded.is_some() { "Size" } else { "Declared size" } }</dt>
                    <dd>{ human_size(size) }</dd>
                }
                if let Some(platform) = &node.platform {
                    <dt>{ "Platform" }</dt><dd>{ platform.to_string() }</dd>
                }
                if let Some(doc) = loaded {
                    <dt>{ "Loaded as" }</dt><dd>{ doc.source.title() }</dd>
                }
            </dl>
            if !node.mismatches.is_empty() {
                <ul class="mismatches" data-testid="map-mismatches">
                    { for node.mismatches.iter().map(|m| html! { <li class="mismatch">{ m.to_string() }</li> }) }
                </ul>
            }
            if !node.references.is_empty() {
                <h4>{ "Listed by" }</h4>
                <ul class="references">
                    { for node.references.iter().map(|r| html! {
                        <li>
                            { family.reference_place(r) }
                            { r.size.map(|s| format!(": size {s}")).unwrap_or_default() }
                            { r.media_type.as_ref().map(|m| format!(", mediaType {m}")).unwrap_or_default() }
                        </li>
                    }) }
                </ul>
            }
            { layer_pair(family, id) }
            if node.kind == NodeKind::ChainId {
                <p class="muted">{ "A chain ID names a stack of layers: the first is the first diff_id, each next one is \
                    sha256 of the previous chain ID, a space, and the next diff_id. Docker and containerd name unpacked \
                    layer snapshots by it." }</p>
            }
            { raw(family, node, &props.documents) }
        </aside>
    }
}

fn layer_pair(family: &Family, id: NodeId) -> Html {
    let Some((layer, diff_id, index)) = family.layer_pair(id) else {
        return html! {};
    };
    let digest = |side: Option<NodeId>| side.and_then(|s| family.node(s)).and_then(|n| n.digest.clone());
    let (blob, diff) = (digest(layer), digest(diff_id));
    let side =
        |heading: String, value: Option<crate::core::digest::Digest>, testid: &'static str, missing: &str| {
            html! {
                <div>
                    <h4>{ heading }</h4>
                    { match value {
                        Some(d) => html! { <DigestValue digest={d} {testid} /> },
                        None => html! { <p class="muted">{ missing.to_owned() }</p> },
                    } }
                </div>
            }
        };
    html! {
        <section class="layer-pair" data-testid="layer-pair" aria-label={format!("Layer {index}: blob and diff_id")}>
            { side(format!("Layer {index} blob (as stored)"), blob.clone(), "pair-blob", "Load the manifest to see it.") }
            { side(format!("diff_id {index} (uncompressed tar)"), diff.clone(), "pair-diff-id", "Load the config to see it.") }
            <p class="explain">{ LAYER_VS_DIFF_ID }</p>
            if blob.is_some() && blob == diff {
                <p class="explain">{ "Here both are equal: this layer is stored uncompressed." }</p>
            }
        </section>
    }
}

fn raw(family: &Family, node: &Node, documents: &DocumentList) -> Html {
    if let Some(doc) = node.document.and_then(|i| documents.0.get(i)) {
        if doc.analysis().json.is_none() {
            return html! {
                <p class="muted">{ format!("{} is not JSON ({} bytes); its digest covers every byte.", doc.source.title(), doc.bytes().len()) }</p>
            };
        }
        return html! {
            <details class="raw" open=true>
                <summary>{ format!("Raw JSON: the exact bytes of {}", doc.source.title()) }</summary>
                <pre data-testid="map-raw">{ raw_preview(doc.bytes()) }</pre>
            </details>
        };
    }
    let names = documents.names();
    let members = documents.members(&names);
    let Some((reference, json)) = node
        .references
        .iter()
        .find_map(|r| family.descriptor_json(&members, r).map(|j| (r, j)))
    else {
        return html! {};
    };
    html! {
        <details class="raw" open=true>
            <summary>{ format!("The descriptor as {} writes it (indented for reading)", family.reference_place(reference)) }</summary>
            <pre data-testid="map-raw">{ json }</pre>
        </details>
    }
}
