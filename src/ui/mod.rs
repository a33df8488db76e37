//! The Yew page (CSR). Components render what the core derived; `state` holds the reducer; IO
//! (reading files, the clipboard) lives in callbacks and effects, never in `reduce`.
mod app;
mod components;
mod panic;
mod state;

/// Mounts the page on `<body>`.
pub fn start() {
    panic::install_hook();
    yew::Renderer::<app::App>::new().render();
}
