//! The page's only network code: fetches what an image reference names from its registry, walks
//! it down to the configs, and checks every body against every claim made about it.
//!
//! API boundary: imports `core` (which decides what to ask and how to read the answers) and
//! never `ui`; the page gets [`Event`]s and turns them into documents and messages. Nothing here
//! stores anything: tokens and credentials live in a [`Client`] for one walk and are dropped
//! with it, never written to a URL, storage or the console.
mod client;
mod referrers;
mod time;
mod walk;

pub use time::{cancellation, Cancel, CancelHandle};
pub use walk::{list_referrers, walk, Event, Fetched, Outcome, Problem, Settings};
