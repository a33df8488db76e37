use super::*;

fn busybox() -> Reference {
    Reference::parse("busybox").unwrap()
}

// Docker Hub's anonymous challenge for library/busybox, as given in this project's brief
// and in distribution `docs/content/spec/auth/token.md` for samalba/my-app.
#[test]
fn reads_docker_hub_challenge() {
    let header = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#;
    let c = BearerChallenge::from_header(header).unwrap();
    assert_eq!(
        c,
        BearerChallenge {
            realm: "https://auth.docker.io/token".into(),
            service: Some("registry.docker.io".into()),
            scopes: vec!["repository:library/busybox:pull".into()],
        }
    );
    // Expected string: Go 1.19 `url.QueryEscape` of each value, as docker's client encodes.
    assert_eq!(
        c.token_url(&busybox(), None),
        "https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Fbusybox%3Apull"
    );
}

// distribution docs/content/spec/auth/token.md, "How to authenticate": the challenge for a
// push to samalba/my-app; its token request example is
// `https://auth.docker.io/token?service=registry.docker.io&scope=repository:samalba/my-app:pull,push`.
#[test]
fn reads_token_spec_challenge_with_several_actions() {
    let header = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push""#;
    let c = BearerChallenge::from_header(header).unwrap();
    assert_eq!(c.scopes, vec!["repository:samalba/my-app:pull,push"]);
    assert_eq!(
        c.token_url(&busybox(), None),
        "https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Asamalba%2Fmy-app%3Apull%2Cpush"
    );
}

// ghcr.io's anonymous challenge, captured with curl in toddysm.com "Authenticating with OCI
// Registries – GitHub Container Registry (GHCR) Implementation" (2024-02-12) and elsewhere.
#[test]
fn reads_ghcr_challenge() {
    let header =
        r#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull""#;
    let c = BearerChallenge::from_header(header).unwrap();
    assert_eq!(c.realm, "https://ghcr.io/token");
    assert_eq!(c.service.as_deref(), Some("ghcr.io"));
    assert_eq!(c.scopes, vec!["repository:user/image:pull"]);
}

// distribution registry/client/auth/challenge/authchallenge_test.go `TestAuthChallengeParse`.
#[test]
fn reads_distribution_challenge_test_header() {
    let header = r#"Bearer realm="https://auth.example.com/token",service="registry.example.com",other=fun,slashed="he\"\l\lo""#;
    let challenges = parse_www_authenticate(header).unwrap();
    assert_eq!(challenges.len(), 1);
    let c = &challenges[0];
    assert_eq!(c.scheme, "bearer");
    assert_eq!(c.param("realm"), Some("https://auth.example.com/token"));
    assert_eq!(c.param("service"), Some("registry.example.com"));
    assert_eq!(c.param("other"), Some("fun"));
    assert_eq!(c.param("slashed"), Some("he\"llo"));
}

// distribution 2.8.2 with htpasswd auth (`auth.htpasswd.realm: basic-realm`), captured with
// curl from a local `docker-registry serve`: `Www-Authenticate: Basic realm="basic-realm"`.
// The session tests in registry/client/auth/session_test.go use the unquoted
// `Basic realm=localhost`.
#[test]
fn basic_challenge_is_read_and_reported_as_not_bearer() {
    for header in [r#"Basic realm="basic-realm""#, "Basic realm=localhost"] {
        let challenges = parse_www_authenticate(header).unwrap();
        assert_eq!(challenges[0].scheme, "basic");
        assert!(challenges[0].param("realm").is_some());
        assert_eq!(
            BearerChallenge::from_header(header),
            Err(AuthError::NoBearerChallenge {
                schemes: vec!["basic".into()]
            })
        );
    }
}

// distribution registry/auth/token/accesscontroller.go `challengeParams` appends an error
// parameter, and joins several scopes with a space (`accessSet.scopeParam`).
#[test]
fn several_scopes_become_several_parameters() {
    let header = r#"Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull repository:c/d:pull,push",error="insufficient_scope""#;
    let c = BearerChallenge::from_header(header).unwrap();
    assert_eq!(
        c.token_url(&busybox(), None),
        "https://auth.example.com/token?service=registry.example.com&scope=repository%3Aa%2Fb%3Apull&scope=repository%3Ac%2Fd%3Apull%2Cpush"
    );
}

#[test]
fn missing_scope_falls_back_to_pulling_the_repository() {
    let c = BearerChallenge::from_header(r#"Bearer realm="https://r.example/token?x=1""#).unwrap();
    assert_eq!(
        c.token_url(&busybox(), Some("https://proxy.example/")),
        "https://proxy.example/https://r.example/token?x=1&scope=repository%3Alibrary%2Fbusybox%3Apull"
    );
}

// Expected strings printed by Go 1.19 `url.QueryEscape` for the same inputs.
#[test]
fn query_values_are_escaped_like_go() {
    assert_eq!(
        query_escape("a b~*'()!$&=+@[]é"),
        "a+b~%2A%27%28%29%21%24%26%3D%2B%40%5B%5D%C3%A9"
    );
    assert_eq!(query_escape("registry.docker.io"), "registry.docker.io");
}

#[test]
fn bearer_after_other_challenges_is_found() {
    let header = r#"Negotiate YIIabc==, Basic realm="x", Bearer realm="https://t.example/token",service="s""#;
    let challenges = parse_www_authenticate(header).unwrap();
    let schemes: Vec<&str> = challenges.iter().map(|c| c.scheme.as_str()).collect();
    assert_eq!(schemes, ["negotiate", "basic", "bearer"]);
    let c = BearerChallenge::from_header(header).unwrap();
    assert_eq!(c.realm, "https://t.example/token");
    assert_eq!(c.service.as_deref(), Some("s"));
}

#[test]
fn spaces_around_equals_and_commas_are_allowed() {
    let c = parse_www_authenticate(r#"BEARER Realm = "https://a/t" ,  Service=svc"#).unwrap();
    assert_eq!(c[0].scheme, "bearer");
    assert_eq!(c[0].param("realm"), Some("https://a/t"));
    assert_eq!(c[0].param("service"), Some("svc"));
}

#[test]
fn malformed_challenges_are_errors_not_guesses() {
    for header in [
        "",
        "   ",
        r#"Bearer realm="unterminated"#,
        r#"Bearer realm="a" junk"#,
        "=x",
    ] {
        assert!(
            matches!(
                parse_www_authenticate(header),
                Err(AuthError::MalformedChallenge { .. })
            ),
            "{header:?}"
        );
    }
}

#[test]
fn realm_must_be_an_http_url() {
    assert_eq!(
        BearerChallenge::from_header(r#"Bearer realm="javascript:alert(1)""#),
        Err(AuthError::BadRealm {
            realm: "javascript:alert(1)".into()
        })
    );
    // `realm=` followed by a comma is a token68 by RFC 7235, not an empty realm.
    for header in [r#"Bearer service="x""#, "Bearer realm=,"] {
        assert_eq!(
            BearerChallenge::from_header(header),
            Err(AuthError::MissingRealm),
            "{header}"
        );
    }
}

// distribution docs/content/spec/auth/token.md, "Token Response Fields" example.
#[test]
fn reads_token_spec_response() {
    let body = br#"{"token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiIsImtpZCI6IlBZWU86VEVXVTpWN0pIOjI2SlY6QVFUWjpMSkMzOlNYVko6WEdIQTozNEYyOjJMQVE6WlJNSzpaN1E2In0.eyJpc3MiOiJhdXRoLmRvY2tlci5jb20iLCJzdWIiOiJqbGhhd24iLCJhdWQiOiJyZWdpc3RyeS5kb2NrZXIuY29tIiwiZXhwIjoxNDE1Mzg3MzE1LCJuYmYiOjE0MTUzODcwMTUsImlhdCI6MTQxNTM4NzAxNSwianRpIjoidFlKQ08xYzZjbnl5N2tBbjBjN3JLUGdiVjFIMWJGd3MiLCJhY2Nlc3MiOlt7InR5cGUiOiJyZXBvc2l0b3J5IiwibmFtZSI6InNhbWFsYmEvbXktYXBwIiwiYWN0aW9ucyI6WyJwdXNoIl19XX0.QhflHPfbd6eVF4lM9bwYpFZIV0PfikbyXuLx959ykRTBpe3CYnzs6YBK8FToVb5R47920PVLrh8zuLzdCr9t3w", "expires_in": 3600,"issued_at": "2009-11-10T23:00:00Z"}"#;
    let token = parse_token_response(body).unwrap();
    assert_eq!(token.expires_in, 3600);
    assert!(token.authorization().starts_with("Bearer eyJ0eXAiOiJKV1Qi"));
    assert!(!format!("{token:?}").contains("eyJ"));
}

// Token spec: `access_token` is accepted as `token`; docker's client prefers it when both
// are set. Without `expires_in` (ghcr.io sends none, per the toddysm.com post above) the
// lifetime is the spec's default of 60 seconds, which is also the minimum.
#[test]
fn token_response_variants_follow_the_spec() {
    let t = parse_token_response(br#"{"access_token":"oauth"}"#).unwrap();
    assert_eq!((t.authorization(), t.expires_in), ("Bearer oauth".into(), 60));
    let t = parse_token_response(br#"{"token":"old","access_token":"new","expires_in":300}"#).unwrap();
    assert_eq!((t.authorization(), t.expires_in), ("Bearer new".into(), 300));
    let t = parse_token_response(br#"{"token":"t","access_token":"","expires_in":10}"#).unwrap();
    assert_eq!((t.authorization(), t.expires_in), ("Bearer t".into(), 60));
    let t = parse_token_response(br#"{"token":"t","expires_in":-5}"#).unwrap();
    assert_eq!(t.expires_in, 60);
}

#[test]
fn token_response_without_token_is_an_error() {
    assert_eq!(
        parse_token_response(br#"{"expires_in":60}"#),
        Err(AuthError::NoToken)
    );
    assert_eq!(parse_token_response(br#"{"token":""}"#), Err(AuthError::NoToken));
    assert!(matches!(
        parse_token_response(b"<html>login</html>"),
        Err(AuthError::MalformedTokenResponse { .. })
    ));
    let huge = vec![b' '; (TOKEN_SIZE_CAP + 1) as usize];
    assert_eq!(
        parse_token_response(&huge),
        Err(AuthError::TokenResponseTooLarge {
            size: BodySize::Exactly(TOKEN_SIZE_CAP + 1)
        })
    );
}

/// Captured from distribution 2.8.2 with `auth.htpasswd.realm: digestlens-test`
/// (`scripts/registry --mode htpasswd`, `curl -si …/v2/demo/oci/manifests/1`).
const HTPASSWD_CHALLENGE: &str = r#"Basic realm="digestlens-test""#;

fn password(username: &str, password: &str) -> Credentials {
    Credentials::Password {
        username: username.into(),
        password: password.into(),
    }
}

#[test]
fn typed_fields_become_credentials_or_none() {
    assert_eq!(Credentials::from_fields(" ", "", "\t"), Ok(None));
    assert_eq!(
        Credentials::from_fields(" me ", "secret\n", ""),
        Ok(Some(password("me", "secret")))
    );
    assert_eq!(
        Credentials::from_fields("me", "pässwörd", ""),
        Ok(Some(password("me", "pässwörd")))
    );
    assert_eq!(
        Credentials::from_fields("me", "secret", " tok "),
        Ok(Some(Credentials::Token("tok".into())))
    );
}

#[test]
fn typed_fields_that_cannot_be_sent_are_refused() {
    assert_eq!(
        Credentials::from_fields("", "", "two words"),
        Err(AuthError::UnsendableToken)
    );
    assert_eq!(
        Credentials::from_fields("", "", "tök"),
        Err(AuthError::UnsendableToken)
    );
    assert_eq!(
        Credentials::from_fields("a:b", "c", ""),
        Err(AuthError::ColonInUsername)
    );
}

#[test]
fn secrets_never_show_in_debug_output() {
    let shown = format!("{:?}", password("me", "hunter2"));
    assert!(shown.contains("me") && !shown.contains("hunter2"), "{shown}");
    let shown = format!("{:?}", Credentials::Token("tok-123".into()));
    assert!(!shown.contains("tok-123"), "{shown}");
    let step = answer_challenge(
        r#"Bearer realm="https://auth.example/token""#,
        &busybox(),
        Some(&password("me", "hunter2")),
        None,
    )
    .unwrap();
    let shown = format!("{step:?}");
    assert!(
        !shown.contains("aHVudGVyMg") && !shown.contains("Basic"),
        "{shown}"
    );
}

#[test]
fn anonymous_bearer_challenge_asks_the_token_server_without_credentials() {
    let header = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#;
    assert_eq!(
        answer_challenge(header, &busybox(), None, None),
        Ok(AuthStep::FetchToken {
            url: "https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Fbusybox%3Apull".into(),
            authorization: None,
        })
    );
}

// RFC 7617 section 2: user-id "Aladdin", password "open sesame" give
// `Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==`.
#[test]
fn typed_password_goes_to_the_token_server_as_basic_auth() {
    let header =
        r#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull""#;
    let step = answer_challenge(
        header,
        &busybox(),
        Some(&password("Aladdin", "open sesame")),
        None,
    );
    assert_eq!(
        step,
        Ok(AuthStep::FetchToken {
            url: "https://ghcr.io/token?service=ghcr.io&scope=repository%3Auser%2Fimage%3Apull".into(),
            authorization: Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".into()),
        })
    );
}

#[test]
fn basic_challenge_is_answered_only_with_a_typed_password() {
    assert_eq!(
        answer_challenge(
            HTPASSWD_CHALLENGE,
            &busybox(),
            Some(&password("Aladdin", "open sesame")),
            None
        ),
        Ok(AuthStep::Retry {
            authorization: "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".into()
        })
    );
    let anonymous = answer_challenge(HTPASSWD_CHALLENGE, &busybox(), None, None).unwrap_err();
    assert_eq!(
        anonymous,
        AuthError::NoBearerChallenge {
            schemes: vec!["basic".into()]
        }
    );
    assert!(
        anonymous.to_string().contains("type them under Credentials"),
        "{anonymous}"
    );
}

#[test]
fn a_refused_ready_made_token_is_not_retried() {
    let header = r#"Bearer realm="https://ghcr.io/token",service="ghcr.io""#;
    assert_eq!(
        answer_challenge(header, &busybox(), Some(&Credentials::Token("t".into())), None),
        Err(AuthError::CredentialsRejected)
    );
    assert_eq!(
        Credentials::Token("t".into()).upfront_authorization().as_deref(),
        Some("Bearer t")
    );
    assert_eq!(password("a", "b").upfront_authorization(), None);
}
