//! Reading how given bytes were written: every string and number with its spelling, objects with
//! their key order and duplicates, and the layout seen (whitespace, line endings, escapes).

use super::{Indent, Layout, LineEnding};
use serde_json::Value;
use std::fmt;

/// A JSON value exactly as written: strings and numbers keep their spelling, objects their key
/// order (and any duplicate keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawValue {
    Object(Vec<(RawString, RawValue)>),
    Array(Vec<RawValue>),
    String(RawString),
    /// The number as written, e.g. `1e3` or `-0`.
    Number(String),
    /// `true`, `false` or `null`.
    Literal(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawString {
    /// What stands between the quotes, escapes included.
    pub written: String,
    /// The text it means.
    pub text: String,
}

/// The whitespace layout found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeenLayout {
    /// Exactly one of the layouts [`write`] produces.
    Known(Layout),
    /// Whitespace no single [`Layout`] explains (hand edits, mixed indents, spaces before `:`).
    Irregular,
}

impl fmt::Display for SeenLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeenLayout::Known(layout) => layout.fmt(f),
            SeenLayout::Irregular => write!(f, "irregular whitespace"),
        }
    }
}

/// How a JSON text is laid out, apart from its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formatting {
    /// Starts with the UTF-8 byte order mark EF BB BF.
    pub bom: bool,
    /// Whitespace before the value (after any BOM).
    pub leading_whitespace: bool,
    pub layout: SeenLayout,
    /// The line ending used, `None` when there is no line break or both kinds appear.
    pub line_ending: Option<LineEnding>,
    pub mixed_line_endings: bool,
    /// Whitespace after the value: `""`, `"\n"`, `"\r\n"`…
    pub trailing: String,
}

impl fmt::Display for Formatting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.bom {
            write!(f, "UTF-8 byte order mark, ")?;
        }
        write!(f, "{}", self.layout)?;
        if self.mixed_line_endings {
            write!(f, ", mixed LF and CRLF line endings")?;
        } else if self.line_ending == Some(LineEnding::CrLf) {
            write!(f, ", {}", LineEnding::CrLf)?;
        }
        match self.trailing.as_str() {
            "" => write!(f, ", no trailing newline"),
            "\n" | "\r\n" => write!(f, ", ending with a newline"),
            other => write!(f, ", ending with {other:?}"),
        }
    }
}

/// A JSON text read as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub root: RawValue,
    pub formatting: Formatting,
}

/// serde_json's nesting limit; deeper input is not JSON any tool here accepts.
pub(super) const MAX_DEPTH: usize = 128;

/// Reads `bytes` (optionally after a UTF-8 BOM) as one JSON text, keeping how it was written.
/// `None` when the bytes are not valid UTF-8 JSON.
pub fn read(bytes: &[u8]) -> Option<Written> {
    let (bom, body) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let text = std::str::from_utf8(body).ok()?;
    let mut reader = Reader {
        text,
        pos: 0,
        notes: Notes::default(),
    };
    let leading = reader.whitespace();
    let root = reader.value(0)?;
    let trailing = reader.whitespace();
    if reader.pos != text.len() {
        return None;
    }
    let notes = &reader.notes;
    let layout = if leading.is_empty() {
        notes.layout()
    } else {
        SeenLayout::Irregular
    };
    reader.notes.count_line_endings(leading);
    reader.notes.count_line_endings(trailing);
    let notes = &reader.notes;
    Some(Written {
        root,
        formatting: Formatting {
            bom,
            leading_whitespace: !leading.is_empty(),
            layout,
            line_ending: match (notes.lf, notes.crlf) {
                (0, 0) => None,
                (_, 0) => Some(LineEnding::Lf),
                (0, _) => Some(LineEnding::CrLf),
                _ => None,
            },
            mixed_line_endings: notes.lf > 0 && notes.crlf > 0,
            trailing: trailing.to_owned(),
        },
    })
}

/// Where whitespace stands, which decides what each layout puts there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Site {
    /// After `{`, `[` or `,`, before a member at `depth`; `after_comma` tells which.
    BeforeMember {
        depth: usize,
        after_comma: bool,
    },
    /// Before the `}` or `]` closing a container at `depth`.
    BeforeClose {
        depth: usize,
    },
    /// Inside `{}` or `[]`.
    Empty,
    AfterColon,
    /// Before `,` or `:`: no layout puts whitespace there.
    BeforePunctuation,
}

/// What the whitespace seen so far is consistent with.
struct Notes {
    compact: bool,
    spaced: bool,
    indented: bool,
    unit: Option<String>,
    lf: usize,
    crlf: usize,
}

impl Default for Notes {
    fn default() -> Notes {
        Notes {
            compact: true,
            spaced: true,
            indented: true,
            unit: None,
            lf: 0,
            crlf: 0,
        }
    }
}

impl Notes {
    fn count_line_endings(&mut self, ws: &str) {
        let crlf = ws.matches("\r\n").count();
        self.crlf += crlf;
        self.lf += ws.matches('\n').count() - crlf;
    }

    fn see(&mut self, site: Site, ws: &str) {
        self.count_line_endings(ws);
        if !ws.is_empty() {
            self.compact = false;
        }
        self.spaced &= match site {
            Site::BeforeMember { after_comma, .. } => ws == if after_comma { " " } else { "" },
            Site::AfterColon => ws == " ",
            Site::BeforeClose { .. } | Site::Empty | Site::BeforePunctuation => ws.is_empty(),
        };
        let ok = match site {
            Site::BeforeMember { depth, .. } | Site::BeforeClose { depth } => self.line(ws, depth),
            Site::AfterColon => ws == " ",
            Site::Empty | Site::BeforePunctuation => ws.is_empty(),
        };
        self.indented &= ok;
    }

    /// Whether `ws` is one line break followed by `depth` indentation units.
    fn line(&mut self, ws: &str, depth: usize) -> bool {
        let Some(indent) = ws.strip_prefix("\r\n").or_else(|| ws.strip_prefix('\n')) else {
            return false;
        };
        if self.unit.is_none() && depth == 1 {
            let uniform = indent.bytes().all(|b| b == b' ') || indent.bytes().all(|b| b == b'\t');
            if indent.is_empty() || !uniform {
                return false;
            }
            self.unit = Some(indent.to_owned());
        }
        match &self.unit {
            Some(unit) => {
                indent.len() == unit.len() * depth
                    && indent.as_bytes().chunks(unit.len()).all(|c| c == unit.as_bytes())
            }
            None => indent.is_empty() && depth == 0,
        }
    }

    fn layout(&self) -> SeenLayout {
        if self.compact {
            return SeenLayout::Known(Layout::Compact);
        }
        if self.indented {
            let indent = match self.unit.as_deref() {
                Some("\t") => Some(Indent::Tab),
                Some(unit) if unit.bytes().all(|b| b == b' ') => {
                    u8::try_from(unit.len()).ok().map(Indent::Spaces)
                }
                _ => None,
            };
            if let Some(indent) = indent {
                return SeenLayout::Known(Layout::Indented(indent));
            }
        }
        if self.spaced && self.lf == 0 && self.crlf == 0 {
            return SeenLayout::Known(Layout::Spaced);
        }
        SeenLayout::Irregular
    }
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
    notes: Notes,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn whitespace(&mut self) -> &'a str {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
        self.text.get(start..self.pos).unwrap_or("")
    }

    fn site(&mut self, site: Site) {
        let ws = self.whitespace();
        self.notes.see(site, ws);
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek() == Some(byte)).then(|| self.pos += 1)
    }

    fn value(&mut self, depth: usize) -> Option<RawValue> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'{' => self.container(depth, b'}').map(|members| {
                RawValue::Object(
                    members
                        .into_iter()
                        .filter_map(|m| m.0.map(|k| (k, m.1)))
                        .collect(),
                )
            }),
            b'[' => self
                .container(depth, b']')
                .map(|items| RawValue::Array(items.into_iter().map(|m| m.1).collect())),
            b'"' => self.string().map(RawValue::String),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            _ => self.number(),
        }
    }

    /// An object (`close` = `}`: members have keys) or an array (`]`: they do not).
    fn container(&mut self, depth: usize, close: u8) -> Option<Vec<(Option<RawString>, RawValue)>> {
        self.pos += 1;
        let inner = depth + 1;
        let ws = self.whitespace();
        let mut members = Vec::new();
        if self.eat(close).is_some() {
            self.notes.see(Site::Empty, ws);
            return Some(members);
        }
        self.notes.see(
            Site::BeforeMember {
                depth: inner,
                after_comma: false,
            },
            ws,
        );
        loop {
            let key = if close == b'}' {
                let key = self.string()?;
                self.site(Site::BeforePunctuation);
                self.eat(b':')?;
                self.site(Site::AfterColon);
                Some(key)
            } else {
                None
            };
            let member = self.value(inner)?;
            members.push((key, member));
            let ws = self.whitespace();
            if self.eat(close).is_some() {
                self.notes.see(Site::BeforeClose { depth }, ws);
                return Some(members);
            }
            self.notes.see(Site::BeforePunctuation, ws);
            self.eat(b',')?;
            self.site(Site::BeforeMember {
                depth: inner,
                after_comma: true,
            });
        }
    }

    fn literal(&mut self, word: &'static str) -> Option<RawValue> {
        let rest = self.text.get(self.pos..)?;
        rest.starts_with(word).then(|| {
            self.pos += word.len();
            RawValue::Literal(word)
        })
    }

    fn number(&mut self) -> Option<RawValue> {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')) {
            self.pos += 1;
        }
        let written = self.text.get(start..self.pos)?;
        // serde_json decides what a valid number is.
        match serde_json::from_str::<Value>(written) {
            Ok(Value::Number(_)) => Some(RawValue::Number(written.to_owned())),
            _ => None,
        }
    }

    fn string(&mut self) -> Option<RawString> {
        self.eat(b'"')?;
        let start = self.pos;
        let mut text = String::new();
        loop {
            let rest = self.text.get(self.pos..)?;
            let c = rest.chars().next()?;
            self.pos += c.len_utf8();
            match c {
                '"' => break,
                '\\' => text.push(self.escape()?),
                '\u{0}'..='\u{1f}' => return None,
                c => text.push(c),
            }
        }
        let written = self.text.get(start..self.pos - 1)?.to_owned();
        Some(RawString { written, text })
    }

    fn escape(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                if (0xD800..0xDC00).contains(&first) {
                    self.eat(b'\\')?;
                    self.eat(b'u')?;
                    let second = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return None;
                    }
                    char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))?
                } else {
                    char::from_u32(first)?
                }
            }
            _ => return None,
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        let value = u32::from_str_radix(digits, 16).ok()?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        Some(value)
    }
}
