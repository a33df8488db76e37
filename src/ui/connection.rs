//! How the page reaches registries, in ONE place that the fetch panel, the layer panels and the
//! two-images form all read: the CORS proxy prefix typed in the settings (kept in this
//! browser's storage), the registry proxy the page came with (found at `./proxy/` on start), and
//! the per-request timeout. A typed prefix wins over the companion proxy, so a page hosted
//! elsewhere can still name a proxy its user runs.

use crate::core::distribution::auth::Credentials;
use crate::core::distribution::error::RegistryError;
use crate::core::distribution::proxy::{discovery_url, CompanionProxy};
use crate::core::distribution::proxy_prefix;
use crate::registry::{sleep, Settings};
use futures::future::{select, Either};
use gloo_net::http::Request;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen_futures::spawn_local;
use web_sys::RequestCache;
use yew::prelude::*;

/// Local storage key of the CORS proxy prefix.
const PROXY_KEY: &str = "digestlens.corsProxy";
/// Per request; a registry that says nothing for this long is reported as not answering.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 30;
pub const MAX_TIMEOUT_SECONDS: u64 = 600;
/// How long the page waits for `./proxy/` before fetching without it: the proxy is on the
/// page's own server, so it answers at once or not at all.
const DISCOVERY_WAIT: Duration = Duration::from_secs(5);
/// The announcement is a few hundred bytes; anything longer is not it.
const ANNOUNCEMENT_CAP: usize = 64 * 1024;

/// Whether the page came with a registry proxy.
#[derive(Debug, Clone, PartialEq)]
pub enum Companion {
    /// `./proxy/` was asked and has not answered yet; fetches wait for it.
    Looking,
    Found(CompanionProxy),
    Absent,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    /// The CORS proxy prefix as typed (blank: none).
    pub typed_proxy: String,
    /// The timeout field as typed, kept as is so the field never rewrites what the user typed.
    pub typed_timeout: String,
    /// The timeout every request uses: the typed one when it is a whole number of seconds in
    /// range, else [`DEFAULT_TIMEOUT_SECONDS`], which [`Connection::timeout_note`] then states.
    pub timeout_seconds: u64,
    pub companion: Companion,
}

pub enum ConnectionAction {
    TypeProxy(String),
    TypeTimeout(String),
    Discovered(Option<CompanionProxy>),
}

impl Default for Connection {
    fn default() -> Self {
        Connection {
            typed_proxy: String::new(),
            typed_timeout: DEFAULT_TIMEOUT_SECONDS.to_string(),
            timeout_seconds: DEFAULT_TIMEOUT_SECONDS,
            companion: Companion::Absent,
        }
    }
}

impl Reducible for Connection {
    type Action = ConnectionAction;

    fn reduce(self: Rc<Self>, action: ConnectionAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ConnectionAction::TypeProxy(typed) => next.typed_proxy = typed,
            ConnectionAction::TypeTimeout(typed) => {
                next.timeout_seconds = usable_timeout(&typed).unwrap_or(DEFAULT_TIMEOUT_SECONDS);
                next.typed_timeout = typed;
            }
            ConnectionAction::Discovered(found) => {
                next.companion = found.map_or(Companion::Absent, Companion::Found)
            }
        }
        Rc::new(next)
    }
}

/// The typed timeout when it is a whole number of seconds from 1 to [`MAX_TIMEOUT_SECONDS`].
fn usable_timeout(typed: &str) -> Option<u64> {
    typed
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|s| (1..=MAX_TIMEOUT_SECONDS).contains(s))
}

impl Connection {
    /// What the timeout field says when its value is not used (empty, not a whole number, or
    /// out of range): the range and the value requests use instead, so no default is silent.
    pub fn timeout_note(&self) -> Option<String> {
        usable_timeout(&self.typed_timeout).is_none().then(|| {
            format!(
                "Between 1 and {MAX_TIMEOUT_SECONDS} seconds; using {}.",
                self.timeout_seconds
            )
        })
    }

    /// The prefix requests go through: the typed one when filled (checked), else the
    /// companion proxy's, else none.
    pub fn proxy(&self) -> Result<Option<String>, RegistryError> {
        match proxy_prefix(&self.typed_proxy)? {
            Some(typed) => Ok(Some(typed.to_owned())),
            None => Ok(self.companion().map(|c| c.prefix.clone())),
        }
    }

    /// The companion proxy, when found.
    pub fn companion(&self) -> Option<&CompanionProxy> {
        match &self.companion {
            Companion::Found(companion) => Some(companion),
            Companion::Looking | Companion::Absent => None,
        }
    }

    /// Whether requests go through the companion proxy (found, and no prefix typed).
    pub fn through_companion(&self) -> Option<&CompanionProxy> {
        self.companion().filter(|_| self.typed_proxy.trim().is_empty())
    }

    /// Whether the page still waits to learn if it came with a proxy.
    pub fn discovering(&self) -> bool {
        self.companion == Companion::Looking
    }

    /// The settings of one fetch, with the credentials typed for it.
    pub fn settings(&self, credentials: Option<Credentials>) -> Result<Settings, RegistryError> {
        Ok(Settings {
            proxy: self.proxy()?,
            credentials,
            timeout: Duration::from_secs(self.timeout_seconds),
            page_origin: page_origin(),
        })
    }

    /// The settings for a registry no fetch has reached (the layers of a pasted manifest): no
    /// credentials.
    pub fn unfetched_settings(&self) -> Result<Settings, RegistryError> {
        self.settings(None)
    }
}

/// The connection and a way to change it, as the context hands it out.
#[derive(Clone)]
pub struct ConnectionContext {
    pub connection: Rc<Connection>,
    pub change: Callback<ConnectionAction>,
}

impl PartialEq for ConnectionContext {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.connection, &other.connection) || self.connection == other.connection
    }
}

/// The connection settings of the page (defaults outside a [`ConnectionProvider`]).
#[hook]
pub fn use_connection() -> ConnectionContext {
    use_context::<ConnectionContext>().unwrap_or_else(|| ConnectionContext {
        connection: Rc::new(Connection::default()),
        change: Callback::noop(),
    })
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Asks `./proxy/` whether the page came with its registry proxy; `None` on any other answer,
/// none at all, or none within [`DISCOVERY_WAIT`].
async fn discover() -> Option<CompanionProxy> {
    let href = web_sys::window()?.location().href().ok()?;
    let url = discovery_url(&href)?;
    let ask = async {
        let response = Request::get(&url)
            .cache(RequestCache::NoStore)
            .send()
            .await
            .ok()?;
        if !response.ok() {
            return None;
        }
        let body = response.binary().await.ok()?;
        (body.len() <= ANNOUNCEMENT_CAP)
            .then(|| CompanionProxy::from_announcement(&url, &body))
            .flatten()
    };
    let found = match select(pin!(ask), pin!(sleep(DISCOVERY_WAIT))).await {
        Either::Left((found, _)) => found,
        Either::Right(_) => None,
    };
    found
}

#[derive(Properties, PartialEq)]
pub struct ConnectionProviderProps {
    pub children: Html,
}

/// Holds the connection settings for everything below it; asks `./proxy/` once on start and
/// keeps the typed prefix in local storage (never in a permalink).
#[function_component(ConnectionProvider)]
pub fn connection_provider(props: &ConnectionProviderProps) -> Html {
    let connection = use_reducer(|| Connection {
        typed_proxy: storage()
            .and_then(|s| s.get_item(PROXY_KEY).ok().flatten())
            .unwrap_or_default(),
        typed_timeout: DEFAULT_TIMEOUT_SECONDS.to_string(),
        timeout_seconds: DEFAULT_TIMEOUT_SECONDS,
        companion: Companion::Looking,
    });
    {
        let dispatcher = connection.dispatcher();
        use_effect_with((), move |_| {
            spawn_local(async move { dispatcher.dispatch(ConnectionAction::Discovered(discover().await)) });
        });
    }
    use_effect_with(connection.typed_proxy.clone(), |typed| {
        if let Some(storage) = storage() {
            let _ = if typed.trim().is_empty() {
                storage.remove_item(PROXY_KEY)
            } else {
                storage.set_item(PROXY_KEY, typed)
            };
        }
    });
    let context = ConnectionContext {
        connection: Rc::new((*connection).clone()),
        change: {
            let dispatcher = connection.dispatcher();
            Callback::from(move |action| dispatcher.dispatch(action))
        },
    };
    html! {
        <ContextProvider<ConnectionContext> {context}>
            { props.children.clone() }
        </ContextProvider<ConnectionContext>>
    }
}
