//! The walk: the document the reference names, then round after round of what it points at,
//! each round's requests in parallel (core `walk` plans the rounds, this performs them).

use super::client::{Answer, Client};
use super::http::Failure;
use super::keyring::Keyring;
use super::referrers;
use super::settings::Settings;
use super::time::Cancel;
use crate::core::digest::Digest;
use crate::core::distribution::error::RegistryError;
use crate::core::distribution::manifest_url;
use crate::core::distribution::referrers::Listing;
use crate::core::distribution::verify::{DigestHeader, Verification};
use crate::core::distribution::walk::{check, media_type_hint, Skipped, Step, Target, Walk};
use crate::core::document::{Analysis, Body, Document, Origin};
use crate::core::media_type::MediaType;
use crate::core::reference::Reference;
use futures::future::{join, join_all};
use std::cell::Cell;

/// A fetched document (its exact bytes, analysed once here with the media type it was served or
/// described as) and how it fared against every claim.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    /// The registry URL (without any proxy prefix).
    pub url: String,
    /// What the document is to the image: empty for the one the reference names, else e.g.
    /// `linux/arm64` or `config of linux/arm64`.
    pub label: String,
    pub document: Document,
    pub verification: Verification,
}

/// Something the page should say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A document could not be fetched. `about` names it (a label and digest); it is empty for
    /// the document the reference names, whose errors name the reference themselves.
    Failed { about: String, error: RegistryError },
    /// A descriptor the walk did not follow.
    Skipped(Skipped),
}

/// What the walk tells the page as it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `done` of `total` documents known so far are settled (fetched or failed).
    Progress {
        done: usize,
        total: usize,
    },
    /// One round's documents, in the order their descriptors appear.
    Documents(Vec<Fetched>),
    /// What is attached to a fetched manifest or index (its referrers).
    Referrers(Listing),
    Problem(Problem),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Finished,
    Cancelled,
}

/// Fetch what `reference` names and everything it points at down to the configs, reporting
/// through `on_event`. Returns [`Outcome::Cancelled`] as soon as `cancel` fires; no event
/// follows a cancellation. Once the first document has arrived, `keyring` learns how its
/// repository was reached.
pub async fn walk(
    reference: &Reference,
    settings: &Settings,
    keyring: &Keyring,
    cancel: Cancel,
    on_event: &dyn Fn(Event),
) -> Outcome {
    let since = keyring.generation();
    let client = Client::new(reference, settings, cancel);
    let done = Cell::new(0);
    let total = Cell::new(1);
    let progress = || {
        on_event(Event::Progress {
            done: done.get(),
            total: total.get(),
        })
    };
    progress();

    let top = get_top(&client, reference, settings).await;
    done.set(1);
    let top = match top {
        Ok(answer) => {
            let (document, verification) = received(
                answer,
                reference,
                None,
                reference.digest(),
                None,
                Target::Manifest,
            );
            Fetched {
                url: manifest_url(reference, None),
                label: String::new(),
                document,
                verification,
            }
        }
        Err(Failure::Cancelled) => return Outcome::Cancelled,
        Err(Failure::Registry(error)) => {
            progress();
            on_event(Event::Problem(Problem::Failed {
                about: String::new(),
                error,
            }));
            return Outcome::Finished;
        }
    };
    keyring.remember(since, reference, settings, client.grant());
    progress();
    let analysis = top.document.analysis();
    let subject = matches!(analysis.body, Body::Manifest { .. } | Body::Index { .. })
        .then(|| analysis.digest().clone());
    let mut plan = Walk::started_with(analysis.digest());
    let mut fetched = vec![top];

    let rounds = async {
        loop {
            if !fetched.is_empty() {
                on_event(Event::Documents(fetched.clone()));
            }
            let parents: Vec<(&Analysis, &str)> = fetched
                .iter()
                .map(|f| (f.document.analysis(), f.label.as_str()))
                .collect();
            let round = plan.next_round(&parents);
            for skipped in round.skipped {
                on_event(Event::Problem(Problem::Skipped(skipped)));
            }
            if round.steps.is_empty() {
                return Outcome::Finished;
            }
            total.set(total.get() + round.steps.len());
            progress();
            let results = join_all(round.steps.iter().map(|step| async {
                let result = fetch_step(&client, reference, settings, step).await;
                done.set(done.get() + 1);
                progress();
                result
            }))
            .await;
            let mut next = Vec::with_capacity(results.len());
            for (step, result) in round.steps.iter().zip(results) {
                match result {
                    Ok(document) => next.push(document),
                    Err(Failure::Cancelled) => return Outcome::Cancelled,
                    Err(Failure::Registry(error)) => on_event(Event::Problem(Problem::Failed {
                        about: format!("{} ({})", step.label, step.digest),
                        error,
                    })),
                }
            }
            fetched = next;
        }
    };
    // The referrers of the document the reference names are looked up beside the rounds; they
    // are not documents of the image, so they do not count in the progress.
    let attached = async {
        match &subject {
            Some(subject) => {
                match referrers::list(&client, reference, subject, None, settings.proxy.as_deref()).await {
                    Some(listing) => {
                        on_event(Event::Referrers(listing));
                        Outcome::Finished
                    }
                    None => Outcome::Cancelled,
                }
            }
            None => Outcome::Finished,
        }
    };
    match join(rounds, attached).await {
        (Outcome::Finished, Outcome::Finished) => Outcome::Finished,
        _ => Outcome::Cancelled,
    }
}

/// The document the reference names. A missing manifest in a repository that does not exist at
/// all is reported as the missing repository; a digest that names a blob instead of a manifest
/// (most often an Image ID typed where a repo digest belongs) as that blob.
async fn get_top(client: &Client<'_>, reference: &Reference, settings: &Settings) -> Result<Answer, Failure> {
    let top_url = manifest_url(reference, settings.proxy.as_deref());
    let failure = match client.get(&top_url, Target::Manifest, reference, None).await {
        Err(Failure::Registry(error)) => error,
        other => return other,
    };
    let repository = match failure {
        RegistryError::ManifestUnknown { .. } => client.repository_unknown().await?,
        _ => None,
    };
    let explained = match (repository, reference.digest()) {
        (Some(name_unknown), _) => Some(name_unknown),
        (None, Some(digest)) if may_name_a_blob(&failure) => client.digest_is_blob(digest).await?,
        _ => None,
    };
    Err(Failure::Registry(explained.unwrap_or(failure)))
}

/// The answers a registry gives a manifest request for a blob's digest: 404 (with or without
/// `MANIFEST_UNKNOWN`), a 5xx (distribution 2.8 fails to parse the blob as a manifest), or a 400.
fn may_name_a_blob(failure: &RegistryError) -> bool {
    matches!(
        failure,
        RegistryError::ManifestUnknown { .. }
            | RegistryError::NotFound { .. }
            | RegistryError::ServerError { .. }
            | RegistryError::UnexpectedStatus { status: 400, .. }
    )
}

/// List the referrers of `subject` in `reference`'s repository (only those of `artifact_type`
/// if given), reporting the listing as [`Event::Referrers`]; progress counts it as one document.
pub async fn list_referrers(
    reference: &Reference,
    subject: &Digest,
    artifact_type: Option<&str>,
    settings: &Settings,
    cancel: Cancel,
    on_event: &dyn Fn(Event),
) -> Outcome {
    let client = Client::new(reference, settings, cancel);
    on_event(Event::Progress { done: 0, total: 1 });
    match referrers::list(
        &client,
        reference,
        subject,
        artifact_type,
        settings.proxy.as_deref(),
    )
    .await
    {
        Some(listing) => {
            on_event(Event::Progress { done: 1, total: 1 });
            on_event(Event::Referrers(listing));
            Outcome::Finished
        }
        None => Outcome::Cancelled,
    }
}

async fn fetch_step(
    client: &Client<'_>,
    reference: &Reference,
    settings: &Settings,
    step: &Step,
) -> Result<Fetched, Failure> {
    let url = step.url(reference, settings.proxy.as_deref());
    let pinned = reference.pinned(&step.digest);
    let blob = (step.target == Target::Blob).then_some(&step.digest);
    let answer = client.get(&url, step.target, &pinned, blob).await?;
    let (document, verification) = received(
        answer,
        reference,
        step.media_type.as_ref(),
        Some(&step.digest),
        step.declared_size,
        step.target,
    );
    Ok(Fetched {
        url: step.url(reference, None),
        label: step.label.clone(),
        document,
        verification,
    })
}

/// The answer's bytes as a document of `reference` (analysed once, here), and how they fared
/// against the registry's header and the walk's claims.
fn received(
    answer: Answer,
    reference: &Reference,
    descriptor_type: Option<&MediaType>,
    requested: Option<&Digest>,
    declared_size: Option<u64>,
    target: Target,
) -> (Document, Verification) {
    let origin = Origin::Registry {
        reference: reference.clone(),
        media_type: media_type_hint(answer.content_type.as_deref(), descriptor_type),
    };
    let header = DigestHeader::observed(answer.digest_header.as_deref(), answer.cross_origin);
    let document = Document::new(answer.bytes, origin);
    let verification = check(
        document.bytes(),
        document.analysis(),
        header,
        requested,
        declared_size,
        target,
    );
    (document, verification)
}
