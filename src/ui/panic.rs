//! A panic in WASM leaves a dead page. This hook shows a readable message instead (as text, never
//! HTML) and reports the panic in the console.

use wasm_bindgen::JsValue;

pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        show_banner(&format!("Digest Lens hit an internal error and stopped: {info}"));
    }));
}

/// Reports `message` in the console and in the page's `#panic` banner, as text: a panic message
/// can quote input, which must never become markup.
pub fn show_banner(message: &str) {
    web_sys::console::error_1(&JsValue::from_str(message));
    let banner = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("panic"));
    if let Some(banner) = banner {
        banner.set_text_content(Some(&format!(
            "{message}\nReload the page to continue. Please report this with the input that caused it."
        )));
        let _ = banner.remove_attribute("hidden");
    }
}
