//! Image references — `[registry/]repository[:tag][@digest]` — parsed and normalized the way
//! Docker does it (distribution/reference `ParseNormalizedNamed`, then `TagNameOnly`):
//!
//! ```text
//! reference        := name [ ":" tag ] [ "@" digest ]
//! name             := [domain "/"] path
//! domain           := host [":" port]
//! host             := domain-name | "[" ipv6 "]"
//! domain-name      := domain-component ("." domain-component)*
//! domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//! port             := [0-9]+
//! path             := path-component ("/" path-component)*      ; at most 255 characters
//! path-component   := [a-z0-9]+ (separator [a-z0-9]+)*
//! separator        := "." | "_" | "__" | "-"+
//! tag              := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//! ```
//!
//! Normalization: the first `/`-separated component is a registry host only when it contains
//! `.` or `:`, is `localhost`, or holds an uppercase letter (repository paths never do);
//! otherwise the image lives on Docker Hub (`docker.io`). `index.docker.io` is an old name of
//! `docker.io`. A one-part name on Docker Hub is an official image under `library/`. With
//! neither tag nor digest, the tag is `latest`.
//!
//! The parser is written by hand rather than with the `regex` crate, which would add a large
//! share of this page's WASM size for a dozen small rules.
//!
//! Three conscious additions to Docker's rules, because people paste references from
//! browsers and terminals: surrounding whitespace is ignored; an `http://` or `https://` prefix
//! is accepted, removed and remembered as the transport; and a bare digest or image ID is
//! refused with a message saying what it is (Docker would read `sha256:<hex>` as the image
//! `library/sha256` with a 64-character tag).

use crate::core::digest::{Algorithm, Digest, DigestError};
use std::fmt;
use std::str::FromStr;

/// Docker Hub's name in references.
const DOCKER_HUB: &str = "docker.io";
/// Docker Hub's old name ("the Docker Index"), normalized to [`DOCKER_HUB`].
const DOCKER_HUB_LEGACY: &str = "index.docker.io";
/// The host that actually serves Docker Hub's registry API.
const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";
/// Namespace of Docker Hub's official images.
const OFFICIAL_PREFIX: &str = "library/";
/// The tag Docker assumes when a reference names neither tag nor digest.
const DEFAULT_TAG: &str = "latest";
/// distribution/reference `RepositoryNameTotalLengthMax`: the limit applies to the path.
const MAX_PATH_LEN: usize = 255;
/// The tag grammar allows 1 + 127 characters.
const MAX_TAG_LEN: usize = 128;

/// How the page talks to the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    Https,
    /// Plain HTTP: only for loopback registries or when the user wrote `http://`.
    Http,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Https => "https",
            Scheme::Http => "http",
        }
    }
}

/// A normalized image reference. Always has a tag, a digest, or both.
///
/// Fields are private so that every `Reference` went through the grammar: the URL builders
/// put these strings into URLs and shell commands without escaping them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
    scheme: Scheme,
}

/// Why a string is not an image reference. Messages are written for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceError {
    Empty,
    /// 64 lowercase hex characters: an image ID or digest without its name.
    ImageId(String),
    /// `sha256:<hex>` on its own: a digest without the repository it lives in.
    DigestWithoutName(String),
    /// Nothing before the `:tag` or `@digest`.
    MissingName,
    /// The repository path has uppercase letters; `suggestion` is the input with them lowered.
    Uppercase {
        suggestion: String,
    },
    InvalidRegistry {
        host: String,
    },
    InvalidPathComponent {
        component: String,
    },
    NameTooLong {
        length: usize,
    },
    InvalidTag {
        tag: String,
    },
    InvalidDigest {
        digest: String,
        reason: DigestError,
    },
    /// The digest is well-formed but uses an algorithm this page cannot check.
    UnsupportedDigestAlgorithm {
        algorithm: String,
    },
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReferenceError::Empty => write!(f, "the image reference is empty"),
            ReferenceError::ImageId(id) => write!(
                f,
                "`{id}` is an image ID or digest, not a name: a registry needs the repository too, \
                 e.g. `busybox@sha256:{id}`"
            ),
            ReferenceError::DigestWithoutName(digest) => write!(
                f,
                "`{digest}` is a digest without a name: write the repository before it, \
                 e.g. `busybox@{digest}`"
            ),
            ReferenceError::MissingName => write!(
                f,
                "there is no repository name, only a tag or digest (write e.g. `busybox:latest`)"
            ),
            ReferenceError::Uppercase { suggestion } => {
                write!(f, "repository names must be lowercase: try `{suggestion}`")
            }
            ReferenceError::InvalidRegistry { host } => write!(
                f,
                "`{host}` is not a valid registry host: host names are letters, digits, '-' and '.', \
                 optionally followed by :port"
            ),
            ReferenceError::InvalidPathComponent { component } if component.is_empty() => write!(
                f,
                "the repository name has an empty part (two '/' in a row, or a '/' at the start or end)"
            ),
            ReferenceError::InvalidPathComponent { component } => write!(
                f,
                "`{component}` is not a valid part of a repository name: use lowercase letters and \
                 digits, joined by one '.', one or two '_', or '-'"
            ),
            ReferenceError::NameTooLong { length } => write!(
                f,
                "the repository name has {length} characters; the limit is {MAX_PATH_LEN}"
            ),
            ReferenceError::InvalidTag { tag } => write!(
                f,
                "`{tag}` is not a valid tag: up to {MAX_TAG_LEN} letters, digits, '_', '.' and '-', \
                 not starting with '.' or '-'"
            ),
            ReferenceError::InvalidDigest { digest, reason } => {
                write!(f, "`{digest}` is not a valid digest: {reason}")
            }
            ReferenceError::UnsupportedDigestAlgorithm { algorithm } => write!(
                f,
                "this page cannot check `{algorithm}` digests (the OCI spec registers sha256 and \
                 sha512): use the image's sha256 digest"
            ),
        }
    }
}

impl std::error::Error for ReferenceError {}

impl FromStr for Reference {
    type Err = ReferenceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reference::parse(s)
    }
}

impl Reference {
    /// Parse and normalize a reference as `docker pull` would read it.
    pub fn parse(input: &str) -> Result<Reference, ReferenceError> {
        let trimmed = input.trim();
        let (written_scheme, rest) = strip_scheme(trimmed);
        if rest.is_empty() {
            return Err(ReferenceError::Empty);
        }
        if is_identifier(rest) {
            return Err(ReferenceError::ImageId(rest.to_owned()));
        }
        if !rest.contains('/') {
            if let Ok(digest) = rest.parse::<Digest>() {
                if digest.is_registered() {
                    return Err(ReferenceError::DigestWithoutName(rest.to_owned()));
                }
            }
        }

        let (written_domain, remainder) = split_domain(rest);
        check_lowercase(written_domain, remainder)?;

        let registry = match written_domain {
            None => DOCKER_HUB.to_owned(),
            Some(DOCKER_HUB_LEGACY) => DOCKER_HUB.to_owned(),
            Some(domain) => {
                check_domain(domain)?;
                domain.to_owned()
            }
        };

        let (name_and_tag, digest) = match remainder.split_once('@') {
            Some((before, after)) => (before, Some(parse_digest(after)?)),
            None => (remainder, None),
        };
        let (path, tag) = match name_and_tag.split_once(':') {
            Some((path, tag)) => (path, Some(tag)),
            None => (name_and_tag, None),
        };
        if path.is_empty() {
            return Err(ReferenceError::MissingName);
        }
        if let Some(tag) = tag {
            check_tag(tag)?;
        }

        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            format!("{OFFICIAL_PREFIX}{path}")
        } else {
            path.to_owned()
        };
        check_path(&repository)?;

        let tag = match (tag, &digest) {
            (Some(tag), _) => Some(tag.to_owned()),
            (None, None) => Some(DEFAULT_TAG.to_owned()),
            (None, Some(_)) => None,
        };
        let scheme = written_scheme.unwrap_or_else(|| default_scheme(&registry));
        Ok(Reference {
            registry,
            repository,
            tag,
            digest,
            scheme,
        })
    }

    /// The registry as normalized: `docker.io` for Docker Hub, otherwise as written.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository path inside the registry, e.g. `library/busybox`.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// `registry/repository`, what distribution calls the name (e.g. `docker.io/library/busybox`).
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The host the registry API answers on: `registry-1.docker.io` for Docker Hub.
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API_HOST
        } else {
            &self.registry
        }
    }

    /// `scheme://host[:port]`, to which the distribution API paths (`/v2/…`) are appended.
    pub fn api_base_url(&self) -> String {
        format!("{}://{}", self.scheme.as_str(), self.api_host())
    }

    /// What the manifest is fetched by: the digest when there is one (as `docker pull` does,
    /// ignoring the tag), otherwise the tag.
    pub fn manifest_target(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(digest), _) => digest.to_string(),
            (None, Some(tag)) => tag.clone(),
            (None, None) => DEFAULT_TAG.to_owned(),
        }
    }

    /// The short form Docker prints: `docker.io/` and a lone `library/` removed
    /// (distribution/reference `FamiliarString`).
    ///
    /// One deliberate difference: when the path's first component reads as a host
    /// (`docker.io/example.com/app`), `docker.io/` is kept. Docker drops it, and the short form
    /// `example.com/app` then names an image on another registry.
    pub fn familiar(&self) -> String {
        let name = if self.registry == DOCKER_HUB {
            let short = match self.repository.strip_prefix(OFFICIAL_PREFIX) {
                Some(official) if !official.contains('/') => official,
                _ => &self.repository,
            };
            match split_domain(short) {
                (Some(_), _) => self.name(),
                (None, _) => short.to_owned(),
            }
        } else {
            self.name()
        };
        with_tag_and_digest(name, self.tag.as_deref(), self.digest.as_ref())
    }

    /// The same repository, pinned to `digest`. The tag is dropped, as distribution's
    /// `ParseDockerRef` does: skopeo refuses references with both ("Docker references with both
    /// a tag and digest are currently not supported", skopeo 1.9.3), so the pinned form is the
    /// one every tool accepts.
    pub fn pinned(&self, digest: &Digest) -> Reference {
        Reference {
            tag: None,
            digest: Some(digest.clone()),
            ..self.clone()
        }
    }

    /// The same reference fetched by `digest`, its tag kept for the reader: the page shows
    /// `name:tag@digest` for what a link pinned, while the registry is asked for the digest
    /// ([`Reference::manifest_target`]). Commands use [`Reference::pinned`].
    pub fn with_digest(&self, digest: &Digest) -> Reference {
        Reference {
            digest: Some(digest.clone()),
            ..self.clone()
        }
    }

    /// The same reference without its digest: how a permalink names what it pins by a digest of
    /// its own, so a link made again from the re-fetched page is the same link.
    pub fn without_digest(&self) -> Reference {
        Reference {
            digest: None,
            ..self.clone()
        }
    }
}

impl fmt::Display for Reference {
    /// The full normalized form, e.g. `docker.io/library/busybox:latest`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&with_tag_and_digest(
            self.name(),
            self.tag.as_deref(),
            self.digest.as_ref(),
        ))
    }
}

fn with_tag_and_digest(mut name: String, tag: Option<&str>, digest: Option<&Digest>) -> String {
    if let Some(tag) = tag {
        name.push(':');
        name.push_str(tag);
    }
    if let Some(digest) = digest {
        name.push('@');
        name.push_str(&digest.to_string());
    }
    name
}

fn strip_scheme(s: &str) -> (Option<Scheme>, &str) {
    for (prefix, scheme) in [("https://", Scheme::Https), ("http://", Scheme::Http)] {
        let head = s.get(..prefix.len());
        let tail = s.get(prefix.len()..);
        if let (Some(head), Some(tail)) = (head, tail) {
            if head.eq_ignore_ascii_case(prefix) {
                return (Some(scheme), tail);
            }
        }
    }
    (None, s)
}

/// distribution/reference `anchoredIdentifierRegexp`: `^[a-f0-9]{64}$`.
fn is_identifier(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// distribution/reference `splitDockerDomain`: the domain as written (if any) and the rest.
fn split_domain(s: &str) -> (Option<&str>, &str) {
    match s.split_once('/') {
        Some((first, rest))
            if first == "localhost"
                || first.contains(['.', ':'])
                || first.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, s),
    }
}

/// distribution/reference `ParseNormalizedNamed`: the part before the first `:` must be
/// lowercase. Checked before the grammar so the user gets the specific message.
fn check_lowercase(domain: Option<&str>, remainder: &str) -> Result<(), ReferenceError> {
    let (remote, tail) = match remainder.split_once(':') {
        Some((remote, tail)) => (remote, Some(tail)),
        None => (remainder, None),
    };
    if !remote.bytes().any(|b| b.is_ascii_uppercase()) {
        return Ok(());
    }
    let mut lowered = remote.to_ascii_lowercase();
    if let Some(tail) = tail {
        lowered.push(':');
        lowered.push_str(tail);
    }
    // A first component that is a host only because of its capitals ("Foo/Bar") was most
    // likely meant as a Docker Hub namespace: lower it too.
    let suggestion = match domain {
        Some(domain) if domain == "localhost" || domain.contains(['.', ':']) => {
            format!("{domain}/{lowered}")
        }
        Some(namespace) => format!("{}/{lowered}", namespace.to_ascii_lowercase()),
        None => lowered,
    };
    Err(ReferenceError::Uppercase { suggestion })
}

fn check_domain(domain: &str) -> Result<(), ReferenceError> {
    let invalid = || ReferenceError::InvalidRegistry {
        host: domain.to_owned(),
    };
    let (host_ok, port) = if let Some(bracketed) = domain.strip_prefix('[') {
        let (inside, after) = bracketed.split_once(']').ok_or_else(invalid)?;
        let ipv6_ok = !inside.is_empty() && inside.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
        (ipv6_ok, port_part(after).ok_or_else(invalid)?)
    } else {
        let (host, port) = match domain.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (domain, None),
        };
        (host.split('.').all(is_domain_component), port)
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if host_ok && port_ok {
        Ok(())
    } else {
        Err(invalid())
    }
}

/// After `[ipv6]`: nothing, or `:port`. `None` when something else follows.
fn port_part(after: &str) -> Option<Option<&str>> {
    if after.is_empty() {
        Some(None)
    } else {
        after.strip_prefix(':').map(Some)
    }
}

fn is_domain_component(c: &str) -> bool {
    let bytes = c.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        _ => false,
    }
}

fn check_path(path: &str) -> Result<(), ReferenceError> {
    if let Some(component) = path.split('/').find(|c| !is_path_component(c)) {
        return Err(ReferenceError::InvalidPathComponent {
            component: component.to_owned(),
        });
    }
    if path.len() > MAX_PATH_LEN {
        return Err(ReferenceError::NameTooLong { length: path.len() });
    }
    Ok(())
}

/// `[a-z0-9]+ (separator [a-z0-9]+)*` with separator `.` | `_` | `__` | `-`+.
fn is_path_component(c: &str) -> bool {
    let is_alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = c.as_bytes();
    let mut i = 0;
    loop {
        let run_start = i;
        while bytes.get(i).is_some_and(|&b| is_alnum(b)) {
            i += 1;
        }
        if i == run_start {
            return false;
        }
        if i == bytes.len() {
            return true;
        }
        let sep_start = i;
        while bytes.get(i).is_some_and(|&b| !is_alnum(b)) {
            i += 1;
        }
        let Some(separator) = c.get(sep_start..i) else {
            return false;
        };
        let valid = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
        if !valid {
            return false;
        }
    }
}

fn check_tag(tag: &str) -> Result<(), ReferenceError> {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let valid = tag.len() <= MAX_TAG_LEN
        && tag.as_bytes().first().is_some_and(|&b| is_word(b))
        && tag.bytes().all(|b| is_word(b) || b == b'.' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(ReferenceError::InvalidTag { tag: tag.to_owned() })
    }
}

fn parse_digest(s: &str) -> Result<Digest, ReferenceError> {
    let digest: Digest = s.parse().map_err(|reason| ReferenceError::InvalidDigest {
        digest: s.to_owned(),
        reason,
    })?;
    match digest.algorithm() {
        Algorithm::Other(name) => Err(ReferenceError::UnsupportedDigestAlgorithm {
            algorithm: name.clone(),
        }),
        Algorithm::Sha256 | Algorithm::Sha512 => Ok(digest),
    }
}

/// HTTPS, except for registries on this machine, which are almost always plain HTTP
/// (`docker run -p 5000:5000 registry:2`).
fn default_scheme(registry: &str) -> Scheme {
    let host = if registry.starts_with('[') {
        registry
            .find(']')
            .and_then(|end| registry.get(..=end))
            .unwrap_or(registry)
    } else {
        registry.split(':').next().unwrap_or(registry)
    };
    let loopback = ["localhost", "127.0.0.1", "[::1]"]
        .iter()
        .any(|l| host.eq_ignore_ascii_case(l));
    if loopback {
        Scheme::Http
    } else {
        Scheme::Https
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_registries_default_to_plain_http() {
        for (input, scheme) in [
            ("localhost:5000/foo", Scheme::Http),
            ("localhost/foo", Scheme::Http),
            ("127.0.0.1:5000/foo", Scheme::Http),
            ("127.0.0.1/foo", Scheme::Http),
            ("[::1]:5000/foo", Scheme::Http),
            ("[::1]/foo", Scheme::Http),
            ("LOCALHOST:5000/foo", Scheme::Http),
            ("127.0.0.2:5000/foo", Scheme::Https),
            ("localhost.example.com/foo", Scheme::Https),
            ("foo", Scheme::Https),
            ("ghcr.io/foo/bar", Scheme::Https),
        ] {
            let r = Reference::parse(input).unwrap();
            assert_eq!(r.scheme(), scheme, "{input}");
        }
    }

    #[test]
    fn written_scheme_is_stripped_and_wins() {
        let r = Reference::parse("http://registry.example.com:5000/team/app:1.0").unwrap();
        assert_eq!(r.scheme(), Scheme::Http);
        assert_eq!(r.to_string(), "registry.example.com:5000/team/app:1.0");
        assert_eq!(r.api_base_url(), "http://registry.example.com:5000");

        let r = Reference::parse("HTTPS://localhost:5000/app").unwrap();
        assert_eq!(r.scheme(), Scheme::Https);
        assert_eq!(r.api_base_url(), "https://localhost:5000");
    }

    #[test]
    fn docker_hub_api_lives_on_registry_1() {
        let r = Reference::parse("busybox").unwrap();
        assert_eq!(r.api_base_url(), "https://registry-1.docker.io");
        let r = Reference::parse("index.docker.io/library/busybox").unwrap();
        assert_eq!(r.registry(), "docker.io");
        assert_eq!(r.api_base_url(), "https://registry-1.docker.io");
        let r = Reference::parse("[2001:db8::1]:5000/repo").unwrap();
        assert_eq!(r.api_base_url(), "https://[2001:db8::1]:5000");
    }

    #[test]
    fn whitespace_around_a_pasted_reference_is_ignored() {
        let r = Reference::parse("  busybox:1.36\n").unwrap();
        assert_eq!(r.to_string(), "docker.io/library/busybox:1.36");
    }

    #[test]
    fn familiar_form_keeps_docker_io_when_the_path_looks_like_a_host() {
        // Found by fuzzing (fuzz/corpus/reference_parse/regression-familiar-host-like-path).
        for (input, familiar) in [
            (
                "docker.io/libocker.io/libralatest",
                "docker.io/libocker.io/libralatest:latest",
            ),
            ("docker.io/localhost/app:1", "docker.io/localhost/app:1"),
            ("docker.io/library/foo.bar", "foo.bar:latest"),
        ] {
            let reference = Reference::parse(input).unwrap();
            assert_eq!(reference.familiar(), familiar, "{input}");
            let again = Reference::parse(&reference.familiar()).unwrap();
            assert_eq!(again.registry(), "docker.io", "{familiar} still names Docker Hub");
            assert_eq!(again.repository(), reference.repository());
        }
    }

    #[test]
    fn with_digest_keeps_the_tag_and_without_digest_keeps_only_the_tag() {
        let d: Digest = "sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582"
            .parse()
            .unwrap();
        let tagged = Reference::parse("busybox:1.36").unwrap();
        let fetched = tagged.with_digest(&d);
        assert_eq!(fetched.to_string(), format!("docker.io/library/busybox:1.36@{d}"));
        assert_eq!(fetched.manifest_target(), d.to_string());
        assert_eq!(fetched.without_digest(), tagged);
        assert_eq!(
            fetched.pinned(&d).to_string(),
            format!("docker.io/library/busybox@{d}")
        );
        let by_digest = Reference::parse(&format!("busybox@{d}")).unwrap();
        assert_eq!(
            by_digest.without_digest().to_string(),
            "docker.io/library/busybox"
        );
    }

    #[test]
    fn manifest_target_prefers_the_digest() {
        let d = "sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582";
        let r = Reference::parse(&format!("busybox:latest@{d}")).unwrap();
        assert_eq!(r.manifest_target(), d);
        assert_eq!(Reference::parse("busybox").unwrap().manifest_target(), "latest");
    }

    #[test]
    fn uppercase_error_suggests_the_lowercase_reference() {
        let cases = [
            ("Uppercase:tag", "uppercase:tag"),
            ("docker/Docker", "docker/docker"),
            (
                "test:5000/Uppercase/lowercase:tag",
                "test:5000/uppercase/lowercase:tag",
            ),
            ("ghcr.io/MyOrg/App:V1", "ghcr.io/myorg/app:V1"),
            ("Foo/Bar", "foo/bar"),
            ("localhost/Bar", "localhost/bar"),
        ];
        for (input, suggestion) in cases {
            let err = Reference::parse(input).unwrap_err();
            assert_eq!(
                err,
                ReferenceError::Uppercase {
                    suggestion: suggestion.to_owned()
                },
                "{input}"
            );
            assert_eq!(
                err.to_string(),
                format!("repository names must be lowercase: try `{suggestion}`")
            );
        }
    }

    #[test]
    fn parse_errors_say_which_part_is_wrong() {
        let cases: &[(&str, ReferenceError)] = &[
            ("", ReferenceError::Empty),
            ("   ", ReferenceError::Empty),
            ("https://", ReferenceError::Empty),
            (":justtag", ReferenceError::MissingName),
            (
                "test_com:5000/foo",
                ReferenceError::InvalidRegistry {
                    host: "test_com:5000".into(),
                },
            ),
            (
                "example.com:/foo",
                ReferenceError::InvalidRegistry {
                    host: "example.com:".into(),
                },
            ),
            (
                "[::1]x/foo",
                ReferenceError::InvalidRegistry {
                    host: "[::1]x".into(),
                },
            ),
            (
                "docker/",
                ReferenceError::InvalidPathComponent {
                    component: String::new(),
                },
            ),
            (
                "foo:-bar",
                ReferenceError::InvalidTag { tag: "-bar".into() },
            ),
            (
                "foo:a:b",
                ReferenceError::InvalidTag { tag: "a:b".into() },
            ),
            (
                "foo@",
                ReferenceError::InvalidDigest {
                    digest: String::new(),
                    reason: DigestError::Empty,
                },
            ),
            (
                "foo@blake3:abcd",
                ReferenceError::UnsupportedDigestAlgorithm {
                    algorithm: "blake3".into(),
                },
            ),
            // Docker accepts sha384 (go-digest knows it); the OCI spec does not register it and
            // this page cannot compute it.
            (
                "foo@sha384:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                ReferenceError::UnsupportedDigestAlgorithm {
                    algorithm: "sha384".into(),
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(Reference::parse(input).as_ref(), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn tag_may_be_128_characters_but_not_129() {
        let ok = format!("foo:{}", "a".repeat(128));
        assert!(Reference::parse(&ok).is_ok());
        let too_long = format!("foo:{}", "a".repeat(129));
        assert!(matches!(
            Reference::parse(&too_long),
            Err(ReferenceError::InvalidTag { .. })
        ));
    }
}
