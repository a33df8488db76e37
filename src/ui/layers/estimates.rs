//! "Estimate sizes": each compressed layer's uncompressed size from a `Range` request for a few
//! of its bytes (`registry::estimate`), before or without downloading it. Asked the way a
//! download would be: access is obtained once, as "Verify layers" does, then one small request
//! per layer, one after another, until the last or until the panel cancels them (it went, or the
//! estimates were asked for again): a manifest of 100,000 layers must not go on sending the
//! user's token 100,000 times after nobody is looking.

use super::rows::{Action, Rows};
use crate::core::layer::estimate::EstimateProblem;
use crate::core::layer::BlobKind;
use crate::core::reference::Reference;
use crate::registry::{blob_access, estimate, Cancel, Failure, Keyring, Settings};
use wasm_bindgen_futures::spawn_local;
use yew::UseReducerHandle;

/// Estimates every layer row of `rows` whose descriptor names a layer type, a digest and a size,
/// from `reference`'s repository. The answers arrive as [`Action::Estimated`]; `cancel` stops
/// the round at its next request.
pub fn estimate_layers(
    rows: UseReducerHandle<Rows>,
    reference: Reference,
    keyring: Keyring,
    unfetched: Settings,
    cancel: Cancel,
) {
    let wanted: Vec<_> = rows
        .layer_rows()
        .filter_map(|row| {
            let claim = rows.claims.get(row.layer?)?;
            let Some(BlobKind::Layer { encoding, .. }) = claim.kind() else {
                return None;
            };
            Some((row.key, claim.digest.clone()?, encoding, claim.size?))
        })
        .collect();
    let Some(probe) = wanted.first().map(|(_, digest, ..)| digest.clone()) else {
        return;
    };
    spawn_local(async move {
        let access = match blob_access(&reference, &probe, &keyring, unfetched, cancel.clone()).await {
            Ok(access) => access,
            Err(Failure::Registry(e)) => {
                for (key, ..) in wanted {
                    rows.dispatch(Action::Estimated {
                        key,
                        estimate: Err(EstimateProblem::Unreachable(e.to_string())),
                    });
                }
                return;
            }
            Err(Failure::Cancelled) => return,
        };
        for (key, digest, encoding, size) in wanted {
            let Some(estimate) = estimate(&access, &reference, &digest, encoding, size, &cancel).await else {
                return;
            };
            rows.dispatch(Action::Estimated { key, estimate });
        }
    });
}
