//! The page side of a set of Web Workers, whatever they are asked: the skeleton the analysis
//! client (one worker) and the layer pool (two) share. Workers are started for queued jobs up
//! to a limit, each takes one job at a time once it said it is ready, and a worker that fails
//! to load or stops is removed (its job and, if it never loaded, the queue are the caller's to
//! fail). Jobs are numbered here; each job's listener is kept until its last event.
//!
//! What differs stays with each client: its protocol (the command, what rides beside it, the
//! events), when a job may start (a layer job's token renewal), what a lost worker's queue
//! hears. Every listener is called outside any borrow of the client's state, after the call
//! that asked has returned ([`later`]), so a listener may ask again.

use super::worker_message;
use js_sys::{Array, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::VecDeque;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};
use yew::Callback;

/// A started worker, as the page holds it.
pub struct Slot {
    /// Unique among the workers of one client (never reused), so the events of a worker given
    /// up on are ignored.
    pub id: u32,
    worker: Worker,
    /// It said it is loaded and listening (commands sent before would be lost).
    pub ready: bool,
    /// The job it works on.
    pub job: Option<u32>,
    // Kept alive as long as the worker: the browser calls them.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Slot {
    /// Starts the worker that `script` loads. Its events go to `on_event`; its `error` event
    /// (it could not load, or it stopped) to `on_lost` with what the browser said.
    /// `cannot_start` is the sentence when the browser refuses to start a worker.
    fn spawn<E: DeserializeOwned + 'static>(
        id: u32,
        script: &str,
        cannot_start: &str,
        on_event: impl Fn(E) + 'static,
        on_lost: impl Fn(String) + 'static,
    ) -> Result<Slot, String> {
        let worker = Worker::new(script).map_err(|_| cannot_start.to_owned())?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(event) = worker_message::read_event::<E>(&event) {
                on_event(event);
            }
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            // Named to the user by `on_lost`; not reported again as an error of the page.
            event.prevent_default();
            on_lost(worker_message::error_detail(&event));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Slot {
            id,
            worker,
            ready: false,
            job: None,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Posts `command` (a [`worker_message::command_object`]) with the `beside` properties,
    /// transferring the buffers in `transfer`. False when the browser refused it.
    pub fn post<C: Serialize>(&self, command: &C, beside: &[(&str, &JsValue)], transfer: &Array) -> bool {
        let Some(message) = worker_message::command_object(command) else {
            return false;
        };
        for (name, value) in beside {
            let _ = Reflect::set(&message, &JsValue::from_str(name), value);
        }
        self.worker.post_message_with_transfer(&message, transfer).is_ok()
    }
}

/// What a client's workers need to start: the script and the words for their failures.
pub struct Kind {
    /// Loads the worker's JavaScript and WebAssembly (written next to `index.html`).
    pub script: &'static str,
    /// At most this many workers at once.
    pub max_workers: usize,
    /// The sentence when the browser cannot start a worker.
    pub cannot_start: &'static str,
}

/// A client's workers, the jobs waiting for them, and the jobs' listeners. `Q` is a queued job
/// (its id is [`Queued::id`]), `T` what its listener hears.
pub struct Workers<Q, T> {
    pub slots: Vec<Slot>,
    pub queue: VecDeque<Q>,
    listeners: Vec<(u32, Callback<T>)>,
    next_job: u32,
    next_slot: u32,
}

/// A job in the queue.
pub trait Queued {
    fn id(&self) -> u32;
}

impl<Q, T> Default for Workers<Q, T> {
    fn default() -> Self {
        Workers {
            slots: Vec::new(),
            queue: VecDeque::new(),
            listeners: Vec::new(),
            next_job: 0,
            next_slot: 0,
        }
    }
}

impl<Q: Queued, T: 'static> Workers<Q, T> {
    /// Queues the job `make` builds with its new id; `listener` hears of it. Returns the id.
    pub fn enqueue(&mut self, make: impl FnOnce(u32) -> Q, listener: Callback<T>) -> u32 {
        self.next_job += 1;
        let id = self.next_job;
        self.queue.push_back(make(id));
        self.listeners.push((id, listener));
        id
    }

    /// Starts workers so that every queued job has one (a worker still loading counts: it takes
    /// a job as soon as it is ready), up to the limit. `on_event` and `on_lost` are the client's,
    /// called with the new worker's slot id. On failure the sentence saying why.
    pub fn start_for_queue<E: DeserializeOwned + 'static>(
        &mut self,
        kind: &Kind,
        on_event: fn(u32, E),
        on_lost: fn(u32, String),
    ) -> Result<(), String> {
        let available = self.slots.iter().filter(|s| s.job.is_none()).count();
        let wanted = self
            .queue
            .len()
            .saturating_sub(available)
            .min(kind.max_workers.saturating_sub(self.slots.len()));
        for _ in 0..wanted {
            self.start(kind, on_event, on_lost)?;
        }
        Ok(())
    }

    /// Starts one more worker (for warming up, with nothing queued); returns its slot id.
    pub fn start<E: DeserializeOwned + 'static>(
        &mut self,
        kind: &Kind,
        on_event: fn(u32, E),
        on_lost: fn(u32, String),
    ) -> Result<u32, String> {
        self.next_slot += 1;
        let id = self.next_slot;
        let slot = Slot::spawn(
            id,
            kind.script,
            kind.cannot_start,
            move |event| on_event(id, event),
            move |detail| on_lost(id, detail),
        )?;
        self.slots.push(slot);
        Ok(id)
    }

    /// The next queued job and a ready, idle worker for it (not yet marked busy), if both exist.
    pub fn next_assignment(&mut self) -> Option<(usize, Q)> {
        let index = self.slots.iter().position(|s| s.ready && s.job.is_none())?;
        let job = self.queue.pop_front()?;
        Some((index, job))
    }

    pub fn slot_mut(&mut self, id: u32) -> Option<&mut Slot> {
        self.slots.iter_mut().find(|s| s.id == id)
    }

    /// The worker running job `job`.
    pub fn running(&self, job: u32) -> Option<&Slot> {
        self.slots.iter().find(|s| s.job == Some(job))
    }

    /// Drops job `id` from the queue; true if it was there.
    pub fn unqueue(&mut self, id: u32) -> bool {
        let before = self.queue.len();
        self.queue.retain(|q| q.id() != id);
        self.queue.len() < before
    }

    /// Removes and stops worker `slot`: the job it held, and whether it had said it was ready.
    /// `None` when it was removed before.
    pub fn remove(&mut self, slot: u32) -> Option<(Option<u32>, bool)> {
        let index = self.slots.iter().position(|s| s.id == slot)?;
        let gone = self.slots.remove(index);
        gone.worker.terminate();
        Some((gone.job, gone.ready))
    }

    /// Job `id`'s listener, kept for its next events.
    pub fn listener(&self, id: u32) -> Option<Callback<T>> {
        self.listeners
            .iter()
            .find(|(job, _)| *job == id)
            .map(|(_, l)| l.clone())
    }

    /// Job `id`'s listener, forgotten: the job is over (or no longer wanted).
    pub fn take_listener(&mut self, id: u32) -> Option<Callback<T>> {
        let index = self.listeners.iter().position(|(job, _)| *job == id)?;
        Some(self.listeners.remove(index).1)
    }

    /// Empties the queue: each job's listener, for the caller to tell why.
    pub fn drain_queue(&mut self) -> Vec<(u32, Callback<T>)> {
        let ids: Vec<u32> = self.queue.drain(..).map(|q| q.id()).collect();
        ids.into_iter()
            .filter_map(|id| self.take_listener(id).map(|l| (id, l)))
            .collect()
    }
}

/// Runs `f` after the caller has returned (a listener never hears of its job inside the call
/// that asked), outside any borrow the caller holds.
pub fn later(f: impl FnOnce() + 'static) {
    wasm_bindgen_futures::spawn_local(async move { f() });
}

/// Runs `f` once after `ms` milliseconds (the page's timer; nothing happens without a window).
pub fn after(ms: i32, f: impl FnOnce() + 'static) {
    let callback = Closure::once_into_js(f);
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), ms);
    }
}
