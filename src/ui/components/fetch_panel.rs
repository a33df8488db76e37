//! The reference box: names an image, fetches it from its registry (through `registry::walk`),
//! shows progress with a cancel button and every problem as its own message, and hands the
//! fetched documents and referrer listings to the workspace. Other parts of the page ask it for
//! fetches too ([`FetchRequest`]: opening a referrer, looking for referrers), so every request
//! goes out with the settings and credentials typed here.
//!
//! Credentials are read from their fields when a fetch starts and live in that fetch, and in the
//! page's memory (the [`Keyring`]) for the layer downloads of the image it fetched; the proxy
//! prefix and timeout come from the page's connection settings (`ui::connection`). A fetch
//! asked for before the page knows whether it came with a proxy waits for that answer.

use super::connection_settings::{ConnectionNote, ConnectionSettings, SettingsFields};
use super::field_text;
use super::registry_error::RegistryErrorView;
use crate::core::digest::Digest;
use crate::core::distribution::auth::Credentials;
use crate::core::distribution::error::RegistryError;
use crate::core::distribution::referrers::Listing;
use crate::core::distribution::verify::{Mismatch, Trust};
use crate::core::distribution::walk::Skipped;
use crate::core::reference::Reference;
use crate::registry::{
    cancellation, list_referrers, walk, CancelHandle, Event, Fetched, Keyring, Outcome, Problem, Settings,
};
use crate::ui::connection::{use_connection, ConnectionContext};
use crate::ui::permalink_sync::Refetch;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlDetailsElement, HtmlInputElement};
use yew::prelude::*;

/// What a fetch asked for elsewhere on the page should do.
#[derive(Debug, Clone, PartialEq)]
pub enum Wanted {
    /// Fetch the reference and walk it, as if typed into the box.
    Walk,
    /// Only list the referrers of `subject` (of one `artifact_type`, if given).
    Referrers {
        subject: Digest,
        artifact_type: Option<String>,
    },
}

/// A fetch asked for elsewhere on the page; a new `id` starts it.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchRequest {
    pub id: u64,
    pub reference: Reference,
    pub wanted: Wanted,
}

#[derive(Properties, PartialEq)]
pub struct FetchPanelProps {
    /// One round of fetched documents, with the reference they belong to.
    pub on_fetched: Callback<(Reference, Vec<Fetched>)>,
    /// A listing of what is attached to a fetched manifest.
    #[prop_or_default]
    pub on_referrers: Callback<Listing>,
    #[prop_or_default]
    pub request: Option<FetchRequest>,
    /// References an opened permalink pins to the digest seen when it was made: each is fetched
    /// again by that digest, so the registry's answer is verified against it.
    #[prop_or_default]
    pub refetch: Refetch,
    /// Where each walk leaves how it reached its repository, for the layer downloads.
    pub keyring: Keyring,
    /// Counts "Clear all": each one cancels a running fetch, whose documents would otherwise
    /// arrive on the page just cleared.
    #[prop_or_default]
    pub cleared: u32,
}

/// Something to tell the user, each shown as its own message.
#[derive(Debug, Clone, PartialEq)]
enum Message {
    /// The reference, proxy or credentials as typed cannot be used.
    Input(String),
    Failed {
        about: String,
        error: RegistryError,
    },
    Mismatch {
        about: String,
        mismatches: Vec<Mismatch>,
    },
    Skipped(Skipped),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Status {
    Idle,
    Running { done: usize, total: usize },
    Finished { done: usize, total: usize, millis: f64 },
    Cancelled { done: usize, total: usize },
}

/// The panel's state. Every action carries the generation of the fetch it belongs to; actions
/// of an earlier fetch (a late answer after cancel or a new fetch) are dropped.
#[derive(Debug, PartialEq)]
struct FetchState {
    generation: u64,
    /// The running or last fetch only looked for referrers.
    referrers_only: bool,
    status: Status,
    failed: usize,
    messages: Vec<Message>,
}

enum FetchAction {
    Start {
        generation: u64,
        referrers_only: bool,
    },
    Progress {
        generation: u64,
        done: usize,
        total: usize,
    },
    Say {
        generation: u64,
        message: Message,
    },
    Finish {
        generation: u64,
        millis: f64,
    },
    Cancel(u64),
    /// A fetch that could not start; does not touch a running one.
    Refuse(String),
}

impl Reducible for FetchState {
    type Action = FetchAction;

    fn reduce(self: Rc<Self>, action: FetchAction) -> Rc<Self> {
        let current = |generation: u64| generation == self.generation;
        let mut next = FetchState {
            generation: self.generation,
            referrers_only: self.referrers_only,
            status: self.status,
            failed: self.failed,
            messages: self.messages.clone(),
        };
        match action {
            FetchAction::Start {
                generation,
                referrers_only,
            } => {
                next = FetchState {
                    generation,
                    referrers_only,
                    status: Status::Running { done: 0, total: 1 },
                    failed: 0,
                    messages: Vec::new(),
                };
            }
            FetchAction::Progress {
                generation,
                done,
                total,
            } if current(generation) && matches!(self.status, Status::Running { .. }) => {
                next.status = Status::Running { done, total };
            }
            FetchAction::Say { generation, message } if current(generation) => {
                if matches!(message, Message::Failed { .. }) {
                    next.failed += 1;
                }
                next.messages.push(message);
            }
            FetchAction::Finish { generation, millis } if current(generation) => {
                if let Status::Running { done, total } = self.status {
                    next.status = Status::Finished { done, total, millis };
                }
            }
            FetchAction::Cancel(generation) if current(generation) => {
                if let Status::Running { done, total } = self.status {
                    next.status = Status::Cancelled { done, total };
                }
            }
            FetchAction::Refuse(text) => next.messages = vec![Message::Input(text)],
            FetchAction::Progress { .. }
            | FetchAction::Say { .. }
            | FetchAction::Finish { .. }
            | FetchAction::Cancel(_) => return self,
        }
        Rc::new(next)
    }
}

fn now_millis() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Where the walk's events go.
struct Sinks {
    dispatch: UseReducerDispatcher<FetchState>,
    on_fetched: Callback<(Reference, Vec<Fetched>)>,
    on_referrers: Callback<Listing>,
}

/// The walk's events, turned into actions for the panel and documents for the workspace.
fn on_event(event: Event, generation: u64, current: &Rc<RefCell<u64>>, reference: &Reference, sinks: &Sinks) {
    let Sinks {
        dispatch,
        on_fetched,
        on_referrers,
    } = sinks;
    if *current.borrow() != generation {
        return;
    }
    let say = |message| dispatch.dispatch(FetchAction::Say { generation, message });
    match event {
        Event::Progress { done, total } => dispatch.dispatch(FetchAction::Progress {
            generation,
            done,
            total,
        }),
        Event::Documents(documents) => {
            for doc in &documents {
                if doc.verification.trust() == Trust::Mismatch {
                    say(Message::Mismatch {
                        about: if doc.label.is_empty() {
                            reference.to_string()
                        } else {
                            doc.label.clone()
                        },
                        mismatches: doc.verification.mismatches().into_iter().cloned().collect(),
                    });
                }
            }
            on_fetched.emit((reference.clone(), documents));
        }
        Event::Referrers(listing) => on_referrers.emit(listing),
        Event::Problem(Problem::Failed { about, error }) => say(Message::Failed { about, error }),
        Event::Problem(Problem::Skipped(skipped)) => say(Message::Skipped(skipped)),
    }
}

/// What one fetch needs besides the reference: where its results go and how it is tracked.
#[derive(Clone)]
struct Runner {
    sinks: Rc<Sinks>,
    keyring: Keyring,
    /// The generation of the fetch whose results are wanted.
    current: Rc<RefCell<u64>>,
    /// Its cancel handle: replacing it (a new fetch) or taking it (cancel) ends the old walk.
    running: Rc<RefCell<Option<CancelHandle>>>,
}

impl Runner {
    /// Starts the walk (or referrers listing) of `reference` with `settings`.
    fn start(&self, reference: Reference, wanted: Wanted, settings: Settings) {
        let generation = *self.current.borrow() + 1;
        *self.current.borrow_mut() = generation;
        let (handle, cancel) = cancellation();
        *self.running.borrow_mut() = Some(handle);
        self.sinks.dispatch.dispatch(FetchAction::Start {
            generation,
            referrers_only: matches!(wanted, Wanted::Referrers { .. }),
        });
        let runner = self.clone();
        spawn_local(async move {
            let started = now_millis();
            let report = |event| on_event(event, generation, &runner.current, &reference, &runner.sinks);
            let outcome = match &wanted {
                Wanted::Walk => walk(&reference, &settings, &runner.keyring, cancel, &report).await,
                Wanted::Referrers {
                    subject,
                    artifact_type,
                } => {
                    let artifact_type = artifact_type.as_deref();
                    list_referrers(&reference, subject, artifact_type, &settings, cancel, &report).await
                }
            };
            if *runner.current.borrow() == generation {
                runner.running.borrow_mut().take();
            }
            runner.sinks.dispatch.dispatch(match outcome {
                Outcome::Finished => FetchAction::Finish {
                    generation,
                    millis: now_millis() - started,
                },
                Outcome::Cancelled => FetchAction::Cancel(generation),
            });
        });
    }
}

/// The settings of a fetch starting now: the page's connection and the credentials typed.
fn fetch_settings(connection: &ConnectionContext, fields: &SettingsFields) -> Result<Settings, String> {
    let credentials = Credentials::from_fields(
        &field_text(&fields.username),
        &field_text(&fields.password),
        &field_text(&fields.token),
    )
    .map_err(|e| e.to_string())?;
    connection
        .connection
        .settings(credentials)
        .map_err(|e| e.to_string())
}

/// The callback that starts a fetch, and the one that cancels it. A fetch asked for while the
/// page still asks `./proxy/` waits for the answer (the last one asked is kept).
#[hook]
fn use_fetch_runner(
    props: &FetchPanelProps,
    state: &UseReducerHandle<FetchState>,
    fields: &SettingsFields,
) -> (Callback<(Reference, Wanted)>, Callback<()>) {
    let connection = use_connection();
    let current = use_mut_ref(|| 0u64);
    let running = use_mut_ref(|| None::<CancelHandle>);
    let waiting = use_mut_ref(|| None::<(Reference, Wanted)>);
    let runner = Runner {
        sinks: Rc::new(Sinks {
            dispatch: state.dispatcher(),
            on_fetched: props.on_fetched.clone(),
            on_referrers: props.on_referrers.clone(),
        }),
        keyring: props.keyring.clone(),
        current: current.clone(),
        running: running.clone(),
    };
    let run = {
        let (dispatch, fields) = (state.dispatcher(), fields.clone());
        let (connection, waiting) = (connection.clone(), waiting.clone());
        Callback::from(move |(reference, wanted): (Reference, Wanted)| {
            if connection.connection.discovering() {
                *waiting.borrow_mut() = Some((reference, wanted));
                return;
            }
            match fetch_settings(&connection, &fields) {
                Ok(settings) => runner.start(reference, wanted, settings),
                Err(text) => dispatch.dispatch(FetchAction::Refuse(text)),
            }
        })
    };
    {
        let (run, waiting) = (run.clone(), waiting.clone());
        use_effect_with(connection.connection.discovering(), move |discovering| {
            if !*discovering {
                if let Some(asked) = waiting.borrow_mut().take() {
                    run.emit(asked);
                }
            }
        });
    }
    let cancel = {
        let dispatch = state.dispatcher();
        Callback::from(move |()| {
            waiting.borrow_mut().take();
            if let Some(handle) = running.borrow_mut().take() {
                handle.cancel();
            }
            dispatch.dispatch(FetchAction::Cancel(*current.borrow()));
        })
    };
    (run, cancel)
}

/// The references a link pins are fetched one after another, each by the digest seen, as if
/// typed: the next starts when the last one finished (a cancel drops the rest). Returns the
/// queue, which a fetch the user asks for empties.
#[hook]
fn use_refetch_queue(
    refetch: &Refetch,
    state: &FetchState,
    start: &Callback<()>,
    reference_input: &NodeRef,
) -> Rc<RefCell<VecDeque<String>>> {
    let queued = use_mut_ref(VecDeque::<String>::new);
    let fetch_next = {
        let (start, reference_input, queued) = (start.clone(), reference_input.clone(), queued.clone());
        move || {
            let next = queued.borrow_mut().pop_front();
            if let (Some(next), Some(input)) = (next, reference_input.cast::<HtmlInputElement>()) {
                input.set_value(&next);
                start.emit(());
            }
        }
    };
    {
        let (queued, fetch_next) = (queued.clone(), fetch_next.clone());
        use_effect_with(refetch.clone(), move |refetch| {
            *queued.borrow_mut() = refetch
                .pinned
                .iter()
                .filter_map(|p| {
                    Reference::parse(&p.reference)
                        .ok()
                        .map(|r| r.with_digest(&p.digest).to_string())
                })
                .collect();
            fetch_next();
        });
    }
    {
        let queued = queued.clone();
        let ended = match state.status {
            Status::Finished { .. } => Some(true),
            Status::Cancelled { .. } => Some(false),
            Status::Idle | Status::Running { .. } => None,
        };
        use_effect_with((state.generation, ended), move |(_, ended)| match ended {
            Some(true) => fetch_next(),
            Some(false) => queued.borrow_mut().clear(),
            None => {}
        });
    }
    queued
}

#[function_component(FetchPanel)]
pub fn fetch_panel(props: &FetchPanelProps) -> Html {
    let state = use_reducer(|| FetchState {
        generation: 0,
        referrers_only: false,
        status: Status::Idle,
        failed: 0,
        messages: Vec::new(),
    });
    let reference_input = use_node_ref();
    let fields = use_memo((), |_| SettingsFields::default());
    let (run, oncancel) = use_fetch_runner(props, &state, &fields);
    let start = {
        let dispatch = state.dispatcher();
        let (reference_input, run) = (reference_input.clone(), run.clone());
        Callback::from(move |()| match Reference::parse(&field_text(&reference_input)) {
            Ok(reference) => run.emit((reference, Wanted::Walk)),
            Err(e) => dispatch.dispatch(FetchAction::Refuse(e.to_string())),
        })
    };
    {
        // A fetch asked for elsewhere: a walk shows its reference in the box, as if typed.
        let reference_input = reference_input.clone();
        use_effect_with(props.request.clone(), move |request| {
            if let Some(request) = request {
                if request.wanted == Wanted::Walk {
                    if let Some(input) = reference_input.cast::<HtmlInputElement>() {
                        input.set_value(&request.reference.to_string());
                    }
                }
                run.emit((request.reference.clone(), request.wanted.clone()));
            }
        });
    }
    let queued = use_refetch_queue(&props.refetch, &state, &start, &reference_input);
    let onsubmit = {
        let queued = queued.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // A fetch the user asks for replaces what a link still had queued.
            queued.borrow_mut().clear();
            start.emit(());
        })
    };
    let oncancel = {
        let queued = queued.clone();
        oncancel.reform(move |()| queued.borrow_mut().clear())
    };
    {
        let oncancel = oncancel.clone();
        use_effect_with(props.cleared, move |cleared| {
            if *cleared > 0 {
                oncancel.emit(());
            }
        });
    }
    let show_proxy = {
        let fields = fields.clone();
        Callback::from(move |()| {
            if let Some(details) = fields.details.cast::<HtmlDetailsElement>() {
                details.set_open(true);
            }
            if let Some(input) = fields.proxy.cast::<HtmlInputElement>() {
                let _ = input.focus();
            }
        })
    };

    html! {
        <section class="fetch-panel" aria-label="Fetch from a registry">
            <form class="reference-row" {onsubmit}>
                <label for="reference" class="label">{ "Or fetch from a registry" }</label>
                <input id="reference" ref={reference_input} data-testid="reference" type="text" spellcheck="false"
                    autocomplete="off" autocapitalize="off"
                    placeholder="ghcr.io/org/app:1.2, busybox, 127.0.0.1:5000/team/app@sha256:…" />
                <button type="submit" data-testid="fetch">{ "Fetch" }</button>
            </form>
            <ConnectionNote />
            <ConnectionSettings fields={(*fields).clone()} />
            { progress_line(&state, &oncancel) }
            // One element around the messages: a bare list among siblings would shift them, and
            // Yew would rebuild the inputs above (losing what was typed).
            <div class="messages">
                { for state.messages.iter().map(|message| message_view(message, &show_proxy)) }
            </div>
        </section>
    }
}

/// The progress bar and its sentence, with a cancel button while running.
fn progress_line(state: &FetchState, oncancel: &Callback<()>) -> Html {
    let (phase, done, total, text) = match state.status {
        Status::Idle => return html! {},
        Status::Running { done, total } if state.referrers_only => {
            ("running", done, total, "Looking for referrers…".to_owned())
        }
        Status::Finished { done, total, millis } if state.referrers_only => (
            "finished",
            done,
            total,
            format!("Looked for referrers in {millis:.0} ms"),
        ),
        Status::Running { done, total } => ("running", done, total, format!("{done} of {total} fetched…")),
        Status::Finished { done, total, millis } => {
            let fetched = done.saturating_sub(state.failed);
            let failed = match state.failed {
                0 => String::new(),
                n => format!(", {n} failed,"),
            };
            (
                "finished",
                done,
                total,
                format!("{fetched} of {total} fetched{failed} in {millis:.0} ms"),
            )
        }
        Status::Cancelled { done, total } => (
            "cancelled",
            done,
            total,
            format!("Cancelled after {done} of {total}"),
        ),
    };
    let is_running = matches!(state.status, Status::Running { .. });
    html! {
        <p class="progress" data-testid="progress" data-state={phase} data-done={done.to_string()}
            data-total={total.to_string()} aria-live="polite">
            <progress max={total.to_string()} value={done.to_string()} />
            <span>{ text }</span>
            if is_running {
                <button type="button" class="secondary" data-testid="cancel" onclick={oncancel.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
            }
        </p>
    }
}

fn message_view(message: &Message, show_proxy: &Callback<()>) -> Html {
    match message {
        Message::Input(text) => html! {
            <p class="error" role="alert" data-testid="error" data-kind="input">{ text.clone() }</p>
        },
        Message::Failed { about, error } => html! {
            <RegistryErrorView about={about.clone()} error={error.clone()} on_show_proxy={show_proxy.clone()} />
        },
        Message::Mismatch { about, mismatches } => html! {
            <div class="error mismatch" role="alert" data-testid="error" data-kind="mismatch">
                <p><strong>{ format!("{about}: the registry served content that does not match.") }</strong>
                    { " The bytes are shown below as received; do not trust them." }</p>
                <ul>{ for mismatches.iter().map(|m| html! { <li>{ m.to_string() }</li> }) }</ul>
            </div>
        },
        Message::Skipped(skipped) => html! {
            <p class="notice" data-testid="skipped">{ skipped.to_string() }</p>
        },
    }
}
