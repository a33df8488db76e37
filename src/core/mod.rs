//! The pure core: bytes in, values out.
//!
//! API boundary: nothing under `core` imports yew, gloo, web_sys, js_sys or wasm_bindgen, so all of
//! it compiles natively and is tested with plain `cargo test`.
pub mod artifact;
pub mod descriptor;
pub mod diagnose;
pub mod digest;
pub mod distribution;
pub mod document;
pub mod explain;
pub mod graph;
pub mod image_config;
pub mod image_pair;
pub mod json;
pub mod layer;
pub mod layout;
pub mod media_type;
pub mod permalink;
pub mod reference;
pub mod reserialize;
pub mod schema1;
