//! How a fetched document's bytes fared against every claim made about them: the registry's
//! `Docker-Content-Digest`, the digest asked for, the declared size. A mismatch is loud.

use super::human_size;
use crate::core::distribution::verify::{Outcome, Trust, Verification};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct VerificationViewProps {
    pub url: AttrValue,
    pub verification: Verification,
}

#[function_component(VerificationView)]
pub fn verification_view(props: &VerificationViewProps) -> Html {
    let v = &props.verification;
    let trust = v.trust();
    let headline = match trust {
        Trust::Verified => "Verified: the bytes received are the bytes asked for",
        Trust::Mismatch => "The registry served content that does not match",
        Trust::Unverifiable => {
            "Not verified: fetched by tag, and the registry's digest header is not readable, so \
             there is nothing to check these bytes against; the digest below is what arrived"
        }
    };
    let requested = match &v.requested {
        Some(outcome) => (outcome.slug(), outcome.describe()),
        None => ("none", "nothing: fetched by tag".to_owned()),
    };
    let size = match &v.declared_size {
        Some(Outcome::Matches) => (
            "matches",
            format!("{}, as the descriptor declares", human_size(v.size)),
        ),
        Some(outcome) => (outcome.slug(), outcome.describe()),
        None => (
            "none",
            format!("{} (no descriptor declares a size)", human_size(v.size)),
        ),
    };
    let mismatches = v.mismatches();

    html! {
        <section class={classes!("verification", trust.slug())} data-testid="verification" data-state={trust.slug()}
            role={(trust == Trust::Mismatch).then_some("alert")}>
            <h3>{ headline }</h3>
            if !mismatches.is_empty() {
                <ul class="mismatches">
                    { for mismatches.iter().map(|m| html! { <li>{ m.to_string() }</li> }) }
                </ul>
            }
            <dl class="facts">
                <dt>{ "Fetched from" }</dt>
                <dd><code class="url">{ props.url.clone() }</code></dd>
                <dt>{ "Docker-Content-Digest header" }</dt>
                <dd data-testid="header-check" data-outcome={v.header.slug()}>{ v.header.describe() }</dd>
                <dt>{ "Digest asked for" }</dt>
                <dd data-testid="requested-check" data-outcome={requested.0}>{ requested.1 }</dd>
                <dt>{ "Size" }</dt>
                <dd data-testid="size-check" data-outcome={size.0}>{ size.1 }</dd>
            </dl>
            if v.compared_with_canonical {
                <p class="muted">
                    { "A signed schema 1 manifest is named by the digest of its signed payload (the bytes without \
                       the signatures), so the claims were compared with that digest." }
                </p>
            }
        </section>
    }
}
