//! A registry error as the page shows it: the message, and where the message offers ways on,
//! the registry configuration, the proxy setting and copyable commands as blocks of their own.

use super::digest_value::copy;
use crate::core::distribution::error::{distribution_cors_config, zot_cors_config, RegistryError, WayOn};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RegistryErrorViewProps {
    /// What failed, e.g. `config of linux/arm64 (sha256:…)`; empty for the document the
    /// reference names (the message names the reference).
    pub about: AttrValue,
    pub error: RegistryError,
    /// Opens the CORS proxy setting.
    pub on_show_proxy: Callback<()>,
}

fn copyable(text: String, testid: &'static str) -> Html {
    let onclick = {
        let text = text.clone();
        Callback::from(move |_: MouseEvent| copy(text.clone()))
    };
    html! {
        <div class="copyable">
            <pre data-testid={testid}>{ text }</pre>
            <button type="button" class="copy" {onclick}>{ "Copy" }</button>
        </div>
    }
}

fn commands(ways_on: &[WayOn]) -> Html {
    html! {
        <ul class="ways-on">
            { for ways_on.iter().map(|way| html! {
                <li data-tool={way.tool}>{ copyable(way.command.clone(), "command") }</li>
            }) }
        </ul>
    }
}

#[function_component(RegistryErrorView)]
pub fn registry_error_view(props: &RegistryErrorViewProps) -> Html {
    let error = &props.error;
    let show_proxy = {
        let on_show_proxy = props.on_show_proxy.clone();
        Callback::from(move |_: MouseEvent| on_show_proxy.emit(()))
    };
    let proxy_button = html! {
        <button type="button" class="secondary" onclick={show_proxy}>{ "Set a CORS proxy prefix…" }</button>
    };
    let details = match error {
        RegistryError::CorsBlocked {
            page_origin, ways_on, ..
        } => html! {
            <ol class="ways">
                <li>
                    <strong>{ "If you run the registry, allow this page." }</strong>
                    { " distribution (registry:2), in config.yml:" }
                    { copyable(distribution_cors_config(page_origin), "registry-config") }
                    <span class="muted">
                        { "distribution 2.8 answers the browser's OPTIONS preflight with 401 when authentication is \
                           enabled, so with a login a reverse proxy in front must answer OPTIONS itself. zot, in config.json:" }
                    </span>
                    { copyable(zot_cors_config(page_origin), "registry-config") }
                </li>
                <li>
                    <strong>{ "Or go through a CORS proxy." }</strong>
                    { " Requests (and any token) then pass through it. " }
                    { proxy_button }
                </li>
                <li>
                    <strong>{ "Or fetch the manifest yourself" }</strong>
                    { " and paste its bytes above:" }
                    { commands(ways_on) }
                </li>
            </ol>
        },
        RegistryError::PreflightRefused { ways_on, status, .. } => html! {
            <>
                <p>
                    { if *status == 401 {
                        "Ways on: put a reverse proxy in front of the registry that answers OPTIONS itself, "
                    } else {
                        "Ways on: allow the Accept and Authorization headers in the registry's CORS settings, "
                    } }
                    { proxy_button }
                    { " or log in from a terminal and fetch the manifest with one of these commands, then paste its bytes above:" }
                </p>
                { commands(ways_on) }
            </>
        },
        RegistryError::RedirectBlocked { ways_on, .. } => html! {
            <>
                { proxy_button }
                { commands(ways_on) }
            </>
        },
        RegistryError::ProxyFailed { .. } | RegistryError::BadProxyPrefix { .. } => proxy_button,
        _ => html! {},
    };
    html! {
        <div class="error registry-error" role="alert" data-testid="error" data-kind={error.slug()}>
            <p>
                if !props.about.is_empty() {
                    <strong class="about">{ props.about.clone() }</strong>{ ": " }
                }
                <span data-testid="error-message">{ error.headline() }</span>
            </p>
            { details }
        </div>
    }
}
