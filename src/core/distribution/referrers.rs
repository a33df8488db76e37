//! Referrers (OCI distribution spec 1.1): the signatures, SBOMs and attestations attached to a
//! manifest, and the three places registries and tools keep their list.
//!
//! 1. The referrers API, `GET /v2/<name>/referrers/<digest>`: the registry answers with an image
//!    index whose `manifests` describe every manifest whose `subject` is `<digest>`, optionally
//!    only those of one `artifactType`.
//! 2. The referrers tag schema, for registries without that API: a client that pushes a manifest
//!    with a `subject` also keeps an index of the subject's referrers under the tag
//!    `<alg>-<ref>` (`sha256-<hex>`), and a client that lists referrers reads that tag when the
//!    API answers 404.
//! 3. cosign's own tags, older than both: `sha256-<hex>.sig`, `.att` and `.sbom` name a manifest
//!    whose layers are the signatures, attestations or SBOM. Its bytes do not name the image;
//!    only the tag does.
//!
//! This module is the pure part: URLs, tag names, reading answers, deciding the fallback and
//! filtering. `registry::referrers` performs the requests.

use super::error::{RegistryError, Resource};
use super::with_proxy;
use crate::core::descriptor::{Descriptor, DescriptorProblem};
use crate::core::digest::Digest;
use crate::core::document::artifact;
use crate::core::document::{Analysis, Body, Kind};
use crate::core::media_type::MediaType;
use crate::core::reference::Reference;
use std::collections::HashSet;
use std::fmt;

/// Pages of a referrers API answer followed through `Link: <…>; rel="next"`. A registry pages
/// after hundreds of entries; more than this many pages is more than a page can show anyway.
pub const MAX_PAGES: usize = 10;

/// The response header in which a registry names the filters it applied (`artifactType`).
pub const FILTERS_APPLIED_HEADER: &str = "OCI-Filters-Applied";

/// The longest algorithm and encoded parts the referrers tag schema keeps (distribution spec
/// 1.1, "Referrers Tag Schema"): the tag grammar allows 128 characters in all.
const TAG_ALGORITHM_MAX: usize = 32;
const TAG_ENCODED_MAX: usize = 64;

/// One of cosign's tag-scheme suffixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CosignTag {
    Signature,
    Attestation,
    Sbom,
}

impl CosignTag {
    pub const ALL: [CosignTag; 3] = [CosignTag::Signature, CosignTag::Attestation, CosignTag::Sbom];

    pub fn suffix(self) -> &'static str {
        match self {
            CosignTag::Signature => "sig",
            CosignTag::Attestation => "att",
            CosignTag::Sbom => "sbom",
        }
    }

    /// What a person calls the manifest under this tag.
    pub fn name(self) -> &'static str {
        match self {
            CosignTag::Signature => "cosign signature",
            CosignTag::Attestation => "cosign attestation",
            CosignTag::Sbom => "cosign SBOM",
        }
    }

    /// `sha256-<hex>.sig`: cosign writes the digest with `:` turned into `-`, and the suffix.
    pub fn tag(self, subject: &Digest) -> String {
        format!(
            "{}-{}.{}",
            subject.algorithm().as_str(),
            subject.encoded(),
            self.suffix()
        )
    }
}

/// The referrers tag schema's tag for `subject`: `<alg>-<ref>`, the algorithm cut to 32
/// characters and the encoded digest to 64, characters a tag cannot hold replaced with `-`.
/// For sha256 this is `sha256-<hex>`.
pub fn referrers_tag(subject: &Digest) -> String {
    let clean = |s: &str, max: usize| -> String {
        s.chars()
            .take(max)
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    format!(
        "{}-{}",
        clean(subject.algorithm().as_str(), TAG_ALGORITHM_MAX),
        clean(subject.encoded(), TAG_ENCODED_MAX)
    )
}

/// `…/v2/<name>/referrers/<digest>[?artifactType=…]`. The artifact type is percent-encoded:
/// media types hold `/` and `+`, and a `+` in a query reads as a space.
pub fn referrers_api_url(
    reference: &Reference,
    subject: &Digest,
    artifact_type: Option<&str>,
    proxy: Option<&str>,
) -> String {
    let url = super::referrers_url(reference, subject, None);
    let url = match artifact_type {
        Some(t) => format!("{url}?artifactType={}", percent_encode(t)),
        None => url,
    };
    with_proxy(url, proxy)
}

/// `…/v2/<name>/manifests/<tag>` for a tag this module built (only characters valid in a URL
/// path).
pub fn tag_url(reference: &Reference, tag: &str, proxy: Option<&str>) -> String {
    with_proxy(
        format!(
            "{}/v2/{}/manifests/{tag}",
            reference.api_base_url(),
            reference.repository()
        ),
        proxy,
    )
}

fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The next page of a referrers answer from its `Link` header (RFC 8288), through the proxy if
/// one is set. Only a link to the same registry is followed (the spec's links are paths on it):
/// this page talks to no host the user did not name.
pub fn next_page(link: &str, reference: &Reference, proxy: Option<&str>) -> Option<String> {
    let base = reference.api_base_url();
    let target = link.split(',').find_map(|entry| {
        let (target, params) = entry.trim().split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next")
        });
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then_some(target)
    })?;
    // A registry proxy rewrites the link to come back through itself.
    let target = proxy
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .and_then(|p| target.strip_prefix(p))
        .unwrap_or(target);
    let url = if target.starts_with("/v2/") {
        format!("{base}{target}")
    } else if target
        .strip_prefix(&base)
        .is_some_and(|path| path.starts_with("/v2/"))
    {
        target.to_owned()
    } else {
        return None;
    };
    Some(with_proxy(url, proxy))
}

/// Whether the registry says it applied the `artifactType` filter (`OCI-Filters-Applied`).
/// Without it the client filters, as the spec says.
pub fn registry_filtered(filters_applied: Option<&str>) -> bool {
    filters_applied.is_some_and(|h| h.split(',').any(|f| f.trim() == "artifactType"))
}

/// Where a referrer was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoundBy {
    Api,
    TagSchema,
    Cosign(CosignTag),
}

impl FoundBy {
    /// Stable short name, used as `data-found-by` in the page.
    pub fn slug(self) -> &'static str {
        match self {
            FoundBy::Api => "api",
            FoundBy::TagSchema => "tag-schema",
            FoundBy::Cosign(CosignTag::Signature) => "cosign-sig",
            FoundBy::Cosign(CosignTag::Attestation) => "cosign-att",
            FoundBy::Cosign(CosignTag::Sbom) => "cosign-sbom",
        }
    }
}

/// One manifest attached to the subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrer {
    pub digest: Option<Digest>,
    pub media_type: Option<MediaType>,
    pub size: Option<u64>,
    /// As listed: a registry fills it from the manifest's `artifactType`, else its config's
    /// `mediaType`. For a cosign tag, read from the manifest the same way.
    pub artifact_type: Option<String>,
    pub annotations: Vec<(String, String)>,
    pub found_by: FoundBy,
    /// What is wrong with the listed descriptor (no digest, no size…).
    pub problems: Vec<DescriptorProblem>,
}

impl Referrer {
    fn listed(descriptor: &Descriptor, found_by: FoundBy) -> Referrer {
        Referrer {
            digest: descriptor.digest.clone(),
            media_type: descriptor.media_type.clone(),
            size: descriptor.size,
            artifact_type: descriptor.artifact_type.clone(),
            annotations: descriptor.annotations.clone(),
            found_by,
            problems: descriptor.problems.clone(),
        }
    }

    /// The manifest found under a cosign tag, described as a registry would list it. `served`
    /// is the media type the registry served it with.
    pub fn cosign(tag: CosignTag, analysis: &Analysis, served: Option<&MediaType>) -> Referrer {
        Referrer {
            digest: Some(analysis.digest().clone()),
            media_type: served.cloned().or_else(|| analysis.kind.media_type()),
            size: u64::try_from(analysis.size).ok(),
            artifact_type: artifact::artifact_type(analysis).map(|t| t.value),
            annotations: analysis.annotations.clone(),
            found_by: FoundBy::Cosign(tag),
            problems: Vec::new(),
        }
    }

    /// What a person calls this kind of artifact, when this page knows its type.
    pub fn kind_name(&self) -> Option<&'static str> {
        if let FoundBy::Cosign(tag) = self.found_by {
            return Some(tag.name());
        }
        crate::core::artifact::named(self.artifact_type.as_deref()?).map(|known| known.name)
    }
}

/// Why an answer that should list referrers does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferrersError {
    /// The body is not an image index.
    NotAnIndex { kind: Kind },
}

impl fmt::Display for ReferrersError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReferrersError::NotAnIndex { kind } => write!(
                f,
                "the answer should be an OCI image index listing the referrers, but it reads as: {}",
                kind.name()
            ),
        }
    }
}

/// The referrers listed in a referrers API answer or a referrers tag index.
pub fn parse_index(bytes: &[u8], found_by: FoundBy) -> Result<Vec<Referrer>, ReferrersError> {
    let analysis = Analysis::of(bytes, Some(&MediaType::OciIndex));
    match &analysis.body {
        Body::Index { manifests, .. } => {
            Ok(manifests.iter().map(|d| Referrer::listed(d, found_by)).collect())
        }
        _ => Err(ReferrersError::NotAnIndex { kind: analysis.kind }),
    }
}

/// How the referrers API answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiAnswer {
    Listed {
        pages: usize,
        /// The registry applied the `artifactType` filter itself.
        filtered_by_registry: bool,
        /// More pages were announced than [`MAX_PAGES`].
        truncated: bool,
    },
    /// 404: the registry has no referrers API (the spec forbids a registry that has one to
    /// answer 404), so the tag schema is read instead.
    NotOffered,
    /// No answer this page may read. Measured on distribution 2.8.2: its `/referrers/` route
    /// does not exist, and the 404 of an unknown route carries none of the CORS headers the
    /// registry adds to its real routes, so a browser sees a network error. A registry with
    /// the API answers with CORS like any other route, so this too is taken as "no API".
    Unreadable,
    Failed(RegistryError),
    Invalid(ReferrersError),
}

impl ApiAnswer {
    /// A non-2xx answer: 404 means no referrers API; anything else is an error to report.
    pub fn from_status(status: u16, body: &[u8], reference: &Reference) -> ApiAnswer {
        if status == 404 {
            ApiAnswer::NotOffered
        } else {
            ApiAnswer::Failed(RegistryError::from_response(
                status,
                body,
                None,
                reference,
                Resource::Referrers,
            ))
        }
    }

    /// Whether the referrers tag schema is read instead (distribution spec: on 404).
    pub fn falls_back(&self) -> bool {
        matches!(self, ApiAnswer::NotOffered | ApiAnswer::Unreadable)
    }
}

/// How a tag (the referrers tag or a cosign tag) answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagAnswer {
    Found,
    /// 404: no such tag, the usual answer.
    Absent,
    Failed(RegistryError),
    Invalid(ReferrersError),
}

impl TagAnswer {
    /// A non-2xx answer to a tag GET: 404 means the tag does not exist.
    pub fn from_status(status: u16, body: &[u8], tagged: &Reference) -> TagAnswer {
        if status == 404 {
            TagAnswer::Absent
        } else {
            TagAnswer::Failed(RegistryError::from_response(
                status,
                body,
                None,
                tagged,
                Resource::Manifest,
            ))
        }
    }
}

/// Everything found about one subject's referrers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// `registry/repository`: referrers are kept per repository.
    pub repository: String,
    pub subject: Digest,
    /// The `artifactType` asked for, if any.
    pub artifact_type: Option<String>,
    pub api: ApiAnswer,
    /// Read only when the API [falls back](ApiAnswer::falls_back).
    pub tag_schema: Option<TagAnswer>,
    pub cosign: Vec<(CosignTag, TagAnswer)>,
    /// API or tag-schema entries first, then cosign's; each digest once; filtered by
    /// `artifact_type` where the registry did not filter.
    pub referrers: Vec<Referrer>,
}

/// What the requests for one subject brought back, before they are put together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub api: ApiAnswer,
    pub tag_schema: Option<TagAnswer>,
    pub cosign: Vec<(CosignTag, TagAnswer)>,
    /// The API's or the tag index's entries.
    pub listed: Vec<Referrer>,
    /// The manifests found under cosign tags.
    pub cosign_found: Vec<Referrer>,
}

impl Listing {
    /// Puts the answers together: each digest once, and filtered by `artifact_type` where the
    /// registry did not filter.
    pub fn new(
        reference: &Reference,
        subject: Digest,
        artifact_type: Option<String>,
        answers: Answers,
    ) -> Listing {
        let registry_filtered = matches!(
            answers.api,
            ApiAnswer::Listed {
                filtered_by_registry: true,
                ..
            }
        );
        let mut seen = HashSet::new();
        let referrers = answers
            .listed
            .into_iter()
            .chain(answers.cosign_found)
            .filter(|r| r.digest.as_ref().is_none_or(|d| seen.insert(d.clone())))
            .filter(|r| {
                let by_registry = registry_filtered && r.found_by == FoundBy::Api;
                by_registry || artifact_type.is_none() || r.artifact_type == artifact_type
            })
            .collect();
        Listing {
            repository: reference.name(),
            subject,
            artifact_type,
            api: answers.api,
            tag_schema: answers.tag_schema,
            cosign: answers.cosign,
            referrers,
        }
    }

    /// How the list was made, in one or two sentences: which way of keeping referrers answered.
    pub fn how_found(&self) -> String {
        let tag = referrers_tag(&self.subject);
        let api = match &self.api {
            ApiAnswer::Listed { pages, truncated, .. } => {
                let mut text = format!("The registry's referrers API answered ({pages} page(s)).");
                if *truncated {
                    text.push_str(&format!(" It announced more pages; this page reads at most {MAX_PAGES}."));
                }
                text
            }
            ApiAnswer::NotOffered => format!(
                "The registry has no referrers API (it answered 404), so the referrers tag {tag} was read instead, \
                 as the OCI distribution spec tells clients to."
            ),
            ApiAnswer::Unreadable => format!(
                "The referrers API gave no answer this page may read (a registry without it, such as distribution \
                 2.8.2, answers that unknown route with a 404 that lacks CORS headers), so the referrers tag {tag} \
                 was read instead."
            ),
            ApiAnswer::Failed(error) => format!("The referrers API failed: {error}."),
            ApiAnswer::Invalid(error) => format!("The referrers API answered, but {error}."),
        };
        let tag_text = match &self.tag_schema {
            Some(TagAnswer::Absent) => format!(" No tag {tag} exists: no client recorded referrers there."),
            Some(TagAnswer::Failed(error)) => format!(" Reading the tag {tag} failed: {error}."),
            Some(TagAnswer::Invalid(error)) => format!(" The tag {tag} exists, but {error}."),
            Some(TagAnswer::Found) | None => String::new(),
        };
        let cosign_found: Vec<String> = self
            .cosign
            .iter()
            .filter(|(_, a)| *a == TagAnswer::Found)
            .map(|(t, _)| t.tag(&self.subject))
            .collect();
        let cosign_text = if cosign_found.is_empty() {
            String::new()
        } else {
            let verb = if cosign_found.len() == 1 {
                "exists"
            } else {
                "exist"
            };
            format!(
                " Under cosign's tag scheme, {} {verb} (linked to this digest by the tag name only).",
                cosign_found.join(" and ")
            )
        };
        format!("{api}{tag_text}{cosign_text}")
    }

    /// Requests that failed in a way worth telling (not the expected 404s).
    pub fn problems(&self) -> Vec<String> {
        self.cosign
            .iter()
            .filter_map(|(tag, answer)| match answer {
                TagAnswer::Failed(error) => Some(format!("{}: {error}", tag.tag(&self.subject))),
                TagAnswer::Invalid(error) => Some(format!("{}: {error}", tag.tag(&self.subject))),
                TagAnswer::Found | TagAnswer::Absent => None,
            })
            .collect()
    }

    /// The artifact types among the referrers, each once, in order: the choices of a filter.
    pub fn artifact_types(&self) -> Vec<String> {
        let mut types: Vec<String> = Vec::new();
        for t in self.referrers.iter().filter_map(|r| r.artifact_type.clone()) {
            if !types.contains(&t) {
                types.push(t);
            }
        }
        types
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBJECT: &str = "sha256:456a471991804877889cdb6720e3a9226f7da3d091150917eb92165eaf5d845a";

    fn reference() -> Reference {
        Reference::parse("127.0.0.1:5621/demo/oci:1").unwrap()
    }

    fn subject() -> Digest {
        SUBJECT.parse().unwrap()
    }

    // Distribution spec 1.1, "Referrers Tag Schema": `<alg>-<ref>`, alg cut to 32 and ref to 64
    // characters. A sha512 digest keeps only the first 64 of its 128 hex characters.
    #[test]
    fn a_sha512_subject_is_cut_to_64_characters_in_the_referrers_tag() {
        let hex = "a".repeat(64) + &"b".repeat(64);
        let d: Digest = format!("sha512:{hex}").parse().unwrap();
        assert_eq!(referrers_tag(&d), format!("sha512-{}", "a".repeat(64)));
    }

    #[test]
    fn characters_a_tag_cannot_hold_become_dashes() {
        // The digest grammar allows `+` in the algorithm and `=` in the encoded part; tags do not.
        let d: Digest = "sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564="
            .parse()
            .unwrap();
        assert_eq!(
            referrers_tag(&d),
            "sha256-b64u-LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564-"
        );
    }

    #[test]
    fn the_artifact_type_filter_is_percent_encoded_in_the_query() {
        let url = referrers_api_url(&reference(), &subject(), Some("application/spdx+json"), None);
        assert_eq!(
            url,
            format!("http://127.0.0.1:5621/v2/demo/oci/referrers/{SUBJECT}?artifactType=application%2Fspdx%2Bjson")
        );
        assert_eq!(
            referrers_api_url(&reference(), &subject(), None, Some("https://cors.example/")),
            format!("https://cors.example/http://127.0.0.1:5621/v2/demo/oci/referrers/{SUBJECT}")
        );
    }

    // The Link form the distribution spec shows for paginated answers: a path on the registry.
    #[test]
    fn next_pages_stay_on_the_registry_the_user_named() {
        let r = reference();
        let relative = format!("</v2/demo/oci/referrers/{SUBJECT}?n=2&last=x>; rel=\"next\"");
        assert_eq!(
            next_page(&relative, &r, None),
            Some(format!(
                "http://127.0.0.1:5621/v2/demo/oci/referrers/{SUBJECT}?n=2&last=x"
            ))
        );
        assert_eq!(
            next_page(&relative, &r, Some("https://cors.example/")),
            Some(format!(
                "https://cors.example/http://127.0.0.1:5621/v2/demo/oci/referrers/{SUBJECT}?n=2&last=x"
            ))
        );
        let absolute = "<http://127.0.0.1:5621/v2/demo/oci/referrers/x?last=y>; rel=next";
        assert!(next_page(absolute, &r, None).is_some());
        assert_eq!(
            next_page("<https://elsewhere.example/v2/x>; rel=\"next\"", &r, None),
            None
        );
        assert_eq!(
            next_page("</v2/demo/oci/referrers/x>; rel=\"prev\"", &r, None),
            None
        );
        assert_eq!(next_page("garbage", &r, None), None);
    }

    // digestlens-proxy rewrites each Link to come back through itself.
    #[test]
    fn a_next_page_already_through_the_proxy_is_not_prefixed_again() {
        let proxy = "http://127.0.0.1:8080/proxy/";
        let through = format!("<{proxy}http://127.0.0.1:5621/v2/demo/oci/referrers/x?last=y>; rel=\"next\"");
        assert_eq!(
            next_page(&through, &reference(), Some(proxy)),
            Some(format!(
                "{proxy}http://127.0.0.1:5621/v2/demo/oci/referrers/x?last=y"
            ))
        );
        let elsewhere = format!("<{proxy}https://elsewhere.example/v2/x>; rel=\"next\"");
        assert_eq!(next_page(&elsewhere, &reference(), Some(proxy)), None);
    }

    #[test]
    fn only_a_filters_applied_header_naming_artifact_type_means_the_registry_filtered() {
        assert!(registry_filtered(Some("artifactType")));
        assert!(registry_filtered(Some("annotations, artifactType")));
        assert!(!registry_filtered(Some("artifactTypes")));
        assert!(!registry_filtered(None));
    }

    #[test]
    fn a_404_or_an_unreadable_answer_falls_back_to_the_tag_schema_and_nothing_else_does() {
        // distribution 2.8.2 has no referrers route: plain-text 404 (seen with curl).
        let no_route = ApiAnswer::from_status(404, b"404 page not found\n", &reference());
        assert_eq!(no_route, ApiAnswer::NotOffered);
        assert!(no_route.falls_back());
        assert!(ApiAnswer::Unreadable.falls_back());
        let denied = ApiAnswer::from_status(
            401,
            br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
            &reference(),
        );
        assert!(
            matches!(denied, ApiAnswer::Failed(RegistryError::Unauthorized { .. })),
            "{denied:?}"
        );
        assert!(!denied.falls_back());
        let listed = ApiAnswer::Listed {
            pages: 1,
            filtered_by_registry: false,
            truncated: false,
        };
        assert!(!listed.falls_back());
    }

    #[test]
    fn an_answer_that_is_not_an_index_is_refused() {
        let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}"#;
        assert_eq!(
            parse_index(manifest, FoundBy::Api),
            Err(ReferrersError::NotAnIndex {
                kind: Kind::OciManifest
            })
        );
        assert!(matches!(
            parse_index(b"404 page not found", FoundBy::Api),
            Err(ReferrersError::NotAnIndex { kind: Kind::NotJson })
        ));
    }

    fn listed(artifact_type: &str, digest: char, found_by: FoundBy) -> Referrer {
        Referrer {
            digest: Some(
                format!("sha256:{}", digest.to_string().repeat(64))
                    .parse()
                    .unwrap(),
            ),
            media_type: Some(MediaType::OciManifest),
            size: Some(1),
            artifact_type: Some(artifact_type.to_owned()),
            annotations: Vec::new(),
            found_by,
            problems: Vec::new(),
        }
    }

    fn answers(api: ApiAnswer, listed: Vec<Referrer>, cosign_found: Vec<Referrer>) -> Answers {
        Answers {
            api,
            tag_schema: None,
            cosign: Vec::new(),
            listed,
            cosign_found,
        }
    }

    #[test]
    fn the_page_filters_when_the_registry_did_not_and_trusts_it_when_it_did() {
        let entries = vec![
            listed("application/spdx+json", 'a', FoundBy::TagSchema),
            listed("application/vnd.in-toto+json", 'b', FoundBy::TagSchema),
        ];
        let tag = Listing::new(
            &reference(),
            subject(),
            Some("application/spdx+json".into()),
            answers(ApiAnswer::NotOffered, entries, Vec::new()),
        );
        assert_eq!(tag.referrers.len(), 1);
        assert_eq!(
            tag.referrers[0].artifact_type.as_deref(),
            Some("application/spdx+json")
        );

        let api_entries = vec![listed("application/vnd.in-toto+json", 'b', FoundBy::Api)];
        let filtered = ApiAnswer::Listed {
            pages: 1,
            filtered_by_registry: true,
            truncated: false,
        };
        let api = Listing::new(
            &reference(),
            subject(),
            Some("application/spdx+json".into()),
            answers(filtered, api_entries, Vec::new()),
        );
        assert_eq!(api.referrers.len(), 1, "the registry said it filtered");
    }

    #[test]
    fn a_referrer_found_twice_is_listed_once() {
        let both = Listing::new(
            &reference(),
            subject(),
            None,
            answers(
                ApiAnswer::NotOffered,
                vec![listed("x/y", 'a', FoundBy::TagSchema)],
                vec![listed("x/y", 'a', FoundBy::Cosign(CosignTag::Signature))],
            ),
        );
        assert_eq!(both.referrers.len(), 1);
        assert_eq!(both.referrers[0].found_by, FoundBy::TagSchema);
        assert_eq!(both.artifact_types(), ["x/y"]);
    }

    #[test]
    fn how_found_names_the_tag_read_when_the_api_is_missing() {
        let listing = Listing::new(
            &reference(),
            subject(),
            None,
            Answers {
                tag_schema: Some(TagAnswer::Absent),
                ..answers(ApiAnswer::Unreadable, Vec::new(), Vec::new())
            },
        );
        let text = listing.how_found();
        assert!(text.contains("lacks CORS headers"), "{text}");
        assert!(
            text.contains(&format!("No tag sha256-{} exists", subject().encoded())),
            "{text}"
        );
        assert_eq!(listing.repository, "127.0.0.1:5621/demo/oci");
    }

    #[test]
    fn known_artifact_types_are_named_whatever_their_version_parameter() {
        let bundle = listed("application/vnd.dev.sigstore.bundle.v0.3+json", 'a', FoundBy::Api);
        assert_eq!(
            bundle.kind_name(),
            Some("Sigstore bundle (signature or attestation)")
        );
        let notation = listed("application/vnd.cncf.notary.signature", 'a', FoundBy::Api);
        assert_eq!(notation.kind_name(), Some("Notary Project signature (notation)"));
        assert_eq!(
            listed("application/x-unknown", 'a', FoundBy::Api).kind_name(),
            None
        );
        let cosign = listed(
            "application/vnd.oci.image.config.v1+json",
            'a',
            FoundBy::Cosign(CosignTag::Sbom),
        );
        assert_eq!(cosign.kind_name(), Some("cosign SBOM"));
    }
}
