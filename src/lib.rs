//! Digest Lens: the digests of container image documents, computed from the exact bytes.
//!
//! `core` and `workspace` (the page's state and the link mapping) are pure and compile natively;
//! `ui` and `registry` only exist in the WebAssembly build. See ARCHITECTURE.md.
pub mod core;
pub mod examples;
#[cfg(target_arch = "wasm32")]
pub mod registry;
#[cfg(target_arch = "wasm32")]
pub mod ui;
pub mod workspace;
