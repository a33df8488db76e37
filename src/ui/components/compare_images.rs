//! "Compare two images": the page's question asked the natural way, by naming both images
//! (`busybox` and `myregistry/busybox`), or an image and a pasted document. Both families are
//! fetched with the registry walk and the page's connection settings; when one is an index and
//! the other an image manifest, `core::image_pair` picks the index's entry for that image; the
//! analysis worker compares the two (`use_comparison`) and the answer is summed up first, then
//! the two images' layers side by side (`LayerPairs`, each with "Why?"), then the evidence.
//! What is fetched here stays in this section; what was compared (each reference pinned to the
//! digest fetched, or B's pasted bytes) goes into the workspace's view, so the page's link
//! carries it, and a link opened fills the form and fetches those digests again.

use super::comparison_view::ComparisonView;
use super::layer_pairs::LayerPairs;
use super::registry_error::RegistryErrorView;
use super::{field_text, set_field_text};
use crate::core::diagnose::report::ComparisonReport;
use crate::core::digest::Digest;
use crate::core::distribution::error::RegistryError;
use crate::core::image_pair::{config_digest, pair, sentence, summary, Family, Pairing};
use crate::core::permalink::{ComparedImages, ImageB, PinnedReference};
use crate::core::reference::{Reference, ReferenceError};
use crate::registry::{cancellation, walk, CancelHandle, Event, Keyring, Problem, Settings};
use crate::ui::comparison_worker::{use_comparison, Answered};
use crate::ui::connection::use_connection;
use crate::ui::permalink_sync::OpenedImages;
use crate::ui::state::{fetched_document, Handle, LoadedDocument, Source};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// One side as fetched (or pasted): the document it names first, then the rest of its family.
#[derive(Clone, Debug)]
struct Side {
    documents: Vec<Rc<LoadedDocument>>,
}

impl Side {
    fn family(&self) -> Option<Family<'_>> {
        let top = self.documents.first()?.analysis();
        Some(Family {
            top,
            documents: self.documents.iter().map(|d| d.analysis()).collect(),
        })
    }

    fn find(&self, digest: &crate::core::digest::Digest) -> Option<Rc<LoadedDocument>> {
        self.documents
            .iter()
            .find(|d| d.analysis().digest() == digest)
            .cloned()
    }

    /// The config `manifest` names, when this side fetched it.
    fn config_of(&self, manifest: &LoadedDocument) -> Option<Handle> {
        self.find(config_digest(manifest.analysis())?).map(Handle)
    }
}

/// What the form is doing.
#[derive(Clone, Debug, Default)]
enum Stage {
    #[default]
    Idle,
    Fetching,
    /// A side could not be read; each problem is shown.
    Failed(Vec<(String, RegistryError)>),
    Input(String),
    /// Both sides are here: what was paired, and the two documents compared.
    Ready {
        /// What each side was named by, as the user entered it: said above the answer.
        inputs: [String; 2],
        pairing: Pairing,
        a: Handle,
        b: Handle,
        /// The configs of `a` and `b`, when fetched.
        configs: (Option<Handle>, Option<Handle>),
    },
}

/// What one side of the form holds when Compare is pressed.
enum Asked {
    Reference {
        /// As typed, for the link.
        typed: String,
        reference: Reference,
        /// The digest a link pinned the reference to: fetched instead of the tag.
        pin: Option<Digest>,
    },
    Pasted(Vec<u8>),
}

impl Asked {
    /// The side a typed reference names, pinned to `pin` when a link gave one.
    fn typed(typed: &str, pin: Option<Digest>) -> Result<Asked, ReferenceError> {
        Ok(Asked::Reference {
            typed: typed.to_owned(),
            reference: Reference::parse(typed.trim())?,
            pin,
        })
    }

    /// Which input the side was read from, for the line above the answer.
    fn label(&self) -> String {
        match self {
            Asked::Reference { reference, .. } => format!("the reference {reference}"),
            Asked::Pasted(bytes) => format!("the pasted manifest ({} bytes)", bytes.len()),
        }
    }

    /// The side as a link carries it: the reference as typed, pinned to the digest of the
    /// document it named, or the pasted bytes.
    fn shared(&self, fetched: &Side) -> Option<ImageB> {
        match self {
            Asked::Reference { typed, .. } => Some(ImageB::Reference(PinnedReference {
                reference: typed.clone(),
                digest: fetched.documents.first()?.analysis().digest().clone(),
            })),
            Asked::Pasted(bytes) => Some(ImageB::Pasted(bytes.clone())),
        }
    }
}

/// What a link carries of a comparison; image A is always a reference.
fn compared_images(asked: &(Asked, Asked), sides: (&Side, &Side)) -> Option<ComparedImages> {
    let ImageB::Reference(a) = asked.0.shared(sides.0)? else {
        return None;
    };
    Some(ComparedImages {
        a,
        b: asked.1.shared(sides.1)?,
    })
}

/// The two sides a link's comparison names, pinned to the digests it carries.
fn pinned_sides(images: &ComparedImages) -> Result<(Asked, Asked), String> {
    let a = Asked::typed(&images.a.reference, Some(images.a.digest.clone()))
        .map_err(|e| format!("The link's image A: {e}"))?;
    let b = match &images.b {
        ImageB::Reference(pinned) => Asked::typed(&pinned.reference, Some(pinned.digest.clone()))
            .map_err(|e| format!("The link's image B: {e}"))?,
        ImageB::Pasted(bytes) => Asked::Pasted(bytes.clone()),
    };
    Ok((a, b))
}

/// Puts a link's comparison back into the form's fields.
fn fill_form(images: &ComparedImages, fields: (&NodeRef, &NodeRef, &NodeRef)) {
    let (b_reference, b_pasted) = match &images.b {
        ImageB::Reference(pinned) => (pinned.reference.clone(), String::new()),
        ImageB::Pasted(bytes) => (String::new(), String::from_utf8_lossy(bytes).into_owned()),
    };
    set_field_text(fields.0, &images.a.reference);
    set_field_text(fields.1, &b_reference);
    set_field_text(fields.2, &b_pasted);
}

/// Fetches the family `reference` names, as the fetch panel's walk does; documents in the
/// order they arrive, the one the reference names first.
async fn fetch_family(
    reference: Reference,
    settings: Settings,
    keyring: Keyring,
    cancel: crate::registry::Cancel,
) -> Result<Side, Vec<(String, RegistryError)>> {
    let documents = RefCell::new(Vec::new());
    let problems = RefCell::new(Vec::new());
    let shown = reference.to_string();
    let on_event = |event: Event| match event {
        Event::Documents(fetched) => documents.borrow_mut().extend(fetched.into_iter().map(|f| {
            let new = fetched_document(&reference, f);
            Rc::new(LoadedDocument {
                id: 0,
                source: new.source,
                document: new.document,
            })
        })),
        Event::Problem(Problem::Failed { about, error }) => problems.borrow_mut().push((about, error)),
        Event::Progress { .. } | Event::Referrers(_) | Event::Problem(Problem::Skipped(_)) => {}
    };
    walk(&reference, &settings, &keyring, cancel, &on_event).await;
    let documents = documents.into_inner();
    let problems = problems.into_inner();
    if documents.is_empty() {
        return Err(problems
            .into_iter()
            .map(|(about, error)| (if about.is_empty() { shown.clone() } else { about }, error))
            .collect());
    }
    Ok(Side { documents })
}

/// The two documents to compare, once both sides are here.
fn ready(inputs: [String; 2], a: Side, b: Side) -> Stage {
    let (Some(family_a), Some(family_b)) = (a.family(), b.family()) else {
        return Stage::Input("A side holds no document.".to_owned());
    };
    let pairing = pair(&family_a, &family_b);
    let tops = (a.documents.first().cloned(), b.documents.first().cloned());
    let chosen = match &pairing {
        Pairing::IndexEntry {
            index: crate::core::diagnose::Side::A,
            manifest,
            ..
        } => (a.find(manifest), tops.1),
        Pairing::IndexEntry { manifest, .. } => (tops.0, b.find(manifest)),
        Pairing::Tops => tops,
    };
    match chosen {
        (Some(chosen_a), Some(chosen_b)) => Stage::Ready {
            inputs,
            pairing,
            configs: (a.config_of(&chosen_a), b.config_of(&chosen_b)),
            a: Handle(chosen_a),
            b: Handle(chosen_b),
        },
        _ => Stage::Input("A side holds no document.".to_owned()),
    }
}

/// What a side's fields hold. At most one of B's two holds anything (typing a reference clears
/// the paste and pasting clears the reference: [`keep_last`]), so the one filled is the one the
/// user entered last.
fn asked(reference: &NodeRef, paste: Option<&NodeRef>, side: &str) -> Result<Asked, String> {
    let pasted = paste.map(field_text).unwrap_or_default();
    if !pasted.trim().is_empty() {
        return Ok(Asked::Pasted(pasted.into_bytes()));
    }
    let typed = field_text(reference);
    if typed.trim().is_empty() {
        return Err(format!(
            "Name image {side} (a reference such as busybox or ghcr.io/org/app:1.2)."
        ));
    }
    Asked::typed(typed.trim(), None).map_err(|e| format!("{side}: {e}"))
}

/// B is named by a reference or by a pasted manifest, whichever the user entered last: an edit of
/// one (`own`) empties the other (`other`), and `note` says so where the user looks.
fn keep_last(
    own: NodeRef,
    other: NodeRef,
    note: UseStateHandle<Option<&'static str>>,
    cleared: &'static str,
) -> Callback<InputEvent> {
    Callback::from(move |_: InputEvent| {
        if field_text(&own).trim().is_empty() || field_text(&other).is_empty() {
            return;
        }
        set_field_text(&other, "");
        note.set(Some(cleared));
    })
}

async fn side_of(
    asked: &Asked,
    settings: Settings,
    keyring: Keyring,
    cancel: crate::registry::Cancel,
) -> Result<Side, Vec<(String, RegistryError)>> {
    match asked {
        Asked::Reference { reference, pin, .. } => {
            let fetched = pin
                .as_ref()
                .map_or_else(|| reference.clone(), |d| reference.with_digest(d));
            fetch_family(fetched, settings, keyring, cancel).await
        }
        Asked::Pasted(bytes) => Ok(Side {
            documents: vec![LoadedDocument::own(Source::Pasted, bytes.clone())],
        }),
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The comparison the link just opened carries: filled in and fetched again.
    pub opened: OpenedImages,
    /// Told what was compared (`None` when a new comparison starts), for the page's link.
    pub on_compared: Callback<Option<Rc<ComparedImages>>>,
}

#[function_component(CompareImages)]
pub fn compare_images(props: &Props) -> Html {
    let connection = use_connection();
    let (reference_a, reference_b, paste_b) = (use_node_ref(), use_node_ref(), use_node_ref());
    let stage = use_state(Stage::default);
    let note = use_state(|| None::<&'static str>);
    let running = use_mut_ref(|| None::<CancelHandle>);
    // Compare pressed (or a link opened) before the connection was known: with the link's pins.
    let waiting = use_mut_ref(|| None::<Option<Rc<ComparedImages>>>);
    // How this form's walks reached each repository, for a layer row's "Why?" downloads; a new
    // comparison starts a new one.
    let keyring = use_state(Keyring::default);
    let compare = {
        let keyring = keyring.clone();
        let (reference_a, reference_b, paste_b) = (reference_a.clone(), reference_b.clone(), paste_b.clone());
        let (stage, connection, waiting) = (stage.clone(), connection.clone(), waiting.clone());
        let note = note.clone();
        let on_compared = props.on_compared.clone();
        Callback::from(move |pins: Option<Rc<ComparedImages>>| {
            note.set(None);
            let sides = match &pins {
                Some(images) => pinned_sides(images),
                None => {
                    on_compared.emit(None);
                    asked(&reference_a, None, "A")
                        .and_then(|a| Ok((a, asked(&reference_b, Some(&paste_b), "B")?)))
                }
            };
            let settings = sides.and_then(|s| {
                Ok((
                    s,
                    connection
                        .connection
                        .unfetched_settings()
                        .map_err(|e| e.to_string())?,
                ))
            });
            let ((a, b), settings) = match settings {
                Ok(ready) => ready,
                Err(text) => return stage.set(Stage::Input(text)),
            };
            if connection.connection.discovering() {
                *waiting.borrow_mut() = Some(pins);
                return stage.set(Stage::Fetching);
            }
            let (handle, cancel) = cancellation();
            *running.borrow_mut() = Some(handle);
            stage.set(Stage::Fetching);
            let fresh = Keyring::default();
            keyring.set(fresh.clone());
            let stage = stage.clone();
            let inputs = [a.label(), b.label()];
            let on_compared = on_compared.clone();
            spawn_local(async move {
                let both = futures::future::join(
                    side_of(&a, settings.clone(), fresh.clone(), cancel.clone()),
                    side_of(&b, settings, fresh, cancel.clone()),
                )
                .await;
                if cancel.is_cancelled() {
                    return;
                }
                stage.set(match both {
                    (Ok(side_a), Ok(side_b)) => {
                        if pins.is_none() {
                            on_compared.emit(compared_images(&(a, b), (&side_a, &side_b)).map(Rc::new));
                        }
                        ready(inputs, side_a, side_b)
                    }
                    (a, b) => Stage::Failed(a.err().into_iter().chain(b.err()).flatten().collect()),
                });
            });
        })
    };
    use_compare_triggers(
        &compare,
        connection.connection.discovering(),
        waiting,
        &props.opened,
        (reference_a.clone(), reference_b.clone(), paste_b.clone()),
    );
    let onsubmit = compare.reform(|e: SubmitEvent| {
        e.prevent_default();
        None
    });
    let on_reference_b = keep_last(
        reference_b.clone(),
        paste_b.clone(),
        note.clone(),
        "B's pasted manifest was cleared: B is now the reference you typed.",
    );
    let on_paste_b = keep_last(
        paste_b.clone(),
        reference_b.clone(),
        note.clone(),
        "B's reference was cleared: B is now the pasted manifest.",
    );
    let (a, b) = match &*stage {
        Stage::Ready { a, b, .. } => (Some(a.clone()), Some(b.clone())),
        _ => (None, None),
    };
    let comparison = use_comparison(a, b);

    html! {
        <section class="compare compare-images" data-testid="compare-images" aria-labelledby="compare-images-heading">
            <h2 id="compare-images-heading">{ "Pulled and pushed: compare two images" }</h2>
            <p class="muted">
                { "Name both images, e.g. the one you pulled (busybox) and the one you pushed (myregistry.example/busybox). \
                   Both are fetched, and when one is a multi-platform index, its manifest for the other image's \
                   platform is compared. Instead of B's reference you may paste B's manifest." }
            </p>
            { form_view((reference_a, reference_b, paste_b), FormEvents { onsubmit, on_reference_b, on_paste_b }, *note) }
            { stage_view(&stage, &comparison, &keyring) }
        </section>
    }
}

/// A comparison waiting to run: `Some(pins)` once Compare was pressed (or a link opened) before
/// the page knew its connection; `pins` are the link's, if it came from one.
type Waiting = Rc<RefCell<Option<Option<Rc<ComparedImages>>>>>;

/// Runs `compare` when it could not run yet: asked before the page knew whether it came with a
/// proxy (once it knows), and for a link opened with a comparison (after filling the form with it).
#[hook]
fn use_compare_triggers(
    compare: &Callback<Option<Rc<ComparedImages>>>,
    discovering: bool,
    waiting: Waiting,
    opened: &OpenedImages,
    fields: (NodeRef, NodeRef, NodeRef),
) {
    {
        let compare = compare.clone();
        use_effect_with(discovering, move |discovering| {
            if !*discovering {
                if let Some(pins) = waiting.take() {
                    compare.emit(pins);
                }
            }
        });
    }
    let compare = compare.clone();
    use_effect_with(opened.clone(), move |opened| {
        if let Some(images) = &opened.images {
            fill_form(images, (&fields.0, &fields.1, &fields.2));
            compare.emit(Some(images.clone()));
        }
    });
}

/// What the form's fields report.
struct FormEvents {
    onsubmit: Callback<SubmitEvent>,
    on_reference_b: Callback<InputEvent>,
    on_paste_b: Callback<InputEvent>,
}

/// The form: both references, B's manifest as the alternative to its reference, and the note on
/// what an entry cleared.
fn form_view(fields: (NodeRef, NodeRef, NodeRef), events: FormEvents, note: Option<&'static str>) -> Html {
    let (reference_a, reference_b, paste_b) = fields;
    let FormEvents {
        onsubmit,
        on_reference_b,
        on_paste_b,
    } = events;
    html! {
    <form class="compare-images-form" {onsubmit}>
        <label class="label" for="reference-a">{ "Image A" }</label>
        <input id="reference-a" ref={reference_a} data-testid="reference-a" type="text" spellcheck="false"
            autocomplete="off" autocapitalize="off" placeholder="busybox" />
        <label class="label" for="reference-b">{ "Image B" }</label>
        <input id="reference-b" ref={reference_b} data-testid="reference-b" type="text" spellcheck="false"
            autocomplete="off" autocapitalize="off" placeholder="myregistry.example/busybox" oninput={on_reference_b} />
        <details>
            <summary>{ "or paste B's manifest" }</summary>
            <textarea ref={paste_b} data-testid="document-b" spellcheck="false" autocomplete="off"
                aria-label="B's manifest, pasted" oninput={on_paste_b} />
        </details>
        <button type="submit" data-testid="compare-images-button">{ "Compare" }</button>
        if let Some(text) = note {
            <p class="muted input-note" role="status" data-testid="compare-images-note">{ text }</p>
        }
    </form>
    }
}

fn stage_view(stage: &Stage, comparison: &Answered<ComparisonReport>, keyring: &Keyring) -> Html {
    match stage {
        Stage::Idle => html! {},
        Stage::Fetching => html! {
            <p class="muted" role="status" data-testid="compare-images-progress">{ "Fetching both images…" }</p>
        },
        Stage::Input(text) => html! {
            <p class="error" role="alert" data-testid="error" data-kind="input">{ text.clone() }</p>
        },
        Stage::Failed(problems) => html! {
            <div class="messages">
                { for problems.iter().map(|(about, error)| html! {
                    <RegistryErrorView about={about.clone()} error={error.clone()} on_show_proxy={Callback::noop()} />
                }) }
            </div>
        },
        Stage::Ready {
            inputs,
            pairing,
            a,
            b,
            configs,
        } => html! {
            <>
                <p class="compared-inputs" data-testid="compared-inputs">
                    { "Compared: " }
                    <span data-testid="compared-a">{ format!("A is {}", inputs[0]) }</span>
                    { "; " }
                    <span data-testid="compared-b">{ format!("B is {}", inputs[1]) }</span>
                    { "." }
                </p>
                if let Answered::Done(report) = comparison {
                    { verdict(pairing, report, a, b) }
                }
                <LayerPairs a={a.clone()} b={b.clone()} config_a={configs.0.clone()} config_b={configs.1.clone()}
                    keyring={keyring.clone()} />
                <ComparisonView state={comparison.clone()} a={a.clone()} b={b.clone()} verdict={false} />
            </>
        },
    }
}

/// The summed-up answer, then the comparison's own verdict and the ways the bytes differ.
fn verdict(pairing: &Pairing, report: &ComparisonReport, a: &Handle, b: &Handle) -> Html {
    let findings = summary(pairing, report, a.0.analysis(), b.0.analysis());
    html! {
        <div class="verdict" data-testid="verdict" data-verdict={report.verdict.slug.clone()} role="status" aria-live="polite">
            if !findings.is_empty() {
                <p data-testid="pair-summary"><strong>{ sentence(&findings) }</strong></p>
                <ul class="findings">
                    { for findings.iter().map(|f| html! { <li data-finding={f.slug}>{ f.text.clone() }</li> }) }
                </ul>
            }
            <p>{ report.verdict.text.clone() }</p>
            if !report.differences.is_empty() {
                <ul class="differences">
                    { for report.differences.iter().map(|d| html! {
                        <li data-testid="serialization-difference" data-difference={d.slug.clone()}>{ d.text.clone() }</li>
                    }) }
                </ul>
            }
        </div>
    }
}
