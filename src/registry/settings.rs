//! How the user asked to reach a registry (proxy prefix, credentials, timeout), for one walk and,
//! kept in the keyring, for the blob downloads of what it fetched. Its own module so the client,
//! the walk and the keyring each read it without importing one another.

use crate::core::distribution::auth::Credentials;
use std::time::Duration;

/// How to reach the registry, for one walk (and, kept in the keyring, for the blob
/// downloads of what it fetched).
#[derive(Clone)]
pub struct Settings {
    /// A checked CORS proxy prefix (core `proxy_prefix`).
    pub proxy: Option<String>,
    pub credentials: Option<Credentials>,
    /// Per request, from sending it to the last byte of its answer.
    pub timeout: Duration,
    /// This page's origin, for the registry configuration the CORS message offers.
    pub page_origin: String,
}
