//! Image-reference parsing checked against distribution's own test tables.
//!
//! Vectors are ported from github.com/distribution/reference (the package Docker uses for
//! `ParseNormalizedNamed`), files `normalize_test.go` and `reference_test.go` at commit
//! 4894124079e525c3c3c5c8aacaa653b5499004e9; each block names the Go test function it comes
//! from. Expected values are theirs. Where a Go test exercises `Parse` (no normalization), the
//! same inputs are run through normalization and the expected normalized form is stated; those
//! were cross-checked with docker/distribution 2.8.2's `ParseNormalizedNamed` + `TagNameOnly`
//! (Debian golang-github-docker-distribution-dev) except where that older release differs from
//! distribution/reference (uppercase first components, IPv6 hosts, the 255 limit applying to
//! the path only), which are noted.
//!
//! Our `Reference` always carries a tag or digest (`TagNameOnly` applied), so a Go expectation
//! of a bare name `N` is checked as `N:latest`.

use digestlens::core::reference::{Reference, ReferenceError, Scheme};

fn parse(input: &str) -> Reference {
    Reference::parse(input).unwrap_or_else(|e| panic!("{input:?} should parse: {e}"))
}

fn assert_invalid(input: &str) {
    assert!(
        Reference::parse(input).is_err(),
        "{input:?} should be rejected, got {:?}",
        Reference::parse(input)
    );
}

/// normalize_test.go `TestValidateReferenceName`, valid names.
#[test]
fn validate_reference_name_accepts_distribution_valid_names() {
    for name in [
        "docker/docker",
        "library/debian",
        "debian",
        "docker.io/docker/docker",
        "docker.io/library/debian",
        "docker.io/debian",
        "index.docker.io/docker/docker",
        "index.docker.io/library/debian",
        "index.docker.io/debian",
        "127.0.0.1:5000/docker/docker",
        "127.0.0.1:5000/library/debian",
        "127.0.0.1:5000/debian",
        "192.168.0.1",
        "192.168.0.1:80",
        "192.168.0.1:8/debian",
        "192.168.0.2:25000/debian",
        "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
        "[fc00::1]:5000/docker",
        "[fc00::1]:5000/docker/docker",
        "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
        "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
        "Docker/docker",
        "DOCKER/docker",
    ] {
        parse(name);
    }
}

/// normalize_test.go `TestValidateReferenceName`, invalid names — all but the first.
#[test]
fn validate_reference_name_rejects_distribution_invalid_names() {
    for name in [
        "docker/Docker",
        "-docker",
        "-docker/docker",
        "-docker.io/docker/docker",
        "docker///docker",
        "docker.io/docker/Docker",
        "docker.io/docker///docker",
        "[fc00::1]",
        "[fc00::1]:5000",
        "fc00::1:5000/debian",
        "[fe80::1%eth0]:5000/debian",
        "[2001:db8:3:4::192.0.2.33]:5000/debian",
        "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
    ] {
        assert_invalid(name);
    }
}

/// Conscious deviation from normalize_test.go `TestValidateReferenceName`, which lists
/// "https://github.com/docker/docker" as invalid: this page accepts a written scheme, strips it
/// and uses it as the transport.
#[test]
fn written_https_scheme_is_accepted_unlike_distribution() {
    let r = parse("https://github.com/docker/docker");
    assert_eq!(r.to_string(), "github.com/docker/docker:latest");
    assert_eq!(r.scheme(), Scheme::Https);
}

/// normalize_test.go `TestValidateRemoteName`.
#[test]
fn validate_remote_name_matches_distribution() {
    for name in [
        "docker/docker",
        "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
        "docker-rules/docker",
        "docker---rules/docker",
        "doc/docker",
        "d/docker",
        "jess/t",
        "dock__er/docker",
    ] {
        parse(name);
    }
    for name in [
        "docker/Docker",
        "docker///docker",
        "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
        "-docker/docker",
        "docker-/docker",
        "-docker-/docker",
        "____/____",
        "_docker/_docker",
        "dock..er/docker",
        "dock_.er/docker",
        "dock-.er/docker",
        "docker/",
        "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker",
    ] {
        assert_invalid(name);
    }
}

/// normalize_test.go `TestParseRepositoryInfo`: every written form (familiar, full, ambiguous)
/// of a repository normalizes to the same domain, path, full name and familiar name.
#[test]
fn parse_repository_info_matches_distribution() {
    // (RemoteName, FamiliarName, FullName, AmbiguousName, Domain)
    let table = [
        (
            "fooo/bar",
            "fooo/bar",
            "docker.io/fooo/bar",
            "index.docker.io/fooo/bar",
            "docker.io",
        ),
        (
            "library/ubuntu",
            "ubuntu",
            "docker.io/library/ubuntu",
            "library/ubuntu",
            "docker.io",
        ),
        (
            "nonlibrary/ubuntu",
            "nonlibrary/ubuntu",
            "docker.io/nonlibrary/ubuntu",
            "",
            "docker.io",
        ),
        (
            "other/library",
            "other/library",
            "docker.io/other/library",
            "",
            "docker.io",
        ),
        (
            "private/moonbase",
            "127.0.0.1:8000/private/moonbase",
            "127.0.0.1:8000/private/moonbase",
            "",
            "127.0.0.1:8000",
        ),
        (
            "privatebase",
            "127.0.0.1:8000/privatebase",
            "127.0.0.1:8000/privatebase",
            "",
            "127.0.0.1:8000",
        ),
        (
            "private/moonbase",
            "example.com/private/moonbase",
            "example.com/private/moonbase",
            "",
            "example.com",
        ),
        (
            "privatebase",
            "example.com/privatebase",
            "example.com/privatebase",
            "",
            "example.com",
        ),
        (
            "private/moonbase",
            "example.com:8000/private/moonbase",
            "example.com:8000/private/moonbase",
            "",
            "example.com:8000",
        ),
        (
            "privatebasee",
            "example.com:8000/privatebasee",
            "example.com:8000/privatebasee",
            "",
            "example.com:8000",
        ),
        (
            "library/ubuntu-12.04-base",
            "ubuntu-12.04-base",
            "docker.io/library/ubuntu-12.04-base",
            "index.docker.io/library/ubuntu-12.04-base",
            "docker.io",
        ),
        (
            "library/foo",
            "foo",
            "docker.io/library/foo",
            "docker.io/foo",
            "docker.io",
        ),
        (
            "library/foo/bar",
            "library/foo/bar",
            "docker.io/library/foo/bar",
            "",
            "docker.io",
        ),
        (
            "store/foo/bar",
            "store/foo/bar",
            "docker.io/store/foo/bar",
            "",
            "docker.io",
        ),
        // Uppercase first components are hosts (distribution/reference; 2.8.2 rejected these).
        ("bar", "Foo/bar", "Foo/bar", "", "Foo"),
        ("bar", "FOO/bar", "FOO/bar", "", "FOO"),
    ];
    for (remote, familiar, full, ambiguous, domain) in table {
        let mut written = vec![familiar, full];
        if !ambiguous.is_empty() {
            written.push(ambiguous);
        }
        for input in written {
            let r = parse(input);
            assert_eq!(r.familiar(), format!("{familiar}:latest"), "familiar of {input}");
            assert_eq!(r.name(), full, "full name of {input}");
            assert_eq!(r.registry(), domain, "domain of {input}");
            assert_eq!(r.repository(), remote, "remote name of {input}");
        }
    }
}

/// normalize_test.go `TestParseReferenceWithTagAndDigest`.
#[test]
fn reference_with_tag_and_digest_keeps_both() {
    let short = "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
    let r = parse(short);
    assert_eq!(r.to_string(), format!("docker.io/library/{short}"));
    assert_eq!(r.tag(), Some("latest"));
    assert!(r.digest().is_some());
    assert_eq!(r.familiar(), short);
}

/// normalize_test.go `TestInvalidReferenceComponents` (`WithTag(ref, "-foo")` and
/// `WithDigest(ref, "foo")` written as references).
#[test]
fn invalid_reference_components_are_rejected() {
    assert_invalid("-foo");
    parse("busybox");
    assert!(matches!(
        Reference::parse("busybox:-foo"),
        Err(ReferenceError::InvalidTag { .. })
    ));
    assert!(matches!(
        Reference::parse("busybox@foo"),
        Err(ReferenceError::InvalidDigest { .. })
    ));
}

/// normalize_test.go `TestParseAnyReference`, the named cases (Equivalent as expected value).
#[test]
fn parse_any_reference_named_cases_match_distribution() {
    let redis = "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
    let cases = [
        ("redis".to_owned(), "docker.io/library/redis:latest".to_owned()),
        (
            "redis:latest".to_owned(),
            "docker.io/library/redis:latest".to_owned(),
        ),
        (
            "docker.io/library/redis:latest".to_owned(),
            "docker.io/library/redis:latest".to_owned(),
        ),
        (
            format!("redis@{redis}"),
            format!("docker.io/library/redis@{redis}"),
        ),
        (
            format!("docker.io/library/redis@{redis}"),
            format!("docker.io/library/redis@{redis}"),
        ),
        (
            "dmcgowan/myapp".to_owned(),
            "docker.io/dmcgowan/myapp:latest".to_owned(),
        ),
        (
            "dmcgowan/myapp:latest".to_owned(),
            "docker.io/dmcgowan/myapp:latest".to_owned(),
        ),
        (
            "docker.io/mcgowan/myapp:latest".to_owned(),
            "docker.io/mcgowan/myapp:latest".to_owned(),
        ),
        (
            format!("dmcgowan/myapp@{redis}"),
            format!("docker.io/dmcgowan/myapp@{redis}"),
        ),
        (
            format!("docker.io/dmcgowan/myapp@{redis}"),
            format!("docker.io/dmcgowan/myapp@{redis}"),
        ),
        (
            "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9".to_owned(),
            "docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9:latest"
                .to_owned(),
        ),
        ("dbcc1".to_owned(), "docker.io/library/dbcc1:latest".to_owned()),
    ];
    for (input, expected) in cases {
        assert_eq!(parse(&input).to_string(), expected, "{input}");
    }
}

/// normalize_test.go `TestParseAnyReference`, the two identifier cases: distribution turns them
/// into digest-only references, which name no repository to fetch from. We refuse them with a
/// message saying what they are (deviation: there is nothing to fetch without a name).
#[test]
fn parse_any_reference_identifier_cases_are_refused_with_a_reason() {
    let hex = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
    assert_eq!(
        Reference::parse(hex),
        Err(ReferenceError::ImageId(hex.to_owned()))
    );
    let digest = format!("sha256:{hex}");
    assert_eq!(
        Reference::parse(&digest),
        Err(ReferenceError::DigestWithoutName(digest.clone()))
    );
}

/// normalize_test.go `TestNormalizedSplitHostname`.
#[test]
fn normalized_split_hostname_matches_distribution() {
    for (input, domain, path) in [
        ("test.com/foo", "test.com", "foo"),
        ("test_com/foo", "docker.io", "test_com/foo"),
        ("docker/migrator", "docker.io", "docker/migrator"),
        ("test.com:8080/foo", "test.com:8080", "foo"),
        ("test-com:8080/foo", "test-com:8080", "foo"),
        ("foo", "docker.io", "library/foo"),
        ("xn--n3h.com/foo", "xn--n3h.com", "foo"),
        ("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"),
        ("docker.io/foo", "docker.io", "library/foo"),
        ("docker.io/library/foo", "docker.io", "library/foo"),
        ("docker.io/library/foo/bar", "docker.io", "library/foo/bar"),
    ] {
        let r = parse(input);
        assert_eq!(r.registry(), domain, "{input}");
        assert_eq!(r.repository(), path, "{input}");
    }
}

/// normalize_test.go `TestParseDockerRef`. `ParseDockerRef` keeps only the digest when both are
/// given; the equivalent here is what the page fetches: `name@manifest_target()`.
#[test]
fn parse_docker_ref_matches_distribution() {
    let d = "sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582";
    let cases = [
        (
            "busybox".to_owned(),
            "docker.io/library/busybox:latest".to_owned(),
        ),
        (
            "busybox:latest".to_owned(),
            "docker.io/library/busybox:latest".to_owned(),
        ),
        (format!("busybox@{d}"), format!("docker.io/library/busybox@{d}")),
        (
            "library/busybox".to_owned(),
            "docker.io/library/busybox:latest".to_owned(),
        ),
        (
            "docker.io/busybox".to_owned(),
            "docker.io/library/busybox:latest".to_owned(),
        ),
        (
            "docker.io/library/busybox".to_owned(),
            "docker.io/library/busybox:latest".to_owned(),
        ),
        (
            "docker.io/busybox:latest".to_owned(),
            "docker.io/library/busybox:latest".to_owned(),
        ),
        (
            "library/busybox:latest".to_owned(),
            "docker.io/library/busybox:latest".to_owned(),
        ),
        (
            "docker.io/library/busybox:latest".to_owned(),
            "docker.io/library/busybox:latest".to_owned(),
        ),
        (
            "gcr.io/library/busybox".to_owned(),
            "gcr.io/library/busybox:latest".to_owned(),
        ),
        (
            format!("gcr.io/library/busybox:latest@{d}"),
            format!("gcr.io/library/busybox@{d}"),
        ),
    ];
    for (input, expected) in cases {
        let r = parse(&input);
        let separator = if r.digest().is_some() { '@' } else { ':' };
        let docker_ref = format!("{}{separator}{}", r.name(), r.manifest_target());
        assert_eq!(docker_ref, expected, "{input}");
        let pinned = r.digest().map(|digest| r.pinned(digest).to_string());
        if let Some(pinned) = pinned {
            assert_eq!(pinned, expected, "pinned {input}");
        }
    }
}

/// reference_test.go `TestReferenceParse`: the same inputs through normalization. Each row is
/// (input, normalized form or None when distribution reports an error).
#[test]
fn reference_parse_inputs_normalize_like_distribution() {
    let f64 = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    let f128 = "sha512:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    let cases: Vec<(String, Option<String>)> = vec![
        (
            "test_com".into(),
            Some("docker.io/library/test_com:latest".into()),
        ),
        (
            "test.com:tag".into(),
            Some("docker.io/library/test.com:tag".into()),
        ),
        (
            "test.com:5000".into(),
            Some("docker.io/library/test.com:5000".into()),
        ),
        ("test.com/repo:tag".into(), Some("test.com/repo:tag".into())),
        ("test:5000/repo".into(), Some("test:5000/repo:latest".into())),
        ("test:5000/repo:tag".into(), Some("test:5000/repo:tag".into())),
        (
            format!("test:5000/repo@{f64}"),
            Some(format!("test:5000/repo@{f64}")),
        ),
        (
            format!("test:5000/repo:tag@{f64}"),
            Some(format!("test:5000/repo:tag@{f64}")),
        ),
        ("".into(), None),
        (":justtag".into(), None),
        (format!("@{f64}"), None),
        ("repo@sha256:ffffffffffffffffffffffffffffffffff".into(), None),
        (format!("validname@invaliddigest:{}", &f64[7..]), None),
        ("Uppercase:tag".into(), None),
        ("test:5000/Uppercase/lowercase:tag".into(), None),
        (
            "lowercase:Uppercase".into(),
            Some("docker.io/library/lowercase:Uppercase".into()),
        ),
        (format!("{}a:tag", "a/".repeat(128)), None),
        // 255-character path: valid in distribution/reference, whose limit is on the path
        // (2.8.2 counted "docker.io/" too and rejected it).
        (
            format!("{}a:tag-puts-this-over-max", "a/".repeat(127)),
            Some(format!("docker.io/{}a:tag-puts-this-over-max", "a/".repeat(127))),
        ),
        ("aa/asdf$$^/aa".into(), None),
        (
            "sub-dom1.foo.com/bar/baz/quux".into(),
            Some("sub-dom1.foo.com/bar/baz/quux:latest".into()),
        ),
        (
            "sub-dom1.foo.com/bar/baz/quux:some-long-tag".into(),
            Some("sub-dom1.foo.com/bar/baz/quux:some-long-tag".into()),
        ),
        (
            "b.gcr.io/test.example.com/my-app:test.example.com".into(),
            Some("b.gcr.io/test.example.com/my-app:test.example.com".into()),
        ),
        (
            "xn--n3h.com/myimage:xn--n3h.com".into(),
            Some("xn--n3h.com/myimage:xn--n3h.com".into()),
        ),
        (
            format!("xn--7o8h.com/myimage:xn--7o8h.com@{f128}"),
            Some(format!("xn--7o8h.com/myimage:xn--7o8h.com@{f128}")),
        ),
        (
            "foo_bar.com:8080".into(),
            Some("docker.io/library/foo_bar.com:8080".into()),
        ),
        (
            "foo/foo_bar.com:8080".into(),
            Some("docker.io/foo/foo_bar.com:8080".into()),
        ),
        (
            "192.168.1.1".into(),
            Some("docker.io/library/192.168.1.1:latest".into()),
        ),
        (
            "192.168.1.1:tag".into(),
            Some("docker.io/library/192.168.1.1:tag".into()),
        ),
        (
            "192.168.1.1:5000".into(),
            Some("docker.io/library/192.168.1.1:5000".into()),
        ),
        ("192.168.1.1/repo".into(), Some("192.168.1.1/repo:latest".into())),
        (
            "192.168.1.1:5000/repo".into(),
            Some("192.168.1.1:5000/repo:latest".into()),
        ),
        (
            "192.168.1.1:5000/repo:5050".into(),
            Some("192.168.1.1:5000/repo:5050".into()),
        ),
        ("[2001:db8::1]".into(), None),
        ("[2001:db8::1]:5000".into(), None),
        ("[2001:db8::1]:tag".into(), None),
        // IPv6 hosts: distribution/reference only (2.8.2 had no IPv6 grammar).
        (
            "[2001:db8::1]/repo".into(),
            Some("[2001:db8::1]/repo:latest".into()),
        ),
        (
            "[2001:db8:1:2:3:4:5:6]/repo:tag".into(),
            Some("[2001:db8:1:2:3:4:5:6]/repo:tag".into()),
        ),
        (
            "[2001:db8::1]:5000/repo".into(),
            Some("[2001:db8::1]:5000/repo:latest".into()),
        ),
        (
            "[2001:db8::1]:5000/repo:tag".into(),
            Some("[2001:db8::1]:5000/repo:tag".into()),
        ),
        (
            format!("[2001:db8::1]:5000/repo@{f64}"),
            Some(format!("[2001:db8::1]:5000/repo@{f64}")),
        ),
        (
            format!("[2001:db8::1]:5000/repo:tag@{f64}"),
            Some(format!("[2001:db8::1]:5000/repo:tag@{f64}")),
        ),
        (
            "[2001:db8::]:5000/repo".into(),
            Some("[2001:db8::]:5000/repo:latest".into()),
        ),
        ("[::1]:5000/repo".into(), Some("[::1]:5000/repo:latest".into())),
        ("[fe80::1%eth0]:5000/repo".into(), None),
        ("[fe80::1%@invalidzone]:5000/repo".into(), None),
    ];
    for (input, expected) in cases {
        match expected {
            Some(expected) => assert_eq!(parse(&input).to_string(), expected, "{input}"),
            None => assert_invalid(&input),
        }
    }
}

/// reference_test.go `TestReferenceParse` names the error kinds; these rows check ours match.
#[test]
fn reference_parse_errors_have_the_distribution_kind() {
    assert_eq!(Reference::parse(""), Err(ReferenceError::Empty));
    assert!(matches!(
        Reference::parse("Uppercase:tag"),
        Err(ReferenceError::Uppercase { .. })
    ));
    assert!(matches!(
        Reference::parse("test:5000/Uppercase/lowercase:tag"),
        Err(ReferenceError::Uppercase { .. })
    ));
    assert_eq!(
        Reference::parse(&format!("{}a:tag", "a/".repeat(128))),
        Err(ReferenceError::NameTooLong { length: 257 })
    );
    assert!(matches!(
        Reference::parse("repo@sha256:ffffffffffffffffffffffffffffffffff"),
        Err(ReferenceError::InvalidDigest { .. })
    ));
    assert_eq!(
        Reference::parse(
            "validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
        ),
        Err(ReferenceError::UnsupportedDigestAlgorithm {
            algorithm: "invaliddigest".into()
        })
    );
}

/// reference_test.go `TestDomainAndPath` (`WithName`), through normalization.
#[test]
fn domain_and_path_match_distribution() {
    for (input, domain, path) in [
        ("test.com/foo", "test.com", "foo"),
        ("test:8080/foo", "test:8080", "foo"),
        ("test.com:8080/foo", "test.com:8080", "foo"),
        ("test-com:8080/foo", "test-com:8080", "foo"),
        ("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"),
    ] {
        let r = parse(input);
        assert_eq!((r.registry(), r.repository()), (domain, path), "{input}");
    }
}

/// Conscious deviation: distribution accepts "a_b.c/foo" as a name with *no* domain (the first
/// component looks like a host, fails the host grammar, and the regex falls back to reading the
/// whole string as a path: 2.8.2 prints `a_b.c/foo:latest` with an empty domain). Such a
/// reference names no registry to fetch from, so it is refused as an invalid host.
#[test]
fn host_like_first_component_that_is_not_a_host_is_refused() {
    assert_eq!(
        Reference::parse("a_b.c/foo"),
        Err(ReferenceError::InvalidRegistry { host: "a_b.c".into() })
    );
}
