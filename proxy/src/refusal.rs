//! Every way the proxy says no, with the status and the sentence the page shows: which host, which
//! rule, and the flag that would allow it.

use std::net::IpAddr;
use std::time::Duration;

use http::StatusCode;

/// A request the proxy will not (or could not) forward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    MethodNotAllowed {
        method: String,
    },
    NotAnAbsoluteUrl {
        text: String,
    },
    SchemeNotSupported {
        scheme: String,
    },
    CredentialsInUrl,
    /// `flags`: the command-line flags that would allow exactly this request.
    HostNotAllowed {
        endpoint: String,
        flags: String,
    },
    PathOutsideV2 {
        endpoint: String,
        path: String,
    },
    RealmNotAnnounced {
        url: String,
    },
    PlainHttpNotAllowed {
        endpoint: String,
    },
    RedirectNotAllowed {
        from: String,
        to: String,
    },
    RedirectInvalid {
        from: String,
    },
    TooManyRedirects {
        endpoint: String,
    },
    ForbiddenAddress {
        endpoint: String,
        ip: IpAddr,
    },
    HeadersTooLarge {
        bytes: usize,
        limit: usize,
    },
    RateLimited {
        retry_after: Duration,
    },
    Busy,
    UpstreamUnreachable {
        endpoint: String,
    },
    UpstreamTimeout {
        endpoint: String,
    },
    UpstreamFailed {
        endpoint: String,
    },
}

impl Refusal {
    pub fn status(&self) -> StatusCode {
        use Refusal::*;
        match self {
            MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            NotAnAbsoluteUrl { .. } | SchemeNotSupported { .. } | CredentialsInUrl => StatusCode::BAD_REQUEST,
            HostNotAllowed { .. }
            | PathOutsideV2 { .. }
            | RealmNotAnnounced { .. }
            | PlainHttpNotAllowed { .. }
            | RedirectNotAllowed { .. }
            | ForbiddenAddress { .. } => StatusCode::FORBIDDEN,
            HeadersTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Busy => StatusCode::SERVICE_UNAVAILABLE,
            RedirectInvalid { .. }
            | TooManyRedirects { .. }
            | UpstreamUnreachable { .. }
            | UpstreamFailed { .. } => StatusCode::BAD_GATEWAY,
            UpstreamTimeout { .. } => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    /// A short name of the rule, the `error` field.
    pub fn error(&self) -> &'static str {
        use Refusal::*;
        match self {
            MethodNotAllowed { .. } => "method not allowed",
            NotAnAbsoluteUrl { .. } => "not an absolute URL",
            SchemeNotSupported { .. } => "scheme not supported",
            CredentialsInUrl => "credentials in URL",
            HostNotAllowed { .. } => "registry not allowed",
            PathOutsideV2 { .. } => "path outside /v2/",
            RealmNotAnnounced { .. } => "token realm not announced",
            PlainHttpNotAllowed { .. } => "plain http not allowed",
            RedirectNotAllowed { .. } => "redirect not allowed",
            RedirectInvalid { .. } => "invalid redirect",
            TooManyRedirects { .. } => "too many redirects",
            ForbiddenAddress { .. } => "forbidden address",
            HeadersTooLarge { .. } => "request headers too large",
            RateLimited { .. } => "rate limited",
            Busy => "proxy busy",
            UpstreamUnreachable { .. } => "registry unreachable",
            UpstreamTimeout { .. } => "registry timed out",
            UpstreamFailed { .. } => "registry connection failed",
        }
    }

    /// The sentence the page shows, the `why` field.
    pub fn why(&self) -> String {
        use Refusal::*;
        match self {
            MethodNotAllowed { method } => format!(
                "This proxy only reads from registries: {method} is not forwarded, only GET and HEAD (and OPTIONS, which it answers itself)."
            ),
            NotAnAbsoluteUrl { text } => format!(
                "'{text}' is not an absolute http(s) URL; ask for /proxy/https://REGISTRY/v2/..."
            ),
            SchemeNotSupported { scheme } => format!("Only https (and plain http for hosts given with --plain-http) is forwarded, not {scheme}."),
            CredentialsInUrl => "A user name or password inside the URL is never forwarded; send them as an Authorization header.".into(),
            HostNotAllowed { endpoint, flags } => format!(
                "{endpoint} is not on this proxy's registry allow list; start the proxy with {flags} to allow it."
            ),
            PathOutsideV2 { endpoint, path } => format!(
                "Only registry API paths under /v2/ are forwarded to {endpoint}, and {path} is not one (nor a token realm that a registry announced)."
            ),
            RealmNotAnnounced { url } => format!(
                "{url} is not a token realm that an allowed registry announced in its WWW-Authenticate, so it is not forwarded; ask the registry first, or start the proxy with --allow-registry for that host."
            ),
            PlainHttpNotAllowed { endpoint } => format!(
                "{endpoint} would be reached over plain http, which this proxy only does for hosts given with --plain-http {endpoint}."
            ),
            RedirectNotAllowed { from, to } => format!(
                "{from} redirected to {to}, which is neither an allowed registry nor a known blob storage host; start the proxy with --allow-blob-host {to} to follow it."
            ),
            RedirectInvalid { from } => format!("{from} answered with a redirect whose Location is not a valid URL."),
            TooManyRedirects { endpoint } => format!("{endpoint} redirected more than 5 times; the proxy stopped following."),
            ForbiddenAddress { endpoint, ip } => format!(
                "{endpoint} resolves to {ip}, an address in a loopback, private, link-local or other internal range that this proxy never connects to; to reach it on purpose, name exactly {endpoint} with --allow-registry."
            ),
            HeadersTooLarge { bytes, limit } => format!(
                "The request headers are {bytes} bytes; this proxy accepts at most {limit}."
            ),
            RateLimited { retry_after } => format!(
                "Too many requests from this client; try again in {} s.",
                whole_seconds(*retry_after)
            ),
            Busy => "The proxy is forwarding as many requests as it allows at once; try again shortly.".into(),
            UpstreamUnreachable { endpoint } => format!("The proxy could not connect to {endpoint}."),
            UpstreamTimeout { endpoint } => format!("{endpoint} did not answer in time."),
            UpstreamFailed { endpoint } => format!("The exchange with {endpoint} failed before it answered."),
        }
    }

    /// `Retry-After` seconds for refusals a client may retry.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Refusal::RateLimited { retry_after } => Some(whole_seconds(*retry_after)),
            Refusal::Busy => Some(1),
            _ => None,
        }
    }

    /// The JSON body `{"error":…,"why":…}`.
    pub fn body(&self) -> String {
        serde_json::json!({ "error": self.error(), "why": self.why() }).to_string()
    }
}

/// Seconds rounded up (at least 1): a client that waits that long finds its request allowed.
fn whole_seconds(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_host_names_the_flag_that_allows_it() {
        let refusal = Refusal::HostNotAllowed {
            endpoint: "evil.example:443".into(),
            flags: "--allow-registry evil.example".into(),
        };
        assert_eq!(refusal.status(), StatusCode::FORBIDDEN);
        let body: serde_json::Value = serde_json::from_str(&refusal.body()).unwrap();
        assert_eq!(body["error"], "registry not allowed");
        assert!(body["why"]
            .as_str()
            .unwrap()
            .contains("--allow-registry evil.example"));
    }

    #[test]
    fn rate_limits_say_when_to_come_back() {
        let refusal = Refusal::RateLimited {
            retry_after: Duration::from_millis(200),
        };
        assert_eq!(refusal.retry_after(), Some(1));
        assert_eq!(refusal.status(), StatusCode::TOO_MANY_REQUESTS);
        let longer = Refusal::RateLimited {
            retry_after: Duration::from_millis(1500),
        };
        assert_eq!(longer.retry_after(), Some(2));
    }
}
