//! Cross-origin access: none unless the operator named an origin with `--allow-origin`; then exactly
//! that origin (never `*`), preflights answered and the registry headers exposed.

use std::fmt;
use std::str::FromStr;

use http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use url::Url;

use crate::headers::EXPOSED_HEADERS;
use crate::response::{empty, Body};

/// An origin as browsers send it: `scheme://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(String);

impl FromStr for Origin {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.trim() == "*" {
            return Err(
                "'*' is not accepted: name the origin of the page, e.g. https://digestlens.example".into(),
            );
        }
        let url =
            Url::parse(text).map_err(|_| format!("'{text}' is not an origin like https://host[:port]"))?;
        let bare = url.path() == "/"
            && url.query().is_none()
            && url.fragment().is_none()
            && url.username().is_empty();
        if !matches!(url.scheme(), "http" | "https") || !bare {
            return Err(format!(
                "'{text}' is not an origin like https://host[:port] (no path)"
            ));
        }
        Ok(Origin(url.origin().ascii_serialization()))
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The allowed origins.
#[derive(Debug, Clone, Default)]
pub struct Cors(Vec<Origin>);

impl Cors {
    pub fn new(origins: Vec<Origin>) -> Self {
        Cors(origins)
    }

    /// The request's `Origin` when it is one of ours.
    pub fn allowed(&self, request: &HeaderMap) -> Option<HeaderValue> {
        let origin = request.get(header::ORIGIN)?;
        let text = origin.to_str().ok()?;
        self.0.iter().any(|o| o.0 == text).then(|| origin.clone())
    }

    /// Adds the CORS headers for an allowed origin to an actual response.
    pub fn decorate(origin: Option<&HeaderValue>, response: &mut Response<Body>) {
        let headers = response.headers_mut();
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
        if let Some(origin) = origin {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            headers.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static(EXPOSED_HEADERS),
            );
        }
    }

    /// The answer to `OPTIONS`: a preflight grant for an allowed origin, otherwise just `Allow`.
    pub fn preflight(origin: Option<&HeaderValue>) -> Response<Body> {
        let mut response = Response::new(empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        let headers = response.headers_mut();
        headers.insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, OPTIONS"));
        if origin.is_some() {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, HEAD"),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("Accept, Authorization, Range, If-None-Match"),
            );
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        }
        Cors::decorate(origin, &mut response);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_exact_and_never_a_wildcard() {
        assert!("*".parse::<Origin>().is_err());
        assert!("https://page.example/app".parse::<Origin>().is_err());
        assert_eq!(
            "https://Page.Example:443".parse::<Origin>().unwrap().to_string(),
            "https://page.example"
        );
        let cors = Cors::new(vec!["https://page.example".parse().unwrap()]);
        let mut request = HeaderMap::new();
        request.insert(header::ORIGIN, HeaderValue::from_static("https://page.example"));
        assert!(cors.allowed(&request).is_some());
        request.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(cors.allowed(&request).is_none());
    }
}
