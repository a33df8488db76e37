//! What the walks of this page learnt about reaching each repository: the settings the user
//! fetched it with (proxy prefix, timeout, credentials) and the `Authorization` the registry
//! accepted. The layer panel downloads a fetched image's blobs the same way as its manifests.
//!
//! The credentials typed for a walk are reused for the layers of every repository of the same
//! registry: verifying the layers of a repository that no walk fetched sends the login of the
//! last walk of that registry to its token server ([`Keyring::settings`]).
//!
//! In this page's memory only, like the credentials themselves: never in a URL, storage, the
//! permalink or the console (nothing here implements `Debug`). Replaced by the next walk of the
//! same repository, and forgotten when the page is cleared: a walk or a request for access that
//! started before the page was cleared does not bring back what it learnt (see [`Generation`]).

use super::grant::Grant;
use super::settings::Settings;
use crate::core::reference::Reference;
use std::cell::RefCell;
use std::rc::Rc;

/// How one repository was reached by its last walk.
struct Access {
    /// `registry/repository`.
    name: String,
    registry: String,
    settings: Settings,
    /// `None`: the registry asked for no authorization.
    grant: Option<Grant>,
}

/// Which clearing of the page a walk or request for access started after: what it learns is
/// kept only if the page has not been cleared since.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Generation(u64);

#[derive(Default)]
struct Entries {
    accesses: Vec<Access>,
    /// Bumped by every [`Keyring::forget`].
    generation: u64,
}

/// The page's record of [`Access`]es; clones share it. Compared by identity (for props).
#[derive(Clone, Default)]
pub struct Keyring(Rc<RefCell<Entries>>);

impl PartialEq for Keyring {
    fn eq(&self, other: &Keyring) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Keyring {
    /// Now: to be given back to [`Keyring::remember`] by what starts now and learns later.
    pub(crate) fn generation(&self) -> Generation {
        Generation(self.0.borrow().generation)
    }

    /// Records how `reference`'s repository was reached, replacing what an earlier walk left;
    /// nothing when the page was cleared since `since` (the user asked to forget it).
    pub(crate) fn remember(
        &self,
        since: Generation,
        reference: &Reference,
        settings: &Settings,
        grant: Option<Grant>,
    ) {
        let name = reference.name();
        let mut entries = self.0.borrow_mut();
        if entries.generation != since.0 {
            return;
        }
        entries.accesses.retain(|a| a.name != name);
        entries.accesses.push(Access {
            name,
            registry: reference.registry().to_owned(),
            settings: settings.clone(),
            grant,
        });
    }

    /// Drops every setting, credential and token (the page was cleared).
    pub fn forget(&self) {
        let mut entries = self.0.borrow_mut();
        entries.accesses.clear();
        entries.generation += 1;
    }

    /// The settings `reference` was fetched with: those of its repository's walk, else those of
    /// the last walk of the same registry (a sibling repository, read with the same login).
    pub(crate) fn settings(&self, reference: &Reference) -> Option<Settings> {
        let guard = self.0.borrow();
        let entries = &guard.accesses;
        let name = reference.name();
        entries
            .iter()
            .find(|a| a.name == name)
            .or_else(|| entries.iter().rev().find(|a| a.registry == reference.registry()))
            .map(|a| a.settings.clone())
    }

    /// What to send for `reference`'s repository without asking the registry again:
    /// `Some(None)` when its walk needed no authorization, `Some(Some(grant))` while the
    /// walk's token is still valid (its pull scope is this repository's), `None` otherwise.
    pub(crate) fn authorization(&self, reference: &Reference) -> Option<Option<Grant>> {
        let name = reference.name();
        let now = js_sys::Date::now();
        let guard = self.0.borrow();
        let access = guard.accesses.iter().find(|a| a.name == name)?;
        match &access.grant {
            None => Some(None),
            Some(grant) if grant.usable(now) => Some(Some(grant.clone())),
            Some(_) => None,
        }
    }
}
