//! The answer to "why do these digests differ?": the verdict, the evidence it rests on, the JSON
//! paths that differ and the first byte where the two documents part.
//!
//! Large documents can differ in thousands of paths; the page draws at most [`SHOWN_CHANGES`] of
//! them and cuts long values, so the answer stays quick to show and to read. The analysis worker
//! computes the answer (`core::diagnose::report`); the byte window is drawn from the page's bytes.

use crate::core::diagnose::report::{ChangeRow, ComparisonReport, DivergenceAt, Said, SHOWN_CHANGES};
use crate::core::diagnose::Side;
use crate::ui::comparison_worker::{Answered, ComparisonState};
use crate::ui::state::Handle;
use yew::prelude::*;

/// Bytes shown before the first difference (common to both sides) and after it (per side).
const BYTES_BEFORE: usize = 32;
const BYTES_AFTER: usize = 48;

#[derive(Properties, PartialEq)]
pub struct ComparisonViewProps {
    /// The analysis worker's answer about `a` and `b`, or where it stands.
    pub state: ComparisonState,
    pub a: Handle,
    pub b: Handle,
    /// Whether to draw the verdict; the two-images form draws its own around it.
    #[prop_or(true)]
    pub verdict: bool,
}

#[function_component(ComparisonView)]
pub fn comparison_view(props: &ComparisonViewProps) -> Html {
    let comparison = match &props.state {
        Answered::Done(report) => report,
        Answered::Idle | Answered::Working => {
            return html! {
                <p class="muted" role="status" data-testid="compare-pending">{ "Comparing…" }</p>
            };
        }
        Answered::Failed(message) => {
            return html! {
                <p class="error" role="alert" data-testid="compare-error">{ message.clone() }</p>
            };
        }
    };
    let both_json = props.a.0.analysis().json.is_some() && props.b.0.analysis().json.is_some();
    html! {
        <div class="comparison" data-testid="comparison">
            if props.verdict {
                { verdict_view(&comparison.verdict, &comparison.differences) }
            }
            <h3>{ "Evidence" }</h3>
            <table class="evidence" data-testid="evidence">
                <thead>
                    <tr><th scope="col">{ "What" }</th><th scope="col">{ "A" }</th><th scope="col">{ "B" }</th><th scope="col">{ "Same?" }</th></tr>
                </thead>
                <tbody>
                    { for comparison.evidence.iter().map(|row| html! {
                        <tr data-testid="evidence-row" data-label={row.label.clone()} data-same={row.same.to_string()}
                            class={if row.same { "same" } else { "differs" }}>
                            <th scope="row">{ row.label.clone() }</th>
                            <td><code>{ row.a.clone() }</code></td>
                            <td><code>{ row.b.clone() }</code></td>
                            <td>{ if row.same { "same" } else { "differs" } }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if comparison.hidden_evidence > 0 {
                <p class="muted" data-testid="evidence-more">{ hidden_evidence(comparison) }</p>
            }
            <h3>{ "What differs in the JSON" }</h3>
            { json_diff_view(comparison, both_json) }
            <h3>{ "Where the bytes first differ" }</h3>
            { divergence_view(comparison.divergence.as_ref(), props.a.0.bytes(), props.b.0.bytes()) }
        </div>
    }
}

/// What the rows not drawn hold, so a difference is never hidden silently.
fn hidden_evidence(comparison: &ComparisonReport) -> String {
    format!(
        "… and {} more row(s), not drawn to keep the page quick: {} of them differ between A and B.",
        comparison.hidden_evidence, comparison.hidden_evidence_differ
    )
}

fn verdict_view(verdict: &Said, differences: &[Said]) -> Html {
    html! {
        <div class="verdict" data-testid="verdict" data-verdict={verdict.slug.clone()} role="status" aria-live="polite">
            <p>{ verdict.text.clone() }</p>
            if !differences.is_empty() {
                <ul class="differences">
                    { for differences.iter().map(|d| html! {
                        <li data-testid="serialization-difference" data-difference={d.slug.clone()}>{ d.text.clone() }</li>
                    }) }
                </ul>
            }
        </div>
    }
}

fn json_diff_view(comparison: &ComparisonReport, both_json: bool) -> Html {
    if !both_json {
        return html! {
            <p class="muted" data-testid="json-diff-none">{ "At least one side is not JSON, so there is no structural diff: see the bytes below." }</p>
        };
    }
    let counts = &comparison.counts;
    if counts.total == 0 {
        return html! {
            <p data-testid="json-diff-none">{ "None: the two JSON values are equal (key order and number spelling aside). Every difference is in how they are written." }</p>
        };
    }
    html! {
        <>
            <p data-testid="json-diff-summary">
                { format!("{} path(s) differ: {} only in A (removed), {} only in B (added), {} changed.",
                    counts.total, counts.removed, counts.added, counts.changed) }
            </p>
            <table class="json-diff" data-testid="json-diff">
                <thead>
                    <tr><th scope="col">{ "Change" }</th><th scope="col">{ "Path" }</th><th scope="col">{ "A" }</th><th scope="col">{ "B" }</th></tr>
                </thead>
                <tbody>
                    { for comparison.changes.iter().map(change_row) }
                </tbody>
            </table>
            if counts.total > SHOWN_CHANGES {
                <p class="muted" data-testid="json-diff-more">
                    { format!("… and {} more path(s), not drawn to keep the page quick.", counts.total - SHOWN_CHANGES) }
                </p>
            }
        </>
    }
}

fn change_row(change: &ChangeRow) -> Html {
    let path = if change.path.is_empty() {
        "(the whole document)".to_owned()
    } else {
        change.path.clone()
    };
    let label = match change.slug.as_str() {
        "added" => "only in B",
        "removed" => "only in A",
        _ => "changed",
    };
    let cell = |v: &Option<String>| match v {
        Some(v) => html! { <td><code>{ v.clone() }</code></td> },
        None => html! { <td class="muted">{ "—" }</td> },
    };
    html! {
        <tr data-testid="change" data-change={change.slug.clone()} data-path={change.path.clone()}>
            <td>{ label }</td>
            <td><code>{ path }</code></td>
            { cell(&change.a) }
            { cell(&change.b) }
        </tr>
    }
}

/// One shown piece of text: a character as it is, or an invisible one made visible.
struct Token {
    text: String,
    invisible: bool,
}

impl Token {
    fn shown(text: impl Into<String>) -> Token {
        Token {
            text: text.into(),
            invisible: false,
        }
    }

    fn made_visible(text: impl Into<String>) -> Token {
        Token {
            text: text.into(),
            invisible: true,
        }
    }
}

fn char_token(c: char) -> Token {
    match c {
        ' ' => Token::made_visible("·"),
        '\t' => Token::made_visible("⇥"),
        '\n' => Token::made_visible("↵"),
        '\r' => Token::made_visible("⟨CR⟩"),
        '\u{feff}' => Token::made_visible("⟨BOM⟩"),
        '\u{a0}' => Token::made_visible("⟨NBSP⟩"),
        c if c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{2060}') =>
        {
            Token::made_visible(format!("⟨U+{:04X}⟩", u32::from(c)))
        }
        c => Token::shown(c),
    }
}

/// The bytes as tokens, one per character or per byte that is not UTF-8.
fn tokens(bytes: &[u8]) -> Vec<Token> {
    let mut out = Vec::new();
    for chunk in bytes.utf8_chunks() {
        out.extend(chunk.valid().chars().map(char_token));
        out.extend(
            chunk
                .invalid()
                .iter()
                .map(|b| Token::made_visible(format!("⟨0x{b:02X}⟩"))),
        );
    }
    out
}

fn is_continuation(bytes: &[u8], i: usize) -> bool {
    bytes.get(i).is_some_and(|b| b & 0xC0 == 0x80)
}

/// `i` moved back to the start of the UTF-8 character it falls in (at most 3 bytes back).
fn char_start(bytes: &[u8], mut i: usize) -> usize {
    let floor = i.saturating_sub(3);
    while i > floor && is_continuation(bytes, i) {
        i -= 1;
    }
    i
}

/// `i` moved forward to the end of the UTF-8 character it falls in.
fn char_end(bytes: &[u8], mut i: usize) -> usize {
    let ceiling = (i + 3).min(bytes.len());
    while i < ceiling && is_continuation(bytes, i) {
        i += 1;
    }
    i
}

fn tokens_html(tokens: &[Token]) -> Html {
    html! {
        { for tokens.iter().map(|t| if t.invisible {
            // A line feed also breaks the line, so indentation reads as it is.
            let tail = if t.text == "↵" { "\n" } else { "" };
            html! { <><span class="ws">{ t.text.clone() }</span>{ tail }</> }
        } else {
            html! { { t.text.clone() } }
        }) }
    }
}

/// What the byte at `offset` is, or that the side ends there.
fn byte_at(bytes: &[u8], offset: usize, side: Side) -> String {
    let Some(&byte) = bytes.get(offset) else {
        return format!("{side} ends here: it is {} bytes long.", bytes.len());
    };
    let name = match byte {
        b' ' => "a space".to_owned(),
        b'\n' => "a line feed (LF)".to_owned(),
        b'\r' => "a carriage return (CR)".to_owned(),
        b'\t' => "a tab".to_owned(),
        0xEF if bytes.get(offset..offset + 3) == Some(b"\xEF\xBB\xBF") => {
            "the start of a UTF-8 byte order mark".to_owned()
        }
        0x21..=0x7E => format!("{:?}", char::from(byte)),
        0x80..=0xFF => "part of a multi-byte UTF-8 character".to_owned(),
        _ => "a control character".to_owned(),
    };
    format!("{side} has byte 0x{byte:02x}: {name}.")
}

fn side_window(bytes: &[u8], offset: usize, side: Side) -> Html {
    let start = char_start(bytes, offset.saturating_sub(BYTES_BEFORE));
    let split = char_start(bytes, offset.min(bytes.len()));
    let end = char_end(bytes, (offset + BYTES_AFTER).min(bytes.len()));
    let before = tokens(bytes.get(start..split).unwrap_or_default());
    let rest = tokens(bytes.get(split..end).unwrap_or_default());
    let (first, after) = rest.split_first().map_or((None, &[][..]), |(f, a)| (Some(f), a));
    let slug = side.to_string().to_ascii_lowercase();
    html! {
        <div class="byte-side">
            <div class="byte-label">
                <strong>{ side.to_string() }</strong>
                <span class="muted" data-testid={format!("divergence-byte-{slug}")}>{ byte_at(bytes, offset, side) }</span>
            </div>
            <pre class="bytes-window" data-testid={format!("divergence-{slug}")}>
                if start > 0 { <span class="muted">{ "…" }</span> }
                <span class="common">{ tokens_html(&before) }</span>
                if let Some(first) = first {
                    <mark>{ tokens_html(std::slice::from_ref(first)) }</mark>
                } else {
                    <mark class="end">{ "⟨end⟩" }</mark>
                }
                { tokens_html(after) }
                if end < bytes.len() { <span class="muted">{ "…" }</span> }
            </pre>
        </div>
    }
}

fn common_prefix(offset: usize) -> String {
    match offset {
        0 => "The very first byte differs.".to_owned(),
        1 => "The first byte is the same in both.".to_owned(),
        n => format!("The {n} bytes before it are the same in both."),
    }
}

fn divergence_view(divergence: Option<&DivergenceAt>, a: &[u8], b: &[u8]) -> Html {
    let Some(d) = divergence else {
        return html! { <p data-testid="divergence-none">{ "Nowhere: the bytes are identical." }</p> };
    };
    html! {
        <div class="divergence" data-testid="divergence" data-offset={d.offset.to_string()}
            data-line={d.line.to_string()} data-column={d.column.to_string()}>
            <p data-testid="divergence-summary">
                { format!("At byte offset {} (line {}, column {}). {}",
                    d.offset, d.line, d.column, common_prefix(d.offset)) }
            </p>
            { side_window(a, d.offset, Side::A) }
            { side_window(b, d.offset, Side::B) }
            <p class="muted legend">
                { "Invisible characters are shown as " }
                <span class="ws">{ "·" }</span>{ " space, " }
                <span class="ws">{ "⇥" }</span>{ " tab, " }
                <span class="ws">{ "↵" }</span>{ " line feed, " }
                <span class="ws">{ "⟨CR⟩" }</span>{ " carriage return, " }
                <span class="ws">{ "⟨BOM⟩" }</span>{ " byte order mark, " }
                <span class="ws">{ "⟨0xNN⟩" }</span>{ " a byte that is not UTF-8; the first differing character is highlighted." }
            </p>
        </div>
    }
}
