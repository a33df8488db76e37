//! The page side of the layer workers: at most [`MAX_WORKERS`] workers, started on first use,
//! a queue of jobs, and one listener per job.
//!
//! Several layers are verified at once, up to the limit: each worker runs one job at a time, so
//! two large layers use two cores while the page's own thread stays free.
//!
//! A registry job may wait in the queue for many minutes behind large layers, longer than the
//! pull token it was queued with lives. So its access is renewed when a worker is free for it
//! (its [`Renewal`]), not when it was queued.

use super::protocol::{Command, Event, Job, Origin, RegistryBlob, FILE};
use crate::core::layer::{Decoding, LayerClaim};
use crate::ui::worker_message;
use futures::future::LocalBoxFuture;
use js_sys::Reflect;
use std::cell::RefCell;
use std::collections::VecDeque;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, MessageEvent, Worker};
use yew::Callback;

/// Layers verified at the same time. Each one keeps a core busy; more would only slow the page.
pub const MAX_WORKERS: usize = 2;

/// Written by Trunk next to `index.html` (`data-type="worker" data-loader-shim` in index.html):
/// loads `worker.js` and `worker_bg.wasm` inside the worker.
const WORKER_SCRIPT: &str = "./worker_loader.js";

/// What to read.
pub enum BlobSource {
    File(File),
    Registry(RegistryBlob, Option<Renewal>),
}

/// How a registry job gets a new `Authorization` when its token is due for renewal by the time
/// a worker is free for it.
pub struct Renewal {
    /// `Date.now()` from which the job's token is to be renewed before the job starts.
    pub at: f64,
    /// The job's blob with fresh access, or a sentence saying why there is none.
    pub renew: Box<dyn FnOnce() -> LocalBoxFuture<'static, Result<RegistryBlob, String>>>,
}

struct Slot {
    id: u32,
    worker: Worker,
    ready: bool,
    job: Option<u32>,
    // Kept alive as long as the worker: the browser calls them.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

struct Queued {
    job: Job,
    file: Option<File>,
    renewal: Option<Renewal>,
}

#[derive(Default)]
struct Pool {
    slots: Vec<Slot>,
    queue: VecDeque<Queued>,
    /// Jobs holding a worker while their access is renewed.
    renewing: Vec<u32>,
    listeners: Vec<(u32, Callback<Event>)>,
    next_job: u32,
    next_slot: u32,
}

thread_local! {
    static POOL: RefCell<Pool> = RefCell::new(Pool::default());
}

/// Queues a blob to verify against `claim`; `listener` hears its progress and result.
/// Returns the job's id, for [`cancel`].
pub fn submit(
    claim: LayerClaim,
    decoding: Decoding,
    cap: u64,
    source: BlobSource,
    listener: Callback<Event>,
) -> u32 {
    let id = POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        pool.next_job += 1;
        let id = pool.next_job;
        let (origin, file, renewal) = match source {
            BlobSource::File(file) => (Origin::File { name: file.name() }, Some(file), None),
            BlobSource::Registry(blob, renewal) => (Origin::Registry(blob), None, renewal),
        };
        pool.queue.push_back(Queued {
            job: Job {
                id,
                claim,
                decoding,
                cap,
                origin,
            },
            file,
            renewal,
        });
        pool.listeners.push((id, listener));
        id
    });
    pump();
    id
}

/// Stops job `id`: a queued job, or one whose access is being renewed, is dropped at once, a
/// running one when its worker next looks.
pub fn cancel(id: u32) {
    let dropped = POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        let before = pool.queue.len();
        pool.queue.retain(|q| q.job.id != id);
        if pool.queue.len() < before {
            return true;
        }
        if pool.renewing.contains(&id) {
            pool.renewing.retain(|&r| r != id);
            if let Some(slot) = pool.slots.iter_mut().find(|s| s.job == Some(id)) {
                slot.job = None;
            }
            return true;
        }
        if let Some(slot) = pool.slots.iter().find(|s| s.job == Some(id)) {
            send(&slot.worker, &Command::Cancel { id }, None);
        }
        false
    });
    if dropped {
        wasm_bindgen_futures::spawn_local(async move {
            deliver(Event::Cancelled { id });
            // A worker may have been freed.
            pump();
        });
    }
}

fn send(worker: &Worker, command: &Command, file: Option<&File>) -> bool {
    let Some(message) = worker_message::command_object(command) else {
        return false;
    };
    if let Some(file) = file {
        let _ = Reflect::set(&message, &JsValue::from_str(FILE), file);
    }
    worker.post_message(&message).is_ok()
}

/// Gives queued jobs to idle workers, starting workers up to the limit; a job whose access is
/// due for renewal holds its worker while it is renewed.
fn pump() {
    let mut failures = Vec::new();
    let mut renewals = Vec::new();
    POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        // A worker still loading takes a job as soon as it is ready.
        let available = pool.slots.iter().filter(|s| s.job.is_none()).count();
        let wanted = pool
            .queue
            .len()
            .saturating_sub(available)
            .min(MAX_WORKERS.saturating_sub(pool.slots.len()));
        for _ in 0..wanted {
            pool.next_slot += 1;
            match spawn(pool.next_slot) {
                Ok(new) => pool.slots.push(new),
                Err(message) => {
                    let queued = pool.queue.drain(..).map(|q| Event::Failed {
                        id: q.job.id,
                        message: message.clone(),
                    });
                    failures.extend(queued);
                    break;
                }
            }
        }
        let now = js_sys::Date::now();
        while let Some(index) = pool.slots.iter().position(|s| s.ready && s.job.is_none()) {
            let Some(mut next) = pool.queue.pop_front() else {
                break;
            };
            let id = next.job.id;
            let due = next.renewal.take().filter(|r| now >= r.at);
            let Some(slot) = pool.slots.get_mut(index) else {
                break;
            };
            if let Some(renewal) = due {
                slot.job = Some(id);
                renewals.push((slot.id, next, renewal));
                pool.renewing.push(id);
            } else if send(&slot.worker, &Command::Verify(next.job), next.file.as_ref()) {
                slot.job = Some(id);
            } else {
                failures.push(Event::Failed {
                    id,
                    message: "The page could not hand the blob to its worker.".into(),
                });
            }
        }
    });
    for event in failures {
        deliver_later(event);
    }
    for (slot, queued, renewal) in renewals {
        wasm_bindgen_futures::spawn_local(async move {
            let renewed = (renewal.renew)().await;
            start_renewed(slot, queued, renewed);
        });
    }
}

/// Sends a job whose access was renewed to the worker it holds, unless it was cancelled or its
/// worker was lost meanwhile (its listener has heard so already).
fn start_renewed(slot: u32, mut queued: Queued, renewed: Result<RegistryBlob, String>) {
    let id = queued.job.id;
    let failure = POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        if !pool.renewing.contains(&id) {
            return None;
        }
        pool.renewing.retain(|&r| r != id);
        let slot = pool
            .slots
            .iter_mut()
            .find(|s| s.id == slot && s.job == Some(id))?;
        let message = match renewed {
            Ok(blob) => {
                queued.job.origin = Origin::Registry(blob);
                if send(&slot.worker, &Command::Verify(queued.job), None) {
                    return None;
                }
                "The page could not hand the blob to its worker.".to_owned()
            }
            Err(message) => message,
        };
        slot.job = None;
        Some(Event::Failed { id, message })
    });
    if let Some(event) = failure {
        deliver(event);
    }
    pump();
}

fn spawn(slot: u32) -> Result<Slot, String> {
    let worker = Worker::new(WORKER_SCRIPT)
        .map_err(|_| "This browser could not start a worker to verify layers in.".to_owned())?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if let Some(event) = worker_message::read_event::<Event>(&event) {
            on_event(slot, event);
        }
    });
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        on_worker_lost(slot, worker_message::error_detail(&event));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Slot {
        id: slot,
        worker,
        ready: false,
        job: None,
        _on_message: on_message,
        _on_error: on_error,
    })
}

fn on_event(slot: u32, event: Event) {
    POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        if let Some(s) = pool.slots.iter_mut().find(|s| s.id == slot) {
            match &event {
                Event::Ready => s.ready = true,
                e if e.ends_job() => s.job = None,
                _ => {}
            }
        }
    });
    if event != Event::Ready {
        deliver(event);
    }
    pump();
}

/// A worker failed to load or stopped: its job fails, and queued jobs get a new worker.
fn on_worker_lost(slot: u32, detail: String) {
    let (lost, never_ready) = POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        let Some(index) = pool.slots.iter().position(|s| s.id == slot) else {
            return (None, false);
        };
        let gone = pool.slots.remove(index);
        gone.worker.terminate();
        pool.renewing.retain(|&r| Some(r) != gone.job);
        (gone.job, !gone.ready)
    });
    let message = format!("The worker verifying layers stopped ({detail}).");
    if let Some(id) = lost {
        deliver(Event::Failed {
            id,
            message: message.clone(),
        });
    }
    if never_ready {
        // It could not even load: another would fail the same way.
        let queued: Vec<u32> =
            POOL.with(|pool| pool.borrow_mut().queue.drain(..).map(|q| q.job.id).collect());
        for id in queued {
            deliver(Event::Failed {
                id,
                message: message.clone(),
            });
        }
    } else {
        pump();
    }
}

/// [`deliver`] after the caller has returned: a listener hears of its job only after
/// [`submit`] returned to the code that will expect the events (so does [`cancel`]'s).
fn deliver_later(event: Event) {
    wasm_bindgen_futures::spawn_local(async move { deliver(event) });
}

/// Hands `event` to its job's listener, outside any borrow of the pool (a listener may submit).
fn deliver(event: Event) {
    let Some(id) = event.job() else {
        return;
    };
    let listener = POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        let index = pool.listeners.iter().position(|(job, _)| *job == id)?;
        if event.ends_job() {
            Some(pool.listeners.remove(index).1)
        } else {
            pool.listeners.get(index).map(|(_, l)| l.clone())
        }
    });
    if let Some(listener) = listener {
        listener.emit(event);
    }
}
