//! Where two byte strings first differ, with the text around it: the place a reader looks first.

/// Where two byte strings first differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// Byte offset of the first differing byte (or the length of the shorter input).
    pub offset: usize,
    /// 1-based line and column (in characters) of that offset; the prefix is common to both.
    pub line: usize,
    pub column: usize,
    /// The text around the offset on each side, with control characters shown as escapes.
    pub context_a: String,
    pub context_b: String,
}

const CONTEXT_BEFORE: usize = 24;
const CONTEXT_AFTER: usize = 40;

/// The first place `a` and `b` differ, `None` when they are equal.
pub fn first_divergence(a: &[u8], b: &[u8]) -> Option<Divergence> {
    let offset = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    if offset == a.len() && offset == b.len() {
        return None;
    }
    let prefix = a.get(..offset).unwrap_or_default();
    let line_start = prefix.iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
    let line = 1 + prefix.iter().filter(|&&c| c == b'\n').count();
    let column = 1 + String::from_utf8_lossy(prefix.get(line_start..).unwrap_or_default())
        .chars()
        .count();
    let start = line_start.max(offset.saturating_sub(CONTEXT_BEFORE));
    Some(Divergence {
        offset,
        line,
        column,
        context_a: context(a, start, offset + CONTEXT_AFTER),
        context_b: context(b, start, offset + CONTEXT_AFTER),
    })
}

/// `bytes[start..end]` as text, widened to whole UTF-8 characters, with control characters escaped.
fn context(bytes: &[u8], start: usize, end: usize) -> String {
    let is_continuation = |i: usize| bytes.get(i).is_some_and(|b| b & 0xC0 == 0x80);
    let mut start = start.min(bytes.len());
    while start > 0 && is_continuation(start) {
        start -= 1;
    }
    let mut end = end.min(bytes.len());
    while end < bytes.len() && is_continuation(end) {
        end += 1;
    }
    String::from_utf8_lossy(bytes.get(start..end).unwrap_or_default())
        .chars()
        .map(|c| match c {
            '\n' => "\\n".to_owned(),
            '\r' => "\\r".to_owned(),
            '\t' => "\\t".to_owned(),
            '\u{feff}' => "\\u{feff}".to_owned(),
            c if c.is_control() => format!("\\u{{{:x}}}", u32::from(c)),
            c => c.to_string(),
        })
        .collect()
}
