//! One component per file.
pub mod bytes_view;
pub mod compare_images;
pub mod compare_panel;
pub mod comparison_view;
pub mod connection_settings;
pub mod descriptor_list;
pub mod digest_value;
pub mod document_card;
pub mod examples_bar;
pub mod expected_check;
pub mod explainer;
pub mod family_map;
pub mod fetch_panel;
pub mod findings;
pub mod folded_section;
pub mod image_files;
pub mod input_area;
pub mod input_panel;
pub mod layer_chain_ids;
pub mod layer_comparison;
pub mod layer_file_row;
pub mod layer_files;
pub mod layer_filesystem;
pub mod layer_pairs;
pub mod layer_panel;
pub mod layer_row;
pub mod layer_sources;
pub mod map_details;
pub mod referrers;
pub mod registry_error;
pub mod repush_preview;
pub mod share_bar;
pub mod verification;
pub mod which_digest;

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::{InputEvent, NodeRef, TargetCast};

/// The text of a form field, an `<input>` or a `<textarea>` (empty when the node is neither, or
/// not mounted).
pub fn field_text(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|input| input.value())
        .or_else(|| node.cast::<HtmlTextAreaElement>().map(|area| area.value()))
        .unwrap_or_default()
}

/// Sets the text of a form field, an `<input>` or a `<textarea>`.
pub fn set_field_text(node: &NodeRef, text: &str) {
    if let Some(input) = node.cast::<HtmlInputElement>() {
        input.set_value(text);
    } else if let Some(area) = node.cast::<HtmlTextAreaElement>() {
        area.set_value(text);
    }
}

/// The text of the `<input>` an `input` event came from (empty from any other target).
pub fn typed_text(event: &InputEvent) -> String {
    event
        .target_dyn_into::<HtmlInputElement>()
        .map(|input| input.value())
        .unwrap_or_default()
}

/// Bytes in both forms: the exact count (what descriptors declare) and a human unit.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{bytes} bytes ({value:.1} {})", UNITS[unit])
}

/// Annotation keys and values are drawn up to this many characters: a 50 MiB annotation would
/// otherwise freeze the page while the browser lays it out. The digest covers every byte anyway.
const SHOWN_TEXT_LIMIT: usize = 2048;

/// `text`, cut at [`SHOWN_TEXT_LIMIT`] characters with a note of how much was left out.
pub fn shown(text: &str) -> String {
    match text.char_indices().nth(SHOWN_TEXT_LIMIT) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}… ({} more bytes not shown)", &text[..cut], text.len() - cut),
    }
}
