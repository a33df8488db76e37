//! Which paths of two JSON values differ, so a verdict can name what was edited.

use super::serialization::at;
use serde_json::{Number, Value};
use std::fmt;

/// One path where two JSON values differ.
#[derive(Debug, Clone, PartialEq)]
pub struct PathChange {
    /// `layers[0].digest`, `annotations["org.opencontainers.image.created"]`; `""` is the whole value.
    pub path: String,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Added(Value),
    Removed(Value),
    Changed { a: Value, b: Value },
}

impl Change {
    pub fn slug(&self) -> &'static str {
        match self {
            Change::Added(_) => "added",
            Change::Removed(_) => "removed",
            Change::Changed { .. } => "changed",
        }
    }
}

impl fmt::Display for PathChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = at(&self.path);
        match &self.change {
            Change::Added(v) => write!(f, "{path}: only in B ({v})"),
            Change::Removed(v) => write!(f, "{path}: only in A ({v})"),
            Change::Changed { a, b } => write!(f, "{path}: {a} → {b}"),
        }
    }
}

pub(super) fn member_path(parent: &str, key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        if parent.is_empty() {
            key.to_owned()
        } else {
            format!("{parent}.{key}")
        }
    } else {
        format!("{parent}[{}]", Value::from(key))
    }
}

pub(super) fn item_path(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// Numbers are equal when they denote the same value: `1`, `1.0` and `1e0` are one number.
fn numbers_equal(a: &Number, b: &Number) -> bool {
    if a.is_f64() || b.is_f64() {
        a.as_f64() == b.as_f64()
    } else {
        // Integers: serde_json holds non-negative ones as u64 and negative ones as i64, so `==` is exact.
        a == b
    }
}

/// JSON equality: key order does not count, number spelling does not count.
pub(super) fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| values_equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Every path where `a` and `b` differ: members added or removed, values changed. Arrays are
/// compared position by position. Key order and number spelling are not differences here.
pub fn json_diff(a: &Value, b: &Value) -> Vec<PathChange> {
    let mut changes = Vec::new();
    diff_into(a, b, String::new(), &mut changes);
    changes
}

fn diff_into(a: &Value, b: &Value, path: String, changes: &mut Vec<PathChange>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, value) in x {
                let child = member_path(&path, key);
                match y.get(key) {
                    Some(other) => diff_into(value, other, child, changes),
                    None => changes.push(PathChange {
                        path: child,
                        change: Change::Removed(value.clone()),
                    }),
                }
            }
            for (key, value) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                changes.push(PathChange {
                    path: member_path(&path, key),
                    change: Change::Added(value.clone()),
                });
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                diff_into(v, w, item_path(&path, i), changes);
            }
            for (i, v) in x.iter().enumerate().skip(y.len()) {
                changes.push(PathChange {
                    path: item_path(&path, i),
                    change: Change::Removed(v.clone()),
                });
            }
            for (i, w) in y.iter().enumerate().skip(x.len()) {
                changes.push(PathChange {
                    path: item_path(&path, i),
                    change: Change::Added(w.clone()),
                });
            }
        }
        _ if values_equal(a, b) => {}
        _ => changes.push(PathChange {
            path,
            change: Change::Changed {
                a: a.clone(),
                b: b.clone(),
            },
        }),
    }
}
