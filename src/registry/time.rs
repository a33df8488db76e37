//! Waiting in the browser: timers for request timeouts, and the cancellation of a walk.

use futures::channel::oneshot;
use futures::future::{FutureExt, Shared};
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// `setTimeout` of the global scope running this code: the window's, or a layer worker's
    /// (which has no `window`).
    #[wasm_bindgen(js_name = setTimeout, catch)]
    fn global_set_timeout(handler: &js_sys::Function, ms: i32) -> Result<JsValue, JsValue>;
}

/// Resolves after `duration` (a `setTimeout` turned into a future).
pub(crate) async fn sleep(duration: Duration) {
    let ms = i32::try_from(duration.as_millis()).unwrap_or(i32::MAX);
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        // Without a timer the wait never ends, which only disables the timeout.
        let _ = global_set_timeout(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

/// Held by whoever may cancel a walk. Cancelling, or dropping the handle (the page started
/// another walk, or went away), ends the walk at its next await and aborts its requests.
pub struct CancelHandle {
    /// Dropping it wakes every request racing the cancellation.
    _wake: oneshot::Sender<()>,
    cancelled: Rc<Cell<bool>>,
}

impl CancelHandle {
    pub fn cancel(self) {
        drop(self);
    }
}

impl Drop for CancelHandle {
    fn drop(&mut self) {
        self.cancelled.set(true);
    }
}

/// Completes when the walk is cancelled; every request of the walk races it.
#[derive(Clone)]
pub struct Cancel {
    wake: Shared<oneshot::Receiver<()>>,
    cancelled: Rc<Cell<bool>>,
}

impl Cancel {
    pub(crate) async fn cancelled(self) {
        // The sender is never used: the receiver completes when the handle is dropped.
        let _ = self.wake.await;
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancelled.get()
    }
}

/// A new walk's cancellation pair.
pub fn cancellation() -> (CancelHandle, Cancel) {
    let (sender, receiver) = oneshot::channel();
    let cancelled = Rc::new(Cell::new(false));
    (
        CancelHandle {
            _wake: sender,
            cancelled: cancelled.clone(),
        },
        Cancel {
            wake: receiver.shared(),
            cancelled,
        },
    )
}
