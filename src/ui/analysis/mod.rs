//! The comparison machinery off the page's thread and out of the page's module: [`client`] on the
//! page starts one Web Worker on first use, running [`worker`] (the `analysis_worker` binary),
//! which runs `core::diagnose` and answers with `core::diagnose::report`s; [`protocol`] is what
//! they say to each other.
pub mod client;
mod layer_diff;
pub mod protocol;
pub mod worker;
