//! The files of a layer's tar as they streamed by: a tree that folds, with the bytes below each
//! directory, and a filter box. Whiteouts show as what they mean: deletions from the layers below.
//!
//! Hooks for outside checks: `[data-testid="layer-files"]` holds one `[data-testid="layer-file"]`
//! per entry, `data-path` being the entry's path as in the tar without a leading `./`.
//!
//! At most [`MAX_SHOWN`] entries are drawn at once: a browser slows to a crawl with hundreds of
//! thousands of rows; the filter reaches the rest.

use super::human_size;
use super::layer_file_row::FileRow;
use crate::core::layer::tar::{Entry, Listing};
use crate::core::layer::tree::{tree, Node};
use crate::ui::layers::rows::Files;
use std::cell::Cell;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Entries drawn at most.
pub const MAX_SHOWN: usize = 5000;

/// Directories open at first, counted from the root.
const OPEN_DEPTH: usize = 2;

#[derive(Properties, PartialEq)]
pub struct LayerFilesProps {
    pub files: Files,
}

#[function_component(LayerFiles)]
pub fn layer_files(props: &LayerFilesProps) -> Html {
    let filter = use_state(String::new);
    let entries: Rc<Vec<Entry>> = use_memo(props.files.clone(), |files| files.entries().cloned().collect());
    let root = use_memo(entries.clone(), |entries| tree(entries.iter().enumerate()));
    let oninput = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                filter.set(input.value());
            }
        })
    };
    let budget = Cell::new(MAX_SHOWN);
    let needle = filter.trim().to_lowercase();
    let rows = if needle.is_empty() {
        let root_rows = root.entries.iter().filter_map(|&i| entries.get(i));
        html! {
            <>
                { for root_rows.map(|e| html! { <li><FileRow entry={e.clone()} full_path=true /></li> }) }
                { for root.children.iter().map(|child| node_view(child, &entries, 0, &budget)) }
            </>
        }
    } else {
        let matching = entries
            .iter()
            .filter(|e| e.path.to_lowercase().contains(&needle))
            .take(MAX_SHOWN);
        html! { <>{ for matching.map(|e| html! { <li><FileRow entry={e.clone()} full_path=true /></li> }) }</> }
    };
    html! {
        <details class="layer-files-box" open=true>
            <summary data-testid="layer-files-summary">
                { format!("Files: {} · {}", count(entries.len() as u64, "entry", "entries"), files_in(&root)) }
                if root.deletions > 0 {
                    { format!(" · {} from lower layers", count(root.deletions, "deletion", "deletions")) }
                }
            </summary>
            <div class="input-row">
                // The input inside its label: a page shows one such box per layer, so no shared id.
                <label class="label">
                    { "Filter paths " }
                    <input type="search" data-testid="layer-files-filter" placeholder="etc/ or .so"
                        value={(*filter).clone()} {oninput} />
                </label>
            </div>
            if let Some(listing) = &props.files.listing {
                { listing_notes(listing, entries.len()) }
            }
            if entries.len() > MAX_SHOWN && needle.is_empty() {
                <p class="muted" data-testid="layer-files-shown">
                    { format!("Showing the first {MAX_SHOWN} of {} entries; the filter searches them all.", entries.len()) }
                </p>
            }
            <ul class="layer-files" data-testid="layer-files">
                { rows }
            </ul>
        </details>
    }
}

/// What the listing left out, why it stopped, how the tar ended.
fn listing_notes(listing: &Listing, listed: usize) -> Html {
    html! {
        <>
            if let Some(note) = listing.omitted_note(listed) {
                <p class="notice" data-testid="layer-files-omitted">{ note }</p>
            }
            if let Some(error) = &listing.error {
                <p class="error" data-testid="layer-files-error" data-problem={error.slug()}>{ error.to_string() }</p>
            }
            if listing.error.is_none() && !listing.end.marker {
                <p class="muted">{ "The tar has no end-of-archive marker (it simply stops); extractors accept that." }</p>
            }
        </>
    }
}

/// A directory (folding, with its size) or a file, drawing at most `budget` more entries.
fn node_view(node: &Node, entries: &[Entry], depth: usize, budget: &Cell<usize>) -> Html {
    if budget.get() == 0 {
        return Html::default();
    }
    budget.set(budget.get().saturating_sub(node.entries.len().max(1)));
    let own = html! {
        <>{ for node.entries.iter().filter_map(|&i| entries.get(i)).map(|e| html! { <FileRow entry={e.clone()} full_path=false /> }) }</>
    };
    folder(node, own, depth < OPEN_DEPTH, || {
        html! { <>{ for node.children.iter().map(|child| node_view(child, entries, depth + 1, budget)) }</> }
    })
}

/// One node of a folded tree: its own rows (`own`), and when it has children a `<details>`
/// (open when `open`) with the directory's name and size, `children` drawn inside. Shared by a
/// layer's files and the image's merged files, so both trees fold and read alike.
pub(super) fn folder(node: &Node, own: Html, open: bool, children: impl FnOnce() -> Html) -> Html {
    if node.children.is_empty() {
        return html! { <li>{ own }</li> };
    }
    html! {
        <li class="layer-dir">
            <details {open}>
                <summary>
                    if node.entries.is_empty() {
                        <span class="layer-file-name">{ format!("{}/", node.name) }</span>
                    }
                    { own }
                    <span class="layer-dir-size">{ dir_size(node) }</span>
                </summary>
                <ul>{ children() }</ul>
            </details>
        </li>
    }
}

/// "1 file", "2 files".
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "32 bytes in 2 files": whiteouts are no files (they count as deletions).
fn files_in(node: &Node) -> String {
    format!(
        "{} in {}",
        human_size(node.bytes),
        count(node.files, "file", "files")
    )
}

/// A directory's size, and the deletions below it: a directory holding only a whiteout shows
/// "1 deletion", not "0 bytes in 1 files".
fn dir_size(node: &Node) -> String {
    match (node.files, node.deletions) {
        (_, 0) => files_in(node),
        (0, d) => count(d, "deletion", "deletions"),
        (_, d) => format!("{} · {}", files_in(node), count(d, "deletion", "deletions")),
    }
}
