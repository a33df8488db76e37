//! Writing a JSON value back the way common tools write it, byte for byte, and reading back how
//! given bytes were written.
//!
//! A digest is a hash of bytes, and one JSON value has many byte forms: Go's `json.Marshal` writes
//! it compact, docker/distribution indents by three spaces, BuildKit by two, editors by four or a
//! tab; Go escapes `<`, `>` and `&`; a Go struct puts a descriptor's `size` before or after its
//! `digest` depending on which library defined it. To tell a user "your copy is what tool X
//! writes", the page has to produce exactly those bytes: [`write`] does, and [`read`] recovers how
//! given bytes were laid out (whitespace, escapes, number spellings, key order).
//!
//! Checked against Go itself: `tests/fixtures/go-json` holds Go's output for hand-written inputs.
//!
//! Limits:
//! - Numbers are written as serde_json holds them: integers exactly; other numbers in serde_json's
//!   shortest form, which can differ from Go's (`1e21` vs `1e+21`) and from the input (`1.0`).
//!   Manifests and indexes hold integers only.
//! - The Go struct orders ([`KeyOrder::Docker`], [`KeyOrder::Oci`]) reorder manifests and indexes,
//!   their descriptors and platforms, and sort annotation maps as Go sorts map keys. Configs keep the
//!   input order. Fields a Go struct does not have are kept after the known ones (Go drops them).
//! - serde_json strings are valid UTF-8, so Go's rule for invalid UTF-8 (write `\ufffd`) never
//!   applies here.

mod reader;
#[cfg(test)]
mod tests;
mod writer;

pub use reader::{read, Formatting, RawString, RawValue, SeenLayout, Written};
pub use writer::write;
use writer::Shape;

use serde_json::Value;
use std::fmt;

/// The indentation unit of an indented layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Indent {
    Spaces(u8),
    Tab,
}

impl Indent {
    fn unit(self) -> String {
        match self {
            Indent::Spaces(n) => " ".repeat(usize::from(n)),
            Indent::Tab => "\t".to_owned(),
        }
    }
}

impl fmt::Display for Indent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Indent::Spaces(n) => write!(f, "{n}-space indent"),
            Indent::Tab => write!(f, "tab indent"),
        }
    }
}

/// Where whitespace goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// No whitespace at all: Go's `json.Marshal`, `jq -c`.
    Compact,
    /// One line, a space after every `,` and `:`: Python's `json.dumps` default.
    Spaced,
    /// One member per line, `": "` between key and value, `{}` and `[]` kept on one line: Go's
    /// `json.MarshalIndent`, `jq .`, `JSON.stringify(v, null, n)`, editors.
    Indented(Indent),
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layout::Compact => write!(f, "compact"),
            Layout::Spaced => write!(f, "one line with a space after , and :"),
            Layout::Indented(indent) => indent.fmt(f),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineEnding {
    Lf,
    CrLf,
}

impl LineEnding {
    fn bytes(self) -> &'static [u8] {
        match self {
            LineEnding::Lf => b"\n",
            LineEnding::CrLf => b"\r\n",
        }
    }
}

impl fmt::Display for LineEnding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LineEnding::Lf => "LF line endings",
            LineEnding::CrLf => "CRLF (Windows) line endings",
        })
    }
}

/// Which characters inside strings are written as escapes. Every escaping writes `"` and `\` as
/// `\"` and `\\`, and U+0000..U+001F as `\n`, `\r`, `\t` or `\u00XX` (lowercase hex).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Escaping {
    /// Go's encoding/json: U+2028 and U+2029 always escaped; with `html` (the default of
    /// `json.Marshal`; off with `Encoder.SetEscapeHTML(false)`) also `<`, `>`, `&` as `\u003c`,
    /// `\u003e`, `\u0026`. Go 1.22 and later write U+0008 and U+000C as `\b` and `\f`; before 1.22
    /// as `\u0008` and `\u000c`.
    Go { html: bool, before_1_22: bool },
    /// Only what JSON requires, `\b` and `\f` short: serde_json, `JSON.stringify`, jq, Python with
    /// `ensure_ascii=False`.
    Minimal,
    /// Minimal, plus every non-ASCII character as `\uXXXX` (UTF-16 surrogate pairs above U+FFFF):
    /// Python's `json.dumps` default.
    Ascii,
}

impl Escaping {
    /// What `json.Marshal` in a current Go does.
    pub const GO: Escaping = Escaping::Go {
        html: true,
        before_1_22: false,
    };
}

impl fmt::Display for Escaping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Escaping::Go { html, before_1_22 } => {
                if *html {
                    write!(f, "Go escaping (<, >, & written as \\u003c, \\u003e, \\u0026)")?;
                } else {
                    write!(f, "Go escaping without HTML escaping (SetEscapeHTML(false))")?;
                }
                if *before_1_22 {
                    write!(f, ", as Go before 1.22 (\\u0008, \\u000c)")?;
                }
                Ok(())
            }
            Escaping::Minimal => write!(f, "minimal escaping (<, >, & and non-ASCII as they are)"),
            Escaping::Ascii => write!(f, "non-ASCII escaped as \\uXXXX"),
        }
    }
}

/// The order object keys are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyOrder {
    /// As in the input (serde_json keeps it): what a tool that edits text or a generic JSON tree
    /// (jq, editors, JavaScript) keeps.
    AsInput,
    /// Every object's keys sorted bytewise: Go marshalling a `map[string]any`, `jq -S`, Python's
    /// `sort_keys=True`.
    Sorted,
    /// Go struct order of docker/distribution (`schema2`, `manifestlist`), containers/image's
    /// Docker types and go-containerregistry (crane): descriptor `mediaType, size, digest`.
    Docker,
    /// Go struct order of opencontainers/image-spec `specs-go/v1` (containerd, BuildKit,
    /// containers/image for OCI, oras): descriptor `mediaType, digest, size`.
    Oci,
}

impl fmt::Display for KeyOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyOrder::AsInput => "keys in the order written",
            KeyOrder::Sorted => "keys sorted",
            KeyOrder::Docker => "Docker key order (descriptor mediaType, size, digest)",
            KeyOrder::Oci => "OCI key order (descriptor mediaType, digest, size)",
        })
    }
}

/// One way of writing a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Style {
    pub layout: Layout,
    /// Used for the line breaks of an indented layout and for the trailing newline.
    pub line_ending: LineEnding,
    /// `json.Encoder.Encode`, `jq` and most editors end the text with a newline; `json.Marshal`
    /// does not.
    pub trailing_newline: bool,
    pub escaping: Escaping,
    pub keys: KeyOrder,
}

impl Style {
    /// Go's `json.Marshal`.
    pub const GO_MARSHAL: Style = Style {
        layout: Layout::Compact,
        line_ending: LineEnding::Lf,
        trailing_newline: false,
        escaping: Escaping::GO,
        keys: KeyOrder::AsInput,
    };

    /// Go's `json.MarshalIndent(v, "", unit)`.
    pub const fn go_indent(indent: Indent) -> Style {
        Style {
            layout: Layout::Indented(indent),
            ..Style::GO_MARSHAL
        }
    }

    pub const fn with_keys(self, keys: KeyOrder) -> Style {
        Style { keys, ..self }
    }

    pub const fn with_escaping(self, escaping: Escaping) -> Style {
        Style { escaping, ..self }
    }

    pub const fn with_trailing_newline(self) -> Style {
        Style {
            trailing_newline: true,
            ..self
        }
    }

    pub const fn with_crlf(self) -> Style {
        Style {
            line_ending: LineEnding::CrLf,
            ..self
        }
    }
}

impl fmt::Display for Style {
    /// The full description; the key order is left out when it is as written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.layout)?;
        let breaks = self.trailing_newline || matches!(self.layout, Layout::Indented(_));
        if breaks && self.line_ending == LineEnding::CrLf {
            write!(f, ", {}", self.line_ending)?;
        }
        if self.trailing_newline {
            write!(f, ", ending with a newline")?;
        }
        write!(f, ", {}", self.escaping)?;
        if self.keys != KeyOrder::AsInput {
            write!(f, ", {}", self.keys)?;
        }
        Ok(())
    }
}

/// Styles a user can name, each with the tools known to write it. Key order is as written: these
/// change whitespace and escapes only.
pub fn common_styles() -> Vec<(&'static str, Style)> {
    vec![
        (
            "compact, Go json.Marshal (crane, skopeo, podman, buildah)",
            Style::GO_MARSHAL,
        ),
        (
            "compact with a trailing newline (Go json.Encoder)",
            Style::GO_MARSHAL.with_trailing_newline(),
        ),
        (
            "2-space indent (newer BuildKit, docker buildx)",
            Style::go_indent(Indent::Spaces(2)),
        ),
        (
            "3-space indent (docker/distribution: docker push, registries; older BuildKit)",
            Style::go_indent(Indent::Spaces(3)),
        ),
        (
            "4-space indent (editors, formatters)",
            Style::go_indent(Indent::Spaces(4)).with_escaping(Escaping::Minimal),
        ),
        (
            "tab indent (editors, formatters)",
            Style::go_indent(Indent::Tab).with_escaping(Escaping::Minimal),
        ),
        (
            "jq . (2-space indent, trailing newline)",
            Style::go_indent(Indent::Spaces(2))
                .with_escaping(Escaping::Minimal)
                .with_trailing_newline(),
        ),
        (
            "Python json.dumps (spaces after , and :, non-ASCII escaped)",
            Style {
                layout: Layout::Spaced,
                escaping: Escaping::Ascii,
                ..Style::GO_MARSHAL
            },
        ),
    ]
}

const LAYOUTS: [Layout; 6] = [
    Layout::Compact,
    Layout::Indented(Indent::Spaces(3)),
    Layout::Indented(Indent::Spaces(2)),
    Layout::Indented(Indent::Spaces(4)),
    Layout::Indented(Indent::Tab),
    Layout::Spaced,
];

const ESCAPINGS: [Escaping; 4] = [
    Escaping::GO,
    Escaping::Go {
        html: false,
        before_1_22: false,
    },
    Escaping::Minimal,
    Escaping::Ascii,
];

const KEY_ORDERS: [KeyOrder; 4] = [
    KeyOrder::AsInput,
    KeyOrder::Oci,
    KeyOrder::Docker,
    KeyOrder::Sorted,
];

/// Every combination of layout (compact, indent 2/3/4/tab, spaced), trailing newline, line ending,
/// escaping and key order, most likely first. Line endings only vary where there is a line break.
/// Go before 1.22 is not among them: it differs only for U+0008 and U+000C.
pub fn variants() -> Vec<Style> {
    let mut styles = Vec::new();
    for keys in KEY_ORDERS {
        for escaping in ESCAPINGS {
            for layout in LAYOUTS {
                for trailing_newline in [false, true] {
                    let breaks = trailing_newline || matches!(layout, Layout::Indented(_));
                    let endings: &[LineEnding] = if breaks {
                        &[LineEnding::Lf, LineEnding::CrLf]
                    } else {
                        &[LineEnding::Lf]
                    };
                    for &line_ending in endings {
                        styles.push(Style {
                            layout,
                            line_ending,
                            trailing_newline,
                            escaping,
                            keys,
                        });
                    }
                }
            }
        }
    }
    styles
}

/// [`variants`] less those that cannot write `value` differently from an earlier one: escapings
/// that treat all of its strings alike, key orders that leave its keys where they are.
pub fn variants_for(value: &Value) -> Vec<Style> {
    fn distinct<T: Copy>(options: &[T], write_with: impl Fn(T) -> Vec<u8>) -> Vec<T> {
        let mut seen = Vec::new();
        let mut kept = Vec::new();
        for &option in options {
            let written = write_with(option);
            if !seen.contains(&written) {
                seen.push(written);
                kept.push(option);
            }
        }
        kept
    }
    let escapings = distinct(&ESCAPINGS, |e| write(value, &Style::GO_MARSHAL.with_escaping(e)));
    let key_orders = distinct(&KEY_ORDERS, |k| write(value, &Style::GO_MARSHAL.with_keys(k)));
    variants()
        .into_iter()
        .filter(|s| escapings.contains(&s.escaping) && key_orders.contains(&s.keys))
        .collect()
}

/// A style that writes a value as exactly the given bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identified {
    pub style: Style,
    /// Its name among [`common_styles`], or else its description without the choices that make no
    /// difference for this value (escaping, when no string holds a character the escapings treat
    /// differently).
    pub description: String,
}

/// The style that writes `value` (parsed from `bytes`) as exactly `bytes`: one of
/// [`common_styles`] if one does, else the first of [`variants`]. Key order is as written, since
/// `value` keeps the order of `bytes`.
pub fn identify(bytes: &[u8], value: &Value) -> Option<Identified> {
    let written = read(bytes)?;
    let formatting = &written.formatting;
    if formatting.bom || formatting.leading_whitespace {
        return None;
    }
    let trailing_newline = match formatting.trailing.as_str() {
        "" => false,
        "\n" | "\r\n" => true,
        _ => return None,
    };
    let fits = |s: &Style| {
        s.keys == KeyOrder::AsInput
            && s.trailing_newline == trailing_newline
            && formatting.layout == SeenLayout::Known(s.layout)
            && formatting.line_ending.is_none_or(|e| e == s.line_ending)
    };
    if let Some((name, style)) = common_styles()
        .into_iter()
        .find(|(_, s)| fits(s) && write(value, s) == bytes)
    {
        return Some(Identified {
            style,
            description: name.to_owned(),
        });
    }
    let style = variants()
        .into_iter()
        .find(|s| fits(s) && write(value, s) == bytes)?;
    Some(Identified {
        description: describe(&style, value),
        style,
    })
}

/// The Go struct order (or sorted order) the keys of `value` already follow, if any. Struct orders
/// are only claimed for manifests and indexes, the documents they apply to.
pub fn key_order_of(value: &Value) -> Option<KeyOrder> {
    let as_written = write(value, &Style::GO_MARSHAL);
    let candidates: &[KeyOrder] = match Shape::of_document(value) {
        Shape::Manifest | Shape::Index => &[KeyOrder::Oci, KeyOrder::Docker, KeyOrder::Sorted],
        _ => &[KeyOrder::Sorted],
    };
    candidates
        .iter()
        .copied()
        .find(|&keys| write(value, &Style::GO_MARSHAL.with_keys(keys)) == as_written)
}

/// `style` in words, leaving out the escaping when every escaping writes `value` the same way.
fn describe(style: &Style, value: &Value) -> String {
    let written = write(value, style);
    let escaping_matters = ESCAPINGS
        .iter()
        .any(|&escaping| write(value, &style.with_escaping(escaping)) != written);
    let mut text = style.layout.to_string();
    let breaks = style.trailing_newline || matches!(style.layout, Layout::Indented(_));
    if breaks && style.line_ending == LineEnding::CrLf {
        text.push_str(&format!(", {}", style.line_ending));
    }
    if style.trailing_newline {
        text.push_str(", ending with a newline");
    }
    if escaping_matters {
        text.push_str(&format!(", {}", style.escaping));
    }
    if style.keys != KeyOrder::AsInput {
        text.push_str(&format!(", {}", style.keys));
    }
    text
}
