//! How to download a repository's blobs the way its manifests were fetched: the same proxy
//! prefix and timeout, and an `Authorization` from the same flow. The download itself runs in a
//! layer worker (`ui::layers`); this decides what it sends.

use super::client::{Client, Failure};
use super::grant::Grant;
use super::keyring::Keyring;
use super::settings::Settings;
use super::time::Cancel;
use crate::core::digest::Digest;
use crate::core::distribution::blob_url;
use crate::core::reference::Reference;
use std::time::Duration;

/// What a blob download of one repository sends. Holds a secret: no `Debug`, and it goes to
/// a worker only inside a `postMessage`.
pub struct BlobAccess {
    proxy: Option<String>,
    /// Per wait: for the registry to answer, and for each next chunk of the body.
    pub timeout: Duration,
    pub authorization: Option<String>,
    /// The user typed credentials, so a 401 to them means they were refused.
    pub credentials_given: bool,
    /// `authorization` is a token from the registry's token server: a 401 means that token was
    /// refused (it expired, or grants no pull), whatever login it was obtained with.
    pub issued_token: bool,
    /// `Date.now()` from which `authorization` (a token) is to be renewed before it is sent:
    /// a download that starts later asks for access again.
    pub renew_at: Option<f64>,
}

impl BlobAccess {
    /// The blob's URL, through the proxy prefix when one is set.
    pub fn url(&self, reference: &Reference, digest: &Digest) -> String {
        blob_url(reference, digest, self.proxy.as_deref())
    }

    /// The proxy prefix, for the message when the request fails without an answer.
    pub fn proxy(&self) -> Option<&str> {
        self.proxy.as_deref()
    }
}

/// The access to `reference`'s blobs. The settings are those its repository (or registry) was
/// fetched with, else `unfetched` (a pasted manifest). The walk's token is reused while it is
/// valid for this repository; otherwise blob `probe` is asked for with `HEAD` and a challenge
/// is answered as the walk answers it; a token so obtained is kept for the next download,
/// unless the page was cleared meanwhile.
pub(crate) async fn blob_access(
    reference: &Reference,
    probe: &Digest,
    keyring: &Keyring,
    unfetched: Settings,
    cancel: Cancel,
) -> Result<BlobAccess, Failure> {
    let since = keyring.generation();
    let fetched = keyring.settings(reference);
    let walked = fetched.is_some();
    let settings = fetched.unwrap_or(unfetched);
    let grant = match keyring.authorization(reference) {
        Some(known) => known,
        None => {
            let grant = Client::new(reference, &settings, cancel)
                .authorize(&blob_url(reference, probe, settings.proxy.as_deref()))
                .await?;
            // Kept only with a walk's settings: those of an unfetched image are read afresh
            // each time, so a changed proxy setting applies.
            if walked && grant.is_some() {
                keyring.remember(since, reference, &settings, grant.clone());
            }
            grant
        }
    };
    Ok(BlobAccess {
        proxy: settings.proxy,
        timeout: settings.timeout,
        issued_token: grant.as_ref().is_some_and(Grant::is_issued_token),
        renew_at: grant.as_ref().and_then(Grant::renew_at),
        authorization: grant.map(|g| g.value),
        credentials_given: settings.credentials.is_some(),
    })
}
