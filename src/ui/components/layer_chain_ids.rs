//! Chain IDs recomputed from the layers as measured, beside the ones the config's diff_ids give:
//! containerd names its snapshots by them, so a difference here is a different image on disk.

use crate::core::digest::Digest;
use crate::core::document::Body;
use crate::core::layer::measured_chain_ids;
use crate::ui::layers::rows::{Rows, Status};
use crate::ui::state::LoadedDocument;
use yew::prelude::*;

/// Chain IDs from the measured uncompressed digests, beside the config's own.
pub fn chain_ids(rows: &Rows, config: Option<&LoadedDocument>) -> Html {
    let measured: Vec<Option<&Digest>> = rows
        .layer_rows()
        .map(|row| match &row.status {
            Status::Checked { check, .. } => check.uncompressed.as_ref().map(|u| &u.digest),
            _ => None,
        })
        .collect();
    let chain = measured_chain_ids(&measured);
    if chain.is_empty() {
        return Html::default();
    }
    let configured: Vec<Digest> = config
        .and_then(|c| match &c.analysis().body {
            Body::Config(config) => Some(config.chain_ids.clone()),
            _ => None,
        })
        .unwrap_or_default();
    html! {
        <div class="chain-ids">
            <h3>{ "Chain IDs recomputed from the layers' content" }</h3>
            <p class="muted">{ "ChainID(L0) = DiffID(L0); ChainID(L0..n) = sha256(ChainID(L0..n-1) + \" \" + DiffID(Ln)). \
                containerd names its snapshots by these." }</p>
            <ol start="0">
                { for chain.iter().enumerate().map(|(i, id)| {
                    let same = configured.get(i) == Some(id);
                    html! {
                        <li>
                            <code data-testid="verified-chain-id" data-matches={same.to_string()}>{ id.to_string() }</code>
                            { if same { " — the same as from the config's diff_ids" } else { " — differs from the config's diff_ids" } }
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}
