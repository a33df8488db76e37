//! One conversation with a registry: GETs with the manifest `Accept` list and no caching, each
//! racing a timeout and the walk's cancellation; the token dance on 401; size caps; and, when
//! the browser shows no answer at all, the follow-up questions that tell being offline, a
//! redirect to storage, a registry that refuses preflights, and CORS apart.

use super::grant::Grant;
use super::settings::Settings;
use super::time::{sleep, Cancel};
use crate::core::digest::Digest;
use crate::core::distribution::auth::{
    answer_challenge, parse_token_response, AuthError, AuthStep, Credentials, TOKEN_SIZE_CAP,
};
use crate::core::distribution::error::{parse_error_body, FailureFacts, RegistryError, Resource};
use crate::core::distribution::proxy::ProxyRefusal;
use crate::core::distribution::referrers::FILTERS_APPLIED_HEADER;
use crate::core::distribution::walk::Target;
use crate::core::distribution::{tags_list_url, version_check_url, MANIFEST_ACCEPT};
use crate::core::reference::Reference;
use futures::future::{select, Either};
use gloo_net::http::{Headers, Method, RequestBuilder, Response};
use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use web_sys::{AbortController, RequestCache, RequestRedirect, ResponseType};

/// Error answers are read for their distribution error code only; longer ones are left unread.
const ERROR_BODY_CAP: u64 = 64 * 1024;

/// Why a request produced no document.
pub(crate) enum Failure {
    Registry(RegistryError),
    /// The walk was cancelled; nothing is reported.
    Cancelled,
}

impl From<RegistryError> for Failure {
    fn from(e: RegistryError) -> Self {
        Failure::Registry(e)
    }
}

impl From<AuthError> for Failure {
    fn from(e: AuthError) -> Self {
        Failure::Registry(RegistryError::Auth(e))
    }
}

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

/// What one request produced.
enum Reply {
    /// `fetch` rejected: the browser shows no response (CORS, unreachable, offline, a blocked
    /// redirect).
    Unreadable,
    /// `Content-Length` exceeds the limit; the body was not read.
    TooLarge {
        size: u64,
    },
    /// The body stopped arriving half-way.
    Interrupted,
    Answered {
        response: Response,
        body: Vec<u8>,
    },
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
                .status_error(status, &body, retry_after.as_deref(), shown, resource)
                .into()),
            Sent::Unreadable => Err(self.diagnose(url, shown, blob).await?.into()),
        }
    }

    /// A non-2xx answer as an error: through a proxy, the proxy's own refusal if it is one.
    fn status_error(
        &self,
        status: u16,
        body: &[u8],
        retry_after: Option<&str>,
        shown: &Reference,
        resource: Resource,
    ) -> RegistryError {
        if self.settings.proxy.is_some() {
            RegistryError::from_proxied_response(status, body, retry_after, shown, resource)
        } else {
            RegistryError::from_response(status, body, retry_after, shown, resource)
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
        let mut challenge_answered = false;
        loop {
            let authorization = self.authorization();
            let reply = self
                .exchange(
                    url,
                    Method::GET,
                    accept,
                    authorization.as_deref(),
                    RequestRedirect::Follow,
                    target.cap(),
                )
                .await?;
            let (response, body) = match reply {
                Reply::Answered { response, body } => (response, body),
                Reply::TooLarge { size } => return Err(too_large(size).into()),
                Reply::Interrupted => return Err(self.interrupted().into()),
                Reply::Unreadable => return Ok(Sent::Unreadable),
            };
            let status = response.status();
            let headers = response.headers();
            if status == 401 && !challenge_answered {
                if let Some(challenge) = headers.get("www-authenticate") {
                    challenge_answered = true;
                    let grant = self.answer(&challenge).await?;
                    *self.authorization.borrow_mut() = Some(grant);
                    continue;
                }
            }
            if status == 401 && self.settings.credentials.is_some() {
                return Err(AuthError::CredentialsRejected.into());
            }
            if !(200..300).contains(&status) {
                return Ok(Sent::Status {
                    status,
                    body,
                    retry_after: headers.get("retry-after"),
                });
            }
            let size = u64::try_from(body.len()).unwrap_or(u64::MAX);
            if size > target.cap() {
                return Err(too_large(size).into());
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
        let reply = self
            .exchange(
                url,
                Method::HEAD,
                None,
                authorization.as_deref(),
                RequestRedirect::Manual,
                u64::MAX,
            )
            .await?;
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
        let reply = self
            .exchange(
                &url,
                Method::GET,
                None,
                authorization.as_deref(),
                RequestRedirect::Follow,
                ERROR_BODY_CAP,
            )
            .await;
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

    /// Ask the token server; returns the `Authorization` value for the registry.
    async fn token(&self, url: &str, authorization: Option<&str>) -> Result<Grant, Failure> {
        let realm = url.split('?').next().unwrap_or(url).to_owned();
        let reply = self
            .exchange(
                url,
                Method::GET,
                None,
                authorization,
                RequestRedirect::Follow,
                TOKEN_SIZE_CAP,
            )
            .await?;
        match reply {
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
                    None => Err(AuthError::TokenRefused {
                        status: response.status(),
                        with_credentials: authorization.is_some(),
                    }
                    .into()),
                }
            }
            Reply::Answered { response, .. } => Err(AuthError::TokenRefused {
                status: response.status(),
                with_credentials: authorization.is_some(),
            }
            .into()),
            Reply::TooLarge { size } => Err(AuthError::TokenResponseTooLarge { size }.into()),
            Reply::Interrupted => Err(self.interrupted().into()),
            Reply::Unreadable => Err(AuthError::TokenServerUnreachable { realm }.into()),
        }
    }

    fn interrupted(&self) -> RegistryError {
        RegistryError::Interrupted {
            registry: self.reference.registry().to_owned(),
        }
    }

    /// `fetch` showed nothing. Ask what can be asked: is the browser online; did the registry
    /// answer with a redirect (seen with `redirect: "manual"`, whose opaque answer needs no CORS
    /// from the target: a blob sent on to storage, or a manifest redirect that loops); does the
    /// registry answer a request without preflight.
    pub(crate) async fn diagnose(
        &self,
        url: &str,
        shown: &Reference,
        blob: Option<&Digest>,
    ) -> Result<RegistryError, Failure> {
        let online = web_sys::window().is_none_or(|w| w.navigator().on_line());
        let mut facts = FailureFacts {
            online,
            proxy: self.settings.proxy.as_deref(),
            redirected: false,
            probe_status: None,
        };
        if online {
            let authorization = self.authorization();
            let reply = self
                .exchange(
                    url,
                    Method::GET,
                    None,
                    authorization.as_deref(),
                    RequestRedirect::Manual,
                    ERROR_BODY_CAP,
                )
                .await;
            facts.redirected = matches!(
                settled(reply)?,
                Some(Reply::Answered { response, .. }) if response.type_() == ResponseType::Opaqueredirect
            );
            if !facts.redirected {
                let probe = version_check_url(self.reference, self.settings.proxy.as_deref());
                let reply = self
                    .exchange(
                        &probe,
                        Method::GET,
                        None,
                        None,
                        RequestRedirect::Follow,
                        ERROR_BODY_CAP,
                    )
                    .await;
                if let Some(Reply::Answered { response, .. }) = settled(reply)? {
                    facts.probe_status = Some(response.status());
                }
            }
        }
        Ok(RegistryError::from_failure(
            &facts,
            shown,
            blob,
            &self.settings.page_origin,
        ))
    }

    /// One GET: sends it, then reads the body unless `Content-Length` says it is over `limit`
    /// (2xx) or [`ERROR_BODY_CAP`] (other statuses; the error is reported without its body).
    /// The whole exchange races the timeout and the cancellation.
    async fn exchange(
        &self,
        url: &str,
        method: Method,
        accept: Option<&str>,
        authorization: Option<&str>,
        redirect: RequestRedirect,
        limit: u64,
    ) -> Result<Reply, Failure> {
        let controller = AbortController::new().ok();
        let signal = controller.as_ref().map(AbortController::signal);
        let headers = web_sys::Headers::new().ok();
        let mut sendable = true;
        if let Some(headers) = &headers {
            for (name, value) in [("Accept", accept), ("Authorization", authorization)] {
                if let Some(value) = value {
                    sendable &= headers.set(name, value).is_ok();
                }
            }
        }
        if !sendable {
            return Err(AuthError::UnsendableToken.into());
        }
        let mut builder = RequestBuilder::new(url)
            .method(method)
            .cache(RequestCache::NoStore)
            .redirect(redirect)
            .abort_signal(signal.as_ref());
        if let Some(headers) = headers {
            builder = builder.headers(Headers::from_raw(headers));
        }
        let work = async move {
            let Ok(response) = builder.send().await else {
                return Reply::Unreadable;
            };
            let limit = if response.ok() { limit } else { ERROR_BODY_CAP };
            let declared = response
                .headers()
                .get("content-length")
                .and_then(|v| v.trim().parse::<u64>().ok());
            match declared {
                Some(size) if size > limit && response.ok() => Reply::TooLarge { size },
                Some(size) if size > limit => Reply::Answered {
                    response,
                    body: Vec::new(),
                },
                _ => match response.binary().await {
                    Ok(body) => Reply::Answered { response, body },
                    Err(_) => Reply::Interrupted,
                },
            }
        };
        self.race(work, controller.as_ref()).await
    }

    /// `work`, unless the timeout or the cancellation comes first; then the request is aborted
    /// so the browser drops the connection too.
    async fn race<T>(
        &self,
        work: impl Future<Output = T>,
        controller: Option<&AbortController>,
    ) -> Result<T, Failure> {
        if self.cancel.is_cancelled() {
            return Err(Failure::Cancelled);
        }
        let timer = pin!(sleep(self.settings.timeout));
        let cancelled = pin!(self.cancel.clone().cancelled());
        match select(pin!(work), select(timer, cancelled)).await {
            Either::Left((value, _)) => Ok(value),
            Either::Right((stop, _)) => {
                if let Some(controller) = controller {
                    controller.abort();
                }
                match stop {
                    Either::Left(_) => Err(RegistryError::Timeout {
                        registry: self.reference.registry().to_owned(),
                        seconds: u32::try_from(self.settings.timeout.as_secs()).unwrap_or(u32::MAX),
                    }
                    .into()),
                    Either::Right(_) => Err(Failure::Cancelled),
                }
            }
        }
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

/// A follow-up question's answer: cancellation ends the walk, a timeout or other failure just
/// means no answer.
fn settled(reply: Result<Reply, Failure>) -> Result<Option<Reply>, Failure> {
    match reply {
        Ok(reply) => Ok(Some(reply)),
        Err(Failure::Cancelled) => Err(Failure::Cancelled),
        Err(Failure::Registry(_)) => Ok(None),
    }
}
