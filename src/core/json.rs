//! JSON parsing that notices duplicate object keys.
//!
//! `{"mediaType":"a","mediaType":"b"}` is valid JSON, but parsers disagree on what it means: Go's
//! encoding/json and serde_json keep the last value, others the first. A manifest like that can be
//! read as two different documents by two tools, so the page flags it and shows every value. The
//! parse is done once, by a visitor that builds the same `serde_json::Value` serde would (last
//! value wins) while recording each duplicate.

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::RefCell;
use std::fmt;

/// A key that appears more than once in one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// Path of the object holding the key, e.g. `layers[1]`; empty for the top level.
    pub path: String,
    pub key: String,
    /// Every value the key was given, as compact JSON, in document order.
    pub values: Vec<String>,
}

/// The parsed value (last value wins for duplicate keys) and the duplicates found.
#[derive(Debug)]
pub struct Parsed {
    pub value: Value,
    pub duplicates: Vec<DuplicateKey>,
}

/// Parses JSON bytes. Errors are serde_json's (with line and column), including its nesting limit
/// of 128, so hostile depth fails fast instead of exhausting the stack.
pub fn parse(bytes: &[u8]) -> Result<Parsed, serde_json::Error> {
    let duplicates = RefCell::new(Vec::new());
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = Seed {
        duplicates: &duplicates,
        path: &Segment::Root,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(Parsed {
        value,
        duplicates: duplicates.into_inner(),
    })
}

/// Where a value sits, kept as a chain of borrowed segments so no path string is built unless a
/// duplicate needs one.
enum Segment<'a> {
    Root,
    Key(&'a Segment<'a>, &'a str),
    Index(&'a Segment<'a>, usize),
}

impl fmt::Display for Segment<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Root => Ok(()),
            Segment::Key(Segment::Root, key) => write!(f, "{key}"),
            Segment::Key(parent, key) => write!(f, "{parent}.{key}"),
            Segment::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

struct Seed<'a> {
    duplicates: &'a RefCell<Vec<DuplicateKey>>,
    path: &'a Segment<'a>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let path = Segment::Index(self.path, items.len());
            match seq.next_element_seed(Seed {
                duplicates: self.duplicates,
                path: &path,
            })? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = Segment::Key(self.path, &key);
            let value = map.next_value_seed(Seed {
                duplicates: self.duplicates,
                path: &path,
            })?;
            if let Some(previous) = object.get(&key) {
                self.record(&key, previous, &value);
            }
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

impl Seed<'_> {
    fn record(&self, key: &str, previous: &Value, value: &Value) {
        let path = self.path.to_string();
        let mut duplicates = self.duplicates.borrow_mut();
        match duplicates.iter_mut().find(|d| d.path == path && d.key == key) {
            Some(seen) => seen.values.push(value.to_string()),
            None => duplicates.push(DuplicateKey {
                path,
                key: key.to_owned(),
                values: vec![previous.to_string(), value.to_string()],
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_reported_with_every_value_and_the_last_wins() {
        let parsed = parse(br#"{"mediaType":"a","x":[{"k":1,"k":2,"k":3}],"mediaType":"b"}"#).unwrap();
        assert_eq!(parsed.value["mediaType"], "b");
        assert_eq!(
            parsed.duplicates,
            vec![
                DuplicateKey {
                    path: "x[0]".into(),
                    key: "k".into(),
                    values: vec!["1".into(), "2".into(), "3".into()]
                },
                DuplicateKey {
                    path: String::new(),
                    key: "mediaType".into(),
                    values: vec!["\"a\"".into(), "\"b\"".into()]
                },
            ]
        );
    }

    #[test]
    fn same_value_as_serde_json_for_ordinary_documents() {
        let text = br#"{"b":[1,-2,3.5,"s",null,true,{"c":{}}],"a":"\u00e9"}"#;
        let ours = parse(text).unwrap();
        assert_eq!(ours.value, serde_json::from_slice::<Value>(text).unwrap());
        assert!(ours.duplicates.is_empty());
    }

    #[test]
    fn hostile_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        let error = parse(deep.as_bytes()).unwrap_err();
        assert!(error.to_string().contains("recursion limit"), "{error}");
    }

    #[test]
    fn trailing_garbage_is_an_error() {
        assert!(parse(b"{} x").is_err());
    }
}
