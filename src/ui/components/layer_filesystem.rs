//! The image's filesystem once every layer is listed: the layers applied in order (whiteouts
//! delete, later writes shadow), and per layer the bytes it adds and how many of them end up
//! hidden. Hidden bytes are still downloaded and stored: they are what a rebuild could save.

use super::human_size;
use super::image_files::ImageFiles;
use crate::core::digest::Digest;
use crate::core::layer::merge::{merge, Filesystem};
use crate::core::layer::tar::Listing;
use crate::ui::layers::rows::Files;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LayerFilesystemProps {
    /// Each layer's listing, in manifest order.
    pub layers: Vec<Files>,
    /// Each layer's blob digest, in manifest order.
    pub digests: Vec<Option<Digest>>,
}

/// A complete listing from a row's batches and its end, when the listing has ended.
fn listing(files: &Files) -> Option<Listing> {
    let end = files.listing.as_ref()?;
    Some(Listing {
        entries: files.entries().cloned().collect(),
        ..(**end).clone()
    })
}

#[function_component(LayerFilesystem)]
pub fn layer_filesystem(props: &LayerFilesystemProps) -> Html {
    // Merged once per set of listings, not on every render of the panel.
    let merged = use_memo(props.layers.clone(), |layers| {
        let listings: Option<Vec<Listing>> = layers.iter().map(listing).collect();
        listings.filter(|l| !l.is_empty()).map(|listings| {
            let fs: Rc<Filesystem> = Rc::new(merge(&listings.iter().collect::<Vec<_>>()));
            (listings.len(), fs)
        })
    });
    let Some((layer_count, fs)) = merged.as_ref() else {
        return Html::default();
    };
    let visible: u64 = fs.paths.values().map(|p| p.size).sum();
    html! {
        <div class="layer-filesystem" data-testid="layer-filesystem">
            <h3>{ "The image's filesystem" }</h3>
            <p class="muted">
                { format!("{} paths, {} in files, after applying the {} layers in order (whiteouts delete what lower layers hold).",
                    fs.paths.len(), human_size(visible), layer_count) }
            </p>
            <table class="evidence">
                <thead>
                    <tr>
                        <th scope="col">{ "Layer" }</th>
                        <th scope="col">{ "Adds" }</th>
                        <th scope="col">{ "Hidden above (shadowed or deleted)" }</th>
                        <th scope="col">{ "Deletions" }</th>
                        <th scope="col">{ "Paths it last wrote" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for fs.layers.iter().enumerate().map(|(i, share)| html! {
                        <tr data-testid="layer-share" data-index={i.to_string()} data-added={share.added_bytes.to_string()}
                            data-hidden={share.hidden_bytes.to_string()}>
                            <th scope="row">{ format!("{i}{}", if share.partial { " (partly listed)" } else { "" }) }</th>
                            <td>{ human_size(share.added_bytes) }</td>
                            <td>{ human_size(share.hidden_bytes) }</td>
                            <td>{ share.deletions }</td>
                            <td>{ fs.paths.values().filter(|p| p.layer == i).count() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <ImageFiles fs={Rc::clone(fs)} digests={props.digests.clone()} />
        </div>
    }
}
