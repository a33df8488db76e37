//! An `Authorization` value a registry accepted, and until when it may be sent. Its own module
//! because the client that obtains it and the keyring that keeps it both need it: neither owns it.

/// A bearer token is renewed this long before it expires, so it does not run out between
/// being handed to a worker and the blob request going out.
const RENEW_BEFORE_MS: f64 = 10_000.0;

/// An `Authorization` value the registry accepted, and until when it may be sent.
#[derive(Clone)]
pub(crate) struct Grant {
    pub(crate) value: String,
    /// `Date.now()` after which a bearer token has expired; `None` for what does not expire
    /// (the user's Basic credentials, or the token they typed).
    expires_at: Option<f64>,
}

impl Grant {
    pub(crate) fn lasting(value: String) -> Grant {
        Grant {
            value,
            expires_at: None,
        }
    }

    /// A token that the token server says is valid for `seconds` from now.
    pub(crate) fn expiring(value: String, seconds: u64) -> Grant {
        Grant {
            value,
            expires_at: Some(js_sys::Date::now() + seconds as f64 * 1000.0),
        }
    }

    /// Whether this is a token from the registry's token server (rather than the user's own
    /// credentials or token, sent as typed): a 401 to it says the token, not the login, was
    /// refused.
    pub(crate) fn is_issued_token(&self) -> bool {
        self.expires_at.is_some()
    }

    /// `Date.now()` from which a bearer token is to be renewed before it is sent again.
    pub(crate) fn renew_at(&self) -> Option<f64> {
        self.expires_at.map(|at| at - RENEW_BEFORE_MS)
    }

    pub(crate) fn usable(&self, now: f64) -> bool {
        self.renew_at().is_none_or(|at| now < at)
    }
}
