//! The page side of the analysis worker: one worker, started on the first question, asked one
//! command at a time. A question asked again before its answer came replaces the old one (the
//! hooks cancel on every change), so typing never queues up stale comparisons.
//!
//! Every question ends in an answer or a sentence: the worker failing to load (it must say it is
//! ready within [`READY_TIMEOUT_MS`]), or stopping, fails what it held, and the next question
//! starts a new worker.

use super::protocol::{Answer, Command, Event, Task, BYTES};
use crate::ui::state::LoadedDocument;
use crate::ui::worker_message;
use js_sys::{Array, Reflect, Uint8Array};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};
use yew::Callback;

/// Copied from static/ next to `index.html`: loads `analysis_worker.js` and
/// `analysis_worker_bg.wasm` (built by Trunk, `data-type="worker"` in index.html) inside the worker.
const WORKER_SCRIPT: &str = "./analysis_worker_loader.js";

/// How long a starting worker may take to say it is ready before the page gives up on it.
pub const READY_TIMEOUT_MS: i32 = 15_000;

pub type Listener = Callback<Result<Answer, String>>;

struct Asked {
    command: Command,
    documents: Vec<Rc<[u8]>>,
    listener: Listener,
}

struct Running {
    worker: Worker,
    ready: bool,
    // Kept alive as long as the worker: the browser calls them.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

#[derive(Default)]
struct Client {
    /// Bumped for each worker started, so events of a worker given up on are ignored.
    generation: u32,
    worker: Option<Running>,
    queue: VecDeque<Asked>,
    /// The command the worker is working on.
    busy: Option<(u32, Listener)>,
    next_id: u32,
}

thread_local! {
    static CLIENT: RefCell<Client> = RefCell::new(Client::default());
}

/// Asks the worker `task` about `documents` (their bytes and origins); `listener`
/// hears the answer, or why there is none. Returns the question's id, for [`cancel`].
pub fn ask(task: Task, documents: &[&LoadedDocument], listener: Listener) -> u32 {
    let id = CLIENT.with(|client| {
        let mut client = client.borrow_mut();
        client.next_id += 1;
        let id = client.next_id;
        client.queue.push_back(Asked {
            command: Command {
                id,
                task,
                origins: documents.iter().map(|d| d.origin().clone()).collect(),
            },
            documents: documents.iter().map(|d| d.shared_bytes()).collect(),
            listener,
        });
        id
    });
    pump();
    id
}

/// The answer to `id` is no longer wanted: a queued question is dropped, a running one's answer
/// is ignored.
pub fn cancel(id: u32) {
    CLIENT.with(|client| {
        let mut client = client.borrow_mut();
        client.queue.retain(|a| a.command.id != id);
        if let Some((busy, listener)) = &mut client.busy {
            if *busy == id {
                *listener = Callback::noop();
            }
        }
    });
}

fn send(worker: &Worker, asked: &Asked) -> bool {
    let Some(message) = worker_message::command_object(&asked.command) else {
        return false;
    };
    let bytes = Array::new();
    let transfer = Array::new();
    for document in &asked.documents {
        let copy = Uint8Array::from(&document[..]);
        transfer.push(&copy.buffer());
        bytes.push(&copy);
    }
    let _ = Reflect::set(&message, &JsValue::from_str(BYTES), &bytes);
    worker.post_message_with_transfer(&message, &transfer).is_ok()
}

/// Starts the worker if a question waits for it, and hands the next question to a ready, idle one.
fn pump() {
    let mut failed = Vec::new();
    CLIENT.with(|client| {
        let mut client = client.borrow_mut();
        if client.queue.is_empty() {
            return;
        }
        if let Err(message) = start(&mut client) {
            failed.extend(client.queue.drain(..).map(|a| (a.listener, message.clone())));
            return;
        }
        let idle = client.busy.is_none() && client.worker.as_ref().is_some_and(|w| w.ready);
        if !idle {
            return;
        }
        let Some(next) = client.queue.pop_front() else {
            return;
        };
        let sent = client.worker.as_ref().is_some_and(|w| send(&w.worker, &next));
        if sent {
            client.busy = Some((next.command.id, next.listener));
        } else {
            failed.push((
                next.listener,
                "The page could not hand the documents to its worker.".into(),
            ));
        }
    });
    for (listener, message) in failed {
        deliver_later(listener, Err(message));
    }
}

/// Starts a worker unless one is running.
fn start(client: &mut Client) -> Result<(), String> {
    if client.worker.is_none() {
        client.generation += 1;
        client.worker = Some(spawn(client.generation)?);
    }
    Ok(())
}

/// How long after the page starts the worker is loaded without a question.
const WARM_UP_MS: i32 = 2_000;

/// Loads the worker soon after the page starts, while the network is surely there, so comparing
/// still works if the page later goes offline (the page itself needs nothing more once loaded).
/// A failure here is silent: the first question starts a new worker and says what went wrong.
pub fn warm_up_soon() {
    let warm_up = Closure::once_into_js(|| {
        CLIENT.with(|client| {
            let _ = start(&mut client.borrow_mut());
        });
    });
    if let Some(window) = web_sys::window() {
        let _ =
            window.set_timeout_with_callback_and_timeout_and_arguments_0(warm_up.unchecked_ref(), WARM_UP_MS);
    }
}

fn spawn(generation: u32) -> Result<Running, String> {
    let worker = Worker::new(WORKER_SCRIPT)
        .map_err(|_| "This browser could not start the worker that compares documents.".to_owned())?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if let Some(event) = worker_message::read_event::<Event>(&event) {
            on_event(generation, event);
        }
    });
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        event.prevent_default();
        let detail = worker_message::error_detail(&event);
        lose(
            generation,
            format!("The worker that compares documents stopped ({detail})."),
        );
    });
    // Called once by the timer, whatever became of the worker: it frees itself then.
    let timeout = Closure::once_into_js(move || {
        let ready = CLIENT.with(|c| {
            let c = c.borrow();
            c.generation != generation || c.worker.as_ref().is_none_or(|w| w.ready)
        });
        if !ready {
            lose(
                generation,
                "The worker that compares documents did not load: reload the page to try again.".into(),
            );
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(timeout.unchecked_ref(), READY_TIMEOUT_MS);
    }
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Running {
        worker,
        ready: false,
        _on_message: on_message,
        _on_error: on_error,
    })
}

fn on_event(generation: u32, event: Event) {
    if let Event::NotLoaded { detail } = &event {
        lose(
            generation,
            format!(
                "The worker that compares documents did not load ({detail}): reload the page to try again."
            ),
        );
        return;
    }
    let done = CLIENT.with(|client| {
        let mut client = client.borrow_mut();
        if client.generation != generation {
            return None;
        }
        match event {
            Event::Ready => {
                if let Some(w) = client.worker.as_mut() {
                    w.ready = true;
                }
                None
            }
            Event::Done { id, answer } => take_busy(&mut client, id).map(|l| (l, Ok(answer))),
            Event::Failed { id, message } => take_busy(&mut client, id).map(|l| (l, Err(message))),
            Event::NotLoaded { .. } => None,
        }
    });
    if let Some((listener, result)) = done {
        listener.emit(result);
    }
    pump();
}

fn take_busy(client: &mut Client, id: u32) -> Option<Listener> {
    match client.busy.take() {
        Some((busy, listener)) if busy == id => Some(listener),
        other => {
            client.busy = other;
            None
        }
    }
}

/// The worker failed to load or stopped: what it held and what waited for it fail with
/// `message`; the next question starts a new worker.
fn lose(generation: u32, message: String) {
    let failed: Vec<Listener> = CLIENT.with(|client| {
        let mut client = client.borrow_mut();
        if client.generation != generation {
            return Vec::new();
        }
        if let Some(gone) = client.worker.take() {
            gone.worker.terminate();
        }
        let busy = client.busy.take().map(|(_, l)| l);
        busy.into_iter()
            .chain(client.queue.drain(..).map(|a| a.listener))
            .collect()
    });
    for listener in failed {
        listener.emit(Err(message.clone()));
    }
}

/// Delivers after the caller returned, so a listener never hears of its question inside [`ask`].
fn deliver_later(listener: Listener, result: Result<Answer, String>) {
    wasm_bindgen_futures::spawn_local(async move { listener.emit(result) });
}
