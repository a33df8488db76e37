//! One component per file.
pub mod descriptor_list;
pub mod digest_value;
pub mod document_card;
pub mod examples_bar;
pub mod explainer;
pub mod family_map;
pub mod fetch_panel;
pub mod findings;
pub mod input_panel;
pub mod map_details;
pub mod referrers;
pub mod registry_error;
pub mod share_bar;
pub mod verification;
pub mod which_digest;

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
