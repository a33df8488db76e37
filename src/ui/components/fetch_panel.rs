//! The reference box: names an image, fetches it from its registry (through `registry::walk`),
//! shows progress with a cancel button and every problem as its own message, and hands the
//! fetched documents and referrer listings to the workspace. Other parts of the page ask it for
//! fetches too ([`FetchRequest`]: opening a referrer, looking for referrers), so every request
//! goes out with the settings and credentials typed here.
//!
//! Credentials are read from their fields when a fetch starts and live in that fetch, and in the
//! page's memory (the [`Keyring`]) for the layer downloads of the image it fetched; the CORS
//! proxy prefix is the one setting kept in local storage (never in a permalink).

use super::registry_error::RegistryErrorView;
use crate::core::digest::Digest;
use crate::core::distribution::auth::Credentials;
use crate::core::distribution::error::RegistryError;
use crate::core::distribution::proxy_prefix;
use crate::core::distribution::referrers::Listing;
use crate::core::distribution::verify::{Mismatch, Trust};
use crate::core::distribution::walk::Skipped;
use crate::core::reference::Reference;
use crate::registry::{
    cancellation, list_referrers, walk, CancelHandle, Event, Fetched, Keyring, Outcome, Problem, Settings,
};
use crate::ui::permalink_sync::Refetch;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlDetailsElement, HtmlInputElement};
use yew::prelude::*;

/// Local storage key of the CORS proxy prefix.
const PROXY_KEY: &str = "digestlens.corsProxy";
/// Per request; a registry that says nothing for this long is reported as not answering.
const DEFAULT_TIMEOUT_SECONDS: u64 = 30;
const MAX_TIMEOUT_SECONDS: u64 = 600;

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

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn now_millis() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn input_value(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// The settings for a registry no fetch has reached (the layers of a pasted manifest): the
/// stored proxy prefix, the default timeout, no credentials.
pub fn unfetched_settings() -> Result<Settings, RegistryError> {
    let stored = storage()
        .and_then(|s| s.get_item(PROXY_KEY).ok().flatten())
        .unwrap_or_default();
    Ok(Settings {
        proxy: proxy_prefix(&stored)?.map(str::to_owned),
        credentials: None,
        timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECONDS),
        page_origin: page_origin(),
    })
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
    let username = use_node_ref();
    let password = use_node_ref();
    let token = use_node_ref();
    let timeout = use_node_ref();
    let settings = use_node_ref();
    let proxy_input = use_node_ref();
    let proxy = use_state(|| {
        storage()
            .and_then(|s| s.get_item(PROXY_KEY).ok().flatten())
            .unwrap_or_default()
    });
    // The generation of the fetch whose results are wanted, and its cancel handle: replacing
    // the handle (a new fetch) or taking it (cancel) ends the old walk.
    let current = use_mut_ref(|| 0u64);
    let running = use_mut_ref(|| None::<CancelHandle>);

    let run = {
        let dispatch = state.dispatcher();
        let on_fetched = props.on_fetched.clone();
        let on_referrers = props.on_referrers.clone();
        let (username, password, token, timeout) =
            (username.clone(), password.clone(), token.clone(), timeout.clone());
        let proxy = proxy.clone();
        let keyring = props.keyring.clone();
        let (current, running) = (current.clone(), running.clone());
        Callback::from(move |(reference, wanted): (Reference, Wanted)| {
            let proxy = match proxy_prefix(&proxy) {
                Ok(proxy) => proxy.map(str::to_owned),
                Err(e) => return dispatch.dispatch(FetchAction::Refuse(e.to_string())),
            };
            let credentials = match Credentials::from_fields(
                &input_value(&username),
                &input_value(&password),
                &input_value(&token),
            ) {
                Ok(credentials) => credentials,
                Err(e) => return dispatch.dispatch(FetchAction::Refuse(e.to_string())),
            };
            let seconds = input_value(&timeout)
                .trim()
                .parse::<u64>()
                .map_or(DEFAULT_TIMEOUT_SECONDS, |s| s.clamp(1, MAX_TIMEOUT_SECONDS));
            let settings = Settings {
                proxy,
                credentials,
                timeout: Duration::from_secs(seconds),
                page_origin: page_origin(),
            };
            let generation = *current.borrow() + 1;
            *current.borrow_mut() = generation;
            let (handle, cancel) = cancellation();
            *running.borrow_mut() = Some(handle);
            dispatch.dispatch(FetchAction::Start {
                generation,
                referrers_only: matches!(wanted, Wanted::Referrers { .. }),
            });

            let sinks = Sinks {
                dispatch: dispatch.clone(),
                on_fetched: on_fetched.clone(),
                on_referrers: on_referrers.clone(),
            };
            let (current, running, keyring) = (current.clone(), running.clone(), keyring.clone());
            spawn_local(async move {
                let started = now_millis();
                let report = |event| on_event(event, generation, &current, &reference, &sinks);
                let outcome = match &wanted {
                    Wanted::Walk => walk(&reference, &settings, &keyring, cancel, &report).await,
                    Wanted::Referrers {
                        subject,
                        artifact_type,
                    } => {
                        list_referrers(
                            &reference,
                            subject,
                            artifact_type.as_deref(),
                            &settings,
                            cancel,
                            &report,
                        )
                        .await
                    }
                };
                if *current.borrow() == generation {
                    running.borrow_mut().take();
                }
                match outcome {
                    Outcome::Finished => sinks.dispatch.dispatch(FetchAction::Finish {
                        generation,
                        millis: now_millis() - started,
                    }),
                    Outcome::Cancelled => sinks.dispatch.dispatch(FetchAction::Cancel(generation)),
                }
            });
        })
    };
    let start = {
        let dispatch = state.dispatcher();
        let (reference_input, run) = (reference_input.clone(), run.clone());
        Callback::from(move |()| match Reference::parse(&input_value(&reference_input)) {
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

    // The references a link pins are fetched one after another, each by the digest seen, as if
    // typed: the next starts when the last one finished (a cancel drops the rest).
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
        use_effect_with(props.refetch.clone(), move |refetch| {
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
    let onsubmit = {
        let (start, queued) = (start.clone(), queued.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // A fetch the user asks for replaces what a link still had queued.
            queued.borrow_mut().clear();
            start.emit(());
        })
    };
    let oncancel = {
        let dispatch = state.dispatcher();
        let (current, running, queued) = (current.clone(), running.clone(), queued.clone());
        Callback::from(move |()| {
            queued.borrow_mut().clear();
            if let Some(handle) = running.borrow_mut().take() {
                handle.cancel();
            }
            dispatch.dispatch(FetchAction::Cancel(*current.borrow()));
        })
    };
    {
        let oncancel = oncancel.clone();
        use_effect_with(props.cleared, move |cleared| {
            if *cleared > 0 {
                oncancel.emit(());
            }
        });
    }
    let onproxy = {
        let proxy = proxy.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                let value = input.value();
                if let Some(storage) = storage() {
                    let _ = if value.trim().is_empty() {
                        storage.remove_item(PROXY_KEY)
                    } else {
                        storage.set_item(PROXY_KEY, &value)
                    };
                }
                proxy.set(value);
            }
        })
    };
    let show_proxy = {
        let (settings, proxy_input) = (settings.clone(), proxy_input.clone());
        Callback::from(move |()| {
            if let Some(details) = settings.cast::<HtmlDetailsElement>() {
                details.set_open(true);
            }
            if let Some(input) = proxy_input.cast::<HtmlInputElement>() {
                let _ = input.focus();
            }
        })
    };

    let progress = match state.status {
        Status::Idle => None,
        Status::Running { done, total } if state.referrers_only => {
            Some(("running", done, total, "Looking for referrers…".to_owned()))
        }
        Status::Finished { done, total, millis } if state.referrers_only => Some((
            "finished",
            done,
            total,
            format!("Looked for referrers in {millis:.0} ms"),
        )),
        Status::Running { done, total } => {
            Some(("running", done, total, format!("{done} of {total} fetched…")))
        }
        Status::Finished { done, total, millis } => {
            let fetched = done.saturating_sub(state.failed);
            let failed = match state.failed {
                0 => String::new(),
                n => format!(", {n} failed,"),
            };
            Some((
                "finished",
                done,
                total,
                format!("{fetched} of {total} fetched{failed} in {millis:.0} ms"),
            ))
        }
        Status::Cancelled { done, total } => Some((
            "cancelled",
            done,
            total,
            format!("Cancelled after {done} of {total}"),
        )),
    };
    let is_running = matches!(state.status, Status::Running { .. });

    html! {
        <section class="fetch-panel" aria-label="Fetch from a registry">
            <form class="reference-row" {onsubmit}>
                <label for="reference" class="label">{ "Or fetch from a registry" }</label>
                <input id="reference" ref={reference_input} data-testid="reference" type="text" spellcheck="false"
                    autocomplete="off" autocapitalize="off"
                    placeholder="ghcr.io/org/app:1.2, busybox, 127.0.0.1:5000/team/app@sha256:…" />
                <button type="submit" data-testid="fetch">{ "Fetch" }</button>
            </form>
            <details class="fetch-settings" ref={settings}>
                <summary>{ "Credentials and connection" }</summary>
                <fieldset>
                    <legend>{ "Credentials for a private registry (kept in this page's memory for this fetch and its layer downloads only, never stored)" }</legend>
                    <label>{ "User name " }<input ref={username} data-testid="username" type="text" autocomplete="off" /></label>
                    <label>{ "Password " }<input ref={password} data-testid="password" type="password" autocomplete="off" /></label>
                    <label>{ "or token " }<input ref={token} data-testid="token" type="password" autocomplete="off" /></label>
                </fieldset>
                <label>
                    { "CORS proxy prefix " }
                    <input ref={proxy_input} data-testid="proxy" type="url" value={(*proxy).clone()} oninput={onproxy}
                        placeholder="https://proxy.example/" autocomplete="off" />
                    <span class="muted">{ " The registry URL is appended to it; every request (and any token) then passes through that proxy. Kept in this browser's storage." }</span>
                </label>
                <label>
                    { "Give up on a request after " }
                    <input ref={timeout} data-testid="timeout" type="number" min="1" max={MAX_TIMEOUT_SECONDS.to_string()}
                        value={DEFAULT_TIMEOUT_SECONDS.to_string()} />
                    { " seconds" }
                </label>
            </details>
            if let Some((phase, done, total, text)) = progress {
                <p class="progress" data-testid="progress" data-state={phase} data-done={done.to_string()}
                    data-total={total.to_string()} aria-live="polite">
                    <progress max={total.to_string()} value={done.to_string()} />
                    <span>{ text }</span>
                    if is_running {
                        <button type="button" class="secondary" data-testid="cancel" onclick={oncancel.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                    }
                </p>
            }
            // One element around the messages: a bare list among siblings would shift them, and
            // Yew would rebuild the inputs above (losing what was typed).
            <div class="messages">
                { for state.messages.iter().map(|message| match message {
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
                }) }
            </div>
        </section>
    }
}
