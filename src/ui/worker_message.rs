//! How the page and its workers (layer verification, analysis) talk. A command is an object
//! whose [`TEXT`] property holds the command as JSON, beside whatever its protocol transfers
//! with it (a `File`, documents' bytes); an event is JSON text. One transport, so both workers
//! read, post and fail the same way.

use js_sys::{Object, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, ErrorEvent, Event, MessageEvent};

/// The property of a command object that holds its JSON text.
const TEXT: &str = "json";

/// On the page: a command object holding `command`, for the caller to add what it transfers.
pub fn command_object<C: Serialize>(command: &C) -> Option<Object> {
    let text = serde_json::to_string(command).ok()?;
    let message = Object::new();
    Reflect::set(&message, &JsValue::from_str(TEXT), &JsValue::from_str(&text)).ok()?;
    Some(message)
}

/// On the page: the event a worker posted, if it is one.
pub fn read_event<E: DeserializeOwned>(event: &MessageEvent) -> Option<E> {
    serde_json::from_str(&event.data().as_string()?).ok()
}

/// The scope of the worker running this code.
pub fn worker_scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// In a worker: the command in a message from the page, if it holds one this worker reads.
pub fn read_command<C: DeserializeOwned>(data: &JsValue) -> Option<C> {
    let text = Reflect::get(data, &JsValue::from_str(TEXT)).ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

/// In a worker: posts `event` to the page.
pub fn post_event<E: Serialize>(event: &E) {
    if let Ok(text) = serde_json::to_string(event) {
        // Posting a string to the page cannot fail while the worker runs.
        let _ = worker_scope().post_message(&JsValue::from_str(&text));
    }
}

/// What a worker's `error` event says. A script that fails to load fires a plain `Event` (no
/// message; reading `message` off it would throw), an uncaught error inside the worker an
/// `ErrorEvent` with one.
pub fn error_detail(event: &Event) -> String {
    event
        .dyn_ref::<ErrorEvent>()
        .map(ErrorEvent::message)
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "its script could not be loaded".to_owned())
}
