//! The image's files once every layer is listed: the merged tree (whiteouts and opaque
//! directories applied in order), each path marked with the layer that last wrote it, folding
//! directories with the bytes below them, a filter box, and on request the paths removed or
//! shadowed on the way with the layer that did it. "Which layer put this file here?" is the
//! question it answers, so the layer is on every row.
//!
//! Hooks for outside checks: `[data-testid="image-files"]` holds one
//! `[data-testid="image-file"]` per shown path, `data-path` being the path as in the tar without
//! a leading `./` and `data-layer` the 0-based index of the layer that last wrote it.
//!
//! At most [`MAX_SHOWN`] rows are drawn at once, as for a layer's listing.

use super::human_size;
use super::layer_files::{folder, MAX_SHOWN};
use crate::core::digest::Digest;
use crate::core::layer::merge::{Filesystem, Gone, MergedEntry, Removal};
use crate::core::layer::tar::EntryKind;
use crate::core::layer::tree::{tree_of, Node, Tally};
use std::cell::Cell;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Directories open at first, counted from the root.
const OPEN_DEPTH: usize = 1;

#[derive(Properties, PartialEq)]
pub struct ImageFilesProps {
    pub fs: Rc<Filesystem>,
    /// Each layer's blob digest, in manifest order, to name the layers.
    pub digests: Vec<Option<Digest>>,
}

/// The merged paths in order, and their tree (indexes into that order).
struct Folded {
    paths: Vec<(String, MergedEntry)>,
    root: Node,
}

fn fold(fs: &Filesystem) -> Folded {
    let paths: Vec<(String, MergedEntry)> = fs.paths.iter().map(|(p, e)| (p.clone(), e.clone())).collect();
    let root = tree_of(paths.iter().enumerate().map(|(i, (p, e))| {
        let tally = match e.kind {
            EntryKind::File => Tally::File(e.size),
            _ => Tally::Other,
        };
        (i, p.as_str(), tally)
    }));
    Folded { paths, root }
}

/// "layer 2 (sha256:0123456789ab)".
fn layer_name(index: usize, digests: &[Option<Digest>]) -> String {
    match digests.get(index).and_then(Option::as_ref) {
        Some(d) => format!("layer {index} ({}:{})", d.algorithm().as_str(), d.short()),
        None => format!("layer {index}"),
    }
}

fn path_row(path: &str, entry: &MergedEntry, full_path: bool, digests: &[Option<Digest>]) -> Html {
    let name = if full_path {
        path
    } else {
        path.rsplit('/').next().unwrap_or(path)
    };
    html! {
        <div class="layer-file" data-testid="image-file" data-path={path.to_owned()}
            data-layer={entry.layer.to_string()} data-kind={entry.kind.name()}
            data-digest={entry.digest.as_ref().map(ToString::to_string)}>
            <span class="layer-file-name">{ name }</span>
            if let Some(link) = &entry.link {
                <span class="layer-file-link">{ format!("→ {link}") }</span>
            }
            <span class="layer-file-mode">{ entry.kind.name() }</span>
            if entry.kind == EntryKind::File {
                <span class="layer-file-size">{ human_size(entry.size) }</span>
            }
            <span class="image-file-layer">{ format!("from {}", layer_name(entry.layer, digests)) }</span>
        </div>
    }
}

fn gone_row(gone: &Gone, digests: &[Option<Digest>]) -> Html {
    let how = match gone.how {
        Removal::Shadowed => "written again by",
        Removal::Opaque => "hidden (opaque directory) by",
        Removal::Replaced => "replaced (a file over its directory) by",
        Removal::Deleted => "deleted by",
    };
    html! {
        <li>
            <div class="layer-file deleted" data-testid="image-file-removed" data-path={gone.path.clone()}
                data-layer={gone.entry.layer.to_string()} data-by={gone.by.to_string()} data-how={gone.how.slug()}>
                <span class="layer-file-name">{ gone.path.clone() }</span>
                <span class="layer-file-mode">{ gone.entry.kind.name() }</span>
                if gone.entry.kind == EntryKind::File {
                    <span class="layer-file-size">{ human_size(gone.entry.size) }</span>
                }
                <span class="image-file-layer">
                    { format!("from {}, {how} {}", layer_name(gone.entry.layer, digests), layer_name(gone.by, digests)) }
                </span>
            </div>
        </li>
    }
}

#[function_component(ImageFiles)]
pub fn image_files(props: &ImageFilesProps) -> Html {
    let filter = use_state(String::new);
    let show_removed = use_state(|| false);
    let folded = use_memo(props.fs.clone(), |fs| fold(fs));
    let oninput = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                filter.set(input.value());
            }
        })
    };
    let ontoggle = {
        let show_removed = show_removed.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                show_removed.set(input.checked());
            }
        })
    };
    let fs = &props.fs;
    let digests = &props.digests;
    let needle = filter.trim().to_lowercase();
    let budget = Cell::new(MAX_SHOWN);
    let rows = if needle.is_empty() {
        let root = &folded.root;
        html! {
            <>
                { for root.entries.iter().filter_map(|&i| folded.paths.get(i)).map(|(p, e)| html! { <li>{ path_row(p, e, true, digests) }</li> }) }
                { for root.children.iter().map(|child| node_view(child, &folded.paths, digests, 0, &budget)) }
            </>
        }
    } else {
        let matching = folded
            .paths
            .iter()
            .filter(|(p, _)| p.to_lowercase().contains(&needle))
            .take(MAX_SHOWN);
        html! { <>{ for matching.map(|(p, e)| html! { <li>{ path_row(p, e, true, digests) }</li> }) }</> }
    };
    let removed = show_removed.then(|| {
        let matching = fs
            .gone
            .iter()
            .filter(|g| needle.is_empty() || g.path.to_lowercase().contains(&needle))
            .take(MAX_SHOWN);
        html! {
            <>
                <h4>{ "Removed or written again on the way, in the order the layers did it" }</h4>
                <ul class="layer-files" data-testid="image-files-removed">
                    { for matching.map(|g| gone_row(g, digests)) }
                </ul>
            </>
        }
    });
    html! {
        <details class="layer-files-box" open=true data-testid="image-files-box">
            <summary data-testid="image-files-summary">
                { format!("Files of the image: {} paths · {} in {} files", fs.paths.len(), human_size(folded.root.bytes), folded.root.files) }
            </summary>
            <div class="input-row">
                <label class="label">
                    { "Filter paths " }
                    <input type="search" data-testid="image-files-filter" placeholder="etc/ or .so"
                        value={(*filter).clone()} {oninput} />
                </label>
                <label class="label">
                    <input type="checkbox" data-testid="image-files-show-removed" checked={*show_removed} onchange={ontoggle} />
                    { format!(" Show the {} paths removed or written again on the way", fs.gone.len() as u64 + fs.omitted.gone) }
                </label>
            </div>
            { notes(fs, folded.paths.len()) }
            <ul class="layer-files" data-testid="image-files">
                { rows }
            </ul>
            { removed.unwrap_or_default() }
        </details>
    }
}

/// What the caps and partial listings leave out.
fn notes(fs: &Filesystem, paths: usize) -> Html {
    let partial: Vec<String> = fs
        .layers
        .iter()
        .enumerate()
        .filter(|(_, share)| share.partial)
        .map(|(i, _)| i.to_string())
        .collect();
    html! {
        <>
            if fs.omitted.paths > 0 {
                <p class="notice" data-testid="image-files-omitted">
                    { format!("Only the first {} paths are kept: {} more paths written by the layers are counted, not shown.", fs.paths.len(), fs.omitted.paths) }
                </p>
            }
            if fs.omitted.gone > 0 {
                <p class="notice">{ format!("{} more removals are counted, not shown.", fs.omitted.gone) }</p>
            }
            if !partial.is_empty() {
                <p class="notice" data-testid="image-files-partial">
                    { format!("Layers {} were listed only in part (a cap or a damaged tar): the tree lacks what they hold past that point.", partial.join(", ")) }
                </p>
            }
            if paths > MAX_SHOWN {
                <p class="muted">{ format!("Showing the first {MAX_SHOWN} of {paths} paths; the filter searches them all.") }</p>
            }
        </>
    }
}

/// A directory (folding, with its size) or a path, drawing at most `budget` more rows.
fn node_view(
    node: &Node,
    paths: &[(String, MergedEntry)],
    digests: &[Option<Digest>],
    depth: usize,
    budget: &Cell<usize>,
) -> Html {
    if budget.get() == 0 {
        return Html::default();
    }
    budget.set(budget.get().saturating_sub(node.entries.len().max(1)));
    let own = html! {
        <>{ for node.entries.iter().filter_map(|&i| paths.get(i)).map(|(p, e)| path_row(p, e, false, digests)) }</>
    };
    folder(node, own, depth < OPEN_DEPTH, || {
        html! { <>{ for node.children.iter().map(|child| node_view(child, paths, digests, depth + 1, budget)) }</> }
    })
}
