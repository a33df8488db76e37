//! Listing a manifest's referrers: the referrers API (every page), the referrers tag when the
//! registry has no API, and cosign's three tags. The API and the cosign tags are asked at once;
//! the referrers tag only after the API said it is missing (core `referrers` decides).

use super::client::{Client, Sent};
use super::http::Failure;
use crate::core::digest::Digest;
use crate::core::distribution::referrers::{
    next_page, parse_index, referrers_api_url, referrers_tag, registry_filtered, tag_url, Answers, ApiAnswer,
    CosignTag, FoundBy, Listing, Referrer, TagAnswer, MAX_PAGES,
};
use crate::core::distribution::walk::{media_type_hint, Target};
use crate::core::distribution::MANIFEST_ACCEPT;
use crate::core::document::Analysis;
use crate::core::reference::Reference;
use futures::future::{join, join_all};

/// The listing of `subject`'s referrers in `reference`'s repository, only those of
/// `artifact_type` if given. `None` when the walk was cancelled; every other failure is part of
/// the listing.
pub(crate) async fn list(
    client: &Client<'_>,
    reference: &Reference,
    subject: &Digest,
    artifact_type: Option<&str>,
    proxy: Option<&str>,
) -> Option<Listing> {
    let api = api(client, reference, subject, artifact_type, proxy);
    let cosign = join_all(
        CosignTag::ALL
            .into_iter()
            .map(|tag| cosign_tag(client, reference, subject, tag, proxy)),
    );
    let (api, cosign) = join(api, cosign).await;
    let (api, listed) = api.ok()?;
    let mut cosign_answers = Vec::new();
    let mut cosign_found = Vec::new();
    for result in cosign {
        let (tag, answer, found) = result.ok()?;
        cosign_answers.push((tag, answer));
        cosign_found.extend(found);
    }
    let (tag_schema, listed) = if api.falls_back() {
        let (answer, listed) = referrers_tag_index(client, reference, subject, proxy)
            .await
            .ok()?;
        (Some(answer), listed)
    } else {
        (None, listed)
    };
    Some(Listing::new(
        reference,
        subject.clone(),
        artifact_type.map(str::to_owned),
        Answers {
            api,
            tag_schema,
            cosign: cosign_answers,
            listed,
            cosign_found,
        },
    ))
}

/// The referrers API, page after page. Sent without `Accept`: the answer is always an image
/// index, and without custom headers an anonymous request needs no CORS preflight.
async fn api(
    client: &Client<'_>,
    reference: &Reference,
    subject: &Digest,
    artifact_type: Option<&str>,
    proxy: Option<&str>,
) -> Result<(ApiAnswer, Vec<Referrer>), Failure> {
    let mut url = referrers_api_url(reference, subject, artifact_type, proxy);
    let mut listed = Vec::new();
    let mut pages = 0;
    let mut filtered_by_registry = false;
    loop {
        let answer = match client.send(&url, None, Target::Manifest).await {
            Ok(Sent::Answer(answer)) => answer,
            Ok(Sent::Status { status, body, .. }) => {
                return Ok((ApiAnswer::from_status(status, &body, reference), listed))
            }
            Ok(Sent::Unreadable) => return Ok((ApiAnswer::Unreadable, listed)),
            Err(Failure::Registry(error)) => return Ok((ApiAnswer::Failed(error), listed)),
            Err(Failure::Cancelled) => return Err(Failure::Cancelled),
        };
        match parse_index(&answer.bytes, FoundBy::Api) {
            Ok(page) => listed.extend(page),
            Err(error) => return Ok((ApiAnswer::Invalid(error), listed)),
        }
        pages += 1;
        if pages == 1 {
            filtered_by_registry = registry_filtered(answer.filters_applied.as_deref());
        }
        let next = answer
            .link
            .as_deref()
            .and_then(|l| next_page(l, reference, proxy));
        match next {
            Some(next) if pages < MAX_PAGES => url = next,
            next => {
                return Ok((
                    ApiAnswer::Listed {
                        pages,
                        filtered_by_registry,
                        truncated: next.is_some(),
                    },
                    listed,
                ))
            }
        }
    }
}

/// The referrers tag schema's index, `sha256-<hex>`.
async fn referrers_tag_index(
    client: &Client<'_>,
    reference: &Reference,
    subject: &Digest,
    proxy: Option<&str>,
) -> Result<(TagAnswer, Vec<Referrer>), Failure> {
    let tag = referrers_tag(subject);
    Ok(match get_tag(client, reference, &tag, proxy).await? {
        Ok((bytes, _)) => match parse_index(&bytes, FoundBy::TagSchema) {
            Ok(listed) => (TagAnswer::Found, listed),
            Err(error) => (TagAnswer::Invalid(error), Vec::new()),
        },
        Err(answer) => (answer, Vec::new()),
    })
}

/// One of cosign's tags: the manifest under it, described as a referrer.
async fn cosign_tag(
    client: &Client<'_>,
    reference: &Reference,
    subject: &Digest,
    tag: CosignTag,
    proxy: Option<&str>,
) -> Result<(CosignTag, TagAnswer, Option<Referrer>), Failure> {
    Ok(
        match get_tag(client, reference, &tag.tag(subject), proxy).await? {
            Ok((bytes, content_type)) => {
                let hint = media_type_hint(content_type.as_deref(), None);
                let analysis = Analysis::of(&bytes, hint.as_ref());
                let referrer = Referrer::cosign(tag, &analysis, hint.as_ref());
                (tag, TagAnswer::Found, Some(referrer))
            }
            Err(answer) => (tag, answer, None),
        },
    )
}

/// GET a tag: its bytes and `Content-Type`, or how it failed (404 is the usual "no such tag").
async fn get_tag(
    client: &Client<'_>,
    reference: &Reference,
    tag: &str,
    proxy: Option<&str>,
) -> Result<Result<(Vec<u8>, Option<String>), TagAnswer>, Failure> {
    let url = tag_url(reference, tag, proxy);
    // Only for messages: the tag is made of digest characters, so it parses.
    let tagged =
        Reference::parse(&format!("{}:{tag}", reference.name())).unwrap_or_else(|_| reference.clone());
    match client.send(&url, Some(MANIFEST_ACCEPT), Target::Manifest).await {
        Ok(Sent::Answer(answer)) => Ok(Ok((answer.bytes, answer.content_type))),
        Ok(Sent::Status { status, body, .. }) => Ok(Err(TagAnswer::from_status(status, &body, &tagged))),
        Ok(Sent::Unreadable) => Ok(Err(TagAnswer::Failed(
            client.diagnose(&url, &tagged, None).await?,
        ))),
        Err(Failure::Registry(error)) => Ok(Err(TagAnswer::Failed(error))),
        Err(Failure::Cancelled) => Err(Failure::Cancelled),
    }
}
