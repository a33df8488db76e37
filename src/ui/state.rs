//! The page's state as Yew's reducer. The state itself is [`crate::workspace`]: pure, compiled
//! natively and tested there.

pub use crate::workspace::{
    Action, Choice, DocumentList, Handle, LoadedDocument, NewDocument, Source, View, Workspace,
};
use std::rc::Rc;
use yew::Reducible;

impl Reducible for Workspace {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        self.apply(action)
    }
}

/// A document the registry walk fetched for `reference`, as the workspace keeps it: the walk's
/// `Document` with where it came from and how its bytes fared against the registry's claims.
pub fn fetched_document(
    reference: &crate::core::reference::Reference,
    fetched: crate::registry::Fetched,
) -> NewDocument {
    NewDocument {
        source: Source::Fetched {
            url: fetched.url,
            reference: reference.clone(),
            label: fetched.label,
            verification: Box::new(fetched.verification),
        },
        document: fetched.document,
    }
}

/// An example's files, each with the media type the page serves it as.
pub fn example_documents(example: &crate::examples::Example) -> Vec<NewDocument> {
    use crate::core::document::{Document, Origin};
    use crate::core::media_type::MediaType;
    example
        .files
        .iter()
        .map(|file| NewDocument {
            source: Source::File {
                name: file.name.to_owned(),
            },
            document: Document::new(
                file.bytes,
                Origin::Example {
                    name: file.name.to_owned(),
                    media_type: Some(MediaType::parse(file.media_type)),
                },
            ),
        })
        .collect()
}
