//! The page's only network code: fetches what an image reference names from its registry, walks
//! it down to the configs, and checks every body against every claim made about it.
//!
//! API boundary: imports `core` (which decides what to ask and how to read the answers) and
//! never `ui`; the page gets [`Event`]s and turns them into documents and messages. Nothing is
//! stored: tokens and credentials live in a [`Client`] for one walk, and in the page's
//! [`Keyring`] (memory only) for the blob downloads of the image it fetched; never written to a
//! URL, storage or the console.
mod blob;
mod client;
mod estimate;
mod grant;
mod http;
mod keyring;
mod referrers;
mod settings;
mod stream;
mod time;
mod walk;

pub(crate) use blob::blob_access;
pub use blob::{open_blob, BlobAccess, BlobDownload, BlobStreamError, OpenedBlob};
pub use estimate::estimate;
pub(crate) use http::{within, Failure};
pub use keyring::Keyring;
pub use settings::Settings;
pub use stream::ChunkReader;
pub(crate) use time::sleep;
pub use time::{cancellation, Cancel, CancelHandle};
pub use walk::{list_referrers, walk, Event, Fetched, Outcome, Problem};
