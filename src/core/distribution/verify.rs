//! Checking fetched bytes against every claim made about them.
//!
//! A fetched manifest or blob arrives with up to three claims: the registry's
//! `Docker-Content-Digest` header, the digest the reference or descriptor asked for, and (for
//! blobs) the size the descriptor declared. [`verify`] hashes the exact bytes received and
//! reports each claim separately, so the page can say which one failed and never trusts bytes
//! because of a header alone.

use crate::core::digest::{Digest, DigestError};
use std::fmt;

/// The `Docker-Content-Digest` response header, as the browser saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestHeader<'a> {
    Present(&'a str),
    /// The registry sent no such header.
    Absent,
    /// The header may exist, but a cross-origin response hides it unless the registry lists it
    /// in `Access-Control-Expose-Headers`.
    NotExposed,
}

impl<'a> DigestHeader<'a> {
    /// The header as a browser reports it. `value` is what `Headers.get` returned; a
    /// cross-origin (CORS) response hides every header the registry does not list in
    /// `Access-Control-Expose-Headers`, so there a missing value says nothing about the registry.
    pub fn observed(value: Option<&'a str>, cross_origin: bool) -> DigestHeader<'a> {
        match value {
            Some(value) => DigestHeader::Present(value),
            None if cross_origin => DigestHeader::NotExposed,
            None => DigestHeader::Absent,
        }
    }
}

/// Everything known about one fetched body.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    /// The exact bytes received.
    pub body: &'a [u8],
    pub header: DigestHeader<'a>,
    /// The digest the reference or descriptor asked for, if the fetch was by digest.
    pub requested: Option<&'a Digest>,
    /// The size a descriptor declared (blobs, or manifests reached through an index).
    pub declared_size: Option<u64>,
    /// The most bytes acceptable for this kind of document (e.g. `MANIFEST_SIZE_CAP`).
    pub cap: u64,
    /// For schema1 signed manifests (`application/vnd.docker.distribution.manifest.v1+prettyjws`)
    /// only: the digest of the signed payload, computed elsewhere. A registry names such a
    /// manifest by the digest of its JWS payload — the bytes with the `signatures` removed —
    /// not of the bytes it sends, and distribution 2.8.2 re-signs converted manifests on every
    /// request, so the bytes (and their hash) differ each time while the header stays put.
    /// When given, digest claims are compared with this instead of with the hash of `body`.
    pub canonical_digest: Option<&'a Digest>,
}

/// A claim that the bytes contradict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    HeaderMismatch { claimed: Digest, computed: Digest },
    ReferenceMismatch { requested: Digest, computed: Digest },
    SizeMismatch { declared: u64, actual: u64 },
    TooLarge { cap: u64, actual: u64 },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::HeaderMismatch { claimed, computed } => write!(
                f,
                "the registry says these bytes are {claimed}, but they hash to {computed}: \
                 something between the registry and this page changed them, or the registry \
                 reports a digest of something else"
            ),
            Mismatch::ReferenceMismatch { requested, computed } => write!(
                f,
                "{requested} was asked for, but the bytes received hash to {computed}: \
                 this is not the content that was asked for"
            ),
            Mismatch::SizeMismatch { declared, actual } => write!(
                f,
                "the descriptor declares {declared} bytes, but {actual} bytes arrived"
            ),
            Mismatch::TooLarge { cap, actual } => write!(
                f,
                "{actual} bytes arrived; this page reads at most {cap} bytes for this kind of document"
            ),
        }
    }
}

/// How one claim fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Matches,
    Mismatch(Mismatch),
    /// The claim uses a digest algorithm this page cannot compute (e.g. `sha384`).
    Unverifiable {
        claimed: Digest,
    },
}

/// How the `Docker-Content-Digest` header fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderOutcome {
    Checked(Outcome),
    Absent,
    NotExposed,
    /// The header is not a digest at all.
    Malformed {
        value: String,
        reason: DigestError,
    },
}

/// The result of [`verify`]: the digest of the bytes and the fate of every claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// sha256 of the exact bytes received.
    pub computed: Digest,
    /// Whether digest claims were compared with a schema1 payload digest instead.
    pub compared_with_canonical: bool,
    /// Number of bytes received.
    pub size: u64,
    pub header: HeaderOutcome,
    /// `None` when nothing was requested by digest.
    pub requested: Option<Outcome>,
    /// `None` when no size was declared.
    pub declared_size: Option<Outcome>,
    pub cap: Outcome,
}

impl Outcome {
    /// Stable short name, used as `data-outcome` in the page.
    pub fn slug(&self) -> &'static str {
        match self {
            Outcome::Matches => "matches",
            Outcome::Mismatch(_) => "mismatch",
            Outcome::Unverifiable { .. } => "unverifiable",
        }
    }

    /// The outcome as a sentence part, after the claim's name.
    pub fn describe(&self) -> String {
        match self {
            Outcome::Matches => "matches the bytes".to_owned(),
            Outcome::Mismatch(m) => format!("DOES NOT MATCH: {m}"),
            Outcome::Unverifiable { claimed } => {
                format!("{claimed} uses an algorithm this page cannot compute, so it was not checked")
            }
        }
    }
}

impl HeaderOutcome {
    /// Stable short name, used as `data-outcome` in the page.
    pub fn slug(&self) -> &'static str {
        match self {
            HeaderOutcome::Checked(outcome) => outcome.slug(),
            HeaderOutcome::Absent => "absent",
            HeaderOutcome::NotExposed => "not-exposed",
            HeaderOutcome::Malformed { .. } => "malformed",
        }
    }

    pub fn describe(&self) -> String {
        match self {
            HeaderOutcome::Checked(outcome) => outcome.describe(),
            HeaderOutcome::Absent => "not sent by the registry".to_owned(),
            HeaderOutcome::NotExposed => "not readable: the registry does not expose it to web \
                pages (its Access-Control-Expose-Headers does not list Docker-Content-Digest)"
                .to_owned(),
            HeaderOutcome::Malformed { value, reason } => {
                format!("`{value}` is not a digest ({reason}), so it says nothing")
            }
        }
    }
}

/// The verdict on one fetched body, as the page labels it (`data-state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// At least one digest claim was checked and every claim holds.
    Verified,
    /// A claim is contradicted by the bytes.
    Mismatch,
    /// No claim contradicts the bytes, but no digest claim could be checked either (fetched by
    /// tag from a registry that hides `Docker-Content-Digest`): only the hash of the bytes is known.
    Unverifiable,
}

impl Trust {
    pub fn slug(self) -> &'static str {
        match self {
            Trust::Verified => "verified",
            Trust::Mismatch => "mismatch",
            Trust::Unverifiable => "unverifiable",
        }
    }
}

impl Verification {
    pub fn trust(&self) -> Trust {
        if !self.mismatches().is_empty() {
            return Trust::Mismatch;
        }
        let header_matches = self.header == HeaderOutcome::Checked(Outcome::Matches);
        if header_matches || self.requested == Some(Outcome::Matches) {
            Trust::Verified
        } else {
            Trust::Unverifiable
        }
    }

    /// Every contradicted claim, header first.
    pub fn mismatches(&self) -> Vec<&Mismatch> {
        let header = match &self.header {
            HeaderOutcome::Checked(outcome) => Some(outcome),
            HeaderOutcome::Absent | HeaderOutcome::NotExposed | HeaderOutcome::Malformed { .. } => None,
        };
        [
            header,
            self.requested.as_ref(),
            self.declared_size.as_ref(),
            Some(&self.cap),
        ]
        .into_iter()
        .flatten()
        .filter_map(|outcome| match outcome {
            Outcome::Mismatch(m) => Some(m),
            Outcome::Matches | Outcome::Unverifiable { .. } => None,
        })
        .collect()
    }
}

/// Hash the body and check it against the header, the requested digest, the declared size and
/// the size cap. See [`Received::canonical_digest`] for schema1 manifests.
pub fn verify(received: &Received<'_>) -> Verification {
    let body = received.body;
    let size = u64::try_from(body.len()).unwrap_or(u64::MAX);
    let check = |claimed: &Digest, mismatch: fn(Digest, Digest) -> Mismatch| {
        let computed = match received.canonical_digest {
            Some(canonical) if canonical.algorithm() == claimed.algorithm() => Some(canonical.clone()),
            Some(_) => None,
            None => claimed.recompute(body),
        };
        match computed {
            None => Outcome::Unverifiable {
                claimed: claimed.clone(),
            },
            Some(computed) if &computed == claimed => Outcome::Matches,
            Some(computed) => Outcome::Mismatch(mismatch(claimed.clone(), computed)),
        }
    };

    let header = match received.header {
        DigestHeader::Absent => HeaderOutcome::Absent,
        DigestHeader::NotExposed => HeaderOutcome::NotExposed,
        DigestHeader::Present(value) => match value.trim().parse::<Digest>() {
            Ok(claimed) => HeaderOutcome::Checked(check(&claimed, |claimed, computed| {
                Mismatch::HeaderMismatch { claimed, computed }
            })),
            Err(reason) => HeaderOutcome::Malformed {
                value: value.to_owned(),
                reason,
            },
        },
    };
    let requested = received.requested.map(|requested| {
        check(requested, |requested, computed| Mismatch::ReferenceMismatch {
            requested,
            computed,
        })
    });
    let declared_size = received.declared_size.map(|declared| {
        if declared == size {
            Outcome::Matches
        } else {
            Outcome::Mismatch(Mismatch::SizeMismatch {
                declared,
                actual: size,
            })
        }
    });
    let cap = if size > received.cap {
        Outcome::Mismatch(Mismatch::TooLarge {
            cap: received.cap,
            actual: size,
        })
    } else {
        Outcome::Matches
    };

    Verification {
        computed: Digest::sha256(body),
        compared_with_canonical: received.canonical_digest.is_some(),
        size,
        header,
        requested,
        declared_size,
        cap,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::distribution::MANIFEST_SIZE_CAP;

    // Captured from distribution 2.8.2 (`docker-registry serve`, Debian 2.8.2+ds1-1) with
    // `curl -H 'Accept: <MANIFEST_ACCEPT>' /v2/demo/img/manifests/v1` after
    // `skopeo copy --format v2s2` of an empty umoci image (tests/fixtures/distribution-2.8.2/
    // README.md). The registry answered `Docker-Content-Digest: sha256:6043f632…` and
    // `Content-Length: 264`; `sha256sum` of the body printed the same digest.
    const SCHEMA2: &[u8] = include_bytes!("../../../tests/fixtures/distribution-2.8.2/schema2-manifest.json");
    const SCHEMA2_DIGEST: &str = "sha256:6043f6321434a632f01538716cd9fdeada04c11abf4575a1ecb6c4596454460e";

    // The same tag fetched twice with `Accept: */*`: distribution rewrote it to schema1 and
    // re-signed it each time. Header both times: sha256:2ce1d3dc…; `sha256sum` of the bodies:
    // 9fd0a81d… and 4022acb8…. distribution's own schema1 package (`SignedManifest.Canonical`)
    // gives sha256:2ce1d3dc… for both bodies.
    const SCHEMA1_A: &[u8] =
        include_bytes!("../../../tests/fixtures/distribution-2.8.2/schema1-rewritten-1.json");
    const SCHEMA1_B: &[u8] =
        include_bytes!("../../../tests/fixtures/distribution-2.8.2/schema1-rewritten-2.json");
    const SCHEMA1_HEADER: &str = "sha256:2ce1d3dc07a74a4eaec77f34bb2aac583dcd776d01e0792cb1b4ec4aea8eb872";

    fn digest(s: &str) -> Digest {
        s.parse().unwrap()
    }

    fn received(body: &[u8]) -> Received<'_> {
        Received {
            body,
            header: DigestHeader::Absent,
            requested: None,
            declared_size: None,
            cap: MANIFEST_SIZE_CAP,
            canonical_digest: None,
        }
    }

    #[test]
    fn registry_header_matching_the_bytes_is_confirmed() {
        let requested = digest(SCHEMA2_DIGEST);
        let v = verify(&Received {
            header: DigestHeader::Present(SCHEMA2_DIGEST),
            requested: Some(&requested),
            declared_size: Some(264),
            ..received(SCHEMA2)
        });
        assert_eq!(v.computed.to_string(), SCHEMA2_DIGEST);
        assert_eq!(v.size, 264);
        assert_eq!(v.header, HeaderOutcome::Checked(Outcome::Matches));
        assert_eq!(v.requested, Some(Outcome::Matches));
        assert_eq!(v.declared_size, Some(Outcome::Matches));
        assert_eq!(v.cap, Outcome::Matches);
        assert!(v.mismatches().is_empty());
    }

    #[test]
    fn resigned_schema1_contradicts_its_header_unless_the_canonical_digest_is_given() {
        let a = verify(&Received {
            header: DigestHeader::Present(SCHEMA1_HEADER),
            ..received(SCHEMA1_A)
        });
        assert_eq!(
            a.computed.to_string(),
            "sha256:9fd0a81d5650bd3e3e633560d6fa48d3fa8f89df87b2bc539dfdb304a6678b25"
        );
        assert_eq!(
            a.mismatches(),
            [&Mismatch::HeaderMismatch {
                claimed: digest(SCHEMA1_HEADER),
                computed: a.computed.clone(),
            }]
        );
        let b = verify(&received(SCHEMA1_B));
        assert_eq!(
            b.computed.to_string(),
            "sha256:4022acb82f8fba7307b997bdea5f0f321522df2fe45edb6e6bdf8d1ee05437c6"
        );

        let canonical = digest(SCHEMA1_HEADER);
        for body in [SCHEMA1_A, SCHEMA1_B] {
            let v = verify(&Received {
                header: DigestHeader::Present(SCHEMA1_HEADER),
                requested: Some(&canonical),
                canonical_digest: Some(&canonical),
                ..received(body)
            });
            assert!(v.compared_with_canonical);
            assert_eq!(v.header, HeaderOutcome::Checked(Outcome::Matches));
            assert_eq!(v.requested, Some(Outcome::Matches));
        }
    }

    #[test]
    fn wrong_content_for_a_requested_digest_is_a_reference_mismatch() {
        let requested = digest(SCHEMA1_HEADER);
        let v = verify(&Received {
            requested: Some(&requested),
            ..received(SCHEMA2)
        });
        assert_eq!(
            v.mismatches(),
            [&Mismatch::ReferenceMismatch {
                requested,
                computed: digest(SCHEMA2_DIGEST),
            }]
        );
    }

    #[test]
    fn declared_size_differing_from_the_bytes_is_a_size_mismatch() {
        let v = verify(&Received {
            declared_size: Some(287),
            ..received(SCHEMA2)
        });
        assert_eq!(
            v.declared_size,
            Some(Outcome::Mismatch(Mismatch::SizeMismatch {
                declared: 287,
                actual: 264
            }))
        );
    }

    #[test]
    fn body_over_the_cap_is_too_large() {
        let v = verify(&Received {
            cap: 100,
            ..received(SCHEMA2)
        });
        assert_eq!(
            v.mismatches(),
            [&Mismatch::TooLarge {
                cap: 100,
                actual: 264
            }]
        );
        let exactly = verify(&Received {
            cap: 264,
            ..received(SCHEMA2)
        });
        assert_eq!(exactly.cap, Outcome::Matches);
    }

    #[test]
    fn hidden_absent_and_malformed_headers_are_told_apart() {
        assert_eq!(verify(&received(SCHEMA2)).header, HeaderOutcome::Absent);
        let hidden = verify(&Received {
            header: DigestHeader::NotExposed,
            ..received(SCHEMA2)
        });
        assert_eq!(hidden.header, HeaderOutcome::NotExposed);
        let bad = verify(&Received {
            header: DigestHeader::Present("6043f632"),
            ..received(SCHEMA2)
        });
        assert_eq!(
            bad.header,
            HeaderOutcome::Malformed {
                value: "6043f632".into(),
                reason: DigestError::MissingColon
            }
        );
        assert!(bad.mismatches().is_empty());
    }

    #[test]
    fn claims_in_other_algorithms_are_checked_in_that_algorithm() {
        // sha512 of "abc": FIPS 180-2 appendix C, as printed by coreutils `sha512sum`.
        let sha512 = "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
        let v = verify(&Received {
            header: DigestHeader::Present(sha512),
            ..received(b"abc")
        });
        assert_eq!(v.header, HeaderOutcome::Checked(Outcome::Matches));

        let blake3 = digest("blake3:6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85");
        let v = verify(&Received {
            requested: Some(&blake3),
            ..received(b"abc")
        });
        assert_eq!(v.requested, Some(Outcome::Unverifiable { claimed: blake3 }));
    }

    #[test]
    fn a_hidden_header_is_only_reported_hidden_on_cross_origin_responses() {
        assert_eq!(
            DigestHeader::observed(Some(SCHEMA2_DIGEST), true),
            DigestHeader::Present(SCHEMA2_DIGEST)
        );
        assert_eq!(DigestHeader::observed(None, true), DigestHeader::NotExposed);
        assert_eq!(DigestHeader::observed(None, false), DigestHeader::Absent);
    }

    #[test]
    fn trust_needs_a_checked_digest_claim_and_no_contradiction() {
        let requested = digest(SCHEMA2_DIGEST);
        let by_header = verify(&Received {
            header: DigestHeader::Present(SCHEMA2_DIGEST),
            ..received(SCHEMA2)
        });
        assert_eq!(by_header.trust(), Trust::Verified);
        let by_reference = verify(&Received {
            header: DigestHeader::NotExposed,
            requested: Some(&requested),
            ..received(SCHEMA2)
        });
        assert_eq!(by_reference.trust(), Trust::Verified);
        let by_tag_hidden = verify(&Received {
            header: DigestHeader::NotExposed,
            ..received(SCHEMA2)
        });
        assert_eq!(by_tag_hidden.trust(), Trust::Unverifiable);
        let size_only = verify(&Received {
            declared_size: Some(264),
            ..received(SCHEMA2)
        });
        assert_eq!(size_only.trust(), Trust::Unverifiable);
        let other = digest(SCHEMA1_HEADER);
        let contradicted = verify(&Received {
            header: DigestHeader::Present(SCHEMA2_DIGEST),
            requested: Some(&other),
            ..received(SCHEMA2)
        });
        assert_eq!(contradicted.trust(), Trust::Mismatch);
        assert_eq!(contradicted.trust().slug(), "mismatch");
    }

    #[test]
    fn outcomes_are_named_for_the_page() {
        let hidden = verify(&Received {
            header: DigestHeader::NotExposed,
            ..received(SCHEMA2)
        });
        assert_eq!(hidden.header.slug(), "not-exposed");
        assert!(hidden.header.describe().contains("Access-Control-Expose-Headers"));
        let wrong = verify(&Received {
            header: DigestHeader::Present(SCHEMA1_HEADER),
            ..received(SCHEMA2)
        });
        assert_eq!(wrong.header.slug(), "mismatch");
        assert!(
            wrong.header.describe().starts_with(&format!(
                "DOES NOT MATCH: the registry says these bytes are {SCHEMA1_HEADER}, but they hash to {SCHEMA2_DIGEST}"
            )),
            "{}",
            wrong.header.describe()
        );
        assert_eq!(Outcome::Matches.describe(), "matches the bytes");
    }
}
