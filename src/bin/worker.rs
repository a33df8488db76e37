//! The layer worker's entry point: Trunk builds it as a second WebAssembly module that the page
//! starts in Web Workers (index.html, `data-type="worker"`). Natively there is nothing to run.
fn main() {
    #[cfg(target_arch = "wasm32")]
    digestlens::ui::layers::worker::start();
}
