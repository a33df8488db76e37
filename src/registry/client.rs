//! One conversation with a registry: GETs with the manifest `Accept` list, the token dance on
//! 401, size caps, and the checks of each body; every request goes through [`super::http`],
//! which sends it, races it against the timeout and the walk's cancellation, and names what
//! went wrong when the browser shows no answer.

use super::grant::Grant;
use super::http::{settled, Connection, Failure, Reply, Request};
use super::settings::Settings;
use super::time::Cancel;
use crate::core::digest::Digest;
use crate::core::distribution::answer::{Sent as Asked, StatusStep, ERROR_BODY_CAP};
use crate::core::distribution::auth::{
    answer_challenge, parse_token_response, AuthError, AuthStep, Credentials, TOKEN_SIZE_CAP,
};
use crate::core::distribution::error::{parse_error_body, RegistryError, Resource};
use crate::core::distribution::proxy::ProxyRefusal;
use crate::core::distribution::referrers::FILTERS_APPLIED_HEADER;
use crate::core::distribution::walk::Target;
use crate::core::distribution::{blob_url, tags_list_url, MANIFEST_ACCEPT};
use crate::core::reference::Reference;
use std::cell::RefCell;
use web_sys::ResponseType;

/// A 2xx answer, read in full.
pub(crate) struct Answer {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    /// `Docker-Content-Digest`, when the browser lets the page read it.
    pub digest_header: Option<String>,
    /// `Link` (the next page of a referrers answer), when the browser lets the page read it.
    pub link: Option<String>,
    /// `OCI-Filters-Applied`, when the browser lets the page read it.
    pub filters_applied: Option<String>,
    /// A CORS response, whose unexposed headers read as missing.
    pub cross_origin: bool,
}

/// A request's outcome for callers that read non-2xx answers themselves ([`Client::send`]).
pub(crate) enum Sent {
    Answer(Answer),
    /// A status outside 2xx, with its body (read up to the error body cap).
    Status {
        status: u16,
        body: Vec<u8>,
        retry_after: Option<String>,
    },
    /// `fetch` showed nothing: see [`Client::diagnose`] for why.
    Unreadable,
}

pub(crate) struct Client<'a> {
    reference: &'a Reference,
    /// The proxy prefix, timeout, credentials and page origin the user's fetch runs with.
    settings: &'a Settings,
    cancel: Cancel,
    /// The `Authorization` value that worked last (a bearer token, or the user's Basic
    /// credentials): reused by every later request of this walk; the walk leaves it in the
    /// page's [`Keyring`](super::Keyring) for the blob downloads of the same repository.
    authorization: RefCell<Option<Grant>>,
}

impl<'a> Client<'a> {
    pub(crate) fn new(reference: &'a Reference, settings: &'a Settings, cancel: Cancel) -> Client<'a> {
        Client {
            reference,
            settings,
            cancel,
            authorization: RefCell::new(
                settings
                    .credentials
                    .as_ref()
                    .and_then(Credentials::upfront_authorization)
                    .map(Grant::lasting),
            ),
        }
    }

    /// How this walk's requests reach the registry.
    fn connection(&self) -> Connection<'_> {
        Connection {
            reference: self.reference,
            proxy: self.settings.proxy.as_deref(),
            page_origin: &self.settings.page_origin,
            timeout: self.settings.timeout,
            cancel: Some(self.cancel.clone()),
        }
    }

    /// What this client sends as `Authorization` now.
    fn authorization(&self) -> Option<String> {
        self.authorization.borrow().as_ref().map(|g| g.value.clone())
    }

    /// The `Authorization` the registry accepted so far, with its expiry.
    pub(crate) fn grant(&self) -> Option<Grant> {
        self.authorization.borrow().clone()
    }

    /// GET a manifest (with the `Accept` list) or a blob, answering one auth challenge on the
    /// way. `shown` is the reference errors name; `blob` the digest of a blob request.
    pub(crate) async fn get(
        &self,
        url: &str,
        target: Target,
        shown: &Reference,
        blob: Option<&Digest>,
    ) -> Result<Answer, Failure> {
        let (resource, accept) = match target {
            Target::Manifest => (Resource::Manifest, Some(MANIFEST_ACCEPT)),
            // No Accept: without custom headers a blob GET is a CORS "simple" request, sent
            // without a preflight round trip.
            Target::Blob => (Resource::Blob, None),
        };
        match self.send(url, accept, target).await? {
            Sent::Answer(answer) => Ok(answer),
            Sent::Status {
                status,
                body,
                retry_after,
            } => Err(self
                .connection()
                .status_error(status, &body, retry_after.as_deref(), shown, resource)
                .into()),
            Sent::Unreadable => Err(self.diagnose(url, shown, blob).await?.into()),
        }
    }

    /// GET `url`, answering one auth challenge on the way, and hand back whatever status came:
    /// for requests whose non-2xx answers mean something (a 404 from the referrers API means
    /// the registry has none). `cap` is that of `target`'s documents.
    pub(crate) async fn send(
        &self,
        url: &str,
        accept: Option<&str>,
        target: Target,
    ) -> Result<Sent, Failure> {
        let too_large = |size| match target {
            Target::Manifest => RegistryError::ManifestTooLarge { size },
            Target::Blob => RegistryError::ConfigTooLarge { size },
        };
        let connection = self.connection();
        let mut asked = Asked {
            may_answer_challenge: true,
            credentials_given: self.settings.credentials.is_some(),
            issued_token: false,
        };
        loop {
            let authorization = self.authorization();
            let request = Request::get(url)
                .accept(accept)
                .authorization(authorization.as_deref());
            let (response, body) = match connection.exchange(request, target.cap()).await? {
                Reply::Answered { response, body } => (response, body),
                Reply::TooLarge { size } => return Err(too_large(size).into()),
                Reply::Interrupted => return Err(connection.interrupted().into()),
                Reply::Unreadable => return Ok(Sent::Unreadable),
            };
            let headers = response.headers();
            let challenge = headers.get("www-authenticate");
            match StatusStep::of(response.status(), challenge.is_some(), asked) {
                StatusStep::AnswerChallenge => {
                    asked.may_answer_challenge = false;
                    if let Some(challenge) = challenge {
                        let grant = self.answer(&challenge).await?;
                        *self.authorization.borrow_mut() = Some(grant);
                    }
                    continue;
                }
                StatusStep::CredentialsRejected | StatusStep::TokenRefused => {
                    return Err(AuthError::CredentialsRejected.into())
                }
                StatusStep::Error => {
                    return Ok(Sent::Status {
                        status: response.status(),
                        body,
                        retry_after: headers.get("retry-after"),
                    })
                }
                StatusStep::Read => {}
            }
            return Ok(Sent::Answer(Answer {
                bytes: body,
                content_type: headers.get("content-type"),
                digest_header: headers.get("docker-content-digest"),
                link: headers.get("link"),
                filters_applied: headers.get(FILTERS_APPLIED_HEADER),
                cross_origin: response.type_() == ResponseType::Cors,
            }));
        }
    }

    /// Asks for blob `url` without downloading it (`HEAD`, redirects not followed) to learn
    /// whether the registry wants authorization for it, and if so runs the challenge → token
    /// flow of [`Client::send`]. Returns the `Authorization` to send with the blob's `GET`:
    /// `None` when the registry asked for none. Every other answer (a 404, a redirect, nothing
    /// readable) is left to the `GET`, which names it.
    ///
    /// Sent without headers (unless the user typed a token), a `HEAD` needs no CORS preflight,
    /// which registries with a login refuse.
    pub(crate) async fn authorize(&self, url: &str) -> Result<Option<Grant>, Failure> {
        let authorization = self.authorization();
        let request = Request::head(url).authorization(authorization.as_deref());
        let reply = self.connection().exchange(request, u64::MAX).await?;
        if let Reply::Answered { response, .. } = reply {
            if response.status() == 401 {
                if let Some(challenge) = response.headers().get("www-authenticate") {
                    let grant = self.answer(&challenge).await?;
                    *self.authorization.borrow_mut() = Some(grant);
                }
            }
        }
        Ok(self.grant())
    }

    /// Answers a 401's challenge: a token from the token server (with the user's Basic
    /// credentials, if typed), or those credentials themselves for a Basic registry.
    async fn answer(&self, challenge: &str) -> Result<Grant, Failure> {
        match answer_challenge(
            challenge,
            self.reference,
            self.settings.credentials.as_ref(),
            self.settings
                .proxy
                .as_deref()
                .filter(|p| !realm_goes_through(challenge, p)),
        )? {
            AuthStep::FetchToken { url, authorization } => self.token(&url, authorization.as_deref()).await,
            AuthStep::Retry { authorization } => Ok(Grant::lasting(authorization)),
        }
    }

    /// After `MANIFEST_UNKNOWN`: the repository's `NAME_UNKNOWN` error when the registry does
    /// not know the repository at all (see core `tags_list_url`); `None` when it does, or when
    /// its tag list cannot be read.
    pub(crate) async fn repository_unknown(&self) -> Result<Option<RegistryError>, Failure> {
        let url = tags_list_url(self.reference, self.settings.proxy.as_deref());
        let authorization = self.authorization();
        let request = Request::get(&url).authorization(authorization.as_deref());
        let reply = self.connection().exchange(request, ERROR_BODY_CAP).await;
        Ok(match settled(reply)? {
            Some(Reply::Answered { response, body })
                if response.status() == 404
                    && parse_error_body(&body).iter().any(|e| e.code == "NAME_UNKNOWN") =>
            {
                Some(RegistryError::from_response(
                    404,
                    &body,
                    None,
                    self.reference,
                    Resource::Manifest,
                ))
            }
            _ => None,
        })
    }

    /// After a manifest asked for by digest was not found (or the registry choked on it, as
    /// distribution 2.8 does with a 500): the [`RegistryError::DigestIsBlob`] that says so when
    /// the repository holds a blob with that digest — a `HEAD` with the authorization this walk
    /// already earned. `None` when it holds none, or when the answer cannot be read.
    pub(crate) async fn digest_is_blob(&self, digest: &Digest) -> Result<Option<RegistryError>, Failure> {
        let url = blob_url(self.reference, digest, self.settings.proxy.as_deref());
        let authorization = self.authorization();
        let request = Request::head(&url).authorization(authorization.as_deref());
        // A HEAD has no body to read, whatever length it declares.
        Ok(
            match settled(self.connection().exchange(request, u64::MAX).await)? {
                Some(Reply::Answered { response, .. }) if response.status() == 200 => {
                    let length = response.headers().get("content-length");
                    Some(RegistryError::DigestIsBlob {
                        reference: self.reference.to_string(),
                        digest: digest.to_string(),
                        size: length.and_then(|l| l.trim().parse().ok()),
                    })
                }
                _ => None,
            },
        )
    }

    /// Ask the token server; returns the `Authorization` value for the registry.
    async fn token(&self, url: &str, authorization: Option<&str>) -> Result<Grant, Failure> {
        let realm = url.split('?').next().unwrap_or(url).to_owned();
        let connection = self.connection();
        let request = Request::get(url).authorization(authorization);
        let refused = |status| AuthError::TokenRefused {
            status,
            with_credentials: authorization.is_some(),
        };
        match connection.exchange(request, TOKEN_SIZE_CAP).await? {
            Reply::Answered { response, body } if response.ok() => {
                let token = parse_token_response(&body)?;
                Ok(Grant::expiring(token.authorization(), token.expires_in))
            }
            Reply::Answered { response, body } if self.settings.proxy.is_some() => {
                match ProxyRefusal::from_response(response.status(), &body) {
                    Some(refusal) => Err(RegistryError::ProxyRefused {
                        registry: self.reference.registry().to_owned(),
                        refusal,
                    }
                    .into()),
                    None => Err(refused(response.status()).into()),
                }
            }
            Reply::Answered { response, .. } => Err(refused(response.status()).into()),
            Reply::TooLarge { size } => Err(AuthError::TokenResponseTooLarge { size }.into()),
            Reply::Interrupted => Err(connection.interrupted().into()),
            Reply::Unreadable => Err(AuthError::TokenServerUnreachable { realm }.into()),
        }
    }

    /// `fetch` showed nothing for `url` (a GET with this walk's `Authorization`): why, as
    /// [`Connection::diagnose`] finds out.
    pub(crate) async fn diagnose(
        &self,
        url: &str,
        shown: &Reference,
        blob: Option<&Digest>,
    ) -> Result<RegistryError, Failure> {
        let authorization = self.authorization();
        let failed = Request::get(url).authorization(authorization.as_deref());
        self.connection().diagnose(failed, shown, blob).await
    }
}

/// Whether the challenge's realm already goes through `proxy`: a registry proxy rewrites the
/// realm of the challenges it passes on to `<proxy>/<realm>` (so it knows which token servers its
/// registries announced), and prefixing it again would ask the proxy for its own URL.
fn realm_goes_through(challenge: &str, proxy: &str) -> bool {
    let path = proxy
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').and_then(|i| rest.get(i..)))
        .filter(|path| path.len() > 1);
    std::iter::once(proxy)
        .chain(path)
        .any(|start| challenge.contains(&format!("realm=\"{start}")))
}
