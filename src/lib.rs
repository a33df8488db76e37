//! Digest Lens: the digests of container image documents, computed from the exact bytes.
//!
//! `core` is pure and compiles natively; `ui` (and later the registry client) only exist in the
//! WebAssembly build. See ARCHITECTURE.md.
pub mod core;
pub mod examples;
#[cfg(target_arch = "wasm32")]
pub mod registry;
#[cfg(target_arch = "wasm32")]
pub mod ui;
