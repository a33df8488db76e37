//! What a registry's HTTP answer means before its body is read: how much of the body to read,
//! and what its status asks of the client. Pure, so the page's one HTTP layer
//! (`registry::http`) decides manifests, tokens, referrers and blobs alike, and each case is a
//! native test.

/// Error answers are read for their distribution error code only: a registry has no reason to
/// send more, and a longer one (an HTML page from something in between) is left unread.
pub const ERROR_BODY_CAP: u64 = 64 * 1024;

/// How much of an answer's body to read, from its status and `Content-Length`. A declared
/// length is a promise the browser holds the body to; an answer without one (chunked, or the
/// header not exposed) is read one byte past its cap and no further, so what a registry sends
/// never decides how much memory the page spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyPlan {
    /// A 2xx answer declares more than the document may be: refused unread, and its download
    /// stopped.
    TooLarge { size: u64 },
    /// An error answer declares more than [`ERROR_BODY_CAP`]: reported without its body, and
    /// its download stopped.
    Skip,
    /// Read the body up to `cap` bytes, and one more: a 2xx answer that has it is refused as
    /// [`BodySize::MoreThan`] `cap`; an error answer is cut at `cap` (only its error code is
    /// wanted). The download stops there either way.
    Read { cap: u64 },
}

/// How large a refused body is, as far as the page knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodySize {
    /// Its `Content-Length`, or the length of what was read.
    Exactly(u64),
    /// No length was declared and reading stopped one byte past the cap: only this is known.
    MoreThan(u64),
}

impl std::fmt::Display for BodySize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodySize::Exactly(size) => write!(f, "{size} bytes"),
            BodySize::MoreThan(cap) => write!(f, "more than {cap} bytes"),
        }
    }
}

impl BodyPlan {
    /// `ok` is a 2xx status; `content_length` the header as the browser shows it (unexposed or
    /// unparsable counts as absent); `limit` the largest document of this kind.
    pub fn of(ok: bool, content_length: Option<&str>, limit: u64) -> BodyPlan {
        let cap = if ok { limit } else { ERROR_BODY_CAP };
        match content_length.and_then(|v| v.trim().parse::<u64>().ok()) {
            Some(size) if size > cap && ok => BodyPlan::TooLarge { size },
            Some(size) if size > cap => BodyPlan::Skip,
            _ => BodyPlan::Read { cap },
        }
    }
}

/// What the client sent, as far as a 401 is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sent {
    /// A challenge may still be answered (once per request: a second 401 after answering is final).
    pub may_answer_challenge: bool,
    /// The user typed credentials, so a final 401 means they were refused.
    pub credentials_given: bool,
    /// The `Authorization` is a token its token server issued: a 401 means that token was
    /// refused (expired, or no pull right), whatever login it was obtained with.
    pub issued_token: bool,
}

/// What an answer's status asks of the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusStep {
    /// 2xx: the document (or the blob's stream) is there.
    Read,
    /// 401 with a `WWW-Authenticate` challenge: get a token or send the credentials, then ask again.
    AnswerChallenge,
    /// 401 to an issued token.
    TokenRefused,
    /// 401 to the credentials the user typed.
    CredentialsRejected,
    /// Any other status: the registry's (or the proxy's) error, read from the body.
    Error,
}

impl StatusStep {
    /// `challenged`: the answer carries a readable `WWW-Authenticate`.
    pub fn of(status: u16, challenged: bool, sent: Sent) -> StatusStep {
        match status {
            200..=299 => StatusStep::Read,
            401 if challenged && sent.may_answer_challenge => StatusStep::AnswerChallenge,
            401 if sent.issued_token => StatusStep::TokenRefused,
            401 if sent.credentials_given => StatusStep::CredentialsRejected,
            _ => StatusStep::Error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    #[test]
    fn a_document_declared_over_its_cap_is_refused_unread() {
        assert_eq!(
            BodyPlan::of(true, Some("4194305"), 4 * MIB),
            BodyPlan::TooLarge { size: 4 * MIB + 1 }
        );
    }

    #[test]
    fn a_document_at_its_cap_or_without_a_length_is_read_up_to_the_cap() {
        assert_eq!(
            BodyPlan::of(true, Some("4194304"), 4 * MIB),
            BodyPlan::Read { cap: 4 * MIB }
        );
        assert_eq!(BodyPlan::of(true, None, 4 * MIB), BodyPlan::Read { cap: 4 * MIB });
        assert_eq!(
            BodyPlan::of(true, Some("many"), 4 * MIB),
            BodyPlan::Read { cap: 4 * MIB }
        );
    }

    #[test]
    fn an_error_answer_is_read_up_to_the_error_cap_and_skipped_beyond_it() {
        assert_eq!(
            BodyPlan::of(false, Some(" 100 "), 4 * MIB),
            BodyPlan::Read { cap: ERROR_BODY_CAP }
        );
        assert_eq!(BodyPlan::of(false, Some("65537"), 4 * MIB), BodyPlan::Skip);
        assert_eq!(
            BodyPlan::of(false, None, 4 * MIB),
            BodyPlan::Read { cap: ERROR_BODY_CAP }
        );
    }

    #[test]
    fn a_refused_size_says_more_than_when_only_the_cap_is_known() {
        assert_eq!(BodySize::Exactly(4_294_967_296).to_string(), "4294967296 bytes");
        assert_eq!(BodySize::MoreThan(4 * MIB).to_string(), "more than 4194304 bytes");
    }

    #[test]
    fn a_2xx_status_is_read_whatever_was_sent() {
        for status in [200, 203, 206, 299] {
            assert_eq!(StatusStep::of(status, true, Sent::default()), StatusStep::Read);
        }
    }

    #[test]
    fn the_first_challenge_is_answered_and_a_second_is_final() {
        let first = Sent {
            may_answer_challenge: true,
            ..Sent::default()
        };
        assert_eq!(StatusStep::of(401, true, first), StatusStep::AnswerChallenge);
        assert_eq!(StatusStep::of(401, true, Sent::default()), StatusStep::Error);
        assert_eq!(StatusStep::of(401, false, first), StatusStep::Error);
    }

    #[test]
    fn a_final_401_names_what_was_refused_an_issued_token_before_typed_credentials() {
        let typed = Sent {
            credentials_given: true,
            ..Sent::default()
        };
        assert_eq!(StatusStep::of(401, true, typed), StatusStep::CredentialsRejected);
        let token_from_login = Sent {
            credentials_given: true,
            issued_token: true,
            ..Sent::default()
        };
        assert_eq!(
            StatusStep::of(401, false, token_from_login),
            StatusStep::TokenRefused
        );
    }

    #[test]
    fn other_statuses_are_errors_even_with_a_login() {
        let typed = Sent {
            credentials_given: true,
            issued_token: true,
            may_answer_challenge: true,
        };
        for status in [0, 302, 403, 404, 429, 500] {
            assert_eq!(StatusStep::of(status, true, typed), StatusStep::Error);
        }
    }
}
