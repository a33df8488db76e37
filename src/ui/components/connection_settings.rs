//! "Credentials and connection": the login fields of one fetch, and the page's connection
//! settings (`ui::connection`: the CORS proxy prefix and the timeout), plus the line beside the
//! fetch box that says which way requests go.

use super::typed_text;
use crate::ui::connection::{use_connection, ConnectionAction, MAX_TIMEOUT_SECONDS};
use yew::prelude::*;

/// Where the settings' fields are, for the panel that reads the credentials when a fetch starts
/// and opens the proxy field when a message offers it.
#[derive(Clone, Default, PartialEq)]
pub struct SettingsFields {
    pub details: NodeRef,
    pub username: NodeRef,
    pub password: NodeRef,
    pub token: NodeRef,
    pub proxy: NodeRef,
}

#[derive(Properties, PartialEq)]
pub struct ConnectionSettingsProps {
    pub fields: SettingsFields,
}

#[function_component(ConnectionSettings)]
pub fn connection_settings(props: &ConnectionSettingsProps) -> Html {
    let context = use_connection();
    let fields = &props.fields;
    let onproxy = context
        .change
        .reform(|e: InputEvent| ConnectionAction::TypeProxy(typed_text(&e)));
    let ontimeout = context
        .change
        .reform(|e: InputEvent| ConnectionAction::TypeTimeout(typed_text(&e)));
    let connection = &context.connection;
    let timeout_note = connection.timeout_note().map(|note| {
        html! { <span class="muted" data-testid="timeout-note" role="status">{ " " }{ note }</span> }
    });
    let companion_hint = match context.connection.companion() {
        Some(_) => " Leave it blank to use the proxy this page came with.",
        None => "",
    };
    html! {
        <details class="fetch-settings" ref={fields.details.clone()}>
            <summary>{ "Credentials and connection" }</summary>
            <fieldset>
                <legend>{ "Credentials for a private registry (kept in this page's memory for this fetch and its layer downloads only, never stored)" }</legend>
                <label>{ "User name " }<input ref={fields.username.clone()} data-testid="username" type="text" autocomplete="off" /></label>
                <label>{ "Password " }<input ref={fields.password.clone()} data-testid="password" type="password" autocomplete="off" /></label>
                <label>{ "or token " }<input ref={fields.token.clone()} data-testid="token" type="password" autocomplete="off" /></label>
            </fieldset>
            <label>
                { "CORS proxy prefix " }
                <input ref={fields.proxy.clone()} data-testid="proxy" type="url" value={context.connection.typed_proxy.clone()}
                    oninput={onproxy} placeholder="https://proxy.example/" autocomplete="off" />
                <span class="muted">
                    { " The registry URL is appended to it; every request (and any token) then passes through that proxy. Kept in this browser's storage." }
                    { companion_hint }
                </span>
            </label>
            <label>
                { "Give up on a request after " }
                <input data-testid="timeout" type="number" min="1" max={MAX_TIMEOUT_SECONDS.to_string()}
                    value={connection.typed_timeout.clone()} data-seconds={connection.timeout_seconds.to_string()}
                    oninput={ontimeout} />
                { " seconds" }
                { timeout_note }
            </label>
        </details>
    }
}

/// The line beside the fetch box: requests go through the proxy this page came with, or through
/// the typed prefix instead.
#[function_component(ConnectionNote)]
pub fn connection_note() -> Html {
    let context = use_connection();
    let connection = &context.connection;
    if let Some(companion) = connection.through_companion() {
        let version = if companion.version.is_empty() {
            String::new()
        } else {
            format!(" {}", companion.version)
        };
        return html! {
            <p class="muted connection-note" data-testid="via-proxy" data-via="companion">
                { format!("Requests go through the proxy this page came with (digestlens-proxy{version}, at {}): \
                    registries need no CORS, and the bytes are hashed here in your browser as they arrive.",
                    companion.prefix) }
            </p>
        };
    }
    match connection.proxy() {
        Ok(Some(prefix)) => html! {
            <p class="muted connection-note" data-testid="via-proxy" data-via="typed">
                { format!("Requests go through the CORS proxy prefix set below: {prefix}") }
            </p>
        },
        Ok(None) | Err(_) => html! {},
    }
}
