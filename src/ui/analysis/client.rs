//! The page side of the analysis worker: one worker, started on the first question, asked one
//! command at a time. A question asked again before its answer came replaces the old one (the
//! hooks cancel on every change), so typing never queues up stale comparisons.
//!
//! Every question ends in an answer or a sentence: the worker failing to load (it must say it is
//! ready within [`READY_TIMEOUT_MS`]), or stopping, fails what it held, and the next question
//! starts a new worker. The skeleton (start, hand out, lose) is `ui::worker_client`'s.
//!
//! A running "Why?" ([`Task::CompareLayers`]) that is no longer wanted stops its worker (see
//! [`cancel`]): it may download two large blobs for minutes, and the one worker would otherwise
//! keep every later question waiting behind an answer nobody reads.

use super::protocol::{Answer, Command, Event, Task, BYTES};
use crate::ui::state::LoadedDocument;
use crate::ui::worker_client::{after, later, Kind, Queued, Slot, Workers};
use js_sys::{Array, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::Callback;

/// Copied from static/ next to `index.html`: loads `analysis_worker.js` and
/// `analysis_worker_bg.wasm` (built by Trunk, `data-type="worker"` in index.html) inside the worker.
const KIND: Kind = Kind {
    script: "./analysis_worker_loader.js",
    max_workers: 1,
    cannot_start: "This browser could not start the worker that compares documents.",
};

/// How long a starting worker may take to say it is ready before the page gives up on it.
pub const READY_TIMEOUT_MS: i32 = 15_000;

pub type Listener = Callback<Result<Answer, String>>;

struct Asked {
    command: Command,
    documents: Vec<Rc<[u8]>>,
}

impl Queued for Asked {
    fn id(&self) -> u32 {
        self.command.id
    }
}

thread_local! {
    static CLIENT: RefCell<Workers<Asked, Result<Answer, String>>> = RefCell::new(Workers::default());
    /// The last [`Task::CompareLayers`] handed to the worker: if it is still running when
    /// cancelled, the worker is stopped rather than waited for.
    static STREAMING: Cell<Option<u32>> = const { Cell::new(None) };
}

/// Asks the worker `task` about `documents` (their bytes and origins); `listener`
/// hears the answer, or why there is none. Returns the question's id, for [`cancel`].
pub fn ask(task: Task, documents: &[&LoadedDocument], listener: Listener) -> u32 {
    let id = CLIENT.with(|client| {
        client.borrow_mut().enqueue(
            |id| Asked {
                command: Command {
                    id,
                    task,
                    origins: documents.iter().map(|d| d.origin().clone()).collect(),
                },
                documents: documents.iter().map(|d| d.shared_bytes()).collect(),
            },
            listener,
        )
    });
    pump();
    id
}

/// The answer to `id` is no longer wanted: a queued question is dropped, a running one's answer
/// is ignored — except a running "Why?", whose worker is terminated: the next question (or the
/// fresh worker started here to stay warm) runs at once instead of waiting for two downloads.
///
/// Terminating is preferred to a cancel message the worker would honour: it frees the worker at
/// once whatever it is doing (a blob the page holds is read in one synchronous loop that would
/// see no message until done; a download may wait on a silent registry), and leaves no state in
/// the worker to keep consistent. Other questions are answered in moments and are left to finish,
/// so typing never restarts the worker (which loading again costs, and which would fail offline).
pub fn cancel(id: u32) {
    let stopped = CLIENT.with(|client| {
        let mut client = client.borrow_mut();
        client.unqueue(id);
        client.take_listener(id);
        let streaming = STREAMING.with(|s| s.get() == Some(id));
        let slot = client.running(id).filter(|_| streaming).map(|s| s.id);
        slot.and_then(|slot| client.remove(slot)).is_some()
    });
    if stopped {
        pump();
        keep_warm();
    }
}

/// The question's command, with the documents' bytes beside it (their buffers transferred).
fn send(slot: &Slot, asked: &Asked) -> bool {
    let bytes = Array::new();
    let transfer = Array::new();
    for document in &asked.documents {
        let copy = Uint8Array::from(&document[..]);
        transfer.push(&copy.buffer());
        bytes.push(&copy);
    }
    slot.post(&asked.command, &[(BYTES, &bytes)], &transfer)
}

/// Starts the worker if a question waits for it, and hands the next question to a ready, idle one.
fn pump() {
    let mut failed = Vec::new();
    CLIENT.with(|client| {
        let mut client = client.borrow_mut();
        if let Err(message) = start(&mut client) {
            failed.extend(
                client
                    .drain_queue()
                    .into_iter()
                    .map(|(_, l)| (l, message.clone())),
            );
            return;
        }
        let Some((index, next)) = client.next_assignment() else {
            return;
        };
        let id = next.command.id;
        let sent = client.slots.get(index).is_some_and(|slot| send(slot, &next));
        let streaming = matches!(next.command.task, Task::CompareLayers { .. });
        match client.slots.get_mut(index) {
            Some(slot) if sent => {
                slot.job = Some(id);
                if streaming {
                    STREAMING.with(|s| s.set(Some(id)));
                }
            }
            _ => failed.extend(client.take_listener(id).map(|l| {
                (
                    l,
                    "The page could not hand the documents to its worker.".to_owned(),
                )
            })),
        }
    });
    for (listener, message) in failed {
        later(move || listener.emit(Err(message)));
    }
}

/// Starts a worker for the queue unless one is running, and gives it [`READY_TIMEOUT_MS`] to
/// say it is ready.
fn start(client: &mut Workers<Asked, Result<Answer, String>>) -> Result<(), String> {
    let before = client.slots.len();
    client.start_for_queue(&KIND, on_event, on_error)?;
    if let Some(slot) = client.slots.get(before).map(|s| s.id) {
        watch_loading(slot);
    }
    Ok(())
}

/// Fails worker `slot` if it has not said it is ready after [`READY_TIMEOUT_MS`].
fn watch_loading(slot: u32) {
    after(READY_TIMEOUT_MS, move || {
        let loading = CLIENT.with(|c| c.borrow_mut().slot_mut(slot).is_some_and(|s| !s.ready));
        if loading {
            lose(
                slot,
                "The worker that compares documents did not load: reload the page to try again.".into(),
            );
        }
    });
}

/// How long after the page starts the worker is loaded without a question.
const WARM_UP_MS: i32 = 2_000;

/// Loads the worker soon after the page starts, while the network is surely there, so comparing
/// still works if the page later goes offline (the page itself needs nothing more once loaded).
/// A failure here is silent: the first question starts a new worker and says what went wrong.
pub fn warm_up_soon() {
    after(WARM_UP_MS, keep_warm);
}

/// Starts a worker unless one is there (loading or loaded), without a question for it.
fn keep_warm() {
    let started = CLIENT.with(|client| {
        let mut client = client.borrow_mut();
        if client.slots.is_empty() {
            client.start(&KIND, on_event, on_error).ok()
        } else {
            None
        }
    });
    if let Some(slot) = started {
        watch_loading(slot);
    }
}

fn on_event(slot: u32, event: Event) {
    let (id, result) = match event {
        Event::NotLoaded { detail } => {
            let message = format!("The worker that compares documents did not load ({detail})");
            return lose(slot, format!("{message}: reload the page to try again."));
        }
        Event::Ready => {
            CLIENT.with(|c| {
                if let Some(s) = c.borrow_mut().slot_mut(slot) {
                    s.ready = true;
                }
            });
            return pump();
        }
        Event::Done { id, answer } => (id, Ok(answer)),
        Event::Failed { id, message } => (id, Err(message)),
    };
    let listener = CLIENT.with(|client| {
        let mut client = client.borrow_mut();
        let s = client.slot_mut(slot).filter(|s| s.job == Some(id))?;
        s.job = None;
        client.take_listener(id)
    });
    if let Some(listener) = listener {
        listener.emit(result);
    }
    pump();
}

/// The worker's `error` event: it could not load, or it stopped.
fn on_error(slot: u32, detail: String) {
    lose(
        slot,
        format!("The worker that compares documents stopped ({detail})."),
    );
}

/// The worker failed to load or stopped: what it held and what waited for it fail with
/// `message`; the next question starts a new worker.
fn lose(slot: u32, message: String) {
    let failed: Vec<Listener> = CLIENT.with(|client| {
        let mut client = client.borrow_mut();
        let Some((job, _)) = client.remove(slot) else {
            return Vec::new();
        };
        let held = job.and_then(|id| client.take_listener(id));
        let waiting = client.drain_queue().into_iter().map(|(_, l)| l);
        held.into_iter().chain(waiting).collect()
    });
    for listener in failed {
        listener.emit(Err(message.clone()));
    }
}
