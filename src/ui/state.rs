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
