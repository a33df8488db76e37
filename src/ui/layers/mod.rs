//! Layer verification off the page's thread: [`pool`] on the page hands jobs to Web Workers
//! running [`worker`] (the `worker` binary), which stream each blob through
//! `core::layer::BlobVerifier`; [`protocol`] is what they say to each other. [`estimates`] asks
//! for the few bytes that tell each layer's uncompressed size before a download.
pub mod estimates;
pub mod pool;
pub mod protocol;
pub mod rows;
pub mod worker;
