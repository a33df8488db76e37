//! Writing a JSON value in a [`super::Style`], byte for byte as the tool of that style writes it:
//! the Go struct key orders, Go's escapes and the layouts.

use super::{Escaping, KeyOrder, Layout, Style};
use serde_json::{Map, Value};

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

/// Which Go struct, if any, an object is, for the Docker and OCI key orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
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
    pub(super) fn of_document(value: &Value) -> Shape {
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
pub(super) fn escape(c: char, escaping: Escaping) -> Option<String> {
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
