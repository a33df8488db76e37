//! The descriptors a manifest or index holds: config, layers, platform manifests, subject.

use super::digest_value::DigestValue;
use super::{human_size, shown};
use crate::core::descriptor::{Descriptor, Role};
use crate::core::explain::DigestRole;
use crate::core::media_type::MediaType;
use yew::prelude::*;

/// Rows drawn at first; a document with 100,000 layers stays usable, the rest is one click away.
const FIRST_ROWS: usize = 200;

#[derive(Properties, PartialEq)]
pub struct DescriptorListProps {
    pub descriptors: Vec<Descriptor>,
    /// The document is an artifact: its layers are files, not filesystem layers.
    #[prop_or_default]
    pub artifact: bool,
}

fn label(d: &Descriptor, artifact: bool) -> String {
    match d.role {
        Role::Config if d.media_type == Some(MediaType::OciEmpty) => {
            "Config: the empty descriptor".to_owned()
        }
        Role::Config => "Config".to_owned(),
        Role::Layer(i) if artifact => format!("Blob {i} (a file of the artifact, not a filesystem layer)"),
        Role::Layer(i) => format!("Layer {i}"),
        Role::Manifest(i) if d.is_attestation() => {
            format!("Manifest {i}: attestation (buildx), not a platform")
        }
        Role::Manifest(i) => match &d.platform {
            Some(p) => format!("Manifest {i}: {p}"),
            None => format!("Manifest {i}"),
        },
        Role::Subject => "Subject (what this artifact refers to)".to_owned(),
        Role::Blob(i) => format!("Blob {i}"),
    }
}

fn digest_role(d: &Descriptor, artifact: bool) -> DigestRole {
    match d.role {
        _ if d.media_type == Some(MediaType::OciEmpty) => DigestRole::EmptyDescriptor,
        Role::Config => DigestRole::Config,
        Role::Layer(index) if artifact => DigestRole::ArtifactBlob { index },
        Role::Blob(index) => DigestRole::ArtifactBlob { index },
        Role::Layer(index) => DigestRole::LayerBlob { index },
        Role::Manifest(_) if d.is_attestation() => DigestRole::AttestationManifest,
        Role::Manifest(_) => DigestRole::PlatformManifest {
            platform: d.platform.clone(),
        },
        Role::Subject => DigestRole::Subject,
    }
}

#[function_component(DescriptorList)]
pub fn descriptor_list(props: &DescriptorListProps) -> Html {
    let show_all = use_state(|| false);
    let total = props.descriptors.len();
    let shown = if *show_all { total } else { total.min(FIRST_ROWS) };
    let more = {
        let show_all = show_all.clone();
        Callback::from(move |_: MouseEvent| show_all.set(true))
    };
    html! {
        <section class="descriptors">
            <h3>{ format!("Descriptors ({total})") }</h3>
            <ul>
                { for props.descriptors.iter().take(shown).map(|d| row(d, props.artifact)) }
            </ul>
            if shown < total {
                <button type="button" class="secondary" onclick={more}>{ format!("Show all {total}") }</button>
            }
        </section>
    }
}

fn row(d: &Descriptor, artifact: bool) -> Html {
    let media_type = d.media_type.as_ref();
    html! {
        <li class="descriptor" data-testid="descriptor" data-role={d.role.slug()}>
            <div class="descriptor-head">
                <strong>{ label(d, artifact) }</strong>
                if let Some(size) = d.size {
                    <span class="size" data-bytes={size.to_string()}>{ human_size(size) }</span>
                }
            </div>
            <div class="media-type">
                { match media_type {
                    Some(m) => html! { <><code>{ m.to_string() }</code>{ m.description().map(|n| format!(" — {n}")).unwrap_or_default() }</> },
                    None => html! { <span class="muted">{ "no mediaType" }</span> },
                } }
            </div>
            if let Some(artifact_type) = &d.artifact_type {
                <div>{ "artifactType " }<code>{ artifact_type.clone() }</code></div>
            }
            if let Some(digest) = &d.digest {
                <DigestValue digest={digest.clone()} testid="descriptor-digest" role={Some(digest_role(d, artifact))} />
            }
            if !d.annotations.is_empty() {
                <dl class="annotations">
                    { for d.annotations.iter().map(|(k, v)| html! { <><dt>{ shown(k) }</dt><dd>{ shown(v) }</dd></> }) }
                </dl>
            }
            if !d.urls.is_empty() {
                <div class="urls">{ "urls: " }{ for d.urls.iter().map(|u| html! { <code>{ u.clone() }{ " " }</code> }) }</div>
            }
            if !d.problems.is_empty() {
                <ul class="problems">
                    { for d.problems.iter().map(|p| html! { <li class="warning">{ format!("This descriptor {p}.") }</li> }) }
                </ul>
            }
        </li>
    }
}
