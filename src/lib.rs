//! Digest Lens: the digests of container image documents, computed from the exact bytes.
pub mod core;
