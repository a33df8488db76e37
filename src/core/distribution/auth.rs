//! Registry authentication without IO: reading `WWW-Authenticate` challenges, building the
//! token request URL, and reading the token response.
//!
//! The flow (distribution `docs/spec/auth/token.md`): the registry answers 401 with
//! `WWW-Authenticate: Bearer realm="…",service="…",scope="…"`; the client GETs
//! `realm?service=…&scope=…` (one `scope` parameter per space-separated entry of the challenge's
//! `scope`); the token server answers `{"token": "…", "expires_in": 300}`; the client repeats
//! the request with `Authorization: Bearer <token>`.
//!
//! A user may also type credentials for a private registry ([`Credentials`]); they go to the
//! token server as Basic auth (as `docker login` does), or straight to a registry that asks for
//! Basic. [`answer_challenge`] decides which, so the browser client only performs the requests.

use super::answer::BodySize;
use super::with_proxy;
use crate::core::reference::Reference;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use std::fmt;

/// The most token-response bytes worth reading: containers/image `iolimits.MaxAuthTokenBodySize`
/// (1 MiB), "considered to be greatly sufficient".
pub const TOKEN_SIZE_CAP: u64 = 1 << 20;

/// Lifetime assumed when a token response says less, or nothing: the token spec's default,
/// which docker's client also enforces as a minimum (`minimumTokenLifetimeSeconds`).
pub const MIN_TOKEN_LIFETIME_SECONDS: u64 = 60;

/// One challenge of a `WWW-Authenticate` header (RFC 7235 §4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The auth scheme, lowercased (`bearer`, `basic`, …): schemes are case-insensitive.
    pub scheme: String,
    /// Parameters in header order; names lowercased, values unquoted and unescaped.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// The value of parameter `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A `Bearer` challenge, ready to turn into a token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerChallenge {
    pub realm: String,
    pub service: Option<String>,
    /// The challenge's `scope`, split on spaces: distribution joins several scopes with a space
    /// (`accessSet.scopeParam`), and the token request carries each as its own parameter.
    pub scopes: Vec<String>,
}

/// Why an authentication exchange cannot go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// The `WWW-Authenticate` header does not follow RFC 7235.
    MalformedChallenge {
        header: String,
        at: usize,
    },
    /// The registry asks for something other than a bearer token (e.g. `Basic`).
    NoBearerChallenge {
        schemes: Vec<String>,
    },
    MissingRealm,
    /// The realm is not an http(s) URL, so the page will not send a request there.
    BadRealm {
        realm: String,
    },
    /// The token response is not the JSON the token spec describes.
    MalformedTokenResponse {
        reason: String,
    },
    /// The token response has neither `token` nor `access_token`.
    NoToken,
    TokenResponseTooLarge {
        size: BodySize,
    },
    /// The token server answered with an error status.
    TokenRefused {
        status: u16,
        with_credentials: bool,
    },
    /// The browser could not read the token server's answer (CORS, or it is unreachable).
    TokenServerUnreachable {
        realm: String,
    },
    /// The registry still answered 401 to the credentials or token the user typed.
    CredentialsRejected,
    /// The typed token has spaces, line breaks or non-ASCII characters.
    UnsendableToken,
    /// RFC 7617: a user-id containing a colon cannot be sent as Basic credentials.
    ColonInUsername,
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::MalformedChallenge { header, at } => write!(
                f,
                "the registry's WWW-Authenticate header could not be read (at character {at}): {header}"
            ),
            AuthError::NoBearerChallenge { schemes } if schemes.iter().any(|s| s == "basic") => write!(
                f,
                "the registry asks for a user name and password (Basic authentication): type them \
                 under Credentials and fetch again"
            ),
            AuthError::NoBearerChallenge { schemes } => write!(
                f,
                "the registry asks for authentication this page does not speak ({})",
                schemes.join(", ")
            ),
            AuthError::MissingRealm => write!(
                f,
                "the registry's bearer challenge has no realm, so there is no token server to ask"
            ),
            AuthError::BadRealm { realm } => write!(
                f,
                "the registry points to a token server that is not an http(s) URL: {realm}"
            ),
            AuthError::MalformedTokenResponse { reason } => {
                write!(f, "the token server's answer is not a token response: {reason}")
            }
            AuthError::NoToken => write!(
                f,
                "the token server answered without a token (neither `token` nor `access_token`)"
            ),
            AuthError::TokenResponseTooLarge { size } => write!(
                f,
                "the token server sent {size}; a token response is never more than {TOKEN_SIZE_CAP}"
            ),
            AuthError::TokenRefused {
                status,
                with_credentials: true,
            } => write!(
                f,
                "the token server refused a token for the credentials given (HTTP {status}): \
                 check the user name and password, and that the account may pull this repository"
            ),
            AuthError::TokenRefused {
                status,
                with_credentials: false,
            } => write!(
                f,
                "the token server refused an anonymous token (HTTP {status}): the repository is \
                 private or does not exist; type credentials to fetch it"
            ),
            AuthError::TokenServerUnreachable { realm } => write!(
                f,
                "this page could not read the answer of the token server {realm}: it does not \
                 allow reads from web pages (CORS), or it cannot be reached"
            ),
            AuthError::UnsendableToken => write!(
                f,
                "the token has spaces, line breaks or non-ASCII characters, which an HTTP header \
                 cannot carry: paste the token alone"
            ),
            AuthError::ColonInUsername => write!(
                f,
                "the user name contains ':', which Basic authentication cannot carry (RFC 7617)"
            ),
            AuthError::CredentialsRejected => write!(
                f,
                "the registry refused the credentials given (401 again after logging in): check \
                 the user name and password or token"
            ),
        }
    }
}

impl std::error::Error for AuthError {}

/// A bearer token. Its `Debug` hides the secret so it never lands in a log or panic message.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    secret: String,
    /// Seconds the token stays valid, at least [`MIN_TOKEN_LIFETIME_SECONDS`].
    pub expires_in: u64,
}

impl Token {
    /// The `Authorization` header value for registry requests.
    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.secret)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("secret", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// Parse a `WWW-Authenticate` header value into its challenges.
///
/// Grammar (RFC 7235 §2.1, §4.1): `1#( auth-scheme [ 1*SP ( token68 / #auth-param ) ] )` with
/// `auth-param = token BWS "=" BWS ( token / quoted-string )`. Quoted strings take `\` escapes
/// (`he\"\l\lo` reads `he"llo`). A token68 credential (e.g. `Negotiate abc==`) is skipped: no
/// registry flow uses one, but one must not hide a `Bearer` challenge listed after it.
pub fn parse_www_authenticate(header: &str) -> Result<Vec<Challenge>, AuthError> {
    let mut p = Cursor {
        s: header.as_bytes(),
        i: 0,
    };
    let malformed = |at: usize| AuthError::MalformedChallenge {
        header: header.to_owned(),
        at,
    };
    let mut challenges = Vec::new();
    loop {
        p.skip_list_separators();
        if p.at_end() {
            break;
        }
        let scheme = p.token().ok_or_else(|| malformed(p.i))?;
        let mut challenge = Challenge {
            scheme: scheme.to_ascii_lowercase(),
            params: Vec::new(),
        };
        p.skip_spaces();
        if p.skip_token68() {
            challenges.push(challenge);
            continue;
        }
        loop {
            let before = p.i;
            p.skip_list_separators();
            let Some(name) = p.token() else {
                p.i = before;
                break;
            };
            p.skip_spaces();
            if !p.eat(b'=') {
                // A token without '=' starts the next challenge.
                p.i = before;
                break;
            }
            p.skip_spaces();
            let value = if p.peek() == Some(b'"') {
                p.quoted_string().ok_or_else(|| malformed(p.i))?
            } else {
                p.token().ok_or_else(|| malformed(p.i))?.to_owned()
            };
            challenge.params.push((name.to_ascii_lowercase(), value));
            p.skip_spaces();
            if !(p.at_end() || p.peek() == Some(b',')) {
                return Err(malformed(p.i));
            }
        }
        challenges.push(challenge);
    }
    if challenges.is_empty() {
        return Err(malformed(0));
    }
    Ok(challenges)
}

impl BearerChallenge {
    /// The `Bearer` challenge of a `WWW-Authenticate` header.
    pub fn from_header(header: &str) -> Result<BearerChallenge, AuthError> {
        let challenges = parse_www_authenticate(header)?;
        let bearer =
            challenges
                .iter()
                .find(|c| c.scheme == "bearer")
                .ok_or_else(|| AuthError::NoBearerChallenge {
                    schemes: challenges.iter().map(|c| c.scheme.clone()).collect(),
                })?;
        let realm = bearer.param("realm").ok_or(AuthError::MissingRealm)?;
        let lowered = realm.to_ascii_lowercase();
        if !(lowered.starts_with("https://") || lowered.starts_with("http://")) {
            return Err(AuthError::BadRealm {
                realm: realm.to_owned(),
            });
        }
        Ok(BearerChallenge {
            realm: realm.to_owned(),
            service: bearer.param("service").map(str::to_owned),
            scopes: bearer
                .param("scope")
                .map(|s| {
                    s.split(' ')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// The token request URL: `realm?service=…&scope=…`, with the proxy prefix if one is set.
    ///
    /// Without a scope in the challenge (a 401 on `/v2/`, or ghcr.io's generic hint), the pull
    /// scope of `reference`'s repository is asked for, as docker does. Values are encoded like
    /// Go's `url.QueryEscape`, which docker's client uses for the same request.
    pub fn token_url(&self, reference: &Reference, proxy: Option<&str>) -> String {
        let fallback = [pull_scope(reference)];
        let scopes = if self.scopes.is_empty() {
            &fallback[..]
        } else {
            &self.scopes[..]
        };
        let mut url = self.realm.clone();
        let mut separator = if url.contains('?') { '&' } else { '?' };
        let params = self
            .service
            .iter()
            .map(|service| ("service", service))
            .chain(scopes.iter().map(|scope| ("scope", scope)));
        for (name, value) in params {
            url.push(separator);
            url.push_str(name);
            url.push('=');
            url.push_str(&query_escape(value));
            separator = '&';
        }
        with_proxy(url, proxy)
    }
}

/// What a user typed to read a private registry. Lives in memory for one fetch: never in a URL,
/// a permalink, storage or a log, and its `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// A user name and a password (or a personal access token used as one, as ghcr.io wants).
    Password { username: String, password: String },
    /// A bearer token obtained elsewhere (e.g. `gcloud auth print-access-token`), sent as is.
    Token(String),
}

impl Credentials {
    /// From the page's fields, trimmed of surrounding whitespace (which a paste often adds and no
    /// registry login uses); a token wins over a password; nothing typed means anonymous. A
    /// token goes into a header as is, so it must be printable ASCII (RFC 6750 `b64token` is
    /// narrower still); a user name and password travel base64-encoded and may hold anything
    /// but the `:` that separates them in the user name.
    pub fn from_fields(
        username: &str,
        password: &str,
        token: &str,
    ) -> Result<Option<Credentials>, AuthError> {
        let (username, password, token) = (username.trim(), password.trim(), token.trim());
        if !token.is_empty() {
            if !token.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(AuthError::UnsendableToken);
            }
            Ok(Some(Credentials::Token(token.to_owned())))
        } else if username.contains(':') {
            Err(AuthError::ColonInUsername)
        } else if !username.is_empty() || !password.is_empty() {
            Ok(Some(Credentials::Password {
                username: username.to_owned(),
                password: password.to_owned(),
            }))
        } else {
            Ok(None)
        }
    }

    /// The `Authorization` value to send before any challenge: only a ready-made token, which
    /// saves the 401 round trip. A password waits until the registry says where it goes.
    pub fn upfront_authorization(&self) -> Option<String> {
        match self {
            Credentials::Token(token) => Some(format!("Bearer {token}")),
            Credentials::Password { .. } => None,
        }
    }

    /// RFC 7617 Basic credentials, for the token server or a Basic registry.
    fn basic(&self) -> Option<String> {
        match self {
            Credentials::Password { username, password } => Some(format!(
                "Basic {}",
                STANDARD.encode(format!("{username}:{password}"))
            )),
            Credentials::Token(_) => None,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Credentials::Token(_) => f.debug_tuple("Token").field(&"<redacted>").finish(),
        }
    }
}

/// What to do after a 401. Its `Debug` hides the credentials.
#[derive(Clone, PartialEq, Eq)]
pub enum AuthStep {
    /// GET this token URL, with `authorization` (the user's Basic credentials) when given, then
    /// repeat the request with the token.
    FetchToken {
        url: String,
        authorization: Option<String>,
    },
    /// Repeat the request with this `Authorization` value.
    Retry { authorization: String },
}

impl fmt::Debug for AuthStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthStep::FetchToken { url, .. } => f.debug_struct("FetchToken").field("url", url).finish(),
            AuthStep::Retry { .. } => f.write_str("Retry"),
        }
    }
}

/// Answer a 401's `WWW-Authenticate` header. A bearer challenge is preferred (it is what registries
/// with a token server send); Basic is answered only with a typed password. A ready-made token
/// was already sent up front, so a 401 to it means it was refused.
pub fn answer_challenge(
    header: &str,
    reference: &Reference,
    credentials: Option<&Credentials>,
    proxy: Option<&str>,
) -> Result<AuthStep, AuthError> {
    if matches!(credentials, Some(Credentials::Token(_))) {
        return Err(AuthError::CredentialsRejected);
    }
    let challenges = parse_www_authenticate(header)?;
    if challenges.iter().any(|c| c.scheme == "bearer") {
        let bearer = BearerChallenge::from_header(header)?;
        return Ok(AuthStep::FetchToken {
            url: bearer.token_url(reference, proxy),
            authorization: credentials.and_then(Credentials::basic),
        });
    }
    match credentials.and_then(Credentials::basic) {
        Some(authorization) if challenges.iter().any(|c| c.scheme == "basic") => {
            Ok(AuthStep::Retry { authorization })
        }
        _ => Err(AuthError::NoBearerChallenge {
            schemes: challenges.into_iter().map(|c| c.scheme).collect(),
        }),
    }
}

/// `repository:<name>:pull`, the scope a read needs (distribution `docs/spec/auth/scope.md`).
pub fn pull_scope(reference: &Reference) -> String {
    format!("repository:{}:pull", reference.repository())
}

#[derive(Deserialize)]
struct TokenResponse {
    token: Option<String>,
    access_token: Option<String>,
    expires_in: Option<i64>,
}

/// Read a token server's JSON answer.
///
/// `access_token` wins over `token` when both are present and non-empty, and lifetimes under
/// 60 seconds (or missing) become 60: both as docker's client does (distribution
/// `registry/client/auth/session.go`, `fetchTokenWithBasicAuth`).
pub fn parse_token_response(body: &[u8]) -> Result<Token, AuthError> {
    let size = u64::try_from(body.len()).unwrap_or(u64::MAX);
    if size > TOKEN_SIZE_CAP {
        return Err(AuthError::TokenResponseTooLarge {
            size: BodySize::Exactly(size),
        });
    }
    let response: TokenResponse =
        serde_json::from_slice(body).map_err(|e| AuthError::MalformedTokenResponse {
            reason: e.to_string(),
        })?;
    let secret = [response.access_token, response.token]
        .into_iter()
        .flatten()
        .find(|t| !t.is_empty())
        .ok_or(AuthError::NoToken)?;
    let expires_in = response
        .expires_in
        .and_then(|s| u64::try_from(s).ok())
        .unwrap_or(0)
        .max(MIN_TOKEN_LIFETIME_SECONDS);
    Ok(Token { secret, expires_in })
}

/// Go's `url.QueryEscape`: unreserved bytes stay, space becomes `+`, the rest `%XX`.
fn query_escape(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
    }
    out
}

/// A byte cursor over a header value.
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn skip_list_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.i += 1;
        }
    }

    /// RFC 7230 `token`: 1*tchar.
    fn token(&mut self) -> Option<&'a str> {
        let start = self.i;
        while self.peek().is_some_and(is_tchar) {
            self.i += 1;
        }
        if self.i == start {
            return None;
        }
        self.s
            .get(start..self.i)
            .and_then(|t| std::str::from_utf8(t).ok())
    }

    /// Skip a token68 (`1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`) if one is
    /// here and ends the challenge; otherwise leave the cursor where it was.
    fn skip_token68(&mut self) -> bool {
        let start = self.i;
        let is_t68 =
            |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/');
        while self.peek().is_some_and(is_t68) {
            self.i += 1;
        }
        if self.i == start {
            return false;
        }
        while self.eat(b'=') {}
        self.skip_spaces();
        if self.at_end() || self.peek() == Some(b',') {
            true
        } else {
            self.i = start;
            false
        }
    }

    /// `"` *( qdtext / `\` any ) `"`, returned unescaped.
    fn quoted_string(&mut self) -> Option<String> {
        if !self.eat(b'"') {
            return None;
        }
        let mut out = Vec::new();
        loop {
            let b = self.peek()?;
            self.i += 1;
            match b {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    out.push(self.peek()?);
                    self.i += 1;
                }
                _ => out.push(b),
            }
        }
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests;
