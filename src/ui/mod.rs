//! The Yew page (CSR). Components render what the core derived; `state` holds the reducer; IO
//! (reading files, the clipboard) lives in callbacks and effects, never in `reduce`.
pub mod analysis;
mod app;
mod comparison_worker;
mod components;
pub mod connection;
pub mod files;
pub mod layers;
pub mod panic;
mod permalink_sync;
mod reveal;
mod state;
mod worker_client;
mod worker_message;

/// Mounts the page on index.html's `#app` (on `<body>` without one). Yew empties its root on mount:
/// `#app` leaves the first paste box (`#first`) live beside it until static/boot.js hands the box's
/// text over, so nothing typed meanwhile is lost.
pub fn start() {
    panic::install_hook();
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => yew::Renderer::<app::App>::with_root(root).render(),
        None => yew::Renderer::<app::App>::new().render(),
    };
    analysis::client::warm_up_soon();
}

/// Mounts the page inside `root` (the wasm-bindgen tests render it into a detached element).
pub fn mount(root: web_sys::Element) {
    yew::Renderer::<app::App>::with_root(root).render();
}
