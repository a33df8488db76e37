//! What the root component hands its children: one callback per user action, each turning the
//! action into reducer actions (and, where the user acted, a request to bring the answer into
//! view). Kept apart from the markup so `app` reads as the page's layout.

use crate::core::diagnose::Side;
use crate::core::digest::Digest;
use crate::core::distribution::referrers::Listing;
use crate::core::graph::NodeKey;
use crate::core::permalink::ComparedImages;
use crate::core::reference::Reference;
use crate::examples::Example;
use crate::registry::{Fetched, Keyring};
use crate::ui::components::fetch_panel::{FetchRequest, Wanted};
use crate::ui::reveal::Reveal;
use crate::ui::state::{example_documents, fetched_document, Action, Choice, NewDocument, Workspace};
use std::rc::Rc;
use yew::prelude::*;

/// The callbacks of the page's inputs and cards.
pub struct Handlers {
    pub on_paste: Callback<String>,
    pub on_files: Callback<Vec<(String, Vec<u8>)>>,
    pub on_fetched: Callback<(Reference, Vec<Fetched>)>,
    pub on_referrers: Callback<Listing>,
    pub on_request: Callback<(Reference, Wanted)>,
    pub on_clear: Callback<()>,
    pub on_error: Callback<String>,
    pub on_remove: Callback<u32>,
    pub on_example: Callback<&'static Example>,
    pub on_select: Callback<NodeKey>,
    pub on_choose: Callback<(Side, Choice)>,
    pub on_expect: Callback<(u32, String)>,
    pub on_swap: Callback<()>,
    pub on_compared_images: Callback<Option<Rc<ComparedImages>>>,
}

/// What the handlers change besides the workspace.
pub struct Page {
    pub workspace: UseReducerHandle<Workspace>,
    pub reveal: Reveal,
    pub keyring: UseStateHandle<Keyring>,
    pub error: UseStateHandle<Option<String>>,
    /// Counts Clear presses, so the fetch panel cancels what it runs.
    pub cleared: UseStateHandle<u32>,
    /// The fetch the cards asked for (open a referrer, look for referrers): it goes through the
    /// fetch panel, so it uses the settings and credentials typed there.
    pub request: UseStateHandle<Option<FetchRequest>>,
}

#[hook]
pub fn use_handlers(page: &Page) -> Handlers {
    let requests = use_mut_ref(|| 0u64);
    let dispatch = Dispatch(&page.workspace);
    let on_request = {
        let request = page.request.clone();
        Callback::from(move |(reference, wanted): (Reference, Wanted)| {
            *requests.borrow_mut() += 1;
            let id = *requests.borrow();
            request.set(Some(FetchRequest {
                id,
                reference,
                wanted,
            }));
        })
    };
    Handlers {
        on_paste: dispatch.to(Action::Paste),
        on_files: on_files(page),
        on_fetched: {
            let workspace = page.workspace.dispatcher();
            Callback::from(move |(reference, fetched): (Reference, Vec<Fetched>)| {
                let documents = fetched
                    .into_iter()
                    .map(|f| fetched_document(&reference, f))
                    .collect();
                workspace.dispatch(Action::Add(documents))
            })
        },
        on_referrers: dispatch.to(Action::Referrers),
        on_request,
        on_clear: on_clear(page),
        on_error: {
            let error = page.error.clone();
            Callback::from(move |message: String| error.set(Some(message)))
        },
        on_remove: dispatch.to(Action::Remove),
        on_example: on_example(page),
        on_select: dispatch.to(Action::Select),
        on_choose: {
            let workspace = page.workspace.dispatcher();
            Callback::from(move |(side, choice)| workspace.dispatch(Action::Choose(side, choice)))
        },
        on_expect: {
            let workspace = page.workspace.dispatcher();
            Callback::from(move |(id, typed)| workspace.dispatch(Action::Expect(id, typed)))
        },
        on_swap: {
            let workspace = page.workspace.dispatcher();
            Callback::from(move |()| workspace.dispatch(Action::Swap))
        },
        on_compared_images: dispatch.to(Action::CompareImages),
    }
}

/// Callbacks that each send one reducer action made from their value.
struct Dispatch<'a>(&'a UseReducerHandle<Workspace>);

impl Dispatch<'_> {
    fn to<T: 'static>(&self, action: fn(T) -> Action) -> Callback<T> {
        let workspace = self.0.dispatcher();
        Callback::from(move |value| workspace.dispatch(action(value)))
    }
}

/// Dropped or chosen files, added under their names; the answer is brought into view.
fn on_files(page: &Page) -> Callback<Vec<(String, Vec<u8>)>> {
    let workspace = page.workspace.dispatcher();
    let reveal = page.reveal.clone();
    Callback::from(move |files: Vec<(String, Vec<u8>)>| {
        reveal.request();
        let documents = files
            .into_iter()
            .map(|(name, bytes)| NewDocument::file(name, bytes))
            .collect();
        workspace.dispatch(Action::Add(documents))
    })
}

/// Clear forgets everything: documents, the error, the logins of fetched images.
fn on_clear(page: &Page) -> Callback<()> {
    let workspace = page.workspace.dispatcher();
    let (error, keyring, cleared) = (page.error.clone(), page.keyring.clone(), page.cleared.clone());
    Callback::from(move |()| {
        cleared.set(*cleared + 1);
        error.set(None);
        keyring.forget();
        workspace.dispatch(Action::Clear)
    })
}

/// An example replaces what is loaded; one that is a comparison opens with both sides chosen and
/// the comparison brought into view.
fn on_example(page: &Page) -> Callback<&'static Example> {
    let workspace = page.workspace.dispatcher();
    let reveal = page.reveal.clone();
    Callback::from(move |example: &'static Example| {
        match example.compare {
            Some(_) => reveal.request_target(r#"[data-testid="compare"]"#),
            None => reveal.request(),
        }
        workspace.dispatch(Action::Clear);
        workspace.dispatch(Action::Add(example_documents(example)));
        if let Some((a, b)) = example.compare {
            for (side, file) in [(Side::A, a), (Side::B, b)] {
                if let Some(file) = example.files.get(file) {
                    let wanted = Choice::Wanted(Digest::sha256(file.bytes));
                    workspace.dispatch(Action::Choose(side, wanted));
                }
            }
        }
    })
}
