//! The first module the page loads (static/boot.js): it makes the paste box in index.html's static
//! markup show the sha256 digest of the pasted text, and nothing else. The full page
//! (`digestlens_bg.wasm`, ~380 KB gzip) is fetched right after and takes the box's text over, so a
//! paste's digest does not wait for the map, the fetch panel, the permalink codec and the cards
//! (README, "Speed and size"; ARCHITECTURE.md, "The first module"). Natively there is nothing to run.
fn main() {
    #[cfg(target_arch = "wasm32")]
    first_paste::start();
}

#[cfg(target_arch = "wasm32")]
mod first_paste {
    use digestlens::core::digest::Digest;
    use wasm_bindgen::prelude::*;
    use web_sys::{Element, HtmlElement, HtmlTextAreaElement};

    /// Shows the digest of what is in the box now (text typed before this module ran) and after
    /// every input. Missing markup means the full page has taken over already: nothing to do.
    pub fn start() {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let area = document
            .get_element_by_id("paste")
            .and_then(|e| e.dyn_into::<HtmlTextAreaElement>().ok());
        let answer = document
            .get_element_by_id("first-answer")
            .and_then(|e| e.dyn_into::<HtmlElement>().ok());
        let digest = document
            .query_selector("#first-answer [data-testid=digest]")
            .ok()
            .flatten();
        let (Some(area), Some(answer), Some(digest)) = (area, answer, digest) else {
            return;
        };
        show(&area, &answer, &digest);
        let target = area.clone();
        let on_input = Closure::<dyn Fn()>::new(move || show(&target, &answer, &digest));
        // The listener lives as long as the box; the full page removes both together.
        if area
            .add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref())
            .is_ok()
        {
            on_input.forget();
        }
    }

    /// The digest of the box's text as UTF-8, the bytes the full page hashes for a paste.
    fn show(area: &HtmlTextAreaElement, answer: &HtmlElement, digest: &Element) {
        let text = area.value();
        if text.is_empty() {
            answer.set_hidden(true);
            return;
        }
        digest.set_text_content(Some(&Digest::sha256(text.as_bytes()).to_string()));
        answer.set_hidden(false);
    }
}
