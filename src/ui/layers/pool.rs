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
use crate::ui::worker_client::{later, Kind, Queued as QueuedJob, Slot, Workers};
use futures::future::LocalBoxFuture;
use js_sys::Array;
use std::cell::RefCell;
use wasm_bindgen::JsValue;
use web_sys::File;
use yew::Callback;

/// Layers verified at the same time. Each one keeps a core busy; more would only slow the page.
pub const MAX_WORKERS: usize = 2;

/// Written by Trunk next to `index.html` (`data-type="worker" data-loader-shim` in index.html):
/// loads `worker.js` and `worker_bg.wasm` inside the worker.
const KIND: Kind = Kind {
    script: "./worker_loader.js",
    max_workers: MAX_WORKERS,
    cannot_start: "This browser could not start a worker to verify layers in.",
};

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

struct Queued {
    job: Job,
    file: Option<File>,
    renewal: Option<Renewal>,
}

impl QueuedJob for Queued {
    fn id(&self) -> u32 {
        self.job.id
    }
}

#[derive(Default)]
struct Pool {
    workers: Workers<Queued, Event>,
    /// Jobs holding a worker while their access is renewed.
    renewing: Vec<u32>,
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
    let (origin, file, renewal) = match source {
        BlobSource::File(file) => (Origin::File { name: file.name() }, Some(file), None),
        BlobSource::Registry(blob, renewal) => (Origin::Registry(blob), None, renewal),
    };
    let id = POOL.with(|pool| {
        pool.borrow_mut().workers.enqueue(
            |id| Queued {
                job: Job {
                    id,
                    claim,
                    decoding,
                    cap,
                    origin,
                },
                file,
                renewal,
            },
            listener,
        )
    });
    pump();
    id
}

/// Stops job `id`: a queued job, or one whose access is being renewed, is dropped at once, a
/// running one when its worker next looks.
pub fn cancel(id: u32) {
    let dropped = POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.workers.unqueue(id) {
            return true;
        }
        if pool.renewing.contains(&id) {
            pool.renewing.retain(|&r| r != id);
            if let Some(slot) = pool.workers.slots.iter_mut().find(|s| s.job == Some(id)) {
                slot.job = None;
            }
            return true;
        }
        if let Some(slot) = pool.workers.running(id) {
            send(slot, &Command::Cancel { id }, None);
        }
        false
    });
    if dropped {
        later(move || {
            deliver(Event::Cancelled { id });
            // A worker may have been freed.
            pump();
        });
    }
}

/// A command, with the `File` of a file job beside it (a handle: no bytes are copied).
fn send(slot: &Slot, command: &Command, file: Option<&File>) -> bool {
    let file = file.map(JsValue::from);
    let beside: Vec<(&str, &JsValue)> = file.iter().map(|f| (FILE, f)).collect();
    slot.post(command, &beside, &Array::new())
}

/// Gives queued jobs to idle workers, starting workers up to the limit; a job whose access is
/// due for renewal holds its worker while it is renewed.
fn pump() {
    let mut failures = Vec::new();
    let mut renewals = Vec::new();
    POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        if let Err(message) = pool.workers.start_for_queue(&KIND, on_event, on_worker_lost) {
            let queued = pool.workers.drain_queue();
            failures.extend(queued.into_iter().map(|(id, listener)| {
                let message = message.clone();
                (listener, Event::Failed { id, message })
            }));
        }
        let now = js_sys::Date::now();
        while let Some((index, mut next)) = pool.workers.next_assignment() {
            let id = next.job.id;
            let due = next.renewal.take().filter(|r| now >= r.at);
            let Some(slot) = pool.workers.slots.get_mut(index) else {
                break;
            };
            if let Some(renewal) = due {
                slot.job = Some(id);
                renewals.push((slot.id, next, renewal));
                pool.renewing.push(id);
            } else if send(slot, &Command::Verify(next.job), next.file.as_ref()) {
                slot.job = Some(id);
            } else if let Some(listener) = pool.workers.take_listener(id) {
                let message = "The page could not hand the blob to its worker.".to_owned();
                failures.push((listener, Event::Failed { id, message }));
            }
        }
    });
    for (listener, event) in failures {
        later(move || listener.emit(event));
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
        let slot = pool.workers.slot_mut(slot).filter(|s| s.job == Some(id))?;
        let message = match renewed {
            Ok(blob) => {
                queued.job.origin = Origin::Registry(blob);
                if send(slot, &Command::Verify(queued.job), None) {
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

fn on_event(slot: u32, event: Event) {
    POOL.with(|pool| {
        if let Some(s) = pool.borrow_mut().workers.slot_mut(slot) {
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
        let Some((job, ready)) = pool.workers.remove(slot) else {
            return (None, false);
        };
        pool.renewing.retain(|&r| Some(r) != job);
        (job, !ready)
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
        let queued = POOL.with(|pool| pool.borrow_mut().workers.drain_queue());
        for (id, listener) in queued {
            listener.emit(Event::Failed {
                id,
                message: message.clone(),
            });
        }
    } else {
        pump();
    }
}

/// Hands `event` to its job's listener, outside any borrow of the pool (a listener may submit).
fn deliver(event: Event) {
    let Some(id) = event.job() else {
        return;
    };
    let listener = POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        if event.ends_job() {
            pool.workers.take_listener(id)
        } else {
            pool.workers.listener(id)
        }
    });
    if let Some(listener) = listener {
        listener.emit(event);
    }
}
