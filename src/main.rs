//! The page's entry point. Natively there is nothing to run: `cargo test` tests the core.
fn main() {
    #[cfg(target_arch = "wasm32")]
    digestlens::ui::start();
}
