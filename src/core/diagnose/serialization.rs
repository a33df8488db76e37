//! Two byte forms of one JSON value: what differs in how they are written (whitespace, key
//! order, escapes, numbers), named so the user recognises the tool that wrote each.

use super::json_diff::{item_path, member_path};
use super::Side;
use crate::core::reserialize::{Formatting, KeyOrder, LineEnding, RawValue, SeenLayout};
use std::fmt;

/// A way two spellings of one escaped string differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscapeKind {
    /// `<`, `>`, `&` as `\u003c`, `\u003e`, `\u0026`: Go's `json.Marshal` default.
    Html,
    /// U+2028/U+2029 as `\u2028`/`\u2029`: Go always does this.
    LineSeparator,
    /// Non-ASCII as `\uXXXX`: Python's default.
    NonAscii,
    /// `/` as `\/`.
    Slash,
    /// `\b`/`\f` versus `\u0008`/`\u000c`: Go before 1.22 wrote the long forms.
    ControlCharacter,
    /// `\u00e9` versus `\u00E9`.
    HexCase,
    Other,
}

impl fmt::Display for EscapeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EscapeKind::Html => {
                "Go's json.Marshal writes <, > and & as \\u003c, \\u003e and \\u0026; most other tools write them as they are"
            }
            EscapeKind::LineSeparator => "Go writes U+2028 and U+2029 as \\u2028 and \\u2029; other tools write them as they are",
            EscapeKind::NonAscii => "one side writes non-ASCII characters as \\u escapes (Python's default)",
            EscapeKind::Slash => "one side writes / as \\/",
            EscapeKind::ControlCharacter => "\\b and \\f against \\u0008 and \\u000c (Go before 1.22 wrote the long forms)",
            EscapeKind::HexCase => "the \\u escapes use upper- against lowercase hex digits",
            EscapeKind::Other => "the same characters are escaped differently",
        })
    }
}

/// One way the bytes of two equal JSON values differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SerializationDifference {
    ByteOrderMark {
        a: bool,
        b: bool,
    },
    Whitespace {
        a: SeenLayout,
        b: SeenLayout,
    },
    LineEndings {
        a: Option<LineEnding>,
        b: Option<LineEnding>,
    },
    /// What follows the value on each side (`""`, `"\n"`…).
    TrailingWhitespace {
        a: String,
        b: String,
    },
    KeyOrder {
        /// The first object whose keys are in another order.
        path: String,
        a: Vec<String>,
        b: Vec<String>,
        /// How many objects differ in order.
        objects: usize,
        /// The Go struct (or sorted) order each side follows, if any.
        a_order: Option<KeyOrder>,
        b_order: Option<KeyOrder>,
    },
    StringEscaping {
        path: String,
        a: String,
        b: String,
        kind: EscapeKind,
        strings: usize,
    },
    NumberSpelling {
        path: String,
        a: String,
        b: String,
        numbers: usize,
    },
}

impl SerializationDifference {
    pub fn slug(&self) -> &'static str {
        match self {
            SerializationDifference::ByteOrderMark { .. } => "byte-order-mark",
            SerializationDifference::Whitespace { .. } => "whitespace",
            SerializationDifference::LineEndings { .. } => "line-endings",
            SerializationDifference::TrailingWhitespace { .. } => "trailing-newline",
            SerializationDifference::KeyOrder { .. } => "key-order",
            SerializationDifference::StringEscaping { .. } => "string-escaping",
            SerializationDifference::NumberSpelling { .. } => "number-spelling",
        }
    }

    pub(super) fn name(&self) -> &'static str {
        match self {
            SerializationDifference::ByteOrderMark { .. } => "byte order mark",
            SerializationDifference::Whitespace { .. } => "whitespace",
            SerializationDifference::LineEndings { .. } => "line endings",
            SerializationDifference::TrailingWhitespace { .. } => "trailing newline",
            SerializationDifference::KeyOrder { .. } => "key order",
            SerializationDifference::StringEscaping { .. } => "string escaping",
            SerializationDifference::NumberSpelling { .. } => "number spelling",
        }
    }
}

pub(super) fn at(path: &str) -> String {
    if path.is_empty() {
        "the top level".to_owned()
    } else {
        path.to_owned()
    }
}

fn ending(trailing: &str) -> String {
    match trailing {
        "" => "ends right after the closing bracket".to_owned(),
        "\n" => "ends with a newline".to_owned(),
        "\r\n" => "ends with a CRLF newline".to_owned(),
        other => format!("ends with {other:?}"),
    }
}

fn line_endings(ending: Option<LineEnding>) -> String {
    ending.map_or_else(|| "mixed line endings".to_owned(), |e| e.to_string())
}

impl fmt::Display for SerializationDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SerializationDifference::ByteOrderMark { a, b } => {
                let (with, without) = if *a {
                    (Side::A, Side::B)
                } else {
                    (Side::B, Side::A)
                };
                debug_assert_ne!(a, b);
                write!(
                    f,
                    "Byte order mark: {with} starts with the UTF-8 BOM (EF BB BF), {without} does not."
                )
            }
            SerializationDifference::Whitespace { a, b } if a == b => {
                write!(f, "Whitespace: both have {a}, but not the same.")
            }
            SerializationDifference::Whitespace { a, b } => write!(f, "Whitespace: A is {a}, B is {b}."),
            SerializationDifference::LineEndings { a, b } => write!(
                f,
                "Line endings: A has {}, B has {}.",
                line_endings(*a),
                line_endings(*b)
            ),
            SerializationDifference::TrailingWhitespace { a, b } => {
                write!(f, "Trailing newline: A {}, B {}.", ending(a), ending(b))
            }
            SerializationDifference::KeyOrder {
                path,
                a,
                b,
                objects,
                a_order,
                b_order,
            } => {
                write!(
                    f,
                    "Key order: at {}, A has {} and B has {}",
                    at(path),
                    a.join(", "),
                    b.join(", ")
                )?;
                if *objects > 1 {
                    write!(f, " ({objects} objects differ in key order)")?;
                }
                write!(f, ".")?;
                for (side, order) in [(Side::A, a_order), (Side::B, b_order)] {
                    match order {
                        Some(KeyOrder::Sorted) => {
                            write!(f, " {side} has every object's keys sorted (a Go map, jq -S).")?
                        }
                        Some(KeyOrder::Docker) => write!(
                            f,
                            " {side} is in the Go struct order of docker/distribution and crane (mediaType, size, digest)."
                        )?,
                        Some(KeyOrder::Oci) => write!(
                            f,
                            " {side} is in the Go struct order of the OCI image-spec (mediaType, digest, size)."
                        )?,
                        Some(KeyOrder::AsInput) | None => {}
                    }
                }
                Ok(())
            }
            SerializationDifference::StringEscaping {
                path,
                a,
                b,
                kind,
                strings,
            } => {
                let (a, b) = excerpts(a, b);
                write!(
                    f,
                    "String escaping: at {}, A writes \"{a}\" and B writes \"{b}\": {kind}",
                    at(path)
                )?;
                if *strings > 1 {
                    write!(f, " ({strings} strings are escaped differently)")?;
                }
                write!(f, ".")
            }
            SerializationDifference::NumberSpelling { path, a, b, numbers } => {
                write!(
                    f,
                    "Number spelling: at {}, A writes {a} and B writes {b}",
                    at(path)
                )?;
                if *numbers > 1 {
                    write!(f, " ({numbers} numbers are written differently)")?;
                }
                write!(f, ".")
            }
        }
    }
}

/// The parts of two long strings around their first difference, marked with … where cut.
pub(super) fn excerpts(a: &str, b: &str) -> (String, String) {
    const BEFORE: usize = 12;
    const AFTER: usize = 28;
    let first = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    let cut = |s: &str| {
        let start = s
            .char_indices()
            .map(|(i, _)| i)
            .take_while(|&i| i <= first)
            .find(|&i| i + BEFORE >= first)
            .unwrap_or(0);
        let end = s
            .char_indices()
            .map(|(i, _)| i)
            .find(|&i| i >= first + AFTER)
            .unwrap_or(s.len());
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        out.push_str(s.get(start..end).unwrap_or(s));
        if end < s.len() {
            out.push('…');
        }
        out
    };
    (cut(a), cut(b))
}

/// The ways two byte forms of one JSON value differ, in the order a reader checks them.
pub(super) fn serialization_differences(
    a: &RawValue,
    fa: &Formatting,
    b: &RawValue,
    fb: &Formatting,
) -> Vec<SerializationDifference> {
    let mut differences = Vec::new();
    if fa.bom != fb.bom {
        differences.push(SerializationDifference::ByteOrderMark { a: fa.bom, b: fb.bom });
    }
    if fa.layout != fb.layout {
        differences.push(SerializationDifference::Whitespace {
            a: fa.layout,
            b: fb.layout,
        });
    }
    let breaks = |f: &Formatting| f.line_ending.is_some() || f.mixed_line_endings;
    if breaks(fa)
        && breaks(fb)
        && (fa.line_ending, fa.mixed_line_endings) != (fb.line_ending, fb.mixed_line_endings)
    {
        differences.push(SerializationDifference::LineEndings {
            a: fa.line_ending,
            b: fb.line_ending,
        });
    }
    if fa.trailing != fb.trailing {
        differences.push(SerializationDifference::TrailingWhitespace {
            a: fa.trailing.clone(),
            b: fb.trailing.clone(),
        });
    }
    let mut walk = RawWalk::default();
    walk.walk(a, b, "");
    differences.extend(walk.into_differences());
    if differences.is_empty() {
        // Same layout summary, same tokens: what is left is whitespace the summary does not tell apart.
        differences.push(SerializationDifference::Whitespace {
            a: fa.layout,
            b: fb.layout,
        });
    }
    differences
}

/// Walks two raw trees of one JSON value, noting the first and the number of each difference.
#[derive(Default)]
struct RawWalk {
    key_order: Option<(String, Vec<String>, Vec<String>)>,
    key_orders: usize,
    escaping: Option<(String, String, String, EscapeKind)>,
    escapings: usize,
    number: Option<(String, String, String)>,
    numbers: usize,
}

impl RawWalk {
    fn walk(&mut self, a: &RawValue, b: &RawValue, path: &str) {
        match (a, b) {
            (RawValue::Object(x), RawValue::Object(y)) => {
                let keys_a: Vec<String> = x.iter().map(|(k, _)| k.text.clone()).collect();
                let keys_b: Vec<String> = y.iter().map(|(k, _)| k.text.clone()).collect();
                if keys_a != keys_b {
                    self.key_orders += 1;
                    self.key_order
                        .get_or_insert_with(|| (path.to_owned(), keys_a, keys_b));
                }
                for (key, value) in x {
                    if let Some((other_key, other)) = y.iter().find(|(k, _)| k.text == key.text) {
                        let child = member_path(path, &key.text);
                        self.string(&key.written, &other_key.written, &child);
                        self.walk(value, other, &child);
                    }
                }
            }
            (RawValue::Array(x), RawValue::Array(y)) => {
                for (i, (v, w)) in x.iter().zip(y).enumerate() {
                    self.walk(v, w, &item_path(path, i));
                }
            }
            (RawValue::String(x), RawValue::String(y)) => self.string(&x.written, &y.written, path),
            (RawValue::Number(x), RawValue::Number(y)) if x != y => {
                self.numbers += 1;
                self.number
                    .get_or_insert_with(|| (path.to_owned(), x.clone(), y.clone()));
            }
            _ => {}
        }
    }

    fn string(&mut self, a: &str, b: &str, path: &str) {
        if a != b {
            self.escapings += 1;
            self.escaping
                .get_or_insert_with(|| (path.to_owned(), a.to_owned(), b.to_owned(), escape_kind(a, b)));
        }
    }

    fn into_differences(self) -> Vec<SerializationDifference> {
        let mut differences = Vec::new();
        if let Some((path, a, b)) = self.key_order {
            differences.push(SerializationDifference::KeyOrder {
                path,
                a,
                b,
                objects: self.key_orders,
                a_order: None,
                b_order: None,
            });
        }
        if let Some((path, a, b, kind)) = self.escaping {
            differences.push(SerializationDifference::StringEscaping {
                path,
                a,
                b,
                kind,
                strings: self.escapings,
            });
        }
        if let Some((path, a, b)) = self.number {
            differences.push(SerializationDifference::NumberSpelling {
                path,
                a,
                b,
                numbers: self.numbers,
            });
        }
        differences
    }
}

/// Splits a string as written into (spelling, character) units; a surrogate pair is one unit.
fn spelled_units(written: &str) -> Vec<(&str, Option<char>)> {
    let mut units = Vec::new();
    let mut rest = written;
    while let Some(c) = rest.chars().next() {
        let len = if c != '\\' {
            c.len_utf8()
        } else if rest.get(1..2) == Some("u") {
            let high = rest.get(2..6).and_then(|h| u32::from_str_radix(h, 16).ok());
            if high.is_some_and(|h| (0xD800..0xDC00).contains(&h)) {
                12
            } else {
                6
            }
        } else {
            2
        };
        let len = len.min(rest.len());
        let (unit, tail) = rest.split_at(
            rest.char_indices()
                .map(|(i, _)| i)
                .find(|&i| i >= len)
                .unwrap_or(rest.len()),
        );
        units.push((unit, decode_unit(unit)));
        rest = tail;
    }
    units
}

fn decode_unit(unit: &str) -> Option<char> {
    let Some(escape) = unit.strip_prefix('\\') else {
        return unit.chars().next();
    };
    match escape.chars().next()? {
        'u' => {
            let first = u32::from_str_radix(escape.get(1..5)?, 16).ok()?;
            match escape.get(7..11).and_then(|h| u32::from_str_radix(h, 16).ok()) {
                Some(second) => char::from_u32(
                    0x10000 + ((first.checked_sub(0xD800)?) << 10) + second.checked_sub(0xDC00)?,
                ),
                None => char::from_u32(first),
            }
        }
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        other => Some(other),
    }
}

/// Classifies the first place two spellings of the same text differ.
pub(super) fn escape_kind(a: &str, b: &str) -> EscapeKind {
    let units_a = spelled_units(a);
    let units_b = spelled_units(b);
    let Some(((spelled_a, c), (spelled_b, _))) = units_a.iter().zip(&units_b).find(|(x, y)| x.0 != y.0)
    else {
        return EscapeKind::Other;
    };
    let both_u = spelled_a.starts_with("\\u") && spelled_b.starts_with("\\u");
    match c {
        Some('<' | '>' | '&') => EscapeKind::Html,
        Some('\u{2028}' | '\u{2029}') => EscapeKind::LineSeparator,
        Some('/') => EscapeKind::Slash,
        Some('\u{8}' | '\u{c}') => EscapeKind::ControlCharacter,
        _ if both_u => EscapeKind::HexCase,
        Some(c) if !c.is_ascii() => EscapeKind::NonAscii,
        _ => EscapeKind::Other,
    }
}
