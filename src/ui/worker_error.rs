//! What a Web Worker's `error` event says. A script that fails to load fires a plain `Event`
//! (no message; reading `message` off it would throw), an uncaught error inside the worker an
//! `ErrorEvent` with one.

use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, Event};

/// The event's message, or what a message-less `error` event of a worker means.
pub fn detail(event: &Event) -> String {
    event
        .dyn_ref::<ErrorEvent>()
        .map(ErrorEvent::message)
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "its script could not be loaded".to_owned())
}
