//! Hooks that put a question to the analysis worker (`ui::analysis`) and follow its answer:
//! a comparison of two documents, an expected digest, a re-push preview, why two layer blobs
//! differ. Each asks again when its inputs change (compared by identity: the same documents, the
//! same `Rc`s) and drops the answer to the question before, so what is shown always belongs to
//! what is on screen.

use super::analysis::client::{self, Listener};
use super::analysis::protocol::{Answer, LayerInput, Task};
use super::layers::protocol::RegistryBlob;
use super::state::{DocumentList, Handle, LoadedDocument};
use crate::core::diagnose::report::{ComparisonReport, ExpectedReport, RenderingReport};
use crate::core::diagnose::Expected;
use crate::core::digest::Digest;
use crate::core::layer::diff::LayerDifference;
use std::rc::Rc;
use yew::prelude::*;

/// Where a question to the worker stands.
#[derive(Debug, PartialEq)]
pub enum Answered<T> {
    /// Nothing to ask yet (a side is empty, the section is closed).
    Idle,
    /// Asked; the worker is loading or working.
    Working,
    /// A sentence for the user: the worker could not load, stopped, or could not answer.
    Failed(String),
    Done(Rc<T>),
}

impl<T> Clone for Answered<T> {
    fn clone(&self) -> Self {
        match self {
            Answered::Idle => Answered::Idle,
            Answered::Working => Answered::Working,
            Answered::Failed(message) => Answered::Failed(message.clone()),
            Answered::Done(value) => Answered::Done(value.clone()),
        }
    }
}

pub type ComparisonState = Answered<ComparisonReport>;

/// What came back for one question: the key it was asked with, and the answer.
type Outcome<K, T> = Option<(K, Result<Rc<T>, String>)>;

const WRONG_ANSWER: &str = "The worker answered another question than the page asked.";

#[hook]
fn use_answer<K, T>(
    key: Option<K>,
    ask: fn(&K, Listener) -> u32,
    pick: fn(Answer) -> Option<T>,
) -> Answered<T>
where
    K: PartialEq + Clone + 'static,
    T: 'static,
{
    let outcome = use_state(|| None::<(K, Result<Rc<T>, String>)>);
    {
        let outcome = outcome.clone();
        use_effect_with(key.clone(), move |key| {
            let id = key.as_ref().map(|key| {
                let asked = key.clone();
                let listener = Callback::from(move |result: Result<Answer, String>| {
                    let value =
                        result.and_then(|a| pick(a).map(Rc::new).ok_or_else(|| WRONG_ANSWER.to_owned()));
                    outcome.set(Some((asked.clone(), value)));
                });
                ask(key, listener)
            });
            move || {
                if let Some(id) = id {
                    client::cancel(id);
                }
            }
        });
    }
    state_of(key.as_ref(), &outcome)
}

fn state_of<K: PartialEq, T>(key: Option<&K>, outcome: &Outcome<K, T>) -> Answered<T> {
    match (key, outcome) {
        (None, _) => Answered::Idle,
        (Some(key), Some((asked, result))) if asked == key => match result {
            Ok(value) => Answered::Done(value.clone()),
            Err(message) => Answered::Failed(message.clone()),
        },
        (Some(_), _) => Answered::Working,
    }
}

/// Why the digests of `a` and `b` differ, once both sides hold a document.
#[hook]
pub fn use_comparison(a: Option<Handle>, b: Option<Handle>) -> ComparisonState {
    let key = a.zip(b);
    use_answer(
        key,
        |(Handle(a), Handle(b)), listener| client::ask(Task::Compare, &[a, b], listener),
        |answer| match answer {
            Answer::Compared(report) => Some(report),
            _ => None,
        },
    )
}

/// What `expected` is to `doc`, among the re-serializations of `doc` and the digests of `family`
/// (every loaded document, in page order).
#[hook]
pub fn use_expected_check(
    expected: Option<Expected>,
    doc: Handle,
    family: DocumentList,
) -> Answered<ExpectedReport> {
    let key = expected.map(|e| (e, doc, family));
    use_answer(
        key,
        |(expected, Handle(doc), family), listener| {
            let expected = match expected {
                Expected::Full(digest) => digest.to_string(),
                Expected::Prefix(hex) => hex.clone(),
            };
            let documents: Vec<_> = std::iter::once(doc)
                .chain(family.0.iter())
                .map(|d| d.as_ref())
                .collect();
            client::ask(Task::CheckExpected { expected }, &documents, listener)
        },
        |answer| match answer {
            Answer::Checked(report) => Some(report),
            _ => None,
        },
    )
}

/// What common tools would write for `doc` on a re-push, while `open`.
#[hook]
pub fn use_repush_preview(doc: Handle, open: bool) -> Answered<Vec<RenderingReport>> {
    use_answer(
        open.then_some(doc),
        |Handle(doc), listener| client::ask(Task::Repush, &[doc], listener),
        |answer| match answer {
            Answer::Repushed(renderings) => Some(renderings),
            _ => None,
        },
    )
}

/// One of two layer blobs to compare: a document the page holds, or a registry blob the worker
/// downloads and checks against its descriptor's digest and size.
#[derive(Clone, PartialEq)]
pub enum LayerBlob {
    Given(Handle),
    Registry {
        blob: RegistryBlob,
        digest: Digest,
        size: Option<u64>,
    },
}

impl LayerBlob {
    fn input(&self) -> LayerInput {
        match self {
            LayerBlob::Given(_) => LayerInput::Given,
            LayerBlob::Registry { blob, digest, size } => LayerInput::Registry {
                blob: blob.clone(),
                digest: digest.clone(),
                size: *size,
            },
        }
    }

    fn given(&self) -> Option<&LoadedDocument> {
        match self {
            LayerBlob::Given(Handle(doc)) => Some(doc),
            LayerBlob::Registry { .. } => None,
        }
    }
}

/// Why two layer blobs differ, file by file (`core::layer::diff`), worked out in the worker.
#[hook]
pub fn use_layer_difference(blobs: Option<(LayerBlob, LayerBlob)>) -> Answered<LayerDifference> {
    use_answer(
        blobs,
        |(a, b), listener| {
            let given: Vec<&LoadedDocument> = a.given().into_iter().chain(b.given()).collect();
            client::ask(
                Task::CompareLayers {
                    a: a.input(),
                    b: b.input(),
                },
                &given,
                listener,
            )
        },
        |answer| match answer {
            Answer::LayersCompared(difference) => Some(difference),
            _ => None,
        },
    )
}
