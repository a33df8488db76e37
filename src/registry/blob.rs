//! How to download a repository's blobs the way its manifests were fetched: the same proxy
//! prefix and timeout, and an `Authorization` from the same flow ([`blob_access`], on the
//! page); and the download itself ([`open_blob`], in a layer worker, `ui::layers`), through
//! the same HTTP layer as the manifests, so its failures read the same.

use super::client::Client;
use super::grant::Grant;
use super::http::{error_body, global_origin, within, Connection, Failure, Opened, Request};
use super::keyring::Keyring;
use super::settings::Settings;
use super::stream::BrokenOff;
use super::time::Cancel;
use crate::core::digest::Digest;
use crate::core::distribution::answer::{Sent, StatusStep, ERROR_BODY_CAP};
use crate::core::distribution::auth::AuthError;
use crate::core::distribution::blob_url;
use crate::core::distribution::error::{RegistryError, Resource};
use crate::core::reference::Reference;
use std::fmt;
use std::time::Duration;
use web_sys::{AbortController, ReadableStream};

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobStreamError {
    Registry(RegistryError),
    /// The registry answered 401 to the token its token server issued for the download.
    TokenRefused {
        reference: String,
    },
    /// The registry answered 200 without a body.
    NoBody,
    /// Reading stopped in the middle.
    Interrupted {
        received: u64,
        detail: String,
    },
}

impl From<BrokenOff> for BlobStreamError {
    fn from(broken: BrokenOff) -> Self {
        BlobStreamError::Interrupted {
            received: broken.received,
            detail: broken.detail,
        }
    }
}

impl fmt::Display for BlobStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlobStreamError::Registry(e) => e.fmt(f),
            BlobStreamError::TokenRefused { reference } => write!(
                f,
                "The registry refused the access token its token server gave this page for {reference}: \
                 the token may have expired while the layer waited for its turn, or it does not allow \
                 pulling from this repository. Press \"Verify layers\" again to ask for a new one."
            ),
            BlobStreamError::NoBody => write!(f, "The registry answered without sending the blob."),
            BlobStreamError::Interrupted { received, detail } => write!(
                f,
                "Reading broke off after {received} bytes ({detail}): the connection dropped or the \
                 file changed. Try again."
            ),
        }
    }
}

/// One blob download as a layer worker makes it: what [`BlobAccess`] decided on the page,
/// carried over in the worker's message.
pub struct BlobDownload<'a> {
    /// The reference as the page named it, for the messages.
    pub shown: &'a str,
    /// The blob endpoint, through the proxy prefix when one is set.
    pub url: &'a str,
    pub proxy: Option<&'a str>,
    pub authorization: Option<&'a str>,
    pub credentials_given: bool,
    pub issued_token: bool,
    /// How long the registry may stay silent before answering.
    pub timeout: Duration,
}

/// A blob response that is ready to be read.
pub struct OpenedBlob {
    pub stream: ReadableStream,
    /// `Content-Length`, when the registry exposes it to the page.
    pub length: Option<u64>,
}

/// GETs blob `digest` of `reference`'s repository as `download` says and returns its body as a
/// stream. `controller` aborts the download (the worker's Cancel), now or while it streams.
pub async fn open_blob(
    download: &BlobDownload<'_>,
    reference: &Reference,
    digest: &Digest,
    controller: &AbortController,
) -> Result<OpenedBlob, BlobStreamError> {
    let page_origin = global_origin();
    let connection = Connection {
        reference,
        proxy: download.proxy,
        page_origin: &page_origin,
        timeout: download.timeout,
        cancel: None,
    };
    let request = Request::get(download.url).authorization(download.authorization);
    let cancelled = || BlobStreamError::Interrupted {
        received: 0,
        detail: "cancelled".to_owned(),
    };
    let response = match connection.open(request, controller).await {
        Ok(Opened::Answered(response)) => response,
        Ok(Opened::Unreadable) => {
            return match connection.diagnose(request, reference, Some(digest)).await {
                Ok(error) => Err(BlobStreamError::Registry(error)),
                Err(Failure::Registry(error)) => Err(BlobStreamError::Registry(error)),
                Err(Failure::Cancelled) => Err(cancelled()),
            }
        }
        Err(Failure::Registry(error)) => return Err(BlobStreamError::Registry(error)),
        Err(Failure::Cancelled) => return Err(cancelled()),
    };
    let sent = Sent {
        may_answer_challenge: false,
        credentials_given: download.credentials_given,
        issued_token: download.issued_token,
    };
    match StatusStep::of(response.status(), false, sent) {
        StatusStep::Read => {}
        // Whatever login the token was got with, the registry refused the token itself.
        StatusStep::TokenRefused => {
            return Err(BlobStreamError::TokenRefused {
                reference: download.shown.to_owned(),
            })
        }
        // As the manifest fetch says it: the typed login itself was sent and refused.
        StatusStep::CredentialsRejected => {
            return Err(BlobStreamError::Registry(RegistryError::Auth(
                AuthError::CredentialsRejected,
            )))
        }
        // A challenge is not answered here: the access was got on the page, before the download.
        StatusStep::Error | StatusStep::AnswerChallenge => {
            let body = within(download.timeout, error_body(&response, ERROR_BODY_CAP))
                .await
                .unwrap_or_default();
            let retry_after = response.headers().get("retry-after");
            return Err(BlobStreamError::Registry(connection.status_error(
                response.status(),
                &body,
                retry_after.as_deref(),
                reference,
                Resource::Blob,
            )));
        }
    }
    let length = response
        .headers()
        .get("content-length")
        .and_then(|l| l.trim().parse().ok());
    let stream = response.body().ok_or(BlobStreamError::NoBody)?;
    Ok(OpenedBlob { stream, length })
}
