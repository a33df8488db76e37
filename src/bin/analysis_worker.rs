//! The analysis worker's entry point: Trunk builds it as a WebAssembly module of its own that the
//! page starts in a Web Worker on first use (index.html, `data-type="worker"`): comparisons,
//! expected-digest checks and re-push previews run there. Natively there is nothing to run.
fn main() {
    #[cfg(target_arch = "wasm32")]
    digestlens::ui::analysis::worker::start();
}
