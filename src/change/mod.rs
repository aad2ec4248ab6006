//! The structural change model: which paths an event changed, from its before and after.
//! Pure functions, no I/O.

pub mod patch;
pub mod revert;

use serde_json::Value;

use crate::query::{Path, Segment};

/// What happened at one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// One changed path with its old and new value (`None` where there was none).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: Path,
    pub kind: ChangeKind,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// The changed leaves between two record states. Objects are compared key by key, arrays index
/// by index; a scalar or text value that differs is one change at its path (the root for text
/// data such as an XML document).
pub fn changed_paths(before: Option<&Value>, after: Option<&Value>) -> Vec<Change> {
    let mut out = Vec::new();
    walk(&mut Vec::new(), before, after, &mut out);
    out
}

fn walk(
    path: &mut Vec<Segment>,
    before: Option<&Value>,
    after: Option<&Value>,
    out: &mut Vec<Change>,
) {
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                path.push(Segment::Key(k.clone()));
                walk(path, b.get(k), a.get(k), out);
                path.pop();
            }
        }
        (Some(Value::Array(b)), Some(Value::Array(a))) => {
            for i in 0..b.len().max(a.len()) {
                path.push(Segment::Index(i));
                walk(path, b.get(i), a.get(i), out);
                path.pop();
            }
        }
        // A whole record appearing or disappearing: one change per top-level field, so that
        // "3 fields" reads naturally for a CREATE or DELETE of a JSON record.
        (None, Some(Value::Object(a))) if path.is_empty() => {
            for (k, v) in a {
                out.push(change(path, k, ChangeKind::Added, None, Some(v)));
            }
        }
        (Some(Value::Object(b)), None) if path.is_empty() => {
            for (k, v) in b {
                out.push(change(path, k, ChangeKind::Removed, Some(v), None));
            }
        }
        (b, a) if b == a => {}
        (b, a) => out.push(Change {
            path: Path(path.clone()),
            kind: match (b, a) {
                (None, _) => ChangeKind::Added,
                (_, None) => ChangeKind::Removed,
                _ => ChangeKind::Changed,
            },
            old: b.cloned(),
            new: a.cloned(),
        }),
    }
}

fn change(
    path: &[Segment],
    key: &str,
    kind: ChangeKind,
    old: Option<&Value>,
    new: Option<&Value>,
) -> Change {
    let mut p = path.to_vec();
    p.push(Segment::Key(key.to_owned()));
    Change {
        path: Path(p),
        kind,
        old: old.cloned(),
        new: new.cloned(),
    }
}

/// The short summary shown in tables: `3 fields`, `1 field`, `text`, or empty.
pub fn summary(before: Option<&Value>, after: Option<&Value>) -> String {
    let is_text = |v: Option<&Value>| matches!(v, Some(Value::String(_)));
    let changes = changed_paths(before, after);
    if changes.is_empty() {
        String::new()
    } else if changes.len() == 1
        && changes[0].path.0.is_empty()
        && (is_text(before) || is_text(after))
    {
        "text".to_owned()
    } else if changes.len() == 1 {
        "1 field".to_owned()
    } else {
        format!("{} fields", changes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(b: Option<Value>, a: Option<Value>) -> Vec<String> {
        changed_paths(b.as_ref(), a.as_ref())
            .iter()
            .map(|c| c.path.to_string())
            .collect()
    }

    #[test]
    fn nested_objects_and_arrays() {
        let b = json!({"name": "x", "settings": {"enabled": true, "n": 1}, "tags": ["a", "b"]});
        let a =
            json!({"name": "x", "settings": {"enabled": false, "n": 1}, "tags": ["a"], "new": 1});
        assert_eq!(
            paths(Some(b), Some(a)),
            vec!["new", "settings.enabled", "tags[1]"]
        );
    }

    #[test]
    fn create_delete_and_text() {
        assert_eq!(paths(None, Some(json!({"a": 1, "b": 2}))), vec!["a", "b"]);
        assert_eq!(paths(Some(json!({"a": 1})), None), vec!["a"]);
        assert_eq!(paths(Some(json!("<x/>")), Some(json!("<y/>"))), vec![""]);
        assert_eq!(summary(Some(&json!("<x/>")), Some(&json!("<y/>"))), "text");
        assert_eq!(summary(None, Some(&json!({"a": 1}))), "1 field");
        assert_eq!(summary(None, None), "");
    }

    #[test]
    fn kinds_and_values() {
        let c = changed_paths(Some(&json!({"a": 1})), Some(&json!({"a": 2, "b": null})));
        assert_eq!(c[0].kind, ChangeKind::Changed);
        assert_eq!(c[0].old, Some(json!(1)));
        assert_eq!(c[1].kind, ChangeKind::Added);
        assert_eq!(c[1].new, Some(json!(null)));
    }
}
