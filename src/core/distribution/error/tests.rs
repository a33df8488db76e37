use super::*;
use crate::core::distribution::MANIFEST_ACCEPT;

fn reference(s: &str) -> Reference {
    Reference::parse(s).unwrap()
}

// Bodies captured from distribution 2.8.2 (`docker-registry serve`, no auth) with curl.
const MANIFEST_UNKNOWN_TAG: &[u8] =
    br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"latest"}}]}"#;
const MANIFEST_UNKNOWN_DIGEST: &[u8] = br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Name":"foo","Revision":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}]}"#;
const NAME_UNKNOWN: &[u8] = br#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"foo"}}]}"#;
const BLOB_UNKNOWN: &[u8] = br#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}]}"#;
const UNAUTHORIZED: &[u8] = br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":[{"Type":"repository","Class":"","Name":"foo","Action":"pull"}]}]}"#;
const OCI_NOT_ACCEPTED: &[u8] = br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"OCI manifest found, but accept header does not support OCI manifests"}]}"#;
const NO_ROUTE: &[u8] = b"404 page not found\n";
// Docker Hub's pull-limit message as docker prints it ("toomanyrequests: …"), quoted in
// aws-samples/sagemaker-studio-image-build-cli issue #26; code as the distribution error
// body spells it.
const DOCKER_HUB_429: &[u8] = br#"{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit"}]}"#;

#[test]
fn distribution_error_bodies_are_read() {
    assert_eq!(
        parse_error_body(MANIFEST_UNKNOWN_DIGEST),
        [ErrorEntry {
            code: "MANIFEST_UNKNOWN".into(),
            message: "manifest unknown".into()
        }]
    );
    assert!(parse_error_body(NO_ROUTE).is_empty());
    assert!(parse_error_body(b"").is_empty());
}

#[test]
fn not_found_is_told_apart_by_error_code() {
    let r = reference("localhost:5000/foo");
    assert_eq!(
        RegistryError::from_response(404, MANIFEST_UNKNOWN_TAG, None, &r, Resource::Manifest),
        RegistryError::ManifestUnknown {
            reference: "localhost:5000/foo:latest".into(),
            message: Some("manifest unknown".into())
        }
    );
    assert_eq!(
        RegistryError::from_response(404, NAME_UNKNOWN, None, &r, Resource::Manifest),
        RegistryError::NameUnknown {
            registry: "localhost:5000".into(),
            repository: "foo".into()
        }
    );
    assert!(matches!(
        RegistryError::from_response(404, BLOB_UNKNOWN, None, &r, Resource::Blob),
        RegistryError::BlobUnknown { .. }
    ));
    assert!(matches!(
        RegistryError::from_response(404, NO_ROUTE, None, &r, Resource::Manifest),
        RegistryError::NotFound { message: None, .. }
    ));
    // distribution 2.8.2 has no referrers route: plain-text 404.
    assert_eq!(
        RegistryError::from_response(404, NO_ROUTE, None, &r, Resource::Referrers),
        RegistryError::ReferrersUnsupported {
            registry: "localhost:5000".into()
        }
    );
}

#[test]
fn oci_manifest_refused_for_its_accept_header_gets_a_hint() {
    let r = reference("localhost:5000/demo/oci:v1");
    let e = RegistryError::from_response(404, OCI_NOT_ACCEPTED, None, &r, Resource::Manifest);
    assert!(
        e.to_string().contains("a proxy in between probably dropped it"),
        "{e}"
    );
    let plain = RegistryError::from_response(404, MANIFEST_UNKNOWN_TAG, None, &r, Resource::Manifest);
    assert!(!plain.to_string().contains("proxy"), "{plain}");
}

#[test]
fn unauthorized_and_forbidden_explain_private_or_missing() {
    let r = reference("foo/private");
    let e = RegistryError::from_response(401, UNAUTHORIZED, None, &r, Resource::Manifest);
    let text = e.to_string();
    assert!(
        text.starts_with("docker.io/foo/private:latest: the registry wants a login (401)"),
        "{text}"
    );
    assert!(text.contains("\"authentication required\""), "{text}");
    assert!(text.contains("Docker Hub answers 401, not 404"), "{text}");
    assert!(matches!(
        RegistryError::from_response(403, b"", None, &r, Resource::Manifest),
        RegistryError::Forbidden { message: None, .. }
    ));
}

#[test]
fn rate_limit_carries_retry_after() {
    let r = reference("busybox");
    let e = RegistryError::from_response(429, DOCKER_HUB_429, Some("3600"), &r, Resource::Manifest);
    assert_eq!(
        e,
        RegistryError::TooManyRequests {
            registry: "docker.io".into(),
            retry_after: Some(RetryAfter::Seconds(3600)),
            message: Some("You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit".into()),
        }
    );
    assert!(e.to_string().ends_with("; try again in about 60 minutes"), "{e}");
    let e = RegistryError::from_response(
        429,
        b"",
        Some("Wed, 21 Oct 2015 07:28:00 GMT"),
        &r,
        Resource::Manifest,
    );
    assert!(
        e.to_string()
            .ends_with("; try again after Wed, 21 Oct 2015 07:28:00 GMT"),
        "{e}"
    );
    let e = RegistryError::from_response(429, b"", Some("30"), &r, Resource::Manifest);
    assert!(e.to_string().ends_with("; try again in 30 seconds"), "{e}");
    let e = RegistryError::from_response(429, b"", None, &r, Resource::Manifest);
    assert!(e.to_string().ends_with("wait a while before trying again"), "{e}");
}

#[test]
fn server_and_unexpected_statuses_name_the_status() {
    let r = reference("ghcr.io/org/app");
    for (status, expected) in [
        (500, "ghcr.io failed (HTTP 500)"),
        (503, "ghcr.io failed (HTTP 503)"),
        (418, "ghcr.io answered HTTP 418"),
    ] {
        let e = RegistryError::from_response(status, b"", None, &r, Resource::Manifest);
        assert!(e.to_string().starts_with(expected), "{e}");
    }
}

#[test]
fn cors_message_carries_configs_and_commands() {
    let r = reference("registry.example.com/team/app:1.0");
    let text = RegistryError::cors_blocked(&r, "https://lens.example").to_string();
    for needle in [
        "does not allow reads from web pages",
        "Access-Control-Allow-Origin: ['https://lens.example']",
        "Access-Control-Allow-Methods: ['HEAD', 'GET', 'OPTIONS']",
        "Access-Control-Allow-Headers: ['Authorization', 'Accept']",
        "Access-Control-Expose-Headers: ['Docker-Content-Digest', 'WWW-Authenticate']",
        "\"allowOrigin\": \"https://lens.example\"",
        "CORS proxy prefix",
        "\ncrane manifest registry.example.com/team/app:1.0",
        "\nregctl manifest get registry.example.com/team/app:1.0 --format raw-body",
        "\nskopeo inspect --raw docker://registry.example.com/team/app:1.0",
        "\noras manifest fetch registry.example.com/team/app:1.0",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn ways_on_for_docker_hub_fetch_an_anonymous_token_first() {
    let curl = ways_on(&reference("busybox"))
        .into_iter()
        .find(|w| w.tool == "curl")
        .unwrap();
    assert_eq!(
        curl.command,
        format!(
            "TOKEN=$(curl -fsSL 'https://auth.docker.io/token?service=registry.docker.io&scope=repository:library/busybox:pull' | jq -r .token) && \
             curl -fsSL -H \"Authorization: Bearer $TOKEN\" -H 'Accept: {MANIFEST_ACCEPT}' \
             https://registry-1.docker.io/v2/library/busybox/manifests/latest"
        )
    );
}

#[test]
fn ways_on_for_plain_http_registries_turn_tls_off() {
    let digest = "sha256:6043f6321434a632f01538716cd9fdeada04c11abf4575a1ecb6c4596454460e";
    let r = reference(&format!("localhost:5000/demo/img:v1@{digest}"));
    let commands: Vec<String> = ways_on(&r).into_iter().map(|w| w.command).collect();
    let pinned = format!("localhost:5000/demo/img@{digest}");
    assert_eq!(
        commands,
        [
            format!("crane manifest --insecure {pinned}"),
            format!("regctl registry set --tls disabled localhost:5000 && regctl manifest get {pinned} --format raw-body"),
            format!("skopeo inspect --tls-verify=false --raw docker://{pinned}"),
            format!("oras manifest fetch --plain-http {pinned}"),
            format!("curl -fsSL -H 'Accept: {MANIFEST_ACCEPT}' http://localhost:5000/v2/demo/img/manifests/{digest}"),
        ]
    );
}

#[test]
fn ipv6_references_are_quoted_for_the_shell() {
    let r = reference("[::1]:5000/repo:tag");
    let crane = &ways_on(&r)[0];
    assert_eq!(crane.command, "crane manifest --insecure '[::1]:5000/repo:tag'");
}

#[test]
fn blocked_redirect_offers_blob_commands() {
    let digest: Digest = "sha256:9291ff31589929913d450e8f54ad31cc670cb2c34925c023a76512408cab241a"
        .parse()
        .unwrap();
    let r = reference("ghcr.io/org/app:1.0");
    let e = RegistryError::redirect_blocked(
        &r,
        &digest,
        Some("https://pkg-containers.githubusercontent.com/ghcr1/blobs/sha256:9291"),
    );
    let text = e.to_string();
    assert!(
        text.contains("on to https://pkg-containers.githubusercontent.com/"),
        "{text}"
    );
    assert!(
        text.contains(&format!("\ncrane blob ghcr.io/org/app@{digest} > blob")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "\noras blob fetch --output blob ghcr.io/org/app@{digest}"
        )),
        "{text}"
    );
}

#[test]
fn oversized_manifest_names_the_4_mib_limit() {
    let e = RegistryError::ManifestTooLarge {
        size: BodySize::Exactly(5_000_000),
    };
    assert!(e.to_string().contains("over 4194304 bytes (4 MiB)"), "{e}");
}

fn facts(online: bool) -> FailureFacts<'static> {
    FailureFacts {
        online,
        proxy: None,
        redirected: false,
        probe_status: None,
    }
}

#[test]
fn a_failed_fetch_while_offline_is_network_down() {
    let r = reference("ghcr.io/org/app:1.0");
    let e = RegistryError::from_failure(
        &FailureFacts {
            probe_status: Some(401),
            ..facts(false)
        },
        &r,
        None,
        "https://lens.example",
    );
    assert_eq!(e, RegistryError::NetworkDown);
}

#[test]
fn a_failed_fetch_with_nothing_readable_is_cors_blocked() {
    let r = reference("127.0.0.1:5000/demo/oci:1");
    let e = RegistryError::from_failure(&facts(true), &r, None, "http://127.0.0.1:8080");
    assert_eq!(e, RegistryError::cors_blocked(&r, "http://127.0.0.1:8080"));
    let headline = e.headline();
    assert!(
        headline.contains("does not allow reads from web pages (CORS), or it cannot be reached"),
        "{headline}"
    );
    assert!(e.to_string().starts_with(&headline));
    assert_eq!(e.ways_on().len(), 5);
}

// distribution 2.8.2 with htpasswd auth (`scripts/registry --mode htpasswd`): `curl -X OPTIONS`
// with a preflight's headers answers 401; a plain `GET /v2/` answers 401 with the CORS headers.
#[test]
fn a_registry_readable_without_preflight_but_wanting_a_login_refuses_the_preflight() {
    let r = reference("127.0.0.1:5000/demo/oci:1");
    let e = RegistryError::from_failure(
        &FailureFacts {
            probe_status: Some(401),
            ..facts(true)
        },
        &r,
        None,
        "http://127.0.0.1:8080",
    );
    assert!(
        matches!(e, RegistryError::PreflightRefused { status: 401, .. }),
        "{e:?}"
    );
    let text = e.to_string();
    for needle in [
        "wants a login",
        "(the CORS preflight, an OPTIONS request) with 401",
        "distribution 2.8 does this whenever authentication is enabled",
        "reverse proxy in front of the registry that answers OPTIONS",
        "\ncrane manifest --insecure 127.0.0.1:5000/demo/oci:1",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    let other = RegistryError::from_failure(
        &FailureFacts {
            probe_status: Some(200),
            ..facts(true)
        },
        &r,
        None,
        "http://127.0.0.1:8080",
    );
    assert!(
        other
            .to_string()
            .contains("must allow the Accept and Authorization headers"),
        "{other}"
    );
}

#[test]
fn a_failed_fetch_through_a_proxy_blames_the_proxy() {
    let r = reference("ghcr.io/org/app:1.0");
    let e = RegistryError::from_failure(
        &FailureFacts {
            proxy: Some(" https://cors.example/ "),
            ..facts(true)
        },
        &r,
        None,
        "https://lens.example",
    );
    assert_eq!(
        e,
        RegistryError::ProxyFailed {
            proxy: "https://cors.example/".into(),
            registry: "ghcr.io".into()
        }
    );
}

#[test]
fn a_blob_redirect_is_told_apart_from_cors() {
    let r = reference("ghcr.io/org/app:1.0");
    let digest: Digest = "sha256:9291ff31589929913d450e8f54ad31cc670cb2c34925c023a76512408cab241a"
        .parse()
        .unwrap();
    let redirected = FailureFacts {
        redirected: true,
        ..facts(true)
    };
    let e = RegistryError::from_failure(&redirected, &r, Some(&digest), "https://lens.example");
    assert!(
        matches!(e, RegistryError::RedirectBlocked { location: None, .. }),
        "{e:?}"
    );
    assert!(e.headline().contains("on to another server"), "{}", e.headline());
    assert_eq!(e.ways_on().len(), 2);
}

#[test]
fn a_manifest_redirect_the_browser_could_not_follow_is_named_not_blamed_on_cors() {
    let r = reference("127.0.0.1:5000/demo/oci:1");
    let redirected = FailureFacts {
        redirected: true,
        probe_status: Some(200),
        proxy: Some("http://127.0.0.1:9000/"),
        ..facts(true)
    };
    let e = RegistryError::from_failure(&redirected, &r, None, "https://lens.example");
    assert_eq!(
        e,
        RegistryError::RedirectFailed {
            reference: "127.0.0.1:5000/demo/oci:1".into()
        }
    );
    assert_eq!(e.slug(), "redirect-failed");
    assert!(e.to_string().contains("a redirect loop"), "{e}");
}

#[test]
fn oversized_config_names_both_caps() {
    let e = RegistryError::ConfigTooLarge {
        size: BodySize::MoreThan(CONFIG_SIZE_CAP),
    };
    assert!(e.to_string().contains("at most 16777216 bytes (16 MiB)"), "{e}");
    assert!(
        e.to_string()
            .contains("the image config is more than 16777216 bytes;"),
        "{e}"
    );
}
