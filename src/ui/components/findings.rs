//! The findings about one document, most severe first.

use super::digest_value::DigestValue;
use super::shown;
use crate::core::document::{Finding, Severity};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FindingsProps {
    pub findings: Vec<Finding>,
}

/// The CSS class a finding of this severity is drawn with (its list item, a card's findings count).
pub(super) fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Hint => "hint",
        Severity::Note => "note",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

#[function_component(Findings)]
pub fn findings(props: &FindingsProps) -> Html {
    if props.findings.is_empty() {
        return html! {};
    }
    let mut sorted: Vec<&Finding> = props.findings.iter().collect();
    sorted.sort_by_key(|f| std::cmp::Reverse(f.severity()));
    html! {
        <ul class="findings" data-testid="findings">
            { for sorted.into_iter().map(|finding| html! {
                <li class={severity_class(finding.severity())}>
                    { shown(&finding.to_string()) }
                    if let Finding::TrailingNewline { without } = finding {
                        <DigestValue digest={without.clone()} testid="digest-without-newline" />
                    }
                </li>
            }) }
        </ul>
    }
}
