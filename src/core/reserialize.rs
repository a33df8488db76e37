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

use serde_json::{Map, Value};
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

/// Writes `value` in `style`.
pub fn write(value: &Value, style: &Style) -> Vec<u8> {
    let mut writer = Writer {
        out: Vec::with_capacity(1024),
        style,
        unit: match style.layout {
            Layout::Indented(indent) => indent.unit(),
            Layout::Compact | Layout::Spaced => String::new(),
        },
    };
    writer.value(value, Shape::of_document(value), 0);
    if style.trailing_newline {
        writer.out.extend_from_slice(style.line_ending.bytes());
    }
    writer.out
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

/// Which Go struct, if any, an object is, for the Docker and OCI key orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Not a Go struct this module knows: keys stay as written.
    Free,
    Manifest,
    Index,
    Descriptor,
    Platform,
    /// A Go `map[string]string` (annotations): Go writes its keys sorted.
    GoMap,
}

impl Shape {
    fn of_document(value: &Value) -> Shape {
        let Some(object) = value.as_object() else {
            return Shape::Free;
        };
        if object.get("manifests").is_some_and(Value::is_array) {
            Shape::Index
        } else if object.get("layers").is_some_and(Value::is_array)
            || object.get("config").is_some_and(Value::is_object)
        {
            Shape::Manifest
        } else {
            Shape::Free
        }
    }

    /// The shape of the value under `key` (or of each element, when that value is an array).
    fn child(self, key: &str) -> Shape {
        match (self, key) {
            (Shape::Manifest | Shape::Index | Shape::Descriptor, "annotations") => Shape::GoMap,
            (Shape::Manifest, "config" | "layers" | "blobs" | "subject") => Shape::Descriptor,
            (Shape::Index, "manifests" | "subject") => Shape::Descriptor,
            (Shape::Descriptor, "platform") => Shape::Platform,
            _ => Shape::Free,
        }
    }

    /// Struct field order: distribution and go-containerregistry for Docker, image-spec v1.1 for OCI.
    fn fields(self, keys: KeyOrder) -> &'static [&'static str] {
        const PLATFORM: &[&str] = &[
            "architecture",
            "os",
            "os.version",
            "os.features",
            "variant",
            "features",
        ];
        match (self, keys) {
            (Shape::Manifest, KeyOrder::Docker) => &[
                "schemaVersion",
                "mediaType",
                "config",
                "layers",
                "annotations",
                "subject",
            ],
            (Shape::Index, KeyOrder::Docker) => &[
                "schemaVersion",
                "mediaType",
                "manifests",
                "annotations",
                "subject",
            ],
            (Shape::Descriptor, KeyOrder::Docker) => &[
                "mediaType",
                "size",
                "digest",
                "data",
                "urls",
                "annotations",
                "platform",
                "artifactType",
            ],
            (Shape::Manifest, KeyOrder::Oci) => &[
                "schemaVersion",
                "mediaType",
                "artifactType",
                "config",
                "layers",
                "subject",
                "annotations",
            ],
            (Shape::Index, KeyOrder::Oci) => &[
                "schemaVersion",
                "mediaType",
                "artifactType",
                "manifests",
                "subject",
                "annotations",
            ],
            (Shape::Descriptor, KeyOrder::Oci) => &[
                "mediaType",
                "digest",
                "size",
                "urls",
                "annotations",
                "data",
                "platform",
                "artifactType",
            ],
            (Shape::Platform, _) => PLATFORM,
            _ => &[],
        }
    }
}

/// The members of `map` in the order `keys` asks for.
fn ordered(map: &Map<String, Value>, shape: Shape, keys: KeyOrder) -> Vec<(&String, &Value)> {
    let mut members: Vec<(&String, &Value)> = map.iter().collect();
    match (keys, shape) {
        (KeyOrder::AsInput, _) | (KeyOrder::Docker | KeyOrder::Oci, Shape::Free) => {}
        (KeyOrder::Sorted, _) | (KeyOrder::Docker | KeyOrder::Oci, Shape::GoMap) => {
            members.sort_by(|a, b| a.0.cmp(b.0));
        }
        (KeyOrder::Docker | KeyOrder::Oci, _) => {
            let fields = shape.fields(keys);
            // A stable sort: unknown keys keep their written order, after the known ones.
            members.sort_by_key(|(key, _)| fields.iter().position(|f| f == key).unwrap_or(fields.len()));
        }
    }
    members
}

struct Writer<'a> {
    out: Vec<u8>,
    style: &'a Style,
    unit: String,
}

impl Writer<'_> {
    fn value(&mut self, value: &Value, shape: Shape, depth: usize) {
        match value {
            Value::Null => self.out.extend_from_slice(b"null"),
            Value::Bool(true) => self.out.extend_from_slice(b"true"),
            Value::Bool(false) => self.out.extend_from_slice(b"false"),
            Value::Number(n) => self.out.extend_from_slice(n.to_string().as_bytes()),
            Value::String(s) => self.string(s),
            Value::Array(items) => {
                if items.is_empty() {
                    self.out.extend_from_slice(b"[]");
                    return;
                }
                self.out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.comma();
                    }
                    self.line_break(depth + 1);
                    self.value(item, shape, depth + 1);
                }
                self.line_break(depth);
                self.out.push(b']');
            }
            Value::Object(map) => {
                if map.is_empty() {
                    self.out.extend_from_slice(b"{}");
                    return;
                }
                self.out.push(b'{');
                for (i, (key, member)) in ordered(map, shape, self.style.keys).into_iter().enumerate() {
                    if i > 0 {
                        self.comma();
                    }
                    self.line_break(depth + 1);
                    self.string(key);
                    self.out.push(b':');
                    if self.style.layout != Layout::Compact {
                        self.out.push(b' ');
                    }
                    self.value(member, shape.child(key), depth + 1);
                }
                self.line_break(depth);
                self.out.push(b'}');
            }
        }
    }

    fn comma(&mut self) {
        self.out.push(b',');
        if self.style.layout == Layout::Spaced {
            self.out.push(b' ');
        }
    }

    fn line_break(&mut self, depth: usize) {
        if let Layout::Indented(_) = self.style.layout {
            self.out.extend_from_slice(self.style.line_ending.bytes());
            for _ in 0..depth {
                self.out.extend_from_slice(self.unit.as_bytes());
            }
        }
    }

    fn string(&mut self, s: &str) {
        self.out.push(b'"');
        let mut buf = [0u8; 4];
        for c in s.chars() {
            match escape(c, self.style.escaping) {
                Some(escaped) => self.out.extend_from_slice(escaped.as_bytes()),
                None => self.out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
            }
        }
        self.out.push(b'"');
    }
}

/// How `c` is written inside a string, or `None` when it is written as itself.
fn escape(c: char, escaping: Escaping) -> Option<String> {
    let short_b_f = !matches!(
        escaping,
        Escaping::Go {
            before_1_22: true,
            ..
        }
    );
    match c {
        '"' => Some("\\\"".into()),
        '\\' => Some("\\\\".into()),
        '\n' => Some("\\n".into()),
        '\r' => Some("\\r".into()),
        '\t' => Some("\\t".into()),
        '\u{8}' if short_b_f => Some("\\b".into()),
        '\u{c}' if short_b_f => Some("\\f".into()),
        '\u{0}'..='\u{1f}' => Some(format!("\\u{:04x}", u32::from(c))),
        '<' | '>' | '&' if matches!(escaping, Escaping::Go { html: true, .. }) => {
            Some(format!("\\u{:04x}", u32::from(c)))
        }
        '\u{2028}' | '\u{2029}' if matches!(escaping, Escaping::Go { .. }) => {
            Some(format!("\\u{:04x}", u32::from(c)))
        }
        c if !c.is_ascii() && escaping == Escaping::Ascii => {
            let mut units = [0u16; 2];
            Some(
                c.encode_utf16(&mut units)
                    .iter()
                    .map(|u| format!("\\u{u:04x}"))
                    .collect(),
            )
        }
        _ => None,
    }
}

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
const MAX_DEPTH: usize = 128;

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(value: &Value, style: Style) -> String {
        String::from_utf8(write(value, &style)).unwrap()
    }

    #[test]
    fn compact_has_no_whitespace_and_empty_containers_stay_closed() {
        let v = json!({"a": [1, {}], "b": [], "c": {"d": null}});
        assert_eq!(
            text(&v, Style::GO_MARSHAL),
            r#"{"a":[1,{}],"b":[],"c":{"d":null}}"#
        );
    }

    #[test]
    fn indent_puts_one_member_per_line_and_keeps_empty_containers_inline() {
        let v = json!({"a": [1, {}], "b": []});
        assert_eq!(
            text(&v, Style::go_indent(Indent::Spaces(3))),
            "{\n   \"a\": [\n      1,\n      {}\n   ],\n   \"b\": []\n}"
        );
        assert_eq!(
            text(&v, Style::go_indent(Indent::Tab)),
            "{\n\t\"a\": [\n\t\t1,\n\t\t{}\n\t],\n\t\"b\": []\n}"
        );
    }

    #[test]
    fn spaced_layout_is_pythons_default() {
        // Python 3: json.dumps({"a": [1, 2], "b": {}}) == '{"a": [1, 2], "b": {}}'
        let v = json!({"a": [1, 2], "b": {}});
        let style = Style {
            layout: Layout::Spaced,
            ..Style::GO_MARSHAL
        };
        assert_eq!(text(&v, style), r#"{"a": [1, 2], "b": {}}"#);
    }

    #[test]
    fn trailing_newline_and_crlf_change_only_line_breaks() {
        let v = json!({"a": 1});
        let style = Style::go_indent(Indent::Spaces(2))
            .with_crlf()
            .with_trailing_newline();
        assert_eq!(text(&v, style), "{\r\n  \"a\": 1\r\n}\r\n");
        assert_eq!(text(&v, Style::GO_MARSHAL.with_trailing_newline()), "{\"a\":1}\n");
    }

    #[test]
    fn go_html_escaping_is_a_switch() {
        let v = json!("a<b>&c");
        assert_eq!(text(&v, Style::GO_MARSHAL), r#""a\u003cb\u003e\u0026c""#);
        let no_html = Escaping::Go {
            html: false,
            before_1_22: false,
        };
        assert_eq!(text(&v, Style::GO_MARSHAL.with_escaping(no_html)), r#""a<b>&c""#);
    }

    #[test]
    fn go_always_escapes_line_and_paragraph_separators_minimal_does_not() {
        let v = json!("x\u{2028}y\u{2029}");
        let no_html = Escaping::Go {
            html: false,
            before_1_22: false,
        };
        assert_eq!(
            text(&v, Style::GO_MARSHAL.with_escaping(no_html)),
            r#""x\u2028y\u2029""#
        );
        assert_eq!(
            text(&v, Style::GO_MARSHAL.with_escaping(Escaping::Minimal)),
            "\"x\u{2028}y\u{2029}\""
        );
    }

    #[test]
    fn control_characters_use_short_forms_only_where_go_does() {
        let v = json!("\u{8}\u{c}\u{1}\u{1f}\u{7f}");
        assert_eq!(text(&v, Style::GO_MARSHAL), "\"\\b\\f\\u0001\\u001f\u{7f}\"");
        let old_go = Escaping::Go {
            html: true,
            before_1_22: true,
        };
        assert_eq!(
            text(&v, Style::GO_MARSHAL.with_escaping(old_go)),
            "\"\\u0008\\u000c\\u0001\\u001f\u{7f}\""
        );
    }

    #[test]
    fn ascii_escaping_uses_surrogate_pairs_above_the_bmp() {
        // Python 3: json.dumps("é😀") == '"\\u00e9\\ud83d\\ude00"'
        let v = json!("é😀");
        assert_eq!(
            text(&v, Style::GO_MARSHAL.with_escaping(Escaping::Ascii)),
            r#""\u00e9\ud83d\ude00""#
        );
    }

    #[test]
    fn slash_is_never_escaped() {
        assert_eq!(text(&json!("a/b"), Style::GO_MARSHAL), r#""a/b""#);
    }

    #[test]
    fn docker_and_oci_orders_swap_size_and_digest() {
        let v = json!({"config": {"digest": "d", "size": 1, "mediaType": "m"}, "layers": []});
        assert_eq!(
            text(&v, Style::GO_MARSHAL.with_keys(KeyOrder::Docker)),
            r#"{"config":{"mediaType":"m","size":1,"digest":"d"},"layers":[]}"#
        );
        assert_eq!(
            text(&v, Style::GO_MARSHAL.with_keys(KeyOrder::Oci)),
            r#"{"config":{"mediaType":"m","digest":"d","size":1},"layers":[]}"#
        );
    }

    #[test]
    fn struct_orders_keep_unknown_keys_after_known_ones_and_leave_configs_alone() {
        let manifest = json!({"x-extra": 1, "layers": [], "schemaVersion": 2});
        assert_eq!(
            text(&manifest, Style::GO_MARSHAL.with_keys(KeyOrder::Oci)),
            r#"{"schemaVersion":2,"layers":[],"x-extra":1}"#
        );
        let config = json!({"rootfs": {}, "architecture": "amd64"});
        assert_eq!(
            text(&config, Style::GO_MARSHAL.with_keys(KeyOrder::Oci)),
            r#"{"rootfs":{},"architecture":"amd64"}"#
        );
    }

    #[test]
    fn key_order_of_recognises_struct_orders_only_where_they_apply() {
        let docker =
            json!({"schemaVersion": 2, "config": {"mediaType": "m", "size": 1, "digest": "d"}, "layers": []});
        assert_eq!(key_order_of(&docker), Some(KeyOrder::Docker));
        let oci =
            json!({"schemaVersion": 2, "config": {"mediaType": "m", "digest": "d", "size": 1}, "layers": []});
        assert_eq!(key_order_of(&oci), Some(KeyOrder::Oci));
        assert_eq!(key_order_of(&json!({"b": 1, "a": 2})), None);
        assert_eq!(
            key_order_of(&json!({"a": 1, "b": {"c": 2, "d": 3}})),
            Some(KeyOrder::Sorted)
        );
    }

    #[test]
    fn variants_for_a_value_skip_choices_it_cannot_tell_apart() {
        // One key, no special character: only layout, newline and line endings can differ.
        assert_eq!(variants_for(&json!({"a": 1})).len(), 4 * 4 + 2 * 3);
        // "<" tells Go's HTML escaping from the rest (Go without HTML escaping, Minimal and Ascii
        // all write it as is); two keys out of order tell sorted from as written.
        assert_eq!(
            variants_for(&json!({"b": "<", "a": 1})).len(),
            2 * 2 * (4 * 4 + 2 * 3)
        );
    }

    #[test]
    fn variants_cover_each_combination_once() {
        let all = variants();
        for (i, a) in all.iter().enumerate() {
            assert!(all.iter().skip(i + 1).all(|b| a != b), "{a} twice");
        }
        // 4 key orders × 4 escapings × (4 indented layouts × 4 + 2 one-line layouts × 3)
        assert_eq!(all.len(), 4 * 4 * (4 * 4 + 2 * 3));
    }

    #[test]
    fn read_recovers_layout_line_endings_and_trailing_whitespace() {
        let cases: [(&str, SeenLayout, Option<LineEnding>, &str); 6] = [
            ("{\"a\":[1,2]}", SeenLayout::Known(Layout::Compact), None, ""),
            (
                "{\n   \"a\": [\n      1\n   ]\n}\n",
                SeenLayout::Known(Layout::Indented(Indent::Spaces(3))),
                Some(LineEnding::Lf),
                "\n",
            ),
            (
                "{\r\n\t\"a\": {}\r\n}",
                SeenLayout::Known(Layout::Indented(Indent::Tab)),
                Some(LineEnding::CrLf),
                "",
            ),
            ("{\"a\": [1, 2]}", SeenLayout::Known(Layout::Spaced), None, ""),
            ("{\"a\" : 1}", SeenLayout::Irregular, None, ""),
            (
                "{\n  \"a\": {\n     \"b\": 1\n  }\n}",
                SeenLayout::Irregular,
                Some(LineEnding::Lf),
                "",
            ),
        ];
        for (input, layout, ending, trailing) in cases {
            let written = read(input.as_bytes()).unwrap();
            assert_eq!(written.formatting.layout, layout, "{input:?}");
            assert_eq!(written.formatting.line_ending, ending, "{input:?}");
            assert_eq!(written.formatting.trailing, trailing, "{input:?}");
        }
    }

    #[test]
    fn read_keeps_spellings_and_decodes_escapes() {
        let written = read(br#"{"k\u0026":["a\/b\ud83d\ude00", 1.0E2, -0, true]}"#).unwrap();
        let RawValue::Object(members) = written.root else {
            panic!("not an object")
        };
        let (key, value) = &members[0];
        assert_eq!((key.written.as_str(), key.text.as_str()), ("k\\u0026", "k&"));
        let RawValue::Array(items) = value else {
            panic!("not an array")
        };
        assert_eq!(
            items[0],
            RawValue::String(RawString {
                written: "a\\/b\\ud83d\\ude00".into(),
                text: "a/b😀".into()
            })
        );
        assert_eq!(items[1], RawValue::Number("1.0E2".into()));
        assert_eq!(items[2], RawValue::Number("-0".into()));
        assert_eq!(items[3], RawValue::Literal("true"));
    }

    #[test]
    fn read_rejects_what_is_not_json_instead_of_panicking() {
        for bad in [
            &b"{"[..],
            b"[1,]",
            b"\"\\ud800\"",
            b"\"\\u12\"",
            b"\xff",
            b"01x",
            b"{} x",
            b"\"a\nb\"",
        ] {
            assert!(read(bad).is_none(), "{:?}", String::from_utf8_lossy(bad));
        }
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert!(read(deep.as_bytes()).is_none());
    }

    #[test]
    fn identify_names_the_style_that_wrote_the_bytes() {
        let bytes = b"{\n  \"b\": \"<\",\n  \"a\": 1\n}\n";
        let value: Value = serde_json::from_slice(bytes).unwrap();
        let identified = identify(bytes, &value).unwrap();
        assert_eq!(identified.description, "jq . (2-space indent, trailing newline)");
        assert_ne!(
            identified.style.escaping,
            Escaping::GO,
            "Go would have written \\u003c"
        );
        assert_eq!(identify(b"{\"a\" :1}", &serde_json::json!({"a": 1})), None);
    }

    #[test]
    fn identify_leaves_out_escaping_that_makes_no_difference() {
        let bytes = b"{\r\n    \"a\": 1\r\n}";
        let identified = identify(bytes, &serde_json::json!({"a": 1})).unwrap();
        assert_eq!(
            identified.description,
            "4-space indent, CRLF (Windows) line endings"
        );
        let bytes = b"{\r\n    \"a\": \"\\u0026\"\r\n}";
        let identified = identify(bytes, &serde_json::json!({"a": "&"})).unwrap();
        assert_eq!(
            identified.description,
            "4-space indent, CRLF (Windows) line endings, Go escaping (<, >, & written as \\u003c, \\u003e, \\u0026)"
        );
    }
}
